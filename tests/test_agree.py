"""A results folder's tables agree with its summary.json (estate.store.agree).

Each figure summary.json states and a table also gives, edited on one side only, is a
located exit 1 naming the file and the figure; an unedited folder (made up in code, or
planned) passes. The map would otherwise quote the summary's "24 closed" in its panel
beside a legend of 23 drawn from sites.csv.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from estate.errors import InputError
from estate.store import check_results
from tests.fixtures import invoke, no_traceback, town
from tests.fixtures.results import write_results

Rows = list[list[str]]


def _table(name: str, change: Callable[[Rows], None]) -> Callable[[Path], None]:
    """An edit of one CSV of the folder, as a spreadsheet saves it back."""
    def edit(folder: Path) -> None:
        with open(folder / name, newline="", encoding="utf-8") as f:
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
        "worse_off", lambda _: True, lambda v: str(v != "True"))),
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
