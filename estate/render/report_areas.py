"""A national plan's areas in the board pack: the areas table of its Where page, and
each site's area beside it in the tables that list sites (a plan of one locality has
neither)."""

from __future__ import annotations

import dataclasses

from estate.render import figures
from estate.render.report_data import Results, Table
from estate.results import Summary, money
from estate.results.words import gap_left, quality_words
from estate.store import site_areas

AREA_WIDTH = 0.22
"""The share of a site table's width its Area column takes."""


def areas_by_site(r: Results) -> dict[str, str] | None:
    """Each site's area by its id, for a plan made area by area (`estate.store.site_areas`):
    the site tables' Area column and the decision's sentences say it. None for a plan of
    one locality."""
    areas = site_areas(r.summary, r.sites)
    return None if areas is None else dict(zip(r.sites["site_id"].astype(str), areas,
                                               strict=True))


def with_areas(table: Table, site_ids: list[object], r: Results) -> Table:
    """A table of sites (its first column the site, its rows the sites of `site_ids` in
    order, then perhaps a row counting the rest) with each site's area beside it, for a
    plan made area by area: sites of two areas may share a name, and a reader of a
    national plan asks where a site is first. The area takes `AREA_WIDTH` of the page,
    from the text columns in proportion (the figures keep theirs), and a name as long as
    a site's may be. A plan of one locality's table is left as it is, with no empty
    Area column."""
    areas = areas_by_site(r)
    if areas is None:
        return table
    named = [figures.named(areas.get(str(site_id), ""), 90) for site_id in site_ids]
    rows = tuple((row[0], named[i] if i < len(named) else "", *row[1:])
                 for i, row in enumerate(table.rows))
    text = sum(w for w, number in zip(table.widths, table.numeric, strict=True) if not number)
    scaled = [w if number else w * (text - AREA_WIDTH) / text
              for w, number in zip(table.widths, table.numeric, strict=True)]
    return dataclasses.replace(
        table, header=(table.header[0], "Area", *table.header[1:]), rows=rows,
        numeric=(table.numeric[0], False, *table.numeric[1:]),
        widths=(scaled[0], AREA_WIDTH, *scaled[1:]))


MOST_AREAS = 40
"""Rows of the areas table; a register of more ends it with a row counting the rest."""


def areas_table(s: Summary) -> Table:
    """A register planned area by area: each area's NPV saving and how far its plan is
    proven (the whole's gap is the largest area's, so the areas left short are named),
    the least proven first, then the largest saving."""
    areas = sorted((s.areas or {}).items(), key=lambda item: (
        -gap_left(item[1].status, item[1].mip_gap), -(item[1].npv_saving or 0.0)))
    rows = tuple((figures.named(name, 60), money(area.npv_saving or 0.0),
                  quality_words(area.status, area.mip_gap)[0])
                 for name, area in areas[:MOST_AREAS])
    if len(areas) > MOST_AREAS:
        rows += ((f"and {len(areas) - MOST_AREAS:,} more (summary.json's areas lists every "
                  "one)", "", ""),)
    return Table(f"Areas, each planned on its own ({len(areas):,})",
                 ("Area", "NPV saving", "The plan"), rows, (False, True, False),
                 (0.34, 0.18, 0.48))
