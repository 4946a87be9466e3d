"""Near misses between a scenario and its register's cells (estate.load.consistency):
a site whose service a coverage rule spells otherwise, or whose kind is a slip for a
closable one, is named at its row and column, since the plan would quietly leave it
out of the rule, or keep it open."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from estate.load.consistency import check_against_register
from estate.load.scenario import load_scenario
from estate.load.validate import load_register
from tests.fixtures import invoke, no_traceback, town, town_rows, write_scenario, write_tables


@pytest.mark.parametrize("odd", ["Public_Access", "public access", "public_acess"])
def test_a_site_spelling_a_rules_service_nearly_so_is_an_error_at_its_cell(
        tmp_path: Path, odd: str) -> None:
    """S1 (sites.csv row 2) offers `public_access` as the rule spells it; S2 (row 3)
    offers it spelt another way. The rule would not count S2, so the plan could close
    the one site it takes for the area's access point: an error at row 3, column
    services, naming the rule's spelling and the cell's."""
    rows = town_rows()
    rows["sites"][1]["services"] = f"library;{odd}"
    scenario = load_scenario(town(tmp_path, rows))
    problems = [p for p in check_against_register(scenario, load_register(tmp_path / "reg"))
                if p.column == "services"]
    assert [(p.file, p.row, p.severity) for p in problems] == [("sites.csv", 3, "error")]
    assert "coverage.0 (`public_access`)" in problems[0].expected
    assert problems[0].found.startswith(repr(odd))


@pytest.mark.parametrize("services", ["library", "public_access_desk",
                                      "public_access;Public_Access"])
def test_other_services_or_the_rules_own_spelling_beside_are_no_error(
        tmp_path: Path, services: str) -> None:
    """Another word (or a longer one) is another service; a site that offers the rule's
    spelling is counted, whatever else its cell says."""
    rows = town_rows()
    rows["sites"][1]["services"] = services
    scenario = load_scenario(town(tmp_path, rows))
    problems = check_against_register(scenario, load_register(tmp_path / "reg"))
    assert [p for p in problems if p.column == "services"] == []


@pytest.mark.parametrize("odd", ["ofice", "Offices", "OFFICE S"])
def test_a_site_of_a_kind_near_a_closable_one_is_warned_at_its_row(
        tmp_path: Path, odd: str) -> None:
    """S1 is an office (the default kind, closable); S2 (row 3) is typed as a near miss
    of it, which the plan would keep open: a warning at row 3, column kind. S3 is a
    station, another word, and is not named."""
    rows = town_rows()
    rows["sites"][1]["kind"] = odd
    rows["sites"][2]["kind"] = "station"
    scenario = load_scenario(town(tmp_path, rows))
    problems = [p for p in check_against_register(scenario, load_register(tmp_path / "reg"))
                if p.column == "kind"]
    assert [(p.file, p.row, p.severity) for p in problems] == [("sites.csv", 3, "warning")]
    assert "(`office`)" in problems[0].expected
    assert "not closable, so the site stays open" in problems[0].found


def test_a_near_kind_that_is_itself_closable_is_not_warned(tmp_path: Path) -> None:
    rows = town_rows()
    rows["sites"][1]["kind"] = "offices"
    scenario = load_scenario(town(tmp_path, rows, changes={
        "policy": {"closable_kinds": ["office", "offices"]}}))
    problems = check_against_register(scenario, load_register(tmp_path / "reg"))
    assert [p for p in problems if p.column == "kind"] == []


def test_validate_names_a_sites_near_miss_service_once_as_an_error(tmp_path: Path) -> None:
    """The register's warning and the rule's error are one mistake at one cell: said once."""
    rows = town_rows()
    rows["sites"][1]["services"] = "Public_Access"
    run = invoke(tmp_path, "validate", town(tmp_path, rows))
    assert run.code == 1, run.output
    no_traceback(run)
    assert run.stderr.count("row 3, column services") == 1, run.stderr
    assert "found 'Public_Access', which the rule does not count" in run.stderr


@pytest.mark.parametrize("sharing, named", [
    (None, []), ({"efficiency": 0.2}, []), ({"types": ["IT", "Payroll"]}, ["'IT'"]),
    ({"types": ["IT", "HR", "Finance"]}, ["'IT'", "'HR'", "'Finance'"])])
def test_only_sharing_types_the_file_writes_are_checked(
        tmp_path: Path, sharing: dict | None, named: list[str]) -> None:
    """The register's teams are Payroll, Estates and Legal. A file with no sharing.types
    (no [sharing] table, or one without the key) pools the default IT, HR and Finance,
    which no team has: not the file's to fix, so not warned. A list the file writes is
    checked entry by entry, the default three too when written out."""
    rows = town_rows()
    for row, kind in zip(rows["functions"], ("Payroll", "Estates", "Legal"), strict=True):
        row["type"] = kind
    write_tables(tmp_path / "reg", rows)
    raw = {"name": "types", "data": "reg"} | ({"sharing": sharing} if sharing else {})
    scenario = load_scenario(write_scenario(tmp_path / "types.toml", raw))
    problems = [p for p in check_against_register(scenario, load_register(tmp_path / "reg"))
                if p.column == "sharing.types"]
    assert [(p.found.split(",")[0], p.severity) for p in problems] == [
        (kind, "warning") for kind in named]
    run = invoke(tmp_path, "validate", tmp_path / "types.toml")
    assert run.code == 0, run.output
    assert run.stderr.count("key sharing.types") == len(named), run.stderr


@pytest.mark.parametrize(("moves", "said"), [
    (1, "none: the register's 1 earliest move is ignored"),
    (2, "none: the register's 2 earliest moves are ignored")])
def test_timing_ignored_without_a_start_agrees_with_how_many_it_counts(
        tmp_path: Path, moves: int, said: str) -> None:
    """One dated thing is one, said so: never "the register's 1 earliest move are"."""
    rows = town_rows()
    for row in rows["functions"][:moves]:
        row["earliest_move"] = "2028-04-01"
    write_tables(tmp_path / "reg", rows)
    scenario = load_scenario(write_scenario(tmp_path / "t.toml", {"name": "t", "data": "reg"}))
    problems = [p for p in check_against_register(scenario, load_register(tmp_path / "reg"))
                if p.column == "start"]
    assert [p.found for p in problems] == [said]


def _agency_problems(tmp_path: Path, agencies: list[str], extra: bool = False) -> list[Any]:
    rows = town_rows()
    if extra:  # a third agency with neither a site nor a team
        rows["agencies"].append({"agency_id": "A3", "name": "Fire", "kind": "fire"})
    scenario = load_scenario(town(tmp_path, rows, {"agencies": agencies}))
    return [p for p in check_against_register(scenario, load_register(tmp_path / "reg"))
            if p.column == "agencies"]


def test_agencies_in_scope_that_hold_nothing_are_nothing_to_plan(tmp_path: Path) -> None:
    """`agencies = ["A3"]`, an agency of the register with no site and no team: the plan
    would be a model with no columns (HiGHS said "no plan found within the time limit"
    of it), so it is an error at the key, naming the agency."""
    [problem] = _agency_problems(tmp_path, ["A3"], extra=True)
    assert (problem.severity, problem.label) == ("error", "key")
    assert problem.found.startswith("A3, which holds neither: nothing to plan")


def test_an_agency_in_scope_with_no_site_and_no_team_is_warned(tmp_path: Path) -> None:
    """Beside A1, which holds sites, A3 takes no part in the plan: a warning, as a list
    of agencies may serve several groups."""
    [problem] = _agency_problems(tmp_path, ["A1", "A3"], extra=True)
    assert problem.severity == "warning"
    assert problem.found == "A3, which holds neither: it takes no part in the plan"
    assert _agency_problems(tmp_path / "two", ["A1", "A2"]) == []


def test_a_scope_with_no_site_is_refused_by_plan_before_solving(tmp_path: Path) -> None:
    rows = town_rows()
    rows["agencies"].append({"agency_id": "A3", "name": "Fire", "kind": "fire"})
    town(tmp_path, rows, {"agencies": ["A3"]})
    run = invoke(tmp_path, "plan", "tiny.toml", "--out", "out")
    assert run.code == 1, run.output
    no_traceback(run)
    assert "key agencies" in run.stderr and "nothing to plan" in run.stderr
    assert not (tmp_path / "out").exists()


def test_a_type_too_few_agencies_hold_in_each_area_is_said_of_a_national_register(
        tmp_path: Path) -> None:
    """Each area pools on its own. IT is held by the county in the north and by the
    police in the south: two agencies over the country, so the country's count let it
    pass, but one in each area, so no IT centre can open anywhere (each area planned
    alone is warned so). Before, nothing was said and the plan simply had no IT
    centre. A type held by enough agencies in its area is not named."""
    from tests.test_national import national_tables, raw_scenario

    tables = national_tables(3)
    functions = tables["functions"]
    functions.loc[functions["function_id"] == "SF0", "agency_id"] = "PD"  # IT, south
    functions.loc[len(functions)] = {"function_id": "SF9", "agency_id": "CC", "type": "HR",
                                     "site_id": "SS2", "fte": 5, "annual_cost": 2e5}
    data = write_tables(tmp_path / "national", tables)
    path = write_scenario(tmp_path / "nat.toml", raw_scenario(data))
    said = [p for p in check_against_register(load_scenario(path), load_register(data))
            if p.column == "sharing.min_agencies"]
    # HR: the police in both areas and the county in the south; Finance: the county alone
    [country, areas] = said
    assert country.found.startswith("2, where shareable teams are held: Finance by 1 agency")
    assert areas.found == ("2, where fewer agencies hold shareable teams of a type: IT in "
                           "areas north, south; HR in area north; no centre of that type "
                           "can open in those areas")


def test_unknown_ids_with_line_breaks_are_said_on_one_line(tmp_path: Path) -> None:
    """An id holding a line break split the list of problems, and could fake a bullet of
    its own (a review): said on one line, as other lists are."""
    # beside an error of the scenario's own, its lists are checked as written
    path = town(tmp_path, changes={"policy": {"keep": ["\x1b[31mS1"], "close": ["line\nbreak"]}})
    run = invoke(tmp_path, "validate", path)
    assert run.code == 1, run.output
    [said] = [line for line in run.stderr.splitlines() if "policy.close" in line]
    assert said.endswith("found unknown ids line break"), run.stderr
