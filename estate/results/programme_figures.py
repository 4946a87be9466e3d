"""A dated programme's figures as a plan's summary keeps them (summary.json's key
`programme`): one typed record, its one JSON form, and its one reader.

The terminal, the map's panel, the compare pages, the alternatives and the store all
read these fields; `from_json` checks each key as `estate plan` writes it and names the
one a hand edit broke (`programme.npv_saving`), so a damaged folder is a located error
wherever it is read. The tables behind the figures (programme.csv, cashflow.csv) are
`estate.results.programme.Programme`'s; these are what a summary says of them.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

import estate.results.summary_values as checked

BUDGET_COLUMNS = ("year", "date", "one_off", "one_off_limit", "fte_moved", "fte_limit",
                  "closures", "closures_limit")
"""The budget's columns, per year: the net one-off spend, staff moved and closures,
each beside its limit (inf when none; null in summary.json)."""


@dataclass(frozen=True)
class DatedFigures:
    """What a comparison keeps of a plan's dated programme (comparison.csv's
    `programme.*` columns): its NPV saving and cost, and its two payback years (the
    first year its saving so far, at today's value, is positive, and the year from which
    it stays so; None when never)."""

    npv_saving: float
    npv_cost: float
    payback_year: int | None
    lasting_payback_year: int | None


@dataclass(frozen=True)
class ProgrammeFigures(DatedFigures):
    """The figures of a dated programme that a summary states.

    `method` is "roadmap" or "joint"; `roadmap_npv` and `joint_npv` the NPVs of cost each
    found (None when that one did not run), `gap` the share by which the roadmap was
    dearer when both ran; `status` and `mip_gap` the schedule's own search;
    `unlimited_saving` the roadmap's saving without the yearly limits, when any are set;
    `changes` the rows of programme.csv; `notes` what the scheduling said.
    `payback_in_old_meaning`: the folder was written before `lasting_payback_year` was
    kept, and its `payback_year` is the year from which the saving stays positive (read
    as both years here; the store takes the first year in profit from cashflow.csv)."""

    method: str
    start: str
    status: str
    changes: int | None = None
    budget: pd.DataFrame = field(default_factory=lambda: empty_budget(), compare=False,
                                 repr=False)
    roadmap_npv: float | None = None
    joint_npv: float | None = None
    gap: float | None = None
    mip_gap: float | None = None
    unlimited_saving: float | None = None
    notes: tuple[str, ...] = ()
    payback_in_old_meaning: bool = field(default=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The plain dictionary of summary.json's `programme`, in its documented order.
        Figures read from an older folder (`payback_in_old_meaning`) are written as they
        were read, without `lasting_payback_year`, so that a summary written back (by
        `estate compare` adding policy costs) still agrees with its cashflow.csv."""
        out = {
            "method": self.method, "start": self.start, "status": self.status,
            "npv_cost": self.npv_cost, "npv_saving": self.npv_saving,
            "payback_year": self.payback_year,
            "lasting_payback_year": self.lasting_payback_year,
            "roadmap_npv": self.roadmap_npv, "joint_npv": self.joint_npv, "gap": self.gap,
            "mip_gap": self.mip_gap, "unlimited_saving": self.unlimited_saving,
            "changes": self.changes,
            "budget": [{k: _plain(v) for k, v in row.items()}
                       for row in self.budget.to_dict(orient="records")],
            "notes": list(self.notes),
        }
        if self.payback_in_old_meaning:
            del out["lasting_payback_year"]
        return out

    @classmethod
    def from_json(cls, data: Any, source: str = "summary.json") -> ProgrammeFigures:
        """Read summary.json's `programme` back; a missing or mistyped key is an
        `InputError` naming it (`programme.start`)."""
        read = checked.reader(data, source, "programme", "the dated programme's figures, "
                              "an object as `estate plan` writes it")

        def money(key: str) -> float | None:
            return read(key, checked.figure, "a number or null", True)

        old = "lasting_payback_year" not in data
        payback = read("payback_year", checked.whole, "a year or null", True)
        return cls(
            npv_saving=read("npv_saving", checked.figure, "a number"),
            npv_cost=read("npv_cost", checked.figure, "a number"),
            payback_year=payback,
            lasting_payback_year=payback if old else read(
                "lasting_payback_year", checked.whole, "a year or null", True),
            method=read("method", _method, "roadmap or joint"),
            start=read("start", checked.iso_date, "an ISO date (2027-04-01)"),
            status=read("status", checked.plain_text, "a status"),
            changes=read("changes", checked.whole, "a whole number of changes", True),
            budget=_budget(data.get("budget"), source),
            roadmap_npv=money("roadmap_npv"), joint_npv=money("joint_npv"),
            gap=read("gap", checked.at_least_nought, "a share not below 0, or null", True),
            mip_gap=read("mip_gap", checked.at_least_nought, "a gap: a number not below 0, "
                         "or null", True),
            unlimited_saving=money("unlimited_saving"),
            notes=read("notes", _notes, "a list of texts", True) or (),
            payback_in_old_meaning=old)

    def replace(self, **changes: Any) -> ProgrammeFigures:
        """A copy with some figures changed (the record itself never changes)."""
        return dataclasses.replace(self, **changes)


LIMITS = (("one_off", "one_off_limit", "net one-off spend"),
          ("fte_moved", "fte_limit", "staff changing building"),
          ("closures", "closures_limit", "closures"))
"""Each yearly limit of a programme: the budget's column of its use, of its limit, and
its name."""


def limits_set(budget: pd.DataFrame) -> list[tuple[str, str, str]]:
    """The `LIMITS` the scenario sets (finite in some year of the programme's budget)."""
    return [(used, column, what) for used, column, what in LIMITS
            if column in budget and np.isfinite(budget[column].to_numpy(float)).any()]


def sets_limits(budget: pd.DataFrame) -> bool:
    """Whether the scenario sets a yearly limit (`limits_set`): the programme is then the
    cheapest only among schedules that keep it."""
    return bool(limits_set(budget))


def empty_budget() -> pd.DataFrame:
    """A budget of no years, with the budget's columns."""
    return pd.DataFrame({c: pd.Series(dtype=object if c == "date" else float)
                         for c in BUDGET_COLUMNS})


BUDGET_VALUES: dict[str, tuple[Callable[[Any], Any], str]] = {
    "year": (checked.whole, "a year of the horizon"),
    "date": (checked.iso_date, "an ISO date (2027-04-01)"),
    "one_off": (checked.figure, "a number"), "fte_moved": (checked.figure, "a number"),
    "closures": (checked.whole, "a whole number"),
    "one_off_limit": (checked.figure, "a number or null"),
    "fte_limit": (checked.figure, "a number or null"),
    "closures_limit": (checked.figure, "a number or null")}
"""How each value of a budget year is read, and what `estate plan` writes there."""


def _budget(rows: Any, source: str) -> pd.DataFrame:
    """The yearly budget use from summary.json (a limit written null is no limit); a
    bad year or value is named (`programme.budget[2].one_off`)."""
    years = checked.listed(rows, source, "programme.budget",
                           f"a list of years, each {_YEAR}", _budget_year)
    frame = pd.DataFrame(years, columns=list(BUDGET_COLUMNS))
    return frame.astype({"year": int, "date": str, "closures": int}) if years else frame


_YEAR = "{" + ", ".join(BUDGET_COLUMNS) + "}"


def _budget_year(row: Any, where: str, source: str) -> dict[str, Any]:
    """One year of the budget, each limit written null read as no limit (inf)."""
    read = checked.reader(row, source, where, _YEAR)
    values = {column: read(column, kind, expected, column.endswith("_limit"))
              for column, (kind, expected) in BUDGET_VALUES.items()}
    return {k: math.inf if v is None else v for k, v in values.items()}


def _method(value: Any) -> str:
    if value not in ("roadmap", "joint"):
        raise ValueError(value)
    return str(value)


def _notes(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(value)
    return tuple(value)


def _plain(value: Any) -> Any:
    """A budget cell as JSON holds it: no limit (inf) as null, numpy scalars as Python's."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value.item() if hasattr(value, "item") else value
