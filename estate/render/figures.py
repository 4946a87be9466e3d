"""The board pack's figures, drawn with matplotlib from a results folder's tables.

Three figures: the estate before and after on a map (`estate_map`, in its own module),
the programme's Gantt chart (`gantt`) and its cash-flow curve (`cash_flow`). Each is a
`Figure` made without pyplot (no global state, no display), so the PDF can take it as a
PNG and the HTML page as inline SVG (`png`, `svg`), the same drawing in both.

Register text (site and zone names) is drawn with `parse_math=False`: a `$` in a name
is a character, never the start of a formula. Every symbol differs in shape as well as
in colour (Okabe-Ito colours, readable with the common colour-vision deficiencies).
"""

from __future__ import annotations

import io
import math
import re
from datetime import date

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.textpath import TextPath
from matplotlib.ticker import FuncFormatter

from estate.render.gantt_layout import EDGE, MARK_AREA, marker, parts, row_spots, units
from estate.render.html import isolated_text
from estate.render.programme_chart import MARKS, OTHER, SITE_ACTIONS
from estate.results import Programme, money
from estate.results.payback import payback_mark

CM = 1 / 2.54
INK, MUTED, LAND, LAND_EDGE = "#1a1a1a", "#666666", "#f4f1ea", "#c9c2b2"


def plain(text: object, most: int = 60) -> str:
    """Register text as one short line to draw: control characters and runs of white
    space become one space, and a long text is cut with an ellipsis."""
    line = " ".join(re.sub(r"[\x00-\x1f\x7f\u2028\u2029]", " ", str(text)).split())
    return line if len(line) <= most else line[: most - 1] + "\u2026"


def identifier(text: object, most: int = 30) -> str:
    """A register id as the board pack prints it beside a name: `plain`, but a long id is
    cut in its middle, not at its end, since ids of one register tend to share a long
    start and differ in their last characters ("SCC-PROPERTY-...-0117" and "-0118")."""
    line = plain(text, len(str(text)) + 1)
    if len(line) <= most:
        return line
    tail = most // 3
    return line[: most - 1 - tail] + "\u2026" + line[-tail:]


def named(text: object, most: int = 60) -> str:
    """A register name for the board pack's text and its Gantt labels: `plain`, between
    Unicode's isolate marks (U+2068 first strong isolate, U+2069 its end), so that a
    name in Arabic or Hebrew keeps its own direction and the text after it the page's.
    The HTML pack writes the marked name as a `<bdi>` (`estate.render.html.marked_names`);
    the PDF leaves the marks out (`estate.render.report_type.drawable`)."""
    return isolated_text(plain(text, most))


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
    # matplotlib draws its ids at random unless salted: salted, the same figure makes the
    # same page, as the same plan on the same date makes the same pack
    with matplotlib.rc_context({"svg.hashsalt": prefix}):
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


def _site_rows(actions: pd.DataFrame) -> tuple[list[str], list[pd.DataFrame]]:
    """One row per site, in order of its first change: its label and its changes. The
    label's name is between isolate marks (`named`): matplotlib (3.11 on) lays out a
    name in Arabic or Hebrew itself, joined and in its own direction, and the marks keep
    the id after it."""
    first = actions.groupby("site_id", sort=False)["year"].min().sort_values(kind="stable")
    labels, rows = [], []
    for site_id in first.index:
        mine = actions[actions["site_id"] == site_id]
        name = plain(mine["site_name"].iloc[0], 34)
        labels.append(f"{named(name)} ({site_id})" if site_id else "No site")
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


IN_USE, BUILDING, BUILDING_EDGE = "#c9d3dc", "#f3d9a4", "#b07d1a"
"""The Gantt chart's bars: a site in use, and being built (hatched, with its edge)."""


def _in_use(ax: Axes, row: pd.DataFrame, y: float, horizon: int) -> None:
    """A site's years in use (solid) and being built (hatched), as on the programme page:
    year t's column runs from t - 0.5 to t + 0.5, and a change of year t is made as the
    year begins (the cash flow books a site closed in year t no running cost that year),
    so a site's bar ends where its closing year begins."""
    years = {a: int(t) for a, t in zip(row["action"], row["year"], strict=True)
             if a in SITE_ACTIONS}
    built, closes = years.get("build"), years.get("close")
    opens = years.get("open", built)
    if built is not None and opens is not None and opens > built:
        ax.barh(y, opens - built, left=built - 0.5, height=0.5, color=BUILDING,
                edgecolor=BUILDING_EDGE, hatch="///", linewidth=0.5, zorder=1)
    start = (opens - 0.5) if opens is not None else 0.5
    end = (closes - 0.5) if closes is not None else horizon + 0.5
    if end > start:
        ax.barh(y, end - start, left=start, height=0.5, color=IN_USE, zorder=1)


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
    handles: list[Artist] = [
        Line2D([], [], linestyle="", marker=marker(a), markersize=math.sqrt(MARK_AREA),
               markerfacecolor=MARKS[a].colour, markeredgecolor=INK, label=MARKS[a].words)
        for a in used]
    # the bars, as programme.html's key names them
    handles.append(Patch(facecolor=IN_USE, label="the site is in use"))
    if {"build", "open"} <= set(programme.actions["action"]):
        handles.append(Patch(facecolor=BUILDING, edgecolor=BUILDING_EDGE, hatch="///",
                             linewidth=0.5, label="the site is being built"))
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
                   linewidth=1.4, label=payback_mark(programme.payback_year, programme.lasting_payback_year))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: money(v)))
    ax.set_xticks(range(0, int(years.max(initial=1)) + 1))
    ax.tick_params(labelsize=7)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlabel("End of year", fontsize=7, color=MUTED)
    figure.legend(loc="outside lower center", ncols=3, frameon=False, prop={"size": 7})
    return figure
