"""Reading a register (estate.load.read): CSV folder, workbook and GeoPackage give the
same tables, with spreadsheet row numbers, and every unreadable input is a located
problem, never a crash."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import time
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import Transformer

from estate.errors import InputError
from estate.load.read import read_tables
from estate.load.validate import Register, load_register
from estate.load.workbook import SheetMarks, TotalsRow, cell_text, letters, sheet_marks
from tests.fixtures import run_cli, write_gpkg, write_tables, write_xlsx
from tests.fixtures.hostile import edit_workbook, with_empty_text_result, with_saved_value
from tests.fixtures.reference import SITES, ZONES, frames, located, problems_of


def _comparable(register: Register) -> dict[str, pd.DataFrame]:
    return {
        name: getattr(register, name).reset_index(drop=True)
        for name in ("agencies", "sites", "functions", "zones", "pair_costs")
    }


def test_csv_xlsx_and_gpkg_load_to_equal_tables(tmp_path: Path) -> None:
    tables = frames()
    from_csv = _comparable(load_register(write_tables(tmp_path / "reg", tables)))
    xlsx = load_register(write_xlsx(tmp_path / "reg.xlsx", tables))
    gpkg = load_register(write_gpkg(tmp_path / "reg.gpkg", tables, crs=27700))
    assert xlsx.files["sites"] == "reg.xlsx[sites]"
    assert gpkg.files["sites"] == "reg.gpkg[sites]"
    fids = _comparable(gpkg)
    for name, expected in from_csv.items():  # a layer's rows are its features' fids
        assert fids[name]["row"].tolist() == list(range(1, 1 + len(expected)))
        fids[name]["row"] = expected["row"]
    for other in (_comparable(xlsx), fids):
        for name, expected in from_csv.items():
            got = other[name][expected.columns]  # gpkg puts lat/lon last
            for column in ("lat", "lon"):
                if column in expected:
                    np.testing.assert_allclose(got[column], expected[column], atol=1e-7)
                    got = got.drop(columns=column)
                    expected = expected.drop(columns=column)
            pd.testing.assert_frame_equal(got, expected, check_dtype=True)


def test_a_gpkg_under_a_folder_named_with_an_exclamation_mark_reads_the_same(
        tmp_path: Path) -> None:
    # pyogrio alone would cut the path at the '!' and open '2027/reg.gpkg' (its issue #632)
    tables = frames()
    plain = load_register(write_gpkg(tmp_path / "reg.gpkg", tables))
    (tmp_path / "Estates!2027").mkdir()
    marked = load_register(shutil.copy(write_gpkg(tmp_path / "copy.gpkg", tables),
                                       tmp_path / "Estates!2027" / "reg.gpkg"))
    assert marked.files["sites"] == "reg.gpkg[sites]"
    for name, expected in _comparable(plain).items():
        pd.testing.assert_frame_equal(_comparable(marked)[name], expected)


def test_a_damaged_gpkg_under_an_exclamation_mark_is_named_by_its_own_path(
        tmp_path: Path) -> None:
    (tmp_path / "Estates!2027").mkdir()
    (tmp_path / "Estates!2027" / "reg.gpkg").write_text("not a GeoPackage")
    problems = problems_of(tmp_path / "Estates!2027" / "reg.gpkg")
    assert located(problems) == {("reg.gpkg", None, None)}
    assert "estate-gpkg-" not in problems[0].found  # not the temporary copy read


def test_excel_integer_ids_and_native_cells_become_plain_strings(tmp_path: Path) -> None:
    tables = frames()
    tables["zones"]["zone_id"] = [12.0, 13.0]  # a float column as Excel stores numbers
    register = load_register(write_xlsx(tmp_path / "reg.xlsx", tables))
    assert register.zones["zone_id"].tolist() == ["12", "13"]
    assert register.sites["candidate"].tolist() == [False, False, True]


def test_gpkg_polygon_zones_use_representative_point_and_keep_shapes(tmp_path: Path) -> None:
    tables = frames()
    path = write_gpkg(tmp_path / "reg.gpkg", {k: v for k, v in tables.items() if k != "zones"})
    squares = [
        shapely.box(600000, 240000, 610000, 250000),
        shapely.box(620000, 260000, 621000, 262000),
    ]
    zones = gpd.GeoDataFrame(
        {"zone_id": ["Z1", "Z2"], "name": ["A", "B"], "population": [10, 20]},
        geometry=squares,
        crs=27700,
    )
    zones.to_file(path, layer="zones", engine="pyogrio")
    register = load_register(path)
    inside = gpd.GeoSeries(
        gpd.points_from_xy(register.zones["lon"], register.zones["lat"]), crs=4326
    ).to_crs(27700)
    assert inside.within(gpd.GeoSeries(squares, crs=27700)).all()
    assert register.zone_shapes is not None
    assert register.zone_shapes.index.tolist() == ["Z1", "Z2"]
    assert register.zone_shapes.crs.to_epsg() == 4326
    # for distances, each zone's point as it is in the layer's own CRS
    assert register.zone_points is not None and register.zone_points.crs.to_epsg() == 27700
    assert register.zone_points.to_dict() == {
        "Z1": squares[0].representative_point(), "Z2": squares[1].representative_point()}


def test_gpkg_points_are_kept_as_the_layer_holds_them_beside_lat_lon(tmp_path: Path) -> None:
    """Distances in the layer's CRS are measured on its own coordinates (estate.prepare),
    so they are kept by id, in that CRS, untouched; a CSV register has none."""
    tables = frames()
    path = write_gpkg(tmp_path / "reg.gpkg", tables, crs=27700)
    register = load_register(path)
    for name, key, points in (("sites", "site_id", register.site_points),
                              ("zones", "zone_id", register.zone_points)):
        layer = gpd.read_file(path, layer=name)
        assert points is not None and points.crs == layer.crs
        assert points.index.tolist() == layer[key].astype(str).tolist()
        assert points.x.tolist() == layer.geometry.x.tolist()
        assert points.y.tolist() == layer.geometry.y.tolist()
    csv = load_register(write_tables(tmp_path / "reg", tables))
    assert csv.site_points is None and csv.zone_points is None


def test_gpkg_geometry_problems_are_located(tmp_path: Path) -> None:
    tables = frames()
    path = write_gpkg(tmp_path / "reg.gpkg", {k: v for k, v in tables.items() if k != "sites"})
    sites = tables["sites"].drop(columns=["lat", "lon"])
    geometry = [shapely.Point(600000, 250000), None, shapely.box(0, 0, 1, 1)]
    gpd.GeoDataFrame(sites, geometry=geometry, crs=27700).to_file(path, layer="sites")
    problems = problems_of(path)
    assert located(problems) == {  # the features' fids, 2 and 3
        ("reg.gpkg[sites]", 2, "geometry"),
        ("reg.gpkg[sites]", 3, "geometry"),
    }
    assert {p.found.split(":")[0] for p in problems} == {
        f"an empty geometry for site_id `{SITES['site_id'][1]}`",
        f"a Polygon for site_id `{SITES['site_id'][2]}`"}


def test_missing_table_names_the_file_and_optional_pair_costs_may_be_absent(
    tmp_path: Path,
) -> None:
    folder = write_tables(tmp_path / "reg", frames())
    (folder / "pair_costs.csv").unlink()
    assert load_register(folder).pair_costs.empty
    (folder / "zones.csv").unlink()
    problems = problems_of(folder)
    assert located(problems) == {("zones.csv", None, None)}
    assert "zones.csv" in problems[0].expected


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    folder = write_tables(tmp_path / "reg", frames())
    (folder / "agencies.csv").write_text("")
    (folder / "zones.csv").write_text("\ufeff\n\n")
    # eleven blank lines: the first ten hold nothing, so no header is found
    (folder / "functions.csv").write_text("\n" * 11 + "team,size\nF1,3\n")
    problems = problems_of(folder)
    assert [(p.file, p.row, p.found) for p in problems] == [
        ("agencies.csv", None, "an empty file"),
        ("functions.csv", 1, "an empty row 1"),
        ("zones.csv", None, "an empty file"),
    ]


def test_headers_are_normalised_and_extra_columns_kept(tmp_path: Path) -> None:
    folder = write_tables(tmp_path / "reg", frames())
    text = (folder / "agencies.csv").read_text()
    (folder / "agencies.csv").unlink()
    lines = text.splitlines()
    lines[0] = " Agency ID ,NAME,Kind , Budget Code"
    lines[1:] = [line + ",X1" for line in lines[1:]]
    (folder / "Agencies.csv").write_text("\ufeff" + "\n".join(lines) + "\n\n,,,\n")
    agencies = load_register(folder).agencies
    assert list(agencies.columns) == ["agency_id", "name", "kind", "budget_code", "row"]
    assert agencies["budget_code"].tolist() == ["X1", "X1"]


def test_blank_lines_keep_spreadsheet_row_numbers(tmp_path: Path) -> None:
    folder = write_tables(tmp_path / "reg", frames())
    (folder / "zones.csv").write_text(
        "zone_id,name,lat,lon,population\nZ1,A,52,1,10\n\nZ2,B,52,1,-1\n"
    )
    assert located(problems_of(folder)) == {("zones.csv", 4, "population")}


def test_unreadable_files_are_problems_not_crashes(tmp_path: Path) -> None:
    folder = write_tables(tmp_path / "reg", frames())
    (folder / "sites.csv").write_bytes("site_id,name\nS1,Caf\xe9\n".encode("latin-1"))
    (folder / "zones.csv").write_text("zone_id,lat\nZ1,52,1\n")
    problems = problems_of(folder)
    assert located(problems) == {("sites.csv", 2, "name"), ("zones.csv", 2, None)}
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "broken.gpkg").write_text("hello")
    assert located(problems_of(tmp_path / "broken.xlsx")) == {("broken.xlsx", None, None)}
    assert located(problems_of(tmp_path / "broken.gpkg")) == {("broken.gpkg", None, None)}


def test_nonexistent_path_says_what_a_register_is(tmp_path: Path) -> None:
    problems = problems_of(tmp_path / "nowhere")
    assert len(problems) == 1
    assert "a folder holding agencies.csv" in problems[0].expected
    assert ".xlsx" in problems[0].expected and ".gpkg" in problems[0].expected


def _socket(path: Path) -> None:
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(path))


@pytest.mark.parametrize(("name", "make", "kind"), [
    ("fifo.xlsx", os.mkfifo, "a FIFO (named pipe), not a regular file"),
    ("z.xlsx", lambda p: p.symlink_to("/dev/zero"),
     "a character device (a link to /dev/zero), not a regular file"),
    ("z.gpkg", lambda p: p.symlink_to("/dev/zero"),
     "a character device (a link to /dev/zero), not a regular file"),
    ("register", lambda p: p.symlink_to("/dev/null"),
     "a character device (a link to /dev/null), not a regular file"),
    ("s.xlsx", _socket, "a socket, not a regular file"),
])
def test_a_register_that_is_a_device_pipe_or_socket_says_so(
        tmp_path: Path, name: str, make: Callable[[Path], object], kind: str) -> None:
    """Such a path once read "found a .xlsx file z.xlsx", named as the device a link
    leads to (/dev/zero). It is never opened (a FIFO would wait for a writer, /dev/zero
    never end): said for what it is, named as given, exit 1."""
    make(tmp_path / name)
    with contextlib.chdir(tmp_path):
        problems = problems_of(Path(name))
    assert [(p.file, p.found) for p in problems] == [
        (name, f"{kind}: give the register's folder, workbook or GeoPackage")]
    run = run_cli(tmp_path, "validate", name, timeout=60)  # a file without a register's
    # suffix is checked as a scenario, and said to be no scenario file the same way
    assert run.code == 1 and f"- {name}: expected a" in run.stderr, run.output
    assert kind in run.stderr and "Traceback" not in run.output


def test_a_register_table_that_is_a_device_says_so(tmp_path: Path) -> None:
    folder = write_tables(tmp_path / "reg", frames())
    (folder / "sites.csv").unlink()
    (folder / "sites.csv").symlink_to("/dev/zero")
    problems = [p for p in problems_of(folder) if p.file == "sites.csv"]
    assert [p.found for p in problems] == [
        "a character device (a link to /dev/zero), not a regular file"]


def test_xlsx_missing_sheet_is_labelled_with_workbook(tmp_path: Path) -> None:
    tables = {k: v for k, v in frames().items() if k != "functions"}
    problems = problems_of(write_xlsx(tmp_path / "reg.xlsx", tables))
    assert located(problems) == {("reg.xlsx[functions]", None, None)}


def test_read_tables_gives_strings_with_spreadsheet_rows(tmp_path: Path) -> None:
    raw = read_tables(write_xlsx(tmp_path / "reg.xlsx", frames()))
    sites = raw.tables["sites"].frame
    assert sites.index.tolist() == [2, 3, 4]
    assert sites.loc[2, "desks"] == "400" and sites.loc[3, "running_cost"] == "450000.5"
    assert sites.loc[4, "candidate"] == "true"
    assert raw.problems == []


def test_folder_without_register_files_says_what_it_holds(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    write_xlsx(folder / "reg.xlsx", frames())
    problems = problems_of(folder)
    assert located(problems) == {(str(folder), None, None)}
    assert problems[0].found == "a folder holding reg.xlsx"


def test_duplicate_and_unnamed_headers(tmp_path: Path) -> None:
    folder = write_tables(tmp_path / "reg", frames())
    (folder / "zones.csv").write_text(
        "zone_id,name,lat,lon,population,Name,\nZ1,A,52,1,10,B,\nZ2,B,52,1,5,C,oops\n"
    )
    problems = problems_of(folder)
    assert located(problems) == {("zones.csv", 1, "name")}
    assert problems[0].found == "name in columns B and F"
    (folder / "zones.csv").write_text(
        "zone_id,name,lat,lon,population,\nZ1,A,52,1,10,\nZ2,B,52,1,5,oops\n"
    )
    assert located(load_register(folder).warnings) == {("zones.csv", 3, "F")}


def test_excel_dates_become_iso_dates(tmp_path: Path) -> None:
    tables = frames()
    tables["sites"]["lease_end"] = [pd.Timestamp("2031-03-31"), None, None]
    register = load_register(write_xlsx(tmp_path / "reg.xlsx", tables))
    assert register.sites["lease_end"].tolist() == ["2031-03-31", "", ""]


def test_gpkg_sites_without_geometry_may_use_lat_lon_columns(tmp_path: Path) -> None:
    tables = frames()
    path = write_gpkg(tmp_path / "reg.gpkg", {k: v for k, v in tables.items() if k != "sites"})
    pyogrio.write_dataframe(tables["sites"], path, layer="sites")
    register = load_register(path)
    assert register.sites["lat"].tolist() == SITES["lat"]


def test_gpkg_points_without_crs_are_taken_as_wgs84_with_a_warning(tmp_path: Path) -> None:
    tables = frames()
    path = write_gpkg(tmp_path / "reg.gpkg", {k: v for k, v in tables.items() if k != "zones"})
    zones = tables["zones"]
    layer = gpd.GeoDataFrame(
        zones.drop(columns=["lat", "lon"]), geometry=gpd.points_from_xy(zones["lon"], zones["lat"])
    )
    with pytest.warns(UserWarning, match="crs"):
        layer.to_file(path, layer="zones", engine="pyogrio")
    register = load_register(path)
    assert register.zones["lat"].tolist() == ZONES["lat"]
    assert located(register.warnings) == {("reg.gpkg[zones]", None, "geometry")}
    assert register.zone_points is not None and register.zone_points.crs.to_epsg() == 4326
    assert register.zone_points.y.tolist() == ZONES["lat"]


def test_workbook_formula_without_saved_value_is_an_error_at_its_cell(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "reg.xlsx", frames())
    edit_workbook(path, {("sites", "F3"): "=F2*2", ("zones", "C2"): "=52+0.1"})
    problems = problems_of(path)
    assert located(problems) == {("reg.xlsx[sites]", 3, "desks"), ("reg.xlsx[zones]", 2, "lat")}
    assert {p.found for p in problems} == {
        "a formula =F2*2 with no saved value in cell F3",
        "a formula =52+0.1 with no saved value in cell C2",
    }
    assert all("save it" in p.expected for p in problems)


def test_a_formula_whose_saved_result_is_empty_text_reads_as_a_blank_cell(
        tmp_path: Path) -> None:
    """`=IF(..., "", ...)` is how a register leaves a cell blank; Excel saves its result,
    an empty text, so the cell is blank (optional: its default; required: an empty
    cell), not a formula with no saved value that saving again in Excel cannot mend."""
    path = write_xlsx(tmp_path / "reg.xlsx", frames())
    edit_workbook(path, {("sites", "M2"): '=IF(1,"","x")', ("sites", "C3"): '=IF(1,"","y")'})
    with_empty_text_result(with_empty_text_result(path, 'IF(1,"","x")'), 'IF(1,"","y")')
    with pytest.raises(InputError) as caught:
        load_register(path)
    assert [(p.file, p.row, p.column, p.found) for p in caught.value.problems] == [
        ("reg.xlsx[sites]", 3, "name", "an empty cell")]
    edit_workbook(path, {("sites", "C3"): "Police HQ"})
    register = load_register(with_empty_text_result(path, 'IF(1,"","x")'))
    assert register.sites["services"].tolist()[:2] == [(), ()]
    edit_workbook(path, {})  # the value element with an attribute, as some writers keep
    register = load_register(with_empty_text_result(path, 'IF(1,"","x")',
                                                    empty=b'<v xml:space="preserve"></v>'))
    assert register.sites["services"].tolist()[:2] == [(), ()]
    # typed as text but with no value element: never calculated, so no saved value
    edit_workbook(path, {})
    problems = problems_of(with_empty_text_result(path, 'IF(1,"","x")', saved=False))
    assert [(p.row, p.column) for p in problems] == [(2, "services")]
    assert "with no saved value in cell M2" in problems[0].found


def test_an_error_or_unsaved_formula_in_a_column_not_read_is_ignored(tmp_path: Path) -> None:
    """A `notes` column's `#REF!`, a helper lookup left unsaved, and an `#N/A` far under
    no header are in cells estate does not read: kept and ignored, as unknown columns
    are; the same in `desks` is still refused at its cell."""
    path = write_xlsx(tmp_path / "reg.xlsx", frames())
    edit_workbook(path, {("sites", "P2"): "#REF!", ("sites", "P3"): "=A3&B3",
                         ("sites", "Z50"): "#N/A"})
    assert load_register(path).sites["site_id"].tolist() == ["S1", "S2", "S3"]
    edit_workbook(path, {("sites", "F2"): "#REF!"})
    assert [(p.row, p.column) for p in problems_of(path)] == [(2, "desks")]


def test_workbook_formula_with_saved_value_reads_the_value(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "reg.xlsx", frames())
    edit_workbook(path, {("sites", "F3"): "=F2*2"})
    register = load_register(with_saved_value(path, "F2*2", 800))
    assert register.sites["desks"].tolist() == [400.0, 800.0, 200.0]


def test_a_workbook_s_numbers_are_read_as_excel_shows_them(tmp_path: Path) -> None:
    """A formula's result a hair off a whole number (=445*1.1/1.1 saves as
    445.00000000000006) is the 445 Excel shows and saves as CSV, to 15 significant
    digits: read as saved, it tipped the solver to another plan of equal cost than the
    CSV's (a review)."""
    path = write_xlsx(tmp_path / "reg.xlsx", frames())
    edit_workbook(path, {("sites", "F3"): "=F2*1.1/1.1"})
    register = load_register(with_saved_value(path, "F2*1.1/1.1", 400.00000000000006))
    assert register.sites["desks"].tolist() == [400.0, 400.0, 200.0]
    assert cell_text(8149.999999999999) == "8150" and cell_text(0.1 + 0.2) == "0.3"
    assert cell_text(1234.5678901234) == "1234.5678901234"  # 14 digits: as saved


@pytest.mark.parametrize("error", ["#DIV/0!", "#REF!", "#N/A", "#VALUE!"])
def test_workbook_error_cells_are_errors_at_their_cell(tmp_path: Path, error: str) -> None:
    path = write_xlsx(tmp_path / "reg.xlsx", frames())
    edit_workbook(path, {("sites", "C2"): error, ("functions", "E4"): error})
    problems = problems_of(path)
    assert located(problems) == {("reg.xlsx[sites]", 2, "name"),
                                 ("reg.xlsx[functions]", 4, "fte")}
    assert {p.found for p in problems} == {f"the spreadsheet error {error} in cell C2",
                                           f"the spreadsheet error {error} in cell E4"}


def test_a_stray_cell_far_away_costs_neither_memory_nor_time(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "reg.xlsx", frames())
    edit_workbook(path, {("sites", "XFD1048576"): "stray", ("zones", "A1048576"): "Z9"})
    started = time.process_time()
    raw = read_tables(path)
    seconds = time.process_time() - started  # 0.2 s here; padding to the corner: hours
    assert seconds < 10, f"{seconds:.1f} s"
    assert raw.tables["sites"].frame.shape == (3, len(SITES))  # not 1,048,575 x 16,384
    assert raw.tables["zones"].frame.index.tolist() == [2, 3, 1048576]
    # the stray zone row is a row like any other: its empty required cells are named
    assert {(p.file, p.row) for p in problems_of(path)} == {("reg.xlsx[zones]", 1048576)}


def test_workbook_rows_are_spreadsheet_rows_even_after_gaps(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "reg.xlsx", frames())
    edit_workbook(path, {("zones", "A40"): "Z40", ("zones", "B40"): "Far row",
                         ("zones", "C40"): 52.1, ("zones", "D40"): 1.1, ("zones", "E40"): -1})
    assert located(problems_of(path)) == {("reg.xlsx[zones]", 40, "population")}


@pytest.mark.parametrize(("text", "row"), [
    ('zone_id,name,lat,lon,population\nZ1,A,52,1,10\nZ2,"B,52,1,5\n', 3),
    ('zone_id,name,lat,lon,population\nZ1,"A\nB",52,1,10\nZ2,B,52,1,5,9\n', 3),
])
def test_csv_parser_errors_name_the_spreadsheet_row(tmp_path: Path, text: str, row: int) -> None:
    folder = write_tables(tmp_path / "reg", frames())
    (folder / "zones.csv").write_text(text)
    assert located(problems_of(folder)) == {("zones.csv", row, None)}


def test_a_quote_left_open_mid_file_is_suggested(tmp_path: Path) -> None:
    """The open quote swallows the line break, so pandas sees one row too many cells."""
    folder = write_tables(tmp_path / "reg", frames())
    (folder / "zones.csv").write_text('zone_id,name,lat,lon,population\nZ1,"A,52,1,10\n'
                                      'Z2,B,52,1,5\nZ3,C,52,1,5\n')
    problems = problems_of(folder)
    assert [p.file for p in problems] == ["zones.csv"]
    assert "a quote left open?" in problems[0].found


def test_gpkg_degrees_under_a_projected_crs_are_an_error(tmp_path: Path) -> None:
    tables = frames()
    path = write_gpkg(tmp_path / "reg.gpkg", {k: v for k, v in tables.items() if k != "sites"})
    sites = tables["sites"]
    points = gpd.points_from_xy(sites["lon"], sites["lat"])  # degrees, labelled metres
    gpd.GeoDataFrame(sites.drop(columns=["lat", "lon"]), geometry=points, crs=27700).to_file(
        path, layer="sites")
    with pytest.raises(InputError) as caught:
        load_register(path)
    problems = caught.value.problems
    assert located(problems) == {("reg.gpkg[sites]", None, "geometry")}
    assert "EPSG:4326" in problems[0].found
    # the error's own outcome, the sites hundreds of km from the zones, is not said too
    assert caught.value.warnings == [], caught.value.warnings


@pytest.mark.parametrize("crs", [None, 4326])
def test_gpkg_grid_metres_under_no_crs_or_degrees_are_one_error(tmp_path: Path,
                                                                crs: int | None) -> None:
    """British National Grid points in a layer with no CRS, or labelled WGS84: one error
    for the layer saying which CRS to set (it was an error for each row's lat and lon,
    columns a layer does not have, and advice to give a layer in the grid, which it is)."""
    tables = frames()
    path = write_gpkg(tmp_path / "reg.gpkg", {k: v for k, v in tables.items() if k != "sites"})
    sites = tables["sites"]
    x, y = Transformer.from_crs(4326, 27700, always_xy=True).transform(
        sites["lon"].to_numpy(), sites["lat"].to_numpy())
    with warnings.catch_warnings():  # geopandas warns of a layer written with no CRS
        warnings.simplefilter("ignore", UserWarning)
        gpd.GeoDataFrame(sites.drop(columns=["lat", "lon"]),
                         geometry=gpd.points_from_xy(x, y), crs=crs).to_file(path, layer="sites")
    problems = problems_of(path)
    assert located(problems) == {("reg.gpkg[sites]", None, "geometry")}, problems
    assert "set the layer's CRS to EPSG:27700" in problems[0].found


@pytest.mark.parametrize(("crs", "says"), [(2227, "US survey foot"), (32618, "outside it")])
def test_gpkg_crs_in_feet_or_far_from_the_points_is_a_warning(
    tmp_path: Path, crs: int, says: str
) -> None:
    register = load_register(write_gpkg(tmp_path / "reg.gpkg", frames(), crs=crs))
    warnings = [w for w in register.warnings if says in w.found]
    assert {(w.file, w.column) for w in warnings} >= {("reg.gpkg[sites]", "geometry")}
    np.testing.assert_allclose(register.sites["lat"], SITES["lat"], atol=1e-6)


def test_a_date_cell_out_of_range_is_an_error_not_a_python_warning(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "reg.xlsx", frames())
    book = openpyxl.load_workbook(path)
    book["sites"]["K2"].value = 1e300  # lease_end, formatted as a date below
    book["sites"]["K2"].number_format = "yyyy-mm-dd"
    book.save(path)
    problems = problems_of(path)  # pytest turns any Python warning into a failure
    assert located(problems) == {("reg.xlsx[sites]", 2, "lease_end")}
    assert "#VALUE!" in problems[0].found


@pytest.mark.parametrize(("header", "says"), [
    ("agency_id;name;kind", "columns separated by semicolons"),
    ("agency_id\tname\tkind", "columns separated by tabs"),
    ("sep=;", "Excel's separator line 'sep=;'"),
])
def test_a_csv_with_another_separator_says_so(tmp_path: Path, header: str, says: str) -> None:
    folder = write_tables(tmp_path / "reg", frames())
    body = "A1;County;council\nA2;Police;police\n" if "sep" not in header else \
        "agency_id;name;kind\nA1;County;council\n"
    (folder / "agencies.csv").write_text(f"{header}\n{body}", encoding="utf-8")
    problems = problems_of(folder)
    assert located(problems) == {("agencies.csv", 1, None)}
    assert says in problems[0].found


def test_a_table_that_is_a_folder_says_so(tmp_path: Path) -> None:
    folder = write_tables(tmp_path / "reg", frames())
    (folder / "zones.csv").unlink()
    (folder / "zones.csv").mkdir()
    problems = problems_of(folder)
    assert [(p.file, p.found) for p in problems] == [("zones.csv", "a folder")]


def test_gpkg_lat_lon_columns_that_disagree_with_the_geometry_are_a_warning(
        tmp_path: Path) -> None:
    """The geometry is used; columns kept beside it that put a site elsewhere are flagged."""
    tables = frames()
    path = write_gpkg(tmp_path / "reg.gpkg", {k: v for k, v in tables.items() if k != "sites"})
    sites = tables["sites"]
    layer = gpd.GeoDataFrame(sites, geometry=gpd.points_from_xy(sites["lon"], sites["lat"]),
                             crs=4326)
    layer.loc[1, "lat"] = sites.loc[1, "lat"] + 0.3  # 33 km north in the column only
    layer.to_file(path, layer="sites", engine="pyogrio")
    register = load_register(path)
    assert register.sites["lat"].tolist() == SITES["lat"]  # the geometry's
    # the second feature, fid 2
    assert [(w.file, w.row, w.column) for w in register.warnings] == [("reg.gpkg[sites]", 2, "lat")]
    assert "1 row(s)" in register.warnings[0].found


def _with_title_rows(path: Path, sheet: str, rows: int) -> Path:
    """The workbook with `rows` rows inserted above `sheet`'s header, the first holding
    a title merged across the columns, as a register kept for people often has."""
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    width = ws.max_column
    ws.insert_rows(1, rows)
    ws["A1"] = "Estate register, March 2026"
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    book.save(path)
    return path


def test_column_names_below_title_rows_are_found_and_rows_keep_their_numbers(
        tmp_path: Path) -> None:
    tables = frames()
    plain = _comparable(load_register(write_xlsx(tmp_path / "plain.xlsx", tables)))
    path = _with_title_rows(write_xlsx(tmp_path / "titled.xlsx", tables), "sites", 2)
    titled = load_register(path)
    for name, expected in plain.items():
        got = _comparable(titled)[name]
        if name == "sites":  # the records are rows 4-6 of the sheet now, not 2-4
            assert got.pop("row").tolist() == [r + 2 for r in expected.pop("row")]
        pd.testing.assert_frame_equal(got, expected)
    assert [(p.file, p.row, p.severity) for p in titled.warnings] == [
        ("titled.xlsx[sites]", 3, "warning")]
    # row 2, blank, is not said: only the title in row 1 is
    assert "the column names in row 3; row 1 above it is not read (a title or notes: " \
        "delete it" in titled.warnings[0].found
    # a bad cell is still named by the row the user sees: the first record is row 4
    edit_workbook(path, {("sites", "F4"): "many"})
    assert {(p.row, p.column) for p in problems_of(path) if p.severity == "error"} == {
        (4, list(tables["sites"].columns)[5])}


def test_blank_rows_above_a_workbook_header_are_skipped_without_a_warning(
        tmp_path: Path) -> None:
    tables = frames()
    expected = _comparable(load_register(write_xlsx(tmp_path / "plain.xlsx", tables)))
    for blank in (2, 11):  # eleven: the header is still the first row holding anything
        path = write_xlsx(tmp_path / f"blank{blank}.xlsx", tables)
        book = openpyxl.load_workbook(path)
        book["sites"].insert_rows(1, blank)
        book.save(path)
        register = load_register(path)
        assert register.warnings == []
        got = _comparable(register)["sites"]
        assert got.pop("row").tolist() == [r + blank for r in expected["sites"]["row"]]
        pd.testing.assert_frame_equal(got, expected["sites"].drop(columns="row"))
    # a title and a note among blank rows: the warning names the two rows holding them
    path = write_xlsx(tmp_path / "title.xlsx", tables)
    book = openpyxl.load_workbook(path)
    book["sites"].insert_rows(1, 5)
    book["sites"]["A2"] = "Estate register"
    book["sites"]["C4"] = "Figures at March 2026"
    book.save(path)
    warnings = load_register(path).warnings
    assert [(w.row, w.severity) for w in warnings] == [(6, "warning")]
    assert warnings[0].found == ("the column names in row 6; rows 2 and 4 above it are not "
                                 "read (a title or notes: delete them to silence this)")


@pytest.mark.parametrize("padded", [True, False])  # Excel pads a title with commas
def test_a_csv_title_line_is_skipped_but_a_header_out_of_reach_is_not_guessed(
        tmp_path: Path, padded: bool) -> None:
    tables = frames()
    folder = write_tables(tmp_path / "reg", tables)
    sites = folder / "sites.csv"
    width = len(tables["sites"].columns)
    text = sites.read_text(encoding="utf-8")
    title = "Sites register" + ("," * (width - 1) if padded else "")
    sites.write_text(title + "\n" + text, encoding="utf-8")
    register = load_register(folder)
    assert [(p.file, p.row) for p in register.warnings] == [("sites.csv", 2)]
    assert register.sites["site_id"].tolist() == tables["sites"]["site_id"].tolist()
    assert register.sites["row"].tolist() == [3, 4, 5]
    # a record too wide for the header is still named at its own line
    lines = (title + "\n" + text).splitlines()
    lines[3] += ",stray"
    sites.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert [(p.file, p.row) for p in problems_of(folder)] == [("sites.csv", 4)]
    # eleven lines above the header: too far to be a title, so the header is not read;
    # one problem says where the column names are (every required column was said to be
    # missing from a line of notes, and the real header's cells warned of as data)
    sites.write_text((", " * (width - 1) + "note\n") * 11 + text, encoding="utf-8")
    far = problems_of(folder)
    assert [(p.file, p.row) for p in far] == [("sites.csv", 12)], far
    assert "them in row 12, below the rows looked at: delete the notes above them" in \
        far[0].found
    # the same notes without the commas that pad them to the header's width: pandas
    # found the header a row too wide ("at most 1 cell per row"); said alike
    sites.write_text("note\n" * 11 + text, encoding="utf-8")
    far = problems_of(folder)
    assert [(p.file, p.row) for p in far] == [("sites.csv", 12)], far
    assert far[0].found.startswith("them in row 12, below the rows looked at"), far


def test_blank_csv_lines_above_the_header_are_skipped_without_a_warning(
        tmp_path: Path) -> None:
    tables = frames()
    folder = write_tables(tmp_path / "reg", tables)
    sites = folder / "sites.csv"
    width = len(tables["sites"].columns)
    text = sites.read_text(encoding="utf-8")
    # Excel saves a blank row as a line of commas; a hand-edited file may hold an empty one
    sites.write_text("," * (width - 1) + "\n\n" + text, encoding="utf-8")
    register = load_register(folder)
    assert register.warnings == []
    assert register.sites["site_id"].tolist() == tables["sites"]["site_id"].tolist()
    assert register.sites["row"].tolist() == [4, 5, 6]
    # a title among them is still said, and only its own line
    sites.write_text("," * (width - 1) + "\nSites register" + "," * (width - 1) + "\n"
                     + "," * (width - 1) + "\n" + text, encoding="utf-8")
    warnings = load_register(folder).warnings
    assert [(w.file, w.row) for w in warnings] == [("sites.csv", 4)]
    assert "row 2 above it is not read" in warnings[0].found
    # so with a title narrower than the table, which is read apart from the rest
    sites.write_text("\nSites register\n\n" + text, encoding="utf-8")
    warnings = load_register(folder).warnings
    assert [(w.file, w.row) for w in warnings] == [("sites.csv", 4)]
    assert "row 2 above it is not read" in warnings[0].found
    assert load_register(folder).sites["row"].tolist() == [5, 6, 7]
    # below a blank line, a header naming too few columns to be known is still the
    # header: its missing columns are said, not 'an empty row 1'
    header, _, body = text.partition("\n")
    renamed = ",".join(f"the_{name}" for name in header.split(","))  # none known
    sites.write_text("\n" + renamed + "\n" + body, encoding="utf-8")
    problems = problems_of(folder)
    assert ("sites.csv", None, "site_id") in located(problems)
    assert not any("empty row 1" in p.found for p in problems)


def test_two_sheets_or_files_for_one_table_are_an_error_naming_both(tmp_path: Path) -> None:
    tables = frames()
    path = write_xlsx(tmp_path / "reg.xlsx", tables)
    book = openpyxl.load_workbook(path)
    book.copy_worksheet(book["sites"]).title = "Sites "
    book.save(path)
    problems = problems_of(path)
    assert [(p.file, p.row, p.severity) for p in problems] == [
        ("reg.xlsx[sites]", None, "error")]
    assert "2: 'sites', 'Sites '" in problems[0].found
    folder = write_tables(tmp_path / "reg", tables)
    (folder / "Sites.csv").write_bytes((folder / "sites.csv").read_bytes())
    assert "'Sites.csv', 'sites.csv'" in problems_of(folder)[0].found


def test_a_csv_file_stands_for_the_table_its_trimmed_stem_names(tmp_path: Path) -> None:
    # `Sites .csv` is the sites as the sheet `Sites ` is: read when alone, and beside
    # sites.csv the same error as `Sites.csv` there, never silently passed over
    tables = frames()
    alone = write_tables(tmp_path / "alone", tables)
    (alone / "sites.csv").rename(alone / "Sites .csv")
    register = load_register(alone)
    assert sorted(register.sites["site_id"]) == sorted(
        load_register(write_tables(tmp_path / "plain", tables)).sites["site_id"])
    assert register.warnings == []
    both = write_tables(tmp_path / "both", tables)
    (both / "Sites .csv").write_bytes((both / "sites.csv").read_bytes())
    problems = problems_of(both)
    assert [(p.file, p.severity) for p in problems] == [("sites.csv", "error")]
    assert problems[0].found.startswith("2: 'Sites .csv', 'sites.csv'")


def test_a_hidden_sheet_is_read_with_a_warning_unless_a_visible_copy_is_beside_it(
        tmp_path: Path) -> None:
    tables = frames()
    path = write_xlsx(tmp_path / "reg.xlsx", tables)
    book = openpyxl.load_workbook(path)
    book["sites"].sheet_state = "hidden"
    book.save(path)
    register = load_register(path)
    assert register.sites["site_id"].tolist() == ["S1", "S2", "S3"]
    assert [(p.file, p.severity) for p in register.warnings] == [
        ("reg.xlsx[sites]", "warning")]
    assert "'sites' is hidden" in register.warnings[0].found
    # the user copied the sheet, edited the copy and hid the original: which is meant?
    book = openpyxl.load_workbook(path)
    book.copy_worksheet(book["sites"]).title = "sites (2)"
    book["sites (2)"].sheet_state = "visible"
    desks = list(tables["sites"].columns).index("desks") + 1
    book["sites (2)"].cell(2, desks, 1)
    book.save(path)
    problems = problems_of(path)
    assert [(p.file, p.row) for p in problems] == [("reg.xlsx[sites]", None)]
    assert "'sites' hidden and 'sites (2)' visible" in problems[0].found
    # a copy named as Google Sheets names it, or a new version: the hidden sheet was
    # read and the edited copy ignored with a warning
    for name in ("Copy of sites", "New sites"):
        book = openpyxl.load_workbook(path)
        book[book.sheetnames[-1]].title = name
        book.save(path)
        problems = problems_of(path)
        assert [(p.file, p.row) for p in problems] == [("reg.xlsx[sites]", None)], problems
        assert f"'sites' hidden and '{name}' visible" in problems[0].found


def test_hidden_rows_are_read_with_a_warning_and_merged_ranges_are_named(
        tmp_path: Path) -> None:
    tables = frames()
    path = write_xlsx(tmp_path / "reg.xlsx", tables)
    book = openpyxl.load_workbook(path)
    book["sites"].row_dimensions[3].hidden = True  # a filter or the user hid S2
    book.save(path)
    register = load_register(path)
    assert register.sites["site_id"].tolist() == ["S1", "S2", "S3"]  # read all the same
    assert [(p.file, p.row, p.severity) for p in register.warnings] == [
        ("reg.xlsx[sites]", 3, "warning")]
    assert register.warnings[0].found == "1 hidden row: 3"
    # agency_id merged down rows 2-3: row 3 reads blank, and the range says why
    column = list(tables["sites"].columns).index("agency_id") + 1
    book = openpyxl.load_workbook(path)
    book["sites"].merge_cells(start_row=2, end_row=3, start_column=column,
                              end_column=column)
    book.save(path)
    problems = problems_of(path)
    merged = [p for p in problems if "merged" in p.found]
    assert [(p.row, p.column, p.severity) for p in merged] == [(2, "agency_id", "error")]
    assert f"{letters(column - 1)}2:{letters(column - 1)}3" in merged[0].found
    assert ("reg.xlsx[sites]", 3, "agency_id") not in located(problems)  # said once
    # a merge in a column estate does not read is no problem; nor one in a title row
    notes = list(tables["sites"].columns).index("notes") + 1
    path = write_xlsx(tmp_path / "notes.xlsx", tables)
    book = openpyxl.load_workbook(path)
    book["sites"].merge_cells(start_row=2, end_row=3, start_column=notes, end_column=notes)
    book.save(path)
    assert load_register(path).warnings == []


@pytest.mark.parametrize("chunk", [1 << 20, 7, 64])  # small reads split tags in two
def test_hidden_rows_and_merged_ranges_are_found_however_the_sheet_is_read(
        tmp_path: Path, chunk: int) -> None:
    path = write_xlsx(tmp_path / "reg.xlsx", frames())
    book = openpyxl.load_workbook(path)
    for row in (2, 4):
        book["zones"].row_dimensions[row].hidden = True
    book["zones"].merge_cells("B2:B3")
    book["zones"].merge_cells("A4:C4")
    book.save(path)
    marks = sheet_marks(path, "zones", chunk)
    assert marks.hidden_rows == [2, 4] and sorted(marks.merged) == ["A4:C4", "B2:B3"]
    assert not marks.formulas and marks.table_totals == []
    assert sheet_marks(path, "sites", chunk) == SheetMarks(formulas=False)
    assert sheet_marks(path, "no such sheet", chunk) == SheetMarks()  # unsure: formulas


@pytest.mark.parametrize(("write", "row", "column", "says"), [
    (lambda f: f.write_bytes("site_id,name\r\nS1,A\r\nS2,\u00a3 hall\r\n".encode("cp1252")),
     3, "name", "0xA3 (the \u00a3 sign of Windows-1252)"),
    (lambda f: f.write_bytes("site_id,name\rS1,A\rS2,Caf\u00e9\r".encode("mac_roman")), 3,
     "name", "0x8E"),  # an old Mac's CSV: lines end with CR alone
    (lambda f: f.write_text("site_id\tname\nS1\tA\n", encoding="utf-16"), 1, None,
     "UTF-16 text"),
    (lambda f: f.write_bytes('site_id,name\nS1,"Town\nHall"\n\u00a3S2,x\n'.encode("cp1252")),
     3, "site_id", "0xA3"),  # a line break inside a quoted cell is not a new row
    (lambda f: f.write_bytes("site_id,n\u00e4me\nS1,A\n".encode("cp1252")), 1, None,
     "0xE4"),  # in the header: no column to name
    (lambda f: f.write_bytes("site_id,name\nS1,A,\u00a3\n".encode("cp1252")), 2, None,
     "0xA3"),  # past the header's last name
    (lambda f: f.write_bytes('site_id,name,kind\nS1,"Town\n\u00a3 hall",office\n'
                             .encode("cp1252")), 2, "name", "0xA3"),  # just after a break
    (lambda f: f.write_bytes(("Sites register 2024\n" + "\n".join(
        "\u00a3" + line if i == 2 else line for i, line in enumerate(
            f.read_text(encoding="utf-8").splitlines()))).encode("cp1252")), 4, "site_id",
     "0xA3"),  # under a title line, the header's names are the ones below it
])
def test_text_that_is_not_utf8_is_named_at_its_row_and_column(
        tmp_path: Path, write, row: int, column: str | None, says: str) -> None:
    folder = write_tables(tmp_path / "reg", frames())
    write(folder / "sites.csv")
    problems = [p for p in problems_of(folder) if p.file == "sites.csv"]
    assert [(p.row, p.column) for p in problems] == [(row, column)]
    assert says in problems[0].found, problems[0].found
    assert "CSV UTF-8" in problems[0].expected


@pytest.mark.parametrize(("name", "first", "says"), [
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "save it as an Excel Workbook"),
    ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an encrypted workbook"),
    ("binary.xlsb", b"PK\x03\x04", "save it as an Excel Workbook"),
])
def test_workbooks_excel_cannot_share_as_xlsx_say_how_to_save_them(
        tmp_path: Path, name: str, first: bytes, says: str) -> None:
    (tmp_path / name).write_bytes(first + bytes(range(256)) * 4)
    problems = problems_of(tmp_path / name)
    assert len(problems) == 1 and says in problems[0].found, problems


def test_below_a_title_the_header_row_is_the_one_named_and_a_missing_column_is_found(
        tmp_path: Path) -> None:
    tables = frames()
    tables["sites"] = tables["sites"].drop(columns="desks")
    tables["sites"]["Name "] = ["x", "y", "z"]  # a second name column
    path = _with_title_rows(write_xlsx(tmp_path / "titled.xlsx", tables), "sites", 2)
    edit_workbook(path, {("sites", "B2"): '=TEXT(TODAY(),"mmm yyyy")'})  # no saved value
    problems = problems_of(path)  # the errors; the title row's warning is beside them
    assert {(p.row, p.column) for p in problems} == {(3, "name"), (None, "desks")}


def _sheet_archive(path: Path, title: str, link: str, sheet: str,
                   parts: dict[str, str]) -> Path:
    """A workbook written by hand: sheet `title` (relationship `link`, given as an
    attribute such as `r:id="r1"`) at xl/worksheets/sheet1.xml, and other `parts`."""
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", f'<workbook><sheets><sheet name="{title}" '
                         f'sheetId="1" {link}/></sheets></workbook>')
        rid = link.split('"')[1]
        archive.writestr("xl/_rels/workbook.xml.rels", '<Relationships><Relationship '
                         f'Id="{rid}" Target="worksheets/sheet1.xml"/></Relationships>')
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


def test_sheet_marks_read_the_forms_the_xml_may_take(tmp_path: Path) -> None:
    """As Excel writes them (relative targets, `r:id`), as other tools may (single
    quotes, another prefix, rows without their number), and an attribute that only ends
    in `hidden`, which is not the row's."""
    sheet = ("<worksheet><sheetData>"
             "<row r='1'/><row x14ac:hidden=\"1\"/><row hidden='true'/>"  # rows 1, 2, 3
             "<x:row r=\"5\" customHeight=\"1\" hidden=\"1\"><c><x:f>A1</x:f></c></x:row>"
             "<row/></sheetData>"  # 5, 6
             "<mergeCells><mergeCell ref='B2:B4'/></mergeCells>"
             "<tableParts><tablePart r:id='rId2'/><tablePart r:id='rId3'/></tableParts>"
             "</worksheet>")
    path = _sheet_archive(tmp_path / "forms.xlsx", "a &amp; b", 'ns9:id="rId7"', sheet, {
        "xl/worksheets/_rels/sheet1.xml.rels": (
            "<Relationships><Relationship Id='rId3' Target='/xl/tables/t9.xml'/>"
            '<Relationship Id="rId2" Target="../tables/table1.xml"/></Relationships>'),
        "xl/tables/table1.xml": '<table ref="B1:C6" totalsRowCount="1"/>',
        "xl/tables/t9.xml": "<x:table ref='E1:F9'><x:autoFilter/></x:table>"})
    assert sheet_marks(path, "a & b") == SheetMarks([3, 5], ["B2:B4"], [TotalsRow(6, 1, 2)],
                                                    formulas=True)


def test_sheet_marks_take_nothing_a_broken_or_hostile_sheet_does_not_say(
        tmp_path: Path) -> None:
    """A stray `<f` with no end is no tag, and does not swallow the row after it; a Table
    whose file lies above the archive's root, or is missing, gives no totals row; a
    count of a billion totals rows is one row, at most the sheet's last."""
    sheet = ("<worksheet><sheetData><row r='2'><c><v>1 <f</v></c></row>"
             "<row r='3' hidden='1'/></sheetData>"
             "<tableParts><tablePart r:id='a'/><tablePart r:id='b'/><tablePart r:id='c'/>"
             "</tableParts></worksheet>")

    def workbook(name: str, relations: str) -> Path:
        return _sheet_archive(tmp_path / name, "s", 'r:id="r1"', sheet, {
            "xl/worksheets/_rels/sheet1.xml.rels": f"<Relationships>{relations}</Relationships>",
            "xl/tables/big.xml": '<table ref="A1:H2000000" totalsRowCount="1000000000"/>'})

    big = "<Relationship Id='a' Target='../tables/big.xml'/>"
    marks = sheet_marks(workbook("odd.xlsx", big + "<Relationship Id='b' "
                                 "Target='../../../../../t.xml'/>"), "s")
    assert marks.hidden_rows == [3] and not marks.formulas
    assert marks.table_totals == []  # one Table's file is above the root: none is trusted
    path = workbook("big.xlsx", big)
    assert sheet_marks(path, "s").table_totals == [TotalsRow(1_048_576, 0, 7)]


def test_an_excel_tables_totals_row_is_one_problem_whatever_its_label(
        tmp_path: Path) -> None:
    from openpyxl.worksheet.table import Table

    tables = frames()
    path = write_xlsx(tmp_path / "reg.xlsx", tables)
    book = openpyxl.load_workbook(path)
    sheet = book["sites"]
    columns = list(tables["sites"].columns)
    for name in ("desks", "running_cost"):  # the sums Total Row shows, label cleared
        sheet.cell(5, columns.index(name) + 1, float(tables["sites"][name].sum()))
    listed = Table(displayName="Sites", ref=f"A1:{letters(len(columns) - 1)}5")
    listed.totalsRowCount = 1
    sheet.add_table(listed)
    book.save(path)
    problems = problems_of(path)
    assert [(p.file, p.row) for p in problems] == [("reg.xlsx[sites]", 5)]
    assert "Total Row" in problems[0].expected
    # without the Total Row the same sums are a record with blanks: several problems
    book = openpyxl.load_workbook(path)
    book["sites"].tables["Sites"].totalsRowCount = 0
    book.save(path)
    assert len(problems_of(path)) > 1


def test_a_totals_row_is_one_problem_when_a_script_left_its_formulas_unsaved(
        tmp_path: Path) -> None:
    from openpyxl.worksheet.table import Table

    tables = frames()
    path = write_xlsx(tmp_path / "reg.xlsx", tables)
    book = openpyxl.load_workbook(path)
    columns = list(tables["sites"].columns)
    desks = letters(columns.index("desks"))
    book["sites"][f"{desks}5"] = f"=SUBTOTAL(109,{desks}2:{desks}4)"  # no saved value
    listed = Table(displayName="Sites", ref=f"A1:{letters(len(columns) - 1)}5")
    listed.totalsRowCount = 1
    book["sites"].add_table(listed)
    book.save(path)
    problems = problems_of(path)
    assert [(p.row, p.found) for p in problems] == [(5, "the Table's totals row")]


def test_a_total_row_is_one_problem_though_its_formulas_are_unsaved(tmp_path: Path) -> None:
    """A row labelled Total under the register, its sum a formula a script wrote without a
    result: one problem for the row, not another for its formula."""
    tables = frames()
    path = write_xlsx(tmp_path / "reg.xlsx", tables)
    book = openpyxl.load_workbook(path)
    columns = list(tables["sites"].columns)
    desks = letters(columns.index("desks"))
    book["sites"]["A5"] = "Total"
    book["sites"][f"{desks}5"] = f"=SUM({desks}2:{desks}4)"  # no saved value
    book.save(path)
    problems = problems_of(path)
    assert [(p.row, p.found) for p in problems] == [(5, "'Total'")]


def test_a_small_table_beside_the_register_keeps_its_totals_row_to_itself(
        tmp_path: Path) -> None:
    """A lookup Table in columns X:Y with a Total Row in row 3: row 3 of the register
    (site S2) is a record all the same."""
    from openpyxl.worksheet.table import Table

    path = write_xlsx(tmp_path / "reg.xlsx", frames())
    book = openpyxl.load_workbook(path)
    sheet = book["sites"]
    for row, (kind, n) in enumerate([("use", "n"), ("office", 2), ("Total", 2)], start=1):
        sheet[f"X{row}"], sheet[f"Y{row}"] = kind, n
    lookup = Table(displayName="Kinds", ref="X1:Y3")
    lookup.totalsRowCount = 1
    sheet.add_table(lookup)
    book.save(path)
    assert load_register(path).sites["site_id"].tolist() == ["S1", "S2", "S3"]


def test_a_struck_through_row_is_read_with_a_warning(tmp_path: Path) -> None:
    from openpyxl.styles import Font

    tables = frames()
    path = write_xlsx(tmp_path / "reg.xlsx", tables)
    book = openpyxl.load_workbook(path)
    for cell in book["sites"][3]:  # S2 struck through: sold, the row kept
        cell.font = Font(strike=True)
    book["sites"]["B2"].font = Font(strike=True)  # one corrected cell of S1 is not a row
    book.save(path)
    register = load_register(path)
    assert register.sites["site_id"].tolist() == ["S1", "S2", "S3"]  # read all the same
    assert [(p.file, p.row, p.found) for p in register.warnings] == [
        ("reg.xlsx[sites]", 3, "1 struck-through row: 3")]


def test_a_register_that_is_not_there_is_named_by_its_full_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A scenario's `data` is read from the scenario file's folder, so the path as
    written (`models/../data/x`) says little of where estate looked: the message gives
    the full path, the `..` resolved."""
    (tmp_path / "models").mkdir()
    monkeypatch.chdir(tmp_path)
    raw = read_tables(Path("models/../data/suffolkk"))
    assert [p.found for p in raw.problems] == [f"nothing at {tmp_path.resolve()}/data/suffolkk"]
    # and it is named as the progress lines name the register, not as joined
    assert [p.file for p in raw.problems] == ["data/suffolkk"]


def test_an_excel_tables_totals_row_labelled_total_is_one_problem(tmp_path: Path) -> None:
    """formats.md: a Table's totals row is one error at the row, with its label or without.
    Labelled `Total`, it is also a totals row by its label: still one problem, the Table's
    (its fix, untick Total Row, is the one that works)."""
    from openpyxl.worksheet.table import Table

    tables = frames()
    path = write_xlsx(tmp_path / "reg.xlsx", tables)
    book = openpyxl.load_workbook(path)
    sheet = book["zones"]
    columns = list(tables["zones"].columns)
    sheet.cell(4, 1, "Total")
    population = letters(columns.index("population"))
    sheet[f"{population}4"] = float(tables["zones"]["population"].sum())
    listed = Table(displayName="Zones", ref=f"A1:{letters(len(columns) - 1)}4")
    listed.totalsRowCount = 1
    sheet.add_table(listed)
    book.save(path)
    problems = problems_of(path)
    assert [(p.file, p.row, p.found) for p in problems] == [
        ("reg.xlsx[zones]", 4, "the Table's totals row")]
    assert "untick Total Row" in problems[0].expected
    # the same with its sum a SUBTOTAL a script wrote without a saved value
    book = openpyxl.load_workbook(path)
    book["zones"][f"{population}4"] = f"=SUBTOTAL(109,{population}2:{population}3)"
    book.save(path)
    problems = problems_of(path)
    assert [(p.file, p.row, p.found) for p in problems] == [
        ("reg.xlsx[zones]", 4, "the Table's totals row")]


def test_hidden_columns_are_read_with_one_warning_a_sheet_naming_them(tmp_path: Path) -> None:
    """A hidden column is read like any other, as a hidden row is: one warning for the
    sheet naming the hidden columns that have a header, none for hidden empty columns."""
    tables = frames()
    path = write_xlsx(tmp_path / "reg.xlsx", tables)
    columns = list(tables["sites"].columns)
    desks, notes = letters(columns.index("desks")), letters(columns.index("notes"))
    book = openpyxl.load_workbook(path)
    book["sites"].column_dimensions[desks].hidden = True
    book["sites"].column_dimensions[notes].hidden = True
    book["sites"].column_dimensions[letters(len(columns) + 3)].hidden = True  # empty
    book["zones"].column_dimensions["B"].hidden = True  # the name
    book.save(path)
    register = load_register(path)
    assert register.sites["desks"].tolist() == [400, 120, 200]  # read all the same
    assert sorted((w.file, w.row, w.column, w.severity, w.found)
                  for w in register.warnings) == [
        ("reg.xlsx[sites]", None, None, "warning",
         f"2 hidden columns: {desks} (desks), {notes} (notes)"),
        ("reg.xlsx[zones]", None, "name", "warning", "1 hidden column: B (name)")]
    assert "a hidden column is read like any other" in register.warnings[0].expected


@pytest.mark.parametrize("mode", [0o300, 0o000])
def test_a_register_folder_that_cannot_be_listed_is_said_so(tmp_path: Path, mode: int) -> None:
    """A folder one may enter but not list (or neither) is a located problem with the
    way to mend it, exit 1, not an unexpected error (exit 4): its files cannot be found."""
    register = write_tables(tmp_path / "reg", frames())
    scenario = tmp_path / "s.toml"
    scenario.write_text('name = "s"\ndata = "reg"\n', encoding="utf-8")
    register.chmod(mode)
    try:
        run = run_cli(tmp_path, "validate", scenario, as_a_user=True)
    finally:
        register.chmod(0o755)
    assert run.code == 1, run.output
    assert ("reg: expected a register: a folder holding agencies.csv" in run.output
            and "found a folder whose files this user may not list (permission denied): "
            "give read permission on it" in run.output), run.output
    assert "Unexpected error" not in run.output and "PermissionError" not in run.output


@pytest.mark.parametrize(("start", "found"), [
    (b"PK\x03\x04", "found a zip file (an Excel workbook?) named .csv, not text: put the "
                    "table's own CSV file in its place (in Excel: Save As 'CSV UTF-8"),
    (b"\x1f\x8b\x08\x00", "found a gzip file named .csv, not text: put the table's own CSV"),
    (b"\x89PNG\r\n\x1a\n", "found a PNG picture named .csv, not text"),
])
def test_a_binary_file_named_csv_is_said_for_what_it_is(tmp_path: Path, start: bytes,
                                                        found: str) -> None:
    """Not only its first byte that is not UTF-8 (0x8B), as a text in another encoding
    is said: what the file is, as a workbook or GeoPackage misnamed is."""
    register = write_tables(tmp_path / "reg", frames())
    (register / "zones.csv").write_bytes(start + bytes(range(128, 256)) * 4)
    (tmp_path / "s.toml").write_text('name = "s"\ndata = "reg"\n', encoding="utf-8")
    run = run_cli(tmp_path, "validate", "s.toml")
    assert run.code == 1, run.output
    assert f"zones.csv: expected UTF-8 text with columns separated by commas, {found}" \
        in run.stderr, run.stderr


def test_a_workbook_the_reader_trips_on_says_what_to_do_first(tmp_path: Path) -> None:
    """openpyxl cannot open a workbook with an empty chart sheet (it raises an
    AttributeError of its own): the user is told to save it again from Excel, the
    reader's words kept after that for whoever supports them."""
    path = write_xlsx(tmp_path / "reg.xlsx", frames())
    book = openpyxl.load_workbook(path)
    book.create_chartsheet("Chart1")
    book.save(path)
    problems = problems_of(path)
    assert [(p.file, p.row, p.column) for p in problems] == [("reg.xlsx", None, None)]
    assert problems[0].found.startswith(
        "a workbook whose contents cannot be read: open it in Excel and save it again as an "
        "Excel Workbook (.xlsx), or copy its sheets into a new workbook (the reader said "
        "AttributeError: "), problems[0].found


def test_a_sheet_damaged_inside_says_to_save_the_workbook_again(tmp_path: Path) -> None:
    """A sheet's XML cut short (a workbook mended by a tool, or a copy broken half way):
    the XML reader's words, then what to do about them."""
    plain = write_xlsx(tmp_path / "plain.xlsx", frames())
    path = tmp_path / "reg.xlsx"
    with zipfile.ZipFile(plain) as old, zipfile.ZipFile(path, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename.startswith("xl/worksheets/") and b"County Hall" in data:
                data = data[:len(data) // 2]
            new.writestr(info, data)
    problems = problems_of(path)
    assert [(p.file, p.row) for p in problems] == [("reg.xlsx[sites]", None)]
    assert problems[0].found.endswith(
        ": the sheet is damaged inside; open the workbook in Excel and save it again as an "
        "Excel Workbook (.xlsx)"), problems[0].found
