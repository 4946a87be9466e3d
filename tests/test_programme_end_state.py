"""A dated programme that ends elsewhere than the snapshot (estate.programme.end_state):
the results folder, the map's slider, the board pack and the terminal tell one plan,
the programme's end state, and say that the snapshot's optimum was another.

The register (`another_end_register`): the snapshot builds the hub C for both teams and
closes O1 and O2; with £250k a year of one-off spend C (£300k) can never be built, so
the exact model over all years moves T1 into K and closes O1 alone, in year 1. At a
discount rate of 0 over 5 years that saves O1's £250k a year, £1.25m, by hand.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import estate
import estate.programme
from estate.load.scenario import load_scenario
from estate.maps.page import _payload
from estate.maps.payload import read_plan
from estate.maps.timeline import timeline_payload
from estate.pipeline import plan_locality
from estate.programme import end_state, plan_programme
from estate.programme.end_state import programme_plan
from estate.render.html import inert
from estate.render.programme_page import _headline
from estate.render.report import board_pages
from estate.render.report_data import Table, Text, read_results
from estate.render.report_optional import dated_words
from estate.render.report_pages import decision, decision_page
from estate.render.text import alternative_lines, summary_lines
from estate.results import Breach, Summary, money
from estate.results.words import plan_quality
from estate.runs.planning import plan_scenario
from estate.status import Status
from estate.store import check_results, read_programme, read_summary
from tests.fixtures.programme_registers import (
    Case,
    another_end_register,
    dominated_register,
    one_off_register,
    plan_case,
    share_register,
    surrender_register,
)
from tests.fixtures.register import function, site


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The register planned with its programme, and its snapshot optimum planned alone
    (with its `[programme]`, so priced as if every change were made in year 1, as the
    programme's own snapshot is, but not scheduled)."""
    root = tmp_path_factory.mktemp("another_end")
    path = another_end_register(root)
    estate.plan(path, out=root / "results", map_path=False)
    _, snapshot = plan_locality(load_scenario(path))
    return {"folder": root / "results", "snapshot": snapshot}


def _planned(scenario: Path) -> tuple[Path, Summary]:
    """The scenario planned into results/ beside it, the folder passing its checks, and
    its summary as read back."""
    folder = scenario.parent / "results"
    estate.plan(scenario, out=folder, map_path=False)
    check_results(folder)
    return folder, read_summary(folder)


def _csv(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / name, encoding="utf-8-sig", keep_default_na=False)


def test_sites_csv_closes_what_programme_csv_closes(planned: dict[str, Any]) -> None:
    folder = planned["folder"]
    sites, actions = _csv(folder, "sites.csv"), _csv(folder, "programme.csv")
    decided = dict(zip(sites["site_id"], sites["decision"], strict=True))
    closes = set(actions.loc[actions["action"] == "close", "site_id"])
    assert {s for s, d in decided.items() if d == "close"} == closes == {"O1"}
    assert decided["C"] == "not_built" and not set(actions["action"]) & {"build", "open"}
    moves = _csv(folder, "assignments.csv")
    moved = moves[moves["from_site"] != moves["to_site"]]
    assert set(zip(moved["function_id"], moved["to_site"], strict=True)) == set(zip(
        actions.loc[actions["action"] == "move", "function_id"],
        actions.loc[actions["action"] == "move", "site_id"], strict=True)) == {("T1", "K")}


def test_the_summary_says_the_plan_is_the_programme_s(planned: dict[str, Any]) -> None:
    summary = read_summary(planned["folder"])
    snapshot = planned["snapshot"].summary
    assert summary.plan_from == "programme"
    assert snapshot.sites_closed == 2 and snapshot.sites_opened == 1  # O1, O2; C
    assert summary.snapshot_npv_saving == pytest.approx(snapshot.npv_saving, abs=0.01)
    assert summary.snapshot_differs == ("closes O2 too", "builds C",
                                        "places T1, T2 differently")
    assert summary.programme is not None
    assert summary.programme.method == "joint"
    # its solve time is the programme's search too, as its status is the programme's
    assert summary.solve_seconds > snapshot.solve_seconds
    assert summary.npv_saving == pytest.approx(1_250_000, abs=0.01)
    assert summary.programme.npv_saving == pytest.approx(1_250_000, abs=0.01)
    # solved with solver.mip_gap = 0, the joint programme is proven optimal with no gap,
    # and so is the plan of its end state; the roadmap's no-limits saving is not its
    assert (summary.status, summary.mip_gap) == (Status.OPTIMAL, 0.0)
    assert (summary.programme.status, summary.programme.mip_gap) == ("optimal", 0.0)
    assert summary.programme.unlimited_saving is None


def test_the_folder_passes_its_checks_and_the_slider_dates_every_change(
        planned: dict[str, Any]) -> None:
    folder = planned["folder"]
    check_results(folder)
    plan = read_plan(folder)
    timeline = timeline_payload(plan)
    assert timeline is not None
    sites = _csv(folder, "sites.csv")
    # every site the map shows closed or opened closes or opens in a year of the slider
    for i, decided in enumerate(sites["decision"]):
        if decided == "close":
            assert timeline["site_close"][i] is not None, sites["site_id"][i]
        if decided == "open":
            assert timeline["site_open"][i] is not None, sites["site_id"][i]
    assert timeline["site_close"] == [1 if s == "O1" else None for s in sites["site_id"]]
    moves = _payload(plan, "", timeline=True)["moves"]
    assert moves["year"] == [1]  # T1 to K, in year 1


def test_the_board_pack_tells_the_one_plan(planned: dict[str, Any]) -> None:
    folder = planned["folder"]
    # as a reader sees it: without the isolate marks round each name (figures.named)
    words = decision(read_results(folder)).replace("\u2068", "").replace("\u2069", "")
    assert words.startswith("Close 1 of today's 3 sites (Site O1 (O1)), leaving 2.")
    assert ("The plan is the dated programme's end state: over the years it pays better "
            "than the end state that would save most if every change were made in year 1 "
            f"(so made, it would save {money(planned['snapshot'].summary.saving_in_year_one)}), "
            "which differs from it: "
            "that one closes O2 too; builds C; places T1, T2 differently. It is proven the "
            "cheapest programme that keeps every timing rule and the yearly limits.") in words
    _, pages = board_pages(folder)
    headline = next(b for page in pages for b in page.blocks
                    if isinstance(b, Table) and b.caption == "Headline figures")
    rows = dict(headline.rows)
    assert rows["How good the plan is"] == "proven optimal as a dated programme"


def test_the_terminal_leads_with_the_dated_saving(planned: dict[str, Any]) -> None:
    summary = read_summary(planned["folder"])
    assert summary.programme is not None
    lines = summary_lines(summary)
    at = next(i for i, line in enumerate(lines) if line.startswith("NPV saving:"))
    assert lines[at].startswith(f"NPV saving:      {money(summary.programme.npv_saving)} "
                                "over 5 years, 0% a year, dated from 2027-04-01")
    assert lines[at + 1].strip() == (f"{money(summary.saving_in_year_one)} if every change were "
                                     "made in year 1")
    assert any(line.startswith("Plan:            The plan is the dated programme's end "
                               "state") for line in lines)


def test_the_page_and_the_pack_say_the_same_difference(planned: dict[str, Any]) -> None:
    """£26,054,695.43 beside £24,836,237.97 (the review's figures): £1,218,457.46 apart,
    read as £26.05m and £24.84m, so £1.21m on both, as a reader subtracts them."""
    folder = planned["folder"]
    programme = read_programme(folder)
    assert programme is not None
    results = read_results(folder)
    summary = results.summary.replace(year_one_npv_saving=26_054_695.43)
    dated = dataclasses.replace(programme, npv_saving=24_836_237.97)
    # the programme page and the board pack say it in the same words
    said = "£24.84m, £1.21m less than the £26.05m the plan would save if every change"
    assert said in _headline(dated, summary)
    pack = dataclasses.replace(results, summary=summary, programme=dated)
    assert said.replace("£24.84m", "£24.84m (NPV)") in dated_words(pack)


def test_the_roadmap_s_plan_is_the_estate_it_reaches(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The roadmap alone (as above JOINT_MAX_COLUMNS, on the demo) schedules the
    snapshot's changes: C (£300k) never fits in £250k a year, and O1 and O2 close only
    once their teams have moved to C, so none of the five happens. The estate reached
    is today's: sites.csv closes and builds nothing, as programme.csv, and saves £0."""
    monkeypatch.setattr(estate.programme, "JOINT_MAX_COLUMNS", 0)
    path = another_end_register(tmp_path)
    estate.plan(path, out=tmp_path / "results", map_path=False)
    folder = tmp_path / "results"
    check_results(folder)
    sites, actions = _csv(folder, "sites.csv"), _csv(folder, "programme.csv")
    assert dict(zip(sites["site_id"], sites["decision"], strict=True)) == {
        "O1": "keep", "O2": "keep", "K": "keep", "C": "not_built"}
    assert actions.empty
    summary = read_summary(folder)
    assert summary.programme is not None and summary.programme.method == "roadmap"
    assert summary.plan_from == "programme"
    assert summary.npv_saving == pytest.approx(0.0, abs=0.01)
    assert summary.programme.npv_saving == pytest.approx(0.0, abs=0.01)
    assert summary.snapshot_npv_saving == pytest.approx(1_300_547.95, abs=0.01)
    assert summary.snapshot_differs == ("closes O1, O2 too", "builds C",
                                        "places T1, T2 differently")
    lines = summary_lines(summary)
    assert lines[1].startswith("Status:          proven optimal as a schedule of the "
                               "snapshot optimum's changes")
    assert any(line.startswith("Plan:            The plan is the estate the dated programme "
                               "reaches by the horizon's end") for line in lines)
    # the board pack says it in a board's words, on page 1 as on its programme page
    r = read_results(folder)
    words = " ".join(b.text for b in decision_page(r).blocks if isinstance(b, Text))
    assert "the cheapest schedule of the best end state's changes" in words, words
    assert "snapshot" not in words, words
    cells = {str(row[0]): str(row[1]) for b in decision_page(r).blocks
             if isinstance(b, Table) for row in b.rows}
    assert cells["How good the plan is"] == (
        "proven optimal as a schedule of the best end state's changes"), cells


def _one_closure_a_year(tmp_path: Path) -> Case:
    """Offices A1 (£200k a year) and A2 (£150k) each close for £100k, their teams moving
    to the kept K for nothing, in a one-year horizon with £100k of one-off spend a year
    and r = 0: one closure fits."""
    return plan_case(tmp_path, [
        site("A1", "A", 0, 0, running_cost=200_000, closure_cost=100_000),
        site("A2", "A", 0, 1, running_cost=150_000, closure_cost=100_000),
        site("K", "A", 1, 0, desks=500, running_cost=0, must_keep=True),
    ], [function("T1", "A", "Ops", "A1"), function("T2", "A", "Ops", "A2")],
        horizon_years=1, discount_rate=0.0, programme={"max_one_off_per_year": 100_000})


def test_a_change_the_roadmap_leaves_out_is_not_in_the_plan(tmp_path: Path) -> None:
    """Two offices close at £100k each (teams to K for nothing) in a one-year horizon
    with £100k of one-off spend: the snapshot closes both (A1 saves £200k - £100k, A2
    £150k - £100k: £150k at r = 0); the roadmap closes the dearer A1 in year 1 and
    cannot close A2. The plan is A1 closed and A2 kept, saving £100k, as dated."""
    case = _one_closure_a_year(tmp_path)
    assert case.plan.summary.npv_saving == pytest.approx(150_000)
    programme = plan_programme(case.prep, case.model, case.plan, case.limits, 60.0, 0.0,
                               method="roadmap")
    plan = programme_plan(case.prep, case.model, case.plan, programme, 60.0)
    assert dict(zip(plan.sites["site_id"], plan.sites["decision"], strict=True)) == {
        "A1": "close", "A2": "keep", "K": "keep"}
    # the moves the plan makes are those programme.csv dates (T2's, free and saving
    # nothing, may be made or not: the plan says whichever the programme does)
    moves = plan.assignments[plan.assignments["from_site"] != plan.assignments["to_site"]]
    dated = programme.actions[programme.actions["action"] == "move"]
    assert set(zip(moves["function_id"], moves["to_site"], strict=True)) == set(zip(
        dated["function_id"], dated["site_id"], strict=True))
    assert ("T1", "K") in set(zip(moves["function_id"], moves["to_site"], strict=True))
    assert set(programme.actions.loc[programme.actions["action"] == "close", "site_id"]) \
        == {"A1"}
    assert plan.summary.plan_from == "programme"
    assert plan.summary.npv_saving == pytest.approx(100_000)
    assert programme.npv_saving == pytest.approx(100_000)
    assert plan.summary.snapshot_npv_saving == pytest.approx(150_000)


def test_a_roadmap_of_an_end_state_the_time_limit_left_unproven_is_not_proven(
        tmp_path: Path) -> None:
    """The roadmap is proven only among schedules of the snapshot's changes. When the
    time limit stopped the snapshot's own search, its end state is not proven the best,
    yet the plan was said "proven optimal as a schedule of the snapshot optimum's
    changes" on every output (the status was the roadmap's alone). Now the plan is
    time_limit, its gap the larger of the two searches', and its words say which
    search was stopped; summary.json keeps the snapshot's status and gap."""
    case = _one_closure_a_year(tmp_path)
    stopped = dataclasses.replace(case.plan, summary=case.plan.summary.replace(
        status=Status.TIME_LIMIT, mip_gap=0.02))  # as the time limit leaves a search
    programme = plan_programme(case.prep, case.model, stopped, case.limits, 60.0, 0.0,
                               method="roadmap")
    assert programme.status == "optimal"
    summary = programme_plan(case.prep, case.model, stopped, programme, 60.0).summary
    assert summary.plan_from == "programme"
    # each search's gap is of its own objective: neither bounds the plan's
    assert (summary.status, summary.mip_gap) == (Status.TIME_LIMIT, None)
    assert (summary.snapshot_status, summary.snapshot_mip_gap) == (Status.TIME_LIMIT, 0.02)
    assert Summary.from_json(summary.to_json()) == summary
    status = summary_lines(summary)[1]
    assert status.startswith("Status:          NOT PROVEN (time limit); distance from the "
                             "lowest possible cost unknown (its end state not proven the "
                             "best)"), status
    assert "Found:" not in "\n".join(summary_lines(summary))
    said = plan_quality(summary)[1]
    assert "whose search the solver's time limit stopped (its NPV of cost is within 2%" in said
    assert "It is proven the cheapest schedule of that end state's changes" in said, said
    # and the programme's page, beside the schedule's own proof
    page = _headline(programme, summary)
    assert "those of an end state not proven the best: the solver&#x27;s time limit " \
        "stopped its search (every change made in year 1, its NPV of cost is within 2% " \
        "of the lowest possible)" in page.replace("&#39;", "&#x27;"), page
    # proven, the snapshot is named as before, and nothing of its search is kept
    proven = programme_plan(case.prep, case.model, case.plan, programme, 60.0).summary
    assert proven.status == Status.OPTIMAL and proven.snapshot_status is None
    assert "snapshot_status" not in proven.to_json()
    assert "not proven the best" not in _headline(programme, proven)
    # limits that leave every change out: the plan is today's estate because of them,
    # not because the search ran short (it was told "found nothing cheaper ... raise
    # solver.time_limit_s", and the pack's decision "for now")
    none = dataclasses.replace(case.limits, max_closures_per_year=0)
    held = plan_programme(case.prep, case.model, stopped, none, 60.0, 0.0, method="roadmap")
    still = programme_plan(case.prep, case.model, stopped, held, 60.0)
    assert still.summary.plan_from == "programme" and still.summary.sites_closed == 0
    assert "Found:" not in "\n".join(summary_lines(still.summary))
    folder = estate.store.write_results(still, tmp_path / "held")
    words = decision(read_results(folder))
    assert "Keep the estate as it is: none of the changes the dated programme schedules " \
        "can happen, or pays, within its yearly limits and horizon." in words \
        and "for now" not in words, words
    # a programme ending where the unproven snapshot does: the plan's own status
    ends_there = proven.replace(plan_from="snapshot", status=Status.TIME_LIMIT, mip_gap=0.003)
    assert "(every change made in year 1, its NPV of cost is within 0.3% of the lowest " \
        "possible)" in _headline(programme, ends_there)


def test_the_alternatives_land_on_the_plan_written_and_say_what_they_are_near(
        tmp_path: Path) -> None:
    """With --alternatives the table is on the summary written (the programme's end
    state), said to be near the snapshot optimum: within 100% its two nearest other open
    sets are O1 closed for K (the plan written, £1.25m, £50,547.95 below the snapshot's
    £1,300,547.95) and O1 closed with C built and O2 kept (£700k)."""
    path = another_end_register(tmp_path)
    plan_scenario(path, out=tmp_path / "results", alternatives=2, within_pct=100)
    summary = read_summary(tmp_path / "results")
    assert summary.plan_from == "programme" and summary.alternatives is not None
    info = summary.alternatives
    assert (info.measured_against, info.found) == ("snapshot_optimum", 2)
    first, second = info.plans
    assert first.npv_saving == pytest.approx(1_250_000, abs=0.01) == summary.saving_in_year_one
    assert first.npv_difference == pytest.approx(1_300_547.95 - 1_250_000, abs=0.01)
    assert second.npv_saving == pytest.approx(700_000, abs=0.01)
    assert (first.same_sites_as_plan, second.same_sites_as_plan) == (True, False)
    assert first.dated is not None and second.dated is not None
    lines = alternative_lines(summary)
    assert lines[0] == ("Alternatives:    2 near the snapshot optimum, not the plan written: "
                        "within 100% of its saving (+£1.30m), each costed if every change "
                        "were made in year 1; each also scheduled as a dated programme of "
                        "its own")
    # each one's dated programme: the first is the plan written's own (£1.25m dated);
    # the second's hub C never pays, nor can be built on £250k a year, so its programme
    # too closes O1 alone and moves T1 into K: £1.25m, the same as the plan written's
    assert [first.dated.npv_saving, second.dated.npv_saving] == pytest.approx(
        [1_250_000, 1_250_000], abs=0.01)
    assert lines[1] == ("  alternatives/1: +£0 dated, +£50.5k if every change were made in "
                        "year 1; C open->not_built, O2 close->keep; the same sites as the "
                        "plan written")
    assert lines[2].startswith("  alternatives/2: +£0 dated, +£600.5k if every change were "
                               "made in year 1; O2 close->keep")
    # which its line says, as it does not for the first (said to be the plan written)
    assert lines[2].endswith("; dated, its programme ends with the same open sites as the "
                             "main plan")
    assert [first.dated.same_sites_as, second.dated.same_sites_as] == ["plan", "plan"]


def test_each_alternative_s_own_folder_says_it_is_measured_against_the_snapshot(
        tmp_path: Path) -> None:
    """An alternative's own folder, read alone (its terminal lines, board pack and map
    panel), says what it is dearer than: the snapshot optimum (£1,300,547.95, every
    change made in year 1), not the plan written (the programme's end state, £1.25m),
    so the alternative that is the plan written is not called dearer than it."""
    from estate.maps.panels import kpi_panel

    path = another_end_register(tmp_path)
    plan_scenario(path, out=tmp_path / "results", alternatives=2, within_pct=100)
    first = read_summary(tmp_path / "results" / "alternatives" / "1")
    assert first.alternative is not None
    assert first.alternative.measured_against == "snapshot_optimum"
    said = ("an alternative whose dated programme costs the same (NPV) as the main plan's, "
            "ending with the same open sites as the main plan; "
            "if every change were made in year 1, it would be "
            f"{money(1_300_547.95 - 1_250_000)} (NPV) dearer than the snapshot optimum, which "
            "is proven optimal")
    assert f"Status:          {said}" in "\n".join(summary_lines(first))
    words = decision(read_results(tmp_path / "results" / "alternatives" / "1"))
    assert f"This plan is {said}." in words
    assert "cheapest plan" not in words
    assert inert(said) in kpi_panel(first)  # the panel's HTML escapes its apostrophe
    second = read_summary(tmp_path / "results" / "alternatives" / "2")
    assert second.alternative is not None
    assert second.alternative.measured_against == "snapshot_optimum"
    assert ("an alternative whose dated programme costs the same (NPV) as the main plan's "
            "and leaves out some of its changes, ending with the same open sites as the main "
            "plan; if every change were made in year 1, it "
            f"would be {money(1_300_547.95 - 700_000)} (NPV) dearer than the snapshot "
            "optimum") in summary_lines(second)[1]
    # its programme leaves the hub out, so the plan shown is the estate it reaches, and
    # the alternative itself is named beside it (£700k if every change were made in year 1;
    # where it seats T2 is one of plans of equal cost, said when it differs)
    assert second.plan_from == "programme"
    assert ("The plan shown is the estate that programme reaches by the horizon's end, "
            "without the changes that cannot happen, or do not pay, within it; the "
            "alternative itself (£700.0k if every change were made in year 1) builds C") \
        in decision(read_results(tmp_path / "results" / "alternatives" / "2"))


@pytest.mark.parametrize(("method", "decisions", "closed", "saving"), [
    ("roadmap", {"A": "keep", "B": "keep"}, set(), 0.0),
    ("joint", {"A": "keep", "B": "close"}, {"B"}, 100_000.0),
])
def test_an_end_state_keeping_a_dominated_site_open_is_the_plan(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, method: str,
        decisions: dict[str, str], closed: set[str], saving: float) -> None:
    """Coverage alone: the reductions fix A, which B dominates, shut for the solve, and
    the snapshot closes it (`dominated_register`). No programme can close A, so the one
    used ends with A open: the roadmap's (nothing happens) or the exact model's (B
    closes instead). That end state keeps every rule of the model, so it is the plan:
    sites.csv closes what programme.csv closes, not the snapshot's A."""
    if method == "roadmap":
        monkeypatch.setattr(estate.programme, "JOINT_MAX_COLUMNS", 0)
    path = dominated_register(tmp_path)
    estate.plan(path, out=tmp_path / "results", map_path=False)
    folder = tmp_path / "results"
    check_results(folder)
    summary = read_summary(folder)
    assert summary.programme is not None and summary.programme.method == method
    # the solve saw A fixed shut: the reductions still reach the optimisation
    assert summary.model_size is not None
    assert summary.model_size["reduced_columns_dominated"] == 1
    sites, actions = _csv(folder, "sites.csv"), _csv(folder, "programme.csv")
    assert dict(zip(sites["site_id"], sites["decision"], strict=True)) == decisions
    assert set(actions.loc[actions["action"] == "close", "site_id"]) == closed
    assert summary.plan_from == "programme"
    assert summary.npv_saving == pytest.approx(saving, abs=0.01)
    assert summary.programme.npv_saving == pytest.approx(saving, abs=0.01)
    assert summary.snapshot_npv_saving == pytest.approx(200_000 - 60_000, abs=0.01)
    assert not any("breaks a rule" in note for note in summary.programme.notes)


SHARE_BREACH = Breach("coverage.0", "0.0% of people reach public_access within 5 km, "
                                    "50.0% required")


@pytest.mark.parametrize(("write", "decisions", "closed", "saving", "snapshot", "breach"), [
    (share_register, {"X": "close", "C": "not_built"}, {"X"}, 800_000.0, 680_000.0,
     SHARE_BREACH),
])
def test_an_end_state_breaking_a_rule_the_years_do_not_check_is_the_plan_named_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write: Any,
        decisions: dict[str, str], closed: set[str], saving: float, snapshot: float,
        breach: Breach) -> None:
    """The roadmap leaves out a change the snapshot needed to keep a rule no year checks
    (`share_register`: the build of C, so nobody reaches the service against a
    population_share of 50%). The programme ends at that estate, so it is the plan:
    sites.csv closes and builds what programme.csv does, its figures are that estate's
    (every change in year 1), and the summary, the note, the terminal and the board
    pack name the rule broken and how."""
    monkeypatch.setattr(estate.programme, "JOINT_MAX_COLUMNS", 0)
    path = write(tmp_path)
    estate.plan(path, out=tmp_path / "results", map_path=False)
    folder = tmp_path / "results"
    check_results(folder)
    sites, actions = _csv(folder, "sites.csv"), _csv(folder, "programme.csv")
    assert dict(zip(sites["site_id"], sites["decision"], strict=True)) == decisions
    assert set(actions.loc[actions["action"] == "close", "site_id"]) == closed
    assert "dispose" not in set(actions["action"])
    summary = read_summary(folder)
    assert summary.programme is not None and summary.programme.method == "roadmap"
    assert summary.plan_from == "programme"
    assert summary.npv_saving == pytest.approx(saving, abs=0.01)
    assert summary.programme.npv_saving == pytest.approx(saving, abs=0.01)
    assert summary.snapshot_npv_saving == pytest.approx(snapshot, abs=0.01)
    assert summary.plan_breaches == (breach,)
    said = f"It breaks a rule that no year of the programme checks: {breach.rule} " \
           f"({breach.place})."
    assert summary.programme.notes[-1] == (
        "the estate the programme reaches by the horizon's end, which sites.csv, the map "
        "and the board pack show, breaks a rule that no year of the programme checks: "
        f"{breach.rule} ({breach.place}); the snapshot optimum keeps it only with the "
        "changes the programme leaves out")
    plan_line = next(line for line in summary_lines(summary) if line.startswith("Plan:"))
    assert said in plan_line
    assert said in decision(read_results(folder))


@pytest.mark.parametrize("write", [share_register])
def test_a_cheaper_roadmap_whose_estate_breaks_a_rule_gives_way_to_the_joint_model(
        tmp_path: Path, write: Any) -> None:
    """With the joint model run too (the register is small), the roadmap's programme
    is the cheaper only by reaching an estate that breaks the population_share rule,
    which the joint model keeps at its end: the joint model's programme is the one
    used, and the plan written keeps the rule, checked on its own tables (the people
    reached)."""
    folder, summary = _planned(write(tmp_path))
    assert summary.programme is not None and summary.programme.method == "joint"
    assert summary.programme.joint_npv > summary.programme.roadmap_npv
    assert summary.plan_breaches is None
    assert any(note.startswith("the roadmap was cheaper, but the estate it reaches")
               for note in summary.programme.notes)
    # Z1 and Z2 hold 1,000 people each: half the people is one zone reached
    coverage = _csv(folder, "coverage.csv")
    assert coverage["covered_after"].astype(bool).sum() >= 1


def test_the_roadmap_keeps_the_one_off_cap_its_sales_pay_for(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`one_off_register`: C's build (£300k) fits policy.max_one_off's £100k only with
    O's sale (£100k to close, £500k after the horizon). The roadmap holds the cap over
    the whole programme, so it no longer leaves O's closing out (which would save £60k
    more, at £300k of net one-off): alone, it makes every change in year 1, the
    snapshot's plan, saving its £340k, with a net one-off of -£100k and no breach."""
    monkeypatch.setattr(estate.programme, "JOINT_MAX_COLUMNS", 0)
    folder, summary = _planned(one_off_register(tmp_path))
    assert summary.programme is not None and summary.programme.method == "roadmap"
    assert summary.plan_from == "snapshot" and summary.plan_breaches is None
    assert summary.npv_saving == pytest.approx(340_000, abs=0.01)
    assert summary.programme.npv_saving == pytest.approx(340_000, abs=0.01)
    actions = _csv(folder, "programme.csv")
    assert set(actions.loc[actions["action"] == "close", "site_id"]) == {"X", "O"}
    assert actions["one_off"].sum() == pytest.approx(300_000 + 100_000)  # sold after H
    assert summary.one_off_cost == pytest.approx(-100_000)  # net of O's £500k
    assert summary.one_off_receipts == pytest.approx(500_000)


def test_a_cap_the_programme_keeps_is_not_called_broken_by_the_snapshot_s_count(
        tmp_path: Path) -> None:
    """`surrender_register`: the exact model over all years builds C, moves T and closes
    L in year 2, paying six months' rent to the break rather than the £50k surrender:
    £300k of one-off against policy.max_one_off's £320k. The end state's one-off as the
    snapshot counts it (L's surrender in year 1, which C's two-year build forbids) is
    £350k: no breach is named, and a note says why the plan's one-off reads over the
    cap. The saving by hand: 5 x £90k - £70k x 183/365 of rent - £300k."""
    folder, summary = _planned(surrender_register(tmp_path))
    assert summary.programme is not None and summary.programme.method == "joint"
    assert summary.plan_from == "programme" and summary.plan_breaches is None
    assert summary.npv_saving == pytest.approx(450_000 - 70_000 * 183 / 365 - 300_000,
                                               abs=0.01)
    actions = _csv(folder, "programme.csv")
    assert actions["one_off"].sum() == pytest.approx(300_000)  # the build, no surrender
    assert {(a, s, y) for a, s, y in zip(actions["action"], actions["site_id"],
                                          actions["year"], strict=True)} >= {
        ("build", "C", 1), ("close", "L", 2), ("open", "C", 2)}
    assert summary.one_off_cost == pytest.approx(350_000)  # as if L closed in year 1
    assert summary.programme.notes[-1] == (
        "the plan's one-off cost (£350.0k) counts each lease surrender in the first year "
        "its site could close, as if every change were made then; the programme closes "
        "its sites when it can and buys a surrender only where that year's is cheaper "
        "than the rent, so what it spends (programme.csv) keeps policy.max_one_off "
        "(£320.0k)")
    assert not any("breaks a rule" in line for line in summary_lines(summary))


def test_the_breaches_are_the_plan_s_own_figures(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """What `plan_breaches` says agrees with the tables written: no zone of coverage.csv
    is covered after the share register's plan."""
    monkeypatch.setattr(estate.programme, "JOINT_MAX_COLUMNS", 0)
    estate.plan(share_register(tmp_path / "b"), out=tmp_path / "b" / "results",
                map_path=False)
    coverage = _csv(tmp_path / "b" / "results", "coverage.csv")
    assert dict(zip(coverage["zone_id"], coverage["covered_after"], strict=True)) == {
        "Z1": False, "Z2": False}
    assert dict(zip(coverage["zone_id"], coverage["covered_before"], strict=True)) == {
        "Z1": True, "Z2": False}


def test_an_end_state_no_plan_can_be_made_of_falls_back_to_the_snapshot(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard: should the end state not be made a plan of the snapshot model (a rule
    the years keep broken, or no plan of it found in time), the tables are the
    snapshot's and a note says plainly that the programme does not reach them."""
    case = _one_closure_a_year(tmp_path)
    programme = plan_programme(case.prep, case.model, case.plan, case.limits, 60.0, 0.0,
                               method="roadmap")
    assert programme.end_state is not None  # A2's closing is left out
    monkeypatch.setattr(end_state, "fixed_vector", lambda *_args: None)
    plan = programme_plan(case.prep, case.model, case.plan, programme, 60.0)
    assert plan is case.plan and plan.summary.plan_from == "snapshot"
    assert plan.programme is not None and plan.programme.end_state is None
    assert plan.programme.notes[-1].startswith(
        "the estate the programme reaches by the horizon's end could not be made a plan "
        "of the snapshot model")
    assert dict(zip(plan.sites["site_id"], plan.sites["decision"], strict=True)) == {
        "A1": "close", "A2": "close", "K": "keep"}


def test_the_roadmap_s_end_vector_is_made_once_when_both_methods_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The register of the test above, both methods run: the exact model can do no
    better than the roadmap (one closure fits £100k, and A1's saves the most), so the
    roadmap is kept, and the estate it reaches (A1 closed, A2 kept) is checked for the
    rules no year checks and made the plan. Its vector is solved for once, not once for
    each; and the plan is the one made from a vector solved afresh."""
    case = _one_closure_a_year(tmp_path)
    real = end_state.fixed_vector
    made: list[Any] = []

    def counted(*args: Any) -> Any:
        made.append(args[2])
        return real(*args)

    monkeypatch.setattr(end_state, "fixed_vector", counted)
    monkeypatch.setattr(estate.programme, "fixed_vector", counted)
    programme = plan_programme(case.prep, case.model, case.plan, case.limits, 60.0, 0.0,
                               method="both")
    assert programme.method == "roadmap" and programme.joint_npv is not None
    assert programme.joint_npv == pytest.approx(programme.roadmap_npv, abs=0.01)
    assert programme.end_state is not None  # A2's closing is left out
    plan = programme_plan(case.prep, case.model, case.plan, programme, 60.0)
    assert len(made) == 1 and made[0] is programme.end_state
    # by hand: A1 closes for £100k and saves £200k in the one year; A2 stays
    assert dict(zip(plan.sites["site_id"], plan.sites["decision"], strict=True)) == {
        "A1": "close", "A2": "keep", "K": "keep"}
    assert plan.summary.plan_from == "programme" and plan.summary.plan_breaches is None
    assert plan.summary.npv_saving == pytest.approx(100_000)
    # the same plan as from a vector solved afresh
    again = programme_plan(case.prep, case.model, case.plan,
                           dataclasses.replace(programme, end_vector=None), 60.0)
    assert len(made) == 2
    assert again.summary == plan.summary
    pd.testing.assert_frame_equal(again.sites, plan.sites)
    pd.testing.assert_frame_equal(again.assignments, plan.assignments)
