"""The board pack's map: the estate before and after, side by side (`estate_map`).

Drawn in metres (the UTM zone geopandas picks for the points), so its scale bar is true.
Every kind of site differs in shape as well as in colour (Okabe-Ito colours, readable
with the common colour-vision deficiencies).

Place names come from the register's most populous zones, one per neighbourhood, named
by what the zones' names there have in common ("Ipswich" for "Ipswich centre" and
"Ipswich outskirts 3"), so towns are named, not their parts. A town's zone is where its
sites are, so a name set at one fixed spot lands on a site as often as not and its white
halo hides the site's mark (a new shared centre under "Ipswich": the map shows fewer
sites than its legend counts). So each name tries a few spots round its point (above,
below, right, left, then farther out), measured as matplotlib draws it, and takes the
first clear of every site's mark, of the scale bar (its bar and its words), of the names
set before it and of the panel's edges; a name with no such spot is left off (the place
is context; the legend and the tables name every site). The names are drawn beneath the
marks too, so no halo can hide a site. The titles sit above the panels and the legend
beneath them, outside the edges a name keeps within, so no name meets them either.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox

from estate.render.figures import CM, INK, LAND, LAND_EDGE, plain
from estate.render.places import town_names
from estate.results.amounts import count


@dataclass(frozen=True)
class Symbol:
    """How one kind of site is drawn on the map, and what it means in words."""

    marker: str
    colour: str
    size: float
    words: str


SYMBOLS = {
    "today": Symbol("o", "#0072B2", 22, "Site in use today"),
    "keep": Symbol("o", "#0072B2", 22, "Kept: stays open"),
    "centre": Symbol("D", "#CC79A7", 46, "Shared service centre: teams of several "
                                         "agencies pooled"),
    "open": Symbol("^", "#009E73", 110, "Opened: a new site"),
    "close": Symbol("X", "#D55E00", 44, "Closed: its teams move out and it is released"),
}

ZORDER = {"today": 3, "keep": 3, "close": 4, "open": 5, "centre": 6}
SHOWN = 0.6
"""A mark's area on the map as a share of its symbol's `size` (the legend's mark is larger)."""


NAME_SIZE = 6.3
"""A place name's size in points."""
NAME_ZORDER = 2
"""Beneath every site's mark (zorder 3 and up) and above the land (0)."""
HALO = 2.2
"""The width in points of the white stroke round each letter of a name."""
CLEAR = 0.5
"""How far, in points, a name's letters keep from a mark. The halo may touch a mark: it
is drawn beneath it."""
EDGE = 0.5
"""The width in points of a mark's white edge (as `_draw` draws it)."""


@dataclass(frozen=True)
class Spot:
    """One place a name may go, relative to its point: an offset in points and how the
    text is aligned to it."""

    dx: float
    dy: float
    ha: Literal["left", "center", "right"]
    va: Literal["bottom", "center", "top"]


def _spots(across: float) -> list[Spot]:
    """Above, below, right and left of the point, then the same a little farther out
    (past a large mark at the point itself); above first, as a map's names usually sit.
    Above and below, a name near the panel's left or right edge (`across`, 0 to 1) runs
    inwards from its point rather than centred on it."""
    ha: Literal["left", "center", "right"] = \
        "left" if across < 0.15 else "right" if across > 0.85 else "center"
    return [spot for d in (5, 10) for spot in (
        Spot(0, d, ha, "bottom"), Spot(0, -d, ha, "top"),
        Spot(d + 1, 0, "left", "center"), Spot(-d - 1, 0, "right", "center"))]


def _overlaps(a: Bbox, b: Bbox) -> bool:
    return bool(a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1)


def _mark_boxes(ax: Axes, xy: np.ndarray, reach: np.ndarray) -> list[Bbox]:
    """The square each site's mark covers, in the figure's pixels: centred on the site,
    `reach` points out (its shape's half width) and half its white edge more."""
    dpi = ax.figure.dpi
    centres = ax.transData.transform(xy) if len(xy) else np.empty((0, 2))
    boxes = []
    for (x, y), half_pt in zip(centres, reach, strict=True):
        half = (float(half_pt) + EDGE / 2) * dpi / 72
        boxes.append(Bbox.from_extents(x - half, y - half, x + half, y + half))
    return boxes


def _set_names(ax: Axes, renderer: RendererBase, names: list[tuple[str, float, float]],
               marks: list[Bbox]) -> list[Annotation]:
    """Set each of `names` (text, x, y in the panel's metres), most important first, at
    the first spot clear of `marks` (the sites' `_mark_boxes` and the scale bar's box, in
    the figure's pixels), of the names set before it and of the panel's edges; a name with
    no clear spot is left off. The names set, as drawn."""
    x0, x1 = ax.get_xlim()
    frame = ax.get_window_extent(renderer)
    pad = CLEAR * ax.figure.dpi / 72
    halo = [patheffects.withStroke(linewidth=HALO, foreground="white")]
    taken = list(marks)
    set_names = []
    for name, x, y in names:
        label = ax.annotate(name, (x, y), xytext=(0, 0), textcoords="offset points",
                            fontsize=NAME_SIZE, color="#333333", zorder=NAME_ZORDER,
                            parse_math=False, path_effects=halo, annotation_clip=False)
        for spot in _spots((x - x0) / (x1 - x0)):
            label.set_position((spot.dx, spot.dy))
            label.set_horizontalalignment(spot.ha)
            label.set_verticalalignment(spot.va)
            box = label.get_window_extent(renderer).padded(pad)
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and \
                frame.y0 <= box.y0 and box.y1 <= frame.y1
            if inside and not any(_overlaps(box, other) for other in taken):
                taken.append(box)
                set_names.append(label)
                break
        else:
            label.remove()
    return set_names


def _project(lon: pd.Series, lat: pd.Series, crs: object = None) -> gpd.GeoSeries:
    points = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=4326)
    return points.to_crs(crs if crs is not None else points.estimate_utm_crs())


def _land(points: gpd.GeoSeries, areas: gpd.GeoSeries | None, pad: float) -> gpd.GeoSeries:
    """The outline drawn under the sites: the zones' own shapes when the register has
    them, otherwise a smooth hull around every site and zone."""
    if areas is not None and len(areas):
        return areas.to_crs(points.crs)
    every = shapely.multipoints(points.to_numpy())
    hull = shapely.concave_hull(every, ratio=0.35) if len(points) >= 12 else every.convex_hull
    return gpd.GeoSeries([hull.buffer(2 * pad).buffer(-pad)], crs=points.crs)


def places(zones: pd.DataFrame, xy: np.ndarray, spacing: float, most: int = 10
           ) -> list[tuple[str, float, float]]:
    """Up to `most` place names: the most populous zones at least `spacing` metres apart,
    each named by its town (`town_names`), not its parts."""
    if zones.empty:
        return []
    # as stored: matplotlib (3.11 on) lays out a name in Arabic or Hebrew itself
    names = [plain(n, 40) for n in town_names(list(zones["name"]), xy, spacing)]
    population = pd.to_numeric(zones["population"], errors="coerce").fillna(0).to_numpy()
    chosen: list[tuple[str, float, float]] = []
    for i in np.argsort(-population, kind="stable"):
        if not names[i] or any(math.dist(xy[i], (x, y)) < spacing for _, x, y in chosen):
            continue
        chosen.append((names[i], float(xy[i, 0]), float(xy[i, 1])))
        if len(chosen) == most:
            break
    return chosen


def _scale_bar(ax: Axes, x0: float, y0: float, width: float) -> list[Artist]:
    """A bar of a round length, about a quarter of the panel wide (in metres under a
    kilometre: a campus of sites 400 m apart is drawn at that size), at lower left; what
    is drawn of it (the bar and its words), for the place names to keep clear of."""
    metres = scale_bar_metres(width)
    height = width * 0.012
    bar = ax.fill([x0, x0 + metres, x0 + metres, x0],
                  [y0, y0, y0 + height, y0 + height], color=INK, zorder=6)
    said = f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"
    words = ax.text(x0 + metres / 2, y0 + height * 2.2, said, ha="center",
                    va="bottom", fontsize=6.5, color=INK, zorder=6)
    return [*bar, words]


SCALE_BAR_METRES = (10, 20, 25, 50, 100, 200, 250, 500, 1_000, 2_000, 5_000, 10_000,
                    20_000, 25_000, 50_000, 100_000, 200_000, 250_000, 500_000, 1_000_000,
                    2_000_000)
"""The lengths a scale bar may be: round numbers a reader multiplies by eye."""


def scale_bar_metres(width: float) -> float:
    """The scale bar's length for a panel `width` metres wide: the shortest round length
    of at least 0.6 of a quarter of the panel, so between 0.15 and 0.6 of its width
    (1 km for an empty panel)."""
    quarter = width / 4
    if quarter <= 0:
        return 1_000.0
    return float(next((m for m in SCALE_BAR_METRES if m >= quarter * 0.6),
                      SCALE_BAR_METRES[-1]))


def _panel(ax: Axes, title: str, land: gpd.GeoSeries, bounds: tuple[float, ...]
           ) -> list[Artist]:
    """A map panel with its land, title and scale bar; the sites and place names go on
    after (the names last, where they hide no site nor the scale bar: `_set_names`). The
    scale bar as drawn (`_scale_bar`)."""
    land.plot(ax=ax, color=LAND, edgecolor=LAND_EDGE, linewidth=0.4, zorder=0)
    x0, y0, x1, y1 = bounds
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.text(0, 1.03, title, transform=ax.transAxes, fontsize=9, va="bottom", color=INK,
            fontweight="bold")
    return _scale_bar(ax, x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.02, x1 - x0)


def _draw(ax: Axes, xy: np.ndarray, mask: np.ndarray, kind: str,
          inside: np.ndarray | None = None) -> None:
    """The sites of `mask` as `kind`; those also in `inside` smaller, to sit inside
    another mark (a centre on a new site)."""
    s = SYMBOLS[kind]
    size = np.where(inside[mask], s.size * SHOWN / 2, s.size * SHOWN) if inside is not None \
        else s.size * SHOWN
    if mask.any():
        ax.scatter(xy[mask, 0], xy[mask, 1], s=size, marker=s.marker, c=s.colour,
                   edgecolors="white", linewidths=EDGE, zorder=ZORDER[kind])


def _bounds(points: np.ndarray, aspect: tuple[float, float]
            ) -> tuple[tuple[float, float, float, float], float]:
    """The panels' extent: the points with a margin, widened or heightened until its
    height / width lies within `aspect` (so a long thin county still fills a panel);
    and the larger side of the points' own extent, in metres."""
    lo, hi = points.min(axis=0), points.max(axis=0)
    span = max(hi[0] - lo[0], hi[1] - lo[1], 2000.0)
    pad = span * 0.06
    (x0, y0), (x1, y1) = lo - pad, hi + pad
    y0 -= 0.08 * (y1 - y0)  # a strip along the bottom for the scale bar
    w, h = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    want = min(max(h / w, aspect[0]), aspect[1])
    grow_w, grow_h = max(h / want - w, 0.0), max(w * want - h, 0.0)
    return (x0 - grow_w / 2, y0 - grow_h / 2, x1 + grow_w / 2, y1 + grow_h / 2), span


def _counts(decision: np.ndarray, shared: np.ndarray) -> dict[str, int]:
    after = np.isin(decision, ("keep", "open"))
    return {"today": int(np.isin(decision, ("keep", "close")).sum()),
            "keep": int(((decision == "keep") & ~shared).sum()),
            "centre": int((after & shared).sum()), "open": int((decision == "open").sum()),
            "new_centre": int(((decision == "open") & shared).sum()),
            "close": int((decision == "close").sum()), "after": int(after.sum())}


def _largest_marks(decision: np.ndarray, shared: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sites either panel marks, and how far in points the largest mark at each
    reaches from its centre (a closed site's cross, a new site's triangle, a kept centre's
    diamond; a circle before): half the side of a circle, cross or triangle of area `s`,
    sqrt(s) / 2, and of a diamond, a square turned 45 degrees, sqrt(s) / sqrt(2)."""
    kind = np.select([decision == "open", decision == "close", shared],
                     ["open", "close", "centre"], "keep")
    marked = np.isin(decision, ("keep", "close", "open"))
    reach = [max(math.sqrt(SYMBOLS[k].size * SHOWN) / (math.sqrt(2) if k == "centre" else 2),
                 math.sqrt(SYMBOLS["today"].size * SHOWN) / 2) for k in kind[marked]]
    return marked, np.array(reach)


def estate_map(sites: pd.DataFrame, zones: pd.DataFrame,
               areas: gpd.GeoSeries | None = None) -> Figure:
    """Two panels, the estate before and after, with place names, a scale bar and a
    legend in words beneath (each kind of site with its count). A new site that is
    also a shared centre is a triangle with the centre's diamond inside it."""
    decision = sites["decision"].to_numpy(str)
    shared = sites["shared_types"].astype(str).str.strip().ne("").to_numpy()
    site_points = _project(sites["lon"], sites["lat"])
    zone_points = _project(zones["lon"], zones["lat"], site_points.crs)
    sxy = np.column_stack([site_points.x, site_points.y])
    zxy = np.column_stack([zone_points.x, zone_points.y]).reshape(-1, 2)
    every = np.vstack([sxy[np.isin(decision, ("keep", "close", "open"))], zxy])
    bounds, span = _bounds(every, (0.55, 1.05))
    land = _land(gpd.GeoSeries(gpd.points_from_xy(*every.T), crs=site_points.crs),
                 areas, span * 0.06)
    labels = places(zones, zxy, spacing=span / 7)
    # panels placed by hand, their boxes of the extent's very shape (cm)
    width, panel, gap, title, key = 17.4, 8.4, 0.6, 0.7, 1.8
    tall = panel * (bounds[3] - bounds[1]) / (bounds[2] - bounds[0])
    height = title + tall + key
    figure = Figure(figsize=(width * CM, height * CM))
    figure.set_facecolor("white")
    before = figure.add_axes((0, key / height, panel / width, tall / height))
    after = figure.add_axes(((panel + gap) / width, key / height, panel / width, tall / height))
    counts = _counts(decision, shared)
    scale_bars = {before: _panel(before, f"Before: {count(counts['today'], 'site')}", land, bounds)}
    _draw(before, sxy, np.isin(decision, ("keep", "close")), "today")
    scale_bars[after] = _panel(after, f"After: {count(counts['after'], 'site')}", land, bounds)
    _draw(after, sxy, (decision == "keep") & ~shared, "keep")
    _draw(after, sxy, decision == "close", "close")
    _draw(after, sxy, decision == "open", "open")
    _draw(after, sxy, np.isin(decision, ("keep", "open")) & shared, "centre",
          inside=decision == "open")
    # the names measured as drawn; both panels clear of the marks of either and of the
    # scale bar (at the same spot on each), so alike
    renderer = FigureCanvasAgg(figure).get_renderer()
    marked, reach = _largest_marks(decision, shared)
    for ax in (before, after):
        scale_bar = Bbox.union([a.get_window_extent(renderer) for a in scale_bars[ax]])
        _set_names(ax, renderer, labels,
                   [*_mark_boxes(ax, sxy[marked], reach), scale_bar])
    # a new site that is a centre is counted with both (its triangle holds a diamond),
    # said so, for the kinds to add up to the sites after
    new = counts["new_centre"]
    words = {**{k: f"{s.words} ({counts[k]})" for k, s in SYMBOLS.items()},
             "centre": f"{SYMBOLS['centre'].words} ({count(counts['centre'], 'site')}"
                       + (f", {new:,} of them new)" if new else ")")}
    handles = [Line2D([], [], linestyle="", marker=SYMBOLS[k].marker, markersize=6,
                      markerfacecolor=SYMBOLS[k].colour, markeredgecolor=SYMBOLS[k].colour,
                      label=words[k]) for k in ("today", "keep", "centre", "open", "close")
               if counts[k] or k == "today"]
    # the labels in 7 pt, or a little smaller when the two columns would be wider than
    # the figure (a plan with all five kinds: the widest labels side by side), so that no
    # page cuts the legend's ends off (text is measured in whole pixels: half a point a
    # try, down to 5)
    for size in (7.0, 6.5, 6.0, 5.5, 5.0):
        legend = figure.legend(handles=handles, loc="lower center", ncols=2, frameon=False,
                               handletextpad=0.4, columnspacing=1.6, prop={"size": size})
        if legend.get_window_extent(renderer).width <= 0.98 * figure.bbox.width \
                or size == 5.0:
            break
        legend.remove()
    return figure
