"""A register's CSV file as a grid of text cells, indexed by spreadsheet row.

What can go wrong with the file itself (bytes that are not UTF-8, a quote left open,
another separator than the comma, Excel's `sep=` line) is raised as an `Unreadable`
saying what was expected and found, and where, for `estate.load.read` to list with the
other problems; the workbook's reader is `estate.load.workbook`.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from estate.errors import Problem
from estate.load.header import header_out_of_reach, header_row, out_of_reach_words


class Unreadable(Exception):
    """A reader's way of saying what it expected and found, and where."""

    def __init__(self, expected: str, found: str, row: int | None = None,
                 column: str | None = None) -> None:
        super().__init__(found)
        self.expected, self.found, self.row, self.column = expected, found, row, column

    def problem(self, label: str) -> Problem:
        """What went wrong as a problem of the file `label`, located as said."""
        return Problem(label, self.row, self.column, self.expected, self.found)


def read_csv(file: Path, header: frozenset[str] = frozenset()) -> pd.DataFrame:
    """The file's cells as text, indexed by spreadsheet row (the header is row 1).

    `header`: the column names the table must have. A title line above them that is
    narrower than the table (`Sites register` alone, not padded with commas as Excel
    pads it) would make every row after it too wide, and an empty first line leaves
    pandas no columns; when a line below names them (`estate.load.header`), the lines
    above it are left out and the rows keep their numbers."""
    check_encoding(file, header)
    check_separator(file)
    # pandas' C parser ends a cell at a NUL byte (`463\0000` would read as 463, the rest
    # of the cell lost without a word); its Python parser keeps the byte for the cell
    # check to name
    engine = "python" if b"\0" in file.read_bytes() else "c"
    try:
        grid = _cells(file, 0, engine)
    except (pd.errors.ParserError, Unreadable) as error:
        skip = _lines_above(file, header)
        if not skip and (deep := _header_far_down(file, header)) is not None:
            # notes above it made ragged lines: the header's place is the problem
            raise Unreadable(*out_of_reach_words(deep), deep) from error
        if not skip and isinstance(error, Unreadable):  # an empty first line, no header
            raise
        if not skip:
            raise _unreadable(file, error) from error
        try:
            grid = _cells(file, skip, engine)
        except pd.errors.ParserError as again:  # pandas' line numbers count the skipped
            raise _unreadable(file, again) from again
        grid = grid.set_axis(pd.RangeIndex(1 + skip, 1 + skip + len(grid)))
        # the lines left out stay in the grid, their text in its first cell, so that the
        # header's warning names those holding something (a blank one stays blank)
        above = pd.DataFrame("", index=pd.RangeIndex(1, 1 + skip), columns=grid.columns)
        above[grid.columns[0]] = _lines_left_out(file, skip)
        return pd.concat([above, grid])
    return grid.set_axis(pd.RangeIndex(1, 1 + len(grid)))


def _cells(file: Path, skip: int, engine: str) -> pd.DataFrame:
    """pandas' reading of the file from line `skip` + 1 by its `engine`, the encoding
    checked already (an empty row 1 said plainly)."""
    try:
        return pd.read_csv(
            file,
            engine=engine,
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            encoding="utf-8-sig",
            skiprows=skip,
        )
    except pd.errors.EmptyDataError as error:  # no text at all, or a blank first line
        if file.read_bytes().removeprefix(b"\xef\xbb\xbf").strip():
            raise Unreadable("the column names in row 1", "an empty row 1", 1) from error
        return pd.DataFrame()


def _unreadable(file: Path, error: pd.errors.ParserError) -> Unreadable:
    """pandas' complaint (`parser_error`), with the likely cause when a quote is open."""
    unreadable = parser_error(error)
    if file.read_bytes().count(b'"') % 2:  # one quote left open ends a cell elsewhere
        unreadable.found += ' (the file has an odd number of " marks: a quote left open?)'
    return unreadable


def _lines_above(file: Path, header: frozenset[str]) -> int:
    """How many lines sit above the header line (`estate.load.header.header_row`)."""
    if not header:
        return 0
    with open(file, encoding="utf-8-sig", errors="replace", newline="") as text:
        first = header_row(((number, row) for number, row in enumerate(csv.reader(text), 1)),
                           header)
    return 0 if first is None else first - 1


def _header_far_down(file: Path, header: frozenset[str]) -> int | None:
    """The line of the column names when it lies out of the header's reach
    (`estate.load.header.header_out_of_reach`)."""
    with open(file, encoding="utf-8-sig", errors="replace", newline="") as text:
        return header_out_of_reach(enumerate(csv.reader(text), 1), header)


def _lines_left_out(file: Path, skip: int) -> list[str]:
    """The text of the file's first `skip` records, each one's cells joined."""
    with open(file, encoding="utf-8-sig", errors="replace", newline="") as text:
        records = csv.reader(text)
        return ["".join(next(records, [])).strip() for _ in range(skip)]


def check_encoding(file: Path, header: frozenset[str] = frozenset(),
                   binary_fix: str = "") -> None:
    """UTF-8 (with or without a BOM), or an Unreadable naming the row of the first byte
    that is not: Excel's 'Unicode Text' is UTF-16, its 'CSV' in most of its locales
    Windows-1252, where `£` is the byte 0xA3. A file that is no text at all is said for
    what it is, with `binary_fix` (a register's table's own fix when not given)."""
    data = file.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Unreadable("UTF-8 text with columns separated by commas (in Excel: Save As "
                          "'CSV UTF-8 (Comma delimited)')", "UTF-16 text (Excel's 'Unicode "
                          "Text')", 1)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        if kind := _binary_kind(data, binary_fix):
            raise Unreadable("UTF-8 text with columns separated by commas", kind,
                             None) from error
        row, column = _cell_at(data, error.start, header)
        byte = data[error.start]
        pound = " (the £ sign of Windows-1252)" if byte == 0xA3 else ""
        raise Unreadable("UTF-8 text (in Excel: Save As 'CSV UTF-8')",
                          f"the byte 0x{byte:02X}{pound}, which is not UTF-8", row,
                          column) from error


_BINARY_STARTS = {
    b"PK\x03\x04": "a zip file (an Excel workbook?)",
    b"\xd0\xcf\x11\xe0": "an old Excel workbook (.xls)",
    b"\x1f\x8b": "a gzip file",
    b"\x89PNG": "a PNG picture",
    b"%PDF": "a PDF document",
    b"SQLite format 3\x00": "an SQLite database (a GeoPackage?)",
}
"""The first bytes of files that are not text, by what each is; a CSV file of anything
else that is not UTF-8 is said at its first such byte."""

TABLE_FIX = ("put the table's own CSV file in its place (in Excel: Save As 'CSV UTF-8 "
             "(Comma delimited)')")
"""What to do about a register's table that is no text."""


def _binary_kind(data: bytes, fix: str = "") -> str:
    """What a file named .csv is when its first bytes show it is no text, and what to do
    (`fix`, else `TABLE_FIX`); "" if they do not."""
    kind = next((kind for start, kind in _BINARY_STARTS.items() if data.startswith(start)),
                "")
    return f"{kind} named .csv, not text: {fix or TABLE_FIX}" if kind else ""


def _cell_at(data: bytes, position: int, header: frozenset[str]) -> tuple[int, str | None]:
    """The spreadsheet row of the record holding byte `position`, and its column's name
    in the header (`header`: the names the table needs, to find a header below a title
    line; `estate.load.header`), None when the byte is in or above the header, or past
    its last name. Records, not lines, are counted, as a quoted cell may hold a line
    break (old Macs end lines with CR): the text before the byte is read with a mark in
    the byte's place, and the mark's record and field are the byte's."""
    before = data[:position].decode("utf-8", "replace").removeprefix("\ufeff")
    records = list(csv.reader(io.StringIO(before + MARK, newline="")))
    row, cell = len(records), len(records[-1]) - 1
    named = header_row(enumerate(records[:-1], 1), header)
    names = records[named - 1] if named is not None and named < row else []
    return row, (names[cell].strip() or None) if cell < len(names) else None


MARK = "\ue000"
"""A private-use character standing for the byte that is not UTF-8 (`_cell_at`)."""


def check_separator(file: Path) -> None:
    """A CSV saved with another separator (Excel in a locale with a decimal comma writes
    `;`; a tab-separated export) would read as one column a row; Excel's `sep=;` hint
    line would read as the header. Both are said plainly instead."""
    with open(file, "rb") as f:
        first = f.readline(4096).removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
    first = first.rstrip("\r\n")
    if re.fullmatch(r"sep=.?", first.strip(), flags=re.IGNORECASE):
        raise Unreadable("the column names in row 1",
                          f"Excel's separator line {first.strip()!r}: delete that row", 1)
    for sep, name in ((";", "semicolons"), ("\t", "tabs")):
        if "," not in first and first.count(sep) >= 1:
            raise Unreadable("columns separated by commas (in Excel: Save As "
                              "'CSV UTF-8 (Comma delimited)')",
                              f"columns separated by {name}: {first[:60]!r}", 1)


def parser_error(error: pd.errors.ParserError) -> Unreadable:
    """pandas' complaint about a CSV, at the row a spreadsheet shows (pandas counts
    records: its `line` from 1, its `row` from 0)."""
    text = str(error)
    match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if match:
        want, line, saw = match.groups()
        return Unreadable(f"at most {want} cell{'' if want == '1' else 's'} per row, "
                          "as many as the header has",
                           f"{saw} cells", int(line))
    match = re.search(r"EOF inside string starting at row (\d+)", text)
    if match:
        return Unreadable('a closing " for the quoted cell that starts in this row',
                           "the end of the file inside quotes", int(match.group(1)) + 1)
    match = re.search(r"(?:line|row) (\d+)", text)
    row = int(match.group(1)) if match else None
    return Unreadable("CSV text a spreadsheet can open", text.splitlines()[-1].strip(), row)
