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
direction and are kept.
"""

from __future__ import annotations

import re

LINE_BREAKS = re.compile("[\t\n\r\x0b\x0c\x85\u2028\u2029]+")
"""Line breaks and tabs, each run of them read as one space."""

HIDDEN = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u202d\u202e]")
"""Control characters (C0 and C1, bar the line breaks above) and the direction
overrides."""

INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202c\u2060-\u2064"
                       "\u2066-\u2069\ufeff]")
"""Characters that show as nothing, refused in ids only: in an id, one (a zero-width
space or a soft hyphen copied from a web page, say) makes a different id that looks the
same. Names keep them (the embeddings and isolates round right-to-left words)."""

_MOVES_THE_CURSOR = re.compile("[\r\x0b\x0c\x85\u2028\u2029]")
"""The line breaks a terminal acts on that are not the newline."""

REFUSED = "text without control characters (such as ESC) or direction overrides"
"""What a register cell or scenario text is expected to be, in a problem's words."""

SHOWN_FOR_HIDDEN = "\ufffd"
"""What a terminal shows in place of a hidden character: the replacement character."""


def one_line(text: str) -> str:
    """The text with each run of line breaks and tabs read as one space."""
    return LINE_BREAKS.sub(" ", text)


def has_hidden(text: str) -> bool:
    """Whether the text holds a character a name may not hold (`HIDDEN`)."""
    return HIDDEN.search(text) is not None


def for_terminal(text: str) -> str:
    """The text with every hidden character and every line break but the newline
    replaced, so printing it cannot colour, link, move the cursor or turn text round on
    the user's terminal; newlines are kept, as output of several lines needs them."""
    return _MOVES_THE_CURSOR.sub(SHOWN_FOR_HIDDEN, HIDDEN.sub(SHOWN_FOR_HIDDEN, text))
