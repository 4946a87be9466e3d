"""The pooling strengthening (fixings and rows of estate.model.build) and the first-plan step.

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

from estate import pipeline as api
from estate.load.scenario import scenario_from_dict
from estate.model.build import build
from estate.solve import first_plan as heuristic
from estate.solve.first_plan import pooled_start
from estate.solve.highs import highs_lp

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
    assert result.summary.objective_npv == pytest.approx(2_600_000, abs=1e-3)
    assert result.summary.status_quo_npv == pytest.approx(3_450_000, abs=1e-3)
    assert result.summary.shared_centres == 1


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


def _two_towns(tmp_path: Path) -> Path:
    """The hand-worked locality twice, the copies 200 km apart (ids suffixed 1 and 2)."""
    functions, sites = [], []
    for town, dx in (("1", 0.0), ("2", 200.0)):
        for g, (x, y) in zip("ABC", [(0, 0), (5, 0), (0, 5)], strict=True):
            functions.append(function(f"F{g}{town}", g, "IT", f"S{g}{town}", fte=10,
                                      annual_cost=1_000_000))
            sites.append(site(f"S{g}{town}", g, x + dx, y, desks=10, running_cost=100_000))
        sites.append(site(f"SH{town}", "A", 3 + dx, 3, desks=40, running_cost=150_000))
    return write_register(tmp_path / "towns", [agency(g) for g in "ABC"], sites, functions)


def test_window_by_window_plans_each_town(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    # Two windows of half the columns each: the cut falls between the two towns. Each town's optimum is
    # the hand-worked £2.60m, independent of the other (200 km apart, relocation within
    # 40 km), so planning one window at a time reaches 2 x £2.60m = £5.20m, against the
    # status quo 2 x £3.45m = £6.90m.
    folder = _two_towns(tmp_path)
    prep, model = _model(folder, sharing=SHARING, relocation={"max_km": 40})
    monkeypatch.setattr(heuristic, "WINDOW_COLUMNS", len(model.col_cost) // 2 + 1)
    start = api.status_quo_start(prep, model)
    assert float(model.col_cost @ start) + model.obj_constant == pytest.approx(6_900_000)
    values, report = heuristic.window_start(model, highs_lp(model), start, 60.0, 1e-9)
    # the first pass plans both towns; the three more passes (the map turned) find
    # nothing more
    assert report.used and report.windows == 2 * len(heuristic.PASS_TURNS)
    assert report.windows_improved == 2
    assert _feasible(model, values)
    assert float(model.col_cost @ values) + model.obj_constant == pytest.approx(5_200_000)
    assert report.objective == pytest.approx(5_200_000)
    # pooled_start takes this path for models with more columns than WINDOW_MIN_COLUMNS
    monkeypatch.setattr(heuristic, "WINDOW_MIN_COLUMNS", len(model.col_cost) - 1)
    _, via = pooled_start(model, highs_lp(model), start, 60.0, 1e-9)
    assert via.windows == 2 * len(heuristic.PASS_TURNS)
    assert via.objective == pytest.approx(5_200_000)
    monkeypatch.setattr(heuristic, "WINDOW_MIN_COLUMNS", len(model.col_cost))
    _, whole = pooled_start(model, highs_lp(model), start, 60.0, 1e-9)
    # planned whole, the first plan is the optimum: the polishing passes find nothing
    assert whole.windows == 0 and whole.objective == pytest.approx(5_200_000)
    assert np.isnan(whole.before_windows)
    # the whole-model search agrees
    exact = plan_of(folder, scenario(horizon_years=1, sharing=SHARING,
                                     relocation={"max_km": 40}), "highs")
    assert exact.summary.objective_npv == pytest.approx(5_200_000, abs=1e-3)


def test_a_window_holds_everything_outside_it(tmp_path: Path) -> None:
    # Town 1's window planned alone: town 1 reaches its £2.60m, town 2 stays exactly as
    # it is today (£3.45m), and no column of town 2 moves.
    prep, model = _model(_two_towns(tmp_path), sharing=SHARING, relocation={"max_km": 40})
    start = api.status_quo_start(prep, model)
    town1 = prep.sites["site_id"].str.endswith("1").to_numpy()
    free = heuristic.window_columns(model, start, town1)
    names = [str(n) for n in model.col_names]
    assert {n for n, f in zip(names, free, strict=True) if f} == {
        n for n in names if "1," in n or n.endswith("1)")}
    values, report = heuristic._lp_guided(model, highs_lp(model), start, 10.0, 30.0, 1e-9,
                                          fixed=~free)
    assert report.used
    assert _feasible(model, values)
    assert float(model.col_cost @ values) + model.obj_constant == pytest.approx(6_050_000)
    assert np.array_equal(values[~free], start[~free])


def test_a_team_sitting_outside_the_window_is_held(tmp_path: Path) -> None:
    # A team moved to town 2 in the plan so far is not free in town 1's window.
    prep, model = _model(_two_towns(tmp_path), sharing=SHARING, relocation={"max_km": 400})
    plan = api.status_quo_start(prep, model)
    names = [str(n) for n in model.col_names]
    plan[names.index("assign(FA1,SA1)")] = 0.0
    plan[names.index("assign(FA1,SH2)")] = 1.0
    town1 = prep.sites["site_id"].str.endswith("1").to_numpy()
    free = heuristic.window_columns(model, plan, town1)
    assert not any(f for n, f in zip(names, free, strict=True) if "(FA1," in n)
    assert free[names.index("assign(FB1,SH1)")] and free[names.index("open(SA1)")]


def test_windows_are_compact_and_of_equal_weight() -> None:
    # A 12 x 8 grid of sites, equal weights, cut into 4 windows: first across the longer
    # side (x) into two 6 x 8 halves, then each across its longer side (y): four 6 x 4
    # blocks of 24 sites.
    gx, gy = np.meshgrid(np.arange(12.0), np.arange(8.0))
    xy = np.column_stack([gx.ravel(), gy.ravel()])
    window_of = heuristic._bisect(xy, np.ones(len(xy)), 4)
    assert sorted(np.bincount(window_of).tolist()) == [24] * 4
    for w in range(4):
        block = xy[window_of == w]
        assert np.ptp(block[:, 0]) == 5 and np.ptp(block[:, 1]) == 3
    # into 6: equal counts still
    assert sorted(np.bincount(heuristic._bisect(xy, np.ones(len(xy)), 6)).tolist()) == [16] * 6
    # weights, not counts: one heavy site (weight 20 of 35) is a window of its own
    weight = np.ones(16)
    weight[0] = 20
    line = np.column_stack([np.arange(16.0), np.zeros(16)])
    assert np.bincount(heuristic._bisect(line, weight, 2)).tolist() == [1, 15]


def test_a_start_breaking_a_rule_no_window_sees_gives_no_plan(tmp_path: Path,
                                                               monkeypatch) -> None:  # noqa: ANN001
    # FA1 counted at home in town 1 and at SH2 in town 2: its housed row sums to 2. The
    # team sits outside every window, so no window can mend it; the windows still
    # improve the rest, but the result breaks a rule and is not offered as a plan.
    prep, model = _model(_two_towns(tmp_path), sharing=SHARING, relocation={"max_km": 400})
    monkeypatch.setattr(heuristic, "WINDOW_COLUMNS", len(model.col_cost) // 2 + 1)
    start = api.status_quo_start(prep, model)
    names = [str(n) for n in model.col_names]
    start[names.index("assign(FA1,SH2)")] = 1.0
    values, report = heuristic.window_start(model, highs_lp(model), start, 60.0, 1e-9)
    assert not report.used and "breaks a rule" in report.reason
    assert values is start
