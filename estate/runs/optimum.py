"""The optimum a policy cost is measured from: a plan searched to a relative gap of
`GAP`, proven or bounded, and what is known of it (`Optimum`).

Every policy cost is the difference of two optima (`estate.runs.policy`): the
scenario's, and the scenario's without one policy. Each is searched to `GAP` (1e-6, or
the scenario's own tighter gap) by `exact_plan`, on SCIP too where HiGHS leaves one
unproven, and two searches of one model are taken together by `best_of`.
`searched_plan` makes the scenario's own optimum the plan written when it is cheaper
than the plan first found, so a plan and the costs of its policies share one optimum.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

from estate.errors import EstateError
from estate.load.scenario import Scenario
from estate.load.validate import Register
from estate.model.arrays import NamedPlan
from estate.model.build import EstateModel
from estate.pipeline import Clock, Progress
from estate.results import Plan, Summary
from estate.results.area_figures import AreaFigures
from estate.results.words import known_gap
from estate.runs.national import plan_register
from estate.solve import available_solvers
from estate.status import Status, status_of, worst

GAP = 1e-6
"""Relative MIP gap both optima of a policy cost are solved to."""


def exact_scenario(scenario: Scenario) -> Scenario:
    return dataclasses.replace(scenario, mip_gap=min(scenario.mip_gap, GAP))


@dataclasses.dataclass(frozen=True)
class Optimum:
    """One of the optima a policy cost is the difference of: the scenario's, or the
    scenario's without one policy."""

    status: Status
    npv: float | None  # None: no plan (infeasible, time limit, bad input)
    gap: float | None = None  # the solver's relative gap on the NPV
    proven: bool = False  # optimal within GAP
    message: str = ""  # why there is no plan
    plan: NamedPlan | None = None  # its columns, for the next solves to start from

    @property
    def bound(self) -> float:
        """The solver's lower bound on the optimum (`lower_bound`)."""
        return lower_bound(self.npv, self.gap)


def lower_bound(npv: float | None, gap: float | None) -> float:
    """The lower bound a plan of `npv` within the relative `gap` proves: NPV - gap x
    |NPV|; -inf when either is unknown, or when the gap is over 100%: the bound is then
    still the solver's first guess (the terminal calls the distance unknown), true but
    so far below any plan that a policy's cost of £0 to £78bn would be all it gives."""
    if npv is None or not known_gap(gap):
        return -math.inf
    return npv - float(gap) * abs(npv)


def optimum_of(model: EstateModel | None, plan: Plan) -> Optimum:
    """A solved plan as an optimum: proven when optimal within GAP (HiGHS has been seen
    to call a wider gap optimal), with its columns when it is one locality's."""
    values = None if plan.solution is None else plan.solution.values
    named = None if model is None or values is None else NamedPlan.of(model, values)
    return stored_optimum(plan.summary, named)


def stored_optimum(summary: Summary, plan: NamedPlan | None = None) -> Optimum:
    """A plan's summary as an optimum (`optimum_of`; a stored plan has no columns)."""
    gap = summary.mip_gap
    proven = (summary.status == Status.OPTIMAL and gap is not None and math.isfinite(gap)
              and gap <= GAP * 1.01)
    return Optimum(summary.status, summary.objective_npv, _gap_of_whole(summary, gap),
                   proven, plan=plan)


def _gap_of_whole(summary: Summary, gap: float | None) -> float | None:
    """The relative gap of a national plan's total NPV from its areas' own bounds: its
    `mip_gap` is the largest area's (as docs/formats.md says), which, taken of the whole NPV,
    would bound the optimum as if every area were as far from proof as the worst one
    (a policy's cost of £0 to £13.6bn on an estate of £2.2bn). One locality's: as given."""
    areas = summary.areas or {}
    if not areas or summary.objective_npv is None:
        return gap
    bound = sum(lower_bound(a.objective_npv, a.mip_gap) for a in areas.values())
    if not math.isfinite(bound):  # an area with no bound
        return gap
    return max(summary.objective_npv - bound, 0.0) / max(abs(summary.objective_npv), 1.0)


def exact_optimum(scenario: Scenario, register: Register, start: NamedPlan | None,
                  on: Mapping[str, Any] | None = None) -> Optimum:
    """Solve one scenario to the exact gap, from `start` when it is a plan of its model:
    its status, NPV and a message on failure (`exact_plan`'s optimum)."""
    return exact_plan(scenario, register, start, on=on, realise=False)[0]


def exact_plan(scenario: Scenario, register: Register, start: NamedPlan | None,
               say: Progress | None = None, on: Mapping[str, Any] | None = None,
               realise: bool = True) -> tuple[Optimum, EstateModel | None, Plan | None]:
    """`exact_optimum`, with the plan it found and that plan's model (None, None when
    none was found). `say`: where each search stands, as it runs (a search to 1e-6 can
    take its whole time limit twice over, HiGHS's and SCIP's), said as the plan's own
    search is ("Search, 30 s: best plan NPV ..., bound ..."); the stages are not.

    An optimum HiGHS leaves unproven with shared centres in the model is searched again
    on SCIP (when installed), from HiGHS's plan and with the same time limit: SCIP
    branches on the sites first, which proves some of these models where HiGHS does not
    (benchmarks/README.md, "SCIP, sites first"). The answer takes the better plan and
    the higher bound of the two. `on`: where a national register's areas are solved
    (`plan_register`'s `executor`, `scheduler` and `workers`: the plan's own);
    `realise`: whether a dated plan not scheduled is dated for its realised saving.
    """
    on = on or {}
    try:
        model, result = plan_register(exact_scenario(scenario), register, start=start,
                                      clock=Clock(searching=say) if say else None,
                                      realise=realise, **on)
    except EstateError as exc:
        return Optimum(status_of(exc), None, message=str(exc).splitlines()[0]), None, None
    found = optimum_of(model, result)
    if not _second_search(scenario, model, found):
        return found, model, result
    try:
        if say is not None:
            say("the search ran out of time short of 1e-6: searched again on SCIP, which "
                "tries the sites first, from its plan")
        second_model, second = plan_register(
            exact_scenario(dataclasses.replace(scenario, solver="scip")), register,
            start=found.plan, clock=Clock(searching=say) if say else None,
            realise=realise, **on)
    except EstateError:
        return found, model, result
    other = optimum_of(second_model, second)
    best = best_of(found, other)
    if other.npv is not None and (found.npv is None or other.npv < found.npv):
        return best, second_model, second
    return best, model, result


def _second_search(scenario: Scenario, model: EstateModel | None, found: Optimum) -> bool:
    return (scenario.solver == "highs" and found.npv is not None and not found.proven
            and model is not None and len(model.centres) > 0
            and "scip" in available_solvers())


def best_of(a: Optimum, b: Optimum) -> Optimum:
    """Two searches of one model as one: the cheaper plan, the higher of the bounds."""
    if a.npv is None or b.npv is None:
        return a if b.npv is None else b
    plan = a if a.npv <= b.npv else b
    assert plan.npv is not None
    bound = max(a.bound, b.bound)
    gap = (plan.npv - bound) / max(abs(plan.npv), 1.0) if math.isfinite(bound) else math.inf
    gap = max(gap, 0.0)
    proven = a.proven or b.proven or gap <= GAP * 1.01
    return dataclasses.replace(plan, gap=gap, proven=proven,
                               status=Status.OPTIMAL if proven else plan.status)


def searched_plan(scenario: Scenario, register: Register, model: EstateModel | None,
                  plan: Plan, say: Progress | None = None,
                  on: Mapping[str, Any] | None = None
                  ) -> tuple[EstateModel | None, Plan, Optimum]:
    """The scenario's optimum its policies are priced from: `plan` itself when proven to
    GAP, else `exact_plan`'s search from it. When that search finds a cheaper plan, it
    is the plan returned, with its model, so that the plan written, its programme,
    alternatives and maps are the optimum the policy costs are measured from, not a
    dearer plan the scenario's `mip_gap` or time limit let stop sooner. The two
    searches are taken together (`best_of`: the cheaper plan, the higher bound), so the
    plan's gap is never wider than the first search proved, and narrower when the second
    proved more (the plan kept or the cheaper one); its status is optimal when that gap
    is within the scenario's own `mip_gap`, as the first plan's was. Returns
    (model, plan, optimum) for `policy_costs(known=..., searched=True)`."""
    known = optimum_of(model, plan)
    if known.proven:
        return model, plan, known
    found, found_model, better = exact_plan(scenario, register, known.plan, say, on)
    both = best_of(known, found)
    npv = plan.summary.objective_npv
    gap = both.gap if both.gap is not None and math.isfinite(both.gap) else None
    within = both.proven or (gap is not None and gap <= scenario.mip_gap)
    # a national plan's gap is its largest area's (docs/formats.md), so its areas are
    # taken together area by area; `gap`, the whole NPV's, is for pricing
    national = bool(plan.summary.areas)
    if better is not None and found.npv is not None and not national and \
            _realises_less(better.summary, plan.summary) and math.isfinite(both.bound):
        # the plan stands, as it saves more once dated; its gap is its own objective's
        # from the bound both searches proved
        gap = max(npv - both.bound, 0.0) / max(abs(npv), 1.0)
        within = gap <= scenario.mip_gap
    if better is None or found.npv is None or found.npv >= npv - (GAP * abs(npv) + 1.0) \
            or _realises_less(better.summary, plan.summary):
        # the plan stands, proven closer than its own search left it: its gap says so
        # (it kept the first search's 0.22% beside policy costs measured from it, proven)
        if national and better is not None:
            plan.summary = areas_best_of(plan.summary, better.summary, scenario.mip_gap)
        elif not national and gap is not None and (plan.summary.mip_gap is None
                                                   or gap < plan.summary.mip_gap):
            plan.summary = plan.summary.replace(
                mip_gap=gap, status=Status.OPTIMAL if within else plan.summary.status)
        return model, plan, both
    better.summary = (areas_best_of(better.summary, plan.summary, scenario.mip_gap)
                      if national else better.summary.replace(
                          mip_gap=gap, status=Status.OPTIMAL if within else
                          better.summary.status))
    return found_model, better, both


def _realises_less(found: Summary, plan: Summary) -> bool:
    """Dated and not scheduled, a plan the exact search found cheaper by the snapshot's
    objective whose changes, dated, realise less than the plan's (`booked_early_npv`):
    the plan reported is the one that saves more, so it stands."""
    if found.booked_early_npv is None or plan.booked_early_npv is None:
        return False
    return found.npv_saving < plan.npv_saving - 1.0


def areas_best_of(plan: Summary, other: Summary, mip_gap: float) -> Summary:
    """A national plan's summary with each area's gap from the higher of the two
    searches' bounds on that area (`best_of`, area by area: `other` searched the same
    areas), the area optimal when that gap is within `mip_gap`, and the plan's status
    and gap the worst and the largest of its areas', as docs/formats.md defines them."""
    areas: dict[str, AreaFigures] = {}
    for name, own in (plan.areas or {}).items():
        theirs = (other.areas or {}).get(name)
        npv = own.objective_npv
        bound = max(lower_bound(npv, own.mip_gap), -math.inf if theirs is None
                    else lower_bound(theirs.objective_npv, theirs.mip_gap))
        if npv is None or not math.isfinite(bound):
            areas[name] = own
            continue
        gap = max(npv - bound, 0.0) / max(abs(npv), 1.0)
        areas[name] = own.replace(mip_gap=gap, status=Status.OPTIMAL if gap <= mip_gap
                                  else own.status)
    gaps = [a.mip_gap for a in areas.values() if a.mip_gap is not None]
    # an area whose gap is not known leaves the whole's unknown, as the merge does
    return plan.replace(areas=areas, mip_gap=max(gaps) if len(gaps) == len(areas) else None,
                        status=worst([a.status for a in areas.values()]))
