"""The board pack as one self-contained HTML page: the PDF's pages as sections.

No script and no fetch (the page shell's Content-Security-Policy allows inline styles
only); figures are inline SVG whose text is drawn as paths, each with its description
in words for a screen reader. Every text goes through `inert`.
"""

from __future__ import annotations

import re

from estate.render.figures import svg
from estate.render.html import document, inert, static_text
from estate.render.report_data import Block, Chart, Page, Table, Text

# a date or a budget year reads as one word: a line never breaks at its hyphens
WHOLE = re.compile(r"\d{4}-\d{2}(-\d{2})?")


def _cell(text: str) -> str:
    shown = inert(text)
    return f'<span class="whole">{shown}</span>' if WHOLE.fullmatch(text.strip()) else shown


def _table(table: Table) -> str:
    def cls(j: int) -> str:
        return ' class="n"' if table.numeric[j] else ""

    head = "".join(f'<th scope="col"{cls(j)}>{inert(h)}</th>'
                   for j, h in enumerate(table.header))
    rows = []
    for i, row in enumerate(table.rows):
        kind = [k for k, on in (("worse", i in table.marked),
                                ("total", table.total and i == len(table.rows) - 1)) if on]
        attr = f' class="{" ".join(kind)}"' if kind else ""
        cells = "".join((f'<th scope="row">{_cell(c)}</th>' if j == 0 else
                         f"<td{cls(j)}>{_cell(c)}</td>") for j, c in enumerate(row))
        rows.append(f"<tr{attr}>{cells}</tr>")
    # a table wider than the page scrolls inside its own box, which a keyboard can reach
    # and a screen reader names, rather than run off the page or break words to fit
    return (f'<div class="table-box" role="region" tabindex="0" '
            f'aria-label="{inert(table.caption)}">'
            f"<table><caption>{inert(table.caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def _chart(chart: Chart) -> str:
    drawing = svg(chart.figure, chart.name)
    drawing = drawing.replace("<svg ", f'<svg role="img" aria-label="{inert(chart.alt)}" ', 1)
    return f"<figure>{drawing}<figcaption>{inert(chart.alt)}</figcaption></figure>"


def _blocks(blocks: tuple[Block, ...]) -> str:
    parts: list[str] = []
    items: list[str] = []
    for block in blocks:
        if isinstance(block, Text) and block.kind == "item":
            items.append(f"<li>{inert(block.text)}</li>")
            continue
        if items:
            parts.append(f"<ul>{''.join(items)}</ul>")
            items = []
        if isinstance(block, Table):
            parts.append(_table(block))
        elif isinstance(block, Chart):
            parts.append(_chart(block))
        elif block.kind == "heading":
            parts.append(f"<h3>{inert(block.text)}</h3>")
        else:
            parts.append(f'<p class="{block.kind}">{inert(block.text)}</p>')
    if items:
        parts.append(f"<ul>{''.join(items)}</ul>")
    return "".join(parts)


def board_html(title: str, subtitle: str, pages: list[Page]) -> str:
    """The pages as one HTML document, a section per page (a page break each in print)."""
    sections = "".join(f'<section aria-labelledby="page-{i}"><h2 id="page-{i}">'
                       f"{inert(page.title)}</h2>{_blocks(page.blocks)}</section>"
                       for i, page in enumerate(pages, start=1))
    body = (f"<header><h1>{inert(title)}</h1><p class=\"subtitle\">{inert(subtitle)}</p>"
            f"</header><main>{sections}</main>")
    return document(inert(title), body, static_text("estate.render", "report.css"))
