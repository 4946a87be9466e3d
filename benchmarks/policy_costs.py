"""Where the time of policy costs goes: each exact optimum, from the status quo and from
the scenario's plan.

    .venv/bin/python -m benchmarks.policy_costs models/shared_back_office.toml

plans the scenario at its own gap (as `estate plan` does), then solves each optimum that
policy costs need (the scenario's, and the scenario's without each policy that is set)
to the exact gap, one at a time in this process, twice: from the status quo with the
first-plan step (`--from quo`), and as `estate.runs.policy` does (`--from plan`): the
scenario's optimum from its plan (not solved again when that is proven), then each
optimum without a policy from the scenario's optimum, trimmed, with no first-plan step.
Prints, per optimum and start, the status, the gap, the seconds and the NPV, then each
policy's cost as each start prices it (benchmarks/README.md, "Policy costs from the
scenario's plan"). `--solver scip` solves the optima on SCIP alone; `--only must_keep`
times one optimum without a policy beside the scenario's.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

from benchmarks import planned
from estate.runs.optimum import GAP, exact_optimum, optimum_of
from estate.runs.policy import policies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Each optimum of policy costs, timed.")
    parser.add_argument("scenario", nargs="?", default="models/shared_back_office.toml")
    parser.add_argument("--from", dest="starts", nargs="+", choices=["quo", "plan"],
                        default=["quo", "plan"], help="the starts to time, in this order")
    parser.add_argument("--solver", choices=["highs", "scip"], default=None,
                        help="solve the optima on this solver (default: the scenario's; "
                             "with scip there is no second search)")
    parser.add_argument("--only", nargs="+", default=None,
                        help="time only these optima without a policy (their names)")
    args = parser.parse_args(argv)
    done = planned(args.scenario)
    scenario, register = done.scenario, done.register
    known = optimum_of(done.model, done.plan)
    print(f"{done.headline()}; optima solved to {GAP:g} with a {scenario.time_limit_s:g} s "
          "limit each")
    tasks = [("the scenario", scenario, register)]
    tasks += [(f"without {p.name}", p.scenario or scenario, p.register or register)
              for p in policies(scenario, register) if p.is_set and not p.declined
              and (args.only is None or p.name in args.only)]
    if args.solver:
        tasks = [(name, replace(sc, solver=args.solver), reg) for name, sc, reg in tasks]
    print("| optimum | from | status | gap | s | NPV £m |\n|---|---|---|---:|---:|---:|")
    npv: dict[tuple[str, str], float | None] = {}
    for start in args.starts:
        plan_from = known.plan if start == "plan" else None
        for name, sc, reg in tasks:
            t = time.perf_counter()
            if name == "the scenario" and start == "plan" and known.proven:
                found = known  # as estate.runs.policy: a proven plan is not solved again
            else:
                found = exact_optimum(sc, reg, plan_from)
            if name == "the scenario" and start == "plan" and found.plan is not None:
                plan_from = found.plan  # the withouts start from the scenario's optimum
            seconds = time.perf_counter() - t
            npv[name, start] = found.npv
            gap = "" if found.gap is None else f"{found.gap:.2g}"
            value = "" if found.npv is None else f"{found.npv / 1e6:,.3f}"
            print(f"| {name} | {start} | {found.status.value}"
                  f"{' (proven)' if found.proven else ''} | {gap} | {seconds:.1f} | "
                  f"{value} |", flush=True)
    print("\n| policy | " + " | ".join(f"cost from {s}, £m" for s in args.starts) + " |")
    print("|---|" + "---:|" * len(args.starts))
    for name, _, _ in tasks[1:]:
        costs = []
        for start in args.starts:
            base, without = npv["the scenario", start], npv[name, start]
            costs.append("" if base is None or without is None
                         else f"{(base - without) / 1e6:,.3f}")
        print(f"| {name.removeprefix('without ')} | " + " | ".join(costs) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
