"""The comparison as people read it: `comparison.html`, and the table on the terminal.

Scenarios side by side (the figures of `FIGURES`), what each policy costs, who gains
and loses, the compensation what-if (`estate.runs.compare.compensate`) and the stored
near-optimal alternatives. The page is self-contained HTML with no script; every text
from a register or scenario file goes through `inert`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from estate.errors import KeptReasons
from estate.render.compare_figures import (
    FIGURES,
    PROGRAMME_FIGURES,
    TERMINAL_FIGURES,
    ComparisonNote,
    comparison_notes,
    figure_of,
    figures,
    plain,
    pounds,
)
from estate.render.html import (
    breakable,
    document,
    inert,
    isolated,
    isolated_text,
    scroll_box,
    static_text,
)
from estate.render.print_parts import parts, printed
from estate.results.amounts import count, how_many_named
from estate.results.policy_cost import PolicyCost, PolicyStatus
from estate.results.summary import AgencyFigures
from estate.results.words import (
    IN_YEAR_ONE,
    dated_same_words,
    is_proven,
    one_off_cell,
    saves_words,
)
from estate.runs.compare import LOSS_TOL, Run, agency_gains, compensate, stored_agency_npv
from estate.shown_text import for_terminal

if TYPE_CHECKING:
    from rich.table import Table


PRINT_PX, PRINT_PAD_PX = 10.0, 8.0
"""A printed table's type size and a cell's padding and border across (compare.css)."""


def _table(name: str, header: list[str], body: list[list[str]],
           classes: list[list[str]] | None = None,
           units: list[list[int]] | None = None) -> str:
    """An HTML table; every cell given here is already inert text or markup we made. It
    scrolls in a box of its own named `name` (plain text) when wider than the page. A
    scenario's name heading a column is `breakable`, so that a name without spaces
    (`Scenario_number_1`) still lets its column narrow on a printed sheet. Too wide for
    a printed sheet, it is printed as parts (`print_parts`), each repeating the row
    labels; `units` are the columns a part keeps together (one scenario's)."""
    head = "".join(f'<th scope="col">{h}</th>' for h in header)
    lines = []
    for i, cells in enumerate(body):
        cls = classes[i] if classes else [""] * len(cells)
        lines.append("<tr>" + "".join(
            (f'<th scope="row">{c}</th>' if j == 0 else f'<td class="{k}">{c}</td>')
            for j, (c, k) in enumerate(zip(cells, cls, strict=True))) + "</tr>")
    box = scroll_box(name, f"<table><thead><tr>{head}</tr></thead>"
                           f"<tbody>{''.join(lines)}</tbody></table>")
    return printed(box, parts(name, header, body, classes, labels=1, font_px=PRINT_PX,
                              pad_px=PRINT_PAD_PX, units=units))


def _figures_html(runs: list[Run]) -> str:
    body = [[inert(label), *(inert(figure_of(run, key, show)) for run in runs)]
            for label, key, show in figures(runs)]
    classes = [["", *["n"] * len(runs)]] * len(body)
    body.append([inert("Plan reused from its results folder"),
                 *(inert(plain(r.reused)) for r in runs)])
    classes.append(["", *[""] * len(runs)])
    return _table("The scenarios' figures side by side",
                  ["Figure", *(breakable(r.scenario.name) for r in runs)], body, classes)


def _programme_html(runs: list[Run]) -> str:
    """Each scenario's dated programme beside its snapshot plan; "" when none has one."""
    if not any(run.summary and run.summary.programme for run in runs):
        return ""
    body = []
    for label, show in PROGRAMME_FIGURES:
        cells = [inert(label)]
        for run in runs:
            s = run.summary
            cells.append(inert(show(s.programme, s)) if s and s.programme else "\u2014")
        body.append(cells)
    return ("<h2>The dated programme</h2><p class=\"muted\">The plan scheduled year by "
            "year (leases, lags, yearly limits): its NPV saving is what a programme can "
            "realise; the plan's own counts every change as made in year 1. The roadmap "
            "puts the plan's changes in order; the joint model, run on smaller estates, "
            "plans every year together and may choose other changes. "
            "\u201c\u2014\u201d: no programme for that scenario.</p>"
            + _table("The dated programmes side by side",
                     ["Figure", *(breakable(r.scenario.name) for r in runs)], body,
                     [["", *["n"] * len(runs)]] * len(body)))


def _policy_cell(cost: PolicyCost) -> str:
    """A priced policy's cost; a range, marked unproven, when a solve hit its time limit."""
    if not cost.proven:
        low, high = cost.cost_range
        return f"{pounds(low)} to {pounds(high) if high is not None else 'more'} (unproven)"
    return pounds(cost.npv)


def _policy_text(run: Run, name: str) -> str:
    """One policy's cost in one scenario, or why there is none: no plan to price (""),
    a plan stored without its policy costs ("not priced"), a rule this scenario does not
    have ("no such rule": a second coverage rule of another scenario), or the status of
    its pricing ("not set", "declined", ...)."""
    if run.summary is None:
        return ""
    if run.summary.policy_costs is None:
        return "not priced"
    cost = _policies(run).get(name)
    if cost is None:
        return "no such rule"
    if cost.status is PolicyStatus.PRICED:
        return _policy_cell(cost)
    return str(cost.status).replace("_", " ")


def _policies(run: Run) -> Mapping[str, PolicyCost]:
    return (run.summary.policy_costs if run.summary else None) or {}


def _policy_html(runs: list[Run]) -> str:
    names = list(dict.fromkeys(p for run in runs for p in _policies(run)))
    if not names:
        return ("<p>None of these plans has its policies priced: a comparison run with "
                "<code>--no-policy-costs</code> prices none, and a scenario with no plan "
                "has none to price.</p>")
    body = [[inert(name), *(inert(_policy_text(run, name)) for run in runs)]
            for name in names]
    parts = [_table("What each policy costs, by scenario",
                    ["Policy", *(breakable(r.scenario.name) for r in runs)], body,
                    [["", *["n"] * len(runs)]] * len(body))]
    for run in runs:
        said = [c for c in _policies(run).values() if c.status is not PolicyStatus.NOT_SET]
        if not said:
            continue
        items = "".join(f"<li>{inert(c.sentence)}"
                        + (f' <span class="muted">({inert(c.message)})</span>'
                           if c.message and c.status is PolicyStatus.PRICED and c.proven
                           else "")
                        + "</li>" for c in said)
        parts.append(f"<h3>{isolated(run.scenario.name)}</h3><ul>{items}</ul>")
    return "".join(parts)


def _agency_npv(run: Run) -> dict[str, float]:
    """Each agency's NPV saving as its results folder holds it (leases counted)."""
    assert run.summary is not None
    return run.agency_npv or stored_agency_npv(run.summary, None)


def _agencies(run: Run) -> Mapping[str, AgencyFigures]:
    """Each agency's figures in a scenario's plan, by its id (none without a plan)."""
    return {} if run.summary is None else run.summary.agencies


def _agencies_html(runs: list[Run]) -> str:
    ids: dict[str, str] = {}
    for run in runs:
        for agency_id, agency in _agencies(run).items():
            ids.setdefault(agency_id, agency.name or agency_id)
    header, units = ["Agency"], []
    for run in runs:
        n, first = breakable(run.scenario.name), len(header)
        if run.dated_agency_npv is None:
            header += [f"{n}: annual saving", f"{n}: one-off", f"{n}: NPV saving"]
        else:
            header += [f"{n}: annual saving", f"{n}: one-off",
                       f"{n}: NPV saving, every change in year 1", f"{n}: NPV saving, dated"]
        units.append(list(range(first, len(header))))  # a scenario's columns, kept together
    body, classes = [], []
    for agency_id, name in ids.items():
        cells, cls = [f"{isolated(name)} <span class=\"muted\">({inert(agency_id)})</span>"], [""]
        for run in runs:
            info = _agencies(run).get(agency_id)
            dated = run.dated_agency_npv
            if run.summary is None or info is None:
                cells += [""] * (3 + (dated is not None))
                cls += [""] * (3 + (dated is not None))
                continue
            annual = agency_gains(run.summary, "annual")[agency_id]
            npv = _agency_npv(run)[agency_id]
            worse = info.worse_off
            flag = " (worse off)" if worse else ""
            cells += [inert(pounds(annual) + flag), inert(one_off_cell(info.one_off_cost)),
                      inert(pounds(npv))]
            cls += ["n worse" if worse else "n", "n", "n worse" if npv < -LOSS_TOL else "n"]
            if dated is not None:
                cells.append(inert(pounds(dated.get(agency_id))))
                cls.append("n worse" if dated.get(agency_id, 0.0) < -LOSS_TOL else "n")
        body.append(cells)
        classes.append(cls)
    return _table("Who gains: each agency's savings, by scenario", header, body, classes,
                  units)


def _compensation_html(runs: list[Run]) -> str:
    parts = []
    for run in runs:
        if not run.summary:
            continue
        names = {a: i.name or a for a, i in _agencies(run).items()}
        parts.append(f"<h3>{isolated(run.scenario.name)}</h3>")
        for basis, label, gain in (("annual", "A year", "Gain (a year)"),
                                   ("npv", "NPV over the horizon", "Gain (NPV over the horizon)")):
            comp = compensate(agency_gains(run.summary, "annual") if basis == "annual"
                              else _agency_npv(run), basis)
            parts.append(f"<p><b>{inert(label)}:</b> {inert(comp.note)}.</p>")
            if not comp.possible or not comp.transfers:
                continue
            after = comp.after
            body = [[isolated(names.get(a, a)), inert(pounds(comp.gains[a])),
                     inert(("receives " if t > 0 else "pays ") + pounds(abs(t))),
                     inert(pounds(after[a]))]
                    for a, t in comp.transfers.items()]
            parts.append(_table(f"{isolated_text(run.scenario.name)}: compensation, "
                                f"{'a year' if basis == 'annual' else label}",
                                ["Agency", gain, "Transfer", "Gain after"], body,
                                [["", "n", "n", "n"]] * len(body)))
    return "".join(parts)


def _more(value: float, than: str) -> str:
    """An alternative's extra NPV of cost in words, "£445.5k more than the optimum", or
    "less" when it costs less (a search stopped short of proof; a dated programme)."""
    return f"{pounds(abs(value))} {'less' if value < 0 else 'more'} than {than}"


def _optimum_named(run: Run) -> str:
    """The plan a scenario's alternatives are measured against, as sure as its search is:
    "the optimum" only when proven."""
    s = run.summary
    proven = s is not None and is_proven(s.status, s.mip_gap)
    return "the optimum" if proven else "the best plan found (not proven optimal)"


def _alternatives_html(runs: list[Run]) -> str:
    """Each stored near-optimal alternative: its extra NPV and the sites that differ."""
    parts = []
    for run in runs:
        info = run.summary.alternatives if run.summary is not None else None
        if info is None or not info.plans:
            continue
        items = []
        for alt in info.plans:
            differ = alt.sites_differ
            named = how_many_named(len(differ), 12)
            changes = ", ".join(f"{d.site_id} {d.name}: {d.optimum} \u2192 {d.alternative}"
                                for d in differ[:named])
            more = f" and {len(differ) - named} more" if len(differ) > named else ""
            extra = _more(alt.npv_difference, _optimum_named(run))
            if alt.dated is not None:
                # a dated scenario's alternative: its own programme's NPV leads, and the
                # difference as found is what every change made in year 1 would cost
                extra = (f"{_more(alt.dated.npv_difference, 'the plan')}, dated (its "
                         f"programme {saves_words(alt.dated.npv_saving)}); "
                         f"{extra} {IN_YEAR_ONE}")
                if dated_same_words(alt.dated):
                    extra += f"; dated, {dated_same_words(alt.dated)}"
            items.append(f"<li>{inert(alt.folder)}: {inert(extra)}; "
                         f"{count(len(differ), 'site decision')} "
                         f"{'differs' if len(differ) == 1 else 'differ'}: "
                         f"{inert(changes + more)}</li>")
        note = f'<p class="muted">{inert(info.note)}</p>' if info.note else ""
        parts.append(f"<h3>{isolated(run.scenario.name)}</h3><ul>{''.join(items)}</ul>{note}")
    if not parts:
        return ""
    return ("<h2>Near-optimal alternatives</h2><p class=\"muted\">Stored with the plan "
            "(<code>estate plan --alternatives N --within PCT</code>); each is a results "
            "folder of its own.</p>" + "".join(parts))


SHOWN_REASONS = 5
"""The reasons a scenario with no plan shows at the top of the page; the rest fold."""


def _no_plan_html(run: Run) -> str:
    """Why a compared scenario has no plan, at the top of the page: its status and
    message's first line, its first few reasons, the rest folded away (a scenario
    of 152 zones out of reach pushed the figures a screen down), and the rules to
    relax, always shown."""
    kept = KeptReasons.of(run.message)
    first = run.message.splitlines()[0] if run.message else ""
    head = (f'<p class="warn">{isolated(run.scenario.name)}: {inert(run.status)}: '
            f"{inert(first if kept.reasons or kept.relax else run.message)}</p>")
    shown, rest = kept.reasons[:SHOWN_REASONS], kept.reasons[SHOWN_REASONS:]
    items = "".join(f"<li>{inert(reason)}</li>" for reason in shown)
    more = (f"<details><summary>{count(len(rest), 'more reason')}</summary><ul>"
            + "".join(f"<li>{inert(reason)}</li>" for reason in rest) + "</ul></details>"
            if rest else "")
    relax = f"<p>{inert(kept.relax[:1].upper() + kept.relax[1:])}.</p>" if kept.relax else ""
    return head + (f"<ul>{items}</ul>" if items else "") + more + relax


def _note_html(note: ComparisonNote) -> str:
    """A note of `comparison_notes` as the page shows it: a caution, or a muted remark."""
    return f'<p class="{"muted" if note.remark else "warn"}">{inert(note.text)}</p>'


def page(runs: list[Run]) -> str:
    """The comparison page: self-contained HTML, no script; all register text inert."""
    failed = "".join(_no_plan_html(r) for r in runs if not r.summary)
    # each name isolated, so that a name in Arabic or Hebrew does not swap places with
    # the next one or take the comma between them
    title = inert("Scenario comparison: " + ", ".join(isolated_text(r.scenario.name)
                                                        for r in runs))
    heading = "Scenario comparison: " + ", ".join(isolated(r.scenario.name) for r in runs)
    notes = comparison_notes(runs)
    body = (
        f"<main><h1>{heading}</h1>{failed}"
        + "".join(_note_html(note) for note in notes if note.unlike)
        + "<h2>Side by side</h2>"
        + "".join(_note_html(note) for note in notes if not note.unlike)
        + _figures_html(runs) + _programme_html(runs)
        + "<h2>What each policy costs</h2><p class=\"muted\">The NPV of cost with the policy "
        "minus the optimum without it (all other policies kept), each searched until it "
        "is proven the cheapest (to within a millionth of its cost); where the time limit "
        "stopped a search first, the cost is the range it must lie in (unproven). "
        "\u201cnot set\u201d: the scenario does not use it; \u201cno such rule\u201d: the "
        "scenario has no rule of that name; \u201cnot priced\u201d: a plan reused without "
        "its policy costs (<code>--no-policy-costs</code>)."
        + (" A dated scenario’s policies are priced on its plan with every change made "
           "in year 1, not on its dated programme." if any(
               r.summary and r.summary.programme is not None for r in runs) else "")
        + "</p>" + _policy_html(runs)
        + "<h2>Who gains</h2><p class=\"muted\">Annual saving = annual cost before minus "
        "after (an agency is worse off when it is negative); NPV saving also counts its "
        "one-off costs and, with a start date, its leases; a dated scenario adds each "
        "agency's saving in its programme.</p>" + _agencies_html(runs)
        + "<h2>What if losers were compensated?</h2><p class=\"muted\">Each agency worse off "
        "gets its loss back, paid by the agencies that gain in proportion to their gains; "
        "possible only when the gains cover the losses.</p>" + _compensation_html(runs)
        + _alternatives_html(runs) + "</main>")
    return document(title, body, static_text("estate.render", "compare.css")
                    + static_text("estate.render", "parts.css"))


MOST_NAME = 200
"""Characters of a scenario's name at the head of the terminal's table."""


def terminal_table(runs: list[Run]) -> Table:
    """A rich table, scenarios side by side; register text is never read as markup, nor
    sent to the terminal as an escape sequence."""
    from rich.table import Table
    from rich.text import Text

    def cell(text: str) -> Text:
        # a word wider than its column (a sweep run's `[key=value, ...]`) goes on over
        # lines rather than ending in "…": two names alike up to there stay told apart
        return Text(for_terminal(text), overflow="fold")

    table = Table(title="Scenario comparison", show_lines=False)
    table.add_column("")
    for run in runs:
        # a name of thousands of characters folded into thousands of lines before any
        # figure: cut, far past where two sweep runs' names part
        name = run.scenario.name
        table.add_column(cell(name if len(name) <= MOST_NAME else name[:MOST_NAME - 1]
                              + "\u2026"), justify="right")
    shown = figures(runs)
    for label, key, show in shown[:TERMINAL_FIGURES + len(shown) - len(FIGURES)]:
        table.add_row(cell(label), *(cell(figure_of(r, key, show)) for r in runs))
    names = list(dict.fromkeys(p for r in runs for p, e in _policies(r).items()
                               if e.status is not PolicyStatus.NOT_SET))
    for name in names:
        table.add_row(cell(f"Policy cost: {name}"),
                      *(cell(_policy_text(r, name)) for r in runs))
    table.add_row(cell("Worse off"), *(cell(_worse_off(r)) for r in runs))
    return table


def _worse_off(run: Run) -> str:
    """The agencies worse off under a scenario's plan, "none" when no agency is, and ""
    for a scenario with no plan, whose other figures are blank too (as on the page)."""
    if run.summary is None:
        return ""
    return ", ".join(i.name for i in _agencies(run).values() if i.worse_off) or "none"
