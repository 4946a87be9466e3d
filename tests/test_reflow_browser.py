"""The pages a reader opens on a phone, or zoomed to 400% (320 CSS px wide): the
comparison, the sweep and the board pack's page never scroll sideways as a whole (WCAG
1.4.10 reflow). A table or chart wider than the screen scrolls in a box of its own that
a keyboard reaches and a screen reader names; a word longer than the line (a site named
without spaces) breaks.

Each page is measured in headless Chromium: the document's scroll width against the
window's, and every element that reaches past the window's right edge without a
scrolling box around it. Printed (page.pdf, read back with pypdf), no box clips a
table's columns, and no figure, status or name is split across two lines: a column may
not shrink below its longest word (`overflow-wrap: anywhere` let it shrink to a letter).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import estate
from estate.api import compare, report, sweep
from estate.runs.sweep import parse_vary
from tests.fixtures import (
    corridor_register,
    corridor_scenario,
    scenario_on,
    town,
    town_rows,
    write_scenario,
)
from tests.fixtures.browser import (
    broken_words,
    lost_in_print,
    open_page,
    printed_words,
    table_edges,
)

pytestmark = pytest.mark.browser

PHONE = (320, 640)
LONG = "Northamptonshire" * 6  # 96 letters and no space: wider than a phone
"""A site name with no place to break a line."""
NAMED = [f"Scenario_number_{i}_with_a_rather_long_name" for i in (1, 2, 3)]
"""Scenario names without a space, wider than a phone (each heads a section)."""
AGENCIES = {"CC": "Suffolk County Council", "PD": "Mid Suffolk District Council"}
SIX_KEYS = ["relocation.max_km=10,30", "relocation.cost_per_fte=0,5000",
            "sharing.efficiency=0.1", "discount_rate=0.035", "sharing.setup_cost=50000",
            "horizon_years=10"]
"""A sweep of six keys: its table of runs has six columns of them, then the results'."""

# what reaches past the window's right edge without a box around it that scrolls (or
# clips) sideways: that would widen the page
PAST_THE_EDGE = """() => {
  const width = document.documentElement.clientWidth;
  const boxed = e => {
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) return true;
    }
    return false;
  };
  return [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 0.5 && !boxed(e))
    .map(e => e.tagName + ' ' + (e.textContent || '').trim().slice(0, 40));
}"""

# each box that scrolls sideways: whether it does now, whether Tab reaches it, its role
# and name
BOXES = """() => [...document.querySelectorAll('body *')]
  .filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
  .map(e => ({scrolls: e.scrollWidth > e.clientWidth, tab: e.tabIndex,
              role: e.getAttribute('role'),
              // named by its own label, or by the element it points to (a chart's box,
              // by the chart's caption)
              name: e.getAttribute('aria-label') || (e.hasAttribute('aria-labelledby')
                    ? (document.getElementById(e.getAttribute('aria-labelledby')) || {}).textContent || ''
                    : ''),
              holds: e.firstElementChild ? e.firstElementChild.tagName : ''}))"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A comparison of two scenarios on the corridor, a two-run sweep, the board pack
    of a dated plan that closes a site named `LONG`, a sweep of `SIX_KEYS`, and three
    scenarios named `NAMED` compared on the corridor with its agencies named `AGENCIES`."""
    root = tmp_path_factory.mktemp("reflow")
    register = corridor_register(root / "corridor")
    paths = [write_scenario(root / "a.toml", scenario_on(register, "Keep the hall",
                                                         policy={"keep": ["S1"]})),
             write_scenario(root / "b.toml", scenario_on(register, "Free hand"))]
    compare(paths, out=root / "compared", results_root=root / "results", policy_costs=False)
    scenario = write_scenario(root / "town.toml", corridor_scenario(register))
    sweep(scenario, [parse_vary("sharing.efficiency=0:0.2:2")], root / "swept", workers=1)
    rows = town_rows()
    rows["sites"][1]["name"] = LONG  # the Annexe, which the plan closes
    path = town(root / "dated", rows, {"start": "2027-04-01"})
    estate.plan(path, out=root / "dated" / "results", map_path=False, programme=True,
                policy_costs=False)
    _, board = report(root / "dated" / "results", root / "board.pdf")
    assert LONG[:48] in board.read_text(encoding="utf-8")  # (the lead cuts long names)
    # three scenarios named without spaces, on the corridor with agencies named as
    # councils are (words with spaces); a sweep of six keys
    agencies = pd.read_csv(register / "agencies.csv", dtype=str)
    agencies["name"] = agencies["agency_id"].map(AGENCIES)
    agencies.to_csv(register / "agencies.csv", index=False)
    paths = [write_scenario(root / f"{i}.toml", scenario_on(register, name, policy=policy))
             for i, (name, policy) in enumerate(zip(NAMED, [{"keep": ["S1"]}, {}, {"keep": ["S6"]}],
                                                    strict=True))]
    compare(paths, out=root / "three", results_root=root / "results3", policy_costs=False)
    sweep(scenario, [parse_vary(key) for key in SIX_KEYS], root / "six", workers=1)
    return {"comparison": root / "compared" / "comparison.html",
            "comparison_map": root / "compared" / "comparison_map.html",
            "sweep": root / "swept" / "sweep.html", "board": board,
            "three": root / "three" / "comparison.html", "six": root / "six" / "sweep.html"}


@pytest.mark.parametrize("kind", ["comparison", "sweep", "board", "three"])
def test_page_reflows_at_320_px(browser: Any, pages: dict[str, Path], kind: str) -> None:
    opened = open_page(browser, pages[kind], wait_for_map=False, size=PHONE)
    page = opened.page
    assert page.evaluate(PAST_THE_EDGE) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    boxes = page.evaluate(BOXES)
    # the page has tables (and the sweep charts) too wide for a phone: they scroll in
    # their boxes, each reached by Tab and named for a screen reader
    assert any(b["scrolls"] for b in boxes), boxes
    for box in boxes:
        if box["scrolls"]:
            assert box["tab"] == 0 and box["role"] == "region" and box["name"], box
    if kind == "sweep":
        assert sorted(b["holds"] for b in boxes).count("svg") == 2  # both charts
    opened.clean()
    page.close()


def test_a_scrolling_box_shows_its_focus(browser: Any, pages: dict[str, Path]) -> None:
    """Tab reaches the comparison's first table box, which then draws an outline, and
    the arrow keys scroll it."""
    opened = open_page(browser, pages["comparison"], wait_for_map=False, size=PHONE)
    page = opened.page
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => { const e = document.activeElement;
      const s = getComputedStyle(e);
      return {role: e.getAttribute('role'), outline: s.outlineStyle,
              width: parseFloat(s.outlineWidth), left: e.scrollLeft}; }""")
    assert focused["role"] == "region" and focused["outline"] == "solid"
    assert focused["width"] >= 2
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    assert page.evaluate("document.activeElement.scrollLeft") > 0
    opened.clean()
    page.close()


@pytest.mark.parametrize("kind", ["comparison", "sweep", "three", "six"])
def test_printed_every_table_column_is_on_the_sheet(browser: Any, pages: dict[str, Path],
                                                     kind: str) -> None:
    """Printed on A4 (Chromium's page.pdf), each table's every heading and its last
    column's every cell are on the sheets, and no table or chart is wider than the
    sheet: the boxes that scroll on a screen do not clip on paper, where nothing
    scrolls."""
    opened = open_page(browser, pages[kind], wait_for_map=False)
    page = opened.page
    tables = table_edges(page)
    assert tables
    # laid out for print on a sheet 180 mm (680 px) wide, no table or chart reaches past
    # its edge, where paper has nothing
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 680, "height": 960})
    past = page.evaluate("""() => [...document.querySelectorAll('table, svg')]
      .filter(e => !e.parentElement.closest('svg'))
      .map(e => e.getBoundingClientRect().right).filter(r => r > 680.5)""")
    assert past == []
    assert lost_in_print(page, tables) == []
    opened.clean()
    page.close()


def test_printed_sweep_keeps_each_figure_whole(browser: Any, pages: dict[str, Path]) -> None:
    """The sweep of six keys printed: each run's status and figures are whole words on
    the sheet (2,075,251.97, not 2,075,251.9 over 7; optimal, not optima over l), and no
    cell of the table is laid out with a word broken; a heading breaks only after a `.`
    or `_` of its key's name."""
    runs = pd.read_csv(pages["six"].parent / "sweep.csv")
    opened = open_page(browser, pages["six"], wait_for_map=False)
    page = opened.page
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 680, "height": 960})
    assert broken_words(page) == []
    # the table as the screen has it (printed as parts when wider than the sheet)
    cells = page.evaluate("""() => [...document.querySelectorAll('.scroll tbody tr')].map(r =>
      [...r.cells].map(c => c.textContent))""")
    heads = page.evaluate("""() => [...document.querySelectorAll('.scroll thead th')]
      .map(h => h.textContent)""")
    assert len(cells) == len(runs) == 4
    words = printed_words(page)
    for row in cells:
        shown = dict(zip(heads, row, strict=True))
        for key in ("status", "objective_npv", "npv_saving", "sites_after"):
            assert shown[key] in words, (key, shown[key])
    # each figure as sweep.csv has it, worked out apart from the page
    for saving in runs["npv_saving"]:
        assert (f"{saving:,.2f}" if abs(saving) >= 1 else f"{saving:.4g}") in words
    opened.clean()
    page.close()


def test_printed_comparison_keeps_names_whole(browser: Any, pages: dict[str, Path]) -> None:
    """Three scenarios compared, printed: each agency's name in 'Who gains' is whole
    words on the sheet (Suffolk County Council, not Suff olk Cou nty), each figure of
    the table whole, and no cell laid out with a word broken but a scenario's name,
    after a `_`."""
    opened = open_page(browser, pages["three"], wait_for_map=False)
    page = opened.page
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 680, "height": 960})
    assert broken_words(page) == []
    words = printed_words(page)
    for name in AGENCIES.values():
        assert set(name.split()) <= words, name
    figures = page.evaluate("""() => [...document.querySelectorAll('td.n')]
      .map(c => c.textContent).filter(t => t.trim())""")
    assert figures and [f for f in figures if not set(f.split()) <= words] == []
    opened.clean()
    page.close()


LEGEND_ROOM = """() => {
  const legend = document.querySelector('#estate-legend');
  const head = legend.querySelector('summary').getBoundingClientRect();
  const zoom = document.querySelector('.leaflet-control-zoom-in').getBoundingClientRect();
  const covered = (r) => {
    const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return at === null || !at.closest('.leaflet-control-zoom, .estate-panel-toggle');
  };
  const toggle = document.querySelector('#estate-compare .estate-panel-toggle');
  return {head: head.top, zoomCovered: zoom.width ? covered(zoom) : null,  // null: left off
          toggleCovered: covered(toggle.getBoundingClientRect())};
}"""


@pytest.mark.parametrize("size", [(640, 400), (844, 390), (320, 256)])
def test_the_comparison_map_s_legend_opened_stays_in_its_room(
        browser: Any, pages: dict[str, Path], size: tuple[int, int]) -> None:
    """At 200% zoom, or a phone held sideways, the comparison map's legend opened grew
    up past the top of the window, its own heading (which folds it) out of sight and the
    zoom buttons and the panel's Hide button under it (a review): it now scrolls in the
    room below them, as the plan map's legend does within its column."""
    opened = open_page(browser, pages["comparison_map"], size=size)
    page = opened.page
    page.evaluate("document.querySelector('#estate-legend details').open = true")
    page.wait_for_timeout(100)
    seen = page.evaluate(LEGEND_ROOM)
    # under 300 px high the zoom buttons are left off (map.css), the + key still zooms
    zoom = False if size[1] > 300 else None
    assert seen == {"head": seen["head"], "zoomCovered": zoom, "toggleCovered": False}, seen
    assert seen["head"] >= 0, seen
    assert opened.errors == []
    opened.clean()
    page.close()


CONTROLS_OVERLAPPING = """() => [...document.querySelectorAll('.leaflet-container')].map(map => {
  // each map's controls shown, and the pairs of them that overlap
  const boxes = [...map.querySelectorAll('.leaflet-control')].filter(c => c.offsetWidth)
    .map(c => [c.className.split(' ')[0] + (c.id ? '#' + c.id : ''), c.getBoundingClientRect()]);
  const over = [];
  boxes.forEach(([a, r], i) => boxes.slice(i + 1).forEach(([b, s]) => {
    if (r.left < s.right && s.left < r.right && r.top < s.bottom && s.top < r.bottom) {
      over.push(a + ' | ' + b); }
  }));
  return {height: map.clientHeight, short: map.classList.contains('estate-short'), over: over};
})"""


@pytest.mark.parametrize("size", [(512, 320), (320, 420)])
def test_a_comparison_split_on_a_narrow_window_keeps_its_controls_apart(
        browser: Any, pages: dict[str, Path], size: tuple[int, int]) -> None:
    """Split on a narrow window the comparison's maps stack, each half the window high
    (160 px at 512 x 320, a laptop at 250% zoom): the legend covered the zoom buttons
    and the scale bar the panel (a review), as the window, not the map, was measured.
    Each map under 300 px high leaves off its scale and zoom buttons, and no two of
    its controls overlap."""
    opened = open_page(browser, pages["comparison_map"], size=size)
    page = opened.page
    page.evaluate("document.querySelector('button.estate-split').click()")
    page.wait_for_timeout(500)
    maps = page.evaluate(CONTROLS_OVERLAPPING)
    assert len(maps) == 2 and all(m["height"] < 300 and m["short"] for m in maps), maps
    assert [m["over"] for m in maps] == [[], []], maps
    assert opened.errors == []
    opened.clean()
    page.close()
