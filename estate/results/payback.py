"""How a plan's payback is said: the plan's own (one-off over annual saving, undiscounted)
and a dated programme's (the first year its saving so far, at today's value, is
positive, and whether it lasts), in a sentence, a table cell or a chart's mark. One
place, so the terminal, the map, the comparison and the board pack say it alike."""

from __future__ import annotations

import math

from estate.results.amounts import count
from estate.results.programme_figures import DatedFigures
from estate.results.words import NOT_DATED


def payback_words(years: float | None, one_off: float | None) -> tuple[str, str]:
    """Undiscounted payback: a short phrase (a table cell, the map) and the same with its
    reason (the terminal, the board pack's sentences). `years` is `payback_years`
    (None: no annual saving; 0: the one-off is a net receipt)."""
    if years is None or not math.isfinite(years):
        return "never", "never (there is no annual saving)"
    if years <= 0 or (one_off is not None and one_off <= 0):
        if one_off is not None and abs(one_off) <= 0.5:  # sales may pay for what is spent
            return "at once", "at once (there is no net one-off cost)"
        return "at once", "at once (sale receipts cover the one-off costs)"
    if years < 1 / 12:
        return "under a month", "under a month"
    if years < 1:
        months = round(years * 12)
        text = count(months, "month")
        return text, text
    # a tenth of a year is as fine as a yearly saving supports; a whole number of years
    # is said as one ("2 years", not "2.0 years")
    tenths = round(years, 1)
    text = count(int(tenths), "year") if tenths == int(tenths) else f"{tenths:.1f} years"
    return text, text

def programme_payback_words(year: int | None, lasting: int | None) -> str:
    """A dated programme's payback (DESIGN 9: the first year its saving so far, at
    today's value, is positive), with whether it lasts when it does not from that year
    on: "pays back in year 3"; "pays back in year 1, loses it to later spending and pays
    back for good in year 5"; "pays back in year 1 but not for good: later spending
    leaves it at a loss at the horizon's end"; "does not pay back within the horizon"
    (`estate.results.programme.payback_year`, `lasting_payback_year`)."""
    if not year:
        return "does not pay back within the horizon"
    if lasting == year:
        return f"pays back in year {year}"
    if lasting:
        return (f"pays back in year {year}, loses it to later spending and pays back "
                f"for good in year {lasting}")
    return (f"pays back in year {year} but not for good: later spending leaves it at a "
            "loss at the horizon's end")

def payback_mark(year: int, lasting: int | None) -> str:
    """The label of a chart's payback line at `year`: "Payback: year 3", and when later
    spending loses it, "Payback: year 1; for good in year 5" or "Payback: year 1; not
    for good"."""
    if lasting == year:
        return f"Payback: year {year}"
    return f"Payback: year {year}; " + (f"for good in year {lasting}" if lasting
                                        else "not for good")

def dated_payback_words(programme: DatedFigures | None) -> str:
    """A dated programme's payback in a table cell: the first year its saving so far, at
    today's value, is positive ("year 2 (discounted)"), with the year it pays back for
    good when later spending loses it first ("year 1 (discounted); for good in year 4",
    "year 1 (discounted); lost by the horizon's end"), or `NOT_DATED`. An undated
    plan's payback is one-off over annual saving, undiscounted: a different measure,
    shown in its own row."""
    if programme is None:
        return NOT_DATED
    year, lasting = programme.payback_year, programme.lasting_payback_year
    if not year:
        return "not within the horizon"
    said = f"year {int(year)} (discounted)"
    if lasting == year:
        return said
    return said + (f"; for good in year {int(lasting)}" if lasting
                   else "; lost by the horizon's end")
