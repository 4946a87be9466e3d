"""The dated programme of a plan: what happens in which year, and the cash it moves.

`Programme` is what `estate.programme` hands to the store, the pages and the map. Its
tables are the files of a results folder:

- `actions` (programme.csv): one row per change, in year order: year, date (the first
  day of that year), action (close, build, open, move, pool, dispose), site_id,
  site_name, function_id, agency_id, fte (a move's team, or its share, to three
  decimals; a team with no site today's too, though it moves no one:
  `staff_moved`), one_off (pounds, paid as the year begins;
  receipts negative), annual_effect (pounds of running cost a year the change saves
  from then on: positive saves, negative costs; the rows up to year t add up to year t's
  running saving in the cashflow; rent still owed on a closed lease is the cashflow's).
- `cashflow` (cashflow.csv): per year 1..H and per agency (agency_id "" is the total of
  the year): running (team and site running costs), rent (owed on closed sites),
  one_off, receipts, cost (running + rent + one_off - receipts), status_quo (the year's
  cost if nothing changed), saving (status_quo - cost), cumulative (saving summed to
  that year), discounted (saving at today's value), cumulative_discounted.
- `budget` (per year: the net one-off spend, staff moved and closures, each beside its
  limit, inf when none).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from estate.results.programme_figures import ProgrammeFigures
from estate.results.state import State
from estate.results.summary import Breach
from estate.results.words import PROVEN

ACTION_COLUMNS = ("year", "date", "action", "site_id", "site_name", "function_id",
                  "agency_id", "fte", "one_off", "annual_effect", "surrender", "rent_owed")
ACTION_MONEY = ("one_off", "annual_effect", "surrender", "rent_owed")
"""programme.csv's columns in pounds, to the penny as cashflow.csv's
(`estate.programme.cashflow.in_pennies`)."""
LATE_SALES = "of sales arrive after the horizon, as this programme's closings wait"
"""The words of the programme's note on the sales its waiting puts after the horizon
(`estate.programme`), by which the board pack finds the note to say it beside the
figures it leaves out."""
CASHFLOW_COLUMNS = ("year", "date", "agency_id", "running", "rent", "one_off", "receipts",
                    "cost", "status_quo", "saving", "cumulative", "discounted",
                    "cumulative_discounted")


def same_cost(roadmap_npv: float, joint_npv: float) -> bool:
    """Whether two programmes' NPVs of cost differ by no more than the solvers' noise:
    `PROVEN` of their sizes and £1, the tolerance a policy's cost is read with (DESIGN 7)."""
    return abs(roadmap_npv - joint_npv) <= PROVEN * (abs(roadmap_npv) + abs(joint_npv)) + 1.0


def roadmap_gap(roadmap_npv: float, joint_npv: float) -> float:
    """(roadmap - joint) / max(|joint|, £1): what scheduling the snapshot's end state lost
    beside the joint model's programme; 0 when the two cost the same (`same_cost`), never
    -0.0 or below. The joint model is offered the roadmap as its start, so it should
    never be dearer; it can be when HiGHS drops that start (its schedule breaks a row of
    the joint model by HiGHS's tolerances) and stops within its gap or at its time limit
    (`estate.programme` notes it): the roadmap is then kept and lost nothing."""
    if same_cost(roadmap_npv, joint_npv) or roadmap_npv < joint_npv:
        return 0.0
    return (roadmap_npv - joint_npv) / max(abs(joint_npv), 1.0)


@dataclass(frozen=True)
class EndVector:
    """The snapshot model's column vector of a programme's end state
    (`estate.programme.end_state.fixed_vector`), and the rules of the snapshot no year
    of a programme checks that the end state breaks. `values` None: the end state could
    not be made a plan of the snapshot model (it breaks a rule the years keep, or no
    vector of it was found)."""

    values: np.ndarray | None
    breaches: tuple[Breach, ...] = ()


@dataclass(frozen=True)
class Programme:
    """A plan scheduled year by year, with its honest NPV and the method that found it.

    `method` is "roadmap" (the snapshot's changes scheduled) or "joint" (the exact
    model over all years, whose end state may differ); `roadmap_npv` and `joint_npv` are
    the NPVs of cost each found (None when that one did not run); `gap` the relative
    difference between them when both ran. `unlimited_saving` is the NPV saving of the
    snapshot's changes scheduled by the roadmap with no yearly limits, when the scenario
    sets any and the roadmap is the programme used: what the limits cost is it less the
    roadmap's saving (the joint model's changes are its own, so no such figure is
    theirs). `end_state` is the estate at the end of the programme's last year when it
    is not the snapshot's (the joint model chose another, or the roadmap leaves some of
    the snapshot's changes out): the plan written is then made from it
    (`estate.programme.end_state`), so that every table tells one plan. It is not
    written: the results folder's tables are that state. `end_vector` is that state's
    column vector when it is already made (to see whether the roadmap's end state breaks
    a rule no year checks), so the plan of it is not solved for a second time."""

    actions: pd.DataFrame
    cashflow: pd.DataFrame
    budget: pd.DataFrame
    start: str
    npv_cost: float
    npv_saving: float
    payback_year: int | None
    lasting_payback_year: int | None
    method: str
    roadmap_npv: float | None = None
    joint_npv: float | None = None
    status: str = "optimal"
    mip_gap: float | None = None
    notes: tuple[str, ...] = field(default=())
    unlimited_saving: float | None = None
    end_state: State | None = field(default=None, repr=False, compare=False)
    end_vector: EndVector | None = field(default=None, repr=False, compare=False)

    @property
    def gap(self) -> float | None:
        """What scheduling the snapshot's end state lost (`roadmap_gap`), when both ran."""
        if self.roadmap_npv is None or self.joint_npv is None:
            return None
        return roadmap_gap(self.roadmap_npv, self.joint_npv)

    def totals(self) -> pd.DataFrame:
        """The cash-flow rows of the whole estate (agency_id "")."""
        return self.cashflow[self.cashflow["agency_id"] == ""].reset_index(drop=True)

    def agency_npv(self) -> dict[str, float]:
        """Each agency's dated NPV saving: its saving so far, at today's value, in the
        horizon's last year (cashflow.csv's last `cumulative_discounted`, the figure
        docs/programme.md names; the yearly figures summed may differ from it by the
        pennies of their rounding)."""
        rows = self.cashflow[self.cashflow["agency_id"] != ""].sort_values("year")
        last = rows.groupby("agency_id")["cumulative_discounted"].last()
        return {str(a): float(v) for a, v in last.items()}

    def figures(self) -> ProgrammeFigures:
        """What the plan's summary states of this programme (summary.json's
        `programme`): its money to the penny, as cashflow.csv's, and the roadmap's
        share over the joint model's to eight places."""
        return ProgrammeFigures(
            npv_saving=round(self.npv_saving, 2), npv_cost=round(self.npv_cost, 2),
            payback_year=self.payback_year, lasting_payback_year=self.lasting_payback_year,
            method=self.method, start=self.start, status=self.status,
            changes=int(len(self.actions)), budget=self.budget,
            roadmap_npv=_pennies(self.roadmap_npv), joint_npv=_pennies(self.joint_npv),
            gap=None if self.gap is None else round(self.gap, 8), mip_gap=self.mip_gap,
            unlimited_saving=_pennies(self.unlimited_saving), notes=self.notes)


def _pennies(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def new_teams(assignments: pd.DataFrame) -> set[str]:
    """The teams with no site today (assignments.csv's from_site blank)."""
    home = assignments["from_site"].fillna("").astype(str)
    return set(assignments.loc[home == "", "function_id"].astype(str))


def staff_moved(actions: pd.DataFrame, new: set[str]) -> pd.Series:
    """Per row of programme.csv: the FTE it moves between buildings, the row's fte but
    0 for the placing of a team with no site today (one of `new`), which moves no one;
    the budget's fte_moved and the map's "Staff changed building so far" add these."""
    placing = (actions["action"] == "move") & actions["function_id"].astype(str).isin(new)
    return actions["fte"].fillna(0.0).where(~placing, 0.0)


def _estate_running_total(flows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The years and the whole estate's cumulative discounted saving at each year's end."""
    total = flows[flows["agency_id"] == ""].sort_values("year", kind="stable")
    return (total["year"].to_numpy(int), total["cumulative_discounted"].to_numpy(float))


def payback_year(flows: pd.DataFrame) -> int | None:
    """The programme's payback year as DESIGN 9 defines it: the first year at whose end
    the estate's cumulative discounted saving is positive; None when no year's is. A
    saving positive early and lost to a later one-off still paid back in that early
    year: `lasting_payback_year` says whether it stays so, and every page says both
    when they differ (running totals 18.3k, 65.0k, -405.2k: year 1, never for good)."""
    years, cumulative = _estate_running_total(flows)
    above = np.flatnonzero(cumulative > 1e-6)
    return int(years[above[0]]) if len(above) else None


def lasting_payback_year(flows: pd.DataFrame) -> int | None:
    """The first year from which the estate's cumulative discounted saving stays
    positive to the horizon's end; None when it ends at or below zero. Running totals
    -5, 3, -1, 2, 4 pay back in year 2 (`payback_year`) and for good from year 4."""
    years, cumulative = _estate_running_total(flows)
    if not len(cumulative) or cumulative[-1] <= 1e-6:
        return None
    below = np.flatnonzero(cumulative <= 1e-6)
    return int(years[0] if not len(below) else years[below[-1] + 1])
