"""How the board pack's Gantt chart (`figures.gantt`) is laid out: where its marks go, in
points, how many rows each site's row takes, and which sites go on which chart.

The changes of one year at one site stand side by side within the year's column, in the
key's order. When they do not fit they are drawn smaller, down to `LEAST` of their size;
when even that does not fit, in two lines or more, each line as large as it fits; and
when the lines need more height than a row has, the site's row is made as many rows
tall as they need (`units`). A mark never overlaps another: marks of one year stand
`GAP` apart, each year's marks keep within `COLUMN` of its width, and each row's marks
keep within its band, `GAP` from its edges, so they stay clear of the rows either side.

Pure geometry: the chart lays its axes out first and asks here with a year's width and
a row's height in points.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.markers import MarkerStyle

from estate.render.programme_chart import MARKS
from estate.results.amounts import count

MARK_AREA = 30.0
"""A mark's area at full size in square points (a square of side about 5.5 points)."""
LEAST = math.sqrt(0.5)
"""The least a mark is drawn, as a share of its full size: half its area, a square of
side about 3.9 points, its shape still plain in print."""
EDGE = 0.5
"""A mark's edge line in points, half of it outside the mark's shape."""
GAP = 1.0
"""Points at the least between two marks' edges, and between a row's marks and the
edges of its band."""
COLUMN = 0.9
"""The share of a year's width its marks may take: the rest keeps the years apart."""

GANTT_MARKERS = {"close": "s", "build": "^", "open": "o", "move": "D", "pool": "v",
                 "dispose": "P"}
"""Matplotlib markers for the programme's changes: the shapes of the programme page."""
OTHER_MARKER = "h"
"""The marker of a change the key does not name."""


def marker(action: str) -> str:
    return GANTT_MARKERS.get(action, OTHER_MARKER)


@functools.cache
def shape(action: str) -> tuple[float, float]:
    """The width and height of the mark of `action` at full size, in points: its shape,
    without its edge (the move's diamond is the widest and tallest)."""
    style = MarkerStyle(marker(action))
    box = style.get_path().transformed(style.get_transform()).get_extents()
    size = math.sqrt(MARK_AREA)
    return float(box.width * size), float(box.height * size)


@dataclass(frozen=True)
class Spot:
    """Where one mark goes: `dx` points right of its year's centre, `dy` points below its
    row's centre (the chart's rows run down the page), drawn at `scale` of full size."""

    dx: float
    dy: float
    scale: float


def _lines(n: int, k: int) -> list[range]:
    """`n` marks in order in `k` lines as near equal as can be, the longer lines first."""
    size, extra = divmod(n, k)
    bounds = [0]
    for j in range(k):
        bounds.append(bounds[-1] + size + (j < extra))
    return [range(a, b) for a, b in zip(bounds, bounds[1:], strict=False)]


def _scale(widths: list[float], lines: list[range], tallest: float, cell: float,
           band: float) -> float:
    """The largest share of full size (at most 1) at which `lines` of marks fit across a
    year `cell` points wide and down a band `band` points high, each with `GAP` to
    spare. Marks one to a line fit at `LEAST` however narrow the year (past the column,
    at a horizon far longer than 30 years)."""
    room = COLUMN * cell
    across = min((room - len(line) * EDGE - (len(line) - 1) * GAP)
                 / sum(widths[i] for i in line) for line in lines)
    if all(len(line) == 1 for line in lines):
        across = max(across, LEAST)
    k = len(lines)
    down = ((band - k * GAP) / k - EDGE) / tallest
    return min(1.0, across, down)


def spots(actions: Sequence[str], cell: float, band: float) -> list[Spot] | None:
    """Where the marks of `actions` (one year at one site, in the key's order) go, in a
    year `cell` points wide and a row's band `band` points high: in the fewest lines
    that hold them at `LEAST` of full size or more, as large as they then fit, each line
    centred on the year and the lines on the row; None when the band is too low."""
    n = len(actions)
    widths = [shape(a)[0] for a in actions]
    tallest = max((shape(a)[1] for a in actions), default=0.0)
    for k in range(1, n + 1):
        lines = _lines(n, k)
        scale = _scale(widths, lines, tallest, cell, band)
        if scale < LEAST - 1e-9:
            continue
        step = scale * tallest + EDGE + GAP  # centre to centre, line to line
        placed: list[Spot] = []
        for j, line in enumerate(lines):
            drawn = [scale * widths[i] + EDGE for i in line]
            left = -(sum(drawn) + (len(line) - 1) * GAP) / 2
            for width in drawn:
                placed.append(Spot(left + width / 2, (j - (k - 1) / 2) * step, scale))
                left += width + GAP
        return placed
    return [] if n == 0 else None


def _years(actions: Sequence[str], years: Sequence[int]) -> dict[int, list[int]]:
    """The changes of each year (positions in `actions`), in the key's order
    (close, build, open, move, pool, dispose), as they came within a kind."""
    order = {a: k for k, a in enumerate(MARKS)}
    by_year: dict[int, list[int]] = {}
    for i, year in enumerate(years):
        by_year.setdefault(int(year), []).append(i)
    return {year: sorted(at, key=lambda i: order.get(str(actions[i]), len(order)))
            for year, at in by_year.items()}


def units(actions: Sequence[str], years: Sequence[int], cell: float, pitch: float) -> int:
    """How many rows (each `pitch` points high) a site's row takes so that the changes of
    each of its years fit (`spots`): one, but for a year of many changes at a narrow
    year's width."""
    groups = [[str(actions[i]) for i in at] for at in _years(actions, years).values()]
    rows = 1
    while any(spots(group, cell, rows * pitch) is None for group in groups):
        rows += 1
    return rows


def row_spots(actions: Sequence[str], years: Sequence[int], cell: float,
              band: float) -> list[Spot]:
    """Where each change of a site's row goes (in the order given), each year's changes
    placed by `spots` in a band `band` points high (one `units` allows)."""
    placed: list[Spot] = [Spot(0.0, 0.0, 1.0)] * len(actions)
    for at in _years(actions, years).values():
        found = spots([str(actions[i]) for i in at], cell, band)
        if found is None:
            raise ValueError(f"a band of {band:.1f} points is too low for {count(len(at), 'mark')}")
        for i, spot in zip(at, found, strict=True):
            placed[i] = spot
    return placed


def parts(rows: Sequence[int], most: int) -> list[range]:
    """The sites of each chart, in order, given the rows each site's row takes: one chart
    when they take `most` rows or fewer, else as few charts of near-equal height as hold
    them all (a site's row is never split)."""
    total = sum(rows)
    highest = max(rows, default=1)
    count = max(1, math.ceil(total / most))
    while True:  # the fewest charts, then the lowest of the tallest
        for cap in range(max(math.ceil(total / count), highest), max(most, highest) + 1):
            charts, start, height = [], 0, 0
            for i, tall in enumerate(rows):
                if height + tall > cap:
                    charts.append(range(start, i))
                    start, height = i, 0
                height += tall
            charts.append(range(start, len(rows)))
            if len(charts) <= count:
                return charts
        count += 1
