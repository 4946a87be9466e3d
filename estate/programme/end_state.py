"""The plan a dated programme ends at, when that is not the snapshot's.

The joint model (`joint`) is free to reach another end state than the snapshot's
optimum: when the budgets or the timing bind, keeping a leased office open and building
nothing may pay better over the years than the snapshot's closures and new hub. The
roadmap schedules the snapshot's changes but may leave some out (they cannot happen, or
do not pay, within the horizon): the estate it reaches is then not the snapshot's. The
results folder, the map and the board pack must then tell that one plan, not the
snapshot's sites beside the joint's programme. `programme_plan` makes the plan of the
programme's end state by the path every plan takes (`make_plan`): the snapshot model's
decision columns fixed at that state, the model solved (the rest of its columns, the
counts and reaches the decisions imply, follow), and every table made from that vector.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from estate.model.arrays import EstateModel
from estate.prepare import Prepared
from estate.programme.changes import changes_of
from estate.programme.joint import end_state_differences
from estate.results import Plan, Programme, State, make_plan, solved_state
from estate.results.summary import PLAN_FROM
from estate.solve import Solution
from estate.solve.highs import lp_from_arrays, search
from estate.status import Status


def decision_values(prep: Prepared, model: EstateModel, state: State) -> dict[str, np.ndarray]:
    """The snapshot model's decision blocks (open, assign, pooled, shared) for a state."""
    values = {"open": state.open.astype(float), "assign": state.share.astype(float),
              "shared": state.shared.astype(float)}
    if "pooled" in model.blocks:
        values["pooled"] = state.pooled[model.pool["pair"].to_numpy()].astype(float) \
            if len(model.pool) else np.zeros(0)
    return values


def fixed_vector(prep: Prepared, model: EstateModel, state: State, time_limit_s: float
                 ) -> np.ndarray | None:
    """The snapshot model's column vector of `state`: its decision columns fixed there,
    the model solved by HiGHS for the rest (counts of pooled teams, zones reached), which
    those decisions settle. None when the state breaks a rule of the snapshot model (a
    bound every plan keeps, or a row as `EstateModel.keeps_every_rule` checks it).

    The bounds are those every plan keeps (`EstateModel.every_plan_bounds`), not the
    solver's: in a model of coverage alone the reductions fix a dominated site shut,
    which keeps the optimum but not every plan, and a programme may well end with such
    a site open (its closing left out, or another closed instead)."""
    lb, ub = model.every_plan_bounds()
    every_plan = replace(model, col_lb=lb.copy(), col_ub=ub.copy(),
                         fixed_for_optimum=np.empty(0, np.int64))
    for name, values in decision_values(prep, model, state).items():
        block = model.blocks[name]
        if (values < lb[block] - 1e-9).any() or (values > ub[block] + 1e-9).any():
            return None
        lb[block] = ub[block] = values
    lp = lp_from_arrays(model.matrix.tocsc(), model.col_cost, lb, ub, model.row_lb,
                        model.row_ub, model.col_integer, model.obj_constant)
    found = search(lp, model.col_cost, model.obj_constant, bool(model.col_integer.any()),
                   max(time_limit_s, 1.0), 0.0)
    if found.values is None or not every_plan.keeps_every_rule(found.values):
        return None
    return found.values


def programme_plan(prep: Prepared, model: EstateModel, snapshot: Plan, programme: Programme,
                   time_limit_s: float, programme_seconds: float = 0.0) -> Plan:
    """The plan of `programme`'s end state when it is not the snapshot's: its tables
    made from it as from any solution, its status and gap the programme's (it is the
    dated programme's optimum, not the snapshot's), and the summary saying so
    (`plan_from`), with the snapshot optimum's own saving and how its end state differs,
    for reference; its solve time the snapshot's and the programme's searches together
    (`programme_seconds`), as its status is the programme's. `snapshot` itself, with
    `programme`, when the programme ends where the snapshot does, or when its end state
    breaks a rule of the snapshot model (a note says so)."""
    end = programme.end_state
    if end is None:
        return _with(snapshot, programme, "snapshot")
    assert snapshot.solution is not None and snapshot.solution.values is not None
    values = fixed_vector(prep, model, end, time_limit_s)
    if values is None:
        # the years keep the snapshot's rules of room and `all` / `maintain` coverage, but
        # not a population_share rule or policy.max_one_off's total: an estate reached
        # with changes left out may break one; the tables then show the snapshot's plan,
        # and the note says plainly that the programme does not reach it
        kept = replace(programme, end_state=None, notes=(
            *programme.notes, "the estate the programme reaches by the horizon's end "
            "breaks a rule of the snapshot model (a population_share coverage rule or "
            "policy.max_one_off, which the years do not check), so sites.csv, the map and "
            "the board pack show the snapshot optimum's end state, which the programme "
            "does not reach: programme.csv says what it does"))
        return _with(snapshot, kept, "snapshot")
    gap = programme.mip_gap
    solution = Solution(Status(programme.status), float(model.col_cost @ values)
                        + model.obj_constant, math.nan,
                        math.nan if gap is None else gap, snapshot.solution.seconds + programme_seconds,
                        snapshot.solution.solver, values)
    plan = make_plan(prep, model, solution)
    before = changes_of(prep, model, solved_state(prep, model, snapshot.solution.values))
    after = changes_of(prep, model, end)
    plan.timings = dict(snapshot.timings)
    plan.warnings = list(snapshot.warnings)
    plan.summary = plan.summary.replace(
        snapshot_npv_saving=snapshot.summary.npv_saving,
        snapshot_differs=tuple(end_state_differences(prep, model, after, before)))
    return _with(plan, programme, "programme")


def _with(plan: Plan, programme: Programme, plan_from: str) -> Plan:
    """`plan` with its programme, and its summary with the programme's figures and
    where the plan comes from."""
    assert plan_from in PLAN_FROM
    plan.programme = programme
    plan.summary = plan.summary.replace(programme=programme.summary(), plan_from=plan_from)
    return plan
