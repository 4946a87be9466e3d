"""What a file given as an Excel workbook is when its sheets cannot be read: empty, not
a zip archive, a zip of other files, an OpenDocument spreadsheet, a damaged archive, an
encrypted or old Excel file (an OLE document), or a workbook saved as Strict Open XML;
each named for what it is, with how to save an .xlsx of it, not in the zip reader's or
openpyxl's words (`estate.load.read` asks when a workbook does not open, or opens with
no sheet).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from estate.errors import first_few


def not_a_workbook(path: Path) -> str | None:
    """What the file at `path` is instead of an .xlsx workbook, with how to fix it, when
    its first bytes show it (empty, or not the zip archive Excel writes) or its archive
    does (a damaged one, or one holding no workbook); None when neither does (an
    encrypted or .xls workbook, `is_ole`, or a workbook damaged inside)."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError:
        return None
    fix = "open it in Excel and save it again as an Excel Workbook (.xlsx)"
    if not head:
        return f"an empty file (0 bytes): {fix}, or give the register's folder of CSV files"
    if head.startswith(b"PK"):
        return _zip_not_a_workbook(path, fix)
    if is_ole(path):
        return None
    return ("a file that is not an Excel workbook (.xlsx, the zip archive Excel saves; "
            f"a CSV or other file renamed .xlsx?): {fix}")


_ODS = b"application/vnd.oasis.opendocument.spreadsheet"
"""The `mimetype` an OpenDocument spreadsheet (LibreOffice's .ods) holds first."""


def _zip_not_a_workbook(path: Path, fix: str) -> str | None:
    """What a zip archive named .xlsx is when it is not an Excel workbook (no
    `[Content_Types].xml` and `xl/` folder, which every .xlsx holds): a damaged archive,
    an OpenDocument spreadsheet, or a zip of other files (of CSV files, say), named by the
    first few it holds; None for a workbook, damaged or not in another way."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
            opened = archive.read("mimetype")[:len(_ODS)] if "mimetype" in names else b""
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, RuntimeError):
        return ("a damaged Excel workbook (its zip archive cannot be read: cut short by a "
                f"download or a copy?): copy it again, or {fix}")
    if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
        return None
    if opened == _ODS:
        return ("an OpenDocument spreadsheet (.ods, as LibreOffice saves it) named .xlsx: "
                "open it in LibreOffice Calc or Excel and save it as an Excel Workbook "
                "(.xlsx)")
    shown = ["".join(c if c.isprintable() else "?" for c in n[:60]) for n in names[:4]]
    held = first_few(shown, 4, len(names))
    csvs = ", or unzip it and give the folder of CSV files it holds" if any(
        n.lower().endswith(".csv") for n in names) else ""
    return (f"a zip archive that is not an Excel workbook (it holds {held or 'nothing'}; "
            "a workbook holds xl/workbook.xml): save the register from Excel as an Excel "
            f"Workbook (.xlsx) and give that file{csvs}")


def is_ole(path: Path) -> bool:
    """Whether the file is an OLE compound document: what Excel writes for an encrypted
    workbook, whatever its name, and for the old .xls."""
    try:
        with open(path, "rb") as f:
            return f.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    except OSError:
        return False


_STRICT = b"purl.oclc.org/ooxml/spreadsheetml/main"
"""The namespace of a workbook saved as "Strict Open XML Spreadsheet"."""


def no_sheets(path: Path) -> str:
    """What a workbook in which no sheet could be found is, with how to save it so that
    its sheets are read."""
    fix = "open it in Excel and save it as an Excel Workbook (.xlsx)"
    try:
        with zipfile.ZipFile(path) as archive:
            strict = _STRICT in archive.read("xl/workbook.xml")[:4096]
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, RuntimeError):
        strict = False
    if strict:
        return ('a workbook saved as "Strict Open XML Spreadsheet", whose sheets estate '
                f"cannot read: {fix}")
    return f"a workbook in which no sheet could be found: {fix}"
