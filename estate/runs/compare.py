"""Compare scenarios side by side: figures, policy costs, who gains, and a shared map.

`compare(paths, out)` plans every scenario (policy costs always on), reusing the stored
`results/<name>/` when it was solved from the same scenario and the same register
files, and writes `comparison.csv`, `comparison.xlsx`, `comparison.html` and
`comparison_map.html` (DESIGN 7).

Who gains, and the compensation what-if. An agency's gain is its annual cost before
minus after (the basis of `worse_off`, DESIGN 3), or, on the NPV basis, A times that
minus its one-off costs. When the gains add up to at least 0, every loser is paid its
loss back and the gainers pay for it in proportion to their gains:

    transfer_g = loss_g                             for a loser (gain_g < 0), received
    transfer_g = -gain_g * sum(losses) / sum(gains) for a gainer, paid

so the transfers sum to 0, no agency ends worse off, and each gainer keeps the same
share, 1 - sum(losses)/sum(gains), of its gain. When the losses exceed the gains (the
scenario costs more than it saves in total) no transfer can leave everyone whole, and
the page says so.
"""

from __future__ import annotations

import csv
import json
import math
import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from estate.errors import EstateError, InputError, Problem
from estate.load.scenario import Scenario, check_against_register, file_stem, load_scenario
from estate.load.validate import Register, load_register
from estate.results import money
from estate.runs.planning import plan_scenario
from estate.runs.policy import policy_costs
from estate.status import status_of
from estate.store import inputs_sha256, summary_json

FILES = ("comparison.csv", "comparison.xlsx", "comparison.html", "comparison_map.html")
LOSS_TOL = 0.005
"""Pounds: a gain or loss this small is none (the threshold of `worse_off`)."""

Progress = Callable[[str], None]


@dataclass
class Run:
    """One scenario of a comparison: its stored results folder and summary, or why none."""

    path: Path
    scenario: Scenario
    results_dir: Path
    status: str = ""
    summary: dict[str, Any] | None = None
    reused: bool = False
    message: str = ""


@dataclass(frozen=True)
class Compensation:
    """The what-if that pays every loser back from the gainers (module docstring)."""

    basis: str
    gains: dict[str, float]
    possible: bool
    transfers: dict[str, float] = field(default_factory=dict)
    note: str = ""

    @property
    def after(self) -> dict[str, float]:
        return {g: v + self.transfers.get(g, 0.0) for g, v in self.gains.items()}


def compensate(gains: dict[str, float], basis: str = "annual") -> Compensation:
    """Transfers (+ received, - paid) that leave no agency worse off, when the total allows."""
    losses = {g: -v for g, v in gains.items() if v < -LOSS_TOL}
    winners = {g: v for g, v in gains.items() if v > LOSS_TOL}
    lost, won = sum(losses.values()), sum(winners.values())
    if not losses:
        return Compensation(basis, gains, True, {}, "no agency is worse off")
    if lost > won:
        return Compensation(
            basis, gains, False, {},
            f"not possible: the losers lose {money(lost)} and the gainers gain only "
            f"{money(won)}, so the scenario costs {money(lost - won)} more than it saves")
    ratio = lost / won
    transfers = {**{g: v for g, v in losses.items()}, **{g: -v * ratio for g, v in winners.items()}}
    return Compensation(basis, gains, True, transfers,
                        f"each loser gets its loss back ({money(lost)} in all); each gainer "
                        f"pays {ratio:.1%} of its gain")


def annuity(summary: dict[str, Any]) -> float:
    r, h = float(summary.get("discount_rate") or 0.0), int(summary.get("horizon_years") or 0)
    return float(h) if r == 0 else float((1 - (1 + r) ** -h) / r)


def agency_gains(summary: dict[str, Any], basis: str = "annual") -> dict[str, float]:
    """Per agency: annual cost before - after, or (npv) A times that minus one-off costs."""
    a = annuity(summary)
    out = {}
    for agency_id, info in (summary.get("agencies") or {}).items():
        annual = float(info["annual_cost_before"]) - float(info["annual_cost_after"])
        out[agency_id] = annual if basis == "annual" else a * annual - float(info["one_off_cost"])
    return out


def expected_scenario(scenario: Scenario) -> dict[str, Any]:
    """What `scenario.toml` of a folder solved from `scenario` reads back as."""
    raw = dict(scenario.raw)
    raw["name"] = scenario.name
    raw["data"] = str(Path(scenario.data).resolve())
    return raw


REUSE, ADD_POLICY_COSTS, SOLVE = "reuse", "add_policy_costs", "solve"


def stored_state(scenario: Scenario, folder: Path) -> str:
    """`reuse` when the folder holds a plan of this very scenario and register with its
    policy costs; `add_policy_costs` when only those are missing (a folder written by
    `estate plan` without `--policy-costs`); otherwise `solve`."""
    try:
        stored = tomllib.loads((folder / "scenario.toml").read_text(encoding="utf-8"))
        hashes = (folder / "inputs.sha256").read_text(encoding="utf-8")
        summary = _read_summary(folder)
    except (OSError, ValueError):
        return SOLVE
    if (stored != expected_scenario(scenario) or hashes != inputs_sha256(Path(scenario.data))
            or summary.get("status") not in ("optimal", "time_limit")):
        return SOLVE
    return REUSE if isinstance(summary.get("policy_costs"), dict) else ADD_POLICY_COSTS


def add_policy_costs(scenario: Scenario, register: Register, folder: Path,
                     progress: Progress | None = None) -> None:
    """Price the policies of a stored plan and add them to its `summary.json` alone, so
    the plan, its maps and any alternatives stay as they are."""
    summary = _read_summary(folder)
    summary["policy_costs"] = policy_costs(scenario, register, progress=progress)
    _atomic_write(folder / "summary.json",
                  lambda p: p.write_text(summary_json(summary) + "\n", encoding="utf-8"))


def _read_summary(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def _load_all(paths: list[Path], results_root: Path) -> tuple[list[Run], dict[Path, Register]]:
    """Every scenario and register read and checked before anything is solved."""
    runs, problems, registers = [], [], {}
    for path in paths:
        try:
            sc = load_scenario(path)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        runs.append(Run(Path(path), sc, results_root / file_stem(sc.name)))
    folders: dict[Path, Path] = {}
    for run in runs:
        if run.results_dir in folders:
            problems.append(Problem(str(run.path), None, "name", "a name no other compared "
                                    "scenario has (each is stored in results/<name>/)",
                                    f"{run.scenario.name!r}, stored in {run.results_dir} as "
                                    f"{folders[run.results_dir]} is", label="key"))
        folders[run.results_dir] = run.path
        data = Path(run.scenario.data).resolve()
        if data not in registers:
            try:
                registers[data] = load_register(data)
            except InputError as exc:
                problems.extend(exc.problems)
                continue
        problems.extend(p for p in check_against_register(run.scenario, registers[data])
                        if p.severity == "error")
    if problems:
        raise InputError(problems)
    return runs, registers


def plan_runs(paths: list[str | Path], results_root: Path = Path("results"),
              progress: Progress | None = None) -> list[Run]:
    """Plan each scenario with its policy costs, or reuse its stored results folder."""
    say = progress or (lambda _: None)
    runs, registers = _load_all([Path(p) for p in paths], Path(results_root))
    for run in runs:
        sc = run.scenario
        state = stored_state(sc, run.results_dir)
        register = registers[Path(sc.data).resolve()]
        if state == REUSE:
            say(f"{sc.name}: reusing {run.results_dir} (same scenario and register)")
            run.reused = True
        elif state == ADD_POLICY_COSTS:
            say(f"{sc.name}: reusing {run.results_dir}, adding its policy costs")
            add_policy_costs(sc, register, run.results_dir, say)
            run.reused = True
        else:
            say(f"{sc.name}: planning, with policy costs")
            try:
                plan_scenario(sc, out=run.results_dir, policy_costs=True,
                              register=register, progress=say)
            except EstateError as exc:
                if isinstance(exc, InputError):
                    raise
                run.status = status_of(exc)
                run.message = str(exc)
                say(f"{sc.name}: {run.status}")
                continue
        run.summary = _read_summary(run.results_dir)
        run.status = str(run.summary.get("status", ""))
    return runs


def flatten(summary: dict[str, Any]) -> dict[str, Any]:
    """Every summary key as one column: agencies as `agency.<id>.<field>`, policy costs as
    `policy_cost.<name>` (pounds), other tables as dotted keys (`model_size.columns`,
    `alternatives.plans.1.npv_difference`), lists of records as one text."""
    row: dict[str, Any] = {}
    for key, value in summary.items():
        if key == "agencies":
            for agency_id, info in (value or {}).items():
                for name, v in info.items():
                    row[f"agency.{agency_id}.{name}"] = v
        elif key == "policy_costs":
            for name, entry in (value or {}).items():
                row[f"policy_cost.{name}"] = entry.get("npv")
        else:
            _flat(key, value, row)
    return row


def _flat(key: str, value: Any, row: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for sub, v in value.items():
            _flat(f"{key}.{sub}", v, row)
    elif isinstance(value, list) and value and all(
            isinstance(v, dict) and "index" in v for v in value):
        for v in value:
            _flat(f"{key}.{v['index']}", {k: x for k, x in v.items() if k != "index"}, row)
    elif isinstance(value, list):
        row[key] = "; ".join(": ".join(str(x) for x in v.values()) if isinstance(v, dict)
                             else str(v) for v in value)
    else:
        row[key] = value


def rows(runs: list[Run]) -> list[dict[str, Any]]:
    """One row per scenario, `scenario` first; a scenario with no plan has its status."""
    out = []
    for run in runs:
        row = {"scenario": run.scenario.name}
        row.update(flatten(run.summary) if run.summary else {"status": run.status})
        row["scenario"] = run.scenario.name
        row.update(results_dir=str(run.results_dir), reused=run.reused, message=run.message)
        out.append(row)
    return out


def _columns(table: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(k for row in table for k in row))


def _cell_text(value: Any) -> Any:
    """CSV cells: text that a spreadsheet would run as a formula gets a leading quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    return value


def write_csv(table: list[dict[str, Any]], path: Path) -> None:
    columns = _columns(table)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([_cell_text(c) for c in columns])
        for row in table:
            writer.writerow([_cell_text(row.get(c)) for c in columns])


def _sheet(wb: Any, title: str, header: list[Any], body: list[list[Any]]) -> None:
    ws = wb.create_sheet(title)
    for r, values in enumerate([header, *body], start=1):
        for c, value in enumerate(values, start=1):
            if isinstance(value, float) and not math.isfinite(value):
                value = None
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # register text is never a formula
    ws.freeze_panes = "B2"


def write_xlsx(runs: list[Run], table: list[dict[str, Any]], path: Path) -> None:
    """Sheets: summary (figures x scenarios), agencies (one row per scenario and agency),
    policy costs (policies x scenarios, then the sentences)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    names = [r["scenario"] for r in table]
    figures = [c for c in _columns(table) if not c.startswith(("agency.", "policy_cost."))
               and c != "scenario"]
    _sheet(wb, "summary", ["figure", *names], [[f, *(r.get(f) for r in table)] for f in figures])
    body = []
    for run in runs:
        for agency_id, info, gain, npv, comp in _agency_rows(run):
            body.append([run.scenario.name, agency_id, info.get("name"),
                         info.get("annual_cost_before"), info.get("annual_cost_after"), gain,
                         info.get("one_off_cost"), npv, bool(info.get("worse_off")),
                         comp.transfers.get(agency_id, 0.0) if comp.possible else None])
    _sheet(wb, "agencies", ["scenario", "agency_id", "name", "annual_cost_before",
                            "annual_cost_after", "annual_saving", "one_off_cost", "npv_saving",
                            "worse_off", "compensation_transfer_annual"], body)
    policies = list(dict.fromkeys(p for run in runs if run.summary
                                  for p in (run.summary.get("policy_costs") or {})))
    body = [[p, *(((run.summary or {}).get("policy_costs") or {}).get(p, {}).get("npv")
                  for run in runs)] for p in policies]
    body += [[f"{p} (in words)", *(((run.summary or {}).get("policy_costs") or {}).get(p, {})
                                   .get("sentence") for run in runs)] for p in policies]
    _sheet(wb, "policy costs", ["policy", *names], body)
    wb.save(path)


def _agency_rows(run: Run) -> list[tuple[str, dict[str, Any], float, float, Compensation]]:
    if not run.summary:
        return []
    comp = compensate(agency_gains(run.summary, "annual"), "annual")
    npv = agency_gains(run.summary, "npv")
    annual = agency_gains(run.summary, "annual")
    return [(a, info, annual[a], npv[a], comp)
            for a, info in (run.summary.get("agencies") or {}).items()]


def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(temp)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def compare(paths: list[str | Path], out: str | Path = "comparison",
            results_root: str | Path = "results", progress: Progress | None = None,
            cdn: bool = False) -> list[Run]:
    """Plan (or reuse) every scenario and write the four comparison files into `out`."""
    runs = plan_runs(paths, Path(results_root), progress)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    table = rows(runs)
    _atomic_write(out / "comparison.csv", lambda p: write_csv(table, p))
    _atomic_write(out / "comparison.xlsx", lambda p: write_xlsx(runs, table, p))
    _atomic_write(out / "comparison.html",
                  lambda p: p.write_text(page(runs), encoding="utf-8"))
    _atomic_write(out / "comparison_map.html",
                  lambda p: p.write_text(comparison_map(runs, cdn), encoding="utf-8"))
    return runs


def _pounds(value: Any) -> str:
    if value is None:
        return "n/a"
    v = float(value)
    return ("\u2212" if v < -0.005 else "") + f"£{abs(v):,.0f}"


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


#: The side-by-side figures: label, summary key, how to show the value.
FIGURES: tuple[tuple[str, str, Callable[[Any], str]], ...] = (
    ("Status", "status", _plain),
    ("NPV of cost (plan)", "objective_npv", _pounds),
    ("NPV of cost (status quo)", "status_quo_npv", _pounds),
    ("NPV saving", "npv_saving", _pounds),
    ("Annual cost before", "annual_cost_before", _pounds),
    ("Annual cost after", "annual_cost_after", _pounds),
    ("Annual saving", "annual_saving", _pounds),
    ("One-off cost", "one_off_cost", _pounds),
    ("Payback (years)", "payback_years", lambda v: "never" if v is None else f"{v:.1f}"),
    ("Sites before", "sites_before", _plain),
    ("Sites after", "sites_after", _plain),
    ("Sites closed", "sites_closed", _plain),
    ("Sites opened", "sites_opened", _plain),
    ("Shared centres", "shared_centres", _plain),
    ("FTE relocated", "fte_relocated", _plain),
    ("Status quo meets every rule", "status_quo_feasible", _plain),
    ("Horizon (years)", "horizon_years", _plain),
    ("Discount rate", "discount_rate", _plain),
    ("MIP gap", "mip_gap", lambda v: "n/a" if v is None else f"{v:.4%}"),
    ("Solver, seconds", "solver", _plain),
)

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em;color:#222;max-width:1400px}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.6em 0}th,td{border:1px solid #ddd;padding:.3em .6em;vertical-align:top}
th{background:#f3f3f3;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.worse{background:#fde2dd;color:#8a1c00;font-weight:600}.muted{color:#666}.warn{color:#8a1c00}
"""


def _table(header: list[str], body: list[list[str]], classes: list[list[str]] | None = None) -> str:
    """An HTML table; every cell given here is already inert text or markup we made."""
    head = "".join(f"<th>{h}</th>" for h in header)
    lines = []
    for i, cells in enumerate(body):
        cls = classes[i] if classes else [""] * len(cells)
        lines.append("<tr>" + "".join(
            (f"<th>{c}</th>" if j == 0 else f'<td class="{k}">{c}</td>')
            for j, (c, k) in enumerate(zip(cells, cls, strict=True))) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(lines)}</tbody></table>"


def _figures_html(runs: list[Run]) -> str:
    from estate.maps.page import inert

    body, classes = [], []
    for label, key, show in FIGURES:
        cells = [inert(label)]
        for run in runs:
            s = run.summary or {"status": run.status}
            value = s.get(key)
            text = show(value) if key in s else ""
            if key == "solver" and run.summary:
                text = f"{value}, {float(s.get('solve_seconds') or 0):,.1f} s"
            cells.append(inert(text))
        body.append(cells)
        classes.append(["", *["n"] * len(runs)])
    body.append([inert("Reused stored results"), *(inert(_plain(r.reused)) for r in runs)])
    classes.append(["", *[""] * len(runs)])
    return _table(["", *(inert(r.scenario.name) for r in runs)], body, classes)


def _policy_cell(entry: dict[str, Any]) -> str:
    """A priced policy's cost; a range, marked unproven, when a solve hit its time limit."""
    if "npv_low" in entry:
        high = entry.get("npv_high")
        return (f"{_pounds(entry['npv_low'])} to "
                f"{_pounds(high) if high is not None else 'more'} (unproven)")
    return _pounds(entry.get("npv"))


def _policy_html(runs: list[Run]) -> str:
    from estate.maps.page import inert

    names = list(dict.fromkeys(p for run in runs if run.summary
                               for p in (run.summary.get("policy_costs") or {})))
    body = []
    for name in names:
        cells = [inert(name)]
        for run in runs:
            entry = ((run.summary or {}).get("policy_costs") or {}).get(name)
            if entry is None:
                cells.append("\u2014")
            elif entry.get("status") == "priced":
                cells.append(inert(_policy_cell(entry)))
            else:
                cells.append(inert(str(entry.get("status", "")).replace("_", " ")))
        body.append(cells)
    parts = [_table(["Policy", *(inert(r.scenario.name) for r in runs)], body,
                    [["", *["n"] * len(runs)]] * len(body))]
    for run in runs:
        costs = (run.summary or {}).get("policy_costs") or {}
        said = [e for e in costs.values() if e.get("status") != "not_set"]
        if not said:
            continue
        items = "".join(f"<li>{inert(e.get('sentence'))}"
                        + (f' <span class="muted">({inert(e["message"])})</span>'
                           if e.get("message") and e.get("status") == "priced"
                           and "npv_low" not in e else "")
                        + "</li>" for e in said)
        parts.append(f"<h3>{inert(run.scenario.name)}</h3><ul>{items}</ul>")
    return "".join(parts)


def _agencies_html(runs: list[Run]) -> str:
    from estate.maps.page import inert

    ids: dict[str, str] = {}
    for run in runs:
        for agency_id, info in ((run.summary or {}).get("agencies") or {}).items():
            ids.setdefault(agency_id, str(info.get("name") or agency_id))
    header = ["Agency"]
    for run in runs:
        n = inert(run.scenario.name)
        header += [f"{n}: annual saving", f"{n}: one-off", f"{n}: NPV saving"]
    body, classes = [], []
    for agency_id, name in ids.items():
        cells, cls = [f"{inert(name)} <span class=\"muted\">({inert(agency_id)})</span>"], [""]
        for run in runs:
            info = ((run.summary or {}).get("agencies") or {}).get(agency_id)
            if info is None:
                cells += ["", "", ""]
                cls += ["", "", ""]
                continue
            annual = agency_gains(run.summary or {}, "annual")[agency_id]
            npv = agency_gains(run.summary or {}, "npv")[agency_id]
            worse = bool(info.get("worse_off"))
            flag = " (worse off)" if worse else ""
            cells += [inert(_pounds(annual) + flag), inert(_pounds(info.get("one_off_cost"))),
                      inert(_pounds(npv))]
            cls += ["n worse" if worse else "n", "n", "n worse" if npv < -LOSS_TOL else "n"]
        body.append(cells)
        classes.append(cls)
    return _table(header, body, classes)


def _compensation_html(runs: list[Run]) -> str:
    from estate.maps.page import inert

    parts = []
    for run in runs:
        if not run.summary:
            continue
        names = {a: str(i.get("name") or a) for a, i in (run.summary.get("agencies") or {}).items()}
        parts.append(f"<h3>{inert(run.scenario.name)}</h3>")
        for basis, label in (("annual", "A year"), ("npv", "NPV over the horizon")):
            comp = compensate(agency_gains(run.summary, basis), basis)
            parts.append(f"<p><b>{inert(label)}:</b> {inert(comp.note)}.</p>")
            if not comp.possible or not comp.transfers:
                continue
            after = comp.after
            body = [[inert(names.get(a, a)), inert(_pounds(comp.gains[a])),
                     inert(("receives " if t > 0 else "pays ") + _pounds(abs(t))),
                     inert(_pounds(after[a]))]
                    for a, t in comp.transfers.items()]
            parts.append(_table(["Agency", f"Gain ({label.lower() if basis == 'annual' else label})", "Transfer", "Gain after"], body,
                                [["", "n", "n", "n"]] * len(body)))
    return "".join(parts)


def _alternatives_html(runs: list[Run]) -> str:
    """Each stored near-optimal alternative: its extra NPV and the sites that differ."""
    from estate.maps.page import inert

    parts = []
    for run in runs:
        info = (run.summary or {}).get("alternatives")
        if not isinstance(info, dict) or not info.get("plans"):
            continue
        items = []
        for alt in info["plans"]:
            differ = alt.get("sites_differ") or []
            changes = ", ".join(f"{d.get('site_id')} {d.get('name')}: {d.get('optimum')} "
                                f"\u2192 {d.get('alternative')}" for d in differ[:12])
            more = f" and {len(differ) - 12} more" if len(differ) > 12 else ""
            items.append(f"<li>{inert(alt.get('folder'))}: {inert(_pounds(alt.get('npv_difference')))}"
                         f" more than the optimum; {len(differ)} site decisions differ: "
                         f"{inert(changes + more)}</li>")
        note = f'<p class="muted">{inert(info["note"])}</p>' if info.get("note") else ""
        parts.append(f"<h3>{inert(run.scenario.name)}</h3><ul>{''.join(items)}</ul>{note}")
    if not parts:
        return ""
    return ("<h2>Near-optimal alternatives</h2><p class=\"muted\">Stored with the plan "
            "(<code>estate plan --alternatives N --within PCT</code>); each is a results "
            "folder of its own.</p>" + "".join(parts))


def page(runs: list[Run]) -> str:
    """The comparison page: self-contained HTML, no script; all register text inert."""
    from estate.maps.page import inert

    failed = "".join(f'<p class="warn">{inert(r.scenario.name)}: {inert(r.status)}: '
                     f"{inert(r.message)}</p>" for r in runs if not r.summary)
    title = inert("Scenario comparison: " + ", ".join(r.scenario.name for r in runs))
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{_CSS}</style></head><body><h1>{title}</h1>{failed}"
        "<h2>Side by side</h2>" + _figures_html(runs)
        + "<h2>What each policy costs</h2><p class=\"muted\">The NPV of cost with the policy "
        "minus the optimum without it (all other policies kept), both solved to a 1e-6 gap. "
        "\u201cnot set\u201d: the scenario does not use it.</p>" + _policy_html(runs)
        + "<h2>Who gains</h2><p class=\"muted\">Annual saving = annual cost before minus "
        "after (an agency is worse off when it is negative); NPV saving also counts its "
        "one-off costs.</p>" + _agencies_html(runs)
        + "<h2>What if losers were compensated?</h2><p class=\"muted\">Each agency worse off "
        "gets its loss back, paid by the agencies that gain in proportion to their gains; "
        "possible only when the gains cover the losses.</p>" + _compensation_html(runs)
        + _alternatives_html(runs) + "</body></html>\n")


def differing_sites(runs: list[Run]) -> dict[str, list[Any]]:
    """Sites whose decision is not the same in every scenario that includes them.

    A site is its register and its id: scenarios on different registers share no site.
    """
    import pandas as pd

    frames = []
    for k, run in enumerate(runs):
        if run.summary:
            sites = pd.read_csv(run.results_dir / "sites.csv", dtype=str, keep_default_na=False)
            frames.append(sites[["site_id", "name", "lat", "lon", "decision"]].assign(
                k=k, register=str(Path(run.scenario.data).resolve())))
    out: dict[str, list[Any]] = {"id": [], "name": [], "lat": [], "lon": [], "decisions": []}
    if not frames:
        return out
    every = pd.concat(frames, ignore_index=True)
    for (_, site_id), group in every.groupby(["register", "site_id"], sort=True):
        if group["decision"].nunique() < 2:
            continue
        first = group.iloc[0]
        out["id"].append(str(site_id))
        out["name"].append(str(first["name"]))
        out["lat"].append(float(first["lat"]))
        out["lon"].append(float(first["lon"]))
        out["decisions"].append([[runs[int(k)].scenario.name, d]
                                 for k, d in zip(group["k"], group["decision"], strict=True)])
    return out


_DIFF_JS = """(function (map, control, d, label) {
  var group = L.featureGroup();
  function card(i) {
    var box = document.createElement("div"), title = document.createElement("b");
    title.textContent = d.id[i] + " " + d.name[i];
    box.appendChild(title);
    d.decisions[i].forEach(function (pair) {
      var line = document.createElement("div");
      line.textContent = pair[0] + ": " + pair[1];
      box.appendChild(line);
    });
    return box;
  }
  d.id.forEach(function (_, i) {
    var ring = L.circleMarker([d.lat[i], d.lon[i]], {radius: 13, color: "#d7191c", weight: 3,
                                                      fill: false});
    ring.bindTooltip(function () { return card(i); });
    ring.bindPopup(function () { return card(i); });
    group.addLayer(ring);
  });
  group.addTo(map);
  control.addOverlay(group, label);
})(%s, %s, %s, %s);"""


_HIDE_JS = """(function (map, control, prefixes) {
  // only the first scenario starts visible; agency toggles stay on (they are filters)
  (control._layers || []).forEach(function (o) {
    if (!o.overlay || o.name.indexOf(": Agency: ") >= 0) { return; }
    prefixes.forEach(function (p) {
      if (o.name.indexOf(p) === 0 && map.hasLayer(o.layer)) { map.removeLayer(o.layer); }
    });
  });
})(%s, %s, %s);"""


def comparison_map(runs: list[Run], cdn: bool = False) -> str:
    """One map: each scenario's layers (named by the scenario), the outline basemap, and
    a layer ringing the sites whose decision differs between scenarios."""
    from branca.element import Element, MacroElement

    from estate.maps.page import add_plan_layers, inert, new_map, script_json
    from estate.maps.payload import outline_rings, read_plan

    class Raw(Element):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

        def render(self, **kwargs: Any) -> str:
            return self.text

    class Script(MacroElement):
        def __init__(self, js: Callable[[str], str], body: str = "") -> None:
            super().__init__()
            self._name = "EstateCompare"
            self.js, self.body = js, body

        def render(self, **kwargs: Any) -> None:
            figure = self.get_root()
            if self.body:
                figure.html.add_child(Raw(self.body), name=self.get_name())
            figure.script.add_child(Raw(self.js(self._parent.get_name())), name=self.get_name())

    fmap = new_map(cdn=cdn)
    solved = [r for r in runs if r.summary]
    fmap.get_root().title = inert("Estate comparison: " + ", ".join(r.scenario.name for r in runs))
    if not solved:
        return fmap.get_root().render()
    diff = differing_sites(solved)
    names = "".join(f"<li>{inert(r.scenario.name)}</li>" for r in solved)
    panel = (f'<div id="estate-compare" class="estate-panel"><h2>Comparison</h2><ul>{names}</ul>'
             f'<div class="estate-muted">Shown: {inert(solved[0].scenario.name)}; switch '
             "scenarios in the layer list, where each scenario's layers carry its name. "
             f'Red rings: {len(diff["id"]):,} sites whose decision differs between '
             "scenarios.</div></div>")
    # the panel first, so that the first plan's fitBounds keeps the sites clear of it
    fmap.add_child(Script(lambda m: f'estateMap.addPanel({m}, "estate-compare", "topleft");',
                          panel))
    layers = [add_plan_layers(fmap, r.results_dir, name=r.scenario.name, fit=(i == 0))
              for i, r in enumerate(solved)]
    control = layers[0].control.get_name()
    plan = read_plan(solved[0].results_dir)
    label = ("Zone boundaries" if plan.zone_areas is not None
             else "Zone areas (nearest zone centre)")
    rings = outline_rings(plan)
    fmap.add_child(Script(lambda m: f"estateMap.addOutline({m}, {control}, "
                          f"{script_json(rings)}, {script_json(inert(label))}, true);"))
    diff_label = inert(f"Sites whose decision differs ({len(diff['id']):,})")
    hidden = [inert(r.scenario.name) + ": " for r in solved[1:]]
    fmap.add_child(Script(lambda m: _DIFF_JS % (m, control, script_json(diff),
                                                script_json(diff_label))
                          + "\n" + _HIDE_JS % (m, control, script_json(hidden))))
    return fmap.get_root().render()


def terminal_table(runs: list[Run]) -> Any:
    """A rich table, scenarios side by side; register text is never read as markup."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Scenario comparison", show_lines=False)
    table.add_column("")
    for run in runs:
        table.add_column(Text(run.scenario.name), justify="right")
    for label, key, show in FIGURES[:15]:
        table.add_row(Text(label), *(Text(show((r.summary or {"status": r.status}).get(key))
                                          if key in (r.summary or {"status": r.status}) else "")
                                     for r in runs))
    names = list(dict.fromkeys(p for r in runs if r.summary
                               for p, e in (r.summary.get("policy_costs") or {}).items()
                               if e.get("status") != "not_set"))
    for name in names:
        cells = []
        for r in runs:
            e = ((r.summary or {}).get("policy_costs") or {}).get(name) or {}
            cells.append(Text(_policy_cell(e) if e.get("status") == "priced"
                              else str(e.get("status", "")).replace("_", " ")))
        table.add_row(Text(f"Policy cost: {name}"), *cells)
    table.add_row(Text("Worse off"), *(Text(", ".join(
        str(i.get("name")) for i in ((r.summary or {}).get("agencies") or {}).values()
        if i.get("worse_off")) or "none") for r in runs))
    return table
