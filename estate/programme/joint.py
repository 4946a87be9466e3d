"""The joint model: the estate of every year decided at once, at least discounted cost.

The roadmap schedules one end state, the snapshot's. When leases, build times, team
waits or the yearly limits bind, another end state may be cheaper; this model finds
it. For each year t = 1..H (year 0 is today, a constant):

    open[s,t]       binary   an existing site still open in year t (closable sites)
    built[s,t]      binary   a candidate decided by year t; open[s,t] = built[s, t-by_s+1]
                             (0 before year by_s), so it opens build_years - 1 years on
    assign[f,s,t]   binary   team f at s in year t (a share in [0,1] with split)
    move_year[f,t]  binary   split only: team f (with a site today) moves in year t
    pooled[f,s,t]   [0,1]    share of f pooled at s
    shared[k,s,t]   binary   a centre of type k at s
    counts[g,k,s,t] binary   agency g counts towards it
    reach[i,z]      [0,1]    population_share rule i covers zone z in the last year

Rules (`estate.programme.joint_rows` builds them, one family each, over the columns of
`estate.programme.joint_layout`):

    every year, the snapshot's rules: housed, at open sites, capacity with pooling's
    savings, pooling links, agency counts and min_agencies, all / maintain coverage
    (a room or coverage rule the status quo breaks from the first year any programme
    could meet it, no worse than today before: `estate.programme.today`; a team too
    big for its home may stay there until then);
    population_share holds in the last year (the roadmap checks it in none);
    irreversible: open[s,t] <= open[s,t-1]; built, shared, pooled and assign[f,s,t]
    (s not f's home) never fall, so a whole team moves at most once and a pair pools
    its final share from the year its centre runs with it there; with split a team
    moves in one year, each share jumping once to its final value in it:
    sum_{s not home} (assign[f,s,t] - assign[f,s,t-1]) <= move_year[f,t],
    sum_t move_year[f,t] <= 1;
    assign[f,s,t] = 0 for s not f's home before f's earliest_move year;
    policy: a site the scenario closes is closed by year H, a candidate it keeps built
    by year H; a team with no site today is housed from its first year (year 1, or
    its earliest_move's) on, placed once like a move;
    the yearly limits of [programme] and the scenario's max_one_off over the whole
    programme (undiscounted, as the snapshot counts it).

Objective, the NPV of cost by the calendar of `estate.timing` (so it equals the cash-flow
oracle of the schedule read from the solution): with close[s,t] = open[s,t-1] - open[s,t]
(a closing-year indicator, linear since open never rises),

    sum_t d_end[t] (sum_s running_s open[s,t] + sum_p (annual_f + pair_cost_p) a[p,t]
                    - sum_j eff_f annual_f pooled[j,t])
    + sum_{s,t} close[s,t] (closure_s d_start[t] + L[s,t] - receipt[s,t])
    + sum_t d_start[t] (build_s (built[s,t] - built[s,t-1])
                        + cost_per_fte fte_f (a[p,t] - a[p,t-1])  (housed f, s not home)
                        + setup_k (shared[c,t] - shared[c,t-1]))

Constants (year 0, sites that never change) sit on a column fixed at 1, so HiGHS's
objective is the whole NPV. The solution is read back as an end state (the last year)
and the first year each of its changes holds: `programme_of` and the oracle re-check
and re-price it like any roadmap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from estate.load.scenario import ProgrammeLimits
from estate.model.arrays import EstateModel
from estate.model.costs import kept_too_late
from estate.prepare import Prepared
from estate.programme.changes import TOL, Changes, centre_labels, changes_of, trajectory
from estate.programme.joint_layout import (
    ONE,
    ZERO,
    Layout,
    Triplets,
    layout_of,
    split_movers,
)
from estate.programme.joint_rows import build_rows, objective
from estate.programme.today import Grace
from estate.results import State
from estate.solve.highs import lp_from_arrays, search
from estate.status import Status

__all__ = ["JointResult", "end_state_differences", "joint_size", "solve_joint"]


@dataclass(frozen=True)
class JointResult:
    """The joint model's programme: its end state's changes and the year of each (0 for
    none), or `changes` None when it found no plan."""

    changes: Changes | None
    years: np.ndarray
    status: Status
    mip_gap: float
    objective: float  # the NPV of cost of the plan found, priced from its vector
    seconds: float
    columns: int
    rows: int
    message: str = ""  # the solver's notes (`estate.solve.highs.search`)
    end: State | None = None  # the estate at the end of the last year, with a plan


def joint_size(prep: Prepared, model: EstateModel) -> int:
    """About the joint model's columns: H x (the snapshot's open, assign, pooled, shared and
    counts columns, and with split one per team that has a site today and may leave it):
    known before building it."""
    per_year = sum(model.blocks[b].stop - model.blocks[b].start
                   for b in ("open", "assign", "pooled", "shared", "counts"))
    if prep.scenario.split:
        per_year += len(split_movers(prep))
    return int(prep.scenario.horizon_years * per_year)


def solve_joint(prep: Prepared, model: EstateModel, limits: ProgrammeLimits, grace: Grace,
                time_limit_s: float, mip_gap: float,
                start: tuple[Changes, np.ndarray] | None = None) -> JointResult:
    """Solve the joint model; `start` (a schedule of changes, e.g. the roadmap's) is
    offered to HiGHS as a first plan, so a run stopped by the time limit is never worse
    than it; `grace` is the programme's `estate.programme.today.grace_of`. Raises
    nothing: no plan gives status infeasible or no_solution."""
    assert prep.calendar is not None and prep.exits is not None
    if len(late := kept_too_late(prep)):  # no year opens them: no plan, nothing to search
        return JointResult(None, np.zeros(0, dtype=int), Status.INFEASIBLE, float("inf"),
                           float("nan"), 0.0, 0, 0, "the policy keeps "
                           f"{', '.join(prep.sites['site_id'].iloc[late])}, which no year of "
                           "the horizon can open (sites.build_years)")
    layout = layout_of(prep, model, grace)
    rows = Triplets()
    build_rows(rows, prep, model, limits, layout, grace)
    cost = objective(prep, model, layout)
    matrix = rows.matrix(layout.n)
    lp = lp_from_arrays(matrix.tocsc(), cost, layout.lb, layout.ub, rows.lower(), rows.upper(),
                        layout.integer)
    offered = None if start is None else start_vector(prep, model, layout, *start)
    found = search(lp, cost, 0.0, bool(layout.integer.any()), time_limit_s, mip_gap, offered)
    years = np.zeros(0, dtype=int)
    changes, end = None, None
    if found.values is not None:
        end = last_state(prep, model, layout, found.values)
        changes, years = read_schedule(prep, model, layout, found.values)
    return JointResult(changes, years, found.status, found.mip_gap, found.objective,
                       found.seconds, layout.n, matrix.shape[0], found.message, end)


def last_state(prep: Prepared, model: EstateModel, layout: Layout, x: np.ndarray) -> State:
    """The estate at the end of the last year: the programme's end state."""
    return _states(prep, model, layout, x)[-1]


def _states(prep: Prepared, model: EstateModel, layout: Layout, x: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, State]:
    """Open, share and shared year by year (columns 0..H), rounded as a plan is read
    (`solved_state`), and the last year's as a `State`."""
    h = layout.horizon
    opened = x[layout.open] > 0.5
    share = x[layout.assign]
    share = np.where(share < TOL, 0.0, np.where(share > 1 - TOL, 1.0, share))
    pooled = np.zeros((len(prep.pairs), h + 1))
    if len(model.pool):
        pooled[model.pool["pair"].to_numpy()] = np.where(x[layout.pooled] < TOL, 0.0,
                                                         np.minimum(x[layout.pooled], 1.0))
    shared = x[layout.shared] > 0.5
    return opened, share, shared, State(open=opened[:, h], share=share[:, h],
                                        pooled=pooled[:, h], shared=shared[:, h])


def read_schedule(prep: Prepared, model: EstateModel, layout: Layout, x: np.ndarray
                  ) -> tuple[Changes, np.ndarray]:
    """The last year's state as an end state, and the first year each change holds."""
    assert prep.calendar is not None
    opened, share, shared, end = _states(prep, model, layout, x)
    changes = changes_of(prep, model, end)
    table, years = changes.table, np.zeros(len(changes), dtype=int)
    for i in range(len(table)):
        kind, s = table.at[i, "kind"], int(table.at[i, "site"])
        if kind == "close":
            held = ~opened[s, 1:]
        elif kind == "build":
            held = x[layout.built[s, 1:]] > 0.5
        elif kind == "move":
            held = share[int(table.at[i, "pair"]), 1:] > TOL
        else:
            held = shared[int(table.at[i, "centre"]), 1:]
        years[i] = int(np.argmax(held)) + 1 if held.any() else 0
    return changes, years


def start_vector(prep: Prepared, model: EstateModel, layout: Layout, changes: Changes,
                 years: np.ndarray) -> np.ndarray:
    """The joint model's columns for a schedule of changes (a roadmap's), read off its
    trajectory, so HiGHS can start from it (it drops a start that breaks a rule)."""
    h = layout.horizon
    path = trajectory(prep, model, changes, years, h)
    x = np.zeros(layout.n)
    x[layout.open] = path.open
    built = np.zeros((len(prep.sites), h + 1))
    for i in changes.of("build"):
        if years[i]:
            built[int(changes.table.at[i, "site"]), int(years[i]):] = 1.0
    x[layout.built] = built
    x[layout.assign] = path.share
    x[layout.move_year] = _move_years(prep, path.share)
    if len(model.pool):
        pooled = path.pooled[model.pool["pair"].to_numpy()]
        x[layout.pooled] = pooled
        x[layout.shared] = path.shared
        by_count = np.zeros((len(layout.count_centre), h + 1))
        np.add.at(by_count, model.pool["count"].to_numpy(), pooled)
        x[layout.counts] = (by_count >= 1 - TOL) & path.shared[layout.count_centre]
    for index, (zones, cols) in layout.reach.items():
        cov = next(c for c in prep.coverage if c.rule.index == index)
        covered = np.zeros(len(prep.zones))
        np.add.at(covered, cov.zone, path.open[cov.site, h])
        x[cols] = np.minimum(covered[zones], 1.0)
    x[ZERO], x[ONE] = 0.0, 1.0
    return x


def _move_years(prep: Prepared, share: np.ndarray) -> np.ndarray:
    """Per team and year 0..H: 1 in a year the team's shares away from home rise."""
    pf = prep.pairs["f"].to_numpy()
    away = ~prep.pairs["home"].to_numpy(bool)
    rise = np.zeros_like(share)
    rise[:, 1:] = np.diff(share, axis=1) > TOL
    out = np.zeros((len(prep.functions), share.shape[1]))
    np.maximum.at(out, pf[away], rise[away])
    return out


def end_state_differences(prep: Prepared, model: EstateModel, snapshot: Changes,
                          joint: Changes) -> list[str]:
    """How the joint model's end state differs from the snapshot's, in the words the
    terminal and the board pack use ("closes S2, S3 too", "sets up a shared centre for HR
    at S5", "places F2, F10 differently"; empty when they are the same). Ids are listed
    as a planner counts them, F2 before F10."""
    ids, names = prep.sites["site_id"].to_numpy(object), prep.functions["function_id"]
    label = centre_labels(prep, model)
    out = []
    for kind, labels, more, fewer in (
            ("close", ids, "closes {} too", "keeps {} open"),
            ("build", ids, "builds {}", "does not build {}"),
            ("centre", label, "sets up {}", "does not set up {}")):
        column = "centre" if kind == "centre" else "site"
        mine = set(snapshot.table.loc[snapshot.of(kind), column])
        theirs = set(joint.table.loc[joint.of(kind), column])
        for text, rows in ((more, theirs - mine), (fewer, mine - theirs)):
            if not rows:
                continue
            listed = _listed(labels, rows)
            if kind == "centre":
                listed = (f"a shared centre for {listed}" if len(rows) == 1
                          else f"shared centres for {listed}")
            out.append(text.format(listed))
    placed = [{(int(r.pair), round(float(r.amount), 6)) for r in c.table.loc[c.of("move")]
               .itertuples()} for c in (snapshot, joint)]
    teams = {int(prep.pairs.at[p, "f"]) for p, _ in placed[0] ^ placed[1]}
    if teams:
        out.append(f"places {_listed(names.to_numpy(object), teams)} differently")
    return out


def _listed(labels: np.ndarray, rows: set[int]) -> str:
    """The labels of `rows`, in the order a planner counts them: runs of digits compared
    as numbers (F2 before F10, "HR at S3" before "HR at S12")."""
    return ", ".join(sorted((str(labels[r]) for r in rows), key=_counted))


def _counted(text: str) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, int(part)) if part.isdigit() else (1, part)
                 for part in re.split(r"(\d+)", text) if part)
