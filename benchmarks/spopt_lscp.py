"""estate against spopt on spopt's own problem: the location set cover (LSCP).

    .venv/bin/python -m benchmarks.spopt_lscp run                       # both sizes, 3 runs
    .venv/bin/python -m benchmarks.spopt_lscp run --sizes 500x5000 --repeats 1 \\
        --spopt-python /tmp/spopt-py312/bin/python --out benchmarks/results/spopt_lscp.md
    .venv/bin/python -m benchmarks.spopt_lscp make --sites 500 --zones 5000 --out DIR
    PYTHON -m benchmarks.spopt_lscp spopt DIR      # spopt's side alone, one JSON line

The register: `--sites` candidate sites and `--zones` zones clustered around towns in a
box that grows with the sites (seeded; the recipe is `_places`, after the county family
of `benchmarks.scale`); zones no site reaches within 8 km are dropped (an LSCP must cover
every zone), so a size asks for about, not exactly, that many zones. Every site offers
`public_access`, costs 1 to build and nothing to run; one agency, no functions. The
scenario asks for `all` coverage within 8 km, over one year at a zero discount rate, so
its NPV is the number of sites built: the LSCP's objective.

Both sides measure the same distances: the register holds WGS84 lat/lon and the
scenario sets `crs = "EPSG:32631"`; spopt's side projects the same lat/lon with pyproj to
the same CRS and takes straight-line distances (scipy's cdist), then
`LSCP.from_cost_matrix(..., service_radius=8000)` and `.solve(pulp.HiGHS(...))`.

What is timed:

- estate: the whole `estate plan SCENARIO` process (start, imports, reading the
  register, checks, geometry, build, solve, results, summary, map), wall clock and the
  CPU seconds of the child process;
- spopt: inside its process, the distance matrix (reading the CSVs and projecting
  included), `from_cost_matrix` (build) and `solve` (PuLP's hand-off, HiGHS, and
  spopt's own results: which site covers which zone), wall and CPU; and the whole
  process beside it.

Both solve with one thread and a relative gap of 1e-4 (estate's default; spopt's
PuLP-HiGHS default is HiGHS's own, also 1e-4); both optima are integers, so both are
proven. spopt 0.8 needs Python 3.12; `--spopt-python` names an interpreter that has it
(this script's own spopt side imports neither estate nor the tests, so it runs there
from the repository root).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CRS = "EPSG:32631"
ORIGIN_E, ORIGIN_N = 360_000.0, 5_760_000.0  # metres on EPSG:32631 (about 52.0N, 0.97E)
RADIUS_KM = 8.0
SIZES = ((500, 5000), (1000, 10000))


# --- the register -------------------------------------------------------------------------

def _places(rng: np.random.Generator, n_sites: int, n_zones: int
            ) -> tuple[np.ndarray, np.ndarray]:
    """Sites and zones (metres east and north of the origin) clustered around towns.

    The box is 80 km x 60 km for 500 sites and grows with the sites (same density); it
    holds 25 towns per 500 sites, uniform in the box (5% margin), rank-size weights
    1/rank, spread (normal sigma) 1 km + 4 km x sqrt(weight / largest weight). Zones:
    town drawn by weight, 85% at the town's spread, 15% (rural) at three times it.
    Sites: town drawn by weight^0.8, 90% at the spread, 10% at three times it. All
    clipped to the box.
    """
    scale = math.sqrt(n_sites / 500)
    width, height = 80_000.0 * scale, 60_000.0 * scale
    n_towns = max(1, round(25 * n_sites / 500))
    towns = np.column_stack([rng.uniform(0.05 * width, 0.95 * width, n_towns),
                             rng.uniform(0.05 * height, 0.95 * height, n_towns)])
    weight = 1.0 / np.arange(1, n_towns + 1)
    spread = 1000.0 + 4000.0 * np.sqrt(weight / weight.max())

    def around(n: int, power: float, far_share: float) -> np.ndarray:
        p = weight**power / (weight**power).sum()
        town = rng.choice(n_towns, size=n, p=p)
        sigma = spread[town] * np.where(rng.random(n) < far_share, 3.0, 1.0)
        xy = towns[town] + rng.normal(0.0, 1.0, (n, 2)) * sigma[:, None]
        return np.column_stack([np.clip(xy[:, 0], 0, width), np.clip(xy[:, 1], 0, height)])

    zones = around(n_zones, 1.0, 0.15)
    sites = around(n_sites, 0.8, 0.10)
    return sites, zones


def make_register(folder: Path, n_sites: int, n_zones: int, seed: int = 1) -> Path:
    """Write the LSCP register and `scenario.toml` into `folder`; return the scenario path."""
    from pyproj import Transformer

    rng = np.random.default_rng(seed)
    sites, zones = _places(rng, n_sites, n_zones)
    reach2 = (RADIUS_KM * 1000.0) ** 2
    reached = np.zeros(n_zones, bool)
    for start in range(0, n_zones, 2000):  # zones some site reaches, in blocks
        block = zones[start:start + 2000]
        d2 = ((block[:, None, :] - sites[None, :, :]) ** 2).sum(axis=2)
        reached[start:start + 2000] = (d2 <= reach2).any(axis=1)
    zones = zones[reached]
    to_wgs84 = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)
    folder.mkdir(parents=True, exist_ok=True)

    def lonlat(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lon, lat = to_wgs84.transform(ORIGIN_E + xy[:, 0], ORIGIN_N + xy[:, 1])
        return np.asarray(lon), np.asarray(lat)

    lon, lat = (a.tolist() for a in lonlat(sites))
    with open(folder / "sites.csv", "w", encoding="utf-8") as out:
        out.write("site_id,agency_id,name,lat,lon,desks,running_cost,candidate,build_cost,"
                  "kind,services\n")
        for i in range(n_sites):
            out.write(f"S{i:05d},A1,Site {i},{lat[i]!r},{lon[i]!r},0,0,true,1,hub,"
                      f"public_access\n")
    lon, lat = (a.tolist() for a in lonlat(zones))
    with open(folder / "zones.csv", "w", encoding="utf-8") as out:
        out.write("zone_id,name,lat,lon,population\n")
        for i in range(len(zones)):
            out.write(f"Z{i:06d},Zone {i},{lat[i]!r},{lon[i]!r},1\n")
    (folder / "agencies.csv").write_text("agency_id,name,kind\nA1,Agency,council\n",
                                         encoding="utf-8")
    (folder / "functions.csv").write_text(
        "function_id,agency_id,type,site_id,fte,annual_cost\n", encoding="utf-8")
    scenario = folder / "scenario.toml"
    scenario.write_text(
        f'name = "lscp-{n_sites}x{n_zones}"\ndata = "."\nhorizon_years = 1\n'
        f'discount_rate = 0.0\ncrs = "{CRS}"\n\n'
        "[sharing]\ntypes = []\n\n[assignment]\nsplit = false\n\n"
        f'[[coverage]]\nservice = "public_access"\nradius_km = {RADIUS_KM}\nmode = "all"\n\n'
        "[solver]\nname = \"highs\"\ntime_limit_s = 600\nmip_gap = 1e-4\n", encoding="utf-8")
    return scenario


# --- spopt's side (no estate imports: it may run under another interpreter) ---------------

def spopt_side(folder: Path) -> dict:
    """Matrix, build and solve of spopt's LSCP on the register, timed in this process."""
    import pandas as pd
    import pulp
    import spopt
    from pyproj import Transformer
    from scipy.spatial.distance import cdist
    from spopt.locate import LSCP

    def clocks() -> tuple[float, float]:
        return time.perf_counter(), time.process_time()

    times: dict[str, float] = {}
    t = clocks()
    to_grid = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
    sites = pd.read_csv(folder / "sites.csv")
    zones = pd.read_csv(folder / "zones.csv")
    sx, sy = to_grid.transform(sites["lon"].to_numpy(), sites["lat"].to_numpy())
    zx, zy = to_grid.transform(zones["lon"].to_numpy(), zones["lat"].to_numpy())
    matrix = cdist(np.column_stack([zx, zy]), np.column_stack([sx, sy]))
    t = _lap(times, "matrix", t, clocks())
    lscp = LSCP.from_cost_matrix(matrix, service_radius=RADIUS_KM * 1000.0)
    t = _lap(times, "build", t, clocks())
    lscp = lscp.solve(pulp.HiGHS(msg=False, threads=1, gapRel=1e-4))
    t = _lap(times, "solve", t, clocks())
    opened = [j for j, y in enumerate(lscp.fac_vars) if (y.value() or 0) > 0.5]
    return {"objective": float(pulp.value(lscp.problem.objective)), "sites": len(opened),
            "status": pulp.LpStatus[lscp.problem.status], "spopt": spopt.__version__,
            "python": platform.python_version(), "zones": len(zones), **times}


def _lap(times: dict[str, float], name: str, before: tuple[float, float],
         now: tuple[float, float]) -> tuple[float, float]:
    times[f"{name}_s"] = now[0] - before[0]
    times[f"{name}_cpu_s"] = now[1] - before[1]
    return now


def _child(cmd: list[str]) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run a child process from the repository root: its result, wall and CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 3):  # 3: a plan, not proven
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done, wall, cpu


def run_spopt(python: str, folder: Path) -> dict:
    done, wall, cpu = _child([python, "-m", "benchmarks.spopt_lscp", "spopt", str(folder)])
    out = json.loads(done.stdout.strip().splitlines()[-1])
    return {**out, "process_s": wall, "process_cpu_s": cpu}


def run_estate(scenario: Path, work: Path) -> dict:
    estate = str(Path(sys.executable).with_name("estate"))
    cmd = [estate, "plan", str(scenario), "--json", "--out", str(work / "results"),
           "--map", str(work / "map.html")]
    done, wall, cpu = _child(cmd)
    s = json.loads(done.stdout)
    return {"objective": float(s["objective_npv"]), "status": s["status"],
            "solve_s": float(s["solve_seconds"]), "process_s": wall, "process_cpu_s": cpu,
            "model_size": s.get("model_size", {})}


# --- the report ---------------------------------------------------------------------------

def _median(runs: list[dict], key: str) -> float:
    return statistics.median(float(r[key]) for r in runs)


def compare(n_sites: int, n_zones: int, repeats: int, python: str, seed: int) -> dict:
    """Both sides on one register, `repeats` times each, alternating."""
    with tempfile.TemporaryDirectory(prefix=f"lscp-{n_sites}-") as tmp:
        folder = Path(tmp) / "register"
        scenario = make_register(folder, n_sites, n_zones, seed)
        estate_runs, spopt_runs = [], []
        for i in range(repeats):
            estate_runs.append(run_estate(scenario, Path(tmp) / f"run{i}"))
            spopt_runs.append(run_spopt(python, folder))
            print(f"  {n_sites}x{n_zones} run {i + 1}: estate {estate_runs[-1]['process_s']:.2f} s"
                  f" (obj {estate_runs[-1]['objective']:g}), spopt "
                  f"{sum(spopt_runs[-1][k] for k in ('matrix_s', 'build_s', 'solve_s')):.2f} s"
                  f" (obj {spopt_runs[-1]['objective']:g})", file=sys.stderr, flush=True)
    return {"sites": n_sites, "zones_asked": n_zones, "estate": estate_runs, "spopt": spopt_runs}


def render(results: list[dict], argv: list[str], load: tuple[float, float]) -> str:
    lines = ["# estate against spopt's LSCP", "",
             f"Command: `python -m benchmarks.spopt_lscp {' '.join(argv)}`  ",
             f"estate commit: {_commit()}  ",
             f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
             f"load average {load[0]:.2f} before, {load[1]:.2f} after "
             "(shared with other work: CPU seconds are given beside wall clock)", "",
             "Medians of the runs. estate: the whole `estate plan` process. spopt: matrix + "
             "build + solve inside its process (its whole process, imports included, beside "
             "it). Ratio: estate's whole process over spopt's matrix + build + solve.", "",
             "| register | zones | optimum (estate / spopt) | estate s (CPU) | of which solve s "
             "| spopt matrix s | build s | solve s | spopt total s (CPU) | spopt process s "
             "| ratio wall | ratio CPU |",
             "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        e, s = r["estate"], r["spopt"]
        total = [x["matrix_s"] + x["build_s"] + x["solve_s"] for x in s]
        total_cpu = [x["matrix_cpu_s"] + x["build_cpu_s"] + x["solve_cpu_s"] for x in s]
        ew, ec = _median(e, "process_s"), _median(e, "process_cpu_s")
        sw, sc = statistics.median(total), statistics.median(total_cpu)
        same = {round(x["objective"], 6) for x in e} | {round(x["objective"], 6) for x in s}
        lines.append(
            f"| {r['sites']} x {r['zones_asked']} | {s[0]['zones']} | "
            f"{e[0]['objective']:g} / {s[0]['objective']:g}"
            f"{'' if len(same) == 1 else ' (DIFFER)'} | {ew:.2f} ({ec:.2f}) | "
            f"{_median(e, 'solve_s'):.2f} | {_median(s, 'matrix_s'):.2f} | "
            f"{_median(s, 'build_s'):.2f} | {_median(s, 'solve_s'):.2f} | {sw:.2f} ({sc:.2f}) | "
            f"{_median(s, 'process_s'):.2f} | {ew / sw:.2f} | {ec / sc:.2f} |")
    first = results[0]
    lines += ["", f"spopt {first['spopt'][0]['spopt']} on Python {first['spopt'][0]['python']}"
              " (PuLP's HiGHS interface, one thread); estate's model as solved "
              "(`model_size`, reductions included):", ""]
    lines += [f"- {r['sites']} x {r['zones_asked']}: {r['estate'][0]['model_size']}"
              for r in results]
    lines += ["", "Every run (seconds):", ""]
    for r in results:
        for side in ("estate", "spopt"):
            for x in r[side]:
                shown = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in x.items()
                         if k != "model_size"}
                lines.append(f"- {r['sites']} x {r['zones_asked']} {side}: {shown}")
    return "\n".join(lines) + "\n"


def _commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True, check=False).stdout.strip()
    return done.stdout.strip() + (" (with uncommitted changes)" if dirty else "")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description="estate against spopt's LSCP.")
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("make", help="write an LSCP register and scenario.toml")
    make.add_argument("--sites", type=int, default=500)
    make.add_argument("--zones", type=int, default=5000)
    make.add_argument("--seed", type=int, default=1)
    make.add_argument("--out", type=Path, required=True)
    side = sub.add_parser("spopt", help="spopt's side on a register folder (one JSON line)")
    side.add_argument("folder", type=Path)
    run = sub.add_parser("run", help="both sides, side by side")
    run.add_argument("--sizes", default=",".join(f"{s}x{z}" for s, z in SIZES))
    run.add_argument("--repeats", type=int, default=3)
    run.add_argument("--seed", type=int, default=1)
    run.add_argument("--spopt-python", default=sys.executable,
                     help="an interpreter with spopt (0.8 needs Python 3.12)")
    run.add_argument("--out", type=Path, help="write the markdown report here too")
    args = parser.parse_args(argv)
    if args.command == "make":
        print(make_register(args.out, args.sites, args.zones, args.seed))
        return 0
    if args.command == "spopt":
        print(json.dumps(spopt_side(args.folder)))
        return 0
    load_before = os.getloadavg()[0]
    results = [compare(int(s), int(z), args.repeats, args.spopt_python, args.seed)
               for s, z in (size.split("x") for size in args.sizes.split(","))]
    report = render(results, argv, (load_before, os.getloadavg()[0]))
    print(report)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
