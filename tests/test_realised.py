"""The NPV saving a dated plan that is not scheduled realises (estate.programme.realised):
its own changes, each made as soon as it can be, worked out by hand on tiny registers
and against the dated programme of the same plan."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from estate.pipeline import plan_locality
from estate.programme.realised import realised
from tests.fixtures.programme_registers import function, plan_case, site


def test_a_wait_for_desks_another_team_frees_is_not_counted(tmp_path: Path) -> None:
    """K (kept, 10 desks) houses T1, whose only other place is the candidate C (IT only,
    three years to build); T2 in L (£300k a year, HR only) can move only to K. No
    programme closes L before T1 has left K for C, in year 3, but the snapshot prices
    L's closing from year 1, when T2 may move: £600k of L's running cost (r = 0) that no
    programme saves, which the snapshot's own waits do not see. The plan realises
    £4.00m - £3.27m = £730k over five years, as its programme does, and says the
    £600k."""
    sites = [site("K", "A", 0, 0, desks=10, running_cost=100_000, must_keep=True),
             site("C", "A", 0, 0, desks=20, running_cost=20_000, candidate=True,
                  build_cost=10_000, build_years=3, hosts="IT"),
             site("L", "A", 0, 0, desks=20, running_cost=300_000, hosts="HR")]
    teams = [function("T1", "A", "IT", "K", fte=10, annual_cost=100_000),
             function("T2", "A", "HR", "L", fte=10, annual_cost=300_000)]
    rules = {"horizon_years": 5, "discount_rate": 0.0,
             "relocation": {"cost_per_fte": 5_000.0, "max_km": 300.0}}
    bare = plan_case(tmp_path / "bare", sites, teams, scheduled=False, **rules)
    s = bare.plan.summary
    assert (s.status_quo_npv, s.status_quo_npv - s.objective_npv) == pytest.approx(
        (4_000_000, 1_330_000), abs=0.01)
    assert s.booked_early_npv == pytest.approx(0.0, abs=0.01)  # the snapshot's waits miss it
    plan = realised(bare.plan, bare.model)
    assert plan.summary.npv_saving == pytest.approx(730_000, abs=0.01)
    assert plan.summary.booked_early_npv == pytest.approx(600_000, abs=0.01)
    assert plan.agencies["npv_saving"].tolist() == pytest.approx([730_000], abs=0.01)
    said = [w.found for w in plan.warnings if w.column == "programme"]
    assert len(said) == 1 and said[0].startswith("the NPV saving leaves out £600.0k that "), said
    # the plan is the snapshot's cheapest: a programme may choose one that realises more
    assert said[0].endswith("within yearly limits, and may choose another plan that realises "
                            "more (this one is the cheapest as the snapshot prices it)"), said
    dated = plan_case(tmp_path / "dated", sites, teams, **rules).programme()
    assert dated.npv_saving == pytest.approx(730_000, abs=0.01)


def test_each_agency_pays_a_site_s_running_cost_once_its_team_is_there(
        tmp_path: Path) -> None:
    """B's team T (10 desks) leaves B's office H (£100k a year) for A's kept K (£100k,
    where A's team S sits at 10 desks), but may move only from year 3. Over five years
    at r = 0 the plan saves H's last three years, £300k, and the snapshot counts as much.
    Who saves it: K is A's alone in years 1-2 and halved from year 3 (A £350k, against
    £500k today: £150k), and B pays H for two years and half of K for three (£350k
    against £500k: £150k). The snapshot shares K by the desks used at the end from year
    1, so it said A £250k and B £50k; the difference is each agency's booked_early_npv,
    nought in all."""
    sites = [site("K", "A", 0, 0, desks=20, must_keep=True),
             site("H", "B", 1, 0, desks=20)]
    teams = [function("S", "A", "Ops", "K", desks=10, annual_cost=0),
             function("T", "B", "Ops", "H", desks=10, annual_cost=0,
                      earliest_move="2029-04-01")]
    bare = plan_case(tmp_path, sites, teams, agencies=("A", "B"), scheduled=False,
                     horizon_years=5, discount_rate=0.0)
    before = dict(zip(bare.plan.agencies["agency_id"], bare.plan.agencies["npv_saving"],
                      strict=True))
    assert before == pytest.approx({"A": 250_000, "B": 50_000}, abs=0.01)
    plan = realised(bare.plan, bare.model)
    rows = plan.agencies.set_index("agency_id")
    assert rows["npv_saving"].to_dict() == pytest.approx({"A": 150_000, "B": 150_000},
                                                         abs=0.01)
    assert rows["booked_early_npv"].to_dict() == pytest.approx({"A": 100_000, "B": -100_000},
                                                               abs=0.01)
    assert plan.summary.npv_saving == pytest.approx(300_000, abs=0.01)
    assert plan.summary.booked_early_npv == pytest.approx(0.0, abs=0.01)
    assert str(plan.summary.booked_early_npv) == "0.0"  # not -0.0 in summary.json
    assert not [w for w in plan.warnings if w.column == "programme"]


def test_a_scheduled_or_undated_plan_is_left_as_it_is(tmp_path: Path) -> None:
    """A plan with a [programme] table leads with its programme's figures; one without a
    start date has no years to date its changes in."""
    sites = [site("K", "A", 0, 0, desks=20, must_keep=True), site("H", "A", 1, 0)]
    teams = [function("T", "A", "Ops", "H", desks=10)]
    scheduled = plan_case(tmp_path / "scheduled", sites, teams, horizon_years=5)
    assert realised(scheduled.plan, scheduled.model) is scheduled.plan
    model, undated = plan_locality(replace(scheduled.prep.scenario, start=None,
                                           programme=None))
    assert undated.prepared is not None and undated.prepared.calendar is None
    assert realised(undated, model) is undated
