"""Which register a plan was made from, as a comparison and a board pack tell them apart.

A plan's figures are only comparable with another's when both were made from the same
register: a status quo of £59m beside one of £840m is two estates, not two scenarios.
`estate compare` records each scenario's register in comparison.csv (`COLUMNS`: the
path as the scenario gives it, the absolute path, and a fingerprint of its files); a
results folder records it in scenario.toml (`data`, the absolute path) and
inputs.sha256 (its files' checksums). The fingerprint is the SHA-256 of those
checksum lines, so a register's files edited after a plan tell it from the plan's.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

COLUMNS = ("scenario_file", "register", "register_path", "register_sha256")
"""comparison.csv's columns for the register of each row, as `RegisterUsed.columns`
writes them and `RegisterUsed.from_columns` reads them."""


def fingerprint(inputs_hash: str) -> str:
    """The SHA-256 of a register's checksum lines (`inputs_sha256`); "" when there are none."""
    return hashlib.sha256(inputs_hash.encode("utf-8")).hexdigest() if inputs_hash else ""


@dataclass(frozen=True)
class RegisterUsed:
    """A plan's register: `given`, its path as the scenario file `source` writes it
    (`data`, relative to that file: what a person edits); `path`, that path made absolute
    (what tells two registers apart); `sha256`, the fingerprint of its files ("" when
    not known). A results folder knows only the absolute path: it is `given` too, and
    `source` is ""."""

    given: str
    path: str
    sha256: str = ""
    source: str = ""

    def same_as(self, other: RegisterUsed) -> bool:
        """The same files when both know their fingerprint, wherever they lie (a project
        folder copied to another drive, or opened from another machine's mount, is still
        its register); else the same data folder (or file)."""
        if self.sha256 and other.sha256:
            return self.sha256 == other.sha256
        return self.path == other.path

    def columns(self) -> dict[str, str]:
        """The register as comparison.csv's `COLUMNS`."""
        return dict(zip(COLUMNS, (self.source, self.given, self.path, self.sha256),
                        strict=True))

    @classmethod
    def from_columns(cls, row: Mapping[str, Any]) -> RegisterUsed | None:
        """The register of a comparison.csv row; None when the row has no register path
        (a comparison written before they were recorded)."""
        source, given, path, sha256 = (str(row.get(c, "") or "") for c in COLUMNS)
        return cls(given or path, path, sha256, source) if path else None

    def said(self) -> str:
        """The register as a person finds it: `data = <given> in <source>`."""
        return f"data = {self.given}" + (f" in {self.source}" if self.source else "")


def one_register(registers: list[RegisterUsed]) -> bool:
    """True when every register given is the same one (`same_as`): the plans' figures,
    the status quo first, are then of one estate and can be set side by side."""
    return all(register.same_as(registers[0]) for register in registers[1:])


def register_of_results(folder: Path) -> RegisterUsed | None:
    """The register a results folder was planned from (scenario.toml's `data` and the
    fingerprint of inputs.sha256); None when its scenario.toml does not say."""
    try:
        solved = tomllib.loads((Path(folder) / "scenario.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    data = solved.get("data")
    if not isinstance(data, str) or not data.strip():
        return None
    try:
        inputs = (Path(folder) / "inputs.sha256").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        inputs = ""
    return RegisterUsed(data, data, fingerprint(inputs))
