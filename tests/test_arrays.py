"""The model's arrays (estate.model.arrays): LP-safe labels, one per distinct id.

Ids that differ only in characters an LP file cannot hold still name different things:
`S-1`, `S 1` and `S_1` all become `S_1` once made LP-safe; the model keeps one label
per distinct id, so PuLP (CBC, HiGHS through PuLP, LP export) sees distinct columns
and rows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from estate.model.arrays import NamedPlan, labels, meets, trimmed
from estate.pipeline import status_quo_start
from estate.solve.pulp import to_pulp
from tests.fixtures import (
    IT_SHARING,
    agency,
    function,
    plan_of,
    pooling_register,
    prepared_model,
    scenario,
    site,
    write_register,
)


def test_labels_distinct_per_distinct_id() -> None:
    ids = ["S-1", "S_1", "S 1", "S_1", "A", "S_1.1"]
    safe = labels(ids)
    assert safe[1] == safe[3] == "S_1"  # the safe id keeps its own label
    assert safe[4] == "A" and safe[5] == "S_1.1"
    distinct = dict(zip(ids, safe, strict=True))
    assert len(set(distinct.values())) == len(distinct) == 5
    assert all(set(str(lab)) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                     "0123456789_.") for lab in safe)


def _register(tmp_path: Path) -> Path:
    return write_register(tmp_path / "r", [agency("A-1"), agency("A_1")], [
        site("S-1", "A-1", 0, 0, running_cost=1_000_000),
        site("S_1", "A_1", 0, 5, running_cost=100_000),
        site("S 1", "A-1", 0, 10, running_cost=500_000),
    ], [function("F-1", "A-1", "HR", "S-1", fte=10, annual_cost=500_000),
        function("F_1", "A_1", "HR", "S_1", fte=10, annual_cost=500_000)])


def test_colliding_ids_plan_as_distinct_sites(tmp_path: Path, solver_path: str) -> None:
    plan = plan_of(_register(tmp_path), scenario(), solver_path)
    # Keep only the cheapest site and move F-1 there: 10 * (100k + 2 * 500k).
    assert plan.summary.objective_npv == pytest.approx(11_000_000, rel=1e-9)
    decisions = dict(zip(plan.sites["site_id"], plan.sites["decision"], strict=True))
    assert decisions == {"S-1": "close", "S_1": "keep", "S 1": "close"}
    moved = plan.assignments.set_index("function_id")["to_site"]
    assert moved["F-1"] == "S_1" and moved["F_1"] == "S_1"


def test_pulp_problem_has_every_row_and_column(tmp_path: Path) -> None:
    _, model = prepared_model(_register(tmp_path))
    prob, variables = to_pulp(model)
    assert len(set(model.col_names)) == len(model.col_names)
    assert len(prob.variables()) == len(variables) == len(model.col_names)
    assert len(prob.constraints) == len(model.row_names)


def test_a_plan_meets_its_rows_to_a_tolerance_scaled_by_their_terms() -> None:
    # row 0: 200 a - 200 b <= 0 (a team's desks inside an open site's); row 1: a <= 1
    matrix = sp.csr_matrix(np.array([[200.0, -200.0], [1.0, 0.0]]))
    lb, ub = np.array([-np.inf, -np.inf]), np.array([0.0, 1.0])
    col_lb, col_ub, integer = np.zeros(2), np.full(2, 2.0), np.array([False, True])

    def plan(a: float, b: float) -> bool:
        return meets(matrix, lb, ub, col_lb, col_ub, integer, np.array([a, b]))

    assert plan(1.0, 1.0)
    # 2e-5 over on row 0, whose terms sum to 400: inside 400 x 1e-6
    assert plan(1.0 + 1e-7, 1.0)
    # 1e-5 over on row 1, whose terms sum to 1: outside 1 x 1e-6
    assert not plan(1.0 + 1e-5, 2.0)
    assert not plan(1.0, 1.5)  # b must be whole
    assert not plan(1.0, 2.0 + 1e-6)  # past b's upper bound
    assert not plan(-1e-6, 0.0)  # under a's lower bound


def test_a_named_plan_is_carried_to_another_model_by_column_name(tmp_path: Path) -> None:
    """Moves limited to 6 km leave out the pairs between the small offices (7.07 km
    apart); the status quo of the limited model, carried to the unlimited one by name,
    is the unlimited model's own status quo, and the columns both share keep their
    values whatever their order."""
    folder = pooling_register(tmp_path / "reg")
    near_prep, near = prepared_model(folder, sharing=IT_SHARING, relocation={"max_km": 6.0})
    far_prep, far = prepared_model(folder, sharing=IT_SHARING)
    assert len(far.col_names) > len(near.col_names)
    carried = NamedPlan.of(near, status_quo_start(near_prep, near)).on(far)
    assert carried == pytest.approx(status_quo_start(far_prep, far))
    assert far.keeps_every_rule(carried)

    rng = np.random.default_rng(3)
    near_values = rng.random(len(near.col_names)) + 1.0
    on_far = NamedPlan.of(near, near_values).on(far)
    only_far = ~np.isin(far.col_names, near.col_names)
    assert only_far.any() and (on_far[only_far] == 0.0).all()
    assert set(on_far[~only_far]) == set(near_values)

    values = rng.random(len(far.col_names))
    order = rng.permutation(len(far.col_names))
    shuffled = NamedPlan(far.col_names[order], values[order])
    assert shuffled.on(far) == pytest.approx(values)
    back = dict(zip(far.col_names, values, strict=True))
    assert shuffled.on(near) == pytest.approx([back[n] for n in near.col_names])


def test_trimming_closes_what_the_plan_keeps_open_for_nothing(tmp_path: Path) -> None:
    """The status quo of the pooling register with A = 1 is £3.45m: three small offices
    hold their teams, and the big one (£150k a year) holds none. Trimmed, the big
    office closes (£3.30m) and nothing else moves: closing a small office would leave
    its team nowhere. Never dearer, always a plan, and a plan already trimmed stays."""
    prep, model = prepared_model(pooling_register(tmp_path / "reg"), sharing=IT_SHARING,
                                 horizon_years=1)
    quo = status_quo_start(prep, model)
    cut = trimmed(model, quo)
    assert float(model.col_cost @ quo) + model.obj_constant == pytest.approx(3_450_000)
    assert float(model.col_cost @ cut) + model.obj_constant == pytest.approx(3_300_000)
    assert list(model.col_names[cut != quo]) == ["open(SH)"]
    assert model.keeps_every_rule(cut) and (trimmed(model, cut) == cut).all()
