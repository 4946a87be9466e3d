"""Right-to-left names where the text is set left to right (estate.render.drawn_order):
the board pack's PDF (reportlab) and its Gantt chart's labels (matplotlib).

The expected orders are worked out by hand from Unicode's rules, not by the libraries
the code uses: a Hebrew name (no shaping) is seen in the reverse of the order it is
stored, and an Arabic one is drawn in its joined forms (U+FE70-U+FEFF), the last letter
it stores leftmost. The PDF is read back as drawn: each string a text operator shows,
its codes turned to characters through its font's own ToUnicode map, in the order the
page draws them (left to right along the line), not through a text extractor, which
would reorder right-to-left text by its own guess.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from matplotlib._text_helpers import layout  # the glyphs' order as matplotlib draws them
from matplotlib.font_manager import findfont, get_font
from pypdf import PdfReader
from pypdf.generic import ContentStream

from estate.render import figures
from estate.render.report_data import Page, Table, Text, read_results
from tests.fixtures import write_results

HEBREW = "\u05d0\u05d1\u05d2 \u05d3\u05d4"  # alef bet gimel, space, dalet he
HEBREW_SEEN = "\u05d4\u05d3\xa0\u05d2\u05d1\u05d0"  # its letters reversed, held together
ARABIC = "\u0645\u0643\u062a\u0628 \u0627\u0644\u0634\u0645\u0627\u0644"  # "office of the north"
MEEM_INITIAL, LAM_ISOLATED = "\ufee3", "\ufedd"
"""The first letter stored (meem, joined to the next: its initial form) is drawn
rightmost; the last (lam, after an alef, which joins nothing after it: its isolated
form) leftmost."""


def test_a_marked_hebrew_name_is_drawn_reversed_and_its_figures_stay_after_it() -> None:
    from estate.render.drawn_order import left_to_right

    said = f"Close {figures.named(HEBREW)} (S2): 12 staff move."
    assert left_to_right(said) == f"Close {HEBREW_SEEN} (S2): 12 staff move."
    # a figure inside the name stays at its end as the name is read (its left)
    assert left_to_right(f"At {figures.named(HEBREW + ' 7')}, 3 left") == \
        f"At 7\xa0{HEBREW_SEEN}, 3 left"


def test_an_arabic_name_is_joined_and_drawn_from_its_last_letter() -> None:
    from estate.render.drawn_order import left_to_right

    seen = left_to_right(f"{figures.named(ARABIC)} (S1)")
    name, after = seen[:-len(" (S1)")], seen[-len(" (S1)"):]
    assert after == " (S1)"
    letters = name.replace("\xa0", "")
    assert len(letters) == len(ARABIC.replace(" ", ""))
    assert all("\ufe70" <= c <= "\ufeff" for c in letters), name
    assert name[0] == LAM_ISOLATED and name[-1] == MEEM_INITIAL


def test_text_with_no_right_to_left_letter_is_kept_but_for_the_marks() -> None:
    from estate.render.drawn_order import left_to_right, words

    said = f"Close {figures.named('12 High Street')} (S2), £1.2m a year"
    assert left_to_right(said) == "Close 12 High Street (S2), £1.2m a year"
    assert words(f"a  b\xa0c\n{HEBREW_SEEN}") == ["a", "b\xa0c", HEBREW_SEEN]


def _unicode_maps(page: object) -> dict[str, dict[int, str]]:
    """Each font of the page: its codes and the characters they are (its ToUnicode)."""
    maps = {}
    for key, font in page["/Resources"]["/Font"].items():  # type: ignore[index]
        font = font.get_object()
        if "/ToUnicode" not in font:
            continue
        data = font["/ToUnicode"].get_object().get_data().decode("latin-1")
        maps[key] = {int(code, 16): chr(int(char, 16)) for code, char in
                     re.findall(r"<([0-9A-Fa-f]{2})>\s*<([0-9A-Fa-f]{4})>", data)}
    return maps


def _drawn(pdf: bytes) -> list[str]:
    """Every string the PDF shows (Tj, TJ), as characters in the order drawn."""
    reader = PdfReader(io.BytesIO(pdf))
    shown = []
    for page in reader.pages:
        maps, font = _unicode_maps(page), None
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tf":
                font = maps.get(str(operands[0]))
            elif operator in (b"Tj", b"TJ") and font is not None:
                parts = operands[0] if operator == b"TJ" else [operands[0]]
                codes = b"".join(getattr(p, "original_bytes", b"") for p in parts
                                 if not isinstance(p, (int, float)))
                shown.append("".join(font.get(c, "?") for c in codes))
    return shown


def test_the_pdf_draws_right_to_left_names_as_they_are_seen(tmp_path: Path) -> None:
    """A sentence and a table's cell naming sites in Hebrew and Arabic: the PDF draws the
    Hebrew name's letters reversed, the Arabic one's joined, last letter first, and the
    Latin text and figures round each name where they come in the text."""
    from estate.render.report import board_pdf

    r = read_results(write_results(tmp_path / "plan", n_sites=6, n_zones=6, payloads=False))
    said = f"Sites of {figures.named(HEBREW)}: 12 closed."
    cell = f"{figures.named(ARABIC)} (S1)"
    table = Table("Sites", ("Site", "FTE"), ((cell, "12"),), (False, True), (3.0, 1.0))
    drawn = _drawn(board_pdf(r, [Page("Names", (Text(said), table))]))
    drawn = [s.replace("\xa0", " ") for s in drawn]  # a no-break space is drawn as a space
    assert f"Sites of {HEBREW_SEEN.replace(chr(0xA0), ' ')}: 12 closed." in drawn
    arabic = next(s for s in drawn if s.endswith(" (S1)") and not s.isascii())
    name = arabic.removesuffix(" (S1)")
    assert all("\ufe70" <= c <= "\ufeff" for c in name.replace(" ", "")), arabic
    assert name[0] == LAM_ISOLATED and name[-1] == MEEM_INITIAL
    assert not any("\u0600" <= c <= "\u06ff" for s in drawn for c in s)  # no Arabic unjoined


def test_the_pdf_s_title_property_holds_the_name_as_typed(tmp_path: Path) -> None:
    """A viewer's title bar lays a right-to-left name out itself: the file's Title held
    the Arabic as drawn (joined forms, last letter first), which it showed backwards and
    no search found (a review)."""
    import dataclasses

    from estate.render.report import board_pdf

    r = read_results(write_results(tmp_path / "plan", n_sites=6, n_zones=6, payloads=False))
    r = dataclasses.replace(r, summary=dataclasses.replace(r.summary, scenario=f"Plan {ARABIC}"))
    metadata = PdfReader(io.BytesIO(board_pdf(r, []))).metadata
    assert metadata is not None and metadata.title == f"Board paper: Plan {ARABIC}"


def test_the_gantt_chart_labels_a_hebrew_site_as_it_is_seen() -> None:
    """The board pack's Gantt chart labels a site named in Hebrew as it is seen: its
    letters from right to left, its id after it. matplotlib orders the name itself, so the
    label it is given must not be reversed already (it would be reversed twice)."""
    import pandas as pd

    from estate.results import Programme
    from estate.results.programme import ACTION_COLUMNS, CASHFLOW_COLUMNS
    from estate.results.programme_figures import BUDGET_COLUMNS

    actions = pd.DataFrame([{"year": 1, "date": "2027-04-01", "action": "close",
                             "site_id": "S1", "site_name": HEBREW, "function_id": "",
                             "agency_id": "", "fte": 0.0, "one_off": 0.0,
                             "annual_effect": 100.0}], columns=list(ACTION_COLUMNS))
    programme = Programme(actions=actions, cashflow=pd.DataFrame(columns=list(CASHFLOW_COLUMNS)),
                          budget=pd.DataFrame(columns=list(BUDGET_COLUMNS)),
                          start="2027-04-01", npv_cost=0.0, npv_saving=0.0, payback_year=None,
                          lasting_payback_year=None, method="roadmap")
    ax = figures.gantt(programme, 3).axes[0]
    [label] = [t for t in ax.get_yticklabels() if "S1" in t.get_text()]
    # handed over as stored, the name isolated: matplotlib lays it out itself; what it
    # draws, glyph by glyph from the left, is the Hebrew reversed and then its id
    assert label.get_text() == f"\u2068{HEBREW}\u2069 (S1)"
    font = get_font(findfont(label.get_fontproperties()))
    drawn = "".join(item.char for item in layout(label.get_text(), font))
    assert re.sub("[\u2066-\u2069]", "", drawn) == f"{HEBREW[::-1]} (S1)", drawn


@pytest.mark.parametrize("text", ["Plain", f"x {figures.named(HEBREW)} y"])
def test_the_marks_draw_nothing(text: str) -> None:
    from estate.render.drawn_order import left_to_right

    assert not re.search("[\u2066-\u2069]", left_to_right(text))


def test_a_right_to_left_name_wider_than_its_column_wraps_in_reading_order(
        tmp_path: Path) -> None:
    """Two Hebrew names of 14 words in a table's row, together wider than the sheet: the
    PDF draws the first over several lines, the first line holding its first words, each
    line's letters reversed on their own, so that read line by line, each from the
    right, it is the name as written, and its id after it. Before, the name was one word
    drawn in the order it is seen, which reportlab broke where the column ended: its
    start was drawn on the line below its end."""
    from estate.render.report import board_pdf

    r = read_results(write_results(tmp_path / "plan", n_sites=6, n_zones=6, payloads=False))
    name = " ".join(chr(0x5D0 + i) + chr(0x5D0 + i) + "\u05e9" for i in range(14))
    cell = f"{figures.named(name)} (S1)"
    other = f"{figures.named(name[::-1])} (S2)"
    table = Table("Sites", ("Site", "Other", "FTE"), ((cell, other, "12"),),
                  (False, False, True), (1.0, 1.0, 1.0))
    drawn = [s.replace("\xa0", " ") for s in _drawn(board_pdf(r, [Page("Names", (table,))]))]
    lines = [s for s in drawn if re.search("[\u05d0-\u05ea]", s)]
    lines = lines[:next(i for i, line in enumerate(lines) if line.endswith(" (S1)")) + 1]
    assert len(lines) >= 2, lines
    assert lines[-1].endswith(" (S1)")
    read = [line.removesuffix(" (S1)").strip()[::-1] for line in lines]
    assert " ".join(read) == name, read
