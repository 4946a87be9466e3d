"""How a run ended, as one typed value everyone reads the same way.

The solver adapters, the pipeline, the runs (areas, sweeps, comparisons, policy costs)
and the pages all speak of a run's ending through `Status`. It is a `StrEnum`, so it is
written to `summary.json` and CSV files as its plain value (`"optimal"`) and read back
with `Status(text)`. `status_of` is the one place an exception becomes a status.
"""

from __future__ import annotations

from enum import StrEnum

from estate.errors import EstateError, InfeasibleError, InputError, NoSolutionError


class Status(StrEnum):
    """The ending of one planning run."""

    OPTIMAL = "optimal"  # a plan proven within the scenario's mip_gap
    TIME_LIMIT = "time_limit"  # a plan, stopped by the time limit; its gap is stated
    INFEASIBLE = "infeasible"  # no plan meets every rule
    NO_SOLUTION = "no_solution"  # the time limit came before any plan
    INVALID = "invalid"  # the inputs were rejected before solving
    ERROR = "error"  # anything unexpected

    @property
    def has_plan(self) -> bool:
        """True when the run produced a plan (proven or not)."""
        return self in (Status.OPTIMAL, Status.TIME_LIMIT)

    @property
    def settled(self) -> bool:
        """True when running again with the same inputs would end the same way."""
        return self in (Status.OPTIMAL, Status.TIME_LIMIT, Status.INFEASIBLE, Status.INVALID)


# From better to worse: a merged run (national areas) takes the worst of its parts.
SEVERITY = (Status.OPTIMAL, Status.TIME_LIMIT, Status.NO_SOLUTION, Status.INFEASIBLE,
            Status.INVALID, Status.ERROR)


def worst(statuses: list[Status]) -> Status:
    """The worst of several endings (OPTIMAL for none)."""
    return max(statuses, key=SEVERITY.index, default=Status.OPTIMAL)


def status_of(exc: BaseException) -> Status:
    """The status a run that raised `exc` ended with."""
    if isinstance(exc, InputError):
        return Status.INVALID
    if isinstance(exc, InfeasibleError):
        return Status.INFEASIBLE
    if isinstance(exc, NoSolutionError):
        return Status.NO_SOLUTION
    if isinstance(exc, EstateError) and exc.exit_code == 1:
        return Status.INVALID
    return Status.ERROR
