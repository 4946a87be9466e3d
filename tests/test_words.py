"""The words a plan's figures are said in (estate.results.words): a one-off that sales
pay for, and a yearly saving that is never said as negative."""

from __future__ import annotations

import pytest

from estate.results.words import (
    one_off_words,
    yearly_saving_words,
)


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
