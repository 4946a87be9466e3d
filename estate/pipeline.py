"""One locality, start to finish: prepare -> build -> solve -> results.

This is the whole planning pipeline and nothing else. Everything that plans several
times (areas of a national register, policy costs, alternatives, sweeps, comparisons)
lives in `estate.runs` and calls `plan_locality`; nothing here calls back up.

Each stage's seconds are kept by a `Clock`, which also announces the stage to the
`progress` callback, so a terminal shows what is happening during long runs.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import numpy as np

from estate.errors import InputError, NoSolutionError, Problem
from estate.load.consistency import ID_LISTS, check_against_register, unknown_ids
from estate.load.free_text import has_hidden
from estate.load.read import EXPECTED_REGISTER, shown_path
from estate.load.scenario import Scenario, load_scenario
from estate.load.toml_text import read_scenario_dict
from estate.load.validate import Register, load_register
from estate.model.arrays import NamedPlan, trimmed
from estate.model.build import EstateModel, build
from estate.model.reduce import coverage_reduced, reductions_line
from estate.prepare import Prepared, prepare
from estate.results import Plan, make_plan, money
from estate.results.words import PROVEN
from estate.solve import (
    SearchPhase,
    SearchProgress,
    SolverOptions,
    StartReport,
    diagnose,
    require_solver,
    solve,
    write_lp,
)
from estate.solve.first_plan import by_windows
from estate.status import Status
from estate.store import read_unchanged

Progress = Callable[[str], None]


def quiet(_: str) -> None:
    """A progress callback that says nothing (scripts, tests, worker processes)."""
    return None


class Clock:
    """Seconds per stage, and a progress line as each stage starts."""

    def __init__(self, progress: Progress | None = None,
                 searching: Progress | None = None) -> None:
        self.progress = progress or quiet
        # where a running solve stands goes to `searching`, or else with the stages
        self.searching = searching or self.progress
        # someone reads the lines: the solve is asked where it stands as it runs
        self.listening = progress is not None or searching is not None
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str, message: str) -> Iterator[None]:
        self.progress(message)
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = round(self.seconds.get(name, 0.0) + time.perf_counter() - t0, 4)


def solver_options(scenario: Scenario, verbose: bool = False, direct: bool = True
                   ) -> SolverOptions:
    """The scenario's `[solver]` table as the solvers read it."""
    return SolverOptions(name=scenario.solver, time_limit_s=scenario.time_limit_s,
                         mip_gap=scenario.mip_gap, verbose=verbose, direct=direct,
                         site_configurations=scenario.site_configurations)


def load_scenario_with_register_errors(path: str | Path) -> Scenario:
    """The scenario file at `path`, checked (`load_scenario`). A scenario with errors
    raises them with its register's own errors too, or, when the register reads cleanly,
    with the ids of its lists the register lacks (`ids_unknown`), so one run lists every
    problem of every file, as `estate validate` promises, and a planner fixing a radius of
    0 does not meet the register's errors, or a site id mistyped, only on the next run."""
    try:
        return load_scenario(path)
    except InputError as exc:
        path = Path(path)
        data = named_register(path)
        if data is None:
            raise
        try:
            register = load_register(data)
        except InputError as theirs:
            raise InputError([*exc.problems, *named_by(
                theirs.problems, path, read_scenario_dict(path).get("data"))]) from None
        raise InputError([*exc.problems, *ids_unknown(path, register)]) from None


def ids_unknown(path: Path, register: Register) -> list[Problem]:
    """The ids the register lacks in those lists of the scenario file at `path` (its
    `ID_LISTS`) that are lists of texts, whatever else the scenario's own checks found
    in them (a site in both keep and close hides no unknown id); a text that is blank or
    holds a control character is its own error already, and left out."""
    raw = read_scenario_dict(path)
    lists: dict[str, Sequence[str]] = {}
    for key in ID_LISTS:
        value: object = raw
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, list) and all(isinstance(i, str) for i in value):
            lists[key] = [i for i in value if i.strip() and not has_hidden(i)]
    return unknown_ids(str(path), lists, register)


def scenario_register(scenario: Scenario) -> Register:
    """The register the scenario's `data` names (`load_register`); none there, or not
    a register, is said as that key's: which file names it, as written, and the folder
    the path is read from (`../data/suffolk` in `models/x.toml` is `data/suffolk`)."""
    try:
        return load_register(scenario.data)
    except InputError as exc:
        raise InputError(named_by(exc.problems + exc.warnings, scenario.path,
                                  scenario.raw.get("data"))) from None


def named_by(problems: list[Problem], path: Path | None, written: object) -> list[Problem]:
    """`problems` of a register, the one saying there is no register at all (nothing
    at the path, a single CSV file, an empty folder) told it is the `data` of the
    scenario file at `path`, `written` so, and read from that file's folder."""
    if path is None or not isinstance(written, str) or not _is_file(path):
        return problems  # a sweep's run is no file of its own, and its data is rewritten
    folder = shown_path(path.parent)
    folder = "the folder you run in" if folder == "." else folder
    said = (f" (the data key of {path}, \"{written}\", read from that file's folder: "
            f"{folder})")
    return [dataclasses.replace(p, found=p.found + said) if p.expected == EXPECTED_REGISTER
            else p for p in problems]


def _is_file(path: Path) -> bool:
    """Whether a file is at `path` (False for a path too long to look at)."""
    try:
        return path.is_file()
    except OSError:
        return False


def named_register(path: Path) -> Path | None:
    """The register a scenario file's `data` names, as a path from the file's folder;
    None when the file cannot be read or `data` is not a text (its own errors say so)."""
    try:
        data = read_scenario_dict(path).get("data")
    except InputError:
        return None
    return path.parent / data if isinstance(data, str) and data.strip() else None


def at_register(problem: Problem, data: Path) -> Problem:
    """`problem`, found in the register at `data`, with its file named by the register's
    path as the progress lines name it (`shown_path`): `regA/sites.csv`,
    `regs/b.xlsx[sites]`, so that the problems of two registers whose files share their
    names (two copies of one register) read apart. A file already named by a path (a
    register not found) is left as it is; a layer's FID column is kept (`fid_column`)."""
    name = Path(problem.file)
    if name.is_absolute() or len(name.parts) != 1 or name == data:
        return problem
    shown = Path(shown_path(data))
    folder = shown if data.is_dir() else shown.parent
    return dataclasses.replace(problem, file=str(folder / problem.file))


def check_scenario(scenario: Scenario, register: Register, clock: Clock | None = None
                   ) -> list[Problem]:
    """The checks that need no geometry: the scenario's ids, kinds and types against
    the register (`check_against_register`) and its solver, which must run here, every
    error at once. The first part of `ready_to_plan`; a national register is checked so
    as a whole before its areas are split off and each readied.

    Returns the warnings; the errors raise `InputError`, carrying the register's own
    warnings too, so that fixing the errors brings no new surprise."""
    clock = clock or Clock()
    with clock.stage("validate", "Checking the scenario against the register"):
        problems = check_against_register(scenario, register)
        try:
            require_solver(scenario.solver, str(scenario.path or scenario.name))
        except InputError as exc:
            problems += exc.problems
        if any(p.severity == "error" for p in problems):
            # a cell an error names is not warned of too (a service spelt two ways is
            # the register's warning and, under a rule of that service, an error)
            named = {(p.file, p.row, p.column) for p in problems if p.severity == "error"}
            raise InputError([*problems, *(w for w in register.warnings
                                           if (w.file, w.row, w.column) not in named)])
    return problems


def read_register(scenario: Scenario, clock: Clock) -> Register:
    """The scenario's register, read as the "load" stage (`prepare_scenario`'s, where no
    results folder records its files)."""
    with _loading(scenario, clock):
        return scenario_register(scenario)


def read_register_recorded(scenario: Scenario, clock: Clock) -> tuple[Register, str]:
    """The scenario's register, read as the "load" stage, with the checksum lines of
    the very files read (`store.read_unchanged`), which a results folder records."""
    with _loading(scenario, clock):
        return read_unchanged(Path(scenario.data), lambda: scenario_register(scenario))


def _loading(scenario: Scenario, clock: Clock) -> AbstractContextManager[None]:
    """The "load" stage as it is told, the one place, for a plan of a whole scenario and
    for `prepare_scenario` alike."""
    return clock.stage("load", f"Reading the register {shown_path(scenario.data)}")


def prepare_scenario(scenario: Scenario, register: Register | None = None,
                     clock: Clock | None = None) -> Prepared:
    """Load (unless given) the register, check it against the scenario, prepare geometry."""
    clock = clock or Clock()
    if register is None:
        register = read_register(scenario, clock)
    warnings = check_scenario(scenario, register, clock)
    with clock.stage("prepare", "Measuring distances, eligible pairs and coverage"):
        prep = prepare(register, scenario)
    prep.warnings.extend(warnings)
    _tell_warnings(prep.warnings, clock)
    return prep


def require_feasible(prep: Prepared, clock: Clock | None = None) -> None:
    """The pre-check (`diagnose.precheck`): a rule that no plan can meet, found without
    a solver, raises `InfeasibleError` with its reasons, and the instance's warnings (one
    may explain them), before a model is built."""
    clock = clock or Clock()
    with clock.stage("precheck", "Checking the scenario can be met"):
        reasons = diagnose.precheck(prep)
    if reasons:
        raise diagnose.infeasible(reasons, warnings=prep.warnings)


def ready_to_plan(scenario: Scenario, register: Register | None = None,
                  clock: Clock | None = None) -> Prepared:
    """What "checked before planning" means, all of it, in this one place: the register
    read (unless given), the scenario checked against it (`check_scenario`), the
    instance prepared (`prepare`: distances measured, which is where a pair cost that
    can never apply and a lease that ends before the programme's start are found) and
    the pre-check that no rule rules out every plan (`require_feasible`).

    `estate plan` builds its model from what this returns (`plan_locality`, and each
    area of a national register); `estate validate SCENARIO.toml` runs it and stops. So
    the two cannot disagree on what a plan would refuse or warn of. Raises
    `InputError` or `InfeasibleError`; the warnings are the instance's `warnings`."""
    clock = clock or Clock()
    prep = prepare_scenario(scenario, register, clock)
    require_feasible(prep, clock)
    return prep


WARNINGS_TOLD = 5
"""Warnings said as progress lines before the solve (all of them are listed at the end)."""


def _tell_warnings(warnings: list[Problem], clock: Clock) -> None:
    """The warnings as progress lines before any solving, so that a planner watching a
    long run can stop it and fix a slip at once rather than read of it at the end."""
    for warning in warnings[:WARNINGS_TOLD]:
        clock.progress(f"Warning: {warning}")
    if len(warnings) > WARNINGS_TOLD:
        clock.progress(f"... and {len(warnings) - WARNINGS_TOLD} more warnings, every one "
                       "listed when the plan is written")


def status_quo_start(prep: Prepared, model: EstateModel) -> np.ndarray:
    """The status quo as a column vector: every existing site open, every team at home,
    nothing pooled. A first plan for the solver, so a feasible status quo always gives a
    plan at least as good, however large the model."""
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


def _first_plan_line(first: StartReport) -> str:
    """What the first-plan step found, for the progress line, in £m as the search's own
    lines say it. It is said once the search has ended (the step runs inside the solve),
    after the search's own lines, so it says what the search ran from."""
    if first.configurations:
        bound = (f"bound {money(first.configuration_bound)}"
                 if math.isfinite(first.configuration_bound) else "no bound yet")
        return (f"The search ran from a first plan made of site configurations: NPV "
                f"{money(first.objective)}, found in {first.seconds:.1f} s "
                f"({first.configurations:,} configurations in {first.rounds} rounds, {bound})")
    if first.windows and math.isnan(first.before_windows):
        how = (f"made window by window ({first.windows} windows of neighbouring sites, "
               f"{first.windows_improved} improved it): NPV {money(first.objective)}, found "
               f"in {first.seconds:.1f} s")
        return (f"The search ran from a first plan {how}" if first.searched_after else
                f"The answer is the plan {how} (the windows used the time; HiGHS's search "
                "of the whole model was not run)")
    polished = (f", {money(first.objective)} after {first.windows} window passes"
                if first.windows else "")
    found = first.before_windows if first.windows else first.objective
    return (f"The search ran from a first plan from the LP-guided search: NPV {money(found)}"
            f"{polished}, found in {first.seconds:.1f} s (LP bound {money(first.lp_bound)})")


def search_line(p: SearchProgress) -> str:
    """Where a running solve stands, for the progress line: "Search, 45 s: best plan NPV
    £720.40m, bound £719.88m (gap 0.0721%)"."""
    said = [f"round {p.rounds}"] if p.phase == SearchPhase.CONFIGURATIONS else []
    plan = math.isfinite(p.plan)
    said.append(f"best plan NPV {money(p.plan)}" if plan else "no plan yet")
    if math.isfinite(p.bound):
        # a gap below a millionth is rounding, not distance: "0%", never "1.5e-14%"
        shown = "0" if p.gap < PROVEN else f"{100 * p.gap:.3g}"
        gap = f" (gap {shown}%)" if plan and math.isfinite(p.gap) else ""
        said.append(f"bound {money(p.bound)}{gap}")
    else:
        said.append("no bound yet")
    phase = p.phase.value[0].upper() + p.phase.value[1:]
    return f"{phase}, {p.seconds:,.0f} s: " + ", ".join(said)


def first_plan_of(prep: Prepared, model: EstateModel, options: SolverOptions,
                  start: NamedPlan | None, say: Progress
                  ) -> tuple[np.ndarray, SolverOptions]:
    """The plan the solver starts from, and the options it starts with.

    Without `start`, the status quo (the first-plan step then looks for better). With a
    `start` that is a plan of this model (a near-optimal plan of the same register, such
    as the scenario's own plan when a policy is lifted), that plan, trimmed of what this
    model does not need (`trimmed`), and no first-plan step: the search starts from it,
    which is where HiGHS proves a small gap fastest (benchmarks/README.md). A model
    planned window by window keeps its steps (the windows start from the plan, and the
    bound is found beside them). A `start` that breaks a rule here is said and set
    aside."""
    if start is not None:
        carried = trimmed(model, start.on(model))
        if model.keeps_every_rule(carried):
            if by_windows(model, carried):  # the windows start from it, the bound beside
                say("Starting the window passes from the plan given")
                return carried, options
            say("Starting the search from the plan given (no first-plan step)")
            return carried, dataclasses.replace(options, first_plan=False)
        say("Note: the plan given breaks a rule of this model; the search starts from the "
            "status quo")
    return status_quo_start(prep, model), options


def solve_prepared(prep: Prepared, options: SolverOptions, clock: Clock | None = None,
                   lp_path: str | Path | None = None, start: NamedPlan | None = None
                   ) -> tuple[EstateModel, Plan]:
    """Pre-check, build, solve and turn the solution into a `Plan`; infeasible is an
    exception.

    `start`: a plan to search from instead of the status quo (`first_plan_of`)."""
    clock = clock or Clock()
    require_feasible(prep, clock)
    return _solve_checked(prep, options, clock, lp_path, start)


def _solve_checked(prep: Prepared, options: SolverOptions, clock: Clock,
                   lp_path: str | Path | None, start: NamedPlan | None
                   ) -> tuple[EstateModel, Plan]:
    """`solve_prepared` of an instance that has passed the pre-check."""
    with clock.stage("build", "Building the model"):
        model = build(prep)
    if said := reductions_line(model.reductions):
        clock.progress(said)
    if lp_path:
        with clock.stage("write_lp", f"Writing the model to {lp_path}"):
            write_lp(model, lp_path)
    size = model.size
    if clock.listening and options.on_progress is None:
        show = clock.searching
        options = dataclasses.replace(options, on_progress=lambda p: show(search_line(p)))
    first_plan, options = first_plan_of(prep, model, options, start, clock.progress)
    with clock.stage("solve", f"Solving with {options.name} ({size['columns']:,} variables, "
                              f"{size['rows']:,} constraints, limit {options.time_limit_s:g} s)"):
        solution = solve(model, options, start=first_plan)
    first = solution.first_plan
    if first is not None and first.used:
        clock.progress(_first_plan_line(first))
    elif first is not None and first.configurations:
        clock.progress(f"Site configurations: {first.reason or 'no plan'}; the search ran "
                       f"from the status quo")
    if solution.message:  # e.g. a bound lost or dropped: the plan stands without it
        clock.progress(f"Note: {solution.message}")
    if solution.status == Status.INFEASIBLE:
        with clock.stage("diagnose", "Infeasible: finding which rules cannot hold"):
            # on the model before its reductions, which fix sites a zone's row forces
            # open: the elastic re-solve may give up that zone instead, and name it
            whole = build(prep, reduce=False) if coverage_reduced(model) else model
            raise diagnose.infeasible(diagnose.explain_infeasible(prep, whole, options),
                                      warnings=prep.warnings)
    if solution.status == Status.NO_SOLUTION:
        raise NoSolutionError(
            f"no plan found within the time limit of {options.time_limit_s:g} s "
            f"(solver.time_limit_s); raise it or relax the scenario")
    with clock.stage("results", "Computing savings, payback and who pays"):
        result = make_plan(prep, model, solution)
    return model, result


def plan_locality(scenario: Scenario, register: Register | None = None, *,
                  clock: Clock | None = None, lp_path: str | Path | None = None,
                  verbose: bool = False, direct: bool = True,
                  start: NamedPlan | None = None) -> tuple[EstateModel, Plan]:
    """Plan one locality: the register (read unless given) readied (`ready_to_plan`),
    solved, searching from `start` when it is a plan of the model (`first_plan_of`).

    Raises `InputError` (bad files), `InfeasibleError` (no plan meets every rule, with
    the reasons) or `NoSolutionError` (time limit before any plan)."""
    clock = clock or Clock()
    prep = ready_to_plan(scenario, register, clock)
    return _solve_checked(prep, solver_options(scenario, verbose, direct), clock, lp_path,
                          start)
