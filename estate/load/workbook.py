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
    `flagged` says why each untrusted cell (left empty in `grid`) is not used."""

    grid: pd.DataFrame
    flagged: Flagged = field(default_factory=dict)


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
    return Sheet(grid, flagged)


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


def letters(position: int) -> str:
    """Spreadsheet column letters for a 0-based position: 0 -> A, 27 -> AB."""
    text = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        text = chr(65 + rest) + text
    return text
