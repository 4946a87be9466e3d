"""Sweeps: rows equal single plans, failures are rows, resumes redo only missing runs."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

import estate
import estate.runs.sweep
from estate.api import sweep
from estate.cli import cli
from estate.errors import InputError
from estate.load.scenario import scenario_from_dict, set_dotted
from estate.load.toml_text import read_scenario_dict
from estate.runs.sweep import grid, parse_vary, run_id
from estate.runs.vary import check_keys
from estate.store.folder import folder_lock
from tests.fixtures import (
    corridor_register,
    corridor_scenario,
    invoke,
    run_cli,
    scenario_on,
    town,
    write_scenario,
)
from tests.fixtures.registers import two_offices_register

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
    assert parse_vary("agencies=[CC,PD],[CC]").values == (("CC", "PD"), ("CC",))
    assert parse_vary("policy.keep=[], ['007'; S2]").values == ((), ("007", "S2"))
    assert parse_vary('name="2027"').values == ("2027",)  # quoted: text as written
    assert parse_vary('name="a,b",O\'Brien').values == ("a,b", "O'Brien")
    # ids are text, leading zeros and all; a list of numbers stays numbers
    assert parse_vary("policy.keep=[004],['S,1']").values == (("004",), ("S,1",))
    assert parse_vary('policy.keep=["x", "a]b"]').values == (("x", "a]b"),)  # any item
    assert parse_vary("programme.max_one_off_per_year=[1e6;2e6],[3]").values == (
        (1e6, 2e6), (3,))
    for bad in ("sharing.efficiency", "=1,2", "a=1:2:0", "a=1:2:1.5", "a=1,,2", "a=[A,B",
                "a=[A]],[B]", "a=[A,,B]", "a=[a] [b]", "a=[[a]]", 'a="b', "a=b]",
                "policy.keep=[S1],['S1']", "a=1,1.0", "a=[],[ ]"):
        with pytest.raises(InputError):
            parse_vary(bad)


def test_a_range_inside_a_list_of_values_is_refused_before_any_run(tmp_path: Path) -> None:
    """`0.1:0.2:3,0.5` made the text "0.1:0.2:3" and one invalid run: a range stands
    alone. Quoted it is text as written; colons that are not three numbers are a value."""
    for bad in ("sharing.efficiency=0.1:0.2:3,0.5", "a=0.5, 1:3:3", "a=1,-1:1e3:2,2"):
        with pytest.raises(InputError) as caught:
            parse_vary(bad)
        assert "a range LO:HI:N standing alone" in caught.value.problems[0].expected
    assert parse_vary('a="0.1:0.2:3",0.5').values == ("0.1:0.2:3", 0.5)
    assert parse_vary("crs=EPSG:27700,1:2").values == ("EPSG:27700", "1:2")
    town(tmp_path)
    run = invoke(tmp_path, "sweep", "tiny.toml", "--vary", "sharing.efficiency=0.1:0.2:3,0.5",
                 "--out", "sw")
    assert run.code == 1, run.output
    assert "--vary: expected a range LO:HI:N standing alone (sharing.efficiency=0.1:0.2:3), " \
        "or the values listed one by one (sharing.efficiency=0.1,0.15,0.2,0.5)" \
        in run.stderr, run.stderr
    assert not (tmp_path / "sw").exists()


@pytest.mark.parametrize(("spec", "said"), [
    ("sharing.efficiency=0.1:0.1:3", "expected each value once in sharing.efficiency=LO:HI:N "
     "(LO and HI equal only with N = 1), found 'sharing.efficiency=0.1:0.1:3' (0.1 given "
     "twice)"),
    ("relocation.cost_per_fte=5000:5000:2", "(5000 given twice)"),
    ("sharing.efficiency=0.1,0.2,0.10", "(0.10 is 0.1 again)"),
    ("coverage.0.mode=maintain,all,maintain", "(maintain given twice)"),
    ("policy.keep=[S1],['S1']", "(['S1'] is [S1] again)"),
])
def test_a_value_twice_is_refused_naming_it(tmp_path: Path, spec: str, said: str) -> None:
    """LO:HI:N with LO = HI made one run N times (run ids clashing between workers, or
    one run counted N times in site_robustness): refused as a list's repeat is, each
    message saying which value repeats. LO = HI with N = 1 is the value alone."""
    with pytest.raises(InputError) as caught:
        parse_vary(spec)
    assert said in str(caught.value.problems[0]), caught.value.problems[0]
    assert parse_vary("sharing.efficiency=0.1:0.1:1").values == (0.1,)
    town(tmp_path)
    run = invoke(tmp_path, "sweep", "tiny.toml", "--vary", spec, "--out", "sw")
    assert run.code == 1 and said in run.stderr, run.output
    assert not (tmp_path / "sw").exists()

@pytest.mark.parametrize(("spec", "said"), [
    ("policy.keep=[S1],S2", "(S2: write [S2])"),
    ("agencies=A", "(A: write [A])"),
    ("policy.keep=S1,S2", "(write policy.keep=[S1],[S2] for a run each, or "
     "policy.keep=[S1,S2] for one run of them all)"),
])
def test_a_list_key_given_a_bare_value_is_refused_with_the_list_to_write(
        spec: str, said: str) -> None:
    """A bare S2 for policy.keep was a run of an invalid scenario, its message telling
    the scenario file's ["S2"], not --vary's [S2]: refused before any run."""
    with pytest.raises(InputError) as caught:
        parse_vary(spec)
    assert said in str(caught.value.problems[0]), caught.value.problems[0]
    assert "a whole list in brackets" in str(caught.value.problems[0])



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
    # a run whose register a worker refuses is not counted as planned now (it was)
    bad = tmp_path / "bad"
    shutil.copytree(tmp_path / "register", bad)
    sites = (bad / "sites.csv").read_text(encoding="utf-8").splitlines()
    sites[1] = sites[1].replace(sites[1].split(",")[0], "", 1)  # a site with no id
    (bad / "sites.csv").write_text("\n".join(sites) + "\n", encoding="utf-8")
    mixed = sweep(corridor, [parse_vary(f"data={tmp_path / 'register'},{bad}")],
                  tmp_path / "mixed", workers=1)
    assert sorted(mixed.rows["status"]) == ["invalid", "optimal"]
    assert mixed.solved == list(mixed.rows.loc[mixed.rows["status"] == "optimal", "run_id"])
    assert "sharing.efficiency" in result.rows.loc[
        result.rows["sharing.efficiency"] == 1.5, "message"].iloc[0]
    infeasible = sweep(corridor, [parse_vary("coverage.0.mode=all,maintain"),
                              parse_vary("coverage.0.radius_km=0.5")], tmp_path / "inf")
    rows = infeasible.rows.set_index("coverage.0.mode")
    assert rows.at["all", "status"] == "infeasible"
    assert "zone Z1" in rows.at["all", "message"]
    assert "; the rules to relax: coverage.0." in rows.at["all", "message"]  # as plan says
    assert rows.at["maintain", "status"] == "optimal"
    robust = infeasible.robustness
    assert (robust["runs"] == 1).all()  # only the run with a plan counts
    page = (tmp_path / "inf" / "sweep.html").read_text(encoding="utf-8")
    assert "<script" not in page
    assert set(re.findall(r"https?://[^\"]*", page)) == {"http://www.w3.org/2000/svg"}
    assert "<b>" not in page and "Town Hall &lt;b&gt;&amp;amp;&lt;/b&gt;" in page


FILE_LIMIT = """
import resource, sys
resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))
from estate.__main__ import main
sys.argv = ["estate", "sweep", sys.argv[1], "--vary", "sharing.efficiency=0.1,0.2", "--out",
            "sw", "--workers", "1"]
main()
"""


def test_a_sweep_none_of_whose_runs_could_be_stored_is_exit_1(corridor: Path,
                                                             tmp_path: Path) -> None:
    """A disk that fills under the runs (here a file-size limit each plan's GeoPackage
    passes): every run planned, none stored, and the sweep said "2 invalid" and exited 0,
    a success to a scheduler (a review). It is an output not written: exit 1, no tables."""
    done = subprocess.run([sys.executable, "-c", FILE_LIMIT, str(corridor)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    assert "No run of the sweep could be stored: " in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "sw").exists()  # nor an empty folder left to mistake for one


def test_a_sweep_with_no_valid_run_is_refused_before_any(corridor: Path, tmp_path: Path
                                                         ) -> None:
    """Every combination refused is the scenario's mistake (or the values'), not a sweep
    of failures: exit 1 naming it, nothing written. One valid run is a sweep."""
    bad = write_scenario(tmp_path / "bad.toml", {**read_scenario_dict(corridor),
                                                 "horizon_years": 0})
    run = run_cli(tmp_path, "sweep", bad, "--vary", "sharing.efficiency=0.1,0.2",
                  "--out", "sw")
    assert run.code == 1, run.output
    assert "all 2 refused; the first:" in run.stderr and "horizon_years" in run.stderr
    run = run_cli(tmp_path, "sweep", corridor, "--vary", "sharing.efficiency=1.5,2",
                  "--out", "sw")
    assert run.code == 1 and "sharing.efficiency" in run.stderr, run.output
    assert not (tmp_path / "sw").exists()
    fixed = sweep(bad, [parse_vary("horizon_years=0,5")], tmp_path / "fixed")
    assert sorted(fixed.rows["status"]) == ["invalid", "optimal"]
    # every run refused by its register as it is planned (a site it lacks): exit 1 too,
    # and no tables, where a scheduled job had read exit 0 as a sweep done
    run = run_cli(tmp_path, "sweep", corridor, "--vary", "policy.keep=[S9],[S8]",
                  "--out", "nosite", "--workers", "1")
    assert run.code == 1, run.output
    assert "all 2 refused; the first:" in run.stderr and "S9" in run.stderr
    # each refusal is kept, so the closing line does not say nothing was written
    assert len(list((tmp_path / "nosite" / "runs").glob("*/outcome.json"))) == 2
    assert "Nothing was planned, and no table of the sweep was written (a run its " \
           "register refused keeps its outcome.json in runs/)" in run.stderr, run.stderr
    assert not any((tmp_path / "nosite" / name).exists()
                   for name in ("sweep.csv", "site_robustness.csv", "sweep.html"))


@pytest.mark.slow
def test_a_run_planned_with_warnings_says_so_in_the_sweep(corridor: Path, tmp_path: Path
                                                         ) -> None:
    """A coverage rule for a service no site offers is void: its run is planned, saves
    more (no rule holds a site open) and reads as any other optimum unless its warning
    reaches the sweep's table and page, reused runs' too."""
    # given as the command line's text, as a script may (a Vary is read from it)
    varies = ["coverage.0.service=public_access,library"]
    first = sweep(corridor, varies, tmp_path / "sw", workers=1)
    rows = first.rows.set_index("coverage.0.service")
    assert list(rows["warnings"]) == [0, 1]
    assert rows.at["library", "npv_saving"] > rows.at["public_access", "npv_saving"]
    library = tmp_path / "sw" / "runs" / rows.at["library", "run_id"] / "warnings.csv"
    assert "library" in library.read_text(encoding="utf-8")
    page = (tmp_path / "sw" / "sweep.html").read_text(encoding="utf-8")
    assert "1 of the runs was planned with warnings" in page
    again = sweep(corridor, varies, tmp_path / "sw", workers=1)
    assert sorted(again.reused) == sorted(first.rows["run_id"])
    assert list(again.rows["warnings"]) == [0, 1]
    written = pd.read_csv(tmp_path / "sw" / "sweep.csv", encoding="utf-8-sig")
    assert list(written.columns[-3:]) == ["warnings", "message", "run_id"]


def test_an_interrupted_sweep_counts_only_the_runs_a_rerun_reuses(
        swept: Path, tmp_path: Path) -> None:
    """Stopped after its scenario changed, a sweep's stored runs are of the scenario as it
    was: none is counted as stored, as the rerun plans them all again."""
    out = tmp_path / "out"
    shutil.copytree(swept / "base", out)
    varies = [parse_vary(v) for v in SMALL[1::2]]

    def interrupted(scenario: Path) -> str:
        tasks, _, _ = estate.runs.sweep._tasks(scenario, varies, out, 100, None)
        with pytest.raises(estate.runs.sweep.SweepInterrupted) as stopped, \
                estate.runs.sweep._interrupted(tasks, len(tasks), out):
            raise KeyboardInterrupt
        return str(stopped.value)

    assert interrupted(swept / "town.toml").startswith(
        f"Interrupted: 2 of 2 runs are stored in {out / 'runs'} (2 with a plan)")
    changed = write_scenario(tmp_path / "town.toml", {
        **read_scenario_dict(swept / "town.toml"),
        "sharing": {**read_scenario_dict(swept / "town.toml")["sharing"], "setup_cost": 60_000}})
    assert interrupted(changed).startswith("Interrupted: none of the 2 runs is stored; ")


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


def test_the_same_keys_in_another_order_reuse_the_runs(corridor: Path, tmp_path: Path
                                                       ) -> None:
    """The same --vary keys typed in another order gave the same run ids, yet every run
    was planned again: its stored name held the keys in typed order. The name lists
    them in one order, so the runs are reused."""
    a, b = "relocation.cost_per_fte=0,5000", "sharing.efficiency=0.1"
    first = sweep(corridor, [parse_vary(a), parse_vary(b)], tmp_path / "out", workers=1)
    again = sweep(corridor, [parse_vary(b), parse_vary(a)], tmp_path / "out", workers=1)
    assert again.solved == [] and sorted(again.reused) == sorted(first.rows["run_id"])
    assert list(again.rows.columns[:2]) == ["sharing.efficiency", "relocation.cost_per_fte"]
    assert sorted(again.rows["scenario"]) == sorted(first.rows["scenario"]) == [
        "town [relocation.cost_per_fte=0, sharing.efficiency=0.1]",
        "town [relocation.cost_per_fte=5000, sharing.efficiency=0.1]"]


def test_vary_the_register(corridor: Path, tmp_path: Path) -> None:
    """`data` is relative to the scenario file; a missing register is an invalid row, kept."""
    varies = [parse_vary("data=register,no_such_register")]
    first = sweep(corridor, varies, tmp_path / "out", workers=2)
    assert first.rows["status"].tolist() == ["optimal", "invalid"]
    assert "no_such_register" in first.rows["message"].iloc[1]
    again = sweep(corridor, varies, tmp_path / "out", workers=2)
    assert again.solved == [] and len(again.reused) == 2


def test_vary_a_list(corridor: Path, tmp_path: Path) -> None:
    """A list-valued key takes whole lists: the run that keeps S2 is the plan with
    policy.keep = ["S2"], and sweep.csv shows each list as typed."""
    result = sweep(corridor, [parse_vary("policy.keep=[],[S2]")], tmp_path / "out", workers=1)
    assert result.rows["status"].tolist() == ["optimal", "optimal"]
    assert result.rows["policy.keep"].tolist() == ["[]", "[S2]"]
    for i, keep in enumerate(([], ["S2"])):
        alone = _single(corridor, {"policy.keep": keep})
        assert result.rows["objective_npv"].iloc[i] == pytest.approx(
            alone.summary.objective_npv, rel=1e-9)
    # the optimum closes S2, so only the run that keeps it has it open
    assert result.robustness.set_index("site_id").at["S2", "runs_open"] == 1
    page = (tmp_path / "out" / "sweep.html").read_text(encoding="utf-8")
    assert "Varied: policy.keep over [], [S2]." in page


def test_a_list_of_numbers_is_shown_as_typed(tmp_path: Path) -> None:
    """sweep.csv and the runs' names show a varied list's numbers as typed (`1e6`, not
    `1000000.0`), while each stays the number it stands for, in the run's scenario and
    its id, and across processes."""
    import pickle

    from estate.runs.sweep import RunOutcome, shown, sweep_rows
    from estate.status import Status
    from estate.store.csv_cells import write_safe_csv

    typed = ["[1e6, 5e5, inf, 2.50]", "[3, 1000000.0]"]
    vary = parse_vary("programme.max_one_off_per_year=[1e6;5e5;inf;2.50],[3; 1000000.0]")
    assert vary.values == ((1e6, 5e5, float("inf"), 2.5), (3, 1e6))
    assert [shown(v) for v in vary.values] == typed
    assert [shown(pickle.loads(pickle.dumps(v))) for v in vary.values] == typed
    # the same runs as before: the ids are those of the plain numbers
    assert run_id({"k": vary.values[0]}) == run_id({"k": (1e6, 5e5, float("inf"), 2.5)})
    outcomes = [RunOutcome(run_id({"k": v}), {"k": v}, Status.INFEASIBLE, "stuck")
                for v in vary.values]
    write_safe_csv(sweep_rows(outcomes, ["k"]), tmp_path / "sweep.csv")
    with open(tmp_path / "sweep.csv", encoding="utf-8-sig", newline="") as f:
        assert [r["k"] for r in csv.DictReader(f)] == typed


def test_booleans_are_shown_as_typed(corridor: Path, tmp_path: Path) -> None:
    """`assignment.split=true,false` showed True and False, as Python writes them, in
    sweep.csv, the runs' names and the page: they read as typed."""
    result = sweep(corridor, [parse_vary("assignment.split=true,false")], tmp_path / "out",
                   workers=1)
    assert result.rows["status"].tolist() == ["optimal", "optimal"]
    with open(tmp_path / "out" / "sweep.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["assignment.split"] for r in rows] == ["true", "false"]
    assert [r["scenario"] for r in rows] == ["town [assignment.split=true]",
                                             "town [assignment.split=false]"]
    page = (tmp_path / "out" / "sweep.html").read_text(encoding="utf-8")
    assert "True" not in page and "False" not in page
    assert "Varied: assignment.split over true, false." in page
    assert ">true</text>" in page and "<td>false</td>" in page


@pytest.mark.parametrize(("spec", "said"), [
    ("policy.max_one_off=0:1e6:3", ["0", "500000", "1000000"]),
    ("policy.max_one_off=1e6,2.5e5", ["1000000", "250000"]),
    ("sharing.efficiency=0.0,0.1", ["0", "0.1"]),
])
def test_a_number_is_never_shown_as_python_writes_a_float(tmp_path: Path, spec: str,
                                                         said: list[str]) -> None:
    """Spaced ends or values with a point or an exponent were shown 0.0, 500000.0 and
    1000000.0, in sweep.csv and the runs' names alike (docs/sweeps.md: never 0.0)."""
    from estate.runs.sweep import RunOutcome, shown, sweep_rows
    from estate.status import Status
    from estate.store.csv_cells import write_safe_csv

    vary = parse_vary(spec)
    assert [shown(v) for v in vary.values] == said
    outcomes = [RunOutcome(run_id({"k": v}), {"k": v}, Status.INFEASIBLE, "stuck")
                for v in vary.values]
    write_safe_csv(sweep_rows(outcomes, ["k"]), tmp_path / "sweep.csv")
    with open(tmp_path / "sweep.csv", encoding="utf-8-sig", newline="") as f:
        assert [r["k"] for r in csv.DictReader(f)] == said


def test_a_count_only_some_runs_have_stays_whole(corridor: Path, tmp_path: Path) -> None:
    """A reduction's count that fired in one run and not in the other (as when a site
    one run keeps by policy meets a covering row): the run with it shows 2, the other a
    blank, never 2.0."""
    from estate.runs.sweep import RunOutcome, sweep_rows
    from estate.status import Status
    from estate.store.csv_cells import write_safe_csv

    summary = _single(corridor, {}).summary
    size = {**(summary.model_size or {}), "reduced_rows_implied": 2}
    lacking = {k: v for k, v in size.items() if k != "reduced_rows_implied"}
    outcomes = [RunOutcome(run, {"k": k}, Status.OPTIMAL, summary=summary.replace(model_size=m))
                for run, k, m in (("a", 1, size), ("b", 2, lacking))]
    write_safe_csv(sweep_rows(outcomes, ["k"]), tmp_path / "sweep.csv")
    with open(tmp_path / "sweep.csv", encoding="utf-8-sig", newline="") as f:
        table = list(csv.DictReader(f))
    assert [r["model_size.reduced_rows_implied"] for r in table] == ["2", ""]
    assert [r["model_size.columns"] for r in table] == [str(size["columns"])] * 2


def test_a_sweep_with_no_plan_keeps_its_summary_columns(corridor: Path, tmp_path: Path
                                                         ) -> None:
    """When no run had a plan, sweep.csv had only the varied keys, status, message and
    run_id: it keeps every column a plan's summary always has, in the same order, empty
    (docs/sweeps.md: runs without a plan have empty summary cells)."""
    from estate.runs.sweep import RunOutcome, sweep_rows
    from estate.status import Status

    result = sweep(corridor, [parse_vary("coverage.0.mode=all"),
                              parse_vary("coverage.0.radius_km=0.5,0.6")], tmp_path / "out",
                   workers=1)
    assert result.rows["status"].tolist() == ["infeasible", "infeasible"]
    with open(tmp_path / "out" / "sweep.csv", encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    summary = _single(corridor, {}).summary
    planned = sweep_rows([RunOutcome("a", {"coverage.0.mode": "all",
                                           "coverage.0.radius_km": 0.5}, Status.OPTIMAL,
                                     summary=summary)],
                         ["coverage.0.mode", "coverage.0.radius_km"])
    header = table[0]
    assert header[:3] == ["coverage.0.mode", "coverage.0.radius_km", "status"]
    assert header[-2:] == ["message", "run_id"]
    assert header == [c for c in planned.columns if c in header]  # a plan's order
    for column in ("objective_npv", "npv_saving", "npv_saving_basis", "sites_after",
                   "sites_closed", "shared_centres", "mip_gap", "horizon_years"):
        assert column in header
        assert [row[header.index(column)] for row in table[1:]] == ["", ""]
    # a varied key that is a summary key is one column, the varied one
    rows = sweep_rows([RunOutcome("b", {"discount_rate": 0.05}, Status.INFEASIBLE, "stuck")],
                      ["discount_rate"])
    assert list(rows.columns).count("discount_rate") == 1
    assert list(rows.columns[:2]) == ["discount_rate", "status"]


def test_run_ids_depend_on_parameters_only() -> None:
    assert run_id({"a": 1, "b": "x"}) == run_id({"b": "x", "a": 1})
    assert run_id({"a": 1}) != run_id({"a": 1.5})
    # a number typed two ways is one run, as the scenario reads it, in a list too
    assert run_id({"a": 1000}) == run_id({"a": 1000.0}) == run_id({"a": 1e3})
    assert run_id({"a": (1e6, 2.5)}) == run_id({"a": (1000000, 2.5)})
    assert run_id({"a": True}) != run_id({"a": 1})


def test_a_number_past_any_float_is_refused_as_bad_input(corridor: Path, tmp_path: Path
                                                         ) -> None:
    """A whole number of 401 digits (a key held down) was an unexpected OverflowError as
    its values were checked for repeats, and again as its run's id was made: it is a run
    the scenario refuses, and the sweep, every run refused, is bad input."""
    huge = "1" + "0" * 400
    vary = parse_vary(f"horizon_years={huge}")
    assert vary.values == (int(huge),)
    assert len(run_id({"horizon_years": int(huge)})) == 12
    with pytest.raises(InputError) as caught:
        sweep(corridor, [vary], tmp_path / "out", workers=1)
    assert "all 1 refused" in str(caught.value)


def _sha(parameters: dict[str, Any]) -> str:
    """The hash of a run's parameters that its id is cut from, worked out here on its
    own; its first twelve digits were every run's id up to stop 60."""
    text = json.dumps(parameters, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def test_no_run_id_is_a_number_to_excel() -> None:
    """About 1 id in 140 was twelve decimal digits, or digits about an `e`, which Excel
    shows as 1.23457E+11 in sweep.csv. Those take an `r`; the others are as before."""
    numbers = [k for k in range(3000) if re.fullmatch(r"\d+(e\d+)?", _sha({"k": k})[:12])]
    assert len(numbers) >= 5  # the case arises at this size
    for k in range(3000):
        rid = run_id({"k": k})
        assert not re.fullmatch(r"\d+(e\d+)?", rid) and len(rid) == 12
        assert rid == ("r" + _sha({"k": k})[:11] if k in numbers else _sha({"k": k})[:12])


def test_runs_stored_under_an_older_id_are_reused(corridor: Path, tmp_path: Path) -> None:
    """A sweep stored by an older estate, whose ids took `1.0` apart from `1`, is reused
    whole, typed either way now: each run's folder is taken under its id now, and nothing
    is planned again."""
    varies = [parse_vary("relocation.cost_per_fte=0.0,2500.5,5000.0")]
    out = tmp_path / "out"
    first = sweep(corridor, varies, out, workers=1)
    runs = out / "runs"
    for value in (0.0, 2500.5, 5000.0):  # as the older estate named them
        (runs / run_id({"relocation.cost_per_fte": value})).rename(
            runs / _sha({"relocation.cost_per_fte": value})[:12])
    assert sorted(p.name for p in runs.iterdir()) != sorted(first.rows["run_id"])
    # typed now as whole numbers, where the older sweep typed them as decimals
    again = sweep(corridor, [parse_vary("relocation.cost_per_fte=0,2500.5,5000")], out,
                  workers=1)
    assert again.solved == [] and sorted(again.reused) == sorted(first.rows["run_id"])
    assert sorted(p.name for p in runs.iterdir()) == sorted(first.rows["run_id"])


FULL_DISK = """
import resource, signal, sys
from pathlib import Path
from estate.errors import OutputError
from estate.runs.sweep import parse_vary, sweep
if __name__ == "__main__":  # (a spawned worker imports this file)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails
    resource.setrlimit(resource.RLIMIT_FSIZE, (30_000, 30_000))
    try:
        sweep(Path(sys.argv[1]), [parse_vary("relocation.cost_per_fte=1000")],
              Path(sys.argv[2]), workers=1)
    except OutputError as exc:
        print("unstored", exc)
"""


def test_a_run_the_disk_had_no_room_for_is_planned_again(corridor: Path, tmp_path: Path
                                                          ) -> None:
    """A run whose results could not be written (here past a file-size limit, as on a
    full disk: plan.gpkg is larger than the limit) is said in estate's words and not
    stored as settled (the sweep's only run: no run stored, an output not written): the
    same sweep with room plans it again, where it was once kept as `invalid` for good."""
    out, script = tmp_path / "out", tmp_path / "full.py"
    script.write_text(FULL_DISK, encoding="utf-8")
    full = subprocess.run([sys.executable, str(script), str(corridor), str(out)],
                          capture_output=True, text=True, check=False,
                          cwd=Path(__file__).resolve().parents[1])
    status, _, message = full.stdout.strip().partition(" ")
    assert status == "unstored", full.stdout + full.stderr
    assert message.startswith("No run of the sweep could be stored: ")
    assert "could not be written: a file reached the file-size limit set for estate (ulimit " \
        "-f): raise it." in message, message
    # the run's folder is not --out itself, and another --out would plan every run again
    assert "(a run's folder in the sweep's --out) could not be written" in message, message
    # the cause is said before (a file-size limit: raise it), the words after are for any
    assert message.endswith("once that is mended, run the sweep again: it plans only the "
                            "runs not stored."), message
    assert "another --out" not in message, message
    again = sweep(corridor, [parse_vary("relocation.cost_per_fte=1000")], out, workers=1)
    assert again.reused == [] and [str(o.status) for o in again.outcomes] == ["optimal"]


def test_an_older_copy_beside_a_run_is_removed(corridor: Path, tmp_path: Path) -> None:
    """A run stored under its id now and again under an id an older estate gave it (a
    sweep interrupted under one estate, finished under another) is kept once: the copy
    under the older id goes, the run is reused, and nothing is planned again."""
    varies = [parse_vary("relocation.cost_per_fte=0.0,5000.0")]
    out = tmp_path / "out"
    first = sweep(corridor, varies, out, workers=1)
    runs = out / "runs"
    newer = runs / run_id({"relocation.cost_per_fte": 5000.0})
    shutil.copytree(newer, runs / _sha({"relocation.cost_per_fte": 5000.0})[:12])
    again = sweep(corridor, varies, out, workers=1)
    assert again.solved == [] and sorted(again.reused) == sorted(first.rows["run_id"])
    assert sorted(p.name for p in runs.iterdir()) == sorted(first.rows["run_id"])


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


def test_runs_land_in_out_whatever_the_worker_s_working_directory(
        corridor: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A relative --out reached a Dask worker as a relative folder, resolved in the
    worker's working directory: the runs landed there, resume never found them. Each
    run's folder goes to the workers absolute; here a worker runs elsewhere."""
    from estate.runs import executor

    def elsewhere(fn: Callable[[Any], Any], tasks: list[Any], *args: Any, **kwargs: Any
                  ) -> Any:
        assert all(Path(task.folder).is_absolute() for task in tasks)
        monkeypatch.chdir(worker)
        try:
            yield from executor.run_all(fn, tasks, "serial")
        finally:
            monkeypatch.chdir(tmp_path)

    worker = tmp_path / "worker"
    worker.mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(estate.runs.sweep, "run_all", elsewhere)
    varies = [parse_vary("relocation.cost_per_fte=0,5000")]
    first = sweep(corridor, varies, "sw")
    assert sorted(p.name for p in (tmp_path / "sw" / "runs").iterdir()) == sorted(
        first.rows["run_id"])
    assert not list(worker.iterdir())
    again = sweep(corridor, varies, "sw")
    assert again.solved == [] and sorted(again.reused) == sorted(first.rows["run_id"])


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
    logged = CliRunner().invoke(cli, ["sweep", str(corridor), "--vary",
                                      "relocation.cost_per_fte=0,5000", "--out", str(out),
                                      "--progress"], catch_exceptions=False)
    assert logged.exit_code == 0, logged.output
    lines = logged.stderr.splitlines()  # a line per run, in a log, with its status and id
    assert [line.split(":")[0] for line in lines] == ["Run 1 of 2 done", "Run 2 of 2 done"]
    run_ids = sorted(p.name for p in (out / "runs").iterdir())
    assert sorted(re.fullmatch(r"Run \d of 2 done: optimal \((.+)\)", line).group(1)  # type: ignore[union-attr]
                  for line in lines) == run_ids, lines


# --- Checked before anything runs -------------------------------------------------------


def test_values_and_grids_past_the_limits_are_refused_at_once(corridor: Path,
                                                              tmp_path: Path) -> None:
    t0 = time.monotonic()
    with pytest.raises(InputError, match="from 1 to 100,000"):
        parse_vary("sharing.efficiency=0:1:1000000000")
    with pytest.raises(InputError, match="at most 100,000 values"):
        parse_vary("relocation.max_km=" + ",".join(["1"] * 100_001))
    varies = [parse_vary("sharing.efficiency=0:0.3:40"),
              parse_vary("relocation.cost_per_fte=0:5000:30")]
    assert len(grid(varies, most=1200)) == 1200  # the limit may be raised
    with pytest.raises(InputError, match=r"1,200 combinations: 40 \(sharing.efficiency\) x "
                                         r"30 \(relocation.cost_per_fte\)"):
        grid(varies)
    assert time.monotonic() - t0 < 10
    out = tmp_path / "big"
    run = CliRunner().invoke(cli, ["sweep", str(corridor), "--vary", "sharing.efficiency="
                                   "0:0.3:40", "--vary", "relocation.cost_per_fte=0:5000:30",
                                   "--out", str(out)])
    assert run.exit_code == 1 and "at most 1,000 runs" in run.output, run.output
    assert "--max-runs" in run.output and not out.exists()
    small = CliRunner().invoke(cli, ["sweep", str(corridor), "--vary", "sharing.efficiency="
                                     "0.1,0.2", "--max-runs", "1", "--out", str(out)])
    assert small.exit_code == 1 and "at most 1 run (" in small.output and not out.exists()


@pytest.mark.parametrize(("key", "found"), [
    ("sharing.efficency", "did you mean `sharing.efficiency`?"),  # alone
    ("discount", "did you mean `discount_rate`?"),
    ("sharing.efficiency.IT", "sharing.efficiency is a single value"),
    ("coverage.0.radius", "did you mean `coverage.0.radius_km`?"),
    ("coverage.5.radius_km",
     "coverage has 1 entry: an index from 0 to 1 (the last adds a rule), not 5"),
    ("coverage.99999999999.radius_km", "not 99999999999"),
    ("policy.keep.3", "policy.keep is an empty list, so it has no entry 3: vary the whole "
                      "list instead, e.g. policy.keep=[A],[A,B]"),
    ("sharing.types.4", "sharing.types has 2 entries: an index from 0 to 1, not 4, or vary "
                        "the whole list (sharing.types=[A],[A,B])"),
    ("coverage.x.radius_km", "not x"),
    # a key named without its table, as a lead reads it off the scenario file
    ("max_km", "did you mean `relocation.max_km`?"),
    ("mip_gap", "did you mean `solver.mip_gap`?"),
])
def test_keys_the_scenario_does_not_know_are_refused(corridor: Path, tmp_path: Path,
                                                      key: str, found: str) -> None:
    """Exit 1 before any run, naming the key, with the keys it might have meant; an index
    far past a list's end is refused (it would have added empty rules)."""
    out = tmp_path / "out"
    t0 = time.monotonic()
    run = CliRunner().invoke(cli, ["sweep", str(corridor), "--vary", f"{key}=1,2",
                                   "--out", str(out)])
    assert run.exit_code == 1, run.output
    assert f"--vary, key {key}: expected a key the scenario knows" in run.output
    assert found in run.output and "known keys: " in run.output, run.output
    assert "relocation.cost_per_fte" in run.output  # the known keys are listed
    # but not `name`, which is refused as a varied key
    assert "known keys: name," not in run.output and ", name," not in run.output
    assert not out.exists() and time.monotonic() - t0 < 10


def test_the_name_is_not_varied(corridor: Path) -> None:
    """Varying `name` changed nothing (each run is named from the scenario's name and
    its values): refused before any run, saying so."""
    with pytest.raises(InputError) as caught:
        check_keys(read_scenario_dict(corridor), [parse_vary("name=A,B")])
    assert "each run is named" in str(caught.value) and "vary another key" in str(caught.value)


@pytest.mark.parametrize("keys", [("policy.keep=[S1],[S2]", "policy.keep.0=S3"),
                                  ("policy.keep.0=S3", "policy.keep=[S1],[S2]"),
                                  ("sharing.efficiency=0.1,0.2", "sharing.efficiency.HR=0.3")])
def test_a_key_and_one_inside_it_are_refused_naming_both(tmp_path: Path,
                                                         keys: tuple[str, str]) -> None:
    """`policy.keep` beside `policy.keep.0` was accepted, the one set last overriding the
    other: rows labelled with values never planned (or, the other way, a TypeError
    row). They are one key twice, refused before any run, naming both."""
    reg = corridor_register(tmp_path / "register")
    path = write_scenario(tmp_path / "town.toml", corridor_scenario(
        reg, policy={"keep": ["S1"]}, sharing={"efficiency": {"HR": 0.1, "Finance": 0.2}}))
    outer, inner = sorted(k.split("=")[0] for k in keys)
    run = run_cli(tmp_path, "sweep", path, "--vary", keys[0], "--vary", keys[1],
                  "--out", "sw")
    assert run.code == 1, run.output
    assert f"--vary: expected each key varied once, found {outer} and {inner}, a key " \
        "inside it" in run.stderr, run.stderr
    assert not (tmp_path / "sw").exists()
    grid([parse_vary("policy.keep=[S1]"), parse_vary("policy.keeps=1")])  # not inside


def test_known_keys_and_the_next_coverage_rule_are_accepted(corridor: Path) -> None:
    raw = read_scenario_dict(corridor)
    check_keys(raw, [parse_vary(v) for v in (
        "sharing.efficiency=0.1", "coverage.0.radius_km=3", "coverage.1.radius_km=3",
        "solver.time_limit_s=5", "programme.max_closures_per_year=1", "start=2027-04-01",
        "data=register", "policy.max_one_off=1e6")])


def test_only_dead_writers_debris_is_cleared(corridor: Path, tmp_path: Path) -> None:
    """A sweep clears what killed runs left in runs/, never what a live writer (another
    sweep's worker) is filling; a lock file nobody holds goes too."""
    out = tmp_path / "out"
    # a run its register refuses: nothing to solve, and a sweep of it alone is exit 1
    varies = [parse_vary("data=no_such_register")]
    with pytest.raises(InputError):
        sweep(corridor, varies, out, workers=1)
    stored = [run_id(parameters) for parameters in grid(varies, 1)]
    runs = out / "runs"
    dead = _dead_pid()
    live = os.getppid()
    (runs / f".abc.{dead}.k2j3h4x0.tmp").mkdir()  # a killed worker's half-written run
    (runs / f".abc.old-{dead}").mkdir()  # a run set aside by a worker killed mid-swap
    (runs / f".x.csv.{dead}.tmp").write_text("half")  # a half-written file
    kept = [f".def.{live}.q9w8e7r6.tmp", f".def.old-{live}", f".y.csv.{live}.tmp"]
    for name in kept[:2]:
        (runs / name).mkdir()
    (runs / kept[2]).write_text("being written")
    (runs / ".ghi.lock").write_text("")
    with pytest.raises(InputError):
        sweep(corridor, varies, out, workers=1)
    assert sorted(p.name for p in runs.iterdir()) == sorted([*kept, "abc", *stored])
    assert not list((runs / "abc").iterdir())  # the set-aside folder put back, as it was


def test_one_sweep_at_a_time_per_folder(corridor: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with folder_lock(out, replaced=False), pytest.raises(InputError,
                                                         match="another estate run"):
        sweep(corridor, [parse_vary("sharing.efficiency=0.1")], out)
    assert not (out / "runs").exists()


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


# --- Ctrl-C, SIGTERM and a killed parent, with real processes and signals --------------

SMALL = ("--vary", "sharing.efficiency=0.05", "--vary", "relocation.cost_per_fte=1000,5000")
BIG = ("--vary", "sharing.efficiency=0.05:0.3:6", "--vary", "relocation.cost_per_fte=1000,5000")


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the corridor scenario and `base/`, a finished sweep of SMALL: two
    runs, both also in BIG's twelve."""
    root = tmp_path_factory.mktemp("swept")
    write_scenario(root / "town.toml", corridor_scenario(corridor_register(root / "register")))
    done = run_cli(root, "sweep", "town.toml", *SMALL, "--out", "base", "--workers", "2")
    assert done.code == 0, done.output
    return root


def _descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc (the workers and their helpers)."""
    parents = {}
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
            parents[int(stat_file.parent.name)] = int(fields[1])
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        children = {p for p, pp in parents.items() if pp == parent}
        found |= children
        todo.extend(children)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def _stored(runs: Path) -> list[str]:
    return sorted(p.name for p in runs.iterdir() if not p.name.startswith(".") and (
        (p / "summary.json").is_file() or (p / "outcome.json").is_file()))


def _hidden(*folders: Path) -> list[str]:
    return sorted(str(p) for f in folders for p in f.iterdir() if p.name.startswith("."))


@pytest.mark.slow
@pytest.mark.parametrize("how", ["ctrl_c", "sigterm", "kill_parent"])
@pytest.mark.usefixtures("ctrl_c_raises")
def test_a_sweep_stops_when_told(swept: Path, tmp_path: Path, how: str) -> None:
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) or SIGTERM: the
    workers stop at once, exit 130, the message counts the stored runs; a parent killed
    outright takes its workers with it. The previous sweep.csv and runs are untouched,
    and the next run resumes from the stored runs and leaves no debris."""
    out = tmp_path / "out"
    shutil.copytree(swept / "base", out)
    before = (out / "sweep.csv").read_bytes()
    stamps = {p.name: (p / "summary.json").stat().st_mtime_ns for p in (out / "runs").iterdir()}
    # Ctrl-C as a terminal delivers it (ctrl_c_raises: the sweep does not start with
    # SIGINT ignored, as it would if this test process had it ignored)
    proc = subprocess.Popen(
        [sys.executable, "-m", "estate", "sweep", str(swept / "town.toml"), *BIG, "--out",
         str(out), "--workers", "2"], cwd=tmp_path, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, start_new_session=True,
        env={**os.environ, "TMPDIR": str(tmp_path)})  # what a killed sweep leaves stays here
    try:
        assert _wait_for(lambda: len(_stored(out / "runs")) > 2, 120), "no run finished"
        workers = _descendants(proc.pid)
        assert len(workers) >= 2, workers
        t0 = time.monotonic()
        {"ctrl_c": lambda: os.killpg(proc.pid, signal.SIGINT),
         "sigterm": lambda: proc.send_signal(signal.SIGTERM), "kill_parent": proc.kill}[how]()
        _, stderr = proc.communicate(timeout=60)
        stopped = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert _wait_for(lambda: not any(_alive(p) for p in workers), 5), "orphaned workers"
    stored = _stored(out / "runs")
    assert 2 < len(stored) < 12, "not stopped part-way"
    if how == "kill_parent":
        assert proc.returncode == -signal.SIGKILL
    else:
        assert proc.returncode == 130, stderr
        assert stopped < 15, f"took {stopped:.1f} s to stop"
        assert f"Interrupted: {len(stored)} of 12 runs are stored in {out / 'runs'}" in stderr
        assert "Run the same command again to resume" in stderr and "Traceback" not in stderr
        assert _hidden(out / "runs") == []  # the stopped workers' debris cleared at once
    assert (out / "sweep.csv").read_bytes() == before
    for name, stamp in stamps.items():
        assert (out / "runs" / name / "summary.json").stat().st_mtime_ns == stamp
    again = run_cli(tmp_path, "sweep", swept / "town.toml", *BIG, "--out", out,
                    "--workers", "2")
    assert again.code == 0, again.output
    assert f"12 runs ({12 - len(stored)} planned now, {len(stored)} reused)" in again.stdout
    assert len(_stored(out / "runs")) == 12
    assert _hidden(tmp_path, out, out / "runs") == []


# Ctrl-C while the parent shows a finished run's progress, a worker holding the lock of
# the next: the parent is outside the workers' wait when it is interrupted
_CTRL_C_WHILE_SHOWING = """
import os, signal, sys, time
from pathlib import Path
import estate.api
from estate.runs.sweep import parse_vary

runs = Path(sys.argv[2]) / "runs"

def on_outcome(outcome, done, total):
    deadline = time.monotonic() + 60
    while not list(runs.glob(".*.lock")) and time.monotonic() < deadline:
        time.sleep(0.01)
    print("lock seen" if list(runs.glob(".*.lock")) else "no lock", flush=True)
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(30)

if __name__ == "__main__":
    varies = [parse_vary(v) for v in sys.argv[3:]]
    try:
        estate.api.sweep(sys.argv[1], varies, sys.argv[2], workers=1, on_outcome=on_outcome)
    except KeyboardInterrupt as stopped:
        print(stopped, file=sys.stderr)
        sys.exit(130)
"""


@pytest.mark.usefixtures("ctrl_c_raises")
def test_ctrl_c_between_runs_leaves_no_lock(swept: Path, tmp_path: Path) -> None:
    """A real SIGINT reaching the parent while it shows a finished run, not while it
    waits for the workers: the worker is stopped before `runs/` is cleared, so the lock
    of the run it was planning is removed, as it is after a Ctrl-C at any other moment."""
    out = tmp_path / "out"
    script = tmp_path / "sweep_and_stop.py"
    script.write_text(_CTRL_C_WHILE_SHOWING, encoding="utf-8")
    varies = [v for v in BIG if v != "--vary"]
    proc = subprocess.run([sys.executable, str(script), str(swept / "town.toml"), str(out),
                           *varies], cwd=tmp_path, capture_output=True, text=True,
                          timeout=180, stdin=subprocess.DEVNULL)
    assert "lock seen" in proc.stdout, (proc.stdout, proc.stderr)  # the moment was hit
    assert proc.returncode == 130, proc.stderr
    assert "Interrupted: " in proc.stderr and "Traceback" not in proc.stderr
    assert _hidden(out / "runs") == []


SVG = "{http://www.w3.org/2000/svg}"


def _value_at(chart: str) -> Callable[[float], float]:
    """The chart's y axis read back from its gridlines and their numbers: a pixel height
    to the saving (£m) it stands for."""
    from xml.etree import ElementTree

    svg = ElementTree.fromstring(chart)
    grid = [float(line.get("y1", "")) for line in svg.iter(f"{SVG}line")
            if line.get("stroke") == "#ddd"]
    numbers = [float((t.text or "").replace(",", "")) for t in svg.iter(f"{SVG}text")
               if t.get("text-anchor") == "end"]
    assert len(grid) == len(numbers) >= 2
    (g0, n0), (g1, n1) = (grid[0], numbers[0]), (grid[-1], numbers[-1])
    return lambda px: n0 + (px - g0) * (n1 - n0) / (g1 - g0)


def test_the_mean_line_breaks_where_a_value_has_no_plan() -> None:
    """Four values, the third with no plan (infeasible): the mean line joins the first
    two and stops; the fourth stands alone, not joined to the second across the gap."""
    from xml.etree import ElementTree

    from estate.render.sweep_page import npv_chart

    rows = pd.DataFrame({"k": [1, 2, 3, 4], "status": ["optimal", "optimal", "infeasible",
                                                       "optimal"],
                         "objective_npv": [90e6, 89e6, None, 88e6],
                         "npv_saving": [10e6, 11e6, None, 12e6], "mip_gap": [0.0] * 4,
                         "run_id": ["a", "b", "c", "d"]})
    svg = ElementTree.fromstring(npv_chart(rows, "k"))
    dots = sorted(float(c.get("cx", "")) for c in svg.iter(f"{SVG}circle"))
    lines = [[float(p.split(",")[0]) for p in (line.get("points") or "").split()]
             for line in svg.iter(f"{SVG}polyline")]
    assert len(dots) == 3 and lines == [dots[:2]]


def test_a_run_stopped_with_no_bound_is_said_to_have_none() -> None:
    """A run the time limit stopped before the solver stated a bound (its gap empty) is an
    orange dot with no line: the caption says how much more it could save is unknown."""
    from estate.render.sweep_page import _caption

    rows = pd.DataFrame({"solver.time_limit_s": [0.05, 2], "status": ["time_limit", "optimal"],
                         "objective_npv": [82.5e6, 80e6], "npv_saving": [0.0, 2.5e6],
                         "mip_gap": [None, 0.0], "run_id": ["a", "b"]})
    assert ("1 run stopped before the solver stated any bound (an orange dot with no "
            "line): how much more it could save is not known") in _caption(rows)
    assert "stated any bound" not in _caption(rows.iloc[1:])


def test_the_most_a_run_could_save_is_on_the_axis() -> None:
    """The review's sweep (ns20, two runs stopped by the time limit): each saves £47.45m
    with a gap of 0.68% on an objective of £792.28m, so it could save up to
    47.4535 + 0.0067987 * 792.2824 = £52.84m. Its faint line ends there on the axis as
    its numbers read, not at the top of an axis made for the dots alone (46 to 48.5)."""
    from xml.etree import ElementTree

    from estate.render.sweep_page import npv_chart

    rows = pd.DataFrame({"solver.time_limit_s": [2, 4], "status": ["time_limit"] * 2,
                         "objective_npv": [792282412.85] * 2,
                         "npv_saving": [47453543.18] * 2,
                         "mip_gap": [0.006798742294818235] * 2, "run_id": ["a", "b"]})
    chart = npv_chart(rows, "solver.time_limit_s")
    value_at = _value_at(chart)
    lines = [line for line in ElementTree.fromstring(chart).iter(f"{SVG}line")
             if line.get("stroke-opacity") == "0.35"]
    assert len(lines) == 2
    for line in lines:
        assert value_at(float(line.get("y1", ""))) == pytest.approx(47.4535, abs=0.02)
        assert value_at(float(line.get("y2", ""))) == pytest.approx(52.84, abs=0.02)


def _drawn_width(text: str) -> float:
    """`text`'s width in pixels at the page's 11 px, in DejaVu Sans (matplotlib's copy;
    the widest of the common sans fonts, what a Linux desktop's system-ui often is): the
    sum of its letters' advances as the font gives them, unhinted, as a browser that
    places letters at fractions of a pixel lays them out."""
    from matplotlib import font_manager, ft2font

    font = ft2font.FT2Font(font_manager.findfont("DejaVu Sans"))
    font.set_size(11, 72)  # 11 points at 72 dots an inch: 11 px
    return sum(font.load_char(ord(c)).linearHoriAdvance for c in text) / 65536


LONG = ("New hub candidate with an extremely long name that goes on and on and on and on "
        "and on and on and on and on and on to test layout")
"""The review's long site name (S7 of its small register)."""


@pytest.mark.parametrize(("site_id", "name"), [
    ("S7", LONG), ("S037", "West Suffolk Hospital admin block & <b>stores</b> \"east\" wing"),
    ("S8", "Zero cost site"), ("X" * 80, "Site")])
def test_a_site_s_label_keeps_its_id_and_fits_left_of_the_bars(site_id: str, name: str
                                                               ) -> None:
    """The label ends 6 px left of the bars (x = 294, right-aligned), so it must measure
    294 px at most or it runs off the chart's left edge. It starts with the site's id
    whole and its name as far as fits, cut with an ellipsis (a short name is whole; an id
    too long on its own is cut itself); the tooltip and what a screen reader reads (the
    bar's <title>, its image's name) is the whole id and name. Register text is escaped
    after the cut, so the SVG parses and `&` or `<` read as typed."""
    from xml.etree import ElementTree

    from estate.render.sweep_sites import robustness_chart

    chart = robustness_chart(pd.DataFrame({"site_id": [site_id], "name": [name],
                                           "open_share": [0.5], "runs_open": [1], "runs": [2]}))
    site = next(g for g in ElementTree.fromstring(chart).iter(f"{SVG}g"))
    label = next(site.iter(f"{SVG}text"))
    assert label.get("x") == "294" and label.get("text-anchor") == "end"
    # the name between the isolate marks (an Arabic name keeps its own direction), which
    # draw nothing: the label as seen is the text without them
    marked, whole = label.text or "", f"{site_id} {name}"
    text = marked.replace("\u2068", "").replace("\u2069", "")
    assert marked == (f"{site_id} \u2068{text[len(site_id) + 1:]}\u2069"
                      if len(text) > len(site_id) + 1 else text)
    assert _drawn_width(text) <= 294
    if _drawn_width(whole) <= 250:
        assert text == whole
    else:
        assert text.endswith("\u2026") and whole.startswith(text[:-1].rstrip())
        assert _drawn_width(text) > 200  # cut where the room ends, not far short of it
        if len(site_id) < 20:
            assert text.startswith(f"{site_id} ")
    title = site.find(f"{SVG}title")
    assert title is not None and title.text == f"{site_id} \u2068{name}\u2069: open in 1 of 2 runs (50%)"
    assert site.get("role") == "img"  # one image to a screen reader, named by the title


def test_a_chart_of_proven_optima_has_no_bound_lines() -> None:
    """Runs all proven optimal (saving £3m and £5m) have no line up to a bound, and the
    axis is the dots' own, from below £3m to above £5m."""
    from xml.etree import ElementTree

    from estate.render.sweep_page import npv_chart

    rows = pd.DataFrame({"k": [1, 2], "status": ["optimal"] * 2,
                         "objective_npv": [97e6, 95e6], "npv_saving": [3e6, 5e6],
                         "mip_gap": [0.0, 0.0], "run_id": ["a", "b"]})
    chart = npv_chart(rows, "k")
    svg = ElementTree.fromstring(chart)
    assert not [line for line in svg.iter(f"{SVG}line") if line.get("stroke-opacity")]
    value_at = _value_at(chart)
    dots = sorted(value_at(float(c.get("cy", ""))) for c in svg.iter(f"{SVG}circle"))
    assert dots == [pytest.approx(3.0), pytest.approx(5.0)]


def test_a_bound_still_the_opening_guess_is_arrowed_not_charted() -> None:
    """Two runs stopped by the time limit save £47.45m and £46.00m on an objective of
    £792.28m; one's gap is 1.2 (the bound still the solver's opening guess), so it could
    save up to 47.4535 + 1.2 * 792.2824 = £998.19m. Its line stops at the chart's top,
    a quarter of the larger saving above it (47.4535 * 1.25 = £59.32m; three times the
    dots' spread, £4.36m, is less), with an arrow head and the words that its bound lies
    beyond the chart; the axis ends by £60m, so the dots stay 1.45 apart on it. A third
    run, the end state of a dated programme (plan_from), has the programme's gap, so no
    line."""
    from xml.etree import ElementTree

    from estate.render.sweep_page import npv_chart

    rows = pd.DataFrame({"k": [1, 2, 3], "status": ["time_limit"] * 3,
                         "objective_npv": [792282412.85] * 3,
                         "npv_saving": [47453543.18, 46.0e6, 47.0e6],
                         "mip_gap": [1.2, 0.0001, 0.5], "run_id": ["a", "b", "c"],
                         "plan_from": ["", "", "programme"]})
    chart = npv_chart(rows, "k")
    svg = ElementTree.fromstring(chart)
    value_at = _value_at(chart)
    texts = [t.text or "" for t in svg.iter(f"{SVG}text")]
    assert max(float(t.replace(",", "")) for t in texts if re.fullmatch(r"[\d.,]+", t)) <= 60
    dots = sorted(value_at(float(c.get("cy", ""))) for c in svg.iter(f"{SVG}circle"))
    assert dots == [pytest.approx(46.0, abs=0.01), pytest.approx(47.0, abs=0.01),
                    pytest.approx(47.4535, abs=0.01)]
    lines = [line for line in svg.iter(f"{SVG}line") if line.get("stroke-opacity")]
    assert len(lines) == 2  # not the programme's end state
    ends = sorted(value_at(float(line.get("y2", ""))) for line in lines)
    assert ends == [pytest.approx(46.0 + 0.0001 * 792.2824, abs=0.01),
                    pytest.approx(59.3169, abs=0.01)]
    heads = list(svg.iter(f"{SVG}polygon"))
    assert len(heads) == 1
    tip = [(c.findtext(f"{SVG}title") or "") for c in svg.iter(f"{SVG}circle")]
    assert "a: £47.45m (time_limit, at most £998.19m by the solver's bound, beyond the chart)" \
        in tip, tip
    assert "\u25b2 the solver's bound lies beyond the chart" in texts


def _dated_runs(method_a: str = "joint") -> pd.DataFrame:
    """Two runs of a dated sweep, both stopped by the time limit. a: its programme (found
    by `method_a`) saves £15m dated (£17m if every change were made in year 1), with a
    gap of 2% on an NPV of cost of £90m, so by the joint model's bound no programme saves
    more than 15 + 0.02 * 90 = £16.8m. b: the roadmap's, £33m dated (£40m), a gap of 1%
    that bounds only the schedules of its plan's changes, so no line."""
    return pd.DataFrame({
        "k": [1, 2], "status": ["time_limit"] * 2, "objective_npv": [89e6, 66e6],
        "npv_saving": [15e6, 33e6], "year_one_npv_saving": [17e6, 40e6], "mip_gap": [0.02, 0.01], "run_id": ["a", "b"],
        "plan_from": ["programme", "snapshot"], "programme.npv_saving": [15e6, 33e6],
        "programme.npv_cost": [90e6, 73e6], "programme.method": [method_a, "roadmap"],
        "programme.status": ["time_limit"] * 2, "programme.mip_gap": [0.02, 0.01]})


def test_a_dated_sweep_charts_the_dated_saving_and_its_bound_only_where_it_is_one() -> None:
    from xml.etree import ElementTree

    from estate.render.sweep_page import npv_chart

    chart = npv_chart(_dated_runs(), "k")
    svg = ElementTree.fromstring(chart)
    value_at = _value_at(chart)
    dots = sorted(value_at(float(c.get("cy", ""))) for c in svg.iter(f"{SVG}circle"))
    assert dots == [pytest.approx(15.0, abs=0.01), pytest.approx(33.0, abs=0.01)]
    lines = [line for line in svg.iter(f"{SVG}line") if line.get("stroke-opacity")]
    assert len(lines) == 1  # the joint model's; the roadmap's gap is no bound on it
    assert value_at(float(lines[0].get("y1", ""))) == pytest.approx(15.0, abs=0.01)
    assert value_at(float(lines[0].get("y2", ""))) == pytest.approx(16.8, abs=0.01)
    # the same figures in words: each run's dated saving, not its plan's own
    assert svg.get("aria-label") == ("NPV saving of the dated programme against k: "
                                     "at 1, £15.00m; at 2, £33.00m.")
    assert "NPV saving, dated (£m)" in [t.text for t in svg.iter(f"{SVG}text")]


@pytest.mark.parametrize("method_a", ["joint", "roadmap"])
def test_a_dated_sweep_s_page_says_which_saving_is_which(method_a: str) -> None:
    """The caption says a line is drawn only when one is (a joint programme the time limit
    stopped); the table labels the plan's own saving as every change made in year 1 and
    the programme's as dated, beside each other."""
    from estate.render.sweep_page import sweep_page
    from estate.runs.vary import Vary

    robustness = pd.DataFrame(columns=["site_id", "name", "open_share", "runs_open", "runs"])
    page = sweep_page(_dated_runs(method_a), robustness, [Vary("k", (1, 2))], "Dated")
    assert "<h2>NPV saving of the dated programme</h2>" in page
    drawn = "has a faint line up to the most any programme could save"
    none = "No dot has a line up to a bound"
    assert (drawn in page, none in page) == ((True, False) if method_a == "joint"
                                             else (False, True))
    # (a heading may break after each `.` and `_`: sweep.css)
    heads = [h.replace("<wbr>", "") for h in re.findall(r'<th scope="col">(.*?)</th>', page)]
    at = heads.index("year_one_npv_saving if every change were made in year 1")
    assert heads[at + 1] == "programme.npv_saving (dated)"
    # the plan's NPV of cost beside them says its basis too (a planner's review)
    assert heads[at - 1] == "objective_npv (NPV of cost if every change were made in year 1)"
    assert "<td>17,000,000.00</td><td>15,000,000.00</td>" in page


def test_the_sweep_page_counts_one_as_one() -> None:
    """One run and one site open in it: "1 run", "1 site is open", "open in 1 of 1 run",
    never "1 runs" or "1 sites are"."""
    from estate.render.sweep_page import sweep_page

    rows = pd.DataFrame({"k": [1], "status": ["optimal"], "objective_npv": [97e6],
                         "npv_saving": [3e6], "mip_gap": [0.0], "run_id": ["a"],
                         "sites_after": [1], "sites_closed": [0], "shared_centres": [0]})
    robustness = pd.DataFrame({"site_id": ["S1"], "name": ["Hall"], "open_share": [1.0],
                               "runs_open": [1], "runs": [1], "fragile": [False]})
    page = sweep_page(rows, robustness, [parse_vary("k=1")], "One")
    assert "1 run: " in page and "open in 1 of 1 run (100%)" in page
    assert "1 site is open in every run with a plan, 0 closed" in page
    assert "and 0 depend on" in page
    assert not re.search(r"\b1 (runs|sites)\b", page), page


def test_sites_that_depend_on_unproven_runs_are_said_to_perhaps_depend_on_the_search(
        ) -> None:
    """Two runs, one stopped by the time limit, and a site open in one of them: it may
    differ only where that search stopped, and the page says so; proven runs do not."""
    from estate.render.sweep_page import sweep_page

    rows = pd.DataFrame({"k": [1, 2], "status": ["optimal", "time_limit"],
                         "objective_npv": [97e6, 96e6], "npv_saving": [3e6, 4e6],
                         "mip_gap": [0.0, 0.2], "run_id": ["a", "b"], "sites_after": [1, 2],
                         "sites_closed": [1, 0], "shared_centres": [0, 0]})
    robustness = pd.DataFrame({"site_id": ["S1"], "name": ["Hall"], "open_share": [0.5],
                               "runs_open": [1], "runs": [2], "fragile": [True]})
    said = ("1 of the 2 runs with a plan was stopped by the time limit before it was proven "
            "optimal: a site may depend on where each search stopped")
    assert said in sweep_page(rows, robustness, [parse_vary("k=1,2")], "Two")
    proven = rows.assign(status="optimal", mip_gap=0.0)
    assert "may depend on where each search stopped" not in sweep_page(proven, robustness,
                                                                 [parse_vary("k=1,2")], "Two")


# --- The sweep's three files, written as a set ------------------------------------------

SWEEP_FILES = ("sweep.csv", "site_robustness.csv", "sweep.html")
MORE = ("--vary", "sharing.efficiency=0.05,0.1", "--vary", "relocation.cost_per_fte=1000,5000")


def _files(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in SWEEP_FILES}


def _sweep_more(swept: Path, out: Path) -> tuple[int, str]:
    """MORE (SMALL's two runs and two new ones) swept in this process into `out`."""
    result = CliRunner().invoke(cli, ["sweep", str(swept / "town.toml"), *MORE, "--out",
                                      str(out), "--workers", "1"], catch_exceptions=False)
    return result.exit_code, result.stderr


@pytest.mark.usefixtures("ctrl_c_raises")
def test_ctrl_c_while_the_sweep_s_files_are_made_leaves_them_all_as_they_were(
        swept: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C landing while site_robustness.csv is made, sweep.csv made already: none
    of the three is rewritten, as the message says."""
    out = tmp_path / "out"
    shutil.copytree(swept / "base", out)
    before = _files(out)
    real, parent, calls = estate.runs.sweep.write_safe_csv, os.getpid(), []

    def interrupted(*args: Any) -> None:
        real(*args)
        calls.append(args[1])
        if os.getpid() == parent and len(calls) == 2:
            os.kill(parent, signal.SIGINT)

    monkeypatch.setattr(estate.runs.sweep, "write_safe_csv", interrupted)
    code, said = _sweep_more(swept, out)
    assert code == 130 and len(calls) == 2
    assert _files(out) == before
    assert "sweep.csv, site_robustness.csv and sweep.html were not rewritten" in said
    assert _hidden(out) == []
    assert len(_stored(out / "runs")) == 4  # the runs are kept, for the next to reuse


@pytest.mark.usefixtures("ctrl_c_raises")
def test_ctrl_c_as_the_sweep_s_files_are_put_in_place_says_they_all_were(
        swept: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C landing just after sweep.csv is renamed into place: it takes effect once
    the other two are in place too, and the message says the three were written."""
    out = tmp_path / "out"
    shutil.copytree(swept / "base", out)
    before = _files(out)
    real, parent = os.replace, os.getpid()

    def replace(src: Any, dst: Any) -> None:
        real(src, dst)
        if os.getpid() == parent and str(dst) == str(out / "sweep.csv"):
            os.kill(parent, signal.SIGINT)

    monkeypatch.setattr(os, "replace", replace)
    code, said = _sweep_more(swept, out)
    monkeypatch.undo()
    assert code == 130
    after = _files(out)
    assert all(after[name] != before[name] for name in SWEEP_FILES), said
    assert "sweep.csv, site_robustness.csv and sweep.html were written, whole" in said
    assert len(pd.read_csv(out / "sweep.csv")) == 4
    assert b"0.1" in after["sweep.html"]  # the new value on the page's axis
    assert _hidden(out) == []


def test_a_folder_where_a_sweep_file_goes_is_refused_before_any_run(corridor: Path,
                                                                    tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "sweep.html").mkdir(parents=True)
    result = CliRunner().invoke(cli, ["sweep", str(corridor), "--vary",
                                      "relocation.cost_per_fte=0,5000", "--out", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 1
    said = " ".join(result.output.split())
    assert f"a folder at {out / 'sweep.html'}" in said and "move it away" in said
    assert not (out / "runs").exists() and not (out / "sweep.csv").exists()


def test_each_run_of_a_dated_sweep_holds_its_programme_page(tmp_path: Path) -> None:
    """A dated scenario swept over its yearly budget on a process pool: each run's
    folder is the results folder `estate plan` writes, programme.html included (it was
    left out), and each its own run's: under £150k a year the second office closes a year
    after the first (£100k each, and £1k a team's move), under £250k both in year 1."""
    data = two_offices_register(tmp_path / "register")
    path = write_scenario(tmp_path / "dated.toml", scenario_on(
        data, "Dated", start="2027-04-01", programme={"max_one_off_per_year": 100_000}))
    result = sweep(path, [parse_vary("programme.max_one_off_per_year=150000,250000")],
                   tmp_path / "out", workers=2)
    assert list(result.rows["status"]) == ["optimal", "optimal"]
    for rid, budget in zip(result.rows["run_id"], (150_000, 250_000), strict=True):
        folder = tmp_path / "out" / "runs" / rid
        changes = pd.read_csv(folder / "programme.csv", dtype=str)
        years = dict(changes[changes["action"] == "close"][["site_id", "year"]].to_numpy())
        assert years == ({"A1": "1", "A2": "2"} if budget == 150_000
                         else {"A1": "1", "A2": "1"})
        page = (folder / "programme.html").read_text(encoding="utf-8")
        assert f"Dated [programme.max_one_off_per_year={budget}]" in page


def test_one_list_index_spelt_two_ways_is_one_key() -> None:
    """`coverage.00.radius_km` sets `coverage.0.radius_km`: varied beside it, the rows
    were labelled with radii the runs never used (review); refused as the same key
    twice, and beside a key it sits inside as the same key too."""
    for specs, says in (
            (("coverage.0.radius_km=5,6", "coverage.00.radius_km=6,7"),
             "coverage.0.radius_km and coverage.00.radius_km, one key spelt two ways"),
            (("sharing.efficiency=0.1,0.2", "sharing.efficiency=0.3", "horizon_years=5,6",
              "horizon_years=7"),
             "sharing.efficiency given more than once; horizon_years given more than once"),
            (("policy.keep=[S1]", "policy.keep.00=S4"),
             "policy.keep and policy.keep.00, a key inside it")):
        with pytest.raises(InputError) as refused:
            grid([parse_vary(spec) for spec in specs])
        assert says in str(refused.value)


def test_a_range_across_zero_holds_zero_itself() -> None:
    """Evenly spaced values are rounded to 12 digits of the range's larger end: 0, not
    1.1e-16 (a run's row and name showed 1.11022302463e-16)."""
    assert parse_vary("discount_rate=-0.7:0.3:11").values[7] == 0.0
    assert parse_vary("x=0.3:-0.7:11").values[3] == 0.0
    assert parse_vary("x=-0.15:0.05:5").values == (-0.15, -0.1, -0.05, 0.0, 0.05)
    assert parse_vary("x=0.0001:0.0003:3").values == (0.0001, 0.0002, 0.0003)


def test_sweep_csv_writes_every_true_and_false_as_typed(corridor: Path, tmp_path: Path) -> None:
    """A varied boolean showed as true beside a summary's flags as Python's True in one
    file: every flag of sweep.csv is true or false."""
    sweep(corridor, [parse_vary("assignment.split=true,false")], tmp_path / "out", workers=1)
    with open(tmp_path / "out" / "sweep.csv", encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    header, rows = table[0], table[1:]
    cells = {cell for row in rows for cell in row}
    assert not cells & {"True", "False"}
    assert {row[header.index("assignment.split")] for row in rows} == {"true", "false"}
    assert {row[header.index("status_quo_feasible")] for row in rows} <= {"true", "false"}


def test_a_sweep_over_two_estates_warns_that_their_savings_are_unlike(
        tmp_path: Path) -> None:
    """Varying data over two registers whose status quos differ: stderr and sweep.html
    say the savings are not like-for-like, as estate compare says of such scenarios."""
    town(tmp_path)
    dearer = tmp_path / "dearer"
    shutil.copytree(tmp_path / "reg", dearer)
    sites = pd.read_csv(dearer / "sites.csv", dtype=str, keep_default_na=False)
    sites["running_cost"] = (pd.to_numeric(sites["running_cost"]) * 1.5).astype(str)
    sites.to_csv(dearer / "sites.csv", index=False)
    run = invoke(tmp_path, "sweep", "tiny.toml", "--vary", "data=reg,dearer", "--out", "sw",
                 "--workers", "1")
    assert run.code == 0, run.output
    said = " ".join(run.stderr.split())
    assert "WARNING: This sweep varies data, the register, and its registers are " \
        "different estates" in said, run.stderr
    assert "This sweep varies data, the register" in (tmp_path / "sw" / "sweep.html"
                                                      ).read_text(encoding="utf-8")


@pytest.mark.parametrize("ending", ["infeasible, the register saved meanwhile",
                                    "the register changed as it was read"])
def test_a_run_whose_register_changed_keeps_no_outcome(corridor: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       ending: str) -> None:
    """A settled ending is kept, to be reused, for the register as the run began: one
    saved while the run solved was recorded as the register planned, and a refusal for
    a register changing as it was read was kept and reused for good (a review). Neither
    is kept: the run is planned again."""
    from estate.errors import InfeasibleError, Problem, RegisterChanged
    from estate.runs.sweep import RunTask, run_one
    from estate.status import Status

    raw = read_scenario_dict(corridor)
    raw["data"] = str((corridor.parent / raw["data"]).resolve())
    zones = Path(raw["data"]) / "zones.csv"

    def ends(*args: Any, **kwargs: Any) -> None:
        if ending.startswith("infeasible"):
            zones.write_text(zones.read_text(encoding="utf-8") + "\n", encoding="utf-8")
            raise InfeasibleError(["zone Z1 is out of reach"])
        raise RegisterChanged([Problem(raw["data"], None, None, "left as it is", "changed")])

    monkeypatch.setattr(estate.runs.sweep, "plan_scenario", ends)
    folder = tmp_path / "runs" / "r1"
    done = run_one(RunTask("r1", {}, raw, "r1", str(folder)))
    assert done.status in (Status.INFEASIBLE, Status.INVALID), done
    assert not (folder / "outcome.json").exists()


def test_a_run_that_fails_unforeseen_keeps_its_trace(
        corridor: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fault of estate's in one run (here one raised where the run is planned) was its
    row's one line, and the trace was lost: `estate-error.log`, which every command
    writes for such a fault, was written nowhere. Each such run keeps its own log."""
    planned = estate.runs.sweep.plan_scenario

    def faulty(scenario: Any, **kwargs: Any) -> Any:
        if scenario.cost_per_fte == 5000:
            raise RuntimeError("a fault of estate's\nsecond line")
        return planned(scenario, **kwargs)

    from estate.runs import executor

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(estate.runs.sweep, "plan_scenario", faulty)
    monkeypatch.setattr(estate.runs.sweep, "run_all", lambda fn, tasks, *args, **kwargs:
                        executor.run_all(fn, tasks, "serial"))  # in this process
    result = sweep(corridor, [parse_vary("relocation.cost_per_fte=0,5000")], "sw")
    rows = result.rows.set_index("status")
    log = tmp_path / f"estate-error-{rows.loc['error', 'run_id']}.log"
    assert rows.loc["error", "message"] == (
        f"RuntimeError: a fault of estate's (full trace in {log})")
    assert "Traceback" in log.read_text() and "second line" in log.read_text()
    assert rows.loc["optimal", "message"] in ("", None) or pd.isna(rows.loc["optimal",
                                                                              "message"])
    assert [p.name for p in tmp_path.glob("estate-error*")] == [log.name]
