"""The board pack's page of scenarios side by side (`estate report --compare DIR`): this
plan among the comparison's, ranked by NPV saving, with each one's figures, its status
and who pays more."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from estate.errors import KeptReasons
from estate.render import figures
from estate.render.compare_figures import UNDATED, registers_note, unsettled_words
from estate.render.like_for_like import estates_note, terms_note
from estate.render.report_data import Block, Page, Results, Table, Text
from estate.results import Summary, money
from estate.results.amounts import count, listed
from estate.results.payback import dated_payback_words, payback_words
from estate.results.programme_figures import DatedFigures
from estate.results.summary import (
    OWN_CHANGES_DATED,
    SavingBasis,
    blank,
    saving_basis,
    year_one_saving,
)
from estate.results.words import (
    DATED,
    IN_YEAR_ONE,
    dated_figure_words,
    one_off_cell,
    quality_words,
    saving_figure,
)
from estate.status import PLANNED, Status
from estate.store.register_used import RegisterUsed


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _status(row: pd.Series) -> str:
    """How good a compared plan is, in the words of `estate.results.words`."""
    status = str(row.get("status", ""))
    if status not in PLANNED:
        # its reasons as comparison.csv keeps them ("  - " lines), the first few words,
        # and the rules to relax whole
        kept = KeptReasons.of(str(row.get("message", "")))
        said = "; ".join(part for part in (figures.plain("; ".join(kept.reasons), 240),
                                           figures.plain(kept.relax, 240)) if part)
        return "no plan: " + status.replace("_", " ") + (f" ({said})" if said else "")
    return quality_words(Status(status), _number(row.get("mip_gap")))[0]


def _losers(row: pd.Series) -> str:
    names = [str(row.get(c[: -len("worse_off")] + "name", c))
             for c in row.index if c.startswith("agency.") and c.endswith(".worse_off")
             and str(row[c]).strip().lower() in ("true", "1", "yes")]
    return "; ".join(figures.named(n, 60) for n in names) or "none"


def _saving(value: float | None) -> str:
    """A saving as the headline figures say it: "none; costs £699.0k more" for a loss,
    never a negative saving; "n/a" when the row has none."""
    return money(value) if value is None else saving_figure(value)


def _payback(row: pd.Series) -> str:
    return payback_words(_number(row.get("payback_years")), _number(row.get("one_off_cost")))[0]


def _dated_saving(row: pd.Series) -> float | None:
    """A compared row's dated programme saving (comparison.csv's `programme.npv_saving`),
    None when the scenario is not dated."""
    return _number(row.get("programme.npv_saving"))


def _basis(row: pd.Series) -> SavingBasis:
    """What a compared row's `npv_saving` counts (`saving_basis`)."""
    return saving_basis(row.get("programme.npv_saving"), row.get("lease_cost_npv"))


def _not_scheduled(row: pd.Series) -> bool:
    """A compared row of a plan with a start date and no programme: its own saving counts
    its own changes dated (no yearly limits), not every change in year 1."""
    return _basis(row) is SavingBasis.WHEN_POSSIBLE


def _not_scheduled_words(row: pd.Series) -> str:
    """What a not-scheduled row's saving counts, said beside it: its own changes dated,
    or, in a comparison written before that (no `booked_early_npv`), each change from
    the first year it could be made on its own."""
    if not _not_scheduled(row):
        return ""
    return (f" (its {OWN_CHANGES_DATED})"
            if not blank(row.get("booked_early_npv"))
            else " (each change from the first year it could be made, not scheduled)")


def _programme(row: pd.Series) -> DatedFigures | None:
    """A compared row's dated programme figures (comparison.csv's `programme.*`), None
    when the scenario is not dated. A comparison written before the lasting payback
    year was kept has none: its payback year is the one from which the saving stays
    positive, so it is read as both."""
    saving = _dated_saving(row)
    if saving is None:
        return None
    year = _number(row.get("programme.payback_year"))
    lasting = _number(row["programme.lasting_payback_year"]) \
        if "programme.lasting_payback_year" in row.index else year
    cost = _number(row.get("programme.npv_cost"))
    return DatedFigures(saving, math.nan if cost is None else cost,
                        None if year is None else int(year),
                        None if lasting is None else int(lasting))


FIGURES = (
    ("How good the plan is", _status),
    ("NPV saving", lambda row: _saving(_number(year_one_saving(row)))
     + _not_scheduled_words(row)),
    ("Saving a year", lambda row: _saving(_number(row.get("annual_saving")))),
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


def has_dated(table: pd.DataFrame) -> bool:
    """Whether a comparison's rows hold a dated programme."""
    return any(_dated_saving(row) is not None for _, row in table.iterrows())


def _in_year_one(show: Any) -> Any:
    """A plan's own NPV saving marked `UNDATED` when the plan has no start date."""
    def shown(row: pd.Series) -> str:
        undated = saving_basis(row.get("programme.npv_saving"),
                               row.get("lease_cost_npv")) is SavingBasis.YEAR_ONE
        return str(show(row)) + (UNDATED if undated else "")
    return shown


def _figures(table: pd.DataFrame) -> list[tuple[str, Any]]:
    """`FIGURES`, and with a dated scenario among the rows the `DATED_FIGURES` after the
    plan's quality and the plans' own NPV saving and payback labelled as every change
    made in year 1, an undated plan's saving marked so, as `estate compare`'s own page
    sets them."""
    if not has_dated(table):
        return list(FIGURES)
    # a plan whose own changes are dated (a start date, no programme) says so in its cell
    own = ("of the plan itself (every change made in year 1, unless said)"
           if any(_not_scheduled(row) for _, row in table.iterrows()) else IN_YEAR_ONE)
    shown = [(f"{label} {own if label == 'NPV saving' else IN_YEAR_ONE}"
              if label in ("NPV saving", "Payback") else label,
              _in_year_one(show) if label == "NPV saving" else show)
             for label, show in FIGURES]
    return [shown[0], *DATED_FIGURES, *shown[1:]]


def _ranking(planned: pd.DataFrame, n: int) -> str:
    """Which scenario saves the most, on the saving each can count on: all dated, all
    undated, or not ranked when the two kinds are mixed (a dated programme counts
    leases, lags and limits that an undated plan leaves out)."""
    dated = planned.apply(_dated_saving, axis=1) if len(planned) else pd.Series(dtype=float)
    if dated.notna().all():
        savings, how = dated, "NPV, dated"
    elif dated.isna().all() and len({_basis(row) for _, row in planned.iterrows()}) <= 1:
        savings, how = planned["npv_saving"].map(_number), "NPV"
    elif dated.isna().all():
        u = sum(_basis(row) is SavingBasis.YEAR_ONE for _, row in planned.iterrows())
        d = len(planned) - u
        return (f"Of {count(n, 'scenario')} compared, {d:,} {'has' if d == 1 else 'have'} "
                f"a start date and {u:,} {'has' if u == 1 else 'have'} not, so they are "
                "not ranked: a dated saving counts rent to each lease's end and the lags "
                "that an undated plan's leaves out. Give each the same start date.")
    else:
        d, u = int(dated.notna().sum()), int(dated.isna().sum())
        return (f"Of {count(n, 'scenario')} compared, {d:,} {'is' if d == 1 else 'are'} "
                f"scheduled as a dated programme and {u:,} {'is' if u == 1 else 'are'} "
                "not, so they are not ranked: a programme's saving keeps yearly limits, "
                "and an undated plan's leaves out rent to each lease's end and lags. "
                "Compare programmes with programmes.")
    top = savings.fillna(-math.inf).max()
    # to the pound, as figures of one register and one plan come out alike
    best = planned.loc[savings.fillna(-math.inf) >= top - 0.5, "scenario"]
    named = listed([figures.named(b, 80) for b in best])
    if top < -0.5:  # a loss is said as a cost, never as the most saved
        return (f"Of {count(n, 'scenario')} compared, none saves: {named} "
                f"{'costs' if len(best) == 1 else 'cost'} the least more, "
                f"{money(-top)}{'' if len(best) == 1 else ' each'} ({how}).")
    if len(best) == 1:
        return (f"Of {count(n, 'scenario')} compared, {named} saves the most: "
                f"{money(top)} ({how}).")
    return (f"Of {count(n, 'scenario')} compared, {named} save the most, alike: "
            f"{money(top)} each ({how}).")


def _unlike_rows(planned: pd.DataFrame, registers: list[tuple[str, RegisterUsed]]
                 ) -> list[str]:
    """`like_for_like`'s notes for comparison.csv's rows with a plan: their horizons and
    rates, and (on one register) the agencies each plans, which its `agency.<id>.name`
    cells name."""
    rows = [row for _, row in planned.iterrows()]
    terms = [(figures.plain(str(row["scenario"]), 60), int(years), rate) for row in rows
             if (years := _number(row.get("horizon_years"))) is not None
             and (rate := _number(row.get("discount_rate"))) is not None]
    notes = [terms_note(terms)]
    if not registers_note(registers):
        named = [c for c in planned.columns if c.startswith("agency.") and c.endswith(".name")]
        notes.append(estates_note(
            (figures.plain(str(row["scenario"]), 60),
             frozenset(c[len("agency."):-len(".name")] for c in named
                       if str(row.get(c, "") or "").strip() not in ("", "nan")))
            for row in rows))
    return notes


def comparison_page(table: pd.DataFrame, r: Results) -> Page:
    """Every compared scenario's headline figures side by side, and which saves most.
    The row of this paper's plan is named so; a row under its name with other figures
    (compared before a re-plan, or another file of the same name) is said to differ."""
    s = r.summary
    has_plan = table["status"].isin(PLANNED)
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
    registers = [(figures.plain(str(row["scenario"]), 60), register)
                 for _, row in table.iterrows()
                 if (register := RegisterUsed.from_columns(row)) is not None]
    unlike = [note for note in (registers_note(registers), *_unlike_rows(planned,
                                                                        registers))
              if note]
    if len(planned):  # figures that are not like-for-like are not ranked
        blocks.append(Text(f"Of {count(n, 'scenario')} compared, none is named as saving "
                           "the most: their figures are not like-for-like (below)."
                           if unlike else _ranking(planned, n)))
    blocks += [Text(note) for note in unlike]
    if note := unsettled_words([(figures.named(str(row["scenario"]), 60),
                                 Status(str(row["status"])), cost, _number(row.get("mip_gap")))
                                for _, row in planned.iterrows()
                                if (cost := _number(row.get("objective_npv"))) is not None]):
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
