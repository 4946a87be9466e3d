"""What in a results folder is the user's, and keeping it when the folder is replaced.

estate replaces a results folder whole, so it must know which names are its own
(`RESULTS_FILES`): anything else is the user's, a reason not to replace the folder
(`estate.store.folder.replaceable`), and, when saved there while a run was writing
the replacement, moved into the new folder rather than lost (`keep_added`, which
`estate.store.folder` calls as it swaps a new folder in and as it clears what a
killed run left).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from estate.errors import Problem, ProblemKind

#: Files whose presence makes a folder a results folder estate may replace whole.
RESULTS_MARKERS = ("summary.json", "outcome.json")
#: The file of a results folder naming the scenario file it was planned from, so that
#: another file of the same `name` does not replace its results unasked (written and
#: read by `estate.store`; `estate.store.paths.other_scenario` compares).
SCENARIO_FILE = "scenario_file.txt"
#: Every name estate writes in a results folder: a plan's files (`estate.store.
#: write_results`), a recorded failure's (`write_outcome`), the programme's page, and the
#: alternatives' folders (`alternatives/<i>/`, results folders of their own). A results
#: folder holding anything else is not replaced: that is the user's
#: (`estate.store.folder.replaceable`).
RESULTS_FILES = frozenset({
    *RESULTS_MARKERS, "sites.csv", "assignments.csv", "coverage.csv", "agencies.csv",
    "zones.csv", "programme.csv", "cashflow.csv", "plan.gpkg", "scenario.toml",
    SCENARIO_FILE, "inputs.sha256", "warnings.csv", "programme.html", "alternatives"})
#: What a file browser leaves in a folder it shows (Finder, Windows Explorer): nothing of
#: the user's, so lost with the folder unmissed.
BROWSER_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


def not_written_by_estate(folder: Path) -> list[str]:
    """What the results folder `folder` holds that estate did not write, as paths within
    it (`alternatives/2/notes.txt`), sorted; a file browser's own files left out. Raises
    OSError when a folder cannot be read."""
    added = []
    for path in sorted(Path(folder).iterdir()):
        if path.name in BROWSER_FILES:
            continue
        if path.name not in RESULTS_FILES or path.is_dir() != (path.name == "alternatives"):
            added.append(path.name)
        elif path.name == "alternatives":
            for alternative in sorted(path.iterdir()):
                if alternative.name in BROWSER_FILES:
                    continue
                if not alternative.name.isdigit() or not alternative.is_dir():
                    added.append(f"alternatives/{alternative.name}")
                else:
                    added += [f"alternatives/{alternative.name}/{name}"
                              for name in not_written_by_estate(alternative)]
    return added


@dataclass(frozen=True)
class KeptFile:
    """A file (or folder) the user put into a results folder while a run was writing its
    replacement, kept: `name` is its path within the folder (`alternatives/2/notes.txt`),
    `now` where it is. It keeps its name in the new folder unless the new results hold
    something of that name: then it sits beside it as `<stem> (kept)<suffix>`. They
    hold only names estate writes, so that happens to a file given a name estate gives
    a folder (a file `alternatives/2` where the new results have `alternatives/2/`), or,
    on a disk that ignores case, to another spelling of one (`Sites.csv`). `moved` is
    False when it could not be moved and is still in the old folder, set aside."""

    name: str
    now: Path
    moved: bool = True

    def warning(self, folder: Path) -> Problem:
        """The warning a run gives of it, `folder` being the results folder as the user
        gave or was told it."""
        where = Path(folder) / self.name
        if not self.moved:
            said = (f"{self.name}, added to {folder} while it was planned, could not be moved "
                    f"into the new results: it is in {self.now}; move it back by hand")
        elif self.now.name != where.name:
            renamed = Path(self.name).with_name(self.now.name).as_posix()
            said = (f"kept {self.name}, added to {folder} while it was planned, as "
                    f"{renamed!r}: the new results have their own {self.name!r}")
        else:
            said = f"kept {self.name}, added to {folder} while it was planned"
        return Problem(str(folder), None, None, "a results folder holding only what "
                       "estate writes", said, severity="warning", sentence=said,
                       kind=ProblemKind.KEPT_FILE)


def is_kept_file(problem: Problem) -> bool:
    """Whether a plan's warning is one of a file kept in its results folder
    (`KeptFile.warning`), as a run planning on another's behalf (`estate compare`) picks
    these out of a plan's warnings: by their kind, not their words."""
    return problem.kind is ProblemKind.KEPT_FILE


def keep_added(old: Path, new: Path) -> list[KeptFile]:
    """Move what the user added to the results folder `old` (`not_written_by_estate`)
    into `new`, under the same path within it, so that replacing a folder never loses
    a file someone saved there meanwhile. A name the new folder already has is not
    replaced: the old copy goes beside it as `<stem> (kept)<suffix>` (then `(kept 2)`,
    ...). Nothing is lost: what cannot be moved stays in `old` (`moved` False)."""
    try:
        added = not_written_by_estate(old)
    except OSError:
        return [KeptFile(".", old, moved=False)]
    kept = []
    for name in added:
        target = _free_name(new / name)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(old / name, target)
        except OSError:
            kept.append(KeptFile(name, old / name, moved=False))
            continue
        kept.append(KeptFile(name, target))
    return kept


def _free_name(path: Path) -> Path:
    """`path`, or the first of `<stem> (kept)<suffix>`, `<stem> (kept 2)<suffix>`, ...
    beside it that does not exist."""
    candidate, n = path, 1
    while os.path.lexists(candidate):
        tag = " (kept)" if n == 1 else f" (kept {n})"
        candidate = path.with_name(f"{path.stem}{tag}{path.suffix}")
        n += 1
    return candidate
