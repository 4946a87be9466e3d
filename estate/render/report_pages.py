"""What the board pack says, page by page, read from a results folder alone.

A results folder (and, optionally, an `estate compare` folder) becomes a list of
`Page`s of plain blocks: `Text` (plain text, never markup), `Table` (cells as text) and
`Chart` (a matplotlib figure with its description in words). `estate.render.report`
lays the same pages out twice, as a PDF and as an HTML page, escaping every text as it
goes; nothing here is markup, so no register text can become markup by mistake.

The words follow what a finance director reads first: the decision in one paragraph,
then the figures, where, who gains and who loses, what each policy costs, when, and
the assumptions last. Money goes through `estate.results.money` everywhere (£m to two
decimals, £k to one); a negative one-off is called net receipts; "optimal" is said
only of a plan proven so (`estate.results.words.plan_quality`).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pandas as pd

from estate.render import figures
from estate.render.estate_map import estate_map
from estate.render.report_areas import areas_by_site, areas_table, with_areas
from estate.render.report_behind import agencies_behind, behind_row
from estate.render.report_data import (
    Block,
    Chart,
    Page,
    Results,
    Table,
    Text,
    agency_name,
)
from estate.render.report_reference import warning_words, year_words
from estate.results import Programme, Summary, money
from estate.results.amounts import (
    count,
    fte_words,
    how_many_named,
    listed,
    listed_few,
    rate_words,
)
from estate.results.payback import payback_words, programme_payback_words
from estate.results.programme import LATE_SALES
from estate.results.programme_figures import sets_limits
from estate.results.solver_names import solver_words
from estate.results.words import (
    BEST_END_STATE,
    IN_YEAR_ONE,
    UNSCHEDULED_WAITS,
    after_horizon_words,
    horizon_words,
    one_off_parts,
    one_off_words,
    plan_quality,
    saves_words,
    saving_figure,
    schedule_quality,
    scheduled_whose,
)
from estate.status import Status


def _whole_desks(used: float) -> str:
    """Desks in use as whole desks, a part of one counting as one (39.1 is 40), as the
    map's popups count them."""
    return f"{math.ceil(round(float(used), 6)):,}"


def _site_named(name: object, site_id: object, most: int = 70,
                areas: dict[str, str] | None = None) -> str:
    """A site as the pack's sentences and tables name it, "County Hall (S1)": by name,
    cut to `most` characters, and by id, as two sites may share a name or the start of
    a long one; with its area after the id, "County Hall (S1, Suffolk)", when a sentence
    names a site of a plan made area by area (its tables give the area a column)."""
    area = (areas or {}).get(str(site_id), "")
    where = f", {figures.named(area, 40)}" if area else ""
    return f"{figures.named(name, most)} ({figures.identifier(site_id)}{where})"


def _names(frame: pd.DataFrame, most: int, areas: dict[str, str]) -> str:
    """The first `most` sites of `frame` by name and id, and how many more."""
    named = frame.head(how_many_named(len(frame), most))
    return listed_few([_site_named(n, i, areas=areas) for n, i in
                       zip(named["name"], named["site_id"], strict=True)], len(frame))


def _changes(r: Results) -> str:
    """What closes and opens, and where the shared centres go."""
    s, sites = r.summary, r.sites
    areas = areas_by_site(r) or {}
    closed = sites[sites["decision"] == "close"].sort_values("running_cost", ascending=False)
    opened = sites[sites["decision"] == "open"]
    housed = _new_teams(r, areas)
    if closed.empty and opened.empty and s.shared_centres == 0:
        if housed:
            kept = ("today's only site" if s.sites_before == 1
                    else f"all {s.sites_before:,} of today's sites")
            return f"Keep {kept} and house {housed}."
        if s.plan_from == "programme":  # its limits, not the clock, left every change out
            return ("Keep the estate as it is: none of the changes the dated programme "
                    "schedules can happen, or pays, within its yearly limits and horizon.")
        if s.status == Status.TIME_LIMIT:  # the search began from today's estate
            return ("Keep the estate as it is for now: the search found no cheaper plan "
                    "before its time limit, which does not show there is none (a longer "
                    "solver.time_limit_s searches further).")
        return "Keep the estate as it is: no change that meets every rule costs less."
    said = []
    if len(closed):
        which = f" ({_names(closed, 3, areas)})" if len(closed) <= 3 else " (listed with the map)"
        said.append(f"Close {len(closed):,} of today's {count(s.sites_before, 'site')}{which}")
    if len(opened):
        said.append(f"open {count(len(opened), 'new site')} ({_names(opened, 4, areas)})")
    text = listed(said) + (f", leaving {s.sites_after:,}." if said else "")
    centres = r.centres()
    if s.shared_centres and len(centres):
        shown = how_many_named(len(centres), 5)
        where = [f"{listed(types)} at {_site_named(name, site_id, areas=areas)}"
                 for name, site_id, types in centres[:shown]]
        more = f"; and {count(len(centres) - shown, 'more site')}" if len(centres) > shown else ""
        # "of several agencies" only when a centre needs them (min_agencies, 2 unless set)
        several = _section(r.scenario, "sharing").get("min_agencies", 2) != 1
        text += (f" Pool teams{' of several agencies' if several else ''} in "
                 f"{count(s.shared_centres, 'shared service centre')}: {'; '.join(where)}"
                 f"{more}.")
    if housed:
        text += f" House {housed}."
    if s.fte_relocated > 0:
        text += (f" In all, {fte_words(s.fte_relocated)} (full-time equivalent) staff "
                 "change building.")
    return text.strip()[0].upper() + text.strip()[1:]


def _new_teams(r: Results, areas: dict[str, str]) -> str:
    """The teams with no site today and where the plan puts them, "1 new team with no
    site today (F2 at Only (S1))" ("" when every team has one): a plan that keeps every
    building still changes the estate when it houses them."""
    teams = r.new_teams()
    named = how_many_named(len(teams), 4)
    placed = [f"{figures.identifier(f)} at {_site_named(name, s, areas=areas)}"
              for f, name, s in teams[:named]]
    more = f" and {len(teams) - named:,} more" if len(teams) > named else ""
    return (f"{count(len(teams), 'new team')} with no site today ({'; '.join(placed)}{more})"
            if teams else "")


def _money_words(s: Summary, dated: bool) -> str:
    """The snapshot's money in a sentence or two; `dated`: a programme follows, so its
    NPV and one-off are those of every change made in year 1."""
    rate = rate_words(s.discount_rate)
    years = count(s.horizon_years, "year")
    if abs(s.annual_cost_before) < 0.5 and abs(s.annual_cost_after) < 0.5:
        # a register that prices nothing: "from £0 to £0, saving £0" says nothing
        text = ("The register gives its buildings and teams no annual cost, before or "
                "after the plan")
    elif money(s.annual_cost_before) == money(s.annual_cost_after):
        # "cuts it from £400.0k to £400.0k" would say a change the figures do not show
        text = (f"This keeps the annual cost of buildings and teams at "
                f"{money(s.annual_cost_after)} a year"
                + (f" ({saves_words(s.annual_saving, unit=' a year')})"
                   if abs(s.annual_saving) >= 0.5 else ""))
    elif s.annual_saving > 0:
        # the annual cost is the buildings' running cost and the teams' own cost together,
        # as the terminal's "Annual cost" line (the closure table's "Cost a year" is a site's)
        text = (f"This cuts the annual cost of buildings and teams from "
                f"{money(s.annual_cost_before)} to "
                f"{money(s.annual_cost_after)} a year, saving {money(s.annual_saving)} a year")
    else:
        text = (f"This raises the annual cost of buildings and teams by "
                f"{money(-s.annual_saving)} a year (from "
                f"{money(s.annual_cost_before)} to {money(s.annual_cost_after)})")
    at_once = f" {IN_YEAR_ONE}" if dated else ""
    if abs(s.saving_in_year_one) < 0.5:
        text += f", so it saves nothing over {years}{at_once}"
    else:
        text += (f", and {saves_words(s.saving_in_year_one, would=dated)} over {years} in today's "
                 f"money{at_once}")
    text += f" (NPV at {rate} a year)."
    parts = one_off_parts(s.one_off_cost, s.one_off_receipts)
    would, pays = ("would ", "would pay") if dated else ("", "pays")  # made in year 1
    if s.one_off_cost < -0.5:
        text += (f" Its one-off changes{f',{at_once},' if dated else ''} {would}bring in net "
                 f"receipts of {money(-s.one_off_cost)}" + (f" ({parts})" if parts else " (sales"
                 " are worth more than the changes cost)") + f", so it {pays} back at once.")
    elif s.one_off_cost > 0.5:
        back = (f"{'would never pay' if dated else 'never pays'} back (there is no annual "
                "saving)" if s.payback_years is None else f"{pays} back in "
                + payback_words(s.payback_years, s.one_off_cost)[1])
        text += (f" It {'would need' if dated else 'needs'} {money(s.one_off_cost)} of one-off "
                 "spending (closing, building, moving and setting up" + (
                     f", net of sales: {parts}" if parts else "") + f"){at_once} and {back}.")
    if s.receipts_after_horizon:  # beside the one-off and payback that count them
        text += f" {after_horizon_words(s.receipts_after_horizon, dated)}."
    if not s.status_quo_feasible and s.status_quo_breaches:
        text += (f" Today's estate breaks {count(len(s.status_quo_breaches), 'rule')} that "
                 "the plan meets.")
    return text


def decision(r: Results) -> str:
    """The decision in one paragraph: what changes, what it saves, its one-off cost or
    receipts, its payback, who pays more, and how sure it is."""
    s = r.summary
    parts = [_changes(r), _money_words(s, r.programme is not None)]
    if r.programme is not None:
        p = r.programme
        parts.append(f"Scheduled year by year from {p.start}, the programme "
                     f"{saves_words(p.npv_saving, unit=' (NPV)')} and "
                     f"{programme_payback_words(p.payback_year, p.lasting_payback_year)}.")
        if (quality := _schedule_quality(r)) is not None:
            parts.append(quality)
    parts.append(_who_pays_words(r))
    parts.append(plan_quality(s, r.asked_gap(), dated=r.programme is not None,
                              optimum=BEST_END_STATE)[1])
    return " ".join(parts)


def _schedule_quality(r: Results) -> str | None:
    """How sure the dated programme is, as a sentence whose "it" is the programme: what
    it is measured against (the cheapest order of the plan's changes, or of every
    programme), not said of a plan that is the programme's end state (`plan_quality`)."""
    p, s = r.programme, r.summary
    if p is None or s.plan_from == "programme" or s.alternative is not None:
        return None
    return schedule_quality(p.status, p.mip_gap, p.method,
                            scheduled_whose(s, optimum=BEST_END_STATE), sets_limits(p.budget))[1]


def _who_pays_words(r: Results) -> str:
    """Who pays more each year, and, with a dated programme, who is out of pocket for a
    while even so: "no agency pays more each year" alone would hide an agency whose
    one-off comes years before its saving (the programme page names each)."""
    s = r.summary
    worse = {a for a, info in s.agencies.items() if info.worse_off}
    losers = [figures.named(s.agencies[a].name, 70) for a in s.agencies if a in worse]
    behind = [b for b in agencies_behind(r) if b.agency_id not in worse]
    if losers:
        said = (f"{listed(losers, '; ')} {'pays' if len(losers) == 1 else 'pay'} more each "
                "year.")
    else:
        said = ("No agency pays more each year"
                + (" once the plan is in place." if behind else "."))
    recover = [b for b in behind if b.last is not None]
    if recover and r.programme is not None:
        n, last = len(recover), max(b.last or 0 for b in recover)
        noun = ("other agency", "other agencies") if losers else ("agency", "agencies")
        said += (f" {count(n, *noun)} {'spends' if n == 1 else 'spend'} more than "
                 f"{'it saves' if n == 1 else 'they save'} for a while in the dated "
                 f"programme, {'' if n == 1 else 'the last of them '}up to and including "
                 f"{year_words(r.programme.start, last)}.")
    still = [b.name for b in behind if b.last is None]
    if still:
        said += (f" {listed(still, '; ')} {'is' if len(still) == 1 else 'are'} still out of "
                 f"pocket at the end of the {count(s.horizon_years, 'year')}.")
    return said


def _headline(r: Results) -> Table:
    """The figures a board quotes. With a dated programme its NPV comes first, as the one
    that counts when each change can happen; the snapshot's figures follow, labelled as
    what every change made in year 1 would save."""
    s = r.summary
    losers = [figures.named(a.name, 70) for a in s.agencies.values() if a.worse_off]
    at_once = f" {IN_YEAR_ONE}" if r.programme else ""
    rows = []
    if r.programme is not None:
        p = r.programme
        rows.append((f"NPV saving of the dated programme ({horizon_words(s)})",
                     f"{saving_figure(p.npv_saving)}; "
                     f"{programme_payback_words(p.payback_year, p.lasting_payback_year)}"))
    rows += [
        (f"NPV saving{at_once} ({horizon_words(s)})", saving_figure(s.saving_in_year_one)),
        ("Cost a year of buildings and teams", f"{money(s.annual_cost_before)} now; "
                                               f"{money(s.annual_cost_after)} after"),
        ("Saving a year", saving_figure(s.annual_saving)),
        ("One-off" + at_once, one_off_words(s.one_off_cost, s.one_off_receipts) + (
            f" ({parts})" if (parts := one_off_parts(s.one_off_cost, s.one_off_receipts))
            else "")),
        ("Payback" + at_once,
         payback_words(s.payback_years, s.one_off_cost)[1]),
        ("Sites", f"{s.sites_before:,} today; {s.sites_after:,} after ({s.sites_closed:,} "
                  f"close, {s.sites_opened:,} open)"),
        ("Shared service centres", f"{s.shared_centres:,}"),
        ("Staff changing building", fte_words(s.fte_relocated)),
        ("Agencies paying more each year", f"{len(losers)}: " + "; ".join(losers)
         if losers else "none"),
        *([row] if (row := behind_row(r)) is not None else []),
        ("How good the plan is" + ("" if s.plan_from == "programme" else at_once),
         plan_quality(s, r.asked_gap(), optimum=BEST_END_STATE)[0]),
        *([("How good the dated programme is", quality)]
          if (quality := _schedule_quality(r)) is not None else []),
        ("Today's estate meets every rule", "yes" if s.status_quo_feasible else
         f"no: it breaks {count(len(s.status_quo_breaches), 'rule')}"),
    ]
    if s.lease_cost_npv is not None:
        adds = s.lease_cost_npv >= 0
        # beside a programme it is the year-1 plan's, in that figure, not the programme's
        whose, where = ((f" {IN_YEAR_ONE}", "; NPV, counted in that figure's NPV saving")
                        if s.programme is not None else ("", UNSCHEDULED_WAITS
                                                         + "; NPV, counted above"))
        rows.append((f"What timing {'adds' if adds else 'takes off'}{whose} (rent after "
                     f"closing, sales waited for, sites running until teams may move{where})",
                     money(abs(s.lease_cost_npv))))
    if s.receipts_after_horizon:
        rows.append(("Sales that arrive after the horizon (in the one-off cost and payback, "
                     "not in the NPV)", money(s.receipts_after_horizon)))
    solver = r.scenario.get("solver")  # SCIP may have found it, searching for policy costs
    named = str(solver.get("name", "highs")) if isinstance(solver, dict) else "highs"
    other = (f" (the scenario names {solver_words(figures.plain(named, 30))}: the search "
             "to a gap of 1e-6 for its policy costs went on to this one, which found this "
             "plan)" if s.solver and named.lower() != str(s.solver).lower() else "")
    rows.append(("Solved with", f"{solver_words(figures.plain(s.solver, 30))} in "
                 f"{s.solve_seconds:,.1f} s{other}"))
    return Table("Headline figures", ("Figure", "Value"), tuple(rows), (False, False),
                 (0.52, 0.48))


def _section(scenario: dict[str, Any], key: str) -> dict[str, Any]:
    value = scenario.get(key)
    return value if isinstance(value, dict) else {}


def _caveats(r: Results) -> list[Block]:
    """What the figures rest on: the assumptions that move them most, and what is left
    out, in words a board can question."""
    s, sc = r.summary, r.scenario
    said = []
    if s.lease_cost_npv is None and r.programme is None:
        said.append("Timing is not priced: every saving counts from year 1; rent still owed "
                    "on leases, sales that take time and build times are left out (a start "
                    "date in the scenario prices them).")
    sharing, relocation = _section(sc, "sharing"), _section(sc, "relocation")
    if s.shared_centres and sharing.get("efficiency") is not None:
        said.append(f"Pooling is assumed to save {_share(sharing['efficiency'])} of a pooled "
                    "team's running cost, desks and racks (sharing.efficiency).")
    if s.fte_relocated > 0 and relocation.get("cost_per_fte") is not None:
        said.append(f"Moving staff is costed at {money(float(relocation['cost_per_fte']))} a "
                    "full-time post, once (relocation.cost_per_fte).")
    if not s.status_quo_feasible and s.status_quo_breaches:
        first = s.status_quo_breaches[0]
        said.append(f"Today's estate breaks {count(len(s.status_quo_breaches), 'rule')} (for "
                    f"example {figures.plain(first.rule, 40)}: "
                    f"{figures.plain(first.place, 80)}); the plan meets them all.")
    said += warning_words(r)
    if r.programme is not None:  # sales the programme's waiting loses, beside its NPV
        said += [f"{note[0].upper()}{note[1:]}." for note in r.programme.notes
                 if LATE_SALES in note]
    if not said:
        return []
    return [Text("What the figures rest on", "heading"), *(Text(t, "item") for t in said)]


def _share(value: Any) -> str:
    """A share as a percentage, "15%"; one set per type of work ({IT = 0.2, HR = 0.1})
    as each type's, "20% for IT, 10% for HR"."""
    if isinstance(value, dict):
        return listed([f"{float(v):.0%} for {figures.plain(k, 30)}" for k, v in value.items()])
    return f"{float(value):.0%}"


def decision_page(r: Results) -> Page:
    return Page("The decision", (Text(decision(r), "lead"), _headline(r), *_caveats(r)))


MOST_SITES = 60
"""Rows of a site table; a larger plan's table ends with a row counting the rest."""


def _site_table(caption: str, frame: pd.DataFrame, r: Results, last: str,
                cells: Any, action: str) -> Table:
    """The sites of `frame`, the costliest first, each with its agency, its running cost
    and `cells`; beside a dated programme, with the year it makes the site's `action`
    (close or open) and that year's budget year, so the table is the programme's list of
    dates a finance director can cite."""
    shown = frame.head(MOST_SITES)
    rows = tuple((_site_named(row.name, row.site_id, 90),
                  figures.named(agency_name(r.summary, row.agency_id), 60), *cells(row))
                 for row in shown.itertuples(index=False))
    if len(frame) > MOST_SITES:
        rows += ((f"and {len(frame) - MOST_SITES:,} more (sites.csv lists every one)",
                  "", money(frame["running_cost"].iloc[MOST_SITES:].sum()), ""),)
    table = Table(caption, ("Site", "Agency", "Cost a year", last), rows,
                  (False, False, True, True), (0.48, 0.32, 0.11, 0.09))
    if r.programme is not None:
        table = _with_years(table, list(shown["site_id"]), r.programme, action)
    return with_areas(table, list(shown["site_id"]), r)


def _with_years(table: Table, site_ids: list[str], programme: Programme, action: str
                ) -> Table:
    """`table` with a Year column: the year the programme makes each site's `action`,
    with its budget year ("3 (2029-30)"); "after the horizon" for a site whose change
    the programme does not make within it (its end state differs from the plan shown:
    a note of the programme says so)."""
    actions = programme.actions
    made = actions[actions["action"] == action]
    years = dict(zip(made["site_id"].astype(str), made["year"].astype(int), strict=True))

    def year(site_id: str) -> str:
        t = years.get(site_id)
        if t is None:
            return "after the horizon"
        fy = figures.financial_year(programme.start, t)
        return f"{t} ({fy})" if fy else str(t)

    cells = [year(str(site_id)) for site_id in site_ids]
    rows = tuple((*row, cells[i] if i < len(cells) else "") for i, row in enumerate(table.rows))
    return dataclasses.replace(table, header=(*table.header, "Year"), rows=rows,
                               numeric=(*table.numeric, True),
                               widths=(0.41, 0.26, 0.11, 0.09, 0.13))


def where_page(r: Results) -> Page:
    """The map, then the sites that close, open and host shared centres."""
    sites = r.sites.sort_values("running_cost", ascending=False, kind="stable")
    closed, opened = sites[sites["decision"] == "close"], sites[sites["decision"] == "open"]
    blocks: list[Block] = [Chart("estate-map", estate_map(r.sites, r.zones, r.areas),
                                 f"Map of the estate before "
                                 f"({count(r.summary.sites_before, 'site')}) and after "
                                 f"({count(r.summary.sites_after, 'site')}): "
                                 f"{len(closed)} closed, {len(opened)} opened, "
                                 f"{count(len(r.centres()), 'site')} with shared centres.")]
    if len(closed):
        blocks.append(_site_table(f"Sites that close ({len(closed)})", closed, r, "Desks",
                                  lambda row: (money(row.running_cost), f"{row.desks:,.0f}"),
                                  "close"))
    if len(opened):
        blocks.append(_site_table(f"Sites that open ({len(opened)})", opened, r,
                                  "Desks used", lambda row: (money(row.running_cost),
                                                             _whole_desks(row.desks_used)),
                                  "open"))
    centres = r.centres()
    if centres:
        rows = tuple((_site_named(name, site_id, 90), listed(types))
                     for name, site_id, types in centres)
        # a centre is one kind of work pooled at one site: a site may run several
        at = "" if len(centres) == r.summary.shared_centres else f" at {count(len(centres), 'site')}"
        blocks.append(with_areas(
            Table(f"Shared service centres ({r.summary.shared_centres}{at})",
                  ("Site", "Work pooled there"), rows, (False, False), (0.6, 0.4)),
            [site_id for _, site_id, _ in centres], r))
    if not (len(closed) or len(opened) or centres):
        blocks.append(Text("No site closes or opens, and no centre is set up."))
    if r.summary.areas:
        blocks.append(areas_table(r.summary))
    return Page("Where: the estate before and after", tuple(blocks))
