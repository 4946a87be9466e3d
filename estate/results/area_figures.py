"""One area's own figures in a plan made area by area (summary.json's `areas.<name>`):
one typed record, its one JSON form and its one reader.

A national register is planned area by area and the plans merged (`estate.runs.national`);
the merged summary's status and gap are its worst area's, so the terminal, the board
pack and the exact optima of policy costs read each area's own here to say which areas
are short of proof and by how much.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import estate.results.summary_values as checked
from estate.status import Status


@dataclass(frozen=True)
class AreaFigures:
    """An area's status and gap, its plan's NPV of cost and saving, the seconds its
    search took and, with a start date, what timing adds, the sales after the
    horizon and, not scheduled, what its snapshot counts beyond its realised saving.
    `objective_npv` and `mip_gap` are None when the area has no plan or no known gap."""

    status: Status
    objective_npv: float | None
    npv_saving: float | None
    mip_gap: float | None
    solve_seconds: float
    lease_cost_npv: float | None = None
    receipts_after_horizon: float | None = None
    # dated and not scheduled: what the area's snapshot counts beyond its plan's own
    # changes dated (the summary's `booked_early_npv`), which its npv_saving leaves out
    booked_early_npv: float | None = None

    def to_json(self) -> dict[str, Any]:
        """The plain dictionary of summary.json, the timing figures only when known."""
        out: dict[str, Any] = {"status": str(self.status), "objective_npv": self.objective_npv,
                               "npv_saving": self.npv_saving, "mip_gap": self.mip_gap,
                               "solve_seconds": self.solve_seconds}
        for key in ("lease_cost_npv", "receipts_after_horizon", "booked_early_npv"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out

    @classmethod
    def from_json(cls, data: Any, name: str, source: str = "summary.json") -> AreaFigures:
        """Read one area's figures back; a missing or mistyped value is an `InputError`
        naming it (`areas.north.mip_gap`)."""
        where = f"areas.{name}"
        read = checked.reader(data, source, where, "an object with the area's status, "
                              "NPV, saving, gap and seconds")
        money = "a finite number or null"
        return cls(status=read("status", Status, "one of " + ", ".join(Status)),
                   objective_npv=read("objective_npv", checked.figure, money, True),
                   npv_saving=read("npv_saving", checked.figure, money, True),
                   mip_gap=read("mip_gap", checked.at_least_nought, "a gap: a number not "
                                "below 0, or null", True),
                   solve_seconds=read("solve_seconds", checked.at_least_nought,
                                      "a number of seconds"),
                   lease_cost_npv=read("lease_cost_npv", checked.figure, money, True),
                   receipts_after_horizon=read("receipts_after_horizon", checked.figure,
                                               money, True),
                   booked_early_npv=read("booked_early_npv", checked.figure, money, True))

    def replace(self, **changes: Any) -> AreaFigures:
        """A copy with some figures changed (the record itself never changes)."""
        return dataclasses.replace(self, **changes)


def read_areas(data: Any, source: str = "summary.json") -> dict[str, AreaFigures]:
    """summary.json's `areas`: each area's figures, by its name."""
    return checked.entries(data, source, "areas", "an object of areas, each with its own "
                           "figures", AreaFigures.from_json)
