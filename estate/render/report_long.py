"""How the board pack's PDF lays a long table over sheets (`LongTable`): in parts of
FEWEST_ROWS rows or more, its notes with its last part, so no sheet carries one row or
two of it, or its notes under one row or two.

Each part is a table of its own, built for the rows it holds with the header repeated,
so the layout asks reportlab only what it publishes: how tall a table of given rows is
(`wrap`), and where a flowable may go (`split`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.platypus import Flowable

FRAME = A4[0] - 3.6 * cm
"""The width of a sheet's text: A4 less 1.8 cm margins either side."""
TOP_MARGIN, BOTTOM_MARGIN = 1.6 * cm, 2.0 * cm
FRAME_PADDING = 6.0
"""The padding inside reportlab's frame on each side (Frame's default)."""
SHEET = A4[1] - TOP_MARGIN - BOTTOM_MARGIN - 2 * FRAME_PADDING
"""The height a block has at the top of a sheet: reportlab offers less only lower down."""
FEWEST_ROWS = 3
"""Rows of a split table on each sheet it spans: no sheet carries one row or two of it
under the repeated header, nor its notes with one row or two above them."""


def height(flowables: list[Flowable]) -> float:
    """The height the flowables take one under the other, with the space before and
    after each (reportlab skips some of it at a sheet's top: this never falls short)."""
    return sum(f.wrap(FRAME, SHEET)[1] + f.getSpaceBefore() + f.getSpaceAfter()
               for f in flowables)


@dataclass(frozen=True)
class Measured:
    """A long table as `part` draws it (the header over the rows asked for), with the
    height of its header and of each row. Its columns have fixed widths, so a row is as
    tall as its tallest cell whatever rows it is drawn with, and a part is as tall as its
    header and its rows added up."""

    part: Callable[[range], Flowable]
    header: float
    rows: tuple[float, ...]

    @classmethod
    def of(cls, part: Callable[[range], Flowable], rows: int) -> Measured:
        header = height([part(range(0))])
        return cls(part, header, tuple(height([part(range(i, i + 1))]) - header
                                       for i in range(rows)))


class LongTable(Flowable):
    """A long table from its row `first` on: its caption (`before`) over the first part,
    and its notes (`after`) kept with its last rows, as a typesetter keeps a table's
    small print. Like KeepTogether it always asks to be split (`wrap`), and `split` says
    what goes on the sheet at hand: all that is left when it fits; else a part with
    FEWEST_ROWS rows or more that leaves as many for what follows; else nothing, and it
    all goes to the next sheet. Only at a sheet's top, when rows are too tall for that,
    does a part take fewer (as many as fit, one at least)."""

    def __init__(self, table: Measured, first: int, before: list[Flowable],
                 after: list[Flowable]) -> None:
        super().__init__()
        self._table, self._first, self._before, self._after = table, first, before, after

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:
        return aW, 0xffffff  # never drawn itself: split into what is drawn

    def split(self, aW: float, aH: float) -> list[Flowable]:
        rows = self._table.rows[self._first:]
        if sum(rows) + self._fixed(self._after) <= aH:
            return self._pieces(len(rows))
        fit = self._fitting(aH)
        take = min(fit, len(rows) - FEWEST_ROWS)
        if take < FEWEST_ROWS:
            # reportlab passes a sheet's whole height only at its top (SHEET): lower
            # down, the next sheet has more room; at the top, nothing would ever fit
            if aH < SHEET - 1:
                return []
            take = min(max(fit, 1), len(rows))
        return self._pieces(take)

    def _pieces(self, rows: int) -> list[Flowable]:
        """The caption, a part of `rows` rows, and what comes after: the notes when it
        is the last part, else the rest of the table."""
        part = self._table.part(range(self._first, self._first + rows))
        if self._first + rows == len(self._table.rows):
            return [*self._before, part, *self._after]
        return [*self._before, part, LongTable(self._table, self._first + rows, [],
                                               self._after)]

    def _fixed(self, around: list[Flowable]) -> float:
        """The caption's height, the header's, and `around`'s."""
        return height(self._before) + self._table.header + height(around)

    def _fitting(self, aH: float) -> int:
        """How many rows from `first` on fit under the caption and header in `aH`."""
        room, fit = aH - self._fixed([]), 0
        for row in self._table.rows[self._first:]:
            if row > room:
                break
            room, fit = room - row, fit + 1
        return fit
