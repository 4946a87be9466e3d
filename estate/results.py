"""Turn a solution into the figures of a business case: KPIs, tables, who pays.

Everything here is recomputed from the solution vector and the prepared arrays
(not read back from the solver's objective), so the reported totals can be checked
against the objective: A * annual_cost_after + one_off_cost == objective_npv.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from estate.model.build import EstateModel
from estate.prepare import Prepared, nearest_km
from estate.solve.solvers import Solution
from estate.status import Status

TOL = 1e-6


def money(value: float | None) -> str:
    """Pounds as a reader expects them: £1.23m, £45.6k, -£3.0m."""
    if value is None:
        return "n/a"
    sign = "-" if value < 0 else ""
    v = abs(value)
    if v >= 1e6:
        return f"{sign}£{v / 1e6:,.2f}m"
    if v >= 1e3:
        return f"{sign}£{v / 1e3:,.1f}k"
    return f"{sign}£{v:,.0f}"


@dataclass
class Plan:
    """A solved scenario: the summary of DESIGN section 5 and its tables."""

    summary: dict[str, Any]
    sites: pd.DataFrame
    assignments: pd.DataFrame
    coverage: pd.DataFrame
    agencies: pd.DataFrame
    zones: pd.DataFrame
    prepared: Prepared | None = field(default=None, repr=False)
    solution: Solution | None = field(default=None, repr=False)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def status(self) -> Status:
        return Status(self.summary["status"])


@dataclass(frozen=True)
class _State:
    """One configuration of the estate: the status quo or a solved plan."""

    open: np.ndarray  # per site
    share: np.ndarray  # per eligible pair, share of the function there
    pooled: np.ndarray  # per eligible pair, share pooled there
    shared: np.ndarray  # per centre (model.centres row)


def _status_quo(prep: Prepared, model: EstateModel) -> _State:
    pairs = prep.pairs
    return _State(open=prep.existing.copy(), share=pairs["home"].to_numpy(float),
                  pooled=np.zeros(len(pairs)), shared=np.zeros(len(model.centres), bool))


def _solved(prep: Prepared, model: EstateModel, values: np.ndarray) -> _State:
    a = model.block("assign", values)
    a = np.where(a < TOL, 0.0, np.where(a > 1 - TOL, 1.0, a))
    pooled = np.zeros(len(prep.pairs))
    if len(model.pool):
        p = model.block("pooled", values)
        pooled[model.pool["pair"].to_numpy()] = np.where(p < TOL, 0.0, np.minimum(p, 1.0))
    return _State(open=model.block("open", values) > 0.5, share=a, pooled=pooled,
                  shared=model.block("shared", values) > 0.5)


def _desks_by_pair(prep: Prepared, state: _State, column: str) -> np.ndarray:
    need = prep.functions[column].to_numpy(float)[prep.pairs["f"].to_numpy()]
    eff = prep.efficiency[prep.pairs["f"].to_numpy()]
    return need * (state.share - eff * state.pooled)


def _annual_by_agency(prep: Prepared, state: _State) -> tuple[pd.Series, float]:
    """Annual cost per agency: running cost split by desks used, plus its functions' costs."""
    pairs, sites, functions = prep.pairs, prep.sites, prep.functions
    pf, ps = pairs["f"].to_numpy(), pairs["s"].to_numpy()
    agency_of_f = functions["agency_id"].to_numpy(object)
    used = _desks_by_pair(prep, state, "desks")
    running = sites["running_cost"].to_numpy(float)
    frame = pd.DataFrame({"s": ps, "g": agency_of_f[pf], "used": used})
    by_site_agency = frame[frame["used"] > TOL].groupby(["s", "g"])["used"].sum()
    totals = by_site_agency.groupby(level="s").sum()
    share = by_site_agency / totals.reindex(by_site_agency.index.get_level_values("s")).to_numpy()
    s_idx = share.index.get_level_values("s").to_numpy()
    open_with_users = state.open[s_idx]
    run_cost = pd.Series(running[s_idx] * share.to_numpy() * open_with_users,
                         index=share.index.get_level_values("g")).groupby(level=0).sum()
    empty_open = state.open & ~np.isin(np.arange(len(sites)), totals.index.to_numpy())
    owner_cost = pd.Series(running[empty_open],
                           index=sites["agency_id"].to_numpy(object)[empty_open]
                           ).groupby(level=0).sum()
    annual_f = functions["annual_cost"].to_numpy(float)[pf]
    eff = prep.efficiency[pf]
    fun_cost = pd.Series((annual_f + pairs["pair_cost"].to_numpy(float)) * state.share
                         - eff * annual_f * state.pooled, index=agency_of_f[pf]
                         ).groupby(level=0).sum()
    total = run_cost.add(owner_cost, fill_value=0).add(fun_cost, fill_value=0)
    return total, float(running @ state.open + fun_cost.sum())


def _one_off_by_agency(prep: Prepared, model: EstateModel, state: _State) -> pd.Series:
    sc, sites, functions, pairs = prep.scenario, prep.sites, prep.functions, prep.pairs
    owner = sites["agency_id"].to_numpy(object)
    closed = prep.existing & ~state.open
    built = ~prep.existing & state.open
    site_cost = (np.where(closed, sites["closure_cost"] - sites["disposal_value"], 0.0)
                 + np.where(built, sites["build_cost"], 0.0))
    parts = [pd.Series(site_cost, index=owner)]
    pf = pairs["f"].to_numpy()
    moved = (prep.home[pf] >= 0) & ~pairs["home"].to_numpy(bool)
    reloc = np.where(moved, sc.cost_per_fte * functions["fte"].to_numpy(float)[pf], 0.0)
    parts.append(pd.Series(reloc * state.share, index=functions["agency_id"].to_numpy(object)[pf]))
    if len(model.centres):
        pool = model.pool
        need = functions["desks"].to_numpy(float)[pool["f"].to_numpy()]
        desks = need * state.pooled[pool["pair"].to_numpy()]
        by = pd.DataFrame({"c": pool["centre"], "g": pool["g"], "d": desks}
                          ).groupby(["c", "g"])["d"].sum()
        for c in np.flatnonzero(state.shared):
            setup = sc.setup_cost.get(model.centres.at[c, "k"], 0.0)
            these = by.xs(c, level="c") if c in by.index.get_level_values("c") else pd.Series()
            if these.sum() > TOL:
                parts.append(setup * these / these.sum())
            else:
                parts.append(pd.Series([setup], index=[owner[model.centres.at[c, "s"]]]))
    return pd.concat(parts).groupby(level=0).sum()


def _breaches(prep: Prepared, before: _State) -> list[dict[str, str]]:
    """Every rule the status quo breaks, named as a planner would."""
    sc, sites, functions = prep.scenario, prep.sites, prep.functions
    out = []
    for fid in functions.loc[prep.home < 0, "function_id"]:
        out.append({"rule": "housed", "place": f"{fid} has no site today"})
    for column in ("desks", "racks"):
        used = np.bincount(prep.pairs["s"], _desks_by_pair(prep, before, column), len(sites))
        cap = sites[column].to_numpy(float)
        for s in np.flatnonzero(used > cap + TOL):
            out.append({"rule": column, "place": f"{sites.at[s, 'site_id']} {sites.at[s, 'name']}:"
                        f" {used[s]:,.0f} {column} needed, {cap[s]:,.0f} available"})
    for cov in prep.coverage:
        reached = np.zeros(len(prep.zones), bool)
        reached[cov.zone[prep.existing[cov.site]]] = True
        rule = cov.rule
        if rule.mode == "all":
            for z in np.flatnonzero(~reached):
                out.append({"rule": rule.name, "place": f"zone {prep.zones.at[z, 'zone_id']} "
                            f"{prep.zones.at[z, 'name']}: no site offering {rule.service} "
                            f"within {rule.radius_km:g} km"})
        elif rule.mode == "population_share":
            pop = prep.zones["population"].to_numpy(float)
            if pop.sum() > 0 and pop[reached].sum() < rule.population_share * pop.sum() - TOL:
                out.append({"rule": rule.name, "place": f"{pop[reached].sum() / pop.sum():.1%} "
                            f"of people reach {rule.service} within {rule.radius_km:g} km, "
                            f"{rule.population_share:.1%} required"})
    ids = sites["site_id"].to_numpy(object)
    for s in np.flatnonzero(prep.forced_closed & prep.existing):
        out.append({"rule": "policy.close", "place": f"{ids[s]} is open today"})
    for s in np.flatnonzero(prep.forced_open & ~prep.existing):
        out.append({"rule": "policy.keep", "place": f"{ids[s]} is not built today"})
    if sc.max_one_off < 0:
        out.append({"rule": "policy.max_one_off", "place": "the status quo spends £0"})
    return out


def _coverage_table(prep: Prepared, after: _State) -> pd.DataFrame:
    zones, sites = prep.zones, prep.sites
    frames = []
    for cov in prep.coverage:
        rule = cov.rule
        offers = np.array([rule.service in sv for sv in sites["services"]], dtype=bool)
        before = np.zeros(len(zones), bool)
        before[cov.zone[prep.existing[cov.site]]] = True
        now = np.zeros(len(zones), bool)
        now[cov.zone[after.open[cov.site]]] = True
        frames.append(pd.DataFrame({
            "rule": rule.index, "service": rule.service, "radius_km": rule.radius_km,
            "zone_id": zones["zone_id"], "name": zones["name"], "lat": zones["lat"],
            "lon": zones["lon"], "population": zones["population"],
            "covered_before": before, "covered_after": now,
            "nearest_km_before": nearest_km(zones, sites, offers & prep.existing).round(3),
            "nearest_km_after": nearest_km(zones, sites, offers & after.open).round(3),
        }))
    columns = ["rule", "service", "radius_km", "zone_id", "name", "lat", "lon", "population",
               "covered_before", "covered_after", "nearest_km_before", "nearest_km_after"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def _join(values: pd.Series) -> str:
    return ";".join(sorted(str(v) for v in values))


def make_plan(prep: Prepared, model: EstateModel, solution: Solution) -> Plan:
    """All figures of DESIGN section 5 for a solution that holds a plan."""
    sc, sites, functions, pairs = prep.scenario, prep.sites, prep.functions, prep.pairs
    assert solution.values is not None
    A = sc.annuity
    before = _status_quo(prep, model)
    after = _solved(prep, model, solution.values)
    pf, ps = pairs["f"].to_numpy(), pairs["s"].to_numpy()

    one_off = float(model.one_off_coef @ solution.values + model.one_off_constant)
    agency_before, annual_before = _annual_by_agency(prep, before)
    agency_after, annual_after = _annual_by_agency(prep, after)
    agency_one_off = _one_off_by_agency(prep, model, after)
    annual_saving = annual_before - annual_after
    if annual_saving > TOL:
        payback = 0.0 if one_off <= 0 else one_off / annual_saving
    else:
        payback = None

    decision = np.where(prep.existing, np.where(after.open, "keep", "close"),
                        np.where(after.open, "open", "not_built"))
    centres = model.centres.assign(on=after.shared)
    shared_types = centres[centres["on"]].groupby("s")["k"].agg(_join)
    site_table = pd.DataFrame({
        "site_id": sites["site_id"], "agency_id": sites["agency_id"], "name": sites["name"],
        "lat": sites["lat"], "lon": sites["lon"], "kind": sites["kind"],
        "running_cost": sites["running_cost"],
        "services": sites["services"].map(lambda v: ";".join(v)), "decision": decision,
        "shared_types": shared_types.reindex(np.arange(len(sites))).fillna("").to_numpy(),
        "desks_used": np.bincount(ps, _desks_by_pair(prep, after, "desks"), len(sites)).round(3),
        "desks": sites["desks"],
        "racks_used": np.bincount(ps, _desks_by_pair(prep, after, "racks"), len(sites)).round(3),
        "racks": sites["racks"],
    })

    on = after.share > TOL
    home_ids = np.where(prep.home >= 0, sites["site_id"].to_numpy(object)[np.maximum(prep.home, 0)]
                        if len(sites) else "", "")
    moved = (prep.home[pf] >= 0) & ~pairs["home"].to_numpy(bool)
    fte = functions["fte"].to_numpy(float)[pf]
    assignments = pd.DataFrame({
        "function_id": functions["function_id"].to_numpy(object)[pf[on]],
        "agency_id": functions["agency_id"].to_numpy(object)[pf[on]],
        "type": functions["type"].to_numpy(object)[pf[on]],
        "from_site": home_ids[pf[on]],
        "to_site": sites["site_id"].to_numpy(object)[ps[on]],
        "share": after.share[on].round(6),
        "pooled": after.pooled[on].round(6),
        "fte_moved": np.where(moved, fte * after.share, 0.0)[on].round(3),
    })

    agency_rows = prep.agencies[["agency_id", "name", "kind"]].copy()
    ids = agency_rows["agency_id"]
    agency_rows["annual_cost_before"] = agency_before.reindex(ids).fillna(0.0).to_numpy().round(2)
    agency_rows["annual_cost_after"] = agency_after.reindex(ids).fillna(0.0).to_numpy().round(2)
    agency_rows["one_off_cost"] = agency_one_off.reindex(ids).fillna(0.0).to_numpy().round(2)
    agency_rows["annual_saving"] = (agency_rows["annual_cost_before"]
                                    - agency_rows["annual_cost_after"]).round(2)
    agency_rows["npv_saving"] = (A * agency_rows["annual_saving"]
                                 - agency_rows["one_off_cost"]).round(2)
    agency_rows["worse_off"] = (agency_after.reindex(ids).fillna(0.0).to_numpy()
                                > agency_before.reindex(ids).fillna(0.0).to_numpy() + 0.005)

    breaches = _breaches(prep, before)
    status_quo_npv = A * annual_before
    objective = A * annual_after + one_off
    n_before = int(prep.existing.sum())
    summary: dict[str, Any] = {
        "scenario": sc.name,
        "status": solution.status,
        "objective_npv": round(objective, 2),
        "status_quo_npv": round(status_quo_npv, 2),
        "status_quo_feasible": not breaches,
        "status_quo_breaches": breaches,
        "npv_saving": round(status_quo_npv - objective, 2),
        "annual_cost_before": round(annual_before, 2),
        "annual_cost_after": round(annual_after, 2),
        "annual_saving": round(annual_saving, 2),
        "one_off_cost": round(one_off, 2),
        "payback_years": None if payback is None else round(payback, 3),
        "sites_before": n_before,
        "sites_after": int(after.open.sum()),
        "sites_closed": int((prep.existing & ~after.open).sum()),
        "sites_opened": int((~prep.existing & after.open).sum()),
        "shared_centres": int(after.shared.sum()),
        "fte_relocated": round(float((np.where(moved, fte, 0.0) * after.share).sum()), 3),
        "mip_gap": None if not math.isfinite(solution.mip_gap) else solution.mip_gap,
        "solve_seconds": round(solution.seconds, 3),
        "solver": solution.solver,
        "agencies": {
            row.agency_id: {"name": row.name, "annual_cost_before": row.annual_cost_before,
                            "annual_cost_after": row.annual_cost_after,
                            "one_off_cost": row.one_off_cost, "worse_off": bool(row.worse_off)}
            for row in agency_rows.itertuples(index=False)
        },
        "horizon_years": sc.horizon_years,
        "discount_rate": sc.discount_rate,
        "crs": prep.crs,
        "model_size": model.size,
    }
    zones = prep.zones[["zone_id", "name", "lat", "lon", "population"]].copy()
    return Plan(summary=summary, sites=site_table, assignments=assignments,
                coverage=_coverage_table(prep, after), agencies=agency_rows, zones=zones,
                prepared=prep, solution=solution)
