"""Seconds per stage of the planner on a synthetic register (issue 5 item 2, issue 2).

    .venv/bin/python -m benchmarks.run_stages county [--seed 1] [--repeat 3]
        [--time-limit 600] [--direct] [--no-root-lp]

Makes (or reuses) the register `benchmarks/out/<family>-s<seed>/` with
`benchmarks/scale.py`, then runs the pipeline stage by stage, each repeat in a fresh
Python process (so every repeat's peak memory is its own), in the order `estate plan`
runs it (`estate.api.prepare_scenario`, then `solve_prepared`, then write and map):

    scenario    load_scenario (the TOML)
    load        load_register: read the CSV files and check them (validate.py)
    validate    check_against_register (scenario against register)
    prepare     geometry: metric CRS, eligible pairs, coverage sets
    precheck    cheap infeasibility checks
    build       estate.model.build.build (the arrays)
    solve()     estate.solve.solve, split by wrapping library calls (no estate/ edits):
      hand-off    from entering solve() to HiGHS starting its search: to_pulp and PuLP's
                  HiGHS.buildSolverModel (PuLP path), or the HighsLp arrays and
                  Highs.passModel (--direct)
      search      from the first highspy Highs.run to the end of the last: with shared
                  centres the first-plan step (LP relaxation, restricted search) and then
                  the main search (presolve, LP, cuts, branch and bound)
      read-back   from the end of Highs.run to solve() returning (values, status)
    results     estate.results.make_plan
    write       estate.store.write_results (+ inputs_sha256), to benchmarks/out/
    map         estate.maps.page.render_map, to benchmarks/out/

Peak memory is `resource.getrusage(RUSAGE_SELF).ru_maxrss` of the repeat's process (it
includes HiGHS's C++ allocations, which tracemalloc would miss), read after every
stage, so the stage that raised it shows. The root LP gap is (MIP objective - LP
relaxation) / MIP objective, the relaxation solved (first repeat only) by HiGHS on a
copy of the model with every column continuous (`col_integer` all False), with the
same time limit. Medians over repeats; each repeat's wall and CPU seconds are listed,
with the load average, because this machine is shared.

`nation` (DESIGN section 8, planned area by area by `estate.runs.national`): the whole
register is loaded, checked and split, then a spread sample of `--areas` areas (default
6) is planned on a process pool of `--workers` (default 2) exactly as `estate plan` plans
every area, merged, written and mapped; the report extrapolates to all areas.

Writes `benchmarks/results/stages-<family>.md` (PuLP path, `direct=False`) or
`stages-<family>-direct.md` (`--direct`, the default of `estate plan` since ee02189).
The estate commit measured is written into the table.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # estate itself is imported inside the stages, which measure it
    from estate.model.arrays import EstateModel

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

STAGES = ["scenario", "load", "validate", "prepare", "precheck", "build", "hand-off",
          "search", "read-back", "results", "write", "map"]
OWN = [s for s in STAGES if s != "search"]  # everything but the solver's search


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


class Clock:
    """Duck-typed like estate.api's clock: `stage(name, message)`; wall, CPU and peak RSS."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.rss: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str, message: str = ""):
        w0, c0 = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall[name] = self.wall.get(name, 0.0) + time.perf_counter() - w0
            self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - c0
            self.rss[name] = _rss_mb()


class SolveSplit:
    """Wrap library calls to split `solve()` into hand-off, search and read-back."""

    def __init__(self) -> None:
        self.marks: dict[str, float] = {}
        self.parts: dict[str, float] = {}
        self.cpu_marks: dict[str, float] = {}

    def install(self) -> None:
        import highspy
        import pulp.apis.highs_api as highs_api

        import estate.solve.pulp as pulp_adapter

        split = self

        def timed(name, fn):
            def wrapper(*args, **kwargs):
                t0 = time.perf_counter()
                try:
                    return fn(*args, **kwargs)
                finally:
                    split.parts[name] = split.parts.get(name, 0.0) + time.perf_counter() - t0
            return wrapper

        run = highspy.Highs.run

        def run_wrapper(self_h, *args, **kwargs):
            # the first run (the first-plan step's LP, when there is one) starts the search
            split.marks.setdefault("run_start", time.perf_counter())
            split.cpu_marks.setdefault("run_start", time.process_time())
            try:
                return run(self_h, *args, **kwargs)
            finally:
                split.marks["run_end"] = time.perf_counter()
                split.cpu_marks["run_end"] = time.process_time()

        highspy.Highs.run = run_wrapper
        highspy.Highs.passModel = timed("passModel", highspy.Highs.passModel)
        pulp_adapter.to_pulp = timed("to_pulp", pulp_adapter.to_pulp)
        highs_api.HiGHS.buildSolverModel = timed("buildSolverModel",
                                                 highs_api.HiGHS.buildSolverModel)
        highs_api.HiGHS.findSolutionValues = timed("findSolutionValues",
                                                   highs_api.HiGHS.findSolutionValues)


def one_repeat(args: argparse.Namespace) -> dict:
    """One run of the pipeline in this process; returns the figures as a dict.

    The steps and their order are those of `estate.api.prepare_scenario` and
    `estate.api.solve_prepared` (precheck, build, solve, results), called one by one
    so that a run without a plan (time limit) still reports its stages and size.
    """
    base_rss = _rss_mb()
    load0 = os.getloadavg()[0]
    commit = _commit()
    import numpy as np

    from estate import pipeline as api
    from estate.load.scenario import load_scenario
    from estate.maps.page import render_map
    from estate.model.build import build
    from estate.results import make_plan
    from estate.solve import diagnose, solve
    from estate.solve.highs import solve_direct
    from estate.store import inputs_sha256, write_results

    import_rss = _rss_mb()
    split = SolveSplit()
    split.install()
    clock = Clock()
    scenario_path = Path(args.scenario)
    with clock.stage("scenario"):
        scenario = load_scenario(scenario_path)
    prep = api.prepare_scenario(scenario, None, clock)
    options = api.solver_options(scenario, verbose=args.verbose, direct=args.direct)
    options = dataclasses.replace(options, time_limit_s=args.time_limit)
    with clock.stage("precheck"):
        reasons = diagnose.precheck(prep)
    if reasons:
        raise diagnose.infeasible(reasons)
    with clock.stage("build"):
        model = build(prep)
    w0, c0 = time.perf_counter(), time.process_time()
    with clock.stage("solve()"):
        solution = solve(model, options, start=api.status_quo_start(prep, model))
    w1, c1 = time.perf_counter(), time.process_time()
    m, cm = split.marks, split.cpu_marks
    if "run_start" in m:
        clock.wall["hand-off"] = m["run_start"] - w0
        clock.wall["search"] = m["run_end"] - m["run_start"]
        clock.wall["read-back"] = w1 - m["run_end"]
        clock.cpu["hand-off"] = cm["run_start"] - c0
        clock.cpu["search"] = cm["run_end"] - cm["run_start"]
        clock.cpu["read-back"] = c1 - cm["run_end"]
    for name in ("hand-off", "search", "read-back"):
        clock.rss[name] = clock.rss["solve()"]
    parts = dict(split.parts)
    summary: dict = {}
    if solution.status.has_plan and solution.values is not None:
        with clock.stage("results"):
            plan = make_plan(prep, model, solution)
        out_dir = Path(args.work) / f"results-{args.tag}"
        with clock.stage("write"):
            write_results(plan, out_dir, inputs_hash=inputs_sha256(Path(scenario.data)))
        with clock.stage("map"):
            render_map(out_dir, Path(args.work) / f"map-{args.tag}.html")
        summary = plan.summary.to_json()
        del plan

    result = {
        "wall": clock.wall, "cpu": clock.cpu, "rss": clock.rss,
        "peak_rss_mb": _rss_mb(), "base_rss_mb": base_rss, "import_rss_mb": import_rss,
        "size": model.size, "pairs": int(len(prep.pairs)), "pooled": int(len(model.pool)),
        "status": solution.status, "objective": solution.objective,
        "bound": solution.bound, "mip_gap": solution.mip_gap,
        "objective_npv": summary.get("objective_npv", float("nan")),
        "status_quo_npv": summary.get("status_quo_npv", float("nan")),
        "sites_after": summary.get("sites_after", "n/a"),
        "sites_before": int(prep.existing.sum()),
        "shared_centres": summary.get("shared_centres", "n/a"),
        "first_plan": dataclasses.asdict(solution.first_plan) if solution.first_plan else None,
        "solve_parts": parts, "obj_constant": float(model.obj_constant), "commit": commit,
        "load_before": load0, "load_after": os.getloadavg()[0],
    }
    if args.root_lp:
        relaxed = dataclasses.replace(model, col_integer=np.zeros(len(model.col_integer), bool))
        del solution
        w0 = time.perf_counter()
        if args.lp_solver == "ipm":
            result["lp"] = _lp_by_interior_point(relaxed, args.lp_time_limit or args.time_limit)
        else:
            lp_options = dataclasses.replace(
                options, time_limit_s=args.lp_time_limit or options.time_limit_s)
            lp = solve_direct(relaxed, lp_options)
            result["lp"] = {"status": lp.status, "objective": lp.objective}
        result["lp"]["seconds"] = time.perf_counter() - w0
        result["lp"]["solver"] = args.lp_solver
        result["peak_rss_with_lp_mb"] = _rss_mb()
    # reading the files alone, to split `load` into reading and checking (page cache warm)
    from estate.load.read import read_tables

    w0 = time.perf_counter()
    read_tables(Path(scenario.data))
    result["read_tables"] = time.perf_counter() - w0
    return result


def _lp_by_interior_point(model: EstateModel, time_limit: float) -> dict:
    """The LP relaxation by HiGHS's interior point method (IPX), one thread, no
    crossover: the only way it finishes at region size (simplex: not in 600 s). Its
    objective is a bound once primal and dual objectives agree (IPX stops at a relative
    gap of 1e-8)."""
    import highspy

    from estate.solve.highs import highs_lp

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("solver", "ipm")
    h.setOptionValue("run_crossover", "off")
    h.setOptionValue("time_limit", float(time_limit))
    h.passModel(highs_lp(model))
    h.run()
    optimal = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    value = h.getInfo().objective_function_value  # HiGHS's offset is the constant
    return {"status": "optimal" if optimal else h.modelStatusToString(h.getModelStatus()),
            "objective": value if optimal else float("nan")}


def nation_sample(args: argparse.Namespace) -> dict:
    """Nation (DESIGN section 8): load and split the whole register, then plan a spread
    sample of `--areas` areas on a process pool (`estate.runs.national.run_areas`, as
    `estate plan` does for all of them), merge, write and map the sample."""
    load0 = os.getloadavg()[0]
    commit = _commit()
    from estate.load.consistency import check_against_register
    from estate.load.scenario import load_scenario
    from estate.load.validate import load_register
    from estate.maps.page import render_map
    from estate.runs.national import merge_plans, run_areas, scenario_for_area, split_register
    from estate.store import inputs_sha256, write_results

    clock = Clock()
    with clock.stage("scenario"):
        scenario = load_scenario(Path(args.scenario))
        scenario = dataclasses.replace(scenario, time_limit_s=args.time_limit)
    with clock.stage("load"):
        register = load_register(scenario.data)
    with clock.stage("validate"):
        check_against_register(scenario, register)
    with clock.stage("split"):
        pieces = split_register(register)
    names = sorted(pieces)
    step = max(1, len(names) // max(1, args.areas))
    chosen = names[::step][: args.areas]
    tasks = [(a, scenario_for_area(scenario, pieces[a]), pieces[a], args.direct) for a in chosen]
    with clock.stage("areas"):
        results = run_areas(tasks, "local", workers=args.workers)
    plans = {a: r for a, r in sorted(results.items()) if not isinstance(r, Exception)}
    failed = {a: str(r) for a, r in results.items() if isinstance(r, Exception)}
    per_area = []
    for a in chosen:
        r = results[a]
        reg = pieces[a]
        row = {"area": a, "sites": len(reg.sites), "functions": len(reg.functions),
               "zones": len(reg.zones)}
        if isinstance(r, Exception):
            row.update(status=type(r).__name__, mip_gap=None, timings={})
        else:
            row.update(status=str(r.summary.status), mip_gap=r.summary.mip_gap,
                       timings=r.timings, size=dict(r.summary.model_size or {}))
        per_area.append(row)
    out_dir = Path(args.work) / f"results-{args.tag}"
    if plans:
        with clock.stage("merge"):
            merged = merge_plans(scenario, plans)
        with clock.stage("write"):
            write_results(merged, out_dir, scenario,
                          inputs_hash=inputs_sha256(Path(scenario.data)))
        with clock.stage("map"):
            render_map(out_dir, Path(args.work) / f"map-{args.tag}.html")
    return {"wall": clock.wall, "cpu": clock.cpu, "rss": clock.rss, "peak_rss_mb": _rss_mb(),
            "areas_total": len(names), "areas_run": chosen, "workers": args.workers,
            "per_area": per_area, "failed": failed, "commit": commit,
            "load_before": load0, "load_after": os.getloadavg()[0]}


def nation_report(args: argparse.Namespace, run: dict, command: str, info: dict[str, str],
                  describe_text: str) -> str:
    n_total, chosen = run["areas_total"], run["areas_run"]
    lines = [
        f"# Stages: nation (seed {args.seed}), a sample of {len(chosen)} of {n_total} areas",
        "",
        f"Command: `{command}`; estate at commit {run['commit']}.",
        "",
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory']} memory; "
        f"Python {info['python']}, highspy {info['highspy']}, PuLP {info['pulp']}. Load "
        f"average {run['load_before']:.1f} at the start, {run['load_after']:.1f} at the end.",
        "",
        "```", describe_text, "```", "",
        "Whole-register stages, then the sampled areas planned on a process pool of "
        f"{run['workers']} workers (`estate.runs.national.run_areas`, each area through "
        f"`estate.api.plan`, {'direct highspy' if args.direct else 'PuLP'}, time limit "
        f"{args.time_limit:g} s per area), merged, written and mapped:",
        "",
        "| stage | wall s | CPU s (this process) | peak RSS after (MB) |",
        "|---|---:|---:|---:|",
    ]
    for st, w in run["wall"].items():
        lines.append(f"| {st} | {_fmt(w)} | {_fmt(run['cpu'][st])} | {run['rss'][st]:,.0f} |")
    lines += ["", "Per area (stage seconds from each area's own `plan.timings`, wall):", "",
              "| area | sites | functions | zones | columns / rows / nonzeros | status | gap | "
              "prepare+build s | solve s | results s |", "|---|---:|---:|---:|---|---|---:|---:|---:|---:|"]
    solve_s = []
    for r in run["per_area"]:
        tm = r["timings"]
        size = r.get("size") or {}
        solve_s.append(tm.get("solve", float("nan")))
        gap = f"{r['mip_gap']:.2%}" if isinstance(r["mip_gap"], float) else "n/a"
        lines.append(
            f"| {r['area']} | {r['sites']} | {r['functions']} | {r['zones']} | "
            f"{size.get('columns', 0):,} / {size.get('rows', 0):,} / {size.get('nonzeros', 0):,}"
            f" | {r['status']} | {gap} | "
            f"{_fmt(tm.get('prepare', 0.0) + tm.get('build', 0.0))} | "
            f"{_fmt(tm.get('solve', 0.0))} | {_fmt(tm.get('results', 0.0))} |")
    area_wall = run["wall"].get("areas", float("nan"))
    per_area_wall = area_wall / max(1, len(chosen)) * run["workers"]
    lines += [
        "",
        f"The sample took {_fmt(area_wall)} s on {run['workers']} workers; at that rate the "
        f"{n_total} areas would take about {area_wall / max(1, len(chosen)) * n_total / 60:,.0f}"
        f" minutes (about {_fmt(per_area_wall)} worker-seconds per area; target 30 minutes).",
        "",
    ]
    return "\n".join(lines)


def machine() -> dict[str, str]:
    import importlib.metadata as md

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
                break
    except OSError:
        pass
    return {"nproc": str(os.cpu_count()), "memory": mem, "cpu": cpu,
            "python": platform.python_version(), "highspy": md.version("highspy"),
            "pulp": md.version("pulp"), "numpy": md.version("numpy"),
            "pandas": md.version("pandas"), "os": platform.platform()}


def _fmt(x: float) -> str:
    return f"{x:,.2f}" if x < 100 else f"{x:,.1f}"


def _commit() -> str:
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%h %ci"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "estate"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return head + (" (estate/ with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _money(x: float) -> str:
    return f"{x:,.0f}" if x == x else "n/a"


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def report(family: str, args: argparse.Namespace, runs: list[dict], command: str,
           info: dict[str, str], describe_text: str) -> str:
    path = "direct highspy (`SolverOptions(direct=True)`, the default of `estate plan`)" \
        if args.direct else "PuLP (`to_pulp`, then PuLP's HiGHS interface; `direct=False`)"
    lines = [
        f"# Stages: {family} (seed {args.seed}), {path}",
        "",
        f"Command: `{command}`; estate at commit "
        + " / ".join(sorted({r.get("commit", "unknown") for r in runs})) + ".",
        "",
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory']} memory; "
        f"Python {info['python']}, highspy {info['highspy']}, PuLP {info['pulp']}, "
        f"numpy {info['numpy']}, pandas {info['pandas']}; {info['os']}. "
        "HiGHS runs single-threaded (`threads=1`, as `estate` sets it).",
        "",
        "Load average (1 min) at the start and end of each repeat: "
        + ", ".join(f"{r['load_before']:.1f}/{r['load_after']:.1f}" for r in runs)
        + ". The machine is shared with other work; CPU seconds are given beside wall seconds "
        "because they depend less on that load. HiGHS's time limit is wall-clock.",
        "",
        "Register (`benchmarks/scale.py describe`):",
        "",
        "```",
        describe_text,
        "```",
        "",
        f"## Seconds per stage (median of {len(runs)}; each repeat a fresh process)",
        "",
        "| stage | wall s (median) | CPU s (median) | wall s per repeat | peak RSS after (MB) |",
        "|---|---:|---:|---|---:|",
    ]
    for st in STAGES:
        if not any(st in r["wall"] for r in runs):
            lines.append(f"| {st} | not run (no plan) | | | |")
            continue
        walls = [r["wall"].get(st, 0.0) for r in runs]
        cpus = [r["cpu"].get(st, 0.0) for r in runs]
        rss = max(r["rss"].get(st, 0.0) for r in runs)
        lines.append(f"| {st} | {_fmt(_median(walls))} | {_fmt(_median(cpus))} | "
                     + ", ".join(_fmt(w) for w in walls) + f" | {rss:,.0f} |")
    own = [sum(r["wall"].get(s, 0.0) for s in OWN) for r in runs]
    own_cpu = [sum(r["cpu"].get(s, 0.0) for s in OWN) for r in runs]
    total = [sum(r["wall"].get(s, 0.0) for s in STAGES) for r in runs]
    total_cpu = [sum(r["cpu"].get(s, 0.0) for s in STAGES) for r in runs]
    lines += [
        f"| **own stages** (all but search) | **{_fmt(_median(own))}** | "
        f"**{_fmt(_median(own_cpu))}** | " + ", ".join(_fmt(w) for w in own) + " | |",
        f"| **end to end** | **{_fmt(_median(total))}** | **{_fmt(_median(total_cpu))}** | "
        + ", ".join(_fmt(w) for w in total) + " | |",
        "",
    ]
    parts = sorted({k for r in runs for k in r["solve_parts"]})
    if parts:
        lines.append("Inside hand-off and read-back (median wall s): " + "; ".join(
            f"`{k}` {_fmt(_median([r['solve_parts'].get(k, 0.0) for r in runs]))}"
            for k in parts) + f". Reading the CSV files alone (`read_tables`, of `load`): "
            f"{_fmt(_median([r['read_tables'] for r in runs]))} s.")
        lines.append("")
    r0 = runs[0]
    size = r0["size"]
    lines += [
        "## Model, memory, answer",
        "",
        "| figure | value |",
        "|---|---|",
        f"| eligible pairs / pooled columns | {r0['pairs']:,} / {r0['pooled']:,} |",
        f"| columns / rows / nonzeros / integer columns | {size['columns']:,} / {size['rows']:,}"
        f" / {size['nonzeros']:,} / {size['integer']:,} |",
        f"| peak memory (ru_maxrss), median | {_median([r['peak_rss_mb'] for r in runs]):,.0f} MB"
        f" (after imports {_median([r['import_rss_mb'] for r in runs]):,.0f} MB) |",
        "| status per repeat | " + ", ".join(r["status"] for r in runs) + " |",
        "| MIP gap as `Solution.mip_gap` per repeat | " + ", ".join(
            f"{r['mip_gap']:.2%}" if r["mip_gap"] == r["mip_gap"] else "n/a" for r in runs)
        + " |",
        "| objective (NPV £) per repeat | " + ", ".join(
            _money(r["objective"]) for r in runs) + " |",
        "| best bound (£) per repeat | " + ", ".join(_money(r["bound"]) for r in runs) + " |",
        f"| status quo NPV (£) | {_money(r0['status_quo_npv'])} |",
        "| gap on the NPV, (objective - bound) / objective, per repeat | " + ", ".join(
            f"{(r['objective'] - r['bound']) / abs(r['objective']):.2%}"
            if r["objective"] == r["objective"] else "n/a" for r in runs) + " |",
        f"| objective constant (net exit costs of existing sites; HiGHS never sees it) | "
        f"£{r0.get('obj_constant', float('nan')):,.0f} |",
        f"| sites before / after, shared centres (repeat 1) | {r0['sites_before']} / "
        f"{r0['sites_after']}, {r0['shared_centres']} |",
    ]
    firsts = [r.get("first_plan") for r in runs]
    if any(f and f.get("used") is not None for f in firsts):
        lines.append(
            "| first plan (LP-guided restricted search, part of the search): £ and s per "
            "repeat | " + ", ".join(
                (f"{_money(f['objective'])} in {f['seconds']:,.1f} s"
                 + ((f" (LP-guided £{f['before_windows']:,.0f}, then polished by "
                     if f.get("before_windows", float("nan")) == f.get("before_windows")
                     else " (") + f"{f['windows']} windows of neighbouring sites, "
                    f"{f['windows_improved']} improved the plan)" if f.get("windows") else "")
                 if f["used"]
                 else f"not used ({f['reason']})") if f else "n/a" for f in firsts) + " |")
    lp = r0.get("lp")
    if lp:
        found = [r["objective"] for r in runs if r["objective"] == r["objective"]]
        best = min(found) if found else float("nan")
        solved = lp["status"] == "optimal" and bool(found)
        gap = f"{(best - lp['objective']) / abs(best):.2%}" if solved else \
            "n/a (no plan found, or the LP relaxation not solved within the time limit)"
        shown = f"{lp['objective']:,.0f}" if lp["status"] == "optimal" else "n/a"
        lines += [
            f"| LP relaxation (£), its status and wall s | {shown}, {lp['status']},"
            f" {lp['seconds']:,.1f}"
            + (" (interior point, no crossover)" if lp.get("solver") == "ipm" else "") + " |",
            f"| **root LP gap** (best MIP objective of the repeats - LP) / MIP | **{gap}** |",
            f"| peak memory with the LP relaxation solved too | "
            f"{r0['peak_rss_with_lp_mb']:,.0f} MB |",
        ]
    lines += [
        "",
        "While the MIP is not proven optimal, the root LP gap is measured against the best "
        "plan found, so it overstates the gap to the true optimum by at most the MIP gap.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Seconds per stage on a synthetic register.")
    parser.add_argument("family", nargs="?", default="county",
                        choices=("county", "region", "nation"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--direct", action="store_true", help="direct highspy path")
    parser.add_argument("--no-root-lp", dest="root_lp", action="store_false",
                        help="skip solving the LP relaxation")
    parser.add_argument("--lp-solver", choices=("simplex", "ipm"), default="simplex",
                        help="how the LP relaxation is solved (ipm: interior point, for "
                             "region size)")
    parser.add_argument("--lp-time-limit", type=float,
                        help="time limit for the LP relaxation (default: --time-limit)")
    parser.add_argument("--verbose", action="store_true", help="HiGHS log on stderr")
    parser.add_argument("--areas", type=int, default=6,
                        help="nation: how many areas to plan (a spread sample; default 6)")
    parser.add_argument("--workers", type=int, default=2, help="nation: process pool size")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite the markdown from the last runs saved in benchmarks/out/")
    parser.add_argument("--out", type=Path, help="markdown file (default benchmarks/results/)")
    # internal: one repeat in this process, JSON on stdout
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--scenario", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--tag", default="0", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.one:
        result = nation_sample(args) if args.family == "nation" else one_repeat(args)
        sys.stdout.write(json.dumps(result) + "\n")
        return 0

    from benchmarks import scale

    work = HERE / "out" / f"{args.family}-s{args.seed}"
    scenario = work / "scenario.toml"
    if not scenario.exists():
        print(f"making {work}", file=sys.stderr)
        scale.write_register(args.family, work, args.seed, args.time_limit)
    else:
        print(f"reusing {work}", file=sys.stderr)
    path_tag = "direct" if args.direct else "pulp"
    raw = work / f"runs-{path_tag}.json"
    runs = json.loads(raw.read_text()) if args.report_only else []
    for i in range(0 if args.report_only else args.repeat):
        cmd = [sys.executable, "-m", "benchmarks.run_stages", args.family, "--one",
               "--scenario", str(scenario), "--work", str(work),
               "--tag", f"{path_tag}-{i + 1}", "--time-limit", str(args.time_limit)]
        if args.direct:
            cmd.append("--direct")
        if args.verbose:
            cmd.append("--verbose")
        if args.family == "nation":
            cmd += ["--areas", str(args.areas), "--workers", str(args.workers)]
        if not args.root_lp or i > 0:
            cmd.append("--no-root-lp")
        else:
            cmd += ["--lp-solver", args.lp_solver]
            if args.lp_time_limit:
                cmd += ["--lp-time-limit", str(args.lp_time_limit)]
        t0 = time.perf_counter()
        done = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True, cwd=ROOT)
        run = json.loads(done.stdout.strip().splitlines()[-1])
        runs.append(run)
        if args.family == "nation":
            print(f"repeat {i + 1}/{args.repeat}: {time.perf_counter() - t0:,.1f} s", file=sys.stderr)
            continue
        own = sum(run["wall"].get(s, 0.0) for s in OWN)
        print(f"repeat {i + 1}/{args.repeat}: {time.perf_counter() - t0:,.1f} s wall in all, "
              f"own stages {own:,.1f} s, search {run['wall']['search']:,.1f} s, "
              f"{run['status']} gap {run['mip_gap']:.2%}, peak {run['peak_rss_mb']:,.0f} MB",
              file=sys.stderr)
    if not args.report_only:
        raw.write_text(json.dumps(runs), encoding="utf-8")
    command = "python -m benchmarks.run_stages " + " ".join(
        a for a in (argv if argv is not None else sys.argv[1:]) if a != "--report-only")
    describe_text = scale.describe(scale.make_tables(args.family, args.seed))
    if args.family == "nation":
        text = nation_report(args, runs[0], command.strip(), machine(), describe_text)
    else:
        text = report(args.family, args, runs, command.strip(), machine(), describe_text)
    out = args.out or HERE / "results" / (
        f"stages-{args.family}{'-direct' if args.direct else ''}.md")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
