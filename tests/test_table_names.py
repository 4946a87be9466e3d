"""A file, sheet or layer named not quite as a table (estate.load.table_names): a
required one is an error listing what is there and the one to rename; an optional one,
or any other name that could hold a table, is a warning that it was not read. Each in
the three formats, built as the reading tests build registers."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pyogrio
import pytest
from openpyxl.chart import BarChart, Reference

from estate.load.table_names import looks_like
from estate.load.validate import load_register
from tests.fixtures import write_gpkg, write_tables, write_xlsx
from tests.fixtures.reference import frames, problems_of

FORMATS = ("csv", "xlsx", "gpkg")
WHAT = {"csv": "file", "xlsx": "sheet", "gpkg": "layer"}


def _renamed(tmp_path: Path, form: str, table: str, name: str) -> tuple[Path, str]:
    """The reference register in `form` with `table` under `name`, and the label a
    problem about `name` carries."""
    tables = frames()
    if form == "csv":
        folder = write_tables(tmp_path / "reg", tables)
        (folder / f"{table}.csv").rename(folder / f"{name}.csv")
        return folder, f"{name}.csv"
    if form == "xlsx":
        renamed = {name if key == table else key: frame for key, frame in tables.items()}
        return write_xlsx(tmp_path / "reg.xlsx", renamed), f"reg.xlsx[{name}]"
    written = write_gpkg(tmp_path / "written.gpkg", tables)  # sites and zones as Points
    path = tmp_path / "reg.gpkg"
    for layer, _ in pyogrio.list_layers(written):  # copied as QGIS's Rename Layer leaves it
        pyogrio.write_dataframe(pyogrio.read_dataframe(written, layer=layer), path,
                                layer=name if layer == table else layer)
    return path, f"reg.gpkg[{name}]"


@pytest.mark.parametrize("form", FORMATS)
def test_an_optional_table_under_another_name_is_a_warning_not_silence(
        tmp_path: Path, form: str) -> None:
    path, label = _renamed(tmp_path, form, "pair_costs", "Pair costs")
    register = load_register(path)
    assert register.pair_costs.empty
    [warning] = register.warnings
    own = "pair_costs.csv" if form == "csv" else "pair_costs"
    assert (warning.file, warning.severity) == (label, "warning")
    assert warning.sentence.startswith(f"not read: rename it {own} if it holds the pair costs")
    assert f"{label}: not read: rename it {own}" in str(warning)


@pytest.mark.parametrize("form", FORMATS)
def test_a_required_table_under_another_name_is_named_in_the_error(
        tmp_path: Path, form: str) -> None:
    path, _ = _renamed(tmp_path, form, "functions", "Functions 2024")
    [problem] = problems_of(path)
    what = WHAT[form]
    own, there = (("functions.csv", "Functions 2024.csv") if form == "csv"
                  else ("functions", "Functions 2024"))
    assert problem.file == ("functions.csv" if form == "csv" else f"reg.{form}[functions]")
    assert problem.found.startswith(f"no such {what}; the ")
    assert there in problem.found and "agencies" in problem.found and "zones" in problem.found
    assert problem.found.endswith(f": rename {there!r} to {own}")


@pytest.mark.parametrize("form", FORMATS)
def test_a_copy_beside_the_table_read_and_a_stray_table_are_warnings(
        tmp_path: Path, form: str) -> None:
    tables = frames()
    extra = {"zones_old": tables["zones"], "Staff list": tables["agencies"]}
    if form == "csv":
        path = write_tables(tmp_path / "reg", tables)
        for name, frame in extra.items():
            frame.to_csv(path / f"{name}.csv", index=False)
        (path / "README.md").write_text("where these came from\n")
        (path / "notes.csv").write_text("note\nfrom the finance team\n")
    elif form == "xlsx":
        path = write_xlsx(tmp_path / "reg.xlsx", tables | extra)
        book = openpyxl.load_workbook(path)
        book.create_sheet("Sheet1")  # left empty
        chart = BarChart()  # a chart sheet holds no cells at all
        chart.add_data(Reference(book["zones"], min_col=5, min_row=1, max_row=3))
        book.create_chartsheet("Chart1").add_chart(chart)
        book.create_sheet("Notes")["A1"] = "from the finance team"
        book.save(path)
    else:
        path = write_gpkg(tmp_path / "reg.gpkg", tables)
        for name, frame in extra.items():
            pyogrio.write_dataframe(frame, path, layer=name)
        pyogrio.write_dataframe(pd.DataFrame({"style": ["x"]}), path, layer="layer_styles")
    found = {w.file: w.sentence for w in load_register(path).warnings}
    label = (lambda n: f"{n}.csv") if form == "csv" else (lambda n: f"reg.{form}[{n}]")
    zones = "zones.csv" if form == "csv" else "zones"
    assert set(found) == {label("zones_old"), label("Staff list")}
    assert found[label("zones_old")].startswith(
        f"not read: the zones are read from {zones!r}: delete it if it is an old copy")
    assert found[label("Staff list")].startswith(
        f"not read: estate reads only the {WHAT[form]}s agencies")


def test_a_folder_of_tables_all_dated_says_which_to_rename(tmp_path: Path) -> None:
    folder = write_tables(tmp_path / "reg", frames())
    for table in ("agencies", "sites", "functions", "zones"):
        (folder / f"{table}.csv").rename(folder / f"{table.title()}_2024-03-31.csv")
    problems = problems_of(folder)
    assert [p.file for p in problems] == ["agencies.csv", "sites.csv", "functions.csv",
                                          "zones.csv"]
    assert problems[1].found.endswith(": rename 'Sites_2024-03-31.csv' to sites.csv")


@pytest.mark.parametrize(("name", "table"), [
    ("Pair costs", "pair_costs"), ("pair-costs", "pair_costs"), ("PairCosts", "pair_costs"),
    ("Sites 2024", "sites"), ("sites_v2", "sites"), ("sites (2)", "sites"),
    ("2024 Sites", "sites"), ("Sites March 2024", "sites"), ("Buildings", "sites"),
    ("stes", "sites"), ("fuctions", "functions"), ("Agency", "agencies"),
    ("zones copy", "zones"), ("Vetting costs", "pair_costs"),
    ("Copy of sites", "sites"), ("copy of Pair costs", "pair_costs"),  # Google Sheets' copy
    ("notes", None), ("sizes", None), ("Lookups", None), ("2024", None), ("costs", None),
])
def test_names_are_matched_loosely_to_the_table_they_look_like(
        name: str, table: str | None) -> None:
    assert looks_like(name) == table
