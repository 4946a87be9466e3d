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
import scipy.sparse as sp

from estate.load.scenario import load_scenario
from estate.model.arrays import EstateModel
from estate.model.build import build
from estate.pipeline import prepare_scenario
from estate.solve.highs import highs_lp, lp_from_arrays, new_highs, solver_output

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


@dataclasses.dataclass
class SiteBlocks:
    """The model split by site: per site its columns, its rows' MILP (a reusable HiGHS
    object whose costs change each round) and its columns' part of the master rows."""

    master_rows: np.ndarray
    free: np.ndarray
    columns: list[np.ndarray]
    closable: list[bool]  # the all-zero configuration meets the site's own rows
    pricers: list[highspy.Highs]
    linking: list[sp.csc_matrix]


def site_blocks(model: EstateModel) -> SiteBlocks:
    """Rows whose columns all belong to one site go to that site's block; rows spanning
    sites, or touching a column of no site (coverage reach), stay in the master."""
    csr, site = model.matrix.tocsr(), model.col_site
    row_site = np.full(csr.shape[0], -1)
    for r in range(csr.shape[0]):
        sites = np.unique(site[csr.indices[csr.indptr[r]:csr.indptr[r + 1]]])
        if len(sites) == 1 and sites[0] >= 0:
            row_site[r] = sites[0]
    master_rows = np.flatnonzero(row_site < 0)
    master = csr[master_rows].tocsc()
    columns, pricers, linking, closable = [], [], [], []
    for s in range(int(site.max()) + 1):
        cols, rows = np.flatnonzero(site == s), np.flatnonzero(row_site == s)
        closable.append(bool((model.col_lb[cols] <= 0).all() and (model.row_lb[rows] <= 0).all()
                             and (model.row_ub[rows] >= 0).all()))
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        h.setOptionValue("mip_rel_gap", 0.0)
        h.passModel(lp_from_arrays(csr[rows][:, cols].tocsc(), model.col_cost[cols],
                                   model.col_lb[cols], model.col_ub[cols], model.row_lb[rows],
                                   model.row_ub[rows], model.col_integer[cols]))
        columns.append(cols)
        pricers.append(h)
        linking.append(master[:, cols].tocsc())
    return SiteBlocks(master_rows, np.flatnonzero(site < 0), columns, closable, pricers,
                      linking)


def new_master(model: EstateModel, blocks: SiteBlocks) -> highspy.Highs:
    """The restricted master: master rows, then one convexity row per site; the columns of
    no site as they are, and an artificial pair per row at a cost no plan reaches, so the
    master is feasible before any configuration is in."""
    rows, n_sites = blocks.master_rows, len(blocks.columns)
    m = highspy.Highs()
    m.setOptionValue("output_flag", False)
    m.setOptionValue("threads", 1)
    empty = (0, np.zeros(1, np.int32), np.empty(0, np.int32), np.empty(0))
    m.addRows(len(rows), model.row_lb[rows], model.row_ub[rows], *empty)
    m.addRows(n_sites, np.ones(n_sites), np.ones(n_sites), *empty)
    free = model.matrix.tocsr()[rows][:, blocks.free].tocsc()
    if len(blocks.free):
        m.addCols(len(blocks.free), model.col_cost[blocks.free], model.col_lb[blocks.free],
                  model.col_ub[blocks.free], free.nnz, free.indptr[:-1].astype(np.int32),
                  free.indices.astype(np.int32), free.data)
    n = len(rows) + n_sites
    # above any dual a row can have at the optimum, yet small enough to keep the simplex
    # well conditioned (a thousand times the largest cost made HiGHS stop unsolved)
    penalty = 10.0 * max(np.abs(model.col_cost).max(), 1.0)
    for sign in (1.0, -1.0):
        m.addCols(n, np.full(n, penalty), np.zeros(n), np.full(n, INF), n,
                  np.arange(n, dtype=np.int32), np.arange(n, dtype=np.int32),
                  np.full(n, sign))
    return m


def add_configuration(master: highspy.Highs, model: EstateModel, blocks: SiteBlocks,
                      s: int, x: np.ndarray) -> None:
    """lambda[s, x] >= 0: cost c_s x, its master rows A_s x, 1 in site s's convexity row."""
    a = blocks.linking[s] @ x
    nz = np.flatnonzero(np.abs(a) > 1e-12)
    index = np.concatenate([nz, [len(blocks.master_rows) + s]]).astype(np.int32)
    master.addCol(float(model.col_cost[blocks.columns[s]] @ x), 0.0, INF, len(index), index,
                  np.concatenate([a[nz], [1.0]]))


def price(model: EstateModel, blocks: SiteBlocks, s: int,
          duals: np.ndarray) -> tuple[float, np.ndarray]:
    """min (c_s - A_s' pi) x over site s's configurations: (value, configuration)."""
    cols, h = blocks.columns[s], blocks.pricers[s]
    reduced = model.col_cost[cols] - blocks.linking[s].T @ duals
    h.changeColsCost(len(cols), np.arange(len(cols), dtype=np.int32), reduced)
    h.run()
    return h.getInfo().objective_function_value, np.round(np.array(h.getSolution().col_value), 9)


def solve_master(master: highspy.Highs) -> None:
    """Re-solve the master from its last basis; from scratch when that ends unsolved
    (HiGHS's warm start can stop with no status after many columns are added)."""
    master.run()
    if master.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        master.clearSolver()
        master.run()
    if master.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"the master ended {master.getModelStatus()}")


def configuration_bound(model: EstateModel, max_rounds: int,
                        log: bool = True) -> tuple[float, float, int, int, float]:
    """Column generation to the Dantzig-Wolfe bound: (master value, best Lagrangian bound,
    rounds, configurations, seconds), with the objective's constant."""
    t0 = time.perf_counter()
    blocks = site_blocks(model)
    master, n_rows = new_master(model, blocks), len(blocks.master_rows)
    for s, cols in enumerate(blocks.columns):
        if blocks.closable[s]:
            add_configuration(master, model, blocks, s, np.zeros(len(cols)))
    best, added, value, rounds = -math.inf, 0, math.nan, 0
    for rounds in range(1, max_rounds + 1):
        solve_master(master)
        value = master.getInfo().objective_function_value + model.obj_constant
        duals = np.array(master.getSolution().row_dual)
        pi, mu = duals[:n_rows], duals[n_rows:]
        reduced, new = 0.0, 0
        for s in range(len(blocks.columns)):
            cost, x = price(model, blocks, s, pi)
            if cost - mu[s] < -1e-6:
                add_configuration(master, model, blocks, s, x)
                reduced += cost - mu[s]
                new += 1
        added += new
        best = max(best, value + reduced)
        if log:
            print(f"  round {rounds}: master {value / 1e6:,.3f}, Lagrangian "
                  f"{(value + reduced) / 1e6:,.3f}, {new} configurations priced in",
                  file=sys.stderr, flush=True)
        if not new:
            break
    return value, best, rounds, added, time.perf_counter() - t0


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
    args = parser.parse_args(argv)
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
        value, best, rounds, added, seconds = configuration_bound(model, args.rounds)
        print(f"\nSite configurations: bound £{value / 1e6:,.3f}m "
              f"({(ref - value) / ref:.3%} below ref; best Lagrangian £{best / 1e6:,.3f}m), "
              f"{rounds} rounds, {added:,} configurations, {seconds:.1f} s")
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
