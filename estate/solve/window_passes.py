"""Window passes: a plan improved one part of the map at a time.

On a region (thousands of sites) the LP relaxation alone takes longer than any sensible
time limit (5,200 sites: 625 s by interior point), so the LP-guided search
(`estate.solve.lp_guided`) runs window by window instead: the map is cut into windows of
neighbouring sites holding about WINDOW_COLUMNS columns each, and each window is planned
with everything outside it held at the plan so far (teams sitting inside the window may
move within it; every other column keeps its value), as a model over the window's
columns only. Each window's plan is a plan of the whole model, so the windows improve
one plan in turn; further passes, with the map turned so that the borders fall
elsewhere, let teams cross the old ones, until the time given runs out or a whole pass
improves nothing, first with each window's search stopped at a loose gap, then at a
closer one. When the caller has a CPU to spare, two windows of a pass are searched at
once (`window_start`). The same passes polish the first plan of a model planned whole.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

import highspy
import numpy as np
import scipy.sparse as sp

from estate.model.arrays import EstateModel, meets
from estate.solve.lp_guided import lp_guided, rows_of, tidy
from estate.solve.progress import Reporter
from estate.solve.types import SearchPhase, StartReport

# Below this limit the steps would take time the main search needs more.
MIN_LIMIT_S = 5.0
# About this many columns per window (a 500-site county has 22,000). Smaller windows make
# more passes in the same time, and more passes gained more than bigger windows (region,
# from one plan, 240 s: 12,000 columns a window reach the plan 25,000 reach in less than
# half the time, 50,000 do worse; benchmarks/README.md).
WINDOW_COLUMNS = 12_000
# Each window's search stops at the first of these gaps (its own columns' cost) until a
# whole pass improves nothing, then at the next: more passes over the map gain more than
# a closer search of each window (region: £14,007m with windows stopped at 0.5% in 72
# windows, against £14,036m at 0.1% in 18, in the same 360 s), until the passes stop
# gaining (region: £13,960.6m to £13,952.2m in the last 70 s at 0.1%).
WINDOW_GAPS = (0.005, 0.001)
# ...a pass ends them when no window saved more than this (pounds of NPV).
SAVES_POUNDS = 1.0
# At most this many windows searched at once (each on one thread; HiGHS lets go of the
# GIL while it solves), when the caller says CPUs are free for them (`window_start`).
# Region, 470 s of passes from the status quo: £13,923.5m two at a time, against
# £13,957.2m one at a time (benchmarks/README.md).
WINDOW_THREADS = 2
# On Ctrl-C, wait at most this long for the windows being searched to stop.
STOP_WAIT_S = 10.0


def pass_turns() -> Iterator[float]:
    """How far each pass turns the map before cutting it (degrees, in [0, 90): a turn of
    90 cuts as 0 does): 0, 45, 22.5, 67.5, 11.25, ..., each new turn halfway between two
    earlier ones, so the borders of each pass fall away from all the earlier ones'."""
    n = 0
    while True:
        turn, step, i = 0.0, 45.0, n
        while i:
            turn += step * (i & 1)
            i, step = i >> 1, step / 2
        yield turn
        n += 1


def window_start(model: EstateModel, lp: highspy.HighsLp, start: np.ndarray, budget_s: float,
                 mip_gap: float, windows: int | None = None, reporter: Reporter | None = None,
                 side_by_side: Callable[[], int] = lambda: 1
                 ) -> tuple[np.ndarray, StartReport]:
    """Improve `start` one window of neighbouring sites at a time (module docstring):
    `windows` per pass, by default enough for about WINDOW_COLUMNS columns each. Each
    plan a window makes that keeps every rule is told to `reporter` (a region's passes
    take minutes).

    Passes while time is left, each drawing its windows' borders differently (the map
    turned, `pass_turns`), so that a town cut in two by one pass lies whole inside a
    window of the next, until a pass improves no window at the last of WINDOW_GAPS.

    `side_by_side()` says how many windows may be searched at once now (at most
    WINDOW_THREADS; asked before each window starts): windows of one pass share no site,
    and a window's plan searched beside others is taken only if the plan so far, with its
    columns changed, still keeps every row they touch (two windows may both count on a
    zone's cover across their border).
    """
    t0 = time.perf_counter()
    x = tidy(model, start)
    first_objective = cost = float(model.col_cost @ x)  # x's cost, kept as x changes
    weight = np.bincount(model.col_site[model.col_site >= 0], minlength=len(model.site_xy))
    k = windows or max(1, math.ceil(len(model.col_site) / WINDOW_COLUMNS))
    csc = model.matrix.tocsc()
    csr = model.matrix.tocsr()
    windows = improved = allowed = 0
    gaps = iter(WINDOW_GAPS)
    gap = next(gaps)
    taken = 0  # window plans taken so far: one taken while another ran may clash with it

    def out_of_time() -> bool:
        return budget_s - (time.perf_counter() - t0) < MIN_LIMIT_S / 2

    searches: _Searches[tuple[np.ndarray, int], tuple[np.ndarray | None, StartReport]] = (
        _Searches())
    try:
        for turn in pass_turns():
            improved_before = improved
            angle = math.radians(turn)
            rotation = np.array([[math.cos(angle), -math.sin(angle)],
                                 [math.sin(angle), math.cos(angle)]])
            window_of = _bisect(model.site_xy @ rotation.T, weight.astype(float), k)
            todo = list(range(k))
            while todo or searches.running:
                slots = max(1, min(WINDOW_THREADS, side_by_side()))
                while todo and not out_of_time() and len(searches.running) < slots:
                    left = budget_s - (time.perf_counter() - t0)
                    # each window of the pass not yet ended its share of the time left,
                    # `slots` of them searched at once
                    share = min(left, left * slots / (len(todo) + len(searches.running)))
                    free = window_columns(model, x, window_of == todo.pop(0), csc)
                    searches.start(functools.partial(lp_guided, model, lp, x, 0.4 * share,
                                                     share, max(mip_gap, gap), ~free, csc,
                                                     searches.stop),
                                   (free, taken))
                if not searches.running:
                    break
                (free, taken_then), (values, report) = searches.next_ended()
                windows += 1
                allowed += report.centres_allowed
                if not report.used:
                    continue
                assert values is not None, "a used search returns its plan"
                better = x.copy()
                better[free] = values[free]
                better = tidy(model, better)
                if taken != taken_then and not _keeps_rows(model, csr, better, free,
                                                           csc):
                    continue
                better_cost = float(model.col_cost @ better)
                saved = cost - better_cost
                if saved <= 0:
                    continue
                x, cost = better, better_cost
                taken += 1
                # a window counts as improving the plan when it saves more than
                # SAVES_POUNDS: HiGHS may hand back its start with values off by
                # 1e-10, which costs of millions turn into pennies, and the passes
                # would not end
                improved += saved > SAVES_POUNDS
                if reporter is not None and model.keeps_every_rule(x):
                    reporter.saw(SearchPhase.FIRST_PLAN, cost + model.obj_constant)
            if out_of_time():
                break
            if improved == improved_before:  # on to a closer search of each window, or done
                gap = next(gaps, math.nan)
                if math.isnan(gap):
                    break
    except BaseException:  # Ctrl-C, or a window's search failed: stop the others
        searches.stop_all()
        raise
    seconds = time.perf_counter() - t0
    objective = cost
    if not model.keeps_every_rule(x):
        # Only when `start` itself broke a rule that no window could mend (each window
        # sees only the rows its columns touch): no plan to offer.
        return start, StartReport(False, centres_allowed=allowed, seconds=seconds,
                                  reason="the start breaks a rule no window could mend",
                                  windows=windows)
    mended = not model.keeps_every_rule(start)  # a start breaking a rule the windows mended
    if objective >= first_objective - 1e-6 * max(abs(first_objective), 1.0) and not mended:
        return start, StartReport(False, centres_allowed=allowed, seconds=seconds,
                                  reason=f"no window improved the plan ({windows} windows)",
                                  windows=windows)
    return x, StartReport(True, math.nan, objective + model.obj_constant, allowed, seconds,
                          windows=windows, windows_improved=improved)


Tag = TypeVar("Tag")
Result = TypeVar("Result")


class _Searches(Generic[Tag, Result]):
    """Window searches, each on a thread of its own, their results taken as they end.

    Threads of their own, not a pool's: a pool joins its threads when Python exits,
    whatever the caller does. The work is given `stop` (`lp_guided`); on Ctrl-C or a
    failure the caller sets it (`stop_all`), each search's HiGHS stops at its next
    interrupt check (region: exit within 0.5 s; presolve has none, so a window in
    presolve ends it first), and the threads end before Python exits.
    """

    def __init__(self) -> None:
        self.running: dict[int, Tag] = {}  # search -> what the caller tagged it with
        self.stop = threading.Event()  # set: the searches' HiGHS stop at their next check
        self._ended: queue.SimpleQueue[tuple[int, Result | _Failed]] = queue.SimpleQueue()
        self._threads: dict[int, threading.Thread] = {}
        self._made = 0

    def start(self, work: Callable[[], Result], tag: Tag) -> None:
        key, self._made = self._made, self._made + 1

        def run() -> None:
            try:
                self._ended.put((key, work()))
            except BaseException as failure:  # noqa: BLE001 - raised in the caller
                self._ended.put((key, _Failed(failure)))

        thread = threading.Thread(target=run, name="estate-window", daemon=True)
        thread.start()  # first: a thread that cannot start is not counted as running
        self.running[key], self._threads[key] = tag, thread

    def stop_all(self, wait_s: float = STOP_WAIT_S) -> None:
        """Stop the searches still running and wait (up to `wait_s`) for them to end: a
        HiGHS still searching when Python exits aborts the process."""
        self.stop.set()
        ends = time.perf_counter() + wait_s
        for thread in list(self._threads.values()):
            thread.join(max(0.0, ends - time.perf_counter()))

    def next_ended(self) -> tuple[Tag, Result]:
        """The tag and result of the next search to end (what it raised is raised)."""
        key, result = self._ended.get()
        tag = self.running.pop(key)
        del self._threads[key]
        if isinstance(result, _Failed):
            raise result.failure
        return tag, result


@dataclasses.dataclass(frozen=True)
class _Failed:
    """What a search raised, carried to the thread that takes its result."""

    failure: BaseException


def _keeps_rows(model: EstateModel, csr: sp.csr_matrix, plan: np.ndarray, cols: np.ndarray,
                csc: sp.csc_matrix) -> bool:
    """Whether `plan` keeps every row that the columns in mask `cols` touch, by the one
    check of a plan put together outside a solver (`meets`, as `keeps_every_rule`)."""
    rows = rows_of(csc, np.flatnonzero(cols))
    return meets(csr[rows], model.row_lb[rows], model.row_ub[rows], model.col_lb,
                 model.col_ub, model.col_integer, plan)


def _bisect(xy: np.ndarray, weight: np.ndarray, k: int) -> np.ndarray:
    """Split the sites into `k` windows of about equal weight (columns) by cutting the
    longer side of each part at its weighted quantile, recursively; window per site."""
    window_of = np.zeros(len(xy), np.int64)
    todo = [(np.arange(len(xy)), k, 0)]
    while todo:
        idx, parts, first = todo.pop()
        if parts <= 1 or len(idx) <= 1:
            window_of[idx] = first
            continue
        span = xy[idx].max(axis=0) - xy[idx].min(axis=0)
        axis = int(np.argmax(span))
        order = idx[np.argsort(xy[idx, axis], kind="stable")]
        low = parts // 2
        cum = np.cumsum(weight[order] + 1e-9)
        # the first site whose running weight reaches the share (rounding aside)
        cut = int(np.searchsorted(cum, cum[-1] * low / parts * (1 - 1e-12))) + 1
        cut = min(max(cut, 1), len(order) - 1)
        todo.append((order[:cut], low, first))
        todo.append((order[cut:], parts - low, first + low))
    return window_of


def window_columns(model: EstateModel, plan: np.ndarray, inside: np.ndarray,
                   csc: sp.csc_matrix | None = None) -> np.ndarray:
    """Columns free in a window (mask): those of its sites, except a team's columns when
    the team sits (in `plan`) at any site outside; and columns of no site (coverage
    reach) that share a row with a free site column."""
    assign = model.blocks["assign"]
    a_cols = np.arange(assign.start, assign.stop)
    at = a_cols[plan[a_cols] > 1e-9]
    n_teams = int(model.col_team.max()) + 1 if len(model.col_team) else 0
    elsewhere = np.zeros(n_teams, bool)
    elsewhere[model.col_team[at][~inside[model.col_site[at]]]] = True
    site, team = model.col_site, model.col_team
    free = (site >= 0) & inside[np.maximum(site, 0)]
    free &= (team < 0) | ~elsewhere[np.maximum(team, 0)]
    loose = np.flatnonzero(site < 0)
    if len(loose):
        csc = model.matrix.tocsc() if csc is None else csc
        rows = rows_of(csc, np.flatnonzero(free))
        touched = csc[:, loose][rows, :].getnnz(axis=0) > 0
        free[loose[touched]] = True
    return free
