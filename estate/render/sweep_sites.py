"""Which sites stay open across a sweep's runs, as `sweep.html` draws it: one bar per
site, the share of runs in which it is open, the fragile sites first, each labelled by
its id and as much of its name as the room left of the bars holds."""

from __future__ import annotations

import html

import pandas as pd

from estate.render.html import isolated_text
from estate.render.text_width import text_width
from estate.results.amounts import count

LABEL_PX = 11
"""The size of the chart's text (the page's style sheet: `svg{font-size:11px}`)."""


def _width(text: str) -> float:
    """The width of `text` in pixels on the chart, overestimated (`text_width`)."""
    return text_width(text, LABEL_PX)

def _fitted(text: str, room: float) -> str:
    """`text` whole when it fits in `room` pixels, else as much of it as fits before an
    ellipsis (nothing of it when not even one character does).

    The cut is found by halving: every character has a width, so a longer beginning is
    never narrower, and the beginnings that fit are those up to one cut. A few
    measurements find it, where trying one character fewer at a time measured a long
    name once for each character it lost."""
    if _width(text) <= room:
        return text
    # text[:fits] + "…" fits, or fits is 0; text[:over] + "…" does not (text alone does not)
    fits, over = 0, len(text)
    while over - fits > 1:
        middle = (fits + over) // 2
        if _width(text[:middle] + "\u2026") <= room:
            fits = middle
        else:
            over = middle
    return text[:fits].rstrip() + "\u2026"

def site_label(site_id: str, name: str, room: float) -> str:
    """A site's label on the chart, `room` pixels wide at most: its id whole (how a
    planner finds the site in the register), then its name cut with an ellipsis where
    the room ends, between the isolate marks (`isolated_text`: a name in Arabic or
    Hebrew keeps its own direction, its ellipsis at its end; the marks draw nothing and
    take no room). An id too long for the room on its own is cut instead."""
    site_id, name = " ".join(str(site_id).split()), " ".join(str(name).split())
    if _width(site_id + " \u2026") > room:
        return _fitted(site_id, room)
    cut = _fitted(name, room - _width(site_id + " ")).rstrip()
    return f"{site_id} {isolated_text(cut)}" if cut else site_id

def robustness_chart(robustness: pd.DataFrame) -> str:
    """One bar per site: the share of runs in which it is open; fragile sites first.
    Each site's label fits the room left of the bars (`site_label`); its whole id and
    name (and area, in a national register), with how often it is open, are its tooltip
    and what a screen reader reads (the site's bar and label are one image, named by its
    <title>)."""
    if robustness.empty:
        return "<p>No run of this sweep has a plan.</p>"
    table = robustness.assign(
        fragile=(robustness["open_share"] > 0) & (robustness["open_share"] < 1))
    table = table.sort_values(["fragile", "open_share", "site_id"], ascending=[False, False, True])
    bar, w, left = 16, 720, 300
    h = bar * len(table) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
             f'viewBox="0 0 {w} {h}" role="group" '
             f'aria-label="Share of runs in which each site is open">']
    for t in (0, 0.25, 0.5, 0.75, 1):
        x = left + t * (w - left - 60)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{h - 20}" stroke="#ddd" '
                     f'aria-hidden="true"/><text x="{x:.1f}" y="{h - 6}" text-anchor="middle" '
                     f'aria-hidden="true">{t:.0%}</text>')
    for i, r in enumerate(table.itertuples(index=False)):
        y = i * bar
        share = float(r.open_share)
        colour = "#dd6b20" if r.fragile else ("#38a169" if share >= 1 else "#718096")
        label = html.escape(site_label(str(r.site_id), str(r.name), left - 6))
        # the name isolated: an Arabic name does not carry the figures after it to its side
        area = " ".join(str(getattr(r, "area", "")).split())  # a national register's
        where = f" ({isolated_text(area)})" if area else ""
        tip = html.escape(f"{' '.join(str(r.site_id).split())} "
                          f"{isolated_text(' '.join(str(r.name).split()))}{where}"
                          f": open in {r.runs_open} of {count(r.runs, 'run')} ({share:.0%})")
        parts.append(f'<g role="img"><title>{tip}</title><text x="{left - 6}" y="{y + bar - 4}" '
                     f'text-anchor="end">{label}</text>'
                     f'<rect x="{left}" y="{y + 2}" height="{bar - 4}" '
                     f'width="{max(share * (w - left - 60), 1):.1f}" fill="{colour}"/>'
                     f'<text x="{left + share * (w - left - 60) + 4:.1f}" y="{y + bar - 4}">'
                     f'{share:.0%}</text></g>')
    parts.append("</svg>")
    return "".join(parts)
