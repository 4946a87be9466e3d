"""A focused mark of the programme page's Gantt chart, and the label of its figures, in
headless Chromium (as test_gantt_browser.py runs the rest of the chart): whatever the
window's size, and wherever the Tab key leaves the chart's box scrolled, the reader sees
the whole label, the whole mark and the mark's focus outline."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from estate.render.html import write_page
from estate.render.programme_page import programme_page, write_programme_page
from estate.store import read_programme
from tests.fixtures.browser import Opened, axe_violations, drawn, open_page

pytestmark = pytest.mark.browser

Box = list[float]
"""A rectangle on screen, in CSS pixels: left, top, right, bottom."""

SEEN = """() => {
  const mark = document.activeElement;
  if (!mark.matches('svg.gantt .mark')) return {focused: mark.outerHTML.slice(0, 80)};
  const shape = mark.firstElementChild, figures = mark.nextElementSibling;
  const label = figures.querySelector('span');
  const edges = r => [r.left, r.top, r.right, r.bottom];
  const clips = e => {  // what cuts `e` off: each ancestor whose overflow is not shown
    const cut = [[0, 0, document.documentElement.clientWidth, document.documentElement.clientHeight]];
    for (e = e.parentElement; e; e = e.parentElement) {
      const css = getComputedStyle(e);
      if (css.overflowX === 'visible' && css.overflowY === 'visible') continue;
      const r = e.getBoundingClientRect();  // an HTML box clips within its scroll bars
      cut.push(e instanceof HTMLElement && e !== document.documentElement
        ? [r.left + e.clientLeft, r.top + e.clientTop, r.left + e.clientLeft + e.clientWidth,
           r.top + e.clientTop + e.clientHeight] : edges(r));
    }
    return cut; };
  // what the browser shows at points of the label and of the mark: the label lets the
  // pointer through, so it is hit-tested with pointer events on for the moment
  const inset = (r, d) => [r.left + d, r.top + d, r.right - d, r.bottom - d];
  const grid = ([l, t, r, b]) => [0, .5, 1].flatMap(i => [0, .5, 1].map(j =>
    [l + i * (r - l), t + j * (b - t)]));
  figures.style.pointerEvents = 'auto';
  const hidden = grid(inset(label.getBoundingClientRect(), 1.5)).filter(([x, y]) =>
    !label.contains(document.elementFromPoint(x, y)));
  figures.style.pointerEvents = '';
  const s = shape.getBoundingClientRect(), at = document.elementFromPoint(
    (s.left + s.right) / 2, (s.top + s.bottom) / 2);
  return {label: edges(label.getBoundingClientRect()), shape: edges(s), hidden,
    clips: {label: clips(label), shape: clips(shape)},
    hit: mark.contains(at), text: label.textContent, shown: getComputedStyle(figures).visibility,
    column: edges(mark.closest('.scroll').querySelector('svg.gantt-labels').getBoundingClientRect()),
    stroke: parseFloat(getComputedStyle(shape).strokeWidth)};
}"""
"""The focused mark: its shape's box and outline (stroke) width, its label's box, text and
visibility, the boxes that clip the label and those that clip the shape (the SVG's
viewport, the chart's scroll box, the window; an old label's foreignObject), the box of the rows' labels' column (drawn over the chart at the box's
left edge), the points of the label where the browser shows something else, and whether
the browser shows the mark at its shape's centre."""


def _within(inner: Box, outer: Box) -> bool:
    return (outer[0] - 0.5 <= inner[0] and inner[2] <= outer[2] + 0.5
            and outer[1] - 0.5 <= inner[1] and inner[3] <= outer[3] + 0.5)


def _in_view(seen: dict[str, Any], part: str) -> Box:
    """Where the reader sees the label or the shape (`part`): within all that clips it,
    right of the rows' labels' column."""
    clips = seen["clips"][part]
    return [max([c[0] for c in clips] + [seen["column"][2]]), max(c[1] for c in clips),
            min(c[2] for c in clips), min(c[3] for c in clips)]


def _check(seen: dict[str, Any], where: str) -> None:
    """The mark focused, its label shown: the whole label in view, shown at each of its
    points, over its mark (which it spans) and clear of the mark's outline; the whole
    mark in view with its outline (3 px, half of it outside the shape)."""
    assert "focused" not in seen, (where, seen)
    view, label = _in_view(seen, "label"), seen["label"]
    assert seen["shown"] == "visible", (where, seen)
    assert _within(label, view), (where, view, seen)
    assert seen["hidden"] == [], (where, seen)
    assert seen["stroke"] == 3, (where, seen)  # the focus outline
    half = seen["stroke"] / 2
    ring = [seen["shape"][0] - half, seen["shape"][1] - half,
            seen["shape"][2] + half, seen["shape"][3] + half]
    view = _in_view(seen, "shape")
    assert _within(ring, view) and seen["hit"], (where, view, seen)
    assert label[3] <= ring[1] and label[0] <= ring[0] and ring[2] <= label[2], (where, seen)


def _short(dated: Path, tmp_path: Path) -> Path:
    """The made-up programme's page cut to its first 3 years: a chart narrower than a
    label (250 px of years, but for `YEARS_LEAST`) that its box does not scroll."""
    programme = read_programme(dated)
    assert programme is not None
    first = {name: getattr(programme, name).query("year <= 3")
             for name in ("actions", "budget", "cashflow")}
    page = programme_page(dataclasses.replace(programme, **first), None, "short")
    return write_page(tmp_path / "short.html", page)


@pytest.mark.parametrize(("chart", "size"), [
    ("dated", (390, 844)), ("dated", (844, 390)), ("dated", (1366, 900)),
    ("short", (1366, 900))], ids=["phone", "phone-landscape", "laptop", "short-laptop"])
def test_each_focused_mark_shows_its_whole_label(browser: Any, dated: Path, tmp_path: Path,
                                                 chart: str, size: tuple[int, int]) -> None:
    """The made-up programme's page on a phone upright (390 x 844), on its side
    (844 x 390) and on a laptop, and its first 3 years on a laptop: from the chart's box
    the Tab key reaches each mark in turn, and Shift+Tab each again on the way back. Each
    time the focused mark, with its focus outline, and its whole label are in view:
    within the chart's SVG, its scroll box and the window, right of the rows' labels'
    column and under nothing else, the label over the mark and clear of its outline.
    Each mark's figures are seen, once each way. Axe finds nothing serious with a mark
    focused."""
    path = (write_programme_page(dated, tmp_path / "programme.html") if chart == "dated"
            else _short(dated, tmp_path))
    assert path is not None
    opened = open_page(browser, path, wait_for_map=False, size=size)
    try:
        _tab_each_way(opened, 40 if chart == "dated" else 10)
        # the style sheet slid the labels: the page's script stood aside
        assert opened.page.locator("svg.gantt .figures span[style]").count() == 0
        opened.clean()
    finally:
        opened.page.close()


def _tab_each_way(opened: Opened, least: int) -> None:
    """From the chart's box the Tab key to each mark in turn (more than `least`), and
    Shift+Tab from beneath the chart to each again: each time `_check`, each mark's
    figures seen once each way, and axe run with a mark focused."""
    page = opened.page
    marks = page.locator("svg.gantt .mark").count()
    assert marks > least
    texts = page.locator("svg.gantt .figures span").all_text_contents()
    for key in ("Tab", "Shift+Tab"):
        if key == "Tab":
            page.locator(".scroll:has(svg.gantt)").focus()
        else:  # from the list of the rows' names beneath the chart, back
            page.locator(".row-names summary").focus()
        seen_texts = []
        for k in range(marks):
            page.keyboard.press(key)
            drawn(page)
            seen = page.evaluate(SEEN)
            _check(seen, f"{key} {k + 1} of {marks}")
            seen_texts.append(seen["text"])
            if k == marks // 2 and key == "Tab":
                assert axe_violations(opened) == []
        assert sorted(seen_texts) == sorted(texts)


def without(feature: str) -> str:
    """A script run before the page's own that makes Chromium a browser without the CSS
    `feature` the style sheet slides the labels by (a scroll-driven animation's
    `animation-timeline`, or a `scroll-state` container query), as Firefox and Safari
    were in 2026: `CSS.supports` says no to any test of it (and answers the rest as it
    would), and, as such a browser drops what it cannot read, the labels' sliding
    animation is dropped too."""
    return """(() => {
  const feature = FEATURE, asked = CSS.supports.bind(CSS);
  CSS.supports = (...test) => test.join(':').includes(feature) ? false : asked(...test);
  document.addEventListener('DOMContentLoaded', () => {
    const dropped = document.createElement('style');
    dropped.textContent = '.gantt .figures span{animation:none !important}';
    document.head.append(dropped);
  });
})();""".replace("FEATURE", json.dumps(feature))


@pytest.mark.parametrize(("feature", "size"), [
    ("animation-timeline", (390, 844)), ("animation-timeline", (844, 390)),
    ("animation-timeline", (1366, 900)), ("scroll-state", (390, 844))],
    ids=["phone", "phone-landscape", "laptop", "no-scroll-state-phone"])
def test_without_scroll_driven_animations_the_script_shows_each_whole_label(
        browser: Any, dated: Path, tmp_path: Path, feature: str, size: tuple[int, int]) -> None:
    """In a browser that cannot slide the labels by CSS (`without`), the page's script
    puts each focused mark's label where the style sheet would have: the same checks as
    `test_each_focused_mark_shows_its_whole_label`, Tab and Shift+Tab through every mark
    on a phone upright, on its side and on a laptop, each label whole in view over its
    mark, and axe finds nothing serious. On a phone the box scrolls, and the script has
    moved labels that the page alone would have left cut off."""
    path = write_programme_page(dated, tmp_path / "programme.html")
    assert path is not None
    opened = open_page(browser, path, wait_for_map=False, size=size, before=without(feature))
    try:
        page = opened.page
        assert page.evaluate(f"CSS.supports({feature + ': none'!r})") is False
        _tab_each_way(opened, 40)
        moved = page.evaluate("""[...document.querySelectorAll('svg.gantt .figures span')]
            .filter(s => Math.abs(parseFloat(s.style.translate) || 0) > 1).length""")
        if size[0] < 1000:
            assert moved > 0
        opened.clean()
    finally:
        opened.page.close()


SHOWN = "() => [...document.querySelectorAll('svg.gantt .figures')].filter(f => " \
    "getComputedStyle(f).visibility === 'visible').length"


def test_escape_puts_a_shown_label_away(browser: Any, dated: Path, tmp_path: Path) -> None:
    """A mark's label, shown by the focus or the pointer, covers the marks of the row
    above and stayed after Escape (WCAG 1.4.13, a review): Escape puts it away until the
    focus or the pointer leaves the mark, and the next mark's shows again."""
    path = write_programme_page(dated, tmp_path / "programme.html")
    assert path is not None
    opened = open_page(browser, path, wait_for_map=False, size=(1366, 900))
    page = opened.page
    try:
        page.locator(".scroll:has(svg.gantt)").focus()
        page.keyboard.press("Tab")
        assert page.evaluate(SHOWN) == 1
        page.keyboard.press("Escape")
        assert page.evaluate(SHOWN) == 0
        page.keyboard.press("Tab")
        assert page.evaluate(SHOWN) == 1
        page.keyboard.press("Shift+Tab")  # the first mark again: shown once more
        assert page.evaluate(SHOWN) == 1
        page.locator(".row-names summary").focus()
        mark = page.locator("svg.gantt .mark").nth(2)
        mark.hover()
        assert page.evaluate(SHOWN) == 1
        page.keyboard.press("Escape")
        assert page.evaluate(SHOWN) == 0
        page.mouse.move(1, 1)
        mark.hover()
        assert page.evaluate(SHOWN) == 1
        assert opened.errors == []
        opened.clean()
    finally:
        page.close()
