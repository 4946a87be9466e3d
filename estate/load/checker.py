"""Reading typed values out of a parsed TOML file, collecting every problem.

Each read names its dotted key, so a scenario with five mistakes gets five located
messages at once ("solver.mip_gap: expected a number from 0 to 1, found 2").
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from estate.errors import Problem, as_typed, did_you_mean, range_words
from estate.load.free_text import INVISIBLE, REFUSED, has_hidden, one_line
from estate.load.numbers import digits_meant
from estate.load.schema import LARGEST


class KeyChecker:
    """Collects problems while reading typed values out of the raw dict."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.problems: list[Problem] = []

    def fail(self, key: str, expected: str, found: Any, said: bool = False) -> None:
        """A problem at `key`: `found` is the value as written (shown as Python writes it,
        so text is quoted, but a flag as TOML does, true; a table said to be one, as TOML
        makes it), or, `said` or in brackets, words about it shown as they are."""
        shown = found if said or (isinstance(found, str) and found.startswith("(")) \
            else str(found).lower() if isinstance(found, bool) else repr(found)
        if isinstance(found, dict) and not said:  # a [header] where a value belongs
            shown = ("a table, where a value belongs (a [header] naming the key, a key "
                     "written after it with a dot, or { } braces)")
        self.problems.append(Problem(self.label, None, key, expected, shown, label="key"))

    def typed_as_text(self, key: str, expected: str, value: Any, meant: str) -> None:
        """A value not of the key's type: when it is a text (a number or a flag typed in
        quotes, as a spreadsheet shows it) meaning one the key takes, `meant` is that
        value as it is written without quotes, said as the fix; else only what was found."""
        if meant:
            self.fail(key, f"{expected}, without quotes", f"{value!r}: write {meant}",
                      said=True)
        else:
            self.fail(key, expected, value)

    def unknown(self, table: dict[str, Any], allowed: dict[str, Any], prefix: str,
                homes: Mapping[str, str] | None = None) -> None:
        """Each key of `table` that is not one of `allowed`, with the known keys and the
        ones it may have meant (`horizon` -> `horizon_years`), or, when it is a known key
        of another table (`homes`: a key to the words that say where it is written), where
        it belongs (`max_km` written at the top of the file, or `start` below `[solver]`)."""
        for key in table:
            if key not in allowed:
                hint = ", ".join(sorted(allowed))
                # what was found, then where it belongs or what it may mean
                if homes and key in homes:
                    found = f"{_key_shown(key)} here; it {homes[key]}"
                else:
                    near = _near(str(key), sorted(allowed))
                    found = f"{_key_shown(key)}, an unknown key" + (
                        f"; {did_you_mean(prefix + n for n in near)}" if near else "")
                # the key's place, its hidden characters as escapes (`relocation.a\\nb`)
                at = key if _key_shown(key) == as_typed(key) else repr(key)[1:-1]
                self.fail(prefix + at, f"one of the known keys ({hint})", found, said=True)

    def number(self, value: Any, key: str, lo: float | None = None, hi: float | None = None,
               lo_open: bool = False, hi_open: bool = False, allow_inf: bool = False) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            if allow_inf and isinstance(value, str) and value.strip().lower() in ("inf", "infinity"):
                return math.inf
            self.typed_as_text(key, "a number", value, meant_number(
                value, key, lambda x: _within(x, lo, hi, lo_open, hi_open)))
            return math.nan
        if isinstance(value, int) and abs(value) > LARGEST:  # maybe too long for a float
            value = LARGEST * 10 if value > 0 else -LARGEST * 10
        x = float(value)
        if math.isnan(x) or (math.isinf(x) and not allow_inf):
            self.fail(key, "a finite number", value)
            return math.nan
        if x == -math.inf:  # inf means "no limit"; -inf would mean no plan at all
            self.fail(key, "a finite number, or inf for no limit", value)
            return math.nan
        if math.isfinite(x) and ((x > LARGEST and hi is None) or (x < -LARGEST and lo is None)):
            self.fail(key, "a number of at most 10^15 either way" +
                      (" (or inf, for no limit)" if allow_inf else ""), value)
            return math.nan
        rng = range_words(lo, hi, lo_open, hi_open)
        if lo is not None and (x < lo or (lo_open and x == lo)):
            self.fail(key, f"a number {rng}", value)
        if hi is not None and (x > hi or (hi_open and x == hi)):
            # a share or rate typed as a percentage (3.5 for 3.5%), as a spreadsheet shows it
            typed = (f", a fraction: {x:g}% is {x / 100:g}" if lo == 0 and hi == 1
                     and 1 < x <= 100 else "")
            self.fail(key, f"a number {rng}{typed}", value)
        return x

    def integer(self, value: Any, key: str, lo: int, hi: int = int(LARGEST)) -> int:
        expected = f"a whole number of {lo:,} or more (at most 10^15)" if hi >= LARGEST else \
            f"a whole number from {lo:,} to {hi:,}"
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                self.typed_as_text(key, expected, value, meant_number(
                    value, key, lambda x: x.is_integer() and lo <= x <= hi))
                return lo
        if value < lo or value > hi:
            self.fail(key, expected, value)
            return lo
        return int(value)

    def text(self, value: Any, key: str, as_line: bool = True) -> str:
        """A text, read as one line (unless not `as_line`: a path is taken as written);
        refused when it holds a hidden character."""
        if not isinstance(value, str):
            self.fail(key, "a text in quotes", value)
            return ""
        if has_hidden(value):
            self.fail(key, REFUSED, value)
        return one_line(value) if as_line else value

    def texts(self, value: Any, key: str) -> tuple[str, ...]:
        if isinstance(value, str) and value.strip():  # "IT, HR": the list in one text
            inside = value.strip().strip("[]")
            # parted by commas or semicolons; or by spaces in a list of ids (agencies,
            # sites: "SCC IBC", "S1 S2"), when every word holds a digit, as ids do, or
            # when each is in quotes of its own ("'IT' 'HR'");
            # other words parted by spaces may be one name ("Customer services") or
            # several ("IT HR Finance"): both are offered
            words = _quoted_words(inside)
            ids = key.rsplit(".", 1)[-1] in ID_LISTS or all(re.search(r"\d", w) for w in words) \
                or words != inside.split()  # each in quotes of its own: entries as quoted
            if re.search(r"[,;]", inside) or len(words) < 2:
                hint = _listed(re.split(r"[,;]", inside))
            elif ids:
                hint = _listed(words)
            else:
                hint = f"{_listed(words)}, a word an entry, or {_listed([inside])}, one name"
            self.fail(key, 'a list of texts, e.g. ["a", "b"]', f"{value!r}: write {hint}",
                      said=True)
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(key, 'a list of texts, e.g. ["a", "b"]', value)
            return ()
        return tuple(self.text(v, f"{key}[{i}]") for i, v in enumerate(value))

    def boolean(self, value: Any, key: str) -> bool:
        if not isinstance(value, bool):
            word = value.strip().lower() if isinstance(value, str) else ""
            self.typed_as_text(key, "true or false", value,
                               "true" if word in ("true", "yes", "y", "on", "1") else
                               "false" if word in ("false", "no", "n", "off", "0") else "")
            return False
        return value

    def table(self, value: Any, key: str, written: str = "") -> dict[str, Any]:
        """A table of keys, `written` as the scenario file writes it (`[key]` when not
        given: a `[[coverage]]` list's entry is not written `[coverage.0]`)."""
        if not isinstance(value, dict):
            self.fail(key, f"a table ({written or '[' + key + ']'})", value)
            return {}
        return value


_QUOTES = "\"'“”‘’"


_WORD = re.compile(r"""'([^']*)'(?=\s|$)|"([^"]*)"(?=\s|$)|([^\s'"]+)(?=\s|$)""")
_WORDS = re.compile(r"""\s*(?:(?:'[^']*'|"[^"]*"|[^\s'"]+)(?:\s+|$))*""")


def _quoted_words(text: str) -> list[str]:
    """The words of `text` parted by spaces, a name in quotes of its own one word
    ("'Customer services' 'IT'": two; curly quotes as straight); split at spaces alone
    when a quote stands inside a word ("St Mary's Hospital")."""
    straight = re.sub("[“”]", '"', re.sub("[‘’]", "'", text))
    if _WORDS.fullmatch(straight) is None:  # an apostrophe inside a name, say
        return text.split()
    return [next(g for g in found.groups() if g is not None)
            for found in _WORD.finditer(straight)]


def _listed(entries: list[str]) -> str:
    """Entries typed in one text as the TOML list to write, quotes typed round each
    taken off."""
    cleaned = (v.strip().strip(_QUOTES).strip() for v in entries)
    return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in cleaned if v) + "]"


ID_LISTS = frozenset({"agencies", "keep", "close"})
"""Scenario keys whose lists hold a register's ids (agencies', sites'), which hold no
spaces as a register writes them; a list of names (sharing types, kinds) may."""
_TYPED = re.compile(r"\s*[£$€]?\s*([+-]?\d[\d,]*(?:\.\d+)?)\s*([A-Za-z%]*)\.?\s*")
# the units a key's name gives, and what else a number of it may be typed with
_MONEY_KEYS = ("cost", "one_off")
_PER_UNIT = {
    "money": {"": 1.0, "k": 1e3, "m": 1e6, "mn": 1e6, "bn": 1e9, "pounds": 1.0, "gbp": 1.0},
    "_km": {"": 1.0, "km": 1.0, "kms": 1.0, "kilometres": 1.0, "kilometers": 1.0,
            "m": 1e-3, "metres": 1e-3, "meters": 1e-3},
    "_s": {"": 1.0, "s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0,
           "m": 60.0, "min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0,
           "h": 3600.0, "hr": 3600.0, "hrs": 3600.0, "hour": 3600.0, "hours": 3600.0},
    "_years": {"": 1.0, "y": 1.0, "yr": 1.0, "yrs": 1.0, "year": 1.0, "years": 1.0},
    "fte": {"": 1.0, "fte": 1.0},
    "sites": {"": 1.0, "site": 1.0, "sites": 1.0},
}
_FRACTIONS = ("discount_rate", "mip_gap", "population_share", "efficiency")


def _units_of(key: str) -> dict[str, float]:
    """The words a number of `key` may be typed with, each to the factor that makes it
    the key's own unit (`15000m` of a key in km is 15; `5m` of one in seconds 300; `5m`
    of a sum of money 5,000,000); a key of no unit takes only a plain number, or a
    percentage when it is a fraction."""
    leaf = key.rsplit(".", 1)[-1]
    if any(word in leaf for word in _MONEY_KEYS):
        return _PER_UNIT["money"]
    for ending in ("_km", "_s", "_years"):
        if leaf.endswith(ending):
            return _PER_UNIT[ending]
    if "fte" in leaf:
        return _PER_UNIT["fte"]
    if "closures" in leaf:
        return _PER_UNIT["sites"]
    return {"": 1.0, "%": 0.01} if leaf in _FRACTIONS else {"": 1.0}


def meant_number(value: Any, key: str, takes: Callable[[float], bool]) -> str:
    """The number a text means in `key`'s own unit, as it is written without quotes,
    with a note of that unit when the text gave another (`'£5,000'`: 5000, `'3.5%'` of a
    rate: 0.035, `'1.5m'` of a cost: 1500000, `'40km'`: 40, `'10 minutes'` of a key in
    seconds: 600 (the key is in seconds)); empty when it is no text, holds no number, a
    unit the key does not take, or a value the key would refuse too (`takes`)."""
    found = _TYPED.fullmatch(value.replace("\u00a0", " ")) if isinstance(value, str) else None
    if not found:
        return ""
    x, unit = digits_meant(found[1]), found[2].lower()
    factor = _units_of(key).get(unit)
    if x is None or factor is None or not takes(x * factor):
        return ""
    leaf = key.rsplit(".", 1)[-1]
    own = "seconds" if leaf.endswith("_s") else "km" if leaf.endswith("_km") else "pounds"
    note = f" (the key is in {own})" if factor != 1.0 and unit != "%" else ""
    return _written(x * factor) + note


def _within(x: float, lo: float | None, hi: float | None, lo_open: bool, hi_open: bool
            ) -> bool:
    """Whether `x` lies in the range a key takes."""
    return not ((lo is not None and (x < lo or (lo_open and x == lo)))
                or (hi is not None and (x > hi or (hi_open and x == hi))))


def _written(x: float) -> str:
    """A number as a scenario file would have it written: no exponent, no trailing
    zeros (`1500000`, `0.035`)."""
    return str(int(x)) if x.is_integer() and abs(x) < 1e16 else f"{x:.10g}"


def _near(key: str, known: list[str]) -> list[str]:
    """The known keys a mistyped one may mean: close in spelling, or one the key begins
    (`horizon` for `horizon_years`, `radius` for `radius_km`)."""
    close = difflib.get_close_matches(key, known, n=2, cutoff=0.7)
    begun = [k for k in known if len(key) >= 4 and k.startswith(key) and k not in close]
    return (close + begun)[:2]




def _key_shown(key: str) -> str:
    """A key as typed, set apart (`max_km`); in Python's quotes, its hidden characters
    shown as escapes, when it holds one that shows as nothing or breaks the line, or is
    empty: `max_km\u200b` would look like the key it is not."""
    if key and key.isprintable() and INVISIBLE.search(key) is None:
        return as_typed(key)
    return repr(key)
