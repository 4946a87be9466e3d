"""The roadmap: the snapshot's changes scheduled year by year at least discounted cost.

Variables, for each change i of the end state (`estate.programme.changes`) and year t:

    z[i,t] in {0,1}     change i happens in year t;  Z[i,t] = sum_{u<=t} z[i,u]
    w[j,t] in [0,q_j]   pooled share of pool pair j in year t (its saving)
    u[g,c,t] in {0,1}   agency g counts towards centre c in year t
    v[f,t] in {0,1}     team f, moving in shares (split), moves in year t

Rules (`estate.programme.rules` states them in words):

    (1) once:       sum_t z[i,t] <= 1                       (0: not within the horizon);
                    = 1 for a required change (a policy close or keep, an unhoused team)
    (1b) one year:  z[m,t] <= v[f,t] for each move m of a team f with a site today that
                    moves in shares (split), sum_t v[f,t] <= 1: a team moves in one year
    (2) earliest:   z[m,t] = 0 for t before team m's earliest_move (and after it, for
                    a team with no site today: it is placed in its first year), and
                    for a build too late to open within the horizon
    (3) open first: Z[m,t] <= OPEN[s,t] for a move or centre at a site being built, where
                    OPEN[s,t] = Z[build s, t - build_years_s + 1] (0 before year 1)
    (4) empty:      Z[close s,t] <= Z[m,t] for every move m taking a team away from s
    (5) pooling:    w[j,t] <= q_j Z[centre j,t];  w[j,t] <= q_j Z[move j,t] (moved pairs)
    (5b) agencies:  u[g,c,t] <= sum_{j of g at c} w[j,t];
                    sum_g u[g,c,t] >= min_agencies Z[centre c,t]
    (6) capacity:   sum_p need_p (share[p,t] - eff w[p,t]) <= cap_s,t open[s,t], each
                    year, each site a change touches (share and open are linear in Z);
                    cap_s,t is today's use where that is more, before the first year
                    any programme could bring the site within cap_s (`today`)
    (7) coverage:   sum_{s in N(z)} open[s,t] >= 1 each year from the first a site in
                    reach could be open (`today`), for `all` / `maintain` rows that a
                    closing or a build can change
    (8) limits:     per year t, net one-off spend (closures with their surrender,
                    builds, moves, set-ups, minus receipts arriving in t) <= limit_t;
                    FTE moved <= limit; closures <= limit
    (9) one-off:    over the whole programme, the net one-off of the changes made
                    (closures less their sales, whenever the receipt arrives, with the
                    surrender of each closing's year; builds, moves, set-ups) <=
                    policy.max_one_off

Objective: the NPV of cost by the calendar of `estate.timing`, written per z[i,u] by
summing each change's yearly effect over the years it lasts (a closing in year u saves
running_s in every year t >= u, costs closure and L[s,u], and its receipt arrives u +
lag years later). The constant (the status quo's cost) is left out; the cash-flow table
of the schedule found gives the full figure, and must agree with this objective.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from estate.load.scenario import ProgrammeLimits
from estate.model.arrays import EstateModel
from estate.prepare import Prepared
from estate.programme.changes import Changes
from estate.programme.roadmap_rows import (
    Layout,
    build_rows,
    count_groups,
    objective,
    split_teams,
)
from estate.programme.today import Grace
from estate.solve.highs import lp_from_arrays, search
from estate.status import Status


@dataclass(frozen=True)
class RoadmapResult:
    years: np.ndarray  # per change: its year, 0 for never
    status: Status
    objective: float  # the variable part of the NPV of cost (see the module docstring)
    mip_gap: float
    seconds: float
    message: str = ""  # the solver's notes (`estate.solve.highs.search`)


def solve_roadmap(prep: Prepared, model: EstateModel, changes: Changes,
                  limits: ProgrammeLimits, grace: Grace, time_limit_s: float, mip_gap: float
                  ) -> RoadmapResult:
    """Schedule the changes; raises nothing: a roadmap with no schedule has status
    no_solution or infeasible and every year 0. `grace` is the programme's
    `estate.programme.today.grace_of`."""
    if not len(changes):  # the plan keeps the estate as it is: nothing to schedule
        return RoadmapResult(np.zeros(0, dtype=int), Status.OPTIMAL, 0.0, 0.0, 0.0)
    pool_pairs = _pool_pairs(model, changes)
    layout = Layout(len(changes), prep.scenario.horizon_years, pool_pairs,
                    count_groups(model, changes, pool_pairs), split_teams(prep, changes))
    rows, col_ub = build_rows(prep, model, changes, limits, layout, grace)
    cost = objective(prep, model, changes, layout)
    n = layout.size
    matrix = sp.csc_matrix((rows.coefs, (rows.rows, rows.cols)), shape=(len(rows.lb), n))
    integer = np.zeros(n, bool)
    integer[:len(changes) * layout.horizon] = True
    integer[layout.u(0, 1):] = True  # u and v
    lp = lp_from_arrays(matrix, cost, np.zeros(n), col_ub, np.array(rows.lb, float),
                        np.array(rows.ub, float), integer)
    # offered: nothing changes, always a schedule, if a poor one; should HiGHS misvalue
    # it, its search again takes half the time left, the rest kept for the joint model
    found = search(lp, cost, 0.0, bool(integer.any()), time_limit_s, mip_gap, np.zeros(n),
                   again_share=0.5)
    years = np.zeros(len(changes), dtype=int)
    if found.values is not None:
        z = found.values[:len(changes) * layout.horizon].reshape(len(changes),
                                                                 layout.horizon) > 0.5
        years = np.where(z.any(axis=1), z.argmax(axis=1) + 1, 0)
    return RoadmapResult(years, found.status, found.objective, found.mip_gap, found.seconds,
                         found.message)


def _pool_pairs(model: EstateModel, changes: Changes) -> np.ndarray:
    """Rows of model.pool whose pair pools in the end state (each gets a w column)."""
    if not len(model.pool):
        return np.empty(0, dtype=int)
    q = changes.pooled[model.pool["pair"].to_numpy()]
    return np.flatnonzero(q > 1e-6)
