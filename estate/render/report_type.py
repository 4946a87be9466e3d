"""The board pack's type: its fonts, paragraph styles and colours, and text as the PDF
draws it (`drawable`), every text escaped before reportlab reads its markup
(`paragraph`). Laid out by `estate.render.report`."""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph

from estate.render.drawn_order import left_to_right
from estate.shown_text import shown

INK, MUTED, RULE = colors.HexColor("#1a1a1a"), colors.HexColor("#5a5a5a"), \
    colors.HexColor("#c8c8c8")
ACCENT, SHADE, LOSS = colors.HexColor("#0b4f80"), colors.HexColor("#eef2f6"), \
    colors.HexColor("#fde2dd")
_LINE_BREAK = re.compile("[\x0b\x0c\x85\u2028\u2029]")


def drawable(text: str) -> str:
    """Text as the PDF draws it: a hidden character (a control character, a direction
    override: `estate.shown_text`) replaced as on every page, line breaks but the
    newline as spaces, a right-to-left name in the order it is seen (Arabic joined:
    `drawn_order.left_to_right`), direction marks left out, and a character the fonts
    lack in its compatibility form when they have that (a full-width `＝` or `Ａ` pasted
    from an East Asian keyboard as `=` or `A`); one with no such form stays, drawn as
    the font's missing-glyph box."""
    # direction marks, embeddings and isolates, which reportlab would draw as
    # missing-glyph boxes, are left out by left_to_right
    text = left_to_right(_LINE_BREAK.sub(" ", shown(text)))
    glyphs = _glyphs()
    return "".join(_fold(c, glyphs) for c in text)


def _fold(character: str, glyphs: frozenset[int]) -> str:
    if ord(character) in glyphs:
        return character
    folded = unicodedata.normalize("NFKC", character)
    return folded if all(ord(c) in glyphs for c in folded) else character


@functools.cache
def _glyphs() -> frozenset[int]:
    """The characters both faces of the pack's font can draw."""
    regular, bold = fonts()
    return (frozenset(pdfmetrics.getFont(regular).face.charToGlyph)
            & frozenset(pdfmetrics.getFont(bold).face.charToGlyph))


def fonts() -> tuple[str, str]:
    """DejaVu Sans (regular, bold) from matplotlib's own fonts, registered once: a font
    with far more of Unicode than the PDF standard fonts, and no system font needed."""
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(folder / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(folder / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily("DejaVuSans", normal="DejaVuSans", bold="DejaVuSans-Bold",
                                      italic="DejaVuSans", boldItalic="DejaVuSans-Bold")
    return "DejaVuSans", "DejaVuSans-Bold"


def paragraph_styles() -> dict[str, ParagraphStyle]:
    regular, bold = fonts()
    base = ParagraphStyle("body", fontName=regular, fontSize=9, leading=12.5, textColor=INK,
                          spaceAfter=5)
    caption = ParagraphStyle("caption", base, fontName=bold, fontSize=9, spaceBefore=6,
                             spaceAfter=3, keepWithNext=1)
    return {
        "title": ParagraphStyle("title", base, fontName=bold, fontSize=18, leading=22,
                                textColor=ACCENT, spaceAfter=2),
        "subtitle": ParagraphStyle("subtitle", base, textColor=MUTED, spaceAfter=12),
        "page": ParagraphStyle("page", base, fontName=bold, fontSize=13.5, leading=17,
                               textColor=ACCENT, spaceBefore=2, spaceAfter=8, keepWithNext=1),
        "heading": ParagraphStyle("heading", base, fontName=bold, fontSize=10.5, leading=14,
                                  spaceBefore=8, spaceAfter=4, keepWithNext=1),
        "lead": ParagraphStyle("lead", base, fontSize=10, leading=14.2, spaceAfter=0),
        "body": base,
        "item": ParagraphStyle("item", base, leftIndent=12, bulletIndent=2, spaceAfter=3),
        "note": ParagraphStyle("note", base, fontSize=7.5, leading=10, textColor=MUTED),
        "caption": caption,
        # a long table's caption goes on with its first rows (`LongTable`), which say
        # where it starts: kept with its grid as well, the caption would move it whole
        "long caption": ParagraphStyle("long caption", caption, keepWithNext=0),
        "cell": ParagraphStyle("cell", base, fontSize=8, leading=10, spaceAfter=0),
        "number": ParagraphStyle("number", base, fontSize=8, leading=10, spaceAfter=0,
                                 alignment=TA_RIGHT),
        "head": ParagraphStyle("head", base, fontName=bold, fontSize=8, leading=10,
                               spaceAfter=0),
        "headnumber": ParagraphStyle("headnumber", base, fontName=bold, fontSize=8,
                                     leading=10, spaceAfter=0, alignment=TA_RIGHT),
    }


def paragraph(text: str, style: ParagraphStyle, bullet: str | None = None) -> Paragraph:
    """Text as a Paragraph that shows it literally: hidden characters are replaced,
    direction marks go, and `& < >` are escaped, so no register text is ever read as
    reportlab markup."""
    return Paragraph(escape(drawable(text)), style, bulletText=bullet)
