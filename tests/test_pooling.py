"""The pooling strengthening (estate.model.pooling): the fixings and rows whole teams
force, and the hand-worked optimum they must keep.

The pooling register (`tests.fixtures.registers.pooling_register`): three agencies' IT
teams of 10 desks each in three 10-desk offices, and a 40-desk office. Pooled, a team
needs 10 x (1 - 0.2) = 8 desks, so no small office can hold two agencies' pooled teams
(16 > 10): every pooled column there is fixed at 0, and so is every centre there. The
optimum, worked by hand (A = 1, nothing one-off but the set-up): the three teams pooled
at the big office and the three small offices closed: 150k + 3 x (1m - 200k) + 50k
set-up = £2.60m, against the status quo 3 x 100k + 150k + 3 x 1m = £3.45m. Every
hand-off to a solver must find it (the `solver_path` fixture).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from estate.model.arrays import EstateModel
from estate.model.reduce import reductions_line
from estate.prepare import Prepared
from tests.fixtures import IT_SHARING, plan_of, pooling_register, prepared_model, scenario


def _model(folder: Path, **changes: Any) -> tuple[Prepared, EstateModel]:
    """The scenario with A = 1 (H = 1, r = 0) on `folder`, prepared and built."""
    return prepared_model(folder, horizon_years=1, **changes)


def _ub(model: EstateModel, name: str) -> float:
    return float(model.col_ub[list(model.col_names).index(name)])


def test_small_offices_cannot_be_centres(tmp_path: Path) -> None:
    prep, model = _model(pooling_register(tmp_path / "reg"), sharing=IT_SHARING)
    for team in ("FA", "FB", "FC"):
        for small in ("SA", "SB", "SC"):
            assert _ub(model, f"pooled({team},{small})") == 0.0
        assert _ub(model, f"pooled({team},SH)") == 1.0
    for small in ("SA", "SB", "SC"):
        assert _ub(model, f"shared(IT,{small})") == 0.0
    assert _ub(model, "shared(IT,SH)") == 1.0
    # 16 desks pooled for two agencies do not fit 15; they fit 16.
    _, tight = _model(pooling_register(tmp_path / "t", big_desks=15), sharing=IT_SHARING)
    assert _ub(tight, "shared(IT,SH)") == 0.0
    _, exact = _model(pooling_register(tmp_path / "e", big_desks=16), sharing=IT_SHARING)
    assert _ub(exact, "pooled(FA,SH)") == 1.0


def test_fixings_follow_min_agencies(tmp_path: Path) -> None:
    # With a 2-desk team of a fourth agency (1.6 desks pooled): 8 + 1.6 fits a 10-desk
    # office, so with two agencies SA can be a centre; with three (8 + 1.6 + 8 = 17.6)
    # only SH (40) can; with one, any office that fits the team alone.
    folder = pooling_register(tmp_path / "reg", extra_team=True)
    _, two = _model(folder, sharing=IT_SHARING)
    assert _ub(two, "pooled(FA,SA)") == 1.0
    assert _ub(two, "pooled(FD,SA)") == 1.0
    _, three = _model(folder, sharing={**IT_SHARING, "min_agencies": 3})
    assert _ub(three, "pooled(FA,SA)") == 0.0
    assert _ub(three, "pooled(FD,SA)") == 0.0
    assert _ub(three, "pooled(FA,SH)") == 1.0
    _, one = _model(folder, sharing={**IT_SHARING, "min_agencies": 1})
    assert _ub(one, "pooled(FA,SB)") == 1.0
    # FD pooled (1.6 desks) fits its own 2-desk office alone, not beside another team.
    assert _ub(one, "pooled(FD,SD)") == 1.0
    assert _ub(two, "pooled(FD,SD)") == 0.0


def test_the_fixings_are_counted_and_said(tmp_path: Path) -> None:
    """Counted by hand: each of the three teams' pooled column at each small office, and
    those three centres (above); with a 15-desk big office its own too. The fourth
    agency's 2-desk office is too small for any other team even pooled (8 > 2): three
    pairs left out."""
    _, model = _model(pooling_register(tmp_path / "reg"), sharing=IT_SHARING)
    assert model.reductions == {"pooled_unusable": 9, "centres_unusable": 3}
    assert model.size["reduced_pooled_unusable"] == 9
    assert reductions_line(model.reductions) == (
        "Reductions: whole teams: 9 pooled places and 3 shared centres no plan can use, "
        "fixed at 0")
    _, tight = _model(pooling_register(tmp_path / "t", big_desks=15), sharing=IT_SHARING)
    assert tight.reductions == {"pooled_unusable": 12, "centres_unusable": 4}
    _, extra = _model(pooling_register(tmp_path / "x", extra_team=True), sharing=IT_SHARING)
    assert extra.reductions["pairs_unfit"] == 3
    assert reductions_line({"pairs_unfit": 1, "centres_unusable": 1}) == (
        "Reductions: whole teams: 1 place too small for the team even pooled, left out; 1 "
        "shared centre no plan can use, fixed at 0")
    assert reductions_line({"covering_rows": 1}) == (
        "Reductions: 1 coverage row checked, none dropped")
    assert reductions_line({"covering_rows": 2, "columns_unused": 1}) == (
        "Reductions: 2 coverage rows checked, none dropped; 1 site fixed (1 reaching no zone)")
    assert reductions_line({"covering_rows": 3, "rows_met": 2, "columns_dominated": 1}) == (
        "Reductions: 2 of 3 coverage rows dropped (2 met by a site kept open); 1 site fixed "
        "(1 dominated)")
    _, alone = _model(pooling_register(tmp_path / "a"), sharing=IT_SHARING,
                      assignment={"split": True})
    assert alone.reductions == {}


def test_split_keeps_every_pooled_column(tmp_path: Path) -> None:
    _, model = _model(pooling_register(tmp_path / "reg"), sharing=IT_SHARING, assignment={"split": True})
    pooled = model.blocks["pooled"]
    assert (model.col_ub[pooled] == 1.0).all()


def test_hand_worked_optimum(tmp_path: Path, solver_path: str) -> None:
    folder = pooling_register(tmp_path / "reg")
    result = plan_of(folder, scenario(horizon_years=1, sharing=IT_SHARING), solver_path)
    assert result.summary.objective_npv == pytest.approx(2_600_000, abs=1e-3)
    assert result.summary.status_quo_npv == pytest.approx(3_450_000, abs=1e-3)
    assert result.summary.shared_centres == 1
