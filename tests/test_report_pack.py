"""The board pack (`estate report`, estate.render.report and its pages): made from a real
plan's results folder alone, read back as a board member would read it.

The PDF is opened with pypdf and its text checked (the NPV as formatted, every agency,
every closed site), its pages counted, its figures drawn and found not blank; hostile
site names appear as literal text in the PDF and in board.html, never as markup; a plan
stopped by its time limit is never called optimal.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import os
import re
import shutil
import signal
import tomllib
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import matplotlib.text as mtext
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph

import estate
from estate.api import report
from estate.errors import InputError, ProblemKind
from estate.render import figures
from estate.render.estate_map import estate_map
from estate.render.report import FRAME, PADDING, board_pages, column_widths
from estate.render.report_agencies import agencies_page
from estate.render.report_data import (
    MOST_LISTED,
    MOST_VALUE,
    Chart,
    Page,
    Table,
    Text,
    agency_name,
    assumption_rows,
    read_results,
)
from estate.render.report_html import board_html
from estate.render.report_optional import dated_words, note_sentence, programme_page
from estate.render.report_pages import decision, decision_page, where_page
from estate.render.report_reference import assumptions_page, terms, warning_words
from estate.render.report_type import paragraph_styles
from estate.results import Programme, money
from estate.results.amounts import dated_difference, percent_up
from estate.results.words import IN_YEAR_ONE
from estate.status import Status
from estate.store import read_summary, read_warnings, write_summary
from tests.fixtures import (
    HOSTILE_AREA,
    IT_SHARING,
    invoke,
    loser_register,
    no_traceback,
    planned_two_areas,
    pooling_register,
    run_cli,
    scenario_on,
    town,
    town_rows,
    write_scenario,
)
from tests.fixtures.programme_registers import hub_still_building_case, late_sale_case

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ("<b>x</b> & <img src=x onerror=alert(1)>", "</svg><script>alert(1)</script>")
AGENCY = "Town & <i>Council</i>"
PROGRAMME = {"start": "2027-04-01", "programme": {"max_closures_per_year": 1}}


def unmarked(value: Any) -> Any:
    """The pack's text without the isolate marks round each name (`figures.named`,
    which the PDF leaves out and the HTML writes as a <bdi>): what a reader sees."""
    if isinstance(value, str):
        return value.replace("\u2068", "").replace("\u2069", "")
    return type(value)(unmarked(v) for v in value)


def _flat(text: str) -> str:
    """Text with all white space taken out: a PDF wraps lines wherever it likes."""
    return "".join(text.split())


def _register_rows() -> dict[str, list[dict[str, Any]]]:
    """The town register with a hostile name on each of two sites the plan closes."""
    rows = town_rows()
    rows["sites"][1]["name"] = HOSTILE[0]
    rows["sites"].append({"site_id": "S4", "agency_id": "A2", "name": HOSTILE[1],
                          "lat": 52.09, "lon": 1.19, "desks": 30, "running_cost": 250_000,
                          "closure_cost": 20_000})
    rows["agencies"][0]["name"] = AGENCY
    return rows


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A real plan (with a dated programme and its policy costs) and its pack."""
    root = tmp_path_factory.mktemp("pack")
    path = town(root, _register_rows(), PROGRAMME)
    plan = estate.plan(path, out=root / "results", map_path=False, programme=True,
                       policy_costs=True)
    pdf, html = report(root / "results", root / "board.pdf")
    return {"root": root, "plan": plan, "folder": root / "results", "pdf": pdf, "html": html}


def _pdf_pages(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]


def test_the_plan_closes_the_hostile_sites(pack: dict[str, Any]) -> None:
    closed = set(pack["plan"].sites.loc[pack["plan"].sites["decision"] == "close", "name"])
    assert set(HOSTILE) <= closed
    assert pack["plan"].programme is not None


def test_pdf_text_has_the_npv_every_agency_and_every_closed_site(pack: dict[str, Any]) -> None:
    text = _flat("\n".join(_pdf_pages(pack["pdf"])))
    summary = pack["plan"].summary
    assert _flat(money(summary.npv_saving)) in text
    for agency in summary.agencies.values():
        assert _flat(agency.name) in text, agency.name
    sites = pack["plan"].sites
    for name in sites.loc[sites["decision"] == "close", "name"]:
        assert _flat(name) in text, name


def test_each_priced_policy_is_a_sentence(pack: dict[str, Any]) -> None:
    text = _flat("\n".join(_pdf_pages(pack["pdf"])))
    costs = pack["plan"].summary.policy_costs
    priced = [e.sentence for e in costs.values() if e.status != "not_set"]
    assert priced and all(_flat(sentence) in text for sentence in priced)
    assert "is not set" not in text


def test_who_pays_more_is_said_and_marked(tmp_path: Path) -> None:
    register = loser_register(tmp_path / "register")
    path = write_scenario(tmp_path / "loser.toml", scenario_on(register, "Loser",
                                                               policy={"keep": ["S1"]}))
    estate.plan(path, out=tmp_path / "results", map_path=False)
    r = read_results(tmp_path / "results")
    assert "Agency B pays more each year." in unmarked(decision(r))
    table = next(b for b in agencies_page(r).blocks if isinstance(b, Table))
    assert [unmarked(table.rows[i][0]) for i in table.marked] == ["Agency B"]
    (loser,) = table.marked
    assert table.rows[loser][-1] == f"pays {money(70_000)} a year more"
    # the headline names it as every other place does: kept apart by isolate marks, so a
    # right-to-left name reads in one order throughout the pack (review A, finding 2)
    headline = dict(next(b for b in decision_page(r).blocks
                         if isinstance(b, Table) and b.caption == "Headline figures").rows)
    assert headline["Agencies paying more each year"] == "1: " + figures.named("Agency B", 70)


def test_a_yearly_gain_its_one_off_outweighs_is_not_called_a_gain(tmp_path: Path) -> None:
    estate.plan(town(tmp_path), out=tmp_path / "results", map_path=False)
    agencies = pd.read_csv(tmp_path / "results" / "agencies.csv", keep_default_na=False)
    gainer = agencies.loc[agencies["annual_saving"].idxmax()]
    assert gainer["annual_saving"] > 0 and gainer["npv_saving"] > 0
    # the one-off this agency would bear, made heavier than ten years of its saving; the
    # NPV saving it loses is another agency's, so the rows still add up to the plan's
    best = agencies["annual_saving"].idxmax()
    other = next(i for i in agencies.index if i != best)
    agencies.loc[other, "npv_saving"] += agencies.loc[best, "npv_saving"] + 50_000.0
    agencies.loc[best, "npv_saving"] = -50_000.0
    agencies.to_csv(tmp_path / "results" / "agencies.csv", index=False)
    table = next(b for b in agencies_page(read_results(tmp_path / "results")).blocks
                 if isinstance(b, Table))
    row = next(r for r in table.rows if unmarked(r[0]) == gainer["name"])
    assert row[-1] == "saves yearly, behind over 10 years"


def test_a_plan_that_changes_no_agency_s_cost_names_no_gainer(tmp_path: Path) -> None:
    path = town(tmp_path, changes={"policy": {"closable_kinds": []}, "sharing": {"types": []}})
    estate.plan(path, out=tmp_path / "results", map_path=False)
    r = read_results(tmp_path / "results")
    assert r.summary.annual_saving == 0
    words = agencies_page(r).blocks[0]
    assert isinstance(words, Text)
    assert words.text == "No agency's cost a year changes."


def test_page_count_is_a_few_and_assumptions_come_last(pack: dict[str, Any]) -> None:
    """The pack opens with the decision and ends with the assumptions: what it was made
    from first, the register's checksums last (no line of small print after them)."""
    pages = _pdf_pages(pack["pdf"])
    assert 3 <= len(pages) <= 8
    assert "Assumptions" in pages[-1] and "horizon_years" in pages[-1]
    assert "The decision" in pages[0]
    r = read_results(pack["folder"])
    blocks = assumptions_page(r).blocks
    assert isinstance(blocks[0], Text) and blocks[0].text.startswith(
        f"This paper was made by estate from the results folder {pack['folder'].name} alone.")
    assert isinstance(blocks[-1], Table) and blocks[-1].caption.startswith("Register files")
    last = [line for line in pages[-1].splitlines() if line.strip()]
    assert r.inputs[-1][1] in last[-3:]  # the last checksum, beside the footer


def test_the_assumptions_list_every_setting_left_to_a_default(tmp_path: Path) -> None:
    """Pooling's efficiency and set-up cost, the agencies and the solver's gap come from
    estate's defaults here, and they move the plan as much as any key the file sets: each
    is listed, marked as a default; a key the file sets (or sets inside, per type) is
    not listed twice."""
    path = town(tmp_path, changes={"sharing": {"types": ["IT"], "efficiency": {"IT": 0.2}}})
    estate.plan(path, out=tmp_path / "results", map_path=False)
    page = assumptions_page(read_results(tmp_path / "results"))
    rows = dict(next(b for b in page.blocks if isinstance(b, Table)).rows)
    assert rows["sharing.types"] == "IT" and rows["sharing.efficiency.IT"] == "0.2"
    assert rows["sharing.setup_cost"] == "250,000 (estate's default)"
    assert rows["sharing.min_agencies"] == "2 (estate's default)"
    assert rows["agencies"] == "all (estate's default)"
    assert rows["solver.mip_gap"] == "0.0001 (estate's default)"
    assert rows["solver.time_limit_s"] == "30" and rows["relocation.max_km"] == "40"
    assert rows["policy.max_one_off"] == "no limit (estate's default)"
    assert "sharing.efficiency" not in rows and "start" not in rows
    assert not any(key.startswith("programme.") for key in rows)  # no programme here
    # with no type to pool, no pooling default applies
    plain = town(tmp_path / "plain", changes={"sharing": {"types": []}})
    estate.plan(plain, out=tmp_path / "plain" / "results", map_path=False)
    page = assumptions_page(read_results(tmp_path / "plain" / "results"))
    rows = dict(next(b for b in page.blocks if isinstance(b, Table)).rows)
    assert rows["sharing.types"] == "none"
    assert not [key for key in rows if key.startswith("sharing.") and key != "sharing.types"]


def test_a_long_name_or_list_is_cut_and_whole_numbers_read_whole(tmp_path: Path) -> None:
    """A scenario name of 6,000 characters made a row of the Assumptions table taller
    than a sheet, which stopped the pack (a LayoutError): the title and the row are cut
    now, and a long list names its first items and counts the rest. A million pounds is
    1,000,000, not 1e+06."""
    name = "Scenario name " * 430
    path = town(tmp_path, changes={"name": name, "policy": {"max_one_off": 1000000.0}})
    estate.plan(path, out=tmp_path / "results", map_path=False)
    pdf, _ = report(tmp_path / "results", tmp_path / "board.pdf")
    sheets = _pdf_pages(pdf)
    assert _flat(f"Board paper: {name[:199]}\u2026") in _flat(sheets[0])
    rows = dict(next(b for b in assumptions_page(read_results(tmp_path / "results")).blocks
                     if isinstance(b, Table)).rows)
    assert rows["policy.max_one_off"] == "1,000,000"
    assert rows["name"] == (name[:MOST_VALUE - 1] + "\u2026 (scenario.toml in the results "
                            "folder has it whole)")
    ids = [f"SITE-{i:05d}" for i in range(589)]
    assert dict(assumption_rows({"policy": {"max_one_off": 2.5e10}})) == {
        "policy.max_one_off": "25,000,000,000"}
    listed = dict(assumption_rows({"policy": {"keep": ids}}))["policy.keep"]
    assert listed == ", ".join(ids[:MOST_LISTED]) + " and 559 more (589 in all)"


@pytest.mark.parametrize(("least", "said"), [(2, "Pool teams of several agencies in"),
                                             (1, "Pool teams in")])
def test_centres_are_of_several_agencies_only_when_they_must_be(
        tmp_path: Path, least: int, said: str) -> None:
    """With `sharing.min_agencies = 1` a centre may hold one agency's teams, and the
    decision no longer says they are of several agencies (a review found it untrue)."""
    register = pooling_register(tmp_path / "register")
    path = write_scenario(tmp_path / "pool.toml", scenario_on(
        register, "Pool", sharing={**IT_SHARING, "min_agencies": least}))
    estate.plan(path, out=tmp_path / "results", map_path=False)
    r = read_results(tmp_path / "results")
    assert r.summary.shared_centres == 1
    assert said + " 1 shared service centre" in decision(r), decision(r)


def test_six_centres_are_each_named_and_seven_leave_two_counted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Six centres read "... and 1 more site", naming five where the sixth fitted (a
    review): a list names every item when one alone would be left over."""
    register = pooling_register(tmp_path / "register")
    path = write_scenario(tmp_path / "pool.toml", scenario_on(register, "Pool",
                                                              sharing=IT_SHARING))
    estate.plan(path, out=tmp_path / "results", map_path=False)
    r = read_results(tmp_path / "results")
    for many, named, more in ((6, 6, ""), (7, 5, "; and 2 more sites")):
        centres = [(f"Centre {i}", f"C{i}", ["IT"]) for i in range(1, many + 1)]
        monkeypatch.setattr(type(r), "centres", lambda _r, c=centres: c)
        words = decision(r).replace("\u2068", "").replace("\u2069", "")
        assert sum(f"Centre {i} (C{i})" in words for i in range(1, many + 1)) == named, words
        assert ("more site" in words) == bool(more) and more in words, words


def test_decision_names_the_plan_in_words(pack: dict[str, Any]) -> None:
    summary = pack["plan"].summary
    words = decision(read_results(pack["folder"]))
    assert money(summary.npv_saving) in words and money(summary.annual_saving) in words
    assert summary.one_off_cost < 0
    assert f"net receipts of {money(-summary.one_off_cost)}" in words
    assert "proven optimal" in words  # planned to a 1e-9 gap
    assert f"year {pack['plan'].programme.payback_year}" in words


def test_the_dated_programme_leads_and_says_why_it_differs(pack: dict[str, Any]) -> None:
    """With a programme, its NPV is the first headline figure and the snapshot's is
    labelled as every change made in year 1; the programme page says what the difference comes
    from (one closure a year here) and which limits each year keeps to."""
    r, pages = board_pages(pack["folder"])
    p, s = r.programme, r.summary
    assert p is not None and s.saving_in_year_one - p.npv_saving > 1.0  # one closure a year
    assert s.npv_saving == p.npv_saving  # the summary's saving is the programme's
    headline = next(b for page in pages for b in page.blocks
                    if isinstance(b, Table) and b.caption == "Headline figures")
    assert headline.rows[0] == ("NPV saving of the dated programme (10 years, 3.5% a year)",
                                f"{money(p.npv_saving)}; pays back in year {p.payback_year}")
    assert headline.rows[1] == ("NPV saving if every change were made in year 1 (10 years, "
                                "3.5% a year)", money(s.saving_in_year_one))
    words = " ".join(b.text for page in pages if page.title == "When: the programme"
                     for b in page.blocks if hasattr(b, "text"))
    # the difference of the two figures as they read, so that it checks on the page
    assert (f"{dated_difference(s.saving_in_year_one, p.npv_saving).size} less than the "
            f"{money(s.saving_in_year_one)}" in words)
    assert "the yearly limits (on closures)" in words
    assert p.status == "optimal" and p.mip_gap is not None and p.mip_gap <= 1e-6
    # among schedules that keep the yearly limits too, which one without them beats (a
    # review: "every timing rule" alone read as if no schedule could save more)
    assert ("found by putting the plan's changes in order year by year. It is proven the "
            "cheapest schedule of the plan's changes that keeps every timing rule and the "
            "yearly limits." in words), (p.method, words)
    assert p.unlimited_saving is not None  # read back from summary.json
    assert (f"The yearly limits cost {dated_difference(p.unlimited_saving, p.npv_saving).size} "
            "(with none, "
            f"the same changes would save {money(p.unlimited_saving)}).") in words
    assert "closures at most 1 (the most any year: 1, in year 1)" in words
    assert "would save " + money(s.saving_in_year_one) in decision(r)
    # how sure each is, said of each: the plan with every change made in year 1, the
    # programme as the cheapest order of its changes (reviewed: it read as the programme's)
    rows = dict(headline.rows)
    assert rows["How good the plan is if every change were made in year 1"] == (
        "proven optimal")
    assert rows["How good the dated programme is"] == (
        "It is proven the cheapest schedule of the plan's changes that keeps every timing "
        "rule and the yearly limits.")
    assert ("pays back in year 1. It is proven the cheapest schedule of the plan's changes "
            "that keeps every timing rule and the yearly limits." in decision(r)), decision(r)
    assert decision(r).endswith(" With every change made in year 1, the plan is proven "
                                "optimal: no plan that meets every rule costs less.")
    assert "Cost a year of buildings and teams" in rows and "One-off " + IN_YEAR_ONE in rows
    # the decision's one-off is the same figure, so labelled too (a review: it read as the
    # programme's, which pays no surrender its later closings need not)
    one_off = next(said for said in decision(r).split(". ") if "one-off" in said)
    assert IN_YEAR_ONE in one_off and ("would bring in" in one_off or "would need" in one_off)
    assert "would pay back" in one_off or "would never pay back" in one_off, one_off
    cash = next(b for page in pages for b in page.blocks
                if isinstance(b, Table) and b.caption.startswith("Cash, year by year"))
    assert cash.header[4] == "Net saving in the year (cash)"
    # each agency's dated saving is its discounted cash, summed; they add up to the whole
    flows = pd.read_csv(pack["folder"] / "cashflow.csv", keep_default_na=False)
    by_agency = flows[flows["agency_id"] != ""].groupby("agency_id")["discounted"].sum()
    assert by_agency.sum() == pytest.approx(p.npv_saving, abs=1.0)
    table = next(b for b in agencies_page(r).blocks if isinstance(b, Table))
    assert table.header[5:7] == ("NPV saving, every change in year 1", "NPV saving, as dated")
    names = {agency_name(s, a): a for a in s.agencies}
    assert {unmarked(row[0]): row[6] for row in table.rows[:-1]} == {
        name: money(by_agency.get(a)) for name, a in names.items()}
    assert table.rows[-1][5:7] == (money(s.saving_in_year_one), money(p.npv_saving))


def test_the_gap_to_the_snapshot_is_worded_whichever_way_it_falls(
        pack: dict[str, Any]) -> None:
    """No limit and no build, a team moving in year 3: one reason, not a list; no gap:
    no reason; a programme saving more: why, by the method that found it."""
    r = read_results(pack["folder"])
    p, s = r.programme, r.summary
    assert p is not None
    late = p.actions[p.actions["action"] == "move"].iloc[:1].assign(year=3)
    free = dataclasses.replace(p, budget=p.budget.assign(closures_limit=float("nan")),
                               npv_saving=s.saving_in_year_one - 1e6,
                               actions=pd.concat([p.actions, late], ignore_index=True))
    words = dated_words(dataclasses.replace(r, programme=free))
    assert f"{money(1e6)} less than" in words
    assert ": changes wait for teams to move." in words  # the pack's plan pools nothing
    pooled = dataclasses.replace(free, actions=pd.concat(
        [free.actions, late.assign(action="pool", function_id="HR")], ignore_index=True))
    assert ": changes wait for teams to arrive before they pool at their new sites." in \
        dated_words(dataclasses.replace(r, programme=pooled))
    same = dataclasses.replace(p, npv_saving=s.saving_in_year_one)
    assert "as much as the plan would save" in dated_words(dataclasses.replace(r, programme=same))
    # with yearly limits, the difference in two parts that add up as the figures read
    limited = dataclasses.replace(free, budget=p.budget, method="roadmap",
                                  npv_saving=s.saving_in_year_one - 1_004_000,
                                  unlimited_saving=s.saving_in_year_one - 296_000)
    words = dated_words(dataclasses.replace(r, programme=limited))
    own = s.saving_in_year_one
    waited, by_limits = (dated_difference(own, own - 296_000),
                         dated_difference(own - 296_000, own - 1_004_000))
    total = dated_difference(own, own - 1_004_000)
    assert waited.pounds + by_limits.pounds == total.pounds
    assert (f"So the {total.size} is {waited.size} of waiting for teams to move, and "
            f"{by_limits.size} of the yearly limits.") in words, words
    # a schedule without limits that saves more than the plan's own: no negative part
    odd = dataclasses.replace(limited, unlimited_saving=s.saving_in_year_one + 50_000)
    assert "So the" not in dated_words(dataclasses.replace(r, programme=odd))
    for method, why in (("roadmap", "one-off costs paid in later years"),
                        ("joint", "the exact model chose another end state")):
        more = dataclasses.replace(p, npv_saving=s.saving_in_year_one + 1e6, method=method)
        words = dated_words(dataclasses.replace(r, programme=more))
        assert f"{money(1e6)} more than" in words and why in words
    # a build is a reason only when its site opens after the year it is decided, or not
    # within the horizon at all (no open row)
    for opens, waits in ((2, False), (3, True), (None, True)):
        built = free.actions.iloc[:1].assign(action="build", site_id="S9", year=2)
        actions = pd.concat([free.actions, built] + (
            [built.assign(action="open", year=opens)] if opens is not None else []))
        words = dated_words(dataclasses.replace(
            r, programme=dataclasses.replace(free, actions=actions)))
        assert ("new buildings to be built" in words) == waits, (opens, words)


def test_agencies_out_of_pocket_at_first_are_named_with_the_year_they_turn(
        pack: dict[str, Any]) -> None:
    r, _ = board_pages(pack["folder"])
    p, s = r.programme, r.summary
    assert p is not None
    years = range(1, s.horizon_years + 1)

    def flows(a1: list[float], a2: list[float]) -> pd.DataFrame:
        return pd.DataFrame({"year": [*years, *years], "agency_id": ["A1"] * len(years)
                             + ["A2"] * len(years), "cumulative_discounted": a1 + a2})

    def said(a1: list[float], a2: list[float]) -> str:
        programme = dataclasses.replace(p, cashflow=flows(a1, a2))
        page = programme_page(dataclasses.replace(r, programme=programme))
        assert page is not None
        return unmarked(" ".join(b.text for b in page.blocks if isinstance(b, Text)))

    ahead = [10.0] * len(years)
    late = [-5.0, -1.0] + [3.0] * (len(years) - 2)
    untouched = [0.0] * len(years)  # the plan leaves it as it is
    town_council = agency_name(s, "A1")
    assert "out of pocket" not in said(ahead, ahead)
    assert "out of pocket" not in said(untouched, ahead)
    # ahead at first on a sale, behind in year 2 after a later one-off, ahead from year 3
    # "until year 3" left open whether year 3 was in: the last year behind is named, with
    # its budget year (year 1 is 2027-28 from a start of 1 April 2027)
    assert f"{town_council} in year 2 (2028-29)." in said(
        [4.0, -2.0] + [1.0] * (len(years) - 2), untouched)
    # ahead at first, behind at the end: from the year it falls behind, not "throughout"
    words = said([4.0] * (len(years) - 1) + [-2.0], ahead)
    assert f"{town_council} from year {len(years)} (" in words and "throughout" not in words
    assert words.count("to the horizon's end") == 1, words
    # even at first, then behind from year 3 to the end (as a new team housed then)
    words = said([0.0, 0.0] + [-3.0] * (len(years) - 2), ahead)
    assert f"{town_council} from year 3 (2029-30) to the horizon's end." in words, words
    # even, behind in years 3 to 5, then ahead: both years said
    words = said([0.0, 0.0, -3.0, -2.0, -1.0] + [4.0] * (len(years) - 5), ahead)
    assert (f"{town_council} from year 3 (2029-30) up to and including year 5 (2031-32)."
            in words), words
    # behind in years 1 and 2, ahead, behind again from year 8: two spells, not
    # "throughout" (the first year behind to the last)
    words = said([-1.0, -1.0] + [2.0] * 5 + [-1.0] * (len(years) - 7), ahead)
    assert (f"{town_council} up to and including year 2 (2028-29) and from year 8 "
            "(2034-35) to the horizon's end.") in words, words
    assert "throughout" not in words
    assert (f"An agency out of pocket for a while (its own saving so far, at today's value, "
            f"below zero): {town_council} up to and including year 2 (2028-29).") in said(
        late, ahead)
    words = said([-1.0] * len(years), late)
    assert (f"Agencies out of pocket for a while (their own saving so far, at today's value, "
            f"below zero): {agency_name(s, 'A2')} up to and including year 2 (2028-29); "
            f"{town_council} throughout the {s.horizon_years} years.") in words


def test_direction_marks_round_a_name_are_left_out_of_the_pdf(tmp_path: Path) -> None:
    # reportlab draws U+2067/U+2069 (an isolate round an Arabic name, as Word writes it)
    # as missing-glyph boxes; the name itself stays
    rows = town_rows()
    rows["agencies"][0]["name"] = "\u2067\u0645\u0633\u062c\u062f\u2069 Trust \u200f"
    estate.plan(town(tmp_path, rows), out=tmp_path / "results", map_path=False)
    pdf, _ = report(tmp_path / "results", tmp_path / "board.pdf")
    text = "\n".join(_pdf_pages(pdf))
    assert "Trust" in text
    assert not set(text) & {"\u2067", "\u2069", "\u200f", "\x00"}


def test_full_width_letters_the_font_lacks_are_drawn_as_their_plain_forms(tmp_path: Path
                                                                         ) -> None:
    # DejaVu has no full-width forms (U+FF01-FF5E, pasted from an East Asian keyboard):
    # drawn as they are they would be boxes; a character with no plain form stays
    rows = town_rows()
    rows["agencies"][0]["name"] = "\uff34\uff4f\uff57\uff4e\u3000\uff0b\uff11 \u4e2d"
    estate.plan(town(tmp_path, rows), out=tmp_path / "results", map_path=False)
    pdf, _ = report(tmp_path / "results", tmp_path / "board.pdf")
    text = "\n".join(_pdf_pages(pdf))
    assert "saves the most" in text and "Town +1 " in text, text  # 中 is a box: no text
    assert not any("\uff01" <= c <= "\uff5e" or c == "\u3000" for c in text)


def test_the_programme_notes_read_as_sentences(pack: dict[str, Any]) -> None:
    r, pages = board_pages(pack["folder"])
    assert r.programme is not None and r.programme.notes
    page = next(p for p in pages if p.title == "When: the programme")
    notes = [b.text for b in page.blocks if isinstance(b, Text) and b.kind == "note"]
    programme_notes = [note_sentence(str(note)) for note in r.programme.notes]
    assert set(programme_notes) <= set(notes)
    for said in notes:
        assert said[0].isupper() and said.endswith("."), said
    # the terminal's words for planners are said in a board's words
    jargon = ("snapshot", "joint model", "columns", "roadmap")
    assert not [n for n in programme_notes if any(word in n for word in jargon)], notes
    demo = ("the snapshot's changes scheduled; the exact model over all years, which may "
            "choose another end state, was not run (28,560 columns, above the 5,000 it is "
            "run for)")
    assert note_sentence(demo) == (
        "The plan's changes put in order year by year; the exact model over all years, "
        "which may choose another end state, was not run (it would weigh 28,560 decisions, "
        "above the 5,000 it is run for).")
    # a note that opens with a team's id keeps it as written
    own = dataclasses.replace(r.programme, notes=("hr01 (40 FTE) is more than 35",))
    page = programme_page(dataclasses.replace(r, programme=own))
    assert page is not None
    assert "hr01 (40 FTE) is more than 35." in [b.text for b in page.blocks
                                                if isinstance(b, Text)]


def _variance(png: bytes) -> float:
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)
    return float(pixels.var())


def test_figures_are_drawn_and_not_blank(pack: dict[str, Any]) -> None:
    r = read_results(pack["folder"])
    assert r.programme is not None
    drawn: list[Figure] = [estate_map(r.sites, r.zones, r.areas),
                           figures.gantt(r.programme, r.summary.horizon_years),
                           figures.cash_flow(r.programme)]
    for figure in drawn:
        assert _variance(figures.png(figure, dpi=60)) > 0


def test_the_pdf_holds_its_figures(pack: dict[str, Any]) -> None:
    images = [image for page in PdfReader(pack["pdf"]).pages for image in page.images]
    assert len(images) >= 3  # the map, the Gantt chart, the cash-flow curve
    for image in images:
        assert _variance(image.data) > 0


class _Page(HTMLParser):
    """Every start tag, and the text a reader sees."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_hostile_names_are_text_in_the_pdf_and_the_html(pack: dict[str, Any]) -> None:
    pdf_text = _flat("\n".join(_pdf_pages(pack["pdf"])))
    page = _Page()
    page.feed(pack["html"].read_text(encoding="utf-8"))
    html_text = _flat("".join(page.text))
    for name in (*HOSTILE, AGENCY):
        assert _flat(name) in pdf_text, name
        assert _flat(name) in html_text, name
    assert "img" not in page.tags and "script" not in page.tags and "i" not in page.tags
    assert "b" not in page.tags
    assert not [a for a in page.attrs if a.startswith("on")]
    assert page.tags.count("svg") == 3  # our own figures, nothing else


def test_a_time_limited_plan_is_never_called_optimal(pack: dict[str, Any],
                                                     tmp_path: Path) -> None:
    folder = tmp_path / "stopped"
    shutil.copytree(pack["folder"], folder)
    stopped = read_summary(folder).replace(status=Status.TIME_LIMIT, mip_gap=0.0312)
    write_summary(stopped, folder)
    words = decision(read_results(folder))
    assert "optimal" not in words.lower()
    assert "within 3.2% of the lowest possible" in words
    pdf, _ = report(folder, tmp_path / "board.pdf")
    assert "optimal" not in _pdf_pages(pdf)[0].lower()
    write_summary(stopped.replace(mip_gap=None), folder)
    assert "optimal" not in decision(read_results(folder)).lower()


def test_a_plan_within_its_gap_says_how_close(pack: dict[str, Any], tmp_path: Path) -> None:
    folder = tmp_path / "gap"
    shutil.copytree(pack["folder"], folder)
    write_summary(read_summary(folder).replace(mip_gap=0.004), folder)
    words = decision(read_results(folder))
    assert "within 0.4% of the lowest possible" in words and "optimal" not in words


@pytest.mark.parametrize(("gap", "shown"), [(0.004348, "0.44%"), (0.004, "0.4%"),
                                            (0.0312, "3.2%"), (0.12345, "13%"),
                                            (0.00001234, "0.0013%")])
def test_gaps_are_rounded_up(gap: float, shown: str) -> None:
    assert percent_up(gap) == shown


def test_the_comparison_page_sets_scenarios_side_by_side(pack: dict[str, Any],
                                                        tmp_path: Path) -> None:
    """The pack's own scenario beside another on its register (a comparison without it
    is refused: tests/test_report_compare.py)."""
    kept = {**tomllib.loads((pack["root"] / "tiny.toml").read_text(encoding="utf-8")),
            "name": HOSTILE[1] + " kept", "policy": {"keep": ["S2"]},
            "data": str(pack["root"] / "reg")}
    paths = [pack["root"] / "tiny.toml", write_scenario(tmp_path / "kept.toml", kept)]
    estate.api.compare(paths, out=tmp_path / "comparison", results_root=tmp_path / "results")
    pdf, html = report(pack["folder"], tmp_path / "board.pdf",
                       compare=tmp_path / "comparison")
    pages = _pdf_pages(pdf)
    side = next(p for p in pages if "The scenarios side by side" in p)
    assert _flat(HOSTILE[1] + " kept") in _flat(side) and "tiny" in side
    assert len(pages) <= 8
    page = _Page()
    page.feed(html.read_text(encoding="utf-8"))
    assert "script" not in page.tags


@pytest.mark.parametrize(("npv_off", "status", "said"), [
    (0.0, "optimal", " (this paper)"), (9.0, "optimal", " (this paper)"),
    (100.0, "optimal", " (another plan of this name)"), (100.0, "infeasible", "")])
def test_a_compared_row_is_this_paper_only_with_its_figures(
        pack: dict[str, Any], npv_off: float, status: str, said: str) -> None:
    """A row of the paper's name whose money differs (compared before a re-plan) is not
    called this paper's plan, and the page says the two differ; a run of that name
    with no plan is named by its status alone."""
    from estate.render.report_comparison import comparison_page

    r = read_results(pack["folder"])
    s = r.summary
    row = {k: str(v) for k, v in s.flat().items()}
    row["npv_saving"] = str(s.npv_saving + npv_off)
    row["status"] = status
    other = {**row, "scenario": "Other", "npv_saving": "1.0", "status": "optimal"}
    page = comparison_page(pd.DataFrame([row, other]), r)
    table = next(b for b in page.blocks if isinstance(b, Table))
    assert unmarked(table.header[1:]) == (f"{s.scenario}{said}", "Other")
    notes = " ".join(b.text for b in page.blocks if isinstance(b, Text))
    assert ("is not the plan of this paper" in notes) == ("another" in said)


def test_the_pack_ranks_dated_with_dated_only(pack: dict[str, Any]) -> None:
    """Beside an undated plan a dated programme's saving is set apart, not ranked: the
    undated one saves more on paper (£5m against £4m) only because it counts no lease
    and no wait. Two dated ones are ranked on their dated savings, not on their own."""
    from estate.render.report_comparison import comparison_page

    r = read_results(pack["folder"])
    base = {k: str(v) for k, v in r.summary.flat().items()
            if not k.startswith(("programme", "year_one", "lease_cost"))}
    undated = {**base, "scenario": "Undated", "npv_saving": "5000000"}
    dated = {**base, "scenario": "Dated", "npv_saving": "4000000",
             "year_one_npv_saving": "4800000",
             "programme.npv_saving": "4000000", "programme.start": "2027-04-01",
             "programme.payback_year": "2"}
    page = comparison_page(pd.DataFrame([undated, dated]), r)
    table = next(b for b in page.blocks if isinstance(b, Table))
    rows = {row[0]: row[1:] for row in table.rows}
    assert rows["NPV saving of the dated programme"] == ("not dated", "£4.00m")
    assert rows["Payback of the dated programme"] == ("not dated", "year 2 (discounted)")
    # the undated plan's own saving is marked as counting no lease and no wait, as
    # estate compare's page marks it (the pack set £5.00m beside £4.80m as alike)
    assert rows["NPV saving if every change were made in year 1"] == (
        "£5.00m (no start date: leases and sale lags not counted)", "£4.80m")
    said = " ".join(b.text for b in page.blocks if isinstance(b, Text))
    assert "saves the most" not in said and "they are not ranked" in said
    assert "Of 2 scenarios compared, 1 is scheduled as a dated programme and 1 is not, so " \
        "they are not ranked" in said
    # a start date without a programme beside none: a dated saving against an undated
    # one, not ranked either (the undated £5.00m was said to save the most); the dated
    # plan's own saving says what it counts, and an older comparison's (no
    # booked_early_npv) what it counted then
    own = {**base, "scenario": "Own", "npv_saving": "4000000", "lease_cost_npv": "1000",
           "booked_early_npv": "0"}
    page = comparison_page(pd.DataFrame([undated, own]), r)
    said = unmarked(" ".join(b.text for b in page.blocks if isinstance(b, Text)))
    assert "saves the most" not in said
    assert "Of 2 scenarios compared, 1 has a start date and 1 has not, so they are not " \
        "ranked" in said, said
    for row, words in ((own, "(its own changes dated, no yearly limits)"),
                       ({k: v for k, v in own.items() if k != "booked_early_npv"},
                        "(each change from the first year it could be made, not "
                        "scheduled)")):
        table = next(b for b in comparison_page(pd.DataFrame([row, dated]), r).blocks
                     if isinstance(b, Table))
        cells = {line[0]: line[1:] for line in table.rows}
        assert cells["NPV saving of the plan itself (every change made in year 1, unless "
                     "said)"][0] == f"£4.00m {words}", cells
    later = {**dated, "scenario": "Later", "npv_saving": "5200000",
             "programme.npv_saving": "3000000"}
    page = comparison_page(pd.DataFrame([later, dated]), r)
    said = unmarked(" ".join(b.text for b in page.blocks if isinstance(b, Text)))
    assert "Of 2 scenarios compared, Dated saves the most: £4.00m (NPV, dated)." in said
    plain = comparison_page(pd.DataFrame([undated, {**undated, "scenario": "Less",
                                                     "npv_saving": "1"}]), r)
    said = unmarked(" ".join(b.text for b in plain.blocks if isinstance(b, Text)))
    assert "Of 2 scenarios compared, Undated saves the most: £5.00m (NPV)." in said
    # two that save alike are both named (the first was said to save the most)
    tie = comparison_page(pd.DataFrame([undated, {**undated, "scenario": "Alike"},
                                        {**undated, "scenario": "Less", "npv_saving": "1"}]), r)
    said = unmarked(" ".join(b.text for b in tie.blocks if isinstance(b, Text)))
    assert "Of 3 scenarios compared, Undated and Alike save the most, alike: £5.00m each " \
        "(NPV)." in said, said


@pytest.mark.parametrize(("status", "gap", "words"), [
    ("optimal", 0.0, "proven optimal"),
    ("optimal", 0.0042, "within 0.42% of the lowest possible cost"),
    ("time_limit", 0.013, "NOT PROVEN (time limit); within 1.3% of the lowest possible cost"),
    ("time_limit", None,
     "NOT PROVEN (time limit); distance from the lowest possible cost unknown"),
    ("infeasible", None, "no plan: infeasible"),
])
def test_a_compared_plan_is_worded_as_everywhere_else(status: str, gap: float | None,
                                                      words: str) -> None:
    from estate.render.report_comparison import FIGURES

    row = pd.Series({"status": status, "mip_gap": "" if gap is None else str(gap)})
    assert FIGURES[0][1](row) == words


def test_a_compared_scenario_with_no_plan_gives_its_reasons() -> None:
    """As comparison.csv keeps them (and the comparison page shows them): the pack said
    "no plan: infeasible" alone."""
    from estate.render.report_comparison import FIGURES

    row = pd.Series({"status": "infeasible", "mip_gap": "", "message": (
        "The scenario is infeasible: no plan meets every rule.\n  - zone Z1: no site left "
        "open offering public_access within 5 km\n  - the rules to relax: policy.close")})
    assert FIGURES[0][1](row) == (
        "no plan: infeasible (zone Z1: no site left open offering public_access within 5 km; "
        "the rules to relax: policy.close)")
    # many reasons are cut short, the rules to relax kept whole after them
    many = pd.Series({"status": "infeasible", "mip_gap": "", "message": (
        "The scenario is infeasible: no plan meets every rule.\n" + "".join(
            f"  - zone Z{i}: no site left open offering public_access within 2 km\n"
            for i in range(40)) + "  - the rules to relax: coverage.0.radius_km")})
    said = FIGURES[0][1](many)
    assert said.endswith("\u2026; the rules to relax: coverage.0.radius_km)"), said


def test_cli_writes_the_pdf_and_the_page(pack: dict[str, Any], tmp_path: Path) -> None:
    run = invoke(tmp_path, "report", pack["folder"], "--out", tmp_path / "p.pdf",
                 "--html", tmp_path / "page" / "pack.html")
    assert run.code == 0, run.output
    assert (tmp_path / "p.pdf").read_bytes().startswith(b"%PDF")
    assert "<section" in (tmp_path / "page" / "pack.html").read_text(encoding="utf-8")
    assert "p.pdf" in run.stdout and "pack.html" in run.stdout


def test_the_pack_says_the_day_it_was_prepared(pack: dict[str, Any], tmp_path: Path) -> None:
    """A board paper carries its date: the one --date gives, in both the PDF and the
    HTML, or else the day it is made; a date that is no day, or not YYYY-MM-DD, is a
    usage error (exit 2) that writes nothing; and the same plan on the same date makes
    the same bytes."""
    run = invoke(tmp_path, "report", pack["folder"], "--out", tmp_path / "p.pdf",
                 "--date", "2027-03-09")
    assert run.code == 0, run.output
    first = PdfReader(tmp_path / "p.pdf").pages[0].extract_text()
    assert "Prepared on 9 March 2027." in " ".join(first.split())
    assert "Prepared on 9 March 2027." in (tmp_path / "p.html").read_text(encoding="utf-8")
    # its properties too, where a filed paper's date is read (they said 1 January 2000)
    properties = PdfReader(tmp_path / "p.pdf").metadata
    assert properties is not None
    assert properties["/CreationDate"] == properties["/ModDate"] == "D:20270309000000+00'00'"
    before = dt.date.today()  # unless told, the day it is made (a run may pass midnight)
    assert invoke(tmp_path, "report", pack["folder"], "--out", tmp_path / "q.pdf").code == 0
    made = (tmp_path / "q.html").read_text(encoding="utf-8")
    assert any(f"Prepared on {day.day} {day:%B %Y}." in made
               for day in (before, dt.date.today())), made[:2000]
    for typed, why in (("9/3/2027", "write it as 2027-03-09 or 2027-09-03"),
                       ("2027-02-30", "February 2027 has 28 days"), ("", "found ''")):
        bad = invoke(tmp_path, "report", pack["folder"], "--out", tmp_path / "r.pdf",
                     "--date", typed)
        assert bad.code == 2 and "--date" in bad.output and "YYYY-MM-DD" in bad.output
        assert why in " ".join(bad.output.split()), bad.output
        assert not (tmp_path / "r.pdf").exists()
    # the same plan on the same date makes the same bytes, the page's figures too
    # (matplotlib's SVG ids are salted, not random)
    first = (tmp_path / "p.pdf").read_bytes(), (tmp_path / "p.html").read_bytes()
    report(pack["folder"], tmp_path / "p.pdf", prepared="2027-03-09")  # as text too
    assert ((tmp_path / "p.pdf").read_bytes(), (tmp_path / "p.html").read_bytes()) == first
    with pytest.raises(InputError, match="prepared"):
        report(pack["folder"], tmp_path / "s.pdf", prepared="2027-02-30")


def test_beside_a_programme_each_site_closed_or_opened_says_its_year(
        pack: dict[str, Any]) -> None:
    """A finance director cites dates: the tables of sites that close and open give the
    year programme.csv makes each change, with its budget year; with one closure a year
    allowed, no two closed sites share a year. A plan with no programme has no such
    column."""
    r = read_results(pack["folder"])
    csv = pd.read_csv(pack["folder"] / "programme.csv", dtype=str, keep_default_na=False)
    tables = [b for b in where_page(r).blocks if isinstance(b, Table)
              and b.caption.startswith(("Sites that close", "Sites that open"))]
    assert tables and all(t.header[-1] == "Year" for t in tables)
    for table in tables:
        action = "close" if table.caption.startswith("Sites that close") else "open"
        made = csv[csv["action"] == action]
        years = dict(zip(made["site_id"], made["year"].astype(int), strict=True))
        for row in table.rows:
            site_id = unmarked(row[0]).rsplit("(", 1)[1].rstrip(")")
            t = years[site_id]
            assert row[-1] == f"{t} ({2026 + t}-{(27 + t) % 100:02d})", row
    closing = next(t for t in tables if t.caption.startswith("Sites that close"))
    assert len({row[-1] for row in closing.rows}) == len(closing.rows)
    undated = dataclasses.replace(r, programme=None)
    assert all(b.header[-1] != "Year" for b in where_page(undated).blocks
               if isinstance(b, Table) and b.caption.startswith("Sites that"))


def test_rent_on_closed_sites_has_its_own_column_when_any_is_owed(
        pack: dict[str, Any]) -> None:
    """What empty buildings cost is asked for: the year's rent still owed on closed sites
    (cashflow.csv's `rent` of the estate's row) is a column of the cash table, in the
    table's pounds, and the note says the net saving is after it; a programme that owes
    none has no such column."""
    r = read_results(pack["folder"])
    assert r.programme is not None

    def cash(programme: Programme) -> Table:
        page = programme_page(dataclasses.replace(r, programme=programme))
        assert page is not None
        return next(b for b in page.blocks if isinstance(b, Table)
                    and b.caption.startswith("Cash, year by year"))

    flows = r.programme.cashflow.copy()
    flows["rent"] = 0.0
    assert "Rent on closed sites" not in cash(dataclasses.replace(r.programme,
                                                                  cashflow=flows)).header
    flows.loc[(flows["agency_id"] == "") & (flows["year"] == 2), "rent"] = 368_487.67
    table = cash(dataclasses.replace(r.programme, cashflow=flows))
    column = table.header.index("Rent on closed sites")
    assert table.header[column + 1] == "Net saving in the year (cash)"
    assert [row[column] for row in table.rows[:3]] == ["£0", "£368.5k", "£0"]
    assert len(table.widths) == len(table.header) and abs(sum(table.widths) - 1) < 1e-9
    page = programme_page(dataclasses.replace(r, programme=dataclasses.replace(
        r.programme, cashflow=flows)))
    assert page is not None and any("the net saving is after it" in b.text
                                    for b in page.blocks if isinstance(b, Text))


def test_a_folder_that_is_not_a_results_folder_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    run = run_cli(tmp_path, "report", "empty", "--out", "board.pdf")
    assert run.code == 1
    assert "empty" in run.stderr and "summary.json" in run.stderr
    no_traceback(run)
    assert not (tmp_path / "board.pdf").exists()


@pytest.mark.parametrize(("remove", "edit", "says"), [
    # the Assumptions page listed estate's defaults as the plan's settings
    ("scenario.toml", None, "scenario.toml: expected the scenario as solved"),
    # the register's checksums, the pack's last section and what --compare matches by
    ("inputs.sha256", None, "inputs.sha256: expected the register's checksums"),
    # the first page's horizon and the Assumptions page's disagreed
    (None, ('name = "tiny"\n', 'name = "tiny"\nhorizon_years = 25\n'),
     "scenario.toml, key horizon_years: expected 10, as summary.json says the plan's NPV "
     "used, found 25: edited after the plan"),
])
def test_a_folder_missing_or_edited_beside_its_tables_is_refused(
        pack: dict[str, Any], tmp_path: Path, remove: str | None,
        edit: tuple[str, str] | None, says: str) -> None:
    folder = tmp_path / "edited"
    shutil.copytree(pack["folder"], folder)
    if remove:
        (folder / remove).unlink()
    if edit:
        scenario = folder / "scenario.toml"
        text = scenario.read_text(encoding="utf-8")
        assert edit[0] in text
        scenario.write_text(text.replace(*edit), encoding="utf-8")
    run = invoke(tmp_path, "report", folder, "--out", tmp_path / "board.pdf")
    assert run.code == 1 and says in " ".join(run.stderr.split()), run.stderr
    no_traceback(run)
    assert not (tmp_path / "board.pdf").exists()


def test_broken_json_and_a_comparison_folder_are_said_in_words(
        pack: dict[str, Any], tmp_path: Path) -> None:
    """A summary.json an edit broke is told where, not as Python's JSONDecodeError; a
    comparison's folder given for a results folder is pointed to --compare."""
    folder = tmp_path / "broken"
    shutil.copytree(pack["folder"], folder)
    text = (folder / "summary.json").read_text(encoding="utf-8")
    (folder / "summary.json").write_text(text.replace(",", "", 1), encoding="utf-8")
    run = invoke(tmp_path, "report", folder, "--out", tmp_path / "board.pdf")
    assert run.code == 1 and "Expecting ',' delimiter at line " in run.stderr, run.stderr
    assert "JSONDecodeError" not in run.stderr
    (tmp_path / "cmp").mkdir()
    (tmp_path / "cmp" / "comparison.csv").write_text("scenario\nA\n", encoding="utf-8")
    run = invoke(tmp_path, "report", tmp_path / "cmp", "--out", tmp_path / "board.pdf")
    assert run.code == 1 and "it is a comparison's folder: its map is comparison_map.html" \
        in run.stderr and "`estate report --compare` beside it" in run.stderr, run.stderr
    # `estate map` has no --compare: it is told where the comparison's map is, not that
    run = invoke(tmp_path, "map", tmp_path / "cmp")
    assert run.code == 1 and "comparison_map.html" in run.stderr, run.stderr
    (tmp_path / "sweep").mkdir()
    (tmp_path / "sweep" / "sweep.csv").write_text("run_id\nr1\n", encoding="utf-8")
    run = invoke(tmp_path, "map", tmp_path / "sweep")
    assert run.code == 1 and "give one of its runs, runs/<run id>/" in run.stderr, run.stderr
    (tmp_path / "sweep" / "runs").mkdir()
    run = invoke(tmp_path, "map", tmp_path / "sweep" / "runs")
    assert run.code == 1 and "the folder of a sweep's runs: give one of them" in run.stderr


def test_an_alternatives_pack_names_its_folder_from_the_plans(
        pack: dict[str, Any], tmp_path: Path) -> None:
    """An alternative's folder is named from its plan's (`<plan>/alternatives/1`), not as
    "the results folder 1"."""
    from estate.render.report import title_of

    folder = tmp_path / "Shared" / "alternatives" / "1"
    shutil.copytree(pack["folder"], folder)
    r = read_results(folder)
    assert "from the results folder Shared/alternatives/1 (" in title_of(r)[1]
    first = assumptions_page(r).blocks[0]
    assert "from the results folder Shared/alternatives/1 alone" in first.text


def test_a_table_re_saved_with_semicolons_is_one_problem_with_its_fix(
        pack: dict[str, Any], tmp_path: Path) -> None:
    """sites.csv re-saved by Excel in a locale with a decimal comma (`;` between cells):
    one problem saying how to save it (it was one per column, then one per row)."""
    folder = tmp_path / "semi"
    shutil.copytree(pack["folder"], folder)
    rows = list(csv.reader((folder / "sites.csv").read_text(encoding="utf-8-sig")
                           .splitlines()))
    with (folder / "sites.csv").open("w", encoding="utf-8", newline="") as file:
        csv.writer(file, delimiter=";").writerows(rows)
    run = invoke(tmp_path, "report", folder, "--out", tmp_path / "board.pdf")
    said = [line for line in run.stderr.splitlines() if "sites.csv" in line]
    assert run.code == 1 and len(said) == 1, run.stderr
    assert "row 1: expected columns separated by commas (in Excel: Save As 'CSV UTF-8 " \
        "(Comma delimited)'), found columns separated by semicolons" in said[0]


def test_a_plan_found_on_scip_for_a_highs_scenario_says_why(
        pack: dict[str, Any], tmp_path: Path) -> None:
    """The search to 1e-6 for policy costs goes on to SCIP when HiGHS stops short, and
    SCIP's plan, when cheaper, is the plan written: the headline's "Solved with the SCIP
    solver" stood beside the Assumptions page's `solver.name highs` unexplained."""
    from estate.render.report_pages import _headline

    folder = tmp_path / "scip"
    shutil.copytree(pack["folder"], folder)
    write_summary(read_summary(folder).replace(solver="scip"), folder)
    [row] = [row for row in _headline(read_results(folder)).rows if row[0] == "Solved with"]
    assert row[1].startswith("the SCIP solver in ")
    assert row[1].endswith(" s (the scenario names the HiGHS solver: the search to a gap of "
                           "1e-6 for its policy costs went on to this one, which found this "
                           "plan)")
    [row] = [row for row in _headline(read_results(pack["folder"])).rows
             if row[0] == "Solved with"]
    assert row[1].startswith("the HiGHS solver in ") and row[1].endswith(" s")


def test_a_pack_written_into_another_plans_results_folder_is_refused(
        pack: dict[str, Any], tmp_path: Path) -> None:
    """That folder is replaced whole when its plan is made again, as the reported plan's
    own is (which was refused while another plan's was not)."""
    other = tmp_path / "other"
    shutil.copytree(pack["folder"], other)
    run = invoke(tmp_path, "report", pack["folder"], "--out", other / "board.pdf")
    assert run.code == 1 and f"a path outside the results folder {other}" in run.stderr
    assert not (other / "board.pdf").exists()
    # another tool's summary.json in a folder above is no results folder of estate's
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "summary.json").write_text('{"tool": "other"}', encoding="utf-8")
    run = invoke(tmp_path, "report", pack["folder"], "--out",
                 tmp_path / "project" / "packs" / "board.pdf")
    assert run.code == 0, run.output


def test_a_damaged_sites_table_is_located(pack: dict[str, Any], tmp_path: Path) -> None:
    folder = tmp_path / "damaged"
    shutil.copytree(pack["folder"], folder)
    sites = (folder / "sites.csv").read_text(encoding="utf-8-sig").splitlines()
    sites[2] = sites[2].replace(",close,", ",shut,")
    (folder / "sites.csv").write_text("\n".join(sites) + "\n", encoding="utf-8")
    with pytest.raises(estate.InputError, match=r"sites.csv.*row 3.*decision"):
        board_pages(folder)


@pytest.mark.slow
def test_the_demo_pack(tmp_path: Path) -> None:
    """The Suffolk demo's pack: every agency and closed site named, a few pages. The plan
    is searched to 0.5% only (about 8 s), as the pack reads any plan the same way; how
    long the pack takes is measured by `benchmarks/board_pack.py`."""
    for folder in ("data", "models"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    scenario = tmp_path / "models" / "shared_back_office.toml"
    text = scenario.read_text(encoding="utf-8")
    assert "mip_gap = 0.0001 " in text
    scenario.write_text(text.replace("mip_gap = 0.0001 ", "mip_gap = 0.005 "), encoding="utf-8")
    plan = estate.plan(scenario, out=tmp_path / "results", map_path=False)
    run = run_cli(tmp_path, "report", "results", "--out", "board.pdf", timeout=120)
    assert run.code == 0, run.output
    pages = _pdf_pages(tmp_path / "board.pdf")
    assert 3 <= len(pages) <= 8
    text = _flat("\n".join(pages))
    assert _flat(money(plan.summary.npv_saving)) in text
    assert all(_flat(a.name) in text for a in plan.summary.agencies.values())
    closed = plan.sites.loc[plan.sites["decision"] == "close", "name"]
    assert all(_flat(name) in text for name in closed)


def _table(n: int) -> Table:
    return Table(f"{n} rows", ("Row", "Figure"), tuple((f"row {i}", str(i)) for i in range(1, n + 1)),
                 (False, True), (0.7, 0.3))


@pytest.mark.parametrize(("lines", "rows", "follows_on", "sheets"), [
    (20, 8, True, 1),     # room for all of it: it follows on
    (35, 8, False, 1),    # a short table that does not fit goes over with its title
    (20, 40, True, 2),    # a long one starts under its title where it is, and splits
    (20, 120, True, 4),
    (35, 40, False, 1),   # no room for its start: all of it on the next sheet
])
def test_a_page_that_follows_on_keeps_its_title_with_what_it_opens(
        pack: dict[str, Any], lines: int, rows: int, follows_on: bool, sheets: int) -> None:
    """Not the title and opening sentence at the foot of a sheet, the table overleaf.
    (The first page's 37 lines fill the first sheet; 35 leave room for two more.)"""
    from estate.render.report import board_pdf

    r = read_results(pack["folder"])
    pages = [Page("First page", tuple(Text(f"line {i}") for i in range(lines))),
             Page("Second page", (Text("Its opening sentence."), _table(rows)), fresh=False)]
    text = [page.extract_text() or "" for page in PdfReader(io.BytesIO(board_pdf(r, pages))).pages]
    where = {key: next(i for i, t in enumerate(text) if key in t)
             for key in ("First page", "Second page", "opening sentence", "row 1\n", f"row {rows}")}
    assert where["Second page"] == where["opening sentence"] == where["row 1\n"]
    assert (where["Second page"] == where["First page"]) == follows_on
    assert where[f"row {rows}"] - where["row 1\n"] + 1 == sheets


@pytest.mark.parametrize(("types", "caption"), [
    (["IT", "HR"], "Shared service centres (2)"),
    (["IT; HR", "Finance"], "Shared service centres (3 at 2 sites)"),
    (["IT; HR; Finance"], "Shared service centres (3 at 1 site)"),
])
def test_centres_are_counted_as_the_summary_counts_them(pack: dict[str, Any], types: list[str],
                                                        caption: str) -> None:
    """A centre is one kind of work pooled at one site: two at one site are two centres,
    and the table, one row a site, says at how many sites they are."""
    from estate.render.report_pages import where_page

    r = read_results(pack["folder"])
    kept = r.sites.index[r.sites["decision"] == "keep"][:len(types)]
    sites = r.sites.copy()
    sites["shared_types"] = ""
    sites.loc[kept, "shared_types"] = types
    count = sum(len(t.split(";")) for t in types)
    r = dataclasses.replace(r, sites=sites, summary=r.summary.replace(shared_centres=count))
    page = where_page(r)
    table = next(b for b in page.blocks
                 if isinstance(b, Table) and b.caption.startswith("Shared service centres"))
    assert table.caption == caption and len(table.rows) == len(types)
    # the map's caption counts the sites alike, one site as "1 site"
    chart = next(b for b in page.blocks if isinstance(b, Chart))
    at = f"{len(types)} site{'' if len(types) == 1 else 's'} with shared centres."
    assert chart.alt.endswith(at), chart.alt


def test_sites_of_one_name_are_told_apart_by_their_ids(pack: dict[str, Any]) -> None:
    """A register need not name its sites apart ("Council offices" four times, or long
    names that differ only past the cut): the decision's sentences and the centres'
    table name each site by its id too, as the tables of sites that close and open
    did (they read "Close 2 of today's 4 sites (Council offices; and Council offices)")."""
    from estate.render.report_pages import where_page

    r = read_results(pack["folder"])
    sites = r.sites.copy()
    sites["name"] = "Council offices"
    kept = sites.index[sites["decision"] == "keep"][:2]
    sites["shared_types"] = ""
    sites.loc[kept, "shared_types"] = ["IT", "HR"]
    r = dataclasses.replace(r, sites=sites, summary=r.summary.replace(shared_centres=2))
    words = unmarked(decision(r))
    closed = sites.loc[sites["decision"] == "close", "site_id"]
    assert 0 < len(closed) <= 3
    for site_id in [*closed, *sites.loc[kept, "site_id"]]:
        assert f"Council offices ({site_id})" in words, words
    table = next(b for b in where_page(r).blocks
                 if isinstance(b, Table) and b.caption.startswith("Shared service centres"))
    assert sorted(unmarked(row[0]) for row in table.rows) == sorted(
        f"Council offices ({i})" for i in sites.loc[kept, "site_id"])


def test_long_ids_that_differ_only_at_their_end_stay_apart(pack: dict[str, Any]) -> None:
    """Ids of one register often share a long start ("SUFFOLK-COUNTY-COUNCIL-PROPERTY-
    0117"): one too long for the pack is cut in its middle, so two sites of one name
    are still told apart by what is left of their ids."""
    r = read_results(pack["folder"])
    sites = r.sites.copy()
    sites["name"] = "Council offices"
    ids = [f"SUFFOLK-COUNTY-COUNCIL-PROPERTY-REGISTER-{i:04d}" for i in range(len(sites))]
    sites["site_id"] = ids
    r = dataclasses.replace(r, sites=sites)
    words = unmarked(decision(r))
    closed = [i for i, d in zip(ids, sites["decision"], strict=True) if d == "close"]
    assert len(closed) >= 2
    shown = [figures.identifier(i) for i in closed]
    assert len(set(shown)) == len(closed) and all(len(s) == 30 for s in shown), shown
    for site_id, short in zip(closed, shown, strict=True):
        assert short.endswith(site_id[-10:]) and f"Council offices ({short})" in words, words
    assert figures.identifier("S1") == "S1"
    assert figures.identifier("A" * 30) == "A" * 30


LONG_NAMES = ("Department for Work and Pensions (Jobcentre Plus, Suffolk)",
              "East Suffolk and North Essex NHS Foundation Trust")
ENDED = "2026-09-30"


@pytest.fixture(scope="module")
def leased(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The pack's register with a lease on the hostile Annexe (S2) that the register says
    ended before the start, and agencies with names as long as real ones."""
    root = tmp_path_factory.mktemp("leased")
    rows = _register_rows()
    rows["sites"][1].update(tenure="leasehold", lease_end=ENDED)
    for row, name in zip(rows["agencies"], LONG_NAMES, strict=True):
        row["name"] = name
    plan = estate.plan(town(root, rows, PROGRAMME), out=root / "results", map_path=False,
                       programme=True)
    pdf, html = report(root / "results", root / "board.pdf")
    return {"root": root, "plan": plan, "folder": root / "results", "pdf": pdf, "html": html}


def test_every_site_of_a_long_programme_is_on_the_gantt_charts(pack: dict[str, Any]) -> None:
    """A board wants every change of the programme on the page: 100 sites changing over
    ten years are drawn on as few charts as fit an A4 sheet each, every site on one of
    them, none counted away as "more sites in programme.csv"."""
    r = read_results(pack["folder"])
    assert r.programme is not None
    one = r.programme.actions.iloc[[0]]
    actions = pd.concat([one.assign(site_id=f"X{i:03d}", site_name=f"Site number {i}",
                                    year=1 + i % 10, action="close") for i in range(100)],
                        ignore_index=True)
    long = dataclasses.replace(r.programme, actions=actions)
    page = programme_page(dataclasses.replace(r, programme=long))
    assert page is not None
    charts = [b for b in page.blocks if isinstance(b, Chart) and b.name.startswith("gantt")]
    assert len(charts) == 3  # 100 sites: three charts of 34, 34 and 32
    shown = [label.get_text() for chart in charts
             for label in chart.figure.axes[0].get_yticklabels()]
    # each name between isolate marks, which matplotlib lays out and does not draw
    assert sorted(shown) == sorted(f"\u2068Site number {i}\u2069 (X{i:03d})" for i in range(100))
    assert "chart 2 of 3: sites 35 to 68" in charts[1].alt
    for chart in charts:
        assert chart.figure.get_size_inches()[1] * 2.54 < 24.0  # an A4 frame is 26.1 cm
        words = " ".join(t.get_text() for t in chart.figure.findobj(mtext.Text))
        assert "more sites" not in words
        assert "Y10\n2036-37" in words  # each year with its budget year
    # the PDF and the page lay out the same charts
    html = board_html("t", "s", [page])
    assert html.count("<figure>") == 4  # the cash-flow curve and three Gantt charts
    assert len(figures.gantt_parts(r.programme, 10)) == 1  # the tiny plan: one chart


def test_page_1_names_the_agencies_out_of_pocket_for_a_while(pack: dict[str, Any]) -> None:
    """"No agency pays more each year" is true once the plan is in place, but an agency
    whose one-off comes before its saving is out of pocket for a while: page 1 says so,
    with the last year counted in and its budget year, as the programme page does."""
    r = read_results(pack["folder"])
    p, s = r.programme, r.summary
    assert p is not None and not any(a.worse_off for a in s.agencies.values())
    years = list(range(1, s.horizon_years + 1))

    def with_flows(a1: list[float], a2: list[float]) -> Any:
        flows = pd.DataFrame({"year": years * 2, "agency_id": ["A1"] * len(years)
                              + ["A2"] * len(years), "cumulative_discounted": a1 + a2})
        return dataclasses.replace(r, programme=dataclasses.replace(p, cashflow=flows))

    ahead = [1.0] * len(years)
    assert "No agency pays more each year. " in decision(with_flows(ahead, ahead))
    late = with_flows([-3.0, -1.0, -1.0] + [2.0] * (len(years) - 3),
                      [-1.0] + [2.0] * (len(years) - 1))
    words = decision(late)
    assert ("No agency pays more each year once the plan is in place. 2 agencies spend "
            "more than they save for a while in the dated programme, the last of "
            "them up to and including year 3 (2029-30).") in words
    headline = next(b for b in decision_page(late).blocks
                    if isinstance(b, Table) and b.caption == "Headline figures")
    assert ("Agencies out of pocket for a while (dated)",
            "2, the last up to and including year 3 (2029-30)") in headline.rows
    never = unmarked(decision(with_flows([-1.0] * len(years), ahead)))
    assert f"{agency_name(s, 'A1')} is still out of pocket at the end of the 10 years." in never
    # one paying more each year is in the row above: this row says so, not "none"
    worse = dataclasses.replace(late, summary=late.summary.replace(agencies={
        a: (dataclasses.replace(info, worse_off=True) if a in ("A1", "A2") else info)
        for a, info in late.summary.agencies.items()}))
    row = next(r for r in next(b for b in decision_page(worse).blocks if isinstance(b, Table)
                               and b.caption == "Headline figures").rows
               if str(r[0]).startswith("Agencies out of pocket"))
    assert row[1] == "none besides those paying more each year", row


def test_leases_ended_before_the_start_are_caveats(leased: dict[str, Any],
                                                   pack: dict[str, Any],
                                                   tmp_path: Path) -> None:
    """A lease the register says ended before the start makes closing its site owe no
    rent, a saving the plan cannot have if it was renewed: the warning estate plan gave
    is kept in the results folder (warnings.csv) and the pack's page 1 names the site;
    the Assumptions page lists every warning. Register text stays text."""
    folder = leased["folder"]
    warned = read_warnings(folder)
    assert warned is not None and [w.column for w in warned] == ["lease_end"]
    r = read_results(folder)
    caveats = [b.text for b in decision_page(r).blocks if isinstance(b, Text)
               and b.kind == "item"]
    lease = next(c for c in caveats if "ended before the start" in c)
    assert (f"By the register, 1 lease ended before the start (2027-04-01), so closing its "
            f"site is taken to owe no rent: {HOSTILE[0]} (S2, {ENDED}); the plan closes "
            "it.") in unmarked(lease)
    assert f"\u2068{HOSTILE[0]}\u2069 (S2" in lease  # a name, kept in its own direction
    table = next(b for b in assumptions_page(r).blocks if isinstance(b, Table)
                 and b.caption.startswith("Warnings the plan was made with"))
    assert table.caption.endswith("(1)") and table.rows[0][0] == "sites.csv row 3, lease_end"
    pdf = _flat("\n".join(_pdf_pages(leased["pdf"])))
    assert _flat("By the register, 1 lease ended before the start") in pdf
    assert _flat(f"{HOSTILE[0]} (S2, {ENDED})") in pdf
    page = leased["html"].read_text(encoding="utf-8")
    assert "<img" not in page and "ended before the start" in page
    # the pack picks the warning out by its kind, which warnings.csv keeps; a file
    # written before it kept the column is read by the warning's words, the same caveat
    assert [w.kind for w in warned] == [ProblemKind.LEASE_ENDED]
    before = tmp_path / "before"
    shutil.copytree(folder, before)
    table = pd.read_csv(before / "warnings.csv", dtype=str, keep_default_na=False)
    table.drop(columns="kind").to_csv(before / "warnings.csv", index=False)
    assert [w.kind for w in read_warnings(before) or ()] == [ProblemKind.LEASE_ENDED]
    # and a warning of another kind whose words happen to read so is not picked out
    table.assign(kind="other").to_csv(before / "warnings.csv", index=False)
    assert not any("ended before the start" in b.text for b in decision_page(
        read_results(before)).blocks if isinstance(b, Text))
    # a plan made without warnings keeps the header alone, and the pack says there
    # were none; a folder without the file (written before estate kept them) does not
    # know, and the pack says that instead
    kept = (pack["folder"] / "warnings.csv").read_text(encoding="utf-8-sig").splitlines()
    assert kept == ["file,row,column,label,expected,found,sentence,fid_column,kind"]
    clean = read_results(pack["folder"])
    assert clean.warnings == ()
    assert not any("ended before" in b.text for b in decision_page(clean).blocks
                   if isinstance(b, Text))
    notes = [b.text for b in assumptions_page(clean).blocks if isinstance(b, Text)]
    assert any("No warning about the register or the scenario was raised" in t for t in notes)
    assert not any("holds no warnings.csv" in t for t in notes)
    older = tmp_path / "older"
    shutil.copytree(pack["folder"], older)
    (older / "warnings.csv").unlink()
    old = read_results(older)
    assert old.warnings is None
    notes = [b.text for b in assumptions_page(old).blocks if isinstance(b, Text)]
    assert any("holds no warnings.csv, so the warnings the plan was made with are not "
               "known here (the file was removed, or the folder was written before estate "
               "kept them)" in t for t in notes)
    assert not any("No warning about" in t for t in notes)
    assert warning_words(old) == []


def test_the_pdf_agency_column_fits_names_and_no_figure_is_broken(
        leased: dict[str, Any]) -> None:
    """The agency table's names wrap between words in at most three lines, no word
    or figure is broken, and the table fills the frame."""
    r = read_results(leased["folder"])
    table = next(b for b in agencies_page(r).blocks if isinstance(b, Table))
    assert len(table.header) == 8  # with the dated programme's column
    styles = paragraph_styles()
    widths = column_widths(table, styles)
    assert sum(widths) == pytest.approx(FRAME)
    for j, width in enumerate(widths):
        for i, row in enumerate(table.rows):
            style = styles["head" if i == len(table.rows) - 1 else "cell"]
            for word in row[j].split():
                assert pdfmetrics.stringWidth(word, style.fontName, style.fontSize) \
                    <= width - PADDING, (word, width)
    for name in LONG_NAMES:
        cell = Paragraph(escape(name), styles["cell"])
        _, height = cell.wrap(widths[0] - PADDING, 1000)
        assert height <= 3 * styles["cell"].leading, name


def test_the_pack_says_its_terms_in_words(leased: dict[str, Any]) -> None:
    """A short glossary in both the PDF and the page; the solver by its name; setting
    names only in brackets after words; no command-line talk but in brackets."""
    pdf = "\n".join(_pdf_pages(leased["pdf"]))
    page = leased["html"].read_text(encoding="utf-8")
    for text in (_flat(pdf), page):
        assert _flat("Terms used") in _flat(text)
        for term in ("NPV (net present value)", "NPV of cost", "FTE (full-time equivalent)",
                     "Dated programme", "Solver (HiGHS)"):
            assert _flat(term) in _flat(text), term
        assert _flat("Solved with") in _flat(text) and "Solvedby" not in _flat(text)
        assert _flat("the HiGHS solver in") in _flat(text)
        assert "--policy-costsoption" not in _flat(text)
    r, pages = board_pages(leased["folder"])
    assert [p.title for p in pages][-2:] == ["Terms used", "Assumptions"]
    # a dated payback is explained beside the plan's own; only the rules there are named
    meant = dict(terms(r))
    assert ("first year its saving so far" in meant["Payback"]) == (r.programme is not None)
    rules = len(r.scenario.get("coverage") or [])
    assert ("coverage.1 the second" in meant["Setting names (sharing.efficiency, coverage.0)"]
            ) == (rules > 1)
    said = " ".join(b.text for p in pages[:-2] for b in p.blocks if isinstance(b, Text))
    assert "roadmap" not in said and "snapshot" not in said
    # the words the programme's notes use are terms too (a review found them unexplained)
    assert r.programme is None or r.programme.method == "joint" or (
        "Exact model over all years" in meant)
    assert r.programme is None or {"End state", "Timing rule"} <= set(meant)
    # how an agency's figures are made, which a finance director asks (review G)
    assert "by the desks each uses" in meant["Who pays what"]


AGENCY_TABLE = """(() => {
  const table = [...document.querySelectorAll('table')].find(
    t => t.caption.textContent.startsWith("Each agency's"));
  const box = table.parentElement;
  const lines = range => new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
  const broken = [];
  // the table's own cells: its notes (its last rows, a span each) are prose
  for (const cell of table.querySelectorAll('tbody tr:not(.note) > :is(th, td)')) {
    let node = cell.firstChild;  // its text, or the <bdi> round a name, and its text
    if (node && node.nodeType === 1) node = node.firstChild;
    if (!node) continue;
    let at = 0;
    for (const word of node.textContent.split(' ')) {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + word.length);
      if (word && lines(range) > 1) broken.push(word);
      at += word.length + 1;
    }
    const whole = document.createRange();
    whole.selectNodeContents(cell);
    if (cell.classList.contains('n') && lines(whole) > 1) broken.push(node.textContent);
  }
  return {broken, right: table.getBoundingClientRect().right,
          edge: box.getBoundingClientRect().right,
          scrolls: getComputedStyle(box).overflowX === 'auto'};
})()"""


@pytest.mark.browser
def test_the_page_s_agency_table_keeps_words_whole_and_fits(browser: Any,
                                                             leased: dict[str, Any]) -> None:
    """At 1280 pixels wide the agency table's names wrap between words, its figures stay
    on one line, and the table ends inside its box (a narrower window scrolls the box,
    not the page)."""
    for width in (1280, 600):
        page = browser.new_page(viewport={"width": width, "height": 800})
        page.goto(leased["html"].as_uri())
        seen = page.evaluate(AGENCY_TABLE)
        page.close()
        assert seen["broken"] == [], (width, seen)
        assert seen["right"] <= seen["edge"] + 1 or seen["scrolls"], (width, seen)
        if width == 1280:
            assert seen["right"] <= seen["edge"] + 1, seen  # no scrolling needed


@pytest.mark.parametrize(("used", "shown"), [(39.1, "40"), (39.0, "39"), (1224.0000000001, "1,224"),
                                             (0.2, "1"), (0.0, "0")])
def test_desks_in_use_are_whole_desks_as_on_the_map(used: float, shown: str) -> None:
    """A part of a desk is a desk: the pack's "Desks used" agrees with the map's popup."""
    from estate.render.report_pages import _whole_desks

    assert _whole_desks(used) == shown


def test_a_date_in_a_table_of_the_page_never_breaks_at_its_hyphens() -> None:
    """"2028-04-01" and "2028-29" read as one word (the cash table wrapped them as
    "2028-04-" / "01"); other text, and a date inside a sentence, wrap as text does."""
    from estate.render.report_html import _table

    table = Table("Cash", ("Year", "Starts", "Note"),
                  (("1", "2028-04-01", "from 2028-04-01 on"), ("2", "2028-29", "<b>")),
                  (False, False, False), (0.2, 0.4, 0.4))
    html = _table(table)
    assert '<td><span class="whole">2028-04-01</span></td>' in html
    assert '<td><span class="whole">2028-29</span></td>' in html
    assert "<td>from 2028-04-01 on</td>" in html and "<td>&lt;b&gt;</td>" in html
    css = (Path(estate.render.__file__).parent / "static" / "report.css").read_text()
    assert ".whole{white-space:nowrap}" in css


def test_two_agencies_that_gain_are_both(tmp_path: Path) -> None:
    """The town's council saves and the police pay the same: "Both agencies", not "All
    2 agencies"."""
    estate.plan(town(tmp_path), out=tmp_path / "results", map_path=False)
    r = read_results(tmp_path / "results")
    assert len(r.summary.agencies) == 2
    assert not any(a.worse_off for a in r.summary.agencies.values())
    words = agencies_page(r).blocks[0]
    assert isinstance(words, Text)
    assert unmarked(words.text).startswith("Both agencies pay less or the same each year; Town "
                                 "Council saves the most ("), words.text
    # two that save alike are both named (the first was said to save the most)
    first, second = r.summary.agencies
    alike = {a: dataclasses.replace(f, annual_cost_after=f.annual_cost_before - 1_000.0)
             for a, f in r.summary.agencies.items()}
    even = agencies_page(dataclasses.replace(r, summary=r.summary.replace(agencies=alike)))
    said = unmarked(even.blocks[0].text)  # type: ignore[attr-defined]
    names = [unmarked(figures.named(agency_name(r.summary, a), 80)) for a in (first, second)]
    assert f"{names[0]} and {names[1]} save the most, alike (£1.0k a year each)." in said, said


def _one_site(tmp_path: Path, new_team_cost: float | None) -> Path:
    """One office costing nothing with one team costing nothing, and (unless None) a new
    team with no site today: planned, its results folder."""
    functions = [{"function_id": "F1", "agency_id": "A", "type": "IT", "site_id": "S1",
                  "fte": 5, "annual_cost": 0}]
    if new_team_cost is not None:
        functions.append({"function_id": "F2", "agency_id": "A", "type": "HR", "site_id": "",
                          "fte": 3, "annual_cost": new_team_cost})
    rows = {"agencies": [{"agency_id": "A", "name": "Solo", "kind": "council"}],
            "sites": [{"site_id": "S1", "agency_id": "A", "name": "Only", "lat": 52.0,
                       "lon": 1.0, "desks": 10, "running_cost": 0}],
            "functions": functions, "zones": []}
    scenario = town(tmp_path, rows, changes={"coverage": [], "sharing": {"types": []}})
    estate.plan(estate.load_scenario(scenario), out=tmp_path / "out",
                map_path=tmp_path / "m.html")
    return tmp_path / "out"


def test_a_plan_that_only_houses_a_new_team_says_so(tmp_path: Path) -> None:
    """Every building kept, but F2, with no site today, is housed at S1: the decision
    says that, not "keep the estate as it is: no change ... costs less"."""
    said = unmarked(decision(read_results(_one_site(tmp_path, 100_000))))
    assert said.startswith("Keep today's only site and house 1 new team with no site today "
                           "(F2 at Only (S1)).")
    assert "no change" not in said


def test_an_estate_that_costs_nothing_is_not_said_to_cut_0_to_0(tmp_path: Path) -> None:
    said = unmarked(decision(read_results(_one_site(tmp_path, None))))
    assert said.startswith("Keep the estate as it is")
    assert "£0 to £0" not in said and "saving £0" not in said and "saves £0" not in said
    assert "no annual cost, before or after the plan, so it saves nothing over 10 years" in said


def test_today_s_estate_handed_back_by_a_time_limit_is_not_said_to_be_cheapest(
        tmp_path: Path) -> None:
    """A proven plan that changes nothing says no change costs less; the same plan
    handed back when the time limit stopped the search (it starts from today's estate)
    says only that the search found nothing cheaper in its time."""
    r = read_results(_one_site(tmp_path, None))
    assert unmarked(decision(r)).startswith(
        "Keep the estate as it is: no change that meets every rule costs less.")
    stopped = dataclasses.replace(r, summary=r.summary.replace(status=Status.TIME_LIMIT,
                                                               mip_gap=None))
    said = unmarked(decision(stopped))
    assert said.startswith("Keep the estate as it is for now: the search found no cheaper "
                           "plan before its time limit, which does not show there is none"), said
    assert "no change that meets every rule costs less" not in said


def test_an_estate_whose_cost_does_not_change_is_not_said_to_cut_it(
        pack: dict[str, Any]) -> None:
    """A plan that keeps the annual cost at £400.0k: "keeps it at £400.0k a year", not
    "cuts it from £400.0k to £400.0k a year, saving £0 a year"."""
    r = read_results(pack["folder"])
    same = r.summary.replace(annual_cost_before=400_000.0, annual_cost_after=400_000.0,
                             annual_saving=0.0)
    said = unmarked(decision(dataclasses.replace(r, summary=same)))
    assert "keeps the annual cost of buildings and teams at £400.0k a year" in said, said
    assert "£400.0k to £400.0k" not in said and "saving £0" not in said
    # a saving the £k figures do not show is given in pounds beside them
    small = same.replace(annual_cost_after=399_951.0, annual_saving=49.0)
    said = unmarked(decision(dataclasses.replace(r, summary=small)))
    assert ("keeps the annual cost of buildings and teams at £400.0k a year (saves £49 a "
            "year)") in said, said


def test_an_undated_row_read_from_comparison_csv_shows_its_own_saving(
        pack: dict[str, Any], tmp_path: Path) -> None:
    """comparison.csv leaves `year_one_npv_saving` blank for an undated scenario: read
    back, its own saving is its `npv_saving` (£5.00m), not "n/a"; and a row written
    before a dated plan's `npv_saving` became its programme's (no `year_one_npv_saving`
    column, the year-1 figure as `npv_saving`) is still this paper's plan."""
    from estate.render.report_comparison import comparison_page
    from estate.render.report_data import read_comparison

    r = read_results(pack["folder"])
    s = r.summary
    assert s.year_one_npv_saving is not None
    dated = {k: v for k, v in s.flat().items()}
    undated = {k: v for k, v in dated.items()
               if not k.startswith(("programme", "year_one", "lease_cost"))}
    undated.update(scenario="Undated", npv_saving=5_000_000.0)
    folder = tmp_path / "cmp"
    folder.mkdir()
    pd.DataFrame([dated, undated]).to_csv(folder / "comparison.csv", index=False)
    page = comparison_page(read_comparison(folder), r)
    table = next(b for b in page.blocks if isinstance(b, Table))
    rows = {row[0]: row[1:] for row in table.rows}
    assert rows["NPV saving if every change were made in year 1"] == (
        money(s.saving_in_year_one), "£5.00m (no start date: leases and sale lags not counted)")
    old = {k: v for k, v in dated.items() if k != "year_one_npv_saving"}
    old["npv_saving"] = s.saving_in_year_one
    page = comparison_page(pd.DataFrame([old]), r)
    table = next(b for b in page.blocks if isinstance(b, Table))
    assert unmarked(table.header[1]) == f"{s.scenario} (this paper)"  # not "another plan of this name"


def _two_packs(root: Path) -> tuple[Path, Path, dict[str, bytes]]:
    """Two made-up plans, and the pack of the first written at root/board.pdf (.html)."""
    from tests.fixtures import write_results

    first = write_results(root / "first", seed=7)
    second = write_results(root / "second", seed=8, n_sites=20)
    report(first, root / "board.pdf")
    return first, second, {name: (root / name).read_bytes()
                           for name in ("board.pdf", "board.html")}


def _packs(root: Path) -> dict[str, bytes]:
    return {name: (root / name).read_bytes() for name in ("board.pdf", "board.html")}


@pytest.mark.usefixtures("ctrl_c_raises")
def test_ctrl_c_while_the_page_is_made_leaves_both_files_of_the_previous_pack(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C landing while the HTML twin is made, the PDF made already: both are the
    previous plan's still, never the PDF of one plan beside the page of another."""
    _, second, before = _two_packs(tmp_path)
    real = Path.write_text

    def interrupted(path: Path, *args: Any, **kwargs: Any) -> int:
        written = real(path, *args, **kwargs)
        if path.name.startswith(".board.html."):
            os.kill(os.getpid(), signal.SIGINT)
        return written

    monkeypatch.setattr(Path, "write_text", interrupted)
    with pytest.raises(KeyboardInterrupt):
        report(second, tmp_path / "board.pdf")
    monkeypatch.undo()
    assert _packs(tmp_path) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.usefixtures("ctrl_c_raises")
def test_ctrl_c_as_the_pack_is_put_in_place_leaves_both_files_new(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C landing just after the PDF is renamed into place: the page follows it
    before the interrupt takes effect, and the command line says both were written."""
    _, second, before = _two_packs(tmp_path)
    real = os.replace

    def replace(src: Any, dst: Any) -> None:
        real(src, dst)
        if Path(dst).name == "board.pdf" and str(src).endswith(".tmp"):
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(os, "replace", replace)
    run = invoke(tmp_path, "report", second, "--out", "board.pdf")
    monkeypatch.undo()
    after = _packs(tmp_path)
    assert all(after[name] != before[name] for name in after)
    assert run.code == 130
    said = " ".join(run.output.split())
    assert "board.pdf and board.html were written" in said and "whole" in said
    assert "untouched" not in said


def _site_tables(page: Page) -> dict[str, Table]:
    """The Where page's tables of sites, by caption up to its count."""
    return {b.caption.split(" (")[0]: b for b in page.blocks
            if isinstance(b, Table) and b.header[0] == "Site"}


def test_a_national_plan_s_site_tables_say_each_site_s_area(tmp_path: Path) -> None:
    """A plan made area by area names each site's area beside it, in the sites that close
    and the shared centres, and after its id in the decision's sentences: both closing
    sites are "Civic Centre", told apart by area. An area named as a formula and markup
    is its text in the PDF and inert in the page."""
    folder = planned_two_areas(tmp_path)
    r = read_results(folder)
    words = unmarked(decision(r))
    assert "Civic Centre (N1, North)" in words and f"Civic Centre (S1, {HOSTILE_AREA})" in words
    closed = _site_tables(where_page(r))["Sites that close"]
    assert closed.header == ("Site", "Area", "Agency", "Cost a year", "Desks")
    assert {row[0]: row[1] for row in unmarked(closed.rows)} == {
        "Civic Centre (N1)": "North", "Civic Centre (S1)": HOSTILE_AREA}
    assert sum(closed.widths) == pytest.approx(1.0)
    # a shared centre at the south's depot: the centres' table says its area too
    sites = r.sites.assign(shared_types=np.where(r.sites["site_id"] == "S2", "HR", ""))
    pooled = dataclasses.replace(r, sites=sites, summary=dataclasses.replace(
        r.summary, shared_centres=1))
    centres = _site_tables(where_page(pooled))["Shared service centres"]
    assert centres.header == ("Site", "Area", "Work pooled there")
    assert unmarked(centres.rows) == (("Depot (S2)", HOSTILE_AREA, "HR"),)
    pdf, html = report(folder, tmp_path / "board.pdf")
    assert _flat(HOSTILE_AREA) in _flat("\n".join(_pdf_pages(pdf)))
    page = html.read_text(encoding="utf-8")
    assert escape(HOSTILE_AREA, {'"': "&quot;"}) in page and HOSTILE_AREA not in page
    assert "<script>alert(1)" not in page


def test_a_single_locality_s_site_tables_have_no_area_column(pack: dict[str, Any]) -> None:
    r = read_results(pack["folder"])
    tables = _site_tables(where_page(r))
    assert tables and all("Area" not in t.header for t in tables.values())
    assert re.search(r"\(S\d+\)", unmarked(decision(r))), "a site named by its id alone"


def test_a_saving_no_programme_can_realise_is_said_on_page_one(tmp_path: Path) -> None:
    """Planned from a start date without a programme, T moves from O (£300k a year) to the
    candidate C, which takes two years to build: the snapshot prices O's closing from
    year 1, when T could leave, but T can sit at C only from year 2. The NPV saving
    leaves that year out, estate plan warns of it, and the pack's first page says it
    beside the saving it qualifies, not only among the assumptions."""
    case = hub_still_building_case(tmp_path / "register")
    estate.plan(case.prep.scenario, out=tmp_path / "results", map_path=False)
    r = read_results(tmp_path / "results")
    caveats = [b.text for b in decision_page(r).blocks if isinstance(b, Text)
               and b.kind == "item"]
    early = [c for c in caveats if c.startswith("The NPV saving leaves out £")]
    assert len(early) == 1 and "of closing O before the teams housed there could sit " \
        "where the plan moves them" in early[0], caveats
    assert early[0].endswith("; a dated programme of the plan says in which year each "
                             "change can happen, and may choose another plan that realises "
                             "more.") and "--programme" not in early[0], early
    assert not any("other warning" in c or "with 1 warning" in c for c in caveats), caveats


def test_the_decision_says_a_sale_after_the_horizon_beside_the_payback_it_makes(
        tmp_path: Path) -> None:
    """O closes in year 1 and its £300k sale arrives three years later, after the
    three-year horizon: the decision's "net receipts ... so it pays back at once" counts
    the sale, which the NPV does not, and says so in the same paragraph."""
    case = late_sale_case(tmp_path / "register", 3)
    estate.plan(case.prep.scenario, out=tmp_path / "results", map_path=False)
    said = decision(read_results(tmp_path / "results"))
    assert "would pay back at once. £300.0k of the sales arrive after the horizon: in the " \
        "one-off " \
        "cost and the payback if every change were made in year 1, not in an NPV nor in the " \
        "dated programme's payback." in unmarked(said), said


def test_the_pack_s_side_by_side_says_a_loss_as_a_cost(pack: dict[str, Any]) -> None:
    """A compared scenario that loses money: its NPV saving and saving a year read as
    costs, as page 1 says them, never -£1.11m."""
    from estate.render.report_comparison import comparison_page

    r = read_results(pack["folder"])
    base = {k: str(v) for k, v in r.summary.flat().items()
            if not k.startswith(("programme", "year_one", "lease_cost"))}
    losing = {**base, "scenario": "Losing", "npv_saving": "-1110000",
              "annual_saving": "-699000"}
    page = comparison_page(pd.DataFrame([base, losing]), r)
    table = next(b for b in page.blocks if isinstance(b, Table))
    cells = {str(row[0]): [str(c) for c in row[1:]] for row in unmarked(table.rows)}
    assert cells["NPV saving"][1] == "none; costs £1.11m more", cells
    assert cells["Saving a year"][1] == "none; costs £699.0k more", cells


def test_the_new_sites_beyond_the_first_few_are_counted_with_a_thousands_comma() -> None:
    """The decision's sentence names four new sites and counts the rest as the pack's
    other counts are written ("1,001 more", not "1001 more")."""
    from estate.render.report_pages import _names

    opened = pd.DataFrame({"site_id": [f"N{i}" for i in range(1_005)],
                           "name": [f"New {i}" for i in range(1_005)]})
    said = re.sub("[\u2068\u2069]", "", _names(opened, 4, {}))  # the names' isolates
    assert said.startswith("New 0 (N0); New 1 (N1); New 2 (N2); New 3 (N3); and "), said
    assert said.endswith("and 1,001 more"), said


@pytest.mark.parametrize(("total", "named"), [(4, 4), (5, 5), (6, 4), (3, 3)])
def test_a_list_never_ends_with_one_more_it_could_have_named(total: int, named: int) -> None:
    """"...; and 1 more" hid the site a board needed (the shared centre whose lease the
    plan takes as renewed, a review): a list of at most four names all five when the
    fifth is the only one left, and counts only when two or more are left."""
    from estate.render.report_pages import _names

    sites = pd.DataFrame({"site_id": [f"N{i}" for i in range(total)],
                          "name": [f"New {i}" for i in range(total)]})
    said = re.sub("[\u2068\u2069]", "", _names(sites, 4, {}))
    assert [f"N{i}" in said for i in range(total)] == [i < named for i in range(total)], said
    assert "1 more" not in said
    assert said.endswith(f"and {total - named} more" if named < total else f"(N{total - 1})")


def test_scenarios_side_by_side_say_when_the_runs_do_not_settle_their_order(
        pack: dict[str, Any]) -> None:
    """Two plans £5k apart, one within 0.82% of its cheapest: which scenario is cheaper
    may change, and the pack says so as estate compare's page does (it set the two side
    by side with no word of it, a review). Two proven plans are settled."""
    from estate.render.report_comparison import comparison_page

    r = read_results(pack["folder"])
    base = {k: str(v) for k, v in r.summary.flat().items()
            if not k.startswith(("programme", "year_one", "lease_cost"))}
    loose = {**base, "scenario": "Loose", "objective_npv": "10000000", "mip_gap": "0.0082"}
    tight = {**base, "scenario": "Tight", "objective_npv": "10005000", "mip_gap": "0.00072"}
    said = unmarked(" ".join(b.text for b in comparison_page(
        pd.DataFrame([loose, tight]), r).blocks if isinstance(b, Text)))
    assert "Not settled by these runs: \u201cLoose\u201d, \u201cTight\u201d (£5.0k apart; their " \
        "plans may be up to 0.82% and 0.072% above their cheapest)" in said, said
    proven = [{**row, "mip_gap": "0"} for row in (loose, tight)]
    said = " ".join(b.text for b in comparison_page(pd.DataFrame(proven), r).blocks
                    if isinstance(b, Text))
    assert "Not settled" not in said


def test_beside_a_dated_plan_the_glossary_says_what_dated_means(pack: dict[str, Any]) -> None:
    """An undated plan's pack set beside a dated one (`--compare`) used "the dated
    programme" and "if every change were made in year 1" with no entry for them, and its
    Payback entry said "without discounting" beside a discounted dated payback (a
    review)."""
    r = dataclasses.replace(read_results(pack["folder"]), programme=None)
    alone = dict(terms(r))
    assert "Dated programme" not in alone and "A dated programme's payback" not in alone["Payback"]
    beside = dict(terms(r, compared_dated=True))
    assert beside["Dated programme"].startswith("A plan scheduled year by year from a start date")
    assert "If every change were made in year 1" in beside
    assert "A dated programme's payback is instead the first year" in beside["Payback"]


def test_the_warnings_table_gives_each_warning_whole(leased: dict[str, Any]) -> None:
    """A lease taken as renewed is a 342-character warning, cut at 300 mid-sentence in
    the table, and a warning said as a sentence left "What was expected" blank (a
    review): each is given whole, with what was expected."""
    from estate.errors import Problem, ProblemKind

    r = read_results(leased["folder"])
    renewed = Problem("sites.csv", 4, "lease_end", "a lease that runs to the horizon's last "
                      "day", "2030-03-31: the lease of S3 ends within the horizon and the "
                      "plan keeps the site, so its running cost is taken to stay at today's "
                      "level after then, as if the lease were renewed on the same terms; if "
                      "it may not be, plan a scenario without the site and compare "
                      "(policy.close, or for a must_keep site its flag cleared in a copy of "
                      "the register)", severity="warning", kind=ProblemKind.LEASE_RENEWED)
    start = Problem("scenario.toml", None, "start", "a start date (start = \"2027-04-01\") "
                    "to price leases", "no start date", severity="warning", label="key",
                    sentence="No start date, so the plan counts none of the leases.")
    r = dataclasses.replace(r, warnings=[renewed, start])
    table = next(b for b in assumptions_page(r).blocks if isinstance(b, Table)
                 and b.caption.startswith("Warnings the plan was made with"))
    assert len(renewed.found) > 300
    assert table.rows[0][1:] == (renewed.found, renewed.expected)
    assert table.rows[1][1:] == (start.sentence, start.expected)
