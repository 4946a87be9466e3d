"""How amounts read (estate.results.amounts): pounds rounded as a calculator rounds,
counts, rates and staff, and the difference of two figures as the two read, each
worked by hand from the figures as printed."""

from __future__ import annotations

import numpy as np
import pytest

from estate.results.amounts import as_shown, count, dated_difference, fte_words, money, rate_words


def test_money_reads_as_a_board_expects() -> None:
    assert [money(x) for x in (1_234_567, 45_600, 12, -3_000_000, None)] == \
        ["£1.23m", "£45.6k", "£12", "-£3.00m", "n/a"]
    # halves round up, as a calculator does (Python's own format rounds 191.25 to 191.2)
    assert [money(x) for x in (171_750, 191_250, 2_675_000, 12.5, np.float64(191_250))] == \
        ["£171.8k", "£191.3k", "£2.68m", "£13", "£191.3k"]
    assert [money(x) for x in (-0.3, float("nan"), float("inf"))] == ["£0", "n/a", "n/a"]
    assert [money(x) for x in (999_950, 999_949, 999_999.6)] == ["£1.00m", "£999.9k", "£1.00m"]
    assert [money(x) for x in (999.5, 999.49, -999.5)] == ["£1.0k", "£999", "-£1.0k"]


def test_a_discount_rate_reads_as_the_scenario_gives_it() -> None:
    assert [rate_words(r) for r in (0.035, 0.0225, 0.03, 0.0, 0.125)] == \
        ["3.5%", "2.25%", "3%", "0%", "12.5%"]


def test_staff_read_whole_unless_a_split_team_moves_a_share() -> None:
    assert [fte_words(v) for v in (1360.0, 1359.9999999, 12.5, 0.0, 2.25)] == \
        ["1,360 FTE", "1,360 FTE", "12.5 FTE", "0 FTE", "2.3 FTE"]


@pytest.mark.parametrize(("value", "shown"), [
    (117_134_000.0, 117_130_000.0), (103_075_000.0, 103_080_000.0), (340_049.0, 340_000.0),
    (-1_375_000.0, -1_380_000.0), (999.6, 1_000.0), (12.4, 12.0), (0.0, 0.0),
    (999_960.0, 1_000_000.0)])
def test_a_figure_as_shown_is_the_pounds_its_words_say(value: float, shown: float) -> None:
    assert as_shown(value) == shown
    assert money(as_shown(value)) == money(value)


def test_a_count_of_one_is_singular() -> None:
    assert count(1, "change") == "1 change"
    assert [count(n, "change") for n in (0, 2, 1360)] == ["0 changes", "2 changes",
                                                          "1,360 changes"]
    assert count(1, "agency", "agencies") == "1 agency"
    assert count(3, "agency", "agencies") == "3 agencies"


@pytest.mark.parametrize(("more", "less", "pounds", "size"), [
    # the review's Loose scenario: £25.81m and £25.64m, £165,985.78 apart, read £0.17m
    (25_807_904.5, 25_641_918.72, 170_000.0, "£0.17m"),
    # its Leases scenario: £26.50m and £26.14m (£359,924.50 apart) read £0.36m, not £360.0k
    (26_499_440.93, 26_139_516.43, 360_000.0, "£0.36m"),
    (25_641_918.72, 22_417_131.35, 3_220_000.0, "£3.22m"),
    (116_794_000.0, 103_076_000.0, 13_710_000.0, "£13.71m"),
    (22_417_131.35, 25_807_904.5, -3_390_000.0, "£3.39m"),  # less: the sign in pounds only
    (45_640.0, 45_140.0, 500.0, "£0.5k"),  # £45.6k and £45.1k: to £100
    (900.0, 400.0, 500.0, "£500"),
    (1_230_000.0, 999_900.0, 230_000.0, "£0.23m"),  # £1.23m and £999.9k: the coarser, £10k
    (1_000_000.0, 999_940.0, 0.0, "£0.00m"),  # £1.00m and £999.9k: nothing at £10k
    (-1_375_000.0, -2_000_000.0, 620_000.0, "£0.62m"),  # -£1.38m and -£2.00m
])
def test_a_difference_of_two_figures_reads_at_their_precision(
        more: float, less: float, pounds: float, size: str) -> None:
    """Worked by hand from the figures as `money` prints them: the difference of the
    printed numbers, in the coarser figure's unit to its places, so it adds up on the
    page and claims no digit the figures do not have."""
    said = dated_difference(more, less)
    assert said.pounds == pounds and said.size == size

