"""The map's year slider: the estate at the end of each year of a dated programme.

From the folder's programme.csv (`PlanTables.programme`): the year each site appears
(0 for a site that exists today, its `open` year for a candidate), the year it closes,
the year a shared centre starts pooling, the slider's labels, and the KPI panel's
figures at the end of each year. `None` for a year means "not within the horizon": a closing the programme never reaches leaves
the site in use, a candidate never opened is never drawn. The map's script shows, at
year k, the sites open at the end of year k, the sites closed by then (in the closed
style), and the moves made by then.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from estate.maps.payload import PlanTables
from estate.results import Programme, money
from estate.results.amounts import fte_words
from estate.results.programme import new_teams, staff_moved
from estate.runs.compare import LOSS_TOL
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
    """The slider's label for N = 0..H: "Today (before 1 Apr 2027)" for today's estate,
    then "End of year N (March 2028)", the month of the year's last day."""
    try:
        first = dt.date.fromisoformat(start)
    except ValueError:
        return ["Today", *(f"End of year {n}" for n in range(1, horizon + 1))]
    labels = [f"Today (before {first.day} {first:%b %Y})"]
    for n in range(1, horizon + 1):
        day = year_start(first, n + 1) - dt.timedelta(days=1)
        labels.append(f"End of year {n} ({day:%B %Y})")
    return labels


def year_spans(start: str, horizon: int) -> list[str]:
    """Each year N = 1..H as a financial year is written ("2029-30"; "2029" for a year
    within one calendar year); index 0, today, is blank."""
    try:
        first = dt.date.fromisoformat(start)
    except ValueError:
        return ["" for _ in range(horizon + 1)]
    spans = [""]
    for n in range(1, horizon + 1):
        begins = year_start(first, n)
        ends = year_start(first, n + 1) - dt.timedelta(days=1)
        spans.append(str(begins.year) if begins.year == ends.year
                     else f"{begins.year}-{ends.year % 100:02d}")
    return spans


def year_figures(plan: PlanTables, site_open: list[int | None],
                 site_close: list[int | None], horizon: int) -> list[list[list[str]]]:
    """The KPI panel's figures at the end of each year N = 0..H, as [term, value] text.

    Sites in use count as the map draws them (open by then, not yet closed); staff moved
    add up the programme's moves to that year; the saving is the cash flow's cumulative
    discounted saving (all agencies), so at the horizon it is the programme's NPV saving;
    an agency is out of pocket while its own is below zero (as the board pack counts it).
    """
    assert plan.programme is not None
    actions, cashflow = plan.programme.actions, plan.programme.cashflow
    moves = actions[actions["action"] == "move"]
    moves = moves.assign(fte=staff_moved(moves, new_teams(plan.assignments)))
    whole = cashflow[cashflow["agency_id"].astype(str) == ""].drop_duplicates("year")
    saving = dict(zip(whole["year"].astype(int), whole["cumulative_discounted"], strict=True))
    each = cashflow[cashflow["agency_id"].astype(str) != ""]
    behind = (each[each["cumulative_discounted"].astype(float) < -LOSS_TOL]
              .groupby(each["year"].astype(int))["agency_id"].nunique())
    opened = [y for y, d in zip(site_open, plan.sites["decision"], strict=True) if d == "open"]
    figures = []
    for k in range(horizon + 1):
        in_use = sum(1 for o, c in zip(site_open, site_close, strict=True)
                     if o is not None and o <= k and (c is None or c > k))
        rows = [["Sites in use", f"{in_use:,}"],
                ["Closed so far", f"{sum(1 for c in site_close if c is not None and c <= k):,}"],
                ["Opened so far", f"{sum(1 for o in opened if o is not None and o <= k):,}"],
                ["Staff changed building so far",
                 fte_words(float(moves.loc[moves['year'] <= k, 'fte'].fillna(0).sum()))]]
        # the same rows every year, so the slider rewrites each one (n/a: no cash flow)
        so_far = 0.0 if k == 0 else saving.get(k)
        rows.append(["Saving so far, discounted", "n/a" if so_far is None
                     else money(float(so_far)) if so_far > -0.5
                     else f"none; {money(-float(so_far))} lost"])
        rows.append(["Agencies out of pocket at this point",
                     "n/a" if so_far is None else f"{int(behind.get(k, 0)):,}"])
        figures.append(rows)
    return figures


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
        "spans": year_spans(programme.start, horizon),
        "figures": year_figures(plan, site_open, site_close, horizon),
        "site_open": site_open,
        "site_close": site_close,
        "site_shared": [pools.get(s) for s in plan.sites["site_id"]],
    }
