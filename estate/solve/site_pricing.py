"""Each site's configurations priced at the master's prices, and the bound they give.

The site-configuration search (`estate.solve.configurations`) splits the model by site
(`site_blocks`): a row whose columns all belong to one site goes to that site's block,
every other row stays in the master. A configuration of a site is one integer point of
its block. At the master's duals pi each site's cheapest configuration,
min (c_s - A_s' pi) x, is a small MILP (`price`, one reusable HiGHS object per site;
`price_all` on a thread pool), and any dual point gives a bound on the whole model
(`lagrangian_bound`). Each site remembers its pricer's last run, so a site whose prices
moved too little to let a configuration enter is not solved again (`carried_bound`).
This module owns the sites' side; the master, the rounds and the choice are the
search's.
"""

from __future__ import annotations

import dataclasses
import math
import time
from concurrent.futures import ThreadPoolExecutor

import highspy
import numpy as np
import scipy.sparse as sp

from estate.model.arrays import EstateModel, meets
from estate.solve.highs import lp_from_arrays, new_highs, run
from estate.solve.lp_bound import box_terms, row_terms, signed

INF = highspy.kHighsInf
# Besides each site's cheapest configuration, up to this many others its pricer met on
# the way enter when they too cost less than the site's dual: fewer rounds (county
# pricing to convergence 164 s instead of 178 s), so the bound is ready sooner (county
# end to end at 180 s: 0.095% against 0.27%), though the choice has more columns to pick
# from (at 300 s 0.074% against 0.053%; benchmarks/README.md).
EXTRA_CONFIGURATIONS = 3


@dataclasses.dataclass
class SiteBlocks:
    """The model split by site: per site its columns, its rows' MILP (a reusable HiGHS
    object whose costs change each round), its columns' part of the master rows and what
    its pricer's last run proved (`price` keeps it up to date)."""

    master_rows: np.ndarray
    free: np.ndarray  # the columns of no site, kept in the master as they are
    columns: list[np.ndarray] = dataclasses.field(default_factory=list)
    rows: list[np.ndarray] = dataclasses.field(default_factory=list)  # the site's own rows
    own: list[sp.csr_matrix] = dataclasses.field(default_factory=list)  # rows x columns
    # the all-zero configuration meets the site's own rows
    closable: list[bool] = dataclasses.field(default_factory=list)
    pricers: list[highspy.Highs] = dataclasses.field(default_factory=list)
    linking: list[sp.csc_matrix] = dataclasses.field(default_factory=list)
    # the columns of no site's part of the master rows (master rows x free)
    free_linking: sp.csc_matrix = dataclasses.field(
        default_factory=lambda: sp.csc_matrix((0, 0)))
    # the site's block has integer columns (a MILP, not an LP)
    integer: list[bool] = dataclasses.field(default_factory=list)
    # each site's last pricer run: the reduced costs it ran at and the lower bound it
    # proved on their minimum (None before the first run; `carried_bound` starts there)
    priced_at: list[np.ndarray | None] = dataclasses.field(default_factory=list)
    priced_lowest: list[float] = dataclasses.field(default_factory=list)


def site_blocks(model: EstateModel) -> SiteBlocks:
    """Rows whose columns all belong to one site go to that site's block; rows spanning
    sites, or touching a column of no site (coverage reach), stay in the master."""
    csr, site = model.matrix.tocsr(), model.col_site
    row_site = own_rows(model)
    master_rows = np.flatnonzero(row_site < 0)
    master = csr[master_rows].tocsc()
    blocks = SiteBlocks(master_rows, np.flatnonzero(site < 0))
    blocks.free_linking = master[:, blocks.free].tocsc()
    for s in range(int(site.max()) + 1 if len(site) else 0):
        cols, rows = np.flatnonzero(site == s), np.flatnonzero(row_site == s)
        blocks.closable.append(bool((model.col_lb[cols] <= 0).all()
                                    and (model.row_lb[rows] <= 0).all()
                                    and (model.row_ub[rows] >= 0).all()))
        own = csr[rows][:, cols]
        h = new_highs(INF, 0.0)
        h.setOptionValue("mip_improving_solution_save", EXTRA_CONFIGURATIONS > 0)
        h.passModel(lp_from_arrays(own.tocsc(), model.col_cost[cols],
                                   model.col_lb[cols], model.col_ub[cols], model.row_lb[rows],
                                   model.row_ub[rows], model.col_integer[cols]))
        blocks.columns.append(cols)
        blocks.rows.append(rows)
        blocks.own.append(own)
        blocks.pricers.append(h)
        blocks.linking.append(master[:, cols].tocsc())
        blocks.integer.append(bool(model.col_integer[cols].any()))
        blocks.priced_at.append(None)
        blocks.priced_lowest.append(-INF)
    return blocks


def own_rows(model: EstateModel) -> np.ndarray:
    """Per row, the site all its columns belong to (-1: a row spanning sites, touching a
    column of no site, or empty): the split `site_blocks` makes, and
    `estate.solve.site_bound` too."""
    csr = model.matrix.tocsr()
    row_site = np.full(csr.shape[0], -1)
    counts = np.diff(csr.indptr)
    rows = np.flatnonzero(counts > 0)
    if len(rows) == 0:
        return row_site
    sites = model.col_site[csr.indices]
    starts = csr.indptr[:-1][rows]
    low = np.minimum.reduceat(sites, starts)
    high = np.maximum.reduceat(sites, starts)
    whole = (low == high) & (low >= 0)
    row_site[rows[whole]] = low[whole]
    return row_site


@dataclasses.dataclass(frozen=True)
class PricedSite:
    """One site priced at a dual point: its cheapest configuration's reduced cost, a
    lower bound on it, the configuration (None when the pricer found none, or was not
    run because the carried bound ruled the site out: then the value is inf and the
    lowest that bound), whether the value is the proven minimum, and the other
    configurations the pricer met on its way with their reduced costs (best first, at
    most `EXTRA_CONFIGURATIONS`)."""

    value: float
    lowest: float
    configuration: np.ndarray | None
    proven: bool
    others: tuple[tuple[float, np.ndarray], ...] = ()


def reduced_costs(model: EstateModel, blocks: SiteBlocks, s: int,
                  duals: np.ndarray) -> np.ndarray:
    """c_s - A_s' pi: what each of site s's columns costs at the master's prices."""
    return model.col_cost[blocks.columns[s]] - blocks.linking[s].T @ duals


def carried_bound(model: EstateModel, blocks: SiteBlocks, s: int,
                  reduced: np.ndarray) -> float:
    """A lower bound on site s's cheapest configuration at `reduced` from its pricer's
    last run (at r0, with lower bound L0) and no new solve:

        min_x r'x >= min_x r0'x + min_x (r - r0)'x
                  >= L0 + sum_j min_{lb_j <= x_j <= ub_j} (r_j - r0_j) x_j

    (the minimum of a sum is at least the sum of the minima; a configuration lies in
    its columns' box). Between rounds most sites' prices move little, so a site whose
    carried bound already says it cannot enter need not be solved again. -inf before
    the first run, or when a column's box is open on the side its change pulls to."""
    before = blocks.priced_at[s]
    if before is None:
        return -INF
    cols = blocks.columns[s]
    change = reduced - before
    if not np.isfinite(change).all():
        return -INF
    total = blocks.priced_lowest[s] + box_terms(change, model.col_lb[cols],
                                                model.col_ub[cols])
    return total if math.isfinite(total) else -INF


def price(model: EstateModel, blocks: SiteBlocks, s: int, duals: np.ndarray,
          time_limit_s: float = INF, reduced: np.ndarray | None = None) -> PricedSite:
    """min (c_s - A_s' pi) x over site s's configurations; the lower bound is HiGHS's
    when the limit stops the MILP. `reduced`, when given, is `reduced_costs` at `duals`
    already worked out. The prices and the bound are kept in `blocks` for the next
    round's `carried_bound`."""
    cols, h = blocks.columns[s], blocks.pricers[s]
    if reduced is None:
        reduced = reduced_costs(model, blocks, s, duals)
    h.changeColsCost(len(cols), np.arange(len(cols), dtype=np.int32), reduced)
    h.setOptionValue("time_limit", max(float(time_limit_s), 0.01))
    run(h)
    info, status = h.getInfo(), h.getModelStatus()
    proven = status == highspy.HighsModelStatus.kOptimal
    if not proven and info.primal_solution_status != 2:  # kSolutionStatusFeasible
        bound = info.mip_dual_bound if blocks.integer[s] else -INF
        _remember(blocks, s, reduced, bound)
        return PricedSite(INF, bound, None, False)
    value = info.objective_function_value
    if blocks.integer[s]:
        bound = info.mip_dual_bound
    else:
        bound = value if proven else -INF
    _remember(blocks, s, reduced, min(bound, value))
    x = np.round(np.array(h.getSolution().col_value), 9)
    others = _others(model, blocks, s, reduced, x) if blocks.integer[s] else ()
    return PricedSite(value, min(bound, value), x, proven, others)


def _remember(blocks: SiteBlocks, s: int, reduced: np.ndarray, lowest: float) -> None:
    """Keep the run's prices and bound for `carried_bound`, unless the run proved
    nothing (a bound of -inf would carry nothing)."""
    if math.isfinite(lowest):
        blocks.priced_at[s], blocks.priced_lowest[s] = reduced, lowest


def _others(model: EstateModel, blocks: SiteBlocks, s: int, reduced: np.ndarray,
            best: np.ndarray) -> tuple[tuple[float, np.ndarray], ...]:
    """The improving plans site s's pricer saved before its best (its own order is worst
    first), integer columns made whole, each kept only if it is a configuration (HiGHS
    may save a plan that misses a row by its tolerance), with its reduced cost worked out
    again from the values. None when the saved list does not end at `best`: HiGHS keeps
    the last run's list when a run stops before its search."""
    saved = blocks.pricers[s].getSavedMipSolutions() if EXTRA_CONFIGURATIONS else []
    if not saved or not np.allclose(saved[-1].col_value, best, atol=1e-6):
        return ()
    integer = model.col_integer[blocks.columns[s]].astype(bool)
    found: list[tuple[float, np.ndarray]] = []
    for plan in reversed(saved[:-1]):
        x = np.round(np.array(plan.col_value), 9)
        x[integer] = np.round(x[integer])
        if not is_configuration(model, blocks, s, x) or np.array_equal(x, best) or \
                any(np.array_equal(x, y) for _, y in found):
            continue
        found.append((float(reduced @ x), x))
        if len(found) == EXTRA_CONFIGURATIONS:
            break
    return tuple(found)


def price_all(model: EstateModel, blocks: SiteBlocks, duals: np.ndarray, end: float,
              pool: ThreadPoolExecutor | None, sites: list[int] | None = None,
              enters_below: np.ndarray | None = None) -> list[PricedSite | None]:
    """The `sites` (all when None) priced at `duals` by `end` (perf_counter), on the
    pool's threads (HiGHS lets go of the GIL while it solves, and each site has its own
    HiGHS object); one entry per site of the model, None for a site not priced (not
    asked for, or the time ran out). With `enters_below` (per site, the reduced cost a
    configuration must beat to enter), a site whose `carried_bound` is not below it is
    not solved: its entry has no configuration and the carried bound as its lowest."""

    def one(s: int) -> PricedSite | None:
        reduced = reduced_costs(model, blocks, s, duals)
        if enters_below is not None:
            carried = carried_bound(model, blocks, s, reduced)
            if carried >= enters_below[s]:
                return PricedSite(INF, carried, None, False)
        left = end - time.perf_counter()
        return price(model, blocks, s, duals, left, reduced) if left > 0 else None

    asked = range(len(blocks.columns)) if sites is None else sites
    found = list(pool.map(one, asked)) if pool is not None else [one(s) for s in asked]
    priced: list[PricedSite | None] = [None] * len(blocks.columns)
    for s, p in zip(asked, found, strict=True):
        priced[s] = p
    return priced


def dual_point(model: EstateModel, blocks: SiteBlocks, duals: np.ndarray) -> np.ndarray:
    """The master rows' duals with the sign each row's bounds allow (`lp_bound.signed`)."""
    rows = blocks.master_rows
    return signed(duals, model.row_lb[rows], model.row_ub[rows])


def lagrangian_bound(model: EstateModel, blocks: SiteBlocks, pi: np.ndarray,
                     lowest: np.ndarray) -> float:
    """A bound on the whole model from the master rows dualised at pi and each site's
    lowest reduced cost at pi (`lowest`, a lower bound on min_x (c_s - A_s' pi) x):

        z* >= const + sum_r h_r(pi_r) + sum_s lowest_s
                    + sum_j min_{lb_j <= y_j <= ub_j} (c_j - a_j' pi) y_j   (j of no site)

    h_r(p) = p lo_r if p > 0, p hi_r if p < 0. Why it holds: for any plan,
    c x = sum (c - A' pi) x + pi' A x, each site's term is at least its minimum, each
    free column's at least its box minimum, and lo_r <= (A x)_r <= hi_r gives
    pi_r (A x)_r >= h_r(pi_r) (`estate.solve.lp_bound`, with the sites' own rows kept).
    -inf when a term is unbounded (pi the wrong side of an infinite row bound, a free
    column with no bound on the side its cost pulls to)."""
    rows, free = blocks.master_rows, blocks.free
    reduced = model.col_cost[free] - blocks.free_linking.T @ pi
    total = (row_terms(pi, model.row_lb[rows], model.row_ub[rows])
             + box_terms(reduced, model.col_lb[free], model.col_ub[free])
             + float(lowest.sum()))
    return total + model.obj_constant if math.isfinite(total) else -math.inf


def is_configuration(model: EstateModel, blocks: SiteBlocks, s: int, x: np.ndarray) -> bool:
    """x, values of site s's columns, meets the site's own rows and bounds."""
    cols, rows = blocks.columns[s], blocks.rows[s]
    return meets(blocks.own[s], model.row_lb[rows], model.row_ub[rows], model.col_lb[cols],
                  model.col_ub[cols], model.col_integer[cols].astype(bool), x)
