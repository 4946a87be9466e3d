"""Turn a solution into the figures of a business case: KPIs, tables, who pays.

Everything here is recomputed from the solution vector and the prepared arrays
(not read back from the solver's objective), so the reported totals can be checked
against the objective: A * annual_cost_after + one_off_cost == objective_npv.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from estate.errors import Problem
from estate.model.build import EstateModel
from estate.model.costs import (
    closing_wait,
    savings_waited,
    surrender_bought,
)
from estate.prepare import Prepared
from estate.prepare.distances import nearest_km
from estate.results.amounts import money
from estate.results.booked_early import BookedEarly, booked_early
from estate.results.lease_renewals import leases_renewed
from estate.results.programme import Programme
from estate.results.state import State
from estate.results.summary import AgencyFigures, Breach, Summary
from estate.solve import Solution
from estate.status import Status

__all__ = ["AgencyFigures", "Breach", "Plan", "Programme", "State", "Summary", "agency_figures",
           "annual_by_agency", "desks_by_pair", "solved_state", "status_quo_state",
           "make_plan", "money"]

TOL = 1e-6


@dataclass
class Plan:
    """A solved scenario: its summary and tables (the files of a results folder), and,
    when the scenario asks for one, its dated programme."""

    summary: Summary
    sites: pd.DataFrame
    assignments: pd.DataFrame
    coverage: pd.DataFrame
    agencies: pd.DataFrame
    zones: pd.DataFrame
    prepared: Prepared | None = field(default=None, repr=False)
    solution: Solution | None = field(default=None, repr=False)
    timings: dict[str, float] = field(default_factory=dict)
    programme: Programme | None = None
    warnings: list[Problem] = field(default_factory=list)  # allowed but worth a look
    # the zones' own polygons by zone_id, when the register had them and the plan has
    # no `prepared` holding them (a national plan's, gathered from its areas)
    zone_shapes: gpd.GeoSeries | None = field(default=None, repr=False)

    @property
    def status(self) -> Status:
        return self.summary.status


def status_quo_state(prep: Prepared, model: EstateModel) -> State:
    pairs = prep.pairs
    return State(open=prep.existing.copy(), share=pairs["home"].to_numpy(float),
                  pooled=np.zeros(len(pairs)), shared=np.zeros(len(model.centres), bool))


def solved_state(prep: Prepared, model: EstateModel, values: np.ndarray) -> State:
    a = model.block("assign", values)
    a = np.where(a < TOL, 0.0, np.where(a > 1 - TOL, 1.0, a))
    pooled = np.zeros(len(prep.pairs))
    if len(model.pool):
        p = model.block("pooled", values)
        pooled[model.pool["pair"].to_numpy()] = np.where(p < TOL, 0.0, np.minimum(p, 1.0))
    return State(open=model.block("open", values) > 0.5, share=a, pooled=pooled,
                  shared=model.block("shared", values) > 0.5)


def desks_by_pair(prep: Prepared, state: State, column: str) -> np.ndarray:
    need = prep.functions[column].to_numpy(float)[prep.pairs["f"].to_numpy()]
    eff = prep.efficiency[prep.pairs["f"].to_numpy()]
    return need * (state.share - eff * state.pooled)


def desk_shares(prep: Prepared, state: State) -> pd.Series:
    """Each agency's share of the desks used at each site, indexed (s, g); a site no
    desk is used at has no rows."""
    pairs, functions = prep.pairs, prep.functions
    pf, ps = pairs["f"].to_numpy(), pairs["s"].to_numpy()
    agency_of_f = functions["agency_id"].to_numpy(object)
    used = desks_by_pair(prep, state, "desks")
    frame = pd.DataFrame({"s": ps, "g": agency_of_f[pf], "used": used})
    by_site_agency = frame[frame["used"] > TOL].groupby(["s", "g"])["used"].sum()
    totals = by_site_agency.groupby(level="s").sum()
    return by_site_agency / totals.reindex(by_site_agency.index.get_level_values("s")).to_numpy()


def annual_by_agency(prep: Prepared, state: State) -> tuple[pd.Series, float]:
    """Annual cost per agency: running cost split by desks used, plus its functions' costs."""
    pairs, sites, functions = prep.pairs, prep.sites, prep.functions
    pf = pairs["f"].to_numpy()
    agency_of_f = functions["agency_id"].to_numpy(object)
    running = sites["running_cost"].to_numpy(float)
    share = desk_shares(prep, state)
    totals = share.groupby(level="s").sum()
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


def _one_off_by_agency(prep: Prepared, model: EstateModel, state: State) -> pd.Series:
    sc, sites, functions, pairs = prep.scenario, prep.sites, prep.functions, prep.pairs
    owner = sites["agency_id"].to_numpy(object)
    closed = prep.existing & ~state.open
    built = ~prep.existing & state.open
    site_cost = (np.where(closed, sites["closure_cost"] - sites["disposal_value"]
                          + surrender_bought(prep), 0.0)
                 + np.where(built, sites["build_cost"], 0.0))
    parts = [pd.Series(site_cost, index=owner)]
    pf = pairs["f"].to_numpy()
    moved = (prep.home[pf] >= 0) & ~pairs["home"].to_numpy(bool)
    reloc = np.where(moved, sc.cost_per_fte * functions["fte"].to_numpy(float)[pf], 0.0)
    parts.append(pd.Series(reloc * state.share, index=functions["agency_id"].to_numpy(object)[pf]))
    parts.append(_setup_by_agency(prep, model, state, np.ones(len(model.centres))))
    return pd.concat(parts).groupby(level=0).sum()


def _setup_by_agency(prep: Prepared, model: EstateModel, state: State, weight: np.ndarray
                     ) -> pd.Series:
    """By agency: each open centre's set-up cost times its `weight`, shared by the desks
    each agency pools there (its site's owner's when none are)."""
    sc, functions = prep.scenario, prep.functions
    owner = prep.sites["agency_id"].to_numpy(object)
    parts = [pd.Series(dtype=float)]
    if len(model.centres):
        pool = model.pool
        need = functions["desks"].to_numpy(float)[pool["f"].to_numpy()]
        desks = need * state.pooled[pool["pair"].to_numpy()]
        by = pd.DataFrame({"c": pool["centre"], "g": pool["g"], "d": desks}
                          ).groupby(["c", "g"])["d"].sum()
        for c in np.flatnonzero(state.shared):
            setup = sc.setup_cost.get(model.centres.at[c, "k"], 0.0) * weight[c]
            these = by.xs(c, level="c") if c in by.index.get_level_values("c") else pd.Series()
            if these.sum() > TOL:
                parts.append(setup * these / these.sum())
            else:
                parts.append(pd.Series([setup], index=[owner[model.centres.at[c, "s"]]]))
    return pd.concat(parts).groupby(level=0).sum()


OUT_OF_REACH = "{zone}: no site offering {service} within {radius:g} km"
"""How a breach names a zone that a coverage rule of mode "all" finds out of reach today,
{zone} being "zone <zone_id> <name>" (read back by `estate.store.agree`)."""
SHARE_REACHED = "{share:.1%} of people reach {service} within {radius:g} km, "
"""How a breach of a population_share rule begins: the share of people reached today
(then the share required; read back by `estate.store.agree`)."""


def _breaches(prep: Prepared, before: State) -> list[Breach]:
    """Every rule the status quo breaks, named as a planner would."""
    sc, sites, functions = prep.scenario, prep.sites, prep.functions
    out = []
    for fid in functions.loc[prep.home < 0, "function_id"]:
        out.append(Breach("housed", f"{fid} has no site today"))
    for column in ("desks", "racks"):
        used = np.bincount(prep.pairs["s"], desks_by_pair(prep, before, column), len(sites))
        cap = sites[column].to_numpy(float)
        for s in np.flatnonzero(used > cap + TOL):
            out.append(Breach(column, f"{sites.at[s, 'site_id']} {sites.at[s, 'name']}:"
                        f" {used[s]:,.0f} {column} needed, {cap[s]:,.0f} available"))
    for cov in prep.coverage:
        reached = np.zeros(len(prep.zones), bool)
        reached[cov.zone[prep.existing[cov.site]]] = True
        rule = cov.rule
        if rule.mode == "all":
            for z in np.flatnonzero(~reached):
                zone = f"zone {prep.zones.at[z, 'zone_id']} {prep.zones.at[z, 'name']}"
                out.append(Breach(rule.name, OUT_OF_REACH.format(
                    zone=zone, service=rule.service, radius=rule.radius_km)))
        elif rule.mode == "population_share":
            pop = prep.zones["population"].to_numpy(float)
            if pop.sum() > 0 and pop[reached].sum() < rule.population_share * pop.sum() - TOL:
                out.append(Breach(rule.name, SHARE_REACHED.format(
                    share=pop[reached].sum() / pop.sum(), service=rule.service,
                    radius=rule.radius_km) + f"{rule.population_share:.1%} required"))
    ids = sites["site_id"].to_numpy(object)
    for s in np.flatnonzero(prep.forced_closed & prep.existing):
        out.append(Breach("policy.close", f"{ids[s]} is open today"))
    for s in np.flatnonzero(prep.forced_open & ~prep.existing):
        out.append(Breach("policy.keep", f"{ids[s]} is not built today"))
    if sc.max_one_off < 0:  # a cap below zero asks the plan to raise money, net
        out.append(Breach("policy.max_one_off",
                          f"max_one_off = {sc.max_one_off:g} asks for net receipts of at "
                          f"least {money(-sc.max_one_off)}; the status quo receives "
                          "nothing"))
    return out


def _coverage_table(prep: Prepared, after: State) -> pd.DataFrame:
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


def agency_figures(agency_rows: pd.DataFrame) -> dict[str, AgencyFigures]:
    """The summary's per-agency figures from the agencies table."""
    return {row.agency_id: AgencyFigures(str(row.name), float(row.annual_cost_before),
                                         float(row.annual_cost_after), float(row.one_off_cost),
                                         bool(row.worse_off))
            for row in agency_rows.itertuples(index=False)}


def _site_table(prep: Prepared, model: EstateModel, after: State) -> pd.DataFrame:
    """sites.csv: every site with its decision, its shared centres and the desks used."""
    sites, ps = prep.sites, prep.pairs["s"].to_numpy()
    decision = np.where(prep.existing, np.where(after.open, "keep", "close"),
                        np.where(after.open, "open", "not_built"))
    centres = model.centres.assign(on=after.shared)
    shared_types = centres[centres["on"]].groupby("s")["k"].agg(_join)
    return pd.DataFrame({
        "site_id": sites["site_id"], "agency_id": sites["agency_id"], "name": sites["name"],
        "lat": sites["lat"], "lon": sites["lon"], "kind": sites["kind"],
        "running_cost": sites["running_cost"],
        "services": sites["services"].map(lambda v: ";".join(v)), "decision": decision,
        "shared_types": shared_types.reindex(np.arange(len(sites))).fillna("").to_numpy(),
        "desks_used": np.bincount(ps, desks_by_pair(prep, after, "desks"), len(sites)).round(3),
        "desks": sites["desks"],
        "racks_used": np.bincount(ps, desks_by_pair(prep, after, "racks"), len(sites)).round(3),
        "racks": sites["racks"],
    })


def _moved_fte(prep: Prepared) -> np.ndarray:
    """Per eligible pair: the team's FTE when the pair takes it away from home, else 0."""
    pf = prep.pairs["f"].to_numpy()
    moved = (prep.home[pf] >= 0) & ~prep.pairs["home"].to_numpy(bool)
    return np.where(moved, prep.functions["fte"].to_numpy(float)[pf], 0.0)


def _assignment_table(prep: Prepared, after: State) -> pd.DataFrame:
    """assignments.csv: where each team sits (each share of it), pooled or not."""
    sites, functions, pairs = prep.sites, prep.functions, prep.pairs
    pf, ps = pairs["f"].to_numpy(), pairs["s"].to_numpy()
    on = after.share > TOL
    home_ids = np.where(prep.home >= 0, sites["site_id"].to_numpy(object)[np.maximum(prep.home, 0)]
                        if len(sites) else "", "")
    return pd.DataFrame({
        "function_id": functions["function_id"].to_numpy(object)[pf[on]],
        "agency_id": functions["agency_id"].to_numpy(object)[pf[on]],
        "type": functions["type"].to_numpy(object)[pf[on]],
        "from_site": home_ids[pf[on]],
        "to_site": sites["site_id"].to_numpy(object)[ps[on]],
        "share": after.share[on].round(6),
        "pooled": after.pooled[on].round(6),
        "fte_moved": (_moved_fte(prep) * after.share)[on].round(3),
    })


def _timing_by_site(prep: Prepared, model: EstateModel, after: State) -> np.ndarray:
    """Per site: the NPV timing adds to its closing (running cost until its teams may
    leave, rent owed, receipts waited for), or takes from a candidate built (its running
    cost before it opens, `opening_wait`)."""
    if not len(model.timing_coef):
        return np.zeros(len(prep.sites))
    coef = model.timing_coef[model.blocks["open"]]
    return np.where(prep.existing, np.where(after.open, 0.0, -coef),
                    np.where(after.open, coef, 0.0))


def _waited_by_agency(prep: Prepared, model: EstateModel, after: State) -> pd.Series:
    """By agency: the NPV of what the years before a change may happen take from its
    year-1 figures (`savings_waited`): a team's pair cost and pooling saving waited
    for and its move paid later are its agency's, a centre's set-up paid later is
    shared as its set-up is (`_one_off_by_agency`)."""
    waits = savings_waited(prep, model.pool, model.centres)
    per_pair = waits.move * after.share + waits.pooled * after.pooled
    teams = prep.functions["agency_id"].to_numpy(object)[prep.pairs["f"].to_numpy()]
    return pd.concat([pd.Series(per_pair, index=teams),
                      _setup_by_agency(prep, model, after, waits.setup_factor)]
                     ).groupby(level=0).sum()


def _timing_by_agency(prep: Prepared, model: EstateModel, before: State, after: State
                      ) -> pd.Series:
    """What timing adds, by agency. A closed site's running cost in the years before its
    teams may leave (`closing_wait`) is shared as its running cost is today, by desks
    used, as `cashflow.csv` shares it, and a built candidate's before it opens
    (`opening_wait`) as its running cost is after; the rest (rent owed after closing,
    sales waited for) is its owner's; savings a team waits for are its agency's."""
    owner = prep.sites["agency_id"].to_numpy(object)
    by_site = _timing_by_site(prep, model, after)
    # a closed site's wait to close is shared by its users today, a built candidate's
    # wait to open by its users after, as each one's running cost is (`annual_by_agency`);
    # the rest (rent owed, sales waited for, a wait no team uses) is the owner's
    closed_wait = np.where(prep.existing & ~after.open, closing_wait(prep), 0.0)
    open_wait = np.where(prep.existing, 0.0, by_site)
    parts, rest = [_waited_by_agency(prep, model, after)], by_site.copy()
    for wait, users in ((closed_wait, desk_shares(prep, before)),
                        (open_wait, desk_shares(prep, after))):
        s_idx = users.index.get_level_values("s").to_numpy()
        rest -= np.where(np.isin(np.arange(len(owner)), s_idx), wait, 0.0)
        parts.append(pd.Series(wait[s_idx] * users.to_numpy(),
                               index=users.index.get_level_values("g")))
    parts.append(pd.Series(rest, index=owner))
    return pd.concat(parts).groupby(level=0).sum()


def _agency_table(prep: Prepared, model: EstateModel, before: State, after: State,
                  early: BookedEarly) -> pd.DataFrame:
    """agencies.csv: who pays, before and after, and who ends up worse off; with a start
    date, each agency's NPV saving is net of its lease and timing costs and of what the
    plan books before any programme can make it (`early`)."""
    agency_before, _ = annual_by_agency(prep, before)
    agency_after, _ = annual_by_agency(prep, after)
    rows = prep.agencies[["agency_id", "name", "kind"]].copy()
    ids = rows["agency_id"]
    before_ = agency_before.reindex(ids).fillna(0.0).to_numpy()
    after_ = agency_after.reindex(ids).fillna(0.0).to_numpy()
    one_off = _one_off_by_agency(prep, model, after).reindex(ids).fillna(0.0).to_numpy()
    rows["annual_cost_before"] = before_.round(2)
    rows["annual_cost_after"] = after_.round(2)
    rows["one_off_cost"] = one_off.round(2)
    rows["annual_saving"] = (rows["annual_cost_before"] - rows["annual_cost_after"]).round(2)
    # From the unrounded figures, so that each is within half a penny of its own value.
    npv_saving = prep.scenario.annuity * (before_ - after_) - one_off
    if prep.calendar is not None:
        lease = _timing_by_agency(prep, model, before, after)
        lease_ = lease.reindex(ids).fillna(0.0).to_numpy()
        rows["lease_cost_npv"] = lease_.round(2)
        npv_saving = npv_saving - lease_
        if prep.scenario.programme is None:
            booked = early.by_agency.reindex(ids).fillna(0.0).to_numpy()
            rows["booked_early_npv"] = booked.round(2)
            npv_saving = npv_saving - booked
    rows["npv_saving"] = np.round(npv_saving, 2)
    rows["worse_off"] = after_ > before_ + 0.005
    return rows


def _receipts_after_horizon(prep: Prepared, after: State) -> float | None:
    """With a start date, the sales of the sites the plan closes that arrive after the
    horizon even when the site closes as soon as its teams allow: one_off_receipts
    counts them (DESIGN section 3's one-off), the NPV does not."""
    if prep.calendar is None:
        return None
    sites = prep.sites
    arrives = prep.closing_years + sites["disposal_lag_years"].to_numpy(float)
    lost = prep.existing & ~after.open & (arrives > prep.calendar.horizon)
    return round(float(sites["disposal_value"].to_numpy(float)[lost].sum()), 2)


def _payback(one_off: float, annual_saving: float) -> float | None:
    """Years of saving that pay the one-off cost back (0 when receipts cover it)."""
    if annual_saving <= TOL:
        return None
    return 0.0 if one_off <= 0 else round(one_off / annual_saving, 3)


def make_plan(prep: Prepared, model: EstateModel, solution: Solution) -> Plan:
    """Every figure and table of a solution that holds a plan, recomputed from the
    decisions (not read from the solver's objective) so the two can be checked."""
    sc = prep.scenario
    assert solution.values is not None
    before = status_quo_state(prep, model)
    after = solved_state(prep, model, solution.values)
    one_off = float(model.one_off_coef @ solution.values + model.one_off_constant)
    lease = float(_timing_by_site(prep, model, after).sum()
                  + _waited_by_agency(prep, model, after).sum())
    annual_before = annual_by_agency(prep, before)[1]
    annual_after = annual_by_agency(prep, after)[1]
    early = booked_early(prep, model, after, desk_shares(prep, before))
    agencies = _agency_table(prep, model, before, after, early)
    breaches = _breaches(prep, before)
    status_quo_npv = sc.annuity * annual_before
    objective = sc.annuity * annual_after + one_off + lease
    summary = Summary(
        scenario=sc.name, status=solution.status,
        objective_npv=round(objective, 2), status_quo_npv=round(status_quo_npv, 2),
        status_quo_feasible=not breaches, status_quo_breaches=tuple(breaches),
        npv_saving=round(status_quo_npv - objective - early.total, 2),
        annual_cost_before=round(annual_before, 2), annual_cost_after=round(annual_after, 2),
        annual_saving=round(annual_before - annual_after, 2), one_off_cost=round(one_off, 2),
        payback_years=_payback(one_off, annual_before - annual_after),
        sites_before=int(prep.existing.sum()), sites_after=int(after.open.sum()),
        sites_closed=int((prep.existing & ~after.open).sum()),
        sites_opened=int((~prep.existing & after.open).sum()),
        shared_centres=int(after.shared.sum()),
        fte_relocated=round(float((_moved_fte(prep) * after.share).sum()), 3),
        mip_gap=None if not math.isfinite(solution.mip_gap) else solution.mip_gap,
        solve_seconds=round(solution.seconds, 3), solver=solution.solver,
        agencies=agency_figures(agencies), horizon_years=sc.horizon_years,
        discount_rate=sc.discount_rate, crs=prep.crs, model_size=model.size,
        one_off_receipts=round(float(prep.sites["disposal_value"].to_numpy(float)[
            prep.existing & ~after.open].sum()), 2),
        lease_cost_npv=None if prep.calendar is None else round(lease, 2),
        receipts_after_horizon=_receipts_after_horizon(prep, after),
        booked_early_npv=(round(early.total, 2) if prep.calendar is not None
                          and sc.programme is None else None),
    )
    zones = prep.zones[["zone_id", "name", "lat", "lon", "population"]].copy()
    return Plan(summary=summary, sites=_site_table(prep, model, after),
                assignments=_assignment_table(prep, after), coverage=_coverage_table(prep, after),
                agencies=agencies, zones=zones, prepared=prep, solution=solution,
                warnings=list(prep.warnings) + early.warnings
                + leases_renewed(prep, after.open))
