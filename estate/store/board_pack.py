"""How estate recognises a board pack it wrote, so that it replaces only its own.

`estate report` writes a PDF and an HTML page at paths a user picks or defaults to
(`--out` with .html), where a map, a spreadsheet or a paper of the user's may already
be. Each pack carries a mark, written by `estate.render` and read here by `is_board_pack`:
the page a `<meta name="generator">` in its head, the PDF its document information's
Creator. A pack from an estate that wrote no mark is not recognised, and so not
replaced (`estate.store.paths` says to move it away).
"""

from __future__ import annotations

from pathlib import Path

GENERATOR = "estate board pack"
#: The mark in the page's `<head>`.
HTML_MARK = f'<meta name="generator" content="{GENERATOR}">'
#: The mark in the PDF's document information, as reportlab writes `creator=GENERATOR`.
_PDF_MARK = f"/Creator ({GENERATOR})".encode("ascii")
_HEAD_BYTES = 4096  # the page's mark comes before its title, styles and body
_CHUNK = 1 << 20


def is_board_pack(path: Path) -> bool:
    """Whether the file at `path` is a board pack page or PDF that estate wrote (a file
    that cannot be read is not). The PDF's document information comes near its end,
    after the pages, so a PDF is read through, a chunk at a time."""
    try:
        with open(path, "rb") as file:
            head = file.read(_HEAD_BYTES)
            if not head.startswith(b"%PDF-"):
                return HTML_MARK.encode("ascii") in head
            tail = head
            while True:
                if _PDF_MARK in tail:
                    return True
                chunk = file.read(_CHUNK)
                if not chunk:
                    return False
                # the mark may straddle two chunks: keep the end of the last
                tail = tail[-len(_PDF_MARK):] + chunk
    except OSError:
        return False
