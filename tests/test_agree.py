"""A results folder's tables agree with its summary.json (estate.store.agree).

Each figure summary.json states and a table also gives, edited on one side only, is a
located exit 1 naming the file and the figure; an unedited folder (made up in code, or
planned) passes. The map would otherwise quote the summary's "24 closed" in its panel
beside a legend of 23 drawn from sites.csv.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from estate.errors import InputError
from estate.results.programme import CASHFLOW_COLUMNS
from estate.store import check_results
from estate.store import write_results as write_plan
from tests.fixtures import (
    agency,
    function,
    invoke,
    no_traceback,
    plan_of,
    scenario,
    site,
    town,
    town_rows,
    write_register,
    zone,
)
from tests.fixtures.programme_registers import plan_case
from tests.fixtures.results import write_results

Rows = list[list[str]]


def _table(name: str, change: Callable[[Rows], None]) -> Callable[[Path], None]:
    """An edit of one CSV of the folder, as a spreadsheet saves it back."""
    def edit(folder: Path) -> None:
        with open(folder / name, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
        change(rows)
        with open(folder / name, "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(rows)
    return edit


def _first(rows: Rows, column: str, test: Callable[[str], bool]) -> int:
    """The index of the first data row whose `column` passes `test`."""
    j = rows[0].index(column)
    return next(i for i, row in enumerate(rows) if i and test(row[j]))


def _set(column: str, test: Callable[[str], bool], value: Callable[[str], str]
         ) -> Callable[[Rows], None]:
    """The first row whose `column` passes `test` given `value(old)` there."""
    def change(rows: Rows) -> None:
        i, j = _first(rows, column, test), rows[0].index(column)
        rows[i][j] = value(rows[i][j])
    return change


def _summary(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        data = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        change(data)
        (folder / "summary.json").write_text(json.dumps(data), encoding="utf-8")
    return edit


def _shared_at_closed(rows: Rows) -> None:
    i = _first(rows, "decision", lambda d: d == "close")
    rows[i][rows[0].index("shared_types")] = "hr"


def _pair(d: dict[str, Any]) -> None:
    d["agencies"]["AG1"]["annual_cost_before"] += 100.0


def _forget_agency(d: dict[str, Any]) -> None:
    del d["agencies"]["AG2"]


def _duplicate_team(rows: Rows) -> None:
    rows.append(rows[_first(rows, "fte_moved", lambda v: float(v) == 0)])


def _more(amount: float) -> Callable[[str], str]:
    return lambda v: str(float(v) + amount)


# (name, edit, the file named, what the message names)
EDITS: list[tuple[str, Callable[[Path], None], str, str]] = [
    ("a closed site kept", _table("sites.csv", _set("decision", lambda d: d == "close",
                                                    lambda _: "keep")),
     "sites.csv, column decision", "summary.json's sites_closed says"),
    ("a kept site closed", _table("sites.csv", _set("decision", lambda d: d == "keep",
                                                    lambda _: "close")),
     "sites.csv, column decision", "summary.json's sites_after says"),
    ("a kept site not built", _table("sites.csv", _set("decision", lambda d: d == "keep",
                                                       lambda _: "not_built")),
     "sites.csv, column decision", "summary.json's sites_before says"),
    ("a candidate opened", _table("sites.csv", _set("decision",
                                                    lambda d: d == "not_built",
                                                    lambda _: "open")),
     "sites.csv, column decision", "summary.json's sites_opened says"),
    ("a shared centre dropped", _table("sites.csv", _set("shared_types", bool,
                                                         lambda _: "hr")),
     "sites.csv, column shared_types", "summary.json's shared_centres says"),
    ("a shared centre at a closed site", _table("sites.csv", _shared_at_closed),
     "sites.csv row", "no shared centre at a site the plan does not keep or open"),
    ("a summary's count edited", _summary(lambda d: d.update(sites_closed=99)),
     "sites.csv, column decision", "summary.json's sites_closed says 99"),
    ("FTE moved edited", _table("assignments.csv", _set("fte_moved", lambda v: float(v) > 0,
                                                        _more(5.0))),
     "assignments.csv, column fte_moved", "summary.json's fte_relocated says"),
    ("a summary's FTE edited", _summary(lambda d: d.update(fte_relocated=1.5)),
     "assignments.csv, column fte_moved", "summary.json's fte_relocated says 1.5"),
    ("a team's share halved", _table("assignments.csv", _set(
        "share", lambda v: float(v) == 1.0, lambda _: "0.5")),
     "assignments.csv row", "column share: expected shares of the team adding up to 1"),
    ("a team listed twice", _table("assignments.csv", _duplicate_team),
     "assignments.csv row", "column function_id: expected each team once at each site"),
    ("an agency's annual cost edited", _table("agencies.csv", _set(
        "annual_cost_after", lambda _: True, _more(1000.0))),
     "agencies.csv row 2, column annual_cost_after",
     "summary.json's agencies.AG0.annual_cost_after says"),
    ("an agency's one-off edited", _table("agencies.csv", _set(
        "one_off_cost", lambda _: True, _more(-50.0))),
     "agencies.csv row 2, column one_off_cost",
     "summary.json's agencies.AG0.one_off_cost says"),
    ("an agency's worse_off flipped", _table("agencies.csv", _set(
        "worse_off", lambda _: True, lambda v: str(v != "true").lower())),
     "agencies.csv row 2, column worse_off", "summary.json's agencies.AG0.worse_off says"),
    ("a summary's agency cost edited", _summary(_pair),
     "agencies.csv row 3, column annual_cost_before",
     "summary.json's agencies.AG1.annual_cost_before says"),
    ("an agency gone from the summary", _summary(_forget_agency),
     "agencies.csv row 4, column agency_id", "an agency of summary.json's agencies"),
    ("an agency's costs edited alike", _table("agencies.csv", lambda rows: [
        _set(c, lambda _: True, _more(7.0))(rows) for c in ("annual_cost_before",
                                                             "annual_cost_after")]),
     "agencies.csv, column annual_cost_before",
     "the rows add up to"),
]


@pytest.fixture(scope="module")
def made_up(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A results folder made up in code (no payload names: the messages are read)."""
    return write_results(tmp_path_factory.mktemp("agree") / "plan", payloads=False)


def test_an_unedited_folder_passes(made_up: Path) -> None:
    stored = check_results(made_up)
    assert stored.summary.sites_closed == (stored.tables["sites"]["decision"] == "close").sum()


@pytest.mark.parametrize(("name", "edit", "file", "figure"), EDITS, ids=[e[0] for e in EDITS])
def test_an_edited_figure_is_refused(made_up: Path, tmp_path: Path, name: str,
                                     edit: Callable[[Path], None], file: str,
                                     figure: str) -> None:
    folder = tmp_path / "plan"
    shutil.copytree(made_up, folder)
    edit(folder)
    with pytest.raises(InputError) as caught:
        check_results(folder)
    said = "\n".join(str(p) for p in caught.value.problems)
    assert f"{folder}/{file}" in said and figure in said, (name, said)


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny town planned by `estate plan`; its working folder."""
    cwd = tmp_path_factory.mktemp("town")
    run = invoke(cwd, "plan", town(cwd), "--out", "results/tiny")
    assert run.code == 0, run.output
    return cwd


@pytest.mark.parametrize("command", ["map", "report"])
def test_a_planned_folder_passes_and_a_decision_edited_is_exit_1(planned: Path,
                                                                 tmp_path: Path,
                                                                 command: str) -> None:
    """The tester's case: a closed site's decision set to keep in sites.csv."""
    shutil.copytree(planned / "results", tmp_path / "results")
    out = "out/m.html" if command == "map" else "out/board.pdf"
    assert invoke(tmp_path, command, "results/tiny", "--out", out).code == 0
    shutil.rmtree(tmp_path / "out")
    _table("sites.csv", _set("decision", lambda d: d == "close",
                             lambda _: "keep"))(tmp_path / "results" / "tiny")
    run = invoke(tmp_path, command, "results/tiny", "--out", out)
    assert run.code == 1, run.output
    no_traceback(run)
    assert "results/tiny/sites.csv, column decision: 0 rows say close, but summary.json's " \
           "sites_closed says 1: the folder was edited after estate wrote it" in run.stderr, \
        run.stderr
    assert "estate plan" in run.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_one_row_of_a_decision_is_said_in_the_singular(planned: Path, tmp_path: Path) -> None:
    """The tiny plan closes one site; summary.json edited to say two: "1 row says close",
    never "1 rows say close"."""
    shutil.copytree(planned / "results", tmp_path / "results")
    summary_path = tmp_path / "results" / "tiny" / "summary.json"
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    assert summary["sites_closed"] == 1
    summary["sites_closed"] = 2
    summary_path.write_text(json.dumps(summary), encoding="utf-8")
    run = invoke(tmp_path, "map", "results/tiny", "--out", "out/m.html")
    assert run.code == 1, run.output
    assert "column decision: 1 row says close, but summary.json's sites_closed says 2" \
        in run.stderr, run.stderr


def _plus(column: str, amount: float, test: Callable[[list[str], Rows], bool]
          ) -> Callable[[Rows], None]:
    """`amount` added to `column` in the first data row passing `test(row, rows)`."""
    def change(rows: Rows) -> None:
        j = rows[0].index(column)
        i = next(i for i, row in enumerate(rows) if i and test(row, rows))
        rows[i][j] = str(float(rows[i][j]) + amount)
    return change


def _cell(rows: Rows, row: list[str], column: str) -> str:
    return row[rows[0].index(column)]


def _planned_edit(folder: Path, name: str, edit: Callable[[Path], None]) -> str:
    """The problems `check_results` raises for a copy of `folder` edited by `edit`."""
    copy = folder.parent / f"{folder.name}-{name}"
    shutil.copytree(folder, copy)
    edit(copy)
    with pytest.raises(InputError) as caught:
        check_results(copy)
    return "\n".join(str(p) for p in caught.value.problems).replace(str(copy), "<folder>")


# The tiny town as `estate plan` wrote it: agencies.csv has each agency's NPV saving.
PLANNED_EDITS: list[tuple[str, Callable[[Path], None], str, str]] = [
    ("the plan's one-off edited", _summary(lambda d: d.update(
        one_off_cost=d["one_off_cost"] + 250.0)),
     "<folder>/agencies.csv, column one_off_cost: the rows add up to",
     "but summary.json's one_off_cost says"),
    ("an agency's NPV saving edited", _table("agencies.csv", _plus(
        "npv_saving", 1000.0, lambda _row, _rows: True)),
     "<folder>/agencies.csv, column npv_saving: the rows add up to",
     "but summary.json's npv_saving says"),
]


@pytest.mark.parametrize(("name", "edit", "file", "figure"), PLANNED_EDITS,
                         ids=[e[0] for e in PLANNED_EDITS])
def test_the_plans_one_off_and_npv_are_the_agencies_sums(
        planned: Path, name: str, edit: Callable[[Path], None], file: str,
        figure: str) -> None:
    """summary.json's one_off_cost and npv_saving are the agencies' (each agency's share
    of the plan's, rounded to the penny apart): an edit of either side is refused."""
    folder = planned / "results" / "tiny"
    stored = check_results(folder)
    agencies = stored.tables["agencies"]
    assert agencies["one_off_cost"].sum() == pytest.approx(stored.summary.one_off_cost,
                                                           abs=0.02)
    assert agencies["npv_saving"].sum() == pytest.approx(stored.summary.saving_in_year_one,
                                                         abs=0.02)
    said = _planned_edit(folder, name.replace(" ", "_"), edit)
    assert file in said and figure in said, said


def _an_agency_edited_is_refused(folder: Path, column: str, key: str) -> None:
    """A copy of `folder` with the first agency's `column` raised by £1,000 is refused,
    its rows' total set against summary.json's `key`."""
    said = _planned_edit(folder, column, _table("agencies.csv", _plus(
        column, 1000.0, lambda _row, _rows: True)))
    assert f"<folder>/agencies.csv, column {column}: the rows add up to" in said, said
    assert f"but summary.json's {key} says" in said, said


def _dated_town(tmp_path: Path, rows: Any, *options: str) -> Path:
    """The tiny town with `start` set, planned by `estate plan` with `options`."""
    run = invoke(tmp_path, "plan", town(tmp_path, rows, changes={"start": "2027-04-01"}),
                 "--out", "results/dated", *options)
    assert run.code == 0, run.output
    return tmp_path / "results" / "dated"


def test_a_dated_plans_timing_is_the_agencies_sum(tmp_path: Path) -> None:
    """A dated plan (start set, T2 may not move until year 3) writes each agency's share
    of what timing adds, and of what it books early, in agencies.csv; they add up to
    summary.json's lease_cost_npv and booked_early_npv, and an edit of one agency's
    share is refused."""
    rows = town_rows()
    rows["functions"][1].update(earliest_move="2029-04-01")
    folder = _dated_town(tmp_path, rows)
    stored = check_results(folder)
    assert stored.summary.lease_cost_npv is not None
    agencies = stored.tables["agencies"]
    assert agencies["lease_cost_npv"].sum() == pytest.approx(stored.summary.lease_cost_npv,
                                                             abs=0.02)
    _an_agency_edited_is_refused(folder, "lease_cost_npv", "lease_cost_npv")
    # and of what its snapshot books before any programme could, which it leaves out
    assert stored.summary.booked_early_npv is not None
    assert agencies["booked_early_npv"].sum() == pytest.approx(
        stored.summary.booked_early_npv, abs=0.02)
    _an_agency_edited_is_refused(folder, "booked_early_npv", "booked_early_npv")


@pytest.fixture(scope="module")
def breached(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A register whose status quo breaches two coverage rules, planned and written.

    S1 (public access) at (0, 0) reaches zone Z1 at (0, 1) within 3 km; Z2 at (20, 1)
    and Z3 at (20, 2) are out of reach today, within reach of the candidate C1 at
    (20, 0). coverage.0 (mode all) names Z2 and Z3; coverage.1 (population_share 90%)
    finds 1,000 of 3,000 people, 33.3%, reached today. The plan builds C1."""
    root = tmp_path_factory.mktemp("breached")
    register = write_register(root / "register", [agency("A")], [
        site("S1", "A", 0, 0, services=["public_access"]),
        site("C1", "A", 20, 0, build_cost=10_000, candidate=True,
             services=["public_access"])],
        [function("F1", "A", "IT", "S1")],
        [zone("Z1", 0, 1), zone("Z2", 20, 1), zone("Z3", 20, 2)])
    rules = [{"service": "public_access", "radius_km": 3.0, "mode": "all"},
             {"service": "public_access", "radius_km": 3.0, "mode": "population_share",
              "population_share": 0.9}]
    plan = plan_of(register, scenario(coverage=rules), "highs")
    return write_plan(plan, root / "plan")


def _zone(rule: str, zone_id: str) -> Callable[[list[str], Rows], bool]:
    return lambda row, rows: (_cell(rows, row, "rule"), _cell(rows, row, "zone_id")) == (
        rule, zone_id)


def _covered(rule: str, zone_id: str, value: str) -> Callable[[Path], None]:
    def change(rows: Rows) -> None:
        i = next(i for i, row in enumerate(rows) if i and _zone(rule, zone_id)(row, rows))
        rows[i][rows[0].index("covered_before")] = value
    return _table("coverage.csv", change)


def _forget_breach(d: dict[str, Any]) -> None:
    d["status_quo_breaches"] = [b for b in d["status_quo_breaches"]
                                if not b["place"].startswith("zone Z3 ")]


COVERAGE_EDITS: list[tuple[str, Callable[[Path], None], str, str]] = [
    ("a zone named out of reach marked covered", _covered("0", "Z2", "True"),
     "<folder>/coverage.csv row 3, column covered_before: coverage.csv has covered_before "
     "True for 'zone Z2 Zone Z2: no site offering public_access within 3 km'",
     "summary.json's status_quo_breaches says coverage.0"),
    ("a zone reached marked out of reach", _covered("0", "Z1", "False"),
     "<folder>/coverage.csv row 2, column covered_before: 'zone Z1 Zone Z1: no site "
     "offering public_access within 3 km' is out of reach today",
     "summary.json's status_quo_breaches says no such breach of coverage.0"),
    ("a breach gone from the summary", _summary(_forget_breach),
     "<folder>/coverage.csv row 4, column covered_before: 'zone Z3 Zone Z3",
     "says no such breach of coverage.0"),
    ("the people reached edited", _covered("1", "Z2", "True"),
     "<folder>/coverage.csv, column covered_before: the rows of rule 1 reach 66.7% of "
     "people today", "summary.json's status_quo_breaches says coverage.1: '33.3% of people"),
]


def test_a_breached_folder_passes(breached: Path) -> None:
    stored = check_results(breached)
    places = sorted(b.place for b in stored.summary.status_quo_breaches)
    assert places == ["33.3% of people reach public_access within 3 km, 90.0% required",
                      "zone Z2 Zone Z2: no site offering public_access within 3 km",
                      "zone Z3 Zone Z3: no site offering public_access within 3 km"]


@pytest.mark.parametrize(("name", "edit", "file", "figure"), COVERAGE_EDITS,
                         ids=[e[0] for e in COVERAGE_EDITS])
def test_the_status_quos_coverage_breaches_are_coverage_csvs(
        breached: Path, name: str, edit: Callable[[Path], None], file: str,
        figure: str) -> None:
    said = _planned_edit(breached, name.replace(" ", "_"), edit)
    assert file in said and figure in said, said


def _estate(year: str) -> Callable[[list[str], Rows], bool]:
    """The row of the estate (a blank agency_id) of `year` in cashflow.csv."""
    return lambda row, rows: (_cell(rows, row, "agency_id"), _cell(rows, row, "year")) == (
        "", year)


def _first_action(action: str) -> Callable[[list[str], Rows], bool]:
    return lambda row, rows: _cell(rows, row, "action") == action


def _drop_last(rows: Rows) -> None:
    rows.pop()


def _act_as(action: str, new: str) -> Callable[[Rows], None]:
    return _set("action", lambda a: a == action, lambda _: new)


def _budget(key: str, amount: float) -> Callable[[Path], None]:
    def change(d: dict[str, Any]) -> None:
        d["programme"]["budget"][0][key] += amount
    return _summary(change)


# (name, edit, the file and row named, what the message names)
PROGRAMME_EDITS: list[tuple[str, Callable[[Path], None], str, str]] = [
    ("a change left out", _table("programme.csv", _drop_last),
     "programme.csv, column action: the file has", "summary.json's programme.changes says"),
    ("a change's one-off edited", _table("programme.csv", _plus(
        "one_off", 1000.0, _first_action("build"))),
     "programme.csv, column one_off: the rows of year 1 add up to",
     "summary.json's programme.budget (year 1) one_off says"),
    ("a move's staff edited", _table("programme.csv", _plus("fte", 5.0,
                                                           _first_action("move"))),
     "programme.csv, column fte: the rows of year", "programme.budget (year"),
    ("a closure said to be a move", _table("programme.csv", _act_as("close", "move")),
     "programme.csv, column action", "programme.budget (year"),
    ("a budget's closures edited", _budget("closures", 1),
     "programme.csv, column action: 0 rows of year 1 say close",
     "summary.json's programme.budget (year 1) closures says 1"),
    ("the estate's saving edited", _table("cashflow.csv", _plus(
        "saving", 1000.0, _estate("3"))),
     "cashflow.csv row", "column saving: expected status_quo - cost"),
    ("an agency's running cost edited", _table("cashflow.csv", _plus(
        "running", 1000.0, lambda row, rows: _cell(rows, row, "agency_id") != "")),
     "cashflow.csv row", "column running: expected the sum of the agencies' rows of year 1"),
    ("the estate's discounted saving edited", _table("cashflow.csv", _plus(
        "discounted", 1000.0, _estate("2"))),
     "cashflow.csv, column discounted: the estate's discounted savings add up to",
     "summary.json's programme.npv_saving says"),
    ("the payback year edited", _summary(lambda d: d["programme"].update(payback_year=9)),
     "cashflow.csv, column cumulative_discounted: the estate's cumulative discounted "
     "saving is first above nought in year", "summary.json's programme.payback_year says 9"),
    ("the lasting payback year edited", _summary(
        lambda d: d["programme"].update(lasting_payback_year=None)),
     "cashflow.csv, column cumulative_discounted: the estate's cumulative discounted "
     "saving stays above nought from year", "programme.lasting_payback_year says null"),
    ("an agency's status quo edited", _table("cashflow.csv", _plus(
        "status_quo", 500.0, lambda row, rows: _cell(rows, row, "agency_id") != "")),
     "cashflow.csv row", "'s annual_cost_before in agencies.csv"),
    ("the budget emptied", _summary(lambda d: d["programme"].update(budget=[])),
     "summary.json, key programme.budget", "expected one year each of the horizon's"),
    ("a budget year left out", _summary(lambda d: d["programme"]["budget"].pop()),
     "summary.json, key programme.budget", "found years 1, 2"),
    ("the estate's one-off edited", _table("cashflow.csv", _plus(
        "one_off", 700.0, _estate("1"))),
     "cashflow.csv row", "column one_off: expected one_off - receipts = programme.csv's "
     "one_off of year 1"),
]


def test_an_unedited_dated_folder_passes(dated: Path) -> None:
    stored = check_results(dated)
    assert stored.programme is not None and len(stored.programme.actions)


@pytest.mark.parametrize(("name", "edit", "file", "figure"), PROGRAMME_EDITS,
                         ids=[e[0] for e in PROGRAMME_EDITS])
def test_an_edited_programme_is_refused(dated: Path, name: str,
                                        edit: Callable[[Path], None], file: str,
                                        figure: str) -> None:
    said = _planned_edit(dated, name.replace(" ", "_"), edit)
    assert f"<folder>/{file}" in said and figure in said, said


def test_a_planned_programme_passes(tiny: Any, tmp_path: Path) -> None:
    """Each tiny programme register, scheduled by the roadmap and the joint model and
    written as `estate plan` writes it, passes every check."""
    programme = tiny.programme()
    folder = write_plan(dataclasses.replace(tiny.plan, programme=programme),
                        tmp_path / "plan")
    stored = check_results(folder)
    assert stored.programme is not None
    assert stored.programme.npv_saving == pytest.approx(programme.npv_saving, abs=0.01)
    # every pound of cashflow.csv to the penny, as the other tables (discounting makes
    # fractions of a penny wherever the rate is not nought)
    with open(folder / "cashflow.csv", newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    money = [r[c] for r in rows for c in CASHFLOW_COLUMNS[3:]]
    assert [m for m in money if "." in m and len(m.split(".")[1]) > 2] == []
    exact = programme.cashflow["discounted"].to_numpy(float)
    assert np.abs(exact - np.round(exact, 2)).max() < 1e-9


def test_programme_csv_gives_its_pounds_to_the_penny(tmp_path: Path) -> None:
    """A team of 33.3 FTE moved at £1,500 an FTE costs £49,950.00, which floats make
    49,949.99999999999; the office it leaves costs £10,000.10 to close and saves its
    £100,000.30 a year. programme.csv, written as `estate plan` writes it, gives each
    one-off and annual effect to the penny, as cashflow.csv does, and the folder passes
    every check (a year's rows against its budget use and cashflow.csv's one-offs)."""
    case = plan_case(tmp_path / "register", [
        site("L", "A", 0, 0, desks=50, running_cost=100_000.3, closure_cost=10_000.1),
        site("K", "A", 1, 0, desks=200, running_cost=100_000, must_keep=True),
    ], [function("T", "A", "Ops", "L", fte=33.3, desks=40)],
        relocation={"cost_per_fte": 1500.0}, horizon_years=3)
    folder = write_plan(dataclasses.replace(case.plan, programme=case.programme()),
                        tmp_path / "plan")
    with open(folder / "programme.csv", newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [(r["action"], r["one_off"], r["annual_effect"]) for r in rows] == [
        ("close", "10000.1", "100000.3"), ("move", "49950", "0")]
    stored = check_results(folder)
    assert stored.programme is not None
    assert list(stored.programme.budget["one_off"]) == [59_950.1, 0.0, 0.0]


def test_a_dated_folder_with_an_edited_cashflow_is_exit_1(dated: Path,
                                                          tmp_path: Path) -> None:
    """`estate report` refuses a folder whose cashflow.csv was edited, naming the row."""
    shutil.copytree(dated, tmp_path / "r")
    assert invoke(tmp_path, "report", "r", "--out", "first.pdf").code == 0
    _table("cashflow.csv", _plus("saving", 1000.0, _estate("3")))(tmp_path / "r")
    run = invoke(tmp_path, "report", "r", "--out", "out/board.pdf")
    assert run.code == 1, run.output
    no_traceback(run)
    assert "r/cashflow.csv row" in run.stderr and "column saving" in run.stderr, run.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_dated_plans_agencies_share_its_year_1_saving_and_an_edit_says_so(
        tmp_path: Path) -> None:
    """With a programme, summary.json's npv_saving is the programme's and agencies.csv's
    npv_saving adds up to year_one_npv_saving: an edit of one agency's is refused naming
    the key it is checked against."""
    folder = _dated_town(tmp_path, town_rows(), "--programme")
    stored = check_results(folder)
    assert stored.summary.programme is not None
    assert stored.summary.npv_saving == stored.summary.programme.npv_saving
    agencies = stored.tables["agencies"]
    assert agencies["npv_saving"].sum() == pytest.approx(stored.summary.saving_in_year_one,
                                                         abs=0.02)
    _an_agency_edited_is_refused(folder, "npv_saving", "year_one_npv_saving")


def test_a_dated_plans_agencies_csv_gives_each_agency_s_dated_saving_too(
        tmp_path: Path) -> None:
    """Beside the snapshot's npv_saving, agencies.csv's dated_npv_saving is each agency's
    programme saving (cashflow.csv's last cumulative discounted), adding up to the
    summary's npv_saving, as a planner summing the column in Excel expects; an edit of it
    is refused at its row; an undated plan has no such column."""
    folder = _dated_town(tmp_path, town_rows(), "--programme")
    stored = check_results(folder)
    assert stored.programme is not None
    agencies = stored.tables["agencies"]
    dated = stored.programme.agency_npv()
    assert dict(zip(agencies["agency_id"], agencies["dated_npv_saving"], strict=True)) \
        == pytest.approx(dated, abs=0.005)
    assert agencies["dated_npv_saving"].sum() == pytest.approx(stored.summary.npv_saving,
                                                               abs=0.02 * len(agencies))
    said = _planned_edit(folder, "dated", _table("agencies.csv", _plus(
        "dated_npv_saving", 1000.0, lambda _row, _rows: True)))
    assert "<folder>/agencies.csv row 2, column dated_npv_saving:" in said, said
    assert "but cashflow.csv's last cumulative_discounted of" in said, said
    said = _planned_edit(folder, "blank", _table("agencies.csv", _set(
        "dated_npv_saving", lambda _: True, lambda _: "")))
    assert "column dated_npv_saving: A1's is blank, but cashflow.csv's last" in said, said
    assert "nan" not in said, said

    def blank_column(rows: Rows) -> None:  # every cell: not taken for a folder without it
        for row in rows[1:]:
            row[rows[0].index("dated_npv_saving")] = ""
    said = _planned_edit(folder, "blank column", _table("agencies.csv", blank_column))
    assert "column dated_npv_saving: A1's is blank, but cashflow.csv's last" in said, said
    undated = _dated_town(tmp_path / "undated", town_rows())
    assert "dated_npv_saving" not in (undated / "agencies.csv").read_text(encoding="utf-8-sig")
