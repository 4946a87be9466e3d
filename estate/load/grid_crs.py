"""Coordinates in the wrong system: British National Grid eastings and northings in
metres typed under lat and lon, or stored in a GeoPackage layer under no CRS or one in
degrees; a layer's CRS that does not fit its points (degrees under a projected CRS, a
CRS in feet, points outside the area the CRS is made for). Each is said once a table or
layer, with how to put it right, beside the rows' own range errors.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyproj

from estate.errors import Problem, count, row_place

GRID_EAST, GRID_NORTH = 700_000.0, 1_300_000.0
"""British National Grid's extent in metres: eastings 0 to 700,000, northings 0 to
1,300,000 (Shetland)."""


def grid_as_degrees(frame: pd.DataFrame, label: str) -> list[Problem]:
    """One error for a table whose lat and lon hold British National Grid eastings and
    northings (most rows out of the range of degrees, all within the grid's extent,
    in either order): each such row is an error of its own too, but only this one says
    what the figures are and how to turn them into degrees. A few stray figures are
    typing slips, said row by row alone."""
    if not {"lat", "lon", "row"} <= set(frame.columns) or frame.empty:
        return []
    lat, lon = frame["lat"].to_numpy(float), frame["lon"].to_numpy(float)
    given = np.isfinite(lat) & np.isfinite(lon)
    degrees = given & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    on_grid = given & ~degrees & (lat >= 0) & (lon >= 0) & (
        ((lon <= GRID_EAST) & (lat <= GRID_NORTH)) | ((lat <= GRID_EAST) & (lon <= GRID_NORTH)))
    if not given.any() or on_grid.sum() * 2 <= given.sum():
        return []
    first = int(np.flatnonzero(on_grid)[0])
    return [Problem(
        label, None, "lat",
        "latitude and longitude in degrees (WGS84), such as lat 52.06, lon 1.15",
        f"British National Grid eastings and northings in metres, it seems, in lat and lon "
        f"({int(on_grid.sum())} of {count(int(given.sum()), 'row')}; "
        f"{row_place(label, int(frame['row'].iloc[first]))}: "
        f"lat {lat[first]:g}, lon {lon[first]:g}): convert them to degrees (in QGIS, "
        "Reproject layer from EPSG:27700 to EPSG:4326), or give the points as a "
        "GeoPackage layer in British National Grid (EPSG:27700); columns named easting "
        "and northing are not read")]


def grid_under_degrees(x: np.ndarray, y: np.ndarray) -> bool:
    """Whether a layer's points, stored under no CRS or a CRS in degrees, are British
    National Grid eastings and northings in metres: most of them out of the range of
    degrees, and all of those within the grid's extent."""
    given = np.isfinite(x) & np.isfinite(y)
    metres = given & ((np.abs(x) > 180) | (np.abs(y) > 90))
    on_grid = metres & (x >= 0) & (y >= 0) & (x <= GRID_EAST) & (y <= GRID_NORTH)
    return bool(given.any()) and metres.sum() * 2 > given.sum() and bool(
        (on_grid == metres).all())


def check_layer_crs(label: str, crs: pyproj.CRS, x: np.ndarray, y: np.ndarray,
                    lon: np.ndarray, lat: np.ndarray) -> list[Problem]:
    """A GeoPackage layer's CRS against its points: `x`, `y` as stored, `lon`, `lat`
    after reprojection (finite ones only)."""
    if len(x) == 0:
        return []
    name = crs.to_string()
    problems = []
    if crs.is_projected:
        unit = crs.axis_info[0].unit_name if crs.axis_info else ""
        if np.abs(x).max() <= 180 and np.abs(y).max() <= 90:
            return [Problem(label, None, "geometry",
                            f"coordinates in the units of its CRS {name} (metres)",
                            "coordinates that look like degrees (longitude, latitude): "
                            "set the layer's CRS to EPSG:4326", severity="error")]
        if unit not in ("metre", "meter"):
            problems.append(Problem(
                label, None, "geometry", "a CRS in metres, such as EPSG:27700",
                f"{name} in {unit or 'unknown units'}: check the points are in those units",
                severity="warning"))
    area = crs.area_of_use
    if area is not None:
        margin = 2.0  # degrees: the edge of a CRS's area still projects well
        outside = ((lon < area.west - margin) | (lon > area.east + margin)
                   | (lat < area.south - margin) | (lat > area.north + margin))
        if outside.any() and area.west < area.east:
            problems.append(Problem(
                label, None, "geometry",
                f"points inside the area its CRS {name} is made for ({area.name})",
                f"{int(outside.sum())} of {count(len(lon), 'point')} "
                "outside it: a CRS that is not "
                "the one the coordinates were made in?", severity="warning"))
    return problems
