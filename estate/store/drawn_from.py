"""Which results folder a page estate drew shows: a map (`maps/<name>.html`) and a board
pack (`reports/<name>.html`) are written, unless told otherwise, at a place named after
the scenario, which every results folder of that scenario shares (`results/<name>/` and
an archived copy, `--out archive/base`). Each page marks the folder it was drawn from in
its head (`folder_mark`), so that drawing one folder's page over another's is said
(`replaces_another`), and a new plan of a folder redraws its map."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

#: How far into a page its mark is looked for (it is in the head, near the start).
_HEAD_BYTES = 65536


def folder_mark(results_dir: Path, page: Path) -> str:
    """What a page says of the results folder it was drawn from, in its head: a digest of
    the folder's path from the page's own folder (`../results/<name>`), which a project
    moved or synced to another place keeps, and not the path itself, which would tell
    whoever opens the page where the folder lies on the planner's machine."""
    seen_from = os.path.relpath(Path(results_dir).resolve(), Path(page).resolve().parent)
    digest = hashlib.sha256(Path(seen_from).as_posix().encode("utf-8")).hexdigest()
    return f'<meta name="estate-results" content="{digest[:24]}">'


def drawn_from(path: Path) -> str | None:
    """The mark (`folder_mark`) of the results folder the page at `path` was drawn from;
    None for a page drawn before pages were marked, or a file that cannot be read. Only a
    regular file is opened: a FIFO at the path would wait for a writer for ever, before
    the outputs' checks refuse it."""
    try:
        if not path.is_file():
            return None
        with path.open("rb") as file:
            head = file.read(_HEAD_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None
    found = re.search(r'<meta name="estate-results" content="[0-9a-f]+">', head)
    return found[0] if found else None


def replaces_another(page: Path, results_dir: Path) -> bool:
    """Whether drawing the page of the results folder `results_dir` at `page` replaces a
    page drawn from another results folder. A page drawn before pages were marked is not
    known to."""
    mark = drawn_from(page)
    return mark is not None and mark != folder_mark(results_dir, page)
