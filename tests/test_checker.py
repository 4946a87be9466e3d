"""Typed reads of scenario keys (estate.load.checker): a number or a flag written as a
text, in quotes, the way a spreadsheet shows it, is told the value TOML needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.fixtures import invoke, no_traceback, town

RULE = {"service": "public_access", "mode": "population_share"}


@pytest.mark.parametrize(("changes", "key", "says"), [
    ({"relocation": {"cost_per_fte": "£5,000"}}, "relocation.cost_per_fte",
     "expected a number, without quotes, found '£5,000': write 5000"),
    ({"sharing": {"types": ["HR"], "setup_cost": "£250k"}}, "sharing.setup_cost",
     "found '£250k': write 250000"),
    ({"policy": {"max_one_off": "1.5m"}}, "policy.max_one_off", "found '1.5m': write 1500000"),
    ({"discount_rate": "3.5%"}, "discount_rate", "found '3.5%': write 0.035"),
    ({"coverage": [{**RULE, "population_share": "95%"}]}, "coverage.0.population_share",
     "found '95%': write 0.95"),
    ({"coverage": [{**RULE, "radius_km": "15000m"}]}, "coverage.0.radius_km",
     "found '15000m': write 15"),
    ({"relocation": {"max_km": "40 km"}}, "relocation.max_km", "found '40 km': write 40"),
    ({"relocation": {"max_km": "40km"}}, "relocation.max_km", "found '40km': write 40"),
    # a decimal comma, as much of Europe writes one: not thousands
    ({"relocation": {"max_km": "1,5"}}, "relocation.max_km", "found '1,5': write 1.5"),
    ({"discount_rate": "0,035"}, "discount_rate", "found '0,035': write 0.035"),
    # m is minutes in seconds, millions in pounds, metres in km
    ({"solver": {"time_limit_s": "5m"}}, "solver.time_limit_s",
     "found '5m': write 300 (the key is in seconds)"),
    ({"solver": {"time_limit_s": "300s"}}, "solver.time_limit_s", "found '300s': write 300"),
    ({"sharing": {"setup_cost": "0.25m"}}, "sharing.setup_cost",
     "found '0.25m': write 250000"),
    ({"solver": {"time_limit_s": "10 minutes"}}, "solver.time_limit_s",
     "found '10 minutes': write 600 (the key is in seconds)"),
    ({"horizon_years": "10 years"}, "horizon_years",
     "expected a whole number from 1 to 100, without quotes, found '10 years': write 10"),
    ({"assignment": {"split": "yes"}}, "assignment.split",
     "expected true or false, without quotes, found 'yes': write true"),
    ({"solver": {"site_configurations": "False"}}, "solver.site_configurations",
     "found 'False': write false"),
    # a list typed as one text, as a spreadsheet cell holds it
    ({"sharing": {"types": "IT, HR"}}, "sharing.types",
     'expected a list of texts, e.g. ["a", "b"], found \'IT, HR\': write ["IT", "HR"]'),
    ({"agencies": "CC"}, "agencies", 'found \'CC\': write ["CC"]'),
    # split as a register's cell is (semicolons), its quotes not doubled
    ({"agencies": "CC; PD"}, "agencies", 'found \'CC; PD\': write ["CC", "PD"]'),
    ({"sharing": {"types": 'IT, "HR"'}}, "sharing.types", 'write ["IT", "HR"]'),
    ({"agencies": "[CC, PD]"}, "agencies", 'found \'[CC, PD]\': write ["CC", "PD"]'),
    # ids parted by spaces; names parted by spaces may be one name or several: both offered
    ({"policy": {"keep": "S1 S2"}}, "policy.keep", 'found \'S1 S2\': write ["S1", "S2"]'),
    ({"agencies": "CC PD"}, "agencies", 'found \'CC PD\': write ["CC", "PD"]'),
    ({"sharing": {"types": "Customer services"}}, "sharing.types",
     'write ["Customer", "services"], a word an entry, or ["Customer services"], one name'),
    ({"sharing": {"types": "IT HR Finance"}}, "sharing.types",
     'write ["IT", "HR", "Finance"], a word an entry, or ["IT HR Finance"], one name'),
    ({"sharing": {"types": "'IT' 'HR'"}}, "sharing.types", 'found "\'IT\' \'HR\'": write ["IT", "HR"]'),
    ({"sharing": {"types": "'Customer services' 'IT'"}}, "sharing.types",
     'write ["Customer services", "IT"]'),
    ({"sharing": {"types": "St Mary's HR"}}, "sharing.types",  # an apostrophe, no quotes
     'write ["St", "Mary\'s", "HR"], a word an entry, or ["St Mary\'s HR"], one name'),
])
def test_a_value_written_as_text_is_told_how_to_write_it(
        tmp_path: Path, changes: dict[str, Any], key: str, says: str) -> None:
    scenario = town(tmp_path, changes=changes)
    run = invoke(tmp_path, "plan", scenario, "--out", "out")
    assert run.code == 1, run.output
    said = [line for line in run.stderr.splitlines() if f", key {key}:" in line]
    assert len(said) == 1 and says in said[0], run.stderr
    assert not (tmp_path / "out").exists()
    no_traceback(run)


@pytest.mark.parametrize(("changes", "key", "says"), [
    ({"horizon_years": "ten"}, "horizon_years", "found 'ten'"),
    ({"relocation": {"max_km": "far"}}, "relocation.max_km", "expected a number, found 'far'"),
    ({"assignment": {"split": "maybe"}}, "assignment.split",
     "expected true or false, found 'maybe'"),
    # values a hint must not guess at, or whose meaning is out of the key's range
    ({"solver": {"time_limit_s": "5 kg"}}, "solver.time_limit_s", "found '5 kg'"),
    ({"relocation": {"max_km": "1,50,0"}}, "relocation.max_km", "found '1,50,0'"),
    ({"discount_rate": "-3%"}, "discount_rate", "found '-3%'"),
    ({"sharing": {"min_agencies": "2.5"}}, "sharing.min_agencies", "found '2.5'"),
    ({"horizon_years": "10.5 years"}, "horizon_years", "found '10.5 years'"),
    ({"discount_rate": "5m"}, "discount_rate", "found '5m'"),
    # a flag where a number belongs: said as TOML writes it, not Python's True
    ({"relocation": {"max_km": True}}, "relocation.max_km", "expected a number, found true"),
    # out of range: the range in words, not [0.0, inf]; a yearly list's entry by its year
    ({"relocation": {"max_km": -5}}, "relocation.max_km", "expected a number of 0 or more, "
     "found -5"),
    ({"solver": {"mip_gap": 2}}, "solver.mip_gap", "expected a number from 0 to 1"),
    ({"horizon_years": 3, "start": "2027-04-01",
      "programme": {"max_one_off_per_year": [1e6, 1e6, -5]}},
     "programme.max_one_off_per_year.2 (year 3)", "expected a number of 0 or more, found -5"),
])
def test_a_text_that_holds_no_value_is_not_given_one(
        tmp_path: Path, changes: dict[str, Any], key: str, says: str) -> None:
    scenario = town(tmp_path, changes=changes)
    run = invoke(tmp_path, "validate", scenario)
    assert run.code == 1, run.output
    said = [line for line in run.stderr.splitlines() if f", key {key}:" in line]
    assert len(said) == 1 and says in said[0] and "write" not in said[0], run.stderr


@pytest.mark.parametrize(("changes", "key", "says"), [
    # `[solver.name]` typed as a header, or `max_km.value = 5`: said as the TOML that made it
    ({"solver": {"name": {}}}, "solver.name", "expected a text in quotes, found a table, "
     "where a value belongs (a [header] naming the key, a key written after it with a dot, "
     "or { } braces)"),
    ({"relocation": {"max_km": {"value": 5}}}, "relocation.max_km", "expected a number, "
     "found a table, where a value belongs"),
])
def test_a_table_where_a_value_belongs_is_said_as_written(
        tmp_path: Path, changes: dict[str, Any], key: str, says: str) -> None:
    """A table was shown as Python writes it ({} or {'value': 5}), which a lead never typed."""
    scenario = town(tmp_path, changes=changes)
    run = invoke(tmp_path, "validate", scenario)
    assert run.code == 1, run.output
    said = [line for line in run.stderr.splitlines() if f", key {key}:" in line]
    assert len(said) == 1 and says in said[0] and "{'" not in said[0], run.stderr
