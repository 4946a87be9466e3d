"""How estate recognises a board pack it wrote, so that it replaces only its own.

`estate report` writes a PDF and an HTML page at paths a user picks or defaults to
(`--out` with .html), where a map, a spreadsheet or a paper of the user's may already
be. Each pack carries a mark, written by `estate.render` and read here by `is_board_pack`:
the page a `<meta name="generator">` in its head, the PDF its document information's
Creator. A pack from an estate that wrote no mark is not recognised, and so not
replaced (`estate.store.paths` says to move it away).
"""

from __future__ import annotations

import re
from pathlib import Path

GENERATOR = "estate board pack"
#: The mark in the page's `<head>`.
HTML_MARK = f'<meta name="generator" content="{GENERATOR}">'
#: The mark in the PDF's document information, as reportlab writes `creator=GENERATOR`.
_PDF_MARK = f"/Creator ({GENERATOR})".encode("ascii")
_HTML_FOUND = re.compile(re.escape(HTML_MARK.encode("ascii")))
_PDF_FOUND = re.compile(re.escape(_PDF_MARK))
_HEAD_BYTES = 4096  # the page's mark comes before its title, styles and body
_CHUNK = 1 << 20
_OVERLAP = 128  # longer than any mark: one that straddles two chunks is kept whole


def is_board_pack(path: Path) -> bool:
    """Whether the file at `path` is a board pack page or PDF that estate wrote (a file
    that cannot be read is not)."""
    return marked(path, _HTML_FOUND, _PDF_FOUND, _HEAD_BYTES) is not None


def marked(path: Path, page: re.Pattern[bytes], pdf: re.Pattern[bytes],
           head: int) -> re.Match[bytes] | None:
    """Where a mark estate writes is found in the file at `path`: `page` within the
    first `head` bytes of a page, `pdf` anywhere in a PDF, whose document information
    comes near its end, after the pages, so that a PDF is read through, a chunk at a
    time; None when it is not there, or the file cannot be read."""
    try:
        with open(path, "rb") as file:
            text = file.read(head)
            if not text.startswith(b"%PDF-"):
                return page.search(text)
            while not (found := pdf.search(text)):
                chunk = file.read(_CHUNK)
                if not chunk:
                    return None
                text = text[-_OVERLAP:] + chunk  # a mark across two chunks is found whole
            return found
    except OSError:
        return None
