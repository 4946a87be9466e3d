"""The plan read back from the decisions (estate.results): who pays what, who is worse
off, payback, and the status quo's breaches, on small plans worked out by hand.

Unless a test says otherwise: r = 0 and H = 10, so A = 10; no sharing; relocation free
and unlimited; distances on the km grid of `tests.fixtures.grid`. Every test runs on
every installed solver.
"""

from __future__ import annotations

from pathlib import Path

from tests.fixtures import (
    PUBLIC,
    TWO_AGENCIES,
    agency,
    approx,
    check_agencies_add_up,
    function,
    plan_of,
    scenario,
    site,
    write_register,
    zone,
)
from tests.fixtures.registers import closing_register

AGENCIES = TWO_AGENCIES


def test_agency_figures_add_up_and_worse_off(tmp_path: Path, solver: str) -> None:
    reg = write_register(tmp_path / "r", [*AGENCIES, agency("A3"), agency("A4")], [
        site("S1", "A1", 0, 0, running_cost=1_000_000, desks=100, must_keep=True),
        site("S2", "A2", 0, 5, running_cost=100_000, desks=10, closure_cost=30_000),
        site("S3", "A3", 0, 9, running_cost=70_000, must_keep=True),  # empty: owner pays
    ], [
        function("F1", "A1", "HR", "S1", fte=10, annual_cost=500_000),
        function("F2", "A2", "IT", "S2", fte=10, annual_cost=400_000),
    ])
    plan = plan_of(reg, scenario(relocation={"cost_per_fte": 1000}), solver)
    # S2 closes (saves 100k a year for 30k + 10k once); S3 stays, empty:
    # 10 * (1M + 70k + 900k) + 40k = 19,740,000.
    assert plan.summary.objective_npv == approx(19_740_000)
    per = plan.summary.agencies
    # Before: A1 1M + 500k, A2 100k + 400k. After: S1's 1M split by desks 10/10.
    assert per["A1"].annual_cost_before == approx(1_500_000)
    assert per["A2"].annual_cost_before == approx(500_000)
    assert per["A1"].annual_cost_after == approx(1_000_000)
    assert per["A2"].annual_cost_after == approx(900_000)
    assert per["A2"].one_off_cost == approx(40_000)  # closure of its site, its move
    assert per["A1"].one_off_cost == approx(0)
    assert per["A3"].annual_cost_before == approx(70_000)
    assert per["A3"].annual_cost_after == approx(70_000)
    assert per["A4"].annual_cost_before == per["A4"].annual_cost_after == 0
    assert [per[a].worse_off for a in ("A1", "A2", "A3", "A4")] == [False, True, False, False]
    check_agencies_add_up(plan)
    table = plan.agencies.set_index("agency_id")
    assert bool(table.at["A2", "worse_off"]) is True


def test_agency_npv_savings_add_up_to_the_penny(tmp_path: Path, solver: str) -> None:
    """Three agencies end up sharing S1's £1M a year in thirds (£333,333.33...): each
    agency's NPV saving in agencies.csv is its own unrounded figure rounded, so the
    three add up to the plan's within half a penny each (worked out from the rounded
    annual figures, times 8.32 at 3.5%, they missed it by more)."""
    reg = write_register(tmp_path / "r", [*AGENCIES, agency("A3")], [
        site("S1", "A1", 0, 0, running_cost=1_000_000, desks=30, must_keep=True),
        site("S2", "A2", 0, 5, running_cost=600_000, desks=10),
        site("S3", "A3", 0, 9, running_cost=600_000, desks=10),
    ], [
        function("F1", "A1", "HR", "S1", fte=10, desks=10, annual_cost=100_000),
        function("F2", "A2", "IT", "S2", fte=10, desks=10, annual_cost=100_000),
        function("F3", "A3", "IT", "S3", fte=10, desks=10, annual_cost=100_000),
    ])
    plan = plan_of(reg, scenario(discount_rate=0.035), solver)
    s = plan.summary.to_json()
    assert (s["sites_closed"], s["annual_saving"]) == (2, approx(1_200_000))
    told = float(plan.agencies["npv_saving"].sum())  # agencies.csv
    assert abs(told - s["npv_saving"]) <= 3 * 0.005 + 1e-9


def test_payback(tmp_path: Path, solver: str) -> None:
    reg = closing_register(tmp_path / "r")
    s = plan_of(reg, scenario(relocation={"cost_per_fte": 1000}), solver).summary.to_json()
    # Close S1: one-off 200k + 10k = 210k; annual 1.1M -> 600k, saving 500k;
    # payback 210k / 500k = 0.42 years.
    assert (s["one_off_cost"], s["annual_saving"]) == (approx(210_000), approx(500_000))
    assert s["payback_years"] == approx(0.42)
    assert s["npv_saving"] == approx(11_000_000 - 6_210_000)


def test_payback_zero_when_one_off_is_a_receipt(tmp_path: Path, solver: str) -> None:
    reg = write_register(tmp_path / "r", AGENCIES, [
        site("S1", "A1", 0, 0, running_cost=500_000, disposal_value=900_000),
        site("S2", "A1", 0, 5, running_cost=100_000, disposal_value=80_000,
             closure_cost=30_000),
    ], [function("F1", "A1", "HR", "S1", fte=10, annual_cost=500_000)])
    s = plan_of(reg, scenario(policy={"keep": ["S1"]}), solver).summary.to_json()
    # S2 closes and sells: one-off 30k - 80k = -50k, annual saving 100k: payback 0.
    # The receipts are S2's sale alone (S1, kept, is not sold).
    assert s["one_off_cost"] == approx(-50_000)
    assert s["one_off_receipts"] == approx(80_000)
    assert s["objective_npv"] == approx(10 * 1_000_000 - 50_000)
    assert s["payback_years"] == 0


def test_a_cap_below_zero_asks_for_receipts_and_says_so(tmp_path: Path, solver: str) -> None:
    """`max_one_off` is a cap on net one-off spend, so one below zero asks the plan to
    raise at least that much net; the status quo raises nothing, and its breach says so
    in those words."""
    reg = write_register(tmp_path / "r", AGENCIES, [
        site("S1", "A1", 0, 0, running_cost=500_000),
        site("S2", "A1", 0, 5, running_cost=1_000, disposal_value=80_000, closure_cost=30_000),
    ], [function("F1", "A1", "HR", "S1", fte=10, annual_cost=500_000)])
    s = plan_of(reg, scenario(policy={"keep": ["S1"], "max_one_off": -40_000}),
                solver).summary.to_json()
    # S2 closes and sells: it raises 80k - 30k = 50k, at least the 40k asked.
    assert s["one_off_cost"] == approx(-50_000)
    assert s["status_quo_feasible"] is False
    assert [b["place"] for b in s["status_quo_breaches"]] == [
        "max_one_off = -40000 asks for net receipts of at least £40.0k; the status quo "
        "receives nothing"]


def test_payback_null_without_annual_saving(tmp_path: Path, solver: str) -> None:
    reg = write_register(tmp_path / "r", AGENCIES, [
        site("S1", "A1", 0, 0, running_cost=500_000),
        site("C1", "A1", 0, 30, running_cost=50_000, build_cost=200_000, candidate=True,
             services=[PUBLIC]),
    ], [function("F1", "A1", "HR", "S1", fte=10, annual_cost=500_000)], [zone("Z1", 0, 30)])
    rule = {"service": PUBLIC, "radius_km": 5.0, "mode": "all"}
    s = plan_of(reg, scenario(coverage=[rule], relocation={"max_km": 10.0}), solver).summary.to_json()
    # C1 must be built for Z1 and F1 may not go 30 km: annual 1.0M -> 1.05M (saving
    # -50k), one-off 200k: payback null. NPV 10 * 1.05M + 200k = 10,700,000.
    assert s["objective_npv"] == approx(10_700_000)
    assert s["annual_saving"] == approx(-50_000)
    assert s["payback_years"] is None
    assert s["status_quo_feasible"] is False
    # Nothing to change at all: saving 0, payback null too.
    s = plan_of(reg, scenario(policy={"close": ["C1"]}, relocation={"max_km": 10.0}),
                solver).summary.to_json()
    assert s["annual_saving"] == approx(0) and s["payback_years"] is None


def test_unhoused_function_is_housed_without_relocation_cost(tmp_path: Path,
                                                            solver: str) -> None:
    reg = write_register(tmp_path / "r", AGENCIES, [
        site("S1", "A1", 0, 0, running_cost=100_000),
    ], [function("F1", "A1", "HR", "", fte=10, annual_cost=500_000)])
    s = plan_of(reg, scenario(relocation={"cost_per_fte": 1000}), solver).summary.to_json()
    # 10 * (100k + 500k), nothing relocated.
    assert s["objective_npv"] == approx(6_000_000)
    assert s["fte_relocated"] == 0
    assert s["status_quo_feasible"] is False
    assert any("F1" in b["place"] for b in s["status_quo_breaches"])
