"""How wide a line of text draws, for the SVG charts that must fit their labels without a
browser to measure them (`sweep.html`'s site labels, `programme.html`'s cash curve).

Every width is overestimated: a label judged a little too wide is cut or given room it
does not need, while one judged too narrow runs into its neighbour or off the chart.
"""

from __future__ import annotations

import unicodedata

REGULAR = {**dict.fromkeys("'IJijl", 0.3), **dict.fromkeys(" (),-./:;[\\]ft|", 0.4),
           **dict.fromkeys('!"*_`r', 0.5), **dict.fromkeys("?FLcksvxyz", 0.6),
           **dict.fromkeys("$0123456789ABCEKPRSTVXYZabdeghnopqu{}", 0.7),
           **dict.fromkeys("&DGHNOQU", 0.8), **dict.fromkeys("#+<=>M^w~", 0.9),
           **dict.fromkeys("%@Wm\u2026", 1.0)}
"""A character's width in ems, as wide as in DejaVu Sans (the widest of the common sans
fonts, what `system-ui` is on many Linux desktops) rounded up; any other character 1 em,
or 1.3 em when East Asian wide (a Chinese character, an emoji), and none when a format
character that draws nothing (U+2068 and U+2069, the isolate marks round a name)."""
BOLD = {**dict.fromkeys("0123456789\u00a3$", 0.7), "m": 1.05, "k": 0.67, ".": 0.38,
        ",": 0.38, "-": 0.42, " ": 0.35, ":": 0.4}
"""A character's width in ems, at least as wide as in the common sans-serif fonts, bold,
for the figures it is used for (money and years); any other character 0.8 em (none
when a format character)."""


def _regular_em(c: str) -> float:
    if c not in REGULAR and unicodedata.category(c) == "Cf":
        return 0.0  # a format character: draws nothing (the isolate marks round a name)
    return REGULAR.get(c, 1.3 if unicodedata.east_asian_width(c) in "WF" else 1.0)


def _bold_em(c: str) -> float:
    return BOLD.get(c, 0.0 if unicodedata.category(c) == "Cf" else 0.8)


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width of `text` drawn `size` units high (pixels, or the chart's own units),
    overestimated: regular by `REGULAR`, bold by `BOLD`."""
    if bold:
        return size * sum(_bold_em(c) for c in text)
    return size * sum(_regular_em(c) for c in text)
