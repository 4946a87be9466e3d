"""The mark of the results folder a page or PDF was drawn from (`estate.store.drawn_from`)."""

from __future__ import annotations

import os
from pathlib import Path

from estate.store.board_pack import HTML_MARK
from estate.store.drawn_from import (
    MAP_TITLE,
    drawn_from,
    folder_digest,
    folder_mark,
    is_map,
    pdf_keywords,
    replaces_another,
)


def test_a_page_marked_with_one_folder_is_told_from_another_s(tmp_path: Path) -> None:
    page = tmp_path / "reports" / "base.html"
    page.parent.mkdir()
    mark = folder_mark(tmp_path / "results" / "base", page)
    page.write_text(f"<html><head>{mark}<title>x</title></head></html>", encoding="utf-8")
    assert drawn_from(page) == folder_digest(tmp_path / "results" / "base", page)
    assert not replaces_another(page, tmp_path / "results" / "base")
    assert replaces_another(page, tmp_path / "archive" / "base")
    assert str(tmp_path) not in mark  # the page does not tell where the folder lies


def test_a_pdf_is_marked_in_its_keywords_found_past_its_pages(tmp_path: Path) -> None:
    """The document properties come after the pages: a mark 3 MB in, across the end of
    the first chunk read, is found."""
    pdf = tmp_path / "base.pdf"
    keywords = pdf_keywords(tmp_path / "results" / "base", pdf)
    pages = b"%PDF-1.4\n" + b"x" * ((1 << 20) + 65536 - 20)
    pdf.write_bytes(pages + f"<< /Keywords ({keywords}) >>\n%%EOF\n".encode("ascii"))
    assert drawn_from(pdf) == folder_digest(tmp_path / "results" / "base", pdf)
    assert replaces_another(pdf, tmp_path / "archive" / "base")
    assert not replaces_another(pdf, tmp_path / "results" / "base")


def test_the_mark_is_of_the_folder_as_seen_from_the_page_so_a_moved_project_keeps_it(
        tmp_path: Path) -> None:
    here = folder_digest(tmp_path / "a" / "results" / "base",
                         tmp_path / "a" / "maps" / "m.html")
    there = folder_digest(tmp_path / "b" / "results" / "base",
                          tmp_path / "b" / "maps" / "m.html")
    assert here == there
    assert here != folder_digest(tmp_path / "a" / "results" / "other",
                                 tmp_path / "a" / "maps" / "m.html")


def test_a_file_with_no_mark_a_folder_or_a_fifo_is_drawn_from_no_known_folder(
        tmp_path: Path) -> None:
    """A page or PDF written before files were marked replaces nothing known; a FIFO is
    not opened, which would wait for a writer for ever."""
    old = tmp_path / "old.html"
    old.write_text("<html><head><title>x</title></head></html>", encoding="utf-8")
    (tmp_path / "old.pdf").write_bytes(b"%PDF-1.4\n<< /Creator (estate board pack) >>\n")
    os.mkfifo(tmp_path / "pipe.html")
    for path in (old, tmp_path / "old.pdf", tmp_path, tmp_path / "pipe.html",
                 tmp_path / "missing.html"):
        assert drawn_from(path) is None
        assert not replaces_another(path, tmp_path / "results" / "base")


def test_a_map_is_known_by_its_title_in_its_head_alone(tmp_path: Path) -> None:
    """A map replaces only a map: one is known by its title near its start; a board
    pack's page, a PDF whose text holds the words, a title after the head, and a file
    that is not there are not maps."""
    title = f"<title>{MAP_TITLE}Base</title>"
    cases = {"map.html": f"<html><head>{title}</head></html>",
             "pack.html": f"<html><head>{HTML_MARK}{title}</head></html>",
             "paper.pdf": f"%PDF-1.4 ({title})",
             "late.html": "<html>" + " " * 70_000 + title + "</html>",
             "notes.html": "<html><head><title>Our notes</title></head></html>"}
    for name, text in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert {name for name in cases if is_map(tmp_path / name)} == {"map.html"}
    assert not is_map(tmp_path / "missing.html")
