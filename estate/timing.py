"""The programme's calendar and the arithmetic of leases, receipts and builds.

Year t (1..H) is the twelve months from `start` plus t - 1 years. Money flows at two
moments of a year, each with its discount factor:

    running costs, rent, savings      end of year t     d_end[t]   = (1 + r)^-t
    one-offs (closure, build, moves,  start of year t   d_start[t] = (1 + r)^-(t-1)
    set-up, surrender) and receipts

For an existing site s closed in year tau, with rent rho_s (the part of its running
cost a lease makes owed whether the site is used or not):

    exit(tau)     the first of lease_end and lease_breaks on or after the start of year
                  tau; a lease_end before `start` means the lease is over (nothing owed);
                  none of them: the rent runs to the horizon
    R[s, tau]   = sum_{t >= tau} rho_s * frac_t * d_end[t]   (frac_t: share of year t
                  before exit)
    S[s, tau]   = surrender_s * d_start[tau]                  (when a surrender is offered)
    L[s, tau]   = min(R, S): what leaving costs after closing, in today's pounds
    receipt     = disposal_s * d_start[tau + lag_s]  when tau + lag_s <= H, else 0
    closure     = closure_s * d_start[tau]

Everything here is plain arithmetic over the register's columns; the snapshot model, the
roadmap, the joint model and the cash-flow tables all read these arrays, so the four
agree to the penny.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd


def year_start(start: dt.date, t: int) -> dt.date:
    """The first day of year t (t = 1 is `start`); 29 February falls back to the 28th."""
    year = start.year + t - 1
    try:
        return start.replace(year=year)
    except ValueError:
        return start.replace(year=year, day=28)


@dataclass(frozen=True)
class Calendar:
    """The horizon's years from `start`, and the discount factors of each year."""

    start: dt.date
    horizon: int
    rate: float

    @property
    def years(self) -> np.ndarray:
        return np.arange(1, self.horizon + 1)

    @property
    def d_end(self) -> np.ndarray:
        """Index t (0..H+1): today's value of £1 paid at the end of year t."""
        return (1.0 + self.rate) ** -np.arange(0, self.horizon + 2, dtype=float)

    @property
    def d_start(self) -> np.ndarray:
        """Index t (0..H+1; index 0 unused): today's value of £1 paid as year t begins."""
        return (1.0 + self.rate) ** -(np.arange(0, self.horizon + 2, dtype=float) - 1.0)

    def date_of(self, t: int) -> dt.date:
        return year_start(self.start, t)

    def first_year_from(self, day: dt.date) -> int:
        """The first year that begins on or after `day` (H + 1 when none does): a change
        that may not happen before `day` happens from then, as a year's effects are
        booked whole."""
        for t in range(1, self.horizon + 1):
            if year_start(self.start, t) >= day:
                return t
        return self.horizon + 1

    def share_before(self, day: dt.date | None) -> np.ndarray:
        """Per year t (index 0..H+1): the share of year t that lies before `day` (None: all)."""
        out = np.zeros(self.horizon + 2)
        for t in range(1, self.horizon + 1):
            if day is None:
                out[t] = 1.0
                continue
            begin, end = year_start(self.start, t), year_start(self.start, t + 1)
            out[t] = min(max((day - begin).days / (end - begin).days, 0.0), 1.0)
        return out


def _exit(begin: dt.date, lease_end: str, breaks: tuple[str, ...]) -> dt.date | None:
    """The first day the tenant may be gone, leaving in a year that begins on `begin`."""
    dates = [dt.date.fromisoformat(d) for d in (*breaks, lease_end) if d]
    if lease_end and dt.date.fromisoformat(lease_end) < begin:
        return begin  # the lease has ended: nothing more is owed
    later = [d for d in dates if d >= begin]
    return min(later) if later else None


@dataclass(frozen=True)
class ExitTerms:
    """Per existing site (rows) and closing year tau (columns 0..H+1; 0 and H+1 unused):
    what closing costs, in today's pounds, by the calendar of the module docstring."""

    leave: np.ndarray  # L[s, tau]: rent owed after closing, or the surrender when cheaper
    surrender: np.ndarray  # bool: leaving by surrender is the cheaper way
    surrender_paid: np.ndarray  # surrender_s where chosen (undiscounted, for one-off caps)
    receipt: np.ndarray  # disposal_s * d_start[tau + lag] (0 past the horizon)
    closure: np.ndarray  # closure_s * d_start[tau]
    rent_by_year: np.ndarray  # [s, tau, t]: rent still owed in year t after closing in tau


def exit_terms(sites: pd.DataFrame, calendar: Calendar) -> ExitTerms:
    """The cost of closing each site in each year, from its lease and its sale."""
    h, n = calendar.horizon, len(sites)
    d_end, d_start = calendar.d_end, calendar.d_start
    rent_by_year = np.zeros((n, h + 2, h + 2))
    for i, site in enumerate(sites.itertuples(index=False)):
        rent = float(site.rent)
        if rent <= 0:
            continue
        for tau in range(1, h + 1):
            exit_day = _exit(calendar.date_of(tau), site.lease_end, tuple(site.lease_breaks))
            share = calendar.share_before(exit_day)
            rent_by_year[i, tau, tau:h + 1] = rent * share[tau:h + 1]
    owed = (rent_by_year * d_end[None, None, :]).sum(axis=2)
    surrender_cost = sites["surrender_cost"].to_numpy(float)
    offered = np.isfinite(surrender_cost)
    by_surrender = np.where(offered[:, None], np.nan_to_num(surrender_cost)[:, None]
                            * d_start[None, :], np.inf)
    surrender = by_surrender < owed
    surrender[:, [0, h + 1]] = False
    leave = np.where(surrender, by_surrender, owed)
    lag = sites["disposal_lag_years"].to_numpy(float).astype(int)
    arrives = np.arange(h + 2)[None, :] + lag[:, None]
    disposal = sites["disposal_value"].to_numpy(float)[:, None]
    receipt = np.where(arrives <= h, disposal * d_start[np.minimum(arrives, h + 1)], 0.0)
    closure = sites["closure_cost"].to_numpy(float)[:, None] * d_start[None, :]
    rent_by_year = np.where(surrender[:, :, None], 0.0, rent_by_year)
    return ExitTerms(leave=leave, surrender=surrender,
                     surrender_paid=np.where(surrender, np.nan_to_num(surrender_cost)[:, None],
                                             0.0),
                     receipt=receipt, closure=closure, rent_by_year=rent_by_year)


def earliest_years(functions: pd.DataFrame, calendar: Calendar) -> np.ndarray:
    """Per team: the first year it may move, or 1. A move books the whole year's effect
    (the rent and running cost it saves, its pooling), so the year must begin on or
    after the team's `earliest_move`: a team free from 1 October moves the next April,
    not the April before. H + 1: not within the horizon."""
    out = np.ones(len(functions), dtype=int)
    for f, day in enumerate(functions["earliest_move"].to_numpy(object)):
        if day:
            out[f] = calendar.first_year_from(dt.date.fromisoformat(str(day)))
    return out


def earliest_closing(home: np.ndarray, earliest: np.ndarray, n_sites: int) -> np.ndarray:
    """Per site: the first year it can close in any programme, 1..H+1. A site closes
    only once every team housed there today has left, and none leaves before its
    earliest year, so the latest of those years."""
    out = np.ones(n_sites, dtype=int)
    housed = home >= 0
    np.maximum.at(out, home[housed], earliest[housed])
    return out
