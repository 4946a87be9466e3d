"""The rules the estate breaks today, and the first year any programme could meet each.

DESIGN 9 asks every year's estate to keep the snapshot's rules. A rule the status quo
itself breaks (a zone with no site in reach, a site holding more desks than it has)
cannot hold in year 1 when what fixes it takes longer: a candidate that opens in year
build_years, a team that may not move before its earliest_move. So each such rule
holds from the first year any programme could meet it; before then it may stay broken,
but no worse than today. The roadmap, the joint model and the plain re-check
(`estate.programme.rules`) all read the years from here, so they agree.

Coverage (`all` / `maintain`), per zone: the first year a site in its reach could be
open, year 1 for a site open today, `build_years` for a candidate decided in year 1.
Before it, no site in reach is open in any programme (nor today), so nothing is asked.

Room (desks, racks), per site whose teams today need more than it has: the first year
t in which the teams housed there could have shed enough, each team counted as gone
when it could have left by t (its earliest year, and a site it may go to open by then,
year 1 for one open today, build_years for a candidate, never one the policy closes)
and otherwise as pooling its whole share at home where it may, from the first year its
centre there could have min_agencies agencies (its need times its efficiency). No programme sheds
more by year t (a team arriving only adds), so none meets the room before that year;
from it on the room holds. Before it, the site may hold at most what it holds today.
Every schedule that keeps the rules every year keeps these too, and none keeps these
with a site or zone worse off than today. `population_share` is checked in the last
year only (`estate.programme.joint`), so it is not here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from estate.model.arrays import EstateModel
from estate.model.costs import centre_years, opening_years, sitting_years
from estate.prepare import CoverageSet, Prepared
from estate.programme.changes import Changes, Trajectory
from estate.results import desks_by_pair
from estate.results.amounts import count, how_many_named

TOL = 1e-6
COLUMNS = ("desks", "racks")


@dataclass(frozen=True)
class Grace:
    """Per column: each site's room in each year 0..H ([sites, H+1]: its capacity, or
    today's use where that is higher before its first year), its use today and its
    first year (1 when it has room today; H+1 when no programme makes room within the
    horizon). Per coverage rule (in `prep.coverage` order): each zone's first year, 0
    for a population_share rule's zones (not held per year). Per team: the first year
    it could leave its home, and the first year it could pool at home, its centre
    there having min_agencies agencies (H+1: never within the horizon)."""

    room: dict[str, np.ndarray]
    today: dict[str, np.ndarray]
    first: dict[str, np.ndarray]
    zone_first: tuple[np.ndarray, ...]
    leaves: np.ndarray
    pools_from: np.ndarray


def leaving_years(prep: Prepared, horizon: int) -> np.ndarray:
    """Per team: the first year it could leave its home for another site it may use
    (its earliest year, and that site open; not one the policy closes); H+1 for a team
    with no site today or none it could leave for within the horizon."""
    pf, ps = prep.pairs["f"].to_numpy(), prep.pairs["s"].to_numpy()
    away = ~prep.pairs["home"].to_numpy(bool) & (prep.home[pf] >= 0) & ~prep.forced_closed[ps]
    year = np.maximum(opening_years(prep)[ps], prep.earliest_years[pf])
    out = np.full(len(prep.functions), horizon + 1)
    np.minimum.at(out, pf[away], np.minimum(year[away], horizon + 1))
    return out


def grace_of(prep: Prepared, model: EstateModel, horizon: int) -> Grace:
    """The years from which each rule the status quo breaks must hold (module docstring)."""
    leaves = leaving_years(prep, horizon)
    housed = np.flatnonzero(prep.home >= 0)
    # the first year each team could pool at home: its centre there needs min_agencies
    # agencies, each of whose teams could be there no sooner than it may sit there
    pools_from = np.full(len(prep.functions), horizon + 1)
    if len(model.pool):
        pool, pairs = model.pool, model.pool["pair"].to_numpy()
        at_home = prep.pairs["home"].to_numpy(bool)
        pf, ps = prep.pairs["f"].to_numpy(), prep.pairs["s"].to_numpy()
        # no centre runs at a site the policy closes, so no team pools there
        sits_from = np.where(prep.forced_closed[ps], horizon + 1, sitting_years(prep))
        start = centre_years(prep, pool, sits_from, horizon)
        c = pool[["k", "s"]].merge(start, left_on=["k", "s"], right_index=True,
                                   how="left")["c"].to_numpy(int)
        home_rows = at_home[pairs]
        np.minimum.at(pools_from, pf[pairs[home_rows]], c[home_rows])
    eff = prep.efficiency
    room, today, first = {}, {}, {}
    for column in COLUMNS:
        need = prep.functions[column].to_numpy(float)
        cap = prep.sites[column].to_numpy(float)
        used = np.bincount(prep.home[housed], need[housed], len(prep.sites))
        years = np.ones(len(prep.sites), int)
        for s in np.flatnonzero(used > cap + TOL):
            here = housed[prep.home[housed] == s]
            years[s] = horizon + 1
            for t in range(1, horizon + 1):
                shed = np.where(leaves[here] <= t, need[here],
                                np.where(pools_from[here] <= t, need[here] * eff[here], 0.0)).sum()
                if used[s] - shed <= cap[s] + TOL:
                    years[s] = t
                    break
        year = np.arange(horizon + 1)[None, :]
        room[column] = np.where(year >= years[:, None], cap[:, None],
                                np.maximum(cap, used)[:, None])
        today[column], first[column] = used, years
    return Grace(room=room, today=today, first=first,
                 zone_first=tuple(_zone_first(prep, cov, horizon) for cov in prep.coverage),
                 leaves=leaves, pools_from=pools_from)


def _zone_first(prep: Prepared, cov: CoverageSet, horizon: int) -> np.ndarray:
    """Per zone: the first year a site in the rule's reach could be open (H+1: none
    within the horizon); 0 everywhere for a population_share rule."""
    out = np.full(len(prep.zones), horizon + 1)
    if cov.rule.mode == "population_share":
        return np.zeros(len(prep.zones), int)
    np.minimum.at(out, cov.zone, np.minimum(opening_years(prep)[cov.site], horizon + 1))
    return out


def grace_notes(prep: Prepared, grace: Grace, path: Trajectory) -> tuple[str, ...]:
    """What a programme leaves broken, and why: each zone without its service and each
    site over its room in some year, with the years and the first year any programme
    could mend it."""
    assert prep.calendar is not None
    horizon = path.open.shape[1] - 1
    sites, zones = prep.sites, prep.zones
    site_id = sites["site_id"].to_numpy(object)
    opens = opening_years(prep)
    notes = []
    for cov, firsts in zip(prep.coverage, grace.zone_first, strict=True):
        if cov.rule.mode == "population_share":
            continue
        for z in np.flatnonzero(cov.scope):
            near = cov.site[cov.zone == z]
            lost = [t for t in range(1, horizon + 1) if not path.open[near, t].any()]
            if not lost:
                continue
            first = int(firsts[z])
            soonest = sorted((int(opens[s]), str(site_id[s])) for s in near)
            if not soonest:
                why = "no site offering it is in reach"
            elif first > horizon:
                why = (f"{_names([n for _, n in soonest])}, which would cover it, cannot open "
                       f"within the horizon ({count(horizon, 'year')})")
            else:
                best = [n for y, n in soonest if y == first]
                why = (f"{_names(best)}, which {'covers' if len(best) == 1 else 'cover'} it, "
                       f"{'opens' if len(best) == 1 else 'open'} in year {first} at the "
                       "earliest")
            notes.append(f"zone {zones.at[z, 'zone_id']} has no {cov.rule.service} within "
                         f"{cov.rule.radius_km:g} km in {_years(lost)}: {why}")
    ps = prep.pairs["s"].to_numpy()
    for column in COLUMNS:
        cap = sites[column].to_numpy(float)
        due = grace.first[column]
        for s in np.flatnonzero(due > 1):
            used = [float(np.bincount(ps, desks_by_pair(prep, path.state(t), column),
                                      len(sites))[s]) for t in range(1, horizon + 1)]
            over = [t for t in range(1, horizon + 1) if used[t - 1] > cap[s] + TOL]
            if not over:
                continue
            teams = np.flatnonzero(prep.home == s)
            when = (f"no programme could make room there before year {int(due[s])}"
                    if due[s] <= horizon else
                    "no programme makes room there within the horizon")
            named = how_many_named(len(teams), 5)
            notes.append(
                f"{site_id[s]} holds {max(used[t - 1] for t in over):g} {column}' worth of "
                f"teams for its {cap[s]:g} in {_years(over)}, no more than today's "
                f"{grace.today[column][s]:g}: {when}, as its teams could not leave it sooner ("
                + "; ".join(_wait(prep, grace, int(f), horizon) for f in teams[:named])
                + (f"; and {len(teams) - named} more" if len(teams) > named else "") + ")")
    return tuple(notes)


def deadlines(prep: Prepared, grace: Grace, changes: Changes, horizon: int
              ) -> tuple[list[str], list[str]]:
    """For a plan no programme could schedule: each rule the status quo breaks that the
    plan's own changes cannot mend by the year any programme could (a later build, a
    team that waits), as a reason naming both years; and every such rule's deadline
    ("K within its 10 desks from year 2"), for a reason that has nothing sharper.
    `grace` is the programme's `grace_of`."""
    table, site_id = changes.table, prep.sites["site_id"].to_numpy(object)
    opens = opening_years(prep)
    built = {int(table.at[i, "site"]) for i in changes.of("build")}
    late, said = [], []
    for cov, firsts in zip(prep.coverage, grace.zone_first, strict=True):
        if cov.rule.mode == "population_share":
            continue
        for z in np.flatnonzero(cov.scope & (firsts > 1) & (firsts <= horizon)):
            first, zone_id = int(firsts[z]), prep.zones.at[z, "zone_id"]
            rule = f"{cov.rule.service} within {cov.rule.radius_km:g} km"
            said.append(f"zone {zone_id} with {rule} from year {first}")
            mine = sorted((int(opens[s]), str(site_id[s])) for s in cov.site[cov.zone == z]
                          if s in built)
            if mine and mine[0][0] > first:
                late.append(f"zone {zone_id} has no {rule} today; a programme could give it "
                            f"one from year {first}, but the plan's build there, "
                            f"{mine[0][1]}, opens in year {mine[0][0]} at the earliest "
                            "(sites.build_years)")
    ps, pf = prep.pairs["s"].to_numpy(), prep.pairs["f"].to_numpy()
    for column in COLUMNS:
        need, cap = prep.functions[column].to_numpy(float), prep.sites[column].to_numpy(float)
        due = grace.first[column]
        for s in np.flatnonzero((due > 1) & (due <= horizon)):
            said.append(f"{site_id[s]} within its {cap[s]:g} {column} from year {due[s]}")
            shed: dict[int, float] = {}
            why = []
            for i in changes.of("move"):
                f, dest = int(table.at[i, "team"]), int(ps[int(table.at[i, "pair"])])
                if prep.home[f] != s:
                    continue
                year = max(int(prep.earliest_years[f]), int(opens[dest]))
                shed[year] = shed.get(year, 0.0) + need[f] * float(table.at[i, "amount"])
                why.append(f"{prep.functions.at[f, 'function_id']} to {site_id[dest]} in "
                           f"year {year} at the earliest")
            # a team pooled at home sheds from the first year its centre there could
            # run (as `grace_of` counts it), not from year 1
            home = np.flatnonzero(prep.pairs["home"].to_numpy(bool) & (ps == s)
                                  & (changes.pooled > TOL))
            pooling = [f"{prep.functions.at[f, 'function_id']} pools at {site_id[s]} "
                       + (f"from year {grace.pools_from[f]} at the earliest"
                          if grace.pools_from[f] <= horizon else "after the horizon")
                       for f in pf[home]]
            for p in home:
                year = int(grace.pools_from[pf[p]])
                shed[year] = shed.get(year, 0.0) + float(
                    need[pf[p]] * prep.efficiency[pf[p]] * changes.pooled[p])
            mended = next((t for t in range(1, horizon + 1)
                           if grace.today[column][s] - sum(v for y, v in shed.items() if y <= t)
                           <= cap[s] + TOL), horizon + 1)
            if mended > due[s]:
                by = f"only by year {mended}" if mended <= horizon else "not within the horizon"
                late.append(
                    f"{site_id[s]} holds {grace.today[column][s]:g} {column}' worth of teams "
                    f"for its {cap[s]:g} today; a programme could make room there by year "
                    f"{due[s]}, but the plan's moves{' and pooling' if pooling else ''} {by} ("
                    + ("; ".join((why + pooling)[:5]) or "none moves a team away") + ")")
    return late, said


def _wait(prep: Prepared, grace: Grace, f: int, horizon: int) -> str:
    """Why team f cannot leave its home sooner: 'T: C, where it may go, opens in year 2
    at the earliest', 'T may not move before year 3 (earliest_move)'."""
    team, leaves = prep.functions.at[f, "function_id"], int(grace.leaves[f])
    earliest = int(prep.earliest_years[f])
    if earliest >= leaves and earliest > 1:
        return (f"{team} may not move before year {earliest} (its earliest_move"
                + (", after the horizon)" if earliest > horizon else ")"))
    pf, ps = prep.pairs["f"].to_numpy(), prep.pairs["s"].to_numpy()
    away = ps[(pf == f) & ~prep.pairs["home"].to_numpy(bool) & ~prep.forced_closed[ps]]
    if not len(away):
        return f"{team} has no other site it may use that the policy leaves open"
    opens = opening_years(prep)[away]
    soonest = [str(prep.sites.at[s, "site_id"]) for s in away[opens == opens.min()]]
    if opens.min() > horizon:
        return (f"{team}: {_names(soonest)}, where it may go, "
                f"{'opens' if len(soonest) == 1 else 'open'} after the horizon")
    return (f"{team}: {_names(soonest)}, where it may go, "
            f"{'opens' if len(soonest) == 1 else 'open'} in year {int(opens.min())} at the "
            "earliest")


def _names(names: list[str]) -> str:
    """'C', 'C and D', 'C, D and 2 more'."""
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:2]) + f" and {len(names) - 2} more"


def _years(years: list[int]) -> str:
    """'year 1', 'years 1-3', 'years 1, 3'."""
    if len(years) == 1:
        return f"year {years[0]}"
    if years == list(range(years[0], years[-1] + 1)):
        return f"years {years[0]}-{years[-1]}"
    return "years " + ", ".join(str(t) for t in years)
