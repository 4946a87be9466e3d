"""The map on a phone: opened at 390 x 844 (a map lays itself out and fits its plan for
the window it opens in), with sites a few metres apart, it passes axe-core's WCAG 2.2 AA
rules (target size among them) at its first view, zoomed in and panned, no site starts
under a panel, every site is reached by keyboard, a site panned under a panel is out
of the tab order until it is clear, and a popup stays open and clear of a panel shown
over it, cut to the room between the panels (its content scrolling) when it is longer.
Held sideways (844 x 390) its panels start folded too, no site starts under a panel and
the popups near the top open clear of the panels.

Headless Chromium, as in test_maps_browser.py (the `browser` fixture of conftest.py),
every request off the machine refused. The plan is made up in code
(`write_results`), then groups of its sites are moved to within metres of each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from estate.maps.page import render_map
from estate.store.check import RESULT_TABLES, read_table
from estate.store.csv_cells import write_safe_csv
from tests.fixtures import write_results
from tests.fixtures.browser import PLAN_MAP, Opened, axe_violations, open_page

pytestmark = pytest.mark.browser

PHONE = (390, 844)
GROUPS = (3, 2, 4, 2)
"""Sizes of the groups of sites put at one spot, each site of a group 3 m from the last."""
METRES = 0.000027  # 3 m of latitude, in degrees


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A made-up plan's map whose sites are in groups of two to four a few metres apart,
    and the names of the sites it draws."""
    folder = write_results(tmp_path_factory.mktemp("crowded"), n_sites=60, n_zones=80,
                           payloads=False)
    sites = read_table(folder / "sites.csv", RESULT_TABLES["sites"])
    drawn = sites.index[sites["decision"] != "not_built"].tolist()
    start = 0
    for size in GROUPS:
        group = drawn[start:start + size]
        start += size
        lat, lon = sites.at[group[0], "lat"], sites.at[group[0], "lon"]
        for k, row in enumerate(group):
            sites.at[row, "lat"], sites.at[row, "lon"] = round(lat + k * METRES, 6), lon
    write_safe_csv(sites, folder / "sites.csv")
    names = sites.loc[drawn, "name"].tolist()
    return render_map(folder, folder.parent / "crowded.html"), names


@pytest.fixture
def phone(browser: Any, crowded: tuple[Path, list[str]]) -> Iterator[Opened]:
    opened = open_page(browser, crowded[0], size=PHONE)
    yield opened
    opened.page.close()


# the site markers a pointer or a keyboard can use (a site stacked on another is not
# one: it is listed in the popup of the site it is stacked on)
TARGETS = "document.querySelectorAll('.estate-site[role=button]').length"
STACKED = "document.querySelectorAll('.estate-site[aria-hidden=true]').length"

UNDER_PANELS = """() => {
  // the site markers whose 24 x 24 px target lies partly or wholly under a panel
  const box = n => n.getBoundingClientRect();
  const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const panels = [...document.querySelectorAll('.leaflet-control')]
    .filter(c => c.offsetWidth && !/leaflet-control-(attribution|scale)/.test(c.className)).map(box);
  return [...document.querySelectorAll('.estate-site')].filter(m => panels.some(p => hit(box(m), p)))
    .map(m => m.getAttribute('aria-label') || 'stacked');
}"""


MAP = PLAN_MAP
PANS = ((0, 260), (160, 0), (-320, -140))
"""Pans (px) after the zooms: sites go under the panels at one side, then the other."""


@pytest.mark.parametrize("size", [PHONE, (1366, 900)])
def test_the_map_passes_axe_at_first_zoomed_in_and_panned(
        browser: Any, crowded: tuple[Path, list[str]], size: tuple[int, int]) -> None:
    """axe-core (WCAG 2.2 AA, target-size included) finds nothing serious on the map as
    a phone (or a laptop) opens it, with sites stacked at their spots, nor after each of
    two presses of the zoom-in button, nor after each of three pans that leave sites
    partly under the panels."""
    opened = open_page(browser, crowded[0], size=size)
    page = opened.page
    assert page.evaluate(STACKED) >= sum(GROUPS) - len(GROUPS), "sites a few metres apart stack"
    assert axe_violations(opened) == []
    for _ in range(2):
        page.get_by_role("button", name="Zoom in").click()
        page.wait_for_timeout(400)  # the zoom's animation
        assert axe_violations(opened) == [], page.evaluate(f"{MAP}.getZoom()")
    under = 0
    for dx, dy in PANS:
        page.evaluate(f"{MAP}.panBy([{dx}, {dy}], {{animate: false}})")
        page.wait_for_timeout(100)
        assert axe_violations(opened) == [], (dx, dy)
        under += len(page.evaluate(UNDER_PANELS))
    assert under, "no site under a panel: nothing was tried"
    opened.clean()
    opened.page.close()


def test_no_site_starts_under_a_panel_on_a_phone(phone: Opened) -> None:
    """The plan is fitted into the room the panels leave: on a phone the KPI panel starts
    folded to its heading and Show panel button (as the legend and layer list do), and
    no site's target lies under any panel, so no site is hidden or half covered."""
    page = phone.page
    button = page.locator("#estate-kpi button.estate-panel-toggle")
    assert button.get_attribute("aria-expanded") == "false" and button.inner_text() == "Show panel"
    assert page.evaluate(TARGETS) > 20
    assert page.evaluate(UNDER_PANELS) == []
    button.click()  # shown, it holds the figures as on a wide screen
    assert page.get_by_role("region", name="Plan summary").inner_text().count("Annual saving") == 1
    phone.clean()


def test_every_site_is_reached_by_keyboard_on_a_phone(phone: Opened,
                                                      crowded: tuple[Path, list[str]]) -> None:
    """Tab reaches a marker for every spot; Enter opens its popup, which names its site
    and every site stacked on it (at a phone's zoom one spot holds more than the six
    whose details a popup shows; the rest are listed). Together they name every site
    drawn, once each."""
    page = phone.page
    named: list[str] = []
    labels: list[str] = []
    listed = 0
    for _ in range(200):
        page.keyboard.press("Tab")
        label = page.evaluate("""() => { const e = document.activeElement;
            return e.classList.contains('estate-site') ? e.getAttribute('aria-label') : null; }""")
        if label is None:
            if labels:
                break  # past the last marker
            continue
        labels.append(label)
        page.keyboard.press("Enter")
        page.wait_for_selector(".leaflet-popup-content h4")
        named += page.locator(".leaflet-popup-content h4").all_text_contents()
        # past the first six stacked there, the rest by name and decision
        rest = page.locator(".leaflet-popup-content .estate-stack-more li").all_text_contents()
        listed += len(rest)
        named += [t.split(" \u2014 ")[0] for t in rest]
        assert page.evaluate("!!document.activeElement.closest('.leaflet-popup')")
        page.keyboard.press("Escape")
        page.wait_for_selector(".leaflet-popup", state="detached")
        assert page.evaluate("document.activeElement.getAttribute('aria-label')") == label
    assert len(labels) == page.evaluate(TARGETS)
    assert sum("more site" in t for t in labels) >= len(GROUPS), labels
    assert listed > 0, "no spot holds more than six: the list is not tried"
    assert sorted(named) == sorted(crowded[1])
    phone.clean()


MOVE_TO = """([label, to]) => {
  // pan the map so that the marker named `label` has its centre at `to` (px in the
  // window), or under the middle of the KPI panel; returns where it was
  const centre = r => [(r.left + r.right) / 2, (r.top + r.bottom) / 2];
  const at = centre(document.querySelector(`.estate-site[aria-label="${label}"]`).getBoundingClientRect());
  to = to || centre(document.querySelector('#estate-kpi').getBoundingClientRect());
  window[document.querySelector('.folium-map').id].panBy([at[0] - to[0], at[1] - to[1]], {animate: false});
  return at;
}"""


def _tab_stops(page: Any, n: int) -> list[str]:
    """The names of what the first `n` presses of Tab reach from the map itself (its
    markers come first, the panels' controls after them). Leaflet pans a marker Tab
    reaches into view, so the map may have moved."""
    page.focus(".folium-map")
    names = []
    for _ in range(n):
        page.keyboard.press("Tab")
        names.append(page.evaluate("document.activeElement.getAttribute('aria-label') || ''"))
    _settled(page)  # the last pan's animation
    return names


def _settled(page: Any) -> None:
    """Wait until the map has stopped moving: its centre the same twice, 150 ms apart
    (a pan Tab started may run on past a fixed wait on a busy machine, and a marker
    measured during it is not where it will stop)."""
    centre = f"(() => {{ const c = {MAP}.getCenter(); return [c.lat, c.lng]; }})()"
    last = None
    for _ in range(40):
        page.wait_for_timeout(150)
        now = page.evaluate(centre)
        if now == last:
            return
        last = now
    raise AssertionError("the map kept moving for 6 s")


def test_a_site_under_a_panel_is_out_of_the_tab_order_until_clear(phone: Opened) -> None:
    """A site panned under a panel is a named button still (a screen reader finds it)
    but no tab stop, since its marker is hidden there; panned clear, Tab reaches it
    again and Enter opens its popup. The moves' lines are switched off first: a line
    focused partly under a panel pans the map clear (test_map_tab_order_browser.py),
    which would bring the site out from under the panel part way through the Tabs."""
    page = phone.page
    page.evaluate("""() => [...document.querySelectorAll('.leaflet-control-layers-overlays label')]
      .find(l => l.textContent.trim().startsWith('Moves (')).querySelector('input').click()""")
    page.wait_for_timeout(100)
    assert phone.count("path.estate-move") == 0
    label = page.locator(".estate-site[role=button]").first.get_attribute("aria-label")
    stops = page.evaluate(TARGETS) + 12  # every marker, the panels' controls and more
    assert label in _tab_stops(page, stops)
    page.focus(".folium-map")
    clear = page.evaluate(MOVE_TO, [label, None])
    page.wait_for_timeout(100)
    marker = page.locator(f'.estate-site[aria-label="{label}"]')
    assert label in page.evaluate(UNDER_PANELS)
    assert marker.get_attribute("role") == "button" and marker.get_attribute("tabindex") == "-1"
    assert label not in _tab_stops(page, stops)
    page.evaluate(MOVE_TO, [label, clear])
    page.wait_for_timeout(100)
    assert label not in page.evaluate(UNDER_PANELS) and marker.get_attribute("tabindex") == "0"
    names = _tab_stops(page, stops)
    assert label in names
    page.evaluate(MOVE_TO, [label, clear])
    page.focus(".folium-map")
    for _ in range(names.index(label) + 1):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == label
    page.keyboard.press("Enter")
    page.wait_for_selector(".leaflet-popup-content h4")
    assert label.startswith(
        f"\u2068{page.locator('.leaflet-popup-content h4').first.inner_text()}\u2069")
    phone.clean()


OPEN_TOP_POPUP = """(nth) => {
  // the nth site marker from the top of the map: its popup opens above it, towards the
  // folded KPI panel and the legend's heading
  const ms = [...document.querySelectorAll('.estate-site[role=button]')]
    .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top);
  ms[nth].dispatchEvent(new MouseEvent('click', {bubbles: true}));
  return ms[nth].getAttribute('aria-label');
}"""

POPUP_UNDER = """() => {
  // the popup's box and the panels it lies partly under
  const box = n => n.getBoundingClientRect();
  const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const popup = document.querySelector('.leaflet-popup-content-wrapper');
  if (!popup) { return null; }
  const p = box(popup);
  return {inside: p.top >= 0 && p.left >= 0 && p.bottom <= innerHeight && p.right <= innerWidth,
          under: [...document.querySelectorAll('.leaflet-control')]
            .filter(c => c.offsetWidth && !/leaflet-control-(attribution|scale)/.test(c.className))
            .filter(c => hit(p, box(c))).map(c => c.id || c.className)};
}"""


@pytest.mark.parametrize("nth", [0, 1, 2])
def test_a_popup_near_the_top_pans_clear_of_the_panels_on_a_phone(phone: Opened,
                                                                   nth: int) -> None:
    """On a phone the panels leave no room beside a popup, so a site's popup near the
    top pans the map until it lies below the folded KPI panel and the legend's heading
    (and above the panels at the bottom): all of it inside the window, none under a
    panel."""
    page = phone.page
    assert page.evaluate(OPEN_TOP_POPUP, nth)
    page.wait_for_selector(".leaflet-popup-content h4")
    page.wait_for_timeout(700)  # the pan
    seen = page.evaluate(POPUP_UNDER)
    assert seen == {"inside": True, "under": []}, seen
    phone.clean()


OPEN_POPUP = """(longest) => {
  // open the popup of the site marker nearest the middle of the map, or of the one with
  // the most sites stacked on it (the longest popup); returns its heading's text
  const ms = [...document.querySelectorAll('.estate-site[role=button]')].filter(m => m.tabIndex === 0);
  const stacked = m => Number((m.getAttribute('aria-label').match(/(\\d+) more site/) || [0, 0])[1]);
  const mid = m => { const r = m.getBoundingClientRect();
    return Math.abs(r.top + r.bottom - innerHeight) + Math.abs(r.left + r.right - innerWidth); };
  ms.sort(longest ? (a, b) => stacked(b) - stacked(a) : (a, b) => mid(a) - mid(b));
  ms[0].dispatchEvent(new MouseEvent('click', {bubbles: true}));
}"""

CLOSE_SEEN = """() => {
  // the popup's close button is what a tap at its middle reaches (no panel over it)
  const r = document.querySelector('.leaflet-popup-close-button').getBoundingClientRect();
  const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
  return !!hit && !!hit.closest('.leaflet-popup-close-button');
}"""

SHOW = {"the KPI panel": "#estate-kpi button.estate-panel-toggle",
        "the layer list": ".leaflet-control-layers-toggle"}


@pytest.mark.parametrize("panel", sorted(SHOW))
def test_a_popup_stays_open_and_clear_when_a_panel_is_shown_on_a_phone(
        phone: Opened, panel: str) -> None:
    """A site's popup open, the reader shows a panel (the folded KPI panel, or the layer
    list shut to its button): the popup stays open, on the same site, and pans clear of
    the panel now shown, all of it in the window, its close button uncovered."""
    page = phone.page
    page.evaluate(OPEN_POPUP, False)
    page.wait_for_selector(".leaflet-popup-content h4")
    page.wait_for_timeout(700)  # the pan into view
    heading = page.locator(".leaflet-popup-content h4").first.inner_text()
    page.locator(SHOW[panel]).click()
    page.wait_for_timeout(700)
    assert page.locator(".leaflet-popup-content h4").first.inner_text() == heading
    seen = page.evaluate(POPUP_UNDER)
    assert seen == {"inside": True, "under": []}, seen
    assert page.evaluate(CLOSE_SEEN)
    phone.clean()


def test_the_kpi_panel_shown_on_a_phone_keeps_a_margin_each_side(phone: Opened) -> None:
    """Shown on a 390 px phone, the plan summary lies 10 px in from each edge, as every
    panel does: it ran to the window's right edge, its border and corner cut off."""
    page = phone.page
    page.locator(SHOW["the KPI panel"]).click()
    page.wait_for_timeout(300)
    box = page.evaluate("() => { const r = document.querySelector('#estate-kpi')"
                        ".getBoundingClientRect(); return [r.left, r.right]; }")
    assert box[0] >= 10 - 0.5 and box[1] <= PHONE[0] - 10 + 0.5, box
    page.locator(SHOW["the KPI panel"]).click()  # folded again, as the other tests find it
    phone.clean()


def test_the_layer_list_opened_by_keyboard_on_a_phone_takes_focus_and_room(
        phone: Opened) -> None:
    """The plan summary shown, the layers button pressed by Enter: the button hides
    itself as the list opens, so focus goes into the list (it fell to the page), the
    summary the list would cover folds, and Escape shuts the list, focus back on its
    button."""
    page = phone.page
    page.locator(SHOW["the KPI panel"]).click()
    assert page.get_attribute(SHOW["the KPI panel"], "aria-expanded") == "true"
    page.focus(".leaflet-control-layers-toggle")
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    state = page.evaluate("""() => ({
        inList: !!document.activeElement.closest('.leaflet-control-layers-list'),
        open: document.querySelector('.leaflet-control-layers')
              .classList.contains('leaflet-control-layers-expanded'),
        summary: document.querySelector('#estate-kpi button.estate-panel-toggle')
                 .getAttribute('aria-expanded')})""")
    assert state == {"inList": True, "open": True, "summary": "false"}, state
    page.keyboard.press("Escape")
    page.wait_for_timeout(200)
    state = page.evaluate("""() => ({
        open: document.querySelector('.leaflet-control-layers')
              .classList.contains('leaflet-control-layers-expanded'),
        onButton: document.activeElement.matches('.leaflet-control-layers-toggle')})""")
    assert state == {"open": False, "onButton": True}, state
    phone.clean()


def test_a_long_popup_scrolls_within_the_room_between_the_panels(phone: Opened) -> None:
    """With the KPI panel shown, a phone has less room under it than the popup of a site
    with other sites stacked on it needs: the popup is cut to that room, all of it in the
    window and under no panel, its close button uncovered, and its content scrolls, a tab
    stop the keyboard scrolls (axe's scrollable-region-focusable)."""
    page = phone.page
    page.locator("#estate-kpi button.estate-panel-toggle").click()
    page.evaluate(OPEN_POPUP, True)
    page.wait_for_selector(".leaflet-popup-content h4")
    page.wait_for_timeout(700)
    seen = page.evaluate(POPUP_UNDER)
    assert seen == {"inside": True, "under": []}, seen
    assert page.evaluate(CLOSE_SEEN)
    content = page.locator(".leaflet-popup-content")
    assert content.evaluate("c => c.scrollHeight > c.clientHeight + 50"), "nothing to scroll"
    assert content.get_attribute("tabindex") == "0"
    content.focus()
    page.keyboard.press("End")
    page.wait_for_timeout(600)  # Chromium scrolls smoothly
    assert content.evaluate("c => c.scrollTop > 0")
    assert axe_violations(phone) == []
    phone.clean()


SIDEWAYS = (844, 390)
"""A phone held sideways: wider than PHONE_PX, but only 390 px high."""

SITES_PLACED = """() => {
  // each site marker that is a button: whether its box lies wholly within the map's,
  // whether it meets a panel's (a Leaflet control shown, the scale bar aside), and its
  // tab index
  const box = n => n.getBoundingClientRect();
  const meet = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const map = document.querySelector('.folium-map'), edge = box(map);
  const panels = [...map.querySelectorAll('.leaflet-control')]
    .filter(c => c.offsetWidth && !c.classList.contains('leaflet-control-scale')).map(box);
  return [...map.querySelectorAll('.estate-site[role=button]')].map(m => { const r = box(m);
    return {label: m.getAttribute('aria-label'), tab: m.tabIndex,
            inside: r.left >= edge.left && r.top >= edge.top && r.right <= edge.right && r.bottom <= edge.bottom,
            under: panels.some(p => meet(r, p))}; });
}"""


def test_a_phone_held_sideways_opens_with_its_sites_and_popups_clear_of_the_panels(
        browser: Any, crowded: tuple[Path, list[str]]) -> None:
    """At 844 x 390 (a phone held sideways: wide, but short) the panels start folded as
    on a phone held upright, and every site's marker starts wholly on the map, under no
    panel, a tab stop; the popups of the three sites nearest the top each open wholly
    inside the window, under no panel, with their close button uncovered; axe finds
    nothing serious."""
    opened = open_page(browser, crowded[0], size=SIDEWAYS)
    page = opened.page
    button = page.locator("#estate-kpi button.estate-panel-toggle")
    assert button.get_attribute("aria-expanded") == "false"
    placed = page.evaluate(SITES_PLACED)
    assert len(placed) > 20
    assert [m["label"] for m in placed if not m["inside"] or m["under"]] == []
    assert [m["label"] for m in placed if m["tab"] != 0] == []
    assert axe_violations(opened) == []
    for nth in range(3):
        label = page.evaluate(OPEN_TOP_POPUP, nth)
        page.wait_for_selector(".leaflet-popup-content h4")
        page.wait_for_timeout(700)  # the pan into view
        assert label.startswith(
        f"\u2068{page.locator('.leaflet-popup-content h4').first.inner_text()}\u2069")
        seen = page.evaluate(POPUP_UNDER)
        assert seen == {"inside": True, "under": []}, (nth, seen)
        assert page.evaluate(CLOSE_SEEN), nth
        page.locator(".leaflet-popup-close-button").click()
        page.wait_for_selector(".leaflet-popup", state="detached")
    opened.clean()
    opened.page.close()
