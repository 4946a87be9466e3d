"""Prepare the geometry: metric positions (`estate.prepare.distances`), eligible
(function, site) pairs, coverage sets.

Everything spatial is decided here, once, with a spatial index (shapely's STRtree),
so that the cost grows with the number of pairs that can actually happen, not with
sites x zones. The model never sees a coordinate: it gets integer-indexed arrays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd

from estate.errors import Problem, ProblemKind
from estate.load.scenario import CoverageRule, Scenario
from estate.load.validate import Register
from estate.prepare.distances import metric_crs, project, within
from estate.timing import Calendar, ExitTerms, earliest_closing, earliest_years, exit_terms


@dataclass(frozen=True)
class CoverageSet:
    """N(z) for one rule, as parallel arrays of (zone index, site index) within the radius.

    `scope` flags the zones the rule constrains (`all`: every zone; `maintain`: zones
    reached by an existing site today; `population_share`: every zone, weighted).
    """

    rule: CoverageRule
    zone: np.ndarray
    site: np.ndarray
    scope: np.ndarray


@dataclass
class Prepared:
    """The register reduced to what the model needs, with integer indices throughout.

    `sites`, `functions` and `zones` keep the register's columns (participating
    agencies only) plus `x`, `y` in `crs` metres. `pairs` has one row per eligible
    (function, site): columns `f`, `s` (row positions), `km`, `pair_cost`, `home`.
    """

    scenario: Scenario
    crs: str
    agencies: pd.DataFrame
    sites: pd.DataFrame
    functions: pd.DataFrame
    zones: pd.DataFrame
    pairs: pd.DataFrame
    coverage: list[CoverageSet]
    home: np.ndarray  # site index of each function's home, -1 when unhoused
    existing: np.ndarray
    forced_open: np.ndarray
    forced_closed: np.ndarray
    warnings: list[Problem] = field(default_factory=list)
    # those of `warnings` found here, measuring distances and dates (a pair cost that can
    # never apply, a lease ended before the start): a national register's areas are
    # each prepared, and these are what an area adds to the checks of the whole
    measured: list[Problem] = field(default_factory=list)
    zone_shapes: gpd.GeoSeries | None = None
    calendar: Calendar | None = None  # the programme's years, when the scenario has a start
    exits: ExitTerms | None = None  # what closing each site costs in each year (with start)
    sites_file: str = "sites"  # the sites table as its problems name it (sites.csv, reg.xlsx[sites])
    area: str = ""  # the area of a national register this is, planned on its own
    pairs_unfit: int = 0  # pairs left out as too small for their team even pooled

    @property
    def whole(self) -> str:
        """What the register planned here is, in a reason's words: "the register", or
        "the area" (a reason of one is said beside its area's name)."""
        return "the area" if self.area else "the register"

    @property
    def efficiency(self) -> np.ndarray:
        return team_efficiency(self.functions, self.scenario)

    @cached_property
    def earliest_years(self) -> np.ndarray:
        """Per team: the first year it may move (`estate.timing.earliest_years`); 1 for
        every team without a start date. Worked out once: the build, the results and
        the programme all read it."""
        if self.calendar is None:
            return np.ones(len(self.functions), dtype=int)
        return earliest_years(self.functions, self.calendar)

    @cached_property
    def closing_years(self) -> np.ndarray:
        """Per site: the first year any programme can close it, 1..H+1 (after the last
        year of the horizon: never within it); 1 for every site without a start date."""
        return earliest_closing(self.home, self.earliest_years, len(self.sites))


def team_efficiency(functions: pd.DataFrame, scenario: Scenario) -> np.ndarray:
    """eff_k(f) per function: 0 unless it is shareable and of a sharing type."""
    eff = functions["type"].map(scenario.efficiency).fillna(0.0).to_numpy(float)
    return np.where(functions["shareable"].to_numpy(bool), eff, 0.0)


def _host_matrix(sites: pd.DataFrame, types: list[str]) -> np.ndarray:
    """host_ok[s, k]: site s may host type k (empty `hosts` means every type)."""
    code = {t: k for k, t in enumerate(types)}
    ok = np.zeros((len(sites), len(types)), dtype=bool)
    hosts = sites["hosts"].to_numpy(object)
    empty = np.fromiter((len(h) == 0 for h in hosts), bool, len(hosts))
    ok[empty] = True
    exploded = sites["hosts"].explode().dropna()
    rows = exploded.index.to_numpy()
    ks = exploded.map(code).to_numpy(float)
    known = ~np.isnan(ks)
    ok[rows[known], ks[known].astype(int)] = True
    return ok


def eligible_pairs(sites: pd.DataFrame, functions: pd.DataFrame, home: np.ndarray,
                   max_km: float) -> pd.DataFrame:
    """Eligible (f, s): hosts the type, secure when needed, within max_km of home; home always."""
    site_xy = sites[["x", "y"]].to_numpy(float)
    housed = np.flatnonzero(home >= 0)
    i, s_h, km_h = within(site_xy[home[housed]], site_xy, max_km * 1000.0)
    f_h = housed[i]
    unhoused = np.flatnonzero(home < 0)
    f_u, s_u = np.divmod(np.arange(len(unhoused) * len(sites)), max(len(sites), 1))
    f_u = unhoused[f_u] if len(unhoused) else f_u
    f = np.concatenate([f_h, f_u]).astype(np.int64)
    s = np.concatenate([s_h, s_u]).astype(np.int64)

    types = sorted(functions["type"].unique())
    type_code = functions["type"].map({t: k for k, t in enumerate(types)}).to_numpy(int)
    ok = _host_matrix(sites, types)[s, type_code[f]] if len(f) else np.zeros(0, bool)
    needs_secure = functions["needs_secure"].to_numpy(bool)
    ok &= ~needs_secure[f] | sites["secure"].to_numpy(bool)[s]
    f, s = f[ok], s[ok]

    # Home is always eligible, whatever its hosts, security or distance.
    f = np.concatenate([f, housed])
    s = np.concatenate([s, home[housed]])
    pairs = pd.DataFrame({"f": f, "s": s}).drop_duplicates().sort_values(["f", "s"])
    pairs = pairs.reset_index(drop=True)
    fh = home[pairs["f"].to_numpy()]
    pairs["home"] = fh == pairs["s"].to_numpy()
    sx, sy = site_xy[pairs["s"], 0], site_xy[pairs["s"], 1]
    hx = np.where(fh >= 0, site_xy[np.maximum(fh, 0), 0] if len(site_xy) else 0.0, np.nan)
    hy = np.where(fh >= 0, site_xy[np.maximum(fh, 0), 1] if len(site_xy) else 0.0, np.nan)
    pairs["km"] = np.hypot(sx - hx, sy - hy) / 1000.0
    return pairs


def coverage_sets(rules: tuple[CoverageRule, ...], sites: pd.DataFrame, zones: pd.DataFrame,
                  existing: np.ndarray) -> list[CoverageSet]:
    """N(z) per rule: sites (candidates included) offering the service within the radius."""
    zone_xy = zones[["x", "y"]].to_numpy(float)
    site_xy = sites[["x", "y"]].to_numpy(float)
    services = sites["services"].to_numpy(object)
    out = []
    for rule in rules:
        offering = np.flatnonzero([rule.service in sv for sv in services])
        z, j, _ = within(zone_xy, site_xy[offering], rule.radius_km * 1000.0)
        s = offering[j]
        if rule.mode == "maintain":
            scope = np.zeros(len(zones), dtype=bool)
            scope[z[existing[s]]] = True
        else:
            scope = np.ones(len(zones), dtype=bool)
        out.append(CoverageSet(rule=rule, zone=z, site=s, scope=scope))
    return out


def _rules_reaching_no_zone(coverage: list[CoverageSet], register: Register,
                            zones: pd.DataFrame, label: str) -> list[Problem]:
    """A warning for each `maintain` rule that no zone is in scope of: the rule keeps
    covered the zones some site offering the service reaches today, so with none it
    protects nothing, and the plan would be drawn as if it held. A register without
    zones, or with no site at all offering the service, is `estate.load.consistency`'s
    warning instead."""
    offered = {s for services in register.sites["services"] for s in services}
    return [Problem(label, None, cov.rule.name, "zones for the rule to protect",
                    f"no zone is within {cov.rule.radius_km:g} km of a site offering "
                    f"{cov.rule.service} today, so the rule protects nothing (check the "
                    "radius, the sites' services and the zones' positions)",
                    label="key", severity="warning")
            for cov in coverage if cov.rule.mode == "maintain" and not zones.empty
            and cov.rule.service in offered and not cov.scope.any()]


def _attach_pair_costs(pairs: pd.DataFrame, functions: pd.DataFrame, sites: pd.DataFrame,
                       pair_costs: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Add `pair_cost` to eligible pairs; rows for pairs that can never happen are warned."""
    pairs = pairs.copy()
    pairs["pair_cost"] = 0.0
    if pair_costs is None or len(pair_costs) == 0:
        return pairs, []
    f_pos = pd.Series(np.arange(len(functions)), index=functions["function_id"])
    s_pos = pd.Series(np.arange(len(sites)), index=sites["site_id"])
    pc = pair_costs[pair_costs["function_id"].isin(f_pos.index)
                    & pair_costs["site_id"].isin(s_pos.index)]
    keyed = pd.DataFrame({
        "f": f_pos[pc["function_id"]].to_numpy(), "s": s_pos[pc["site_id"]].to_numpy(),
        "cost": pc["annual_cost"].to_numpy(float), "row": pc["row"].to_numpy(),
    })
    merged = pairs.merge(keyed, on=["f", "s"], how="left")
    pairs["pair_cost"] = merged["cost"].fillna(0.0).to_numpy()
    matched = keyed.merge(pairs[["f", "s"]], on=["f", "s"], how="left", indicator=True)
    warnings = [
        Problem(file, int(r), "site_id", "a pair that can be eligible (site hosts the type, is "
                "secure when needed, within relocation.max_km of home)",
                "a pair that never is; its cost is ignored", severity="warning")
        for r in matched.loc[matched["_merge"] == "left_only", "row"]
    ]
    return pairs, warnings


def _drop_pairs_that_cannot_fit(pairs: pd.DataFrame, functions: pd.DataFrame,
                                 sites: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Without split, a whole team must fit: a site too small for it even when fully
    pooled can never hold it, so the pair gets no variable (on the county benchmark
    three pairs in four). A home pair stays, so that the status quo can still be written
    in the model's columns, though outside their bounds: the build fixes the column at 0
    (`estate.model.pooling.assign_upper`), and the home's capacity row says it is
    over-full."""
    pf, ps = pairs["f"].to_numpy(), pairs["s"].to_numpy()
    eff = team_efficiency(functions, scenario)
    fits = np.ones(len(pairs), dtype=bool)
    for column in ("desks", "racks"):
        least = functions[column].to_numpy(float)[pf] * (1 - eff[pf])
        fits &= least <= sites[column].to_numpy(float)[ps] + 1e-9
    keep = fits | pairs["home"].to_numpy(bool)
    return pairs[keep].reset_index(drop=True)


def allowed_by_dates(pairs: pd.DataFrame, functions: pd.DataFrame, sites: pd.DataFrame,
                     home: np.ndarray, calendar: Calendar) -> np.ndarray:
    """Per pair (of `functions`' rows): False where the dates rule it out in every
    programme. A team housed today whose `earliest_move` falls after the horizon's last
    year starts cannot move within it: its only pair is its home, so the plan neither
    books a move nor closes the site it must stay in. A team with no site today is
    placed in its first year (year 1, or its earliest_move's; `estate.programme.rules`),
    so no programme places it at a candidate that takes longer to build, and the plan
    houses it where it can sit from that year; a team whose first year is after the
    horizon keeps its pairs: no programme places it at all, and the programme says so."""
    first = earliest_years(functions, calendar)
    pf, ps = pairs["f"].to_numpy(), pairs["s"].to_numpy()
    stays = (first > calendar.horizon) & (home >= 0)
    late_build = ((home[pf] < 0) & (first[pf] <= calendar.horizon)
                  & sites["candidate"].to_numpy(bool)[ps]
                  & (sites["build_years"].to_numpy(float)[ps] > first[pf]))
    return (pairs["home"].to_numpy(bool) | ~stays[pf]) & ~late_build


def _staying_put(functions: pd.DataFrame, sites: pd.DataFrame, home: np.ndarray,
                 calendar: Calendar, file: str) -> list[Problem]:
    """A warning at the row of each team that may not move within the horizon
    (`allowed_by_dates`), as it is why its site stays open; and of each team with no
    site today that no programme can house within it: the plan houses it, counting its
    cost from year 1, and a dated programme of the plan is refused for it."""
    late = earliest_years(functions, calendar) > calendar.horizon
    last = calendar.date_of(calendar.horizon)  # a move takes a whole year, from its start
    out = []
    for f in np.flatnonzero(late):
        housed = home[f] >= 0
        then = (f"stays at {sites.at[int(home[f]), 'site_id']} in every plan" if housed else
                "has no site today and no programme can house it within the horizon: the "
                "plan houses it, its cost counted from year 1, and a dated programme "
                "(--programme) refuses the plan for it")
        out.append(Problem(
            file, int(functions.at[f, "row"]), "earliest_move",
            f"a date by {last.isoformat()}, the start of the horizon's last year, for the "
            f"team to {'move' if housed else 'be housed'} within it",
            f"{functions.at[f, 'earliest_move']}: {functions.at[f, 'function_id']} {then}",
            severity="warning"))
    return out


def _builds_past_the_horizon(sites: pd.DataFrame, forced_open: np.ndarray, calendar: Calendar,
                             file: str) -> tuple[np.ndarray, list[Problem]]:
    """A candidate decided in year 1 opens in year build_years at the soonest, so one
    that takes longer to build than the horizon opens in no programme: the snapshot
    leaves it unbuilt rather than count savings no programme can realise (DESIGN 9),
    and a warning names it. One the policy keeps stays in every plan, its warning saying
    no programme opens it (a scheduled scenario is refused:
    `estate.model.costs.kept_too_late`)."""
    slow = sites["candidate"].to_numpy(bool) & (sites["build_years"].to_numpy(float)
                                                 > calendar.horizon)
    late = slow & ~forced_open
    warnings = [
        Problem(file, int(sites.at[s, "row"]), "build_years",
                f"a build that opens within horizon_years ({calendar.horizon})",
                f"{int(sites.at[s, 'build_years'])} years: {sites.at[s, 'site_id']} is "
                + ("left unbuilt in every plan" if late[s] else
                   "kept by the policy, so every plan builds it, but no programme opens it "
                   "within the horizon: a plan's savings from it cannot be realised, and "
                   "a dated programme (--programme, [programme]) has no schedule"),
                severity="warning")
        for s in np.flatnonzero(slow)]
    return late, warnings


def _leases_ended_before_start(sites: pd.DataFrame, calendar: Calendar,
                               forced_open: np.ndarray, file: str) -> list[Problem]:
    """A lease whose end falls before `start` is over when the programme begins, so
    closing its site owes no rent (`estate.timing`). That is right for a tenant holding
    over, but more often the register was not updated after a renewal, and the plan
    would then close the site for a saving it cannot have: a warning at the site's row
    names the date, so the analyst can enter the renewed lease's end. Only a leased
    site the plan may close is named (a freehold's stray lease terms have their own
    warning; a site kept open owes its rent either way)."""
    begins = calendar.start.isoformat()
    ended = ((sites["lease_end"] != "") & (sites["lease_end"] < begins)
             & (sites["tenure"] == "leasehold") & ~sites["candidate"].to_numpy(bool)
             & ~forced_open)
    return [
        Problem(file, int(sites.at[s, "row"]), "lease_end",
                f"a date on or after start ({begins}), or none for a lease that has no "
                "end date",
                f"{sites.at[s, 'lease_end']}: the lease of {sites.at[s, 'site_id']} has "
                "ended by then, so closing it is taken to owe no rent; if it was renewed, "
                "enter the new end date", severity="warning", kind=ProblemKind.LEASE_ENDED)
        for s in np.flatnonzero(ended.to_numpy(bool))]


def _id_key(value: str) -> tuple[tuple[str | tuple[int, str], ...], str]:
    """An id's place in `in_id_order`: its runs of digits as numbers (S2 before S10),
    compared by their length without leading zeros, then digit by digit (an id's digits
    may be more than Python turns into a number), then the id itself (007 and 7 are
    told apart)."""
    parts = re.split(r"(\d+)", value)
    return tuple((len(p.lstrip("0")), p.lstrip("0")) if i % 2 else p
                 for i, p in enumerate(parts)), value


def in_id_order(table: pd.DataFrame, key: str) -> pd.DataFrame:
    """`table` sorted by its ids (unique once checked), whatever order its file holds."""
    keys = [_id_key(str(value)) for value in table[key]]
    order = sorted(range(len(table)), key=keys.__getitem__)
    return table.iloc[order].reset_index(drop=True)


def prepare(register: Register, scenario: Scenario) -> Prepared:
    """Reduce a validated register to the participating agencies and compute all geometry."""
    agencies = register.agencies
    sites, functions = register.sites, register.functions
    if scenario.agencies:
        chosen = set(scenario.agencies)
        agencies = agencies[agencies["agency_id"].isin(chosen)]
        sites = sites[sites["agency_id"].isin(chosen)]
        functions = functions[functions["agency_id"].isin(chosen)]
    # sites, teams and zones in the order of their ids, not of the file: the same records
    # in another order (a sheet sorted by name, a layer QGIS rewrote) make the same model,
    # so the solver settles ties between plans of equal cost alike, and each agency's
    # figures with them. The agencies keep the register's order, which every table and
    # page lists them in (the county first, as its register has it)
    agencies = agencies.reset_index(drop=True)
    sites, functions = in_id_order(sites, "site_id"), in_id_order(functions, "function_id")
    crs = metric_crs(sites, register.zones, scenario.crs)
    sites = project(sites, crs, register.site_points, "site_id")
    zones = project(in_id_order(register.zones, "zone_id"), crs, register.zone_points,
                    "zone_id")

    s_pos = pd.Series(np.arange(len(sites)), index=sites["site_id"].to_numpy())
    home = functions["site_id"].map(s_pos).fillna(-1).to_numpy(np.int64)
    candidate = sites["candidate"].to_numpy(bool)
    existing = ~candidate
    closable = sites["kind"].isin(scenario.closable_kinds).to_numpy()
    forced_open = (sites["must_keep"].to_numpy(bool) | sites["site_id"].isin(scenario.keep)
                   .to_numpy() | (existing & ~closable))
    forced_closed = sites["site_id"].isin(scenario.close).to_numpy()

    pairs = eligible_pairs(sites, functions, home, scenario.max_km)
    pairs, warnings = _attach_pair_costs(pairs, functions, sites, register.pair_costs,
                                         register.files.get("pair_costs", "pair_costs"))
    eligible = len(pairs)
    if not scenario.split:
        pairs = _drop_pairs_that_cannot_fit(pairs, functions, sites, scenario)
    unfit = eligible - len(pairs)
    calendar = None if scenario.start is None else Calendar(
        scenario.start, scenario.horizon_years, scenario.discount_rate)
    if calendar is not None:
        pairs = pairs[allowed_by_dates(pairs, functions, sites, home, calendar)
                      ].reset_index(drop=True)
        staying = _staying_put(functions, sites, home, calendar,
                               register.files.get("functions", "functions"))
        unbuilt, late_builds = _builds_past_the_horizon(
            sites, forced_open, calendar, register.files.get("sites", "sites"))
        forced_closed = forced_closed | unbuilt
        ended = _leases_ended_before_start(sites, calendar, forced_open,
                                           register.files.get("sites", "sites"))
        warnings += staying + late_builds + ended
    coverage = coverage_sets(scenario.coverage, sites, zones, existing)
    label = str(scenario.path) if scenario.path else scenario.name
    # not among `measured`: in one area of a national register a rule may well reach
    # no zone, and the whole register is what the rule is about
    unreached = _rules_reaching_no_zone(coverage, register, zones, label)
    return Prepared(
        calendar=calendar, exits=None if calendar is None else exit_terms(sites, calendar),
        scenario=scenario, crs=crs, agencies=agencies, sites=sites, functions=functions,
        zones=zones, pairs=pairs,
        coverage=coverage, home=home, existing=existing,
        forced_open=forced_open & ~forced_closed, forced_closed=forced_closed,
        warnings=list(register.warnings) + warnings + unreached,
        measured=list(warnings),
        zone_shapes=register.zone_shapes, sites_file=register.files.get("sites", "sites"),
        area=register.area, pairs_unfit=unfit,
    )
