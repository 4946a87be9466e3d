"""`estate compare`: rows equal single plans, stored results are reused, the compensation
what-if leaves nobody worse off, and register text is inert in every page."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import hashlib
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import estate
import estate.api
import estate.runs.compare
import estate.runs.compare_tables
import estate.runs.national
import estate.store
import estate.store.register_used
from estate.api import compare
from estate.errors import InputError
from estate.render.html import inert, script_json
from estate.runs.compare import agency_gains, compensate
from estate.runs.compare_tables import write_csv
from estate.signals import Interrupted
from estate.status import Status
from tests.fixtures import (
    HOSTILE_AREA,
    PAYLOAD,
    TOWN_SCENARIO,
    coverage_register,
    invoke,
    loser_register,
    merge,
    no_traceback,
    scenario_on,
    town,
    town_rows,
    two_areas_register,
    write_scenario,
    write_tables,
    write_xlsx,
)
from tests.fixtures.browser import open_page
from tests.fixtures.registers import two_offices_register

COVERAGE = [{"service": "public_access", "radius_km": 3.0, "mode": "maintain"}]
SCENARIO_PAYLOAD = "<img src=x onerror=alert(1)>${alert(2)}`../../x"


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Three scenarios on two registers (one with hostile names), compared once."""
    root = tmp_path_factory.mktemp("compare")
    hostile = coverage_register(root / "hostile", agency_b_name=PAYLOAD, site_name=PAYLOAD)
    losers = loser_register(root / "losers")
    paths = [
        write_scenario(root / "models" / "kept.toml", scenario_on(
            hostile, "Kept", coverage=COVERAGE, policy={"keep": ["S2"]})),
        write_scenario(root / "models" / "open.toml", scenario_on(hostile, SCENARIO_PAYLOAD)),
        write_scenario(root / "models" / "loser.toml", scenario_on(
            losers, "Loser", policy={"keep": ["S1"]})),
    ]
    runs = compare(paths, out=root / "out", results_root=root / "results")
    return {"root": root, "paths": paths, "runs": runs, "out": root / "out"}


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def _number(text: str) -> float:
    return float(text) if text != "" else math.nan


def test_rows_equal_single_plans(tmp_path: Path, solver: str) -> None:
    data = coverage_register(tmp_path / "register")
    raws = [scenario_on(data, "Kept", coverage=COVERAGE, policy={"keep": ["S2"]},
                          solver={"name": solver}),
            scenario_on(data, "Open", solver={"name": solver})]
    paths = [write_scenario(tmp_path / f"m{i}.toml", raw) for i, raw in enumerate(raws)]
    compare(paths, out=tmp_path / "out", results_root=tmp_path / "results")
    rows = _csv_rows(tmp_path / "out" / "comparison.csv")
    assert [r["scenario"] for r in rows] == ["Kept", "Open"]
    for path, row in zip(paths, rows, strict=True):
        single = estate.plan(estate.load_scenario(path), write=False).summary.to_json()
        assert _number(row["objective_npv"]) == pytest.approx(single["objective_npv"], abs=0.01)
        assert _number(row["npv_saving"]) == pytest.approx(single["npv_saving"], abs=0.01)
        for agency_id, info in single["agencies"].items():
            for field in ("annual_cost_before", "annual_cost_after", "one_off_cost"):
                assert _number(row[f"agency.{agency_id}.{field}"]) == pytest.approx(
                    info[field], abs=0.01)
            assert row[f"agency.{agency_id}.worse_off"] == ("true" if info["worse_off"] else "false")
        priced = estate.plan(estate.load_scenario(path), write=False,
                             policy_costs=True).summary.policy_costs
        for name, entry in priced.items():
            cell = row[f"policy_cost.{name}"]
            if entry.npv is None:
                assert cell == ""
            else:
                assert _number(cell) == pytest.approx(entry.npv, abs=1.0)


def test_every_summary_key_is_a_column(setup: dict[str, Any]) -> None:
    rows = _csv_rows(setup["out"] / "comparison.csv")
    summary = json.loads((setup["root"] / "results" / "Kept" / "summary.json").read_text())
    columns = set(rows[0])
    for key in summary:
        if key in ("agencies", "policy_costs", "model_size"):
            continue
        assert key in columns, key
    assert {"agency.A.name", "agency.B.annual_cost_after", "policy_cost.coverage.0",
            "policy_cost.must_keep", "model_size.columns"} <= columns
    assert rows[0]["policy_cost.coverage.0"] == "999000"
    assert rows[0]["policy_cost.policy.close"] == "0"  # not set: costs nothing


def test_the_runs_columns_come_last_after_a_key_only_a_later_row_has(
        tmp_path: Path) -> None:
    """A key only the second scenario has (a second coverage rule's policy cost) goes
    before results_dir, reused, message and the register's columns, not after them; the
    first row's cell is empty."""
    table = [{"scenario": "a", "policy_cost.coverage.0": 1.0, "results_dir": "r/a",
              "reused": False, "message": ""},
             {"scenario": "b", "policy_cost.coverage.0": 2.0, "policy_cost.coverage.1": 3.0,
              "results_dir": "r/b", "reused": True, "message": "m"}]
    write_csv(table, tmp_path / "c.csv")
    header, first, _ = (tmp_path / "c.csv").read_text(encoding="utf-8-sig").splitlines()
    assert header.split(",") == ["scenario", "policy_cost.coverage.0",
                                 "policy_cost.coverage.1", "results_dir", "reused", "message",
                                 "scenario_file", "register", "register_path",
                                 "register_sha256"]
    assert first.split(",")[2] == ""


def test_second_compare_reuses_stored_results(setup: dict[str, Any],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    root = setup["root"]
    assert not any(run.reused for run in setup["runs"])
    stamps = {p: p.stat().st_mtime_ns for p in (root / "results").rglob("summary.json")}
    assert len(stamps) == 3
    assert all(p.parent.parent == root / "results" for p in stamps)  # a name is no path
    solves = []
    real = estate.runs.national.plan_locality
    monkeypatch.setattr(estate.runs.national, "plan_locality",
                        lambda *a, **k: solves.append(a) or real(*a, **k))
    reads: list[Path] = []  # each stored folder read and checked once for all four files
    real_check = estate.store.check_tables
    monkeypatch.setattr(estate.store, "check_tables",
                        lambda folder, *a, **k: reads.append(folder) or real_check(folder, *a, **k))
    runs = compare(setup["paths"], out=root / "again", results_root=root / "results")
    assert [run.reused for run in runs] == [True, True, True]
    assert solves == []
    assert sorted(reads) == sorted(run.results_dir for run in runs)
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps
    assert _csv_rows(root / "again" / "comparison.csv")[0]["objective_npv"] == \
        _csv_rows(setup["out"] / "comparison.csv")[0]["objective_npv"]


def test_changed_scenario_or_register_is_solved_again(tmp_path: Path) -> None:
    data = coverage_register(tmp_path / "register")
    path = write_scenario(tmp_path / "a.toml", scenario_on(data, "A"))
    kwargs = {"out": tmp_path / "out", "results_root": tmp_path / "results"}
    assert not compare([path], **kwargs)[0].reused
    assert compare([path], **kwargs)[0].reused
    write_scenario(path, scenario_on(data, "A", relocation={"cost_per_fte": 200.0}))
    assert not compare([path], **kwargs)[0].reused
    assert compare([path], **kwargs)[0].reused
    sites = pd.read_csv(data / "sites.csv", dtype=str, keep_default_na=False)
    sites.loc[sites["running_cost"] == "50000", "running_cost"] = "50001"
    sites.to_csv(data / "sites.csv", index=False)
    run = compare([path], **kwargs)[0]
    assert not run.reused
    assert run.summary.annual_cost_before == pytest.approx(262_001)


def test_compensation_rule() -> None:
    comp = compensate({"A": 150.0, "B": -70.0, "C": 50.0, "D": 0.0})
    assert comp.possible
    assert comp.transfers["B"] == pytest.approx(70.0)
    assert comp.transfers["A"] == pytest.approx(-150.0 * 70 / 200)
    assert comp.transfers["C"] == pytest.approx(-50.0 * 70 / 200)
    assert "D" not in comp.transfers
    assert sum(comp.transfers.values()) == pytest.approx(0.0, abs=1e-9)
    assert all(v >= -1e-9 for v in comp.after.values())
    assert comp.after["A"] / 150.0 == pytest.approx(comp.after["C"] / 50.0)
    # the share said is rounded up, so that paid it covers the losses: 294 of 6,103 is
    # 4.817%, and 4.8% of the gains falls £1.1k short (a review)
    said = compensate({"A": 6103.0, "B": -294.0}).note
    assert said.endswith("each gainer pays 4.9% of its gain"), said
    # at one decimal whatever its size: 10.01% is 10.1%, not 11% (a review)
    for lost, share in ((1001.0, "10.1%"), (1000.0, "10.0%"), (1501.0, "15.1%")):
        said = compensate({"A": 10_000.0, "B": -lost}).note
        assert said.endswith(f"each gainer pays {share} of its gain"), said

    short = compensate({"A": 50.0, "B": -70.0})
    assert not short.possible and short.transfers == {}
    assert "not possible" in short.note and "£20" in short.note
    assert compensate({"A": 5.0, "B": 0.0}).transfers == {}


def test_compensation_on_a_plan_leaves_nobody_worse_off(setup: dict[str, Any]) -> None:
    """The loser register: B is worse off by £70k a year, A gains £150k (its docstring)."""
    loser = setup["runs"][2].summary
    assert loser.agencies["B"].worse_off is True
    for basis in ("annual", "npv"):
        gains = agency_gains(loser, basis)
        comp = compensate(gains, basis)
        assert comp.possible
        assert sum(comp.transfers.values()) == pytest.approx(0.0, abs=1e-6)
        assert min(comp.after.values()) >= -1e-6
        assert sum(comp.after.values()) == pytest.approx(sum(gains.values()))
    annual = compensate(agency_gains(loser, "annual"))
    assert annual.transfers == pytest.approx({"B": 70_000.0, "A": -70_000.0})
    assert sum(agency_gains(loser, "npv").values()) == pytest.approx(loser.npv_saving)
    page = (setup["out"] / "comparison.html").read_text(encoding="utf-8")
    assert "receives £70.0k" in page and "pays £70.0k" in page
    assert "(worse off)" in page
    # each table's name for a screen reader says its basis as the heading does (NPV,
    # not "npv")
    name = setup["runs"][2].scenario.name
    assert f"{name}\u2069: compensation, NPV over the horizon" in page, page
    assert f"{name}\u2069: compensation, a year" in page


def test_the_pages_headings_isolate_each_scenarios_name(setup: dict[str, Any]) -> None:
    """comparison.html's h1 and both pages' titles join the scenarios' names: each is
    isolated (a <bdi>; the isolate marks in a title, which holds no element), so a second
    name in Arabic or Hebrew is not drawn before the first, nor takes the comma."""
    page = (setup["out"] / "comparison.html").read_text(encoding="utf-8")
    heading = re.search(r"<h1>(.*?)</h1>", page)
    assert heading and heading.group(1).startswith(
        "Scenario comparison: <bdi>Kept</bdi>, <bdi>")
    assert "<title>Scenario comparison: \u2068Kept\u2069, \u2068" in page
    mapped = (setup["out"] / "comparison_map.html").read_text(encoding="utf-8")
    assert "<title>Estate comparison: \u2068Kept\u2069, \u2068" in mapped


def test_pages_keep_register_text_inert(setup: dict[str, Any]) -> None:
    page = (setup["out"] / "comparison.html").read_text(encoding="utf-8")
    assert "<script" not in page  # the page has no script at all
    assert "<img" not in page and "${" not in page and "`" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    escaped = ("&lt;img src=x onerror=alert(1)&gt;&#36;&#123;alert(2)&#125;&#96;&lt;/script&gt;"
               "&lt;script&gt;alert(3)&lt;/script&gt;")
    assert f'<th scope="row"><bdi>{escaped}</bdi> <span' in page  # agency B's name, who gains
    mapped = (setup["out"] / "comparison_map.html").read_text(encoding="utf-8")
    assert "<img" not in mapped
    assert "</script><script>alert(3)" not in mapped
    scripts = re.findall(r"<script[^>]*>", mapped)
    assert all("src=" not in tag for tag in scripts), "no asset is loaded from anywhere"
    assert "https://cdn" not in mapped and "unpkg.com" not in mapped
    for option in re.findall(r"<option[^>]*>([^<]*)</option>", mapped):
        assert not set(option) & set("<>`${}\\")
    assert f'<option value="1">{inert(SCENARIO_PAYLOAD)}</option>' in mapped


def test_the_comparison_words_each_plan_as_estate_plan_does(setup: dict[str, Any]) -> None:
    """How good each plan is, its one-off and its payback read on the comparison (page and
    terminal) as `estate plan` prints them, never "optimal" for a plan within a gap nor a
    negative one-off for net receipts."""
    from rich.console import Console

    from estate.render.compare_page import terminal_table
    from estate.render.text import summary_lines

    console = Console(width=400, record=True)
    console.print(terminal_table(setup["runs"]))
    terminal = console.export_text()
    page = (setup["out"] / "comparison.html").read_text(encoding="utf-8")
    for run in setup["runs"]:
        printed = {line.split(":", 1)[0]: line.split(":", 1)[1].strip()
                   for line in summary_lines(run.summary)}
        quality = printed["Status"].rsplit(", ", 2)[0]  # less its seconds and solver
        one_off = printed["One-off cost"].split(" (")[0]
        payback = printed["Payback"].split(" (")[0]
        for said in (quality, one_off, payback):
            assert inert(said) in page, (said, run.scenario.name)
            assert said in terminal, (said, terminal)
    assert "net receipts" in page or "to spend once" in page


def test_a_long_name_heads_the_terminal_table_cut(setup: dict[str, Any]) -> None:
    """A name of 45,000 characters folded into 2,024 lines before the first figure: the
    head is cut at `MOST_NAME` characters, and the figures follow within a screen."""
    import dataclasses

    from rich.console import Console

    from estate.render.compare_page import MOST_NAME, terminal_table

    first, *rest = setup["runs"]
    named = dataclasses.replace(first, scenario=dataclasses.replace(
        first.scenario, name="Scenario name " * 3300))
    console = Console(width=120, record=True)
    console.print(terminal_table([named, *rest]))
    lines = console.export_text().splitlines()
    status = next(i for i, line in enumerate(lines) if "How good" in line or "Status" in line)
    assert status < 40, lines[:5]
    assert "".join(c for line in lines[:status] for c in line if c.isalpha()).count(
        "Scenarioname") <= MOST_NAME // len("Scenario name")


def _map_setup(mapped: str) -> dict[str, Any]:
    """What the comparison map gives its switcher (`estateCompare.start`)."""
    match = re.search(r"estateCompare\.start\((\w+), (\w+), (\{.*?\})\);\n", mapped)
    assert match, "the switcher is on the map"
    setup: dict[str, Any] = json.loads(match.group(3))
    return setup


def test_map_has_a_group_per_scenario_and_the_differing_sites(setup: dict[str, Any]) -> None:
    mapped = (setup["out"] / "comparison_map.html").read_text(encoding="utf-8")
    assert mapped.count("estateMap.addPlan(") == 3
    for name in ("Kept", "Loser", SCENARIO_PAYLOAD):
        assert script_json(inert(f"{name}: Sites after"))[1:-1] in mapped
    drawn = _map_setup(mapped)
    diff = drawn["differing"]
    # Kept keeps every site of the hostile register; the other scenario closes S1 and S2
    assert diff["id"] == ["S1", "S2"]
    assert diff["name"][0] == PAYLOAD
    assert diff["decisions"][0] == [["Kept", "kept"], [SCENARIO_PAYLOAD, "closed"]]
    assert drawn["ring"]["label"] == "Sites whose decision differs (2)"
    assert "Red rings: 2 sites whose decision differs" in mapped
    # the list writes each name in a <bdi> of its own, as the pages do (an Arabic site
    # name drew the scenario's name before it, and the colon inside it)
    listed = re.search(r'<details class="estate-compare-differing">.*?</details>', mapped)
    assert listed and f"<li>S1 <bdi>{inert(PAYLOAD)}</bdi>: <bdi>Kept</bdi> kept; " \
        f"<bdi>{inert(SCENARIO_PAYLOAD)}</bdi> closed</li>" in listed.group(0)


def test_map_lists_each_layer_kind_once_for_every_scenario(setup: dict[str, Any]) -> None:
    """Every layer a plan draws has a kind shared by all scenarios, named without the
    scenario's name, so one checkbox per kind serves whichever scenario is shown."""
    mapped = (setup["out"] / "comparison_map.html").read_text(encoding="utf-8")
    assert '<meta http-equiv="Content-Security-Policy" content="default-src' in mapped
    scenarios = _map_setup(mapped)["scenarios"]
    assert [s["name"] for s in scenarios] == ["Kept", SCENARIO_PAYLOAD, "Loser"]
    by_kind: dict[str, set[int]] = {}
    for k, scenario in enumerate(scenarios):
        lead = inert(scenario["name"]) + ": "
        for name, (kind, label, group) in scenario["kinds"].items():
            assert name.startswith(lead) and not label.startswith(scenario["name"] + ":")
            assert group == ("main" if kind in ("after", "moves") else
                             "agency" if kind.startswith("agency:") else "more")
            by_kind.setdefault(kind, set()).add(k)
    for kind in ("before", "after", "moves", "lost", "covered", "uncovered"):
        assert by_kind[kind] == {0, 1, 2}
    assert by_kind["agency:A"] == {0, 1, 2} and by_kind["agency:B"] == {0, 1, 2}
    # Kept alone has the coverage rule, so it alone draws its radius
    assert [k for k in by_kind if k.startswith("rule:")] == ["rule:Radius of rule coverage.0: "
                                                            "public access within 3 km"]
    kept = {kind: label for kind, label, _ in scenarios[0]["kinds"].values()}
    assert kept["after"] == "Sites after (4 in use, 0 closed)"
    assert kept["agency:B"] == "Agency: " + PAYLOAD  # text, which the script writes as text


def test_workbook_has_summary_agencies_and_policy_sheets(setup: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(setup["out"] / "comparison.xlsx")
    # on two registers: the note that says so first, where the workbook opens
    assert wb.sheetnames == ["notes", "summary", "agencies", "policy costs"]
    notes = [row[0] for row in wb["notes"].values]
    assert notes[0] == "note" and notes[1].startswith("These scenarios are planned on "
                                                      "different registers")
    summary = {row[0].value: [c.value for c in row[1:]] for row in wb["summary"].iter_rows()}
    assert summary["figure"] == ["Kept", SCENARIO_PAYLOAD, "Loser"]
    assert summary["objective_npv"][0] == pytest.approx(2_620_000)
    agencies = list(wb["agencies"].values)
    assert agencies[0][:3] == ("scenario", "agency_id", "name")
    assert ("Loser", "B") in {row[:2] for row in agencies}
    assert len(agencies) == 1 + 2 + 2 + 2
    # money in pounds, a gap as a percentage, counts as they are; the agencies filter
    shown = {row[0].value: row[1].number_format for row in wb["summary"].iter_rows(min_row=2)}
    pounds = '"£"#,##0;-"£"#,##0'
    assert {shown[f] for f in ("objective_npv", "status_quo_npv", "npv_saving",
                               "annual_cost_before", "annual_cost_after", "annual_saving",
                               "one_off_cost")} == {pounds}
    assert shown["mip_gap"] == shown["discount_rate"] == "0.00##%"
    assert {shown[f] for f in ("sites_before", "fte_relocated", "solve_seconds",
                               "horizon_years", "payback_years")} == {"General"}
    header = [c.value for c in wb["agencies"][1]]
    formats = dict(zip(header, [c.number_format for c in wb["agencies"][2]], strict=True))
    assert formats["annual_cost_before"] == formats["npv_saving"] == pounds
    assert formats["worse_off"] == "General" and wb["agencies"].auto_filter.ref == "A1:K7"


@pytest.mark.parametrize(("figure", "shown"), [
    ("alternatives.plans.1.npv_difference", "pounds"), ("areas.babergh.mip_gap", "percent"),
    ("alternative.optimum_mip_gap", "percent"), ("programme.budget.2.one_off_limit", "pounds"),
    ("areas.babergh.objective_npv", "pounds"), ("programme.budget.2.fte_limit", None),
    ("model_size.columns", None), ("payback_years", None)])
def test_a_nested_figure_is_formatted_by_its_last_part(figure: str, shown: str | None) -> None:
    """An area's gap or an alternative's difference in money was left General beside the
    plan's own gap and NPV, formatted (a review): a figure is known by its last part."""
    from estate.runs.compare_tables import PERCENT, POUNDS, number_format

    assert number_format(figure) == {"pounds": POUNDS, "percent": PERCENT, None: None}[shown]


def test_an_unproven_policy_cost_is_a_range_in_the_tables(setup: dict[str, Any],
                                                         tmp_path: Path) -> None:
    """A cost a time limit left unproven is its range in comparison.csv and .xlsx, not a
    single figure that reads as exact; a proven one is its cost at both ends."""
    import dataclasses

    from openpyxl import load_workbook

    from estate.results.policy_cost import PolicyCost, PolicyStatus
    from estate.runs.compare_tables import table_files
    from estate.store.file_set import write_files

    runs = [r for r in setup["runs"] if r.summary is not None][:2]
    assert runs[0].summary is not None and runs[1].summary is not None
    unproven = PolicyCost(PolicyStatus.PRICED, "costs between £4 and £9", 6.0, npv_low=4.0,
                          npv_high=9.0)
    proven = PolicyCost(PolicyStatus.PRICED, "costs £5", 5.0)
    runs = [dataclasses.replace(run, summary=run.summary.replace(
        policy_costs={"must_keep": entry})) for run, entry in zip(runs, (unproven, proven),
                                                                  strict=True)]
    write_files(table_files(runs, tmp_path, []))
    rows = _csv_rows(tmp_path / "comparison.csv")
    assert [(r["policy_cost.must_keep"], r["policy_cost.must_keep.low"],
             r["policy_cost.must_keep.high"]) for r in rows] == [("6", "4", "9"),
                                                                 ("5", "5", "5")]
    sheet = {row[0].value: [c.value for c in row[1:]]
             for row in load_workbook(tmp_path / "comparison.xlsx")["policy costs"].iter_rows()}
    assert sheet["must_keep (at least)"] == [4.0, 5.0]
    assert sheet["must_keep (at most)"] == [9.0, 5.0]
    # the difference of the plans found is not given as the cost where one is unproven
    assert sheet["must_keep (between the plans found)"] == [6.0, 5.0]
    assert "must_keep" not in sheet


def test_formula_looking_text_stays_text(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    data = loser_register(tmp_path / "register")
    agencies = data / "agencies.csv"
    agencies.write_text(agencies.read_text().replace("Agency B", "=HYPERLINK(1)")
                        .replace("Agency A", "'Brien House"))
    path = write_scenario(tmp_path / "a.toml", scenario_on(data, "F"))
    compare([path], out=tmp_path / "out", results_root=tmp_path / "results")
    row = _csv_rows(tmp_path / "out" / "comparison.csv")[0]
    assert row["agency.B.name"] == "'=HYPERLINK(1)"
    assert row["agency.A.name"] == "'Brien House"  # a quote before plain text, as it is
    wb = load_workbook(tmp_path / "out" / "comparison.xlsx")
    names = [c for c in wb["agencies"]["C"] if c.value in ("=HYPERLINK(1)", "'Brien House")]
    assert len(names) == 2 and all(c.data_type == "s" for c in names)
    # still text once edited in Excel, the quote of its own kept (Excel takes a leading
    # quote typed for the mark, and would drop it)
    assert all(c.quotePrefix for c in names)
    plain = [c for c in wb["agencies"][1] if c.value is not None]
    assert plain and not any(c.quotePrefix for c in plain)


def test_compare_where_no_results_folder_can_be_made_is_bad_input(tmp_path: Path) -> None:
    """A file named results where each scenario's results folder goes: exit 1 naming the
    folder, before any solve (it was "Unexpected error: FileExistsError", exit 4, from
    the first plan's lock)."""
    data = loser_register(tmp_path / "register")
    a = write_scenario(tmp_path / "models" / "a.toml", scenario_on(data, "A"))
    (tmp_path / "results").write_text("not a folder", encoding="utf-8")
    run = invoke(tmp_path, "compare", a, "--out", "cmp", "--no-policy-costs")
    assert run.code == 1, run.output
    assert "results/A, option the scenario's results folder (its name key): expected a " \
        "path in a folder, found results is a file" in run.stderr, run.stderr
    assert not (tmp_path / "cmp").exists()
    no_traceback(run)


def test_a_scenario_with_no_plan_is_warned_of_with_its_reasons(tmp_path: Path) -> None:
    """A compared scenario that no plan can meet was warned of on stderr with its first
    line alone ("The scenario is infeasible: no plan meets every rule."): the reasons,
    which estate plan prints, were only in comparison.csv and on the page."""
    town(tmp_path)
    town(tmp_path, changes={"name": "tiny inf", "policy": {"close": ["S1"]}, "coverage": [
        {"service": "public_access", "radius_km": 5, "mode": "maintain"}]}, name="inf.toml")
    alone = invoke(tmp_path, "plan", "inf.toml")
    assert alone.code == 2, alone.output
    reasons = [line.strip() for line in alone.stderr.splitlines() if line.startswith("  - ")]
    assert reasons, alone.stderr
    run = invoke(tmp_path, "compare", "tiny.toml", "inf.toml", "--no-policy-costs", "--out",
                 "cmp")
    assert run.code == 0, run.output
    said = run.stderr.splitlines()
    at = said.index("WARNING: tiny inf: infeasible: The scenario is infeasible: no plan "
                    "meets every rule.")
    assert [line.strip() for line in said[at + 1:at + 1 + len(reasons)]] == reasons
    # the rules to relax, which estate plan names last, are said too (and kept in the row)
    relax = alone.stderr.split("Relax the rules named above (", 1)[1].split(")", 1)[0]
    assert "policy.close" in relax, alone.stderr
    assert f"- the rules to relax: {relax}" in run.stderr, run.stderr
    with open(tmp_path / "cmp" / "comparison.csv", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert rows[1]["message"].endswith(f"the rules to relax: {relax}"), rows[1]
    no_traceback(run)


def test_ctrl_c_in_a_comparison_says_which_results_it_replaced(tmp_path: Path) -> None:
    """Ctrl-C while the second scenario is planned (raised where the first line of its
    planning is told, as a signal's handler raises it wherever Python is): A's results
    are new and in place, and the words say so (they said "previous results are
    untouched"); the comparison's files are not written."""
    data = loser_register(tmp_path / "register")
    a = write_scenario(tmp_path / "a.toml", scenario_on(data, "A"))
    b = write_scenario(tmp_path / "b.toml", scenario_on(data, "B", policy={"keep": ["S1"]}))

    def stop_at_b(line: str) -> None:
        if line.startswith("B:"):
            raise KeyboardInterrupt

    with pytest.raises(Interrupted) as caught:
        compare([a, b], out=tmp_path / "cmp", results_root=tmp_path / "results",
                progress=stop_at_b, policy_costs=False)
    said = caught.value.message
    assert said.startswith("Interrupted; the results of 1 scenario planned so far are in "
                           f"place, replacing the previous ({tmp_path / 'results' / 'A'})"), said
    assert said.endswith("no file of the comparison was written or changed; run it again "
                         "to reuse the plans."), said
    assert (tmp_path / "results" / "A" / "summary.json").exists()
    assert not (tmp_path / "results" / "B").exists() and not (tmp_path / "cmp").exists()


def test_cli_compare(tmp_path: Path) -> None:
    data = loser_register(tmp_path / "register")
    a = write_scenario(tmp_path / "models" / "a.toml", scenario_on(data, "[red]A"))
    b = write_scenario(tmp_path / "models" / "b.toml",
                       scenario_on(data, "B", policy={"keep": ["S1"]}))
    run = invoke(tmp_path, "compare", a, b, "--out", "cmp")
    assert run.code == 0, run.output
    assert "[red]A" in run.output  # a name, not rich markup
    assert "Policy cost: policy.keep" in run.output
    for name in ("comparison.csv", "comparison.xlsx", "comparison.html",
                 "comparison_map.html"):
        assert (tmp_path / "cmp" / name).stat().st_size > 0
    assert (tmp_path / "results" / "B" / "summary.json").exists()
    # one register: no word of registers, and the same one recorded on each row
    assert "register" not in run.output
    assert "different registers" not in (tmp_path / "cmp" / "comparison.html").read_text(
        encoding="utf-8")
    rows = _csv_rows(tmp_path / "cmp" / "comparison.csv")
    assert {r["register_path"] for r in rows} == {str(data.resolve())}


def _fingerprint(register: Path) -> str:
    """The SHA-256 of `sha256sum`'s lines for the register's CSV files, in name order."""
    lines = "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n"
                    for p in sorted(register.glob("*.csv")))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def _count_calls(monkeypatch: pytest.MonkeyPatch, real: Callable[..., str],
                 key: Callable[[Any], str]) -> Counter[str]:
    """Calls of the function `real` counted by `key` of its first argument: every name
    estate's modules have for it becomes a spy that counts the call, then makes it."""
    calls: Counter[str] = Counter()

    def spy(first: Any, *args: Any, **kwargs: Any) -> str:
        calls[key(first)] += 1
        return real(first, *args, **kwargs)

    for name, module in list(sys.modules.items()):
        if name == "estate" or name.startswith("estate."):
            for attribute, value in list(vars(module).items()):
                if value is real:
                    monkeypatch.setattr(module, attribute, spy)
    return calls


def test_a_register_is_fingerprinted_once_a_comparison(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Two scenarios on one register, compared twice: planned the first time, reused the
    second. Each time its files are hashed as it is read, before and after
    (`read_unchanged`: twice, however many scenarios name it), and their fingerprint
    taken once, for comparison.csv, for judging whether the stored folders are fresh, and
    for the inputs.sha256 each new folder records; what they record is still the hash of
    the files, worked out here by hand."""
    data = coverage_register(tmp_path / "register")
    paths = [write_scenario(tmp_path / "a.toml", scenario_on(data, "A")),
             write_scenario(tmp_path / "b.toml", scenario_on(data, "B",
                                                             policy={"keep": ["S2"]}))]
    lines = "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n"
                    for p in sorted(data.glob("*.csv")))
    kwargs = {"out": tmp_path / "out", "results_root": tmp_path / "results"}
    for reused in (False, True):
        hashed = _count_calls(monkeypatch, estate.store.inputs_sha256,
                              lambda folder: str(Path(folder).resolve()))
        fingerprinted = _count_calls(monkeypatch, estate.store.register_used.fingerprint, str)
        runs = compare(paths, **kwargs)
        assert [run.reused for run in runs] == [reused, reused]
        assert hashed == {str(data.resolve()): 2}
        assert fingerprinted == {lines: 1}
        monkeypatch.undo()
        for name in ("A", "B"):
            assert (tmp_path / "results" / name / "inputs.sha256").read_text(
                encoding="utf-8") == lines
        rows = _csv_rows(tmp_path / "out" / "comparison.csv")
        assert [r["register_sha256"] for r in rows] == [_fingerprint(data)] * 2


def test_scenarios_on_different_registers_are_said_not_to_be_like_for_like(
        tmp_path: Path) -> None:
    """Two registers (the second's folder name is markup): the terminal warns, the page
    says it with each register as its scenario file gives it (escaped), and each row of
    comparison.csv records its scenario file, register path as given and absolute, and
    the fingerprint of the register's files. The second register is the first with one
    running cost changed; a copy of the first in another folder is the same register
    (the same files) and is not warned of."""
    one = loser_register(tmp_path / "one")
    odd = loser_register(tmp_path / "reg <b>&x")
    costs = odd / "sites.csv"
    text = costs.read_text(encoding="utf-8")
    assert text.count("80000") == 1
    costs.write_text(text.replace("80000", "90000"), encoding="utf-8")
    write_scenario(tmp_path / "models" / "a.toml", {**scenario_on(one, "A"), "data": "../one"})
    write_scenario(tmp_path / "models" / "b.toml",
                   {**scenario_on(odd, "B"), "data": "../reg <b>&x"})
    run = invoke(tmp_path, "compare", "models/a.toml", "models/b.toml", "--no-policy-costs",
                 "--out", "cmp")
    assert run.code == 0, run.output
    said = ("These scenarios are planned on different registers, so their figures are not "
            "like-for-like: each status quo, and so each saving, is of a different estate "
            "(\u201cA\u201d: data = ../one in models/a.toml; \u201cB\u201d: data = ../reg "
            "<b>&x in models/b.toml). Compare scenarios whose data is the same register.")
    assert f"WARNING: {said}" in " ".join(run.stderr.split()), run.stderr
    page = (tmp_path / "cmp" / "comparison.html").read_text(encoding="utf-8")
    assert f'<p class="warn">{inert(said)}</p>' in page
    assert "<b>&x" not in page
    # the workbook opens on the notes: a figure copied from it is not read without them
    from openpyxl import load_workbook
    book = load_workbook(tmp_path / "cmp" / "comparison.xlsx")
    assert book.sheetnames[0] == "notes"
    assert [row[0] for row in book["notes"].values] == ["note", said]
    assert book["notes"].freeze_panes == "A2"  # the wrapped notes scroll sideways whole
    rows = _csv_rows(tmp_path / "cmp" / "comparison.csv")
    assert [(r["scenario_file"], r["register"], r["register_path"], r["register_sha256"])
            for r in rows] == [
        ("models/a.toml", "../one", str(one.resolve()), _fingerprint(one)),
        ("models/b.toml", "../reg <b>&x", str(odd.resolve()), _fingerprint(odd))]
    copied = shutil.copytree(one, tmp_path / "copied")
    write_scenario(tmp_path / "models" / "c.toml", {**scenario_on(copied, "C"),
                                                    "data": "../copied"})
    run = invoke(tmp_path, "compare", "models/a.toml", "models/c.toml", "--no-policy-costs",
                 "--out", "cmp_copy")
    assert run.code == 0 and "registers" not in run.stderr, run.output


def _said(stderr: str) -> list[str]:
    """The problems an `InputError` lists on stderr, one a line."""
    return [line.removeprefix("  - ") for line in stderr.splitlines() if line.startswith("  - ")]


def test_the_errors_of_two_registers_name_each_register(tmp_path: Path) -> None:
    """Four registers whose files share their names (a folder and its copy elsewhere, a
    workbook reg.xlsx in two folders), each with one slip (desks 'lots' at the sites'
    row 3), compared: each error names its register by its path from the current
    folder, so no two read alike, and the file and row each names holds the slip, read
    here with pandas. Two scenarios on one register: its error is said once, as
    `estate validate` says it (`sites.csv row 3`)."""
    rows = town_rows()
    rows["sites"][1]["desks"] = "lots"
    plain = write_tables(tmp_path / "regA", rows)
    write_tables(tmp_path / "models" / "regB", rows)
    for book in ("wbA", "wbB"):
        (tmp_path / book).mkdir()
        write_xlsx(tmp_path / book / "reg.xlsx", {
            name: pd.read_csv(plain / f"{name}.csv", dtype=str) for name in rows})
    paths = [write_scenario(tmp_path / f"{name}.toml", merge(TOWN_SCENARIO, {
        "name": name, "data": data})) for name, data in [
        ("a", "regA"), ("b", "models/regB"), ("c", "wbA/reg.xlsx"), ("d", "wbB/reg.xlsx")]]
    run = invoke(tmp_path, "compare", *paths, "--out", "cmp")
    assert run.code == 1, run.output
    no_traceback(run)
    said = _said(run.stderr)
    assert len(said) == 4 and len(set(said)) == 4, run.stderr
    places = [line.split(", column desks: ")[0] for line in said]
    assert sorted(places) == ["models/regB/sites.csv row 3", "regA/sites.csv row 3",
                              "wbA/reg.xlsx[sites] row 3", "wbB/reg.xlsx[sites] row 3"]
    for place in places:
        file, row = place.rsplit(" row ", 1)
        if file.endswith("[sites]"):
            frame = pd.read_excel(tmp_path / file.removesuffix("[sites]"), sheet_name="sites",
                                  dtype=str)
        else:
            frame = pd.read_csv(tmp_path / file, dtype=str)
        assert frame.loc[int(row) - 2, "desks"] == "lots", place  # row 1 is the header
    twin = write_scenario(tmp_path / "twin.toml", merge(TOWN_SCENARIO, {
        "name": "twin", "data": "regA"}))
    run = invoke(tmp_path, "compare", paths[0], twin, "--out", "cmp")
    alone = invoke(tmp_path, "validate", paths[0])
    assert run.code == alone.code == 1, run.output
    assert _said(run.stderr) == _said(alone.stderr) == [
        said[places.index("regA/sites.csv row 3")].removeprefix("regA/")]


def test_cli_compare_reports_bad_input_before_solving(tmp_path: Path) -> None:
    data = loser_register(tmp_path / "register")
    good = write_scenario(tmp_path / "good.toml", scenario_on(data, "Same"))
    twin = write_scenario(tmp_path / "twin.toml", scenario_on(data, "Same"))
    bad = write_scenario(tmp_path / "bad.toml", scenario_on(data, "Bad",
                                                             policy={"keep": ["S9"]}))
    run = invoke(tmp_path, "compare", good, twin, bad)
    assert run.code == 1
    assert "S9" in run.output and "'Same'" in run.output
    assert not (tmp_path / "results").exists()


def test_infeasible_scenario_is_a_row_with_its_status(tmp_path: Path) -> None:
    data = loser_register(tmp_path / "register")
    ok = write_scenario(tmp_path / "ok.toml", scenario_on(data, "Ok"))
    stuck = write_scenario(tmp_path / "stuck.toml", scenario_on(
        data, "Stuck", policy={"close": ["S1", "S3"]}))
    runs = compare([ok, stuck], out=tmp_path / "out", results_root=tmp_path / "results")
    assert [r.status for r in runs] == ["optimal", "infeasible"]
    rows = _csv_rows(tmp_path / "out" / "comparison.csv")
    assert rows[1]["status"] == "infeasible" and rows[1]["message"]
    assert "infeasible" in (tmp_path / "out" / "comparison.html").read_text(encoding="utf-8")
    assert rows[0]["results_dir"] == str(tmp_path / "results" / "Ok")
    # Stuck, once planned (closing S1 alone): a folder of its earlier plan is not its row's
    once = write_scenario(tmp_path / "stuck.toml", scenario_on(data, "Stuck",
                                                               policy={"close": ["S1"]}))
    estate.plan(once, out=tmp_path / "results" / "Stuck", map_path=False)
    stuck = write_scenario(tmp_path / "stuck.toml", scenario_on(
        data, "Stuck", policy={"close": ["S1", "S3"]}))
    compare([ok, stuck], out=tmp_path / "out", results_root=tmp_path / "results")
    rows = _csv_rows(tmp_path / "out" / "comparison.csv")
    assert (tmp_path / "results" / "Stuck" / "summary.json").exists()
    assert rows[1]["status"] == "infeasible" and rows[1]["results_dir"] == ""
    mapped = (tmp_path / "out" / "comparison_map.html").read_text(encoding="utf-8")
    # the map says why, as the page does: the rules that cannot hold and which to relax
    said = mapped.split("No plan to show: ", 1)[1].split("</p>", 1)[0]
    assert said.startswith("<bdi>Stuck</bdi> (infeasible: ") and said.endswith(").")
    reasons = [line.strip()[2:] for line in rows[1]["message"].splitlines()
               if line.strip().startswith("- ")]
    assert inert(reasons[0][:100]) in said and reasons[-1].startswith("the rules to relax")
    assert said.endswith(f"; {reasons[-1]}).")  # relax: policy.close among them
    assert f"and {len(reasons) - 2} more on the comparison page" in said
    assert '<option value="0">Ok</option></select>' in mapped  # only Ok can be shown
    # the terminal leaves the plan's figures of a scenario without one blank, as the page
    # does: its `Worse off` too, never "none", which would say no agency loses
    from estate.render.compare_page import terminal_table

    table = terminal_table(runs)
    rows = [str(cell) for cell in table.columns[0].cells]
    ok_cells, stuck_cells = ([str(c) for c in column.cells] for column in table.columns[1:])
    worse = rows.index("Worse off")
    assert stuck_cells[worse] == ""
    assert runs[0].summary is not None
    assert ok_cells[worse] == ", ".join(a.name for a in runs[0].summary.agencies.values()
                                        if a.worse_off) or "none"
    assert "infeasible" in stuck_cells[rows.index("How good the plan is")]


@pytest.mark.browser
def test_comparison_pages_in_a_browser(setup: dict[str, Any], browser: Any) -> None:
    """Both pages load offline with no script error and no dialog; the first scenario
    is shown; the hostile names show as text. (The switcher and the side-by-side maps
    are tested in test_accessibility.py.)"""
    page = browser.new_page()
    trouble: list[str] = []
    page.on("pageerror", lambda e: trouble.append(f"error {e}"))
    page.on("dialog", lambda d: trouble.append(f"dialog {d.message}"))
    page.route("http*://**", lambda route: (trouble.append(f"request {route.request.url}"),
                                            route.abort()))
    page.goto((setup["out"] / "comparison_map.html").as_uri())
    page.wait_for_timeout(500)
    assert page.locator("#estate-scenario-a option").all_text_contents() == [
        "Kept", SCENARIO_PAYLOAD, "Loser"]
    assert page.input_value("#estate-scenario-a") == "0"
    labels = page.evaluate(
        "Array.from(document.querySelectorAll('.estate-kind'))"
        ".map(r => [r.querySelector('label').textContent, r.querySelector('input').checked])")
    checked = {text: on for text, on in labels}
    assert checked["Sites whose decision differs (2)"] is True
    assert checked["Sites after (4 in use, 0 closed)"] is True  # Kept's
    assert checked["Agency: " + PAYLOAD] is True
    assert page.locator("img").count() == 0
    page.goto((setup["out"] / "comparison.html").as_uri())
    assert PAYLOAD in page.inner_text("body")
    assert page.locator("img").count() == 0 and page.locator("script").count() == 0
    page.close()
    assert trouble == []


@pytest.fixture(scope="module")
def no_zones(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two scenarios on a register with no zones (`loser_register`) compared; the
    comparison map's path."""
    root = tmp_path_factory.mktemp("no_zones")
    losers = loser_register(root / "losers")
    paths = [write_scenario(root / "kept.toml", scenario_on(losers, "Kept",
                                                            policy={"keep": ["S1", "S3"]})),
             write_scenario(root / "free.toml", scenario_on(losers, "Free"))]
    compare(paths, out=root / "out", results_root=root / "results")
    return root / "out" / "comparison_map.html"


def test_a_comparison_of_a_register_with_no_zones_has_no_zone_outline(no_zones: Path) -> None:
    """With no zones the outline would be a hull round the sites: as on a plan's map, no
    outline is drawn, the switcher lists none and the legend has no row for it."""
    mapped = no_zones.read_text(encoding="utf-8")
    assert "Zone areas" not in mapped and "Zone boundaries" not in mapped
    assert "<h3>Basemap</h3>" not in mapped and "estateMap.addOutline(" not in mapped
    assert [kind for kind, _, _ in _map_setup(mapped)["base"].values()] == ["places"]


@pytest.mark.browser
def test_a_comparison_map_with_no_zones_switches_and_splits_without_error(
        no_zones: Path, browser: Any) -> None:
    """The no-zone comparison map runs: no script error, no layer box for an outline,
    and another scenario shown, side by side too, draws its sites."""
    opened = open_page(browser, no_zones)
    page = opened.page
    page.wait_for_function("window.estateCompare && window.estateCompare.current")
    labels = page.locator(".estate-kind label").all_text_contents()
    assert labels and not [text for text in labels if "Zone" in text], labels
    page.select_option("#estate-scenario-a", "1")
    page.wait_for_timeout(150)
    page.click("button.estate-split")
    page.wait_for_selector(".estate-view-b .leaflet-marker-pane .estate-site", state="attached")
    assert opened.count(".estate-view-a .leaflet-marker-pane .estate-site") == 2
    assert opened.errors == [] and opened.dialogs == [] and opened.refused == []
    page.close()


def test_a_plan_made_again_says_it_dropped_its_alternatives_and_their_maps(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stored plan with an alternative, its scenario since changed: the comparison
    plans it again without alternatives, so their folder goes with the old plan; the
    run says how many were dropped, and the maps drawn of them beside the plan's map are
    removed (they were left, standing for folders that were gone, without a word)."""
    monkeypatch.chdir(tmp_path)
    data = coverage_register(tmp_path / "register")
    path = write_scenario(tmp_path / "a.toml", scenario_on(data, "Alt"))
    estate.plan(estate.load_scenario(path), out=tmp_path / "results" / "Alt",
                alternatives=1, within_pct=100.0)
    assert (tmp_path / "maps" / "Alt.alternative-1.html").exists()
    write_scenario(path, scenario_on(data, "Alt", relocation={"cost_per_fte": 1234.0}))
    run = compare([path], out=tmp_path / "out", results_root=tmp_path / "results",
                  policy_costs=False)[0]
    assert not run.reused and run.dropped_alternatives == 1
    assert run.removed_maps == [Path("maps") / "Alt.alternative-1.html"]
    assert not (tmp_path / "results" / "Alt" / "alternatives").exists()
    assert sorted(p.name for p in (tmp_path / "maps").iterdir()) == ["Alt.html"]


def _map_decisions(path: Path) -> dict[str, str]:
    """Each site's decision as the map at `path` holds it, read from its page."""
    html = path.read_text(encoding="utf-8")
    ids, decisions = (json.loads(re.findall(rf'"{key}":(\[[^\]]*\])', html)[0])
                      for key in ("id", "decision"))
    return dict(zip(ids, decisions, strict=True))


def test_a_plan_made_again_has_its_programme_page_and_its_map_drawn_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A dated scenario planned by `estate plan` (A2 kept by policy), then changed (A2
    may close) and compared: the folder the comparison writes holds programme.html, as
    `estate plan`'s does (it was left out), and maps/<name>.html, drawn by `estate plan`
    from the earlier plan, is drawn again from the new one (it kept showing A2 open). A
    comparison that reuses the plan draws nothing; a file of the user's at that path is
    not a plan's map and is left as it is."""
    monkeypatch.chdir(tmp_path)
    data = two_offices_register(tmp_path / "register")
    path = write_scenario(tmp_path / "dated.toml", scenario_on(
        data, "Dated", start="2027-04-01", programme={"max_one_off_per_year": 100_000},
        policy={"keep": ["A2"]}))
    estate.plan(estate.load_scenario(path))
    folder, drawn = Path("results") / "Dated", Path("maps") / "Dated.html"
    assert _map_decisions(drawn) == {"A1": "close", "A2": "keep", "K": "keep"}
    write_scenario(path, scenario_on(
        data, "Dated", start="2027-04-01", programme={"max_one_off_per_year": 100_000}))
    run = compare([path], out="out", policy_costs=False)[0]
    assert not run.reused and run.redrawn_map == drawn
    assert (folder / "programme.html").is_file()
    assert "A2" in (folder / "programme.html").read_text(encoding="utf-8")
    assert _map_decisions(drawn) == {"A1": "close", "A2": "close", "K": "keep"}
    stamp = drawn.stat().st_mtime_ns
    again = compare([path], out="out", policy_costs=False)[0]
    assert again.reused and again.redrawn_map is None and drawn.stat().st_mtime_ns == stamp
    drawn.write_text("<title>my notes</title>", encoding="utf-8")
    write_scenario(path, scenario_on(data, "Dated", start="2027-04-01",
                                     programme={"max_one_off_per_year": 200_000}))
    third = compare([path], out="out", policy_costs=False)[0]
    assert not third.reused and third.redrawn_map is None
    assert drawn.read_text(encoding="utf-8") == "<title>my notes</title>"


def test_a_map_left_older_than_its_folder_is_drawn_again_and_another_folders_is_not(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A comparison stopped after it planned a scenario anew but before it drew the map
    again left the map showing the earlier plan, and the next comparison, reusing the
    plan, never drew it: a map older than its folder's plan is drawn again whenever the
    scenario is compared. A map `estate plan --out elsewhere` drew at the same path is
    of another folder, and is left (it was drawn over with results/<name>/'s plan)."""
    from estate.runs.planning import plan_scenario
    from estate.store.drawn_from import folder_mark

    monkeypatch.chdir(tmp_path)
    data = two_offices_register(tmp_path / "register")
    path = write_scenario(tmp_path / "s.toml", scenario_on(data, "S", policy={"keep": ["A2"]}))
    estate.plan(estate.load_scenario(path))
    drawn = Path("maps") / "S.html"
    write_scenario(path, scenario_on(data, "S"))
    plan_scenario(estate.load_scenario(path), out=Path("results") / "S")  # no map drawn
    assert _map_decisions(drawn)["A2"] == "keep"
    run = compare([path], out="out", policy_costs=False)[0]
    assert run.reused and run.redrawn_map == drawn
    assert _map_decisions(drawn)["A2"] == "close"
    # the map marks its folder by a digest, never by the path on the planner's machine
    page = drawn.read_text(encoding="utf-8")
    assert folder_mark(Path("results") / "S", drawn) in page and str(tmp_path) not in page

    write_scenario(path, scenario_on(data, "S", policy={"keep": ["A2"]}))
    estate.plan(estate.load_scenario(path), out=Path("archive") / "S")  # draws maps/S.html
    assert _map_decisions(drawn)["A2"] == "keep"
    run = compare([path], out="out", policy_costs=False)[0]
    assert not run.reused and run.redrawn_map is None
    assert _map_decisions(drawn)["A2"] == "keep"  # still archive/S's plan


def test_a_moved_project_keeps_its_maps_told_apart_and_policy_costs_keep_a_map(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole project moved (renamed, synced elsewhere): its map is still known as
    drawn from results/<name>/ and drawn again for a new plan (a digest of the absolute
    path no longer matched). A stored plan that only gets its policy costs added keeps
    its map, drawn however the user drew it (it was redrawn, its summary.json newer)."""
    project = tmp_path / "before"
    monkeypatch.chdir(tmp_path)
    data = two_offices_register(project / "register")
    path = write_scenario(project / "s.toml", scenario_on(data, "S", policy={"keep": ["A2"]}))
    monkeypatch.chdir(project)
    estate.plan(estate.load_scenario(path))
    moved = tmp_path / "after"
    project.rename(moved)
    monkeypatch.chdir(moved)
    write_scenario(moved / "s.toml", scenario_on(moved / "register", "S"))
    run = compare([moved / "s.toml"], out="out", policy_costs=False)[0]
    assert not run.reused and run.redrawn_map == Path("maps") / "S.html"
    assert _map_decisions(Path("maps") / "S.html")["A2"] == "close"
    assert invoke(moved, "map", "results/S", "--out", "maps/S.html", "--cdn").code == 0
    drawn = (Path("maps") / "S.html").read_bytes()
    run = compare([moved / "s.toml"], out="out")[0]  # adds the policy costs
    assert run.reused and run.redrawn_map is None
    assert (Path("maps") / "S.html").read_bytes() == drawn


def _planned_then_changed(folder: Path, name: str) -> Path:
    """Scenario `name` on the two offices, planned by `estate plan` in `folder` keeping A2
    (its results and its map written there), then changed to let A2 close: the path of
    its file, which a comparison plans anew."""
    data = two_offices_register(folder / "register")
    path = write_scenario(folder / f"{name}.toml",
                          scenario_on(data, name, policy={"keep": ["A2"]}))
    assert invoke(folder, "plan", path).code == 0
    write_scenario(path, scenario_on(data, name))
    return path


def test_a_map_that_cannot_be_drawn_again_is_said_as_a_write_failure(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk full as the map is drawn again: exit 1 naming the map and saying the
    plans are in place (it ended "Unexpected error", exit 4)."""
    monkeypatch.chdir(tmp_path)
    path = _planned_then_changed(tmp_path, "S")

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(estate.api, "render_map", full)
    run = invoke(tmp_path, "compare", path, "--out", "cmp")
    assert run.code == 1, run.output
    assert ("maps/S.html (the map of the scenario's earlier plan) could not be written: No "
            "space left on device. The plans are in place") in " ".join(run.stderr.split())
    assert not (tmp_path / "cmp").exists()
    no_traceback(run)


def test_a_scenario_s_folder_that_cannot_be_written_is_named_as_such(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk full as a compared scenario's results folder is written: the comparison
    stops there (its own files would not fit either), exit 1, naming that folder as the
    scenario's, not as `--out` (the comparison's own folder), and saying to run the
    comparison again, not to give another --out."""
    monkeypatch.chdir(tmp_path)
    path = _planned_then_changed(tmp_path, "S")

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(estate.runs.planning, "write_results", full)
    run = invoke(tmp_path, "compare", path, "--out", "cmp")
    said = " ".join(run.stderr.split())
    assert run.code == 1, run.output
    assert "Error: results/S (its scenario's results folder) could not be written: No " \
        "space left on device. The previous results there are untouched; once that is " \
        "mended, run the comparison again" in said, said
    assert said.endswith("No file of the comparison was written or changed."), said
    assert not (tmp_path / "cmp").exists()
    assert "another --out" not in said and "(--out)" not in said
    no_traceback(run)


def test_stored_plan_without_policy_costs_gets_them_added(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder from `estate plan` (here with an alternative) is not solved again: its
    policy costs are added to summary.json and the alternatives stay."""
    data = coverage_register(tmp_path / "register")
    path = write_scenario(tmp_path / "a.toml", scenario_on(data, "Alt"))
    folder = tmp_path / "results" / "Alt"
    estate.plan(estate.load_scenario(path), out=folder, map_path=False, alternatives=1,
                within_pct=100.0)
    assert (folder / "alternatives" / "1" / "summary.json").exists()
    sites_written = (folder / "sites.csv").stat().st_mtime_ns
    solves, written = [], []
    real_solve = estate.runs.national.plan_locality
    real_write = estate.runs.compare.plan_scenario
    monkeypatch.setattr(estate.runs.national, "plan_locality",
                        lambda *a, **k: solves.append(a) or real_solve(*a, **k))
    monkeypatch.setattr(estate.runs.compare, "plan_scenario",
                        lambda *a, **k: written.append(a) or real_write(*a, **k))
    run = compare([path], out=tmp_path / "out", results_root=tmp_path / "results")[0]
    assert run.reused
    assert solves and not written, "only the policy costs' own solves, nothing written"
    assert (folder / "sites.csv").stat().st_mtime_ns == sites_written
    assert (folder / "alternatives" / "1" / "summary.json").exists()
    stored = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert stored["policy_costs"]["must_keep"]["npv"] == pytest.approx(300_000)
    assert stored["alternatives"]["found"] == 1
    row = _csv_rows(tmp_path / "out" / "comparison.csv")[0]
    assert row["alternatives.found"] == "1"
    assert float(row["alternatives.plans.1.npv_difference"]) >= 0
    page = (tmp_path / "out" / "comparison.html").read_text(encoding="utf-8")
    assert "Near-optimal alternatives" in page and "alternatives/1" in page
    assert compare([path], out=tmp_path / "out", results_root=tmp_path / "results")[0].reused


def test_a_stored_plan_not_proven_to_the_exact_gap_is_planned_again(tmp_path: Path) -> None:
    """The policies of a stored plan its search left short of 1e-6 (here a plan found
    by a search that stopped at 5%, as its summary says) would be priced from an
    optimum their own search may find cheaper: compared with policy costs, it is planned
    again, so its plan is that optimum, proven; its costs are the stored plan's costs
    of a fresh folder."""
    data = coverage_register(tmp_path / "register")
    path = write_scenario(tmp_path / "a.toml", scenario_on(data, "Short"))
    folder = tmp_path / "results" / "Short"
    estate.plan(estate.load_scenario(path), out=folder, map_path=False)
    stored = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    (folder / "summary.json").write_text(json.dumps({**stored, "mip_gap": 0.05}),
                                         encoding="utf-8")
    run = compare([path], out=tmp_path / "out", results_root=tmp_path / "results")[0]
    assert not run.reused
    again = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert again["mip_gap"] <= 1e-6 and again["status"] == "optimal"
    assert again["policy_costs"]["must_keep"]["npv"] == pytest.approx(300_000)


def test_a_dated_programme_is_not_ranked_against_an_undated_plan_unsaid(tmp_path: Path) -> None:
    """Two offices that each cost £100k to close; dated under a budget of £100k a year,
    one closes a year later, so the dated saving is below the undated plan's. The page
    and the terminal lead with the saving each can count on (the programme's, dated; the
    other's, said to be undated), label the plans' own as every change in year 1, and
    say why the two kinds differ."""
    from rich.console import Console

    from estate.render.compare_page import page, terminal_table
    data = two_offices_register(tmp_path / "register")
    paths = [write_scenario(tmp_path / "undated.toml", scenario_on(data, "Undated")),
             write_scenario(tmp_path / "dated.toml", scenario_on(
                 data, "Dated", start="2027-04-01",
                 programme={"max_one_off_per_year": 100_000}))]
    runs = compare(paths, out=tmp_path / "out", results_root=tmp_path / "results")
    undated, dated = (run.summary for run in runs)
    assert undated is not None and dated is not None and dated.programme
    dated_saving = float(dated.programme.npv_saving)
    assert dated.npv_saving == dated_saving  # the dated saving leads (DESIGN 9)
    assert dated_saving < dated.saving_in_year_one - 1  # A2's closure waits a year
    html = page(runs)
    def cells(label: str) -> tuple[str, str]:
        found = re.search(rf">{label}</th><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td>", html)
        assert found is not None, label
        return found.group(1), found.group(2)

    # the dated programme's own figures in rows of their own: never beside an undated one
    assert cells("NPV saving of the dated programme") == (
        "not dated", inert(estate.results.money(dated_saving)))
    assert cells("NPV of cost of the dated programme") == (
        "not dated", inert(estate.results.money(float(dated.programme.npv_cost))))
    assert cells("Payback of the dated programme") == (
        "not dated", f"year {dated.programme.payback_year} (discounted)")
    assert ">NPV saving if every change were made in year 1</th>" in html
    assert ">NPV saving</th>" not in html
    assert "\u201cDated\u201d is dated" in html and "\u201cUndated\u201d is not" in html
    console = Console(width=200, record=True)
    console.print(terminal_table(runs))
    text = console.export_text()
    assert "NPV saving of the dated programme" in text and "not dated" in text
    assert estate.results.money(dated_saving) in text
    from estate.render.compare_figures import mixed_note

    assert "\u201cUndated\u201d is not" in mixed_note(runs)  # the CLI prints it first
    # the plans' own figures side by side; the undated plan has no start date, so its
    # saving counts no lease, and says so
    assert cells("NPV saving if every change were made in year 1") == (
        inert(f"{estate.results.money(undated.npv_saving)} (no start date: leases and "
              "sale lags not counted)"), inert(estate.results.money(dated.saving_in_year_one)))
    assert cells("NPV of cost if every change were made in year 1") == (
        inert(estate.results.money(undated.objective_npv)),
        inert(estate.results.money(dated.objective_npv)))
    # the one agency's dated saving is the programme's, on the page and in the workbook;
    # its one-off is worded (a sign would read a receipt as a loss)
    assert "Dated: NPV saving, dated</th>" in html
    spends = undated.agencies["A"].one_off_cost
    assert spends > 0 and f">spends {inert(estate.results.money(spends))}</td>" in html
    assert re.search(r"Agency A.*?</tr>", html, re.S).group(0).count(  # type: ignore[union-attr]
        f">{inert(estate.results.money(dated_saving))}</td>") == 1
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "out" / "comparison.xlsx")["agencies"]
    rows = [dict(zip([c.value for c in sheet[1]], [c.value for c in r], strict=True))
            for r in sheet.iter_rows(min_row=2)]
    # to the penny, the figure cashflow.csv's last cumulative_discounted gives
    assert [(r["scenario"], r["npv_saving_dated"]) for r in rows] == [
        ("Undated", None), ("Dated", dated_saving)]
    # the programme's dates are date cells Excel sorts as dates, as the CSV's are ISO days
    figures = {row[0].value: row for row in load_workbook(
        tmp_path / "out" / "comparison.xlsx")["summary"].iter_rows(min_row=2)}
    start = figures["programme.start"]
    assert (start[1].value, start[2].value) == (None, datetime.datetime(2027, 4, 1))
    assert start[2].is_date and start[2].number_format == "yyyy-mm-dd"
    widths = load_workbook(tmp_path / "out" / "comparison.xlsx")["summary"].column_dimensions
    # set wide enough to show the date, not ######## (Excel's default is 8.43 characters),
    # and the longest figure name whole
    assert widths["C"].customWidth and widths["C"].width >= 12
    assert widths["A"].customWidth and widths["A"].width >= len("programme.budget.2.date")
    year_two = figures["programme.budget.2.date"][2]
    assert year_two.is_date and year_two.value == datetime.datetime(2028, 4, 1)
    with (tmp_path / "out" / "comparison.csv").open(encoding="utf-8-sig", newline="") as f:
        assert [r["programme.start"] for r in csv.DictReader(f)] == ["", "2027-04-01"]
    drawn = (tmp_path / "out" / "comparison_map.html").read_text(encoding="utf-8")
    assert inert(f"{estate.results.money(dated_saving)} (dated from 2027-04-01)") in drawn


def test_an_all_undated_comparison_keeps_its_plain_labels(setup: dict[str, Any]) -> None:
    from estate.render.compare_page import page

    html = page(setup["runs"])
    assert ">NPV saving</th>" in html and "dated programme" not in html
    assert "if every change were made in year 1" not in html
    drawn = (setup["out"] / "comparison_map.html").read_text(encoding="utf-8")
    assert "not dated" not in drawn and "NPV saving" in drawn


def test_an_agency_s_npv_saving_counts_its_leases_as_its_results_folder_does(
        tmp_path: Path) -> None:
    """A leased office that closes owes rent to its lease's end (2030-10-01): with a
    start date the agency's NPV saving in agencies.csv counts that rent, so it is below
    A times the annual saving minus the one-off; the comparison shows the stored figure,
    and compensates on it."""
    from estate.render.compare_page import page
    from tests.fixtures.register import agency, function, site, write_register

    data = tmp_path / "register"
    write_register(data, [agency("A"), agency("B")], [
        site("L", "A", 0, 0, running_cost=100_000, rent=80_000, tenure="leasehold",
             lease_end="2030-10-01", closure_cost=10_000),
        site("K", "B", 1, 0, desks=500, running_cost=0, must_keep=True),
    ], [function("T", "A", "Ops", "L")], [])
    path = write_scenario(tmp_path / "leased.toml", scenario_on(data, "Leased",
                                                                start="2027-04-01"))
    [run] = compare([path], out=tmp_path / "out", results_root=tmp_path / "results")
    assert run.summary is not None and run.summary.sites_closed == 1
    stored = pd.read_csv(run.results_dir / "agencies.csv").set_index("agency_id")
    simple = agency_gains(run.summary, "npv")["A"]
    assert float(stored.loc["A", "npv_saving"]) < simple - 1000  # the rent owed after closing
    assert run.agency_npv["A"] == pytest.approx(float(stored.loc["A", "npv_saving"]), abs=0.01)
    html = page([run])
    row = re.search(r"Agency A.*?</tr>", html, re.S)
    assert row is not None
    assert f">{inert(estate.results.money(float(stored.loc['A', 'npv_saving'])))}</td>" in row.group(0)
    assert f">{inert(estate.results.money(simple))}</td>" not in row.group(0)


def test_a_quick_comparison_prices_no_policy_and_a_full_one_adds_them(tmp_path: Path) -> None:
    """`--no-policy-costs` plans without pricing any policy; the full comparison after it
    reuses those plans and adds their policy costs, and a quick one after that reuses
    the priced folders as they are."""
    data = coverage_register(tmp_path / "register")
    paths = [write_scenario(tmp_path / "kept.toml", scenario_on(
        data, "Kept", coverage=COVERAGE, policy={"keep": ["S2"]}))]
    results, out = tmp_path / "results", tmp_path / "out"
    quick = invoke(tmp_path, "compare", *paths, "--out", out, "--no-policy-costs")
    assert quick.code == 0, quick.output
    stored = json.loads((results / "Kept" / "summary.json").read_text(encoding="utf-8"))
    assert "policy_costs" not in stored
    assert "None of these plans has its policies priced" in (
        out / "comparison.html").read_text(encoding="utf-8")
    assert "Policy cost:" not in quick.stdout
    [full] = compare(paths, out=out, results_root=results)
    assert full.reused and full.summary is not None and full.summary.policy_costs
    assert full.summary.policy_costs["policy.keep"].status == "priced"
    [again] = compare(paths, out=out, results_root=results, policy_costs=False)
    assert again.reused and again.summary is not None
    assert again.summary.policy_costs == full.summary.policy_costs
    assert "has its policies priced" not in (out / "comparison.html").read_text(encoding="utf-8")


def test_a_policy_cell_says_why_it_has_no_cost(tmp_path: Path) -> None:
    """A rule the scenario lacks is "no such rule"; a plan stored without its policy
    costs is "not priced"; neither is a blank the reader must guess at."""
    from estate.render.compare_page import page

    data = coverage_register(tmp_path / "register")
    ruled = write_scenario(tmp_path / "ruled.toml", scenario_on(data, "Ruled", coverage=COVERAGE))
    plain = write_scenario(tmp_path / "plain.toml", scenario_on(data, "Plain"))
    quick = write_scenario(tmp_path / "quick.toml", scenario_on(data, "Quick", coverage=COVERAGE,
                                                                policy={"keep": ["S2"]}))
    results = tmp_path / "results"
    runs = compare([ruled, plain], out=tmp_path / "a", results_root=results)
    row = re.search(r"<th scope=\"row\">coverage\.0</th><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)"
                    r"</td>", page(runs))
    assert row is not None and row.group(2) == "no such rule", row
    assert row.group(1) not in ("", "no such rule", "not priced")
    runs = compare([ruled, quick], out=tmp_path / "b", results_root=results, policy_costs=False)
    row = re.search(r"<th scope=\"row\">coverage\.0</th><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)"
                    r"</td>", page(runs))
    assert row is not None and row.group(2) == "not priced", row


def test_compare_tells_of_a_file_saved_in_a_folder_as_it_was_planned(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real `estate compare` re-planning a scenario whose results folder gets the
    user's file as the new results start to be written: the file is in the new folder,
    and compare warns of it on stderr, naming the scenario, as `estate plan` would."""
    import estate.cli

    data = loser_register(tmp_path / "register")
    path = write_scenario(tmp_path / "models" / "a.toml", scenario_on(data, "A"))
    first = invoke(tmp_path, "compare", path, "--no-policy-costs", "--out", "cmp")
    assert first.code == 0, first.output
    assert "kept" not in first.stderr
    folder = Path("results") / "A"

    def saving_a_file(line: str) -> None:
        if line.startswith("Writing results"):
            (tmp_path / folder / "board notes.txt").write_text("keep S1", encoding="utf-8")

    monkeypatch.setattr(estate.cli, "progress_lines", lambda enabled: saving_a_file)
    write_scenario(path, scenario_on(data, "A", relocation={"cost_per_fte": 200.0}))
    again = invoke(tmp_path, "compare", path, "--no-policy-costs", "--out", "cmp")
    assert again.code == 0, again.output
    assert (tmp_path / folder / "board notes.txt").read_text(encoding="utf-8") == "keep S1"
    assert (tmp_path / folder / "summary.json").exists()
    assert (f"WARNING: A: kept board notes.txt, added to {folder} while it was planned"
            in again.stderr.splitlines())


def test_a_plan_with_a_start_date_and_no_programme_is_not_called_year_1(
        tmp_path: Path) -> None:
    """A scenario with `start` and no [programme] is priced from the first year each
    change can happen (the unscheduled dated snapshot), not as every change in year 1:
    beside a dated programme its own figures say so, and the note says what it counts.
    T2 may not move before year 3 here, so its saving is below the undated plan's."""
    from estate.render.compare_figures import NOT_SCHEDULED
    from estate.render.compare_page import page
    from tests.fixtures.register import agency, function, site, write_register

    data = tmp_path / "register"
    write_register(data, [agency("A")], [
        site("A1", "A", 0, 0, running_cost=200_000, closure_cost=100_000),
        site("A2", "A", 0, 1, running_cost=150_000, closure_cost=100_000),
        site("K", "A", 1, 0, desks=500, running_cost=0, must_keep=True),
    ], [function("T1", "A", "Ops", "A1"),
        function("T2", "A", "Ops", "A2", earliest_move="2029-04-01")], [])
    paths = [write_scenario(tmp_path / "dated.toml", scenario_on(
                 data, "Dated", start="2027-04-01",
                 programme={"max_one_off_per_year": 100_000})),
             write_scenario(tmp_path / "waits.toml", scenario_on(
                 data, "Waits", start="2027-04-01"))]
    runs = compare(paths, out=tmp_path / "out", results_root=tmp_path / "results")
    dated, waits = (run.summary for run in runs)
    assert dated is not None and waits is not None
    assert waits.programme is None and waits.year_one_npv_saving is None
    html = page(runs)
    # the row is not labelled as every change made in year 1 alone, which its second
    # cell contradicts (a planner's review)
    found = re.search(r">NPV saving of the plan itself \(every change made in year 1, unless "
                      r"said\)</th><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td>", html)
    assert found is not None
    assert found.group(1) == inert(estate.results.money(dated.saving_in_year_one))
    assert found.group(2) == inert(estate.results.money(waits.npv_saving) + NOT_SCHEDULED)
    assert "\u201cWaits\u201d has a start date but no programme" in html
    assert "\u201cWaits\u201d is not" not in html
    # what such a saving counts: its own changes dated, without the limits a programme
    # keeps (it counted each change from when it could be made on its own, which a
    # review found counts a closing before the site its teams move to is open)
    assert "saving is what its own changes realise, dated at least cost, with no yearly " \
        "limits (a programme keeps them, and may choose other changes)" in html
    assert "any programme could make it" not in html


def _comparison(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in estate.api.COMPARISON_FILES}


@pytest.mark.usefixtures("ctrl_c_raises")
def test_ctrl_c_while_the_comparison_is_written_leaves_every_old_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C landing while comparison.xlsx is made, after comparison.csv was: the four
    files are written as a set, so every one is still the previous comparison's, as the
    command line says."""
    data = loser_register(tmp_path / "register")
    a = write_scenario(tmp_path / "a.toml", scenario_on(data, "A"))
    b = write_scenario(tmp_path / "b.toml", scenario_on(data, "B", policy={"keep": ["S1"]}))
    assert invoke(tmp_path, "compare", a, "--out", "cmp").code == 0
    before = _comparison(tmp_path / "cmp")
    real = estate.runs.compare_tables.write_xlsx

    def interrupted(*args: Any) -> None:
        real(*args)
        os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(estate.runs.compare_tables, "write_xlsx", interrupted)
    run = invoke(tmp_path, "compare", a, b, "--out", "cmp")
    assert run.code == 130
    assert "results of 1 scenario planned so far are in place" in run.output
    assert "no file of the comparison was written or changed" in run.output
    assert _comparison(tmp_path / "cmp") == before
    assert [p.name for p in (tmp_path / "cmp").iterdir() if p.name.startswith(".")] == []
    monkeypatch.undo()
    assert invoke(tmp_path, "compare", a, b, "--out", "cmp").code == 0  # then all new
    assert [r["scenario"] for r in _csv_rows(tmp_path / "cmp" / "comparison.csv")] == \
        ["A", "B"]
    assert "B" in (tmp_path / "cmp" / "comparison_map.html").read_text(encoding="utf-8")


@pytest.mark.usefixtures("ctrl_c_raises")
def test_ctrl_c_while_a_map_is_drawn_again_says_how_to_draw_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C as the map `estate plan` drew is drawn again for the plan the comparison
    made: the new results are in place, the comparison's files are not written, and the
    map still shows the earlier plan, so the message gives the command that draws it
    (it said the previous results were untouched)."""
    monkeypatch.chdir(tmp_path)
    path = _planned_then_changed(tmp_path, "A")

    def interrupted(*args: Any, **kwargs: Any) -> None:
        os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(estate.api, "render_map", interrupted)
    run = invoke(tmp_path, "compare", path, "--out", "cmp")
    assert run.code == 130
    assert "results of 1 scenario planned so far are in place" in run.output
    assert ('maps/A.html still shows the earlier plan: draw it with '
            '`estate map "results/A" --out "maps/A.html"`') in run.output
    assert not (tmp_path / "cmp").exists()
    assert _map_decisions(tmp_path / "maps" / "A.html")["A2"] == "keep"
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    assert invoke(tmp_path, "map", "results/A", "--out", "maps/A.html").code == 0
    assert _map_decisions(tmp_path / "maps" / "A.html")["A2"] == "close"


def test_a_folder_where_a_comparison_file_goes_is_refused_before_solving(
        tmp_path: Path) -> None:
    """`comparison_map.html` a folder: refused at once, naming it, with the other three
    files of the previous comparison kept (it used to fail at the end, after they had
    been replaced, blaming a full disk)."""
    data = loser_register(tmp_path / "register")
    a = write_scenario(tmp_path / "a.toml", scenario_on(data, "A"))
    out = tmp_path / "cmp"
    out.mkdir()
    (out / "comparison.csv").write_text("old", encoding="utf-8")
    (out / "comparison_map.html").mkdir()
    with pytest.raises(InputError) as refused:
        compare([a], out=out, results_root=tmp_path / "results")
    problem, = refused.value.problems
    assert problem.column == "--out"
    assert str(out / "comparison_map.html") in problem.found
    assert "a folder" in problem.found and "move it away" in problem.found
    assert not (tmp_path / "results").exists()  # nothing planned
    assert (out / "comparison.csv").read_text(encoding="utf-8") == "old"


def test_a_comparison_inside_a_compared_scenario_s_results_folder_is_refused(
        tmp_path: Path) -> None:
    """`--out results/A`, the folder A is planned into: refused before solving, as the
    next plan of A would refuse a folder holding files it did not write."""
    data = loser_register(tmp_path / "register")
    a = write_scenario(tmp_path / "a.toml", scenario_on(data, "A"))
    b = write_scenario(tmp_path / "b.toml", scenario_on(data, "B"))
    for out in ("results/A", "results/B/tables"):
        run = invoke(tmp_path, "compare", a, b, "--out", out)
        assert run.code == 1, run.output
        assert "--out" in run.output and "results" in run.output
        assert "a path outside the results folder" in run.output
        assert not (tmp_path / "results").exists()  # nothing planned, nothing written
    assert invoke(tmp_path, "compare", a, b, "--out", "results").code == 0  # beside them
    assert invoke(tmp_path, "plan", a).code == 0  # A's folder is still its own
    # nor the results folder of a scenario not compared: its next plan would refuse it
    c = write_scenario(tmp_path / "c.toml", scenario_on(data, "C"))
    assert invoke(tmp_path, "plan", c).code == 0
    run = invoke(tmp_path, "compare", a, b, "--out", "results/C")
    assert run.code == 1 and "found that folder itself" in run.output, run.output
    assert not (tmp_path / "results" / "C" / "comparison.csv").exists()


def test_comparison_csv_writes_its_flags_true_and_false(setup: dict[str, Any]) -> None:
    """comparison.csv's flags (reused, status_quo_feasible, each agency's worse_off) are
    true or false, as sweep.csv's and a scenario file's are (it wrote Python's True)."""
    rows = list(csv.reader((setup["out"] / "comparison.csv").read_text(
        encoding="utf-8-sig").splitlines()))
    header, cells = rows[0], {cell for row in rows[1:] for cell in row}
    assert not cells & {"True", "False"}
    assert {row[header.index("status_quo_feasible")] for row in rows[1:]} <= {"true", "false"}


def test_the_map_lists_each_differing_site_with_its_area(tmp_path: Path) -> None:
    """Scenarios planned area by area: the differing sites' list and ring popups say each
    site's area (keeping its Civic Centre, each area closes its depot), the area named as a formula and markup inert
    in the list and text in the script's data; the single-locality comparison's sites
    have no area (`test_map_has_a_group_per_scenario_and_the_differing_sites`)."""
    register = two_areas_register(tmp_path / "register", ("North", HOSTILE_AREA))
    paths = [write_scenario(tmp_path / "closes.toml", scenario_on(register, "Closes")),
             write_scenario(tmp_path / "keeps.toml", scenario_on(
                 register, "Keeps", policy={"keep": ["N1", "S1"]}))]
    compare(paths, out=tmp_path / "out", results_root=tmp_path / "results",
            policy_costs=False)
    mapped = (tmp_path / "out" / "comparison_map.html").read_text(encoding="utf-8")
    diff = _map_setup(mapped)["differing"]
    assert dict(zip(diff["id"], diff["area"], strict=True)) == {
        "N1": "North", "N2": "North", "S1": HOSTILE_AREA, "S2": HOSTILE_AREA}
    listed = re.search(r'<details class="estate-compare-differing">.*?</details>', mapped)
    assert listed and (f"<li>S1 <bdi>Civic Centre</bdi> (area <bdi>{inert(HOSTILE_AREA)}"
                       "</bdi>): <bdi>Closes</bdi> closed; <bdi>Keeps</bdi> kept</li>"
                       ) in listed.group(0)
    assert HOSTILE_AREA not in mapped.replace(script_json(HOSTILE_AREA)[1:-1], "")


def test_one_scenario_file_listed_twice_is_told_so(tmp_path: Path) -> None:
    """models/a.toml and models/../models/a.toml are one file: said as given twice, not as
    two scenarios sharing a name."""
    data = loser_register(tmp_path / "register")
    (tmp_path / "models").mkdir()
    a = write_scenario(tmp_path / "models" / "a.toml", scenario_on(data, "A"))
    run = invoke(tmp_path, "compare", a, tmp_path / "models" / ".." / "models" / "a.toml")
    assert run.code == 1
    assert "expected each scenario file once" in run.output and "list it once" in run.output
    assert not (tmp_path / "results").exists()


def test_an_order_unproven_plans_leave_open_is_said(setup: dict[str, Any]) -> None:
    """Two plans £12.75m apart, the dearer stopped at a 24% gap: its cheapest may lie
    below the other's, so the order is not settled, and the page and terminal say so;
    proven plans, or unproven ones whose ranges do not meet (the cheaper one unproven),
    are not named."""
    from estate.render.compare_figures import unsettled_note

    a, b = setup["runs"][0], setup["runs"][1]
    assert a.summary is not None and b.summary is not None

    def as_run(run: Any, cost: float, gap: float) -> Any:
        status = Status.OPTIMAL if gap <= 1e-6 else Status.TIME_LIMIT
        return dataclasses.replace(run, summary=run.summary.replace(
            objective_npv=cost, mip_gap=gap, status=status))

    note = unsettled_note([as_run(a, 383.87e6, 0.24), as_run(b, 371.12e6, 0.0)])
    assert note.startswith(f"Not settled by these runs: \u201c{a.scenario.name}\u201d, "
                           f"\u201c{b.scenario.name}\u201d (£12.75m apart; their plans may "
                           "be up to 24% and 0% above their cheapest)"), note
    assert note.endswith("A search stopped at the time limit, short of proof, and the "
                         "difference is within what it left open, so which scenario is "
                         "cheaper may change: give them a longer solver.time_limit_s."), note
    # stopped within the gap asked for (status optimal): a smaller gap settles it
    asked = dataclasses.replace(as_run(a, 383.87e6, 0.0), summary=as_run(
        a, 383.87e6, 0.05).summary.replace(status=Status.OPTIMAL))
    note = unsettled_note([asked, as_run(b, 371.12e6, 0.0)])
    assert note.endswith("A search stopped at the solver.mip_gap it was given, short of "
                         "proof, and the difference is within what it left open, so which "
                         "scenario is cheaper may change: give them a smaller "
                         "solver.mip_gap."), note
    # a gap too small to reach the other plan, or the cheaper plan unproven: settled
    assert unsettled_note([as_run(a, 383.87e6, 0.01), as_run(b, 371.12e6, 0.0)]) == ""
    assert unsettled_note([as_run(a, 383.87e6, 0.0), as_run(b, 371.12e6, 0.22)]) == ""
    # both proven: settled however close
    assert unsettled_note([as_run(a, 371.12e6, 0.0), as_run(b, 371.13e6, 0.0)]) == ""
    # a search the time limit stopped before any bound (mip_gap unknown) may be any
    # amount above its cheapest: not settled when it is the dearer (it was read as
    # proven), settled when its plan is already cheaper than the other's optimum
    no_bound = dataclasses.replace(a, summary=a.summary.replace(
        objective_npv=383.87e6, mip_gap=None, status=Status.TIME_LIMIT))
    note = unsettled_note([no_bound, as_run(b, 371.12e6, 0.0)])
    assert "their plans may be any amount (no useful bound was found) and up to 0% above " \
        "their cheapest" in note, note
    cheaper = dataclasses.replace(no_bound, summary=no_bound.summary.replace(
        objective_npv=360.0e6))
    assert unsettled_note([cheaper, as_run(b, 371.12e6, 0.0)]) == ""
    # nor is a gap over 100% (the bound still the solver's first guess), which the
    # terminal calls unknown: it was said "up to 220%"
    first_guess = dataclasses.replace(no_bound, summary=no_bound.summary.replace(
        mip_gap=2.1209))
    note = unsettled_note([first_guess, as_run(b, 371.12e6, 0.0)])
    assert "their plans may be any amount (no useful bound was found) and up to 0% " \
        "above their cheapest" in note and "220%" not in note, note


def test_an_80_column_terminal_keeps_each_scenario_s_whole_name(tmp_path: Path) -> None:
    """Two runs of a sweep are named alike up to their varied values; at 80 columns the
    comparison's headings ended in "…" before the values, so the two read the same.
    Each name is shown whole, going on over lines."""
    from rich.console import Console

    from estate.render.compare_page import terminal_table
    data = two_offices_register(tmp_path / "register")
    names = [f"town [relocation.cost_per_fte={v}, sharing.efficiency=0.1]" for v in (0, 5000)]
    paths = [write_scenario(tmp_path / f"{i}.toml", scenario_on(data, name))
             for i, name in enumerate(names)]
    runs = compare(paths, out=tmp_path / "out", results_root=tmp_path / "results",
                   policy_costs=False)
    console = Console(width=80, record=True)
    console.print(terminal_table(runs))
    lines = console.export_text().splitlines()
    assert "…" not in "".join(lines)
    # each heading's cells, column by column, read back in order
    heading = lines[1:lines.index(next(s for s in lines if s.startswith("┡")))]
    cells = [line.strip("┃").split("┃") for line in heading if "┃" in line]
    columns = ["".join(part.strip() for part in column) for column in zip(*cells, strict=True)]
    assert [c.replace(" ", "") for c in columns[1:]] == [n.replace(" ", "") for n in names]


MANY_REASONS = ("The scenario is infeasible: no plan meets every rule.\n"
                + "".join(f"  - zone Z{i}: no site left open offering public_access within "
                          "2 km\n" for i in range(1, 9))
                + "  - the rules to relax: coverage.0.radius_km")
"""A message as comparison.csv keeps it: eight reasons, then the rules to relax."""


def test_a_scenario_with_many_reasons_still_says_the_rules_to_relax(
        capsys: pytest.CaptureFixture[str]) -> None:
    """Past five reasons the terminal counted the rules to relax as one more reason
    ("and 4 more") and never said them; the map's panel counts reasons alone too."""
    from estate.maps.compare_map import _why
    from estate.render.terminal import no_plan_lines

    no_plan_lines("Stuck", "infeasible", MANY_REASONS)
    said = capsys.readouterr().err.splitlines()
    assert said == [
        "WARNING: Stuck: infeasible: The scenario is infeasible: no plan meets every rule.",
        *(f"    - zone Z{i}: no site left open offering public_access within 2 km"
          for i in range(1, 6)),
        "    ... and 3 more reasons (comparison.csv's message)",
        "    - the rules to relax: coverage.0.radius_km"]
    assert _why(MANY_REASONS) == (
        ": zone Z1: no site left open offering public_access within 2 km; and 7 more on the "
        "comparison page; the rules to relax: coverage.0.radius_km")


def test_the_page_shows_a_few_reasons_folds_the_rest_and_says_the_rules_to_relax(
        setup: dict[str, Any]) -> None:
    """A scenario of 152 zones out of reach filled the top of the page with its reasons
    as one paragraph before the figures: five now show, the rest fold into a details
    element, and the rules to relax follow, shown."""
    from estate.render.compare_page import page
    from estate.status import Status

    ok = setup["runs"][0]
    stuck = dataclasses.replace(setup["runs"][1], summary=None, status=Status.INFEASIBLE,
                                message=MANY_REASONS)
    html = page([ok, stuck])
    top = html.split("<h2>Side by side</h2>", 1)[0]
    shown = top.split("<details>", 1)[0]
    assert shown.count("<li>") == 5 and "zone Z5:" in shown and "zone Z6:" not in shown
    folded = top.split("<details>", 1)[1].split("</details>", 1)[0]
    assert "<summary>3 more reasons</summary>" in folded
    assert [f"zone Z{i}:" in folded for i in (6, 7, 8)] == [True] * 3
    assert "<p>The rules to relax: coverage.0.radius_km.</p>" in top.split("</details>", 1)[1]


def test_a_start_date_without_a_programme_beside_none_is_said_to_count_otherwise(
        tmp_path: Path) -> None:
    """With no dated programme among them, a plan with a start date (each change from
    the first year it can happen, rent to each lease's end) beside one without (every
    change in year 1, no rent after closing) was shown under one "NPV saving" with no
    word that the two are counted differently; two plans counted alike need none."""
    from estate.render.compare_figures import mixed_note
    from estate.render.compare_page import page

    data = two_offices_register(tmp_path / "register")
    paths = [write_scenario(tmp_path / "undated.toml", scenario_on(data, "Undated")),
             write_scenario(tmp_path / "started.toml", scenario_on(
                 data, "Started", start="2027-04-01"))]
    runs = compare(paths, out=tmp_path / "out", results_root=tmp_path / "results",
                   policy_costs=False)
    note = mixed_note(runs)
    assert note.startswith("These savings are counted two ways. \u201cUndated\u201d: its "
                           "saving assumes every change is made in year 1"), note
    assert "\u201cStarted\u201d has a start date but no programme" in note
    assert note.endswith("Compare like with like: give each scenario the same start date "
                         "(docs/programme.md).")
    assert inert(note) in page(runs)
    assert mixed_note([runs[0], runs[0]]) == ""


def test_a_comparison_counts_the_warnings_each_plan_was_made_with(tmp_path: Path) -> None:
    """estate plan says a plan's warnings; estate compare said none, so a planner never
    heard that a scenario has no start date (its leases not counted). It now counts each
    plan's, on stderr and the page, and says where they are listed."""
    data = two_offices_register(tmp_path / "register")
    sites = pd.read_csv(data / "sites.csv", dtype=str, keep_default_na=False)
    sites.assign(**{"Disposal value (£)": "100"}).to_csv(data / "sites.csv",  # not read
                                                        index=False)
    paths = [write_scenario(tmp_path / "a.toml", scenario_on(data, "Undated")),
             write_scenario(tmp_path / "b.toml", scenario_on(data, "Started",
                                                             start="2027-04-01"))]
    alone = invoke(tmp_path, "plan", paths[0], "--out", tmp_path / "alone", "--map",
                   tmp_path / "alone.html")
    told = alone.stderr.count("Warning: ")
    assert alone.code == 0 and told >= 1, alone.output  # the missing start date at least
    run = invoke(tmp_path, "compare", *paths, "--no-policy-costs", "--out", "cmp")
    assert run.code == 0, run.output
    stored = len(pd.read_csv(tmp_path / "results" / "Started" / "warnings.csv"))
    expected = (f"Note: Planned with warnings: \u201cUndated\u201d "
                f"{told} warning{'s' if told > 1 else ''}")
    if stored:
        expected += f"; \u201cStarted\u201d {stored} warning{'s' if stored > 1 else ''}"
    said = " ".join(run.stderr.split())
    assert "WARNING: Planned with warnings" not in said  # a remark, not a caution
    assert expected + ". Each plan's are listed in its results folder's warnings.csv" in said
    assert "Planned with warnings: \u201cUndated\u201d" in (
        tmp_path / "cmp" / "comparison.html").read_text(encoding="utf-8")


def test_a_workbook_that_fills_the_disk_is_one_error_and_no_traceback(tmp_path: Path) -> None:
    """comparison.xlsx unable to grow past 3,000 bytes: the write raises once, and Python
    prints nothing as it exits (openpyxl left its zip open on the file, and closing it
    when collected printed a traceback)."""
    script = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "from estate.runs.compare_tables import write_xlsx\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (3000, 3000))\n"
        "try:\n"
        "    write_xlsx([], [{'scenario': 'x', 'npv_saving': 1.0}], Path('t.xlsx'), [])\n"
        "except OSError as exc:\n"
        "    print(exc.errno)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, text=True,
                          capture_output=True, timeout=120)
    assert done.stdout.strip() == "27" and done.returncode == 0, done  # EFBIG
    assert done.stderr == "", done.stderr


def test_a_dated_plan_stored_before_its_saving_was_realised_is_planned_again(
        tmp_path: Path) -> None:
    """A dated scenario without a programme whose stored summary.json has no
    booked_early_npv was written when such a plan's saving counted what its changes
    cannot realise: the comparison plans it again rather than reuse it under today's
    meaning; the folder it writes is reused the next time."""
    from tests.fixtures.programme_registers import hub_still_building_case

    hub_still_building_case(tmp_path / "register")
    path = write_scenario(tmp_path / "hub.toml", {
        "name": "Hub", "data": str(tmp_path / "register"), "start": "2027-04-01",
        "horizon_years": 4, "discount_rate": 0.0,
        "relocation": {"cost_per_fte": 1000.0, "max_km": 80.0}})
    kw = {"out": tmp_path / "cmp", "results_root": tmp_path / "results",
          "policy_costs": False}
    first = compare([path], **kw)[0]
    assert first.summary is not None and first.summary.booked_early_npv == pytest.approx(
        300_000, abs=0.01)
    assert compare([path], **kw)[0].reused
    stored = tmp_path / "results" / "Hub" / "summary.json"
    older = json.loads(stored.read_text(encoding="utf-8"))
    older["npv_saving"] = older["status_quo_npv"] - older["objective_npv"]
    del older["booked_early_npv"]
    stored.write_text(json.dumps(older), encoding="utf-8")
    again = compare([path], **kw)[0]
    assert not again.reused and again.summary is not None
    assert again.summary.npv_saving == pytest.approx(first.summary.npv_saving, abs=0.01)
