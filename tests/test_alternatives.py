"""Near-optimal alternatives: distinct open sets, within the allowance, cheapest first,
equal to a brute-force enumeration of every set of open sites on a tiny register."""

from __future__ import annotations

import dataclasses
import itertools
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import estate
import estate.runs.alternatives
from estate.errors import InfeasibleError, NoSolutionError
from estate.load.scenario import Scenario, scenario_from_dict
from estate.maps.panels import kpi_panel
from estate.pipeline import prepare_scenario, solve_prepared, solver_options
from estate.render.compare_page import _alternatives_html
from estate.render.html import inert
from estate.render.report_data import Table, read_results
from estate.render.report_pages import decision, decision_page
from estate.render.text import alternative_lines
from estate.results import Plan, money
from estate.runs.alternatives import Alternative, find_alternatives
from estate.runs.compare import Run
from estate.status import Status
from estate.store import check_results, read_summary
from tests.fixtures import corridor_scenario, invoke, write_scenario
from tests.fixtures.programme_registers import dated_file, two_offices
from tests.fixtures.register import agency, function, site, write_register, zone
from tests.fixtures.scenario import scenario

SITES = ("S1", "S2", "S3", "S4", "S5", "S6")


def _scenario(register_dir: Path, **changes: Any) -> Scenario:
    raw = corridor_scenario(register_dir, **changes)
    return scenario_from_dict(raw, base_dir=register_dir, label="town.toml")


def _alternatives(register_dir: Path, count: int, within_pct: float,
                  **changes: Any) -> tuple[Plan, list[Alternative]]:
    sc = _scenario(register_dir, **changes)
    prep = prepare_scenario(sc)
    options = solver_options(sc)
    model, optimum = solve_prepared(prep, options)
    return optimum, find_alternatives(optimum, model, count, within_pct, options)


def _open(plan: estate.Plan) -> frozenset[str]:
    sites = plan.sites
    return frozenset(sites.loc[sites["decision"].isin(["keep", "open"]), "site_id"])


def test_distinct_within_bound_nondecreasing(corridor_data: Path) -> None:
    optimum, found = _alternatives(corridor_data, 6, 40.0)
    assert len(found) == 4  # the fifth-cheapest new open set costs more than the allowance
    best = optimum.summary.objective_npv
    allowance = 0.40 * optimum.summary.npv_saving
    sets = [_open(optimum)] + [_open(a.plan) for a in found]
    assert len(set(sets)) == len(sets)
    costs = [a.plan.summary.objective_npv for a in found]
    assert costs == sorted(costs)
    for a in found:
        assert best <= a.plan.summary.objective_npv <= best + allowance + 1e-6
        assert a.npv_difference == pytest.approx(a.plan.summary.objective_npv - best)
        differ = {d.site_id for d in a.sites_differ}
        assert differ == set(_open(optimum) ^ _open(a.plan))
    info = optimum.summary.alternatives
    assert info is not None
    assert info.found == 4 and info.note.startswith("4 of 6 alternatives found")
    assert [p.objective_npv for p in info.plans] == costs


def _brute_force(register_dir: Path, **changes: Any) -> dict[frozenset[str], float]:
    """The cheapest plan for every set of open sites, by fixing each set with keep/close."""
    register = estate.load_register(register_dir)
    costs = {}
    for n in range(len(SITES) + 1):
        for chosen in itertools.combinations(SITES, n):
            policy = {"keep": list(chosen), "close": [s for s in SITES if s not in chosen]}
            sc = _scenario(register_dir, policy=policy, **changes)
            try:
                plan = estate.plan(sc, write=False, register=register)
            except InfeasibleError:
                continue
            costs[frozenset(chosen)] = plan.summary.objective_npv
    return costs


@pytest.mark.slow
@pytest.mark.parametrize("changes", [{}, {"coverage": []}])
def test_equal_to_brute_force(corridor_data: Path, changes: dict) -> None:
    costs = _brute_force(corridor_data, **changes)
    ranked = sorted(costs.items(), key=lambda item: item[1])
    optimum, found = _alternatives(corridor_data, 4, 100.0, **changes)
    assert optimum.summary.objective_npv == pytest.approx(ranked[0][1])
    assert _open(optimum) == ranked[0][0]
    allowance = optimum.summary.npv_saving
    expected = [(s, c) for s, c in ranked[1:5] if c <= ranked[0][1] + allowance + 1e-6]
    assert [a.plan.summary.objective_npv for a in found] == pytest.approx(
        [c for _, c in expected])
    values = [c for _, c in ranked]
    for a, (open_set, cost) in zip(found, expected, strict=True):
        if values.count(cost) == 1:  # a unique cost names its set
            assert _open(a.plan) == open_set


def test_alternatives_searched_within_a_gap_say_so(corridor_data: Path) -> None:
    """At solver.mip_gap = 0.2 each alternative's own search may stop inside the gap: a
    review found one costing £150k more than its own open sites need, and a cheaper
    set left out, with nothing said. Those not proven are named in the note, their gap
    the widest of theirs, and each one's own pages say how far its search went."""
    from estate.results.amounts import percent_up
    from estate.results.words import plan_quality

    optimum, found = _alternatives(corridor_data, 4, 40.0, solver={"mip_gap": 0.2})
    short = [a for a in found if (a.found.summary.mip_gap or 0.0) > 1e-6]
    assert short and len(short) < len(found), [a.found.summary.mip_gap for a in found]
    info = optimum.summary.alternatives
    assert info is not None
    widest = max(a.found.summary.mip_gap or 0.0 for a in short)
    assert f" searched only to within {percent_up(widest)} of the cheapest plan with other " \
        "open sites" in info.note and "a smaller solver.mip_gap settles them" in info.note
    assert [a.folder for a in found if a.folder in info.note] == [a.folder for a in short]
    for a in found:
        said = plan_quality(a.plan.summary)[0]
        gap = a.found.summary.mip_gap or 0.0
        assert ("its own search stopped within" in said) == (gap > 1e-6), said
    assert f"  ({info.note})" in alternative_lines(optimum.summary)


def test_zero_allowance_finds_only_ties(corridor_data: Path) -> None:
    optimum, found = _alternatives(corridor_data, 3, 0.0)
    assert found == []
    info = optimum.summary.alternatives
    assert info is not None and info.found == 0 and "0 of 3" in info.note


def test_a_plan_that_saves_nothing_has_no_allowance_and_says_why(tmp_path: Path) -> None:
    """S1 (kept, £100k a year) cannot reach Z2, which every plan must serve: one of the
    twin hubs C1 and C2 (£100k to build, £50k a year) is built. NPV 10 x £150k + £100k =
    £1.6m against the status quo's £1.0m: the plan saves -£600k, so the allowance is £0
    whatever --within says, and only the other twin, at the same cost, is found."""
    twin = {"running_cost": 50_000, "candidate": "true", "build_cost": 100_000,
            "services": ["public_access"]}
    data = write_register(tmp_path / "reg", [agency("A")], [
        site("S1", "A", 0, 0, must_keep="true", services=["public_access"]),
        site("C1", "A", 10, 0, **twin), site("C2", "A", 10, 0.5, **twin)], [],
        [zone("Z1", 0, 0.5), zone("Z2", 10, 0.2)])
    raw = scenario(name="tie", data=str(data), coverage=[
        {"service": "public_access", "radius_km": 3.0, "mode": "all"}])
    path = write_scenario(tmp_path / "tie.toml", raw)
    out = tmp_path / "results"
    optimum = estate.plan(estate.load_scenario(path), out=out, map_path=tmp_path / "tie.html",
                          alternatives=3, within_pct=5.0)
    assert optimum.summary.npv_saving == pytest.approx(-600_000)
    info = optimum.summary.alternatives
    assert info is not None and info.found == 1 and info.allowance_npv == 0
    assert info.plans[0].npv_difference == pytest.approx(0, abs=1e-6)
    note = ("1 of 3 alternatives found: no further set of open sites costs no more than "
            "the optimum (the allowance is £0, as the plan saves nothing against the "
            "status quo)")
    assert info.note == note
    assert f"  ({note})" in alternative_lines(optimum.summary)
    run = Run(path, estate.load_scenario(path), out, Status.OPTIMAL, read_summary(out))
    assert inert(note) in _alternatives_html([run])


def test_stored_as_results_folders(corridor_data: Path, tmp_path: Path) -> None:
    sc = _scenario(corridor_data)
    out, map_path = tmp_path / "results", tmp_path / "maps" / "town.html"
    plan = estate.plan(sc, out=out, map_path=map_path, alternatives=2, within_pct=40.0)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert [p["folder"] for p in summary["alternatives"]["plans"]] == [
        "alternatives/1", "alternatives/2"]
    for entry in summary["alternatives"]["plans"]:
        folder = out / entry["folder"]
        alt = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        assert alt["objective_npv"] == entry["objective_npv"]
        assert alt["alternative"]["index"] == entry["index"]
        for name in ("sites.csv", "assignments.csv", "scenario.toml", "plan.gpkg"):
            assert (folder / name).exists()
        assert (tmp_path / "maps" / f"town.alternative-{entry['index']}.html").exists()
    assert plan.summary.alternatives is not None and plan.summary.alternatives.found == 2


def test_command_line(corridor_data: Path, tmp_path: Path) -> None:
    path = write_scenario(tmp_path / "town.toml", corridor_scenario(corridor_data))
    run = invoke(tmp_path, "plan", path, "--out", tmp_path / "r", "--map", tmp_path / "m.html",
                 "--json", "--alternatives", "2", "--within", "40")
    assert run.code == 0, run.output
    summary = run.json()
    assert summary["alternatives"]["found"] == 2
    assert (tmp_path / "r" / "alternatives" / "2" / "summary.json").exists()


def test_an_alternative_is_said_as_one_not_as_the_proven_optimum(corridor_data: Path,
                                                                 tmp_path: Path) -> None:
    """An alternative's own solve is proven only the cheapest of the plans with other
    sites open: its board pack and map say it is an alternative and what it costs more
    than the cheapest plan (the two summaries' NPVs apart), never that no plan costs less."""
    out = tmp_path / "results"
    plan = estate.plan(_scenario(corridor_data), out=out, map_path=tmp_path / "town.html",
                       alternatives=1, within_pct=40.0)
    assert plan.summary.status == Status.OPTIMAL and plan.summary.mip_gap == 0.0
    extra = read_summary(out / "alternatives" / "1").objective_npv - plan.summary.objective_npv
    assert extra >= 0.5
    said = (f"an alternative, {money(extra)} (NPV) dearer than the cheapest plan, which is "
            "proven optimal")
    results = read_results(out / "alternatives" / "1")
    words = decision(results)
    assert f"This plan is {said}." in words and "costs less" not in words
    headline = next(b for b in decision_page(results).blocks if isinstance(b, Table))
    assert ("How good the plan is", said) in headline.rows
    page = (tmp_path / "town.alternative-1.html").read_text(encoding="utf-8")
    assert f'<p class="estate-status">{inert(said)} \u00b7 HiGHS</p>' in page
    assert inert(said) in kpi_panel(results.summary)
    # the cheapest plan itself is still said to be proven optimal
    assert "no plan that meets every rule costs less" in decision(read_results(out))


def test_a_dated_scenario_s_alternatives_are_dated_too(tmp_path: Path) -> None:
    """Each alternative of a dated scenario is scheduled as a dated programme of its own,
    so that what it saves over the years stands beside the main plan's dated saving, and
    its year-1 figures are labelled as such in its folder, map and board pack."""
    out, map_path = tmp_path / "results", tmp_path / "two.html"
    path = two_offices(tmp_path)
    plan = estate.plan(path, out=out, map_path=map_path, alternatives=2, within_pct=60.0)
    assert plan.summary.programme is not None
    assert plan.summary.saving_in_year_one == pytest.approx(1_549_980, abs=0.01)
    assert plan.summary.programme.npv_saving == pytest.approx(1_399_980, abs=0.01)
    assert plan.summary.npv_saving == plan.summary.programme.npv_saving
    assert plan.summary.alternatives is not None
    entries = plan.summary.alternatives.plans
    dated = [e.dated for e in entries if e.dated is not None]
    assert [e.npv_difference for e in entries] == pytest.approx([649_990, 899_990], abs=0.01)
    assert [d.npv_saving for d in dated] == pytest.approx([899_990, 649_990], abs=0.01)
    assert [d.npv_difference for d in dated] == pytest.approx([499_990, 749_990], abs=0.01)
    assert alternative_lines(plan.summary)[1:] == [
        "  alternatives/1: +£500.0k dated, +£650.0k if every change were made in year 1; "
        "A2 close->keep",
        "  alternatives/2: +£750.0k dated, +£900.0k if every change were made in year 1; "
        "A1 close->keep"]
    for entry, saving in zip(entries, (899_990, 649_990), strict=True):
        folder = out / entry.folder
        summary = read_summary(folder)
        assert summary.programme is not None and summary.alternative is not None
        assert summary.programme.npv_saving == pytest.approx(saving, abs=0.01)
        assert summary.alternative.dated == entry.dated
        # the programme's cash, year by year, adds up to its NPV saving (r = 0)
        cash = pd.read_csv(folder / "cashflow.csv", encoding="utf-8-sig",
                           keep_default_na=False)
        assert cash.loc[cash["agency_id"] == "", "saving"].sum() == pytest.approx(saving)
        assert (folder / "programme.html").exists()
        check_results(folder)  # its tables, programme and summary agree
    first = read_results(out / "alternatives" / "1")
    said = ("an alternative whose dated programme costs £500.0k (NPV) more than the main "
            "plan's; if every change were made in year 1, it would be £650.0k (NPV) dearer "
            "than the cheapest plan, which is proven optimal")
    assert f"This plan is {said}." in decision(first)
    assert "Scheduled year by year from 2027-04-01, the programme saves £900.0k" \
        in decision(first)
    assert first.summary.plan_from == "snapshot"  # its programme makes every change
    panel = kpi_panel(first.summary)
    assert inert(said) in panel
    assert "NPV saving of the dated programme" in panel
    assert "NPV saving if every change were made in year 1" in panel
    page = (tmp_path / "two.alternative-1.html").read_text(encoding="utf-8")
    assert "NPV saving if every change were made in year 1" in page
    # a comparison's list of the stored alternatives says the same
    run = Run(path, estate.load_scenario(path), out, Status.OPTIMAL, read_summary(out))
    assert inert("alternatives/1: £500.0k more than the plan, dated (its programme saves "
                 "£900.0k); £650.0k more than the optimum if every change were made in "
                 "year 1; 1 site decision differs") in _alternatives_html([run])
    # measured against a plan the time limit stopped short of proof: not "the optimum"
    unproven = dataclasses.replace(run, summary=read_summary(out).replace(
        status=Status.TIME_LIMIT, mip_gap=0.22))
    assert inert("£650.0k more than the best plan found (not proven optimal) if every "
                 "change were made in year 1") in _alternatives_html([unproven])


def test_an_alternative_no_programme_schedules_is_left_out_and_said(
        corridor_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A dated scenario's alternative whose programme cannot be found (here the first,
    as a stand-in schedule refuses it) is not written as an alternative without dated
    figures: it is left out, and the note names it and why. How each differs from the
    optimum is worked out once an alternative, kept or left out."""
    sc = _scenario(corridor_data)
    prep = prepare_scenario(sc)
    options = solver_options(sc)
    model, optimum = solve_prepared(prep, options)
    _, every = _alternatives(corridor_data, 2, 40.0)
    asked: list[Plan] = []

    def schedule(plan: Plan) -> Plan:
        asked.append(plan)
        if len(asked) == 1:
            raise NoSolutionError("no programme found for the plan within the time limit")
        return plan

    real = estate.runs.alternatives._differences
    compared: list[Plan] = []

    def counted(optimum: Plan, plan: Plan) -> list[dict[str, str]]:
        compared.append(plan)
        return real(optimum, plan)

    monkeypatch.setattr(estate.runs.alternatives, "_differences", counted)
    found = find_alternatives(optimum, model, 2, 40.0, options, schedule=schedule)
    assert len(asked) == 2 and len(found) == 1 and found[0].index == 1
    # once each, the one left out and the one kept
    assert [id(plan) for plan in compared] == [id(plan) for plan in asked]
    # the one kept is the second cheapest other open set, as found without a schedule
    assert found[0].npv_difference == pytest.approx(every[1].npv_difference)
    refused = ", ".join(f"{d.site_id} {d.optimum}->{d.alternative}"
                        for d in every[0].sites_differ)
    assert optimum.summary.alternatives is not None
    assert optimum.summary.alternatives.note == (
        f"1 of 2 alternatives found: the alternative that decides {refused} has no dated "
        "programme (no programme found for the plan within the time limit), so it is left "
        "out")


def _hub(folder: Path) -> Path:
    """Office A1 (£200k a year, £100k to close) whose 10 FTE move to the kept K for £10,
    and a hub N one may build (£50k, £10k a year) that no team needs; dated from
    2027-04-01 over 5 years at r = 0. By hand: closing A1 saves 5 x £200k - £100k - £10 =
    £899,990, dated too. The other open sets, cheapest first: {K, N} (£100k dearer: the
    build and 5 years of running), {K, A1} (£899,990) and {K, A1, N} (£999,990). A
    programme never builds N (it does not pay), so {K, N} ends, dated, with the main
    plan's open set {K}, and {K, A1, N} with {K, A1}'s."""
    write_register(folder / "register", [agency("A")], [
        site("A1", "A", 0, 0, running_cost=200_000, closure_cost=100_000),
        site("K", "A", 1, 0, desks=500, running_cost=0, must_keep=True),
        site("N", "A", 0, 1, desks=50, running_cost=10_000, candidate=True,
             build_cost=50_000),
    ], [function("T1", "A", "Ops", "A1")], [])
    return dated_file(folder, "hub.toml", "Hub", horizon_years=5,
                      relocation={"cost_per_fte": 1}, programme={"max_closures_per_year": 1})


def test_a_dated_alternative_that_ends_as_another_plan_says_so(tmp_path: Path) -> None:
    """An alternative whose programme leaves out the changes that set it apart ends with
    the main plan's open sites, or an earlier alternative's: it is still listed as found
    (every figure of its entry the plan found's, every change made in year 1), and its
    entry, the terminal, its board pack and the comparison say where, dated, it ends."""
    out = tmp_path / "results"
    path = _hub(tmp_path)
    plan = estate.plan(path, out=out, map_path=tmp_path / "hub.html", alternatives=3,
                       within_pct=120.0)
    assert plan.summary.saving_in_year_one == pytest.approx(899_990, abs=0.01)
    assert plan.summary.programme.npv_saving == pytest.approx(899_990, abs=0.01)
    info = plan.summary.alternatives
    assert info is not None and info.found == 3 and info.note == ""
    dated = [e.dated for e in info.plans if e.dated is not None]
    assert [e.npv_difference for e in info.plans] == pytest.approx(
        [100_000, 899_990, 999_990], abs=0.01)
    assert [d.npv_difference for d in dated] == pytest.approx([0, 899_990, 899_990], abs=0.01)
    # as found: {K, N}, {K, A1}, {K, A1, N}; dated, N is never built
    assert [e.sites_after for e in info.plans] == [2, 2, 3]
    assert [d.sites_after for d in dated] == [1, 2, 2]
    # where each programme ends, read back from the folders written
    ends = {"plan": _open(read_results(out))}
    for entry in info.plans:
        ends[entry.folder] = _open(read_results(out / entry.folder))
    assert ends == {"plan": {"K"}, "alternatives/1": {"K"}, "alternatives/2": {"K", "A1"},
                    "alternatives/3": {"K", "A1"}}
    assert [d.same_sites_as for d in dated] == ["plan", None, "alternatives/2"]
    assert alternative_lines(plan.summary)[1:] == [
        "  alternatives/1: +£0 dated, +£100.0k if every change were made in year 1; "
        "N not_built->open; dated, its programme ends with the same open sites as the "
        "main plan",
        "  alternatives/2: +£900.0k dated, +£900.0k if every change were made in year 1; "
        "A1 close->keep",
        "  alternatives/3: +£900.0k dated, +£1.00m if every change were made in year 1; "
        "A1 close->keep, N not_built->open; dated, its programme ends with the same open "
        "sites as alternatives/2"]
    first = read_results(out / "alternatives" / "1")
    assert first.summary.alternative is not None and first.summary.alternative.dated is not None
    assert first.summary.alternative.dated.same_sites_as == "plan"
    said = ("an alternative whose dated programme costs the same (NPV) as the main plan's "
            "and leaves out some of its changes, ending with the same open sites as the main "
            "plan; if every change were made in year 1, it would be £100.0k (NPV) dearer than "
            "the cheapest plan, which is proven optimal")
    assert f"This plan is {said}." in decision(first)
    assert "Dated, it is not a choice of its own." in decision(first)
    assert inert(said) in kpi_panel(first.summary)
    assert "same open sites" not in decision(read_results(out / "alternatives" / "2"))
    run = Run(path, estate.load_scenario(path), out, Status.OPTIMAL, read_summary(out))
    assert inert("; dated, its programme ends with the same open sites as alternatives/2"
                 "; 2 site decisions differ") in _alternatives_html([run])


def test_each_entry_is_the_alternative_as_found(corridor_data: Path) -> None:
    """The table's figures of a dated alternative are all those of the plan as found
    (every change made in year 1), never the estate its programme reaches: here a
    stand-in programme's end state with another count of sites and status."""
    sc = _scenario(corridor_data)
    prep = prepare_scenario(sc)
    options = solver_options(sc)
    model, optimum = solve_prepared(prep, options)

    def schedule(plan: Plan) -> Plan:
        return dataclasses.replace(plan, summary=plan.summary.replace(
            sites_after=plan.summary.sites_after + 10, status=Status.TIME_LIMIT))

    found = find_alternatives(optimum, model, 2, 40.0, options, schedule=schedule)
    assert len(found) == 2
    assert optimum.summary.alternatives is not None
    entries = optimum.summary.alternatives.plans
    for entry, alternative in zip(entries, found, strict=True):
        assert entry.sites_after == len(_open(alternative.found))
        assert entry.status == Status.OPTIMAL
        assert entry.objective_npv == alternative.found.summary.objective_npv


def test_a_dated_plan_s_alternatives_differ_by_what_they_realise(tmp_path: Path) -> None:
    """W (£250k a year) is the town's only counter, a rule to maintain; its team may
    leave at once for K. A new counter is N1 (£10k to build, £50k a year, three years in
    the building) or N2 (£100k, £20k a year, one year). Over five years at r = 0 the
    snapshot prices W's closing from year 1 either way, so N1 is its optimum (cost
    £160k against N2's £200k); but no programme closes W before N1 opens, so the plan
    with N1 realises £1.25m - £160k - two years of W = £590k, and N2's £1.05m. The
    alternative with N2 is £460k the better, said with a negative difference and why."""
    counter = {"services": ["public_access"]}
    register = write_register(tmp_path / "register", [agency("A")], [
        site("K", "A", 30, 0, desks=30, running_cost=100_000, must_keep=True),
        site("W", "A", 0, 0, desks=10, running_cost=250_000, **counter),
        site("N1", "A", 0.1, 0, desks=40, running_cost=50_000, candidate=True,
             build_cost=10_000, build_years=3, **counter),
        site("N2", "A", 0, 0.1, desks=10, running_cost=20_000, candidate=True,
             build_cost=100_000, build_years=1, **counter)],
        [function("T", "A", "Ops", "W", desks=5)], [zone("Z", 0, 0)])
    path = write_scenario(tmp_path / "s.toml", scenario(
        data=str(register), start="2027-04-01", horizon_years=5, discount_rate=0.0,
        relocation={"cost_per_fte": 0.0, "max_km": 80.0},
        coverage=[{"service": "public_access", "radius_km": 5, "mode": "maintain"}],
        solver={"mip_gap": 0.0}))
    plan = estate.plan(path, write=False, alternatives=1, within_pct=100)
    s = plan.summary
    assert dict(zip(plan.sites["site_id"], plan.sites["decision"], strict=True)) == {
        "K": "keep", "W": "close", "N1": "open", "N2": "not_built"}
    assert (s.status_quo_npv - s.objective_npv, s.npv_saving) == pytest.approx(
        (1_090_000, 590_000), abs=0.01)
    assert s.alternatives is not None and len(s.alternatives.plans) == 1
    other = s.alternatives.plans[0]
    assert other.npv_saving == pytest.approx(1_050_000, abs=0.01)
    assert other.npv_difference == pytest.approx(-460_000, abs=0.01)
    said = " ".join(alternative_lines(s))
    assert "alternatives/1: -£460.0k" in said
    assert "alternatives/1 saves more than the plan written once the changes are dated" \
        in said, said
