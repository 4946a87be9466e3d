"""The map's year slider data (estate.maps.timeline): the year each site appears and
closes and each move happens, from programme.csv; without it the map is as before."""

from __future__ import annotations

import dataclasses
import html
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import estate
from estate.maps.page import _payload, render_map
from estate.maps.panels import kpi_panel
from estate.maps.payload import read_plan
from estate.maps.timeline import timeline_payload, year_labels, year_spans
from estate.results import Programme, money
from estate.results.amounts import fte_words
from estate.store import read_programme, write_results
from tests.fixtures.browser import axe_violations, open_page
from tests.fixtures.programme import plan_with, programme_for
from tests.fixtures.programme_registers import hub_still_building_case, late_sale_case
from tests.fixtures.results import write_results as write_made_up_folder


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same made-up plan stored without and with a programme."""
    made_up = write_made_up_folder(tmp_path_factory.mktemp("made_up"), n_sites=30, n_zones=40)
    root = tmp_path_factory.mktemp("out")
    plain = write_results(plan_with(made_up, None), root / "plain")
    dated = write_results(plan_with(made_up, programme_for(made_up)), root / "dated")
    return plain, dated


def _programme(folder: Path) -> Programme:
    programme = read_programme(folder)
    assert programme is not None
    return programme


def test_each_site_has_the_year_of_its_change(folders: tuple[Path, Path]) -> None:
    plan = read_plan(folders[1])
    actions = _programme(folders[1]).actions
    timeline = timeline_payload(plan)
    assert timeline is not None
    index = {s: i for i, s in enumerate(plan.sites["site_id"])}
    for action, column in (("close", "site_close"), ("open", "site_open")):
        done = actions[actions["action"] == action]
        assert len(done) > 0
        for site, year in zip(done["site_id"], done["year"], strict=True):
            assert timeline[column][index[site]] == year
    for i, decision in enumerate(plan.sites["decision"]):
        if decision == "keep":
            assert (timeline["site_open"][i], timeline["site_close"][i]) == (0, None)
        if decision == "not_built":
            assert timeline["site_open"][i] is None
    assert len(timeline["labels"]) == timeline["horizon"] + 1 == 11


def test_each_move_line_has_its_year(folders: tuple[Path, Path]) -> None:
    plan = read_plan(folders[1])
    actions = _programme(folders[1]).actions
    moves = _payload(plan, "", timeline=True)["moves"]
    sites = list(plan.sites["site_id"])
    year_of = {(f, s): int(y) for f, s, y in zip(actions["function_id"], actions["site_id"],
                                                  actions["year"], strict=True)
               if f}
    assert len(moves["year"]) == len(moves["fte"]) > 0
    for to, functions, year in zip(moves["to"], moves["functions"], moves["year"], strict=True):
        teams = {f.split(" (")[0] for f in functions}
        assert {year_of[(team, sites[to])] for team in teams} == {year}


def test_a_missing_programme_changes_nothing(folders: tuple[Path, Path]) -> None:
    plain = read_plan(folders[0])
    assert plain.programme is None and timeline_payload(plain) is None
    payload = _payload(plain, "", timeline=True)
    assert payload == _payload(plain, "")
    assert "timeline" not in payload and "year" not in payload["moves"]


def test_only_the_single_plan_map_gets_a_slider(folders: tuple[Path, Path]) -> None:
    dated = read_plan(folders[1])
    assert "timeline" not in _payload(dated, "Scenario A")  # comparison maps: no slider
    assert "year" not in _payload(dated, "Scenario A")["moves"]


def test_the_map_carries_the_timeline_only_when_dated(folders: tuple[Path, Path],
                                                      tmp_path: Path) -> None:
    plain = render_map(folders[0], tmp_path / "plain.html").read_text(encoding="utf-8")
    dated = render_map(folders[1], tmp_path / "dated.html").read_text(encoding="utf-8")
    assert '"timeline":' not in plain and '"timeline":' in dated
    found = re.search(r'"timeline":(\{.*?\})[,}]', dated)
    assert found is not None
    assert json.loads(found.group(1))["labels"][0] == "Today (before 1 Apr 2027)"


def test_year_labels_say_today_then_the_month_each_year_ends() -> None:
    assert year_labels("2027-04-01", 2) == ["Today (before 1 Apr 2027)",
                                            "End of year 1 (March 2028)",
                                            "End of year 2 (March 2029)"]
    assert year_labels("2024-02-29", 1)[1] == "End of year 1 (February 2025)"
    assert year_labels("not a date", 1) == ["Today", "End of year 1"]


def test_years_are_named_as_financial_years() -> None:
    assert year_spans("2027-04-01", 3) == ["", "2027-28", "2028-29", "2029-30"]
    assert year_spans("2027-01-01", 1) == ["", "2027"]
    assert year_spans("not a date", 1) == ["", ""]


def test_the_panel_has_figures_for_each_year(folders: tuple[Path, Path]) -> None:
    """Sites in use, closed and opened so far as the slider draws them, staff moved so
    far from the moves, and the discounted saving so far from the cash flow (at the
    horizon, the programme's NPV saving)."""
    plan = read_plan(folders[1])
    programme = _programme(folders[1])
    timeline = timeline_payload(plan)
    assert timeline is not None
    figures = [dict(rows) for rows in timeline["figures"]]
    decisions = plan.sites["decision"]
    existing = int(decisions.isin(("keep", "close")).sum())
    assert figures[0] == {"Sites in use": f"{existing:,}", "Closed so far": "0",
                          "Opened so far": "0", "Staff changed building so far": "0 FTE",
                          "Saving so far, discounted": "£0",
                          "Agencies out of pocket at this point": "0"}
    last = figures[timeline["horizon"]]
    assert last["Sites in use"] == f"{int(decisions.isin(('keep', 'open')).sum()):,}"
    assert last["Closed so far"] == f"{int((decisions == 'close').sum()):,}"
    moves = programme.actions[programme.actions["action"] == "move"]
    assert last["Staff changed building so far"] == fte_words(float(moves["fte"].sum()))  # 573.6 FTE, split teams
    whole = programme.cashflow[programme.cashflow["agency_id"] == ""]
    assert last["Saving so far, discounted"] == money(whole["cumulative_discounted"].iloc[-1])
    # a year behind reads as what is lost so far, not as a negative saving
    said = {k: dict(rows)["Saving so far, discounted"]
            for k, rows in enumerate(timeline["figures"])}
    for k, so_far in whole.set_index("year")["cumulative_discounted"].items():
        assert said[k] == (money(so_far) if so_far > -0.5
                           else f"none; {money(-so_far)} lost"), (k, said[k])
    assert any(value.endswith(" lost") for value in said.values()), said
    # an agency is out of pocket in a year while its own cumulative saving is below zero
    each = programme.cashflow[programme.cashflow["agency_id"] != ""]
    for k in range(1, timeline["horizon"] + 1):
        rows = each[each["year"] == k]
        assert figures[k]["Agencies out of pocket at this point"] == str(
            int((rows["cumulative_discounted"] < -0.005).sum())), k
    closed = [int(f["Closed so far"]) for f in figures]
    assert closed == sorted(closed) and closed[0] < closed[-1]
    panel = kpi_panel(plan.summary, timeline=timeline)
    assert panel.index('id="estate-kpi-year"') < panel.index("NPV saving of the dated programme") \
        < panel.index("The plan's own figures") < panel.index("Annual saving")
    # the programme's payback (the first year the saving so far is positive), beside its
    # NPV saving, as the terminal and the board pack give it: the plan's own payback alone
    # would be every change's in year 1
    first = next(k for k, so_far in whole.set_index("year")["cumulative_discounted"].items()
                 if so_far > 0)
    assert re.search(rf"<dt>Payback of the dated programme</dt><dd>year {first} "
                     r"\(discounted\)[;<]", panel), panel
    # every year has the same rows, so the slider rewrites each one
    assert len({tuple(k for k, _ in rows) for rows in timeline["figures"]}) == 1


@pytest.mark.browser
def test_the_programme_map_is_accessible_in_every_year(folders: tuple[Path, Path],
                                                       browser: Any, tmp_path: Path) -> None:
    opened = open_page(browser, render_map(folders[1], tmp_path / "dated.html"))
    page = opened.page
    assert axe_violations(opened) == []
    # labelled by the year it shows
    assert page.get_by_role("slider", name="End of year 10 (March 2037)").count() == 1
    slider = page.locator(".estate-timeline input[type=range]")
    slider.focus()
    page.keyboard.press("Home")  # today's estate
    assert slider.get_attribute("aria-valuetext") == "Today (before 1 Apr 2027)"
    assert axe_violations(opened) == []
    legend = page.get_by_role("region", name="Legend").text_content()
    assert "Year slider" in legend and "opening year" in legend
    opened.clean()
    page.close()


def test_the_plan_map_and_the_comparison_map_count_the_same_moves(tmp_path: Path) -> None:
    """Three teams of one agency move along one route (S00010 to S00011), one of them a
    year after the others: the dated plan's map draws that route as two lines, one a
    year, for its slider; the comparison map as one. Both labels count routes, one per
    (from site, to site, agency) as counted here from assignments.csv, and the plan's
    says how many lines it draws (the review's "Moves (6)" beside "Moves (5)")."""
    made_up = write_made_up_folder(tmp_path / "made_up", n_sites=30, n_zones=40)
    moved = pd.read_csv(made_up / "assignments.csv", dtype=str, keep_default_na=False)
    moved = moved[(moved["from_site"] != "") & (moved["from_site"] != moved["to_site"])]
    routes = moved.groupby(["from_site", "to_site", "agency_id"])["function_id"].apply(list)
    teams = routes[("S00010", "S00011", "AG1")]
    assert len(teams) == 3
    plan = read_plan(write_results(plan_with(made_up, programme_for(made_up)),
                                   tmp_path / "dated"))
    assert plan.programme is not None
    acts = plan.programme.actions.copy()
    late = (acts["action"] == "move") & (acts["function_id"] == teams[-1])
    assert late.sum() == 1
    acts.loc[late, "year"] += 1
    plan = dataclasses.replace(plan, programme=dataclasses.replace(plan.programme,
                                                                   actions=acts))
    single, compared = _payload(plan, "", timeline=True), _payload(plan, "Scenario A")
    assert len(single["moves"]["fte"]) == len(routes) + 1
    assert len(compared["moves"]["fte"]) == len(routes)
    assert single["labels"]["moves"] == (f"Moves ({len(routes)}; drawn by year as "
                                         f"{len(routes) + 1} lines; line width = staff moving)")
    assert compared["labels"]["moves"] == (f"Scenario A: Moves ({len(routes)}; line width = "
                                           "staff moving)")


def _panel_text(folder: Path, tmp_path: Path) -> str:
    page = render_map(folder, tmp_path / "map.html").read_text(encoding="utf-8")
    found = re.search(r'<section id="estate-kpi".*?</section>', page, re.S)
    assert found is not None
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(0)).split())


def test_the_map_says_what_the_saving_counts_that_no_programme_can(tmp_path: Path) -> None:
    """Planned from a start date without a programme, T moves from O (£300k a year) to
    C, which takes two years to build: the snapshot counts O's closing before T can sit
    at C, which the NPV saving leaves out. estate plan warns of it and the board pack
    says it beside the saving; the map's panel, which shows that saving, says it too."""
    case = hub_still_building_case(tmp_path / "register")
    plan = estate.plan(case.prep.scenario, out=tmp_path / "results", map_path=False)
    early = [w for w in plan.warnings if "before the teams housed there" in w.found]
    assert len(early) == 1
    said = _panel_text(tmp_path / "results", tmp_path)
    amount = re.search(r"leaves out (£[\d.]+[km]?) of closing O", early[0].found)
    assert amount is not None
    assert (f"The NPV saving leaves out {amount.group(1)} of closing O before the teams "
            "housed there could sit where the plan moves them") in said, said
    assert said.count("a dated programme of the plan says in which year each change can "
                      "happen") == 1
    assert "--programme" not in said


def test_the_map_says_a_sale_after_the_horizon_is_not_in_the_npv(tmp_path: Path) -> None:
    """O closes in year 1 and its £300k sale arrives three years later, after the
    three-year horizon: the one-off cost counts it, the NPV does not, and the map's panel
    says so beside them, as the terminal does."""
    case = late_sale_case(tmp_path / "register", 3)
    estate.plan(case.prep.scenario, out=tmp_path / "results", map_path=False)
    said = _panel_text(tmp_path / "results", tmp_path)
    # the dated programme's cash flow ends with the horizon too: the sale is in the
    # plan's own payback alone
    assert "£300.0k of the sales arrive after the horizon: in the one-off cost and the " \
        "payback if every change were made in year 1, not in an NPV nor in the dated " \
        "programme's payback" in html.unescape(said), said
