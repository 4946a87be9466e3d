"""The board pack's Gantt chart (estate.render.figures.gantt), drawn from a programme
made here in code: where its marks land, read back from the matplotlib artists.

The rest of figures.py (the map, the cash-flow curve, the PNG and SVG a figure becomes)
is tested on a real plan's pack in test_report_pack.py.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from estate.render import figures
from estate.results import Programme
from estate.results.programme import ACTION_COLUMNS, BUDGET_COLUMNS, CASHFLOW_COLUMNS


def _programme(changes: list[tuple[int, str, str, str]]) -> Programme:
    """A programme of `changes` (year, action, site id, team), nothing else."""
    rows = [{"year": year, "date": f"{2026 + year}-04-01", "action": action,
             "site_id": site, "site_name": f"Site {site}", "function_id": team,
             "agency_id": "A1", "fte": 10.0 if action == "move" else 0.0,
             "one_off": 1000.0, "annual_effect": 0.0}
            for year, action, site, team in changes]
    return Programme(actions=pd.DataFrame(rows, columns=list(ACTION_COLUMNS)),
                     cashflow=pd.DataFrame(columns=list(CASHFLOW_COLUMNS)),
                     budget=pd.DataFrame(columns=list(BUDGET_COLUMNS)),
                     start="2027-04-01", npv_cost=0.0, npv_saving=0.0, payback_year=None,
                     method="roadmap")


def _marks(figure: Figure) -> list[tuple[str, float, float]]:
    """Every mark drawn on the chart: its colour and its centre in points on the page."""
    ax = figure.axes[0]
    scale = 72 / figure.dpi
    drawn = []
    for collection in ax.collections:
        if not isinstance(collection, PathCollection):
            continue
        colour = tuple(np.round(collection.get_facecolor()[0], 3))
        for x, y in ax.transData.transform(collection.get_offsets()):
            drawn.append((str(colour), float(x) * scale, float(y) * scale))
    return drawn


def _year_in_points(figure: Figure, horizon: int) -> float:
    box = figure.axes[0].get_position()
    return float(box.width * figure.get_size_inches()[0] * 72 / horizon)


def test_the_changes_of_one_year_at_one_site_are_side_by_side() -> None:
    """A new site built, opened, joined by two teams and made a shared centre in one year
    (as Saxmundham is in the demo): each of the five marks is drawn where no other
    hides it, all on the site's row, within that year's column, in the key's order."""
    changes = [(3, "build", "S1", ""), (3, "move", "S1", "F1"), (3, "move", "S1", "F2"),
               (3, "open", "S1", ""), (3, "pool", "S1", "IT"), (6, "close", "S2", "")]
    figure = figures.gantt(_programme(changes), 10)
    marks = _marks(figure)
    assert len(marks) == len(changes)
    year = _year_in_points(figure, 10)
    ax = figure.axes[0]
    centre_x, row_y = (v * 72 / figure.dpi for v in ax.transData.transform((3, 0)))
    mine = [m for m in marks if abs(m[2] - row_y) < 1]  # the site's row, all five
    assert len(mine) == 5
    for (_, x1, _), (_, x2, _) in itertools.combinations(mine, 2):
        assert abs(x1 - x2) >= math.sqrt(figures.MARK_AREA)  # a mark's width: none overlaps
    assert all(abs(x - centre_x) < year / 2 for _, x, _ in mine)  # within year 3
    colour = {str(tuple(np.round(to_rgba(figures.MARKS[a].colour), 3))): a
              for a in ("build", "open", "move", "pool")}
    order = [colour[c] for c, _, _ in sorted(mine, key=lambda m: m[1])]
    assert order == ["build", "open", "move", "move", "pool"]


def test_a_crowded_year_stays_in_its_column_and_its_row() -> None:
    """Nine teams moving into one site in one year: too many to stand side by side in the
    year's column, so they zigzag about the row's line; none hides another, and all stay
    within the year's column and the site's row."""
    changes = [(5, "move", "S1", f"F{k}") for k in range(9)] + [(9, "close", "S2", "")]
    figure = figures.gantt(_programme(changes), 10)
    year = _year_in_points(figure, 10)
    ax = figure.axes[0]
    centre_x, row_y = (v * 72 / figure.dpi for v in ax.transData.transform((5, 0)))
    _, next_y = (v * 72 / figure.dpi for v in ax.transData.transform((5, 1)))
    mine = [m for m in _marks(figure) if abs(m[1] - centre_x) < year / 2]
    assert len(mine) == 9
    assert len({round(y, 3) for _, _, y in mine}) == 2  # a zigzag
    assert all(abs(y - row_y) < abs(next_y - row_y) / 2 for _, _, y in mine)
    for (_, x1, y1), (_, x2, y2) in itertools.combinations(mine, 2):
        assert math.dist((x1, y1), (x2, y2)) >= figures.LEAST_PT - 1e-6
