"""The maps of a plan, `maps/<name>.html`, and of its alternatives,
`maps/<name>.alternative-<i>.html` beside it (`estate.runs.alternatives.alternative_map`
names them), told apart from files a user made by the title the map page writes: a new
plan of the scenario removes the maps of alternatives it does not have, so that none is
taken for one of its own, and `estate compare` draws again the map of a plan it makes
anew (`is_plan_map`), when the map was drawn from that plan's folder (`folder_mark`, in
the map's head, `estate.store.drawn_from`)."""

from __future__ import annotations

import re
from pathlib import Path

from estate.errors import Problem, ProblemKind
from estate.render.html import inert, isolated_text
from estate.render.terminal import shell_word
from estate.store.drawn_from import MAP_TITLE, drawn_from, folder_digest, replaces_another

#: How far into a map its <title> is looked for (it is in the head, near the start).
_HEAD_BYTES = 65536


def remove_stale_alternative_maps(target: Path, name: str, indices: set[int]) -> list[Path]:
    """Remove the maps beside `target` (the plan's map) of the alternatives of the
    scenario `name` other than `indices`, those the new plan has (whose maps are
    redrawn); the paths removed. Only a file named as estate names one
    (`<stem>.alternative-<i><suffix>`) whose title is that of alternative <i> of this
    scenario is removed: a file the user made, a link, or the map of another scenario
    whose name merely looks like one (a scenario named `X.alternative-2`) is left."""
    removed = []
    for index, path in alternative_maps_beside(target):
        if index in indices or path.is_symlink() or not path.is_file():
            continue
        try:
            if _titled(path, name, f" (alternative {index})"):
                path.unlink()
                removed.append(path)
        except OSError:
            continue  # not removable: left as it is
    return removed


def alternative_maps_beside(target: Path) -> list[tuple[int, Path]]:
    """(index, path) of each file beside `target` (the plan's map) named as the map of an
    alternative (`<stem>.alternative-<i><suffix>`), whatever it holds: what drawing the
    alternatives' maps may replace, found by listing the folder, not by trying each
    index a plan may ask for."""
    folder = Path(target).parent
    named = re.compile(re.escape(target.stem) + r"\.alternative-([1-9][0-9]*)"
                       + re.escape(target.suffix))
    try:
        listed = sorted(folder.iterdir()) if folder.is_dir() else []
    except OSError:  # a folder this user may not list: its write probe says so
        return []
    return [(int(found[1]), path) for path in listed if (found := named.fullmatch(path.name))]


def is_plan_map(path: Path, name: str) -> bool:
    """Whether `path` is a file (not a link) holding the map of a plan of the scenario
    `name`, as `estate plan` draws it (not an alternative's, nor a file a user made)."""
    return path.is_file() and not path.is_symlink() and _titled(path, name, "")


def map_warnings(map_path: Path, folder: Path, default: Path) -> list[Problem]:
    """What `estate plan` says of the maps beside a plan it is about to write into
    `folder`, drawing its map at `map_path`: that the map it replaces was another
    folder's (`estate.store.drawn_from.replaces_another`: a plan written elsewhere,
    `--out archive/base`, draws at `maps/<name>.html` unless told otherwise), or that the
    map at the scenario's own place (`default`, maps/<name>.html), drawn from this
    folder, will go on showing the plan it holds now, since this one is drawn elsewhere.
    Asked before planning, since the plan rewrites the folder and the map; each a warning
    at the map's path, whose sentence reads on from it ("maps/base.html" "was the map of
    ...")."""
    said = []
    if replaces_another(map_path, folder):
        said.append(_drawn_over(map_path, (
            f"was the map of another results folder; it now shows {folder}. Give --map FILE "
            "to draw a plan's map elsewhere; estate map FOLDER draws a results folder's map "
            "again at its own place (maps/<name>.html).")))
    if Path(map_path).resolve() != Path(default).resolve() \
            and drawn_from(default) == folder_digest(folder, default):
        said.append(_drawn_over(default, (
            f"still shows the plan {folder} held before this one (drawn at {map_path}); "
            f"estate map {shell_word(str(folder))} draws it again.")))
    return said


def _drawn_over(path: Path, sentence: str) -> Problem:
    return Problem(str(path), None, None, "a map of the plan this run writes", sentence,
                   severity="warning", sentence=sentence, kind=ProblemKind.DRAWN_OVER)


def _titled(path: Path, name: str, after: str) -> bool:
    """Whether the map at `path` has the title the map page writes (`page.render_map`)
    for the scenario `name` followed by `after`: its name isolated, or as maps drawn
    before names were isolated wrote it. A file that cannot be read has none."""
    titles = [f"<title>{inert(MAP_TITLE + text + after)}</title>"
              for text in (isolated_text(name), name)]
    try:
        with path.open("rb") as file:
            head = file.read(_HEAD_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return False
    return any(title in head for title in titles)
