"""The board pack's pages that exist only sometimes: the dated programme (when the
results folder has one) and the scenarios side by side (with `--compare DIR`)."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from estate.render import figures
from estate.render.compare_figures import registers_note
from estate.render.report_data import Block, Chart, Page, Results, Table, Text
from estate.render.report_pages import behind_at_first
from estate.render.report_reference import limits_set, listed, year_words
from estate.results import Programme, Summary, money
from estate.results.amounts import count, dated_difference, fte_words, rate_words
from estate.results.summary import SavingBasis, saving_basis, year_one_saving
from estate.results.words import (
    DATED,
    IN_YEAR_ONE,
    dated_figure_words,
    dated_payback_words,
    limits_words,
    one_off_cell,
    payback_words,
    programme_payback_words,
    quality_words,
    saves_words,
    schedule_quality,
    scheduled_whose,
)
from estate.status import Status
from estate.store.register_used import RegisterUsed


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
    whose = scheduled_whose(s, optimum="the best end state's")
    method = ("the exact model over all years" if p.method == "joint"
              else f"putting {whose} changes in order year by year")
    blocks: list[Block] = [Text(
        f"From {p.start}, {count(len(p.actions), 'change')} in {count(s.horizon_years, 'year')}, "
        f"found by {method}. {schedule_quality(p.status, p.mip_gap, p.method, whose)[1]} "
        f"{dated_words(r)} {when}")]
    if limits := _limits_words(p.budget):
        blocks.append(Text(limits))
    if behind := _agencies_behind_words(r):
        blocks.append(Text(behind))
    blocks += [Text(note_sentence(str(note), s.plan_from), "note") for note in p.notes]
    totals = p.totals()
    if len(totals):
        blocks.append(Chart("cash-flow", figures.cash_flow(p),
                            "The saving each year and the saving so far, at today's value."))
        rows = tuple((f"{int(row.year)}", str(row.date), one_off_cell(row.one_off),
                      money(row.receipts), money(row.saving), money(row.cumulative_discounted))
                     for row in totals.itertuples(index=False))
        blocks.append(Table("Cash, year by year (the whole estate)", (
            "Year", "From", "One-off spending", "Sale receipts",
            "Net saving in the year (cash)", "Saving so far (today's money)"), rows,
            (True, False, True, True, True, True), (0.07, 0.14, 0.2, 0.14, 0.22, 0.23)))
        rate = rate_words(s.discount_rate)
        blocks.append(Text(
            "The middle columns are pounds of each year, as a budget counts them: the net "
            "saving is the running cost and rent saved less one-off spending, plus sale "
            f"receipts. The last column discounts each year's net saving at {rate} a year "
            "to today's money and adds them up, so it does not follow from the others; it "
            "ends at the programme's NPV saving.", "note"))
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


def _agencies_behind_words(r: Results) -> str:
    """The agencies out of pocket for a while, which the estate's payback hides
    (`behind_at_first`): each with the last year it is behind, counted in ("up to and
    including year 2 (2028-29)"), or "throughout" when it is still behind at the end."""
    p, s = r.programme, r.summary
    assert p is not None
    later = [f"{b.name} throughout the {count(s.horizon_years, 'year')}" if b.last is None
             else f"{b.name} up to and including {year_words(p.start, b.last)}"
             for b in behind_at_first(r)]
    if not later:
        return ""
    many = len(later) > 1
    return (f"{'Agencies' if many else 'An agency'} out of pocket at first "
            f"({'their' if many else 'its'} own saving so far, at today's value, below "
            f"zero): {'; '.join(later)}.")


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


def _waits(p: Programme) -> list[str]:
    """What the programme's changes wait for that the plan's own figures do not count,
    each only when it applies: the yearly limits (`_limits_waited_for`), a new building
    that opens after the year it is decided, a team that moves after year 1 (the plan's
    own figures book its move and its pooling at the new site from year 1)."""
    waits = []
    if limited := _limits_waited_for(p):
        waits.append(f"the yearly limits (on {listed(limited)})")
    acts = p.actions
    decided = acts[acts["action"] == "build"].groupby("site_id")["year"].min()
    opened = acts[acts["action"] == "open"].groupby("site_id")["year"].min()
    # a build that opens past the horizon has no open row: it waits longest of all
    if (opened.reindex(decided.index).astype(float).fillna(math.inf)
            > decided.astype(float)).any():
        waits.append("new buildings to be built")  # one opens after the year it is decided
    if ((acts["action"] == "move") & (acts["year"].astype(int) > 1)).any():
        waits.append("teams to arrive before they pool at their new sites")
    return waits


def dated_words(r: Results) -> str:
    """The programme's NPV against the snapshot's, and what makes them differ. Rent owed
    until leases end, sales that take time and a site's running cost until its teams may
    move are priced in both, so they are not the reason; the rest of waiting is, each
    part named only when it applies (`_waits`)."""
    p, s = r.programme, r.summary
    assert p is not None
    waits = _waits(p)
    difference = dated_difference(s.saving_in_year_one, p.npv_saving)
    said = f"Dated, the programme {saves_words(p.npv_saving, unit=' (NPV)')}, "
    if abs(difference.pounds) < 0.5:
        said += f"as much as the plan would save {IN_YEAR_ONE}"
    else:
        said += (f"{difference.size} {'less' if difference.pounds > 0 else 'more'} than the "
                 f"{money(s.saving_in_year_one)} the plan would save {IN_YEAR_ONE}")
    if difference.pounds >= 0.5 and waits:
        said += ": changes wait for " + (", for ".join(waits[:-1]) + ", and for "
                                         if len(waits) > 1 else "") + waits[-1]
    elif difference.pounds <= -0.5:
        said += (": dated year by year, the exact model chose another end state that pays "
                 "better" if p.method == "joint" else
                 ": one-off costs paid in later years weigh less in today's money")
    said += "."
    if limits := limits_words(p.method, p.unlimited_saving, p.npv_saving):
        said += f" The yearly limits {limits}."
        unlimited = p.unlimited_saving or 0.0
        waiting = dated_difference(s.saving_in_year_one, unlimited)
        by_limits = dated_difference(unlimited, p.npv_saving)
        # the difference in two parts that add up to it as the page shows them (figures
        # either side of £1m, in £k and £m, may not: then the parts are not said)
        adds_up = abs(waiting.pounds + by_limits.pounds - difference.pounds) < 0.5
        other = [w for w in waits if not w.startswith("the yearly limits")]
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
    for used, limit, what, show in (
            ("one_off", "one_off_limit", "net one-off spend (spending less that year's sale "
             "receipts)", money),
            ("fte_moved", "fte_limit", "staff changing building",
             fte_words),
            ("closures", "closures_limit", "closures", lambda v: f"{v:,.0f}")):
        if limit not in budget or used not in budget or budget.empty:
            continue
        limits = budget[limit].to_numpy(float)
        if not np.isfinite(limits).any():
            continue
        top = budget.loc[budget[used].astype(float).idxmax()]
        bound = (show(float(limits[0])) if np.unique(limits).size == 1
                 else "that year's limit")
        said.append(f"{what} at most {bound} (the most any year: "
                    f"{show(float(top[used]))}, in year {int(top['year'])})")
    return ("Each year keeps to the scenario's yearly limits: " + "; ".join(said) + ".") \
        if said else ""


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _status(row: pd.Series) -> str:
    """How good a compared plan is, in the words of `estate.results.words`."""
    status = str(row.get("status", ""))
    if status not in (Status.OPTIMAL, Status.TIME_LIMIT):
        return "no plan: " + status.replace("_", " ")
    return quality_words(Status(status), _number(row.get("mip_gap")))[0]


def _losers(row: pd.Series) -> str:
    names = [str(row.get(c[: -len("worse_off")] + "name", c))
             for c in row.index if c.startswith("agency.") and c.endswith(".worse_off")
             and str(row[c]).strip().lower() in ("true", "1", "yes")]
    return "; ".join(figures.named(n, 60) for n in names) or "none"


def _payback(row: pd.Series) -> str:
    return payback_words(_number(row.get("payback_years")), _number(row.get("one_off_cost")))[0]


def _dated_saving(row: pd.Series) -> float | None:
    """A compared row's dated programme saving (comparison.csv's `programme.npv_saving`),
    None when the scenario is not dated."""
    return _number(row.get("programme.npv_saving"))


def _not_scheduled(row: pd.Series) -> bool:
    """A compared row of a plan with a start date and no programme: its own saving counts
    each change from the first year it can happen, not every change in year 1."""
    basis = saving_basis(row.get("programme.npv_saving"), row.get("lease_cost_npv"))
    return basis is SavingBasis.WHEN_POSSIBLE


def _programme(row: pd.Series) -> dict[str, Any] | None:
    """A compared row's dated programme figures (comparison.csv's `programme.*`), None
    when the scenario is not dated."""
    if _dated_saving(row) is None:
        return None
    figures = {key: _number(row.get(f"programme.{key}"))
               for key in ("npv_saving", "npv_cost", "payback_year")}
    if "programme.lasting_payback_year" in row.index:  # not in a comparison of before it
        figures["lasting_payback_year"] = _number(row["programme.lasting_payback_year"])
    return figures


FIGURES = (
    ("How good the plan is", _status),
    ("NPV saving", lambda row: money(_number(year_one_saving(row)))
     + (" (not scheduled)" if _not_scheduled(row) else "")),
    ("Saving a year", lambda row: money(_number(row.get("annual_saving")))),
    ("One-off", lambda row: one_off_cell(_number(row.get("one_off_cost")) or 0.0)),
    ("Payback", _payback),
    ("Sites after (closed, opened)", lambda row: f"{row.get('sites_after', '')} ("
     f"{row.get('sites_closed', '')}, {row.get('sites_opened', '')})"),
    ("Shared service centres", lambda row: str(row.get("shared_centres", ""))),
    ("Staff changing building (FTE)",
     lambda row: f"{_number(row.get('fte_relocated')) or 0:,.0f}"),
    ("Agencies paying more each year", _losers),
)


SAME_PLAN = ("npv_saving", "saving_in_year_one", "annual_saving", "one_off_cost")
"""The figures a compared row must share with this paper's summary to be called its plan."""


def _row_figure(row: pd.Series, key: str) -> Any:
    """A compared row's figure `key` of `SAME_PLAN`. A row written before a dated plan's
    `npv_saving` became its programme's has no `year_one_npv_saving`: its `npv_saving`
    is then the year-1 figure, and its programme's saving the headline."""
    old = _number(row.get("year_one_npv_saving")) is None and _dated_saving(row) is not None
    if key == "npv_saving" and old:
        return _dated_saving(row)
    if key == "saving_in_year_one":
        return year_one_saving(row)
    return row.get(key)


def _is_this_plan(row: pd.Series, s: Summary) -> bool:
    """The row is this paper's plan: the same name and the same money (to £10, the
    rounding summaries allow), not an older or other plan under the same name."""
    figures_there = [_number(_row_figure(row, key)) for key in SAME_PLAN]
    return row["scenario"] == s.scenario and all(
        value is not None and abs(value - getattr(s, key)) <= 10.0
        for key, value in zip(SAME_PLAN, figures_there, strict=True))


DATED_FIGURES = (
    (f"NPV saving {DATED}", lambda row: dated_figure_words(_programme(row), "npv_saving")),
    (f"Payback {DATED}", lambda row: dated_payback_words(_programme(row))),
)


def _figures(table: pd.DataFrame) -> list[tuple[str, Any]]:
    """`FIGURES`, and with a dated scenario among the rows the `DATED_FIGURES` after the
    plan's quality and the plans' own NPV saving and payback labelled as every change
    made in year 1, as `estate compare`'s own page sets them."""
    if not any(_dated_saving(row) is not None for _, row in table.iterrows()):
        return list(FIGURES)
    shown = [(f"{label} {IN_YEAR_ONE}" if label in ("NPV saving", "Payback") else label, show)
             for label, show in FIGURES]
    return [shown[0], *DATED_FIGURES, *shown[1:]]


def _ranking(planned: pd.DataFrame, n: int) -> str:
    """Which scenario saves the most, on the saving each can count on: all dated, all
    undated, or not ranked when the two kinds are mixed (a dated programme counts
    leases, lags and limits that an undated plan leaves out)."""
    dated = planned.apply(_dated_saving, axis=1) if len(planned) else pd.Series(dtype=float)
    if dated.notna().all():
        savings, how = dated, "NPV, dated"
    elif dated.isna().all():
        savings, how = planned["npv_saving"].map(_number), "NPV"
    else:
        return (f"Of {count(n, 'scenario')} compared, some are dated and some are not, so "
                "they are not ranked: a dated programme's saving counts rent to each "
                "lease's end, lags and yearly limits that an undated plan's leaves out. "
                "Compare dated with dated.")
    top = savings.fillna(-math.inf).max()
    # to the pound, as figures of one register and one plan come out alike
    best = planned.loc[savings.fillna(-math.inf) >= top - 0.5, "scenario"]
    if len(best) == 1:
        return (f"Of {count(n, 'scenario')} compared, {figures.named(best.iloc[0], 80)} "
                f"saves the most: {money(top)} ({how}).")
    return (f"Of {count(n, 'scenario')} compared, "
            f"{listed([figures.named(b, 80) for b in best])} save the most, alike: "
            f"{money(top)} each ({how}).")


def comparison_page(table: pd.DataFrame, r: Results) -> Page:
    """Every compared scenario's headline figures side by side, and which saves most.
    The row of this paper's plan is named so; a row under its name with other figures
    (compared before a re-plan, or another file of the same name) is said to differ."""
    s = r.summary
    has_plan = table["status"].isin((Status.OPTIMAL, Status.TIME_LIMIT))
    ours = [_is_this_plan(row, s) for _, row in table.iterrows()]
    others = [n == s.scenario and plan and not mine  # a failed run is only its status
              for n, plan, mine in zip(table["scenario"], has_plan, ours, strict=True)]
    names = [figures.named(n, 60) + (" (this paper)" if mine else " (another plan of this "
                                     "name)" if other else "")
             for n, mine, other in zip(table["scenario"], ours, others, strict=True)]
    planned = table[has_plan]
    body = []
    for label, show in _figures(table):
        cells = [show(row) if plan or label == FIGURES[0][0] else ""
                 for (_, row), plan in zip(table.iterrows(), has_plan, strict=True)]
        body.append((label, *cells))
    n = len(names)
    blocks: list[Block] = []
    if len(planned):
        blocks.append(Text(_ranking(planned, n)))
    registers = [(figures.plain(str(row["scenario"]), 60), register)
                 for _, row in table.iterrows()
                 if (register := RegisterUsed.from_columns(row)) is not None]
    if note := registers_note(registers):
        blocks.append(Text(note))
    blocks.append(Table("Each scenario's headline figures", ("Figure", *names), tuple(body),
                        (False, *[True] * n), (0.28, *[0.72 / max(n, 1)] * n)))
    blocks.append(Text("From comparison.csv of the comparison folder; each scenario's own "
                       "horizon and discount rate.", "note"))
    if any(others) and not any(ours):
        blocks.append(Text(f"The comparison's {figures.named(s.scenario, 80)} is not the plan "
                           "of this paper: its figures differ from those on the first page "
                           "(compared before the scenario was planned again, or another "
                           "scenario file of the same name). Run estate compare again to "
                           "set this plan beside the others.", "note"))
    return Page("The scenarios side by side", tuple(blocks))
