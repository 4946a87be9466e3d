"""A register given as a GeoPackage, as a QGIS user sends it (estate.load.layers): rows
named by their feature id (fid), not by position, under the layer's own name for it
(`objectid`); an empty or unusable geometry named by its feature and its id, with a
fix; a MultiPoint of one point taken as that point; a file that is no GeoPackage (not
SQLite, or an SQLite database without a GeoPackage's tables) named for what it is."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import Transformer

from estate.errors import LayerLabelLost, Problem, layer_label, row_place
from estate.load.validate import load_register
from estate.prepare.distances import project
from estate.render.report_reference import _where
from estate.store import read_warnings
from tests.fixtures import invoke, no_traceback, run_cli, write_xlsx
from tests.fixtures.reference import SITES, frames, problems_of
from tests.fixtures.scenario import write_scenario

#: The fids the sites and functions layers give their three features: not 1, 2, 3, as
#: in a layer some of whose features were deleted, so a fid is never a position.
SITE_FIDS = [7, 17, 30]
FUNCTION_FIDS = [4, 9, 12]
BNG = 27700


def _grid_points() -> list[tuple[float, float]]:
    """The reference sites in British National Grid metres."""
    to_grid = Transformer.from_crs(4326, BNG, always_xy=True)
    return list(zip(*to_grid.transform(SITES["lon"], SITES["lat"]), strict=True))


def _register(path: Path, tables: dict[str, pd.DataFrame] | None = None,
              geometry: list | None = None, fid: str = "fid") -> Path:
    """The reference register as a GeoPackage in EPSG:27700, its sites and functions
    features numbered by `SITE_FIDS` and `FUNCTION_FIDS` in a FID column named `fid`
    (ArcGIS names it `objectid`; the other layers' is `fid` still); `geometry` the
    sites' (Points at the reference positions when None)."""
    tables = tables or frames()
    to_grid = Transformer.from_crs(4326, BNG, always_xy=True)
    named = {"layer_options": {"FID": fid}}
    for name in ("sites", "zones"):
        frame = tables[name]
        x, y = to_grid.transform(frame["lon"].to_numpy(), frame["lat"].to_numpy())
        shapes = (geometry if name == "sites" and geometry is not None
                  else list(gpd.points_from_xy(x, y)))
        layer = frame.drop(columns=["lat", "lon"])
        if name == "sites":
            layer.insert(0, fid, SITE_FIDS)
        gpd.GeoDataFrame(layer, geometry=shapes, crs=BNG).to_file(
            path, layer=name, engine="pyogrio", **(named if name == "sites" else {}))
    for name in ("agencies", "functions", "pair_costs"):
        frame = tables[name]
        if name == "functions":
            frame = frame.assign(**{fid: FUNCTION_FIDS})
        pyogrio.write_dataframe(frame, path, layer=name,
                                **(named if name == "functions" else {}))
    return path


def test_the_fids_written_are_the_fids_a_user_sees(tmp_path: Path) -> None:
    """The fixture's own check: QGIS shows the fids the test gave."""
    path = _register(tmp_path / "reg.gpkg")
    assert pyogrio.read_dataframe(path, layer="sites", fid_as_index=True).index.tolist() == SITE_FIDS
    assert pyogrio.read_dataframe(path, layer="functions",
                                  fid_as_index=True).index.tolist() == FUNCTION_FIDS


def test_errors_in_a_layer_name_each_feature_by_its_fid(tmp_path: Path) -> None:
    """A bad number, a missing value and a repeated id, each at the fid QGIS shows
    for its feature, and the repeat's first use named by its fid too."""
    tables = frames()
    tables["sites"]["desks"] = tables["sites"]["desks"].astype(object)
    tables["sites"].loc[1, "desks"] = "lots"  # S2, fid 17
    tables["functions"].loc[2, "function_id"] = "F1"  # F3 (fid 12) repeats F1 (fid 4)
    tables["functions"].loc[1, "fte"] = None  # F2, fid 9
    problems = problems_of(_register(tmp_path / "reg.gpkg", tables))
    at = {(p.file, p.row, p.column): p for p in problems}
    assert set(at) == {("reg.gpkg[sites]", 17, "desks"),
                       ("reg.gpkg[functions]", 9, "fte"),
                       ("reg.gpkg[functions]", 12, "function_id")}
    assert str(at["reg.gpkg[sites]", 17, "desks"]).startswith(
        "reg.gpkg[sites] fid 17, column desks: expected ")
    assert str(at["reg.gpkg[functions]", 9, "fte"]).startswith(
        "reg.gpkg[functions] fid 9, column fte: expected ")
    assert "(first at fid 4)" in at["reg.gpkg[functions]", 12, "function_id"].found
    assert all(" row " not in str(p) for p in problems)


def _spatial(path: Path) -> sqlite3.Connection:
    """The GeoPackage opened in SQLite with the functions its layers' triggers name (GDAL
    gives them; these answer only for rows whose geometry stays as it was)."""
    db = sqlite3.connect(path)
    db.create_function("ST_IsEmpty", 1, lambda shape: 0)
    for name in ("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
        db.create_function(name, 1, lambda shape: 0.0)
    return db


def _edited(path: Path, *statements: str) -> None:
    """The GeoPackage at `path` with each SQL statement run on it, as a script or an ETL
    tool may edit one past GDAL."""
    with contextlib.closing(_spatial(path)) as db:
        for statement in statements:
            db.execute(statement)
        db.commit()


def test_text_held_in_a_number_field_is_checked_as_that_text(tmp_path: Path) -> None:
    """SQLite keeps text in a field declared INTEGER, REAL or BOOLEAN (a script or an ETL
    tool may write it so), and GDAL reads such a cell as the number its first digits
    make: `1,500,000` as 1, `lots` as 0, `yes` as false. Each is read as the text it is,
    refused as a CSV's cell is, or, as `yes`, taken as the flag it spells."""
    path = _register(tmp_path / "reg.gpkg")
    with contextlib.closing(_spatial(path)) as db:
        assert db.execute("SELECT typeof(desks), typeof(running_cost) FROM sites "
                          "LIMIT 1").fetchone() == ("integer", "real")
        db.execute("ALTER TABLE sites ADD COLUMN must_keep BOOLEAN")
        db.execute("UPDATE sites SET must_keep = CASE fid WHEN 7 THEN 0 WHEN 17 THEN 'yes' "
                   "ELSE 0 END")
        db.commit()
    register = load_register(path)
    assert register.sites["must_keep"].tolist() == [False, True, False]
    _edited(path,
            "UPDATE sites SET desks = 'lots' WHERE fid = 7",
            "UPDATE sites SET running_cost = '1,500,000' WHERE fid = 30")
    problems = problems_of(path)
    assert [(p.row, p.column, p.found) for p in problems] == [
        (7, "desks", "'lots'"), (30, "running_cost", "'1,500,000': write 1500000")]


def test_a_date_field_s_text_gdal_cannot_read_is_checked_as_that_text(
        tmp_path: Path) -> None:
    """GeoPackage keeps a DATE or DATETIME field's value as text; GDAL reads one it
    cannot parse (`31/03/2029`) as no date, so a lease's end would vanish. It is read
    as written and refused with the date to write; the field's good dates still read."""
    tables = frames()
    tables["sites"]["lease_end"] = pd.to_datetime(tables["sites"]["lease_end"])
    tables["sites"]["tenure"] = ["leasehold", "leasehold", None]
    path = _register(tmp_path / "reg.gpkg", tables)
    _edited(path, "UPDATE sites SET lease_end = '31/03/2029' WHERE fid = 17")
    with pytest.warns(RuntimeWarning, match="Invalid content"):  # GDAL alone: no date
        alone = pyogrio.read_dataframe(path, layer="sites")["lease_end"]
    assert alone.isna().tolist() == [False, True, True]
    problems = problems_of(path)
    assert [(p.row, p.column, p.found) for p in problems] == [
        (17, "lease_end", "'31/03/2029': write it as 2029-03-31")]
    # a day no month has, which GDAL fails the whole layer on, is refused at its feature;
    # a midnight with an offset is its day, not the day before in UTC
    _edited(path,
            "UPDATE sites SET lease_end = '2030-02-30' WHERE fid = 17",
            "UPDATE sites SET lease_end = '2031-03-31T00:00:00+01:00' WHERE fid = 7")
    problems = problems_of(path)
    assert [(p.row, p.column, p.found) for p in problems] == [
        (17, "lease_end", "'2030-02-30' (2030-02-30 is no date: February 2030 has 28 days)")]
    _edited(path, "UPDATE sites SET lease_end = '2030-03-31T00:00:00.000Z' WHERE fid = 17")
    assert load_register(path).sites["lease_end"].tolist() == ["2031-03-31", "2030-03-31", ""]
    # a time of day in GeoPackage's own form is refused with the date to write
    _edited(path,
            "UPDATE sites SET lease_end = '2030-03-31T13:45:00Z' WHERE fid = 17",
            "UPDATE sites SET lease_end = '2031-03-31T00:00:00+01' WHERE fid = 7")
    assert [(p.row, p.found) for p in problems_of(path)] == [
        (17, "'2030-03-31T13:45:00Z' (a date with a time of day): write it as 2030-03-31")]


def test_a_view_with_no_fid_column_keeps_its_dates_as_gdal_reads_them(
        tmp_path: Path) -> None:
    """A sites layer that is an SQLite view leaving out its FID column: SQLite cannot
    name its features by fid, so its fields are read through GDAL, as before, its
    lease's end kept (taking its dates from SQLite by a fid it lacks lost every one)."""
    tables = frames()
    tables["sites"]["lease_end"] = pd.to_datetime(tables["sites"]["lease_end"])
    path = _register(tmp_path / "reg.gpkg", tables)
    with contextlib.closing(_spatial(path)) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(sites)")
                   if row[1] != "fid"]
        geometry = db.execute("SELECT column_name FROM gpkg_geometry_columns WHERE "
                              "table_name = 'sites'").fetchone()[0]
        db.execute("ALTER TABLE sites RENAME TO sites_t")
        listed = ", ".join(f'"{c}"' for c in columns)
        db.execute(f"CREATE VIEW sites AS SELECT {listed} FROM sites_t")
        db.execute("UPDATE gpkg_contents SET table_name = 'sites_t', identifier = 'sites_t' "
                   "WHERE table_name = 'sites'")
        db.execute("UPDATE gpkg_geometry_columns SET table_name = 'sites_t' "
                   "WHERE table_name = 'sites'")
        db.execute("DELETE FROM gpkg_contents WHERE table_name = 'sites_t'")
        db.execute("DELETE FROM gpkg_geometry_columns WHERE table_name = 'sites_t'")
        db.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) "
                   f"VALUES ('sites', 'features', 'sites', {BNG})")
        db.execute(f"INSERT INTO gpkg_geometry_columns VALUES ('sites', '{geometry}', "
                   f"'POINT', {BNG}, 0, 0)")
        db.commit()
    assert load_register(path).sites["lease_end"].tolist() == ["2031-03-31", "", ""]


def test_warnings_in_a_layer_name_features_by_their_fids(tmp_path: Path) -> None:
    """The warnings that name other rows (a type or a service spelt two ways) and a
    consistency warning (lat/lon columns beside the geometry) use fids as well."""
    tables = frames()
    tables["functions"].loc[2, "type"] = "hr"  # F3, fid 12; HR first at F1, fid 4
    tables["sites"].loc[2, "services"] = "Public access"  # S3, fid 30; S1 (fid 7) spells it
    register = load_register(_register(tmp_path / "reg.gpkg", tables))
    told = {(w.file, w.row, w.column): w for w in register.warnings}
    assert "but fid 4 spells it 'HR'" in told["reg.gpkg[functions]", 12, "type"].found
    assert "but fid 7 spells it 'public_access'" in told["reg.gpkg[sites]", 30, "services"].found
    assert all(" row " not in str(w) for w in register.warnings
               if w.file.startswith("reg.gpkg["))

    layer = tables["sites"].assign(fid=SITE_FIDS)  # columns beside the geometry
    layer.loc[1, "lat"] = SITES["lat"][1] + 0.3  # S2 (fid 17) 33 km north in a column
    gpd.GeoDataFrame(layer, geometry=gpd.points_from_xy(SITES["lon"], SITES["lat"]),
                     crs=4326).to_file(tmp_path / "reg.gpkg", layer="sites", engine="pyogrio")
    apart = [w for w in load_register(tmp_path / "reg.gpkg").warnings if w.column == "lat"]
    assert [(w.row, str(w).split(":")[0]) for w in apart] == [
        (17, "reg.gpkg[sites] fid 17, column lat")]


def test_a_fid_is_said_as_one_wherever_a_warning_is_shown() -> None:
    """The report's warnings table (read back from warnings.csv) and every message say
    "fid" for a layer's row, "row" for a CSV file's or a sheet's."""
    assert row_place(layer_label("reg.gpkg", "sites"), 17) == "fid 17"
    assert row_place("REG.GPKG[pair_costs]", 3, fid_column="") == "fid 3"
    assert row_place("reg.gpkg[sites]", 7, 30, fid_column="fid") == "fids 7, 30"
    assert row_place("reg.xlsx[sites]", 17) == "row 17"
    assert row_place("sites.csv", 2, 3) == "rows 2, 3"
    assert row_place("sites.csv", 17) == "row 17"
    assert _where(Problem("/a/b/reg.gpkg[sites]", 17, "lat", "x", "y", fid_column="")) == (
        "reg.gpkg[sites] fid 17, lat")
    assert _where(Problem("sites.csv", 5, "lat", "x", "y")) == "sites.csv row 5, lat"


def test_a_layer_whose_fid_column_is_named_otherwise_is_said_by_that_name(
        tmp_path: Path) -> None:
    """A layer ArcGIS wrote keeps its feature ids in a column `objectid`, and QGIS's
    attribute table heads it so: every error and warning at its features says
    "objectid 17", other rows named within one too ("first at objectid 4"); the
    layers of the usual kind (zones) still say "fid"."""
    tables = frames()
    tables["sites"]["desks"] = tables["sites"]["desks"].astype(object)
    tables["sites"].loc[1, "desks"] = "lots"  # S2, objectid 17
    tables["functions"].loc[2, "function_id"] = "F1"  # F3 (12) repeats F1 (4)
    tables["zones"]["population"] = tables["zones"]["population"].astype(object)
    tables["zones"].loc[1, "population"] = "many"  # the second zone, fid 2
    path = _register(tmp_path / "reg.gpkg", tables, fid="objectid")
    with sqlite3.connect(path) as db:  # the file itself, not the reader, says so
        columns = {name: primary for _, name, _, _, _, primary
                   in db.execute("PRAGMA table_info(sites)")}
        stored = [row for (row,) in db.execute("SELECT objectid FROM sites ORDER BY 1")]
    assert columns["objectid"] == 1 and "fid" not in columns and stored == SITE_FIDS
    assert pyogrio.read_info(path, layer="functions")["fid_column"] == "objectid"
    assert pyogrio.read_info(path, layer="zones")["fid_column"] == "fid"

    problems = problems_of(path)
    said = {(p.file, p.row, p.column): str(p) for p in problems}
    assert {"file": "reg.gpkg[sites]", "row": 17, "column": "desks", "label": "column"
            }.items() <= next(p.to_json() for p in problems if p.column == "desks").items()
    assert all(set(p.to_json()) == {"file", "row", "column", "label", "expected", "found"}
               for p in problems)  # --json as docs/formats.md has it: the row is the id
    assert said[("reg.gpkg[sites]", 17, "desks")].startswith(
        "reg.gpkg[sites] objectid 17, column desks: expected ")
    assert said[("reg.gpkg[functions]", 12, "function_id")] == (
        "reg.gpkg[functions] objectid 12, column function_id: expected a unique "
        "function_id, found 'F1' again (first at objectid 4)")
    assert said[("reg.gpkg[zones]", 2, "population")].startswith(
        "reg.gpkg[zones] fid 2, column population: ")
    assert sum(" fid " in text for text in said.values()) == 1


def test_warnings_and_warnings_csv_keep_a_layers_fid_column_name(tmp_path: Path) -> None:
    """A warning naming two features of an `objectid` layer says so on screen and, read
    back from warnings.csv as the board pack reads it, in the pack, and so does an error
    found checking the register against the scenario; "objectids 7, 30" for several."""
    tables = frames()
    tables["sites"].loc[2, "services"] = "Public access"  # S3, 30; S1 (7) spells it
    _register(tmp_path / "reg.gpkg", tables, fid="objectid")
    run = run_cli(tmp_path, "plan", _scenario(tmp_path, "reg.gpkg"), "--out", "out",
                  "--json")
    no_traceback(run)
    assert run.code == 0, run.output
    assert ("reg.gpkg[sites] objectid 30, column services: expected one spelling per "
            "service") in run.stderr, run.stderr
    assert "but objectid 7 spells it 'public_access'" in run.stderr
    with (tmp_path / "out" / "warnings.csv").open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert [(r["row"], r["fid_column"]) for r in rows if r["column"] == "services"] == [
        ("30", "objectid")]
    kept = [w for w in read_warnings(tmp_path / "out") or () if w.column == "services"]
    assert [_where(w) for w in kept] == ["reg.gpkg[sites] objectid 30, services"]
    # a problem found once the register is read, checking it against the scenario
    tables["sites"].loc[2, "services"] = "public_acess"
    _register(tmp_path / "spelt.gpkg", tables, fid="objectid")
    rule = [{"service": "public_access", "radius_km": 50, "mode": "maintain"}]
    run = invoke(tmp_path, "plan", _scenario(tmp_path, "spelt.gpkg", coverage=rule))
    assert run.code == 1 and "spelt.gpkg[sites] objectid 30, column services: expected the " \
        "spelling of coverage rule coverage.0" in run.output, run.output
    assert row_place(layer_label("reg.gpkg", "sites", "objectid"), 7, 30) == "objectids 7, 30"
    assert row_place("reg.gpkg[sites]", 7, 30, fid_column="objectid") == "objectids 7, 30"
    assert row_place(layer_label("reg.gpkg", "sites", "FID"), 7) == "fid 7"
    assert row_place(layer_label("reg.xlsx", "sites", "objectid"), 7) == "row 7"


def test_a_layer_label_made_text_again_keeps_its_fid_column_or_is_refused() -> None:
    """A layer label made plain text by an f-string (as `estate compare` puts a
    register's path before it) has lost what the label knew: a problem made from the
    label and then given such a file still says "objectid 17", and one given a path the
    same way with the column carried says it too; a problem or a place at a row made from
    the plain text alone is refused (`LayerLabelLost`), never said as "fid 17"."""
    label = layer_label("reg.gpkg", "sites", "objectid")
    text = f"{label}"
    assert text == "reg.gpkg[sites]" and type(text) is str
    problem = Problem(label, 17, "desks", "a number", "'lots'")
    moved = dataclasses.replace(problem, file=f"regA/{problem.file}")
    assert str(moved) == ("regA/reg.gpkg[sites] objectid 17, column desks: expected a "
                          "number, found 'lots'")
    assert str(Problem(text, 17, "desks", "a number", "'lots'", fid_column=label.fid_column)
               ).startswith("reg.gpkg[sites] objectid 17, ")
    with pytest.raises(LayerLabelLost, match=r"reg\.gpkg\[sites\].*fid_column"):
        Problem(text, 17, "desks", "a number", "'lots'")
    with pytest.raises(LayerLabelLost):
        row_place(text, 17)
    with pytest.raises(LayerLabelLost):
        row_place(label + "", 17)
    # a whole layer (no row) or any other file needs no FID column
    assert str(Problem(text, None, "geometry", "a CRS", "none")).startswith(
        "reg.gpkg[sites], column geometry: ")
    assert str(Problem("sites.csv", 3, "desks", "a number", "'lots'")).startswith(
        "sites.csv row 3, ")


def test_the_errors_of_two_objectid_layers_compared_keep_their_fid_column(
        tmp_path: Path) -> None:
    """Two GeoPackages reg.gpkg in two folders, ArcGIS's (`objectid`), with one slip at
    the same feature: `estate compare` names each by its folder (its label made text
    again) and still says "objectid 17", as the file holds it (read here with sqlite)."""
    tables = frames()
    tables["sites"]["desks"] = tables["sites"]["desks"].astype(object)
    tables["sites"].loc[1, "desks"] = "lots"  # S2, objectid 17
    paths = []
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        _register(tmp_path / name / "reg.gpkg", tables, fid="objectid")
        paths.append(_scenario(tmp_path / name, "reg.gpkg", name=name))
    run = invoke(tmp_path, "compare", *paths, "--out", "cmp")
    assert run.code == 1, run.output
    no_traceback(run)
    for name in ("one", "two"):
        assert (f"  - {name}/reg.gpkg[sites] objectid 17, column desks: expected "
                in run.stderr), run.stderr
        with sqlite3.connect(tmp_path / name / "reg.gpkg") as db:
            (desks,) = db.execute("SELECT desks FROM sites WHERE objectid = 17").fetchone()
        assert desks == "lots"


def test_an_empty_geometry_names_its_feature_and_id(tmp_path: Path) -> None:
    """No point (NULL) and an empty point are each an error at the feature's fid,
    naming its site_id, saying how to fix it; a feature with no id is named by fid, and
    so it is where an unknown id elsewhere may be its."""
    tables = frames()
    tables["sites"].loc[2, "site_id"] = None  # fid 30: no id (an error of its own)
    points = _grid_points()
    geometry = [shapely.Point(points[0]), None, shapely.Point()]
    problems = problems_of(_register(tmp_path / "reg.gpkg", tables, geometry))
    shapes = {p.row: p for p in problems if p.column == "geometry"}
    assert set(shapes) == {17, 30}
    assert str(shapes[17]) == (
        "reg.gpkg[sites] fid 17, column geometry: expected a Point, found an empty "
        "geometry for site_id `S2`: give the feature its point (in QGIS, Add Part with "
        "the layer in edit mode), or delete the feature")
    assert shapes[30].found.startswith("an empty geometry: give the feature its point")
    assert ("reg.gpkg[sites]", 30, "site_id") in {(p.file, p.row, p.column) for p in problems}
    # the pair cost naming S3 points at the feature with no id, by its fid
    lost = [p for p in problems if p.file == "reg.gpkg[pair_costs]"]
    assert [(p.row, p.column) for p in lost] == [(1, "site_id")]
    assert "(not listed: reg.gpkg[sites] fid 30 has no site_id; is it that one?)" in lost[0].found
    assert all(" row " not in str(p) for p in problems)


def test_a_point_with_no_coordinates_is_named_at_its_geometry(tmp_path: Path) -> None:
    """A point with one coordinate NaN or infinite, as a script may write it, is not
    empty (GeoPackage's empty point is NaN in both): it is said at the feature's
    geometry, once, not as a `lon` column the layer does not have."""
    points = _grid_points()
    geometry = [shapely.Point(points[0]), shapely.Point(points[1][0], np.nan),
                shapely.Point(points[2][0], np.inf)]
    problems = problems_of(_register(tmp_path / "reg.gpkg", geometry=geometry))
    assert [(p.row, p.column) for p in problems] == [(17, "geometry"), (30, "geometry")]
    assert problems[0].found == (
        "a Point whose coordinates are not numbers (NaN or infinity) for site_id `S2`: put "
        "the feature where it belongs (in QGIS, the Vertex tool), or delete it")


def test_a_multipoint_of_one_point_is_that_point(tmp_path: Path) -> None:
    """QGIS's default MultiPoint layer, each feature one point: read as those points,
    kept in the layer's own CRS for distances exactly as Points are, lat/lon alike."""
    points = _grid_points()
    multi = _register(tmp_path / "multi.gpkg", geometry=[shapely.MultiPoint([p]) for p in points])
    assert pyogrio.read_info(multi, layer="sites")["geometry_type"] == "MultiPoint"
    single = _register(tmp_path / "single.gpkg")
    got, want = load_register(multi), load_register(single)
    assert got.site_points is not None and got.site_points.crs.to_epsg() == BNG
    assert got.site_points.geom_type.tolist() == ["Point"] * 3
    assert list(zip(got.site_points.x, got.site_points.y, strict=True)) == points
    assert got.site_points.index.tolist() == SITES["site_id"]
    pd.testing.assert_frame_equal(got.sites, want.sites)
    np.testing.assert_allclose(got.sites["lat"], SITES["lat"], atol=1e-7)
    # distances in the layer's CRS are measured on its own coordinates, untouched
    placed = project(got.sites.reset_index(drop=True), f"EPSG:{BNG}", got.site_points, "site_id")
    assert list(zip(placed["x"], placed["y"], strict=True)) == points


def test_a_multipoint_of_several_points_or_a_line_is_an_error_with_a_fix(tmp_path: Path) -> None:
    points = _grid_points()
    geometry = [shapely.MultiPoint([points[0]]),
                shapely.MultiPoint([points[1], points[2]]),
                shapely.LineString([points[0], points[2]])]
    problems = problems_of(_register(tmp_path / "reg.gpkg", geometry=geometry))
    assert {(p.row, p.column) for p in problems} == {(17, "geometry"), (30, "geometry")}
    by_fid = {p.row: str(p) for p in problems}
    assert by_fid[17] == (
        "reg.gpkg[sites] fid 17, column geometry: expected a Point, found a MultiPoint of 2 "
        "points for site_id `S2`: keep the one point where it is (delete the other parts), "
        "or split the layer with QGIS's Multipart to singleparts and give each feature its "
        "own id")
    assert by_fid[30] == (
        "reg.gpkg[sites] fid 30, column geometry: expected a Point, found a LineString for "
        "site_id `S3`: give the feature a Point geometry (in QGIS, Centroids turns a "
        "layer's shapes into points)")


def _scenario(folder: Path, data: str, **changes: object) -> Path:
    return write_scenario(folder / "tiny.toml", {
        "name": "tiny", "data": data, "crs": f"EPSG:{BNG}", "sharing": {"types": []},
        "relocation": {"cost_per_fte": 1000, "max_km": 100},
        "solver": {"name": "highs", "time_limit_s": 30}, **changes})


def test_validate_and_plan_on_a_qgis_layer_end_to_end(tmp_path: Path) -> None:
    """`estate validate` and `estate plan` as a user runs them: a single-part MultiPoint
    layer plans (exit 0); a MultiPoint of two points is exit 1 naming the fid and the fix;
    a site spelling a coverage rule's service otherwise is exit 1 at its fid; never a
    traceback."""
    points = _grid_points()
    _register(tmp_path / "good.gpkg", geometry=[shapely.MultiPoint([p]) for p in points])
    checked = run_cli(tmp_path, "validate", "good.gpkg")
    no_traceback(checked)
    assert checked.code == 0, checked.output
    planned = run_cli(tmp_path, "plan", _scenario(tmp_path, "good.gpkg"), "--out", "out")
    no_traceback(planned)
    assert planned.code == 0, planned.output
    assert (tmp_path / "out" / "summary.json").is_file()

    _register(tmp_path / "bad.gpkg", geometry=[shapely.MultiPoint([points[0]]),
                                              shapely.MultiPoint(points[1:]),
                                              shapely.Point(points[2])])
    for args in (("validate", "bad.gpkg"), ("plan", _scenario(tmp_path, "bad.gpkg"))):
        run = run_cli(tmp_path, *args)
        no_traceback(run)
        assert run.code == 1, run.output
        assert "bad.gpkg[sites] fid 17, column geometry: expected a Point, found a " \
               "MultiPoint of 2 points for site_id `S2`" in run.output
        assert "Multipart to singleparts" in run.output

    tables = frames()
    tables["sites"].loc[2, "services"] = "public_acess"  # S3, fid 30: not the rule's
    _register(tmp_path / "spelt.gpkg", tables)
    rule = [{"service": "public_access", "radius_km": 50, "mode": "maintain"}]
    run = run_cli(tmp_path, "plan", _scenario(tmp_path, "spelt.gpkg", coverage=rule))
    no_traceback(run)
    assert run.code == 1, run.output
    assert "spelt.gpkg[sites] fid 30, column services:" in run.output


def test_an_empty_or_non_sqlite_file_is_named_for_what_it_is(tmp_path: Path) -> None:
    """Not the reader's words (`DataSourceError: ... not recognized as being in a supported
    file format ... 'CSV:path'`), but what the file is and how to make a GeoPackage."""
    (tmp_path / "empty.gpkg").write_bytes(b"")
    (tmp_path / "sites.gpkg").write_text("site_id,agency_id\nS1,A\n", encoding="utf-8")
    for name, found in (("empty.gpkg", "found an empty file (0 bytes)"),
                        ("sites.gpkg", "found a file that is not a GeoPackage (the SQLite")):
        run = invoke(tmp_path, "validate", name)
        assert run.code == 1, run.output
        assert f"{name}: expected a GeoPackage, {found}" in run.output, run.output
        assert "save them again as a GeoPackage" in run.output
        assert "DataSourceError" not in run.output and "CSV:" not in run.output
        no_traceback(run)


def test_a_workbook_or_geojson_renamed_gpkg_is_refused_not_read_by_another_driver(
        tmp_path: Path) -> None:
    """GDAL would read a workbook named .gpkg as a workbook and a GeoJSON as GeoJSON, past
    the checks estate makes of each (a workbook's hidden sheets, its header row): each is
    said for what it is, exit 1, and nothing is planned."""
    write_xlsx(tmp_path / "book.xlsx", frames()).rename(tmp_path / "book.gpkg")
    sites = frames()["sites"]
    gpd.GeoDataFrame(sites, geometry=gpd.points_from_xy(sites["lon"], sites["lat"]),
                     crs=4326).to_file(tmp_path / "sites.geojson", driver="GeoJSON")
    (tmp_path / "sites.geojson").rename(tmp_path / "shapes.gpkg")
    for name, found in (("book.gpkg", "found a zip file, not a GeoPackage (an Excel "
                                      "workbook renamed .gpkg?): give a workbook its .xlsx"),
                        ("shapes.gpkg", "found a JSON file, not a GeoPackage (GeoJSON "
                                        "renamed .gpkg?)")):
        run = run_cli(tmp_path, "plan", _scenario(tmp_path, name))
        no_traceback(run)
        assert run.code == 1, run.output
        assert f"{name}: expected a GeoPackage, {found}" in run.output, run.output
        assert not (tmp_path / "results").exists()


def test_an_sqlite_database_that_is_no_geopackage_is_named_for_what_it_is(
        tmp_path: Path) -> None:
    """An SQLite file named .gpkg without a GeoPackage's own tables (one ordinary table;
    SpatiaLite's; none) says what it is and how QGIS makes a GeoPackage of it, through
    `estate validate` and `estate plan` alike (exit 1), not GDAL's words; a GeoPackage
    is still read."""
    made = {"table.gpkg": ["CREATE TABLE sites (site_id TEXT)",
                           "INSERT INTO sites VALUES ('S1')"],
            "spatialite.gpkg": ["CREATE TABLE geometry_columns (f_table_name TEXT)",
                                "CREATE TABLE spatial_ref_sys (srid INTEGER)",
                                "CREATE TABLE sites (site_id TEXT)"],
            "bare.gpkg": ["PRAGMA user_version = 1"]}
    for name, statements in made.items():
        with contextlib.closing(sqlite3.connect(tmp_path / name)) as db:
            for statement in statements:
                db.execute(statement)
            db.commit()
    qgis = ("add its tables to QGIS (Layer > Add Layer > Add Vector Layer) and save each "
            "as a layer of one GeoPackage (Export > Save Features As..., format GeoPackage)")
    cases = {
        "table.gpkg": "an SQLite database that is not a GeoPackage (it holds the tables "
                      "sites, but no gpkg_contents or gpkg_spatial_ref_sys, which every "
                      f"GeoPackage holds): {qgis}",
        "spatialite.gpkg": f"a SpatiaLite database, not a GeoPackage, named .gpkg: {qgis}",
        "bare.gpkg": "an SQLite database with no tables, not a GeoPackage: export the "
                     "register's layers from QGIS as a GeoPackage",
    }
    for name, found in cases.items():
        for args in (("validate", name), ("plan", _scenario(tmp_path, name))):
            run = invoke(tmp_path, *args)
            assert run.code == 1, run.output
            assert f"{name}: expected a GeoPackage, found {found}" in run.output, run.output
            assert "DataSourceError" not in run.output and "required" not in run.output
            no_traceback(run)
    assert invoke(tmp_path, "validate", _register(tmp_path / "reg.gpkg")).code == 0


def test_an_id_column_kept_as_the_layers_fid_is_read_as_that_column(tmp_path: Path) -> None:
    """A layer whose integer ids are its FID column (`site_id INTEGER PRIMARY KEY`, as
    `ogr2ogr -lco FID=site_id` or QGIS's Save As with FID = site_id writes it) shows
    site_id in QGIS's attribute table: it is read as the site_id column, with the ids the
    file holds (read here with sqlite), so the teams at 7 and 17 are housed there; a slip
    at a feature is named by that id, as QGIS heads the column."""
    tables = frames()
    ids = dict(zip(SITES["site_id"], SITE_FIDS, strict=True))  # S1 -> 7, S2 -> 17, S3 -> 30
    tables["sites"]["site_id"] = SITE_FIDS
    tables["functions"]["site_id"] = tables["functions"]["site_id"].map(ids)
    tables["pair_costs"]["site_id"] = tables["pair_costs"]["site_id"].map(ids)
    path = tmp_path / "reg.gpkg"
    to_grid = Transformer.from_crs(4326, BNG, always_xy=True)
    for name, key in (("sites", "site_id"), ("zones", "zone_id")):
        frame = tables[name]
        x, y = to_grid.transform(frame["lon"].to_numpy(), frame["lat"].to_numpy())
        gpd.GeoDataFrame(frame.drop(columns=["lat", "lon"]), geometry=gpd.points_from_xy(x, y),
                         crs=BNG).to_file(path, layer=name, engine="pyogrio",
                                          layer_options={"FID": key})
    for name in ("agencies", "functions", "pair_costs"):
        pyogrio.write_dataframe(tables[name], path, layer=name)
    with contextlib.closing(sqlite3.connect(path)) as db:
        columns = {name: primary for _, name, _, _, _, primary
                   in db.execute("PRAGMA table_info(sites)")}
        stored = [row for (row,) in db.execute("SELECT site_id FROM sites ORDER BY 1")]
    assert columns["site_id"] == 1 and "fid" not in columns and stored == SITE_FIDS

    register = load_register(path)
    assert register.sites["site_id"].tolist() == ["7", "17", "30"]
    assert register.zones["zone_id"].tolist() == ["12", "13"]
    assert register.functions["site_id"].tolist()[:2] == ["7", "17"]
    assert register.pair_costs["site_id"].tolist() == ["30"]
    assert register.sites["name"].tolist() == SITES["name"]  # each id beside its own row

    tables["sites"]["desks"] = tables["sites"]["desks"].astype(object)
    tables["sites"].loc[1, "desks"] = "lots"  # site 17
    frame = tables["sites"]
    x, y = to_grid.transform(frame["lon"].to_numpy(), frame["lat"].to_numpy())
    gpd.GeoDataFrame(frame.drop(columns=["lat", "lon"]), geometry=gpd.points_from_xy(x, y),
                     crs=BNG).to_file(path, layer="sites", engine="pyogrio",
                                      layer_options={"FID": "site_id"})
    run = invoke(tmp_path, "validate", path)
    assert run.code == 1, run.output
    assert "reg.gpkg[sites] site_id 17, column desks: expected " in run.output, run.output
    assert "expected a column named site_id" not in run.output
    no_traceback(run)
