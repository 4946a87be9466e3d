"""A file, sheet or layer named not quite as a table (estate.load.table_names): a
required one is an error listing what is there and the one to rename. Each in the three
formats, built as the reading tests build registers."""

from __future__ import annotations

from pathlib import Path

import pyogrio
import pytest

from estate.load.table_names import looks_like
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
    ("notes", None), ("sizes", None), ("Lookups", None), ("2024", None), ("costs", None),
])
def test_names_are_matched_loosely_to_the_table_they_look_like(
        name: str, table: str | None) -> None:
    assert looks_like(name) == table
