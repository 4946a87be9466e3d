"""The words a plan's figures are said in (estate.results.words): a one-off that sales
pay for, and a yearly saving that is never said as negative."""

from __future__ import annotations

import pytest

from estate.results.alternative_figures import AlternativeFigures
from estate.results.words import (
    alternative_words,
    beside_year_one,
    one_off_words,
    yearly_saving_words,
)
from estate.status import Status


@pytest.mark.parametrize(("dated", "year_one", "said"), [
    (22_420_000.0, 25_810_000.0, "£3.39m less than the £25.81m the plan would save if "
                                 "every change were made in year 1"),
    (1_300_000.0, 1_200_000.0, "£0.10m more than the £1.20m the plan would save if every "
                               "change were made in year 1"),
    (500_000.0, 500_000.3, "as much as the plan would save if every change were made in "
                           "year 1"),
    (-123_500.0, -216_500.0, "£93.0k better than if every change were made in year 1, "
                             "when it would cost £216.5k more"),
    (-1_500_000.0, -1_400_000.0, "£0.10m worse than if every change were made in year 1, "
                                 "when it would cost £1.40m more"),
    # the loss said once, beside the dated one
    (-40_000.0, -40_000.0, "as the plan would if every change were made in year 1"),
    # no year-1 figure to be less or more than
    (-1_300_000.0, 0.3, "where the plan would save nothing if every change were made in "
                        "year 1"),
    (1_000_000.0, -0.2, "where the plan would save nothing if every change were made in "
                        "year 1"),
])
def test_a_dated_saving_is_set_against_the_year_1_one_in_one_way(
        dated: float, year_one: float, said: str) -> None:
    """The programme page and the board pack follow a dated saving with this clause;
    the difference reads in the figures' unit (£25.81m less £22.42m is £3.39m)."""
    assert beside_year_one(dated, year_one) == said


def test_a_one_off_sales_pay_for_is_nil_net_not_none() -> None:
    """£150k of moves paid for by a £150k sale is "£0 net": "none" said nothing was
    spent; with nothing spent or sold it is "none" (not "£0 net")."""
    assert one_off_words(0.0, 150_000.0) == "£0 net"
    assert one_off_words(0.0, 0.0) == one_off_words(0.0) == "none"
    assert one_off_words(150_000.0) == "£150.0k to spend once"
    assert one_off_words(-150_000.0) == "net receipts of £150.0k"


@pytest.mark.parametrize(("saving", "said"), [
    (14_210_000.0, "saving £14.21m a year"), (0.2, "saving £0 a year"),
    (-0.2, "saving £0 a year"), (-50_000.0, "costing £50.0k more a year")])
def test_a_yearly_saving_is_never_negative(saving: float, said: str) -> None:
    assert yearly_saving_words(saving) == said


def test_an_alternative_cheaper_than_the_main_plan_does_not_call_it_the_cheapest() -> None:
    """Beside a main plan searched within 15%, an alternative £4.87m cheaper was said to
    be "cheaper than the cheapest plan found" (a review)."""
    cheaper = AlternativeFigures(1, "Plan", -4_870_000.0, (), optimum_status=Status.OPTIMAL,
                                 optimum_mip_gap=0.15)
    assert alternative_words(cheaper, Status.OPTIMAL, gap=0.0)[0] == (
        "an alternative, £4.87m (NPV) cheaper than the main plan, which is within 15% of "
        "the lowest possible cost")
    dearer = AlternativeFigures(1, "Plan", 545_000.0, (), optimum_status=Status.OPTIMAL,
                                optimum_mip_gap=0.0)
    assert alternative_words(dearer, Status.OPTIMAL, gap=0.037)[0] == (
        "an alternative, £545.0k (NPV) dearer than the cheapest plan, which is proven "
        "optimal; its own search stopped within 3.7% of the cheapest of the other choices")
