"""The plan summary: its JSON form round-trips, damage is located, and it flattens to the
one set of column names that comparisons and sweeps both write."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from estate.errors import InputError, Problem
from estate.load.free_text import REFUSED
from estate.results import Breach, Summary
from estate.results.payback import payback_words
from estate.results.policy_cost import PolicyCost, PolicyStatus
from estate.results.summary import SavingBasis, saving_basis, year_one_saving
from estate.results.summary_values import RANGES, disjoint
from estate.results.words import limits_words, one_off_parts
from estate.status import Status
from tests.fixtures import programme_figures, summary_record
from tests.fixtures.results import PROGRAMME


def test_summary_round_trips_through_its_json() -> None:
    summary = summary_record(
        status="time_limit", mip_gap=0.02, status_quo_feasible=False,
        status_quo_breaches=[{"rule": "housed", "place": "F1 has no site today"}],
        agencies={"A": {"name": "Council", "annual_cost_before": 5.0, "annual_cost_after": 6.0,
                        "one_off_cost": 1.0, "worse_off": True}})
    again = Summary.from_json(summary.to_json())
    assert again == summary
    assert again.status is Status.TIME_LIMIT
    assert again.agencies["A"].worse_off and again.status_quo_breaches[0].rule == "housed"
    assert "policy_costs" not in summary.to_json()
    assert "plan_breaches" not in summary.to_json()  # only a programme's end state has them
    broken = summary.replace(plan_breaches=(Breach("policy.max_one_off", "£300.0k"),))
    assert broken.to_json()["plan_breaches"] == [{"rule": "policy.max_one_off",
                                                  "place": "£300.0k"}]
    assert Summary.from_json(broken.to_json()) == broken
    # an unproven cost with no bound above is written and read back with a null high end
    open_ended = {"must_keep": PolicyCost(PolicyStatus.PRICED, "s", 5.0, 15.0, "optimal",
                                          10.0, "time_limit", npv_low=1.0)}
    data = summary.replace(policy_costs=open_ended).to_json()
    assert data["policy_costs"]["must_keep"] == {
        "status": "priced", "npv": 5.0, "with_npv": 15.0, "with_status": "optimal",
        "without_npv": 10.0, "without_status": "time_limit", "sentence": "s",
        "npv_low": 1.0, "npv_high": None}
    assert Summary.from_json(data).policy_costs == open_ended


def test_a_dated_summary_leads_with_its_programme_s_saving() -> None:
    """DESIGN 9: the summary's `npv_saving` is over the programme. Dated, a plan saving
    £6m if every change were made in year 1 (£100m - £94m) whose programme saves £5.2m
    reads £5.2m, and keeps the £6m as `year_one_npv_saving`; dating it again keeps that."""
    plain = summary_record()
    programme = programme_figures(method="roadmap")
    dated = plain.dated(programme, plan_from="snapshot")
    assert (dated.npv_saving, dated.year_one_npv_saving) == (5.2e6, 6e6)
    assert plain.saving_in_year_one == dated.saving_in_year_one == 6e6
    assert dated.dated(programme).year_one_npv_saving == 6e6
    data = dated.to_json()
    assert (data["npv_saving"], data["year_one_npv_saving"]) == (5.2e6, 6e6)
    assert list(data).index("year_one_npv_saving") == list(data).index("programme") + 1
    assert Summary.from_json(data) == dated
    assert "year_one_npv_saving" not in plain.to_json()
    assert plain.flat()["npv_saving"] == 6e6 and dated.flat()["year_one_npv_saving"] == 6e6


def test_a_folder_written_with_the_year_1_saving_on_top_is_read_in_today_s_meaning() -> None:
    """Before, a dated summary's `npv_saving` was the year-1 figure beside its programme:
    read now, the programme's leads and the year-1 figure is `year_one_npv_saving`."""
    data = summary_record().to_json()
    data["programme"] = {**PROGRAMME, "method": "joint", "npv_cost": 94.8e6,
                         "npv_saving": 5.2e6}
    read = Summary.from_json(data)
    assert (read.npv_saving, read.year_one_npv_saving) == (5.2e6, 6e6)


def test_a_year_1_saving_stands_only_beside_a_programme() -> None:
    """Added by hand to a folder with no programme, `year_one_npv_saving` would take the
    before-less-after check off a made-up `npv_saving`: refused. Taken out of a dated
    folder whose `npv_saving` is the programme's, it is named as missing, not read as an
    old folder's."""
    data = summary_record().to_json()
    with pytest.raises(InputError) as caught:
        Summary.from_json({**data, "npv_saving": 99_999_999.0, "objective_npv": 94e6,
                           "year_one_npv_saving": 6e6}, source="s.json")
    assert caught.value.problems[0].column == "year_one_npv_saving"
    dated = summary_record().dated(programme_figures(method="joint")).to_json()
    del dated["year_one_npv_saving"]
    with pytest.raises(InputError) as caught:
        Summary.from_json(dated, source="s.json")
    problem = caught.value.problems[0]
    assert (problem.column, problem.found) == ("year_one_npv_saving", "nothing")


@pytest.mark.parametrize(("row", "expected"), [
    ({"npv_saving": 5.0}, 5.0), ({"npv_saving": 5.0, "year_one_npv_saving": 6.0}, 6.0),
    ({"npv_saving": 5.0, "year_one_npv_saving": None}, 5.0),
    ({"npv_saving": 5.0, "year_one_npv_saving": math.nan}, 5.0),
    ({"npv_saving": 5.0, "year_one_npv_saving": " "}, 5.0)])
def test_a_row_s_year_1_saving_is_its_own_where_it_has_no_other(row: dict[str, Any],
                                                                expected: float) -> None:
    """A comparison row of an undated plan has a blank `year_one_npv_saving` (NaN, None
    or an empty cell as read): its `npv_saving` is its year-1 saving."""
    assert year_one_saving(row) == expected


def test_a_row_says_what_its_npv_saving_counts() -> None:
    """comparison.csv and sweep.csv carry dated and undated plans' savings under one
    `npv_saving`; `npv_saving_basis`, beside it, says which each is: a programme's, a
    plan with a start date and no programme (each change from when it can happen), or
    one with no start date (every change in year 1)."""
    undated = summary_record()
    started = undated.replace(lease_cost_npv=0.0)  # a start date: leases priced, even at 0
    scheduled = started.dated(programme_figures(method="roadmap"))
    rows = [s.flat() for s in (undated, started, scheduled)]
    assert [r["npv_saving_basis"] for r in rows] == [
        "every change in year 1", "the plan's own changes dated, no yearly limits",
        "dated programme"]
    assert all(list(r).index("npv_saving_basis") == list(r).index("npv_saving") + 1
               for r in rows)
    # the same rule over a comparison row read back as text (the board pack's reading)
    as_read = [(r.get("programme.npv_saving", ""), r.get("lease_cost_npv", ""))
               for r in rows]
    assert [saving_basis(*(str(v) if v is not None else "nan" for v in cells))
            for cells in as_read] == [SavingBasis.YEAR_ONE, SavingBasis.WHEN_POSSIBLE,
                                      SavingBasis.PROGRAMME]


@pytest.mark.parametrize(("key", "by", "named"), [
    ("npv_saving", 11.0, "npv_saving"), ("year_one_npv_saving", 11.0, "year_one_npv_saving"),
    ("objective_npv", 1e6, "year_one_npv_saving")])
def test_a_dated_saving_edited_by_hand_is_refused(key: str, by: float, named: str) -> None:
    """A dated summary's `npv_saving` must be its programme's, and its year-1 saving its
    status quo less its objective; pennies of rounding pass."""
    data = summary_record().dated(programme_figures(method="joint")).to_json()
    assert Summary.from_json({**data, key: data[key] + 9.0}) is not None
    with pytest.raises(InputError) as caught:
        Summary.from_json({**data, key: data[key] + by}, source="s.json")
    assert caught.value.problems[0].column == named


@pytest.mark.parametrize(("key", "value", "named"), [
    ("status", "done", "status"), ("sites_after", "many", "sites_after"),
    # a whole number too large for a float: no "Unexpected error: OverflowError"
    ("objective_npv", 10 ** 400, "objective_npv"), ("mip_gap", 10 ** 400, "mip_gap"),
    ("agencies", {"A": {"name": "x"}}, "agencies"),
    ("status_quo_breaches", [{"rule": "r"}], "status_quo_breaches"),
    ("status_quo_feasible", "no", "status_quo_feasible"),
    ("plan_breaches", [{"place": "p"}], "plan_breaches"),
    ("plan_breaches", "policy.max_one_off", "plan_breaches"),
    ("policy_costs", {"must_keep": {"status": "priced", "sentence": "s", "npv": 5.0,
                                    "npv_low": 1.0, "npv_high": "9"}},
     "policy_costs.must_keep.npv_high"),
    ("policy_costs", {"must_keep": {"status": "priced", "sentence": "s", "npv": 5.0,
                                    "npv_low": math.inf, "npv_high": 9.0}},
     "policy_costs.must_keep.npv_low"),
    ("policy_costs", {"must_keep": {"status": "priced", "npv": 5.0}},
     "policy_costs.must_keep.sentence"),
    ("policy_costs", {"must_keep": {"status": "done", "sentence": "s", "npv": 5.0}},
     "policy_costs.must_keep.status"),
    ("policy_costs", {"must_keep": "£5"}, "policy_costs.must_keep"),
    ("policy_costs", ["must_keep"], "policy_costs")])
def test_a_damaged_key_is_named(key: str, value: object, named: str) -> None:
    data = summary_record().to_json()
    data[key] = value
    with pytest.raises(InputError) as caught:
        Summary.from_json(data, source="results/x/summary.json")
    problem = caught.value.problems[0]
    assert problem.file == "results/x/summary.json" and problem.column == named


def test_a_missing_key_is_named() -> None:
    data = summary_record().to_json()
    del data["npv_saving"]
    with pytest.raises(InputError, match="npv_saving"):
        Summary.from_json(data)


@pytest.mark.parametrize(("key", "by"), [("npv_saving", 11.0), ("annual_saving", -11.0),
                                         ("objective_npv", 1e6), ("annual_cost_after", 20.0)])
def test_a_saving_that_is_not_before_less_after_is_refused(key: str, by: float) -> None:
    """A hand-edited figure breaks before - after = saving; pennies of rounding do not."""
    data = summary_record().to_json()
    assert Summary.from_json({**data, key: data[key] + 9.0}) is not None
    with pytest.raises(InputError) as caught:
        Summary.from_json({**data, key: data[key] + by}, source="s.json")
    saving = key if "saving" in key else {"objective_npv": "npv_saving",
                                          "annual_cost_after": "annual_saving"}[key]
    assert caught.value.problems[0].column == saving
    data["annual_saving"] = -1_200.0
    with pytest.raises(InputError, match=r"annual_cost_after = £1,000,000\.00, found "
                                         r"-£1,200\.00, £1,001,200\.00 apart"):
        Summary.from_json(data)


def test_a_saving_booked_early_is_taken_off_and_kept_in_the_sum() -> None:
    """Dated and not scheduled, a plan whose snapshot books £0.4m before any programme
    could make its changes saves the status quo less its objective less that: £100m -
    £94m - £0.4m = £5.6m. A summary whose saving is the £6m the objective alone gives was
    edited (or the key taken away), and the key beside a programme was put there by
    hand: both are refused at their key."""
    booked = summary_record(npv_saving=5.6e6, objective_npv=94e6, lease_cost_npv=1e5,
                            booked_early_npv=4e5)
    assert booked.npv_saving == 5.6e6 and booked.saving_in_year_one == 5.6e6
    assert Summary.from_json(booked.to_json()) == booked
    with pytest.raises(InputError) as caught:
        Summary.from_json({**booked.to_json(), "npv_saving": 6e6}, source="s.json")
    assert caught.value.problems[0].column == "npv_saving"
    assert "objective_npv - booked_early_npv = £5,600,000.00" in str(caught.value)
    dated = summary_record(lease_cost_npv=1e5).dated(programme_figures(method="roadmap"))
    with pytest.raises(InputError) as caught:
        Summary.from_json({**dated.to_json(), "booked_early_npv": 0.0}, source="s.json")
    assert caught.value.problems[0].column == "booked_early_npv"


@pytest.mark.parametrize("years", [0, -1, 10_001, 10**9, True, "10", 10.5, math.inf])
def test_a_horizon_outside_1_to_10000_whole_years_is_refused(years: object) -> None:
    """A hand-edited horizon of 0 years once passed as a count of sites (0 to 1e9), and a
    pack then said "saves £13.28m over 0 years"."""
    data = summary_record().to_json()
    with pytest.raises(InputError) as caught:
        Summary.from_json({**data, "horizon_years": years}, source="s.json")
    problem = caught.value.problems[0]
    assert (problem.column, problem.expected) == ("horizon_years", "a number from 1 to 10,000")
    # a count's range in words as a lead reads them, not Python's 1e+09
    data = {**data, "sites_closed": -1}
    with pytest.raises(InputError) as caught:
        Summary.from_json(data, source="s.json")
    assert caught.value.problems[0].expected == "a number from 0 to 1,000,000,000"
    data = summary_record().to_json()
    for years in (1, 10_000):
        assert Summary.from_json({**data, "horizon_years": years}).horizon_years == years


def test_every_range_is_given_once() -> None:
    """The ranges are built so that a key given twice is an error when estate is
    imported, not a range silently replaced by a later one."""
    assert RANGES["horizon_years"] == (int, 1, 10_000)
    assert RANGES["sites_after"] == (int, 0, 1e9) and RANGES["mip_gap"] == (float, 0.0, 1e9)
    with pytest.raises(ValueError, match="given twice: horizon_years"):
        disjoint({"horizon_years": (int, 1, 10)}, {"horizon_years": (int, 0, 9),
                                                   "sites_after": (int, 0, 9)})


@pytest.mark.parametrize(("key", "value"), [
    ("discount_rate", "0.035"), ("mip_gap", "0.01"), ("sites_after", True),
    ("discount_rate", math.nan)])
def test_a_ranged_figure_is_a_json_number(key: str, value: object) -> None:
    data = summary_record().to_json()
    with pytest.raises(InputError) as caught:
        Summary.from_json({**data, key: value})
    assert caught.value.problems[0].column == key


def _damaged(change: Callable[[dict[str, Any]], object]) -> Problem:
    data = summary_record(
        status_quo_feasible=False,
        status_quo_breaches=[{"rule": "housed", "place": "F1 has no site today"}],
        agencies={"A": {"name": "Council", "annual_cost_before": 5.0, "annual_cost_after": 6.0,
                        "one_off_cost": 1.0, "worse_off": True}}).to_json()
    change(data)
    with pytest.raises(InputError) as caught:
        Summary.from_json(data, source="results/x/summary.json")
    assert len(caught.value.problems) == 1
    return caught.value.problems[0]


@pytest.mark.parametrize(("key", "value"), [
    ("scenario", None), ("scenario", ["a"]), ("scenario", 123), ("solver", None),
    ("solver", {"name": "highs"}), ("crs", None), ("crs", 27700)])
def test_a_text_of_another_json_type_is_refused_at_its_key(key: str, value: object) -> None:
    """str(value) once made the map's title "Estate plan: None"."""
    problem = _damaged(lambda data: data.update({key: value}))
    assert (problem.file, problem.column) == ("results/x/summary.json", key)
    assert problem.expected == "a text in quotes, as `estate plan` writes it"
    assert problem.found == ("null" if value is None else f"{value!r}")[:80] + (
        "" if value is None else f" ({_KINDS[type(value)]})")


_KINDS = {list: "a list", int: "a number", dict: "an object"}


@pytest.mark.parametrize(("change", "key", "expected"), [
    (lambda d: d["agencies"]["A"].update(name=5), "agencies.A.name", "a text in quotes"),
    (lambda d: d["agencies"]["A"].update(name=None), "agencies.A.name", "a text in quotes"),
    (lambda d: d["agencies"]["A"].update(worse_off="no"), "agencies.A.worse_off",
     "true or false"),
    (lambda d: d["status_quo_breaches"][0].update(place=5), "status_quo_breaches[0].place",
     "a text in quotes"),
    (lambda d: d["status_quo_breaches"][0].update(area=None), "status_quo_breaches[0].area",
     "a text in quotes"),
])
def test_a_value_inside_a_table_is_named_by_its_dotted_key(
        change: Callable[[dict[str, Any]], object], key: str, expected: str) -> None:
    problem = _damaged(change)
    assert problem.column == key and problem.expected.startswith(expected)


@pytest.mark.parametrize(("change", "key", "found"), [
    (lambda d: d.update(scenario="abc\u202etxt.exe"), "scenario", r"'abc\u202etxt.exe'"),
    (lambda d: d.update(scenario="x\x1b[31mRED"), "scenario", r"'x\x1b[31mRED'"),
    (lambda d: d["agencies"]["A"].update(name="Coun\u202dcil"), "agencies.A.name",
     r"'Coun\u202dcil'"),
    (lambda d: d["status_quo_breaches"][0].update(place="F1\x9b"),
     "status_quo_breaches[0].place", r"'F1\x9b'"),
    (lambda d: d.update(snapshot_differs=["closes S2", "\x07"]), "snapshot_differs[1]",
     r"'\x07'"),
    (lambda d: d.update(programme={"notes": ["ok"], "n\x00te": 1}), "programme.n\x00te",
     r"'n\x00te'"),
])
def test_a_hidden_character_anywhere_in_the_summary_is_refused_at_its_key(
        change: Callable[[dict[str, Any]], object], key: str, found: str) -> None:
    """A direction override would show `abc\u202etxt.exe` as `abcexe.txt` on the map and
    in the pack; estate writes none, as registers and scenarios holding one are refused.
    The character is shown escaped in the message, never as itself."""
    problem = _damaged(change)
    assert (problem.column, problem.found) == (key, found)
    assert problem.expected == REFUSED


def test_flat_names_columns_by_dotted_keys() -> None:
    row = summary_record(
        scenario="S",
        agencies={"A": {"name": "n", "annual_cost_before": 2.0, "annual_cost_after": 1.0,
                        "one_off_cost": 0.0, "worse_off": False}},
        policy_costs={"coverage.0": {"npv": 5.0, "status": "priced",
                                     "sentence": "coverage.0 costs £5"},
                      "must_keep": {"npv": 7.0, "npv_low": 3.0, "npv_high": 9.5,
                                    "status": "priced", "sentence": "unproven"},
                      "policy.close": {"npv": None, "npv_low": 2.0, "npv_high": None,
                                       "status": "priced", "sentence": "at least £2"},
                      "coverage.1": {"npv": None, "status": "declined", "sentence": "no"}},
        status_quo_breaches=[{"rule": "housed", "place": "F1 has no site today"}],
        model_size={"columns": 3}).flat()
    assert row["scenario"] == "S" and row["status"] == "optimal"
    assert row["agency.A.name"] == "n" and row["agency.A.worse_off"] is False
    assert row["agency.A.annual_cost_after"] == 1.0
    assert row["policy_cost.coverage.0"] == 5.0
    # the range a cost lies in: the cost twice when proven, the bounds when not
    assert [row[f"policy_cost.{p}.{end}"] for p in ("coverage.0", "must_keep",
                                                    "policy.close", "coverage.1")
            for end in ("low", "high")] == [5.0, 5.0, 3.0, 9.5, 2.0, None, None, None]
    assert row["status_quo_breaches"] == "housed: F1 has no site today"
    assert row["model_size.columns"] == 3
    assert not any(isinstance(v, dict | list) for v in row.values())


@pytest.mark.parametrize(("years", "one_off", "short", "long"), [
    (None, 100.0, "never", "never (there is no annual saving)"),
    (0.0, -50_000.0, "at once", "at once (sale receipts cover the one-off costs)"),
    (0.0, 0.0, "at once", "at once (there is no net one-off cost)"),
    (0.02, 1_000.0, "under a month", "under a month"),
    (0.42, 210_000.0, "5 months", "5 months"),
    (1 / 12, 1.0, "1 month", "1 month"),
    (2.34, 1.0, "2.3 years", "2.3 years"),
    (1.0, 1.0, "1 year", "1 year"),
    (1.04, 1.0, "1 year", "1 year"),
    (1.96, 1.0, "2 years", "2 years"),
])
def test_payback_is_worded_once_for_every_output(years, one_off, short: str,
                                                 long: str) -> None:
    assert payback_words(years, one_off) == (short, long)


def test_a_one_off_total_says_what_sales_bring() -> None:
    assert one_off_parts(-50_000, 80_000) == ("sales bring £80.0k; closing, building, "
                                              "moving and setting up cost £30.0k")
    assert one_off_parts(210_000, 0.0) == "" and one_off_parts(210_000, None) == ""
    # the parts in the total's unit, so they add up as read: £1,435.0k less £900.0k is
    # the £535.0k beside them ("£1.44m" less £900.0k read as £540k)
    assert one_off_parts(535_000, 900_000) == ("sales bring £900.0k; closing, building, "
                                               "moving and setting up cost £1,435.0k")
    assert one_off_parts(1_440_000, 50_000) == ("sales bring £50.0k; closing, building, "
                                                "moving and setting up cost £1.49m")
    assert one_off_parts(-400, 900_000) == ("sales bring £900,000; closing, building, "
                                            "moving and setting up cost £899,600")


def test_the_price_of_yearly_limits_reads_as_a_cost_or_nothing() -> None:
    # the figures are to £10k, so their difference is too: £0.15m, not £150.0k
    assert limits_words("roadmap", 1_550_000.0, 1_400_000.0) == \
        "cost £0.15m (with none, the same changes would save £1.55m)"
    # a search that left the free schedule short: the limits did not cost anything seen
    assert limits_words("roadmap", 1_399_000.0, 1_400_000.0).startswith("cost nothing (")
    # no limits set, or the joint model's own changes: nothing to say
    assert limits_words("roadmap", None, 1_400_000.0) is None
    assert limits_words("joint", 1_550_000.0, 1_400_000.0) is None
    # the cost is the difference of the two figures as they read, so a reader's sum
    # checks: £116.79m - £103.08m is £13.71m (exactly, £13.718m would read £13.72m)
    assert limits_words("roadmap", 116_794_000.0, 103_076_000.0) == \
        "cost £13.71m (with none, the same changes would save £116.79m)"


def test_a_gap_is_said_inside_the_tolerance_only_when_it_is() -> None:
    from estate.results.words import quality_words

    _, within = quality_words(Status.OPTIMAL, 0.0042, 0.005)
    assert within == ("The plan's NPV of cost is within 0.42% of the lowest possible, inside "
                      "the 0.5% tolerance the scenario sets for the search.")
    _, edited = quality_words(Status.OPTIMAL, 0.05, 0.0001)
    assert edited == "The plan's NPV of cost is within 5% of the lowest possible."
    assert "inside" in quality_words(Status.OPTIMAL, 0.005, 0.005)[1]


@pytest.mark.parametrize(("status", "gap", "method", "proven", "said"), [
    ("optimal", 0.0, "roadmap", True,
     "It is proven the cheapest schedule of the plan's changes that keeps every timing rule."),
    ("optimal", 1e-6, "joint", True,
     "It is proven the cheapest programme that keeps every timing rule."),
    ("optimal", 0.00123, "roadmap", False, "Its NPV of cost is within 0.13% of the cheapest "
     "schedule of the plan's changes that keeps every timing rule."),
    ("time_limit", 0.004, "joint", False, "The solver's time limit stopped the search for "
     "it; its NPV of cost is within 0.4% of the cheapest programme that keeps every timing "
     "rule."),
    ("time_limit", 3.0, "joint", False, "The solver's time limit stopped the search for it; "
     "how far it is from the cheapest programme that keeps every timing rule is not known."),
    ("error", 0.001, "roadmap", False, "The solver ended with status error; how far it is "
     "from the cheapest schedule of the plan's changes that keeps every timing rule is not "
     "known."),
])
def test_a_programme_is_called_proven_only_within_a_millionth(
        status: str, gap: float, method: str, proven: bool, said: str) -> None:
    from estate.results.words import schedule_quality
    assert schedule_quality(status, gap, method) == (proven, said)
    # with yearly limits set, a schedule without them may save more: it is not among
    # those the programme is measured against
    limited = schedule_quality(status, gap, method, limited=True)
    assert limited == (proven, said.replace("every timing rule", "every timing rule and the "
                                            "yearly limits"))


def test_a_summary_cut_short_says_where_once(tmp_path: Any) -> None:
    """JSON's "Unterminated string starting at" read "starting at at line 1" (a review)."""
    from estate.store import read_summary

    (tmp_path / "summary.json").write_text('{"scenario": "Shared bac', encoding="utf-8")
    with pytest.raises(InputError) as refused:
        read_summary(tmp_path)
    assert "Unterminated string starting at line 1, column 14 (an edit broke it)" \
        in refused.value.problems[0].found, refused.value.problems[0].found
