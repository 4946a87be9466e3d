"""A table as read, whatever its format: a grid of text cells, indexed by spreadsheet
row, made a table of one-line strings under normalised column names.

The readers (`estate.load.read`) turn a CSV file, a sheet or a GeoPackage layer into a
grid; everything after is the same for the three: which row is the header
(`estate.load.header`), which rows are kept for people rather than records (a totals,
notes, units or repeated header row), columns with no name or a name given twice, and
cells holding a control character.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from estate.errors import Problem, cannot_read
from estate.load.csv_file import Unreadable
from estate.load.free_text import INVISIBLE, LINE_BREAKS, OPENERS, REFUSED, balanced
from estate.load.header import (
    column_name,
    header_out_of_reach,
    header_row,
    out_of_reach_words,
)
from estate.load.schema import MAX_MONEY, TABLES, Column, Table
from estate.load.workbook import letters
from estate.shown_text import HIDDEN


@dataclass
class RawTable:
    """One table as read: strings only, indexed by spreadsheet row (header = 1).

    `shapes` holds zone polygons (EPSG:4326) by row when a GeoPackage layer has them;
    `points` a GeoPackage layer's points by row as the layer holds them, in its own CRS
    (a polygon's representative point; None where the geometry is unusable), so that
    distances in that CRS are measured on them, not on lat/lon worked back from them;
    `from_geometry` names the columns (lat, lon) taken from geometry, whose blank
    cells are already reported as a geometry problem.
    """

    name: str
    label: str
    frame: pd.DataFrame
    shapes: gpd.GeoSeries | None = None
    points: gpd.GeoSeries | None = None
    from_geometry: tuple[str, ...] = ()
    positions: dict[int, str] = field(default_factory=dict)  # 0-based column -> name
    header_row: int = 1  # below a title, the spreadsheet row of the column names
    typed: dict[str, str] = field(default_factory=dict)  # column name -> header as typed
    covered: dict[str, set[int]] = field(default_factory=dict)  # column -> rows a merged
    # range above them leaves blank (reported once, at the range)
    asides: frozenset[int] = frozenset()  # rows kept for people (totals, notes, units),
    # one problem each and not read
    said_missing: set[str] = field(default_factory=set)  # required columns the header
    # lacks that a reader's problem names already (a header merged across columns)


@dataclass
class RawRegister:
    """Every table that could be read, the label of every table, and what went wrong."""

    source: Path
    files: dict[str, str]
    tables: dict[str, RawTable] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def add_table(raw: RawRegister, name: str, label: str, read: Callable[[], pd.DataFrame]
         ) -> RawTable | None:
    """Run one reader; whatever goes wrong becomes a Problem against `label`."""
    try:
        grid = read()
    except Unreadable as error:
        raw.problems.append(error.problem(label))
        return None
    except Exception as error:  # any library failure is a bad file, not a crash
        found = describe(error)
        if "[" in label and not isinstance(error, OSError):  # a workbook's sheet
            found += (": the sheet is damaged inside; open the workbook in Excel and save "
                      "it again as an Excel Workbook (.xlsx)")
        raw.problems.append(Problem(label, None, None, "a readable table", found))
        return None
    return table_of(raw, name, label, grid)


def table_of(raw: RawRegister, name: str, label: str, grid: pd.DataFrame) -> RawTable | None:
    """Turn a grid of strings indexed by spreadsheet row, its columns the 0-based column
    positions, into a RawTable.

    Headers (row 1, or the row `_header_row` finds below a title) are normalised
    (`' Site ID '` -> `site_id`); rows with every cell blank are dropped (spreadsheets
    leave them). Rows above the header holding anything are named in a warning, as not
    read; blank ones (a CSV's line of commas, a workbook's empty row) are skipped
    without one.
    """
    grid = grid.fillna("")
    if grid.empty or not (grid != "").any().any():
        raw.problems.append(
            Problem(label, None, None, "a header row naming the columns", "an empty file")
        )
        return None
    first = _header_row(grid, name)
    if first is None:
        raw.problems.append(Problem(label, 1, None, "the column names in row 1", "an empty row 1"))
        return None
    deep = header_out_of_reach(((int(row), grid.loc[row].tolist()) for row in grid.index),
                               required_columns(name))
    if deep is not None:
        # one problem, not every required column missing from a row of notes and the
        # real header's cells warned of as data under empty headers
        raw.problems.append(Problem(label, deep, None, *out_of_reach_words(deep)))
        return None
    # blank rows above the header (none in a workbook's grid; a CSV line of commas
    # alone, Excel's blank row) hold nothing to lose: skipped without a word
    above = [int(row) for row in grid.index if row < first and (grid.loc[row] != "").any()]
    if above:
        rows = f"row {above[0]} above it is" if len(above) == 1 else \
            f"rows {', '.join(map(str, above[:-1]))} and {above[-1]} above it are"
        raw.problems.append(Problem(
            label, first, None, "the column names in row 1",
            f"the column names in row {first}; {rows} not read (a title or notes: delete "
            f"{'it' if len(above) == 1 else 'them'} to silence this)", severity="warning"))
    header = [column_name(h) for h in grid.loc[first]]
    body = grid.loc[grid.index > first]
    seen: dict[str, int] = {}
    keep: list[int] = []
    for position, column in zip(grid.columns, header, strict=True):
        if column == "":
            if (body[position] != "").any():
                raw.problems.append(_unnamed(label, position, body[position], first))
            continue
        if column in seen:
            raw.problems.append(
                Problem(
                    label,
                    first,
                    column,
                    "each column name once",
                    f"{column} in columns {letters(seen[column])} and {letters(position)}",
                )
            )
            continue
        seen[column] = position
        keep.append(position)
    names = dict(zip(grid.columns, header, strict=True))
    frame = body[keep].set_axis([names[p] for p in keep], axis=1)
    frame = frame.astype(str).apply(_one_line)
    frame = frame[(frame != "").any(axis=1)] if frame.shape[1] else frame.iloc[:0]
    asides = _asides(frame, TABLES.get(name))
    for row, (kind, text) in asides.items():
        scaled = _scaled_units(frame.loc[row], TABLES.get(name)) if kind == "units" else ""
        raw.problems.append(Problem(
            label, row, None,
            f"a record (a {kind} row is not one: delete it, or move it to another "
            f"sheet{scaled})", repr(text)))
    frame = frame.drop(index=list(asides))
    for column in frame.columns:
        if HIDDEN.search(" ".join(frame[column])):  # one search a column, as most hold none
            hidden = frame[column].str.contains(HIDDEN)
            raw.problems += [Problem(label, int(row), column, REFUSED,
                                     repr(frame.at[row, column]))
                             for row in hidden[hidden].index]
    table = RawTable(name, label, frame, positions={p: names[p] for p in keep},
                     header_row=first, asides=frozenset(asides),
                     typed={names[p]: str(grid.at[first, p]).strip() for p in keep})
    raw.tables[name] = table
    return table


ASIDE = re.compile(r"^\W*((?P<totals>(grand\s+|sub-?)?totals?|sum)|notes?|sources?|comments?)\b",
                   re.IGNORECASE)
"""The start of a cell that makes a row a total or a note rather than a record."""
UNIT = re.compile(r"^[(\[]?(£|£k|£m|£\s*'?000s?|gbp|£\s*/\s*(yr|year|annum)|£\s*pa|per\s+year|"
                  r"km|miles|m2|sq\s*m|fte|%|degrees?|°|years?|yes\s*/\s*no|y\s*/\s*n|"
                  r"true\s*/\s*false|dates?|yyyy-mm-dd|dd/mm/yyyy|count|number|text)[)\]]?$",
                  re.IGNORECASE)
"""A unit spelled the usual way (`£/yr`, `degrees`, `(km)`, `m2`, `£000s`): in any
column of a units row, even one holding no number, and in its id, if it has one. A
number or date column takes other words too (`_measured_in_words`)."""
DIGIT = re.compile(r"\d")
"""A digit: a cell holding one gives a figure (`1,200`, `£1.2m`, `c. 400`, `31/03/2031`),
not a unit, unless it is a unit spelled the usual way (`m2`)."""
MEASURED = ("number", "date", "dates")
"""The kinds of column a units row labels: the figures and dates, whose cells a
units row fills with words."""


def _asides(frame: pd.DataFrame, spec: Table | None) -> dict[int, tuple[str, str]]:
    """Rows kept for people, not records, by row: a units line right under the header
    (`_is_units_row`: `degrees`, `£/yr`, `deg`, `people`), the header repeated (after a
    page break: most cells their own column's name), or a totals or notes row (a cell
    starting `Total`, `Notes`, `Source`, ... where the table's id is blank or that very
    cell). Each is one problem, not one for each blank required cell. A row with an id
    is a record, whatever its other cells say."""
    found: dict[int, tuple[str, str]] = {}
    if frame.empty:
        return found
    filled = frame != ""
    top = frame.index[0]
    texts = frame.loc[top][filled.loc[top]]
    if _is_units_row(texts, spec):
        found[int(top)] = ("units", " ".join(texts))
    repeats = sum((frame[c].str.lower().str.replace(" ", "_", regex=False) == c)
                  .astype(int) for c in frame.columns)
    for row in frame.index[(repeats * 2 > len(frame.columns)).to_numpy()]:
        names = list(frame.loc[row][filled.loc[row]])
        found.setdefault(int(row), ("repeated header", " ".join(names[:4])
                                    + (" ..." if len(names) > 4 else "")))
    key = spec.key if spec else None
    if key is None or key not in frame.columns:
        return found
    starts = frame.apply(lambda cells: cells.str.match(ASIDE)) & filled
    marked = starts.any(axis=1) & ((frame[key] == "") | starts[key])
    for row in frame.index[marked.to_numpy()]:
        if row in found:
            continue
        text = frame.loc[row][starts.loc[row]].iloc[0]
        aside = ASIDE.match(text)
        found[int(row)] = ("totals" if aside and aside.group("totals") else "notes", text)
    return found


SCALES = (
    (re.compile(r"(?<![a-z0-9])(?:k|000s?|thousands?)(?![a-z0-9])", re.I), "thousands", "1,000"),
    (re.compile(r"£\s*m(?![a-z0-9])|(?<![a-z0-9])(?:mn|millions?)(?![a-z0-9])", re.I),
     "millions", "1,000,000"),
)
"""Pounds given in thousands (`£k`, `£000s`, `£'000`, `thousands`) or in millions (`£m`,
`£mn`, `millions`), in a header or a units row."""


def scale_of(text: str) -> tuple[str, str] | None:
    """The unit (`thousands`) and its factor (`1,000`) a pounds column's header or units
    cell gives its figures in, when not pounds; None for pounds (or no unit)."""
    for pattern, unit, factor in SCALES:
        if pattern.search(text.replace("_", " ")):
            return unit, factor
    return None


def pounds_column(column: Column) -> bool:
    """Whether the column holds pounds (each of them is bounded by `MAX_MONEY`)."""
    return column.kind == "number" and column.high == MAX_MONEY


def _scaled_units(cells: pd.Series, spec: Table | None) -> str:
    """What a units row's pounds columns given in thousands or millions need besides the
    row's deletion (`£k` under running_cost: deleting the row alone would read 250 as
    £250 where £250,000 was meant): the factor for each, or empty."""
    said = []
    for column in spec.columns if spec is not None else ():
        scale = scale_of(str(cells.get(column.name, ""))) if pounds_column(column) else None
        if scale is not None:
            said.append(f"multiply the {column.name} figures by {scale[1]}, which the row "
                        f"gives in {scale[0]} of pounds, as estate reads pounds")
    return "; and " + "; ".join(said) if said else ""


def _is_units_row(texts: pd.Series, spec: Table | None) -> bool:
    """Whether the first row under the header, given as its filled cells `texts`, says
    the columns' units rather than being a record.

    It does when every cell is a unit spelled the usual way (`UNIT`), or when it names
    no record and gives no figure (`_measured_in_words`): people type units as they
    like (`deg`, `people`, `£ a year`), so no list of spellings is ever complete.
    Either way the row holds nothing a plan could read, so one problem telling the user
    to delete it loses nothing, where a problem for each cell buries the point. A row
    with its id (`S9` with `deg` for its latitude), its name or agency, or a figure (a
    record whose id was left out) is a record, and each of its bad cells is reported
    where it is."""
    if texts.empty:
        return False
    if texts.map(lambda text: UNIT.match(text) is not None).all():
        return True
    return spec is not None and _measured_in_words(texts, spec)


def _measured_in_words(texts: pd.Series, spec: Table) -> bool:
    """Whether a row's filled cells `texts` put words, not figures, in at least one
    number or date column and in all of them (no digit, bar a unit such as `m2`), while
    every cell that would say which record it is is blank or a unit (`UNIT`): its id,
    the ids it refers to (an agency), its name and a function's type. A record whose
    id was left out still has its name or agency, so its placeholders (`TBC` for a
    latitude) are reported at their cells, not taken for units."""
    measured = [c.name for c in spec.columns if c.kind in MEASURED and c.name in texts]
    naming = [c.name for c in spec.columns if c.name in texts and (
        c.kind in ("id", "ref") or (c.kind == "text" and c.required) or c.name == "name")]
    return (bool(measured)
            and all(DIGIT.search(texts[c]) is None or UNIT.match(texts[c]) for c in measured)
            and all(UNIT.match(texts[c]) for c in naming))


def required_columns(name: str) -> frozenset[str]:
    """The column names a table must have (none for a table the schema does not know)."""
    if name not in TABLES:
        return frozenset()
    return frozenset(c.name for c in TABLES[name].columns if c.required)


def _header_row(grid: pd.DataFrame, name: str) -> int | None:
    """The spreadsheet row holding the column names (`estate.load.header.header_row`)."""
    return header_row(((int(row), grid.loc[row].tolist()) for row in grid.index),
                      required_columns(name))


def _one_line(cells: pd.Series) -> pd.Series:
    """Cells as one line each (`estate.load.free_text.one_line`: their embeddings and
    isolates closed), stripped; a cell of nothing but characters that show as nothing
    (`INVISIBLE`: a zero-width space) is empty, as it looks, not a name every page would
    print as a blank."""
    joined = " ".join(cells)
    if LINE_BREAKS.search(joined):
        cells = cells.str.replace(LINE_BREAKS, " ", regex=True)
    cells = cells.str.strip()
    if OPENERS.search(joined):
        cells = cells.map(balanced)
    if INVISIBLE.search(joined):
        cells = cells.where(cells.str.replace(INVISIBLE, "", regex=True).str.strip() != "", "")
    return cells


def _unnamed(label: str, position: int, cells: pd.Series, header: int) -> Problem:
    first = int(cells[cells != ""].index[0])
    return Problem(
        label,
        first,
        letters(position),
        f"a column name in row {header} above any data",
        "data under an empty header (the column is ignored)",
        severity="warning",
    )


def describe(error: Exception) -> str:
    """A library error in one line, for users: its kind and its first line; a file the
    system would not open, as a person mends it (`cannot_read`)."""
    if isinstance(error, OSError) and error.errno is not None:
        return cannot_read(error)
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"an unreadable file ({type(error).__name__}{': ' + text if text else ''})"


def per_value(cells: pd.Series, convert) -> pd.Series:
    """Apply `convert` once per distinct value: registers repeat a few words a lot."""
    distinct = pd.unique(cells.to_numpy())
    return cells.map(dict(zip(distinct, map(convert, distinct), strict=True)))
