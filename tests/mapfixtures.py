"""Small, consistent results folders built in code, for map tests and the scale benchmark.

The planner that writes real results folders is developed separately, so the map is
tested against folders in the DESIGN section 5 format written here from a seeded
generator: decisions, assignments, coverage and KPIs agree with each other (closed
sites host nothing after, coverage is recomputed from distances), and names carry
injection payloads so every test of the map is also a test of its escaping.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(2)</script>",
    "`${alert(3)}`",
    "${alert(4)}",
    "\\`; alert(5); //",
    "</script><script>alert(6)</script>",
    "\"'><svg onload=alert(7)>",
    "';alert(8);//",
    "\\u003cimg src=x onerror=alert(9)\\u003e",
    "{{7*7}} {% if %}",
    "&lt;b&gt;not bold&amp;",
    '<a href="javascript:alert(10)">click</a>',
    "\u2028alert(11)\u2029",
    "line\nbreak\r\ttab",
    '<iframe srcdoc="<script>alert(12)</script>">',
    "<!-- --><style>*{display:none}</style>",
    "Ünïcödé — ☃ 東京 \\ end",
]
"""Strings that run script or break markup if any layer of escaping is missing."""

SERVICES = ("public_access", "custody", "data_centre")
RULES = (("R1", "public_access", 5.0), ("R2", "custody", 15.0))
EARTH_KM = 6371.0088


def _unit(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def _nearest_km(zones: np.ndarray, sites: np.ndarray) -> np.ndarray:
    """Great-circle km from each zone to the nearest of `sites` (inf when none)."""
    if len(sites) == 0:
        return np.full(len(zones), np.inf)
    chord, _ = cKDTree(sites).query(zones, k=1)
    return 2 * EARTH_KM * np.arcsin(np.clip(chord / 2, 0, 1))


def _name(kind: str, i: int, payloads: bool) -> str:
    if payloads and i < len(PAYLOADS) * 2 and i % 2 == 0:
        return f"{PAYLOADS[(i // 2) % len(PAYLOADS)]}"
    return f"{kind} {i:04d}"


def write_results(folder: Path, n_sites: int = 30, n_zones: int = 60, n_agencies: int = 3,
                  seed: int = 7, payloads: bool = True, zone_areas: bool = False) -> Path:
    """Write a results folder for a made-up plan into `folder` and return it.

    About 80% of the sites exist (kept or closed), the rest are candidates (opened or
    not built); some kept or opened sites are shared centres. Each existing site hosts
    one to three functions; a function at a closed site moves to the nearest site
    open after the plan, and one function is split across two sites.
    """
    rng = np.random.default_rng(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    agency_ids = [f"AG{k}" for k in range(n_agencies)]
    agency_names = [PAYLOADS[k % len(PAYLOADS)] if payloads and k < 2 else f"Agency {k}"
                    for k in range(n_agencies)]
    lat = 53.45 + rng.normal(0, 0.12, n_sites)
    lon = -2.25 + rng.normal(0, 0.2, n_sites)
    existing = rng.random(n_sites) < 0.8
    existing[: min(n_sites, 4)] = True
    decision = np.where(existing, np.where(rng.random(n_sites) < 0.65, "keep", "close"),
                        np.where(rng.random(n_sites) < 0.5, "open", "not_built"))
    if n_sites >= 4:
        decision[:4] = ["keep", "close", "keep", "keep"]
    after = np.isin(decision, ("keep", "open"))
    if not after.any():
        decision[0], after[0] = "keep", True
    shared = after & (rng.random(n_sites) < 0.12)
    services = [";".join(s for s in SERVICES if rng.random() < 0.5) or "public_access"
                for _ in range(n_sites)]
    site_ids = [f"S{i:05d}" for i in range(n_sites)]
    agency_of = rng.integers(0, n_agencies, n_sites)
    desks = rng.integers(20, 200, n_sites).astype(float)
    racks = np.where(rng.random(n_sites) < 0.2, rng.integers(1, 10, n_sites), 0).astype(float)
    cost = np.round(desks * rng.uniform(2000, 6000, n_sites), -2)

    rows = []
    after_idx = np.flatnonzero(after)
    tree = cKDTree(np.column_stack([lat[after_idx], lon[after_idx]]))
    used = np.zeros(n_sites)
    fn = 0
    for i in np.flatnonzero(existing):
        for _ in range(int(rng.integers(1, 4))):
            fte = float(rng.integers(2, 40))
            ftype = PAYLOADS[fn % len(PAYLOADS)] if payloads and fn % 5 == 0 else "office"
            target = i if after[i] else int(after_idx[tree.query([lat[i], lon[i]])[1]])
            moved = 0.0 if target == i else fte
            if fn == 1 and len(after_idx) > 1:
                other = int(after_idx[0] if after_idx[0] != target else after_idx[1])
                for to, share in ((target, 0.6), (other, 0.4)):
                    rows.append((f"F{fn:05d}", agency_ids[agency_of[i]], ftype, site_ids[i],
                                 site_ids[to], share, False, fte * share if to != i else 0.0))
                    used[to] += fte * share
            else:
                rows.append((f"F{fn:05d}", agency_ids[agency_of[i]], ftype, site_ids[i],
                             site_ids[target], 1.0, bool(shared[target]), moved))
                used[target] += fte
            fn += 1
    for j in np.flatnonzero(decision == "open")[:3]:
        rows.append((f"F{fn:05d}", agency_ids[agency_of[j]], "new team", "", site_ids[j], 1.0,
                     False, 0.0))
        used[j] += 10.0
        fn += 1
    assignments = pd.DataFrame(rows, columns=["function_id", "agency_id", "type", "from_site",
                                              "to_site", "share", "pooled", "fte_moved"])
    desks = np.maximum(desks, np.ceil(used))
    sites = pd.DataFrame({
        "site_id": site_ids, "agency_id": [agency_ids[a] for a in agency_of],
        "name": [_name("Site", i, payloads) for i in range(n_sites)],
        "lat": lat.round(6), "lon": lon.round(6),
        "kind": np.where(existing, "office", "candidate"), "running_cost": cost,
        "services": services, "decision": decision,
        "shared_types": np.where(shared, "hr;finance", ""),
        "desks_used": used.round(1), "desks": desks, "racks_used": np.minimum(racks, 2.0),
        "racks": racks,
    })
    if payloads and n_sites > 2:
        sites.loc[2, "kind"] = PAYLOADS[0]
        sites.loc[3, "services"] = "public_access;" + PAYLOADS[2]

    zlat = 53.45 + rng.uniform(-0.35, 0.35, n_zones)
    zlon = -2.25 + rng.uniform(-0.55, 0.55, n_zones)
    zones = pd.DataFrame({
        "zone_id": [f"Z{k:05d}" for k in range(n_zones)],
        "name": [_name("Zone", k + 1, payloads) for k in range(n_zones)],
        "lat": zlat.round(6), "lon": zlon.round(6),
        "population": rng.integers(500, 20000, n_zones),
    })
    zunit = _unit(zlat, zlon)
    coverage = []
    for rule, service, radius in RULES:
        offers = np.array([service in s.split(";") for s in services])
        before = _nearest_km(zunit, _unit(lat[existing & offers], lon[existing & offers]))
        after_km = _nearest_km(zunit, _unit(lat[after & offers], lon[after & offers]))
        frame = zones.copy()
        frame.insert(0, "radius_km", radius)
        frame.insert(0, "service", service)
        frame.insert(0, "rule", rule)
        frame["covered_before"] = before <= radius
        frame["covered_after"] = after_km <= radius
        frame["nearest_km_before"] = np.where(np.isfinite(before), before.round(3), np.nan)
        frame["nearest_km_after"] = np.where(np.isfinite(after_km), after_km.round(3), np.nan)
        coverage.append(frame)
    pd.concat(coverage).to_csv(folder / "coverage.csv", index=False)

    before_cost = sites.loc[existing, "running_cost"].groupby(sites["agency_id"]).sum()
    after_cost = sites.loc[after, "running_cost"].groupby(sites["agency_id"]).sum()
    one_off = sites.loc[decision == "open", "running_cost"].groupby(sites["agency_id"]).sum() * 0.5
    agencies = pd.DataFrame({
        "agency_id": agency_ids, "name": agency_names, "kind": "council",
        "annual_cost_before": [float(before_cost.get(a, 0.0)) for a in agency_ids],
        "annual_cost_after": [float(after_cost.get(a, 0.0)) for a in agency_ids],
        "one_off_cost": [float(one_off.get(a, 0.0)) for a in agency_ids],
    })
    agencies["worse_off"] = agencies["annual_cost_after"] > agencies["annual_cost_before"]
    total_before = float(agencies["annual_cost_before"].sum())
    total_after = float(agencies["annual_cost_after"].sum())
    saving = total_before - total_after
    one_off_total = float(agencies["one_off_cost"].sum())
    summary = {
        "scenario": PAYLOADS[1] + " baseline" if payloads else "baseline",
        "status": "optimal", "objective_npv": total_after * 10 + one_off_total,
        "status_quo_npv": total_before * 10, "npv_saving": saving * 10 - one_off_total,
        "annual_cost_before": total_before, "annual_cost_after": total_after,
        "annual_saving": saving, "one_off_cost": one_off_total,
        "payback_years": one_off_total / saving if saving > 0 else None,
        "sites_before": int(existing.sum()), "sites_after": int(after.sum()),
        "sites_closed": int((decision == "close").sum()),
        "sites_opened": int((decision == "open").sum()), "shared_centres": int(shared.sum()),
        "fte_relocated": float(assignments["fte_moved"].sum()), "mip_gap": 0.0004,
        "solve_seconds": 1.5, "solver": "highs",
        "agencies": {r.agency_id: {"name": r.name, "annual_cost_before": r.annual_cost_before,
                                   "annual_cost_after": r.annual_cost_after,
                                   "one_off_cost": r.one_off_cost, "worse_off": bool(r.worse_off)}
                     for r in agencies.itertuples(index=False)},
        "status_quo_feasible": not payloads,
        "status_quo_breaches": [{"rule": "coverage.0", "place": f"zone {PAYLOADS[0]}"}]
        if payloads else [],
        "horizon_years": 10, "discount_rate": 0.0,
    }
    (folder / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    sites.to_csv(folder / "sites.csv", index=False)
    assignments.to_csv(folder / "assignments.csv", index=False)
    agencies.to_csv(folder / "agencies.csv", index=False)
    zones.to_csv(folder / "zones.csv", index=False)
    if zone_areas:
        _write_zone_areas(folder / "plan.gpkg", zones)
    return folder


def _write_zone_areas(path: Path, zones: pd.DataFrame) -> None:
    """Zone polygons: small squares around each zone centre, as a register might hold."""
    import geopandas as gpd
    import shapely

    boxes = shapely.box(zones["lon"] - 0.02, zones["lat"] - 0.012, zones["lon"] + 0.02,
                        zones["lat"] + 0.012)
    gpd.GeoDataFrame({"zone_id": zones["zone_id"]}, geometry=boxes, crs=4326).to_file(
        path, layer="zone_areas", driver="GPKG")
