"""The tables of a results folder: one CSV writer, one typed reader, one folder check.

Every CSV a results folder holds is written by `write_safe_csv` and read back by
`read_table`, so that whatever a register's names contain, what is read is what was
written:

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
  before estate wrote it, or by another tool) is read the same.

`check_tables` reads every table of a folder typed and checks what the map, the
comparison and the board pack rely on (ids that join, decisions, coordinates, a
readable GeoPackage, the figures summary.json states: `estate.store.agree`), so that
a damaged or hand-edited folder is an `InputError` naming the file, the row and the
column (or the figure), never a crash half-way through drawing.
"""

from __future__ import annotations

import csv
import io
import math
import tomllib
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyogrio

from estate.errors import InputError, Problem
from estate.load.csv_file import Unreadable, check_encoding, check_separator
from estate.load.free_text import HIDDEN, REFUSED
from estate.load.geopackage import readable
from estate.load.schema import LARGEST
from estate.results import Summary
from estate.results.amounts import count
from estate.results.programme import ACTION_COLUMNS, CASHFLOW_COLUMNS
from estate.store.agree import disagreements

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""First characters that make a spreadsheet run a CSV cell as a formula: = + - @, tab
and CR, and the full-width = + - @ that some locales' spreadsheets read as the same."""

DECISIONS = ("keep", "close", "open", "not_built")
MOST_PROBLEMS = 20
"""Problems listed per file; the rest are counted."""
FLAGS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


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
    which `_flag` reads alike.)"""
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
    ones without ".0" (`whole_text`), flags as true and false (`flag_text`), a blank for
    a missing value or a figure with none (NaN), text made safe (`safe_cell`)."""
    if value is None or value is pd.NA or (isinstance(value, float | np.floating)
                                           and not math.isfinite(value)):
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


@dataclass(frozen=True)
class Columns:
    """The columns of a table and how each is read: `text` (the leading quote of
    `safe_cell` taken off), `numbers` (floats, a blank is NaN), `whole` (whole numbers,
    never blank), `flags` (True/False). `optional` ones may be absent (older folders):
    they are then blank."""

    text: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    whole: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (*self.text, *self.whole, *self.numbers, *self.flags)


RESULT_TABLES = {
    "sites": Columns(("site_id", "agency_id", "name", "kind", "services", "decision",
                      "shared_types"),
                     ("lat", "lon", "running_cost", "desks_used", "desks", "racks_used",
                      "racks")),
    # pooled: the share pooled (older folders: True/False), shown as written, never summed
    "assignments": Columns(("function_id", "agency_id", "type", "from_site", "to_site",
                            "pooled"), ("share", "fte_moved")),
    "coverage": Columns(("rule", "service", "zone_id", "name"),
                        ("radius_km", "lat", "lon", "population", "nearest_km_before",
                         "nearest_km_after"), flags=("covered_before", "covered_after")),
    "agencies": Columns(("agency_id", "name", "kind"),
                        ("annual_cost_before", "annual_cost_after", "one_off_cost",
                         "annual_saving", "npv_saving", "lease_cost_npv"),
                        flags=("worse_off",),
                        optional=("annual_saving", "npv_saving", "lease_cost_npv")),
    "zones": Columns(("zone_id", "name"), ("lat", "lon", "population")),
}
"""The five tables every results folder holds (docs/formats.md), as `read_table` reads them."""

PROGRAMME_NUMBERS = ("fte", "one_off", "annual_effect", "surrender", "rent_owed")
PROGRAMME_TABLES = {
    # surrender and rent_owed: written since leases' surrenders and the rent owed after a
    # closing were said site by site; blank in older folders
    "programme": Columns(tuple(c for c in ACTION_COLUMNS
                               if c not in ("year", *PROGRAMME_NUMBERS)),
                         PROGRAMME_NUMBERS, whole=("year",),
                         optional=("surrender", "rent_owed")),
    "cashflow": Columns(CASHFLOW_COLUMNS[1:3], CASHFLOW_COLUMNS[3:], whole=("year",)),
}
"""programme.csv and cashflow.csv, the tables of a dated programme."""


def _limited(problems: list[Problem], path: Path) -> list[Problem]:
    """At most `MOST_PROBLEMS` problems of one file, the rest counted in one line."""
    if len(problems) <= MOST_PROBLEMS:
        return problems
    rest = len(problems) - MOST_PROBLEMS
    return [*problems[:MOST_PROBLEMS],
            Problem(str(path), None, None, "cells like the ones above", f"{rest} more")]


def _raw_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the (spreadsheet row, cells) of every non-blank record."""
    csv.field_size_limit(2**31 - 1)  # a name may be as long as a register allows
    try:
        # decoded whole, so that a bad byte's position is the file's, not a read buffer's
        text = path.read_bytes().decode("utf-8-sig")
        records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except FileNotFoundError:
        raise InputError([Problem(str(path), None, None, "a file of the results folder "
                                  "(written by `estate plan`)", "no file")]) from None
    except UnicodeDecodeError:
        # a table re-saved by Excel as its plain "CSV" (Windows-1252, where £ and ’ are
        # not UTF-8), said as a register's CSV is: its row, its column, how to save it
        try:
            check_encoding(path)
        except Unreadable as unreadable:
            raise InputError([unreadable.problem(str(path))]) from None
        raise
    except (OSError, csv.Error) as exc:
        raise InputError([Problem(str(path), None, None, "a CSV table",
                                  f"{type(exc).__name__}: {exc}")]) from None
    if not records or not any(records[0]):
        raise InputError([Problem(str(path), 1, None, "a header row of column names",
                                  "an empty file" if not records else "a blank first row")])
    header = records[0]
    if any("\x00" in name for name in header):
        raise InputError([Problem(str(path), 1, None, "UTF-8 text, as `estate plan` writes it",
                                  "NUL characters in the header (saved as UTF-16?)")])
    if len(header) == 1:  # re-saved by Excel with `;` or tabs: one problem, with the fix
        try:
            check_separator(path)
        except Unreadable as unreadable:
            raise InputError([unreadable.problem(str(path))]) from None
    return header, [(i + 1, r) for i, r in enumerate(records) if i and any(r)]


def _number(text: str) -> float:
    """A number a plan can hold: blank (NaN), or at most `LARGEST` either way (a text
    "nan" or "inf" is a hand edit: estate writes no number as either)."""
    if not text.strip():
        return math.nan
    value = float(text)
    if not abs(value) <= LARGEST:
        raise ValueError(text)
    return value


def _flag(text: str) -> bool:
    return FLAGS[text.strip().lower()]


def _typed(path: Path, column: str, rows: list[int], texts: Sequence[str],
           read: Callable[[str], Any], expected: str, problems: list[Problem]) -> Any:
    """A column's cells (`texts`, at spreadsheet `rows`) read by `read`; a cell it
    refuses is a located problem."""
    if read is unsafe_cell:
        return [unsafe_cell(t) for t in texts]
    if read is _number:  # the fast way first; cell by cell only to find what is wrong
        try:
            blank = np.array([not t.strip() for t in texts], dtype=bool)
            values = np.array([t if t.strip() else "nan" for t in texts], dtype=float)
            if not (np.abs(values) > LARGEST).any() and not (np.isnan(values) & ~blank).any():
                return values
        except ValueError:
            pass
    out = []
    for row, text in zip(rows, texts, strict=True):
        try:
            value = read(text)
        except (ValueError, KeyError):
            problems.append(Problem(str(path), row, column, expected, repr(text[:80])))
            value = None
        out.append(value)
    return out


def _whole(text: str) -> int:
    value = _number(text)
    if not value.is_integer() or abs(value) > 1e9:  # a blank (NaN) too
        raise ValueError(text)
    return int(value)


def read_table(path: Path, columns: Columns) -> pd.DataFrame:
    """A table `write_safe_csv` wrote, typed by `columns` (its columns first, then any
    other column as text); every damaged cell, missing column or ragged row an
    `InputError` naming the file, the row and the column. `attrs["rows"]` holds each
    record's row in the file (blank lines are skipped, so it is not the index + 2)."""
    path = Path(path)
    header, records = _raw_rows(path)
    problems = [Problem(str(path), 1, c, "this column", "no such column (header: "
                        f"{', '.join(header)[:120]})")
                for c in columns.names if c not in header and c not in columns.optional]
    problems += [Problem(str(path), row, None, f"{count(len(header), 'cell')}, one per "
                         "column", count(len(cells), 'cell')) for row, cells in records
                 if len(cells) != len(header)]
    if problems:
        raise InputError(_limited(problems, path))
    position = {name: j for j, name in enumerate(header)}
    rows = [row for row, _ in records]
    by_column = list(zip(*(cells for _, cells in records), strict=True)) or [()] * len(header)
    blank = [""] * len(records)
    out: dict[str, Any] = {}
    readers: list[tuple[tuple[str, ...], Callable[[str], Any], str]] = [
        (columns.text, unsafe_cell, "text"),
        (columns.whole, _whole, "a whole number"),
        (columns.numbers, _number, "a number (at most 10^15 either way)"),
        (columns.flags, _flag, "True or False")]
    for names, read, expected in readers:
        for name in names:
            texts = by_column[position[name]] if name in position else blank
            out[name] = _typed(path, name, rows, texts, read, expected, problems)
    for name in header:
        if name not in out:
            out[name] = [unsafe_cell(t) for t in by_column[position[name]]]
    if problems:
        raise InputError(_limited(problems, path))
    order = [*dict.fromkeys(header), *(c for c in columns.names if c not in header)]
    frame = pd.DataFrame({name: out[name] for name in order},
                         index=pd.RangeIndex(len(records)))
    for name in columns.text:
        frame[name] = frame[name].astype(object)
    for name in columns.numbers:
        frame[name] = frame[name].astype(float)
    for name in columns.whole:
        frame[name] = frame[name].astype(int)
    for name in columns.flags:
        frame[name] = frame[name].astype(bool)
    frame.attrs["rows"] = rows  # each record's row in the file, for checks made later
    return frame


def _unknown(path: Path, column: str, values: Iterable[Any], known: set[str],
             table: str, blank_ok: bool = False) -> list[Problem]:
    """Ids of `column` that the table they refer to lacks."""
    return [Problem(str(path), i + 2, column, f"an id of {table}", repr(str(v)[:80]))
            for i, v in enumerate(values)
            if v not in known and not (blank_ok and v == "")]


def _duplicates(path: Path, column: str, values: pd.Series) -> list[Problem]:
    twice = values.duplicated()
    return [Problem(str(path), int(i) + 2, column, "an id no other row has",
                    repr(str(values[i])[:80])) for i in values.index[twice]]


def _placed(path: Path, i: int, lat: float, lon: float) -> list[Problem]:
    """A point a map can draw (row `i` of the table, counted from 0)."""
    if -90 <= lat <= 90 and -180 <= lon <= 180:
        return []
    return [Problem(str(path), i + 2, "lat/lon", "a latitude and a longitude in degrees",
                    f"{lat}, {lon}")]


def _joins(folder: Path, tables: dict[str, pd.DataFrame]) -> list[Problem]:
    """Every id that must join does: moves to and from sites of sites.csv, agencies of
    agencies.csv, zones of zones.csv; decisions and coordinates a map can draw."""
    sites, assignments = tables["sites"], tables["assignments"]
    path = folder / "sites.csv"
    site_ids = set(sites["site_id"])
    agency_ids = set(tables["agencies"]["agency_id"])
    problems = _duplicates(path, "site_id", sites["site_id"])
    problems += _duplicates(folder / "agencies.csv", "agency_id",
                            tables["agencies"]["agency_id"])
    problems += _duplicates(folder / "zones.csv", "zone_id", tables["zones"]["zone_id"])
    for i, (decision, lat, lon) in enumerate(zip(sites["decision"], sites["lat"],
                                                 sites["lon"], strict=True)):
        if str(decision).strip().lower() not in DECISIONS:
            problems.append(Problem(str(path), i + 2, "decision", " | ".join(DECISIONS),
                                    repr(str(decision)[:80])))
        problems += _placed(path, i, lat, lon)
    zones, zone_path = tables["zones"], folder / "zones.csv"
    for i, (lat, lon) in enumerate(zip(zones["lat"], zones["lon"], strict=True)):
        problems += _placed(zone_path, i, lat, lon)
    moves = folder / "assignments.csv"
    problems += _unknown(moves, "to_site", assignments["to_site"], site_ids, "sites.csv")
    problems += _unknown(moves, "from_site", assignments["from_site"], site_ids,
                         "sites.csv (or blank: a team with no site today)", blank_ok=True)
    problems += _unknown(moves, "agency_id", assignments["agency_id"], agency_ids,
                         "agencies.csv")
    problems += _unknown(folder / "coverage.csv", "zone_id", tables["coverage"]["zone_id"],
                         set(tables["zones"]["zone_id"]), "zones.csv")
    return problems


def _hidden(folder: Path, tables: dict[str, pd.DataFrame]) -> list[Problem]:
    """Text cells holding a control character or a direction override: estate writes
    none (a register or scenario holding one is refused), so one is a hand edit, which
    a map or the board pack would show turning the letters after it round."""
    problems = []
    for name, table in tables.items():
        path, rows, found = folder / f"{name}.csv", table.attrs["rows"], []
        for column in table.select_dtypes(include="object").columns:
            texts = table[column].astype(str)
            if HIDDEN.search("".join(texts)):  # one search a column, as most hold none
                found += [Problem(str(path), rows[i], column, REFUSED, repr(text[:80]))
                          for i, text in enumerate(texts) if HIDDEN.search(text)]
        problems += _limited(found, path)
    return problems


def _check_geopackage(path: Path) -> list[Problem]:
    """plan.gpkg, when there, opens and its zone shapes (the one layer read back) read."""
    if not path.exists():
        return []
    source = path  # or the copy `readable` reads, which a message names as the file itself
    try:
        with warnings.catch_warnings():  # GDAL's warnings on a damaged file: the error says it
            warnings.simplefilter("ignore")
            with readable(path) as source:
                layers = {str(name) for name, _ in pyogrio.list_layers(source)}
                if "zone_areas" in layers:
                    pyogrio.read_dataframe(source, layer="zone_areas")
    except Exception as exc:  # noqa: BLE001 -- GDAL's many errors: any is a damaged file
        return [Problem(str(path), None, None, "the GeoPackage `estate plan` writes",
                        f"{type(exc).__name__}: "
                        f"{str(exc).replace(str(source), str(path))[:160]}")]
    return []


def _check_scenario(path: Path) -> list[Problem]:
    """scenario.toml, when there, is TOML (the board pack lists its keys)."""
    try:
        tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return [Problem(str(path), None, None, "the scenario as solved (TOML)",
                        f"{type(exc).__name__}: {exc}")]
    return []


def check_tables(folder: Path, summary: Summary | None = None) -> dict[str, pd.DataFrame]:
    """The five tables of a results folder, typed, after checking them and the folder's
    other files (module docstring), and, given the folder's summary, that they give the
    figures it states (`estate.store.agree`); every problem found, in every file, is
    raised together as one `InputError`."""
    folder = Path(folder)
    tables, problems = {}, []
    for name, columns in RESULT_TABLES.items():
        try:
            tables[name] = read_table(folder / f"{name}.csv", columns)
        except InputError as exc:
            problems += exc.problems
    if not problems:
        problems += _hidden(folder, tables) + _joins(folder, tables)
        if summary is not None:  # ids that do not join are still counted
            problems += disagreements(folder, summary, tables)
    problems += _check_geopackage(folder / "plan.gpkg")
    problems += _check_scenario(folder / "scenario.toml")
    if problems:
        raise InputError(problems)
    return tables
