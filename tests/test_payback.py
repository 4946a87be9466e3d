"""The words a dated programme's payback is said in (estate.results.payback): DESIGN 9's
payback year, the first year the saving so far is positive, and whether it lasts."""

from __future__ import annotations

import pytest

from estate.results.payback import dated_payback_words, payback_mark, programme_payback_words
from estate.results.programme_figures import DatedFigures


@pytest.mark.parametrize(("year", "lasting", "said"), [
    (3, 3, "pays back in year 3"),
    (1, 5, "pays back in year 1, loses it to later spending and pays back for good in "
           "year 5"),
    (1, None, "pays back in year 1 but not for good: later spending leaves it at a loss "
              "at the horizon's end"),
    (None, None, "does not pay back within the horizon"),
])
def test_a_payback_lost_to_later_spending_says_so(
        year: int | None, lasting: int | None, said: str) -> None:
    assert programme_payback_words(year, lasting) == said


@pytest.mark.parametrize(("years", "said"), [
    (None, "not dated"),
    ((None, None), "not within the horizon"),
    ((2, 2), "year 2 (discounted)"),
    ((1, 4), "year 1 (discounted); for good in year 4"),
    ((1, None), "year 1 (discounted); lost by the horizon's end"),
])
def test_a_comparison_cell_gives_both_years_when_they_differ(
        years: tuple[int | None, int | None] | None, said: str) -> None:
    programme = None if years is None else DatedFigures(5.2e6, 94.8e6, *years)
    assert dated_payback_words(programme) == said


def test_the_charts_line_says_when_the_payback_is_not_for_good() -> None:
    assert payback_mark(2, 2) == "Payback: year 2"
    assert payback_mark(1, 4) == "Payback: year 1; for good in year 4"
    assert payback_mark(1, None) == "Payback: year 1; not for good"
