"""The pooling sets and the fixings: which (team, site) pairs may pool, the shared centres
and agency counts they imply, and which assign and pooled columns a whole-team plan can
use at all (the others are fixed at 0).

Pure data (frames and bounds); `estate.model.build` turns them into the columns
assign[f,s], pooled[f,s], shared[k,s], counts[g,k,s] and their rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from estate.model.arrays import Names, labels
from estate.prepare import Prepared


@dataclass(frozen=True)
class Pooling:
    """The pooling index sets of one build.

    `pool` has one row per pooled column: `pair` (row of Prepared.pairs), `f`, `s`,
    `k` (type), `g` (agency), `centre` (row of `centres`), `count` (row of `counts`).
    `centres` has one row (k, s) per shared column, `counts` one row (g, k, s, centre)
    per counts column. `mask` flags the pairs that may pool; `upper` is each pooled
    column's upper bound (0 where no plan can use it).
    """

    pool: pd.DataFrame
    centres: pd.DataFrame
    counts: pd.DataFrame
    mask: np.ndarray
    upper: np.ndarray
    centre_labels: np.ndarray
    count_labels: np.ndarray


def assign_upper(prep: Prepared) -> np.ndarray:
    """ub(assign[f,s]) = 0 if not split and need_f (1 - eff_f) > cap_s (desks or racks), else 1.

    A whole team that cannot fit even fully pooled can never sit there, so its column is
    fixed at 0: only its home has such a column (`estate.prepare` leaves the other pairs
    out), and a status quo seating it there breaks that site's capacity row anyway.
    """
    functions, sites = prep.functions, prep.sites
    pf, ps = prep.pairs["f"].to_numpy(), prep.pairs["s"].to_numpy()
    upper = np.ones(len(prep.pairs))
    if not prep.scenario.split:
        least = 1 - prep.efficiency[pf]
        for column in ("desks", "racks"):
            too_big = functions[column].to_numpy(float)[pf] * least \
                > sites[column].to_numpy(float)[ps] + 1e-9
            upper[too_big] = 0.0
    return upper


def shared_upper(pooling: Pooling) -> np.ndarray:
    """ub(shared[k,s]) = max over f pooling k at s of ub(pooled[f,s]): a centre no team can
    pool at is fixed at 0."""
    upper = np.zeros(len(pooling.centres))
    np.maximum.at(upper, pooling.pool["centre"].to_numpy(), pooling.upper)
    return upper


def pooling_sets(prep: Prepared, names: Names, assign_upper: np.ndarray) -> Pooling:
    """P = {(f,s) eligible : f shareable, k(f) a sharing type};  C = {(k(f),s) : (f,s) in P};
    G = {(g(f),k(f),s) : (f,s) in P}.

    P follows the eligible pairs; C and G are ordered by site, then type, then agency,
    so their columns read site by site. A pooled column is bounded by its assign column's bound and, with
    whole teams, by `poolable`.
    """
    sc, functions = prep.scenario, prep.functions
    pf, ps = prep.pairs["f"].to_numpy(), prep.pairs["s"].to_numpy()
    ftype = functions["type"].to_numpy(object)
    fagency = functions["agency_id"].to_numpy(object)
    shareable = functions["shareable"].to_numpy(bool) & np.isin(ftype, list(sc.sharing_types))
    mask = shareable[pf]
    pool = pd.DataFrame({"pair": np.flatnonzero(mask), "f": pf[mask], "s": ps[mask],
                         "k": ftype[pf[mask]], "g": fagency[pf[mask]]})
    upper = np.ones(len(pool)) if sc.split else poolable(
        pool, functions, prep.sites, prep.efficiency, sc.min_agencies).astype(float)
    upper = np.minimum(upper, assign_upper[pool["pair"].to_numpy()])
    centres = pool[["k", "s"]].drop_duplicates().sort_values(["s", "k"]).reset_index(drop=True)
    pool["centre"] = pool.merge(centres.reset_index(), on=["k", "s"], how="left")["index"].to_numpy()
    counts = pool[["g", "k", "s"]].drop_duplicates().sort_values(["s", "k", "g"])
    counts = counts.reset_index(drop=True)
    pool["count"] = pool.merge(counts.reset_index(), on=["g", "k", "s"],
                               how="left")["index"].to_numpy()
    counts["centre"] = counts.merge(centres.reset_index(), on=["k", "s"],
                                    how="left")["index"].to_numpy()
    centre_labels = labels(centres["k"]) + "," + names.site[centres["s"].to_numpy()] \
        if len(centres) else np.empty(0, object)
    count_labels = (labels(counts["g"]) + "," + labels(counts["k"]) + ","
                    + names.site[counts["s"].to_numpy()]) if len(counts) else np.empty(0, object)
    return Pooling(pool, centres, counts, mask, upper, centre_labels, count_labels)


def may_pool(prep: Prepared, f: int, s: np.ndarray) -> np.ndarray:
    """Per site of `s`: whether team f may pool there. A whole team may pool only where
    it fits beside the smallest pooled teams of `min_agencies - 1` other agencies
    (`poolable`, whose fixings the model makes); elsewhere it needs its own room in full
    (`estate.solve.room` says so of a team that finds no room). A split team's share may
    pool beside shares of its agency's other teams, which no such test of one team
    settles: every site is said to allow it."""
    if prep.efficiency[f] <= 0:
        return np.zeros(len(s), bool)
    if prep.scenario.split:
        return np.ones(len(s), bool)
    pairs = pools_at(prep) & (prep.pairs["f"].to_numpy() == f)
    return np.isin(s, prep.pairs["s"].to_numpy()[pairs])


def pools_at(prep: Prepared) -> np.ndarray:
    """Per pair of `prep.pairs`: whether its team, whole, may pool at its site (a pooled
    column a plan can use: `poolable`, and room for the team pooled). Elsewhere a whole
    team placed at a site needs its room there in full."""
    pooling = pooling_sets(prep, Names.of(prep), assign_upper(prep))
    pools = np.zeros(len(prep.pairs), bool)
    pools[pooling.pool["pair"].to_numpy()[pooling.upper > 0]] = True
    return pools & (prep.efficiency[prep.pairs["f"].to_numpy()] > 0)


def poolable(pool: pd.DataFrame, functions: pd.DataFrame, sites: pd.DataFrame,
             efficiency: np.ndarray, min_agencies: int) -> np.ndarray:
    """pooled[f,s] can be 1 in a whole-team plan only if
    q_f + (the smallest q of min_agencies - 1 other agencies pooling k(f) at s) <= cap_s,
    with q_f = need_f (1 - eff_f), for desks and for racks.

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
