"""The cost of every column: a year of running, once-off spend, and what timing adds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from estate.model.parts import Parts
from estate.prepare import Prepared


@dataclass(frozen=True)
class Costs:
    """Per-column cost coefficients, pounds: `annual` a year, `one_off` once, `lease` the
    NPV that timing adds to closing a site (zero without a start date), plus the
    constants of the exit terms (the net exit cost of every existing site)."""

    annual: np.ndarray
    one_off: np.ndarray
    one_off_constant: float
    lease: np.ndarray
    lease_constant: float

    def objective(self, annuity: float) -> np.ndarray:
        """c = A annual + one_off + lease: each column's NPV of cost over the horizon."""
        return annuity * self.annual + self.one_off + self.lease


def cost_coefficients(p: Parts, n_columns: int) -> Costs:
    """one_off = sum_s [build_s open[s] + exit_s (1 - open[s])]
    + sum_{(f,s) a move} cost_per_fte fte_f assign[f,s] + sum_{k,s} setup_k shared[k,s];
    annual = sum_s running_s open[s] + sum_{f,s} (annual_f + pair_cost_fs) assign[f,s]
    - sum_{f,s} eff_f annual_f pooled[f,s].

    exit_s = closure_cost - disposal_value for an existing site, build_s its build cost
    for a new one; a move is a team with a home today placed elsewhere. The exit terms
    split into the constant sum_s exit_s and -exit_s on open[s].

    With a start date, closing in year 1 also costs lease_s = closure - receipt(lag) +
    L[s,1] - exit_s (`estate.timing`): the rent still owed (or the surrender) and the
    value lost by waiting for the sale; it enters the objective as
    sum_s lease_s (1 - open[s]), never the one-off cap.
    """
    prep, sc = p.prep, p.prep.scenario
    sites, functions, pairs, pool = prep.sites, prep.functions, prep.pairs, p.pooling.pool
    pf = pairs["f"].to_numpy()
    net_exit = np.where(prep.existing, sites["closure_cost"].to_numpy(float)
                        - sites["disposal_value"].to_numpy(float), 0.0)
    build_cost = np.where(prep.existing, 0.0, sites["build_cost"].to_numpy(float))
    annual_f = functions["annual_cost"].to_numpy(float)
    fte = functions["fte"].to_numpy(float)
    moved = (prep.home[pf] >= 0) & ~pairs["home"].to_numpy(bool)
    centres = p.pooling.centres
    one_off = np.zeros(n_columns)
    one_off[p.open] = build_cost - net_exit
    one_off[p.assign] = np.where(moved, sc.cost_per_fte * fte[pf], 0.0)
    one_off[p.shared] = centres["k"].map(sc.setup_cost).to_numpy(float) if len(centres) else 0.0
    annual = np.zeros(n_columns)
    annual[p.open] = sites["running_cost"].to_numpy(float)
    annual[p.assign] = annual_f[pf] + pairs["pair_cost"].to_numpy(float)
    qf = pool["f"].to_numpy()
    annual[p.pooled] = -prep.efficiency[qf] * annual_f[qf]
    lease_extra = _lease_extra(prep, net_exit)
    lease = np.zeros(n_columns)
    lease[p.open] = -lease_extra
    return Costs(annual, one_off, float(net_exit.sum()), lease, float(lease_extra.sum()))


def _lease_extra(prep: Prepared, net_exit: np.ndarray) -> np.ndarray:
    """Per site: NPV of closing it in year 1 beyond its one-off exit cost (0 without a
    start date, and for candidates): closure - receipt(lag) + L[s,1] - exit_s."""
    if prep.exits is None:
        return np.zeros(len(prep.sites))
    e = prep.exits
    closing_npv = e.closure[:, 1] - e.receipt[:, 1] + e.leave[:, 1]
    return np.where(prep.existing, closing_npv - net_exit, 0.0)
