"""PDLP's bound on a big register, and how far packing its fractional sites whole raises it.

    .venv/bin/python -m benchmarks.site_bound benchmarks/out/region-s1/scenario.toml \
        --seconds 30 60

finds the LP relaxation's prices by PDLP once (`estate.solve.lp_bound.pdlp_prices`, as
`estate plan` does for a model of more than `WINDOW_MIN_COLUMNS` columns), then, for each
time given, raises the bound from those prices site by site from scratch
(`estate.solve.site_bound.raised_bound`, one thread, as beside the windows), and prints
the bound, the sites priced and proven and the gain (benchmarks/README.md, "Raising the
region's bound site by site").
"""

from __future__ import annotations

import argparse
import time

import highspy

from estate.load.scenario import load_scenario
from estate.model.build import build
from estate.pipeline import prepare_scenario
from estate.solve.highs import solver_output
from estate.solve.lp_bound import box_bound, pdlp_prices
from estate.solve.site_bound import raised_bound


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="PDLP's bound raised site by site.")
    parser.add_argument("scenario", nargs="?", default="benchmarks/out/region-s1/scenario.toml")
    parser.add_argument("--pdlp", type=float, default=200.0, help="seconds for PDLP")
    parser.add_argument("--seconds", type=float, nargs="+", default=[30.0, 60.0],
                        help="seconds for raising the bound, each a run of its own")
    args = parser.parse_args(argv)
    with solver_output(False):  # HiGHS's banner comes with a process's first Highs
        highspy.Highs()
    model = build(prepare_scenario(load_scenario(args.scenario)))
    print(f"{args.scenario}: {model.size}")
    t0 = time.perf_counter()
    prices = pdlp_prices(model, args.pdlp)
    if prices is None:
        print(f"PDLP gave no prices in {args.pdlp:g} s")
        return 1
    print(f"PDLP: {time.perf_counter() - t0:.1f} s, bound "
          f"£{box_bound(model, prices.row_prices) / 1e6:,.2f}m")
    print("| seconds | fractional sites | priced | proven | bound £m | raised by £m |\n"
          "|---:|---:|---:|---:|---:|---:|")
    for seconds in args.seconds:
        raised = raised_bound(model, prices, seconds)
        print(f"| {raised.seconds:.1f} | {raised.fractional_sites:,} | {raised.priced:,} | "
              f"{raised.proven:,} | {raised.bound / 1e6:,.2f} | "
              f"{(raised.bound - raised.lp_bound) / 1e6:,.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
