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
import threading
import time
from collections.abc import Callable

import highspy
import numpy as np

from estate.solve.types import (
    OnProgress,
    SearchPhase,
    SearchProgress,
    above_plan,
)

# While a search runs, a report at least this often (seconds)...
EVERY_S = 30.0
# ...and a better plan reported at once unless a report went out this recently.
PLAN_EVERY_S = 5.0


class Reporter:
    """The running best plan and bound of one solve, reported at a readable pace.

    Listening never changes the answer: a listener that fails stops being told (the
    solve goes on), and a KeyboardInterrupt a listener raises inside HiGHS's callback
    stops that search and is raised again once HiGHS has returned (`interrupted`),
    instead of being lost in HiGHS, which would end the search with no plan. (Ctrl-C
    itself is held back while HiGHS runs: `estate.solve.highs.run`.)
    `clock` (seconds, increasing) is `time.perf_counter` but for tests.
    """

    def __init__(self, on_progress: OnProgress,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.on_progress: OnProgress | None = on_progress
        self.clock = clock
        self.started = clock()
        self.last = -math.inf  # when the last report went out
        self.plan = math.nan
        self.bound = -math.inf
        self.held = False  # a better plan not yet reported (one went out too recently)
        self.told: tuple[SearchPhase, float | None, float | None] | None = None
        # steps running side by side (the LP bound beside the windows) report in turn
        self.lock = threading.Lock()
        self.interrupt: BaseException | None = None

    def saw(self, phase: SearchPhase, plan: float = math.nan, bound: float = -math.inf,
            rounds: int = 0, news: bool = False) -> None:
        """A step's current plan (nan: none) and bound (-inf: none). Reported when it
        brings the solve's first plan, or is `news` (a step's end); when a better plan
        than the last reported is waiting and the last report is `PLAN_EVERY_S` old; or
        when the last report is `EVERY_S` old. Nothing is reported before there is a
        plan or a bound to tell. A bound above the plan beyond rounding is no proof
        (`bound_above_plan`): it is not taken, and one taken before a plan showed it to
        be so is dropped."""
        with self.lock:
            self._saw(phase, plan, bound, rounds, news)

    def _saw(self, phase: SearchPhase, plan: float, bound: float, rounds: int,
             news: bool) -> None:
        now = self.clock()
        first = math.isfinite(plan) and math.isnan(self.plan)
        if math.isfinite(plan) and not plan >= self.plan:  # nan best: any plan is better
            self.plan, self.held = plan, True
        if self.bound_above_plan(self.bound):
            self.bound = -math.inf
        if math.isfinite(bound) and bound > self.bound and not self.bound_above_plan(bound):
            self.bound = bound
        if math.isnan(self.plan) and not math.isfinite(self.bound):
            return
        if first or news:
            wait = -math.inf
        else:
            wait = PLAN_EVERY_S if self.held else EVERY_S
        if now - self.last < wait or self.on_progress is None:
            return
        # a bound a hair above the plan (solver tolerances) is the plan: proven
        bound = min(self.bound, self.plan) if math.isfinite(self.plan) else self.bound
        told = (phase, _finite(self.plan), _finite(bound))
        if told == self.told and now - self.last < EVERY_S:
            return  # a step's end that says nothing the last report did not
        self.last, self.held, self.told = now, False, told
        try:
            self.on_progress(SearchProgress(phase, now - self.started, self.plan, bound,
                                            rounds))
        except Exception:  # noqa: BLE001 - a listener's failure must not end the solve
            self.on_progress = None

    def bound_above_plan(self, bound: float) -> bool:
        """`bound` is above the best plan beyond rounding (`types.above_plan`)."""
        return math.isfinite(self.plan) and above_plan(bound, self.plan)

    def follow(self, h: highspy.Highs, price: Callable[[np.ndarray], float]) -> None:
        """Report what HiGHS sees while `h` searches: its improving plans and, between
        them, its bound as its search goes (one thread: HiGHS calls back on the thread
        that runs it). Each plan is shown at `price` of the vector HiGHS found, not at the
        objective HiGHS gives beside it: HiGHS 1.16 can value an offered plan below its
        price (`estate.solve.highs.priced_plan`), and a plan shown must be one that
        exists. The bounds are the model's NPV when the model was passed with its
        constant as HiGHS's offset (`highs.highs_lp`). Call `interrupted` once `h.run()`
        has returned."""

        def improved(event: highspy.HighsCallbackEvent) -> None:
            out = event.data_out
            self._guarded(event, lambda: price(np.asarray(out.mip_solution, dtype=float)),
                          lambda: out.mip_dual_bound)

        def searching(event: highspy.HighsCallbackEvent) -> None:
            self._guarded(event, lambda: math.nan, lambda: event.data_out.mip_dual_bound)

        h.cbMipImprovingSolution.subscribe(improved)
        h.cbMipInterrupt.subscribe(searching)

    def _guarded(self, event: highspy.HighsCallbackEvent, plan: Callable[[], float],
                 bound: Callable[[], float]) -> None:
        """`saw` from inside HiGHS, the plan and bound read (and the plan priced) inside
        the guard: an interrupt met here stops HiGHS's search (on the interrupt callback;
        the next one when it came with a plan) and is kept for `interrupted`."""
        if self.interrupt is not None:
            event.interrupt()
            return
        try:
            self.saw(SearchPhase.SEARCH, plan(), bound())
        except BaseException as stop:  # noqa: BLE001 - Ctrl-C: raised after HiGHS returns
            self.interrupt = stop
            event.interrupt()

    def interrupted(self) -> None:
        """Raise again an interrupt met inside HiGHS's callback, now HiGHS has returned."""
        if self.interrupt is not None:
            stop, self.interrupt = self.interrupt, None
            raise stop


def _finite(value: float) -> float | None:
    """`value`, or None when it is not finite (nan != nan: two reports of no plan are
    the same report)."""
    return value if math.isfinite(value) else None
