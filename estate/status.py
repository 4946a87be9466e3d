"""How a run ended, as one typed value everyone reads the same way.

The solver adapters, the pipeline, the runs (areas, sweeps, comparisons, policy costs)
and the pages all speak of a run's ending through `Status`. It is a `StrEnum`, so it is
written to `summary.json` and CSV files as its plain value (`"optimal"`) and read back
with `Status(text)`. `status_of` is the one place an exception becomes a status, and
`Failure` the one form a run that ended without a plan is printed in as JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from estate.errors import EstateError, InfeasibleError, InputError, NoSolutionError, Problem
from estate.shown_text import json_safe


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


PLANNED = tuple(s.value for s in Status if s.has_plan)
"""The statuses of runs with a plan, as their plain values: a status read back from a
file (summary.json, comparison.csv, sweep.csv) is text, tested with `in PLANNED`."""

# From better to worse: a merged run (national areas) takes the worst of its parts.
SEVERITY = (Status.OPTIMAL, Status.TIME_LIMIT, Status.NO_SOLUTION, Status.INFEASIBLE,
            Status.INVALID, Status.ERROR)


def worst(statuses: list[Status]) -> Status:
    """The worst of several endings (OPTIMAL for none)."""
    return max(statuses, key=SEVERITY.index, default=Status.OPTIMAL)


def status_of(exc: BaseException) -> Status:
    """The status a run that raised `exc` ended with: bad input, or an output that could
    not be written (`OutputError`, exit 1 as bad input is), is `INVALID` (README, `--json`)."""
    if isinstance(exc, InputError):
        return Status.INVALID
    if isinstance(exc, InfeasibleError):
        return Status.INFEASIBLE
    if isinstance(exc, NoSolutionError):
        return Status.NO_SOLUTION
    if isinstance(exc, EstateError) and exc.exit_code == 1:
        return Status.INVALID
    return Status.ERROR


@dataclass(frozen=True)
class Failure:
    """A run that ended without a plan, as `estate plan --json` prints it on stdout, so
    that a script reads why as it reads a plan: the status, the message the user is
    shown, and, as the error has them, every input problem (and the warnings found beside
    them), or the reasons no plan meets the rules and the keys to relax."""

    status: Status
    message: str
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    reasons: tuple[str, ...] = ()
    relax: tuple[str, ...] = ()

    @classmethod
    def of(cls, exc: BaseException, message: str = "") -> Failure:
        """The failure `exc` is; `message`: what the user is told, when not `str(exc)`."""
        return cls(status_of(exc), message or str(exc),
                   tuple(exc.problems) if isinstance(exc, InputError) else (),
                   tuple(exc.warnings) if isinstance(exc, InputError | InfeasibleError)
                   else (),
                   tuple(exc.reasons) if isinstance(exc, InfeasibleError) else (),
                   exc.keys if isinstance(exc, InfeasibleError) else ())

    def to_json(self) -> dict[str, Any]:
        """The keys a script reads: `status` and `message` always, then `problems` and
        `warnings` (each: file, row, column, label, expected, found) for bad input, or
        `reasons`, `relax` and `warnings` for an infeasible scenario (lists: `relax` the
        keys to change, each once; `warnings` those found readying it, one of which may
        explain the reasons). `message` is the words as the terminal shows them (a
        control character or direction override in a quoted path replaced,
        `shown_text.for_terminal`); the problems' fields keep the text as it was given,
        for a script to match, escaped in the JSON (`failure_json`)."""
        data: dict[str, Any] = {"status": str(self.status), "message": self.message}
        if self.status == Status.INVALID:
            data["problems"] = [p.to_json() for p in self.problems]
            data["warnings"] = [w.to_json() for w in self.warnings]
        if self.status == Status.INFEASIBLE:
            data["reasons"] = list(self.reasons)
            data["relax"] = list(self.relax)
            data["warnings"] = [w.to_json() for w in self.warnings]
        return data


def failure_json(failure: Failure) -> str:
    """The failure as one line of JSON, as `summary_json(compact=True)` prints a plan."""
    return json_safe(json.dumps(failure.to_json(), ensure_ascii=False, separators=(",", ":")))
