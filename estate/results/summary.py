"""The summary of a plan: one frozen, typed record, and its one JSON form.

Everything that reports a plan reads this record: the terminal lines, `summary.json`
(written and read by `estate.store`), maps, comparisons and sweeps. `to_json` gives the
plain dictionary that `summary.json` holds; `from_json` reads it back and says which key
is missing or wrong, so a damaged results folder is a located error, not a crash.
`flat` is the one way a summary becomes a table row (comparison.csv, sweep.csv).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import estate.results.summary_values as checked
from estate.errors import InputError, Problem
from estate.load.free_text import REFUSED, hidden_texts
from estate.results.alternative_figures import AlternativeFigures, Alternatives
from estate.results.area_figures import AreaFigures, read_areas
from estate.results.policy_cost import PolicyCost, read_policy_costs
from estate.results.programme_figures import ProgrammeFigures
from estate.status import Status


@dataclass(frozen=True)
class AgencyFigures:
    """One agency's share of the plan: who pays, and whether it ends up paying more."""

    name: str
    annual_cost_before: float
    annual_cost_after: float
    one_off_cost: float
    worse_off: bool


@dataclass(frozen=True)
class Breach:
    """A rule the status quo (or a dated programme's end state, `plan_breaches`) breaks,
    and where or how (`area` only in a national register)."""

    rule: str
    place: str
    area: str = ""

    def to_json(self) -> dict[str, str]:
        return {"rule": self.rule, "place": self.place, **({"area": self.area} if self.area
                                                            else {})}


# Keys written only when they have a value (a national run has areas, a plan priced
# with --policy-costs has policy costs, ...), in the order summary.json shows them.
OPTIONAL = ("crs", "model_size", "one_off_receipts", "lease_cost_npv", "receipts_after_horizon",
            "booked_early_npv", "programme", "year_one_npv_saving", "plan_from",
            "snapshot_npv_saving", "snapshot_differs", "snapshot_status", "snapshot_mip_gap",
            "plan_breaches", "areas", "area_count", "policy_costs", "alternative",
            "alternatives")


OWN_CHANGES_DATED = "own changes dated, no yearly limits"
"""What the saving of a plan with a start date and no programme counts, in the words every
page and table says it with ("its own changes dated, no yearly limits")."""


class SavingBasis(StrEnum):
    """What a plan's `npv_saving` counts (comparison.csv's and sweep.csv's
    `npv_saving_basis`), so scenarios of different kinds are not ranked as alike."""

    PROGRAMME = "dated programme"
    """A programme is scheduled: each change in the year the programme makes it."""
    WHEN_POSSIBLE = f"the plan's {OWN_CHANGES_DATED}"
    """A start date and no programme: what the plan's own changes realise, dated at
    least cost with no yearly limits (docs/programme.md, "Planned without a programme");
    a folder written before then counted each change from the soonest any programme
    could make it."""
    YEAR_ONE = "every change in year 1"
    """No start date: no rent after a site closes, no wait for a sale."""


def blank(value: Any) -> bool:
    """A figure with no value: None, NaN, or an empty (or "nan") cell of a table read
    back as text."""
    if isinstance(value, str):
        return value.strip() in ("", "nan", "None")
    return value is None or value != value


def saving_basis(programme: Any, lease_cost_npv: Any) -> SavingBasis:
    """What the `npv_saving` of a plan counts, from its summary's `programme` and
    `lease_cost_npv` (a comparison row's `programme.npv_saving` serves for the first):
    the one rule the compare pages, the board pack and the tables share."""
    if not blank(programme):
        return SavingBasis.PROGRAMME
    return SavingBasis.YEAR_ONE if blank(lease_cost_npv) else SavingBasis.WHEN_POSSIBLE


@dataclass(frozen=True)
class Summary:
    """The figures a business case quotes, for one plan (or one merged national plan)."""

    scenario: str
    status: Status
    objective_npv: float
    status_quo_npv: float
    status_quo_feasible: bool
    status_quo_breaches: tuple[Breach, ...]
    npv_saving: float
    annual_cost_before: float
    annual_cost_after: float
    annual_saving: float
    one_off_cost: float
    payback_years: float | None
    sites_before: int
    sites_after: int
    sites_closed: int
    sites_opened: int
    shared_centres: int
    fte_relocated: float
    mip_gap: float | None
    solve_seconds: float
    solver: str
    agencies: Mapping[str, AgencyFigures]
    horizon_years: int
    discount_rate: float
    crs: str | None = None
    model_size: Mapping[str, int] | None = None
    # the sale receipts (disposal values of the sites closed) within one_off_cost
    one_off_receipts: float | None = None
    # with a start date: the NPV timing adds to closing (running cost until the teams
    # may leave, rent owed after closing, receipts waited for) and, not scheduled, to
    # the teams' changes, less a candidate's running cost before it opens
    lease_cost_npv: float | None = None
    # with a start date: the part of one_off_receipts no programme receives, as the sale
    # lag puts it after the horizon even from the soonest a site can close
    receipts_after_horizon: float | None = None
    # with a start date and no programme scheduled: what the snapshot's objective books
    # of this plan's changes before any programme of it could make them (a centre
    # pooling before its own agencies could be there, a site closing before its teams'
    # new desks or its zones' new counter are open); npv_saving is net of it
    booked_early_npv: float | None = None
    programme: ProgrammeFigures | None = None  # the dated programme's figures, when run
    # with a programme, `npv_saving` is the programme's (what the dated changes really
    # save); this is the plan's own saving as if every change were made in year 1, the
    # status quo's NPV less the objective's (`saving_in_year_one`)
    year_one_npv_saving: float | None = None
    # with a programme: where the plan's tables come from (PLAN_FROM), the snapshot
    # model's optimum or the programme's end state; when it is the programme's, the
    # snapshot optimum's own npv_saving (every change in year 1) and how its end state
    # differs from the plan's ("closes S2 too", "builds S7"), for reference
    plan_from: str | None = None
    snapshot_npv_saving: float | None = None
    snapshot_differs: tuple[str, ...] | None = None
    # ... and when the time limit stopped the snapshot's own search before the roadmap
    # scheduled its changes: that search's status and gap (its end state is not proven
    # the best, so the plan's status is time_limit whatever the roadmap's)
    snapshot_status: Status | None = None
    snapshot_mip_gap: float | None = None
    # with a programme whose end state is the plan: the rules of the scenario that end
    # state breaks which no year of the programme checks (a population_share rule,
    # policy.max_one_off), each named with how it is broken
    plan_breaches: tuple[Breach, ...] | None = None
    areas: Mapping[str, AreaFigures] | None = None
    area_count: int | None = None
    policy_costs: Mapping[str, PolicyCost] | None = None
    # an alternative's own folder: which plan it is near and how it differs
    alternative: AlternativeFigures | None = None
    alternatives: Alternatives | None = field(default=None)  # the plan's alternatives

    def replace(self, **changes: Any) -> Summary:
        """A copy with some fields changed (the record itself never changes)."""
        return dataclasses.replace(self, **changes)

    def dated(self, programme: ProgrammeFigures, **changes: Any) -> Summary:
        """This plan's summary with its dated programme's figures: `npv_saving` becomes
        the programme's, the saving its changes make in the years they can happen, and
        the saving as if every change were made in year 1 moves to
        `year_one_npv_saving`. A summary already dated keeps its year-1 figure."""
        return self.replace(programme=programme,
                            year_one_npv_saving=self.saving_in_year_one,
                            npv_saving=programme.npv_saving, **changes)

    @property
    def plan_npv_cost(self) -> float:
        """The NPV of cost the plan's own saving is the status quo's less: the snapshot's
        objective, with, for a dated plan not scheduled, what it books before its
        changes can be made added back (`booked_early_npv`), as its saving leaves that
        out."""
        return self.objective_npv + (self.booked_early_npv or 0.0)

    @property
    def saving_in_year_one(self) -> float:
        """The plan's own NPV saving, not its dated programme's: as if every change
        were made in year 1 (`status_quo_npv - objective_npv`), or, dated and not
        scheduled, from the soonest each change can be made (`npv_saving`, net of
        `booked_early_npv`)."""
        return self.npv_saving if self.year_one_npv_saving is None else \
            self.year_one_npv_saving

    @property
    def saving_basis(self) -> SavingBasis:
        """What `npv_saving` counts (`saving_basis`)."""
        return saving_basis(self.programme, self.lease_cost_npv)

    def to_json(self) -> dict[str, Any]:
        """The plain dictionary of `summary.json`, keys in their documented order."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name in OPTIONAL and value is None:
                continue
            if f.name == "status":
                value = str(value)
            elif f.name in ("status_quo_breaches", "plan_breaches"):
                value = [b.to_json() for b in value]
            elif f.name == "agencies":
                value = {k: dataclasses.asdict(a) for k, a in value.items()}
            elif f.name in ("programme", "alternative", "alternatives") and value is not None:
                value = value.to_json()
            elif f.name in ("policy_costs", "areas") and value is not None:
                value = {k: entry.to_json() for k, entry in value.items()}
            out[f.name] = _plain(value)
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any], source: str = "summary.json") -> Summary:
        """Read a summary back; a missing or mistyped key is an `InputError` naming it."""
        if not isinstance(data, Mapping):
            raise checked.bad(source, None, "a JSON object", type(data).__name__)
        hidden = [Problem(source, None, key, REFUSED, f"{text!r:.80}", label="key")
                  for key, text in hidden_texts(data)]
        if hidden:  # estate writes none: its texts come from checked registers and scenarios
            raise InputError(hidden)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name not in data:
                if f.name in OPTIONAL:
                    continue
                raise checked.bad(source, f.name, "this key (written by `estate plan`)", "nothing")
            values[f.name] = _read(f.name, data[f.name], source)
        _year_one(values, source)
        if values["status"].has_plan:  # a plan has every figure; only a failed run has none
            for key in sorted(checked.NUMBERS & set(values)):
                if math.isnan(values[key]):
                    raise checked.bad(source, key, "a number (the plan's figure)", "null")
            _check_sums(values, source)
        return cls(**values)

    def flat(self) -> dict[str, Any]:
        """One table row (comparison.csv, sweep.csv): agencies as `agency.<id>.<figure>`,
        policy costs as `policy_cost.<key>` (pounds), other tables as dotted keys
        (`model_size.columns`, `alternatives.plans.1.npv_difference`), lists of records
        as one text; beside `npv_saving`, `npv_saving_basis` says what it counts."""
        row: dict[str, Any] = {}
        for key, value in self.to_json().items():
            if key == "npv_saving":
                row.update(npv_saving=value, npv_saving_basis=str(self.saving_basis))
            elif key == "agencies":
                for agency_id, figures in value.items():
                    for name, number in figures.items():
                        row[f"agency.{agency_id}.{name}"] = number
            elif key == "policy_costs" and self.policy_costs is not None:
                for policy, cost in self.policy_costs.items():
                    row[f"policy_cost.{policy}"] = cost.npv
                    row[f"policy_cost.{policy}.low"], row[f"policy_cost.{policy}.high"] = \
                        cost.cost_range
            else:
                _spread(key, value, row)
        return row


def _spread(key: str, value: Any, row: dict[str, Any]) -> None:
    """Nested values as dotted columns; records with an `index` (alternatives) or a
    `year` (the programme's budget) spread by it."""
    if isinstance(value, dict):
        for sub, inner in value.items():
            _spread(f"{key}.{sub}", inner, row)
    elif isinstance(value, list) and value and all(
            isinstance(v, dict) and ("index" in v or "year" in v) for v in value):
        by = "index" if all("index" in v for v in value) else "year"
        for v in value:
            _spread(f"{key}.{v[by]}", {k: x for k, x in v.items() if k != by}, row)
    elif isinstance(value, list):
        row[key] = "; ".join(": ".join(str(x) for x in v.values()) if isinstance(v, dict)
                             else str(v) for v in value)
    else:
        row[key] = value


def _plain(value: Any) -> Any:
    """JSON-ready: non-finite numbers as None, numpy scalars as Python ones."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):
        return value.item()
    return value


SUMS = (("npv_saving", "status_quo_npv", "objective_npv"),
        ("annual_saving", "annual_cost_before", "annual_cost_after"))
"""A plan's savings are differences its summary also holds: (saving, before, after); a
dated plan's year-1 saving (`year_one_npv_saving`) stands for its `npv_saving` here,
which is then its programme's."""


def year_one_saving(data: Mapping[str, Any]) -> Any:
    """A summary's (or a comparison row's) NPV saving as if every change were made in
    year 1: `year_one_npv_saving` when dated, else `npv_saving`."""
    value = data.get("year_one_npv_saving")
    return data.get("npv_saving") if blank(value) else value


def _slack(values: Mapping[str, Any]) -> float:
    """How far a saving may be from its before less after: each figure is rounded to the
    penny, and a national plan's are sums of its areas' (each area up to 1.5p apart)."""
    return 10.0 + 0.02 * (values.get("area_count") or 1)


def _year_one(values: dict[str, Any], source: str) -> None:
    """`year_one_npv_saving` stands only beside a programme. A folder with a programme
    but without it was written when `npv_saving` stayed the year-1 figure (it is then the
    status quo less the objective): read in today's meaning; otherwise the key was
    removed by hand."""
    programme, saving = values.get("programme"), values["npv_saving"]
    if programme is None:
        if values.get("year_one_npv_saving") is not None:
            raise checked.bad(source, "year_one_npv_saving", "no such key without a dated "
                              "programme (`estate plan` writes it only beside the key "
                              "`programme`, which this summary lacks: a folder with "
                              "programme.csv has lost that key)",
                              checked.pence(values["year_one_npv_saving"]))
        return
    if values.get("booked_early_npv") is not None:
        raise checked.bad(source, "booked_early_npv", "no such key beside a dated programme "
                          "(whose own saving counts each change when it is made)",
                          checked.pence(values["booked_early_npv"]))
    if "year_one_npv_saving" in values:
        return
    if abs(saving - (values["status_quo_npv"] - values["objective_npv"])) <= _slack(values):
        values["year_one_npv_saving"], values["npv_saving"] = saving, programme.npv_saving
        return
    raise checked.bad(source, "year_one_npv_saving", "this key beside a programme (written "
                      "by `estate plan`: the plan's saving if every change were made in "
                      "year 1)", "nothing")


def _check_sums(values: Mapping[str, Any], source: str) -> None:
    """A saving that is not its before less its after was edited by hand: refuse it
    before a board reads it. Each figure is rounded to the penny, and a national plan's
    are sums of its areas' (each area up to 1.5p apart), so £10 and 2p an area apart
    still agree."""
    slack = _slack(values)
    dated = values.get("year_one_npv_saving") is not None
    for saving, before, after in SUMS:
        if saving == "npv_saving" and dated:
            saving = "year_one_npv_saving"
        expected, less = values[before] - values[after], ""
        if saving == "npv_saving" and values.get("booked_early_npv") is not None:
            expected, less = expected - values["booked_early_npv"], " - booked_early_npv"
        if not abs(values[saving] - expected) <= slack:  # an infinite figure too
            apart = checked.pence(abs(values[saving] - expected))
            raise checked.bad(source, saving,
                              f"{before} - {after}{less} = {checked.pence(expected)}",
                              f"{checked.pence(values[saving])}, {apart} apart")
    programme = values.get("programme")
    if dated and programme is not None:
        expected = programme.npv_saving
        if not abs(values["npv_saving"] - expected) <= slack:
            raise checked.bad(source, "npv_saving", "the dated programme's saving, "
                              f"programme.npv_saving = {checked.pence(expected)}",
                              checked.pence(values["npv_saving"]))


def _read(key: str, value: Any, source: str) -> Any:
    """One key of summary.json, checked and typed."""
    try:
        if key == "status":
            return Status(value)
        if key == "programme":
            return None if value is None else ProgrammeFigures.from_json(value, source)
        if key == "policy_costs":
            return None if value is None else read_policy_costs(value, source)
        if key == "areas":
            return None if value is None else read_areas(value, source)
        if key == "alternative":
            return None if value is None else AlternativeFigures.from_json(value, source)
        if key == "alternatives":
            return None if value is None else Alternatives.from_json(value, source)
        if key in checked.RANGES:
            return checked.within(key, value)
        if key in checked.NUMBERS:
            return checked.number(value)
        if key in ("payback_years", "one_off_receipts", "lease_cost_npv",
                   "receipts_after_horizon", "booked_early_npv", "snapshot_npv_saving",
                   "year_one_npv_saving"):
            return None if value is None else checked.number(value)
        if key == "snapshot_status":
            return None if value is None else Status(value)
        if key == "snapshot_mip_gap":
            return None if value is None else checked.within("mip_gap", value)
        if key == "plan_from":
            if value is not None and value not in checked.PLAN_FROM:
                raise ValueError(value)
            return value
        if key == "snapshot_differs":
            if value is None:
                return None
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise TypeError(key)
            return tuple(value)
        if key in ("status_quo_breaches", "plan_breaches"):
            if value is None and key == "plan_breaches":
                return None
            return tuple(Breach(checked.text(b["rule"], f"{key}[{i}].rule"),
                                checked.text(b["place"], f"{key}[{i}].place"),
                                checked.text(b.get("area", ""), f"{key}[{i}].area"))
                         for i, b in enumerate(value))
        if key == "agencies":
            return {str(k): AgencyFigures(checked.text(a["name"], f"agencies.{k}.name"),
                                          checked.figure(a["annual_cost_before"]),
                                          checked.figure(a["annual_cost_after"]),
                                          checked.figure(a["one_off_cost"]),
                                          checked.flag(a["worse_off"], f"agencies.{k}.worse_off"))
                    for k, a in value.items()}
        if key in ("scenario", "solver", "crs"):
            return checked.text(value, key)
        if key == "status_quo_feasible":
            return checked.flag(value, key)
        if key == "area_count":
            return int(value)
        if key in checked.TABLES:
            return checked.table(key, value)
        return value
    except checked.Wrong as wrong:
        raise checked.bad(source, wrong.key, wrong.expected,
                          checked.found_words(wrong.value)) from None
    except (TypeError, ValueError, KeyError, AttributeError):
        raise checked.bad(source, key,
                          checked.EXPECTED.get(key, "the value `estate plan` writes"),
                          f"{value!r:.80}") from None
