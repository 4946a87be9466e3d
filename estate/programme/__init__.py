"""The dated programme: when each change of a plan happens, under the yearly limits.

`plan_programme` takes a solved snapshot (its end state), schedules its changes with
the roadmap (`roadmap`), and, when it is small enough, also solves the joint model
(`joint`: every year's estate at once, free to reach another end state); it keeps the
cheaper, re-checks its schedule against the timing rules (`rules`), and tells its cash
year by year and agency by agency (`cashflow`), as a `Programme`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from estate.errors import first_few
from estate.load.scenario import ProgrammeLimits
from estate.model.arrays import EstateModel
from estate.prepare import Prepared
from estate.programme.cashflow import cashflow, in_pennies, npv_of_cost
from estate.programme.changes import (
    Changes,
    Trajectory,
    centre_labels,
    changes_of,
    pooling_rate,
    running_change,
    trajectory,
)
from estate.programme.end_state import fixed_vector
from estate.programme.joint import end_state_differences, joint_size, solve_joint
from estate.programme.no_schedule import limits_set, no_programme
from estate.programme.roadmap import solve_roadmap
from estate.programme.rules import violations, yearly_use
from estate.programme.today import Grace, grace_notes, grace_of
from estate.results import Plan, Programme, State, money, solved_state
from estate.results.amounts import count, fte_words, how_many_named, listed_few
from estate.results.programme import (
    ACTION_COLUMNS,
    ACTION_MONEY,
    LATE_SALES,
    EndVector,
    lasting_payback_year,
    payback_year,
    roadmap_gap,
    same_cost,
)
from estate.results.programme_figures import BUDGET_COLUMNS
from estate.results.words import breach_sentence
from estate.status import Status

# The joint model runs by itself (method "auto") when it has at most this many columns.
# Measured with `solve_joint` on the demo's programme scenario (models/programme.toml:
# H = 10, mip_gap 0.5%, one thread, the roadmap offered as a start) restricted to a few
# agencies: 970 to 4,400 columns took 0.4-7 s in five cases of six (one, 2,500 columns,
# stopped at 60 s, 1% from its bound), 10,150 columns 10 s, and the whole demo (27,900)
# over 70 s for its root LP alone. Size is a rough guide to the time; the time limit
# bounds it, and with the roadmap as its start the joint model never does worse.
JOINT_MAX_COLUMNS = 5_000
METHODS = ("auto", "roadmap", "both")


def plan_programme(prep: Prepared, model: EstateModel, plan: Plan, limits: ProgrammeLimits,
                   time_limit_s: float, mip_gap: float, method: str = "auto",
                   roadmap_note: str | None = None) -> Programme:
    """Schedule `plan`'s changes year by year at least discounted cost.

    The roadmap always runs. The joint model (every year's estate at once, free to choose
    another end state) runs too when `method` is "both", or "auto" and it has at most
    JOINT_MAX_COLUMNS columns; the cheaper programme is returned, with both NPVs. With
    the roadmap alone, its notes end with why the joint model did not run, or with
    `roadmap_note` when given (an alternative says why it is scheduled so). Raises
    `NoSolutionError` when neither finds a programme."""
    assert prep.calendar is not None and plan.solution is not None
    assert plan.solution.values is not None and method in METHODS
    end = solved_state(prep, model, plan.solution.values)
    changes = changes_of(prep, model, end)
    # the years from which each rule broken today holds: one for the whole programme,
    # read by the roadmap, the joint model, the re-check and the notes alike
    grace = grace_of(prep, model, prep.calendar.horizon)
    found = solve_roadmap(prep, model, changes, limits, grace, time_limit_s, mip_gap)
    roadmap = programme_of(prep, model, changes, found.years, limits, "roadmap", found.status,
                           found.mip_gap, grace) if found.status.has_plan else None
    if roadmap is not None and found.message:
        roadmap = replace(roadmap, notes=(*roadmap.notes, f"roadmap search: {found.message}"))
    if roadmap is not None:
        roadmap = replace(roadmap, unlimited_saving=_unlimited_saving(
            prep, model, changes, limits, grace, time_limit_s, mip_gap))
    size = joint_size(prep, model)
    if method == "roadmap" or (method == "auto" and size > JOINT_MAX_COLUMNS):
        if roadmap is None:
            raise no_programme(prep, model, grace, changes, limits, found.status,
                               time_limit_s)
        why = ("the roadmap alone was asked for" if method == "roadmap" else
               f"{size:,} columns, above the {JOINT_MAX_COLUMNS:,} it is run for")
        return replace(roadmap, notes=(*roadmap.notes, roadmap_note or (
            f"the snapshot's changes scheduled; the exact model over all years, which may "
            f"choose another end state, was not run ({why})")))
    start = (changes, found.years) if roadmap is not None else None
    joint = solve_joint(prep, model, limits, grace, max(time_limit_s - found.seconds, 1.0),
                        mip_gap, start=start)
    if joint.changes is None:
        if roadmap is None:
            raise no_programme(prep, model, grace, changes, limits, found.status,
                               time_limit_s)
        return replace(roadmap, notes=(*roadmap.notes, (
            f"the exact model over all years found no programme ({joint.status} in "
            f"{joint.seconds:.1f} s): the snapshot's changes scheduled")))
    other = programme_of(prep, model, joint.changes, joint.years, limits, "joint",
                         joint.status, joint.mip_gap, grace)
    notes = [f"joint model: {joint.columns:,} columns, {joint.status} in {joint.seconds:.1f} s"
             + ("" if roadmap is None else f"; NPV of cost {money(other.npv_cost)} against "
                f"the roadmap's {money(roadmap.npv_cost)} (gap "
                f"{roadmap_gap(roadmap.npv_cost, other.npv_cost):.3%})")]
    # a cheaper roadmap whose end state breaks a rule the joint model keeps at its end
    # (population_share; max_one_off as the snapshot counts a surrender) is no start the
    # joint model could take
    if roadmap is not None and other.npv_cost >= roadmap.npv_cost - 0.005:
        roadmap = _with_end_vector(prep, model, roadmap, time_limit_s)
    broken = roadmap.end_vector.breaches if roadmap is not None and roadmap.end_vector else ()
    if roadmap is not None and not broken and other.npv_cost > roadmap.npv_cost and \
            not same_cost(roadmap.npv_cost, other.npv_cost):
        notes.append(
            f"the joint model's programme came out {money(other.npv_cost - roadmap.npv_cost)} "
            "dearer than the roadmap it was offered as its start: HiGHS dropped that start "
            "(it breaks a row of the joint model by HiGHS's tolerances) and stopped within "
            f"its gap or time limit ({joint.status}); the roadmap is kept")
    differs = end_state_differences(prep, model, changes, joint.changes)
    if differs:
        notes.append("the joint model's end state differs from the snapshot optimum's: it "
                     + "; ".join(differs))
    if joint.message:
        notes.append(f"joint model search: {joint.message}")
    # the joint model's own end state, when it is not the snapshot's, is the plan's
    other = replace(other, end_state=joint.end if differs else None)
    if roadmap is None:
        return replace(other, joint_npv=other.npv_cost, notes=(
            *other.notes, f"the roadmap found no schedule ({found.status})", *notes))
    better = other if other.npv_cost < roadmap.npv_cost - 0.005 else roadmap
    if broken:
        # a roadmap that reaches an estate breaking those rules is no plan the scenario
        # allows, however cheap
        better = other
        notes.append("the roadmap was cheaper, but the estate it reaches by the horizon's "
                     "end " + breach_sentence(broken).removeprefix("It ").removesuffix(".")
                     + ": the exact model's programme, which keeps every rule, is used")
    # the price of the limits is the roadmap's (the same changes with none): a figure
    # of the joint model's programme only when it is the roadmap's
    return replace(better, roadmap_npv=roadmap.npv_cost, joint_npv=other.npv_cost,
                   unlimited_saving=roadmap.unlimited_saving if better is roadmap else None,
                   notes=(*better.notes, *notes))


def _with_end_vector(prep: Prepared, model: EstateModel, roadmap: Programme,
                     time_limit_s: float) -> Programme:
    """`roadmap` with the column vector of the estate it reaches (`fixed_vector`), whose
    `breaches` are the rules no year of it checks (a population_share rule, the one-off
    cap over the whole programme) that the estate breaks; carried so that the plan of
    that estate (`programme_plan`) is not solved for again. `roadmap` itself when it
    makes every change (the snapshot optimum keeps those rules)."""
    if roadmap.end_state is None:
        return roadmap
    fixed = fixed_vector(prep, model, roadmap.end_state, time_limit_s)
    return replace(roadmap, end_vector=fixed or EndVector(None))


def _unlimited_saving(prep: Prepared, model: EstateModel, changes: Changes,
                      limits: ProgrammeLimits, grace: Grace, time_limit_s: float,
                      mip_gap: float) -> float | None:
    """The NPV saving of the same changes scheduled with no yearly limits, when the
    scenario sets any (None otherwise, or when that roadmap finds no schedule): the
    price of the limits, as a policy's cost is the price of a policy. The roadmap
    without limits is a small model (its rows that bind are gone)."""
    if not _limited(limits):
        return None
    free = ProgrammeLimits(max_one_off_per_year=(np.inf,) * len(limits.max_one_off_per_year))
    found = solve_roadmap(prep, model, changes, free, grace, time_limit_s, mip_gap)
    if not found.status.has_plan:
        return None
    return programme_of(prep, model, changes, found.years, free, "roadmap", found.status,
                        found.mip_gap, grace).npv_saving


def _limited(limits: ProgrammeLimits) -> bool:
    return bool(limits_set(limits))


def programme_of(prep: Prepared, model: EstateModel, changes: Changes, years: np.ndarray,
                 limits: ProgrammeLimits, method: str, status: Status,
                 mip_gap: float | None, grace: Grace) -> Programme:
    """The programme of a schedule: its tables, its NPV, and the rules it is checked by
    (`grace`: the programme's `estate.programme.today.grace_of`)."""
    assert prep.calendar is not None
    cal, horizon = prep.calendar, prep.calendar.horizon
    path = trajectory(prep, model, changes, years, horizon)
    broken = violations(prep, model, changes, years, path, limits, grace)
    if broken:
        raise AssertionError("the schedule breaks a timing rule: " + "; ".join(broken[:5]))
    exact = cashflow(prep, model, changes, years, path)
    npv_cost = npv_of_cost(exact, cal)
    status_quo = float((cal.d_end[1:horizon + 1]
                        * exact[exact["agency_id"] == ""]["status_quo"].to_numpy()).sum())
    flows = in_pennies(exact)
    left = np.flatnonzero(years == 0)
    notes: tuple[str, ...] = (
        f"{len(left)} of the {count(len(years), 'change')} "
        f"{'does not happen' if len(left) == 1 else 'do not happen'} within the horizon, as "
        f"{'it cannot or does' if len(left) == 1 else 'they cannot or do'} not pay within it: "
        + _named_changes(prep, model, changes, left),
    ) if len(left) else ()
    notes += _too_big_to_move(prep, changes, left, limits)
    notes += _sales_after_horizon(prep, changes, years, horizon)
    notes += grace_notes(prep, grace, path)
    return Programme(
        actions=actions_table(prep, model, changes, years, path), cashflow=flows,
        budget=budget_table(prep, changes, years, limits), start=cal.start.isoformat(),
        npv_cost=npv_cost, npv_saving=status_quo - npv_cost, payback_year=payback_year(flows),
        lasting_payback_year=lasting_payback_year(flows), method=method, roadmap_npv=npv_cost if method == "roadmap" else None,
        joint_npv=npv_cost if method == "joint" else None, status=str(status),
        mip_gap=None if mip_gap is None or not np.isfinite(mip_gap) else float(mip_gap),
        notes=notes, end_state=_reached(path, horizon) if len(left) else None)


def _reached(path: Trajectory, horizon: int) -> State:
    """The estate at the end of the horizon: with changes left out, what the programme
    really reaches, and so the plan the results folder must tell."""
    state = path.state(horizon)
    return State(open=state.open.copy(), share=state.share.copy(),
                 pooled=state.pooled.copy(), shared=state.shared.copy())


def _sales_after_horizon(prep: Prepared, changes: Changes, years: np.ndarray,
                         horizon: int) -> tuple[str, ...]:
    """The sales this programme's waiting puts after the horizon: a site closed in year t
    is sold in year t + its lag, and the plan's `receipts_after_horizon` counts those
    lost even when each site closes as soon as its teams may leave. A closing that
    waits longer (for the site its teams move to to be built, for a yearly limit) may
    lose its sale too: in none of the programme's NPV and cash flow, though the plan's
    own one-off, every change made in year 1, counts it. Named, so that the sale is not
    taken for money the programme brings in."""
    sites = prep.sites
    value = sites["disposal_value"].to_numpy(float)
    lag = sites["disposal_lag_years"].to_numpy(float)
    site_id = sites["site_id"].to_numpy(object)
    closing = [(int(changes.table.at[i, "site"]), int(years[i])) for i in changes.of("close")
               if years[i] > 0]
    late = [(s, year) for s, year in closing if value[s] > 0.5 and year + lag[s] > horizon
            and prep.closing_years[s] + lag[s] <= horizon]  # else the plan's own says so
    if not late:
        return ()
    named = [f"{site_id[s]} (closed in year {year}, sold {lag[s]:g} "
             f"{'year' if lag[s] == 1 else 'years'} later)" for s, year in late]
    besides = any(value[s] > 0.5 and prep.closing_years[s] + lag[s] > horizon
                  for s, _ in closing)  # sales the plan's own figures say are lost too
    return (f"{money(sum(value[s] for s, _ in late))} {'more ' if besides else ''}"
            f"{LATE_SALES}: outside its NPV and cash flow, "
            "though in the plan's one-off if every change were made in year 1: "
            + listed_few(named[:how_many_named(len(named), 5)], len(named)),)


def _too_big_to_move(prep: Prepared, changes: Changes, left: np.ndarray,
                     limits: ProgrammeLimits) -> tuple[str, ...]:
    """Of the moves left out, those of more staff than may move in a year: no year can
    take them, whatever else it holds, so a note names them and the limit."""
    table, most = changes.table, limits.max_fte_moved_per_year
    big = []
    for i in left:
        if table.at[i, "kind"] != "move":
            continue
        f = int(table.at[i, "team"])
        fte = float(prep.functions.at[f, "fte"]) * float(table.at[i, "amount"])
        if fte > most + 1e-9:
            big.append(f"{prep.functions.at[f, 'function_id']} ({fte_words(fte)})")
    if not big:
        return ()
    return (f"{first_few(big, 5)} "
            f"{'is' if len(big) == 1 else 'are'} more than programme.max_fte_moved_per_year "
            f"({most:g} FTE) and cannot move in any one year",)


def _named_changes(prep: Prepared, model: EstateModel, changes: Changes, which: np.ndarray,
                   most: int = 5) -> str:
    """'close S012, move F044 to S073, move 40% of F051 to S002, pool HR at S001, ...':
    the changes `which`, the first `most`."""
    table, site_id = changes.table, prep.sites["site_id"].to_numpy(object)
    centres = centre_labels(prep, model)
    said = []
    for i in which[:most]:
        kind, s = table.at[i, "kind"], site_id[table.at[i, "site"]]
        if kind == "move":
            team, share = prep.functions.at[table.at[i, "team"], "function_id"], \
                float(table.at[i, "amount"])
            part = "" if share >= 1 - 1e-6 else f"{share:.0%} of "
            said.append(f"move {part}{team} to {s}")
        elif kind == "centre":
            said.append(f"pool {centres[table.at[i, 'centre']]}")
        else:
            said.append(f"{kind} {s}")
    return first_few(said, len(said), len(which))


def actions_table(prep: Prepared, model: EstateModel, changes: Changes, years: np.ndarray,
                  path: Trajectory) -> pd.DataFrame:
    """programme.csv: each change in its year (builds also in the year they open, sales
    in the year their receipt arrives), with what it saves a year (`_yearly_effects`)."""
    assert prep.calendar is not None
    sites, functions, table = prep.sites, prep.functions, changes.table
    effect = _yearly_effects(prep, model, changes, years, path)
    rows = []
    for i in np.flatnonzero(years):
        y, s, kind = int(years[i]), int(table.at[i, "site"]), table.at[i, "kind"]
        base = {"site_id": sites.at[s, "site_id"], "site_name": sites.at[s, "name"],
                "function_id": "", "agency_id": sites.at[s, "agency_id"], "fte": np.nan,
                "one_off": float(table.at[i, "cost"]), "annual_effect": 0.0, "surrender": 0.0,
                "rent_owed": 0.0}
        if kind == "close":
            assert prep.exits is not None
            # a lease surrendered as the site closes: in its one-off, and said apart; or
            # its rent still owed from the closing's year on, as the cash flow counts it
            surrender = float(prep.exits.surrender_paid[s, y])
            owed = float(prep.exits.rent_by_year[s, y, y:prep.calendar.horizon + 1].sum())
            rows.append({"year": y, "action": "close", **base, "annual_effect": effect[i],
                         "one_off": base["one_off"] + surrender, "surrender": surrender,
                         "rent_owed": owed})
            sold = y + int(sites.at[s, "disposal_lag_years"])
            if sold <= prep.calendar.horizon and sites.at[s, "disposal_value"] > 0:
                rows.append({"year": sold, "action": "dispose", **base,
                             "one_off": -float(sites.at[s, "disposal_value"])})
        elif kind == "build":
            rows.append({"year": y, "action": "build", **base})
            opens = y + int(sites.at[s, "build_years"]) - 1
            if opens <= prep.calendar.horizon:
                rows.append({"year": opens, "action": "open", **base, "one_off": 0.0,
                             "annual_effect": effect[i]})
        elif kind == "move":
            f = int(table.at[i, "team"])
            # the team's own FTE (its share), a team with no site today's too, which
            # changes no one's building and so is in no count of staff moved
            # (`estate.results.programme.staff_moved`)
            fte = float(functions.at[f, "fte"]) * float(table.at[i, "amount"])
            rows.append({"year": y, "action": "move", **base,
                         "function_id": functions.at[f, "function_id"],
                         "agency_id": functions.at[f, "agency_id"],
                         "fte": fte, "annual_effect": effect[i]})
        else:
            rows.append({"year": y, "action": "pool", **base,
                         "function_id": str(model.centres.at[int(table.at[i, "centre"]), "k"]),
                         "annual_effect": effect[i]})
    frame = pd.DataFrame(rows, columns=[c for c in ACTION_COLUMNS if c != "date"])
    frame = frame.sort_values(["year", "action", "site_id"], kind="stable").reset_index(drop=True)
    frame.insert(1, "date", [prep.calendar.date_of(int(t)).isoformat() for t in frame["year"]])
    return in_pennies(frame, ACTION_MONEY, staff=("fte",))


def _yearly_effects(prep: Prepared, model: EstateModel, changes: Changes, years: np.ndarray,
                    path: Trajectory) -> np.ndarray:
    """Per change: the running cost it saves a year from its year on (a build's, from the
    year its site opens), so that the rows up to year t add up to the status quo's
    running cost less year t's in the cash flow (rent still owed on a closed lease is
    apart, in its rent).

    Each change saves what it takes off the running cost (`running_change`); a pooled
    share q_p of team f saves eff_f annual_f q_p from the first year it pools, counted on
    the team's move when it pools from the year it arrives, else on its centre's change.
    """
    table, team = changes.table, prep.pairs["f"].to_numpy()
    effect = -running_change(prep, changes)
    arrives = {int(table.at[i, "pair"]): i for i in changes.of("move") if years[i]}
    centre_change = {int(table.at[i, "centre"]): i for i in changes.of("centre") if years[i]}
    rate = pooling_rate(prep)
    pools = model.pool if len(model.pool) else pd.DataFrame({"pair": [], "centre": []})
    for p, c in zip(pools["pair"].to_numpy(int), pools["centre"].to_numpy(int), strict=True):
        pooling = np.flatnonzero(path.pooled[p, 1:] > 0)
        if not len(pooling):
            continue
        first = int(pooling[0]) + 1
        saving = rate[team[p]] * path.pooled[p, first]
        moved = arrives.get(int(p))
        if moved is not None and years[moved] == first:
            effect[moved] += saving
        elif int(c) in centre_change:
            effect[centre_change[int(c)]] += saving
    return effect


def budget_table(prep: Prepared, changes: Changes, years: np.ndarray,
                 limits: ProgrammeLimits) -> pd.DataFrame:
    """Each year's one-off spend, staff moved and closures beside their limits."""
    assert prep.calendar is not None
    horizon = prep.calendar.horizon
    use = yearly_use(prep, changes, years, horizon)
    return pd.DataFrame({
        "year": np.arange(1, horizon + 1),
        "date": [prep.calendar.date_of(t).isoformat() for t in range(1, horizon + 1)],
        "one_off": use[1:horizon + 1, 0].round(2),
        "one_off_limit": list(limits.max_one_off_per_year),
        "fte_moved": use[1:horizon + 1, 1].round(3),
        "fte_limit": limits.max_fte_moved_per_year,
        "closures": use[1:horizon + 1, 2].astype(int),
        "closures_limit": limits.max_closures_per_year,
    }, columns=list(BUDGET_COLUMNS))
