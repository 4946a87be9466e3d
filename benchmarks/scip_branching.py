"""SCIP's proof of a scenario's optimum from its plan, branching on sites and centres
first (as `estate.solve.scip` sets it) and in SCIP's own order, beside HiGHS's.

    .venv/bin/python -m benchmarks.scip_branching models/shared_back_office.toml

plans the scenario at its own gap with HiGHS (as `estate plan` does), then proves its
optimum to `--gap` from that plan three ways, one at a time: HiGHS, SCIP with the sites
first, SCIP without priorities. Prints each run's status, gap, seconds and NPV
(benchmarks/README.md, "SCIP, sites first").
"""

from __future__ import annotations

import argparse
from dataclasses import replace

from benchmarks import planned
from estate.solve import SolverOptions, scip, solve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="SCIP's proof, sites first or not.")
    parser.add_argument("scenario", nargs="?", default="models/shared_back_office.toml")
    parser.add_argument("--gap", type=float, default=1e-6)
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--runs", nargs="+", choices=["highs", "scip", "scip-own-order"],
                        default=["highs", "scip", "scip-own-order"])
    parser.add_argument("--order", default=",".join(scip.BRANCH_PRIORITY),
                        help="the 'scip' run's blocks branched on first, highest first "
                             "(default: as estate sets it)")
    args = parser.parse_args(argv)
    done = planned(args.scenario)
    model, plan = done.model, done.plan
    if model is None or plan.solution is None or plan.solution.values is None:
        raise SystemExit("no plan to start from")
    start = plan.solution.values
    print(f"{done.headline()}; proofs to {args.gap:g} from it, {args.time_limit:g} s limit")
    blocks = [b for b in args.order.split(",") if b]
    priorities = {b: len(blocks) - n for n, b in enumerate(blocks)}
    print(f"SCIP's order for the 'scip' run: {', '.join(blocks) or 'its own'}")
    print("| solver | status | gap | s | NPV £m | message |\n|---|---|---:|---:|---:|---|")
    for run in args.runs:
        options = SolverOptions(name="highs" if run == "highs" else "scip",
                                time_limit_s=args.time_limit, mip_gap=args.gap)
        if run == "highs":
            found = solve(model, replace(options, first_plan=False), start=start)
        else:
            found = scip.solve_scip(model, options, start,
                                    priorities=priorities if run == "scip" else {})
        print(f"| {run} | {found.status.value} | {found.mip_gap:.2e} | {found.seconds:.1f} | "
              f"{found.objective / 1e6:,.3f} | {found.message} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
