"""The default names of a scenario's outputs: `results/<name>/`, `maps/<name>.html`,
`reports/<name>.pdf`, each made from the scenario's name by `file_stem`."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

_STEM_BYTES = 160  # room for ".alternative-<i>.html" and the hidden siblings' tags (<= 255 bytes)


def file_stem(name: str) -> str:
    """A scenario name made safe as one file or folder name (no `/`, no leading dots, at
    most 160 bytes: a longer name is cut and ends with 12 hex digits of its SHA-256, so
    two names stay two files).

    Default outputs are `results/<name>/` and `maps/<name>.html`; a name is free text,
    so it must never reach outside those folders.
    """
    stem = re.sub(r'[\x00-\x1f/\\:*?"<>|]+', "_", name).strip().lstrip(".").strip()
    stem = stem or "scenario"
    if len(stem.encode()) <= _STEM_BYTES:
        return stem
    digest = hashlib.sha256(name.encode()).hexdigest()[:12]
    cut = stem.encode()[:_STEM_BYTES - 13].decode("utf-8", "ignore").rstrip()
    return f"{cut}-{digest}"


def default_results(name: str) -> Path:
    return Path("results") / file_stem(name)


def default_map(name: str) -> Path:
    return Path("maps") / f"{file_stem(name)}.html"


def default_report(name: str) -> Path:
    """The board pack of scenario `name` (`estate report` without --out): one file per
    scenario, as its map is, so reporting one plan after another keeps each pack."""
    return Path("reports") / f"{file_stem(name)}.pdf"
