"""estate: plan the shared estate of several public-sector agencies at least cost.

The package reads as its pipeline (docs/internals.md): `load` (read and check a
register and a scenario), `prepare` (distances, eligible pairs, coverage sets), `model`
(the MILP as arrays), `solve` (solvers), `results` (KPIs, who pays), `store` (results
folders), `pipeline` (one locality end to end), `runs` (areas, policy costs, sweeps,
comparisons), `render` and `maps` (pages and maps); `api` and `cli` are the shell.

The names below are imported when first used, not with the package: `import estate`
stays light, so the command line can take Ctrl-C from its first moment (the heavy
libraries load inside `estate.__main__.main`, which says "Interrupted" rather than
showing a traceback of an import cut short).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from estate.api import (
        compare,
        draw_map,
        plan,
        prepare_scenario,
        report,
        solve_prepared,
        solver_options,
        sweep,
        validate,
        validate_scenario,
    )
    from estate.errors import EstateError, InfeasibleError, InputError, NoSolutionError, Problem
    from estate.load.scenario import Scenario, load_scenario, scenario_from_dict
    from estate.load.validate import Register, load_register
    from estate.results import Plan
    from estate.status import Status

_HOME = {
    "EstateError": "estate.errors", "InfeasibleError": "estate.errors",
    "InputError": "estate.errors", "NoSolutionError": "estate.errors",
    "Problem": "estate.errors", "Plan": "estate.results", "Register": "estate.load.validate",
    "Scenario": "estate.load.scenario", "Status": "estate.status",
    "load_register": "estate.load.validate", "load_scenario": "estate.load.scenario",
    "scenario_from_dict": "estate.load.scenario", "compare": "estate.api",
    "report": "estate.api", "sweep": "estate.api", "draw_map": "estate.api",
    "plan": "estate.api", "prepare_scenario": "estate.api", "solve_prepared": "estate.api",
    "solver_options": "estate.api", "validate": "estate.api", "validate_scenario": "estate.api",
}
"""Each public name and the module it comes from."""

__all__ = [
    "EstateError",
    "InfeasibleError",
    "InputError",
    "NoSolutionError",
    "Plan",
    "Problem",
    "Register",
    "Scenario",
    "Status",
    "compare",
    "draw_map",
    "load_register",
    "load_scenario",
    "plan",
    "prepare_scenario",
    "report",
    "scenario_from_dict",
    "solve_prepared",
    "solver_options",
    "sweep",
    "validate",
    "validate_scenario",
]


def __getattr__(name: str) -> Any:
    """A public name, imported from its module the first time it is asked for."""
    if name not in _HOME:
        raise AttributeError(f"module 'estate' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME))
