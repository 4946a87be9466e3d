"""Where a long solve stands, told as it runs: the best plan, the bound, the gap.

A county or region search runs for minutes; a terminal (and, later, the app's run page)
should not sit silent meanwhile. The solver steps tell a `Reporter` what they see (HiGHS
through its callbacks, the site-configuration search after each round); the reporter
keeps the best plan and the highest bound seen in the whole solve, both valid for the
whole model whichever step found them, and passes a `SearchProgress` on to the caller's
`on_progress` at a pace a person can read: the first plan at once, a better one at once
unless a report went out in the last `PLAN_EVERY_S`, and otherwise one every `EVERY_S`
while the search runs.
How a report reads is the caller's (`estate.pipeline`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import highspy

from estate.solve.types import OnProgress, SearchPhase, SearchProgress, relative_gap

# While a search runs, a report at least this often (seconds)...
EVERY_S = 30.0
# ...and a better plan reported at once unless a report went out this recently.
PLAN_EVERY_S = 5.0


class Reporter:
    """The running best plan and bound of one solve, reported at a readable pace.

    `clock` (seconds, increasing) is `time.perf_counter` but for tests.
    """

    def __init__(self, on_progress: OnProgress,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.on_progress = on_progress
        self.clock = clock
        self.started = clock()
        self.last = -math.inf  # when the last report went out
        self.plan = math.nan
        self.bound = -math.inf

    def saw(self, phase: SearchPhase, plan: float = math.nan, bound: float = -math.inf,
            rounds: int = 0, news: bool = False) -> None:
        """A step's current plan (nan: none) and bound (-inf: none). Reported when it
        brings the solve's first plan, or is `news` (a step's end); when the plan beats
        the best so far and the last report is `PLAN_EVERY_S` old; or when the last
        report is `EVERY_S` old. Nothing is reported before there is a plan or a bound
        to tell."""
        now = self.clock()
        first = math.isfinite(plan) and math.isnan(self.plan)
        better = math.isfinite(plan) and not plan >= self.plan  # nan best: any plan is
        if better:
            self.plan = plan
        if math.isfinite(bound) and bound > self.bound:
            self.bound = bound
        if self.bound > self.plan + 1e-6 * abs(self.plan) + 1.0:
            # above a plan beyond rounding: a defect, not a proof (the answer drops such a
            # bound too, `estate.solve._with_bound`); nothing is claimed from it
            self.bound = -math.inf
        if math.isnan(self.plan) and not math.isfinite(self.bound):
            return
        wait = -math.inf if first or news else PLAN_EVERY_S if better else EVERY_S
        if now - self.last < wait:
            return
        self.last = now
        # a bound a hair above the plan (solver tolerances) is the plan: proven
        bound = min(self.bound, self.plan) if math.isfinite(self.plan) else self.bound
        gap = (relative_gap(self.plan, bound)
               if math.isfinite(self.plan) and math.isfinite(bound) else math.inf)
        self.on_progress(SearchProgress(phase, now - self.started, self.plan, bound, gap,
                                        rounds))

    def follow(self, h: highspy.Highs) -> None:
        """Report what HiGHS sees while `h` searches: its improving plans and, between
        them, its plan and bound as its search goes (one thread: HiGHS calls back on the
        thread that runs it). The plans and bounds are the model's NPV when the model was
        passed with its constant as HiGHS's offset (`highs.highs_lp`)."""

        def improved(event: Any) -> None:
            out = event.data_out
            self.saw(SearchPhase.SEARCH, out.objective_function_value, out.mip_dual_bound)

        def searching(event: Any) -> None:
            out = event.data_out
            self.saw(SearchPhase.SEARCH, out.mip_primal_bound, out.mip_dual_bound)

        h.cbMipImprovingSolution.subscribe(improved)
        h.cbMipInterrupt.subscribe(searching)
