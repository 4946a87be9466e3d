"""estate.solve.progress: what a running solve reports, and how often.

The pace is checked on a clock the test moves by hand; the reports of real solves
against optima known apart from the reports: the knapsacks' NPV of 50 (HiGHS at gap 0,
tests/test_solve.py) and the brute force's optima (tests/test_bruteforce.py). No plan
reported may be under the optimum and no bound over it, plans only fall and bounds only
rise, and listening must not change the answer.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

from estate.pipeline import _first_plan_line, search_line, status_quo_start
from estate.solve import SearchPhase, SearchProgress, SolverOptions, highs, solve
from estate.solve.progress import EVERY_S, PLAN_EVERY_S, Reporter
from estate.solve.types import StartReport
from estate.status import Status
from tests.test_bruteforce import brute_forced
from tests.test_solve import _knapsacks


class Clock:
    """Seconds that move only when the test says."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _reporter() -> tuple[Reporter, Clock, list[SearchProgress]]:
    clock, heard = Clock(), []
    return Reporter(heard.append, clock), clock, heard


def test_a_first_plan_is_told_at_once_and_a_better_one_not_within_plan_every_s() -> None:
    reporter, clock, heard = _reporter()
    reporter.saw(SearchPhase.SEARCH, 120.0, 80.0)
    clock.now += PLAN_EVERY_S / 2
    reporter.saw(SearchPhase.SEARCH, 110.0, 90.0)  # better, but too soon after the last
    assert [(p.plan, p.bound) for p in heard] == [(120.0, 80.0)]
    assert heard[0].seconds == 0.0 and heard[0].gap == pytest.approx(40 / 120)
    clock.now += PLAN_EVERY_S
    reporter.saw(SearchPhase.SEARCH, 105.0, 85.0)  # a lower bound than seen: not taken
    assert (heard[-1].plan, heard[-1].bound) == (105.0, 90.0)
    assert heard[-1].seconds == pytest.approx(1.5 * PLAN_EVERY_S)


def test_a_better_plan_held_back_goes_out_once_plan_every_s_has_passed() -> None:
    reporter, clock, heard = _reporter()
    reporter.saw(SearchPhase.SEARCH, 120.0, 80.0)
    clock.now += 1.0
    reporter.saw(SearchPhase.SEARCH, 110.0, 80.0)  # held: a report went out 1 s ago
    clock.now += PLAN_EVERY_S
    reporter.saw(SearchPhase.SEARCH, 110.0, 81.0)  # nothing new, but the held plan is due
    assert [p.plan for p in heard] == [120.0, 110.0]
    clock.now += PLAN_EVERY_S
    reporter.saw(SearchPhase.SEARCH, 110.0, 82.0)  # nothing held: waits EVERY_S
    assert len(heard) == 2


def test_with_no_better_plan_a_report_goes_out_every_every_s() -> None:
    reporter, clock, heard = _reporter()
    reporter.saw(SearchPhase.SEARCH, 120.0, 80.0)
    clock.now += EVERY_S - 1
    reporter.saw(SearchPhase.SEARCH, 130.0, 95.0)  # a worse plan: the best stays
    assert len(heard) == 1
    clock.now += 1
    reporter.saw(SearchPhase.SEARCH, 130.0, 96.0)
    assert len(heard) == 2 and (heard[-1].plan, heard[-1].bound) == (120.0, 96.0)
    assert heard[-1].gap == pytest.approx(24 / 120)


def test_nothing_is_told_before_a_plan_or_a_bound_and_the_first_plan_at_once() -> None:
    reporter, clock, heard = _reporter()
    reporter.saw(SearchPhase.CONFIGURATIONS, rounds=3)
    assert heard == []
    reporter.saw(SearchPhase.CONFIGURATIONS, bound=80.0, rounds=4)
    clock.now += 1.0
    reporter.saw(SearchPhase.CONFIGURATIONS, 120.0, 81.0, rounds=5)  # the first plan
    assert [(p.plan, p.bound, p.rounds) for p in heard[1:]] == [(120.0, 81.0, 5)]
    (p, _) = heard
    assert math.isnan(p.plan) and p.bound == 80.0 and p.gap == math.inf
    assert search_line(p) == "Site configurations, 0 s: round 4, no plan yet, bound £80"
    assert search_line(SearchProgress(SearchPhase.SEARCH, 2.0, 1.5e6, -math.inf)
                       ) == "Search, 2 s: best plan NPV £1.50m, no bound yet"


def test_news_is_told_at_once() -> None:
    reporter, clock, heard = _reporter()
    reporter.saw(SearchPhase.SEARCH, 120.0, 80.0)
    clock.now += 1.0
    reporter.saw(SearchPhase.LP_BOUND, bound=90.0)  # a bound alone waits EVERY_S...
    reporter.saw(SearchPhase.LP_BOUND, bound=91.0, news=True)  # ...unless it is news
    assert [(p.phase, p.bound) for p in heard] == [(SearchPhase.SEARCH, 80.0),
                                                   (SearchPhase.LP_BOUND, 91.0)]
    assert search_line(heard[-1]) == ("LP bound, 1 s: best plan NPV £120, bound £91 "
                                      "(gap 24.2%)")


def test_a_bound_a_hair_over_the_plan_is_told_as_the_plan() -> None:
    reporter, _, heard = _reporter()
    reporter.saw(SearchPhase.SEARCH, 100.0, 100.0 + 1e-7)
    assert heard[0].bound == 100.0 and heard[0].gap == 0.0


def test_a_bound_well_over_the_plan_is_no_proof_and_is_not_told() -> None:
    reporter, clock, heard = _reporter()
    reporter.saw(SearchPhase.CONFIGURATIONS, bound=130.0, rounds=4)
    clock.now += 1.0
    reporter.saw(SearchPhase.CONFIGURATIONS, 120.0, rounds=5, news=True)
    assert [(p.plan, p.bound) for p in heard][-1] == (120.0, -math.inf)
    assert heard[-1].gap == math.inf
    # once there is a plan, a bound over it is not taken, and the one held is kept
    reporter.saw(SearchPhase.SEARCH, 120.0, 100.0, news=True)
    reporter.saw(SearchPhase.SEARCH, 120.0, 150.0, news=True)  # nothing new to tell
    assert [(p.plan, p.bound) for p in heard][-2:] == [(120.0, -math.inf), (120.0, 100.0)]


def test_a_step_that_ends_where_the_last_report_stood_is_not_told_twice() -> None:
    # the windows' last plan, then the first-plan step's end with that same plan
    reporter, clock, heard = _reporter()
    reporter.saw(SearchPhase.FIRST_PLAN, 120.0, 80.0)
    reporter.saw(SearchPhase.FIRST_PLAN, 120.0, 80.0, news=True)
    assert len(heard) == 1
    reporter.saw(SearchPhase.SEARCH, 120.0, 80.0, news=True)  # another step: told
    clock.now += EVERY_S
    reporter.saw(SearchPhase.SEARCH, 120.0, 80.0)  # the heartbeat still goes out
    assert [p.phase for p in heard] == [SearchPhase.FIRST_PLAN, SearchPhase.SEARCH,
                                        SearchPhase.SEARCH]


def test_a_listener_that_fails_is_no_longer_told_and_the_solve_goes_on() -> None:
    told: list[SearchProgress] = []

    def broken(p: SearchProgress) -> None:
        told.append(p)
        raise BrokenPipeError("stderr went away")

    found = solve(_knapsacks(1499.0),
                  SolverOptions(time_limit_s=60.0, mip_gap=0.0, on_progress=broken))
    assert found.status == Status.OPTIMAL and found.objective == pytest.approx(50.0)
    assert len(told) == 1


def test_an_interrupt_inside_highs_is_raised_not_turned_into_no_plan() -> None:
    def stop(_: SearchProgress) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        solve(_knapsacks(1499.0),
              SolverOptions(time_limit_s=60.0, mip_gap=0.0, on_progress=stop))


def test_the_line_says_plan_bound_and_gap() -> None:
    line = search_line(SearchProgress(SearchPhase.SEARCH, 45.2, 720.4e6, 719.88e6))
    assert line == "Search, 45 s: best plan NPV £720.40m, bound £719.88m (gap 0.0722%)"
    first = search_line(SearchProgress(SearchPhase.FIRST_PLAN, 1.0, 725.8e6, 715.59e6))
    assert first == "First plan, 1 s: best plan NPV £725.80m, bound £715.59m (gap 1.41%)"
    # a gap of rounding (the plan's and the bound's floats apart in their last digits)
    met = search_line(SearchProgress(SearchPhase.SEARCH, 3.0, 720.4e6, 720.4e6 * (1 - 1.5e-16)))
    assert met == "Search, 3 s: best plan NPV £720.40m, bound £720.40m (gap 0%)"


def _checked(heard: list[SearchProgress], optimum: float) -> None:
    """Every report honest against the optimum, plans falling, bounds rising."""
    slack = 1e-6 * abs(optimum) + 1e-3
    assert heard, "a solve that found a plan told nothing"
    for p in heard:
        assert math.isnan(p.plan) or p.plan >= optimum - slack, p
        assert p.bound <= optimum + slack, p
    seconds = [p.seconds for p in heard]
    plans = [p.plan for p in heard if not math.isnan(p.plan)]
    bounds = [p.bound for p in heard]
    assert seconds == sorted(seconds)
    assert plans == sorted(plans, reverse=True) and bounds == sorted(bounds)


def test_highs_reports_npv_plans_and_bounds_around_the_optimum() -> None:
    heard: list[SearchProgress] = []
    model = _knapsacks(1499.0)  # the NPV's best is 50
    options = SolverOptions(time_limit_s=60.0, mip_gap=0.0)
    quiet = solve(model, options)
    told = solve(model, SolverOptions(time_limit_s=60.0, mip_gap=0.0, on_progress=heard.append))
    assert quiet.status == told.status == Status.OPTIMAL
    assert told.objective == quiet.objective == pytest.approx(50.0)
    # with the offset in: a report of -1,449 would be the cost without the constant
    assert all(p.phase == SearchPhase.SEARCH for p in heard)
    _checked(heard, 50.0)
    assert any(not math.isnan(p.plan) for p in heard)


@pytest.mark.parametrize("seed", [0, 1, 3, 4])  # brute-force seeds with a plan
@pytest.mark.parametrize("configurations", [False, True])
def test_every_step_reports_honestly_against_the_brute_force(
        tmp_path: Path, seed: int, configurations: bool) -> None:
    best, _, _, prep, model = brute_forced(tmp_path, seed)
    assert best is not None, f"seed {seed} has no plan: choose seeds that have one"
    heard: list[SearchProgress] = []
    options = SolverOptions(time_limit_s=60.0, mip_gap=0.0,
                            site_configurations=configurations, on_progress=heard.append)
    solution = solve(model, options, start=status_quo_start(prep, model))
    assert solution.status == Status.OPTIMAL
    assert solution.objective == pytest.approx(best, rel=1e-6, abs=1e-3)
    _checked(heard, best)
    phases = {p.phase for p in heard}
    if configurations and model.col_integer.any():
        assert SearchPhase.CONFIGURATIONS in phases
        assert max(p.rounds for p in heard) >= 1


def test_both_passes_of_a_restarted_search_report_honestly() -> None:
    model = _knapsacks(1499.0)  # the NPV's best is 50
    heard: list[SearchProgress] = []
    ticks = iter(range(0, 10**6, 60))  # a minute a reading: every report goes out
    reporter = Reporter(heard.append, lambda: float(next(ticks)))
    found = highs.solve_restarted(model, SolverOptions(mip_gap=0.0), None,
                                  highs.highs_lp(model), 60.0, 0.5, reporter)
    assert found.status == Status.OPTIMAL and found.objective == pytest.approx(50.0)
    _checked(heard, 50.0)
    assert len(heard) >= 2 and all(p.phase == SearchPhase.SEARCH for p in heard)


def test_the_first_plan_line_says_whether_the_search_ran_from_the_windows_plan() -> None:
    windows = StartReport(True, objective=13_930.55e6, seconds=589.0, windows=700,
                          windows_improved=180)
    # said once the search has ended, after its lines: what the search ran from
    assert _first_plan_line(windows) == (
        "The search ran from a first plan made window by window (700 windows of "
        "neighbouring sites, 180 improved it): NPV £13,930.55m, found in 589.0 s")
    assert _first_plan_line(dataclasses.replace(windows, searched_after=False)) == (
        "The answer is the plan made window by window (700 windows of neighbouring sites, "
        "180 improved it): NPV £13,930.55m, found in 589.0 s (the windows used the time; "
        "HiGHS's search of the whole model was not run)")
    lp = StartReport(True, objective=725.80e6, seconds=2.2, windows=9,
                     before_windows=726.50e6, lp_bound=715.59e6)
    assert _first_plan_line(lp) == (
        "The search ran from a first plan from the LP-guided search: NPV £726.50m, £725.80m "
        "after 9 window passes, found in 2.2 s (LP bound £715.59m)")


def test_plans_are_told_at_the_price_of_the_vector_highs_found() -> None:
    """HiGHS 1.16 can report an offered plan below its price (`highs.priced_plan`), so
    a plan is told at the price the caller gives the vector, never at HiGHS's own
    objective: priced here as a million plus the items taken (HiGHS's objective is the
    knapsacks' NPV, 50 at best), every plan told is a million and a whole count."""
    model = _knapsacks(1499.0)
    heard: list[SearchProgress] = []
    ticks = iter(range(0, 10**6, 60))
    reporter = Reporter(heard.append, lambda: float(next(ticks)))
    with highs.solver_output(False):
        h = highs.new_highs(60.0, 0.0)
        h.passModel(highs.highs_lp(model))
        reporter.follow(h, lambda x: 1e6 + float(np.round(x).sum()))
        h.run()
    taken = [p.plan - 1e6 for p in heard if not math.isnan(p.plan)]
    assert taken and all(0 <= t <= 30 and t == round(t) for t in taken)
    assert all(p.bound <= 50.0 + 1e-6 for p in heard)  # the bounds are HiGHS's own
