"""One policy's cost in a summary: written and read back as one record, its range when
a solve stopped short of proof, and each key a hand edit broke named."""

from __future__ import annotations

import pytest

from estate.errors import InputError
from estate.results.policy_cost import PolicyCost, PolicyStatus, read_policy_costs

PRICED = PolicyCost(PolicyStatus.PRICED, "Keeping S1 costs £300.0k over 10 years (NPV)",
                    300_000.0, with_npv=1_300_000.0, with_status="optimal",
                    without_npv=1_000_000.0, without_status="optimal")
UNPROVEN = PolicyCost(PolicyStatus.PRICED, "costs between £90.0k and £100.0k", 100_000.0,
                      npv_low=90_000.0, npv_high=100_000.0, message="not proven")
OPEN_ENDED = PolicyCost(PolicyStatus.PRICED, "costs at least £90.0k", 100_000.0,
                        npv_low=90_000.0)
DECLINED = PolicyCost(PolicyStatus.DECLINED, "Limiting moves: not priced", None,
                      message="too many pairs")
FAILED = PolicyCost(PolicyStatus.FAILED, "Keeping S1: cost not known", None,
                    with_npv=1_300_000.0, with_status="optimal", without_status="infeasible",
                    message="the optimum without it could not be found")


@pytest.mark.parametrize("cost", [PRICED, UNPROVEN, OPEN_ENDED, DECLINED, FAILED])
def test_a_cost_reads_back_as_it_was_written(cost: PolicyCost) -> None:
    written = cost.to_json()
    assert list(written)[:2] == ["status", "npv"] and "sentence" in written
    assert PolicyCost.from_json(written, "k") == cost


@pytest.mark.parametrize(("cost", "keys"), [
    (PRICED, ["status", "npv", "with_npv", "with_status", "without_npv", "without_status",
              "sentence"]),
    (UNPROVEN, ["status", "npv", "with_npv", "with_status", "without_npv",
                "without_status", "sentence", "npv_low", "npv_high", "message"]),
    (DECLINED, ["status", "npv", "message", "sentence"]),
    (FAILED, ["status", "npv", "with_npv", "with_status", "without_npv", "without_status",
              "message", "sentence"]),
])
def test_each_kind_of_entry_keeps_the_keys_and_order_estate_has_written(
        cost: PolicyCost, keys: list[str]) -> None:
    """Scripts read summary.json by key: a failed policy keeps its null optimum."""
    assert list(cost.to_json()) == keys
    assert FAILED.to_json()["without_npv"] is None


def test_an_unproven_cost_is_a_range_and_a_proven_one_its_cost_twice() -> None:
    assert PRICED.proven and PRICED.cost_range == (300_000.0, 300_000.0)
    assert not UNPROVEN.proven and UNPROVEN.cost_range == (90_000.0, 100_000.0)
    # no bound above: the high end is null in the file, None here
    assert OPEN_ENDED.cost_range == (90_000.0, None)
    assert OPEN_ENDED.to_json()["npv_high"] is None
    assert DECLINED.cost_range == (None, None)
    # a proven cost writes no range at all
    assert "npv_low" not in PRICED.to_json() and "npv_high" not in PRICED.to_json()


@pytest.mark.parametrize(("change", "named"), [
    ({"npv": "£300k"}, "policy_costs.must_keep.npv"),
    ({"status": "done"}, "policy_costs.must_keep.status"),
    ({"sentence": None}, "policy_costs.must_keep.sentence"),
    ({"with_npv": float("nan")}, "policy_costs.must_keep.with_npv"),
    ({"message": 3}, "policy_costs.must_keep.message"),
    ({"npv": -5.0}, "policy_costs.must_keep.npv"),
    ({"npv": 10 ** 400}, "policy_costs.must_keep.npv"),
])
def test_a_broken_value_is_named(change: dict[str, object], named: str) -> None:
    with pytest.raises(InputError) as caught:
        read_policy_costs({"must_keep": {**PRICED.to_json(), **change}}, "r/summary.json")
    problem = caught.value.problems[0]
    assert (problem.file, problem.column) == ("r/summary.json", named)
