"""A bound from any prices on the rows, and one from a first-order LP solve for models too
big for HiGHS's own root.

Weak duality with the column bounds kept: for row prices y, signed as each row's bounds
allow (y_r >= 0 on a row with only a lower bound, y_r <= 0 on one with only an upper
bound, 0 on a row with neither), every plan x (lb <= x <= ub, lo <= A x <= hi) has

    c'x = (c - A'y)'x + y'A x
        >= sum_j min_{lb_j <= x_j <= ub_j} (c_j - a_j'y) x_j + sum_r h_r(y_r)

with h_r(p) = p lo_r for p > 0 and p hi_r for p < 0. Integrality is never used, so the
right side bounds the MILP whatever y is: an inexact y gives a lower bound, never a
wrong one (`box_bound`). The site-configuration search uses the same two terms for its
rows spanning sites and its columns of no site (`estate.solve.site_pricing`).

At region size (430,000 columns) HiGHS's simplex does not finish the root LP within ten
minutes and states no bound at all. HiGHS's first-order LP method (PDLP) reaches prices
within a few hundredths of a percent of the LP's optimum in under two minutes there
(`pdlp_prices`; benchmarks/README.md), and `box_bound` turns them into a bound that holds
however loose PDLP's own tolerances are (`estate.solve.site_bound` raises it further).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from estate.model.arrays import EstateModel
from estate.solve.highs import lp_from_arrays, new_highs, run

# PDLP stops when its relative primal and dual infeasibility and gap are under this: the
# bound does not rest on it (`box_bound` holds for any prices), only how close it comes.
PDLP_TOLERANCE = 1e-3


def signed(y: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Row prices with the sign each row's bounds allow: a price the wrong side of its
    row (a solver's tolerance can leave one a hair off, which would make the bound
    -inf), and one that is not a number, is taken as 0. Any prices give a bound, so this
    changes how close it comes, never whether it holds."""
    y = np.where(np.isfinite(y), y, 0.0)
    y = np.where(np.isinf(hi), np.maximum(y, 0.0), y)
    return np.where(np.isinf(lo), np.minimum(y, 0.0), y)


def row_terms(y: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
    """sum_r h_r(y_r): the least y'A x can be over lo <= A x <= hi (y signed)."""
    with np.errstate(invalid="ignore"):
        return float(np.where(y > 0, y * lo, np.where(y < 0, y * hi, 0.0)).sum())


def box_terms(reduced: np.ndarray, lb: np.ndarray, ub: np.ndarray) -> float:
    """sum_j min over lb_j <= x_j <= ub_j of reduced_j x_j (-inf when a column's box is
    open on the side its reduced cost pulls to)."""
    if np.isnan(reduced).any():
        return -math.inf
    with np.errstate(invalid="ignore"):
        return float(np.where(reduced > 0, reduced * lb,
                              np.where(reduced < 0, reduced * ub, 0.0)).sum())


def box_bound(model: EstateModel, y: np.ndarray) -> float:
    """The least NPV any plan can have, from row prices `y` (the module's inequality);
    -inf when a term is unbounded."""
    y = signed(np.asarray(y, dtype=float), model.row_lb, model.row_ub)
    reduced = model.col_cost - model.matrix.T @ y
    total = (row_terms(y, model.row_lb, model.row_ub)
             + box_terms(reduced, model.col_lb, model.col_ub))
    return total + model.obj_constant if math.isfinite(total) else -math.inf


@dataclasses.dataclass(frozen=True)
class LpPrices:
    """What PDLP found for the LP relaxation: its row prices (signed as each row allows)
    and its column values (how far each integer column is from whole)."""

    row_prices: np.ndarray
    col_values: np.ndarray


def pdlp_prices(model: EstateModel, seconds: float) -> LpPrices | None:
    """The LP relaxation's prices and values as HiGHS's PDLP finds them within `seconds`
    (None when PDLP gives no prices in time)."""
    if seconds <= 0:
        return None
    relaxed = lp_from_arrays(model.matrix.tocsc(), model.col_cost, model.col_lb,
                             model.col_ub, model.row_lb, model.row_ub,
                             np.zeros(len(model.col_cost), bool), model.obj_constant)
    h = new_highs(seconds, 0.0)
    h.setOptionValue("solver", "pdlp")
    for option in ("pdlp_optimality_tolerance", "primal_feasibility_tolerance",
                   "dual_feasibility_tolerance"):
        h.setOptionValue(option, PDLP_TOLERANCE)
    h.passModel(relaxed)
    run(h)
    solution = h.getSolution()
    if not (solution.dual_valid and solution.value_valid
            and len(solution.row_dual) == len(model.row_lb)
            and len(solution.col_value) == len(model.col_cost)):
        return None
    y = signed(np.asarray(solution.row_dual, dtype=float), model.row_lb, model.row_ub)
    return LpPrices(y, np.asarray(solution.col_value, dtype=float))
