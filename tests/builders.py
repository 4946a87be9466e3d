"""Tiny registers and scenarios built in code, for the tests that check the planner's meaning.

Positions are given on a kilometre grid of UTM zone 31 north (EPSG:32631, on the WGS84
datum, so the round trip to lat/lon and back is exact to far below a millimetre),
origin at easting 360 km, northing 5,760 km (lat ~52.0, lon ~0.97), and written to the
register as WGS84 lat/lon. A scenario with `crs = "EPSG:32631"` (the default of
`scenario()` here, and also the UTM zone estate picks when `crs` is empty) measures
distances on that same grid: a site at (0, 3) is 3 km from one at (0, 0).
(The British National Grid is no good for this: its datum shift does not invert
exactly, and a 30 km distance comes back as 30 km + 0.02 mm.)
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pyproj import Transformer

import estate
from estate.load.scenario import scenario_from_dict
from estate.results import Plan, Summary
from estate.solve import available_solvers

GRID = "EPSG:32631"
ORIGIN_E, ORIGIN_N = 360_000.0, 5_760_000.0
_TO_WGS84 = Transformer.from_crs(GRID, "EPSG:4326", always_xy=True)
_TO_GRID = Transformer.from_crs("EPSG:4326", GRID, always_xy=True)

#: Required columns, so that a table with no rows is still written with its header.
HEADERS = {
    "agencies": ["agency_id", "name", "kind"],
    "sites": ["site_id", "agency_id", "name", "lat", "lon", "desks", "running_cost"],
    "functions": ["function_id", "agency_id", "type", "site_id", "fte", "annual_cost"],
    "zones": ["zone_id", "name", "lat", "lon", "population"],
    "pair_costs": ["function_id", "site_id", "annual_cost"],
}


def latlon(x_km: float, y_km: float) -> tuple[float, float]:
    """WGS84 (lat, lon) of the grid point x_km east, y_km north of the origin.

    Of the floats next to the inverse projection, the one that projects back closest
    to the grid point (exactly, nearly always), so that boundary distances are exact.
    """
    e, n = ORIGIN_E + 1000.0 * x_km, ORIGIN_N + 1000.0 * y_km
    lon, lat = _TO_WGS84.transform(e, n)
    steps = np.arange(-6, 7)
    lons = lon + steps * np.spacing(lon)
    lats = lat + steps * np.spacing(lat)
    grid_lon, grid_lat = (a.ravel() for a in np.meshgrid(lons, lats))
    back_e, back_n = _TO_GRID.transform(grid_lon, grid_lat)
    best = int(np.argmin(np.abs(back_e - e) + np.abs(back_n - n)))
    return float(grid_lat[best]), float(grid_lon[best])


def _cell(value: Any) -> Any:
    """Lists and tuples become `;`-separated text; None an empty cell."""
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    if value is None:
        return ""
    return value


def agency(agency_id: str, kind: str = "council", name: str | None = None) -> dict[str, Any]:
    return {"agency_id": agency_id, "name": name or f"Agency {agency_id}", "kind": kind}


def site(site_id: str, agency_id: str, x_km: float = 0.0, y_km: float = 0.0, *,
         desks: float = 100, running_cost: float = 100_000, **extra: Any) -> dict[str, Any]:
    """A site row; `extra` takes any optional column (racks, kind, candidate, services, ...)."""
    lat, lon = latlon(x_km, y_km)
    row = {"site_id": site_id, "agency_id": agency_id, "name": extra.pop("name", f"Site {site_id}"),
           "lat": lat, "lon": lon, "desks": desks, "running_cost": running_cost}
    row.update({k: _cell(v) for k, v in extra.items()})
    return row


def function(function_id: str, agency_id: str, type_: str, site_id: str = "", *,
             fte: float = 10, annual_cost: float = 500_000, **extra: Any) -> dict[str, Any]:
    """A function row; `site_id` "" means unhoused; `extra`: desks, racks, shareable, ..."""
    row = {"function_id": function_id, "agency_id": agency_id, "type": type_,
           "site_id": site_id, "fte": fte, "annual_cost": annual_cost}
    row.update({k: _cell(v) for k, v in extra.items()})
    return row


def zone(zone_id: str, x_km: float, y_km: float, population: float = 1000,
         name: str | None = None) -> dict[str, Any]:
    lat, lon = latlon(x_km, y_km)
    return {"zone_id": zone_id, "name": name or f"Zone {zone_id}", "lat": lat, "lon": lon,
            "population": population}


def pair_cost(function_id: str, site_id: str, annual_cost: float) -> dict[str, Any]:
    return {"function_id": function_id, "site_id": site_id, "annual_cost": annual_cost}


def _frame(rows: Iterable[Mapping[str, Any]], table: str) -> pd.DataFrame:
    rows = list(rows)
    if not rows:
        return pd.DataFrame(columns=HEADERS[table])
    columns = list(dict.fromkeys(k for row in rows for k in row))
    frame = pd.DataFrame([{c: row.get(c, "") for c in columns} for row in rows], columns=columns)
    return frame


def write_register(folder: Path, agencies: Iterable[Mapping[str, Any]],
                   sites: Iterable[Mapping[str, Any]], functions: Iterable[Mapping[str, Any]],
                   zones: Iterable[Mapping[str, Any]] = (),
                   pair_costs: Iterable[Mapping[str, Any]] | None = None) -> Path:
    """Write the tables as a CSV register folder and return the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables = {"agencies": agencies, "sites": sites, "functions": functions, "zones": zones}
    if pair_costs is not None:
        tables["pair_costs"] = pair_costs
    for name, rows in tables.items():
        _frame(rows, name).to_csv(folder / f"{name}.csv", index=False)
    return folder


BASE_SCENARIO: dict[str, Any] = {
    "name": "test",
    "horizon_years": 10,
    "discount_rate": 0.0,
    "crs": GRID,
    "sharing": {"types": [], "efficiency": 0.0, "setup_cost": 0.0, "min_agencies": 1},
    "relocation": {"cost_per_fte": 0.0, "max_km": math.inf},
    "assignment": {"split": False},
    "coverage": [],
    "policy": {"keep": [], "close": [], "max_one_off": math.inf},
    # mip_gap 0 would be dropped by PuLP as "not set"; 1e-9 asks for the true optimum.
    "solver": {"name": "highs", "time_limit_s": 60.0, "mip_gap": 1e-9},
}


def _merge(base: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def scenario(**changes: Any) -> dict[str, Any]:
    """A scenario dict: `BASE_SCENARIO` (r = 0, H = 10 so A = 10; no sharing; free, unlimited
    relocation; exact optimum asked) with `changes` merged in table by table."""
    return _merge(BASE_SCENARIO, changes)


def solver_paths() -> list[str]:
    """Every installed solver, and HiGHS twice: straight from the arrays (`highs`, the
    default) and through PuLP (`highs-pulp`), so both hand-offs are held to the same
    answers."""
    names = available_solvers()
    return names + (["highs-pulp"] if "highs" in names else [])


def plan_of(register_dir: Path, scenario_dict: Mapping[str, Any], solver: str) -> Plan:
    """Plan `scenario_dict` on the register folder with `solver`, writing nothing."""
    name, direct = ("highs", False) if solver == "highs-pulp" else (solver, True)
    raw = _merge(dict(scenario_dict), {"data": str(Path(register_dir).resolve()),
                                       "solver": {"name": name}})
    sc = scenario_from_dict(raw, base_dir=Path(register_dir), label="test.toml",
                            default_name="test")
    return estate.plan(sc, write=False, direct=direct)


def summary_record(**changes: Any) -> Summary:
    """A complete, plausible plan summary with `changes` applied (as summary.json keys)."""
    base = {"scenario": "Region", "status": "optimal", "objective_npv": 94e6,
            "status_quo_npv": 100e6, "status_quo_feasible": True, "status_quo_breaches": [],
            "npv_saving": 6e6, "annual_cost_before": 10e6, "annual_cost_after": 9e6,
            "annual_saving": 1e6, "one_off_cost": 2e6, "payback_years": 2.0,
            "sites_before": 10, "sites_after": 8, "sites_closed": 2, "sites_opened": 0,
            "shared_centres": 1, "fte_relocated": 12.0, "mip_gap": 0.0001,
            "solve_seconds": 12.0, "solver": "highs", "agencies": {}, "horizon_years": 10,
            "discount_rate": 0.035}
    return Summary.from_json({**base, **changes})
