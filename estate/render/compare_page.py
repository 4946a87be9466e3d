"""The comparison as people read it: `comparison.html`, and the table on the terminal.

Scenarios side by side (the figures of `FIGURES`), what each policy costs, who gains
and loses, the compensation what-if (`estate.runs.compare.compensate`) and the stored
near-optimal alternatives. The page is self-contained HTML with no script; every text
from a register or scenario file goes through `inert`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from estate.load.free_text import for_terminal
from estate.render.html import document, inert, static_text
from estate.results import money
from estate.results.words import (
    DATED,
    IN_YEAR_ONE,
    SOLVER_NAMES,
    dated_figure_words,
    dated_payback_words,
    one_off_cell,
    one_off_words,
    payback_words,
    quality_words,
    rate_words,
    schedule_quality,
)
from estate.runs.compare import LOSS_TOL, Run, agency_gains, compensate, stored_agency_npv
from estate.status import Status

if TYPE_CHECKING:
    from rich.table import Table


def _pounds(value: Any) -> str:
    """Money as everywhere else in estate (£m, £k: `estate.results.money`)."""
    return "n/a" if value is None else money(float(value))


def _plain(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _quality(s: dict[str, Any], key: str) -> str:
    """How good the plan is, in the words of `estate plan` and the board pack."""
    return quality_words(Status(s[key]), s.get("mip_gap"))[0]


def _money(s: dict[str, Any], key: str) -> str:
    return _pounds(s.get(key))


def _value(s: dict[str, Any], key: str) -> str:
    return _plain(s.get(key))


def _one_off(s: dict[str, Any], key: str) -> str:
    return "n/a" if s.get(key) is None else one_off_words(float(s[key]))


def _payback(s: dict[str, Any], key: str) -> str:
    return payback_words(s.get(key), s.get("one_off_cost"))[0]


def _dated(s: dict[str, Any], key: str) -> str:
    """A dated programme's figure `key`, or "not dated"."""
    if key == "payback_year":
        return dated_payback_words(s.get("programme"))
    return dated_figure_words(s.get("programme"), key)


def _in_year_one(s: dict[str, Any], key: str) -> str:
    """A plan's own NPV saving; one with no start date counts no rent after a site
    closes and no wait for a sale (its summary then has no `lease_cost_npv`)."""
    if s.get(key) is None:
        return "n/a"
    undated = " (no start date: leases and sale lags not counted)"
    return _pounds(s[key]) + (undated if s.get("lease_cost_npv") is None else "")


def _gap(s: dict[str, Any], key: str) -> str:
    return "n/a" if s.get(key) is None else f"{s[key]:.4%}"


def _solver(s: dict[str, Any], key: str) -> str:
    name = str(s.get(key))
    return f"{SOLVER_NAMES.get(name, name)}, {float(s.get('solve_seconds') or 0):,.1f} s"


def _rate(s: dict[str, Any], key: str) -> str:
    return "n/a" if s.get(key) is None else f"{rate_words(float(s[key]))} a year"


#: The side-by-side figures: label, summary key (a scenario without a plan has only
#: `status`), and how to show it from the summary and the key. Status, one-off and
#: payback are worded as `estate plan` words them (`estate.results.words`), so the two
#: never disagree.
FIGURES: tuple[tuple[str, str, Callable[[dict[str, Any], str], str]], ...] = (
    ("How good the plan is", "status", _quality),
    ("NPV of cost (plan)", "objective_npv", _money),
    ("NPV of cost (status quo)", "status_quo_npv", _money),
    ("NPV saving", "npv_saving", _money),
    ("Annual cost before", "annual_cost_before", _money),
    ("Annual cost after", "annual_cost_after", _money),
    ("Annual saving", "annual_saving", _money),
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
DATED_FIGURES: tuple[tuple[str, str, Callable[[dict[str, Any], str], str]], ...] = (
    (f"NPV saving {DATED}", "npv_saving", _dated),
    (f"NPV of cost {DATED}", "npv_cost", _dated),
    (f"Payback {DATED}", "payback_year", _dated),
)
OWN_FIGURES = {"NPV of cost (plan)": (f"NPV of cost {IN_YEAR_ONE}", _money),
               "NPV saving": (f"NPV saving {IN_YEAR_ONE}", _in_year_one),
               "Payback": (f"Payback {IN_YEAR_ONE}", _payback)}


def _dated_runs(runs: list[Run]) -> list[Run]:
    return [run for run in runs if _data(run).get("programme")]


def figures(runs: list[Run]) -> list[tuple[str, str, Callable[[dict[str, Any], str], str]]]:
    """`FIGURES` as these runs need them: with a dated scenario among them, the
    `DATED_FIGURES` after the plan's quality, and the plans' own NPV saving and payback
    labelled as what every change made in year 1 would give, so that no reader ranks an
    undated plan's saving against a dated programme's without seeing the difference."""
    if not _dated_runs(runs):
        return list(FIGURES)
    shown = []
    for label, key, show in FIGURES:
        label, show = OWN_FIGURES.get(label, (label, show))
        shown.append((label, key, show))
    return [shown[0], *DATED_FIGURES, *shown[1:]]


def _names(names: list[str]) -> str:
    """Scenario names in quotes, so that a name such as "Dated" reads as a name."""
    return ", ".join(f"\u201c{name}\u201d" for name in names)


def mixed_note(runs: list[Run]) -> str:
    """Why a dated programme's saving reads lower than an undated plan's ("" unless
    the comparison holds both kinds)."""
    dated = [run.scenario.name for run in _dated_runs(runs)]
    undated = [run.scenario.name for run in runs if run.summary and run.scenario.name not in dated]
    if not dated or not undated:
        return ""
    return (f"{_names(dated)} {'is' if len(dated) == 1 else 'are'} dated: "
            "a programme counts rent to each lease's end, build times, sale and move lags "
            f"and yearly limits. {_names(undated)} {'is' if len(undated) == 1 else 'are'} "
            f"not: {'its' if len(undated) == 1 else 'their'} saving assumes every change is "
            "made in year 1 (and, without a start date, counts no rent after a site closes "
            "and no wait for a sale), so it usually reads higher than a dated programme of "
            "the same changes would. Compare dated with dated: give a scenario a start date "
            "and a [programme] table (docs/programme.md).")


def _table(header: list[str], body: list[list[str]], classes: list[list[str]] | None = None) -> str:
    """An HTML table; every cell given here is already inert text or markup we made."""
    head = "".join(f'<th scope="col">{h}</th>' for h in header)
    lines = []
    for i, cells in enumerate(body):
        cls = classes[i] if classes else [""] * len(cells)
        lines.append("<tr>" + "".join(
            (f'<th scope="row">{c}</th>' if j == 0 else f'<td class="{k}">{c}</td>')
            for j, (c, k) in enumerate(zip(cells, cls, strict=True))) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(lines)}</tbody></table>"


def _data(run: Run) -> dict[str, Any]:
    """The figures of one scenario by their summary keys; its status alone without a plan."""
    return run.summary.to_json() if run.summary else {"status": str(run.status)}


def _figure(run: Run, key: str, show: Callable[[dict[str, Any], str], str]) -> str:
    """One figure of one scenario as text; a scenario with no plan shows its status only."""
    s = _data(run)
    return show(s, key) if run.summary is not None or key in s else ""


def _figures_html(runs: list[Run]) -> str:
    body = [[inert(label), *(inert(_figure(run, key, show)) for run in runs)]
            for label, key, show in figures(runs)]
    classes = [["", *["n"] * len(runs)]] * len(body)
    body.append([inert("Plan reused from its results folder"),
                 *(inert(_plain(r.reused)) for r in runs)])
    classes.append(["", *[""] * len(runs)])
    return _table(["Figure", *(inert(r.scenario.name) for r in runs)], body, classes)


#: The dated programme's figures: label, how to show them from (its figures, summary).
METHOD_WORDS = {"roadmap": "the plan's changes put in order (roadmap)",
                "joint": "every year planned together (joint model)"}

PROGRAMME_FIGURES: tuple[tuple[str, Callable[[dict[str, Any], dict[str, Any]], str]], ...] = (
    ("How it was scheduled", lambda p, s: METHOD_WORDS.get(str(p.get("method")),
                                                           _plain(p.get("method")))),
    ("Starts", lambda p, s: _plain(p.get("start"))),
    ("NPV saving, as dated", lambda p, s: _pounds(p.get("npv_saving"))),
    (f"NPV saving {IN_YEAR_ONE}", lambda p, s: _pounds(s.get("npv_saving"))),
    ("Payback year", lambda p, s: dated_payback_words(p)),
    ("Changes scheduled", lambda p, s: _plain(p.get("changes"))),
    ("Roadmap dearer than the joint model by", lambda p, s: "not measured (the joint model did not run)"
     if p.get("gap") is None
     else f"{float(p['gap']):.2%}"),
    ("How sure the schedule is", lambda p, s: schedule_quality(
        str(p.get("status")), p.get("mip_gap"), str(p.get("method")))[1]),
)


def _programme_html(runs: list[Run]) -> str:
    """Each scenario's dated programme beside its snapshot plan; "" when none has one."""
    if not any(_data(run).get("programme") for run in runs):
        return ""
    body = []
    for label, show in PROGRAMME_FIGURES:
        cells = [inert(label)]
        for run in runs:
            data = _data(run)
            figures = data.get("programme")
            cells.append(inert(show(figures, data)) if figures else "\u2014")
        body.append(cells)
    return ("<h2>The dated programme</h2><p class=\"muted\">The plan scheduled year by "
            "year (leases, lags, yearly limits): its NPV saving is what a programme can "
            "realise; the plan's own counts every change as made in year 1. The roadmap "
            "puts the plan's changes in order; the joint model, run on smaller estates, "
            "plans every year together and may choose other changes. "
            "\u201c\u2014\u201d: no programme for that scenario.</p>"
            + _table(["Figure", *(inert(r.scenario.name) for r in runs)], body,
                     [["", *["n"] * len(runs)]] * len(body)))


def _policy_cell(entry: dict[str, Any]) -> str:
    """A priced policy's cost; a range, marked unproven, when a solve hit its time limit."""
    if "npv_low" in entry:
        high = entry.get("npv_high")
        return (f"{_pounds(entry['npv_low'])} to "
                f"{_pounds(high) if high is not None else 'more'} (unproven)")
    return _pounds(entry.get("npv"))


def _policy_text(run: Run, name: str) -> str:
    """One policy's cost in one scenario, or why there is none: no plan to price (""),
    a plan stored without its policy costs ("not priced"), a rule this scenario does not
    have ("no such rule": a second coverage rule of another scenario), or the status of
    its pricing ("not set", "declined", ...)."""
    if run.summary is None:
        return ""
    if run.summary.policy_costs is None:
        return "not priced"
    entry = _policies(run).get(name)
    if entry is None:
        return "no such rule"
    if entry.get("status") == "priced":
        return _policy_cell(entry)
    return str(entry.get("status", "")).replace("_", " ")


def _policies(run: Run) -> dict[str, dict[str, Any]]:
    return _data(run).get("policy_costs") or {}


def _policy_html(runs: list[Run]) -> str:
    names = list(dict.fromkeys(p for run in runs for p in _policies(run)))
    if not names:
        return ("<p>None of these plans has its policies priced: a comparison run with "
                "<code>--no-policy-costs</code> prices none, and a scenario with no plan "
                "has none to price.</p>")
    body = [[inert(name), *(inert(_policy_text(run, name)) for run in runs)]
            for name in names]
    parts = [_table(["Policy", *(inert(r.scenario.name) for r in runs)], body,
                    [["", *["n"] * len(runs)]] * len(body))]
    for run in runs:
        said = [e for e in _policies(run).values() if e.get("status") != "not_set"]
        if not said:
            continue
        items = "".join(f"<li>{inert(e.get('sentence'))}"
                        + (f' <span class="muted">({inert(e["message"])})</span>'
                           if e.get("message") and e.get("status") == "priced"
                           and "npv_low" not in e else "")
                        + "</li>" for e in said)
        parts.append(f"<h3>{inert(run.scenario.name)}</h3><ul>{items}</ul>")
    return "".join(parts)


def _agency_npv(run: Run) -> dict[str, float]:
    """Each agency's NPV saving as its results folder holds it (leases counted)."""
    assert run.summary is not None
    return run.agency_npv or stored_agency_npv(run.summary, None)


def _agencies_html(runs: list[Run]) -> str:
    ids: dict[str, str] = {}
    for run in runs:
        for agency_id, info in (_data(run).get("agencies") or {}).items():
            ids.setdefault(agency_id, str(info.get("name") or agency_id))
    header = ["Agency"]
    for run in runs:
        n = inert(run.scenario.name)
        if run.dated_agency_npv is None:
            header += [f"{n}: annual saving", f"{n}: one-off", f"{n}: NPV saving"]
        else:
            header += [f"{n}: annual saving", f"{n}: one-off",
                       f"{n}: NPV saving, every change in year 1", f"{n}: NPV saving, dated"]
    body, classes = [], []
    for agency_id, name in ids.items():
        cells, cls = [f"{inert(name)} <span class=\"muted\">({inert(agency_id)})</span>"], [""]
        for run in runs:
            info = (_data(run).get("agencies") or {}).get(agency_id)
            dated = run.dated_agency_npv
            if run.summary is None or info is None:
                cells += [""] * (3 + (dated is not None))
                cls += [""] * (3 + (dated is not None))
                continue
            annual = agency_gains(run.summary, "annual")[agency_id]
            npv = _agency_npv(run)[agency_id]
            worse = bool(info.get("worse_off"))
            flag = " (worse off)" if worse else ""
            one_off = info.get("one_off_cost")
            cells += [inert(_pounds(annual) + flag),
                      inert("n/a" if one_off is None else one_off_cell(float(one_off))),
                      inert(_pounds(npv))]
            cls += ["n worse" if worse else "n", "n", "n worse" if npv < -LOSS_TOL else "n"]
            if dated is not None:
                cells.append(inert(_pounds(dated.get(agency_id))))
                cls.append("n worse" if dated.get(agency_id, 0.0) < -LOSS_TOL else "n")
        body.append(cells)
        classes.append(cls)
    return _table(header, body, classes)


def _compensation_html(runs: list[Run]) -> str:
    parts = []
    for run in runs:
        if not run.summary:
            continue
        names = {a: str(i.get("name") or a) for a, i in (_data(run).get("agencies") or {}).items()}
        parts.append(f"<h3>{inert(run.scenario.name)}</h3>")
        for basis, label, gain in (("annual", "A year", "Gain (a year)"),
                                   ("npv", "NPV over the horizon", "Gain (NPV over the horizon)")):
            comp = compensate(agency_gains(run.summary, "annual") if basis == "annual"
                              else _agency_npv(run), basis)
            parts.append(f"<p><b>{inert(label)}:</b> {inert(comp.note)}.</p>")
            if not comp.possible or not comp.transfers:
                continue
            after = comp.after
            body = [[inert(names.get(a, a)), inert(_pounds(comp.gains[a])),
                     inert(("receives " if t > 0 else "pays ") + _pounds(abs(t))),
                     inert(_pounds(after[a]))]
                    for a, t in comp.transfers.items()]
            parts.append(_table(["Agency", gain, "Transfer", "Gain after"], body,
                                [["", "n", "n", "n"]] * len(body)))
    return "".join(parts)


def _alternatives_html(runs: list[Run]) -> str:
    """Each stored near-optimal alternative: its extra NPV and the sites that differ."""
    parts = []
    for run in runs:
        info = _data(run).get("alternatives")
        if not isinstance(info, dict) or not info.get("plans"):
            continue
        items = []
        for alt in info["plans"]:
            differ = alt.get("sites_differ") or []
            changes = ", ".join(f"{d.get('site_id')} {d.get('name')}: {d.get('optimum')} "
                                f"\u2192 {d.get('alternative')}" for d in differ[:12])
            more = f" and {len(differ) - 12} more" if len(differ) > 12 else ""
            items.append(f"<li>{inert(alt.get('folder'))}: "
                         f"{inert(_pounds(alt.get('npv_difference')))} more than the optimum; "
                         f"{len(differ)} site decisions differ: {inert(changes + more)}</li>")
        note = f'<p class="muted">{inert(info["note"])}</p>' if info.get("note") else ""
        parts.append(f"<h3>{inert(run.scenario.name)}</h3><ul>{''.join(items)}</ul>{note}")
    if not parts:
        return ""
    return ("<h2>Near-optimal alternatives</h2><p class=\"muted\">Stored with the plan "
            "(<code>estate plan --alternatives N --within PCT</code>); each is a results "
            "folder of its own.</p>" + "".join(parts))


def page(runs: list[Run]) -> str:
    """The comparison page: self-contained HTML, no script; all register text inert."""
    failed = "".join(f'<p class="warn">{inert(r.scenario.name)}: {inert(r.status)}: '
                     f"{inert(r.message)}</p>" for r in runs if not r.summary)
    title = inert("Scenario comparison: " + ", ".join(r.scenario.name for r in runs))
    body = (
        f"<main><h1>{title}</h1>{failed}"
        "<h2>Side by side</h2>"
        + (f'<p class="warn">{inert(note)}</p>' if (note := mixed_note(runs)) else "")
        + _figures_html(runs) + _programme_html(runs)
        + "<h2>What each policy costs</h2><p class=\"muted\">The NPV of cost with the policy "
        "minus the optimum without it (all other policies kept), each solved until it is "
        "proven the cheapest (to within a millionth of its cost). "
        "\u201cnot set\u201d: the scenario does not use it; \u201cno such rule\u201d: the "
        "scenario has no rule of that name; \u201cnot priced\u201d: a plan reused without "
        "its policy costs (<code>--no-policy-costs</code>).</p>" + _policy_html(runs)
        + "<h2>Who gains</h2><p class=\"muted\">Annual saving = annual cost before minus "
        "after (an agency is worse off when it is negative); NPV saving also counts its "
        "one-off costs and, with a start date, its leases; a dated scenario adds each "
        "agency's saving in its programme.</p>" + _agencies_html(runs)
        + "<h2>What if losers were compensated?</h2><p class=\"muted\">Each agency worse off "
        "gets its loss back, paid by the agencies that gain in proportion to their gains; "
        "possible only when the gains cover the losses.</p>" + _compensation_html(runs)
        + _alternatives_html(runs) + "</main>")
    return document(title, body, static_text("estate.render", "compare.css"))


def terminal_table(runs: list[Run]) -> Table:
    """A rich table, scenarios side by side; register text is never read as markup, nor
    sent to the terminal as an escape sequence."""
    from rich.table import Table
    from rich.text import Text

    def cell(text: str) -> Text:
        return Text(for_terminal(text))

    table = Table(title="Scenario comparison", show_lines=False)
    table.add_column("")
    for run in runs:
        table.add_column(cell(run.scenario.name), justify="right")
    shown = figures(runs)
    for label, key, show in shown[:TERMINAL_FIGURES + len(shown) - len(FIGURES)]:
        table.add_row(cell(label), *(cell(_figure(r, key, show)) for r in runs))
    names = list(dict.fromkeys(p for r in runs for p, e in _policies(r).items()
                               if e.get("status") != "not_set"))
    for name in names:
        table.add_row(cell(f"Policy cost: {name}"),
                      *(cell(_policy_text(r, name)) for r in runs))
    table.add_row(cell("Worse off"), *(cell(", ".join(
        str(i.get("name")) for i in (_data(r).get("agencies") or {}).values()
        if i.get("worse_off")) or "none") for r in runs))
    return table
