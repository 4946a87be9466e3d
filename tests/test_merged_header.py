"""Merged ranges of a workbook (estate.load.merged_header): a header merged across
columns, or a record's cells merged across its columns, is one problem at the range,
saying to unmerge it, not a missing column, data under no header or empty cells."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from estate.load.validate import load_register
from tests.fixtures import write_xlsx
from tests.fixtures.reference import frames, problems_of


def _merged(path: Path, cells: str, text: str) -> Path:
    """The workbook with `cells` of the sites sheet merged, `text` in the first."""
    book = openpyxl.load_workbook(path)
    book["sites"][cells.split(":")[0]] = text
    book["sites"].merge_cells(cells)
    book.save(path)
    return path


def test_a_header_merged_over_two_columns_is_one_error_at_the_range(tmp_path: Path) -> None:
    tables = frames()
    # F is desks and G running_cost: merged, F1 says running_cost and G has no header
    assert list(tables["sites"].columns)[5:7] == ["desks", "running_cost"]
    path = _merged(write_xlsx(tmp_path / "reg.xlsx", tables), "F1:G1", "running_cost")
    problems = problems_of(path)
    assert [(p.file, p.row, p.column, p.severity) for p in problems] == [
        ("reg.xlsx[sites]", 1, None, "error")]
    assert problems[0].found == (
        "the header cells F1:G1 merged ('running_cost' over columns F and G); the header "
        "lacks desks, which may be one of them: unmerge them so that each column has its "
        "own header")
    assert "merged across columns" in problems[0].expected
    # doing as it says (unmerge, a header in each column) gives the register back
    book = openpyxl.load_workbook(path)
    book["sites"].unmerge_cells("F1:G1")
    book["sites"]["F1"], book["sites"]["G1"] = "desks", "running_cost"
    book.save(path)
    register = load_register(path)
    assert register.warnings == []
    assert register.sites["desks"].tolist() == [400, 120, 200]


def test_columns_missing_beyond_what_the_merge_hides_are_said_to_be_missing(
        tmp_path: Path) -> None:
    tables = frames()
    # F1:G1 merged hides one column of data (desks); lat is missing for its own reason
    tables["sites"] = tables["sites"].drop(columns="lat")
    desks = list(tables["sites"].columns).index("desks")
    first, second = (chr(ord("A") + desks + i) for i in (0, 1))
    path = _merged(write_xlsx(tmp_path / "reg.xlsx", tables), f"{first}1:{second}1",
                   "running_cost")
    problems = problems_of(path)
    assert sorted((p.row or 0, p.column or "", p.severity) for p in problems) == [
        (0, "desks", "error"), (0, "lat", "error"), (1, "", "error")]
    merge = next(p for p in problems if p.row == 1)
    assert "the header lacks 2 required columns, more than the merged headers hide " \
        "(1 column), each said on its own" in merge.found


def test_a_merged_header_losing_no_required_column_is_a_warning(tmp_path: Path) -> None:
    tables = frames()
    tables["sites"]["more notes"] = ["see file", None, None]  # Q, after notes in P
    path = _merged(write_xlsx(tmp_path / "reg.xlsx", tables), "P1:Q1", "Notes")
    warnings = load_register(path).warnings
    assert [(w.row, w.column, w.severity) for w in warnings] == [(1, None, "warning")]
    assert warnings[0].found.startswith("the header cells P1:Q1 merged ('Notes' over "
                                        "columns P and Q): unmerge them")
    # over an empty column nothing is lost, and nothing is said; nor of a title above
    tables["sites"]["more notes"] = [None, None, None]
    path = _merged(write_xlsx(tmp_path / "empty.xlsx", tables), "P1:R1", "Notes")
    assert load_register(path).warnings == []


def test_a_range_merged_across_a_record_s_columns_is_named_once(tmp_path: Path) -> None:
    """S2's name merged across lat and lon (C3:E3): those read blank, said once at the
    range with the columns it hides, not as two empty cells with no word of the merge;
    merged from desks into running cost and down a row (F3:G4), the range is one problem
    too, for the column across and the one down."""
    path = write_xlsx(tmp_path / "reg.xlsx", frames())
    book = openpyxl.load_workbook(path)
    book["sites"].merge_cells("C3:E3")
    book["sites"].merge_cells("F3:G4")
    book.save(path)
    problems = problems_of(path)
    assert [(p.row, p.column, p.found) for p in problems] == [
        (3, "lat", "the cells C3:E3 merged across lat, lon: unmerge them and type each "
         "value in its own column"),
        (3, "running_cost", "the cells F3:G4 merged across running_cost: unmerge them and "
         "type each value in its own column")]
