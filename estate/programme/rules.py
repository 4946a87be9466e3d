"""Whether a schedule can happen: the timing rules and the yearly limits, checked plainly.

A schedule (the year of each change, 0 for never) is possible when

    a change the policy asks for (or the placing of a team with no site) happens;
    a team with no site today is placed in its first year (year 1, or the year of its
    earliest_move), not later: it costs nothing until placed, so a later year would
    book its waiting years as a saving no estate makes;
    a build happens early enough to open within the horizon;
    a team moves into a site that is open that year, and not before its earliest year;
    a team moves in one year: every share of it that moves (split) moves in that year;
    a site closes only in a year by which every team leaving it has left;
    a centre is set up at a site open that year;
    each year, every team sits at open sites, every site holds its teams (desks and
    racks, pooling's savings counted), every `all` / `maintain` coverage rule holds,
    and every centre has min_agencies agencies pooling a whole team's worth there;
    a room or coverage rule the status quo breaks holds from the first year any
    programme could meet it, and before then is no worse than today
    (`estate.programme.today`);
    each year's net one-off spend, staff moved and closures are within the limits;
    the net one-off of every change made is within the scenario's max_one_off.

The roadmap and the joint model encode these as constraints; this module checks them
on a finished schedule, so a test can enumerate schedules by brute force and so every
programme is re-checked before it is reported.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from estate.load.scenario import ProgrammeLimits
from estate.model.arrays import EstateModel
from estate.prepare import Prepared
from estate.programme.changes import Changes, Trajectory
from estate.programme.today import Grace
from estate.results import desks_by_pair

TOL = 1e-6


def violations(prep: Prepared, model: EstateModel, changes: Changes, years: np.ndarray,
               path: Trajectory, limits: ProgrammeLimits, grace: Grace) -> list[str]:
    """Every rule the schedule breaks, named; empty when it can happen. `grace` is the
    programme's `estate.programme.today.grace_of`."""
    out = _order(prep, changes, years, path)
    horizon = path.open.shape[1] - 1
    for t in range(1, horizon + 1):
        out += _at_open(prep, path, t) + _capacity(prep, grace, path, t)
        out += _coverage(prep, grace, path, t)
        out += _agencies(prep, model, path, t)
    out += _limits(prep, changes, years, limits, horizon)
    return out


def _order(prep: Prepared, changes: Changes, years: np.ndarray, path: Trajectory) -> list[str]:
    table, out = changes.table, []
    horizon = path.open.shape[1] - 1
    for i in np.flatnonzero(table["required"].to_numpy(bool) & (years == 0)):
        out.append(f"{table.at[i, 'kind']} {i} is required and never happens")
    for i in changes.of("build"):
        s = int(table.at[i, "site"])
        if years[i] and years[i] + int(prep.sites.at[s, "build_years"]) - 1 > horizon:
            out.append(f"build {i} in year {years[i]} cannot open within the horizon")
    for i in changes.of("move"):
        y, s = int(years[i]), int(table.at[i, "site"])
        if y and not path.open[s, y]:
            out.append(f"move {i} into site {s} in year {y}, before it is open")
        if y and y < int(table.at[i, "earliest"]):
            out.append(f"move {i} in year {y}, before its earliest year")
        if y and prep.home[int(table.at[i, "team"])] < 0 and y > int(table.at[i, "earliest"]):
            out.append(f"move {i} places a team with no site today in year {y}, after its "
                       "first year")
    out += _one_year(prep, changes, years)
    leaving = _moves_from(prep, changes)
    for i in changes.of("close"):
        y, s = int(years[i]), int(table.at[i, "site"])
        if y and any(not years[j] or years[j] > y for j in leaving.get(s, [])):
            out.append(f"site {s} closed in year {y} before its teams left")
    for i in changes.of("centre"):
        y, s = int(years[i]), int(table.at[i, "site"])
        if y and not path.open[s, y]:
            out.append(f"centre {i} at site {s} in year {y}, before the site is open")
    return out


def _one_year(prep: Prepared, changes: Changes, years: np.ndarray) -> list[str]:
    """A team with a site today moves in one year: the shares of it that move (split)
    all move in the same year, so the staff limit counts the team whole in its year."""
    by_team: dict[int, set[int]] = {}
    for i in changes.of("move"):
        f = int(changes.table.at[i, "team"])
        if years[i] and prep.home[f] >= 0:
            by_team.setdefault(f, set()).add(int(years[i]))
    return [f"team {f} moves in years {', '.join(map(str, sorted(ys)))}, not in one year"
            for f, ys in by_team.items() if len(ys) > 1]


def _moves_from(prep: Prepared, changes: Changes) -> dict[int, list[int]]:
    """Per site: the moves that take a team (or a share of one) away from its home there."""
    out: dict[int, list[int]] = {}
    for i in changes.of("move"):
        home = int(prep.home[int(changes.table.at[i, "team"])])
        if home >= 0:
            out.setdefault(home, []).append(int(i))
    return out


def _at_open(prep: Prepared, path: Trajectory, t: int) -> list[str]:
    """Every team (desks or not) sits at sites open in year t."""
    ps = prep.pairs["s"].to_numpy()
    stranded = np.flatnonzero((path.share[:, t] > TOL) & ~path.open[ps, t])
    return [f"year {t}: team {prep.pairs.at[p, 'f']} at site {ps[p]}, which is closed"
            for p in stranded]


def _capacity(prep: Prepared, grace: Grace, path: Trajectory, t: int) -> list[str]:
    state, ps, out = path.state(t), prep.pairs["s"].to_numpy(), []
    for column in ("desks", "racks"):
        used = np.bincount(ps, desks_by_pair(prep, state, column), len(prep.sites))
        cap = grace.room[column][:, t] * state.open
        for s in np.flatnonzero(used > cap + TOL):
            out.append(f"year {t}: site {s} needs {used[s]:g} {column}, has {cap[s]:g}")
    return out


def _coverage(prep: Prepared, grace: Grace, path: Trajectory, t: int) -> list[str]:
    out = []
    for cov, first in zip(prep.coverage, grace.zone_first, strict=True):
        if cov.rule.mode == "population_share":
            continue
        reached = np.zeros(len(prep.zones), bool)
        reached[cov.zone[path.open[cov.site, t]]] = True
        for z in np.flatnonzero(cov.scope & ~reached & (first <= t)):
            out.append(f"year {t}: zone {z} loses {cov.rule.service} ({cov.rule.name})")
    return out


def _agencies(prep: Prepared, model: EstateModel, path: Trajectory, t: int) -> list[str]:
    """A centre runs in year t only with min_agencies agencies each pooling a whole
    team's worth there (the snapshot's agency count, held every year)."""
    if not len(model.pool) or not path.shared[:, t].any():
        return []
    pooled = pd.DataFrame({"c": model.pool["centre"].to_numpy(), "g": model.pool["g"].to_numpy(),
                           "q": path.pooled[model.pool["pair"].to_numpy(), t]})
    by = pooled.groupby(["c", "g"])["q"].sum()
    counted = (by >= 1 - TOL).groupby(level="c").sum()
    out = []
    for c in np.flatnonzero(path.shared[:, t]):
        n = int(counted.get(c, 0))
        if n < prep.scenario.min_agencies:
            out.append(f"year {t}: centre {c} runs with {n} agencies pooling, fewer than "
                       f"{prep.scenario.min_agencies}")
    return out


def yearly_use(prep: Prepared, changes: Changes, years: np.ndarray, horizon: int
               ) -> np.ndarray:
    """Per year 1..H (rows 1..H of a [H+2, 3] array): net one-off spend, staff moved and
    closures, undiscounted, as the yearly limits count them (receipts count in the
    year they arrive)."""
    assert prep.exits is not None
    table, sites = changes.table, prep.sites
    use = np.zeros((horizon + 2, 3))
    for i in np.flatnonzero(years):
        y, s = int(years[i]), int(table.at[i, "site"])
        use[y, 0] += float(table.at[i, "cost"])
        use[y, 1] += float(table.at[i, "fte"])
        if table.at[i, "kind"] == "close":
            use[y, 0] += prep.exits.surrender_paid[s, y]
            use[y, 2] += 1
            arrives = y + int(sites.at[s, "disposal_lag_years"])
            if arrives <= horizon:
                use[arrives, 0] -= float(sites.at[s, "disposal_value"])
    return use


def programme_one_off(prep: Prepared, changes: Changes, years: np.ndarray) -> float:
    """The net one-off of the changes a schedule makes, as the scenario's max_one_off
    counts it: closures less their sales (whenever the receipt arrives) with the
    surrender each closing buys in its year, builds, relocations and set-ups; a change
    left out (year 0) spends nothing."""
    assert prep.exits is not None
    table, total = changes.table, 0.0
    for i in np.flatnonzero(years):
        total += float(table.at[i, "cost"])
        if table.at[i, "kind"] == "close":
            s = int(table.at[i, "site"])
            total += float(prep.exits.surrender_paid[s, int(years[i])]
                           - prep.sites.at[s, "disposal_value"])
    return total


def _limits(prep: Prepared, changes: Changes, years: np.ndarray, limits: ProgrammeLimits,
            horizon: int) -> list[str]:
    use, out = yearly_use(prep, changes, years, horizon), []
    cap = prep.scenario.max_one_off
    if np.isfinite(cap) and (spent := programme_one_off(prep, changes, years)) > cap + 1e-6:
        out.append(f"one-off spend {spent:,.0f} over the whole programme, over "
                   f"policy.max_one_off ({cap:,.0f})")
    for t in range(1, horizon + 1):
        if use[t, 0] > limits.max_one_off_per_year[t - 1] + 1e-6:
            out.append(f"year {t}: one-off spend {use[t, 0]:,.0f} over its limit")
        if use[t, 1] > limits.max_fte_moved_per_year + TOL:
            out.append(f"year {t}: {use[t, 1]:g} FTE moved, over the limit")
        if use[t, 2] > limits.max_closures_per_year + TOL:
            out.append(f"year {t}: {use[t, 2]:g} closures, over the limit")
    return out
