"""The mark of the results folder a page was drawn from (`estate.store.drawn_from`)."""

from __future__ import annotations

import os
from pathlib import Path

from estate.store.drawn_from import drawn_from, folder_mark, replaces_another


def test_a_page_marked_with_one_folder_is_told_from_another_s(tmp_path: Path) -> None:
    page = tmp_path / "reports" / "base.html"
    page.parent.mkdir()
    mark = folder_mark(tmp_path / "results" / "base", page)
    page.write_text(f"<html><head>{mark}<title>x</title></head></html>", encoding="utf-8")
    assert drawn_from(page) == mark
    assert not replaces_another(page, tmp_path / "results" / "base")
    assert replaces_another(page, tmp_path / "archive" / "base")
    assert str(tmp_path) not in mark  # the page does not tell where the folder lies


def test_the_mark_is_of_the_folder_as_seen_from_the_page_so_a_moved_project_keeps_it(
        tmp_path: Path) -> None:
    here = folder_mark(tmp_path / "a" / "results" / "base", tmp_path / "a" / "maps" / "m.html")
    there = folder_mark(tmp_path / "b" / "results" / "base",
                        tmp_path / "b" / "maps" / "m.html")
    assert here == there
    assert here != folder_mark(tmp_path / "a" / "results" / "other",
                               tmp_path / "a" / "maps" / "m.html")


def test_a_page_with_no_mark_a_folder_or_a_fifo_is_drawn_from_no_known_folder(
        tmp_path: Path) -> None:
    """A page written before pages were marked replaces nothing known; a FIFO is not
    opened, which would wait for a writer for ever."""
    old = tmp_path / "old.html"
    old.write_text("<html><head><title>x</title></head></html>", encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.html")
    for path in (old, tmp_path, tmp_path / "pipe.html", tmp_path / "missing.html"):
        assert drawn_from(path) is None
        assert not replaces_another(path, tmp_path / "results" / "base")
