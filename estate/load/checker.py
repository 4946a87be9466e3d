"""Reading typed values out of a parsed TOML file, collecting every problem.

Each read names its dotted key, so a scenario with five mistakes gets five located
messages at once ("solver.mip_gap: expected a number in [0.0, 1.0], found 2").
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from typing import Any

from estate.errors import Problem, as_typed, did_you_mean
from estate.load.free_text import REFUSED, has_hidden, one_line
from estate.load.schema import LARGEST


class KeyChecker:
    """Collects problems while reading typed values out of the raw dict."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.problems: list[Problem] = []

    def fail(self, key: str, expected: str, found: Any, said: bool = False) -> None:
        """A problem at `key`: `found` is the value as written (shown as Python writes it,
        so text is quoted), or, `said` or in brackets, words about it shown as they are."""
        shown = found if said or (isinstance(found, str) and found.startswith("(")) \
            else repr(found)
        self.problems.append(Problem(self.label, None, key, expected, shown, label="key"))

    def unknown(self, table: dict[str, Any], allowed: dict[str, Any], prefix: str,
                homes: Mapping[str, str] | None = None) -> None:
        """Each key of `table` that is not one of `allowed`, with the known keys and the
        ones it may have meant (`horizon` -> `horizon_years`), or, when it is a known key
        of another table (`homes`: a key to the words that say where it is written), where
        it belongs (`max_km` written at the top of the file, or `start` below `[solver]`)."""
        for key in table:
            if key not in allowed:
                hint = ", ".join(sorted(allowed))
                if homes and key in homes:
                    meant = f" here; {as_typed(key)} {homes[key]}"
                else:
                    near = _near(str(key), sorted(allowed))
                    meant = f"; {did_you_mean(prefix + n for n in near)}" if near else ""
                self.fail(prefix + key, f"one of the known keys ({hint})",
                          f"(an unknown key{meant})")

    def number(self, value: Any, key: str, lo: float | None = None, hi: float | None = None,
               lo_open: bool = False, hi_open: bool = False, allow_inf: bool = False) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            if allow_inf and isinstance(value, str) and value.strip().lower() in ("inf", "infinity"):
                return math.inf
            meant = _number_in(value, key) if isinstance(value, str) else None
            self.fail(key, "a number, without quotes" if meant else "a number",
                      f"{value!r}: write {meant}" if meant else value, said=bool(meant))
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
        rng = f"{'(' if lo_open else '['}{lo if lo is not None else '-inf'}, " \
              f"{hi if hi is not None else 'inf'}{')' if hi_open else ']'}"
        if lo is not None and (x < lo or (lo_open and x == lo)):
            self.fail(key, f"a number in {rng}", value)
        if hi is not None and (x > hi or (hi_open and x == hi)):
            # a share or rate typed as a percentage (3.5 for 3.5%), as a spreadsheet shows it
            typed = (f", a fraction: {x:g}% is {x / 100:g}" if lo == 0 and hi == 1
                     and 1 < x <= 100 else "")
            self.fail(key, f"a number in {rng}{typed}", value)
        return x

    def integer(self, value: Any, key: str, lo: int, hi: int = int(LARGEST)) -> int:
        expected = f"a whole number >= {lo} (at most 10^15)" if hi >= LARGEST else \
            f"a whole number from {lo} to {hi}"
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                meant = _number_in(value, key) if isinstance(value, str) else None
                self.fail(key, expected + (", without quotes" if meant else ""),
                          f"{value!r}: write {meant}" if meant else value, said=bool(meant))
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
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(key, 'a list of texts, e.g. ["a", "b"]', value)
            return ()
        return tuple(self.text(v, f"{key}[{i}]") for i, v in enumerate(value))

    def boolean(self, value: Any, key: str) -> bool:
        if not isinstance(value, bool):
            word = value.strip().lower() if isinstance(value, str) else ""
            meant = ("true" if word in ("true", "yes", "y", "on", "1") else
                     "false" if word in ("false", "no", "n", "off", "0") else "")
            self.fail(key, "true or false, without quotes" if meant else "true or false",
                      f"{value!r}: write {meant}" if meant else value, said=bool(meant))
            return False
        return value

    def table(self, value: Any, key: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(key, "a table ([" + key + "])", value)
            return {}
        return value


_SCALES = {"": 1, "k": 1e3, "m": 1e6, "bn": 1e9, "%": 0.01}


def _number_in(text: str, key: str) -> str | None:
    """The number a text means, written as TOML reads one (`'£5,000'`: 5000, `'35%'`:
    0.35, `'1.5m'`: 1500000, `'40 km'`: 40, `'10 minutes'` for a key in seconds: 600),
    or None when it holds none."""
    found = re.fullmatch(r"\s*[£$€]?\s*([+-]?\d[\d,]*(?:\.\d+)?)\s*(k|m|bn|%)?(?![A-Za-z])\s*"
                         r"([A-Za-z]*)\.?\s*", text.replace("\u00a0", " "), re.IGNORECASE)
    if not found:
        return None
    digits, scale, unit = found[1].replace(",", ""), (found[2] or "").lower(), found[3].lower()
    if scale and unit:
        return None
    x = float(digits) * _SCALES[scale]
    if key.endswith("_km") and (scale == "m" or unit in ("m", "metres", "meters")):
        x = float(digits) / 1000  # '15000m' of a key in km: metres, not millions
        unit = "km"
    if unit.startswith("min") and key.endswith("_s"):
        return f"{x * 60:g} (the key is in seconds)"
    elif unit and not (unit in ("km", "kms", "s", "sec", "secs", "seconds", "fte", "years")
                       or unit.startswith(("pound", "sites"))):
        return None
    return f"{x:.10g}" if not x.is_integer() or abs(x) >= 1e16 else str(int(x))


def _near(key: str, known: list[str]) -> list[str]:
    """The known keys a mistyped one may mean: close in spelling, or one the key begins
    (`horizon` for `horizon_years`, `radius` for `radius_km`)."""
    close = difflib.get_close_matches(key, known, n=2, cutoff=0.7)
    begun = [k for k in known if len(key) >= 4 and k.startswith(key) and k not in close]
    return (close + begun)[:2]
