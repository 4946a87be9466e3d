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

`sweep` writes `sweep.csv` and `site_robustness.csv`; the page of a sweep, `sweep.html`,
is drawn by `estate.render.sweep_page` (`estate.api.sweep` writes all three).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

import numpy as np
import pandas as pd

from estate.errors import InfeasibleError, InputError, NoSolutionError, Problem
from estate.load.scenario import read_scenario_dict, scenario_from_dict, set_dotted
from estate.results import Summary
from estate.runs.executor import run_all
from estate.runs.planning import plan_scenario
from estate.status import Status, status_of
from estate.store import inputs_sha256, is_fresh, read_outcome, read_summary, write_outcome
from estate.store.folder import write_file

#: The statuses of runs that have a plan (sweep.csv's `status` column).
PLANNED = tuple(s.value for s in Status if s.has_plan)
EXECUTORS = ("local", "dask")

Value = int | float | str | bool


@dataclass(frozen=True)
class Vary:
    """One `--vary KEY=...`: a dotted scenario key and the values it takes."""

    key: str
    values: tuple[Value, ...]


def parse_value(text: str) -> Value:
    """A number when the text looks like one (int before float), true/false, else text."""
    text = text.strip()
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    try:
        x = float(text)
    except ValueError:
        return text
    return text if math.isnan(x) else x


def _is_number(value: Value) -> TypeGuard[int | float]:
    """An int or a float; not a bool, which Python counts as an int."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _spaced(lo: float, hi: float, n: int, integers: bool) -> tuple[Value, ...]:
    """N evenly spaced values from lo to hi inclusive, printed as a person would type them."""
    values = [float(f"{v:.12g}") for v in np.linspace(lo, hi, n)]
    if integers and all(v.is_integer() for v in values):
        return tuple(int(v) for v in values)
    return tuple(values)


def parse_vary(spec: str) -> Vary:
    """`KEY=V1,V2,...` or `KEY=LO:HI:N` (N evenly spaced values, ends included)."""
    key, sep, rest = spec.partition("=")
    key = key.strip()
    if not sep or not key or not rest.strip() or not re.fullmatch(r"[A-Za-z0-9_.]+", key):
        raise _bad(spec, "KEY=V1,V2,... or KEY=LO:HI:N with a dotted scenario key, e.g. "
                         "sharing.efficiency=0.1:0.2:3")
    parts = rest.split(":")
    if "," not in rest and len(parts) == 3:
        lo, hi, n = (parse_value(p) for p in parts)
        if _is_number(lo) and _is_number(hi):
            if not isinstance(n, int) or n < 1:
                raise _bad(spec, f"a whole number of values N >= 1 in {key}=LO:HI:N")
            if not (math.isfinite(lo) and math.isfinite(hi)):
                raise _bad(spec, f"finite ends LO and HI in {key}=LO:HI:N")
            integers = isinstance(lo, int) and isinstance(hi, int)
            return Vary(key, _spaced(float(lo), float(hi), n, integers))
    values = tuple(parse_value(v) for v in rest.split(","))
    if any(v == "" for v in values):
        raise _bad(spec, f"no empty values in {key}=V1,V2,...")
    return Vary(key, values)


def _bad(spec: str, expected: str) -> InputError:
    return InputError([Problem("--vary", None, None, expected, repr(spec))])


def grid(varies: Iterable[Vary]) -> list[dict[str, Value]]:
    """Every combination, the first key varying slowest."""
    varies = list(varies)
    keys = [v.key for v in varies]
    if len(set(keys)) != len(keys):
        dup = sorted({k for k in keys if keys.count(k) > 1})
        raise InputError([Problem("--vary", None, None, "each key varied once",
                                  f"{dup} given more than once")])
    return [dict(zip(keys, combo, strict=True))
            for combo in itertools.product(*(v.values for v in varies))]


def run_id(parameters: dict[str, Value]) -> str:
    """A folder name that depends on the parameters only (not on their order in the grid)."""
    text = json.dumps(parameters, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs for one run; plain data, so it pickles to any worker."""

    run_id: str
    parameters: dict[str, Value]
    raw: dict[str, Any]  # the run's scenario dict, `data` absolute, `name` set
    label: str
    folder: str


@dataclass
class RunOutcome:
    """What one run ended as; `summary` and `sites` only when it has a plan."""

    run_id: str
    parameters: dict[str, Value]
    status: Status
    message: str = ""
    summary: Summary | None = None
    sites: list[tuple[str, str, bool]] = field(default_factory=list)  # id, name, open
    reused: bool = False
    ran: bool = False  # planned (or tried) by a worker in this call
    seconds: float = 0.0


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, InputError):
        return "; ".join(str(p) for p in exc.problems)
    if isinstance(exc, InfeasibleError):
        return "; ".join(exc.reasons)
    if isinstance(exc, NoSolutionError):
        return str(exc)
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _sites_of(table: pd.DataFrame) -> list[tuple[str, str, bool]]:
    return [(str(r.site_id), str(r.name), r.decision in ("keep", "open"))
            for r in table[["site_id", "name", "decision"]].itertuples(index=False)]


def run_one(task: RunTask) -> RunOutcome:
    """Check and plan one run in this process; every ending becomes an outcome."""
    t0 = time.perf_counter()
    done = RunOutcome(task.run_id, task.parameters, Status.ERROR, ran=True)
    try:
        scenario = scenario_from_dict(task.raw, base_dir=Path(task.folder), label=task.label)
        result = plan_scenario(scenario, out=Path(task.folder)).plan
        done.status, done.summary = result.status, result.summary
        done.sites = _sites_of(result.sites)
    except Exception as exc:  # one run's ending is its row, never the sweep's end
        done.status, done.message = status_of(exc), _one_line(exc)
        if done.status.settled:
            data = Path(task.raw["data"])
            write_outcome(Path(task.folder), done.status, done.message, task.raw,
                          inputs_sha256(data) if data.exists() else "")
    done.seconds = round(time.perf_counter() - t0, 3)
    return done


def reuse(task: RunTask, inputs_hash: str) -> RunOutcome | None:
    """The stored outcome of this very run (same scenario, same register), if complete."""
    folder = Path(task.folder)
    if not is_fresh(folder, task.raw, inputs_hash):
        return None
    if (folder / "summary.json").exists():
        try:
            summary = read_summary(folder)
            sites = pd.read_csv(folder / "sites.csv", dtype=str, keep_default_na=False)
            return RunOutcome(task.run_id, task.parameters, summary.status, "", summary,
                              _sites_of(sites), reused=True)
        except (InputError, OSError, ValueError, KeyError, pd.errors.ParserError):
            return None
    outcome = read_outcome(folder)
    if outcome is not None and outcome[0].settled:
        return RunOutcome(task.run_id, task.parameters, outcome[0], outcome[1], reused=True)
    return None


def _tasks(path: Path, varies: list[Vary], out: Path
           ) -> tuple[list[RunTask], list[RunOutcome], str]:
    """One task per combination; combinations whose keys cannot be set are invalid rows."""
    base = read_scenario_dict(path)
    if isinstance(base.get("data"), str):
        base["data"] = str((path.parent / base["data"]).resolve())
    given = base.get("name")
    name = given if isinstance(given, str) and given else path.stem
    tasks, invalid = [], []
    for parameters in grid(varies):
        rid = run_id(parameters)
        shown = ", ".join(f"{k}={v}" for k, v in parameters.items())
        raw = base
        try:
            for key, value in parameters.items():
                raw = set_dotted(raw, key, value)
        except (KeyError, IndexError, ValueError, TypeError) as exc:
            invalid.append(RunOutcome(rid, parameters, Status.INVALID,
                                      f"{path}: cannot set {shown}: {type(exc).__name__} {exc}"))
            continue
        raw = {**raw, "name": f"{name} [{shown}]"}
        if isinstance(raw.get("data"), str):  # `data` itself may be varied
            raw["data"] = str((path.parent / raw["data"]).resolve())
        label = f"{path} [{shown}]"
        try:
            scenario_from_dict(raw, base_dir=path.parent, label=label)
        except InputError as exc:
            invalid.append(RunOutcome(rid, parameters, Status.INVALID, _one_line(exc)))
            continue
        tasks.append(RunTask(rid, parameters, raw, label, str(out / "runs" / rid)))
    return tasks, invalid, name


def _result_or_error(outcome: RunOutcome | BaseException, task: RunTask) -> RunOutcome:
    """A worker that died (killed, out of memory) is an error row too."""
    if isinstance(outcome, BaseException):
        return RunOutcome(task.run_id, task.parameters, Status.ERROR, _one_line(outcome),
                          ran=True)
    return outcome


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
          on_outcome: Callable[[RunOutcome, int, int], None] | None = None) -> SweepResult:
    """Plan every combination of `varies` on `scenario`; write the sweep's two tables.

    `on_outcome(outcome, done, total)` is called as each run ends (reused runs first).
    """
    if executor not in EXECUTORS:
        raise InputError([Problem("--executor", None, None, f"one of {', '.join(EXECUTORS)}",
                                  repr(executor))])
    t0 = time.perf_counter()
    path, out = Path(scenario), Path(out)
    tasks, outcomes, name = _tasks(path, varies, out)
    order = {run_id(p): i for i, p in enumerate(grid(varies))}
    total = len(tasks) + len(outcomes)
    _remove_stale(out / "runs")
    hashes: dict[str, str] = {}
    todo = []
    for task in tasks:
        data = task.raw["data"]
        if data not in hashes:
            hashes[data] = inputs_sha256(Path(data)) if Path(data).exists() else ""
        stored = reuse(task, hashes[data])
        if stored is None:
            todo.append(task)
        else:
            outcomes.append(stored)
    if on_outcome:
        for i, outcome in enumerate(outcomes, 1):
            on_outcome(outcome, i, total)
    if todo:
        workers = max(1, min(workers or os.cpu_count() or 1, len(todo)))
        # Even one run goes to a worker process: a solver that crashes takes its worker
        # down, not the sweep. Ctrl-C stops the running solves at once; their folders are
        # written whole or not at all, so a rerun resumes from the finished ones.
        runs = run_all(run_one, todo, executor, workers=workers, scheduler=scheduler)
        for i, result in runs:
            outcome = _result_or_error(result, todo[i])
            outcomes.append(outcome)
            if on_outcome:
                on_outcome(outcome, len(outcomes), total)
    outcomes.sort(key=lambda o: order[o.run_id])
    rows = sweep_rows(outcomes, [v.key for v in varies])
    robustness = site_robustness(outcomes)
    out.mkdir(parents=True, exist_ok=True)
    write_file(out / "sweep.csv",
               lambda temp: temp.write_text(rows.to_csv(index=False), encoding="utf-8"))
    write_file(out / "site_robustness.csv",
               lambda temp: temp.write_text(robustness.to_csv(index=False), encoding="utf-8"))
    return SweepResult(rows, robustness, outcomes, out, round(time.perf_counter() - t0, 3),
                       name)


def _remove_stale(runs: Path) -> None:
    """Half-written run folders left by a killed worker (never a finished run)."""
    if runs.is_dir():
        for stale in runs.glob(".*.tmp"):
            shutil.rmtree(stale, ignore_errors=True)


def sweep_rows(outcomes: list[RunOutcome], keys: list[str]) -> pd.DataFrame:
    """One row per run: varied keys, status, every summary key, then message and run_id."""
    records = []
    for o in outcomes:
        flat = o.summary.flat() if o.summary else {}
        for key in ("status", *o.parameters):
            flat.pop(key, None)
        records.append({**o.parameters, "status": o.status, **flat,
                         "message": o.message, "run_id": o.run_id})
    columns = list(dict.fromkeys(itertools.chain(keys, ["status"], *(r for r in records))))
    tail = ["message", "run_id"]
    columns = [c for c in columns if c not in tail] + tail
    return pd.DataFrame(records, columns=columns)


def site_robustness(outcomes: list[RunOutcome]) -> pd.DataFrame:
    """Share of the runs with a plan (that include the site) in which each site is open."""
    names: dict[str, str] = {}
    opened: dict[str, int] = {}
    seen: dict[str, int] = {}
    for o in outcomes:
        for site_id, name, is_open in o.sites:
            names.setdefault(site_id, name)
            seen[site_id] = seen.get(site_id, 0) + 1
            opened[site_id] = opened.get(site_id, 0) + int(is_open)
    table = pd.DataFrame({"site_id": list(names), "name": list(names.values()),
                          "runs_open": [opened[s] for s in names],
                          "runs": [seen[s] for s in names]},
                         columns=["site_id", "name", "runs_open", "runs"])
    table.insert(2, "open_share", (table["runs_open"] / table["runs"]).round(4)
                 if len(table) else pd.Series(dtype=float))
    return table

