"""Solvers: the registry of the solvers a scenario may name, and `solve`.

Every solver a scenario's `solver.name` may name has an entry here: the pip package that
brings it, a check that it is installed, and the adapter that runs it. An unknown name
and a known solver that is not installed end the same way, in one `InputError` naming
the key, what is installed here and how to install the one asked for.

The names a scenario accepts are `estate.load.scenario.SOLVERS`: the loader checks them
with the rest of the file, before any solving, and it may not import this package (it
comes later in the data flow). The table below must list the same names, in the same
order; importing it checks that it does.

The adapters: `highs` (the arrays straight to highspy), `pulp` (CBC, HiGHS through PuLP,
LP files), `scip` (the arrays to SCIP through PySCIPOpt), `first_plan` (a first plan for
models with shared centres, by `lp_guided` or `window_passes`), `bound_beside` (the
bound of a model too big for HiGHS's root LP, beside the windows), `configurations` (the
site-configuration search, when a scenario asks for it) and `diagnose` (which rules make
a scenario infeasible).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from estate.errors import InputError, Problem
from estate.load.scenario import SOLVERS
from estate.model.arrays import EstateModel
from estate.solve import configurations
from estate.solve.bound_beside import Beside, Bounds, BoundTold, pdlp_bounds, teller, with_bounds
from estate.solve.configurations import ConfigurationSearch
from estate.solve.first_plan import (
    UNLIMITED_BUDGET_S,
    WINDOW_MIN_COLUMNS,
    by_windows,
    pooled_start,
)
from estate.solve.highs import (
    combined,
    highs_lp,
    solve_direct,
    solve_restarted,
    solver_output,
)
from estate.solve.progress import Reporter
from estate.solve.pulp import cbc_installed, solve_cbc, solve_highs, write_lp
from estate.solve.scip import solve_scip
from estate.solve.types import (
    SearchPhase,
    SearchProgress,
    Solution,
    SolverOptions,
    StartReport,
    above_plan,
    notes,
    relative_gap,
    with_bound,
)
from estate.solve.window_passes import WINDOW_THREADS
from estate.status import Status

__all__ = ["REGISTRY", "KnownSolver", "SearchPhase", "SearchProgress", "Solution",
           "SolverOptions", "StartReport", "available_solvers", "require_solver", "solve",
           "write_lp"]

Adapter = Callable[[EstateModel, SolverOptions, np.ndarray | None], Solution]


@dataclass(frozen=True)
class KnownSolver:
    """A solver a scenario may name: how to tell it is installed, how to run it."""

    name: str
    install: str  # how to install it: the pip package that brings it
    installed: Callable[[], bool]
    run: Adapter | None = None  # None: known, but estate cannot drive it yet

    def available(self) -> bool:
        return self.run is not None and self.installed()


def _importable(module: str) -> Callable[[], bool]:
    return lambda: importlib.util.find_spec(module) is not None


# When the first-plan step found a plan (models with shared centres), a search asked for
# a gap under this one runs in two: to this gap, then again from that plan to the gap
# asked (`solve_restarted`).
RESTART_GAP = 1e-3
# Share of the time limit the site-configuration search may use (`solver.
# site_configurations`); the main search gets the rest. County at 600 s: the search
# priced to the end in about 490 s.
CONFIGURATION_SHARE = 0.8
# On a model planned window by window, the windows get all of the limit but these
# seconds, kept for HiGHS's main search should they find no plan. When they do and run
# to the end of their time, the main search is not run: HiGHS's search of the whole
# region improved nothing in 140 s, nor in the 30 s it later kept (it does not finish the
# root LP), where more window passes did (benchmarks/README.md). When their passes end
# sooner, the main search gets the time left.
SEARCH_RESERVE_S = 5.0
# ...but this share of the limit when the start breaks a rule: should no window mend it,
# the main search is where a plan can come from.
SEARCH_SHARE_AFTER_BROKEN_START = 0.05


def _solve_highs(model: EstateModel, options: SolverOptions, start: np.ndarray | None
                 ) -> Solution:
    """HiGHS: direct from the arrays (after the first-plan search, for MIPs), or via PuLP.

    On a model of more than WINDOW_MIN_COLUMNS columns the LP bound by PDLP comes
    first, or, planned window by window, runs beside the windows (which take its CPU
    once it is found: two windows searched at once). The first-plan search
    spends part of the time limit (planned window by window: all but SEARCH_RESERVE_S
    of it); the main search gets the rest (run in two below RESTART_GAP when that search
    found a plan; not run when windows found a plan and left it under twice
    SEARCH_RESERVE_S), and the solution's seconds count them all. Windows (and the
    polish of a model planned whole) are searched two at once when a CPU is free. With
    `options.on_progress`, each step reports as it goes.
    """
    if not options.direct:
        return solve_highs(model, options)
    reporter = Reporter(options.on_progress) if options.on_progress is not None else None
    if not (options.first_plan and model.col_integer.any()):
        return solve_direct(model, options, start, reporter=reporter)
    lp = highs_lp(model)
    t0 = time.perf_counter()
    found = None
    bounds = Bounds()  # PDLP's, on a model of more than WINDOW_MIN_COLUMNS columns
    windows: float | None = None  # the window passes' seconds, when planned by windows
    limit = _budget(options)
    with solver_output(options.verbose):  # HiGHS prints a banner as each Highs is made
        if (options.site_configurations and configurations.applies(model)
                and len(model.col_cost) <= WINDOW_MIN_COLUMNS):
            start, report, found = _configurations_start(model, options, start, reporter)
        else:
            windowed = by_windows(model, start)
            beside = None
            cpus = min(WINDOW_THREADS, len(os.sched_getaffinity(0)))
            if windowed and cpus >= 2:
                # the bound on the second CPU while the windows run (HiGHS lets go of
                # the GIL while it solves); the windows take it back once it is found
                bound_thread = beside = Beside(
                    lambda tell, stop: _lp_bound(model, options, tell, stop), reporter)

                def side_by_side() -> int:
                    return cpus - 1 if bound_thread.running() else cpus
            else:  # the bound first (one CPU: the windows after it), not raised
                bounds = _lp_bound(model, options, teller(reporter))

                def side_by_side() -> int:
                    return cpus
            # the bound's time, if it came first, is off the limit the first plan's
            # steps take shares of; windows get all of what is left but
            # SEARCH_RESERVE_S
            elapsed = time.perf_counter() - t0
            if windowed:
                assert start is not None, "by_windows needs a start"
                reserve = (SEARCH_RESERVE_S if model.keeps_every_rule(start)
                           else SEARCH_SHARE_AFTER_BROKEN_START * limit)
                windows = limit - elapsed - reserve
            try:
                start, report = pooled_start(model, lp, start,
                                             options.time_limit_s - elapsed,
                                             options.mip_gap, reporter, windows,
                                             side_by_side)
                if beside is not None:
                    bounds = beside.result()
            except BaseException:
                if beside is not None:
                    beside.abandon()  # the raising stops; PDLP would end unheard
                raise
        if found is None and reporter is not None and report.used:
            reporter.saw(SearchPhase.FIRST_PLAN, report.objective, report.lp_bound,
                         news=True)
    spent = time.perf_counter() - t0
    left = float(options.time_limit_s) - spent
    if windows is not None and report.used and left < 2 * SEARCH_RESERVE_S:
        # the windows ran to the end of their time: their plan, the main search not run
        assert start is not None, "a used first plan is a plan"
        solution = Solution(Status.TIME_LIMIT, report.objective, -math.inf, math.inf, 0.0,
                            "highs", start)
        report = dataclasses.replace(report, searched_after=False)
    else:
        first_gap = RESTART_GAP if report.used else None
        solution = solve_restarted(model, options, start, lp, left, first_gap, reporter)
    if found is not None:
        solution = _with_search(solution, found, options.mip_gap)
    solution = with_bounds(solution, bounds, options.mip_gap)
    return dataclasses.replace(solution, seconds=solution.seconds + spent, first_plan=report,
                               message=notes(solution.message, bounds.note))


def _budget(options: SolverOptions) -> float:
    """The seconds the steps before the main search share out: the time limit, or
    UNLIMITED_BUDGET_S with none."""
    return options.time_limit_s if math.isfinite(options.time_limit_s) else UNLIMITED_BUDGET_S


def _lp_bound(model: EstateModel, options: SolverOptions, tell: BoundTold | None,
              stop: threading.Event | None = None) -> Bounds:
    """PDLP's bound, raised when found beside the windows (with `stop`;
    `bound_beside.pdlp_bounds`), for a model of more than WINDOW_MIN_COLUMNS columns,
    whose root LP HiGHS's search does not finish; none otherwise."""
    if len(model.col_cost) <= WINDOW_MIN_COLUMNS:
        return Bounds()
    return pdlp_bounds(model, _budget(options), tell, stop)


def _configurations_start(model: EstateModel, options: SolverOptions,
                          start: np.ndarray | None, reporter: Reporter | None = None
                          ) -> tuple[np.ndarray | None, StartReport, ConfigurationSearch]:
    """The site-configuration search from the status quo, in CONFIGURATION_SHARE of the
    limit (of UNLIMITED_BUDGET_S with none): its plan as the main search's first plan."""
    limit = _budget(options)
    on_round = None
    if reporter is not None:
        def on_round(rounds: int, _master: float, bound: float, _took: int) -> None:
            reporter.saw(SearchPhase.CONFIGURATIONS, bound=bound, rounds=rounds)

    found = configurations.search(model, [] if start is None else [start],
                                  CONFIGURATION_SHARE * limit, on_round=on_round)
    if reporter is not None:
        reporter.saw(SearchPhase.CONFIGURATIONS, found.objective, found.bound, found.rounds,
                     news=True)
    report = StartReport(found.plan is not None, objective=found.objective,
                         seconds=found.seconds, reason=found.message, rounds=found.rounds,
                         configurations=found.configurations,
                         configuration_bound=found.bound)
    return (start if found.plan is None else found.plan), report, found


def _with_search(solution: Solution, found: ConfigurationSearch, mip_gap: float) -> Solution:
    """The main search's answer with the configuration search's: the better plan and the
    higher bound, as for two searches (`combined`); the search's plan and bound each hold
    for the whole model. Its seconds are counted apart. A bound above a plan is a defect,
    not a proof: it is dropped, with a message."""
    plans = [v for v, ok in ((found.objective, found.plan is not None),
                             (solution.objective, solution.status.has_plan)) if ok]
    bound, message = found.bound, ""
    if plans and above_plan(bound, min(plans)):
        bound, message = -math.inf, ("the site-configuration bound came out above a plan "
                                     "and was not used")
    if found.plan is not None:
        gap = relative_gap(found.objective, bound) if math.isfinite(bound) else math.inf
        first = Solution(Status.TIME_LIMIT, found.objective, bound, gap, 0.0, "highs",
                         found.plan)
        both = combined(first, solution, mip_gap)
        return dataclasses.replace(both, message=notes(both.message, solution.message, message))
    noted = notes(solution.message, message)
    return with_bound(dataclasses.replace(solution, message=noted), bound, mip_gap)


def _solve_cbc(model: EstateModel, options: SolverOptions, start: np.ndarray | None
               ) -> Solution:
    """CBC, through PuLP (which offers it no start)."""
    return solve_cbc(model, options)


REGISTRY: dict[str, KnownSolver] = {
    "highs": KnownSolver("highs", "pip install highspy", _importable("highspy"), _solve_highs),
    "cbc": KnownSolver("cbc", "pip install pulp, whose wheels bundle CBC for Linux, macOS and "
                       "Windows", cbc_installed, _solve_cbc),
    "scip": KnownSolver("scip", "pip install pyscipopt, whose wheels bundle SCIP",
                        _importable("pyscipopt"), solve_scip),
}
if tuple(REGISTRY) != SOLVERS:
    raise ImportError(f"the solver registry {tuple(REGISTRY)} and the names a scenario "
                      f"accepts {SOLVERS} (estate.load.scenario.SOLVERS) differ")


def available_solvers() -> list[str]:
    """Installed solvers by their scenario names, in the registry's order."""
    return [name for name, entry in REGISTRY.items() if entry.available()]


def require_solver(name: str, source: str = "scenario") -> KnownSolver:
    """The registry entry for `name`, or the one clear error when it cannot run here."""
    entry = REGISTRY.get(name)
    if entry is not None and entry.available():
        return entry
    installed = ", ".join(available_solvers()) or "none"
    if entry is None:
        expected = f"one of {', '.join(REGISTRY)} (installed here: {installed})"
        found = repr(name)
    else:
        expected = f"an installed solver (installed here: {installed})"
        why = [] if entry.installed() else [f"is not installed here ({entry.install})"]
        if entry.run is None:
            why.append("this version of estate cannot run yet")
        found = f"{name}, which " + " and which ".join(why)
    raise InputError([Problem(source, None, "solver.name", expected, found, label="key")])


def solve(model: EstateModel, options: SolverOptions, start: np.ndarray | None = None
          ) -> Solution:
    """Solve with the named solver; the status says whether the plan is proven.

    `start`, a full column vector (e.g. the status quo), is offered to HiGHS as a first
    plan when the hand-off is direct; HiGHS drops it if it breaks a rule. An unknown or
    uninstalled solver is an `InputError` (`require_solver`), before any work.

    "Optimal" is said only of a plan within `options.mip_gap` of the bound on the NPV
    itself. Every solver gets the objective's constant (HiGHS and SCIP as their offset,
    CBC and HiGHS through PuLP as a column fixed at 1), so each stops at that gap; should
    one still end wider, the plan is reported as not proven (`time_limit`, the status of
    every plan not proven, its gap printed), never "optimal".
    """
    run = require_solver(options.name).run
    assert run is not None, "require_solver returns only solvers that can run"
    solution = run(model, options, start)
    if solution.status == Status.OPTIMAL and solution.mip_gap > options.mip_gap + 1e-9:
        return dataclasses.replace(solution, status=Status.TIME_LIMIT)
    return solution
