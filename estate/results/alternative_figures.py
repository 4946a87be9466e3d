"""What a plan's summary says of its near-optimal alternatives (`--alternatives`): typed
records, their one JSON form and their one reader each.

Two tables carry them. The plan's own summary lists every alternative found
(summary.json's `alternatives`: `Alternatives`, one `AlternativePlan` each); each
alternative's folder says which plan it is an alternative of and how it differs
(its summary's `alternative`: `AlternativeFigures`). `estate.runs.alternatives` makes
both; the terminal, the map's title, the compare page, `estate map` and the board's
words about a plan's quality read them. Each reader names the key a hand edit broke
(`alternatives.plans[0].npv_difference`: the first listed, as a list's items are
counted from 0), so a damaged folder is a located error, never a crash halfway through
a page.

Folders written before a key existed still read. `optimum_status`, `optimum_mip_gap`,
`measured_against`, `same_sites_as_plan` and the dated figures are optional, and so,
beside the dated saving and difference, are the sites a programme ends with
(`dated_sites_after`, `dated_same_sites_as`), kept only since cf3056c. A percentage or
an allowance written whole is written back whole (`estate.plan(..., within_pct=100)`
writes 100, not 100.0), so a folder `estate compare` rewrites holds what estate wrote.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import estate.results.summary_values as checked
from estate.status import Status

SNAPSHOT_OPTIMUM = "snapshot_optimum"
"""`measured_against` of alternatives found near the snapshot optimum when the plan
written is a dated programme's end state (`estate.runs.alternatives`): the plan they
are dearer than is not the plan written."""

MONEY = "a finite number"
TEXT = "a text"


def _as_written(value: Any) -> float:
    """A finite number, kept as the file has it: a whole number stays whole."""
    number = checked.figure(value)
    return value if isinstance(value, int) else number


def _share(value: Any) -> float:
    """A percentage or an amount, not below 0, kept as the file has it."""
    checked.at_least_nought(value)
    return _as_written(value)


def _with_plan(value: Any) -> Status:
    """The status of a plan found: optimal, or stopped by the time limit."""
    status = Status(value)
    if not status.has_plan:
        raise ValueError(value)
    return status


def _no_limit(allowance: float | None) -> float:
    """An allowance written as null: one past any float (JSON has no infinity)."""
    return math.inf if allowance is None else allowance


def _position(value: Any) -> int:
    """An alternative's number: 1, 2, ..."""
    number = checked.whole(value)
    if number < 1:
        raise ValueError(value)
    return number


def _truth(value: Any) -> bool:
    """true or false as JSON has them (a hand-edited "no" is not true)."""
    if not isinstance(value, bool):
        raise ValueError(value)
    return value


def _named(value: Any) -> str:
    """A name that must say something (a scenario's, a folder's)."""
    if not checked.plain_text(value).strip():
        raise ValueError(value)
    return value


def _measured(value: Any) -> str:
    if value != SNAPSHOT_OPTIMUM:
        raise ValueError(value)
    return value


@dataclass(frozen=True)
class SiteChange:
    """One site an alternative decides otherwise than the plan it is near:
    its id and name, the plan's decision and the alternative's ("keep", "close")."""

    site_id: str
    name: str
    optimum: str
    alternative: str

    @property
    def words(self) -> str:
        """"S3 close->keep", as the terminal and a left-out alternative's note say it."""
        return f"{self.site_id} {self.optimum}->{self.alternative}"

    def to_json(self) -> dict[str, str]:
        return {"site_id": self.site_id, "name": self.name, "optimum": self.optimum,
                "alternative": self.alternative}

    @classmethod
    def from_json(cls, data: Any, where: str, source: str) -> SiteChange:
        read = checked.reader(data, source, where, "an object with the site's id, name "
                              "and both decisions")
        text = checked.plain_text
        return cls(site_id=read("site_id", _named, "the site's id"),
                   name=read("name", text, TEXT, True) or "",
                   optimum=read("optimum", text, "the plan's decision (a text)"),
                   alternative=read("alternative", text, "the alternative's decision "
                                    "(a text)"))


def _site_changes(data: Any, where: str, source: str) -> tuple[SiteChange, ...]:
    return tuple(checked.listed(data, source, where, "a list of sites, each with its id, "
                                "name and both decisions", SiteChange.from_json))


@dataclass(frozen=True)
class DatedAlternative:
    """A dated scenario's alternative scheduled as its own programme, beside the main
    plan's (`estate.runs.alternatives.dated_beside`): its programme's NPV saving, its
    NPV of cost less the main programme's (positive: dearer), the sites open once it
    ends and, when it leaves out the changes that set it apart, the plan whose open
    sites it ends with (`same_sites_as`: "plan" or a folder, "alternatives/1")."""

    npv_saving: float
    npv_difference: float
    sites_after: int | None = None  # None in folders written before it was kept
    same_sites_as: str | None = None

    @property
    def ends_as(self) -> str:
        """The plan whose open sites this programme ends with, as a sentence names it:
        "the main plan", "alternatives/1", or "" when it ends with sites of its own."""
        if not self.same_sites_as:
            return ""
        return "the main plan" if self.same_sites_as == "plan" else self.same_sites_as

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"dated_npv_saving": self.npv_saving,
                               "dated_npv_difference": self.npv_difference}
        if self.sites_after is not None:
            out.update(dated_sites_after=self.sites_after,
                       dated_same_sites_as=self.same_sites_as)
        return out

    @classmethod
    def from_json(cls, data: Any, where: str, source: str) -> DatedAlternative | None:
        """The dated figures of a table (`alternative`, or an entry of `alternatives`),
        None when it has no `dated_` key (a scenario without a programme, or a folder
        written before alternatives were dated). With any, its programme's saving and
        difference are required: a difference removed by hand would have the pages
        call the alternative undated. The sites its programme ends with are read when
        either of their keys is there."""
        read = checked.reader(data, source, where, "an object")
        if not any(key.startswith("dated_") for key in data):
            return None
        ends = "dated_sites_after" in data or "dated_same_sites_as" in data
        return cls(npv_saving=read("dated_npv_saving", checked.figure, MONEY),
                   npv_difference=read("dated_npv_difference", checked.figure, MONEY),
                   sites_after=read("dated_sites_after", checked.whole, "a count of sites")
                   if ends else None,
                   same_sites_as=read("dated_same_sites_as", _named, "\"plan\", a folder "
                                      "of alternatives, or null", True))


def _dated_json(dated: DatedAlternative | None) -> dict[str, Any]:
    return {} if dated is None else dated.to_json()


@dataclass(frozen=True)
class AlternativeFigures:
    """An alternative's own summary says which plan it is near (`of`, the scenario's
    name; `index`, its number), what it costs beside that plan (`npv_difference`,
    positive: dearer), the sites it decides otherwise and how sure that plan is
    (`optimum_status`, `optimum_mip_gap`; None in folders written before they were
    kept). `measured_against` is `SNAPSHOT_OPTIMUM` when the plan written is a dated
    programme's end state, not the optimum the alternative is near."""

    index: int
    of: str
    npv_difference: float
    sites_differ: tuple[SiteChange, ...]
    optimum_status: Status | None = None
    optimum_mip_gap: float | None = None
    measured_against: str | None = None
    dated: DatedAlternative | None = None

    @property
    def near_snapshot(self) -> bool:
        """Measured against the snapshot optimum, not the plan written."""
        return self.measured_against == SNAPSHOT_OPTIMUM

    def to_json(self) -> dict[str, Any]:
        """The plain dictionary of summary.json, in the order `estate plan` writes it."""
        out: dict[str, Any] = {"index": self.index, "of": self.of,
                               "npv_difference": self.npv_difference,
                               "sites_differ": [d.to_json() for d in self.sites_differ]}
        if self.optimum_status is not None:
            out.update(optimum_status=str(self.optimum_status),
                       optimum_mip_gap=self.optimum_mip_gap)
        if self.measured_against is not None:
            out["measured_against"] = self.measured_against
        return {**out, **_dated_json(self.dated)}

    @classmethod
    def from_json(cls, data: Any, source: str = "summary.json") -> AlternativeFigures:
        """Read the table back; a missing or mistyped value is an `InputError` naming it
        (`alternative.npv_difference`)."""
        where = "alternative"
        read = checked.reader(data, source, where, "an object with the alternative's "
                              "index, the scenario it is of and its difference")
        return cls(index=read("index", _position, "a whole number from 1"),
                   of=read("of", _named, "the scenario's name"),
                   npv_difference=read("npv_difference", checked.figure, MONEY),
                   sites_differ=_site_changes(data.get("sites_differ"),
                                              f"{where}.sites_differ", source),
                   optimum_status=read("optimum_status", Status,
                                       "one of " + ", ".join(Status), True),
                   optimum_mip_gap=read("optimum_mip_gap", checked.at_least_nought,
                                        "a gap: a number not below 0, or null", True),
                   measured_against=read("measured_against", _measured,
                                         f"{SNAPSHOT_OPTIMUM!r}, or no such key", True),
                   dated=DatedAlternative.from_json(data, where, source))

    def replace(self, **changes: Any) -> AlternativeFigures:
        """A copy with some figures changed (the record itself never changes)."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class AlternativePlan:
    """One alternative as the plan's own summary lists it: its folder, the figures of
    the plan as found (every change made in year 1, or, dated and not scheduled, its
    changes dated: `npv_difference` is the difference of those), the sites it decides
    otherwise and, beside a dated programme, whether it opens the very sites of the plan
    written (`same_sites_as_plan`) and its own programme's figures (`dated`)."""

    index: int
    folder: str
    status: Status
    objective_npv: float
    npv_saving: float
    npv_difference: float
    sites_after: int
    sites_differ: tuple[SiteChange, ...]
    same_sites_as_plan: bool | None = None
    dated: DatedAlternative | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "folder": self.folder,
                               "status": str(self.status), "objective_npv": self.objective_npv,
                               "npv_saving": self.npv_saving,
                               "npv_difference": self.npv_difference,
                               "sites_after": self.sites_after,
                               "sites_differ": [d.to_json() for d in self.sites_differ]}
        if self.same_sites_as_plan is not None:
            out["same_sites_as_plan"] = self.same_sites_as_plan
        return {**out, **_dated_json(self.dated)}

    @classmethod
    def from_json(cls, data: Any, where: str, source: str) -> AlternativePlan:
        read = checked.reader(data, source, where, "an object with the alternative's "
                              "index, folder, status and figures")
        return cls(index=read("index", _position, "a whole number from 1"),
                   folder=read("folder", _named, "its folder (alternatives/<i>)"),
                   status=read("status", _with_plan, "optimal or time_limit (a plan "
                               "found)"),
                   objective_npv=read("objective_npv", checked.figure, MONEY),
                   npv_saving=read("npv_saving", checked.figure, MONEY),
                   npv_difference=read("npv_difference", checked.figure, MONEY),
                   sites_after=read("sites_after", checked.whole, "a count of sites"),
                   sites_differ=_site_changes(data.get("sites_differ"),
                                              f"{where}.sites_differ", source),
                   same_sites_as_plan=read("same_sites_as_plan", _truth, "true or false",
                                           True),
                   dated=DatedAlternative.from_json(data, where, source))

    def replace(self, **changes: Any) -> AlternativePlan:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Alternatives:
    """The plan's own table of its alternatives: how many were asked for, the allowance
    (`within_pct` of the saving as found, `allowance_npv` in pounds), each one found
    (`plans`) and, when fewer were found than asked, why (`note`). `measured_against`
    is `SNAPSHOT_OPTIMUM` when the plan written is a dated programme's end state."""

    requested: int
    within_pct: float
    allowance_npv: float
    note: str
    plans: tuple[AlternativePlan, ...]
    measured_against: str | None = None

    @property
    def found(self) -> int:
        return len(self.plans)

    @property
    def near_snapshot(self) -> bool:
        """Measured against the snapshot optimum, not the plan written."""
        return self.measured_against == SNAPSHOT_OPTIMUM

    @property
    def dated(self) -> bool:
        """Each alternative listed was scheduled as a dated programme of its own."""
        return bool(self.plans) and all(plan.dated is not None for plan in self.plans)

    def to_json(self) -> dict[str, Any]:
        """The plain dictionary of summary.json, in the order `estate plan` writes it (an
        allowance past any float, a `within_pct` of 1e308, as null)."""
        out: dict[str, Any] = {"requested": self.requested, "within_pct": self.within_pct,
                               "allowance_npv": None if math.isinf(self.allowance_npv)
                               else self.allowance_npv, "found": self.found,
                               "note": self.note,
                               "plans": [plan.to_json() for plan in self.plans]}
        if self.measured_against is not None:
            out["measured_against"] = self.measured_against
        return out

    @classmethod
    def from_json(cls, data: Any, source: str = "summary.json") -> Alternatives:
        """Read the table back; a missing or mistyped value, or a count of plans found
        that is not the number listed, is an `InputError` naming its key."""
        where = "alternatives"
        read = checked.reader(data, source, where, "an object with the alternatives "
                              "requested, found and listed")
        plans = tuple(checked.listed(data.get("plans"), source, f"{where}.plans",
                                     "a list of alternatives", AlternativePlan.from_json))
        found = read("found", checked.whole, "a count of alternatives")
        if found != len(plans):
            raise checked.bad(source, f"{where}.found", f"the number of plans listed "
                              f"({len(plans)})", checked.found_words(data.get("found")))
        requested = read("requested", checked.whole, "a count of alternatives")
        if requested < found:
            raise checked.bad(source, f"{where}.requested", f"at least the {found} found",
                              checked.found_words(data.get("requested")))
        return cls(requested=requested,
                   within_pct=read("within_pct", _share, "a percentage, not below 0"),
                   allowance_npv=_no_limit(read("allowance_npv", _share, "an amount, not "
                                                "below 0, or null (past any float)", True)),
                   note=read("note", checked.plain_text, TEXT, True) or "",
                   plans=plans,
                   measured_against=read("measured_against", _measured,
                                         f"{SNAPSHOT_OPTIMUM!r}, or no such key", True))

    def replace(self, **changes: Any) -> Alternatives:
        """A copy with some figures changed (the record itself never changes)."""
        return dataclasses.replace(self, **changes)
