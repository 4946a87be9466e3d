"""Sweeps: rows equal single plans, failures are rows, resumes redo only missing runs."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import estate
from estate.api import sweep
from estate.cli import cli
from estate.errors import InputError
from estate.load.scenario import read_scenario_dict, scenario_from_dict, set_dotted
from estate.runs.sweep import parse_vary, run_id
from tests.fixtures import write_scenario

VARIES = ("sharing.efficiency=0:0.2:2", "coverage.0.radius_km=0.5,6")


def _single(scenario_path: Path, parameters: dict) -> estate.Plan:
    raw = read_scenario_dict(scenario_path)
    for key, value in parameters.items():
        raw = set_dotted(raw, key, value)
    sc = scenario_from_dict(raw, base_dir=scenario_path.parent, label=str(scenario_path))
    return estate.plan(sc, write=False)


def test_vary_values() -> None:
    assert parse_vary("sharing.efficiency=0.1:0.2:3").values == (0.1, 0.15, 0.2)
    assert parse_vary("relocation.cost_per_fte=1000:3000:3").values == (1000, 2000, 3000)
    assert all(isinstance(v, int) for v in parse_vary("a.b=1000:3000:3").values)
    assert parse_vary("relocation.max_km=10:20:1").values == (10,)
    assert parse_vary("discount_rate=0:0.1:5").values == (0.0, 0.025, 0.05, 0.075, 0.1)
    assert parse_vary("x=1,2.5,abc,true,inf").values == (1, 2.5, "abc", True, float("inf"))
    assert parse_vary("crs=EPSG:27700").values == ("EPSG:27700",)
    assert parse_vary("crs=EPSG:27700,EPSG:32631").values == ("EPSG:27700", "EPSG:32631")
    for bad in ("sharing.efficiency", "=1,2", "a=1:2:0", "a=1:2:1.5", "a=1,,2"):
        with pytest.raises(InputError):
            parse_vary(bad)


@pytest.mark.slow
def test_rows_equal_single_plans(corridor: Path, tmp_path: Path) -> None:
    result = sweep(corridor, [parse_vary(v) for v in VARIES], tmp_path / "out", workers=2)
    rows = pd.read_csv(tmp_path / "out" / "sweep.csv")
    assert list(rows.columns[:3]) == ["sharing.efficiency", "coverage.0.radius_km", "status"]
    assert "agency.CC.annual_cost_after" in rows.columns and "objective_npv" in rows.columns
    assert rows[["sharing.efficiency", "coverage.0.radius_km"]].values.tolist() == [
        [0.0, 0.5], [0.0, 6.0], [0.2, 0.5], [0.2, 6.0]]
    assert (rows["status"] == "optimal").all()
    for row in rows.itertuples(index=False):
        parameters = {"sharing.efficiency": row[0], "coverage.0.radius_km": row[1]}
        single = _single(corridor, parameters)
        assert row.objective_npv == pytest.approx(single.summary.objective_npv, rel=1e-9)
        assert row.npv_saving == pytest.approx(single.summary.npv_saving, rel=1e-9)
        assert row.sites_after == single.summary.sites_after
        assert (tmp_path / "out" / "runs" / row.run_id / "summary.json").exists()
    assert sorted(result.solved) == sorted(rows["run_id"])
    robust = pd.read_csv(tmp_path / "out" / "site_robustness.csv")
    assert list(robust.columns[:3]) == ["site_id", "name", "open_share"]
    assert (robust["runs"] == 4).all()


@pytest.mark.slow
def test_failures_are_rows(corridor: Path, tmp_path: Path) -> None:
    varies = [parse_vary("coverage.0.mode=maintain,all"),
              parse_vary("sharing.efficiency=0.1,1.5")]
    result = sweep(corridor, varies, tmp_path / "out", workers=2)
    status = {(r["coverage.0.mode"], r["sharing.efficiency"]): r["status"]
              for _, r in result.rows.iterrows()}
    # mode "all" at 6 km: zones Z1..Z3 each have an access point within 6 km; make it
    # infeasible by the radius instead (below), and check the invalid value here.
    assert status[("maintain", 1.5)] == "invalid" and status[("all", 1.5)] == "invalid"
    assert "sharing.efficiency" in result.rows.loc[
        result.rows["sharing.efficiency"] == 1.5, "message"].iloc[0]
    infeasible = sweep(corridor, [parse_vary("coverage.0.mode=all,maintain"),
                              parse_vary("coverage.0.radius_km=0.5")], tmp_path / "inf")
    rows = infeasible.rows.set_index("coverage.0.mode")
    assert rows.at["all", "status"] == "infeasible"
    assert "zone Z1" in rows.at["all", "message"]
    assert rows.at["maintain", "status"] == "optimal"
    robust = infeasible.robustness
    assert (robust["runs"] == 1).all()  # only the run with a plan counts
    page = (tmp_path / "inf" / "sweep.html").read_text(encoding="utf-8")
    assert "<script" not in page
    assert set(re.findall(r"https?://[^\"]*", page)) == {"http://www.w3.org/2000/svg"}
    assert "<b>" not in page and "Town Hall &lt;b&gt;&amp;amp;&lt;/b&gt;" in page


@pytest.mark.slow
def test_resume_redoes_only_missing_runs(corridor: Path, tmp_path: Path) -> None:
    varies = [parse_vary(v) for v in VARIES]
    out = tmp_path / "out"
    first = sweep(corridor, varies, out, workers=2)
    runs = out / "runs"
    stamps = {rid: (runs / rid / "summary.json").stat().st_mtime_ns for rid in first.solved}
    gone = first.rows["run_id"].iloc[2]
    for path in sorted((runs / gone).iterdir()):
        path.unlink()
    (runs / gone).rmdir()
    second = sweep(corridor, varies, out, workers=2)
    assert second.solved == [gone]
    assert sorted(second.reused) == sorted(set(stamps) - {gone})
    for rid, stamp in stamps.items():
        if rid != gone:
            assert (runs / rid / "summary.json").stat().st_mtime_ns == stamp
    keep = [c for c in first.rows.columns if c != "solve_seconds"]
    pd.testing.assert_frame_equal(first.rows[keep], second.rows[keep], check_dtype=False)
    # A changed scenario file is a different run: nothing is reused.
    raw = read_scenario_dict(corridor)
    raw["horizon_years"] = 12
    write_scenario(corridor, raw)
    third = sweep(corridor, varies, out, workers=2)
    assert sorted(third.solved) == sorted(first.rows["run_id"])


def test_vary_the_register(corridor: Path, tmp_path: Path) -> None:
    """`data` is relative to the scenario file; a missing register is an invalid row, kept."""
    varies = [parse_vary("data=register,no_such_register")]
    first = sweep(corridor, varies, tmp_path / "out", workers=2)
    assert first.rows["status"].tolist() == ["optimal", "invalid"]
    assert "no_such_register" in first.rows["message"].iloc[1]
    again = sweep(corridor, varies, tmp_path / "out", workers=2)
    assert again.solved == [] and len(again.reused) == 2


def test_run_ids_depend_on_parameters_only() -> None:
    assert run_id({"a": 1, "b": "x"}) == run_id({"b": "x", "a": 1})
    assert run_id({"a": 1}) != run_id({"a": 1.5})


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Port 8787 is already in use:UserWarning")
def test_dask_gives_the_same_rows(corridor: Path, tmp_path: Path) -> None:
    from distributed import LocalCluster

    varies = [parse_vary(v) for v in VARIES]
    pool = sweep(corridor, varies, tmp_path / "pool", workers=2)
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                      dashboard_address=None) as cluster:
        on_dask = sweep(corridor, varies, tmp_path / "dask", executor="dask",
                        scheduler=cluster.scheduler_address)
    keep = [c for c in pool.rows.columns if c != "solve_seconds"]
    pd.testing.assert_frame_equal(pool.rows[keep], on_dask.rows[keep], check_dtype=False)
    assert sorted(on_dask.solved) == sorted(pool.rows["run_id"])
    pd.testing.assert_frame_equal(pool.robustness, on_dask.robustness)


def test_command_line(corridor: Path, tmp_path: Path) -> None:
    out = tmp_path / "cli"
    cwd = os.getcwd()
    result = CliRunner().invoke(cli, ["sweep", str(corridor), "--vary",
                                      "relocation.cost_per_fte=0,5000", "--out", str(out),
                                      "--workers", "2"], catch_exceptions=False)
    assert os.getcwd() == cwd
    assert result.exit_code == 0, result.output
    assert "2 runs (2 planned now, 0 reused)" in result.output
    for name in ("sweep.csv", "site_robustness.csv", "sweep.html"):
        assert (out / name).exists()
    bad = CliRunner().invoke(cli, ["sweep", str(corridor), "--vary", "nonsense", "--out",
                                   str(out)], catch_exceptions=False)
    assert bad.exit_code == 1
