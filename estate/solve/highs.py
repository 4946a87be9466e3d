"""The HiGHS adapter: the model's arrays handed to highspy in one call, and the run's
ending read from HiGHS itself.

The direct hand-off makes no per-row Python objects and keeps the columns in the model's
own order (which HiGHS searches better than PuLP's name-sorted order): the way for region
and nation sizes. Status and gap are read from HiGHS, never from PuLP, because PuLP 3.3's
HiGHS interface calls a run stopped by its time limit "Optimal" (`estate.solve.pulp`
reads its HiGHS runs with `read_status` too).
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator

import highspy
import numpy as np
import scipy.sparse as sp

from estate.model.arrays import EstateModel, trimmed
from estate.signals import held_signals
from estate.solve.progress import Reporter
from estate.solve.types import Solution, SolverOptions, notes, relative_gap
from estate.status import Status


def lp_from_arrays(csc: sp.csc_matrix, cost: np.ndarray, col_lb: np.ndarray,
                   col_ub: np.ndarray, row_lb: np.ndarray, row_ub: np.ndarray,
                   integer: np.ndarray, constant: float = 0.0) -> highspy.HighsLp:
    """A `highspy.HighsLp` from a CSC matrix and its bounds (infinite bounds allowed);
    `constant` is the objective's offset, part of every objective value HiGHS reports."""
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_row_, lp.num_col_ = csc.shape
    lp.col_cost_ = cost
    lp.col_lower_ = col_lb
    lp.col_upper_ = col_ub
    lp.row_lower_ = np.where(np.isinf(row_lb), -inf, row_lb)
    lp.row_upper_ = np.where(np.isinf(row_ub), inf, row_ub)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr
    lp.a_matrix_.index_ = csc.indices
    lp.a_matrix_.value_ = csc.data
    lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                       for i in integer]
    lp.offset_ = float(constant)
    return lp


def highs_lp(model: EstateModel) -> highspy.HighsLp:
    """The model's arrays as one `highspy.HighsLp` (column-wise matrix), ready to pass.

    The objective's constant goes in as HiGHS's offset, so the objective, bound and
    relative gap HiGHS works with are the NPV's: `solver.mip_gap` stops the search at
    exactly the gap the summary reports.
    """
    return lp_from_arrays(model.matrix.tocsc(), model.col_cost, model.col_lb, model.col_ub,
                          model.row_lb, model.row_ub, model.col_integer, model.obj_constant)


INTERRUPTED = threading.Event()
"""Set by a signal that stops estate (Ctrl-C; SIGTERM where `sigterm_as_interrupt` makes
it one) while the main thread is in `run`: every HiGHS of `new_highs`, on any thread,
stops at its next check."""


def new_highs(time_limit: float, mip_gap: float, verbose: bool = False) -> highspy.Highs:
    """A `highspy.Highs` with estate's settings: one thread, the limit and the gap; it
    stops at its next check once a signal sets `INTERRUPTED`."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", bool(verbose))
    h.setOptionValue("threads", 1)
    h.setOptionValue("time_limit", max(float(time_limit), 0.01))
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    return stop_when(h, INTERRUPTED.is_set)


def stop_when(h: highspy.Highs, should_stop: Callable[[], bool]) -> highspy.Highs:
    """`h`, made to stop at its next check (simplex, interior point, branch and bound;
    HiGHS 1.16's PDLP has none) once `should_stop()` is true."""
    def check(event: highspy.HighsCallbackEvent) -> None:
        if should_stop():
            event.interrupt()

    h.cbSimplexInterrupt.subscribe(check)
    h.cbIpmInterrupt.subscribe(check)
    h.cbMipInterrupt.subscribe(check)
    return h


def stoppable(h: highspy.Highs, stop: threading.Event | None) -> highspy.Highs:
    """`h`, made to stop at its next check once `stop` is set (none: unchanged): a search
    on a thread of its own, stopped when the run it belongs to ends or is interrupted."""
    return h if stop is None else stop_when(h, stop.is_set)


def run(h: highspy.Highs) -> None:
    """`h.run()`, stopped within a moment by Ctrl-C (or a SIGTERM made an interrupt).

    HiGHS works in C++ without the GIL, and Python runs a signal's handler only when the
    main thread next runs Python code: at the end of the run (minutes later, at the
    time limit) or inside one of HiGHS's callbacks, where the handler's
    KeyboardInterrupt escapes into HiGHS, which ends the run with an error and loses it
    (measured on the demo: interrupted 15 s in, `estate plan` said "no plan found within
    the time limit" and exited 3). So while the main thread is in a run, the Python
    handlers of SIGINT and SIGTERM are held back: the signal only sets `INTERRUPTED`,
    every HiGHS stops at its next check, and once the run has returned the held handler
    is called with the first signal that came (raising, as it would have). A signal
    whose handler is not Python's (ignored, as in a worker of a process pool, or the
    system's default) is left alone. A run on another thread (a bound beside the
    search, a site's pricing) stops when the flag is set and changes no handler."""
    if threading.current_thread() is not threading.main_thread():
        h.run()
        return
    INTERRUPTED.clear()
    try:
        with held_signals(lambda _: INTERRUPTED.set()):
            h.run()
    finally:
        INTERRUPTED.clear()


def tell_cutoff(h: highspy.Highs, plan: float) -> None:
    """Tell `h` a plan worth `plan` exists, so it prunes what cannot beat it: its
    `objective_bound`, a hair above (a millionth and a pound, as `types.above_plan`), so
    the plan at the cut-off itself still counts as one."""
    h.setOptionValue("objective_bound", plan + 1e-6 * abs(plan) + 1.0)


def offer_solution(h: highspy.Highs, values: np.ndarray) -> None:
    """Give a `highspy.Highs` a full column vector as a first plan (dropped if infeasible)."""
    sol = highspy.HighsSolution()
    sol.col_value = list(map(float, values))
    sol.value_valid = True
    h.setSolution(sol)


@contextlib.contextmanager
def solver_output(verbose: bool) -> Iterator[None]:
    """Keep HiGHS's C-level stdout off our stdout (`--json` owns it).

    Verbose: its log goes to stderr. Otherwise nowhere, banner included (it is printed
    when a process's first `Highs` is made): a tool that is not on a terminal stays
    quiet, and so does a library. HiGHS writes to file descriptor 1 whatever Python's
    `sys.stdout` is (a notebook's is a stream of its own, which is left alone), so that
    descriptor is the one sent elsewhere while the solver runs; what Python prints to
    it meanwhile goes with it (progress lines belong on stderr).
    """
    try:
        sys.stdout.flush()
    except (AttributeError, OSError, ValueError):
        pass
    try:
        saved = os.dup(STDOUT)
    except OSError:  # no descriptor 1 at all: nothing of HiGHS's to keep off it
        yield
        return
    target = _stderr_copy() if verbose else None
    if target is None:  # (a copy may be descriptor 0, when stdin is closed: not falsy)
        target = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(target, STDOUT)
        yield
    finally:
        try:
            sys.stdout.flush()
        except (AttributeError, OSError, ValueError):
            pass
        os.dup2(saved, STDOUT)
        os.close(saved)
        os.close(target)


STDOUT = 1
"""The file descriptor HiGHS's C code writes its log and banner to."""


def _stderr_copy() -> int | None:
    """A copy of stderr's descriptor, for a verbose solve's log; None without one."""
    try:
        return os.dup(sys.stderr.fileno())
    except (AttributeError, OSError, ValueError):
        return None


def read_status(h: highspy.Highs, has_integer: bool) -> tuple[Status, float, float, float]:
    """Typed status, objective, bound and gap from a `highspy.Highs` after `run()`."""
    ms = h.getModelStatus()
    info = h.getInfo()
    has_sol = info.primal_solution_status == 2  # kSolutionStatusFeasible
    obj = info.objective_function_value if has_sol else math.nan
    if has_integer:
        bound, gap = info.mip_dual_bound, info.mip_gap
    else:
        bound, gap = obj, 0.0
    S = highspy.HighsModelStatus
    if ms == S.kModelEmpty:  # no columns: the one plan decides nothing, at the offset
        offset = float(h.getLp().offset_)
        return Status.OPTIMAL, offset, offset, 0.0
    if ms == S.kOptimal:
        return Status.OPTIMAL, obj, bound, max(0.0, gap) if math.isfinite(gap) else 0.0
    if ms in (S.kInfeasible, S.kUnboundedOrInfeasible):
        return Status.INFEASIBLE, math.nan, math.nan, math.nan
    if has_sol:
        return Status.TIME_LIMIT, obj, bound, gap if math.isfinite(gap) else math.inf
    return Status.NO_SOLUTION, math.nan, bound, math.inf


def solve_direct(model: EstateModel, options: SolverOptions, start: np.ndarray | None = None,
                 lp: highspy.HighsLp | None = None, time_limit_s: float | None = None,
                 reporter: Reporter | None = None) -> Solution:
    """Pass the arrays to highspy in one call (CSC matrix), no PuLP objects, and search
    (`search`).

    `start`, a full column vector, is offered as a first plan (HiGHS drops it if it breaks
    a rule). `lp` is the model from `highs_lp` when the caller has made it already, and
    `time_limit_s` what is left of the options' limit when the caller has spent some.
    `reporter` hears HiGHS's plans and bounds as it searches.
    """
    lp = highs_lp(model) if lp is None else lp
    limit = options.time_limit_s if time_limit_s is None else time_limit_s
    return search(lp, model.col_cost, model.obj_constant, bool(model.col_integer.any()),
                  limit, options.mip_gap, start, reporter, options.verbose)


def search(lp: highspy.HighsLp, cost: np.ndarray, constant: float, has_integer: bool,
           time_limit_s: float, mip_gap: float, start: np.ndarray | None = None,
           reporter: Reporter | None = None, verbose: bool = False,
           again_share: float = 1.0) -> Solution:
    """HiGHS's search of `lp` (whose costs are `cost`, plus `constant`) from `start`,
    within `time_limit_s` and to `mip_gap`: the plan it hands back, priced by us
    (`priced_plan`).

    HiGHS 1.16 can value an offered plan below its price once presolved, and then search
    under that false cut-off: it finds nothing below it, so it hands the offer back,
    often within a second, as "optimal" (measured on `hubs_coverage` from the site
    configurations' plan: valued £724.31m, priced £726.47m, the search over in 0.2 s of
    a 535 s limit). When HiGHS hands back any plan at a price not its own, short of the
    gap and with time left, it searches again for `again_share` of the time left,
    without the offer, told only that a plan at that price exists (`objective_bound`);
    the answer is the better plan of the two searches with the higher bound
    (`combined`). Each bound holds for the model: every cut-off HiGHS made was at or
    above the bound it reports.
    """
    offered = start is not None and len(start) == lp.num_col_
    first, misvalued = _run(lp, cost, constant, has_integer, time_limit_s, mip_gap,
                            start if offered else None, None, reporter, verbose)
    left = (time_limit_s - first.seconds) * again_share
    if not (misvalued and has_integer) or first.status == Status.OPTIMAL or left <= 1.0:
        return first
    again, _ = _run(lp, cost, constant, has_integer, left, mip_gap, None, first.objective,
                    reporter, verbose)
    said = f"searched again {'without the plan offered' if offered else 'from its price'}"
    if again.status == Status.INFEASIBLE:
        # nothing at or under the plan's own price: HiGHS contradicts itself, so its
        # second search proves nothing and the first plan stands
        again = dataclasses.replace(again, status=Status.NO_SOLUTION, bound=-math.inf)
        said += ", which found no plan at its price"
    both = combined(first, again, mip_gap)
    return dataclasses.replace(both, message=notes(first.message, again.message,
                                                   f"{said} ({left:.0f} s)"))


def _run(lp: highspy.HighsLp, cost: np.ndarray, constant: float, has_integer: bool,
         time_limit_s: float, mip_gap: float, start: np.ndarray | None,
         cutoff: float | None, reporter: Reporter | None, verbose: bool
         ) -> tuple[Solution, bool]:
    """One HiGHS run of `lp`: from `start` when it is given, or told that a plan worth
    `cutoff` exists (HiGHS then prunes what cannot beat it). Also says whether HiGHS
    reported an objective that is not the price of the plan it handed back."""
    t0 = time.perf_counter()
    with solver_output(verbose):
        h = new_highs(time_limit_s, mip_gap, verbose)
        h.passModel(lp)
        if start is not None:
            offer_solution(h, start)
        if cutoff is not None:
            tell_cutoff(h, cutoff)
        if reporter is not None:
            reporter.follow(h, lambda x: float(cost @ x) + constant)
        run(h)
        if reporter is not None:
            reporter.interrupted()
    seconds = time.perf_counter() - t0
    status, obj, bound, gap = read_status(h, has_integer)
    values = None
    message = ""
    if status.has_plan:
        values = np.asarray(h.getSolution().col_value, dtype=float)
        status, obj, bound, gap, message = priced_plan(values, cost, constant, status, obj,
                                                       bound, gap, mip_gap)
    return Solution(status, obj, bound, gap, seconds, "highs", values, message), bool(message)


def priced_plan(values: np.ndarray, cost: np.ndarray, constant: float, status: Status,
                objective: float, bound: float, gap: float, mip_gap: float
                ) -> tuple[Status, float, float, float, str]:
    """The answer for the plan HiGHS hands back, priced by us (`cost` @ `values` +
    `constant`): status, objective, bound, gap and a message when HiGHS's own objective
    was not that plan's.

    The plan is the vector, so the figures must be its. HiGHS 1.16 can report an
    objective beside a vector that is not its plan: when its best plan is the first plan
    offered as its presolve sees it (a site that plan keeps open for nothing, say, which
    presolve closes), it hands back the plan as offered, dearer than the objective it
    reports, even with status optimal (measured: a policy's optimum from the scenario's
    plan, £231,398 apart; and a 430,000-column model stopped by its time limit). The
    bound stays valid for the model; the gap is measured from the plan returned, and
    `optimal` is said only when that gap is within `mip_gap`.
    """
    priced = float(cost @ values) + constant
    if abs(priced - objective) <= 1e-6 * max(abs(objective), 1.0):
        return status, objective, bound, gap, ""
    bound = min(bound, priced)
    gap = relative_gap(priced, bound) if math.isfinite(bound) else math.inf
    said = (f"HiGHS reported a plan of {objective:,.2f} but handed back one of "
            f"{priced:,.2f}")
    return (Status.OPTIMAL if gap <= mip_gap + 1e-9 else Status.TIME_LIMIT), priced, bound, \
        gap, said


def solve_restarted(model: EstateModel, options: SolverOptions, start: np.ndarray | None,
                    lp: highspy.HighsLp, time_limit_s: float,
                    first_gap: float | None, reporter: Reporter | None = None) -> Solution:
    """The main search in two, when `first_gap` is given and the gap asked is under it:
    a search stopped at `first_gap`, then a fresh one from its plan to the gap asked, in
    the time left (with no time left, the first search's plan, not proven to the gap
    asked). Otherwise one search.

    Why: with shared centres HiGHS proves a tight gap far sooner from a plan near the
    optimum (its root fixes columns by their reduced cost against that plan) than in the
    one search that began from a worse one (demo at 1e-4: 390 s in one search; 40 s to
    1e-3, then 82 s from that plan). The answer is the better plan of the two with the
    higher of their bounds, each search's bound being valid for the whole model.
    """
    if first_gap is None or options.mip_gap >= first_gap:
        return solve_direct(model, options, start, lp, time_limit_s, reporter)
    first = solve_direct(model, dataclasses.replace(options, mip_gap=first_gap), start, lp,
                         time_limit_s, reporter)
    if first.status != Status.OPTIMAL or first.mip_gap <= options.mip_gap:
        return first
    left = time_limit_s - first.seconds
    if left <= 1.0:
        return dataclasses.replace(first, status=Status.TIME_LIMIT)
    # trimmed: HiGHS hands back a plan offered as it was when it finds none better
    # (`priced_plan`), so offer it what its presolve would keep
    again = trimmed(model, first.values) if first.values is not None else None
    return combined(first, solve_direct(model, options, again, lp, left, reporter),
                    options.mip_gap)


def combined(first: Solution, second: Solution, mip_gap: float) -> Solution:
    """Two searches of one model (`first` with a plan) as one answer: the better plan, the
    higher bound (each is valid for the model; never above the plan), the gap between
    them, and `optimal` only if that gap is within `mip_gap`. A second search that calls
    the model infeasible contradicts the first's plan: the first stands, with a message."""
    best = second if second.status.has_plan and second.objective <= first.objective else first
    bound = max(first.bound, second.bound) if math.isfinite(second.bound) else first.bound
    bound = min(bound, best.objective)
    gap = relative_gap(best.objective, bound)
    status = Status.OPTIMAL if gap <= mip_gap + 1e-9 else Status.TIME_LIMIT
    contradiction = ("the second search called the model infeasible, though the first "
                     "found this plan" if second.status == Status.INFEASIBLE else "")
    message = notes(first.message, second.message, contradiction)
    return Solution(status, best.objective, bound, gap, first.seconds + second.seconds,
                    best.solver, best.values, message)
