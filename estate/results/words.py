"""The words a board reads for how good a plan is and what it costs once: one place, so
the terminal, the map, the comparison and the board pack say the same thing.

"Optimal" is said only of a proven plan (a gap of at most `PROVEN`); a plan the solver
stopped within its tolerance is "within 0.42% of the lowest possible cost" (a share of
the cost, not of the saving); one stopped by the
time limit says so first. Gaps are rounded up, since a bound must stay a bound. How
each amount reads (pounds, percentages, counts) is `estate.results.amounts`.
"""

from __future__ import annotations

import math
from typing import TypeGuard

from estate.results.alternative_figures import AlternativeFigures, DatedAlternative
from estate.results.amounts import count, dated_difference, half_up, money, percent_up, rate_words
from estate.results.programme_figures import DatedFigures, ProgrammeFigures, sets_limits
from estate.results.summary import OWN_CHANGES_DATED, Breach, Summary
from estate.status import PLANNED, Status

PROVEN = 1e-6
"""A relative gap this small is a proof: the plan is optimal."""


def known_gap(gap: float | None) -> TypeGuard[float]:
    """Whether a stated gap says how far the plan can be from the best: finite and at
    most 100% (HiGHS states larger ones when it has no useful bound)."""
    return gap is not None and math.isfinite(gap) and gap <= 1.0


def is_proven(status: Status | str | None, gap: float | None) -> bool:
    """Whether a run's plan is proven the cheapest: it ended `OPTIMAL` with a gap of at
    most `PROVEN` (or none stated). A search that ended `OPTIMAL` inside a looser
    `solver.mip_gap` is not proven, however it is coloured or counted."""
    unknown = gap is None or (isinstance(gap, float) and math.isnan(gap))
    return status == Status.OPTIMAL and (unknown or float(gap or 0.0) <= PROVEN)


SNAPSHOT_OPTIMUM_S, BEST_END_STATE = "the snapshot optimum's", "the best end state's"
"""How the terminal and the board pack name the snapshot optimum's (`scheduled_whose`)."""


def plan_quality(s: Summary, asked: float | None = None, dated: bool = False,
                 optimum: str = SNAPSHOT_OPTIMUM_S) -> tuple[str, str]:
    """How good the plan is: a short phrase (a status line, a table cell) and a sentence
    (the decision paragraph). `asked` is the scenario's `solver.mip_gap`, named in the
    sentence when the plan stopped inside it. An alternative (`--alternatives`) is said
    as one, with what it costs beside the cheapest plan: its own solve is proven only
    the cheapest of the plans with other sites open, never the cheapest of all. A plan
    that is a dated programme's end state (`plan_from` "programme") is measured as
    that programme is: its status and gap are the programme's, against every programme
    over the years, not against the plans whose changes are all made in year 1. Beside
    a `dated` programme, the sentence says the plan is measured with every change made
    in year 1, so that it is not read as the programme's (the snapshot optimum named
    `optimum`)."""
    if s.alternative is not None:
        reached = s.plan_from == "programme"
        return alternative_words(s.alternative, s.status, s if reached else None,
                                 None if reached else s.mip_gap)
    if s.plan_from == "programme":
        return programme_end_words(s, optimum)
    short, said = quality_words(s.status, s.mip_gap, asked)
    return short, (f"With every change made in year 1, {said[0].lower()}{said[1:]}" if dated
                   else said)


def alternative_words(alternative: AlternativeFigures, status: Status,
                      reached: Summary | None = None, gap: float | None = None
                      ) -> tuple[str, str]:
    """An alternative's quality, as `plan_quality` says it: "an alternative, £545.0k (NPV)
    dearer than the cheapest plan, which is proven optimal", or, found beside a dated
    programme's end state (`measured_against` `SNAPSHOT_OPTIMUM`), "... dearer than the
    snapshot optimum (every change made in year 1), which is proven optimal". A dated
    scenario's alternative (its `dated` figures, `estate.runs.alternatives`) leads
    with its own programme beside the main plan's: "an alternative whose dated programme
    costs £1.92m (NPV) more than the main plan's; if every change were made in year 1,
    it would be £445.5k (NPV) dearer than the cheapest plan, ...". `reached`, the
    summary of an alternative whose plan is the estate its programme reaches (changes
    left out), has the sentence say so, with what the alternative itself saves if every
    change were made in year 1 and how it differs. Its own search's `status` and `gap`
    say how sure it is the cheapest of the other choices: stopped by the time limit, or
    within a gap (the scenario's `solver.mip_gap`), a plan with the same open sites run
    for less, or a cheaper set of open sites, may be left to find."""
    difference = alternative.npv_difference
    if difference >= 0.5:
        than = f"{money(difference)} (NPV) dearer than"
    elif difference <= -0.5:  # beside a main plan searched short of proof
        than = f"{money(-difference)} (NPV) cheaper than"
    else:
        than = "costing the same (NPV) as"
    dated = alternative.dated
    # cheaper than the plan written, that plan is no "cheapest plan found"
    measured = _cheapest_words(alternative, dated=dated is not None, main=difference <= -0.5)
    ends_as = "" if dated is None else dated.ends_as
    if dated is not None:
        # a dated scenario's: its own programme beside the main plan's leads, and the
        # difference as found is said to be every change made in year 1
        short = (f"an alternative whose dated programme {_dated_than(dated.npv_difference)} "
                 f"the main plan's" + (" and leaves out some of its changes" if reached else "")
                 + (f", ending with the same open sites as {ends_as}" if ends_as else "")
                 + f"; {IN_YEAR_ONE}, it would be {than} {measured}")
    else:
        short = f"an alternative, {than} {measured}"
    if status == Status.TIME_LIMIT:
        short += ("; the time limit stopped its own search before it was proven the cheapest "
                  "of the other choices")
    elif status == Status.OPTIMAL and not is_proven(status, gap) and known_gap(gap):
        short += (f"; its own search stopped within {percent_up(gap)} of the cheapest of the "
                  "other choices")
    said = f"This plan is {short}."
    if reached is not None:
        differs = "; ".join(reached.snapshot_differs or ())
        said += (" The plan shown is the estate that programme reaches by the horizon's end, "
                 "without the changes that cannot happen, or do not pay, within it; the "
                 f"alternative itself ({money(reached.snapshot_npv_saving)} {IN_YEAR_ONE})"
                 + (f" {differs}" if differs else " differs from it") + ".")
    if ends_as:
        said += " Dated, it is not a choice of its own."
    return short, said


def dated_same_words(dated: DatedAlternative | None) -> str:
    """What a dated alternative's programme ends as when it leaves out the changes that
    set it apart (`DatedAlternative.same_sites_as`, `estate.runs.alternatives.dated_beside`):
    "its programme ends with the same open sites as the main plan" (or "as
    alternatives/1"); "" when it ends with open sites of its own, or is not dated."""
    if dated is None or not dated.ends_as:
        return ""
    return f"its programme ends with the same open sites as {dated.ends_as}"


def _dated_than(difference: float) -> str:
    """A dated alternative's programme beside the main plan's, by their NPVs of cost:
    "costs £1.92m (NPV) more than", "... less than", "costs the same (NPV) as"."""
    if difference >= 0.5:
        return f"costs {money(difference)} (NPV) more than"
    if difference <= -0.5:
        return f"costs {money(-difference)} (NPV) less than"
    return "costs the same (NPV) as"


def _cheapest_words(alternative: AlternativeFigures, dated: bool = False,
                    main: bool = False) -> str:
    """The plan an alternative is measured against, and how sure that one is (from the
    `optimum_status` and `optimum_mip_gap` the alternative's summary records). Beside a
    dated programme's end state that plan is the snapshot optimum, not the plan written,
    and is named so whatever its status (`dated`: the sentence says "if every change
    were made in year 1" already). `main`: the alternative is cheaper than that plan,
    named "the main plan" then, as it is no cheapest plan found (the snapshot optimum
    keeps its name: the plan written is not it)."""
    if main and not alternative.near_snapshot:
        cheapest = best = found = "the main plan"
    elif alternative.near_snapshot:
        cheapest = best = found = "the snapshot optimum" + (
            "" if dated else " (every change made in year 1)")
    else:
        cheapest, best, found = ("the cheapest plan", "the best plan found",
                                 "the cheapest plan found")
    status, gap = alternative.optimum_status, alternative.optimum_mip_gap
    if status is None:  # a folder written before the optimum's status was kept
        return found
    if is_proven(status, gap):
        return f"{cheapest}, which is proven optimal"
    if status == Status.TIME_LIMIT:
        return f"{best}, which the time limit stopped before it was proven optimal"
    if status == Status.OPTIMAL and gap is not None:
        return f"{found}, which is within {percent_up(gap)} of the lowest possible cost"
    return found


def scheduled_whose(s: Summary, optimum: str = SNAPSHOT_OPTIMUM_S) -> str:
    """Whose changes a dated programme put in order, as `schedule_quality` says it: the
    plan's; the snapshot optimum's (`optimum`, a board's "the best end state's") when the
    plan is the estate the roadmap reaches; an alternative's own, as found, when the plan
    is the estate its programme reaches."""
    if s.plan_from != "programme":
        return "the plan's"
    return "the alternative's" if s.alternative is not None else optimum


def programme_end_words(s: Summary, optimum: str = SNAPSHOT_OPTIMUM_S
                        ) -> tuple[str, str]:
    """`plan_quality` of a plan that is the dated programme's end state: "proven optimal
    as a dated programme", and a sentence saying so, what the snapshot's optimum (the
    end state that would save most if every change were made in year 1) saves so and
    how it differs ("closes S2, S3 too; builds S7"), and how good the programme is
    (`schedule_quality`). The joint model chose its end state as the cheapest over the
    years; the roadmap scheduled the snapshot's changes and left some out, so its end
    state is what it reaches, and its proof covers only schedules of those changes (and
    when the time limit stopped the snapshot's search, `snapshot_status`, that end state
    is said not proven the best); an end state the roadmap reaches may break a rule no
    year checks, and the sentence then names it (`breach_sentence`)."""
    method = s.programme.method if s.programme else "joint"
    differs = "; ".join(s.snapshot_differs or ())
    # its figure is its own year-1 saving, not a dated one beside the programme's
    so_made = f"(so made, it {saves_words(s.snapshot_npv_saving or 0.0, would=True)})"
    status, gap = (s.programme.status, s.programme.mip_gap) if s.programme else (s.status,
                                                                              s.mip_gap)
    if method == "joint":
        short = quality_words(s.status, s.mip_gap)[0] + " as a dated programme"
        said = (f"The plan is the dated programme's end state: over the years it pays "
                f"better than the end state that would save most {IN_YEAR_ONE} {so_made}"
                + (f", which differs from it: that one {differs}" if differs else ""))
    elif s.snapshot_status is not None:  # the end state's search was stopped
        end = quality_words(s.snapshot_status, s.snapshot_mip_gap)[1].split("; ", 1)[-1]
        short = quality_words(s.status, s.mip_gap)[0] + " (its end state not proven the best)"
        optimum = "that end state's"
        said = (f"The plan is the estate the dated programme reaches by the horizon's end: "
                f"it schedules the changes of the best end state found {IN_YEAR_ONE} "
                f"{so_made}, whose search the solver's time limit stopped "
                f"({end.rstrip('.')}), and leaves out those that cannot happen, or do not "
                "pay, within the horizon" + (f"; that end state {differs}" if differs else ""))
    else:
        short = (quality_words(s.status, s.mip_gap)[0]
                 + f" as a schedule of {optimum} changes")
        said = (f"The plan is the estate the dated programme reaches by the horizon's end: "
                f"it schedules the changes of the end state that would save most "
                f"{IN_YEAR_ONE} {so_made} and leaves out those that cannot happen, or do not "
                "pay, within the horizon" + (f"; that end state {differs}" if differs else ""))
    broken = breach_sentence(s.plan_breaches) + " " if s.plan_breaches else ""
    limited = s.programme is not None and sets_limits(s.programme.budget)
    return short, said + ". " + broken + schedule_quality(str(status), gap, method,
                                                          optimum, limited)[1]


def breach_sentence(breaches: tuple[Breach, ...]) -> str:
    """The rules a dated programme's end state breaks that no year of it checks (the
    summary's `plan_breaches`), each with how: "It breaks a rule that no year of the
    programme checks: policy.max_one_off (a net one-off cost of £300.0k, above the
    £100.0k it allows)." """
    rules = "; ".join(f"{b.rule} ({b.place})" for b in breaches)
    which = "a rule" if len(breaches) == 1 else count(len(breaches), "rule")
    return f"It breaks {which} that no year of the programme checks: {rules}."


def gap_left(status: Status, gap: float | None) -> float:
    """How far a plan may lie above its scenario's cheapest, as a share: its gap (never
    below 0), 0 for one proven without a gap told, and without end for a search stopped
    before it had any bound, or whose bound is still the solver's first guess (a gap
    over 100%, which the terminal calls unknown): a comparison may not read it as
    proven nor put a figure on it, nor a list of areas put it last."""
    if gap is None:
        return 0.0 if status == Status.OPTIMAL else math.inf
    return max(float(gap), 0.0) if known_gap(gap) else math.inf


def quality_words(status: Status, gap: float | None,
                  asked: float | None = None) -> tuple[str, str]:
    """`plan_quality` from a status and a gap alone, as a comparison table stores them."""
    known = known_gap(gap)
    if is_proven(status, gap):
        return ("proven optimal",
                "The plan is proven optimal: no plan that meets every rule costs less.")
    if status == Status.TIME_LIMIT:
        head = ("The solver's time limit stopped the search before this plan could be "
                "proven the best")
        if not known:
            return ("NOT PROVEN (time limit); distance from the lowest possible cost unknown",
                    head + "; how far it is from the lowest possible cost is not known.")
        assert gap is not None
        return (f"NOT PROVEN (time limit); within {percent_up(gap)} of the lowest possible cost",
                head + f"; its NPV of cost is within {percent_up(gap)} of the lowest possible.")
    if status != Status.OPTIMAL or gap is None:
        return str(status), f"The solver ended with status {status}."
    # "inside" only when it is: a summary edited by hand (or from another scenario)
    # may pair a gap with a tolerance it exceeds
    why = (f", inside the {f'{asked * 100:.4f}'.rstrip('0').rstrip('.')}% tolerance the "
           "scenario sets for the search" if asked and gap <= asked + 1e-9 else "")
    return (f"within {percent_up(gap)} of the lowest possible cost",
            f"The plan's NPV of cost is within {percent_up(gap)} of the lowest possible{why}.")


def saves_words(saving: float, would: bool = False, unit: str = "") -> str:
    """A saving as words that never read a loss as a saving: "saves £1.20m", "costs
    £216.8k more", "saves nothing"; `would`: "would save"; `unit` follows the pounds."""
    if abs(saving) < 0.5:
        return f"{'would save' if would else 'saves'} nothing"
    if saving > 0:
        return f"{'would save' if would else 'saves'} {money(saving)}{unit}"
    return f"{'would cost' if would else 'costs'} {money(-saving)}{unit} more"


def yearly_saving_words(saving: float) -> str:
    """A saving a year after the annual costs, "saving £14.21m a year", or "costing £50.0k
    more a year" for a plan whose estate costs more to run (never a negative saving)."""
    if saving > -0.5:
        return f"saving {money(max(saving, 0.0))} a year"
    return f"costing {money(-saving)} more a year"


def saving_figure(saving: float) -> str:
    """A saving after "NPV saving:": "£1.20m", or "none; costs £216.8k more"."""
    return money(saving) if saving > -0.5 else f"none; {saves_words(saving)}"


def dated_saving_words(npv_saving: float | None, programme: ProgrammeFigures | None,
                       own_dated: bool = False) -> str:
    """The NPV saving a board can count on, saying which it is: a dated programme's
    ("£101.71m (dated from 2027-04-01)"), a plan's own changes dated (`own_dated`) or an
    undated plan's ("£116.84m (not dated)"), never side by side as if alike."""
    said = f"its {OWN_CHANGES_DATED}" if own_dated else "not dated"
    return (f"{saving_figure(programme.npv_saving)} (dated from {programme.start})"
            if programme else "n/a" if npv_saving is None
            else f"{saving_figure(float(npv_saving))} ({said})")


IN_YEAR_ONE = "if every change were made in year 1"
"""What a plan's own figures assume beside a dated programme's: it still counts rent to
a lease's end and sales' lags when it has a start date, so not "at once"."""


def beside_year_one(dated: float, year_one: float) -> str:
    """A dated programme's NPV saving set against the plan's own if every change were
    made in year 1, as the clause that follows the dated figure on the programme page
    and in the board pack: "£3.39m less than the £25.81m the plan would save if every
    change were made in year 1", "as much as the plan would save ...", "where the plan
    would save nothing ...", and, when the plan loses money, which is the worse: "£0.10m
    worse than if every change were made in year 1, when it would cost £1.30m more" (or
    "as the plan would ..."). The difference is in the figures' own unit, so it adds up
    as they read (`dated_difference`)."""
    difference = dated_difference(year_one, dated)
    same = abs(difference.pounds) < 0.5
    if abs(year_one) < 0.5:  # no figure to be less or more than
        return f"where the plan would save nothing {IN_YEAR_ONE}"
    if year_one < 0:  # the loss is said once, beside the dated one
        if same:
            return f"as the plan would {IN_YEAR_ONE}"
        return (f"{difference.size} {'worse' if difference.pounds > 0 else 'better'} than "
                f"{IN_YEAR_ONE}, when it {saves_words(year_one, would=True)}")
    if same:
        return f"as much as the plan would save {IN_YEAR_ONE}"
    return (f"{difference.size} {'less' if difference.pounds > 0 else 'more'} than the "
            f"{money(year_one)} the plan would save {IN_YEAR_ONE}")


DATED = "of the dated programme"
"""The label of a comparison's rows of each dated programme's own figures."""
NOT_DATED = "not dated"
"""Such a row's cell for a scenario with no programme: its figures are in the rows of
the plan's own, never set beside a dated one as if alike."""


def dated_figure_words(programme: DatedFigures | None, key: str) -> str:
    """A dated programme's NPV figure (`npv_saving`, `npv_cost`) in pounds, a loss as a
    cost ("none; costs £1.11m more"), or `NOT_DATED`."""
    value = None if programme is None else getattr(programme, key)
    if value is None:
        return NOT_DATED
    return saving_figure(value) if key == "npv_saving" else money(value)


def one_off_cell(value: float) -> str:
    """A one-off in a table cell: "receives £1.65m", "spends £1.40m" or "none" (a sign
    would read a receipt as a loss)."""
    if value < -0.5:
        return f"receives {money(-value)}"
    return f"spends {money(value)}" if value > 0.5 else "none"


def one_off_parts(one_off: float, receipts: float | None) -> str:
    """What a one-off total is made of, when sales count in it: "sales bring £16.43m;
    closing, building, moving and setting up cost £15.30m" ("" when there are no sales
    or they are not known)."""
    if receipts is None or receipts <= 0.5:
        return ""
    spent = receipts + one_off
    return (f"sales bring {_as_total(receipts, one_off)}; closing, building, moving and "
            f"setting up cost {_as_total(spent, one_off)}")


def _as_total(part: float, total: float) -> str:
    """A part of a total in the total's own unit when that is finer than the part's, so
    the parts add up as they read: beside a net £535.0k, "£1,435.0k", not "£1.44m"
    (£1.44m less £900.0k reads as £540k)."""
    said = money(abs(total))
    if said.endswith("k"):
        return f"£{half_up(part / 1e3, '0.1'):,}k"
    if not said.endswith("m"):
        return f"£{half_up(part, '1'):,}"
    return money(part)


def horizon_words(s: Summary) -> str:
    """The NPV's terms as a label says them: "10 years, 3.5% a year"."""
    return f"{count(s.horizon_years, 'year')}, {rate_words(s.discount_rate)} a year"


def limits_words(method: str, unlimited_saving: float | None, saving: float) -> str | None:
    """What a programme's yearly limits cost, "cost £13.71m (with none, the same changes
    would save £116.79m)": the saving of the same changes without them, less the
    programme's (nothing when a search left it short). None when there is nothing to
    say: no limits were set, or the joint model chose the changes (its own, so no
    second roadmap of the same changes ran)."""
    if unlimited_saving is None or method != "roadmap":
        return None
    cost = dated_difference(unlimited_saving, saving)  # adds up as the figures read
    return (f"cost {cost.size if cost.pounds >= 0.5 else 'nothing'} (with none, the same "
            f"changes {saves_words(unlimited_saving, would=True)})")


def one_off_words(value: float, receipts: float | None = None) -> str:
    """A one-off total in words: net receipts when sales bring in more than is spent;
    "£0 net" when they match (`receipts`: "none" would say nothing is spent), or none."""
    if value < -0.5:
        return f"net receipts of {money(-value)}"
    if value > 0.5:
        return f"{money(value)} to spend once"
    return "£0 net" if receipts is not None and receipts > 0.5 else "none"


def after_horizon_words(receipts: float, dated: bool = False) -> str:
    """The sales a plan counts that arrive after the horizon, in a sentence: in its
    one-off cost and payback but not its NPV, which ends with the horizon (DESIGN 9);
    beside a dated programme, in the plan's own payback alone. Terminal, map, pack."""
    if dated:
        return (f"{money(receipts)} of the sales arrive after the horizon: in the one-off "
                f"cost and the payback {IN_YEAR_ONE}, not in an NPV nor in the dated "
                "programme's payback")
    return (f"{money(receipts)} of the sales arrive after the horizon: in the one-off cost "
            "and payback, not in the NPV")


def schedule_quality(status: str, gap: float | None, method: str,
                     whose: str = "the plan's", limited: bool = False) -> tuple[bool, str]:
    """Whether a dated programme is proven the cheapest, and how good it is in a sentence:
    the roadmap is measured against the cheapest schedule of `whose` changes (the plan's;
    the snapshot optimum's when the plan is the estate the roadmap reaches), the joint
    model against the cheapest programme, each among those that keep the timing rules and
    the yearly limits when any are set (`limited`); proven only within `PROVEN`."""
    rules = "every timing rule" + (" and the yearly limits" if limited else "")
    of = (f"programme that keeps {rules}" if method == "joint"
          else f"schedule of {whose} changes that keeps {rules}")
    if is_proven(status, gap):
        return True, f"It is proven the cheapest {of}."
    # a status read back from summary.json is a plain string: compared, not converted
    head = {str(Status.OPTIMAL): "", str(Status.TIME_LIMIT): "The solver's time limit "
            "stopped the search for it; "}.get(str(status),
                                              f"The solver ended with status {status}; ")
    has_plan = str(status) in PLANNED
    said = head + (f"its NPV of cost is within {percent_up(gap)} of the cheapest {of}."
                   if has_plan and gap is not None and known_gap(gap)
                   else f"how far it is from the cheapest {of} is not known.")
    return False, said[0].upper() + said[1:]


UNSCHEDULED_WAITS = (", savings from the year each team may move and pool, new sites' "
                     "running cost from the year they open")
"""What timing also changes in a dated plan that is not scheduled (`savings_waited`,
`opening_wait`), said after the waits every dated plan prices."""
