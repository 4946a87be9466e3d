"""A table too wide for a printed sheet, printed whole as narrower tables.

A browser prints what lies past the sheet's right edge nowhere: a comparison of many
scenarios ("Who gains": three or four columns a scenario) or a sweep of many keys would
lose its last columns on paper. The pages run no script, so the printed copy is made
here, with the page: when the table's columns, each as narrow as its longest word, are
wider than an upright A4 sheet between 15 mm margins (`SHEET_PX`), the table is also
written as parts (`parts`), as few as fit the sheet and as even as can be (`groups`), with
the row-label columns and their headings repeated, so that every figure is printed
beside its row's label. On screen the parts are not drawn (`display:none`, so a screen
reader skips them too) and the table is as it was; printed, the parts are drawn in its
place (the style sheet `parts.css`).

Which columns fit is worked out without a browser: each text's width is overestimated
(`text_width`), so a part judged to fit does, with room to spare.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from estate.render.html import inert
from estate.render.text_width import text_width

SHEET_PX = 680.0
"""The printable width of an upright A4 sheet between 15 mm margins (180 mm) in CSS
pixels (96 an inch): the widest a printed table may be."""
BOLD = 1.1
"""How much wider a heading's bold text draws than `text_width`'s regular text."""
LONGEST_HEADING_WORD_PX = 150.0
"""The widest a heading's word is taken to be in a part: a longer one (a scenario's
name with no space in it) is broken inside where its column needs (parts.css: a part's
headings may break anywhere), so that a scenario's columns still fit one sheet."""


def plain(markup: str) -> str:
    """The text a cell's markup (inert text, `<bdi>`, `<span>`, `<wbr>`) shows, with a
    space where `<wbr>` allows a line break."""
    return html.unescape(re.sub(r"<[^>]*>", "", markup.replace("<wbr>", " ")))


def narrowest(markup: str, font_px: float, whole: bool = False, bold: bool = False) -> float:
    """How narrow (pixels, without padding) a cell showing `markup` can be: its longest
    word, or its whole text when it may not wrap (`whole`)."""
    text = plain(markup)
    words = [" ".join(text.split())] if whole else text.split()
    return max((text_width(w, font_px) * (BOLD if bold else 1.0) for w in words), default=0.0)


def column_widths(header: Sequence[str], body: Sequence[Sequence[str]], font_px: float,
                  pad_px: float, whole: Sequence[bool],
                  heading_word_px: float = float("inf")) -> list[float]:
    """Each column's narrowest width (pixels, padding and border included): its
    heading's longest word (bold, taken as `heading_word_px` at most where a longer one
    may break), or its widest cell's (`narrowest`; a cell of a column that is `whole`
    does not wrap)."""
    return [max([min(narrowest(h, font_px, bold=True), heading_word_px),
                 *(narrowest(row[j], font_px, whole[j]) for row in body)]) + pad_px
            for j, h in enumerate(header)]


def groups(widths: Sequence[float], labels: int, units: Sequence[Sequence[int]],
           room: float = SHEET_PX) -> list[list[int]]:
    """The columns of each part: the units (columns kept together, as a scenario's
    three in "Who gains") in their order, cut into as few parts as fit `room` beside
    the `labels` first columns (a unit too wide on its own is a part of its own), and
    of those cuts the most even (the least sum of the parts' squared widths), so that
    ten like scenarios print as 3 + 3 + 2 + 2, not 3 + 3 + 3 + 1 with a thin last part.
    Of equally even cuts, the one whose earlier parts are fuller."""
    left = room - sum(widths[:labels])
    size = [sum(widths[j] for j in unit) for unit in units]
    n = len(units)

    def fits(a: int, b: int) -> bool:
        return b - a == 1 or sum(size[a:b]) <= left

    # best[i] = (parts, sum of squares, cut) over the first i units; a cut's earlier
    # parts are the fuller ones when its list of part ends is the larger
    best: list[tuple[int, float, list[int]] | None] = [(0, 0.0, [])] + [None] * n
    for b in range(1, n + 1):
        for a in range(b - 1, -1, -1):
            if not fits(a, b):
                break
            before = best[a]
            assert before is not None  # a cut of the first a units always exists
            count, squares, ends = before
            # squares rounded so that like cuts tie whatever order their sums were added in
            here = (count + 1, round(squares + sum(size[a:b]) ** 2, 3), [*ends, b])
            now = best[b]
            if now is None or (here[0], here[1], [-e for e in here[2]]) < (
                    now[0], now[1], [-e for e in now[2]]):
                best[b] = here
    final = best[n]
    assert final is not None
    starts = [0, *final[2][:-1]]
    return [[j for unit in units[a:b] for j in unit]
            for a, b in zip(starts, final[2], strict=True)]


def parts(name: str, header: Sequence[str], body: Sequence[Sequence[str]],
          classes: Sequence[Sequence[str]] | None, *, labels: int, font_px: float,
          pad_px: float, units: Sequence[Sequence[int]] | None = None,
          whole: Sequence[bool] | None = None) -> str:
    """The print-only copy of a table, as parts that each fit the sheet; "" when the
    whole table fits it (then it is printed as it is).

    `header` and `body` are markup we made (inert text); `classes` each cell's class;
    the first `labels` columns label the rows and head every part (the first one a row
    heading); `units` the other columns, grouped as they must stay (one a unit when
    None); `whole` which columns' cells never wrap. `font_px` and `pad_px` are the
    printed type's size and a cell's padding and border across, as the style sheet
    sets them."""
    n = len(header)
    whole = list(whole) if whole is not None else [False] * n
    widths = column_widths(header, body, font_px, pad_px, whole)
    if sum(widths) <= SHEET_PX:
        return ""
    units = units if units is not None else [[j] for j in range(labels, n)]
    cls = classes or [[""] * n for _ in body]
    # in the parts a heading's overlong word may break (parts.css)
    split = groups(column_widths(header, body, font_px, pad_px, whole,
                                 LONGEST_HEADING_WORD_PX), labels, units)
    tables = []
    for i, columns in enumerate(split, 1):
        shown = [*range(labels), *columns]
        head = "".join(f'<th scope="col">{header[j]}</th>' for j in shown)
        rows = "".join("<tr>" + "".join(
            f'<th scope="row">{row[j]}</th>' if j == 0 else f'<td class="{k[j]}">{row[j]}</td>'
            for j in shown) + "</tr>" for row, k in zip(body, cls, strict=True))
        tables.append(f'<p class="part">{inert(name)}: part {i} of {len(split)}</p>'
                      f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    return f'<div class="parts">{"".join(tables)}</div>'


def printed(box: str, copy: str) -> str:
    """A table's box (`html.scroll_box`) as the page shows it, and its print-only copy
    (`parts`), if any: the box then is drawn on screen only."""
    return f'<div class="on-screen">{box}</div>{copy}' if copy else box
