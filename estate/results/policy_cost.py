"""What one policy costs, as a plan's summary keeps it (summary.json's
`policy_costs.<key>`): one typed record, its one JSON form and its one reader.

`estate.runs.policy` makes these; the terminal, the compare page and workbook, the
board pack and the summary's table row read them. `from_json` names the key a hand edit
broke (`policy_costs.must_keep.npv`), so a damaged folder is a located error.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import estate.results.summary_values as checked


class PolicyStatus(StrEnum):
    """What became of each policy `--policy-costs` was asked to price (`status` in
    summary.json, written as its plain value): its cost found, nothing to price, not
    priced (and why), no optimum found."""

    PRICED = "priced"
    NOT_SET = "not_set"
    DECLINED = "declined"
    FAILED = "failed"


@dataclass(frozen=True)
class PolicyCost:
    """One policy's cost over the horizon, in today's pounds (docs/compare.md).

    `npv` is the cost (0 for a policy that does not bind or is not set, None when not
    priced); `sentence` says it in words, as the board pack prints it. A priced policy
    has the two optima it is the difference of (`with_npv`, `without_npv`) and their
    statuses. When a solve stopped short of proof, `npv_low` and `npv_high` bound the
    true cost from the solvers' bounds (`npv_high` None: no bound above). `message`
    says anything odd."""

    status: PolicyStatus
    sentence: str
    npv: float | None
    with_npv: float | None = None
    with_status: str | None = None
    without_npv: float | None = None
    without_status: str | None = None
    npv_low: float | None = None
    npv_high: float | None = None
    message: str | None = None

    @property
    def proven(self) -> bool:
        """The cost is exact: no solve stopped short of proof (it has no range)."""
        return self.npv_low is None

    @property
    def cost_range(self) -> tuple[float | None, float | None]:
        """The least and the most it can cost: its range when unproven, else its cost
        twice; (None, None) when it was not priced."""
        if not self.proven:
            return self.npv_low, self.npv_high
        return self.npv, self.npv

    def to_json(self) -> dict[str, Any]:
        """The plain dictionary of summary.json, in the order `estate plan` has always
        written it: status and cost; for a policy solved for (priced or failed) the two
        optima, null where one was not found; then the sentence, an unproven cost's
        range (`npv_high` even when null) and the message, which a policy not priced
        gives before its sentence."""
        out: dict[str, Any] = {"status": str(self.status), "npv": self.npv}
        if self.status in (PolicyStatus.PRICED, PolicyStatus.FAILED):
            out.update(with_npv=self.with_npv, with_status=self.with_status,
                       without_npv=self.without_npv, without_status=self.without_status)
        said_first = self.status is not PolicyStatus.PRICED and self.message is not None
        if said_first:
            out["message"] = self.message
        out["sentence"] = self.sentence
        if not self.proven:
            out.update(npv_low=self.npv_low, npv_high=self.npv_high)
        if self.message is not None and not said_first:
            out["message"] = self.message
        return out

    @classmethod
    def from_json(cls, data: Any, key: str, source: str = "summary.json") -> PolicyCost:
        """Read one policy's entry back (`key`: its scenario key); a missing or mistyped
        value is an `InputError` naming it (`policy_costs.<key>.<name>`)."""
        where = f"policy_costs.{key}"
        read = checked.reader(data, source, where, "an object with a status, a sentence "
                              "and an npv")
        money, cost, text = checked.figure, checked.at_least_nought, checked.plain_text
        return cls(status=read("status", PolicyStatus, "one of " + ", ".join(PolicyStatus)),
                   sentence=read("sentence", text, "a text"),
                   npv=read("npv", cost, "a cost: a number not below 0, or null", True),
                   with_npv=read("with_npv", money, "a finite number or null", True),
                   with_status=read("with_status", text, "a text", True),
                   without_npv=read("without_npv", money, "a finite number or null", True),
                   without_status=read("without_status", text, "a text", True),
                   npv_low=read("npv_low", cost, "a cost: a number not below 0, or null",
                                True),
                   npv_high=read("npv_high", cost, "a cost: a number not below 0, or null "
                                 "(no bound above)", True),
                   message=read("message", text, "a text", True))


def read_policy_costs(data: Any, source: str = "summary.json") -> dict[str, PolicyCost]:
    """summary.json's `policy_costs`: each policy's entry, by its scenario key."""
    return checked.entries(data, source, "policy_costs", "an object of policies, each "
                           "with a status, a sentence and an npv", PolicyCost.from_json)
