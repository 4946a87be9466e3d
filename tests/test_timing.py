"""The programme's calendar and lease arithmetic, against figures worked by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from estate.timing import Calendar, exit_terms, year_start

START = dt.date(2027, 4, 1)


def _sites(**columns: list) -> pd.DataFrame:
    base = {"rent": [0.0], "lease_end": [""], "lease_breaks": [()], "surrender_cost": [np.nan],
            "disposal_lag_years": [1.0], "disposal_value": [0.0], "closure_cost": [0.0]}
    base.update(columns)
    return pd.DataFrame(base)


def test_years_run_from_the_start_date() -> None:
    cal = Calendar(START, 5, 0.0)
    assert year_start(START, 1) == START and year_start(START, 3) == dt.date(2029, 4, 1)
    assert year_start(dt.date(2028, 2, 29), 2) == dt.date(2029, 2, 28)
    # a change allowed from a date happens in the first year beginning on or after it
    assert cal.first_year_from(dt.date(2020, 1, 1)) == 1 and cal.first_year_from(START) == 1
    assert cal.first_year_from(dt.date(2027, 4, 2)) == 2
    assert cal.first_year_from(dt.date(2028, 3, 31)) == 2
    assert cal.first_year_from(dt.date(2028, 4, 1)) == 2
    assert cal.first_year_from(dt.date(2028, 10, 1)) == 3
    assert cal.first_year_from(dt.date(2031, 4, 2)) == 6  # past the horizon: never
    assert cal.first_year_from(dt.date(2040, 1, 1)) == 6


def test_discount_factors() -> None:
    cal = Calendar(START, 3, 0.1)
    assert cal.d_end[1:4] == pytest.approx([1 / 1.1, 1 / 1.21, 1 / 1.331])
    assert cal.d_start[1:4] == pytest.approx([1.0, 1 / 1.1, 1 / 1.21])


def test_rent_is_owed_until_the_lease_ends() -> None:
    """A lease with four years left: closing in year 1 still owes four years of rent."""
    cal = Calendar(START, 10, 0.0)
    terms = exit_terms(_sites(rent=[80_000.0], lease_end=["2031-04-01"]), cal)
    assert terms.leave[0, 1] == pytest.approx(4 * 80_000)
    assert terms.leave[0, 4] == pytest.approx(80_000)
    assert terms.leave[0, 5] == pytest.approx(0.0)


def test_half_a_year_of_rent_for_a_lease_ending_mid_year() -> None:
    cal = Calendar(dt.date(2027, 1, 1), 3, 0.0)
    terms = exit_terms(_sites(rent=[365.0], lease_end=["2027-07-02"]), cal)
    assert terms.leave[0, 1] == pytest.approx(182.0)


def test_a_break_lets_the_tenant_leave_early() -> None:
    cal = Calendar(START, 10, 0.0)
    terms = exit_terms(_sites(rent=[10.0], lease_end=["2035-04-01"],
                              lease_breaks=[("2029-04-01",)]), cal)
    assert terms.leave[0, 1] == pytest.approx(20.0)  # leave at the 2029 break
    assert terms.leave[0, 3] == pytest.approx(0.0)  # closing as the break falls due
    assert terms.leave[0, 4] == pytest.approx(50.0)  # after the break: to the lease end


def test_surrender_when_cheaper_than_the_rent_owed() -> None:
    cal = Calendar(START, 10, 0.0)
    cheap = exit_terms(_sites(rent=[100.0], lease_end=["2031-04-01"],
                              surrender_cost=[250.0]), cal)
    assert cheap.leave[0, 1] == pytest.approx(250.0) and cheap.surrender[0, 1]
    assert cheap.leave[0, 3] == pytest.approx(200.0) and not cheap.surrender[0, 3]


def test_an_ended_lease_owes_nothing_and_no_lease_end_owes_to_the_horizon() -> None:
    cal = Calendar(START, 4, 0.0)
    terms = exit_terms(_sites(rent=[10.0, 10.0], lease_end=["2020-01-01", ""],
                              lease_breaks=[(), ()], surrender_cost=[np.nan, np.nan],
                              disposal_lag_years=[1.0, 1.0], disposal_value=[0.0, 0.0],
                              closure_cost=[0.0, 0.0]), cal)
    assert terms.leave[:, 1] == pytest.approx([0.0, 40.0])


def test_receipts_wait_for_their_lag_and_vanish_past_the_horizon() -> None:
    cal = Calendar(START, 3, 0.1)
    terms = exit_terms(_sites(disposal_value=[1000.0], disposal_lag_years=[2.0]), cal)
    assert terms.receipt[0, 1] == pytest.approx(1000 / 1.21)  # arrives as year 3 begins
    assert terms.receipt[0, 2] == pytest.approx(0.0)  # year 4 is past the horizon
