"""The window passes (estate.solve.window_passes): a plan improved one part of the map
at a time, one window or two at once.

On two copies of the pooling register 200 km apart (`two_towns_register`: each town's
hand-worked optimum £2.60m against a status quo of £3.45m, with A = 1), cut so that
each town is a window.
"""

from __future__ import annotations

import functools
import itertools
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from estate.model.arrays import EstateModel, ModelBuilder
from estate.pipeline import status_quo_start
from estate.prepare import Prepared
from estate.solve import first_plan, lp_guided
from estate.solve import window_passes as passes
from estate.solve.first_plan import pooled_start
from estate.solve.highs import highs_lp
from estate.solve.progress import Reporter
from estate.solve.types import SearchPhase, SearchProgress
from tests.fixtures import (
    IT_SHARING,
    agency,
    function,
    plan_of,
    scenario,
    site,
    two_towns_register,
    write_register,
    zone,
)
from tests.test_first_plan import _feasible, _model


def _two_towns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, max_km: float = 40
               ) -> tuple[Prepared, EstateModel, np.ndarray]:
    """The two towns (relocation within `max_km`) cut into two windows of half the
    columns each, the cut falling between the towns; the model and its status quo."""
    prep, model = _model(two_towns_register(tmp_path / "towns"), sharing=IT_SHARING,
                         relocation={"max_km": max_km})
    monkeypatch.setattr(passes, "WINDOW_COLUMNS", len(model.col_cost) // 2 + 1)
    return prep, model, status_quo_start(prep, model)


def _ticking() -> Callable[[], float]:
    """A clock a minute later at each reading: every plan a reporter hears goes out."""
    ticks = itertools.count(0.0, 60.0)
    return lambda: next(ticks)


def test_window_by_window_plans_each_town(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # Two windows of half the columns each: the cut falls between the two towns. Each town's optimum is
    # the hand-worked £2.60m, independent of the other (200 km apart, relocation within
    # 40 km), so planning one window at a time reaches 2 x £2.60m = £5.20m, against the
    # status quo 2 x £3.45m = £6.90m.
    prep, model, start = _two_towns(tmp_path, monkeypatch)
    assert float(model.col_cost @ start) + model.obj_constant == pytest.approx(6_900_000)
    heard: list[SearchProgress] = []
    values, report = passes.window_start(model, highs_lp(model), start, 60.0, 1e-9,
                                            reporter=Reporter(heard.append, _ticking()))
    # each town's plan told as it is made: one town planned (£2.60m + £3.45m), then both
    assert [p.plan for p in heard] == pytest.approx([6_050_000, 5_200_000])
    assert {p.phase for p in heard} == {SearchPhase.FIRST_PLAN}
    # the first pass plans both towns; the second (the map turned) finds nothing more,
    # nor does a third with each window searched closer, which ends the passes
    assert report.used and report.windows == 2 * 3
    assert report.windows_improved == 2
    assert _feasible(model, values)
    assert float(model.col_cost @ values) + model.obj_constant == pytest.approx(5_200_000)
    assert report.objective == pytest.approx(5_200_000)
    # pooled_start takes this path for models with more columns than WINDOW_MIN_COLUMNS
    monkeypatch.setattr(first_plan, "WINDOW_MIN_COLUMNS", len(model.col_cost) - 1)
    _, via = pooled_start(model, highs_lp(model), start, 60.0, 1e-9)
    assert via.windows == 2 * 3
    assert via.objective == pytest.approx(5_200_000)
    monkeypatch.setattr(first_plan, "WINDOW_MIN_COLUMNS", len(model.col_cost))
    _, whole = pooled_start(model, highs_lp(model), start, 60.0, 1e-9)
    # planned whole, the first plan is the optimum: the polishing passes find nothing
    assert whole.windows == 0 and whole.objective == pytest.approx(5_200_000)
    assert np.isnan(whole.before_windows)
    # the whole-model search agrees
    exact = plan_of(tmp_path / "towns", scenario(horizon_years=1, sharing=IT_SHARING,
                                     relocation={"max_km": 40}), "highs")
    assert exact.summary.objective_npv == pytest.approx(5_200_000, abs=1e-3)


def test_a_window_holds_everything_outside_it(tmp_path: Path) -> None:
    # Town 1's window planned alone: town 1 reaches its £2.60m, town 2 stays exactly as
    # it is today (£3.45m), and no column of town 2 moves.
    prep, model = _model(two_towns_register(tmp_path / "towns"), sharing=IT_SHARING, relocation={"max_km": 40})
    start = status_quo_start(prep, model)
    town1 = prep.sites["site_id"].str.endswith("1").to_numpy()
    free = passes.window_columns(model, start, town1)
    names = [str(n) for n in model.col_names]
    assert {n for n, f in zip(names, free, strict=True) if f} == {
        n for n in names if "1," in n or n.endswith("1)")}
    values, report = lp_guided.lp_guided(model, highs_lp(model), start, 10.0, 30.0, 1e-9,
                                          fixed=~free)
    assert report.used
    assert _feasible(model, values)
    assert float(model.col_cost @ values) + model.obj_constant == pytest.approx(6_050_000)
    assert np.array_equal(values[~free], start[~free])


def test_a_team_sitting_outside_the_window_is_held(tmp_path: Path) -> None:
    # A team moved to town 2 in the plan so far is not free in town 1's window.
    prep, model = _model(two_towns_register(tmp_path / "towns"), sharing=IT_SHARING, relocation={"max_km": 400})
    plan = status_quo_start(prep, model)
    names = [str(n) for n in model.col_names]
    plan[names.index("assign(FA1,SA1)")] = 0.0
    plan[names.index("assign(FA1,SH2)")] = 1.0
    town1 = prep.sites["site_id"].str.endswith("1").to_numpy()
    free = passes.window_columns(model, plan, town1)
    assert not any(f for n, f in zip(names, free, strict=True) if "(FA1," in n)
    assert free[names.index("assign(FB1,SH1)")] and free[names.index("open(SA1)")]


def test_each_pass_turns_the_map_halfway_between_earlier_turns() -> None:
    assert list(itertools.islice(passes.pass_turns(), 8)) == [
        0.0, 45.0, 22.5, 67.5, 11.25, 56.25, 33.75, 78.75]
    turns = list(itertools.islice(passes.pass_turns(), 64))
    assert len(set(turns)) == 64 and all(0 <= t < 90 for t in turns)


def test_windows_are_compact_and_of_equal_weight() -> None:
    # A 12 x 8 grid of sites, equal weights, cut into 4 windows: first across the longer
    # side (x) into two 6 x 8 halves, then each across its longer side (y): four 6 x 4
    # blocks of 24 sites.
    gx, gy = np.meshgrid(np.arange(12.0), np.arange(8.0))
    xy = np.column_stack([gx.ravel(), gy.ravel()])
    window_of = passes._bisect(xy, np.ones(len(xy)), 4)
    assert sorted(np.bincount(window_of).tolist()) == [24] * 4
    for w in range(4):
        block = xy[window_of == w]
        assert np.ptp(block[:, 0]) == 5 and np.ptp(block[:, 1]) == 3
    # into 6: equal counts still
    assert sorted(np.bincount(passes._bisect(xy, np.ones(len(xy)), 6)).tolist()) == [16] * 6
    # weights, not counts: one heavy site (weight 20 of 35) is a window of its own
    weight = np.ones(16)
    weight[0] = 20
    line = np.column_stack([np.arange(16.0), np.zeros(16)])
    assert np.bincount(passes._bisect(line, weight, 2)).tolist() == [1, 15]


def test_a_start_breaking_a_rule_no_window_sees_gives_no_plan(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # FA1 counted at home in town 1 and at SH2 in town 2: its housed row sums to 2. The
    # team sits outside every window, so no window can mend it; the windows still
    # improve the rest, but the result breaks a rule and is not offered as a plan.
    _, model, start = _two_towns(tmp_path, monkeypatch, max_km=400)
    names = [str(n) for n in model.col_names]
    start[names.index("assign(FA1,SH2)")] = 1.0
    heard: list[SearchProgress] = []
    values, report = passes.window_start(model, highs_lp(model), start, 60.0, 1e-9,
                                            reporter=Reporter(heard.append, _ticking()))
    assert not report.used and "breaks a rule" in report.reason
    assert values is start
    assert heard == []  # what the windows made breaks the rule: never told as a plan


def test_windows_searched_side_by_side_plan_each_town(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # The two towns' windows searched at once, from the same plan: each town's plan is
    # taken (the second checked against the first, with which it shares no row), and
    # the passes end as one at a time: £5.20m in 2 x 3 windows.
    _, model, start = _two_towns(tmp_path, monkeypatch)
    at_once = _searches_at_once(monkeypatch)
    values, report = passes.window_start(model, highs_lp(model), start, 60.0, 1e-9,
                                            side_by_side=lambda: 2)
    assert report.used and report.windows == 2 * 3 and report.windows_improved == 2
    assert _feasible(model, values)
    assert float(model.col_cost @ values) + model.obj_constant == pytest.approx(5_200_000)
    assert max(at_once) == 2
    at_once.clear()
    passes.window_start(model, highs_lp(model), start, 60.0, 1e-9)
    assert max(at_once) == 1  # one at a time unless told


def _searches_at_once(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many window searches run at once, noted as each starts (each is held 0.2 s,
    so two started together overlap)."""
    real, lock, now, seen = passes.lp_guided, threading.Lock(), [0], []

    def counted(*args: Any, **kwargs: Any) -> Any:
        with lock:
            now[0] += 1
            seen.append(now[0])
        time.sleep(0.2)
        try:
            return real(*args, **kwargs)
        finally:
            with lock:
                now[0] -= 1

    monkeypatch.setattr(passes, "lp_guided", counted)
    return seen


def _border_register(folder: Path) -> Path:
    """Two towns 10 km apart, each with a team in its office (S1 at x 0, S2 at x 10) and
    an empty public-access site of £100k a year (P1 at x 0, P2 at x 10); a zone Z at x 5
    that either public site reaches (6 km). Keeping Z covered, the optimum closes one of
    P1 and P2, not both: £100k below the status quo."""
    return write_register(
        folder, [agency("A")],
        [site("S1", "A", 0, 0, running_cost=10_000), site("S2", "A", 10, 0, running_cost=10_000),
         site("P1", "A", 0, 1, running_cost=100_000, services=["public_access"]),
         site("P2", "A", 10, 1, running_cost=100_000, services=["public_access"])],
        [function("F1", "A", "IT", "S1"), function("F2", "A", "IT", "S2")],
        [zone("Z", 5, 1)])


def test_windows_side_by_side_may_not_both_count_on_the_cover_across_their_border(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Searched at once from the status quo, each town's window closes its public site,
    # counting on the other's (held open outside it) to cover Z. The window taken second
    # would leave Z uncovered, so it is not taken; the plan closes exactly one site.
    prep, model = _model(_border_register(tmp_path / "reg"), relocation={"max_km": 0.5},
                         coverage=[{"service": "public_access", "radius_km": 6,
                                    "mode": "maintain"}])
    monkeypatch.setattr(passes, "WINDOW_COLUMNS", len(model.col_cost) // 2 + 1)
    start = status_quo_start(prep, model)
    status_quo = float(model.col_cost @ start) + model.obj_constant
    at_once = _searches_at_once(monkeypatch)
    values, report = passes.window_start(model, highs_lp(model), start, 60.0, 1e-9,
                                            side_by_side=lambda: 2)
    assert max(at_once) == 2  # the two towns' windows searched from the same plan
    assert report.used and report.windows_improved == 1, report
    assert _feasible(model, values)
    assert report.objective == pytest.approx(status_quo - 100_000)
    names = [str(n) for n in model.col_names]
    assert values[names.index("open(P1)")] + values[names.index("open(P2)")] == 1
    # one window at a time gets there too
    _, alone = passes.window_start(model, highs_lp(model), start, 60.0, 1e-9)
    assert alone.objective == pytest.approx(status_quo - 100_000)


def test_window_searches_hand_back_results_as_they_end_and_raise_what_they_raised() -> None:
    searches: passes._Searches[str, int] = passes._Searches()
    gate = threading.Event()
    searches.start(lambda: (gate.wait(10), 1)[1], "slow")
    searches.start(lambda: 2, "quick")
    assert searches.next_ended() == ("quick", 2)  # the second ends first
    gate.set()
    assert searches.next_ended() == ("slow", 1)
    assert searches.running == {}

    def fails() -> int:
        raise MemoryError("no room for this window")

    searches.start(fails, "failing")
    with pytest.raises(MemoryError, match="no room"):
        searches.next_ended()
    assert searches.running == {}


def _hard_knapsacks() -> EstateModel:
    """150 items in 15 knapsack rows (half of each row's total weight): HiGHS does not
    prove it optimal in 20 s, so a search of it ends early only when stopped."""
    rng = np.random.default_rng(7)
    n, m = 150, 15
    weight = rng.integers(5, 60, (m, n)).astype(float)
    value = weight.sum(axis=0) / 2 + rng.integers(0, 60, n)
    b = ModelBuilder()
    items = b.add_block("take", np.array([f"i{j}" for j in range(n)], dtype=object),
                        np.zeros(n), np.ones(n), integer=True)
    rows, cols = np.nonzero(weight)
    b.add_family("room", np.array([f"r{i}" for i in range(m)], dtype=object), rows,
                 items[cols], weight[rows, cols], -np.inf, weight.sum(axis=1) / 2)
    return b.finish(-value, 0.0, pool=pd.DataFrame(), centres=pd.DataFrame())


def test_stopping_the_window_searches_stops_their_highs_within_a_second() -> None:
    # Two searches of 60 s each, stopped after 0.3 s (as on Ctrl-C): both HiGHS stop at
    # their next check and hand back the plan they had; nothing is left running.
    lp = highs_lp(_hard_knapsacks())
    none = np.empty(0, np.int32)
    searches: passes._Searches[str, np.ndarray | None] = passes._Searches()
    for tag in ("first", "second"):
        searches.start(functools.partial(lp_guided._restricted, lp, 60.0, 0.0, none, none,
                                         None, searches.stop), tag)
    time.sleep(0.3)
    t0 = time.perf_counter()
    searches.stop_all()
    assert time.perf_counter() - t0 < 2.0
    ended = dict(searches.next_ended() for _ in range(2))
    assert set(ended) == {"first", "second"}
    assert all(plan is not None for plan in ended.values())
    assert searches.running == {}
