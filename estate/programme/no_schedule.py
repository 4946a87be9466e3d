"""Why a plan's changes have no dated programme, said so that the user knows what to
change: each change every programme must make that no year of the horizon allows, a
team placed in its first year where nothing can make room in time, the scenario's cap
on one-off spend over the whole programme, the yearly limits the scenario sets, or the
time limit (`no_programme`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np

from estate.errors import EstateError, NoSolutionError
from estate.load.scenario import ProgrammeLimits
from estate.model.arrays import EstateModel
from estate.prepare import Prepared
from estate.programme.changes import Changes
from estate.programme.roadmap import solve_roadmap
from estate.programme.today import Grace, deadlines
from estate.results.amounts import fte_words, how_many_named, money
from estate.solve.diagnose import Reason, infeasible
from estate.status import Status


def no_programme(prep: Prepared, model: EstateModel, grace: Grace, changes: Changes,
                 limits: ProgrammeLimits, status: Status, time_limit_s: float) -> EstateError:
    """Why the plan's changes have no schedule. Proven so (infeasible, exit 2): each
    change every programme must make that no year of the horizon allows, named; each
    rule broken today that the plan's changes cannot mend as soon as a programme could
    (`estate.programme.today.deadlines`); else the yearly limits that are set, and the
    years from which each rule broken today must hold. Not proven (exit 3): the time
    limit. Each reason carries the keys that would relax it (`Reason`), so the user is
    told what to change here: a limit only when the scenario sets it. `grace` is the
    programme's `estate.programme.today.grace_of`."""
    if status != Status.INFEASIBLE:
        return NoSolutionError(f"no programme found for the plan within the time limit "
                               f"({time_limit_s:g} s, solver.time_limit_s; {status}): "
                               "raise it")
    required = required_too_late(prep, changes)
    assert prep.calendar is not None
    late, due = deadlines(prep, grace, changes, prep.calendar.horizon)
    reasons = list(required) + ([] if required else [
        Reason(why, ("sites.build_years", "functions.earliest_move")) for why in late])
    set_here = limits_set(limits)
    limit_keys = tuple(key for key, _ in set_here)
    limits_said = "; ".join(f"{key} = {value}" for key, value in set_here)
    capped = "" if reasons else _cap_binds(prep, model, grace, changes, limits, time_limit_s)
    cap = f"policy.max_one_off ({money(prep.scenario.max_one_off)})"
    if capped == "alone":
        reasons.append(Reason(
            f"{cap} is less than the net one-off of every schedule of the plan's changes "
            "that keeps the other rules: a closing buys the surrender of the year it is made "
            "in, where the snapshot counted that of the first year the site could close, and "
            "a sale left out brings nothing in; raise it", ("policy.max_one_off",)))
    elif capped == "with limits":
        reasons.append(Reason(
            f"{cap} and the yearly limits ({limits_said}) together leave no schedule: each "
            "alone leaves one, but the changes that keep the net one-off within the cap (the "
            "sales it counts on among them) cannot all happen within the limits by the "
            "horizon's end; raise either, or lengthen horizon_years",
            ("policy.max_one_off", *limit_keys, "horizon_years")))
    if not reasons and (placed := placed_in_first_year(prep, changes)):
        reasons.append(Reason(
            placed + ": what makes room for it there (a build, a move out, a shared "
            "centre) cannot all happen by then" +
            (" within the yearly limits" if set_here else "") + "; give it a later "
            "earliest_move (functions table), or room at a site open today",
            ("functions.earliest_move", *limit_keys)))
    # a change no year allows fails every schedule, with limits or none: the limits are
    # named only when no such change is
    also = (" (each rule broken today must hold from the first year a programme could "
            f"meet it: {'; '.join(due)})") if due else ""
    too_big = too_big_for_a_year(prep, changes, limits) if set_here and not (
        required or late or capped) else []
    reasons += too_big
    if set_here and not required and not late and not capped and not too_big:
        reasons.append(Reason(
            f"the yearly limits ({limits_said}) leave no year for every change the plan "
            f"needs{also}: raise them, or lengthen horizon_years",
            (*limit_keys, "horizon_years")))
    if not reasons:
        reasons.append(Reason("no schedule of the plan's changes keeps every timing rule "
                              f"(docs/programme.md, section 2){also}",
                              ("functions.earliest_move", "sites.build_years",
                               "horizon_years")))
    return infeasible(reasons, "no programme makes the plan's changes within the horizon "
                      "and its rules")


def _cap_binds(prep: Prepared, model: EstateModel, grace: Grace, changes: Changes,
               limits: ProgrammeLimits, time_limit_s: float) -> str:
    """Whether the scenario's max_one_off is what leaves the plan's changes no schedule
    (the roadmap without it finds one): "alone" when it leaves none even without the
    yearly limits, "with limits" when only the two together leave none (a negative cap
    needs sales the limits leave no year for), "" when the cap is not the cause. Without
    the cap the roadmap may leave every change out, so its schedule alone says little."""
    if not np.isfinite(prep.scenario.max_one_off):
        return ""
    free = replace(prep, scenario=replace(prep.scenario, max_one_off=np.inf))
    if not solve_roadmap(free, model, changes, limits, grace, time_limit_s,
                         0.0).status.has_plan:
        return ""
    if not limits_set(limits):
        return "alone"
    unlimited = ProgrammeLimits(max_one_off_per_year=(np.inf,) * len(
        limits.max_one_off_per_year))
    return "with limits" if solve_roadmap(prep, model, changes, unlimited, grace,
                                          time_limit_s, 0.0).status.has_plan else "alone"


def too_big_for_a_year(prep: Prepared, changes: Changes, limits: ProgrammeLimits
                       ) -> list[Reason]:
    """The changes every programme must make that no year's limit can take on its own:
    a closing the policy asks for (or the move of a team out of it, or the placing of
    a team with no site today) whose one-off is more than any year's
    max_one_off_per_year allows (when the plan sells nothing, whose receipts would count
    against it), or whose staff are more than max_fte_moved_per_year;
    each named with its figure beside the limit, the one key to relax it with."""
    table, sites = changes.table, prep.sites
    closing = set(table.loc[table["required"] & (table["kind"] == "close"), "site"])
    # the limit is on net spend: a sale in the same year could pay for part of a change,
    # so a one-off over it is a reason only when the plan sells nothing
    closed = table.loc[table["kind"] == "close", "site"].to_numpy(int)
    sells = bool((sites["disposal_value"].to_numpy(float)[closed] > 0.5).any())
    most = np.inf if sells else max(limits.max_one_off_per_year)
    out = []
    for row in table.itertuples():
        team = int(row.team) if row.kind == "move" else -1
        if not (row.required or (team >= 0 and prep.home[team] in closing)):
            continue
        what = _change_named(prep, str(row.kind), int(row.site), team)
        if row.cost > most + 0.5:
            out.append(Reason(
                f"{what} costs {money(row.cost)} once, more than "
                f"programme.max_one_off_per_year allows in any year ({money(most)}): raise "
                "it, for that year at least", ("programme.max_one_off_per_year",)))
        if team >= 0 and row.fte > limits.max_fte_moved_per_year + 1e-9:
            out.append(Reason(
                f"{what} ({fte_words(row.fte)}) is more than "
                f"programme.max_fte_moved_per_year ({limits.max_fte_moved_per_year:g} FTE) "
                "allows in a year, and a team moves in one year: raise it",
                ("programme.max_fte_moved_per_year",)))
    return out


def _change_named(prep: Prepared, kind: str, site: int, team: int) -> str:
    """A change as a reason names it: "closing O", "moving team T", "placing team N" (a
    team with no site today), "build at C"."""
    if kind == "close":
        return f"closing {prep.sites.at[site, 'site_id']}"
    if team >= 0:
        return (f"{'moving' if prep.home[team] >= 0 else 'placing'} team "
                f"{prep.functions.at[team, 'function_id']}")
    return f"{kind} at {prep.sites.at[site, 'site_id']}"


def limits_set(limits: ProgrammeLimits) -> list[tuple[str, str]]:
    """The yearly limits a scenario sets: each key, and its value as the reasons say it."""
    out = []
    one_off = set(limits.max_one_off_per_year)
    if np.isfinite(limits.max_one_off_per_year).any():
        out.append(("programme.max_one_off_per_year",
                    money(one_off.pop()) if len(one_off) == 1 else "a list by year"))
    if np.isfinite(limits.max_fte_moved_per_year):
        out.append(("programme.max_fte_moved_per_year", f"{limits.max_fte_moved_per_year:g}"))
    if np.isfinite(limits.max_closures_per_year):
        out.append(("programme.max_closures_per_year", f"{limits.max_closures_per_year:g}"))
    return out


def placed_in_first_year(prep: Prepared, changes: Changes) -> str:
    """The teams with no site today the plan places, each in its first year at its
    site ("team U has no site today, so it is placed at K in its first year, from
    2027-04-01"); "" when there are none."""
    assert prep.calendar is not None
    table, said = changes.table, []
    for i in changes.of("move"):
        f = int(table.at[i, "team"])
        if prep.home[f] < 0 and int(table.at[i, "earliest"]) <= prep.calendar.horizon:
            said.append(f"team {prep.functions.at[f, 'function_id']} has no site today, so "
                        f"it is placed at {prep.sites.at[int(table.at[i, 'site']), 'site_id']}"
                        " in its first year, from "
                        f"{prep.calendar.date_of(int(table.at[i, 'earliest']))}")
    named = how_many_named(len(said), 5)
    return "; ".join(said[:named]) + (f" (and {len(said) - named} more)"
                                       if len(said) > named else "")


def required_too_late(prep: Prepared, changes: Changes) -> list[Reason]:
    """The changes every programme must make (a team with no site today placed, a
    closing the policy asks for) that cannot happen within the horizon, each with what
    would let it: a team's earliest_move, a longer horizon. (A build the policy asks for
    that no year opens is refused before any plan: `diagnose.precheck`.)"""
    assert prep.calendar is not None
    h = prep.calendar.horizon
    last = prep.calendar.date_of(h + 1) - dt.timedelta(days=1)
    functions, sites = prep.functions, prep.sites
    out = []
    for row in changes.table[changes.table["required"]].itertuples():
        if row.kind == "move" and row.earliest > h:
            team = functions.iloc[row.team]
            out.append(Reason(
                f"team {team['function_id']} has no site today, so it is placed in its "
                f"first year, but its earliest_move, {team['earliest_move']} (functions "
                f"table), is after {prep.calendar.date_of(h)}, when the horizon's last year "
                f"begins (a team moves in a whole year, from its start), so that year is "
                f"after the horizon's end ({last})",
                ("functions.earliest_move", "horizon_years")))
        elif row.kind == "close" and prep.closing_years[row.site] > h:
            out.append(Reason(
                f"policy.close names {sites.at[row.site, 'site_id']}, but a team there may "
                f"not move before the horizon's end ({last}; functions' earliest_move)",
                ("policy.close", "functions.earliest_move", "horizon_years")))
    return out
