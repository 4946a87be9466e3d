"""Read a results folder and turn it into the compact payload the map's script draws.

The map is drawn from the results folder alone, so that `estate map`
can redraw any stored plan without the register or the solver. The folder is read and
checked whole by `estate.store.check_results`, the one reader of results folders: an
agency called "NA" or a site called "nan" stays a name, a formula-like name is shown as
itself, and a damaged folder is a located error before anything is drawn.

The payload is columnar (one list per field) because a 5,000-site, 30,000-zone plan
must stay under 25 MB; text in it is raw and the script only ever writes it with
`textContent`, except the few labels that Leaflet inserts as HTML (layer names), which
are made inert here with `estate.render.html.inert`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from estate.errors import ProblemKind
from estate.render.html import inert
from estate.render.places import town_names
from estate.results import Programme, Summary, money
from estate.results.booked_early import reader_words
from estate.store import StoredResults, check_results, read_warnings, read_zone_areas, site_areas

PLACE_LIMIT = 400
TOWN_METRES = 10_000.0
"""Zones this close whose names share their first words are one town's parts."""
"""Place names carried by the map at most: more never fit on a screen at once."""


@dataclass(frozen=True)
class PlanTables:
    """The tables of one results folder, as read (text kept, numbers typed)."""

    summary: Summary
    sites: pd.DataFrame
    assignments: pd.DataFrame
    coverage: pd.DataFrame
    agencies: pd.DataFrame
    zones: pd.DataFrame
    zone_areas: Any  # GeoSeries of polygons indexed by zone_id, or None
    programme: Programme | None = None  # the dated programme, when the folder has one
    # the plan's warnings on what its NPV saving leaves out, as no programme of it can
    # realise it (`ProblemKind.BOOKED_EARLY`), in a reader's words: the KPI panel says them
    # as the terminal and the board pack do
    cautions: tuple[str, ...] = ()


def plan_tables(stored: StoredResults) -> PlanTables:
    """The map's tables from a results folder already read and checked whole
    (`estate.store.check_results`): the same typed tables the board pack and the
    comparison read, decisions in lower case as the script expects them."""
    tables = stored.tables
    sites = tables["sites"].copy()
    sites["decision"] = sites["decision"].str.strip().str.lower()
    return PlanTables(stored.summary, sites, tables["assignments"], tables["coverage"],
                      tables["agencies"], tables["zones"],
                      _read_zone_areas(stored.folder), stored.programme,
                      tuple(reader_words(w.found) for w in read_warnings(stored.folder) or []
                            if w.kind is ProblemKind.BOOKED_EARLY))


def read_plan(results_dir: Path) -> PlanTables:
    """Read and check every table of `results_dir` (a damaged folder is one located
    `InputError`, nothing drawn) and return the map's tables."""
    return plan_tables(check_results(Path(results_dir)))


def _read_zone_areas(folder: Path) -> Any:
    """Zone polygons from `plan.gpkg` layer `zone_areas` in EPSG:4326, or None."""
    areas = read_zone_areas(folder)
    if areas is None:
        return None
    import geopandas as gpd

    if areas.crs is not None and areas.crs.to_epsg() != 4326:
        areas = areas.to_crs(4326)
    key = areas["zone_id"].astype(str) if "zone_id" in areas.columns else areas.index.astype(str)
    return gpd.GeoSeries(areas.geometry.values, index=key, crs=4326)


def _truthy(values: pd.Series) -> np.ndarray:
    """Booleans written as True/False, 1/0 or yes/no, as results folders may hold any."""
    return values.astype(str).str.strip().str.lower().isin(("true", "1", "yes", "1.0")).to_numpy()


def _split(text: str) -> list[str]:
    return [part.strip() for part in str(text).split(";") if part.strip()]


def _clean(values: pd.Series, digits: int | None = None) -> list[Any]:
    """Floats for JSON: NaN becomes None (JSON has no NaN), optionally rounded."""
    out: list[Any] = []
    for v in values.to_numpy(dtype=float):
        if not math.isfinite(v):
            out.append(None)
        else:
            out.append(round(float(v), digits) if digits is not None else float(v))
    return out


def _function_label(row: Any, share: float) -> str:
    label = f"{row.function_id} ({row.type}"
    if math.isfinite(share) and share < 0.999:
        label += f", {share:.0%}"
    return label + ")"


def site_payload(plan: PlanTables, agency_index: dict[str, int]) -> dict[str, list[Any]]:
    """Sites as columns, with the functions each hosts before and after the plan; and,
    for a plan made area by area, each site's `area` (`estate.store.site_areas`), which
    its popup says: a plan of one locality has no such column, and no Area row."""
    sites = plan.sites
    index = {sid: i for i, sid in enumerate(sites["site_id"])}
    before: list[list[str]] = [[] for _ in range(len(sites))]
    after: list[list[str]] = [[] for _ in range(len(sites))]
    seen_before: set[tuple[int, str]] = set()
    for row in plan.assignments.itertuples(index=False):
        share = float(row.share) if math.isfinite(row.share) else 1.0
        origin = index.get(row.from_site)
        if origin is not None and (origin, row.function_id) not in seen_before:
            seen_before.add((origin, row.function_id))
            before[origin].append(f"{row.function_id} ({row.type})")
        target = index.get(row.to_site)
        if target is not None:
            after[target].append(_function_label(row, share))
    shared = [bool(_split(s)) for s in sites["shared_types"]]
    areas = site_areas(plan.summary, sites)
    return {
        "id": sites["site_id"].tolist(),
        "agency": [agency_index.get(a, -1) for a in sites["agency_id"]],
        "name": sites["name"].tolist(),
        "lat": _clean(sites["lat"], 6),
        "lon": _clean(sites["lon"], 6),
        "kind": sites["kind"].tolist(),
        # as pounds are written everywhere else in estate (`estate.results.money`)
        "running_cost": [money(v) if math.isfinite(v) else None
                         for v in sites["running_cost"].to_numpy(dtype=float)],
        "services": [_split(s) for s in sites["services"]],
        "decision": sites["decision"].tolist(),
        "shared": [_split(s) for s in sites["shared_types"]],
        "is_shared": shared,
        "desks_used": _clean(sites["desks_used"], 1),
        "desks": _clean(sites["desks"], 1),
        "racks_used": _clean(sites["racks_used"], 1),
        "racks": _clean(sites["racks"], 1),
        "before": before,
        "after": after,
        **({"area": areas} if areas is not None else {}),
    }


def move_payload(plan: PlanTables, agency_index: dict[str, int],
                 years: dict[tuple[str, str], int | None] | None = None
                 ) -> dict[str, list[Any]]:
    """Relocations aggregated by (from, to, agency), a route: one line each, width by FTE.

    A function that was unhoused (no from_site) or stays where it was draws no line.
    With `years` (the programme's year of each (function_id, to_site) move, None when
    it does not happen within the horizon) the lines are split by year as well, and
    each says its year: a route whose teams move in different years is a line a year,
    which the slider shows each in its year (the layer's label still counts routes).
    """
    index = {sid: i for i, sid in enumerate(plan.sites["site_id"])}
    moves: dict[tuple[int, int, int, int | None], list[Any]] = {}
    for row in plan.assignments.itertuples(index=False):
        origin, target = index.get(row.from_site), index.get(row.to_site)
        if origin is None or target is None or origin == target:
            continue
        year = None if years is None else years.get((row.function_id, row.to_site))
        key = (origin, target, agency_index.get(row.agency_id, -1), year)
        entry = moves.setdefault(key, [0.0, []])
        entry[0] += float(row.fte_moved) if math.isfinite(row.fte_moved) else 0.0
        entry[1].append(f"{row.function_id} ({row.type})")
    keys = list(moves)
    out = {
        "from": [k[0] for k in keys],
        "to": [k[1] for k in keys],
        "agency": [k[2] for k in keys],
        "fte": [round(moves[k][0], 2) for k in keys],
        "functions": [moves[k][1] for k in keys],
    }
    if years is not None:
        out["year"] = [k[3] for k in keys]
    return out


def _every_zone(plan: PlanTables) -> pd.DataFrame:
    """zones.csv, with any zone coverage.csv names that zones.csv lacks; placed ones only."""
    zones = plan.zones[["zone_id", "name", "lat", "lon", "population"]].copy()
    cov = plan.coverage
    if len(cov):
        extra = cov.drop_duplicates("zone_id")
        extra = extra[~extra["zone_id"].isin(zones["zone_id"])]
        zones = pd.concat([zones, extra[["zone_id", "name", "lat", "lon", "population"]]],
                          ignore_index=True)
    return zones[np.isfinite(zones["lat"]) & np.isfinite(zones["lon"])].reset_index(drop=True)


def place_payload(plan: PlanTables, most: int = PLACE_LIMIT) -> dict[str, list[Any]]:
    """Place names for the outline basemap: the register's zones, most populous first.

    Without tiles an executive cannot tell one town from another, so the map writes the
    zones' towns over the outline (`estate.render.figures.town_names`); the script shows the first names that fit without
    overlapping, so the largest places show at every zoom and smaller ones appear as the
    reader zooms in. A name held by several zones is placed once, at its most populous
    zone, so a town's zones give one label, at its most populous part; blank names are
    left out, and so is a note in brackets at the end of a name.
    Names stay raw text (the script writes them with textContent).
    """
    zones = _every_zone(plan)
    # named by their town, as the board pack's map names them ("Ipswich", not
    # "Ipswich outskirts 13"), on a local flat approximation of the map in metres
    lat0 = math.radians(float(zones["lat"].mean())) if len(zones) else 0.0
    xy = np.column_stack([zones["lon"].to_numpy(float) * 111_320.0 * math.cos(lat0),
                          zones["lat"].to_numpy(float) * 110_574.0])
    zones["name"] = town_names(list(zones["name"]), xy, TOWN_METRES)
    zones["population"] = zones["population"].fillna(0.0)
    zones = zones[zones["name"] != ""]
    zones = zones.sort_values("population", ascending=False, kind="stable")
    zones = zones.drop_duplicates("name").head(most)
    return {"name": zones["name"].tolist(), "lat": _clean(zones["lat"], 5),
            "lon": _clean(zones["lon"], 5), "pop": _clean(zones["population"], 0)}


def rule_key(rule: Any) -> str:
    """The scenario's key of a coverage rule: coverage.csv numbers the rules of the
    scenario's `coverage` list from 0, and estate's messages call the first
    `coverage.0`, so the map does too (a rule already named otherwise keeps its name)."""
    text = str(rule).strip()
    try:
        number = float(text)
    except ValueError:
        return text
    return f"coverage.{int(number)}" if number.is_integer() and number >= 0 else text


def rule_words(rule: Any, service: str, radius_km: float) -> str:
    """A coverage rule as a planner says it, with the key that finds it in the scenario:
    "rule coverage.0: public access within 15 km"."""
    reach = f" within {radius_km:g} km" if math.isfinite(radius_km) else ""
    return f"rule {rule_key(rule)}: {str(service).replace('_', ' ')}{reach}"


def zone_payload(plan: PlanTables) -> dict[str, Any]:
    """Zones with their coverage per rule (bit 1 before, bit 2 after) and nearest km."""
    zones = _every_zone(plan)
    cov = plan.coverage
    zindex = pd.Series(np.arange(len(zones)), index=zones["zone_id"].to_numpy())
    zindex = zindex[~zindex.index.duplicated()]
    rule_keys = cov[["rule", "service", "radius_km"]].drop_duplicates("rule")
    rules = []
    for r in rule_keys.itertuples(index=False):
        words = rule_words(r.rule, r.service, r.radius_km)
        rules.append({"rule": r.rule, "service": r.service,
                      "radius_km": None if not math.isfinite(r.radius_km) else float(r.radius_km),
                      "words": words, "label": inert(f"Radius of {words}")})
    services = list(dict.fromkeys(cov["service"]))
    flags = np.zeros((len(zones), len(rules)), dtype=np.int8)
    near = np.full((len(zones), len(services), 2), np.nan)
    if len(cov) and len(zones):
        rows = zindex.reindex(cov["zone_id"]).to_numpy()
        ok = ~np.isnan(rows)
        rows = rows[ok].astype(int)
        rule_pos = {r["rule"]: i for i, r in enumerate(rules)}
        cols = cov["rule"].map(rule_pos).to_numpy()[ok].astype(int)
        bits = _truthy(cov["covered_before"])[ok] * 1 + _truthy(cov["covered_after"])[ok] * 2
        flags[rows, cols] = bits
        spos = cov["service"].map({s: i for i, s in enumerate(services)}).to_numpy()[ok]
        near[rows, spos, 0] = cov["nearest_km_before"].to_numpy()[ok]
        near[rows, spos, 1] = cov["nearest_km_after"].to_numpy()[ok]
    has_rule = zones["zone_id"].isin(cov["zone_id"]).to_numpy()
    lost = ((flags & 1) > 0) & ((flags & 2) == 0)
    before_all = ((flags & 1) > 0).all(axis=1) if len(rules) else np.zeros(len(zones), bool)
    after_all = ((flags & 2) > 0).all(axis=1) if len(rules) else np.zeros(len(zones), bool)
    # 0 no rule, 1 covered throughout, 2 loses coverage, 3 gains it, 4 not covered
    status = np.where(lost.any(axis=1), 2,
                      np.where(after_all & before_all, 1, np.where(after_all, 3, 4)))
    status = np.where(has_rule, status, 0)
    near_rounded = np.round(near, 2)
    return {
        "name": zones["name"].tolist(),
        "id": zones["zone_id"].tolist(),
        "lat": _clean(zones["lat"], 5),
        "lon": _clean(zones["lon"], 5),
        "pop": _clean(zones["population"], 0),
        "status": status.astype(int).tolist(),
        "flags": ["".join(str(int(b)) for b in row) for row in flags],
        "near": [[[None if not math.isfinite(v) else float(v) for v in pair] for pair in row]
                 for row in near_rounded],
        "rules": rules,
        "services": services,
    }


def plan_bounds(plan: PlanTables) -> list[list[float]] | None:
    """[[south, west], [north, east]] of drawn sites and zones: what the map first shows."""
    drawn = plan.sites[plan.sites["decision"] != "not_built"]
    lat = np.concatenate([drawn["lat"].to_numpy(float), plan.zones["lat"].to_numpy(float)])
    lon = np.concatenate([drawn["lon"].to_numpy(float), plan.zones["lon"].to_numpy(float)])
    ok = np.isfinite(lat) & np.isfinite(lon)
    if not ok.any():
        return None
    return [[float(lat[ok].min()), float(lon[ok].min())], [float(lat[ok].max()), float(lon[ok].max())]]


def outline_label(plan: PlanTables) -> str | None:
    """What the outline basemap is, as its layer and legend name it: the zones' own
    boundaries, or cells round each zone centre; None for a register with no zones,
    whose outline would be only a hull round the sites, named after zones it has not."""
    if plan.zone_areas is not None and len(plan.zone_areas):
        return "Zone boundaries"
    return "Zone areas (nearest zone centre)" if len(plan.zones) else None


def outline_rings(plan: PlanTables, max_rings: int = 200_000) -> list[list[float]]:
    """The outline basemap: zone polygons when the folder has them, else Voronoi cells.

    Voronoi cells of the zone points are clipped to the convex hull of zones and sites,
    buffered by 5% of the extent, so that the map reads as an area, not a scatter, with
    no tiles. Longitudes are scaled by cos(mean latitude) first so the cells are not
    stretched east-west. Each ring is flat `[lat, lon, lat, lon, ...]` rounded to 4
    decimals (about 10 m), which halves the size of nested pairs.
    """
    if plan.zone_areas is not None and len(plan.zone_areas):
        geoms = np.asarray(plan.zone_areas.values)
        span = _span(shapely.total_bounds(geoms))
        geoms = shapely.simplify(geoms, span / 4000, preserve_topology=True)
        return _rings(geoms, max_rings)
    points = np.column_stack([plan.zones["lon"].to_numpy(float), plan.zones["lat"].to_numpy(float)])
    site_points = np.column_stack([plan.sites["lon"].to_numpy(float),
                                   plan.sites["lat"].to_numpy(float)])
    points = points[np.isfinite(points).all(axis=1)]
    every = np.vstack([points, site_points])
    every = every[np.isfinite(every).all(axis=1)]
    if len(every) == 0:
        return []
    scale = math.cos(math.radians(float(np.mean(every[:, 1]))))
    scale = max(scale, 0.05)
    stretch = np.array([scale, 1.0])
    hull = shapely.convex_hull(shapely.multipoints(every * stretch))
    buffer = max(0.05 * _span(shapely.bounds(hull)), 0.02)
    area = shapely.buffer(hull, buffer, quad_segs=4)
    unique = np.unique(np.round(points * stretch, 6), axis=0)
    if len(unique) < 2:
        cells = np.array([area])
    else:
        diagram = shapely.voronoi_polygons(shapely.multipoints(unique), extend_to=area)
        cells = shapely.intersection(np.asarray(shapely.get_parts(diagram)), area)
    cells = shapely.transform(cells, lambda xy: xy / stretch)
    return _rings(cells, max_rings)


def _span(bounds: Any) -> float:
    xmin, ymin, xmax, ymax = (float(b) for b in bounds)
    return max(xmax - xmin, ymax - ymin, 1e-6)


def _rings(geoms: np.ndarray, max_rings: int) -> list[list[float]]:
    """Every polygon ring (exterior and holes) as a flat lat/lon list."""
    polygons = shapely.get_parts(geoms[~shapely.is_empty(geoms)])
    polygons = polygons[shapely.get_type_id(polygons) == 3]
    holes = shapely.get_num_interior_rings(polygons)
    rings = list(shapely.get_exterior_ring(polygons))
    rings += [shapely.get_interior_ring(p, i) for p, n in zip(polygons, holes, strict=True)
              for i in range(int(n))]
    # neighbours together, so that each chunk the script draws is one compact area
    centres = shapely.get_coordinates(shapely.centroid(np.asarray(rings, dtype=object)))
    if len(centres):
        cell = _span((*centres.min(axis=0), *centres.max(axis=0))) / 24
        order = np.lexsort((np.floor(centres[:, 0] / cell), np.floor(centres[:, 1] / cell)))
        rings = [rings[k] for k in order]
    out: list[list[float]] = []
    for ring in rings[:max_rings]:
        xy = np.round(shapely.get_coordinates(ring), 4)
        out.append(xy[:, ::-1].ravel().tolist())
    return out
