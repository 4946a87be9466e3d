"""Where each compared scenario is stored, and what stops it being stored there: checked
for every scenario of a comparison before anything is solved.

Each scenario is stored in `results/<name>/` (`file_stem`). Two compared scenarios may
not share that folder: by one name; by names that differ only in case (Windows and
macOS take results/Base and results/base for one folder); or by names `file_stem` makes
one (`Option B.` is stored as `Option B`, as Windows would store it). Nor may a
scenario's folder hold another scenario's results or files estate did not write, since
planning it replaces the folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from estate.errors import Problem
from estate.load.scenario import Scenario
from estate.store.folder import replaceable
from estate.store.paths import other_scenario

COMPARED_ELSEWHERE = "give the scenario another `name` (each is stored in results/<name>/)"
"""How a compared scenario's results go elsewhere: its folder is named after it."""


class Stored(Protocol):
    """A compared scenario: its file, as read, and the folder its results go to."""

    @property
    def path(self) -> Path: ...
    @property
    def scenario(self) -> Scenario: ...
    @property
    def results_dir(self) -> Path: ...


def folder_problems(runs: Sequence[Stored]) -> list[list[Problem]]:
    """For each compared scenario, in order, what stops its results being stored in its
    folder: a folder an earlier scenario of the comparison is stored in too (in any case),
    and a folder that holds something planning it would lose."""
    folders: dict[str, Stored] = {}
    found = []
    for run in runs:
        problems = []
        first = folders.setdefault(run.results_dir.name.casefold(), run)
        if first is not run and first.results_dir == run.results_dir:
            problems.append(_shared(run, first))
        elif first is not run:
            problems.append(_shared_in_any_case(run, first))
        # the folder is replaced if the scenario is planned: refused now, not when reached
        why = replaceable(run.results_dir, COMPARED_ELSEWHERE)
        other = other_scenario(run.results_dir, run.scenario, option=None)
        if why is not None or other is not None:
            problems.append(Problem(str(run.results_dir), None, None,
                                    other[0] if other else "a results folder (or nothing "
                                    "yet)", other[1] if other else str(why)))
        found.append(problems)
    return found


def _shared(run: Stored, first: Stored) -> Problem:
    """`run` is stored in the very folder `first` is: by one name, or by names that
    differ (`file_stem`: `Option B.` is `Option B`, as Windows would store it)."""
    if Path(run.path).resolve() == Path(first.path).resolve():
        return Problem(str(run.path), None, None, "each scenario file once",
                       f"{first.path} given again, as {run.path}: list it once")
    theirs = "" if first.scenario.name == run.scenario.name else \
        f" ({first.scenario.name!r}: both are stored in one folder)"
    return Problem(str(run.path), None, "name", "a name no other compared "
                   "scenario has (each is stored in results/<name>/)",
                   f"{run.scenario.name!r}, stored in {run.results_dir} as "
                   f"{first.path} is{theirs}: give one of them another name", label="key")


def _shared_in_any_case(run: Stored, first: Stored) -> Problem:
    """`run`'s folder differs from `first`'s only in case: one folder on Windows and
    macOS."""
    return Problem(str(run.path), None, "name", "a name no other compared "
                   "scenario has, in any case (each is stored in "
                   "results/<name>/)", f"{run.scenario.name!r}, stored in "
                   f"{run.results_dir}, which Windows and macOS take for "
                   f"{first.results_dir}, where {first.scenario.name!r} "
                   f"({first.path}) is stored: give one of them another "
                   "name", label="key")
