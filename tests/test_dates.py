"""A register's date columns (estate.load.dates): a date written day first, as UK
registers write it, is refused with the ISO text to type, both readings when the day
and the month could be either."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import openpyxl
import pytest

from estate.errors import InputError
from estate.load.dates import date_found, dates_found, given_day, readings
from tests.fixtures import write_tables, write_xlsx
from tests.fixtures.reference import bad_cell, frames, located, problems_of


def _parsed(text: str, form: str) -> str | None:
    """`text` read by strptime with `form`, as ISO; None when it is no date so."""
    try:
        return dt.datetime.strptime(text, form).date().isoformat()
    except ValueError:
        return None


def test_every_day_and_month_pair_reads_as_strptime_reads_it() -> None:
    """Brute force over the numbers 1-31 either side of a leap year's February 29th:
    the readings are strptime's day-first reading, then its month-first one, each when
    it is a date, and the same date once."""
    for first, second, year in itertools.product(range(0, 33), range(0, 33), (2028, 2029)):
        for sep, pad in itertools.product("/.-", (True, False)):
            text = (f"{first:02d}{sep}{second:02d}{sep}{year}" if pad
                    else f"{first}{sep}{second}{sep}{year}")
            plain = text.replace(sep, "/")
            day_first = _parsed(plain, "%d/%m/%Y")
            month_first = _parsed(plain, "%m/%d/%Y")
            expected = [d for d in (day_first, month_first) if d]
            if len(expected) == 2 and expected[0] == expected[1]:
                expected = expected[:1]
            assert readings(text) == expected, text


def test_year_first_and_other_text_give_one_reading_or_none() -> None:
    assert readings("2028/09/30") == ["2028-09-30"]
    assert readings("2028-9-3") == ["2028-09-03"]
    assert readings("2028/02/30") == []
    for text in ("30/09/28", "30/09-2028", "Sept 2028", "2028", "", "TBC", "1000", "90000"):
        assert readings(text) == [], text
    # Excel's day numbers, as Excel shows them (its 1 January 1900 is day 1)
    assert readings("46477") == ["2027-03-31"] and readings("47938") == ["2031-03-31"]
    assert readings("46477.75") == ["2027-03-31"]  # 6 pm that day
    # year, month and day as one number, as a finance system or an integer field holds it
    assert readings("20290331") == ["2029-03-31"] and readings("19991231") == ["1999-12-31"]
    for text in ("20291331", "20290230", "2029033", "202903311", "30032029", "12345678"):
        assert readings(text) == [], text
    assert date_found("20290331") == "'20290331': write it as 2029-03-31"


def test_the_found_text_says_what_to_type() -> None:
    assert date_found("30/09/2028") == "'30/09/2028': write it as 2028-09-30"
    assert date_found("03/09/2028") == (
        "'03/09/2028': write it as 2028-09-03 or 2028-03-09, whichever is meant (3 "
        "September if the day is first, as UK registers write dates; 9 March if the "
        "month is)")
    assert date_found("09/09/2028") == "'09/09/2028': write it as 2028-09-09"
    assert date_found("31/02/2028") == "'31/02/2028'"  # no date either way: as written
    assert date_found("soon") == "'soon'"
    # a program's word for no date (geopandas writes a missing date as the text NaT)
    assert date_found("NaT") == ("'NaT' (the text a program wrote for a missing date, as "
                                 "pandas writes NaT or nan: leave the cell empty)")
    # ... or as one entry of a list: left out, the rest typed as it is to be
    assert date_found("2028-09-30;NaT") == ("'2028-09-30;NaT' (NaT is the text a program "
                                            "wrote for a missing date: leave it out, as "
                                            "2028-09-30)")
    assert date_found("nan;30/09/2029").endswith("leave it out, as 2029-09-30)")
    assert date_found("NaT;nan").endswith("leave the cell empty)")
    # a workbook's date cell that holds a time of day too (31/03/2029 13:45 in Excel)
    assert date_found("2029-03-31T13:45:00") == (
        "'2029-03-31T13:45:00' (a date with a time of day): write it as 2029-03-31")
    assert date_found("31/03/2029 13:45") == (
        "'31/03/2029 13:45' (a date with a time of day): write it as 2029-03-31")
    # a list: each entry written day first is given as ISO, the list typed whole
    assert date_found("30/09/2028; 2029-03-31;31/03/2030") == (
        "'30/09/2028; 2029-03-31;31/03/2030': write it as 2028-09-30;2029-03-31;2030-03-31")
    assert date_found("03/09/2028;31/03/2030") == (
        "'03/09/2028;31/03/2030': write 03/09/2028 as 2028-09-03 or 2028-03-09, whichever "
        "is meant (3 September if the day is first, as UK registers write dates; 9 March "
        "if the month is); 31/03/2030 as 2030-03-31")


def test_a_date_written_iso_that_is_no_day_says_why() -> None:
    """2028-02-30 is written as ISO asks: the message says it is no date, and why."""
    assert date_found("2028-02-30") == ("'2028-02-30' (2028-02-30 is no date: February "
                                        "2028 has 29 days)")
    assert date_found("2026-02-29") == ("'2026-02-29' (2026-02-29 is no date: February "
                                        "2026 has 28 days)")
    assert date_found("0000-01-01") == "'0000-01-01'"  # no year 0: as written, no crash
    assert date_found("0000-13-01") == "'0000-13-01'"
    assert date_found("2030-01-01;2028-13-01") == (
        "'2030-01-01;2028-13-01' (2028-13-01 is no date: the months run from 01 to 12)")


def test_a_list_of_dates_parted_by_commas_is_given_with_semicolons(tmp_path: Path) -> None:
    assert dates_found("2029-04-01, 2030-04-01") == (
        "'2029-04-01, 2030-04-01': part the dates with ;, as 2029-04-01;2030-04-01")
    assert dates_found("30/09/2028, 2030-04-01") == (
        "'30/09/2028, 2030-04-01': part the dates with ;, as 2028-09-30;2030-04-01")
    # commas and entries to mend too: the commas said, then each entry that is no date
    assert dates_found("2029-04-01, soon") == ("'2029-04-01, soon': part the dates with ;, "
                                              "each written YYYY-MM-DD")
    assert dates_found("2028-03-31,2029-04-31;2029-09-31") == (
        "'2028-03-31,2029-04-31;2029-09-31': part the dates with ; (2029-04-31 is no date: "
        "April 2029 has 30 days; 2029-09-31 is no date: September 2029 has 30 days)")
    assert dates_found("2028-13-01;2029-04-31") == (
        "'2028-13-01;2029-04-31' (2028-13-01 is no date: the months run from 01 to 12; "
        "2029-04-31 is no date: April 2029 has 30 days)")
    tables = frames()
    tables["sites"]["lease_breaks"] = ["2029-04-01, 2030-04-01", None, None]
    problems = problems_of(write_tables(tmp_path / "breaks", tables))
    assert [(p.row, p.column, p.found) for p in problems] == [
        (2, "lease_breaks", "'2029-04-01, 2030-04-01': part the dates with ;, as "
         "2029-04-01;2030-04-01")]


def test_a_register_date_written_day_first_gives_the_iso_text(tmp_path: Path) -> None:
    problems = bad_cell(tmp_path, "sites", "lease_end", 0, "30/09/2028")
    assert located(problems) == {("sites.csv", 2, "lease_end")}
    assert problems[0].expected == "an ISO date YYYY-MM-DD"
    assert problems[0].found == "'30/09/2028': write it as 2028-09-30"
    tables = frames()
    tables["sites"]["lease_breaks"] = ["30/09/2028;31/03/2029", None, None]
    problems = problems_of(write_tables(tmp_path / "breaks", tables))
    assert [(p.row, p.column, p.found) for p in problems] == [
        (2, "lease_breaks", "'30/09/2028;31/03/2029': write it as 2028-09-30;2029-03-31")]


def test_a_workbook_text_cell_written_day_first_gives_both_readings(tmp_path: Path) -> None:
    tables = frames()
    path = write_xlsx(tmp_path / "reg.xlsx", tables)
    column = list(tables["sites"].columns).index("lease_end") + 1
    book = openpyxl.load_workbook(path)
    book["sites"].cell(2, column).value = "03/09/2028"  # text, not a date cell
    book["sites"].cell(3, column).value = dt.datetime(2028, 9, 3)  # a date cell reads
    book.save(path)
    problems = problems_of(path)
    assert [(p.file, p.row, p.column) for p in problems] == [("reg.xlsx[sites]", 2, "lease_end")]
    assert "write it as 2028-09-03 or 2028-03-09, whichever is meant" in problems[0].found


@pytest.mark.parametrize(("given", "found"), [
    ("9/3/2027", "'9/3/2027': write it as 2027-03-09 or 2027-09-03"),
    ("2027-02-30", "'2027-02-30' (2027-02-30 is no date: February 2027 has 28 days)"),
    ("tomorrow", "'tomorrow'"), (20270309, "20270309")])
def test_a_day_given_by_a_caller_says_what_to_type_when_it_is_none(given: object,
                                                                    found: str) -> None:
    """`estate.report(prepared=)` and `estate report --date` read a day alike: text
    written otherwise gets the ISO date to type, a day the calendar lacks the reason."""
    with pytest.raises(InputError) as refused:
        given_day(given, "prepared", "estate.report")
    problem = refused.value.problems[0]
    assert (problem.file, problem.column, problem.label) == ("estate.report", "prepared",
                                                             "option")
    assert problem.found.startswith(found), problem.found


def test_a_day_given_as_a_date_or_iso_text_is_that_day() -> None:
    """A date, a datetime (its day) and YYYY-MM-DD text are the day they name."""
    day = dt.date(2027, 3, 9)
    assert given_day(day, "prepared", "x") == day
    assert given_day(dt.datetime(2027, 3, 9, 23, 59), "prepared", "x") == day
    assert given_day("2027-03-09", "prepared", "x") == day
