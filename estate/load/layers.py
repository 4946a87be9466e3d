"""A register given as a GeoPackage: each table a layer of its name, read into the same
raw tables as a CSV folder or a workbook (`estate.load.read`), and the sites' and zones'
lat/lon taken from their geometry (a zone's polygon kept for maps; the points kept too,
as the layer holds them, for distances measured in its own CRS). A layer's rows are
numbered by their feature id (fid), as QGIS shows them, not by position: every problem
at a row names the fid (`estate.errors.row_place`), by the name the layer gives its FID
column (`objectid 17` in a layer ArcGIS wrote), which the layer's label carries
(`estate.errors.LayerLabel`) to every problem made with it. Nothing raised by pyogrio leaves
this module: an unreadable layer is a `Problem` like any other.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import sqlite3
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from estate.errors import LayerLabel, Problem, as_typed, cannot_read, first_few, layer_label
from estate.load.geopackage import readable
from estate.load.grid_crs import check_layer_crs, grid_under_degrees
from estate.load.header import column_name
from estate.load.raw import RawRegister, RawTable, describe, table_of
from estate.load.schema import POINT_TABLES, TABLES
from estate.load.table_names import by_table_name, missing, several, table_name, unread
from estate.load.workbook import strings


def read_geopackage(path: Path) -> RawRegister:
    """Layers of the table names; sites and zones take lat/lon from their geometry."""
    raw = RawRegister(path, {name: layer_label(path.name, name) for name in TABLES})
    try:
        with readable(path) as source:
            _read_layers(raw, source)
    except OSError as error:  # the copy a path with '!' is read from
        raw.problems.append(Problem(path.name, None, None, "a GeoPackage", describe(error)))
    return raw


SQLITE_START = b"SQLite format 3\x00"  # the first bytes of every SQLite file, so of a GeoPackage


def not_a_geopackage(path: Path) -> str | None:
    """What the file at `path` is instead of a GeoPackage, with how to fix it, when its
    first bytes show it (empty, or not an SQLite file) or its tables do (an SQLite
    database without a GeoPackage's own tables, `_sqlite_not_a_geopackage`), or it
    cannot be opened (`cannot_read`: a permission, a folder in its place); None when
    none of these (a damaged GeoPackage, whose reader's own words say more)."""
    try:
        with open(path, "rb") as file:
            head = file.read(len(SQLITE_START))
    except OSError as error:  # a permission, a folder in its place
        return cannot_read(error)
    fix = ("open the layers in QGIS and save them again as a GeoPackage (Export > Save "
           "Features As..., format GeoPackage)")
    if not head:
        return f"an empty file (0 bytes): {fix}, or give the register's folder of CSV files"
    if head.startswith(b"PK\x03\x04"):
        return ("a zip file, not a GeoPackage (an Excel workbook renamed .gpkg?): give a "
                f"workbook its .xlsx name, or {fix}")
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        return f"a JSON file, not a GeoPackage (GeoJSON renamed .gpkg?): {fix}"
    if head != SQLITE_START:
        return ("a file that is not a GeoPackage (the SQLite file QGIS writes; a CSV or "
                f"other file renamed .gpkg?): {fix}")
    return _sqlite_not_a_geopackage(path)


_GEOPACKAGE_TABLES = ("gpkg_contents", "gpkg_spatial_ref_sys")
"""The tables every GeoPackage holds, which GDAL looks for to read one."""


def _sqlite_not_a_geopackage(path: Path) -> str | None:
    """What the SQLite database at `path` is, when it lacks a GeoPackage's own tables
    (`_GEOPACKAGE_TABLES`): a SpatiaLite database, or an ordinary one, named by the
    first few tables it holds, with how to make a GeoPackage of it. None when it has
    them, or cannot be opened to tell (read only: nothing is written beside it)."""
    try:
        with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro",
                                                uri=True)) as database:
            tables = [str(name) for (name,) in database.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                "AND name NOT LIKE 'sqlite%' ORDER BY name")]
    except sqlite3.DatabaseError as error:
        if isinstance(error, sqlite3.OperationalError):  # locked, say: not the file's fault
            return None
        # "database disk image is malformed": its pages do not hold together
        return ("a damaged GeoPackage (its database cannot be read: cut short by a download "
                "or a copy?): copy it again, or open it in QGIS and save its layers as a "
                "new GeoPackage (Export > Save Features As..., format GeoPackage)")
    except (sqlite3.Error, OSError, ValueError):
        return None
    lacking = [t for t in _GEOPACKAGE_TABLES if t not in tables]
    if not lacking:
        return None
    fix = ("add its tables to QGIS (Layer > Add Layer > Add Vector Layer) and save each as "
           "a layer of one GeoPackage (Export > Save Features As..., format GeoPackage)")
    if not tables:
        return ("an SQLite database with no tables, not a GeoPackage: export the register's "
                "layers from QGIS as a GeoPackage (Export > Save Features As..., format "
                "GeoPackage), or give the register's folder of CSV files")
    if "geometry_columns" in tables and "spatial_ref_sys" in tables:
        return f"a SpatiaLite database, not a GeoPackage, named .gpkg: {fix}"
    shown = ["".join(c if c.isprintable() else "?" for c in t[:60]) for t in tables[:4]]
    held = first_few(shown, 4, len(tables))
    return (f"an SQLite database that is not a GeoPackage (it holds the tables {held}, "
            f"but no {' or '.join(lacking)}, which every GeoPackage holds): {fix}")


def _read_layers(raw: RawRegister, source: Path) -> None:
    """The register's tables from the GeoPackage at `source` (the register's own path, or
    the copy `readable` made of it, which a message names as the register) into `raw`."""
    import pyogrio

    def told(error: Exception) -> str:
        return describe(error).replace(str(source), str(raw.source))

    # by its first bytes before GDAL's drivers: GDAL would read a workbook or a GeoJSON
    # renamed .gpkg as what it is, past the checks estate makes of each
    if instead := not_a_geopackage(source):
        raw.problems.append(Problem(raw.source.name, None, None, "a GeoPackage", instead))
        return
    try:
        with warnings.catch_warnings():  # GDAL's own words on an SQLite file that is no
            warnings.simplefilter("ignore")  # GeoPackage ("bad application_id")
            names = [str(n) for n, _ in pyogrio.list_layers(source)]
    except Exception as error:
        raw.problems.append(Problem(raw.source.name, None, None, "a GeoPackage",
                                    told(error)))
        return
    layers = by_table_name(names)
    others = [n for n in names if table_name(n) not in TABLES]
    raw.problems += unread("layer", others, {n: f"{raw.source.name}[{n}]" for n in others},
                           {name: layers[name][0] for name in TABLES
                            if len(layers.get(name, [])) == 1})
    for name, spec in TABLES.items():
        label = raw.files[name]
        if name not in layers:
            if spec.required:
                raw.problems.append(Problem(label, None, None, f"a layer named {name}",
                                            missing("layer", name, names)))
            continue
        if len(layers[name]) > 1:
            raw.problems.append(several(label, "layer", name, layers[name]))
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                info = pyogrio.read_info(source, layer=layers[name][0])
                fields = [str(f) for f in info["fields"]]
                fid_column = str(info.get("fid_column") or "fid")
                # a date field is taken as the file holds it (`_as_stored`): GDAL makes
                # no date of `31/03/2029`, and fails the layer on `2030-02-30`; not in a
                # layer whose features SQLite cannot name by their fids (a view without
                # one), which GDAL reads as it always did
                stored = _has_column(source, layers[name][0], fid_column)
                dates = {f: str(kind) for f, kind in zip(fields, info["dtypes"], strict=True)
                         if stored and str(kind).startswith("datetime")}
                layer = pyogrio.read_dataframe(
                    source, layer=layers[name][0], fid_as_index=True,
                    columns=[f for f in fields if f not in dates])
            if stored:
                layer = _as_stored(layer, source, layers[name][0], fid_column, fields, dates)
        except Exception as error:
            raw.problems.append(Problem(label, None, None, "a readable layer", told(error)))
            continue
        label = raw.files[name] = layer_label(raw.source.name, name, fid_column)
        try:
            _add_layer(raw, name, label, _with_fid_column(layer, fid_column, spec.names))
        except Exception as error:  # e.g. a CRS that cannot be reprojected
            raw.problems.append(Problem(label, None, None, "a usable layer", told(error)))


def _has_column(source: Path, table: str, column: str) -> bool:
    """Whether the GeoPackage's table (or view) `table` has a column `column` (its FID
    column, say: a view may have none, and SQLite reads a quoted name no column has as
    a text). False when SQLite cannot tell (the file locked, say): GDAL's reading then."""
    try:
        with contextlib.closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro",
                                                uri=True)) as database:
            names = [str(row[1]).casefold()
                     for row in database.execute(f"PRAGMA table_info({_quoted(table)})")]
    except sqlite3.Error:
        return False
    return column.casefold() in names


def _as_stored(layer: pd.DataFrame, source: Path, table: str, fid_column: str,
               fields: list[str], dates: dict[str, str]) -> pd.DataFrame:
    """The layer with its date fields (`dates`, left out of GDAL's reading) as the file
    holds them, and each number or boolean field's cells that hold text given as that
    text, its fields in the layer's order. SQLite keeps text in a field declared INTEGER
    or REAL (`'1,500,000'`, `'lots'`), as a script or another tool may write it, and
    GDAL reads such a cell as the number its first digits make (1, or 0); a DATE field
    GeoPackage keeps as text, and GDAL reads `31/03/2029` as no date. Read so, a plan
    would run on figures nobody typed, or without a lease's end. As stored, each cell is
    checked as a CSV's is ("found '1,500,000': write 1500000", "write it as
    2029-03-31"); a DATETIME field's midnight is its day (`dates`: each date field's
    kind, `datetime64[D]` for a DATE)."""
    numeric = [c for c in layer.columns if c in fields
               and pd.api.types.is_numeric_dtype(layer[c])]
    held = " OR ".join([f"typeof({_quoted(c)}) IN ('text', 'blob')" for c in numeric]
                       + [f"{_quoted(c)} IS NOT NULL" for c in dates])
    rows = []
    if held:
        with contextlib.closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro",
                                                uri=True)) as database:
            rows = database.execute(
                f"SELECT {_quoted(fid_column)}, {', '.join(map(_quoted, [*numeric, *dates]))} "
                f"FROM {_quoted(table)} WHERE {held}").fetchall()
    layer = layer.copy()
    for column in dates:
        layer[column] = pd.Series(None, index=layer.index, dtype=object)
    for row in rows:
        if row[0] not in layer.index:
            continue
        for column, value in zip([*numeric, *dates], row[1:], strict=True):
            if column in numeric and not isinstance(value, str | bytes) or value is None:
                continue
            if layer[column].dtype != object:
                layer[column] = layer[column].astype(object)
            text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
            midnight = column in dates and not dates[column].endswith("[D]")
            layer.at[row[0], column] = _MIDNIGHT.sub(r"\1", text) if midnight else text
    geometry = [c for c in layer.columns if c not in fields]
    return layer[[*fields, *geometry]]


_MIDNIGHT = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})[T ]00:00(:00(\.0+)?)?(Z|[+-]\d{2}(:?\d{2})?)?\s*$")
"""A DATETIME value at midnight (`2030-03-31T00:00:00.000Z`): the day it stands for."""


def _quoted(name: str) -> str:
    """An SQLite identifier in double quotes, any quote inside it doubled."""
    return '"' + str(name).replace('"', '""') + '"'


def _with_fid_column(layer: pd.DataFrame, fid_column: str, columns: list[str]
                     ) -> pd.DataFrame:
    """The layer with its FID column among its fields when that column is one of the
    table's (`site_id INTEGER PRIMARY KEY`, as `ogr2ogr -lco FID=site_id` or QGIS's
    Save As with the layer option FID = site_id writes it): QGIS's attribute table shows
    it as the layer's first column, but GDAL gives it as the features' ids, not a field,
    so the table would be said to lack the very column the user sees."""
    named = column_name(fid_column)
    if named not in columns or named in {column_name(c) for c in layer.columns}:
        return layer
    layer = layer.copy()
    layer.insert(0, fid_column, layer.index.to_numpy())
    return layer


def _add_layer(raw: RawRegister, name: str, label: LayerLabel, layer: pd.DataFrame
               ) -> None:
    """A layer has no header row of its own: its field names become row 1 of the grid,
    its features rows 2 on in fid order, which are then renumbered by fid."""
    layer = layer.sort_index()
    fids = dict(zip(range(2, 2 + len(layer)), (int(f) for f in layer.index), strict=True))
    geometry = None
    if isinstance(layer, gpd.GeoDataFrame) and layer.geometry.name in layer.columns:
        geometry = layer.geometry
        layer = pd.DataFrame(layer.drop(columns=geometry.name))
    header = pd.DataFrame([list(layer.columns)], columns=range(layer.shape[1]))
    body = layer.set_axis(range(layer.shape[1]), axis=1)
    grid = pd.concat([header, strings(body)], ignore_index=True)
    grid.index = pd.RangeIndex(1, 1 + len(grid))
    before = len(raw.problems)
    table = table_of(raw, name, label, grid)
    raw.problems[before:] = [_at_fid(p, label, fids) for p in raw.problems[before:]]
    if table is None:
        return
    table.frame.index = pd.Index([fids[int(r)] for r in table.frame.index], dtype=np.int64)
    table.asides = frozenset(fids[r] for r in table.asides)
    if geometry is not None and name in POINT_TABLES:
        _take_points(raw, table, geometry.loc[table.frame.index])


def _at_fid(problem: Problem, label: LayerLabel, fids: dict[int, int]) -> Problem:
    """A problem the table reader placed at a grid row, placed at its feature's fid (or
    at no row for the field names, which a layer holds in no row), named as the layer
    names its fids (`label.fid_column`)."""
    if problem.file != label or problem.row is None:
        return problem
    return dataclasses.replace(problem, row=fids.get(problem.row),
                               fid_column=label.fid_column)


def _take_points(raw: RawRegister, table: RawTable, geometry: gpd.GeoSeries) -> None:
    """Write WGS84 lat/lon from Point (or, for zones, polygon) geometry into the table,
    and keep the points in the layer's own CRS beside them (`RawTable.points`).

    Polygons are reduced to their representative point in their own CRS (always
    inside the shape), then reprojected; the polygons are kept for maps.
    """
    box = geometry[~(geometry.isna() | geometry.is_empty)].bounds  # each shape's extent
    if (geometry.crs is None or geometry.crs.is_geographic) and grid_under_degrees(
            (box["minx"] + box["maxx"]).to_numpy() / 2, (box["miny"] + box["maxy"]).to_numpy() / 2):
        # one error for the layer, its points then read as the grid so that its rows
        # are not each out of the range of degrees too
        said = ("with no CRS (read as degrees)" if geometry.crs is None else
                f"under {geometry.crs.to_string()}, a CRS in degrees")
        raw.problems.append(Problem(
            table.label, None, "geometry", "a CRS that matches the layer's coordinates",
            f"British National Grid eastings and northings in metres, it seems, {said}: set "
            "the layer's CRS to EPSG:27700 (in QGIS, Assign Projection)"))
        geometry = geometry.set_crs(27700, allow_override=True)
    elif geometry.crs is None:
        raw.problems.append(
            Problem(
                table.label,
                None,
                "geometry",
                "a layer with a coordinate reference system",
                "none; assumed WGS84 lon/lat (EPSG:4326)",
                severity="warning",
            )
        )
        geometry = geometry.set_crs(4326)
    geometry = _single_points(geometry)
    kinds = geometry.geom_type.fillna("none")
    empty = geometry.isna() | geometry.is_empty
    allowed = {"Point"} | ({"Polygon", "MultiPolygon"} if table.name == "zones" else set())
    bad = empty | ~kinds.isin(allowed) | (~empty & ~np.isfinite(geometry.bounds).all(axis=1))
    expected = "a Point" + (" or Polygon" if table.name == "zones" else "")
    key = TABLES[table.name].key
    for row in bad[bad].index:
        named = table.frame.at[row, key] if key in table.frame.columns else ""
        found = _geometry_found(None if empty[row] else geometry[row], table.name)
        raw.problems.append(Problem(
            table.label, int(row), "geometry", expected,
            found.format(of=f" for {key} {as_typed(named)}" if named else "")))
    polygons = ~bad & (kinds != "Point")
    points = geometry.where(~polygons, geometry[polygons].representative_point())
    own = gpd.GeoSeries(points.where(~bad, None), crs=geometry.crs)
    points = own.to_crs(4326)
    good = ~bad.to_numpy()
    raw.problems += check_layer_crs(table.label, geometry.crs, own[good].x.to_numpy(),
                                    own[good].y.to_numpy(), points[good].x.to_numpy(),
                                    points[good].y.to_numpy())
    # a polygon's point is estate's choice, so only Point rows can disagree with columns
    raw.problems += _columns_beside_geometry(table, points, bad.to_numpy() | polygons.to_numpy())
    for column, values in (("lon", points.x), ("lat", points.y)):
        table.frame[column] = np.where(bad, "", values.to_numpy().astype(str))
    table.from_geometry = ("lat", "lon")
    table.points = own
    if polygons.any():
        table.shapes = geometry[polygons].to_crs(4326)


def _single_points(geometry: gpd.GeoSeries) -> gpd.GeoSeries:
    """MultiPoints holding exactly one point taken as that point: QGIS makes MultiPoint
    layers by default, and one point in a MultiPoint is the same place, nothing lost."""
    multi = (geometry.geom_type == "MultiPoint").to_numpy()
    if not multi.any():
        return geometry
    one = multi & (shapely.get_num_geometries(geometry.to_numpy()) == 1)
    if not one.any():
        return geometry
    geometry = geometry.copy()
    geometry[one] = shapely.get_geometry(geometry.to_numpy()[one], 0)
    return geometry


def _geometry_found(shape: shapely.Geometry | None, table: str) -> str:
    """What a feature holds instead of a usable geometry, and how to fix it; `{of}`
    stands for the feature's id ("for site_id `S3`"), when it has one."""
    if shape is None or shape.is_empty:
        return ("an empty geometry{of}: give the feature its point (in QGIS, Add Part "
                "with the layer in edit mode), or delete the feature")
    kind = shape.geom_type
    if not np.isfinite(shapely.bounds(shape)).all():
        return (f"a {kind} whose coordinates are not numbers (NaN or infinity){{of}}: put "
                "the feature where it belongs (in QGIS, the Vertex tool), or delete it")
    if kind == "MultiPoint":
        return (f"a MultiPoint of {shapely.get_num_geometries(shape)} points{{of}}: keep "
                "the one point where it is (delete the other parts), or split the layer "
                "with QGIS's Multipart to singleparts and give each feature its own id")
    if table == "zones":
        return f"a {kind}{{of}}: draw the zone as a Point or a Polygon"
    return (f"a {kind}{{of}}: give the feature a Point geometry (in QGIS, Centroids "
            "turns a layer's shapes into points)")


APART_DEGREES = 0.01
"""Lat/lon columns further than this from their row's geometry (about a kilometre) say
one of the two is wrong."""


def _columns_beside_geometry(table: RawTable, points: gpd.GeoSeries, skip: np.ndarray
                             ) -> list[Problem]:
    """A layer with lat and lon columns as well as Point geometry: the geometry is used,
    so columns that disagree with it are a warning (one of the two is out of date). Rows
    in `skip` (no usable point, or a polygon) are not compared."""
    if not {"lat", "lon"} <= set(table.frame.columns):
        return []
    given = table.frame[["lat", "lon"]].apply(pd.to_numeric, errors="coerce").to_numpy(float)
    moved = np.hypot(given[:, 0] - points.y.to_numpy(float), given[:, 1] - points.x.to_numpy(float))
    apart = ~skip & np.isfinite(moved) & (moved > APART_DEGREES)
    if not apart.any():
        return []
    first = table.frame.index[int(np.flatnonzero(apart)[0])]
    return [Problem(table.label, int(first), "lat",
                    "lat and lon columns that agree with the geometry (the geometry is used)",
                    f"{int(apart.sum())} row(s) where they are more than about 1 km apart",
                    severity="warning")]


