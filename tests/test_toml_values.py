"""How a value typed in a scenario should be written (estate.load.toml_values): the
hint for a value with more typed after it on its line, and for a date day first. The
hints for whole files, at their lines, are tested with estate.load.toml_text."""

from __future__ import annotations

import pytest

from estate.load.toml_values import (
    after_value,
    apostrophe_in_entry,
    date_hint,
    reads_as_value,
)


@pytest.mark.parametrize(("key", "value", "says"), [
    ("name", "'St John's'", 'write name = "St John\'s"'),
    ("name", "'O'Brien House'", 'write name = "O\'Brien House"'),
    ("name", "'O'Neil's plan'", 'write name = "O\'Neil\'s plan"'),
    ("data", "'C:\\Users\\O'Brien\\reg'", 'write data = "C:/Users/O\'Brien/reg" (a path '
     "with / in place of \\, which Windows reads too)"),
    ("discount_rate", "0.035 // the Green Book rate", "write # in place of //"),
    ("discount_rate", "0.035 -- the Green Book rate", "write # in place of --"),
    ("horizon_years", "10 ; ten years", "write # in place of ;"),
    ("time_limit_s", "1e3s", "write time_limit_s = 1e3: the key's name gives its unit"),
    ("name", '"Hand" "Two"', 'the value "Hand" is followed by "Two": if that is a note, '
     "start it with #; if it is all the text, put it all in one pair of quotes"),
    ("keep", '["S1"] and S2', 'the value ["S1"] is followed by and S2: if that is a note, '
     "start it with #"),
])
def test_more_after_a_value_is_said_with_the_value_read(key: str, value: str,
                                                        says: str) -> None:
    assert not reads_as_value(value)
    hint = after_value(key, value)
    assert hint is not None and says in hint[1]


def test_a_number_is_not_told_to_go_in_quotes() -> None:
    """Words after a number may be a note, never part of a text."""
    hint = after_value("max_km", "40 or so")
    assert hint is not None and "quotes" not in hint[1] and "start it with #" in hint[1]


def test_a_value_no_start_of_which_reads_is_left_to_toml_s_words() -> None:
    assert after_value("name", "@@ nothing") is None


@pytest.mark.parametrize(("value", "iso"), [
    ("01/04/2027", "2027-04-01"), ("2027/4/1", "2027-04-01"), ("31.3.2028", "2028-03-31")])
def test_a_date_is_offered_year_first(value: str, iso: str) -> None:
    hint = date_hint(value)
    assert hint is not None and hint[1] == f'write {value} as "{iso}"'


def test_a_date_that_is_none_is_told_to_be_written_year_first() -> None:
    assert date_hint("40/13/2027") == ('a date in quotes, year first: "2028-09-30"',
                                       "write it year first, in quotes")
    assert date_hint("2027") is None


def test_a_list_entry_holding_an_apostrophe_is_told_to_take_double_quotes() -> None:
    assert apostrophe_in_entry("['S1', 'St John's']") == (
        'an entry holding an apostrophe in "double quotes"',
        'write it "St John\'s", in double quotes')
    assert apostrophe_in_entry("['S1', 'S2']") is None
    assert apostrophe_in_entry("['a' 'b']") is None  # no apostrophe inside a word
