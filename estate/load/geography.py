"""Positions that validate but cannot be right.

A latitude and longitude typed the wrong way round are both in range, so the column
checks pass them, and the site lands in the Indian Ocean: every distance to it is
nonsense. So a site or zone far from all the others is flagged: an error when swapping
its latitude and longitude puts it among them (the slip is plain), a warning otherwise
(an outlying site may be real). Likewise a point outside the UK when nearly all the
others are inside it; a point whose longitude or latitude, its sign flipped, puts it
among the others (1.15 typed -1.15 is 160 km off in Suffolk, well under the far-away
check's 400 km), a warning said once; and a point far outside the area the others lie
in (`ISOLATED_KM`: a Suffolk site put in Manchester), a warning. Two existing sites of
one name at one place (`sites_listed_twice`) are probably one building entered twice,
as happens when several agencies' registers are put together: a warning. Coordinates
in the wrong system (British National Grid metres as degrees, a layer's CRS that does
not fit its points) are `estate.load.grid_crs`'s.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from estate.errors import LayerLabel, Problem, row_place

FAR_KM = 400.0
"""A point whose nearest other site or zone is further than this is far from all others
(Great Britain is about 1,000 km long; its remotest islands have neighbours within 100)."""
UK_LAT, UK_LON = (49.0, 61.5), (-11.0, 2.5)
"""The UK, Channel Islands included, with a margin: where nearly all points of a UK
register are, so a point outside is suspect."""
UK_SHARE = 0.9
EARTH_KM = 6371.0
FLIP_MOVES_KM = 50.0
"""A sign flipped is suspected only when flipping it moves the point further than this:
near the Greenwich meridian (or the equator) a point's sign barely moves it, and a
register there may have real points on both sides (-0.3 and 0.2, both London)."""
MOSTLY = 0.9
"""The others' spread: the distance from their centre that this share of them lie within,
at least `SPREAD_LEAST_KM` (a town and its surroundings), so that a register of one town,
or of a handful of points whose outermost is the one flipped, is not a spread of 0 km."""
SPREAD_LEAST_KM = 25.0
KM_PER_DEGREE = EARTH_KM * math.pi / 180
"""A degree of latitude, or of longitude at the equator, in km."""
BESIDE_CHORD = 2 * np.sin(SPREAD_LEAST_KM / EARTH_KM / 2) * 1.0001
"""`SPREAD_LEAST_KM` as a straight line through the unit sphere (`_unit`), a hair over."""
FLIP_CLOSER = 3.0
"""Flipped, a point must be this many times closer to the others' centre than as written."""


def check_positions(frames: dict[str, pd.DataFrame], files: dict[str, str]) -> list[Problem]:
    """Sites and zones far from all the others, or outside the UK when the rest are in."""
    points = [(name, frames[name]) for name in ("sites", "zones") if name in frames]
    tables, rows, lat, lon = [], [], [], []
    for name, frame in points:
        if not {"lat", "lon", "row"} <= set(frame.columns):
            continue
        # a position off the globe (lat 5224.157) is an error of its own, not also a
        # point thousands of km from the rest
        la, lo = frame["lat"].to_numpy(float), frame["lon"].to_numpy(float)
        ok = np.isfinite(la) & np.isfinite(lo) & (np.abs(la) <= 90) & (np.abs(lo) <= 180)
        tables += [name] * int(ok.sum())
        rows += frame.loc[ok, "row"].astype(int).tolist()
        lat += frame.loc[ok, "lat"].tolist()
        lon += frame.loc[ok, "lon"].tolist()
    if len(lat) < 3:
        return []
    if whole := _every_table_swapped(tables, np.asarray(lat, float), np.asarray(lon, float),
                                     files):
        return whole  # every point is then "outside the UK": said once a table
    problems = _tables_apart(dict(points), files)
    if any(p.severity == "error" for p in problems):
        return problems  # one table swapped whole: its rows are not each to be flagged
    lat_a, lon_a = np.asarray(lat, float), np.asarray(lon, float)
    # a tree of distinct positions (many zones may share one): a shared one is 0 km away
    places, which, at_place = np.unique(np.column_stack([lat_a, lon_a]), axis=0,
                                        return_inverse=True, return_counts=True)
    which = which.ravel()
    tree = cKDTree(_unit(places[:, 0], places[:, 1]))
    if len(places) < 2:
        return []
    apart = _km(tree.query(_unit(places[:, 0], places[:, 1]), k=2)[0][:, 1])
    nearest = np.where(at_place[which] > 1, 0.0, apart[which])
    inside = _in_uk(lat_a, lon_a)
    in_uk = (~inside).sum() <= max(1.0, (1 - UK_SHARE) * len(inside)) < len(inside)
    around = _around(lat_a, lon_a)
    beyond = _beyond_the_rest(nearest, around)
    suspect = (nearest > FAR_KM) | (in_uk & ~inside) | beyond
    flips = _sign_flips(lat_a, lon_a, tree, nearest, around)
    swapped: set[int] = set()
    for i in np.flatnonzero(suspect):
        km, near = tree.query(_unit(lon_a[i : i + 1], lat_a[i : i + 1]), k=2)
        own = near[0, 0] == which[i]  # (0, 0) swapped is itself: not a fit
        swapped_km = _km(km[0, 1 if own else 0])
        swap_fits = swapped_km <= FAR_KM and (not in_uk or _in_uk(lon_a[i], lat_a[i]))
        where = (f"{nearest[i]:,.0f} km from the nearest other site or zone"
                 if nearest[i] > FAR_KM else
                 "outside the UK, where the other points are" if in_uk and not inside[i]
                 else f"{nearest[i]:,.0f} km from the nearest other site or zone, far "
                 f"outside the area the others lie in (9 in 10 within {around.spread[i]:,.0f} km "
                 "of their centre)")
        found = f"lat {lat_a[i]:g}, lon {lon_a[i]:g}: {where}"
        if swap_fits:
            swapped.add(int(i))
            expected = (f"a position near the others (lat {lon_a[i]:g}, lon {lat_a[i]:g} "
                        "would be: latitude and longitude swapped?)")
        elif i in flips:  # the flip explains it: said once, as the flip
            continue
        else:
            expected = ("a position near the other sites and zones (check "
                        f"{_position_words(files[tables[i]])})")
        problems.append(Problem(files[tables[i]], rows[i], _position_column(files[tables[i]]),
                                expected, found, severity="error" if swap_fits else "warning"))
    for point, (column, written) in flips.items():
        if point in swapped:
            continue  # latitude and longitude swapped: the error says so
        lost = "lost" if written > 0 else "gained"
        file = files[tables[point]]
        # a layer's point is no typed figure (in British National Grid it has no sign to
        # lose): where it lies, and where its mirror would, said; its position to check
        said = (f"the point at {column} {written:g} would lie among the other sites and "
                f"zones at {column} {-written:g}: check the point's position"
                if _is_layer(file) else f"{column} {written:g} may have {lost} its minus "
                f"sign: as {-written:g} it would lie among the other sites and zones")
        problems.append(Problem(
            file, rows[point], _position_column(file, column),
            "a position among the other sites and zones",
            f"{column} {written:g}", severity="warning", sentence=said))
    return problems


ISOLATED_KM = 150.0
"""A point whose nearest other site or zone is further than this, and that lies
`BEYOND_SPREADS` times the others' spread from their centre, is far outside the
locality: a site of a Suffolk register put in Manchester (230 km off, under `FAR_KM`)
by a postcode looked up wrong. A council's office in London is within it of the
county's nearest site, and a national register's points have neighbours far closer."""
BEYOND_SPREADS = 3.0


@dataclass(frozen=True)
class Around:
    """Where the points lie: their centre (the median latitude and longitude, on the
    unit sphere: one stray point moves neither), each point's distance from it in km,
    and for each point the others' spread, how far from the centre `MOSTLY` of them lie
    (at least `SPREAD_LEAST_KM`)."""

    centre: np.ndarray
    from_centre: np.ndarray
    spread: np.ndarray


def _around(lat: np.ndarray, lon: np.ndarray) -> Around:
    """`Around` of the points, worked out once for the checks that read it."""
    centre = _unit(np.array([np.median(lat)]), np.array([np.median(lon)]))
    written = _km(np.linalg.norm(_unit(lat, lon) - centre, axis=1))
    return Around(centre, written,
                  np.maximum(_spread_of_others(written), SPREAD_LEAST_KM))


def _beyond_the_rest(nearest: np.ndarray, around: Around) -> np.ndarray:
    """The points far outside the area the others lie in (`ISOLATED_KM`), which the
    far-away check's 400 km misses; none among fewer than four points, where which are
    "the others" is anyone's guess."""
    if len(nearest) < 4:
        return np.zeros(len(nearest), dtype=bool)
    return (nearest > ISOLATED_KM) & (around.from_centre > BEYOND_SPREADS * around.spread)


def _sign_flips(lat: np.ndarray, lon: np.ndarray, tree: cKDTree, alone: np.ndarray,
                around: Around) -> dict[int, tuple[str, float]]:
    """The points (index: column, value as written) that lie well outside the others as
    written but among them with that column's sign flipped: 1.15 typed -1.15 puts a
    Suffolk site in the Midlands, 160 km off, under the far-away check's 400 km.

    Among them: within the others' spread (`MOSTLY`) of their centre, the median
    latitude and longitude (one stray point moves neither), and `FLIP_CLOSER` times
    closer to it; or, for a point of the locality's edge (Lowestoft in Suffolk, beyond
    the spread), within `SPREAD_LEAST_KM` of another point and inside the box the
    locality's points span (`_span`), so that a real site beyond the edge (Birmingham
    in a Suffolk register, whose flip is in the North Sea) is not one. Conservative: the
    flip must move the point more than `FLIP_MOVES_KM`, and as written the point must lie
    beyond twice the others' spread from their centre. `tree` holds the distinct
    positions, `alone` each point's distance to its nearest other point (0 km for one
    sharing its position), `around` where the points lie.
    """
    if len(lat) < 4:  # three points: which two are "the others" is anyone's guess
        return {}
    written, spread = around.from_centre, around.spread

    def from_centre(la: np.ndarray, lo: np.ndarray) -> np.ndarray:
        return _km(np.linalg.norm(_unit(la, lo) - around.centre, axis=1))

    inside = _span(lat, lon, written <= 2 * spread, alone)
    out: dict[int, tuple[str, float]] = {}
    for column, flipped in (("lon", (lat, -lon)), ("lat", (-lat, lon))):
        moved = _km(np.linalg.norm(_unit(lat, lon) - _unit(*flipped), axis=1))
        near = from_centre(*flipped)
        # flipped, how far its nearest position is (not its own as written: it moved
        # further), looked for only as far as an edge flip may be (a point flipped far
        # from every other is slow to place, and is not one)
        beside = _km(tree.query(_unit(*flipped), k=1, distance_upper_bound=BESIDE_CHORD)[0])
        among = (near * FLIP_CLOSER < written) & (near <= spread)
        edge = (beside <= SPREAD_LEAST_KM) & inside(*flipped)
        for i in np.flatnonzero((moved > FLIP_MOVES_KM) & (among | edge)
                                & (spread < written / 2)):
            out.setdefault(int(i), (column, float((lon if column == "lon" else lat)[i])))
    return out


def _span(lat: np.ndarray, lon: np.ndarray, locality: np.ndarray, alone: np.ndarray
          ) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """Whether positions lie in the box of latitudes and longitudes the `locality`'s
    points span, widened by the distance that 19 in 20 of them lie from their nearest
    neighbour (a few km in a county; at least 1 km): a point of its edge flipped back
    is in it, a real site beyond the edge flipped into the sea is not."""
    if not locality.any():
        return lambda la, lo: np.zeros(len(la), dtype=bool)
    margin = max(float(np.quantile(alone[locality], 0.95)), 1.0) / KM_PER_DEGREE
    la, lo = lat[locality], lon[locality]
    across = margin / max(math.cos(math.radians(float(np.median(la)))), 0.01)
    south, north = la.min() - margin, la.max() + margin
    west, east = lo.min() - across, lo.max() + across
    return lambda a, b: (a >= south) & (a <= north) & (b >= west) & (b <= east)


def _spread_of_others(written: np.ndarray) -> np.ndarray:
    """For each point, the `MOSTLY` quantile of the other points' distances `written`
    (numpy's linear interpolation, as np.quantile of the array less that point), all at
    once: the sorted distances less the point's own, read at one position."""
    n = len(written)
    order = np.argsort(written, kind="stable")
    ranked = written[order]
    rank = np.empty(n, dtype=int)
    rank[order] = np.arange(n)
    position = MOSTLY * (n - 2)
    low = int(np.floor(position))
    high = min(low + 1, n - 2)

    def at(j: int) -> np.ndarray:  # the j-th of the others, sorted: one on past its own
        return ranked[np.where(j < rank, j, j + 1)]

    return at(low) + (position - low) * (at(high) - at(low))


def _every_table_swapped(tables: list[str], lat: np.ndarray, lon: np.ndarray,
                         files: dict[str, str]) -> list[Problem]:
    """Latitude and longitude swapped in every row of every table (or a GeoPackage's
    points with x and y swapped): the points are still near each other, sites near
    zones, so no check above sees them, and the plan is made on a mirrored map, its
    distances wrong. Said when almost no point lies in the UK as written and nearly all
    do swapped back: one warning a table (a warning, not an error: a register of the
    Seychelles lies there as written)."""
    if _in_uk(lat, lon).mean() > 1 - UK_SHARE or _in_uk(lon, lat).mean() < UK_SHARE:
        return []
    out = []
    for name in dict.fromkeys(tables):
        mine = np.asarray(tables) == name
        layer = _is_layer(files[name])
        out.append(Problem(
            files[name], None, _position_column(files[name]),
            "latitude in lat and longitude in lon, in degrees",
            f"lat from {lat[mine].min():g} to {lat[mine].max():g} and lon from "
            f"{lon[mine].min():g} to {lon[mine].max():g}, outside the UK; the other way "
            "round every point lies in the UK: "
            + ("swap its points' x and y" if layer else "swap the two columns"),
            severity="warning"))
    return out


def _tables_apart(frames: dict[str, pd.DataFrame], files: dict[str, str]) -> list[Problem]:
    """Every site far from every zone (or the reverse): one table's latitude and
    longitude swapped in every row. Its points are then near each other, so the check
    point by point above passes them; the plan would measure every distance between a
    zone and a site across a continent, and no coverage rule would mean anything.

    An error naming the table whose columns, swapped back, put it among the other's
    points; a warning when neither swap does (sites and zones of two different places).
    """
    if not all(n in frames and {"lat", "lon"} <= set(frames[n].columns)
               for n in ("sites", "zones")):
        return []
    lat, lon = {}, {}
    for name in ("sites", "zones"):
        la, lo = frames[name]["lat"].to_numpy(float), frames[name]["lon"].to_numpy(float)
        ok = np.isfinite(la) & np.isfinite(lo)
        lat[name], lon[name] = la[ok], lo[ok]
        if not ok.any():
            return []

    @functools.cache
    def tree(name: str) -> cKDTree:
        # distinct positions only: a tree of many equal points is slow to search
        places = np.unique(np.column_stack([lat[name], lon[name]]), axis=0)
        return cKDTree(_unit(places[:, 0], places[:, 1]))

    def apart(a: str, b: str, swap: bool = False) -> np.ndarray:
        """km from each point of table a (lat and lon swapped, with `swap`) to the
        nearest point of table b."""
        la, lo = (lon[a], lat[a]) if swap else (lat[a], lon[a])
        return _km(tree(b).query(_unit(la, lo), k=1)[0])

    gap = apart("sites", "zones")
    if gap.min() <= FAR_KM:
        return []
    found = f"every site at least {gap.min():,.0f} km from every zone"
    fits = [(name, other) for name, other in (("sites", "zones"), ("zones", "sites"))
            if np.median(apart(name, other, swap=True)) <= FAR_KM]
    if len(fits) == 2:  # either swap brings them together: the one that lands in the UK
        fits = [(n, o) for n, o in fits if _in_uk(lon[n], lat[n]).mean() >= UK_SHARE
                and _in_uk(lat[n], lon[n]).mean() < UK_SHARE] or fits
    if len(fits) == 1:
        name, other = fits[0]
        return [Problem(files[name], None, _position_column(files[name]),
                        f"positions near the {other} (latitude and longitude swapped in "
                        "every row? they are near them the other way round)", found)]
    if fits:
        return [Problem(files["sites"], None, _position_column(files["sites"]),
                        "sites near the zones (latitude and longitude swapped in every row "
                        f"of {files['sites']} or of {files['zones']}?)", found)]
    both = ("the positions of both tables" if any(_is_layer(files[n]) for n in ("sites", "zones"))
            else "lat and lon of both tables")
    return [Problem(files["sites"], None, _position_column(files["sites"]),
                    "sites near the zones they serve", f"{found} (check {both})",
                    severity="warning")]


def _is_layer(file: str) -> bool:
    """A GeoPackage layer's label (`reg.gpkg[sites]`), whose points are geometry, not
    two columns."""
    return isinstance(file, LayerLabel) or ".gpkg" in file.lower()


def _position_column(file: str, column: str = "lat") -> str:
    """Where a point's position is kept: its layer's `geometry`, or a table's `lat`
    (or `column`, the one of the two a problem is about)."""
    return "geometry" if _is_layer(file) else column


def _position_words(file: str) -> str:
    """What to check of a point thought out of place: a layer's point, or a table's two
    columns."""
    return "the point's position" if _is_layer(file) else "lat and lon"


SAME_PLACE_M = 50.0
"""Two sites closer than this, in metres, stand at one place (one building, or two
across a yard; a position from a postcode lookup may put both at the postcode's centre)."""


def sites_listed_twice(sites: pd.DataFrame, label: str) -> list[Problem]:
    """A warning at each existing site with the name of another existing site within
    `SAME_PLACE_M` of it (names compared without case or punctuation): probably
    one building listed twice, by two agencies or by one, whose running cost the plan
    would count twice and whose 'closing' it could book as a saving. Each agency's part
    of a shared building may rightly be a site of its own, so it is said, not refused.
    Candidates are left out: a new building on an existing site's land may take its name."""
    if not {"lat", "lon", "name", "site_id", "row"} <= set(sites.columns) or len(sites) < 2:
        return []
    lat, lon = sites["lat"].to_numpy(float), sites["lon"].to_numpy(float)
    existing = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    if "candidate" in sites.columns:
        existing &= ~sites["candidate"].astype(bool).to_numpy()
    at = np.flatnonzero(existing)
    if len(at) < 2:
        return []
    # punctuation parts words as a space does (Unit 1-2 is not Unit 12)
    key = sites["name"].astype(str).str.casefold().str.replace(r"[\W_]+", " ", regex=True) \
        .str.strip()
    tree = cKDTree(_unit(lat[at], lon[at]))
    out, said = [], set()
    for i, j in sorted(tree.query_pairs(SAME_PLACE_M / 1000 / EARTH_KM)):
        first, second = int(at[i]), int(at[j])
        if not key.iloc[first] or key.iloc[first] != key.iloc[second] or second in said:
            continue
        said.add(second)  # a third copy is said once, beside the first
        metres = float(_km(np.linalg.norm(tree.data[[i]] - tree.data[[j]], axis=1))[0] * 1000)
        one, two = sites.iloc[first], sites.iloc[second]
        agencies = ("both " + (str(one["agency_id"]) or "no agency") + "'s"
                    if one["agency_id"] == two["agency_id"]
                    else f"{one['agency_id']}'s and {two['agency_id']}'s")
        out.append(Problem(
            label, int(two["row"]), "name", "each building listed once",
            f"{two['name']!r}, {metres:,.0f} m from {one['site_id']} ("
            f"{row_place(label, int(one['row']))}), {one['name']!r}, {agencies}: if it is "
            "one building entered twice, "
            "delete one row (the plan would count its running cost twice); if each is an "
            "agency's own part of it, leave both", severity="warning"))
    return out


def _unit(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points on the unit sphere, where straight-line nearness is great-circle nearness."""
    phi, lam = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def _km(chord: np.ndarray) -> np.ndarray:
    return 2 * EARTH_KM * np.arcsin(np.clip(np.asarray(chord) / 2, 0, 1))


def _in_uk(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    return ((lat >= UK_LAT[0]) & (lat <= UK_LAT[1])) & ((lon >= UK_LON[0]) & (lon <= UK_LON[1]))
