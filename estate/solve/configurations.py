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
   `PRICING_THREADS` threads; `estate.solve.site_pricing`). One whose reduced cost is
   below mu_s enters, with up to `site_pricing.EXTRA_CONFIGURATIONS` others the pricer
   met on its way that also are. After a
   round that priced every site, the next price only the sites that took one in the
   round before, until none does or `PARTIAL_ROUNDS` have passed (`next_sites`;
   county: pricing to convergence in 164 s instead of 230 s). A site whose bound
   carried from its last pricing (`site_pricing.carried_bound`) already shows nothing
   of it can enter is not solved again. Every round that priced every site gives a
   bound valid for the whole model (`lagrangian_bound`: the rows spanning sites
   dualised at pi; a pricer stopped by the time gives HiGHS's bound on its minimum, a
   site not solved its carried bound):

       z* >= sum_r h_r(pi_r) + sum_s min_x (c_s - A_s' pi) x
             + sum_j min_{lb_j <= y_j <= ub_j} (c_j - a_j' pi) y_j     (j of no site)

   with h_r(p) = p lo_r for p > 0 and p hi_r for p < 0 (at the master's duals this is
   the master's value plus the sites' negative reduced costs). The rounds stop when a
   round that priced every site brings none in (the bound then equals the master's
   value, if every site's minimum was proven or its bound shows none can enter) or the
   time is up.
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

from estate.model.arrays import EstateModel
from estate.solve.highs import new_highs, offer_solution, run
from estate.solve.site_pricing import (
    INF,
    SiteBlocks,
    dual_point,
    is_configuration,
    lagrangian_bound,
    price_all,
    site_blocks,
)

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
# After a round that priced every site, at most this many rounds price only the sites
# that took a configuration in the round before (benchmarks/README.md).
PARTIAL_ROUNDS = 10
# A site whose carried bound (`site_pricing.carried_bound`: its pricer's last bound moved
# by how its prices changed since) shows it cannot enter is not solved again that round
# (county: a third of the pricer runs and 14% of the pricing time left out;
# benchmarks/README.md).
SKIP_BY_CARRIED_BOUND = True


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


def solve_master(master: highspy.Highs) -> bool:
    """Re-solve the master from its last basis; from scratch when that ends unsolved
    (HiGHS's warm start can stop with no status after many columns are added). False
    when it still does not end optimal."""
    run(master)
    if master.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        master.clearSolver()
        run(master)
    return master.getModelStatus() == highspy.HighsModelStatus.kOptimal


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
        fits = [is_configuration(model, blocks, s, x) for s, x in enumerate(parts)]
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
            priced = price_all(model, blocks, pi, pricing_end, pool, active,
                               mu + threshold if SKIP_BY_CARRIED_BOUND else None)
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
                converged = not took and all(
                    p is not None and (p.proven or p.lowest >= mu[s] + threshold)
                    for s, p in enumerate(priced))
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
    run(master)
    if master.getInfo().primal_solution_status != 2:
        return None, math.nan, "no plan made of the configurations found"
    lam = np.array(master.getSolution().col_value)
    x = np.zeros(len(model.col_cost))
    x[blocks.free] = lam[:len(blocks.free)]
    for j, (s, config) in enumerate(chosen):
        if lam[n_fixed + j] > 0.5:
            x[blocks.columns[s]] += config
    if not model.keeps_every_rule(x):
        return None, math.nan, "the plan made of configurations broke a rule; not used"
    return x, float(model.col_cost @ x) + model.obj_constant, ""
