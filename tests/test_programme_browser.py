"""The programme in a real browser: programme.html runs nothing a site name carries, and
the map's year slider shows the estate at the end of each year (headless Chromium, as
the map's own browser tests run it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from estate.maps.page import render_map
from estate.maps.payload import read_plan
from estate.maps.timeline import timeline_payload
from estate.render.html import static_text
from estate.render.programme_page import write_programme_page
from estate.results import Programme
from estate.store import read_programme, write_results
from tests.fixtures.browser import (
    PLAN_MAP,
    Opened,
    axe_violations,
    lost_in_print,
    open_page,
    table_edges,
)
from tests.fixtures.programme import plan_with, programme_for
from tests.fixtures.results import write_results as write_made_up_folder

pytestmark = pytest.mark.browser




@pytest.fixture
def page(programme_opened: Opened) -> Opened:
    return programme_opened


@pytest.fixture
def map_page(browser: Any, dated: Path) -> Iterator[Opened]:
    opened = open_page(browser, render_map(dated, dated.parent / "map.html"))
    yield opened
    opened.page.close()


def test_the_programme_page_runs_nothing_a_name_carries(page: Opened, dated: Path) -> None:
    text = page.page.evaluate("document.body.textContent")
    programme = read_programme(dated)
    assert programme is not None
    for name in set(programme.actions["site_name"]):
        assert " ".join(name.split())[:20] in " ".join(text.split()), name
    assert "</svg><script>alert(1)</script>" in text  # shown, as text
    assert page.count("img, iframe") == 0
    # one script, the page's own (gantt.js), which acts only where CSS cannot slide the
    # chart's labels, so here (Chromium) it leaves every label as the style sheet has it
    assert page.count("script") == 1
    assert page.page.evaluate("document.querySelector('script').textContent") == static_text(
        "estate.render", "gantt.js")
    assert page.count("svg.gantt .figures span[style]") == 0
    assert page.count("svg") >= 2
    page.clean()


def test_a_link_skips_the_chart_s_marks(page: Opened) -> None:
    """A keyboard reaches each of the Gantt chart's marks in turn (81 on the demo): the
    Tab key first reaches a link, shown then and hidden before, that says how many
    marks it skips; Enter on it takes the next Tab past every mark, to the list of the
    chart's rows."""
    p = page.page
    marks = page.count("g.mark")
    assert marks > 1
    link = p.locator("a.skip")
    assert link.bounding_box()["x"] < 0  # type: ignore[index]  # off the page until reached
    for _ in range(10):
        p.keyboard.press("Tab")
        if p.evaluate("document.activeElement.className") == "skip":
            break
    assert p.evaluate("document.activeElement.textContent") == (
        f"Skip the chart's {marks:,} marks, to the list of its rows")
    assert link.bounding_box()["x"] >= 0  # type: ignore[index]
    ahead = p.evaluate("""() => {  // what Tab reaches next: the chart's box, then its marks
      const all = [...document.querySelectorAll('a[href], summary, [tabindex="0"]')];
      return all.indexOf(document.querySelector('summary')) - all.indexOf(document.activeElement);
    }""")
    assert ahead > marks  # without the link, every mark comes first
    p.keyboard.press("Enter")
    p.keyboard.press("Tab")
    assert p.evaluate("document.activeElement.closest('details.row-names') !== null")
    page.clean()


def test_a_name_with_no_spaces_does_not_widen_the_page(browser: Any, tmp_path: Path) -> None:
    """A long unbroken name widens only its table's box, which scrolls, not the page."""
    made_up = write_made_up_folder(tmp_path / "made_up", n_sites=12, n_zones=10)
    programme = programme_for(made_up, names=["W" * 3000] * 12)
    path = write_programme_page(write_results(plan_with(made_up, programme), tmp_path / "r"))
    assert path is not None
    opened = open_page(browser, path, wait_for_map=False)
    try:
        assert opened.page.evaluate("document.body.textContent").count("W" * 3000) >= 1
        width = opened.page.evaluate("document.documentElement.scrollWidth")
        assert width <= opened.page.evaluate("window.innerWidth"), width
    finally:
        opened.page.close()


def test_on_a_phone_the_tables_scroll_in_their_boxes(page: Opened) -> None:
    """At 390 px the page is no wider than the screen: the Gantt chart and each table too
    wide for it scroll inside a box of their own, each named and reached by the keyboard,
    and axe finds nothing serious."""
    p = page.page
    p.set_viewport_size({"width": 390, "height": 844})
    assert p.evaluate("document.documentElement.scrollWidth") <= 390
    boxes = p.evaluate("""() => [...document.querySelectorAll('table')].map(t => {
      const b = t.parentElement;
      return [b.className, b.getAttribute('role'), b.tabIndex, b.getAttribute('aria-label'),
              b.scrollWidth > b.clientWidth]; })""")
    assert len(boxes) >= 3
    assert all(b[:3] == ["scroll", "region", 0] and b[3] for b in boxes), boxes
    assert any(b[4] for b in boxes)  # the programme's table is wider than a phone
    assert axe_violations(page) == []


def _sites_by_year(folder: Path, programme: Programme, k: int) -> tuple[int, int]:
    """Sites in use and sites closed by the end of year k, counted from the tables,
    not the payload."""
    sites = pd.read_csv(folder / "sites.csv", dtype=str, keep_default_na=False)
    actions = programme.actions
    closes = dict(zip(actions.loc[actions["action"] == "close", "site_id"],
                      actions.loc[actions["action"] == "close", "year"], strict=True))
    opens = dict(zip(actions.loc[actions["action"] == "open", "site_id"],
                     actions.loc[actions["action"] == "open", "year"], strict=True))
    in_use = closed = 0
    for site, decision in zip(sites["site_id"], sites["decision"], strict=True):
        if decision == "keep" or (decision == "close" and closes.get(site, 99) > k):
            in_use += 1
        elif decision == "close":
            closed += 1
        elif decision == "open" and opens.get(site, 99) <= k:
            in_use += 1
    return in_use, closed


def _slide(opened: Opened, k: int) -> None:
    opened.page.evaluate(
        "k => { const s = document.querySelector('.estate-timeline input');"
        " s.value = String(k); s.dispatchEvent(new Event('input', {bubbles: true})); }", k)


def test_the_slider_shows_sites_closed_by_each_year_as_closed(map_page: Opened,
                                                              dated: Path) -> None:
    programme = read_programme(dated)
    assert programme is not None
    slider = map_page.page.locator(".estate-timeline input[type=range]")
    assert slider.get_attribute("max") == "10" and slider.input_value() == "10"
    counts = []
    for k in range(0, 11):
        _slide(map_page, k)
        in_use, closed = _sites_by_year(dated, programme, k)
        counts.append(map_page.count(".estate-after:not(.estate-close)"))
        assert counts[-1] == in_use, k
        assert map_page.count(".estate-after.estate-close") == closed, k
        label = map_page.page.locator(".estate-timeline label").inner_text()
        assert label == ("Today (before 1 Apr 2027)" if k == 0
                         else f"End of year {k} (March {2027 + k})")
        assert slider.get_attribute("aria-valuetext") == label
    assert counts[0] > counts[-1]  # closings happen
    map_page.clean()


def test_a_closed_sites_popup_says_when_it_closes(map_page: Opened, dated: Path) -> None:
    programme = read_programme(dated)
    assert programme is not None
    close = programme.actions[programme.actions["action"] == "close"].iloc[-1]
    year = int(close["year"])
    text = map_page.page.evaluate("""id => {
      const map = window[document.querySelector('.folium-map').id];
      let text = null;
      map.eachLayer(layer => {
        if (text === null && layer.estateSite !== undefined && !layer.estateBefore) {
          layer.openPopup();
          const body = layer.getPopup().getElement().textContent;
          layer.closePopup();
          if (body.includes(id)) { text = body; }
        }
      });
      return text;
    }""", close["site_id"])
    assert text is not None and "DecisionClosed" in text
    assert f"Programmecloses in year {year} ({2026 + year}-{(27 + year) % 100:02d})" in text
    map_page.clean()


def test_the_summary_follows_the_slider(map_page: Opened, dated: Path) -> None:
    """The KPI panel's year figures are the payload's for the year chosen; the plan's
    own figures are labelled as those once every change is made."""
    plan = read_plan(dated)
    timeline = timeline_payload(plan)
    assert timeline is not None
    panel = map_page.page.locator("#estate-kpi")
    assert "THE PLAN'S OWN FIGURES" in panel.inner_text()  # a heading, in capitals
    seen = set()
    for k in (0, 3, 10):
        _slide(map_page, k)
        title = map_page.page.locator("#estate-kpi-year-title").inner_text()
        assert title.lower() == timeline["labels"][k].lower()
        terms = map_page.page.locator("#estate-kpi-year dt").all_inner_texts()
        values = map_page.page.locator("#estate-kpi-year dd").all_inner_texts()
        assert [[a, b] for a, b in zip(terms, values, strict=True)] == timeline["figures"][k]
        seen.add(tuple(values))
    assert len(seen) == 3
    map_page.clean()


KPI_LIVE = """() => [...document.querySelectorAll('#estate-kpi [aria-live], #estate-kpi [role=status]')]
  .map(n => ({id: n.id, shown: n.checkVisibility(), text: n.textContent}))"""


def test_the_year_figures_are_said_with_the_kpi_panel_folded(map_page: Opened,
                                                             dated: Path) -> None:
    """A screen reader hears the year's figures as the slider moves, through one live
    region. Folding the KPI panel hides its body, and a region hidden (display: none)
    says nothing, so the region is kept out of the body: with the panel folded it is in
    the page, not hidden, and says the year chosen and its figures."""
    timeline = timeline_payload(read_plan(dated))
    assert timeline is not None
    page = map_page.page
    page.get_by_role("button", name="Hide panel: Plan summary").click()
    assert not page.locator("#estate-kpi .estate-panel-body").is_visible()
    for k in (3, 0):
        _slide(map_page, k)
        regions = page.evaluate(KPI_LIVE)
        assert len(regions) == 1 and regions[0]["shown"], regions  # said once, and said
        said = regions[0]["text"]
        assert said.startswith(timeline["labels"][k]), said
        for term, value in timeline["figures"][k]:
            assert f"{term}: {value}" in said, said
    map_page.clean()


PANELS = """() => {
  const box = s => { const n = document.querySelector(s); if (!n) { return null; }
    const r = n.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  return {kpi: box('#estate-kpi'), legend: box('#estate-legend'),
          layers: box('.leaflet-control-layers'), slider: box('.estate-timeline'),
          scale: box('.leaflet-control-scale'),
          width: window.innerWidth, height: window.innerHeight};
}"""


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("size", [(1366, 900), (1280, 800), (390, 844)])
def test_no_panel_covers_another(browser: Any, dated: Path, size: tuple[int, int]) -> None:
    """The KPI panel, the legend (open or folded), the layer control, the year slider and
    the scale bar never overlap and stay on screen, on a laptop and on a phone (the
    slider, 280 px wide, lay over the scale bar at 390 px)."""
    path = render_map(dated, dated.parent / "layout.html")
    opened = open_page(browser, path)
    try:
        opened.page.set_viewport_size({"width": size[0], "height": size[1]})
        opened.page.wait_for_timeout(300)
        for legend_open in (False, True):
            opened.page.evaluate(f"document.querySelector('#estate-legend details').open = "
                                 f"{str(legend_open).lower()}")
            opened.page.wait_for_timeout(100)
            boxes = opened.page.evaluate(PANELS)
            names = ["kpi", "legend", "layers", "slider", "scale"]
            for i, a in enumerate(names):
                box = boxes[a]
                assert box[0] >= 0 and box[1] >= 0, (a, box)
                assert box[2] <= boxes["width"] and box[3] <= boxes["height"], (a, box, size)
                for b in names[i + 1:]:
                    assert not _overlap(box, boxes[b]), (a, b, boxes, legend_open)
        opened.clean()
    finally:
        opened.page.close()


def test_at_400_percent_zoom_no_panel_covers_another(browser: Any, dated: Path) -> None:
    """A laptop's window at 400% zoom is a map 320 x 200 CSS px: the year slider lay over
    the folded plan summary's Show panel button, and the scale bar over the legend's
    button (a review). There the scale and the zoom buttons are left off (the + key still
    zooms), the slider is its label and range alone, and the folded panels, the layer
    button and the slider do not overlap and stay in the window."""
    path = render_map(dated, dated.parent / "zoomed.html")
    opened = open_page(browser, path, size=(320, 200))
    try:
        page = opened.page
        boxes = page.evaluate(PANELS)
        assert boxes["scale"] == [0, 0, 0, 0] and page.locator(
            ".leaflet-control-zoom").is_hidden()
        names = ["kpi", "legend", "layers", "slider"]
        for i, a in enumerate(names):
            box = boxes[a]
            assert box[2] > box[0] and box[3] > box[1], (a, box)
            assert box[0] >= 0 and box[1] >= 0, (a, box)
            assert box[2] <= boxes["width"] and box[3] <= boxes["height"], (a, box)
            for b in names[i + 1:]:
                assert not _overlap(box, boxes[b]), (a, b, boxes)
        assert page.locator(".estate-timeline h3").is_hidden()
        # a panel below the column's room is scrolled to, not covered: the legend's
        # button, focused, is what the browser finds at its middle
        page.focus("#estate-legend summary")
        assert page.evaluate("""() => { const s = document.querySelector('#estate-legend summary');
          const r = s.getBoundingClientRect();
          return s.contains(document.elementFromPoint((r.left + r.right) / 2,
                                                      (r.top + r.bottom) / 2)); }""")
        zoom = page.evaluate(f"{PLAN_MAP}.getZoom()")
        page.focus(".folium-map")
        page.keyboard.press("+")
        page.wait_for_timeout(400)
        assert page.evaluate(f"{PLAN_MAP}.getZoom()") > zoom
        opened.clean()
    finally:
        opened.page.close()


def test_moves_appear_in_their_year(map_page: Opened) -> None:
    _slide(map_page, 0)
    assert map_page.count("path.estate-move") == 0
    _slide(map_page, 10)
    assert map_page.count("path.estate-move") > 0
    map_page.clean()


def test_the_slider_is_labelled_and_moves_with_the_keyboard(map_page: Opened) -> None:
    slider = map_page.page.locator(".estate-timeline input[type=range]")
    label_for = map_page.page.locator(".estate-timeline label").get_attribute("for")
    assert label_for == slider.get_attribute("id")
    before = map_page.count(".estate-after")
    slider.focus()
    map_page.page.keyboard.press("Home")
    assert slider.input_value() == "0"
    assert map_page.page.locator(".estate-timeline label").inner_text().startswith(
        "Today (before ")
    assert map_page.count(".estate-after") != before
    map_page.page.keyboard.press("ArrowRight")
    assert slider.input_value() == "1"
    map_page.clean()


def test_a_map_without_programme_has_no_slider(browser: Any, tmp_path: Path) -> None:
    folder = write_made_up_folder(tmp_path / "plain", n_sites=12, n_zones=20)
    opened = open_page(browser, render_map(folder, tmp_path / "plain.html"))
    assert opened.count(".estate-timeline") == 0
    sites = pd.read_csv(folder / "sites.csv", dtype=str, keep_default_na=False)
    assert opened.count(".estate-after") == int((sites["decision"] != "not_built").sum())
    opened.clean()
    opened.page.close()


def test_printed_every_table_column_is_on_the_sheet(page: Opened) -> None:
    """programme.html printed on A4 (Chromium's page.pdf): each table's every heading and
    its last column's every cell are on the sheets. On screen a wide table scrolls in its
    box; on paper that box clipped the columns past the sheet's edge (the programme's
    team, FTE, one-off and annual effect; the cash flows' discounted columns)."""
    tables = table_edges(page.page)
    assert len(tables) >= 4
    assert lost_in_print(page.page, tables) == []
