"""The Python API: one call per thing a user does; the CLI is a thin shell over it.

    >>> import estate
    >>> plan = estate.plan("models/shared_back_office.toml")
    >>> plan.summary.npv_saving

Stages run in order, data flowing one way: load -> validate -> prepare -> build ->
solve -> results -> write. Each stage's seconds are kept in `plan.timings`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from estate.arguments import check_paths, check_plan_arguments, check_sweep_arguments
from estate.errors import PATH, EstateError, InputError, Problem, count, typed
from estate.load.file_names import default_map, default_results, file_stem
from estate.load.scenario import Scenario, load_scenario
from estate.load.validate import Register, load_register
from estate.maps.alternative_maps import (
    alternative_maps_beside,
    is_plan_map,
    map_warnings,
    remove_stale_alternative_maps,
)
from estate.maps.compare_map import comparison_map
from estate.maps.page import render_map
from estate.pages import draw_map, report
from estate.pipeline import (
    Clock,
    Progress,
    load_scenario_with_register_errors,
    prepare_scenario,
    scenario_register,
    solve_prepared,
    solver_options,
)
from estate.render.compare_figures import comparison_notes
from estate.render.compare_page import page as comparison_page
from estate.render.html import write_page
from estate.render.programme_page import programme_page
from estate.render.sweep_page import sweep_page
from estate.render.terminal import shell_word
from estate.results import Plan
from estate.runs.alternatives import DrawPages, alternative_map
from estate.runs.compare import Run, interrupted_words, plan_runs
from estate.runs.compare_tables import TABLES, table_files
from estate.runs.national import planned_areas, ready_register
from estate.runs.planning import plan_scenario
from estate.runs.sweep import MAX_RUNS, RunOutcome, SweepResult, Vary, parse_vary
from estate.runs.sweep import sweep as run_sweep
from estate.signals import Interrupted
from estate.store import read_summary
from estate.store.drawn_from import drawn_from, folder_digest
from estate.store.file_set import WrittenInterrupted, left_clean, text_file, write_files
from estate.store.paths import (
    Output,
    check_outputs,
    check_plan,
    inputs_of_file,
    results_in_place,
)

__all__ = ["ScenarioCheck", "compare", "draw_map", "plan", "prepare_scenario", "report",
           "solve_prepared", "solver_options", "sweep", "validate", "validate_scenario"]


def validate(data: str | Path) -> Register:
    """Load and check a register; raises `InputError` listing every problem.

    A scenario file is checked with its register by `validate_scenario`."""
    check_paths("estate.validate", {"data": data})
    return load_register(Path(data))


@dataclass(frozen=True)
class ScenarioCheck:
    """A scenario file and its register, checked as `estate plan` checks them before it
    builds a model. `warnings` are every warning the plan would list, in its order (the
    register's own, also in `register.warnings`, first); `areas` are the areas of a
    national register its plan plans (with `agencies`, those where one of them holds a
    site or a team), each readied on its own, or [] for one locality."""

    scenario: Scenario
    register: Register
    warnings: list[Problem]
    areas: list[str]


def validate_scenario(path: str | Path) -> ScenarioCheck:
    """Load a scenario file and its register and run every check `estate plan` runs
    before it builds a model (`ready_register`: the scenario against the register, the
    distances measured, the pre-check that no rule rules out every plan; a national
    register's areas each so), without solving or writing anything: a scenario can be
    checked in a second or two where planning it takes minutes. Raises `InputError`
    listing every problem, each by its key or by its file, row and column, or
    `InfeasibleError` with the reasons no plan can meet the scenario.
    """
    check_paths("estate.validate_scenario", {"path": path})
    scenario = load_scenario_with_register_errors(path)
    register = scenario_register(scenario)
    return ScenarioCheck(scenario, register, ready_register(scenario, register),
                         planned_areas(scenario, register))


def plan(scenario: str | Path | Scenario, *, out: str | Path | None = None,
         map_path: str | Path | Literal[False] | None = None, write: bool = True,
         progress: Progress | None = None, lp_path: str | Path | None = None,
         verbose: bool = False, direct: bool = True,
         register: Register | None = None, policy_costs: bool = False, executor: str = "local",
         scheduler: str | None = None, workers: int | None = None,
         alternatives: int = 0, within_pct: float = 5.0, programme: bool = False,
         policy_executor: str = "serial") -> Plan:
    """Plan one scenario end to end; write `results/<name>/` and a map unless `write=False`
    (`map_path=False` writes the results without a map).

    `policy_costs=True` adds `policy_costs` to the summary, its optima solved one by one
    in this process, or side by side with `policy_executor="local"` (a process pool of
    `workers`; a script then needs the `if __name__ == "__main__":` guard, as any
    process pool does) or `"dask"`; `alternatives=N` also finds
    up to N near-optimal plans within `within_pct` percent of the NPV saving, written to
    `<out>/alternatives/<i>/` with a map each beside the main one.

    `progress` is told each stage as it starts and, while the search runs, where it
    stands (best plan, bound, gap). Lines told during the search should go to stderr
    (`print(line, file=sys.stderr)`): descriptor 1 is held from HiGHS's own printing
    while it runs, so a line printed there then (by print or a logging handler on a
    terminal's stdout) is lost; a notebook's output is a stream of its own, and keeps it.

    A register whose sites carry an `area` is planned area by area, in parallel
    (`executor` "local" for a process pool, "dask" for a Dask cluster at `scheduler`),
    and merged. Raises `InputError` (bad files), `InfeasibleError` (no plan meets every
    rule, with the reasons) or `NoSolutionError` (time limit before any plan).
    """
    check_plan_arguments(
        scenario=scenario, out=out, map_path=map_path, lp_path=lp_path, write=write,
        progress=progress, register=register, alternatives=alternatives,
        within_pct=within_pct, workers=workers, executor=executor,
        policy_executor=policy_executor, scheduler=scheduler,
        flags={"verbose": verbose, "direct": direct, "policy_costs": policy_costs,
               "programme": programme})
    clock = Clock(progress)
    if not isinstance(scenario, Scenario):
        with clock.stage("load", f"Reading the scenario {scenario}"):
            scenario = load_scenario_with_register_errors(scenario)
    named = not out  # the folder named after the scenario, not one given
    out = Path(out) if out else default_results(scenario.name)
    target = None if map_path is False or not write else \
        Path(map_path) if map_path else default_map(scenario.name)
    # every output checked before solving: a wrong path must not cost a solve
    check_plan(out if write else None, target, Path(lp_path) if lp_path else None,
               scenario, named, [path for i, path in alternative_maps_beside(target)
                                 if i <= alternatives] if target else [])
    # what is said of the maps beside the plan, asked before the plan redraws them
    drawn_over = map_warnings(target, out, default_map(scenario.name)) if target else []
    try:
        run = plan_scenario(scenario, out=out, write=write, clock=clock, lp_path=lp_path,
                            verbose=verbose, direct=direct, register=register,
                            policy_costs=policy_costs, executor=executor,
                            scheduler=scheduler, workers=workers, alternatives=alternatives,
                            within_pct=within_pct, programme=programme,
                            policy_executor=policy_executor, draw=_programme_page(clock))
    except Interrupted as exc:
        if exc.written is None or target is None:
            raise
        # the folder is in place and the maps not drawn: say which, and how to draw them
        written = _alternatives_in(exc.written)
        remove_stale_alternative_maps(target, scenario.name, set(written))
        raise Interrupted(_maps_not_drawn(exc.written, target, _maps_of(
            exc.written, target, written)), exc.written) from None
    if run.out is not None and target is not None:
        _draw_maps(run.out, target, [a.index for a in run.alternatives], run.scenario.name,
                   clock)
    run.plan.timings = clock.seconds
    run.plan.warnings += drawn_over
    return run.plan


def draw_programme_page(plan: Plan, folder: Path, name: str) -> None:
    """Write programme.html of a plan with a dated programme (the main plan's, or an
    alternative's) into its results folder as the folder is filled (`DrawPages`): a
    function of this module, so that a sweep's workers can be sent it."""
    if plan.programme is not None:
        write_page(folder / "programme.html", programme_page(plan.programme, plan.summary, name))


def _programme_page(clock: Clock) -> DrawPages:
    """`draw_programme_page`, told as a stage of the plan."""

    def draw(plan: Plan, folder: Path, name: str) -> None:
        if plan.programme is not None:
            with clock.stage("programme_page", f"Drawing the programme of {name}"):
                draw_programme_page(plan, folder, name)

    return draw


def _alternatives_in(out: Path) -> list[int]:
    """The alternatives the plan in the results folder `out` lists (none when its summary
    cannot be read)."""
    try:
        listed = read_summary(out).alternatives
    except (EstateError, OSError, ValueError):
        return []
    return [] if listed is None else [entry.index for entry in listed.plans]


def _maps_of(out: Path, target: Path, indices: list[int]) -> list[tuple[Path, Path]]:
    """(results folder, map) of a plan written to `out` and of each of its alternatives."""
    return [(out, target), *((out / "alternatives" / str(i), alternative_map(target, i))
                             for i in indices)]


def _draw_maps(out: Path, target: Path, indices: list[int], name: str, clock: Clock) -> None:
    """Draw the map of the plan in `out` at `target`, and each alternative's beside it,
    once the maps of alternatives an earlier plan of the scenario had, and this one has
    not, are removed. Ctrl-C meanwhile is `Interrupted`, saying which were not drawn."""
    maps = _maps_of(out, target, indices)
    before = [_identity(path) for _, path in maps]
    try:
        with clock.stage("map", f"Drawing the map {target}"), results_in_place(
                f"The results are in place in {out};", "--map", target,
                f"draw the map with: estate map {shell_word(out, quoted=True)} --out FILE"):
            remove_stale_alternative_maps(target, name, set(indices))
            for folder, path in maps:
                render_map(folder, path)
    except KeyboardInterrupt:
        # a map drawn is a new file (renamed into place), told apart from one left as it was
        missing = [m for m, was in zip(maps, before, strict=True) if _identity(m[1]) == was]
        raise Interrupted(_maps_not_drawn(out, target, missing), out) from None


def _identity(path: Path) -> tuple[int, int] | None:
    """The file at `path` as (device, inode), None when there is none."""
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_dev, found.st_ino


def _maps_not_drawn(out: Path, target: Path, missing: list[tuple[Path, Path]]) -> str:
    """What an interrupt once the results folder `out` is written leaves undone: the maps
    `missing`, each with the command that draws it."""
    if not missing:
        return f"Interrupted once the results were written to {out} and their maps drawn."
    commands = "; ".join(f"`estate map {shell_word(folder, quoted=True)} --out "
                         f"{shell_word(path, quoted=True)}`" for folder, path in missing)
    them = "it" if len(missing) == 1 else "them"
    if missing[0][1] == target:
        others = len(missing) - 1
        what = "the map was not drawn" + (
            f", nor the maps of its {count(others, 'alternative')}" if others else "")
        return (f"Interrupted after the results were written to {out}; {what}: draw {them} "
                f"with {commands}.")
    return (f"Interrupted after the results were written to {out} and its map to {target}; "
            f"the maps of {count(len(missing), 'alternative')} were not drawn: draw {them} "
            f"with {commands}.")


COMPARISON_FILES = (*TABLES, "comparison.html", "comparison_map.html")


def compare(paths: list[str | Path], out: str | Path = "comparison",
            results_root: str | Path = "results", progress: Progress | None = None,
            cdn: bool = False, policy_costs: bool = True) -> list[Run]:
    """Plan every scenario side by side and write `COMPARISON_FILES` into `out`.

    Each scenario is planned with its policy costs into `<results_root>/<name>/`, or its
    stored folder reused when its scenario and register are unchanged (without
    `policy_costs`, none is priced and a stored plan is reused with or without them). A scenario with no
    plan (infeasible, say) is a row with its status. The page and the map (Leaflet from
    CDNs when `cdn`) are drawn before any file is written, and the four files are
    written as a set (`write_files`): a failure or Ctrl-C leaves every file of the
    previous comparison as it was, or, once they are being put in place, all are new.
    `out` may not be inside a compared scenario's results folder.
    """
    check_paths("estate.compare", {"out": out, "results_root": results_root})
    typed("estate.compare", "paths", paths, (list, tuple, *PATH),
          "a list of scenario paths (str or Path)")
    for name, flag in (("cdn", cdn), ("policy_costs", policy_costs)):
        typed("estate.compare", name, flag, (bool, np.bool_), "True or False")
    if isinstance(paths, list | tuple):
        check_paths("estate.compare", {f"paths[{i}]": p for i, p in enumerate(paths)})
    if isinstance(paths, str | Path) or not paths:  # the command line asks for one at least
        raise InputError([Problem("estate.api.compare", None, "paths", "a list of one scenario "
                                  "file or more", repr(paths), label="option")])
    planned = _results_folders(paths, Path(results_root))
    # each scenario's results folder can be made or written in (a stored one may be
    # reused, so what it holds is its plan's to judge): found before any solve
    check_outputs([Output("the scenario's results folder (its name key)", folder, folder=True)
                   for folder in dict.fromkeys(planned)])  # two of one name: said apart
    check_outputs([Output("--out", Path(out), folder=True, writes=COMPARISON_FILES)],
                  inputs={k: v for path in paths for k, v in inputs_of_file(Path(path)).items()},
                  planned=planned)
    runs = plan_runs(paths, Path(results_root), progress, policy_costs,
                     draw=_programme_page(Clock(progress)))
    try:
        _redraw_plan_maps(runs, cdn, progress)
        files = table_files(runs, Path(out), [note.text for note in comparison_notes(runs)]) | {
            Path(out) / "comparison.html": text_file(comparison_page(runs)),
            Path(out) / "comparison_map.html": text_file(comparison_map(runs, cdn))}
        before = any(os.path.lexists(Path(out) / name) for name in COMPARISON_FILES)
        kept = ("The previous comparison there is as it was" if before else
                "No file of the comparison was written")
        with results_in_place(f"{kept}, and each scenario's results are in place in "
                              f"{results_root}/;", "--out", Path(out),
                              "free some space or give another --out, and run again (the "
                              "plans are reused)."), left_clean(Path(out)):
            write_files(files)
    except KeyboardInterrupt as stopped:
        if isinstance(stopped, Interrupted | WrittenInterrupted):
            raise  # it says what it leaves
        raise Interrupted(_interrupted_after_plans(runs)) from None
    return runs


def _interrupted_after_plans(runs: list[Run]) -> str:
    """What Ctrl-C once every scenario is planned leaves: the new plans' folders in
    place, the comparison's files as they were, and each map `estate plan` drew of a plan
    made anew that was not drawn again yet, with the command that draws it."""
    fresh = [run for run in runs if not run.reused and run.summary is not None]
    maps = "".join(f" {target} still shows the earlier plan: draw it with `estate map "
                   f"{shell_word(run.results_dir, quoted=True)} --out "
                   f"{shell_word(target, quoted=True)}`."
                   for run in runs if run.redrawn_map is None
                   and (target := _map_of_earlier_plan(run)) is not None)
    return interrupted_words([run.results_dir for run in fresh], "") + maps


def _map_of_earlier_plan(run: Run) -> Path | None:
    """The map `estate plan` drew at `maps/<name>.html` of the results folder of `run`,
    when it is older than the plan that folder holds now: planned anew here, or by an
    earlier comparison stopped before it drew the map again. None when there is none, or
    the map was drawn from another folder (`estate plan --out elsewhere` draws there too);
    a map drawn before maps were marked with their folder is taken as drawn from
    `results/<name>/`. A plan whose policy costs alone were added keeps its map."""
    name, target = run.scenario.name, default_map(run.scenario.name)
    if run.summary is None or not is_plan_map(target, name):
        return None
    mark = drawn_from(target)
    if (mark != folder_digest(run.results_dir, target) if mark is not None else
            run.results_dir.resolve() != default_results(name).resolve()):
        return None
    try:  # the plan's tables, not summary.json, which policy costs added rewrite alone
        older = target.stat().st_mtime_ns < (run.results_dir / "sites.csv").stat().st_mtime_ns
    except OSError:
        return None
    return target if older else None


def _redraw_plan_maps(runs: list[Run], cdn: bool, progress: Progress | None) -> None:
    """Bring the maps `estate plan` drew beside the scenarios planned anew here up to
    their new plans: no map stands for an alternative whose folder is gone, and the
    plan's own map is drawn again from the new folder (`_map_of_earlier_plan`), so that
    it never shows an older plan than the folder holds."""
    clock = Clock(progress)
    for run in runs:
        if run.dropped_alternatives:
            run.removed_maps = remove_stale_alternative_maps(
                default_map(run.scenario.name), run.scenario.name, set())
        target = _map_of_earlier_plan(run)
        if target is None:
            continue
        with clock.stage("map", f"{run.scenario.name}: drawing its map {target} again "
                         "for the new plan"), results_in_place(
                "The plans are in place in their results folders and the comparison's "
                "files are as they were;", "the map of the scenario's earlier plan", target,
                "put it right and run the comparison again: the plans are reused, and the "
                "map drawn then."):
            render_map(run.results_dir, target, cdn, stored=run.stored)
        run.redrawn_map = target


def _results_folders(paths: list[str | Path], results_root: Path) -> list[Path]:
    """The results folder each scenario is planned into (`<results_root>/<name>/`), where
    the comparison may not be written, as each plan replaces it whole; a scenario that
    cannot be read has none (planning it says what is wrong)."""
    folders = []
    for path in paths:
        try:
            folders.append(results_root / file_stem(load_scenario(Path(path)).name))
        except (InputError, OSError):
            continue
    return folders


def sweep(scenario: str | Path, varies: Sequence[Vary | str], out: str | Path, *,
          executor: str = "local", scheduler: str | None = None, workers: int | None = None,
          on_outcome: Callable[[RunOutcome, int, int], None] | None = None,
          max_runs: int = MAX_RUNS) -> SweepResult:
    """Plan `scenario` for every combination of `varies`, each run in `out/runs/<run-id>/`;
    write `sweep.csv`, `site_robustness.csv` and the page `sweep.html` into `out`.

    Runs go to a local process pool (`workers` of them) or, with `executor="dask"`, to the
    Dask cluster at `scheduler`; finished runs are reused, so a rerun resumes.
    `on_outcome(outcome, done, total)` is called as each run ends. A grid of more than
    `max_runs` runs, or a key the scenario does not know, is refused before any run.
    The three files are written as a set: all new, or (failed or interrupted) all as
    they were. Each of `varies` is a `Vary` or its `--vary` text ("sharing.efficiency=
    0.1:0.3:3"), read as the command line reads it.
    """
    check_sweep_arguments(scenario=scenario, varies=varies, out=out, workers=workers,
                          max_runs=max_runs, executor=executor, scheduler=scheduler)
    parsed = [parse_vary(v) if isinstance(v, str) else v for v in varies]
    return run_sweep(scenario, parsed, out, executor=executor, scheduler=scheduler,
                     workers=workers, on_outcome=on_outcome, max_runs=max_runs,
                     page=lambda rows, robustness, name: sweep_page(rows, robustness,
                                                                    parsed, name),
                     draw=draw_programme_page)
