"""The site-configuration search: a plan assembled from whole sites, and a bound that
knows how each site packs its teams.

A *configuration* of site s is one integer point x of the site's own columns (its
`open`, the `assign` and `pooled` shares of teams there, its centres and agency counts)
that meets the rows touching only those columns (capacity, the centre rules). A plan is
one configuration per site that together meet the rows spanning sites (each team housed
once, coverage, the one-off cap), with the columns of no site (`reach`) beside them. So
the model can be written over configurations (Dantzig-Wolfe):

    min  sum_s sum_x (c_s x) lambda[s,x] + c_0 y
    s.t. lo <= sum_s sum_x (A_s x) lambda[s,x] + A_0 y <= hi     (rows spanning sites)
         sum_x lambda[s,x] = 1                                    (one configuration a site)
         lambda[s,x] in {0, 1}

Steps (`search`):

1. **Split by site** (`site_blocks`): a row whose columns all belong to one site goes to
   that site's block; every other row stays in the master.
2. **Seed** the master with each seed plan's configurations (the status quo, when it
   meets every rule, makes the master feasible from the start), and an artificial pair
   per row at a cost no plan reaches, so it is feasible whatever the seeds.
3. **Price** (column generation, the master's LP relaxation): with the master's duals
   pi on its rows and mu_s on site s's row, each site's cheapest configuration,
   min (c_s - A_s' pi) x, is a small MILP (HiGHS; the sites priced side by side on
   `PRICING_THREADS` threads). One whose reduced cost is below mu_s enters, with up to
   `EXTRA_CONFIGURATIONS` others the pricer met on its way that also are. After a
   round that priced every site, the next price only the sites that took one in the
   round before, until none does or `PARTIAL_ROUNDS` have passed (`next_sites`;
   county: pricing to convergence in 164 s instead of 230 s). Every
   round that priced every site gives a bound valid for the whole model
   (`lagrangian_bound`: the rows spanning sites dualised at pi; a pricer stopped by
   the time gives HiGHS's bound on its minimum):

       z* >= sum_r h_r(pi_r) + sum_s min_x (c_s - A_s' pi) x
             + sum_j min_{lb_j <= y_j <= ub_j} (c_j - a_j' pi) y_j     (j of no site)

   with h_r(p) = p lo_r for p > 0 and p hi_r for p < 0 (at the master's duals this is
   the master's value plus the sites' negative reduced costs). The rounds stop when a
   round that priced every site brings none in (the bound then equals the master's
   value, if every site's minimum was proven) or the time is up.
4. **Choose** one configuration a site (the master with lambda binary, HiGHS, from the
   first seed whose parts are all configurations), rebuild the full column vector and
   check it against every row.

Why: on the county benchmark (520 sites, ten agencies' back-office teams pooling) the
LP-guided first plan and HiGHS's search stop near £1,402m-£1,404m, 0.6-0.8% above
HiGHS's bound; the configurations give a plan of £1,395.85m and a bound of £1,395.24m
(benchmarks/results/pooling-bounds.md). The bound is the convex hull of every
site's own packing, which the LP relaxation and HiGHS's cuts only approach. On the demo
it is weaker than HiGHS's root bound, because it may mix an open and a closed
configuration of one site; so the search is a scenario's choice (`solver.
site_configurations`), not the default.
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import highspy
import numpy as np
import scipy.sparse as sp

from estate.model.arrays import EstateModel
from estate.solve.highs import lp_from_arrays, new_highs, offer_solution

INF = highspy.kHighsInf
RoundReport = Callable[[int, float, float, int], None]
# Share of the search's own time the pricing rounds may use; the choice (step 4) gets
# the rest (and at least a second).
PRICING_SHARE = 0.85
# A configuration enters when its reduced cost is below this share of the master's
# value (at least a millionth of a pound): under it, it is the LP's rounding noise.
ENTERS = 1e-9
# Sites priced side by side: the machine's cores, at most two (the search runs before
# the main search, which has one thread; in a sweep each run's search takes its own
# two, so runs side by side share the cores).
PRICING_THREADS = max(1, min(2, len(os.sched_getaffinity(0))))
# The rebuilt plan's rows may miss their bounds by this much times the sum of the row's
# |terms| (at least 1): the pricers' and the master's feasibility tolerance.
CHECK_TOLERANCE = 1e-6
# Besides each site's cheapest configuration, up to this many others its pricer met on
# the way enter when they too cost less than the site's dual: fewer rounds (county
# pricing to convergence 164 s instead of 178 s), so the bound is ready sooner (county
# end to end at 180 s: 0.095% against 0.27%), though the choice has more columns to pick
# from (at 300 s 0.074% against 0.053%; benchmarks/README.md).
EXTRA_CONFIGURATIONS = 3
# After a round that priced every site, at most this many rounds price only the sites
# that took a configuration in the round before (benchmarks/README.md).
PARTIAL_ROUNDS = 10


@dataclasses.dataclass
class SiteBlocks:
    """The model split by site: per site its columns, its rows' MILP (a reusable HiGHS
    object whose costs change each round) and its columns' part of the master rows."""

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


@dataclasses.dataclass(frozen=True)
class ConfigurationSearch:
    """What the search found: a plan (full column vector, checked against every row; None
    when none was found or it failed the check), its NPV, the bound (-inf when no round
    priced every site), and how much work it took."""

    plan: np.ndarray | None
    objective: float
    bound: float
    rounds: int
    configurations: int
    converged: bool  # the last round priced every site and none entered
    seconds: float
    message: str = ""


def applies(model: EstateModel) -> bool:
    """The search needs integer columns that belong to sites."""
    return bool(len(model.col_site) == len(model.col_cost) and model.col_integer.any()
                and (model.col_site >= 0).any())


def site_blocks(model: EstateModel) -> SiteBlocks:
    """Rows whose columns all belong to one site go to that site's block; rows spanning
    sites, or touching a column of no site (coverage reach), stay in the master."""
    csr, site = model.matrix.tocsr(), model.col_site
    row_site = np.full(csr.shape[0], -1)
    for r in range(csr.shape[0]):
        sites = np.unique(site[csr.indices[csr.indptr[r]:csr.indptr[r + 1]]])
        if len(sites) == 1 and sites[0] >= 0:
            row_site[r] = sites[0]
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
    return blocks


def new_master(model: EstateModel, blocks: SiteBlocks) -> highspy.Highs:
    """The restricted master: master rows, then one row per site (= 1); the columns of no
    site as they are, and an artificial pair per row at a cost no plan reaches, so the
    master is feasible before any configuration is in."""
    rows, n_sites = blocks.master_rows, len(blocks.columns)
    m = new_highs(INF, 0.0)
    empty = (0, np.zeros(1, np.int32), np.empty(0, np.int32), np.empty(0))
    m.addRows(len(rows), model.row_lb[rows], model.row_ub[rows], *empty)
    m.addRows(n_sites, np.ones(n_sites), np.ones(n_sites), *empty)
    free = blocks.free_linking
    if len(blocks.free):
        m.addCols(len(blocks.free), model.col_cost[blocks.free], model.col_lb[blocks.free],
                  model.col_ub[blocks.free], free.nnz, free.indptr[:-1].astype(np.int32),
                  free.indices.astype(np.int32), free.data)
    n = len(rows) + n_sites
    # above any dual a row can have at the optimum, yet small enough to keep the simplex
    # well conditioned (a thousand times the largest cost made HiGHS stop unsolved)
    penalty = 10.0 * max(float(np.abs(model.col_cost).max(initial=0.0)), 1.0)
    for sign in (1.0, -1.0):
        m.addCols(n, np.full(n, penalty), np.zeros(n), np.full(n, INF), n,
                  np.arange(n, dtype=np.int32), np.arange(n, dtype=np.int32),
                  np.full(n, sign))
    return m


def add_configuration(master: highspy.Highs, model: EstateModel, blocks: SiteBlocks,
                      s: int, x: np.ndarray) -> None:
    """lambda[s, x] >= 0: cost c_s x, its master rows A_s x, 1 in site s's row."""
    a = blocks.linking[s] @ x
    nz = np.flatnonzero(np.abs(a) > 1e-12)
    index = np.concatenate([nz, [len(blocks.master_rows) + s]]).astype(np.int32)
    master.addCol(float(model.col_cost[blocks.columns[s]] @ x), 0.0, INF, len(index), index,
                  np.concatenate([a[nz], [1.0]]))


@dataclasses.dataclass(frozen=True)
class PricedSite:
    """One site priced at a dual point: its cheapest configuration's reduced cost, a
    lower bound on it, the configuration (None when the pricer found none), whether the
    value is the proven minimum, and the other configurations the pricer met on its way
    with their reduced costs (best first, at most `EXTRA_CONFIGURATIONS`)."""

    value: float
    lowest: float
    configuration: np.ndarray | None
    proven: bool
    others: tuple[tuple[float, np.ndarray], ...] = ()


def price(model: EstateModel, blocks: SiteBlocks, s: int, duals: np.ndarray,
          time_limit_s: float = INF) -> PricedSite:
    """min (c_s - A_s' pi) x over site s's configurations; the lower bound is HiGHS's
    when the limit stops the MILP."""
    cols, h = blocks.columns[s], blocks.pricers[s]
    reduced = model.col_cost[cols] - blocks.linking[s].T @ duals
    h.changeColsCost(len(cols), np.arange(len(cols), dtype=np.int32), reduced)
    h.setOptionValue("time_limit", max(float(time_limit_s), 0.01))
    h.run()
    info, status = h.getInfo(), h.getModelStatus()
    proven = status == highspy.HighsModelStatus.kOptimal
    if not proven and info.primal_solution_status != 2:  # kSolutionStatusFeasible
        bound = info.mip_dual_bound if blocks.integer[s] else -INF
        return PricedSite(INF, bound, None, False)
    value = info.objective_function_value
    if blocks.integer[s]:
        bound = info.mip_dual_bound
    else:
        bound = value if proven else -INF
    x = np.round(np.array(h.getSolution().col_value), 9)
    others = _others(model, blocks, s, reduced, x) if blocks.integer[s] else ()
    return PricedSite(value, min(bound, value), x, proven, others)


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
        if not _is_configuration(model, blocks, s, x) or np.array_equal(x, best) or \
                any(np.array_equal(x, y) for _, y in found):
            continue
        found.append((float(reduced @ x), x))
        if len(found) == EXTRA_CONFIGURATIONS:
            break
    return tuple(found)


def price_all(model: EstateModel, blocks: SiteBlocks, duals: np.ndarray, end: float,
              pool: ThreadPoolExecutor | None,
              sites: list[int] | None = None) -> list[PricedSite | None]:
    """The `sites` (all when None) priced at `duals` by `end` (perf_counter), on the
    pool's threads (HiGHS lets go of the GIL while it solves, and each site has its own
    HiGHS object); one entry per site of the model, None for a site not priced (not
    asked for, or the time ran out)."""

    def one(s: int) -> PricedSite | None:
        left = end - time.perf_counter()
        return price(model, blocks, s, duals, left) if left > 0 else None

    asked = range(len(blocks.columns)) if sites is None else sites
    found = list(pool.map(one, asked)) if pool is not None else [one(s) for s in asked]
    priced: list[PricedSite | None] = [None] * len(blocks.columns)
    for s, p in zip(asked, found, strict=True):
        priced[s] = p
    return priced


def dual_point(model: EstateModel, blocks: SiteBlocks, duals: np.ndarray) -> np.ndarray:
    """The master rows' duals with the sign each row's bounds allow: a row with no upper
    bound takes pi >= 0, one with no lower bound pi <= 0 (the simplex's tolerance can
    leave a dual a hair the wrong side, which would make the bound -inf)."""
    lo, hi = model.row_lb[blocks.master_rows], model.row_ub[blocks.master_rows]
    pi = np.where(np.isinf(hi), np.maximum(duals, 0.0), duals)
    return np.where(np.isinf(lo), np.minimum(pi, 0.0), pi)


def lagrangian_bound(model: EstateModel, blocks: SiteBlocks, pi: np.ndarray,
                     lowest: np.ndarray) -> float:
    """A bound on the whole model from the master rows dualised at pi and each site's
    lowest reduced cost at pi (`lowest`, a lower bound on min_x (c_s - A_s' pi) x):

        z* >= const + sum_r h_r(pi_r) + sum_s lowest_s
                    + sum_j min_{lb_j <= y_j <= ub_j} (c_j - a_j' pi) y_j   (j of no site)

    h_r(p) = p lo_r if p > 0, p hi_r if p < 0. Why it holds: for any plan,
    c x = sum (c - A' pi) x + pi' A x, each site's term is at least its minimum, each
    free column's at least its box minimum, and lo_r <= (A x)_r <= hi_r gives
    pi_r (A x)_r >= h_r(pi_r). -inf when a term is unbounded (pi the wrong side of an
    infinite row bound, a free column with no bound on the side its cost pulls to)."""
    lo, hi = model.row_lb[blocks.master_rows], model.row_ub[blocks.master_rows]
    with np.errstate(invalid="ignore"):
        rows = np.where(pi > 0, pi * lo, np.where(pi < 0, pi * hi, 0.0))
        free = blocks.free
        reduced = model.col_cost[free] - blocks.free_linking.T @ pi
        boxes = np.where(reduced > 0, reduced * model.col_lb[free],
                         np.where(reduced < 0, reduced * model.col_ub[free], 0.0))
    total = float(rows.sum() + boxes.sum() + lowest.sum())
    return total + model.obj_constant if math.isfinite(total) else -math.inf


def solve_master(master: highspy.Highs) -> bool:
    """Re-solve the master from its last basis; from scratch when that ends unsolved
    (HiGHS's warm start can stop with no status after many columns are added). False
    when it still does not end optimal."""
    master.run()
    if master.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        master.clearSolver()
        master.run()
    return master.getModelStatus() == highspy.HighsModelStatus.kOptimal


def _meets(matrix: sp.spmatrix, row_lb: np.ndarray, row_ub: np.ndarray, col_lb: np.ndarray,
           col_ub: np.ndarray, integer: np.ndarray, x: np.ndarray) -> bool:
    """Every row and column bound met (rows to a tolerance relative to their terms), and
    every integer column whole."""
    if (x < col_lb - 1e-9).any() or (x > col_ub + 1e-9).any():
        return False
    if (np.abs(x[integer] - np.round(x[integer])) > 1e-9).any():
        return False
    activity = matrix @ x
    scale = np.maximum(abs(matrix) @ np.abs(x), 1.0) * CHECK_TOLERANCE
    return bool((activity >= row_lb - scale).all() and (activity <= row_ub + scale).all())


def _meets_rows(model: EstateModel, x: np.ndarray) -> bool:
    """x, a full column vector, is a plan of the model."""
    return _meets(model.matrix, model.row_lb, model.row_ub, model.col_lb, model.col_ub,
                  model.col_integer.astype(bool), x)


def _is_configuration(model: EstateModel, blocks: SiteBlocks, s: int, x: np.ndarray) -> bool:
    """x, values of site s's columns, meets the site's own rows and bounds."""
    cols, rows = blocks.columns[s], blocks.rows[s]
    return _meets(blocks.own[s], model.row_lb[rows], model.row_ub[rows], model.col_lb[cols],
                  model.col_ub[cols], model.col_integer[cols].astype(bool), x)


def search(model: EstateModel, seeds: list[np.ndarray], time_limit_s: float,
           max_rounds: int = 1000, on_round: RoundReport | None = None) -> ConfigurationSearch:
    """Column generation over site configurations from `seeds` (full plans), then one
    configuration a site chosen by a MILP; within `time_limit_s` (see the module).
    `on_round(rounds, master value, bound so far, sites that took a configuration)`
    after each round."""
    t0 = time.perf_counter()
    deadline = t0 + max(float(time_limit_s), 0.0)
    pricing_end = t0 + PRICING_SHARE * max(float(time_limit_s), 0.0)
    blocks = site_blocks(model)
    master, n_rows = new_master(model, blocks), len(blocks.master_rows)
    n_fixed = master.getNumCol()
    chosen: list[tuple[int, np.ndarray]] = []

    def enter(s: int, x: np.ndarray) -> int:
        add_configuration(master, model, blocks, s, x)
        chosen.append((s, x))
        return master.getNumCol() - 1

    # a seed's part at a site enters only if it is a configuration (the status quo keeps
    # open a site a policy closes, say); the seed is a start for the choice only if all are
    seed_columns: list[list[int]] = []
    seed_free: list[np.ndarray] = []
    for seed in seeds:
        if len(seed) != len(model.col_cost):
            continue
        parts = [np.round(seed[cols], 9) for cols in blocks.columns]
        fits = [_is_configuration(model, blocks, s, x) for s, x in enumerate(parts)]
        entered = [enter(s, x) for s, x in enumerate(parts) if fits[s]]
        if all(fits):
            seed_columns.append(entered)
            seed_free.append(seed[blocks.free])
    for s, cols in enumerate(blocks.columns):
        if blocks.closable[s]:
            enter(s, np.zeros(len(cols)))
    bound, rounds, converged = -math.inf, 0, False
    active: list[int] | None = None  # the sites the round prices (None: every site)
    partial = 0
    pool = ThreadPoolExecutor(PRICING_THREADS) if PRICING_THREADS > 1 else None
    try:
        while rounds < max_rounds and time.perf_counter() < pricing_end:
            if not solve_master(master):
                break
            rounds += 1
            value = master.getInfo().objective_function_value + model.obj_constant
            duals = np.array(master.getSolution().row_dual)
            pi, mu = dual_point(model, blocks, duals[:n_rows]), duals[n_rows:]
            threshold = -max(1e-6, ENTERS * abs(value))
            priced = price_all(model, blocks, pi, pricing_end, pool, active)
            took = []
            for s, p in enumerate(priced):
                if p is not None and p.configuration is not None and p.value - mu[s] < threshold:
                    enter(s, p.configuration)
                    took.append(s)
                    for reduced_cost, x in p.others:
                        if reduced_cost - mu[s] < threshold:
                            enter(s, x)
            if active is None and all(p is not None for p in priced):
                lowest = np.array([p.lowest for p in priced if p is not None])
                bound = max(bound, lagrangian_bound(model, blocks, pi, lowest))
                # the master's value is a bound only when no site has a cheaper
                # configuration
                converged = not took and all(p is not None and p.proven for p in priced)
                if converged:
                    bound = max(bound, value)
            if on_round is not None:
                on_round(rounds, value, bound, len(took))
            if active is None and not took:  # the same master again would price the same
                break
            partial = partial + 1 if active is not None else 0
            active = next_sites(took, partial)
    finally:
        if pool is not None:
            pool.shutdown()
    first = (seed_columns[0], seed_free[0]) if seed_columns else None
    plan, objective, message = _choose(model, blocks, master, n_fixed, chosen, first, deadline)
    # the bound is returned as found, never clamped to the plan: a bound above a plan is
    # a defect for the caller to see, not a proof
    return ConfigurationSearch(plan, objective, bound, rounds, len(chosen), converged,
                               time.perf_counter() - t0, message)


def next_sites(took: list[int], partial_rounds: int) -> list[int] | None:
    """The sites the next round prices, None for every site. After a round that priced
    every site most sites' prices no longer pay for a new configuration, so the next
    rounds price only the sites that took one in the round before (`took`), until none
    does or PARTIAL_ROUNDS have passed (`partial_rounds` so far)."""
    return took if took and partial_rounds < PARTIAL_ROUNDS else None


def _choose(model: EstateModel, blocks: SiteBlocks, master: highspy.Highs, n_fixed: int,
            chosen: list[tuple[int, np.ndarray]], seed: tuple[list[int], np.ndarray] | None,
            deadline: float) -> tuple[np.ndarray | None, float, str]:
    """One configuration a site, by the master with its configuration columns binary (and
    the artificials shut), from the first seed; the plan rebuilt and checked."""
    n = master.getNumCol()
    configs = np.arange(n_fixed, n, dtype=np.int32)
    master.changeColsIntegrality(len(configs), configs,
                                 np.full(len(configs), highspy.HighsVarType.kInteger))
    free_integer = np.flatnonzero(model.col_integer[blocks.free]).astype(np.int32)
    if len(free_integer):
        master.changeColsIntegrality(len(free_integer), free_integer,
                                     np.full(len(free_integer), highspy.HighsVarType.kInteger))
    artificial = np.arange(len(blocks.free), n_fixed, dtype=np.int32)
    master.changeColsBounds(len(artificial), artificial, np.zeros(len(artificial)),
                            np.zeros(len(artificial)))
    master.setOptionValue("time_limit", max(deadline - time.perf_counter(), 1.0))
    master.setOptionValue("mip_rel_gap", 1e-6)
    if seed is not None:  # the first whole seed: its configurations, its free columns
        start = np.zeros(n)
        start[:len(blocks.free)] = seed[1]
        start[seed[0]] = 1.0
        offer_solution(master, start)
    master.run()
    if master.getInfo().primal_solution_status != 2:
        return None, math.nan, "no plan made of the configurations found"
    lam = np.array(master.getSolution().col_value)
    x = np.zeros(len(model.col_cost))
    x[blocks.free] = lam[:len(blocks.free)]
    for j, (s, config) in enumerate(chosen):
        if lam[n_fixed + j] > 0.5:
            x[blocks.columns[s]] += config
    if not _meets_rows(model, x):
        return None, math.nan, "the plan made of configurations broke a rule; not used"
    return x, float(model.col_cost @ x) + model.obj_constant, ""
