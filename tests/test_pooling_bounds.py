"""benchmarks.pooling_bounds: the bounds it measures are bounds.

On the brute-force registers (tests/test_bruteforce.py, optimum found by enumeration
with no estate code), for every seed with a plan: the LP relaxation <= the Dantzig-Wolfe
bound over site configurations <= the optimum <= the best plan made of configurations.
(Each round's Lagrangian bound is checked in tests/test_configurations.py.)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from pathlib import Path

from benchmarks.pooling_bounds import (
    cheapest_site_sets,
    configuration_bound,
    integrality_row,
    site_set_row,
    with_sites,
)
from estate.model.arrays import EstateModel
from tests.test_bruteforce import SEEDS, brute_forced


def _brute_forced(tmp_path: Path, seeds: Iterable[int]) -> Iterator[tuple[int, float, EstateModel]]:
    """(seed, brute-force optimum, built model) for each seed whose register has a plan."""
    for seed in seeds:
        best, _, _, _, model = brute_forced(tmp_path, seed)
        if best is not None:
            yield seed, best, model


def test_site_configuration_bounds_lie_between_the_lp_and_the_optimum(tmp_path: Path) -> None:
    checked = pooled = 0
    for seed, best, model in _brute_forced(tmp_path, SEEDS):
        lp, _, _ = integrality_row(model, "", 10.0)
        value, plan, _, _, _ = configuration_bound(model, 200, log=False)
        slack = 1e-6 * abs(best) + 1e-3
        assert lp <= value + slack, seed
        assert value <= best + slack, seed
        assert math.isnan(plan) or plan >= best - slack, seed
        checked += 1
        pooled += len(model.pool) > 0
    assert checked >= 15 and pooled >= 5


def test_cheapest_site_sets_are_distinct_ranked_and_bound_their_plans(tmp_path: Path) -> None:
    """The relaxation's site sets come distinct and cheapest first; with a set's sites
    fixed, LP <= site-configuration bound <= HiGHS's plan, and no plan beats the optimum."""
    checked = 0
    for seed, best, model in _brute_forced(tmp_path, SEEDS[:12]):
        lp, _, _ = integrality_row(model, "", 10.0)
        sets = list(cheapest_site_sets(model, 3, 10.0))
        assert sets, seed
        flags = [tuple(is_open) for is_open, _ in sets]
        values = [value for _, value in sets]
        slack = 1e-6 * abs(best) + 1e-3
        assert len(set(flags)) == len(flags), seed
        assert all(a <= b + slack for a, b in zip(values, values[1:], strict=False)), seed
        assert lp <= values[0] + slack and values[0] <= best + slack, seed
        for is_open, value in sets:
            set_lp, dw, _, plan, bound, _ = site_set_row(with_sites(model, is_open), 10.0, 200)
            assert abs(set_lp - value) <= slack, seed
            assert set_lp <= dw + slack and bound <= plan + slack, seed
            if math.isfinite(plan):
                assert dw <= plan + slack and best <= plan + slack, seed
        checked += 1
    assert checked >= 5
