"""Which register table a CSV file, sheet or layer stands for.

A table is read from the file, sheet or layer of its name in any case, spaces at the
ends ignored (`Sites.csv`, `Sites `); any other name is not read.
"""

from __future__ import annotations

from estate.errors import Problem


def table_name(name: object) -> str:
    """The table a sheet, layer or file name stands for: `' Sites '` -> `sites`."""
    return str(name).strip().lower()


def by_table_name(names: list[str]) -> dict[str, list[str]]:
    """Sheet or layer names grouped by the table name each stands for (any case, spaces
    at the ends ignored), in the file's order."""
    grouped: dict[str, list[str]] = {}
    for name in names:
        grouped.setdefault(table_name(name), []).append(str(name))
    return grouped


def several(label: str, what: str, table: str, names: list[str]) -> Problem:
    """Two sheets (or layers) that both stand for one table: reading either would be a
    guess, and the other's edits would be lost without a word."""
    return Problem(label, None, None,
                   f"one {what} named {table} (names match in any case, spaces at the ends "
                   "ignored)",
                   f"{len(names)}: " + ", ".join(repr(n) for n in names)
                   + "; rename or delete all but one")
