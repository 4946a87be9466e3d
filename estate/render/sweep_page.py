"""The sweep as people read it: `sweep.html`, a self-contained page of SVG charts.

NPV saving against each varied key (one dot per run with a plan, the mean joined up),
which sites stay open across the runs (`site_robustness.csv` as bars), and the table of
runs. No script and no fetch: the page's Content-Security-Policy forbids both.

A sweep of a dated scenario charts each run's dated programme's NPV saving
(`programme.npv_saving`), the figure its map, board pack and terminal lead with; the
table gives the plan's own, labelled "if every change were made in year 1", beside it.
"""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np
import pandas as pd

from estate.render.cash_curve import ticks
from estate.render.html import (
    breakable,
    document,
    isolated,
    scroll_box,
    static_text,
)
from estate.render.print_parts import SHEET_PX, column_widths, parts, printed
from estate.render.sweep_sites import robustness_chart
from estate.results import money
from estate.results.amounts import count
from estate.results.summary import year_one_saving
from estate.results.words import IN_YEAR_ONE, is_proven
from estate.runs.sweep import Vary, shown
from estate.status import PLANNED, Status

DATED = "programme.npv_saving"
"""sweep.csv's column of a dated run's programme's NPV saving."""


def dated(rows: pd.DataFrame) -> bool:
    """Whether the sweep is of a dated scenario: a run with a plan has a programme."""
    return DATED in rows and bool(_number(rows.loc[rows["status"].isin(PLANNED), DATED])
                                  .notna().any())


def _number(values: Any) -> Any:
    return pd.to_numeric(values, errors="coerce")


def _fmt(x: float) -> str:
    return f"{x:,.4g}" if abs(x) < 1e4 else f"{x:,.0f}"


def _is_number(value: Any) -> bool:
    """An int or a float (`inf` too); not a bool, which Python counts as an int."""
    return isinstance(value, int | float | np.number) and not isinstance(value, bool | np.bool_)


def _x_positions(values: list[Any], lo: float, hi: float) -> dict[Any, float]:
    """Where each value of a varied key sits on the x axis, from `lo` to `hi` pixels:
    to scale (with a 5% margin) when every value is a finite number, evenly spaced
    otherwise (`inf`, no limit, has no place on a scale)."""
    if all(_is_number(v) and math.isfinite(v) for v in values):
        xs = [float(v) for v in values]
        span = max(xs) - min(xs)
        x0, x1 = (min(xs) - 0.05 * span, max(xs) + 0.05 * span) if span else \
            (xs[0] - 1, xs[0] + 1)
        return {v: lo + (float(v) - x0) / (x1 - x0) * (hi - lo) for v in values}
    step = (hi - lo) / max(len(values), 1)
    return {v: lo + step * (i + 0.5) for i, v in enumerate(values)}


def _most_it_could_save(run: pd.Series) -> float | None:
    """A run stopped short of proof: the most it could save (£m) by the solver's bound,
    `status_quo_npv` less it (the bound is `objective * (1 - gap)`): its saving, plus
    what it books before a programme could, plus `mip_gap * objective_npv`;
    None for a proven optimum, a run with no gap, or a plan that is a dated programme's
    end state (`plan_from` "programme"), whose gap is the programme's, not a bound on
    this saving."""
    gap = pd.to_numeric(run.get("mip_gap"), errors="coerce")
    objective = pd.to_numeric(run.get("objective_npv"), errors="coerce")
    if is_proven(run["status"], gap) or run.get("plan_from") == "programme" or not (
            np.isfinite(gap) and gap > 0 and np.isfinite(objective)):
        return None
    # the bound is on the snapshot's objective: a saving net of what it books before a
    # programme could (`booked_early_npv`) has that added back, as another plan may book none
    booked = pd.to_numeric(run.get("booked_early_npv"), errors="coerce")
    return (float(year_one_saving(run)) + (float(booked) if np.isfinite(booked) else 0.0)
            + float(gap) * float(objective)) / 1e6


def _most_a_programme_could_save(run: pd.Series) -> float | None:
    """A dated run whose programme the exact model over all years (method "joint")
    found, stopped short of proof: the most any programme could save (£m) by that
    model's bound, its saving plus `mip_gap * npv_cost` (its objective is the whole NPV
    of cost). None otherwise: a proven programme, or the roadmap's, whose bound covers
    only the schedules of one plan's changes, not every programme."""
    gap, cost = _number(run.get("programme.mip_gap")), _number(run.get("programme.npv_cost"))
    if run.get("programme.method") != "joint" or is_proven(run.get("programme.status"), gap) \
            or not (np.isfinite(gap) and gap > 0 and np.isfinite(cost)):
        return None
    return (float(run[DATED]) + float(gap) * float(cost)) / 1e6


def chart_top(savings: pd.Series) -> float:
    """How high (£m) a run's line up to its bound may reach: three times the dots' spread
    above the highest, or a quarter of the largest saving when the dots are close. A gap
    above 1 (the bound still the solver's opening guess) would otherwise stretch the axis
    to £1bn and crush £47m of dots into one line; a longer line stops here, arrowed."""
    high, low = float(savings.max()), float(savings.min())
    room = max(3 * (high - low), 0.25 * max(abs(high), abs(low)))
    return high + (room or 1.0)


def _beyond(x: float, y: float, colour: str) -> str:
    """The head of a line cut at the chart's top: its bound lies beyond the chart."""
    return (f'<polygon points="{x - 4:.1f},{y + 7:.1f} {x:.1f},{y:.1f} {x + 4:.1f},'
            f'{y + 7:.1f}" fill="{colour}" fill-opacity="0.6" class="estate-beyond"/>')


def npv_chart(rows: pd.DataFrame, key: str) -> str:
    """NPV saving (£m) of each run with a plan against one varied key, with the mean line;
    a run not proven optimal with a line up to the most it could save. The axis reaches
    the highest of these too, so a line's length reads true (a wide gap squeezes the dots
    together, as it should: their differences are then within what the solver left
    unproven), up to `chart_top`: a line beyond it ends in an arrow head, said so."""
    planned = rows[rows["status"].isin(PLANNED)]
    # a dated sweep charts each run's programme (its status, its bound), not the plan's
    # own figures, which assume every change made in year 1
    is_dated = dated(rows)
    saving, status, gap = (DATED, "programme.status", "programme.mip_gap") if is_dated \
        else ("npv_saving", "status", "mip_gap")
    most = _most_a_programme_could_save if is_dated else _most_it_could_save
    if is_dated:
        planned = planned[_number(planned[DATED]).notna()]
    if planned.empty or saving not in planned:
        return "<p>No run of this sweep has a plan, so there is nothing to chart.</p>"
    values = list(dict.fromkeys(rows[key]))
    if all(_is_number(v) for v in values):  # spaced evenly when inf is one: still in order
        values.sort()
    w, h, left, right, top, bottom = 640, 300, 70, 20, 20, 50
    y = planned[saving].astype(float) / 1e6
    bests = {i: b for i, run in planned.iterrows() if (b := most(run)) is not None}
    top_line = chart_top(y)
    yt = ticks(float(y.min()), max([float(y.max()), *(min(b, top_line) for b in bests.values())]))
    y0, y1 = yt[0], yt[-1] if yt[-1] > yt[0] else yt[0] + 1
    xpos = _x_positions(values, left, w - right)

    def py(v: float) -> float:
        return top + (y1 - v) / (y1 - y0) * (h - top - bottom)

    what = "NPV saving of the dated programme" if is_dated else "NPV saving"
    said = f"{what} against {key}: {chart_words(planned, key, saving, values)}"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
             f'viewBox="0 0 {w} {h}" role="img" aria-label="{html.escape(said)}">']
    for t in yt:
        parts.append(f'<line x1="{left}" x2="{w - right}" y1="{py(t):.1f}" y2="{py(t):.1f}" '
                     f'stroke="#ddd"/><text x="{left - 6}" y="{py(t) + 4:.1f}" '
                     f'text-anchor="end">{_fmt(t)}</text>')
    for v in values:
        parts.append(f'<text x="{xpos[v]:.1f}" y="{h - bottom + 18}" text-anchor="middle">'
                     f'{html.escape(str(v))}</text>')
    means: dict[Any, tuple[float, float]] = {}
    for v, group in planned.groupby(key, sort=False):
        pts = group[saving].astype(float) / 1e6
        for j, (value, (i, run)) in enumerate(zip(pts, group.iterrows(), strict=True)):
            x = xpos[v] + 3.0 * (j - (len(group) - 1) / 2)  # spread runs at one value
            proven = is_proven(run[status], _number(run.get(gap)))
            # a search that ended inside a looser mip_gap is "optimal" to the solver only
            ended = (f"{run[status]} within its mip_gap" if run[status] == Status.OPTIMAL
                     and not proven else str(run[status]))
            tip = (f"{run['run_id']}: {money(value * 1e6)}"
                   + (f" dated ({run.get('programme.method')} programme, {ended}"
                      if is_dated else f" ({ended}"))
            colour = "#2b6cb0" if proven else "#dd6b20"
            if i in bests:
                end = min(bests[i], top_line)
                tip += f", at most {money(bests[i] * 1e6)} by the solver's bound"
                parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{py(value):.1f}" '
                             f'y2="{py(end):.1f}" stroke="{colour}" '
                             f'stroke-opacity="0.35"/>')
                if end < bests[i]:
                    tip += ", beyond the chart"
                    parts.append(_beyond(x, py(end), colour))
            parts.append(f'<circle cx="{x:.1f}" cy="{py(value):.1f}" r="4" fill="{colour}" '
                         f'fill-opacity="0.6" stroke="{colour}"><title>{html.escape(tip)})</title></circle>')
        means[v] = (xpos[v], py(float(pts.mean())))
    # the mean line joins neighbouring values with a plan: a value with none breaks it
    for stretch in _stretches(sorted(values, key=lambda v: xpos[v]), means):
        path = " ".join(f"{x:.1f},{yy:.1f}" for x, yy in stretch)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#2b6cb0" stroke-width="2"/>')
    if any(b > top_line for b in bests.values()):
        parts.append(f'<text x="{left}" y="{top - 8}">\u25b2 the solver\'s bound lies '
                     "beyond the chart</text>")
    parts.append(f'<text x="{(w + left) / 2:.0f}" y="{h - 8}" text-anchor="middle" '
                 f'font-weight="bold">{html.escape(key)}</text>'
                 f'<text x="14" y="{(h - bottom) / 2:.0f}" text-anchor="middle" '
                 f'transform="rotate(-90 14 {(h - bottom) / 2:.0f})" font-weight="bold">'
                 f'{"NPV saving, dated" if is_dated else "NPV saving"} (£m)</text></svg>')
    return "".join(parts)


def _stretches(values: list[Any], means: dict[Any, tuple[float, float]]
               ) -> list[list[tuple[float, float]]]:
    """The points of the mean line in runs of neighbouring values that each have one
    (two points at least): a value no run planned is a gap in the line, not a straight
    stretch across it as if it had a saving between its neighbours'."""
    stretches: list[list[tuple[float, float]]] = [[]]
    for v in values:
        if v in means:
            stretches[-1].append(means[v])
        else:
            stretches.append([])
    return [stretch for stretch in stretches if len(stretch) > 1]


def chart_words(planned: pd.DataFrame, key: str, saving: str, values: list[Any]) -> str:
    """What the NPV chart shows, in words, for a screen reader (its dots' own tooltips
    are inside the image): at each value of the key, the run's saving, or how many runs
    and their lowest, mean and highest; a value with no run charted says so."""
    said = []
    # grouped as the chart groups its dots (a key's value may be a tuple, a list key's)
    groups = {v: g[saving].astype(float) for v, g in planned.groupby(key, sort=False)}
    for v in values:
        pts = groups.get(v, pd.Series(dtype=float))
        if len(pts) == 0:
            said.append(f"at {shown(v)}, no run charted")
        elif len(pts) == 1:
            said.append(f"at {shown(v)}, {money(float(pts.iloc[0]))}")
        else:
            said.append(f"at {shown(v)}, {len(pts)} runs from {money(float(pts.min()))} to "
                        f"{money(float(pts.max()))}, mean {money(float(pts.mean()))}")
    return "; ".join(said) + "."


DATED_HEADS = {"objective_npv": f"objective_npv (NPV of cost {IN_YEAR_ONE})",
               "year_one_npv_saving": f"year_one_npv_saving {IN_YEAR_ONE}",
               DATED: f"{DATED} (dated)"}
"""The table's headings of a dated sweep that say which NPV saving is which; the others
are sweep.csv's columns as named there."""


def _runs_table(rows: pd.DataFrame, varies: list[Vary]) -> str:
    e = html.escape
    is_dated = dated(rows)
    columns = (*[v.key for v in varies], "status", "objective_npv", "npv_saving",
               "sites_after", "sites_closed", "shared_centres", "mip_gap", "warnings",
               "message")
    if is_dated:
        # the programme's status and gap beside the plan's, which are the programme's
        # too when the plan is its end state (plan_from)
        columns = (*[v.key for v in varies], "status", "programme.status", "plan_from",
                   "objective_npv", "year_one_npv_saving", DATED, "sites_after",
                   "sites_closed", "shared_centres", "mip_gap", "programme.mip_gap",
                   "warnings", "message")
        # a run whose programme was not made has only its plan's own saving
        if "npv_saving" in rows and len(rows):
            rows = rows.assign(year_one_npv_saving=[year_one_saving(r)
                                                    for _, r in rows.iterrows()])
    # each run's id first, its folder under runs/: the chart's dots name it only on hover
    shown = [c for c in ("run_id", *columns) if c in rows]
    heads = DATED_HEADS if is_dated else {}
    # a heading may break after a `.` or `_` of its name; a cell's figure or status
    # never breaks, printed or not, and the message, which is prose, wraps (sweep.css)
    head = "".join(f'<th scope="col">{breakable(heads.get(c, c))}</th>' for c in shown)
    body = "".join("<tr>" + "".join(
        (f'<td class="prose">{e(_cell(r[c]))}</td>' if c == "message" else
         f"<td>{e(_cell(r[c]))}</td>") for c in shown) + "</tr>" for _, r in rows.iterrows())
    box = scroll_box("Runs", f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
                     "</table>")
    # printed in parts, the id labels each row of every part instead
    return printed(box, _runs_parts(rows, [c for c in shown if c != "run_id"], heads,
                                    sum(v.key in rows for v in varies)))


PRINT_PX, PRINT_PAD_PX = 10.0, 7.0
"""The printed table of runs' type size and a cell's padding and border across
(sweep.css)."""


def _runs_parts(rows: pd.DataFrame, shown: list[str], heads: dict[str, str],
                keys: int) -> str:
    """The table of runs printed as parts when too wide for the sheet (`print_parts`):
    each run's row labelled by its run id (its folder, sweep.csv's `run_id`), and by
    the varied keys' values too when they take at most two fifths of the sheet; ""
    when the table fits the sheet whole (or has no run id to label its rows with)."""
    if "run_id" not in rows:
        return ""
    e = html.escape
    columns = ["run_id", *shown]
    header = [breakable(heads.get(c, c)) for c in columns]
    body = [[e(_cell(r[c])) for c in columns] for _, r in rows.iterrows()]
    whole = [c != "message" for c in columns]
    widths = column_widths(header, body, PRINT_PX, PRINT_PAD_PX, whole)
    if sum(widths) <= SHEET_PX:
        return ""  # the table as the screen has it, its run ids first, fits
    labels = 1 + keys if sum(widths[1:1 + keys]) <= 0.4 * SHEET_PX else 1
    classes = [["prose" if c == "message" else "" for c in columns]] * len(body)
    return parts("Runs", header, body, classes, labels=labels, font_px=PRINT_PX,
                 pad_px=PRINT_PAD_PX, whole=whole)


def sweep_page(rows: pd.DataFrame, robustness: pd.DataFrame, varies: list[Vary],
               scenario_name: str) -> str:
    """The sweep as one self-contained HTML page: inline SVG charts, no scripts, no CDN."""
    e = html.escape
    counts = rows["status"].value_counts()
    status_text = ", ".join(f"{n} {e(str(s))}" for s, n in counts.items())
    shares = robustness["open_share"] if len(robustness) else pd.Series(dtype=float)
    fragile = int(((shares > 0) & (shares < 1)).sum())
    always, never = int((shares >= 1).sum()), int((shares <= 0).sum())
    varied = ", ".join(e(f"{v.key} over {', '.join(shown(x) for x in v.values)}")
                       for v in varies)
    what = "NPV saving of the dated programme" if dated(rows) else "NPV saving"
    charts = "".join(f"<h3>{what} against {e(v.key)}</h3>"
                     + scroll_box(f"{what} against {v.key}", npv_chart(rows, v.key))
                     for v in varies)
    body = f"""<main><h1>Sweep of {isolated(scenario_name)}</h1>
<p>{count(len(rows), 'run')}: {status_text}. Varied: {varied}.{_warned(rows)}</p>
{f'<p class="warn">{e(note)}</p>' if (note := registers_note(rows, varies)) else ""}
<h2>{what}</h2>
<p>{_caption(rows)}</p>
{charts}
<h2>Which sites stay open</h2>
<p>{count(always, 'site')} {'is' if always == 1 else 'are'} open in every run with a plan, \
{never:,} closed (or not built) in every run, and {fragile:,} \
{'depends' if fragile == 1 else 'depend'} on the assumptions (orange, listed first).\
{_unsettled(rows) if fragile else ""}</p>
<p class="key"><span class="always"></span>open in every run
<span class="depends"></span>depends on the run
<span class="never"></span>closed in every run</p>
{scroll_box("Share of runs in which each site is open", robustness_chart(robustness))}
<h2>Runs</h2>
{_runs_table(rows, varies)}</main>"""
    return document(f"Sweep of {e(scenario_name)}", body,
                    static_text("estate.render", "sweep.css")
                    + static_text("estate.render", "parts.css"))


def registers_note(rows: pd.DataFrame, varies: list[Vary]) -> str:
    """The warning that a sweep varying `data` ran on registers of different estates
    (their status quos differ), so its savings across them are not like-for-like; ""
    when `data` is not varied, or its registers' status quos agree (two copies of one)."""
    if not any(v.key == "data" and len(set(map(str, v.values))) > 1 for v in varies) or \
            not {"data", "status_quo_npv"} <= set(rows.columns):
        return ""
    costs = pd.to_numeric(rows["status_quo_npv"], errors="coerce")
    by_register = {str(data): frozenset(costs[rows["data"] == data].dropna().round())
                   for data in rows["data"].unique()}
    seen = [each for each in by_register.values() if each]
    if len(set(seen)) <= 1:
        return ""
    return ("This sweep varies data, the register, and its registers are different "
            "estates (their status quos differ: NPV of cost from "
            f"{money(min(min(each) for each in seen))} to "
            f"{money(max(max(each) for each in seen))}): each run saves against its own "
            "register's status quo, so savings across registers are not like-for-like, "
            "and the charts' mean line joins unlike figures.")


def _warned(rows: pd.DataFrame) -> str:
    """The runs whose plans were made with warnings (a rule no site can keep, a figure
    that looks mistyped), which read as any other plan in the chart: " 2 of the runs
    were planned with warnings: ..." ("" when none was)."""
    if "warnings" not in rows:
        return ""
    warned = int((pd.to_numeric(rows["warnings"], errors="coerce").fillna(0) > 0).sum())
    if not warned:
        return ""
    return (f" {warned:,} of the runs {'was' if warned == 1 else 'were'} planned with "
            "warnings (the table's <i>warnings</i> column): each run's warnings.csv, in its "
            "folder under runs/, says what to check before trusting its figures.")


def _unsettled(rows: pd.DataFrame) -> str:
    """What runs stopped short of proof (by the time limit, or inside the scenario's
    `solver.mip_gap`) do to the sites that depend on the assumptions: such a site may
    differ only where each search stopped ("" when every run with a plan is proven)."""
    planned = rows[rows["status"].isin(PLANNED)]
    open_ = [run["status"] for _, run in planned.iterrows()
             if not is_proven(run["status"], _number(run.get("mip_gap")))]
    if not open_:
        return ""
    timed = sum(status == Status.TIME_LIMIT for status in open_)
    by = " or ".join((["the time limit"] if timed else [])
                     + (["the solver.mip_gap asked for"] if timed < len(open_) else []))
    fixes = (["a longer solver.time_limit_s"] if timed else []) \
        + (["a smaller solver.mip_gap"] if timed < len(open_) else [])
    n = len(open_)
    return (f" {n:,} of the {count(len(planned), 'run')} with a plan "
            f"{'was' if n == 1 else 'were'} stopped by {by} before "
            f"{'it was' if n == 1 else 'they were'} proven optimal: a site may "
            f"depend on where each search stopped rather than on the assumptions "
            f"({' and '.join(fixes)} {'settles' if len(fixes) == 1 else 'settle'} it).")


def _caption(rows: pd.DataFrame) -> str:
    """What the dots, their colours and their lines are. For a dated sweep: each run's
    programme's saving, coloured by its programme's search; a line up to a bound only
    where one is drawn (`_most_a_programme_could_save`), said so either way."""
    if not dated(rows):
        planned = rows[rows["status"].isin(PLANNED)]
        unbounded = sum(not is_proven(run["status"], _number(run.get("mip_gap")))
                        and _most_it_could_save(run) is None and run.get("plan_from") !=
                        "programme" for _, run in planned.iterrows())
        return ("Each dot is a run with a plan (blue: proven optimal; orange: not proven "
                "optimal, stopped by the time limit or inside the solver.mip_gap asked for, "
                "with a faint line up to the most it could save by the solver's bound); the "
                "line joins the mean saving at each value. "
                + (f"{count(unbounded, 'run')} stopped before the solver stated any bound "
                   f"(an orange dot with no line): how much more {'it' if unbounded == 1 else 'they'} "
                   "could save is not known, and a longer solver.time_limit_s would say. "
                   if unbounded else "")
                + "Hover a dot for its run id (the table of runs below gives each one's too).")
    planned = rows[rows["status"].isin(PLANNED)]
    charted = planned[_number(planned[DATED]).notna()]
    drawn = any(_most_a_programme_could_save(run) is not None for _, run in charted.iterrows())
    bound = ("A programme of the exact model over all years not proven optimal has "
             "a faint line up to the most any programme could save by that model's bound. "
             if drawn else "No dot has a line up to a bound: none is a programme of the "
             "exact model over all years left unproven, the only kind drawn "
             "with one. ")
    left_out = len(planned) - len(charted)
    return ("Each dot is a run with a plan: the NPV saving of its dated programme, the one "
            "its map, board pack and terminal lead with (blue: its programme's search ended "
            "proven optimal, among every programme for the exact model over all years, "
            "among the schedules of the plan's changes for the roadmap; orange: the time "
            f"limit or the solver.mip_gap asked for stopped it first). {bound}A roadmap's bound covers only the schedules of its "
            "plan's changes, not every programme, so it has no such line. The line joins "
            "the mean saving at each value. Hover a dot for its run id (the table of runs below gives each one's too). The table gives "
            f"each run's own NPV saving {IN_YEAR_ONE} beside its dated one."
            + (f" {left_out} of the runs with a plan have no dated programme and are not "
               "charted." if left_out else ""))


def _cell(value: Any) -> str:
    # pd.NA: a count some runs lack (sites_after of a run with no plan) is an Int64 cell
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.4g}"
    return str(value)
