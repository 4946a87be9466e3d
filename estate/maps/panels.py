"""The map's panels: the KPI panel an executive reads first, and the legend.

Static HTML placed in the page and moved into Leaflet controls by `static/map.js`;
every text taken from a summary goes through `inert`.
"""

from __future__ import annotations

import math
from typing import Any

from estate.maps.assets import COLOURS, SHAPES
from estate.render.html import inert
from estate.results import Summary
from estate.status import Status


def _money(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return inert(value)
    if not math.isfinite(number):
        return "n/a"
    v = abs(number)
    text = (f"£{v / 1e6:,.2f}m" if v >= 1e6 else f"£{v / 1e3:,.1f}k" if v >= 1e3
            else f"£{v:,.0f}")
    return ("\u2212" if number < 0 else "") + text


def _count(value: Any) -> str:
    try:
        return f"{round(float(value)):,}"
    except (TypeError, ValueError):
        return "n/a" if value is None else inert(value)


def _payback_text(s: Summary) -> str:
    if s.payback_years is not None and math.isfinite(s.payback_years):
        return _duration(s.payback_years)
    return "never" if s.annual_saving <= 0 else "n/a"


def _status_line(s: Summary) -> str:
    status = f"{inert(s.status)} \u00b7 {inert(s.solver)}"
    if s.mip_gap is not None and math.isfinite(s.mip_gap):
        status += f" \u00b7 gap {s.mip_gap:.2%}"
    if s.status == Status.TIME_LIMIT:
        status = "<strong>NOT PROVEN OPTIMAL</strong> (time limit) \u00b7 " + status
    return status


def kpi_panel(summary: Summary) -> str:
    """The KPI panel's HTML: what an executive reads first. Every text value is inert."""
    s = summary
    rows = [
        ("Annual saving", _money(s.annual_saving), "estate-big"),
        ("Annual cost", f"{_money(s.annual_cost_before)} \u2192 {_money(s.annual_cost_after)}",
         ""),
        ("One-off cost", _money(s.one_off_cost), ""),
        ("Payback", _payback_text(s), ""),
        ("NPV saving", _money(s.npv_saving), ""),
        ("Sites", f"{_count(s.sites_before)} \u2192 {_count(s.sites_after)}", ""),
        ("Closed / opened", f"{_count(s.sites_closed)} / {_count(s.sites_opened)}", ""),
        ("Shared centres", _count(s.shared_centres), ""),
        ("FTE relocated", _count(s.fte_relocated), ""),
    ]
    notes = []
    worse = [inert(info.name or agency) for agency, info in s.agencies.items() if info.worse_off]
    if worse:
        notes.append("Worse off: " + ", ".join(worse))
    elif s.agencies:
        rows.append(("Agencies worse off", "none", ""))
    if not s.status_quo_feasible:
        breaches = s.status_quo_breaches
        shown = "; ".join(inert(b.place) for b in breaches[:3]) + ("; \u2026" if len(breaches) > 3
                                                                  else "")
        notes.append(f"Today's estate breaks {len(breaches)} rule(s)" + (f": {shown}" if shown else ""))
    items = "".join(f"<dt>{k}</dt><dd class=\"{cls}\">{v}</dd>" for k, v, cls in rows)
    note_html = "".join(f'<div class="estate-warn">{n}</div>' for n in notes)
    return (f'<div id="estate-kpi" class="estate-panel"><h2>{inert(s.scenario or "Plan")}</h2>'
            f'<div class="estate-status">{_status_line(s)}</div><dl class="estate-kpis">{items}'
            f"</dl>{note_html}<div class=\"estate-muted\">Pounds a year, except one-off cost and "
            "NPV saving (totals).</div></div>")


def _duration(years: float) -> str:
    """A payback period as a reader says it: "immediate", "5 months", "2.3 years"."""
    if years <= 0:
        return "immediate"  # 0 when the one-off is a net receipt
    if years < 1 / 12:
        return "under a month"
    if years < 1:
        months = round(years * 12)
        return f"{months} month{'s' if months != 1 else ''}"
    return f"{years:.1f} years"


_CLUSTER_KEY = (
    '<span class="estate-dot" style="width:16px;height:16px;border-width:2px;'
    f'background:conic-gradient({COLOURS["keep"]} 0 60%,{COLOURS["close"]} 60% 100%)"></span>'
)


def legend(max_fte: float, outline_label: str, clustered: bool = False) -> str:
    """The legend's HTML: every shape and colour the map uses, with words for each."""

    def row(key: str, text: str) -> str:
        return f'<div class="estate-legend-row"><span class="estate-key">{key}</span>{inert(text)}</div>'

    def dot(colour: str, border: str = "#333") -> str:
        return f'<span class="estate-dot" style="background:{colour};border-color:{border}"></span>'

    def line(width: float) -> str:
        return f'<span class="estate-line" style="height:{width:.1f}px"></span>'

    sites = ["<div><h3>Sites after the plan</h3>",
             row(SHAPES["keep"], "Kept"), row(SHAPES["close"], "Closed"),
             row(SHAPES["open"], "Opened"), row(SHAPES["shared"], "Shared service centre"),
             *([row(_CLUSTER_KEY, "Group of sites: ring shows each decision's share")]
               if clustered else []),
             "<h3>Sites before</h3>", row(SHAPES["before"], "Existing site"),
             "<h3>Moves</h3>", row(line(2.5), "few FTE"),
             row(line(10.5), f"{max_fte:,.0f} FTE"), "</div>"]
    zones = ["<div><h3>Zones (size = population)</h3>",
             row(dot(COLOURS["lost"], "#7a2e00"), "Loses coverage"),
             row(dot(COLOURS["covered"]), "Covered before and after"),
             row(dot(COLOURS["gained"]), "Gains coverage"),
             row(dot(COLOURS["uncovered"]), "Not covered"),
             "<h3>Basemap</h3>", row(dot("#f6f3ec", "#b9b2a3"), outline_label),
             "</div>"]
    # <details>: a reader on a small screen folds the legend away, with no script
    return (f'<div id="estate-legend" class="estate-panel"><details open><summary>Legend</summary>'
            f'<div class="estate-legend-grid">{"".join(sites)}{"".join(zones)}</div>'
            "</details></div>")
