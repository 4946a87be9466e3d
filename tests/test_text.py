"""The plain-text summary `estate plan` prints (estate.render.text): the status line
and its warnings."""

from __future__ import annotations

from estate.render.text import summary_lines
from tests.fixtures import summary_record as _summary


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
