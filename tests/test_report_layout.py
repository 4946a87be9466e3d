"""How the board pack's PDF (estate.render.report.board_pdf) lays blocks on its sheets:
a note after a short table stays with it, so no sheet holds a lone line of small print.

Pages are made here in code, with filler above the table in steps small enough that, at
one of them, the table fits at a sheet's foot and its note would not.
"""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest
from pypdf import PdfReader

from estate.render.report import board_pdf
from estate.render.report_data import Page, Results, Table, Text

TABLE = Table("Register files", ("File", "SHA-256"),
              tuple((f"file{i}.csv", "ab" * 32) for i in range(5)), (False, False), (0.3, 0.7))
NOTE = Text("Money is in pounds. Made by estate from the results folder Zebra alone.", "note")
SECOND_NOTE = Text("A second line of small print, about Yak.", "note")


def _sheets(pages: list[Page]) -> list[str]:
    """The text of each sheet of the pages' PDF."""
    r = cast(Results, SimpleNamespace(summary=SimpleNamespace(scenario="t", horizon_years=10),
                                      folder=Path("t")))
    return [sheet.extract_text() for sheet in PdfReader(io.BytesIO(board_pdf(r, pages))).pages]


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
