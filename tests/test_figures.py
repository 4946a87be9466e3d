"""The board pack's Gantt chart (estate.render.figures.gantt), drawn from a programme
made here in code, and its map's place names (estate.render.estate_map), drawn from
sites and zones made here: where marks and names land and how far each reaches, read
back from the matplotlib artists of the drawn figure.

The rest of figures.py and estate_map.py (the cash-flow curve, the PNG and SVG a figure
becomes) is tested on a real plan's pack in test_report_pack.py; where the Gantt chart's
marks go, in points, in test_gantt_layout.py.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Affine2D

from estate.render import figures
from estate.render.estate_map import estate_map
from estate.render.gantt_layout import GAP
from estate.results import Programme
from estate.results.programme import ACTION_COLUMNS, CASHFLOW_COLUMNS
from estate.results.programme_figures import BUDGET_COLUMNS

LONG_NAME = "Candidate community hub, Saxmundham"
"""A site name as long as the chart shows (34 characters): the narrowest years."""


def _programme(changes: list[tuple[int, str, str, str]], name: str = "Site") -> Programme:
    """A programme of `changes` (year, action, site id, team), nothing else; each site
    named `name` and its id."""
    rows = [{"year": year, "date": f"{2026 + year}-04-01", "action": action,
             "site_id": site, "site_name": f"{name} {site}", "function_id": team,
             "agency_id": "A1", "fte": 10.0 if action == "move" else 0.0,
             "one_off": 1000.0, "annual_effect": 0.0}
            for year, action, site, team in changes]
    return Programme(actions=pd.DataFrame(rows, columns=list(ACTION_COLUMNS)),
                     cashflow=pd.DataFrame(columns=list(CASHFLOW_COLUMNS)),
                     budget=pd.DataFrame(columns=list(BUDGET_COLUMNS)),
                     start="2027-04-01", npv_cost=0.0, npv_saving=0.0, payback_year=None,
                     lasting_payback_year=None, method="roadmap")


Box = tuple[float, float, float, float]


def _marks(figure: Figure, ax: Axes | None = None) -> list[tuple[str, float, float, Box]]:
    """Every mark drawn on the chart (or on its axes `ax`): its colour, its centre and how
    far it reaches (left, bottom, right, top: its shape and half its edge line), in points
    on the page, as the figure is drawn."""
    FigureCanvasAgg(figure).draw()
    ax = ax or figure.axes[0]
    scale = 72 / figure.dpi
    drawn = []
    for collection in ax.collections:
        if not isinstance(collection, PathCollection):
            continue
        colour = str(tuple(np.round(collection.get_facecolor()[0], 3)))
        path = collection.get_paths()[0]
        sizes = collection.get_transforms()  # each mark's size, in pixels
        edge = float(collection.get_linewidths()[0]) / 2  # points
        at = collection.get_offset_transform().transform(collection.get_offsets())
        for i, (x, y) in enumerate(at):
            box = path.get_extents(Affine2D(sizes[i % len(sizes)]))
            drawn.append((colour, float(x) * scale, float(y) * scale,
                          (float(x + box.x0) * scale - edge, float(y + box.y0) * scale - edge,
                           float(x + box.x1) * scale + edge, float(y + box.y1) * scale + edge)))
    return drawn


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _year_in_points(figure: Figure, horizon: int) -> float:
    box = figure.axes[0].get_position()
    return float(box.width * figure.get_size_inches()[0] * 72 / horizon)


def _point(figure: Figure, x: float, y: float) -> tuple[float, float]:
    """Data coordinates (year, row) in points on the page."""
    px, py = figure.axes[0].transData.transform((x, y))
    return float(px) * 72 / figure.dpi, float(py) * 72 / figure.dpi


def _data(figure: Figure, box: Box) -> Box:
    """A box in points on the page in data coordinates (years, rows; rows run down)."""
    inverse = figure.axes[0].transData.inverted()
    (x0, y0), (x1, y1) = inverse.transform([(box[0] * figure.dpi / 72, box[1] * figure.dpi / 72),
                                            (box[2] * figure.dpi / 72, box[3] * figure.dpi / 72)])
    return float(x0), float(min(y0, y1)), float(x1), float(max(y0, y1))


def _bands(figure: Figure) -> list[tuple[float, float]]:
    """Each site's row from its top edge to its bottom edge, in rows: its name sits in
    the middle of it, and the first starts at the chart's top."""
    ax = figure.axes[0]
    edges = [ax.get_ylim()[1]]
    for centre in ax.get_yticks():
        edges.append(2 * float(centre) - edges[-1])
    assert edges[-1] == pytest.approx(ax.get_ylim()[0])  # the last ends at the bottom
    return list(itertools.pairwise(edges))


@pytest.mark.parametrize(("changes", "built"), [
    ([(2, "build", "S1", ""), (4, "open", "S1", ""), (6, "close", "S2", "")], True),
    ([(6, "close", "S2", "")], False)])
def test_the_gantt_key_names_its_bars(changes: list[tuple[int, str, str, str]],
                                      built: bool) -> None:
    """The grey bar (a site in use) is in the key, as programme.html's key has it, and the
    hatched one (being built) when a site is built to open later."""
    figure = figures.gantt(_programme(changes), 10)
    [legend] = figure.legends
    said = [t.get_text() for t in legend.get_texts()]
    assert "the site is in use" in said
    assert ("the site is being built" in said) is built


def test_a_site_s_bar_ends_as_its_closing_year_begins() -> None:
    """Changes are made as their year begins, and the cash flow books a site closed in
    year t no running cost that year: its bar ends at year t's left edge (t - 0.5), not
    within the year; one closed in year 1 has no bar; a site built in year 2 to open in
    year 4 is hatched over years 2 and 3 and in use from year 4 to the horizon's end."""
    figure = figures.gantt(_programme([(1, "close", "S3", ""), (2, "build", "S1", ""),
                                       (4, "open", "S1", ""), (6, "close", "S2", "")]), 10)
    bars = sorted((round(p.get_x(), 6), round(p.get_x() + p.get_width(), 6),
                   p.get_hatch() is not None)
                  for p in figure.axes[0].patches if p.get_width() > 0)
    assert bars == [(0.5, 5.5, False), (1.5, 3.5, True), (3.5, 10.5, False)]


def test_the_changes_of_one_year_at_one_site_are_side_by_side() -> None:
    """A new site built, opened, joined by two teams and made a shared centre in one year
    (as Saxmundham is in the demo): each of the five marks is drawn clear of the others,
    all on the site's row, within that year's column, in the key's order."""
    changes = [(3, "build", "S1", ""), (3, "move", "S1", "F1"), (3, "move", "S1", "F2"),
               (3, "open", "S1", ""), (3, "pool", "S1", "IT"), (6, "close", "S2", "")]
    figure = figures.gantt(_programme(changes), 10)
    marks = _marks(figure)
    assert len(marks) == len(changes)
    year = _year_in_points(figure, 10)
    centre_x, row_y = _point(figure, 3, 0)
    mine = [m for m in marks if abs(m[2] - row_y) < 1]  # the site's row, all five
    assert len(mine) == 5
    for one, other in itertools.combinations(mine, 2):
        assert not _overlap(one[3], other[3])
    assert all(abs(x - centre_x) < year / 2 for _, x, _, _ in mine)  # within year 3
    colour = {str(tuple(np.round(to_rgba(figures.MARKS[a].colour), 3))): a
              for a in ("build", "open", "move", "pool")}
    order = [colour[c] for c, _, _, _ in sorted(mine, key=lambda m: m[1])]
    assert order == ["build", "open", "move", "move", "pool"]


def _crowded(changes: int, year: int) -> list[tuple[int, str, str, str]]:
    """Two sites next to each other on the chart, each built, opened, pooled and moved
    into `changes` times in all in `year`; a site closing the years either side of it
    above them, and below them one sold that year and closing the next."""
    kinds = (["build", "open", "pool"] + ["move"] * changes)[:changes]
    return [(year - 1, "close", "S0", ""), (year + 1, "close", "S0", ""),
            *((year, kind, site, f"F{k}") for site in ("S1", "S2")
              for k, kind in enumerate(kinds)),
            (year, "dispose", "S3", ""), (year + 1, "close", "S3", "")]


@pytest.mark.parametrize("horizon", [10, 20, 30])
@pytest.mark.parametrize("changes", [5, 7, 10])
def test_no_mark_hides_another_at_any_horizon(horizon: int, changes: int) -> None:
    """However many changes a site has in one year (up to ten) and however narrow the
    years (up to 30 on a chart, site names as long as a chart shows): every mark is
    drawn clear of every other, `GAP` apart or more, each within its year's column and
    its site's row, a row as tall as its marks need."""
    year = horizon // 2
    figure = figures.gantt(_programme(_crowded(changes, year), LONG_NAME), horizon)
    marks = _marks(figure)
    assert len(marks) == 2 * changes + 4
    for one, other in itertools.combinations(marks, 2):
        assert not _overlap(one[3], other[3]), (one, other)
        near = (one[3][0] - GAP + 0.05, one[3][1] - GAP + 0.05,
                one[3][2] + GAP - 0.05, one[3][3] + GAP - 0.05)
        assert not _overlap(near, other[3]), (one, other)
    bands = _bands(figure)
    rows: list[int] = []
    for _, _, _, box in marks:
        left, top, right, bottom = _data(figure, box)
        at = round((left + right) / 2)
        assert at - 0.5 < left and right < at + 0.5  # within its year's column
        row = next(i for i, (a, b) in enumerate(bands) if a < (top + bottom) / 2 < b)
        assert bands[row][0] < top and bottom < bands[row][1]  # within its site's row
        rows.append(row)
    assert sorted(rows) == [0, 0, *[1] * changes, *[2] * changes, 3, 3]


@pytest.mark.parametrize("horizon", [10, 20, 30])
def test_no_year_s_name_overlaps_another(horizon: int) -> None:
    """Each year has its gridline and, where it has room, its name ("Y2" over "2028-29"):
    every year at 10 years, every second or fifth year at 20 or 30 with names as long as
    a chart shows, and no two names overlap."""
    figure = figures.gantt(_programme(_crowded(5, horizon // 2), LONG_NAME), horizon)
    FigureCanvasAgg(figure).draw()
    ax = figure.axes[0]
    assert list(ax.get_xticks()) == list(range(1, horizon + 1))
    named = [label for label in ax.get_xticklabels() if label.get_text()]
    assert len(named) == horizon if horizon == 10 else len(named) >= horizon // 5
    boxes = [label.get_window_extent() for label in named]
    for one, other in itertools.pairwise(boxes):
        assert one.x1 < other.x0, (one, other)


ZONES = pd.DataFrame({"zone_id": ["Z1", "Z2", "Z3", "Z4", "Z5"],
                      "name": ["Ipswich", "Felixstowe", "Woodbridge", "Needham", "Empty"],
                      "lat": [52.06, 51.96, 52.09, 52.15, 52.2],
                      "lon": [1.155, 1.35, 1.32, 1.05, 1.2],
                      "population": [130000, 24000, 11000, 5000, 0]})
"""Five towns of a small register, Ipswich the largest."""


def _sites(rows: list[tuple[float, float, str, str]]) -> pd.DataFrame:
    """Sites at (lat, lon) with a decision and the types pooled there."""
    return pd.DataFrame([{"site_id": f"S{i}", "lat": lat, "lon": lon, "decision": decision,
                          "shared_types": shared}
                         for i, (lat, lon, decision, shared) in enumerate(rows, start=1)])


NEAR_IPSWICH = _sites([
    (52.06, 1.15, "close", ""), (52.1, 1.1, "close", ""), (52.08, 1.2, "close", ""),
    (51.96, 1.35, "keep", ""), (52.06, 1.28, "close", ""), (52.15, 1.05, "close", ""),
    (52.07, 1.16, "open", "HR; IT"), (52.12, 1.25, "keep", "Finance")])
"""The review's register: a closed town hall 350 m from Ipswich's point and a new shared
centre 1.1 km north-east of it, where a name set above the point lands; Needham's only
site at its very point."""

CROWDED = _sites([*NEAR_IPSWICH.loc[:, ["lat", "lon", "decision", "shared_types"]]
                  .itertuples(index=False, name=None),
                  *((52.06 + 0.004 * a, 1.155 + 0.006 * b, "keep", "")
                    for a in range(-4, 5) for b in range(-4, 5))])
"""Also 81 kept sites on a grid round Ipswich's point, 450 m by 410 m apart: no spot
near the point is clear of them."""


def _names(ax: Axes) -> dict[str, Box]:
    """The place names drawn on a panel, each with its box in points on the page."""
    scale = 72 / ax.figure.dpi
    drawn = {}
    for text in ax.texts:
        if text.get_text() in set(ZONES["name"]):
            box = text.get_window_extent()
            drawn[text.get_text()] = (box.x0 * scale, box.y0 * scale,
                                      box.x1 * scale, box.y1 * scale)
    return drawn


@pytest.mark.parametrize(("sites", "named"), [
    (NEAR_IPSWICH, {"Ipswich", "Felixstowe", "Woodbridge", "Needham", "Empty"}),
    (CROWDED, {"Felixstowe", "Woodbridge", "Needham", "Empty"})])
def test_no_place_name_covers_a_site(sites: pd.DataFrame, named: set[str]) -> None:
    """On both panels of the map, every site's mark is clear of every place name's letters
    (measured as drawn) and drawn above the names, so the map shows each site its legend
    counts. A name is moved off its point to a clear spot (Ipswich, Needham) or, where
    none is near (Ipswich among 81 sites), left off; both panels name the same places."""
    figure = estate_map(sites, ZONES)
    panels = figure.axes[:2]
    shown = [set(_names(ax)) for ax in panels]
    for ax in panels:
        marks = _marks(figure, ax)
        for name, box in _names(ax).items():
            for mark in marks:
                assert not _overlap(box, mark[3]), (name, box, mark)
    for ax in panels:
        lowest = min(c.get_zorder() for c in ax.collections if isinstance(c, PathCollection))
        assert all(t.get_zorder() < lowest for t in ax.texts if t.get_text() in shown[0])
    assert len(_marks(figure, panels[1])) == 8 + len(sites) - len(NEAR_IPSWICH) + 1  # S7 twice
    assert shown[0] == shown[1] == named


FLAT_ZONES = pd.DataFrame({"zone_id": ["Z1", "Z2", "Z3"],
                           "name": ["Stowmarket", "Halesworth", "Southwold"],
                           "lat": [52.19, 52.3, 52.0], "lon": [1.0, 1.5, 0.5],
                           "population": [20000, 8000, 5000]})
"""A register twice as wide as tall, Southwold at its lower left corner: its point sits
just above the scale bar, whose words a name set below the point covers."""
ABOVE_SOUTHWOLD = _sites([(52.19, 1.0, "keep", ""), (52.3, 1.5, "close", ""),
                          (52.25, 1.2, "keep", ""), (52.022, 0.54, "keep", "")])
"""A site at each of the other towns and one 2.4 km north and 2.7 km east of Southwold's point,
where its name set above the point lands: the name's next spot is below the point."""


def _box(artist: Artist) -> Box:
    box = artist.get_window_extent()
    scale = 72 / artist.figure.dpi
    return box.x0 * scale, box.y0 * scale, box.x1 * scale, box.y1 * scale


def test_no_place_name_covers_the_scale_bar() -> None:
    """On both panels, every place name (measured as drawn) is clear of the scale bar and
    its words: Southwold, crowded off its spot above by a site, goes beside its point
    rather than below it over the "20 km"; it is still named, as every town is."""
    figure = estate_map(ABOVE_SOUTHWOLD, FLAT_ZONES)
    FigureCanvasAgg(figure).draw()
    for ax in figure.axes[:2]:
        scale_bar = [_box(p) for p in ax.patches] + \
            [_box(t) for t in ax.texts if t.get_text().endswith(" km")]
        names = {t.get_text(): _box(t) for t in ax.texts
                 if t.get_text() in set(FLAT_ZONES["name"])}
        assert len(scale_bar) == 2
        assert set(names) == set(FLAT_ZONES["name"])
        for name, box in names.items():
            for part in scale_bar:
                assert not _overlap(box, part), (name, box, part)
        for mark in _marks(figure, ax):
            assert not _overlap(names["Southwold"], mark[3])


def test_the_map_counts_one_site_as_one_site() -> None:
    """A register of one site, kept and hosting a shared centre: the panels' titles and
    the legend say "1 site", as the interactive map's panel does, never "1 sites"."""
    figure = estate_map(_sites([(52.19, 1.0, "keep", "IT; HR")]), FLAT_ZONES)
    words = [t.get_text() for t in figure.findobj(Text)]
    assert {"Before: 1 site", "After: 1 site"} <= set(words), words
    assert any(w.endswith("(1 site)") for w in words), words
    assert not [w for w in words if "1 sites" in w]


def test_the_legend_of_all_five_kinds_fits_the_figure() -> None:
    """With every kind of site, the widest labels side by side: the two columns ran 15 px
    past each side of the figure, so the pack's page cut the symbols and "(22)" off
    (a review). The legend is set a little smaller when so, and fits."""
    kinds = [("keep", "")] * 70 + [("keep", "IT")] * 12 + [("open", "")] * 10 \
        + [("open", "HR")] * 4 + [("close", "")] * 22
    figure = estate_map(_sites([(52.0 + i / 200, 1.0 + (i % 10) / 20, kind, shared)
                                for i, (kind, shared) in enumerate(kinds)]), FLAT_ZONES)
    renderer = FigureCanvasAgg(figure).get_renderer()
    (legend,) = figure.legends
    box = legend.get_window_extent(renderer)
    assert 0 <= box.x0 and box.x1 <= figure.bbox.width, (box, figure.bbox)
    assert len(legend.get_texts()) == 5


def test_a_new_centre_is_said_to_be_counted_twice_in_the_legend() -> None:
    """A new site hosting a centre is drawn as a triangle holding a diamond and counted
    with both kinds: the legend says "1 of them new", so that kept (1), opened (1) and
    centres (2 sites, 1 of them new) add up to the 3 sites after."""
    figure = estate_map(_sites([(52.19, 1.0, "keep", ""), (52.2, 1.05, "keep", "IT"),
                                (52.21, 1.1, "open", "HR")]), FLAT_ZONES)
    words = [t.get_text() for t in figure.findobj(Text)]
    assert "After: 3 sites" in words, words
    assert "Kept: stays open (1)" in words and "Opened: a new site (1)" in words, words
    assert any(w.endswith("(2 sites, 1 of them new)") for w in words), words


CAMPUS = pd.DataFrame({"zone_id": ["Z1"], "name": ["Campus"], "lat": [52.19],
                       "lon": [1.003], "population": [500]})
"""One zone among the sites of a campus."""


@pytest.mark.parametrize(("sites", "zones", "said"), [
    (_sites([(52.19, 1.0, "keep", ""), (52.19, 1.00587, "close", "")]), CAMPUS, "100 m"),
    (_sites([(52.19, 1.0, "keep", "")]), CAMPUS, "100 m"),
    (ABOVE_SOUTHWOLD, FLAT_ZONES, "20 km")])
def test_the_scale_bar_fits_its_panel_and_says_its_length(
        sites: pd.DataFrame, zones: pd.DataFrame, said: str) -> None:
    """Two sites 400 m apart (a panel 641 m wide), or one alone 200 m from its zone: the
    bar is 100 m, between 0.15 and 0.6 of the panel, and its words are inside it (a
    1 km floor drew a bar past the panel's edge, its words cut to "1 k"). A county's is
    in km, as before."""
    figure = estate_map(sites, zones)
    FigureCanvasAgg(figure).draw()
    for ax in figure.axes[:2]:
        x0, x1 = ax.get_xlim()
        [bar] = ax.patches
        xs = bar.get_xy()[:, 0]
        assert 0.15 <= (xs.max() - xs.min()) / (x1 - x0) <= 0.6
        [words] = [t for t in ax.texts if t.get_text().endswith(" m")
                   or t.get_text().endswith(" km")]
        assert words.get_text() == said
        panel, box = ax.get_window_extent(), words.get_window_extent()
        assert panel.x0 <= box.x0 and box.x1 <= panel.x1
