"""The map's panels and place names in a real browser: the KPI panel and the layer list
fold away by their own buttons, and no panel lets the map show through; the place names
thin out with zoom, stand clear of the sites and stay text.

Headless Chromium, as in test_maps_browser.py, on the same made-up plan (the `plan` and
`opened` fixtures of conftest.py), every request off the machine refused.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from tests.fixtures import PAYLOADS
from tests.fixtures.browser import MOTION, PLAN_MAP, Opened, Plan, axe_violations, reduced_motion

pytestmark = pytest.mark.browser


MAP = PLAN_MAP
SHOWN_PLACES = ("[...document.querySelectorAll('.leaflet-pane .estate-place')]"
                ".filter(n => n.style.display !== 'none').map(n => n.textContent)")

def test_place_names_thin_out_as_the_map_zooms_out(opened: Opened, plan: Plan) -> None:
    zones = plan[2]
    biggest = zones.loc[zones["population"].astype(float).idxmax(), "name"]
    shown = opened.page.evaluate(SHOWN_PLACES)
    assert biggest in shown and 3 <= len(shown) < len(zones)
    zoom = opened.page.evaluate(f"{MAP}.getZoom()")
    counts = []
    for z in (zoom - 2, zoom + 2):
        opened.page.evaluate(f"{MAP}.setZoom({z}, {{animate: false}})")
        opened.page.wait_for_timeout(100)
        counts.append(len(opened.page.evaluate(SHOWN_PLACES)))
    assert 1 <= counts[0] < len(shown) < counts[1]
    opened.clean()


NAMES_ON_SITES = """() => {
  // each place name shown: [its text, one of the largest, how many site symbols it touches]
  const box = n => n.getBoundingClientRect();
  const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const sites = [...document.querySelectorAll('.leaflet-marker-pane > *')]
    .map(n => box(n.firstElementChild || n)).filter(r => r.width > 0);
  return [...document.querySelectorAll('.leaflet-pane .estate-place')]
    .filter(n => n.style.display !== 'none')
    .map(n => [n.textContent, n.classList.contains('estate-place-major'),
               sites.filter(s => hit(box(n), s)).length]);
}"""


def test_place_names_stand_clear_of_the_sites(opened: Opened) -> None:
    """No place name shown covers a site's symbol, or lies under one, at any zoom, or
    once sites are switched off and on: a name moves round its place, or is left out;
    only the few largest places may sit over sites, and the names are drawn above the
    sites, so those stay readable."""
    page = opened.page
    panes = page.evaluate(f"['estatePlaces', 'markerPane', 'tooltipPane']"
                          f".map(p => Number(getComputedStyle({MAP}.getPane(p)).zIndex))")
    assert panes[1] < panes[0] < panes[2], panes
    zoom = page.evaluate(f"{MAP}.getZoom()")
    seen = []
    for step in (0, -1, 1, 2):
        page.evaluate(f"{MAP}.setZoom({zoom + step}, {{animate: false}})")
        page.wait_for_timeout(150)
        names = page.evaluate(NAMES_ON_SITES)
        assert names, step
        assert [n for n in names if n[2] and not n[1]] == [], (step, names)
        seen.append(len(names))
    opened.toggle("Sites after")
    page.wait_for_timeout(150)
    bare = page.evaluate(NAMES_ON_SITES)
    assert len(bare) >= seen[-1]  # no site to avoid: as many names or more
    opened.toggle("Sites after")
    page.wait_for_timeout(150)
    assert [n for n in page.evaluate(NAMES_ON_SITES) if n[2] and not n[1]] == []
    opened.clean()


COUNT_PLACINGS = """() => {
  // window.placings counts the place names' placings from now on (every placing after
  // the first goes through the layer's place method)
  let names = null;
  window[document.querySelector('.folium-map').id].eachLayer(l => { if (l.places && l.nodes) { names = l; } });
  const place = names.place;
  window.placings = 0;
  names.place = function () { window.placings++; return place.apply(this, arguments); };
}"""
SITES_ON_TOP = """(n) => {
  // the middles of up to n site symbols on screen with nothing over them, apart
  const out = [];
  for (const m of document.querySelectorAll('.leaflet-marker-pane > *')) {
    const r = m.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
    const top = r.width && document.elementFromPoint(x, y);
    if (top && m.contains(top) && !out.some(p => Math.hypot(p[0] - x, p[1] - y) < 30)) { out.push([x, y]); }
  }
  return out.slice(0, n);
}"""
FRAMES = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r())))"


def test_a_tooltip_or_popup_does_not_place_the_names_again(opened: Opened) -> None:
    """Leaflet adds and removes a tooltip or popup as a layer; it draws no site, so
    hovering sites (their tooltips open and close) and opening a popup leave the place
    names where they are, rather than placing hundreds of names again on every hover.
    Sites switched off do place them again."""
    page = opened.page
    page.evaluate(COUNT_PLACINGS)
    sites = page.evaluate(SITES_ON_TOP, 12)
    assert len(sites) >= 6, sites
    tooltips = 0
    for x, y in sites:
        page.mouse.move(x, y)
        page.evaluate(FRAMES)
        tooltips += page.evaluate("document.querySelectorAll('.leaflet-tooltip').length > 0")
    page.mouse.click(*sites[0])
    page.wait_for_selector(".leaflet-popup")
    page.keyboard.press("Escape")
    page.wait_for_selector(".leaflet-popup", state="detached")
    page.mouse.move(5, 450)
    page.evaluate(FRAMES)
    assert tooltips >= len(sites) - 1, tooltips
    assert page.evaluate("window.placings") == 0
    opened.toggle("Sites after")
    page.evaluate(FRAMES)
    assert page.evaluate("window.placings") == 1  # hundreds of sites gone: placed once
    opened.clean()


def test_escape_puts_a_shown_tooltip_away(opened: Opened) -> None:
    """A site's tooltip shown by the pointer, or by the focus, covers the sites beside it
    and stayed after Escape (WCAG 1.4.13, a review): Escape puts it away, wherever the
    focus is, and the pointer coming back shows it again."""
    page = opened.page
    x, y = page.evaluate(SITES_ON_TOP, 1)[0]
    page.mouse.move(x, y)
    page.wait_for_selector(".leaflet-tooltip")
    page.keyboard.press("Escape")
    page.wait_for_selector(".leaflet-tooltip", state="detached")
    page.mouse.move(5, 450)
    page.mouse.move(x, y)
    page.wait_for_selector(".leaflet-tooltip")
    page.mouse.move(5, 450)
    page.wait_for_selector(".leaflet-tooltip", state="detached")
    page.locator(".leaflet-marker-pane > [tabindex='0']").first.focus()
    page.wait_for_selector(".leaflet-tooltip")
    page.keyboard.press("Escape")
    page.wait_for_selector(".leaflet-tooltip", state="detached")
    assert opened.errors == []
    opened.clean()


def test_the_pointer_can_rest_on_a_tooltip(opened: Opened) -> None:
    """A tooltip closed the moment the pointer left its site, so a reader zoomed in could
    not move onto it to read it (WCAG 1.4.13 hoverable, a review): it stays while the
    pointer crosses to it and rests there, goes once the pointer leaves both, and a
    click on it opens its site's popup. Escape still puts it away with the pointer on
    it, and the pointer leaving then does not bring it back."""
    page = opened.page
    x, y = page.evaluate(SITES_ON_TOP, 1)[0]
    page.mouse.move(x, y)
    page.wait_for_selector(".leaflet-tooltip")
    named = page.locator(".leaflet-tooltip").text_content()
    box = page.locator(".leaflet-tooltip").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=4)
    page.wait_for_timeout(700)  # over twice the grace
    assert page.locator(".leaflet-tooltip").count() == 1
    page.mouse.move(5, 450, steps=2)
    page.wait_for_selector(".leaflet-tooltip", state="detached")
    # again, and a click on the tooltip opens the site's popup
    page.mouse.move(x, y)
    page.wait_for_selector(".leaflet-tooltip")
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=4)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector(".leaflet-popup-content h4")
    heading = page.locator(".leaflet-popup-content h4").first.text_content() or ""
    assert heading and heading.strip() in (named or ""), (heading, named)
    page.keyboard.press("Escape")
    page.wait_for_selector(".leaflet-popup", state="detached")
    page.mouse.move(5, 450)
    x, y = page.evaluate(SITES_ON_TOP, 1)[0]  # (the popup panned the map into view)
    page.mouse.move(x, y)
    page.wait_for_selector(".leaflet-tooltip")
    box = page.locator(".leaflet-tooltip").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=4)
    page.keyboard.press("Escape")
    page.wait_for_selector(".leaflet-tooltip", state="detached")
    page.mouse.move(5, 450, steps=2)
    page.wait_for_timeout(500)
    assert page.locator(".leaflet-tooltip").count() == 0
    assert opened.errors == []
    opened.clean()


PRINTED = """() => Object.fromEntries(['.leaflet-control-zoom', '.leaflet-control-layers',
  '.estate-panel-toggle', '.estate-skip', '#estate-legend', '#estate-kpi'].map(
  s => [s, [...document.querySelectorAll(s)].some(e => getComputedStyle(e).display !== 'none')]))"""


def test_a_printed_map_leaves_off_what_works_only_on_a_screen(opened: Opened) -> None:
    """Printed from the browser, the zoom buttons, the layer list (22 rows over the map)
    and the panels' Hide buttons came out on the sheet (a review): left off in print,
    the legend and the plan's summary kept."""
    page = opened.page
    assert all(page.evaluate(PRINTED).values())
    page.emulate_media(media="print")
    assert page.evaluate(PRINTED) == {
        ".leaflet-control-zoom": False, ".leaflet-control-layers": False,
        ".estate-panel-toggle": False, ".estate-skip": False, "#estate-legend": True,
        "#estate-kpi": True}
    page.emulate_media(media="screen")
    opened.clean()


SCALE_WORDS = """() => {
  // at every zoom of the map, each scale bar's words against the bar: the widest the
  // words reach beyond it, in px, and each distance shown
  const map = MAP, over = [], shown = new Set();
  for (let z = 3; z <= 18; z += 0.25) {
    map.setZoom(z, {animate: false});
    map.fire('move');  // Leaflet redraws its scale on moveend
    map.fire('moveend');
    document.querySelectorAll('.leaflet-control-scale-line').forEach(line => {
      over.push(line.scrollWidth - line.clientWidth); shown.add(line.textContent);
    });
  }
  return {over: Math.max(...over), shown: [...shown]};
}""".replace("MAP", MAP)


def test_the_scale_bar_holds_its_words_at_every_zoom(opened: Opened) -> None:
    """A scale bar rounded down to half its longest ("10 km" on a 53 px bar) had its
    words run past its end (a review at 100% zoom): at every zoom of the map the bar in
    km and the bar in miles each hold their words, from "500 ft" to "1000 km"."""
    found = opened.page.evaluate(SCALE_WORDS)
    assert found["over"] <= 0, found
    assert {"3000 ft", "10 km", "10 mi"} <= set(found["shown"]), found
    opened.clean()


def test_a_reader_who_asks_for_less_motion_gets_a_map_that_does_not_move_itself(
        opened: Opened) -> None:
    """prefers-reduced-motion: the map zooms, fades and pans at once, with no animation
    (WCAG 2.3.3); without it, Leaflet's animations are kept."""
    page = opened.page
    moving = page.evaluate(MOTION)
    assert moving["zoom"] and moving["fade"] and moving["inertia"], moving
    assert not moving["panAtOnce"], moving
    still = reduced_motion(page)
    assert still == {"zoom": False, "fade": False, "inertia": False, "panAtOnce": True,
                     "clusters": []}, still  # (a clustered map's: test_maps_browser.py)
    page.emulate_media(reduced_motion="no-preference")
    opened.clean()


LONG_TOOLTIP = """n => {
  const map = MAP, marker = Object.values(map._layers).find(l => l.getTooltip && l.getTooltip()
                                                             && l.getLatLng);
  marker.unbindTooltip().bindTooltip('Trust administration offices '.repeat(n)).openTooltip();
  const r = document.querySelector('.leaflet-tooltip').getBoundingClientRect();
  return {left: r.left, right: r.right, width: r.width, height: r.height,
          page: document.documentElement.clientWidth};
}""".replace("MAP", MAP)


@pytest.mark.parametrize("repeats", [4, 170])
def test_a_long_name_s_tooltip_wraps_within_the_map(opened: Opened, repeats: int) -> None:
    """A 114-character name ran 105 px off the screen in one line, and a 5,000-character
    one began 56,000 px left of it: a tooltip wraps at 300 px and shows a few lines."""
    box = opened.page.evaluate(LONG_TOOLTIP, repeats)
    assert box["width"] <= 300 + 16 and box["height"] <= 140, box  # (padding, border)
    assert 0 <= box["left"] and box["right"] <= box["page"], box
    opened.clean()


def test_hostile_zone_names_are_place_labels_as_text(opened: Opened, plan: Plan) -> None:
    texts = opened.page.evaluate(
        "[...document.querySelectorAll('.leaflet-pane .estate-place')].map(n => n.textContent)")
    hostile = [n for n in plan[2]["name"] if n in PAYLOADS and "<" in n]  # markup if parsed
    assert PAYLOADS[1] in hostile and len(hostile) >= 4
    for name in hostile:
        assert " ".join(name.split()) in texts, name
    opened.page.evaluate(f"{MAP}.setZoom({MAP}.getZoom() + 3, {{animate: false}})")
    assert opened.count(".estate-place img, .estate-place script, .estate-place svg") == 0
    assert opened.count("img[src=x]") == 0
    opened.clean()


FOLD_STATE = """() => {
  const panel = s => { const n = document.querySelector(s), b = n.querySelector('.estate-panel-toggle');
    return {expanded: b.getAttribute('aria-expanded'), label: b.textContent, name: b.getAttribute('aria-label'),
            height: n.getBoundingClientRect().height, body: n.querySelector('.estate-panel-body').checkVisibility()}; };
  // how far the middle of the sites drawn is from the middle of the map, across
  const xs = [...document.querySelectorAll('.leaflet-marker-pane > *')].map(m => {
    const r = m.getBoundingClientRect(); return r.left + r.width / 2; });
  const off = (Math.min(...xs) + Math.max(...xs)) / 2 - window.innerWidth / 2;
  return {kpi: panel('#estate-kpi'), layers: panel('.leaflet-control-layers'), off: Math.abs(off),
          zoom: window[document.querySelector('.folium-map').id].getZoom(),
          heading: document.querySelector('#estate-kpi h2').checkVisibility()};
}"""


def test_the_kpi_panel_and_the_layer_list_fold_by_their_own_buttons(opened: Opened) -> None:
    """The KPI panel and the layer list each fold away by a real button (mouse, then
    keyboard) to their heading, the plan is fitted again into the room they leave, and
    they come back; axe finds nothing serious either way."""
    page = opened.page
    page.set_viewport_size({"width": 1366, "height": 900})
    page.wait_for_timeout(200)
    shown = page.evaluate(FOLD_STATE)
    for key, name in (("kpi", "Plan summary"), ("layers", "Map layers")):
        assert shown[key]["expanded"] == "true" and shown[key]["body"], shown
        assert shown[key]["label"] == "Hide panel" and shown[key]["name"] == f"Hide panel: {name}"
    page.evaluate("document.querySelector('#estate-legend details').open = false")
    page.wait_for_timeout(100)
    page.get_by_role("button", name="Hide panel: Plan summary").click()
    page.get_by_role("button", name="Hide panel: Map layers").focus()
    page.keyboard.press("Enter")
    page.wait_for_timeout(200)
    folded = page.evaluate(FOLD_STATE)
    # the plan fitted again: as large or larger, and in the middle of the map
    assert folded["zoom"] >= shown["zoom"] and folded["off"] < shown["off"] - 20, (shown, folded)
    for key in ("kpi", "layers"):
        assert folded[key]["expanded"] == "false" and folded[key]["label"] == "Show panel", folded
        assert not folded[key]["body"] and folded[key]["height"] < 60, folded
    assert folded["heading"]  # the scenario's name stays in sight
    assert opened.count(".leaflet-control-layers input:checked") > 0  # hidden, not switched off
    assert axe_violations(opened) == []
    page.get_by_role("button", name="Show panel: Plan summary").click()  # fitted again
    page.get_by_role("button", name="Show panel: Map layers").click()
    page.wait_for_timeout(200)
    again = page.evaluate(FOLD_STATE)
    assert again["kpi"]["expanded"] == again["layers"]["expanded"] == "true", again
    assert again["kpi"]["body"] and again["layers"]["body"], again
    assert again["kpi"]["height"] == pytest.approx(shown["kpi"]["height"], abs=2), again
    opened.clean()


PANELS = """() => [...document.querySelectorAll('.estate-panel, .leaflet-control-layers')]
  .filter(c => c.offsetWidth).map(c => {
    // each panel: its name, the alpha of its background, its box within its rounded corners
    const r = c.getBoundingClientRect(), s = getComputedStyle(c), m = s.backgroundColor.match(/[\\d.]+/g);
    const inset = parseFloat(s.borderTopLeftRadius) + 2;
    return {name: c.id || c.getAttribute('aria-label') || c.className, alpha: m.length > 3 ? Number(m[3]) : 1,
            clip: {x: r.left + inset, y: r.top + inset, width: r.width - 2 * inset, height: r.height - 2 * inset}};
  })"""
NAMES_UNDER_PANELS = """() => {
  const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const panels = [...document.querySelectorAll('.estate-panel, .leaflet-control-layers')]
    .filter(c => c.offsetWidth).map(c => c.getBoundingClientRect());
  return [...document.querySelectorAll('.leaflet-pane .estate-place')]
    .filter(n => n.style.display !== 'none' && panels.some(p => hit(n.getBoundingClientRect(), p)))
    .map(n => n.textContent);
}"""


UNDER = """(colour) => {
  // the map drawn in one colour alone: its panes hidden, its own background that colour
  const map = document.querySelector('.folium-map');
  map.querySelector('.leaflet-map-pane').style.visibility = colour ? 'hidden' : '';
  map.style.background = colour || '';
}"""


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)


@pytest.mark.parametrize("size", [(390, 844), (1280, 800)])
def test_a_panel_hides_the_map_under_it(opened: Opened, size: tuple[int, int]) -> None:
    """Place names are drawn above the sites, and the map runs on under the panels: each
    panel (the KPI panel, the legend, the layer list) has an opaque background, so its
    pixels are the same over a black map and over a white one; no name, site or line
    shows through its text. axe finds nothing serious."""
    page = opened.page
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.wait_for_timeout(200)
    assert page.evaluate(NAMES_UNDER_PANELS), "no place name under a panel: nothing to test"
    panels = page.evaluate(PANELS)
    assert len(panels) >= 3, panels
    assert [p["name"] for p in panels if p["alpha"] != 1] == [], panels
    for panel in panels:
        seen = []
        for colour in ("#000", "#fff"):
            page.evaluate(UNDER, colour)
            seen.append(_pixels(page.screenshot(clip=panel["clip"])))
        page.evaluate(UNDER, None)
        # a background 95% opaque lets black through as a step of 13 in each channel
        through = int((np.abs(seen[0] - seen[1]).max(axis=2) > 1).sum())
        assert through == 0, (panel["name"], through)
    assert axe_violations(opened) == []
    opened.clean()


FOLDED_LEGEND = """() => {
  // the legend's box within its padding, and its heading's button (<summary>), in px
  const legend = document.querySelector('#estate-legend'), s = getComputedStyle(legend);
  return {open: legend.querySelector('details').open,
          inside: legend.clientHeight - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom),
          button: legend.querySelector('summary').getBoundingClientRect().height};
}"""


@pytest.mark.parametrize("size", [(1366, 900), (1280, 800), (390, 844)])
def test_a_folded_legend_is_its_button_alone(opened: Opened, size: tuple[int, int]) -> None:
    """Folded, the legend's box holds its heading's button and no empty room below it;
    open again, it holds its rows. axe finds nothing serious folded."""
    page = opened.page
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.evaluate("document.querySelector('#estate-legend details').open = false")
    page.wait_for_timeout(150)
    folded = page.evaluate(FOLDED_LEGEND)
    assert not folded["open"] and folded["button"] >= 16, folded
    assert folded["inside"] == pytest.approx(folded["button"], abs=2), folded
    assert axe_violations(opened) == []
    page.evaluate("document.querySelector('#estate-legend details').open = true")
    page.wait_for_timeout(150)
    shown = page.evaluate(FOLDED_LEGEND)
    assert shown["inside"] > folded["inside"] + 20, (folded, shown)
    opened.clean()


HEADINGS = """() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
  .map(h => Number(h.tagName[1]))"""


def test_headings_start_with_the_page_s_h1_and_go_down_a_level_at_a_time(
        opened: Opened) -> None:
    """A screen reader lists the map's headings in the page's order: the page's one h1
    (only heard) first, then the panels' h2s and h3s, never a level skipped going down
    (an h1 after the panels' h2s read as a second, unrelated page title)."""
    levels = opened.page.evaluate(HEADINGS)
    assert levels[0] == 1 and levels.count(1) == 1, levels
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    title = opened.page.locator("h1")
    assert title.inner_text().startswith("Estate plan map: ")
    opened.clean()
