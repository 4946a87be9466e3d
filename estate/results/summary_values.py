"""How each value of summary.json is checked and typed: the ranges, types and tables a
plan's summary holds, and the words that say what `estate plan` writes at a key when a
hand edit put something else there. `estate.results.summary` reads a whole summary with
these; they know nothing of the record itself.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

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
    number = kind(figure(value))  # "0.05", true or Infinity: a finite JSON number is written
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
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(value)
    try:
        number = float(value)  # a whole number of 400 digits is no float
    except OverflowError:
        raise ValueError(value) from None
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def figure(value: Any) -> float:
    """An agency's figure: a finite JSON number (an agency is listed only with a plan)."""
    if value is None:
        raise ValueError(value)
    return number(value)


def whole(value: Any) -> int:
    """A year or a count: a whole JSON number, not below 0 (2.0 is 2; true is not 1)."""
    number = figure(value)
    if number != int(number) or number < 0 or number > 1e9:
        raise ValueError(value)
    return int(number)


def at_least_nought(value: Any) -> float:
    """A gap, a policy's cost or a count of seconds: a finite JSON number, not below 0
    (`estate plan` writes none below)."""
    number = figure(value)
    if number < 0:
        raise ValueError(value)
    return number


def iso_date(value: Any) -> str:
    """An ISO date as written (2027-04-01)."""
    if not isinstance(value, str):
        raise ValueError(value)
    dt.date.fromisoformat(value)
    return value


def plain_text(value: Any) -> str:
    """A JSON string, as is."""
    if not isinstance(value, str):
        raise ValueError(value)
    return value


def reader(data: Any, source: str, where: str, shape: str) -> Callable[..., Any]:
    """`read(name, kind, expected, optional=False)`: the value at `name` of the table
    `data` (summary.json's `where`), typed by `kind`; null or missing is None when
    `optional`; anything `kind` refuses is an `InputError` naming `where.name`, with
    what `estate plan` writes there (`expected`) and what was found. `data` that is not
    an object is one naming `where`, expected `shape`."""
    if not isinstance(data, Mapping):
        raise bad(source, where, shape, _found(data))

    def read(name: str, kind: Callable[[Any], Any], expected: str,
             optional: bool = False) -> Any:
        value = data.get(name)
        if value is None and optional:
            return None
        try:
            if value is None:
                raise ValueError(name)
            return kind(value)
        except (TypeError, ValueError):
            raise bad(source, f"{where}.{name}", expected, _found(value)) from None
    return read


Entry = TypeVar("Entry")


def entries(data: Any, source: str, where: str, shape: str,
            read_one: Callable[[Any, str, str], Entry]) -> dict[str, Entry]:
    """A table of records by key (summary.json's `policy_costs`, `areas`): each read by
    `read_one(value, key, source)`; `data` that is not an object names `where`."""
    if not isinstance(data, Mapping):
        raise bad(source, where, shape, _found(data))
    return {str(key): read_one(value, str(key), source) for key, value in data.items()}


def listed(data: Any, source: str, where: str, shape: str,
           read_one: Callable[[Any, str, str], Entry]) -> list[Entry]:
    """A list of records (an alternative's `sites_differ`, the plans of `alternatives`):
    each read by `read_one(value, "<where>[i]", source)`; `data` that is not a list names
    `where`, expected `shape`."""
    if not isinstance(data, list):
        raise bad(source, where, shape, _found(data))
    return [read_one(value, f"{where}[{i}]", source) for i, value in enumerate(data)]


def _found(value: Any) -> str:
    return "nothing" if value is None else found_words(value)


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


TABLES = ("model_size",)

def table(key: str, value: Any) -> Mapping[str, Any] | None:
    """An optional table of summary.json: null, or an object, so that whatever reads it
    later finds the shape `estate plan` wrote."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TypeError(key)
    return value


EXPECTED = {"status": "one of " + ", ".join(s.value for s in Status),
             **{key: f"a number {range_words(lo, hi)}" for key, (_, lo, hi) in RANGES.items()},
             **{key: "an object, as `estate plan` writes it (or no such key)"
                for key in TABLES},
             **{key: "a finite number or null" for key in ("payback_years",
                                                         "one_off_receipts",
                                                         "lease_cost_npv",
                                                         "receipts_after_horizon",
                                                         "booked_early_npv",
                                                         "snapshot_npv_saving",
                                                         "year_one_npv_saving")},
             "plan_from": "one of " + ", ".join(PLAN_FROM),
             "snapshot_differs": "a list of texts",
             "snapshot_status": "one of " + ", ".join(s.value for s in Status),
             "snapshot_mip_gap": "a number " + range_words(*RANGES["mip_gap"][1:]) + " or null",
             "status_quo_breaches": "a list of {rule, place}",
             "plan_breaches": "a list of {rule, place}",
             "agencies": "an object of agencies, each with name, annual_cost_before, "
                         "annual_cost_after, one_off_cost and worse_off"}
