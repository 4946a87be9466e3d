"""The dated programme at county size: the plan, then its roadmap, timed apart.

    .venv/bin/python -m benchmarks.programme county --seed 1 --time-limit 60 --repeat 3

makes the family's register with leases (`benchmarks.scale`, `programme.toml` beside
the scenario), plans it with `estate.plan` (no files written), and reports per repeat
the seconds of the plan (every stage before the programme) and of the roadmap (the
`programme` stage: changes, MILP, re-check, cash flows), the number of changes, the
roadmap's status, the snapshot's NPV saving (leases priced in) and the programme's.
The target (issue 11): the roadmap in at most 60 s on top of the plan.

    .venv/bin/python -m benchmarks.programme county --seed 1 --time-limit 60 --unscheduled

plans the same scenario without its `[programme]` table: the plan's changes are then
dated at least cost with no yearly limit for the saving it reports
(`estate.programme.realised`), and the `realised` stage's seconds are reported instead.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import tempfile
import time
from pathlib import Path

import estate
from benchmarks.scale import write_register


def run_once(scenario: Path, time_limit: float) -> dict[str, float | str]:
    sc = dataclasses.replace(estate.load_scenario(scenario), time_limit_s=time_limit)
    t0 = time.perf_counter()
    plan = estate.plan(sc, write=False)
    wall = time.perf_counter() - t0
    if sc.programme is None:
        realised = plan.timings.get("realised", float("nan"))
        return {"plan_s": round(wall - realised, 2), "realised_s": round(realised, 2),
                "plan_status": str(plan.status),
                "snapshot_npv_saving": round(plan.summary.status_quo_npv
                                             - plan.summary.objective_npv, 2),
                "npv_saving": plan.summary.npv_saving,
                "booked_early_npv": str(plan.summary.booked_early_npv)}
    programme = plan.programme
    assert programme is not None
    roadmap = plan.timings.get("programme", float("nan"))
    return {"plan_s": round(wall - roadmap, 2), "roadmap_s": round(roadmap, 2),
            "changes": len(programme.actions), "status": programme.status,
            "plan_status": str(plan.status),
            "snapshot_npv_saving": plan.summary.saving_in_year_one,
            "programme_npv_saving": programme.npv_saving,
            "payback_year": str(programme.payback_year)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("family", choices=["county"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--unscheduled", action="store_true",
                        help="plan without the [programme] table (the realised saving)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        write_register(args.family, Path(tmp), args.seed, args.time_limit)
        scenario = Path(tmp) / "programme.toml"
        if args.unscheduled:
            text = scenario.read_text(encoding="utf-8")
            scenario = Path(tmp) / "unscheduled.toml"
            scenario.write_text(text.split("[programme]")[0], encoding="utf-8")
        rows = [run_once(scenario, args.time_limit) for _ in range(args.repeat)]
    for row in rows:
        print(row)
    stage = "realised" if args.unscheduled else "roadmap"
    print(f"median {stage} {statistics.median(float(r[stage + '_s']) for r in rows):.2f} s, "
          f"median plan {statistics.median(float(r['plan_s']) for r in rows):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
