"""The board pack's page (board.html) printed to PDF by headless Chromium: each note on
the sheet of the table's end, figure or note it follows, each heading on the sheet of
what it heads. The sheets are read back as text with pypdf.
"""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from estate.render.report import board_pages, title_of
from estate.render.report_data import Block, Page, Table, Text
from estate.render.report_html import board_html


def _flat(text: str) -> str:
    """Text without white space, ligatures as their letters: Chromium sets `fi` as one
    glyph and wraps lines wherever it likes."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _printed(page: Any, html: str, folder: Path, height_mm: int = 297) -> list[str]:
    """The text of each sheet of `html` printed on paper 210 mm wide."""
    path = folder / "board.html"
    path.write_text(html, encoding="utf-8")
    page.goto(path.as_uri())
    pdf = page.pdf(width="210mm", height=f"{height_mm}mm")
    return [_flat(sheet.extract_text()) for sheet in PdfReader(io.BytesIO(pdf)).pages]


def _sheet_of(sheets: list[str], text: str) -> int:
    return next(k for k, sheet in enumerate(sheets) if _flat(text) in sheet)


def _notes_after_tables(blocks: tuple[Block, ...]) -> list[tuple[str, str]]:
    """(the table's last row, note) for each note right after a table."""
    pairs, last = [], None
    for block in blocks:
        if isinstance(block, Table):
            last = "".join(block.rows[-1])
        elif isinstance(block, Text) and block.kind == "note" and last is not None:
            pairs.append((last, block.text[:50]))
        else:
            last = None
    return pairs


@pytest.mark.parametrize("height_mm", range(200, 300, 12))
def test_a_printed_pack_keeps_each_note_with_its_table_s_end(browser: Any, dated: Path,
                                                             tmp_path: Path,
                                                             height_mm: int) -> None:
    """A dated plan's pack (a note after its agency table and one after its cash table)
    printed on paper of many heights: each note is on the sheet of its table's last
    row, wherever the sheets break."""
    r, pages = board_pages(dated)
    pairs = [pair for page in pages for pair in _notes_after_tables(page.blocks)]
    assert len(pairs) >= 2
    page = browser.new_page()
    sheets = _printed(page, board_html(*title_of(r), pages), tmp_path, height_mm)
    page.close()
    for row, note in pairs:
        assert _sheet_of(sheets, note) == _sheet_of(sheets, row), (note, row)


def _long(rows: int) -> Table:
    return Table("Long list", ("Item", "Amount"),
                 tuple((f"Item r{i:03d}x", f"£{i}.00m") for i in range(rows)), (False, True),
                 (0.7, 0.3))


@pytest.mark.parametrize("rows", [6, 20, 60])
def test_printed_notes_stay_together_and_headings_with_what_they_head(browser: Any,
                                                                      tmp_path: Path,
                                                                      rows: int) -> None:
    """A table, two notes after it, then a heading and the paragraph it heads, with
    filler above them a paragraph at a time so that each gap passes a sheet's foot: the
    first note is on the sheet of the table's last row, the second on the first's, and
    the heading on its paragraph's. A table of 60 rows goes over two sheets and, with
    some filler, ends at the second's very foot: there Chromium printed notes that were
    paragraphs after the table on the next sheet, both or the second."""
    page = browser.new_page()
    faults = []
    last = "".join(_long(rows).rows[-1])
    for lines in range(36):
        blocks = (*(Text(f"Filler paragraph {k}.") for k in range(lines)), _long(rows),
                  Text("Note Zebra, the first.", "note"), Text("Note Yak, the second.", "note"),
                  Text("Heading Hippo", "heading"), Text("The paragraph Hippo heads."))
        sheets = _printed(page, board_html("T", "S", [Page("P", blocks)]), tmp_path)
        if _sheet_of(sheets, "Note Zebra") != _sheet_of(sheets, last):
            faults.append((lines, "first note"))
        if _sheet_of(sheets, "Note Yak") != _sheet_of(sheets, "Note Zebra"):
            faults.append((lines, "second note"))
        if _sheet_of(sheets, "Heading Hippo") != _sheet_of(sheets, "Hippo heads"):
            faults.append((lines, "heading"))
    page.close()
    assert faults == []


TABLE_PARTS = {"table", "rowgroup", "row", "cell", "gridcell", "rowheader", "columnheader"}
"""The roles of a table and of what is in it, in Chromium's accessibility tree."""


def _read(page: Any) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each text a screen reader reads on the page (the StaticText nodes Chromium's
    accessibility tree does not ignore), in reading order, with the role and name of
    each node it is in, outermost first."""
    cdp = page.context.new_cdp_session(page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    by_id = {n["nodeId"]: n for n in nodes}
    said: list[tuple[str, list[tuple[str, str]]]] = []
    todo: list[tuple[dict[str, Any], list[tuple[str, str]]]] = [(nodes[0], [])]
    while todo:
        node, within = todo.pop()
        role = node.get("role", {}).get("value", "")
        if not node.get("ignored") and role == "StaticText":
            said.append((" ".join(node["name"]["value"].split()), within))
        inner = [*within, (role, node.get("name", {}).get("value", ""))]
        todo += [(by_id[c], inner) for c in reversed(node.get("childIds", [])) if c in by_id]
    return said


def _notes_read_after_their_tables(page: Any, tables: list[tuple[str, list[str]]]) -> None:
    """Each table's notes (`tables`: its caption, its notes) are read once each, after
    every text of the table and within its box (the region named by its caption), and
    none of them inside the table."""
    said = _read(page)
    for caption, notes in tables:
        in_box = [(text, {role for role, _ in within}) for text, within in said
                  if ("region", caption) in within]
        table_ends = max(k for k, (_, roles) in enumerate(in_box) if roles & TABLE_PARTS)
        for note in notes:
            whole = " ".join(note.split())
            read = [k for k, (text, _) in enumerate(in_box) if text == whole]
            assert len(read) == 1 and read[0] > table_ends, (caption, note, in_box)
            assert all(text != whole for text, within in said
                       if {role for role, _ in within} & TABLE_PARTS), (caption, note)


def test_a_screen_reader_reads_a_table_s_notes_after_the_table(browser: Any, dated: Path,
                                                               tmp_path: Path) -> None:
    """The notes printed as a table's last rows are, to a screen reader, paragraphs after
    the table, not cells of it: on a page of one table and two notes, and in a dated
    plan's pack (its agency and cash tables' notes), read once each. On screen the notes
    under the table are the rows (the paragraphs take no room: the last note row ends
    where the table does)."""
    page = browser.new_page()
    path = tmp_path / "board.html"
    blocks = (_long(6), Text("Note Zebra, the first.", "note"),
              Text("Note Yak, the second.", "note"), Text("After the notes."))
    path.write_text(board_html("T", "S", [Page("P", blocks)]), encoding="utf-8")
    page.goto(path.as_uri())
    _notes_read_after_their_tables(page, [("Long list", ["Note Zebra, the first.",
                                                         "Note Yak, the second."])])
    shown = page.evaluate("""() => { const box = document.querySelector('.table-box');
      const r = e => e.getBoundingClientRect();
      return [r(box.querySelector('tr.note:last-child')).bottom, r(box.querySelector('table')).bottom,
              [...box.querySelectorAll('tr.note')].map(t => t.innerText.trim())]; }""")
    assert shown[0] == shown[1] and shown[2] == ["Note Zebra, the first.", "Note Yak, the second."]
    r, pages = board_pages(dated)
    tables = [(block.caption, notes) for p in pages
              for block, notes in _tables_and_notes(p.blocks) if notes]
    assert len(tables) >= 2
    path.write_text(board_html(*title_of(r), pages), encoding="utf-8")
    page.goto(path.as_uri())
    _notes_read_after_their_tables(page, tables)
    page.close()


def _tables_and_notes(blocks: tuple[Block, ...]) -> list[tuple[Table, list[str]]]:
    """Each table with the texts of the notes right after it."""
    found: list[tuple[Table, list[str]]] = []
    for k, block in enumerate(blocks):
        if isinstance(block, Table):
            notes = []
            for after in blocks[k + 1:]:
                if not (isinstance(after, Text) and after.kind == "note"):
                    break
                notes.append(after.text)
            found.append((block, notes))
    return found
