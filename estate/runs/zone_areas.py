"""Which area each zone of a register planned area by area is planned in
(docs/formats.md): the area in its own `area` cell when it has one; otherwise the area
of its nearest site offering a service the coverage rules count (coverage is local by
nature, so this only matters for zones on a border). A zone whose nearest such site
within a rule's reach lies in another area is warned of (`served_across_areas`), as
each area is planned on its own and counts only its own sites.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from estate.errors import Problem
from estate.load.scenario import Scenario
from estate.load.validate import Register
from estate.prepare.distances import metric_crs, nearest_site, project


def zone_areas(register: Register, scenario: Scenario | None = None,
                placed: tuple[pd.DataFrame, pd.DataFrame] | None = None) -> np.ndarray:
    """Each zone's area: its own `area` cell when it has one, else the area of its
    nearest site offering a service the scenario's coverage rules count (the sites that
    can cover it), or of its nearest site when none offers one, measured in metres as
    the rules are (a degree of longitude is 0.6 of one of latitude in England). (A cell
    left empty does not set aside the areas written in the others.) `placed`: the
    register's sites and zones in metres (`_in_metres`), when made already."""
    zones, sites = register.zones, register.sites
    out = np.array([""] * len(zones), dtype=object)
    if "area" in zones.columns:
        out[:] = zones["area"].fillna("").to_numpy(object)
    unplaced = np.flatnonzero(out == "")
    if len(unplaced) == 0 or len(sites) == 0:
        return out
    sites, zones = placed or _in_metres(register, scenario)
    services = rule_services(scenario) if scenario is not None else frozenset()
    serving = np.array([bool(services & set(offered)) for offered in sites["services"]],
                       dtype=bool)
    _, at = nearest_site(zones.iloc[unplaced], sites,
                         serving if serving.any() else np.ones(len(sites), dtype=bool))
    out[unplaced] = sites["area"].to_numpy(object)[at]
    return out


def _in_metres(register: Register, scenario: Scenario | None
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The register's sites and zones with metric `x`, `y` in the scenario's CRS (or
    the UTM zone for them all), as the model measures them (`estate.prepare.project`)."""
    crs = metric_crs(register.sites, register.zones, scenario.crs if scenario else "")
    return (project(register.sites, crs, register.site_points, "site_id"),
            project(register.zones, crs, register.zone_points, "zone_id"))


def rule_services(scenario: Scenario) -> frozenset[str]:
    """The services the scenario's coverage rules count."""
    return frozenset(rule.service for rule in scenario.coverage)


def served_across_areas(scenario: Scenario, register: Register) -> list[Problem]:
    """Zones a rule of the scenario would count a site of another area for: the site
    nearest the zone offering the rule's service lies within the rule's radius, in
    another area than the zone's, nearer than any of its own area's. Each area is
    planned on its own, so the rule counts only the zone's own area's sites, may close
    its nearest one across the border and reports it farther than it is: a warning at
    the zone's row, one a zone (its first such rule), saying which area serves it."""
    zones = register.zones
    if not len(zones) or not scenario.coverage:
        return []
    sites, placed = _in_metres(register, scenario)
    zone_area = zone_areas(register, scenario, (sites, placed))
    site_area = sites["area"].to_numpy(object)
    file = register.files.get("zones", "zones")
    problems: list[Problem] = []
    told = np.zeros(len(zones), dtype=bool)
    for rule in scenario.coverage:
        offering = np.array([rule.service in offered for offered in sites["services"]],
                            dtype=bool)
        km, nearest = nearest_site(placed, sites, offering)
        across = ~told & (km <= rule.radius_km) & (site_area[nearest] != zone_area)
        for z in np.flatnonzero(across):
            area, there = zone_area[z], site_area[nearest[z]]
            own, _ = nearest_site(placed.iloc[[z]], sites, offering & (site_area == area))
            row = zones.iloc[z]
            told[z] = True
            problems.append(Problem(
                file, int(row["row"]), "area",
                f"the area whose sites serve the zone ({rule.name}: {rule.service} within "
                f"{rule.radius_km:g} km; each area is planned on its own, so a rule counts "
                "only the zone's own area's sites)",
                f"zone {row['zone_id']} {row['name']} planned with area {area!r} (its "
                + (f"nearest site there offering {rule.service} {own[0]:.1f} km away"
                   if math.isfinite(own[0]) else f"no site there offers {rule.service}")
                + f"), while {sites['site_id'].iloc[nearest[z]]} of area {there!r} is "
                f"{km[z]:.1f} km away: give the zone area {there!r} in its area cell if "
                "that area serves it", severity="warning"))
    return problems
