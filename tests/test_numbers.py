"""Numbers as people write them (estate/load/numbers.py): what a refused register cell
plainly means, worked out by hand for each way of writing it."""

from __future__ import annotations

from pathlib import Path

import pytest

from estate.load.numbers import digits_meant, is_spreadsheet_error, number_found
from tests.fixtures.reference import bad_cell, located


@pytest.mark.parametrize(("text", "number"), [
    ("250,000", 250_000.0), ("1,505,000.5", 1_505_000.5), ("5,5", 5.5), ("0,035", 0.035),
    ("1200", 1200.0), ("0,035,000", None), ("12,34,567", None)])
def test_digits_with_commas_mean_thousands_or_a_decimal_comma(text: str,
                                                              number: float | None) -> None:
    assert digits_meant(text) == number


@pytest.mark.parametrize(("cell", "said"), [
    ("£1,505,000", "'£1,505,000': write 1505000"),
    ("1,505,000", "'1,505,000': write 1505000"),
    ("£1505000", "'£1505000': write 1505000"),
    ("1 505 000", "'1 505 000': write 1505000"),
    ("1\u00a0505\u00a0000", "'1 505 000' (its spaces are not plain spaces: some Excel "
     "settings group thousands so): write 1505000"),
    ("52,07084", "'52,07084', a decimal comma: write 52.07084"),
    ("1,505", "'1,505': write 1505, or 1.505 if the comma is a decimal point"),
    ("#N/A", "the spreadsheet error #N/A, saved as text: mend the formula in the "
     "workbook, or enter the figure"),
    ("#div/0!", "the spreadsheet error #div/0!, saved as text"),
    # 110 formatted as a date shows 19 April 1900; day 5 is before Excel's 29 February
    ("1900-04-19", "'1900-04-19', a date: if the cell is a number formatted as a date, "
     "format it as a number (it holds 110)"),
    ("1900-01-05", "(it holds 5)"),
    ])
def test_a_refused_number_says_what_to_write_when_it_plainly_means_one(cell: str,
                                                                       said: str) -> None:
    assert said in number_found(cell), number_found(cell)


@pytest.mark.parametrize("cell", ["many", "50%", "1,5,5", "-1", "(1505000)", "n/a"])
def test_a_cell_that_plainly_means_no_number_is_said_as_written(cell: str) -> None:
    assert number_found(cell) == repr(cell)


def test_a_register_cell_written_with_a_decimal_comma_says_the_number_to_type(
        tmp_path: Path) -> None:
    """At its row and column, as every refused cell is, with the fix in what was found."""
    problems = bad_cell(tmp_path, "sites", "lat", 1, "52,07084")
    assert located(problems) == {("sites.csv", 3, "lat")}
    assert problems[0].found == "'52,07084', a decimal comma: write 52.07084"


@pytest.mark.parametrize(("cell", "column", "row", "said"), [
    # a latitude takes -90 to 90: of '52,070' only 52.07 (52070 would be refused next)
    ("52,070", "lat", 1, "'52,070', a decimal comma: write 52.07"),
])
def test_only_a_reading_the_column_takes_is_offered(tmp_path: Path, cell: str, column: str,
                                                    row: int, said: str) -> None:
    """A review typed what the message said and was refused again: '52,070' of a
    latitude offered 52070 first, '1,5' of a lag 1.5, which is no whole number of years."""
    problems = bad_cell(tmp_path, "sites", column, row, cell)
    assert [p.found for p in problems] == [said]


def test_a_reading_no_whole_column_takes_is_not_offered() -> None:
    """'1,5' of a lag in whole years: 1.5 would be refused next, so nothing is offered."""
    assert number_found("1,5", lambda x: float(x).is_integer()) == "'1,5'"
    assert number_found("1,5") == "'1,5', a decimal comma: write 1.5"


@pytest.mark.parametrize(("text", "error"), [
    ("#N/A", True), (" #n/a ", True), ("#DIV/0!", True), ("Err:502", True),
    ("Err:539", True), ("err:502", False), ("ERR:001", False), ("Err:1234", False),
    ("N/A", False), ("#", False)])
def test_a_spreadsheet_error_is_excel_s_or_libreoffice_s_own_form(text: str,
                                                                error: bool) -> None:
    """Excel's error values in any case (a CSV keeps them as typed by the workbook);
    LibreOffice's as it writes them, `Err:` and a code in the 500s, so that an id such as
    `ERR:001` stays an id."""
    assert is_spreadsheet_error(text) is error
