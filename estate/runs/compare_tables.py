"""comparison.csv and comparison.xlsx: the runs of a comparison as tables.

`rows` makes one row per scenario from its summary's flat figures and its register's
columns; `write_csv` writes them as every CSV of estate is written, and `write_xlsx`
three sheets (the figures by scenario, the agencies, the policy costs) for Excel.
`table_files` hands both to `store.file_set.write_files` with the comparison's pages,
so that all are written or none.
"""

from __future__ import annotations

import datetime
import io
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from estate.results import AgencyFigures
from estate.results.policy_cost import PolicyCost
from estate.runs.compare import Compensation, Run, agency_gains, compensate, stored_agency_npv
from estate.store import needs_quote
from estate.store.csv_cells import csv_cell, write_safe_rows
from estate.store.file_set import Write
from estate.store.register_used import COLUMNS as REGISTER_COLUMNS

TABLES = ("comparison.csv", "comparison.xlsx")


def rows(runs: list[Run]) -> list[dict[str, Any]]:
    """One row per scenario, `scenario` first; a scenario with no plan has its status."""
    out = []
    for run in runs:
        row: dict[str, Any] = {"scenario": run.scenario.name}
        row.update(run.summary.flat() if run.summary else {"status": run.status})
        row["scenario"] = run.scenario.name
        # a scenario with no plan names no folder: one there holds an earlier plan
        row.update(results_dir=str(run.results_dir) if run.summary else "",
                   reused=run.reused, message=run.message)
        row.update(run.register.columns() if run.register else dict.fromkeys(REGISTER_COLUMNS, ""))
        out.append(row)
    return out


RUN_COLUMNS = ("results_dir", "reused", "message", *REGISTER_COLUMNS)


def _columns(table: list[dict[str, Any]]) -> list[str]:
    """Every key of any row, in the order first met, and the run's own columns last,
    also after a key only a later scenario has (a coverage rule the first lacks)."""
    keys = dict.fromkeys(k for row in table for k in row if k not in RUN_COLUMNS)
    return [*keys, *RUN_COLUMNS]


def write_csv(table: list[dict[str, Any]], path: Path) -> None:
    """comparison.csv: one row per scenario, written as every CSV of estate is."""
    columns = _columns(table)
    write_safe_rows([csv_cell(c) for c in columns],
                    ([csv_cell(_figure(row.get(c))) for c in columns] for row in table), path)


def _figure(value: Any) -> Any:
    """A compared figure with no value (an infinite payback, say) as a blank cell."""
    return None if isinstance(value, float) and not math.isfinite(value) else value


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


def is_date_figure(figure: str) -> bool:
    """The flat figures that are calendar dates (ISO text in comparison.csv and
    summary.json): the programme's start and each budget year's first day."""
    return figure == "programme.start" or (figure.startswith("programme.")
                                           and figure.endswith(".date"))


def _cell_of(figure: str, value: Any) -> Any:
    """A figure as a workbook cell: a date figure as a date, so that Excel sorts and
    filters it as one (shown yyyy-mm-dd); every other value as it is."""
    if isinstance(value, str) and is_date_figure(figure):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:  # not a day: kept as the text it is
            return value
    return value


POUNDS = '"£"#,##0;-"£"#,##0'
"""Excel's format of a money cell: whole pounds with thousands separators (the cell
keeps its pence, as the CSV gives them)."""
PERCENT = "0.00##%"
"""Excel's format of a rate or a gap: 0.42%, and a gap of 1e-6 as 0.0001%, not 0.00%."""
_RATES = frozenset({"mip_gap", "optimum_mip_gap", "discount_rate", "gap"})
_MONEY = re.compile(r"(npv|cost|saving|receipts|receipts_after_horizon|one_off|one_off_limit|"
                    r"annual_cost_before|annual_cost_after|npv_saving_dated|npv_difference|"
                    r"compensation_transfer_annual)$")


def number_format(figure: str) -> str | None:
    """How Excel shows the figure named `figure` (a summary.json key, flattened, such as
    `areas.babergh.mip_gap`, or an agencies column), by its last part: money in pounds,
    a rate or gap as a percentage; None for counts, years and seconds, shown as they are."""
    last = figure.rsplit(".", 1)[-1]
    if last in _RATES:
        return PERCENT
    return POUNDS if _MONEY.search(last) else None


def _sheet(wb: Any, title: str, header: list[Any], body: list[list[Any]],
           formats: Callable[[int, int], str | None] = lambda row, column: None) -> None:
    """A sheet of `header` and `body`; `formats(row, column)` (0-based within the body)
    gives a number cell its format."""
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
                # and stays text when a user edits the cell (Excel's F2, Enter), a leading
                # quote of its own too, which Excel would take for the mark and drop
                cell.quotePrefix = needs_quote(value) or value.startswith("'")
            elif isinstance(value, int | float) and not isinstance(value, bool) and r > 1:
                shown = formats(r - 2, c - 1)
                if shown is not None:
                    cell.number_format = shown
    ws.freeze_panes = "B2"
    _fit_columns(ws)


DATE_WIDTH = 12
"""Characters a yyyy-mm-dd date cell needs: narrower, Excel shows it as ########."""


def _fit_columns(ws: Any) -> None:
    """Each column as wide as its longest entry (a date's `DATE_WIDTH`), from 10 to 50
    characters: at Excel's default 8.43 a date cell is shown as ######## and long figure
    names are cut by the next cell."""
    from openpyxl.utils import get_column_letter

    for c, column in enumerate(ws.iter_cols(), start=1):
        widest = max((DATE_WIDTH if isinstance(cell.value, datetime.date) else
                      len(str(cell.value)) for cell in column if cell.value is not None),
                     default=0)
        ws.column_dimensions[get_column_letter(c)].width = min(max(widest + 2, 10), 50)


def write_xlsx(runs: list[Run], table: list[dict[str, Any]], path: Path,
               notes: list[str]) -> None:
    """Sheets: notes (what the figures must be read with, first, where the workbook
    opens, when there are any), summary (figures x scenarios), agencies (one row per
    scenario and agency), policy costs (policies x scenarios, then the sentences)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    wb = Workbook()
    wb.remove(wb.active)
    if notes:
        _sheet(wb, "notes", ["note"], [[note] for note in notes])
        wb["notes"].column_dimensions["A"].width = 120
        wb["notes"].freeze_panes = "A2"  # the header alone: a frozen wide column is cut off
        for (cell,) in wb["notes"].iter_rows(min_row=2):  # a note is a paragraph
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    names = [r["scenario"] for r in table]
    figures = [c for c in _columns(table) if not c.startswith(("agency.", "policy_cost."))
               and c != "scenario"]
    _sheet(wb, "summary", ["figure", *names],
           [[f, *(_cell_of(f, r.get(f)) for r in table)] for f in figures],
           lambda row, column: number_format(figures[row]))
    body = []
    for run in runs:
        for agency_id, info, gain, npv, comp in _agency_rows(run):
            pounds = [info.annual_cost_before, info.annual_cost_after, gain,
                      info.one_off_cost, npv, (run.dated_agency_npv or {}).get(agency_id)]
            body.append([run.scenario.name, agency_id, info.name,
                         *(_penny(value) for value in pounds), info.worse_off,
                         _penny(comp.transfers.get(agency_id, 0.0)) if comp.possible
                         else None])
    columns = ["scenario", "agency_id", "name", "annual_cost_before", "annual_cost_after",
               "annual_saving", "one_off_cost", "npv_saving", "npv_saving_dated", "worse_off",
               "compensation_transfer_annual"]
    _sheet(wb, "agencies", columns, body, lambda row, column: number_format(columns[column]))
    wb["agencies"].auto_filter.ref = wb["agencies"].dimensions  # a planner filters by agency
    costs = [dict(run.summary.policy_costs or {}) if run.summary else {} for run in runs]
    policies = list(dict.fromkeys(p for cost in costs for p in cost))

    def each(p: str, figure: Callable[[PolicyCost], Any]) -> list[Any]:
        return [figure(cost[p]) if p in cost else None for cost in costs]

    unproven = [p for p in policies if any(p in cost and not cost[p].proven for cost in costs)]
    # the difference of the two plans found, which is not the cost where a solve stopped
    # short of proof: named so, above the range the cost lies in
    body = [[f"{p} (between the plans found)" if p in unproven else p,
             *each(p, lambda c: c.npv)] for p in policies]
    for p in unproven:  # a range where a solve stopped short of proof, the cost twice where not
        body += [[f"{p} (at least)", *each(p, lambda c: c.cost_range[0])],
                 [f"{p} (at most)", *each(p, lambda c: c.cost_range[1])]]
    body += [[f"{p} (in words)", *each(p, lambda c: c.sentence)] for p in policies]
    _sheet(wb, "policy costs", ["policy", *names], body, lambda row, column: POUNDS)
    # built in memory and written in one go: openpyxl leaves its zip open on a failed
    # write to a file (a full disk), and Python then prints a traceback as it exits
    built = io.BytesIO()
    wb.save(built)
    Path(path).write_bytes(built.getvalue())


def _penny(value: float | None) -> float | None:
    """Pounds to the penny, as every file estate writes gives them (a difference of two
    figures carries float noise: 461304.3500000001)."""
    return None if value is None else round(float(value), 2)


def _agency_rows(run: Run) -> list[tuple[str, AgencyFigures, float, float, Compensation]]:
    if not run.summary:
        return []
    comp = compensate(agency_gains(run.summary, "annual"), "annual")
    npv = run.agency_npv or stored_agency_npv(run.summary, None)
    annual = agency_gains(run.summary, "annual")
    return [(a, info, annual[a], npv[a], comp)
            for a, info in run.summary.agencies.items()]


def table_files(runs: list[Run], out: Path, notes: list[str]) -> dict[Path, Write]:
    """`comparison.csv` and `comparison.xlsx` of the runs in `out`, the workbook with the
    `notes` the figures come with, each with what writes it, for `write_files` to write
    with the pages, all of them or none."""
    table = rows(runs)
    return {out / "comparison.csv": lambda p: write_csv(table, p),
            out / "comparison.xlsx": lambda p: write_xlsx(runs, table, p, notes)}

