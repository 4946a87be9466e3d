"""The bound of a model too big for HiGHS's root LP: PDLP's LP bound, raised by packing
the LP's fractional sites whole, found on a thread of its own beside the window passes.

At region size HiGHS's search does not finish its root LP and states no bound. The LP's
prices come from PDLP instead (`estate.solve.lp_bound`), and the bound they give is
raised site by site (`estate.solve.site_bound`). Planned window by window on two CPUs,
both run on the second CPU while the windows search (`Beside`); with one CPU the LP
bound comes first and is not raised. The registry's HiGHS adapter (`estate.solve`)
decides which, and takes the answer's bound from `with_bounds`.
"""

from __future__ import annotations

import dataclasses
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

from estate.model.arrays import EstateModel
from estate.solve.lp_bound import box_bound, pdlp_prices
from estate.solve.progress import Reporter
from estate.solve.site_bound import raised_bound
from estate.solve.types import SearchPhase, Solution, above_plan, notes, with_bound
from estate.solve.window_passes import STOP_WAIT_S

# Share of the budget (the time limit) the LP bound by PDLP may use on a model of more
# than `first_plan.WINDOW_MIN_COLUMNS` columns (region: about 100 s; benchmarks/README.md),
# before the first plan's steps, or beside them on a second thread when they are window
# passes.
BOUND_SHARE = 0.3
# Found beside the windows, the LP bound is then raised by packing the LP's fractional
# sites whole (`site_bound`) for at most this share of the budget, its CPU kept from the
# windows meanwhile (region: +£17.9m in 60 s, where the windows' second CPU would have
# lowered the plan by less; stated gap 0.94% in three runs, against 1.04-1.06% without;
# benchmarks/README.md).
SITE_BOUND_SHARE = 0.1


# Told a bound as soon as it is found: by which step, and the bound.
BoundTold = Callable[[SearchPhase, float], None]


@dataclass(frozen=True)
class Bounds:
    """The bounds found apart from the search on a big model: PDLP's (the LP's) and the
    same raised by packing fractional sites whole (equal when not raised; -inf: none),
    and a note when one was lost."""

    lp: float = -math.inf
    raised: float = -math.inf
    note: str = ""


def with_bounds(solution: Solution, bounds: Bounds, mip_gap: float) -> Solution:
    """The answer with the raised bound, or with PDLP's own when the raised one came out
    above the plan (a defect in the raising, which PDLP's bound does not share)."""
    if bounds.raised > bounds.lp:
        if not (solution.status.has_plan and above_plan(bounds.raised, solution.objective)):
            return with_bound(solution, bounds.raised, mip_gap,
                              "bound raised by packing sites whole")
        said = notes(solution.message, "the bound raised by packing sites whole came out "
                                       "above a plan and was not used")
        solution = dataclasses.replace(solution, message=said)
    return with_bound(solution, bounds.lp, mip_gap, "LP bound from PDLP")


class Beside:
    """The LP bound (`work`) found on a thread of its own, beside the window passes, and
    told to `reporter` as soon as it is found (and again when raised), unless the caller
    has given up on it (`abandon`: the solve failed or was interrupted). `work` is given
    how to tell and an Event set when the windows are done (`result`) or abandoned, at
    which it stops raising the bound. PDLP itself cannot be stopped: until it tells the
    LP bound the thread is left to end unheard (a daemon thread, so an interrupted run
    exits without waiting for it); after that, `abandon` waits for the raising to stop,
    as a HiGHS still searching when Python exits aborts the process."""

    def __init__(self, work: Callable[[BoundTold, threading.Event], Bounds],
                 reporter: Reporter | None = None) -> None:
        self.bounds = Bounds()
        self.failed: Exception | None = None
        self.abandoned = threading.Event()
        self.stop = threading.Event()
        self.telling = threading.Lock()  # nothing is told once `abandon` returns
        # PDLP has told its bound: what the thread runs from then on can be stopped
        self.pdlp_done = threading.Event()

        def tell(phase: SearchPhase, bound: float) -> None:
            if phase == SearchPhase.LP_BOUND:
                self.pdlp_done.set()
            with self.telling:
                if reporter is not None and not self.abandoned.is_set():
                    reporter.saw(phase, bound=bound, news=True)

        def run() -> None:
            try:
                self.bounds = work(tell, self.stop)
            except Exception as failure:  # noqa: BLE001 - the bound is optional
                self.failed = failure

        self.thread = threading.Thread(target=run, name="estate-bound", daemon=True)
        self.thread.start()

    def running(self) -> bool:
        """Whether the bound is still being worked out (its CPU still taken)."""
        return self.thread.is_alive()

    def abandon(self) -> None:
        with self.telling:
            self.abandoned.set()
        self.stop.set()
        if self.pdlp_done.is_set():  # raising: each site's HiGHS stops at its next check
            self.thread.join(STOP_WAIT_S)

    def result(self) -> Bounds:
        """The bounds (none when their work failed, with a note: the plan does not need
        them, so a failure loses the bound, not the plan). Raising stops here: the
        windows are done."""
        self.stop.set()
        self.thread.join()
        if self.failed is not None:
            return Bounds(note=f"the LP bound from PDLP failed "
                               f"({type(self.failed).__name__}: {self.failed}) and was "
                               f"not used")
        return self.bounds


def teller(reporter: Reporter | None) -> BoundTold | None:
    """Tell `reporter` each bound as news (None: no one to tell)."""
    if reporter is None:
        return None
    return lambda phase, bound: reporter.saw(phase, bound=bound, news=True)


def pdlp_bounds(model: EstateModel, budget_s: float, tell: BoundTold | None,
                stop: threading.Event | None = None) -> Bounds:
    """The LP's bound from PDLP's prices in BOUND_SHARE of `budget_s` (none when PDLP
    ends without prices: HiGHS returns none when its time runs out). Found beside the
    windows (with `stop`), it is then raised by packing the LP's fractional sites whole
    (`site_bound`), in SITE_BOUND_SHARE of `budget_s` or until `stop`; should that
    fail, PDLP's bound stands."""
    prices = pdlp_prices(model, BOUND_SHARE * budget_s)
    if prices is None:
        return Bounds()
    bound = box_bound(model, prices.row_prices)
    if not math.isfinite(bound):
        return Bounds()
    if tell is not None:
        tell(SearchPhase.LP_BOUND, bound)
    if stop is None or stop.is_set():
        return Bounds(bound, bound)
    try:
        raised = raised_bound(model, prices, SITE_BOUND_SHARE * budget_s, stop)
    except Exception as failure:  # noqa: BLE001 - PDLP's bound stands without it
        return Bounds(bound, bound, f"raising the bound by packing sites whole failed "
                                    f"({type(failure).__name__}: {failure}); the LP "
                                    f"bound from PDLP was used")
    if tell is not None and raised.bound > bound:
        tell(SearchPhase.SITE_BOUND, raised.bound)
    return Bounds(bound, raised.bound)
