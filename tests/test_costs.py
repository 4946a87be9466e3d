"""The sites an unscheduled plan holds open for zones still waiting for their cover
(estate.model.costs.least_waits), against every choice enumerated."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from estate.model.costs import least_waits


def _cheapest(closes: np.ndarray, waits: list[tuple[int, np.ndarray]],
              price: np.ndarray, years_of: dict[int, list[int]]) -> float:
    """The least total extra price of closing years that meet every wait: each site of
    the waits tried at each of its `years_of`, every combination."""
    sites = sorted(years_of)
    best = np.inf
    for choice in itertools.product(*(years_of[s] for s in sites)):
        out = closes.copy()
        out[sites] = choice
        if all((out[s] >= y).any() for y, s in waits):
            best = min(best, _extra(closes, out, price))
    return best


def _extra(closes: np.ndarray, out: np.ndarray, price: np.ndarray) -> float:
    """What holding each site to its year in `out` adds, a wait that costs less free."""
    rows = np.arange(len(closes))
    return float(np.maximum(price[rows, out] - price[rows, closes], 0.0).sum())


def _instance(seed: int) -> tuple[np.ndarray, list[tuple[int, np.ndarray]], int]:
    """Up to five sites closing in years 1-2, and up to four zones each waiting for
    some of them until a year of 2-5."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 6))
    closes = rng.integers(1, 3, n)
    waits = [(int(rng.integers(2, 6)),
              np.sort(rng.choice(n, int(rng.integers(1, n + 1)), replace=False)))
             for _ in range(int(rng.integers(1, 5)))]
    return closes, waits, 6


@pytest.mark.parametrize("seed", range(40))
def test_the_held_sites_cost_least_of_every_closing_year(seed: int) -> None:
    """Prices that rise year by year (a year more of running): holding a site to any
    year at all, not only a wait's, costs no less than the choice made, which meets
    every wait."""
    closes, waits, last = _instance(seed)
    rng = np.random.default_rng(1000 + seed)
    price = np.cumsum(rng.integers(1, 50, (len(closes), last + 1)), axis=1).astype(float)
    out = least_waits(closes, waits, lambda s, y: float(price[s, y]))
    assert all((out[s] >= y).any() for y, s in waits)
    every = {int(s): list(range(int(closes[s]), last + 1))
             for s in np.unique(np.concatenate([s for _, s in waits]))}
    assert _extra(closes, out, price) == pytest.approx(_cheapest(closes, waits, price, every))


@pytest.mark.parametrize("seed", range(40))
def test_a_wait_that_costs_nothing_holds_only_sites_a_wait_needs(seed: int) -> None:
    """Prices up and down (a lease's break makes a later year cheaper): the least over
    each site's closing year and the years of its waits, and every site held later is
    one some wait would lose without it."""
    closes, waits, last = _instance(seed)
    rng = np.random.default_rng(2000 + seed)
    price = rng.integers(0, 50, (len(closes), last + 1)).astype(float)
    out = least_waits(closes, waits, lambda s, y: float(price[s, y]))
    assert all((out[s] >= y).any() for y, s in waits)
    held = np.unique(np.concatenate([s for _, s in waits]))
    years_of = {int(s): sorted({int(closes[s])} | {y for y, sites in waits if s in sites})
                for s in held}
    assert _extra(closes, out, price) == pytest.approx(
        _cheapest(closes, waits, price, years_of))
    for s in np.flatnonzero(out != closes):
        back = out.copy()
        back[s] = closes[s]
        assert not all((back[sites] >= y).any() for y, sites in waits), (s, out)


def test_one_site_held_longer_spares_two_held_for_less() -> None:
    """Zone 1 waits until year 3 for A or B, zone 2 until year 2 for B or C; a year
    held costs A £100k, B £120k, C £200k. The longest wait first, cheapest site each
    (A to 3, then B to 2) holds two, £320k; B to 3 meets both, £240k."""
    closes = np.array([1, 1, 1])
    running = np.array([100_000.0, 120_000.0, 200_000.0])
    waits = [(3, np.array([0, 1])), (2, np.array([1, 2]))]
    out = least_waits(closes, waits, lambda s, y: running[s] * (y - 1))
    assert out.tolist() == [1, 3, 1]
