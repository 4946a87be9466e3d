"""The map in a real browser: offline, counted, toggled, and immune to injected names.

Headless Chromium from Debian's `chromium` package (the `browser` fixture of
conftest.py: without it the tests skip with the reason, unless ESTATE_REQUIRE_BROWSER=1,
set in CI, where a missing browser is a failure). Every request that is not file:,
data: or blob: is refused, which proves the map is self-contained.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from estate.maps.page import render_map
from estate.render.html import inert
from estate.results import money
from tests.fixtures import HOSTILE_AREA, PAYLOADS, planned_two_areas, write_results
from tests.fixtures.browser import MOTION, Opened, Plan, axe_violations, open_page, reduced_motion

pytestmark = pytest.mark.browser


def test_loads_offline_with_no_errors(opened: Opened) -> None:
    assert opened.page.evaluate("typeof L") == "object"
    assert opened.page.evaluate("typeof L.control.layers") == "function"
    opened.clean()


def test_the_map_runs_only_its_own_scripts(opened: Opened) -> None:
    """The page's policy allows its own inline scripts by their hashes: a script put in
    later (as an escaping slip would) does not run."""
    ran = opened.page.evaluate("""() => {
        const s = document.createElement('script');
        s.textContent = 'window.injected = 1';
        document.head.appendChild(s);
        return window.injected === 1;
    }""")
    assert ran is False
    opened.page.wait_for_timeout(100)
    assert any("Content Security Policy" in e for e in opened.errors), opened.errors
    policy = opened.page.evaluate(
        "document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content")
    assert "default-src 'none'" in policy and "'unsafe-inline'" not in policy.split(";")[1]


def test_one_marker_per_site_and_layer(opened: Opened, plan: Plan) -> None:
    sites = plan[1]
    decisions = sites["decision"]
    shared = sites["shared_types"] != ""
    assert opened.count(".leaflet-marker-pane > *") == int((decisions != "not_built").sum())
    assert opened.count(".estate-after") == int((decisions != "not_built").sum())
    assert opened.count(".estate-after.estate-close") == int((decisions == "close").sum())
    assert opened.count(".estate-after.estate-shared") == int(shared.sum())
    assert opened.count(".estate-after.estate-keep") == int(((decisions == "keep") & ~shared).sum())
    assert opened.count(".estate-after.estate-open") == int(((decisions == "open") & ~shared).sum())
    assert opened.count(".estate-before") == 0  # off until asked for
    opened.toggle("Sites before")
    assert opened.count(".estate-before") == int(decisions.isin(("keep", "close")).sum())
    opened.clean()


def test_toggling_layers_changes_what_is_visible(opened: Opened,
                                                 plan: Plan) -> None:
    sites = plan[1]
    drawn = sites[sites["decision"] != "not_built"]
    moves = opened.count(".leaflet-estateMoves-pane path.estate-move")
    assert moves > 0
    opened.toggle("Sites after")
    assert opened.count(".estate-after") == 0
    opened.toggle("Sites after")
    assert opened.count(".estate-after") == len(drawn)
    # the label counts move lines and says the width is staff, not "(n)" read as n FTE
    n_lines = opened.page.evaluate("document.querySelectorAll('path.estate-move').length")
    labels = [t.strip() for t in opened.page.locator(
        ".leaflet-control-layers-overlays label").all_text_contents()]
    assert f"Moves ({n_lines:,}; line width = staff moving)" in labels, labels
    opened.toggle("Moves")
    assert opened.count("path.estate-move") == 0
    opened.toggle("Moves")
    first_agency = PAYLOADS[0]  # the fixture names agency AG0 with this payload
    opened.toggle(f"Agency: {first_agency}")
    assert opened.count(".estate-after") == int((drawn["agency_id"] != "AG0").sum())
    assert opened.count("path.estate-move") < moves
    opened.toggle(f"Agency: {first_agency}")
    assert opened.count(".estate-after") == len(drawn)
    assert opened.count("path.estate-move") == moves
    opened.clean()


POPUP_TEXTS = """() => {
  const map = window[document.querySelector('.folium-map').id];
  const texts = [];
  map.eachLayer(layer => {
    if (layer.getPopup && layer.getPopup() && layer.getLatLng) {
      layer.openPopup();
      const node = layer.getPopup().getElement().querySelector('.leaflet-popup-content');
      texts.push([node.querySelector('h4').textContent, node.innerHTML]);
      layer.closePopup();
    }
  });
  return texts;
}"""


def test_popups_show_injected_names_literally(opened: Opened,
                                              plan: Plan) -> None:
    for label in ("Zones covered after", "Zones not covered"):
        opened.toggle(label)
    titles = [title for title, _ in opened.page.evaluate(POPUP_TEXTS)]
    drawn = plan[1][plan[1]["decision"] != "not_built"]
    for name in drawn["name"]:
        assert name in titles, name
    for name in plan[2]["name"]:
        assert name in titles, name
    assert sum(p in titles for p in PAYLOADS) >= len(PAYLOADS) - 1
    for marker in opened.page.locator(".estate-after").all()[:12]:
        marker.dispatch_event("mouseover")
    assert opened.page.evaluate("document.querySelectorAll('img[src=x], iframe, svg[onload]').length") == 0
    assert opened.page.evaluate("typeof window.alert") == "function"
    opened.clean()


def test_moves_popups_name_both_sites(opened: Opened) -> None:
    texts = opened.page.evaluate("""() => {
      const map = window[document.querySelector('.folium-map').id];
      const out = [];
      map.eachLayer(l => { if (l.getPopup && l.getPopup() && l.getLatLngs) {
        l.openPopup(l.getLatLngs()[0]);
        out.push(l.getPopup().getElement().textContent); l.closePopup(); }});
      return out; }""")
    assert texts and all("\u2192" in t and "FTE moved" in t for t in texts)
    opened.clean()


def test_layer_control_kpi_and_legend_show_text_literally(opened: Opened) -> None:
    labels = opened.page.locator(".leaflet-control-layers-overlays label").all_text_contents()
    assert any(t.strip() == f"Agency: {PAYLOADS[0]}" for t in labels)
    assert any(t.strip() == f"Agency: {PAYLOADS[1]}" for t in labels)
    heading = opened.page.get_by_role("region", name="Plan summary").get_by_role(
        "heading", level=2).text_content()
    assert heading == PAYLOADS[1] + " baseline"
    assert opened.page.title() == f"Estate plan: \u2068{PAYLOADS[1]} baseline\u2069"
    assert "Kept" in opened.page.locator("#estate-legend").text_content()
    opened.clean()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_inert_text_is_safe_in_html_and_every_js_string(browser: Any, payload: str) -> None:
    page = browser.new_page()
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    text = inert(payload)
    page.set_content(
        f"<div id=a title=\"{text}\">{text}</div><div id=b title='{text}'></div>"
        f"<script>window.t = `{text}`; window.s = '{text}'; window.d = \"{text}\";"
        f"document.getElementById('a').insertAdjacentHTML('afterend', `<p id=c>{text}</p>`);"
        "</script>"
    )
    assert page.evaluate("document.getElementById('a').textContent") == payload
    assert page.evaluate("document.getElementById('a').title") == payload
    assert page.evaluate("document.getElementById('b').title") == payload
    assert page.evaluate("document.getElementById('c').textContent") == payload
    assert page.evaluate("[window.t, window.s, window.d]") == [text, text, text]
    assert dialogs == [] and errors == []
    page.close()


def test_clustered_map_loads_offline(browser: Any, tmp_path: Path) -> None:
    folder = write_results(tmp_path / "big", n_sites=2600, n_zones=400)
    opened = open_page(browser, render_map(folder, tmp_path / "big.html"))
    assert opened.page.evaluate("typeof L.markerClusterGroup") == "function"
    opened.page.wait_for_function(
        "document.querySelectorAll('.leaflet-marker-pane > *').length > 0", timeout=10_000)
    shown = opened.count(".leaflet-marker-pane > *")
    assert 0 < shown < 2600
    # the clusters slide apart as the map zooms, unless the reader asks for less motion
    assert opened.page.evaluate(MOTION)["clusters"] == [True]  # the sites after (before: off)
    assert reduced_motion(opened.page)["clusters"] == [False]
    opened.clean()
    opened.page.close()


def test_zone_polygon_map_and_cdn_variant(browser: Any, tmp_path: Path) -> None:
    folder = write_results(tmp_path / "areas", zone_areas=True, payloads=False)
    opened = open_page(browser, render_map(folder, tmp_path / "areas.html"))
    opened.clean()
    assert any("Zone boundaries" in t for t in
               opened.page.locator(".leaflet-control-layers label").all_text_contents())
    opened.page.close()
    light = browser.new_page()
    asked: list[str] = []
    light.route("**/*", lambda r: (asked.append(r.request.url), r.abort())
                if not r.request.url.startswith("file:") else r.continue_())
    light.goto(render_map(folder, tmp_path / "light.html", cdn=True).as_uri())
    assert asked and all(url.startswith("https://cdn.jsdelivr.net/npm/leaflet") for url in asked)
    light.close()


SITE_POPUP = """(id) => {
  const map = window[document.querySelector('.folium-map').id];
  let text = null;
  map.eachLayer(layer => {
    if (text === null && layer.getLatLng && layer.getPopup && layer.getPopup()) {
      layer.openPopup();
      const body = layer.getPopup().getElement().textContent;
      layer.closePopup();
      if (body.includes(id)) { text = body; }
    }
  });
  return text;
}"""


def test_popups_carry_costs_desks_functions_and_decision(opened: Opened, plan: Plan) -> None:
    sites = plan[1]
    closed = sites[sites["decision"] == "close"].iloc[0]
    text = opened.page.evaluate(SITE_POPUP, closed["site_id"])
    assert "DecisionClosed" in text and "Functions afternone (closed)" in text
    assert "Running cost" in text and "Desks used" in text and "Functions before" in text
    # whole desks (rounded up: a tenth of a desk is a desk) and pounds as estate writes them
    fractional = sites[sites["desks_used"].astype(float) % 1 > 0]
    assert len(fractional) > 0
    for _, site in (*fractional.iloc[:3].iterrows(), *sites.iloc[:3].iterrows()):
        text = opened.page.evaluate(SITE_POPUP, site["site_id"])
        used, desks = (math.ceil(float(site[c])) for c in ("desks_used", "desks"))
        assert f"Desks used{used:,} of {desks:,}" in text, text
        assert f"Running cost{money(float(site['running_cost']))} a year" in text, text
        services = [s.strip() for s in str(site["services"]).split(";") if s.strip()]
        if services:  # as a reader says them: public_access is "public access"
            assert "Services" + "".join(s.replace("_", " ") for s in services) in text, text
    opened.toggle("Zones covered after")
    opened.toggle("Zones not covered")
    zone_text = opened.page.evaluate(SITE_POPUP, plan[2]["zone_id"].iloc[0])
    assert "Population" in zone_text and "Nearest public access" in zone_text
    assert "Rule R1: public access within 5 km" in zone_text
    opened.clean()


def test_no_serious_accessibility_violation(opened: Opened) -> None:
    assert axe_violations(opened) == []
    for label in ("Sites before", "Zones covered after", "Zones not covered"):
        opened.toggle(label)  # every marker layer at once: stacked sites, more targets
    assert axe_violations(opened) == []
    opened.clean()


def test_a_marker_opens_its_popup_from_the_keyboard(opened: Opened) -> None:
    page = opened.page
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('estate-site')"):
            break
    name = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert name and page.evaluate("document.activeElement.getAttribute('role')") == "button"
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content h4")  # more than one: sites stacked here
    # the label's name between the isolate marks (popups.js plain), the popup's in a <bdi>
    assert popup.count() >= 1 and name.startswith(f"\u2068{popup.first.text_content()}\u2069 \u2014")
    assert page.evaluate("!!document.activeElement.closest('.leaflet-popup')")
    page.keyboard.press("Escape")
    page.wait_for_selector(".leaflet-popup", state="detached")  # after a 200 ms fade
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == name
    page.keyboard.press(" ")  # Space opens it too
    assert page.locator(".leaflet-popup-content h4").count() == popup.count() >= 1
    opened.clean()


def test_layer_switches_work_from_the_keyboard(opened: Opened, plan: Plan) -> None:
    region = opened.page.get_by_role("region", name="Map layers")
    assert region.get_by_role("heading", name="Layers").count() == 1
    box = region.get_by_role("checkbox", name="Sites after", exact=False).first
    box.focus()
    opened.page.keyboard.press(" ")
    assert opened.count(".estate-after") == 0
    opened.page.keyboard.press(" ")
    assert opened.count(".estate-after") == int((plan[1]["decision"] != "not_built").sum())
    opened.clean()


def test_legend_says_what_every_decision_drawn_means(opened: Opened, plan: Plan) -> None:
    sites = plan[1]
    legend = opened.page.get_by_role("region", name="Legend").text_content()
    words = {"keep": "Kept", "close": "Closed", "open": "Opened"}
    for decision in set(sites["decision"]) - {"not_built"}:
        assert words[decision] + " (" in legend, decision
    if (sites["shared_types"] != "").any():
        assert "Shared service centre (" in legend
    for text in ("Existing site today", "Loses coverage", "Place names", "Line width"):
        assert text in legend
    # each decision's legend shape is the very shape its markers are drawn with
    shapes = opened.page.evaluate("""() => Object.fromEntries(['keep', 'close', 'open']
        .map(k => [k, document.querySelector('.estate-after.estate-' + k + ' svg')])
        .filter(([k, svg]) => svg).map(([k, svg]) => [k, svg.outerHTML]))""")
    legend_html = opened.page.locator("#estate-legend").inner_html()
    assert shapes and all(svg in legend_html for svg in shapes.values())
    opened.clean()


LEGEND_ROOM = """() => {
  const legend = document.querySelector('#estate-legend'), hint = legend.querySelector('.estate-more');
  const r = legend.getBoundingClientRect(), rows = legend.querySelectorAll('.estate-legend-row');
  const last = rows[rows.length - 1].getBoundingClientRect();
  return {box: [r.left, r.top, r.right, r.bottom], height: window.innerHeight,
          more: legend.scrollHeight - legend.clientHeight,
          hint: !!hint && getComputedStyle(hint).display !== 'none',
          hintBottom: hint ? hint.getBoundingClientRect().bottom : null,
          last: last.bottom};
}"""


@pytest.mark.parametrize("size", [(1366, 900), (1366, 560), (1280, 500)])
def test_a_legend_too_tall_for_its_room_scrolls_visibly_to_its_end(
        opened: Opened, size: tuple[int, int]) -> None:
    """The legend open under the KPI panel stays inside the window; when it has more
    than its room, a hint at its foot says so, and scrolling inside it reaches its last
    row, whole, within its box (the hint then goes)."""
    page = opened.page
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.evaluate("document.querySelector('#estate-legend details').open = true")
    page.wait_for_timeout(150)
    seen = page.evaluate(LEGEND_ROOM)
    assert seen["box"][1] >= 0 and seen["box"][3] <= seen["height"], seen
    if size[1] < 600:
        assert seen["more"] > 12, seen  # these windows are too short for the whole legend
    if seen["more"] > 12:
        assert seen["hint"], seen
        assert seen["hintBottom"] <= seen["box"][3] + 1, seen
    page.evaluate("const l = document.querySelector('#estate-legend'); l.scrollTop = l.scrollHeight")
    page.wait_for_timeout(150)
    end = page.evaluate(LEGEND_ROOM)
    assert not end["hint"], end
    assert end["last"] <= end["box"][3], end
    opened.clean()


OPEN_EDGE_POPUP = """(side) => {
  // the marker furthest to one side in the map's top half: its popup would open under
  // the layer control (right) or the KPI panel (left) if nothing moved it
  let best = null, at = null;
  for (const m of document.querySelectorAll('.leaflet-marker-pane > *')) {
    const r = m.getBoundingClientRect();
    if (r.top > window.innerHeight / 2 || r.width === 0) { continue; }
    const x = side === 'right' ? r.left : -r.left;
    if (at === null || x > at) { at = x; best = m; }
  }
  best.dispatchEvent(new MouseEvent('click', {bubbles: true}));
  return best.getAttribute('aria-label');
}"""

POPUP_CLEAR = """() => {
  const box = n => { const r = n.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const popup = document.querySelector('.leaflet-popup-content-wrapper');
  const controls = [...document.querySelectorAll('.leaflet-control')]
    .filter(c => c.offsetWidth && !/leaflet-control-(attribution|scale)/.test(c.className))
    .map(c => [c.id || c.className, box(c)]);
  return {popup: popup && box(popup), controls, width: window.innerWidth, height: window.innerHeight};
}"""


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("size", [(1366, 900), (1280, 800)])
@pytest.mark.parametrize("side", ["left", "right"])
def test_a_popup_pans_into_view_clear_of_every_panel(opened: Opened, size: tuple[int, int],
                                                      side: str) -> None:
    """A site's popup near the layer control or the KPI panel pans the map until the
    whole popup is inside the window and under no panel, so all of it can be read."""
    page = opened.page
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.wait_for_timeout(200)
    assert page.evaluate(OPEN_EDGE_POPUP, side)
    page.wait_for_timeout(700)  # the pan
    seen = page.evaluate(POPUP_CLEAR)
    popup = seen["popup"]
    assert popup, seen
    assert popup[0] >= 0 and popup[1] >= 0, seen
    assert popup[2] <= seen["width"] and popup[3] <= seen["height"], seen
    for name, control in seen["controls"]:
        assert not _overlap(popup, control), (name, seen)
    opened.clean()


SITE_CARDS = """() => {
  const map = window[document.querySelector('.folium-map').id];
  const cards = {};
  map.eachLayer(layer => {
    if (layer.getLatLng && layer.getPopup && layer.getPopup()) {
      layer.openPopup();
      // a marker's popup holds a card for each site stacked on it
      layer.getPopup().getElement().querySelectorAll('.estate-popup').forEach(card => {
        const rows = {};
        card.querySelectorAll('tr').forEach(tr => {
          rows[tr.querySelector('th').textContent] = tr.querySelector('td').textContent; });
        // the elements in its cells other than popups.js's own: none, whatever a name holds
        rows['elements put in'] = [...card.querySelectorAll('td *')].map(e => e.tagName)
          .filter(t => !['BDI', 'SPAN', 'UL', 'LI'].includes(t)).join(' ');
        if (rows['Site id']) { cards[rows['Site id']] = rows; }
      });
      layer.closePopup();
    }
  });
  return cards;
}"""
"""Each site's popup card as its rows (heading: text), by site id."""


def test_a_national_plan_s_popups_say_each_site_s_area(browser: Any, tmp_path: Path) -> None:
    """A plan made area by area says in each site's popup, and each move's, which area it
    is in (both closing sites are "Civic Centre"); an area named as a formula and markup
    is shown as its text, inserting nothing into the page."""
    folder = planned_two_areas(tmp_path)
    opened = open_page(browser, render_map(folder, tmp_path / "national.html"))
    cards = opened.page.evaluate(SITE_CARDS)
    assert {site: card["Area"] for site, card in cards.items()} == {
        "N1": "North", "N2": "North", "S1": HOSTILE_AREA, "S2": HOSTILE_AREA}
    moves = opened.page.evaluate("""() => {
      const map = window[document.querySelector('.folium-map').id];
      const out = [];
      map.eachLayer(l => { if (l.getPopup && l.getPopup() && l.getLatLngs) {
        l.openPopup(l.getLatLngs()[0]);
        const rows = {};
        l.getPopup().getElement().querySelectorAll('tr').forEach(tr => {
          rows[tr.querySelector('th').textContent] = tr.querySelector('td').textContent; });
        out.push(rows['Area']); l.closePopup(); }});
      return out.sort(); }""")
    assert moves == sorted(["North", HOSTILE_AREA])
    assert all(card["elements put in"] == "" for card in cards.values())
    opened.clean()
    opened.page.close()


def test_a_single_locality_s_popups_have_no_area_row(opened: Opened) -> None:
    cards = opened.page.evaluate(SITE_CARDS)
    assert cards and not any("Area" in card for card in cards.values())
    opened.clean()
