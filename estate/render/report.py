"""The board pack: `board.pdf` and `board.html`, made from a results folder alone.

`write_report(folder, out)` reads the folder (`report_data`), writes what each page
says (`report_pages`, `report_optional`) and lays the same pages out twice: as an A4
PDF with reportlab and as a self-contained HTML page with no script. Both are drawn in
memory first and each file is then written whole, so a failure leaves any previous
pack as it was. No browser and no network: fonts are the DejaVu faces matplotlib ships,
figures are matplotlib's (PNG in the PDF, inline SVG in the page).

Register and scenario text is hostile until proven otherwise: in the PDF every text is
XML-escaped before reportlab's Paragraph reads its markup (`paragraph`), in the HTML it goes
through `inert`; the pages themselves hold no markup at all.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as Grid

from estate.load.free_text import one_line
from estate.render.drawn_order import any_right_to_left, words
from estate.render.figures import png
from estate.render.report_agencies import agencies_page
from estate.render.report_comparison import comparison_page, has_dated
from estate.render.report_data import (
    Block,
    Chart,
    Page,
    Results,
    Table,
    Text,
    check_compared,
    read_comparison,
    read_results,
)
from estate.render.report_html import board_html
from estate.render.report_long import (
    BOTTOM_MARGIN,
    FRAME,
    SHEET,
    TOP_MARGIN,
    LongTable,
    Measured,
)
from estate.render.report_optional import programme_page
from estate.render.report_pages import decision_page, where_page
from estate.render.report_reference import assumptions_page, terms_page
from estate.render.report_type import (
    ACCENT,
    INK,
    LOSS,
    MUTED,
    RULE,
    SHADE,
    drawable,
    paragraph,
    paragraph_styles,
)
from estate.shown_text import shown
from estate.store.board_pack import GENERATOR
from estate.store.drawn_from import folder_mark, pdf_keywords
from estate.store.file_set import text_file, write_files


def _grid(table: Table, styles: dict[str, ParagraphStyle], rows: range | None = None,
          widths: list[float] | None = None) -> Grid:
    """A table as a finance paper sets one: ruled rows, numbers right-aligned, a shaded
    header repeated on each page, losers tinted, the total in bold above a rule. `rows`:
    the rows to draw (all by default), under the header, as one part of a long table;
    `widths`: its `column_widths`, when the caller has them."""
    widths = widths or column_widths(table, styles)

    def cell(text: str, column: int, head: bool = False) -> Paragraph:
        number = table.numeric[column]
        name = ("headnumber" if number else "head") if head else ("number" if number else "cell")
        return _cell(text, styles[name], widths[column] - PADDING)

    rows = range(len(table.rows)) if rows is None else rows
    last = len(table.rows) - 1
    data = [[cell(h, j, True) for j, h in enumerate(table.header)]]
    data += [[cell(c, j, table.total and i == last) for j, c in enumerate(table.rows[i])]
             for i in rows]
    grid = Grid(data, colWidths=widths, repeatRows=1)
    style = [("BACKGROUND", (0, 0), (-1, 0), SHADE), ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
             ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)]
    style += [("BACKGROUND", (0, k + 1), (-1, k + 1), LOSS) for k, i in enumerate(rows)
              if i in table.marked]
    if table.total and last in rows:
        style.append(("LINEABOVE", (0, -1), (-1, -1), 0.8, INK))
    grid.setStyle(TableStyle(style))
    return grid


PADDING = 12.0
"""A cell's left and right padding together (reportlab's default, 6 points a side)."""


def _cell(text: str, style: ParagraphStyle, room: float) -> Paragraph:
    """A table's cell: as `paragraph`, unless a right-to-left name in it is wider than the
    column's `room` (points). Drawn in the order it is seen, such a name is one word
    (`drawn_order`), which reportlab would break where it runs out of room, its start
    then below its end; so its text is broken into lines here, in the order it is read,
    at the spaces that keep each line within the room, and each line is put in the
    order it is seen on its own."""
    if _longest(text, style) <= room or not any_right_to_left(text):
        return paragraph(text, style)
    lines: list[str] = []
    for word in text.split(" "):
        joined = f"{lines[-1]} {word}" if lines else word
        if lines and _width(joined, style) <= room:
            lines[-1] = joined
        else:
            lines.append(word)
    return Paragraph("<br/>".join(escape(drawable(line)) for line in lines), style)


def _width(text: str, style: ParagraphStyle) -> float:
    return pdfmetrics.stringWidth(drawable(text), style.fontName, style.fontSize)


def _longest(text: str, style: ParagraphStyle) -> float:
    """The width of the longest word of `text` (a figure such as £100.97m is one word):
    reportlab wraps a cell's text at spaces and breaks a word only when it cannot fit."""
    return max((pdfmetrics.stringWidth(word, style.fontName, style.fontSize)
                for word in words(drawable(text))), default=0.0)


def column_widths(table: Table, styles: dict[str, ParagraphStyle]) -> list[float]:
    """Each column's width in points: the table's shares of the frame, except that no
    word or figure is broken. A column too narrow for its
    widest number or word is widened to it, and what that takes comes from the columns
    with room to spare, in proportion to their room; when the frame cannot hold every
    column's need, the shares stand (reportlab then breaks the longest words)."""
    total = sum(table.widths)
    shares = [FRAME * w / total for w in table.widths]
    last = len(table.rows) - 1
    need = [max([_longest(head, styles["head"])]
                + [_longest(row[j], styles["head" if table.total and i == last else "cell"])
                   for i, row in enumerate(table.rows)]) + PADDING + 0.5
            for j, head in enumerate(table.header)]
    short = sum(max(0.0, n - w) for n, w in zip(need, shares, strict=True))
    room = [max(0.0, w - n) for n, w in zip(need, shares, strict=True)]
    if short <= 0 or short > sum(room):
        return shares
    return [max(w, n) - (short * r / sum(room)) for n, w, r in zip(need, shares, room,
                                                                 strict=True)]


def _chart(chart: Chart) -> Image:
    width, height = chart.figure.get_size_inches()
    scale = min(FRAME / (width * 72), 1.0)
    return Image(io.BytesIO(png(chart.figure)), width=width * 72 * scale,
                 height=height * 72 * scale)


def _lead(text: Text, styles: dict[str, ParagraphStyle]) -> Flowable:
    """The decision, set apart: a shaded box with a rule down its left side."""
    box = Grid([[paragraph(text.text, styles["lead"])]], colWidths=[FRAME])
    box.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), SHADE),
                             ("LINEBEFORE", (0, 0), (0, -1), 3, ACCENT),
                             ("LEFTPADDING", (0, 0), (-1, -1), 10),
                             ("TOPPADDING", (0, 0), (-1, -1), 8),
                             ("BOTTOMPADDING", (0, 0), (-1, -1), 9)]))
    return box


SHORT_TABLE = 14
"""Rows of a table never split over two pages."""
START_OF_TABLE = 3 * cm
"""Room a long table needs to start on a sheet: its caption, header and first rows."""
FRESH_UNLESS = 0.8
"""A page that starts a sheet of its own follows the last page's lines on theirs when
they leave more than this share of it free."""


def _splits(block: Block) -> bool:
    return isinstance(block, Table) and len(block.rows) > SHORT_TABLE


def _flowables(block: Block, styles: dict[str, ParagraphStyle], kept: bool = False,
               notes: tuple[Block, ...] = ()) -> list[Flowable]:
    """`kept`: the caller keeps these together already (a KeepTogether inside another
    sends reportlab to the next sheet even when the whole would fit). `notes`: the notes
    after a long table, to go on with its last rows (`LongTable`)."""
    if isinstance(block, Chart):
        return [_chart(block), Spacer(1, 4)]
    if isinstance(block, Table):
        if _splits(block):
            after = [Spacer(1, 6), *(f for note in notes for f in _flowables(note, styles))]
            widths = column_widths(block, styles)
            measured = Measured.of(functools.partial(_grid, block, styles, widths=widths),
                                   len(block.rows))
            caption = [paragraph(block.caption, styles["long caption"])]
            return [LongTable(measured, 0, caption, after if notes else []),
                    *([] if notes else after)]
        grid = _grid(block, styles)
        caption = paragraph(block.caption, styles["caption"])
        return [*([caption, grid] if kept else [KeepTogether([caption, grid])]),
                Spacer(1, 6)]
    if block.kind == "lead":
        return [_lead(block, styles), Spacer(1, 10)]
    if block.kind == "item":
        return [paragraph(block.text, styles["item"], bullet="\u2022")]
    return [paragraph(block.text, styles.get(block.kind, styles["body"]))]


def _holds_notes(block: Block) -> bool:
    """A block the notes after it stay with: a table or a figure."""
    return isinstance(block, (Chart, Table))


def _is_note(block: Block) -> bool:
    return isinstance(block, Text) and block.kind == "note"


def _runs(blocks: tuple[Block, ...]) -> list[tuple[Block, ...]]:
    """The blocks in runs: a table or a figure with the notes right after it (its small
    print, never left alone at the top of the next sheet), every other block on its own.
    A sheet keeps a run whole, but for a long table, whose last rows go with its notes."""
    runs: list[list[Block]] = []
    for block in blocks:
        if _is_note(block) and runs and _holds_notes(runs[-1][0]):
            runs[-1].append(block)
        else:
            runs.append([block])
    return [tuple(run) for run in runs]


def _run(run: tuple[Block, ...], styles: dict[str, ParagraphStyle],
         kept: bool = False) -> list[Flowable]:
    """A run's flowables (`_runs`), kept together unless `kept` says the caller does: a
    long table with its notes in the flowable that keeps them with its last rows."""
    if _splits(run[0]):
        return _flowables(run[0], styles, kept, notes=run[1:])
    if len(run) == 1:
        return _flowables(run[0], styles, kept)
    inner = [f for block in run for f in _flowables(block, styles, True)]
    return inner if kept else [KeepTogether(inner)]


MOST_TITLE = 200
"""Characters of the scenario's name in the pack's title (the Assumptions page has it
whole, up to `MOST_VALUE`)."""


def title_of(r: Results, prepared: dt.date | None = None) -> tuple[str, str]:
    """The pack's title and the line beneath it, which ends with the day the pack was
    `prepared`, as a board paper is dated."""
    s = r.summary
    name = s.scenario if len(s.scenario) <= MOST_TITLE else s.scenario[:MOST_TITLE - 1] + "\u2026"
    day = f" Prepared on {prepared.day} {prepared:%B %Y}." if prepared is not None else ""
    return (f"Board paper: {name}",
            f"The estate plan for decision, from the results folder {r.folder_named} "
            f"({s.horizon_years}-year horizon; money in today's pounds).{day}")


FOOTER_SIZE, FOOTER_GAP = 7.5, 12.0
"""The footer's type size, and the points kept clear between the paper's name and the
page number."""


def fitted(text: str, width: float, font: str, size: float) -> str:
    """`text` as it fits in `width` points drawn in `font` at `size`: whole when it fits,
    else cut where the longest start of it fits with "…" after it. Measured by the font,
    not counted: 110 capital Ws are twice as wide as 110 small ls."""
    def wide(start: str) -> float:
        return pdfmetrics.stringWidth(start, font, size)

    if wide(text) <= width:
        return text
    fits, over = 0, len(text)  # text[:fits] + "…" fits and text[:over] + "…" does not
    while over - fits > 1:
        middle = (fits + over) // 2
        if wide(text[:middle].rstrip() + "…") <= width:
            fits = middle
        else:
            over = middle
    return text[:fits].rstrip() + "…"


def board_pdf(r: Results, pages: list[Page], prepared: dt.date | None = None,
              keywords: str = "") -> bytes:
    """The pages as an A4 PDF: the title on page 1 (dated when `prepared` is given), a
    page break between pages, and a footer naming the paper on every page; `keywords`
    go in its document properties (the mark of the folder it is of, `pdf_keywords`)."""
    styles = paragraph_styles()
    title, subtitle = title_of(r, prepared)
    story: list[Flowable] = [paragraph(title, styles["title"]), paragraph(subtitle, styles["subtitle"])]
    for i, page in enumerate(pages):
        if i and page.fresh:
            # a new sheet, unless the last page's few lines spilled onto this one: a sheet
            # holding them alone would look blank
            story.append(CondPageBreak(FRESH_UNLESS * SHEET))
        elif i:
            story.append(Spacer(1, 14))
        # A page keeps its title, its opening sentence and what that opens together, not
        # the title and sentence at the foot of a sheet and the table overleaf: a short
        # table goes over with them when it does not fit, a long one starts under them
        # and splits. So does a fresh page, which may follow a few spilt lines.
        opening = 2 if page.blocks and isinstance(page.blocks[0], Text) else 1
        opening = min(opening, len(page.blocks))
        start = max(opening - 1, 0)  # what the opening opens, and its notes, in one run
        runs = [*((block,) for block in page.blocks[:start]), *_runs(page.blocks[start:])]
        head = [paragraph(page.title, styles["page"]), *(
            f for run in runs[:opening] for f in _run(run, styles, True))]
        if opening and _splits(runs[opening - 1][0]):  # its start, then it splits
            story += [CondPageBreak(START_OF_TABLE + 2.5 * cm), *head]
        else:
            story.append(KeepTogether(head))
        for run in runs[opening:]:
            story += _run(run, styles)
    footer = one_line(drawable(title))

    def decorate(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        if prepared is not None:  # the properties' dates: the day it was prepared, fixed
            canvas.setDateFormatter(lambda *_: f"D:{prepared:%Y%m%d}000000+00'00'")
        number, font = f"Page {doc.page}", styles["note"].fontName
        room = FRAME - pdfmetrics.stringWidth(number, font, FOOTER_SIZE) - FOOTER_GAP
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.line(1.8 * cm, 1.45 * cm, A4[0] - 1.8 * cm, 1.45 * cm)
        canvas.setFont(font, FOOTER_SIZE)
        canvas.setFillColor(MUTED)
        canvas.drawString(1.8 * cm, 1.05 * cm, fitted(footer, room, font, FOOTER_SIZE))
        canvas.drawRightString(A4[0] - 1.8 * cm, 1.05 * cm, number)
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=1.8 * cm, rightMargin=1.8 * cm,
                            topMargin=TOP_MARGIN, bottomMargin=BOTTOM_MARGIN,
                            # the file's properties hold text as typed, not as drawn: a
                            # viewer's title bar lays out a right-to-left name itself
                            title=one_line(shown(title)),
                            author="estate", subject="Estate plan for decision",
                            creator=GENERATOR, keywords=keywords, invariant=True)
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def board_pages(folder: str | Path, compare: str | Path | None = None
                ) -> tuple[Results, list[Page]]:
    """The folder as read, and the pages of its pack, in the order a board reads them:
    the decision, where, who gains, when (with a programme), the scenarios side by side
    (with `compare`), the terms used, and the assumptions last."""
    r = read_results(folder)
    comparison = None
    if compare is not None:  # refused, before any page is drawn, unless it holds this plan
        comparison = read_comparison(compare)
        check_compared(comparison, r, compare)
    pages = [decision_page(r), where_page(r), agencies_page(r)]
    programme = programme_page(r)
    if programme is not None:
        pages.append(programme)
    if comparison is not None:
        pages.append(comparison_page(comparison, r))
    # the dated programme's words, when the comparison sets a dated plan beside this one
    dated = comparison is not None and has_dated(comparison)
    pages += [terms_page(r, compared_dated=dated), assumptions_page(r)]
    return r, pages


def write_report(folder: str | Path, out: str | Path, html: str | Path | None = None,
                 compare: str | Path | None = None, prepared: dt.date | None = None
                 ) -> tuple[Path, Path]:
    """Write the board pack of the results `folder` as `out` (PDF) and `html` (default:
    `out` with .html, marked with the folder it is of), each dated `prepared`; both are
    made before either is written, and written as a set (`write_files`): never one of
    this plan beside one of another. Returns their paths."""
    out = Path(out)
    html_path = Path(html) if html is not None else out.with_suffix(".html")
    r, pages = board_pages(folder, compare)
    pdf = board_pdf(r, pages, prepared, pdf_keywords(Path(folder), out))
    page = board_html(*title_of(r, prepared), pages, folder_mark(Path(folder), html_path))
    write_files({out: lambda temp: temp.write_bytes(pdf), html_path: text_file(page)})
    return out, html_path
