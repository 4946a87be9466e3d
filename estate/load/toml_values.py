"""How a value typed in a scenario file should be written, for the hints of
`estate.load.toml_text`: a date day first, a number with its unit, £ or commas, a word
for no limit, and a value with more typed after it on its line (a note marked as another
language marks one, an apostrophe inside 'single quotes')."""

from __future__ import annotations

import re
import tomllib

from estate.load.checker import meant_number

# how other languages start a comment: C's //, INI's ;, a bullet's *, a quote's >,
# LaTeX's %, SQL's --, Basic's ' and REM
COMMENT_MARK = re.compile(r"//|;|\*|>|%|--|'|!|(?i:rem)\s")
# a number with a sign, commas or a unit: £250,000, 250k, 35%, 15 km, 10 minutes
_NUMBER_AND = re.compile(r"[£$€]?\s*\d[\d.,]*\s*[A-Za-z%]*\.?")
_DATE = re.compile(r"(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})")
_WHOLE_KEYS = frozenset({"horizon_years", "min_agencies", "max_closures_per_year"})
"""Keys that take a whole number: a value typed with a unit is not offered when the
number it means is not one."""
NOTE_AFTER = "a note after a #"
"""What `after_value` expects of a note marked as another language marks one."""
PERCENT_AND_WORDS = "a number alone: 0.35, not 35%"
"""What `after_value` expects of a percentage with words after it (`3.5% Green Book`)."""
_NO_LIMIT = frozenset({"none", "null", "nil", "unlimited", "infinity", "infinite", "no",
                       "n/a", "-"})


def reads_as_value(text: str) -> bool:
    """Whether `text` is a TOML value as written (10, "x", ["a"], true)."""
    try:
        tomllib.loads(f"value = {text}")
    except tomllib.TOMLDecodeError:
        return False
    return True


def date_hint(value: str) -> tuple[str, str] | None:
    """The hint for a date written with slashes or dots (01/04/2027), None for a value
    that is not one."""
    date = _DATE.fullmatch(value)
    if date is None:
        return None
    iso = _iso(date)
    return ('a date in quotes, year first: "2028-09-30"',
            f'write {value} as "{iso}"' if iso else "write it year first, in quotes")


def _iso(date: re.Match[str]) -> str:
    """A date written with slashes or dots as ISO 8601: year first when it is first,
    else day first, as UK registers write it; empty when it is no date."""
    a, b, c = (int(part) for part in date.groups())
    year, month, day = (a, b, c) if len(date[1]) == 4 else (c, b, a)
    if len(str(year)) != 4 or not (1 <= month <= 12 and 1 <= day <= 31):
        return ""
    return f"{year:04d}-{month:02d}-{day:02d}"


def number_hint(leaf: str, value: str) -> tuple[str, str] | None:
    """The hint for a value a number key cannot take as written: a unit, a £, a
    percentage or thousands' commas; a decimal comma; a point with no digit before it;
    a word for no limit."""
    if value.lower() in _NO_LIMIT:
        return ("a number, or inf for no limit", f"write inf for no limit ({leaf} = inf), "
                "where the key takes one, or a number")
    if re.fullmatch(r"[+-]?\.\d+", value):
        sign = value[0] if value[0] in "+-" else ""
        return ("a number with a digit before its point", f"write {sign}0{value.lstrip('+-')}")
    if re.fullmatch(r"[+-]?(0|\d+),\d{1,2}|[+-]?0,\d+", value):
        return ("a number with a decimal point", f"write {value.replace(',', '.')} (a point, "
                "not a comma, before the decimals)")
    if re.search(r"[£$€,%]|\d\s*[A-Za-z]", value) and _NUMBER_AND.fullmatch(value):
        # the number meant, in the key's own unit, when the unit typed is one it takes
        # (`40 km`: 40; `3.5 %` of a rate: 0.035); a value no key takes is not offered
        meant = meant_number(value, leaf, lambda x: x >= 0 and (
            x.is_integer() or leaf not in _WHOLE_KEYS))
        return ("a number alone: 250000, not £250,000 or 250k; 0.35, not 35%",
                f"write {leaf} = {meant}" if meant else
                "write the number without £, commas, k, m, % or a unit: the key's name "
                "gives its unit (radius_km in km, time_limit_s in seconds)")
    if value and value[0].isalpha() and value not in ("inf", "nan", "true", "false"):
        return ("a number", "a number key takes digits, or inf for no limit where it "
                "allows one")
    return None


def after_value(key: str, value: str) -> tuple[str, str] | None:
    """The hint for a line whose value TOML read whole before more followed it on the
    line (`value` without a # note): a note marked as C or SQL mark one (`0.035 // the
    Green Book rate`), an apostrophe inside 'single quotes' (`'St John's'`), two texts
    where one was meant, or words after a text. None when no start of `value` reads as
    a value."""
    if value.startswith("'") and value.endswith("'") and value.count("'") > 2 \
            and '"' not in value:  # 'St John's': the ' ends the text
        # a Windows path's \ would start an escape in "double quotes": written with /
        return ('a text holding an apostrophe in "double quotes"',
                f'write {key} = "{value[1:-1].replace(chr(92), "/")}"'
                + (" (a path with / in place of \\, which Windows reads too)"
                   if "\\" in value else ""))
    # a decimal comma before a % (`3,5% Green Book`) is the percentage 3.5%, not a list
    if decimal := re.match(r"([+-]?\d+),(\d{1,2})(?=\s*%)", value):
        value = f"{decimal[1]}.{decimal[2]}{value[decimal.end():]}"
    for end in range(len(value) - 1, 0, -1):
        read, rest = value[:end].rstrip(), value[end:].strip()
        if rest and reads_as_value(read):
            break
    else:
        return None
    if re.fullmatch(r"[A-Za-z]+\.?", rest) and re.fullmatch(r"[+-]?[\d_.eE+-]+", read):
        return ("a number alone", f"write {key} = {read}: the key's name gives its unit "
                "(radius_km in km, time_limit_s in seconds)")
    # `35%` alone is a percentage, not a note marked as LaTeX marks one: the number's
    # own hint (`number_hint`) says how to write it; with words after it, said here
    # (`3.5% Green Book`: the % against the digits; with a space, `3.5 % Green Book` of a
    # share is a percentage, as no share is above 1, and `0.5 % of NPV` may be either)
    number = re.fullmatch(r"[+-]?\d+(\.\d+)?", read)
    spaced = bool(number and re.match(re.escape(read) + r"\s+%", value))
    if number and (value.startswith(read + "%") or spaced) \
            and not _NUMBER_AND.fullmatch(value):
        words, leaf = rest[1:].strip(), key.rsplit(".", 1)[-1]
        note = f" # {words}" if words else ""
        # a share only where the key takes one (`discount_rate`, not `radius_km`)
        meant = meant_number(read + "%", leaf, lambda x: x.is_integer() or
                             leaf not in _WHOLE_KEYS)
        if spaced and meant and float(read) <= 1:  # a share as it is, or a percentage
            return ("a number alone, then perhaps a note after #",
                    f"if {read} % is {read} per cent, write {key} = {meant}{note}; if the % "
                    f"starts a note, write {key} = {read}{note}")
        if meant or not spaced:
            return (PERCENT_AND_WORDS, f"write {key} = {meant}{note}" if meant else
                    "write the number without % (the key's name gives its unit: radius_km "
                    "in km, time_limit_s in seconds)" + (
                        f", and start the words after it with #: #{note[2:]}" if words
                        else ""))
    if (mark := COMMENT_MARK.match(rest)) and not (mark[0] == "%"
                                                   and _NUMBER_AND.fullmatch(value)):
        return (NOTE_AFTER, f"TOML's notes start with #: write # in place of "
                f"{mark[0].strip()}")
    text = read[0] in "\"'"
    return ("one value on the line, then perhaps a note after #",
            f"the value {read} is followed by {rest}: if that is a note, start it with #"
            + ("; if it is all the text, put it all in one pair of quotes" if text else ""))


def apostrophe_in_entry(value: str) -> tuple[str, str] | None:
    """The hint for a list entry in 'single quotes' holding an apostrophe
    (`['St John's']`), which TOML reads as the entry's end; None when there is none."""
    found = re.search(r"'([^'\"\[\],]*[A-Za-z]'[A-Za-z][^'\"\[\],]*)'", value)
    if found is None:
        return None
    return ('an entry holding an apostrophe in "double quotes"',
            f'write it "{found[1]}", in double quotes')
