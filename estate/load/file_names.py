"""The default names of a scenario's outputs: `results/<name>/`, `maps/<name>.html`,
`reports/<name>.pdf`, each made from the scenario's name by `file_stem`.

A name is free text, so its stem must never reach outside those folders, and must be a
name every disk the folder may be copied to can hold as it is: Windows refuses the
names of its devices (`CON`, `NUL`, `COM1`, ..., with or without an extension, in any
case) and drops a dot or space at the end of a name, so that `Option B.` and
`Option B` are one folder there.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from estate.load.free_text import INVISIBLE

_STEM_BYTES = 160  # room for ".alternative-<i>.html" and the hidden siblings' tags (<= 255 bytes)

_NOT_IN_A_NAME = re.compile(r'[\x00-\x1f/\\:*?"<>|]+')
"""What no file name holds on Windows, macOS or Linux (a `/` would also reach into
another folder), each run of them written `_`."""

_ENDS = re.compile(r"^[\s.]+|[\s.]+$")
"""Dots and spaces at either end of a name, which no stem keeps."""

WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"{port}{n}" for port in ("com", "lpt") for n in (*"123456789", "¹", "²", "³")})
"""Names Windows keeps for its devices, in any case: `CON`, `con.txt` and `Com1.html`
open the device, not a file, and no folder of such a name can be made."""


def windows_device(stem: str) -> bool:
    """Whether Windows takes `stem` (or `stem.html`, `stem.pdf`) for a device: the part
    before its first dot, without spaces at its end, is one of `WINDOWS_DEVICES`."""
    return stem.split(".", 1)[0].rstrip(" ").casefold() in WINDOWS_DEVICES


def file_stem(name: str) -> str:
    """A scenario name made safe as one file or folder name: characters that show as
    nothing left out (the isolates and marks round right-to-left words, which a path
    printed amid estate's words may not hold), characters no file name
    holds as `_`, no dot at its start (a hidden file), no dot or space at its end (which
    Windows drops), `_` after a Windows device's name (`CON` is `CON_`, `nul.v2` is
    `nul_.v2`), and at most 160 bytes: a longer name is cut and ends with 12 hex digits
    of its SHA-256, so two names stay two files. Two names of one stem, or of stems that
    differ only in case, share a folder on Windows (`estate.runs.compare` refuses them).
    """
    stem = _ENDS.sub("", _NOT_IN_A_NAME.sub("_", INVISIBLE.sub("", name)))
    stem = stem or "scenario"
    if windows_device(stem):
        base, dot, rest = stem.partition(".")
        stem = f"{base.rstrip(' ')}_{dot}{rest}"
    if len(stem.encode()) <= _STEM_BYTES:
        return stem
    digest = hashlib.sha256(name.encode()).hexdigest()[:12]
    cut = _ENDS.sub("", stem.encode()[:_STEM_BYTES - 13].decode("utf-8", "ignore"))
    return f"{cut}-{digest}"


def default_results(name: str) -> Path:
    return Path("results") / file_stem(name)


def default_map(name: str) -> Path:
    return Path("maps") / f"{file_stem(name)}.html"


def default_report(name: str) -> Path:
    """The board pack of scenario `name` (`estate report` without --out): one file per
    scenario, as its map is, so reporting one plan after another keeps each pack."""
    return Path("reports") / f"{file_stem(name)}.pdf"
