"""The plan summary: its JSON form round-trips, damage is located, and it flattens to the
one set of column names that comparisons and sweeps both write."""

from __future__ import annotations

import pytest

from estate.errors import InputError
from estate.results import Summary, money
from estate.status import Status
from tests.fixtures import summary_record


def test_summary_round_trips_through_its_json() -> None:
    summary = summary_record(
        status="time_limit", mip_gap=0.02, status_quo_feasible=False,
        status_quo_breaches=[{"rule": "housed", "place": "F1 has no site today"}],
        agencies={"A": {"name": "Council", "annual_cost_before": 5.0, "annual_cost_after": 6.0,
                        "one_off_cost": 1.0, "worse_off": True}})
    again = Summary.from_json(summary.to_json())
    assert again == summary
    assert again.status is Status.TIME_LIMIT
    assert again.agencies["A"].worse_off and again.status_quo_breaches[0].rule == "housed"
    assert "policy_costs" not in summary.to_json()


@pytest.mark.parametrize(("key", "value"), [("status", "done"), ("sites_after", "many"),
                                            ("agencies", {"A": {"name": "x"}}),
                                            ("status_quo_breaches", [{"rule": "r"}]),
                                            ("status_quo_feasible", "no")])
def test_a_damaged_key_is_named(key: str, value: object) -> None:
    data = summary_record().to_json()
    data[key] = value
    with pytest.raises(InputError) as caught:
        Summary.from_json(data, source="results/x/summary.json")
    problem = caught.value.problems[0]
    assert problem.file == "results/x/summary.json" and problem.column == key


def test_a_missing_key_is_named() -> None:
    data = summary_record().to_json()
    del data["npv_saving"]
    with pytest.raises(InputError, match="npv_saving"):
        Summary.from_json(data)


def test_flat_names_columns_by_dotted_keys() -> None:
    row = summary_record(
        scenario="S",
        agencies={"A": {"name": "n", "annual_cost_before": 2.0, "annual_cost_after": 1.0,
                        "one_off_cost": 0.0, "worse_off": False}},
        policy_costs={"coverage.0": {"npv": 5.0, "status": "priced"}},
        status_quo_breaches=[{"rule": "housed", "place": "F1 has no site today"}],
        model_size={"columns": 3}).flat()
    assert row["scenario"] == "S" and row["status"] == "optimal"
    assert row["agency.A.name"] == "n" and row["agency.A.worse_off"] is False
    assert row["agency.A.annual_cost_after"] == 1.0
    assert row["policy_cost.coverage.0"] == 5.0
    assert row["status_quo_breaches"] == "housed: F1 has no site today"
    assert row["model_size.columns"] == 3
    assert not any(isinstance(v, dict | list) for v in row.values())


def test_money_reads_as_a_board_expects() -> None:
    assert [money(x) for x in (1_234_567, 45_600, 12, -3_000_000, None)] == \
        ["£1.23m", "£45.6k", "£12", "-£3.00m", "n/a"]
