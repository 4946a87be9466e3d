"""The joint model's rows and costs, one step per rule of `estate.programme.joint`,
each over the index arrays of `estate.programme.joint_layout` (all years at once)."""

from __future__ import annotations

import math

import numpy as np

from estate.load.scenario import ProgrammeLimits
from estate.model.arrays import EstateModel
from estate.prepare import Prepared
from estate.programme.joint_layout import ONE, ZERO, Layout, Triplets, split_movers
from estate.programme.today import Grace


def build_rows(rows: Triplets, prep: Prepared, model: EstateModel, limits: ProgrammeLimits,
               lay: Layout, grace: Grace) -> None:
    """Every family of the joint model, in the order of its module docstring; `grace` is
    the programme's `estate.programme.today.grace_of`."""
    add_housed(rows, prep, lay)
    add_at_open(rows, prep, lay)
    add_capacity(rows, prep, model, lay, grace.room)
    add_pooling(rows, model, lay)
    add_counts(rows, prep, model, lay)
    add_coverage(rows, prep, lay, grace.zone_first)
    add_irreversible(rows, prep, lay)
    add_split(rows, prep, lay)
    add_yearly_limits(rows, prep, model, limits, lay)
    add_total_one_off(rows, prep, model, lay)


def _years(items: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """(item, year 1..H) of every cell of an [items, H] grid, ravelled."""
    return np.repeat(np.arange(items), h), np.tile(np.arange(1, h + 1), items)


def add_housed(rows: Triplets, prep: Prepared, lay: Layout) -> None:
    """sum_s assign[f,s,t] = 1 for a housed team; for one with no site today = 1 from
    its first year e_f on (year 1, or its earliest_move's), and 0 before it (its
    columns are fixed at 0 before e_f by the layout). A team whose e_f is after the
    horizon still must be housed in year H, which no plan can: no programme exists."""
    h, pf = lay.horizon, prep.pairs["f"].to_numpy()
    n = len(prep.functions)
    p, t = _years(len(pf), h)
    lo = np.ones((n, h))
    unhoused = prep.home < 0
    first = np.minimum(prep.earliest_years[unhoused], h)
    lo[unhoused] = np.arange(1, h + 1)[None, :] >= first[:, None]
    rows.family(pf[p] * h + t - 1, lay.assign[p, t], 1.0, lo.ravel(), 1.0, n * h)


def add_at_open(rows: Triplets, prep: Prepared, lay: Layout) -> None:
    """assign[f,s,t] <= open[s,t] where s is not open throughout."""
    h, ps = lay.horizon, prep.pairs["s"].to_numpy()
    may_shut = np.flatnonzero((lay.open[ps, 1:] != ONE).any(axis=1))
    p, t = _years(len(may_shut), h)
    m = len(p)
    rows.family(np.concatenate([np.arange(m)] * 2),
                np.concatenate([lay.assign[may_shut[p], t], lay.open[ps[may_shut[p]], t]]),
                np.concatenate([np.ones(m), -np.ones(m)]), -math.inf, 0.0, m)


def add_capacity(rows: Triplets, prep: Prepared, model: EstateModel, lay: Layout,
                 room: dict[str, np.ndarray]) -> None:
    """sum_p need_p assign[p,t] - sum_j need_j eff_j pooled[j,t] <= cap_s,t open[s,t],
    for desks and racks, each year, at each site a team with that need may sit; cap_s,t
    is room[column][s, t] (`estate.programme.today`: the capacity, or today's use
    before the first year a site over it today could be brought within it)."""
    h, pf, ps = lay.horizon, prep.pairs["f"].to_numpy(), prep.pairs["s"].to_numpy()
    qf, qs = model.pool["f"].to_numpy(), model.pool["s"].to_numpy()
    eff = prep.efficiency
    for column in ("desks", "racks"):
        need = prep.functions[column].to_numpy(float)
        cap = room[column]
        sites = np.unique(ps[need[pf] > 0])
        row_of = np.full(len(prep.sites), -1)
        row_of[sites] = np.arange(len(sites))
        pm, qm = np.flatnonzero(need[pf] > 0), np.flatnonzero(need[qf] * eff[qf] > 0)
        p, tp = _years(len(pm), h)
        q, tq = _years(len(qm), h)
        s, ts = _years(len(sites), h)
        rows.family(
            np.concatenate([row_of[ps[pm[p]]] * h + tp - 1, row_of[qs[qm[q]]] * h + tq - 1,
                            s * h + ts - 1]),
            np.concatenate([lay.assign[pm[p], tp], lay.pooled[qm[q], tq],
                            lay.open[sites[s], ts]]),
            np.concatenate([need[pf[pm[p]]], -need[qf[qm[q]]] * eff[qf[qm[q]]],
                            -cap[sites[s], ts]]), -math.inf, 0.0, len(sites) * h)


def _at_most(rows: Triplets, small: np.ndarray, big: np.ndarray) -> None:
    """small[i] <= big[i], elementwise over two equal index arrays."""
    small, big = small.ravel(), big.ravel()
    m = len(small)
    rows.family(np.concatenate([np.arange(m)] * 2), np.concatenate([small, big]),
                np.concatenate([np.ones(m), -np.ones(m)]), -math.inf, 0.0, m)


def add_pooling(rows: Triplets, model: EstateModel, lay: Layout) -> None:
    """pooled[j,t] <= assign[pair j,t]; pooled[j,t] <= shared[centre j,t];
    shared[k,s,t] <= open[s,t]; pooled[j,t-1] <= pooled[j,t].

    The last keeps the plan one end state and a schedule: a pair pools its final share
    from the year its centre runs and its team is there, and never more before (a team
    pooled at home before it moves away, or a home share pooled before part of it
    leaves, would be a saving the schedule cannot state)."""
    if not len(model.pool):
        return
    _at_most(rows, lay.pooled[:, 1:], lay.assign[model.pool["pair"].to_numpy(), 1:])
    _at_most(rows, lay.pooled[:, 1:], lay.shared[model.pool["centre"].to_numpy(), 1:])
    _at_most(rows, lay.shared[:, 1:], lay.open[model.centres["s"].to_numpy(), 1:])
    _never_down(rows, lay.pooled)


def add_counts(rows: Triplets, prep: Prepared, model: EstateModel, lay: Layout) -> None:
    """counts[g,k,s,t] <= sum_{f of g, type k} pooled[f,s,t]; counts <= shared;
    sum_g counts[g,k,s,t] >= min_agencies shared[k,s,t];
    sum_f need_f (1 - eff_f) pooled[f,s,t] <= cap_s shared[k,s,t] (desks, racks)."""
    if not len(model.pool):
        return
    h, n_counts, n_centres = lay.horizon, len(lay.count_centre), len(model.centres)
    g, tg = _years(n_counts, h)
    j, tj = _years(len(model.pool), h)
    rows.family(np.concatenate([g * h + tg - 1, model.pool["count"].to_numpy()[j] * h + tj - 1]),
                np.concatenate([lay.counts[g, tg], lay.pooled[j, tj]]),
                np.concatenate([np.ones(len(g)), -np.ones(len(j))]), -math.inf, 0.0,
                n_counts * h)
    _at_most(rows, lay.counts[:, 1:], lay.shared[lay.count_centre, 1:])
    c, tc = _years(n_centres, h)
    rows.family(np.concatenate([lay.count_centre[g] * h + tg - 1, c * h + tc - 1]),
                np.concatenate([lay.counts[g, tg], lay.shared[c, tc]]),
                np.concatenate([np.ones(len(g)),
                                np.full(len(c), -float(prep.scenario.min_agencies))]),
                0.0, math.inf, n_centres * h)
    qf, centre = model.pool["f"].to_numpy(), model.pool["centre"].to_numpy()
    for column in ("desks", "racks"):
        need = prep.functions[column].to_numpy(float)[qf] * (1 - prep.efficiency[qf])
        cap = prep.sites[column].to_numpy(float)[model.centres["s"].to_numpy()]
        if not (need > 0).any():
            continue
        rows.family(np.concatenate([centre[j] * h + tj - 1, c * h + tc - 1]),
                    np.concatenate([lay.pooled[j, tj], lay.shared[c, tc]]),
                    np.concatenate([need[j], -cap[c]]), -math.inf, 0.0, n_centres * h)


def add_coverage(rows: Triplets, prep: Prepared, lay: Layout,
                 zone_first: tuple[np.ndarray, ...]) -> None:
    """all / maintain: sum_{s in N(z)} open[s,t] >= 1 each year from zone_first[z] (the
    first a site in reach could be open, `estate.programme.today`), for scoped zones no
    site open throughout reaches; population_share in year H: reach[i,z] <= sum_{s in
    N(z)} open[s,H], sum_z pop_z reach[i,z] >= share * total population."""
    h = lay.horizon
    always = (lay.open[:, 1:] == ONE).all(axis=1)
    population = prep.zones["population"].to_numpy(float)
    for cov, first in zip(prep.coverage, zone_first, strict=True):
        if cov.rule.mode == "population_share":
            zones, cols = lay.reach[cov.rule.index]
            row_of = np.full(len(prep.zones), -1)
            row_of[zones] = np.arange(len(zones))
            rows.family(np.concatenate([np.arange(len(zones)), row_of[cov.zone]]),
                        np.concatenate([cols, lay.open[cov.site, h]]),
                        np.concatenate([np.ones(len(zones)), -np.ones(len(cov.zone))]),
                        -math.inf, 0.0, len(zones))
            if population.sum() > 0:
                rows.family(np.zeros(len(zones)), cols, population[zones],
                            cov.rule.population_share * population.sum(), math.inf, 1)
            continue
        safe = np.zeros(len(prep.zones), bool)
        safe[cov.zone[always[cov.site]]] = True
        zones = np.flatnonzero(cov.scope & ~safe)
        row_of = np.full(len(prep.zones), -1)
        row_of[zones] = np.arange(len(zones))
        keep = np.flatnonzero(row_of[cov.zone] >= 0)
        k, t = _years(len(keep), h)
        z, tz = _years(len(zones), h)
        rows.family(row_of[cov.zone[keep[k]]] * h + t - 1, lay.open[cov.site[keep[k]], t],
                    1.0, np.where(tz >= first[zones[z]], 1.0, -math.inf), math.inf,
                    len(zones) * h)


def _never_down(rows: Triplets, idx: np.ndarray, sign: float = 1.0) -> None:
    """sign (x[i,t] - x[i,t-1]) >= 0 for t = 2..H, where the two are different columns."""
    now, before = idx[:, 2:].ravel(), idx[:, 1:-1].ravel()
    keep = now != before
    now, before = now[keep], before[keep]
    m = len(now)
    rows.family(np.concatenate([np.arange(m)] * 2), np.concatenate([now, before]),
                np.concatenate([np.full(m, sign), np.full(m, -sign)]), 0.0, math.inf, m)


def add_irreversible(rows: Triplets, prep: Prepared, lay: Layout) -> None:
    """open[s,t] <= open[s,t-1]; built, shared and assign[f,s,t] (s not f's home) never
    fall: a closing, a build, a centre and a move are done once and stay done."""
    _never_down(rows, lay.open[prep.existing], -1.0)
    _never_down(rows, lay.built[~prep.existing])
    _never_down(rows, lay.shared)
    _never_down(rows, lay.assign[~prep.pairs["home"].to_numpy(bool)])


def add_split(rows: Triplets, prep: Prepared, lay: Layout) -> None:
    """With split, a team with a site today moves in one year, its shares each at once:
    sum_{p away from home, of f} (assign[p,t] - assign[p,t-1]) <= move_year[f,t] and
    sum_t move_year[f,t] <= 1. Away shares never fall (`add_irreversible`), so in every
    other year they stay as they were: each is 0 before f's year and its final size from
    it, and the home share, 1 less them, changes in that year alone."""
    if not prep.scenario.split:
        return
    h, pf = lay.horizon, prep.pairs["f"].to_numpy()
    away = np.flatnonzero(~prep.pairs["home"].to_numpy(bool) & (prep.home[pf] >= 0))
    teams = split_movers(prep)
    row_of = np.full(len(prep.functions), -1)
    row_of[teams] = np.arange(len(teams))
    p, t = _years(len(away), h)
    f, u = _years(len(teams), h)
    m = len(teams) * h
    rows.family(np.concatenate([row_of[pf[away[p]]] * h + t - 1] * 2 + [f * h + u - 1]),
                np.concatenate([lay.assign[away[p], t], lay.assign[away[p], t - 1],
                                lay.move_year[teams[f], u]]),
                np.concatenate([np.ones(len(p)), -np.ones(len(p)), -np.ones(m)]),
                -math.inf, 0.0, m)
    rows.family(f, lay.move_year[teams[f], u], 1.0, -math.inf, 1.0, len(teams))


def steps(idx: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """sum_{i,t} k[i,t] (x[i,t] - x[i,t-1]), t = 1..H, as (year - 1, column, coef)."""
    n, h = k.shape
    year = np.tile(np.arange(h), n)
    return (np.concatenate([year, year]), np.concatenate([idx[:, 1:].ravel(),
                                                          idx[:, :-1].ravel()]),
            np.concatenate([k.ravel(), -k.ravel()]))


def one_off_terms(prep: Prepared, model: EstateModel, lay: Layout
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each year's net one-off spend, undiscounted, as (year - 1, column, coef): closure
    and surrender in the closing year, receipts lag years later (dropped past H), builds
    when decided, relocation when a team moves, set-up when a centre opens."""
    assert prep.exits is not None
    h, sites, sc = lay.horizon, prep.sites, prep.scenario
    e = prep.exits
    parts = []
    closing = np.flatnonzero(prep.existing & ~prep.forced_open)
    spend = sites["closure_cost"].to_numpy(float)[closing, None] + e.surrender_paid[closing,
                                                                                     1:h + 1]
    parts.append(steps(lay.open[closing], -spend))
    lag = sites["disposal_lag_years"].to_numpy(float).astype(int)[closing]
    value = sites["disposal_value"].to_numpy(float)[closing]
    year, col, coef = steps(lay.open[closing], np.repeat(value[:, None], h, axis=1))
    year = year + np.tile(np.repeat(lag, h), 2)
    parts.append((year[year < h], col[year < h], coef[year < h]))
    candidates = np.flatnonzero(~prep.existing)
    build = sites["build_cost"].to_numpy(float)[candidates]
    parts.append(steps(lay.built[candidates], np.repeat(build[:, None], h, axis=1)))
    move = _relocation(prep)
    parts.append(steps(lay.assign, np.repeat(move[:, None], h, axis=1)))
    setup = model.centres["k"].map(sc.setup_cost).fillna(0.0).to_numpy(float) \
        if len(model.centres) else np.empty(0)
    parts.append(steps(lay.shared, np.repeat(setup[:, None], h, axis=1)))
    return tuple(np.concatenate(a) for a in zip(*parts, strict=True))  # type: ignore[return-value]


def _relocation(prep: Prepared) -> np.ndarray:
    """Per pair: cost_per_fte x fte when it takes a housed team away from home, else 0."""
    pf = prep.pairs["f"].to_numpy()
    away = (prep.home[pf] >= 0) & ~prep.pairs["home"].to_numpy(bool)
    return np.where(away, prep.scenario.cost_per_fte * prep.functions["fte"].to_numpy(float)[pf],
                    0.0)


def add_yearly_limits(rows: Triplets, prep: Prepared, model: EstateModel,
                      limits: ProgrammeLimits, lay: Layout) -> None:
    """Per year t: net one-off spend <= max_one_off_per_year[t]; FTE moved (housed teams
    leaving home) <= max_fte_moved_per_year; closures <= max_closures_per_year."""
    h = lay.horizon
    cap = np.asarray(limits.max_one_off_per_year, float)
    if np.isfinite(cap).any():
        year, col, coef = one_off_terms(prep, model, lay)
        rows.family(year, col, coef, -math.inf, np.where(np.isfinite(cap), cap, math.inf), h)
    if math.isfinite(limits.max_fte_moved_per_year):
        pf = prep.pairs["f"].to_numpy()
        away = (prep.home[pf] >= 0) & ~prep.pairs["home"].to_numpy(bool)
        fte = np.where(away, prep.functions["fte"].to_numpy(float)[pf], 0.0)
        rows.family(*steps(lay.assign[away], np.repeat(fte[away, None], h, axis=1)),
                    -math.inf, limits.max_fte_moved_per_year, h)
    if math.isfinite(limits.max_closures_per_year):
        closing = np.flatnonzero(prep.existing & ~prep.forced_open)
        rows.family(*steps(lay.open[closing], -np.ones((len(closing), h))), -math.inf,
                    limits.max_closures_per_year, h)


def add_total_one_off(rows: Triplets, prep: Prepared, model: EstateModel,
                      lay: Layout) -> None:
    """The scenario's max_one_off over the whole programme, as the snapshot counts it:
    sum_s (closure - disposal) (1 - open[s,H]) + the surrenders the closings pay (in the
    year each closes, `one_off_terms`) + builds + relocations + set-ups."""
    if not math.isfinite(prep.scenario.max_one_off):
        return
    h, sites = lay.horizon, prep.sites
    closing = np.flatnonzero(prep.existing & ~prep.forced_open)
    net = (sites["closure_cost"].to_numpy(float) - sites["disposal_value"].to_numpy(float))
    candidates = np.flatnonzero(~prep.existing)
    setup = model.centres["k"].map(prep.scenario.setup_cost).fillna(0.0).to_numpy(float) \
        if len(model.centres) else np.empty(0)
    cols = np.concatenate([lay.open[closing, h], lay.built[candidates, h], lay.assign[:, h],
                           lay.shared[:, h]])
    coefs = np.concatenate([-net[closing], sites["build_cost"].to_numpy(float)[candidates],
                            _relocation(prep), setup])
    assert prep.exits is not None
    _, paid_cols, paid = steps(lay.open[closing], -prep.exits.surrender_paid[closing, 1:h + 1])
    cols, coefs = np.concatenate([cols, paid_cols]), np.concatenate([coefs, paid])
    rows.family(np.zeros(len(cols)), cols, coefs, -math.inf,
                prep.scenario.max_one_off - float(net[closing].sum()), 1)


def objective(prep: Prepared, model: EstateModel, lay: Layout) -> np.ndarray:
    """Each column's share of the NPV of cost (module docstring of `joint`); the
    constants land on ONE, so the objective is the whole NPV."""
    assert prep.calendar is not None and prep.exits is not None
    h, cal, e, sites = lay.horizon, prep.calendar, prep.exits, prep.sites
    d_end, d_start = cal.d_end[1:h + 1], cal.d_start[1:h + 1]
    cost = np.zeros(lay.n)
    np.add.at(cost, lay.open[:, 1:], sites["running_cost"].to_numpy(float)[:, None] * d_end)
    closing = np.flatnonzero(prep.existing & ~prep.forced_open)
    exit_npv = (e.closure + e.leave - e.receipt)[closing, 1:h + 1]
    _, col, coef = steps(lay.open[closing], -exit_npv)
    np.add.at(cost, col, coef)
    candidates = np.flatnonzero(~prep.existing)
    build = sites["build_cost"].to_numpy(float)[candidates, None] * d_start
    _, col, coef = steps(lay.built[candidates], build)
    np.add.at(cost, col, coef)
    pf = prep.pairs["f"].to_numpy()
    annual_f = prep.functions["annual_cost"].to_numpy(float)
    team = annual_f[pf] + prep.pairs["pair_cost"].to_numpy(float)
    np.add.at(cost, lay.assign[:, 1:], team[:, None] * d_end)
    _, col, coef = steps(lay.assign, _relocation(prep)[:, None] * d_start)
    np.add.at(cost, col, coef)
    if len(model.pool):
        qf = model.pool["f"].to_numpy()
        np.add.at(cost, lay.pooled[:, 1:], -(prep.efficiency[qf] * annual_f[qf])[:, None]
                  * d_end)
        setup = model.centres["k"].map(prep.scenario.setup_cost).fillna(0.0).to_numpy(float)
        _, col, coef = steps(lay.shared, setup[:, None] * d_start)
        np.add.at(cost, col, coef)
    cost[ZERO] = 0.0
    return cost
