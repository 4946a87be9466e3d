"""Why a scenario has no plan: cheap checks before solving, an elastic re-solve after.

The checks before solving catch the common cases in milliseconds and say them with
numbers. When the solver still says infeasible, the elastic model adds a penalised
slack to every row of the families that can fail (housed, capacity, coverage, the
one-off cap) and minimises the total slack; the rows whose slack is positive are
the rules that cannot hold, named by the zone, function or site they concern.

Each reason carries the keys that would relax it (`Reason.keys`): the rule it is
(`coverage.0.radius_km`, `policy.max_one_off`, ...) and the other settings of the
scenario that bear on it (`policy.close` when it closes sites), so that a user is told
what to change for this scenario, not a fixed list.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from estate.errors import InfeasibleError, Problem
from estate.load.scenario import CoverageRule
from estate.model.arrays import EstateModel, labels
from estate.model.costs import kept_too_late
from estate.prepare import Prepared, eligible_pairs
from estate.solve import SolverOptions, solve
from estate.solve.room import (
    amount_of,
    no_room,
    site_named,
    taken_room,
    team_named,
    too_few_seats,
    too_little_room,
    where_it_may_go,
)
from estate.solve.seats import (
    centre_rule_may_bind,
    reach_pairs,
    short_at_any_distance,
    short_with_centres_of_one,
    whole_pairs,
)

ELASTIC_FAMILIES = ("housed", "desks", "racks", "max_one_off")


@dataclass(frozen=True)
class Reason:
    """One rule that cannot hold, said where (`text`), and the scenario keys or register
    columns (`sites.desks`) a user would change to relax it (`keys`)."""

    text: str
    keys: tuple[str, ...]


def infeasible(reasons: list[Reason], what: str = "no plan meets every rule",
               warnings: Iterable[Problem] = ()) -> InfeasibleError:
    """The error that says `reasons`, with the keys to relax taken from them (the
    general list when none of them names one), and the `warnings` found readying the
    scenario, said before them."""
    return InfeasibleError([r.text for r in reasons], what,
                           tuple(k for r in reasons for k in r.keys) or None, warnings)


def _closing(prep: Prepared, sites: np.ndarray) -> tuple[str, ...]:
    """`policy.close` when it closes any of `sites` (positions): a key to relax."""
    closed = prep.sites["site_id"].to_numpy(object)[np.asarray(sites, int)]
    return ("policy.close",) if set(closed) & set(prep.scenario.close) else ()


def _no_radius_helps(prep: Prepared, rule: CoverageRule) -> tuple[str, tuple[str, ...]]:
    """When no site that may stay open offers the `rule`'s service at all, the rule is
    met at no radius: the words that say why (after the rule's name) and the keys that
    would help instead of its radius: the rule's `service` (a slip in its spelling) and
    the register's `sites.services`, with `policy.close` when the policy closes the sites
    that offer it. ("", ()) when some such site may stay open."""
    offering = np.flatnonzero([rule.service in sv for sv in prep.sites["services"]])
    if (~prep.forced_closed[offering]).any():
        return "", ()
    keys = (f"{rule.name}.service", "sites.services")
    if not len(offering):  # of the area, in a national register: another may offer it
        return f"; no site of {prep.whole} offers {rule.service}", keys
    return (f"; no site offering {rule.service} can stay open",
            keys + _closing(prep, offering))


def _other_rules(prep: Prepared) -> tuple[str, ...]:
    """The scenario's settings that can stand in the way of any rule once a solver has
    tried them together: the sites it closes and its one-off cap, when set."""
    sc = prep.scenario
    return ((("policy.close",) if sc.close else ())
            + (("policy.max_one_off",) if math.isfinite(sc.max_one_off) else ()))


def precheck(prep: Prepared) -> list[Reason]:
    """Reasons the scenario must be infeasible, found without a solver."""
    sc, sites, functions, zones = prep.scenario, prep.sites, prep.functions, prep.zones
    reasons: list[Reason] = []
    can_open = ~prep.forced_closed
    for cov in prep.coverage:
        rule = cov.rule
        reachable = np.zeros(len(zones), bool)
        reachable[cov.zone[can_open[cov.site]]] = True
        unmet = _no_radius_helps(prep, rule)
        if rule.mode in ("all", "maintain"):
            for z in np.flatnonzero(cov.scope & ~reachable):
                what = "no site" if rule.mode == "all" else "no site left open"
                reasons.append(Reason(
                    f"zone {zones.at[z, 'zone_id']} {zones.at[z, 'name']}: {what} offering "
                    f"{rule.service} within {rule.radius_km:g} km ({rule.name}, mode "
                    f"{rule.mode}{unmet[0]})",
                    unmet[1] or ((f"{rule.name}.radius_km",)
                                 + _closing(prep, cov.site[cov.zone == z]))))
        else:
            pop = zones["population"].to_numpy(float)
            if pop.sum() > 0 and pop[reachable].sum() < rule.population_share * pop.sum() - 1e-9:
                reasons.append(Reason(
                    f"{rule.name}: at most {pop[reachable].sum():,.0f} of {pop.sum():,.0f} people "
                    f"({pop[reachable].sum() / pop.sum():.1%}) can reach {rule.service} within "
                    f"{rule.radius_km:g} km; {rule.population_share:.1%} required{unmet[0]}",
                    unmet[1] or ((f"{rule.name}.radius_km", f"{rule.name}.population_share")
                                 + _closing(prep, cov.site))))
    # whether no limit on distance would leave the counts short (a farther max_km then
    # cannot help): asked once, and only of a reason that would name max_km
    short_anywhere = functools.cache(lambda: short_at_any_distance(prep))
    pf, ps = prep.pairs["f"].to_numpy(), prep.pairs["s"].to_numpy()
    # the pairs a team may take, whole when teams may not split: pooling there saves eff
    # of its need where a whole team may pool (beside min_agencies - 1 other agencies')
    ok, pools = whole_pairs(prep)
    has_site = np.zeros(len(functions), bool)
    has_site[pf[ok]] = True
    if sc.split:
        # a team split over the sites it may use still needs their room together
        for column in ("desks", "racks"):
            held = np.bincount(pf[ok], weights=sites[column].to_numpy(float)[ps[ok]],
                               minlength=len(functions))
            has_site &= functions[column].to_numpy(float) * (1 - prep.efficiency) <= held + 1e-9
    horizon = prep.calendar.horizon if prep.calendar is not None else None
    for f in np.flatnonzero(~has_site).tolist():
        home = prep.home[f]
        if (home >= 0 and prep.forced_closed[home] and horizon is not None
                and prep.earliest_years[f] > horizon):
            # its only pair is its home (`prepare`): the closing is what cannot happen
            reasons.append(Reason(
                f"{team_named(prep, f)} may not move before {functions.at[f, 'earliest_move']} "
                f"(earliest_move), after the {horizon}-year horizon, so it stays at "
                f"{site_named(prep, home)}, which the scenario closes (policy.close)",
                ("policy.close", "functions.earliest_move", "horizon_years")))
            continue
        if home < 0 and (waiting := _built_too_late(prep, f)):
            reasons.append(Reason(waiting, BUILT_TOO_LATE))
            continue
        if short := no_room(prep, f):
            reasons.append(Reason(*short))
            continue
        t = functions.at[f, "type"]
        need = "a secure site" if functions.at[f, "needs_secure"] else "a site"
        where = where_it_may_go(prep, f)
        reasons.append(Reason(
            f"{team_named(prep, f)} needs {need} {where} hosting {t} with room for "
            f"{amount_of(functions.at[f, 'desks'], 'desks')} and "
            f"{amount_of(functions.at[f, 'racks'], 'racks')} that "
            "may stay open; there is none",
            (("relocation.max_km",) if home >= 0 and math.isfinite(sc.max_km)
             and not short_anywhere() else ())
            + (("policy.close",) if sc.close else ())
            + ("sites.hosts",) + (("sites.secure",) if functions.at[f, "needs_secure"] else ())))
    seats = None
    if not sc.split and has_site.all() and (seats := too_few_seats(prep, ok, pools)):
        reasons.append(Reason(*seats))
    eff, roomy = prep.efficiency, []
    for column in ("desks", "racks"):
        # the teams with a site of their own to go to: one with none is said above, and
        # its need would be put down to the room of sites it may not use
        need = (functions[column].to_numpy(float) * (1 - eff))[has_site].sum()
        eligible_sites = np.unique(ps[can_open[ps] & has_site[pf]])
        cap = sites[column].to_numpy(float)[eligible_sites].sum()
        if need > cap + 1e-6:
            closed = _closed_by_policy(prep, ps, column)
            # sites out of reach today hold more, and with no limit on distance the
            # counts no longer fall short: a farther max_km may make room
            far = reach_pairs(prep, np.flatnonzero(has_site), math.inf)[1]
            farther = (sites[column].to_numpy(float)[np.unique(far[can_open[far]])].sum()
                       > cap + 1e-6 and not short_anywhere())
            reasons.append(Reason(
                f"the functions need at least {amount_of(need, column)} (after the most "
                f"pooling could save) but all sites that may host them hold "
                f"{amount_of(cap, column)}" + closed,
                (("relocation.max_km",) if farther else ()) + (("policy.close",) if closed
                                                               else ()) + (f"sites.{column}",)))
        else:
            roomy.append(column)
    # the room of some teams' sites short of their needs, where the counts above pass
    if has_site.all() and not seats and (short := too_little_room(prep, ok, pools, roomy)):
        reasons.append(Reason(*short))
    if sc.programme is not None:  # scheduled: a kept build no year opens has no programme
        for s in kept_too_late(prep):
            kept = "policy.keep" if sites.at[s, "site_id"] in sc.keep else "sites.must_keep"
            reasons.append(Reason(
                f"{site_named(prep, s)} must be built ({kept}), but takes "
                f"{int(sites.at[s, 'build_years'])} years to build, more than horizon_years "
                f"({horizon}): no programme opens it within the horizon",
                (kept, "sites.build_years", "horizon_years")))
    return reasons


def _closed_by_policy(prep: Prepared, ps: np.ndarray, column: str) -> str:
    """The sites `policy.close` shuts that could have hosted the teams, and the room they
    hold: most often the rule to relax when the room runs short ("" when there are none)."""
    sites = prep.sites
    closed = [s for s in np.unique(ps) if sites.at[s, "site_id"] in prep.scenario.close
              and sites.at[s, column] > 0]
    if not closed:
        return ""
    held = float(sites[column].to_numpy(float)[closed].sum())
    names = ", ".join(str(sites.at[s, "site_id"]) for s in closed[:10])
    more = f" and {len(closed) - 10} more" if len(closed) > 10 else ""
    return f"; policy.close shuts {names}{more}, which hold {held:,.0f} more"


BUILT_TOO_LATE = ("functions.earliest_move", "sites.build_years", "horizon_years")
"""What relaxes a team that waits for a site still to be built (`_built_too_late`)."""


def _built_too_late(prep: Prepared, f: int) -> str:
    """Why team f, which has no site today, has no site: the candidates that would
    take it open after its first year (`estate.prepare`), named with their opening
    date; "" when that is not why."""
    if prep.calendar is None:
        return ""
    sites, functions, first = prep.sites, prep.functions, int(prep.earliest_years[f])
    team = functions.iloc[[f]].reset_index(drop=True)
    pairs = eligible_pairs(sites, team, np.array([-1]), prep.scenario.max_km)
    s = pairs["s"].to_numpy()
    if not prep.scenario.split:  # a whole team: the least it can need there
        for column in ("desks", "racks"):
            need = float(team.at[0, column]) * (1 - prep.efficiency[f])
            s = s[need <= sites[column].to_numpy(float)[s] + 1e-9]
    by = sites["build_years"].to_numpy(float).astype(int)
    # a build past the horizon is shut too (`estate.prepare`), and is named here
    closed = sites["site_id"].isin(prep.scenario.close).to_numpy()
    s = s[sites["candidate"].to_numpy(bool)[s] & ~closed[s] & (by[s] > first)]
    if not len(s):
        return ""
    soonest = s[np.argmin(by[s])]
    named = ", ".join(sites["site_id"].to_numpy(object)[s[:5]]) + (
        f" and {len(s) - 5} more" if len(s) > 5 else "")
    said = (f"{team_named(prep, f)} has no site today, so it must be placed in its first "
            f"year, from {prep.calendar.date_of(first)}, but the only sites with room for "
            f"it are still to be built ({named})")
    if by[soonest] > prep.calendar.horizon:
        return (said + f", and none opens within the {prep.calendar.horizon}-year horizon "
                "(build_years): make room for it at a site open today, or lengthen "
                "horizon_years")
    opens = prep.calendar.date_of(int(by[soonest]))
    return (said + f", and the soonest, {site_named(prep, int(soonest))}, opens on {opens}: set "
            f"its earliest_move to {opens} or later (functions table), or make room for it "
            "at a site open today")


def _elastic(model: EstateModel) -> tuple[EstateModel, dict[int, int]]:
    """The model with a slack column on each row of the families that can fail.

    Equality rows get two slacks; coverage rows of every rule are included. The
    objective becomes the total slack, so the solve finds the fewest violations.
    """
    families = [f for f in model.family_rows
                if f in ELASTIC_FAMILIES or f.startswith("coverage.")]
    rows, signs = [], []
    for fam in families:
        r = np.arange(model.family_rows[fam].start, model.family_rows[fam].stop)
        lo, hi = model.row_lb[r], model.row_ub[r]
        for sign, need in ((1.0, np.isfinite(lo)), (-1.0, np.isfinite(hi))):
            rows.append(r[need])
            signs.append(np.full(int(need.sum()), sign))
    rows_a = np.concatenate(rows) if rows else np.empty(0, np.int64)
    signs_a = np.concatenate(signs) if signs else np.empty(0)
    k = len(rows_a)
    n = model.matrix.shape[1]
    extra = sp.csr_matrix((signs_a, (rows_a, np.arange(k))), shape=(model.matrix.shape[0], k))
    scale = np.ones(k)
    # One-off slack is in pounds; weigh it so one pound does not outweigh a zone.
    for fam in ("max_one_off",):
        if fam in model.family_rows:
            sl = model.family_rows[fam]
            scale[(rows_a >= sl.start) & (rows_a < sl.stop)] = 1e-6
    elastic = EstateModel(
        col_names=np.concatenate([model.col_names,
                                  np.array([f"slack({i})" for i in range(k)], dtype=object)]),
        col_lb=np.concatenate([model.col_lb, np.zeros(k)]),
        col_ub=np.concatenate([model.col_ub, np.full(k, math.inf)]),
        col_cost=np.concatenate([np.zeros(n), scale]),
        col_integer=np.concatenate([model.col_integer, np.zeros(k, bool)]),
        obj_constant=0.0, row_names=model.row_names, row_lb=model.row_lb,
        row_ub=model.row_ub, matrix=sp.hstack([model.matrix, extra]).tocsr(),
        family_rows=model.family_rows, family_labels=model.family_labels, blocks=model.blocks,
        pool=model.pool, centres=model.centres)
    return elastic, {n + i: int(r) for i, r in enumerate(rows_a)}


def explain_infeasible(prep: Prepared, model: EstateModel, options: SolverOptions
                       ) -> list[Reason]:
    """Name the rules that cannot hold, from an elastic re-solve of the model."""
    elastic, slack_row = _elastic(model)
    sol = solve(elastic, SolverOptions(name=options.name, time_limit_s=options.time_limit_s,
                                       mip_gap=1e-6, direct=options.direct,
                                       first_plan=False))
    if sol.values is None:
        return [Reason("the solver reports the scenario infeasible, and the elastic re-solve "
                       "could not find which rules fail", ())]
    values = sol.values
    # whether the centre rule may keep teams from pooling, and centres of one agency
    # would let the counts pass: asked once, of a site short of room
    centres = functools.cache(lambda: centre_rule_may_bind(prep)
                              and not short_with_centres_of_one(prep))
    reasons = []
    row_family = {}
    for fam, sl in model.family_rows.items():
        for r in range(sl.start, sl.stop):
            row_family[r] = fam
    for col, row in slack_row.items():
        v = sol.values[col]
        if v <= 1e-6:
            continue
        fam = row_family[row]
        label = model.family_labels[fam][row - model.family_rows[fam].start]
        reasons.append(_describe(prep, fam, str(label), float(v),
                                 lambda f: taken_room(prep, model, values, f), centres))
    return sorted(set(reasons), key=lambda r: r.text) or [
        Reason("the solver reports the scenario infeasible (the combination of rules, not one "
               "of them)", ())]


def _named(frame: pd.DataFrame, id_column: str, label: str) -> str:
    """`ID name` of the row whose LP-safe label is `label` (ids may hold unsafe text)."""
    hits = np.flatnonzero(labels(frame[id_column]) == label)
    if len(hits) == 0:
        return label
    row = frame.iloc[hits[0]]
    name = str(row.get("name", "") or "")
    return f"{row[id_column]} {name}".strip()


def _describe(prep: Prepared, family: str, label: str, amount: float,
              taken: Callable[[int], dict[str, np.ndarray]], centres: Callable[[], bool]
              ) -> Reason:
    """The reason a row of `family` labelled `label` is `amount` short in the elastic
    re-solve; `taken(f)`: the room the teams other than f take at each site there;
    `centres()`: whether fewer agencies a centre may make room."""
    sc = prep.scenario
    if family == "housed":
        hits = np.flatnonzero(labels(prep.functions["function_id"]) == label)
        what = team_named(prep, int(hits[0])) if len(hits) else f"function {label}"
        if len(hits) and prep.home[hits[0]] < 0:
            # the elastic model reaches a team with no site today when split hides it
            # from the checks before solving
            if waiting := _built_too_late(prep, int(hits[0])):
                return Reason(waiting, BUILT_TOO_LATE)
        if len(hits) and (short := no_room(prep, int(hits[0]), taken(int(hits[0])))):
            return Reason(*short)
        if len(hits) and prep.home[hits[0]] < 0:
            return Reason(f"{what} has no site today and cannot be housed at any site under "
                          "the other rules (hosting its type, secure if needed)",
                          _other_rules(prep) + ("sites.hosts",))
        near = math.isfinite(sc.max_km)  # a distance limit there is to raise
        return Reason(f"{what} cannot be housed at any eligible site under the other rules "
                      f"({f'within {sc.max_km:g} km of home, ' if near else ''}hosting its "
                      "type, secure if needed)",
                      (("relocation.max_km",) if near else ()) + _other_rules(prep))
    if family in ("desks", "racks"):
        return Reason(f"site {_named(prep.sites, 'site_id', label)} would need "
                      f"{amount:,.1f} more {family} than it holds",
                      (("relocation.max_km",) if math.isfinite(sc.max_km) else ())
                      + _other_rules(prep) + (f"sites.{family}",)
                      + (("sharing.min_agencies",) if centres() else ()))
    if family == "max_one_off":
        cap = (f"£{sc.max_one_off:,.0f}" if sc.max_one_off >= 0 else
               f"-£{-sc.max_one_off:,.0f}, net receipts of at least £{-sc.max_one_off:,.0f}")
        return Reason(f"policy.max_one_off: the other rules need about £{amount:,.0f} more "
                      f"one-off spend than the cap of {cap}",
                      ("policy.max_one_off",) + (("policy.keep",) if sc.keep else ()))
    if family.startswith("coverage."):
        rule = sc.coverage[int(family.split(".")[1])]
        if family.endswith(".share"):
            return Reason(f"{rule.name}: not enough people can reach {rule.service} within "
                          f"{rule.radius_km:g} km under the other rules",
                          (f"{rule.name}.radius_km", f"{rule.name}.population_share")
                          + _other_rules(prep))
        return Reason(f"zone {_named(prep.zones, 'zone_id', label)}: no site offering "
                      f"{rule.service} within {rule.radius_km:g} km can stay open under the "
                      f"other rules ({rule.name})",
                      (f"{rule.name}.radius_km",) + _other_rules(prep))
    return Reason(f"{family}({label}) cannot hold", ())
