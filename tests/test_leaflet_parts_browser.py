"""The popup sizing of static/clearance.js and the parts of Leaflet it relies on.

clearance.js sizes popups to the room the panels leave and pans them clear of the
panels through parts of Leaflet's popup outside its public API (_updateLayout,
_updatePosition, _adjustPan, _autopanning and the fields they use), read from the
Leaflet version its comment names. On the Leaflet shipped it finds them all; with a
Leaflet lacking one (stood in for by the shipped one with a part renamed before the
page's scripts run) the popups are Leaflet's own and nothing fails.

Headless Chromium, as in test_maps_browser.py (the `browser`, `plan` and `opened`
fixtures of conftest.py), every request off the machine refused.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import xstatic.pkg.leaflet as xleaflet

from estate.render.html import static_text
from tests.fixtures.browser import Opened, Plan, open_page

pytestmark = pytest.mark.browser


def _popup_by_keyboard(page: Any) -> str:
    """Tab to the first site marker and open its popup with Enter; returns its name."""
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('estate-site')"):
            break
    name = page.evaluate("document.activeElement.getAttribute('aria-label')")
    page.keyboard.press("Enter")
    page.wait_for_selector(".leaflet-popup-content h4")
    return str(name)


OPEN_POPUP_SIZED = """() => {
  // whether the open popup's maxWidth and maxHeight are measured from the room the
  // panels leave (clearance.js), rather than Leaflet's own fixed options
  const map = window[document.querySelector('.folium-map').id], popup = map.estatePopup;
  const measured = k => !!popup && typeof Object.getOwnPropertyDescriptor(popup.options, k).get === 'function';
  return measured('maxWidth') && measured('maxHeight');
}"""


def test_the_popup_sizing_finds_the_leaflet_parts_it_needs(opened: Opened) -> None:
    """On the Leaflet shipped (the xstatic-leaflet package) clearance.js finds every part
    it needs, that Leaflet is the version its comment says they were read from, and an
    open popup is sized to the room the panels leave: an upgrade that drops one of them
    fails here rather than leaving popups under the panels."""
    page = opened.page
    assert page.evaluate("estateMap.popupParts.missing") == []
    named = re.search(r"read from Leaflet ([\d.]+)", static_text("estate.maps", "clearance.js"))
    assert named is not None
    assert page.evaluate("L.version") == named.group(1) == xleaflet.VERSION
    _popup_by_keyboard(page)
    assert page.evaluate(OPEN_POPUP_SIZED)
    opened.clean()


# Another Leaflet, as a later version might be: its popup's _updateLayout renamed
# (_layOut, called by its update), the rest as shipped
RENAMED_LAYOUT = """(() => {
  let held;
  Object.defineProperty(window, 'L', {configurable: true, get: () => held, set: leaflet => {
    const popup = leaflet.Popup.prototype;
    popup._layOut = popup._updateLayout;
    delete popup._updateLayout;
    popup.update = function () {
      if (!this._map) { return; }
      this._container.style.visibility = 'hidden';
      this._updateContent(); this._layOut(); this._updatePosition();
      this._container.style.visibility = '';
      this._adjustPan();
    };
    held = leaflet;
  }});
})();"""


def test_popups_are_leaflet_s_own_with_a_leaflet_lacking_those_parts(browser: Any,
                                                                    plan: Plan) -> None:
    """With a Leaflet whose popup lacks a part the sizing needs, the page says which one,
    runs with no script error, and its popups are Leaflet's own: a site's popup opens by
    keyboard with focus in it, and stays open, with no error, when a panel is folded
    and shown again over the map (which lays an open popup out again)."""
    opened = open_page(browser, plan[0], before=RENAMED_LAYOUT)
    page = opened.page
    assert "_updateLayout" in page.evaluate("estateMap.popupParts.missing")
    name = _popup_by_keyboard(page)
    assert name.startswith(
        f"\u2068{page.locator('.leaflet-popup-content h4').first.inner_text()}\u2069")
    assert page.evaluate("!!document.activeElement.closest('.leaflet-popup')")
    assert not page.evaluate(OPEN_POPUP_SIZED)
    toggle = page.locator("#estate-kpi button.estate-panel-toggle")
    toggle.click()  # hidden
    toggle.click()  # shown again
    assert page.locator(".leaflet-popup-content h4").count() >= 1
    opened.clean()
    page.close()
