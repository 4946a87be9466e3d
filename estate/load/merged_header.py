"""Merged ranges of a workbook's sheet, each one problem at the range, saying to unmerge
it. A merged range holds its value in its first cell only: across the header (`F1:G1`)
the header names the first column and the others have no name, and are not read (in
place of a warning for each column with data under no header and an error for each
required column the header then lacks); down a column of the records (`B2:B3`) the
rows below read blank, and across a record's columns (`C3:E3`) the columns after the
first do (in place of an empty cell for each).
"""

from __future__ import annotations

from estate.errors import Problem, count
from estate.load.raw import RawTable, required_columns
from estate.load.workbook import Sheet, cell_column, cell_row, letters


def _header_merges(sheet: Sheet, table: RawTable) -> dict[str, tuple[int, int, list[int]]]:
    """The sheet's ranges merged across columns in the header row, each with its first
    and last columns and those after the first that hold something below the header:
    the header heads the first column only, and the others have no name."""
    found: dict[str, tuple[int, int, list[int]]] = {}
    spans = [(ref, ref.split(":")) for ref in sheet.marks.merged]
    spans = [(ref, corners) for ref, corners in spans if cell_column(corners[0])
             < cell_column(corners[-1]) and cell_row(corners[0]) <= table.header_row
             <= cell_row(corners[-1])]
    if not spans:  # most sheets: no grid sliced
        return found
    grid = sheet.grid.loc[sheet.grid.index > table.header_row]
    for ref, corners in spans:
        first, last = cell_column(corners[0]), cell_column(corners[-1])
        held = [c for c in range(first + 1, last + 1)
                if c in grid.columns and (grid[c] != "").any()]
        if held:
            found[ref] = (first, last, held)
    return found


def not_under_merged_header(problems: list[Problem], table: RawTable, sheet: Sheet
                             ) -> list[Problem]:
    """The problems but the warnings `add_table` gave data under an empty header where
    the header is a range merged across columns, which `merged_header` says."""
    covered = {letters(c) for _, _, held in _header_merges(sheet, table).values()
               for c in held}
    return [p for p in problems if not (
        p.file == table.label and p.severity == "warning" and p.column in covered
        and p.expected.startswith("a column name in row"))]


def merged_header(label: str, sheet: Sheet, table: RawTable) -> list[Problem]:
    """A header merged across columns (`F1:G1`) heads its first column only: the
    columns under the rest of it have no name and are not read. One problem at the
    range, naming any required column the header lacks (likely under it), which is
    then not reported again, unless more are lacking than the merges hide; an error
    when one is, else a warning, as data under an empty header is."""
    merges = _header_merges(sheet, table)
    if not merges:
        return []
    missing = sorted(required_columns(table.name) - set(table.frame.columns))
    hidden = sum(len(held) for _, _, held in merges.values())
    if len(missing) <= hidden:  # each may be under a merge: said here, not again
        table.said_missing.update(missing)
    lacks = _lacks(missing, hidden)
    problems = []
    for ref, (first, last, _) in merges.items():
        name = table.positions.get(first)
        text = f"{table.typed.get(name, name)!r} over " if name else ""
        joined = " and " if last == first + 1 else " to "
        problems.append(Problem(
            label, table.header_row, None,
            "a header in each column (a header merged across columns heads only the "
            "first of them; the others have no name and are not read)",
            f"the header cells {ref} merged ({text}columns {letters(first)}{joined}"
            f"{letters(last)}){lacks}: unmerge them so that each column has its own header",
            severity="error" if missing else "warning"))
    return problems


def _lacks(missing: list[str], hidden: int) -> str:
    """The required columns the header lacks, said beside the merges that hide
    `hidden` columns of data: named when the merges may explain them all; else only
    counted, as each is then said on its own (with a column that may be it)."""
    if not missing:
        return ""
    if len(missing) <= hidden:
        return f"; the header lacks {', '.join(missing)}, which may be " + (
            "one of them" if len(missing) == 1 else "among them")
    return (f"; the header lacks {count(len(missing), 'required column')}, more than the "
            f"merged headers hide ({count(hidden, 'column')}), each said on its own")


def merged_records(label: str, sheet: Sheet, table: RawTable, records: set[int],
                   read: set[str]) -> list[Problem]:
    """One problem for each range merged in the records (below the header) over a
    column estate reads (`read`); the blank cells it covers are left out of the checks
    (`RawTable.covered`), so each is not an empty cell as well."""
    problems: list[Problem] = []
    for ref in sheet.marks.merged:
        top, bottom = (cell_row(corner) for corner in ref.split(":"))
        first, last = (cell_column(corner) for corner in ref.split(":"))
        column = table.positions.get(first)
        below = [r for r in range(top + 1, bottom + 1) if r in records]
        # a range merged across columns of a record: those after its first read blank
        hidden = [c for c in map(table.positions.get, range(first + 1, last + 1))
                  if c in read]
        rows = [r for r in range(top, bottom + 1) if r in records]
        if hidden and rows and top > table.header_row:
            for name in hidden + ([column] if column in read and below else []):
                table.covered.setdefault(name, set()).update(
                    rows if name in hidden else below)
            problems.append(Problem(
                label, top, hidden[0],
                "a value in each cell (a merged range holds its value in its first cell, "
                "and the rest read as blank)",
                f"the cells {ref} merged across {', '.join(hidden)}: unmerge them and type "
                "each value in its own column"))
        elif column in read and below and top > table.header_row:
            table.covered.setdefault(column, set()).update(below)
            problems.append(Problem(
                label, top, column,
                "a value in each cell (a merged range holds its value in its first cell, "
                "and the rest read as blank)",
                f"the cells {ref} merged: unmerge them and fill the value down"))
    return problems
