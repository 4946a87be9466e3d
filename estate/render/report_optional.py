"""The board pack's page that exists only sometimes: the dated programme (when the
results folder has one). The scenarios side by side (`--compare DIR`) are
`estate.render.report_comparison`'s."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pandas as pd

from estate.render import figures
from estate.render.report_behind import Behind, Spell, agencies_behind
from estate.render.report_data import Block, Chart, Page, Results, Table, Text
from estate.render.report_reference import year_words
from estate.results import Programme, money
from estate.results.amounts import (
    count,
    dated_difference,
    fte_words,
    how_many_named,
    listed,
    listed_few,
    rate_words,
)
from estate.results.payback import programme_payback_words
from estate.results.programme_figures import limits_set, sets_limits
from estate.results.words import (
    BEST_END_STATE,
    IN_YEAR_ONE,
    beside_year_one,
    limits_words,
    one_off_cell,
    saves_words,
    schedule_quality,
    scheduled_whose,
)


def programme_page(r: Results) -> Page | None:
    """In words first, then the cash-flow curve and the year-by-year cash, then the Gantt
    chart (on as many charts as its sites need, `figures.gantt_parts`): the cash fills
    the sheet the words start, and the chart of a large programme takes sheets of its
    own."""
    p = r.programme
    if p is None:
        return None
    s = r.summary
    when = f"It {programme_payback_words(p.payback_year, p.lasting_payback_year)}" + (
        ": the first year its saving so far, at today's value, is positive." if
        p.payback_year and p.payback_year == p.lasting_payback_year else ".")
    # a plan that is the estate the roadmap reaches: the changes ordered are the snapshot
    # optimum's, in a board's words the best end state's (a term of the glossary), or an
    # alternative's as found
    whose = scheduled_whose(s, optimum=BEST_END_STATE)
    method = ("the exact model over all years" if p.method == "joint"
              else f"putting {whose} changes in order year by year")
    quality = schedule_quality(p.status, p.mip_gap, p.method, whose, sets_limits(p.budget))[1]
    blocks: list[Block] = [Text(
        f"From {p.start}, {count(len(p.actions), 'change')} in {count(s.horizon_years, 'year')}, "
        f"found by {method}. {quality} {dated_words(r)} {when}")]
    if limits := _limits_words(p.budget):
        blocks.append(Text(limits))
    if surrenders := _surrender_words(p):
        blocks.append(Text(surrenders))
    if behind := _agencies_behind_words(r):
        blocks.append(Text(behind))
    blocks += [Text(note_sentence(str(note), s.plan_from), "note") for note in p.notes]
    totals = p.totals()
    if len(totals):
        blocks.append(Chart("cash-flow", figures.cash_flow(p),
                            "The saving each year and the saving so far, at today's value."))
        blocks += _cash_table(totals, rate_words(s.discount_rate))
    if len(p.actions):
        parts = figures.gantt_parts(p, s.horizon_years)
        every = count(p.actions["site_id"].nunique(), "site")
        blocks.append(Text("When each change happens", "heading"))
        for i, sites in enumerate(parts, start=1):
            which = ("" if len(parts) == 1 else
                     f" (chart {i} of {len(parts)}: sites {sites.start + 1:,} to "
                     f"{sites.stop:,}, in order of their first change)")
            blocks.append(Chart("gantt" if i == 1 else f"gantt-{i}",
                                figures.gantt(p, s.horizon_years, sites),
                                f"When each change happens: {count(len(p.actions), 'change')} "
                                f"at {every} over {count(s.horizon_years, 'year')}{which}."))
    return Page("When: the programme", tuple(blocks))


def _cash_table(totals: pd.DataFrame, rate: str) -> list[Block]:
    """The estate's cash year by year, and a note on how to read it. Rent still owed on
    sites already closed, until each lease can end, has a column of its own when any is
    owed: a finance director asks what empty buildings cost, and the net saving already
    counts it."""
    owed = totals["rent"].to_numpy(float).sum() >= 0.5
    rows = tuple((f"{int(row.year)}", str(row.date), one_off_cell(row.one_off),
                  money(row.receipts), *((money(row.rent),) if owed else ()),
                  money(row.saving), money(row.cumulative_discounted))
                 for row in totals.itertuples(index=False))
    header = ("Year", "From", "One-off spending", "Sale receipts",
              *(("Rent on closed sites",) if owed else ()),
              "Net saving in the year (cash)", "Saving so far (today's money)")
    widths = ((0.07, 0.12, 0.17, 0.13, 0.13, 0.19, 0.19) if owed
              else (0.07, 0.14, 0.2, 0.14, 0.22, 0.23))
    rent = (" Rent on closed sites is what a lease still costs after its site has "
            "closed, until the lease can end; the net saving is after it." if owed else "")
    return [Table("Cash, year by year (the whole estate)", header, rows,
                  (True, False, *(True,) * (len(header) - 2)), widths),
            Text("The middle columns are pounds of each year, as a budget counts them: the "
                 "net saving is the running cost and rent saved less one-off spending, "
                 f"plus sale receipts.{rent} The last column discounts each year's net "
                 f"saving at {rate} a year to today's money and adds them up, so it does "
                 "not follow from the others; it ends at the programme's NPV saving.",
                 "note")]


def _surrender_words(p: Programme) -> str:
    """The leases the programme surrenders as their sites close (programme.csv's
    `surrender`, blank in older folders), a few named with their years: a premium a
    finance director asks for by name, which the one-off spending counts."""
    if "surrender" not in p.actions:
        return ""
    rows = p.actions[p.actions["surrender"].astype(float).fillna(0.0) >= 0.5]
    if rows.empty:
        return ""
    named = [f"{figures.named(str(row.site_name), 60)} ({figures.identifier(row.site_id)}, "
             f"{year_words(p.start, int(row.year))}, {money(float(row.surrender))})"
             for row in rows.head(how_many_named(len(rows), 5)).itertuples(index=False)]
    total = float(rows["surrender"].sum())
    return (f"The one-off spending includes {money(total)} to surrender "
            f"{count(len(rows), 'lease')} as {'its site closes' if len(rows) == 1 else 'their sites close'}, "
            "each cheaper than the rent to the lease's end or break: "
            + listed_few(named, len(rows)) + ".")


def _agencies_behind_words(r: Results) -> str:
    """The agencies out of pocket for a while, which the estate's payback hides
    (`agencies_behind`), each with the years it is behind (`_behind_when`)."""
    p, s = r.programme, r.summary
    assert p is not None
    later = [f"{b.name} {_behind_when(b, p.start, s.horizon_years)}"
             for b in agencies_behind(r)]
    if not later:
        return ""
    many = len(later) > 1
    return (f"{'Agencies' if many else 'An agency'} out of pocket for a while "
            f"({'their' if many else 'its'} own saving so far, at today's value, below "
            f"zero): {'; '.join(later)}.")


def _behind_when(b: Behind, start: str, horizon: int) -> str:
    """The years an agency is behind, each spell's last year counted in, spells joined
    by "and": "up to and including year 2 (2028-29)" from year 1, "in year 2 (2028-29)"
    alone, "from year 3 (2029-30) up to and including year 5 (2031-32)"; still behind
    at the end, "throughout the 10 years" or "from year 8 (2034-35) to the horizon's
    end"."""
    return " and ".join(_spell_words(spell, start, horizon) for spell in b.spells)


def _spell_words(spell: Spell, start: str, horizon: int) -> str:
    if spell.last is None:
        return (f"throughout the {count(horizon, 'year')}" if spell.first == 1
                else f"from {year_words(start, spell.first)} to the horizon's end")
    if spell.first == 1:
        return f"up to and including {year_words(start, spell.last)}"
    if spell.first == spell.last:
        return f"in {year_words(start, spell.last)}"
    return (f"from {year_words(start, spell.first)} up to and including "
            f"{year_words(start, spell.last)}")


BEST = f"the best end state {IN_YEAR_ONE}"
"""The snapshot optimum in a board's words: the end state that would save most if every
change were made in year 1."""


def _plain(plan_from: str | None) -> tuple[tuple[re.Pattern[str], str], ...]:
    """The notes' planner words ("snapshot", "joint model", "columns", "roadmap") and a
    board's words for them, in the order they apply. The roadmap puts the snapshot
    optimum's changes in order: the plan's own changes, except when the plan is the
    dated programme's end state (`plan_from` "programme"), which is another estate."""
    own = plan_from != "programme"
    changes = "the plan's changes" if own else f"the changes of {BEST}"
    ordered = f"{changes}{'' if own else ','} put in order"
    return tuple((re.compile(planner), words) for planner, words in (
        (r"\bthe snapshot's changes scheduled\b", f"{ordered} year by year"),
        (r"\(the roadmap alone was asked for\)", "(it was not asked for)"),
        (r"^roadmap search:", f"the search that put {changes} in order:"),
        (r"^joint model search:", "the exact model's search:"),
        (r"\bthe roadmap found no schedule\b", f"no schedule of {changes} was found"),
        (r"\bbreaks a rule of the snapshot model\b", "breaks a rule every plan keeps"),
        (r"\bthe snapshot optimum's end state\b", BEST),
        (r"\bthe snapshot optimum's\b", BEST),
        (r"\bthe snapshot's\b", "the plan's" if own else "the best end state's"),
        (r"\bjoint model's\b", "exact model's"),
        (r"\bjoint model\b", "exact model over all years"),
        (r"\(([0-9,]+) columns, above the ([0-9,]+) it is run for\)",
         r"(it would weigh \1 decisions, above the \2 it is run for)"),
        (r"\b([0-9,]+) columns\b", r"\1 decisions"),
        (r"against the roadmap's (\S+)", rf"against \1 for {ordered}"),
        (r"\bthe roadmap\b", f"{ordered} year by year"),
        (r"\broadmap\b", "putting changes in order year by year")))


def note_sentence(note: str, plan_from: str | None = "snapshot") -> str:
    """A programme note (a terminal's fragment, "the snapshot's changes scheduled; ...")
    as the pack prints it, in a board's words (`_plain`, for the plan's `plan_from`): a
    full stop last, and a capital first when it opens with one of the notes' own words
    (one may open with a team's id, which stays as written)."""
    note = note.strip()
    for planner, words in _plain(plan_from):
        note = planner.sub(words, note)
    if note.split(" ", 1)[0] in ("the", "joint", "exact", "no"):
        note = note[0].upper() + note[1:]
    return note + ("" if note.endswith(".") else ".")


def _limits_waited_for(p: Programme) -> list[str]:
    """The yearly limits changes waited for. Priced (the roadmap's `unlimited_saving`):
    every limit set, when together they cost something as the figures read, and none
    when they cost nothing. Not priced (the joint model's programme): each limit some
    year reaches, as the programme page marks it; one no year reaches held nothing back."""
    b = p.budget
    limited = limits_set(b)
    if p.method == "roadmap" and p.unlimited_saving is not None:
        costs = dated_difference(p.unlimited_saving, p.npv_saving).pounds >= 0.5
        return [what for _, _, what in limited] if costs else []
    reached = []
    for used, column, what in limited:
        limit = b[column].to_numpy(float)
        use = b[used].to_numpy(float) if used in b else np.zeros(len(b))
        at = np.isfinite(limit) & (use >= limit - 1e-6 * np.maximum(1.0, np.abs(limit)))
        if at.any():
            reached.append(what)
    return reached


class Waits(NamedTuple):
    """What the programme's changes wait for: the yearly limits ("" when none held a
    change back), and the other waits, each in words."""

    limits: str
    others: tuple[str, ...]

    @property
    def said(self) -> list[str]:
        """Every wait in words, the limits first."""
        return [self.limits, *self.others] if self.limits else list(self.others)


def _waits(p: Programme) -> Waits:
    """What the programme's changes wait for that the plan's own figures do not count,
    each only when it applies: the yearly limits (`_limits_waited_for`), a new building
    that opens after the year it is decided, a team that moves after year 1 (the plan's
    own figures book its move and its pooling at the new site from year 1)."""
    limited = _limits_waited_for(p)
    others = []
    acts = p.actions
    decided = acts[acts["action"] == "build"].groupby("site_id")["year"].min()
    opened = acts[acts["action"] == "open"].groupby("site_id")["year"].min()
    # a build that opens past the horizon has no open row: it waits longest of all
    if (opened.reindex(decided.index).astype(float).fillna(math.inf)
            > decided.astype(float)).any():
        others.append("new buildings to be built")  # one opens after the year it is decided
    if ((acts["action"] == "move") & (acts["year"].astype(int) > 1)).any():
        others.append("teams to arrive before they pool at their new sites"
                      if (acts["action"] == "pool").any() else "teams to move")
    return Waits(f"the yearly limits (on {listed(limited)})" if limited else "",
                 tuple(others))


def _later_costs_less(r: Results) -> list[str]:
    """Why the dated programme saves more than the plan's own figures, each only when it
    applies: they book every change's cost in year 1, where the programme makes a change
    that raises the yearly cost later, pays one-offs later, runs a new site from the
    year it opens and pays a team with no site today from the year it is housed."""
    p = r.programme
    assert p is not None
    acts = p.actions
    later = acts["year"].astype(int) > 1
    new_teams = {team for team, _, _ in r.new_teams()}
    opened = later & (acts["action"] == "open")
    housed = later & (acts["action"] == "move") & acts["function_id"].astype(str).isin(
        new_teams)
    dearer = later & (acts["annual_effect"].astype(float) < -0.5) & ~opened & ~housed
    why = []
    if dearer.any():  # a change that raises the yearly cost, made later: the most, often
        why.append("changes that add to the yearly cost are made only in later years")
    if (later & (acts["one_off"].astype(float) > 0.5)).any():
        why.append("one-off costs paid in later years weigh less in today's money")
    if opened.any():
        why.append("new sites cost their running cost only from the year they open")
    if housed.any():
        why.append("teams with no site today cost only from the year they are housed")
    return why or ["changes made in later years weigh less in today's money"]


def dated_words(r: Results) -> str:
    """The programme's NPV against the snapshot's, and what makes them differ. Rent owed
    until leases end, sales that take time and a site's running cost until its teams may
    move are priced in both, so they are not the reason; the rest of waiting is, each
    part named only when it applies (`_waits`)."""
    p, s = r.programme, r.summary
    assert p is not None
    found = _waits(p)
    if found.limits and p.unlimited_saving is not None and dated_difference(
            s.saving_in_year_one, p.unlimited_saving).pounds < 0.5:
        # without the limits the same changes save as much: what waits, waits for them
        found = Waits(found.limits, ())
    waits = found.said
    difference = dated_difference(s.saving_in_year_one, p.npv_saving)
    said = (f"Dated, the programme {saves_words(p.npv_saving, unit=' (NPV)')}, "
            f"{beside_year_one(p.npv_saving, s.saving_in_year_one)}")
    if difference.pounds >= 0.5 and waits:
        said += ": changes wait for " + (", for ".join(waits[:-1]) + ", and for "
                                         if len(waits) > 1 else "") + waits[-1]
    elif difference.pounds <= -0.5:
        said += (": dated year by year, the exact model chose another end state that pays "
                 "better" if p.method == "joint" else f": {listed(_later_costs_less(r))}")
    said += "."
    if limits := limits_words(p.method, p.unlimited_saving, p.npv_saving):
        said += f" The yearly limits {limits}."
        unlimited = p.unlimited_saving or 0.0
        waiting = dated_difference(s.saving_in_year_one, unlimited)
        by_limits = dated_difference(unlimited, p.npv_saving)
        # the difference in two parts that add up to it as the page shows them (figures
        # either side of £1m, in £k and £m, may not: then the parts are not said)
        adds_up = abs(waiting.pounds + by_limits.pounds - difference.pounds) < 0.5
        other = found.others
        if difference.pounds >= 0.5 and waiting.pounds >= 0.5 and by_limits.pounds >= 0.5 \
                and adds_up and other:
            said += (f" So the {difference.size} is {waiting.size} of waiting for "
                     f"{' and for '.join(other)}, and {by_limits.size} of the yearly limits.")
    return said + (" Rent owed until leases end, sales that take time and sites running "
                   "until their teams may move are counted in both figures.")


def _limits_words(budget: pd.DataFrame) -> str:
    """Each yearly limit the scenario sets, and the most any year uses of it. The money
    limit is on net spend (spending less that year's sale receipts), so a year may spend
    more than the limit when sales come in."""
    said = []
    shows: dict[str, Callable[[float], str]] = {
        "one_off": money, "fte_moved": fte_words, "closures": lambda v: f"{v:,.0f}"}
    for used, limit, what in limits_set(budget):
        if used not in budget or budget.empty:
            continue
        show = shows[used]
        if used == "one_off":
            what += " (spending less that year's sale receipts)"
        limits = budget[limit].to_numpy(float)
        top = budget.loc[budget[used].astype(float).idxmax()]
        bound = (show(float(limits[0])) if np.unique(limits).size == 1
                 else "that year's limit")
        said.append(f"{what} at most {bound} (the most any year: "
                    f"{show(float(top[used]))}, in year {int(top['year'])})")
    return ("Each year keeps to the scenario's yearly limits: " + "; ".join(said) + ".") \
        if said else ""
