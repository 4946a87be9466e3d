"""The board pack's figures, drawn with matplotlib from a results folder's tables.

Three figures: the estate before and after on a map (`estate_map`), the programme's
Gantt chart (`gantt`) and its cash-flow curve (`cash_flow`). Each is a `Figure` made
without pyplot (no global state, no display), so the PDF can take it as a PNG and the
HTML page as inline SVG (`png`, `svg`), the same drawing in both.

Register text (site and zone names) is drawn with `parse_math=False`: a `$` in a name
is a character, never the start of a formula. Every symbol differs in shape as well as
in colour (Okabe-Ito colours, readable with the common colour-vision deficiencies).

The map is drawn in metres (the UTM zone geopandas picks for the points), so its scale
bar is true; place names come from the register's most populous zones, one per
neighbourhood, named by what the zones' names there have in common ("Ipswich" for
"Ipswich centre" and "Ipswich outskirts 3"), so towns are named, not their parts.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.textpath import TextPath
from matplotlib.ticker import FuncFormatter

from estate.render.gantt_layout import EDGE, MARK_AREA, marker, parts, row_spots, units
from estate.render.places import town_names
from estate.render.programme_chart import MARKS, OTHER, SITE_ACTIONS
from estate.results import Programme, money

CM = 1 / 2.54
INK, MUTED, LAND, LAND_EDGE = "#1a1a1a", "#666666", "#f4f1ea", "#c9c2b2"


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


def plain(text: object, most: int = 60) -> str:
    """Register text as one short line to draw: control characters and runs of white
    space become one space, and a long text is cut with an ellipsis."""
    line = " ".join(re.sub(r"[\x00-\x1f\x7f\u2028\u2029]", " ", str(text)).split())
    return line if len(line) <= most else line[: most - 1] + "\u2026"


def png(figure: Figure, dpi: int = 200) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    FigureCanvasAgg(figure)
    figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def svg(figure: Figure, prefix: str) -> str:
    """The figure as an `<svg>` element to inline in a page: text drawn as paths (so no
    register text is markup), no XML prolog, every id prefixed with `prefix` so that
    two figures in one page never share an id."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None},
                   dpi=72)
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    ids = set(re.findall(r'\bid="([^"]+)"', text))
    if ids:
        pattern = re.compile(r'(\bid="|#)(' + "|".join(map(re.escape, sorted(ids, key=len,
                                                                            reverse=True)))
                             + r')(?=["\)])')
        text = pattern.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", text)
    return text


def _figure(width_cm: float, height_cm: float) -> Figure:
    figure = Figure(figsize=(width_cm * CM, height_cm * CM), layout="constrained")
    figure.set_facecolor("white")
    return figure


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


def _scale_bar(ax: Axes, x0: float, y0: float, width: float) -> None:
    """A bar of a round number of km, about a quarter of the panel wide, at lower left."""
    raw = width / 4 / 1000
    km = next(k for k in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000)
              if k >= raw * 0.6) if raw > 0 else 1
    height = width * 0.012
    ax.fill([x0, x0 + km * 1000, x0 + km * 1000, x0], [y0, y0, y0 + height, y0 + height],
            color=INK, zorder=6)
    ax.text(x0 + km * 500, y0 + height * 2.2, f"{km:g} km", ha="center", va="bottom",
            fontsize=6.5, color=INK, zorder=6)


def _panel(ax: Axes, title: str, land: gpd.GeoSeries, bounds: tuple[float, ...],
           labels: list[tuple[str, float, float]]) -> None:
    land.plot(ax=ax, color=LAND, edgecolor=LAND_EDGE, linewidth=0.4, zorder=0)
    x0, y0, x1, y1 = bounds
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.text(0, 1.03, title, transform=ax.transAxes, fontsize=9, va="bottom", color=INK,
            fontweight="bold")
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    for name, x, y in labels:
        at = (x - x0) / (x1 - x0)
        align = "left" if at < 0.15 else "right" if at > 0.85 else "center"
        ax.text(x, y + (y1 - y0) * 0.018, name, fontsize=6.3, ha=align, va="bottom",
                color="#333333", zorder=7, parse_math=False, path_effects=halo)
    _scale_bar(ax, x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.02, x1 - x0)


def _draw(ax: Axes, xy: np.ndarray, mask: np.ndarray, kind: str,
          inside: np.ndarray | None = None) -> None:
    """The sites of `mask` as `kind`; those also in `inside` smaller, to sit inside
    another mark (a centre on a new site)."""
    s = SYMBOLS[kind]
    size = np.where(inside[mask], s.size * 0.3, s.size * 0.6) if inside is not None \
        else s.size * 0.6
    if mask.any():
        ax.scatter(xy[mask, 0], xy[mask, 1], s=size, marker=s.marker, c=s.colour,
                   edgecolors="white", linewidths=0.5, zorder=ZORDER[kind])


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
            "close": int((decision == "close").sum()), "after": int(after.sum())}


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
    _panel(before, f"Before: {counts['today']} sites", land, bounds, labels)
    _draw(before, sxy, np.isin(decision, ("keep", "close")), "today")
    _panel(after, f"After: {counts['after']} sites", land, bounds, labels)
    _draw(after, sxy, (decision == "keep") & ~shared, "keep")
    _draw(after, sxy, decision == "close", "close")
    _draw(after, sxy, decision == "open", "open")
    _draw(after, sxy, np.isin(decision, ("keep", "open")) & shared, "centre",
          inside=decision == "open")
    words = {**{k: f"{s.words} ({counts[k]})" for k, s in SYMBOLS.items()},
             "centre": f"{SYMBOLS['centre'].words} ({counts['centre']} sites)"}
    handles = [Line2D([], [], linestyle="", marker=SYMBOLS[k].marker, markersize=6,
                      markerfacecolor=SYMBOLS[k].colour, markeredgecolor=SYMBOLS[k].colour,
                      label=words[k]) for k in ("today", "keep", "centre", "open", "close")
               if counts[k] or k == "today"]
    figure.legend(handles=handles, loc="lower center", ncols=2, frameon=False,
               handletextpad=0.4, columnspacing=1.6, prop={"size": 7})
    return figure


def _site_rows(actions: pd.DataFrame) -> tuple[list[str], list[pd.DataFrame]]:
    """One row per site, in order of its first change: its label and its changes."""
    first = actions.groupby("site_id", sort=False)["year"].min().sort_values(kind="stable")
    labels, rows = [], []
    for site_id in first.index:
        mine = actions[actions["site_id"] == site_id]
        name = plain(mine["site_name"].iloc[0], 34)
        labels.append(f"{name} ({site_id})" if site_id else "No site")
        rows.append(mine)
    return labels, rows


def financial_year(start: str, year: int) -> str:
    """Year `year` of a programme from `start` as a budget names it: "2028-29" for the
    twelve months from 1 April 2028, "2028" when years start on 1 January; "" when the
    start is not a date."""
    try:
        first = date.fromisoformat(str(start)[:10])
    except ValueError:
        return ""
    y = first.year + year - 1
    return f"{y}" if (first.month, first.day) == (1, 1) else f"{y}-{(y + 1) % 100:02d}"


def _in_use(ax: Axes, row: pd.DataFrame, y: float, horizon: int) -> None:
    """A site's years in use (solid) and being built (hatched), as on the programme page."""
    years = {a: int(t) for a, t in zip(row["action"], row["year"], strict=True)
             if a in SITE_ACTIONS}
    built, closes = years.get("build"), years.get("close")
    opens = years.get("open", built)
    if built is not None and opens is not None and opens > built:
        ax.barh(y, opens - built, left=built - 0.5, height=0.5, color="#f3d9a4",
                edgecolor="#b07d1a", hatch="///", linewidth=0.5, zorder=1)
    start = (opens - 0.5) if opens is not None else 0.5
    end = closes if closes is not None else horizon + 0.5
    if end > start:
        ax.barh(y, end - start, left=start, height=0.5, color="#c9d3dc", zorder=1)


GANTT_ROWS = 44
"""Rows on one Gantt chart at most, a crowded site's row counted as the rows it takes
(`gantt_layout.units`): a programme with more is drawn on several charts (each fits an A4
page), so every change is shown and no row is too small to read."""
ROW_CM = 0.42
"""The height of a site's row on the Gantt chart."""
ROW_PT = ROW_CM * CM * 72


def _set_rows(ax: Axes, at: list[float], labels: list[str]) -> None:
    ax.set_yticks(at, labels, fontsize=6.5)
    for tick in ax.get_yticklabels():
        tick.set_parse_math(False)


def _set_years(ax: Axes, programme: Programme, horizon: int, cell: float) -> None:
    """A gridline for each year, each named with its budget year ("Y2\\n2028-29"); where a
    year is too narrow for its name, every second, fifth or tenth year is named (and
    year 1 when there is room), so no two names overlap."""
    names = [f"Y{t}\n{fy}" if fy else f"Y{t}" for t, fy in
             ((t, financial_year(programme.start, t)) for t in range(1, horizon + 1))]
    widest = max((TextPath((0, 0), line, size=6.5).get_extents().width
                  for name in names for line in name.split("\n")), default=0.0) + 3
    step = next((s for s in (1, 2, 5, 10, 20, 50) if s * cell >= widest), 100)
    shown = [t % step == 0 or (t == 1 and (step - 1) * cell >= widest)
             for t in range(1, horizon + 1)]
    ax.set_xticks(range(1, horizon + 1), [n if s else "" for n, s in zip(names, shown,
                                                                      strict=True)],
                  fontsize=6.5)


def _chart(programme: Programme, horizon: int, labels: list[str],
           caption: str) -> tuple[Figure, Axes]:
    """A Gantt chart with no bars or marks yet: the sites' names, the years, the caption
    and the key, one row a site."""
    figure = _figure(17.4, 3.2 + ROW_CM * max(len(labels), 1))
    ax = figure.add_subplot()
    _set_rows(ax, list(range(len(labels))), labels)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlim(0.5, horizon + 0.5)
    _set_years(ax, programme, horizon, math.inf)  # every year named until laid out
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlabel(f"Year (year 1 from {programme.start}; a year's changes at a site side "
                  "by side, in the key's order,\nsmaller or in lines when many)" + caption,
                  fontsize=7, color=MUTED)
    used = [a for a in MARKS if a in set(programme.actions["action"])]
    handles = [Line2D([], [], linestyle="", marker=marker(a),
                      markersize=math.sqrt(MARK_AREA), markerfacecolor=MARKS[a].colour,
                      markeredgecolor=INK, label=MARKS[a].words) for a in used]
    figure.legend(handles=handles, loc="outside lower center", ncols=2, frameon=False,
                  prop={"size": 6.5})
    return figure, ax


def _lay_out(figure: Figure, ax: Axes, horizon: int, rows: int) -> tuple[float, float]:
    """Lay the chart out; a year's width and a row's height in points, as laid out (the
    marks go by these; drawn within the axes' limits, they do not move the layout)."""
    engine = figure.get_layout_engine()
    if engine is not None:
        engine.execute(figure)
    box = ax.get_position()
    inches = figure.get_size_inches()
    return (box.width * inches[0] * 72 / horizon,
            box.height * inches[1] * 72 / max(rows, 1))


def _units(rows: list[pd.DataFrame], cell: float) -> list[int]:
    """The rows each site's row takes (`gantt_layout.units`) at a year `cell` points wide."""
    return [units(list(row["action"].astype(str)), list(row["year"].astype(int)), cell,
                  ROW_PT) for row in rows]


def gantt_parts(programme: Programme, horizon: int, most: int = GANTT_ROWS) -> list[range]:
    """The sites of each Gantt chart (positions in order of their first change), as
    `gantt_layout.parts` shares out their rows, a crowded site's counted as the rows it
    takes at the narrowest year of any chart: the one with every site's name."""
    labels, rows = _site_rows(programme.actions)
    if not rows:
        return [range(0)]
    figure, ax = _chart(programme, horizon, labels, "")
    return parts(_units(rows, _lay_out(figure, ax, horizon, len(labels))[0]), most)


def gantt(programme: Programme, horizon: int, sites: range | None = None) -> Figure:
    """When each change happens: a row per site (its teams' moves on its row), a mark per
    change, shaped and coloured by its kind, the changes of one year side by side within
    the year (smaller, or in lines in a taller row, when many: `gantt_layout`), with a key
    in words. `sites`: the rows of this chart (`gantt_parts`), every site by default; a
    chart of some says which."""
    labels, rows = _site_rows(programme.actions)
    every = len(labels)
    sites = range(every) if sites is None else sites
    labels, rows = labels[sites.start:sites.stop], rows[sites.start:sites.stop]
    figure, ax = _chart(programme, horizon, labels, "" if len(sites) == every else
                        f"; sites {sites.start + 1:,} to {sites.stop:,} of {every:,}, "
                        "in order of their first change")
    cell, _ = _lay_out(figure, ax, horizon, len(labels))  # the names set the years' width
    tall = _units(rows, cell)
    total = max(sum(tall), 1)
    centres = [sum(tall[:i]) + (u - 1) / 2 for i, u in enumerate(tall)]
    _set_rows(ax, centres, labels)
    ax.set_ylim(total - 0.5, -0.5)
    width = figure.get_size_inches()[0]
    figure.set_size_inches(width, (3.2 + ROW_CM * total) * CM)
    cell, pitch = _lay_out(figure, ax, horizon, total)
    if pitch < ROW_PT:  # the years' names and the key took more than 3.2 cm: taller
        figure.set_size_inches(width, (3.2 + ROW_CM * total) * CM + (ROW_PT - pitch) * total / 72)
        cell, pitch = _lay_out(figure, ax, horizon, total)
    _set_years(ax, programme, horizon, cell)
    for y, u, row in zip(centres, tall, rows, strict=True):
        _in_use(ax, row, y, horizon)
        placed = row_spots(list(row["action"].astype(str)), list(row["year"].astype(int)),
                           cell, u * pitch)
        x = row["year"].to_numpy(float) + np.array([s.dx for s in placed]) / cell
        down = y + np.array([s.dy for s in placed]) / pitch
        size = MARK_AREA * np.array([s.scale for s in placed]) ** 2
        for action in row["action"].unique():
            mine = (row["action"] == action).to_numpy()
            ax.scatter(x[mine], down[mine], marker=marker(str(action)), s=size[mine],
                       c=MARKS.get(str(action), OTHER).colour, edgecolors=INK,
                       linewidths=EDGE, zorder=3)
    return figure


def cash_flow(programme: Programme) -> Figure:
    """Each year's saving at today's value (bars) and the running total (line), the zero
    line, and the payback year marked."""
    totals = programme.totals()
    years = totals["year"].to_numpy(int)
    yearly = totals["discounted"].to_numpy(float)
    cumulative = totals["cumulative_discounted"].to_numpy(float)
    figure = _figure(17.4, 7.0)
    ax = figure.add_subplot()
    ax.bar(years, yearly, width=0.55, color="#a6c8e0", edgecolor="#5b8db3", linewidth=0.5,
           label="Saving in the year (today's money)")
    ax.plot(np.concatenate([[0], years]), np.concatenate([[0.0], cumulative]), color="#0072B2",
            marker="o", markersize=3.5, linewidth=2, label="Saving so far (today's money)")
    ax.axhline(0, color=INK, linewidth=1)
    if programme.payback_year is not None:
        ax.axvline(programme.payback_year, color="#D55E00", linestyle=(0, (5, 3)),
                   linewidth=1.4, label=f"Pays back in year {programme.payback_year}")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: money(v)))
    ax.set_xticks(range(0, int(years.max(initial=1)) + 1))
    ax.tick_params(labelsize=7)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlabel("End of year", fontsize=7, color=MUTED)
    figure.legend(loc="outside lower center", ncols=3, frameon=False, prop={"size": 7})
    return figure
