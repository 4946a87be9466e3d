"""Published optima: every small OR-Library capacitated warehouse instance (Beasley's
cap41 .. cap134, 37 files) solved through the estate pipeline reaches its published
capacitated optimum, proven, within a relative 1e-6.

The instances live outside the repository, in `../shared/benchmarks/orlib` beside the
checkout (or wherever `$ESTATE_ORLIB` points); without them the tests skip and say so.
The reader of Beasley's files and the mapping from his problem to a register and
scenario are the benchmark's (`benchmarks.orlib`), imported here as a package.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from benchmarks import orlib

DATA = orlib.data_dir()

pytestmark = pytest.mark.skipif(
    not (DATA / "optima.csv").is_file(),
    reason=f"OR-Library instances not found at {DATA} (a clone without ../shared; "
           "set ESTATE_ORLIB to the folder holding cap41.txt .. and optima.csv)")


@pytest.fixture(scope="module")
def optima() -> dict[str, float]:
    return orlib.published(DATA)


def test_parser_reads_the_format() -> None:
    """Token counts, the zero fixed cost README names, and the `capacity` word."""
    if not (DATA / "cap41.txt").is_file():
        pytest.skip(f"no {DATA / 'cap41.txt'}")
    cap41 = orlib.load("cap41", DATA)
    assert (cap41.m, cap41.n) == (16, 50)
    assert cap41.capacity.tolist() == [5000.0] * 16
    assert cap41.fixed[10] == 0.0 and (cap41.fixed[cap41.fixed > 0] == 7500.0).all()
    assert cap41.demand.sum() == 58268
    assert cap41.cost.shape == (16, 50)
    capa = orlib.load("capa-8000", DATA)
    assert (capa.m, capa.n) == (100, 1000)
    assert capa.capacity.tolist() == [8000.0] * 100
    assert capa.demand.sum() == 50886
    with pytest.raises(ValueError, match="capacity"):
        orlib.parse(DATA / "capa.txt")


def _check(name: str, optima: dict[str, float], **kwargs: Any) -> None:
    inst = orlib.load(name, DATA)
    outcome, plan = orlib.solve_pipeline(inst, time_limit_s=120.0, **kwargs)
    expected = optima[name]
    assert outcome.status == "optimal", f"{name}: {outcome.status}, gap {outcome.gap}"
    assert outcome.gap <= 1e-6
    assert math.isclose(outcome.objective, expected, rel_tol=orlib.REL_TOL,
                        abs_tol=orlib.ABS_TOL), \
        f"{name}: ours {outcome.objective:.3f}, published {expected:.3f}"
    # Tighter than the brief: HiGHS' own objective is within the published rounding
    # (README: compare with an absolute 1e-3), and objective_npv is it in pence.
    assert outcome.solver_objective == pytest.approx(expected, abs=orlib.ABS_TOL)
    assert outcome.objective == pytest.approx(outcome.solver_objective, abs=0.006)
    s = plan.summary.to_json()
    # The NPV is the sum of Beasley's two terms: fixed costs and allocation costs.
    assert s["one_off_cost"] + s["annual_cost_after"] == pytest.approx(s["objective_npv"],
                                                                       abs=0.02)
    assert s["fte_relocated"] == 0.0 and s["shared_centres"] == 0
    shares = plan.assignments.groupby("function_id")["share"].sum()
    assert len(shares) == inst.n and (shares - 1.0).abs().max() < 1e-5


@pytest.mark.parametrize("name", orlib.SMALL)
def test_small_instance_reaches_published_optimum(name: str, optima: dict[str, float]) -> None:
    _check(name, optima)


@pytest.mark.parametrize("name", ["cap41", "cap113"])
def test_warehouses_as_existing_sites_give_the_same_optimum(
        name: str, optima: dict[str, float]) -> None:
    """The other carrier of the fixed cost: existing closable sites, running_cost = f_i, A = 1."""
    _check(name, optima, as_existing=True)


def test_direct_highspy_model_agrees(optima: dict[str, float]) -> None:
    """The benchmark's own sparse model of Beasley's problem, as a check on the check."""
    out = orlib.solve_direct_highspy(orlib.load("cap81", DATA), time_limit_s=60.0)
    assert out.status == "optimal"
    assert math.isclose(out.objective, optima["cap81"], abs_tol=orlib.ABS_TOL)


@pytest.mark.parametrize("name", ["cap41", "cap84", "cap113"])
def test_estate_direct_highspy_path_gives_the_same_optimum(
        name: str, optima: dict[str, float]) -> None:
    """The pipeline's other hand-off (arrays straight to highspy, no PuLP objects)."""
    _check(name, optima, direct=True)
