"""`estate.render.print_parts`: which columns of a wide table each printed part holds,
worked out by hand and checked against every way of cutting the columns in order."""

from __future__ import annotations

import itertools
import re

import pytest

from estate.render.print_parts import SHEET_PX, groups, narrowest, parts, plain, printed
from estate.render.text_width import text_width


def test_plain_shows_the_text_and_a_space_where_wbr_breaks() -> None:
    assert plain("Sell_<wbr>the_<wbr>depot") == "Sell_ the_ depot"
    assert plain('<bdi>A &amp; B</bdi> <span class="muted">(CC)</span>') == "A & B (CC)"


def test_narrowest_is_the_longest_word_or_the_whole_text() -> None:
    # by hand: "receipts" is the longest word of the three; whole, the cell is all three
    assert narrowest("net receipts of", 10) == text_width("receipts", 10)
    assert narrowest("net receipts of", 10, whole=True) == text_width("net receipts of", 10)
    assert narrowest("NPV", 10, bold=True) == pytest.approx(text_width("NPV", 10) * 1.1)


def test_groups_by_hand() -> None:
    # labels take 100 of 400: 300 left; units of 120, 120, 100 (two columns), 250, 400.
    # 250 and 400 fit with nothing: four parts at least, cut as 120 | 220 | 250 | 400
    # (squares 62,800) rather than 240 | 100 | 250 | 400 (67,600)
    widths = [100, 120, 120, 50, 50, 250, 400]
    assert groups(widths, 1, [[1], [2], [3, 4], [5], [6]], room=400) == [
        [1], [2, 3, 4], [5], [6]]


def test_ten_like_scenarios_print_as_three_three_two_two() -> None:
    # three a part fit (3 x 200 of 680 - 50), four do not; 3 + 3 + 3 + 1 is as few parts
    widths = [50.0, *[200.0] * 10]
    found = groups(widths, 1, [[j] for j in range(1, 11)])
    assert [len(part) for part in found] == [3, 3, 2, 2]


@pytest.mark.parametrize("seed", range(30))
def test_groups_are_few_and_each_fits(seed: int) -> None:
    """Against every cut of the units, in order, into runs that fit: the parts fit, keep
    every column once in order, are no more than the fewest any cut needs, and of such
    cuts are the most even (least sum of squared widths)."""
    import random

    rng = random.Random(seed)
    widths = [rng.uniform(50, 150), *(rng.uniform(20, 200) for _ in range(9))]
    units = [[1], [2, 3], [4], [5, 6, 7], [8], [9]]
    left = SHEET_PX - widths[0]
    found = groups(widths, 1, units)
    assert [j for part in found for j in part] == list(range(1, 10))
    assert all(sum(widths[j] for j in part) <= left for part in found)
    def width(a: int, b: int) -> float:
        return sum(widths[j] for u in units[a:b] for j in u)

    cuts = [[*zip((0, *cut), (*cut, len(units)), strict=True)]
            for k in range(len(units)) for cut in itertools.combinations(range(1, len(units)), k)]
    fitting = [cut for cut in cuts if all(b - a == 1 or width(a, b) <= left for a, b in cut)]
    fewest = min(len(cut) for cut in fitting)
    evenest = min(sum(width(a, b) ** 2 for a, b in cut) for cut in fitting if len(cut) == fewest)
    assert len(found) == fewest
    assert sum(sum(widths[j] for j in part) ** 2 for part in found) == pytest.approx(evenest)


def test_a_table_that_fits_has_no_parts() -> None:
    assert parts("T", ["Figure", "A", "B"], [["NPV", "£1.0m", "£2.0m"]], None, labels=1,
                 font_px=10, pad_px=8) == ""
    assert printed("<div>box</div>", "") == "<div>box</div>"


def test_a_wide_table_is_printed_in_parts_each_with_the_labels() -> None:
    """Twenty columns of a 60 px figure: at 10 px each is about 50 px wide, so the 680 px
    sheet holds a dozen beside the label, and not twenty. Each part repeats the row
    label and its heading; every figure is in one part, beside its row's label."""
    header = ["Agency", *(f"S{i}" for i in range(20))]
    body = [["<bdi>Police</bdi>", *(f"£{i}.00m" for i in range(20))],
            ["<bdi>County</bdi>", *(f"£{i}.50m" for i in range(20))]]
    copy = parts("Who gains", header, body, None, labels=1, font_px=10, pad_px=8)
    tables = re.findall(r"<table>.*?</table>", copy)
    assert len(tables) >= 2
    assert re.findall(r'<p class="part">Who gains: part (\d) of (\d)</p>', copy) == [
        (str(i), str(len(tables))) for i in range(1, len(tables) + 1)]
    seen = []
    for table in tables:
        heads = re.findall(r'<th scope="col">(.*?)</th>', table)
        assert heads[0] == "Agency"
        for row in re.findall(r"<tr>(<th scope=\"row\">.*?)</tr>", table):
            label = re.search(r'<th scope="row">(.*?)</th>', row).group(1)  # type: ignore[union-attr]
            cells = re.findall(r'<td class="">(.*?)</td>', row)
            seen += [(label, h, c) for h, c in zip(heads[1:], cells, strict=True)]
    assert sorted(seen) == sorted((row[0], h, c) for row in body
                                  for h, c in zip(header[1:], row[1:], strict=True))
    assert printed("<div>box</div>", copy) == f'<div class="on-screen"><div>box</div></div>{copy}'
