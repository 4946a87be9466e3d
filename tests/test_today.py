"""A rule the estate breaks today (estate.programme.today): it holds from the first year
any programme could meet it, and before then stays no worse than today, in the roadmap,
the joint model and the plain re-check alike.

Every register here is at r = 0 with free moves (tests.fixtures.scenario's base), so
each programme's NPV of cost is a plain sum worked out by hand in its docstring. Each
schedule's can-it-happen is stated by hand too and set against the re-check over every
schedule of the plan's changes, and the cheapest of those by the cash-flow oracle is
the programme both methods must find."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from estate.errors import InfeasibleError
from estate.programme.today import grace_of
from tests.fixtures.programme_registers import Case, close, plan_case, site_rows, year_of
from tests.fixtures.register import PUBLIC, function, site, zone

H = 5
ACCESS = [{"service": PUBLIC, "radius_km": 5, "mode": "all"}]


def crowded(folder: Path) -> Case:
    """K holds T's 20 desks in its 10 today; the hub C (40 desks, £60k a year, £50k to
    build) takes two years to build. No programme empties K before year 2."""
    return plan_case(folder, [
        site("K", "A", 0, 0, desks=10, running_cost=100_000),
        site("C", "A", 1, 0, desks=40, running_cost=60_000, candidate=True,
             build_cost=50_000, build_years=2),
    ], [function("T", "A", "Ops", "K", fte=20, desks=20)], horizon_years=H)


def moved_late(folder: Path) -> Case:
    """K holds T's 20 desks in its 10 today; the hub C (£90k a year) could take T from
    year 2, but the snapshot sends it to the cheaper D (£10k a year), three years to
    build."""
    return plan_case(folder, [
        site("K", "A", 0, 0, desks=10, running_cost=100_000),
        site("C", "A", 1, 0, desks=40, running_cost=90_000, candidate=True,
             build_cost=50_000, build_years=2),
        site("D", "A", 2, 0, desks=40, running_cost=10_000, candidate=True,
             build_cost=50_000, build_years=3),
    ], [function("T", "A", "Ops", "K", fte=20, desks=20)], horizon_years=H)


def uncovered(folder: Path, **changes: Any) -> Case:
    """Zone Z2, 30 km from K and O, has no public access within 5 km today; the counter
    C beside it (£20k a year, £50k to build) takes two years to build. O's team T fits
    in the kept office K, and not in C's 5 desks (else T at K or at C would be two
    plans of equal cost, and which one the solver hands back a matter of order)."""
    return plan_case(folder, [
        site("K", "A", 0, 0, desks=50, must_keep=True, services=[PUBLIC]),
        site("O", "A", 1, 0, desks=50, services=[PUBLIC]),
        site("C", "A", 30, 0, desks=5, running_cost=20_000, candidate=True,
             build_cost=50_000, build_years=2, services=[PUBLIC]),
    ], [function("T", "A", "Ops", "O", fte=10, desks=10)],
        zones=[zone("Z1", 0, 0), zone("Z2", 30, 0.5)], horizon_years=H, coverage=ACCESS,
        **changes)


def named(case: Case) -> list[str]:
    """Each change of the plan as 'build C', 'move T', 'close K'."""
    table, sites = case.changes().table, case.prep.sites
    teams = case.prep.functions["function_id"].to_numpy()
    return [f"move {teams[row.team]}" if row.kind == "move"
            else f"{row.kind} {sites.at[row.site, 'site_id']}" for row in table.itertuples()]


def every_schedule(case: Case, allowed: Callable[[dict[str, int]], bool]) -> float:
    """Over every schedule of the plan's changes (each in year 0 = never, or 1..H): the
    re-check accepts just those `allowed` (by hand) accepts; the cheapest of them by
    the cash-flow oracle."""
    changes, names = case.changes(), named(case)
    best = np.inf
    for years in itertools.product(range(H + 1), repeat=len(names)):
        by_name = dict(zip(names, years, strict=True))
        broken = case.broken(changes, np.array(years))
        assert (broken == []) == allowed(by_name), (by_name, broken)
        if not broken:
            best = min(best, case.npv(changes, np.array(years)))
    return best


def test_a_crowded_office_keeps_its_team_until_the_hub_opens(tmp_path: Path) -> None:
    """T may stay at K (20 desks in its 10, as today) in year 1 only: C, decided in year
    1, opens in year 2, and T moves then. A schedule is possible just when C is built
    in year 1, T moves in year 2, and K, if it closes, closes once T has gone. The
    cheapest closes K in year 2: year 1 K's £100k and T's £500k, years 2-5 C's £60k
    and T's £500k, and C's £50k: £2.89m, against the status quo's 5 x £600k."""
    case = crowded(tmp_path)
    assert sorted(named(case)) == ["build C", "close K", "move T"]
    best = every_schedule(case, lambda y: y["build C"] == 1 and y["move T"] == 2
                          and (y["close K"] == 0 or y["close K"] >= 2))
    assert close(best, 2_890_000)
    for method in ("roadmap", "both"):
        programme = case.programme(method)
        assert close(programme.npv_cost, 2_890_000), method
        assert close(programme.npv_saving, 110_000), method
        assert (year_of(programme, "build", "C"), year_of(programme, "open", "C"),
                year_of(programme, "move", team="T"), year_of(programme, "close", "K")) \
            == (1, 2, 2, 2), method
    assert programme.joint_npv is not None and close(programme.joint_npv, 2_890_000)
    said = " ".join(programme.notes)
    assert "K holds 20 desks' worth of teams for its 10 in year 1, no more than today's " \
        "20: no programme could make room there before year 2" in said, said
    assert "T: C, where it may go, opens in year 2 at the earliest" in said, said


def test_a_zone_without_access_is_covered_from_the_year_its_counter_can_open(
        tmp_path: Path) -> None:
    """Z2 may lack public access in year 1 only: C must be decided in year 1 (open in
    year 2) and stays. T's move to K and O's closing may come in any year, or never,
    O closing only once T has left. The cheapest moves T and closes O in year 1: K's
    £100k and T's £500k a year for 5 years, C's £20k for years 2-5, its £50k:
    £3.13m."""
    case = uncovered(tmp_path)
    assert sorted(named(case)) == ["build C", "close O", "move T"]
    best = every_schedule(case, lambda y: y["build C"] == 1 and (
        y["close O"] == 0 or (y["move T"] != 0 and y["close O"] >= y["move T"])))
    assert close(best, 3_130_000)
    for method in ("roadmap", "both"):
        programme = case.programme(method)
        assert close(programme.npv_cost, 3_130_000), method
        assert (year_of(programme, "build", "C"), year_of(programme, "open", "C"),
                year_of(programme, "move", team="T"), year_of(programme, "close", "O")) \
            == (1, 2, 1, 1), method
    note = "zone Z2 has no public_access within 5 km in year 1: C, which covers it, " \
        "opens in year 2 at the earliest"
    assert note in programme.notes, programme.notes


def test_a_team_moves_into_a_crowded_office_only_as_its_crowd_leaves(tmp_path: Path) -> None:
    """K holds T's 20 desks in its 10; C (20 desks) takes two years to build; U's 5 desks
    at the dear office O go to K once T has left. K may hold no more than today's 20
    before year 2, so U may not arrive in year 1 (25 desks), only with T in year 2 or
    later; O closes once U has left. The cheapest builds C in year 1 and moves T and U
    and closes O in year 2: year 1 K's £100k, O's £300k and the teams' £1m; years 2-5
    K's £100k, C's £60k and the teams' £1m; C's £50k: £1.4m + 4 x £1.16m + £50k =
    £6.09m."""
    case = plan_case(tmp_path, [
        site("K", "A", 0, 0, desks=10, running_cost=100_000, must_keep=True),
        site("O", "A", 2, 0, desks=10, running_cost=300_000),
        site("C", "A", 1, 0, desks=20, running_cost=60_000, candidate=True,
             build_cost=50_000, build_years=2),
    ], [function("T", "A", "Ops", "K", fte=20, desks=20),
        function("U", "A", "Ops", "O", fte=5, desks=5)], horizon_years=H)
    assert sorted(named(case)) == ["build C", "close O", "move T", "move U"]
    changes = case.changes()
    names = named(case)
    early = np.array([{"build C": 1, "move T": 2, "move U": 1, "close O": 1}[n] for n in names])
    [k] = site_rows(case.prep, "K")
    assert any(f"site {k} needs 25 desks, has 20" in b for b in case.broken(changes, early))
    best = every_schedule(case, lambda y: y["build C"] == 1 and y["move T"] == 2
                          and (y["move U"] == 0 or y["move U"] >= 2)
                          and (y["close O"] == 0 or (y["move U"] != 0
                                                     and y["close O"] >= y["move U"])))
    assert close(best, 6_090_000)
    programme = case.programme("both")
    assert close(programme.npv_cost, 6_090_000)
    assert year_of(programme, "move", team="U") == 2


def test_a_plan_that_mends_too_late_is_refused_naming_its_build(tmp_path: Path) -> None:
    """The snapshot covers Z2 with the cheap D, three years to build, where C could open
    in year 2: the roadmap of the plan's changes cannot cover Z2 from year 2, and says
    so, naming both; the exact model over all years builds C in year 1 instead: K's
    £100k and T's £500k a year, C's £90k for years 2-5, its £50k: £3.41m."""
    case = plan_case(tmp_path, [
        site("K", "A", 0, 0, desks=50, must_keep=True, services=[PUBLIC]),
        site("C", "A", 30, 0, desks=10, running_cost=90_000, candidate=True,
             build_cost=50_000, build_years=2, services=[PUBLIC]),
        site("D", "A", 31, 0, desks=10, running_cost=10_000, candidate=True,
             build_cost=50_000, build_years=3, services=[PUBLIC]),
    ], [function("T", "A", "Ops", "K", fte=20, desks=20)],
        zones=[zone("Z1", 0, 0), zone("Z2", 30.5, 0)], horizon_years=H, coverage=ACCESS)
    assert named(case) == ["build D"]
    with pytest.raises(InfeasibleError) as caught:
        case.programme("roadmap")
    said = " ".join(caught.value.reasons)
    assert "zone Z2 has no public_access within 5 km today; a programme could give it one " \
        "from year 2, but the plan's build there, D, opens in year 3 at the earliest" in said
    assert "no schedule of the plan's changes" not in said
    assert caught.value.keys == ("sites.build_years", "functions.earliest_move")
    programme = case.programme("both")
    assert programme.method == "joint" and close(programme.npv_cost, 3_410_000)
    assert year_of(programme, "build", "C") == 1 and year_of(programme, "open", "C") == 2


def test_a_crowd_the_plan_moves_too_late_is_named(tmp_path: Path) -> None:
    """The snapshot sends T to the cheap D (three years to build) where C could take it
    from year 2: the reason names K's desks, year 2 and T's move to D in year 3."""
    case = moved_late(tmp_path)
    with pytest.raises(InfeasibleError) as caught:
        case.programme("roadmap")
    said = " ".join(caught.value.reasons)
    assert "K holds 20 desks' worth of teams for its 10 today; a programme could make room " \
        "there by year 2, but the plan's moves only by year 3 (T to D in year 3 at the " \
        "earliest)" in said, said
    # year 1 K £100k, years 2-5 C £90k, T £500k a year, C's £50k
    assert close(case.programme("both").npv_cost, 600_000 + 4 * 590_000 + 50_000)


def test_limits_that_hold_back_the_mend_say_from_when_the_rule_must_hold(
        tmp_path: Path) -> None:
    """With £40k a year, C (£50k) can never be built, so Z2 cannot be covered from year
    2: the reason names the limit and the year the rule must hold from."""
    case = uncovered(tmp_path, programme={"max_one_off_per_year": 40_000})
    with pytest.raises(InfeasibleError) as caught:
        case.programme("roadmap")
    said = " ".join(caught.value.reasons)
    assert "programme.max_one_off_per_year = £40.0k" in said, said
    assert "must hold from the first year a programme could meet it: zone Z2 with " \
        "public_access within 5 km from year 2" in said, said


def test_a_team_pools_at_home_only_once_its_centre_could_have_enough_agencies(
        tmp_path: Path) -> None:
    """S1 (18 desks) holds X (A1 HR, 10 desks, may move from year 4) and W (A1 IT, 10
    desks, may not move within the horizon): 20 desks today. Pooling X's HR at S1 would
    shed 2 desks, but its centre needs two agencies and A2's only HR team, Y, may not
    move before year 4 either: nothing at S1 can shed a desk before year 4, so its room
    holds from year 4 (20 desks until then, as today), and the plan is scheduled."""
    case = plan_case(tmp_path, [
        site("S1", "A1", 0, 0, desks=18, running_cost=100_000, must_keep=True),
        site("S2", "A2", 1, 0, desks=30, running_cost=500_000),
        site("S3", "A1", 0, 1, desks=20, running_cost=100_000, must_keep=True),
    ], [function("X", "A1", "HR", "S1", fte=10, desks=10, annual_cost=1_000_000,
                 earliest_move="2030-04-01"),
        function("W", "A1", "IT", "S1", fte=10, desks=10, annual_cost=100_000,
                 earliest_move="2040-04-01"),
        function("Y", "A2", "HR", "S2", fte=5, desks=5, annual_cost=1_000_000,
                 earliest_move="2030-04-01")],
        agencies=("A1", "A2"), horizon_years=H,
        sharing={"types": ["HR"], "efficiency": 0.2, "setup_cost": 10_000.0,
                 "min_agencies": 2})
    grace = grace_of(case.prep, case.model, H)
    assert grace.first["desks"].tolist() == [4, 1, 1]
    programme = case.programme()
    assert year_of(programme, "move", team="X") == 4
    assert any(note.startswith("S1 holds 20 desks' worth of teams for its 18 in years 1-3")
               for note in programme.notes), programme.notes


def test_a_team_is_not_counted_as_leaving_for_a_site_the_policy_closes(
        tmp_path: Path) -> None:
    """S1 (18 desks) holds X (HR, 10 desks, may move from year 4) and W (IT, 10 desks);
    W's only other site, S4, is one policy.close shuts, and S3 hosts HR only. So W
    never leaves, X from year 4: S1's room holds from year 4, and the note says why W
    cannot leave."""
    case = plan_case(tmp_path, [
        site("S1", "A1", 0, 0, desks=18, running_cost=100_000, must_keep=True),
        site("S3", "A1", 0, 1, desks=20, running_cost=100_000, must_keep=True,
             hosts=["HR"]),
        site("S4", "A1", 1, 0, desks=30, running_cost=100_000),
    ], [function("X", "A1", "HR", "S1", fte=10, desks=10, annual_cost=1_000_000,
                 earliest_move="2030-04-01"),
        function("W", "A1", "IT", "S1", fte=10, desks=10, annual_cost=100_000)],
        agencies=("A1",), horizon_years=H, policy={"close": ["S4"]})
    grace = grace_of(case.prep, case.model, H)
    assert grace.first["desks"].tolist()[0] == 4
    programme = case.programme()
    assert year_of(programme, "move", team="X") == 4
    assert any("W has no other site it may use that the policy leaves open" in note
               for note in programme.notes), programme.notes


def _count_graces(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every call of grace_of, under whichever name a module of estate.programme holds
    it, is counted (one entry per call)."""
    calls: list[int] = []

    def counted(*args: Any) -> Any:
        calls.append(1)
        return grace_of(*args)

    for name, module in list(sys.modules.items()):
        if name.startswith("estate.programme") and getattr(module, "grace_of", None) \
                is grace_of:
            monkeypatch.setattr(module, "grace_of", counted)
    return calls


def test_a_programme_reads_the_years_rules_hold_from_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The years from which each rule broken today holds are worked out once per
    programme, however many models and re-checks read them: with both methods and a
    yearly limit (so the roadmap runs again without it, for the price of the limits),
    and when no programme exists (the reasons' deadlines)."""
    calls = _count_graces(monkeypatch)
    limited = crowded(tmp_path / "limited")
    limited.limits = replace(limited.limits, max_one_off_per_year=(1e9,) * H)
    programme = limited.programme("both")
    assert programme.unlimited_saving is not None and programme.joint_npv is not None
    assert len(calls) == 1
    calls.clear()
    late = moved_late(tmp_path / "late")
    with pytest.raises(InfeasibleError):
        late.programme("roadmap")
    assert len(calls) == 1


def test_a_crowd_the_plan_pools_away_too_late_names_the_centre_s_first_year(
        tmp_path: Path) -> None:
    """K (18 desks) holds X (A1 HR, 10 desks) and W (A1 IT, 10 desks): 20 today. W
    could leave for the annex D, three years to build, so a programme could make room
    at K by year 3 (X has nowhere nearer: S2's 5 desks cannot take it). The plan builds
    no D: it pools X's HR at K (shedding its 2 desks) with A2's Y (no desks), who may
    not move there before year 4, and a centre needs both agencies: K holds 20 desks
    until year 4, and no schedule exists. The reason says year 4, the centre's first;
    it used to count X's pooling from year 1, and so gave no reason for K at all."""
    case = plan_case(tmp_path, [
        site("K", "A1", 0, 0, desks=18, running_cost=100_000, must_keep=True),
        site("S2", "A2", 1, 0, desks=5, running_cost=100_000),
        site("D", "A1", 0, 1, desks=20, running_cost=100_000, candidate=True,
             build_cost=5_000_000, build_years=3),
    ], [function("X", "A1", "HR", "K", fte=10, desks=10, annual_cost=1_000_000),
        function("W", "A1", "IT", "K", fte=10, desks=10, annual_cost=100_000),
        function("Y", "A2", "HR", "S2", fte=5, desks=0, annual_cost=1_000_000,
                 earliest_move="2030-04-01")],
        agencies=("A1", "A2"), horizon_years=H,
        sharing={"types": ["HR"], "efficiency": 0.2, "setup_cost": 10_000.0,
                 "min_agencies": 2})
    assert sorted(named(case)) == ["centre K", "close S2", "move Y"]
    grace = case.grace()
    [k] = site_rows(case.prep, "K")
    assert grace.first["desks"].tolist()[k] == 3
    assert dict(zip(case.prep.functions["function_id"], grace.pools_from.tolist(),
                    strict=True)) == {"X": 4, "W": 6, "Y": 6}
    with pytest.raises(InfeasibleError) as caught:
        case.programme("roadmap")
    said = " ".join(caught.value.reasons)
    assert "K holds 20 desks' worth of teams for its 18 today; a programme could make room " \
        "there by year 3, but the plan's moves and pooling only by year 4 (X pools at K " \
        "from year 4 at the earliest)" in said, said
