"""The board pack's programme page in words (estate.render.report_optional): how the
dated programme's NPV differs from the plan's own and why, read as a board member
reads it, with figures that add up on the page and reasons only where they apply.

The programme of the town register is planned once; each test sets the figures and
changes it needs on a copy (the words are made from the results folder's tables alone).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd
import pytest

import estate
from estate.maps import compare_map
from estate.maps.panels import kpi_panel
from estate.render.compare_figures import FIGURES
from estate.render.report_comparison import _ranking
from estate.render.report_data import Page, Results, Table, Text, read_results
from estate.render.report_optional import dated_words, note_sentence, programme_page
from estate.render.report_pages import decision_page
from estate.render.report_reference import terms
from tests.fixtures import town
from tests.test_report_pack import unmarked

REVIEW = {"snapshot": 25_807_904.5, "dated": 22_417_131.35, "unlimited": 25_641_918.72}
"""The review's Dated scenario (models/prog.toml): the plan would save £25.81m if every
change were made in year 1, the programme saves £22.42m dated, and £25.64m with no
yearly limits."""


@pytest.fixture(scope="module")
def dated(tmp_path_factory: pytest.TempPathFactory) -> Results:
    """The town's plan and its dated programme (one closure a year), read back."""
    root = tmp_path_factory.mktemp("dated")
    path = town(root, changes={"start": "2027-04-01",
                               "programme": {"max_closures_per_year": 1}})
    estate.plan(path, out=root / "results", map_path=False, programme=True)
    r = read_results(root / "results")
    assert r.programme is not None
    return r


def _as(r: Results, snapshot: float, saving: float, **programme: Any) -> Results:
    """`r` with the plan's own NPV saving `snapshot`, the programme's `saving`, and the
    programme's other fields as given."""
    assert r.programme is not None
    return dataclasses.replace(
        r, summary=r.summary.replace(year_one_npv_saving=snapshot, npv_saving=saving),
        programme=dataclasses.replace(r.programme, npv_saving=saving, **programme))


def _moved_late(r: Results) -> pd.DataFrame:
    """The programme's changes with a team moving in year 3: one waits to arrive."""
    assert r.programme is not None
    acts = r.programme.actions
    late = acts[acts["action"] == "move"].iloc[:1].assign(year=3)
    assert len(late) == 1
    return pd.concat([acts, late], ignore_index=True)


def test_the_differences_read_at_the_precision_of_their_figures(dated: Results) -> None:
    """£25.81m less £22.42m is £3.39m; £25.81m less £25.64m is £0.17m (by hand from the
    figures as printed), not the "£170.0k" that the true £165,985.78 rounds to, which
    claims digits the figures lack; and £0.17m + £3.22m = £3.39m, as the page reads."""
    r = _as(dated, REVIEW["snapshot"], REVIEW["dated"], method="roadmap",
            unlimited_saving=REVIEW["unlimited"], actions=_moved_late(dated))
    words = dated_words(r)
    assert "saves £22.42m (NPV), £3.39m less than the £25.81m the plan would save" in words
    assert ("The yearly limits cost £3.22m (with none, the same changes would save "
            "£25.64m).") in words
    assert "So the £3.39m is £0.17m of waiting for " in words, words
    assert ", and £3.22m of the yearly limits." in words
    assert "k " not in words and "k," not in words and "k." not in words  # no £k figure
    # the review's Loose scenario: limits that never bind, the same £0.17m
    loose = dated_words(_as(dated, REVIEW["snapshot"], REVIEW["unlimited"], method="roadmap",
                            unlimited_saving=REVIEW["unlimited"], actions=_moved_late(dated)))
    assert "£0.17m less than the £25.81m" in loose and "£170.0k" not in loose


def test_parts_that_would_not_add_up_as_shown_are_not_said(dated: Results) -> None:
    """£1.20m, £999.9k without limits and £500.0k dated: the parts, each at its figures'
    precision, are £0.20m and £499.9k, which do not add up to the £0.70m the sentence
    before says, so the split is left out rather than printed wrong."""
    r = _as(dated, 1_200_000.0, 500_000.0, method="roadmap", unlimited_saving=999_900.0,
            actions=_moved_late(dated))
    words = dated_words(r)
    assert "£0.70m less than the £1.20m" in words
    assert "The yearly limits cost £499.9k" in words  # two £k figures: to £100
    assert "So the" not in words


def test_limits_that_cost_nothing_are_not_a_reason_to_wait(dated: Results) -> None:
    """The review's Loose scenario: yearly limits set but never binding, so the same
    changes save £25.64m with or without them. The paragraph says they cost nothing, so
    it must not also say that changes wait for them; a team that moves in year 3 is
    the one reason left (the town pools nothing: it waits to move, not to pool)."""
    loose = _as(dated, REVIEW["snapshot"], REVIEW["unlimited"], method="roadmap",
                unlimited_saving=REVIEW["unlimited"], actions=_moved_late(dated))
    words = dated_words(loose)
    assert "The yearly limits cost nothing" in words
    assert "the yearly limits (on" not in words and "wait for the yearly" not in words
    assert ": changes wait for teams to move. " in words, words
    # limits that do cost something are named first among the reasons
    prog = _as(dated, REVIEW["snapshot"], REVIEW["dated"], method="roadmap",
               unlimited_saving=REVIEW["unlimited"], actions=_moved_late(dated))
    assert (": changes wait for the yearly limits (on closures), and for teams to "
            "move. ") in dated_words(prog)
    # without the limits the same changes save as much as the plan's figures: the late
    # move waited for the limits alone, and is no reason of its own
    only = _as(dated, REVIEW["snapshot"], REVIEW["dated"], method="roadmap",
               unlimited_saving=REVIEW["snapshot"], actions=_moved_late(dated))
    words = dated_words(only)
    assert ": changes wait for the yearly limits (on closures). " in words, words
    assert "teams to move" not in words


def test_no_reason_is_given_that_the_programme_does_not_have(dated: Results) -> None:
    """The town's programme closes S2 and moves F2 in year 1 and builds nothing: with
    limits that cost nothing there is nothing to wait for, so no reason is named at all
    (not "teams to arrive", which every paragraph used to say)."""
    assert dated.programme is not None
    acts = dated.programme.actions
    assert set(acts.loc[acts["action"] == "move", "year"]) == {1}
    assert not acts["action"].isin(("build", "open")).any()
    words = dated_words(_as(dated, REVIEW["snapshot"], REVIEW["unlimited"], method="roadmap",
                            unlimited_saving=REVIEW["unlimited"]))
    assert "changes wait" not in words and "teams to arrive" not in words, words
    assert ("£0.17m less than the £25.81m the plan would save if every change were made in "
            "year 1. The yearly limits cost nothing") in words


@pytest.mark.parametrize(("limit", "named"), [(1.0, True), (5.0, False)])
def test_the_joint_model_s_limits_are_named_when_a_year_reaches_one(
        dated: Results, limit: float, named: bool) -> None:
    """The joint model's programme has no price of its limits (`unlimited_saving` is
    null): a limit is a reason when some year uses all of it (the town closes one site
    in year 1: a limit of one closure a year is reached, one of five is not)."""
    assert dated.programme is not None
    budget = dated.programme.budget.assign(closures_limit=limit)
    assert budget["closures"].max() == 1
    words = dated_words(_as(dated, REVIEW["snapshot"], REVIEW["dated"], method="joint",
                            unlimited_saving=None, budget=budget, actions=_moved_late(dated)))
    assert ("the yearly limits (on closures)" in words) == named, words
    assert "teams to move" in words


LEASES_NOTES = (
    "joint model: 2,092 columns, optimal in 21.6 s; NPV of cost £80.06m against the "
    "roadmap's £82.81m (gap 3.435%)",
    "the joint model's end state differs from the snapshot optimum's: it keeps S1 open; "
    "does not build S7")
"""The notes of the review's Leases scenario, whose plan is the joint model's end state."""
BEST = "Best end state if every change were made in year 1"
"""The glossary's term for the snapshot optimum, when the plan is not it."""


def _ends_the_programme(r: Results, method: str) -> Results:
    """`r` as a plan that is the dated programme's end state (`plan_from` "programme"),
    found by `method`, with the review's notes."""
    assert r.programme is not None
    return dataclasses.replace(
        r, summary=r.summary.replace(plan_from="programme"),
        programme=dataclasses.replace(r.programme, method=method, notes=LEASES_NOTES))


def _words(page: Page | None) -> str:
    assert page is not None
    return " ".join(b.text for b in page.blocks if isinstance(b, Text))


def test_the_roadmap_of_another_end_state_is_not_called_the_plan_s(dated: Results) -> None:
    """The review's Leases scenario: the plan is the exact model's end state, and the
    roadmap it is measured against put in order the changes of another estate, the best
    end state if every change were made in year 1. The pack says so, names that estate
    in the glossary, and never calls those changes the plan's (nor says "snapshot")."""
    r = _ends_the_programme(dated, "joint")
    words = _words(programme_page(r))
    assert ("NPV of cost £80.06m against £82.81m for the changes of the best end state if "
            "every change were made in year 1, put in order (gap 3.435%).") in words, words
    assert ("The exact model's end state differs from the best end state if every change "
            "were made in year 1: it keeps S1 open; does not build S7.") in words
    assert "the plan's changes" not in words and "snapshot" not in words
    meant = dict(terms(r))
    assert meant["Dated programme"].startswith("The changes and the year of each, chosen "
                                               "together by the exact model over all years")
    assert "the plan is its end state" in meant["Dated programme"]
    assert "It is not the plan" in meant[BEST] and "the exact model found" in meant[BEST]
    # a roadmap that left changes out: the plan is the estate it reaches
    r = _ends_the_programme(dated, "roadmap")
    words = _words(programme_page(r))
    assert "found by putting the best end state's changes in order year by year" in words
    assert "the plan's changes" not in words and "snapshot" not in words
    meant = dict(terms(r))
    assert meant["Dated programme"].startswith(
        "The changes of the best end state if every change were made in year 1, put in "
        "order year by year")
    assert "the plan is the estate it reaches" in meant["Dated programme"]


def test_the_roadmap_of_the_plan_is_the_plan_s_changes(dated: Results) -> None:
    """A plan that is the snapshot optimum itself: the roadmap did put the plan's own
    changes in order, and the glossary has no best end state apart from the plan."""
    assert dated.summary.plan_from == "snapshot" and dated.programme is not None
    r = dataclasses.replace(dated, programme=dataclasses.replace(
        dated.programme, method="joint", notes=LEASES_NOTES[:1]))
    assert ("against £82.81m for the plan's changes put in order (gap 3.435%)."
            in _words(programme_page(r)))
    meant = dict(terms(dated))
    assert meant["Dated programme"].startswith("The plan's changes put in order year by year")
    # the limits the scenario sets, not every kind there is
    assert "within the yearly limits the scenario sets (on closures)." in meant["Dated programme"]
    assert BEST not in meant
    assert note_sentence("roadmap search: stopped at a 1% gap", "programme") == (
        "The search that put the changes of the best end state if every change were made "
        "in year 1 in order: stopped at a 1% gap.")


def test_a_programme_saving_more_than_the_plan_s_figures_says_why(dated: Results) -> None:
    """The plan's own figures book every change in year 1; a roadmap that saves more says
    which of its changes come later: a change that raises the yearly cost (a forced
    closing's move to a dearer site), a one-off paid after year 1, a new site that opens
    after it, a team with no site today housed after it, each only when it has one (a new
    site's or new team's own cost is said as such, not as a change that adds to it)."""
    assert dated.programme is not None
    acts = dated.programme.actions
    first = acts.iloc[:1].assign(annual_effect=0.0)
    in_year_one = first.assign(year=1, one_off=0.0)
    cases = {
        "changes that add to the yearly cost are made only in later years":
            first.assign(action="move", year=5, one_off=0.0, annual_effect=-700_000.0),
        "one-off costs paid in later years": first.assign(year=2, one_off=50_000.0),
        "new sites cost their running cost only from the year they open":
            first.assign(action="open", year=3, one_off=0.0, annual_effect=-30_000.0),
        "teams with no site today cost only from the year they are housed":
            first.assign(action="move", year=3, one_off=0.0, function_id="NEW",
                         annual_effect=-50_000.0),
    }
    new_team = dated.assignments.iloc[:1].assign(function_id="NEW", from_site="")
    r = dataclasses.replace(dated, assignments=pd.concat([dated.assignments, new_team]))
    for why, later in cases.items():
        words = dated_words(_as(r, REVIEW["snapshot"], REVIEW["snapshot"] + 1e6,
                                method="roadmap", actions=pd.concat([in_year_one, later])))
        said = [w for w in cases if w in words]
        assert said == [why], words
    # none of them: the discounting of later changes, in general
    words = dated_words(_as(r, REVIEW["snapshot"], REVIEW["snapshot"] + 1e6, method="roadmap",
                            actions=in_year_one))
    assert ": changes made in later years weigh less in today's money." in words, words


def test_a_loss_either_way_is_said_as_better_or_worse_off(dated: Results) -> None:
    """A plan that would cost £216.5k more if every change were made in year 1, dated to
    cost £123.5k more: £93.0k better off dated, never "more than the -£216.5k"."""
    words = dated_words(_as(dated, -216_500.0, -123_500.0, method="joint"))
    assert words.startswith("Dated, the programme costs £123.5k (NPV) more, £93.0k better "
                            "than if every change were made in year 1, when it would cost "
                            "£216.5k more"), words
    assert "-£" not in words
    worse = dated_words(_as(dated, -123_500.0, -216_500.0, method="joint"))
    assert "£93.0k worse than if every change were made in year 1" in worse, worse
    # the headline figures too: a cost, not a negative saving
    lost = _as(dated, -216_500.0, -123_500.0, method="joint")
    lost = dataclasses.replace(lost, summary=lost.summary.replace(annual_saving=-50_000.0))
    headline = next(b for b in decision_page(lost).blocks if isinstance(b, Table))
    rows = {str(row[0]): str(row[1]) for row in headline.rows}
    dated_row = next(v for k, v in rows.items() if k.startswith("NPV saving of the dated"))
    assert dated_row.startswith("none; costs £123.5k more; "), dated_row
    assert rows["Saving a year"] == "none; costs £50.0k more"
    assert not any("-£" in value for value in rows.values()), rows


def test_a_loss_reads_as_a_cost_on_the_map_and_beside_other_scenarios(dated: Results
                                                                       ) -> None:
    """The map's side panel, the comparison map's facts, the comparison's side-by-side
    figures and the pack's ranking say a plan that loses money as a cost ("none; costs
    £50.0k more"), as the terminal and the pack's headline do, never "-£50.0k"."""
    s = dated.summary
    assert s.programme
    lost = s.replace(annual_saving=-50_000.0, year_one_npv_saving=-216_500.0,
                     npv_saving=-123_500.0,
                     programme=s.programme.replace(npv_saving=-123_500.0))
    panel = kpi_panel(lost)
    assert "none; costs £50.0k more" in panel and "none; costs £123.5k more" in panel
    assert "none; costs £216.5k more" in panel and "-£" not in panel, panel
    facts = compare_map._facts(0, lost, any_dated=True)
    assert "none; costs £123.5k more (dated from" in facts and "-£" not in facts, facts
    side = {label: show(lost, key) for label, key, show in FIGURES}
    assert side["Annual saving"] == "none; costs £50.0k more", side
    assert side["NPV saving"] == "none; costs £123.5k more", side
    rows = pd.DataFrame({"scenario": ["Hand", "Other"], "npv_saving": [-216_500.0, -300_000.0]})
    assert unmarked(_ranking(rows, 2)) == ("Of 2 scenarios compared, none saves: Hand costs the "
                                 "least more, £216.5k (NPV).")


def test_what_timing_adds_beside_a_programme_is_the_year_1_figure(dated: Results) -> None:
    """The plan's `lease_cost_npv` is in its NPV saving if every change were made in
    year 1, not in the programme's: beside a programme its headline row says so."""
    timed = dataclasses.replace(dated, summary=dated.summary.replace(lease_cost_npv=125_300.0))
    headline = next(b for b in decision_page(timed).blocks if isinstance(b, Table))
    [row] = [row for row in headline.rows if str(row[0]).startswith("What timing")]
    assert str(row[0]).startswith("What timing adds if every change were made in year 1 ")
    assert str(row[0]).endswith("; NPV, counted in that figure's NPV saving)") \
        and row[1] == "£125.3k", row
