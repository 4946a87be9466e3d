"""The agencies a dated programme leaves out of pocket for a while, which the estate's
payback hides: each with the spells of years its own saving so far, at today's value,
is below zero (cashflow.csv's `cumulative_discounted`), and the headline row of them
the board pack's first page gives."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from estate.render import figures
from estate.render.report_data import Results, agency_name
from estate.render.report_reference import year_words


@dataclass(frozen=True)
class Spell:
    """Years an agency is out of pocket in a row, from `first` up to and including `last`
    (None: still at the end of the horizon)."""

    first: int
    last: int | None

@dataclass(frozen=True)
class Behind:
    """An agency out of pocket for a while in the dated programme: its own saving so far,
    at today's value, is below zero in each of its `spells` (behind in years 1 and 2,
    ahead, then behind again from year 8 is two spells, not one from 1 to the end)."""

    agency_id: str
    name: str
    spells: tuple[Spell, ...]

    @property
    def last(self) -> int | None:
        """The last year it is behind (None: still at the end of the horizon)."""
        return self.spells[-1].last

def agencies_behind(r: Results) -> list[Behind]:
    """The agencies out of pocket for a while, which the estate's payback hides: each
    with its saving so far, at today's value, below zero in some year (cashflow.csv's
    `cumulative_discounted`), soonest ahead first. An agency the plan leaves as it is
    (every figure zero) is not named; without a programme there are none."""
    p, s = r.programme, r.summary
    if p is None:
        return []
    flows = p.cashflow[p.cashflow["agency_id"].astype(str) != ""]
    behind = []
    for agency_id, rows in flows.groupby(flows["agency_id"].astype(str), sort=True):
        rows = rows.sort_values("year")
        years = rows["year"].to_numpy(int)
        out = rows["cumulative_discounted"].to_numpy(float) < -0.5
        if out.any():
            behind.append(Behind(str(agency_id), figures.named(agency_name(s, agency_id), 60),
                                 _spells(years, out)))
    return sorted(behind, key=lambda b: (math.inf if b.last is None else b.last, b.name))

def _spells(years: np.ndarray, out: np.ndarray) -> tuple[Spell, ...]:
    """The runs of consecutive years marked `out`, the last open-ended when it reaches
    the final year."""
    spells, first = [], None
    for i, year in enumerate(years):
        if out[i] and first is None:
            first = int(year)
        if first is not None and (i + 1 == len(years) or not out[i + 1]):
            spells.append(Spell(first, None if i + 1 == len(years) else int(year)))
            first = None
    return tuple(spells)


_BEHIND = "Agencies out of pocket for a while (dated)"


def behind_row(r: Results) -> tuple[str, str] | None:
    """The headline row of the agencies out of pocket for a while (dated programme only)."""
    worse = {a for a, info in r.summary.agencies.items() if info.worse_off}
    every = agencies_behind(r)
    behind = [b for b in every if b.agency_id not in worse]
    if r.programme is None:
        return None
    if not behind:  # those that pay more each year are in the row above
        return (_BEHIND,
                "none besides those paying more each year" if every else "none")
    recover = [b.last for b in behind if b.last is not None]
    said = [f"{len(recover)}, the last up to and including "
            f"{year_words(r.programme.start, max(recover))}"] if recover else []
    if still := [b.name for b in behind if b.last is None]:
        said.append(f"{'; '.join(still)} to the end")
    return (_BEHIND, "; ".join(said))
