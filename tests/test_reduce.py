"""The reductions before the solver (estate/model/reduce.py): each one fires on a tiny
register drawn for it, and the optimum with and without it is the same; a random family
of coverage registers is held to an enumeration of every set of open sites.

Registers are on the km grid (tests/fixtures/grid.py), so "within R" is exact. With
r = 0 and H = 10 (the base scenario) a site costs 10 x its running cost to keep, and
closing an existing one costs closure - disposal once.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

import estate.model.build as build_module
from estate.errors import InfeasibleError
from estate.model.arrays import EstateModel
from estate.model.reduce import (
    Reductions,
    covering_rows,
    implied_rows,
    reduce_model,
    reductions_line,
)
from estate.solve import SolverOptions, available_solvers, solve
from estate.status import Status
from tests.fixtures import (
    agency,
    function,
    plan_of,
    prepared_model,
    scenario,
    site,
    write_register,
    zone,
)

ACCESS = ["public_access"]


def _rule(radius_km: float, mode: str = "all") -> list[dict[str, Any]]:
    return [{"service": "public_access", "radius_km": radius_km, "mode": mode}]


def _both(folder: Path, monkeypatch: pytest.MonkeyPatch, **changes: Any
          ) -> tuple[EstateModel, EstateModel]:
    """The model as built (reduced) and as built without the reductions."""
    _, reduced = prepared_model(folder, **changes)
    with monkeypatch.context() as m:
        m.setattr(build_module, "reduce_model", lambda model: model)
        _, full = prepared_model(folder, **changes)
    assert not full.reductions
    return reduced, full


def _optimum(model: EstateModel, solver: str = "highs") -> float:
    sol = solve(model, SolverOptions(name=solver, time_limit_s=30.0, mip_gap=1e-9))
    assert sol.status == Status.OPTIMAL
    return sol.objective


def _same_optimum(reduced: EstateModel, full: EstateModel) -> None:
    for solver in available_solvers():
        assert _optimum(reduced, solver) == pytest.approx(_optimum(full, solver), abs=1e-6)


def _open_bounds(model: EstateModel, site_index: int) -> tuple[float, float]:
    j = model.blocks["open"].start + site_index
    return float(model.col_lb[j]), float(model.col_ub[j])


# --- the pieces on hand-made matrices -----------------------------------------------------

def test_implied_rows_on_a_hand_made_matrix() -> None:
    """Rows {0,1}, {0,1,2}, {1,2}, {0,1} again, {3}: the second contains the first, the
    fourth repeats it (the first of equals stays), the others contain no other row."""
    rows = [[0, 1], [0, 1, 2], [1, 2], [0, 1], [3]]
    a = sp.csr_matrix((np.ones(sum(map(len, rows))),
                       (np.repeat(np.arange(5), [len(r) for r in rows]),
                        np.concatenate(rows))), shape=(5, 4))
    assert implied_rows(a).tolist() == [False, True, False, True, False]


def test_implied_rows_against_pairwise_subsets() -> None:
    rng = np.random.default_rng(7)
    a = sp.csr_matrix((rng.random((300, 25)) < 0.12).astype(float))
    sets = [frozenset(a.indices[a.indptr[i]:a.indptr[i + 1]]) for i in range(300)]
    expected = [any(j != i and sets[j] <= sets[i] and sets[j] and (sets[j] < sets[i] or j < i)
                    for j in range(300)) for i in range(300)]
    assert implied_rows(a).tolist() == expected


def test_only_unit_rows_over_binaries_at_least_one_are_covering(
        tmp_path: Path) -> None:
    folder = write_register(tmp_path / "r", [agency("A")],
                            [site("S1", "A", 0, 0, services=ACCESS),
                             site("S2", "A", 3, 0, services=ACCESS)],
                            [function("F1", "A", "HR", "S1")], [zone("Z1", 1, 0)])
    _, model = prepared_model(folder, coverage=_rule(5.0))
    cover = covering_rows(model)
    fam = model.family_rows
    assert "coverage.0" not in fam or not cover[:fam["coverage.0"].start].any()
    assert not cover[fam["housed"]].any() and not cover[fam["desks"]].any()


# --- each reduction on a register where it fires ------------------------------------------

@pytest.fixture(scope="module")
def line_of_sites(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """S1, S2, S3 at 0, 4, 8 km east (running £10k, £100k, £10k); zones at 2, 3.5 and
    6 km east. Within 5 km: Z1 {S1, S2}, Z2 {S1, S2, S3}, Z3 {S2, S3}, so Z2's row is
    implied by Z1's. F1, a team at S2 that may go anywhere, keeps it a model with teams.
    The optimum keeps S1 and S3 with F1 moved to S1: 10 x (10k + 10k) + the team."""
    return write_register(
        tmp_path_factory.mktemp("line") / "r", [agency("A")],
        [site("S1", "A", 0, 0, running_cost=10_000, services=ACCESS),
         site("S2", "A", 4, 0, running_cost=100_000, services=ACCESS),
         site("S3", "A", 8, 0, running_cost=10_000, services=ACCESS)],
        [function("F1", "A", "HR", "S2", fte=10, annual_cost=1000)],
        [zone("Z1", 2, 0), zone("Z2", 3.5, 0), zone("Z3", 6, 0)])


def test_a_row_containing_another_is_dropped(line_of_sites: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    reduced, full = _both(line_of_sites, monkeypatch, coverage=_rule(5.0))
    assert reduced.reductions["rows_implied"] == 1
    assert list(reduced.family_labels["coverage.0"]) == ["Z1", "Z3"]
    assert len(full.family_labels["coverage.0"]) == 3
    assert len(reduced.row_names) == len(full.row_names) - 1
    # the other families are untouched and still name their rows
    assert list(reduced.family_labels["housed"]) == ["F1"]
    sl = reduced.family_rows["coverage.0"]
    assert list(reduced.row_names[sl]) == ["coverage.0(Z1)", "coverage.0(Z3)"]
    assert reduced.reductions["columns_dominated"] == 0  # a model with teams
    _same_optimum(reduced, full)
    assert _optimum(reduced) == pytest.approx(200_000 + 10 * 1000)


def test_a_zone_only_one_site_reaches_forces_it_open(
        line_of_sites: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Within 3 km: Z1 {S1, S2}, Z2 {S2} alone (3.5 and 0.5 km), Z3 {S2, S3}: S2 is
    forced open and every row holding it is met: none is left."""
    reduced, full = _both(line_of_sites, monkeypatch, coverage=_rule(3.0))
    assert reduced.reductions["columns_forced"] == 1
    assert _open_bounds(reduced, 1) == (1.0, 1.0) and _open_bounds(full, 1) == (0.0, 1.0)
    assert reduced.reductions["rows_met"] == 3
    assert "coverage.0" not in reduced.family_rows or \
        len(reduced.family_labels["coverage.0"]) == 0
    _same_optimum(reduced, full)
    assert _optimum(reduced) == pytest.approx(1_000_000 + 10 * 1000)


def test_a_row_a_kept_site_meets_is_dropped(line_of_sites: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """policy.keep = [S3]: Z2 and Z3 are met by S3; Z1 stays."""
    reduced, full = _both(line_of_sites, monkeypatch, coverage=_rule(5.0),
                          policy={"keep": ["S3"]})
    assert reduced.reductions["rows_met"] == 2 and reduced.reductions["columns_forced"] == 0
    assert list(reduced.family_labels["coverage.0"]) == ["Z1"]
    _same_optimum(reduced, full)


def test_maintain_rows_and_two_rules_reduce_together(
        line_of_sites: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An `all` rule at 5 km and a `maintain` rule at 5.5 km: every maintain row
    contains an `all` row of the same zone, so all three are implied (rows of different
    rules are the same kind of row)."""
    rules = _rule(5.0) + _rule(5.5, "maintain")
    reduced, full = _both(line_of_sites, monkeypatch, coverage=rules)
    assert reduced.reductions["covering_rows"] == 6
    assert len(reduced.family_labels.get("coverage.1", [])) == 0
    _same_optimum(reduced, full)


@pytest.fixture(scope="module")
def coverage_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """No teams. S1 (0 km, £10k a year), S2 (1 km, £5k), S3 (4 km, £50k) offer access;
    Z1 at 0.5 km and Z2 at 2.5 km east; within 2 km Z1 {S1, S2}, Z2 {S2, S3}. S2 is
    in every row S1 or S3 is in and costs less: both are dominated. S4 (50 km, £1k)
    reaches nothing: unused, fixed shut. S5 (60 km, no service, £1k a year) costs
    £1m to close: cheaper kept, fixed open. The optimum keeps S2 and S5:
    10 x 5k + 10 x 1k, plus closing S1, S3 and S4 (free)."""
    return write_register(
        tmp_path_factory.mktemp("coverage_only") / "r", [agency("A")],
        [site("S1", "A", 0, 0, running_cost=10_000, services=ACCESS),
         site("S2", "A", 1, 0, running_cost=5_000, services=ACCESS),
         site("S3", "A", 4, 0, running_cost=50_000, services=ACCESS),
         site("S4", "A", 50, 0, running_cost=1_000, services=ACCESS),
         site("S5", "A", 60, 0, running_cost=1_000, closure_cost=1_000_000)],
        [], [zone("Z1", 0.5, 0), zone("Z2", 2.5, 0)])


def test_dominated_and_unused_sites_are_fixed_in_coverage_alone(
        coverage_only: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reduced, full = _both(coverage_only, monkeypatch, coverage=_rule(2.0))
    r = reduced.reductions
    assert (r["columns_dominated"], r["columns_unused"]) == (2, 2)
    assert [_open_bounds(reduced, i) for i in range(5)] == [
        (0.0, 0.0), (0.0, 1.0), (0.0, 0.0), (0.0, 0.0), (1.0, 1.0)]
    assert [_open_bounds(full, i) for i in range(5)] == [(0.0, 1.0)] * 5
    _same_optimum(reduced, full)
    assert _optimum(reduced) == pytest.approx(10 * 5_000 + 10 * 1_000)
    # the fixings keep only the optimum: the model records them (S1, S3, S4, S5), and
    # the bounds every plan keeps are those of the reductions without step 4
    opens = reduced.blocks["open"].start
    assert reduced.fixed_for_optimum.tolist() == [opens + i for i in (0, 2, 3, 4)]
    lb, ub = reduced.every_plan_bounds()
    every_plan = reduce_model(full, every_plan=True)
    assert (lb == every_plan.col_lb).all() and (ub == every_plan.col_ub).all()
    assert every_plan.fixed_for_optimum.size == 0
    assert [(lb[opens + i], ub[opens + i]) for i in range(5)] == [(0.0, 1.0)] * 5


def test_equal_sites_keep_one_undominated(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Three sites at one place and one price: each dominates the others, so ties are
    broken by order and exactly one stays free."""
    folder = write_register(
        tmp_path / "r", [agency("A")],
        [site(f"S{i}", "A", 0, 0, running_cost=5_000, services=ACCESS) for i in (1, 2, 3)],
        [], [zone("Z1", 1, 0), zone("Z2", 0, 1)])
    reduced, full = _both(folder, monkeypatch, coverage=_rule(2.0))
    assert reduced.reductions["columns_dominated"] == 2
    assert reduced.reductions["rows_implied"] == 1  # Z2 repeats Z1
    free = [_open_bounds(reduced, i) == (0.0, 1.0) for i in range(3)]
    assert free == [True, False, False]
    _same_optimum(reduced, full)


def test_nothing_fires_without_coverage_rules(line_of_sites: Path) -> None:
    _, model = prepared_model(line_of_sites)
    assert model.reductions == {}
    assert not any(k.startswith("reduced_") for k in model.size)


def test_counts_reach_the_summary(line_of_sites: Path) -> None:
    plan = plan_of(line_of_sites, scenario(coverage=_rule(5.0)), "highs")
    size = plan.summary.to_json()["model_size"]
    assert size["reduced_rows_implied"] == 1
    assert "reduced_rows_met" not in size  # only the reductions that fired


def test_the_progress_line_says_what_was_dropped_and_why() -> None:
    counts = Reductions(rows_before=9, covering_rows=5, rows_met=1, rows_implied=2,
                        columns_forced=1, columns_dominated=3).as_dict()
    assert reductions_line(counts) == (
        "Reductions: 3 of 5 coverage rows dropped (2 implied by another zone's, 1 met by a "
        "site kept open); 4 sites fixed (1 forced open, 3 dominated)")
    assert reductions_line({}) == ""


def test_reducing_twice_changes_nothing_more(line_of_sites: Path) -> None:
    _, once = prepared_model(line_of_sites, coverage=_rule(5.0))
    twice = reduce_model(once)
    assert len(twice.row_names) == len(once.row_names)
    assert twice.reductions["rows_implied"] == 0


# --- against an enumeration: coverage registers drawn at random ---------------------------

SEEDS = range(30)


def _draw(seed: int) -> dict[str, Any]:
    """Up to 7 sites and 8 zones in a 12 km square; existing offices (some must_keep)
    and candidate hubs; one or two rules (`all` or `maintain`), radii 2.5-6 km."""
    rng = np.random.default_rng(seed)
    n_sites, n_zones = int(rng.integers(4, 8)), int(rng.integers(3, 9))
    sites = []
    for i in range(n_sites):
        candidate = bool(rng.random() < 0.3)
        sites.append({
            "id": f"S{i}", "xy": rng.uniform(0, 12, 2), "candidate": candidate,
            "running": float(rng.integers(1, 20)) * 1000,
            "build": float(rng.integers(0, 100)) * 1000 if candidate else 0.0,
            "closure": 0.0 if candidate else float(rng.integers(0, 300)) * 1000,
            "disposal": 0.0 if candidate else float(rng.integers(0, 50)) * 1000,
            "keep": (not candidate) and bool(rng.random() < 0.15),
            "service": bool(rng.random() < 0.75)})
    zones = [rng.uniform(0, 12, 2) for _ in range(n_zones)]
    rules = [(float(rng.uniform(2.5, 6.0)), "all" if rng.random() < 0.6 else "maintain")
             for _ in range(int(rng.integers(1, 3)))]
    return {"sites": sites, "zones": zones, "rules": rules}


def _enumerate(inst: dict[str, Any]) -> float | None:
    """The least NPV over every set of open sites meeting the rules (None: no plan)."""
    sites, zones = inst["sites"], inst["zones"]
    reach = [[[s["service"] and math.dist(s["xy"], z) <= r for s in sites] for z in zones]
             for r, _ in inst["rules"]]
    best = None
    for chosen in itertools.product([False, True], repeat=len(sites)):
        if any(s["keep"] and not o for s, o in zip(sites, chosen, strict=True)):
            continue
        ok = True
        for (_, mode), near in zip(inst["rules"], reach, strict=True):
            for z in near:
                today = any(n and not s["candidate"] for n, s in zip(z, sites, strict=True))
                if (mode == "all" or today) and not any(
                        n and o for n, o in zip(z, chosen, strict=True)):
                    ok = False
        if not ok:
            continue
        npv = sum(10 * s["running"] + s["build"] if o else s["closure"] - s["disposal"]
                  for s, o in zip(sites, chosen, strict=True))
        best = npv if best is None or npv < best else best
    return best


def _write(inst: dict[str, Any], folder: Path) -> Path:
    rows = [site(s["id"], "A", *s["xy"], running_cost=s["running"], desks=10,
                 candidate="true" if s["candidate"] else "false", build_cost=s["build"],
                 closure_cost=s["closure"], disposal_value=s["disposal"],
                 kind="hub" if s["candidate"] else "office",
                 must_keep="true" if s["keep"] else "false",
                 services=ACCESS if s["service"] else [])
            for s in inst["sites"]]
    zones = [zone(f"Z{i}", *xy) for i, xy in enumerate(inst["zones"])]
    return write_register(folder, [agency("A")], rows, [], zones)


def _rules(inst: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for radius, mode in inst["rules"] for r in _rule(radius, mode)]


@pytest.mark.parametrize("seed", SEEDS)
def test_coverage_optimum_equals_enumeration(tmp_path: Path, seed: int,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    inst = _draw(seed)
    folder = _write(inst, tmp_path / "r")
    expected = _enumerate(inst)
    sc = scenario(coverage=_rules(inst))
    if expected is None:
        with pytest.raises(InfeasibleError):
            plan_of(folder, sc, "highs")
        return
    for solver in available_solvers():
        plan = plan_of(folder, sc, solver)
        assert plan.summary.to_json()["objective_npv"] == pytest.approx(expected, abs=0.01)
    reduced, full = _both(folder, monkeypatch, coverage=_rules(inst))
    assert _optimum(reduced) == pytest.approx(_optimum(full), abs=1e-6)


def test_the_random_registers_exercise_every_reduction(tmp_path: Path) -> None:
    """Summed over the seeds with a plan, every reduction fires somewhere."""
    fired = dict.fromkeys(["rows_met", "rows_implied", "columns_forced",
                           "columns_dominated", "columns_unused"], 0)
    plans = 0
    for seed in SEEDS:
        inst = _draw(seed)
        if _enumerate(inst) is None:
            continue
        plans += 1
        _, model = prepared_model(_write(inst, tmp_path / f"r{seed}"), coverage=_rules(inst))
        for key in fired:
            fired[key] += model.reductions.get(key, 0)
    assert plans >= len(SEEDS) // 2
    assert all(fired.values()), fired
