"""plan.gpkg: a plan's layers and tables for QGIS (docs/formats.md).

Every layer keeps its type whatever the plan holds: `sites`, `zones` and `programme`
are points and `moves` lines even with no row (a layer written empty would otherwise be
of no declared type, which QGIS shows as a table); the tables `assignments`, `coverage`
and `agencies` are written with their columns when they have no row, as their CSV files
are; `programme`'s `date` is a Date field (QGIS's Temporal Controller reads it), not text.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.raw
import shapely

from estate.load.geopackage import readable
from estate.results import Plan
from estate.results.words import plan_quality
from estate.store.folder import umask

CRS = "EPSG:4326"
TABLE_LAYERS = ("assignments", "coverage", "agencies")
"""The plain tables plan.gpkg holds beside its layers (no geometry)."""


def read_zone_areas(folder: Path) -> gpd.GeoDataFrame | None:
    """The zones' own shapes as `write_gpkg` stores them (layer zone_areas of the
    folder's plan.gpkg), or None when the folder has none."""
    gpkg = Path(folder) / "plan.gpkg"
    if not gpkg.exists():
        return None
    with readable(gpkg) as source:
        if "zone_areas" not in {str(name) for name, _ in pyogrio.list_layers(source)}:
            return None
        return gpd.read_file(source, layer="zone_areas")


def zone_shapes(plan: Plan) -> gpd.GeoSeries | None:
    """The polygons of the plan's zones, indexed by zone_id, when the register had them:
    the plan's own (a national plan gathers its areas'), else its prepared register's."""
    if plan.zone_shapes is not None:
        return plan.zone_shapes
    return plan.prepared.zone_shapes if plan.prepared is not None else None


def described(plan: Plan) -> dict[str, str]:
    """Every layer's description (gpkg_contents, which QGIS shows with the layer's
    information): the scenario and how good its plan is, as the terminal says it, so
    that a layer opened on its own in QGIS does not show an unproven plan's savings as
    if they were proven."""
    s = plan.summary
    return {"DESCRIPTION": f"{' '.join(s.scenario.split())}: {plan_quality(s)[0]} "
                           "(results folder's summary.json)"}


def _write_layer(frame: pd.DataFrame, geometry: Any, path: Path, layer: str,
                 geometry_type: str, options: dict[str, str]) -> None:
    """One layer of `geometry_type` (declared, so an empty layer keeps it)."""
    gpd.GeoDataFrame(frame.reset_index(drop=True), geometry=geometry, crs=CRS).to_file(
        path, layer=layer, driver="GPKG", engine="pyogrio", geometry_type=geometry_type,
        layer_options=options)


def _points(frame: pd.DataFrame) -> Any:
    return gpd.points_from_xy(frame["lon"].to_numpy(float), frame["lat"].to_numpy(float))


def _field(column: pd.Series) -> np.ndarray:
    """A column as the GeoPackage field it becomes: numbers and flags as they are, text
    as text (a blank cell stays blank)."""
    if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
        return column.to_numpy()
    return column.astype(object).where(column.notna(), None).to_numpy(object)


def write_programme_layer(plan: Plan, path: Path) -> None:
    """The programme's actions at their site's point (no geometry when the site is not
    in the plan's sites, e.g. a team placed with no site named), `date` a Date field.

    geopandas writes a date as text or a date-and-time; numpy's day-precision dates
    written through pyogrio's own writer become GDAL's Date fields."""
    assert plan.programme is not None
    actions = plan.programme.actions.reset_index(drop=True)
    pos = plan.sites.drop_duplicates("site_id").set_index("site_id")[["lon", "lat"]]
    xy = pos.reindex(actions["site_id"]).to_numpy(float).reshape(-1, 2)
    geometry = shapely.points(np.nan_to_num(xy))
    geometry[~np.isfinite(xy).all(axis=1)] = None
    fields = [pd.to_datetime(actions[name], format="%Y-%m-%d", errors="coerce")
              .to_numpy("datetime64[D]") if name == "date" else _field(actions[name])
              for name in actions.columns]
    pyogrio.raw.write(path, geometry=shapely.to_wkb(geometry), field_data=fields,
                      fields=[str(name) for name in actions.columns], layer="programme",
                      driver="GPKG", geometry_type="Point", crs=CRS,
                      layer_options=described(plan))


def write_gpkg(plan: Plan, path: Path) -> None:
    """One GeoPackage for QGIS: sites and zones as points, moves as lines, the zones'
    own polygons when the register had them, the programme's actions as points when the
    plan was scheduled, and its tables beside, each written even when it is empty, and
    each described by how good the plan is (`described`)."""
    options = described(plan)
    _write_layer(plan.sites, _points(plan.sites), path, "sites", "Point", options)
    zones = plan.zones
    if len(plan.coverage):
        wide = plan.coverage.pivot_table(index="zone_id", columns="rule",
                                         values=["covered_before", "covered_after"],
                                         aggfunc="first")
        # rule by rule, before then after: covered_before_0, covered_after_0, ...
        wide = wide[sorted(wide.columns, key=lambda c: (c[1], c[0] == "covered_after"))]
        wide.columns = [f"{a}_{b}" for a, b in wide.columns]
        zones = zones.merge(wide.astype(bool).reset_index(), on="zone_id", how="left")
    _write_layer(zones, _points(zones), path, "zones", "Point", options)
    pos = plan.sites.drop_duplicates("site_id").set_index("site_id")[["lon", "lat"]]
    assignments = plan.assignments
    moves = assignments[(assignments["from_site"] != "")
                        & (assignments["from_site"] != assignments["to_site"])]
    a = pos.reindex(moves["from_site"]).to_numpy(float).reshape(-1, 2)
    b = pos.reindex(moves["to_site"]).to_numpy(float).reshape(-1, 2)
    lines = shapely.linestrings(np.stack([a, b], axis=1)) if len(moves) else []
    _write_layer(moves, lines, path, "moves", "LineString", options)
    shapes = zone_shapes(plan)
    if shapes is not None:
        gpd.GeoDataFrame({"zone_id": shapes.index.astype(str)}, geometry=shapes.to_numpy(),
                         crs=CRS).to_file(path, layer="zone_areas", driver="GPKG",
                                          engine="pyogrio", layer_options=options)
    for name in TABLE_LAYERS:
        pyogrio.write_dataframe(getattr(plan, name), path, layer=name, driver="GPKG",
                                layer_options=options)
    if plan.programme is not None:
        write_programme_layer(plan, path)
    # SQLite makes its file rw-r--r-- whatever the umask: as the folder's other files,
    # so that a group sharing the drive may edit its layers in QGIS under umask 002
    os.chmod(path, 0o666 & ~umask())
