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

An estate reached with changes left out keeps every rule each year of the programme
keeps, but a `population_share` coverage rule no year checks. The plan is still that
estate, as the programme really ends there: the rows of those rules are set aside while
its vector is made, and each one it breaks is named, in the programme's notes and in
the summary's `plan_breaches`.

`policy.max_one_off` is held by both methods over what the programme really spends,
each surrender in the year its closing buys it. The snapshot model counts the surrender
of each site's first possible closing year instead (as if every change were made then,
which the destination's build time may forbid), so the end state's one-off as the
snapshot counts it may be over the cap though the programme is not: its row is set
aside too, never named a breach, and a note says why the plan's one-off reads over it.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from estate.errors import ProblemKind
from estate.load.scenario import CoverageRule
from estate.model.arrays import EstateModel, row_slack
from estate.prepare import Prepared
from estate.programme.changes import changes_of
from estate.programme.joint import end_state_differences
from estate.results import (
    SHARE_REACHED,
    Breach,
    Plan,
    Programme,
    State,
    make_plan,
    money,
    solved_state,
)
from estate.results.programme import EndVector
from estate.results.summary_values import PLAN_FROM
from estate.results.words import breach_sentence
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


def reach_values(prep: Prepared, model: EstateModel, state: State) -> dict[str, np.ndarray]:
    """The reach columns of each population_share rule at a state: 1 for a zone an open
    site offering the service reaches, else 0 (the most each zone may count)."""
    out = {}
    for cov in prep.coverage:
        block = f"reach.{cov.rule.index}"
        if cov.rule.mode == "population_share" and block in model.blocks:
            zones = np.unique(cov.zone)
            out[block] = np.isin(zones, cov.zone[state.open[cov.site]]).astype(float)
    return out


def unchecked_rows(prep: Prepared, model: EstateModel) -> list[tuple[int, CoverageRule | None]]:
    """The rows of the snapshot model no year of a programme checks: each population_share
    rule's share row, with its rule, and policy.max_one_off's row (None)."""
    out: list[tuple[int, CoverageRule | None]] = []
    for cov in prep.coverage:
        rows = model.family_rows.get(f"{cov.rule.name}.share")
        if cov.rule.mode == "population_share" and rows is not None:
            out += [(r, cov.rule) for r in range(rows.start, rows.stop)]
    rows = model.family_rows.get("max_one_off")
    if rows is not None:
        out += [(r, None) for r in range(rows.start, rows.stop)]
    return out


def fixed_vector(prep: Prepared, model: EstateModel, state: State, time_limit_s: float
                 ) -> EndVector | None:
    """The snapshot model's column vector of `state`: its decision columns fixed there,
    and the zones it reaches, the model solved by HiGHS for the rest (counts of pooled
    teams), which those settle. The rows no year checks (`unchecked_rows`) are set aside
    for the solve, and those the vector breaks are named (`EndVector.breaches`). None
    when the state breaks any other rule of the snapshot model (a bound every plan keeps,
    or a row as `EstateModel.keeps_every_rule` checks it), or no vector is found.

    The bounds are those every plan keeps (`EstateModel.every_plan_bounds`), not the
    solver's: in a model of coverage alone the reductions fix a dominated site shut,
    which keeps the optimum but not every plan, and a programme may well end with such
    a site open (its closing left out, or another closed instead)."""
    lb, ub = model.every_plan_bounds()
    unchecked = unchecked_rows(prep, model)
    aside = np.array([r for r, _ in unchecked], np.int64)
    row_lb, row_ub = model.row_lb.copy(), model.row_ub.copy()
    row_lb[aside], row_ub[aside] = -np.inf, np.inf
    every_plan = replace(model, col_lb=lb.copy(), col_ub=ub.copy(), row_lb=row_lb,
                         row_ub=row_ub, fixed_for_optimum=np.empty(0, np.int64))
    fixed = {**decision_values(prep, model, state), **reach_values(prep, model, state)}
    for name, values in fixed.items():
        block = model.blocks[name]
        if (values < lb[block] - 1e-9).any() or (values > ub[block] + 1e-9).any():
            return None
        lb[block] = ub[block] = values
    lp = lp_from_arrays(model.matrix.tocsc(), model.col_cost, lb, ub, row_lb, row_ub,
                        model.col_integer, model.obj_constant)
    found = search(lp, model.col_cost, model.obj_constant, bool(model.col_integer.any()),
                   max(time_limit_s, 1.0), 0.0)
    if found.values is None or not every_plan.keeps_every_rule(found.values):
        return None
    breaches = [_breach(prep, model, found.values, r, rule) for r, rule in unchecked
                if rule is not None]
    return EndVector(found.values, tuple(b for b in breaches if b is not None))


def _breach(prep: Prepared, model: EstateModel, values: np.ndarray, row: int,
            rule: CoverageRule) -> Breach | None:
    """How `values` breaks a population_share row, as the status quo's breaches say it
    ("40.0% of people reach ..., 60.0% required"); None when it keeps it."""
    terms = model.matrix[[row]]
    activity = float((terms @ values)[0])
    slack = float(row_slack(terms, values)[0])
    if model.row_lb[row] - slack <= activity <= model.row_ub[row] + slack:
        return None
    people = float(prep.zones["population"].to_numpy(float).sum())
    return Breach(rule.name, SHARE_REACHED.format(
        share=activity / people, service=rule.service, radius=rule.radius_km)
        + f"{rule.population_share:.1%} required")


def _cap_as_counted(prep: Prepared, plan: Plan) -> str | None:
    """The note of an end state whose one-off, as the snapshot counts it, is over
    policy.max_one_off, which the programme itself keeps (module docstring); None when
    it is within it."""
    cap, counted = prep.scenario.max_one_off, plan.summary.one_off_cost
    if not math.isfinite(cap) or counted <= cap + 0.01:
        return None
    return (f"the plan's one-off cost ({money(counted)}) counts each lease surrender in the "
            "first year its site could close, as if every change were made then; the "
            "programme closes its sites when it can and buys a surrender only where that "
            "year's is cheaper than the rent, so what it spends (programme.csv) keeps "
            f"policy.max_one_off ({money(cap)})")


def programme_plan(prep: Prepared, model: EstateModel, snapshot: Plan, programme: Programme,
                   time_limit_s: float, programme_seconds: float = 0.0) -> Plan:
    """The plan of `programme`'s end state when it is not the snapshot's: its tables
    made from it as from any solution, its status and gap the programme's (it is the
    dated programme's optimum, not the snapshot's), and the summary saying so
    (`plan_from`), with the snapshot optimum's own saving and how its end state differs,
    for reference; its solve time the snapshot's and the programme's searches together
    (`programme_seconds`), as its status is the programme's. `snapshot` itself, with
    `programme`, when the programme ends where the snapshot does, or when its end state
    cannot be made a plan of the snapshot model (a note says so). An end state that
    breaks a rule no year checks (a population_share rule) is still
    the plan, as the programme ends there: the summary's `plan_breaches` and a note of
    the programme name each rule broken, and how; a note says why its one-off reads over
    policy.max_one_off when it does (`_cap_as_counted`)."""
    end = programme.end_state
    if end is None:
        return _with(snapshot, programme, "snapshot")
    assert snapshot.solution is not None and snapshot.solution.values is not None
    # made once: `plan_programme` may have made it already, to check the roadmap's end
    fixed = programme.end_vector or fixed_vector(prep, model, end, time_limit_s)
    if fixed is None or fixed.values is None:
        # every year keeps the snapshot's other rules, so this is a guard: the tables
        # then show the snapshot's plan, and the note says plainly that the programme
        # does not reach it
        kept = replace(programme, end_state=None, end_vector=None, notes=(
            *programme.notes, "the estate the programme reaches by the horizon's end "
            "could not be made a plan of the snapshot model (it breaks a rule the years "
            "keep, or no plan of it was found within the time limit), so sites.csv, the "
            "map and the board pack show the snapshot optimum's end state, which the "
            "programme does not reach: programme.csv says what it does"))
        return _with(snapshot, kept, "snapshot")
    values = fixed.values
    status, gap = Status(programme.status), programme.mip_gap
    # the roadmap is proven only among schedules of the snapshot's changes: when the
    # time limit stopped the snapshot's own search, that end state is not proven the
    # best, so neither is the plan, and how far it is from the best programme is not
    # known (each search's gap is of its own objective; neither bounds the other's)
    unproven_end = programme.method != "joint" and snapshot.summary.status == Status.TIME_LIMIT
    if unproven_end:
        status, gap = Status.TIME_LIMIT, None
    solution = Solution(status, float(model.col_cost @ values) + model.obj_constant,
                        math.nan, math.nan if gap is None else gap,
                        snapshot.solution.seconds + programme_seconds,
                        snapshot.solution.solver, values)
    plan = make_plan(prep, model, solution)
    before = changes_of(prep, model, solved_state(prep, model, snapshot.solution.values))
    after = changes_of(prep, model, end)
    plan.timings = dict(snapshot.timings)
    # the snapshot's warnings, but the leases of the sites this end state keeps
    plan.warnings = [w for w in snapshot.warnings if w.kind is not ProblemKind.LEASE_RENEWED] + [
        w for w in plan.warnings if w.kind is ProblemKind.LEASE_RENEWED]
    plan.summary = plan.summary.replace(
        snapshot_npv_saving=snapshot.summary.saving_in_year_one,
        snapshot_differs=tuple(end_state_differences(prep, model, after, before)),
        snapshot_status=snapshot.summary.status if unproven_end else None,
        snapshot_mip_gap=snapshot.summary.mip_gap if unproven_end else None,
        plan_breaches=fixed.breaches or None)
    if (over := _cap_as_counted(prep, plan)) is not None:
        programme = replace(programme, notes=(*programme.notes, over))
    if fixed.breaches:
        programme = replace(programme, notes=(
            *programme.notes, "the estate the programme reaches by the horizon's end, "
            "which sites.csv, the map and the board pack show, " + breach_sentence(
                fixed.breaches).removeprefix("It ").removesuffix(".")
            + f"; the snapshot optimum keeps {'it' if len(fixed.breaches) == 1 else 'them'} "
            "only with the changes the programme leaves out"))
    return _with(plan, programme, "programme")


def _with(plan: Plan, programme: Programme, plan_from: str) -> Plan:
    """`plan` with its programme, and its summary with the programme's figures and
    where the plan comes from."""
    assert plan_from in PLAN_FROM
    plan.programme = programme
    plan.summary = plan.summary.dated(programme.figures(), plan_from=plan_from)
    return plan
