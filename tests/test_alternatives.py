"""Near-optimal alternatives: distinct open sets, within the allowance, cheapest first,
equal to a brute-force enumeration of every set of open sites on a tiny register."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

import estate
from estate.errors import InfeasibleError
from estate.load.scenario import Scenario, scenario_from_dict
from estate.maps.panels import kpi_panel
from estate.pipeline import prepare_scenario, solve_prepared, solver_options
from estate.render.html import inert
from estate.render.report_data import Table, read_results
from estate.render.report_pages import decision, decision_page
from estate.results import Plan, money
from estate.runs.alternatives import Alternative, find_alternatives
from estate.status import Status
from estate.store import read_summary
from tests.fixtures import corridor_scenario, invoke, write_scenario

SITES = ("S1", "S2", "S3", "S4", "S5", "S6")


def _scenario(register_dir: Path, **changes: Any) -> Scenario:
    raw = corridor_scenario(register_dir, **changes)
    return scenario_from_dict(raw, base_dir=register_dir, label="town.toml")


def _alternatives(register_dir: Path, count: int, within_pct: float,
                  **changes: Any) -> tuple[Plan, list[Alternative]]:
    sc = _scenario(register_dir, **changes)
    prep = prepare_scenario(sc)
    options = solver_options(sc)
    model, optimum = solve_prepared(prep, options)
    return optimum, find_alternatives(optimum, model, count, within_pct, options)


def _open(plan: estate.Plan) -> frozenset[str]:
    sites = plan.sites
    return frozenset(sites.loc[sites["decision"].isin(["keep", "open"]), "site_id"])


def test_distinct_within_bound_nondecreasing(corridor_data: Path) -> None:
    optimum, found = _alternatives(corridor_data, 6, 40.0)
    assert len(found) == 4  # the fifth-cheapest new open set costs more than the allowance
    best = optimum.summary.objective_npv
    allowance = 0.40 * optimum.summary.npv_saving
    sets = [_open(optimum)] + [_open(a.plan) for a in found]
    assert len(set(sets)) == len(sets)
    costs = [a.plan.summary.objective_npv for a in found]
    assert costs == sorted(costs)
    for a in found:
        assert best <= a.plan.summary.objective_npv <= best + allowance + 1e-6
        assert a.npv_difference == pytest.approx(a.plan.summary.objective_npv - best)
        differ = {d["site_id"] for d in a.sites_differ}
        assert differ == set(_open(optimum) ^ _open(a.plan))
    info = optimum.summary.alternatives
    assert info["found"] == 4 and info["note"].startswith("4 of 6 alternatives found")
    assert [p["objective_npv"] for p in info["plans"]] == costs


def _brute_force(register_dir: Path, **changes: Any) -> dict[frozenset[str], float]:
    """The cheapest plan for every set of open sites, by fixing each set with keep/close."""
    register = estate.load_register(register_dir)
    costs = {}
    for n in range(len(SITES) + 1):
        for chosen in itertools.combinations(SITES, n):
            policy = {"keep": list(chosen), "close": [s for s in SITES if s not in chosen]}
            sc = _scenario(register_dir, policy=policy, **changes)
            try:
                plan = estate.plan(sc, write=False, register=register)
            except InfeasibleError:
                continue
            costs[frozenset(chosen)] = plan.summary.objective_npv
    return costs


@pytest.mark.slow
@pytest.mark.parametrize("changes", [{}, {"coverage": []}])
def test_equal_to_brute_force(corridor_data: Path, changes: dict) -> None:
    costs = _brute_force(corridor_data, **changes)
    ranked = sorted(costs.items(), key=lambda item: item[1])
    optimum, found = _alternatives(corridor_data, 4, 100.0, **changes)
    assert optimum.summary.objective_npv == pytest.approx(ranked[0][1])
    assert _open(optimum) == ranked[0][0]
    allowance = optimum.summary.npv_saving
    expected = [(s, c) for s, c in ranked[1:5] if c <= ranked[0][1] + allowance + 1e-6]
    assert [a.plan.summary.objective_npv for a in found] == pytest.approx(
        [c for _, c in expected])
    values = [c for _, c in ranked]
    for a, (open_set, cost) in zip(found, expected, strict=True):
        if values.count(cost) == 1:  # a unique cost names its set
            assert _open(a.plan) == open_set


def test_zero_allowance_finds_only_ties(corridor_data: Path) -> None:
    optimum, found = _alternatives(corridor_data, 3, 0.0)
    assert found == []
    info = optimum.summary.alternatives
    assert info["found"] == 0 and "0 of 3" in info["note"]


def test_stored_as_results_folders(corridor_data: Path, tmp_path: Path) -> None:
    sc = _scenario(corridor_data)
    out, map_path = tmp_path / "results", tmp_path / "maps" / "town.html"
    plan = estate.plan(sc, out=out, map_path=map_path, alternatives=2, within_pct=40.0)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert [p["folder"] for p in summary["alternatives"]["plans"]] == [
        "alternatives/1", "alternatives/2"]
    for entry in summary["alternatives"]["plans"]:
        folder = out / entry["folder"]
        alt = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        assert alt["objective_npv"] == entry["objective_npv"]
        assert alt["alternative"]["index"] == entry["index"]
        for name in ("sites.csv", "assignments.csv", "scenario.toml", "plan.gpkg"):
            assert (folder / name).exists()
        assert (tmp_path / "maps" / f"town.alternative-{entry['index']}.html").exists()
    assert plan.summary.alternatives["found"] == 2


def test_command_line(corridor_data: Path, tmp_path: Path) -> None:
    path = write_scenario(tmp_path / "town.toml", corridor_scenario(corridor_data))
    run = invoke(tmp_path, "plan", path, "--out", tmp_path / "r", "--map", tmp_path / "m.html",
                 "--json", "--alternatives", "2", "--within", "40")
    assert run.code == 0, run.output
    summary = run.json()
    assert summary["alternatives"]["found"] == 2
    assert (tmp_path / "r" / "alternatives" / "2" / "summary.json").exists()


def test_an_alternative_is_said_as_one_not_as_the_proven_optimum(corridor_data: Path,
                                                                 tmp_path: Path) -> None:
    """An alternative's own solve is proven only the cheapest of the plans with other
    sites open: its board pack and map say it is an alternative and what it costs more
    than the cheapest plan (the two summaries' NPVs apart), never that no plan costs less."""
    out = tmp_path / "results"
    plan = estate.plan(_scenario(corridor_data), out=out, map_path=tmp_path / "town.html",
                       alternatives=1, within_pct=40.0)
    assert plan.summary.status == Status.OPTIMAL and plan.summary.mip_gap == 0.0
    extra = read_summary(out / "alternatives" / "1").objective_npv - plan.summary.objective_npv
    assert extra >= 0.5
    said = (f"an alternative, {money(extra)} (NPV) dearer than the cheapest plan, which is "
            "proven optimal")
    results = read_results(out / "alternatives" / "1")
    words = decision(results)
    assert f"This plan is {said}." in words and "costs less" not in words
    headline = next(b for b in decision_page(results).blocks if isinstance(b, Table))
    assert ("How good the plan is", said) in headline.rows
    page = (tmp_path / "town.alternative-1.html").read_text(encoding="utf-8")
    assert f'<p class="estate-status">{inert(said)} \u00b7 HiGHS</p>' in page
    assert inert(said) in kpi_panel(results.summary)
    # the cheapest plan itself is still said to be proven optimal
    assert "no plan that meets every rule costs less" in decision(read_results(out))
