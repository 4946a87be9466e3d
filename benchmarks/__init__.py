"""Speed, memory and correctness at scale, measured apart from the tests.

A package so that each script runs from the repository root as a module
(`python -m benchmarks.run_stages county`), its siblings import as `benchmarks.scale`,
and the tests import what they share with it (`from benchmarks import orlib`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import highspy
import numpy as np

from estate.load.scenario import Scenario, load_scenario
from estate.load.validate import Register, load_register
from estate.model.arrays import EstateModel
from estate.results import Plan
from estate.runs.national import plan_register
from estate.solve.highs import solver_output


@dataclass(frozen=True)
class Planned:
    """A scenario planned at its own gap, as `estate plan` plans it: where the scripts
    that time what comes after a plan start from."""

    scenario: Scenario
    register: Register
    model: EstateModel | None
    plan: Plan
    seconds: float

    def headline(self) -> str:
        return (f"{self.scenario.name}: plan at mip_gap {self.scenario.mip_gap:g}, "
                f"£{self.plan.summary.objective_npv / 1e6:,.3f}m, {self.seconds:.1f} s")


def planned(path: str | Path) -> Planned:
    """Read `path` and its register, then plan it (HiGHS's banner kept off the screen)."""
    with solver_output(False):  # HiGHS's banner comes with a process's first Highs
        highspy.Highs()
    scenario = load_scenario(path)
    register = load_register(scenario.data)
    t0 = time.perf_counter()
    model, plan = plan_register(scenario, register)
    return Planned(scenario, register, model, plan, time.perf_counter() - t0)


def handed_back(h: highspy.Highs, model: EstateModel) -> float:
    """The price of the plan `h` handed back after its run (nan: none), priced from its
    vector, as estate prices it (`estate.solve.highs.priced_plan`)."""
    if h.getInfo().primal_solution_status != 2:  # kSolutionStatusFeasible
        return float("nan")
    return float(model.col_cost @ np.asarray(h.getSolution().col_value)) + model.obj_constant
