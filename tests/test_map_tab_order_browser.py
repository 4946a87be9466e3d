"""The map's tab order follows the view: a site's marker under a panel (the KPI panel, the
legend, the layer control, the attribution) is out of the tab order, every other marker
on the map is a tab stop, after a popup has panned the map to open in view and after a
panel is folded and unfolded; the pass that sets it runs once per zoom, pan and window
resize.

Headless Chromium, as in test_map_phone_browser.py, on the made-up plan of the `plan`
fixture of conftest.py, opened at a phone's size and a laptop's (a map lays itself out
for the window it opens in), every request off the machine refused.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures.browser import Opened, Plan, axe_violations, open_page

pytestmark = pytest.mark.browser

MAP = "window[document.querySelector('.folium-map').id]"
SIZES = [(390, 844), (1366, 900)]

MARKERS = """() => {
  // every site marker that is a button (not stacked on another) and lies at least partly
  // on the map: its number (data-k, given once), whether its box meets a panel's (a
  // Leaflet control shown, the scale bar aside: it is a ruler, nothing to press), and
  // its tab index
  const box = n => n.getBoundingClientRect();
  const meet = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const map = document.querySelector('.folium-map'), edge = box(map);
  const panels = [...map.querySelectorAll('.leaflet-control')]
    .filter(c => c.offsetWidth && !c.classList.contains('leaflet-control-scale')).map(box);
  const buttons = [...map.querySelectorAll('.leaflet-marker-pane .estate-site[role=button]')];
  buttons.forEach((m, k) => { if (!m.dataset.k) { m.dataset.k = 'm' + k; } });
  return buttons.filter(m => meet(box(m), edge))
    .map(m => ({k: m.dataset.k, under: panels.some(p => meet(box(m), p)), tab: m.tabIndex}));
}"""


def _wrong(page: Any) -> list[dict[str, Any]]:
    """The markers whose tab index is not what their place says: -1 under a panel, 0
    clear of every panel."""
    return [m for m in page.evaluate(MARKERS) if m["tab"] != (-1 if m["under"] else 0)]


def _under(page: Any) -> set[str]:
    return {m["k"] for m in page.evaluate(MARKERS) if m["under"]}


CLEAR_BY_TOP = """() => [...document.querySelectorAll('.leaflet-marker-pane .estate-site[role=button]')]
  // the markers clear of the panels (tab stops), the nearest the top of the map first:
  // a popup opens above its site, so the map pans down to show it
  .filter(m => m.tabIndex === 0).sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
  .map(m => m.dataset.k)"""
PAN_ENDS = f"""() => {{ window.panEnded = new Promise(r => {MAP}.once('moveend', () => r(true))); }}"""


def _open_popup_that_pans(page: Any) -> str:
    """Open by keyboard the popup of a site near the top of the map whose opening pans the
    map so that some site goes under a panel or comes out from under one; wait for the
    pan to end. Returns that marker's number."""
    _under(page)  # numbers the markers (MARKERS)
    for k in page.evaluate(CLEAR_BY_TOP)[:8]:
        before = _under(page)
        centre = page.evaluate(f"{MAP}.getCenter()")
        page.evaluate(PAN_ENDS)
        page.locator(f'[data-k="{k}"]').focus()
        page.keyboard.press("Enter")
        page.wait_for_selector(".leaflet-popup-content h4")
        panned = page.evaluate(f"{MAP}.getCenter()") != centre or page.evaluate(
            f"!!{MAP}._panAnim && {MAP}._panAnim._inProgress")
        if panned:
            assert page.evaluate("window.panEnded")  # the pan into view has ended
            if _under(page) != before:
                return str(k)
        page.keyboard.press("Escape")
        page.wait_for_selector(".leaflet-popup", state="detached")
    raise AssertionError("no popup near the top panned a site under or out from under a panel")


@pytest.mark.parametrize("size", SIZES)
def test_the_tab_order_follows_a_popup_pan_and_a_panel_folded(
        browser: Any, plan: Plan, size: tuple[int, int]) -> None:
    """Zoomed in, so that sites lie under the panels: a popup opened by keyboard on a site
    near the top pans the map to show the popup, moving sites under or out from under the
    panels; once the pan has ended, each marker under a panel has tab index -1 and every
    other marker on the map 0, and axe finds nothing serious (target size included). The
    same holds with the KPI panel folded, then shown again, each of which changes which
    sites it covers."""
    opened = open_page(browser, plan[0], size=size)
    page = opened.page
    page.evaluate(f"{MAP}.setZoom({MAP}.getZoom() + 1.5, {{animate: false}})")
    page.wait_for_timeout(100)
    assert _wrong(page) == []
    view = page.evaluate(f"[{MAP}.getCenter(), {MAP}.getZoom()]")
    _open_popup_that_pans(page)  # moved a site under a panel or out from under one
    assert _wrong(page) == []
    assert axe_violations(opened) == []
    # back to the view before the popup, whose sites lie under the panels
    page.keyboard.press("Escape")
    page.evaluate(f"(v) => {MAP}.setView(v[0], v[1], {{animate: false}})", view)
    page.wait_for_timeout(100)
    toggle = page.locator("#estate-kpi button.estate-panel-toggle")
    for _ in range(2):  # folded and shown again (on a phone it starts folded: the reverse)
        before = _under(page)
        toggle.click()
        page.wait_for_timeout(100)
        assert _under(page) != before, "the KPI panel covered the same sites either way"
        assert _wrong(page) == []
    assert axe_violations(opened) == []
    opened.clean()
    page.close()


COUNT_PASSES = f"""() => {{
  // window.passes counts the passes over the panels' boxes that set the tab order: each
  // reads the panels (querySelectorAll('.leaflet-control') on the map's box) once
  const box = {MAP}.getContainer(), own = box.querySelectorAll;
  window.passes = 0;
  box.querySelectorAll = function (selector) {{
    if (selector === '.leaflet-control') {{ window.passes++; }}
    return own.call(this, selector);
  }};
}}"""


def test_the_tab_order_is_set_once_per_zoom_per_pan_and_per_resize(opened: Opened) -> None:
    """A zoom ends with Leaflet's zoomend then moveend, each of which once asked for the
    tab order: it is set once. A pan sets it once too, and so does a window resized
    (Leaflet's resize, which lays out the panels and fits the plan again, and its
    moveend 200 ms later each asked for it), to a phone's size and back."""
    page = opened.page
    fitted = page.evaluate(f"[{MAP}.getCenter(), {MAP}.getZoom()]")
    page.evaluate(COUNT_PASSES)
    page.get_by_role("button", name="Zoom in").click()
    page.wait_for_timeout(500)  # the zoom's animation
    assert page.evaluate("window.passes") == 1
    page.evaluate("window.passes = 0")
    page.evaluate(f"{MAP}.panBy([40, 30])")
    page.wait_for_timeout(500)
    assert page.evaluate("window.passes") == 1
    page.evaluate(f"(v) => {MAP}.setView(v[0], v[1], {{animate: false}})", fitted)
    for size in ((390, 844), (1400, 900)):
        page.wait_for_timeout(100)
        page.evaluate("window.passes = 0")
        page.set_viewport_size({"width": size[0], "height": size[1]})
        page.wait_for_timeout(600)  # Leaflet's moveend, 200 ms after the resize
        assert page.evaluate(f"{MAP}.getSize().x") == size[0]
        assert page.evaluate("window.passes") == 1, size
    assert _wrong(page) == []
    opened.clean()
