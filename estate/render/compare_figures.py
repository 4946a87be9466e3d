"""What each compared scenario's figures say, for the comparison's page and terminal
(`estate.render.compare_page`): the side-by-side figures (`FIGURES`), with a dated
scenario among them the dated programme's own rows first and the plans' own labelled as
every change made in year 1 (`figures`), the note on why dated and undated savings
differ (`mixed_note`), the warning that the scenarios are planned on different
registers (`registers_note`), the pairs whose order unproven plans leave open
(`unsettled_note`), and each dated programme's figures (`PROGRAMME_FIGURES`). Text
only: the page makes every one of them inert.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from estate.render.like_for_like import unlike_notes
from estate.results import money
from estate.results.amounts import count, percent_up, rate_words
from estate.results.payback import dated_payback_words, payback_words
from estate.results.programme_figures import ProgrammeFigures, sets_limits
from estate.results.solver_names import solver_name
from estate.results.summary import OWN_CHANGES_DATED, SavingBasis, Summary, blank
from estate.results.words import (
    DATED,
    IN_YEAR_ONE,
    PROVEN,
    dated_figure_words,
    gap_left,
    one_off_words,
    quality_words,
    saving_figure,
    schedule_quality,
)
from estate.runs.compare import Run
from estate.status import Status
from estate.store.register_used import RegisterUsed, one_register
from estate.store.warnings_table import read_warnings


def pounds(value: Any) -> str:
    """Money as everywhere else in estate (£m, £k: `estate.results.money`)."""
    return "n/a" if value is None else money(float(value))


def plain(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def known(s: Summary, key: str) -> Any:
    """A summary's figure `key`, None when it has none (null in summary.json: a run
    with no plan has no cost)."""
    value = getattr(s, key)
    return None if blank(value) else value


def _quality(s: Summary, key: str) -> str:
    """How good the plan is, in the words of `estate plan` and the board pack."""
    return quality_words(s.status, s.mip_gap)[0]


def _money(s: Summary, key: str) -> str:
    return pounds(known(s, key))


def _plan_cost(s: Summary, key: str) -> str:
    """The plan's NPV of cost, less the status quo's being its NPV saving
    (`Summary.plan_npv_cost`)."""
    return pounds(None if known(s, key) is None else s.plan_npv_cost)


def _saving(s: Summary, key: str) -> str:
    """A saving that never reads a loss as a negative saving ("none; costs £1.14m more")."""
    value = known(s, key)
    return "n/a" if value is None else saving_figure(value)


def _value(s: Summary, key: str) -> str:
    return plain(known(s, key))


def _one_off(s: Summary, key: str) -> str:
    value = known(s, key)
    return "n/a" if value is None else one_off_words(value, s.one_off_receipts)


def _payback(s: Summary, key: str) -> str:
    return payback_words(s.payback_years, known(s, "one_off_cost"))[0]


def _dated(s: Summary, key: str) -> str:
    """A dated programme's figure `key`, or "not dated"."""
    if key == "payback_year":
        return dated_payback_words(s.programme)
    return dated_figure_words(s.programme, key)


NOT_SCHEDULED = f" (start date, no programme: its {OWN_CHANGES_DATED})"
"""Said of a plan with a start date but no programme: its own figures are not those of
every change made in year 1, but what its changes realise, dated at least cost with no
yearly limits (docs/programme.md, "Planned without a programme")."""


UNDATED = " (no start date: leases and sale lags not counted)"
"""Said, beside a dated programme, of a plan with no start date: its own saving counts
no rent after a site closes and no wait for a sale (this page and the board pack's)."""


def _in_year_one(s: Summary, key: str) -> str:
    """A plan's own NPV saving; one with no start date counts no rent after a site
    closes and no wait for a sale (its summary then has no `lease_cost_npv`); one with a
    start date and no programme is what its changes realise, dated."""
    value = s.saving_in_year_one if key == "npv_saving" else getattr(s, key)
    if blank(value):
        return "n/a"
    shown = saving_figure(value) if key == "npv_saving" else pounds(value)
    return shown + (UNDATED if s.saving_basis is SavingBasis.YEAR_ONE else own_note(s))


def _own_cost(s: Summary, key: str) -> str:
    """A plan's own NPV of cost (`_plan_cost`), marked as `_in_year_one` marks a plan
    not scheduled."""
    return "n/a" if known(s, key) is None else _plan_cost(s, key) + own_note(s)


def own_note(s: Summary) -> str:
    """`NOT_SCHEDULED` for a plan with a start date and no programme, else ""."""
    return NOT_SCHEDULED if s.saving_basis is SavingBasis.WHEN_POSSIBLE else ""


def _gap(s: Summary, key: str) -> str:
    return "n/a" if s.mip_gap is None else f"{s.mip_gap:.4%}"


def _solver(s: Summary, key: str) -> str:
    return f"{solver_name(s.solver)}, {known(s, 'solve_seconds') or 0:,.1f} s"


def _rate(s: Summary, key: str) -> str:
    return f"{rate_words(s.discount_rate)} a year"


Show = Callable[[Summary, str], str]
"""How one figure reads, from a scenario's summary and the figure's key."""

#: The side-by-side figures: label, summary key (a scenario without a plan has only
#: `status`), and how to show it from the summary and the key. Status, one-off and
#: payback are worded as `estate plan` words them (`estate.results.words`), so the two
#: never disagree.
FIGURES: tuple[tuple[str, str, Show], ...] = (
    ("How good the plan is", "status", _quality),
    ("NPV of cost (plan)", "objective_npv", _plan_cost),
    ("NPV of cost (status quo)", "status_quo_npv", _money),
    ("NPV saving", "npv_saving", _saving),
    ("Annual cost before", "annual_cost_before", _money),
    ("Annual cost after", "annual_cost_after", _money),
    ("Annual saving", "annual_saving", _saving),
    ("One-off cost", "one_off_cost", _one_off),
    ("Payback", "payback_years", _payback),
    ("Sites before", "sites_before", _value),
    ("Sites after", "sites_after", _value),
    ("Sites closed", "sites_closed", _value),
    ("Sites opened", "sites_opened", _value),
    ("Shared centres", "shared_centres", _value),
    ("Staff changing building (FTE)", "fte_relocated", _value),
    ("Status quo meets every rule", "status_quo_feasible", _value),
    ("Horizon (years)", "horizon_years", _value),
    ("Discount rate", "discount_rate", _rate),
    ("Gap to the lowest possible cost", "mip_gap", _gap),
    ("Solver, seconds", "solver", _solver),
)
TERMINAL_FIGURES = 15
"""The terminal shows the figures up to the staff moving; the page shows them all."""

#: With a dated scenario among them, the figures a board can count on come first: a
#: dated programme's NPV saving and payback, or an undated plan's own (said to be so);
#: the plans' own NPV and payback follow under a label that says what they assume.
DATED_FIGURES: tuple[tuple[str, str, Show], ...] = (
    (f"NPV saving {DATED}", "npv_saving", _dated),
    (f"NPV of cost {DATED}", "npv_cost", _dated),
    (f"Payback {DATED}", "payback_year", _dated),
)
def _own_figures(runs: list[Run]) -> dict[str, tuple[str, Show]]:
    """The plans' own figures' labels beside a dated programme: what every change made in
    year 1 would give, or, with a plan among them whose changes are dated (a start date
    and no programme, said in its cells), "unless said"."""
    npv = IN_YEAR_ONE if not any(
        run.summary is not None and run.summary.saving_basis is SavingBasis.WHEN_POSSIBLE
        for run in runs) else "of the plan itself (every change made in year 1, unless said)"
    return {"NPV of cost (plan)": (f"NPV of cost {npv}", _own_cost),
            "NPV saving": (f"NPV saving {npv}", _in_year_one),
            "Payback": (f"Payback {IN_YEAR_ONE}", _payback)}


def _dated_runs(runs: list[Run]) -> list[Run]:
    return [run for run in runs if run.summary is not None and run.summary.programme is not None]


def figures(runs: list[Run]) -> list[tuple[str, str, Show]]:
    """`FIGURES` as these runs need them: with a dated scenario among them, the
    `DATED_FIGURES` after the plan's quality, and the plans' own NPV saving and payback
    labelled as what every change made in year 1 would give, so that no reader ranks an
    undated plan's saving against a dated programme's without seeing the difference."""
    if not _dated_runs(runs):
        return list(FIGURES)
    shown, own = [], _own_figures(runs)
    for label, key, show in FIGURES:
        label, show = own.get(label, (label, show))
        shown.append((label, key, show))
    return [shown[0], *DATED_FIGURES, *shown[1:]]


class _Span(NamedTuple):
    """A compared plan's NPV of cost and the least its scenario's cheapest may be."""

    name: str
    least: float
    cost: float
    gap: float
    timed: bool  # stopped by the time limit; else within the solver.mip_gap asked for


def unsettled_note(runs: list[Run]) -> str:
    """The scenarios whose order the comparison cannot settle: two plans at least one of
    which is not proven, whose NPVs of cost lie within how far each may be above its
    cheapest (each cheapest lies between its plan's cost less its gap and that cost), so
    the cheaper plan found may not be the cheaper scenario ("" when none)."""
    return unsettled_words([(run.scenario.name, run.summary.status,
                             float(run.summary.objective_npv), run.summary.mip_gap)
                            for run in runs if run.summary is not None])


def unsettled_words(plans: list[tuple[str, Status, float, float | None]]) -> str:
    """`unsettled_note` of plans given as (scenario, status, NPV of cost, gap), as a
    comparison's table keeps them (the board pack's page of scenarios side by side)."""
    spans = []
    for name, status, cost, mip_gap in plans:
        if not status.has_plan:
            continue
        gap = gap_left(status, mip_gap)
        spans.append(_Span(name, cost - gap * abs(cost) if gap < math.inf
                           else -math.inf, cost, gap, status == Status.TIME_LIMIT))
    pairs = [(a, b) for i, a in enumerate(spans) for b in spans[i + 1:]
             if max(a.gap, b.gap) > PROVEN and a.least < b.cost and b.least < a.cost]
    if not pairs:
        return ""
    # what stopped the searches: the time limit, or the gap they were asked for
    open_ = [x for pair in pairs for x in pair if x.gap > PROVEN]
    timed, gapped = any(x.timed for x in open_), any(not x.timed for x in open_)
    stopped = " or ".join((["the time limit"] if timed else [])
                          + (["the solver.mip_gap it was given"] if gapped else []))
    fix = " and ".join((["a longer solver.time_limit_s"] if timed else [])
                       + (["a smaller solver.mip_gap"] if gapped else []))
    said = "; ".join(
        f"{_names([a.name, b.name])} ({money(abs(a.cost - b.cost))} apart; their plans may "
        f"be {_above(a.gap, b.gap)} above their cheapest)"
        for a, b in pairs[:5]) + (f"; and {len(pairs) - 5} more pairs" if len(pairs) > 5
                                   else "")
    return ("Not settled by these runs: " + said + f". A search stopped at {stopped}, "
            "short of proof, and the difference is within what it left open, so which "
            f"scenario is cheaper may change: give them {fix}.")


def _above(*gaps: float) -> str:
    """How far two plans may be above their scenarios' cheapest: "up to 0.96% and 0%",
    or, where a search stopped before it had a bound better than the solver's first
    guess, "any amount (no useful bound was found)" for it."""
    if all(gap < math.inf for gap in gaps):
        return "up to " + " and ".join(percent_up(gap) for gap in gaps)
    return " and ".join("any amount (no useful bound was found)" if gap == math.inf
                        else f"up to {percent_up(gap)}" for gap in gaps)


def _names(names: list[str]) -> str:
    """Scenario names in quotes, so that a name such as "Dated" reads as a name."""
    return ", ".join(f"\u201c{name}\u201d" for name in names)


def mixed_note(runs: list[Run]) -> str:
    """Why a dated programme's saving reads lower than an undated plan's, or why a plan
    with a start date and no programme counts its saving otherwise than one with no
    start date ("" unless the comparison holds two such kinds)."""
    dated = [run.scenario.name for run in _dated_runs(runs)]
    others = [run for run in runs if run.summary and run.scenario.name not in dated]
    started = [(run.scenario.name, bool(own_note(run.summary))) for run in others
               if run.summary is not None]
    undated = [name for name, no_programme in started if not no_programme]
    unscheduled = [name for name, no_programme in started if no_programme]
    if not others or not dated and not (undated and unscheduled):
        return ""
    said = (f"{_names(dated)} {'is' if len(dated) == 1 else 'are'} dated: "
            "a programme counts rent to each lease's end, build times, sale and move lags "
            "and yearly limits." if dated else "These savings are counted two ways.")
    if undated:
        said += (f" {_names(undated)}"
                 + (f" {'is' if len(undated) == 1 else 'are'} not" if dated else "") + ": "
                 f"{'its' if len(undated) == 1 else 'their'} saving assumes every change is "
                 "made in year 1 (and, without a start date, counts no rent after a site "
                 "closes and no wait for a sale), so it usually reads higher than a dated "
                 "programme of the same changes would.")
    if unscheduled:
        said += (f" {_names(unscheduled)} {'has' if len(unscheduled) == 1 else 'have'} a "
                 "start date but no programme: "
                 f"{'its' if len(unscheduled) == 1 else 'their'} saving is what "
                 f"{'its' if len(unscheduled) == 1 else 'their'} own changes realise, dated "
                 "at least cost, with no yearly limits (a programme keeps them, and may "
                 "choose other changes).")
    if not dated:  # a start date on its own, beside none
        return said + (" Compare like with like: give each scenario the same start date "
                       "(docs/programme.md).")
    return said + (" Compare dated with dated: give a scenario a start date and a "
                   "[programme] table (docs/programme.md).")


def warnings_note(runs: list[Run]) -> str:
    """How many warnings each compared plan was made with, and where they are listed
    ("" when none was): `estate plan` says them, a comparison only counts them, so that
    a planner reading it knows to look (a missing start date, a column not read)."""
    counted = [(run.scenario.name, len(said)) for run in runs if run.summary is not None
               and (said := read_warnings(run.results_dir))]
    if not counted:
        return ""
    each = "; ".join(f"\u201c{name}\u201d {count(n, 'warning')}" for name, n in counted)
    return (f"Planned with warnings: {each}. Each plan's are listed in its results folder's "
            "warnings.csv, and estate validate on its scenario says them.")


def registers_note(registers: list[tuple[str, RegisterUsed]]) -> str:
    """The warning that the scenarios (name, register) are planned on different
    registers, naming each one's register as its scenario file gives the path (relative
    to that file); "" when they share one. Said on comparison.html, on the terminal
    and on the board pack's side-by-side page alike."""
    if one_register([register for _, register in registers]):
        return ""
    each = "; ".join(f"\u201c{name}\u201d: {register.said()}" for name, register in registers)
    return ("These scenarios are planned on different registers, so their figures are not "
            "like-for-like: each status quo, and so each saving, is of a different estate "
            f"({each}). Compare scenarios whose data is the same register.")


@dataclass(frozen=True)
class ComparisonNote:
    """One note the comparison's figures come with, and where it is said."""

    text: str
    #: the figures are not like-for-like (registers, terms, agencies): said first, above
    #: the figures' heading on comparison.html
    unlike: bool = False
    #: said before the figures on the terminal too (plans of two kinds)
    first: bool = False
    #: a remark, not a caution (the plans were made with warnings): shown muted
    remark: bool = False


def comparison_notes(runs: list[Run]) -> list[ComparisonNote]:
    """Every note the comparison's figures come with, in the order comparison.html shows
    them: registers, terms and agencies that differ; plans of two kinds; an order the
    gaps leave open; warnings. The terminal says them too, and comparison.xlsx lists them
    on a sheet of their own, so that a figure is not read without them."""
    notes = [ComparisonNote(registers_note(run_registers(runs)), unlike=True),
             *(ComparisonNote(note, unlike=True) for note in unlike_notes(runs)),
             ComparisonNote(mixed_note(runs), first=True),
             ComparisonNote(unsettled_note(runs)),
             ComparisonNote(warnings_note(runs), remark=True)]
    return [note for note in notes if note.text]


def run_registers(runs: list[Run]) -> list[tuple[str, RegisterUsed]]:
    """Each compared scenario's name and register, for `registers_note`."""
    return [(run.scenario.name, run.register) for run in runs if run.register is not None]


def figure_of(run: Run, key: str, show: Show) -> str:
    """One figure of one scenario as text; a scenario with no plan shows how its run
    ended (its status) and nothing else."""
    if run.summary is not None:
        return show(run.summary, key)
    if key == "status" and run.status is not None:
        return quality_words(run.status, None)[0]
    return ""


#: The dated programme's figures: label, how to show them from (its figures, summary).
METHOD_WORDS = {"roadmap": "the plan's changes put in order (roadmap)",
                "joint": "every year planned together (joint model)"}

PROGRAMME_FIGURES: tuple[tuple[str, Callable[[ProgrammeFigures, Summary], str]], ...] = (
    ("How it was scheduled", lambda p, s: METHOD_WORDS[p.method]),
    ("Starts", lambda p, s: p.start),
    ("NPV saving, as dated", lambda p, s: pounds(p.npv_saving)),
    (f"NPV saving {IN_YEAR_ONE}", lambda p, s: pounds(s.saving_in_year_one)),
    ("Payback year", lambda p, s: dated_payback_words(p)),
    ("Changes scheduled", lambda p, s: plain(p.changes)),
    ("Roadmap dearer than the joint model by",
     lambda p, s: "not measured (the joint model did not run)" if p.gap is None
     else f"{p.gap:.2%}"),
    ("How sure the schedule is", lambda p, s: schedule_quality(
        p.status, p.mip_gap, p.method, limited=sets_limits(p.budget))[1]),
)
