"""Leases that end within the horizon on sites a dated plan keeps.

The model prices a kept site at its running cost every year of the horizon, rent
included: a lease that ends in year 4 is taken to be renewed then on today's terms (or
held over). That is the usual hope, not a fact the register holds, and a plan that moves
teams into such a site, or makes it a shared centre, leans on it. Each such site is a
warning at its register row, so the analyst can enter the renewal's end date, and the
board pack names them beside the saving they qualify.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from estate.errors import Problem, ProblemKind
from estate.prepare import Prepared
from estate.timing import Calendar

RENEWED = ("the lease of {site} ends within the horizon and the plan keeps the site, so its "
           "running cost is taken to stay at today's level after then, as if the lease were "
           "renewed on the same terms")
"""What each warning says after its date; the board pack reads the site and the date back
by these words (`estate.render.report_reference`)."""


def last_day(calendar: Calendar) -> dt.date:
    """The horizon's last day, the day before year H + 1 would begin: a lease that ends
    then runs the whole horizon."""
    return calendar.date_of(calendar.horizon + 1) - dt.timedelta(days=1)


def leases_renewed(prep: Prepared, open_after: np.ndarray) -> list[Problem]:
    """A warning for each leased site the plan keeps (`open_after`, per site) whose lease
    ends on or after the start and before the horizon's last day. Without a start date leases
    are not read at all (a warning says so already); a lease that ended before the start
    has its own warning (`estate.prepare`), as does a candidate's or a freehold's stray
    lease date."""
    calendar = prep.calendar
    if calendar is None:
        return []
    ends = last_day(calendar)
    sites = prep.sites
    lease_end = sites["lease_end"].astype(str).to_numpy()
    within = ((lease_end != "") & (lease_end >= calendar.start.isoformat())
              & (lease_end < ends.isoformat()) & (sites["tenure"] == "leasehold").to_numpy()
              & prep.existing & np.asarray(open_after, dtype=bool))
    return [
        Problem(prep.sites_file, int(sites.at[s, "row"]), "lease_end",
                f"a lease that runs to the horizon's last day ({ends}) on a site the plan "
                "keeps, or its renewal's end date",
                f"{lease_end[s]}: " + RENEWED.format(site=sites.at[s, "site_id"])
                + "; if it may not be, plan a scenario without the site and compare "
                "(policy.close, or for a must_keep site its flag cleared in a copy of the "
                "register)",
                severity="warning", kind=ProblemKind.LEASE_RENEWED)
        for s in np.flatnonzero(within)]
