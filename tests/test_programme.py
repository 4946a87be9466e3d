"""The dated programme (estate.programme): hand-worked schedules, the roadmap against a
brute force over every schedule, the cash flow against the NPV, and the lease-aware
snapshot against the programme. The registers and the oracle are in
`tests.fixtures.programme_registers`; the joint model is tested in test_joint.py."""

from __future__ import annotations

import html
import itertools
import json
import math
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import estate
from estate.errors import InfeasibleError
from estate.load.scenario import scenario_from_dict
from estate.maps.timeline import year_figures
from estate.model.costs import closing_booked_early
from estate.pipeline import plan_locality
from estate.programme.cashflow import npv_of_cost
from estate.programme.changes import Changes
from estate.programme.roadmap import solve_roadmap
from estate.render.programme_chart import figures as mark_figures
from estate.render.report_data import Text, read_results
from estate.render.report_optional import dated_words, programme_page
from estate.render.report_pages import _headline, decision
from estate.render.text import summary_lines
from estate.results import Programme, money, solved_state
from estate.results.payback import dated_payback_words
from estate.store import (
    check_results,
    read_programme,
    read_summary,
    write_results,
    write_summary,
)
from estate.timing import earliest_closing
from tests.fixtures.programme_registers import (
    EXACT,
    START,
    Case,
    budget_case,
    close,
    late_sale_case,
    lease_case,
    leases_register,
    plan_case,
    policy_register,
    site_rows,
    small_register,
    year_of,
)
from tests.fixtures.register import agency, function, site, write_register, zone
from tests.fixtures.scenario import scenario

# -- hand-worked cases -------------------------------------------------------------------


def test_a_team_left_at_a_closed_site_breaks_the_rules(tmp_path: Path) -> None:
    """The oracle names a team (even one without desks) still at a site closed that year:
    the policy register's X closed with V, which needs no desks, never moved (every
    change in year 2 but the placing of U, which has no site today, in its year 1)."""
    case = policy_register(tmp_path)
    changes = case.changes()
    ids = case.prep.functions["function_id"].to_numpy()
    team = changes.table["team"].to_numpy()
    moves = (changes.table["kind"] == "move").to_numpy()
    without = Changes(changes.table[~(moves & (team == list(ids).index("V")))]
                      .reset_index(drop=True), changes.end, changes.pooled)

    def years(of: Changes) -> np.ndarray:
        new = (of.table["kind"] == "move").to_numpy() & (of.table["team"] == list(ids).index("U"))
        return np.where(new, 1, 2)

    assert any("which is closed" in b for b in case.broken(without, years(without)))
    assert case.broken(changes, years(changes)) == []
    assert any("after its first year" in b for b in case.broken(changes, np.full(len(changes), 2)))


def test_a_lease_with_four_years_left_closes_in_year_4(tmp_path: Path) -> None:
    programme = lease_case(tmp_path).programme()
    assert year_of(programme, "close", "L") == 4
    assert year_of(programme, "move", team="T") == 4


@pytest.mark.parametrize("lease_end", ["2027-03-31", "2027-04-01"])
def test_a_lease_over_by_the_start_owes_nothing_and_an_earlier_end_is_named(
        tmp_path: Path, lease_end: str) -> None:
    """L's lease ends the day before START or on it: either way closing L owes no rent,
    so it closes in year 1. Only an end before START is suspicious (a renewal the
    register missed), and a warning at L's row (row 2) gives the date."""
    case = plan_case(tmp_path, [
        site("L", "A", 0, 0, desks=50, running_cost=100_000, tenure="leasehold",
             lease_end=lease_end, closure_cost=50_000),
        site("K", "A", 1, 0, desks=200, running_cost=100_000, must_keep=True),
    ], [function("T", "A", "Ops", "L", fte=40, desks=40)], discount_rate=0.05)
    programme = case.programme()
    assert year_of(programme, "close", "L") == 1
    assert programme.totals()["rent"].sum() == 0.0
    warned = [str(w) for w in case.prep.warnings if w.column == "lease_end"]
    if lease_end < START:
        assert warned == [
            "sites.csv row 2, column lease_end: expected a date on or after start "
            "(2027-04-01), or none for a lease that has no end date, found 2027-03-31: "
            "the lease of L has ended by then, so closing it is taken to owe no rent; if "
            "it was renewed, enter the new end date"]
    else:
        assert warned == []


def test_an_ended_lease_is_named_only_where_the_plan_may_close_the_site(tmp_path: Path
                                                                        ) -> None:
    """K is kept by policy, so its lease's end decides nothing; F is freehold, whose
    stray lease_end has a warning of its own: neither is named as an ended lease."""
    case = plan_case(tmp_path, [
        site("K", "A", 0, 0, desks=100, tenure="leasehold", lease_end="2020-01-01",
             must_keep=True),
        site("F", "A", 1, 0, desks=50, lease_end="2020-01-01"),
    ], [function("T", "A", "Ops", "K", desks=40)])
    assert not [w for w in case.prep.warnings if "has ended by then" in w.found]


def test_a_cheap_surrender_closes_the_lease_in_year_1(tmp_path: Path) -> None:
    case = lease_case(tmp_path, surrender=150_000)
    [lease] = site_rows(case.prep, "L")
    assert case.prep.exits is not None and case.prep.exits.surrender[lease, 1]
    programme = case.programme()
    assert year_of(programme, "close", "L") == 1
    assert year_of(programme, "move", team="T") == 1
    # the surrender is paid as L closes, and no rent is owed after it
    assert programme.actions.query("action == 'close'")["one_off"].iloc[0] == 200_000
    assert programme.totals()["rent"].sum() == 0.0


def test_a_budget_of_half_the_one_off_spend_spreads_the_changes_over_two_years(
        tmp_path: Path) -> None:
    free = budget_case(tmp_path / "free", None).programme()
    assert (year_of(free, "close", "A1"), year_of(free, "close", "A2")) == (1, 1)
    tight = budget_case(tmp_path / "tight", 100_000).programme()
    assert (year_of(tight, "close", "A1"), year_of(tight, "close", "A2")) == (1, 2)
    assert list(tight.budget["one_off"][:3]) == [100_000, 100_000, 0]
    assert list(tight.budget["one_off_limit"][:2]) == [100_000, 100_000]


def test_the_price_of_the_yearly_limits_is_the_saving_they_hold_back(tmp_path: Path) -> None:
    """r = 0, 5 years: without a budget both offices close in year 1 (5 x £200k + 5 x
    £150k - £200k = £1,550k); with £100k a year A2 waits a year (£1,400k). The limits
    cost £150k, the saving of the same register planned without them."""
    free = budget_case(tmp_path / "free", None).programme(method="roadmap")
    assert free.unlimited_saving is None  # no limits, nothing to price
    assert free.npv_saving == pytest.approx(1_550_000)
    tight = budget_case(tmp_path / "tight", 100_000).programme(method="roadmap")
    assert tight.npv_saving == pytest.approx(1_400_000)
    assert tight.unlimited_saving == pytest.approx(free.npv_saving)
    assert tight.figures().unlimited_saving == 1_550_000


def test_the_scenario_cap_on_one_off_spend_holds_over_the_whole_programme(
        tmp_path: Path) -> None:
    """With max_one_off = £100k the snapshot closes only A1; a yearly budget of £100k
    would allow A2 in year 2, but not within the scenario's cap on the whole."""
    case = budget_case(tmp_path, 100_000, max_one_off=100_000)
    programme = case.programme()
    assert list(programme.actions.query("action == 'close'")["site_id"]) == ["A1"]
    assert programme.joint_npv is not None and programme.roadmap_npv is not None
    assert close(programme.joint_npv, programme.roadmap_npv)


def test_a_hub_with_build_years_2_receives_its_teams_in_year_2(tmp_path: Path) -> None:
    """The hub C (£100k to build, £50k a year) replaces the office O (£300k a year); it
    is decided in year 1, opens in year 2, and O's team moves, and O closes, then."""
    programme = plan_case(tmp_path, [
        site("O", "A", 0, 0, running_cost=300_000),
        site("C", "A", 1, 0, running_cost=50_000, candidate=True, build_cost=100_000,
             build_years=2),
    ], [function("T", "A", "Ops", "O", desks=50)], horizon_years=5).programme()
    assert year_of(programme, "build", "C") == 1
    assert year_of(programme, "open", "C") == 2
    assert year_of(programme, "move", team="T") == 2
    assert year_of(programme, "close", "O") == 2


def test_a_team_with_earliest_move_waits(tmp_path: Path) -> None:
    """T1 cannot move before 1 June 2029, in year 3: it moves as year 4 begins (a move in
    year 3 would book that whole year's saving); T2 may move at once."""
    programme = plan_case(tmp_path, [
        site("O1", "A", 0, 0), site("O2", "A", 0, 1),
        site("K", "A", 1, 0, desks=500, running_cost=0, must_keep=True),
    ], [function("T1", "A", "Ops", "O1", earliest_move="2029-06-01"),
        function("T2", "A", "Ops", "O2")], horizon_years=5).programme()
    assert (year_of(programme, "move", team="T1"), year_of(programme, "close", "O1")) == (4, 4)
    assert programme.actions.loc[programme.actions["function_id"] == "T1", "date"].tolist() \
        == ["2030-04-01"]
    assert (year_of(programme, "move", team="T2"), year_of(programme, "close", "O2")) == (1, 1)


def test_the_changes_left_out_are_named(tmp_path: Path) -> None:
    """One closure a year and a horizon of one year: O2 (the cheaper to run) never
    closes, so its team never moves: the note names both changes, so a reader knows
    which teams stay put."""
    programme = plan_case(tmp_path, [
        site("O1", "A", 0, 0, running_cost=200_000), site("O2", "A", 0, 1),
        site("K", "A", 1, 0, desks=500, running_cost=0, must_keep=True),
    ], [function("T1", "A", "Ops", "O1"), function("T2", "A", "Ops", "O2")],
        horizon_years=1, programme={"max_closures_per_year": 1},
        relocation={"cost_per_fte": 100.0}).programme()
    assert year_of(programme, "move", team="T1") == 1
    assert programme.notes[0] == ("2 of the 4 changes do not happen within the "
                                  "horizon, as they cannot or do not pay within it: close O2, "
                                  "move T2 to K")


@pytest.mark.parametrize("fte", [30, 40])
def test_a_team_bigger_than_a_years_moves_is_named(tmp_path: Path, fte: int) -> None:
    """At most 35 FTE may move a year: T1 of 40 FTE can move in no year, so O1 stays
    open and a note says why; at 30 FTE it moves and no such note is made."""
    programme = plan_case(tmp_path, [
        site("O1", "A", 0, 0), site("K", "A", 1, 0, desks=500, running_cost=0,
                                    must_keep=True),
    ], [function("T1", "A", "Ops", "O1", fte=fte)], horizon_years=3,
        programme={"max_fte_moved_per_year": 35}).programme()
    said = [n for n in programme.notes if "max_fte_moved_per_year" in n]
    if fte <= 35:
        assert year_of(programme, "move", team="T1") == 1 and said == []
    else:
        assert len(programme.actions) == 0
        assert said == ["T1 (40 FTE) is more than programme.max_fte_moved_per_year (35 FTE) "
                        "and cannot move in any one year"]


def test_a_team_no_programme_can_move_stays_home_in_the_snapshot(tmp_path: Path) -> None:
    """B's HR team may not move before 2040, past the three-year horizon: the snapshot
    cannot move it to S to pool with A's (a saving no programme can realise), and P is
    too small for both pooled teams, so no centre opens and P stays."""
    case = plan_case(tmp_path, [
        site("S", "A", 0, 0, desks=200, running_cost=50_000, must_keep=True),
        site("P", "B", 0, 1, desks=50, running_cost=120_000, closure_cost=10_000),
    ], [function("HA", "A", "HR", "S", desks=40),
        function("HB", "B", "HR", "P", desks=40, earliest_move="2040-01-01")],
        agencies=("A", "B"), horizon_years=3, discount_rate=0.02,
        sharing={"types": ["HR"], "efficiency": 0.2, "setup_cost": 50_000.0,
                 "min_agencies": 2})
    summary = case.plan.summary
    assert (summary.shared_centres, summary.sites_closed) == (0, 0)
    assert summary.npv_saving == pytest.approx(0.0, abs=0.01)


def test_a_site_no_programme_can_close_is_kept_by_the_snapshot(tmp_path: Path) -> None:
    """O1's team may not move within the two-year horizon, so no programme can close O1:
    the snapshot keeps it, with T1 in it, and closes O2; a warning at T1's row says why
    (it would have to be free by 1 April 2028, when year 2 begins)."""
    case = plan_case(tmp_path, [
        site("O1", "A", 0, 0), site("O2", "A", 0, 1),
        site("K", "A", 1, 0, desks=500, running_cost=0, must_keep=True),
    ], [function("T1", "A", "Ops", "O1", earliest_move="2029-06-01"),
        function("T2", "A", "Ops", "O2")], horizon_years=2)
    plan = case.plan
    assert [str(w) for w in case.prep.warnings if w.column == "earliest_move"] == [
        "functions.csv row 2, column earliest_move: expected a date by 2028-04-01, the start "
        "of the horizon's last year, for the team to move within it, found 2029-06-01: T1 "
        "stays at O1 in every plan"]
    decisions = dict(zip(plan.sites["site_id"], plan.sites["decision"], strict=True))
    assert (decisions["O1"], decisions["O2"]) == ("keep", "close")
    placed = dict(zip(plan.assignments["function_id"], plan.assignments["to_site"],
                      strict=True))
    assert placed["T1"] == "O1"  # it has no other site to go to (T2 joins it there)


@pytest.mark.parametrize("method", ["roadmap", "both"])
@pytest.mark.parametrize("limits", [{}, {"max_fte_moved_per_year": 400}])
def test_a_new_team_that_may_not_move_within_the_horizon_is_named(
        tmp_path: Path, method: str, limits: dict[str, float]) -> None:
    """N has no site today, so every programme must place it, but it may not move before
    2035, after the three-year horizon: no programme exists, and the reason names the
    team and its date, not the yearly limits, set or not: no limit makes that year."""
    case = plan_case(tmp_path, [site("K", "A", 0, 0, desks=500, must_keep=True)],
                     [function("T", "A", "Ops", "K"),
                      function("N", "A", "Ops", "", earliest_move="2035-01-01")],
                     horizon_years=3, programme=limits)
    with pytest.raises(InfeasibleError) as caught:
        case.programme(method)
    assert caught.value.exit_code == 2
    said = " ".join(caught.value.reasons)
    assert "team N has no site today" in said and "2035-01-01" in said, said
    assert "2030-03-31" in said and "yearly limits" not in said, said
    assert "is after 2029-04-01, when the horizon's last year begins" in said, said
    # what relaxes it: the team's date or a longer horizon, never a limit
    assert caught.value.keys == ("functions.earliest_move", "horizon_years")
    # the plan made without a programme says so at the team's row
    assert [str(w) for w in case.prep.warnings if w.column == "earliest_move"] == [
        "functions.csv row 3, column earliest_move: expected a date by 2029-04-01, the start "
        "of the horizon's last year, for the team to be housed within it, found 2035-01-01: "
        "N has no site today and no programme can house it within the horizon: the plan "
        "houses it, its cost counted from year 1, and a dated programme (--programme) "
        "refuses the plan for it"]


@pytest.mark.parametrize("method", ["roadmap", "both"])
@pytest.mark.parametrize(("earliest_move", "year"), [("", 1), ("2029-04-01", 3)])
def test_a_new_team_is_placed_in_its_first_year(tmp_path: Path, method: str,
                                                earliest_move: str, year: int) -> None:
    """U has no site today and costs £50k a year wherever it sits; K has room for it.
    Worked by hand at r = 0 over 5 years: O closes in year 1 (saving £80k a year, £400k)
    and U is placed at K in its first year, year 1 (£250k), or year 3 when it may not
    move before 2029-04-01 (£150k). Placing it in year 5 would cost £50k and book the
    years before as saved: £350k against the snapshot's £150k."""
    case = plan_case(tmp_path, [
        site("O", "A", 0, 0, running_cost=80_000),
        site("K", "A", 1, 0, desks=500, running_cost=0, must_keep=True),
    ], [function("T", "A", "Ops", "O"),
        function("U", "A", "Ops", "", annual_cost=50_000, earliest_move=earliest_move)],
        horizon_years=5, discount_rate=0.0)
    assert case.plan.summary.npv_saving == pytest.approx(150_000)
    programme = case.programme(method)
    assert year_of(programme, "move", team="U") == year
    assert programme.npv_saving == pytest.approx(400_000 - 50_000 * (6 - year))


def test_a_new_team_sits_where_it_can_from_its_first_year(tmp_path: Path) -> None:
    """U has no site today. The hub C (cheap to run, two years to build) would take T
    and U, and K could close; but U is placed in year 1, before C opens, so the plan
    keeps it at K (which has room) and the programme places it there in year 1."""
    case = plan_case(tmp_path, [
        site("K", "A", 0, 0, desks=100, running_cost=100_000),
        site("C", "A", 1, 0, desks=200, running_cost=10_000, candidate=True, build_years=2),
    ], [function("T", "A", "Ops", "K", desks=10), function("U", "A", "Ops", "", desks=40)],
        horizon_years=3)
    placed = dict(zip(case.plan.assignments["function_id"], case.plan.assignments["to_site"],
                      strict=True))
    assert placed["U"] == "K"
    programme = case.programme()
    assert year_of(programme, "move", team="U") == 1


def test_a_new_team_whose_only_sites_are_still_to_be_built_is_named(tmp_path: Path) -> None:
    """Only the hub C, two years to build, has room for U, which has no site today: no
    programme can place it in its first year, so the scenario has no plan, and the
    reason says when C opens and what to set. Set so, U is placed at C as it opens."""
    sites = [site("K", "A", 0, 0, desks=10, must_keep=True),
             site("C", "A", 1, 0, desks=200, candidate=True, build_years=2)]
    with pytest.raises(InfeasibleError) as caught:
        plan_case(tmp_path / "now", sites, [function("T", "A", "Ops", "K", desks=10),
                                            function("U", "A", "Ops", "", desks=40)],
                  horizon_years=3)
    said = " ".join(caught.value.reasons)
    assert "function U (A Ops) has no site today" in said and "from 2027-04-01" in said, said
    assert "C Site C, opens on 2028-04-01" in said and "earliest_move to 2028-04-01" in said
    later = plan_case(tmp_path / "later", sites, [
        function("T", "A", "Ops", "K", desks=10),
        function("U", "A", "Ops", "", desks=40, earliest_move="2028-04-01")], horizon_years=3)
    programme = later.programme()
    assert (year_of(programme, "build", "C"), year_of(programme, "move", team="U")) == (1, 2)


@pytest.mark.parametrize("method", ["roadmap", "both"])
def test_a_new_team_at_a_site_full_until_a_build_opens_is_named(tmp_path: Path,
                                                                  method: str) -> None:
    """The plan sends T from K to the hub C (two years to build) and places U, which
    has no site today, at K, where it fits only once T has left: U's year 1 comes
    before C opens, so no programme exists, and the reason names U, K and the date."""
    case = plan_case(tmp_path, [
        site("K", "A", 0, 0, desks=50, must_keep=True),
        site("C", "A", 1, 0, desks=200, running_cost=10_000, candidate=True, build_years=2),
    ], [function("T", "A", "Ops", "K", desks=40), function("U", "A", "Ops", "", desks=40)],
        horizon_years=3)
    placed = dict(zip(case.plan.assignments["function_id"], case.plan.assignments["to_site"],
                      strict=True))
    assert placed == {"T": "C", "U": "K"}
    with pytest.raises(InfeasibleError) as caught:
        case.programme(method)
    said = " ".join(caught.value.reasons)
    assert "team U has no site today, so it is placed at K in its first year, from " \
        "2027-04-01" in said and "earliest_move" in said, said
    assert "yearly limits" not in said, said
    assert caught.value.keys == ("functions.earliest_move",)


def test_a_new_split_team_whose_room_is_still_to_be_built_is_named(tmp_path: Path) -> None:
    """With split teams, the checks before solving count any site as a place for U;
    the elastic model finds it unhoused, and the reason is the same as without split."""
    with pytest.raises(InfeasibleError) as caught:
        plan_case(tmp_path, [
            site("K", "A", 0, 0, desks=10, must_keep=True),
            site("C", "A", 5, 0, desks=200, candidate=True, build_years=2),
        ], [function("T", "A", "Ops", "K", desks=10),
            function("U", "A", "Ops", "", desks=40)], horizon_years=3,
            assignment={"split": True})
    said = " ".join(caught.value.reasons)
    assert "function U (A Ops) has no site today" in said, said
    assert "opens on 2028-04-01" in said and "km of home" not in said, said


def test_a_new_team_whose_only_site_opens_after_the_horizon_is_named(tmp_path: Path
                                                                      ) -> None:
    """C, the only site with room for U, takes five years to build: no earliest_move
    within the three-year horizon helps, and the reason does not suggest one."""
    with pytest.raises(InfeasibleError) as caught:
        plan_case(tmp_path, [
            site("K", "A", 0, 0, desks=10, must_keep=True),
            site("C", "A", 1, 0, desks=200, candidate=True, build_years=5),
        ], [function("T", "A", "Ops", "K", desks=10),
            function("U", "A", "Ops", "", desks=40)], horizon_years=3)
    said = " ".join(caught.value.reasons)
    assert "none opens within the 3-year horizon" in said, said
    assert "earliest_move to" not in said, said


@pytest.mark.parametrize("build_years", [3, 4])
def test_a_build_that_cannot_open_within_the_horizon_is_left_unbuilt(tmp_path: Path,
                                                                     build_years: int) -> None:
    """Closing O (£1m a year) for the candidate C (£100k a year) pays in any year, so the
    snapshot builds C when it can open within the three years (decided in year 1, open in
    year build_years); taking four years it opens in no programme, and the snapshot must
    not count its saving: C unbuilt, O kept, and a warning at C's row."""
    case = plan_case(tmp_path, [
        site("K", "A", 0, 0, desks=10, must_keep=True),
        site("O", "A", 1, 0, desks=100, running_cost=1_000_000),
        site("C", "A", 2, 0, desks=100, candidate=True, build_years=build_years),
    ], [function("T", "A", "Ops", "O", desks=50)], horizon_years=3)
    decision = case.plan.sites.set_index("site_id")["decision"]
    warned = [str(w) for w in case.prep.warnings if w.column == "build_years"]
    if build_years <= 3:
        assert (decision["C"], decision["O"]) == ("open", "close")
        assert warned == []
    else:
        assert (decision["C"], decision["O"]) == ("not_built", "keep"), decision
        assert case.plan.summary.npv_saving == pytest.approx(0.0, abs=1e-6)
        assert warned == ["sites.csv row 4, column build_years: expected a build that opens "
                          "within horizon_years (3), found 4 years: C is left unbuilt in "
                          "every plan"]


def _kept_build(folder: Path, build_years: int) -> tuple[list[dict[str, Any]],
                                                        list[dict[str, Any]]]:
    """O (£1m a year) and the candidate C (`build_years` to build), which the policy keeps;
    T may move from O to C."""
    return [site("K", "A", 0, 0, desks=10, must_keep=True),
            site("O", "A", 1, 0, desks=100, running_cost=1_000_000),
            site("C", "A", 2, 0, desks=100, candidate=True, build_years=build_years)], [
        function("T", "A", "Ops", "O", desks=50)]


def test_a_build_the_policy_keeps_past_the_horizon_is_named(tmp_path: Path) -> None:
    """The policy keeps C, which takes four years to build: every plan builds it as told,
    and no programme can open it, so a scheduled scenario is refused before any search,
    naming C; planned without a programme, C is built and a warning at its row says no
    programme opens it (it was said to be left unbuilt, or nothing was said)."""
    sites, functions = _kept_build(tmp_path, 4)
    with pytest.raises(InfeasibleError) as caught:
        plan_case(tmp_path, sites, functions, horizon_years=3, policy={"keep": ["C"]})
    said = " ".join(caught.value.reasons)
    assert "C must be built (policy.keep), but takes 4 years to build, more than " \
        "horizon_years (3): no programme opens it within the horizon" in said, said
    assert caught.value.keys == ("policy.keep", "sites.build_years", "horizon_years")
    plan = plan_case(tmp_path, sites, functions, horizon_years=3, policy={"keep": ["C"]},
                     scheduled=False).plan
    assert plan.sites.set_index("site_id").at["C", "decision"] == "open"
    assert plan.prepared is not None
    assert [str(w) for w in plan.prepared.warnings if w.column == "build_years"] == [
        "sites.csv row 4, column build_years: expected a build that opens within "
        "horizon_years (3), found 4 years: C is kept by the policy, so every plan builds it, "
        "but no programme opens it within the horizon: a plan's savings from it cannot be "
        "realised, and a dated programme (--programme, [programme]) has no schedule"]


def test_an_unscheduled_plan_says_the_closing_it_books_before_its_zones_are_covered(
        tmp_path: Path) -> None:
    """O (£300k a year) is the only site offering public access within 5 km of the town
    Z, a rule to maintain; the candidate C beside it (£50k a year, two years to build)
    offers it too, and O's team may move to the kept K at once. Not scheduled, the
    snapshot prices O's closing from year 1, when its team may leave, but Z has no other
    counter until C opens in year 2: no programme closes O before then, and a year of its
    running cost (£300k at r = 0) is booked early: the plan's NPV saving leaves it out,
    as the programme's does, and a warning says so."""
    counter = {"services": ["public_access"]}
    sites = [site("O", "A", 0, 0, desks=10, running_cost=300_000, **counter),
             site("C", "A", 0.1, 0, desks=20, running_cost=50_000, candidate=True,
                  build_cost=50_000, build_years=2, **counter),
             site("K", "A", 30, 0, desks=50, must_keep=True)]
    case = plan_case(tmp_path, sites, [function("T", "A", "Ops", "O", fte=5, desks=5)],
                     zones=[zone("Z", 0, 0)], horizon_years=4, discount_rate=0.0,
                     relocation={"cost_per_fte": 1000.0, "max_km": 80.0},
                     coverage=[{"service": "public_access", "radius_km": 5,
                                "mode": "maintain"}])
    bare_model, bare = plan_locality(replace(case.prep.scenario, programme=None))
    assert dict(zip(bare.sites["site_id"], bare.sites["decision"], strict=True)) == {
        "O": "close", "C": "open", "K": "keep"}
    assert bare.prepared is not None and bare.solution is not None
    state = solved_state(bare.prepared, bare_model, bare.solution.values)
    early = closing_booked_early(bare.prepared, state.share, state.open)
    assert early.amount == pytest.approx(300_000, abs=0.01)
    assert (early.for_teams, early.for_zones) == ([], site_rows(bare.prepared, "O"))
    said = [str(w) for w in bare.warnings if w.column == "programme"]
    assert len(said) == 1 and "leaves out £300.0k of closing O before the sites that cover " \
        "its zones in its place are open" in said[0], said
    assert bare.summary.booked_early_npv == pytest.approx(300_000, abs=0.01)
    dated = estate.plan(case.prep.scenario, write=False).summary
    assert dated.npv_saving == pytest.approx(bare.summary.npv_saving, abs=0.01)
    assert bare.summary.npv_saving == pytest.approx(
        bare.summary.status_quo_npv - bare.summary.objective_npv - 300_000, abs=0.01)


def test_one_counter_waits_for_a_zone_not_every_one(tmp_path: Path) -> None:
    """O1 (£300k) and O2 (£100k) both offer public access to the town Z, which the
    candidate C will cover from year 2; both teams may move to K at once. One counter
    must stay open until C opens, and the cheaper one does: £100k booked early (r = 0),
    O2 named, as the dated programme shows (it held both, £400k)."""
    counter = {"services": ["public_access"]}
    sites = [site("O1", "A", 0, 0, desks=10, running_cost=300_000, **counter),
             site("O2", "A", 0.1, 0, desks=10, running_cost=100_000, **counter),
             site("C", "A", 0.2, 0, desks=20, running_cost=50_000, candidate=True,
                  build_cost=50_000, build_years=2, **counter),
             site("K", "A", 30, 0, desks=50, must_keep=True)]
    teams = [function("T1", "A", "Ops", "O1", fte=5, desks=5),
             function("T2", "A", "Ops", "O2", fte=5, desks=5)]
    rules = {"zones": [zone("Z", 0, 0)], "horizon_years": 4, "discount_rate": 0.0,
             "relocation": {"cost_per_fte": 1000.0, "max_km": 80.0},
             "coverage": [{"service": "public_access", "radius_km": 5, "mode": "maintain"}]}
    bare = _waits_as_the_programme_shows(tmp_path, sites, teams, rules, 100_000, ["O2"])
    assert dict(zip(bare.plan.sites["site_id"], bare.plan.sites["decision"], strict=True)) == {
        "O1": "close", "O2": "close", "C": "open", "K": "keep"}


def _waits_as_the_programme_shows(folder: Path, sites: list[dict[str, Any]],
                                  teams: list[dict[str, Any]], rules: dict[str, Any],
                                  early: float, held: list[str]) -> Case:
    """The register planned unscheduled: its closing waits book `early` pounds, holding
    the sites `held` for zones, which its NPV saving leaves out; planned with a
    programme, it saves as much, `early` less than the snapshot's objective counts."""
    bare = plan_case(folder / "bare", sites, teams, scheduled=False, **rules)
    state = solved_state(bare.prep, bare.model, bare.plan.solution.values)
    booked = closing_booked_early(bare.prep, state.share, state.open)
    assert booked.amount == pytest.approx(early, abs=0.01)
    assert (booked.for_teams, booked.for_zones) == ([], site_rows(bare.prep, *held))
    s = bare.plan.summary
    assert s.npv_saving == pytest.approx(s.status_quo_npv - s.objective_npv - early, abs=0.01)
    dated = plan_case(folder / "dated", sites, teams, **rules)
    assert dated.programme().npv_saving == pytest.approx(s.npv_saving, abs=0.01)
    return bare


def test_zones_sharing_counters_hold_the_one_that_serves_both(tmp_path: Path) -> None:
    """Town Z1 waits for hub H1 (year 3) with counters A (£100k) and B (£120k) in reach;
    Z2 waits for H2 (year 2) with B and C (£200k). The policy closes the counters and
    builds the hubs. B held to year 3 serves both, £240k at r = 0; the cheapest counter
    for the longest wait first held A to 3 and then B to 2, £320k. The dated programme,
    planned with every year free, is the oracle (the hubs cost nothing to run, so that
    building H2 a year later, as B's wait allows, saves nothing)."""
    counter = {"services": ["public_access"]}
    hub = {"candidate": True, "build_cost": 10_000, "running_cost": 0, **counter}
    sites = [site("A", "A", -3, 0, desks=10, running_cost=100_000, **counter),
             site("B", "A", 5, 0, desks=10, running_cost=120_000, **counter),
             site("C", "A", 13, 0, desks=10, running_cost=200_000, **counter),
             site("H1", "A", 0, 1, desks=10, build_years=3, **hub),
             site("H2", "A", 10, 1, desks=10, build_years=2, **hub),
             site("K", "A", 40, 0, desks=50, must_keep=True)]
    rules = {"zones": [zone("Z1", 0, 0), zone("Z2", 10, 0)], "horizon_years": 5,
             "discount_rate": 0.0, "relocation": {"cost_per_fte": 1000.0, "max_km": 80.0},
             "coverage": [{"service": "public_access", "radius_km": 6, "mode": "maintain"}],
             "policy": {"close": ["A", "B", "C"], "keep": ["H1", "H2"]}}
    teams = [function("T", "A", "Ops", "K", fte=5, desks=5)]
    _waits_as_the_programme_shows(tmp_path, sites, teams, rules, 240_000, ["B"])


@pytest.mark.parametrize("lag", [2, 3])
def test_a_sale_past_the_horizon_is_said_apart(tmp_path: Path, lag: int) -> None:
    """O (£1m a year) closes in year 1 and its sale of £300k arrives `lag` years later:
    within the three years at 2, after them at 3, when the one-off still counts it (as
    DESIGN section 3 defines the one-off) and the summary, the terminal and summary.json
    say how much of it no programme receives."""
    case = late_sale_case(tmp_path / "register", lag)
    summary = case.plan.summary
    assert case.plan.sites.set_index("site_id").at["O", "decision"] == "close"
    assert summary.one_off_receipts == pytest.approx(300_000.0)
    lost = 0.0 if lag == 2 else 300_000.0
    assert summary.receipts_after_horizon == pytest.approx(lost)
    said = [line for line in summary_lines(summary) if "after the horizon" in line]
    assert said == ([] if lag == 2 else [
        "                 £300.0k of the sales arrive after the horizon: in the one-off "
        "cost and payback, not in the NPV"])
    write_results(case.plan, tmp_path / "results")
    assert read_summary(tmp_path / "results").receipts_after_horizon == pytest.approx(lost)
    # scheduled, the programme's cash flow ends with the horizon as well: the sale is in
    # the plan's own payback alone, which the line says
    dated = estate.plan(case.prep.scenario, write=False).summary
    assert dated.programme is not None and dated.programme.payback_year == 1
    said = [line for line in summary_lines(dated) if "after the horizon" in line]
    assert said == ([] if lag == 2 else [
        "                 £300.0k of the sales arrive after the horizon: in the one-off "
        "cost and the payback if every change were made in year 1, not in an NPV nor in the "
        "dated programme's payback"])


def test_yearly_limits_that_leave_no_year_are_named_with_their_values(tmp_path: Path
                                                                      ) -> None:
    """The policy closes O, and no site may close in any year: the reason names the
    limit as the scenario sets it."""
    case = plan_case(tmp_path, [site("O", "A", 0, 0),
                                site("K", "A", 0, 1, desks=500, must_keep=True)],
                     [function("T", "A", "Ops", "O")], horizon_years=2,
                     policy={"close": ["O"]}, programme={"max_closures_per_year": 0})
    with pytest.raises(InfeasibleError) as caught:
        case.programme("roadmap")
    said = " ".join(caught.value.reasons)
    assert "programme.max_closures_per_year = 0" in said, said
    assert "max_one_off" not in said and "max_fte" not in said, said
    # the keys to relax: the one limit set and the horizon, spelt as the scenario's keys
    assert caught.value.keys == ("programme.max_closures_per_year", "horizon_years")


# -- tiny registers: the roadmap against every schedule -------------------------------------


def test_the_roadmap_equals_a_brute_force_over_every_schedule(tiny: Case) -> None:
    changes = tiny.changes()
    horizon = tiny.prep.scenario.horizon_years
    assert 3 <= len(changes) <= 5
    best = np.inf
    for years in itertools.product(range(horizon + 1), repeat=len(changes)):
        schedule = np.array(years)
        if not tiny.broken(changes, schedule):
            best = min(best, tiny.npv(changes, schedule))
    found = solve_roadmap(tiny.prep, tiny.model, changes, tiny.limits, tiny.grace(), 60.0,
                          EXACT)
    assert found.status == "optimal"
    assert tiny.broken(changes, found.years) == []
    assert close(tiny.npv(changes, found.years), best)


def test_the_limits_of_the_tiny_registers_bind(tiny: Case) -> None:
    """Each tiny register's schedule is shaped by its rules: doing every change in year
    1 breaks one."""
    changes = tiny.changes()
    assert tiny.broken(changes, np.ones(len(changes), dtype=int))


# -- the cash flow against the NPV ----------------------------------------------------------


def test_every_cash_flow_adds_up_to_the_npv(tiny: Case) -> None:
    programme = tiny.programme()
    flows, totals = programme.cashflow, programme.totals()
    assert close(totals["discounted"].sum(), programme.npv_saving)
    assert close(totals["cumulative_discounted"].iloc[-1], programme.npv_saving)
    cal = tiny.prep.calendar
    assert cal is not None
    status_quo = float((cal.d_end[totals["year"]] * totals["status_quo"]).sum())
    assert close(status_quo - totals["discounted"].sum(), programme.npv_cost)
    assert close(npv_of_cost(flows, cal), programme.npv_cost)
    agencies = flows[flows["agency_id"] != ""].groupby("year").sum(numeric_only=True)
    columns = ["running", "rent", "one_off", "receipts", "cost", "status_quo", "saving",
               "discounted"]
    np.testing.assert_allclose(agencies[columns].to_numpy(),
                               totals.set_index("year")[columns].to_numpy(), atol=1e-6)
    assert programme.figures().to_json()["npv_saving"] == round(programme.npv_saving, 2)


def test_a_year_s_rows_list_the_agencies_as_the_register_does(tmp_path: Path) -> None:
    """cashflow.csv's rows of a year: the estate's, then the agencies in the register's
    order, as agencies.csv lists them (they were sorted by id, so Police came before
    County and a reader lining the two files up had to sort first); each agency's
    running totals are its own savings added up year by year."""
    case = plan_case(tmp_path, [
        site("S", "Police", 0, 0, desks=200, running_cost=50_000, must_keep=True),
        site("P", "County", 0, 1, running_cost=120_000),
    ], [function("T", "County", "Ops", "P", desks=40)],
        agencies=("Police", "County", "Alpha"), horizon_years=3)
    flows = case.programme().cashflow
    assert list(flows["agency_id"]) == ["", "Police", "County", "Alpha"] * 3
    assert list(flows["year"]) == [1] * 4 + [2] * 4 + [3] * 4
    for _, rows in flows.groupby("agency_id"):
        np.testing.assert_allclose(rows["cumulative"], rows["saving"].cumsum())
        np.testing.assert_allclose(rows["cumulative_discounted"], rows["discounted"].cumsum())
    county = flows[flows["agency_id"] == "County"]
    assert county["saving"].iloc[0] > 0  # P closes in year 1


def test_the_yearly_effects_add_up_to_each_years_running_saving(tiny: Case) -> None:
    """programme.csv's annual_effect, summed over the changes up to year t, is the status
    quo's running cost less year t's in cashflow.csv (rent is apart): every saving
    (pooling on its centre's or its team's row) is on some row, and none twice."""
    _effects_add_up(tiny.programme())


@pytest.mark.parametrize(("seed", "limits", "split"), [
    (7, {}, True), (10, {"max_fte_moved_per_year": 40}, True),
    (4, {"max_one_off_per_year": 150_000}, False)])
def test_the_yearly_effects_add_up_with_split_teams_and_late_centres(
        tmp_path: Path, seed: int, limits: dict[str, Any], split: bool) -> None:
    """The same on small registers where teams split (seed 7), one across three sites
    (seed 10), and where teams move in year 1 to a centre set up in year 2 (seed 4 with
    its budget), so their saving is on the centre's row, not their moves'."""
    _effects_add_up(small_register(tmp_path, seed, limits, split=split).programme())


def _effects_add_up(programme: Programme) -> None:
    actions, totals = programme.actions, programme.totals().set_index("year")
    for t in totals.index:
        told = actions.loc[actions["year"] <= t, "annual_effect"].sum()
        assert close(told, totals.at[t, "status_quo"] - totals.at[t, "running"])


def test_the_summary_carries_the_programme(tmp_path: Path) -> None:
    """Planned end to end (`estate.plan`), the summary's figures are the programme's."""
    case = leases_register(tmp_path / "reg")
    plan = estate.plan(case.prep.scenario, write=False)
    assert plan.programme is not None and plan.summary.programme is not None
    figures = plan.summary.programme.to_json()
    totals = plan.programme.totals()
    assert figures["npv_saving"] == pytest.approx(totals["discounted"].sum(), abs=0.01)
    assert figures["method"] == "roadmap" and figures["joint_npv"] is not None
    assert figures["gap"] == pytest.approx(0.0, abs=1e-9)


# -- the lease-aware snapshot ---------------------------------------------------------------


def test_the_snapshot_objective_is_a_programme_everything_done_in_year_1(tiny: Case) -> None:
    """The lease-aware snapshot prices exactly the programme that makes every change in
    year 1 (whether or not its rules let it happen), when every build takes a year, except
    that a site closes no sooner than the teams housed there may leave: no programme can
    close it before, so the snapshot does not count that saving either."""
    if (tiny.prep.sites["build_years"] > 1).any():
        pytest.skip("a build of two years cannot open in year 1")
    changes = tiny.changes()
    closing = earliest_closing(tiny.prep.home, tiny.prep.earliest_years, len(tiny.prep.sites))
    table = changes.table
    years = np.where(table["kind"] == "close", closing[table["site"].to_numpy()], 1)
    assert close(tiny.npv(changes, years), tiny.plan.summary.objective_npv)


def test_unscheduled_the_snapshot_is_the_programme_making_each_change_when_it_first_may(
        tiny: Case) -> None:
    """Planned without a programme (no `[programme]`, so the snapshot's NPV is the one
    reported), the lease-aware snapshot prices exactly the programme that makes every
    change in the first year any programme may (whether or not its rules let it
    happen), when every build takes a year: a site closes once the teams housed there
    may leave, a team moves in its earliest year, and a centre opens once min_agencies
    agencies' teams may sit there (all its teams here, as each tiny plan pools every
    team it may)."""
    if (tiny.prep.sites["build_years"] > 1).any():
        pytest.skip("a build of two years cannot open in year 1")
    model, plan = plan_locality(replace(tiny.prep.scenario, programme=None))
    assert plan.prepared is not None
    bare = Case(plan.prepared, model, plan, tiny.limits)
    prep = bare.prep
    changes = bare.changes()
    closing = earliest_closing(prep.home, prep.earliest_years, len(prep.sites))
    table = changes.table
    years = np.ones(len(table), dtype=int)
    for i in range(len(table)):
        kind = table.at[i, "kind"]
        if kind == "close":
            years[i] = closing[int(table.at[i, "site"])]
        elif kind == "move":
            years[i] = prep.earliest_years[int(table.at[i, "team"])]
        elif kind == "centre":
            pool = model.pool[model.pool["centre"] == table.at[i, "centre"]]
            at_home = prep.pairs["home"].to_numpy(bool)[pool["pair"].to_numpy()]
            first = np.where(at_home, 1, prep.earliest_years[pool["f"].to_numpy()])
            by_agency = pd.Series(first, index=pool["g"].to_numpy()).groupby(level=0).min()
            years[i] = np.sort(by_agency.to_numpy())[prep.scenario.min_agencies - 1]
    assert close(bare.npv(changes, years), plan.summary.objective_npv)


def test_the_snapshot_waits_for_the_teams_a_closing_site_houses(tmp_path: Path) -> None:
    """O's team may not move before year 3 (2029-04-01), so O runs two more years in any
    programme: at r = 0 the snapshot saves 3 years of O's £100k, as the programme does,
    not the 5 a year-1 closing would book; lease_cost_npv holds the £200k."""
    case = plan_case(tmp_path, [
        site("O", "A", 0, 0, running_cost=100_000),
        site("K", "B", 1, 0, desks=500, running_cost=0, must_keep=True),
    ], [function("T", "B", "Ops", "O", earliest_move="2029-04-01")],
        agencies=("A", "B"), horizon_years=5, discount_rate=0.0)
    summary = case.plan.summary
    assert summary.sites_closed == 1
    assert summary.lease_cost_npv == pytest.approx(200_000)
    assert summary.npv_saving == pytest.approx(300_000)
    # B's team is O's only user, so B pays O's running cost until it may leave, as it
    # does today and in cashflow.csv; A, the owner, owes nothing for the wait
    agencies = case.plan.agencies.set_index("agency_id")
    assert agencies["lease_cost_npv"].to_dict() == pytest.approx({"A": 0.0, "B": 200_000})
    assert agencies["npv_saving"].sum() == pytest.approx(summary.npv_saving, abs=0.02)
    programme = case.programme()
    assert year_of(programme, "close", "O") == 3
    assert programme.npv_saving == pytest.approx(summary.npv_saving)


def test_the_snapshot_counts_a_late_teams_pooling_from_its_move(
        tmp_path: Path) -> None:
    """HB may move only from year 3 (2029-04-01). Worked by hand at r = 0 over 5 years:
    HA pools at S from year 1 (£500k); P closes in year 3 (£360k, the snapshot too);
    HB moves to S in year 3, pays £10k to move, and pools there for 3 years (£300k)
    paying S's £30k pair cost for 3 years (£90k). The programme saves £1,060k. Beside
    it, the snapshot is the plan "if every change were made in year 1" but for P's wait:
    HB's pooling and pair cost from year 1, £500k and £150k, £1,200k in all. Planned
    without a programme, the snapshot's is the NPV reported, and it prices each change
    from the first year it may happen: £1,060k too, the £380k its timing takes (P's
    £240k wait, HB's £200k pooling less £60k of pair cost waited for) in
    lease_cost_npv, all of it B's."""
    case = plan_case(tmp_path, [
        site("S", "A", 0, 0, desks=200, running_cost=0, must_keep=True),
        site("P", "B", 0, 1, desks=50, running_cost=120_000),
    ], [function("HA", "A", "HR", "S", desks=40),
        function("HB", "B", "HR", "P", desks=40, earliest_move="2029-04-01")],
        agencies=("A", "B"), horizon_years=5, discount_rate=0.0,
        pair_costs=[{"function_id": "HB", "site_id": "S", "annual_cost": 30_000}],
        relocation={"cost_per_fte": 1_000.0},
        sharing={"types": ["HR"], "efficiency": 0.2, "setup_cost": 0.0, "min_agencies": 1})
    summary = case.plan.summary
    placed = dict(zip(case.plan.assignments["function_id"], case.plan.assignments["to_site"],
                      strict=True))
    assert placed["HB"] == "S" and summary.sites_closed == 1
    assert summary.npv_saving == pytest.approx(1_200_000)
    assert summary.lease_cost_npv == pytest.approx(240_000)
    programme = case.programme()
    assert year_of(programme, "move", team="HB") == 3
    assert programme.npv_saving == pytest.approx(1_060_000)
    _, bare = plan_locality(replace(case.prep.scenario, programme=None))
    assert bare.summary.npv_saving == pytest.approx(1_060_000)
    assert bare.summary.lease_cost_npv == pytest.approx(380_000)
    agencies = bare.agencies.set_index("agency_id")
    assert agencies["lease_cost_npv"].to_dict() == pytest.approx({"A": 0.0, "B": 380_000})
    assert agencies["npv_saving"].sum() == pytest.approx(bare.summary.npv_saving, abs=0.02)


@pytest.mark.parametrize("rate", [0.0, 0.05])
def test_the_snapshot_never_reports_a_saving_the_programme_cannot_realise(
        tmp_path: Path, rate: float) -> None:
    """No limit binds and every build takes a year: the roadmap realises the snapshot's
    saving (exactly at r = 0; at r > 0 waiting for a lease end may save more)."""
    case = small_register(tmp_path, 4, {}, rate=rate, horizon=6)
    assert case.plan.summary.lease_cost_npv is not None
    assert case.plan.summary.lease_cost_npv > 0  # the leases do cost something
    programme = case.programme(method="roadmap")
    snapshot = case.plan.summary.objective_npv
    assert programme.npv_cost <= snapshot + 1e-6 * snapshot
    if rate == 0.0:
        assert close(programme.npv_cost, snapshot)


def test_without_start_nothing_changes(tmp_path: Path) -> None:
    """Lease columns without `start` plan as a register without them; with `start` but
    no rent, no lag and no build time, the snapshot is the same too."""
    rows = [site("O", "A", 0, 0, running_cost=300_000, closure_cost=20_000,
                 disposal_value=100_000),
            site("L", "A", 0, 1, running_cost=150_000, tenure="leasehold",
                 lease_end="2031-04-01", rent=100_000, disposal_lag_years=2),
            site("K", "A", 1, 0, desks=300, running_cost=50_000, must_keep=True)]
    teams = [function("T1", "A", "Ops", "O"), function("T2", "A", "Ops", "L")]
    plain = [{k: v for k, v in row.items() if k not in ("tenure", "lease_end", "rent",
                                                        "disposal_lag_years")}
             for row in rows]

    def objective(folder: Path, sites: list[dict[str, Any]], **changes: Any) -> float:
        write_register(folder, [agency("A")], sites, teams)
        raw = scenario(data=str(folder), discount_rate=0.05, **changes)
        sc = scenario_from_dict(raw, base_dir=folder, label="test.toml", default_name="test")
        _, plan = plan_locality(sc)
        return plan.summary.objective_npv

    undated = objective(tmp_path / "leases", rows)
    assert undated == objective(tmp_path / "plain", plain)
    with_lag_0 = [{**row, "disposal_lag_years": 0} for row in plain]
    assert close(objective(tmp_path / "dated", with_lag_0, start=START), undated)
    assert objective(tmp_path / "dated_leases", rows, start=START) > undated


# -- the roadmap's gap to the joint model ---------------------------------------------------


def test_a_gap_within_the_solvers_noise_is_zero_never_negative(tmp_path: Path) -> None:
    """The gap is (roadmap - joint) / |joint|. Two NPVs a rounding apart once gave
    `-0.000%` on the terminal and `"gap": -0.0` in summary.json; a difference within
    1e-6 of the NPVs and £1 is the solvers' noise (as a policy's cost is read, DESIGN 7)
    and reads 0, and the joint model dearer than the roadmap reads 0 too: the roadmap is
    kept and lost nothing."""
    programme = leases_register(tmp_path / "reg").programme(method="both")
    npv = 21_989_101.86
    for joint in (npv + 0.004, npv - 0.004, npv + 20.0, npv - 20.0, npv + 5_000.0):
        gap = replace(programme, roadmap_npv=npv, joint_npv=joint).gap
        assert gap == 0.0 and math.copysign(1.0, gap) == 1.0, joint
        said = replace(programme, roadmap_npv=npv, joint_npv=joint).figures().to_json()["gap"]
        assert f"{said:.3%}" == "0.000%"
    # beyond the noise, by hand: £50,000 dearer than £21,939,101.86
    gap = replace(programme, roadmap_npv=npv, joint_npv=npv - 50_000.0).gap
    assert gap == pytest.approx(50_000.0 / (npv - 50_000.0), rel=1e-12)
    assert replace(programme, roadmap_npv=5.0, joint_npv=0.25).gap == pytest.approx(4.75)


def test_a_joint_model_dearer_than_the_roadmap_it_started_from_is_said(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The joint model is offered the roadmap as its start, so it is never dearer unless
    HiGHS drops that start (it breaks a row by HiGHS's tolerances) and stops short. Made
    to happen here: the joint model answers with the same changes, none of them made
    within the horizon (the status quo, dearer by the plan's whole saving). The roadmap
    is kept, the gap reads 0, and a note says what happened and by how much."""
    import estate.programme as programme_module

    real = programme_module.solve_joint

    def dropped_start(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)
        assert found.changes is not None
        return replace(found, years=np.zeros_like(found.years), status="time_limit")

    case = leases_register(tmp_path / "reg")
    monkeypatch.setattr(programme_module, "solve_joint", dropped_start)
    programme = case.programme(method="both")
    assert programme.method == "roadmap"
    assert programme.roadmap_npv is not None and programme.joint_npv is not None
    dearer = programme.joint_npv - programme.roadmap_npv
    assert dearer > 1_000.0 and programme.gap == 0.0
    note = next(n for n in programme.notes if "dearer than the roadmap" in n)
    assert f"came out {money(dearer)} dearer" in note and "time_limit" in note
    assert "(gap 0.000%)" in " ".join(programme.notes)


def test_a_programme_that_loses_money_pays_back_not_for_good_and_says_it_costs_more(
        tmp_path: Path) -> None:
    """r = 0, H = 5: A (£20k a year) closes in year 1, its team moving to K (kept, free to
    run) for nothing; the policy closes L (£10k a year, £300k to close), whose team may
    leave only in year 3. The saving is £20k, £20k, £30k - £300k, £30k, £30k a year, so
    the saving so far is £20k, £40k, -£230k, -£200k, -£170k: positive in year 1, which is
    its payback year as DESIGN 9 defines it, and lost in year 3 for good; the programme
    costs £170k more than the status quo, and every reader says both."""
    case = plan_case(tmp_path / "reg", [
        site("A", "A", 0, 0, desks=20, running_cost=20_000),
        site("L", "A", 0, 1, desks=20, running_cost=10_000, closure_cost=300_000),
        site("K", "A", 1, 0, desks=100, running_cost=0, must_keep=True),
    ], [function("TA", "A", "Ops", "A", desks=10),
        function("TL", "A", "Ops", "L", desks=10, earliest_move="2029-04-01")],
        horizon_years=5, policy={"close": ["L"]})
    plan = estate.plan(case.prep.scenario, out=tmp_path / "results", map_path=False)
    p = plan.programme
    assert p is not None
    totals = p.totals()
    assert list(totals["cumulative_discounted"]) == pytest.approx(
        [20_000, 40_000, -230_000, -200_000, -170_000])
    assert p.npv_saving == pytest.approx(-170_000)
    assert (p.payback_year, p.lasting_payback_year) == (1, None)
    stored = read_summary(tmp_path / "results").programme
    assert (stored.payback_year, stored.lasting_payback_year) == (1, None)
    r = read_results(tmp_path / "results")
    assert (r.programme.payback_year, r.programme.lasting_payback_year) == (1, None)
    said = decision(r)
    assert ("the programme costs £170.0k (NPV) more and pays back in year 1 but not for "
            "good: later spending leaves it at a loss at the horizon's end") in said
    assert "saves -" not in said
    assert "Dated, the programme costs £170.0k (NPV) more" in dated_words(r)
    lines = summary_lines(read_summary(tmp_path / "results"))
    assert any(line.startswith("NPV saving:      none; costs £170.0k more over 5 years")
               for line in lines)
    assert not any("save -" in line or "saves -" in line for line in lines)
    page = (tmp_path / "results" / "programme.html").read_text(encoding="utf-8")
    assert "NPV saving of the programme: none; costs £170.0k more" in page
    assert ("Payback: year 1 (2027-04-01 to 2028-03-31); lost to later spending and not regained "
            "by the horizon's end.") in html.unescape(page)
    assert "Payback: year 1; not for good" in page  # the cash curve's line
    # a folder written before the lasting year was kept: `payback_year` held that year
    summary_path = tmp_path / "results" / "summary.json"
    written = json.loads(summary_path.read_text(encoding="utf-8"))
    del written["programme"]["lasting_payback_year"]
    written["programme"]["payback_year"] = None
    summary_path.write_text(json.dumps(written), encoding="utf-8")
    before = read_results(tmp_path / "results").programme
    assert before is not None
    assert (before.payback_year, before.lasting_payback_year) == (1, None)
    # checked, its summary reads in today's meaning, as the comparison's rows and pages
    # take it (they read no cashflow.csv of their own)
    checked = check_results(tmp_path / "results").summary.programme
    assert checked is not None and not checked.payback_in_old_meaning
    assert (checked.payback_year, checked.lasting_payback_year) == (1, None)
    assert dated_payback_words(checked) == "year 1 (discounted); lost by the horizon's end"
    # written back as it was read (`estate compare` adding policy costs), it still agrees
    write_summary(read_summary(tmp_path / "results"), tmp_path / "results")
    assert "lasting_payback_year" not in json.loads(
        summary_path.read_text(encoding="utf-8"))["programme"]
    check_results(tmp_path / "results")
    assert any(line.endswith("pays back in year 1 but not for good: later spending leaves "
                             "it at a loss at the horizon's end") for line in lines)


def test_a_new_teams_placing_gives_its_fte_and_every_fte_is_rounded(tmp_path: Path) -> None:
    """O closes in year 1 and its team T (12.34567 FTE) moves to K; N (10 FTE) has no site
    today and is placed at K in year 1. programme.csv gives each move its team's FTE to
    three decimals (12.346 and 10), N's Gantt mark says "10 FTE", and the staff moved
    in year 1 (the budget, the map's KPI panel) are T's alone: placing N moves no one.
    The folder reads back (its budget agrees with programme.csv)."""
    case = plan_case(tmp_path / "reg", [
        site("O", "A", 0, 0, running_cost=80_000),
        site("K", "A", 1, 0, desks=500, running_cost=0, must_keep=True),
    ], [function("T", "A", "Ops", "O", fte=12.34567),
        function("N", "A", "Ops", "", fte=10, annual_cost=50_000)],
        horizon_years=5, discount_rate=0.0)
    out = tmp_path / "results"
    plan = estate.plan(case.prep.scenario, out=out, map_path=False)
    text = (out / "programme.csv").read_text(encoding="utf-8-sig").splitlines()
    moves = {line.split(",")[5]: line.split(",")[7] for line in text if ",move," in line}
    assert moves == {"T": "12.346", "N": "10"}
    # a site's own row moves no one: its fte is blank, not 0
    assert [line.split(",")[7] for line in text if ",close," in line] == [""]
    assert plan.summary.programme is not None
    assert plan.summary.programme.budget.loc[0, "fte_moved"] == pytest.approx(12.346)
    page = (out / "programme.html").read_text(encoding="utf-8")
    assert "team N (10 FTE)" in page and "team N (0 FTE)" not in page
    r = read_results(out)
    assert r.programme is not None
    panel = dict(year_figures(plan, [None, None], [1, None], 5)[1])
    assert panel["Staff changed building so far"] == "12.3 FTE"


def test_an_unscheduled_plan_says_the_pooling_it_books_before_its_centre_could_open(
        tmp_path: Path) -> None:
    """X (A1 HR) may pool at S1 with A2's Y from year 1, or with A3's Z, which may move
    only from year 4 (2030-04-01). Y never pays to move, so the plan pools X with Z: its
    centre opens in year 4, but the snapshot prices it from year 1 (the soonest any
    agency could join), booking X's £200k a year of pooling for years 1 to 3, £600k at
    r = 0. The plan's NPV saving leaves it out, X's agency's, and a warning says so; the
    dated programme does not book it."""
    case = plan_case(tmp_path, [
        site("S1", "A1", 0, 0, desks=30, running_cost=100_000),
        site("S2", "A2", 1, 0, desks=22, running_cost=100_000, must_keep=True),
        site("S3", "A3", 0, 1, desks=20, running_cost=500_000),
    ], [function("X", "A1", "HR", "S1", fte=10, desks=10, annual_cost=1_000_000),
        function("Y", "A2", "HR", "S2", fte=100, desks=10, annual_cost=10_000),
        function("W", "A2", "IT", "S2", fte=10, desks=10, annual_cost=100_000),
        function("Z", "A3", "HR", "S3", fte=10, desks=10, annual_cost=1_000_000,
                 earliest_move="2030-04-01")],
        agencies=("A1", "A2", "A3"), horizon_years=10, discount_rate=0.0,
        sharing={"types": ["HR"], "efficiency": 0.2, "setup_cost": 10_000.0,
                 "min_agencies": 2},
        relocation={"cost_per_fte": 5_000.0, "max_km": 40.0})
    _, bare = plan_locality(replace(case.prep.scenario, programme=None))
    placed = dict(zip(bare.assignments["function_id"], bare.assignments["to_site"],
                      strict=True))
    assert placed["Z"] == "S1" and placed["Y"] == "S2"
    said = [str(w) for w in bare.warnings if w.column == "programme"]
    assert len(said) == 1 and "leaves out £600.0k of pooling at S1 before" in said[0], said
    assert bare.summary.booked_early_npv == pytest.approx(600_000, abs=0.01)
    assert bare.summary.npv_saving == pytest.approx(
        bare.summary.status_quo_npv - bare.summary.objective_npv - 600_000, abs=0.01)
    shares = dict(zip(bare.agencies["agency_id"], bare.agencies["booked_early_npv"],
                      strict=True))
    assert shares == pytest.approx({"A1": 600_000, "A2": 0, "A3": 0}, abs=0.01)
    assert bare.agencies["npv_saving"].sum() == pytest.approx(bare.summary.npv_saving,
                                                              abs=0.05)
    # scheduled, the same register's snapshot is year 1's and no such warning is given
    assert not [w for w in case.plan.warnings if w.column == "programme"]


def test_an_unscheduled_plan_says_the_closing_it_books_before_its_teams_could_leave(
        tmp_path: Path) -> None:
    """T (20 desks) sits in the leasehold L (£100k a year, £70k of it rent; a break
    18 months in, or £50k to surrender); the hub C (£300k, two years to build, £10k a
    year) can take it. Not scheduled, the snapshot prices L's closing from year 1, when
    T may leave, buying the surrender; but T can sit at C only from year 2, so no
    programme closes L before then: a year more of L's running cost (£100k) and six
    months' rent to the break (£70k x 183/365) instead of the £50k surrender, booked
    early. The plan's NPV saving leaves it out, and a warning says so with that amount;
    scheduled, the programme saves as much. C's running cost counts from year 2, when it
    opens, in both: over 6 years at r = 0 the snapshot's objective counts 6 x £100k -
    5 x £10k - £300k - the £50k surrender = £200k."""
    sites = _lease_beside_a_hub("A")
    case = plan_case(tmp_path, sites, [function("T", "A", "Ops", "L", desks=20)],
                     horizon_years=6, discount_rate=0.0)
    bare_model, bare = plan_locality(replace(case.prep.scenario, programme=None))
    assert dict(zip(bare.sites["site_id"], bare.sites["decision"], strict=True)) == {
        "L": "close", "C": "open"}
    early = 100_000 + 70_000 * 183 / 365 - 50_000
    assert bare.prepared is not None and bare.solution is not None
    state = solved_state(bare.prepared, bare_model, bare.solution.values)
    booked = closing_booked_early(bare.prepared, state.share, state.open)
    assert booked.amount == pytest.approx(early, abs=0.01)
    assert (booked.for_teams, booked.for_zones) == (site_rows(bare.prepared, "L"), [])
    # the running cost waited is the users' today, the rent instead of the surrender
    # the owner's: both A here
    assert booked.running[site_rows(bare.prepared, "L")[0]] == pytest.approx(100_000, abs=0.01)
    said = [str(w) for w in bare.warnings if w.column == "programme"]
    assert len(said) == 1 and f"leaves out {money(early)} of closing L before" in said[0], said
    dated = estate.plan(case.prep.scenario, write=False).summary
    assert dated.programme is not None
    s = bare.summary
    assert s.status_quo_npv - s.objective_npv == pytest.approx(200_000, abs=0.01)
    assert s.npv_saving == pytest.approx(200_000 - early, abs=0.01)
    assert dated.npv_saving == pytest.approx(200_000 - early, abs=0.01)
    assert not [w for w in case.plan.warnings if w.column == "programme"]
    # the board pack's figure of what timing changes names the new site's wait too, and
    # says "takes off" for a credit, "adds" for a cost, beside the amount itself
    folder = tmp_path / "bare"
    estate.plan(replace(case.prep.scenario, programme=None), out=folder, map_path=False)
    lease = read_summary(folder).lease_cost_npv
    assert lease is not None
    label, value = next(row for row in _headline(read_results(folder)).rows
                        if row[0].startswith("What timing"))
    assert label.startswith("What timing adds" if lease >= 0 else "What timing takes off")
    assert "new sites' running cost from the year they open" in label
    assert value == money(abs(lease))


def _lease_beside_a_hub(hub_owner: str) -> list[dict[str, Any]]:
    """A's leasehold L (£100k a year, £70k of it rent; a break on 2028-10-01, or £50k to
    surrender) and `hub_owner`'s candidate C (£300k, two years to build, £10k a year)."""
    return [site("L", "A", 0, 0, desks=30, running_cost=100_000, tenure="leasehold",
                 rent=70_000, lease_end="2033-04-01", lease_breaks="2028-10-01",
                 surrender_cost=50_000),
            site("C", hub_owner, 1, 0, desks=100, running_cost=10_000, candidate=True,
                 build_cost=300_000, build_years=2)]


def test_what_a_plan_books_early_is_split_as_running_cost_and_lease_are(
        tmp_path: Path) -> None:
    """L is A's lease (£100k a year, £70k of it rent; a break 18 months in, or £50k to
    surrender), used today only by B's team T, which moves to B's hub C, two years in
    the building. The snapshot prices L's closing from year 1 with the surrender; no
    programme closes it before year 2, then owing six months' rent to the break. The
    year of running cost waited is T's agency's, B's (its users' today, as L's running
    cost is); the rent owed instead of the surrender, a credit of £50k less £35.1k, is
    the owner's, A's: each agency's NPV saving is net of its own part, and the rows add
    up to the plan's (r = 0)."""
    sites = _lease_beside_a_hub("B")
    case = plan_case(tmp_path, sites, [function("T", "B", "Ops", "L", desks=20)],
                     agencies=("A", "B"), scheduled=False, horizon_years=6,
                     discount_rate=0.0)
    rent_instead = 70_000 * 183 / 365 - 50_000
    rows = case.plan.agencies.set_index("agency_id")
    assert rows["booked_early_npv"].to_dict() == pytest.approx(
        {"A": rent_instead, "B": 100_000}, abs=0.01)
    s = case.plan.summary
    assert s.booked_early_npv == pytest.approx(100_000 + rent_instead, abs=0.01)
    assert rows["npv_saving"].sum() == pytest.approx(s.npv_saving, abs=0.02)
    without = (s.annual_cost_before - s.annual_cost_after) * s.horizon_years
    assert (rows["npv_saving"] + rows["booked_early_npv"] + rows["lease_cost_npv"]
            + rows["one_off_cost"]).sum() == pytest.approx(without, abs=0.05)


def _surrender_late(folder: Path, horizon: int, lease_break: str, surrender: float,
                    **changes: Any) -> Case:
    """L (£300k a year, £100k of it rent; its lease breaks on `lease_break`, and
    otherwise runs past the horizon) can close only once its team T (no cost of its
    own) has a place: the hub C (£100k to build, £10k a year) opens in year 3. Closing
    L in year 1, as the snapshot does, owes the rent to the break; the snapshot counts
    the surrender only when that is dearer, and its net one-off is C's £100k, within
    policy.max_one_off's £150k. At r = 0."""
    return plan_case(folder, [
        site("L", "A", 0, 0, desks=50, running_cost=300_000, rent=100_000,
             tenure="leasehold", lease_end="2036-04-01", lease_breaks=[lease_break],
             surrender_cost=surrender),
        site("C", "A", 1, 0, desks=50, running_cost=10_000, candidate=True,
             build_cost=100_000, build_years=3),
    ], [function("T", "A", "Ops", "L", desks=40, annual_cost=0)], horizon_years=horizon,
        discount_rate=0.0, policy={"max_one_off": 150_000, **changes.pop("policy", {})},
        **changes)


def test_a_surrender_bought_is_said_apart_in_programme_csv_and_on_the_chart(
        tmp_path: Path) -> None:
    """With no cap on the one-off, the cheapest schedule closes L in year 3, when the
    rent to its exit (years 3-5, £300k) is dearer than the £200k surrender: the closing's
    row has surrender £200k within its one-off, every other row 0; programme.csv keeps
    it and programme.html's mark says it. A folder written before the column reads it
    blank, and the mark says nothing of it."""
    case = _surrender_late(tmp_path, 5, "2028-10-01", 200_000, policy={"max_one_off": 1e9})
    folder = tmp_path / "results"
    plan = estate.plan(case.prep.scenario, out=folder, map_path=False)
    assert plan.programme is not None
    actions = plan.programme.actions
    closing = actions[actions["action"] == "close"]
    assert closing["year"].tolist() == [3]
    assert closing["surrender"].tolist() == [200_000.0]
    assert closing["one_off"].iloc[0] == pytest.approx(200_000.0)
    assert (actions.loc[actions["action"] != "close", "surrender"] == 0).all()
    stored = read_programme(folder)
    row = stored.actions[stored.actions["action"] == "close"].iloc[0]
    assert row["surrender"] == 200_000.0
    assert "one-off £200.0k (of which £200.0k to surrender the lease)" in mark_figures(row)
    # the pack's programme page names it, with its year
    page = programme_page(read_results(folder))
    assert page is not None and any(
        "The one-off spending includes £200.0k to surrender 1 lease as its site closes" in b.text
        and "(L, year 3" in b.text for b in page.blocks if isinstance(b, Text))
    older = pd.read_csv(folder / "programme.csv", dtype=str, keep_default_na=False)
    older.drop(columns="surrender").to_csv(folder / "programme.csv", index=False)
    row = read_programme(folder).actions.query("action == 'close'").iloc[0]
    assert "surrender" not in mark_figures(row)
    page = programme_page(read_results(folder))
    assert page is not None and not any("to surrender" in b.text for b in page.blocks
                                        if isinstance(b, Text))


def test_the_roadmap_keeps_the_one_off_cap_over_its_surrenders(tmp_path: Path) -> None:
    """L's lease breaks half-way through year 2 and its surrender costs £200k. Closing
    in year 1 owes £150k of rent (to the break), so the snapshot counts no surrender;
    in year 3 it owes years 3-5, £300k, so the surrender is bought; in year 4 £200k,
    no cheaper than the surrender, so the rent is owed. Over 5 years the cheapest
    schedule builds C in year 1, moves T in year 3 and closes L then: £600k of L's
    running, the £200k surrender, C's £100k and £30k of its running, £930k; but its
    one-off, £300k, is over the £150k cap. Within it, L closes in year 4 and owes the
    rent, and C is built a year later, to open then: £900k + £200k + £100k + £20k =
    £1.22m. The roadmap finds the cheapest schedule a brute force over every schedule
    allows, and the re-check refuses the one over the cap."""
    case = _surrender_late(tmp_path, 5, "2028-10-01", 200_000)
    changes, h = case.changes(), 5
    kinds = list(changes.table["kind"])
    assert sorted(kinds) == ["build", "close", "move"]
    over = np.array([{"build": 1, "move": 3, "close": 3}[k] for k in kinds])
    assert close(case.npv(changes, over), 930_000)
    best, best_years = np.inf, None
    for years in itertools.product(range(h + 1), repeat=len(changes)):
        schedule = np.array(years)
        by_kind = dict(zip(kinds, years, strict=True))
        # by hand: C's £100k when built, the surrender when L closes in year 3
        one_off = 100_000 * bool(by_kind["build"]) + 200_000 * (by_kind["close"] == 3)
        broken = case.broken(changes, schedule)
        assert any("policy.max_one_off" in b for b in broken) == (one_off > 150_000), \
            (by_kind, broken)
        if not broken and case.npv(changes, schedule) < best:
            best, best_years = case.npv(changes, schedule), schedule
    assert close(best, 1_220_000)
    assert best_years is not None and dict(zip(kinds, best_years.tolist(), strict=True)) \
        == {"build": 2, "move": 4, "close": 4}
    programme = case.programme()
    assert close(programme.npv_cost, best)
    assert year_of(programme, "close", "L") == 4
    assert programme.actions["one_off"].sum() <= 150_000 + 0.01


def test_a_cap_no_year_can_keep_names_policy_max_one_off(tmp_path: Path) -> None:
    """L's lease breaks half-way through year 1 and its surrender costs £60k: closing in
    year 1 owes £50k of rent, so the snapshot counts no surrender, but closing in any
    later year owes £100k a year to the horizon, and buys the surrender. The policy
    closes L, which can close only from year 3, once C has opened: every programme
    spends C's £100k and the £60k surrender, £160k against the £150k cap. No programme
    exists, and the reason names policy.max_one_off."""
    case = _surrender_late(tmp_path, 5, "2027-10-01", 60_000, policy={"close": ["L"]})
    with pytest.raises(InfeasibleError) as caught:
        case.programme("roadmap")
    said = " ".join(caught.value.reasons)
    assert "policy.max_one_off" in said, said
    assert "policy.max_one_off" in caught.value.keys


def test_a_cap_that_needs_a_sale_the_yearly_limits_forbid_names_both(tmp_path: Path) -> None:
    """policy.max_one_off = -£300k needs D's £500k sale; closing D costs £20k in its
    year, which a yearly one-off limit of £0 forbids in every year. Either alone leaves a
    schedule (without the cap the roadmap may leave D open; without the limit it closes
    D in year 1), so the reason names the two together, not the cap as if it were the
    cause alone; with a limit of £200k a year the programme closes D in year 1."""
    def case(folder: Path, limit: float) -> Case:
        return plan_case(folder, [
            site("D", "A", 0, 0, desks=50, running_cost=100_000, closure_cost=20_000,
                 disposal_value=500_000),
            site("K", "A", 1, 0, desks=50, running_cost=50_000, must_keep=True),
        ], [function("T", "A", "Ops", "D", desks=10, annual_cost=0)], horizon_years=5,
            discount_rate=0.0, policy={"max_one_off": -300_000},
            programme={"max_one_off_per_year": limit})

    with pytest.raises(InfeasibleError) as caught:
        case(tmp_path / "none", 0.0).programme("roadmap")
    said = " ".join(caught.value.reasons)
    assert "policy.max_one_off (-£300.0k) and the yearly limits " \
        "(programme.max_one_off_per_year = £0) together leave no schedule" in said, said
    assert {"policy.max_one_off", "programme.max_one_off_per_year"} <= set(
        caught.value.keys)
    programme = case(tmp_path / "some", 200_000.0).programme("roadmap")
    assert year_of(programme, "close", "D") == 1


@pytest.mark.parametrize(("limits", "said", "keys"), [
    ({"max_one_off_per_year": 100_000, "max_closures_per_year": 1},
     "closing O costs £200.0k once, more than programme.max_one_off_per_year allows in any "
     "year (£100.0k)", ("programme.max_one_off_per_year",)),
    ({"max_fte_moved_per_year": 20},
     "moving team T (30 FTE) is more than programme.max_fte_moved_per_year (20 FTE) allows "
     "in a year", ("programme.max_fte_moved_per_year",)),
])
def test_a_change_no_year_s_limit_can_take_is_named(
        tmp_path: Path, limits: dict[str, float], said: str, keys: tuple[str, ...]) -> None:
    """The policy closes O (£200k to close), whose team T (30 FTE) must move to the kept
    K: a yearly limit below either figure leaves no programme, and the reason names the
    change and the one limit it breaks, not every limit the scenario sets."""
    with pytest.raises(InfeasibleError) as caught:
        case = plan_case(tmp_path, [
            site("O", "A", 0, 0, desks=100, closure_cost=200_000),
            site("K", "A", 0, 0.1, desks=100, must_keep=True),
        ], [function("T", "A", "HR", "O", fte=30)], horizon_years=5,
            policy={"close": ["O"]}, programme=limits)
        case.programme("roadmap")
    reasons = caught.value.reasons
    assert len(reasons) == 1 and said in reasons[0], reasons
    assert caught.value.keys == keys


def test_a_change_over_the_limit_is_not_named_when_a_sale_could_pay_for_it(
        tmp_path: Path) -> None:
    """As above, but O sells for £50k: the limit is on net spend, so a sale could count
    against the closing's £200k, and the reason is the limits' in general."""
    with pytest.raises(InfeasibleError) as caught:
        case = plan_case(tmp_path, [
            site("O", "A", 0, 0, desks=100, closure_cost=200_000, disposal_value=50_000),
            site("K", "A", 0, 0.1, desks=100, must_keep=True),
        ], [function("T", "A", "HR", "O", fte=30)], horizon_years=5,
            policy={"close": ["O"]}, programme={"max_one_off_per_year": 100_000})
        case.programme("roadmap")
    said = " ".join(caught.value.reasons)
    assert "costs £200.0k once" not in said and "the yearly limits" in said, said


def _waits_for_a_build(tmp_path: Path) -> Any:
    """O (£500k to sell, three years' lag) closes only once C, three years in the
    building, takes its team, in a horizon of five years."""
    return plan_case(tmp_path / "register", [
        site("O", "A", 0, 0, desks=10, running_cost=150_000, disposal_value=500_000,
             disposal_lag_years=3, closure_cost=20_000),
        site("C", "A", 0.01, 0, desks=20, running_cost=20_000, candidate=True,
             build_cost=100_000, build_years=3),
        site("K", "A", 0.02, 0, desks=5, running_cost=50_000, must_keep=True),
    ], [function("T1", "A", "HR", "O", fte=10, desks=10)], horizon_years=5,
        discount_rate=0.05, relocation={"cost_per_fte": 1000.0, "max_km": 40.0})


def test_a_sale_the_programme_s_waiting_puts_past_the_horizon_is_said(tmp_path: Path) -> None:
    """O (£500k to sell, three years' lag) can close only once C, three years in the
    building, takes its team: closed in year 3 of five, its sale would come in year 6.
    The plan's own figures count O closing in year 1 and its sale in year 4, so nothing
    said the sale is lost to the dated programme (a review's register); its notes now
    name it, once (a sale the plan's own figures lose already is theirs to say)."""
    case = _waits_for_a_build(tmp_path)
    assert case.plan.summary.receipts_after_horizon == pytest.approx(0.0)
    programme = case.programme()
    assert year_of(programme, "close", "O") == 3
    said = [note for note in programme.notes if "after the horizon" in note]
    assert said == ["£500.0k of sales arrive after the horizon, as this programme's "
                    "closings wait: outside its NPV and cash flow, though in the plan's "
                    "one-off if every change were made in year 1: O (closed in year 3, sold "
                    "3 years later)"], programme.notes


def test_the_board_pack_says_the_sale_the_programme_s_waiting_loses(tmp_path: Path) -> None:
    """The same register planned and dated, its pack made: "What the figures rest on"
    names the £500.0k sale the programme's waiting puts past the horizon, beside the
    figures that leave it out, not only the programme page's notes."""
    case = _waits_for_a_build(tmp_path)
    estate.plan(case.prep.scenario, out=tmp_path / "results", map_path=False, programme=True)
    _, page = estate.report(tmp_path / "results", tmp_path / "board.pdf")
    markup = page.read_text(encoding="utf-8")
    start = markup.index("What the figures rest on")
    rest = html.unescape(re.sub(r"<[^>]+>", " ", markup[start:markup.index("</ul>", start)]))
    assert ("£500.0k of sales arrive after the horizon, as this programme's closings wait: "
            "outside its NPV and cash flow") in " ".join(rest.split()), rest


def test_two_sales_past_the_horizon_are_named_apart(tmp_path: Path) -> None:
    """O and P both wait three years for C: each name carries a comma of its own
    ("closed in year 3, sold 3 years later"), so a comma between them read as one more
    clause; the sites are parted by semicolons."""
    case = plan_case(tmp_path / "register", [
        site("O", "A", 0, 0, desks=10, running_cost=150_000, disposal_value=500_000,
             disposal_lag_years=3, closure_cost=20_000),
        site("P", "A", 0, 0.01, desks=10, running_cost=150_000, disposal_value=400_000,
             disposal_lag_years=3, closure_cost=20_000),
        site("C", "A", 0.01, 0, desks=20, running_cost=20_000, candidate=True,
             build_cost=100_000, build_years=3),
        site("K", "A", 0.02, 0, desks=5, running_cost=50_000, must_keep=True),
    ], [function("T1", "A", "HR", "O", fte=10, desks=10),
        function("T2", "A", "IT", "P", fte=8, desks=8)], horizon_years=5,
        discount_rate=0.05, relocation={"cost_per_fte": 1000.0, "max_km": 40.0})
    programme = case.programme()
    assert (year_of(programme, "close", "O"), year_of(programme, "close", "P")) == (3, 3)
    said = [note for note in programme.notes if "after the horizon" in note]
    assert len(said) == 1 and said[0].startswith("£900.0k of sales"), programme.notes
    assert said[0].endswith(": O (closed in year 3, sold 3 years later); and P (closed in "
                            "year 3, sold 3 years later)"), said


def test_each_closing_says_its_own_rent_owed(tmp_path: Path) -> None:
    """Agency A closes a lease with a break (L) and a freehold (F). Every closing of an
    agency that closes two sites was marked "its agency still owes rent on closed sites",
    the freehold's too (a review): programme.csv now keeps each closing's own rent to its
    exit, whose sum by agency is the cash flow's rent, and only L's mark says it. A
    folder written before the column is marked as before."""
    from estate.render.programme_chart import rent_owed

    programme = leases_register(tmp_path / "register").programme()
    acts, flows = programme.actions, programme.cashflow
    closes = acts[acts["action"] == "close"].set_index("site_id")
    assert closes.at["F", "rent_owed"] == 0.0
    owed = float(flows.loc[flows["agency_id"] == "A", "rent"].sum())
    assert owed > 0 and closes.at["L", "rent_owed"] == pytest.approx(owed, abs=0.01)
    assert (acts.loc[acts["action"] != "close", "rent_owed"] == 0).all()
    said = rent_owed(programme)
    index = {site: int(i) for i, site in acts["site_id"].items()
             if acts.at[i, "action"] == "close"}
    assert said == {index["L"]: f"rent {money(owed)} still owed after it closes"}, said
    older = replace(programme, actions=acts.assign(rent_owed=np.nan))
    assert set(rent_owed(older)) == {index["L"], index["F"]}
