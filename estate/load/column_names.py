"""What a header that lacks a column probably meant.

A column estate needs may be in the sheet under another name: a slip (`populaton`), a
synonym (`Latitude`), or a name with units or symbols (`Disposal value (£)`,
`Must-keep`). A missing required column is an error that names the header nearest it;
an unknown column that looks like an optional one the table lacks is a warning, as
DESIGN keeps unknown columns and ignores them, and the run would otherwise go on with
every row at the default of the column meant. Headers are quoted as typed.
"""

from __future__ import annotations

import difflib
import re

from estate.errors import Problem
from estate.load.raw import RawTable
from estate.load.schema import Column, Table

SYNONYMS = {"lat": ("latitude", "lat_(wgs84)", "y"),
            "lon": ("longitude", "long", "lng", "lon_(wgs84)", "x"),
            "name": ("site_name", "zone_name", "agency_name", "function_name", "team_name",
                     "title")}
"""Header names that mean a required column but are too far from it to be suggested by
spelling alone."""


def missing_column(table: RawTable, spec: Table, name: str) -> Problem:
    """Name what the header does have, and the header that is a slip or a synonym of
    the column, if one is. A header that is another of the table's own columns
    (`build_cost` for a missing `running_cost`) is never offered: renaming it would take
    that column's figures for this one's and the register would pass the checks with
    them."""
    header = [c for c in table.frame.columns]
    known = {c.name for c in spec.columns}
    others = [c for c in header if c not in known]
    near = [c for c in others if c in SYNONYMS.get(name, ())] or \
        [c for c in others if _nearest(c, [name]) == name
         or _nearest(_without_units(c), [name]) == name][:1]
    found = "no such column in the header"
    if near:
        found += (f"; the column {table.typed.get(near[0], near[0])!r} may be it: rename it "
                  f"{name}")
    elif name in ("lat", "lon") and {"easting", "northing"} & set(header):
        found += (" but easting and northing: give lat and lon in degrees (WGS84), or the "
                  "points as a GeoPackage layer in British National Grid (EPSG:27700)")
    elif header:
        found += ": " + ", ".join(header[:12]) + (", ..." if len(header) > 12 else "")
    expected = f"a column named {name}"
    if table.label.endswith(("[sites]", "[zones]")) and ".gpkg[" in table.label:
        expected += " (or Point geometry)"
    return Problem(table.label, None, name, expected, found)


def misspelt(table: RawTable, spec: Table, extras: list[str]) -> list[Problem]:
    """A warning for an unknown column that looks like a known one the table lacks
    (`Disposal value (£)`, `Must-keep`, `sharable`). DESIGN keeps unknown columns and
    ignores them, so the run goes on with every row at the default of the column meant
    (a misspelt `must_keep` let the demo close five must-keep sites): the warning says
    so and how to fix it. Reading it as meant would be a guess at its units."""
    absent = [c for c in spec.columns  # a required one is reported missing already
              if c.name not in table.frame.columns and not c.required]
    names = [c.name for c in absent]
    problems = []
    for extra in extras:
        near = _nearest(extra, names)
        if near is None:  # without units in brackets: `(£)`, `(sq m)`, for numbers only
            near = _nearest(_without_units(extra), names)
            if near is not None and absent[names.index(near)].kind != "number":
                continue  # `area (sq m)` is a floor area, not the area a site belongs to
        if near is None:
            continue
        column = absent[names.index(near)]
        units = "; if its units differ, convert them" if column.kind == "number" else ""
        typed = table.typed.get(extra, extra)
        problems.append(Problem(
            table.label, None, typed,
            f"{near} (rename the column to it{units})",
            f"{typed!r}, which estate does not read: every row takes {near}'s "
            f"default ({_shown_default(column)})", severity="warning"))
    return problems


def _without_units(header: str) -> str:
    """The header without what it has in brackets: `running cost (£)` -> `running cost `."""
    return re.sub(r"[(\[].*?[)\]]", "", header)


def _nearest(header: str, names: list[str]) -> str | None:
    """The name in `names` a header means once its symbols are underscores (`must-keep`,
    `closure_cost_£`), or the one it is a slip of (`sharable`)."""
    plain = re.sub(r"_+", "_", re.sub(r"[^a-z0-9_]", "_", header)).strip("_")
    if plain in names:
        return plain
    return next(iter(difflib.get_close_matches(plain, names, n=1, cutoff=0.8)), None)


def _shown_default(column: Column) -> str:
    """A column's default as a register would hold it."""
    default = column.default
    if column.kind == "bool":
        return "true" if default else "false"
    if isinstance(default, float):
        return f"{default:g}"  # the schema's defaults: 0 and 1
    if default == "=fte":
        return "its fte"
    return "blank" if default in ("", (), None) else str(default)
