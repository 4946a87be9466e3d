"""warnings.csv (estate.store.warnings_table): the plan's warnings, written and read
back, each text fit to show."""

from __future__ import annotations

from pathlib import Path

from estate.errors import Problem, ProblemKind
from estate.store.csv_cells import write_safe_csv
from estate.store.warnings_table import read_warnings, warnings_table


def test_a_file_name_with_esc_or_an_override_is_written_shown(tmp_path: Path) -> None:
    """A register file's name, which no check refuses, may hold ESC or U+202E: written
    raw, `cat warnings.csv` ran the escape and Excel showed the name turned round (a
    review). Each is written as the replacement character, the rest as it was."""
    warning = Problem("reg/\x1b[31mzon\u202ees.csv", None, None, "a table of the register",
                      "not read\tat all", severity="warning", kind=ProblemKind.OTHER)
    table = warnings_table([warning])
    assert table["file"].tolist() == ["reg/\ufffd[31mzon\ufffdes.csv"]
    assert table["found"].tolist() == ["not read at all"]
    write_safe_csv(table, tmp_path / "warnings.csv")
    [read] = read_warnings(tmp_path) or ()
    assert read.file == "reg/\ufffd[31mzon\ufffdes.csv" and read.found == "not read at all"
    assert "\x1b" not in (tmp_path / "warnings.csv").read_text(encoding="utf-8-sig")
