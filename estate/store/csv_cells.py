"""The one CSV writer of estate: every CSV it writes (a results folder's tables,
warnings.csv, programme.csv, cashflow.csv, comparison.csv, sweep.csv) is written here,
cell by cell (`csv_cell`), and read back by `estate.store.check.read_table`:

- a text cell a spreadsheet would run as a formula (leading `=`, `+`, `-`, `@`, tab or
  carriage return) gets a leading quote (`safe_cell`), taken off again on reading
  (`unsafe_cell`); a text already starting as such a cell does (a quote, then one of
  those or another quote) gets one too, so the round trip is exact, and a quote before
  plain text ('S031' hosts ...) is left as it is;
- cells are quoted wherever they hold a comma, a quote, a carriage return or a line
  break, and rows end with CRLF as RFC 4180 and Excel write them, so a bare carriage
  return in a name never splits a row;
- NUL and very long text are kept whole (no limit but memory). Excel shows at most
  32,767 characters in a cell: it cuts a longer text when it opens the CSV, while
  estate reads it back whole; comparison.xlsx cuts such a text itself (`estate.runs.
  compare`), so the workbook opens without repair;
- files are UTF-8 with a byte-order mark, as Excel's "CSV UTF-8" writes them: without
  one, Excel opened by a double click reads a CSV as Windows-1252 and shows "Café" as
  "CafÃ©"; on reading, the mark is taken off and a file without one (a folder written
  before estate wrote it, or by another tool) is read the same;
- a whole number is written without its ".0" (445, not 445.0), so that QGIS reads a
  column of counts as whole numbers; flags are true and false, as a scenario file types
  them and Excel reads them.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""First characters that make a spreadsheet run a CSV cell as a formula: = + - @, tab
and CR, and the full-width = + - @ that some locales' spreadsheets read as the same."""


def needs_quote(text: str) -> bool:
    """Whether a spreadsheet would run the text as a formula, or it starts as a quoted
    cell does (a quote before a formula's first character or another quote), which
    `unsafe_cell` would otherwise take one quote off. A quote before anything else is
    left as it is: a warning found 'S031' reads so in Excel, not ''S031'."""
    return text[:1] in FORMULA_STARTS or _quoted(text)


def _quoted(text: str) -> bool:
    """Whether a cell starts as `safe_cell` makes one: a quote, then a formula's first
    character or a quote."""
    return text[:1] == "'" and text[1:2] in (*FORMULA_STARTS, "'")


def flag_text(value: Any) -> Any:
    """A flag as every CSV of estate writes it (a results folder's tables, comparison.csv,
    sweep.csv) and a scenario file types it, true or false, which Excel reads as its
    TRUE and FALSE; any other value as it is. (Folders written before keep True and False,
    which `estate.store.check` reads alike.)"""
    return ("true" if value else "false") if isinstance(value, bool | np.bool_) else value


def whole_text(value: Any) -> Any:
    """A number as a CSV cell: a whole one without its ".0" (445, not 445.0: desks,
    racks, a zone's population, a round sum of pounds), so that QGIS and Excel read a
    count as the whole number it is; any other value as it is."""
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isfinite(number) and number.is_integer() and abs(number) < 2 ** 53:
            return int(number)
    return value


def safe_cell(value: Any) -> Any:
    """A text cell a spreadsheet cannot run: one that `needs_quote` gets a leading quote,
    so that `unsafe_cell` can take exactly one off and give back the text as it was."""
    if isinstance(value, str) and needs_quote(value):
        return "'" + value
    return value


def unsafe_cell(text: str) -> str:
    """The text `safe_cell` was given (a cell written before a quote was added only
    where `_quoted` says reads the same)."""
    return text[1:] if _quoted(text) else text


def csv_cell(value: Any) -> Any:
    """A value as every CSV of estate writes it: numbers as Python writes them, whole
    ones without ".0" (`whole_text`; an infinite one, a sweep's varied limit, as inf),
    flags as true and false (`flag_text`), a blank for a missing value or a figure with
    none (NaN), text made safe (`safe_cell`)."""
    if value is None or value is pd.NA or (isinstance(value, float | np.floating)
                                           and math.isnan(value)):
        return ""
    return safe_cell(flag_text(whole_text(value)))


def _cells(column: pd.Series) -> list[Any]:
    """A column as CSV cells (`csv_cell`)."""
    return [csv_cell(v) for v in column.tolist()]


def write_safe_rows(header: Sequence[Any], rows: Iterable[Sequence[Any]], path: Path) -> None:
    """Rows of cells already made safe (`safe_cell`) as CSV the way every CSV of estate
    is written (module docstring): UTF-8 with a byte-order mark, quoted where needed,
    CRLF line ends."""
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_safe_csv(frame: pd.DataFrame, path: Path) -> None:
    """A table as CSV (module docstring): every text cell made safe for spreadsheets."""
    columns = [_cells(frame[c]) for c in frame.columns]
    write_safe_rows([str(c) for c in frame.columns], zip(*columns, strict=True), path)
