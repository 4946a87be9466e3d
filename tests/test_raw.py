"""A sheet's or CSV file's cells made a raw table (estate.load.raw): here, a units row
that gives pounds in thousands or millions, which deleting alone would read as pounds."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from estate.load.validate import load_register
from tests.fixtures import write_tables, write_xlsx
from tests.fixtures.reference import frames, problems_of


@pytest.mark.parametrize("workbook", [False, True])
def test_a_units_row_in_thousands_of_pounds_says_to_scale_the_figures(
        tmp_path: Path, workbook: bool) -> None:
    """Under the header, `£k` over the running costs and `(£m)` over the disposal values
    (typed 1200 for £1.2m, 2.5 for £2.5m): the one problem at the row says to delete it
    and to multiply each of those columns by its factor, not only to delete it, which
    would plan a £1.2m building at £1,200; a pounds column in pounds (`£/yr`) is not
    named. Doing what it says reads the pounds the register meant."""
    tables = frames()
    pounds = tables["sites"]["running_cost"].tolist()
    sales = [2_500_000.0, 0.0, 750_000.0]
    sites = tables["sites"].assign(running_cost=[c / 1_000 for c in pounds],
                                   disposal_value=[v / 1_000_000 for v in sales])
    units = {"lat": "deg", "lon": "deg", "running_cost": "£k", "disposal_value": "(£m)"}
    tables["sites"] = pd.concat([pd.DataFrame([units]), sites], ignore_index=True)
    tables["functions"] = pd.concat(
        [pd.DataFrame([{"fte": "people", "annual_cost": "£/yr"}]), tables["functions"]],
        ignore_index=True)
    write = (lambda tables, name: write_xlsx(tmp_path / f"{name}.xlsx", tables)) if workbook \
        else (lambda tables, name: write_tables(tmp_path / name, tables))
    problems = problems_of(write(tables, "reg"))
    said = {p.file.split("[")[-1].removesuffix("]").removesuffix(".csv"): p.expected
            for p in problems}
    assert [(p.row, p.column) for p in problems] == [(2, None), (2, None)]
    assert said["sites"] == (
        "a record (a units row is not one: delete it, or move it to another sheet; and "
        "multiply the running_cost figures by 1,000, which the row gives in thousands of "
        "pounds, as estate reads pounds; multiply the disposal_value figures by "
        "1,000,000, which the row gives in millions of pounds, as estate reads pounds)")
    assert said["functions"] == (
        "a record (a units row is not one: delete it, or move it to another sheet)")

    tables["sites"] = sites.assign(running_cost=sites["running_cost"] * 1_000,
                                   disposal_value=sites["disposal_value"] * 1_000_000)
    tables["functions"] = tables["functions"].iloc[1:]
    register = load_register(write(tables, "fixed"))
    assert register.sites["running_cost"].tolist() == pytest.approx(pounds)
    assert register.sites["disposal_value"].tolist() == pytest.approx(sales)


@pytest.mark.parametrize(("table", "column"), [("sites", "name"), ("agencies", "name"),
                                               ("sites", "site_id")])
def test_a_cell_of_characters_that_show_as_nothing_is_empty(tmp_path: Path, table: str,
                                                            column: str) -> None:
    """A name of zero-width spaces printed as a blank on every page, where a name of
    spaces is refused as the empty cell it looks like: it is that empty cell too."""
    tables = frames()
    tables[table][column] = ["\u200b\u200b", *tables[table][column].tolist()[1:]]
    problems = [p for p in problems_of(write_tables(tmp_path / "reg", tables))
                if p.severity == "error" and p.file == f"{table}.csv"]
    assert [(p.row, p.column, p.found) for p in problems] == [(2, column, "an empty cell")]
