"""HiGHS's search with the objective scaled to its own units, against the model as built.

    .venv/bin/python -m benchmarks.objective_scale models/shared_back_office.toml \
        --exponents 0 -20 --seeds 0 1 2 --gap 1e-6 --limit 400 [--from-plan]

The costs are pounds, up to £50m a column on the demo, and HiGHS warns that such a model
is badly scaled ("Consider scaling the objective by 1e-2, or setting the
user_objective_scale option to -6"). This runs HiGHS on the model as estate passes it
(`highs_lp`, one thread, the gap and limit given), once per exponent and seed, with its
`user_objective_scale` set to the exponent (0: as built; -20 brings £50m to about 48),
from no plan or, with `--from-plan`, from the plan `estate plan` finds at the scenario's
own gap. Prints a row of status, seconds, nodes, the price of the plan handed back and
HiGHS's gap for each (benchmarks/README.md, "The objective in HiGHS's units").
"""

from __future__ import annotations

import argparse
import time

from benchmarks import handed_back, planned
from estate.load.scenario import load_scenario
from estate.model.build import build
from estate.pipeline import prepare_scenario
from estate.solve.highs import highs_lp, new_highs, offer_solution, solver_output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="HiGHS with its objective scaled, or not.")
    parser.add_argument("scenario", nargs="?", default="models/shared_back_office.toml")
    parser.add_argument("--exponents", type=int, nargs="+", default=[0, -20])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--gap", type=float, default=1e-6)
    parser.add_argument("--limit", type=float, default=600.0)
    parser.add_argument("--from-plan", action="store_true",
                        help="offer the plan `estate plan` finds at the scenario's gap")
    args = parser.parse_args(argv)
    start = None
    if args.from_plan:
        done = planned(args.scenario)
        model = done.model
        if model is None or done.plan.solution is None or done.plan.solution.values is None:
            raise SystemExit("no plan to start from")
        start = done.plan.solution.values
        print(done.headline())
    else:
        model = build(prepare_scenario(load_scenario(args.scenario)))
    lp = highs_lp(model)
    print(f"to {args.gap:g}, {args.limit:g} s limit, "
          f"{'from that plan' if start is not None else 'from no plan'}")
    print("| exponent | seed | status | s | nodes | plan £ | gap |\n|---:|---:|---|---:|---:|---:|---:|")
    for exponent in args.exponents:
        for seed in args.seeds:
            with solver_output(False):
                h = new_highs(args.limit, args.gap)
                h.setOptionValue("user_objective_scale", exponent)
                h.setOptionValue("random_seed", seed)
                h.passModel(lp)
                if start is not None:
                    offer_solution(h, start)
                t0 = time.perf_counter()
                h.run()
                seconds = time.perf_counter() - t0
            info, price = h.getInfo(), handed_back(h, model)
            print(f"| {exponent} | {seed} | {h.getModelStatus().name[1:]} | {seconds:.1f} | "
                  f"{info.mip_node_count:,} | {price:,.2f} | {info.mip_gap:.2e} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
