"""The solvers as a reader names them: each one's own spelling, as its makers write it,
on the terminal, the map, the comparison and the board pack."""

from __future__ import annotations

SOLVER_NAMES = {"highs": "HiGHS", "cbc": "CBC", "scip": "SCIP"}
"""Each solver's own spelling, as its makers write it."""


def solver_name(name: str) -> str:
    """"HiGHS" for `highs`: the name a reader would search for."""
    return SOLVER_NAMES.get(name.strip().lower(), name)


def solver_words(name: str) -> str:
    """The solver as a reader names it: "highs" -> "the HiGHS solver"."""
    return f"the {solver_name(name)} solver"
