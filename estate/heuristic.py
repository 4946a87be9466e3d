"""A first plan for models with shared centres, found before the main search.

With pooling, HiGHS's own heuristics often find nothing better than the status quo for
minutes (a county of 500 sites: none in 150 s), because a good plan needs several
agencies' whole teams moved to the same few big sites at once. The LP relaxation knows
roughly where centres pay; so:

1. solve the LP relaxation (a bounded share of the time limit);
2. solve the MIP again with centres allowed only where the LP opened some of one,
   starting from the status quo (a smaller search that finds whole-team plans fast);
3. hand its plan to the main search as the first plan. The main search still ranges
   over every centre, so the optimum and the proof are unchanged; only the start is.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from estate.model import EstateModel

# Share of the time limit each step may use, and the LP value below which a centre is
# left out of the restricted search.
LP_SHARE = 0.15
RESTRICTED_SHARE = 0.35
CENTRE_THRESHOLD = 0.05
PAIR_THRESHOLD = 0.01
# With no time limit, the steps share this many seconds as if it were the limit.
UNLIMITED_BUDGET_S = 600.0
# Below this limit the steps would take time the main search needs more.
MIN_LIMIT_S = 5.0


@dataclass(frozen=True)
class StartReport:
    """What the first-plan step did, for progress lines and the benchmark."""

    used: bool
    lp_bound: float = math.nan
    objective: float = math.nan
    centres_allowed: int = 0
    seconds: float = 0.0
    reason: str = ""


def new_highs(time_limit: float, mip_gap: float, verbose: bool = False):  # noqa: ANN201 (highspy.Highs)
    """A `highspy.Highs` with estate's settings: one thread, the limit and the gap."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", bool(verbose))
    h.setOptionValue("threads", 1)
    h.setOptionValue("time_limit", max(float(time_limit), 0.01))
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    return h


def offer_solution(h, values: np.ndarray) -> None:  # noqa: ANN001
    """Give a `highspy.Highs` a full column vector as a first plan (dropped if infeasible)."""
    import highspy

    sol = highspy.HighsSolution()
    sol.col_value = list(map(float, values))
    sol.value_valid = True
    h.setSolution(sol)


def pooled_start(model: EstateModel, lp, start: np.ndarray | None, time_limit_s: float,  # noqa: ANN001
                 mip_gap: float) -> tuple[np.ndarray | None, StartReport]:
    """Return a better first plan than `start` when one is found, else `start`.

    `lp` is the model as a `highspy.HighsLp`; it is passed to fresh solvers, not changed.
    """
    import highspy

    shared = model.blocks.get("shared")
    if shared is None or shared.stop == shared.start:
        return start, StartReport(False, reason="no shared centres")
    assign = model.blocks.get("assign")
    if assign is None or len(model.pair_home) != assign.stop - assign.start:
        return start, StartReport(False, reason="not a planning model (no teams' homes)")
    if not np.isfinite(time_limit_s):
        time_limit_s = UNLIMITED_BUDGET_S
    if time_limit_s < MIN_LIMIT_S:
        return start, StartReport(False, reason=f"time limit under {MIN_LIMIT_S:g} s")
    t0 = time.perf_counter()
    # 1. LP relaxation
    n = lp.num_col_
    every = np.arange(n, dtype=np.int32)
    h = new_highs(LP_SHARE * time_limit_s, 0.0)
    h.passModel(lp)
    h.changeColsIntegrality(n, every, np.full(n, highspy.HighsVarType.kContinuous))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return start, StartReport(False, seconds=time.perf_counter() - t0,
                                  reason="LP relaxation not solved in its share of the time")
    x = np.asarray(h.getSolution().col_value, dtype=float)
    lp_bound = h.getInfo().objective_function_value + model.obj_constant
    # 2. restricted MIP: centres only where the LP opened part of one
    allowed = x[shared] >= CENTRE_THRESHOLD
    left_out = np.arange(shared.start, shared.stop, dtype=np.int32)[~allowed]
    # Teams stay home, go where the LP put some of them, or join an allowed centre.
    keep_pair = x[assign] > PAIR_THRESHOLD
    home = model.pair_home
    keep_pair |= home
    pool = model.pool
    at_allowed = allowed[pool["centre"].to_numpy()]
    keep_pair[pool["pair"].to_numpy()[at_allowed]] = True
    left_out = np.concatenate([left_out, np.arange(assign.start, assign.stop,
                                                   dtype=np.int32)[~keep_pair]])
    left = RESTRICTED_SHARE * time_limit_s - (time.perf_counter() - t0)
    h = new_highs(left, max(mip_gap, 1e-3))
    h.passModel(lp)
    pooled = model.blocks.get("pooled")
    whole_teams = bool(model.col_integer[assign].all()) if assign.stop > assign.start else False
    if whole_teams and pooled is not None and pooled.stop > pooled.start:
        # With whole teams a pooled share can be rounded up to 1 at no loss, so here it
        # is binary: each centre's capacity row becomes a knapsack of binaries, and the
        # search finds far better plans (county: £1,409.8m against £1,444.1m in 42 s).
        cols = np.arange(pooled.start, pooled.stop, dtype=np.int32)
        h.changeColsIntegrality(len(cols), cols,
                                np.full(len(cols), highspy.HighsVarType.kInteger))
    if len(left_out):
        zero = np.zeros(len(left_out))
        h.changeColsBounds(len(left_out), left_out, zero, zero)
    if start is not None:
        offer_solution(h, start)
    h.run()
    info = h.getInfo()
    seconds = time.perf_counter() - t0
    if info.primal_solution_status != 2:
        return start, StartReport(False, lp_bound, centres_allowed=int(allowed.sum()),
                                  seconds=seconds, reason="no plan in the restricted search")
    values = np.asarray(h.getSolution().col_value, dtype=float)
    objective = float(model.col_cost @ values) + model.obj_constant  # the vector, priced
    if start is not None and objective >= float(model.col_cost @ start) + model.obj_constant:
        return start, StartReport(False, lp_bound, objective, int(allowed.sum()), seconds,
                                  "no better than the given start")
    return values, StartReport(True, lp_bound, objective, int(allowed.sum()), seconds)
