"""How amounts read on every page: pounds ("£1.23m", halves rounded up), gaps as
percentages (rounded up, since a bound must stay a bound), counts with their nouns,
discount rates and staff; and the difference of two figures as the two read, so that
what a board sees adds up. The sentences built from them are `estate.results.words`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from estate.errors import count as count  # the one plural rule, for the pages and problems alike


def money(value: float | None) -> str:
    """Pounds as a reader expects them: £1.23m, £45.6k, -£3.0m. Halves round up (£171.75k
    is £171.8k and £191.25k £191.3k, as a browser's toFixed and a calculator do), not
    to the even digit as Python's own formatting would."""
    if value is None or not math.isfinite(value):
        return "n/a"
    v = abs(value)
    scale, unit, places = ((1e6, "m", "0.01") if v >= 1e6 else
                           (1e3, "k", "0.1") if v >= 1e3 else (1.0, "", "1"))
    shown = half_up(v / scale, places)
    if unit == "" and shown >= 1000:  # £999.50 reads as £1.0k, not £1,000
        unit, shown = "k", half_up(v / 1e3, "0.1")
    if unit == "k" and shown >= 1000:  # £999.96k reads as £1.00m, not £1,000.0k
        unit, shown = "m", half_up(v / 1e6, "0.01")
    return f"{'-' if value < 0 and shown else ''}£{shown:,}{unit}"


def half_up(number: float, places: str) -> Decimal:
    """`number` rounded to `places` ("0.01"), a half up, from its shortest decimal form."""
    return Decimal(repr(float(number))).quantize(Decimal(places), ROUND_HALF_UP)


def signed_money(value: float) -> str:
    """A difference in pounds with its sign: "+£258.4k", "-£314.0k" (an alternative
    dearer or, when a search stopped short of proof, cheaper than the plan)."""
    return money(value) if value < 0 else "+" + money(value)


def percent_up(gap: float) -> str:
    """A gap as a percentage to two significant figures, rounded up (a bound stays a
    bound): 0.004348 -> "0.44%"."""
    value = gap * 100
    if value <= 0:
        return "0%"
    digits = 1 - math.floor(math.log10(value))
    shown = math.ceil(value * 10 ** digits - 1e-9) / 10 ** digits
    text = f"{shown:.{max(digits, 0)}f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"


def rate_words(rate: float) -> str:
    """A discount rate as the scenario gives it: 0.035 -> "3.5%", 0.0225 -> "2.25%"."""
    return f"{round(rate * 100, 6):g}%"


def fte_words(value: float) -> str:
    """Staff as counted, "1,360 FTE": whole teams move whole people, so a whole number
    is shown whole; a split team may move a share, shown to one decimal (halves up,
    as `money` rounds)."""
    whole = abs(value - round(value)) < 1e-6
    return f"{half_up(value, '1' if whole else '0.1'):,} FTE"


def as_shown(value: float) -> float:
    """The pounds `money` shows for `value` (£117.13m is 117,130,000): a difference of
    two figures taken from these adds up on the page, as a reader checks it."""
    text = money(value)
    if text == "n/a":
        return value
    number = text.lstrip("-").lstrip("£").replace(",", "")
    scale = {"m": 1e6, "k": 1e3}.get(number[-1], 1.0)
    shown = float(number.rstrip("mk")) * scale
    return -shown if text.startswith("-") else shown


@dataclass(frozen=True)
class Difference:
    """How much more one figure is than another, as the two read on the page."""

    pounds: float
    """The difference as shown, in pounds, with its sign: 170,000.0 for "£0.17m"."""
    size: str
    """Its size, without a sign, at the precision of the figures: "£0.17m"."""


_UNITS = {"": (0, "1"), "k": (3, "0.1"), "m": (6, "0.01")}
"""`money`'s units, coarsest last: the power of ten of each and the places it shows."""


def _unit(value: float) -> str:
    """The unit `money` shows `value` in: "m", "k" or "" (pounds)."""
    text = money(value)
    return text[-1] if text[-1] in "mk" else ""


def dated_difference(more: float, less: float) -> Difference:
    """How much more `more` is than `less` (negative: less), as the two figures read
    (`as_shown`) and at their precision: the unit of the coarser of the two, to its
    places. £25.81m and £25.64m differ by "£0.17m", not "£170.0k", which would claim
    a precision the figures do not have (their true difference may be £165,985.78); so
    the figures and their difference add up on the page, with no false digits. A
    difference too small to show at that precision is nothing (£1.00m and £999.9k).
    The one rule by which the board pack, the programme page and the terminal say how
    far apart two figures are: the plan's own NPV saving ("if every change were made in
    year 1") and the dated programme's, and what the yearly limits cost."""
    unit = max(_unit(more), _unit(less), key=list(_UNITS).index)
    power, places = _UNITS[unit]
    apart = as_shown(more) - as_shown(less)
    if not math.isfinite(apart):
        return Difference(math.nan, "n/a")
    shown = half_up(abs(apart) / 10 ** power, places)
    pounds = float(shown.scaleb(power))
    return Difference(-pounds if apart < 0 and pounds else pounds, f"£{shown:,}{unit}")


def how_many_named(total: int, most: int) -> int:
    """How many of `total` items a list names when it names at most `most`: every one
    when a single item would be left over ("and 1 more" hides a name there is room for,
    and the one left over may be the one the reader needs)."""
    return total if total <= most + 1 else most


def listed_few(shown: list[str], total: int) -> str:
    """The items `shown` (the first few of `total`, each of which may hold commas) and
    how many more: "A; B; and 3 more"."""
    more = total - len(shown)
    return listed(shown + ([f"{more:,} more"] if more > 0 else []), "; ")


def listed(items: list[str], joiner: str = ", ") -> str:
    """"A", "A and B", "A, B and C"; with `joiner` "; " (items that hold commas)
    "A; and B", "A; B; and C"."""
    if len(items) <= 1:
        return "".join(items)
    last = "; and " if joiner == "; " else " and "
    return joiner.join(items[:-1]) + last + items[-1]
