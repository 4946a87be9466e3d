"""The tables of a results folder: one typed reader and one folder check, beside the
one CSV writer (`estate.store.csv_cells`).

Every CSV a results folder holds is written by `write_safe_csv` and read back by
`read_table`, so that whatever a register's names contain, what is read is what was
written (the writer's module says how each cell is written and why).

`check_tables` reads every table of a folder typed and checks what the map, the
comparison and the board pack rely on (ids that join, decisions, coordinates, a
readable GeoPackage, the figures summary.json states: `estate.store.agree`), so that
a damaged or hand-edited folder is an `InputError` naming the file, the row and the
column (or the figure), never a crash half-way through drawing.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import sqlite3
import tomllib
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyogrio

from estate.errors import InputError, Problem, cannot_read
from estate.load.csv_file import Unreadable, check_encoding, check_separator
from estate.load.free_text import REFUSED
from estate.load.geopackage import readable
from estate.load.layers import SQLITE_START
from estate.load.schema import LARGEST
from estate.results import Summary
from estate.results.amounts import count
from estate.results.programme import ACTION_COLUMNS, CASHFLOW_COLUMNS
from estate.shown_text import HIDDEN
from estate.store.agree import disagreements
from estate.store.csv_cells import unsafe_cell

DECISIONS = ("keep", "close", "open", "not_built")
MOST_PROBLEMS = 20
"""Problems listed per file; the rest are counted."""
FLAGS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


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
                         "annual_saving", "npv_saving", "lease_cost_npv",
                         "booked_early_npv", "dated_npv_saving"),
                        flags=("worse_off",),
                        optional=("annual_saving", "npv_saving", "lease_cost_npv",
                                  "booked_early_npv", "dated_npv_saving")),
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
            check_encoding(path, binary_fix="run `estate plan` on the scenario again to "
                           "write the folder afresh")
        except Unreadable as unreadable:
            raise InputError([unreadable.problem(str(path))]) from None
        raise
    except OSError as exc:
        raise InputError([Problem(str(path), None, None, "a CSV table",
                                  cannot_read(exc))]) from None
    except csv.Error as exc:  # a NUL or an unclosed quote: an edit broke a row
        what = ("a NUL character" if "NUL" in str(exc) else "a quote left open"
                if "end of data" in str(exc) else "a row that is not CSV")
        raise InputError([Problem(str(path), None, None, "a CSV table as `estate plan` "
                                  "writes it", f"{what} (an edit broke it): put it back, or "
                                  "run `estate plan` on the scenario again")]) from None
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
        (columns.flags, _flag, "true or false")]
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
    """plan.gpkg, when there, is an SQLite file by its first bytes (GDAL would open a
    workbook or a CSV saved over it as what it is), opens, and its zone shapes (the one
    layer read back) read."""
    expected, again = "the GeoPackage `estate plan` writes", (
        "run `estate plan` on the scenario again to write it afresh")
    try:
        with open(path, "rb") as file:
            head = file.read(len(SQLITE_START))
    except FileNotFoundError:
        return []
    except OSError as exc:  # a folder in its place, a permission
        return [Problem(str(path), None, None, expected, cannot_read(exc))]
    if head != SQLITE_START:
        return [Problem(str(path), None, None, expected, "a file that is not a GeoPackage "
                        f"(the SQLite file estate writes): {again}")]
    if not _whole_sqlite(path):
        return [Problem(str(path), None, None, expected, "a damaged GeoPackage, which "
                        f"cannot be read (cut short by a copy, or edited?): {again}")]
    try:
        with warnings.catch_warnings():  # GDAL's warnings on a damaged file: the error says it
            warnings.simplefilter("ignore")
            with readable(path) as source:
                layers = {str(name) for name, _ in pyogrio.list_layers(source)}
                if "zone_areas" in layers:
                    pyogrio.read_dataframe(source, layer="zone_areas")
    except OSError as exc:  # the copy `readable` makes of a path it cannot open
        return [Problem(str(path), None, None, expected, cannot_read(exc))]
    except Exception:  # noqa: BLE001 -- GDAL's many errors, in its own words: damage
        return [Problem(str(path), None, None, expected, "a damaged GeoPackage, which "
                        f"cannot be read (cut short by a copy, or edited?): {again}")]
    return []


def _whole_sqlite(path: Path) -> bool:
    """Whether every page of the SQLite file at `path` is sound, by SQLite's own quick
    check, opened read-only and as a file no one writes: a damaged page of a layer the
    check does not read (sites, moves) would otherwise pass, and fail in QGIS."""
    uri = f"{Path(path).resolve().as_uri()}?mode=ro&immutable=1"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
            return bool(db.execute("PRAGMA quick_check").fetchone()[0] == "ok")
    except sqlite3.Error:  # "database disk image is malformed", a page's type unknown
        return False


def _check_scenario(path: Path) -> list[Problem]:
    """scenario.toml, when there, is TOML (the board pack lists its keys)."""
    try:
        tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except OSError as exc:
        return [Problem(str(path), None, None, "the scenario as solved (TOML)",
                        cannot_read(exc))]
    except UnicodeDecodeError as exc:
        return [Problem(str(path), None, None, "the scenario as solved (TOML, UTF-8)",
                        f"a byte that is not UTF-8 at position {exc.start} (an edit saved "
                        "it in another encoding): put it back, or run `estate plan` on the "
                        "scenario again")]
    except tomllib.TOMLDecodeError as exc:
        return [Problem(str(path), None, None, "the scenario as solved (TOML)",
                        f"{exc} (an edit broke it): put it back, or run `estate plan` on "
                        "the scenario again")]
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
