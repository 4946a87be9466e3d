"""The LP bound from PDLP's prices, raised by packing the LP's fractional sites whole.

`lp_bound.box_bound` at row prices y dualises every row. Split the rows into each site's
own rows (rows whose columns all belong to that site: its capacity, its centre rules)
and the rest, M (rows spanning sites or touching a column of no site). Site s's part of
the box bound is

    B_s(y) = sum_{r own to s} h_r(y_r) + sum_{j of s} min_{lb_j <= x_j <= ub_j} (c_j - a_j'y) x_j

and box_bound(y) = const + sum_{r in M} h_r(y_r) + sum_{j of no site} (box term)
+ sum_s B_s(y). Keeping site s's own rows and its columns' integrality instead gives its
Lagrangian term at the prices y_M on M alone:

    L_s(y) = min { (c_s - A_{M,s}' y_M) x : x meets s's own rows and bounds, integer
                   where the model says }

and L_s(y) >= B_s(y), by weak duality of s's own rows relaxed (the module docstring of
`lp_bound`, on one site). So for any set S of sites and any lower bound lowest_s on
L_s(y) (a pricer stopped by its time limit gives HiGHS's bound on its minimum),

    z* >= box_bound(y) + sum_{s in S} max(0, lowest_s - B_s(y))

which is `site_pricing.lagrangian_bound` at the dual point y_M with the sites not in S
counted at B_s(y). It holds for any y, so PDLP's loose prices lose closeness, never
validity; and it can be raised one site at a time, so any time it is stopped, what it has
is a bound.

At the LP's optimal prices, a site whose integer columns (its `open`, its centres) the
LP leaves whole gains nothing (its part of the LP solution is then an integer point, so
L_s = B_s); where the LP opens a site or a centre by parts, L_s packs it whole and the
bound rises. PDLP's prices are near-optimal, not optimal, so a site left out might gain a
little: that costs closeness, never validity. So only the fractional sites are priced
(region: 923 of 5,200, +£11.7m in 30 s, +£17.9m in 60 s; benchmarks/README.md), the
smaller first (mostly the quicker): each gets FIRST_LOOK_S, then the ones not proven in
it get SITE_LIMIT_S each, searched afresh, while time is left.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time

import highspy
import numpy as np
import scipy.sparse as sp

from estate.model.arrays import EstateModel
from estate.solve.highs import lp_from_arrays, new_highs, run, stoppable
from estate.solve.lp_bound import LpPrices, box_bound, box_terms, row_terms, signed
from estate.solve.site_pricing import own_rows

# An integer column this far from whole in PDLP's values makes its site fractional.
FRACTIONAL = 0.02
# Every fractional site gets this long first (most are proven in it: region, median
# 0.03 s)...
FIRST_LOOK_S = 0.25
# ...then each one it did not prove gets this long, while time is left.
SITE_LIMIT_S = 2.0


@dataclasses.dataclass(frozen=True)
class SiteBound:
    """The raised bound, the LP bound it started from, the fractional sites, how many of
    them were priced (at least once) and proven, and the seconds it took."""

    bound: float
    lp_bound: float
    fractional_sites: int
    priced: int
    proven: int
    seconds: float


def fractional_sites(model: EstateModel, values: np.ndarray) -> np.ndarray:
    """The sites with an integer column more than FRACTIONAL from whole in `values`."""
    integer = model.col_integer.astype(bool) & (model.col_site >= 0)
    off = np.abs(values - np.round(values)) > FRACTIONAL
    return np.unique(model.col_site[integer & off])


def raised_bound(model: EstateModel, prices: LpPrices, seconds: float,
                 stop: threading.Event | None = None) -> SiteBound:
    """box_bound at PDLP's prices, raised by the fractional sites packed whole (the
    module's inequality) within `seconds`, or until `stop` is set."""
    t0 = time.perf_counter()
    end = t0 + seconds
    y = signed(prices.row_prices, model.row_lb, model.row_ub)
    lp_bound = box_bound(model, y)
    sites = fractional_sites(model, prices.col_values)
    stopped = stop is not None and stop.is_set()
    if not math.isfinite(lp_bound) or len(sites) == 0 or stopped or seconds <= 0:
        return SiteBound(lp_bound, lp_bound, len(sites), 0, 0, time.perf_counter() - t0)
    csr = model.matrix.tocsr()
    reduced = model.col_cost - model.matrix.T @ y  # every row dualised
    columns, rows = _by_site(model.col_site), _by_site(own_rows(model))
    order = np.argsort([len(columns[int(s)]) for s in sites], kind="stable")
    gains = np.zeros(len(sites))
    waiting: list[tuple[int, highspy.Highs, float]] = []  # not proven in the first look
    priced = proven = 0
    for look, limit in ((0, FIRST_LOOK_S), (1, SITE_LIMIT_S)):
        todo = ([(int(k), None, 0.0) for k in order] if look == 0 else waiting)
        waiting = []
        for k, h, part in todo:
            left = end - time.perf_counter()
            if left <= 0 or (stop is not None and stop.is_set()):
                break
            if h is None:
                s = int(sites[k])
                h, part = _site_search(model, csr, reduced, y, columns[s],
                                       rows.get(s, np.empty(0, np.int64)), stop)
                priced += 1
            h.setOptionValue("time_limit", max(min(limit, left), 0.01))
            run(h)
            lowest, done = _lowest(h)
            gains[k] = max(gains[k], lowest - part)
            if done:
                proven += 1
            elif look == 0:
                waiting.append((k, h, part))
    return SiteBound(lp_bound + float(gains.sum()), lp_bound, len(sites), priced, proven,
                     time.perf_counter() - t0)


def _by_site(site: np.ndarray) -> dict[int, np.ndarray]:
    """The positions of each site's entries in `site` (a site per column, or per row;
    -1 for none, left out), in order."""
    order = np.argsort(site, kind="stable")
    keys, starts = np.unique(site[order], return_index=True)
    return {int(k): part for k, part in zip(keys, np.split(order, starts[1:]), strict=True)
            if k >= 0}


def _site_search(model: EstateModel, csr: sp.csr_matrix, reduced: np.ndarray, y: np.ndarray,
                 cols: np.ndarray, rows: np.ndarray, stop: threading.Event | None
                 ) -> tuple[highspy.Highs, float]:
    """A site's L_s(y) as a HiGHS MILP over its columns `cols` and its own `rows` (the
    other rows priced at y), and its part of the box bound, B_s(y)."""
    own = csr[rows][:, cols]
    lo, hi = model.row_lb[rows], model.row_ub[rows]
    lb, ub = model.col_lb[cols], model.col_ub[cols]
    part = row_terms(y[rows], lo, hi) + box_terms(reduced[cols], lb, ub)
    cost = reduced[cols] + own.T @ y[rows]  # the own rows' prices given back
    h = stoppable(new_highs(SITE_LIMIT_S, 0.0), stop)
    h.passModel(lp_from_arrays(own.tocsc(), cost, lb, ub, lo, hi, model.col_integer[cols]))
    return h, part


def _lowest(h: highspy.Highs) -> tuple[float, bool]:
    """A lower bound on the site's minimum from its last run (-inf: none), and whether
    that run proved the minimum."""
    status, info = h.getModelStatus(), h.getInfo()
    bound = info.mip_dual_bound
    if status == highspy.HighsModelStatus.kOptimal:
        value = info.objective_function_value
        return (min(bound, value) if math.isfinite(bound) else value), True
    return (bound if math.isfinite(bound) else -math.inf), False
