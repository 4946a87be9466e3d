"""The LP-guided restricted search: a first plan for a model with shared centres, or for
one window of it (`estate.solve.window_passes`).

With pooling, HiGHS's own heuristics often find nothing better than the status quo for
minutes (a county of 500 sites: none in 150 s), because a good plan needs several
agencies' whole teams moved to the same few big sites at once. The LP relaxation knows
roughly where centres pay; so:

1. solve the LP relaxation (a bounded share of the time limit);
2. solve the MIP again with centres allowed only where the LP opened some of one,
   starting from the status quo (a smaller search that finds whole-team plans fast).

`estate.solve.first_plan` hands the plan to the main search.
"""

from __future__ import annotations

import threading
import time

import highspy
import numpy as np
import scipy.sparse as sp

from estate.model.arrays import EstateModel
from estate.solve.highs import lp_from_arrays, new_highs, offer_solution, run, stoppable
from estate.solve.types import StartReport

# The LP value below which a centre is left out of the restricted search, and below
# which a team's move is left out unless home or to an allowed centre.
CENTRE_THRESHOLD = 0.05
PAIR_THRESHOLD = 0.01


def rows_of(csc: sp.csc_matrix, cols: np.ndarray) -> np.ndarray:
    """Rows with a nonzero in any of `cols` (of a CSC matrix)."""
    if len(cols) == 0:
        return np.empty(0, np.int64)
    return np.unique(csc[:, cols].indices)


def _sub_lp(model: EstateModel, csc: sp.csc_matrix, plan: np.ndarray, cols: np.ndarray
            ) -> highspy.HighsLp:
    """The model over `cols` only, every other column held at its value in `plan`:
    the rows that touch `cols`, their bounds less the held columns' activity."""
    held = plan.copy()
    held[cols] = 0.0
    activity = model.matrix @ held
    sub = csc[:, cols]
    rows = np.unique(sub.indices)
    sub = sub[rows, :].tocsc()
    return lp_from_arrays(sub, model.col_cost[cols], model.col_lb[cols], model.col_ub[cols],
                          model.row_lb[rows] - activity[rows],
                          model.row_ub[rows] - activity[rows], model.col_integer[cols])


def tidy(model: EstateModel, values: np.ndarray) -> np.ndarray:
    """A plan with integer columns exactly integral and every value inside its bounds,
    so that holding it fixed in the next window is exactly feasible."""
    x = np.clip(np.asarray(values, dtype=float), model.col_lb, model.col_ub)
    x[model.col_integer] = np.round(x[model.col_integer])
    pooled = model.blocks.get("pooled")
    if pooled is not None:  # binary in the restricted search (whole teams): 1 - 1e-9 is 1
        p = x[pooled]
        near = np.abs(p - np.round(p)) <= 1e-6
        p[near] = np.round(p[near])
        x[pooled] = p
    return x




def lp_guided(model: EstateModel, lp: highspy.HighsLp, start: np.ndarray | None,
               lp_seconds: float, total_seconds: float, mip_gap: float,
               fixed: np.ndarray | None = None, csc: sp.csc_matrix | None = None,
               stop: threading.Event | None = None
               ) -> tuple[np.ndarray | None, StartReport]:
    """The LP relaxation, then the MIP restricted where the LP points (module docstring).

    `fixed`, a column mask, holds those columns at their value in `start`: the two
    searches then run on the model over the other columns only (`_sub_lp`). Once `stop`
    is set, HiGHS stops at its next check (a run being interrupted).
    """
    t0 = time.perf_counter()
    n_full = len(model.col_cost)
    if fixed is not None and start is not None:
        cols = np.flatnonzero(~fixed)
        lp = _sub_lp(model, model.matrix.tocsc() if csc is None else csc, start, cols)
    else:
        cols = np.arange(n_full)
    pos = np.full(n_full, -1, np.int64)
    pos[cols] = np.arange(len(cols))

    def full(sub_values: np.ndarray) -> np.ndarray:
        out = start.copy() if start is not None else np.zeros(n_full)
        out[cols] = sub_values
        return out

    def local(full_cols: np.ndarray) -> np.ndarray:  # full indices -> free ones, as sub's
        p = pos[full_cols]
        return p[p >= 0].astype(np.int32)

    relaxed = _relaxation(lp, lp_seconds, stop)
    if relaxed is None:
        return start, StartReport(False, seconds=time.perf_counter() - t0,
                                  reason="LP relaxation not solved in its share of the time")
    x = full(relaxed)
    lp_bound = float(model.col_cost @ x) + model.obj_constant
    allowed, left_out = _where_the_lp_points(model, x)
    left_out = local(left_out)
    if start is not None:  # a column the start uses stays open to it
        left_out = left_out[start[cols[left_out]] <= 1e-9]
    found = _restricted(lp, total_seconds - (time.perf_counter() - t0), max(mip_gap, 1e-3),
                        left_out, local(_binary_shares(model)),
                        start[cols] if start is not None else None, stop)
    seconds = time.perf_counter() - t0
    n_allowed = int(allowed.sum())
    if found is None:
        return start, StartReport(False, lp_bound, centres_allowed=n_allowed,
                                  seconds=seconds, reason="no plan in the restricted search")
    values = full(found)
    objective = float(model.col_cost @ values) + model.obj_constant  # the vector, priced
    if start is not None and objective >= float(model.col_cost @ start) + model.obj_constant:
        return start, StartReport(False, lp_bound, objective, n_allowed, seconds,
                                  "no better than the given start")
    return values, StartReport(True, lp_bound, objective, n_allowed, seconds)


def _relaxation(lp: highspy.HighsLp, seconds: float, stop: threading.Event | None = None
                ) -> np.ndarray | None:
    """Step 1: the LP relaxation's column values (None: not solved within `seconds`)."""
    n = lp.num_col_
    h = stoppable(new_highs(seconds, 0.0), stop)
    h.passModel(lp)
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32),
                            np.full(n, highspy.HighsVarType.kContinuous))
    run(h)
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return np.asarray(h.getSolution().col_value, dtype=float)


def _where_the_lp_points(model: EstateModel, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The centres the LP relaxation `x` opened part of (a mask over the centres), and the
    columns the restricted search leaves out (model indices): the other centres, and the
    moves of a team the LP made none of, unless home or to an allowed centre."""
    shared, assign = model.blocks["shared"], model.blocks["assign"]
    allowed = x[shared] >= CENTRE_THRESHOLD
    keep_pair = (x[assign] > PAIR_THRESHOLD) | model.pair_home
    pool = model.pool
    at_allowed = allowed[pool["centre"].to_numpy()]
    keep_pair[pool["pair"].to_numpy()[at_allowed]] = True
    left_out = np.concatenate([
        np.arange(shared.start, shared.stop, dtype=np.int32)[~allowed],
        np.arange(assign.start, assign.stop, dtype=np.int32)[~keep_pair]])
    return allowed, left_out


def _binary_shares(model: EstateModel) -> np.ndarray:
    """Pooled-share columns (model indices) the restricted search may treat as binary.

    With whole teams a pooled share can be rounded up to 1 at no loss, so each centre's
    capacity row becomes a knapsack of binaries, and the search finds far better plans
    (county: £1,409.8m against £1,444.1m in 42 s). None with split teams.
    """
    assign, pooled = model.blocks["assign"], model.blocks.get("pooled")
    whole_teams = assign.stop > assign.start and bool(model.col_integer[assign].all())
    if not whole_teams or pooled is None:
        return np.empty(0, np.int64)
    return np.arange(pooled.start, pooled.stop)


def _restricted(lp: highspy.HighsLp, seconds: float, mip_gap: float, left_out: np.ndarray,
                binary: np.ndarray, start: np.ndarray | None,
                stop: threading.Event | None = None) -> np.ndarray | None:
    """Step 2: the MIP with the `left_out` columns held at 0 and the `binary` ones made
    integer, from `start`; its plan's column values (None: no plan within `seconds`)."""
    h = stoppable(new_highs(seconds, mip_gap), stop)
    h.passModel(lp)
    if len(binary):
        h.changeColsIntegrality(len(binary), binary,
                                np.full(len(binary), highspy.HighsVarType.kInteger))
    if len(left_out):
        zero = np.zeros(len(left_out))
        h.changeColsBounds(len(left_out), left_out, zero, zero)
    if start is not None:
        offer_solution(h, start)
    run(h)
    if h.getInfo().primal_solution_status != 2:  # kSolutionStatusFeasible
        return None
    return np.asarray(h.getSolution().col_value, dtype=float)
