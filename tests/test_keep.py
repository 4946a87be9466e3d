"""A kept file's warning (`estate.store.keep`): known by its kind, said as before."""

from __future__ import annotations

from pathlib import Path

from estate.errors import Problem, ProblemKind
from estate.store.keep import KeptFile, is_kept_file


def test_a_kept_file_s_warning_is_known_by_its_kind_and_says_the_same(tmp_path: Path) -> None:
    """Each of a kept file's three warnings (kept as it was named, kept beside the new
    results' own file of its name, not moved) is a kept file's, leaves `label` as any
    warning without a column has it, and reads word for word as written out here."""
    folder = tmp_path / "results" / "Base"
    warnings = {
        f"{folder}: kept board notes.txt, added to {folder} while it was planned":
            KeptFile("board notes.txt", folder / "board notes.txt"),
        f"{folder}: kept sites.csv, added to {folder} while it was planned, as "
        f"'sites (kept).csv': the new results have their own 'sites.csv'":
            KeptFile("sites.csv", folder / "sites (kept).csv"),
        f"{folder}: notes.txt, added to {folder} while it was planned, could not be moved "
        f"into the new results: it is in {tmp_path / 'old' / 'notes.txt'}; move it back "
        "by hand": KeptFile("notes.txt", tmp_path / "old" / "notes.txt", moved=False)}
    for said, kept in warnings.items():
        warning = kept.warning(folder)
        assert str(warning) == said
        assert warning.kind is ProblemKind.KEPT_FILE and is_kept_file(warning)
        assert warning.severity == "warning" and warning.label == "column"


def test_a_warning_labelled_like_a_kept_file_is_not_one() -> None:
    """`label` is free for what it means (what `column` names): a warning whose label
    reads "kept file", as the kept-file warning's own once did, is not taken for one;
    nor is any warning of the default kind."""
    labelled = Problem("sites.csv", 3, "kept file", "a yes or no", "maybe",
                       severity="warning", label="kept file")
    assert labelled.kind is ProblemKind.OTHER
    assert not is_kept_file(labelled)
    plain = Problem("results/Base", None, None, "a results folder holding only what estate "
                    "writes", "kept board notes.txt", severity="warning")
    assert not is_kept_file(plain)
