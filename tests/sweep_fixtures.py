"""Tiny registers and scenario files for the sweep and alternatives tests, built in code.

Sites sit on a kilometre grid of the British National Grid (EPSG:27700) around
Ipswich; the scenario measures in that CRS, so distances are the grid's.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import tomli_w
from pyproj import Transformer

_TO_WGS84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def latlon(x_km: float, y_km: float) -> tuple[float, float]:
    lon, lat = _TO_WGS84.transform(600_000.0 + 1000 * x_km, 240_000.0 + 1000 * y_km)
    return float(lat), float(lon)


def _site(site_id: str, agency: str, x: float, y: float, desks: float, running: float,
          **extra: Any) -> dict[str, Any]:
    lat, lon = latlon(x, y)
    return {"site_id": site_id, "agency_id": agency, "name": extra.pop("name", f"Site {site_id}"),
            "lat": lat, "lon": lon, "desks": desks, "running_cost": running,
            "services": extra.pop("services", ""), "closure_cost": extra.pop("closure_cost", 0),
            "disposal_value": extra.pop("disposal_value", 0), **extra}


def town_register(folder: Path) -> Path:
    """Six offices of two agencies along a 20 km line, five teams, three zones.

    Running costs and sizes differ so that every set of open sites has its own cost
    (the brute force can then compare sets, not only costs). Sites S1, S4 and S6 offer
    public access; the zones near them are covered by one or two of them.
    """
    folder.mkdir(parents=True, exist_ok=True)
    agencies = pd.DataFrame({"agency_id": ["CC", "PD"], "name": ["County", "Police"],
                             "kind": ["council", "police"]})
    sites = pd.DataFrame([
        _site("S1", "CC", 0, 0, 60, 410_000, services="public_access",
              name="Town Hall <b>&amp;</b>"),
        _site("S2", "CC", 3, 0, 40, 230_000, closure_cost=20_000),
        _site("S3", "PD", 6, 1, 50, 300_000, disposal_value=150_000),
        _site("S4", "PD", 10, 0, 45, 270_000, services="public_access"),
        _site("S5", "CC", 14, 1, 35, 190_000, closure_cost=35_000),
        _site("S6", "CC", 20, 0, 55, 350_000, services="public_access", disposal_value=60_000),
    ])
    functions = pd.DataFrame([
        {"function_id": "F1", "agency_id": "CC", "type": "HR", "site_id": "S1", "fte": 20,
         "annual_cost": 900_000},
        {"function_id": "F2", "agency_id": "CC", "type": "IT", "site_id": "S2", "fte": 25,
         "annual_cost": 1_200_000},
        {"function_id": "F3", "agency_id": "PD", "type": "Finance", "site_id": "S3", "fte": 30,
         "annual_cost": 1_500_000},
        {"function_id": "F4", "agency_id": "PD", "type": "HR", "site_id": "S4", "fte": 15,
         "annual_cost": 700_000},
        {"function_id": "F5", "agency_id": "CC", "type": "Finance", "site_id": "S6", "fte": 22,
         "annual_cost": 1_000_000},
    ])
    zones = pd.DataFrame([
        dict(zip(("zone_id", "name", "lat", "lon", "population"),
                 (zid, f"Zone {zid}", *latlon(x, 0), 1000), strict=True))
        for zid, x in (("Z1", 1), ("Z2", 9), ("Z3", 19))
    ])
    for name, table in (("agencies", agencies), ("sites", sites), ("functions", functions),
                        ("zones", zones)):
        table.to_csv(folder / f"{name}.csv", index=False)
    return folder


def town_scenario(register: Path, **changes: Any) -> dict[str, Any]:
    """A scenario dict on `register`: r = 0, H = 10, no sharing, one maintain rule."""
    raw: dict[str, Any] = {
        "name": "town",
        "data": str(register.resolve()),
        "horizon_years": 10,
        "discount_rate": 0.0,
        "crs": "EPSG:27700",
        "sharing": {"types": ["HR", "Finance"], "efficiency": 0.1, "setup_cost": 50_000.0,
                    "min_agencies": 2},
        "relocation": {"cost_per_fte": 5000.0, "max_km": 30.0},
        "coverage": [{"service": "public_access", "radius_km": 6.0, "mode": "maintain"}],
        "policy": {"keep": [], "close": [], "max_one_off": math.inf},
        "solver": {"name": "highs", "time_limit_s": 60.0, "mip_gap": 1e-9},
    }
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(raw.get(key), dict):
            raw[key] = {**raw[key], **value}
        else:
            raw[key] = value
    return raw


def write_scenario(path: Path, raw: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomli_w.dumps(raw), encoding="utf-8")
    return path
