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

from estate.model.arrays import EstateModel
from estate.pipeline import status_quo_start
from estate.prepare import Prepared
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
