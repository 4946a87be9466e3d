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

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from estate.api import compare
from tests.fixtures import PAYLOAD, coverage_register, scenario_on, write_scenario
from tests.fixtures.browser import PLAN_MAP, Opened, Plan, axe_violations, open_page

pytestmark = pytest.mark.browser

MAP = PLAN_MAP
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


MOVE = """() => { const line = document.querySelector('path.estate-move');
  line.dataset.k = 'move';
  return {role: line.getAttribute('role'), tab: line.tabIndex,
          name: line.getAttribute('aria-label')}; }"""
FOCUSED = "() => document.activeElement.dataset.k || document.activeElement.className"


def test_a_move_s_line_is_a_named_button_whose_popup_escape_closes(opened: Opened,
                                                                   plan: Plan) -> None:
    """A move's line drawn in SVG is in Chromium's tab order (Leaflet listens for its
    focus) and Enter opens its popup: it is a button named by what moves where (not a
    nameless stop), and Escape closes the popup it opened, focus back on the line."""
    page = opened.page
    line = page.evaluate(MOVE)
    assert line["role"] == "button" and line["tab"] == 0
    names = set(plan[1]["name"])
    said = [(a, b) for a in names for b in names
            if line["name"].endswith(f" FTE from \u2068{a}\u2069 to \u2068{b}\u2069")]
    assert len(said) == 1 and line["name"].startswith("Move of "), line["name"]
    page.evaluate("document.querySelector('[data-k=move]').focus()")
    page.keyboard.press("Enter")
    page.wait_for_selector(".leaflet-popup-content")
    assert page.evaluate("document.querySelector('.leaflet-popup').contains("
                         "document.activeElement)")
    page.keyboard.press("Escape")
    page.wait_for_selector(".leaflet-popup", state="detached")
    assert page.evaluate(FOCUSED) == "move"
    opened.clean()


TAB_STOPS = """() => [...document.querySelectorAll('.leaflet-map-pane [tabindex="0"]')]
  .map(node => node.classList.contains('estate-move') ? 'move'
       : node.classList.contains('estate-site') ? 'site' : 'other')"""


def test_the_keyboard_reaches_every_site_before_the_first_move(opened: Opened) -> None:
    """Tab reached 30 moves' lines before the first site (a review): the lines are in a
    pane of their own after the sites', drawn beneath them still, so every site on the
    map comes first; a site's spot shows the site, not a line, to the browser's hit
    test."""
    page = opened.page
    stops = page.evaluate(TAB_STOPS)
    assert "move" in stops and "site" in stops and "other" not in stops, stops
    assert stops.index("move") > max(i for i, kind in enumerate(stops) if kind == "site"), stops
    page.keyboard.press("Tab")  # the skip link, then the map, then its first stop
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('estate-site')")
    on_top = page.evaluate("""() => [...document.querySelectorAll('.estate-site')].slice(0, 20)
      .every(site => { const r = site.getBoundingClientRect();
                       const hit = document.elementFromPoint((r.left + r.right) / 2,
                                                             (r.top + r.bottom) / 2);
                       return !hit || !hit.classList.contains('estate-move'); })""")
    assert on_top
    opened.clean()


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """comparison_map.html of two scenarios on the coverage register, S1 named with
    hostile text: one keeps S2, the other closes it (S2 is ringed as differing)."""
    root = tmp_path_factory.mktemp("rings")
    register = coverage_register(root / "register", site_name=PAYLOAD)
    paths = [write_scenario(root / "kept.toml", scenario_on(register, "Kept",
                                                            policy={"keep": ["S2"]})),
             write_scenario(root / "free.toml", scenario_on(register, "Free"))]
    compare(paths, out=root / "out", results_root=root / "results", policy_costs=False)
    return root / "out" / "comparison_map.html"


RINGS = """() => [...document.querySelectorAll('.estate-view-a path[stroke="#d7191c"]')]
  .map((r, k) => { r.dataset.k = 'ring' + k;
                   return {role: r.getAttribute('role'), tab: r.tabIndex,
                           name: r.getAttribute('aria-label')}; })"""


def test_a_ring_round_a_differing_site_is_a_named_button(browser: Any,
                                                        compared: Path) -> None:
    """Each ring of the comparison map (a site whose decision differs) is a Tab stop in
    Chromium with a popup: it is a button named by the site and its decision in each
    scenario, read from the plans' sites.csv; Escape closes the popup Enter opened,
    focus back on the ring."""
    opened = open_page(browser, compared)
    page = opened.page
    page.wait_for_function("window.estateCompare && window.estateCompare.current")
    decisions = {}
    for name in ("Kept", "Free"):
        sites = pd.read_csv(compared.parent.parent / "results" / name / "sites.csv",
                            dtype=str, keep_default_na=False)
        decisions[name] = dict(zip(sites["site_id"], sites["decision"], strict=True))
    differ = sorted(s for s in decisions["Kept"] if decisions["Kept"][s] != decisions["Free"][s])
    assert differ  # S2 at least: kept in one, closed in the other
    rings = page.evaluate(RINGS)
    assert len(rings) == len(differ)
    names = sorted(r["name"] for r in rings)
    for site, said in zip(differ, names, strict=True):
        name = PAYLOAD if site == "S1" else f"Site {site}"
        assert said.startswith(f"Differs: {site} \u2068{name}\u2069; "), said
        for scenario in ("Kept", "Free"):
            word = {"keep": "kept", "close": "closed"}[decisions[scenario][site]]
            assert f"; \u2068{scenario}\u2069: {word}" in said, said
    assert all(r["role"] == "button" and r["tab"] == 0 for r in rings)
    page.evaluate("document.querySelector('[data-k=ring0]').focus()")
    page.keyboard.press("Enter")
    page.wait_for_selector(".leaflet-popup-content")
    page.keyboard.press("Escape")
    page.wait_for_selector(".leaflet-popup", state="detached")
    assert page.evaluate(FOCUSED) == "ring0"
    opened.clean()
    page.close()


SHAPES_SEEN = """() => [...document.querySelectorAll('.leaflet-map-pane path[role=button]')]
  .map(path => {
    // whether any of 60 points along the shape is the topmost thing there (not under a
    // panel, nor off the map), as the browser itself hit-tests it
    const matrix = path.getScreenCTM(), length = path.getTotalLength();
    let seen = false;
    for (let i = 0; i <= 60 && !seen; i++) {
      const p = path.getPointAtLength(length * i / 60).matrixTransform(matrix);
      seen = document.elementFromPoint(p.x, p.y) === path;
    }
    return {seen: seen, tab: path.tabIndex};
  })"""


def test_a_move_wholly_under_a_panel_is_out_of_the_tab_order(opened: Opened) -> None:
    """A move's line that the KPI panel covers wholly is no tab stop (Tab would focus
    what cannot be seen, WCAG 2.4.11); one showing anywhere is. Checked against the
    browser's own hit test of points along each line, with one line panned under the
    panel and then back."""
    page = opened.page
    page.evaluate(f"{MAP}.setZoom({MAP}.getZoom() - 2, {{animate: false}})")
    page.wait_for_timeout(200)
    before = page.evaluate(SHAPES_SEEN)
    assert before and all(s["tab"] == 0 for s in before if s["seen"])
    # the shortest line's middle panned to the middle of the KPI panel
    page.evaluate(f"""() => {{
      const paths = [...document.querySelectorAll('.leaflet-map-pane path[role=button]')];
      const line = paths.sort((a, b) => a.getTotalLength() - b.getTotalLength())[0];
      const m = line.getPointAtLength(line.getTotalLength() / 2).matrixTransform(line.getScreenCTM());
      const r = document.getElementById('estate-kpi').getBoundingClientRect();
      {MAP}.panBy([m.x - (r.left + r.right) / 2, m.y - (r.top + r.bottom) / 2], {{animate: false}});
    }}""")
    page.wait_for_timeout(200)
    under = page.evaluate(SHAPES_SEEN)
    assert any(not s["seen"] for s in under), "no line lies wholly under the panel"
    assert all((s["tab"] == 0) == s["seen"] for s in under), under
    opened.clean()


LINE_UNDER_KPI = f"""() => {{
  // a line's middle panned to just inside the KPI panel's right edge, half way down it, so
  // that the line's right half shows (the widest line); on a phone, whose panel is as wide
  // as the map, just inside its foot, half way across (the tallest line)
  const paths = [...document.querySelectorAll('.leaflet-map-pane path[role=button]')];
  const r = document.getElementById('estate-kpi').getBoundingClientRect();
  const phone = r.right > {MAP}.getContainer().getBoundingClientRect().right - 20;
  const reach = p => phone ? p.getBoundingClientRect().height : p.getBoundingClientRect().width;
  const line = paths.sort((a, b) => reach(b) - reach(a))[0];
  line.dataset.k = 'long';
  const m = line.getPointAtLength(line.getTotalLength() / 2).matrixTransform(line.getScreenCTM());
  const to = phone ? [(r.left + r.right) / 2, r.bottom - 8] : [r.right - 8, (r.top + r.bottom) / 2];
  {MAP}.panBy([m.x - to[0], m.y - to[1]], {{animate: false}});
}}"""
LINE_PLACE = """() => {
  // where the line marked 'long' lies: each of 41 points along it, whether it is on the map
  // and whether it is under a panel (a Leaflet control shown, the scale bar aside)
  const line = document.querySelector('[data-k=long]'), map = document.querySelector('.folium-map');
  const edge = map.getBoundingClientRect(), matrix = line.getScreenCTM(), length = line.getTotalLength();
  const panels = [...map.querySelectorAll('.leaflet-control')]
    .filter(c => c.offsetWidth && !c.classList.contains('leaflet-control-scale'))
    .map(c => c.getBoundingClientRect());
  const points = [];
  for (let i = 0; i <= 40; i++) {
    const p = line.getPointAtLength(length * i / 40).matrixTransform(matrix);
    points.push({on: p.x > edge.left && p.x < edge.right && p.y > edge.top && p.y < edge.bottom,
                 under: panels.some(r => p.x >= r.left && p.x <= r.right && p.y >= r.top && p.y <= r.bottom)});
  }
  return {points: points, tab: line.tabIndex, focused: document.activeElement === line};
}"""


@pytest.mark.parametrize("size", SIZES)
def test_a_move_focused_partly_under_a_panel_is_panned_clear_of_it(
        browser: Any, plan: Plan, size: tuple[int, int]) -> None:
    """A move's line, its middle under the KPI panel and half of it showing, is a
    tab stop; focused by keyboard, the map pans until its middle is on the map and under
    no panel, the line still focused and still a tab stop (WCAG 2.4.11: its focus ring
    not hidden by the panel), at a laptop's size and a phone's."""
    opened = open_page(browser, plan[0], size=size)
    page = opened.page
    if page.evaluate("document.querySelector('#estate-kpi .estate-panel-body').hidden"):
        page.locator("#estate-kpi button.estate-panel-toggle").click()  # a phone's starts folded
        page.wait_for_timeout(100)
    page.evaluate(LINE_UNDER_KPI)
    page.wait_for_timeout(200)
    before = page.evaluate(LINE_PLACE)
    middle = before["points"][20]
    assert middle["under"], "the line's middle is not under the panel"
    assert any(p["on"] and not p["under"] for p in before["points"]), "no part of it shows"
    assert before["tab"] == 0
    page.keyboard.press("Shift")  # the last input a key: focus from script is then shown
    page.locator("[data-k=long]").focus()
    page.wait_for_timeout(700)  # the pan's animation
    after = page.evaluate(LINE_PLACE)
    assert after["focused"] and after["tab"] == 0
    middle = after["points"][20]
    assert middle["on"] and not middle["under"], after
    opened.clean()
    page.close()


ACTIVE = """() => { const a = document.activeElement;
  return {tag: a.tagName, text: (a.textContent || '').trim(), id: a.id,
          panel: (a.closest('.estate-panel') || {}).id || '',
          top: Math.round(a.getBoundingClientRect().top)}; }"""


def test_the_first_tab_stop_skips_the_map_to_the_panel(browser: Any, plan: Plan,
                                                       compared: Path) -> None:
    """Tab from the top of a map reached the panel's controls only after every site,
    line and ring (70 stops on a review's comparison map): the first Tab now shows a link
    that skips them, and Enter on it puts focus on the panel's first control, from which
    the next Tab reaches the comparison's scenario choice."""
    opened = open_page(browser, compared)
    page = opened.page
    page.wait_for_function("window.estateCompare && window.estateCompare.current")
    page.keyboard.press("Tab")
    link = page.evaluate(ACTIVE)
    assert link["tag"] == "A" and link["text"].startswith("Skip to the panel: "), link
    assert link["top"] >= 0  # shown in the window once focused
    page.keyboard.press("Enter")
    landed = page.evaluate(ACTIVE)
    assert (landed["panel"], landed["text"]) == ("estate-compare", "Hide panel"), landed
    page.keyboard.press("Tab")
    assert page.evaluate(ACTIVE)["id"] == "estate-scenario-a"
    assert axe_violations(opened) == []
    opened.clean()
    page.close()
    opened = open_page(browser, plan[0])  # a plan's map: to the plan summary
    opened.page.keyboard.press("Tab")
    assert opened.page.evaluate(ACTIVE)["text"].startswith("Skip to the panel: ")
    opened.page.keyboard.press("Enter")
    assert opened.page.evaluate(ACTIVE)["panel"] == "estate-kpi"
    opened.clean()
    opened.page.close()
