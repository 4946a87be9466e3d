"""Saying why a scenario is infeasible (estate.solve.diagnose): the cheap pre-checks
name the zone or team one rule alone rules out; the elastic re-solve names the
smallest breach when only rules together do.

Each case runs `estate plan` in this process (exit 2, nothing on stdout, nothing
written) on the tiny town register (`tests.fixtures.registers.TOWN`) or on a register
of two far-apart zones, each reachable only from its own candidate site.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from estate.errors import InfeasibleError
from estate.load.scenario import load_scenario
from estate.pipeline import prepare_scenario
from estate.solve.diagnose import precheck
from tests.fixtures import Run, invoke, no_traceback, town, town_rows
from tests.fixtures.programme_registers import function, plan_case, site


def _precheck_reasons(scenario: Path) -> list[str]:
    """What the cheap pre-check alone finds (to know which path a test exercises)."""
    return [reason.text for reason in precheck(prepare_scenario(load_scenario(scenario)))]


def _infeasible(tmp_path: Path, scenario: Path) -> Run:
    run = invoke(tmp_path, "plan", scenario, "--out", "out", "--json")
    assert run.code == 2, run.output
    # --json: the failure as one object on stdout, its reasons those said on stderr
    failure = json.loads(run.stdout)
    assert failure["status"] == "infeasible" and failure["reasons"]
    assert all(reason in run.stderr for reason in failure["reasons"])
    assert not (tmp_path / "out").exists()
    no_traceback(run)
    return run


def test_infeasible_zone_found_by_precheck(tmp_path: Path) -> None:
    rows = town_rows()
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


def test_room_short_because_of_policy_close_names_the_sites_it_shuts(tmp_path: Path) -> None:
    """Closing S1 and S2 leaves only S3's 40 desks for teams needing at least 60: the
    reason names the rule and the room it shuts away (100 + 60 desks)."""
    scenario = town(tmp_path, changes={"policy": {"close": ["S1", "S2"]}, "coverage": []})
    said = "; policy.close shuts S1, S2, which hold 160 more"
    assert any(reason.endswith(said) for reason in _precheck_reasons(scenario))
    assert said in _infeasible(tmp_path, scenario).stderr


def test_a_team_that_may_not_move_in_time_is_named_with_its_date(tmp_path: Path) -> None:
    """The policy closes S1, and F1 there may not move before 2035, after the three-year
    horizon: the reason is its date, not a want of sites (the annexe S2, beside S1, has
    room for it)."""
    rows = town_rows()
    rows["functions"][0]["earliest_move"] = "2035-01-01"
    scenario = town(tmp_path, rows, changes={"policy": {"close": ["S1"]},
                                             "start": "2027-04-01", "horizon_years": 3})
    run = _infeasible(tmp_path, scenario)
    assert re.search(r"function F1 \(A1 \w+\) may not move before 2035-01-01 "
                     r"\(earliest_move\), after the 3-year horizon, so it stays at S1",
                     run.stderr), run.stderr
    assert "there is none" not in run.stderr


def test_a_team_held_home_is_not_also_a_want_of_room(tmp_path: Path) -> None:
    """T sits at O, which the policy closes, and may not move within the horizon; the
    kept K has room for it. The reason is T's date alone: not also "the functions need
    10 desks but all sites that may host them hold 0", which counted only O's room as
    T's (K holds 100) and named sites.desks to relax."""
    with pytest.raises(InfeasibleError) as caught:
        plan_case(tmp_path, [site("O", "A", 0, 0, desks=100),
                             site("K", "A", 0, 0.1, desks=100, must_keep=True)],
                  [function("T", "A", "HR", "O", earliest_move="2033-01-01")],
                  horizon_years=5, policy={"close": ["O"]})
    reasons = caught.value.reasons
    assert len(reasons) == 1 and "may not move before 2033-01-01" in reasons[0], reasons
    assert "sites.desks" not in caught.value.keys


def _two_candidates(build_cost: float, cap: float) -> dict[str, list[dict[str, Any]]]:
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


def _three_big_teams(tmp_path: Path) -> Path:
    """Teams of 65, 50 and 50 desks and the 10-desk police IT team, which only the
    40-desk police office takes; the 100-desk office holds the 65 alone or the two
    50s, the 60-desk one a 50: by count they seat all four, and all sites together
    hold enough (200 desks for 175), but the big three fit whole only at the two
    offices, 160 desks for their 165."""
    rows = town_rows()
    rows["functions"][0].update(fte=65)
    rows["functions"][1].update(fte=50)
    rows["functions"].append({"function_id": "F4", "agency_id": "A1", "type": "HR",
                              "site_id": "S1", "fte": 50, "annual_cost": 500_000})
    return town(tmp_path, rows)


def test_whole_teams_short_of_room_together_are_found_before_solving(tmp_path: Path) -> None:
    """`_three_big_teams`: the pre-check names the three teams and the room of the two
    offices that could hold any of them whole, not the police team or the distance."""
    assert _precheck_reasons(_three_big_teams(tmp_path)) == [
        "functions F1 (A1 HR, 65 desks), F2 (A1 Finance, 50 desks) and F4 (A1 HR, 50 "
        "desks) must each sit whole at one site (assignment.split is false) and need 165 "
        "desks together, but the sites that could hold any of them whole within 40 km of "
        "their homes hold 160 desks in all: S1 Town Hall holds 100 desks; S2 Annexe holds "
        "60 desks; S3 Police Office holds too little for any of them whole"]


def _far_village(tmp_path: Path) -> Path:
    rows = town_rows()
    rows["zones"].append({"zone_id": "Z3", "name": "Far village", "lat": 52.30, "lon": 1.40,
                          "population": 300})
    return town(tmp_path, rows, changes={
        "coverage": [{"service": "public_access", "radius_km": 5, "mode": "all"}]})


def _two_teams_that_may_not_move(tmp_path: Path) -> Path:
    rows = town_rows()
    rows["functions"][0].update(fte=60)
    rows["functions"][1].update(fte=60, site_id="S1")
    return town(tmp_path, rows, changes={"relocation": {"max_km": 0}})


@pytest.mark.parametrize(("scenario", "relax"), [
    # one coverage rule, no site closed by policy: its radius alone (pre-check)
    (_far_village, "coverage.0.radius_km"),
    # room short because policy.close shuts S1 and S2 (pre-check)
    (lambda p: town(p, changes={"policy": {"close": ["S1", "S2"]}, "coverage": []}),
     "policy.close, sites.desks"),
    # Police IT's only secure site closed by policy (pre-check): no distance would do
    (lambda p: town(p, changes={"policy": {"close": ["S3"]}}),
     "policy.close, sites.hosts, sites.secure"),
    # a zone given up under the one-off cap (elastic re-solve)
    (lambda p: town(p, _two_candidates(5_000_000, 6_000_000), changes={
        "coverage": [{"service": "public_access", "radius_km": 5, "mode": "all"}],
        "policy": {"max_one_off": 6_000_000}}), "coverage.0.radius_km, policy.max_one_off"),
    # a service no site of the register offers: no radius helps, its spelling might
    # (pre-check)
    (lambda p: town(p, changes={
        "coverage": [{"service": "x", "radius_km": 50, "mode": "all"}]}),
     "coverage.0.service, sites.services"),
    # the one site offering public access closed by policy: no radius helps either
    (lambda p: town(p, changes={"policy": {"close": ["S1"]}, "coverage": [
        {"service": "public_access", "radius_km": 50, "mode": "all"}]}),
     "coverage.0.service, sites.services, policy.close"),
    # the cap itself £500,000 short (elastic re-solve)
    (_small_shortfall, "policy.max_one_off"),
    # two teams that may not move share one office too small for both (pre-check, the
    # seats): its desks, and the distance, as S2 farther away could take either
    (_two_teams_that_may_not_move, "relocation.max_km, sites.desks"),
    # one of three big teams left without room beside the others (elastic re-solve):
    # the desks, and whole teams, as the room left over would hold it split
    (_three_big_teams, "sites.desks, assignment.split"),
])
def test_the_keys_to_relax_are_those_of_the_reasons_found(
        tmp_path: Path, scenario: Callable[[Path], Path], relax: str) -> None:
    """`relax` names the rules the reasons are about (and the settings that bear on
    them), not every key a scenario has: a coverage radius alone for a zone out of
    reach, the cap for a cap too tight."""
    run = _infeasible(tmp_path, scenario(tmp_path))
    assert run.json()["relax"] == relax.split(", ")  # a list, as `reasons` is
    assert f"Relax the rules named above ({relax}) and run again." in run.stderr


def test_a_negative_cap_is_said_as_net_receipts(tmp_path: Path) -> None:
    """A cap below nought (the plan must bring in net receipts) is written with its sign
    before the pound, as every other sum of money is, and said as the receipts it asks."""
    scenario = town(tmp_path, _two_candidates(1_000_000, 1_500_000), changes={
        "coverage": [{"service": "public_access", "radius_km": 5, "mode": "all"}],
        "policy": {"max_one_off": -250_000}})
    run = _infeasible(tmp_path, scenario)
    assert "the cap of -£250,000, net receipts of at least £250,000" in run.stderr, run.stderr
    assert "£-" not in run.stderr


def test_a_service_no_site_offers_is_said_with_the_warning_that_names_it(
        tmp_path: Path) -> None:
    """A coverage rule of a service no site of the town offers (`x`; S1's is
    public_access) is met at no radius: each zone's reason says no site offers it, the
    closing line names the rule's service and the sites' services, not its radius, and
    the scenario's warning of the unknown service is said before the reasons."""
    scenario = town(tmp_path, changes={
        "coverage": [{"service": "x", "radius_km": 50, "mode": "all"}]})
    run = _infeasible(tmp_path, scenario)
    lines = run.stderr.splitlines()
    warned = [i for i, line in enumerate(lines)
              if line.startswith("Warning: ") and "coverage.0.service" in line]
    assert warned and warned[0] < lines.index(
        "The scenario is infeasible: no plan meets every rule."), run.stderr
    for zone in ("Z1 Centre", "Z2 Outskirts"):
        assert (f"  - zone {zone}: no site offering x within 50 km (coverage.0, mode all; "
                "no site of the register offers x)") in lines, run.stderr
    assert "radius_km" not in run.stderr
