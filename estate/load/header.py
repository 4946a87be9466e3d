"""Which row of a sheet or CSV file holds the column names.

A register kept for people often has a title above its header (merged across the
columns in a workbook, alone on its line in a CSV) or a line of notes. The first row
is the header unless a row a little further down names more of the table's required
columns and at least half of them: then that row is, the rows above it are not read,
and every row keeps the number the spreadsheet shows. Blank rows above the header (a
workbook's grid holds none; a CSV's line of commas alone is Excel's blank row) are
skipped; a CSV file's first line is row 1, blank or not. A header that lacks a column is
still found,
so the missing column is what is reported, not every required column against the title.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

HEADER_ROWS = 10
"""How far down the column names are looked for when row 1 does not hold them."""


def column_name(cell: object) -> str:
    """A header cell as a column name, as every reader normalises it: `' Site ID '` ->
    `site_id`."""
    return re.sub(r"\s+", "_", str(cell).strip().lower())


def names_in(cells: Iterable[object]) -> set[str]:
    """The column names a row's cells would give as a header (`column_name`), blanks
    left out."""
    return {column_name(c) for c in cells if str(c).strip()}


def header_row(rows: Iterable[tuple[int, Iterable[object]]], required: frozenset[str]
               ) -> int | None:
    """The row number of the header, given the rows as (row number, cells) pairs: the
    row among the first `HEADER_ROWS` given naming the most of `required`, and at least
    half of them (the first such on a tie, so the first row when it does); otherwise
    the first row given that holds anything, or None when none does."""
    best, named, first = None, 0, None
    for position, (number, cells) in enumerate(rows):
        if position >= HEADER_ROWS:
            break
        names = names_in(cells)
        if first is None and names:  # blank rows above it are skipped
            first = number
        hits = len(required & names)
        if required and 2 * hits >= len(required) and hits > named:
            best, named = number, hits
    return first if best is None else best


HEADER_SEARCH = 1_000
"""How many rows are searched for column names out of the header's reach, to say where
they are: a sheet's notes are never longer."""


def header_out_of_reach(rows: Iterable[tuple[int, Iterable[object]]], required: frozenset[str]
                        ) -> int | None:
    """The row number of column names further down than the header is looked for (the
    first row after the first `HEADER_ROWS` naming at least half of `required`), when
    no row within them does; None otherwise. Such a header is not read (a row of data
    could name columns as well, that far down), but where it is can be said."""
    if not required:
        return None
    for position, (number, cells) in enumerate(rows):
        if position >= HEADER_SEARCH:
            break
        if 2 * len(required & names_in(cells)) >= len(required):
            return None if position < HEADER_ROWS else number
    return None


def out_of_reach_words(row: int) -> tuple[str, str]:
    """(what was expected, what was found) for column names in `row`, out of reach."""
    return (f"the column names within the first {HEADER_ROWS} rows that hold anything",
            f"them in row {row}, below the rows looked at: delete the notes above them, or "
            "move them to a sheet of their own")
