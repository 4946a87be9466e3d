"""The Python API's own arguments (estate/arguments.py): a value of the wrong Python type
is a TypeError that names the argument, before anything is read; a value the command
line's option would refuse is an InputError naming it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import estate
from estate.api import sweep
from estate.errors import InputError
from tests.fixtures import town


@pytest.mark.parametrize(("given", "named"), [
    ({"out": 42}, "out takes a path (str or Path) or None, not int"),
    ({"map_path": 42}, "map_path takes a path (str or Path), None (the default map) or "
                       "False (no map), not int"),
    ({"lp_path": 3}, "lp_path takes a path (str or Path) or None, not int"),
    ({"register": "data/suffolk"}, "register takes a Register"),
    ({"progress": 5}, "progress takes a function of one line of text"),
    ({"write": "no"}, "write takes True or False, not str"),
])
def test_a_plan_argument_of_the_wrong_type_is_named(tmp_path: Path, given: dict[str, Any],
                                                    named: str) -> None:
    """Each was "expected str, bytes or os.PathLike object, not int" from deep inside,
    naming no argument, an AttributeError, or (write="no") taken as true (a review)."""
    scenario = town(tmp_path)
    with pytest.raises(TypeError, match=f"^estate.plan: {re.escape(named)}"):
        estate.plan(scenario, **given)
    assert not (tmp_path / "results").exists()
    with pytest.raises(TypeError, match="^estate.plan: scenario takes a path"):
        estate.plan(42)  # type: ignore[arg-type]


def test_sweep_arguments_are_checked_before_any_run(tmp_path: Path) -> None:
    """One --vary text alone was read a letter at a time ("found 's'"), a number among
    them failed with an AttributeError, workers=0 was taken and max_runs=-1 said "at
    most -1 runs"."""
    scenario = town(tmp_path)
    with pytest.raises(TypeError, match=re.escape("varies takes a list of Vary or of --vary texts")):
        sweep(scenario, "sharing.efficiency=0.1,0.2", tmp_path / "sw")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="each of varies takes a Vary or a --vary text, not int"):
        sweep(scenario, [42], tmp_path / "sw")  # type: ignore[list-item]
    with pytest.raises(InputError) as refused:
        sweep(scenario, ["sharing.efficiency=0.1,0.2"], tmp_path / "sw", workers=0,
              max_runs=-1)
    assert [(p.column, p.found) for p in refused.value.problems] == [
        ("workers", "0"), ("max_runs", "-1")]
    assert not (tmp_path / "sw").exists()


def test_the_other_commands_name_a_path_argument_of_the_wrong_type(tmp_path: Path) -> None:
    """estate.report(42), validate(42) and compare(42) said "expected str, bytes or
    os.PathLike object, not int" or "'int' object is not iterable", naming nothing."""
    for call, named in ((lambda: estate.report(42), "estate.report: results_dir takes a path"),
                        (lambda: estate.validate(42), "estate.validate: data takes a path"),
                        (lambda: estate.validate_scenario(None), "estate.validate_scenario: "
                         "path takes a path"),
                        (lambda: estate.compare(42), "estate.compare: paths takes a list"),
                        (lambda: estate.compare([42]), "estate.compare: paths[0] takes a path")):
        with pytest.raises(TypeError, match=f"^{re.escape(named)}"):
            call()  # type: ignore[no-untyped-call]
    # a numpy flag is a flag (np.False_ was said to be "not bool")
    import numpy as np

    plan = estate.plan(town(tmp_path), write=np.False_)
    assert plan.summary.status is estate.Status.OPTIMAL
    assert not (tmp_path / "results").exists()


def test_an_empty_path_a_flag_not_true_or_false_and_a_scheduler_alone_are_refused(
        tmp_path: Path) -> None:
    """Each was taken: `out=""` wrote a comparison or a sweep among the user's own files
    (the current folder), `verbose="x"` printed the solver's whole log, and a scheduler
    without the Dask executor ran locally while naming a cluster (a review)."""
    scenario = town(tmp_path)
    for call, named in [
            (lambda: estate.plan(scenario, out=""), "estate.plan, argument out"),
            (lambda: estate.compare([scenario], out=""), "estate.compare, argument out"),
            (lambda: estate.compare([scenario], out="c", results_root=""),
             "estate.compare, argument results_root"),
            (lambda: sweep(scenario, ["sharing.efficiency=0.1,0.2"], ""),
             "estate.api.sweep, argument out"),
            (lambda: estate.api.report("", out=tmp_path / "x.pdf"),
             "estate.report, argument results_dir")]:
        with pytest.raises(InputError, match=re.escape(f"{named}: expected a path, found an "
                                                       "empty text")):
            call()
    for flag in ("verbose", "direct", "policy_costs", "programme"):
        with pytest.raises(TypeError, match=f"^estate.plan: {flag} takes True or False"):
            estate.plan(scenario, write=False, **{flag: "x"})
    with pytest.raises(TypeError, match="^estate.compare: cdn takes True or False"):
        estate.compare([scenario], cdn="x")  # type: ignore[arg-type]
    with pytest.raises(InputError, match='argument scheduler: expected executor="dask"'):
        estate.plan(scenario, write=False, scheduler="tcp://127.0.0.1:1")
    with pytest.raises(InputError, match='argument scheduler: expected executor="dask"'):
        sweep(scenario, ["sharing.efficiency=0.1,0.2"], tmp_path / "sw",
              scheduler="tcp://127.0.0.1:1")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reg", "tiny.toml"]


def test_the_loaders_exported_by_estate_name_an_argument_of_the_wrong_type(
        tmp_path: Path) -> None:
    """`estate.load_scenario(["x.toml"])`, `estate.load_register(3)` and a list of pairs
    to `scenario_from_dict` failed with pathlib's or Python's own errors, naming nothing;
    a `base_dir` given as text failed with "unsupported operand type(s) for /" (a
    review): it is read as the path it names."""
    with pytest.raises(TypeError, match=r"^estate.load_scenario: path takes a path"):
        estate.load_scenario(["x.toml"])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^estate.load_register: path takes a path .*not int"):
        estate.load_register(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^estate.scenario_from_dict: raw takes a dict"):
        estate.scenario_from_dict([("name", "Q")], base_dir=".",  # type: ignore[arg-type]
                                  label="x")
    with pytest.raises(TypeError, match=r"^estate.scenario_from_dict: base_dir takes a path"):
        estate.scenario_from_dict({"name": "Q"}, base_dir=3, label="x")  # type: ignore[arg-type]
    scenario = town(tmp_path)
    raw = estate.load.scenario.read_scenario_dict(scenario)
    made = estate.scenario_from_dict(raw, base_dir=str(tmp_path), label="in code")
    assert made.data == (tmp_path / "reg").resolve() or made.data == tmp_path / "reg"
