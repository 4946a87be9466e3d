"""Where the board pack's Gantt chart puts its marks, in points (estate.render.gantt_layout):
side by side, then smaller, then in lines in a taller row; never one on another; and
how the sites share out over charts.

The drawn chart is tested in test_figures.py; here the geometry alone, with each mark's
reach worked out from its shape and edge as matplotlib draws them.
"""

from __future__ import annotations

import itertools

import pytest

from estate.render.gantt_layout import (
    COLUMN,
    EDGE,
    GAP,
    LEAST,
    Spot,
    parts,
    row_spots,
    shape,
    spots,
    units,
)

PITCH = 0.42 / 2.54 * 72
"""A row's height on the chart, in points."""
KINDS = ("close", "build", "open", "move", "pool", "dispose")


def _boxes(actions: list[str], placed: list[Spot]) -> list[tuple[float, float, float, float]]:
    """Each mark's reach (left, top, right, bottom) in points from its year's centre on
    its row: its shape at its scale and half its edge line round it."""
    boxes = []
    for action, spot in zip(actions, placed, strict=True):
        width, height = shape(action)
        half_w, half_h = (spot.scale * width + EDGE) / 2, (spot.scale * height + EDGE) / 2
        boxes.append((spot.dx - half_w, spot.dy - half_h, spot.dx + half_w, spot.dy + half_h))
    return boxes


def test_a_year_s_few_marks_stand_side_by_side_at_full_size() -> None:
    """A site closed and its sale received in one year, at a year 40 points wide: both
    marks full size on the row's line, centred on the year, `GAP` between them."""
    actions = ["close", "dispose"]
    placed = spots(actions, 40.0, PITCH)
    assert placed is not None
    assert [s.scale for s in placed] == [1.0, 1.0]
    assert [s.dy for s in placed] == [0.0, 0.0]
    (_, _, right, _), (left, _, _, _) = _boxes(actions, placed)
    assert left - right == pytest.approx(GAP)
    assert placed[0].dx == pytest.approx(-placed[1].dx)


def test_marks_are_drawn_smaller_before_they_stand_in_lines() -> None:
    """Five changes in a year 36 points wide (as Saxmundham's in the demo, at a 10-year
    horizon with short site names) do not fit side by side at full size but do a little
    smaller: one line, the marks shrunk no further than `LEAST`, within the year's column."""
    actions = ["build", "open", "move", "move", "pool"]
    placed = spots(actions, 36.0, PITCH)
    assert placed is not None
    assert {s.dy for s in placed} == {0.0}
    scale = placed[0].scale
    assert LEAST <= scale < 1.0 and all(s.scale == scale for s in placed)
    boxes = _boxes(actions, placed)
    assert boxes[-1][2] - boxes[0][0] <= COLUMN * 36.0 + 1e-9


def test_past_the_least_size_marks_stand_in_lines_in_a_taller_row() -> None:
    """Ten teams moving into one site in a year ten points wide (a 30-year horizon): even
    at `LEAST` they do not fit side by side, nor in lines within one row's height, so the
    row takes more rows; in that height they stand in lines, in order, top line first."""
    actions = ["move"] * 10
    assert spots(actions, 10.0, PITCH) is None
    rows = units(actions, [5] * 10, 10.0, PITCH)
    assert rows > 1
    assert spots(actions, 10.0, (rows - 1) * PITCH) is None  # the fewest rows that hold them
    placed = spots(actions, 10.0, rows * PITCH)
    assert placed is not None
    lines = sorted({s.dy for s in placed})
    assert len(lines) > 1
    assert [s.dy for s in placed] == sorted(s.dy for s in placed)  # in order, line by line


@pytest.mark.parametrize("cell", [8.0, 10.0, 12.5, 16.0, 21.0, 32.0, 45.0])
def test_no_mark_overlaps_another_nor_leaves_its_year_or_its_row(cell: float) -> None:
    """Any number of changes up to twelve, of every kind, in a year of any width a chart
    of up to 30 years (or 40) has, in a row as tall as `units` makes it: every mark is
    `GAP` or more from every other, within `COLUMN` of the year's width and within the
    row's height, `GAP` / 2 from its edges (so clear of the rows either side)."""
    for n in range(1, 13):
        actions = [KINDS[k % len(KINDS)] for k in range(n)]
        band = units(actions, [1] * n, cell, PITCH) * PITCH
        boxes = _boxes(actions, row_spots(actions, [1] * n, cell, band))
        for a, b in itertools.combinations(boxes, 2):
            apart = max(b[0] - a[2], a[0] - b[2], b[1] - a[3], a[1] - b[3])
            assert apart >= GAP - 1e-9, (n, cell, a, b)
        for left, top, right, bottom in boxes:
            assert -COLUMN * cell / 2 - 1e-9 <= left and right <= COLUMN * cell / 2 + 1e-9
            assert -(band - GAP) / 2 - 1e-9 <= top and bottom <= (band - GAP) / 2 + 1e-9


def test_a_row_s_marks_follow_the_key_s_order_year_by_year() -> None:
    """A site's changes come in any order; within each year its marks run in the key's
    order (close, build, open, move, pool, dispose), and a year's marks are placed apart
    from another year's (each about its own year's centre)."""
    actions = ["pool", "move", "build", "open", "close", "dispose"]
    years = [2, 2, 2, 2, 1, 3]
    placed = row_spots(actions, years, 40.0, PITCH)
    in_two = sorted((placed[i].dx, actions[i]) for i in range(4))
    assert [a for _, a in in_two] == ["build", "open", "move", "pool"]
    assert placed[4].dx == 0.0 and placed[5].dx == 0.0  # alone in their years: centred
    assert units(actions, years, 40.0, PITCH) == 1


def test_sites_share_out_over_charts_by_the_rows_they_take() -> None:
    """100 sites of one row each: three charts of 34, 34 and 32 (at most 44 rows a chart);
    44 fit one chart; a site whose crowded year makes its row five tall counts as five,
    so 40 sites and it take two charts; a site's row is never split, and every site is
    on one chart, in order."""
    assert [len(p) for p in parts([1] * 100, 44)] == [34, 34, 32]
    assert parts([1] * 44, 44) == [range(0, 44)]
    tall = [1] * 20 + [5] + [1] * 20
    charts = parts(tall, 44)
    assert len(charts) == 2
    assert [i for chart in charts for i in chart] == list(range(41))
    assert all(sum(tall[i] for i in chart) <= 44 for chart in charts)
    assert parts([], 44) == [range(0, 0)]
