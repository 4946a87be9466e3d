"""The dated programme as people read it: `programme.html`, one self-contained page.

What happens in which year (a Gantt chart by site and team), the cumulative discounted
saving with its payback year, and the tables behind them: the programme, each year's
budget use against its limits, the cash flow of the estate and of each agency. No
fetch, and no script but our own `static/gantt.js` (the page's Content-Security-Policy
allows that one by its hash and forbids the rest); every text from the register goes
through `inert`. Everything is drawn from a results folder alone:
`write_programme_page` reads summary.json, programme.csv and cashflow.csv.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pandas as pd

from estate.render.cash_curve import cash_curve
from estate.render.html import document, inert, isolated, static_text, write_page
from estate.render.programme_chart import gantt, legend, row_names
from estate.results import Programme, Summary, money
from estate.results.amounts import count, percent_up
from estate.results.programme_figures import sets_limits
from estate.results.words import (
    beside_year_one,
    known_gap,
    saving_figure,
    schedule_quality,
    scheduled_whose,
)
from estate.status import Status
from estate.store import read_programme, read_summary
from estate.timing import year_start

METHODS = {
    "roadmap": "the snapshot's changes scheduled year by year (the roadmap)",
    "joint": "the exact model over all years (the joint model)",
}
CASH_COLUMNS = (("running", "Running"), ("rent", "Rent owed"), ("one_off", "One-off"),
                ("receipts", "Receipts"), ("cost", "Cost"), ("status_quo", "Status quo"),
                ("saving", "Saving"), ("cumulative", "Cumulative"),
                ("discounted", "Saving, discounted"),
                ("cumulative_discounted", "Cumulative, discounted"))


def _table(name: str, header: list[str], rows: list[list[tuple[str, str]]]) -> str:
    """An HTML table; each cell is (inert text or our markup, class). A table wider than
    the page (on a phone) scrolls inside its own box, named `name`, which a keyboard can
    reach, rather than widening the page."""
    head = "".join(f'<th scope="col">{inert(h)}</th>' for h in header)
    body = "".join("<tr>" + "".join(f'<td class="{cls}">{text}</td>' for text, cls in row)
                   + "</tr>" for row in rows)
    return (f'<div class="scroll" tabindex="0" role="region" aria-label="{inert(name)}">'
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


def _pounds(value: Any) -> tuple[str, str]:
    v = float(value)
    return (inert(money(v)) if math.isfinite(v) else "", "n")


def _horizon(programme: Programme, summary: Summary | None) -> int:
    years = [*programme.budget["year"], *programme.cashflow["year"], *programme.actions["year"]]
    return max([int(t) for t in years] + [summary.horizon_years if summary else 1, 1])


def _year_text(programme: Programme, year: int | None) -> str:
    """A programme's year with its span, "year 2 (2028-04-01 to 2029-03-31)": a payback
    year is one at whose end the saving so far is positive, so its start alone would
    date the payback up to a year early."""
    if year is None:
        return "not within the horizon"
    days = dict(zip(programme.budget["year"], programme.budget["date"], strict=True))
    if year not in days:
        return f"year {year}"
    start = dt.date.fromisoformat(str(days[year]))
    # the next year's first day as the calendar counts it (a start of 29 February has
    # later years from the 28th, and the 29th again in a leap year)
    after = (dt.date.fromisoformat(str(days[year + 1])) if year + 1 in days
             else year_start(dt.date.fromisoformat(programme.start), year + 1))
    return f"year {year} ({start.isoformat()} to {(after - dt.timedelta(days=1)).isoformat()})"


def _lasting(programme: Programme) -> str:
    """After the payback year, whether later spending loses it: "", "; lost to later
    spending, for good in year 5 (2031-04-01 to 2032-03-31)" or "; lost to later spending and
    not regained by the horizon's end"."""
    p = programme
    if p.payback_year is None or p.lasting_payback_year == p.payback_year:
        return ""
    if p.lasting_payback_year is None:
        return "; lost to later spending and not regained by the horizon's end"
    return f"; lost to later spending, for good in {_year_text(p, p.lasting_payback_year)}"


def _headline(programme: Programme, summary: Summary | None) -> str:
    """What a reader needs first: the method, the honest NPV beside the snapshot's."""
    p = programme
    method = METHODS.get(p.method, p.method)
    if summary is not None and summary.alternative is not None and p.method == "roadmap":
        method = "the alternative's changes scheduled year by year (the roadmap)"
    said = [f"Starting {p.start}; {count(len(p.actions), 'change')}; method: {method}."]
    saving = f"NPV saving of the programme: {saving_figure(p.npv_saving)}"
    if summary is not None:
        saving += f", {beside_year_one(p.npv_saving, summary.saving_in_year_one)}"
    said += [saving + ".", f"Payback: {_year_text(p, p.payback_year)}{_lasting(p)}."]
    if p.roadmap_npv is not None and p.joint_npv is not None and p.gap is not None:
        said.append(f"NPV of cost: roadmap {money(p.roadmap_npv)}, joint model "
                    f"{money(p.joint_npv)} (the roadmap costs {p.gap:.2%} more).")
    html = "".join(f"<p>{inert(s)}</p>" for s in said)
    # a plan that is the estate the roadmap reaches: its proof is of the snapshot's changes
    whose = "the plan's" if summary is None else scheduled_whose(summary)
    proven, quality = schedule_quality(p.status, p.mip_gap, p.method, whose, sets_limits(p.budget))
    # drawn as a warning when the search was stopped short, not when it ended within
    # the gap the scenario asks of it, as the terminal says the plan's own
    finished = proven or str(p.status) == str(Status.OPTIMAL)
    html += f"<p>{inert(quality)}</p>" if finished else f'<p class="warn">{inert(quality)}</p>'
    if summary is not None and p.method == "roadmap" and (end := _end_unproven(summary)):
        html += f'<p class="warn">{inert(end)}</p>'
    if p.notes:
        html += "<ul>" + "".join(f"<li>{inert(n)}</li>" for n in p.notes) + "</ul>"
    return html


def _end_unproven(s: Summary) -> str:
    """A roadmap's proof covers only schedules of the changes it was given: when those
    are of an end state the time limit stopped short of proof (the snapshot's search,
    `snapshot_status`, or the plan's own when it is the snapshot's), the page says so
    beside the schedule's own proof; "" otherwise."""
    status, gap = ((s.snapshot_status, s.snapshot_mip_gap) if s.snapshot_status is not None
                   else (s.status, s.mip_gap) if s.plan_from != "programme" else (None, None))
    if status != Status.TIME_LIMIT:
        return ""
    far = (f"its NPV of cost is within {percent_up(gap)} of the lowest possible"
           if known_gap(gap) else "how far it is from the lowest possible is not known")
    return ("The changes it schedules are those of an end state not proven the best: the "
            f"solver's time limit stopped its search (every change made in year 1, {far}).")


def _actions_table(programme: Programme) -> str:
    rows = []
    for _, a in programme.actions.iterrows():
        site = f"{isolated(a['site_name'])} ({inert(a['site_id'])})" if a["site_id"] else ""
        team = (f"{isolated(a['function_id'])} ({inert(a['agency_id'])})"
                if a["function_id"] else inert(a["agency_id"]))
        fte = float(a["fte"])
        rows.append([(str(int(a["year"])), "n"), (inert(a["date"]), ""),
                     (inert(a["action"]), ""), (site, ""), (team, ""),
                     (f"{fte:,.1f}" if math.isfinite(fte) and fte else "", "n"),
                     _pounds(a["one_off"]), _pounds(a["annual_effect"])])
    return _table("The programme, change by change",
                  ["Year", "From", "Change", "Site", "Team (agency)", "FTE",
                   "One-off (receipts negative)", "Annual effect (saving positive)"], rows)


def _used(used: Any, limit: Any, show: Any) -> list[tuple[str, str]]:
    """A use and its limit; a use at its limit says so in words as well as colour."""
    used, limit = float(used), float(limit)
    at = math.isfinite(limit) and used >= limit - 1e-6 * max(1.0, abs(limit))
    text = inert(show(used)) + (" <b>(at the limit)</b>" if at else "")
    return [(text, "n binding" if at else "n"),
            (inert(show(limit)) if math.isfinite(limit) else "no limit", "n")]


def _budget_table(programme: Programme) -> str:
    b = programme.budget
    if b.empty:
        return "<p>No yearly limits were set.</p>"
    rows = []
    for _, r in b.iterrows():
        rows.append([(str(int(r["year"])), "n"), (inert(r["date"]), ""),
                     *_used(r["one_off"], r["one_off_limit"], money),
                     *_used(r["fte_moved"], r["fte_limit"], lambda v: f"{v:,.1f}"),
                     *_used(r["closures"], r["closures_limit"], lambda v: f"{v:,.0f}")])
    return _table("Yearly budget use",
                  ["Year", "From", "Net one-off spend", "Limit", "FTE changing building", "Limit",
                   "Closures", "Limit"], rows)


def _cash_rows(table: pd.DataFrame, agency: bool, names: dict[str, str]
               ) -> list[list[tuple[str, str]]]:
    rows = []
    for _, r in table.iterrows():
        first = []
        if agency:
            name = names.get(r["agency_id"], "")
            first = [(f"{isolated(name)} ({inert(r['agency_id'])})" if name
                      else inert(r["agency_id"]), "")]
        rows.append([*first, (str(int(r["year"])), "n"),
                     *(_pounds(r[c]) for c, _ in CASH_COLUMNS)])
    return rows


def _cash_tables(programme: Programme, summary: Summary | None) -> str:
    names = {k: a.name for k, a in summary.agencies.items()} if summary else {}
    header = ["Year", *(label for _, label in CASH_COLUMNS)]
    cash = programme.cashflow
    by_agency = cash[cash["agency_id"] != ""].sort_values(["agency_id", "year"], kind="stable")
    return ("<h3>The whole estate</h3>"
            + _table("Cash flow of the whole estate", header,
                     _cash_rows(programme.totals(), False, names))
            + "<h3>By agency</h3>"
            + (_table("Cash flow by agency", ["Agency", *header],
                      _cash_rows(by_agency, True, names))
               if len(by_agency) else "<p>No agency figures.</p>"))


def programme_page(programme: Programme, summary: Summary | None, scenario_name: str) -> str:
    """The programme as one self-contained HTML page: inline SVG, and one script of ours
    (gantt.js), which only acts in a browser that cannot slide the Gantt chart's labels
    by its style sheet."""
    horizon = _horizon(programme, summary)
    title = inert(f"Programme: {scenario_name}")
    chart = gantt(programme, horizon)
    marks = chart.count('<g class="mark"')
    # a keyboard reaches each mark in turn (81 on the demo): a link past them, shown
    # when the Tab key reaches it (WCAG 2.4.1)
    skip = (f'<a class="skip" href="#after-chart">Skip the chart\'s {marks:,} marks, to the '
            "list of its rows</a>" if marks > 1 else "")
    body = f"""<main><h1>Programme: {isolated(scenario_name)}</h1>
{_headline(programme, summary)}
<h2>When each change happens</h2>
<p>One row per site, in the order of its first change, with the teams that move there
beneath it; a mark for each change in its year. Point at a mark, tap it, or reach it
with the Tab key to see its figures, which the programme's table below gives too. A name too long for its row ends in "…": the rows'
names are listed in full beneath the chart.</p>
{legend()}
{skip}{chart}
<div id="after-chart" tabindex="-1">{row_names(programme)}</div>
<h2>Saving over the years</h2>
<p>The cumulative saving against the status quo at today's value (the line, 0 at the
start), each year's saving at today's value (the bars) and the payback year: the first
year the cumulative line is above zero, with the year it stays so for good when later
spending takes it below zero again.</p>
{cash_curve(programme)}
<h2>The programme</h2>
{_actions_table(programme)}
<h2>Yearly budget use</h2>
<p>Net one-off spend (spending less the receipts of that year), staff changing building and sites
closed in each year, beside the scenario's limits.</p>
{_budget_table(programme)}
<h2>Cash flow, year by year</h2>
<p>Running costs and rent at each year's end, one-offs and receipts at its start;
pounds of each year (the discounted columns at today's value).</p>
{_cash_tables(programme, summary)}</main>"""
    return document(title, body, static_text("estate.render", "programme.css"),
                    script=static_text("estate.render", "gantt.js"))


def write_programme_page(folder: Path, out: Path | None = None) -> Path | None:
    """Write `programme.html` (or `out`) for the programme stored in the results folder
    `folder`; None, and nothing written, when the folder holds no programme."""
    folder = Path(folder)
    summary = read_summary(folder)
    programme = read_programme(folder, summary)
    if programme is None:
        return None
    text = programme_page(programme, summary, summary.scenario or folder.name)
    return write_page(Path(out) if out else folder / "programme.html", text)
