"""A scenario file's text, read as TOML, with what is wrong said at its line.

A lead writing a scenario in Notepad for the first time makes a handful of mistakes
TOML's own messages do not explain ("Invalid value (at line 3, column 8)"): curly
quotes pasted from Word, a Windows path's backslashes, `True` or `yes`, `250k`,
`£5,000` or `35%`, a day-first date, a list without its brackets, text without
quotes, a key written twice, a file saved as UTF-16 or Windows-1252. Each is named
here at its line, with the line as written and how to write it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from estate.errors import InputError, Problem

VALID = 'valid TOML: key = value, a text in "straight quotes", a list in [brackets]'
SAVE_AS_UTF8 = "save it as UTF-8 (Notepad: File, Save As, Encoding UTF-8)"
_AT = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")
_BOOLEAN = re.compile(r"(?i)(true|false|yes|no|y|n|on|off)")
# a number with a sign, commas or a unit: £250,000, 250k, 35%, 15 km, 10 minutes
_NUMBER_AND = re.compile(r"[£$€]?\s*\d[\d.,]*\s*[A-Za-z%]*\.?")
_DATE = re.compile(r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}")


def read_toml(path: Path, label: str) -> dict[str, Any]:
    """The parsed file, or an InputError naming what is wrong at its line."""
    data = path.read_bytes()
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
        raise InputError([_not_utf8(data, exc.start, label)]) from None
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
    lines = text.splitlines()
    if at and at[1]:
        number, column = int(at[1]), f"column {at[2]}: "
    else:  # at the end: said at the line left open, or else the last
        number, column = _open_line(lines), ""
    if reason.startswith(("Unclosed array", "Unterminated string", "Illegal character '\\n'")):
        # TOML finds out only on a later line: said at the line that opened it
        number, column = _open_line(lines[:number]) or number, ""
    line = lines[number - 1] if 0 < number <= len(lines) else ""
    expected, hint = _hint(line, reason)
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
        code = re.sub(r"#.*$", "", re.sub(r'"[^"]*"|\'[^\']*\'', "", line))
        if '"' in code:
            return number
        if depth == 0:
            opened = number
        depth = max(depth + code.count("[") - code.count("]"), 0)
    if depth:
        return opened
    return max((n for n, line in enumerate(lines, 1) if line.strip()), default=0)


def _hint(line: str, reason: str) -> tuple[str, str]:
    """What the line should hold and how to write it, for the mistakes a lead new to
    TOML makes; TOML's rule in general when the line is none of those."""
    key, _, value = (part.strip() for part in line.partition("="))
    value = re.sub(r"\s+#.*$", "", value)  # a comment after the value
    if re.search("[\u201c\u201d\u2018\u2019]", line):
        return ('straight quotes, "like this"', "curly quotes (Word and Outlook type them) "
                'are not quotes to TOML: type them again as " in Notepad')
    if "\\" in value and value.startswith('"'):
        return ("a path with forward slashes (../data/suffolk)",
                'a backslash inside "double quotes" starts an escape such as \\n: write '
                "the path with / (Windows reads it too), or in 'single quotes'")
    if reason.startswith(("Unterminated string", "Illegal character '\\n'")):
        return ('a text closed on its line: "like this"', "close the text with a \" "
                "as it opens")
    if reason.startswith("Unclosed array"):
        return ('a list closed with ]: ["S1", "S2"]', "close the list with ]")
    if "Cannot overwrite" in reason or "twice" in reason:
        return ("each key once in its table, and each [table] header once (every coverage "
                "rule is headed [[coverage]])",
                f"{key} heads its table a second time: put all its keys below one"
                if key.startswith("[") else f"`{key}` is given a second time: keep one")
    if _BOOLEAN.fullmatch(value) and value not in ("true", "false"):
        return ("true or false, in lower case and without quotes", f"write {value} as "
                + ("true" if value.lower() in ("true", "yes", "y", "on") else "false"))
    if _DATE.fullmatch(value):
        return ('a date in quotes, year first: "2028-09-30"',
                'write 30/09/2028 as "2028-09-30"')
    if _NUMBER_AND.fullmatch(value) or re.fullmatch(r"[£$€].*", value):
        return ("a number alone: 250000, not £250,000 or 250k; 0.35, not 35%",
                "write the number without £, commas, k, m, % or a unit: the key's name "
                "gives its unit (radius_km in km, time_limit_s in seconds)")
    if key and "," in value and not value.startswith(("[", "{")):
        return ('a list in square brackets: ["S1", "S2"]',
                "put the list in [ ] (one entry too: [\"S1\"])")
    if value.startswith("[") and re.search(r"[\[,]\s*[A-Za-z]", value):
        return ('each text of the list in quotes: ["S1", "S2"]', 'put each id in "quotes"')
    if key and not key.startswith("[") and value and value[0] not in "\"'[{+-0123456789" \
            and value not in ("inf", "nan"):
        return (f'a text in quotes: "{value}"', 'put the text in "quotes"')
    if key and not value and not key.startswith("["):
        return ("a value after the =", f"give `{key}` a value, or delete the line")
    return VALID, ""
