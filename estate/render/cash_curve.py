"""The programme page's cash-flow curve: the cumulative discounted saving year by year,
each year's saving as a bar and the payback year marked, as inline SVG; and the round
ticks its axis (and the sweep page's) is drawn with."""

from __future__ import annotations

import math
import re

from estate.render.html import inert
from estate.render.text_width import text_width
from estate.results import Programme, money
from estate.results.payback import payback_mark


def ticks(lo: float, hi: float, n: int = 5, least_step: float = 0.0) -> list[float]:
    """Round tick values covering [lo, hi], at least `least_step` apart (pounds are
    labelled whole, so ticks half a pound apart would be labelled alike)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0]
    if hi <= lo:
        lo, hi = lo - 1, hi + 1
    raw = (hi - lo) / n
    step = 10 ** math.floor(math.log10(raw))
    step = max(step * next(m for m in (1, 2, 2.5, 5, 10) if step * m >= raw), least_step)
    first = math.floor(lo / step) * step
    return [first + i * step for i in range(int(math.ceil((hi - first) / step)) + 1)]


CURVE_TEXT = 30.0
"""The largest size, in the curve's own units, that the page's style sheet gives the
curve's text (when the curve is shrunk to a phone's width, 12 px on a curve 288 px
wide); the curve leaves room for it."""


def _wide(text: str, size: float = CURVE_TEXT) -> float:
    """The width of `text` at `size`, bold as the curve's text is, overestimated."""
    return text_width(text, size, bold=True)


def _axis_money(value: float) -> str:
    """A round tick's pounds without trailing zeros: £125m, £2.5m, -£250k."""
    return re.sub(r"\.?0+([mk])$", r"\1", money(value))  # money gives £125.00m, £250.0k


def cash_curve(programme: Programme) -> str:
    """Cumulative discounted saving at the end of each year (0 at the start), the zero
    line, each year's discounted saving as a bar, and the payback year marked.

    The curve is drawn in 720 x 320 units (its viewBox) and shrinks as a whole to a
    narrower page. The style sheet then draws its text larger in those units, up to
    `CURVE_TEXT`, so the margins are wide enough for every label at that size, the tick
    labels are placed by their middle or top (not their baseline), and a long programme
    labels every second or fifth year, so that no two labels meet at any size."""
    totals = programme.totals()
    if totals.empty:
        return "<p>The programme has no cash flow to draw.</p>"
    years = [0, *(int(t) for t in totals["year"])]
    cumulative = [0.0, *(float(v) for v in totals["cumulative_discounted"])]
    yearly = [float(v) for v in totals["discounted"]]
    yt = ticks(min(cumulative + yearly), max(cumulative + yearly), least_step=1.0)
    # below the plot: the years' labels (hanging from 6 units under it, 1.1 em high), a
    # gap, and "Year" (its baseline 0.3 em above the foot, its ascent 0.95 em)
    w, h, right, top, bottom = 720, 320, 20, 20, math.ceil(12 + 2.4 * CURVE_TEXT)
    gap = CURVE_TEXT / 2  # the tick labels' right end to the plot: year 0's half-width
    left = max(80, math.ceil(max(_wide(_axis_money(v)) for v in yt) + gap + 4))
    x_of = {t: left + (t - years[0]) / max(years[-1] - years[0], 1) * (w - left - right)
            for t in years}
    span = yt[-1] - yt[0] or 1.0

    def py(v: float) -> float:
        return top + (yt[-1] - v) / span * (h - top - bottom)

    room = (w - left - right) / max(years[-1] - years[0], 1)  # between two years' labels
    every = next(k for k in (1, 2, 5, 10, 20, 50, len(years)) if k * room >= _wide(
        str(years[-1])) + 8)
    bar = 0.5 * (w - left - right) / max(len(years) - 1, 1)
    parts = ['<div class="curve-box"><svg xmlns="http://www.w3.org/2000/svg" '
             f'width="{w}" height="{h}" viewBox="0 0 {w} {h}" preserveAspectRatio="xMinYMin '
             'meet" class="curve" role="img" aria-label="Cumulative discounted saving, year '
             'by year">']
    parts += [f'<line x1="{left}" x2="{w - right}" y1="{py(v):.1f}" y2="{py(v):.1f}" '
              # `gap` short of the plot: the lowest clears the label of year 0 below it
              f'class="grid"/><text x="{left - gap:.1f}" y="{py(v):.1f}" text-anchor="end" '
              f'dominant-baseline="central">{inert(_axis_money(v))}</text>' for v in yt]
    for t, v in zip(years[1:], yearly, strict=True):
        y0, y1 = sorted((py(0.0), py(v)))
        parts.append(f'<rect class="yearly" x="{x_of[t] - bar / 2:.1f}" y="{y0:.1f}" '
                     f'width="{bar:.1f}" height="{max(y1 - y0, 0.5):.1f}"><title>Year {t}: '
                     f"{_so_far(v)} (discounted)</title></rect>")
    parts += [f'<text x="{x_of[t]:.1f}" y="{h - bottom + 6}" text-anchor="middle" '
              f'dominant-baseline="hanging">{t}</text>'
              for t in years if (t - years[0]) % every == 0]
    parts.append(f'<line x1="{left}" x2="{w - right}" y1="{py(0.0):.1f}" y2="{py(0.0):.1f}" '
                 f'class="zero"/>')
    points = " ".join(f"{x_of[t]:.1f},{py(v):.1f}" for t, v in zip(years, cumulative, strict=True))
    parts.append(f'<polyline points="{points}" class="cumulative"/>')
    parts += [f'<circle cx="{x_of[t]:.1f}" cy="{py(v):.1f}" r="3.5" class="cumulative">'
              f"<title>End of year {t}: {_so_far(v)} so far (discounted)</title>"
              f"</circle>" for t, v in zip(years, cumulative, strict=True)]
    if programme.payback_year is not None and programme.payback_year in x_of:
        x = x_of[programme.payback_year]
        said = payback_mark(programme.payback_year, programme.lasting_payback_year)
        at = (f'x="{x + 4:.1f}"' if x + 4 + _wide(said) <= w - right  # else left of the line
              else f'x="{x - 4:.1f}" text-anchor="end"')
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{h - bottom}" '
                     f'class="payback"/><text {at} y="{top + 4}" dominant-baseline="hanging" '
                     f'class="payback">{said}</text>')
    parts.append(f'<text x="{(w + left) / 2:.0f}" y="{h - 0.3 * CURVE_TEXT:.1f}" '
                 'text-anchor="middle" '
                 f'font-weight="bold">Year</text></svg></div>')
    return "".join(parts)


def _so_far(value: float) -> str:
    """A saving for a tooltip, "£345.9k saved", or "£372.9k lost": never a negative
    saving."""
    return f"{inert(money(value))} saved" if value > -0.5 else f"{inert(money(-value))} lost"
