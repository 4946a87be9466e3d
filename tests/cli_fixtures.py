"""Tiny registers and scenarios written to disk, and a helper to run the real CLI.

Each register is a few rows per table, built from plain dicts so that a test states
only what it changes. Positions are around Ipswich (about 52.05 N, 1.15 E): 0.01 degree
of latitude is about 1.1 km, 0.01 degree of longitude about 0.69 km.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import tomli_w

SITE_DEFAULTS: dict[str, Any] = {
    "racks": 0,
    "kind": "office",
    "closure_cost": 0,
    "disposal_value": 0,
    "build_cost": 0,
    "candidate": "false",
    "services": "",
    "hosts": "",
    "secure": "false",
    "must_keep": "false",
}
FUNCTION_DEFAULTS: dict[str, Any] = {"racks": 0, "shareable": "true", "needs_secure": "false"}

#: A small town: two council offices 1.3 km apart (S1 offers public access), a police
#: office 6 km away (secure, hosts the police IT team), two zones.
TOWN: dict[str, list[dict[str, Any]]] = {
    "agencies": [
        {"agency_id": "A1", "name": "Town Council", "kind": "council"},
        {"agency_id": "A2", "name": "Police", "kind": "police"},
    ],
    "sites": [
        {"site_id": "S1", "agency_id": "A1", "name": "Town Hall", "lat": 52.05, "lon": 1.15,
         "desks": 100, "running_cost": 500_000, "services": "public_access",
         "closure_cost": 50_000, "disposal_value": 100_000},
        {"site_id": "S2", "agency_id": "A1", "name": "Annexe", "lat": 52.06, "lon": 1.16,
         "desks": 60, "running_cost": 300_000, "closure_cost": 10_000,
         "disposal_value": 200_000},
        {"site_id": "S3", "agency_id": "A2", "name": "Police Office", "lat": 52.10,
         "lon": 1.20, "desks": 40, "running_cost": 200_000, "secure": "true"},
    ],
    "functions": [
        {"function_id": "F1", "agency_id": "A1", "type": "HR", "site_id": "S1", "fte": 30,
         "annual_cost": 1_000_000},
        {"function_id": "F2", "agency_id": "A1", "type": "Finance", "site_id": "S2",
         "fte": 20, "annual_cost": 800_000},
        {"function_id": "F3", "agency_id": "A2", "type": "IT", "site_id": "S3", "fte": 10,
         "annual_cost": 500_000, "needs_secure": "true"},
    ],
    "zones": [
        {"zone_id": "Z1", "name": "Centre", "lat": 52.05, "lon": 1.15, "population": 1000},
        {"zone_id": "Z2", "name": "Outskirts", "lat": 52.07, "lon": 1.17, "population": 500},
    ],
}

#: A base scenario: no sharing, a `maintain` access rule, a short time limit.
SCENARIO: dict[str, Any] = {
    "name": "tiny",
    "data": "reg",
    "sharing": {"types": []},
    "relocation": {"cost_per_fte": 1000, "max_km": 40},
    "coverage": [{"service": "public_access", "radius_km": 5, "mode": "maintain"}],
    "solver": {"name": "highs", "time_limit_s": 30},
}


def tables(base: dict[str, list[dict[str, Any]]] | None = None) -> dict[str, list[dict]]:
    """A deep copy of a register as rows, to edit in a test."""
    return copy.deepcopy(base or TOWN)


def write_register(folder: Path, rows: dict[str, list[dict[str, Any]]]) -> Path:
    """Write rows as a CSV register folder, filling optional columns with defaults."""
    folder.mkdir(parents=True, exist_ok=True)
    defaults = {"sites": SITE_DEFAULTS, "functions": FUNCTION_DEFAULTS}
    headers = {
        "agencies": ["agency_id", "name", "kind"],
        "sites": ["site_id", "agency_id", "name", "lat", "lon", "desks", "running_cost",
                  *SITE_DEFAULTS],
        "functions": ["function_id", "agency_id", "type", "site_id", "fte", "annual_cost",
                      *FUNCTION_DEFAULTS],
        "zones": ["zone_id", "name", "lat", "lon", "population"],
        "pair_costs": ["function_id", "site_id", "annual_cost"],
    }
    for name, records in rows.items():
        full = [{**defaults.get(name, {}), **r} for r in records]
        columns = list(headers.get(name, []))
        for r in full:
            columns += [c for c in r if c not in columns]
        pd.DataFrame(full, columns=columns).to_csv(folder / f"{name}.csv", index=False)
    return folder


def deep_merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def write_scenario(path: Path, changes: dict[str, Any] | None = None,
                   base: dict[str, Any] | None = None) -> Path:
    """Write the base scenario with `changes` merged in (tables merge key by key)."""
    raw = deep_merge(base if base is not None else SCENARIO, changes or {})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomli_w.dumps(raw), encoding="utf-8")
    return path


def town(tmp_path: Path, rows: dict[str, list[dict]] | None = None,
         changes: dict[str, Any] | None = None, name: str = "tiny.toml") -> Path:
    """Write a register (default TOWN) to tmp_path/reg and a scenario beside it."""
    write_register(tmp_path / "reg", rows if rows is not None else tables())
    return write_scenario(tmp_path / name, changes)


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def json(self) -> dict[str, Any]:
        return json.loads(self.stdout)


def run_cli(cwd: Path, *args: str | Path, timeout: float = 180) -> Run:
    """Run `python -m estate ARGS` in `cwd` as a user would, not on a terminal."""
    done = subprocess.run(
        [sys.executable, "-m", "estate", *map(str, args)], cwd=cwd, capture_output=True,
        text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return Run(done.returncode, done.stdout, done.stderr)


def run_python(cwd: Path, code: str, timeout: float = 180) -> Run:
    """Run a Python snippet in a fresh interpreter (to patch estate, then call the CLI)."""
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return Run(done.returncode, done.stdout, done.stderr)
