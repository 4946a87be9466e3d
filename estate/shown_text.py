"""What any text estate shows must not hold, at the bottom of the package so that every
message can be made safe, its errors' words too.

ESC starts a terminal's escape sequence (colours, a hidden hyperlink), a carriage
return writes over the line before, and the direction overrides (U+202D, U+202E) turn
the letters after them round. A register holding one is refused when read
(`estate.load.free_text`); text from elsewhere (a path given on the command line, a
results folder edited by hand) has them replaced where it is shown, and so do the
messages of estate's errors and problems, which quote such text back (a Python caller
printing one gets no escape sequence either).
"""

from __future__ import annotations

import re

HIDDEN = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u202d\u202e]")
"""Control characters (C0 and C1, bar the line breaks and tabs) and the direction
overrides."""

MOVES_THE_CURSOR = re.compile("[\r\x0b\x0c\x85\u2028\u2029]")
"""The line breaks a terminal acts on that are not the newline."""

SHOWN_FOR_HIDDEN = "\ufffd"
"""What a terminal shows in place of a hidden character: the replacement character."""


def shown(text: str) -> str:
    """The text with every hidden character replaced by `SHOWN_FOR_HIDDEN`, as a page,
    a map or a PDF shows text that was not checked when read (a results folder edited
    by hand): no direction override turns the letters after it round there."""
    return HIDDEN.sub(SHOWN_FOR_HIDDEN, text)


def for_terminal(text: str) -> str:
    """The text with every hidden character and every line break but the newline
    replaced, so printing it cannot colour, link, move the cursor or turn text round on
    the user's terminal; newlines are kept, as output of several lines needs them."""
    return MOVES_THE_CURSOR.sub(SHOWN_FOR_HIDDEN, shown(text))


def json_safe(text: str) -> str:
    """JSON text (as `json.dumps(..., ensure_ascii=False)` writes it) with every hidden
    character and line break written as its `\\uXXXX` escape: the same value to any
    JSON reader, and nothing a terminal acts on when the JSON is printed there (JSON
    escapes only the C0 controls itself, not DEL, the C1 controls, U+2028, U+2029 or a
    direction override)."""
    return MOVES_THE_CURSOR.sub(_escaped, HIDDEN.sub(_escaped, text))


def _escaped(found: re.Match[str]) -> str:
    return f"\\u{ord(found.group()):04x}"
