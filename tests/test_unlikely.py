"""Scenario values that are allowed but rarely meant (estate.load.unlikely): a warning
at the key, with what was probably meant, and the run goes on."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures import invoke, no_traceback, town

RULE = {"service": "public_access", "mode": "maintain"}


@pytest.mark.parametrize(("changes", "key", "says"), [
    # 15 km typed in metres: a valid radius (under the Earth round) that protects nothing
    ({"coverage": [{**RULE, "radius_km": 15000}]}, "coverage.0.radius_km",
     "found 15,000 km: if metres were meant, 15 km is written 15"),
    ({"coverage": [RULE, {**RULE, "radius_km": 5000}]}, "coverage.1.radius_km",
     "found 5,000 km: if metres were meant, 5 km is written 5"),
    ({"relocation": {"max_km": 40000}}, "relocation.max_km",
     "40 km is written 40; for no limit, write inf"),
    # a 1% gap typed as 1: a gap of 100%
    ({"solver": {"mip_gap": 1}}, "solver.mip_gap",
     "found 1, a gap of 100%: the solver may stop at a plan that far from the cheapest; "
     "for 1% write 0.01"),
    ({"discount_rate": 0.35}, "discount_rate", "found 0.35, 35% a year"),
    # half a metre: '0.5m' read as metres, or a point in the wrong place
    ({"relocation": {"max_km": 0.0005}}, "relocation.max_km", "found 0.0005 km, which is "
     "0.5 m"),
    # a share beside a mode that does not read it, as DESIGN's own example writes it
    ({"coverage": [{**RULE, "mode": "all", "population_share": 0.8}]},
     "coverage.0.population_share", 'mode "all" does not read it: drop it, or set that '
     "mode), found 0.8, not read"),
    ({"coverage": [{"service": "public_access", "population_share": 0.5}]},
     "coverage.0.population_share", 'mode "maintain", the default, does not read it'),
])
def test_a_value_in_the_wrong_unit_is_queried(tmp_path: Path, changes: dict[str, Any],
                                              key: str, says: str) -> None:
    scenario = town(tmp_path, changes=changes)
    run = invoke(tmp_path, "validate", scenario)
    assert run.code == 0, run.output
    said = [line for line in run.stderr.splitlines() if f", key {key}:" in line]
    assert len(said) == 1 and said[0].startswith("Warning: ") and says in said[0], run.stderr
    no_traceback(run)


@pytest.mark.parametrize("changes", [
    {"coverage": [{**RULE, "radius_km": 999}], "relocation": {"max_km": 999}},
    {"coverage": [{**RULE, "radius_km": 0.1}], "relocation": {"max_km": 0.1}},
    {"relocation": {"max_km": math.inf}, "solver": {"mip_gap": 0.09}, "discount_rate": 0.2},
])
def test_values_a_plan_may_mean_pass_without_a_word(tmp_path: Path,
                                                    changes: dict[str, Any]) -> None:
    """Just inside each bound, and no move limit at all, nothing is said."""
    scenario = town(tmp_path, changes=changes)
    run = invoke(tmp_path, "validate", scenario)
    assert run.code == 0, run.output
    assert "Warning" not in run.stderr, run.stderr


def test_a_plan_goes_on_after_the_warning(tmp_path: Path) -> None:
    scenario = town(tmp_path, changes={"relocation": {"max_km": 15000}})
    run = invoke(tmp_path, "plan", scenario, "--out", "out", "--map", "map.html")
    assert run.code == 0, run.output
    assert "key relocation.max_km" in run.stderr and (tmp_path / "out").is_dir()
