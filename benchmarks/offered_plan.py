"""A first plan HiGHS misvalues, and three ways to search again.

    .venv/bin/python -m benchmarks.offered_plan models/hubs_coverage.toml --limit 300

finds the scenario's site-configuration plan (`estate.solve.configurations.search` from
the status quo, as `estate plan` does with `site_configurations = true`), offers it to
HiGHS on the model as estate passes it, and prints HiGHS's own figure for it beside its
price and what that first search (to 0.1%, as the main search's first) did. Then each
way of searching again runs for `--limit` seconds to `--gap`, one after the other:
without the offer; the offer with HiGHS's presolve off; and without the offer, told that
a plan at its price exists (`objective_bound`, what `estate.solve.highs.search` does).
Prints a row of plan, bound, gap and seconds for each (benchmarks/README.md, "A first
plan HiGHS misvalues").
"""

from __future__ import annotations

import argparse
import time

import highspy
import numpy as np

from benchmarks import handed_back
from estate.load.scenario import load_scenario
from estate.model.arrays import EstateModel
from estate.model.build import build
from estate.pipeline import prepare_scenario, status_quo_start
from estate.solve import configurations
from estate.solve.highs import (
    highs_lp,
    new_highs,
    offer_solution,
    solver_output,
    tell_cutoff,
)
from estate.solve.types import relative_gap


def run(model: EstateModel, limit: float, gap: float, offer: np.ndarray | None,
        presolve: bool = True, cutoff: float | None = None) -> tuple[float, float, float]:
    """One HiGHS run: the price of the plan handed back (nan: none), its bound and its
    seconds."""
    with solver_output(False):
        h = new_highs(limit, gap)
        h.passModel(highs_lp(model))
        if not presolve:
            h.setOptionValue("presolve", "off")
        if offer is not None:
            offer_solution(h, offer)
        if cutoff is not None:
            tell_cutoff(h, cutoff)
        t0 = time.perf_counter()
        h.run()
        seconds = time.perf_counter() - t0
    return handed_back(h, model), h.getInfo().mip_dual_bound, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A first plan HiGHS misvalues.")
    parser.add_argument("scenario", nargs="?", default="models/hubs_coverage.toml")
    parser.add_argument("--limit", type=float, default=300.0,
                        help="seconds for each way of searching again")
    parser.add_argument("--gap", type=float, default=1e-4)
    parser.add_argument("--budget", type=float, default=480.0,
                        help="seconds for the site-configuration search")
    args = parser.parse_args(argv)
    with solver_output(False):  # HiGHS's banner comes with a process's first Highs
        highspy.Highs()
    prep = prepare_scenario(load_scenario(args.scenario))
    model = build(prep)
    found = configurations.search(model, [status_quo_start(prep, model)], args.budget)
    if found.plan is None:
        print(f"the site-configuration search found no plan in {found.seconds:.1f} s")
        return 1
    price = float(model.col_cost @ found.plan) + model.obj_constant
    with solver_output(False):
        h = new_highs(args.limit, 1e-3)
        h.passModel(highs_lp(model))
        offer_solution(h, found.plan)
        h.run()
    info = h.getInfo()
    handed = handed_back(h, model)
    print(f"{prep.scenario.name}: site configurations' plan £{price:,.0f} "
          f"({found.rounds} rounds, {found.seconds:.1f} s); offered to HiGHS at 0.1%: "
          f"reported £{info.objective_function_value:,.0f}, handed back £{handed:,.0f}, "
          f"bound £{info.mip_dual_bound:,.0f}, {h.getRunTime():.1f} s")
    print("\n| search again | plan £m | bound £m | gap | s |\n|---|---:|---:|---:|---:|")
    ways = [("without the offer", None, True, None),
            ("the offer, presolve off", found.plan, False, None),
            ("without the offer, objective_bound at its price", None, True, price)]
    for name, offer, presolve, cutoff in ways:
        plan, bound, seconds = run(model, args.limit, args.gap, offer, presolve, cutoff)
        best = min(plan, price) if plan == plan else price  # the offer is a plan in hand
        print(f"| {name} | {best / 1e6:,.3f} | {bound / 1e6:,.3f} | "
              f"{relative_gap(best, bound):.3%} | {seconds:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
