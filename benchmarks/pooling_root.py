"""The root bounds of the pooling model, as built and with a candidate strengthening.

    .venv/bin/python -m benchmarks.pooling_root                       # the demo, every variant
    .venv/bin/python -m benchmarks.pooling_root models/shared_back_office.toml \\
        --variants base,pair_capacity --root-limit 120 --search 60
    .venv/bin/python -m benchmarks.pooling_root --variants base --prove 400 \\
        --optimum 720397470

For each variant of the model, HiGHS (one thread) gives: the LP relaxation (columns
made continuous), the bound after the root node (`mip_max_nodes = 1`: the LP plus
HiGHS's own cuts and presolve), with `--search S` the plan, bound and gap after S
seconds of branch-and-bound, and with `--prove S` the seconds HiGHS takes to show that
no plan is cheaper than `--optimum` by more than a millionth, told it as a cut-off (the
proof of a known optimum to 1e-6, apart from finding it). All in NPV pounds. Variants
(each adds rows or integrality to the model `estate.model.build` makes; each is valid
for every plan or, where said, for an optimum):

- `base`: the model as built;
- `pair_capacity`: for each eligible pair (f, s) with need_f > cap_s (desks or racks):
  need_f assign[f,s] - need_f eff_f pooled[f,s] <= cap_s open[s]. A team larger than
  its site can sit there only pooled; summed over the other teams this is the site's
  capacity row, but alone it stops a fraction of a big team filling a small site;
- `binary_pooled`: pooled[f,s] binary, with one clique row per team, sum_s
  pooled[f,s] <= 1 (valid at whole-team optima: docs/model.md);
- `pool_when_both`: pooled[f,s] >= assign[f,s] + shared[k(f),s] - 1 (a team at a site
  with an open centre of its type pools: never worse, so valid for an optimum);
- `all`: the three together;
- `others_count`: sum over agencies g' other than g(f) of counts[g',k,s] >=
  (min_agencies - 1) pooled[f,s], for each pooled column (the issue's first example).
  Valid for every plan: pooled[f,s] > 0 needs shared[k,s] = 1, so at least min_agencies
  agencies count there, at most one of them f's own;
- `others_per_agency`: the same with counts[g,k,s] in place of pooled[f,s], one row per
  agency at a centre (counts[g,k,s] = 1 needs shared[k,s] = 1 likewise).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
import time

import highspy
import numpy as np
import scipy.sparse as sp

from estate.load.scenario import load_scenario
from estate.model.arrays import EstateModel
from estate.model.build import build
from estate.pipeline import prepare_scenario
from estate.prepare import Prepared
from estate.solve.highs import highs_lp, new_highs, solver_output

VARIANTS = ("base", "pair_capacity", "binary_pooled", "pool_when_both", "all",
            "others_count", "others_per_agency")


def with_rows(model: EstateModel, rows: list[tuple[np.ndarray, np.ndarray, float, float]]
              ) -> EstateModel:
    """The model with rows lb <= coefs . x[cols] <= ub appended (one family, `extra`)."""
    if not rows:
        return model
    r = np.concatenate([np.full(len(c), i) for i, (c, _, _, _) in enumerate(rows)])
    extra = sp.csr_matrix((np.concatenate([v for _, v, _, _ in rows]),
                           (r, np.concatenate([c for c, _, _, _ in rows]))),
                          shape=(len(rows), model.matrix.shape[1]))
    start = len(model.row_names)
    return dataclasses.replace(
        model, matrix=sp.vstack([model.matrix, extra]).tocsr(),
        row_names=np.concatenate([model.row_names, [f"extra({i})" for i in range(len(rows))]]),
        row_lb=np.concatenate([model.row_lb, [lo for _, _, lo, _ in rows]]),
        row_ub=np.concatenate([model.row_ub, [hi for _, _, _, hi in rows]]),
        family_rows={**model.family_rows, "extra": slice(start, start + len(rows))},
        family_labels={**model.family_labels, "extra": np.arange(len(rows)).astype(object)})


def pair_capacity(prep: Prepared, model: EstateModel) -> EstateModel:
    pf, ps = prep.pairs["f"].to_numpy(), prep.pairs["s"].to_numpy()
    a0, p0, o0 = (model.blocks[b].start for b in ("assign", "pooled", "open"))
    pooled_of = dict(zip(model.pool["pair"].tolist(), range(len(model.pool)), strict=True))
    eff = prep.efficiency
    rows = []
    for column in ("desks", "racks"):
        need = prep.functions[column].to_numpy(float)[pf]
        cap = prep.sites[column].to_numpy(float)[ps]
        for i in np.flatnonzero((need > cap) & (model.col_ub[a0 + np.arange(len(pf))] > 0)):
            cols, coefs = [a0 + i, o0 + ps[i]], [need[i], -cap[i]]
            if i in pooled_of:
                cols.append(p0 + pooled_of[i])
                coefs.append(-need[i] * eff[pf[i]])
            rows.append((np.array(cols), np.array(coefs), -math.inf, 0.0))
    return with_rows(model, rows)


def binary_pooled(prep: Prepared, model: EstateModel) -> EstateModel:
    integer = model.col_integer.copy()
    integer[model.blocks["pooled"]] = True
    p0 = model.blocks["pooled"].start
    rows = [(p0 + idx, np.ones(len(idx)), -math.inf, 1.0)
            for idx in model.pool.groupby("f").indices.values() if len(idx) > 1]
    return with_rows(dataclasses.replace(model, col_integer=integer), rows)


def pool_when_both(prep: Prepared, model: EstateModel) -> EstateModel:
    a0, p0, s0 = (model.blocks[b].start for b in ("assign", "pooled", "shared"))
    pool = model.pool
    rows = [(np.array([p0 + i, a0 + pair, s0 + centre]), np.array([1.0, -1.0, -1.0]),
             -1.0, math.inf)
            for i, (pair, centre) in enumerate(zip(pool["pair"].tolist(),
                                                   pool["centre"].tolist(), strict=True))]
    return with_rows(model, rows)


def _others_rows(prep: Prepared, model: EstateModel, per_agency: bool
                 ) -> list[tuple[np.ndarray, np.ndarray, float, float]]:
    """Rows sum over other agencies' counts - (min_agencies - 1) x >= 0, where x is each
    pooled column (or, per agency, each counts column) of the centre."""
    counts = model.pool[["g", "centre", "count"]].drop_duplicates("count")
    p0, c0 = model.blocks["pooled"].start, model.blocks["counts"].start
    agencies = {centre: dict(zip(group["g"], group["count"], strict=True))
                for centre, group in counts.groupby("centre")}
    owners = (counts if per_agency else model.pool)[["g", "centre"]].itertuples(index=False)
    columns = (c0 + counts["count"].to_numpy() if per_agency
               else p0 + np.arange(len(model.pool)))
    spare = prep.scenario.min_agencies - 1.0
    rows = []
    for (g, centre), column in zip(owners, columns, strict=True):
        others = np.array([c0 + c for h, c in agencies[centre].items() if h != g], int)
        rows.append((np.append(others, column),
                     np.append(np.ones(len(others)), -spare), 0.0, math.inf))
    return rows


def others_count(prep: Prepared, model: EstateModel) -> EstateModel:
    return with_rows(model, _others_rows(prep, model, per_agency=False))


def others_per_agency(prep: Prepared, model: EstateModel) -> EstateModel:
    return with_rows(model, _others_rows(prep, model, per_agency=True))


def variant(name: str, prep: Prepared, model: EstateModel) -> EstateModel:
    steps = {"base": [], "pair_capacity": [pair_capacity], "binary_pooled": [binary_pooled],
             "pool_when_both": [pool_when_both],
             "all": [pair_capacity, binary_pooled, pool_when_both],
             "others_count": [others_count],
             "others_per_agency": [others_per_agency]}[name]
    for step in steps:
        model = step(prep, model)
    return model


def _run(model: EstateModel, limit: float, relax: bool = False, nodes: int | None = None,
         cutoff: float = math.nan) -> tuple[float, float, float, float]:
    """(plan, bound, seconds, cpu seconds) of one HiGHS run, in NPV pounds; with a
    `cutoff` HiGHS prunes every node that cannot beat it (a proof of a known optimum)."""
    lp = highs_lp(dataclasses.replace(model, col_integer=np.zeros_like(model.col_integer))
                  if relax else model)
    with solver_output(False):
        h = new_highs(limit, 1e-9)
        if nodes is not None:
            h.setOptionValue("mip_max_nodes", nodes)
        if not math.isnan(cutoff):  # a plan within a millionth of it is the optimum
            h.setOptionValue("objective_bound", cutoff * (1 - 1e-6))
        h.passModel(lp)
        t0, c0 = time.perf_counter(), time.process_time()
        h.run()
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    info = h.getInfo()
    c = 0.0  # highs_lp passes the constant as HiGHS's offset
    if relax:
        return math.nan, info.objective_function_value + c, seconds, cpu
    plan = info.objective_function_value + c if info.primal_solution_status == 2 else math.nan
    beats = not math.isnan(plan) and plan < cutoff * (1 - 1e-6)  # the "optimum" was not
    if not math.isnan(cutoff) and not beats and h.getModelStatus() in (
            highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kOptimal):
        # The tree is empty: no plan beats the cut-off. HiGHS 1.16 calls that "optimal"
        # when a heuristic met a plan above the cut-off (the plan's value as its bound).
        return plan, cutoff, seconds, cpu
    return plan, info.mip_dual_bound + c, seconds, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Root bounds of the pooling model.")
    parser.add_argument("scenario", nargs="?", default="models/shared_back_office.toml")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--root-limit", type=float, default=120.0)
    parser.add_argument("--search", type=float, default=0.0,
                        help="also search this many seconds from no start (0: skip)")
    parser.add_argument("--prove", type=float, default=0.0,
                        help="also prove --optimum (told as a cut-off) within this many"
                             " seconds (0: skip)")
    parser.add_argument("--optimum", type=float, default=math.nan,
                        help="a known optimum (NPV pounds) to measure the gaps against")
    args = parser.parse_args(argv)
    if args.prove and math.isnan(args.optimum):
        parser.error("--prove needs --optimum: the known optimum to prove")
    prep = prepare_scenario(load_scenario(args.scenario))
    built = build(prep)
    ref = args.optimum
    print(f"{args.scenario}: {built.size}", file=sys.stderr)
    print("| variant | rows | LP bound £m | gap to ref | root bound £m | gap to ref | root s (CPU)"
          + (" | plan after search £m | bound £m | gap | search s" if args.search else "")
          + (" | proof: bound £m | gap to ref | s (CPU)" if args.prove else "") + " |")
    print("|---|---:|---:|---:|---:|---:|---:" + ("|---:|---:|---:|---:" if args.search else "")
          + ("|---:|---:|---:" if args.prove else "") + "|")
    for name in args.variants.split(","):
        model = variant(name, prep, built)
        _, lp_bound, _, _ = _run(model, args.root_limit, relax=True)
        _, root, root_s, root_cpu = _run(model, args.root_limit, nodes=1)
        line = (f"| {name} | {len(model.row_names):,} | {lp_bound / 1e6:,.3f} | "
                f"{(ref - lp_bound) / ref:.3%} | {root / 1e6:,.3f} | {(ref - root) / ref:.3%} | "
                f"{root_s:.1f} ({root_cpu:.1f})")
        if args.search:
            plan, bound, s, _ = _run(model, args.search)
            line += (f" | {plan / 1e6:,.3f} | {bound / 1e6:,.3f} | "
                     f"{(plan - bound) / plan:.3%} | {s:.1f}")
        if args.prove:
            _, bound, s, cpu = _run(model, args.prove, cutoff=ref)
            line += f" | {bound / 1e6:,.3f} | {(ref - bound) / ref:.4%} | {s:.1f} ({cpu:.1f})"
        print(line + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
