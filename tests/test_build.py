"""The formulation (estate.model.build) on small plans worked out by hand, one rule at
a time: coverage, assignment, capacity, sharing, policy, candidates, discounting.

Unless a test says otherwise: r = 0 and H = 10, so A = 10 and NPV = 10 * annual +
one-off; no sharing; relocation free and unlimited; distances exact on the km grid of
`tests.fixtures.grid` (sites on one meridian, x = 0, y in km). Every test runs on every
installed solver (the `solver` fixture).
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from estate.errors import InfeasibleError
from estate.model.costs import sitting_years
from estate.pipeline import plan_locality
from tests.fixtures import (
    PUBLIC,
    TWO_AGENCIES,
    approx,
    check_agencies_add_up,
    decisions,
    function,
    placed,
    plan_of,
    scenario,
    site,
    write_register,
    zone,
)
from tests.fixtures.programme_registers import Case, plan_case
from tests.fixtures.registers import closing_register

AGENCIES = TWO_AGENCIES


def test_coverage_all_counts_empty_zones(tmp_path: Path, solver: str) -> None:
    """Mode `all`: every zone, population 0 included, keeps a site within the radius."""
    reg = write_register(tmp_path / "r", AGENCIES, [
        site("S1", "A1", 0, 0, running_cost=300_000, services=[PUBLIC]),
        site("S2", "A1", 0, 20, running_cost=100_000, services=[PUBLIC]),
        site("S3", "A2", 0, 10, running_cost=200_000),
    ], [function("F1", "A1", "HR", "S1", fte=10, annual_cost=500_000)], [
        zone("Z1", 0, 1, population=5000),  # only S1 (1 km) is within 5 km
        zone("Z2", 0, 19, population=0),  # only S2 (1 km) is within 5 km
    ])
    rule = {"service": PUBLIC, "radius_km": 5.0, "mode": "all"}
    plan = plan_of(reg, scenario(coverage=[rule], relocation={"cost_per_fte": 1000}), solver)
    # S1 and S2 must stay open (Z2 counts although empty); S3 closes; F1 stays at S1
    # (moving would cost 10 fte * 1000): 10 * (300k + 100k + 500k) = 9,000,000.
    assert plan.summary.objective_npv == approx(9_000_000)
    assert decisions(plan) == {"S1": "keep", "S2": "keep", "S3": "close"}
    # Status quo: 10 * (300k + 100k + 200k + 500k) = 11,000,000, and it is feasible.
    assert plan.summary.status_quo_npv == approx(11_000_000)
    assert plan.summary.status_quo_feasible is True
    # Without the rule only the cheapest site stays: 10 * (100k + 500k) + 10 * 1000.
    free = plan_of(reg, scenario(relocation={"cost_per_fte": 1000}), solver)
    assert free.summary.objective_npv == approx(6_010_000)


def test_coverage_all_infeasible_when_a_zone_has_no_site(tmp_path: Path, solver: str) -> None:
    reg = write_register(tmp_path / "r", AGENCIES, [
        site("S1", "A1", 0, 0, services=[PUBLIC]),
    ], [function("F1", "A1", "HR", "S1")], [zone("Z1", 0, 0), zone("Z2", 0, 50)])
    rule = {"service": PUBLIC, "radius_km": 5.0, "mode": "all"}
    with pytest.raises(InfeasibleError):
        plan_of(reg, scenario(coverage=[rule]), solver)


def test_coverage_maintain_lets_a_new_site_replace_an_old_one(tmp_path: Path,
                                                               solver: str) -> None:
    reg = write_register(tmp_path / "r", AGENCIES, [
        site("S1", "A1", 0, 0, running_cost=400_000, services=[PUBLIC]),
        site("C1", "A1", 0, 2, running_cost=100_000, build_cost=500_000, candidate=True,
             services=[PUBLIC]),
        site("S2", "A1", 0, 30, running_cost=250_000),
    ], [function("F1", "A1", "HR", "S2", fte=10, annual_cost=500_000)], [
        zone("Z1", 0, 1),  # S1 at 1 km today, C1 at 1 km if built
        zone("Z2", 0, 60),  # nothing within 5 km today: outside a `maintain` rule
    ])
    rule = {"service": PUBLIC, "radius_km": 5.0, "mode": "maintain"}
    plan = plan_of(reg, scenario(coverage=[rule]), solver)
    # Options: S1 alone 10 * (400k + 500k) = 9.0M; C1 alone 10 * (100k + 500k) + 500k
    # = 6.5M; S2 + C1 10 * (250k + 100k + 500k) + 500k = 9.0M. Best: build C1.
    assert plan.summary.objective_npv == approx(6_500_000)
    assert decisions(plan) == {"S1": "close", "C1": "open", "S2": "close"}
    assert placed(plan) == {"F1": {"C1": 1.0}}
    cov = plan.coverage.set_index("zone_id")
    assert bool(cov.at["Z1", "covered_before"]) and bool(cov.at["Z1", "covered_after"])
    assert not bool(cov.at["Z2", "covered_before"])
    # The same zone Z2 under `all` makes the scenario infeasible.
    with pytest.raises(InfeasibleError):
        plan_of(reg, scenario(coverage=[{**rule, "mode": "all"}]), solver)


def test_coverage_population_share(tmp_path: Path, solver: str) -> None:
    """A pure coverage problem (no functions); the share is of ALL people, coverable or not."""
    reg = write_register(tmp_path / "r", AGENCIES, [
        site("S1", "A1", 0, 0, running_cost=100_000, services=[PUBLIC]),
        site("S2", "A1", 0, 20, running_cost=50_000, services=[PUBLIC]),
        site("S3", "A2", 0, 40, running_cost=10_000, services=[PUBLIC]),
    ], [], [
        zone("Z1", 0, 0, population=600), zone("Z2", 0, 20, population=300),
        zone("Z3", 0, 40, population=100),
        zone("Z4", 0, 60, population=1000),  # no site within 5 km
    ])
    rule = {"service": PUBLIC, "radius_km": 5.0, "mode": "population_share",
            "population_share": 0.325}
    plan = plan_of(reg, scenario(coverage=[rule]), solver)
    # Need 0.325 * 2000 = 650 people. S1 alone reaches 600 (too few); S1 + S3 reach 700
    # for 110k a year; S1 + S2 reach 900 for 150k. Best: 10 * 110k = 1,100,000.
    # (Were Z4 left out of the total, 325 people would do and S1 alone would cost 1.0M.)
    assert plan.summary.objective_npv == approx(1_100_000)
    assert decisions(plan) == {"S1": "keep", "S2": "close", "S3": "keep"}
    # 0.3 * 2000 = 600: S1 alone now does, 10 * 100k = 1,000,000.
    rule["population_share"] = 0.3
    assert plan_of(reg, scenario(coverage=[rule]), solver).summary.objective_npv \
        == approx(1_000_000)


def test_population_share_with_no_people_holds_trivially(tmp_path: Path, solver: str) -> None:
    reg = write_register(tmp_path / "r", AGENCIES, [
        site("S1", "A1", 0, 0, running_cost=100_000, services=[PUBLIC]),
    ], [], [zone("Z1", 0, 0, population=0)])
    rule = {"service": PUBLIC, "radius_km": 5.0, "mode": "population_share",
            "population_share": 1.0}
    plan = plan_of(reg, scenario(coverage=[rule]), solver)
    assert plan.summary.objective_npv == approx(0)  # S1 closes: nothing to cover
    assert decisions(plan) == {"S1": "close"}


def test_split_across_two_sites_when_no_single_site_has_room(tmp_path: Path,
                                                             solver: str) -> None:
    reg = write_register(tmp_path / "r", AGENCIES, [
        site("S1", "A1", 0, 0, desks=60, running_cost=500_000),
        site("S2", "A1", 0, 5, desks=40, running_cost=100_000),
        site("S3", "A1", 0, 10, desks=30, running_cost=100_000),
    ], [function("F1", "A1", "HR", "S1", fte=60, annual_cost=1_000_000)])
    sc = scenario(assignment={"split": True}, relocation={"cost_per_fte": 1000})
    plan = plan_of(reg, sc, solver)
    # S2 + S3 hold 70 >= 60 desks: 10 * (100k + 100k + 1M) + 60 fte * 1000 = 12,060,000
    # (status quo 10 * (500k + 100k + 100k + 1M) = 17,000,000).
    assert plan.summary.objective_npv == approx(12_060_000)
    assert decisions(plan) == {"S1": "close", "S2": "keep", "S3": "keep"}
    shares = placed(plan)["F1"]
    assert set(shares) == {"S2", "S3"}
    assert sum(shares.values()) == approx(1.0)
    # (shares are reported to 6 decimals)
    assert 60 * shares["S2"] <= 40 + 1e-4 and 60 * shares["S3"] <= 30 + 1e-4
    assert plan.summary.fte_relocated == approx(60)
    # Unsplit, F1 fits only at S1: 10 * (500k + 1M) = 15,000,000.
    whole = plan_of(reg, scenario(relocation={"cost_per_fte": 1000}), solver)
    assert whole.summary.objective_npv == approx(15_000_000)


def test_racks_capacity_net_of_pooling(tmp_path: Path, solver: str) -> None:
    reg = write_register(tmp_path / "r", AGENCIES, [
        site("S1", "A1", 0, 0, running_cost=500_000, racks=10),
        site("S2", "A1", 0, 1, running_cost=100_000, racks=2),
        site("S3", "A1", 0, 2, running_cost=300_000, racks=4),
    ], [function("F1", "A1", "IT", "S1", annual_cost=500_000, racks=4)])
    # 4 racks do not fit S2 (2): F1 to S3, 10 * (300k + 500k) = 8,000,000.
    plan = plan_of(reg, scenario(), solver)
    assert plan.summary.objective_npv == approx(8_000_000)
    # Pooled (efficiency 0.5, one agency may form a centre, no set-up cost) it needs
    # 4 * 0.5 = 2 racks and fits S2: 10 * (100k + 500k * 0.5) = 3,500,000.
    sharing = {"types": ["IT"], "efficiency": 0.5, "setup_cost": 0, "min_agencies": 1}
    plan = plan_of(reg, scenario(sharing=sharing), solver)
    assert plan.summary.objective_npv == approx(3_500_000)
    assert placed(plan) == {"F1": {"S2": 1.0}}
    assert plan.sites.set_index("site_id").at["S2", "racks_used"] == approx(2)


def _sharing_register(tmp_path: Path, second_agency: str = "A2") -> Path:
    return write_register(tmp_path / "r", AGENCIES, [
        site("S1", "A1", 0, 0, desks=18, running_cost=100_000),
        site("S2", "A2", 0, 5, desks=100, running_cost=300_000),
    ], [
        function("F1", "A1", "HR", "S1", fte=10, annual_cost=1_000_000),
        function("F2", second_agency, "HR", "S2", fte=10, annual_cost=1_000_000),
    ])


SHARING = {"types": ["HR"], "efficiency": 0.2, "setup_cost": 100_000, "min_agencies": 2}


def test_sharing_saves_cost_and_desks(tmp_path: Path, solver: str) -> None:
    reg = _sharing_register(tmp_path)
    plan = plan_of(reg, scenario(sharing=SHARING, relocation={"cost_per_fte": 1000}), solver)
    # Both at S1, pooled: 20 desks * 0.8 = 16 <= 18 (unpooled 20 would not fit).
    # 10 * (100k + 2M * 0.8) + 100k set-up + 10 fte * 1000 moved = 17,110,000.
    # (Both pooled at S2: 10 * (300k + 1.6M) + 100k + 10k = 19,110,000.)
    assert plan.summary.objective_npv == approx(17_110_000)
    assert decisions(plan) == {"S1": "keep", "S2": "close"}
    assert placed(plan) == {"F1": {"S1": 1.0}, "F2": {"S1": 1.0}}
    assert plan.summary.shared_centres == 1
    assert plan.assignments["pooled"].tolist() == [1.0, 1.0]
    sites = plan.sites.set_index("site_id")
    assert sites.at["S1", "shared_types"] == "HR"
    assert sites.at["S1", "desks_used"] == approx(16)
    # Who pays: S1's 100k split by desks used (8 and 8); each function 1M - 200k saved.
    # A1: 50k + 800k = 850k after, 100k + 1M = 1.1M before; A2: 850k after,
    # 300k + 1M = 1.3M before. One-off: set-up 100k split by pooled desks (10 and 10),
    # relocation 10k to A2: A1 50k, A2 60k.
    per = plan.summary.agencies
    assert per["A1"].annual_cost_before == approx(1_100_000)
    assert per["A2"].annual_cost_before == approx(1_300_000)
    assert per["A1"].annual_cost_after == approx(850_000)
    assert per["A2"].annual_cost_after == approx(850_000)
    assert per["A1"].one_off_cost == approx(50_000)
    assert per["A2"].one_off_cost == approx(60_000)
    check_agencies_add_up(plan)


def test_no_centre_without_min_agencies(tmp_path: Path, solver: str) -> None:
    reg = _sharing_register(tmp_path, second_agency="A1")  # both functions are A1's
    plan = plan_of(reg, scenario(sharing=SHARING), solver)
    # One agency cannot form a centre of 2: no pooling, 20 desks fit only at S2:
    # 10 * (300k + 2M) = 23,000,000 (status quo 24,000,000).
    assert plan.summary.objective_npv == approx(23_000_000)
    assert plan.summary.shared_centres == 0
    # With min_agencies 1 the centre forms at S1: 10 * (100k + 1.6M) + 100k = 17,100,000.
    one = plan_of(reg, scenario(sharing={**SHARING, "min_agencies": 1}), solver)
    assert one.summary.objective_npv == approx(17_100_000)
    assert one.summary.shared_centres == 1


def test_pooling_can_make_a_function_fit(tmp_path: Path, solver: str) -> None:
    """F1 needs 20 desks and only S1 (18 desks) exists; pooled with F2 it needs
    20 * 0.8 + 1 * 0.8 = 16.8. The status quo breaches capacity, the plan does not."""
    reg = write_register(tmp_path / "r", AGENCIES, [
        site("S1", "A1", 0, 0, desks=18, running_cost=100_000),
    ], [
        function("F1", "A1", "HR", "S1", fte=20, annual_cost=1_000_000),
        function("F2", "A2", "HR", "S1", fte=1, annual_cost=100_000),
    ])
    plan = plan_of(reg, scenario(sharing=SHARING), solver)
    # 10 * (100k + 1.1M * 0.8) + 100k = 9,900,000.
    assert plan.summary.objective_npv == approx(9_900_000)
    assert plan.summary.status_quo_feasible is False


def _two_sites(tmp_path: Path, **s1: object) -> Path:
    return write_register(tmp_path / "r", AGENCIES, [
        site("S1", "A1", 0, 0, **{"running_cost": 100_000, **s1}),
        site("S2", "A1", 0, 5, running_cost=1_000_000),
    ], [function("F1", "A1", "HR", "S1", fte=10, annual_cost=500_000)])


def test_keep_forces_an_expensive_site_open(tmp_path: Path, solver: str) -> None:
    reg = _two_sites(tmp_path)
    reloc = {"cost_per_fte": 1000}
    # Free: close S2, 10 * (100k + 500k) = 6,000,000.
    assert plan_of(reg, scenario(relocation=reloc), solver).summary.objective_npv \
        == approx(6_000_000)
    plan = plan_of(reg, scenario(relocation=reloc, policy={"keep": ["S2"]}), solver)
    # S2 stays; then closing S1 and moving F1 there is cheapest:
    # 10 * (1M + 500k) + 10 fte * 1000 = 15,010,000 (keeping both: 16,000,000).
    assert plan.summary.objective_npv == approx(15_010_000)
    assert decisions(plan) == {"S1": "close", "S2": "keep"}


def test_close_forces_a_site_shut_and_its_functions_move(tmp_path: Path, solver: str) -> None:
    reg = _two_sites(tmp_path, closure_cost=50_000, disposal_value=20_000)
    sc = scenario(relocation={"cost_per_fte": 1000}, policy={"close": ["S1"]})
    plan = plan_of(reg, sc, solver)
    # 10 * (1M + 500k) + (50k - 20k) net exit + 10 fte * 1000 = 15,040,000.
    assert plan.summary.objective_npv == approx(15_040_000)
    assert decisions(plan) == {"S1": "close", "S2": "keep"}
    assert placed(plan) == {"F1": {"S2": 1.0}}
    assert plan.assignments["fte_moved"].tolist() == [10.0]
    assert plan.summary.fte_relocated == approx(10)
    assert plan.summary.one_off_cost == approx(40_000)
    # Closing S1 is a breach of the status quo (it is open today).
    assert plan.summary.status_quo_feasible is False


def test_front_line_sites_stay_open(tmp_path: Path, solver: str) -> None:
    reg = write_register(tmp_path / "r", AGENCIES, [
        site("S1", "A1", 0, 0, running_cost=100_000),
        site("S2", "A2", 0, 5, running_cost=1_000_000, kind="station"),
    ], [function("F1", "A1", "HR", "S1", fte=10, annual_cost=500_000)])
    plan = plan_of(reg, scenario(), solver)
    # The station stays open; F1 moves into it (free): 10 * (1M + 500k) = 15,000,000.
    assert plan.summary.objective_npv == approx(15_000_000)
    assert decisions(plan) == {"S1": "close", "S2": "keep"}
    # Declared closable, it closes: 10 * (100k + 500k) = 6,000,000.
    sc = scenario(policy={"closable_kinds": ["office", "station"]})
    assert plan_of(reg, sc, solver).summary.objective_npv == approx(6_000_000)


def test_must_keep_flag(tmp_path: Path, solver: str) -> None:
    reg = write_register(tmp_path / "r", AGENCIES, [
        site("S1", "A1", 0, 0, running_cost=100_000),
        site("S2", "A1", 0, 5, running_cost=1_000_000, must_keep=True),
    ], [function("F1", "A1", "HR", "S1", fte=10, annual_cost=500_000)])
    plan = plan_of(reg, scenario(), solver)
    # As with keep = ["S2"] and free moves: 10 * (1M + 500k) = 15,000,000.
    assert plan.summary.objective_npv == approx(15_000_000)


def test_max_one_off_blocks_a_profitable_move(tmp_path: Path, solver: str) -> None:
    reg = closing_register(tmp_path / "r")
    reloc = {"cost_per_fte": 1000}
    # Closing S1: 10 * (100k + 500k) + 200k + 10k = 6,210,000, one-off 210k.
    # Closing S2 instead: 10 * (500k + 500k) = 10,000,000, one-off 0.
    for cap, npv in ((math.inf, 6_210_000), (210_000, 6_210_000), (209_000, 10_000_000)):
        plan = plan_of(reg, scenario(relocation=reloc, policy={"max_one_off": cap}), solver)
        assert plan.summary.objective_npv == approx(npv), cap


def test_max_one_off_below_every_plan_is_infeasible(tmp_path: Path, solver: str) -> None:
    """No plan has a negative one-off here (closures cost, nothing sells), so a cap of
    -£1 cannot hold. The pre-checks do not see it, so the solver must say infeasible."""
    reg = closing_register(tmp_path / "r")
    with pytest.raises(InfeasibleError):
        plan_of(reg, scenario(policy={"max_one_off": -1.0}), solver)


def test_candidate_built_or_not(tmp_path: Path, solver: str) -> None:
    def register(build_cost: float, folder: str) -> Path:
        return write_register(tmp_path / folder, AGENCIES, [
            site("S1", "A1", 0, 0, running_cost=600_000),
            site("C1", "A1", 0, 5, running_cost=100_000, build_cost=build_cost, candidate=True),
        ], [function("F1", "A1", "HR", "S1", fte=10, annual_cost=500_000)])

    plan = plan_of(register(1_000_000, "cheap"), scenario(), solver)
    # Built: 10 * (100k + 500k) + 1M = 7,000,000 < status quo 10 * 1.1M = 11,000,000.
    assert plan.summary.objective_npv == approx(7_000_000)
    assert plan.summary.status_quo_npv == approx(11_000_000)
    assert decisions(plan) == {"S1": "close", "C1": "open"}
    assert (plan.summary.sites_before, plan.summary.sites_after,
            plan.summary.sites_closed, plan.summary.sites_opened) == (1, 1, 1, 1)
    dear = register(6_000_000, "dear")
    plan = plan_of(dear, scenario(), solver)
    # Building: 6M + 6M = 12M > staying 11M: not built.
    assert plan.summary.objective_npv == approx(11_000_000)
    assert decisions(plan) == {"S1": "keep", "C1": "not_built"}
    # A candidate in policy.keep is built; F1 then moves in and S1 closes:
    # 10 * (100k + 500k) + 6M = 12,000,000 (keeping S1 too: 18,000,000).
    plan = plan_of(dear, scenario(policy={"keep": ["C1"]}), solver)
    assert plan.summary.objective_npv == approx(12_000_000)
    assert decisions(plan) == {"S1": "close", "C1": "open"}


def test_discounting(tmp_path: Path, solver: str) -> None:
    reg = closing_register(tmp_path / "r")
    # r = 0, H = 7: A = 7. Close S1: 7 * 600k + 200k = 4,400,000; status quo 7 * 1.1M.
    s = plan_of(reg, scenario(horizon_years=7), solver).summary.to_json()
    assert s["objective_npv"] == approx(4_400_000)
    assert s["status_quo_npv"] == approx(7_700_000)
    # r = 3.5 %, H = 10: A = (1 - 1.035^-10) / 0.035 = 8.316605323...
    annuity = sum(1.035 ** -t for t in range(1, 11))
    assert annuity == pytest.approx(8.316605323, rel=1e-9)
    s = plan_of(reg, scenario(discount_rate=0.035), solver).summary.to_json()
    assert s["objective_npv"] == pytest.approx(annuity * 600_000 + 200_000, abs=0.01)
    assert s["status_quo_npv"] == pytest.approx(annuity * 1_100_000, abs=0.01)
    # H = 1: closing pays 200k to save 500k once: 1 * 600k + 200k = 800k < 1.1M.
    s = plan_of(reg, scenario(horizon_years=1), solver).summary.to_json()
    assert s["objective_npv"] == approx(800_000)


def test_pair_costs_count_at_home_and_away(tmp_path: Path, solver: str) -> None:
    reg = write_register(tmp_path / "r", AGENCIES, [
        site("S1", "A1", 0, 0, running_cost=100_000),
        site("S2", "A1", 0, 5, running_cost=100_000),
    ], [function("F1", "A1", "HR", "S1", annual_cost=500_000)],
        pair_costs=[{"function_id": "F1", "site_id": "S1", "annual_cost": 50_000},
                    {"function_id": "F1", "site_id": "S2", "annual_cost": 20_000}])
    s = plan_of(reg, scenario(), solver).summary.to_json()
    # At S2: 10 * (100k + 500k + 20k) = 6,200,000; status quo 10 * (200k + 550k).
    assert s["objective_npv"] == approx(6_200_000)
    assert s["status_quo_npv"] == approx(7_500_000)


def _surrender_case(folder: Path, max_one_off: float | None = None) -> Case:
    """Dated from 2027-04-01, r = 0, H = 5: the leased office L (rent = its running cost,
    £100k a year, no lease end, so owed to the horizon's end once closed: £500k) may be
    surrendered for £150k, and closing it costs £10k; its team moves to K (kept, free to
    run) for nothing. Closing L in year 1 saves £100k a year for 5 years and buys the
    surrender (£150k < £500k): one-off £10k + £150k = £160k, NPV saving £500k - £160k
    = £340k, payback £160k / £100k = 1.6 years."""
    policy = {} if max_one_off is None else {"policy": {"max_one_off": max_one_off}}
    return plan_case(folder, [
        site("L", "A", 0, 0, desks=50, running_cost=100_000, tenure="leasehold",
             closure_cost=10_000, surrender_cost=150_000),
        site("K", "A", 1, 0, desks=200, running_cost=0, must_keep=True),
    ], [function("T", "A", "Ops", "L", fte=40, desks=40)], horizon_years=5, **policy)


def test_a_surrender_the_plan_buys_is_in_its_one_off_cost(tmp_path: Path) -> None:
    s = _surrender_case(tmp_path).plan.summary
    assert s.sites_closed == 1
    assert s.one_off_cost == approx(160_000)
    assert s.npv_saving == approx(340_000)
    assert s.payback_years == approx(1.6)
    assert s.agencies["A"].one_off_cost == approx(160_000)


@pytest.mark.parametrize(("cap", "closes"), [(160_000, True), (159_999, False)])
def test_the_one_off_cap_counts_a_surrender_the_plan_buys(tmp_path: Path, cap: float,
                                                          closes: bool) -> None:
    """Closing L needs £160k of one-off spending with its surrender: a cap of £160k lets
    it close, a pound less keeps it (closure less disposal alone is only £10k)."""
    s = _surrender_case(tmp_path, cap).plan.summary
    assert s.sites_closed == int(closes)
    assert s.one_off_cost == approx(160_000 if closes else 0.0)
    assert s.one_off_cost <= cap


def test_the_first_year_a_team_could_sit_at_a_site(tmp_path: Path) -> None:
    """sitting_years, per pair, by hand over H = 3 years: 1 at home; a kept office K from
    the team's earliest year (E's is year 3); the hub C (two years to build) from year
    2; the annex D the policy keeps, five years to build, never within the horizon
    (4 = H + 1); a team with no site today from its first year, and U, whose first year
    is after the horizon, never."""
    case = plan_case(tmp_path, [
        site("K", "A", 0, 0, desks=100, running_cost=10_000, must_keep=True),
        site("O", "A", 0, 1, desks=100, running_cost=10_000),
        site("C", "A", 1, 0, desks=100, running_cost=10_000, candidate=True, build_years=2),
        site("D", "A", 1, 1, desks=100, running_cost=10_000, candidate=True, build_years=5),
    ], [function("T", "A", "Ops", "O"),
        function("E", "A", "Ops", "O", earliest_move="2029-04-01"),
        function("V", "A", "Ops", "", earliest_move="2028-04-01"),
        function("U", "A", "Ops", "", earliest_move="2035-04-01")],
        horizon_years=3, policy={"keep": ["D"]}, scheduled=False)  # scheduled: no programme
    prep = case.prep
    teams = prep.functions["function_id"].to_numpy()
    ids = prep.sites["site_id"].to_numpy()
    got = {(str(teams[f]), str(ids[s])): int(y) for f, s, y in
           zip(prep.pairs["f"], prep.pairs["s"], sitting_years(prep), strict=True)}
    assert got == {
        ("T", "O"): 1, ("T", "K"): 1, ("T", "C"): 2, ("T", "D"): 4,
        ("E", "O"): 1, ("E", "K"): 3, ("E", "C"): 3, ("E", "D"): 4,
        ("V", "O"): 2, ("V", "K"): 2, ("V", "C"): 2,  # D opens too late to place V
        ("U", "O"): 4, ("U", "K"): 4, ("U", "C"): 4, ("U", "D"): 4}


def test_an_unscheduled_plan_books_no_pooling_of_a_team_placed_after_the_horizon(
        tmp_path: Path) -> None:
    """B's HR team U has no site today and may not be placed before 2035, after the
    3-year horizon; A's HR team HA sits at S. Their centre at S needs both agencies, so
    no programme runs it within the horizon: planned without a programme at r = 0, the
    snapshot sets up no centre (£10k for nothing) and books no pooling, so its NPV
    saving is less U's £1m a year (which the snapshot counts, as it houses every team)
    for three years, -£3m. (It used to count U as at S from year 3, the horizon's
    last, and so booked year 3's pooling of both teams, 20% of £2m less the £10k
    set-up.)"""
    case = plan_case(tmp_path, [
        site("S", "A", 0, 0, desks=200, running_cost=50_000, must_keep=True),
    ], [function("HA", "A", "HR", "S", annual_cost=1_000_000),
        function("U", "B", "HR", "", annual_cost=1_000_000, earliest_move="2035-04-01")],
        agencies=("A", "B"), horizon_years=3, discount_rate=0.0,
        sharing={"types": ["HR"], "efficiency": 0.2, "setup_cost": 10_000.0,
                 "min_agencies": 2})
    _, bare = plan_locality(replace(case.prep.scenario, programme=None))
    assert bare.summary.npv_saving == pytest.approx(-3_000_000)
    assert bare.summary.shared_centres == 0
