"""What a dated plan that is not scheduled can really save: its own changes, every one
made, dated at least cost within the rules of DESIGN 9, with no yearly limit.

The snapshot prices each change from the soonest any programme could make it
(`estate.model.costs.savings_waited`, `closing_wait`): a bound the solver can work
with, but one the plan's own choices can make it miss (a centre whose partners come
late, a team whose new desks are still being built, or still taken by a team that
leaves only once its own new site opens). The NPV a plan reports must not count savings
no programme can realise (DESIGN 9), so its figure is that of the roadmap (`roadmap`)
of its changes, each required, without limits: a real programme of this plan's end
state, its cash agency by agency as `cashflow.csv` would tell it. The snapshot's
objective stays the figure the solver's gap is measured against; the difference is the
summary's `booked_early_npv`.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from estate.errors import Problem, ProblemKind
from estate.load.scenario import ProgrammeLimits
from estate.model.arrays import EstateModel
from estate.programme import programme_of
from estate.programme.changes import changes_of
from estate.programme.roadmap import solve_roadmap
from estate.programme.today import grace_of
from estate.results import Plan, Programme, money, solved_state
from estate.results.booked_early import BOOKED_EARLY, SCHEDULE_IT
from estate.status import Status


def realised(plan: Plan, model: EstateModel | None) -> Plan:
    """`plan` with the NPV saving its own changes realise when dated at least cost
    (`realised_programme`), in its summary and per agency in agencies.csv, and
    `booked_early_npv`, what the snapshot's objective counts beyond it (below nought
    where that schedule opens a new site, pays a centre's set-up or a move later than
    the snapshot prices it). A plan without a start date, a scheduled one (whose
    programme's figures lead) and one whose changes no roadmap schedules (the
    snapshot's own waits, `estate.results.booked_early`, are then taken off) come back
    as they are."""
    prep = plan.prepared
    if (model is None or prep is None or prep.calendar is None or plan.solution is None
            or plan.solution.values is None or prep.scenario.programme is not None):
        return plan
    programme = realised_programme(plan, model)
    if programme is None:
        return plan
    s = plan.summary
    snapshot = s.status_quo_npv - s.objective_npv
    agencies = plan.agencies.copy()
    ids = agencies["agency_id"].astype(str)
    own = agencies["npv_saving"].to_numpy(float) + agencies["booked_early_npv"].to_numpy(float)
    dated = pd.Series(programme.agency_npv()).reindex(ids).fillna(0.0).to_numpy()
    # + 0.0: a nought of rounding is written 0.0, not -0.0
    agencies["booked_early_npv"] = (own - dated).round(2) + 0.0
    agencies["npv_saving"] = dated.round(2) + 0.0
    booked = snapshot - programme.npv_saving
    further = booked - (s.booked_early_npv or 0.0)
    return dataclasses.replace(
        plan, agencies=agencies,
        summary=s.replace(npv_saving=round(programme.npv_saving, 2),
                          booked_early_npv=round(booked, 2) + 0.0),
        warnings=plan.warnings + _further(plan, further, (s.booked_early_npv or 0.0) >= 0.5,
                                          programme.status == str(Status.OPTIMAL)))


def realised_programme(plan: Plan, model: EstateModel) -> Programme | None:
    """The cheapest programme of exactly `plan`'s end state: every change it makes is
    required within the horizon, with no yearly limit; None when the roadmap finds none
    (a change that cannot happen within the horizon)."""
    prep = plan.prepared
    assert prep is not None and prep.calendar is not None and plan.solution is not None
    assert plan.solution.values is not None
    sc = prep.scenario
    found_changes = changes_of(prep, model, solved_state(prep, model, plan.solution.values))
    changes = dataclasses.replace(found_changes,
                                  table=found_changes.table.assign(required=True))
    grace = grace_of(prep, model, prep.calendar.horizon)
    free = ProgrammeLimits(max_one_off_per_year=(np.inf,) * prep.calendar.horizon)
    found = solve_roadmap(prep, model, changes, free, grace, sc.time_limit_s,
                          min(sc.mip_gap, 1e-6))
    if not found.status.has_plan:
        return None
    return programme_of(prep, model, changes, found.years, free, "roadmap", found.status,
                        found.mip_gap, grace)


def _further(plan: Plan, further: float, more: bool, proven: bool) -> list[Problem]:
    """A warning when the plan's own programme realises less than the snapshot's waits
    (`estate.results.booked_early`, said `more` when they are warned of too) account
    for: a wait they do not see, such as a team whose new desks another team frees only
    once its own new site opens, or a dating the time limit stopped short of proof."""
    if further < 0.5:
        return []
    path = plan.prepared.scenario.path if plan.prepared is not None else None
    label = str(path) if path else plan.summary.scenario
    why = ("a wait for desks that another team frees only once it has moved, say" if proven
           else "the dating of its changes stopped at the time limit, so a cheaper one may "
           "save more")
    said = (f"the NPV saving leaves out {money(further)}{' more' if more else ''} that the "
            f"snapshot counts before the plan's changes can be made ({why}): the plan's "
            f"changes, dated at least cost, save that much less{SCHEDULE_IT}")
    return [Problem(label, None, "programme", BOOKED_EARLY, said, severity="warning",
                    label="key", sentence=said, kind=ProblemKind.BOOKED_EARLY)]
