"""The cash a schedule moves, year by year and agency by agency, and whether it can happen.

Both are computed from the schedule alone (the year of each change), never from a
solver's objective: they are the oracle the roadmap and the joint model are checked
against. With the calendar of `estate.timing`, year t (1..H) of a schedule costs

    running_t   sum_s running_s open[s,t] + sum_p (annual_f + pair_cost_p) share[p,t]
                - sum_p eff_f annual_f pooled[p,t]                      (end of year)
    rent_t      rent still owed on sites closed earlier                 (end of year)
    one_off_t   closure, surrender, build, relocation, set-up of the
                changes of year t                                       (start of year)
    receipts_t  disposal values arriving in year t (closed lag years
                before)                                                 (start of year)

and the NPV of cost is sum_t d_end[t] (running_t + rent_t) + d_start[t] (one_off_t -
receipts_t). The status quo costs its annual cost every year. Who pays follows the
snapshot's rules: a site's running cost is shared by the desks its users take, closure,
rent, disposal and build belong to the site's owner, relocation to the team's agency,
a centre's set-up to the agencies pooling there by pooled desks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from estate.model.arrays import EstateModel
from estate.prepare import Prepared
from estate.programme.changes import Changes, Trajectory
from estate.results import annual_by_agency, status_quo_state
from estate.timing import Calendar

COMPONENTS = ("running", "rent", "one_off", "receipts")


def _owner(prep: Prepared) -> np.ndarray:
    return prep.sites["agency_id"].to_numpy(object)


def _events(prep: Prepared, model: EstateModel, changes: Changes, years: np.ndarray,
            horizon: int) -> list[tuple[int, str, str, float]]:
    """(year, agency, component, pounds) of every change's one-off, every rent still owed
    after a closing and every sale's receipt."""
    assert prep.exits is not None
    e, owner, sites, table = prep.exits, _owner(prep), prep.sites, changes.table
    agency = prep.functions["agency_id"].to_numpy(object)
    events: list[tuple[int, str, str, float]] = []
    for i in np.flatnonzero(years):
        y, s, kind = int(years[i]), int(table.at[i, "site"]), table.at[i, "kind"]
        if kind == "move":
            events.append((y, agency[table.at[i, "team"]], "one_off", float(table.at[i, "cost"])))
        elif kind == "centre":
            events += [(y, g, "one_off", v) for g, v in _setup_shares(
                prep, model, changes, int(table.at[i, "centre"]), float(table.at[i, "cost"]))]
        else:
            events.append((y, owner[s], "one_off", float(table.at[i, "cost"])))
        if kind != "close":
            continue
        events.append((y, owner[s], "one_off", float(e.surrender_paid[s, y])))
        events += [(t, owner[s], "rent", float(e.rent_by_year[s, y, t]))
                   for t in range(y, horizon + 1) if e.rent_by_year[s, y, t] > 0]
        arrives = y + int(sites.at[s, "disposal_lag_years"])
        if arrives <= horizon:
            events.append((arrives, owner[s], "receipts", float(sites.at[s, "disposal_value"])))
    return events


def _setup_shares(prep: Prepared, model: EstateModel, changes: Changes, centre: int,
                  setup: float) -> list[tuple[str, float]]:
    """A centre's set-up cost shared by the agencies pooling there, by pooled desks."""
    these = model.pool[model.pool["centre"] == centre]
    desks = (prep.functions["desks"].to_numpy(float)[these["f"].to_numpy()]
             * changes.pooled[these["pair"].to_numpy()])
    if desks.sum() <= 0:
        return [(_owner(prep)[model.centres.at[centre, "s"]], setup)]
    by = pd.Series(desks, index=these["g"].to_numpy()).groupby(level=0).sum()
    return [(str(g), setup * d / desks.sum()) for g, d in by.items()]


def cashflow(prep: Prepared, model: EstateModel, changes: Changes, years: np.ndarray,
             path: Trajectory) -> pd.DataFrame:
    """Per year 1..H and agency: running, rent, one_off, receipts (pounds, undiscounted),
    with the status quo beside them; rows for the whole estate have agency_id ""."""
    assert prep.calendar is not None
    cal: Calendar = prep.calendar
    horizon = cal.horizon
    agencies = list(prep.agencies["agency_id"])
    before, _ = annual_by_agency(prep, status_quo_state(prep, model))
    frame = pd.DataFrame(0.0, index=pd.MultiIndex.from_product(
        [range(1, horizon + 1), agencies], names=["year", "agency_id"]),
        columns=list(COMPONENTS))
    for t in range(1, horizon + 1):
        running, _ = annual_by_agency(prep, path.state(t))
        for g, v in running.items():
            frame.loc[(t, g), "running"] += float(v)
    for t, g, part, pounds in _events(prep, model, changes, years, horizon):
        frame.loc[(t, g), part] += pounds
    frame["status_quo"] = [float(before.get(g, 0.0)) for _, g in frame.index]
    return _with_totals(frame.reset_index(), cal)


def _with_totals(frame: pd.DataFrame, cal: Calendar) -> pd.DataFrame:
    """Add the estate's row per year, then cost, saving and their running totals."""
    totals = frame.groupby("year", as_index=False)[[*COMPONENTS, "status_quo"]].sum()
    totals["agency_id"] = ""
    frame = pd.concat([totals, frame], ignore_index=True)
    frame["cost"] = frame["running"] + frame["rent"] + frame["one_off"] - frame["receipts"]
    frame["saving"] = frame["status_quo"] - frame["cost"]
    d_end, d_start = cal.d_end, cal.d_start
    year = frame["year"].to_numpy()
    frame["discounted"] = (d_end[year] * (frame["status_quo"] - frame["running"] - frame["rent"])
                           - d_start[year] * (frame["one_off"] - frame["receipts"]))
    # each agency's rows (and the estate's) are in year order already: the totals by
    # year, then the agencies year by year in the register's order
    group = frame.groupby("agency_id", sort=False)
    frame["cumulative"] = group["saving"].cumsum()
    frame["cumulative_discounted"] = group["discounted"].cumsum()
    frame["date"] = [cal.date_of(int(t)).isoformat() for t in frame["year"]]
    # a year's rows: the estate's, then its agencies in the register's order, as
    # agencies.csv lists them
    frame = frame.sort_values("year", kind="stable").reset_index(drop=True)
    return frame[["year", "date", "agency_id", *COMPONENTS, "cost", "status_quo", "saving",
                  "cumulative", "discounted", "cumulative_discounted"]]


MONEY = (*COMPONENTS, "cost", "status_quo", "saving", "cumulative", "discounted",
         "cumulative_discounted")
"""The columns of `cashflow` in pounds."""


FTE_PLACES = 3
"""Decimals of a file's FTE (`in_pennies`' `staff`), as assignments.csv's fte_moved."""


def in_pennies(table: pd.DataFrame, money: tuple[str, ...] = MONEY,
               staff: tuple[str, ...] = ()) -> pd.DataFrame:
    """A table as its file holds it: every sum of money (the columns `money`, by default
    cashflow.csv's; programme.csv's are `ACTION_MONEY`) rounded to the penny, and every
    count of staff (the columns `staff`: programme.csv's fte) to `FTE_PLACES`, as the
    other tables of a results folder are, each from its unrounded value (so a running
    total is within half a penny of the true one, not of the rounded terms' sum), and
    without the float noise a product leaves (33.3 FTE at £1,500 is 49,949.99999999999).
    The NPV is taken before rounding; the payback year after, so that it is the year the
    file shows first above nought."""
    out = table.copy()
    out[list(money)] = out[list(money)].round(2) + 0.0  # + 0.0: no "-0.0" in the file
    if staff:
        out[list(staff)] = out[list(staff)].round(FTE_PLACES) + 0.0
    return out


def npv_of_cost(flows: pd.DataFrame, cal: Calendar) -> float:
    """Today's value of the estate's cost over the horizon (the rows of agency "")."""
    total = flows[flows["agency_id"] == ""]
    year = total["year"].to_numpy()
    return float((cal.d_end[year] * (total["running"] + total["rent"])
                  + cal.d_start[year] * (total["one_off"] - total["receipts"])).sum())
