"""The programme page's cash-flow curve in a real browser (headless Chromium, as
test_programme_browser.py runs the rest of the page): the curve shrinks as a whole to a
phone's width and to a printed page's, every part of it inside its box, its text legible
and no two of its texts on top of each other."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from estate.render.html import write_page
from estate.render.programme_page import programme_page
from estate.store import read_programme
from tests.fixtures.browser import axe_violations, open_page

pytestmark = pytest.mark.browser


def _page(tmp_path: Path, dated: Path, years: int) -> Path:
    """The page of the made-up programme: its own 10 years, or its cash flow spread over
    `years` (year t's rows repeated as years t, t + 10, ...), so the curve has as many
    points and year labels."""
    programme = read_programme(dated)
    assert programme is not None
    cash = programme.cashflow
    cash = pd.concat([cash.assign(year=cash["year"] + 10 * k) for k in range(years // 10)],
                     ignore_index=True)
    programme = dataclasses.replace(programme, cashflow=cash)
    return write_page(tmp_path / f"curve{years}.html", programme_page(programme, None, "c"))


DRAWN = """() => { const svg = document.querySelector('svg.curve');
  const edge = e => { const r = e.getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom]; };
  const scale = svg.getScreenCTM().a;  // screen pixels to one unit of the drawing
  return {box: edge(svg), width: svg.getBoundingClientRect().width,
          parts: [...svg.querySelectorAll('text, line, rect, circle, polyline')].map(e =>
            [e.tagName + ' ' + e.textContent.slice(0, 24), edge(e)]),
          texts: [...svg.querySelectorAll('text')].map(t => [t.textContent, edge(t),
            parseFloat(getComputedStyle(t).fontSize) * scale])}; }"""
"""The curve's box on screen, every part of the drawing's box, and each text's box and
size as drawn (its font size times the drawing's scale)."""


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _check(drawn: dict[str, Any], within: float, legible: float = 10) -> None:
    box = drawn["box"]
    assert drawn["width"] <= within + 0.5, (drawn["width"], within)
    outside = [name for name, e in drawn["parts"] if not (
        box[0] - 0.5 <= e[0] and e[2] <= box[2] + 0.5 and box[1] - 0.5 <= e[1]
        and e[3] <= box[3] + 0.5)]
    assert outside == [], (box, outside[:5], len(outside))
    small = [(text, round(size, 1)) for text, _, size in drawn["texts"] if size < legible]
    assert small == [], small
    texts = drawn["texts"]
    for i, (a, ea, _) in enumerate(texts):
        for b, eb, _ in texts[i + 1:]:
            assert not _overlap(ea, eb), (a, b, ea, eb)


@pytest.mark.parametrize(("years", "size"), [(10, (1366, 900)), (10, (390, 844)),
                                             (30, (1366, 900)), (30, (390, 844))])
def test_the_curve_is_drawn_whole_on_a_laptop_and_a_phone(
        browser: Any, tmp_path: Path, dated: Path, years: int, size: tuple[int, int]) -> None:
    """At 1366 and 390 px wide the curve is no wider than its part of the page and every
    line, bar, point and text of it lies within its box (at 390 px the whole drawing
    shrinks, not the frame alone); each text is drawn at 10 px or more, none on another;
    axe finds nothing serious."""
    opened = open_page(browser, _page(tmp_path, dated, years), wait_for_map=False)
    try:
        page = opened.page
        page.set_viewport_size({"width": size[0], "height": size[1]})
        main = page.evaluate("document.querySelector('main').clientWidth")
        _check(page.evaluate(DRAWN), main)
        assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
        assert axe_violations(opened) == []
        opened.clean()
    finally:
        opened.page.close()


@pytest.mark.parametrize("years", [10, 30])
@pytest.mark.parametrize("width", [320, 340, 360, 390])
def test_on_a_phone_the_curve_s_text_is_drawn_at_12_px_or_more(
        browser: Any, tmp_path: Path, dated: Path, years: int, width: int) -> None:
    """On a phone 320 to 390 px wide (320 being the width WCAG's reflow asks for), the
    curve shrinks to the page's width but each of its texts is drawn at 12 px or more
    (its font size times the drawing's scale, as the browser lays it out), every part of
    it inside its box and no two texts on each other; axe finds nothing serious."""
    opened = open_page(browser, _page(tmp_path, dated, years), wait_for_map=False,
                       size=(width, 800))
    try:
        page = opened.page
        main = page.evaluate("document.querySelector('main').clientWidth")
        assert main < width < 720  # the curve has to shrink
        _check(page.evaluate(DRAWN), main, legible=12)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert axe_violations(opened) == []
        opened.clean()
    finally:
        opened.page.close()


@pytest.mark.parametrize("years", [10, 30])
def test_the_curve_prints_whole(browser: Any, tmp_path: Path, dated: Path, years: int) -> None:
    """Printed on A4 upright (718 px wide, less the page's margins), the curve is drawn
    whole within the page's width, its text legible; Chromium makes the PDF."""
    opened = open_page(browser, _page(tmp_path, dated, years), wait_for_map=False)
    try:
        page = opened.page
        page.set_viewport_size({"width": 718, "height": 1000})
        page.emulate_media(media="print")
        main = page.evaluate("document.querySelector('main').clientWidth")
        assert main < 720  # narrower than the curve's own size: it has to shrink
        _check(page.evaluate(DRAWN), main)
        assert page.pdf(format="A4")[:5] == b"%PDF-"
        opened.clean()
    finally:
        opened.page.close()
