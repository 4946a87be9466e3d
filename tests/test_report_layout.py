"""How the board pack's PDF (estate.render.report.board_pdf) lays blocks on its sheets:
a note after a table stays with it (after a short table, with the whole table; after a
long one, with its last rows), so no sheet holds a lone line of small print; the footer
fits beside the page number, whatever the paper's name; text a hand edit slipped in
shows no direction override.

Pages are made here in code, with filler above the table in steps small enough that, at
one of them, the table fits at a sheet's foot and its note would not.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth

from estate.render.report import FOOTER_GAP, board_pdf
from estate.render.report_data import Page, Results, Table, Text

TABLE = Table("Register files", ("File", "SHA-256"),
              tuple((f"file{i}.csv", "ab" * 32) for i in range(5)), (False, False), (0.3, 0.7))
NOTE = Text("Money is in pounds. Made by estate from the results folder Zebra alone.", "note")
SECOND_NOTE = Text("A second line of small print, about Yak.", "note")


def _pdf(pages: list[Page], scenario: str = "t") -> PdfReader:
    r = cast(Results, SimpleNamespace(summary=SimpleNamespace(scenario=scenario,
                                                              horizon_years=10),
                                      folder=Path("t"), folder_named="t"))
    return PdfReader(io.BytesIO(board_pdf(r, pages)))


def _sheets(pages: list[Page], scenario: str = "t") -> list[str]:
    """The text of each sheet of the pages' PDF."""
    return [sheet.extract_text() for sheet in _pdf(pages, scenario).pages]


def _filler(lines: int, notes: int) -> tuple[Text, ...]:
    return (*(Text(f"Filler paragraph {k}.") for k in range(lines)),
            *(Text(f"Small print {k}.", "note") for k in range(notes)))


@pytest.mark.parametrize("fresh", [True, False])
def test_a_note_after_a_short_table_is_on_the_table_s_sheet(fresh: bool) -> None:
    """The table's last row and each of its two notes share a sheet, wherever the table
    falls: on a page of its own (the notes after the table) or following on from the last
    (the table opening the page, its notes kept with it)."""
    for lines in range(25, 30):
        for notes in range(7):
            if fresh:
                pages = [Page("Assumptions", (*_filler(lines, notes), TABLE, NOTE,
                                               SECOND_NOTE))]
            else:
                pages = [Page("Filler", _filler(lines, notes)),
                         Page("Register", (TABLE, NOTE, SECOND_NOTE), fresh=False)]
            sheets = _sheets(pages)
            for mark in ("Zebra", "Yak"):  # each note on the sheet of the table's last row
                note = next(s for s in sheets if mark in s)
                assert "file4.csv" in note, (lines, notes, mark)


def test_a_fresh_page_follows_a_few_lines_spilt_onto_a_sheet() -> None:
    """A page's last few lines spilt onto a new sheet (the demo pack's page 2 held three
    lines and nothing else) are followed there by the next page, though it starts a sheet
    of its own; lines filling more of the sheet than `FRESH_UNLESS` leaves free are not."""
    def sheets(lines: int) -> list[str]:
        return _sheets([Page("Filler", _filler(lines, 0)),
                        Page("Second page", (Text("Its words."),))])
    one = next(n for n in range(30, 120) if len(_sheets([Page("Filler", _filler(n, 0))])) == 2)
    few = sheets(one + 2)
    assert "Filler paragraph" in few[1] and "Second page" in few[1], few
    many = sheets(one + 20)
    assert "Second page" not in many[1] and "Second page" in many[2], many
    # a fresh page whose table does not fit under those lines goes over with its title,
    # which is not left alone beneath them (review E)
    tall = Table("Tall table", ("A", "B"), tuple((f"row{i}", "word " * 120) for i in range(9)),
                 (False, False), (0.2, 0.8))
    kept = _sheets([Page("Filler", _filler(one + 2, 0)), Page("Second page", (tall,))])
    titled = next(s for s in kept if "Second page" in s)
    assert "row0" in titled, kept


def _long(rows: int, tall: bool = False) -> Table:
    """A table of `rows` rows, each named by its number (row r007x); `tall`: every
    seventh row's name wraps onto a second line."""
    wraps = " with a longer name that wraps onto a second line" * 2
    return Table("Long list", ("Item", "Amount"),
                 tuple((f"Item r{i:03d}x{wraps if tall and i % 7 == 3 else ''}", f"£{i}.00m")
                       for i in range(rows)), (False, True), (0.7, 0.3))


@pytest.mark.parametrize("fresh", [True, False])
@pytest.mark.parametrize("rows", [15, 16, 20, 26, 31, 37, 42, 47, 53, 60])
def test_a_long_table_has_three_rows_or_more_on_each_sheet_it_spans(rows: int,
                                                                    fresh: bool) -> None:
    """A table too long to keep whole splits over sheets, and every sheet it spans holds
    three of its rows or more: never the header over one row or two at a sheet's foot
    or top, nor its notes under one row or two. Its caption is on the sheet of its first
    rows, and its notes (none, one or two) on the sheet of its last; every row is drawn
    once. With filler above it two lines at a time (35 points, about two rows and a half),
    the table's start and end pass a sheet's foot at many heights; on a page of its own
    (after the filler) or opening a page that follows on from the last."""
    failed = []
    for step in range(22):
        lines, notes = 2 * step, (NOTE, SECOND_NOTE)[:step % 3]
        table = _long(rows, tall=step % 2 == 1)
        filler = tuple(Text(f"Filler paragraph {k}.") for k in range(lines))
        if fresh:
            pages = [Page("Assumptions", (*filler, table, *notes))]
        else:
            pages = [Page("Filler", filler), Page("Register", (table, *notes), fresh=False)]
        sheets = _sheets(pages)
        drawn = [re.findall(r"r\d{3}x", sheet) for sheet in sheets]
        assert sorted(r for sheet in drawn for r in sheet) == [f"r{i:03d}x"
                                                               for i in range(rows)]
        spans = [k for k, sheet in enumerate(drawn) if sheet]
        assert "Long list" in sheets[spans[0]]
        if any(len(drawn[k]) < 3 for k in spans):
            failed.append((lines, [len(drawn[k]) for k in spans]))
        for mark in ("Zebra", "Yak")[:len(notes)]:
            assert mark in sheets[spans[-1]], (lines, mark)
    assert failed == []


def _footers(scenario: str) -> list[tuple[str, float, str, float]]:
    """Each sheet's footer as drawn: the paper's name and where it starts, the page
    number and where it starts (points from the sheet's left edge)."""
    pages = [Page("Filler", _filler(40, 0)), Page("More", _filler(40, 0))]
    found = []
    for sheet in _pdf(pages, scenario).pages:
        drawn: list[tuple[str, float]] = []

        def visit(text: str, cm_: list[float], tm: list[float], font: object,
                  size: float, drawn: list[tuple[str, float]] = drawn) -> None:
            if size == 7.5 and abs(tm[5] - 1.05 * cm) < 0.5 and text.strip():
                drawn.append((text.strip(), tm[4]))

        sheet.extract_text(visitor_text=visit)
        (name, x_name), (number, x_number) = drawn
        found.append((name, x_name, number, x_number))
    return found


@pytest.mark.parametrize("scenario", [
    "W" * 150, "MOVE EVERY BACK-OFFICE TEAM WITHIN WALKING DISTANCE " * 3, "l" * 300,
    "Ipswich and Felixstowe shared back office", "Щ" * 80 + " 東京" * 20])
def test_the_footer_fits_beside_the_page_number(scenario: str) -> None:
    """The footer was once cut at 110 characters: 110 capitals ran over "Page N" and past
    the margin, and a name cut so had no ellipsis. Measured here as drawn: the name's
    width in the footer's font ends at least FOOTER_GAP points before the page number,
    which ends at the right margin; a name cut ends with "…" after a start of the title."""
    title = f"Board paper: {scenario}"
    footers = _footers(scenario)
    assert len(footers) >= 2
    for k, (name, x_name, number, x_number) in enumerate(footers, start=1):
        assert number == f"Page {k}"
        assert x_name == pytest.approx(1.8 * cm, abs=0.01)
        assert x_number + stringWidth(number, "DejaVuSans", 7.5) == pytest.approx(
            A4[0] - 1.8 * cm, abs=0.01)
        assert x_name + stringWidth(name, "DejaVuSans", 7.5) <= x_number - FOOTER_GAP + 1e-6
        if name != title:
            assert name.endswith("\u2026") and title.startswith(name[:-1].rstrip())
            # as long as it can be: one character more (past any spaces) would not fit
            more = len(name)
            while title[:more].rstrip() == name[:-1]:
                more += 1
            longer = title[:more].rstrip() + "\u2026"
            assert x_name + stringWidth(longer, "DejaVuSans", 7.5) > x_number - FOOTER_GAP
    short = "Ipswich and Felixstowe shared back office"
    assert footers[0][0] == title if scenario == short else True


def test_a_direction_override_in_a_name_is_shown_replaced_in_the_pdf() -> None:
    """A results folder edited by hand (a name such as `abc\u202etxt.exe`, which reads
    `abcexe.txt` where the override acts) is refused when read; the PDF shows any that
    reaches it as the replacement character, as the pages and the terminal do."""
    scenario = "abc\u202etxt.exe \x1b[31mred\x9b"
    text = "".join(_sheets([Page("Where", (Text(f"Site {scenario}"),))], scenario))
    assert "\u202e" not in text and "\x1b" not in text and "\x9b" not in text
    assert "Site abc\ufffdtxt.exe \ufffd[31mred\ufffd" in text
    name, *_ = _footers(scenario)[0]
    assert name == "Board paper: abc\ufffdtxt.exe \ufffd[31mred\ufffd"
