"""Reading a scenario file (estate.load.scenario, with load.checker and, against the
register, load.consistency): every bad key is named with its file, all of them at once,
and nothing is solved or written.

Each case runs `estate plan` in this process on the tiny town register
(`tests.fixtures.registers.TOWN`) with one scenario key changed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from estate.errors import InputError
from estate.load.consistency import check_against_register
from estate.load.scenario import load_scenario
from estate.load.validate import load_register
from tests.fixtures import invoke, no_traceback, run_cli, town, town_rows


def _must_keep_s2() -> dict[str, list[dict[str, Any]]]:
    rows = town_rows()
    rows["sites"][1]["must_keep"] = "true"
    return rows


def _two_annexes() -> dict[str, list[dict[str, Any]]]:
    rows = town_rows()
    rows["sites"][2]["name"] = "Annexe"  # S3 named as S2 is: registers repeat names
    return rows


def _station_s3() -> dict[str, list[dict[str, Any]]]:
    rows = town_rows()
    rows["sites"][2]["kind"] = "station"
    return rows


Rows = Callable[[], dict[str, list[dict[str, Any]]]] | None
SCENARIO_ERRORS: dict[str, tuple[dict[str, Any], Rows, list[str]]] = {
    "unknown key": ({"policy": {"kep": ["S1"]}}, None, ["policy.kep"]),
    "unknown top-level key": ({"horizon": 5}, None, ["horizon"]),
    "wrong type": ({"horizon_years": "ten"}, None, ["horizon_years", "'ten'"]),
    "wrong type of flag": ({"assignment": {"split": "yes"}}, None, ["assignment.split"]),
    "share above 1": ({"coverage": [{"service": "public_access", "radius_km": 5,
                                     "mode": "population_share", "population_share": 1.5}]},
                      None, ["coverage.0.population_share", "1.5"]),
    "negative rate": ({"discount_rate": -0.01}, None, ["discount_rate"]),
    "rate as a percentage": ({"discount_rate": 3.5}, None,
                             ["discount_rate", "a fraction: 3.5% is 0.035", "found 3.5"]),
    "share as a percentage": (
        {"coverage": [{"service": "public_access", "mode": "population_share",
                       "population_share": 95}]}, None,
        ["coverage.0.population_share", "95% is 0.95"]),
    "start day first": ({"start": "31/03/2027"}, None,
                        ["start", 'for 31/03/2027 write "2027-03-31"']),
    "start as Excel's day number": ({"start": "47938"}, None,
                                    ["start", 'for 47938 write "2031-03-31"']),
    "start either way round": ({"start": "03/04/2027"}, None,
                               ["start", "for 03/04/2027 write 2027-04-03 or 2027-03-04"]),
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
    "zero radius": ({"coverage": [{"service": "public_access", "radius_km": 0}]}, None,
                    ["coverage.0.radius_km", "above 0 and at most 40,075"]),
    "radius past the Earth": ({"coverage": [{"service": "public_access", "radius_km": 1e16}]},
                              None, ["coverage.0.radius_km", "above 0 and at most 40,075"]),
    "cost per FTE past £10bn": ({"relocation": {"cost_per_fte": 1e300}}, None,
                                ["relocation.cost_per_fte", "1e+300"]),
    "cap past 10^15": ({"policy": {"max_one_off": 1e16}}, None,
                       ["policy.max_one_off", "at most 10^15 either way (or inf"]),
    "an integer of 400 digits": ({"policy": {"max_one_off": 10**400}}, None,
                                 ["policy.max_one_off", "at most 10^15 either way"]),
    "agencies a centre needs past 10^15": ({"sharing": {"types": ["HR"],
                                                        "min_agencies": 10**20}}, None,
                                           ["sharing.min_agencies", "(at most 10^15)"]),
    "horizon of a thousand years": ({"horizon_years": 1000}, None,
                                    ["horizon_years", "a whole number from 1 to 100"]),
    "start too late for the horizon": ({"start": "9999-12-31"}, None,
                                       ["start", "ends by the year 9999"]),
    "start in the year 1": ({"start": "0001-01-01"}, None,
                            ["start", "a date from 1900-01-01", "0001-01-01"]),
    "crs in feet": ({"crs": "EPSG:2227"}, None, ["crs", "US survey foot"]),
    # Web Mercator: 1.63 times true length at 52 degrees north
    "crs that stretches distances": ({"crs": "EPSG:3857"}, None,
                                     ["crs", "EPSG:3857", "1.63 times their true length",
                                      "at 3 of 3 sites"]),
    "crs of the far side of the world": ({"crs": "EPSG:32618"}, None,
                                         ["crs", "1.25 times their true length"]),
    "closing a site of an agency outside the plan": (
        {"agencies": ["A1"], "policy": {"close": ["S3"]}}, None,
        ["policy.close", "S3 of A2", "the plan cannot close them"]),
    "cap of minus infinity": ({"policy": {"max_one_off": -math.inf}}, None,
                              ["policy.max_one_off", "a finite number, or inf for no limit",
                               "-inf"]),
    "a fraction of a closure a year": ({"start": "2027-04-01",
                                        "programme": {"max_closures_per_year": 0.5}}, None,
                                       ["programme.max_closures_per_year",
                                        "a whole number of sites", "0.5"]),
    "service in the wrong case": ({"coverage": [{"service": "Public_Access"}]}, None,
                                  ["coverage.0.service", "'Public_Access' (did you mean "
                                   "`public_access`?)"]),
    "sharing type in the wrong case": ({"sharing": {"types": ["HR", "it"]}}, None,
                                       ["sharing.types", "'it', which no function has (did you "
                                        "mean `IT`?)"]),
    "sharing type misspelt": ({"sharing": {"types": ["HR", "Finanace"]}}, None,
                              ["sharing.types", "'Finanace', which no function has "
                               "(did you mean `Finance`?)"]),
    "closable kind as typed": ({"policy": {"closable_kinds": ["Office", "data centre"]}},
                               None, ["policy.closable_kinds", "'Office' (write `office`)",
                                      "'data centre' (write `data_centre`)"]),
    "agency in the wrong case": ({"agencies": ["a1"]}, None,
                                 ["agencies", "unknown ids a1 (did you mean `A1`?)"]),
    "sites in the wrong case and unknown": (
        {"policy": {"keep": ["s1", "S9", "s3"]}}, None,
        ["policy.keep", "unknown ids s1, S9, s3 (did you mean `S1` for 's1', `S3` for "
         "'s3'?)"]),
    "mode in capitals": ({"coverage": [{"service": "public_access", "mode": "Maintain"}]},
                         None, ["coverage.0.mode", "found 'Maintain' (did you mean "
                                "`maintain`?)"]),
    "mode with a space": ({"coverage": [{"service": "public_access",
                                         "mode": "population share"}]},
                          None, ["found 'population share' (did you mean "
                                 "`population_share`?)"]),
    # a space typed after the id, and a site or agency given by its register name
    "agency with a space after it": ({"agencies": ["a1 ", "A2"]}, None,
                                     ["agencies", "(did you mean `A1` for 'a1 ' (without "
                                      "the spaces)?)"]),
    "agency by its name": ({"agencies": ["Town Council"]}, None,
                           ["agencies", "unknown ids Town Council (did you mean `A1` for "
                            "'Town Council' (its name, not its id)?)"]),
    "site by its name": ({"policy": {"close": ["annexe", "S9"]}}, None,
                         ["policy.close", "unknown ids annexe, S9 (did you mean `S2` for "
                          "'annexe' (its name, not its id)?)"]),
    "site by a name two share": ({"policy": {"keep": ["Annexe"]}}, _two_annexes,
                                 ["policy.keep", "(did you mean `S2` or `S3` for 'Annexe' (a "
                                  "name 2 share: give the id of the one meant)?)"]),
}


@pytest.mark.parametrize("case", SCENARIO_ERRORS, ids=list(SCENARIO_ERRORS))
def test_scenario_error_exits_1_naming_file_and_key(tmp_path: Path, case: str) -> None:
    changes, rows, expected = SCENARIO_ERRORS[case]
    scenario = town(tmp_path, rows() if rows else None, changes=changes, name="bad.toml")
    if changes.get("data") == "DROP":  # a scenario without the data key
        text = scenario.read_text(encoding="utf-8")
        scenario.write_text("\n".join(line for line in text.splitlines()
                                      if not line.startswith("data =")), encoding="utf-8")
    run = invoke(tmp_path, "plan", scenario, "--out", "out", "--json")
    assert run.code == 1, run.output
    no_traceback(run)
    assert "bad.toml" in run.stderr
    for text in expected:
        assert text in run.stderr, (text, run.stderr)
    # --json: the same problems as one object on stdout
    failure = json.loads(run.stdout)
    assert failure["status"] == "invalid" and failure["problems"], failure
    assert any(problem["file"].endswith("bad.toml") for problem in failure["problems"])
    assert not (tmp_path / "out").exists()


def test_a_bad_start_is_one_problem_with_a_programme(tmp_path: Path) -> None:
    """A start that is not a date is said once, not again as a programme without one."""
    scenario = town(tmp_path, name="bad.toml", changes={
        "start": "2027-02-30", "programme": {"max_closures_per_year": 2}})
    run = invoke(tmp_path, "plan", scenario)
    assert run.code == 1, run.output
    assert "1 problem in the input" in run.stderr, run.stderr
    assert "key start" in run.stderr and "2027-02-30" in run.stderr
    assert "without start" not in run.stderr


@pytest.mark.parametrize(("start", "said"), [
    (dt.datetime(2027, 4, 1, 10, 0), "expected a day, without a time of day (start = "
                                     "2027-04-01), found '2027-04-01T10:00:00'"),
    (dt.time(10, 0), 'expected a day such as "2027-04-01", not a time of day, found '
                     "'10:00:00'"),
    ("2027-02-30", 'expected an ISO date such as "2027-04-01" (2027-02-30 is no date: '
                   "February 2027 has 28 days), found '2027-02-30'"),
])
def test_a_start_that_is_no_day_is_said_with_why(tmp_path: Path, start: Any, said: str
                                                 ) -> None:
    """A TOML datetime with a time of day (which the plan's scenario.toml would keep), a
    bare time, or a day no calendar has: each is refused at the key, saying why, as a
    register's dates are; a datetime at midnight is its day."""
    run = invoke(tmp_path, "validate", town(tmp_path, name="bad.toml",
                                            changes={"start": start}))
    assert run.code == 1, run.output
    assert f"key start: {said}" in run.stderr, run.stderr
    assert "datetime." not in run.stderr
    midnight = town(tmp_path, name="day.toml", changes={"start": dt.datetime(2027, 4, 1)})
    assert load_scenario(midnight).start == dt.date(2027, 4, 1)


def test_an_empty_data_key_is_said_so_not_read_as_the_scenarios_folder(tmp_path: Path
                                                                    ) -> None:
    run = invoke(tmp_path, "validate", town(tmp_path, name="bad.toml", changes={"data": ""}))
    assert run.code == 1, run.output
    assert ("key data: expected the register's path (a folder, .xlsx or .gpkg), found an "
            "empty text") in run.stderr, run.stderr
    assert "a folder holding" not in run.stderr


@pytest.mark.parametrize("in_a_locked_folder", [False, True])
@pytest.mark.parametrize("command", ["validate", "plan", "compare"])
def test_a_scenario_this_user_may_not_read_is_said_by_estate(
        tmp_path: Path, command: str, in_a_locked_folder: bool) -> None:
    """Not click's "Invalid value for 'SCENARIO': Path ... is not readable" and its usage
    lines (nor, past click, an unexpected error): estate names the file and the fix,
    for a file one may not read and for one in a folder one may not open."""
    scenario = town(tmp_path, name="locked.toml")
    locked = tmp_path if in_a_locked_folder else scenario
    if in_a_locked_folder:  # the scenario is then in a folder of its own, locked
        (tmp_path / "box").mkdir()
        scenario = scenario.rename(tmp_path / "box" / "locked.toml")
        locked = tmp_path / "box"
    locked.chmod(0)
    try:
        run = run_cli(tmp_path, command, scenario, as_a_user=True)
    finally:
        locked.chmod(0o755 if in_a_locked_folder else 0o644)
    assert run.code == 1, run.output
    assert ("locked.toml: expected a scenario TOML file, found a file this user may not "
            "read (permission denied): give read permission on it") in run.stderr, run.stderr
    assert "Usage:" not in run.stderr and "Unexpected" not in run.stderr
    no_traceback(run)


def test_a_start_below_programme_is_one_problem(tmp_path: Path) -> None:
    """`start` typed below `[programme]` (where a lead dating a programme puts it) is said
    once, as a top-level key written in the wrong place, not again as a programme
    without one."""
    scenario = town(tmp_path, name="bad.toml", changes={
        "programme": {"start": "2027-04-01", "max_closures_per_year": 2}})
    run = invoke(tmp_path, "plan", scenario)
    assert run.code == 1, run.output
    assert "1 problem in the input" in run.stderr, run.stderr
    assert "key programme.start" in run.stderr and "top-level key" in run.stderr
    assert "without start" not in run.stderr
    # given at the top as well: told to delete the copy, not to move it where it is
    scenario = town(tmp_path, name="both.toml", changes={
        "start": "2027-04-01", "programme": {"start": "2027-04-01"}})
    run = invoke(tmp_path, "plan", scenario)
    assert run.code == 1, run.output
    assert "1 problem in the input" in run.stderr, run.stderr
    assert "found `start` here; it is given at the top of the file as well: delete this copy" in run.stderr


def test_every_scenario_error_is_listed_at_once(tmp_path: Path) -> None:
    scenario = town(tmp_path, name="bad.toml", changes={
        "horizon_years": 0, "relocation": {"max_km": "far"}, "solver": {"nmae": "cbc"}})
    run = invoke(tmp_path, "plan", scenario)
    assert run.code == 1, run.output
    for key in ("horizon_years", "relocation.max_km", "solver.nmae"):
        assert key in run.stderr, (key, run.stderr)
    no_traceback(run)


@pytest.mark.parametrize(("key", "meant"), [
    ({"horizon": 10}, "`horizon`, an unknown key; did you mean `horizon_years`?"),
    ({"solver": {"nmae": "highs"}}, "`nmae`, an unknown key; did you mean `solver.name`?"),
    ({"relocation": {"max_kms": 5}},
     "`max_kms`, an unknown key; did you mean `relocation.max_km`?"),
    ({"zzz": 1}, "`zzz`, an unknown key"),
    # a character that shows as nothing: shown as an escape, not as the key it is not
    ({"relocation": {"max_km\u200b": 5}},
     "'max_km\\u200b', an unknown key; did you mean `relocation.max_km`?"),
])
def test_an_unknown_key_names_the_key_it_may_mean(tmp_path: Path, key: dict[str, Any],
                                                  meant: str) -> None:
    from estate.errors import InputError
    from estate.load.scenario import scenario_from_dict
    from tests.fixtures.scenario import scenario

    with pytest.raises(InputError) as caught:
        scenario_from_dict({**scenario(data=str(tmp_path)), **key}, base_dir=tmp_path,
                           label="s.toml")
    assert [p.found for p in caught.value.problems] == [meant]


@pytest.mark.parametrize(("rule", "keys"), [
    ({"mode": "population_share", "population_share": 0.8}, []),
    ({"mode": "all"}, []),
    ({}, []),
    ({"mode": "maintain", "population_share": 0.95}, ["coverage.1.population_share"]),
])
def test_population_share_is_read_only_where_its_mode_reads_it(
        tmp_path: Path, rule: dict[str, Any], keys: list[str]) -> None:
    """A share written beside a mode that ignores it is accepted, as DESIGN's example
    writes it, and said at that rule's key, even at the default value; a rule that
    leaves it out is fine whatever its mode (the defaults fill one into every rule)."""
    from estate.load.scenario import scenario_from_dict
    from estate.load.unlikely import unlikely_values
    from tests.fixtures.scenario import scenario

    first = {"service": "public_access", "mode": "population_share", "population_share": 0.5}
    raw = {**scenario(data=str(tmp_path)), "coverage": [first, {"service": "x", **rule}]}
    said = unlikely_values(scenario_from_dict(raw, base_dir=tmp_path, label="s.toml"),
                           "s.toml")
    assert [p.column for p in said] == keys
    assert all(p.severity == "warning" and p.found == "0.95, not read" for p in said)


def test_missing_scenario_file_exits_1(tmp_path: Path) -> None:
    run = invoke(tmp_path, "plan", "nothing.toml")
    assert run.code == 1, run.output
    assert "nothing.toml" in run.output
    no_traceback(run)


def test_broken_toml_exits_1(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text('data = "reg"\n[policy\n', encoding="utf-8")
    run = invoke(tmp_path, "plan", "broken.toml")
    assert run.code == 1, run.output
    assert "broken.toml" in run.stderr
    no_traceback(run)


@pytest.mark.parametrize(("name", "read"), [
    ("", "tiny"), ("  \t ", "tiny"), (" Shared HR\nand finance  ", "Shared HR and finance"),
])
def test_a_scenario_name_drops_spaces_at_either_end_and_none_is_the_file_stem(
        tmp_path: Path, name: str, read: str) -> None:
    assert load_scenario(town(tmp_path, changes={"name": name})).name == read


@pytest.mark.parametrize("name", ["\u200b", " \u200b\u2066\u2069 "])
def test_a_name_of_characters_that_show_as_nothing_is_refused(tmp_path: Path, name: str
                                                              ) -> None:
    """Every page, the results folder and the map would be named by a blank."""
    from estate.errors import InputError

    with pytest.raises(InputError) as refused:
        load_scenario(town(tmp_path, changes={"name": name}))
    [problem] = refused.value.problems
    assert problem.column == "name" and "only characters that show as nothing" in (
        problem.found), problem


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    scenario = town(tmp_path, changes={"name": "With a BOM"})
    scenario.write_bytes(b"\xef\xbb\xbf" + scenario.read_bytes())
    assert load_scenario(scenario).name == "With a BOM"


def test_suspicious_scenario_words_are_located_warnings(tmp_path: Path) -> None:
    scenario = load_scenario(town(tmp_path, changes={
        # UTM 29N: made for 12-6 degrees west, not Suffolk, yet it measures the town
        # within 0.6% of true (a farther zone stretches it: an error, below)
        "crs": "EPSG:32629",
        "sharing": {"types": ["HR", "Payroll", "HR"]},
        "policy": {"keep": ["S1", "S1"], "closable_kinds": ["ofice"]},
        # a service nothing in the register is near to: a standard rule on a register
        # without that service (a near miss, 'Public_Access', is an error)
        "coverage": [{"service": "parking", "radius_km": 5}]}))
    problems = check_against_register(scenario, load_register(tmp_path / "reg"))
    assert {(p.column, p.severity) for p in problems} == {
        ("crs", "warning"), ("sharing.types", "warning"), ("policy.keep", "warning"),
        ("policy.closable_kinds", "warning"), ("coverage.0.service", "warning"),
        ("sharing.min_agencies", "warning")}  # only the council has HR teams
    found = " ".join(p.found for p in problems)
    for text in ("3 of 3 sites outside", "'Payroll', which no function has", "HR listed",
                 "S1 listed", "'ofice', which no site has (did you mean `office`?)", "'parking'"):
        assert text in found, (text, found)


def test_keeping_a_site_outside_the_plan_is_a_warning(tmp_path: Path) -> None:
    """S3 is the police's (A2): with the council alone it stays as it is, as asked."""
    scenario = load_scenario(town(tmp_path, changes={"agencies": ["A1"],
                                                     "policy": {"keep": ["S3", "S1"]}}))
    problems = check_against_register(scenario, load_register(tmp_path / "reg"))
    keep = [p for p in problems if p.column == "policy.keep"]
    assert [(p.severity, p.found) for p in keep] == [
        ("warning", "S3 of A2, outside the plan: they stay as they are")]


@pytest.mark.parametrize(("sharing", "agencies", "short"), [
    ({"types": ["HR", "IT"]}, [], "HR by 1 agency, IT by 1 agency"),  # no pair to pool
    ({"types": ["HR"], "min_agencies": 1}, [], None),  # a centre of one agency may open
    ({"types": ["Finance"], "min_agencies": 3}, [], "Finance by 1 agency"),
    ({"types": ["HR", "IT"], "min_agencies": 1}, ["A2"], "HR by 0 agencies"),  # council out
])
def test_a_type_fewer_agencies_hold_than_a_centre_needs_is_a_warning(
        tmp_path: Path, sharing: dict, agencies: list[str], short: str | None) -> None:
    rows = town_rows()
    rows["functions"].append({"function_id": "F4", "agency_id": "A2", "type": "HR",
                              "site_id": "S3", "fte": 5, "annual_cost": 100_000,
                              "shareable": "false"})  # not shareable: counts for nothing
    scenario = load_scenario(town(tmp_path, rows, changes={
        "sharing": sharing, "agencies": agencies, "coverage": []}))
    problems = [p for p in check_against_register(scenario, load_register(tmp_path / "reg"))
                if p.column == "sharing.min_agencies"]
    if short is None:
        assert problems == []
        return
    assert [(p.severity, p.row) for p in problems] == [("warning", None)]
    assert f"held: {short}; no centre" in problems[0].found, problems[0].found


def test_warnings_are_told_before_the_solve(tmp_path: Path) -> None:
    """With progress lines on, the warnings come before the model is built, so a planner
    can stop a long run over a slip; every one is listed again at the end."""
    scenario = town(tmp_path, changes={"sharing": {"types": ["Payroll"]}})
    run = invoke(tmp_path, "plan", scenario, "--out", "out", "--map", "map.html",
                 "--progress")
    assert run.code == 0, run.output
    lines = run.stderr.splitlines()
    told = [i for i, line in enumerate(lines) if "Warning: " in line and "sharing.types" in line]
    build = next(i for i, line in enumerate(lines) if "Building the model" in line)
    assert len(told) == 2 and told[0] < build < told[1], run.stderr
    no_traceback(run)


def test_warnings_reach_the_screen_as_the_tools_own_lines(tmp_path: Path) -> None:
    scenario = town(tmp_path, changes={"sharing": {"types": ["Payroll"]},
                                       "policy": {"keep": ["S1", "S1"]}})
    run = invoke(tmp_path, "plan", scenario, "--out", "out", "--map", "map.html")
    assert run.code == 0, run.output
    lines = [line for line in run.stderr.splitlines() if line.startswith("Warning: ")]
    assert any("key sharing.types" in line for line in lines), run.stderr
    assert any("key policy.keep" in line for line in lines), run.stderr
    assert "RuntimeWarning" not in run.output and "FutureWarning" not in run.output
    no_traceback(run)


@pytest.mark.parametrize(("write", "says"), [
    (lambda p: p.write_bytes('name = "Caf\xe9"\n'.encode("latin-1")), "line 1: expected a scenario TOML file (UTF-8 text), found the byte 0xE9 (é in "
     "Windows-1252), which is not UTF-8"),
    (lambda p: p.write_bytes(b"PK\x03\x04\x14\x00\x00\x00\x08\x00\xff"), "binary file"),
    (lambda p: os.mkfifo(p), "found a FIFO (named pipe), not a regular file"),
])
def test_a_scenario_that_is_not_toml_text_says_what_it_is(tmp_path: Path, write: Callable,
                                                          says: str) -> None:
    path = tmp_path / "s.toml"
    write(path)
    run = invoke(tmp_path, "plan", path)
    assert run.code == 1 and says in run.stderr, run.output
    no_traceback(run)


def test_a_register_dated_beyond_leases_warns_without_a_start() -> None:
    """The demo's register, planned without `start`: its leases, its sale lag, its two
    hubs' build times and its two teams' earliest moves are all ignored, and said to be
    (the sale lag and the build times were not counted before)."""
    models = Path(__file__).parents[1] / "models"
    scenario = load_scenario(models / "no_sharing.toml")
    problems = check_against_register(scenario, load_register(Path(scenario.data)))
    start = [p for p in problems if p.column == "start"]
    assert [(p.severity, p.found) for p in start] == [(
        "warning", "none: the register's 9 leases, 1 sale lag, 2 build times, 2 earliest "
        "moves are ignored")]
    # said as a note of what is left out and how to count it, not as a value gone wrong
    assert str(start[0]) == (
        f"{scenario.path}, key start: no start date, so the plan counts none of the "
        "register's 9 leases, 1 sale lag, 2 build times, 2 earliest moves; to count them, "
        'give the date year 1 begins, e.g. start = "2027-04-01" (docs/programme.md)')


def test_the_crs_is_checked_on_the_plans_own_sites(tmp_path: Path) -> None:
    """UTM 31N measures the council's sites near Ipswich truly, and a police site moved
    to 20 degrees west 3% long: an error for a plan of both agencies, nothing for the
    council's alone (the police site is not in it)."""
    rows = town_rows()
    rows["sites"][2]["lon"] = -20.0  # S3, the police's
    for agencies, crs_problems in (([], 1), (["A1"], 0)):
        scenario = load_scenario(town(tmp_path, rows, changes={
            "crs": "EPSG:32631", "agencies": agencies}))
        problems = check_against_register(scenario, load_register(tmp_path / "reg"))
        assert sum(p.column == "crs" for p in problems) == crs_problems, problems


def _no_zones() -> dict[str, list[dict[str, Any]]]:
    rows = town_rows()
    rows["zones"] = []
    return rows


def _zones_far_off() -> dict[str, list[dict[str, Any]]]:
    """Both zones 0.3 degrees (33 km) north of the town: beyond the rule's 5 km."""
    rows = town_rows()
    for row in rows["zones"]:
        row["lat"] += 0.3
    return rows


@pytest.mark.parametrize(("rows", "found"), [
    (_no_zones, "zones.csv has no rows, so the rule protects nothing"),
    (_zones_far_off, "no zone is within 5 km of a site offering public_access today, so "
                     "the rule protects nothing"),
    (town_rows, None),  # the control: Z1 sits at S1, which offers public access
])
@pytest.mark.parametrize("command", ["validate", "plan"])
def test_a_coverage_rule_that_protects_nothing_is_a_warning(
        tmp_path: Path, rows: Callable[[], dict[str, list[dict[str, Any]]]],
        found: str | None, command: str) -> None:
    """The town's rule keeps public access within 5 km of the zones reached today; with
    no zone to reach it protects nothing, and `estate validate SCENARIO` and `estate
    plan` (one path: `ready_to_plan`) both say so at the rule's key."""
    scenario = town(tmp_path, rows())
    args = ("--out", "out", "--map", "map.html") if command == "plan" else ()
    run = invoke(tmp_path, command, scenario, *args)
    assert run.code == 0, run.output
    said = [line for line in run.stderr.splitlines() if "key coverage.0:" in line]
    if found is None:
        assert said == [], run.stderr
        return
    assert len(said) == 1 and said[0].startswith("Warning: "), run.stderr
    assert "expected zones for the rule to protect" in said[0] and found in said[0], said
    no_traceback(run)


def test_ids_in_messages_are_plain_text(tmp_path: Path) -> None:
    """Ids as a planner typed them, not as Python lists or quoted strings."""
    scenario = town(tmp_path, changes={"policy": {"keep": ["S2", "S9", "S8"],
                                                  "close": ["S2"]}})
    run = invoke(tmp_path, "validate", scenario)
    assert run.code == 1, run.output
    assert "found S2 in both keep and close" in run.stderr, run.stderr
    scenario = town(tmp_path, changes={"policy": {"keep": ["S9", "S8"]}}, name="b.toml")
    run = invoke(tmp_path, "validate", scenario)
    assert run.code == 1, run.output
    assert "found unknown ids S9, S8" in run.stderr, run.stderr
    assert "[" not in run.stderr and "'" not in run.stderr, run.stderr


HAND_WRITTEN = 'name = "tiny"\ndata = "reg"\n\n[relocation]\nmax_km = 40\n\n[solver]\nmip_gap = 0.001\n'


@pytest.mark.parametrize(("edit", "key", "says"), [
    # a key typed at the top that belongs in a table, and one typed below the last header
    (("[relocation]\nmax_km = 40", "max_km = 40\n\n[relocation]"), "key max_km:",
     "found `max_km` here; it is a key of [relocation]: write it below that header"),
    (('data = "reg"\n', 'data = "reg"\nmip_gap = 0.001\n'), "key mip_gap:",
     "found `mip_gap` here; it is a key of [solver]"),
    (("mip_gap = 0.001\n", 'mip_gap = 0.001\nstart = "2027-04-01"\n'), "key solver.start:",
     "found `start` here; it is a top-level key: write it above the first [header]"),
    (("[solver]", '[solver]\nradius_km = 5'), "key solver.radius_km:",
     "`radius_km` here; it is a key of a coverage rule: write it below a "
     "[[coverage]] header"),
    (("[solver]", '[coverage]\nradius_km = 5\n\n[solver]'), "key coverage:",
     "a rule headed [coverage], in one pair: write its header [[coverage]]"),
])
def test_a_key_in_the_wrong_table_is_told_where_it_belongs(
        tmp_path: Path, edit: tuple[str, str], key: str, says: str) -> None:
    """A lead new to TOML types a key above its table's header, or below the last one
    (where TOML files it in that table), or heads one coverage rule as other tables are:
    the message says where the key belongs, not only that it is unknown where it is."""
    town(tmp_path)
    path = tmp_path / "hand.toml"
    assert edit[0] in HAND_WRITTEN
    path.write_text(HAND_WRITTEN.replace(edit[0], edit[1], 1), encoding="utf-8")
    run = invoke(tmp_path, "validate", path)
    assert run.code == 1, run.output
    said = [line for line in run.stderr.splitlines() if key in line]
    assert len(said) == 1 and says in said[0], run.stderr
    no_traceback(run)


@pytest.mark.parametrize(("change", "key", "found"), [
    ({"time_limit_s": -5}, "solver.time_limit_s", "-5"),
    ({"mip_gap": "big"}, "solver.mip_gap", "'big'"),
    ({"horizon_years": 0}, "horizon_years", "0"),
    ({"discount_rate": 1.5}, "discount_rate", "1.5"),
    # a name of nothing, which wrote results/scenario/ with "" in summary.json (a review)
    ({"name": ""}, "name", "''"), ({"name": " \u200b"}, "name", "' \\u200b'"),
    ({"name": "\x1b[31mred"}, "name", "'\\x1b[31mred'"),  # as a file's: no control character
])
def test_a_scenario_changed_in_code_is_checked_by_key_as_its_file_is(
        tmp_path: Path, change: dict[str, Any], key: str, found: str) -> None:
    """dataclasses.replace(s, time_limit_s=-5) was planned as the status quo, and a gap
    of 'big' failed deep in the solve with a TypeError (a review): the figures a run
    reads are checked again as the Scenario is made, and refused by key."""
    scenario = load_scenario(town(tmp_path))
    with pytest.raises(InputError) as refused:
        dataclasses.replace(scenario, **change)
    [problem] = refused.value.problems
    assert (problem.column, problem.label, problem.found) == (key, "key", found)
    assert problem.file.endswith("tiny.toml (as changed in code)")  # not the file's value
    assert dataclasses.replace(scenario, time_limit_s=60.0).time_limit_s == 60.0
    # kept as read, as a file's are: "inf" a float (it failed later in the plan), 10.0
    # years a whole number
    changed = dataclasses.replace(scenario, max_km="inf", horizon_years=10.0)
    assert changed.max_km == math.inf and isinstance(changed.max_km, float)
    assert changed.horizon_years == 10 and isinstance(changed.horizon_years, int)


@pytest.mark.parametrize(("changes", "said"), [
    ({"coverage": ["a"]}, "key coverage.0: expected a table (a [[coverage]] block of "
                          "service, radius_km and mode), found 'a'"),
    ({"sharing": {"types": ["IT", "HR"], "efficiency": {"IT": 0.2, "XX": 0.1}}},
     "key sharing.efficiency: expected a number, or a table naming exactly the sharing "
     "types IT, HR, found a table naming IT, XX"),
])
def test_a_table_key_is_said_as_the_file_writes_it(tmp_path: Path, changes: dict[str, Any],
                                                   said: str) -> None:
    """Not `[coverage.0]`, which no scenario writes, nor Python's ['IT', 'HR']."""
    run = invoke(tmp_path, "validate", town(tmp_path, name="bad.toml", changes=changes))
    assert run.code == 1, run.output
    assert said in run.stderr, run.stderr
