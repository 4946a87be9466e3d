"""The plain-text summary `estate plan` prints (estate.render.text): the status line
and its warnings."""

from __future__ import annotations

from typing import Any

import pytest

from estate.render.text import alternative_lines, summary_lines
from estate.results import Breach
from estate.results.words import breach_sentence, plan_quality
from tests.fixtures import programme_figures
from tests.fixtures import summary_record as _summary


def test_time_limit_is_loud_and_gap_shown() -> None:
    lines = summary_lines(_summary(status="time_limit", mip_gap=0.0121))
    assert "NOT PROVEN (time limit); within 1.3% of the lowest possible cost" in lines[1]
    assert "optimal" not in lines[1]
    assert not any(line.startswith("Bound:") for line in lines)


@pytest.mark.parametrize(("gap", "said"), [
    (0.0, "proven optimal"), (1e-7, "proven optimal"),
    (0.004193, "within 0.42% of the lowest possible cost"),  # rounded up: a bound stays a bound
    (0.00005, "within 0.005% of the lowest possible cost")])
def test_optimal_is_said_only_of_a_proven_plan(gap: float, said: str) -> None:
    line = summary_lines(_summary(status="optimal", mip_gap=gap))[1]
    assert line.startswith(f"Status:          {said},")
    assert ("optimal" in line) == (gap <= 1e-6)


def test_net_receipts_are_said_in_words() -> None:
    lines = summary_lines(_summary(one_off_cost=-1_450_000.0))
    assert "One-off cost:    net receipts of £1.45m" in lines
    assert "Payback:         at once (sale receipts cover the one-off costs)" in lines
    lines = summary_lines(_summary(one_off_cost=2_100_000.0))
    assert "One-off cost:    £2.10m" in lines
    # with what sales bring known, the spending beside it
    lines = summary_lines(_summary(one_off_cost=-1_450_000.0, one_off_receipts=2_000_000.0))
    assert ("One-off cost:    net receipts of £1.45m (sales bring £2.00m; closing, building, "
            "moving and setting up cost £550.0k)") in lines


def test_a_bound_still_at_its_first_guess_is_explained() -> None:
    # A region stopped before HiGHS solved its root LP: gap 829%.
    lines = summary_lines(_summary(status="time_limit", mip_gap=8.2925))
    bound = [line for line in lines if line.startswith("Bound:")]
    assert len(bound) == 1 and "time_limit_s" in bound[0] and "areas" in bound[0]
    # an optimal plan never gets it, nor a plan at exactly 100%
    assert not any(x.startswith("Bound:") for x in summary_lines(_summary(mip_gap=0.0)))
    assert not any(x.startswith("Bound:") for x in
                   summary_lines(_summary(status="time_limit", mip_gap=1.0)))


@pytest.mark.parametrize(("added", "said"), [
    (1_220_000.0, "Timing:          adds £1.22m to the NPV of cost: rent owed after closing, "
                  "sales that take time, sites running until their teams may move, savings "
                  "from the year each team may move and pool, new sites' running cost from "
                  "the year they open"),
    (-6_117.0, "Timing:          takes £6.1k off the NPV of cost: rent owed after closing, "
               "sales that take time, sites running until their teams may move, savings "
               "from the year each team may move and pool, new sites' running cost from "
               "the year they open"),
])
def test_what_timing_adds_reads_as_a_cost(added: float, said: str) -> None:
    """A closing that waits pays its closure cost later, worth less today, and a plan not
    scheduled pays a new site's running cost only once it opens, so timing can take off
    as well as add. A plan not scheduled prices its teams' and new sites' waits
    (docs/programme.md); one scheduled leaves them to its programme."""
    assert said in summary_lines(_summary(lease_cost_npv=added))
    programme = {"method": "roadmap", "start": "2027-04-01", "changes": 3,
                 "npv_saving": 1_400_000.0, "payback_year": 1, "notes": []}
    scheduled = summary_lines(_summary(lease_cost_npv=added, programme=programme))
    # beside a programme the figure is the year-1 plan's, and says so (it read as the
    # programme's own, whose cash flow may owe far less rent)
    assert said.split(", savings from")[0].replace(
        "the NPV of cost:", "the NPV of cost if every change were made in year 1:") \
        in scheduled, scheduled
    assert not any("new sites'" in line for line in scheduled)


def test_the_price_of_the_yearly_limits_follows_the_programme() -> None:
    programme = {"method": "roadmap", "start": "2027-04-01", "changes": 3,
                 "npv_saving": 1_400_000.0, "payback_year": 1, "notes": ["a note"],
                 "unlimited_saving": 1_550_000.0}
    lines = summary_lines(_summary(npv_saving=1_600_000.0, programme=programme))
    assert lines[-2:] == ["                 a note",
                          "Yearly limits:   they cost £0.15m (with none, the same changes would "
                          "save £1.55m)"]
    # no limits, or the joint model's end state: nothing to price against
    for changed in ({"unlimited_saving": None}, {"method": "joint"}):
        lines = summary_lines(_summary(programme={**programme, **changed}))
        assert not any(line.startswith("Yearly limits:") for line in lines)


@pytest.mark.parametrize(("year", "said"), [(3, "pays back in year 3"),
                                            (None, "does not pay back within the horizon")])
def test_the_programme_line_says_when_it_pays_back(year: int | None, said: str) -> None:
    programme = {"method": "roadmap", "start": "2027-04-01", "changes": 3,
                 "npv_saving": -50_000.0, "payback_year": year, "notes": []}
    line = next(line for line in summary_lines(_summary(programme=programme))
                if line.startswith("Programme:"))
    assert line == f"Programme:       roadmap from 2027-04-01, 3 changes; {said}", line


@pytest.mark.parametrize(("year", "lasting", "dated"), [
    (3, 3, "year 3 (discounted)"),
    (1, 4, "year 1 (discounted); for good in year 4"),
    (None, None, "not within the horizon")])
def test_a_dated_plan_s_payback_leads_with_the_programme_s(
        year: int | None, lasting: int | None, dated: str) -> None:
    """With a dated programme, the payback a board counts on is the programme's (the
    first year its saving so far, at today's value, is positive, and the year it stays
    so when later spending loses it first); the
    plan's own (one-off over annual saving: £2.00m over £1.00m, 2 years; at once when sales pay for the
    changes) is said to be every change made in year 1, as the NPV saving below it."""
    programme = {"method": "roadmap", "start": "2027-04-01", "changes": 3,
                 "npv_saving": 4_000_000.0, "payback_year": year,
                 "lasting_payback_year": lasting, "notes": []}
    lines = summary_lines(_summary(programme=programme))
    at = lines.index(f"Payback:         {dated}, dated from 2027-04-01")
    assert lines[at + 1] == "                 2 years if every change were made in year 1"
    assert lines[at + 2].startswith("NPV saving:      £4.00m over 10 years, 3.5% a year, dated")
    lines = summary_lines(_summary(programme=programme, one_off_cost=-1_450_000.0,
                                   payback_years=0.0))
    assert ("                 at once (sale receipts cover the one-off costs) if every change "
            "were made in year 1") in lines
    assert "Payback:         at once (sale receipts cover the one-off costs)" not in lines
    # an undated plan's payback is the only one, said as before
    assert "Payback:         2 years" in summary_lines(_summary())


def test_an_alternatives_difference_carries_its_own_sign() -> None:
    """An alternative is dearer than the plan (+), or cheaper when a search stopped short
    of proof (-): never "+-£314.0k"."""
    alternatives = _alternatives([_listed(1, -313_953.39, "S029", "keep", "close"),
                                  _listed(2, 258_400.0, "S045", "close", "keep")],
                                 allowance_npv=5_842_000.0)
    lines = alternative_lines(_summary(alternatives=alternatives, status="time_limit",
                                       mip_gap=0.0121))
    assert lines == ["Alternatives:    2 within 5% of the saving (+£5.84m)",
                     "  alternatives/1: -£314.0k; S029 keep->close",
                     "  alternatives/2: +£258.4k; S045 close->keep",
                     "  (alternatives/1 costs less than the plan written, which was searched "
                     "only to within 1.3% of the cheapest: a longer solver.time_limit_s "
                     "settles which is cheapest)"]
    # a plan searched to a loose solver.mip_gap ends "optimal" yet may be dearer too
    loose = alternative_lines(_summary(alternatives=alternatives, mip_gap=0.0095))
    assert loose[-1] == ("  (alternatives/1 costs less than the plan written, which was "
                         "searched only to within 0.95% of the cheapest: a smaller "
                         "solver.mip_gap settles which is cheapest)"), loose
    # a proven plan has no cheaper alternative but by rounding: no note
    proven = alternative_lines(_summary(alternatives=alternatives, mip_gap=0.0))
    assert not any("less than the plan written" in line for line in proven), proven
    # measured against the snapshot optimum, a difference is not against the plan written
    snapshot = alternative_lines(_summary(alternatives={
        **alternatives, "measured_against": "snapshot_optimum"}, mip_gap=0.0095))
    assert not any("less than the plan written" in line for line in snapshot), snapshot


def test_a_dated_plan_s_allowance_is_said_of_its_year_1_saving_even_with_none_found() -> None:
    """The allowance is a share of the plan's own saving, which for a dated plan is not
    its (programme's) `npv_saving`: said so when no alternative was found too."""
    alternatives = _alternatives([], allowance_npv=300_000.0, note="0 of 1 alternatives found")
    programme = programme_figures(payback_year=2)
    dated = _summary(alternatives=alternatives).dated(programme)
    assert alternative_lines(dated)[0] == ("Alternatives:    0 within 5% of the saving if "
                                           "every change were made in year 1 (+£300.0k)")
    assert alternative_lines(_summary(alternatives=alternatives))[0] == (
        "Alternatives:    0 within 5% of the saving (+£300.0k)")


def _listed(index: int, difference: float, site: str, before: str, after: str
            ) -> dict[str, Any]:
    """One alternative as a plan's summary lists it, deciding one site otherwise."""
    return {"index": index, "folder": f"alternatives/{index}", "status": "optimal",
            "objective_npv": 94e6 + difference, "npv_saving": 6e6 - difference,
            "npv_difference": difference, "sites_after": 8,
            "sites_differ": [{"site_id": site, "name": site, "optimum": before,
                              "alternative": after}]}


def _alternatives(plans: list[dict[str, Any]], **changes: Any) -> dict[str, Any]:
    """A plan's table of alternatives, as summary.json holds it."""
    return {"requested": 2, "within_pct": 5.0, "allowance_npv": 0.0, "found": len(plans),
            "note": "", "plans": plans, **changes}


def _alternative(**changes: Any) -> dict[str, Any]:
    """An alternative's own table, as its summary.json holds it."""
    return {"index": 1, "of": "Region", "sites_differ": [], **changes}


@pytest.mark.parametrize(("alternative", "status", "said"), [
    (_alternative(npv_difference=545000.0, optimum_status="optimal", optimum_mip_gap=0.0),
     "optimal", "an alternative, £545.0k (NPV) dearer than the cheapest plan, which is "
                "proven optimal"),
    (_alternative(npv_difference=-20000.0, optimum_status="time_limit", optimum_mip_gap=0.01),
     "optimal", "an alternative, £20.0k (NPV) cheaper than the main plan, which the "
                "time limit stopped before it was proven optimal"),
    (_alternative(npv_difference=0.0, optimum_status="optimal", optimum_mip_gap=0.0004),
     "time_limit", "an alternative, costing the same (NPV) as the cheapest plan found, which "
                   "is within 0.04% of the lowest possible cost; the time limit stopped its "
                   "own search before it was proven the cheapest of the other choices"),
    # written before summaries recorded how sure the cheapest plan is
    (_alternative(npv_difference=1.5e6), "optimal",
     "an alternative, £1.50m (NPV) dearer than the cheapest plan found"),
])
def test_an_alternative_says_what_it_costs_beside_the_cheapest_plan(
        alternative: dict, status: str, said: str) -> None:
    summary = _summary(alternative=alternative, status=status, mip_gap=0.0)
    assert summary_lines(summary)[1].startswith(f"Status:          {said}, ")


def test_the_rules_a_programme_s_end_state_breaks_are_named_each_with_how() -> None:
    """A plan that is a roadmap's end state breaking rules no year checks says so in
    its Plan: line, one rule in the singular, two counted, each with how it is broken."""
    one = (Breach("policy.max_one_off", "a net one-off cost of £300.0k, above the £100.0k "
                                        "it allows"),)
    two = (*one, Breach("coverage.0", "0.0% of people reach public_access within 5 km, "
                                      "50.0% required"))
    assert breach_sentence(one) == (
        "It breaks a rule that no year of the programme checks: policy.max_one_off (a net "
        "one-off cost of £300.0k, above the £100.0k it allows).")
    assert breach_sentence(two).startswith("It breaks 2 rules that no year of the "
                                           "programme checks: policy.max_one_off (")
    assert breach_sentence(two).endswith("; coverage.0 (0.0% of people reach public_access "
                                         "within 5 km, 50.0% required).")
    summary = _summary(plan_from="programme", snapshot_npv_saving=340_000.0, mip_gap=0.0,
                       programme={"method": "roadmap"},
                       plan_breaches=[b.to_json() for b in two])
    # the Plan: line of the terminal and the board pack's decision say plan_quality's
    said = plan_quality(summary)[1]
    assert said.startswith("The plan is the estate the dated programme reaches")
    assert breach_sentence(two) + " It is proven" in said
    assert "no year of the programme checks" not in plan_quality(
        summary.replace(plan_breaches=None))[1]


def _area(status: str, gap: float | None) -> dict[str, object]:
    return {"status": status, "objective_npv": 1e6, "npv_saving": 1e5, "mip_gap": gap,
            "solve_seconds": 3.0}


def test_a_national_plan_names_the_areas_the_time_limit_stopped() -> None:
    """The merged status and gap are the worst area's: the terminal names the areas
    not proven, the largest gap first (the gap over 100%, a bound still at its first
    guess, said as unknown). Before, no line said which of the areas they were, and the
    Bound line told a national plan to plan as areas."""
    areas = {"east": _area("optimal", 0.0), "north": _area("time_limit", 0.0121),
             "south": _area("time_limit", 2.68), "west": _area("time_limit", 0.004)}
    lines = summary_lines(_summary(status="time_limit", mip_gap=2.68, areas=areas,
                                   area_count=4))
    assert ("Areas:           3 of 4 stopped by the time limit before proof: south (gap unknown), "
            "north (within 1.3%), west (within 0.4%)") in lines
    [bound] = [line for line in lines if line.startswith("Bound:")]
    assert bound.endswith("raise solver.time_limit_s (it applies to each area)")
    proven = {area: _area("optimal", 0.0) for area in areas}
    assert not any(line.startswith("Areas:") for line in
                   summary_lines(_summary(areas=proven, area_count=4)))
    many = {f"a{i}": _area("time_limit", 0.01 * (i + 1)) for i in range(7)}
    [said] = [line for line in summary_lines(_summary(status="time_limit", mip_gap=0.07,
                                                      areas=many, area_count=7))
              if line.startswith("Areas:")]
    assert said.endswith("a6 (within 7%), a5 (within 6%), a4 (within 5%), a3 (within 4%), "
                         "a2 (within 3%) and 2 more (summary.json's areas)")


def test_a_search_that_found_nothing_better_than_today_says_so() -> None:
    """HiGHS starts from today's estate, so a search the time limit stops at once hands
    it back as the plan: the terminal says the search found nothing cheaper, which does
    not show there is nothing, and the fix; a plan that changes something, or is
    proven, does not get the line."""
    still = {"sites_closed": 0, "sites_opened": 0, "shared_centres": 0,
             "fte_relocated": 0.0}
    lines = summary_lines(_summary(status="time_limit", mip_gap=None, **still))
    assert any(line.startswith("Found:           nothing cheaper than today's estate")
               and line.endswith("raise solver.time_limit_s") for line in lines), lines
    assert not any(line.startswith("Found:") for line in summary_lines(
        _summary(status="optimal", mip_gap=0.0, **still)))
    assert not any(line.startswith("Found:") for line in summary_lines(
        _summary(status="time_limit", mip_gap=None, **{**still, "sites_closed": 1})))


def test_a_dated_end_state_says_a_losing_snapshot_optimum_as_a_cost() -> None:
    """The snapshot optimum's own year-1 figure beside a programme's end state: "so
    made, it would save £4.99m", and a loss as a cost, never "would save -£45.78m"."""
    from estate.results.words import programme_end_words

    programme = programme_figures(method="joint", payback_year=2)
    base = _summary().dated(programme).replace(plan_from="programme",
                                               snapshot_differs=("closes S2 too",))
    said = programme_end_words(base.replace(snapshot_npv_saving=4_990_000.0))[1]
    assert "(so made, it would save £4.99m), which differs from it" in said, said
    lost = programme_end_words(base.replace(snapshot_npv_saving=-45_780_000.0))[1]
    assert "(so made, it would cost £45.78m more)" in lost and "-£" not in lost, lost
