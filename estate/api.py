"""The Python API: one call per thing a user does; the CLI is a thin shell over it.

    >>> import estate
    >>> plan = estate.plan("models/shared_back_office.toml")
    >>> plan.summary["npv_saving"]

Stages run in order, data flowing one way: load -> validate -> prepare -> build ->
solve -> results -> write. Each stage's seconds are kept in `plan.timings`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from estate import diagnose
from estate.errors import InfeasibleError, InputError, NoSolutionError
from estate.geometry import Prepared, prepare
from estate.model import EstateModel, build
from estate.results import Plan, make_plan
from estate.scenario import (
    Scenario,
    check_against_register,
    default_map,
    default_results,
    load_scenario,
)
from estate.solvers import INFEASIBLE, NO_SOLUTION, SolverOptions, solve, write_lp
from estate.store import inputs_sha256, write_results
from estate.validate import Register, load_register

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


class _Clock:
    """Seconds per stage, and a progress line as each stage starts."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str, message: str) -> Iterator[None]:
        self.progress(message)
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = round(self.seconds.get(name, 0.0) + time.perf_counter() - t0, 4)


def validate(data: str | Path) -> Register:
    """Load and check a register; raises `InputError` listing every problem."""
    return load_register(Path(data))


def solver_options(scenario: Scenario, verbose: bool = False, direct: bool = True
                   ) -> SolverOptions:
    return SolverOptions(name=scenario.solver, time_limit_s=scenario.time_limit_s,
                         mip_gap=scenario.mip_gap, verbose=verbose, direct=direct)


def prepare_scenario(scenario: Scenario, register: Register | None = None,
                     clock: _Clock | None = None) -> Prepared:
    """Load (unless given) the register, check it against the scenario, prepare geometry."""
    clock = clock or _Clock(_quiet)
    if register is None:
        with clock.stage("load", f"Reading the register {scenario.data}"):
            register = load_register(scenario.data)
    with clock.stage("validate", "Checking the scenario against the register"):
        problems = check_against_register(scenario, register)
        if any(p.severity == "error" for p in problems):
            raise InputError(problems)
    with clock.stage("prepare", "Measuring distances, eligible pairs and coverage"):
        return prepare(register, scenario)


def status_quo_start(prep: Prepared, model: EstateModel):  # noqa: ANN201 (np.ndarray)
    """The status quo as a column vector: every existing site open, every team at home,
    nothing pooled. A first plan for the solver, so a feasible status quo always gives a
    plan at least as good, however large the model."""
    import numpy as np

    start = np.zeros(len(model.col_names))
    start[model.blocks["open"]] = prep.existing.astype(float)
    start[model.blocks["assign"]] = model.pair_home
    for cov in prep.coverage:
        name = f"reach.{cov.rule.index}"
        if name in model.blocks:
            reached = np.zeros(len(prep.zones), bool)
            reached[cov.zone[prep.existing[cov.site]]] = True
            start[model.blocks[name]] = reached[np.unique(cov.zone)].astype(float)
    return start


def solve_prepared(prep: Prepared, options: SolverOptions, clock: _Clock | None = None,
                   lp_path: str | Path | None = None) -> tuple[EstateModel, Plan]:
    """Build, solve and turn the solution into a `Plan`; infeasible is an exception."""
    clock = clock or _Clock(_quiet)
    with clock.stage("precheck", "Checking the scenario can be met"):
        reasons = diagnose.precheck(prep)
    if reasons:
        raise InfeasibleError(reasons)
    with clock.stage("build", "Building the model"):
        model = build(prep)
    if lp_path:
        with clock.stage("write_lp", f"Writing the model to {lp_path}"):
            write_lp(model, lp_path)
    size = model.size
    with clock.stage("solve", f"Solving with {options.name} ({size['columns']:,} variables, "
                              f"{size['rows']:,} constraints, limit {options.time_limit_s:g} s)"):
        solution = solve(model, options, start=status_quo_start(prep, model))
    first = solution.first_plan
    if first is not None and first.used and first.windows and math.isnan(first.before_windows):
        clock.progress(f"First plan, window by window ({first.windows} windows of "
                       f"neighbouring sites, {first.windows_improved} improved it): NPV "
                       f"£{first.objective:,.0f} in {first.seconds:.1f} s; the search then "
                       f"ran from it")
    elif first is not None and first.used:
        polished = (f", £{first.objective:,.0f} after {first.windows} window passes"
                    if first.windows else "")
        found = first.before_windows if first.windows else first.objective
        clock.progress(f"First plan from the LP-guided search: NPV £{found:,.0f}{polished} "
                       f"in {first.seconds:.1f} s (LP bound £{first.lp_bound:,.0f}); the "
                       f"search then ran from it")
    if solution.status == INFEASIBLE:
        with clock.stage("diagnose", "Infeasible: finding which rules cannot hold"):
            raise InfeasibleError(diagnose.explain_infeasible(prep, model, options))
    if solution.status == NO_SOLUTION:
        raise NoSolutionError(
            f"no plan found within the time limit of {options.time_limit_s:g} s "
            f"(solver.time_limit_s); raise it or relax the scenario")
    with clock.stage("results", "Computing savings, payback and who pays"):
        result = make_plan(prep, model, solution)
    return model, result


def plan(scenario: str | Path | Scenario, *, out: str | Path | None = None,
         map_path: str | Path | None = None, write: bool = True,
         progress: Progress | None = None, lp_path: str | Path | None = None,
         verbose: bool = False, direct: bool = True,
         register: Register | None = None, policy_costs: bool = False, executor: str = "local",
         scheduler: str | None = None, workers: int | None = None,
         alternatives: int = 0, within_pct: float = 5.0) -> Plan:
    """Plan one scenario end to end; write `results/<name>/` and a map unless `write=False`.

    `policy_costs=True` adds `policy_costs` to the summary (`estate.policy`, DESIGN 7).
    `alternatives=N` also finds up to N near-optimal plans within `within_pct` percent of
    the NPV saving (`estate.alternatives`), written to `<out>/alternatives/<i>/`.

    A register whose sites carry an `area` is planned area by area, in parallel
    (`executor` "local" for a process pool, "dask" for a Dask cluster at `scheduler`),
    and merged. Raises `InputError` (bad files), `InfeasibleError` (no plan meets every
    rule, with the reasons) or `NoSolutionError` (time limit before any plan).
    """
    from estate.national import areas_of, plan_national

    clock = _Clock(progress or _quiet)
    if not isinstance(scenario, Scenario):
        with clock.stage("load", f"Reading the scenario {scenario}"):
            scenario = load_scenario(scenario)
    if register is None:
        with clock.stage("load", f"Reading the register {scenario.data}"):
            register = load_register(scenario.data)
    areas = areas_of(register)
    found: list = []
    if areas and alternatives:
        from estate.alternatives import not_for_areas

        raise not_for_areas()
    if areas:
        with clock.stage("validate", "Checking the scenario against the register"):
            problems = check_against_register(scenario, register)
            if any(p.severity == "error" for p in problems):
                raise InputError(problems)
        with clock.stage("solve", f"Planning {len(areas)} areas ({executor})"):
            result = plan_national(scenario, register, executor, scheduler, workers, direct,
                                   progress)
    else:
        prep = prepare_scenario(scenario, register, clock)
        options = solver_options(scenario, verbose=verbose, direct=direct)
        model, result = solve_prepared(prep, options, clock, lp_path)
        if alternatives:
            from estate.alternatives import find_alternatives

            with clock.stage("alternatives", f"Finding up to {alternatives} alternatives"):
                found = find_alternatives(result, model, alternatives, within_pct, options,
                                          clock.progress)
    if policy_costs:
        from estate.policy import policy_costs as price_policies

        with clock.stage("policy_costs", "Pricing each policy (two exact solves each)"):
            result.summary["policy_costs"] = price_policies(scenario, register,
                                                            progress=clock.progress)
    result.timings = clock.seconds
    if write:
        out = Path(out) if out else default_results(scenario.name)
        with clock.stage("write", f"Writing results to {out}"):
            inputs = inputs_sha256(Path(scenario.data))
            write_results(result, out, scenario, inputs_hash=inputs)
            if found:
                from estate.alternatives import write_alternatives

                write_alternatives(found, out, scenario, inputs,
                                   None if map_path is False else
                                   Path(map_path or default_map(scenario.name)))
        if map_path is not False:
            target = Path(map_path) if map_path else default_map(scenario.name)
            with clock.stage("map", f"Drawing the map {target}"):
                from estate.maps import render_map

                render_map(out, target)
        result.timings = clock.seconds
    return result
