"""estate.solve.configurations: its bounds are bounds and its plans are plans.

The oracle is the brute force of tests/test_bruteforce.py (the optimum by enumeration,
no estate code); the whole planner with the search on is held to it there
(`test_the_site_configuration_search_keeps_the_optimum`). Here, on the same registers:
every round's Lagrangian bound lies under the optimum, the plan made of configurations
(when they make one) over it and meeting every row, and a search given no time still
returns a plan no worse than its seed.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

from estate.errors import InputError
from estate.load.scenario import scenario_from_dict
from estate.pipeline import status_quo_start
from estate.solve import _with_search, configurations, site_pricing
from estate.solve.configurations import search
from estate.solve.types import Solution
from estate.status import Status
from tests.fixtures import merge, scenario
from tests.test_bruteforce import SEEDS, brute_forced


@pytest.mark.parametrize("seed", SEEDS)
def test_bounds_lie_under_the_optimum_and_plans_over_it(tmp_path: Path, seed: int) -> None:
    best, _, _, prep, model = brute_forced(tmp_path, seed)
    if best is None:  # no plan meets this seed's rules (the brute force's verdict)
        assert search(model, [status_quo_start(prep, model)], math.inf).plan is None
        return
    slack = 1e-6 * abs(best) + 1e-3
    rounds: list[float] = []
    found = search(model, [status_quo_start(prep, model)], math.inf,
                   on_round=lambda _r, _v, bound, _n: rounds.append(bound))
    assert found.converged and found.rounds == len(rounds) >= 1
    assert all(bound <= best + slack for bound in rounds)
    assert found.bound <= best + slack
    if found.plan is None:  # the configurations priced for the LP may not make a plan
        assert found.message == "no plan made of the configurations found"
        return
    assert found.objective >= best - slack
    assert found.objective == pytest.approx(float(model.col_cost @ found.plan)
                                            + model.obj_constant)
    assert model.keeps_every_rule(found.plan)


def test_a_search_given_no_time_still_returns_a_plan(tmp_path: Path) -> None:
    for seed in SEEDS:
        best, sq_npv, sq_ok, prep, model = brute_forced(tmp_path, seed)
        if best is not None and sq_ok and best < sq_npv - 1.0:
            break
    else:
        pytest.fail("no seed whose status quo is a plan and not the optimum")
    found = search(model, [status_quo_start(prep, model)], 0.0)
    assert found.rounds == 0 and found.bound == -math.inf and not found.converged
    # the choice still runs (a second at least): the seed, or better from its parts and
    # the closed sites' empty configurations
    assert found.plan is not None and model.keeps_every_rule(found.plan)
    assert best - 1e-3 <= found.objective <= sq_npv + 1e-3


def test_a_plan_that_breaks_a_row_is_refused(tmp_path: Path) -> None:
    for seed in SEEDS:
        best, _, _, prep, model = brute_forced(tmp_path, seed)
        if best is not None:
            break
    found = search(model, [status_quo_start(prep, model)], math.inf)
    assert found.plan is not None and model.keeps_every_rule(found.plan)
    housed_twice = found.plan.copy()
    housed_twice[model.blocks["assign"]] = 1.0  # every team at every eligible site
    assert not model.keeps_every_rule(housed_twice)
    half = found.plan.copy()
    half[model.blocks["open"]] = 0.5
    assert not model.keeps_every_rule(half)


def test_the_search_needs_sites_with_integer_columns(tmp_path: Path) -> None:
    for seed in SEEDS:
        best, _, _, _, model = brute_forced(tmp_path, seed)
        if best is not None:
            break
    assert configurations.applies(model)
    relaxed = dataclasses.replace(model, col_integer=np.zeros_like(model.col_integer))
    assert not configurations.applies(relaxed)


def test_the_scenario_key_is_a_true_or_false(tmp_path: Path) -> None:
    raw = scenario(data=str(tmp_path))
    on = scenario_from_dict(merge(raw, {"solver": {"site_configurations": True}}),
                            base_dir=tmp_path, label="s.toml", default_name="s")
    assert on.site_configurations is True
    off = scenario_from_dict(raw, base_dir=tmp_path, label="s.toml", default_name="s")
    assert off.site_configurations is False
    with pytest.raises(InputError) as bad:
        scenario_from_dict(merge(raw, {"solver": {"site_configurations": "yes"}}),
                           base_dir=tmp_path, label="s.toml", default_name="s")
    assert "solver.site_configurations" in str(bad.value)


def _feasible_seed(tmp_path: Path) -> tuple[float, object, object]:
    for seed in SEEDS:
        best, _, _, prep, model = brute_forced(tmp_path, seed)
        if best is not None:
            return best, prep, model
    pytest.fail("no seed with a plan")


def test_a_pricer_stopped_short_gives_no_bound_from_the_master(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A site whose minimum was not proven may hide a cheaper configuration: the master's
    value is then no bound, and HiGHS's bound on that site's minimum is all there is
    (here none, so no bound is carried to the next rounds either)."""
    best, prep, model = _feasible_seed(tmp_path)
    exact = site_pricing.price

    def stopped(m: object, blocks: site_pricing.SiteBlocks, s: int,
                *args: object) -> site_pricing.PricedSite:
        priced = exact(m, blocks, s, *args)  # type: ignore[arg-type]
        blocks.priced_at[s] = None
        return dataclasses.replace(priced, lowest=-math.inf, proven=False)

    monkeypatch.setattr(site_pricing, "price", stopped)
    found = search(model, [status_quo_start(prep, model)], math.inf)
    assert found.rounds >= 1 and not found.converged and found.bound == -math.inf


def test_a_plan_made_of_configurations_that_breaks_a_rule_is_not_used(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, prep, model = _feasible_seed(tmp_path)
    monkeypatch.setattr(type(model), "keeps_every_rule", lambda _self, _x: False)
    found = search(model, [status_quo_start(prep, model)], math.inf)
    assert found.plan is None and "broke a rule" in found.message


def test_a_bound_above_a_plan_is_dropped_not_taken_as_proof(tmp_path: Path) -> None:
    best, prep, model = _feasible_seed(tmp_path)
    found = search(model, [status_quo_start(prep, model)], math.inf)
    assert found.plan is not None
    plan = Solution(Status.TIME_LIMIT, found.objective, found.objective * 0.9, 0.1, 1.0,
                    "highs", found.plan)
    wrong = dataclasses.replace(found, bound=found.objective * 2)
    answer = _with_search(plan, wrong, 1e-4)
    assert answer.status == Status.TIME_LIMIT and answer.bound == pytest.approx(
        found.objective * 0.9)
    assert "was not used" in answer.message
    right = _with_search(plan, found, 1e-4)  # the true bound raises HiGHS's
    assert right.bound == pytest.approx(found.bound) and right.bound > found.objective * 0.9
    assert right.message == ""


def _search_with(model: object, prep: object, monkeypatch: pytest.MonkeyPatch,
                 bounds: list[float] | None = None,
                 **constants: int) -> configurations.ConfigurationSearch:
    """The search with some of the module's constants set (PRICING_THREADS, ...); each
    round's bound appended to `bounds`."""
    with monkeypatch.context() as patch:
        for name, value in constants.items():  # each where the module that owns it has it
            owner = configurations if hasattr(configurations, name) else site_pricing
            patch.setattr(owner, name, value)
        return search(model, [status_quo_start(prep, model)], math.inf,  # type: ignore[arg-type]
                      on_round=None if bounds is None else
                      lambda _r, _v, bound, _n: bounds.append(bound))


@pytest.mark.parametrize("seed", SEEDS[:8])
def test_pricing_on_two_threads_finds_what_one_does(tmp_path: Path, seed: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    best, _, _, prep, model = brute_forced(tmp_path, seed)
    if best is None:
        return
    one = _search_with(model, prep, monkeypatch, PRICING_THREADS=1)
    two = _search_with(model, prep, monkeypatch, PRICING_THREADS=2)
    assert (one.rounds, one.configurations, one.converged) == (
        two.rounds, two.configurations, two.converged)
    assert one.bound == pytest.approx(two.bound, rel=1e-12)
    assert one.objective == pytest.approx(two.objective, rel=1e-12, nan_ok=True)


def _watched(monkeypatch: pytest.MonkeyPatch, model: object,
             full_rounds: list[bool]) -> None:
    """Record whether each round priced every site, and hold every extra configuration a
    pricer offers to the site's own rows."""
    price_all, price = configurations.price_all, site_pricing.price

    def all_or_some(*args: object, **kwargs: object) -> list[object]:
        priced = price_all(*args, **kwargs)  # type: ignore[arg-type]
        full_rounds.append(all(p is not None for p in priced))
        return priced  # type: ignore[return-value]

    def checked(m: object, blocks: object, s: int, *args: object) -> object:
        priced = price(m, blocks, s, *args)  # type: ignore[arg-type]
        for _, x in priced.others:
            assert site_pricing.is_configuration(model, blocks, s, x)  # type: ignore[arg-type]
        return priced

    monkeypatch.setattr(configurations, "price_all", all_or_some)
    monkeypatch.setattr(site_pricing, "price", checked)


@pytest.mark.parametrize("partial", [1, 10])
@pytest.mark.parametrize("seed", SEEDS[:16])
def test_pricing_only_the_sites_that_took_reaches_the_same_bound(
        tmp_path: Path, seed: int, partial: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The converged bound is the master's LP over every configuration, one number
    whatever order the configurations came in, and no Lagrangian bound lies above it
    (it is their maximum): rounds that price only the sites that took one last round
    (and extra configurations from the pricers' way, each a configuration, and sites
    left unsolved when their carried bound shows they cannot enter) must end there too,
    and only after a round that priced every site."""
    best, _, _, prep, model = brute_forced(tmp_path, seed)
    if not configurations.applies(model):  # type: ignore[arg-type]
        return
    every = _search_with(model, prep, monkeypatch, PARTIAL_ROUNDS=0, EXTRA_CONFIGURATIONS=0,
                         SKIP_BY_CARRIED_BOUND=False)
    bounds: list[float] = []
    full: list[bool] = []
    with monkeypatch.context() as patch:
        _watched(patch, model, full)
        took = _search_with(model, prep, patch, bounds, PARTIAL_ROUNDS=partial,
                            EXTRA_CONFIGURATIONS=3)
    assert every.converged == took.converged
    if not every.converged:  # an infeasible master: no bound either way
        return
    assert full[-1] and len(full) == took.rounds
    slack = 1e-7 * abs(every.bound) + 1e-3  # each site may stop a threshold short
    assert took.bound == pytest.approx(every.bound, rel=1e-7, abs=1e-3)
    assert all(bound <= every.bound + slack for bound in bounds)
    if best is not None:
        assert took.bound <= best + 1e-6 * abs(best) + 1e-3


def test_partial_rounds_do_happen_and_end_in_a_full_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On the brute-force registers some rounds price only the sites that took one, at
    most PARTIAL_ROUNDS in a row; a search stopped after a partial round keeps the last
    full round's bound and is not converged."""
    runs: list[list[bool]] = []
    for seed in SEEDS[:16]:
        _, _, _, prep, model = brute_forced(tmp_path, seed)
        full: list[bool] = []
        with monkeypatch.context() as patch:
            _watched(patch, model, full)
            _search_with(model, prep, patch, PARTIAL_ROUNDS=1)
        runs.append(full)
        assert "False, False" not in str(full)  # one partial round at most, then full
    assert any(not f for full in runs for f in full)
    # stopped right after a partial round
    seed, full = next((seed, full) for seed, full in zip(SEEDS, runs, strict=False)
                      if len(full) > 2 and not full[1])
    _, _, _, prep, model = brute_forced(tmp_path / "again", seed)
    bounds: list[float] = []
    with monkeypatch.context() as patch:
        patch.setattr(configurations, "PARTIAL_ROUNDS", 1)
        stopped = search(model, [status_quo_start(prep, model)], math.inf,  # type: ignore[arg-type]
                         max_rounds=2, on_round=lambda _r, _v, b, _n: bounds.append(b))
    assert stopped.rounds == 2 and not stopped.converged
    assert stopped.bound == bounds[0] == bounds[1]


def test_the_next_round_prices_every_site_when_it_should(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every site after a round where none took one and after PARTIAL_ROUNDS partial
    rounds; otherwise only the sites that took one."""
    monkeypatch.setattr(configurations, "PARTIAL_ROUNDS", 3)
    assert configurations.next_sites([4, 7], 0) == [4, 7]
    assert configurations.next_sites([4, 7], 2) == [4, 7]
    assert configurations.next_sites([], 0) is None
    assert configurations.next_sites([4, 7], 3) is None


def test_sites_whose_carried_bound_rules_them_out_are_not_solved(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On the brute-force registers some sites a round asks for are not solved (their
    carried bound says they cannot enter), and the search that leaves them ends where
    the one that solves every site does, under the brute-force optimum."""
    asked, runs = [0], [0]
    price_all, price = configurations.price_all, site_pricing.price

    def counted_all(*args: object, **kwargs: object) -> list[object]:
        priced = price_all(*args, **kwargs)  # type: ignore[arg-type]
        asked[0] += sum(p is not None for p in priced)
        return priced  # type: ignore[return-value]

    def counted(*args: object, **kwargs: object) -> object:
        runs[0] += 1
        return price(*args, **kwargs)  # type: ignore[arg-type]

    for seed in SEEDS[:8]:
        best, _, _, prep, model = brute_forced(tmp_path / str(seed), seed)
        if not configurations.applies(model):  # type: ignore[arg-type]
            continue
        with monkeypatch.context() as patch:
            patch.setattr(configurations, "price_all", counted_all)
            patch.setattr(site_pricing, "price", counted)
            found = _search_with(model, prep, patch)
        every = _search_with(model, prep, monkeypatch, SKIP_BY_CARRIED_BOUND=False)
        assert found.converged == every.converged
        if every.converged:
            assert found.bound == pytest.approx(every.bound, rel=1e-7, abs=1e-3)
        if best is not None:
            assert found.bound <= best + 1e-6 * abs(best) + 1e-3
    assert runs[0] > 0 and asked[0] > runs[0]
