"""What a solve is asked and what it answers, shared by every solver adapter.

Kept apart from the registry (`estate.solve`) so that the adapters (`highs`, `pulp`) and
the first-plan search can use these types without importing the registry that imports
them.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from estate.status import Status


@dataclass(frozen=True)
class SolverOptions:
    """How to solve: the scenario's `[solver]` table, plus how HiGHS is reached."""

    name: str = "highs"
    time_limit_s: float = 300.0
    mip_gap: float = 1e-4
    verbose: bool = False
    # HiGHS straight from the arrays (the default: no per-row PuLP objects, and the
    # columns in the model's own order, which HiGHS searches better than PuLP's
    # name-sorted order). False sends HiGHS through PuLP; CBC always goes through PuLP.
    direct: bool = True
    # Before the main search, look for a first plan in the LP-guided restricted model
    # (estate.solve.first_plan; models with shared centres only, direct HiGHS only).
    first_plan: bool = True
    # Instead of that step, the site-configuration search (estate.solve.configurations;
    # `solver.site_configurations`): a plan made of whole sites and a bound that knows
    # each site's packing. Models planned whole (up to 60,000 columns), direct HiGHS only.
    site_configurations: bool = False
    # Told where a long search stands as it runs (`estate.solve.progress`); not part of
    # what is asked, so it is left out of comparisons.
    on_progress: OnProgress | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class StartReport:
    """What the first-plan step did, for progress lines and the benchmark."""

    used: bool
    lp_bound: float = math.nan
    objective: float = math.nan
    centres_allowed: int = 0
    seconds: float = 0.0
    reason: str = ""
    windows: int = 0  # windows planned in turn (0: none)
    windows_improved: int = 0
    # the LP-guided plan before window passes improved it (nan: no such passes)
    before_windows: float = math.nan
    # the site-configuration search (0 configurations: not run): its rounds, the
    # configurations in its master and its bound (-inf: no round priced every site)
    rounds: int = 0
    configurations: int = 0
    configuration_bound: float = -math.inf
    # HiGHS's search of the whole model ran from this plan (False: window passes used
    # the time, and their plan is the answer)
    searched_after: bool = True


GAP_NOISE = 1e-9
"""A relative gap smaller than this is floating-point noise between a proven plan and its
bound (2e-16 is one rounding step of an NPV of £70m), not a distance from the best."""


@dataclass(frozen=True)
class Solution:
    """What the solver found: a typed status, the objective, its bound and the gap.

    The gap is recorded here, for every solver and every search, with noise below
    `GAP_NOISE` as 0: every output (summary.json, sweep.csv, the pages) shows it as
    given, so a proven optimum reads 0 everywhere without each formatter rounding it."""

    status: Status
    objective: float
    bound: float
    mip_gap: float
    seconds: float
    solver: str
    values: np.ndarray | None
    message: str = ""
    first_plan: StartReport | None = None  # what the first-plan step did (direct HiGHS)

    def __post_init__(self) -> None:
        if abs(self.mip_gap) < GAP_NOISE:
            object.__setattr__(self, "mip_gap", 0.0)


def relative_gap(objective: float, bound: float) -> float:
    """|plan - bound| / |plan|, HiGHS's own measure (infinite for a plan of 0 and another
    bound)."""
    if objective == bound:
        return 0.0
    return abs(objective - bound) / abs(objective) if objective else math.inf


def notes(*messages: str) -> str:
    """The solver's notes on one answer as one message: the non-empty ones, each once, in
    the order given (an answer combined from two searches can carry the same note twice)."""
    return "; ".join(dict.fromkeys(m for m in messages if m))


def above_plan(bound: float, plan: float) -> bool:
    """A bound above a plan beyond rounding (a millionth of it and a pound): a defect in
    whatever gave the bound, never a proof."""
    return bound > plan + 1e-6 * abs(plan) + 1.0


def with_bound(solution: Solution, bound: float, mip_gap: float,
               source: str = "site-configuration bound") -> Solution:
    """The answer with a bound found apart from its search (valid for the whole model):
    the higher of the two, the gap and status to match. Unchanged with no plan or no
    such bound (-inf). A bound above the plan (beyond rounding) is a defect, not a
    proof: it is dropped, with a message naming its `source`."""
    if not (solution.status.has_plan and math.isfinite(bound)):
        return solution
    if above_plan(bound, solution.objective):
        said = notes(solution.message, f"the {source} came out above a plan and was not used")
        return dataclasses.replace(solution, message=said)
    bound = min(max(solution.bound, bound), solution.objective)
    gap = relative_gap(solution.objective, bound)
    status = Status.OPTIMAL if gap <= mip_gap + 1e-9 else solution.status
    return dataclasses.replace(solution, bound=bound, mip_gap=gap, status=status)


class SearchPhase(enum.Enum):
    """The part of a solve a progress report comes from."""

    CONFIGURATIONS = "site configurations"  # the column generation's rounds
    FIRST_PLAN = "first plan"  # the LP-guided first plan, beside the LP's bound
    LP_BOUND = "LP bound"  # the LP's bound from PDLP's prices (models too big for the root)
    # the LP bound raised by packing the LP's fractional sites whole (`site_bound`)
    SITE_BOUND = "bound with sites packed whole"
    SEARCH = "search"  # HiGHS's branch and bound (both passes of a restarted search)


@dataclass(frozen=True)
class SearchProgress:
    """Where a running solve stands: seconds since it began, the best plan's NPV so far
    (nan: none yet), the lowest NPV any plan can have as proven so far (-inf: nothing
    proven yet) and the site-configuration rounds run (0 outside that search). Plans
    only fall and bounds only rise from one report to the next."""

    phase: SearchPhase
    seconds: float
    plan: float
    bound: float
    rounds: int = 0

    @property
    def gap(self) -> float:
        """Between the plan and the bound (`relative_gap`); inf while either is missing."""
        if math.isfinite(self.plan) and math.isfinite(self.bound):
            return relative_gap(self.plan, self.bound)
        return math.inf


# Told where a solve stands. It may be called from a thread other than the one that
# runs the solve (the LP bound found beside the window passes), one call at a time:
# it must not wait on the solve's own thread.
OnProgress = Callable[[SearchProgress], None]
