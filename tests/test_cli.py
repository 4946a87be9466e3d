"""The command line as a user meets it (estate.cli, estate.__main__): exit codes,
stdout and stderr, where files go, `validate`, `map` and the help.

Most tests run the command in this process (`invoke`, click's CliRunner) on the tiny
town register (`tests.fixtures.registers.TOWN`). A few run `python -m estate` in a
fresh process as a user would (`run_cli`, `run_python`): the JSON alone on stdout and
nothing on stderr off a terminal, a mistyped command line (exit 1, mapped by `main()`),
an unexpected error (exit 4 and its log file) and Ctrl-C (exit 130).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import estate
from estate.cli import cli
from estate.errors import ProblemKind
from estate.render.terminal import progress_lines, shell_word
from estate.results.amounts import percent_up
from tests.fixtures import (
    TOWN_SCENARIO,
    Run,
    invoke,
    merge,
    no_traceback,
    run_cli,
    run_python,
    town,
    town_rows,
    write_scenario,
    write_tables,
    write_xlsx,
)

SUMMARY_KEYS = {
    "scenario", "status", "objective_npv", "status_quo_npv", "status_quo_feasible",
    "status_quo_breaches", "npv_saving", "annual_cost_before", "annual_cost_after",
    "annual_saving", "one_off_cost", "payback_years", "sites_before", "sites_after",
    "sites_closed", "sites_opened", "shared_centres", "fte_relocated", "mip_gap",
    "solve_seconds", "solver", "agencies",
}
AGENCY_KEYS = {"name", "annual_cost_before", "annual_cost_after", "one_off_cost", "worse_off"}


def leftovers(folder: Path) -> list[str]:
    """Hidden temporary or old folders a results write might leave beside `out`."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    """The tiny town planned once by `python -m estate` with --json and --write-lp;
    (working folder, run)."""
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


def test_plan_is_quiet_on_stderr_when_not_on_a_terminal(planned: tuple[Path, Run]) -> None:
    _, run = planned
    assert run.code == 0
    assert run.stderr.strip() == "", run.stderr


def test_progress_is_written_to_a_log_when_asked(tmp_path: Path) -> None:
    """`--progress` tells the stages on stderr though it is not a terminal (a log, a
    scheduled job), and stdout still holds the JSON alone."""
    scenario = town(tmp_path)
    run = run_cli(tmp_path, "plan", scenario, "--json", "--out", "out", "--progress")
    assert run.code == 0, run.output
    assert json.loads(run.stdout)["scenario"] == "tiny"
    lines = run.stderr.splitlines()
    assert any(line.startswith("• ") and "Solving" in line for line in lines), run.stderr
    quiet = run_cli(tmp_path, "plan", scenario, "--json", "--out", "out2", "--map",
                    "out2.html", "--no-progress")  # its own map: no warning of another's
    assert quiet.code == 0 and quiet.stderr.strip() == "", quiet.stderr


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


def test_write_lp_names_constraints_readably(planned: tuple[Path, Run]) -> None:
    cwd, _ = planned
    text = (cwd / "model.lp").read_text(encoding="utf-8")
    for name in ("housed(F1)", "housed(F2)", "housed(F3)", "desks(S1)", "at_open(F1,S1)"):
        assert re.search(rf"^{re.escape(name)}:", text, re.M), name
    assert "open(S2)" in text and "assign(F2,S1)" in text
    # coverage.0: only S1 reaches Z1, so the model is written with S1 fixed open and the
    # rows the fixing meets dropped (estate.model.reduce)
    assert re.search(r"^ open\(S1\) = 1$", text, re.M)
    assert not re.search(r"^coverage\.0\(Z1\):", text, re.M)


def test_plan_map_is_written_where_asked(planned: tuple[Path, Run]) -> None:
    cwd, _ = planned
    assert (cwd / "plan.html").stat().st_size > 0


def test_policy_costs_only_when_asked(planned: tuple[Path, Run], tmp_path: Path) -> None:
    assert "policy_costs" not in planned[1].json()
    run = invoke(tmp_path, "plan", town(tmp_path), "--policy-costs", "--json", "--out", "out")
    assert run.code == 0, run.output
    costs = run.json()["policy_costs"]
    assert "coverage.0" in costs
    assert all(c["npv"] >= 0 for c in costs.values())
    assert costs["coverage.0"]["npv"] > 0  # without it S1 could close too
    stored = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert stored["policy_costs"] == costs


def test_default_out_and_map_are_under_results_and_maps(tmp_path: Path) -> None:
    run = invoke(tmp_path, "plan", town(tmp_path))
    assert run.code == 0, run.output
    assert (tmp_path / "results" / "tiny" / "summary.json").is_file()
    assert (tmp_path / "maps" / "tiny.html").is_file()
    assert "results" in run.stdout  # the human summary says where the results are
    no_traceback(run)


def test_a_plan_written_elsewhere_says_it_redrew_another_folder_s_map(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """maps/<name>.html drawn from results/<name>/ and drawn again by a plan of the same
    name written elsewhere (no --map: DESIGN's default) is not replaced silently: a
    warning names the map and the folder it now shows, and how to draw the first
    folder's again. A plan into the map's own folder, or one with --map elsewhere, says
    nothing."""
    scenario = town(tmp_path)
    assert invoke(tmp_path, "plan", scenario).code == 0
    run = invoke(tmp_path, "plan", scenario, "--out", "archive/tiny")
    assert run.code == 0, run.output
    assert ("Warning: maps/tiny.html: was the map of another results folder; it now shows "
            "archive/tiny.") in run.stderr
    run = invoke(tmp_path, "plan", scenario, "--out", "results/tiny", "--map", "else.html")
    assert run.code == 0 and "another results folder" not in run.stderr
    run = invoke(tmp_path, "plan", scenario)  # the map is archive's now: said again
    assert "it now shows results/tiny." in run.stderr
    run = invoke(tmp_path, "plan", scenario)  # and then it is this folder's own
    assert run.code == 0 and "another results folder" not in run.stderr
    # from Python, among the plan's warnings, as the README says of every warning (a
    # review: the command line alone said it)
    monkeypatch.chdir(tmp_path)
    planned = estate.plan(scenario, out="archive/again")
    over = [w for w in planned.warnings if w.kind is ProblemKind.DRAWN_OVER]
    assert [(w.file, w.severity) for w in over] == [("maps/tiny.html", "warning")]
    assert str(over[0]).startswith("maps/tiny.html: was the map of another results folder")
    kept = tmp_path / "archive" / "again" / "warnings.csv"  # the plan's own warnings
    assert not kept.exists() or "was the map of" not in kept.read_text(encoding="utf-8-sig")


def test_a_plan_drawn_elsewhere_says_its_folder_s_own_map_shows_the_plan_before(
        tmp_path: Path) -> None:
    """Planned into results/tiny (its map at maps/tiny.html), then again with --map
    elsewhere: maps/tiny.html went on showing the earlier plan of the folder, without a
    word (a review). It is said, with how to draw it again; a map of another folder
    there, or none, is not."""
    scenario = town(tmp_path)
    assert invoke(tmp_path, "plan", scenario).code == 0
    run = invoke(tmp_path, "plan", scenario, "--map", "else.html")
    assert run.code == 0, run.output
    assert ("Warning: maps/tiny.html: still shows the plan results/tiny held before this "
            "one (drawn at else.html); estate map results/tiny draws it again.") in run.stderr
    run = invoke(tmp_path, "plan", scenario, "--out", "other", "--map", "else.html")
    assert run.code == 0 and "still shows" not in run.stderr, run.stderr


def test_a_pack_written_over_another_folder_s_pack_says_so(tmp_path: Path) -> None:
    """`estate report` on an archived copy of a plan writes reports/<name>.pdf, the
    place of results/<name>/'s pack, which was replaced without a word (a review). It is
    said, naming the files and the folder they now show; a pack of the same folder
    written again, or one written elsewhere with --out, says nothing."""
    scenario = town(tmp_path)
    assert invoke(tmp_path, "plan", scenario).code == 0
    assert invoke(tmp_path, "plan", scenario, "--out", "archive/tiny").code == 0
    first = invoke(tmp_path, "report", "results/tiny")
    assert first.code == 0 and "Warning" not in first.stderr, first.output
    run = invoke(tmp_path, "report", "archive/tiny")
    assert run.code == 0, run.output
    assert ("Warning: reports/tiny.pdf and reports/tiny.html were the board pack of "
            "another results folder, and now show archive/tiny. Give --out FILE to keep "
            "each folder's pack.") in run.stderr
    assert "Warning" not in invoke(tmp_path, "report", "archive/tiny").stderr
    run = invoke(tmp_path, "report", "results/tiny", "--out", "packs/tiny.pdf")
    assert run.code == 0 and "Warning" not in run.stderr, run.output
    # the PDF alone, its page written elsewhere: the PDF is marked too (a review)
    run = invoke(tmp_path, "report", "results/tiny", "--html", "packs/page.html")
    assert ("Warning: reports/tiny.pdf was the board pack of another results folder, and "
            "now shows results/tiny. Give --out FILE") in run.stderr, run.output
    run = invoke(tmp_path, "report", "archive/tiny", "--out", "packs/tiny.pdf")
    assert run.stderr.strip().endswith("and now show archive/tiny."), run.stderr


def test_a_map_drawn_over_another_folder_s_map_says_so(tmp_path: Path) -> None:
    """`estate map` of an archived copy at maps/<name>.html, the map of results/<name>/:
    said, as `estate plan` and `estate report` say it; the same folder again is not."""
    scenario = town(tmp_path)
    assert invoke(tmp_path, "plan", scenario).code == 0
    assert invoke(tmp_path, "plan", scenario, "--out", "archive/tiny",
                  "--map", "else.html").code == 0
    run = invoke(tmp_path, "map", "archive/tiny")
    assert run.code == 0, run.output
    assert ("Warning: maps/tiny.html was the map of another results folder, and now shows "
            "archive/tiny. Give --out FILE to keep each folder's map.") in run.stderr
    assert "Warning" not in invoke(tmp_path, "map", "archive/tiny").stderr


def test_json_keeps_names_with_double_spaces(tmp_path: Path) -> None:
    rows = town_rows()
    rows["agencies"][0]["name"] = "Town  Council"  # two spaces, as typed in a spreadsheet
    scenario = town(tmp_path, rows, changes={"name": "Two  spaces"})
    run = invoke(tmp_path, "plan", scenario, "--json", "--out", "out")
    assert run.code == 0, run.output
    summary = run.json()
    assert summary["scenario"] == "Two  spaces"
    assert summary["agencies"]["A1"]["name"] == "Town  Council"


def test_register_without_functions_is_a_pure_coverage_problem(tmp_path: Path) -> None:
    rows = town_rows()
    rows["functions"] = []
    run = invoke(tmp_path, "plan", town(tmp_path, rows), "--json", "--out", "out")
    assert run.code == 0, run.output
    summary = run.json()
    # Only S1 offers public access; the others cost money and host nobody.
    assert summary["sites_after"] == 1 and summary["fte_relocated"] == 0


def test_map_redraws_from_the_results_folder_alone(planned: tuple[Path, Run],
                                                    tmp_path: Path) -> None:
    cwd, _ = planned
    run = invoke(tmp_path, "map", cwd / "out", "--out", "again.html")
    assert run.code == 0, run.output
    assert (tmp_path / "again.html").stat().st_size > 0
    no_traceback(run)


def test_map_of_a_folder_without_results_exits_1(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    run = invoke(tmp_path, "map", "empty")
    assert run.code == 1, run.output
    assert "summary.json" in run.stderr
    no_traceback(run)


def _demo_with_time_limit(tmp_path: Path, stem: str, seconds: float) -> Path:
    """A demo scenario pointing at the demo register, with a short time limit."""
    root = Path(__file__).resolve().parents[1]
    raw = tomllib.loads((root / "models" / f"{stem}.toml").read_text(encoding="utf-8"))
    raw["data"] = str(root / "data" / "suffolk")
    raw["solver"]["time_limit_s"] = seconds
    return write_scenario(tmp_path / f"{stem}.toml", raw)


@pytest.mark.slow
def test_no_plan_within_the_time_limit_exits_3(tmp_path: Path) -> None:
    """Closing S013 makes the status quo break a rule, so it is no first plan either."""
    scenario = _demo_with_time_limit(tmp_path, "hubs_coverage", 0.01)
    raw = tomllib.loads(scenario.read_text(encoding="utf-8"))
    raw.setdefault("policy", {})["close"] = ["S013"]
    scenario = write_scenario(tmp_path / "closing.toml", raw)
    run = invoke(tmp_path, "plan", scenario, "--out", "out", "--json")
    assert run.code == 3, run.output
    assert "time limit" in run.stderr and "time_limit_s" in run.stderr
    assert run.json()["status"] == "no_solution"  # --json: the failure, no summary
    assert not (tmp_path / "out").exists()
    no_traceback(run)


@pytest.mark.slow
def test_feasible_status_quo_always_gives_a_plan_at_least_as_good(tmp_path: Path) -> None:
    """The status quo is offered as a first plan: even 0.01 s ends with a plan (exit 0)
    that costs no more than today."""
    run = invoke(tmp_path, "plan", _demo_with_time_limit(tmp_path, "hubs_coverage", 0.01),
                 "--out", "out", "--json")
    assert run.code == 0, run.output
    summary = run.json()
    assert summary["status"] in ("time_limit", "optimal")
    assert summary["status_quo_feasible"] is True
    assert summary["objective_npv"] <= summary["status_quo_npv"] + 1e-6


@pytest.mark.slow
def test_time_limit_plan_exits_0_and_says_it_is_not_proven(tmp_path: Path) -> None:
    run = invoke(tmp_path, "plan", _demo_with_time_limit(tmp_path, "shared_back_office", 3),
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
    assert f"(its cost within {percent_up(summary['mip_gap'])} of the lowest possible)" \
        in run.stderr
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["status"] == "time_limit"


def test_unhoused_function_is_a_status_quo_breach_and_gets_housed(tmp_path: Path) -> None:
    rows = town_rows()
    rows["functions"].append({"function_id": "F4", "agency_id": "A1", "type": "IT",
                              "site_id": "", "fte": 5, "annual_cost": 100_000})
    run = invoke(tmp_path, "plan", town(tmp_path, rows), "--json", "--out", "out")
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
    run = invoke(cwd, "plan", scenario)
    assert run.code == 0, run.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]
    assert sorted(p.name for p in cwd.iterdir()) == ["maps", "reg", "results", "tiny.toml"]
    (folder,) = (cwd / "results").iterdir()
    assert (folder / "summary.json").is_file()
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["scenario"] == "../../escape/a b"


PATCHED_RUN = """
import sys
import estate.store as store

def boom(plan, path):
    path.write_bytes(b"half a geopackage")
    raise {error}

store._write_gpkg = boom
from estate.__main__ import main
sys.argv = ["estate", "plan", "tiny.toml", "--out", "out", "--json"]
main()
"""


@pytest.mark.parametrize(("error", "code"), [("RuntimeError('disk on fire')", 4),
                                             ("KeyboardInterrupt()", 130)])
def test_crash_while_writing_keeps_old_results_and_no_temp_folder(
        tmp_path: Path, error: str, code: int) -> None:
    """A crash (exit 4) or Ctrl-C (exit 130) half-way through writing changes nothing."""
    first = invoke(tmp_path, "plan", town(tmp_path), "--out", "out")
    assert first.code == 0, first.output
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    run = run_python(tmp_path, PATCHED_RUN.format(error=error))
    assert run.code == code, run.output
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == before
    assert leftovers(tmp_path) == []
    # no half summary either: with --json a crash's failure, nothing after Ctrl-C
    if code == 4:
        assert run.json() == {"status": "error", "message": run.stderr.strip()}
    else:
        assert run.stdout.strip() == ""
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


def test_validate_good_register_exits_0(tmp_path: Path) -> None:
    write_tables(tmp_path / "reg", town_rows())
    run = invoke(tmp_path, "validate", "reg")
    assert run.code == 0, run.output
    assert "valid" in run.stdout
    no_traceback(run)


def test_validate_lists_every_problem_of_every_file(tmp_path: Path) -> None:
    rows = town_rows()
    rows["sites"][1]["desks"] = "lots"  # sites.csv row 3
    rows["sites"][2]["lat"] = 123  # sites.csv row 4
    rows["functions"][0]["fte"] = -5  # functions.csv row 2
    rows["functions"][2]["agency_id"] = "A9"  # functions.csv row 4: unknown agency
    rows["zones"][1]["population"] = "many"  # zones.csv row 3
    write_tables(tmp_path / "reg", rows)
    run = invoke(tmp_path, "validate", "reg")
    assert run.code == 1, run.output
    no_traceback(run)
    for where in ("sites.csv row 3, column desks", "sites.csv row 4, column lat",
                  "functions.csv row 2, column fte", "functions.csv row 4, column agency_id",
                  "zones.csv row 3, column population"):
        assert where in run.output, (where, run.output)
    assert "'lots'" in run.output and "'many'" in run.output  # what was found


def test_validate_missing_register_exits_1(tmp_path: Path) -> None:
    run = invoke(tmp_path, "validate", "nowhere")
    assert run.code == 1, run.output
    assert "nowhere" in run.output
    no_traceback(run)


def test_plan_with_bad_register_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    rows = town_rows()
    rows["sites"][0]["running_cost"] = ""
    run = invoke(tmp_path, "plan", town(tmp_path, rows), "--out", "out", "--json")
    assert run.code == 1, run.output
    assert "sites.csv row 2, column running_cost" in run.stderr
    assert [(p["file"], p["row"], p["column"]) for p in run.json()["problems"]] == [
        ("sites.csv", 2, "running_cost")]
    assert not (tmp_path / "out").exists()
    no_traceback(run)


def test_validate_names_sheet_and_row_of_a_workbook(tmp_path: Path) -> None:
    rows = town_rows()
    rows["sites"][1]["desks"] = "lots"
    rows["functions"][2]["fte"] = -1
    write_tables(tmp_path / "csv", rows)
    write_xlsx(tmp_path / "reg.xlsx", {
        name: pd.read_csv(tmp_path / "csv" / f"{name}.csv")
        for name in ("agencies", "sites", "functions", "zones")})
    book = openpyxl.load_workbook(tmp_path / "reg.xlsx")
    book["sites"].title = "tmp"  # openpyxl would make "Sites" of "sites" "Sites1"
    book["tmp"].title = "Sites"  # named as the user's tab is, not as estate spells it
    book.save(tmp_path / "reg.xlsx")
    run = invoke(tmp_path, "validate", "reg.xlsx")
    assert run.code == 1, run.output
    assert "reg.xlsx[Sites] row 3, column desks" in run.output, run.output
    assert "reg.xlsx[functions] row 4, column fte" in run.output, run.output
    no_traceback(run)


def test_validate_warns_but_passes_a_team_at_a_site_not_hosting_its_type(
        tmp_path: Path) -> None:
    rows = town_rows()
    rows["sites"][1]["hosts"] = "HR"  # S2 hosts HR only; F2 (Finance) sits there today
    write_tables(tmp_path / "reg", rows)
    run = invoke(tmp_path, "validate", "reg")
    assert run.code == 0, run.output
    assert "Warning" in run.stderr, run.stderr
    assert "functions.csv row 3, column site_id" in run.stderr, run.stderr
    no_traceback(run)


def test_validate_says_the_warnings_beside_the_errors(tmp_path: Path) -> None:
    """A register with an error and a warning lists both in one run, so fixing the error
    does not bring a new surprise."""
    rows = town_rows()
    rows["sites"][1]["hosts"] = "HR"  # a warning: F2 (Finance) sits at S2, hosting HR only
    rows["sites"][2]["desks"] = "lots"  # an error at sites.csv row 4
    write_tables(tmp_path / "reg", rows)
    run = invoke(tmp_path, "validate", "reg")
    assert run.code == 1, run.output
    no_traceback(run)
    assert "sites.csv row 4, column desks" in run.stderr, run.stderr
    assert "Warning: functions.csv row 3, column site_id" in run.stderr, run.stderr
    assert run.stderr.rstrip().endswith("Fix the problems above and run again."), run.stderr


def test_validate_empty_file_exits_1(tmp_path: Path) -> None:
    write_tables(tmp_path / "reg", town_rows())
    (tmp_path / "reg" / "zones.csv").write_text("")
    run = invoke(tmp_path, "validate", "reg")
    assert run.code == 1, run.output
    assert "zones.csv" in run.stderr
    no_traceback(run)


def test_validate_header_only_tables_are_valid(tmp_path: Path) -> None:
    rows = town_rows()
    rows["functions"] = []
    rows["pair_costs"] = []
    write_tables(tmp_path / "reg", rows)
    run = invoke(tmp_path, "validate", "reg")
    assert run.code == 0, run.output


ROOT = Path(__file__).resolve().parents[1]


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_validate_the_demo_scenario_exits_0_plans_nothing_and_writes_nothing(
        tmp_path: Path) -> None:
    """The demo scenario with its register, checked as a plan would be: the register's
    report (its tables counted here by pandas), the scenario consistent, and not a file
    made or changed: no results folder, no map, so no plan."""
    for folder in ("data", "models"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    before = _tree(tmp_path)
    run = invoke(tmp_path, "validate", "models/shared_back_office.toml")
    assert run.code == 0, run.output
    no_traceback(run)
    rows = [len(pd.read_csv(tmp_path / "data" / "suffolk" / f"{name}.csv"))
            for name in ("agencies", "sites", "functions", "zones", "pair_costs")]
    assert run.stdout.splitlines() == [
        "data/suffolk: valid register; {:,} agencies, {:,} sites, {:,} functions, {:,} zones, "
        "{:,} pair costs".format(*rows),
        "models/shared_back_office.toml: consistent with its register; distances "
        "measured, nothing found that rules out every plan; 1 warning; not planned "
        "(estate plan models/shared_back_office.toml solves it)"]
    assert "key start" in run.stderr  # the warning: no start date, leases not counted
    assert _tree(tmp_path) == before
    assert not (tmp_path / "results").exists() and not (tmp_path / "maps").exists()


#: Scenario changes each wrong against the town register: the key and what is named.
AGAINST_THE_REGISTER = {
    "mistyped key": ({"policy": {"kep": ["S1"]}}, ["key policy.kep", "policy.keep"]),
    "sharing type the register spells otherwise": (
        {"sharing": {"types": ["HR", "Finanace"]}},
        ["key sharing.types", "'Finanace', which no function has (did you mean "
                                 "`Finance`?)"]),
    "keep id not in the register": ({"policy": {"keep": ["S1", "S9"]}},
                                    ["key policy.keep", "unknown ids S9"]),
}


@pytest.mark.parametrize("case", AGAINST_THE_REGISTER, ids=list(AGAINST_THE_REGISTER))
def test_validate_a_scenario_names_the_key_and_exits_1_as_plan_does(
        tmp_path: Path, case: str) -> None:
    """Validating the scenario lists the problem by its key and exits 1 before anything
    is planned; `estate plan` refuses it with the very same problems, since both run
    the one check made before planning."""
    changes, named = AGAINST_THE_REGISTER[case]
    scenario = town(tmp_path, changes=changes, name="bad.toml")
    run = invoke(tmp_path, "validate", scenario)
    assert run.code == 1, run.output
    no_traceback(run)
    for text in named:
        assert text in run.stderr, (text, run.stderr)
    assert "consistent" not in run.output and run.stdout.strip() == ""
    assert "Nothing was solved or written" in run.stderr
    planned = invoke(tmp_path, "plan", scenario, "--out", "out")
    assert planned.code == 1, planned.output
    assert planned.stderr == run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml", "reg"]


def test_validate_a_scenario_warns_of_a_sharing_type_no_team_has(tmp_path: Path) -> None:
    """A type the register has nowhere, nor anything like it, is a warning as it is when
    planning (a standard scenario may name types a register lacks): exit 0, said."""
    scenario = town(tmp_path, changes={"sharing": {"types": ["HR", "Estates"]}})
    run = invoke(tmp_path, "validate", scenario)
    assert run.code == 0, run.output
    assert "Warning: " in run.stderr and "key sharing.types" in run.stderr, run.stderr
    assert "'Estates', which no function has" in run.stderr
    # and HR alone can pool no centre: only A1 has an HR team
    assert "key sharing.min_agencies" in run.stderr, run.stderr
    assert run.stdout.splitlines()[-1].startswith(
        f"{scenario}: consistent with its register; distances measured, nothing found "
        "that rules out every plan; 2 warnings; not planned")


def _warning_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("Warning: ")]


def test_validate_a_scenario_says_the_warnings_plan_finds_measuring_distances(
        tmp_path: Path) -> None:
    """What planning finds only once it measures distances and dates is said by validate
    too, word for word as plan says it: the Annexe (S2, sites.csv row 3) is leased to
    2026-12-31, before the start 2027-04-01; and a pair cost for the police IT team,
    which needs a secure site, at the Town Hall, which is not one, can never apply
    (pair_costs.csv row 2)."""
    rows = town_rows()
    rows["sites"][1].update(tenure="leasehold", lease_end="2026-12-31")
    rows["pair_costs"] = [{"function_id": "F3", "site_id": "S1", "annual_cost": 1000}]
    scenario = town(tmp_path, rows, changes={"start": "2027-04-01"})
    run = invoke(tmp_path, "validate", scenario)
    assert run.code == 0, run.output
    lease = ("Warning: sites.csv row 3, column lease_end: expected a date on or after start "
             "(2027-04-01), or none for a lease that has no end date, found 2026-12-31: the "
             "lease of S2 has ended by then")
    pair = ("Warning: pair_costs.csv row 2, column site_id: expected a pair that can be "
            "eligible")
    said = _warning_lines(run.stderr)
    assert any(line.startswith(lease) for line in said), said
    assert any(line.startswith(pair) for line in said), said
    assert run.stdout.splitlines()[-1].startswith(
        f"{scenario}: consistent with its register; distances measured, nothing found "
        f"that rules out every plan; {len(said)} warnings; not planned")
    planned = invoke(tmp_path, "plan", scenario, "--out", "out", "--map", "map.html")
    assert planned.code == 0, planned.output
    assert _warning_lines(planned.stderr) == said


def test_validate_a_scenario_no_plan_can_meet_exits_2_as_plan_does(tmp_path: Path) -> None:
    """Closing the Town Hall (S1), the only site offering public access, leaves both
    zones it reaches today within 5 km with none, which the maintain rule forbids: validate
    exits 2 naming both zones, with the very lines plan prints, and writes nothing."""
    scenario = town(tmp_path, changes={"policy": {"close": ["S1"]}})
    before = _tree(tmp_path)
    run = invoke(tmp_path, "validate", scenario)
    assert run.code == 2, run.output
    no_traceback(run)
    assert run.stdout.strip() == ""
    assert run.stderr.startswith("The scenario is infeasible: no plan meets every rule.\n")
    assert run.stderr.lower().count("infeasible") == 1, run.stderr  # said once
    for zone in ("zone Z1 Centre", "zone Z2 Outskirts"):
        assert f"{zone}: no site left open offering public_access within 5 km" in run.stderr
    assert _tree(tmp_path) == before
    planned = invoke(tmp_path, "plan", scenario, "--out", "out", "--map", "map.html")
    assert planned.code == 2, planned.output
    assert planned.stderr == run.stderr


def test_validate_a_scenario_says_the_register_errors(tmp_path: Path) -> None:
    """A scenario whose register is wrong is refused at the register's file and row."""
    rows = town_rows()
    rows["sites"][1]["desks"] = "lots"  # sites.csv row 3
    run = invoke(tmp_path, "validate", town(tmp_path, rows))
    assert run.code == 1, run.output
    assert "sites.csv row 3, column desks" in run.stderr, run.stderr
    no_traceback(run)


def test_a_scenario_s_errors_come_with_its_register_s(tmp_path: Path) -> None:
    """A scenario key wrong (a radius of 0) and a register cell wrong (desks 'lots') are
    listed in one run, by validate, plan (--json too) and compare alike, so the second
    is not met only once the first is fixed; a register two compared scenarios share
    is said once. Nothing is written."""
    rows = town_rows()
    rows["sites"][1]["desks"] = "lots"  # sites.csv row 3
    bad = town(tmp_path, rows, changes={"coverage": [
        {"service": "public_access", "radius_km": 0, "mode": "maintain"}]}, name="bad.toml")
    good = write_scenario(tmp_path / "good.toml", merge(TOWN_SCENARIO, {"name": "Good"}))
    key, cell = "bad.toml, key coverage.0.radius_km", "sites.csv row 3, column desks"
    for args in (("validate", bad), ("plan", bad, "--out", "out"),
                 ("compare", bad, good, "--out", "cmp")):
        run = invoke(tmp_path, *args)
        assert run.code == 1, run.output
        no_traceback(run)
        assert key in run.stderr and run.stderr.count(cell) == 1, (args, run.stderr)
    listed = json.loads(invoke(tmp_path, "plan", bad, "--json").stdout)
    assert {(p["file"].rsplit("/", 1)[-1], p["column"]) for p in listed["problems"]} >= {
        ("bad.toml", "coverage.0.radius_km"), ("sites.csv", "desks")}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml", "good.toml", "reg"]
    # a copy of the register is another register: its error is said too, each named by
    # its register's folder (tests/test_compare.py)
    write_tables(tmp_path / "copy", rows)
    other = write_scenario(tmp_path / "other.toml", merge(TOWN_SCENARIO, {
        "name": "Other", "data": "copy"}))
    run = invoke(tmp_path, "compare", bad, other, "--out", "cmp")
    assert run.code == 1 and run.stderr.count(cell) == 2, run.stderr
    assert f"reg/{cell}" in run.stderr and f"copy/{cell}" in run.stderr, run.stderr
    # a register that is not there is named beside the scenario's own errors
    gone = write_scenario(tmp_path / "gone.toml", merge(TOWN_SCENARIO, {
        "data": "nowhere", "coverage": [
            {"service": "public_access", "radius_km": 0, "mode": "maintain"}]}))
    run = invoke(tmp_path, "validate", gone)
    assert run.code == 1 and "radius_km" in run.stderr and "nowhere" in run.stderr, run.stderr


def test_a_scenario_s_errors_come_with_its_unknown_ids(tmp_path: Path) -> None:
    """A scenario key wrong (a radius of 0) and a site id its policy names that the
    register lacks ("S9", meant "S2"?) are listed in one run, by validate and compare
    alike; a list with an error of its own is not checked against the register again."""
    bad = town(tmp_path, changes={"coverage": [
        {"service": "public_access", "radius_km": 0, "mode": "maintain"}],
        "policy": {"keep": ["S9"], "close": ["S2", 7]}}, name="bad.toml")
    good = write_scenario(tmp_path / "good.toml", merge(TOWN_SCENARIO, {"name": "Good"}))
    for args in (("validate", bad), ("compare", bad, good, "--out", "cmp")):
        run = invoke(tmp_path, *args)
        assert run.code == 1, run.output
        no_traceback(run)
        said = run.stderr
        assert "key coverage.0.radius_km" in said and "key policy.keep" in said, (args, said)
        assert "unknown ids S9" in said and said.count("policy.close") == 1, (args, said)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml", "good.toml", "reg"]
    # a site in both keep and close is an error of the lists' own, and hides no unknown id
    # of either (review E: S8 was met only once the clash was mended)
    clash = town(tmp_path, changes={"policy": {"keep": ["S1"], "close": ["S1", "S8"]}},
                 name="clash.toml")
    run = invoke(tmp_path, "validate", clash)
    assert run.code == 1 and "unknown ids S8" in run.stderr, run.stderr


@pytest.mark.parametrize("args", [
    ("plan", "tiny.toml", "--out", ""), ("plan", "tiny.toml", "--map", ""),
    ("compare", "tiny.toml", "--out", ""),
    ("sweep", "tiny.toml", "--vary", "relocation.cost_per_fte=1,2", "--out", ""),
    ("map", "results", "--out", ""), ("report", "results", "--out", ""),
    ("report", "results", "--html", ""),
    # nor is an empty folder to read taken for the one run in ("." is no results folder)
    ("map", ""), ("report", ""), ("plan", ""), ("validate", ""), ("compare", "tiny.toml", ""),
    ("sweep", "", "--vary", "relocation.cost_per_fte=1,2", "--out", "s")])
def test_an_empty_out_is_refused_not_taken_for_the_folder_run_in(tmp_path: Path,
                                                                   args: tuple[str, ...]
                                                                   ) -> None:
    """`--out "$DIR"` with DIR unset wrote a comparison or a sweep into the folder estate
    runs in: an empty path is refused, saying why it may be empty, and nothing is
    written."""
    town(tmp_path)
    (tmp_path / "results").mkdir()
    before = _tree(tmp_path)
    run = invoke(tmp_path, *args)
    assert run.code == 2 and "found an empty value (is a shell variable in it unset?)" in (
        run.stderr), run.output  # (click's usage errors: exit 1 from `main`)
    assert _tree(tmp_path) == before


def test_outputs_that_cannot_be_are_said_as_what_they_are(tmp_path: Path) -> None:
    """The folder estate runs in as --out is refused before planning (renaming it away
    failed once the plan was made, said as a full disk); a board pack at "/" or named
    only ".pdf", and --out naming the scenario file, are each said as what they are, not
    an unexpected error nor "a folder holding" the file."""
    scenario = town(tmp_path)
    (tmp_path / "here").mkdir()
    run = invoke(tmp_path / "here", "plan", scenario, "--out", ".", "--map", "../m.html")
    assert run.code == 1 and "found the folder estate runs in, or one holding it" in run.stderr
    assert not list((tmp_path / "here").iterdir()) and not (tmp_path / "m.html").exists()
    assert invoke(tmp_path, "plan", scenario, "--out", "results").code == 0
    run = invoke(tmp_path, "report", "results", "--out", "/")
    assert run.code == 1 and "/, option --out: expected a regular file" in run.stderr, run.stderr
    assert "--html" not in run.stderr  # not given, and no page of "/" to speak of
    run = invoke(tmp_path, "report", "results", "--out", "packs/.pdf")
    assert run.code == 1 and "found the name .pdf, with nothing before its ending: give " \
        "--out a name such as plan.pdf" in run.stderr, run.stderr
    run = invoke(tmp_path, "plan", scenario, "--out", scenario)
    assert run.code == 1 and "found the scenario file, which would be lost" in run.stderr


def _commands() -> list[str]:
    return sorted(cli.commands)


def test_top_level_help_lists_commands(tmp_path: Path) -> None:
    run = run_cli(tmp_path, "--help")
    assert run.code == 0, run.output
    for command in _commands():
        assert command in run.stdout
    assert {"plan", "validate", "map"} <= set(_commands())


def test_top_level_help_shows_an_example(tmp_path: Path) -> None:
    run = invoke(tmp_path, "--help")
    assert "Example" in run.stdout and "estate plan" in run.stdout


@pytest.mark.parametrize("command", _commands())
def test_subcommand_help_shows_an_example(tmp_path: Path, command: str) -> None:
    run = invoke(tmp_path, command, "--help")
    assert run.code == 0, run.output
    assert "Example" in run.stdout and f"estate {command} " in run.stdout, run.stdout


def test_a_plan_that_fails_says_its_folder_holds_an_earlier_plan(tmp_path: Path) -> None:
    """Planned once, then edited so that no plan can meet it: "No plan was written"
    was all it said, while the folder named for the scenario kept the earlier plan, which
    map and report then drew as if it were this scenario's. It says the folder holds an
    earlier plan, left as it was."""
    scenario = town(tmp_path)
    assert invoke(tmp_path, "plan", scenario, "--out", "out", "--map", "map.html").code == 0
    before = (tmp_path / "out" / "summary.json").read_bytes()
    town(tmp_path, changes={"policy": {"close": ["S1"]}})
    run = invoke(tmp_path, "plan", scenario, "--out", "out", "--map", "map.html")
    assert run.code == 2, run.output
    assert run.stderr.splitlines()[-1] == (
        "Note: out still holds the plan of an earlier run (its scenario.toml says how it "
        "was planned), not one of this run: it was left as it was, and estate map and "
        "estate report on it show that earlier plan.")
    assert (tmp_path / "out" / "summary.json").read_bytes() == before


@pytest.mark.parametrize("args", [("plna", "x.toml"), ("plan", "x.toml", "--jsn")],
                         ids=["unknown command", "unknown option"])
def test_usage_error_exits_1_not_the_infeasible_code(tmp_path: Path, args: tuple) -> None:
    """A mistyped command line is bad input (1); 2 would tell a script "infeasible"."""
    run = run_cli(tmp_path, *args)
    assert run.code == 1, (run.code, run.output)
    no_traceback(run)


@pytest.mark.parametrize("within", ["nan", "inf", "1e400", "-1", "five"])
def test_an_allowance_for_alternatives_must_be_a_number_of_percent(tmp_path: Path,
                                                                   within: str) -> None:
    """nan or inf percent would find no alternative and blame the time limit."""
    scenario = town(tmp_path)
    run = run_cli(tmp_path, "plan", str(scenario), "--alternatives", "2", "--within", within)
    assert run.code == 1, (run.code, run.output)
    no_traceback(run)
    assert "--within" in run.stderr and repr(within) in run.stderr, run.stderr
    # 1e400 is above 0: what is wrong with it is that it has no end
    assert "expected a finite number >= 0 (a percentage, such as 5)" in run.stderr
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize(("args", "option"), [
    (["--workers", "0"], "--workers"), (["--bogus"], "--bogus"),
    (["--alternatives", "1", "--within", "nan"], "--within")])
def test_a_command_line_click_refuses_is_json_too(tmp_path: Path, args: list[str],
                                                  option: str) -> None:
    """README: with --json a plan that fails prints one JSON object on stdout, so a
    script always has one to read; an option's value click refuses printed none."""
    scenario = town(tmp_path)
    run = run_cli(tmp_path, "plan", str(scenario), "--json", *args)
    assert run.code == 1, run.output
    said = json.loads(run.stdout)
    assert said["status"] == "invalid"
    assert [(p["column"], p["label"]) for p in said["problems"]] == [(option, "option")]
    assert not (tmp_path / "results").exists()


def test_a_missing_scenario_is_named_an_argument_in_json(tmp_path: Path) -> None:
    """SCENARIO is no option: `plan --json` alone said "plan, option scenario" (a review)."""
    run = run_cli(tmp_path, "plan", "--json")
    assert run.code == 1, run.output
    said = json.loads(run.stdout)
    assert [(p["column"], p["label"]) for p in said["problems"]] == [("SCENARIO", "argument")]
    assert "plan, argument SCENARIO: " in said["message"]


def test_an_allowance_without_alternatives_is_a_usage_error(tmp_path: Path) -> None:
    """--within alone would be ignored without a word: said, before anything is solved."""
    scenario = town(tmp_path)
    run = run_cli(tmp_path, "plan", str(scenario), "--within", "10")
    assert run.code == 1, (run.code, run.output)
    no_traceback(run)
    assert "  - plan, option --within: expected --alternatives N beside it" in run.stderr, \
        run.stderr
    assert not (tmp_path / "results").exists()
    # --json labels it an option, as it does --out's problems (it was a column)
    said = json.loads(run_cli(tmp_path, "plan", str(scenario), "--within", "10",
                              "--json").stdout)
    assert [(p["file"], p["column"], p["label"]) for p in said["problems"]] == [
        ("plan", "--within", "option")]


def test_a_problem_of_a_whole_file_has_no_label_in_json(tmp_path: Path) -> None:
    """A scenario file that is not there: the problem is the file's, so --json gives
    neither a column nor a label (it said "column" beside a null column)."""
    run = run_cli(tmp_path, "plan", "nosuch.toml", "--json")
    assert run.code == 1, run.output
    said = json.loads(run.stdout)
    assert [(p["file"], p["column"], p["label"]) for p in said["problems"]] == [
        ("nosuch.toml", None, None)]


@pytest.mark.parametrize("command", [
    ["plan", "tiny.toml"], ["plan", "tiny.toml", "--executor", "local"],
    ["sweep", "tiny.toml", "--vary", "sharing.efficiency=0.1", "--out", "sw"]])
def test_a_scheduler_without_the_dask_executor_is_refused_before_any_work(
        tmp_path: Path, command: list[str]) -> None:
    """--scheduler alone would run here without a word, the user believing the runs went
    to the cluster: said, naming both options, and nothing is solved or written."""
    town(tmp_path)
    run = invoke(tmp_path, *command, "--scheduler", "tcp://127.0.0.1:1")
    assert run.code == 1, run.output
    no_traceback(run)
    assert "--scheduler: expected --executor dask beside it" in run.stderr, run.stderr
    assert "found --scheduler with --executor local" in run.stderr, run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reg", "tiny.toml"]
    for name in ("plan", "sweep"):
        helped = " ".join(invoke(tmp_path, name, "--help").stdout.split())
        assert "needs --executor dask" in helped, helped


def test_validate_help_shows_a_scenario_example(tmp_path: Path) -> None:
    run = invoke(tmp_path, "validate", "--help")
    assert run.code == 0, run.output
    assert "estate validate data/suffolk" in run.stdout
    assert "estate validate models/shared_back_office.toml" in run.stdout


def test_progress_lines_print_register_brackets_as_written(capsys: pytest.CaptureFixture) -> None:
    """A folder or scenario name with brackets is text, not rich markup: printed as
    written, never styled, never an error."""
    show = progress_lines(True)
    show("Reading the register data/[/old] and [bold]new[/bold]")
    err = capsys.readouterr().err
    assert "data/[/old] and [bold]new[/bold]" in err, err
    # rich's emoji codes and a folder's last backslash as written too (they printed as
    # an emoji and as two backslashes)
    show("Drawing the programme of Alpha :smile: :warning:")
    show("Reading the register bs/reg\\")
    err = capsys.readouterr().err
    assert "Alpha :smile: :warning:" in err and "bs/reg\\\n" in err, err


@pytest.mark.parametrize("text", [
    "results/x", "results/Shared back office", "results/Cut $HOME `id` _B_", "scé nario.toml",
    'a "quoted" name', "it's", "back\\slash\\", "Q3 $(touch pwned)!"])
def test_a_command_estate_suggests_pastes_into_a_shell_as_written(tmp_path: Path,
                                                                   text: str) -> None:
    """A path or scenario name in a command estate tells the user to run is one word a
    shell reads back as written, running nothing (a name with $ or backticks ran `id` and
    expanded $HOME when pasted); checked against a real shell."""
    for quoted in (False, True):
        word = shell_word(text, quoted=quoted, windows=False)
        said = subprocess.run(["bash", "-c", f"printf %s {word}"], cwd=tmp_path,
                              capture_output=True, text=True, check=True)
        assert said.stdout == text, (word, said)
    assert list(tmp_path.iterdir()) == []  # nothing ran


@pytest.mark.parametrize(("text", "word"), [
    ("C:\\Users\\jo\\results\\Q3", '"C:\\Users\\jo\\results\\Q3"'),
    ("C:\\Users\\jo\\results\\Q3 plan", '"C:\\Users\\jo\\results\\Q3 plan"'),
    ("results\\it's", '"results\\it\'s"'),
    ("results\\Cut $HOME `id`", "'results\\Cut $HOME `id`'"),
    ("it's $5", "'it''s $5'"),
    ('a "quoted" name', "'a \"quoted\" name'"),
    ("Q3!", '"Q3!"'), ("a,b", '"a,b"'), ("@home", '"@home"'), ("100%", '"100%"'),
])
def test_a_command_suggested_on_windows_reads_back_in_cmd_and_powershell(
        text: str, word: str) -> None:
    """On Windows a path's backslashes are its own (POSIX single quotes kept them, but
    cmd reads no single quotes): double quotes, which cmd and PowerShell both read as
    written, unless PowerShell would expand the word there ($, a backtick, a quote),
    then its single quotes, a ' doubled; worked out by hand from both shells' rules."""
    assert shell_word(text, quoted=True, windows=True) == word


def test_a_path_starting_with_a_dash_is_no_option_in_a_command() -> None:
    """`estate plan -lead.toml` reads -l as an option: the path is written ./-lead.toml."""
    assert shell_word("-lead.toml") == "./-lead.toml"
    assert shell_word("-a b.toml") == '"./-a b.toml"'


@pytest.mark.slow
@pytest.mark.parametrize("stop", ["SIGTERM", "SIGHUP"])
def test_a_plan_stopped_by_sigterm_ends_as_ctrl_c_does(tmp_path: Path, stop: str) -> None:
    """A scheduler's SIGTERM, or the SIGHUP of a closed ssh session, while HiGHS
    searches: exit 130 with the interrupt's message, no traceback, no results folder
    half-written, and no lock file left beside it (Python would otherwise die at once,
    skipping every clean-up: SIGHUP left the temporary folder and the lock, a review)."""
    import signal
    import subprocess
    import sys
    import time

    scenario = Path("models/shared_back_office.toml").resolve()
    proc = subprocess.Popen(
        [sys.executable, "-m", "estate", "plan", str(scenario), "--out", "out", "--map",
         "map.html", "--progress"], cwd=tmp_path, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    try:
        assert proc.stderr is not None
        for line in proc.stderr:  # the search has begun
            if "Solving with" in line:
                break
        time.sleep(2)
        proc.send_signal(getattr(signal, stop))
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, stderr
    assert "Interrupted; previous results are untouched." in stderr
    assert "Traceback" not in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_plan_refuses_a_results_folder_holding_a_file_the_user_put_there(tmp_path: Path) -> None:
    """Planning again replaces the folder whole: a file the user put in it stops the plan
    before solving (exit 1, the file named, with how to go on), and stays; once moved
    out, the same scenario is planned into its own folder again."""
    scenario = town(tmp_path)
    assert invoke(tmp_path, "plan", scenario).code == 0
    folder = tmp_path / "results" / "tiny"
    (folder / "board notes.docx").write_text("notes", encoding="utf-8")
    stored = {p.name: p.read_bytes() for p in folder.iterdir()}
    run = invoke(tmp_path, "plan", scenario)
    assert run.code == 1, run.output
    no_traceback(run)
    assert run.stdout == ""
    assert ("results/tiny, option --out: expected a results folder (or nothing yet), found "
            "a results folder holding 1 file estate did not write (board notes.docx)"
            ) in run.stderr, run.stderr
    assert "move it out of the folder, or give --out another folder" in run.stderr
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == stored
    assert leftovers(folder.parent) == []
    (folder / "board notes.docx").rename(tmp_path / "board notes.docx")
    assert invoke(tmp_path, "plan", scenario).code == 0


def test_plan_refuses_the_results_of_another_scenario_in_its_folder(tmp_path: Path) -> None:
    """"Option A/B" and "Option A_B" are both stored in results/Option A_B: the second
    plan is refused before solving, naming both scenarios, whether the folder is the
    one named after it or given as --out; another --out plans it."""
    first = town(tmp_path, changes={"name": "Option A/B"}, name="o1.toml")
    town(tmp_path, changes={"name": "Option A_B"}, name="o2.toml")
    second = Path("o2.toml")  # as typed in the working folder
    assert invoke(tmp_path, "plan", first).code == 0
    folder = tmp_path / "results" / "Option A_B"
    stored = (folder / "summary.json").read_bytes()
    run = invoke(tmp_path, "plan", second)
    assert run.code == 1, run.output
    no_traceback(run)
    assert ("found the results of another scenario, 'Option A/B', which would be lost: give "
            "'Option A_B' (o2.toml) a `name` of its own, or write it elsewhere with --out"
            ) in run.stderr, run.stderr
    given = invoke(tmp_path, "plan", second, "--out", folder)
    assert given.code == 1, given.output
    assert "'Option A/B', which would be lost: give --out another folder" in given.stderr
    assert (folder / "summary.json").read_bytes() == stored
    elsewhere = invoke(tmp_path, "plan", second, "--out", "option_a_b", "--json")
    assert elsewhere.code == 0, elsewhere.output
    assert elsewhere.json()["scenario"] == "Option A_B"
    assert json.loads(stored)["scenario"] == "Option A/B"


def test_another_scenario_s_folder_with_a_refused_figure_is_still_its_own(
        tmp_path: Path) -> None:
    """A summary this version refuses (here a hand edit; as well a key read more
    strictly than the version that wrote it read it) still names its scenario: planning
    another scenario into that folder is refused, not taken for a damaged folder of its
    own and written over."""
    first = town(tmp_path, changes={"name": "Option A/B"}, name="o1.toml")
    second = town(tmp_path, changes={"name": "Option A_B"}, name="o2.toml")
    assert invoke(tmp_path, "plan", first).code == 0
    folder = tmp_path / "results" / "Option A_B"
    data = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    data["sites_after"] = "three"
    (folder / "summary.json").write_text(json.dumps(data), encoding="utf-8")
    stored = (folder / "summary.json").read_bytes()
    run = invoke(tmp_path, "plan", second, "--out", folder)
    assert run.code == 1, run.output
    no_traceback(run)
    assert "the results of another scenario, 'Option A/B', which would be lost" in run.stderr
    assert (folder / "summary.json").read_bytes() == stored
    # cut short, the summary names nobody: the folder's scenario.toml still does
    (folder / "summary.json").write_bytes(stored[:40])
    run = invoke(tmp_path, "plan", second, "--out", folder)
    assert run.code == 1 and "'Option A/B', which would be lost" in run.stderr, run.output
    # its own scenario planned again writes the damaged folder afresh
    assert invoke(tmp_path, "plan", first).code == 0
    assert json.loads((folder / "summary.json").read_text(encoding="utf-8"))["sites_after"] != \
        "three"


def test_validate_and_plan_both_take_a_scenario_saved_as_toml_txt(tmp_path: Path) -> None:
    """Notepad saves `base.toml` as `base.toml.txt`: plan reads any file as a scenario,
    and validate checks it as one too, not as a register."""
    scenario = town(tmp_path).rename(tmp_path / "base.toml.txt")
    checked = invoke(tmp_path, "validate", scenario)
    assert checked.code == 0, checked.output
    assert "base.toml.txt: consistent with its register" in checked.stdout
    planned = invoke(tmp_path, "plan", scenario, "--out", "out", "--json")
    assert planned.code == 0, planned.output
    assert planned.json()["scenario"] == "tiny"
    assert invoke(tmp_path, "validate", tmp_path / "reg").code == 0  # a folder: a register


def test_plan_json_says_why_there_is_no_plan_on_stdout(tmp_path: Path) -> None:
    """With --json a failed plan still prints one JSON object on stdout (its status and
    each problem located, or the reasons), the words on stderr, and exits 1 or 2."""
    bad = town(tmp_path, changes={"horizon_years": "ten"}, name="bad.toml")
    run = run_cli(tmp_path, "plan", bad, "--json")
    assert run.code == 1, run.output
    failure = run.json()
    assert failure["status"] == "invalid"
    assert failure["problems"] == [{"file": str(bad), "row": None,
                                    "column": "horizon_years", "label": "key",
                                    "expected": "a whole number from 1 to 100",
                                    "found": "'ten'"}], failure
    assert "horizon_years" in run.stderr and "Nothing was solved" in run.stderr
    closed = town(tmp_path, changes={"policy": {"close": ["S1"]}}, name="closed.toml")
    run = run_cli(tmp_path, "plan", closed, "--json")
    assert run.code == 2, run.output
    failure = run.json()
    assert failure["status"] == "infeasible"
    assert len(failure["reasons"]) == 2
    assert failure["reasons"][0].startswith("zone Z1 Centre: no site left open offering "
                                            "public_access within 5 km")
    assert "Relax the rules" in run.stderr
    no_traceback(run)


def test_plan_refuses_the_results_of_another_file_of_the_same_name(tmp_path: Path) -> None:
    """base-copy.toml, a copy edited but still named "tiny", would be stored in
    results/tiny over base.toml's results: refused before solving, naming base.toml,
    with the three ways out. Planning base.toml again replaces its own results; --out
    results/tiny replaces them as asked; a folder whose file is gone (renamed) or that
    does not say its file (an older estate's) is the scenario's own."""
    base = town(tmp_path, name="base.toml")
    town(tmp_path, changes={"horizon_years": 5}, name="base-copy.toml")
    folder = tmp_path / "results" / "tiny"
    assert invoke(tmp_path, "plan", base).code == 0
    stored = {p.name: p.read_bytes() for p in folder.iterdir()}
    run = invoke(tmp_path, "plan", "base-copy.toml")
    assert run.code == 1, run.output
    no_traceback(run)
    said = " ".join(run.stderr.split())
    assert ("results/tiny, option --out: expected a new folder, or the results folder of "
            "this scenario file (base-copy.toml), found the results of 'tiny' planned from "
            f"another file of that name, {base}, which would be lost: give 'tiny' "
            "(base-copy.toml) a `name` of its own, or write it elsewhere with --out, or "
            'replace them deliberately with --out "results/tiny"') in said, said
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == stored
    assert invoke(tmp_path, "plan", base).code == 0  # its own results, replaced
    asked = invoke(tmp_path, "plan", "base-copy.toml", "--out", "results/tiny", "--json")
    assert asked.code == 0, asked.output
    solved = tomllib.loads((folder / "scenario.toml").read_text(encoding="utf-8"))
    assert solved["horizon_years"] == 5
    assert invoke(tmp_path, "plan", base).code == 1  # now the copy's results are there
    (tmp_path / "base-copy.toml").rename(tmp_path / "base-v2.toml")
    assert invoke(tmp_path, "plan", base).code == 0  # the copy renamed: nothing to lose
    town(tmp_path, changes={"horizon_years": 5}, name="base-copy.toml")
    (folder / "scenario_file.txt").unlink()  # a folder written before files were recorded
    assert invoke(tmp_path, "plan", "base-copy.toml").code == 0


def test_a_project_copied_whole_plans_into_its_own_results(tmp_path: Path) -> None:
    """projA copied whole to projB (`cp -r`): its results folder records the scenario
    file relative to itself (../../base.toml), so planning projB's base.toml, edited
    in the copy, replaces projB's copied results instead of being refused as projA's.
    A record an older estate wrote (the absolute path) is still read: projA's file so
    recorded still keeps projB's base.toml out."""
    project = tmp_path / "projA"
    town(project, name="base.toml")
    assert invoke(project, "plan", "base.toml").code == 0
    copy = tmp_path / "projB"
    shutil.copytree(project, copy, symlinks=True)
    town(copy, changes={"horizon_years": 5}, name="base.toml")
    run = invoke(copy, "plan", "base.toml")
    assert run.code == 0, run.output
    record = project / "results" / "tiny" / "scenario_file.txt"
    assert record.read_text(encoding="utf-8") == "../../base.toml\n"
    solved = copy / "results" / "tiny" / "scenario.toml"
    assert tomllib.loads(solved.read_text(encoding="utf-8"))["horizon_years"] == 5
    (copy / "results" / "tiny" / "scenario_file.txt").write_text(
        f"{project / 'base.toml'}\n", encoding="utf-8")
    refused = invoke(copy, "plan", "base.toml")
    assert refused.code == 1, refused.output
    said = " ".join(refused.stderr.split())
    assert f"planned from another file of that name, {project / 'base.toml'}," in said, said


def test_progress_names_the_register_by_its_shortest_path(tmp_path: Path) -> None:
    """A scenario in models/ naming its register `../data/reg` (as the demo's do): the
    register is read from the scenario's folder, and named as `data/reg` in the line a
    plan tells as it reads it, from the command line and from `prepare_scenario` alike,
    and in what `estate validate` prints."""
    import contextlib

    from estate.api import plan, prepare_scenario
    from estate.load.scenario import load_scenario
    from estate.pipeline import Clock

    write_tables(tmp_path / "data" / "reg", town_rows())
    write_scenario(tmp_path / "models" / "tiny.toml",
                   merge(TOWN_SCENARIO, {"data": "../data/reg"}))
    run = run_cli(tmp_path, "plan", "models/tiny.toml", "--out", "out", "--progress")
    assert run.code == 0, run.output
    assert "• Reading the register data/reg\n" in run.stderr, run.stderr
    checked = invoke(tmp_path, "validate", "models/tiny.toml")
    assert checked.stdout.startswith("data/reg: valid register;"), checked.output
    told: list[str] = []
    prepared: list[str] = []
    with contextlib.chdir(tmp_path):
        scenario = load_scenario("models/tiny.toml")
        plan(scenario, write=False, progress=told.append)
        prepare_scenario(scenario, clock=Clock(prepared.append))
    assert (tmp_path / scenario.data).resolve() == (tmp_path / "data" / "reg").resolve()
    assert [line for line in told if line.startswith("Reading the register")] == [
        "Reading the register data/reg"]
    assert prepared[0] == "Reading the register data/reg"


def test_a_register_beyond_a_symlinked_models_folder_is_read_where_the_os_finds_it(
        tmp_path: Path) -> None:
    """work/models is a link to real/team/models, whose scenario names `../data/reg`: the
    OS reads real/team/data/reg (`..` leads up from the link's target), so estate reads
    that register (three sites), not work/data/reg (two), which the path's text
    alone would give, and names it so in validate's line and the progress line."""
    rows = town_rows()
    write_tables(tmp_path / "real" / "team" / "data" / "reg", rows)
    decoy = {**rows, "sites": [rows["sites"][0], rows["sites"][2]],  # no annexe S2
             "functions": [rows["functions"][0], rows["functions"][2]]}
    write_tables(tmp_path / "work" / "data" / "reg", decoy)
    write_scenario(tmp_path / "real" / "team" / "models" / "s.toml",
                   merge(TOWN_SCENARIO, {"data": "../data/reg"}))
    (tmp_path / "work" / "models").symlink_to(Path("..") / "real" / "team" / "models")
    checked = invoke(tmp_path, "validate", "work/models/s.toml")
    assert checked.code == 0, checked.output
    sites = len(rows["sites"])
    assert checked.stdout.startswith(f"real/team/data/reg: valid register; 2 agencies, "
                                     f"{sites} sites"), checked.output
    run = invoke(tmp_path, "plan", "work/models/s.toml", "--out", "out", "--progress")
    assert run.code == 0, run.output
    assert "Reading the register real/team/data/reg\n" in run.stderr, run.stderr
    planned = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert planned["sites_before"] == sites


def test_a_path_of_the_wrong_kind_is_said_in_estates_words(tmp_path: Path,
                                                           results_folder: Path) -> None:
    """A folder where scenario files are meant, a file where a results or comparison
    folder is meant: estate's own located message (what was expected, what was found,
    what to give instead) and exit 1, as any bad input, not click's terse usage error
    (exit 2 in this process) that says neither."""
    write_scenario(tmp_path / "models" / "a.toml", TOWN_SCENARIO)
    write_scenario(tmp_path / "models" / "b.toml", TOWN_SCENARIO)
    write_tables(tmp_path / "reg", town_rows())
    (tmp_path / "notes.txt").write_text("a file", encoding="utf-8")
    summary = results_folder / "summary.json"
    cases = {
        ("compare", "models"): "models: expected a scenario TOML file, found a folder "
        "holding a.toml, b.toml: give the scenario files themselves (e.g. models/a.toml)",
        ("plan", "reg"): "reg: expected a scenario TOML file, found a folder: give a "
        "scenario file (.toml), which names its register in `data`",
        ("map", "notes.txt"): "notes.txt: expected a results folder written by `estate "
        "plan` (with summary.json), found a file, not a folder: give the folder `estate "
        "plan` wrote (results/<scenario name>/)",
        ("report", str(summary)): f"{summary}: expected a results folder written by "
        f"`estate plan` (with summary.json), found a file in the folder {results_folder}: "
        "give that folder, not the file",
        ("report", str(results_folder), "--compare", "notes.txt"): "notes.txt: expected a "
        "folder written by `estate compare` (with comparison.csv), found a file, not a "
        "folder: give the folder `estate compare` wrote",
        ("map", "results/nowhere"): "results/nowhere: expected a results folder written by "
        "`estate plan` (with summary.json), found nothing there: check the name",
    }
    for args, said in cases.items():
        run = invoke(tmp_path, *args, "--out", "out/x.pdf" if "report" in args else "out")
        assert run.code == 1, (args, run.output)
        no_traceback(run)
        assert said in run.stderr, (args, run.stderr)
        assert "Usage:" not in run.output and "Invalid value" not in run.output
        assert not (tmp_path / "out").exists()


def test_report_without_out_keeps_one_pack_per_scenario(tmp_path: Path) -> None:
    """`estate report RESULTS` twice, for two plans: each pack is written to
    reports/<scenario name>.pdf (its page beside it), named as the plan's map is (a `/`
    in the name a `_`), so the second does not replace the first."""
    for name in ("North", "South/East"):
        scenario = town(tmp_path, changes={"name": name}, name=f"{name[:5]}.toml")
        assert invoke(tmp_path, "plan", scenario).code == 0
    north = invoke(tmp_path, "report", "results/North")
    assert north.code == 0, north.output
    assert north.stdout.splitlines() == ["Board pack: reports/North.pdf",
                                         "As a page:  reports/North.html"]
    first = (tmp_path / "reports" / "North.pdf").read_bytes()
    south = invoke(tmp_path, "report", "results/South_East")
    assert south.code == 0, south.output
    assert "Board pack: reports/South_East.pdf" in south.stdout
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == [
        "North.html", "North.pdf", "South_East.html", "South_East.pdf"]
    assert (tmp_path / "reports" / "North.pdf").read_bytes() == first
    assert not (tmp_path / "board.pdf").exists()


def test_a_warning_that_explains_an_infeasible_scenario_is_said_before_its_reasons(
        tmp_path: Path) -> None:
    """The town's IT team needs 2 racks; the sites' racks are typed under `Racks (count)`,
    which estate does not read, so every site holds racks' default, 0, and no plan has room
    for the team. The warning saying so is the one line that explains the reasons: validate
    and plan (off a terminal) say it on stderr before them, and --json lists it."""
    rows = town_rows()
    for row in rows["sites"]:
        row["Racks (count)"] = 4
    rows["functions"][2]["racks"] = 2
    scenario = town(tmp_path, rows)
    for args in (("validate", scenario), ("plan", scenario, "--out", "out")):
        run = run_cli(tmp_path, *args)
        assert run.code == 2, run.output
        no_traceback(run)
        lines = run.stderr.splitlines()
        warned = [i for i, line in enumerate(lines)
                  if line.startswith("Warning: ") and "Racks (count)" in line]
        reasons = lines.index("The scenario is infeasible: no plan meets every rule.")
        assert len(warned) == 1 and warned[0] < reasons, run.stderr
        assert "racks's default (0)" in lines[warned[0]]
    run = run_cli(tmp_path, "plan", scenario, "--json", "--out", "new/out")
    assert run.code == 2, run.output
    # the folder made for --out is taken away again, as nothing was written in it
    assert not (tmp_path / "new").exists()
    failure = run.json()
    assert failure["status"] == "infeasible"
    assert [w["column"] for w in failure["warnings"]
            if w["file"] == "sites.csv"] == ["Racks (count)"], failure
    assert all(set(w) == {"file", "row", "column", "label", "expected", "found"}
               for w in failure["warnings"])
