"""Sweeps: plan every combination of a few varied scenario keys (docs/sweeps.md).

    estate sweep models/shared_back_office.toml --vary sharing.efficiency=0.1:0.25:4 \\
        --vary relocation.cost_per_fte=2500,5000 --out sweeps/efficiency

Each combination is one run: the scenario dict with the dotted keys set
(`scenario.set_dotted`), checked like a scenario file, planned by `estate.plan` into a
results folder of its own, `DIR/runs/<run-id>/`. Runs go to a process pool or a Dask
cluster; whatever happens to one run (bad value, infeasible, time limit with no plan,
a crash) becomes its row's `status`, never a lost sweep.

Resume: a run is not redone when its folder holds a complete `summary.json` whose
`scenario.toml` is the run's scenario and whose `inputs.sha256` matches the register
today (or, for a deterministic failure, an `outcome.json` saying so). Folders are
written whole and moved into place, so an interrupted sweep leaves only whole runs.

`sweep` writes `sweep.csv` and `site_robustness.csv` (their rows made from the runs'
outcomes by `estate.runs.sweep_tables`); the page of a sweep, `sweep.html`,
is drawn by `estate.render.sweep_page` (`estate.api.sweep` writes all three).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from estate.errors import (
    EstateError,
    InfeasibleError,
    InputError,
    OutputError,
    Problem,
    RegisterChanged,
    keep_trace,
)
from estate.load.scenario import scenario_from_dict, set_dotted
from estate.load.toml_text import read_scenario_dict
from estate.runs.alternatives import DrawPages
from estate.runs.executor import check_scheduler, run_all, sigterm_as_interrupt
from estate.runs.planning import plan_scenario
from estate.runs.sweep_tables import RunOutcome, SiteOutcome, site_robustness, sweep_rows
from estate.runs.vary import (
    MAX_RUNS,
    MAX_VALUES,
    Value,
    Vary,
    check_keys,
    grid,
    older_run_ids,
    parse_value,
    parse_vary,
    run_id,
    shown,
)
from estate.status import Status, status_of
from estate.store import inputs_sha256, is_fresh, read_outcome, read_summary, write_outcome
from estate.store.check import RESULT_TABLES, read_table
from estate.store.csv_cells import write_safe_csv
from estate.store.file_set import (
    Write,
    WrittenInterrupted,
    left_clean,
    listed,
    text_file,
    write_files,
)
from estate.store.folder import clear_debris_in, folder_lock, stored_as
from estate.store.paths import Output, check_outputs, inputs_of_file, results_in_place
from estate.store.warnings_table import read_warnings

#: What a sweep writes into its `--out` folder (the page `sweep.html` by `estate.api`).
SWEEP_FILES = ("runs", "sweep.csv", "site_robustness.csv", "sweep.html")
EXECUTORS = ("local", "dask")
__all__ = ["MAX_RUNS", "MAX_VALUES", "EXECUTORS", "RunOutcome", "RunTask", "SweepInterrupted",
           "SweepResult", "Value", "Vary", "grid", "parse_value", "parse_vary", "reuse",
           "run_id", "run_one", "shown", "site_robustness", "sweep", "sweep_rows"]


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM stopped a sweep: `message` says how many runs are stored."""

    @property
    def message(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs for one run; plain data, so it pickles to any worker."""

    run_id: str
    parameters: dict[str, Value]
    raw: dict[str, Any]  # the run's scenario dict, `data` absolute, `name` set
    label: str
    folder: str
    # what is drawn into its folder as it is filled (`DrawPages`): a function of a
    # module, so that it pickles by name to a process or a Dask worker
    draw: DrawPages | None = None


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, InputError):
        return "; ".join(str(p) for p in exc.problems)
    if isinstance(exc, InfeasibleError):
        return "; ".join([*exc.reasons, *([exc.to_relax] if exc.to_relax else [])])
    if isinstance(exc, EstateError):  # its own words (an output not written, say)
        return str(exc)
    first = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def _sites_of(table: pd.DataFrame) -> list[SiteOutcome]:
    """Each site of a run's plan (sites.csv's rows); `area` is a national plan's column."""
    areas = table["area"] if "area" in table else pd.Series("", index=table.index)
    return [SiteOutcome(str(site_id), str(name), "" if pd.isna(area) else str(area),
                        decision in ("keep", "open"))
            for site_id, name, area, decision in zip(table["site_id"], table["name"], areas,
                                                     table["decision"], strict=True)]


RUN_OUT = ("a run's folder in the sweep's --out",
           "once that is mended, run the sweep again: it plans only the runs not stored.")
"""How a run's folder is named when it cannot be written, and what to do."""


def run_one(task: RunTask) -> RunOutcome:
    """Check and plan one run in this process; every ending becomes an outcome. A
    register planned area by area plans its areas one after another here: the sweep's
    runs are what its workers share out, and a Dask worker may not start a pool of its
    own (its processes are daemons)."""
    t0 = time.perf_counter()
    done = RunOutcome(task.run_id, task.parameters, Status.ERROR, ran=True)
    before = _hashed(task.raw.get("data"))  # the register as the run begins, kept with it
    try:
        scenario = scenario_from_dict(task.raw, base_dir=Path(task.folder), label=task.label)
        result = plan_scenario(scenario, out=Path(task.folder), draw=task.draw,
                               out_words=RUN_OUT, executor="serial").plan
        done.status, done.summary = result.status, result.summary
        done.sites, done.warnings = _sites_of(result.sites), len(result.warnings)
    except Exception as exc:  # one run's ending is its row, never the sweep's end
        done.status, done.message = status_of(exc), _one_line(exc)
        if not isinstance(exc, EstateError):  # a fault of estate's: its trace kept
            # one log a run, as several may fail; in the working folder, as every command's
            done.message += f" (full trace in {keep_trace(exc, f'estate-error-{task.run_id}.log')})"
        done.unstored = isinstance(exc, OutputError)
        # refused before planning (its register or scenario): not one "planned now"
        done.ran = done.status != Status.INVALID or done.unstored
        # else planned again: a full disk, a register saved meanwhile or as it was read
        if done.status.settled and not done.unstored and _hashed(task.raw.get("data")) == before \
                and not isinstance(exc, RegisterChanged):
            write_outcome(Path(task.folder), done.status, done.message, task.raw, before)
    done.seconds = round(time.perf_counter() - t0, 3)
    return done


def reuse(task: RunTask, inputs_hash: str) -> RunOutcome | None:
    """The stored outcome of this very run (same scenario, same register), if complete."""
    folder = Path(task.folder)
    if not is_fresh(folder, task.raw, inputs_hash):
        return None
    if (folder / "summary.json").exists():
        try:
            summary, warned = read_summary(folder), read_warnings(folder)
            sites = read_table(folder / "sites.csv", RESULT_TABLES["sites"])
            return RunOutcome(task.run_id, task.parameters, summary.status, "", summary,
                              _sites_of(sites), reused=True,
                              warnings=None if warned is None else len(warned))
        except (InputError, OSError, ValueError, KeyError, pd.errors.ParserError):
            return None
    outcome = read_outcome(folder)
    if outcome is not None and outcome[0].settled:
        return RunOutcome(task.run_id, task.parameters, outcome[0], outcome[1], reused=True)
    return None


def _tasks(path: Path, varies: list[Vary], out: Path, most: int, draw: DrawPages | None
           ) -> tuple[list[RunTask], list[RunOutcome], str]:
    """One task per combination; combinations whose keys cannot be set are invalid rows.
    Keys the scenario does not know and grids of more than `most` runs are refused."""
    base = read_scenario_dict(path)
    check_keys(base, varies)
    if isinstance(base.get("data"), str):
        base["data"] = str((path.parent / base["data"]).resolve())
    given = base.get("name")
    name = given if isinstance(given, str) and given else path.stem
    tasks, invalid = [], []
    for parameters in grid(varies, most):
        rid = run_id(parameters)
        said = ", ".join(f"{k}={shown(v)}" for k, v in parameters.items())
        raw = base
        try:
            for key, value in parameters.items():
                raw = set_dotted(raw, key, list(value) if isinstance(value, tuple) else value)
        except (KeyError, IndexError, ValueError, TypeError) as exc:
            invalid.append(RunOutcome(rid, parameters, Status.INVALID,
                                      f"{path}: cannot set {said}: {type(exc).__name__} {exc}"))
            continue
        # the keys in one order, whatever the order of --vary, as the run id has them: a
        # sweep of the same keys listed otherwise is the same runs, and reuses them
        named = ", ".join(f"{k}={shown(parameters[k])}" for k in sorted(parameters))
        raw = {**raw, "name": f"{name} [{named}]"}
        if isinstance(raw.get("data"), str):  # `data` itself may be varied
            raw["data"] = str((path.parent / raw["data"]).resolve())
        label = f"{path} [{said}]"
        try:
            scenario_from_dict(raw, base_dir=path.parent, label=label)
        except InputError as exc:
            invalid.append(RunOutcome(rid, parameters, Status.INVALID, _one_line(exc)))
            continue
        # absolute, as the register is: a Dask worker would read a relative folder in
        # its own working directory, and write the run where this sweep never looks
        tasks.append(RunTask(rid, parameters, raw, label, str(out.absolute() / "runs" / rid),
                             draw))
    return tasks, invalid, name


class AllRefused(InputError):
    """Every run of a sweep refused: nothing planned and no table written, though a run
    its register refused keeps its `outcome.json`, to be checked again quickly."""

    closing = ("Nothing was planned, and no table of the sweep was written (a run its "
               "register refused keeps its outcome.json in runs/). Fix the problems above "
               "and run again.")


def _all_refused(path: Path, outcomes: list[RunOutcome], kept: bool = False) -> InputError:
    """Every run refused, before planning or by its register (`kept`: some as they were
    planned, keeping their outcome.json): exit 1, no tables."""
    refused = AllRefused if kept else InputError
    return refused([Problem(str(path), None, None, "a scenario and register that at least "
                            "one combination of --vary leaves valid", f"all "
                            f"{len(outcomes)} refused; the first: {outcomes[0].message}")])


def _result_or_error(outcome: RunOutcome | BaseException, task: RunTask) -> RunOutcome:
    """A worker that died (killed, out of memory) is an error row too: its words say
    why (`run_one` itself turns every exception of a run into its outcome)."""
    if not isinstance(outcome, BaseException):
        return outcome
    return RunOutcome(task.run_id, task.parameters, Status.ERROR, _one_line(outcome), ran=True)


@dataclass
class SweepResult:
    rows: pd.DataFrame
    robustness: pd.DataFrame
    outcomes: list[RunOutcome]
    out: Path
    seconds: float
    scenario_name: str = ""

    @property
    def solved(self) -> list[str]:
        """Run ids planned by this call (not reused, not rejected before planning)."""
        return [o.run_id for o in self.outcomes if o.ran]

    @property
    def reused(self) -> list[str]:
        return [o.run_id for o in self.outcomes if o.reused]


def sweep(scenario: str | Path, varies: list[Vary], out: str | Path, *,
          executor: str = "local", scheduler: str | None = None, workers: int | None = None,
          on_outcome: Callable[[RunOutcome, int, int], None] | None = None,
          max_runs: int = MAX_RUNS,
          page: Callable[[pd.DataFrame, pd.DataFrame, str], str] | None = None,
          draw: DrawPages | None = None) -> SweepResult:
    """Plan every combination of `varies` on `scenario`; write the sweep's two tables,
    and `sweep.html` with them when `page` draws it (from the rows, the robustness
    table and the scenario's name): the files are written as a set (`write_files`), all
    new or all as they were. `draw` writes into each run's results folder what
    `estate plan` draws there (a dated run's programme.html): a module's function, as it
    goes to the workers.

    `on_outcome(outcome, done, total)` is called as each run ends (reused runs first).
    Everything is checked before any run starts (keys, grid size up to `max_runs`, the
    folder `out`, each run's scenario: a sweep none of whose runs is valid is an
    InputError); one sweep at a time writes `out`. Ctrl-C or SIGTERM stops the workers
    at once and raises `SweepInterrupted`, saying how many runs are stored.
    """
    if executor not in EXECUTORS:
        raise InputError([Problem("--executor", None, None, f"one of {', '.join(EXECUTORS)}",
                                  repr(executor))])
    t0 = time.perf_counter()
    path, out = Path(scenario), Path(out)
    check_outputs([Output("--out", out, folder=True, writes=SWEEP_FILES, folders=("runs",))],
                  inputs=inputs_of_file(path))
    tasks, outcomes, name = _tasks(path, varies, out, max_runs, draw)
    if not tasks:  # every combination refused: a mistake in the scenario, not a sweep
        raise _all_refused(path, outcomes)
    if executor == "dask":
        check_scheduler(scheduler)
    order = {run_id(p): i for i, p in enumerate(grid(varies, max_runs))}
    total = len(tasks) + len(outcomes)
    with left_clean(out, inside=("runs",)), folder_lock(out, replaced=False), \
            sigterm_as_interrupt(), _interrupted(tasks, total, out):
        if (out / "runs").is_dir():  # what killed runs left; never a live writer's
            clear_debris_in(out / "runs")
        todo = _reuse_stored(tasks, outcomes)
        if on_outcome:
            for i, outcome in enumerate(outcomes, 1):
                on_outcome(outcome, i, total)
        if todo:
            workers = max(1, min(workers or os.cpu_count() or 1, len(todo)))
            # Even one run goes to a worker: a solver that crashes takes its worker down,
            # not the sweep. Ctrl-C stops the solves at once (each folder is written
            # whole or not at all); the runs are closed before `_interrupted` clears
            # runs/, so a Ctrl-C while a run is shown leaves no worker writing.
            with contextlib.closing(run_all(run_one, todo, executor, workers=workers,
                                            scheduler=scheduler)) as runs:
                for i, result in runs:
                    outcome = _result_or_error(result, todo[i])
                    outcomes.append(outcome)
                    if on_outcome:
                        on_outcome(outcome, len(outcomes), total)
        outcomes.sort(key=lambda o: order[o.run_id])
        if all(o.status is Status.INVALID and not o.ran for o in outcomes):
            # refused by the register too (a site the policy names that it lacks, a
            # table it cannot read): a mistake in the inputs, not a sweep's finding
            raise _all_refused(path, outcomes, kept=True)
        if outcomes and all(o.status is Status.ERROR for o in outcomes):
            # nothing planned, each for a reason estate did not expect: not a finding
            raise EstateError(f"Every run of the sweep ended in an error, and no table was "
                              f"written; the first, {outcomes[0].run_id}: "
                              f"{outcomes[0].message}")
        if outcomes and all(o.unstored for o in outcomes):  # a full disk, say: no table
            raise OutputError(f"No run of the sweep could be stored: {outcomes[0].message}")
        rows = sweep_rows(outcomes, [v.key for v in varies])
        robustness = site_robustness(outcomes)
        files: dict[Path, Write] = {
            out / "sweep.csv": lambda temp: write_safe_csv(rows, temp),
            out / "site_robustness.csv": lambda temp: write_safe_csv(robustness, temp)}
        if page is not None:
            files[out / "sweep.html"] = text_file(page(rows, robustness, name))
        with results_in_place(f"The runs are stored in {out / 'runs'}, and no table or "
                              "page of the sweep was written or changed;", "--out", out,
                              "free some space and run again (the runs are reused)."):
            write_files(files)
    return SweepResult(rows, robustness, outcomes, out, round(time.perf_counter() - t0, 3),
                       name)


def _reuse_stored(tasks: list[RunTask], outcomes: list[RunOutcome]) -> list[RunTask]:
    """Add the stored outcome of every finished task to `outcomes`; the tasks to run. A
    run an older estate stored under another id (`older_run_ids`) is taken as it is."""
    todo = []
    for task, inputs_hash in _with_hashes(tasks):
        folder = Path(task.folder)
        stored_as(folder, [folder.parent / rid for rid in older_run_ids(task.parameters)])
        stored = reuse(task, inputs_hash)
        if stored is None:
            todo.append(task)
        else:
            outcomes.append(stored)
    return todo


def _with_hashes(tasks: list[RunTask]) -> Iterator[tuple[RunTask, str]]:
    """Each task with its register's hashes as they are now (read once a register)."""
    hashes: dict[str, str] = {}
    for task in tasks:
        if (data := task.raw["data"]) not in hashes:
            hashes[data] = _hashed(data)
        yield task, hashes[data]


def _hashed(data: object) -> str:
    """The checksum lines (`inputs_sha256`) of the register a run's `data` names, as it
    is now; "" when it is gone, or `data` names none (a run refused for it)."""
    return inputs_sha256(Path(data)) if isinstance(data, str) and Path(data).exists() else ""


@contextlib.contextmanager
def _interrupted(tasks: list[RunTask], total: int, out: Path) -> Iterator[None]:
    """Turn Ctrl-C (or SIGTERM) into `SweepInterrupted`, counting the runs stored that a
    rerun reuses (a folder of the run as the scenario or register was before is not
    one): the workers are stopped by then, so the folders on disk are all there will be."""
    try:
        yield
    except KeyboardInterrupt as exc:
        if (out / "runs").is_dir():  # what the stopped workers were writing
            clear_debris_in(out / "runs")
        # the folders a rerun reuses: of this run as the scenario and register are now
        fresh = [Path(t.folder) for t, inputs_hash in _with_hashes(tasks)
                 if is_fresh(Path(t.folder), t.raw, inputs_hash)]
        plans = sum((folder / "summary.json").is_file() for folder in fresh)
        stored = plans + sum((folder / "outcome.json").is_file() and not
                             (folder / "summary.json").is_file() for folder in fresh)
        if isinstance(exc, WrittenInterrupted):  # it came as the tables were put in place
            tables = listed([path.name for path in exc.paths])
            raise SweepInterrupted(
                f"Interrupted as the sweep ended, after every run: {stored} of {total} runs "
                f"are stored in {out / 'runs'} ({plans} with a plan), and {tables} were "
                "written, whole: nothing is left to do.") from None
        where = (f"{stored} of {total} runs are stored in {out / 'runs'} ({plans} with a "
                 "plan)") if stored else f"none of the {total} runs is stored"
        again = ("resume from the stored runs" if stored else "start the sweep")
        raise SweepInterrupted(
            f"Interrupted: {where}; the workers are stopped, and sweep.csv, "
            "site_robustness.csv and sweep.html were not rewritten (they are the previous "
            f"sweep's, if any). Run the same command again to {again}.") from None
