"""The changes that turn today's estate into a plan's end state, and their timing rules.

A schedule gives each change a year (1..H) or none (0: it does not happen within the
horizon). The changes of an end state:

    close(s)    an existing site the plan closes
    build(s)    a candidate the plan opens; it opens build_years - 1 years after
    move(p)     a share a_p of team f placed at a site s != home (pair p); an unhoused
                team's placement is a move that costs no relocation
    centre(c)   a shared centre the plan sets up (type k at site s)

The estate at the end of year t follows from the years (`trajectory`):

    open[s,t]   existing: t < year(close s) or never closed;
                candidate: built in year b and t >= b + build_years - 1
    share[p,t]  a_p once moved (t >= year(move p)); a home pair: 1 - the moved shares
    shared[c,t] t >= year(centre c)
    pooled[p,t] the end state's pooled share q_p once its centre is set up and the team
                sits there (pooling can only free desks and save money, so it starts as
                soon as both hold)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from estate.model.arrays import EstateModel
from estate.prepare import Prepared
from estate.results import State

TOL = 1e-6


@dataclass(frozen=True)
class Changes:
    """The changes between the status quo and an end state, one row each.

    `table` columns: kind, site (row of prep.sites), pair (row of prep.pairs, moves),
    centre (row of model.centres), team (row of prep.functions, moves), amount (the
    share a_p a move places), fte (moved), earliest (first year the change may happen),
    cost (its one-off pounds, paid as its year begins: closure, build, relocation or
    set-up; a surrender, which depends on the year, comes from `estate.timing`),
    required (the change must happen within the horizon: a closing or a build the
    scenario's policy asks for, the placing of a team that has no site today).
    `pooled` is the end state's pooled share per pair."""

    table: pd.DataFrame
    end: State
    pooled: np.ndarray

    def of(self, kind: str) -> np.ndarray:
        return np.flatnonzero(self.table["kind"].to_numpy() == kind)

    def __len__(self) -> int:
        return len(self.table)


def changes_of(prep: Prepared, model: EstateModel, end: State) -> Changes:
    """Every change from the status quo to `end`, with the first year it may happen."""
    sites, pairs, functions = prep.sites, prep.pairs, prep.functions
    sc = prep.scenario
    rows: list[dict[str, object]] = []
    for s in np.flatnonzero(prep.existing & ~end.open):
        rows.append({"kind": "close", "site": s, "cost": float(sites.at[s, "closure_cost"]),
                     "required": bool(prep.forced_closed[s])})
    for s in np.flatnonzero(~prep.existing & end.open):
        rows.append({"kind": "build", "site": s, "cost": float(sites.at[s, "build_cost"]),
                     "required": bool(prep.forced_open[s])})
    home = pairs["home"].to_numpy(bool)
    pf, ps = pairs["f"].to_numpy(), pairs["s"].to_numpy()
    fte = functions["fte"].to_numpy(float)
    earliest = prep.earliest_years
    for p in np.flatnonzero((end.share > TOL) & ~home):
        moved = fte[pf[p]] * end.share[p] if prep.home[pf[p]] >= 0 else 0.0
        rows.append({"kind": "move", "site": ps[p], "pair": p, "team": pf[p],
                     "amount": end.share[p], "fte": moved, "earliest": earliest[pf[p]],
                     "cost": sc.cost_per_fte * moved, "required": bool(prep.home[pf[p]] < 0)})
    for c in np.flatnonzero(end.shared):
        rows.append({"kind": "centre", "site": int(model.centres.at[c, "s"]), "centre": c,
                     "cost": float(sc.setup_cost.get(model.centres.at[c, "k"], 0.0)),
                     "required": False})
    table = pd.DataFrame(rows, columns=["kind", "site", "pair", "centre", "team", "amount",
                                        "fte", "earliest", "cost", "required"])
    defaults = {"site": -1, "pair": -1, "centre": -1, "team": -1, "amount": 0.0, "fte": 0.0,
                "earliest": 1, "cost": 0.0, "required": False}
    table = table.fillna(defaults).astype({"site": int, "pair": int, "centre": int,
                                            "team": int, "earliest": int, "required": bool})
    return Changes(table=table, end=end, pooled=end.pooled.copy())


@dataclass(frozen=True)
class Trajectory:
    """The estate at the end of each year t = 0..H (column t; 0 is today)."""

    open: np.ndarray  # [sites, H+1] bool
    share: np.ndarray  # [pairs, H+1]
    pooled: np.ndarray  # [pairs, H+1]
    shared: np.ndarray  # [centres, H+1] bool

    def state(self, t: int) -> State:
        return State(open=self.open[:, t], share=self.share[:, t], pooled=self.pooled[:, t],
                     shared=self.shared[:, t])


def trajectory(prep: Prepared, model: EstateModel, changes: Changes, years: np.ndarray,
               horizon: int) -> Trajectory:
    """The estate year by year when change i happens in year years[i] (0: never)."""
    t = np.arange(horizon + 1)[None, :]
    table, build_years = changes.table, prep.sites["build_years"].to_numpy(float).astype(int)
    is_open = np.repeat(prep.existing[:, None], horizon + 1, axis=1)
    for i in changes.of("close"):
        y = years[i]
        if y:
            is_open[table.at[i, "site"], :] = t[0] < y
    for i in changes.of("build"):
        s, y = table.at[i, "site"], years[i]
        if y:
            is_open[s, :] = t[0] >= y + build_years[s] - 1
    home = prep.pairs["home"].to_numpy(bool).astype(float)
    share = np.repeat(home[:, None], horizon + 1, axis=1)
    home_pair = home_pairs(prep)
    for i in changes.of("move"):
        p, y = table.at[i, "pair"], years[i]
        if y:
            moved = table.at[i, "amount"] * (t[0] >= y)
            share[p, :] += moved
            h = home_pair[table.at[i, "team"]]
            if h >= 0:
                share[h, :] -= moved
    shared = np.zeros((len(model.centres), horizon + 1), bool)
    for i in changes.of("centre"):
        if years[i]:
            shared[table.at[i, "centre"], :] = t[0] >= years[i]
    pooled = _pooled(model, changes, share, shared)
    return Trajectory(open=is_open, share=np.clip(share, 0.0, 1.0), pooled=pooled,
                      shared=shared)


def home_pairs(prep: Prepared) -> np.ndarray:
    """Per team: the row of its home pair in prep.pairs, -1 when unhoused."""
    out = np.full(len(prep.functions), -1)
    home = prep.pairs["home"].to_numpy(bool)
    out[prep.pairs["f"].to_numpy()[home]] = np.flatnonzero(home)
    return out


def centre_labels(prep: Prepared, model: EstateModel) -> np.ndarray:
    """Per shared centre of the model: "HR at S012"."""
    if not len(model.centres):
        return np.empty(0, object)
    ids = prep.sites["site_id"].to_numpy(object)
    return (model.centres["k"] + " at " + ids[model.centres["s"].to_numpy()]).to_numpy()


def running_change(prep: Prepared, changes: Changes) -> np.ndarray:
    """Per change: the pounds a year it adds to the estate's running cost once it has
    taken effect (negative: it saves), as the roadmap prices it and programme.csv shows it:

        close s                 -running_s
        build s                 +running_s              (from the year s opens)
        move a of team f to p   a (pair_cost_p - pair_cost_home(f))
                                a (annual_f + pair_cost_p) for a team with no home
        centre                  0: its saving is its teams' pooling (`pooling_rate`)
    """
    table = changes.table
    running = prep.sites["running_cost"].to_numpy(float)
    pair_cost = prep.pairs["pair_cost"].to_numpy(float)
    annual = prep.functions["annual_cost"].to_numpy(float)
    home = home_pairs(prep)
    out = np.zeros(len(table))
    for i in range(len(table)):
        kind, s = table.at[i, "kind"], int(table.at[i, "site"])
        if kind in ("close", "build"):
            out[i] = running[s] if kind == "build" else -running[s]
        elif kind == "move":
            p, f, a = int(table.at[i, "pair"]), int(table.at[i, "team"]), table.at[i, "amount"]
            h = home[f]
            out[i] = a * (pair_cost[p] - pair_cost[h] if h >= 0 else annual[f] + pair_cost[p])
    return out


def pooling_rate(prep: Prepared) -> np.ndarray:
    """Per team: eff_f annual_f, the pounds a year pooling the whole team saves."""
    return prep.efficiency * prep.functions["annual_cost"].to_numpy(float)


def _pooled(model: EstateModel, changes: Changes, share: np.ndarray, shared: np.ndarray
            ) -> np.ndarray:
    """q_p while the pair's centre is set up and the team sits there (share >= q_p)."""
    pooled = np.zeros_like(share)
    if not len(model.pool):
        return pooled
    pair = model.pool["pair"].to_numpy()
    centre = model.pool["centre"].to_numpy()
    q = changes.pooled[pair]
    active = shared[centre, :] & (share[pair, :] >= q[:, None] - TOL) & (q[:, None] > TOL)
    pooled[pair, :] = np.where(active, q[:, None], 0.0)
    return pooled
