"""The map's year slider: the estate at the end of each year of a dated programme.

From the folder's programme.csv (`PlanTables.programme`): the year each site appears
(0 for a site that exists today, its `open` year for a candidate), the year it closes,
the year a shared centre starts pooling, and the slider's labels. `None` for a year
means "not within the horizon": a closing the programme never reaches leaves the site
in use, a candidate never opened is never drawn. The map's script shows, at year k,
the sites open at the end of year k and the moves made by then.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from estate.maps.payload import PlanTables
from estate.results import Programme
from estate.timing import year_start


def _first_year(actions: pd.DataFrame, kinds: tuple[str, ...]) -> dict[str, int]:
    """Per site: the first year of any of these actions there."""
    rows = actions[actions["action"].isin(kinds) & (actions["site_id"] != "")]
    return {str(k): int(v) for k, v in rows.groupby("site_id")["year"].min().items()}


def move_years(programme: Programme) -> dict[tuple[str, str], int | None]:
    """(function_id, destination site_id) -> the year the team moves there."""
    moves = programme.actions[programme.actions["action"] == "move"]
    first = moves.groupby(["function_id", "site_id"])["year"].min()
    return {(str(f), str(s)): int(y) for (f, s), y in first.items()}


def horizon_of(plan: PlanTables) -> int:
    """The programme's last year: the summary's horizon, or a later year of its tables."""
    assert plan.programme is not None
    years = [*plan.programme.actions["year"], *plan.programme.cashflow["year"]]
    return max([int(plan.summary.horizon_years), *(int(t) for t in years)])


def year_labels(start: str, horizon: int) -> list[str]:
    """"End of year N (date)" for N = 0..H: the last day of year N (year 0: the day
    before the programme starts, i.e. today's estate)."""
    try:
        first = dt.date.fromisoformat(start)
    except ValueError:
        return [f"End of year {n}" for n in range(horizon + 1)]
    labels = []
    for n in range(horizon + 1):
        day = year_start(first, n + 1) - dt.timedelta(days=1)
        labels.append(f"End of year {n} ({day.day} {day:%b %Y})")
    return labels


def timeline_payload(plan: PlanTables) -> dict[str, Any] | None:
    """The slider's data, aligned with the site payload; None without a programme."""
    programme = plan.programme
    if programme is None:
        return None
    actions = programme.actions
    opens = _first_year(actions, ("open",))
    built = _first_year(actions, ("build",))
    closes = _first_year(actions, ("close",))
    pools = _first_year(actions, ("pool",))
    site_open: list[int | None] = []
    site_close: list[int | None] = []
    for site_id, decision in zip(plan.sites["site_id"], plan.sites["decision"], strict=True):
        if decision in ("keep", "close"):
            site_open.append(0)
        else:
            site_open.append(opens.get(site_id, built.get(site_id)))
        site_close.append(closes.get(site_id) if decision == "close" else None)
    horizon = horizon_of(plan)
    return {
        "horizon": horizon,
        "labels": year_labels(programme.start, horizon),
        "site_open": site_open,
        "site_close": site_close,
        "site_shared": [pools.get(s) for s in plan.sites["site_id"]],
    }
