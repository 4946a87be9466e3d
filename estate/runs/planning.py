"""One scenario as a user asks for it: the plan, its extras, its results folder.

`plan_scenario` is what `estate plan`, each compared scenario and each sweep run do:
read the scenario and register, plan them (area by area for a national register), find
near-optimal alternatives and price the policies when asked, and write the results
folder (one per alternative within it), swapped in whole. What is drawn from a plan
comes after runs in the package's layering: the caller passes what draws the pages that
belong in the folder (`draw`), and draws the maps, outside it, from the folder.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from estate.errors import InputError, Problem
from estate.load.file_names import default_results
from estate.load.scenario import Scenario, with_programme
from estate.load.validate import Register
from estate.model.arrays import EstateModel
from estate.model.build import build
from estate.model.reduce import reduce_model
from estate.pipeline import (
    Clock,
    Progress,
    load_scenario_with_register_errors,
    read_register_recorded,
    solver_options,
)
from estate.programme import plan_programme
from estate.programme.end_state import programme_plan
from estate.results import Plan, money
from estate.runs.alternatives import (
    Alternative,
    DrawPages,
    beside_programme_plan,
    dated_beside,
    fill_alternatives,
    find_alternatives,
    measured_against_snapshot,
    not_for_areas,
)
from estate.runs.executor import check_scheduler
from estate.runs.national import areas_of, plan_register
from estate.runs.optimum import GAP, Optimum, searched_plan
from estate.runs.policy import policy_costs as price_policies
from estate.signals import Interrupted
from estate.store import inputs_sha256, write_results
from estate.store.file_set import left_clean
from estate.store.folder import folder_lock, interrupted_after
from estate.store.paths import results_in_place


@dataclass
class ScenarioRun:
    """A planned scenario: its plan, the alternatives found, and where it was written."""

    scenario: Scenario
    plan: Plan
    alternatives: list[Alternative] = field(default_factory=list)
    out: Path | None = None


PLAN_OUT = ("--out", "free some space or give another --out, and run again.")
"""How a plan's results folder is named when it cannot be written, and what to do."""


def plan_scenario(scenario: str | Path | Scenario, *, out: str | Path | None = None,
                  write: bool = True, clock: Clock | None = None,
                  progress: Progress | None = None, lp_path: str | Path | None = None,
                  verbose: bool = False, direct: bool = True,
                  register: Register | None = None, inputs: str | None = None,
                  policy_costs: bool = False,
                  executor: str = "local", scheduler: str | None = None,
                  workers: int | None = None, alternatives: int = 0,
                  within_pct: float = 5.0, programme: bool = False,
                  policy_executor: str = "serial",
                  draw: DrawPages | None = None,
                  out_words: tuple[str, str] = PLAN_OUT) -> ScenarioRun:
    """Plan one scenario end to end and (unless `write=False`) write its results folder.

    `policy_costs=True` adds `policy_costs` to the summary (its optima on the
    `policy_executor`: "serial", "local" or "dask"); `alternatives=N` finds up to N
    near-optimal plans within `within_pct` percent of the NPV saving, written to
    `<out>/alternatives/<i>/`; `programme=True` (or a `[programme]` table) schedules the
    plan year by year. `draw(plan, folder, name)` writes what the caller draws from a
    plan into its folder while the folder is filled (`estate.api.plan`: programme.html),
    for the plan and each alternative, so that all of it is swapped in at once.
    `inputs`: the register's checksum lines (`inputs_sha256`) when the caller has read
    them with `register` (`estate compare`, once for every scenario on it), recorded in
    the folder's inputs.sha256 as they are; taken as the register is read when it is not
    given (`read_register_recorded`), and from its files as the folder is written when
    only `register` is. Raises `InputError`, `InfeasibleError` or `NoSolutionError`;
    Ctrl-C once the folder is in place raises `Interrupted`, saying so. `out_words`: how
    a failure to write the folder names it and what to do (the folder of a comparison's
    scenario or of a sweep's run is not `--out` itself).
    """
    clock = clock or Clock(progress)
    if "dask" in (executor, policy_executor):
        check_scheduler(scheduler)
    if not isinstance(scenario, Scenario):
        with clock.stage("load", f"Reading the scenario {scenario}"):
            scenario = load_scenario_with_register_errors(scenario)
    if programme:
        scenario = with_programme(scenario)
    if register is None:  # recorded as read, whatever happens to the files after
        register, inputs = read_register_recorded(scenario, clock)
    if alternatives and areas_of(register):
        raise not_for_areas()
    if lp_path is not None and areas_of(register):
        raise not_for_areas("--write-lp", "its model as an LP file")
    target = Path(out) if out else default_results(scenario.name)
    written = False
    try:
        # a plan that fails leaves no empty folder it made for `target` (--out a/b)
        with (left_clean(target) if write else contextlib.nullcontext()), \
                (folder_lock(target) if write else contextlib.nullcontext()):
            run = _plan_loaded(scenario, register, clock, lp_path=lp_path, verbose=verbose,
                               direct=direct, policy_costs=policy_costs, executor=executor,
                               scheduler=scheduler, workers=workers,
                               alternatives=alternatives, within_pct=within_pct,
                               policy_executor=policy_executor)
            if write:
                run.out = target
                with clock.stage("write", f"Writing results to {target}"):
                    _write(run, target, inputs, draw, out_words)
                    written = True
    except KeyboardInterrupt as exc:
        if written and not isinstance(exc, Interrupted):  # as the lock was let go
            raise interrupted_after(target) from None
        raise
    run.plan.timings = clock.seconds
    return run


def _write(run: ScenarioRun, target: Path, inputs: str | None,
           draw: DrawPages | None, out_words: tuple[str, str]) -> None:
    """Write the results folder of `run`: its plan, what `draw` draws from it, and each
    alternative's folder within it, all swapped in at once."""
    scenario = run.scenario
    hashed = inputs_sha256(Path(scenario.data)) if inputs is None else inputs

    def rest(tmp: Path) -> None:
        if draw is not None:
            draw(run.plan, tmp, scenario.name)
        fill_alternatives(run.alternatives, tmp, target, scenario, hashed, draw)

    with results_in_place("The previous results there are untouched;", out_words[0], target,
                          out_words[1]):
        # a file the user saved in the folder while it was planned is kept
        write_results(run.plan, target, scenario, inputs_hash=hashed,
                      warn=run.plan.warnings.append, also=rest)


def _plan_loaded(scenario: Scenario, register: Register, clock: Clock, *,
                 lp_path: str | Path | None, verbose: bool, direct: bool, policy_costs: bool,
                 executor: str, scheduler: str | None, workers: int | None,
                 alternatives: int, within_pct: float, policy_executor: str) -> ScenarioRun:
    """The plan of a loaded scenario and register, with its programme, alternatives and
    policy costs as asked; nothing written."""
    model, result = plan_register(scenario, register, clock=clock, executor=executor,
                                  scheduler=scheduler, workers=workers,
                                  lp_path=None if lp_path is None else str(lp_path),
                                  verbose=verbose, direct=direct)
    known: Optimum | None = None
    if policy_costs:
        # the optimum the policies are priced from, found first: when it is cheaper than
        # the plan, it is the plan, so the programme and alternatives are made from it
        first = result.summary.objective_npv
        with clock.stage("policy_costs", "Policy costs: searching the scenario to a gap of "
                         "1e-6 from its plan (the optimum each policy is priced from)"):
            model, result, known = searched_plan(
                scenario, register, model, result,
                say=lambda line: clock.progress(f"Policy costs: {line[:1].lower()}{line[1:]}"),
                on={"executor": executor, "scheduler": scheduler, "workers": workers})
        if result.summary.objective_npv < first:
            clock.progress(f"Policy costs: that search found a plan "
                           f"{money(first - result.summary.objective_npv)} cheaper, which is "
                           "the plan written")
        elif result.summary.booked_early_npv is not None and known.npv is not None \
                and known.npv < first - (GAP * abs(first) + 1.0):
            # dated, not scheduled: the cheaper plan was not kept (`searched_plan`)
            clock.progress(f"Policy costs: that search found a plan {money(first - known.npv)} "
                           "cheaper by the snapshot's objective, but its changes, dated, "
                           "realise less: the first plan is the plan written, its policies "
                           "priced from that optimum")
    # the snapshot optimum: what alternatives are near and policies are priced against,
    # whichever end state the plan written has
    snapshot = result
    if scenario.programme is not None:
        result = _schedule(scenario, model, result, clock)
    found: list[Alternative] = []
    if alternatives and model is not None and snapshot.prepared is not None:
        with clock.stage("alternatives", f"Finding up to {alternatives} alternatives"):
            # the same columns, with only the reductions that keep every plan: a site
            # another dominates is never in the optimum but may be in an alternative
            every_plan = reduce_model(build(snapshot.prepared, reduce=False), every_plan=True)
            found = find_alternatives(
                snapshot, every_plan, alternatives, within_pct,
                solver_options(scenario, verbose, direct), clock.progress,
                schedule=None if scenario.programme is None else
                lambda found: _schedule_alternative(scenario, every_plan, found))
        if result is not snapshot and snapshot.summary.alternatives is not None:
            # the plan written is the programme's end state: the table lands on its
            # summary, said to be measured against the snapshot optimum they are near
            result.summary = result.summary.replace(alternatives=beside_programme_plan(
                snapshot.summary.alternatives, found, result))
            measured_against_snapshot(found)
        if scenario.programme is not None:
            dated_beside(found, result)
    if policy_costs:
        with clock.stage("policy_costs", "Pricing each policy (an exact solve without each)"):
            result.summary = result.summary.replace(policy_costs=price_policies(
                scenario, register, progress=clock.progress, executor=policy_executor,
                workers=workers, scheduler=scheduler, known=known, searched=True))
    return ScenarioRun(scenario, result, found)


ALTERNATIVE_ROADMAP = ("the alternative's changes put in order year by year; the exact "
                       "model over all years was not run, as the end state it may choose "
                       "would no longer be this alternative")
"""The note of an alternative's programme on why it is the roadmap's alone."""


def _schedule_alternative(scenario: Scenario, model: EstateModel, found: Plan) -> Plan:
    """A near-optimal alternative of a dated scenario as its own dated programme: its
    changes scheduled by the roadmap (the joint model would be free to reach another
    end state, the optimum's among them), and the plan of the estate that programme
    reaches, as the main plan's (`programme_plan`). `model` has the columns `found` was
    solved over, without the rows that made it an alternative, which the estate a
    programme reaches need not keep. Raises what `plan_programme` raises."""
    assert scenario.programme is not None and found.prepared is not None
    started = time.perf_counter()
    programme = plan_programme(found.prepared, model, found, scenario.programme,
                               scenario.time_limit_s, scenario.mip_gap, method="roadmap",
                               roadmap_note=ALTERNATIVE_ROADMAP)
    return programme_plan(found.prepared, model, found, programme, scenario.time_limit_s,
                          time.perf_counter() - started)


def _schedule(scenario: Scenario, model: EstateModel | None, plan: Plan, clock: Clock) -> Plan:
    """The plan of a single locality with its dated programme: the snapshot `plan`, or,
    when the programme used ends elsewhere, the plan of its end state
    (`programme_plan`), so that every table tells the plan the programme makes."""
    assert scenario.programme is not None
    if model is None or plan.prepared is None:
        raise InputError([Problem("[programme]", None, None, "a register of one locality "
                                  "(no `area` column)", "a national register; schedule each "
                                  "area as its own register")])
    with clock.stage("programme", "Scheduling the changes year by year"):
        started = time.perf_counter()
        programme = plan_programme(plan.prepared, model, plan, scenario.programme,
                                   scenario.time_limit_s, scenario.mip_gap)
        return programme_plan(plan.prepared, model, plan, programme, scenario.time_limit_s,
                              time.perf_counter() - started)
