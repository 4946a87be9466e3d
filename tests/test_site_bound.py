"""estate.solve.site_bound: the LP bound raised by packing the LP's fractional sites
whole stays a bound, and is the Lagrangian bound of every site priced.

Oracles: the brute force's optima (tests/test_bruteforce.py, by enumeration), HiGHS's
simplex on the LP relaxation, and `site_pricing` (the site-configuration search's own
split and pricers): at the LP's optimal prices, a site the LP leaves whole has no gain
(its LP part is an integer point, so its Lagrangian term equals its part of the box
bound), so raising only the fractional sites must give the Lagrangian bound with every
site priced. On random models with rows of every kind, HiGHS's MILP optimum.
"""

from __future__ import annotations

import math
import threading
from pathlib import Path

import highspy
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from estate.model.arrays import EstateModel
from estate.solve import site_bound, site_pricing
from estate.solve.highs import lp_from_arrays, new_highs, stoppable
from estate.solve.lp_bound import LpPrices
from tests.test_bruteforce import brute_forced
from tests.test_lp_bound import lp_relaxation
from tests.test_solve import _knapsacks

# brute-force seeds with a plan: 33's LP opens two sites by parts (LP £52.690m, raised
# £53.023m, optimum £54.564m), 15's leaves two fractional with no gain, 0 none
SEEDS = [0, 15, 33]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_raised_bound_is_every_sites_lagrangian_bound_and_under_the_optimum(
        tmp_path: Path, seed: int) -> None:
    best, _, _, _, model = brute_forced(tmp_path, seed)
    assert best is not None, f"seed {seed} has no plan: choose seeds that have one"
    value, prices = lp_relaxation(model)
    raised = site_bound.raised_bound(model, prices, 60.0)
    slack = 1e-6 * abs(best) + 1e-3
    assert raised.lp_bound == pytest.approx(value, rel=1e-9, abs=1e-3)
    assert raised.lp_bound - slack <= raised.bound <= best + slack
    assert raised.priced == raised.proven == raised.fractional_sites
    blocks = site_pricing.site_blocks(model)
    pi = site_pricing.dual_point(model, blocks, prices.row_prices[blocks.master_rows])
    lowest = np.array([site_pricing.price(model, blocks, s, pi).lowest
                       for s in range(len(blocks.columns))])
    every_site = site_pricing.lagrangian_bound(model, blocks, pi, lowest)
    assert raised.bound == pytest.approx(every_site, rel=1e-9, abs=1e-3)
    if seed == 33:
        assert raised.fractional_sites == 2
        assert raised.bound > value + 300_000  # £52.690m raised to £53.023m


def test_fractional_sites_are_those_with_an_integer_column_off_whole(tmp_path: Path) -> None:
    _, _, _, _, model = brute_forced(tmp_path, 33)
    integer = np.flatnonzero(model.col_integer.astype(bool) & (model.col_site >= 0))
    values = np.round(np.linspace(0.0, 1.0, len(model.col_cost)))
    assert len(site_bound.fractional_sites(model, values)) == 0
    a, b = integer[0], integer[-1]
    values[a] += 0.5 if values[a] < 0.5 else -0.5
    values[b] += 0.01 if values[b] < 0.5 else -0.01  # within FRACTIONAL: whole
    assert list(site_bound.fractional_sites(model, values)) == [model.col_site[a]]


def test_stopped_or_out_of_time_it_is_the_lp_bound(tmp_path: Path) -> None:
    _, _, _, _, model = brute_forced(tmp_path, 33)
    _, prices = lp_relaxation(model)
    stop = threading.Event()
    stop.set()
    for raised in (site_bound.raised_bound(model, prices, 60.0, stop),
                   site_bound.raised_bound(model, prices, 0.0)):
        assert raised.priced == 0 and raised.bound == raised.lp_bound
        assert raised.fractional_sites == 2


@pytest.mark.parametrize("seed", [15, 33])
def test_any_prices_give_a_raised_bound_under_the_optimum(tmp_path: Path, seed: int) -> None:
    """Prices far from the LP's (some the wrong side of their row, some not numbers)
    give a weaker bound, never a wrong one; the sites are raised from there."""
    best, _, _, _, model = brute_forced(tmp_path, seed)
    assert best is not None
    _, prices = lp_relaxation(model)
    rng = np.random.default_rng(seed)
    scale = float(np.abs(model.col_cost).max())
    raised_any = 0
    for spread in (1e-3, 1e-2, 0.1):
        y = prices.row_prices + rng.normal(0.0, spread * scale, len(model.row_lb))
        y[rng.random(len(y)) < 0.05] = np.nan
        raised = site_bound.raised_bound(model, LpPrices(y, prices.col_values), 60.0)
        assert raised.lp_bound <= raised.bound <= best + 1e-6 * abs(best) + 1e-3
        raised_any += raised.bound > raised.lp_bound + 1.0
    assert raised_any >= 1, "no prices raised: the check is vacuous"


def test_a_site_search_cut_short_gives_its_bound_not_its_plan() -> None:
    # the knapsacks of tests/test_solve.py, best take -1,449 (proven there), stopped after
    # the root node or by a stop set before the run: never a bound above the best take,
    # and never counted as proven
    model = _knapsacks(0.0)
    for limit in ("nodes", "stopped"):
        stop = threading.Event()
        h = stoppable(new_highs(60.0, 0.0), stop)
        h.passModel(lp_from_arrays(model.matrix.tocsc(), model.col_cost, model.col_lb,
                                   model.col_ub, model.row_lb, model.row_ub,
                                   model.col_integer))
        if limit == "nodes":
            h.setOptionValue("mip_max_nodes", 1)
        else:
            stop.set()
        h.run()
        lowest, done = site_bound._lowest(h)
        assert not done and lowest <= -1449.0
        if limit == "nodes":  # a plan was found, worse than the best: its value is no bound
            assert h.getInfo().objective_function_value > -1449.0 > lowest > -math.inf


def _random_model(rng: np.random.Generator) -> EstateModel:
    """A small MILP in the shape the raise reads: two to four sites of integer and
    continuous columns (some unbounded on one side) and columns of no site; each site's
    own rows, rows spanning sites, and rows of every kind (at least, at most, ranged,
    equal, free, empty); a constant in the objective."""
    sites = int(rng.integers(2, 5))
    site = np.repeat(np.arange(-1, sites), rng.integers(2, 5, sites + 1))
    n = len(site)
    integer = rng.random(n) < 0.6
    lb = np.where(integer, 0.0, rng.choice([0.0, -2.0, -np.inf], n, p=[0.6, 0.3, 0.1]))
    ub = np.where(integer, rng.integers(1, 4, n).astype(float),
                  rng.choice([3.0, np.inf], n, p=[0.8, 0.2]))
    ub[np.isinf(lb)] = 0.0  # a column open below is closed above
    groups = [np.flatnonzero(site == s) for s in range(sites) for _ in range(2)]
    groups += [rng.choice(n, int(rng.integers(2, n)), replace=False) for _ in range(3)]
    dense = np.zeros((len(groups) + 1, n))  # the last row empty
    for r, cols in enumerate(groups):
        dense[r, cols] = rng.integers(-4, 5, len(cols))
    level = rng.uniform(-3.0, 3.0, len(dense))
    kind = rng.integers(0, 5, len(dense))
    lo = np.select([kind == 0, kind == 2, kind == 3], [level, level - 2.0, np.round(level)],
                   -np.inf)
    hi = np.select([kind == 1, kind == 2, kind == 3], [level, level, np.round(level)], np.inf)
    return EstateModel(
        col_names=np.array([f"x{j}" for j in range(n)], dtype=object), col_lb=lb, col_ub=ub,
        col_cost=rng.normal(0.0, 10.0, n), col_integer=integer.astype(np.int8),
        obj_constant=float(rng.normal(0.0, 100.0)),
        row_names=np.array([f"r{i}" for i in range(len(dense))], dtype=object),
        row_lb=lo, row_ub=hi, matrix=sp.csr_matrix(dense), family_rows={},
        family_labels={}, blocks={}, pool=pd.DataFrame(), centres=pd.DataFrame(),
        col_site=site)


def test_on_random_models_the_raised_bound_stays_under_the_milp_optimum() -> None:
    rng = np.random.default_rng(12)
    checked = raised_any = 0
    for _ in range(1000):
        model = _random_model(rng)
        h = new_highs(20.0, 0.0)
        h.passModel(lp_from_arrays(model.matrix.tocsc(), model.col_cost, model.col_lb,
                                   model.col_ub, model.row_lb, model.row_ub,
                                   model.col_integer, model.obj_constant))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            continue  # infeasible or unbounded: no optimum to hold it to
        best = h.getInfo().objective_function_value
        _, prices = lp_relaxation(model)
        for spread in (0.0, 1.0):
            y = prices.row_prices + rng.normal(0.0, spread, len(model.row_lb))
            raised = site_bound.raised_bound(model, LpPrices(y, prices.col_values), 5.0)
            assert raised.bound <= best + 1e-6 * max(1.0, abs(best))
            checked += math.isfinite(raised.bound)
            raised_any += raised.bound > raised.lp_bound + 1e-6
    assert checked >= 150 and raised_any >= 100, (checked, raised_any)
