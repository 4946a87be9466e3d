"""A register's date columns: ISO dates (`2031-03-31`), one a cell (`lease_end`) or
`;`-separated (`lease_breaks`), and what to type instead of a date written otherwise.

A date Excel holds as a date reads as ISO already (`estate.load.workbook.cell_text`);
one typed as text, or in a CSV file, is often written day first, as UK registers write
dates (`30/09/2028`). It is refused, as any other text is, but its error gives the ISO
date to type: the one reading when only one is a date (`30/09/2028` has no 30th
month), both when the day and month could be either (`03/09/2028`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

import pandas as pd

from estate.errors import InputError, Problem
from estate.load.raw import per_value
from estate.load.schema import Column

ISO_DATE = r"\d{4}-\d{2}-\d{2}"
EARLIEST_DATE = "1990-01-01"
"""Dates before this are warned about (`too_early`)."""
_DAY_FIRST = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})")
_YEAR_FIRST = re.compile(r"(\d{4})([/.\-])(\d{1,2})\2(\d{1,2})")
_COMPACT = re.compile(r"((?:19|20|21)\d{2})()(\d{2})(\d{2})")
"""A date written as one number, year first (`20290331`), as some finance systems and a
GeoPackage's integer field hold it; its empty second group stands where `_YEAR_FIRST`
has its separator, so that both give year, month and day as groups 1, 3 and 4."""
_SERIAL = r"[3-7]\d{4}(\.\d+)?"
"""A date cell Excel shows as General holds its serial day number (46477 is 2027-03-31;
a CSV export may write it 46477.0, and a time of day is its fraction, 46477.5 noon)."""
_EXCEL_DAY_0 = dt.date(1899, 12, 30)
"""The day before Excel's serial day 1 (its 1900 leap day makes serials from March 1900
count from here)."""


def parse_dates(column: Column, cells: pd.Series, blank: pd.Series):
    """The column's cells as ISO date strings (a `dates` column's as sorted tuples of
    them), the cells that are not, and why, as `estate.load.validate`'s parsers give
    them."""
    if column.kind == "dates":
        values = per_value(cells, lambda v: tuple(sorted(
            p.strip() for p in v.split(";") if p.strip())))
        bad = ~blank & ~per_value(cells, lambda v: all(
            is_iso_date(p.strip()) for p in v.split(";") if p.strip())).astype(bool)
        # a list that is not all dates is reported, and read as none, so that it is not
        # also compared with the lease end as text
        values = pd.Series([() if b else v for v, b in zip(values, bad, strict=True)],
                           index=values.index, dtype=object)
        return values, bad, "ISO dates YYYY-MM-DD, separated by ;"
    bad = ~blank & ~per_value(cells, is_iso_date).astype(bool)
    serial = bad & cells.str.fullmatch(_SERIAL)
    return cells.where(~bad, ""), bad, {
        "an ISO date YYYY-MM-DD (this looks like an Excel date serial: format the cell "
        "as a date, or type the date it stands for)": serial,
        "an ISO date YYYY-MM-DD": bad & ~serial}


def is_iso_date(value: str) -> bool:
    """Whether `value` is a date written YYYY-MM-DD."""
    if not re.fullmatch(ISO_DATE, value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def too_early(values: pd.Series) -> pd.Series:
    """The parsed cells holding a date before `EARLIEST_DATE`."""
    return values.map(lambda v: any(d < EARLIEST_DATE for d in (
        v if isinstance(v, tuple) else (v,)) if d)).astype(bool)


_TIME_OF_DAY = re.compile(r"(?<=\d)[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?$")
"""A time after a date: a workbook's date cell that holds one reads as
`2029-03-31T13:45:00` (Excel shows `31/03/2029 13:45`), a GeoPackage's DATETIME as
`2029-03-31T13:45:00Z`; its date is the date meant."""


def readings(text: str) -> list[str]:
    """The ISO dates `text`, a date written otherwise, may stand for: day first as UK
    registers write it (`30/09/2028`, `30.9.2028`), then month first, as US ones do,
    each only when it is a date; year first (`2028/09/30`, `2028-9-30`, `20280930`) one
    way; an Excel serial day number (`47938`, 2031-03-31; `47938.5` is noon that day) as
    the date Excel shows for it. Empty for anything else (a two-digit year is Excel's
    guess to make, not estate's)."""
    text = _TIME_OF_DAY.sub("", text.strip())  # a date cell holding a time of day too
    if re.fullmatch(_SERIAL, text):  # Excel's day number: one reading
        return [(_EXCEL_DAY_0 + dt.timedelta(days=int(float(text)))).isoformat()]
    if found := _YEAR_FIRST.fullmatch(text) or _COMPACT.fullmatch(text):
        year, month, day = found.group(1, 3, 4)
        ways = [(year, month, day)]
    elif found := _DAY_FIRST.fullmatch(text):
        first, second, year = found.group(1, 3, 4)
        ways = [(year, second, first), (year, first, second)]
    else:
        return []
    dates: list[str] = []
    for year, month, day in ways:
        try:
            iso = dt.date(int(year), int(month), int(day)).isoformat()
        except ValueError:
            continue
        if iso not in dates:
            dates.append(iso)
    return dates


#: What programs write for a missing date (pandas NaT and nan, Python's None, SQL's NULL).
_MISSING = frozenset({"NaT", "NaN", "nan", "None", "null", "NULL"})


def date_found(cell: str) -> str:
    """A refused date cell as written, with the ISO text to type when it is a date
    written otherwise: `'30/09/2028': write it as 2028-09-30`; both readings of
    `03/09/2028`; in a list, each entry so written."""
    entries = [p.strip() for p in cell.split(";") if p.strip()]
    kept = [e for e in entries if e not in _MISSING]
    if entries and not kept:
        return (f"{cell!r} (the text a program wrote for a missing date, as pandas writes "
                "NaT or nan: leave the cell empty)")
    if len(kept) < len(entries) and all(is_iso_date(e) or len(readings(e)) == 1
                                        for e in kept):  # `2028-09-30;NaT`
        typed = ";".join(e if is_iso_date(e) else readings(e)[0] for e in kept)
        missing = [e for e in entries if e in _MISSING]
        words = list(dict.fromkeys(missing))
        said = (f"{words[0]} is the text a program wrote for a missing date" if len(words) == 1
                else f"{' and '.join(words)} are texts a program wrote for a missing date") + (
            ": leave it out" if len(missing) == 1 else ": leave each out")
        return f"{cell!r} ({said}, as {typed})"
    fixes = [(e, readings(e)) for e in entries if not is_iso_date(e)]
    fixes = [(e, ways) for e, ways in fixes if ways]
    if not fixes:
        wrong = [why for e in entries if not is_iso_date(e) and (why := no_such_day(e))]
        return f"{cell!r} ({'; '.join(wrong)})" if wrong else repr(cell)
    if len(entries) == 1:
        timed = " (a date with a time of day)" if _TIME_OF_DAY.search(entries[0]) else ""
        return f"{cell!r}{timed}: write it as {_as(fixes[0][1])}"
    if all(len(ways) == 1 for _, ways in fixes):
        fixed = {e: ways[0] for e, ways in fixes}
        return f"{cell!r}: write it as {';'.join(fixed.get(e, e) for e in entries)}"
    return f"{cell!r}: write " + "; ".join(f"{e} as {_as(ways)}" for e, ways in fixes)


def iso_to_type(text: str) -> str | None:
    """What to type for `text`, a date written otherwise (`readings`): its ISO date, both
    when the day and month could be either; None when it is no date."""
    ways = readings(text)
    return _as(ways) if ways else None


def _as(ways: list[str]) -> str:
    """The ISO text to type for a date with these readings (one or two, day first)."""
    if len(ways) == 1:
        return ways[0]
    first, second = (dt.date.fromisoformat(w) for w in ways)
    return (f"{ways[0]} or {ways[1]}, whichever is meant ({first.day} {first:%B} if the "
            f"day is first, as UK registers write dates; {second.day} {second:%B} if the "
            "month is)")


def dates_found(cell: str) -> str:
    """A refused list of dates (`lease_breaks`) as `date_found` says it, or, when its
    dates are parted by commas, the list to type: `'2029-04-01, 2030-04-01': part the
    dates with ;, as 2029-04-01;2030-04-01`."""
    parts = [p.strip() for p in cell.split(",") if p.strip()]
    if "," not in cell or len(parts) < 2:
        return date_found(cell)
    if ";" not in cell and all(is_iso_date(p) or len(readings(p)) == 1 for p in parts):
        typed = ";".join(p if is_iso_date(p) else readings(p)[0] for p in parts)
        return f"{cell!r}: part the dates with ;, as {typed}"
    # commas and entries of their own to mend: each said, the commas first
    entries = [p.strip() for p in re.split("[,;]", cell) if p.strip()]
    wrong = [why for e in entries if not is_iso_date(e) and (why := no_such_day(e))]
    other = any(not is_iso_date(e) and not no_such_day(e) for e in entries)
    return (f"{cell!r}: part the dates with ;" + (", each written YYYY-MM-DD" if other else "")
            + (f" ({'; '.join(wrong)})" if wrong else ""))


def no_such_day(entry: str) -> str:
    """Why an entry written YYYY-MM-DD is no date ("2028-02-30 is no date: February 2028
    has 29 days"); empty for one not so written."""
    found = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", entry)
    if found is None:
        return ""
    year, month, _ = (int(part) for part in found.groups())
    if year < 1:  # no calendar has a year 0: said as written, as any other text
        return ""
    if not 1 <= month <= 12:
        return f"{entry} is no date: the months run from 01 to 12"
    days = calendar.monthrange(year, month)[1]
    return f"{entry} is no date: {dt.date(year, month, 1):%B %Y} has {days} days"


def given_day(value: object, name: str, where: str) -> dt.date:
    """A day a caller gives (`name` of the function `where`): a date as given (a
    datetime's day), or text YYYY-MM-DD naming a day of the calendar; anything else an
    `InputError` naming it, with what was given and, for text, what to type instead or
    why it is no day (`date_found`)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(ISO_DATE, value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise InputError([Problem(where, None, name, "a date (datetime.date, or text "
                              "YYYY-MM-DD that is a day of the calendar)",
                              date_found(value) if isinstance(value, str) else repr(value),
                              label="option")])
