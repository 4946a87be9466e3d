"""The estate MILP, built once as arrays by a short recipe of steps (`build`).

Variables (one block each, created over eligible index sets only):

    open[s]       binary       site s is open (or built)
    assign[f,s]   binary/[0,1] share of function f at site s (eligible pairs only)
    pooled[f,s]   [0,1]        share of f pooled in a shared centre at s
    shared[k,s]   binary       a shared centre of type k at s
    counts[g,k,s] binary       agency g counts towards the type-k centre at s
    reach[i,z]    [0,1]        zone z counted as covered by population_share rule i

Constraints (families, named so an LP file or an infeasibility report reads):

    (1) housed(f):            sum_s assign[f,s] = 1
    (2) at_open(f,s):         assign[f,s] <= open[s]
    (3) desks(s), racks(s):   sum_f need_f (assign - eff_k pooled) <= cap_s open[s]
    (4) pool_share(f,s):      pooled <= assign
        pool_centre(f,s):     pooled <= shared[k(f),s]
        centre_open(k,s):     shared[k,s] <= open[s]
        counts(g,k,s):        counts[g,k,s] <= sum_{f of g, type k} pooled[f,s]
        counts_centre(g,k,s): counts[g,k,s] <= shared[k,s]   (valid, tightens the LP)
        min_agencies(k,s):    sum_g counts[g,k,s] >= min_agencies shared[k,s]
        centre_desks(k,s),    sum_{f of type k} need_f (1 - eff_k) pooled[f,s]
        centre_racks(k,s):        <= cap_s shared[k,s]          (valid, tightens the LP)
    (5) coverage.i(z):        sum_{s in N(z)} open[s] >= 1         (all, maintain)
        coverage.i.reach(z):  reach[i,z] <= sum_{s in N(z)} open[s] (population_share)
        coverage.i.share:     sum_z pop_z reach[i,z] >= share * total population
    (6) max_one_off:          one_off <= cap;   policy: bounds on open[s]

With whole teams (split = false), a pooled column is fixed at 0 when the team, pooled,
cannot share the site's desks or racks with the smallest pooled teams of the other
min_agencies - 1 agencies that could join that centre; a centre with no such column is
fixed at 0 too (`estate.model.pooling.poolable`). Both cut off no whole-team plan, only
LP fractions.

Objective: A * annual + one_off (NPV of cost, pounds). Each family is a sparse block
(COO triplets) built from the eligible-pair frame with numpy, never a loop over pairs;
`to_pulp` and the direct HiGHS path both read these arrays.
"""

from __future__ import annotations

import math

import numpy as np

from estate.model.arrays import EstateModel, ModelBuilder, Names
from estate.model.costs import Costs, cost_coefficients
from estate.model.parts import Parts
from estate.model.pooling import Pooling, assign_upper, pooling_sets, shared_upper
from estate.model.reduce import Reductions, reduce_model
from estate.prepare import CoverageSet, Prepared

__all__ = ["EstateModel", "build"]


def build(prep: Prepared, reduce: bool = True) -> EstateModel:
    """Assemble the model from the prepared arrays: columns, then rows, then costs.

    Columns are numbered in the order the column steps run and rows in the order the
    row steps run, so this recipe fixes the layout of the LP file. The last step drops
    the coverage rows other rows imply and fixes the sites the rules force open or
    another site dominates (`estate.model.reduce`); `reduce=False` leaves it out, for
    the elastic re-solve that names every rule of an infeasible scenario.
    """
    b = ModelBuilder()
    names = Names.of(prep)
    upper = assign_upper(prep)
    pooling = pooling_sets(prep, names, upper)
    open_col = add_open(b, prep, names)
    assign_col = add_assign(b, prep, names, upper)
    pooled, shared, counts = add_pooling_columns(b, pooling, names)
    reach = add_reach(b, prep, names)
    parts = Parts(prep, names, pooling, open_col, assign_col, pooled, shared, counts, reach)
    add_housed(b, parts)
    add_at_open(b, parts)
    add_capacity(b, parts)
    add_pooling_rows(b, parts)
    add_agency_counts(b, parts)
    add_centre_capacity(b, parts)
    add_coverage(b, parts)
    costs = cost_coefficients(parts, b.n)
    add_one_off_cap(b, costs, prep.scenario.max_one_off)
    model = b.finish(costs.objective(prep.scenario.annuity),
                     costs.one_off_constant + costs.timing_constant,
                     pool=pooling.pool, centres=pooling.centres, one_off_coef=costs.one_off,
                     one_off_constant=costs.one_off_constant, timing_coef=costs.timing,
                     timing_constant=costs.timing_constant, **column_places(parts, b.n),
                     reductions=whole_team_fixings(prep, upper, pooling))
    return reduce_model(model) if reduce else model


def whole_team_fixings(prep: Prepared, upper: np.ndarray, pooling: Pooling) -> dict[str, int]:
    """The counts of what whole teams fix before the reductions (`Reductions`): pairs too
    small for their team (left out by `estate.prepare`, or a home's column at 0), and
    pooled columns and centres at 0 (`estate.model.pooling`); those that fixed any."""
    counts = Reductions(pairs_unfit=prep.pairs_unfit + int((upper == 0).sum()),
                        pooled_unusable=int((pooling.upper == 0).sum()),
                        centres_unusable=int((shared_upper(pooling) == 0).sum())).as_dict()
    return {name: count for name, count in counts.items() if count}


def _row_of(n: int, rows: np.ndarray) -> np.ndarray:
    """Row number within a family of each of n items, -1 for items without a row."""
    row_of = np.full(n, -1)
    row_of[rows] = np.arange(len(rows))
    return row_of


def add_open(b: ModelBuilder, prep: Prepared, names: Names) -> np.ndarray:
    """open[s] in {0,1}, fixed at 1 where policy keeps s open, at 0 where it closes s."""
    return b.add_block("open", names.site, prep.forced_open.astype(float),
                       np.where(prep.forced_closed, 0.0, 1.0), integer=True)


def add_assign(b: ModelBuilder, prep: Prepared, names: Names,
               upper: np.ndarray) -> np.ndarray:
    """assign[f,s] in [0, ub_fs] for eligible pairs: binary with whole teams, continuous
    when teams may split (ub_fs from `assign_upper`)."""
    return b.add_block("assign", names.pair, np.zeros(len(prep.pairs)), upper,
                       integer=not prep.scenario.split)


def add_pooling_columns(b: ModelBuilder, pooling: Pooling,
                        names: Names) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """pooled[f,s] in [0, ub_fs] for (f,s) in P;  shared[k,s] in {0,1} for (k,s) in C;
    counts[g,k,s] in {0,1} for (g,k,s) in G  (P, C, G and ub from `pooling_sets`).

    A centre whose pooled columns are all fixed at 0 is fixed at 0 too. Pooled stays
    continuous, as the formulation states it. With whole teams it could be binary (a fractional
    pooled value can be rounded up without breaking a rule or costing more); the
    first-plan search declares it so (estate.solve.first_plan), but the main search keeps
    it continuous: on a region-size model HiGHS's set-up of a binary objective (its clique
    partition) ran for many minutes past the time limit.
    """
    n_pool, n_centres, n_counts = len(pooling.pool), len(pooling.centres), len(pooling.counts)
    pooled = b.add_block("pooled", names.pair[pooling.mask], np.zeros(n_pool),
                         pooling.upper, integer=False)
    shared = b.add_block("shared", pooling.centre_labels, np.zeros(n_centres),
                         shared_upper(pooling),
                         integer=True)
    counts = b.add_block("counts", pooling.count_labels, np.zeros(n_counts),
                         np.ones(n_counts), integer=True)
    return pooled, shared, counts


def add_reach(b: ModelBuilder, prep: Prepared,
              names: Names) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """reach[i,z] in [0,1] for each population_share rule i and zone z with N(z) nonempty.

    Returns, per rule index, the zones with a column and those columns.
    """
    reach: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for cov in prep.coverage:
        if cov.rule.mode == "population_share":
            zones_with = np.unique(cov.zone)
            cols = b.add_block(f"reach.{cov.rule.index}", names.zone[zones_with],
                               np.zeros(len(zones_with)), np.ones(len(zones_with)),
                               integer=False)
            reach[cov.rule.index] = (zones_with, cols)
    return reach


def add_housed(b: ModelBuilder, p: Parts) -> None:
    """(1) housed(f): sum_s assign[f,s] = 1, over the eligible sites of f."""
    pf = p.prep.pairs["f"].to_numpy()
    b.add_family("housed", p.names.function, pf, p.assign, np.ones(len(pf)), 1.0, 1.0)


def add_at_open(b: ModelBuilder, p: Parts) -> None:
    """(2) at_open(f,s): assign[f,s] <= open[s], where s may close (not forced open)."""
    ps = p.prep.pairs["s"].to_numpy()
    may_close = ~p.prep.forced_open[ps]
    idx = np.flatnonzero(may_close)
    b.add_at_most("at_open", p.names.pair[may_close], p.assign[idx], p.open[ps[idx]])


def add_capacity(b: ModelBuilder, p: Parts) -> None:
    """(3) desks(s), racks(s): sum_f need_f assign[f,s] - sum_f need_f eff_f pooled[f,s]
    <= cap_s open[s].

    Pooling saves the share eff_f of a pooled team's need. A site has a row only if some
    team with that need may sit there; racks have no rows at all when no team needs them.
    """
    sites, functions = p.prep.sites, p.prep.functions
    pf, ps = p.prep.pairs["f"].to_numpy(), p.prep.pairs["s"].to_numpy()
    eff = p.prep.efficiency
    qf, qs = p.pooling.pool["f"].to_numpy(), p.pooling.pool["s"].to_numpy()
    for column in ("desks", "racks"):
        need = functions[column].to_numpy(float)
        cap = sites[column].to_numpy(float)
        used = np.zeros(len(sites), bool)
        used[ps[need[pf] > 0]] = True
        if column == "racks" and not used.any():
            continue
        rows_s = np.flatnonzero(used)
        row_of = _row_of(len(sites), rows_s)
        pm = need[pf] > 0
        qm = need[qf] * eff[qf] > 0
        b.add_family(
            column, p.names.site[rows_s],
            np.concatenate([row_of[ps[pm]], row_of[qs[qm]], np.arange(len(rows_s))]),
            np.concatenate([p.assign[pm], p.pooled[qm], p.open[rows_s]]),
            np.concatenate([need[pf[pm]], -need[qf[qm]] * eff[qf[qm]], -cap[rows_s]]),
            -math.inf, 0.0)


def add_pooling_rows(b: ModelBuilder, p: Parts) -> None:
    """(4) pool_share(f,s): pooled[f,s] <= assign[f,s];
    pool_centre(f,s): pooled[f,s] <= shared[k(f),s];  centre_open(k,s): shared[k,s] <= open[s].

    A team pools only the share of it housed at s, only into an open centre of its type
    at an open site.
    """
    pool, centres = p.pooling.pool, p.pooling.centres
    pooled_labels = p.names.pair[p.pooling.mask]
    b.add_at_most("pool_share", pooled_labels, p.pooled, p.assign[pool["pair"].to_numpy()])
    b.add_at_most("pool_centre", pooled_labels, p.pooled, p.shared[pool["centre"].to_numpy()])
    b.add_at_most("centre_open", p.pooling.centre_labels, p.shared,
                  p.open[centres["s"].to_numpy()])


def add_agency_counts(b: ModelBuilder, p: Parts) -> None:
    """(4) counts(g,k,s): counts[g,k,s] <= sum_{f of g, type k} pooled[f,s];
    counts_centre(g,k,s): counts[g,k,s] <= shared[k,s];
    min_agencies(k,s): sum_g counts[g,k,s] >= min_agencies shared[k,s].

    An agency counts towards a centre only if it pools something there, and a centre
    opens only with min_agencies agencies counted. counts_centre is implied at integer
    points; it tightens the LP.
    """
    pool, counts, centre_labels = p.pooling.pool, p.pooling.counts, p.pooling.centre_labels
    n_counts, n_pool, n_centres = len(counts), len(pool), len(centre_labels)
    count_rows = np.arange(n_counts)
    b.add_family("counts", p.pooling.count_labels,
                 np.concatenate([count_rows, pool["count"].to_numpy()]),
                 np.concatenate([p.counts, p.pooled]),
                 np.concatenate([np.ones(n_counts), -np.ones(n_pool)]), -math.inf, 0.0)
    b.add_at_most("counts_centre", p.pooling.count_labels, p.counts,
                  p.shared[counts["centre"].to_numpy()])
    b.add_family("min_agencies", centre_labels,
                 np.concatenate([counts["centre"].to_numpy(), np.arange(n_centres)]),
                 np.concatenate([p.counts, p.shared]),
                 np.concatenate([np.ones(n_counts),
                                 -float(p.prep.scenario.min_agencies) * np.ones(n_centres)]),
                 0.0, math.inf)


def add_centre_capacity(b: ModelBuilder, p: Parts) -> None:
    """(4) centre_desks(k,s), centre_racks(k,s):
    sum_{f of type k} need_f (1 - eff_f) pooled[f,s] <= cap_s shared[k,s].

    Pooled teams at a centre fit its site on their own: with pooled <= shared this is
    implied at integer points, but in the LP it stops a centre at a fraction from
    hosting whole fractions of many teams.
    """
    pool, centres = p.pooling.pool, p.pooling.centres
    qf, qc = pool["f"].to_numpy(), pool["centre"].to_numpy()
    eff = p.prep.efficiency
    for column in ("desks", "racks"):
        need = p.prep.functions[column].to_numpy(float)[qf] * (1 - eff[qf])
        cap = p.prep.sites[column].to_numpy(float)[centres["s"].to_numpy()]
        keep = need > 0
        used = np.zeros(len(centres), bool)
        used[qc[keep]] = True
        rows_c = np.flatnonzero(used)
        if not len(rows_c):
            continue
        b.add_family(f"centre_{column}", p.pooling.centre_labels[rows_c],
                     np.concatenate([_row_of(len(centres), rows_c)[qc[keep]],
                                     np.arange(len(rows_c))]),
                     np.concatenate([p.pooled[keep], p.shared[rows_c]]),
                     np.concatenate([need[keep], -cap[rows_c]]), -math.inf, 0.0)


def add_coverage(b: ModelBuilder, p: Parts) -> None:
    """(5) per coverage rule i, in the scenario's order: `all`/`maintain` rules by
    `add_zone_cover`, population_share rules by `add_population_share`."""
    for cov in p.prep.coverage:
        if cov.rule.mode == "population_share":
            add_population_share(b, p, cov)
        else:
            add_zone_cover(b, p, cov)


def add_zone_cover(b: ModelBuilder, p: Parts, cov: CoverageSet) -> None:
    """(5) coverage.i(z): sum_{s in N(z)} open[s] >= 1 for each zone z in the rule's scope.

    `all` rules scope every zone, `maintain` rules the zones an existing site reaches
    today, so no zone covered now is left uncovered.
    """
    scoped = cov.scope[cov.zone]
    zones_in = np.flatnonzero(cov.scope)
    row_of = _row_of(len(p.prep.zones), zones_in)
    b.add_family(cov.rule.name, p.names.zone[zones_in], row_of[cov.zone[scoped]],
                 p.open[cov.site[scoped]], np.ones(int(scoped.sum())), 1.0, math.inf)


def add_population_share(b: ModelBuilder, p: Parts, cov: CoverageSet) -> None:
    """(5) coverage.i.reach(z): reach[i,z] <= sum_{s in N(z)} open[s];
    coverage.i.share: sum_z pop_z reach[i,z] >= share * sum_z pop_z.

    A zone counts as covered (up to 1) only as far as an open site reaches it; the share
    row is left out when no zone has people.
    """
    name = cov.rule.name
    zones_with, cols = p.reach[cov.rule.index]
    row_of = _row_of(len(p.prep.zones), zones_with)
    b.add_family(f"{name}.reach", p.names.zone[zones_with],
                 np.concatenate([np.arange(len(zones_with)), row_of[cov.zone]]),
                 np.concatenate([cols, p.open[cov.site]]),
                 np.concatenate([np.ones(len(zones_with)), -np.ones(len(cov.zone))]),
                 -math.inf, 0.0)
    population = p.prep.zones["population"].to_numpy(float)
    total = population.sum()
    if total > 0:
        b.add_family(f"{name}.share", np.array([""], dtype=object),
                     np.zeros(len(cols), np.int64), cols, population[zones_with],
                     cov.rule.population_share * total, math.inf)


def add_one_off_cap(b: ModelBuilder, costs: Costs, max_one_off: float) -> None:
    """(6) max_one_off: sum_j one_off_j x_j <= max_one_off - one_off_constant, when a cap
    is set (the policy bounds on open[s] are set by `add_open`)."""
    if math.isfinite(max_one_off):
        nz = np.flatnonzero(costs.one_off)
        b.add_family("max_one_off", np.array([""], dtype=object), np.zeros(len(nz), np.int64),
                     nz, costs.one_off[nz], -math.inf, max_one_off - costs.one_off_constant)


def column_places(p: Parts, n_columns: int) -> dict[str, np.ndarray]:
    """Per column, the site and team it is about (-1 for none), each site's x, y in metres
    and each assign column's status-quo flag: the index maps of `EstateModel`."""
    sites, pairs, pool, n_sites = p.prep.sites, p.prep.pairs, p.pooling.pool, len(p.prep.sites)
    col_site = np.full(n_columns, -1, np.int64)
    col_team = np.full(n_columns, -1, np.int64)
    col_site[p.open] = np.arange(n_sites)
    col_site[p.assign], col_team[p.assign] = pairs["s"].to_numpy(), pairs["f"].to_numpy()
    col_site[p.pooled], col_team[p.pooled] = pool["s"].to_numpy(), pool["f"].to_numpy()
    col_site[p.shared] = p.pooling.centres["s"].to_numpy(np.int64)
    col_site[p.counts] = p.pooling.counts["s"].to_numpy(np.int64)
    site_xy = np.column_stack([sites["x"].to_numpy(float), sites["y"].to_numpy(float)]) \
        if {"x", "y"} <= set(sites.columns) else np.zeros((n_sites, 2))
    return {"col_site": col_site, "col_team": col_team, "site_xy": site_xy,
            "pair_home": pairs["home"].to_numpy(bool)}
