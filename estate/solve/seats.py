"""The counts behind the checks of room before solving: which teams cannot all sit at
the sites they may use, found by maximum flows over the (team, site) pairs. Numbers
only; `estate.solve.room` says them in words.

Two counts, each a relaxation of every plan, so each may miss a case and never invents
one:

- seats (`seat_shortfall`), for whole teams: each site seats at most as many of its
  teams as fit there together, smallest first; teams no matching within those counts
  seats cannot all sit, though each fits somewhere and the desks add up (three teams
  that may each use only two sites, each with room for one of them);
- amounts (`room_shortfall`): each team's least need (fully pooled) sent to the sites of
  its pairs, each site taking no more than it holds.

The pairs are those a team may take whole (`whole_pairs`). Counted again on the pairs of
a scenario with one rule relaxed (every pair but for distance, `anywhere`; centres of one
agency), a count that still falls short shows that relaxing that rule alone makes no
plan, so it is not named among the keys to relax.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

from estate.model.pooling import assign_upper, pools_at
from estate.prepare import Prepared, allowed_by_dates, eligible_pairs


@dataclass(frozen=True)
class SeatShortfall:
    """Whole teams more than their sites can seat together (`seat_shortfall`)."""

    teams: np.ndarray  # the teams that cannot all sit (positions)
    sites: np.ndarray  # the sites they may use
    room: np.ndarray  # per site (all sites), how many of them it seats at most
    short: list[str]  # the columns (desks, racks) that limit those counts
    pair_teams: np.ndarray  # the team of each pair counted
    need: dict[str, np.ndarray]  # per column, each pair's need at its site
    cap: dict[str, np.ndarray]  # per column, each site's room (all sites)


@dataclass(frozen=True)
class RoomShortfall:
    """Teams needing more of `column` together than their sites hold (`room_shortfall`)."""

    teams: np.ndarray
    sites: np.ndarray
    column: str
    least: np.ndarray  # per team, its least need of `column`


def least_needs(prep: Prepared, columns: list[str] | tuple[str, ...]) -> dict[str, np.ndarray]:
    """Per column (desks, racks), each team's least need: all it needs less what pooling
    saves of it (`prep.efficiency`, nought for a team that does not pool)."""
    return {c: prep.functions[c].to_numpy(float) * (1 - prep.efficiency) for c in columns}


def reach_pairs(prep: Prepared, teams: np.ndarray, max_km: float
                ) -> tuple[np.ndarray, np.ndarray]:
    """(team, site) for each site one of `teams` may use under the rules of distance
    (`max_km` of its home), hosting, security and dates, whether it fits there or not."""
    group = prep.functions.iloc[teams].reset_index(drop=True)
    home = prep.home[teams]
    pairs = eligible_pairs(prep.sites, group, home, max_km)
    if prep.calendar is not None:
        pairs = pairs[allowed_by_dates(pairs, group, prep.sites, home, prep.calendar)]
    return np.asarray(teams)[pairs["f"].to_numpy()], pairs["s"].to_numpy()


def anywhere(prep: Prepared) -> Prepared:
    """`prep` with no limit on how far a team may move (`relocation.max_km` relaxed):
    every pair the other rules allow, to count again whether a farther limit helps."""
    pf, ps = reach_pairs(prep, np.arange(len(prep.functions)), math.inf)
    return dataclasses.replace(prep, pairs=pd.DataFrame({"f": pf, "s": ps}),
                               scenario=dataclasses.replace(prep.scenario, max_km=math.inf))


def whole_pairs(prep: Prepared) -> tuple[np.ndarray, np.ndarray]:
    """Per pair of `prep.pairs`: whether its team may take it (the site may stay open
    and, when teams may not split, holds the team whole: pooled where it may pool there,
    in full elsewhere), and whether it may pool there (`pooling.pools_at`; split teams'
    shares everywhere)."""
    pf, ps = prep.pairs["f"].to_numpy(), prep.pairs["s"].to_numpy()
    ok = ~prep.forced_closed[ps]
    if prep.scenario.split:
        return ok, np.ones(len(pf), bool)
    pools = pools_at(prep)
    share = np.where(pools, 1 - prep.efficiency[pf], 1.0)
    for column in ("desks", "racks"):
        ok &= (prep.functions[column].to_numpy(float)[pf] * share
               <= prep.sites[column].to_numpy(float)[ps] + 1e-9)
    return ok, pools


def seat_count(prep: Prepared, ok: np.ndarray, pools: np.ndarray) -> SeatShortfall | None:
    """`seat_shortfall` of whole teams on the pairs `ok` marks, each needing its room
    pooled where `pools` marks, in full elsewhere, or None when every team may be
    seated."""
    functions, sites = prep.functions, prep.sites
    pf, ps = prep.pairs["f"].to_numpy()[ok], prep.pairs["s"].to_numpy()[ok]
    columns = [c for c in ("desks", "racks") if (functions[c].to_numpy(float) > 0).any()]
    if not columns:
        return None  # no team needs room
    share = np.where(pools[ok], 1 - prep.efficiency[pf], 1.0)
    need = {c: functions[c].to_numpy(float)[pf] * share for c in columns}
    cap = {c: sites[c].to_numpy(float) for c in columns}
    return seat_shortfall(len(functions), pf, ps, need, cap)


def amount_count(prep: Prepared, pf: np.ndarray, ps: np.ndarray,
                 columns: list[str] | tuple[str, ...] = ("desks", "racks")
                 ) -> RoomShortfall | None:
    """`room_shortfall` of each team's least need of `columns` on the (team, site) pairs
    (pf, ps), against the room the sites hold, or None when every team's need fits."""
    return room_shortfall(least_needs(prep, columns), pf, ps,
                          {c: prep.sites[c].to_numpy(float) for c in columns})


def counts_fall_short(prep: Prepared) -> bool:
    """Whether the seats (whole teams) or the amounts fall short on the pairs
    `whole_pairs` gives: then `prep` has no plan."""
    ok, pools = whole_pairs(prep)
    if not prep.scenario.split and seat_count(prep, ok, pools) is not None:
        return True
    return amount_count(prep, prep.pairs["f"].to_numpy()[ok],
                        prep.pairs["s"].to_numpy()[ok]) is not None


def short_at_any_distance(prep: Prepared) -> bool:
    """Whether the counts fall short even with no limit on how far a team may move: then
    a farther `relocation.max_km` cannot make a plan on its own (the counts are
    relaxations of every plan), and is not named among the keys to relax."""
    return counts_fall_short(anywhere(prep))


def short_with_centres_of_one(prep: Prepared) -> bool:
    """Whether the counts fall short even when a shared centre may be of one agency
    (`sharing.min_agencies` = 1, so a whole team may pool wherever it fits pooled): then
    fewer agencies a centre cannot make a plan on its own, and is not named."""
    alone = dataclasses.replace(prep.scenario, min_agencies=1)
    return counts_fall_short(dataclasses.replace(prep, scenario=alone))


def barred_pairs(prep: Prepared, teams: np.ndarray, pools: np.ndarray) -> np.ndarray:
    """Per pair of `prep.pairs`: whether its team (one of `teams`) would fit there pooled
    (`assign_upper`) at a site that may stay open, but may not pool there (`pools`, as
    `whole_pairs` gives it): the centre rule's doing. Split teams' shares pool anywhere
    the counts look, so none is barred."""
    if prep.scenario.split or prep.scenario.min_agencies <= 1:
        return np.zeros(len(prep.pairs), bool)
    qf, qs = prep.pairs["f"].to_numpy(), prep.pairs["s"].to_numpy()
    return (np.isin(qf, teams) & ~pools & (prep.efficiency[qf] > 0)
            & (assign_upper(prep) > 0) & ~prep.forced_closed[qs])


def centre_rule_may_bind(prep: Prepared) -> bool:
    """Whether the centre rule may keep some team from pooling in a plan: a centre needs
    more than one agency and some team pools. After solving, which teams pool beside
    which is the solver's choice (one partner cannot be at two sites), so no pair can be
    ruled free of the rule, as `barred_pairs` does for the counts."""
    return prep.scenario.min_agencies > 1 and bool((prep.efficiency > 0).any())


def centre_rule_bars(prep: Prepared, barred: np.ndarray) -> np.ndarray:
    """`barred` (pairs, as `barred_pairs` marks them), or none when centres of one
    agency would still leave the counts short: then `sharing.min_agencies` alone makes
    no plan, and is neither said nor named."""
    if not barred.any() or short_with_centres_of_one(prep):
        return np.zeros_like(barred)
    return barred


def partners_beyond(prep: Prepared, f: int, s: np.ndarray) -> bool:
    """Whether a team of another agency, of team f's type and pooling, may reach one of
    the sites `s` only beyond `relocation.max_km` of its home: with a farther limit it
    could come and make a shared centre there beside f."""
    fun = prep.functions
    others = np.flatnonzero((fun["agency_id"] != fun.at[f, "agency_id"]).to_numpy()
                            & (fun["type"] == fun.at[f, "type"]).to_numpy()
                            & (prep.efficiency > 0) & (prep.home >= 0))
    if not len(others):
        return False
    of, os_ = reach_pairs(prep, others, math.inf)
    near = reach_pairs(prep, others, prep.scenario.max_km)
    n = len(prep.sites)
    beyond = ~np.isin(of * n + os_, near[0] * n + near[1])
    return bool(np.isin(os_[beyond], s).any())


def fits_together(ps: np.ndarray, need: dict[str, np.ndarray], cap: dict[str, np.ndarray]
                  ) -> np.ndarray:
    """Per site, the most of the teams of its pairs (sites `ps`, each pair's `need` of
    each column there) that fit there together, whole: in each column the smallest needs
    first, as many as the site holds; the fewest over the columns."""
    n = len(next(iter(cap.values())))
    most = np.bincount(ps, minlength=n)
    for column, need_p in need.items():
        order = np.lexsort((need_p, ps))
        s, running = ps[order], np.cumsum(need_p[order])
        first = np.searchsorted(s, s, side="left")  # where each site's run of pairs starts
        within = running - np.concatenate([[0.0], running])[first]
        most = np.minimum(most, np.bincount(s[within <= cap[column][s] + 1e-6], minlength=n))
    return most


def seat_shortfall(n_teams: int, pf: np.ndarray, ps: np.ndarray, need: dict[str, np.ndarray],
                   cap: dict[str, np.ndarray]) -> SeatShortfall | None:
    """Whole teams that cannot all sit on the pairs (pf, ps), each needing `need` (per
    pair and column) at its site, or None.

    Each site seats at most as many of its teams as fit there together
    (`fits_together`); if no matching of teams to sites within those counts seats every
    team (a maximum flow), no plan can: the teams the flow cannot seat, with those that
    could give way to them, need more seats than their sites have (Hall's condition).
    The counts let each site pick its smallest teams, so a case may be missed."""
    n_s = len(next(iter(cap.values())))
    teams_at = np.bincount(ps, minlength=n_s)
    seats = np.minimum(fits_together(ps, need, cap), teams_at)
    if (seats >= teams_at).all():
        return None  # every site seats all the teams that may use it
    used = np.flatnonzero(teams_at)
    source, sink = 0, 1 + n_teams + n_s
    graph = sp.csr_matrix(
        (np.concatenate([np.ones(n_teams + len(pf)), seats[used]]).astype(np.int32),
         (np.concatenate([np.full(n_teams, source), 1 + pf, 1 + n_teams + used]),
          np.concatenate([1 + np.arange(n_teams), 1 + n_teams + ps, np.full(len(used), sink)]))),
        shape=(sink + 1, sink + 1))
    flow = maximum_flow(graph, source, sink)
    if flow.flow_value >= n_teams:
        return None
    teams = _unserved(graph, flow, source, n_teams)
    mine = np.isin(pf, teams)
    ps_mine = ps[mine]
    at_most = np.bincount(ps_mine, minlength=n_s)
    by_column = {c: np.minimum(fits_together(ps_mine, {c: need[c][mine]}, cap), at_most)
                 for c in need}
    room = np.min(list(by_column.values()), axis=0)
    at = np.flatnonzero(at_most)
    short = [c for c in need if ((by_column[c] == room) & (room < at_most))[at].any()]
    return SeatShortfall(teams, at, room, short, pf, need, cap)


def room_shortfall(least_by_column: dict[str, np.ndarray], pf: np.ndarray, ps: np.ndarray,
                   cap_by_column: dict[str, np.ndarray]) -> RoomShortfall | None:
    """Teams that need more of a column together than the sites of their pairs (pf, ps)
    hold, or None.

    Each team's least need is sent to the sites of its pairs, each site taking no more
    than it holds (a maximum flow). A plan seats every team within those pairs, so it is
    such a flow: if the flow falls short, no plan exists. The teams the flow cannot seat
    in full, with those that could give way to them, need more together than their
    sites hold (Hall's condition for amounts). Needs are rounded down and room up to
    hundredths, so rounding can only miss a case, never invent one."""
    used = np.unique(ps)
    for column, least in least_by_column.items():
        cap = cap_by_column[column]
        n_f, n_s = len(least), len(cap)
        total = least.sum() + cap[used].sum()
        if least.sum() <= 0:
            continue
        scale = min(100.0, 2.0 ** 30 / total)  # scipy's flow counts in 32 bits
        need = np.floor(least * scale + 1e-6).astype(np.int64)
        room = np.ceil(cap * scale - 1e-6).astype(np.int64)
        source, sink = 0, 1 + n_f + n_s
        graph = sp.csr_matrix(
            (np.concatenate([need, need[pf], room[used]]).astype(np.int32),
             (np.concatenate([np.full(n_f, source), 1 + pf, 1 + n_f + used]),
              np.concatenate([1 + np.arange(n_f), 1 + n_f + ps, np.full(len(used), sink)]))),
            shape=(sink + 1, sink + 1))
        flow = maximum_flow(graph, source, sink)
        if flow.flow_value >= need.sum():
            continue
        teams = _unserved(graph, flow, source, n_f)
        teams = teams[least[teams] > 0]
        return RoomShortfall(teams, np.unique(ps[np.isin(pf, teams)]), column, least)
    return None


def _unserved(graph: sp.csr_matrix, flow: Any, source: int, n_teams: int) -> np.ndarray:
    """The teams still reached from the source in the residual graph of a maximum flow:
    those it could not serve in full and those that could give way to them."""
    left = (graph - flow.flow).tocsr()
    left.data = (left.data > 0).astype(np.int8)
    left.eliminate_zeros()
    reached = breadth_first_order(left, source, directed=True, return_predecessors=False)
    return np.sort(reached[(reached >= 1) & (reached <= n_teams)] - 1)
