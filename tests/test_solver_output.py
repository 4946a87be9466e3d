"""HiGHS's own output (estate/solve/highs.py, `solver_output`): kept off stdout, banner
included, whatever Python's sys.stdout is. Each case runs in a fresh interpreter, as
HiGHS prints its banner once a process."""

from __future__ import annotations

from pathlib import Path

from tests.fixtures.cli import run_python

SOLVE = """
import sys, threading
from estate.solve import highs
with highs.solver_output({verbose}):
    h = highs.new_highs(1.0, 0.0)  # HiGHS prints its banner as a process's first is made
    h.run()
    print("told during the solve")
print("after it")
"""
NOTEBOOK = ("import io, os, sys\nsys.stdout = io.TextIOWrapper(os.fdopen(os.dup(1), 'wb', "
            "buffering=0), write_through=True)\n")
"""sys.stdout as a notebook's: a stream of its own, writing elsewhere than descriptor 1."""


def test_highs_prints_nothing_on_a_notebook_s_stdout(tmp_path: Path) -> None:
    """A notebook's sys.stdout is not descriptor 1, which HiGHS writes to: the banner
    showed in every cell that planned (a review), as the descriptor kept from HiGHS was
    sys.stdout's. A notebook's own lines, printed during the solve, still show."""
    done = run_python(tmp_path, NOTEBOOK + SOLVE.format(verbose=False))
    assert done.code == 0, done.stderr
    assert done.stdout == "told during the solve\nafter it\n", done.stdout
    assert "HiGHS" not in done.stderr


def test_highs_prints_nothing_on_a_terminal_s_stdout(tmp_path: Path) -> None:
    """sys.stdout on descriptor 1 (a terminal, a pipe, `--json`): nothing of HiGHS's;
    a line printed there during the solve goes with it (the docstring of estate.plan
    says progress belongs on stderr), and stdout is whole again after."""
    done = run_python(tmp_path, SOLVE.format(verbose=False))
    assert done.code == 0, done.stderr
    assert done.stdout == "after it\n", done.stdout


def test_a_verbose_solve_logs_to_stderr(tmp_path: Path) -> None:
    """--verbose: HiGHS's log, banner first, on stderr, never on stdout."""
    done = run_python(tmp_path, NOTEBOOK + SOLVE.format(verbose=True))
    assert done.code == 0, done.stderr
    assert done.stdout == "told during the solve\nafter it\n", done.stdout
    assert "Running HiGHS" in done.stderr


def test_a_thread_printing_through_solves_loses_nothing_it_printed_outside_them(
        tmp_path: Path) -> None:
    """A thread printing to a notebook's stdout while solves come and go gets no error
    and loses no line (a review's first fix swapped sys.stdout for the while, and a
    thread then wrote to the swapped stream once it was closed)."""
    code = NOTEBOOK + """
import threading
from estate.solve import highs
errors, said = [], [0]
def tick():
    for n in range(3000):
        try:
            print(f"tick {n}")
            said[0] += 1
        except Exception as exc:
            errors.append(repr(exc))
thread = threading.Thread(target=tick)
thread.start()
for _ in range(100):
    with highs.solver_output(False):
        highs.new_highs(1.0, 0.0).run()
thread.join()
sys.stderr.write(f"{said[0]} {len(errors)}\\n")
"""
    done = run_python(tmp_path, code)
    assert done.code == 0, done.stderr
    assert done.stderr.strip().endswith("3000 0"), done.stderr
    assert done.stdout.splitlines() == [f"tick {n}" for n in range(3000)]
