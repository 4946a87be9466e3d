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


@dataclass
class Sheet:
    """A sheet's non-empty rows as text: `grid` is indexed by spreadsheet row (1 = the
    header) and its columns are 0-based column positions, only those holding something.
    `flagged` says why each untrusted cell (left empty in `grid`) is not used;
    `hidden_rows` are the rows the sheet hides (by hand, a filter or a collapsed group)
    and `merged` its merged ranges (`B2:B10`), both read like any other cells."""

    grid: pd.DataFrame
    flagged: Flagged = field(default_factory=dict)
    hidden_rows: list[int] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)


def open_workbook(path: Path) -> openpyxl.Workbook:
    """The workbook in read-only mode (its rows streamed, not held), with saved values."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about unsupported styling
        return openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)


def read_sheet(path: Path, book: openpyxl.Workbook, name: str, formulas: bool) -> Sheet:
    """The cells of sheet `name` of the open `book` (read from `path`); `formulas`: the
    workbook holds formulas, so look for those without a saved value."""
    sheet = book[name]
    sheet.reset_dimensions()  # trust the cells, not the size the file declares
    rows: dict[int, dict[int, str]] = {}
    flagged: Flagged = {}
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
    if formulas:
        for row, column, formula in _formulas_without_values(path, name, rows, flagged):
            flagged[(row, column)] = (f"a formula {formula} with no saved value in cell "
                                      f"{letters(column)}{row}")
    for row, column in flagged:  # an untrusted cell still names its row and column
        rows.setdefault(row, {})[column] = ""
    grid = pd.DataFrame.from_dict(rows, orient="index", dtype=object)
    grid = grid.reindex(sorted(grid.columns), axis=1).sort_index().fillna("")
    hidden, merged = sheet_marks(path, name)
    return Sheet(grid, flagged, hidden, merged)


_TAG = r"<(?:\w+:)?{}\b[^>]*>"
_ATTRIBUTE = r"""(?<![\w:.-]){}\s*=\s*(["'])(.*?)\1"""


def _attribute(tag: bytes, name: str, any_prefix: bool = False) -> str | None:
    """The value of attribute `name` of an XML tag, quoted either way; `any_prefix`: the
    name in any namespace (`r:id`, `ns9:id`), not without one. A name that only ends so
    (`x14ac:hidden` for `hidden`) is not it."""
    pattern = (r"\w+:" if any_prefix else "") + re.escape(name)
    found = re.search(_ATTRIBUTE.format(pattern).encode(), tag)
    return None if found is None else html.unescape(found.group(2).decode("utf-8", "replace"))


def sheet_marks(path: Path, title: str, chunk: int = 1 << 20) -> tuple[list[int], list[str]]:
    """The rows sheet `title` hides and its merged ranges, read from the sheet's XML,
    which openpyxl's streaming reader does not keep. Each tag is matched as text (no
    XML parser, so no entity of an uploaded file is expanded); anything unexpected
    gives nothing found, as these only add warnings."""
    try:
        with zipfile.ZipFile(path) as archive:
            part = _sheet_part(archive, title)
            if part is None:
                return [], []
            hidden: list[int] = []
            merged: list[str] = []
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
                    for tag in re.finditer(_TAG.format("row").encode(), text):
                        given = _attribute(tag.group(), "r")  # optional: the next row
                        row = int(given) if given else row + 1
                        if _attribute(tag.group(), "hidden") in ("1", "true"):
                            hidden.append(row)
                    merged += [ref for tag in re.finditer(_TAG.format("mergeCell").encode(),
                                                          text)
                               if (ref := _attribute(tag.group(), "ref"))]
            return hidden, merged
    except (OSError, zipfile.BadZipFile, KeyError, ValueError):
        return [], []


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
    pass, with formulas as text, made only for a workbook that holds formulas)."""
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
                if where[1] not in rows.get(where[0], {}) and where not in flagged:
                    found.append((*where, str(cell.value)))
        return found
    finally:
        book.close()


def has_formulas(path: Path) -> bool:
    """Whether any sheet's XML holds a formula element: a cheap look before that pass.
    Unsure (an odd archive) counts as yes."""
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not (info.filename.startswith("xl/worksheets/")
                        and info.filename.endswith(".xml")):
                    continue
                with archive.open(info) as stream:
                    tail = b""
                    for chunk in iter(lambda: stream.read(1 << 20), b""):
                        if re.search(rb"<f[ >/]", tail + chunk):
                            return True
                        tail = chunk[-8:]
    except (OSError, zipfile.BadZipFile):
        return True
    return False


def strings(cells: pd.DataFrame) -> pd.DataFrame:
    """Cells of any type (a GeoPackage layer's) as the strings a user typed."""
    return cells.apply(_column_strings)


def _column_strings(values: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(values):
        return values.map({True: "true", False: "false"})
    if pd.api.types.is_numeric_dtype(values):
        numbers = values.to_numpy(dtype=float)
        whole = np.isfinite(numbers) & (np.floor(numbers) == numbers) & (np.abs(numbers) < 2**53)
        text = numbers.astype(str)
        text[whole] = numbers[whole].astype(np.int64).astype(str)
        text[np.isnan(numbers)] = ""
        return pd.Series(text, index=values.index, dtype=object)
    return values.map(cell_text)


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
