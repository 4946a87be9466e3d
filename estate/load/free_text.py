"""Free text from a register or a scenario, made fit to show.

Names and addresses are typed by people into spreadsheets, so a cell may hold a line
break (Alt+Enter in Excel) or a tab; those read as a space, since every place a name is
shown (a map's tooltip, a table cell, a file name, a terminal line) is one line. Other
control characters have no business in a name and can do harm where it is shown: ESC
starts a terminal's escape sequence (colours, a hidden hyperlink), and the direction
overrides (U+202D, U+202E) turn the letters after them round, which can make
`report\u202efdp.exe` read as `reportexe.pdf` or reverse the words estate writes beside
a name. A register or scenario holding one is refused with the place it was found; text
shown on a terminal from elsewhere (a results folder edited by hand, a folder's name)
has them replaced, and its line breaks but the newline too (a carriage return would
let it write over the line before). The embeddings and isolates that word processors
put round right-to-left words (U+202A-U+202C, U+2066-U+2069) change no letter's
direction and are kept, each left open closed at the end of its cell (`balanced`), so
that the words estate writes after a name keep their own direction.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from estate.shown_text import HIDDEN

LINE_BREAKS = re.compile("[\t\n\r\x0b\x0c\x85\u2028\u2029]+")
"""Line breaks and tabs, each run of them read as one space."""

INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202c\u2060-\u2064"
                       "\u2066-\u2069\ufeff]")
"""Characters that show as nothing, refused in ids only: in an id, one (a zero-width
space or a soft hyphen copied from a web page, say) makes a different id that looks the
same. Names keep them (the embeddings and isolates round right-to-left words)."""

OPENERS = re.compile("[\u202a\u202b\u2066-\u2068]")
"""The embeddings (U+202A, U+202B) and isolates (U+2066-U+2068) that run on until
closed: by U+202C and U+2069."""

_CLOSER = {"\u202a": "\u202c", "\u202b": "\u202c", "\u2066": "\u2069", "\u2067": "\u2069",
           "\u2068": "\u2069"}

REFUSED = "text without control characters (such as ESC) or direction overrides"
"""What a register cell or scenario text is expected to be, in a problem's words."""


def one_line(text: str) -> str:
    """The text with each run of line breaks and tabs read as one space, and every
    embedding or isolate it leaves open closed (`balanced`)."""
    return balanced(LINE_BREAKS.sub(" ", text))


def balanced(text: str) -> str:
    """The text with each embedding or isolate still open at its end closed there, the
    last opened first: an agency typed with U+2067 before its Arabic name and nothing
    after would otherwise turn round the words printed after it on a terminal or in a
    CSV cell read beside others. A closer is matched as Unicode's algorithm matches it:
    U+2069 closes the last isolate and whatever was opened inside it, U+202C the last
    embedding not inside an isolate still open."""
    if OPENERS.search(text) is None:
        return text
    open_: list[str] = []
    for char in text:
        if char in _CLOSER:
            open_.append(char)
        elif char == "\u2069" and any(_CLOSER[o] == char for o in open_):
            while _CLOSER[open_.pop()] != char:
                pass
        elif char == "\u202c" and open_ and _CLOSER[open_[-1]] == char:
            open_.pop()
    return text + "".join(_CLOSER[o] for o in reversed(open_))


def has_hidden(text: str) -> bool:
    """Whether the text holds a character a name may not hold (`HIDDEN`)."""
    return HIDDEN.search(text) is not None


def hidden_texts(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """Every text of a parsed JSON or TOML value, its keys too, that holds a hidden
    character, with where it is: a dotted key (`agencies.A1.name`, a list's items as
    `[i]`), or the key itself when it is one that holds it."""
    if isinstance(value, str):
        if has_hidden(value):
            yield key, value
    elif isinstance(value, Mapping):
        for name, inner in value.items():
            at = f"{key}.{name}" if key else str(name)
            if isinstance(name, str) and has_hidden(name):
                yield at, name
            yield from hidden_texts(inner, at)
    elif isinstance(value, list | tuple):
        for i, inner in enumerate(value):
            yield from hidden_texts(inner, f"{key}[{i}]")
