"""The pooling strengthening (fixings and rows of estate.model) and the first-plan step.

Hand-worked: three agencies' IT teams of 10 desks each sit in three 10-desk offices; a
40-desk office could take all three pooled. Pooled, a team needs 10 x (1 - 0.2) = 8
desks, so no small office can hold two agencies' pooled teams (16 > 10): every pooled
column there is fixed at 0, and so is every centre there. The optimum, worked by hand
(A = 1, nothing one-off but the set-up): the three teams pooled at the big office and
the three small offices closed: 150k + 3 x (1m - 200k) + 50k set-up = £2.60m, against
the status quo 3 x 100k + 150k + 3 x 1m = £3.45m.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from builders import agency, function, plan_of, scenario, site, write_register

from estate import api
from estate.heuristic import pooled_start
from estate.model import build
from estate.scenario import scenario_from_dict
from estate.solvers import highs_lp

SHARING = {"types": ["IT"], "efficiency": 0.2, "setup_cost": 50_000, "min_agencies": 2}


def _register(tmp_path: Path, big_desks: float = 40, extra_team: bool = False) -> Path:
    functions = [function("FA", "A", "IT", "SA", fte=10, annual_cost=1_000_000),
                 function("FB", "B", "IT", "SB", fte=10, annual_cost=1_000_000),
                 function("FC", "C", "IT", "SC", fte=10, annual_cost=1_000_000)]
    if extra_team:  # a 2-desk team of a fourth agency
        functions.append(function("FD", "D", "IT", "SD", fte=2, annual_cost=200_000))
    sites = [site("SA", "A", 0, 0, desks=10, running_cost=100_000),
             site("SB", "B", 5, 0, desks=10, running_cost=100_000),
             site("SC", "C", 0, 5, desks=10, running_cost=100_000),
             site("SH", "A", 3, 3, desks=big_desks, running_cost=150_000)]
    if extra_team:
        sites.append(site("SD", "D", 4, 4, desks=2, running_cost=10_000))
    agencies = [agency(g) for g in ("A", "B", "C", "D" if extra_team else "C")]
    return write_register(tmp_path / "reg", list({a["agency_id"]: a for a in agencies}.values()),
                          sites, functions)


def _model(folder: Path, **changes):  # noqa: ANN202
    raw = scenario(data=str(folder), horizon_years=1, **changes)
    sc = scenario_from_dict(raw, base_dir=folder, label="test.toml", default_name="test")
    prep = api.prepare_scenario(sc)
    return prep, build(prep)


def _ub(model, name: str) -> float:  # noqa: ANN001
    return float(model.col_ub[list(model.col_names).index(name)])


def test_small_offices_cannot_be_centres(tmp_path: Path) -> None:
    prep, model = _model(_register(tmp_path), sharing=SHARING)
    for team in ("FA", "FB", "FC"):
        for small in ("SA", "SB", "SC"):
            assert _ub(model, f"pooled({team},{small})") == 0.0
        assert _ub(model, f"pooled({team},SH)") == 1.0
    for small in ("SA", "SB", "SC"):
        assert _ub(model, f"shared(IT,{small})") == 0.0
    assert _ub(model, "shared(IT,SH)") == 1.0
    # 16 desks pooled for two agencies do not fit 15; they fit 16.
    _, tight = _model(_register(tmp_path / "t", big_desks=15), sharing=SHARING)
    assert _ub(tight, "shared(IT,SH)") == 0.0
    _, exact = _model(_register(tmp_path / "e", big_desks=16), sharing=SHARING)
    assert _ub(exact, "pooled(FA,SH)") == 1.0


def test_fixings_follow_min_agencies(tmp_path: Path) -> None:
    # With a 2-desk team of a fourth agency (1.6 desks pooled): 8 + 1.6 fits a 10-desk
    # office, so with two agencies SA can be a centre; with three (8 + 1.6 + 8 = 17.6)
    # only SH (40) can; with one, any office that fits the team alone.
    folder = _register(tmp_path, extra_team=True)
    _, two = _model(folder, sharing=SHARING)
    assert _ub(two, "pooled(FA,SA)") == 1.0
    assert _ub(two, "pooled(FD,SA)") == 1.0
    _, three = _model(folder, sharing={**SHARING, "min_agencies": 3})
    assert _ub(three, "pooled(FA,SA)") == 0.0
    assert _ub(three, "pooled(FD,SA)") == 0.0
    assert _ub(three, "pooled(FA,SH)") == 1.0
    _, one = _model(folder, sharing={**SHARING, "min_agencies": 1})
    assert _ub(one, "pooled(FA,SB)") == 1.0
    # FD pooled (1.6 desks) fits its own 2-desk office alone, not beside another team.
    assert _ub(one, "pooled(FD,SD)") == 1.0
    assert _ub(two, "pooled(FD,SD)") == 0.0


def test_split_keeps_every_pooled_column(tmp_path: Path) -> None:
    _, model = _model(_register(tmp_path), sharing=SHARING, assignment={"split": True})
    pooled = model.blocks["pooled"]
    assert (model.col_ub[pooled] == 1.0).all()


@pytest.mark.parametrize("solver", ["highs", "highs-pulp", "cbc"])
def test_hand_worked_optimum(tmp_path: Path, solver: str) -> None:
    folder = _register(tmp_path)
    result = plan_of(folder, scenario(horizon_years=1, sharing=SHARING), solver)
    assert result.summary["objective_npv"] == pytest.approx(2_600_000, abs=1e-3)
    assert result.summary["status_quo_npv"] == pytest.approx(3_450_000, abs=1e-3)
    assert result.summary["shared_centres"] == 1


def _feasible(model, x: np.ndarray, tol: float = 1e-6) -> bool:  # noqa: ANN001
    activity = model.matrix @ x
    integral = np.abs(x[model.col_integer] - np.round(x[model.col_integer])) <= tol
    return bool((activity >= model.row_lb - tol).all() and (activity <= model.row_ub + tol).all()
                and (x >= model.col_lb - tol).all() and (x <= model.col_ub + tol).all()
                and integral.all())


def test_first_plan_is_a_plan_between_optimum_and_status_quo(tmp_path: Path) -> None:
    prep, model = _model(_register(tmp_path), sharing=SHARING)
    start = api.status_quo_start(prep, model)
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
    prep, model = _model(_register(tmp_path))
    start = api.status_quo_start(prep, model)
    values, report = pooled_start(model, highs_lp(model), start, 60.0, 1e-9)
    assert not report.used and values is start
