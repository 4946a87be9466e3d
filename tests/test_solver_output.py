"""HiGHS's own output (estate/solve/highs.py, `solver_output`): kept off stdout, banner
included, whatever Python's sys.stdout is, while what the caller prints meanwhile still
shows. Each case runs in a fresh interpreter, as HiGHS prints its banner once a process."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.cli import run_python

SOLVE = """
from estate.solve import highs
with highs.solver_output(False):
    h = highs.new_highs(1.0, 0.0)  # HiGHS prints its banner as a Highs is made
    h.run()
    print("told during the solve")
print("after it")
"""


@pytest.mark.parametrize("stdout", ["the process's own", "a notebook's"])
def test_highs_prints_nothing_and_the_caller_s_lines_still_show(tmp_path: Path,
                                                                stdout: str) -> None:
    """A notebook's sys.stdout is a stream of its own, not descriptor 1, which HiGHS
    writes to: the banner showed there (a review), as the descriptor silenced was
    sys.stdout's. And with sys.stdout on descriptor 1, a caller's print during the solve
    (its progress lines) was silenced with HiGHS."""
    kernel = ("import io, os, sys\nsys.stdout = io.TextIOWrapper(os.fdopen(os.dup(1), 'wb', "
              "buffering=0), write_through=True)\n" if stdout == "a notebook's" else "")
    done = run_python(tmp_path, kernel + SOLVE)
    assert done.code == 0, done.stderr
    assert done.stdout == "told during the solve\nafter it\n", done.stdout
    assert "HiGHS" not in done.stderr


def test_a_verbose_solve_logs_to_stderr(tmp_path: Path) -> None:
    """--verbose: HiGHS's log, banner first, on stderr, stdout still the caller's."""
    done = run_python(tmp_path, SOLVE.replace("solver_output(False)", "solver_output(True)"))
    assert done.code == 0, done.stderr
    assert done.stdout == "told during the solve\nafter it\n", done.stdout
    assert "Running HiGHS" in done.stderr
