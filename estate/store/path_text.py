"""A path given for an output, as text: whether the system can store a file there at
all, checked before any other check looks at the path (a link, a folder's
summary.json) and before anything is solved."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

from estate.errors import NAME_BYTES, name_too_long
from estate.load.free_text import LINE_BREAKS, has_hidden


def unusable(path: Path, option: str) -> tuple[str, str] | None:
    """(what was expected, what was found) when `path`, given by `option`, cannot hold a
    file: a name in it, or the path itself, longer than the system takes; or a line
    break, a tab or another control character in it, which the system may store but the
    plan's GeoPackage (SQLite) does not open (a newline pasted with a path), or a mark,
    embedding or isolate of direction, which would turn round the words printed after
    the path; or one in a folder this user may not open. None when it can."""
    if said := name_too_long(path.parts):
        return f"names of at most {NAME_BYTES} bytes", f"{said}; give {option} a shorter one"
    try:
        os.lstat(path)
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            return ("a path the system can use",
                    f"one too long for it ({len(str(path).encode())} bytes); give "
                    f"{option} a shorter one")
        if exc.errno == errno.EACCES:  # a folder above it this user may not open
            return ("a path this user may write to",
                    "one in a folder this user may not open (permission denied): give "
                    f"read and write permission on it (chmod u+rwx), or give {option} "
                    "another path")
    text = str(path)
    if has_hidden(text) or LINE_BREAKS.search(text) or _DIRECTION.search(text):
        return ("a path without line breaks, tabs, other control characters or direction "
                "marks",
                f"one holding {_controls(text)}: give {option} the path again, " + (
                    "typed on one line" if LINE_BREAKS.search(text) else "without them"))
    return None


_DIRECTION = re.compile("[\u061c\u200e\u200f\u202a-\u202c\u2066-\u2069]")
"""The marks, embeddings and isolates of direction: a path is printed amid estate's
words, which one left open would run right to left."""


def escaped(text: str) -> str:
    """A path on one line, its control characters as Python escapes them (`new\\nline`),
    as a problem names it."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _controls(text: str) -> str:
    """The control characters of a text, as Python escapes them: "\\n", "\\t and \\x1b"."""
    found = dict.fromkeys(repr(c)[1:-1] for c in text if not c.isprintable())
    return " and ".join(found) if len(found) <= 2 else ", ".join(found)


def mounted(path: Path) -> bool:
    """Whether `path` is a mount point: a volume's root (`os.path.ismount`), or a bind
    mount of a folder of the same disk, which only the system's table of mounts tells
    (Linux's /proc/self/mountinfo, its fifth field, with spaces written \\040)."""
    if os.path.ismount(path):
        return True
    try:
        table = Path("/proc/self/mountinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    real = os.path.realpath(path)
    points = {line.split(" ")[4] for line in table.splitlines() if line.count(" ") >= 4}
    return any(_unescaped(point) == real for point in points)


def _unescaped(point: str) -> str:
    """A mount point as mountinfo writes it, its octal escapes (\\040) read."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), point)
