"""Where sites and zones lie in metres, and how far apart: the scenario's metric CRS
(or the UTM zone for the points), positions in it (a GeoPackage's own coordinates kept
where it has them), the pairs within a radius and each zone's nearest site. What may
go where (`estate.prepare`), the zones a national register places by area and the
coverage a plan reports all measure with these.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely


def metric_crs(sites: pd.DataFrame, zones: pd.DataFrame, crs: str) -> str:
    """The scenario's CRS, else the UTM zone geopandas picks for all points together."""
    if crs:
        return crs
    lon = np.concatenate([sites["lon"].to_numpy(float), zones["lon"].to_numpy(float)])
    lat = np.concatenate([sites["lat"].to_numpy(float), zones["lat"].to_numpy(float)])
    if len(lon) == 0:
        return "EPSG:3857"
    points = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    return points.estimate_utm_crs().to_string()


def project(frame: pd.DataFrame, crs: str, native: gpd.GeoSeries | None = None,
            key: str = "") -> pd.DataFrame:
    """Add metric `x`, `y` columns to a frame with WGS84 `lat`, `lon`.

    `native`, when given, holds points by the frame's ids (column `key`) as a
    GeoPackage layer stores them, in the layer's CRS (`Register.site_points`): a row
    with one is placed from it, unchanged when the layer's CRS is `crs` and transformed
    straight from it otherwise, so that 15,000 m apart in the layer is 15,000 m apart
    here, not that give or take a round trip through lat/lon. Other rows use lat/lon.
    """
    x = np.full(len(frame), np.nan)
    y = np.full(len(frame), np.nan)
    own = np.zeros(len(frame), dtype=bool)
    if native is not None and len(frame):
        native = native.reindex(frame[key].to_numpy())
        own = (native.notna() & ~native.is_empty).to_numpy()
        points = gpd.GeoSeries(native.to_numpy()[own], crs=native.crs)
        if not _same_crs(points.crs, crs):
            points = points.to_crs(crs)
        x[own], y[own] = points.x.to_numpy(), points.y.to_numpy()
    if not own.all():
        rest = frame[~own]
        points = gpd.GeoSeries(
            gpd.points_from_xy(rest["lon"].to_numpy(float), rest["lat"].to_numpy(float)),
            crs="EPSG:4326",
        ).to_crs(crs)
        x[~own], y[~own] = points.x.to_numpy(), points.y.to_numpy()
    out = frame.copy()
    out["x"], out["y"] = x, y
    return out


def _same_crs(crs: pyproj.CRS | None, target: str) -> bool:
    """Whether a layer's CRS is the scenario's (axis order aside: a GeoPackage holds
    x, y as easting, northing whatever order its CRS names them in)."""
    return crs is not None and crs.equals(pyproj.CRS.from_user_input(target),
                                          ignore_axis_order=True)


def within(src_xy: np.ndarray, dst_xy: np.ndarray, radius_m: float
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All (i, j) with dist(src_i, dst_j) <= radius_m exactly, via an STRtree on dst."""
    if len(src_xy) == 0 or len(dst_xy) == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, np.empty(0)
    if math.isinf(radius_m):
        i, j = np.divmod(np.arange(len(src_xy) * len(dst_xy)), len(dst_xy))
    else:
        tree = shapely.STRtree(shapely.points(dst_xy))
        # A hair of slack for the index; the exact test is the hypot below.
        i, j = tree.query(shapely.points(src_xy), predicate="dwithin",
                          distance=radius_m * (1 + 1e-9) + 1e-6)
    d = np.hypot(src_xy[i, 0] - dst_xy[j, 0], src_xy[i, 1] - dst_xy[j, 1])
    keep = d <= radius_m
    return i[keep].astype(np.int64), j[keep].astype(np.int64), d[keep]


def nearest_km(zones: pd.DataFrame, sites: pd.DataFrame, mask: np.ndarray) -> np.ndarray:
    """Distance from each zone to the nearest site in `mask` (NaN when there is none)."""
    return nearest_site(zones, sites, mask)[0]


def nearest_site(zones: pd.DataFrame, sites: pd.DataFrame, mask: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Each zone's distance in km to its nearest site in `mask` (NaN when there is none)
    and that site's position in `sites` (-1 then), zones and sites in metres (`project`)."""
    km, at = np.full(len(zones), np.nan), np.full(len(zones), -1, dtype=np.int64)
    idx = np.flatnonzero(mask)
    if len(idx) == 0 or len(zones) == 0:
        return km, at
    tree = shapely.STRtree(shapely.points(sites[["x", "y"]].to_numpy(float)[idx]))
    zi, sj = tree.query_nearest(shapely.points(zones[["x", "y"]].to_numpy(float)),
                                all_matches=False)
    dx = zones["x"].to_numpy(float)[zi] - sites["x"].to_numpy(float)[idx[sj]]
    dy = zones["y"].to_numpy(float)[zi] - sites["y"].to_numpy(float)[idx[sj]]
    km[zi], at[zi] = np.hypot(dx, dy) / 1000.0, idx[sj]
    return km, at
