"""The sweep's chart of which sites stay open (`estate.render.sweep_sites`): its site
labels cut to fit (the cut found by halving is the one trying every cut finds, in a few
measurements), the isolate marks round a name taking no room."""

from __future__ import annotations

import math
import random

import pytest

from estate.render import sweep_sites
from estate.render.sweep_sites import LABEL_PX, _fitted
from estate.render.text_width import text_width

ELLIPSIS = "\u2026"
LETTERS = ("iIl.,' fjtr-" "abcdexyz" "ABCDXYZ0123456789" "mwMW@%&#" "\u00e9\u00df\u00c5"
           "\u4e2d\u6587\U0001f3e2" "  ")
"""Letters of every width the table knows (narrow, regular, wide, East Asian wide, ones
it does not list), and spaces, which a cut drops from the end."""


def _fitted_by_trying_every_cut(text: str, room: float) -> str:
    """What the label must be, worked out the plain way: the whole text when it fits;
    else the longest beginning (none at worst) whose width with an ellipsis after it is
    within the room, its trailing spaces dropped, then the ellipsis."""
    def width(s: str) -> float:
        return text_width(s, LABEL_PX)

    if width(text) <= room:
        return text
    longest = max((n for n in range(len(text) + 1) if width(text[:n] + ELLIPSIS) <= room),
                  default=0)
    return text[:longest].rstrip() + ELLIPSIS


def test_the_cut_found_by_halving_is_the_cut_trying_every_one_finds() -> None:
    """Thousands of random labels and rooms, from none to more than the label needs, with
    rooms exactly at a beginning's width (where a cut off by one would show)."""
    rng = random.Random(20240611)
    for _ in range(3000):
        text = "".join(rng.choice(LETTERS) for _ in range(rng.randint(0, 70)))
        rooms = [rng.uniform(0, 1.2 * text_width(text, LABEL_PX) + 20), 0.0]
        if text:
            cut = rng.randint(0, len(text))
            rooms.append(text_width(text[:cut] + ELLIPSIS, LABEL_PX))
        for room in rooms:
            assert _fitted(text, room) == _fitted_by_trying_every_cut(text, room), (text, room)


@pytest.mark.parametrize("length", [100, 1000, 10_000])
def test_a_long_name_is_cut_in_a_few_measurements(length: int,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A label of n characters is measured about log2(n) times, not once for each
    character cut off (the measurements counted), and still cut where the room ends:
    what is kept fits with its ellipsis, one character more would not."""
    calls = 0
    measure = sweep_sites._width

    def counted(text: str) -> float:
        nonlocal calls
        calls += 1
        return measure(text)

    text = ("West Suffolk Hospital admin block " * (length // 34 + 1))[:length]
    monkeypatch.setattr(sweep_sites, "_width", counted)
    label = _fitted(text, 250)
    assert calls <= math.ceil(math.log2(length)) + 1
    assert label.endswith(ELLIPSIS) and text.startswith(label[:-1])
    assert text_width(label, LABEL_PX) <= 250
    # the next letter (past the spaces the cut dropped) would not have fitted
    spaces = len(text[len(label) - 1:]) - len(text[len(label) - 1:].lstrip(" "))
    assert text_width(text[:len(label) + spaces] + ELLIPSIS, LABEL_PX) > 250


@pytest.mark.parametrize("bold", [False, True])
def test_the_isolate_marks_round_a_name_take_no_room(bold: bool) -> None:
    """A label's name is between U+2068 and U+2069 (sweep_sites.site_label), which the
    browser draws with no width: the estimate of a label with them is the estimate of the
    same label without them, regular or bold, so they never cut a name short."""
    name = "\u0645\u0643\u062a\u0628 Kent 12"
    assert text_width(f"S1 \u2068{name}\u2069", LABEL_PX, bold) == \
        text_width(f"S1 {name}", LABEL_PX, bold)
