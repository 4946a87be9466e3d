"""The board pack as one self-contained HTML page: the PDF's pages as sections.

No script and no fetch (the page shell's Content-Security-Policy allows inline styles
only); figures are inline SVG whose text is drawn as paths, each with its description
in words for a screen reader. Every text goes through `inert`.
"""

from __future__ import annotations

import re

from estate.render.figures import svg
from estate.render.html import document, inert, marked_names, static_text
from estate.render.report_data import Block, Chart, Page, Table, Text
from estate.store.board_pack import HTML_MARK

# a date or a budget year reads as one word: a line never breaks at its hyphens
WHOLE = re.compile(r"\d{4}-\d{2}(-\d{2})?")


def _text(text: str) -> str:
    """Text of the pack's as HTML: inert, each name it marks (`figures.named`) in a <bdi>."""
    return marked_names(inert(text))


def _cell(text: str) -> str:
    shown = _text(text)
    return f'<span class="whole">{shown}</span>' if WHOLE.fullmatch(text.strip()) else shown


def _table(table: Table, notes: tuple[str, ...] = ()) -> str:
    """The table in its box, the notes that explain it (the notes right after it in the
    pack) as its last rows: a row each, across every column, in the body's last rows.

    Chromium prints a note after a table's end on the next sheet whenever the table ends
    at a sheet's foot, whatever `break-before` asks, once the table has been broken over
    sheets; between two rows of one body it keeps the break it is asked to avoid, moving
    the table's last row over with its notes (report.css).

    A screen reader would read those rows as cells of the table, so they are hidden from
    it (`aria-hidden`) and the same notes follow the table as paragraphs that only it
    reads: drawn nowhere and not printed (report.css, `.screen-reader-notes`)."""
    def cls(j: int) -> str:
        return ' class="n"' if table.numeric[j] else ""

    head = "".join(f'<th scope="col"{cls(j)}>{_text(h)}</th>'
                   for j, h in enumerate(table.header))
    rows = []
    for i, row in enumerate(table.rows):
        kind = [k for k, on in (("worse", i in table.marked),
                                ("total", table.total and i == len(table.rows) - 1)) if on]
        attr = f' class="{" ".join(kind)}"' if kind else ""
        cells = "".join((f'<th scope="row">{_cell(c)}</th>' if j == 0 else
                         f"<td{cls(j)}>{_cell(c)}</td>") for j, c in enumerate(row))
        rows.append(f"<tr{attr}>{cells}</tr>")
    # a note's text is a block the width of the table's box, kept at its left edge while
    # a table wider than the box scrolls (report.css), so it reads without scrolling
    rows += [f'<tr class="note" aria-hidden="true"><td colspan="{len(table.header)}"><span>'
             f"{_text(note)}</span></td></tr>" for note in notes]
    read = "".join(f"<p>{_text(note)}</p>" for note in notes)
    # a table wider than the page scrolls inside its own box, which a keyboard can reach
    # and a screen reader names, rather than run off the page or break words to fit
    return (f'<div class="table-box" role="region" tabindex="0" '
            f'aria-label="{inert(table.caption)}">'
            f"<table><caption>{_text(table.caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
            + (f'<div class="screen-reader-notes">{read}</div>' if read else "") + "</div>")


def _chart(chart: Chart) -> str:
    drawing = svg(chart.figure, chart.name)
    drawing = drawing.replace("<svg ", f'<svg role="img" aria-label="{inert(chart.alt)}" ', 1)
    # on a screen narrower than a chart can be read at (a phone), it keeps its size and
    # scrolls sideways in its own box, as a wide table does, rather than shrink its words
    # to a few pixels; printed, it fits the sheet (report.css)
    caption = f"{inert(chart.name)}-caption"
    return (f'<figure><div class="figure-box" role="region" tabindex="0" '
            f'aria-labelledby="{caption}">{drawing}</div>'
            f'<figcaption id="{caption}">{inert(chart.alt)}</figcaption></figure>')


def _notes_after(blocks: tuple[Block, ...], k: int) -> tuple[str, ...]:
    """The texts of the notes right after block `k`, up to the first other block."""
    notes: list[str] = []
    for block in blocks[k + 1:]:
        if not (isinstance(block, Text) and block.kind == "note"):
            break
        notes.append(block.text)
    return tuple(notes)


def _blocks(blocks: tuple[Block, ...]) -> str:
    parts: list[str] = []
    items: list[str] = []
    skip = 0  # notes already written as the last rows of the table before them
    for k, block in enumerate(blocks):
        if skip:
            skip -= 1
            continue
        if isinstance(block, Text) and block.kind == "item":
            items.append(f"<li>{_text(block.text)}</li>")
            continue
        if items:
            parts.append(f"<ul>{''.join(items)}</ul>")
            items = []
        if isinstance(block, Table):
            notes = _notes_after(blocks, k)
            skip = len(notes)
            parts.append(_table(block, notes))
        elif isinstance(block, Chart):
            parts.append(_chart(block))
        elif block.kind == "heading":
            parts.append(f"<h3>{_text(block.text)}</h3>")
        else:
            parts.append(f'<p class="{block.kind}">{_text(block.text)}</p>')
    if items:
        parts.append(f"<ul>{''.join(items)}</ul>")
    return "".join(parts)


def board_html(title: str, subtitle: str, pages: list[Page], drawn_from: str = "") -> str:
    """The pages as one HTML document, a section per page (a page break each in print);
    `drawn_from` is the mark of the results folder the pack is of
    (`estate.store.drawn_from.folder_mark`), which a pack written over it is told by."""
    sections = "".join(f'<section aria-labelledby="page-{i}"><h2 id="page-{i}">'
                       f"{inert(page.title)}</h2>{_blocks(page.blocks)}</section>"
                       for i, page in enumerate(pages, start=1))
    body = (f"<header><h1>{inert(title)}</h1><p class=\"subtitle\">{inert(subtitle)}</p>"
            f"</header><main>{sections}</main>")
    return document(inert(title), body, static_text("estate.render", "report.css"),
                    HTML_MARK + (f"\n{drawn_from}" if drawn_from else ""))
