"""The window passes on a big register: the plan they reach by each minute.

    .venv/bin/python -m benchmarks.windows benchmarks/out/region-s1/scenario.toml \
        --budget 470 --columns 12000

runs `estate.solve.window_passes.window_start` from the status quo, as `estate plan` does
for a model of more than `WINDOW_MIN_COLUMNS` columns, with the window size and the gaps
given, and prints the best plan at each minute and at the end (benchmarks/README.md,
"Window passes for the region"). The plans are NPVs of the whole model, each keeping
every rule.
"""

from __future__ import annotations

import argparse
import math
import time

import highspy

from estate.load.scenario import load_scenario
from estate.model.build import build
from estate.pipeline import prepare_scenario, status_quo_start
from estate.solve import progress, window_passes
from estate.solve.highs import highs_lp, solver_output
from estate.solve.progress import Reporter
from estate.solve.types import SearchProgress


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The window passes' plan by the minute.")
    parser.add_argument("scenario", nargs="?", default="benchmarks/out/region-s1/scenario.toml")
    parser.add_argument("--budget", type=float, default=470.0, help="seconds for the passes")
    parser.add_argument("--columns", type=int, default=window_passes.WINDOW_COLUMNS,
                        help="columns per window")
    parser.add_argument("--gaps", type=float, nargs="+", default=list(window_passes.WINDOW_GAPS),
                        help="each window's gap, the next once a pass improves nothing")
    parser.add_argument("--threads", type=int, default=1,
                        help="windows searched at once (at most WINDOW_THREADS)")
    args = parser.parse_args(argv)
    window_passes.WINDOW_GAPS = tuple(args.gaps)
    with solver_output(False):  # HiGHS's banner comes with a process's first Highs
        highspy.Highs()
    prep = prepare_scenario(load_scenario(args.scenario))
    model = build(prep)
    windows = max(1, math.ceil(len(model.col_cost) / args.columns))
    print(f"{args.scenario}: {model.size}; {windows} windows of about {args.columns:,} "
          f"columns, gaps {args.gaps}, {args.budget:g} s, {args.threads} at once")
    heard: list[SearchProgress] = []
    t0 = time.perf_counter()
    reporter = Reporter(heard.append, clock=lambda: time.perf_counter() - t0)
    progress.PLAN_EVERY_S = 0.0  # every better plan heard as it comes
    with solver_output(False):
        plan, report = window_passes.window_start(model, highs_lp(model),
                                               status_quo_start(prep, model), args.budget,
                                               1e-4, windows, reporter,
                                               lambda: args.threads)
    seconds = time.perf_counter() - t0
    print("| by | best plan £m |\n|---:|---:|")
    for minute in range(60, int(seconds) + 60, 60):
        plans = [p.plan for p in heard if p.seconds <= minute]
        if plans:
            print(f"| {minute} s | {min(plans) / 1e6:,.2f} |")
    objective = float(model.col_cost @ plan) + model.obj_constant
    print(f"\nEnd, {seconds:.0f} s: £{objective / 1e6:,.2f}m, {report.windows} windows "
          f"searched, {report.windows_improved} improved the plan")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
