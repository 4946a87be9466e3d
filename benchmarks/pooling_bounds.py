"""Where the pooling model's gap lies: the bound with only some blocks kept integer, and
the Dantzig-Wolfe bound over site configurations.

    .venv/bin/python -m benchmarks.pooling_bounds --optimum 720400000
    .venv/bin/python -m benchmarks.pooling_bounds models/hubs_coverage.toml --skip-dw

1. **Integrality.** The model with only the named blocks integer (the others continuous),
   solved by HiGHS (one thread, gap 1e-6, `--limit` seconds): how much of the gap between
   the LP relaxation and the optimum each kind of decision carries.
2. **Site configurations.** Each site's columns (open, its teams' assign and pooled, its
   centres and agency counts) with the rows that touch only them form one block; a
   configuration is an integer point of a block. The master keeps the rows that span
   sites (housed, coverage, the one-off cap) and one convexity row per site; columns are
   configurations, priced exactly per site by HiGHS (a small MILP) against the master's
   duals until none prices out. Its bound is the convex hull of every site's own
   knapsack with pooling: everything a cut confined to one site can give. Each round
   also gives a valid Lagrangian bound, master value + sum of the negative reduced costs.
3. **Site sets** (`--site-sets N`). The N sets of open sites the relaxation with only
   `open` whole ranks cheapest (after each, a row excludes exactly that set), and for
   each set O with its sites fixed: the LP bound, the site-configuration bound and HiGHS
   on the model (`--limit` s). A search that branches on `open` meets such sets at its
   leaves; this says which bound would prune them and how hard their packing is.

All figures NPV pounds; `--optimum` a proven optimum to measure against.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
import time
from collections.abc import Iterator

import highspy
import numpy as np

from estate.load.scenario import load_scenario
from estate.model.arrays import EstateModel
from estate.model.build import build
from estate.pipeline import prepare_scenario
from estate.solve import configurations, site_pricing
from estate.solve.configurations import search
from estate.solve.highs import highs_lp, new_highs, solver_output

INF = highspy.kHighsInf
# Each solve of the relaxation that lists the site sets (about 5 s each on the demo).
SET_LIMIT_S = 600.0
INTEGRALITY = ("", "open", "shared,counts", "open,shared,counts", "assign",
               "open,shared,counts,assign")


def with_integer(model: EstateModel, blocks: list[str]) -> EstateModel:
    """The model with only the integer columns of `blocks` kept integer."""
    integer = np.zeros_like(model.col_integer)
    for name in blocks:
        integer[model.blocks[name]] = model.col_integer[model.blocks[name]]
    return dataclasses.replace(model, col_integer=integer)


def integrality_row(model: EstateModel, blocks: str, limit: float) -> tuple[float, float, float]:
    """(plan, bound, seconds) of HiGHS on the model with only `blocks` integer."""
    lp = highs_lp(with_integer(model, [b for b in blocks.split(",") if b]))
    with solver_output(False):
        h = new_highs(limit, 1e-6)
        h.passModel(lp)
        t0 = time.perf_counter()
        h.run()
        seconds = time.perf_counter() - t0
    info = h.getInfo()
    if not any(lp.integrality_[j] == highspy.HighsVarType.kInteger for j in range(lp.num_col_)):
        return info.objective_function_value, info.objective_function_value, seconds
    return info.objective_function_value, info.mip_dual_bound, seconds


def configuration_bound(model: EstateModel, max_rounds: int,
                        log: bool = True) -> tuple[float, float, int, int, float]:
    """Column generation to the Dantzig-Wolfe bound (`estate.solve.configurations.search`
    from no seed): (the bound, the best plan made of the configurations found (nan when
    none), rounds, configurations, seconds), with the objective's constant."""

    start = time.perf_counter()

    def show(rounds: int, value: float, bound: float, new: int) -> None:
        print(f"  round {rounds} at {time.perf_counter() - start:.1f} s: master "
              f"{value / 1e6:,.3f}, Lagrangian {bound / 1e6:,.3f}, {new} sites took one",
              file=sys.stderr, flush=True)

    found = search(model, [], math.inf, max_rounds, on_round=show if log else None)
    return (found.bound, found.objective, found.rounds, found.configurations, found.seconds)


def free_sites(model: EstateModel) -> np.ndarray:
    """The `open` columns neither policy nor a reduction fixes."""
    cols = np.arange(len(model.col_cost))[model.blocks["open"]]
    return cols[(model.col_lb[cols] < 0.5) & (model.col_ub[cols] > 0.5)]


def cheapest_site_sets(model: EstateModel, n: int,
                       limit: float) -> Iterator[tuple[np.ndarray, float]]:
    """Up to n sets of open sites (flags over `free_sites`) in the order the relaxation with
    only `open` whole ranks them, each with its value (the LP bound with that set fixed),
    yielded as found; `limit` seconds per solve.

    After each solve the row sum_{s in O} (1 - open_s) + sum_{s not in O} open_s >= 1
    excludes exactly the set O just found, so the next solve finds the next cheapest.
    """
    free = free_sites(model)
    h = new_highs(limit, 1e-9)
    h.passModel(highs_lp(with_integer(model, ["open"])))
    for _ in range(n):
        with solver_output(False):
            h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return
        is_open = np.array(h.getSolution().col_value)[free] > 0.5
        yield is_open, h.getInfo().objective_function_value
        h.addRow(1.0 - is_open.sum(), INF, len(free), free.astype(np.int32),
                 np.where(is_open, -1.0, 1.0))


def with_sites(model: EstateModel, is_open: np.ndarray) -> EstateModel:
    """The model with the free sites fixed open or closed as `is_open` says."""
    free = free_sites(model)
    lb, ub = model.col_lb.copy(), model.col_ub.copy()
    lb[free] = ub[free] = is_open.astype(float)
    return dataclasses.replace(model, col_lb=lb, col_ub=ub)


def site_set_row(model: EstateModel, limit: float, rounds: int
                 ) -> tuple[float, float, float, float, float, float]:
    """For a model with its sites fixed: (LP bound, site-configuration bound, its seconds,
    HiGHS's plan, its bound, its seconds) (plan inf when it found none; no configuration
    bound, nan, when `rounds` is 0)."""
    lp, _, _ = integrality_row(model, "", limit)
    dw, dw_seconds = math.nan, 0.0
    if rounds:
        dw, _, _, _, dw_seconds = configuration_bound(model, rounds, log=False)
    plan, bound, seconds = integrality_row(model, ",".join(model.blocks), limit)
    return lp, dw, dw_seconds, plan, bound, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Where the pooling model's gap lies.")
    parser.add_argument("scenario", nargs="?", default="models/shared_back_office.toml")
    parser.add_argument("--optimum", type=float, default=math.nan,
                        help="a proven optimum (NPV pounds) to measure the bounds against")
    parser.add_argument("--limit", type=float, default=120.0,
                        help="seconds per integrality run")
    parser.add_argument("--rounds", type=int, default=500, help="column generation rounds")
    parser.add_argument("--skip-dw", action="store_true", help="leave out the site "
                        "configurations' bound (the whole model's and each site set's)")
    parser.add_argument("--skip-integrality", action="store_true", help="leave out the "
                        "integrality table")
    parser.add_argument("--site-sets", type=int, default=0, help="measure this many of the "
                        "relaxation's cheapest sets of open sites")
    parser.add_argument("--threads", type=int, default=configurations.PRICING_THREADS,
                        help="threads the sites are priced on")
    parser.add_argument("--partial-rounds", type=int, default=configurations.PARTIAL_ROUNDS,
                        help="rounds that price only the sites that took one (0: every "
                        "round prices every site)")
    parser.add_argument("--extra", type=int, default=site_pricing.EXTRA_CONFIGURATIONS,
                        help="other configurations a pricer may bring in beside its best")
    parser.add_argument("--solve-every-site", action="store_true", help="solve every site "
                        "a round prices, even one its carried bound shows cannot enter")
    args = parser.parse_args(argv)
    configurations.SKIP_BY_CARRIED_BOUND = not args.solve_every_site
    configurations.PRICING_THREADS = args.threads
    configurations.PARTIAL_ROUNDS = args.partial_rounds
    site_pricing.EXTRA_CONFIGURATIONS = args.extra
    with solver_output(False):  # HiGHS's banner comes with a process's first Highs
        highspy.Highs()
    model = build(prepare_scenario(load_scenario(args.scenario)))
    ref = args.optimum
    print(f"{args.scenario}: {model.size}\n")
    if not args.skip_integrality:
        print("| integer blocks | plan £m | bound £m | bound below ref | s |\n"
              "|---|---:|---:|---:|---:|")
    for blocks in () if args.skip_integrality else INTEGRALITY:
        plan, bound, seconds = integrality_row(model, blocks, args.limit)
        print(f"| {blocks or 'none (LP)'} | {plan / 1e6:,.3f} | {bound / 1e6:,.3f} | "
              f"{(ref - bound) / ref:.3%} | {seconds:.1f} |", flush=True)
    if not args.skip_dw:
        bound, plan, rounds, added, seconds = configuration_bound(model, args.rounds)
        print(f"\nSite configurations: bound £{bound / 1e6:,.3f}m "
              f"({(ref - bound) / ref:.3%} below ref), best plan of them "
              f"£{plan / 1e6:,.3f}m, {rounds} rounds, {added:,} configurations, {seconds:.1f} s")
    if args.site_sets:
        print_site_sets(model, args.site_sets, args.limit, 0 if args.skip_dw else args.rounds)
    return 0


def print_site_sets(model: EstateModel, n: int, limit: float, rounds: int) -> None:
    """The site sets' table, a row as each set is measured."""
    print("\n| set | free sites open | LP £m | site configurations £m | s | plan £m | "
          "bound £m | s |\n|---|---:|---:|---:|---:|---:|---:|---:|")
    for i, (is_open, _) in enumerate(cheapest_site_sets(model, n, SET_LIMIT_S)):
        lp, dw, dw_s, plan, bound, seconds = site_set_row(with_sites(model, is_open), limit,
                                                          rounds)
        found = f"{plan / 1e6:,.3f}" if math.isfinite(plan) else "none"
        priced = f"{dw / 1e6:,.3f} | {dw_s:.1f}" if math.isfinite(dw) else "- | -"
        print(f"| {i + 1} | {int(is_open.sum())} | {lp / 1e6:,.3f} | {priced} | {found} | "
              f"{bound / 1e6:,.3f} | {seconds:.1f} |", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
