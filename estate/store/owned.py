"""Which existing file an output may replace: estate replaces its own files of the
kind it writes (a board pack, a map, an LP file), and refuses any other, where the
user's own may be (`estate.store.paths` checks each output by it before solving)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from estate.store.board_pack import is_board_pack
from estate.store.drawn_from import is_map

#: Which existing file an output may replace: any regular file, only a board pack estate
#: wrote (the pack's own PDF and page), only a map estate drew, or only an LP file.
Replaces = Literal["any file", "a board pack", "a map", "an LP file"]
_LP_START = b"\\*"  # PuLP opens an LP file with its name in a comment: `\* name *\`
_FIRST_LINE = 4096  # bytes: as far as an LP file's first line is looked at


def kept_file(real: Path, replaces: Replaces, option: str) -> tuple[str, str] | None:
    """(what was expected, what was found) when the existing file `real` is not one an
    output of `option` that `replaces` such files may replace, else None. An empty file
    loses nothing, and any output may replace one."""
    if _empty(real):
        return None
    if replaces == "a board pack" and not is_board_pack(real):
        return ("a new file, or a board pack estate wrote (it replaces only its own)",
                "a file estate did not write as a board pack (a map, or a file of yours?), "
                f"which would be lost: give {option} another path, or move the file "
                "away (a pack from an older estate has no mark: delete it)")
    if replaces == "a map" and not is_map(real):
        return ("a new file, or a map estate drew (it replaces only its own)",
                ("a board pack estate wrote" if is_board_pack(real) else
                 "a file estate did not draw as a map (a comparison's page, or a file of "
                 "yours?)") + f", which would be lost: give {option} another path, "
                "or move the file away")
    if replaces == "an LP file" and not _is_lp_file(real):
        return ("a new file, or an LP file estate wrote",
                "a file that is not an LP file estate wrote (a file of yours?), which would "
                f"be lost: give {option} another path, or move the file away")
    return None


def _empty(path: Path) -> bool:
    """Whether the file at `path` holds nothing, which replacing it cannot lose."""
    try:
        return path.stat().st_size == 0
    except OSError:
        return False


def _is_lp_file(path: Path) -> bool:
    """Whether `path` opens as PuLP writes an LP file, its name in a comment on the first
    line (`\\* estate *\\`), whatever its name ends with, as --write-lp takes any path
    (a file that cannot be read is not)."""
    try:
        with open(path, "rb") as file:
            first = file.readline(_FIRST_LINE).strip()
    except OSError:
        return False
    return first.startswith(_LP_START) and first.endswith(b"*\\")
