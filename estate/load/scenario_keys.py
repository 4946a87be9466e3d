"""The keys a scenario file may hold, with their defaults: what `estate.load.scenario`
checks a file against, and what `estate.load.toml_text` reads a line without its `=`
by (`discount rate 0.035` is the key discount_rate and its value), so both know the
same keys."""

from __future__ import annotations

import math
from typing import Any

DEFAULTS: dict[str, Any] = {
    "name": "",
    "agencies": [],
    "horizon_years": 10,
    "discount_rate": 0.035,
    "crs": "",
    "sharing": {
        "types": ["IT", "HR", "Finance"],
        "efficiency": 0.15,
        "setup_cost": 250000.0,
        "min_agencies": 2,
    },
    "relocation": {"cost_per_fte": 5000.0, "max_km": 40.0},
    "assignment": {"split": False},
    "coverage": [],
    "policy": {
        "keep": [],
        "close": [],
        "max_one_off": math.inf,
        "closable_kinds": ["office", "depot", "data_centre", "hub"],
    },
    "solver": {"name": "highs", "time_limit_s": 300.0, "mip_gap": 0.0001,
               "site_configurations": False},
    "start": "",
    "programme": {
        "max_one_off_per_year": math.inf,
        "max_fte_moved_per_year": math.inf,
        "max_closures_per_year": math.inf,
    },
}
COVERAGE_DEFAULTS: dict[str, Any] = {
    "service": "public_access",
    "radius_km": 15.0,
    "mode": "maintain",
    "population_share": 0.95,
}

TABLES = frozenset([*(k for k, v in DEFAULTS.items() if isinstance(v, dict)), "coverage"])
"""The [headers] a scenario file may have."""
KEY_NAMES = frozenset([*DEFAULTS, "data", *COVERAGE_DEFAULTS,
                       *(sub for v in DEFAULTS.values() if isinstance(v, dict) for sub in v)])
"""Every key name of every table, a header's own name included."""
