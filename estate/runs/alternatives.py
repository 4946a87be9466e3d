"""Near-optimal alternatives: other sets of open sites that cost almost as little.

Planners want choices, not one answer. After the optimum x* (objective z*, saving
`npv_saving` against the status quo), the i-th alternative is the cheapest plan that

    (1) near_optimal:    c.x + c0 <= z* + delta,   delta = PCT/100 * max(npv_saving, 0)
    (2) distinct(j):     sum_{s in O_j} (1 - open[s]) + sum_{s not in O_j} open[s] >= 1
                         for the optimum (j = 0) and every alternative found before it,
                         where O_j is plan j's set of open sites

(a "no-good" cut on the `open` block per earlier plan: at least one site must flip).
The same model is re-solved with these rows added, so every alternative obeys every
rule of the scenario; the search stops early when no further plan fits the allowance.
Alternatives therefore come in nondecreasing NPV, each with its own open set.

When the optimum saves nothing (npv_saving <= 0) the allowance is 0: only plans that
cost exactly as much as the optimum qualify.

A dated scenario (a `[programme]`) schedules each alternative found as its own dated
programme (`schedule`, the roadmap of its changes), so that its figures stand beside the
main plan's dated ones: its folder's plan is then the estate that programme reaches, as
the main plan's is, and `dated_beside` records how its dated NPV compares. An
alternative no programme can schedule is left out, and the note says so. One whose
programme leaves out the changes that set it apart, ending with the open sites of the
main plan written or of an alternative listed before it, is listed still, as found, and
said to end there (`dated_same_sites_as`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from estate.errors import EstateError, InputError, Problem
from estate.load.scenario import Scenario
from estate.model.build import EstateModel
from estate.programme.realised import realised
from estate.results import Plan, make_plan
from estate.results.alternative_figures import (
    SNAPSHOT_OPTIMUM,
    AlternativeFigures,
    AlternativePlan,
    Alternatives,
    DatedAlternative,
    SiteChange,
)
from estate.results.amounts import listed, percent_up
from estate.results.words import IN_YEAR_ONE, is_proven, known_gap
from estate.solve import SolverOptions, solve
from estate.status import Status
from estate.store import fill_results


@dataclass
class Alternative:
    """The i-th alternative (1-based), its plan and how it differs from the optimum.
    `found` is the plan as the search found it (every change made in year 1), which
    `npv_difference` and `sites_differ` describe; `plan` is what its folder holds, the
    same plan, or, dated, the plan of the estate its programme reaches."""

    index: int
    plan: Plan
    npv_difference: float
    sites_differ: tuple[SiteChange, ...]
    found: Plan

    @property
    def folder(self) -> str:
        return f"alternatives/{self.index}"


def not_for_areas(option: str = "--alternatives", what: str = "its alternatives"
                  ) -> InputError:
    """`option`, which asks for one model's `what`, refused for a register planned area
    by area (many models), before anything is solved."""
    return InputError([Problem(
        option, None, None, "a register of one locality (no `area` column)",
        f"a national register; plan each area as its own register to get {what}")])


def with_rows(model: EstateModel, family: str, rows: list[tuple[np.ndarray, np.ndarray]],
              lb: np.ndarray, ub: np.ndarray, labels: list[str]) -> EstateModel:
    """`model` with one more constraint family: row r is lb[r] <= sum coefs x[cols] <= ub[r]."""
    start = len(model.row_names)
    r_idx = np.concatenate([np.full(len(c), r) for r, (c, _) in enumerate(rows)])
    cols = np.concatenate([c for c, _ in rows])
    coefs = np.concatenate([v for _, v in rows])
    extra = sp.csr_matrix((coefs, (r_idx, cols)), shape=(len(rows), model.matrix.shape[1]))
    names = np.array([f"{family}({lab})" if lab else family for lab in labels], dtype=object)
    return dataclasses.replace(
        model, row_names=np.concatenate([model.row_names, names]),
        row_lb=np.concatenate([model.row_lb, lb]), row_ub=np.concatenate([model.row_ub, ub]),
        matrix=sp.vstack([model.matrix, extra]).tocsr(),
        family_rows={**model.family_rows, family: slice(start, start + len(rows))},
        family_labels={**model.family_labels, family: np.array(labels, dtype=object)})


def distinct_row(model: EstateModel, is_open: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """The no-good cut against one open set, as (columns, coefficients, lower bound):
    sum_{s open} (1 - open[s]) + sum_{s closed} open[s] >= 1, i.e.
    sum_{s closed} open[s] - sum_{s open} open[s] >= 1 - |open|."""
    cols = np.arange(model.blocks["open"].start, model.blocks["open"].stop)
    coefs = np.where(is_open, -1.0, 1.0)
    return cols, coefs, 1.0 - float(is_open.sum())


def _open_set(model: EstateModel, values: np.ndarray) -> np.ndarray:
    return model.block("open", values) > 0.5


def _open_sites(plan: Plan) -> frozenset[str]:
    sites = plan.sites
    return frozenset(sites.loc[sites["decision"].isin(["keep", "open"]), "site_id"].astype(str))


def _differences(optimum: Plan, plan: Plan) -> tuple[SiteChange, ...]:
    before = optimum.sites.set_index("site_id")["decision"]
    after = plan.sites.set_index("site_id")
    changed = after.index[after["decision"].to_numpy() != before.reindex(after.index).to_numpy()]
    return tuple(SiteChange(str(s), str(after.at[s, "name"]), str(before.get(s, "")),
                            str(after.at[s, "decision"])) for s in changed)


def _cost(plan: Plan) -> float:
    """The NPV of cost an alternative is measured by, so that differences are of the
    savings reported (`Summary.plan_npv_cost`)."""
    return plan.summary.plan_npv_cost


def find_alternatives(optimum: Plan, model: EstateModel, count: int, within_pct: float,
                      options: SolverOptions,
                      progress: Callable[[str], None] | None = None,
                      schedule: Callable[[Plan], Plan] | None = None) -> list[Alternative]:
    """Up to `count` cheapest plans with new open sets within the allowance; see the module.
    `schedule` (a dated scenario's) turns each plan found into the plan of its dated
    programme; one it raises an `EstateError` for is left out, said in the note."""
    prep, solution = optimum.prepared, optimum.solution
    assert prep is not None and solution is not None and solution.values is not None
    if count <= 0:
        return []
    z_star = float(model.col_cost @ solution.values + model.obj_constant)
    allowance = max(optimum.summary.saving_in_year_one, 0.0) * within_pct / 100.0
    # A hair of slack so that an alternative costing exactly z* + delta is not lost
    # to rounding in the solver's row activity.
    slack = 1e-9 * abs(z_star) + 1e-6
    cost_cols = np.flatnonzero(model.col_cost)
    bounded = with_rows(model, "near_optimal", [(cost_cols, model.col_cost[cost_cols])],
                        np.array([-np.inf]),
                        np.array([z_star + allowance + slack - model.obj_constant]), [""])
    cuts = [distinct_row(model, _open_set(model, solution.values))]
    found: list[Alternative] = []
    left_out: list[str] = []
    stopped: Status | None = None
    for i in range(1, count + 1):
        if progress:
            progress(f"Alternative {i} of up to {count} (within {within_pct:g}% of the saving)")
        current = with_rows(bounded, "distinct", [(c, v) for c, v, _ in cuts],
                            np.array([lo for _, _, lo in cuts]), np.full(len(cuts), np.inf),
                            [str(j) for j in range(len(cuts))])
        result = solve(current, options)
        if not result.status.has_plan or result.values is None:
            stopped = result.status
            break
        plan = realised(make_plan(prep, current, result), current)
        difference = round(_cost(plan) - _cost(optimum), 2)
        cuts.append(distinct_row(model, _open_set(model, result.values)))
        differ = _differences(optimum, plan)
        written = plan
        if schedule is not None:
            if progress:
                progress(f"Scheduling alternative {i} year by year")
            try:
                written = schedule(plan)
            except EstateError as exc:
                left_out.append(f"the alternative that decides "
                                f"{_changes_words(differ)} has no dated "
                                f"programme ({exc})")
                continue
        found.append(Alternative(i, written, difference, differ, plan))
    # Proven-optimal solves come out in nondecreasing NPV already; solves stopped by the
    # time limit may not, so number them by NPV.
    found.sort(key=lambda a: (_cost(a.found), a.index))
    for i, alternative in enumerate(found, 1):
        alternative.index = i
        alternative.plan.summary = alternative.plan.summary.replace(
            scenario=f"{prep.scenario.name} (alternative {i})",
            alternative=AlternativeFigures(
                i, prep.scenario.name, alternative.npv_difference, alternative.sites_differ,
                # how sure the plan it is measured against is, which its pages say
                # beside the difference (`plan_quality`)
                optimum_status=optimum.summary.status,
                optimum_mip_gap=optimum.summary.mip_gap))
    optimum.summary = optimum.summary.replace(
        alternatives=describe(found, count, within_pct, allowance, stopped, left_out,
                              dated=schedule is not None,
                              saves_nothing=optimum.summary.saving_in_year_one <= 0))
    return found


def _changes_words(differ: tuple[SiteChange, ...]) -> str:
    """The sites an alternative decides otherwise, "S3 close->keep, S5 keep->close"."""
    return ", ".join(d.words for d in differ)


def describe(found: list[Alternative], count: int, within_pct: float, allowance: float,
             stopped: Status | None = None, left_out: list[str] | None = None,
             dated: bool = False, saves_nothing: bool = False) -> Alternatives:
    """What the main plan's summary says about its alternatives. Each plan's figures
    (`status`, `objective_npv`, `npv_saving`, `sites_after`, `sites_differ`) are those
    of the plan as found (every change made in year 1, or, dated and not scheduled, its
    changes dated: `_cost`), which its `npv_difference` is the difference of, never
    those of the estate its dated programme reaches (`dated_beside` adds that
    programme's, named `dated_`); so is the allowance, a share of the
    optimum's own saving, which for a `dated` plan (with a programme) is not its summary's
    `npv_saving`, and the note says so. When the optimum `saves_nothing` (a saving of 0
    or less) the allowance is 0 whatever the share, and the note says why."""
    note = ""
    if len(found) < count:
        year_one = " " + IN_YEAR_ONE if dated else ""
        why = (f"no further set of open sites costs no more than the optimum (the "
               f"allowance is £0, as the plan saves nothing against the status "
               f"quo{year_one})" if saves_nothing else
               f"no further set of open sites costs at most £{allowance:,.0f} "
               f"({within_pct:g}% of the NPV saving{year_one}) more than the optimum")
        if stopped is Status.NO_SOLUTION:
            why = f"the time limit ran out before alternative {len(found) + 1} was found"
        if left_out:
            why = "; ".join(left_out) + ", so it is left out" + (
                f"; and {why}" if len(left_out) + len(found) < count else "")
        note = f"{len(found)} of {count} alternatives found: {why}"
    note = "; ".join(n for n in (note, _searched_short(found)) if n)
    return Alternatives(
        requested=count, within_pct=within_pct, allowance_npv=round(allowance, 2), note=note,
        plans=tuple(AlternativePlan(
            a.index, a.folder, a.found.status, a.found.summary.objective_npv,
            a.found.summary.saving_in_year_one, a.npv_difference, a.found.summary.sites_after,
            a.sites_differ) for a in found))


def _searched_short(found: list[Alternative]) -> str:
    """The alternatives whose own search stopped short of proof (the time limit, or a
    `solver.mip_gap` above a proof's): each is the cheapest of the other choices only
    within its gap, so a plan with its open sites may run for less and a cheaper set of
    open sites may be missing from the list; "" when every one is proven."""
    short = [a for a in found if not is_proven(a.found.status, a.found.summary.mip_gap)]
    if not short:
        return ""
    gaps = [g for a in short if known_gap(g := a.found.summary.mip_gap)]
    one = len(short) == 1
    names = f"{listed([a.folder for a in short])} {'was' if one else 'were'}"
    searched = (f"{names} searched only to within {percent_up(max(gaps))} of the cheapest "
                "plan with other open sites" if len(gaps) == len(short) else
                f"{names} not proven the cheapest plan{'' if one else 's'} with other open "
                "sites")
    timed = any(a.found.status == Status.TIME_LIMIT for a in short)
    fixes = [fix for fix, needed in (("a longer solver.time_limit_s", timed),
                                     ("a smaller solver.mip_gap",
                                      any(a.found.status != Status.TIME_LIMIT for a in short)))
             if needed]
    return (f"{searched}: {'it' if one else 'each'} may cost more than the cheapest plan "
            "with its open sites, and a cheaper set of open sites may be missing; "
            f"{' and '.join(fixes)} {'settle' if len(fixes) > 1 else 'settles'} "
            f"{'it' if one else 'them'}")


def beside_programme_plan(info: Alternatives, found: list[Alternative], plan: Plan
                          ) -> Alternatives:
    """The alternatives' table for a plan that is a dated programme's end state, not the
    snapshot optimum they were found near: said to be measured against that optimum
    (`measured_against`, its changes costed as if all made in year 1), each marked when
    it opens the very sites the plan written does (`same_sites_as_plan`), since a
    programme's end state may be one of them: the alternative as found, whatever estate
    its own programme reaches."""
    ours = plan.sites["decision"].tolist()
    same = {a.index: a.found.sites["decision"].tolist() == ours for a in found}
    return info.replace(measured_against=SNAPSHOT_OPTIMUM, plans=tuple(
        entry.replace(same_sites_as_plan=same[entry.index]) for entry in info.plans))


def measured_against_snapshot(found: list[Alternative]) -> None:
    """Mark each alternative's own `alternative` table as measured against the snapshot
    optimum (`measured_against`), as `beside_programme_plan` marks the parent's table:
    its folder, map and board pack are read alone, and must not call that optimum the
    cheapest plan when the plan written is a dated programme's end state."""
    for alternative in found:
        summary = alternative.plan.summary
        assert summary.alternative is not None  # set by `find_alternatives`
        alternative.plan.summary = summary.replace(
            alternative=summary.alternative.replace(measured_against=SNAPSHOT_OPTIMUM))


def dated_beside(found: list[Alternative], plan: Plan) -> None:
    """Each dated alternative's NPV beside the dated programme of the plan written
    (`plan`), on its own `alternative` table and on the plan's table of alternatives
    (`DatedAlternative`): its programme's NPV saving and its programme's NPV of cost less
    the plan's (positive, dearer). The snapshot's `npv_difference` says what they cost
    if every change were made in year 1; these, what they cost dated, and the sites
    open once its programme ends. A programme that leaves out the changes setting its
    alternative apart may end with the very open sites of the plan written, or of an
    alternative before it: `same_sites_as` then names it ("plan", or its folder,
    "alternatives/1"), None otherwise, so that no page offers a difference that, dated,
    never happens as another choice without saying so."""
    ours = plan.summary.programme
    assert ours is not None
    dated: dict[int, DatedAlternative] = {}
    reached = [(_open_sites(plan), "plan")]
    for alternative in sorted(found, key=lambda a: a.index):
        summary = alternative.plan.summary
        assert summary.programme is not None and summary.alternative is not None
        ends = _open_sites(alternative.plan)
        same = next((whose for sites, whose in reached if sites == ends), None)
        reached.append((ends, alternative.folder))
        dated[alternative.index] = DatedAlternative(
            round(summary.programme.npv_saving, 2),
            round(summary.programme.npv_cost - ours.npv_cost, 2), summary.sites_after, same)
        alternative.plan.summary = summary.replace(
            alternative=summary.alternative.replace(dated=dated[alternative.index]))
    info = plan.summary.alternatives
    if info is not None:
        plan.summary = plan.summary.replace(alternatives=info.replace(plans=tuple(
            entry.replace(dated=dated.get(entry.index)) for entry in info.plans)))


DrawPages = Callable[[Plan, Path, str], None]
"""What the caller draws from a plan into its results folder as the folder is filled,
`draw(plan, folder, scenario name)`: the pages that belong in it (`estate.api`'s
programme.html), drawn outside `runs`, which comes before drawing in the layering."""


def alternative_map(map_path: Path, index: int) -> Path:
    """`maps/<name>.html` -> `maps/<name>.alternative-<i>.html`."""
    return map_path.with_name(f"{map_path.stem}.alternative-{index}{map_path.suffix}")


def fill_alternatives(found: list[Alternative], folder: Path, out: Path, scenario: Scenario,
                      inputs_hash: str,
                      draw: DrawPages | None = None) -> None:
    """Each alternative as `alternatives/<i>/`, a results folder of its own, written into
    `folder` as it is filled to be swapped in as the results folder `out`
    (`write_results`' `also`): the plan and its alternatives are swapped in together.
    `draw` writes what is drawn from each plan into its folder (`plan_scenario`)."""
    for alternative in found:
        into = Path(folder) / alternative.folder
        into.mkdir(parents=True)
        fill_results(alternative.plan, into, Path(out) / alternative.folder, scenario,
                     inputs_hash)
        if draw is not None:
            draw(alternative.plan, into, alternative.plan.summary.scenario or alternative.folder)
