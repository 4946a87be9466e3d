"""Check the raw register tables and type them into a `Register`.

Every column is checked the same way from its entry in `estate.load.schema` (required,
type, range, default), column by column over whole tables, so that a register of tens
of thousands of sites checks in well under a second; Python loops only build the
messages of rows that are wrong. Then the tables are checked against each other. All
problems of all files are collected and raised together as one `InputError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from estate.errors import InputError, Problem, row_place
from estate.load.column_names import missing_column, misspelt
from estate.load.dates import EARLIEST_DATE, date_found, dates_found, parse_dates, too_early
from estate.load.free_text import INVISIBLE
from estate.load.grid_crs import grid_as_degrees
from estate.load.numbers import (
    error_found,
    is_spreadsheet_error,
    number_found,
    spreadsheet_error_in,
)
from estate.load.raw import RawTable, per_value
from estate.load.read import read_tables
from estate.load.references import check_references
from estate.load.schema import BOOL_WORDS, MAX_YEARS, TABLES, Column, Table

NUMBER = "a number like 1200 or 1200.5 (no £, no thousands commas)"


@dataclass(frozen=True, eq=False)
class Register:
    """A checked register: typed tables with defaults filled (see docs/internals.md).

    Each frame has a RangeIndex, the columns of `estate.load.schema` in order, any unknown
    extra columns (as strings), and `row`, the spreadsheet row it came from.
    """

    agencies: pd.DataFrame
    sites: pd.DataFrame
    functions: pd.DataFrame
    zones: pd.DataFrame
    pair_costs: pd.DataFrame
    zone_shapes: gpd.GeoSeries | None
    source: Path
    files: dict[str, str]
    warnings: list[Problem] = field(default_factory=list)
    # a GeoPackage layer's points as it holds them, in its own CRS, by site_id / zone_id
    # (None for a CSV or Excel register, or a layer without geometry)
    site_points: gpd.GeoSeries | None = None
    zone_points: gpd.GeoSeries | None = None
    # the area of a national register this one is, split off to be planned on its own
    area: str = ""


def load_register(path: str | Path) -> Register:
    """Read and check the register at `path` (CSV folder, .xlsx or .gpkg).

    Raises `InputError` listing every error of every file; warnings (allowed but
    suspicious) are kept on `Register.warnings`.
    """
    raw = read_tables(path)
    problems = list(raw.problems)
    # a cell the reader could not use (an error cell, an unsaved formula) is said once
    told = {(p.file, p.row, p.column) for p in raw.problems if p.row is not None}
    frames: dict[str, pd.DataFrame] = {}
    for name, spec in TABLES.items():
        table = raw.tables.get(name)
        if table is None:
            frames[name] = _typed_empty(spec)
            continue
        frame, found = check_table(table, spec)
        frames[name] = frame
        found += grid_as_degrees(frame, table.label)
        problems += [p for p in found if (p.file, p.row, p.column) not in told]
    no_sites = _no_sites(raw.tables.get("sites"))
    problems += no_sites
    frames["sites"] = _with_rent(frames["sites"])
    # a table read with its id column; not a sites table of the header alone, whose
    # one error would else be buried under every team's and pair's "no such site"
    keyed = {
        name
        for name, table in raw.tables.items()
        if (TABLES[name].key is None or TABLES[name].key in table.frame.columns)
        and not (name == "sites" and no_sites)
    }
    unread = frozenset((p.file, p.row, p.column) for p in problems
                       if p.severity == "error" and p.row is not None and p.column)
    # a layer whose points its CRS misreads (degrees under metres) is placed nowhere: one
    # error, not also a warning that it lies far from the other table
    unplaced = {name for name, table in raw.tables.items()
                if any(p.file == table.label and p.row is None and p.column == "geometry"
                       and p.severity == "error" for p in problems)}
    problems += check_references(frames, raw.files, keyed, unread, unplaced)
    order = {label: i for i, label in enumerate(raw.files.values())}
    problems.sort(key=lambda p: (order.get(p.file, -1), p.row or 0))  # as a user reads
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
    sites, zones = raw.tables.get("sites"), raw.tables.get("zones")
    return Register(
        agencies=frames["agencies"],
        sites=frames["sites"],
        functions=frames["functions"],
        zones=frames["zones"],
        pair_costs=frames["pair_costs"],
        zone_shapes=_by_id(zones.shapes if zones else None, frames["zones"], "zone_id"),
        source=Path(path),
        files=dict(raw.files),
        warnings=problems,
        site_points=_by_id(sites.points if sites else None, frames["sites"], "site_id"),
        zone_points=_by_id(zones.points if zones else None, frames["zones"], "zone_id"),
    )


def _no_sites(sites: RawTable | None) -> list[Problem]:
    """A register whose sites table has a header and no rows: there is nothing to plan,
    said here rather than left to a solver handed a model with no columns."""
    if sites is None or len(sites.frame):
        return []
    return [Problem(sites.label, None, None, "at least one site, a row each under the header",
                    "the header alone; add the register's sites")]


def _by_id(geometry: gpd.GeoSeries | None, frame: pd.DataFrame, key: str
           ) -> gpd.GeoSeries | None:
    """A layer's geometry by spreadsheet row, indexed by the table's ids instead."""
    if geometry is None:
        return None
    ids = frame.set_index("row")[key]
    out = geometry.set_axis(ids.loc[geometry.index].to_numpy())
    out.index.name = key
    return out


def _with_rent(sites: pd.DataFrame) -> pd.DataFrame:
    """A blank rent is the whole running cost of a leasehold (a lease usually bundles
    service charges with the rent) and nothing on a freehold."""
    sites = sites.copy()
    blank = sites["rent"].isna()
    leasehold = sites["tenure"] == "leasehold"
    sites.loc[blank & leasehold, "rent"] = sites.loc[blank & leasehold, "running_cost"]
    sites.loc[blank & ~leasehold, "rent"] = 0.0
    return sites


def check_table(table: RawTable, spec: Table) -> tuple[pd.DataFrame, list[Problem]]:
    """Type one table column by column; return the typed frame and its problems.

    The frame is complete even when there are problems (bad cells become NaN or the
    default) so that the cross-table checks can still run and report.
    """
    cells = table.frame
    problems: list[Problem] = []
    typed: dict[str, pd.Series] = {}
    for column in spec.columns:
        if column.name in cells.columns:
            values, found = _parse(column, cells[column.name], table)
            problems += (found + _repeated_entries(column, values, table)
                         + _long_ago(column, values, table))
        else:
            if column.required and column.name not in table.said_missing:
                problems.append(missing_column(table, spec, column.name))
            values = _default(column, cells.index)
            if column.required and column.kind == "number":  # unknown, not its default,
                values[:] = np.nan  # so no check compares with it and reports a cascade
        typed[column.name] = values
    for column in spec.columns:
        if column.default == "=fte":  # functions.desks: one desk per FTE unless told
            given = (
                cells[column.name] != ""
                if column.name in cells.columns
                else pd.Series(False, index=cells.index)
            )
            typed[column.name] = typed[column.name].where(given, typed["fte"])
    for key in ([spec.key] if spec.key else [], list(spec.unique)):
        if key and set(key) <= set(cells.columns):
            problems += _duplicates(table, key)
    extras = [c for c in cells.columns if c not in typed and c != "row"]
    problems += misspelt(table, spec, extras)
    if spec.key and spec.key in cells.columns:
        problems += _case_twins(table, spec.key)
    if "row" in cells.columns:
        problems.append(
            Problem(
                table.label,
                None,
                "row",
                "no column named row (estate adds its own)",
                "a column row, ignored",
                severity="warning",
            )
        )
    frame = pd.DataFrame(typed, index=cells.index)
    for extra in extras:
        frame[extra] = cells[extra]
    frame["row"] = cells.index.to_numpy(dtype=np.int64)
    return frame.reset_index(drop=True), problems


def _parse(column: Column, cells: pd.Series, table: RawTable) -> tuple[pd.Series, list[Problem]]:
    """One column's strings to typed values, with a Problem for each bad cell; bad cells
    become NaN (numbers) or the default, so later checks still run."""
    problems: list[Problem] = []
    blank = cells == ""
    if column.required and blank.any() and column.name not in table.from_geometry:
        merged = cells.index.isin(list(table.covered.get(column.name, ())))
        problems += _each(table, column, blank & ~merged, "a value", lambda _: "an empty cell")
    if column.kind != "number":  # a number column names them as it refuses them
        # `#N/A` saved as text, whole or a list's entry, is no value: one problem, the
        # cell then blank (not also an unknown site `#N/A`, nor a service of that name)
        failed = per_value(cells, spreadsheet_error_in).astype(bool) & ~blank
        listed = column.kind in ("list", "dates")
        problems += _each(table, column, failed, "a value (correct the formula in the work"
                          "book or type the value)", lambda cell: error_found(cell, listed))
        cells, blank = cells.where(~failed, ""), blank | failed
    values, bad, expected = _PARSERS[column.kind](column, cells, blank)
    found = _FOUND.get(column.kind, repr) if column.kind != "number" else (
        lambda cell: number_found(cell, lambda x: _takes(column, x)))
    if isinstance(expected, str):
        problems += _each(table, column, bad, expected, found)
    else:
        for why, rows in expected.items():
            problems += _each(table, column, rows, why, found)
    if column.kind in ("number", "bool") and not column.required:
        default = column.default if isinstance(column.default, float | bool) else np.nan
        values = values.where(~blank, default)
    elif column.kind in ("text", "id", "ref", "choice", "date"):
        values = values.where(~blank, column.default or "")
    return values.astype(_DTYPES.get(column.kind, object)), problems


def _numbers(column: Column, cells: pd.Series, blank: pd.Series):
    """Finite floats within the column's bounds; `nan`/`inf` are named as such."""
    numbers = pd.to_numeric(cells.where(~blank), errors="coerce").astype(float)
    bad = ~blank & ~np.isfinite(numbers)
    spelled = numbers.notna() | cells.where(bad, "").str.lower().isin(("nan", "+nan", "-nan"))
    out = ~bad & ~blank & ~_in_bounds(column, numbers)
    expected = {
        "a finite number": bad & spelled,
        NUMBER: bad & ~spelled,
        _range(column): out,
    }
    if column.whole:  # years: a lag of 1.5 years is a typo for 1 or 2
        expected["a whole number of years"] = ~bad & ~blank & ~out & (numbers % 1 != 0)
    return numbers.where(~bad, np.nan), bad, expected


def _booleans(column: Column, cells: pd.Series, blank: pd.Series):
    flags = per_value(cells, lambda v: BOOL_WORDS.get(v.lower()))
    bad = ~blank & flags.isna()
    return flags.where(~bad, False), bad, "true/false, yes/no or 1/0"


_INITIALS = {"y": "write yes or no (or true/false, 1/0)",
             "n": "write yes or no (or true/false, 1/0)",
             "t": "write true or false (or yes/no, 1/0)",
             "f": "write true or false (or yes/no, 1/0)"}
"""The initials Excel users type for a flag, which DESIGN does not accept (a lone letter
is too easily a slip): the words to write instead."""


def _bool_found(cell: str) -> str:
    """A refused flag as written, with the words to write when it is an initial."""
    hint = _INITIALS.get(cell.strip().lower())
    return f"{cell!r}; {hint}" if hint else repr(cell)


def _lists(column: Column, cells: pd.Series, blank: pd.Series):
    """`;`-separated entries. A comma inside an entry is a list typed with commas,
    which would match no service or type at all (and silently, as one long word)."""
    values = per_value(cells, lambda v: tuple(p.strip() for p in v.split(";") if p.strip()))
    commas = ~blank & cells.str.contains(",", regex=False)
    return values, commas, f"entries separated by ; (e.g. {column.example}), not by commas"


def _repeated_entries(column: Column, values: pd.Series, table: RawTable) -> list[Problem]:
    """A warning for a list naming an entry twice: harmless, but rarely meant."""
    if column.kind not in ("list", "dates"):
        return []
    twice = values.map(lambda v: isinstance(v, tuple) and len(set(v)) < len(v)).astype(bool)
    return _each(table, column, twice, "each entry once",
                 lambda v: f"{v!r}, which repeats an entry", severity="warning")


def _texts(column: Column, cells: pd.Series, blank: pd.Series):
    if column.slug:  # `Data Centre` -> `data_centre`, as scenario keys spell kinds
        return per_value(cells, lambda v: re.sub(r"[\s\-]+", "_", v.lower())), blank & False, ""
    return cells, blank & False, ""


def _ids(column: Column, cells: pd.Series, blank: pd.Series):
    bad = per_value(cells, lambda v: INVISIBLE.search(v) is not None).astype(bool)
    return cells, bad, ("an id of visible characters only (it holds one that shows as "
                        "nothing, so it differs from the same id typed)")


def _choices(column: Column, cells: pd.Series, blank: pd.Series):
    values = per_value(cells, str.lower)
    return values, ~blank & ~values.isin(column.choices), "one of " + ", ".join(column.choices)


def _long_ago(column: Column, values: pd.Series, table: RawTable) -> list[Problem]:
    """A warning for a date before `EARLIEST_DATE`: no register's lease ended then, and
    it is what Excel makes of a two-digit year from 30 to 99 (31/3/30 is 1930-03-31)."""
    if column.kind not in ("date", "dates"):
        return []
    return _each(table, column, too_early(values), f"a date from {EARLIEST_DATE} on",
                 lambda v: f"{v!r}: a two-digit year Excel read as 19xx? (type the year "
                 "in four digits)",
                 severity="warning")


_PARSERS = {
    "number": _numbers,
    "bool": _booleans,
    "list": _lists,
    "text": _texts,
    "id": _ids,
    "ref": _ids,
    "choice": _choices,
    "date": parse_dates,
    "dates": parse_dates,
}
_DTYPES = {"number": float, "bool": bool}
_FOUND = {"bool": _bool_found, "date": date_found, "dates": dates_found}
"""How a bad cell is shown, when more than as written: with what to write instead."""


def _default(column: Column, index: pd.Index) -> pd.Series:
    """A whole column of its default, for an optional column the table leaves out."""
    if column.kind == "number":
        value = column.default if isinstance(column.default, float) else np.nan
        return pd.Series(value, index=index, dtype=float)
    if column.kind == "bool":
        return pd.Series(bool(column.default), index=index, dtype=bool)
    if column.kind in ("list", "dates"):
        return pd.Series([()] * len(index), index=index, dtype=object)
    text = column.default if isinstance(column.default, str) else ""
    return pd.Series(text, index=index, dtype=object)


def _typed_empty(spec: Table) -> pd.DataFrame:
    """The typed table with no rows: what a missing optional table stands for."""
    index = pd.RangeIndex(0)
    frame = pd.DataFrame({c.name: _default(c, index) for c in spec.columns}, index=index)
    frame["row"] = pd.Series(dtype=np.int64)
    return frame


def _takes(column: Column, x: float) -> bool:
    """Whether a number column takes `x`: within its bounds, whole where it must be (a
    reading of a refused cell `number_found` may offer)."""
    return bool(_in_bounds(column, x)) and (not column.whole or float(x).is_integer())


def _in_bounds(column: Column, numbers):
    """Whether each number lies within the column's bounds (a number or a Series)."""
    low = -np.inf if column.low is None else column.low
    high = np.inf if column.high is None else column.high
    return (numbers >= low) & (numbers <= high)


def _range(column: Column) -> str:
    """The bounds as a user reads them; a schema's plausibility bound says what it is."""
    low, high = column.low, column.high
    absurd = " (more is beyond any public estate)" if (high or 0) >= MAX_YEARS else ""
    if low is not None and high is not None:
        return f"a number from {_shown(low)} to {_shown(high)}{absurd}"
    if low is not None:
        return f"a number >= {_shown(low)}"
    if high is not None:
        return f"a number <= {_shown(high)}{absurd}"
    return "a number"


def _shown(bound: float) -> str:
    return f"{bound:,.0f}" if abs(bound) >= 1e4 and float(bound).is_integer() else f"{bound:g}"


def _each(table: RawTable, column: Column, mask: pd.Series, expected: str, found,
          severity: str = "error") -> list[Problem]:
    """One Problem per flagged row; the loop runs over wrong rows only."""
    if not mask.any():
        return []
    cells = table.frame[column.name] if column.name in table.frame.columns else None
    return [
        Problem(
            table.label,
            int(row),
            column.name,
            expected,
            found(cells[row] if cells is not None else ""),
            severity=severity,
        )
        for row in mask.index[mask.to_numpy(dtype=bool)]
    ]


def _case_twins(table: RawTable, key: str) -> list[Problem]:
    """A warning for ids that differ only in case (`S001` and `s001`): distinct ids to
    estate, as ids match only with the same case, but rarely meant as two."""
    ids = table.frame[key]
    ids = ids[ids != ""]
    folded = ids.str.casefold()
    first = ids.groupby(folded).transform("first")  # the first spelling of each
    twins = ids != first
    problems = []
    for row in ids.index[twins.to_numpy()]:
        at = int(ids.index[(ids == first[row]).to_numpy()][0])
        problems.append(Problem(
            table.label, int(row), key, "ids that differ by more than case",
            f"{ids[row]!r}, which differs from {first[row]!r} ({row_place(table.label, at)}) "
            "only in case",
            severity="warning"))
    return problems


def _duplicates(table: RawTable, columns: list[str]) -> list[Problem]:
    """Each repeat of a key names the row where the key first appears."""
    keys = table.frame[columns]
    # an error value (`#N/A` in two rows) is refused at each cell, not a repeated id
    filled = (keys != "").all(axis=1) & ~keys.map(is_spreadsheet_error).any(axis=1)
    repeat = keys.duplicated(keep="first") & filled
    if not repeat.any():
        return []
    rows = pd.Series(keys.index, index=keys.index)
    first = rows.groupby([keys[c] for c in columns]).transform("min")
    what = " + ".join(columns)
    problems = []
    for row in repeat.index[repeat.to_numpy()]:
        value = " + ".join(repr(v) for v in keys.loc[row])
        problems.append(
            Problem(
                table.label,
                int(row),
                columns[-1],
                f"a unique {what}" + (" pair" if len(columns) > 1 else ""),
                f"{value} again (first at {row_place(table.label, int(first[row]))})",
            )
        )
    return problems
