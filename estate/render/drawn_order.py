"""Right-to-left text for the renderers that set every text left to right: reportlab (the
board pack's PDF) and matplotlib (its figures, drawn as shapes in the page too).

Neither orders nor joins a name in Arabic or Hebrew: each draws a text's characters in
the order they are stored, one glyph each, so such a name would show its letters in
reverse order and Arabic's letters unjoined. `left_to_right` hands them the text as it
is to be seen instead: Arabic's letters in their joined forms (Unicode's presentation
forms, which the DejaVu fonts have: arabic-reshaper), then every run in a right-to-left
script reversed as Unicode's bidirectional algorithm lays the line out, left to right
as a whole (python-bidi). The isolate marks round a name (`estate.render.figures.named`:
U+2068 ... U+2069) are honoured, so that the figures and brackets after a name stay
after it, and then left out, as they are not drawn.

A reversed name must not be wrapped across two lines (its end would come first), so
the spaces inside it become no-break spaces: reportlab wraps at neither.
"""

from __future__ import annotations

import re

from arabic_reshaper import ArabicReshaper
from bidi import get_display

from estate.render.html import MARKED_NAME

_RIGHT_TO_LEFT = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc"
"""The blocks of the right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, N'Ko...) and
their presentation forms."""
_ANY_RTL = re.compile(f"[{_RIGHT_TO_LEFT}]")
_INSIDE = re.compile(f"(?<=[{_RIGHT_TO_LEFT}]) (?=[{_RIGHT_TO_LEFT}0-9])"
                     f"|(?<=[{_RIGHT_TO_LEFT}0-9]) (?=[{_RIGHT_TO_LEFT}])")
_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_JOINER = ArabicReshaper({"delete_harakat": True, "support_ligatures": True})


def _unbroken(found: re.Match[str]) -> str:
    """A marked name with a right-to-left letter in it, its spaces no-break spaces."""
    name = found[1]
    return f"\u2068{name.replace(' ', chr(0xA0)) if _ANY_RTL.search(name) else name}\u2069"


def left_to_right(text: str) -> str:
    """`text` in the order a renderer that sets text left to right must draw it: as it
    was when it holds no right-to-left letter; else Arabic joined, each right-to-left
    run reversed in place (a line read left to right, each marked name isolated), its
    inner spaces no-break spaces, and the direction marks left out."""
    if not _ANY_RTL.search(text):
        return _MARKS.sub("", text)
    text = MARKED_NAME.sub(_unbroken, text)
    text = _INSIDE.sub("\xa0", text)
    shown = get_display(_JOINER.reshape(text), base_dir="L")
    return _MARKS.sub("", str(shown))


def any_right_to_left(text: str) -> bool:
    """Whether `text` holds a letter of a right-to-left script."""
    return _ANY_RTL.search(text) is not None


def words(text: str) -> list[str]:
    """`text`'s words as reportlab wraps it: at white space, but not at a no-break space."""
    return [w for w in re.split(r"[^\S\xa0]+", text) if w]
