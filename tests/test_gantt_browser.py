"""The programme page's Gantt chart in a real browser (headless Chromium, as
test_programme_browser.py runs the rest of the page): a chart wider than its box scrolls
sideways in it while the rows' labels stay in view, it prints whole, and a screen reader
finds each label once."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from estate.render.html import write_page
from estate.render.programme_page import programme_page
from estate.results import Programme, money
from estate.store import read_programme
from tests.fixtures.browser import Opened, axe_violations, drawn, open_page

pytestmark = pytest.mark.browser


@pytest.fixture
def page(programme_opened: Opened) -> Opened:
    return programme_opened


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


MARK_BOXES = """() => [...document.querySelectorAll('svg.gantt .mark')].map(g => {
  const r = g.children[0].getBoundingClientRect();  // the mark's shape, before its letter
  return [r.left, r.top, r.right, r.bottom]; })"""


def _wide(dated: Path) -> Programme:
    """The made-up programme over 30 years, with four changes of one site in year 30."""
    programme = read_programme(dated)
    assert programme is not None
    first = programme.actions.iloc[[0]]
    busy = pd.concat([first.assign(site_id="X1", site_name="X1", function_id="", year=30,
                                   action=a) for a in ("close", "build", "open", "dispose")])
    return dataclasses.replace(programme, actions=pd.concat([programme.actions, busy],
                                                            ignore_index=True))


def _open(browser: Any, tmp_path: Path, dated: Path, chart: str) -> Opened:
    """The page of the "wide" programme (`_wide`) or of the "dated" one (10 years), opened."""
    programme = _wide(dated) if chart == "wide" else read_programme(dated)
    assert programme is not None
    path = write_page(tmp_path / f"{chart}.html", programme_page(programme, None, chart))
    return open_page(browser, path, wait_for_map=False)


def test_a_wide_gantt_chart_scrolls_in_its_own_box(browser: Any, tmp_path: Path,
                                                   dated: Path) -> None:
    """A 30-year programme with four changes of one site in one year: the chart is drawn
    at its full size (300 px of labels, 2,510 of years, no mark shrunk) and scrolls
    sideways within its box, the page no wider than the window; no two marks overlap on
    screen; the box is reached by the keyboard, and axe finds nothing serious."""
    opened = _open(browser, tmp_path, dated, "wide")
    try:
        page = opened.page
        svg = page.locator("svg.gantt")
        assert svg.bounding_box()["width"] == float(svg.get_attribute("width")) > 2000
        box = page.locator(".scroll:has(svg.gantt)")
        assert box.evaluate("b => b.scrollWidth > b.clientWidth + 1000")
        assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate(
            "window.innerWidth")
        marks = page.evaluate(MARK_BOXES)
        assert len(marks) == len(_wide(dated).actions)
        for i, a in enumerate(marks):
            for b in marks[i + 1:]:
                assert not _overlap(a, b), (a, b)
        page.keyboard.press("Tab")  # the link past the marks, then the chart's box
        assert page.evaluate("document.activeElement.className") == "skip"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "scroll"
        assert axe_violations(opened) == []
        opened.clean()
    finally:
        opened.page.close()


LABELS = "svg.gantt-labels .label, svg.gantt-labels g > text"
"""The rows' labels: HTML boxes in the labels' SVG (or SVG text)."""
ROW_LABELS = f"""b => [...b.querySelectorAll('{LABELS}')].map(t => {{
  const r = t.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }})"""
UNLEVEL = f"""b => {{ const bands = [...b.querySelectorAll('svg.gantt > g > rect:first-child')];
  return [...b.querySelectorAll('{LABELS}')].filter((t, i) => {{
    const r = t.getBoundingClientRect(), band = bands[i].getBoundingClientRect();
    return !(band.top <= (r.top + r.bottom) / 2 && (r.top + r.bottom) / 2 <= band.bottom);
  }}).map(t => t.textContent); }}"""
"""The rows whose label is not level with its row of the years (its middle outside the
row's band)."""
UNCOVERED = f"""b => [...b.querySelectorAll('{LABELS}')].filter(t => {{
  const r = t.getBoundingClientRect();  // the page scrolled to the label's row, then hit
  window.scrollTo(0, window.scrollY + r.top - innerHeight / 2);
  const s = t.getBoundingClientRect(), hit = document.elementFromPoint(s.left + 2,
                                                                     (s.top + s.bottom) / 2);
  return hit !== t.closest('g').querySelector('rect');  // the label's band, under the label
}}).map(t => t.textContent)"""


@pytest.mark.parametrize(("chart", "size"), [("wide", (1366, 900)), ("wide", (390, 844)),
                                             ("dated", (390, 844))])
def test_the_row_labels_stay_in_view_as_the_years_scroll(
        browser: Any, tmp_path: Path, dated: Path, chart: str, size: tuple[int, int]) -> None:
    """The Gantt chart's box scrolled to its far right, by script and by the keyboard:
    every row's label is where it was, within the box's visible part and not covered by
    the chart (a 30-year chart on a laptop and a phone, the 10-year one on a phone)."""
    opened = _open(browser, tmp_path, dated, chart)
    try:
        page = opened.page
        page.set_viewport_size({"width": size[0], "height": size[1]})
        box = page.locator(".scroll:has(svg.gantt)")
        before = box.evaluate(ROW_LABELS)
        assert len(before) > 20
        box.focus()
        page.keyboard.press("ArrowRight")  # the keyboard scrolls the box (smoothly)
        page.wait_for_function("b => b.scrollLeft > 0", arg=box.element_handle(), timeout=3000)
        box.evaluate("b => { b.scrollLeft = b.scrollWidth; }")
        scrolled = box.evaluate("b => b.scrollLeft")
        assert scrolled > 300 and scrolled == box.evaluate("b => b.scrollWidth - b.clientWidth")
        seen = box.evaluate("""b => { const r = b.getBoundingClientRect();
          return [r.left + b.clientLeft, r.left + b.clientLeft + b.clientWidth]; }""")
        after = box.evaluate(ROW_LABELS)
        assert [a[0] for a in after] == [b[0] for b in before]  # the labels did not move
        assert all(seen[0] <= a[0] and a[2] <= seen[1] for a in after), (seen, after[:3])
        assert box.evaluate(UNCOVERED) == [] and box.evaluate(UNLEVEL) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
        assert axe_violations(opened) == []
        opened.clean()
    finally:
        opened.page.close()


PRINTED = """b => { const edge = e => { const r = e.getBoundingClientRect();
    return [r.left, r.right, r.top, r.bottom]; };
  const years = [...b.querySelectorAll('svg.gantt text')].filter(t => /^Y[0-9]+$/.test(t.textContent));
  return {box: edge(b), scrolls: b.scrollWidth > b.clientWidth, sticky: getComputedStyle(
            b.querySelector('svg.gantt-labels')).position, labels: edge(b.querySelector(
            'svg.gantt-labels')), chart: edge(b.querySelector('svg.gantt')),
          years: years.length, last: edge(years[years.length - 1])}; }"""


@pytest.mark.parametrize("chart", ["dated", "wide"])
def test_the_gantt_chart_prints_whole(browser: Any, tmp_path: Path, dated: Path,
                                      chart: str) -> None:
    """Printed on A4 upright (718 px wide), the chart's box does not scroll: the labels and
    the years shrink alike to the page's width, every year on the page, the rows level."""
    opened = _open(browser, tmp_path, dated, chart)
    try:
        page = opened.page
        page.set_viewport_size({"width": 718, "height": 1000})
        page.emulate_media(media="print")
        box = page.locator(".scroll:has(svg.gantt)")
        printed = box.evaluate(PRINTED)
        assert not printed["scrolls"] and printed["sticky"] == "static"
        assert printed["years"] == (30 if chart == "wide" else 10)
        left, right = printed["box"][:2]
        assert left <= printed["labels"][0] and printed["chart"][1] <= right + 0.5
        assert printed["last"][1] <= right  # the last year's heading is on the page
        assert abs(printed["labels"][3] - printed["chart"][3]) < 1  # as tall as each other
        assert box.evaluate(UNLEVEL) == []
        opened.clean()
    finally:
        opened.page.close()


def _said_in(page: Any, region: str) -> tuple[list[str], list[str]]:
    """What Chromium's accessibility tree holds under the region named `region`: its texts
    (StaticText), what a screen reader reads there, and the names and descriptions of
    its other nodes, which a screen reader may read as well."""
    cdp = page.context.new_cdp_session(page)
    nodes = {n["nodeId"]: n for n in cdp.send("Accessibility.getFullAXTree")["nodes"]}
    said, named = [], []
    todo = [next(n for n in nodes.values() if n.get("role", {}).get("value") == "region"
                 and n.get("name", {}).get("value") == region)]
    while todo:
        n = todo.pop()
        role = n.get("role", {}).get("value")
        if not n.get("ignored") and role == "StaticText":
            said.append(n["name"]["value"])
        elif not n.get("ignored") and role != "InlineTextBox":
            named += [n.get(k, {}).get("value", "") for k in ("name", "description")]
        todo += [nodes[c] for c in n.get("childIds", []) if c in nodes]
    return said, named


LABEL_PARTS = f"""() => [...document.querySelectorAll('{LABELS}')].map(l =>
  [l.textContent, [...l.children].map(s => s.textContent)])"""
"""Each row's label, whole, and its parts: the name and the bracketed id."""


def test_each_row_label_is_said_once(page: Opened) -> None:
    """The Gantt chart is one group, named, in its region; each row's label is in it as
    often as there are rows bearing it (a team pooled at two sites has two), not twice:
    no node is named or described with a label (its hover text is hidden from it)."""
    p = page.page
    labels = p.evaluate(LABEL_PARTS)
    assert len(labels) > 20
    parts = [part for _, each in labels for part in each]
    said, named = _said_in(p, "Gantt chart, scrolls sideways")
    assert Counter(s for s in said if s in set(parts)) == Counter(parts)
    assert set(named) & {whole for whole, _ in labels} == set()
    assert p.get_by_role("group", name="When each change happens, by site and team").count() == 1


LONG = ["Former highways depot (surplus), Halesworth Road, Holton", "W" * 300,
        "County area office, Sudbury", "</svg><script>alert(1)</script> and more besides"]
"""Site names too long for the labels' column on a phone (one of them on a laptop too)."""
FITTED = f"""b => {{ const column = b.querySelector('svg.gantt-labels').getBoundingClientRect();
  return [...b.querySelectorAll('{LABELS}')].map(l => {{
    const r = l.getBoundingClientRect(), band = l.closest('g').querySelector('rect');
    window.scrollTo(0, window.scrollY + r.top - innerHeight / 2);  // the label in view
    const s = l.getBoundingClientRect();
    const hovered = document.elementFromPoint((s.left + s.right) / 2, (s.top + s.bottom) / 2);
    const cut = e => e.scrollWidth > e.clientWidth, css = getComputedStyle;
    return {{whole: l.textContent, right: s.right, column: column.right - 1,
      clipped: cut(l),  // cut by the label's own box: no ellipsis
      parts: [...l.children].map(e => [e.className, e.getBoundingClientRect().right, cut(e),
        css(e).overflowX === 'hidden' && css(e).textOverflow === 'ellipsis'
        && css(e).whiteSpace === 'nowrap']),
      hover: hovered === band && band.firstElementChild.tagName === 'title'
             ? band.firstElementChild.textContent : null}}; }}); }}"""
"""Each row's label: where it ends and where the labels' column does, whether it or a
part of it (the name, the id) is wider than its box, and if so whether it ends in an
ellipsis; and the text shown on hovering the label (the title of what the pointer hits)."""


def _long_names(dated: Path, tmp_path: Path) -> Path:
    """The made-up programme's page, its first sites named `LONG`."""
    programme = read_programme(dated)
    assert programme is not None
    actions = programme.actions.copy()
    for site, name in zip(actions["site_id"].drop_duplicates()[:len(LONG)], LONG, strict=True):
        actions.loc[actions["site_id"] == site, "site_name"] = name
    page_text = programme_page(dataclasses.replace(programme, actions=actions), None, "long")
    return write_page(tmp_path / "long.html", page_text)


@pytest.mark.parametrize("size", [(390, 844), (1366, 900)])
def test_a_label_too_long_for_its_column_ends_in_an_ellipsis(
        browser: Any, tmp_path: Path, dated: Path, size: tuple[int, int]) -> None:
    """Long site names on a phone and a laptop: each label ends within the labels' column,
    and a label too long for it is cut with an ellipsis, its name cut and its site's id
    whole; hovering a label shows the whole of it; axe finds nothing serious."""
    opened = open_page(browser, _long_names(dated, tmp_path), wait_for_map=False)
    try:
        page = opened.page
        page.set_viewport_size({"width": size[0], "height": size[1]})
        fitted = page.locator(".scroll:has(svg.gantt)").evaluate(FITTED)
        assert len(fitted) > 20
        for label in fitted:
            assert label["right"] <= label["column"] and not label["clipped"], label
            for kind, right, cut, ellipsis in label["parts"]:
                assert right <= label["column"] and (ellipsis or not cut), label
                assert kind == "name" or not cut, label  # a site's id is never cut
            # the hover title's site name between the isolate marks (drawing nothing)
            assert (label["hover"] or "").replace("\u2068", "").replace("\u2069", "") == \
                label["whole"], label
        cut = [label["whole"] for label in fitted if any(p[2] for p in label["parts"])]
        long = LONG if size[0] < 700 else ["W" * 300]  # a phone's column is 45% of it
        assert all(any(whole.startswith(name + " (") for whole in cut) for name in long), cut
        assert axe_violations(opened) == []
        opened.clean()
    finally:
        opened.page.close()


def test_a_marks_letter_keeps_its_colour_on_a_team_row(page: Opened) -> None:
    """Each mark's letter is drawn in its own colour, on a team's row as on a site's: the
    move's white on blue (5.2:1; the team labels' grey, #444, would be 1.9:1)."""
    drawn = page.page.evaluate("""() => [...document.querySelectorAll('svg.gantt g > g > text')]
      .map(t => [t.textContent, t.getAttribute('fill'), getComputedStyle(t).fill])""")
    assert {letter for letter, _, _ in drawn} >= {"M", "C", "D"}

    def rgb(colour: str) -> str:
        digits = colour.lstrip("#")
        digits = "".join(d * 2 for d in digits) if len(digits) == 3 else digits
        return "rgb({}, {}, {})".format(*(int(digits[i:i + 2], 16) for i in (0, 2, 4)))

    assert [(letter, rgb(fill)) for letter, fill, _ in drawn] == [
        (letter, shown) for letter, _, shown in drawn]


CUT_AND_LISTED = f"""() => {{
  const cut = e => e.scrollWidth > e.clientWidth;
  const shown = node => {{ const range = document.createRange(); range.selectNodeContents(node);
    const r = range.getBoundingClientRect();
    return r.width > 0 && r.right <= document.documentElement.clientWidth; }};
  const names = document.querySelector('.row-names');
  return {{cut: [...document.querySelectorAll('{LABELS}')].filter(l =>
            [...l.children].some(cut)).map(l => l.textContent),
          labels: [...document.querySelectorAll('{LABELS}')].map(l => l.textContent),
          listed: names ? [...names.querySelectorAll('li')].map(li => [li.firstChild.textContent,
            names.open && shown(li.firstChild)]) : []}}; }}"""
"""The chart's labels cut short on screen (whole, as their text), every label, and each
name in the list beneath the chart with whether it is shown whole within the window."""


def _whole_names_shown(page: Any) -> None:
    """Each label of the chart is in the list beneath it, in order (a team's without the
    arrow), shown within the window; the labels cut short in the chart among them."""
    drawn = page.evaluate(CUT_AND_LISTED)
    assert drawn["cut"] != []  # the phone's column cuts the long names
    assert [name for name, _ in drawn["listed"]] == [
        label.removeprefix("\u21b3 ") for label in drawn["labels"]]
    assert all(shown for _, shown in drawn["listed"]), drawn["listed"]


def test_a_label_cut_short_is_read_whole_by_keyboard_and_by_touch(
        browser: Any, tmp_path: Path, dated: Path) -> None:
    """On a phone (390 px) the long names are cut short in the chart, and hovering is the
    only way the chart shows them whole. From the chart's last mark the Tab key reaches
    the list of the rows' names and Enter opens it: every label is there whole, within the
    window, the cut ones among them. Tapped on a touch screen it opens too. Axe finds
    nothing serious with it open."""
    path = _long_names(dated, tmp_path)
    opened = open_page(browser, path, wait_for_map=False, size=(390, 844))
    try:
        page = opened.page
        page.locator("svg.gantt .mark").last.focus()
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('.row-names') !== null")
        page.keyboard.press("Enter")
        _whole_names_shown(page)
        assert axe_violations(opened) == []
        opened.clean()
    finally:
        opened.page.close()
    phone = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True,
                                is_mobile=True)
    try:
        page = phone.new_page()
        page.goto(path.as_uri())
        page.tap(".row-names summary")
        _whole_names_shown(page)
    finally:
        phone.close()


FOCUSED = """() => { const mark = document.activeElement, label = mark.nextElementSibling;
  if (!mark.matches('svg.gantt .mark')) return {cls: mark.outerHTML.slice(0, 80)};
  const box = mark.closest('.scroll'), column = box.querySelector('svg.gantt-labels');
  const edge = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const span = label.querySelector('span');
  return {mark: edge(mark), label: edge(span), text: span.textContent,
          shown: getComputedStyle(label).visibility, cls: mark.getAttribute('class'),
          seen: [column.getBoundingClientRect().right, edge(box)[2], innerWidth, innerHeight]};
}"""
"""The focused element: its box; its label's box, text and visibility; where the box's
part not under the rows' labels begins and ends, and the window's size. (The label lets
the pointer through to the mark, so it cannot be hit-tested: what could cover it is the
rows' labels' column, the one thing drawn over the chart.)"""


def _figures_of(actions: pd.DataFrame) -> list[list[str]]:
    """What each change's figures must say: its year, date and kind, its one-off (or
    receipt) and its yearly effect in pounds, when not nought, and its site's id."""
    said = []
    for _, a in actions.iterrows():
        words = [f"Year {int(a['year'])} ({a['date']}): {a['action']}", f"({a['site_id']})"]
        words += [money(abs(float(a[c]))) for c in ("one_off", "annual_effect") if float(a[c])]
        said.append(words)
    return said


@pytest.mark.parametrize(("chart", "size"), [("dated", (1366, 900)), ("wide", (1366, 900)),
                                             ("wide", (390, 844))])
def test_the_tab_key_reaches_each_mark_s_figures(browser: Any, tmp_path: Path, dated: Path,
                                                 chart: str, size: tuple[int, int]) -> None:
    """From the chart's box the Tab key goes from mark to mark, each change once, then on
    to the list of the rows' names. Each mark's name, as Chromium's accessibility tree
    gives it, states its change's year, date, kind, pounds and site, and its label, with
    the same words, is shown above it, the mark and the whole label within the box's
    part beside the rows' labels and the window, on a laptop as on a phone
    (test_gantt_focus_browser.py checks that each is seen whole, both ways). Axe finds
    nothing serious with a mark focused."""
    programme = _wide(dated) if chart == "wide" else read_programme(dated)
    assert programme is not None
    expected = _figures_of(programme.actions)
    opened = _open(browser, tmp_path, dated, chart)
    try:
        page = opened.page
        page.set_viewport_size({"width": size[0], "height": size[1]})
        page.locator(".scroll:has(svg.gantt)").focus()
        for k in range(len(expected)):
            page.keyboard.press("Tab")
            drawn(page)  # the label slides into view as the box scrolls
            seen = page.evaluate(FOCUSED)
            assert seen["cls"] == "mark", (k, seen)
            name = page.locator(":focus").aria_snapshot()  # - 'img "Year 1 (...': B
            assert name.startswith(("- img ", "- 'img ")), name
            match = [i for i, words in enumerate(expected)
                     if all(w in name and w in seen["text"] for w in words)]
            assert match, (name, seen["text"])
            expected.pop(match[0])
            assert seen["shown"] == "visible", seen
            column, right, width, height = seen["seen"]
            assert 0 <= seen["label"][1] and seen["label"][3] <= height, seen
            assert column <= seen["mark"][0] and seen["mark"][2] <= right, seen
            assert column <= seen["label"][0] and seen["label"][2] <= min(right, width), seen
            if k == 0:
                assert axe_violations(opened) == []
        assert expected == []
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('.row-names') !== null")
        opened.clean()
    finally:
        opened.page.close()
