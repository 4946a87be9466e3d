"""What a solved plan tells of its optimum (estate.runs.optimum): the bound a policy
cost's range is read from."""

from __future__ import annotations

import pytest

from estate.runs.optimum import stored_optimum
from tests.fixtures.results import summary_record


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
