"""estate: plan the shared estate of several public-sector agencies at least cost.

The package reads as its pipeline (docs/internals.md): `load` (read and check a
register and a scenario), `prepare` (distances, eligible pairs, coverage sets), `model`
(the MILP as arrays), `solve` (solvers), `results` (KPIs, who pays), `store` (results
folders), `pipeline` (one locality end to end), `runs` (areas, policy costs, sweeps,
comparisons), `render` and `maps` (pages and maps); `api` and `cli` are the shell.
"""

from estate.api import (
    plan,
    prepare_scenario,
    solve_prepared,
    solver_options,
    validate,
    validate_scenario,
)
from estate.errors import EstateError, InfeasibleError, InputError, NoSolutionError, Problem
from estate.load.scenario import Scenario, load_scenario
from estate.load.validate import Register, load_register
from estate.results import Plan
from estate.status import Status

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
    "load_register",
    "load_scenario",
    "plan",
    "prepare_scenario",
    "solve_prepared",
    "solver_options",
    "validate",
    "validate_scenario",
]
