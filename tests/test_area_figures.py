"""An area's own figures in a plan made area by area: written and read back as one
record, and each value a hand edit broke named."""

from __future__ import annotations

import pytest

from estate.errors import InputError
from estate.results.area_figures import AreaFigures, read_areas
from estate.status import Status

PROVEN = AreaFigures(Status.OPTIMAL, 40e6, 1.2e6, 0.0, 3.5)
DATED = AreaFigures(Status.TIME_LIMIT, 54e6, 0.8e6, 0.012, 60.0, lease_cost_npv=150_000.0,
                    receipts_after_horizon=0.0)
NO_PLAN = AreaFigures(Status.TIME_LIMIT, None, None, None, 60.0)


@pytest.mark.parametrize("area", [PROVEN, DATED, NO_PLAN])
def test_an_area_reads_back_as_it_was_written(area: AreaFigures) -> None:
    written = area.to_json()
    assert AreaFigures.from_json(written, "north") == area
    # the timing figures only when the scenario is dated
    assert ("lease_cost_npv" in written) == (area.lease_cost_npv is not None)


@pytest.mark.parametrize(("change", "named"), [
    ({"status": "stopped"}, "areas.north.status"),
    ({"mip_gap": "1%"}, "areas.north.mip_gap"),
    ({"objective_npv": float("inf")}, "areas.north.objective_npv"),
    ({"solve_seconds": None}, "areas.north.solve_seconds"),
    ({"solve_seconds": 10 ** 400}, "areas.north.solve_seconds"),
    # a gap below nought would read "within 0%" of an unproven area's plan
    ({"mip_gap": -0.5}, "areas.north.mip_gap"),
])
def test_a_broken_value_is_named(change: dict[str, object], named: str) -> None:
    with pytest.raises(InputError) as caught:
        read_areas({"north": {**PROVEN.to_json(), **change}}, "r/summary.json")
    problem = caught.value.problems[0]
    assert (problem.file, problem.column) == ("r/summary.json", named)
    with pytest.raises(InputError) as caught:
        read_areas(["north"])
    assert caught.value.problems[0].column == "areas"
