"""The programme's Gantt chart as inline SVG (the cash-flow curve is
`estate.render.cash_curve`).

It is plain markup, drawn from a `Programme`'s tables (a script of the page's own,
static/gantt.js, only moves a shown label where a browser lacks the CSS for it). Every text from
the register (site names and ids, team and agency ids) goes through `inert`. Each kind
of change has its own colour (Okabe-Ito, readable with the common colour-vision
deficiencies), its own shape and its own letter, so colour is never the only cue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from estate.render.html import inert, isolated, isolated_text, marked_names
from estate.results import Programme, money
from estate.results.amounts import fte_words


@dataclass(frozen=True)
class Mark:
    """How one kind of change is drawn and named."""

    colour: str
    letter: str
    ink: str  # the letter's colour, legible on `colour`
    words: str


MARKS: dict[str, Mark] = {
    "close": Mark("#D55E00", "C", "#000", "close: the site is given up (its teams have left)"),
    "build": Mark("#E69F00", "B", "#000", "build: work starts on a new site"),
    "open": Mark("#009E73", "O", "#000", "open: a new site is ready for its teams"),
    "move": Mark("#0072B2", "M", "#fff", "move: a team moves into this site"),
    "pool": Mark("#CC79A7", "P", "#000", "pool: a shared centre starts pooling here"),
    "dispose": Mark("#56B4E9", "D", "#000", "dispose: the sale of a closed site is received"),
}
OTHER = Mark("#999999", "?", "#000", "another change")
SITE_ACTIONS = ("close", "build", "open", "dispose")
ARROW = "\u21b3 "
"""What begins a team's label in the Gantt chart, beneath its site's."""
MARK_WIDTH = 18.0
"""The widest marks' width in pixels: the triangles and the diamond (`shape`'s r = 8 and
one more on each side)."""
MARK_GAP = MARK_WIDTH + 1.0
"""Two marks of one year on one row of the Gantt chart stand this far apart, centre to
centre, in pixels: a mark's width and a pixel between."""


def shape(action: str, x: float, y: float, r: float = 8.0) -> str:
    """The mark of `action` centred on (x, y): shape, fill and letter."""
    m = MARKS.get(action, OTHER)
    style = f'fill="{m.colour}" stroke="#1a1a1a" stroke-width="1"'
    if action == "close":
        body = f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" {style}/>'
    elif action == "build":
        body = (f'<polygon points="{x:.1f},{y - r - 1:.1f} {x + r + 1:.1f},{y + r:.1f} '
                f'{x - r - 1:.1f},{y + r:.1f}" {style}/>')
    elif action == "open":
        body = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {style}/>'
    elif action == "move":
        body = (f'<polygon points="{x:.1f},{y - r - 1:.1f} {x + r + 1:.1f},{y:.1f} '
                f'{x:.1f},{y + r + 1:.1f} {x - r - 1:.1f},{y:.1f}" {style}/>')
    elif action == "pool":
        body = (f'<polygon points="{x - r - 1:.1f},{y - r:.1f} {x + r + 1:.1f},{y - r:.1f} '
                f'{x:.1f},{y + r + 1:.1f}" {style}/>')
    else:
        body = f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" rx="4" {style}/>'
    dy = -2.5 if action == "pool" else (2.5 if action == "build" else 0.0)
    return (f'{body}<text x="{x:.1f}" y="{y + dy + 3.5:.1f}" text-anchor="middle" '
            f'font-size="10" font-weight="bold" fill="{m.ink}">{m.letter}</text>')


def legend() -> str:
    """Every mark with its letter and its meaning in words, and the bars."""
    items = "".join(
        f'<li><svg width="22" height="22" aria-hidden="true">{shape(a, 11, 11)}</svg> '
        f"{inert(m.words)}</li>" for a, m in MARKS.items())
    bars = ('<li><svg width="22" height="12" aria-hidden="true"><rect width="22" height="12" '
            'class="in-use"/></svg> the site is in use</li><li><svg width="22" height="12" '
            'aria-hidden="true"><rect width="22" height="12" class="building"/></svg> '
            "the site is being built</li>")
    return f'<ul class="legend">{items}{bars}</ul>'


def figures(row: pd.Series, rent: str = "") -> str:
    """A change's figures in words (plain text: `inert` it where it becomes HTML): its
    year and kind, then its pounds, then who and where, so that a label cut short on a
    narrow screen loses the names, which its row's label shows, not the figures. A
    closing's effect is the running cost it ends, not a saving, as rent may still be
    owed (`rent`, from `rent_owed`, says so). The site's name is between the isolate
    marks (`isolated_text`): a name in Arabic or Hebrew does not carry its id's brackets
    to its side, in the mark's accessible name or in its label."""
    effect = float(row["annual_effect"])
    said = [f"Year {int(row['year'])} ({row['date']}): {row['action']}"]
    if float(row["one_off"]):
        surrender = float(row.get("surrender") or 0.0)  # blank in folders written before
        said.append(("receives " if row["one_off"] < 0 else "one-off ")
                    + money(abs(float(row["one_off"])))
                    + (f" (of which {money(surrender)} to surrender the lease)"
                       if surrender >= 0.5 else ""))
    if effect and row["action"] == "close":
        said.append(f"running cost {money(effect)} a year" + (f"; {rent}" if rent else ""))
    elif effect:
        said.append(("saves " if effect > 0 else "costs ") + money(abs(effect)) + " a year")
    if row["function_id"] and row["action"] == "pool":
        said.append(f"pooling {row['function_id']}")
    elif row["function_id"]:
        fte = float(row["fte"]) if pd.notna(row["fte"]) else 0.0
        said.append(f"team {row['function_id']} ({fte_words(fte)})")
    said = [" ".join(", ".join(said).split())]
    if row["site_id"]:
        name = " ".join(str(row["site_name"]).split())
        said.append(f"{isolated_text(name)} ({' '.join(str(row['site_id']).split())})")
    else:
        said.append("no site")
    return ", ".join(said)


LABEL_WIDTH = 300.0
"""The widest a mark's figures are shown (`mark`), in pixels: two lines of about 50
characters each. The style sheet narrows it to the part of the chart's box beside the
rows' labels, less 4 px each side, where that is narrower (on a phone)."""
LABEL_LEAD = 21.0
"""How far a mark's label reaches past the mark's edge where it starts, in pixels: its
left edge is this far left of the mark's (or its right edge right of it, `mark`). The
style sheet's `--lead` of `.gantt .figures span`, which must agree."""
YEARS_LEAST = 2 * (LABEL_WIDTH - LABEL_LEAD - MARK_WIDTH / 2) + 4
"""The narrowest the Gantt chart's years are drawn (its SVG's width), in pixels: so wide
that each mark's label, where it stays put (`mark`), fits within the chart, from 2 px
after its start (`first`) to 2 px before its end (`last`). A label runs rightwards
unless its mark is within 270 px (`LABEL_WIDTH` less `LABEL_LEAD` and half a mark) of
`last`, and then leftwards, reaching 270 px left of its mark: within the chart if the
mark is 270 px or more after `first`, which holds when `last` is 540 px after it."""


def rent_owed(programme: Programme) -> dict[int, str]:
    """Per closing (its index in `programme.actions`) after which its agency still owes
    rent (cashflow.csv's rent, from the closing's year on): "rent £150.0k still owed
    over years 1 to 3" (their sum: £60k, £60k, and £30k for the half year to the
    lease's end); when the agency closes more than one site, the closing's own rent
    from programme.csv's `rent_owed` ("rent £40.0k still owed after it closes"; nothing
    for a freehold, or a lease ended or surrendered), as the cash flow says which years
    but not which site; or, from a folder written before that column, that the agency
    still owes rent on its closed sites."""
    acts, flows = programme.actions, programme.cashflow
    closes = acts[acts["action"] == "close"]
    by_site = "rent_owed" in closes and bool(closes["rent_owed"].notna().all())
    out = {}
    for i, row in closes.iterrows():
        agency, year = str(row["agency_id"]), int(row["year"])
        owed = flows[(flows["agency_id"].astype(str) == agency) & (flows["year"] >= year)
                     & (flows["rent"] > 0.5)]
        if owed.empty:
            continue
        if int((closes["agency_id"].astype(str) == agency).sum()) > 1:
            if not by_site:
                out[int(str(i))] = "its agency still owes rent on closed sites (the cash flow)"
            elif float(row["rent_owed"]) >= 0.5:
                out[int(str(i))] = f"rent {money(float(row['rent_owed']))} still owed after it closes"
            continue
        first, last = int(owed["year"].min()), int(owed["year"].max())
        years = f"in year {first}" if first == last else f"over years {first} to {last}"
        # the sum as the cash flow has it: a lease that ends within a year owes part of it
        out[int(str(i))] = f"rent {money(float(owed['rent'].sum()))} still owed {years}"
    return out


def mark(row: pd.Series, x: float, y: float, first: float, last: float, rent: str = ""
         ) -> str:
    """A change's mark centred on (x, y), its figures its accessible name, reached by the
    Tab key (and focused by a tap on a touch screen), with the same figures shown in a
    label just above its row while it has the focus or the pointer: a hover-only tooltip
    would leave them to a mouse alone.

    The label stands over the rows above (drawn before it, so it covers them) or, on the
    first row, over the years' heading, 2 px above the mark so that it leaves the focused
    mark's outline clear. Where the chart's box does not scroll, the label lies within
    the chart, from `first` to `last`: it runs rightwards from `LABEL_LEAD` left of the
    mark, or from the mark's own left edge at the chart's left end (class `flush`), or
    leftwards from `LABEL_LEAD` right of it (class `end`) near the chart's right end (or
    from its right edge, `end flush`). Where the box scrolls, the style sheet slides the
    label along its row as the mark crosses the box's part beside the rows' labels (a
    view timeline whose subject is this mark's place, the label's `div`): flush with the
    mark's left edge when the mark is at that part's left end, with its right edge at
    the right end, in proportion between; so while the mark is in view so is its whole
    label, which always spans the mark (in a browser without the CSS for it, the page's
    static/gantt.js moves the label so). The `foreignObject` is the mark's width, and the
    label overflows it. The style sheet hides the label until then, draws it on white and
    ends it with an ellipsis after two lines."""
    said = inert(figures(row, rent))
    half = MARK_WIDTH / 2
    end = " end" if x - half - LABEL_LEAD + LABEL_WIDTH > last else ""
    reach = half + LABEL_LEAD
    flush = " flush" if (x + reach > last if end else x - reach < first) else ""
    return (f'<g class="mark" tabindex="0" role="img" aria-label="{said}">'
            f"{shape(row['action'], x, y)}</g>"  # the label beside it, not in it: the
            # box that a focused mark is scrolled into view by is the mark's alone
            f'<foreignObject class="figures{end}{flush}" x="{x - half:.1f}" '
            f'y="{y - half - 2 - 32:.1f}" width="{MARK_WIDTH:.0f}" height="32" '
            'aria-hidden="true">'
            f'<div xmlns="http://www.w3.org/1999/xhtml"><span>{marked_names(said)}</span></div>'
            "</foreignObject>")


@dataclass(frozen=True)
class _Row:
    name: str  # the label's first part: a site's name, or "↳ team F1"
    tag: str  # its last part, in brackets (a site's id, a team's agency), or ""
    actions: pd.DataFrame
    site: bool  # a site's own row (bars), else a team's row beneath it

    @property
    def label(self) -> str:
        return " ".join(" ".join(str(part).split()) for part in (self.name, self.tag) if part)

    @property
    def said(self) -> str:
        """The label as text, a site's name between the isolate marks (`isolated_text`)."""
        name = " ".join(str(self.name).split())
        return " ".join(part for part in (isolated_text(name) if self.site else name,
                                          " ".join(self.tag.split())) if part)

    @property
    def written(self) -> str:
        """The label as HTML: inert, a site's name in a <bdi> (`isolated`)."""
        name = " ".join(str(self.name).split())
        tag = inert(" ".join(self.tag.split()))
        return (isolated(name) if self.site else inert(name)) + (f" {tag}" if tag else "")


def _rows(actions: pd.DataFrame) -> list[_Row]:
    """One row per site (by the year of its first change), its teams' rows beneath."""
    rows: list[_Row] = []
    first = actions.groupby("site_id", sort=False)["year"].min().sort_values(kind="stable")
    for site_id in first.index:
        mine = actions[actions["site_id"] == site_id]
        name = mine["site_name"].iloc[0]
        rows.append(_Row(name if site_id else "No site", f"({site_id})" if site_id else "",
                         mine[mine["action"].isin(SITE_ACTIONS)], True))
        teams = mine[~mine["action"].isin(SITE_ACTIONS)]
        for team, theirs in teams.groupby("function_id", sort=False):
            agency = theirs["agency_id"].iloc[0]
            what = "pooling" if (theirs["action"] == "pool").all() else "team"
            rows.append(_Row(f"{ARROW}{what} {team}", f"({agency})" if agency else "",
                             theirs, False))
    return rows


def _bars(row: _Row, x0: float, cw: float, horizon: int, y: float, h: float) -> str:
    """A site's years in use (solid) and being built (striped), from the start of the
    year it opens to the start of the year it closes: a change of year t is made as the
    year begins, so a site closed in year t is not in use that year (nor costs its
    running cost in the cash flow). Year t's column starts at t - 1 columns."""
    years = {a: int(t) for a, t in zip(row.actions["action"], row.actions["year"], strict=True)}
    built = years.get("build")
    opens = years.get("open", built)
    closes = years.get("close")
    spans: list[tuple[str, float, float]] = []
    if built is not None and opens is not None and opens > built:
        spans.append(("building", built - 1, opens - 1))
    start = (opens - 1) if opens is not None else 0
    end = (closes - 1) if closes is not None else horizon
    if end > start:
        spans.append(("in-use", start, end))
    return "".join(f'<rect class="{cls}" x="{x0 + a * cw:.1f}" y="{y + 3:.1f}" '
                   f'width="{(b - a) * cw:.1f}" height="{h - 6:.1f}"/>' for cls, a, b in spans)


def _in_key_order(actions: pd.DataFrame) -> pd.DataFrame:
    """A row's changes by year and, within a year, in the key's order (close, build, open,
    move, pool, dispose, then any other), as the board pack's chart draws them."""
    rank = {a: k for k, a in enumerate(MARKS)}
    kind = [rank.get(str(a), len(rank)) for a in actions["action"]]
    return actions.iloc[np.lexsort((kind, actions["year"].to_numpy()))]  # stable


def year_width(rows: list[_Row], horizon: int) -> float:
    """A year's column in pixels: 720 px shared by the years, at least 34 and at most 80,
    and wider still if the busiest year of any row needs it to hold its marks side by
    side, `MARK_GAP` apart, within 90% of the column (a margin to the gridlines), or if
    the chart, the columns and 10 px, would be narrower than `YEARS_LEAST` (a horizon of
    6 years or fewer), that the marks' labels fit in it.

    The chart widens rather than squeezing the marks or zigzagging them as the board
    pack's chart does: a row (22 px) is too low for a second line of 18-px marks, so a
    zigzag would overlap them, and the page lets the chart scroll sideways in its own box,
    so extra width costs a scroll, not a mark. Every column is as wide as the widest, so
    the year scale (and the bars on it) stays even."""
    busiest = max((int(r.actions["year"].value_counts().max()) for r in rows
                   if not r.actions.empty), default=1)
    fit = ((busiest - 1) * MARK_GAP + MARK_WIDTH) / 0.9
    return max(34.0, min(80.0, 720.0 / horizon), fit, (YEARS_LEAST - 10) / horizon)


def _label(row: _Row, i: int, y: float, left: float, rh: float) -> str:
    """A row's band and label in the labels' SVG. The label is HTML (a foreignObject), so
    that the browser fits it to the labels' column however wide the screen makes that: a
    label too long ends in an ellipsis where the column does (the style sheet cuts the
    name and keeps its bracketed id whole). The band beneath shows the whole label on
    hover (its <title>; the style sheet lets the pointer through the label to it). The
    band is hidden from assistive technology, so a screen reader reads the label's own
    text, whole, once."""
    x = 10 if row.site else 24  # a team's label indented under its site's
    tag = f' <span class="tag">{inert(" ".join(row.tag.split()))}</span>' if row.tag else ""
    return (f'<rect x="0" y="{y}" width="{left}" height="{rh}" class="band{i % 2}" '
            f'aria-hidden="true"><title>{inert(row.said)}</title></rect>'
            f'<foreignObject x="{x}" y="{y}" width="{left - x - 6}" height="{rh}">'
            f'<div xmlns="http://www.w3.org/1999/xhtml" class="label"><bdi class="name">'
            f'{inert(" ".join(row.name.split()))}</bdi>{tag}</div></foreignObject>')


def row_names(programme: Programme) -> str:
    """The Gantt chart's rows' labels in full, in the chart's order, each site's teams
    beneath it: a label cut short on a narrow screen shows its whole name on hover only
    (its band's title), which neither a keyboard nor a touch screen can do, so the names
    are also text of the page, in a disclosure (`details`) that either can open and that
    shows nothing on hover or focus alone."""
    if programme.actions.empty:
        return ""
    sites: list[tuple[_Row, list[_Row]]] = []
    for row in _rows(programme.actions):  # a site's row, then its teams' rows
        if row.site:
            sites.append((row, []))
        else:
            sites[-1][1].append(row)

    def teams(rows: list[_Row]) -> str:
        return ("<ul>" + "".join(f"<li>{inert(r.label.removeprefix(ARROW))}</li>"
                                 for r in rows) + "</ul>") if rows else ""

    # a site's label in a span of its own: its first node, whole (its name in a <bdi>)
    listed = "".join(f"<li><span>{site.written}</span>{teams(rows)}</li>" for site, rows in sites)
    return ('<details class="row-names"><summary>The chart\'s rows, names in full'
            f"</summary><ol>{listed}</ol></details>")


def gantt(programme: Programme, horizon: int) -> str:
    """The Gantt chart: a row per site, its teams' moves beneath, a mark per change; in a
    box of its own that scrolls sideways when the chart is wider than the page (the
    page's style sheet keeps the chart at its full size there), reached by the keyboard.

    The rows' labels are an SVG of their own beside the years' SVG, so that the labels
    stay at the box's left edge (`position: sticky`) while the years scroll beneath, as
    a spreadsheet freezes its first column. Both share one coordinate system (the years'
    viewBox starts where the labels' ends) and are one group to assistive technology,
    its name on their wrapper, in which each label is read once (`_label`) and each mark
    by its figures (`mark`); the years' headings are hidden from it, as each mark's
    figures say its year. (Not one image: an image's parts are not read, nor focused.)"""
    actions = programme.actions
    if actions.empty:
        return "<p>No change is scheduled within the horizon.</p>"
    rows = _rows(actions)
    owed = rent_owed(programme)
    left, cw, rh, top = 300, year_width(rows, horizon), 22, 34
    right, h = math.ceil(cw * horizon + 10), top + rh * len(rows) + 6
    svg = 'xmlns="http://www.w3.org/2000/svg" role="none"'
    labels = [f'<svg {svg} width="{left}" height="{h}" viewBox="0 0 {left} {h}" '
              'preserveAspectRatio="xMinYMin slice" class="gantt-labels">']  # cut, not shrunk
    parts = [f'<svg {svg} width="{right}" height="{h}" viewBox="{left} 0 {right} {h}" '
             'class="gantt">']
    for t in range(1, horizon + 1):
        x = left + (t - 0.5) * cw
        parts.append(f'<text x="{x:.1f}" y="14" text-anchor="middle" font-weight="bold" '
                     f'aria-hidden="true">Y{t}</text>'
                     f'<line x1="{left + (t - 1) * cw:.1f}" x2="{left + (t - 1) * cw:.1f}" '
                     f'y1="{top - 8}" y2="{h}" class="grid"/>')
    years = programme.budget
    for t, day in zip(years["year"], years["date"], strict=True):
        parts.append(f'<text x="{left + (int(t) - 0.5) * cw:.1f}" y="27" text-anchor="middle" '
                     f'class="muted" aria-hidden="true">{inert(str(day)[:4])}</text>')
    for i, row in enumerate(rows):
        y = top + i * rh
        cls = "site" if row.site else "team"
        labels.append(f'<g class="{cls}">{_label(row, i, y, left, rh)}</g>')
        parts.append(f'<g class="{cls}"><rect x="{left}" y="{y}" width="{right}" '
                     f'height="{rh}" class="band{i % 2}"/>')
        if row.site:
            parts.append(_bars(row, left, cw, horizon, y, rh))
        count = row.actions["year"].value_counts()
        seen: dict[int, int] = {}
        for _, act in _in_key_order(row.actions).iterrows():
            t = int(act["year"])
            k = seen[t] = seen.get(t, -1) + 1  # marks of one year side by side
            n = int(count[t])  # centred on the year; `year_width` makes room for them
            x = left + (t - 0.5) * cw + MARK_GAP * (k - (n - 1) / 2)
            parts.append(mark(act, x, y + rh / 2, left + 2, left + right - 2,
                              owed.get(int(str(act.name)), "")))
        parts.append("</g>")
    return ('<div class="scroll" tabindex="0" role="region" aria-label="Gantt chart, '
            'scrolls sideways"><div class="gantt-frame" role="group" aria-label="When each '
            'change happens, by site and team">' + "".join(labels) + "</svg>"
            + "".join(parts) + "</svg></div></div>")
