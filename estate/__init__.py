"""estate: plan the shared estate of several public-sector agencies at least cost.

The stages, one module each: `validate` (load and check a register), `scenario`,
`geometry` (eligible pairs, coverage sets), `model` (the MILP as arrays), `solvers`,
`results` (KPIs, who pays), `store` (results folder), `maps`.
"""

from estate.api import plan, prepare_scenario, solve_prepared, solver_options, validate
from estate.errors import EstateError, InfeasibleError, InputError, NoSolutionError, Problem
from estate.results import Plan
from estate.scenario import Scenario, load_scenario
from estate.validate import Register, load_register

__all__ = [
    "EstateError",
    "InfeasibleError",
    "InputError",
    "NoSolutionError",
    "Plan",
    "Problem",
    "Register",
    "Scenario",
    "load_register",
    "load_scenario",
    "plan",
    "prepare_scenario",
    "solve_prepared",
    "solver_options",
    "validate",
]
