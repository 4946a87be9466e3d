"""The first plan for models with shared centres (estate.solve.first_plan): the
LP-guided restricted search (estate.solve.lp_guided) on the pooling register
(`tests.fixtures.registers.pooling_register`: hand-worked optimum £2.60m against a
status quo of £3.45m, with A = 1). Window by window: tests/test_window_passes.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from estate.model.arrays import EstateModel, NamedPlan
from estate.pipeline import first_plan_of, status_quo_start
from estate.prepare import Prepared
from estate.solve import SolverOptions
from estate.solve.first_plan import pooled_start
from estate.solve.highs import highs_lp
from tests.fixtures import (
    IT_SHARING,
    pooling_register,
    prepared_model,
)


def _model(folder: Path, **changes: Any) -> tuple[Prepared, EstateModel]:
    """The scenario with A = 1 (H = 1, r = 0) on `folder`, prepared and built."""
    return prepared_model(folder, horizon_years=1, **changes)


def _feasible(model: EstateModel, x: np.ndarray, tol: float = 1e-6) -> bool:
    activity = model.matrix @ x
    integral = np.abs(x[model.col_integer] - np.round(x[model.col_integer])) <= tol
    return bool((activity >= model.row_lb - tol).all() and (activity <= model.row_ub + tol).all()
                and (x >= model.col_lb - tol).all() and (x <= model.col_ub + tol).all()
                and integral.all())


def test_first_plan_is_a_plan_between_optimum_and_status_quo(tmp_path: Path) -> None:
    prep, model = _model(pooling_register(tmp_path / "reg"), sharing=IT_SHARING)
    start = status_quo_start(prep, model)
    status_quo = float(model.col_cost @ start) + model.obj_constant
    assert status_quo == pytest.approx(3_450_000)
    values, report = pooled_start(model, highs_lp(model), start, 60.0, 1e-9)
    assert report.used, report.reason
    assert _feasible(model, values)
    found = float(model.col_cost @ values) + model.obj_constant
    assert found == pytest.approx(report.objective)
    assert found == pytest.approx(2_600_000)  # here the restricted search holds the optimum
    assert report.lp_bound <= found + 1e-6
    assert report.centres_allowed == 1


def test_first_plan_not_used_without_centres(tmp_path: Path) -> None:
    prep, model = _model(pooling_register(tmp_path / "reg"))
    start = status_quo_start(prep, model)
    values, report = pooled_start(model, highs_lp(model), start, 60.0, 1e-9)
    assert not report.used and values is start


def test_a_plan_given_is_searched_from_only_when_it_keeps_every_rule(tmp_path: Path) -> None:
    """The hand-worked optimum (three teams pooled at the big office, £2.60m) given as a
    start is taken as it is and the first-plan step is skipped; a start that leaves the
    teams nowhere breaks the rows placing them, so the status quo is searched from."""
    prep, model = _model(pooling_register(tmp_path / "reg"), sharing=IT_SHARING)
    quo = status_quo_start(prep, model)
    best, report = pooled_start(model, highs_lp(model), quo, 60.0, 1e-9)
    assert report.used and float(model.col_cost @ best) + model.obj_constant == (
        pytest.approx(2_600_000))
    said: list[str] = []
    options = SolverOptions(first_plan=True)
    start, used = first_plan_of(prep, model, options, NamedPlan.of(model, best), said.append)
    assert start == pytest.approx(best) and not used.first_plan
    assert said == ["Starting the search from the plan given (no first-plan step)"]

    said.clear()
    nowhere = NamedPlan.of(model, np.zeros(len(model.col_names)))
    start, used = first_plan_of(prep, model, options, nowhere, said.append)
    assert start == pytest.approx(quo) and used.first_plan
    assert said and "breaks a rule" in said[0]

    start, used = first_plan_of(prep, model, options, None, said.append)
    assert start == pytest.approx(quo) and used == options
