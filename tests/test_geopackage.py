"""A register given as a GeoPackage, as a QGIS user sends it (estate.load.layers): rows
named by their feature id (fid), not by position."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from pyproj import Transformer

from estate.errors import Problem, row_place
from estate.load.validate import load_register
from estate.render.report_reference import _where
from tests.fixtures.reference import SITES, frames, problems_of

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
              geometry: list | None = None) -> Path:
    """The reference register as a GeoPackage in EPSG:27700, its sites and functions
    features numbered by `SITE_FIDS` and `FUNCTION_FIDS`; `geometry` the sites' (Points
    at the reference positions when None)."""
    tables = tables or frames()
    to_grid = Transformer.from_crs(4326, BNG, always_xy=True)
    for name in ("sites", "zones"):
        frame = tables[name]
        x, y = to_grid.transform(frame["lon"].to_numpy(), frame["lat"].to_numpy())
        shapes = (geometry if name == "sites" and geometry is not None
                  else list(gpd.points_from_xy(x, y)))
        layer = frame.drop(columns=["lat", "lon"])
        if name == "sites":
            layer.insert(0, "fid", SITE_FIDS)
        gpd.GeoDataFrame(layer, geometry=shapes, crs=BNG).to_file(
            path, layer=name, engine="pyogrio")
    for name in ("agencies", "functions", "pair_costs"):
        frame = tables[name]
        if name == "functions":
            frame = frame.assign(fid=FUNCTION_FIDS)
        pyogrio.write_dataframe(frame, path, layer=name)
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
    assert row_place("reg.gpkg[sites]", 17) == "fid 17"
    assert row_place("REG.GPKG[pair_costs]", 3) == "fid 3"
    assert row_place("reg.gpkg[sites]", 7, 30) == "fids 7, 30"
    assert row_place("reg.xlsx[sites]", 17) == "row 17"
    assert row_place("sites.csv", 2, 3) == "rows 2, 3"
    assert row_place("sites.csv", 17) == "row 17"
    assert _where(Problem("/a/b/reg.gpkg[sites]", 17, "lat", "x", "y")) == (
        "reg.gpkg[sites] fid 17, lat")
    assert _where(Problem("sites.csv", 5, "lat", "x", "y")) == "sites.csv row 5, lat"
