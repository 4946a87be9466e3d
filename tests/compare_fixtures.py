"""Tiny registers and scenario files for the compare and policy-cost tests.

Positions are kilometres east and north of a point near Ipswich on the British National
Grid (EPSG:27700), written to the register as WGS84; scenarios measure in that grid, so
a site at (0, 5) is 5 km from one at (0, 0). Costs are chosen so every optimum can be
worked out by hand: r = 0 and H = 10, so the NPV of £1 a year is £10, and moving
a 10-FTE team costs £1,000 once (so no team moves for nothing).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import tomli_w
from pyproj import Transformer

_TO_WGS84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
PAYLOAD = '<img src=x onerror=alert(1)>${alert(2)}`</script><script>alert(3)</script>'


def place(x_km: float, y_km: float) -> dict[str, float]:
    lon, lat = _TO_WGS84.transform(600_000.0 + 1000 * x_km, 240_000.0 + 1000 * y_km)
    return {"lat": round(float(lat), 9), "lon": round(float(lon), 9)}


def site_row(site_id: str, agency_id: str, x: float, y: float, running: float, **extra: Any
             ) -> dict[str, Any]:
    row = {"site_id": site_id, "agency_id": agency_id, "name": extra.pop("name", f"Site {site_id}"),
           **place(x, y), "desks": extra.pop("desks", 100), "running_cost": running}
    row.update({k: ";".join(v) if isinstance(v, list) else v for k, v in extra.items()})
    return row


def function_row(function_id: str, agency_id: str, site_id: str, fte: float = 10,
                 annual_cost: float = 1000, type_: str = "IT") -> dict[str, Any]:
    return {"function_id": function_id, "agency_id": agency_id, "type": type_,
            "site_id": site_id, "fte": fte, "annual_cost": annual_cost}


def zone_row(zone_id: str, x: float, y: float, population: float = 1000) -> dict[str, Any]:
    return {"zone_id": zone_id, "name": f"Zone {zone_id}", **place(x, y),
            "population": population}


def write_tables(folder: Path, agencies: list[dict], sites: list[dict], functions: list[dict],
                 zones: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    headers = {"zones": ["zone_id", "name", "lat", "lon", "population"]}
    for name, rows in (("agencies", agencies), ("sites", sites), ("functions", functions),
                       ("zones", zones)):
        columns = list(dict.fromkeys(k for r in rows for k in r)) or headers[name]
        pd.DataFrame([{c: r.get(c, "") for c in columns} for r in rows], columns=columns
                     ).to_csv(folder / f"{name}.csv", index=False)
    return folder


def coverage_register(folder: Path, agency_b_name: str = "Agency B",
                      site_name: str = "Site S1") -> Path:
    """Three sites, two agencies, two zones.

    S1 (A, office, public access) at (0, 0), £100k a year; S2 (A, office) at (0, 5),
    £50k; S3 (B, station, public access) at (20, 0), £80k; S4 (A, office, must_keep) at
    (0, 10), £30k, empty. F1 (A) sits at S1, F2 (B) at S3. Zone Z1 at (0, 1) is within
    3 km of S1 only, Z2 at (20, 1) of S3 only.
    """
    return write_tables(
        folder,
        [{"agency_id": "A", "name": "Agency A", "kind": "council"},
         {"agency_id": "B", "name": agency_b_name, "kind": "police"}],
        [site_row("S1", "A", 0, 0, 100_000, services=["public_access"], name=site_name),
         site_row("S2", "A", 0, 5, 50_000),
         site_row("S3", "B", 20, 0, 80_000, services=["public_access"], kind="station"),
         site_row("S4", "A", 0, 10, 30_000, must_keep="true")],
        [function_row("F1", "A", "S1"), function_row("F2", "B", "S3")],
        [zone_row("Z1", 0, 1), zone_row("Z2", 20, 1)],
    )


def pair_register(folder: Path) -> Path:
    """Two offices 2 km apart, each housing one team; closing either saves £100k a year
    for £50k closure plus £1k moving the team."""
    return write_tables(
        folder,
        [{"agency_id": "A", "name": "Agency A", "kind": "council"}],
        [site_row("S1", "A", 0, 0, 100_000, closure_cost=50_000),
         site_row("S2", "A", 0, 2, 100_000, closure_cost=50_000)],
        [function_row("F1", "A", "S1"), function_row("F2", "A", "S2")],
        [],
    )


def loser_register(folder: Path) -> Path:
    """A's S1 (£300k, kept by policy) and B's S3 (£80k) 5 km apart, 10 desks used at each.

    With S1 kept the optimum closes S3 and moves B's team into S1: B then pays half of
    S1 (£150k) instead of all of S3 (£80k), worse off by £70k a year, while A gains
    £150k; the total saving is £80k a year.
    """
    return write_tables(
        folder,
        [{"agency_id": "A", "name": "Agency A", "kind": "council"},
         {"agency_id": "B", "name": "Agency B", "kind": "fire"}],
        [site_row("S1", "A", 0, 0, 300_000), site_row("S3", "B", 5, 0, 80_000)],
        [function_row("F1", "A", "S1"), function_row("F2", "B", "S3")],
        [],
    )


BASE: dict[str, Any] = {
    "horizon_years": 10,
    "discount_rate": 0.0,
    "crs": "EPSG:27700",
    "sharing": {"types": [], "efficiency": 0.0, "setup_cost": 0.0, "min_agencies": 1},
    "relocation": {"cost_per_fte": 100.0, "max_km": math.inf},
    "assignment": {"split": False},
    "coverage": [],
    "policy": {"keep": [], "close": [], "max_one_off": math.inf,
               "closable_kinds": ["office", "depot", "data_centre", "hub"]},
    "solver": {"name": "highs", "time_limit_s": 60.0, "mip_gap": 1e-9},
}


def merge(base: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(dict(base))
    for key, value in changes.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def scenario_dict(data: Path, name: str, **changes: Any) -> dict[str, Any]:
    """A scenario dict on `data` (absolute path), `changes` merged table by table."""
    return merge(BASE, {"name": name, "data": str(Path(data).resolve()), **changes})


def write_scenario(path: Path, raw: Mapping[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomli_w.dumps(dict(raw)), encoding="utf-8")
    return path
