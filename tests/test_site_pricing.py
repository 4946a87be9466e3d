"""estate.solve.site_pricing: the bound from the sites' configurations holds wherever
the rows spanning sites are dualised.

The oracle is the brute force of tests/test_bruteforce.py (the optimum by enumeration)
and HiGHS's LP relaxation of the whole model; the search that uses these parts is held
to the same oracle in tests/test_configurations.py.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from estate.solve import configurations, site_pricing
from estate.solve.highs import lp_from_arrays, new_highs
from tests.test_bruteforce import SEEDS, brute_forced


@pytest.mark.parametrize("seed", SEEDS[:12])
def test_the_lagrangian_bound_holds_at_any_dual_point(tmp_path: Path, seed: int) -> None:
    """Dualised at any point with the signs the rows allow, not only the master's duals,
    with every site priced exactly, the bound stays under the brute-force optimum (and is
    finite when the columns of no site are bounded); the sign each row allows is the
    one kept."""
    best, _, _, _, model = brute_forced(tmp_path, seed)
    if best is None:
        return
    blocks = site_pricing.site_blocks(model)
    lo, hi = model.row_lb[blocks.master_rows], model.row_ub[blocks.master_rows]
    rng = np.random.default_rng(seed)
    cost = float(np.abs(model.col_cost).max())
    points = [np.zeros(len(lo))] + [rng.normal(0.0, scale * cost, len(lo))
                                    for scale in (1e-3, 1e-2, 0.1, 1.0) for _ in range(3)]
    free_bounded = bool(np.isfinite(model.col_lb[blocks.free]).all()
                        and np.isfinite(model.col_ub[blocks.free]).all())

    def bound_at(raw: np.ndarray) -> float:
        pi = site_pricing.dual_point(model, blocks, raw)
        assert (pi[np.isinf(hi)] >= 0).all() and (pi[np.isinf(lo)] <= 0).all()
        lowest = np.array([site_pricing.price(model, blocks, s, pi).lowest
                           for s in range(len(blocks.columns))])
        bound = site_pricing.lagrangian_bound(model, blocks, pi, lowest)
        assert bound <= best + 1e-6 * abs(best) + 1e-3
        assert math.isfinite(bound) or not free_bounded
        return bound

    for raw in points:
        bound_at(raw)
    # at the LP relaxation's own duals (HiGHS on the whole model, no estate search), the
    # bound is at least the LP's value: dualising some rows at their optimal duals gives
    # the LP back, and whole sites can only raise it
    lp = new_highs(math.inf, 0.0)
    lp.passModel(lp_from_arrays(model.matrix.tocsc(), model.col_cost, model.col_lb,
                                model.col_ub, model.row_lb, model.row_ub,
                                np.zeros(len(model.col_cost)), model.obj_constant))
    lp.run()
    relaxed = lp.getInfo().objective_function_value
    duals = np.array(lp.getSolution().row_dual)[blocks.master_rows]
    assert bound_at(duals) >= relaxed - 1e-6 * abs(relaxed) - 1e-3


@pytest.mark.parametrize("seed", SEEDS[:12])
def test_a_carried_bound_stays_under_the_cheapest_configuration(tmp_path: Path,
                                                               seed: int) -> None:
    """Priced once at one dual point, each site's bound carried to other points (near and
    far) stays under its cheapest configuration there, found by its pricer to proof; at
    the same point it is the pricer's own bound; before any pricing it is -inf."""
    _, _, _, _, model = brute_forced(tmp_path, seed)
    if not configurations.applies(model):
        return
    blocks = site_pricing.site_blocks(model)
    n_sites, n_rows = len(blocks.columns), len(blocks.master_rows)
    rng = np.random.default_rng(seed)
    cost = float(np.abs(model.col_cost).max())
    start = site_pricing.dual_point(model, blocks, rng.normal(0.0, 0.01 * cost, n_rows))

    def reduced(s: int, pi: np.ndarray) -> np.ndarray:
        return site_pricing.reduced_costs(model, blocks, s, pi)

    assert all(site_pricing.carried_bound(model, blocks, s, reduced(s, start)) == -math.inf
               for s in range(n_sites))
    first = [site_pricing.price(model, blocks, s, start) for s in range(n_sites)]
    tight = 0
    for scale in (0.0, 1e-4, 1e-3, 1e-2, 0.1):
        pi = site_pricing.dual_point(model, blocks,
                                     start + rng.normal(0.0, scale * cost, n_rows))
        carried = [site_pricing.carried_bound(model, blocks, s, reduced(s, pi))
                   for s in range(n_sites)]
        # priced afresh from the first point's run each time (price moves the anchor)
        for s in range(n_sites):
            again = site_pricing.price(model, blocks, s, pi)
            assert again.proven
            assert carried[s] <= again.value + 1e-9 * max(abs(again.value), 1.0)
            if scale == 0.0:
                assert carried[s] == first[s].lowest
            tight += carried[s] >= again.value - 1e-6 * max(abs(again.value), 1.0)
            site_pricing.price(model, blocks, s, start)
    assert tight >= n_sites  # at least the unmoved point's, so the check is not vacuous


def test_each_site_owns_the_rows_all_of_whose_columns_are_its(tmp_path: Path) -> None:
    # worked row by row: the sites of a row's columns, one site and no column of none
    _, _, _, _, model = brute_forced(tmp_path, 33)
    csr = model.matrix.tocsr()
    expected = []
    for r in range(csr.shape[0]):
        sites = set(model.col_site[csr.indices[csr.indptr[r]:csr.indptr[r + 1]]].tolist())
        expected.append(sites.pop() if len(sites) == 1 and min(sites) >= 0 else -1)
    row_site = site_pricing.own_rows(model)
    assert row_site.tolist() == expected
    assert (row_site >= 0).any() and (row_site < 0).any()  # not vacuous either way
    blocks = site_pricing.site_blocks(model)  # the configuration search's split is it
    assert np.array_equal(np.flatnonzero(row_site < 0), blocks.master_rows)
    for s, rows in enumerate(blocks.rows):
        assert np.array_equal(np.flatnonzero(row_site == s), rows)
