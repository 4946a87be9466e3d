"""A dated programme's tables against its figures in summary.json, as `estate plan` wrote them.

summary.json's `programme` states figures that programme.csv and cashflow.csv give too,
and the programme page, the Gantt chart and the board pack quote some and draw others:
the number of changes (programme.csv's rows), each year's budget use (its rows' one-off
spend, staff moved and closures in that year), the NPV saving (the estate's discounted
savings, summed) and the payback years (the first year their running total is above
nought, and the first from which it stays so to the horizon's end). cashflow.csv adds up as `estate.programme.cashflow` writes it: each row's cost
and saving, each agency's running totals, the estate's row of a year the sum of its
agencies' rows, the status quo's cost every year the plan's annual_cost_before (each
agency's its row of agencies.csv), and the estate's net one-off spend of a year that of
programme.csv. `programme_disagreements` lists each difference as a `Problem`, as
`estate.store.agree` does.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from estate.errors import Problem
from estate.results import Programme, Summary
from estate.results.amounts import count
from estate.results.programme import lasting_payback_year, new_teams, payback_year, staff_moved
from estate.store.agree import EDITED, figure, misstated, money_close, record_rows

FTE_TOLERANCE = 0.0005
"""Half the 0.001 FTE the budget's staff moved is rounded to, per row summed."""
COMPONENTS = ("running", "rent", "one_off", "receipts", "status_quo")


def _budget_figures(path: Path, programme: Programme, horizon: int, new: set[str]
                    ) -> list[Problem]:
    """The budget's rows (summary.json) against programme.csv's rows of each year (staff
    moved leaving out the placing of a team of `new`, with no site today); every row of
    programme.csv in a year of the horizon."""
    actions, rows = programme.actions, record_rows(programme.actions)
    problems = [Problem(str(path), row, "year", f"a year of the horizon (1 to {horizon})",
                        str(year))
                for row, year in zip(rows, actions["year"], strict=True)
                if not 1 <= year <= horizon]
    fte = staff_moved(actions, new)
    years = sorted(int(year) for year in programme.budget["year"])
    if years != list(range(1, horizon + 1)):
        problems.append(Problem(str(path.parent / "summary.json"), None, "programme.budget",
                                f"one year each of the horizon's {horizon}",
                                f"years {', '.join(map(str, years)) or 'none'}",
                                label="key"))
    for budget in programme.budget.itertuples(index=False):
        year = int(budget.year)
        mine = (actions["year"] == year).to_numpy()
        key = f"programme.budget (year {year})"
        spent = float(actions["one_off"][mine].sum())
        if not money_close(spent, float(budget.one_off), int(mine.sum())):
            problems.append(misstated(path, "one_off", f"the rows of year {year} add up to "
                                      f"{figure(spent)}", figure(spent), key + " one_off",
                                      figure(budget.one_off)))
        moved = float(fte[mine].sum())
        if abs(moved - float(budget.fte_moved)) > FTE_TOLERANCE * (mine.sum() + 1):
            problems.append(misstated(path, "fte", f"the rows of year {year} move "
                                      f"{figure(moved)} FTE", figure(moved),
                                      key + " fte_moved", figure(budget.fte_moved)))
        closed = int((actions["action"][mine] == "close").sum())
        if closed != budget.closures:
            problems.append(misstated(path, "action", f"{count(closed, 'row')} of year {year} "
                                      f"say{'s' if closed == 1 else ''} close", str(closed),
                                      key + " closures",
                                      figure(budget.closures)))
    return problems


def _row_sums(path: Path, flows: pd.DataFrame) -> list[Problem]:
    """Each row's cost and saving from its parts, and its running totals the year
    before's (as written, so that one edited figure is one problem, not one a year
    after it) plus its own (an agency's rows, and the estate's, agency "")."""
    problems = []
    rows = np.array(record_rows(flows))
    cost = flows["running"] + flows["rent"] + flows["one_off"] - flows["receipts"]
    checks = [("cost", cost, "running + rent + one_off - receipts", 4),
              ("saving", flows["status_quo"] - flows["cost"], "status_quo - cost", 2)]
    order = flows.sort_values(["agency_id", "year"], kind="stable").index
    group = flows.loc[order].groupby("agency_id", sort=False)
    for column, summed in (("cumulative", "saving"),
                           ("cumulative_discounted", "discounted")):
        total = (group[column].shift(fill_value=0.0) + flows.loc[order, summed]
                 ).reindex(flows.index)
        checks.append((column, total, f"the year before's {column} + {summed}", 3))
    for column, expected, said, terms in checks:
        for i in np.flatnonzero([not money_close(a, b, terms) for a, b in
                                 zip(flows[column], expected, strict=True)]):
            problems.append(Problem(str(path), int(rows[i]), column, f"{said} "
                                    f"({figure(expected.iloc[i])})",
                                    figure(flows[column].iloc[i])))
    return problems


def _estate_rows(path: Path, summary: Summary, flows: pd.DataFrame,
                 agencies: pd.DataFrame) -> list[Problem]:
    """One estate row (agency "") a year of the horizon, each the sum of its agencies'
    rows; the status quo's cost every year the plan's (and each agency's) before."""
    horizon, rows = summary.horizon_years, np.array(record_rows(flows))
    estate = flows["agency_id"] == ""
    years = flows.loc[estate, "year"].tolist()
    problems = []
    if sorted(years) != list(range(1, horizon + 1)):
        problems.append(Problem(str(path), None, "year", f"one row of the estate (a blank "
                                f"agency_id) for each year 1 to {horizon}",
                                f"rows for years {', '.join(map(str, sorted(years)))[:120]}"))
    parts = flows[~estate].groupby("year")[list(COMPONENTS)].sum()
    records = flows[~estate].groupby("year").size()
    for i in np.flatnonzero(estate.to_numpy()):
        year = int(flows["year"].iloc[i])
        for column in COMPONENTS:
            total = float(parts[column].get(year, 0.0))
            if not money_close(float(flows[column].iloc[i]), total,
                               int(records.get(year, 0))):
                problems.append(Problem(str(path), int(rows[i]), column, "the sum of the "
                                        f"agencies' rows of year {year} ({figure(total)})",
                                        figure(flows[column].iloc[i])))
        before = float(flows["status_quo"].iloc[i])
        if not money_close(before, summary.annual_cost_before, len(agencies)):
            problems.append(misstated(path, "status_quo", f"the estate's is {figure(before)} "
                                      f"in year {year}", figure(before), "annual_cost_before",
                                      figure(summary.annual_cost_before), int(rows[i])))
    stated = dict(zip(agencies["agency_id"], agencies["annual_cost_before"], strict=True))
    for i in np.flatnonzero(~estate.to_numpy()):
        agency, before = flows["agency_id"].iloc[i], float(flows["status_quo"].iloc[i])
        if agency not in stated:
            problems.append(Problem(str(path), int(rows[i]), "agency_id", "an agency of "
                                    "agencies.csv (or blank: the estate)", f"{agency!r:.80}"))
        elif not money_close(before, float(stated[agency]), 1):
            problems.append(Problem(str(path), int(rows[i]), "status_quo", f"{agency}'s "
                                    f"annual_cost_before in agencies.csv "
                                    f"({figure(stated[agency])})", figure(before)))
    return problems


def _net_one_off(folder: Path, flows: pd.DataFrame, actions: pd.DataFrame) -> list[Problem]:
    """The estate's one-off spend less receipts, year by year, against programme.csv's
    one_off (receipts negative there) of the same year."""
    rows, problems = np.array(record_rows(flows)), []
    by_year = actions.groupby("year")["one_off"].sum()
    for i in np.flatnonzero((flows["agency_id"] == "").to_numpy()):
        year = int(flows["year"].iloc[i])
        net = float(flows["one_off"].iloc[i] - flows["receipts"].iloc[i])
        listed = float(by_year.get(year, 0.0))
        if not money_close(net, listed, int((actions["year"] == year).sum()) + 1):
            problems.append(Problem(str(folder / "cashflow.csv"), int(rows[i]), "one_off",
                                    f"one_off - receipts = programme.csv's one_off of year "
                                    f"{year} ({figure(listed)})", figure(net)))
    return problems


def programme_disagreements(folder: Path, summary: Summary, programme: Programme,
                            agencies: pd.DataFrame, assignments: pd.DataFrame | None = None
                            ) -> list[Problem]:
    """Every figure of summary.json's programme that programme.csv and cashflow.csv (as
    `read_programme` typed them) give otherwise, and every sum of cashflow.csv that does
    not add up (module docstring); none for a folder as `estate plan` wrote it."""
    folder = Path(folder)
    actions_path, flows_path = folder / "programme.csv", folder / "cashflow.csv"
    actions, flows = programme.actions, programme.cashflow
    problems = []
    changes = None if summary.programme is None else summary.programme.changes
    if changes is not None and changes != len(actions):
        problems.append(misstated(actions_path, "action", f"the file has {len(actions)} "
                                  "changes (rows)", str(len(actions)), "programme.changes",
                                  str(changes)))
    new = set() if assignments is None else new_teams(assignments)
    problems += _budget_figures(actions_path, programme, summary.horizon_years, new)
    problems += _row_sums(flows_path, flows)
    problems += _estate_rows(flows_path, summary, flows, agencies)
    problems += _net_one_off(folder, flows, actions)
    estate = flows[flows["agency_id"] == ""].sort_values("year", kind="stable")
    saving = float(estate["discounted"].sum())
    if not money_close(saving, programme.npv_saving, len(estate) + 1):
        problems.append(misstated(flows_path, "discounted", "the estate's discounted savings "
                                  f"add up to {figure(saving)}", figure(saving),
                                  "programme.npv_saving", figure(programme.npv_saving)))
    problems += _dated_agencies(folder / "agencies.csv", programme, agencies)
    for key, year, says in (
            ("payback_year", payback_year(estate), "is first above nought in"),
            ("lasting_payback_year", lasting_payback_year(estate), "stays above nought from")):
        if year != getattr(programme, key):
            found = "no year" if year is None else f"year {year}"
            problems.append(misstated(flows_path, "cumulative_discounted", "the estate's "
                                      f"cumulative discounted saving {says} {found}", found,
                                      f"programme.{key}",
                                      str(getattr(programme, key)).replace("None", "null")))
    return problems


def _dated_agencies(path: Path, programme: Programme, agencies: pd.DataFrame
                    ) -> list[Problem]:
    """agencies.csv's dated_npv_saving, when the folder has it (written since the
    column was), row by row against cashflow.csv's: each agency's last cumulative
    discounted saving (`Programme.agency_npv`). A column there with every cell blank was
    emptied by hand: estate writes a figure in each."""
    if "dated_npv_saving" not in agencies:
        return []
    dated = programme.agency_npv()
    problems = []
    for row, agency, given in zip(record_rows(agencies), agencies["agency_id"].astype(str),
                                  agencies["dated_npv_saving"], strict=True):
        stated = dated.get(agency, 0.0)
        if not money_close(float(given), stated, 1):  # a blank cell (NaN) is never close
            shown = "blank" if math.isnan(float(given)) else figure(float(given))
            source = f"cashflow.csv's last cumulative_discounted of {agency}"
            problems.append(Problem(
                str(path), row, "dated_npv_saving", f"{source} ({figure(stated)})", shown,
                sentence=f"{agency}'s is {shown}, but {source} says {figure(stated)}: "
                f"{EDITED}"))
    return problems
