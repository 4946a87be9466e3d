"""The Python API's own arguments, checked before anything is read: a value of the wrong
Python type is Python's own `TypeError` naming the argument and what it takes (a number
where a path goes said "expected str, bytes or os.PathLike object, not int", naming
none; a string for the register failed later with an AttributeError); a value of the
right type that the command line's option would refuse is an `InputError` naming it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from estate.errors import PATH, InputError, Problem, typed
from estate.load.scenario import Scenario
from estate.load.validate import Register
from estate.runs.executor import EXECUTORS
from estate.runs.sweep import Vary


def check_plan_arguments(*, scenario: Any, out: Any, map_path: Any, lp_path: Any,
                         write: Any, progress: Any, register: Any, alternatives: int,
                         within_pct: float, workers: int | None, executor: str,
                         policy_executor: str, scheduler: Any = None,
                         flags: dict[str, Any] | None = None) -> None:
    """`estate.plan`'s arguments: their types, then the values the command line's options
    would refuse (a nan allowance ended in numpy's ValueError deep in the search; a
    negative one, workers=0 or an unknown executor were taken)."""
    where = "estate.plan"
    typed(where, "scenario", scenario, (*PATH, Scenario), "a path (str or Path) or a Scenario")
    for name, value in (("out", out), ("lp_path", lp_path)):
        typed(where, name, value, (*PATH, type(None)), "a path (str or Path) or None")
    if map_path is not False:
        typed(where, "map_path", map_path, (*PATH, type(None)),
              "a path (str or Path), None (the default map) or False (no map)")
    for name, value in {"write": write, **(flags or {})}.items():
        typed(where, name, value, (bool, np.bool_), "True or False")
    if progress is not None and not callable(progress):
        raise TypeError(f"{where}: progress takes a function of one line of text (such as "
                        f"print), or None, not {type(progress).__name__}")
    typed(where, "register", register, (Register, type(None)),
          "a Register (estate.load.validate.load_register) or None")
    problems = empty_paths(where, {"scenario": scenario, "out": out, "lp_path": lp_path,
                                   "map_path": map_path})
    problems += _counts(where, {"alternatives": (alternatives, 0, False)})

    def refuse(name: str, expected: str, found: object) -> None:
        problems.append(Problem(where, None, name, expected, repr(found), label="option"))

    if not isinstance(within_pct, int | float) or not math.isfinite(within_pct) \
            or within_pct < 0:
        refuse("within_pct", "a number >= 0 (percent)", within_pct)
    problems += _counts(where, {"workers": (workers, 1, True)})
    for name, value in (("executor", executor), ("policy_executor", policy_executor)):
        if value not in EXECUTORS:
            refuse(name, " or ".join(f'"{e}"' for e in EXECUTORS), value)
    problems += _scheduler_alone(where, scheduler, executor, policy_executor)
    _refuse(problems)


def _scheduler_alone(where: str, scheduler: Any, *executors: str) -> list[Problem]:
    """A Dask scheduler given where no executor is "dask": ignored, the runs would go to
    a local pool while the user believes they went to the cluster it names."""
    if scheduler is None or "dask" in executors:
        return []
    return [Problem(where, None, "scheduler", 'executor="dask" beside it (it names the Dask '
                    "cluster to run on)", f"scheduler={scheduler!r:.60} with executor="
                    f"{executors[0]!r}", label="argument")]


def check_sweep_arguments(*, scenario: Any, varies: Any, out: Any, workers: Any,
                          max_runs: Any, executor: Any = "local", scheduler: Any = None
                          ) -> None:
    """`estate.api.sweep`'s arguments: a list of varies (one text alone was read a
    letter at a time), paths, and the values `estate sweep`'s options would refuse
    (workers=0 was taken; max_runs=-1 said "at most -1 runs")."""
    where = "estate.api.sweep"
    typed(where, "scenario", scenario, PATH, "a path (str or Path) to a scenario file")
    typed(where, "varies", varies, (list, tuple),
          "a list of Vary or of --vary texts (['sharing.efficiency=0.1,0.2'])")
    for vary in varies:
        typed(where, "each of varies", vary, (str, Vary), "a Vary or a --vary text")
    typed(where, "out", out, PATH, "a path (str or Path)")
    problems = empty_paths(where, {"scenario": scenario, "out": out})
    problems += _counts(where, {"workers": (workers, 1, True), "max_runs": (max_runs, 1, False)})
    problems += _scheduler_alone(where, scheduler, executor)
    _refuse(problems)


def _counts(where: str, counts: dict[str, tuple[Any, int, bool]]) -> list[Problem]:
    """Each argument that is a count (name: value, the least it may be, whether None
    may stand for "not given") and is not one: a problem naming it, as the command
    line's option would refuse it (True is no count, though Python takes it for 1)."""
    return [Problem(where, None, name, f"a whole number >= {least}"
                    + (", or None" if none_ok else ""), repr(value), label="option")
            for name, (value, least, none_ok) in counts.items()
            if not (none_ok and value is None) and (
                isinstance(value, bool) or not isinstance(value, int) or value < least)]


def check_paths(where: str, paths: dict[str, Any], optional: tuple[str, ...] = ()) -> None:
    """Arguments that are paths (those named `optional` may be None: not given), each a
    `TypeError` naming it when it is something else (estate.report(42) said "expected
    str, bytes or os.PathLike object, not int", naming no argument)."""
    for name, value in paths.items():
        if name in optional:
            typed(where, name, value, (*PATH, type(None)), "a path (str or Path) or None")
        else:
            typed(where, name, value, PATH, "a path (str or Path)")
    _refuse(empty_paths(where, paths))


def empty_paths(where: str, paths: dict[str, Any]) -> list[Problem]:
    """Each path argument given as empty text, which Python takes for the current folder:
    `compare(out="")` wrote its files among the user's own, where the command line
    refuses `--out ""` (a variable unset in a script)."""
    return [Problem(where, None, name, "a path", "an empty text (which would be the current "
                    "folder)", label="argument")
            for name, value in paths.items() if isinstance(value, str) and not value.strip()]


def _refuse(problems: list[Problem]) -> None:
    """One `InputError` naming every problem found, when there is any."""
    if problems:
        raise InputError(problems)
