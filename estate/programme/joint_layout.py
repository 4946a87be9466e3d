"""The joint model's columns: an index array [item, year 0..H] of column numbers per
variable, and the triplets its rows are collected in.

Year 0 is today and every quantity that cannot change is a constant: column 0 is fixed
at 0 (ZERO) and column 1 at 1 (ONE), so a site kept open throughout is ONE in every
year, a candidate before it can open is ZERO, and a family of `joint_rows` reads the
same for every item and year. A candidate's open[s,t] is its built[s, t - build_years +
1] column, aliased.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from estate.model.arrays import EstateModel, cat
from estate.prepare import Prepared
from estate.programme.today import COLUMNS, Grace

ZERO, ONE = 0, 1


@dataclass
class Triplets:
    """Rows collected family by family: lower <= sum coef x[col] <= upper."""

    rows: list[np.ndarray] = field(default_factory=list)
    cols: list[np.ndarray] = field(default_factory=list)
    coefs: list[np.ndarray] = field(default_factory=list)
    lo: list[np.ndarray] = field(default_factory=list)
    hi: list[np.ndarray] = field(default_factory=list)
    m: int = 0

    def family(self, row: np.ndarray, col: np.ndarray, coef: np.ndarray | float,
               lo: np.ndarray | float, hi: np.ndarray | float, m: int) -> None:
        """Add m rows; entry i puts coef[i] at (row[i], col[i]) of the family."""
        if m == 0:
            return
        row, col = np.asarray(row, np.int64).ravel(), np.asarray(col, np.int64).ravel()
        self.rows.append(row + self.m)
        self.cols.append(col)
        self.coefs.append(np.broadcast_to(np.asarray(coef, float), row.shape).ravel())
        self.lo.append(np.broadcast_to(np.asarray(lo, float), (m,)).copy())
        self.hi.append(np.broadcast_to(np.asarray(hi, float), (m,)).copy())
        self.m += m

    def matrix(self, n: int) -> sp.csr_matrix:
        out = sp.csr_matrix((cat(self.coefs, float), (cat(self.rows, np.int64),
                                                      cat(self.cols, np.int64))),
                            shape=(self.m, n))
        out.sum_duplicates()
        return out

    def lower(self) -> np.ndarray:
        return cat(self.lo, float)

    def upper(self) -> np.ndarray:
        return cat(self.hi, float)


@dataclass(frozen=True)
class Layout:
    """Column numbers [item, year 0..H] of each variable, and every column's bounds."""

    horizon: int
    lb: np.ndarray
    ub: np.ndarray
    integer: np.ndarray
    open: np.ndarray  # [sites]
    built: np.ndarray  # [sites]: candidates' built[s,t]; ZERO for existing sites
    assign: np.ndarray  # [pairs]
    move_year: np.ndarray  # [teams]: split only, `split_movers` (ZERO otherwise)
    pooled: np.ndarray  # [model.pool rows]
    shared: np.ndarray  # [model.centres rows]
    counts: np.ndarray  # [agency counts]
    count_centre: np.ndarray  # per agency count: its centre
    reach: dict[int, tuple[np.ndarray, np.ndarray]]  # rule -> (zones, last-year columns)

    @property
    def n(self) -> int:
        return len(self.lb)


class _Columns:
    """Allocates blocks of columns after ZERO and ONE; bounds fixed later by `fix`."""

    def __init__(self, horizon: int) -> None:
        self.h = horizon
        self.lb: list[np.ndarray] = [np.array([0.0, 1.0])]
        self.ub: list[np.ndarray] = [np.array([0.0, 1.0])]
        self.integer: list[np.ndarray] = [np.zeros(2, bool)]
        self.fixes: list[tuple[np.ndarray, str, float]] = []
        self.n = 2

    def single(self, k: int, integer: bool) -> np.ndarray:
        """k columns in [0, 1] (one year's worth)."""
        self.lb.append(np.zeros(k))
        self.ub.append(np.ones(k))
        self.integer.append(np.full(k, integer))
        self.n += k
        return np.arange(self.n - k, self.n)

    def block(self, ub: np.ndarray, integer: bool) -> np.ndarray:
        """Columns for len(ub) items x H years (ub per item, or [item, year 1..H]);
        returns their numbers as [item, year 0..H] with year 0 = ZERO."""
        k = len(ub)
        ub = np.broadcast_to(np.asarray(ub, float).reshape(k, -1) if k else
                             np.zeros((0, 1)), (k, self.h))
        idx = self.single(ub.size, integer).reshape(k, self.h)
        self.ub[-1] = ub.ravel().copy()
        return np.hstack([np.full((k, 1), ZERO), idx])

    def fix(self, cols: np.ndarray, bound: str, value: float) -> None:
        """Set the lower ("lb") or upper ("ub") bound of some columns."""
        self.fixes.append((np.asarray(cols, np.int64), bound, value))

    def bounds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        lb, ub = np.concatenate(self.lb), np.concatenate(self.ub)
        for cols, bound, value in self.fixes:
            (lb if bound == "lb" else ub)[cols] = value
        return lb, ub, np.concatenate(self.integer)


def layout_of(prep: Prepared, model: EstateModel, grace: Grace) -> Layout:
    """The columns: open and built per site, assign per pair (and, with split, move_year
    per team with a site today), pooled, shared and counts as in the snapshot, reach for
    the last year; bounds from the snapshot's
    (policy, pair fit, poolable), earliest_move and the policy's end-of-horizon asks."""
    assert prep.calendar is not None
    h, c = prep.scenario.horizon_years, _Columns(prep.scenario.horizon_years)
    open_, built = _site_columns(prep, c)
    pairs_home = prep.pairs["home"].to_numpy(bool)
    ub = np.repeat(model.col_ub[model.blocks["assign"]][:, None], h, axis=1)
    earliest = prep.earliest_years[prep.pairs["f"].to_numpy()]
    ub[~pairs_home[:, None] & (np.arange(1, h + 1)[None, :] < earliest[:, None])] = 0.0
    # a team too big for its home (the snapshot fixes that pair at 0) may stay there
    # until the first year it could have left (`estate.programme.today`)
    ps = prep.pairs["s"].to_numpy()
    wait = np.max([grace.first[column][ps] for column in COLUMNS], axis=0)
    ub[pairs_home[:, None] & (np.arange(1, h + 1)[None, :] < wait[:, None])] = 1.0
    assign = c.block(ub, integer=not prep.scenario.split)
    assign[pairs_home, 0] = ONE
    move_year = np.full((len(prep.functions), h + 1), ZERO)
    if prep.scenario.split:
        movers = split_movers(prep)
        move_year[movers] = c.block(np.ones(len(movers)), integer=True)
    pooled = c.block(model.col_ub[model.blocks["pooled"]], integer=False)
    shared = c.block(model.col_ub[model.blocks["shared"]], integer=True)
    n_counts = model.blocks["counts"].stop - model.blocks["counts"].start
    counts = c.block(np.ones(n_counts), integer=True)
    count_centre = np.zeros(n_counts, np.int64)
    if len(model.pool):
        count_centre[model.pool["count"].to_numpy()] = model.pool["centre"].to_numpy()
    reach = {}
    for cov in prep.coverage:
        if cov.rule.mode == "population_share":
            zones = np.unique(cov.zone)
            reach[cov.rule.index] = (zones, c.single(len(zones), integer=False))
    return Layout(h, *c.bounds(), open_, built, assign, move_year, pooled, shared, counts,
                  count_centre, reach)


def split_movers(prep: Prepared) -> np.ndarray:
    """The teams with a site today and a pair away from it: with split, each has a
    move_year column per year."""
    pf = prep.pairs["f"].to_numpy()
    return np.unique(pf[~prep.pairs["home"].to_numpy(bool) & (prep.home[pf] >= 0)])


def _site_columns(prep: Prepared, c: _Columns) -> tuple[np.ndarray, np.ndarray]:
    """open[s,t] (ONE in year 0) for closable existing sites, ONE throughout for kept
    ones; built[s,t] for candidates, open[s,t] = built[s, t - by + 1], aliased; a
    closed-by-policy site is closed by year H and a kept candidate built by then."""
    h, n = c.h, len(prep.sites)
    by = prep.sites["build_years"].to_numpy(float).astype(int)
    open_ = np.full((n, h + 1), ONE)
    built = np.full((n, h + 1), ZERO)
    closable = np.flatnonzero(prep.existing & ~prep.forced_open)
    open_[closable] = c.block(np.ones(len(closable)), integer=True)
    open_[closable, 0] = ONE
    c.fix(open_[closable[prep.forced_closed[closable]], h], "ub", 0.0)
    for s in np.flatnonzero(~prep.existing & ~prep.forced_closed):
        last = h - by[s] + 1  # the last year a decision can still open it within H
        if last < 1:  # never open; one the policy keeps leaves no plan (`solve_joint`)
            open_[s] = ZERO
            continue
        cols = c.block(np.ones(1), integer=True)[0]
        built[s] = cols[np.minimum(np.arange(h + 1), last)]
        c.fix(cols[last + 1:], "ub", 0.0)
        if prep.forced_open[s]:
            c.fix(cols[last:last + 1], "lb", 1.0)
        t = np.arange(h + 1) - by[s] + 1
        open_[s] = np.where(t >= 1, built[s, np.maximum(t, 0)], ZERO)
    open_[~prep.existing & prep.forced_closed] = ZERO
    return open_, built
