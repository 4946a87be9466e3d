"""Numbers written as people write them in spreadsheets and settings: the number a run of
digits with commas means (thousands, or a decimal comma), and what to say of a register
cell that is no number but plainly means one, so that the fix is in the message.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

SPREADSHEET_ERRORS = frozenset(("#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!",
                                "#NULL!", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!",
                                "#BUSY!", "#UNKNOWN!"))
"""Excel's error values, which a CSV saved from a workbook holds as text."""
_NUMBERED_ERROR = re.compile(r"Err:5\d\d")
"""LibreOffice Calc's own error values (`Err:501` to `Err:539`, as it writes them),
saved as text the same way."""


def is_spreadsheet_error(text: str) -> bool:
    """Whether a cell's text is a spreadsheet's error value (`#N/A`, `Err:502`)."""
    said = str(text).strip()
    return said.upper() in SPREADSHEET_ERRORS or _NUMBERED_ERROR.fullmatch(said) is not None


_SPACES = re.compile("[ \u00a0\u202f\u2009]")
"""Spaces that group thousands: plain, non-breaking (Excel in French, among others),
narrow non-breaking and thin."""
_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")


def digits_meant(text: str) -> float | None:
    """The number a run of digits means: commas between groups of three are thousands
    (`250,000`, not after a lone 0), a single comma before other digits a decimal comma
    (`5,5`, `0,035`, as much of Europe writes them); None when the commas fit neither."""
    if "," not in text:
        return float(text)
    if _GROUPED.fullmatch(text):
        return float(text.replace(",", ""))
    if _DECIMAL_COMMA.fullmatch(text):
        return float(text.replace(",", "."))
    return None


def spreadsheet_error_in(cell: str) -> str:
    """The spreadsheet error value a cell holds, whole or as one of its `;` entries
    (`public_access;#N/A`); "" when none."""
    return next((e.strip() for e in str(cell).split(";") if is_spreadsheet_error(e)), "")


def error_found(cell: str, listed: bool = True) -> str:
    """A cell holding a spreadsheet error value, as a problem says what was found: one of
    a list's entries (`listed`, a column of `;`-parted entries) or within a cell's text."""
    error = spreadsheet_error_in(cell)
    among = "" if error == str(cell).strip() else (
        f" among its entries ({cell!r})" if listed else f" within its text ({cell!r})")
    return f"the spreadsheet error {error}{among}, saved as text"


def number_found(cell: object, takes: Callable[[float], bool] = lambda _: True) -> str:
    """A register cell refused as a number, as written and with what to write when it
    plainly means one: `'£1,505,000': write 1505000`; `'52,07084'`, a decimal comma:
    `write 52.07084`; `'1,505'`, either: both; spaces Excel groups thousands with shown as
    spaces and named; a spreadsheet error saved as text named as one; a date, which a
    workbook gives for a number formatted as one, with the number it holds. A cell that
    is a number (refused for its range) is as written. Only a reading the column `takes`
    is offered: '52,070' of a latitude is 52.07, not 52070."""
    text = str(cell)
    if is_spreadsheet_error(text):
        return (f"the spreadsheet error {text.strip()}, saved as text: mend the formula in "
                "the workbook, or enter the figure")
    serial = _date_serial(text.strip())
    if serial is not None:
        return (f"{text.strip()!r}, a date: if the cell is a number formatted as a date, "
                f"format it as a number (it holds {_plain(serial)})")
    shown = repr(_SPACES.sub(" ", text))
    if _SPACES.sub(" ", text) != text:
        shown += " (its spaces are not plain spaces: some Excel settings group thousands so)"
    compact = _SPACES.sub("", text).removeprefix("£")
    if compact == text.strip() and "," not in compact:
        return shown  # no pound sign, grouping or comma to take out: nothing to suggest
    meant = (digits_meant(compact) if re.fullmatch(r"[+-]?\d[\d,]*(\.\d+)?", compact)
             else None)
    if meant is None:
        return shown
    decimal = (float(compact.replace(",", ".")) if _DECIMAL_COMMA.fullmatch(compact)
               else None)  # '1,505' reads either way; '1,505,000' and '52,07084' one way
    readings = [x for x in dict.fromkeys((meant, decimal)) if x is not None and takes(x)]
    if not readings:
        return shown
    if len(readings) == 2:
        return (f"{shown}: write {_plain(readings[0])}, or {_plain(readings[1])} if the comma "
                "is a decimal point")
    if readings[0] == decimal:
        return f"{shown}, a decimal comma: write {_plain(decimal)}"
    return f"{shown}: write {_plain(readings[0])}"


def _plain(x: float) -> str:
    """A number as it is to be typed: no exponent, no trailing zeros."""
    return f"{x:.12f}".rstrip("0").rstrip(".")


def _date_serial(text: str) -> float | None:
    """The number a spreadsheet shows as this date (`1900-04-19` is 110), or None for
    text that is no ISO date. Excel's day 60 is a 29 February 1900 the calendar lacks,
    so its days before March 1900 count from a day later."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}(T[\d:.]+)?", text):
        return None
    epoch = dt.datetime(1899, 12, 30 if moment >= dt.datetime(1900, 3, 1) else 31)
    return (moment - epoch) / dt.timedelta(days=1)
