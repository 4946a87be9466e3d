"""Room for a team at the sites it may use: why it finds no site when room is the
reason, said with the sites' desks and racks against its need.

A team that finds no site either has none it may use (distance, hosting, security,
dates, the sites the policy closes) or has some but none with room for it, whole when
teams may not split, beside the other teams. The checks before solving and the elastic
re-solve (`estate.solve.diagnose`) both tell the second case here, in the same words,
so that `estate validate` and `estate plan` say it alike: the sites named with their
room, and the keys that would make room (`sites.desks`, `sites.racks`,
`assignment.split`, a farther `relocation.max_km`, `policy.close`).
"""

from __future__ import annotations

import math

import numpy as np

from estate.model.arrays import EstateModel
from estate.prepare import Prepared, allowed_by_dates, eligible_pairs


def site_named(prep: Prepared, s: int) -> str:
    """`S1 Town hall`: site s (a position) as the reasons name it."""
    return f"{prep.sites.at[s, 'site_id']} {prep.sites.at[s, 'name']}"


def team_named(prep: Prepared, f: int) -> str:
    """`function F1 (A1 HR)`: team f (a position) as the reasons name it."""
    fun = prep.functions
    return f"function {fun.at[f, 'function_id']} ({fun.at[f, 'agency_id']} {fun.at[f, 'type']})"


def _count(x: float) -> str:
    return f"{x:,.0f}" if abs(x - round(x)) < 1e-9 else f"{x:,.1f}"


def _names(prep: Prepared, s: np.ndarray, most: int = 3) -> str:
    named = ", ".join(site_named(prep, int(i)) for i in s[:most])
    return named + (f" and {len(s) - most} more" if len(s) > most else "")


def _reach(prep: Prepared, f: int, max_km: float) -> np.ndarray:
    """The sites team f may use under the rules of distance (`max_km` of its home),
    hosting, security and dates, whether it fits there or not (positions)."""
    team = prep.functions.iloc[[f]].reset_index(drop=True)
    home = prep.home[[f]]
    pairs = eligible_pairs(prep.sites, team, home, max_km)
    if prep.calendar is not None:
        pairs = pairs[allowed_by_dates(pairs, team, prep.sites, home, prep.calendar)]
    return pairs["s"].to_numpy()


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
    cap = {c: sites[c].to_numpy(float) for c in columns}
    used = {c: taken[c] if taken else np.zeros(len(sites)) for c in columns}
    free = {c: cap[c][s] - used[c][s] for c in columns}
    together = {c: float(np.maximum(free[c], 0).sum()) for c in columns}
    if sc.split:
        short = [c for c in columns if together[c] < least[c] - 1e-9]
    elif np.all([free[c] >= least[c] - 1e-9 for c in columns], axis=0).any():
        short = []
    else:
        short = [c for c in columns if (free[c] < least[c] - 1e-9).any()]
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
    shut = could_hold(reach[sites["site_id"].isin(sc.close).to_numpy()[reach]])
    order = np.argsort(-np.min([free[c] - least[c] for c in columns], axis=0), kind="stable")
    said = [f"{site_named(prep, int(s[i]))} holds " + " and ".join(
        f"{_count(cap[c][s[i]])} {c}" + (f" ({_count(used[c][s[i]])} taken by other teams)"
                                         if used[c][s[i]] > 1e-9 else "")
        for c in columns) for i in order[:6]] + ([f"and {len(s) - 6} more"] if len(s) > 6 else [])
    need = " and ".join(f"{_count(least[c])} {c}" for c in columns) + (
        " (after the most pooling could save)" if prep.efficiency[f] > 0 else "")
    beside = (" beside the other teams (as the re-solve that breaks the fewest rules "
              "placed them)" if taken else "")
    if stays:
        text = (f"{team_named(prep, f)} stays at {site_named(prep, home)}, as it may not move "
                f"before {functions.at[f, 'earliest_move']} (earliest_move), after the "
                f"{horizon}-year horizon, and needs room there for {need}, but "
                f"there is not that room{beside}")
    elif sc.split:
        held = " and ".join(f"{_count(together[c])} {c}" for c in columns)
        text = (f"{team_named(prep, f)} needs room for {need} {_where(prep, f)}, but the "
                f"sites it may use there have {held} in all{beside}")
    else:
        lacks = ("the one site it may use there lacks it" if len(s) == 1 else
                 f"none of the {len(s)} sites it may use there has it")
        text = (f"{team_named(prep, f)} must sit whole at one site {_where(prep, f)} "
                f"(assignment.split is false) with room for {need}, but {lacks}{beside}")
    text += ": " + "; ".join(said)
    if len(farther):
        text += f"; farther away, {_names(prep, farther)} could hold it"
    if len(shut):
        text += f"; policy.close shuts {_names(prep, shut)}, which could hold it"
    splitting = not sc.split and all(together[c] >= least[c] - 1e-9 for c in columns)
    keys = ((("relocation.max_km",) if len(farther) else ())
            + (("functions.earliest_move", "horizon_years") if stays else ())
            + (("policy.close",) if len(shut) else ())
            + tuple(f"sites.{c}" for c in short)
            + (("assignment.split",) if splitting else ())
            + (("policy.max_one_off",) if taken and math.isfinite(sc.max_one_off) else ()))
    return text, keys


def _where(prep: Prepared, f: int) -> str:
    """Where team f may go, as the rule of distance says it."""
    home = int(prep.home[f])
    return (f"within {prep.scenario.max_km:g} km of {site_named(prep, home)}" if home >= 0
            else "anywhere in the register")
