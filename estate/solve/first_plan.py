"""A first plan for models with shared centres, found before the main search.

With pooling, HiGHS's own heuristics often go minutes without a plan better than the
status quo. So before the main search, a model planned whole gets the LP-guided
restricted search (`estate.solve.lp_guided`, in LP_SHARE and RESTRICTED_SHARE of the
limit), its plan polished by window passes (`estate.solve.window_passes`, POLISH_SHARE);
a model of more than WINDOW_MIN_COLUMNS columns, whose LP relaxation is too slow, gets
window passes alone. The plan is handed to the main search as its first plan. The main
search still ranges over every centre, so the optimum and the proof are unchanged; only
the start is.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import highspy
import numpy as np

from estate.model.arrays import EstateModel
from estate.solve.lp_guided import lp_guided
from estate.solve.progress import Reporter
from estate.solve.types import StartReport
from estate.solve.window_passes import MIN_LIMIT_S, WINDOW_COLUMNS, window_start

# Share of the time limit the LP relaxation may use, and the restricted search besides
# (it also gets whatever the LP left of its share).
LP_SHARE = 0.15
RESTRICTED_SHARE = 0.35
# With no time limit, the steps share this many seconds as if it were the limit.
UNLIMITED_BUDGET_S = 600.0
# Models with more columns than this are planned window by window (a 500-site county has
# 22,000; a 5,200-site region 430,000).
WINDOW_MIN_COLUMNS = 60_000
WINDOW_SHARE = 0.6
# After the first plan of a model planned whole, window passes (three windows or more)
# polish it within this share of the time limit (county: £1,413.1m to £1,404.0m in 3 s,
# where the main search found nothing better in 30 s).
POLISH_SHARE = 0.2


def pooled_start(model: EstateModel, lp: highspy.HighsLp, start: np.ndarray | None,
                 time_limit_s: float, mip_gap: float, reporter: Reporter | None = None,
                 window_budget_s: float | None = None,
                 side_by_side: Callable[[], int] = lambda: 1
                 ) -> tuple[np.ndarray | None, StartReport]:
    """Return a better first plan than `start` when one is found, else `start`.

    `lp` is the model as a `highspy.HighsLp`; it is passed to fresh solvers, not changed.
    `reporter` hears each plan the window passes make. A model planned window by window
    (`by_windows`) gets `window_budget_s` seconds for them (default: WINDOW_SHARE of the
    limit). `side_by_side()`: how many windows may be searched at once now
    (`window_start`).
    """
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
    if by_windows(model, start):
        assert start is not None, "by_windows needs a start"
        budget = WINDOW_SHARE * time_limit_s if window_budget_s is None else window_budget_s
        if budget < MIN_LIMIT_S:
            return start, StartReport(False, reason=f"under {MIN_LIMIT_S:g} s left for the "
                                                    "windows")
        return window_start(model, lp, start, budget, mip_gap, reporter=reporter,
                            side_by_side=side_by_side)
    values, report = lp_guided(model, lp, start, LP_SHARE * time_limit_s,
                                (LP_SHARE + RESTRICTED_SHARE) * time_limit_s, mip_gap)
    if not report.used or len(model.col_site) != lp.num_col_:
        return values, report
    assert values is not None, "a used search returns its plan"
    # Polish: the same search again on each part of the map (three at least, of about
    # WINDOW_COLUMNS), the rest held (county: halves and quarters did less well,
    # eighths little).
    k = max(3, math.ceil(len(model.col_site) / WINDOW_COLUMNS))
    better, polish = window_start(model, lp, values, POLISH_SHARE * time_limit_s, mip_gap, k,
                                  reporter, side_by_side)
    if not polish.used:
        return values, report
    return better, dataclasses.replace(
        report, objective=polish.objective, seconds=report.seconds + polish.seconds,
        windows=polish.windows, windows_improved=polish.windows_improved,
        before_windows=report.objective)


def by_windows(model: EstateModel, start: np.ndarray | None) -> bool:
    """Whether `pooled_start` plans `model` window by window: more than
    WINDOW_MIN_COLUMNS columns, and a start to hold outside each window."""
    return (len(model.col_cost) > WINDOW_MIN_COLUMNS and start is not None
            and len(model.col_site) == len(model.col_cost))
