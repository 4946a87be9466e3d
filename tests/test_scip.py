"""The SCIP adapter (estate/solve/scip.py): the arrays handed to SCIP as they are, its
statuses read as estate's, a first plan offered, and the published optima of the small
OR-Library instances reached through `solver.name = "scip"` end to end.

The hand-worked optimum of test_solve.py and the brute force of test_bruteforce.py run on
SCIP too: their parametrisations take every solver `available_solvers()` names.
"""

from __future__ import annotations

import dataclasses
import math
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import estate
from benchmarks import orlib
from estate.load.scenario import scenario_from_dict
from estate.model.arrays import EstateModel, ModelBuilder
from estate.solve import SolverOptions, available_solvers, scip, solve
from estate.solve.types import SearchProgress
from estate.status import Status
from tests.fixtures import corridor_scenario, plan_of

pyscipopt = pytest.importorskip("pyscipopt")

SCIP = SolverOptions(name="scip", time_limit_s=30.0, mip_gap=0.0)


def _knapsack(capacity: float) -> EstateModel:
    """max 5a + 4b + 3c (as min of the negatives) with 4a + 3b + 2c <= capacity, a, b, c
    binary, and an objective constant of 100. capacity 6: {a, c} = 8 or {b, c} = 7 or
    {a} 5: the optimum is {a, c}, 100 - 8 = 92; the LP would take a and half of b (93).
    A capacity below 0 leaves no plan."""
    b = ModelBuilder()
    x = b.add_block("x", np.array(["a", "b", "c"], dtype=object), np.zeros(3), np.ones(3),
                    integer=True)
    b.add_family("cap", np.array([""], dtype=object), np.zeros(3), x,
                 np.array([4.0, 3.0, 2.0]), -math.inf, capacity)
    return b.finish(np.array([-5.0, -4.0, -3.0]), 100.0, pool=pd.DataFrame(),
                    centres=pd.DataFrame())


def test_scip_is_an_installed_solver() -> None:
    assert "scip" in available_solvers()


def test_the_scip_model_is_the_arrays() -> None:
    model = _knapsack(6.0)
    m, variables = scip.scip_model(model, SCIP)
    assert [v.name for v in variables] == list(model.col_names)
    assert [v.vtype() for v in variables] == ["BINARY"] * 3
    assert m.getNConss() == 1 and m.getObjoffset() == 100.0
    assert m.getParam("limits/gap") == 0.0 and m.getParam("lp/threads") == 1


def test_optimum_objective_bound_and_gap_are_scips() -> None:
    model = _knapsack(6.0)
    sol = solve(model, SCIP)
    assert sol.status == Status.OPTIMAL and sol.solver == "scip"
    assert sol.objective == pytest.approx(92.0) and sol.bound == pytest.approx(92.0)
    assert sol.mip_gap == 0.0
    assert sol.values is not None and sol.values.tolist() == pytest.approx([1.0, 0.0, 1.0])


def test_scip_says_where_its_search_stands_in_the_models_pounds() -> None:
    """Told as it goes, SCIP's plans and bounds are the model's NPV (its objective offset
    of 100 included): every plan reported is one of the knapsack's (100 - 8 = 92 at
    best, 100 with nothing packed), every bound at most the optimum, and the last
    report is the optimum found."""
    heard: list[SearchProgress] = []
    sol = solve(_knapsack(6.0), dataclasses.replace(SCIP, on_progress=heard.append))
    assert sol.status == Status.OPTIMAL and heard
    packings = {100.0, 95.0, 96.0, 97.0, 93.0, 92.0}  # {}, a, b, c, {a,c}... within room
    assert all(round(p.plan, 6) in packings for p in heard if math.isfinite(p.plan))
    assert all(p.bound <= 92.0 + 1e-6 for p in heard)
    assert heard[-1].plan == pytest.approx(92.0)


def test_infeasible_is_infeasible() -> None:
    sol = solve(_knapsack(-1.0), SCIP)
    assert sol.status == Status.INFEASIBLE and sol.values is None


def test_a_first_plan_is_offered_and_a_broken_one_refused() -> None:
    model = _knapsack(6.0)
    good = solve(model, SCIP, start=np.array([1.0, 0.0, 0.0]))
    assert "first plan accepted" in good.message and good.objective == pytest.approx(92.0)
    broken = solve(model, SCIP, start=np.ones(3))  # 9 > 6
    assert "first plan refused" in broken.message and broken.objective == pytest.approx(92.0)


def _three_way() -> EstateModel:
    """max o + 1.005c + 1.01t (as min of the negatives; unequal, so SCIP finds no
    symmetry to break), o, c, t binary, with 2o + c + t <= 2, o + 2c + t <= 2 and
    o + c + 2t <= 2: at most one of them can be 1 (optimum t = 1, -1.01), and the LP's
    vertex is o = c = t = 1/2, so the search must branch; with o = 0 it is c = t = 2/3
    (-1.343), so that node must branch too. o is in the block
    "open", c in "shared", t in "assign", as a site, a centre and a team's place."""
    b = ModelBuilder()
    cols = [b.add_block(block, np.array([name], dtype=object), np.zeros(1), np.ones(1),
                        integer=True)[0] for block, name in
            (("open", "o"), ("shared", "c"), ("assign", "t"))]
    rows = np.repeat(np.arange(3), 3)
    coefs = np.array([2.0, 1, 1, 1, 2, 1, 1, 1, 2])
    b.add_family("three", np.array(["a", "b", "c"], dtype=object), rows,
                 np.tile(np.array(cols), 3), coefs, -math.inf, 2.0)
    return b.finish(-np.array([1.0, 1.005, 1.01]), 0.0, pool=pd.DataFrame(),
                    centres=pd.DataFrame())


class _Candidates(pyscipopt.Branchrule):
    """Sees each node's branching candidates before SCIP's own rules, and leaves the
    choice to them: at each node, the names of those SCIP ranks first by priority."""

    def __init__(self) -> None:
        self.first: list[list[str]] = []

    def branchexeclp(self, allowaddcons: bool) -> dict[str, Any]:
        cands, _, _, _, n_first, _ = self.model.getLPBranchCands()
        self.first.append(sorted(v.name.removeprefix("t_") for v in cands[:n_first]))
        return {"result": pyscipopt.SCIP_RESULT.DIDNOTRUN}


def test_scip_branches_on_sites_then_centres_then_teams() -> None:
    """With presolve, cuts and heuristics off the root LP is o = c = t = 1/2: SCIP must
    offer only the site first; below o = 0 (c = t = 2/3) only the centre."""
    m, _ = scip.scip_model(_three_way(), SCIP)
    m.setPresolve(pyscipopt.SCIP_PARAMSETTING.OFF)
    m.setSeparating(pyscipopt.SCIP_PARAMSETTING.OFF)
    m.setHeuristics(pyscipopt.SCIP_PARAMSETTING.OFF)
    spy = _Candidates()
    m.includeBranchrule(spy, "candidates", "records the candidates", priority=10**6,
                        maxdepth=-1, maxbounddist=1.0)
    m.optimize()
    assert m.getStatus() == "optimal" and m.getObjVal() == pytest.approx(-1.01)
    assert spy.first[0] == ["open(o)"]
    assert ["shared(c)"] in spy.first[1:]
    assert all(first in (["open(o)"], ["shared(c)"]) for first in spy.first)


class _Stopped:
    """What SCIP answers after a run stopped by a limit, with or without a plan."""

    def __init__(self, status: str, n_sols: int) -> None:
        self.status, self.n_sols = status, n_sols

    def getStatus(self) -> str:
        return self.status

    def getNSols(self) -> int:
        return self.n_sols

    def getDualbound(self) -> float:
        return 90.0

    def getObjVal(self) -> float:
        return 100.0

    def getGap(self) -> float:
        return 0.1111


@pytest.mark.parametrize(("status", "n_sols", "expected"), [
    ("optimal", 1, Status.OPTIMAL), ("gaplimit", 1, Status.OPTIMAL),
    ("timelimit", 1, Status.TIME_LIMIT), ("timelimit", 0, Status.NO_SOLUTION),
    ("nodelimit", 1, Status.TIME_LIMIT), ("userinterrupt", 0, Status.NO_SOLUTION),
    ("infeasible", 0, Status.INFEASIBLE), ("inforunbd", 0, Status.INFEASIBLE)])
def test_scip_statuses_read_as_estates(status: str, n_sols: int, expected: Status) -> None:
    got, obj, bound, gap = scip.read_status(_Stopped(status, n_sols))  # type: ignore[arg-type]
    assert got == expected
    if expected == Status.TIME_LIMIT:
        assert (obj, bound, gap) == (100.0, 90.0, 0.1111)
    if expected == Status.NO_SOLUTION:
        assert math.isnan(obj) and bound == 90.0 and gap == math.inf


def test_a_time_limit_with_a_plan_states_scips_gap() -> None:
    """A real stop by the limit: the model is the status quo start offered to a search
    that has no time to prove it."""
    n, k = 400, 8  # a knapsack in eight dimensions, hard to prove in 0.05 s
    rng = np.random.default_rng(3)
    weights, values = rng.integers(20, 60, (k, n)).astype(float), rng.integers(20, 60, n)
    b = ModelBuilder()
    x = b.add_block("x", np.array([f"i{i}" for i in range(n)], dtype=object), np.zeros(n),
                    np.ones(n), integer=True)
    b.add_family("cap", np.arange(k).astype(str).astype(object), np.repeat(np.arange(k), n),
                 np.tile(x, k), weights.ravel(), -math.inf, weights.sum(axis=1) / 2 + 0.5)
    model = b.finish(-values.astype(float), 0.0, pool=pd.DataFrame(), centres=pd.DataFrame())
    sol = solve(model, SolverOptions(name="scip", time_limit_s=0.05, mip_gap=0.0),
                start=np.zeros(n))
    if sol.status == Status.OPTIMAL:  # a fast machine: proven within the limit
        pytest.skip("SCIP proved it within 0.05 s")
    assert sol.status == Status.TIME_LIMIT and sol.values is not None
    assert sol.bound <= sol.objective and sol.mip_gap > 0


def test_scip_plans_a_register_end_to_end(corridor_data: Path) -> None:
    """`solver.name = "scip"`: the corridor register planned through the whole pipeline,
    the same optimum as HiGHS, and the summary names SCIP."""
    raw: dict[str, Any] = corridor_scenario(corridor_data)
    by_scip = plan_of(corridor_data, raw, "scip")
    by_highs = plan_of(corridor_data, raw, "highs")
    s = by_scip.summary.to_json()
    assert s["solver"] == "scip" and s["status"] == "optimal"
    assert s["objective_npv"] == pytest.approx(by_highs.summary.to_json()["objective_npv"],
                                               rel=1e-4)


# --- the published optima of Beasley's small instances, on SCIP ---------------------------

DATA = orlib.data_dir()
# each well under a few seconds on SCIP; together about 45 s on this machine
QUICK = ["cap41", "cap71", "cap101"]


def _orlib_on_scip(name: str) -> tuple[dict[str, Any], float]:
    inst = orlib.load(name, DATA)
    with tempfile.TemporaryDirectory(prefix=f"orlib-scip-{name}-") as tmp:
        orlib.write_register(inst, Path(tmp) / "register")
        raw = orlib.scenario_dict("register", name, time_limit_s=120.0)
        raw["solver"]["name"] = "scip"
        sc = scenario_from_dict(raw, base_dir=Path(tmp), label=f"{name}.toml")
        plan = estate.plan(sc, write=False)
    return plan.summary.to_json(), float(plan.solution.objective)


@pytest.mark.skipif(not (DATA / "optima.csv").is_file(),
                    reason=f"OR-Library instances not found at {DATA}")
@pytest.mark.parametrize("name", [
    pytest.param(name, marks=() if name in QUICK else pytest.mark.slow)
    for name in orlib.SMALL])
def test_small_orlib_instance_reaches_published_optimum_on_scip(name: str) -> None:
    expected = orlib.published(DATA)[name]
    s, objective = _orlib_on_scip(name)
    assert s["solver"] == "scip" and s["status"] == "optimal"
    assert s["mip_gap"] <= 1e-6
    assert math.isclose(objective, expected, rel_tol=orlib.REL_TOL, abs_tol=orlib.ABS_TOL), \
        f"{name}: ours {objective:.3f}, published {expected:.3f}"
