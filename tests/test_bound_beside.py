"""estate.solve.bound_beside: the bound found beside the windows is told, stopped and
abandoned as the solve needs, and a raised bound that fails or comes out above the plan
leaves PDLP's own.

Oracles: the brute force's optima (tests/test_bruteforce.py), a real HiGHS search that
only stops when told (tests/test_window_passes.py's hard knapsacks), and bounds worked
by hand.
"""

from __future__ import annotations

import math
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from estate.solve import bound_beside
from estate.solve.bound_beside import Beside, Bounds, BoundTold, with_bounds
from estate.solve.highs import highs_lp, new_highs, stoppable
from estate.solve.progress import Reporter
from estate.solve.types import SearchPhase, SearchProgress, Solution
from estate.status import Status
from tests.test_bruteforce import brute_forced
from tests.test_window_passes import _hard_knapsacks


def test_abandoned_while_raising_the_bound_its_highs_stop_before_abandon_returns() -> None:
    # as on Ctrl-C at the region's 140 s: a HiGHS search on the bound's thread when
    # Python exits aborts the process, so abandon waits for it (here a search of 60 s,
    # stopped at its next check); while PDLP runs (before it tells its bound) it cannot
    # be stopped, and abandon does not wait
    model = _hard_knapsacks()

    def raising(tell: BoundTold, stop: threading.Event) -> Bounds:
        tell(SearchPhase.LP_BOUND, -1e9)
        h = stoppable(new_highs(60.0, 0.0), stop)
        h.passModel(highs_lp(model))
        h.run()
        return Bounds(-1e9, -1e9)

    beside = Beside(raising)
    time.sleep(0.5)
    t0 = time.perf_counter()
    beside.abandon()
    assert time.perf_counter() - t0 < 2.0
    assert not beside.running()

    release = threading.Event()
    beside = Beside(lambda _tell, _stop: Bounds(float(release.wait(10))))
    t0 = time.perf_counter()
    beside.abandon()
    assert time.perf_counter() - t0 < 0.5 and beside.running()
    release.set()
    assert beside.result() == Bounds(1.0)


def test_a_raised_bound_above_the_plan_falls_back_to_pdlps_own() -> None:
    found = Solution(Status.TIME_LIMIT, 100.0, -math.inf, math.inf, 1.0, "highs", np.zeros(1))
    raised = with_bounds(found, Bounds(90.0, 95.0), 1e-4)
    assert raised.bound == 95.0 and raised.message == ""
    defect = with_bounds(found, Bounds(90.0, 150.0), 1e-4)
    assert defect.bound == 90.0 and defect.mip_gap == pytest.approx(0.1)
    assert defect.message == ("the bound raised by packing sites whole came out above a "
                              "plan and was not used")
    assert with_bounds(found, Bounds(), 1e-4) == found


def test_raising_that_fails_leaves_pdlps_bound_with_a_note(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    best, _, _, _, model = brute_forced(tmp_path, 33)
    assert best is not None

    def broken(*_args: object, **_kwargs: object) -> None:
        raise MemoryError("no room for the sites")

    monkeypatch.setattr(bound_beside, "raised_bound", broken)
    bounds = bound_beside.pdlp_bounds(model, 60.0, None, threading.Event())
    assert bounds.lp == bounds.raised <= best + 1e-6 * abs(best)
    assert bounds.note == ("raising the bound by packing sites whole failed (MemoryError: "
                           "no room for the sites); the LP bound from PDLP was used")


def test_the_bound_found_beside_is_told_unless_abandoned_and_a_failure_loses_only_it(
) -> None:
    heard: list[SearchProgress] = []

    def found(tell: BoundTold, _stop: threading.Event) -> Bounds:
        tell(SearchPhase.LP_BOUND, 2.5)
        return Bounds(2.5, 2.5)

    beside = Beside(found, Reporter(heard.append))
    assert beside.result() == Bounds(2.5, 2.5)
    assert [(p.phase, p.bound) for p in heard] == [(SearchPhase.LP_BOUND, 2.5)]

    release = threading.Event()

    def slow(tell: BoundTold, stop: threading.Event) -> Bounds:
        release.wait(10)
        tell(SearchPhase.LP_BOUND, 3.0)
        return Bounds(3.0, 3.0 if stop.is_set() else 4.0)

    heard.clear()
    beside = Beside(slow, Reporter(heard.append))
    assert beside.running()  # its CPU taken: the windows go one at a time meanwhile
    beside.abandon()  # the solve failed meanwhile: nothing more is told, raising stops
    release.set()
    assert beside.result() == Bounds(3.0, 3.0) and heard == []
    assert not beside.running()

    # raising the bound goes on until the windows are done: `result` tells it to stop
    def raising(tell: BoundTold, stop: threading.Event) -> Bounds:
        tell(SearchPhase.LP_BOUND, 1.0)
        stopped = stop.wait(10)
        tell(SearchPhase.SITE_BOUND, 1.5)
        return Bounds(1.0, 1.5 if stopped else 0.0)

    heard.clear()
    beside = Beside(raising, Reporter(heard.append))
    time.sleep(0.2)
    assert beside.running()
    t0 = time.perf_counter()
    assert beside.result() == Bounds(1.0, 1.5)
    assert time.perf_counter() - t0 < 2.0
    assert [(p.phase, p.bound) for p in heard] == [(SearchPhase.LP_BOUND, 1.0),
                                                   (SearchPhase.SITE_BOUND, 1.5)]

    def no_prices(_tell: BoundTold, _stop: threading.Event) -> Bounds:
        raise MemoryError("no room for PDLP")

    lost = Beside(no_prices).result()
    assert lost.lp == lost.raised == -math.inf
    assert lost.note == ("the LP bound from PDLP failed (MemoryError: no room for PDLP) and "
                    "was not used")
