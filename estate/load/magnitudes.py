"""Pounds that validate but are probably typed in another unit: a careful analyst's
second look at the register's figures.

A register is put together from several agencies' returns, and one of them gives its
figures in thousands: a running cost of 250 beside others of 250,000, a team's annual
cost of 52 for 1.3 FTE. Each is a valid number, and the plan would take that site as
almost free to run (it never closes) or that team as costing nothing to move. Such a
figure is said at its row and column, with the figure it would be in pounds, and the
run goes on (a warning: a small figure may be right, as a community room's).

A figure is taken for one typed in thousands when it is both tiny in itself (under
`FEW_POUNDS` a year for a site, or an FTE) and under a `RATIO`-th of the column's
median, read over at least `PEERS` figures: far enough below both that a real site or
team is not flagged (the demo's running costs span 61 times, its costs per FTE 2.3
times). A team's cost per FTE `RATIO` times the median and over `MANY_POUNDS` is taken
for three zeros too many.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from estate.errors import Problem

#: The site columns in pounds checked against their column's median.
SITE_POUNDS = ("running_cost", "rent", "closure_cost", "disposal_value", "build_cost",
               "surrender_cost")
#: How many times below (or above) the median a figure must lie to be said.
RATIO = 300.0
#: Pounds: a site's yearly figure, or a team's cost per FTE, under this is tiny in itself.
FEW_POUNDS = 1_000.0
#: Pounds: a team's cost per FTE over this is large in itself.
MANY_POUNDS = 1_000_000.0
#: The fewest positive figures a median is read over.
PEERS = 5


def figures_out_of_scale(frames: dict[str, pd.DataFrame], files: dict[str, str],
                         readable: set[str]) -> list[Problem]:
    """A warning at each site figure and team cost that is probably in thousands of
    pounds (or has three zeros too many), with the figure to write."""
    problems: list[Problem] = []
    if "sites" in readable:
        sites = frames["sites"]
        for column in SITE_POUNDS:
            if column in sites:
                problems += _site_column(sites, files["sites"], column)
    if "functions" in readable:
        problems += _costs_per_fte(frames["functions"], files["functions"])
    return problems


def _positive(values: pd.Series) -> np.ndarray:
    """The figures as floats, blanks and anything not a positive number as NaN."""
    out = pd.to_numeric(values, errors="coerce").to_numpy(float)
    return np.where(np.isfinite(out) & (out > 0), out, np.nan)


def _site_column(sites: pd.DataFrame, label: str, column: str) -> list[Problem]:
    """The figures of one pounds column of the sites that look typed in thousands."""
    figures = _positive(sites[column])
    if np.count_nonzero(~np.isnan(figures)) < PEERS:
        return []
    median = float(np.nanmedian(figures))
    tiny = (figures < FEW_POUNDS) & (figures < median / RATIO)
    return [Problem(label, int(sites["row"].iloc[i]), column,
                    f"pounds, as the column's other figures are (half of them "
                    f"£{median:,.0f} or more)",
                    f"{figures[i]:,.10g}, {median / figures[i]:,.0f} times less: if it is "
                    f"in thousands of pounds, write {figures[i] * 1000:.10g}",
                    severity="warning")
            for i in np.flatnonzero(tiny)]


def _costs_per_fte(functions: pd.DataFrame, label: str) -> list[Problem]:
    """The teams' annual costs that look typed in thousands, or with three zeros too
    many, read per FTE (a team of 80 costs 80 times one of 1; per FTE they agree)."""
    if not {"annual_cost", "fte"} <= set(functions.columns):
        return []
    cost, fte = _positive(functions["annual_cost"]), _positive(functions["fte"])
    per = cost / fte
    if np.count_nonzero(~np.isnan(per)) < PEERS:
        return []
    median = float(np.nanmedian(per))
    expected = (f"pounds a year, as the other teams' are (half of them £{median:,.0f} an FTE "
                "or more)")
    out = []
    for i in np.flatnonzero((per < FEW_POUNDS) & (per < median / RATIO)):
        out.append(Problem(label, int(functions["row"].iloc[i]), "annual_cost", expected,
                           f"{cost[i]:,.10g} for {fte[i]:g} FTE, £{per[i]:,.2f} an FTE: if it "
                           f"is in thousands of pounds, write {cost[i] * 1000:.10g}",
                           severity="warning"))
    for i in np.flatnonzero((per > MANY_POUNDS) & (per > median * RATIO)):
        out.append(Problem(label, int(functions["row"].iloc[i]), "annual_cost",
                           expected.replace("or more", "or less"),
                           f"{cost[i]:,.10g} for {fte[i]:g} FTE, £{per[i]:,.0f} an FTE: if "
                           f"it has three zeros too many, write {cost[i] / 1000:.10g}",
                           severity="warning"))
    return out
