"""The board pack's reference matter: the warnings the plan was made with (in words
for the decision page's caveats, and as the Assumptions page's table), the glossary
("Terms used") and the Assumptions page, with the small word helpers the other pages
share (`listed`, `year_words`).

Like `estate.render.report_pages`, nothing here is markup: every text is plain, and
`estate.render.report` escapes it as it lays the pages out.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from estate.errors import Problem, ProblemKind, row_place
from estate.load.scenario import DEFAULTS
from estate.render import figures
from estate.render.report_data import Block, Page, Results, Table, Text, assumption_rows
from estate.results.amounts import count, how_many_named, listed, listed_few, rate_words
from estate.results.booked_early import SCHEDULE_IT, reader_words
from estate.results.lease_renewals import RENEWED
from estate.results.programme_figures import limits_set
from estate.results.solver_names import solver_name


def year_words(start: str, year: int) -> str:
    """"year 2 (2028-29)": a programme's year with the budget year it is."""
    fy = figures.financial_year(start, year)
    return f"year {year}" + (f" ({fy})" if fy else "")


_ENDED = re.compile(r"^(?P<end>\S+): the lease of (?P<site>.+?) has ended by then")
"""The warning `estate.prepare` gives a lease that ended before the scenario's start."""
_RENEWED = re.compile(r"^(?P<end>\S+): " + re.escape(RENEWED).replace(
    re.escape("{site}"), "(?P<site>.+?)"))
"""The warning `estate.results.lease_renewals` gives a lease that ends within the horizon
on a site the plan keeps."""
MOST_NAMED = 3
"""Sites named in a caveat; the rest are counted."""


def _leases(warnings: tuple[Problem, ...], kind: ProblemKind) -> list[tuple[str, str]]:
    """(site id, lease end) of each lease warning of `kind`: ended before the start
    (`estate.prepare` writes it), or ending within the horizon on a kept site
    (`estate.results.lease_renewals`); site and date read from the warning's words."""
    words = _ENDED if kind is ProblemKind.LEASE_ENDED else _RENEWED
    found = [words.match(w.found) for w in warnings if w.kind is kind]
    return [(m["site"], m["end"]) for m in found if m is not None]


def _named(r: Results, leases: list[tuple[str, str]]) -> str:
    """The first few leases' sites by name, id and date, and how many more."""
    names = dict(zip(r.sites["site_id"].astype(str), r.sites["name"], strict=True))
    shown = [f"{figures.named(names.get(site, site), 60)} ({figures.identifier(site)}, "
             f"{figures.plain(end, 20)})"
             for site, end in leases[:how_many_named(len(leases), MOST_NAMED)]]
    return listed_few(shown, len(leases))


def warning_words(r: Results) -> list[str]:
    """The warnings the plan was made with, in words: leases that ended before the
    scenario's start first (closing such a site is taken to owe no rent, a saving the
    plan cannot have if the lease was renewed), a few named; then leases that end within
    the horizon on sites the plan keeps (taken as renewed on today's terms); then each
    amount the NPV saving leaves out as no programme of the plan can realise it
    (`estate.results.booked_early`), as it says; then how many others there are."""
    if not r.warnings:
        return []
    said = []
    ended = _leases(r.warnings, ProblemKind.LEASE_ENDED)
    start = r.scenario.get("start") or (r.programme.start if r.programme else "")
    if ended:
        closes = set(r.sites.loc[r.sites["decision"] == "close", "site_id"].astype(str))
        closed = sum(site in closes for site, _ in ended)
        one = len(ended) == 1
        closing = (("the plan closes it" if closed else "the plan keeps it") if one
                   else f"the plan closes {closed:,} of them")
        said.append(
            f"By the register, {count(len(ended), 'lease')} ended before the start "
            f"({figures.plain(start, 20)}), so closing {'its site' if one else 'their sites'} "
            "is taken to owe no rent: " + _named(r, ended)
            + f"; {closing}. A lease since renewed makes the saving smaller (lease_end in "
            "the register).")
    renewed = _leases(r.warnings, ProblemKind.LEASE_RENEWED)
    if renewed:
        one = len(renewed) == 1
        said.append(
            f"The plan keeps {count(len(renewed), 'leased site')} whose "
            f"{'lease ends' if one else 'leases end'} within the horizon: "
            + _named(r, renewed) + f". {'Its running cost is' if one else 'Their running costs are'} "
            "taken to stay at today's level, as if "
            f"{'its lease were' if one else 'each lease were'} renewed on the same terms; a "
            "renewal refused, or dearer, changes the plan (a scenario without the site "
            "shows by how much).")
    early = [w.found for w in r.warnings if w.kind is ProblemKind.BOOKED_EARLY]
    # said for a board: the command-line way to schedule it left to the terminal
    said += [reader_words(figures.plain(found.removesuffix(SCHEDULE_IT), 600))
             for found in early]
    others = len(r.warnings) - len(ended) - len(renewed) - len(early)
    if others:
        said.append(f"The plan was made with {count(others, 'other warning' if ended or renewed else 'warning')} "
                    "about the register or the scenario, listed with the assumptions.")
    return said


IN_YEAR_ONE_TERM = (
    "If every change were made in year 1",
    "The plan's end state costed as though all its changes were made in the first year "
    "(planners call it the snapshot). Rent still owed to each lease's end, the wait for "
    "each sale and sites running until their teams may move are counted when the plan "
    "has a start date; savings that wait for a new building, for a team's move or for "
    "the yearly limits are not. The dated programme gives the saving when each change "
    "can actually happen.")
"""The glossary's entry for the year-1 figures beside a dated programme's."""


def terms(r: Results, compared_dated: bool = False) -> list[tuple[str, str]]:
    """The words of the pack a board member may not use every day, each in a sentence,
    with this plan's own rate, horizon and solver; the programme's words only when the
    pack has a programme, or, in general terms, when the scenarios side by side set a
    dated programme beside this undated plan (`compared_dated`)."""
    s = r.summary
    dated = r.programme is not None or compared_dated
    rate, years = rate_words(s.discount_rate), count(s.horizon_years, "year")
    said = [
        ("NPV (net present value)",
         f"Every saving and cost over the {years} added up in today's money: a pound in a "
         f"later year counts for less than a pound now, by the discount rate ({rate} a "
         "year), running costs at the end of each year, one-off costs and receipts at its "
         "start. An NPV saving is how much less the estate costs than if nothing changed."),
        ("NPV of cost", "Everything the estate costs over the horizon as an NPV: running "
                        "costs and rent, and one-off costs less sales. The cheapest plan has "
                        "the lowest; the NPV saving is today's estate's less the plan's."),
        ("£m, £k", "Millions and thousands of pounds: £m to two decimal places, £k to one. "
                   "A difference of two figures in £m is in £m too (£0.17m), so it adds up "
                   "on the page."),
        ("One-off", "Money spent once to make the changes (closing sites, building, moving "
                    "staff, setting up shared centres), less what selling closed sites "
                    "brings in. When sales bring in more, it is called net receipts."),
        ("Payback", "How long the yearly saving takes to repay the one-off spending, "
                    "without discounting; \"at once\" when sales cover it."
                    + (" A dated programme's payback is instead the first year its "
                       "saving so far, at today's value, is above zero; when later "
                       "spending takes it below again, the year it stays above zero for "
                       "good is given too." if dated else "")),
        ("FTE (full-time equivalent)", "Staff counted as full-time posts: two people "
                                       "working half-time are one FTE."),
        ("Shared service centre, pooling", "A site where the teams of several agencies "
                                           "doing the same kind of work (IT, HR, finance) "
                                           "work as one, which is assumed to cost less."),
        ("Who pays what", "A site's running cost is split among the agencies whose teams "
                          "sit there, by the desks each uses (a site kept with no one in "
                          "it is its owner's); each team's own cost and pair costs, less "
                          "its pooling saving, are its agency's. Closing, building, sale "
                          "and rent still owed after closing are the site owner's; moving "
                          "a team is its agency's; a centre's set-up is split by the desks "
                          "each agency pools there. So an agency whose teams move into "
                          "another's building pays a share of that building."),
    ]
    if r.programme is None and compared_dated:
        said += [("Dated programme",
                  "A plan scheduled year by year from a start date: rent runs to each "
                  "lease's end or break, sales take time, teams move when their new "
                  "desks exist, and the scenario's yearly limits on spending, moves and "
                  "closures hold. Its NPV saving is that schedule's."),
                 IN_YEAR_ONE_TERM]
    if r.programme is not None:
        said += [
            *_programme_terms(r),
            IN_YEAR_ONE_TERM,
            (year_words(r.programme.start, 2).capitalize(),
             "The programme's years run from its start date, with the budget year beside "
             "each; \"up to and including year 2\" counts year 2 in."),
            ("Saving so far, out of pocket", "The savings of every year so far less the "
                                             "one-off costs, at today's value; an agency "
                                             "is out of pocket while this is below zero."),
        ]
    said += [
        ("Within x% of the lowest possible cost",
         "The solver found this plan and proved that no plan meeting every rule can cost "
         "less than this share below it (planners call the share the MIP gap); \"proven "
         "optimal\" means none can cost less."),
        (f"Solver ({solver_name(figures.plain(s.solver, 30))})",
         "The optimisation software that searches the combinations the rules allow for "
         "the cheapest plan."),
        ("Setting names (sharing.efficiency, coverage.0)",
         "The names of the scenario file's settings, in brackets where a planner would "
         "change one; coverage.0 is the first coverage rule (a service kept within reach "
         "of the people it serves)"
         + (", coverage.1 the second." if len(r.scenario.get("coverage") or []) > 1
            else ".")),
    ]
    return said


BEST = "Best end state if every change were made in year 1"
"""The board's name for the snapshot optimum, which the plan is not when it is the dated
programme's end state (`plan_from` "programme")."""


def _programme_terms(r: Results) -> list[tuple[str, str]]:
    """What the dated programme is, as it was found: the roadmap puts in order the
    changes of the best end state if every change were made in year 1, which are the
    plan's own unless the plan is the programme's end state; the exact (joint) model
    chooses the changes and their years together. With such a plan, the best end state
    is named as a term of its own, as what the plan is not."""
    p, s = r.programme, r.summary
    assert p is not None
    start = figures.plain(p.start, 20)
    named = [what for _, _, what in limits_set(p.budget)]
    limits = (f"within the yearly limits the scenario sets (on {listed(named)})" if named
              else "with no yearly limits")
    ends = s.plan_from == "programme"
    if p.method == "joint":
        dated = (f"The changes and the year of each, chosen together by the exact model over "
                 f"all years from the start date ({start}), {limits}; the plan is its end "
                 "state. Planners call the exact model the joint model.")
    elif ends:
        dated = (f"The changes of the best end state if every change were made in year 1, "
                 f"put in order year by year from the start date ({start}), {limits}, "
                 "leaving out those that cannot happen, or do not pay, within the horizon; "
                 "the plan is the estate it reaches. Planners also call it the roadmap.")
    else:
        dated = (f"The plan's changes put in order year by year from the start date "
                 f"({start}), {limits}. Planners also call it the roadmap.")
    said = [("Dated programme", dated),
            ("End state", "The estate once a plan's changes are all made: the sites open and "
                          "where each team sits."),
            ("Timing rule", "A date a change must wait for: a lease's end or break, the "
                            "earliest a team may move, a new site's building, or the years a "
                            "sale takes to pay.")]
    if p.method != "joint":
        said.append(("Exact model over all years", "A model that would choose the changes "
                     "and the year of each together, so that no other programme could cost "
                     "less; estate runs it only on a programme small enough to solve so (the "
                     "notes on the programme's page say whether it ran)."))
    if ends:
        said.append((BEST, "The end state that would save most if every change were made in "
                     "year 1 (planners call it the snapshot optimum). It is not the plan: "
                     + ("dated year by year, the exact model found an end state that pays "
                        "better, and that is the plan." if p.method == "joint" else
                        "the dated programme puts its changes in order and leaves out those "
                        "that cannot happen, or do not pay, within the horizon, so the plan "
                        "is the estate the programme reaches."))
                    )
    return said


def terms_page(r: Results, compared_dated: bool = False) -> Page:
    """A short glossary, so that no figure rests on a word the reader has to look up."""
    return Page("Terms used", (Table("Terms used in this paper", ("Term", "What it means"),
                                     tuple(terms(r, compared_dated)), (False, False),
                                     (0.28, 0.72)),),
                fresh=False)


#: Defaults the Assumptions page does not list: the name and register are always given,
#: the CRS is chosen from the register, no coverage rule and no start are the absence of
#: one, and the horizon and rate are taken from the summary (what the NPV used).
_UNLISTED = ("name", "data", "crs", "coverage", "start", "horizon_years", "discount_rate")


def _keys(r: Results) -> list[tuple[str, str]]:
    """The scenario's keys, then every setting the file left to estate's defaults, marked
    so: the horizon and discount rate the plan used (what every NPV rests on), and the
    defaults of the tables (pooling's types, efficiency and set-up cost, the distance a
    team may move, the closable kinds, the solver's gap and time limit), which change the
    plan as much as any key the file sets. The yearly limits appear with a programme."""
    rows = assumption_rows(r.scenario)
    s = r.summary
    for key, value in (("horizon_years", f"{s.horizon_years}"),
                       ("discount_rate", f"{s.discount_rate:g}")):
        if key not in r.scenario:
            rows.append((key, f"{value} (estate's default)"))
    given = [key for key, _ in rows]
    sharing = r.scenario.get("sharing")
    pools = not (isinstance(sharing, dict) and sharing.get("types") == [])
    defaults = {k: v for k, v in DEFAULTS.items() if k not in _UNLISTED
                and (k != "programme" or r.programme is not None)
                and (k != "sharing" or pools)}  # no type pools: no pooling default applies
    for key, value in assumption_rows(defaults):
        # a key the file sets, or sets inside (sharing.efficiency.IT for sharing.efficiency)
        if not any(g == key or g.startswith(key + ".") for g in given):
            rows.append((key, f"{value} (estate's default)"))
    return rows


MOST_SAID = 600
"""Characters of a warning's finding, or of what was expected, in the warnings table."""

MOST_WARNINGS = 40
"""Rows of the warnings table; a register with more ends it with a row counting the rest."""


def _where(w: Problem) -> str:
    """Where a warning points: "sites.csv row 5, lease_end" (the file's name, not the
    path on the planner's machine)."""
    where = PurePath(w.file).name or w.file
    if w.row is not None:
        where += f" {row_place(w.file, w.row, fid_column=w.fid_column)}"
    if w.column:
        where += f", {'key ' if w.label == 'key' else ''}{w.column}"
    return figures.plain(where, 90)


def _warnings_blocks(r: Results) -> list[Block]:
    """Every warning the plan was made with (warnings.csv), that there were none, or
    that the folder does not say (one written before estate kept them)."""
    if r.warnings is None:
        return [Text("This results folder holds no warnings.csv, so the warnings the plan "
                     "was made with are not known here (the file was removed, or the "
                     "folder was written before estate kept them): estate validate lists "
                     "the register's, and planning the scenario again records them.",
                     "note")]
    if not r.warnings:
        return [Text("No warning about the register or the scenario was raised when this "
                     "plan was made.", "note")]
    # a warning said as a sentence of its own (what a plan leaves out) is that sentence;
    # estate's own words run to a few hundred characters (a lease taken as renewed, 342),
    # so only a register's text past that is cut
    rows = tuple((_where(w), figures.plain(w.sentence or w.found, MOST_SAID),
                  figures.plain(w.expected, MOST_SAID))
                 for w in r.warnings[:MOST_WARNINGS])
    if len(r.warnings) > MOST_WARNINGS:
        rows += ((f"and {len(r.warnings) - MOST_WARNINGS:,} more (warnings.csv lists every "
                  "one)", "", ""),)
    return [Table(f"Warnings the plan was made with ({len(r.warnings):,})",
                  ("Where", "What was found", "What was expected"), rows,
                  (False, False, False), (0.22, 0.48, 0.3))]


def assumptions_page(r: Results) -> Page:
    # what the paper was made from opens the page, so the page ends with the register's
    # checksums and no line of small print follows them onto a sheet of its own
    blocks: list[Block] = [
        Text(f"This paper was made by estate from the results folder "
             f"{figures.plain(r.folder_named, 120)} alone. The scenario as solved: every key of "
             "scenario.toml in that folder, then each setting it leaves to estate's "
             "defaults, marked so."),
        Table("Scenario keys", ("Key", "Value"), tuple(_keys(r)), (False, False), (0.4, 0.6))]
    blocks += _warnings_blocks(r)
    if r.inputs:
        blocks.append(Table("Register files (SHA-256 of each)", ("File", "SHA-256"),
                            tuple(r.inputs), (False, False), (0.3, 0.7)))
    return Page("Assumptions", tuple(blocks))
