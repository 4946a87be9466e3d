"""Compare scenarios side by side: the runs, their figures, who gains, and the tables.

`plan_runs(paths)` plans every scenario (with its policy costs, unless asked not to),
reusing the stored `results/<name>/` when it was solved from the same scenario and the
same register files; `write_tables(runs, out)` writes `comparison.csv` and
`comparison.xlsx`. The page and the map of a comparison are drawn later, by
`estate.render.compare_page` and `estate.maps.compare_map`; `estate.api.compare` writes
all four files.

Who gains, and the compensation what-if. An agency's gain is its annual cost before
minus after (the basis of `worse_off`), or, on the NPV basis, its NPV saving as its
results folder holds it (`stored_agency_npv`: A times that minus its one-off costs, and
with a start date its leases' cost too). When the gains add up to at least 0, every
loser is paid its loss back and the gainers pay for it in proportion to their gains:

    transfer_g = loss_g                             for a loser (gain_g < 0), received
    transfer_g = -gain_g * sum(losses) / sum(gains) for a gainer, paid

so the transfers sum to 0, no agency ends worse off, and each gainer keeps the same
share, 1 - sum(losses)/sum(gains), of its gain. When the losses exceed the gains (the
scenario costs more than it saves in total) no transfer can leave everyone whole, and
the page says so.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from estate.errors import EstateError, InputError, Problem
from estate.load.consistency import check_against_register
from estate.load.file_names import file_stem
from estate.load.scenario import Scenario, load_scenario
from estate.load.validate import Register, load_register
from estate.pipeline import Progress, at_register, named_register, quiet, register_errors
from estate.results import AgencyFigures, Summary, money
from estate.results.summary_values import cost_range
from estate.runs.clashes import folder_problems
from estate.runs.executor import run_all
from estate.runs.optimum import stored_optimum
from estate.runs.planning import plan_scenario
from estate.runs.policy import policy_costs
from estate.status import Status, status_of
from estate.store import (
    StoredResults,
    check_results,
    inputs_sha256,
    is_fresh,
    needs_quote,
    read_summary,
    safe_cell,
    scenario_as_solved,
    write_summary,
)
from estate.store.check import write_safe_rows
from estate.store.file_set import Write, write_files
from estate.store.keep import is_kept_file
from estate.store.register_used import COLUMNS as REGISTER_COLUMNS
from estate.store.register_used import RegisterUsed, fingerprint

TABLES = ("comparison.csv", "comparison.xlsx")
LOSS_TOL = 0.005
"""Pounds: a gain or loss this small is none (the threshold of `worse_off`)."""



@dataclass
class Run:
    """One scenario of a comparison: its stored results folder and summary, or why none."""

    path: Path
    scenario: Scenario
    results_dir: Path
    status: Status | None = None
    summary: Summary | None = None
    reused: bool = False
    message: str = ""
    state: str = ""  # what its stored folder allows: REUSE, ADD_POLICY_COSTS or SOLVE
    # each agency's NPV saving as its results folder holds it (`stored_agency_npv`), and,
    # for a dated scenario, its programme's (None when the scenario is not dated)
    agency_npv: dict[str, float] = field(default_factory=dict)
    dated_agency_npv: dict[str, float] | None = None
    # its results folder as read and checked once (`check_results`), for the comparison's
    # page and map to draw from without reading the folder again
    stored: StoredResults | None = field(default=None, repr=False, compare=False)
    # the register it is planned on (comparison.csv's `register*` columns)
    register: RegisterUsed | None = None
    # its register's checksum lines (`inputs_sha256`), read once for every scenario on
    # that register: its fingerprint (`register`), what a stored folder must hold to be
    # reused, and what a new one records; None until read
    inputs: str | None = field(default=None, repr=False)
    # the files the user saved into its results folder while it was planned, kept in
    # the new folder: each one's warning (`estate.store.keep.KeptFile.warning`)
    kept_files: list[Problem] = field(default_factory=list)


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


def annuity(summary: Summary) -> float:
    """A = sum_{t=1..H} (1+r)^-t of the plan's horizon and rate."""
    r, h = summary.discount_rate, summary.horizon_years
    return float(h) if r == 0 else float((1 - (1 + r) ** -h) / r)


def agency_gains(summary: Summary, basis: str = "annual") -> dict[str, float]:
    """Per agency: annual cost before - after, or (npv) A times that minus one-off costs."""
    a = annuity(summary)
    out = {}
    for agency_id, info in summary.agencies.items():
        annual = info.annual_cost_before - info.annual_cost_after
        out[agency_id] = annual if basis == "annual" else a * annual - info.one_off_cost
    return out


def stored_agency_npv(summary: Summary, agencies: pd.DataFrame | None) -> dict[str, float]:
    """Each agency's NPV saving: agencies.csv's where it has one (with a start date it
    counts the agency's leases too), otherwise A times the annual saving minus the
    one-off, as `agency_gains` gives it."""
    stored: dict[str, float] = {}
    if agencies is not None and "npv_saving" in agencies.columns:
        stored = dict(zip(agencies["agency_id"].astype(str),
                          pd.to_numeric(agencies["npv_saving"], errors="coerce"), strict=True))
    computed = agency_gains(summary, "npv")
    return {a: float(stored[a]) if a in stored and math.isfinite(stored[a]) else v
            for a, v in computed.items()}


REUSE, ADD_POLICY_COSTS, SOLVE = "reuse", "add_policy_costs", "solve"


def stored_state(scenario: Scenario, folder: Path,
                 inputs: str) -> tuple[str, StoredResults | None]:
    """`reuse` when the folder holds a plan of this very scenario and register (its
    checksum lines `inputs`, as `inputs_sha256` gives them) with its policy costs;
    `add_policy_costs` when only those are missing (a folder written by `estate plan`
    without `--policy-costs`); otherwise `solve`; with the folder as read, when it was.
    A folder that would be reused is read and checked whole first: a damaged or
    hand-edited one is a located `InputError` (`check_results`), never a misread plan."""
    if not is_fresh(folder, scenario_as_solved(scenario), inputs):
        return SOLVE, None
    if not (Path(folder) / "summary.json").exists():
        return SOLVE, None
    stored = check_results(folder)
    if not stored.summary.status.has_plan:
        return SOLVE, None
    return (REUSE if stored.summary.policy_costs is not None else ADD_POLICY_COSTS), stored


def add_policy_costs(scenario: Scenario, register: Register, folder: Path,
                     progress: Progress | None = None) -> None:
    """Price the policies of a stored plan and add them to its `summary.json` alone, so
    the plan, its maps and any alternatives stay as they are: a plan proven to 1e-6 is
    the scenario's optimum they are priced from (`compare` plans one that is not
    again, so that its plan is that optimum)."""
    summary = read_summary(folder)
    write_summary(summary.replace(policy_costs=policy_costs(
        scenario, register, progress=progress, known=stored_optimum(summary))), folder)


def _load_all(paths: list[Path], results_root: Path) -> tuple[list[Run], dict[Path, Register]]:
    """Every scenario and register read and checked before anything is solved. When
    more than one register was read, each register's problems name it (`at_register`):
    two copies of one register with the same slip would otherwise read alike."""
    runs, registers = [], {}
    problems: list[tuple[Path | None, Problem]] = []  # with the register each is of
    failed: list[Path] = []  # scenario files with errors of their own
    read: set[Path] = set()  # every register read, with errors or not: said once
    # each register's checksum lines, read once, and their fingerprint
    inputs: dict[Path, str] = {}
    fingerprints: dict[Path, str] = {}
    for path in paths:
        try:
            sc = load_scenario(path)
        except InputError as exc:
            problems.extend((None, p) for p in exc.problems)
            failed.append(path)
            continue
        runs.append(Run(Path(path), sc, results_root / file_stem(sc.name)))
    for run, clashes in zip(runs, folder_problems(runs), strict=True):
        problems.extend((None, p) for p in clashes)
        data = Path(run.scenario.data).resolve()
        if data not in registers:
            if data in read:
                continue
            read.add(data)
            try:
                registers[data] = load_register(data)
            except InputError as exc:
                problems.extend((data, p) for p in exc.problems)
                continue
        files = set(registers[data].files.values())  # its errors at a register's file
        problems.extend((data if p.file in files else None, p) for p in
                        check_against_register(run.scenario, registers[data])
                        if p.severity == "error")
        if data not in inputs:
            inputs[data] = inputs_sha256(data)
            fingerprints[data] = fingerprint(inputs[data])
        run.inputs = inputs[data]
        run.register = RegisterUsed(str(run.scenario.raw.get("data", data)), str(data),
                                    fingerprints[data], str(run.path))
    # the registers of scenarios with errors, each read once unless read above (as
    # `load_scenario_with_register_errors` reads one scenario's)
    for data in dict.fromkeys(d.resolve() for p in failed if (d := named_register(p))):
        if data not in read:
            read.add(data)
            problems.extend((data, p) for p in register_errors(data))
    if problems:
        raise InputError([at_register(p, data) if data and len(read) > 1 else p
                          for data, p in problems])
    damaged: list[Problem] = []  # of the stored folders
    for run in runs:  # every stored folder to reuse checked before anything is solved
        try:
            data = Path(run.scenario.data).resolve()
            run.state, run.stored = stored_state(run.scenario, run.results_dir, inputs[data])
        except InputError as exc:
            damaged.extend(exc.problems)
    if damaged:
        raise InputError(damaged)
    return runs, registers


def _plan_run(task: tuple[Run, Register, Progress | None, bool]) -> bool:
    """Plan one compared scenario with its policy costs, or reuse its results folder
    (adding the policy costs when they are missing); True when reused. Without
    `priced`, a stored plan is reused with or without its policy costs, and a new plan
    is made without them. With no `progress` nothing is told, and the solve is not asked
    where it stands."""
    run, register, progress, priced = task
    say = progress or quiet
    sc = run.scenario
    if run.inputs is None:
        run.inputs = inputs_sha256(Path(sc.data))
    if not run.state:
        run.state, run.stored = stored_state(sc, run.results_dir, run.inputs)
    state = run.state
    if state == ADD_POLICY_COSTS and priced and not stored_optimum(read_summary(
            run.results_dir)).proven:
        # its policies would be priced from an optimum the 1e-6 search may find cheaper
        # than the plan stored: planned again, the plan is that optimum (`searched_plan`)
        say(f"{sc.name}: its stored plan is not proven to a gap of 1e-6, so it is planned "
            "again with its policy costs")
        state = SOLVE
    if state == ADD_POLICY_COSTS and not priced:
        say(f"{sc.name}: reusing {run.results_dir} (its policy costs not asked for)")
    elif state == REUSE:
        say(f"{sc.name}: reusing {run.results_dir} (same scenario and register)")
    elif state == ADD_POLICY_COSTS:
        say(f"{sc.name}: reusing {run.results_dir}, adding its policy costs")
        add_policy_costs(sc, register, run.results_dir, say)
    else:
        say(f"{sc.name}: planning" + (", with policy costs" if priced else ""))
        planned = plan_scenario(sc, out=run.results_dir, policy_costs=priced,
                                register=register, inputs=run.inputs, progress=progress)
        run.kept_files = [w for w in planned.plan.warnings if is_kept_file(w)]
    if state == SOLVE or (state == ADD_POLICY_COSTS and priced):
        run.stored = None  # the folder was written or changed here: read it afresh
    return state != SOLVE


def plan_runs(paths: list[str | Path], results_root: Path = Path("results"),
              progress: Progress | None = None, policy_costs: bool = True) -> list[Run]:
    """Plan each scenario with its policy costs, or reuse its stored results folder;
    without `policy_costs`, a quick comparison: no policy is priced, and a stored plan is
    reused whether or not it has them.

    One by one, in order, on the serial executor: the scenarios share the registers
    read once here (each with its checksums: see `Run.inputs`), and progress reads
    scenario by scenario. A scenario that cannot be planned (infeasible, no plan in the
    time limit) is a row with its status; bad input stops the comparison."""
    say = progress or quiet
    runs, registers = _load_all([Path(p) for p in paths], Path(results_root))
    tasks = [(run, registers[Path(run.scenario.data).resolve()], progress, policy_costs)
             for run in runs]
    for i, outcome in run_all(_plan_run, tasks, "serial"):
        run = runs[i]
        if isinstance(outcome, BaseException):
            if isinstance(outcome, InputError) or not isinstance(outcome, EstateError):
                raise outcome
            run.status = status_of(outcome)
            run.message = str(outcome)
            run.stored = None  # what was read before it failed no longer stands
            say(f"{run.scenario.name}: {run.status}")
            continue
        run.reused = outcome
        stored = run.stored = run.stored or check_results(run.results_dir)
        run.summary, run.status = stored.summary, stored.summary.status
        run.agency_npv = stored_agency_npv(stored.summary, stored.tables.get("agencies"))
        run.dated_agency_npv = (stored.programme.agency_npv() if stored.programme is not None
                                else None)
    return runs


def rows(runs: list[Run]) -> list[dict[str, Any]]:
    """One row per scenario, `scenario` first; a scenario with no plan has its status."""
    out = []
    for run in runs:
        row: dict[str, Any] = {"scenario": run.scenario.name}
        row.update(run.summary.flat() if run.summary else {"status": run.status})
        row["scenario"] = run.scenario.name
        row.update(results_dir=str(run.results_dir), reused=run.reused, message=run.message)
        row.update(run.register.columns() if run.register else dict.fromkeys(REGISTER_COLUMNS, ""))
        out.append(row)
    return out


RUN_COLUMNS = ("results_dir", "reused", "message", *REGISTER_COLUMNS)


def _columns(table: list[dict[str, Any]]) -> list[str]:
    """Every key of any row, in the order first met, and the run's own columns last,
    also after a key only a later scenario has (a coverage rule the first lacks)."""
    keys = dict.fromkeys(k for row in table for k in row if k not in RUN_COLUMNS)
    return [*keys, *RUN_COLUMNS]


def _cell_text(value: Any) -> Any:
    """CSV cells: no formulas a spreadsheet would run (`store.safe_cell`), and an empty
    cell for a figure that has no value."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    return safe_cell(value)


def write_csv(table: list[dict[str, Any]], path: Path) -> None:
    """comparison.csv: one row per scenario, written as every CSV of estate is."""
    columns = _columns(table)
    write_safe_rows([_cell_text(c) for c in columns],
                    ([_cell_text(row.get(c)) for c in columns] for row in table), path)


EXCEL_CELL_LIMIT = 32_767
"""Characters an Excel cell holds: a longer text is cut there in comparison.xlsx."""
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xlsx_text(text: str) -> str:
    """A text as a workbook can hold it: characters XML forbids (NUL and other control
    characters but tab, CR and LF) as U+FFFD, and at most `EXCEL_CELL_LIMIT` characters,
    the last a `…` when cut, so that Excel opens the file without repairing it."""
    text = _NOT_XML.sub("\ufffd", text)
    if len(text) > EXCEL_CELL_LIMIT:
        text = text[:EXCEL_CELL_LIMIT - 1] + "\u2026"
    return text


def _sheet(wb: Any, title: str, header: list[Any], body: list[list[Any]]) -> None:
    ws = wb.create_sheet(title)
    for r, values in enumerate([header, *body], start=1):
        for c, value in enumerate(values, start=1):
            if isinstance(value, float) and not math.isfinite(value):
                value = None
            if isinstance(value, str):
                value = xlsx_text(value)
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # register text is never a formula, whatever it starts with
                # and stays text when a user edits the cell (Excel's F2, Enter)
                cell.quotePrefix = needs_quote(value)
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
            body.append([run.scenario.name, agency_id, info.name,
                         info.annual_cost_before, info.annual_cost_after, gain,
                         info.one_off_cost, npv,
                         (run.dated_agency_npv or {}).get(agency_id), info.worse_off,
                         comp.transfers.get(agency_id, 0.0) if comp.possible else None])
    _sheet(wb, "agencies", ["scenario", "agency_id", "name", "annual_cost_before",
                            "annual_cost_after", "annual_saving", "one_off_cost", "npv_saving",
                            "npv_saving_dated", "worse_off", "compensation_transfer_annual"],
           body)
    costs = [dict(run.summary.policy_costs or {}) if run.summary else {} for run in runs]
    policies = list(dict.fromkeys(p for cost in costs for p in cost))
    body = [[p, *(cost.get(p, {}).get("npv") for cost in costs)] for p in policies]
    unproven = [p for p in policies if any("npv_low" in cost.get(p, {}) for cost in costs)]
    for p in unproven:  # a range where a solve stopped short of proof, the cost twice where not
        body += [[f"{p} (at least)", *(cost_range(cost.get(p, {}))[0] for cost in costs)],
                 [f"{p} (at most)", *(cost_range(cost.get(p, {}))[1] for cost in costs)]]
    body += [[f"{p} (in words)", *(cost.get(p, {}).get("sentence") for cost in costs)]
             for p in policies]
    _sheet(wb, "policy costs", ["policy", *names], body)
    wb.save(path)


def _agency_rows(run: Run) -> list[tuple[str, AgencyFigures, float, float, Compensation]]:
    if not run.summary:
        return []
    comp = compensate(agency_gains(run.summary, "annual"), "annual")
    npv = run.agency_npv or stored_agency_npv(run.summary, None)
    annual = agency_gains(run.summary, "annual")
    return [(a, info, annual[a], npv[a], comp)
            for a, info in run.summary.agencies.items()]


def table_files(runs: list[Run], out: Path) -> dict[Path, Write]:
    """`comparison.csv` and `comparison.xlsx` of the runs in `out`, each with what
    writes it, for `write_files` to write with the pages, all of them or none."""
    table = rows(runs)
    return {out / "comparison.csv": lambda p: write_csv(table, p),
            out / "comparison.xlsx": lambda p: write_xlsx(runs, table, p)}


def write_tables(runs: list[Run], out: Path) -> None:
    """`comparison.csv` and `comparison.xlsx` of the runs in `out`, the two as a set."""
    write_files(table_files(runs, out))
