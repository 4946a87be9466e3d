"""What a solved plan tells of its optimum (estate.runs.optimum): the bound a policy
cost's range is read from."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import estate
import estate.programme.realised
from estate.runs.optimum import stored_optimum
from estate.status import Status
from tests.fixtures import write_scenario
from tests.fixtures.register import agency, function, site, write_register, zone
from tests.fixtures.results import summary_record
from tests.fixtures.scenario import scenario


def _area(npv: float, gap: float) -> dict[str, object]:
    return {"status": "time_limit" if gap > 1e-4 else "optimal", "objective_npv": npv,
            "npv_saving": 1e6, "mip_gap": gap, "solve_seconds": 3.0}


def test_a_national_optimum_is_bounded_by_its_areas_own_bounds() -> None:
    """Its `mip_gap` is the largest area's; taken of the whole NPV it bounded the total
    as if every area were that far from proof. The areas' bounds add up instead: north
    £40m within 50% (bound £20m), south £54m proven (bound £54m), so the whole £94m is
    bounded by £74m, a gap of 20/94, not £47m."""
    summary = summary_record(objective_npv=94e6, mip_gap=0.5, status="time_limit",
                             areas={"north": _area(40e6, 0.5), "south": _area(54e6, 0.0)})
    optimum = stored_optimum(summary)
    assert optimum.bound == pytest.approx(74e6)
    assert optimum.gap == pytest.approx(20 / 94)
    assert not optimum.proven


def test_one_localitys_optimum_is_bounded_by_its_own_gap() -> None:
    optimum = stored_optimum(summary_record(objective_npv=94e6, mip_gap=0.01,
                                            status="time_limit"))
    assert optimum.bound == pytest.approx(94e6 * 0.99)
    assert stored_optimum(summary_record(objective_npv=94e6, mip_gap=1e-7)).proven
    # 100% is the widest gap that bounds anything a reader can use; above it the bound
    # is the solver's first guess, and a policy's cost came out as £0 to £7.8e28
    assert stored_optimum(summary_record(objective_npv=94e6, mip_gap=1.0,
                                         status="time_limit")).bound == pytest.approx(0.0)
    assert stored_optimum(summary_record(objective_npv=94e6, mip_gap=2.12,
                                         status="time_limit")).bound == -math.inf


def test_a_dated_plan_that_realises_more_stands_beside_a_cheaper_snapshot(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A1's HR team TA (£1m a year) may pool at A1's S1 with B's TB (£100k), which sits
    at its own kept SB, or with C's TC (£500k), which may move only from year 4; five
    years at r = 0. Searched only to a gap of 90%, the plan pools TA with TB: £1.60m
    realised. The exact search for the policy costs finds the snapshot's optimum, TA
    with TC, £150k cheaper by the objective, which prices the centre from year 1; but
    dated, its changes realise £1.15m. The plan written stays the one that saves more,
    its gap its own objective's from the bound the search proved, and its policy costs
    are measured from that optimum. Only the plan and that search are dated: a
    policy's optimum is read for its objective alone."""
    register = write_register(tmp_path / "register", [agency("A"), agency("B"), agency("C")], [
        site("S1", "A", 0, 0, desks=100, running_cost=200_000, must_keep=True),
        site("SB", "B", 0, 0, desks=60, running_cost=100_000, must_keep=True),
        site("SC", "C", 0, 0, desks=20, running_cost=300_000)],
        [function("TA", "A", "HR", "S1", fte=20, annual_cost=1_000_000),
         function("TB", "B", "HR", "SB", fte=50, annual_cost=100_000),
         function("TC", "C", "HR", "SC", fte=10, annual_cost=500_000,
                  earliest_move="2030-04-01")], [zone("Z1", 0, 0)])
    path = write_scenario(tmp_path / "s.toml", scenario(
        data=str(register), start="2027-04-01", horizon_years=5, discount_rate=0.0,
        sharing={"types": ["HR"], "efficiency": 0.2, "setup_cost": 0.0, "min_agencies": 2},
        relocation={"cost_per_fte": 5000.0, "max_km": 300.0},
        solver={"mip_gap": 0.9, "time_limit_s": 60}))
    first = estate.plan(path, write=False)
    assert first.summary.npv_saving == pytest.approx(1_600_000, abs=0.01)
    dated: list[object] = []
    real = estate.programme.realised.realised_programme
    monkeypatch.setattr(estate.programme.realised, "realised_programme",
                        lambda *a: dated.append(a) or real(*a))
    said: list[str] = []
    priced = estate.plan(path, write=False, policy_costs=True, progress=said.append)
    assert any("found a plan £150.0k cheaper by the snapshot's objective, but its changes, "
               "dated, realise less: the first plan is the plan written" in line
               for line in said), said
    assert len(dated) == 2  # the plan, and the exact search it may be replaced by
    s = priced.summary
    assert s.npv_saving == pytest.approx(1_600_000, abs=0.01)
    assert s.objective_npv == pytest.approx(first.summary.objective_npv, abs=0.01)
    # its gap: from the snapshot's optimum, proven £150k below its objective
    assert s.mip_gap == pytest.approx(150_000 / s.objective_npv, rel=1e-6)
    assert s.status is Status.OPTIMAL  # within the scenario's own 90%
    assert s.policy_costs is not None
