"""Room for teams at the sites they may use: why a team finds no site when room is the
reason, said with the sites' desks and racks against its need.

A team that finds no site either has none it may use (distance, hosting, security,
dates, the sites the policy closes) or has some but none with room for it, whole when
teams may not split, beside the other teams. The checks before solving and the elastic
re-solve (`estate.solve.diagnose`) both tell the second case here, in the same words,
so that `estate validate` and `estate plan` say it alike: the sites named with their
room, and the keys that would make room (`sites.desks`, `sites.racks`,
`assignment.split`, a farther `relocation.max_km`, `policy.close`).

Before solving, whole teams are also counted against the seats their sites have
(`too_few_seats`, counted by `estate.solve.seats`): three teams that may each use only
two sites, each with room for one of them, cannot all sit, though each fits somewhere
and the desks add up. A whole team counts its need pooled only where it may pool
(beside `min_agencies - 1` other agencies' teams), its need in full elsewhere.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from estate.model.arrays import EstateModel
from estate.model.pooling import may_pool
from estate.prepare import Prepared
from estate.solve.seats import (
    SeatShortfall,
    amount_count,
    barred_pairs,
    centre_rule_bars,
    centre_rule_may_bind,
    least_needs,
    partners_beyond,
    reach_pairs,
    seat_count,
    short_at_any_distance,
    short_with_centres_of_one,
)


def site_named(prep: Prepared, s: int) -> str:
    """`S1 Town hall`: site s (a position) as the reasons name it."""
    return f"{prep.sites.at[s, 'site_id']} {prep.sites.at[s, 'name']}"


def team_named(prep: Prepared, f: int) -> str:
    """`function F1 (A1 HR)`: team f (a position) as the reasons name it."""
    fun = prep.functions
    return f"function {fun.at[f, 'function_id']} ({fun.at[f, 'agency_id']} {fun.at[f, 'type']})"


def _count(x: float) -> str:
    """`12`, `1,200`, `0.75`, `9.6`: to hundredths, as a need pooled at 75% may be."""
    return f"{x:,.0f}" if abs(x - round(x)) < 1e-9 else f"{x:,.2f}".rstrip("0").rstrip(".")


def amount_of(x: float, column: str) -> str:
    """`12 desks`, `1 rack`, `0.5 racks`: an amount of a column (desks, racks) in words."""
    shown = _count(x)
    return f"{shown} {column[:-1] if shown == '1' else column}"


def _names(prep: Prepared, s: np.ndarray, most: int = 3) -> str:
    named = ", ".join(site_named(prep, int(i)) for i in s[:most])
    return named + (f" and {len(s) - most} more" if len(s) > most else "")


def _reach(prep: Prepared, f: int, max_km: float) -> np.ndarray:
    """The sites team f may use (`reach_pairs`)."""
    return reach_pairs(prep, np.array([f]), max_km)[1]


def taken_room(prep: Prepared, model: EstateModel, values: np.ndarray, f: int
               ) -> dict[str, np.ndarray]:
    """Per site, the desks and racks the teams other than f take in the solution
    `values` of `model`: their need there, less what pooling saves."""
    pf, ps = prep.pairs["f"].to_numpy(), prep.pairs["s"].to_numpy()
    qf, qs = model.pool["f"].to_numpy(), model.pool["s"].to_numpy()
    assign, pooled = model.block("assign", values), model.block("pooled", values)
    eff, n = prep.efficiency, len(prep.sites)
    taken = {}
    for column in ("desks", "racks"):
        need = prep.functions[column].to_numpy(float)
        taken[column] = (np.bincount(ps, need[pf] * assign * (pf != f), n)
                         - np.bincount(qs, need[qf] * eff[qf] * pooled * (qf != f), n))
    return taken


def no_room(prep: Prepared, f: int, taken: dict[str, np.ndarray] | None = None
            ) -> tuple[str, tuple[str, ...]] | None:
    """Why team f finds no site when room is the reason: there are sites it may use
    (`_reach`, open under the policy), but none has room for it whole (nor all of them
    together, when teams may split) beside what the other teams take there (`taken`,
    per site, from the elastic re-solve; nothing before solving). None when it has no
    site to use or those sites have the room: then something else is why."""
    sc, sites, functions = prep.scenario, prep.sites, prep.functions
    columns = [c for c in ("desks", "racks") if functions.at[f, c] > 0]
    reach = _reach(prep, f, sc.max_km)
    s = reach[~prep.forced_closed[reach]]
    if not columns or not len(s):
        return None
    least = {c: float(functions.at[f, c]) * (1 - prep.efficiency[f]) for c in columns}
    pools = may_pool(prep, f, s)
    full = {c: float(functions.at[f, c]) for c in columns}
    least_at = {c: np.where(pools, least[c], full[c]) for c in columns}  # whole, per site
    cap = {c: sites[c].to_numpy(float) for c in columns}
    used = {c: taken[c] if taken else np.zeros(len(sites)) for c in columns}
    free = {c: cap[c][s] - used[c][s] for c in columns}
    together = {c: float(np.maximum(free[c], 0).sum()) for c in columns}
    # a split team's shares pool only where its agency pools a whole team's worth
    pooled_fits = sc.split and prep.efficiency[f] > 0 and all(
        together[c] >= least[c] - 1e-9 for c in columns)
    if sc.split:
        short = [c for c in columns if together[c] < full[c] - 1e-9]
    elif np.all([free[c] >= least_at[c] - 1e-9 for c in columns], axis=0).any():
        short = []
    else:
        short = [c for c in columns if (free[c] < least_at[c] - 1e-9).any()]
    if not short:
        return None

    def could_hold(others: np.ndarray) -> np.ndarray:  # on their room alone
        fits = [cap[c][others] > 1e-9 if sc.split else cap[c][others] >= least[c] - 1e-9
                for c in short]
        return others[np.all(fits, axis=0)]

    home = int(prep.home[f])
    horizon = prep.calendar.horizon if prep.calendar is not None else None
    stays = horizon is not None and home >= 0 and prep.earliest_years[f] > horizon
    farther = could_hold(np.setdiff1d(_reach(prep, f, math.inf), reach)
                         ) if home >= 0 and not stays else reach[:0]
    farther = farther[~prep.forced_closed[farther]]
    # another agency's team out of reach of its sites today could come and pool beside it
    partners = (not len(farther) and prep.efficiency[f] > 0 and sc.min_agencies > 1
                and math.isfinite(sc.max_km) and partners_beyond(prep, f, s))
    if (len(farther) or partners) and short_at_any_distance(prep):  # no distance would do
        farther, partners = farther[:0], False
    shut = could_hold(reach[sites["site_id"].isin(sc.close).to_numpy()[reach]])
    order = np.argsort(-np.min([free[c] - least_at[c] for c in columns], axis=0),
                       kind="stable")
    said = [f"{site_named(prep, int(s[i]))} holds " + " and ".join(
        amount_of(cap[c][s[i]], c) + (f" ({_count(used[c][s[i]])} taken by other teams)"
                                         if used[c][s[i]] > 1e-9 else "")
        for c in columns) for i in order[:6]] + ([f"and {len(s) - 6} more"] if len(s) > 6 else [])
    blocked = ~pools & np.all([free[c] >= least[c] - 1e-9 for c in columns], axis=0)
    own = bool(blocked.any()) or (pooled_fits and sc.min_agencies > 1)
    # after solving, other teams kept from pooling may be what takes the room it lacks
    others = taken is not None and not own and centre_rule_may_bind(prep)
    centres = (own or others) and not short_with_centres_of_one(prep)
    # a team that may pool at none of its sites, though one would hold it pooled were the
    # room free, is told its need in full: pooling is not open to it
    in_full = blocked.any() or (not pools.any() and np.all(
        [cap[c][s] >= least[c] - 1e-9 for c in columns], axis=0).any())
    need = _need(prep, f, columns, least, pools, bool(in_full), pooled_fits, centres)
    beside = (" beside the other teams (as the re-solve that breaks the fewest rules "
              "placed them)" if taken else "")
    if stays:
        text = (f"{team_named(prep, f)} stays at {site_named(prep, home)}, as it may not move "
                f"before {functions.at[f, 'earliest_move']} (earliest_move), after the "
                f"{horizon}-year horizon, and needs room there for {need}, but "
                f"there is not that room{beside}")
    elif sc.split:
        held = " and ".join(amount_of(together[c], c) for c in columns)
        text = (f"{team_named(prep, f)} needs room for {need} {where_it_may_go(prep, f)}, but the "
                f"sites it may use there have {held} in all{beside}")
    else:
        lacks = ("the one site it may use there lacks it" if len(s) == 1 else
                 f"none of the {len(s)} sites it may use there has it")
        text = (f"{team_named(prep, f)} must sit whole at one site {where_it_may_go(prep, f)} "
                f"(assignment.split is false) with room for {need}, but {lacks}{beside}")
    text += ": " + "; ".join(said)
    if len(farther):
        text += f"; farther away, {_names(prep, farther)} could hold it"
    if partners:
        text += ("; with a farther relocation.max_km, another agency's team could come to "
                 "pool beside it")
    if len(shut):
        text += f"; policy.close shuts {_names(prep, shut)}, which could hold it"
    if others and centres:
        text += ("; with fewer agencies to a shared centre (sharing.min_agencies), teams "
                 "that may not pool now could, and take less room")
    # split teams would fit: this one over the room it lacks whole and, before solving
    # (no `taken`), every team over the sites it may use together, else no split helps
    splitting = (not sc.split and all(together[c] >= full[c] - 1e-9 for c in columns)
                 and (taken is not None or _fits_split(prep)))
    keys = ((("relocation.max_km",) if len(farther) or partners else ())
            + (("functions.earliest_move", "horizon_years") if stays else ())
            + (("policy.close",) if len(shut) else ())
            + tuple(f"sites.{c}" for c in short)
            + (("sharing.min_agencies",) if centres else ())
            + (("assignment.split",) if splitting else ())
            + (("policy.max_one_off",) if taken and math.isfinite(sc.max_one_off) else ()))
    return text, keys


def _need(prep: Prepared, f: int, columns: list[str], least: dict[str, float],
          pools: np.ndarray, blocked: bool, pooled_fits: bool, cite: bool) -> str:
    """The room team f needs, as `no_room` says it: in full where it may not pool, when
    that is why a site that would hold it pooled does not (`blocked`); a split team's in
    full and pooled when its sites hold it pooled (`pooled_fits`: only at centres); else
    its need pooled, which no site has either. `sharing.min_agencies` is cited only when
    it is among the keys named (`cite`)."""
    def amounts(per: dict[str, float]) -> str:
        return " and ".join(amount_of(per[c], c) for c in columns)
    full = amounts({c: float(prep.functions.at[f, c]) for c in columns})
    others = prep.scenario.min_agencies - 1
    teams = "another agency's pooled team" if others == 1 else \
        f"{others} other agencies' pooled teams"
    if prep.efficiency[f] <= 0:
        return full
    key = ": sharing.min_agencies" if cite else ""
    if pooled_fits:
        return (f"{full} (or {amounts(least)} pooled at shared centres, where its agency "
                "pools a whole team's worth" + (f" beside {teams}{key})" if others else ")"))
    if not blocked:
        return f"{amounts(least)} (after the most pooling could save)"
    if pools.any():
        return f"{full}, or {amounts(least)} where it could pool beside {teams}" + (
            " (sharing.min_agencies)" if cite else "")
    return f"{full} (pooled, {amounts(least)}, but no site it may use holds it beside " \
        f"{teams}, as a shared centre needs{key})"


def _fits_split(prep: Prepared) -> bool:
    """Whether every team would find room if teams could split: their least needs, each
    spread over the sites it may use that may stay open, whether or not one holds it
    whole (`reach_pairs`; `prep.pairs` keeps only those that do when teams may not
    split), within what those sites hold (`too_little_room`'s flow)."""
    pf, ps = reach_pairs(prep, np.arange(len(prep.functions)), prep.scenario.max_km)
    open_ = ~prep.forced_closed[ps]
    return amount_count(prep, pf[open_], ps[open_]) is None


def where_it_may_go(prep: Prepared, f: int) -> str:
    """Where team f may go, as the rule of distance says it."""
    home = int(prep.home[f])
    return (f"within {prep.scenario.max_km:g} km of {site_named(prep, home)}"
            if home >= 0 and math.isfinite(prep.scenario.max_km) else f"anywhere in {prep.whole}")


def too_few_seats(prep: Prepared, ok: np.ndarray, pools: np.ndarray
                  ) -> tuple[str, tuple[str, ...]] | None:
    """Whole teams (split false) more than the sites they may use can seat together,
    found before solving (`seat_count`), or None; `ok` and `pools` as `whole_pairs`
    gives them."""
    found = seat_count(prep, ok, pools)
    if found is None:
        return None
    return _seats_reason(prep, found,
                         centre_rule_bars(prep, barred_pairs(prep, found.teams, pools)))


def _centre_needs(prep: Prepared, them: str) -> str:
    """`another agency's pooled team beside them, with room for both, which none has
    (sharing.min_agencies)`: what a shared centre needs that the sites lack."""
    others = prep.scenario.min_agencies - 1
    beside = (f"another agency's pooled team beside {them}, with room for both" if others == 1
              else f"{others} other agencies' pooled teams beside {them}, with room for all")
    return f"a shared centre there needs {beside}, which none has (sharing.min_agencies)"


def _centre_rule_words(prep: Prepared, barred: np.ndarray) -> str:
    """`; some of them could pool at S1 and need less room, but ...`: the words for the
    seats when the pairs `barred` (`seats.centre_rule_bars`) are some ("" when none)."""
    if not barred.any():
        return ""
    at = np.unique(prep.pairs["s"].to_numpy()[barred])
    return (f"; some of them could pool at {_names(prep, at)} and need less room, but "
            + _centre_needs(prep, "them"))


def _seats_reason(prep: Prepared, found: SeatShortfall, barred: np.ndarray
                  ) -> tuple[str, tuple[str, ...]]:
    """The words and keys of `too_few_seats`: `found.teams` need a seat each
    (`found.need` at the site of each pair), the sites `found.sites` seat `found.room` of
    them at most, the columns `found.short` are what limit them; at the pairs `barred`
    one of them would fit pooled, which the centre rule forbids there."""
    sc, pf, need, cap = prep.scenario, found.pair_teams, found.need, found.cap
    columns = list(need)
    teams, at, room, short = found.teams, found.sites, found.room, found.short

    def amounts(values: dict[str, float]) -> str:
        return " and ".join(amount_of(v, c) for c, v in values.items() if v > 0)

    def needs(f: int) -> str:  # pooled where it may pool, in full where it may not
        low = {c: float(need[c][pf == f].min()) for c in columns}
        high = {c: float(need[c][pf == f].max()) for c in columns}
        if all(low[c] >= prep.functions.at[f, c] - 1e-9 for c in columns):
            return amounts(low)  # may pool at none of its sites
        return f"{amounts(low)} pooled" + (f"; {amounts(high)} where it may not pool" if any(
            high[c] > low[c] + 1e-9 for c in columns) else "")

    named = _teams_needing(prep, teams, needs)
    said = [f"{site_named(prep, int(s))} holds {amounts({c: cap[c][s] for c in columns})}, "
            f"room for {room[s]} of them" for s in at[:6]]
    said += [f"and {len(at) - 6} more"] if len(at) > 6 else []
    rf, rs, near, small = _near_sites(prep, teams, at, "too little for any of them")
    said += small
    where = (f" within {sc.max_km:g} km of its home" if (prep.home[teams] >= 0).all()
             and math.isfinite(sc.max_km) else "")
    text = (f"functions {', '.join(named[:-1])} and {named[-1]} must each sit whole at one "
            f"site{where} (assignment.split is false), but the sites they may use can seat "
            f"at most {int(room[at].sum())} of these {len(teams)} together: "
            + "; ".join(said) + _centre_rule_words(prep, barred))
    least = least_needs(prep, columns)
    farther, closed = _ways_out(prep, teams, teams[prep.home[teams] >= 0], rf, rs, lambda ff, fs:
                                np.all([cap[c][fs] >= least[c][ff] - 1e-9 for c in columns],
                                       axis=0))
    spread = all(least[c][teams].sum() <= cap[c][near].sum() + 1e-9 for c in columns)
    return text, ((("relocation.max_km",) if farther else ())
                  + (("policy.close",) if closed else ())
                  + tuple(f"sites.{c}" for c in short)
                  + (("sharing.min_agencies",) if barred.any() else ())
                  + (("assignment.split",) if spread else ()))


def too_little_room(prep: Prepared, ok: np.ndarray, pools: np.ndarray, columns: list[str]
                    ) -> tuple[str, tuple[str, ...]] | None:
    """Teams that need more desks (or racks) together than the sites they may use hold,
    found before solving, or None.

    `ok` marks the pairs of `prep.pairs` a team may take: whole (the site holds it on
    its own, pooled where `pools` marks) when teams may not split. Each team's least
    need (fully pooled) is sent to the sites of its pairs, each site taking no more than
    it holds (a maximum flow). A plan seats every team within those pairs, so it is such
    a flow: if the flow falls short, no plan exists. The teams the flow cannot seat in
    full, with those that could give way to them, need more together than their sites
    hold (Hall's condition for amounts), and are named with those sites. Needs are
    rounded down and room up to hundredths, so rounding can only miss a case, never
    invent one.

    Teams 20, 15, 15 and 15 desks at offices of 10, 30 and 30 fit one by one and two to
    an office, so the seat count passes them, but whole they can sit only at the two
    30-desk offices: 65 desks against 60."""
    sites = prep.sites
    found = amount_count(prep, prep.pairs["f"].to_numpy()[ok], prep.pairs["s"].to_numpy()[ok],
                         columns)
    if found is None:
        return None
    # pairs the flow left out (not `ok`) that the team would take pooled but for the rule
    barred = centre_rule_bars(prep, barred_pairs(prep, found.teams, pools) & ~ok)
    return _room_reason(prep, found.teams, found.sites, found.column, found.least,
                        sites[found.column].to_numpy(float), barred)


def _listed(names: list[str]) -> str:
    """`F1`, `F1 and F2`, `F1, F2 and F3`: at most six names, then how many more."""
    shown = names[:6] + ([f"{len(names) - 6} more"] if len(names) > 6 else [])
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def _room_reason(prep: Prepared, teams: np.ndarray, at: np.ndarray, column: str,
                 least: np.ndarray, cap: np.ndarray, barred: np.ndarray
                 ) -> tuple[str, tuple[str, ...]]:
    """The words and keys of `too_little_room`: `teams` need `least` of `column` each
    and may sit only at the sites `at`, which hold `cap` each; at the pairs `barred` one
    of them would fit pooled, where it does not fit in full, which the centre rule
    forbids."""
    functions, sc = prep.functions, prep.scenario
    named = _teams_needing(prep, teams, lambda f: amount_of(least[f], column) + (
        " pooled" if least[f] < functions.at[f, column] - 1e-9 else ""))
    who = (f"functions {', '.join(named[:-1])} and {named[-1]}" if len(named) > 1
           else f"function {named[0]}")
    order = at[np.argsort(-cap[at], kind="stable")]
    said = [f"{site_named(prep, int(s))} holds {amount_of(cap[s], column)}" for s in order[:6]]
    said += [f"and {len(at) - 6} more"] if len(at) > 6 else []
    rf, rs, near, small = _near_sites(prep, teams, at, "too little for any of them whole")
    said += small
    horizon = prep.calendar.horizon if prep.calendar is not None else None
    stay = teams[(prep.home[teams] >= 0) & (prep.earliest_years[teams] > horizon)
                 ] if horizon is not None else teams[:0]
    where = (f" within {sc.max_km:g} km of their homes" if (prep.home[teams] >= 0).all()
             and math.isfinite(sc.max_km) and len(stay) < len(teams) else "")
    pooled = " (after the most pooling could save)" if (prep.efficiency[teams] > 0).any() else ""
    whole = ("must each sit whole at one site (assignment.split is false) and "
             if not sc.split else "")
    sites_are = ("the sites that could hold any of them whole" if not sc.split
                 else "the sites they may use")
    text = (f"{who} {whole}need {amount_of(least[teams].sum(), column)} together{pooled}, but "
            f"{sites_are}{where} hold {amount_of(cap[at].sum(), column)} in all: "
            + "; ".join(said))
    if barred.any():
        qf, qs = prep.pairs["f"].to_numpy()[barred], prep.pairs["s"].to_numpy()[barred]
        kept_out = np.unique(qf)
        one = len(kept_out) == 1
        text += (f"; {_listed([str(functions.at[f, 'function_id']) for f in kept_out])} would fit "
                 f"pooled at {_names(prep, np.unique(qs))}, which cannot hold "
                 f"{'it' if one else 'them'} in full, but "
                 + _centre_needs(prep, "it" if one else "each of them"))
    if len(stay):  # their one pair is their home (`estate.prepare`)
        text += (f"; {_listed([str(functions.at[f, 'function_id']) for f in stay])} may not "
                 f"move before {'its' if len(stay) == 1 else 'their'} earliest_move, after "
                 f"the {horizon}-year horizon, so {'it stays' if len(stay) == 1 else 'they stay'}"
                 f" where {'it is' if len(stay) == 1 else 'they are'}")
    housed = teams[(prep.home[teams] >= 0) & ~np.isin(teams, stay)]
    farther, closed = _ways_out(prep, teams, housed, rf, rs, lambda ff, fs: (
        cap[fs] >= least[ff] - 1e-9) if not sc.split else cap[fs] > 0)
    spread = not sc.split and least[teams].sum() <= cap[near].sum() + 1e-9
    return text, ((("relocation.max_km",) if farther else ())
                  + (("functions.earliest_move", "horizon_years") if len(stay) else ())
                  + (("policy.close",) if closed else ())
                  + (f"sites.{column}",)
                  + (("sharing.min_agencies",) if barred.any() else ())
                  + (("assignment.split",) if spread else ()))


def _teams_needing(prep: Prepared, teams: np.ndarray, need: Callable[[int], str]
                   ) -> list[str]:
    """`F1 (A1 IT, 20 desks)` for each of the first six `teams`, then how many more."""
    functions = prep.functions
    return [f"{functions.at[f, 'function_id']} ({functions.at[f, 'agency_id']} "
            f"{functions.at[f, 'type']}, {need(int(f))})"
            for f in teams[:6]] + ([f"{len(teams) - 6} more"] if len(teams) > 6 else [])


def _near_sites(prep: Prepared, teams: np.ndarray, at: np.ndarray, little: str
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """The (team, site) pairs `teams` may use within reach, the sites among them that
    may stay open, and the words for those of them outside `at` (they hold `little`)."""
    rf, rs = reach_pairs(prep, teams, prep.scenario.max_km)
    near = np.unique(rs[~prep.forced_closed[rs]])
    small = np.setdiff1d(near, at)
    said = [f"{_names(prep, small)} {'holds' if len(small) == 1 else 'hold'} {little}"
            ] if len(small) else []
    return rf, rs, near, said


def _ways_out(prep: Prepared, teams: np.ndarray, housed: np.ndarray, rf: np.ndarray,
              rs: np.ndarray, would_take: Callable[[np.ndarray, np.ndarray], np.ndarray]
              ) -> tuple[bool, bool]:
    """Whether a site out of reach of one of `housed` today, that may stay open, would
    take it (`would_take(teams, sites)` per pair), so a farther relocation.max_km helps;
    and whether policy.close shuts a site one of `teams` may use."""
    ff, fs = reach_pairs(prep, housed, math.inf) if len(housed) else (rf[:0], rs[:0])
    beyond = (~np.isin(ff * len(prep.sites) + fs, rf * len(prep.sites) + rs)
              & ~prep.forced_closed[fs])
    closed = np.isin(prep.pairs["f"].to_numpy(), teams) & prep.sites["site_id"].isin(
        prep.scenario.close).to_numpy()[prep.pairs["s"].to_numpy()]
    farther = bool((beyond & would_take(ff, fs)).any()) and not short_at_any_distance(prep)
    return farther, bool(closed.any())
