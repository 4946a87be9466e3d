"""The grid of a sweep: `--vary KEY=...` read into values, and every combination.

Everything here is checked before any run starts: a mistyped key (exit 1 with the known
keys), a list index past a list's end (only `coverage` may grow, by one new rule), a
count of values or of runs past the limits (`MAX_VALUES`, `MAX_RUNS`), so that a slip
of the keyboard never starts days of solving nor plans something else than asked.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeGuard

import numpy as np

from estate.errors import InputError, Problem, did_you_mean
from estate.load.scenario import COVERAGE_DEFAULTS, DEFAULTS
from estate.results.amounts import count

#: The most runs a sweep plans unless told otherwise (`--max-runs`): a mistyped N in
#: LO:HI:N, or one key too many, must not start days of solving.
MAX_RUNS = 1000
#: The most values one `--vary` may list or space (LO:HI:N), whatever `--max-runs` says.
MAX_VALUES = 100_000

Item = int | float | str | bool


class TypedNumber(float):
    """A decimal item of a varied list that keeps the text it was typed as (`1e6`, `5e5`,
    `inf`), so that sweep.csv and the runs' names show the list as typed (`shown`),
    never as Python writes the number (`1000000.0`). In every sum and comparison, in a
    run's scenario and its id (`run_id`), it is the plain number."""

    typed: str

    def __new__(cls, value: float, typed: str) -> TypedNumber:
        number = super().__new__(cls, value)
        number.typed = typed
        return number

    def __reduce__(self) -> tuple[type[TypedNumber], tuple[float, str]]:
        # a run's parameters go to other processes (the pool, a Dask cluster)
        return TypedNumber, (float(self), self.typed)

#: One value a key takes in a run: a plain value, or a list (`[A, B]`) for the keys
#: that hold one (`agencies`, `sharing.types`, `policy.keep`, ...)
Value = Item | tuple[Item, ...]


@dataclass(frozen=True)
class Vary:
    """One `--vary KEY=...`: a dotted scenario key and the values it takes."""

    key: str
    values: tuple[Value, ...]


def parse_value(text: str, text_items: bool = False) -> Value:
    """A number when the text looks like one (int before float), true/false, else text;
    quoted, text as written (`"2027"`). In brackets, a list of such values separated by
    commas or semicolons (`[]` is the empty list); with `text_items` (a key that holds
    ids or names) every item is text, so `[004]` keeps its zeros. Raises ValueError for
    a quote or bracket left open, or a bracket inside a list."""
    text = text.strip()
    if text.startswith("["):
        inner = _split(text[1:-1], ",;", nested=False) if text.endswith("]") else None
        if inner is None:
            raise ValueError("a list as [A,B], with no bracket inside it")
        return (tuple(_list_item(part, text_items) for part in inner)
                if text[1:-1].strip() else ())
    return _item(text, False)


def _list_item(text: str, as_text: bool) -> Item:
    """An item of a list, a decimal keeping the text it was typed as (`TypedNumber`)."""
    item = _item(text, as_text)
    return TypedNumber(item, text.strip()) if isinstance(item, float) else item


def _item(text: str, as_text: bool) -> Item:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    if as_text:
        return text
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    try:
        x = float(text)
    except ValueError:
        return text
    return text if math.isnan(x) else x


def _text_lists(node: dict[str, Any], prefix: str = "") -> frozenset[str]:
    """The dotted keys whose value is a list of ids or names (a list in `DEFAULTS`; the
    coverage rules are tables, varied key by key)."""
    keys: set[str] = set()
    for name, value in node.items():
        if isinstance(value, dict):
            keys |= _text_lists(value, f"{prefix}{name}.")
        elif isinstance(value, list) and name != "coverage":
            keys.add(prefix + name)
    return frozenset(keys)


TEXT_LISTS = _text_lists(DEFAULTS)
"""Keys whose list items are always text: `agencies`, `sharing.types`, `policy.keep`, ..."""


def _is_number(value: Value) -> TypeGuard[int | float]:
    """An int or a float; not a bool, which Python counts as an int."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _spaced(lo: float, hi: float, n: int, integers: bool) -> tuple[Value, ...]:
    """N evenly spaced values from lo to hi inclusive, printed as a person would type them."""
    # to 12 digits of the larger end, so a range across 0 gives 0, not 1.1e-16
    scale = max(abs(lo), abs(hi))
    digits = 11 - math.floor(math.log10(scale)) if scale > 0 and math.isfinite(scale) else 12
    values = [float(f"{round(v, digits) + 0.0:.12g}") for v in np.linspace(lo, hi, n)]
    if integers and all(v.is_integer() for v in values):
        return tuple(int(v) for v in values)
    return tuple(values)


def parse_vary(spec: str) -> Vary:
    """`KEY=V1,V2,...` or `KEY=LO:HI:N` (N evenly spaced values, ends included)."""
    key, sep, rest = spec.partition("=")
    key = key.strip()
    if not sep or not key or not rest.strip() or not re.fullmatch(r"[A-Za-z0-9_.]+", key):
        raise _bad(spec, "KEY=V1,V2,... or KEY=LO:HI:N with a dotted scenario key, e.g. "
                         "sharing.efficiency=0.1:0.2:3")
    parts = rest.split(":")
    if "," not in rest and len(parts) == 3:
        lo, hi, n = (parse_value(p) for p in parts)
        if _is_number(lo) and _is_number(hi):
            if not isinstance(n, int) or n < 1 or n > MAX_VALUES:
                raise _bad(spec, f"a whole number of values N from 1 to {MAX_VALUES:,} in "
                                 f"{key}=LO:HI:N")
            if not (math.isfinite(lo) and math.isfinite(hi)):
                raise _bad(spec, f"finite ends LO and HI in {key}=LO:HI:N")
            integers = isinstance(lo, int) and isinstance(hi, int)
            spaced = _spaced(float(lo), float(hi), n, integers)
            _each_once(spec, f"{key}=LO:HI:N (LO and HI equal only with N = 1)", spaced)
            return Vary(key, spaced)
    texts = _split(rest, ",", nested=True)
    ranges = [t.strip() for t in texts or [] if _looks_like_range(t)]
    if ranges:  # `0.1:0.2:3,0.5` would run one invalid plan of the text "0.1:0.2:3"
        raise _bad(spec, f"a range LO:HI:N standing alone ({key}={ranges[0]}), or the "
                         f"values listed one by one ({key}={_listed(texts or [])}); quote "
                         f"\"{ranges[0]}\" if it is text")
    try:
        if texts is None:
            raise ValueError
        values = tuple(parse_value(v, key in TEXT_LISTS) for v in texts)
    except ValueError:
        raise _bad(spec, f"values separated by commas, each quote closed and each list as "
                         f"[A,B] (no bracket inside it), in {key}=[A,B],[C]") from None
    if len(values) > MAX_VALUES:
        raise _bad(spec, f"at most {MAX_VALUES:,} values in {key}=V1,V2,...")
    if any(v == "" or (isinstance(v, tuple) and "" in v) for v in values):
        raise _bad(spec, f"no empty values in {key}=V1,V2,... (nor in a list: [A,B])")
    if key in TEXT_LISTS and (alone := [t.strip() for t, v in zip(texts, values, strict=True)
                                        if not isinstance(v, tuple)]):
        # `policy.keep=[S1],S2`: S2 would be a run of an invalid scenario
        every = len(alone) == len(values) and len(alone) > 1
        raise _bad(spec, f"each value of {key} a whole list in brackets, "
                         f"{key}=[A,B],[C] ([] for none)",
                   f"write {key}={','.join(f'[{a}]' for a in alone)} for a run each, or "
                   f"{key}=[{','.join(alone)}] for one run of them all" if every
                   else f"{alone[0]}: write [{alone[0]}]")
    _each_once(spec, f"{key}=V1,V2,...", values, [t.strip() for t in texts])
    return Vary(key, values)


def _each_once(spec: str, form: str, values: tuple[Value, ...],
               typed: list[str] | None = None) -> None:
    """Refuse a value given twice (`1` and `1.0`, or LO:HI:N with LO = HI): it would
    be one run twice. The message says which value repeats, as typed when `typed`."""
    said = typed or [shown(v) for v in values]
    seen: dict[Any, int] = {}
    for i, value in enumerate(values):
        first = seen.setdefault(_identity(value), i)
        if first != i:
            again = (f"{said[i]} given twice" if said[i] == said[first]
                     else f"{said[i]} is {said[first]} again")
            raise _bad(spec, f"each value once in {form}", again)


def _looks_like_range(text: str) -> bool:
    """Whether an unquoted value is shaped as LO:HI:N (three numbers), which spaces
    values only when it is the whole of a --vary."""
    parts = text.strip().split(":")
    return len(parts) == 3 and all(_is_number(_item(p, False)) for p in parts)


def _listed(texts: list[str]) -> str:
    """A list of values with each LO:HI:N in it written out, for a message: `0.1:0.2:3,
    0.5` -> `0.1,0.15,0.2,0.5`; V1,V2,... when a range spaces too many to show."""
    shown: list[str] = []
    for text in texts:
        if not _looks_like_range(text):
            shown.append(text.strip())
            continue
        lo, hi, n = (_item(p, False) for p in text.split(":"))
        if not isinstance(n, int) or not 1 <= n <= 12:
            return "V1,V2,..."
        integers = isinstance(lo, int) and isinstance(hi, int)
        shown += [f"{v:g}" if isinstance(v, float) else str(v)
                  for v in _spaced(float(lo), float(hi), n, integers)]
    return ",".join(shown)


def _identity(value: Value) -> Any:
    """What makes two values the same run: `[S1]` and `["S1"]`, or 1 and 1.0, are; 1 and
    true are not (Python counts true as 1)."""
    if isinstance(value, tuple):
        return tuple(_identity(v) for v in value)
    if isinstance(value, bool):
        return ("bool", value)
    # a number as itself: 1 == 1.0 in Python, with one hash, and an int past any float
    # is still an int (float() of it would overflow)
    return ("number", value) if isinstance(value, int | float) else ("text", value)


def _split(text: str, separators: str, nested: bool) -> list[str] | None:
    """`text` split at the `separators` that are outside quotes and brackets (`[A,B],[C]`
    is two values, `"a,b"` one); a quote opens only at the start of a part, so
    `O'Brien` is text. None when a quote or bracket is left open, a bracket closes
    unopened, or (not `nested`) any bracket stands outside quotes."""
    parts, depth, quote, start, item = [], 0, "", 0, 0  # item: where the part or list item began
    for i, character in enumerate(text):
        if quote:
            quote = "" if character == quote else quote
            continue
        if character in "\"'" and not text[item:i].strip():
            quote = character
        elif character in "[]":
            depth += 1 if character == "[" else -1
            if not nested or depth not in (0, 1):
                return None
            item = i + 1
        elif character in ",;":
            item = i + 1
            if character in separators and depth == 0:
                parts.append(text[start:i])
                start = i + 1
    return None if quote or depth else [*parts, text[start:]]


def shown(value: Value) -> str:
    """A value as a person types it: `0.15`, `0` (not `0.0`), `maintain`, `true`, `[A, B]`
    for a list, its decimals as typed (`[1e6, 5e5, inf]`)."""
    if isinstance(value, tuple):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"  # as typed, not Python's True
    if isinstance(value, TypedNumber):
        return value.typed
    if isinstance(value, float):
        return f"{value:.12g}"  # 0, 1000000, 0.15, inf: never 0.0 or 1000000.0
    return str(value)


def _bad(spec: str, expected: str, why: str = "") -> InputError:
    return InputError([Problem("--vary", None, None, expected,
                               repr(spec) + (f" ({why})" if why else ""))])


def _as_set(key: str) -> str:
    """The key as setting it reads it: each list index a number (`coverage.00.radius_km`
    sets `coverage.0.radius_km`)."""
    return ".".join(str(int(part)) if part.isdigit() else part for part in key.split("."))


def grid(varies: Iterable[Vary], most: int = MAX_RUNS) -> list[dict[str, Value]]:
    """Every combination, the first key varying slowest; more than `most` is refused
    before any is made."""
    varies = list(varies)
    keys = [v.key for v in varies]
    # a list index read as a number: `coverage.00` is `coverage.0`, the same key
    same = [_as_set(k) for k in keys]
    if len(set(same)) != len(same):
        twice = {c: sorted({k for k, d in zip(keys, same, strict=True) if d == c})
                 for c in same if same.count(c) > 1}
        each = [f"{ways[0]} given more than once" if len(ways) == 1 else
                f"{' and '.join(ways)}, one key spelt "
                f"{ {2: 'two', 3: 'three'}.get(len(ways), len(ways))} ways"
                for ways in twice.values()]
        raise InputError([Problem("--vary", None, None, "each key varied once",
                                  "; ".join(each))])
    # a key and one inside it (`policy.keep` and `policy.keep.0`) set the same value:
    # whichever is set last wins, and the other's column labels values never used
    nested = [(outer, inner) for outer, o in zip(keys, same, strict=True)
              for inner, i in zip(keys, same, strict=True) if i.startswith(o + ".")]
    if nested:
        said = "; ".join(f"{outer} and {inner}, a key inside it" for outer, inner in nested)
        raise InputError([Problem("--vary", None, None, "each key varied once",
                                  f"{said}: the same key twice, one overriding the other")])
    runs = math.prod(len(v.values) for v in varies)
    if runs > most:
        sizes = " x ".join(f"{len(v.values)} ({v.key})" for v in varies)
        raise InputError([Problem("--vary", None, None, f"at most {count(most, 'run')} (raise "
                                  "the limit with --max-runs if you mean it)",
                                  f"{runs:,} combinations: {sizes}")])
    return [dict(zip(keys, combo, strict=True))
            for combo in itertools.product(*(v.values for v in varies))]


def check_keys(raw: dict[str, Any], varies: Iterable[Vary]) -> None:
    """Every varied key names a key of the scenario `raw` (or one with a default), and
    every list index in it an entry that exists, or for `coverage` the next, new rule:
    a mistyped key is refused before anything runs, with the known keys."""
    known = [key for key in _known_keys(_merged(raw)) if key != "name"]  # not varied
    problems = []
    for vary in varies:
        if vary.key == "name":  # each run is named from the scenario's name and values
            problems.append(Problem("--vary", None, "name", "a key that changes the plan",
                                    "name: each run is named `<the scenario's name> [key="
                                    "value, ...]` whatever it is given; vary another key",
                                    label="key"))
            continue
        why = _unknown(raw, vary.key)
        if why is not None:
            # the key in its table first (`relocation.max_km` for `max_km`)
            leaf = vary.key.rsplit(".", 1)[-1]
            near = list(dict.fromkeys(
                [k for k in known if k.rsplit(".", 1)[-1] == leaf] + _close(vary.key, known)))[:3]
            hint = f"{did_you_mean(near)} " if near else ""
            problems.append(Problem("--vary", None, vary.key, "a key the scenario knows",
                                    f"{why}; {hint}known keys: {', '.join(known)}",
                                    label="key"))
    if problems:
        raise InputError(problems)


def _close(key: str, known: list[str]) -> list[str]:
    """The known keys a mistyped one is most like, best first: those within a tenth of the
    best likeness (difflib's ratio, at least 0.6), so that `sharing.efficency` is told
    `sharing.efficiency` alone, not every key of its table, which its prefix makes alike."""
    ratios = {k: difflib.SequenceMatcher(None, key, k).ratio() for k in known}
    best = max(ratios.values(), default=0.0)
    return sorted((k for k, r in ratios.items() if r >= max(0.6, best - 0.1)),
                  key=lambda k: -ratios[k])


def _merged(raw: dict[str, Any]) -> dict[str, Any]:
    """The scenario's keys over the defaults: every key a run may set."""
    merged: dict[str, Any] = {**DEFAULTS, "data": "", **raw}
    for name, default in DEFAULTS.items():
        if isinstance(default, dict) and isinstance(merged[name], dict):
            merged[name] = {**default, **merged[name]}
    if isinstance(merged["coverage"], list):
        merged["coverage"] = [{**COVERAGE_DEFAULTS, **rule} if isinstance(rule, dict) else rule
                              for rule in merged["coverage"]]
    return merged


def _unknown(raw: dict[str, Any], key: str) -> str | None:
    """Why the dotted `key` names nothing in the scenario `raw`, or None."""
    node: Any = _merged(raw)
    parts = key.split(".")
    for i, part in enumerate(parts):
        where = ".".join(parts[:i]) or "the scenario"
        if isinstance(node, list):
            new = where == "coverage"  # the next rule may be added
            if not new and not node:
                return (f"{where} is an empty list, so it has no entry {part}: vary the "
                        f"whole list instead, e.g. {where}=[A],[A,B]")
            if not part.isdigit() or int(part) >= len(node) + new:
                whole = "" if new else f", or vary the whole list ({where}=[A],[A,B])"
                return (f"{where} has {len(node)} entr{'y' if len(node) == 1 else 'ies'}: "
                        f"an index from 0 to {len(node) - 1 + new}"
                        f"{' (the last adds a rule)' if new else ''}, not {part}{whole}")
            node = node[int(part)] if int(part) < len(node) else COVERAGE_DEFAULTS
        elif isinstance(node, dict):
            if part not in node:
                return f"{where} has no key {part}"
            node = node[part]
        else:
            return f"{where} is a single value, not a table"
    return None


def _known_keys(node: Any, prefix: str = "") -> list[str]:
    if isinstance(node, dict) and node:
        return [k for name, value in node.items() for k in _known_keys(value, f"{prefix}{name}.")]
    if isinstance(node, list) and node and prefix.endswith("coverage."):
        return [k for i, rule in enumerate(node) for k in _known_keys(rule, f"{prefix}{i}.")]
    return [prefix.rstrip(".")]


def run_id(parameters: dict[str, Value]) -> str:
    """A folder name that depends on the parameters' values only: not on their order in
    the grid, nor on how a number was typed (`1000` and `1000.0` are one run, as a
    scenario reads them). Never a name Excel reads as a number in sweep.csv: twelve hex
    digits that are all decimal (`123456789012`) or digits about an `e` (`12345e67890`)
    take an `r` in front of eleven."""
    digest = _digest(_whole_as(parameters, int))
    return f"r{digest[:11]}" if _number_like(digest[:12]) else digest[:12]


def older_run_ids(parameters: dict[str, Value]) -> list[str]:
    """The ids estate gave this run before `run_id` took a whole number one way (and kept
    ids off numbers), so that a sweep finds the runs an older version stored: its values
    as typed now, and with every whole number typed as a decimal (`1.0`, `1e3`) or as a
    whole number (`1`, `1000`), the ways a range is typed."""
    ways = [parameters, _whole_as(parameters, float), _whole_as(parameters, int)]
    return list(dict.fromkeys(_digest(way)[:12] for way in ways))


def _whole_as(value: Any, kind: type) -> Any:
    """`value` with every whole number (not a bool) as `kind`, in lists and tables too;
    an int past any float stays as it is (no older id could have held it otherwise)."""
    if isinstance(value, dict):
        return {k: _whole_as(v, kind) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_whole_as(v, kind) for v in value]
    if not _is_number(value) or (isinstance(value, float) and not value.is_integer()):
        return value
    try:
        return kind(value)
    except OverflowError:
        return value


def _digest(parameters: dict[str, Any]) -> str:
    text = json.dumps(parameters, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _number_like(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
