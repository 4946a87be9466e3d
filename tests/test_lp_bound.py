"""estate.solve.lp_bound: any prices give a bound, and PDLP's prices a close one.

Oracles: the three-site model of tests/test_solve.py worked by hand (optimum 114, LP
relaxation 113.5), HiGHS's simplex on the same relaxation, and the brute force's optima
(tests/test_bruteforce.py).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import highspy
import numpy as np
import pandas as pd
import pytest

import estate.solve as solve_package
from estate.model.arrays import EstateModel, ModelBuilder
from estate.pipeline import status_quo_start
from estate.prepare import Prepared
from estate.solve import (
    SearchPhase,
    SearchProgress,
    SolverOptions,
    first_plan,
    solve,
    window_passes,
)
from estate.solve.highs import lp_from_arrays, new_highs
from estate.solve.lp_bound import LpPrices, box_bound, pdlp_prices, signed
from estate.status import Status
from tests.fixtures import IT_SHARING, prepared_model, two_towns_register
from tests.test_bruteforce import brute_forced
from tests.test_solve import _knapsacks, _tiny


def lp_relaxation(model: EstateModel) -> tuple[float, LpPrices]:
    """The LP relaxation's value, and its row prices (signed as each row allows) and
    column values, by HiGHS's simplex: the oracle PDLP and the raised bound start from."""
    h = new_highs(60.0, 0.0)
    h.passModel(lp_from_arrays(model.matrix.tocsc(), model.col_cost, model.col_lb,
                               model.col_ub, model.row_lb, model.row_ub,
                               np.zeros(len(model.col_cost), bool), model.obj_constant))
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    solution = h.getSolution()
    y = signed(np.array(solution.row_dual), model.row_lb, model.row_ub)
    return h.getInfo().objective_function_value, LpPrices(y, np.array(solution.col_value))


def test_any_prices_give_a_bound_under_the_hand_worked_optimum() -> None:
    model = _tiny()  # optimum 114, LP relaxation 113.5
    rng = np.random.default_rng(7)
    for _ in range(200):
        y = rng.normal(0.0, 5.0, len(model.row_lb))
        assert box_bound(model, y) <= 114.0 + 1e-9
    value, prices = lp_relaxation(model)
    assert value == pytest.approx(113.5)
    # at the LP's own prices the bound is the LP's value (strong duality)
    assert box_bound(model, prices.row_prices) == pytest.approx(113.5)


def test_prices_the_wrong_side_of_a_row_are_taken_as_zero() -> None:
    lo = np.array([1.0, -np.inf, 1.0, -np.inf])
    hi = np.array([np.inf, 2.0, 2.0, np.inf])  # >=, <=, ranged, free
    y = np.array([-1e-9, 1e-9, -3.0, 4.0])
    assert signed(y, lo, hi).tolist() == [0.0, 0.0, -3.0, 0.0]
    assert signed(-y, lo, hi).tolist() == [1e-9, -1e-9, 3.0, 0.0]


def test_pdlp_comes_close_to_the_lp_and_stays_under_the_optimum() -> None:
    model = _knapsacks(1499.0)  # the NPV's best is 50
    value, _ = lp_relaxation(model)
    prices = pdlp_prices(model, 60.0)
    assert prices is not None and len(prices.col_values) == len(model.col_cost)
    bound = box_bound(model, prices.row_prices)
    assert bound <= 50.0 + 1e-6
    # PDLP's tolerance (1e-3) is relative to the costs (about 1,500 here)
    assert bound == pytest.approx(value, abs=1e-3 * 1499.0)


def test_prices_that_are_not_numbers_give_a_bound_that_still_holds() -> None:
    # min -x over 0 <= x <= 10 with x <= 5: the optimum is -5; a price that is not a
    # number must not make the row and the column count for nothing (a "bound" of 0)
    b = ModelBuilder()
    x = b.add_block("x", np.array(["x"], dtype=object), np.zeros(1), np.full(1, 10.0),
                    integer=False)
    b.add_family("cap", np.array([""], dtype=object), np.zeros(1), x, np.ones(1),
                 -np.inf, 5.0)
    model = b.finish(np.array([-1.0]), 0.0, pool=pd.DataFrame(), centres=pd.DataFrame())
    assert box_bound(model, np.array([-1.0])) == pytest.approx(-5.0)  # the LP's price
    for bad in (np.nan, np.inf, -np.inf):
        assert box_bound(model, np.array([bad])) <= -5.0


def test_no_time_gives_no_prices() -> None:
    assert pdlp_prices(_tiny(), 0.0) is None


@pytest.mark.parametrize("seed", [0, 3])  # brute-force seeds with a plan
def test_a_model_above_the_window_threshold_gets_the_pdlp_bound(
        tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    best, _, _, prep, model = brute_forced(tmp_path, seed)
    assert best is not None, f"seed {seed} has no plan: choose seeds that have one"
    monkeypatch.setattr(solve_package, "WINDOW_MIN_COLUMNS", 0)  # this model is "big"
    _solved_to(best, prep, model)


def _solved_to(best: float, prep: Prepared, model: EstateModel) -> None:
    """Solved from the status quo in 60 s: the LP bound is told once, under the
    brute-force optimum `best`, and the answer is that optimum, proven."""
    heard: list[SearchProgress] = []
    solution = solve(model, SolverOptions(time_limit_s=60.0, mip_gap=0.0,
                                          on_progress=heard.append),
                     start=status_quo_start(prep, model))
    (told,) = [p for p in heard if p.phase == SearchPhase.LP_BOUND]
    assert told.bound <= best + 1e-6 * abs(best) + 1e-3
    assert solution.status == Status.OPTIMAL
    assert solution.objective == pytest.approx(best, rel=1e-6, abs=1e-3)


def test_beside_the_windows_the_bound_is_raised_by_packing_fractional_sites_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # seed 33: the LP opens two sites by parts, so packing them whole raises the bound
    # (£52.690m to £53.023m at the LP's own prices; tests/test_site_bound.py)
    best, _, _, prep, model = brute_forced(tmp_path, 33)
    assert best is not None
    monkeypatch.setattr(solve_package, "WINDOW_MIN_COLUMNS", 0)
    monkeypatch.setattr(first_plan, "WINDOW_MIN_COLUMNS", 0)  # planned window by window
    real = solve_package.pooled_start

    def pooled_start(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)  # no shared centres here: no windows to search
        time.sleep(5.0)  # windows that take a while: time to raise before they end
        return found

    monkeypatch.setattr(solve_package, "pooled_start", pooled_start)
    heard: list[SearchProgress] = []
    solution = solve(model, SolverOptions(time_limit_s=60.0, mip_gap=0.0,
                                          on_progress=heard.append),
                     start=status_quo_start(prep, model))
    (lp,) = [p.bound for p in heard if p.phase == SearchPhase.LP_BOUND]
    raised = [p.bound for p in heard if p.phase == SearchPhase.SITE_BOUND]
    if len(os.sched_getaffinity(0)) >= 2:  # beside the windows: raised
        assert raised and lp + 100_000 < raised[0] <= best + 1e-6 * abs(best) + 1e-3
    else:  # one CPU: the bound comes first, not raised
        assert raised == []
    assert solution.status == Status.OPTIMAL
    assert solution.objective == pytest.approx(best, rel=1e-6, abs=1e-3)


def test_a_model_planned_by_windows_gets_the_bound_beside_windows_given_all_but_5_percent(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    best, _, _, prep, model = brute_forced(tmp_path, 0)
    assert best is not None
    assert not model.keeps_every_rule(status_quo_start(prep, model))
    monkeypatch.setattr(solve_package, "WINDOW_MIN_COLUMNS", 0)
    monkeypatch.setattr(first_plan, "WINDOW_MIN_COLUMNS", 0)  # planned window by window
    budgets: list[float] = []
    at_once: list[Callable[[], int]] = []
    real = first_plan.window_start

    def window_start(*args: Any, **kwargs: Any) -> Any:
        budgets.append(args[3])
        at_once.append(kwargs["side_by_side"])
        return real(*args, **kwargs)

    monkeypatch.setattr(first_plan, "window_start", window_start)
    # the bound is found on its own thread and told; the start (the status quo) breaks a
    # rule, so the windows get all but 5% of the limit, which the main search keeps should
    # they not mend it (on one CPU the bound comes first and they get 57 s less its time)
    _solved_to(best, prep, model)
    assert budgets == [pytest.approx(0.95 * 60, abs=1.0)]
    # the bound found, its CPU goes to the windows: two at once on two CPUs
    (side_by_side,) = at_once
    assert side_by_side() == min(2, len(os.sched_getaffinity(0)))


def test_windows_that_run_to_the_end_of_their_time_are_the_answer_with_the_pdlp_bound(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Windows that take all their time (made so here by waiting out their budget after
    # the real passes): the main search is not run, and the answer is the windows' plan
    # (on the two towns, the hand-worked optimum 2 x £2.60m) with PDLP's bound.
    prep, model = prepared_model(two_towns_register(tmp_path / "towns"), horizon_years=1,
                                 sharing=IT_SHARING, relocation={"max_km": 40})
    monkeypatch.setattr(solve_package, "WINDOW_MIN_COLUMNS", 0)
    monkeypatch.setattr(first_plan, "WINDOW_MIN_COLUMNS", 0)
    monkeypatch.setattr(window_passes, "WINDOW_COLUMNS", len(model.col_cost) // 2 + 1)
    real = first_plan.window_start
    budgets: list[float] = []

    def window_start(*args: Any, **kwargs: Any) -> Any:
        budgets.append(args[3])
        t0 = time.perf_counter()
        found = real(*args, **kwargs)
        time.sleep(max(0.0, args[3] - (time.perf_counter() - t0)))
        return found

    searched: list[float] = []
    real_search = solve_package.solve_restarted

    def main_search(*args: Any, **kwargs: Any) -> Any:
        searched.append(args[4])
        return real_search(*args, **kwargs)

    monkeypatch.setattr(first_plan, "window_start", window_start)
    monkeypatch.setattr(solve_package, "solve_restarted", main_search)
    heard: list[SearchProgress] = []
    t0 = time.perf_counter()
    solution = solve(model, SolverOptions(time_limit_s=12.0, mip_gap=0.0,
                                          on_progress=heard.append),
                     start=status_quo_start(prep, model))
    assert time.perf_counter() - t0 < 12.0 + 2.0
    assert budgets == [pytest.approx(12.0 - 5.0, abs=1.0)]  # all but the main search's 5 s
    assert searched == [], solution.first_plan
    assert solution.first_plan is not None and not solution.first_plan.searched_after
    (told,) = [p for p in heard if p.phase == SearchPhase.LP_BOUND]
    assert told.bound <= 5_200_000
    assert solution.values is not None
    assert solution.objective == pytest.approx(5_200_000)
    assert solution.objective == pytest.approx(
        float(model.col_cost @ solution.values) + model.obj_constant)
    assert solution.bound == told.bound
    assert solution.mip_gap == pytest.approx((5_200_000 - told.bound) / 5_200_000, abs=1e-12)
    # proven only by that bound (here the LP's is tight: this model's LP has a whole-team
    # optimum)
    assert solution.status == (Status.OPTIMAL if solution.mip_gap <= 1e-9
                                else Status.TIME_LIMIT)
    assert solution.first_plan is not None and solution.first_plan.used
    # with time left after them (the passes ended), the main search runs and proves it
    monkeypatch.setattr(first_plan, "window_start", real)
    proven = solve(model, SolverOptions(time_limit_s=12.0, mip_gap=0.0),
                   start=status_quo_start(prep, model))
    assert len(searched) == 1 and searched[0] > 5.0
    assert proven.first_plan is not None and proven.first_plan.searched_after
    assert proven.status == Status.OPTIMAL
    assert proven.objective == pytest.approx(5_200_000)
    # windows that use all their time and improve nothing (the start is already the
    # optimum): the main search still runs, in the 5 s kept for it, and the answer is
    # that plan
    monkeypatch.setattr(first_plan, "window_start", window_start)
    searched.clear()
    again = solve(model, SolverOptions(time_limit_s=12.0, mip_gap=0.0), start=proven.values)
    assert again.first_plan is not None and not again.first_plan.used
    assert searched == [pytest.approx(5.0, abs=1.0)]
    assert again.objective == pytest.approx(5_200_000)
