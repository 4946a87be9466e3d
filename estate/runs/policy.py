"""What each policy costs: the optimum with it minus the optimum without it (docs/compare.md).

A policy is a scenario setting that forbids some plans: a coverage rule, the keep and
close lists, the one-off cap, the closable kinds, the register's must-keep flags and
the relocation distance limit. Lifting one policy (all the others left in place)
relaxes the model, so the optimum without it is never dearer; the difference

    cost(policy) = NPV*(scenario) - NPV*(scenario without the policy)   >= 0

is what the policy costs over the horizon, in today's pounds. Both optima are solved to
a relative gap of at most `GAP` (1e-6, or the scenario's own `solver.mip_gap` when that
is tighter). Each reported optimum is then within GAP * |NPV| of the true one, so a
difference of at most `GAP * (|with| + |without|) + £1` is noise and is reported as 0;
a difference that comes out negative is reported as 0 too (with a note when it is
beyond the tolerance, which only a run stopped by its time limit can cause).

Policies that are not set are not solved: an empty keep or close list, an infinite
cap or distance limit, no coverage rule, closable kinds that leave no existing site
forced open, a register with no must-keep site. They are still listed, with status
`not_set` and cost 0, so every summary names the same keys.

`relocation.max_km` is lifted to infinity, which makes every (function, site) pair that
hosts the type and meets its security need eligible; when that would exceed
`max_pairs` (200,000 by default) the policy is `declined` with a message, not solved.

Every plan that keeps a policy is a plan without it, so the optimum with every policy
is a plan of each lifted model, and a good one: the solves without a policy start from
it (`estate.pipeline.first_plan_of`), which is where HiGHS proves a small gap fastest.
The scenario's own optimum is solved first, from the scenario's plan when the caller
has one, and not at all when that plan is already proven to `GAP`.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from estate.load.scenario import Scenario
from estate.load.validate import Register, load_register
from estate.model.arrays import NamedPlan
from estate.results import money
from estate.results.amounts import how_many_named, rate_words
from estate.results.policy_cost import PolicyCost, PolicyStatus
from estate.results.words import IN_YEAR_ONE
from estate.runs.executor import run_all
from estate.runs.national import areas_of
from estate.runs.optimum import GAP, Optimum, exact_optimum

MAX_PAIRS = 200_000
"""Eligible pairs above which lifting `relocation.max_km` is declined."""


@dataclasses.dataclass(frozen=True)
class _Policy:
    """One policy: its key, the scenario and register without it, and its words."""

    name: str
    is_set: bool
    scenario: Scenario | None
    register: Register | None
    phrase: str
    declined: str = ""


def _in_scope(scenario: Scenario, register: Register) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The sites and functions of the agencies the scenario plans for (all when it names
    none)."""
    sites, functions = register.sites, register.functions
    if scenario.agencies:
        chosen = set(scenario.agencies)
        sites = sites[sites["agency_id"].isin(chosen)]
        functions = functions[functions["agency_id"].isin(chosen)]
    return sites, functions


def _listed(ids: list[str] | tuple[str, ...], limit: int = 5) -> str:
    limit = how_many_named(len(ids), limit)
    shown = ", ".join(str(i) for i in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _sites_phrase(ids: list[str], candidates: set[str], existing_words: str,
                  candidate_words: str) -> str:
    """Sites in words, the existing ones by `existing_words` and the candidates (which
    do not exist today) by `candidate_words`, each a template with {} for the ids."""
    existing = [i for i in ids if i not in candidates]
    new = [i for i in ids if i in candidates]
    parts = [existing_words.format(_listed(existing))] if existing else []
    parts += [candidate_words.format(_listed(new))] if new else []
    said = " and ".join(parts)
    return said[:1].upper() + said[1:]


def _keep_phrase(ids: list[str], candidates: set[str]) -> str:
    """Sites that must be open: an existing site is kept open, a candidate is built
    ("Keeping S1 open and building S5")."""
    return _sites_phrase(ids, candidates, "keeping {} open", "building {}")


def _close_phrase(ids: list[str], candidates: set[str]) -> str:
    """Sites that must not be open: an existing site is closed, a candidate is not built
    (DESIGN 2: "closed (or not built)"): "Closing S2 and not building S5"."""
    return _sites_phrase(ids, candidates, "closing {}", "not building {}")


def _must_keep_phrase(flagged: list[str], candidates: set[str]) -> str:
    count = _count(len(flagged), "must-keep site")
    if not candidates.intersection(flagged):
        return f"Keeping the register's {count} ({_listed(flagged)}) open"
    return f"{_keep_phrase(flagged, candidates)} (the register's {count})"


def _coverage_phrase(rule: Any) -> str:
    service = rule.service.replace("_", " ")
    if rule.mode == "all":
        return f"Keeping every zone within {rule.radius_km:g} km of {service}"
    if rule.mode == "population_share":
        # as the scenario gives it: 0.955 is 95.5%, not 96% (nor 0.995 100%)
        return (f"Keeping {rate_words(rule.population_share)} of residents within "
                f"{rule.radius_km:g} km of {service}")
    return f"Keeping {service} within {rule.radius_km:g} km wherever it is today"


def unlimited_pairs(scenario: Scenario, register: Register) -> int:
    """Eligible (function, site) pairs with no distance limit: sites hosting the type and
    secure when needed (plus each function's home when it is not one of them)."""
    sites, functions = _in_scope(scenario, register)
    if len(functions) == 0 or len(sites) == 0:
        return 0
    hosts = sites["hosts"].to_numpy(object)
    secure = sites["secure"].to_numpy(bool)
    total = 0
    for (ftype, needs_secure), count in functions.groupby(["type", "needs_secure"]).size().items():
        ok = np.fromiter((len(h) == 0 or ftype in h for h in hosts), bool, len(hosts))
        if needs_secure:
            ok &= secure
        total += int(count) * int(ok.sum())
    return total + len(functions)  # a home outside the set is eligible too (upper bound)


def policies(scenario: Scenario, register: Register, max_pairs: int = MAX_PAIRS
             ) -> list[_Policy]:
    """Every policy a scenario can set, each with the scenario (or register) that lifts it."""
    replace = dataclasses.replace
    sites, _ = _in_scope(scenario, register)
    candidates = set(register.sites.loc[register.sites["candidate"], "site_id"])
    out: list[_Policy] = []
    for i, rule in enumerate(scenario.coverage):
        rest = tuple(r for j, r in enumerate(scenario.coverage) if j != i)
        out.append(_Policy(f"coverage.{rule.index}", True, replace(scenario, coverage=rest),
                           register, _coverage_phrase(rule)))
    out.append(_Policy("policy.keep", bool(scenario.keep), replace(scenario, keep=()), register,
                       _keep_phrase(list(scenario.keep), candidates)))
    out.append(_Policy("policy.close", bool(scenario.close), replace(scenario, close=()),
                       register, _close_phrase(list(scenario.close), candidates)))
    cap = scenario.max_one_off
    out.append(_Policy("policy.max_one_off", math.isfinite(cap),
                       replace(scenario, max_one_off=math.inf), register,
                       f"Capping net one-off spend at {money(cap)}"
                       # each area is planned on its own, under its own cap
                       + (" in each area" if areas_of(register) else "")))
    existing = sites[~sites["candidate"]]
    fixed_kinds = sorted(set(existing["kind"]) - set(scenario.closable_kinds))
    all_kinds = tuple(dict.fromkeys([*scenario.closable_kinds, *sorted(set(sites["kind"]))]))
    n_fixed = int((~existing["kind"].isin(scenario.closable_kinds)).sum())
    out.append(_Policy("policy.closable_kinds", bool(fixed_kinds),
                       replace(scenario, closable_kinds=all_kinds), register,
                       f"Keeping every {_listed([k.replace('_', ' ') for k in fixed_kinds])} "
                       f"open ({_count(n_fixed, 'site')} of kinds outside policy.closable_kinds)"))
    flagged = sites.loc[sites["must_keep"], "site_id"].tolist()
    unflagged = register.sites.assign(must_keep=False)
    out.append(_Policy("must_keep", bool(flagged), scenario,
                       replace(register, sites=unflagged),
                       _must_keep_phrase(flagged, candidates)))
    limit = scenario.max_km
    declined = ""
    if math.isfinite(limit):
        n_pairs = unlimited_pairs(scenario, register)
        if n_pairs > max_pairs:
            declined = (f"not priced: with no distance limit the model would have about "
                        f"{n_pairs:,} eligible (function, site) pairs, more than the "
                        f"{max_pairs:,} allowed; price a larger finite limit with a sweep of "
                        f"relocation.max_km instead")
    out.append(_Policy("relocation.max_km", math.isfinite(limit),
                       replace(scenario, max_km=math.inf), register,
                       f"Limiting moves to {limit:g} km", declined))
    return out


def _years(scenario: Scenario) -> str:
    h = scenario.horizon_years
    return f"{h} year{'s' if h != 1 else ''}"


def _npv(scenario: Scenario) -> str:
    """What a policy's cost is the NPV of: beside a dated programme, the plan's with every
    change made in year 1, as the optima are (not the programme's)."""
    return f"NPV {IN_YEAR_ONE}" if scenario.programme is not None else "NPV"


def sentence(phrase: str, cost: float | None, scenario: Scenario) -> str:
    """"Keeping public access within 15 km costs £2.3m over 10 years"."""
    if cost is None:
        return f"{phrase}: cost not known"
    if cost <= 0:
        return f"{phrase} costs nothing over {_years(scenario)} (it does not bind)"
    return f"{phrase} costs {money(cost)} over {_years(scenario)} ({_npv(scenario)})"


def _solve(task: tuple[Scenario, Register, NamedPlan | None, dict[str, Any] | None]
           ) -> Optimum:
    """Worker: one optimum (the scenario's, or one without a policy); the last item is
    where a national register's areas are solved (`exact_optimum`'s `on`)."""
    return exact_optimum(*task)


def _price(policy: _Policy, base: Optimum, without: Optimum, scenario: Scenario
           ) -> PolicyCost:
    """A policy's cost from the optima with it (`base`) and without it."""
    optima = PolicyCost(PolicyStatus.PRICED, "", None, with_npv=base.npv,
                        with_status=str(base.status), without_npv=without.npv,
                        without_status=str(without.status))
    if base.npv is None or without.npv is None:
        failed, which = (base, "with") if base.npv is None else (without, "without")
        return dataclasses.replace(
            optima, status=PolicyStatus.FAILED, sentence=sentence(policy.phrase, None, scenario),
            message=f"the optimum {which} it could not be found ({failed.status}: "
                    f"{failed.message})")
    diff = base.npv - without.npv
    tol = GAP * (abs(base.npv) + abs(without.npv)) + 1.0
    notes = []
    if diff < -tol:
        notes.append(f"the optimum without it came out {money(-diff)} dearer, which only an "
                     "unproven (time-limited) solve allows; reported as 0")
    cost = 0.0 if diff <= tol else round(diff, 2)
    said = sentence(policy.phrase, cost, scenario)
    low = high = None
    if not (base.proven and without.proven):
        # each optimum lies between its solver's bound and the plan found
        low = round(max(0.0, base.bound - without.npv), 2)
        high = max(0.0, base.npv - without.bound)
        notes.append("a solve stopped before proving a gap of 1e-6 (time limit): the cost "
                     "is not proven")
        span = (f"between {money(low)} and {money(high)}" if math.isfinite(high)
                else f"at least {money(low)}")
        said = (f"{policy.phrase} costs {span} over {_years(scenario)} ({_npv(scenario)}; "
                "not proven: raise solver.time_limit_s to narrow it)")
        high = round(high, 2) if math.isfinite(high) else None  # no bound above
    return dataclasses.replace(optima, sentence=said, npv=cost, npv_low=low, npv_high=high,
                               message="; ".join(notes) or None)


def policy_costs(scenario: Scenario, register: Register | None = None,
                 max_pairs: int = MAX_PAIRS, progress: Any = None, *,
                 executor: str = "serial", workers: int | None = None,
                 scheduler: str | None = None, known: Optimum | None = None,
                 searched: bool = False) -> dict[str, PolicyCost]:
    """The NPV each policy of `scenario` costs, keyed by its scenario key.

    Each value is a `PolicyCost`: its status (`priced`, `not_set`, `declined` or
    `failed`), `npv` (the cost in pounds, 0 for a policy that does not bind or is not
    set, None when not priced), `sentence` (the cost in words), and for priced policies
    the two optima and their statuses; `message` explains anything odd. When a solve
    did not prove the 1e-6 gap (time limit), `npv_low` and `npv_high` bound the true
    cost from the solvers' bounds.

    `known`: the scenario's plan already found (`optimum_of`), taken as its optimum when
    proven to GAP or when `searched` (it is then `exact_plan`'s answer, proven or not),
    else searched on from. The scenario's optimum comes first; the optima
    without each policy start from it and are independent solves: `executor` ("serial",
    "local" for a process pool of `workers`, "dask" for the cluster at `scheduler`) runs
    them one by one or side by side, with the same costs either way.
    """
    if register is None:
        register = load_register(Path(scenario.data))
    say = progress or (lambda _: None)
    out: dict[str, PolicyCost | None] = {}
    priced: list[_Policy] = []
    for policy in policies(scenario, register, max_pairs):
        if not policy.is_set:
            out[policy.name] = PolicyCost(PolicyStatus.NOT_SET, f"{policy.name} is not set",
                                          0.0)
        elif policy.declined:
            out[policy.name] = PolicyCost(PolicyStatus.DECLINED,
                                          f"{policy.phrase}: {policy.declined}", None,
                                          message=policy.declined)
        else:
            out[policy.name] = None  # priced below; keeps the order of `policies`
            priced.append(policy)
    if not priced:
        return _costs(out)
    on = None
    if areas_of(register):  # each optimum plans its areas on a pool: not a pool in a pool
        on = {"executor": "local" if executor == "serial" else executor,
              "scheduler": scheduler, "workers": workers}
        executor = "serial"
    base = known if known is not None and (known.proven or searched) else None
    if base is None:
        start = None if known is None else known.plan
        say("Policy costs: solving the scenario to a gap of 1e-6"
            + (" from its plan" if start is not None else ""))
        # alone, so in this process unless on a cluster: a pool of one only adds start-up
        base = _one(_solve, (scenario, register, start, on),
                    "dask" if executor == "dask" else "serial", workers, scheduler)
    elif known is not None and known.proven:
        say("Policy costs: each policy is priced from the scenario's plan, proven to 1e-6")
    start = base.plan or (None if known is None else known.plan)
    tasks = [(p.scenario, p.register, start, on) for p in priced]
    how_many = f"{len(tasks)} optim{'um' if len(tasks) == 1 else 'a'}"
    say(f"Policy costs: solving {how_many}, each without one policy, to a gap of 1e-6"
        + (", from the scenario's plan" if start is not None else ""))
    optima: dict[int, Optimum] = {}
    runs = run_all(_solve, tasks, executor, workers=workers, scheduler=scheduler)
    for done, (i, optimum) in enumerate(runs, 1):
        if isinstance(optimum, BaseException):  # `exact_optimum` keeps EstateErrors: a bug
            raise optimum
        optima[i] = optimum
        say(f"Policy costs: solved without {priced[i].name} ({done}/{len(tasks)})")
    for i, policy in enumerate(priced):
        out[policy.name] = _price(policy, base, optima[i], scenario)
    return _costs(out)


def _costs(out: dict[str, PolicyCost | None]) -> dict[str, PolicyCost]:
    """The costs in the order of `policies`, each priced by now."""
    assert all(cost is not None for cost in out.values())
    return {name: cost for name, cost in out.items() if cost is not None}


def _one(fn: Any, task: Any, executor: str, workers: int | None, scheduler: str | None
         ) -> Any:
    """`fn(task)` on the executor, its exception raised here (`exact_optimum` keeps
    EstateErrors, so any exception is a bug)."""
    for _, result in run_all(fn, [task], executor, workers=workers, scheduler=scheduler):
        if isinstance(result, BaseException):
            raise result
        return result
    raise AssertionError("run_all ran no task")
