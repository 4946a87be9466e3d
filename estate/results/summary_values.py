"""How each value of summary.json is checked and typed: the ranges, types and tables a
plan's summary holds, and the words that say what `estate plan` writes at a key when a
hand edit put something else there. `estate.results.summary` reads a whole summary with
these; they know nothing of the record itself.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from estate.errors import InputError, Problem, range_words
from estate.status import Status

PLAN_FROM = ("snapshot", "programme")
"""Where a dated plan's tables come from (the summary's `plan_from`): the snapshot
model's optimum, or the dated programme's end state when the exact model over all years
chose another one (docs/programme.md)."""


def pence(value: float) -> str:
    """Pounds to the penny, as a hand edit must be shown (-£1,200.00)."""
    return f"{'-' if value < 0 else ''}£{abs(value):,.2f}"


def bad(source: str, key: str | None, expected: str, found: str) -> InputError:
    return InputError([Problem(source, None, key, expected, found, label="key")])


NUMBERS = {"objective_npv", "status_quo_npv", "npv_saving", "annual_cost_before",
            "annual_cost_after", "annual_saving", "one_off_cost", "fte_relocated",
            "solve_seconds", "discount_rate"}
COUNTS = ("sites_before", "sites_after", "sites_closed", "sites_opened", "shared_centres")

Range = tuple[Any, float, float]


def disjoint(*parts: Mapping[str, Range]) -> dict[str, Range]:
    """The parts as one table, refusing a key two parts give: merged with `**`, the later
    part's range would silently replace the earlier one (a horizon of 0 years passing as
    a count of 0 sites)."""
    table: dict[str, Range] = {}
    for part in parts:
        twice = sorted(table.keys() & part.keys())
        if twice:
            raise ValueError(f"summary ranges given twice: {', '.join(twice)}")
        table.update(part)
    return table


RANGES = disjoint({"horizon_years": (int, 1, 10_000), "discount_rate": (float, 0.0, 1.0),
                    "mip_gap": (float, 0.0, 1e9)},
                   {key: (int, 0, 1e9) for key in COUNTS})
"""Keys whose values every page divides by, counts to or formats: any other value is a
hand-edited summary, refused before it costs a crash or the memory of a million years."""


def within(key: str, value: Any) -> Any:
    """A number of `RANGES` (mip_gap may be null: no gap known)."""
    if key == "mip_gap" and value is None:
        return None
    kind, lo, hi = RANGES[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or \
            not math.isfinite(value):
        raise ValueError(value)  # "0.05", true or Infinity: a finite JSON number is written
    number = kind(value)
    if kind is int and number != value:
        raise ValueError(value)  # 2.5 sites, or "3"
    if not lo <= number <= hi:
        raise ValueError(value)
    return number


def number(value: Any) -> float:
    """A figure as `estate plan` writes it: a finite JSON number, or null (NaN: a run
    with no plan has no cost). A text, NaN or Infinity is a hand edit."""
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, int | float) or \
            not math.isfinite(value):
        raise ValueError(value)
    return float(value)


def figure(value: Any) -> float:
    """An agency's figure: a finite JSON number (an agency is listed only with a plan)."""
    if value is None:
        raise ValueError(value)
    return number(value)


class Wrong(ValueError):
    """A value of the wrong JSON type at `key` (dotted, inside a table), with what
    `estate plan` writes there."""

    def __init__(self, key: str, expected: str, value: Any) -> None:
        super().__init__(key)
        self.key, self.expected, self.value = key, expected, value


def found_words(value: Any) -> str:
    """A value as a message shows it, with its JSON type (a null, a list, a number)."""
    kind = {type(None): "null", bool: "true/false", int: "a number", float: "a number",
            str: "a text", list: "a list", dict: "an object"}.get(type(value), "a value")
    return f"{value!r:.80} ({kind})" if value is not None else "null"


def text(value: Any, key: str) -> str:
    """A text of summary.json: a JSON string, never null, a number or a list read as one
    ("Estate plan: None")."""
    if not isinstance(value, str):
        raise Wrong(key, "a text in quotes, as `estate plan` writes it", value)
    return value


def flag(value: Any, key: str) -> bool:
    """true or false: a hand-edited "no" is not True."""
    if not isinstance(value, bool):
        raise Wrong(key, "true or false", value)
    return value


TABLES = ("model_size", "areas", "policy_costs", "alternative", "alternatives")

class PolicyStatus(StrEnum):
    """What became of each policy `--policy-costs` was asked to price (`policy_costs`'
    `status` in summary.json, written as its plain value and compared with the text read
    back): its cost found, nothing to price, not priced (and why), no optimum found."""

    PRICED = "priced"
    NOT_SET = "not_set"
    DECLINED = "declined"
    FAILED = "failed"


def table(key: str, value: Any) -> Mapping[str, Any] | None:
    """An optional table of summary.json: null, or an object (policy costs: of objects),
    so that whatever reads it later finds the shape `estate plan` wrote."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TypeError(key)
    if key == "policy_costs":
        for entry in value.values():
            policy_cost(entry)
    return value


def cost_range(entry: Mapping[str, Any]) -> tuple[float | None, float | None]:
    """The least and the most a policy can cost: its solvers' bounds when a solve stopped
    short of proof (`npv_low`, `npv_high`; the high None when no bound was found), else
    its cost twice; (None, None) when it was not priced."""
    if "npv_low" in entry:
        high = entry.get("npv_high")
        return entry["npv_low"], high if high is not None and math.isfinite(high) else None
    return entry.get("npv"), entry.get("npv")


def policy_cost(entry: Any) -> None:
    """One policy's entry as `estate.runs.policy` writes it: a status, its sentence (what
    the board pack prints) and its cost, a finite number or null."""
    if not isinstance(entry, Mapping) or entry.get("status") not in tuple(PolicyStatus) \
            or not isinstance(entry.get("sentence"), str):
        raise TypeError("policy_costs")
    if entry.get("npv") is not None:
        number(entry["npv"])
    for end in ("npv_low", "npv_high"):  # an unproven cost's range (no bound above: null)
        if entry.get(end) is not None:
            number(entry[end])


EXPECTED = {"status": "one of " + ", ".join(s.value for s in Status),
             **{key: f"a number {range_words(lo, hi)}" for key, (_, lo, hi) in RANGES.items()},
             **{key: "an object, as `estate plan` writes it (or no such key)"
                for key in TABLES},
             "policy_costs": "an object of policies, each with a status (priced, not_set, "
                             "declined or failed), a sentence and an npv (a number or null)",
             **{key: "a finite number or null" for key in ("payback_years",
                                                         "one_off_receipts",
                                                         "lease_cost_npv",
                                                         "receipts_after_horizon",
                                                         "snapshot_npv_saving",
                                                         "year_one_npv_saving")},
             "plan_from": "one of " + ", ".join(PLAN_FROM),
             "snapshot_differs": "a list of texts",
             "status_quo_breaches": "a list of {rule, place}",
             "plan_breaches": "a list of {rule, place}",
             "agencies": "an object of agencies, each with name, annual_cost_before, "
                         "annual_cost_after, one_off_cost and worse_off"}
