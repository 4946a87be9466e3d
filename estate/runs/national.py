"""National registers (docs/formats.md): many localities planned independently, merged.

Each `area` is its own locality: its own sites, functions, coverage, one-off cap and
shared centres; nothing moves across areas. The areas are solved in parallel, on a
process pool or a Dask cluster, and merged into one plan: costs add up, the status is
the worst of the areas', the gap the largest, the seconds the sum.

Which area each zone is planned in, and the zones a rule would count another area's
site for, are `estate.runs.zone_areas`' to say.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Callable, Iterable, Iterator

import pandas as pd

from estate.errors import EstateError, InfeasibleError, NoSolutionError, Problem, ProblemKind
from estate.load.scenario import Scenario
from estate.load.validate import Register
from estate.model.arrays import NamedPlan
from estate.model.build import EstateModel
from estate.pipeline import Clock, check_scenario, plan_locality, ready_to_plan
from estate.programme.realised import realised
from estate.results import Plan, Summary, agency_figures
from estate.results.area_figures import AreaFigures
from estate.runs.executor import run_all
from estate.runs.zone_areas import served_across_areas, zone_areas
from estate.status import worst


def areas_of(register: Register) -> list[str]:
    """The areas of a national register, or [] for one locality."""
    areas = register.sites["area"]
    return sorted(a for a in areas.unique() if a) if (areas != "").any() else []


def split_register(register: Register, scenario: Scenario | None = None
                   ) -> dict[str, Register]:
    """One register per area, each a locality of its own; a zone with no area goes to
    the area of its nearest site offering a service the scenario's rules count
    (`estate.runs.zone_areas.zone_areas`)."""
    zone_area = zone_areas(register, scenario)
    out = {}
    for area in areas_of(register):
        # Each piece is one locality: its area is cleared so it is planned as such.
        sites = register.sites[register.sites["area"] == area].reset_index(drop=True)
        sites["area"] = ""
        functions = register.functions[register.functions["area"] == area].reset_index(drop=True)
        functions["area"] = ""
        pair_costs = register.pair_costs[
            register.pair_costs["function_id"].isin(functions["function_id"])
            & register.pair_costs["site_id"].isin(sites["site_id"])].reset_index(drop=True)
        zones = register.zones[zone_area == area].reset_index(drop=True)
        shapes = None
        if register.zone_shapes is not None:
            shapes = register.zone_shapes[register.zone_shapes.index.isin(zones["zone_id"])]
        out[area] = dataclasses.replace(register, sites=sites, functions=functions,
                                        zones=zones, pair_costs=pair_costs, zone_shapes=shapes,
                                        warnings=[], area=area)
    return out


def pair_costs_across_areas(register: Register) -> list[Problem]:
    """A pair cost for a team in one area and a site in another can never apply, as
    each area is planned on its own (`split_register` leaves it out): a warning at its
    row, as a pair cost that is never eligible is."""
    costs = register.pair_costs
    if costs is None or len(costs) == 0:
        return []
    team_area = dict(zip(register.functions["function_id"], register.functions["area"],
                         strict=True))
    site_area = dict(zip(register.sites["site_id"], register.sites["area"], strict=True))
    file = register.files.get("pair_costs", "pair_costs")
    return [Problem(file, int(row), "site_id", f"a site in {fid}'s own area, {mine} "
                    "(each area is planned on its own)", f"{sid} in area {theirs}; the cost "
                    "is ignored", severity="warning")
            for row, fid, sid in zip(costs["row"], costs["function_id"], costs["site_id"],
                                     strict=True)
            if (mine := team_area.get(fid)) is not None
            and (theirs := site_area.get(sid)) is not None and mine != theirs]


def scenario_for_area(scenario: Scenario, register: Register) -> Scenario:
    """The scenario restricted to one area's sites (keep and close lists)."""
    ids = set(register.sites["site_id"])
    return dataclasses.replace(
        scenario, keep=tuple(s for s in scenario.keep if s in ids),
        close=tuple(s for s in scenario.close if s in ids),
        agencies=tuple(a for a in scenario.agencies if a in _holders(register)))


def _holders(register: Register) -> set[str]:
    """The agencies that hold a site or a team of `register`."""
    return set(register.sites["agency_id"]) | set(register.functions["agency_id"])


def area_pieces(scenario: Scenario, register: Register
                ) -> list[tuple[str, Scenario, Register]]:
    """Each area with sites or functions, as its own scenario and register: what a
    national plan plans and `ready_areas` readies. With `agencies`, an area where none of
    them holds a site or a team is outside the plan, as their other sites are in a
    locality. A register with no such area has no plan: `InfeasibleError`."""
    pieces = [(area, scenario_for_area(scenario, reg), reg)
              for area, reg in split_register(register, scenario).items()
              if (len(reg.sites) or len(reg.functions)) and (
                  not scenario.agencies or _holders(reg) & set(scenario.agencies))]
    if not pieces:
        # no rule of the scenario is at fault: nothing to relax, only sites to add
        raise InfeasibleError(["the register has no area with sites or functions"],
                              relax=())
    return pieces


def planned_areas(scenario: Scenario, register: Register) -> list[str]:
    """The areas a national plan of `scenario` plans (those of `area_pieces`), or [] for
    one locality."""
    if not areas_of(register):
        return []
    return [area for area, _, _ in area_pieces(scenario, register)]


def _infeasible_areas(failed: dict[str, InfeasibleError], also: Iterable[Problem] = ()
                      ) -> InfeasibleError:
    """Every infeasible area's reasons together, each said with its area, and their
    warnings with those the other areas found (`also`), each once."""
    return InfeasibleError([f"area {area}: {r}" for area, exc in sorted(failed.items())
                            for r in exc.reasons],
                           relax=tuple(k for _, exc in sorted(failed.items()) for k in exc.keys),
                           warnings=dict.fromkeys([*also, *(w for _, exc in sorted(failed.items())
                                                            for w in exc.warnings)]))


def _failed_areas(failed: dict[str, Exception], also: Iterable[Problem] = ()) -> Exception:
    """The error of a national plan some of whose areas have none: a bad input as
    found; else every area named with why, the infeasible ones' reasons first (the
    worse status) and then those the time limit stopped before any plan."""
    infeasible = {a: e for a, e in failed.items() if isinstance(e, InfeasibleError)}
    timed_out = {a: e for a, e in failed.items() if isinstance(e, NoSolutionError)}
    if len(infeasible) + len(timed_out) < len(failed):
        return next(e for e in failed.values()
                    if not isinstance(e, InfeasibleError | NoSolutionError))
    said = [f"area {a}: {e}" for a, e in timed_out.items()]
    if not infeasible:
        return NoSolutionError(said[0] if len(said) == 1 else f"no plan in {len(said)} "
                               "areas:\n" + "\n".join(f"  - {line}" for line in said))
    error = _infeasible_areas(infeasible, also)
    if not said:
        return error
    return InfeasibleError([*error.reasons, *said], relax=error.keys,
                           warnings=error.warnings)


def ready_areas(scenario: Scenario, register: Register, clock: Clock | None = None
                ) -> list[Problem]:
    """Each area readied as a national plan readies it before solving it
    (`ready_to_plan`: checked, prepared, pre-checked), one after another in this
    process, without solving: what `estate validate` runs on a national register after
    checking it whole. Returns the warnings found measuring the areas (each said once);
    raises `InputError` as the first area that has one, or `InfeasibleError` naming
    every area that cannot be met, with its reasons, as `plan_national` does."""
    clock = clock or Clock()
    warnings: list[Problem] = []
    failed: dict[str, InfeasibleError] = {}
    for area, area_scenario, area_register in area_pieces(scenario, register):
        clock.progress(f"Area {area}: measuring distances and checking it can be met")
        try:
            prep = ready_to_plan(area_scenario, area_register)
        except InfeasibleError as exc:
            failed[area] = exc
            continue
        warnings += [w for w in prep.measured if w not in warnings]
    if failed:
        raise _infeasible_areas(failed, warnings)
    return warnings


AreaTask = tuple[str, Scenario, Register, bool, bool]
"""One area to plan: its name, scenario and register, `direct` (`plan_locality`'s) and
whether a dated plan not scheduled is dated for the saving it realises (`realised`)."""


def _plan_area(task: AreaTask) -> Plan:
    """Worker: plan one area, dropping what the merge does not need (it is heavy to send
    back); an error comes back through the executor as a value."""
    area, scenario, register, direct, realise = task
    model, result = plan_locality(scenario, register, direct=direct)
    if realise:
        result = realised(result, model)
    # the area's own finds, and what its dated NPV counts that no programme can realise,
    # said with its area; the register's and the scenario's are the whole's to say
    early = [dataclasses.replace(w, found=f"in {area}, {w.found}",
                                 sentence=f"in {area}, {w.sentence}")
             for w in result.warnings if w.kind is ProblemKind.BOOKED_EARLY]
    # the leases of its kept sites that end within the horizon, named by their sites
    renewed = [w for w in result.warnings if w.kind is ProblemKind.LEASE_RENEWED]
    result.warnings = (list(result.prepared.measured) if result.prepared else []) + early \
        + renewed
    # the zones' own polygons, for plan.gpkg's zone_areas and the map's outline
    result.zone_shapes = result.prepared.zone_shapes if result.prepared else None
    result.prepared = None
    result.solution = None
    return result


def run_areas(tasks: list[AreaTask], executor: str = "local",
              scheduler: str | None = None, workers: int | None = None,
              progress: Callable[[str], None] | None = None) -> dict[str, Plan | Exception]:
    """Plan every area on a process pool or a Dask cluster (one by one for one area or
    one worker). An area's `EstateError` (infeasible, no solution) is its value, so one
    area cannot sink the rest; anything else is a bug and stops the run."""
    say = progress or (lambda _: None)
    if executor == "local" and (len(tasks) == 1 or workers == 1):
        executor = "serial"
    results: dict[str, Plan | Exception] = {}
    runs = run_all(_plan_area, tasks, executor, workers=workers, scheduler=scheduler)
    for i, (index, result) in enumerate(runs, 1):
        area = tasks[index][0]
        if isinstance(result, BaseException) and not isinstance(result, EstateError):
            raise result
        results[area] = result
        say(f"Area {area} planned ({i}/{len(tasks)})")
    return results


def _sum_agencies(plans: Iterable[Plan]) -> pd.DataFrame:
    """agencies.csv of the whole: each agency's figures summed over the areas, in the
    columns a single locality's has (`lease_cost_npv` and `booked_early_npv` when the
    areas' have them, as a scenario with a `start` gives every area)."""
    tables = [p.agencies for p in plans]
    frame = pd.concat(tables, ignore_index=True)
    numeric = ["annual_cost_before", "annual_cost_after", "one_off_cost", "annual_saving",
               *[key for key in ("lease_cost_npv", "booked_early_npv")
                 if all(key in t for t in tables)],
               "npv_saving"]
    merged = frame.groupby(["agency_id", "name", "kind"], sort=False, as_index=False)[numeric].sum()
    merged[numeric] = merged[numeric].round(2)
    merged["worse_off"] = merged["annual_cost_after"] > merged["annual_cost_before"] + 0.005
    return merged


def _area_figures(s: Summary) -> AreaFigures:
    """One area's own figures as summary.json's `areas` lists them (what timing adds,
    and the sales after the horizon, when the scenario has a `start`)."""
    return AreaFigures(s.status, s.objective_npv, s.npv_saving, s.mip_gap, s.solve_seconds,
                       s.lease_cost_npv, s.receipts_after_horizon, s.booked_early_npv)


def merge_plans(scenario: Scenario, plans: dict[str, Plan]) -> Plan:
    """One plan from the areas' plans: tables stacked (with `area`), figures summed, the
    zones' polygons gathered (when the register had them), and the warnings each area
    found measuring (`_plan_area`) listed area by area."""
    s = [p.summary for p in plans.values()]

    def total(key: str) -> float:
        return round(sum(getattr(x, key) for x in s), 2)

    def count(key: str) -> int:
        return int(sum(getattr(x, key) for x in s))

    def dated_total(key: str) -> float | None:
        """A figure only a scenario with a `start` gives (every area's, then)."""
        return None if any(getattr(x, key) is None for x in s) else total(key)

    annual_saving = total("annual_saving")
    one_off = total("one_off_cost")
    payback = (None if annual_saving <= 1e-6 else
               (0.0 if one_off <= 0 else round(one_off / annual_saving, 3)))
    gaps = [x.mip_gap for x in s if x.mip_gap is not None]  # an area without one: no gap
    agencies = _sum_agencies(plans.values())
    summary = Summary(
        scenario=scenario.name,
        status=worst([x.status for x in s]),
        objective_npv=total("objective_npv"),
        status_quo_npv=total("status_quo_npv"),
        status_quo_feasible=all(x.status_quo_feasible for x in s),
        status_quo_breaches=tuple(dataclasses.replace(b, area=area) for area, p in plans.items()
                                  for b in p.summary.status_quo_breaches),
        npv_saving=total("npv_saving"),
        annual_cost_before=total("annual_cost_before"),
        annual_cost_after=total("annual_cost_after"),
        annual_saving=annual_saving,
        one_off_cost=one_off,
        payback_years=payback,
        sites_before=count("sites_before"), sites_after=count("sites_after"),
        sites_closed=count("sites_closed"), sites_opened=count("sites_opened"),
        shared_centres=count("shared_centres"),
        fte_relocated=round(sum(x.fte_relocated for x in s), 3),
        mip_gap=None if len(gaps) < len(s) else max(gaps, default=0.0),
        solve_seconds=round(sum(x.solve_seconds for x in s), 3),
        solver=s[0].solver if s else scenario.solver,
        agencies=agency_figures(agencies),
        horizon_years=scenario.horizon_years,
        discount_rate=scenario.discount_rate,
        one_off_receipts=None if any(x.one_off_receipts is None for x in s)
        else round(sum(x.one_off_receipts or 0.0 for x in s), 2),
        lease_cost_npv=dated_total("lease_cost_npv"),
        receipts_after_horizon=dated_total("receipts_after_horizon"),
        booked_early_npv=dated_total("booked_early_npv"),
        areas={area: _area_figures(p.summary) for area, p in plans.items()},
        area_count=len(plans),
    )

    def stack(name: str) -> pd.DataFrame:
        return pd.concat([getattr(p, name).assign(area=area) for area, p in plans.items()],
                         ignore_index=True)

    warnings: list[Problem] = []
    for p in plans.values():
        warnings += [w for w in p.warnings if w not in warnings]
    shapes = [p.zone_shapes for p in plans.values() if p.zone_shapes is not None]
    return Plan(summary=summary, sites=stack("sites"), assignments=stack("assignments"),
                coverage=stack("coverage"), agencies=agencies, zones=stack("zones"),
                warnings=warnings,
                zone_shapes=pd.concat(shapes) if shapes else None)


def plan_national(scenario: Scenario, register: Register, executor: str = "local",
                  scheduler: str | None = None, workers: int | None = None,
                  direct: bool = True, progress: Callable[[str], None] | None = None,
                  realise: bool = True) -> Plan:
    """Plan every area independently and merge; infeasible areas are named together.
    `realise`: whether each area's dated plan not scheduled is dated (`realised`)."""
    tasks = [(area, area_scenario, area_register, direct, realise)
             for area, area_scenario, area_register in area_pieces(scenario, register)]
    results = run_areas(tasks, executor, scheduler, workers, progress)
    failed = {a: r for a, r in sorted(results.items()) if isinstance(r, Exception)}
    if failed:  # with the warnings the areas planned found, each once
        raise _failed_areas(failed, dict.fromkeys(
            w for r in results.values() if isinstance(r, Plan) for w in r.warnings))
    plans = {a: results[a] for a in sorted(results)}
    merged = merge_plans(scenario, plans)  # type: ignore[arg-type]
    if not math.isfinite(merged.summary.objective_npv):
        raise EstateError("an area returned a non-finite objective")
    return merged


def ready_register(scenario: Scenario, register: Register, clock: Clock | None = None
                   ) -> list[Problem]:
    """Every check `plan_register` makes before it builds a model, without solving: one
    locality readied (`ready_to_plan`); a national register checked whole
    (`check_scenario`) and then each area readied (`ready_areas`). Returns the warnings
    in the order a plan lists them (`national_warnings` for a national register); raises
    `InputError` or `InfeasibleError` as planning would."""
    clock = clock or Clock()
    if not areas_of(register):
        return ready_to_plan(scenario, register, clock).warnings
    checked = check_scenario(scenario, register, clock)
    with _warned_whole(scenario, register, checked):
        return national_warnings(scenario, register, ready_areas(scenario, register, clock),
                                 checked)


@contextlib.contextmanager
def _warned_whole(scenario: Scenario, register: Register, checked: list[Problem]
                  ) -> Iterator[None]:
    """Areas that cannot be met, warned of as the whole register is: each area checked
    the scenario against its own sites, so its warnings of a key (a service no site of
    the area offers, a sharing type none of its teams has) are not the register's; the
    register's own (`checked`) stand in for them, in a national plan's order."""
    try:
        yield
    except InfeasibleError as exc:
        measured = [w for w in exc.warnings if w.label != "key"]
        raise InfeasibleError(exc.reasons, exc.made_with[1], exc.keys,
                              national_warnings(scenario, register, measured, checked)
                              ) from None


def national_warnings(scenario: Scenario, register: Register, measured: list[Problem],
                      checked: list[Problem]) -> list[Problem]:
    """A national register's warnings in the one order its plan and its validation both
    list them: the register's own, its pair costs across areas, its zones served across
    a border, those its areas found measuring (`measured`), the scenario's against the
    register (`checked`)."""
    return [*register.warnings, *pair_costs_across_areas(register),
            *served_across_areas(scenario, register), *measured, *checked]


def plan_register(scenario: Scenario, register: Register, *, clock: Clock | None = None,
                  executor: str = "local", scheduler: str | None = None,
                  workers: int | None = None, lp_path: str | None = None,
                  verbose: bool = False, direct: bool = True,
                  start: NamedPlan | None = None, realise: bool = True
                  ) -> tuple[EstateModel | None, Plan]:
    """Plan a register: area by area when its sites carry an `area`, else as one locality.
    A dated plan not scheduled (each area's, in a national register) reports what its
    changes realise (`realised`), unless not `realise` (a policy's optimum, of which
    only the objective is read).

    The model comes back for a single locality (alternatives re-solve it) and is None for
    a national register, whose areas each had their own. `start`, a plan to search from,
    is for a single locality (`plan_locality`); each area starts from its status quo."""
    clock = clock or Clock()
    areas = areas_of(register)
    if not areas:
        model, plan = plan_locality(scenario, register, clock=clock, lp_path=lp_path,
                                    verbose=verbose, direct=direct, start=start)
        if scenario.start is None or scenario.programme is not None or not realise:
            return model, plan
        with clock.stage("realised", "Dating the plan's changes at least cost, for the "
                         "saving it realises"):
            return model, realised(plan, model)
    checked = check_scenario(scenario, register, clock)
    with clock.stage("solve", f"Planning {len(areas)} areas ({executor})"), \
            _warned_whole(scenario, register, checked):
        plan = plan_national(scenario, register, executor, scheduler, workers, direct,
                             clock.progress, realise)
    plan.warnings = national_warnings(scenario, register, plan.warnings, checked)
    return None, plan
