"""The MILP of DESIGN section 3, built once as arrays.

Variables (one block each, created over eligible index sets only):

    open[s]       binary       site s is open (or built)
    assign[f,s]   binary/[0,1] share of function f at site s (eligible pairs only)
    pooled[f,s]   [0,1]        share of f pooled in a shared centre at s
    shared[k,s]   binary       a shared centre of type k at s
    counts[g,k,s] binary       agency g counts towards the type-k centre at s
    reach[i,z]    [0,1]        zone z counted as covered by population_share rule i

Constraints (families, named so an LP file or an infeasibility report reads):

    (1) housed(f):            sum_s assign[f,s] = 1
    (2) at_open(f,s):         assign[f,s] <= open[s]
    (3) desks(s), racks(s):   sum_f need_f (assign - eff_k pooled) <= cap_s open[s]
    (4) pool_share(f,s):      pooled <= assign
        pool_centre(f,s):     pooled <= shared[k(f),s]
        centre_open(k,s):     shared[k,s] <= open[s]
        counts(g,k,s):        counts[g,k,s] <= sum_{f of g, type k} pooled[f,s]
        counts_centre(g,k,s): counts[g,k,s] <= shared[k,s]   (valid, tightens the LP)
        min_agencies(k,s):    sum_g counts[g,k,s] >= min_agencies shared[k,s]
        centre_desks(k,s),    sum_{f of type k} need_f (1 - eff_k) pooled[f,s]
        centre_racks(k,s):        <= cap_s shared[k,s]          (valid, tightens the LP)
    (5) coverage.i(z):        sum_{s in N(z)} open[s] >= 1         (all, maintain)
        coverage.i.reach(z):  reach[i,z] <= sum_{s in N(z)} open[s] (population_share)
        coverage.i.share:     sum_z pop_z reach[i,z] >= share * total population
    (6) max_one_off:          one_off <= cap;   policy: bounds on open[s]

With whole teams (split = false), a pooled column is fixed at 0 when the team, pooled,
cannot share the site's desks or racks with the smallest pooled teams of the other
min_agencies - 1 agencies that could join that centre; a centre with no such column is
fixed at 0 too (`_poolable`). Both cut off no whole-team plan, only LP fractions.

Objective: A * annual + one_off (NPV of cost, pounds). Each family is a sparse block
(COO triplets) built from the eligible-pair frame with numpy, never a loop over pairs;
`to_pulp` and the direct HiGHS path both read these arrays.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from estate.prepare import Prepared

_UNSAFE = re.compile(r"[^A-Za-z0-9_.]")


def _labels(ids: pd.Series | np.ndarray) -> np.ndarray:
    """Ids made safe for LP files (letters, digits, `_` and `.`), one label per distinct id.

    Two ids that differ only in unsafe characters (`S-1`, `S 1`, `S_1`) would otherwise
    share a label, so two columns or rows a name, which PuLP refuses and an LP file
    merges; the id already safe keeps its label, the others get `.1`, `.2`, ... appended.
    """
    values = [str(i) for i in ids]
    label = {v: _UNSAFE.sub("_", v) for v in dict.fromkeys(values)}
    if len(set(label.values())) < len(label):
        taken = {v for v, lab in label.items() if v == lab}
        for v, lab in label.items():
            if v != lab:
                k, new = 0, lab
                while new in taken:
                    k += 1
                    new = f"{lab}.{k}"
                taken.add(new)
                label[v] = new
    return np.array([label[v] for v in values], dtype=object)


@dataclass
class Family:
    """One constraint family: rows `name(label)`, lb <= A x <= ub."""

    name: str
    labels: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    coefs: np.ndarray
    lb: np.ndarray
    ub: np.ndarray


@dataclass
class EstateModel:
    """The MILP as arrays: columns, a sparse row matrix, bounds, objective; plus index maps."""

    col_names: np.ndarray
    col_lb: np.ndarray
    col_ub: np.ndarray
    col_cost: np.ndarray
    col_integer: np.ndarray
    obj_constant: float
    row_names: np.ndarray
    row_lb: np.ndarray
    row_ub: np.ndarray
    matrix: sp.csr_matrix
    family_rows: dict[str, slice]
    family_labels: dict[str, np.ndarray]
    blocks: dict[str, slice]
    pool: pd.DataFrame  # per pooled column: f, s, k (type), g (agency), pair (row in pairs)
    centres: pd.DataFrame  # per shared column: k, s
    one_off_coef: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0))
    one_off_constant: float = 0.0
    # per assign column: is this the team's home today (the status quo's pairs)
    pair_home: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0, bool))
    # per column: the site (row of Prepared.sites) and team (row of Prepared.functions)
    # it is about, -1 for none (e.g. coverage columns); and each site's x, y in metres.
    # They let a heuristic work on one part of the map at a time (estate.solve.first_plan).
    col_site: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0, np.int64))
    col_team: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0, np.int64))
    site_xy: np.ndarray = field(repr=False, default_factory=lambda: np.empty((0, 2)))

    @property
    def size(self) -> dict[str, int]:
        return {"columns": len(self.col_names), "rows": len(self.row_names),
                "nonzeros": int(self.matrix.nnz),
                "integer": int(self.col_integer.sum())}

    def block(self, name: str, values: np.ndarray) -> np.ndarray:
        """The values of one variable block from a full solution vector."""
        return values[self.blocks[name]]


def cat(parts: list[np.ndarray], dtype: type | str) -> np.ndarray:
    """Concatenate, with an empty array of the right type when there is nothing."""
    return np.concatenate(parts) if parts else np.empty(0, dtype)


class _Builder:
    """Accumulates column blocks and constraint families, then stacks them once."""

    def __init__(self) -> None:
        self.blocks: dict[str, slice] = {}
        self.cols: list[tuple[np.ndarray, ...]] = []
        self.n = 0
        self.families: list[Family] = []

    def add_block(self, name: str, labels: np.ndarray, lb: np.ndarray, ub: np.ndarray,
                  integer: bool) -> np.ndarray:
        k = len(labels)
        names = np.array([f"{name}({lab})" for lab in labels], dtype=object)
        self.cols.append((names, np.asarray(lb, float), np.asarray(ub, float),
                          np.full(k, integer)))
        self.blocks[name] = slice(self.n, self.n + k)
        idx = np.arange(self.n, self.n + k)
        self.n += k
        return idx

    def add_family(self, name: str, labels: np.ndarray, rows: np.ndarray, cols: np.ndarray,
                   coefs: np.ndarray, lb: float | np.ndarray, ub: float | np.ndarray) -> None:
        m = len(labels)
        if m == 0:
            return
        self.families.append(Family(
            name, np.asarray(labels, dtype=object), np.asarray(rows, np.int64),
            np.asarray(cols, np.int64), np.asarray(coefs, float),
            np.broadcast_to(np.asarray(lb, float), (m,)).copy(),
            np.broadcast_to(np.asarray(ub, float), (m,)).copy()))

    def finish(self, cost: np.ndarray, constant: float, **extra) -> EstateModel:
        names = np.concatenate([c[0] for c in self.cols]) if self.cols else np.empty(0, object)
        offsets, start = {}, 0
        rows, cols, coefs, lbs, ubs, rnames, labels = [], [], [], [], [], [], {}
        for fam in self.families:
            m = len(fam.labels)
            offsets[fam.name] = slice(start, start + m)
            labels[fam.name] = fam.labels
            rows.append(fam.rows + start)
            cols.append(fam.cols)
            coefs.append(fam.coefs)
            lbs.append(fam.lb)
            ubs.append(fam.ub)
            rnames.append(np.array([f"{fam.name}({lab})" if lab != "" else fam.name
                                    for lab in fam.labels], dtype=object))
            start += m
        matrix = sp.csr_matrix((cat(coefs, float), (cat(rows, np.int64), cat(cols, np.int64))),
                               shape=(start, self.n))
        matrix.sum_duplicates()
        return EstateModel(
            col_names=names, col_lb=cat([c[1] for c in self.cols], float),
            col_ub=cat([c[2] for c in self.cols], float), col_cost=cost,
            col_integer=cat([c[3] for c in self.cols], bool), obj_constant=constant,
            row_names=cat(rnames, object), row_lb=cat(lbs, float), row_ub=cat(ubs, float),
            matrix=matrix, family_rows=offsets, family_labels=labels, blocks=self.blocks,
            **extra)


def _poolable(pool: pd.DataFrame, functions: pd.DataFrame, sites: pd.DataFrame,
              efficiency: np.ndarray, min_agencies: int) -> np.ndarray:
    """Which pooled columns a whole-team plan can use.

    A centre needs min_agencies agencies with a whole team pooled there, so a team can only
    pool at s if it fits in s's desks (and racks) beside the smallest pooled teams of
    min_agencies - 1 other agencies that could pool there. Everything else is an LP
    fraction only: fixing it at 0 removes no whole-team plan.
    """
    ok = np.ones(len(pool), bool)
    if not len(pool):
        return ok
    f = pool["f"].to_numpy()
    others_needed = max(int(min_agencies) - 1, 0)
    for column in ("desks", "racks"):
        q = functions[column].to_numpy(float)[f] * (1 - efficiency[f])
        frame = pd.DataFrame({"k": pool["k"].to_numpy(), "s": pool["s"].to_numpy(),
                              "g": pool["g"].to_numpy(), "q": q})
        least = frame.groupby(["k", "s", "g"], sort=False)["q"].min().reset_index()
        least = least.sort_values(["k", "s", "q"], kind="stable")
        least["rank"] = least.groupby(["k", "s"], sort=False).cumcount()
        # Per centre: the sum of the smallest `others_needed` agency minima, the next one,
        # and how many agencies could pool there at all.
        firsts = least[least["rank"] < others_needed].groupby(["k", "s"])["q"].sum()
        nxt = least[least["rank"] == others_needed].set_index(["k", "s"])["q"]
        n_agencies = least.groupby(["k", "s"]).size()
        mine = frame.merge(least, on=["k", "s", "g"], how="left", suffixes=("", "_min"))
        key = pd.MultiIndex.from_frame(frame[["k", "s"]])
        base = firsts.reindex(key).fillna(0.0).to_numpy()
        after = nxt.reindex(key).to_numpy()
        count = n_agencies.reindex(key).to_numpy()
        # If this team's agency is among the smallest, the others are the rest plus the
        # next agency; otherwise the smallest ones themselves.
        among = mine["rank"].to_numpy() < others_needed
        others = np.where(among, base - mine["q_min"].to_numpy() + np.nan_to_num(after), base)
        # enough other agencies (then `after` exists wherever `among` needs it)
        possible = count - 1 >= others_needed
        cap = sites[column].to_numpy(float)[pool["s"].to_numpy()]
        ok &= possible & (q + others <= cap + 1e-9)
    return ok


def build(prep: Prepared) -> EstateModel:
    """Assemble the model from the prepared arrays in one pass per family."""
    sc = prep.scenario
    sites, functions, pairs = prep.sites, prep.functions, prep.pairs
    n_s = len(sites)
    A = sc.annuity
    b = _Builder()
    inf = math.inf

    site_lab = _labels(sites["site_id"])
    fun_lab = _labels(functions["function_id"])
    open_lb = prep.forced_open.astype(float)
    open_ub = np.where(prep.forced_closed, 0.0, 1.0)
    open_col = b.add_block("open", site_lab, open_lb, open_ub, integer=True)

    pf, ps = pairs["f"].to_numpy(), pairs["s"].to_numpy()
    pair_lab = fun_lab[pf] + "," + site_lab[ps] if len(pairs) else np.empty(0, object)
    a_ub = np.ones(len(pairs))
    if not sc.split:
        # A whole team that cannot fit even fully pooled can never sit there: fix it at 0
        # (its home stays a column, so the status quo is still expressible).
        least = 1 - prep.efficiency[pf]
        for column in ("desks", "racks"):
            too_big = functions[column].to_numpy(float)[pf] * least \
                > sites[column].to_numpy(float)[ps] + 1e-9
            a_ub[too_big] = 0.0
    a_col = b.add_block("assign", pair_lab, np.zeros(len(pairs)), a_ub, integer=not sc.split)

    # Pooling: eligible pairs of shareable functions of a sharing type.
    eff = prep.efficiency
    ftype = functions["type"].to_numpy(object)
    fagency = functions["agency_id"].to_numpy(object)
    shareable = functions["shareable"].to_numpy(bool) & np.isin(ftype, list(sc.sharing_types))
    qmask = shareable[pf]
    pool = pd.DataFrame({"pair": np.flatnonzero(qmask), "f": pf[qmask], "s": ps[qmask],
                         "k": ftype[pf[qmask]], "g": fagency[pf[qmask]]})
    p_ub = np.ones(len(pool)) if sc.split else _poolable(
        pool, functions, sites, prep.efficiency, sc.min_agencies).astype(float)
    p_ub = np.minimum(p_ub, a_ub[pool["pair"].to_numpy()])
    # Continuous, as DESIGN states it. With whole teams it could be binary (a fractional
    # pooled value can be rounded up without breaking a rule or costing more); the
    # first-plan search declares it so (estate.solve.first_plan), but the main search keeps it
    # continuous: on a region-size model HiGHS's set-up of a binary objective (its clique
    # partition) ran for many minutes past the time limit.
    p_col = b.add_block("pooled", pair_lab[qmask], np.zeros(len(pool)), p_ub, integer=False)
    centres = pool[["k", "s"]].drop_duplicates().sort_values(["s", "k"]).reset_index(drop=True)
    centre_lab = _labels(centres["k"]) + "," + site_lab[centres["s"].to_numpy()] \
        if len(centres) else np.empty(0, object)
    pool["centre"] = pool.merge(centres.reset_index(), on=["k", "s"], how="left")["index"].to_numpy()
    sh_ub = np.zeros(len(centres))
    np.maximum.at(sh_ub, pool["centre"].to_numpy(), p_ub)
    sh_col = b.add_block("shared", centre_lab, np.zeros(len(centres)), sh_ub, integer=True)
    counts = pool[["g", "k", "s"]].drop_duplicates().sort_values(["s", "k", "g"])
    counts = counts.reset_index(drop=True)
    counts_lab = (_labels(counts["g"]) + "," + _labels(counts["k"]) + ","
                  + site_lab[counts["s"].to_numpy()]) if len(counts) else np.empty(0, object)
    u_col = b.add_block("counts", counts_lab, np.zeros(len(counts)), np.ones(len(counts)),
                        integer=True)
    pool["count"] = pool.merge(counts.reset_index(), on=["g", "k", "s"],
                               how="left")["index"].to_numpy()
    counts["centre"] = counts.merge(centres.reset_index(), on=["k", "s"],
                                    how="left")["index"].to_numpy()

    # Coverage: reach variables for population_share rules.
    reach_cols: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    zone_lab = _labels(prep.zones["zone_id"])
    for cov in prep.coverage:
        if cov.rule.mode == "population_share":
            zones_with = np.unique(cov.zone)
            cols = b.add_block(f"reach.{cov.rule.index}", zone_lab[zones_with],
                               np.zeros(len(zones_with)), np.ones(len(zones_with)),
                               integer=False)
            reach_cols[cov.rule.index] = (zones_with, cols)

    # (1) housed
    b.add_family("housed", fun_lab, pf, a_col, np.ones(len(pairs)), 1.0, 1.0)
    # (2) at_open, only where the site may be closed
    m = ~prep.forced_open[ps]
    idx = np.flatnonzero(m)
    b.add_family("at_open", pair_lab[m], np.concatenate([np.arange(len(idx))] * 2),
                 np.concatenate([a_col[idx], open_col[ps[idx]]]),
                 np.concatenate([np.ones(len(idx)), -np.ones(len(idx))]), -inf, 0.0)
    # (3) capacity, desks and racks
    for need_col, cap_col in (("desks", "desks"), ("racks", "racks")):
        need = functions[need_col].to_numpy(float)
        cap = sites[cap_col].to_numpy(float)
        used = np.zeros(n_s, bool)
        used[ps[need[pf] > 0]] = True
        if need_col == "racks" and not used.any():
            continue
        rows_s = np.flatnonzero(used)
        row_of = np.full(n_s, -1)
        row_of[rows_s] = np.arange(len(rows_s))
        pm = need[pf] > 0
        qm = (need[pool["f"].to_numpy()] * eff[pool["f"].to_numpy()]) > 0
        qs = pool["s"].to_numpy()[qm]
        qf = pool["f"].to_numpy()[qm]
        b.add_family(
            need_col, site_lab[rows_s],
            np.concatenate([row_of[ps[pm]], row_of[qs], np.arange(len(rows_s))]),
            np.concatenate([a_col[pm], p_col[qm], open_col[rows_s]]),
            np.concatenate([need[pf[pm]], -need[qf] * eff[qf], -cap[rows_s]]),
            -inf, 0.0)
    # (4) pooling
    nq = len(pool)
    if nq:
        rq = np.arange(nq)
        b.add_family("pool_share", pair_lab[qmask], np.concatenate([rq, rq]),
                     np.concatenate([p_col, a_col[pool["pair"].to_numpy()]]),
                     np.concatenate([np.ones(nq), -np.ones(nq)]), -inf, 0.0)
        b.add_family("pool_centre", pair_lab[qmask], np.concatenate([rq, rq]),
                     np.concatenate([p_col, sh_col[pool["centre"].to_numpy()]]),
                     np.concatenate([np.ones(nq), -np.ones(nq)]), -inf, 0.0)
        nc, rc = len(centres), np.arange(len(centres))
        b.add_family("centre_open", centre_lab, np.concatenate([rc, rc]),
                     np.concatenate([sh_col, open_col[centres["s"].to_numpy()]]),
                     np.concatenate([np.ones(nc), -np.ones(nc)]), -inf, 0.0)
        nu, ru = len(counts), np.arange(len(counts))
        b.add_family("counts", counts_lab, np.concatenate([ru, pool["count"].to_numpy()]),
                     np.concatenate([u_col, p_col]),
                     np.concatenate([np.ones(nu), -np.ones(nq)]), -inf, 0.0)
        b.add_family("counts_centre", counts_lab, np.concatenate([ru, ru]),
                     np.concatenate([u_col, sh_col[counts["centre"].to_numpy()]]),
                     np.concatenate([np.ones(nu), -np.ones(nu)]), -inf, 0.0)
        b.add_family("min_agencies", centre_lab,
                     np.concatenate([counts["centre"].to_numpy(), rc]),
                     np.concatenate([u_col, sh_col]),
                     np.concatenate([np.ones(nu), -float(sc.min_agencies) * np.ones(nc)]),
                     0.0, inf)
        # Pooled teams at a centre fit its site on their own: with pooled <= shared this is
        # implied at integer points, but in the LP it stops a centre at a fraction from
        # hosting whole fractions of many teams.
        qf, qc = pool["f"].to_numpy(), pool["centre"].to_numpy()
        for need_col in ("desks", "racks"):
            need = functions[need_col].to_numpy(float)[qf] * (1 - eff[qf])
            cap = sites[need_col].to_numpy(float)[centres["s"].to_numpy()]
            keep = need > 0
            used = np.zeros(nc, bool)
            used[qc[keep]] = True
            rows_c = np.flatnonzero(used)
            if not len(rows_c):
                continue
            row_of = np.full(nc, -1)
            row_of[rows_c] = np.arange(len(rows_c))
            b.add_family(f"centre_{need_col}", centre_lab[rows_c],
                         np.concatenate([row_of[qc[keep]], np.arange(len(rows_c))]),
                         np.concatenate([p_col[keep], sh_col[rows_c]]),
                         np.concatenate([need[keep], -cap[rows_c]]), -inf, 0.0)
    # (5) coverage
    population = prep.zones["population"].to_numpy(float)
    for cov in prep.coverage:
        name = cov.rule.name
        if cov.rule.mode == "population_share":
            zones_with, cols = reach_cols[cov.rule.index]
            row_of = np.full(len(prep.zones), -1)
            row_of[zones_with] = np.arange(len(zones_with))
            b.add_family(f"{name}.reach", zone_lab[zones_with],
                         np.concatenate([np.arange(len(zones_with)), row_of[cov.zone]]),
                         np.concatenate([cols, open_col[cov.site]]),
                         np.concatenate([np.ones(len(zones_with)), -np.ones(len(cov.zone))]),
                         -inf, 0.0)
            total = population.sum()
            if total > 0:
                b.add_family(f"{name}.share", np.array([""], dtype=object),
                             np.zeros(len(cols), np.int64), cols, population[zones_with],
                             cov.rule.population_share * total, inf)
            continue
        scoped = cov.scope[cov.zone]
        zones_in = np.flatnonzero(cov.scope)
        row_of = np.full(len(prep.zones), -1)
        row_of[zones_in] = np.arange(len(zones_in))
        b.add_family(name, zone_lab[zones_in], row_of[cov.zone[scoped]],
                     open_col[cov.site[scoped]], np.ones(int(scoped.sum())), 1.0, inf)

    # Costs
    existing = prep.existing
    running = sites["running_cost"].to_numpy(float)
    net_exit = np.where(existing, sites["closure_cost"].to_numpy(float)
                        - sites["disposal_value"].to_numpy(float), 0.0)
    build_cost = np.where(existing, 0.0, sites["build_cost"].to_numpy(float))
    annual_f = functions["annual_cost"].to_numpy(float)
    fte = functions["fte"].to_numpy(float)
    moved = (prep.home[pf] >= 0) & ~pairs["home"].to_numpy(bool)
    one_off = np.zeros(b.n)
    one_off[open_col] = build_cost - net_exit
    one_off[a_col] = np.where(moved, sc.cost_per_fte * fte[pf], 0.0)
    one_off[sh_col] = centres["k"].map(sc.setup_cost).to_numpy(float) if len(centres) else 0.0
    one_off_constant = float(net_exit.sum())
    annual = np.zeros(b.n)
    annual[open_col] = running
    annual[a_col] = annual_f[pf] + pairs["pair_cost"].to_numpy(float)
    annual[p_col] = -eff[pool["f"].to_numpy()] * annual_f[pool["f"].to_numpy()]
    cost = A * annual + one_off

    # (6) one-off cap
    if math.isfinite(sc.max_one_off):
        nz = np.flatnonzero(one_off)
        b.add_family("max_one_off", np.array([""], dtype=object), np.zeros(len(nz), np.int64),
                     nz, one_off[nz], -inf, sc.max_one_off - one_off_constant)

    col_site = np.full(b.n, -1, np.int64)
    col_team = np.full(b.n, -1, np.int64)
    col_site[open_col] = np.arange(n_s)
    col_site[a_col], col_team[a_col] = ps, pf
    col_site[p_col], col_team[p_col] = pool["s"].to_numpy(), pool["f"].to_numpy()
    col_site[sh_col] = centres["s"].to_numpy(np.int64)
    col_site[u_col] = counts["s"].to_numpy(np.int64)
    site_xy = np.column_stack([sites["x"].to_numpy(float), sites["y"].to_numpy(float)]) \
        if {"x", "y"} <= set(sites.columns) else np.zeros((n_s, 2))
    return b.finish(cost, A * 0.0 + one_off_constant, pool=pool, centres=centres,
                    one_off_coef=one_off, one_off_constant=one_off_constant,
                    pair_home=pairs["home"].to_numpy(bool), col_site=col_site,
                    col_team=col_team, site_xy=site_xy)
