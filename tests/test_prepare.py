"""What may go where (estate.prepare), on small plans worked out by hand: coverage
sets (within a radius, inclusive), eligible pairs (distance, hosts, security) and the
participating agencies.

Unless a test says otherwise: r = 0 and H = 10, so A = 10 and NPV = 10 * annual +
one-off; no sharing; relocation free and unlimited; distances exact on the km grid of
`tests.fixtures.grid`. Every test runs on every installed solver.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from estate.errors import InfeasibleError
from tests.fixtures import (
    PUBLIC,
    TWO_AGENCIES,
    approx,
    decisions,
    function,
    placed,
    plan_of,
    scenario,
    site,
    write_register,
    zone,
)

AGENCIES = TWO_AGENCIES


def test_within_the_radius_is_inclusive(tmp_path: Path, solver: str) -> None:
    """"Within R" is distance <= R exactly: a zone 5 km away is covered at 5 km."""
    reg = write_register(tmp_path / "r", AGENCIES, [
        site("S1", "A1", 0, 0, running_cost=300_000, services=[PUBLIC]),
        site("S2", "A1", 0, 20, running_cost=100_000, services=[PUBLIC]),
    ], [], [zone("Z1", 0, 5)])  # 5 km from S1, 15 km from S2
    rule = {"service": PUBLIC, "radius_km": 5.0, "mode": "all"}
    plan = plan_of(reg, scenario(coverage=[rule]), solver)
    assert plan.summary.objective_npv == approx(3_000_000)  # S1 alone: 10 * 300k
    assert decisions(plan) == {"S1": "keep", "S2": "close"}
    assert plan.coverage["nearest_km_after"].tolist() == [5.0]
    with pytest.raises(InfeasibleError):
        plan_of(reg, scenario(coverage=[{**rule, "radius_km": 4.999}]), solver)


def test_relocation_max_km(tmp_path: Path, solver: str) -> None:
    reg = write_register(tmp_path / "r", AGENCIES, [
        site("S1", "A1", 0, 0, running_cost=500_000),
        site("S2", "A1", 0, 30, running_cost=100_000),
        site("S3", "A1", 0, 12, running_cost=300_000),
    ], [function("F1", "A1", "HR", "S1", fte=10, annual_cost=500_000)])
    # S2 is 30 km away: out of reach at 20 and 29.9 km, so F1 goes to S3:
    # 10 * (300k + 500k) = 8,000,000.
    for max_km in (20.0, 29.9):
        plan = plan_of(reg, scenario(relocation={"max_km": max_km}), solver)
        assert plan.summary.objective_npv == approx(8_000_000)
        assert placed(plan) == {"F1": {"S3": 1.0}}
    # Within reach at 30.1 km (and exactly 30): 10 * (100k + 500k) = 6,000,000.
    for max_km in (30.1, 30.0):
        plan = plan_of(reg, scenario(relocation={"max_km": max_km}), solver)
        assert plan.summary.objective_npv == approx(6_000_000)
        assert placed(plan) == {"F1": {"S2": 1.0}}


def test_hosts_and_security_decide_eligibility(tmp_path: Path, solver: str) -> None:
    reg = write_register(tmp_path / "r", AGENCIES, [
        site("S1", "A1", 0, 0, running_cost=500_000, hosts=["HR"]),  # home: always eligible
        site("S2", "A1", 0, 1, running_cost=10_000, hosts=["HR"]),  # does not host IT
        site("S3", "A1", 0, 2, running_cost=20_000, secure=False),  # not secure
        site("S4", "A1", 0, 3, running_cost=300_000, secure=True),
    ], [function("F1", "A1", "IT", "S1", annual_cost=100_000, needs_secure=True)])
    plan = plan_of(reg, scenario(), solver)
    # Only S1 (home) and S4 may take F1: 10 * (300k + 100k) = 4,000,000.
    assert plan.summary.objective_npv == approx(4_000_000)
    assert placed(plan) == {"F1": {"S4": 1.0}}
    # With S4 shut F1 stays home, although S1 neither hosts IT nor is secure:
    # 10 * (500k + 100k) = 6,000,000.
    plan = plan_of(reg, scenario(policy={"close": ["S4"]}), solver)
    assert plan.summary.objective_npv == approx(6_000_000)
    assert placed(plan) == {"F1": {"S1": 1.0}}


def test_participating_agencies_only(tmp_path: Path, solver: str) -> None:
    reg = write_register(tmp_path / "r", AGENCIES, [
        site("S1", "A1", 0, 0, running_cost=500_000),
        site("S3", "A1", 0, 3, running_cost=200_000),
        site("S2", "A2", 0, 1, running_cost=10_000),
    ], [
        function("F1", "A1", "HR", "S1", fte=10, annual_cost=500_000),
        function("F2", "A2", "HR", "S2", fte=10, annual_cost=500_000),
    ])
    plan = plan_of(reg, scenario(agencies=["A1"]), solver)
    # A2's cheap S2 is not in play: F1 to S3, 10 * (200k + 500k) = 7,000,000; status quo
    # 10 * (500k + 200k + 500k) = 12,000,000.
    assert plan.summary.objective_npv == approx(7_000_000)
    assert plan.summary.status_quo_npv == approx(12_000_000)
    assert set(plan.sites["site_id"]) == {"S1", "S3"}
    # Everyone: all into S2, 10 * (10k + 1M) = 10,100,000.
    assert plan_of(reg, scenario(), solver).summary.objective_npv == approx(10_100_000)
    # A2's site covers no zone for A1 alone: under `all` the zone cannot be served...
    reg = write_register(tmp_path / "r2", AGENCIES, [
        site("S1", "A1", 0, 0, running_cost=500_000),
        site("S3", "A1", 0, 3, running_cost=200_000),
        site("S2", "A2", 0, 1, running_cost=10_000, services=[PUBLIC]),
    ], [function("F1", "A1", "HR", "S1", fte=10, annual_cost=500_000)], [zone("Z1", 0, 1)])
    rule = {"service": PUBLIC, "radius_km": 5.0, "mode": "all"}
    with pytest.raises(InfeasibleError):
        plan_of(reg, scenario(agencies=["A1"], coverage=[rule]), solver)
    # ...and under `maintain` it is not served today by A1, so it is out of scope: 7.0M.
    plan = plan_of(reg, scenario(agencies=["A1"], coverage=[{**rule, "mode": "maintain"}]),
                   solver)
    assert plan.summary.objective_npv == approx(7_000_000)
