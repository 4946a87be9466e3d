"""The map's panels: the KPI panel an executive reads first, and the legend.

Static HTML placed in the page and moved into Leaflet controls by `static/panels.js`;
every text taken from a summary goes through `inert`.
"""

from __future__ import annotations

import math
from typing import Any

from estate.maps.assets import COLOURS, SHAPES
from estate.render.html import inert, isolated
from estate.render.text import nothing_found
from estate.results import Summary, money
from estate.results.amounts import count, fte_words
from estate.results.payback import dated_payback_words, payback_words
from estate.results.solver_names import solver_name
from estate.results.words import (
    IN_YEAR_ONE,
    after_horizon_words,
    horizon_words,
    one_off_words,
    plan_quality,
    saving_figure,
)
from estate.status import Status


def _money(value: Any) -> str:
    """Pounds as everywhere else in estate (`estate.results.money`), n/a when unknown."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "n/a" if value is None else inert(value)
    return money(number) if math.isfinite(number) else "n/a"


def _saving(value: Any) -> str:
    """A saving as the terminal and the board pack say it: a loss is a cost ("none;
    costs £1.14m more"), never a negative saving; n/a when unknown."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return _money(value)
    return inert(saving_figure(number)) if math.isfinite(number) else "n/a"


def _count(value: Any) -> str:
    try:
        return f"{round(float(value)):,}"
    except (TypeError, ValueError):
        return "n/a" if value is None else inert(value)


def _status_line(s: Summary) -> str:
    """How good the plan is, in the words the terminal and the board pack use; loud
    when the time limit stopped the search."""
    quality = inert(plan_quality(s)[0])
    if s.status == Status.TIME_LIMIT:
        quality = f"<strong>{quality}</strong>"
    return f"{quality} \u00b7 {inert(solver_name(s.solver))}"


def _shared_words(centres: int, counts: dict[str, int] | None) -> str:
    """"7 at 6 sites": a site may host several shared centres, and the legend counts
    sites (and says how many of them are kept and opened), so the panel says both."""
    if counts is None or not counts.get("shared"):
        return _count(centres)
    return f"{_count(centres)} at {count(counts['shared'], 'site')}"


def _year_section(timeline: dict[str, Any], dated: str) -> str:
    """The figures at the end of the slider's year (`timeline_payload`'s "figures"),
    shown for the last year, which the map's script rewrites as the slider moves; then
    the dated programme's NPV saving over the horizon (`dated`, a `<dt>`/`<dd>` pair),
    apart from the plan's own figures below, which assume every change in year 1.

    A screen reader hears the year's figures as the slider moves from a live region
    only heard (estate-hidden), which the script fills: a child of the panel, so that
    folding the panel, which hides the rest of it, leaves the region in the page
    (static/panels.js), where a hidden one would say nothing."""
    last = timeline["horizon"]
    items = "".join(f"<dt>{inert(k)}</dt><dd>{inert(v)}</dd>" for k, v in timeline["figures"][last])
    return (f'<h3 id="estate-kpi-year-title">{inert(timeline["labels"][last])}</h3>'
            f'<dl class="estate-kpis" id="estate-kpi-year">{items}</dl>'
            '<p class="estate-hidden" id="estate-kpi-year-said" role="status" aria-live="polite">'
            "</p>"
            + (f'<dl class="estate-kpis">{dated}</dl>' if dated else "")
            + "<h3>The plan's own figures</h3>")


def kpi_panel(summary: Summary, counts: dict[str, int] | None = None,
              timeline: dict[str, Any] | None = None, cautions: tuple[str, ...] = ()) -> str:
    """The KPI panel's HTML: what an executive reads first. Every text value is inert.

    `counts` (from `site_counts`) says at how many sites the shared centres are, and how
    many of those are kept and opened, as the legend counts them. With `timeline` (the
    year slider's data) the panel opens with the figures at the end of the slider's
    year, which follow the slider; the plan's own figures below are labelled as those
    once every change is made, which the slider does not change. `cautions` are the
    plan's own warnings on what its figures count, in a reader's words (plain text), said
    under the figures as the terminal and the board pack say them."""
    s = summary
    # with a dated programme its NPV is the one that counts when each change can happen;
    # the snapshot's figures are what every change made in year 1 would give
    programme = s.programme
    at_once = f" {IN_YEAR_ONE}" if programme else ""
    dated = [(f"NPV saving of the dated programme ({inert(horizon_words(s))})",
              _saving(programme.npv_saving), ""),
             ("Payback of the dated programme", inert(dated_payback_words(programme)), "")
             ] if programme else []
    dated_html = ""
    if timeline:  # shown with the year's figures, not among the plan's own
        dated_html = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v, _ in dated)
        dated = []
    rows = [
        ("Annual saving", _saving(s.annual_saving), "estate-big"),
        ("Annual cost", f"{_money(s.annual_cost_before)} \u2192 {_money(s.annual_cost_after)}",
         ""),
        ("One-off cost", inert(one_off_words(s.one_off_cost)) if s.one_off_cost < -0.5
         else _money(s.one_off_cost), ""),
        ("Payback" + at_once, inert(payback_words(s.payback_years, s.one_off_cost)[0]), ""),
        *dated,
        (f"NPV saving{at_once} ({inert(horizon_words(s))})", _saving(s.saving_in_year_one),
         ""),
        ("Sites", f"{_count(s.sites_before)} \u2192 {_count(s.sites_after)}", ""),
        # kept + closed = sites before, kept + opened = sites after: the legend's
        # symbols add up to the same three numbers
        ("Kept / closed / opened",
         f"{_count(s.sites_before - s.sites_closed)} / {_count(s.sites_closed)} / "
         f"{_count(s.sites_opened)}", ""),
        ("Shared centres", _shared_words(s.shared_centres, counts), ""),
        ("Staff changing building", inert(fte_words(s.fte_relocated)), ""),
    ]
    notes = [inert(caution.removesuffix(".")) for caution in cautions]  # as the others
    if found := nothing_found(s):  # its £0 saving is no proof that nothing saves
        notes.insert(0, inert("Found " + found))
    if s.receipts_after_horizon:
        notes.append(inert(after_horizon_words(s.receipts_after_horizon, programme is not None)))
    worse = [isolated(info.name or agency) for agency, info in s.agencies.items() if info.worse_off]
    if worse:
        notes.append("Paying more each year: " + ", ".join(worse))  # as the row with none
    elif s.agencies:
        rows.append(("Agencies paying more each year", "none", ""))
    if not s.status_quo_feasible:
        breaches = s.status_quo_breaches
        shown = "; ".join(isolated(b.place) for b in breaches[:3]) + ("; \u2026" if len(breaches) > 3
                                                                  else "")
        notes.append(f"Today's estate breaks {count(len(breaches), 'rule')}"
                     + (f": {shown}" if shown else ""))
    items = "".join(f"<dt>{k}</dt><dd class=\"{cls}\">{v}</dd>" for k, v, cls in rows)
    note_html = "".join(f'<div class="estate-warn">{n}</div>' for n in notes)
    # a named region with a heading: a screen reader lists it and reads it in order;
    # estate-foldable: its own button folds it away (static/panels.js)
    return (f'<section id="estate-kpi" class="estate-panel estate-foldable" '
            'aria-label="Plan summary">'
            f'<h2>{isolated(s.scenario or "Plan")}</h2>'
            f'<p class="estate-status">{_status_line(s)}</p>'
            f'{_year_section(timeline, dated_html) if timeline else ""}'
            f'<dl class="estate-kpis">{items}'
            f"</dl>{note_html}<p class=\"estate-muted\">Pounds a year, except one-off cost and "
            "NPV saving (totals).</p></section>")


_CLUSTER_KEY = (
    '<span class="estate-dot" style="width:16px;height:16px;border-width:2px;'
    f'background:conic-gradient({COLOURS["keep"]} 0 60%,{COLOURS["close"]} 60% 100%)"></span>'
)


def site_counts(sites: dict[str, list[Any]]) -> dict[str, int]:
    """Sites drawn after the plan by the symbol the legend gives them: a kept or opened
    site hosting a shared centre is drawn as a star, so it is counted under "shared"
    and again, by its decision, under "shared_keep" or "shared_open", which is how the
    legend and the panel say that kept = "keep" + "shared_keep"."""
    counts = {"keep": 0, "close": 0, "open": 0, "shared": 0, "shared_keep": 0,
              "shared_open": 0}
    for decision, shared in zip(sites["decision"], sites["is_shared"], strict=True):
        if decision not in ("keep", "close", "open"):
            continue
        if shared and decision != "close":
            counts["shared"] += 1
            counts[f"shared_{decision}"] += 1
        else:
            counts[decision] += 1
    return counts


_DECISIONS = (("keep", "Kept", "an existing site the plan keeps"),
              ("close", "Closed", "an existing site the plan closes"),
              ("open", "Opened", "a new site the plan builds"),
              ("shared", "Shared service centre", "a site kept or opened that hosts one or "
               "more shared centres of several agencies"))


def _decision_count(key: str, counts: dict[str, int]) -> str:
    """How many symbols of a decision the map draws, and how many more sites of that
    decision are drawn as stars: "66, and 4 more drawn as stars" (kept 70 in all)."""
    n = counts.get(key, 0)
    if key == "shared":
        parts = [f"{counts[k]:,} {word}" for k, word in
                 (("shared_keep", "kept"), ("shared_open", "opened")) if counts.get(k)]
        return f"{count(n, 'site')}" + (f": {', '.join(parts)}" if parts else "")
    stars = counts.get(f"shared_{key}", 0)
    return f"{n:,}" + (f", and {stars:,} more drawn as {'a star' if stars == 1 else 'stars'}"
                       if stars else "")


_TIMELINE = ("The map shows the estate at the end of the year chosen on the slider: a site "
             "closing later stays a circle until its closing year, then is drawn as closed "
             "(a square with a cross); a new site "
             "appears in its opening year; a shared centre takes its star in the year it "
             "starts pooling; a move's line appears in the year the team moves.")


def legend(max_fte: float, outline_label: str | None, clustered: bool = False, *,
           counts: dict[str, int] | None = None, places: bool = False,
           timeline: bool = False, coverage: bool = True, differing: str = "") -> str:
    """The legend's HTML: every shape and colour the map uses, with words for each.

    `counts` (from `site_counts`) adds how many sites each decision has; `places`, the
    place names; `timeline`, how the year slider changes the symbols; `coverage`, the
    zone dots and radius circles (a plan with coverage rules); `outline_label`, the
    outline basemap (None: a register with no zones has none); `differing`, the colour of
    the rings a comparison map draws round sites whose decision differs.
    """

    def row(key: str, text: str) -> str:
        return (f'<div class="estate-legend-row"><span class="estate-key" aria-hidden="true">'
                f"{key}</span><span>{inert(text)}</span></div>")

    def dot(colour: str, border: str = "#333", width: int = 1) -> str:
        return (f'<span class="estate-dot" style="background:{colour};border-color:{border};'
                f'border-width:{width}px"></span>')

    def line(width: float) -> str:
        return f'<span class="estate-line" style="height:{width:.1f}px"></span>'

    def decision(key: str, word: str, meaning: str) -> str:
        n = "" if counts is None else f" ({_decision_count(key, counts)})"
        return row(SHAPES[key], f"{word}{n}: {meaning}")

    sites = ["<div><h3>Sites after the plan</h3>",
             *(decision(*d) for d in _DECISIONS),
             *([row(_CLUSTER_KEY, "Group of sites: ring shows each decision's share")]
               if clustered else []),
             *([row(dot("transparent", differing, 3), "Ringed: decision differs between "
                    "scenarios")] if differing else []),
             "<h3>Sites before</h3>", row(SHAPES["before"], "Existing site today"),
             "<h3>Moves of staff</h3>", row(line(2.5), "Line width: a few FTE"),
             row(line(10.5), f"Line width: {max_fte:,.0f} FTE"), "</div>"]
    zones = ["<div>",
             *(["<h3>Zones (dot size = population)</h3>",
                row(dot(COLOURS["lost"], "#7a2e00", 2), "Loses coverage"),
                row(dot(COLOURS["covered"]), "Covered before and after"),
                row(dot(COLOURS["gained"]), "Gains coverage"),
                row(dot(COLOURS["uncovered"]), "Not covered"),
                row(dot("rgba(0,114,178,.08)", COLOURS["keep"]),
                    "Radius: how far a coverage rule reaches round each site")]
               if coverage else []),
             *(["<h3>Basemap</h3>", row(dot("#f6f3ec", "#b9b2a3"), outline_label)]
               if outline_label is not None else []),
             *([row('<span class="estate-place estate-place-key">Aa</span>',
                    "Place names: the most populous zones; more appear as you zoom in")]
               if places else []),
             "</div>"]
    year = (f'<div class="estate-legend-wide"><h3>Year slider</h3><p>{inert(_TIMELINE)}</p>'
            "</div>" if timeline else "")
    # <details>: a reader on a small screen folds the legend away, with no script
    return ('<section id="estate-legend" class="estate-panel" aria-labelledby="estate-legend-title">'
            '<details open><summary><h2 id="estate-legend-title">Legend</h2></summary>'
            f'<div class="estate-legend-grid">{"".join(sites)}{"".join(zones)}{year}</div>'
            "</details></section>")
