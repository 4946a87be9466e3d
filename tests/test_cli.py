"""The command line as a user meets it: exit codes, stdout/stderr, the results folder.

Every test runs the real CLI (`python -m estate`) in a fresh process on a tiny register
written by `cli_fixtures`, and reads back only what a user would see: the exit code,
the two output streams and the files written.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from cli_fixtures import (
    Run,
    run_cli,
    run_python,
    tables,
    town,
    write_register,
    write_scenario,
)

SUMMARY_KEYS = {
    "scenario", "status", "objective_npv", "status_quo_npv", "status_quo_feasible",
    "status_quo_breaches", "npv_saving", "annual_cost_before", "annual_cost_after",
    "annual_saving", "one_off_cost", "payback_years", "sites_before", "sites_after",
    "sites_closed", "sites_opened", "shared_centres", "fte_relocated", "mip_gap",
    "solve_seconds", "solver", "agencies",
}
AGENCY_KEYS = {"name", "annual_cost_before", "annual_cost_after", "one_off_cost", "worse_off"}
COLUMNS = {
    "sites": ["site_id", "agency_id", "name", "lat", "lon", "kind", "running_cost", "services",
              "decision", "shared_types", "desks_used", "desks", "racks_used", "racks"],
    "assignments": ["function_id", "agency_id", "type", "from_site", "to_site", "share",
                    "pooled", "fte_moved"],
    "coverage": ["rule", "service", "radius_km", "zone_id", "name", "lat", "lon", "population",
                 "covered_before", "covered_after", "nearest_km_before", "nearest_km_after"],
}
RESULT_FILES = {"summary.json", "sites.csv", "assignments.csv", "coverage.csv", "agencies.csv",
                "plan.gpkg", "scenario.toml", "inputs.sha256"}


def no_traceback(run: Run) -> None:
    assert "Traceback" not in run.output, run.output
    assert 'File "' not in run.output, run.output


def leftovers(folder: Path) -> list[str]:
    """Hidden temporary or old folders a results write might leave beside `out`."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --------------------------------------------------------------------------- a good plan


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    """The tiny town planned once with --json and --write-lp; (working folder, run)."""
    cwd = tmp_path_factory.mktemp("planned")
    scenario = town(cwd)
    run = run_cli(cwd, "plan", scenario, "--json", "--out", "out", "--map", "plan.html",
                  "--write-lp", "model.lp")
    return cwd, run


def test_plan_exits_0_and_json_is_the_only_thing_on_stdout(planned: tuple[Path, Run]) -> None:
    cwd, run = planned
    assert run.code == 0, run.output
    summary = json.loads(run.stdout)  # the whole of stdout, nothing before or after
    assert isinstance(summary, dict)
    assert SUMMARY_KEYS <= set(summary), SUMMARY_KEYS - set(summary)
    assert summary["status"] == "optimal"
    assert summary["scenario"] == "tiny"
    assert set(summary["agencies"]) == {"A1", "A2"}
    for figures in summary["agencies"].values():
        assert AGENCY_KEYS <= set(figures)
    no_traceback(run)


def test_json_on_stdout_equals_summary_json(planned: tuple[Path, Run]) -> None:
    cwd, run = planned
    stored = json.loads((cwd / "out" / "summary.json").read_text(encoding="utf-8"))
    assert json.loads(run.stdout) == stored


def test_tiny_plan_closes_the_annexe_and_moves_finance(planned: tuple[Path, Run]) -> None:
    """The town's obvious plan: S2 is dearer to keep than its 20 desks are to move."""
    cwd, run = planned
    summary = run.json()
    assert summary["sites_closed"] == 1 and summary["sites_opened"] == 0
    assert summary["fte_relocated"] == pytest.approx(20.0)
    assert summary["npv_saving"] > 0
    assert summary["status_quo_feasible"] is True and summary["status_quo_breaches"] == []
    sites = pd.read_csv(cwd / "out" / "sites.csv", keep_default_na=False)
    assert dict(zip(sites["site_id"], sites["decision"], strict=True)) == {
        "S1": "keep", "S2": "close", "S3": "keep"}


def test_results_folder_holds_every_file_with_its_columns(planned: tuple[Path, Run]) -> None:
    cwd, _ = planned
    out = cwd / "out"
    assert RESULT_FILES <= {p.name for p in out.iterdir()}
    for name, columns in COLUMNS.items():
        frame = pd.read_csv(out / f"{name}.csv", keep_default_na=False)
        assert set(columns) <= set(frame.columns), (name, set(columns) - set(frame.columns))
    agencies = pd.read_csv(out / "agencies.csv", keep_default_na=False)
    assert {"agency_id", "name"} <= set(agencies.columns)
    assert sorted(agencies["agency_id"]) == ["A1", "A2"]
    assignments = pd.read_csv(out / "assignments.csv", keep_default_na=False)
    assert sorted(assignments["function_id"]) == ["F1", "F2", "F3"]
    coverage = pd.read_csv(out / "coverage.csv", keep_default_na=False)
    assert sorted(coverage["zone_id"]) == ["Z1", "Z2"]
    assert coverage["covered_after"].astype(str).str.lower().eq("true").all()


def test_plan_gpkg_has_sites_zones_and_moves_layers(planned: tuple[Path, Run]) -> None:
    cwd, _ = planned
    gpkg = cwd / "out" / "plan.gpkg"
    layers = {name: geom for name, geom in pyogrio.list_layers(gpkg)}
    assert {"sites", "zones", "moves"} <= set(layers)
    assert layers["sites"] == "Point" and layers["zones"] == "Point"
    assert layers["moves"] == "LineString"
    moves = pyogrio.read_dataframe(gpkg, layer="moves")
    assert list(zip(moves["function_id"], moves["from_site"], moves["to_site"],
                    strict=True)) == [("F2", "S2", "S1")]
    sites = pyogrio.read_dataframe(gpkg, layer="sites")
    assert sorted(sites["site_id"]) == ["S1", "S2", "S3"]
    assert sites.crs is not None and sites.crs.to_epsg() == 4326


def test_scenario_toml_and_inputs_sha256_describe_the_run(planned: tuple[Path, Run]) -> None:
    cwd, _ = planned
    out = cwd / "out"
    solved = tomllib.loads((out / "scenario.toml").read_text(encoding="utf-8"))
    assert solved["name"] == "tiny"
    assert Path(solved["data"]).resolve() == (cwd / "reg").resolve()
    assert solved["coverage"][0]["radius_km"] == 5
    lines = (out / "inputs.sha256").read_text(encoding="utf-8").splitlines()
    digests = {}
    for line in lines:
        digest, name = re.fullmatch(r"([0-9a-f]{64})  (\S+)", line).groups()
        digests[name] = digest
    expected = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                for p in (cwd / "reg").glob("*.csv")}
    assert digests == expected


def test_write_lp_names_constraints_readably(planned: tuple[Path, Run]) -> None:
    cwd, _ = planned
    text = (cwd / "model.lp").read_text(encoding="utf-8")
    for name in ("housed(F1)", "housed(F2)", "housed(F3)", "coverage.0(Z1)",
                 "coverage.0(Z2)", "desks(S1)"):
        assert re.search(rf"^{re.escape(name)}:", text, re.M), name
    assert "open(S2)" in text and "assign(F2,S1)" in text


def test_policy_costs_only_when_asked(planned: tuple[Path, Run], tmp_path: Path) -> None:
    assert "policy_costs" not in planned[1].json()
    run = run_cli(tmp_path, "plan", town(tmp_path), "--policy-costs", "--json", "--out", "out")
    assert run.code == 0, run.output
    costs = run.json()["policy_costs"]
    assert "coverage.0" in costs
    assert all(c["npv"] >= 0 for c in costs.values())
    assert costs["coverage.0"]["npv"] > 0  # without it S1 could close too
    stored = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert stored["policy_costs"] == costs


def test_plan_map_is_written_where_asked(planned: tuple[Path, Run]) -> None:
    cwd, _ = planned
    assert (cwd / "plan.html").stat().st_size > 0


def test_default_out_and_map_are_under_results_and_maps(tmp_path: Path) -> None:
    run = run_cli(tmp_path, "plan", town(tmp_path))
    assert run.code == 0, run.output
    assert (tmp_path / "results" / "tiny" / "summary.json").is_file()
    assert (tmp_path / "maps" / "tiny.html").is_file()
    assert "results" in run.stdout  # the human summary says where the results are
    no_traceback(run)


def test_json_keeps_names_with_double_spaces(tmp_path: Path) -> None:
    rows = tables()
    rows["agencies"][0]["name"] = "Town  Council"  # two spaces, as typed in a spreadsheet
    scenario = town(tmp_path, rows, changes={"name": "Two  spaces"})
    run = run_cli(tmp_path, "plan", scenario, "--json", "--out", "out")
    assert run.code == 0, run.output
    summary = run.json()
    assert summary["scenario"] == "Two  spaces"
    assert summary["agencies"]["A1"]["name"] == "Town  Council"


def test_register_without_functions_is_a_pure_coverage_problem(tmp_path: Path) -> None:
    rows = tables()
    rows["functions"] = []
    run = run_cli(tmp_path, "plan", town(tmp_path, rows), "--json", "--out", "out")
    assert run.code == 0, run.output
    summary = run.json()
    # Only S1 offers public access; the others cost money and host nobody.
    assert summary["sites_after"] == 1 and summary["fte_relocated"] == 0


def test_plan_is_quiet_on_stderr_when_not_on_a_terminal(planned: tuple[Path, Run]) -> None:
    _, run = planned
    assert run.code == 0
    assert run.stderr.strip() == "", run.stderr


def test_map_redraws_from_the_results_folder_alone(planned: tuple[Path, Run],
                                                    tmp_path: Path) -> None:
    cwd, _ = planned
    run = run_cli(tmp_path, "map", cwd / "out", "--out", "again.html")
    assert run.code == 0, run.output
    assert (tmp_path / "again.html").stat().st_size > 0
    no_traceback(run)


def test_map_of_a_folder_without_results_exits_1(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    run = run_cli(tmp_path, "map", "empty")
    assert run.code == 1, run.output
    assert "summary.json" in run.stderr
    no_traceback(run)


def _demo_with_time_limit(tmp_path: Path, stem: str, seconds: float) -> Path:
    """A demo scenario pointing at the demo register, with a short time limit."""
    root = Path(__file__).resolve().parents[1]
    raw = tomllib.loads((root / "models" / f"{stem}.toml").read_text(encoding="utf-8"))
    raw["data"] = str(root / "data" / "suffolk")
    raw["solver"]["time_limit_s"] = seconds
    return write_scenario(tmp_path / f"{stem}.toml", base=raw)


@pytest.mark.slow
def test_no_plan_within_the_time_limit_exits_3(tmp_path: Path) -> None:
    """Closing S013 makes the status quo break a rule, so it is no first plan either."""
    scenario = _demo_with_time_limit(tmp_path, "hubs_coverage", 0.01)
    raw = tomllib.loads(scenario.read_text(encoding="utf-8"))
    raw.setdefault("policy", {})["close"] = ["S013"]
    scenario = write_scenario(tmp_path / "closing.toml", base=raw)
    run = run_cli(tmp_path, "plan", scenario, "--out", "out", "--json")
    assert run.code == 3, run.output
    assert "time limit" in run.stderr and "time_limit_s" in run.stderr
    assert run.stdout.strip() == ""
    assert not (tmp_path / "out").exists()
    no_traceback(run)


@pytest.mark.slow
def test_feasible_status_quo_always_gives_a_plan_at_least_as_good(tmp_path: Path) -> None:
    """The status quo is offered as a first plan: even 0.01 s ends with a plan (exit 0)
    that costs no more than today."""
    run = run_cli(tmp_path, "plan", _demo_with_time_limit(tmp_path, "hubs_coverage", 0.01),
                  "--out", "out", "--json")
    assert run.code == 0, run.output
    summary = run.json()
    assert summary["status"] in ("time_limit", "optimal")
    assert summary["status_quo_feasible"] is True
    assert summary["objective_npv"] <= summary["status_quo_npv"] + 1e-6


@pytest.mark.slow
def test_time_limit_plan_exits_0_and_says_it_is_not_proven(tmp_path: Path) -> None:
    run = run_cli(tmp_path, "plan", _demo_with_time_limit(tmp_path, "shared_back_office", 3),
                  "--out", "out", "--json")
    if run.code == 3:
        pytest.skip("this machine found no plan within 3 s")
    assert run.code == 0, run.output
    summary = run.json()
    if summary["status"] == "optimal":
        pytest.skip("this machine proved the optimum within 3 s")
    assert summary["status"] == "time_limit"
    assert summary["mip_gap"] is not None and summary["mip_gap"] > 0
    assert "NOT proven optimal" in run.stderr
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["status"] == "time_limit"


def test_unhoused_function_is_a_status_quo_breach_and_gets_housed(tmp_path: Path) -> None:
    rows = tables()
    rows["functions"].append({"function_id": "F4", "agency_id": "A1", "type": "IT",
                              "site_id": "", "fte": 5, "annual_cost": 100_000})
    run = run_cli(tmp_path, "plan", town(tmp_path, rows), "--json", "--out", "out")
    assert run.code == 0, run.output
    summary = run.json()
    assert summary["status_quo_feasible"] is False
    assert summary["status_quo_breaches"] == [{"rule": "housed", "place": "F4 has no site today"}]
    assignments = pd.read_csv(tmp_path / "out" / "assignments.csv", keep_default_na=False)
    f4 = assignments[assignments["function_id"] == "F4"]
    assert len(f4) == 1 and f4["from_site"].iloc[0] == "" and f4["fte_moved"].iloc[0] == 0
    assert summary["fte_relocated"] == pytest.approx(20.0)  # F2's move only


def test_default_paths_stay_inside_the_working_folder(tmp_path: Path) -> None:
    """A scenario name is not a path: `../` and `/` in it write nothing outside."""
    cwd = tmp_path / "work"
    scenario = town(cwd, changes={"name": "../../escape/a b"})
    run = run_cli(cwd, "plan", scenario)
    assert run.code == 0, run.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]
    assert sorted(p.name for p in cwd.iterdir()) == ["maps", "reg", "results", "tiny.toml"]
    (folder,) = (cwd / "results").iterdir()
    assert (folder / "summary.json").is_file()
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["scenario"] == "../../escape/a b"


# --------------------------------------------------------------------------- atomic writes


def test_failed_run_leaves_previous_results_intact(tmp_path: Path) -> None:
    good = town(tmp_path)
    first = run_cli(tmp_path, "plan", good, "--out", "out")
    assert first.code == 0, first.output
    before = (tmp_path / "out" / "summary.json").read_bytes()
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    bad = write_scenario(tmp_path / "bad.toml", {
        "name": "tiny",
        "coverage": [{"service": "public_access", "radius_km": 1, "mode": "all"}]})
    second = run_cli(tmp_path, "plan", bad, "--out", "out")
    assert second.code == 2, second.output
    assert (tmp_path / "out" / "summary.json").read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == files
    assert leftovers(tmp_path) == []


PATCHED_RUN = """
import sys
import estate.store as store

def boom(plan, path):
    path.write_bytes(b"half a geopackage")
    raise {error}

store._write_gpkg = boom
from estate.cli import main
sys.argv = ["estate", "plan", "tiny.toml", "--out", "out", "--json"]
main()
"""


@pytest.mark.parametrize(("error", "code"), [("RuntimeError('disk on fire')", 4),
                                             ("KeyboardInterrupt()", 130)])
def test_crash_while_writing_keeps_old_results_and_no_temp_folder(
        tmp_path: Path, error: str, code: int) -> None:
    """A crash (exit 4) or Ctrl-C (exit 130) half-way through writing changes nothing."""
    first = run_cli(tmp_path, "plan", town(tmp_path), "--out", "out")
    assert first.code == 0, first.output
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    run = run_python(tmp_path, PATCHED_RUN.format(error=error))
    assert run.code == code, run.output
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == before
    assert leftovers(tmp_path) == []
    assert run.stdout.strip() == ""  # no half summary either
    no_traceback(run)


def test_unexpected_error_is_one_line_and_a_log_file(tmp_path: Path) -> None:
    town(tmp_path)
    run = run_python(tmp_path, PATCHED_RUN.format(error="RuntimeError('disk on fire')"))
    assert run.code == 4
    no_traceback(run)
    lines = [line for line in run.stderr.splitlines() if "disk on fire" in line]
    assert len(lines) == 1 and "Unexpected error" in lines[0]
    log = tmp_path / "estate-error.log"
    assert log.is_file() and str(log.name) in lines[0]
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "disk on fire" in text and "boom" in text


def test_results_folder_under_a_file_fails_cleanly(tmp_path: Path) -> None:
    """An --out whose parent is a file: a clean one-line error, nothing on screen traced."""
    (tmp_path / "blocker").write_text("not a folder")
    run = run_cli(tmp_path, "plan", town(tmp_path), "--out", "blocker/out", "--json")
    assert run.code in (1, 4), run.output
    no_traceback(run)
    assert run.stdout.strip() == ""
    assert "blocker" in run.stderr
    if run.code == 4:
        assert (tmp_path / "estate-error.log").is_file()


# --------------------------------------------------------------------------- validate


def test_validate_good_register_exits_0(tmp_path: Path) -> None:
    write_register(tmp_path / "reg", tables())
    run = run_cli(tmp_path, "validate", "reg")
    assert run.code == 0, run.output
    assert "valid" in run.stdout
    no_traceback(run)


def test_validate_lists_every_problem_of_every_file(tmp_path: Path) -> None:
    rows = tables()
    rows["sites"][1]["desks"] = "lots"  # sites.csv row 3
    rows["sites"][2]["lat"] = 123  # sites.csv row 4
    rows["functions"][0]["fte"] = -5  # functions.csv row 2
    rows["functions"][2]["agency_id"] = "A9"  # functions.csv row 4: unknown agency
    rows["zones"][1]["population"] = "many"  # zones.csv row 3
    write_register(tmp_path / "reg", rows)
    run = run_cli(tmp_path, "validate", "reg")
    assert run.code == 1, run.output
    no_traceback(run)
    for where in ("sites.csv row 3, column desks", "sites.csv row 4, column lat",
                  "functions.csv row 2, column fte", "functions.csv row 4, column agency_id",
                  "zones.csv row 3, column population"):
        assert where in run.output, (where, run.output)
    assert "'lots'" in run.output and "'many'" in run.output  # what was found


def test_validate_missing_register_exits_1(tmp_path: Path) -> None:
    run = run_cli(tmp_path, "validate", "nowhere")
    assert run.code == 1, run.output
    assert "nowhere" in run.output
    no_traceback(run)


def test_plan_with_bad_register_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    rows = tables()
    rows["sites"][0]["running_cost"] = ""
    run = run_cli(tmp_path, "plan", town(tmp_path, rows), "--out", "out", "--json")
    assert run.code == 1, run.output
    assert "sites.csv row 2, column running_cost" in run.stderr
    assert run.stdout.strip() == ""
    assert not (tmp_path / "out").exists()
    no_traceback(run)


def test_validate_names_sheet_and_row_of_a_workbook(tmp_path: Path) -> None:
    rows = tables()
    rows["sites"][1]["desks"] = "lots"
    rows["functions"][2]["fte"] = -1
    write_register(tmp_path / "csv", rows)
    with pd.ExcelWriter(tmp_path / "reg.xlsx", engine="openpyxl") as book:
        for name in ("agencies", "sites", "functions", "zones"):
            pd.read_csv(tmp_path / "csv" / f"{name}.csv").to_excel(book, sheet_name=name,
                                                                   index=False)
    run = run_cli(tmp_path, "validate", "reg.xlsx")
    assert run.code == 1, run.output
    assert "reg.xlsx[sites] row 3, column desks" in run.output, run.output
    assert "reg.xlsx[functions] row 4, column fte" in run.output, run.output
    no_traceback(run)


def test_validate_warns_but_passes_a_team_at_a_site_not_hosting_its_type(
        tmp_path: Path) -> None:
    rows = tables()
    rows["sites"][1]["hosts"] = "HR"  # S2 hosts HR only; F2 (Finance) sits there today
    write_register(tmp_path / "reg", rows)
    run = run_cli(tmp_path, "validate", "reg")
    assert run.code == 0, run.output
    assert "Warning" in run.stderr, run.stderr
    assert "functions.csv row 3, column site_id" in run.stderr, run.stderr
    no_traceback(run)


def test_validate_empty_file_exits_1(tmp_path: Path) -> None:
    write_register(tmp_path / "reg", tables())
    (tmp_path / "reg" / "zones.csv").write_text("")
    run = run_cli(tmp_path, "validate", "reg")
    assert run.code == 1, run.output
    assert "zones.csv" in run.stderr
    no_traceback(run)


def test_validate_header_only_tables_are_valid(tmp_path: Path) -> None:
    rows = tables()
    rows["functions"] = []
    rows["pair_costs"] = []
    write_register(tmp_path / "reg", rows)
    run = run_cli(tmp_path, "validate", "reg")
    assert run.code == 0, run.output


# --------------------------------------------------------------------------- scenario errors


def _must_keep_s2() -> dict:
    rows = tables()
    rows["sites"][1]["must_keep"] = "true"
    return rows


def _station_s3() -> dict:
    rows = tables()
    rows["sites"][2]["kind"] = "station"
    return rows


SCENARIO_ERRORS = {
    "unknown key": ({"policy": {"kep": ["S1"]}}, None, ["policy.kep"]),
    "unknown top-level key": ({"horizon": 5}, None, ["horizon"]),
    "wrong type": ({"horizon_years": "ten"}, None, ["horizon_years", "'ten'"]),
    "wrong type of flag": ({"assignment": {"split": "yes"}}, None, ["assignment.split"]),
    "share above 1": ({"coverage": [{"service": "public_access", "radius_km": 5,
                                     "mode": "population_share", "population_share": 1.5}]},
                      None, ["coverage.0.population_share", "1.5"]),
    "negative rate": ({"discount_rate": -0.01}, None, ["discount_rate"]),
    "efficiency of 1": ({"sharing": {"types": ["HR"], "efficiency": 1.0}}, None,
                        ["sharing.efficiency"]),
    "unknown mode": ({"coverage": [{"service": "public_access", "mode": "most"}]}, None,
                     ["coverage.0.mode", "most"]),
    "unknown site in keep": ({"policy": {"keep": ["S9"]}}, None, ["policy.keep", "S9"]),
    "unknown site in close": ({"policy": {"close": ["S8"]}}, None, ["policy.close", "S8"]),
    "site in keep and close": ({"policy": {"keep": ["S2"], "close": ["S2"]}}, None,
                               ["policy.close", "S2"]),
    "must_keep site in close": ({"policy": {"close": ["S2"]}}, _must_keep_s2,
                                ["policy.close", "S2", "must_keep"]),
    "front-line site in close": ({"policy": {"close": ["S3"]}}, _station_s3,
                                 ["policy.close", "S3", "closable_kinds"]),
    "unknown agency": ({"agencies": ["A1", "A9"]}, None, ["agencies", "A9"]),
    "geographic crs": ({"crs": "EPSG:4326"}, None, ["crs", "EPSG:4326"]),
    "efficiency table of other types": (
        {"sharing": {"types": ["HR"], "efficiency": {"IT": 0.1}}}, None,
        ["sharing.efficiency", "HR"]),
    "unknown solver": ({"solver": {"name": "gurobi"}}, None, ["solver.name", "gurobi"]),
    "no data key": ({"data": "DROP"}, None, ["data"]),
}


@pytest.mark.parametrize("case", SCENARIO_ERRORS, ids=list(SCENARIO_ERRORS))
def test_scenario_error_exits_1_naming_file_and_key(tmp_path: Path, case: str) -> None:
    changes, rows, expected = SCENARIO_ERRORS[case]
    scenario = town(tmp_path, rows() if rows else None, changes=changes, name="bad.toml")
    if changes.get("data") == "DROP":  # a scenario without the data key
        text = scenario.read_text(encoding="utf-8")
        scenario.write_text("\n".join(line for line in text.splitlines()
                                      if not line.startswith("data =")), encoding="utf-8")
    run = run_cli(tmp_path, "plan", scenario, "--out", "out", "--json")
    assert run.code == 1, run.output
    no_traceback(run)
    assert "bad.toml" in run.stderr
    for text in expected:
        assert text in run.stderr, (text, run.stderr)
    assert run.stdout.strip() == ""
    assert not (tmp_path / "out").exists()


def test_every_scenario_error_is_listed_at_once(tmp_path: Path) -> None:
    scenario = town(tmp_path, name="bad.toml", changes={
        "horizon_years": 0, "relocation": {"max_km": "far"}, "solver": {"nmae": "cbc"}})
    run = run_cli(tmp_path, "plan", scenario)
    assert run.code == 1, run.output
    for key in ("horizon_years", "relocation.max_km", "solver.nmae"):
        assert key in run.stderr, (key, run.stderr)
    no_traceback(run)


def test_missing_scenario_file_exits_1(tmp_path: Path) -> None:
    run = run_cli(tmp_path, "plan", "nothing.toml")
    assert run.code == 1, run.output
    assert "nothing.toml" in run.output
    no_traceback(run)


def test_broken_toml_exits_1(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text('data = "reg"\n[policy\n', encoding="utf-8")
    run = run_cli(tmp_path, "plan", "broken.toml")
    assert run.code == 1, run.output
    assert "broken.toml" in run.stderr
    no_traceback(run)


# --------------------------------------------------------------------------- infeasible


def _precheck_reasons(scenario: Path) -> list[str]:
    """What the cheap pre-check alone finds (to know which path a test exercises)."""
    from estate.api import prepare_scenario
    from estate.load.scenario import load_scenario
    from estate.solve.diagnose import precheck

    return precheck(prepare_scenario(load_scenario(scenario)))


def _infeasible(tmp_path: Path, scenario: Path) -> Run:
    run = run_cli(tmp_path, "plan", scenario, "--out", "out", "--json")
    assert run.code == 2, run.output
    assert run.stdout.strip() == ""
    assert not (tmp_path / "out").exists()
    no_traceback(run)
    return run


def test_infeasible_zone_found_by_precheck(tmp_path: Path) -> None:
    rows = tables()
    rows["zones"].append({"zone_id": "Z3", "name": "Far village", "lat": 52.30, "lon": 1.40,
                          "population": 300})
    scenario = town(tmp_path, rows, changes={
        "coverage": [{"service": "public_access", "radius_km": 5, "mode": "all"}]})
    assert _precheck_reasons(scenario)
    run = _infeasible(tmp_path, scenario)
    assert "Z3" in run.stderr and "Far village" in run.stderr
    assert "public_access" in run.stderr and "coverage.0" in run.stderr
    assert "Z1" not in run.stderr and "Z2" not in run.stderr


def test_infeasible_secure_function_found_by_precheck(tmp_path: Path) -> None:
    """Police IT needs a secure site; its only one is closed by policy."""
    scenario = town(tmp_path, changes={"policy": {"close": ["S3"]}})
    assert _precheck_reasons(scenario)
    run = _infeasible(tmp_path, scenario)
    assert "F3" in run.stderr
    assert "secure" in run.stderr
    assert "F1" not in run.stderr and "F2" not in run.stderr


def _two_candidates(build_cost: float, cap: float) -> dict:
    """Two far-apart zones, each reachable only from its own candidate site."""
    return {
        "agencies": [{"agency_id": "A1", "name": "County", "kind": "council"}],
        "sites": [
            {"site_id": "S1", "agency_id": "A1", "name": "Old office", "lat": 52.05,
             "lon": 1.15, "desks": 50, "running_cost": 100_000},
            {"site_id": "C1", "agency_id": "A1", "name": "North hub", "lat": 52.20,
             "lon": 1.15, "desks": 10, "running_cost": 50_000, "candidate": "true",
             "build_cost": build_cost, "services": "public_access"},
            {"site_id": "C2", "agency_id": "A1", "name": "South hub", "lat": 52.40,
             "lon": 1.15, "desks": 10, "running_cost": 50_000, "candidate": "true",
             "build_cost": build_cost, "services": "public_access"},
        ],
        "functions": [{"function_id": "F1", "agency_id": "A1", "type": "HR", "site_id": "S1",
                       "fte": 10, "annual_cost": 300_000}],
        "zones": [
            {"zone_id": "Z1", "name": "North", "lat": 52.20, "lon": 1.15, "population": 100},
            {"zone_id": "Z2", "name": "South", "lat": 52.40, "lon": 1.15, "population": 100},
        ],
    }


def test_infeasible_zone_found_by_elastic_resolve(tmp_path: Path) -> None:
    """Each zone needs its own new hub; the one-off cap pays for one. The pre-check,
    which looks at one rule at a time, cannot see it; the solver's re-solve must."""
    scenario = town(tmp_path, _two_candidates(5_000_000, 6_000_000), changes={
        "coverage": [{"service": "public_access", "radius_km": 5, "mode": "all"}],
        "policy": {"max_one_off": 6_000_000}})
    assert _precheck_reasons(scenario) == []
    run = _infeasible(tmp_path, scenario)
    # £4m short of both hubs: giving up one zone is the smaller breach; it is named.
    assert re.search(r"zone Z[12]\b", run.stderr), run.stderr
    assert "coverage.0" in run.stderr and "public_access" in run.stderr


def test_elastic_resolve_names_the_zone_as_the_precheck_does(tmp_path: Path) -> None:
    scenario = town(tmp_path, _two_candidates(5_000_000, 6_000_000), changes={
        "coverage": [{"service": "public_access", "radius_km": 5, "mode": "all"}],
        "policy": {"max_one_off": 6_000_000}})
    run = _infeasible(tmp_path, scenario)
    assert re.search(r"zone (Z1 North|Z2 South)\b", run.stderr), run.stderr


def _small_shortfall(tmp_path: Path) -> Path:
    """Two £1m hubs under a £1.5m cap: £500,000 short, cheaper to name than a zone."""
    return town(tmp_path, _two_candidates(1_000_000, 1_500_000), changes={
        "coverage": [{"service": "public_access", "radius_km": 5, "mode": "all"}],
        "policy": {"max_one_off": 1_500_000}})


def test_infeasible_cap_found_by_elastic_resolve(tmp_path: Path) -> None:
    scenario = _small_shortfall(tmp_path)
    assert _precheck_reasons(scenario) == []
    run = _infeasible(tmp_path, scenario)
    # £500,000 short: naming the cap is the smaller breach than giving up a zone.
    assert "max_one_off" in run.stderr, run.stderr


def test_elastic_one_off_shortfall_is_stated_in_pounds(tmp_path: Path) -> None:
    run = _infeasible(tmp_path, _small_shortfall(tmp_path))
    assert re.search(r"£500,000\b(?!,)", run.stderr), run.stderr
    assert "£1,500,000" in run.stderr  # the cap itself


def test_infeasible_function_found_by_elastic_resolve(tmp_path: Path) -> None:
    """Two 60-desk teams at a 100-desk office, neither allowed to move (max_km 0):
    each fits alone and all sites together hold enough, so only the solver sees it."""
    rows = tables()
    rows["functions"][0].update(fte=60)
    rows["functions"][1].update(fte=60, site_id="S1")
    scenario = town(tmp_path, rows, changes={"relocation": {"max_km": 0}})
    assert _precheck_reasons(scenario) == []
    run = _infeasible(tmp_path, scenario)
    assert re.search(r"function F[12]\b", run.stderr), run.stderr
    assert "F3" not in run.stderr


# --------------------------------------------------------------------------- help


def _commands() -> list[str]:
    from estate.cli import cli

    return sorted(cli.commands)


def test_top_level_help_lists_commands(tmp_path: Path) -> None:
    run = run_cli(tmp_path, "--help")
    assert run.code == 0, run.output
    for command in _commands():
        assert command in run.stdout
    assert {"plan", "validate", "map"} <= set(_commands())


def test_top_level_help_shows_an_example(tmp_path: Path) -> None:
    run = run_cli(tmp_path, "--help")
    assert "Example" in run.stdout and "estate plan" in run.stdout


@pytest.mark.parametrize("command", _commands())
def test_subcommand_help_shows_an_example(tmp_path: Path, command: str) -> None:
    run = run_cli(tmp_path, command, "--help")
    assert run.code == 0, run.output
    assert "Example" in run.stdout and f"estate {command} " in run.stdout, run.stdout


@pytest.mark.parametrize("args", [("plna", "x.toml"), ("plan", "x.toml", "--jsn")],
                         ids=["unknown command", "unknown option"])
def test_usage_error_exits_1_not_the_infeasible_code(tmp_path: Path, args: tuple) -> None:
    """A mistyped command line is bad input (1); 2 would tell a script "infeasible"."""
    run = run_cli(tmp_path, *args)
    assert run.code == 1, (run.code, run.output)
    no_traceback(run)
