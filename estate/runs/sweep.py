"""Sweeps: plan every combination of a few varied scenario keys (DESIGN section 7).

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
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import math
import multiprocessing
import os
import re
import shutil
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import tomli_w

from estate.errors import InfeasibleError, InputError, NoSolutionError, Problem
from estate.load.scenario import read_scenario_dict, scenario_from_dict, set_dotted
from estate.runs.planning import plan_scenario
from estate.store import inputs_sha256, summary_json

PLANNED = ("optimal", "time_limit")
#: Outcomes that the same scenario and register always reproduce: kept on resume.
SETTLED = (*PLANNED, "infeasible", "invalid")
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
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lo, hi)):
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
    """What one run ended as; `summary` (JSON-safe) and `sites` only when it has a plan."""

    run_id: str
    parameters: dict[str, Value]
    status: str
    message: str = ""
    summary: dict[str, Any] | None = None
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


def _write_outcome(task: RunTask, status: str, message: str) -> None:
    """A small whole folder for a deterministic failure, so a resumed sweep keeps it."""
    out = Path(task.folder)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    (tmp / "outcome.json").write_text(json.dumps({"status": status, "message": message},
                                                 indent=2) + "\n", encoding="utf-8")
    (tmp / "scenario.toml").write_text(tomli_w.dumps(task.raw), encoding="utf-8")
    data = Path(task.raw["data"])
    (tmp / "inputs.sha256").write_text(inputs_sha256(data) if data.exists() else "",
                                       encoding="utf-8")
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        os.replace(out, old)
    os.replace(tmp, out)
    shutil.rmtree(old, ignore_errors=True)


def run_one(task: RunTask) -> RunOutcome:
    """Check and plan one run in this process; every ending becomes an outcome."""
    t0 = time.perf_counter()
    done = RunOutcome(task.run_id, task.parameters, "error", ran=True)
    try:
        scenario = scenario_from_dict(task.raw, base_dir=Path(task.folder), label=task.label)
        result = plan_scenario(scenario, out=Path(task.folder)).plan
        done.status = result.status
        done.summary = json.loads(summary_json(result.summary))
        done.sites = _sites_of(result.sites)
    except (InputError, InfeasibleError) as exc:
        done.status = "invalid" if isinstance(exc, InputError) else "infeasible"
        done.message = _one_line(exc)
        _write_outcome(task, done.status, done.message)
    except NoSolutionError as exc:
        done.status, done.message = "no_solution", _one_line(exc)
    except Exception as exc:  # noqa: BLE001 - one run's crash is its row, not the sweep's end
        done.message = _one_line(exc)
    done.seconds = round(time.perf_counter() - t0, 3)
    return done


def reuse(task: RunTask, inputs_hash: str) -> RunOutcome | None:
    """The stored outcome of this very run (same scenario, same register), if complete."""
    folder = Path(task.folder)
    try:
        stored = tomllib.loads((folder / "scenario.toml").read_text(encoding="utf-8"))
        same = stored == task.raw and \
            (folder / "inputs.sha256").read_text(encoding="utf-8") == inputs_hash
        if not same:
            return None
        if (folder / "summary.json").exists():
            summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
            if summary.get("status") not in PLANNED or "objective_npv" not in summary:
                return None
            sites = pd.read_csv(folder / "sites.csv", dtype=str, keep_default_na=False)
            return RunOutcome(task.run_id, task.parameters, summary["status"], "", summary,
                              _sites_of(sites), reused=True)
        outcome = json.loads((folder / "outcome.json").read_text(encoding="utf-8"))
        if outcome.get("status") in SETTLED:
            return RunOutcome(task.run_id, task.parameters, outcome["status"],
                              outcome.get("message", ""), reused=True)
    except (OSError, ValueError, KeyError, tomllib.TOMLDecodeError, pd.errors.ParserError):
        return None
    return None


def _tasks(path: Path, varies: list[Vary], out: Path
           ) -> tuple[list[RunTask], list[RunOutcome], str]:
    """One task per combination; combinations whose keys cannot be set are invalid rows."""
    base = read_scenario_dict(path)
    if isinstance(base.get("data"), str):
        base["data"] = str((path.parent / base["data"]).resolve())
    name = base.get("name") if isinstance(base.get("name"), str) and base.get("name") \
        else path.stem
    tasks, invalid = [], []
    for parameters in grid(varies):
        rid = run_id(parameters)
        shown = ", ".join(f"{k}={v}" for k, v in parameters.items())
        raw = base
        try:
            for key, value in parameters.items():
                raw = set_dotted(raw, key, value)
        except (KeyError, IndexError, ValueError, TypeError) as exc:
            invalid.append(RunOutcome(rid, parameters, "invalid",
                                      f"{path}: cannot set {shown}: {type(exc).__name__} {exc}"))
            continue
        raw = {**raw, "name": f"{name} [{shown}]"}
        if isinstance(raw.get("data"), str):  # `data` itself may be varied
            raw["data"] = str((path.parent / raw["data"]).resolve())
        label = f"{path} [{shown}]"
        try:
            scenario_from_dict(raw, base_dir=path.parent, label=label)
        except InputError as exc:
            invalid.append(RunOutcome(rid, parameters, "invalid", _one_line(exc)))
            continue
        tasks.append(RunTask(rid, parameters, raw, label, str(out / "runs" / rid)))
    return tasks, invalid, name


def _quiet_worker() -> None:
    """Pool workers: the solver's banners would scribble over the progress bar."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)


def _run_local(tasks: list[RunTask], workers: int) -> Iterable[RunOutcome]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                             initializer=_quiet_worker) as pool:
        futures = {pool.submit(run_one, t): t for t in tasks}
        try:
            for future in as_completed(futures):
                yield _result_or_error(future, futures[future])
        except BaseException:
            # Ctrl-C: stop now, not after the running solves end. Their folders are
            # written whole or not at all, so a rerun resumes from the finished ones.
            pool.shutdown(wait=False, cancel_futures=True)
            for process in list(getattr(pool, "_processes", {}).values()):
                process.terminate()
            raise


def _run_dask(tasks: list[RunTask], scheduler: str | None, workers: int
              ) -> Iterable[RunOutcome]:
    from distributed import Client, LocalCluster
    from distributed import as_completed as dask_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
        client.run(_quiet_worker)  # our own workers: keep solver banners off the terminal
    try:
        futures = client.map(run_one, tasks, pure=False, key=[f"run-{t.run_id}" for t in tasks])
        by_key = {f.key: t for f, t in zip(futures, tasks, strict=True)}
        for future in dask_completed(futures):
            yield _result_or_error(future, by_key[future.key])
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _result_or_error(future: Any, task: RunTask) -> RunOutcome:
    """A worker that died (killed, out of memory) is an error row too."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001
        return RunOutcome(task.run_id, task.parameters, "error", _one_line(exc), ran=True)


@dataclass
class SweepResult:
    rows: pd.DataFrame
    robustness: pd.DataFrame
    outcomes: list[RunOutcome]
    out: Path
    seconds: float

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
    """Plan every combination of `varies` on `scenario`; write the sweep tables and page.

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
        stream = _run_local(todo, workers) if executor == "local" else \
            _run_dask(todo, scheduler, workers)
        for outcome in stream:
            outcomes.append(outcome)
            if on_outcome:
                on_outcome(outcome, len(outcomes), total)
    outcomes.sort(key=lambda o: order[o.run_id])
    rows = sweep_rows(outcomes, [v.key for v in varies])
    robustness = site_robustness(outcomes)
    out.mkdir(parents=True, exist_ok=True)
    _write_text(out / "sweep.csv", rows.to_csv(index=False))
    _write_text(out / "site_robustness.csv", robustness.to_csv(index=False))
    _write_text(out / "sweep.html", sweep_page(rows, robustness, varies, name))
    return SweepResult(rows, robustness, outcomes, out, round(time.perf_counter() - t0, 3))


def _remove_stale(runs: Path) -> None:
    """Half-written run folders left by a killed worker (never a finished run)."""
    if runs.is_dir():
        for stale in runs.glob(".*.tmp"):
            shutil.rmtree(stale, ignore_errors=True)


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def flatten(summary: dict[str, Any]) -> dict[str, Any]:
    """Summary keys as flat columns: agencies as `agency.<id>.<field>`, tables dotted."""
    flat: dict[str, Any] = {}

    def put(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                put(f"{prefix}.{key}", inner)
        elif prefix == "status_quo_breaches" and isinstance(value, list):
            flat[prefix] = "; ".join(f"{b.get('rule')}: {b.get('place')}" for b in value)
        elif isinstance(value, list):
            flat[prefix] = json.dumps(value, ensure_ascii=False)
        else:
            flat[prefix] = value

    for key, value in summary.items():
        put("agency" if key == "agencies" else key, value)
    return flat


def sweep_rows(outcomes: list[RunOutcome], keys: list[str]) -> pd.DataFrame:
    """One row per run: varied keys, status, every summary key, then message and run_id."""
    records = []
    for o in outcomes:
        flat = flatten(o.summary) if o.summary else {}
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


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick values covering [lo, hi]."""
    if not math.isfinite(lo) or not math.isfinite(hi):
        return [0.0]
    if hi <= lo:
        lo, hi = lo - 1, hi + 1
    raw = (hi - lo) / n
    step = 10 ** math.floor(math.log10(raw))
    step *= next(m for m in (1, 2, 2.5, 5, 10) if step * m >= raw)
    first = math.floor(lo / step) * step
    return [first + i * step for i in range(int(math.ceil((hi - first) / step)) + 1)]


def _fmt(x: float) -> str:
    return f"{x:,.4g}" if abs(x) < 1e4 else f"{x:,.0f}"


def npv_chart(rows: pd.DataFrame, key: str) -> str:
    """NPV saving (£m) of each run with a plan against one varied key, with the mean line."""
    planned = rows[rows["status"].isin(PLANNED)]
    if planned.empty or "npv_saving" not in planned:
        return "<p>No run of this sweep has a plan, so there is nothing to chart.</p>"
    values = list(dict.fromkeys(rows[key]))
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    w, h, left, right, top, bottom = 640, 300, 70, 20, 20, 50
    y = planned["npv_saving"].astype(float) / 1e6
    yt = _ticks(float(y.min()), float(y.max()))
    y0, y1 = yt[0], yt[-1] if yt[-1] > yt[0] else yt[0] + 1
    if numeric:
        xs = [float(v) for v in values]
        x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1
        span = max(xs) - min(xs)
        x0, x1 = (x0 - 0.05 * span, x1 + 0.05 * span) if span else (x0 - 1, x0 + 1)
        xpos = {v: left + (float(v) - x0) / (x1 - x0) * (w - left - right) for v in values}
    else:
        step = (w - left - right) / max(len(values), 1)
        xpos = {v: left + step * (i + 0.5) for i, v in enumerate(values)}

    def py(v: float) -> float:
        return top + (y1 - v) / (y1 - y0) * (h - top - bottom)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
             f'role="img" aria-label="NPV saving against {html.escape(key)}">']
    for t in yt:
        parts.append(f'<line x1="{left}" x2="{w - right}" y1="{py(t):.1f}" y2="{py(t):.1f}" '
                     f'stroke="#ddd"/><text x="{left - 6}" y="{py(t) + 4:.1f}" '
                     f'text-anchor="end">{_fmt(t)}</text>')
    for v in values:
        parts.append(f'<text x="{xpos[v]:.1f}" y="{h - bottom + 18}" text-anchor="middle">'
                     f'{html.escape(str(v))}</text>')
    means = []
    for v, group in planned.groupby(key, sort=False):
        pts = group["npv_saving"].astype(float) / 1e6
        for j, (value, (_, run)) in enumerate(zip(pts, group.iterrows(), strict=True)):
            x = xpos[v] + 3.0 * (j - (len(group) - 1) / 2)  # spread runs at one value
            tip = f"{run['run_id']}: £{value:,.2f}m ({run['status']}"
            colour = "#2b6cb0" if run["status"] == "optimal" else "#dd6b20"
            gap = pd.to_numeric(run.get("mip_gap"), errors="coerce")
            if run["status"] != "optimal" and np.isfinite(gap) and gap > 0:
                # The most this run could save: the solver's bound, objective * (1 - gap).
                best = value + gap * float(run["objective_npv"]) / 1e6
                tip += f", at most £{best:,.2f}m by the solver's bound"
                parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{py(value):.1f}" '
                             f'y2="{max(py(best), top):.1f}" stroke="{colour}" '
                             f'stroke-opacity="0.35"/>')
            parts.append(f'<circle cx="{x:.1f}" cy="{py(value):.1f}" r="4" fill="{colour}" '
                         f'fill-opacity="0.6"><title>{html.escape(tip)})</title></circle>')
        means.append((xpos[v], py(float(pts.mean()))))
    means.sort()
    if len(means) > 1:
        path = " ".join(f"{x:.1f},{yy:.1f}" for x, yy in means)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#2b6cb0" stroke-width="2"/>')
    parts.append(f'<text x="{(w + left) / 2:.0f}" y="{h - 8}" text-anchor="middle" '
                 f'font-weight="bold">{html.escape(key)}</text>'
                 f'<text x="14" y="{(h - bottom) / 2:.0f}" text-anchor="middle" '
                 f'transform="rotate(-90 14 {(h - bottom) / 2:.0f})" font-weight="bold">'
                 f'NPV saving (£m)</text></svg>')
    return "".join(parts)


def robustness_chart(robustness: pd.DataFrame) -> str:
    """One bar per site: the share of runs in which it is open; fragile sites first."""
    if robustness.empty:
        return "<p>No run of this sweep has a plan.</p>"
    table = robustness.assign(
        fragile=(robustness["open_share"] > 0) & (robustness["open_share"] < 1))
    table = table.sort_values(["fragile", "open_share", "site_id"], ascending=[False, False, True])
    bar, w, left = 16, 720, 300
    h = bar * len(table) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" role="img" '
             f'aria-label="Share of runs in which each site is open">']
    for t in (0, 0.25, 0.5, 0.75, 1):
        x = left + t * (w - left - 60)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{h - 20}" stroke="#ddd"/>'
                     f'<text x="{x:.1f}" y="{h - 6}" text-anchor="middle">{t:.0%}</text>')
    for i, r in enumerate(table.itertuples(index=False)):
        y = i * bar
        share = float(r.open_share)
        colour = "#dd6b20" if r.fragile else ("#38a169" if share >= 1 else "#a0aec0")
        label = html.escape(f"{r.site_id} {r.name}")
        tip = html.escape(f"{r.site_id} {r.name}: open in {r.runs_open} of {r.runs} runs")
        parts.append(f'<g><title>{tip}</title><text x="{left - 6}" y="{y + bar - 4}" '
                     f'text-anchor="end">{label[:60]}</text>'
                     f'<rect x="{left}" y="{y + 2}" height="{bar - 4}" '
                     f'width="{max(share * (w - left - 60), 1):.1f}" fill="{colour}"/>'
                     f'<text x="{left + share * (w - left - 60) + 4:.1f}" y="{y + bar - 4}">'
                     f'{share:.0%}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def sweep_page(rows: pd.DataFrame, robustness: pd.DataFrame, varies: list[Vary],
               scenario_name: str) -> str:
    """The sweep as one self-contained HTML page: inline SVG charts, no scripts, no CDN."""
    e = html.escape
    counts = rows["status"].value_counts()
    status_text = ", ".join(f"{n} {e(str(s))}" for s, n in counts.items())
    fragile = robustness[(robustness["open_share"] > 0) & (robustness["open_share"] < 1)] \
        if len(robustness) else robustness
    always = int((robustness["open_share"] >= 1).sum()) if len(robustness) else 0
    never = int((robustness["open_share"] <= 0).sum()) if len(robustness) else 0
    shown = [c for c in (*[v.key for v in varies], "status", "objective_npv", "npv_saving",
                         "sites_after", "sites_closed", "shared_centres", "mip_gap", "message")
             if c in rows]
    head = "".join(f"<th>{e(c)}</th>" for c in shown)
    body = "".join("<tr>" + "".join(f"<td>{e(_cell(r[c]))}</td>" for c in shown) + "</tr>"
                   for _, r in rows.iterrows())
    charts = "".join(f"<h3>NPV saving against {e(v.key)}</h3>{npv_chart(rows, v.key)}"
                     for v in varies)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Sweep of {e(scenario_name)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:1100px}}
svg{{font-size:11px;display:block;margin-bottom:1.5em}}
table{{border-collapse:collapse;font-size:12px}}td,th{{border:1px solid #ccc;padding:2px 6px}}
.key span{{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px}}</style>
</head><body>
<h1>Sweep of {e(scenario_name)}</h1>
<p>{len(rows)} runs: {status_text}. Varied: {", ".join(
        e(f"{v.key} over {', '.join(str(x) for x in v.values)}") for v in varies)}.</p>
<h2>NPV saving</h2>
<p>Each dot is a run with a plan (blue: proven optimal; orange: stopped by the time limit,
not proven optimal, with a faint line up to the most it could save by the solver's bound);
the line joins the mean saving at each value. Hover a dot for its run id.</p>
{charts}
<h2>Which sites stay open</h2>
<p>{always} sites are open in every run with a plan, {never} closed (or not built) in every
run, and {len(fragile)} depend on the assumptions (orange, listed first).</p>
<p class="key"><span style="background:#38a169"></span>open in every run
<span style="background:#dd6b20"></span>depends on the run
<span style="background:#a0aec0"></span>closed in every run</p>
{robustness_chart(robustness)}
<h2>Runs</h2>
<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>
</body></html>
"""


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.4g}"
    return str(value)
