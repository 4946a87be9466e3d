"""Which results folder a page or a PDF estate drew shows: a map (`maps/<name>.html`)
and a board pack (`reports/<name>.pdf` and `.html`) are written, unless told otherwise,
at a place named after the scenario, which every results folder of that scenario shares
(`results/<name>/` and an archived copy, `--out archive/base`). Each file marks the
folder it was drawn from (a page in its head, `folder_mark`; a PDF in its document
properties' keywords, `pdf_keywords`), so that drawing one folder's file over another's
is said (`replaces_another`), and a new plan of a folder redraws its map."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from estate.store.board_pack import is_board_pack, marked

#: How far into a page its mark is looked for (it is in the head, near the start).
_HEAD_BYTES = 65536
_PAGE_MARK = re.compile(rb'<meta name="estate-results" content="([0-9a-f]+)">')
_PDF_MARK = re.compile(rb"/Keywords \(estate-results ([0-9a-f]+)\)")
#: How a plan's map (and an alternative's) is titled, before the scenario's name.
MAP_TITLE = "Estate plan: "
_MAP_FOUND = re.compile(re.escape(f"<title>{MAP_TITLE}".encode("ascii")))


def folder_digest(results_dir: Path, drawn: Path) -> str:
    """What a file drawn at `drawn` says of the results folder it was drawn from: a
    digest of the folder's path from the file's own folder (`../results/<name>`), which a
    project moved or synced to another place keeps, and not the path itself, which would
    tell whoever opens the file where the folder lies on the planner's machine."""
    seen_from = os.path.relpath(Path(results_dir).resolve(), Path(drawn).resolve().parent)
    return hashlib.sha256(Path(seen_from).as_posix().encode("utf-8")).hexdigest()[:24]


def folder_mark(results_dir: Path, page: Path) -> str:
    """The `<meta>` of a page's head that marks the results folder it was drawn from."""
    return f'<meta name="estate-results" content="{folder_digest(results_dir, page)}">'


def pdf_keywords(results_dir: Path, pdf: Path) -> str:
    """The keywords of a PDF's document properties that mark the results folder it was
    drawn from."""
    return f"estate-results {folder_digest(results_dir, pdf)}"


def drawn_from(path: Path) -> str | None:
    """The digest (`folder_digest`) of the results folder the page or PDF at `path` was
    drawn from; None for a file drawn before files were marked, or one that cannot be
    read. Only a regular file is opened: a FIFO at the path would wait for a writer for
    ever, before the outputs' checks refuse it; a PDF is read through (`marked`)."""
    try:
        if not path.is_file():
            return None
    except OSError:  # a folder on the way this user may not enter
        return None
    found = marked(path, _PAGE_MARK, _PDF_MARK, _HEAD_BYTES)
    return found[1].decode("ascii") if found else None


def replaces_another(drawn: Path, results_dir: Path) -> bool:
    """Whether drawing the page or PDF of the results folder `results_dir` at `drawn`
    replaces one drawn from another results folder. One drawn before files were marked
    is not known to."""
    mark = drawn_from(drawn)
    return mark is not None and mark != folder_digest(results_dir, drawn)


def is_map(path: Path) -> bool:
    """Whether the file at `path` is the map of a plan (or of an alternative) that
    estate drew, by the title in its head, which every map has had: a map replaces only
    such a file, so that a page of the user's, a comparison's page or a board pack is
    not lost to it. A file that cannot be read, and a PDF, is not one."""
    try:
        with open(path, "rb") as file:
            head = file.read(_HEAD_BYTES)
    except OSError:
        return False
    return not head.startswith(b"%PDF-") and _MAP_FOUND.search(head) is not None \
        and not is_board_pack(path)
