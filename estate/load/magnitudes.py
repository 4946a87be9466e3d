"""Pounds that validate but are probably typed in another unit: a careful analyst's
second look at the register's figures.

A register is put together from several agencies' returns, and one of them gives its
figures in thousands: a running cost of 250 beside others of 250,000, a team's annual
cost of 52 for 1.3 FTE. Each is a valid number, and the plan would take that site as
almost free to run (it never closes) or that team as costing nothing to move. Such
figures are said, with the figures they would be in pounds, and the run goes on (a
warning: a small figure may be right, as a community room's).

Two slips are looked for, in each pounds column of the sites and in the teams' annual
cost per FTE (a team of 80 costs 80 times one of 1; per FTE they agree):

- an agency's whole return in thousands: its median tiny in itself (under
  `FEW_POUNDS`) and a `AGENCY_RATIO`-th of the other agencies' (over at least
  `AGENCY_PEERS` of its figures and `PEERS` of theirs): one warning for the agency and
  column, its dearest sites included, which no figure-by-figure test could tell from a
  small site's (an agency of small sites in pounds, retained fire stations at £13k
  beside county offices at £2m, is not flagged);
- one figure in thousands: tiny in itself (under `FEW_POUNDS` a year for a site, or an
  FTE) and under a `RATIO`-th of its column's median (over at least `PEERS` figures):
  far enough below both that a real site or team is not flagged (the demo's running
  costs span 61 times, its costs per FTE 2.3 times). A figure of £1 or less is meant (a
  peppercorn rent, an asset transferred for £1), never flagged.

- one large site's figure in thousands, read per desk: under `FEW_POUNDS_A_DESK` a
  desk and a `DESK_RATIO`-th of its column's median per desk (a county hall's running
  cost of 2,500 for 400 desks, meant as £2.5m). Figures per desk lie close together (the
  demo's running costs per desk span 4.8 times, its other columns at most 5.9), so a
  figure typed in thousands stands a thousand times apart where the figure itself is not
  tiny.

A team's cost of more than `MANY_POUNDS` a year and `RATIO` times the median per FTE is
taken for three zeros too many.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from estate.errors import Problem, row_place

#: The site columns in pounds checked against their column's median.
SITE_POUNDS = ("running_cost", "rent", "closure_cost", "disposal_value", "build_cost",
               "surrender_cost")
#: How many times below (or above) the median one figure must lie to be said.
RATIO = 300.0
#: How many times below the other agencies' median an agency's median must lie.
AGENCY_RATIO = 100.0
#: Pounds: a site's yearly figure, or a team's cost per FTE, under this is tiny in itself.
FEW_POUNDS = 1_000.0
#: Pounds: a team costing more than this a year is large in itself.
MANY_POUNDS = 50_000_000.0
#: Pounds: a site's figure under this for each of its desks is tiny for its size.
FEW_POUNDS_A_DESK = 100.0
#: How many times below its column's median per desk a site's figure must lie.
DESK_RATIO = 100.0
#: The fewest figures a median is read over.
PEERS = 5
#: The fewest of an agency's figures its return is judged on.
AGENCY_PEERS = 3


def figures_out_of_scale(frames: dict[str, pd.DataFrame], files: dict[str, str],
                         readable: set[str],
                         unread: frozenset[tuple[str, int, str]] = frozenset()
                         ) -> list[Problem]:
    """A warning for each agency's return and each figure that is probably in thousands
    of pounds (or has three zeros too many), with what to write. A cell refused already
    (`unread`: file, row, column; desks of 2,000,000, beyond any building) is read as
    no figure: a warning worked out from it would give advice about its neighbours."""
    problems: list[Problem] = []
    if "sites" in readable:
        sites, label = frames["sites"], files["sites"]
        desks = _meant(_read(sites, label, "desks", unread), 0.0) if "desks" in sites else None
        for column in SITE_POUNDS:
            if column in sites:
                said = _meant(_read(sites, label, column, unread))
                found, warned = _in_thousands(sites, label, column, said)
                problems += found + _large_site_in_thousands(sites, label, column, said,
                                                             warned, desks)
    if "functions" in readable and {"annual_cost", "fte"} <= set(frames["functions"].columns):
        functions, label = frames["functions"], files["functions"]
        cost = _meant(_read(functions, label, "annual_cost", unread))
        fte = _meant(_read(functions, label, "fte", unread), 0.0)
        problems += _in_thousands(functions, label, "annual_cost", cost, fte)[0]
        problems += _zeros_too_many(functions, label, cost, fte)
    return problems


def _read(table: pd.DataFrame, label: str, column: str,
          unread: frozenset[tuple[str, int, str]]) -> pd.Series:
    """A column's cells, those refused already (`unread`) blank."""
    refused = table["row"].map(lambda row: (label, int(row), column) in unread).astype(bool) \
        if unread and "row" in table else pd.Series(False, index=table.index)
    return table[column].where(~refused)


def _meant(values: pd.Series, nominal: float = 1.0) -> np.ndarray:
    """The figures as floats; blanks, anything not a number and figures of `nominal` or
    less (£1: meant as it is) as NaN, so no median reads them and none is flagged."""
    out = pd.to_numeric(values, errors="coerce").to_numpy(float)
    return np.where(np.isfinite(out) & (out > nominal), out, np.nan)


def _in_thousands(table: pd.DataFrame, label: str, column: str, said: np.ndarray,
                  fte: np.ndarray | None = None) -> tuple[list[Problem], np.ndarray]:
    """The agencies whose figures in `column` (`said`; read per FTE when `fte` is given)
    are as a whole in thousands, then each other figure that is: warnings at `column`,
    and which rows they cover (an agency's warning covers all its rows)."""
    per, unit = (said, "") if fte is None else (said / fte, " an FTE")
    known = ~np.isnan(per)
    if np.count_nonzero(known) < PEERS:
        return [], np.zeros(len(table), bool)
    agency = table["agency_id"].astype(str).to_numpy() if "agency_id" in table \
        else np.full(len(table), "")
    rows = table["row"].to_numpy(int)
    out, whole = [], np.zeros(len(table), bool)
    for name in dict.fromkeys(agency[known]):
        mine, theirs = known & (agency == name), known & (agency != name)
        if not name or np.count_nonzero(mine) < AGENCY_PEERS \
                or np.count_nonzero(theirs) < PEERS:
            continue
        low, usual = float(np.median(per[mine])), float(np.median(per[theirs]))
        if low >= FEW_POUNDS or low * AGENCY_RATIO >= usual:
            continue
        whole |= mine
        at = rows[mine]
        place = row_place(label, *at[:5]) + (f" and {len(at) - 5} more" if len(at) > 5 else "")
        out.append(Problem(
            label, int(at[0]), column,
            f"pounds, as the other agencies' are (half of theirs £{usual:,.0f}{unit} or more)",
            f"{name}'s {len(at)} figures ({place}) have a median of {_pounds(low)}{unit}, "
            f"{usual / low:,.0f} times less: if {name} gave them in thousands of pounds, "
            "multiply each by 1000", severity="warning"))
    rest = known & ~whole
    if np.count_nonzero(rest) < PEERS:
        return out, whole
    median = float(np.median(per[rest]))
    tiny = rest & (per < FEW_POUNDS) & (per < median / RATIO)
    for i in np.flatnonzero(tiny):
        found = (f"{said[i]:,.10g}, {median / per[i]:,.0f} times less" if fte is None else
                 f"{said[i]:,.10g} for {fte[i]:g} FTE, £{per[i]:,.2f} an FTE")
        out.append(Problem(
            label, int(rows[i]), column,
            f"pounds, as the column's other figures are (half of them £{median:,.0f}{unit} "
            "or more)",
            f"{found}: if it is in thousands of pounds, write {said[i] * 1000:.10g}"
            + ("; if it is a nominal sum, as some rents are, leave it" if fte is None else ""),
            severity="warning"))
    return out, whole | tiny


def _large_site_in_thousands(sites: pd.DataFrame, label: str, column: str,
                             said: np.ndarray, warned: np.ndarray,
                             desks: np.ndarray | None) -> list[Problem]:
    """Each site with desks whose figure in `column` is tiny for its size (under
    `FEW_POUNDS_A_DESK` a desk and a `DESK_RATIO`-th of the column's median per desk),
    at rows no other warning names: the large site the test of a figure tiny in itself
    lets through. A site with no desks (a data centre, a depot) is not read."""
    if desks is None:
        return []
    per = np.where(desks > 0, said / np.where(desks > 0, desks, 1.0), np.nan)
    known = ~np.isnan(per)
    if np.count_nonzero(known) < PEERS:
        return []
    median = float(np.median(per[known]))
    rows = sites["row"].to_numpy(int)
    return [Problem(
        label, int(rows[i]), column,
        f"pounds, as the column's other figures are (half of them £{median:,.0f} a desk "
        "or more)",
        f"{said[i]:,.10g} for {desks[i]:,.10g} desks, {_pounds(per[i])} a desk: if it is "
        f"in thousands of pounds, write {said[i] * 1000:.10g}; if it is a nominal sum, as "
        "some rents are, leave it", severity="warning")
        for i in np.flatnonzero(known & ~warned & (per < FEW_POUNDS_A_DESK)
                                & (per < median / DESK_RATIO))]


def _pounds(amount: float) -> str:
    """£45.20 under £100, else £1,330 (whole pounds)."""
    return f"£{amount:,.2f}" if amount < 100 else f"£{amount:,.0f}"


def _zeros_too_many(functions: pd.DataFrame, label: str, cost: np.ndarray,
                    fte: np.ndarray) -> list[Problem]:
    """Teams costing over `MANY_POUNDS` and `RATIO` times the median per FTE."""
    per = cost / fte
    if np.count_nonzero(~np.isnan(per)) < PEERS:
        return []
    median = float(np.nanmedian(per))
    return [Problem(label, int(functions["row"].iloc[i]), "annual_cost",
                    f"pounds a year, as the other teams' are (half of them £{median:,.0f} an "
                    "FTE or less)",
                    f"{cost[i]:,.10g} for {fte[i]:g} FTE, £{per[i]:,.0f} an FTE: if it has "
                    f"three zeros too many, write {cost[i] / 1000:.10g}", severity="warning")
            for i in np.flatnonzero((cost > MANY_POUNDS) & (per > median * RATIO))]
