"""The plain-text summary `estate plan` prints: the status line and its warnings."""

from __future__ import annotations

from typing import Any

from estate.render.text import summary_lines


def _summary(**changes: Any) -> dict[str, Any]:
    base = {"scenario": "Region", "status": "optimal", "mip_gap": 0.0001, "solve_seconds": 12.0,
            "solver": "highs", "sites_before": 10, "sites_after": 8, "sites_closed": 2,
            "sites_opened": 0, "shared_centres": 1, "annual_cost_before": 10e6,
            "annual_cost_after": 9e6, "annual_saving": 1e6, "one_off_cost": 2e6,
            "payback_years": 2.0, "npv_saving": 6e6, "horizon_years": 10,
            "status_quo_npv": 100e6, "fte_relocated": 12.0}
    return {**base, **changes}


def test_time_limit_is_loud_and_gap_shown() -> None:
    lines = summary_lines(_summary(status="time_limit", mip_gap=0.0121))
    assert "TIME LIMIT, NOT PROVEN OPTIMAL (gap 1.210%)" in lines[1]
    assert not any(line.startswith("Bound:") for line in lines)


def test_a_bound_still_at_its_first_guess_is_explained() -> None:
    # A region stopped before HiGHS solved its root LP: gap 829%.
    lines = summary_lines(_summary(status="time_limit", mip_gap=8.2925))
    bound = [line for line in lines if line.startswith("Bound:")]
    assert len(bound) == 1 and "time_limit_s" in bound[0] and "areas" in bound[0]
    # an optimal plan never gets it, nor a plan at exactly 100%
    assert not any(x.startswith("Bound:") for x in summary_lines(_summary(mip_gap=0.0)))
    assert not any(x.startswith("Bound:") for x in
                   summary_lines(_summary(status="time_limit", mip_gap=1.0)))
