"""OR-Library capacitated warehouse location (Beasley) solved through the estate pipeline.

Each instance of `../shared/benchmarks/orlib` (or `$ESTATE_ORLIB`) becomes an estate
register and scenario whose optimum is exactly Beasley's capacitated (multi-source)
objective, and is solved by the same stages as `estate plan` (register written as CSV,
loaded, validated, prepared, built, solved, turned into a plan). Beside it, a direct
highspy model of the same instance built from scipy sparse arrays, to show what the
pipeline costs over a bare solver call.

    .venv/bin/python -m benchmarks.orlib [--small] [--large] [--time-limit 600]
                                         [--instances cap41,capa-8000] [--out FILE]
                                         [--no-direct] [--as-existing] [--estate-direct]

With neither --small nor --large nor --instances, the 37 small instances run. The
table goes to stdout and, as markdown, to benchmarks/results/orlib.md (or --out).

The mapping (why its optimum is Beasley's, term by term; DESIGN section 3):

- one agency; warehouse i = a *candidate* site: desks = capacity s_i, build_cost = fixed
  cost f_i (one-off), running_cost 0, hosts empty (every type), closure/disposal 0;
- customer j = an *unhoused* function (empty site_id): desks = fte = demand d_j,
  annual_cost 0. Unhoused, so every site is eligible and no relocation cost can arise;
- c_ij as the pair cost of (customer j, warehouse i): £/year on the share of j at i;
- scenario: horizon_years 1 and discount_rate 0, so A = 1; assignment.split = true
  (Beasley's capacitated problem is multi-source); sharing.types = [] (no pooling
  variables, eff = 0); relocation cost 0 and max_km = inf; no coverage rules; no zones.

Then the model is: housed sum_i a_ji = 1; at_open a_ji <= open_i (Beasley's optional
x_ij <= y_i); desks sum_j d_j a_ji <= s_i open_i; objective A * (sum_i 0 * open_i
+ sum_ji (0 + c_ij) a_ji) + sum_i f_i open_i = sum_i f_i y_i + sum_ij c_ij x_ij.
The fixed cost counts once because it is the one-off build cost of a candidate (paid
at year 0, not discounted, not multiplied by A). `--as-existing` maps warehouses to
existing closable sites with running_cost = f_i instead (counted A = 1 times), a cross
check that the status-quo bookkeeping (sites_before, closure) does not touch the
objective either.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from estate.solve.highs import lp_from_arrays, solver_output

ROOT = Path(__file__).resolve().parents[1]

SMALL = [f"cap{k}" for k in (41, 42, 43, 44, 51, 61, 62, 63, 64, 71, 72, 73, 74, 81, 82, 83,
                             84, 91, 92, 93, 94, 101, 102, 103, 104, 111, 112, 113, 114, 121,
                             122, 123, 124, 131, 132, 133, 134)]
#: Beasley (1988) Table 1 capacities of sets A, B, C (see the data README).
LARGE_CAPACITIES = {"capa": (8000, 10000, 12000, 14000), "capb": (5000, 6000, 7000, 8000),
                    "capc": (5000, 5750, 6500, 7250)}
LARGE = [f"{base}-{cap}" for base, caps in LARGE_CAPACITIES.items() for cap in caps]

#: Published values have 3 decimals and are rounded inconsistently (README "optima.csv").
REL_TOL, ABS_TOL = 1e-6, 1e-3
#: As small as HiGHS' relative MIP gap sensibly goes; its absolute gap (1e-6) stays.
MIP_GAP = 1e-9
AGENCY = "beasley"


def data_dir() -> Path:
    """`$ESTATE_ORLIB`, else `shared/benchmarks/orlib` beside the repository."""
    env = os.environ.get("ESTATE_ORLIB")
    return Path(env) if env else ROOT.parent / "shared" / "benchmarks" / "orlib"


@dataclass(frozen=True)
class Instance:
    """One capacitated warehouse location problem, as Beasley states it."""

    name: str
    capacity: np.ndarray  # s_i, per warehouse (m)
    fixed: np.ndarray  # f_i (m)
    demand: np.ndarray  # d_j, per customer (n)
    cost: np.ndarray  # c_ij, cost of serving all of customer j from warehouse i (m x n)

    @property
    def m(self) -> int:
        return len(self.fixed)

    @property
    def n(self) -> int:
        return len(self.demand)


def parse(path: str | Path, capacity: float | None = None, name: str | None = None) -> Instance:
    """Read an OR-Library `cap*.txt` as a token stream.

    `capacity` replaces the literal word `capacity` of capa/capb/capc (required there)."""
    path = Path(path)
    tokens = path.read_text(encoding="ascii").split()
    m, n = int(tokens[0]), int(tokens[1])
    expected = 2 + 2 * m + n * (1 + m)
    if len(tokens) != expected:
        raise ValueError(f"{path}: {len(tokens)} tokens, expected 2 + 2m + n(1+m) = {expected}")
    cap_tok = tokens[2:2 + 2 * m:2]
    fixed_tok = tokens[3:3 + 2 * m:2]
    if any(t == "capacity" for t in cap_tok):
        if capacity is None:
            raise ValueError(f"{path}: capacities are the word 'capacity'; give a value")
        cap_tok = [str(capacity) if t == "capacity" else t for t in cap_tok]
    rest = np.array(tokens[2 + 2 * m:], dtype=object).reshape(n, 1 + m)
    demand_tok = list(rest[:, 0])
    cost_tok = rest[:, 1:].T  # m x n: row i = warehouse
    return Instance(
        name=name or path.stem,
        capacity=np.array([float(t) for t in cap_tok]),
        fixed=np.array([float(t) for t in fixed_tok]),
        demand=np.array([float(t) for t in demand_tok]),
        cost=cost_tok.astype(float),
    )


def load(name: str, folder: Path | None = None) -> Instance:
    """`cap41` -> cap41.txt; `capa-8000` -> capa.txt with `capacity` = 8000."""
    folder = folder or data_dir()
    base, _, cap = name.partition("-")
    return parse(folder / f"{base}.txt", capacity=float(cap) if cap else None, name=name)


def published(folder: Path | None = None) -> dict[str, float]:
    """Capacitated optima of optima.csv by instance name (rows without one left out)."""
    folder = folder or data_dir()
    with open(folder / "optima.csv", newline="", encoding="utf-8") as fh:
        return {row["instance"]: float(row["capacitated_optimum"])
                for row in csv.DictReader(fh) if row["capacitated_optimum"].strip()}


def matches(ours: float, expected: float) -> bool:
    """Within a relative 1e-6 or an absolute 1e-3 (the published rounding)."""
    return abs(ours - expected) <= max(REL_TOL * abs(expected), ABS_TOL)


# --------------------------------------------------------------------------- the register

def _num(x: float) -> str:
    """A float as text that reads back as the same double."""
    return repr(float(x))


def write_register(inst: Instance, folder: str | Path, as_existing: bool = False) -> Path:
    """The instance as an estate register of CSV files (DESIGN section 1) in `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    m, n = inst.m, inst.n
    wid = [f"W{i + 1:03d}" for i in range(m)]
    cid = [f"C{j + 1:04d}" for j in range(n)]
    # Arbitrary positions near 52N 1E (distances play no part: max_km = inf, no zones).
    side = math.ceil(math.sqrt(m))
    with open(folder / "agencies.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["agency_id", "name", "kind"])
        w.writerow([AGENCY, f"OR-Library {inst.name}", "other"])
    with open(folder / "sites.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["site_id", "agency_id", "name", "lat", "lon", "desks", "running_cost",
                    "build_cost", "candidate", "kind"])
        for i in range(m):
            lat, lon = 52.0 + 0.01 * (i // side), 1.0 + 0.01 * (i % side)
            running, build = (inst.fixed[i], 0.0) if as_existing else (0.0, inst.fixed[i])
            w.writerow([wid[i], AGENCY, f"Warehouse {i + 1}", lat, lon, _num(inst.capacity[i]),
                        _num(running), _num(build), "false" if as_existing else "true",
                        "office"])
    with open(folder / "functions.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["function_id", "agency_id", "type", "site_id", "fte", "annual_cost",
                    "desks", "shareable"])
        for j in range(n):
            d = _num(inst.demand[j])
            w.writerow([cid[j], AGENCY, "Demand", "", d, "0", d, "false"])
    with open(folder / "zones.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerow(["zone_id", "name", "lat", "lon", "population"])
    with open(folder / "pair_costs.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["function_id", "site_id", "annual_cost"])
        for j in range(n):
            for i in range(m):
                w.writerow([cid[j], wid[i], _num(inst.cost[i, j])])
    return folder


def scenario_dict(register: str | Path, name: str, time_limit_s: float = 600.0,
                  mip_gap: float = MIP_GAP) -> dict:
    """The scenario (DESIGN section 2) under which the plan's NPV is Beasley's objective."""
    return {
        "name": name,
        "data": str(register),
        "horizon_years": 1,
        "discount_rate": 0.0,
        "sharing": {"types": [], "efficiency": 0.0, "setup_cost": 0.0, "min_agencies": 1},
        "relocation": {"cost_per_fte": 0.0, "max_km": math.inf},
        "assignment": {"split": True},
        "coverage": [],
        "policy": {"keep": [], "close": [], "max_one_off": math.inf,
                   "closable_kinds": ["office"]},
        "solver": {"name": "highs", "time_limit_s": float(time_limit_s),
                   "mip_gap": float(mip_gap)},
    }


@dataclass
class Outcome:
    objective: float
    status: str
    gap: float
    seconds: float  # wall clock of the whole path
    solve_seconds: float = math.nan  # the solver alone
    solver_objective: float = math.nan  # as HiGHS reports it (objective_npv is in pence)


def solve_pipeline(inst: Instance, time_limit_s: float = 600.0, mip_gap: float = MIP_GAP,
                   as_existing: bool = False, direct: bool = False) -> tuple[Outcome, object]:
    """Write the register as CSV, then `estate.plan(scenario, write=False)`: load,
    validate, prepare, build, solve, results, as `estate plan` does."""
    import estate
    from estate.load.scenario import scenario_from_dict

    with tempfile.TemporaryDirectory(prefix=f"orlib-{inst.name}-") as tmp:
        t0 = time.perf_counter()
        folder = write_register(inst, Path(tmp) / "register", as_existing=as_existing)
        raw = scenario_dict("register", inst.name, time_limit_s, mip_gap)
        scenario = scenario_from_dict(raw, base_dir=Path(tmp), label=f"{inst.name}.toml")
        assert scenario.data == folder
        result = estate.plan(scenario, write=False, direct=direct)
        seconds = time.perf_counter() - t0
    s = result.summary.to_json()
    gap = s["mip_gap"] if s["mip_gap"] is not None else math.inf
    return Outcome(float(s["objective_npv"]), s["status"], float(gap), seconds,
                   float(s["solve_seconds"]), float(result.solution.objective)), result


def direct_arrays(inst: Instance):
    """Beasley's model as arrays: columns y_0..y_{m-1}, then x_ij at m + i*n + j.

    min sum f_i y_i + sum c_ij x_ij
    s.t. sum_i x_ij = 1 (j);  sum_j d_j x_ij - s_i y_i <= 0 (i);  x_ij - y_i <= 0 (i, j).
    """
    m, n = inst.m, inst.n
    nx = m * n
    xi = np.repeat(np.arange(m), n)  # warehouse of each x column
    xj = np.tile(np.arange(n), m)  # customer of each x column
    xcol = m + np.arange(nx)
    cost = np.concatenate([inst.fixed, inst.cost.ravel()])
    # rows: n assignment, then m capacity, then m*n linking
    rows = np.concatenate([xj,                                    # assignment
                           n + xi, n + np.arange(m),              # capacity
                           n + m + np.arange(nx), n + m + np.arange(nx)])  # linking
    cols = np.concatenate([xcol, xcol, np.arange(m), xcol, xi])
    vals = np.concatenate([np.ones(nx), inst.demand[xj], -inst.capacity, np.ones(nx),
                           -np.ones(nx)])
    matrix = sp.csc_matrix((vals, (rows, cols)), shape=(n + m + nx, m + nx))
    row_lb = np.concatenate([np.ones(n), np.full(m + nx, -np.inf)])
    row_ub = np.concatenate([np.ones(n), np.zeros(m + nx)])
    integer = np.concatenate([np.ones(m, bool), np.zeros(nx, bool)])
    return cost, matrix, row_lb, row_ub, integer


def solve_direct_highspy(inst: Instance, time_limit_s: float = 600.0,
                         mip_gap: float = MIP_GAP) -> Outcome:
    """The same instance straight into highspy (same options as the pipeline: one thread,
    the same relative gap and time limit). Seconds include building the arrays."""
    import highspy

    t0 = time.perf_counter()
    cost, matrix, row_lb, row_ub, integer = direct_arrays(inst)
    # the arrays are this file's own; only their packing into a HighsLp is shared
    lp = lp_from_arrays(matrix, cost, np.zeros(matrix.shape[1]), np.ones(matrix.shape[1]),
                        row_lb, row_ub, integer)
    t1 = time.perf_counter()
    with solver_output(False):  # the banner is printed when Highs() is made
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", float(mip_gap))
        h.setOptionValue("time_limit", float(time_limit_s))
        h.setOptionValue("threads", 1)
        h.passModel(lp)
        h.run()
    t2 = time.perf_counter()
    status = h.getModelStatus()
    info = h.getInfo()
    has_sol = info.primal_solution_status == 2
    S = highspy.HighsModelStatus
    if status == S.kOptimal:
        label = "optimal"
    elif has_sol:
        label = "time_limit"
    else:
        label = h.modelStatusToString(status).lower().replace(" ", "_")
    obj = float(info.objective_function_value) if has_sol else math.nan
    gap = float(info.mip_gap) if has_sol else math.inf
    return Outcome(obj, label, max(gap, 0.0), t2 - t0, t2 - t1, obj)


# --------------------------------------------------------------------------- the table

COLUMNS = ["instance", "published", "ours", "solver obj", "rel. error", "status", "gap", "pipeline s",
           "of which solve s", "direct-highspy s", "direct status", "direct obj"]


def run(name: str, optima: dict[str, float], time_limit_s: float, mip_gap: float = MIP_GAP,
        with_direct: bool = True, as_existing: bool = False, estate_direct: bool = False) -> dict:
    inst = load(name)
    pub = optima.get(name, math.nan)
    try:
        ours, _ = solve_pipeline(inst, time_limit_s, mip_gap, as_existing=as_existing,
                                 direct=estate_direct)
    except Exception as exc:  # a failed instance is a row, not a lost run
        ours = Outcome(math.nan, f"{type(exc).__name__}: {exc}"[:60], math.inf, math.nan)
    direct = (solve_direct_highspy(inst, time_limit_s, mip_gap) if with_direct
              else Outcome(math.nan, "-", math.nan, math.nan))
    return {
        "instance": name, "published": pub, "ours": ours.objective,
        "solver obj": ours.solver_objective,
        "rel. error": abs(ours.objective - pub) / abs(pub) if pub else math.nan,
        "match": matches(ours.objective, pub) if math.isfinite(ours.objective) else False,
        "status": ours.status, "gap": ours.gap, "pipeline s": ours.seconds,
        "of which solve s": ours.solve_seconds, "direct-highspy s": direct.seconds,
        "direct status": direct.status, "direct obj": direct.objective,
    }


WIDTHS = {"instance": 10, "published": 14, "ours": 16, "solver obj": 16, "status": 10, "direct status": 13,
          "direct obj": 14}


def _fmt(key: str, value: str | float | None) -> str:
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if key in ("published", "ours", "direct obj"):
        return f"{value:,.3f}"
    if key == "solver obj":
        return f"{value:,.4f}"
    if key in ("rel. error", "gap"):
        return f"{value:.1e}"
    return f"{value:.2f}"


def render(rows: list[dict], markdown: bool) -> str:
    cells = [[_fmt(c, r[c]) + ("" if c != "ours" or r["match"] else " ✗") for c in COLUMNS]
             for r in rows]
    if markdown:
        lines = ["| " + " | ".join(COLUMNS) + " |",
                 "|" + "|".join("---" if c in ("instance", "status", "direct status")
                                else "---:" for c in COLUMNS) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in cells]
        return "\n".join(lines)
    widths = [max(len(c), WIDTHS.get(c, 8)) for c in COLUMNS]
    out = ["  ".join(c.rjust(w) for c, w in zip(COLUMNS, widths, strict=True))]
    out += ["  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(out)


def machine() -> str:
    import platform
    from importlib.metadata import version

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu or platform.processor()}, {os.cpu_count()} CPUs, Python "
            f"{platform.python_version()}, PuLP {version('pulp')}, highspy {version('highspy')}; "
            f"load average at the end {os.getloadavg()[0]:.1f} (a shared machine inflates "
            f"every time)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--small", action="store_true", help="the 37 instances cap41..cap134")
    ap.add_argument("--large", action="store_true", help="capa/capb/capc x 4 capacities")
    ap.add_argument("--instances", default="", help="comma-separated, e.g. cap41,capa-8000")
    ap.add_argument("--time-limit", type=float, default=600.0, help="seconds per solve")
    ap.add_argument("--mip-gap", type=float, default=MIP_GAP)
    ap.add_argument("--no-direct", action="store_true", help="skip the direct highspy model")
    ap.add_argument("--as-existing", action="store_true",
                    help="warehouses as existing sites (running_cost = fixed cost)")
    ap.add_argument("--estate-direct", action="store_true",
                    help="the pipeline hands its arrays to highspy directly "
                         "(estate.plan(direct=True)) instead of through PuLP")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "orlib.md"))
    args = ap.parse_args(argv)

    names = [s.strip() for s in args.instances.split(",") if s.strip()]
    if args.small:
        names += SMALL
    if args.large:
        names += LARGE
    if not names:
        names = list(SMALL)
    folder = data_dir()
    if not (folder / "optima.csv").is_file():
        print(f"OR-Library data not found at {folder} (set ESTATE_ORLIB)", file=sys.stderr)
        return 1
    optima = published(folder)
    rows = []
    for name in names:
        row = run(name, optima, args.time_limit, args.mip_gap, not args.no_direct,
                  args.as_existing, args.estate_direct)
        rows.append(row)
        lines = render([row], markdown=False).splitlines()
        print("\n".join(lines if len(rows) == 1 else lines[1:]), flush=True)
    ok = sum(r["match"] for r in rows)
    total = {c: sum(r[c] for r in rows if isinstance(r[c], float) and math.isfinite(r[c]))
             for c in ("pipeline s", "of which solve s", "direct-highspy s")}
    text = "\n".join([
        "# OR-Library capacitated warehouse location through the estate pipeline", "",
        f"Command: `.venv/bin/python -m benchmarks.orlib {' '.join(argv or sys.argv[1:])}`",
        f"(time limit {args.time_limit:g} s per solve, mip_gap {args.mip_gap:g}, one thread; "
        f"mapping: warehouses as {'existing' if args.as_existing else 'candidate'} sites; "
        f"pipeline hand-off {'estate direct highspy' if args.estate_direct else 'PuLP'}).",
        f"Machine: {machine()}.", f"Date: {time.strftime('%Y-%m-%d %H:%M')}.", "",
        f"{ok} of {len(rows)} within a relative {REL_TOL:g} (or {ABS_TOL:g} absolute) of the "
        "published capacitated optimum (✗ marks a miss). `ours` is the plan's "
        "`objective_npv` (rounded to pence by estate), `solver obj` HiGHS' own objective "
        "inside the pipeline. `pipeline s` is the wall clock of "
        "writing the register as CSV and `estate.plan(scenario, write=False)` (load, validate, "
        "prepare, build, hand-off to the solver, solve, results); `of which solve s` is the solver call inside it as "
        "estate times it (through PuLP this includes PuLP passing the model to HiGHS, not "
        "estate's own PuLP build); `direct-highspy s` builds Beasley's model from scipy sparse arrays and solves "
        "it with highspy under the same options.", "",
        render(rows, markdown=True), "",
        f"Total seconds: pipeline {total['pipeline s']:.1f} (solver {total['of which solve s']:.1f}),"
        f" direct highspy {total['direct-highspy s']:.1f}.", ""])
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"\n{ok}/{len(rows)} match; table written to {out}", flush=True)
    return 0 if ok == len(rows) else 2


if __name__ == "__main__":
    sys.exit(main())
