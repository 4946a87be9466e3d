"""A scenario file found at its path and its text read as TOML, with what is wrong
said: no file there (a folder is told the scenario files it holds), or a slip at its line.

A lead writing a scenario in Notepad for the first time makes a handful of mistakes
TOML's own messages do not explain ("Invalid value (at line 3, column 8)"): curly
quotes pasted from Word, a Windows path's backslashes, `True` or `yes`, `250k`,
`£5,000` or `35%`, a day-first date, a list without its brackets, text without
quotes, a note after `//` or an apostrophe in 'single quotes' (`estate.load.toml_values`
says how such values are written), a key written twice, a file saved as UTF-16 or
Windows-1252. Each is named
here at its line, with the line as written and how to write it.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path
from typing import Any

from estate.errors import InputError, Problem, cannot_read, path_too_long
from estate.load.read import (
    EXCEL_SUFFIXES,
    GPKG_SUFFIXES,
    REGISTER_SUFFIXES,
    instead_of_a_file,
)
from estate.load.scenario_keys import KEY_NAMES, TABLES
from estate.load.toml_values import (
    COMMENT_MARK,
    NOTE_AFTER,
    PERCENT_AND_WORDS,
    after_value,
    apostrophe_in_entry,
    date_hint,
    number_hint,
    reads_as_value,
)

VALID = 'valid TOML: key = value, a text in "straight quotes", a list in [brackets]'
SAVE_AS_UTF8 = "save it as UTF-8 (Notepad: File, Save As, Encoding UTF-8)"
_AT = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")
_BOOLEAN = re.compile(r"(?i)(true|false|yes|no|y|n|on|off)")
# a text in quotes, escaped quotes and all ("12\" screens"), or in single quotes
_STRINGS = re.compile(r'"(?:\\.|[^"\\])*"|\'[^\']*\'')
# the keys whose values are lists, and those whose values are texts; the rest are
# numbers or flags (a hint for one never says to put it in quotes)
_LIST_KEYS = frozenset({"agencies", "keep", "close", "closable_kinds", "types"})
_TEXT_KEYS = frozenset({"name", "data", "service", "mode", "crs", "start"})


def read_scenario_dict(path: str | Path) -> dict[str, Any]:
    """Parse a scenario file without checking it (sweeps edit this dict)."""
    path = Path(path)
    label = str(path)
    try:
        is_file = path.is_file()
    except OSError as exc:  # a path too long for the system, a folder one may not enter
        too_long = path_too_long(exc)
        if too_long is None:
            raise InputError([Problem(label, None, None, "a scenario TOML file",
                                      cannot_read(exc))]) from None
        raise InputError([dataclasses.replace(too_long, expected="a scenario TOML file")]
                         ) from None
    if not is_file:
        raise InputError([Problem(label, None, None, "a scenario TOML file",
                                  _not_a_scenario(path))])
    if path.suffix.lower() in REGISTER_SUFFIXES:
        raise InputError([Problem(label, None, None, "a scenario TOML file",
                                  _a_register_file(path))])
    return read_toml(path, label)


def _a_register_file(path: Path) -> str:
    """A register's file given where a scenario goes (`estate plan sites.csv`, or the
    workbook): the scenario that plans it, rather than TOML syntax or a binary file; a
    workbook estate does not read (.xls, .ods) to be saved as one it does first."""
    if path.suffix.lower() not in (*EXCEL_SUFFIXES, *GPKG_SUFFIXES, ".csv"):
        return (f"a register file ({path.name}) in a format estate does not read, not a "
                "scenario: save it as an Excel workbook (.xlsx), then write a scenario file "
                "(.toml) whose data names it (docs/formats.md, \"A scenario\")")
    register = path.parent if path.suffix.lower() == ".csv" else path
    # quoted as both a POSIX shell and Windows' take it, when it holds a space
    typed = f'"{register}"' if " " in str(register) else str(register)
    return (f"a register file ({path.name}), not a scenario: write a scenario file "
            f'(.toml) whose data = "{register.as_posix()}" names the register (docs/'
            f"formats.md, \"A scenario\"), or check the register with estate validate "
            f"{typed}")


def _not_a_scenario(path: Path) -> str:
    """What is at `path` instead of a scenario file; for a folder (`estate compare
    models/`, or a register given to `estate plan`), the scenario files to give instead."""
    found = instead_of_a_file(path)
    if found != "a folder":
        return found
    scenarios = sorted(p.name for p in path.glob("*.toml"))
    if scenarios:
        held = ", ".join(scenarios[:3]) + (", ..." if len(scenarios) > 3 else "")
        return (f"a folder holding {held}: give the scenario files themselves (e.g. "
                f"{path / scenarios[0]})")
    return ("a folder: give a scenario file (.toml), which names its register in `data` "
            "(estate validate checks a register folder)")


def read_toml(path: Path, label: str) -> dict[str, Any]:
    """The parsed file, or an InputError naming what is wrong at its line."""
    try:
        data = path.read_bytes()
    except OSError as exc:  # a file this user may not read, say
        raise InputError([Problem(label, None, None, "a scenario TOML file",
                                  cannot_read(exc))]) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError([Problem(label, None, None, "a scenario TOML file in UTF-8 text",
                                  f"UTF-16 text (Notepad's 'Unicode'): {SAVE_AS_UTF8}")])
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark (Notepad writes one) is no text
    except UnicodeDecodeError as exc:
        if b"\0" in data[:4096]:
            raise InputError([Problem(label, None, None, "a scenario TOML file (UTF-8 text)",
                                      "a workbook or other binary file, not a scenario")]
                             ) from None
        # the error's position counts from after the byte-order mark, if there is one
        bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
        raise InputError([_not_utf8(data, exc.start + bom, label)]) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError([syntax_problem(text, str(exc), label)]) from None


def _not_utf8(data: bytes, position: int, label: str) -> Problem:
    """The line of the first byte that is not UTF-8, and the character it is in
    Windows-1252, the encoding Notepad's 'ANSI' and Word's plain text save in the UK."""
    byte = data[position]
    line = data[:position].count(b"\n") + 1
    try:
        shown = f" ({bytes([byte]).decode('cp1252')} in Windows-1252)"
    except UnicodeDecodeError:
        shown = ""
    return Problem(label, None, str(line), "a scenario TOML file (UTF-8 text)",
                   f"the byte 0x{byte:02X}{shown}, which is not UTF-8: {SAVE_AS_UTF8}",
                   label="line")


def syntax_problem(text: str, message: str, label: str) -> Problem:
    """tomllib's `message` on `text` said at its line, with the line and a way to fix it."""
    at = _AT.search(message)
    reason = _AT.sub("", message)
    lines = [line.rstrip("\r") for line in text.split("\n")]  # TOML ends lines at \n only
    if at and at[1]:
        number, column = int(at[1]), f"column {at[2]}: "
    else:  # at the end: said at the line left open, or else the last
        number, column = _open_line(lines), ""
    comma = _comma_missing(lines, number, int(at[2])) \
        if at and at[1] and reason.startswith("Unclosed array") else 0
    if comma:
        commented = "#" in _STRINGS.sub("", lines[comma - 1])
        where = (f"line {number}, ", f"right after the entry on line {comma}"
                 + (", before its # comment" if commented else "")) \
            if comma < number else ("", f"between the entries at {column.rstrip(': ')}")
        fix = _semicolons(_shape(lines[comma - 1]), f" on line {comma}") \
            or f"put a comma {where[1]}"
        return Problem(label, None, str(comma), 'entries separated by commas, one after '
                       'each but the last: ["S1", "S2"]', f"{lines[comma - 1].strip()} "
                       f"({where[0]}{column}{reason}); {fix}", label="line")
    if reason.startswith(("Unclosed array", "Unterminated string", "Illegal character '\\n'")):
        # TOML finds out only on a later line: said at the line that opened it
        number, column = _open_line(lines[:number]) or number, ""
    line = lines[number - 1] if 0 < number <= len(lines) else ""
    expected, hint = _hint(line, reason, lines[:max(number - 1, 0)])
    shown = line.strip()
    found = f"{shown} ({column}{reason})" if shown else f"{column}{reason}"
    return Problem(label, None, str(number) if number else None, expected,
                   found + (f"; {hint}" if hint else ""), label="line")


def _open_line(lines: list[str]) -> int:
    """The line a text or list left open begins on (TOML finds it out only on a later
    line, or at the end of the file), else the last line that holds anything; 0 for an
    empty file. A list may run over several lines: it is open only if never closed."""
    depth, opened = 0, 0
    for number, line in enumerate(lines, 1):
        code = _code(line)
        if '"' in code:
            return number
        if depth == 0:
            opened = number
        depth = max(depth + code.count("[") - code.count("]"), 0)
    if depth:
        return opened
    return max((n for n, line in enumerate(lines, 1) if line.strip()), default=0)


def _comma_missing(lines: list[str], number: int, column: int) -> int:
    """The line whose entry lacks its comma, when TOML calls a list written over several
    lines unclosed at line `number` but the list is closed further down: the line before
    when TOML stopped at the line's first entry (["IT" on one line, "HR" on the next,
    no comma between), else that line itself; 0 when the list is never closed."""
    line = lines[number - 1] if 0 < number <= len(lines) else ""
    opened = _open_line(lines[:number])
    if not 0 < opened < number:
        return 0
    depth = 0
    for code in (_code(text) for text in lines[opened - 1:]):
        depth += code.count("[") - code.count("]")
        if depth <= 0:
            break
    if depth > 0:  # never closed: the list's ] is what is missing
        return 0
    if column > len(line) - len(line.lstrip()) + 1:
        return number
    return max((n for n in range(opened, number) if _shape(lines[n - 1]).strip()), default=0)


def _entries_hint(entries: str) -> tuple[str, str] | None:
    """The hint for entries of a list as written (a list's value, or a line of a list
    written one entry a line, its texts shown as ""): entries parted by semicolons, two
    commas with no entry between, an entry not in quotes; else None."""
    shape = _shape(entries)
    if ";" in shape:
        return 'entries separated by commas: ["S1", "S2"]', _semicolons(shape)
    if re.search(r"(^|[\[,])\s*,", shape.strip()):
        return ('entries separated by one comma: ["S1", "S2"]', "delete the comma with no "
                "entry before it")
    if re.search(r"(^|[\[,])\s*(?!(true|false|inf|nan)\b)[A-Za-z_]", shape.strip()):
        return ('each text of the list in quotes: ["S1", "S2"]', 'put each id in "quotes"')
    return None


def _semicolons(shape: str, on: str = "") -> str:
    """How to mend a list's entries parted by semicolons (`shape`: the line as `_shape`
    shows it; `on`: where, as " on line 5"): a ; beside a comma goes (the comma parts
    the entries already), any other becomes a comma; "" when the line holds none."""
    beside = len(re.findall(r",\s*;|;\s*,", shape))
    alone = shape.count(";") - beside
    if not alone:
        return f"delete each ;{on} (a comma parts the entries there already)" if beside else ""
    if not beside:
        return f"write a comma in place of each ;{on}"
    return f"delete each ;{on} beside a comma and write a comma in place of the others"


def _shape(line: str) -> str:
    """A line with each text in quotes shown as "" and its comment left out: its syntax,
    each entry still there."""
    return re.sub(r"#.*$", "", _STRINGS.sub('""', line))


def _inside_list(above: list[str]) -> bool:
    """Whether the line after `above` is within a list still open there."""
    depth = 0
    for line in above:
        code = _code(line)
        depth = max(depth + code.count("[") - code.count("]"), 0)
    return depth > 0


def _code(line: str) -> str:
    """A line without its texts in quotes and its comment: what TOML reads as syntax."""
    return re.sub(r"#.*$", "", _STRINGS.sub("", line))


def _hint(line: str, reason: str, above: list[str]) -> tuple[str, str]:
    """What the line should hold and how to write it, for the mistakes a lead new to
    TOML makes; TOML's rule in general when the line is none of those. `above` is the
    file's text before the line."""
    key, _, value = (part.strip() for part in line.partition("="))
    value = re.sub(r"\s+#.*$", "", value)  # a comment after the value
    leaf = key.rsplit(".", 1)[-1]
    if re.search("[\u201c\u201d\u2018\u2019]", line):
        return ('straight quotes, "like this"', "curly quotes (Word and Outlook type them) "
                'are not quotes to TOML: type them again as " in Notepad')
    if _inside_list(above):  # within a list written one entry a line
        entry = _shape(line)
        if "=" in entry or re.fullmatch(r"\s*\[\[?\s*[A-Za-z_][\w.\s-]*\]\]?\s*", entry):
            return ('a list closed with ]: ["S1", "S2"]', "the list above is not closed: "
                    "close it with ] on a line of its own above this one")
        if hint := _entries_hint(entry):
            return hint
    if re.fullmatch(r"\s*\]\s*,\s*", _shape(line)):
        return ("nothing after a list's closing ]", "delete the comma after ]")
    if "\\" in value and value.startswith('"') and leaf == "data":
        return ("a path with forward slashes (../data/suffolk)",
                'a backslash inside "double quotes" starts an escape such as \\n: write '
                "the path with / (Windows reads it too), or in 'single quotes'")
    if "\\" in value and value.startswith('"'):
        return ('a text in "straight quotes"', 'a backslash inside "double quotes" starts '
                'an escape (\\" is a quote within the text, which then runs on): delete '
                "the backslash, or write \\\\ for one")
    if reason.startswith("Expected '=' after a key"):
        return _key_without_equals(line, above)
    if reason.startswith(("Invalid statement", "Invalid initial character")) \
            and "=" not in line:
        return _key_without_equals(line, above)
    if value.startswith("=") and key:
        return ("one = between a key and its value", f"write {key} = {value.lstrip('= ')}")
    if reason.startswith(("Unterminated string", "Illegal character '\\n'")):
        return ('a text closed on its line: "like this"', "close the text with a \" "
                "as it opens")
    # a value read whole, then more on the line: a note (`types = ["IT"] ; pooled`)
    # is said before a list's own hints, which would take its ; for a separator
    after = after_value(key, value) if reason.startswith("Expected newline") and key else None
    if after and after[0] == NOTE_AFTER:
        return after
    if value.startswith("[") and (hint := apostrophe_in_entry(value) or _entries_hint(value)):
        return hint
    if reason.startswith("Unclosed array"):
        if "]" in _STRINGS.sub("", value):  # closed, but an entry lacks its comma
            return ('entries separated by commas: ["S1", "S2"]',
                    "put a comma between each two entries of the list")
        return ('a list closed with ]: ["S1", "S2"]', "close the list with ]")
    if "Cannot overwrite" in reason or "twice" in reason:
        return _given_twice(key, above)
    if _BOOLEAN.fullmatch(value) and value not in ("true", "false") \
            and leaf not in _TEXT_KEYS:
        return ("true or false, in lower case and without quotes", f"write {value} as "
                + ("true" if value.lower() in ("true", "yes", "y", "on") else "false"))
    if date := date_hint(value):
        return date
    if leaf not in _TEXT_KEYS | _LIST_KEYS and (number := number_hint(leaf, value)):
        return number
    if after and after[0] == PERCENT_AND_WORDS:  # `3,5% Green Book`'s comma is a decimal one
        return after
    if key and "," in value and not value.startswith(("[", "{")):
        return ('a list in square brackets: ["S1", "S2"]',
                "put the list in [ ] (one entry too: [\"S1\"])")
    if leaf in _LIST_KEYS and value and value[0] not in "[\"'":
        entries = ", ".join(f'"{word}"' for word in value.split())
        if len(value.split()) > 1:  # words an entry each, or one name with spaces
            return (f"a list of texts in quotes: [{entries}]", f"write it [{entries}], "
                    f'or ["{value}"] if it is one name')
        return (f'a list of texts in quotes: ["{value}"]', f'write it ["{value}"]')
    if key and not key.startswith("[") and value and value[0] not in "\"'[{+-0123456789" \
            and value not in ("inf", "nan") and leaf in _TEXT_KEYS:
        return (f'a text in quotes: "{value}"', 'put the text in "quotes"')
    if key and not value and not key.startswith("["):
        return ("a value after the =", f"give `{key}` a value, or delete the line")
    if after:
        return after
    return VALID, ""


def _key_without_equals(line: str, above: list[str]) -> tuple[str, str]:
    """A line TOML read up to a character a key cannot take: a key and its value with a
    colon (YAML's and INI's way) or a space between them, a key with a space inside it,
    a header without its brackets, or a note without its #. A line that could be a note
    is offered both ways unless it reads as a setting whole. `above` is the file's text
    before the line."""
    note = ("a key = value, or a note after #", "if it is a note, start the line with #; "
            "if it sets a key, put = between the key and its value")
    text = re.sub(r"\s+#.*$", "", line).strip()  # a comment after it is not the line's
    if mark := COMMENT_MARK.match(text):  # a comment as another language marks one
        return ("a comment after a #", f"TOML's comments start with #: write # in place of "
                f"{mark[0].strip()}")
    head, colon, tail = text.partition(":")
    if colon and "=" not in head:
        if not tail.strip() and (table := _table_of(head)):
            return _header(table)
        if key := _key_of(head):
            return _with_equals(key, tail.strip(), above)
    if "=" in text:
        key = text.partition("=")[0].strip()
        return ("a key without spaces (key names use _)", f"write the key {key.replace(' ', '_')}")
    words = text.split()
    if words and (table := _table_of(words[0])):
        if len(words) == 1 or all(w in "[]" for w in words[1:]):
            return _header(table)
        return ("a [header], a key = value, or a note after #", "if it is a note, start the "
                f"line with #; if it opens the table, write {_brackets(table)} alone")
    # the longest run of first words that is a key: `discount rate 0.035`
    for n in range(len(words) - 1, 0, -1):
        if key := _key_of(" ".join(words[:n])):
            return _with_equals(key, " ".join(words[n:]), above)
    if len(words) > 1 and re.fullmatch(r"[A-Za-z_][\w.-]*", words[0]) \
            and reads_as_value(" ".join(words[1:])):
        return _with_equals(words[0], " ".join(words[1:]), above)
    return note


def _key_of(words: str) -> str:
    """The key that words name (`Discount rate`: discount_rate), else ""."""
    key = "_".join(words.split()).lower()
    return key if key.rsplit(".", 1)[-1] in KEY_NAMES - TABLES else ""


def _table_of(written: str) -> str:
    """The table a header written without its brackets names (`Sharing:`, `sharing]`,
    `Sharing.efficiency`), else ""."""
    name = "_".join(written.strip("[]: ").split()).lower()
    return name if name.split(".", 1)[0] in TABLES else ""


def _brackets(name: str) -> str:
    """A table's header as written: [sharing], [[coverage]] (a list of rules)."""
    return "[[coverage]]" if name == "coverage" else f"[{name}]"


def _header(name: str) -> tuple[str, str]:
    """A header written without its brackets, or with one of them."""
    return (f"a header in brackets: {_brackets(name)}", f"write {_brackets(name)}")


def _with_equals(key: str, value: str, above: list[str]) -> tuple[str, str]:
    """The key and value of a line without its =: the line to write when it reads as a
    setting whole; else, as the line may be a note that starts with a key's name (`Keep
    libraries open`), both ways: a note's #, or the = and the value's own hint (`start
    1/4/2027`: put = between start and its value, and write 1/4/2027 as "2027-04-01")."""
    mended = f"{key} = {value}"
    try:
        tomllib.loads(mended)
    except tomllib.TOMLDecodeError as exc:
        _, hint = _hint(mended, _AT.sub("", str(exc)), above)
        fix = hint if f"{key} =" in hint else f"put = between {key} and its value" + (
            f", and {hint}" if hint else "")
        return ("key = value, or a note after #",
                f"if it is a note, start the line with #; if it sets {key}, {fix}")
    return ("key = value", f"write {mended}")


def _given_twice(key: str, above: list[str]) -> tuple[str, str]:
    """A key, a [table] or a list of [[tables]] made a second time; `above` is the
    file's text before it."""
    expected = ("each key once in its table, and each [table] once (every coverage rule "
                "is headed [[coverage]])")
    if key.startswith("[["):
        name = key.strip("[] ")
        return (expected, f"every entry of {name} is headed [[{name}]], in two pairs of "
                f"brackets, the first too: an earlier [{name}] makes it one table; write "
                f"that header [[{name}]] as well")
    if key.startswith("["):
        name = key.strip("[] ")
        if any(_code(line).strip().replace(" ", "") == f"[[{name}]]" for line in above):
            return (expected, f"every entry of {name} is headed [[{name}]], in two pairs of "
                    f"brackets, as the one above is: write this header [[{name}]] too")
        return (expected, f"[{name}] is made a second time, by a header above or by a key "
                f"written {name}.something above: put all its keys below one [{name}]")
    return (expected, f"`{key}` is given a second time: keep one")
