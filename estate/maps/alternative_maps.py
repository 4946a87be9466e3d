"""The maps of a plan's alternatives, `maps/<name>.alternative-<i>.html` beside its own
(`estate.runs.alternatives.alternative_map` names them): a new plan of the scenario
removes those of alternatives it does not have, so that none is taken for one of its
own."""

from __future__ import annotations

import re
from pathlib import Path

from estate.render.html import inert, isolated_text

#: How far into a map its <title> is looked for (it is in the head, near the start).
_HEAD_BYTES = 65536


def remove_stale_alternative_maps(target: Path, name: str, indices: set[int]) -> list[Path]:
    """Remove the maps beside `target` (the plan's map) of the alternatives of the
    scenario `name` other than `indices`, those the new plan has (whose maps are
    redrawn); the paths removed. Only a file named as estate names one
    (`<stem>.alternative-<i><suffix>`) whose title is that of alternative <i> of this
    scenario is removed: a file the user made, a link, or the map of another scenario
    whose name merely looks like one (a scenario named `X.alternative-2`) is left."""
    folder = Path(target).parent
    if not folder.is_dir():
        return []
    named = re.compile(re.escape(target.stem) + r"\.alternative-([1-9][0-9]*)"
                       + re.escape(target.suffix))
    removed = []
    for path in sorted(folder.iterdir()):
        found = named.fullmatch(path.name)
        if found is None or int(found[1]) in indices or path.is_symlink() \
                or not path.is_file():
            continue
        # the title the map page writes (`page.render_map`), its name isolated, or as
        # maps drawn before names were isolated wrote it
        titles = [f"<title>{inert(f'Estate plan: {text} (alternative {found[1]})')}</title>"
                  for text in (isolated_text(name), name)]
        try:
            with path.open("rb") as file:
                head = file.read(_HEAD_BYTES).decode("utf-8", errors="replace")
            if any(title in head for title in titles):
                path.unlink()
                removed.append(path)
        except OSError:
            continue  # not readable or not removable: left as it is
    return removed
