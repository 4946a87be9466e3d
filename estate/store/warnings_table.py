"""warnings.csv: the warnings a plan was made with, kept in its results folder so that
what reads the folder alone (the board pack) can list them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from estate.errors import Problem, ProblemKind
from estate.load.free_text import one_line
from estate.results.booked_early import BOOKED_EARLY
from estate.shown_text import shown
from estate.store.check import Columns, read_table

WARNINGS_TABLE = Columns(("file", "column", "label", "expected", "found", "sentence",
                          "fid_column", "kind"), ("row",),
                         optional=("label", "sentence", "fid_column", "kind"))
"""warnings.csv: the warnings the plan was made with, one `Problem` a row (a blank row
or column: the warning is about a whole file or table; a blank fid_column: a row of a
CSV file or sheet, or the fid of a layer whose FID column is named `fid`); the header
alone when there were none, so a folder without the file is one written before estate
kept them."""


def warnings_table(warnings: list[Problem]) -> pd.DataFrame:
    """The plan's warnings as warnings.csv holds them (no rows when there were none),
    each text made fit to show (`shown`, `one_line`): a file's name, which no check
    refuses, may hold ESC or a direction override, and the file is read in Excel or on
    a terminal."""
    def fit(texts: list[str]) -> list[str]:
        return [one_line(shown(t)) for t in texts]

    return pd.DataFrame({
        "file": fit([w.file for w in warnings]),
        "row": pd.array([w.row for w in warnings], dtype="Int64"),
        "column": fit([w.column or "" for w in warnings]),
        "label": [w.label for w in warnings],
        "expected": fit([w.expected for w in warnings]),
        "found": fit([w.found for w in warnings]),
        "sentence": fit([w.sentence for w in warnings]),
        "fid_column": [w.fid_column or "" for w in warnings],
        "kind": [str(w.kind) for w in warnings]},
        columns=["file", "row", "column", "label", "expected", "found", "sentence",
                 "fid_column", "kind"])


def read_warnings(folder: Path) -> tuple[Problem, ...] | None:
    """The warnings the plan was made with (warnings.csv), or None for a folder written
    before estate kept them (no file: which warnings it was made with is not known); a
    damaged file is an `InputError` naming its row and column."""
    path = Path(folder) / "warnings.csv"
    if not path.exists():
        return None
    table = read_table(path, WARNINGS_TABLE)
    return tuple(Problem(str(w["file"]), None if pd.isna(w["row"]) else int(w["row"]),
                         str(w["column"]) or None, str(w["expected"]), str(w["found"]),
                         severity="warning", label=str(w["label"]) or "column",
                         sentence=str(w.get("sentence") or ""),
                         fid_column=str(w.get("fid_column") or ""),
                         kind=_kind(w))
                 for w in table.to_dict("records"))


def _kind(row: dict[str, object]) -> ProblemKind:
    """A warning's kind as its row gives it. A folder written before warnings.csv kept
    the column (or a hand-edited kind) is read by the words the two picked-out kinds
    were written with, so its board pack still names them."""
    try:
        return ProblemKind(str(row.get("kind") or ""))
    except ValueError:
        pass
    if row.get("expected") == BOOKED_EARLY:
        return ProblemKind.BOOKED_EARLY
    if row.get("column") == "lease_end" and " has ended by then" in str(row.get("found")):
        return ProblemKind.LEASE_ENDED
    return ProblemKind.OTHER
