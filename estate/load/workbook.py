"""Reading one sheet of an Excel workbook as the cells a user typed, bounded by them.

pandas pads every row of a sheet out to the sheet's declared size, so one stray cell at
XFD1048576 makes it build seventeen billion empty cells. This reader keeps only the rows
and columns that hold something. It also says which cells cannot be trusted: a formula
the workbook holds no saved value for (openpyxl cannot calculate; pandas reads it as
empty, which the checks would take for the column's default) and error cells such as
`#DIV/0!` or `#REF!`.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import math
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

#: Why a cell is not used, keyed by its sheet position (spreadsheet row, 0-based column).
Flagged = dict[tuple[int, int], str]


@dataclass(frozen=True)
class TotalsRow:
    """An Excel Table's totals row: its spreadsheet row and the Table's first and last
    columns (0-based), so that a small Table beside the register's is told apart."""

    row: int
    first: int
    last: int


@dataclass
class SheetMarks:
    """What a sheet shows otherwise than its cells read, from its XML: `hidden_rows` (by
    hand, a filter or a collapsed group), `merged` ranges (`B2:B10`), the rows an Excel
    Table keeps for its totals (`table_totals`), whether it holds any formula
    (`formulas`; unsure counts as yes, as it only asks for a closer look), and
    `hidden_columns`, each a range `(first, last)` as the sheet keeps them, 0-based as
    `cell_column` gives."""

    hidden_rows: list[int] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    table_totals: list[TotalsRow] = field(default_factory=list)
    formulas: bool = True
    hidden_columns: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Sheet:
    """A sheet's non-empty rows as text: `grid` is indexed by spreadsheet row (1 = the
    header) and its columns are 0-based column positions, only those holding something.
    `flagged` says why each untrusted cell (left empty in `grid`) is not used; `marks`
    what the sheet shows otherwise (hidden rows, merged ranges, a Table's totals row);
    `struck_rows` the rows with most of their cells struck through. All are read like
    any other cells."""

    grid: pd.DataFrame
    flagged: Flagged = field(default_factory=dict)
    marks: SheetMarks = field(default_factory=SheetMarks)
    struck_rows: list[int] = field(default_factory=list)


def open_workbook(path: Path) -> openpyxl.Workbook:
    """The workbook in read-only mode (its rows streamed, not held), with saved values."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about unsupported styling
        return openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)


def blank_sheet(book: openpyxl.Workbook, name: str, rows: int = 50) -> bool:
    """Whether sheet `name` holds no cells in its first `rows` rows (Excel's `Sheet1`
    left empty, or a chart sheet, which holds none): read up to there, not the whole
    sheet."""
    sheet = book[name]
    if not hasattr(sheet, "iter_rows"):  # a chart sheet
        return True
    sheet.reset_dimensions()  # trust the cells, not the size the file declares
    for row in itertools.islice(sheet.iter_rows(values_only=True), rows):
        if any(value not in (None, "") for value in row):
            return False
    return True


def read_sheet(path: Path, book: openpyxl.Workbook, name: str) -> Sheet:
    """The cells of sheet `name` of the open `book` (read from `path`)."""
    marks = sheet_marks(path, name)
    sheet = book[name]
    sheet.reset_dimensions()  # trust the cells, not the size the file declares
    rows: dict[int, dict[int, str]] = {}
    flagged: Flagged = {}
    struck_styles = _struck_styles(book)
    struck: dict[int, int] = {}
    with warnings.catch_warnings():  # a date cell out of range: openpyxl warns, makes it
        warnings.simplefilter("ignore")  # an error cell, and that is flagged below
        for cells in sheet.iter_rows():
            for cell in cells:
                if cell.value is None:
                    continue
                where = (int(cell.row), int(cell.column) - 1)
                if cell.data_type == "e":
                    flagged[where] = (f"the spreadsheet error {cell.value} in cell "
                                      f"{cell.coordinate}")
                    continue
                text = cell_text(cell.value)
                if text != "":
                    rows.setdefault(where[0], {})[where[1]] = text
                    if getattr(cell, "_style_id", 0) in struck_styles:
                        struck[where[0]] = struck.get(where[0], 0) + 1
    if marks.formulas:
        for row, column, formula in _formulas_without_values(path, name, rows, flagged):
            flagged[(row, column)] = (f"a formula {formula} with no saved value in cell "
                                      f"{letters(column)}{row}")
    for row, column in flagged:  # an untrusted cell still names its row and column
        rows.setdefault(row, {})[column] = ""
    grid = pd.DataFrame.from_dict(rows, orient="index", dtype=object)
    grid = grid.reindex(sorted(grid.columns), axis=1).sort_index().fillna("")
    struck_rows = sorted(row for row, count in struck.items() if 2 * count >= len(rows[row]))
    return Sheet(grid, flagged, marks, struck_rows)


def _struck_styles(book: openpyxl.Workbook) -> frozenset[int]:
    """The workbook's cell styles whose font is struck through: how many registers mark
    a site sold or a team gone without deleting its row. openpyxl's streaming reader
    keeps each cell's style number and the workbook its styles, under private names;
    should those change, nothing is found, as this only adds a warning."""
    try:
        fonts = book._fonts
        return frozenset(number for number, style in enumerate(book._cell_styles)
                         if fonts[style.fontId].strike)
    except (AttributeError, IndexError, TypeError):
        return frozenset()


_TAG = r"<(?:\w+:)?{}\b[^<>]*>"
_ATTRIBUTE = r"""(?<![\w:.-]){}\s*=\s*(["'])(.*?)\1"""


def _attribute(tag: bytes, name: str, any_prefix: bool = False) -> str | None:
    """The value of attribute `name` of an XML tag, quoted either way; `any_prefix`: the
    name in any namespace (`r:id`, `ns9:id`), not without one. A name that only ends so
    (`x14ac:hidden` for `hidden`) is not it."""
    pattern = (r"\w+:" if any_prefix else "") + re.escape(name)
    found = re.search(_ATTRIBUTE.format(pattern).encode(), tag)
    return None if found is None else html.unescape(found.group(2).decode("utf-8", "replace"))


def sheet_marks(path: Path, title: str, chunk: int = 1 << 20) -> SheetMarks:
    """What sheet `title` shows otherwise than its cells read (`SheetMarks`), in one pass
    over the sheet's XML, which openpyxl's streaming reader does not keep. Each tag is
    matched as text (no XML parser, so no entity of an uploaded file is expanded);
    anything unexpected gives nothing found (and formulas unsure), as these only add
    warnings or a closer look."""
    try:
        with zipfile.ZipFile(path) as archive:
            part = _sheet_part(archive, title)
            if part is None:
                return SheetMarks()
            marks = SheetMarks(formulas=False)
            tables: set[str] = set()
            row = 0
            tail = b""
            with archive.open(part) as stream:
                for block in iter(lambda: stream.read(chunk), b""):
                    text = tail + block
                    cut = text.rfind(b"<")  # a tag split across reads waits for the next
                    if cut >= 0 and text.find(b">", cut) < 0:
                        text, tail = text[:cut], text[cut:]
                    else:
                        tail = b""
                    for tag in _SHEET_TAGS.finditer(text):
                        kind = tag.group(1)
                        if kind == b"row":
                            given = _attribute(tag.group(), "r")  # optional: the next row
                            row = int(given) if given else row + 1
                            if _attribute(tag.group(), "hidden") in ("1", "true"):
                                marks.hidden_rows.append(row)
                        elif kind == b"f":
                            marks.formulas = True
                        elif kind == b"col":
                            if _attribute(tag.group(), "hidden") in ("1", "true"):
                                first = int(_attribute(tag.group(), "min") or 0)
                                last = int(_attribute(tag.group(), "max") or first)
                                if first >= 1:
                                    marks.hidden_columns.append((first - 1, last - 1))
                        elif kind == b"mergeCell":
                            if ref := _attribute(tag.group(), "ref"):
                                marks.merged.append(ref)
                        elif link := _attribute(tag.group(), "id", any_prefix=True):
                            tables.add(link)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError):
        return SheetMarks()
    marks.table_totals = _table_totals(path, part, tables)
    return marks


_SHEET_TAGS = re.compile(rb"<(?:\w+:)?(row|f|col|mergeCell|tablePart)\b[^<>]*>")
"""The tags of a sheet's XML that `sheet_marks` reads."""


def _table_totals(path: Path, part: str, links: set[str]) -> list[TotalsRow]:
    """The rows the Excel Tables of sheet `part` keep for their totals (Table Design >
    Total Row): the last row of each table's range when it has one. The sheet's
    relationships name each table's file. Anything unexpected gives nothing found, as
    the rows are then read as records and checked like any other."""
    if not links:
        return []
    folder, _, file = part.rpartition("/")
    found: list[TotalsRow] = []
    try:
        with zipfile.ZipFile(path) as archive:
            relations = archive.read(f"{folder}/_rels/{file}.rels")
            for tag in re.finditer(_TAG.format("Relationship").encode(), relations):
                if _attribute(tag.group(), "Id") not in links:
                    continue
                table = archive.read(_resolve(folder, _attribute(tag.group(), "Target") or ""))
                head = re.search(_TAG.format("table").encode(), table)
                ref = _attribute(head.group(), "ref") if head else None
                if head is None or not ref or _attribute(head.group(), "totalsRowCount") \
                        in (None, "0"):
                    continue
                corners = ref.split(":")
                found.append(TotalsRow(min(cell_row(corners[-1]), EXCEL_ROWS),
                                       cell_column(corners[0]), cell_column(corners[-1])))
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, AttributeError):
        return []
    return found


EXCEL_ROWS = 1_048_576
"""The most rows a sheet holds."""


def _resolve(folder: str, target: str) -> str:
    """An archive path from a relationship's target, relative to `folder` or absolute."""
    if target.startswith("/"):
        return target.lstrip("/")
    parts = folder.split("/")
    for step in target.split("/"):
        if step == "..":
            if not parts:
                raise KeyError(target)  # above the archive's root: no such part
            parts.pop()
        elif step not in ("", "."):
            parts.append(step)
    return "/".join(parts)


def _sheet_part(archive: zipfile.ZipFile, title: str) -> str | None:
    """The archive path of sheet `title`: workbook.xml names its relationship id, the
    workbook's relationships its file."""
    book = archive.read("xl/workbook.xml")
    ids = {_attribute(t.group(), "name"): _attribute(t.group(), "id", any_prefix=True)
           for t in re.finditer(_TAG.format("sheet").encode(), book)}
    if ids.get(title) is None:
        return None
    links = archive.read("xl/_rels/workbook.xml.rels")
    for tag in re.finditer(_TAG.format("Relationship").encode(), links):
        if _attribute(tag.group(), "Id") == ids[title]:
            target = _attribute(tag.group(), "Target") or ""
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    return None


def _formulas_without_values(path: Path, name: str, rows: dict[int, dict[int, str]],
                             flagged: Flagged) -> list[tuple[int, int, str]]:
    """Formula cells that read as empty: the file has no saved result for them (a second
    pass, with formulas as text, made only for a workbook that holds formulas). A
    formula whose saved result is text (`t="str"`, as Excel and LibreOffice save one)
    and empty, `=IF(B5="IBC","","public_access")`, has one: the cell is blank."""
    empty_texts = _text_results(path, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
    try:
        sheet = book[name]
        sheet.reset_dimensions()
        found = []
        for cells in sheet.iter_rows():
            for cell in cells:
                if cell.value is None or cell.data_type != "f":
                    continue
                where = (int(cell.row), int(cell.column) - 1)
                if where[1] not in rows.get(where[0], {}) and where not in flagged \
                        and where not in empty_texts:
                    found.append((*where, str(cell.value)))
        return found
    finally:
        book.close()


_TEXT_CELL = re.compile(rb"""<(?:\w+:)?c\b([^<>]*?\st\s*=\s*["']str["'][^<>]*?)(?<!/)>"""
                        rb"(.*?)</(?:\w+:)?c>", re.DOTALL)
"""A cell whose value is a formula's text result: its tag, then what it holds."""
_EMPTY_VALUE = re.compile(rb"<(?:\w+:)?v\b[^<>]*/>|<(?:\w+:)?v\b[^<>]*></(?:\w+:)?v>")
"""A value element holding nothing: the empty text a formula gave, when its cell says
its result is text."""


def _text_results(path: Path, name: str) -> set[tuple[int, int]]:
    """The cells (row, 0-based column) of sheet `name` whose saved value is a formula's
    empty text result: a tag that says `t="str"` and names its cell (`r="I5"`), holding
    a value element with nothing in it (a formula with no value element at all has no
    saved result). Anything unexpected gives none, so such a formula is then refused as
    having no value."""
    try:
        with zipfile.ZipFile(path) as archive:
            part = _sheet_part(archive, name)
            xml = archive.read(part) if part is not None else b""
    except (OSError, zipfile.BadZipFile, KeyError, ValueError):
        return set()
    found = set()
    for cell in _TEXT_CELL.finditer(xml):
        reference = _attribute(cell.group(1), "r")
        if reference and re.fullmatch(r"[A-Za-z]{1,3}\d+", reference) \
                and _EMPTY_VALUE.search(cell.group(2)):
            found.add((cell_row(reference), cell_column(reference)))
    return found


def strings(cells: pd.DataFrame) -> pd.DataFrame:
    """Cells of any type (a GeoPackage layer's) as the strings a user typed."""
    return cells.apply(_column_strings)


def _column_strings(values: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(values):
        return values.map({True: "true", False: "false"})
    if pd.api.types.is_numeric_dtype(values):
        numbers = as_shown(values.to_numpy(dtype=float))
        whole = np.isfinite(numbers) & (np.floor(numbers) == numbers) & (np.abs(numbers) < 2**53)
        text = numbers.astype(str)
        text[whole] = numbers[whole].astype(np.int64).astype(str)
        text[np.isnan(numbers)] = ""
        return pd.Series(text, index=values.index, dtype=object)
    return values.map(cell_text)


def as_shown(numbers: np.ndarray) -> np.ndarray:
    """Numbers to the 15 significant digits Excel shows and saves as CSV: a formula's
    63.00000000000001 desks is the 63 its user sees (and the CSV they would export),
    not a figure a hair off it that tips the solver between plans of equal cost."""
    shown = numbers.copy()
    # only numbers with more than six decimals can be a hair off: formatting every one of
    # a GeoPackage's columns would add a second to reading 50,000 sites
    near = np.isfinite(numbers) & (numbers != np.round(numbers, 6))
    shown[near] = np.char.mod("%.15g", numbers[near]).astype(float)
    return shown


def cell_text(value: object) -> str:
    """A cell of any type as the text a user typed: 12.0 -> '12', True -> 'true'."""
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return ""
        if math.isfinite(number) and number != round(number, 6):  # as `as_shown`, one cell
            number = float(f"{number:.15g}")
        return str(int(number)) if number.is_integer() and abs(number) < 2**53 else str(number)
    if isinstance(value, dt.datetime):
        moment = pd.Timestamp(value)
        return moment.date().isoformat() if moment == moment.normalize() else moment.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def cell_row(reference: str) -> int:
    """The row of a cell reference: `B12` -> 12."""
    return int(re.sub(r"^\$?[A-Za-z]+\$?", "", reference))


def cell_column(reference: str) -> int:
    """The 0-based column of a cell reference: `B12` -> 1, `AB3` -> 27."""
    position = 0
    for letter in re.match(r"\$?([A-Za-z]+)", reference).group(1).upper():  # type: ignore[union-attr]
        position = position * 26 + ord(letter) - 64
    return position - 1


def letters(position: int) -> str:
    """Spreadsheet column letters for a 0-based position: 0 -> A, 27 -> AB."""
    text = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        text = chr(65 + rest) + text
    return text
