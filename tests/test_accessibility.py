"""Every page kind a reader opens passes WCAG 2.2 AA checks (axe-core in headless
Chromium, no serious or critical violation), and the comparison map shows one scenario
at a time, two side by side in step, with few controls (issue 14).

The inputs are tiny registers built in code: three scenarios on two registers (one
scenario named like a script), a two-run sweep, and a dated plan with its board pack.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import estate
from estate.api import compare, report, sweep
from estate.runs.sweep import parse_vary
from tests.fixtures import (
    PAYLOAD,
    corridor_register,
    corridor_scenario,
    coverage_register,
    loser_register,
    scenario_on,
    town,
    town_rows,
    write_scenario,
)
from tests.fixtures.browser import Opened, axe_violations, open_page
from tests.test_map_phone_browser import (
    CLOSE_SEEN,
    OPEN_TOP_POPUP,
    POPUP_UNDER,
    SIDEWAYS,
    SITES_PLACED,
)

pytestmark = pytest.mark.browser

SCRIPT_NAME = "<script>alert(1)</script>"
NAMES = ["Kept", SCRIPT_NAME, "Loser"]
RING = "#d7191c"

# the controls a reader can reach and sees: inputs, buttons, selects, fold-outs, and
# Leaflet's zoom buttons; hidden ones (a closed fold-out's content) do not count
CONTROLS = """(() => Array.from(document.querySelectorAll(
  '.leaflet-control-container :is(input, button, select, summary, a[role=button])'))
  .filter(e => e.checkVisibility({checkVisibilityCSS: true, contentVisibilityAuto: true}))
  .length)()"""


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Three scenarios compared: Kept keeps every site of the hostile register, the
    script-named one closes S1 and S2 there, Loser is on a register of its own."""
    root = tmp_path_factory.mktemp("a11y_compare")
    hostile = coverage_register(root / "hostile", agency_b_name=PAYLOAD, site_name=PAYLOAD)
    losers = loser_register(root / "losers")
    coverage = [{"service": "public_access", "radius_km": 3.0, "mode": "maintain"}]
    paths = [
        write_scenario(root / "kept.toml", scenario_on(hostile, "Kept", coverage=coverage,
                                                       policy={"keep": ["S2"]})),
        write_scenario(root / "script.toml", scenario_on(hostile, SCRIPT_NAME)),
        write_scenario(root / "loser.toml", scenario_on(losers, "Loser",
                                                        policy={"keep": ["S1"]})),
    ]
    runs = compare(paths, out=root / "out", results_root=root / "results")
    assert [r.scenario.name for r in runs] == NAMES
    return {"out": root / "out", "folders": [r.results_dir for r in runs], "runs": runs}


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A dated plan (programme.html) and its board pack (board.html)."""
    root = tmp_path_factory.mktemp("a11y_plan")
    rows = town_rows()
    rows["sites"][1]["name"] = "<b>x</b> & <img src=x onerror=alert(1)>"
    path = town(root, rows, {"start": "2027-04-01",
                             "programme": {"max_closures_per_year": 1}})
    estate.plan(path, out=root / "results", map_path=False, programme=True,
                policy_costs=True)
    _, board = report(root / "results", root / "board.pdf")
    return {"programme": root / "results" / "programme.html", "board": board}


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("a11y_sweep")
    register = corridor_register(root / "register")
    scenario = write_scenario(root / "town.toml", corridor_scenario(register))
    sweep(scenario, [parse_vary("sharing.efficiency=0:0.2:2")], root / "out", workers=1)
    return root / "out" / "sweep.html"


@pytest.fixture
def cmap(browser: Any, compared: dict[str, Any]) -> Iterator[Opened]:
    opened = open_page(browser, compared["out"] / "comparison_map.html")
    opened.page.wait_for_function("window.estateCompare && window.estateCompare.current")
    yield opened
    opened.page.close()


def _page(browser: Any, path: Path) -> Opened:
    return open_page(browser, path, wait_for_map=False)


def _after_sites(folder: Path) -> tuple[int, int]:
    """(sites drawn after the plan, of which closed), from the plan's sites.csv."""
    decision = pd.read_csv(folder / "sites.csv", dtype=str, keep_default_na=False)["decision"]
    return int((decision != "not_built").sum()), int((decision == "close").sum())


def _markers(opened: Opened, view: str) -> tuple[int, int]:
    """(site markers, closed ones) drawn on the left ("a") or right ("b") map."""
    pane = f".estate-view-{view} .leaflet-marker-pane"
    return opened.count(f"{pane} .estate-site"), opened.count(f"{pane} .estate-site.estate-close")


def _rings(opened: Opened, view: str) -> int:
    return opened.count(f'.estate-view-{view} .leaflet-overlay-pane path[stroke="{RING}"]')


def _choose(opened: Opened, select: str, k: int) -> None:
    opened.page.select_option(select, str(k))
    opened.page.wait_for_timeout(150)


def _split(opened: Opened) -> None:
    opened.page.click("button.estate-split")
    opened.page.wait_for_selector(".estate-view-b .leaflet-marker-pane", state="attached")
    opened.page.wait_for_timeout(300)


def _split_on_a_phone(browser: Any, compared: dict[str, Any]) -> Opened:
    """The comparison map at 390 x 844, its panel shown and Side by side pressed: the two
    maps one above the other, each drawn and its plan fitted between its panels."""
    opened = open_page(browser, compared["out"] / "comparison_map.html", size=(390, 844))
    opened.page.wait_for_function("window.estateCompare && window.estateCompare.current")
    opened.page.get_by_role("button", name="Show panel: Comparing 3 scenarios",
                            exact=True).click()
    _split(opened)
    opened.page.wait_for_timeout(100)
    return opened


def test_comparison_map_passes_axe(cmap: Opened) -> None:
    assert axe_violations(cmap) == []
    for summary in cmap.page.locator("#estate-compare summary").all():
        summary.click()  # every fold-out open: the layer lists are checked too
    assert axe_violations(cmap) == []
    _split(cmap)
    assert axe_violations(cmap) == []
    cmap.clean()


def test_switcher_shows_one_scenario_at_a_time(cmap: Opened,
                                               compared: dict[str, Any]) -> None:
    label = cmap.page.locator("label[for=estate-scenario-a]")
    assert label.inner_text().strip() == "Scenario shown"
    options = cmap.page.locator("#estate-scenario-a option").all_text_contents()
    assert options == NAMES  # the script-named scenario is text
    seen = []
    for k in (0, 2, 1, 0):
        _choose(cmap, "#estate-scenario-a", k)
        drawn, closed = _after_sites(compared["folders"][k])
        assert _markers(cmap, "a") == (drawn, closed), NAMES[k]
        # the layer list speaks of the scenario shown
        after = cmap.page.locator(".estate-kinds-main label").first.inner_text()
        assert after == f"Sites after ({drawn - closed} in use, {closed} closed)"
        seen.append(_markers(cmap, "a"))
    assert len(set(seen)) == 3, "each scenario draws its own sites"
    assert cmap.count(".leaflet-control-layers") == 0  # no list of every layer
    # the scenario's name isolated (U+2068 ... U+2069), as a register name is
    assert cmap.page.locator("[role=status]").inner_text() == f"Showing \u2068{NAMES[0]}\u2069."
    cmap.clean()


def test_layer_boxes_apply_to_whichever_scenario_is_shown(cmap: Opened,
                                                         compared: dict[str, Any]) -> None:
    box = cmap.page.locator(".estate-kinds-main input").first
    box.uncheck()
    assert _markers(cmap, "a") == (0, 0)
    _choose(cmap, "#estate-scenario-a", 2)
    assert _markers(cmap, "a") == (0, 0)  # still off for the next scenario
    box.check()
    assert _markers(cmap, "a") == _after_sites(compared["folders"][2])
    cmap.clean()


def test_side_by_side_maps_stay_in_step(cmap: Opened, compared: dict[str, Any]) -> None:
    cmap.page.focus("button.estate-split")
    cmap.page.keyboard.press("Enter")  # by keyboard
    cmap.page.wait_for_selector(".estate-view-b .leaflet-marker-pane", state="attached")
    cmap.page.wait_for_timeout(300)
    assert cmap.page.get_attribute("button.estate-split", "aria-pressed") == "true"
    assert cmap.count(".leaflet-container") == 2
    assert _markers(cmap, "a") == _after_sites(compared["folders"][0])
    assert _markers(cmap, "b") == _after_sites(compared["folders"][1])
    _choose(cmap, "#estate-scenario-b", 2)
    assert _markers(cmap, "b") == _after_sites(compared["folders"][2])
    assert _markers(cmap, "a") == _after_sites(compared["folders"][0])
    centres = ("estateCompare.current.views.map(v => "
               "[v.map.getCenter().lat, v.map.getCenter().lng, v.map.getZoom()])")
    before = cmap.page.evaluate(centres)
    box = cmap.page.locator(".estate-view-a").bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.6
    cmap.page.mouse.move(x, y)
    cmap.page.mouse.down()
    cmap.page.mouse.move(x - 120, y + 80, steps=8)
    cmap.page.mouse.up()
    cmap.page.wait_for_timeout(1500)  # Leaflet's inertia runs on after the drag
    after = cmap.page.evaluate(centres)
    assert after[0] != before[0], "the drag moved the left map"
    assert after[1] == pytest.approx(after[0], abs=1e-9), "the right map followed"
    cmap.clean()


def test_differing_sites_are_ringed_on_every_map(cmap: Opened) -> None:
    # S1 and S2 of the hostile register: kept in Kept, closed in the other
    assert _rings(cmap, "a") == 2
    _split(cmap)
    assert _rings(cmap, "a") == 2 and _rings(cmap, "b") == 2
    listed = cmap.page.locator(".estate-compare-differing li").all_text_contents()
    assert len(listed) == 2 and all("Kept kept" in t and f"{SCRIPT_NAME} closed" in t
                                    for t in listed)
    cmap.clean()


def test_a_dozen_controls_at_most(cmap: Opened) -> None:
    one = cmap.page.evaluate(CONTROLS)
    _split(cmap)
    two = cmap.page.evaluate(CONTROLS)
    # select, button, three layer boxes, four fold-outs, zoom in/out, the panel's Hide
    # panel button; + the right map's select and its panel's Hide panel button
    assert 5 <= one <= 13 and one < two <= 14, (one, two)
    cmap.clean()


PANEL_STATE = """(panel) => {
  const node = document.querySelector(panel), button = node.querySelector('button.estate-panel-toggle');
  const r = node.getBoundingClientRect(), select = node.querySelector('select');
  const caption = node.querySelector('.estate-panel-caption');
  return {expanded: button.getAttribute('aria-expanded'), label: button.textContent,
          focused: document.activeElement === button,
          outline: getComputedStyle(button).outlineStyle,
          select: select.checkVisibility(), height: r.height,
          caption: caption && caption.checkVisibility() ? caption.textContent : null};
}"""


UNDER_PANEL = """() => {
  const r = document.querySelector('.estate-view-a').getBoundingClientRect();
  return !!document.elementFromPoint(r.left + 120, r.top + 300).closest('.leaflet-control');
}"""


def test_each_map_s_panel_hides_and_shows_by_its_own_button(cmap: Opened) -> None:
    """Side by side, each map's panel folds away by a real button (the left one by
    mouse, the right one by keyboard) to a line saying which scenario the map shows,
    the map is seen where the panel was, and the panel comes back as it was."""
    page = cmap.page
    page.set_viewport_size({"width": 1366, "height": 900})
    _split(cmap)
    panels = {"#estate-compare": f"Left map: {NAMES[0]}", ".estate-compare-b": f"Right map: {NAMES[1]}"}
    shown = {panel: page.evaluate(PANEL_STATE, panel) for panel in panels}
    assert page.evaluate(UNDER_PANEL)
    for seen in shown.values():
        assert seen["expanded"] == "true" and seen["select"] and seen["caption"] is None, seen
        assert seen["label"] == "Hide panel", seen
    page.get_by_role("button", name="Hide panel: Comparing 3 scenarios", exact=True).click()
    right = page.locator(".estate-compare-b button.estate-panel-toggle")
    right.focus()
    page.keyboard.press("Enter")
    page.wait_for_timeout(200)
    for panel, caption in panels.items():
        seen = page.evaluate(PANEL_STATE, panel)
        assert seen["expanded"] == "false" and seen["label"] == "Show panel", seen
        assert not seen["select"] and seen["caption"] == caption, seen
        assert seen["height"] < shown[panel]["height"] / 2, (seen, shown[panel])
    right_seen = page.evaluate(PANEL_STATE, ".estate-compare-b")
    assert right_seen["focused"] and right_seen["outline"] != "none", right_seen
    assert not page.evaluate(UNDER_PANEL)  # the map is seen where the panel was
    assert axe_violations(cmap) == []
    page.keyboard.press(" ")  # Space shows it again
    page.get_by_role("button", name="Show panel: Comparing 3 scenarios", exact=True).click()
    page.wait_for_timeout(200)
    for panel in panels:
        seen = page.evaluate(PANEL_STATE, panel)
        assert seen["expanded"] == "true" and seen["select"] and seen["caption"] is None, seen
        assert seen["height"] == pytest.approx(shown[panel]["height"], abs=2), seen
    assert axe_violations(cmap) == []
    cmap.clean()


WHOLE_AND_CLEAR = """(panel) => {
  // the panel shows all it holds, and its button is what lies at the button's centre
  const node = document.querySelector(panel), button = node.querySelector('button.estate-panel-toggle');
  const q = button.getBoundingClientRect();
  const at = document.elementFromPoint(q.left + q.width / 2, q.top + q.height / 2);
  return {whole: node.scrollHeight <= node.clientHeight + 1, clear: button.contains(at)};
}"""


def test_side_by_side_at_200_percent_zoom_keeps_the_folded_panel_whole(
        browser: Any, compared: dict[str, Any]) -> None:
    """A 1280 x 800 window at 200% zoom is 640 x 400 CSS px: Side by side stacks the
    maps, each 200 px high, and the left panel folds. Folded, it keeps the room of its
    row whole (its Show panel button, focused, and "Left map: ..."); it was squeezed to
    16 px under its "more below" hint, the button and the line hidden."""
    opened = open_page(browser, compared["out"] / "comparison_map.html", size=(640, 400))
    page = opened.page
    page.wait_for_function("window.estateCompare && window.estateCompare.current")
    show = page.get_by_role("button", name="Show panel: Comparing 3 scenarios", exact=True)
    if show.count():
        show.click()
    _split(opened)
    left = page.evaluate(PANEL_STATE, "#estate-compare")
    assert left["expanded"] == "false" and left["focused"], left
    assert left["caption"] == f"Left map: {NAMES[0]}", left
    assert page.evaluate(WHOLE_AND_CLEAR, "#estate-compare") == {"whole": True, "clear": True}
    opened.clean()
    page.close()


def test_a_control_reached_by_tab_is_clear_of_the_more_below_hint(
        browser: Any, compared: dict[str, Any]) -> None:
    """In a window whose panel scrolls, every control of the comparison's panel that Tab
    reaches lies clear of the "more below: scroll" hint pinned over the panel's foot
    (WCAG 2.4.11). The first layer box lay under the hint at 1280 x 800."""
    opened = open_page(browser, compared["out"] / "comparison_map.html", size=(1280, 500))
    page = opened.page
    page.wait_for_function("window.estateCompare && window.estateCompare.current")
    page.focus("#estate-scenario-a")
    hidden, reached = [], 0
    for _ in range(12):
        page.keyboard.press("Tab")
        state = page.evaluate("""() => {
          const f = document.activeElement, panel = document.querySelector('#estate-compare');
          if (!panel.contains(f)) { return null; }
          // the hint lets clicks through (pointer-events: none), so it is measured, not hit
          const r = f.getBoundingClientRect(), hint = panel.querySelector('.estate-more');
          const h = hint.getBoundingClientRect(), shown = getComputedStyle(hint).display !== 'none';
          return {name: f.id || f.textContent.trim().slice(0, 40),
                  clear: !shown || r.bottom <= h.top || r.top >= h.bottom};
        }""")
        if state is None:
            break
        reached += 1
        if not state["clear"]:
            hidden.append(state["name"])
    assert reached >= 3 and hidden == [], (reached, hidden)
    opened.clean()
    page.close()


def test_side_by_side_on_a_phone_folds_both_panels(browser: Any,
                                                  compared: dict[str, Any]) -> None:
    """At 390 x 844 the two maps are one above the other, each half the height: the
    panel shown to press Side by side folds (focus on its Show panel button, on the same
    row), the right map's panel starts folded, each says which scenario its map shows,
    and axe finds nothing serious; Show panel brings the left one back."""
    opened = _split_on_a_phone(browser, compared)
    page = opened.page
    left = page.evaluate(PANEL_STATE, "#estate-compare")
    right = page.evaluate(PANEL_STATE, ".estate-compare-b")
    assert left["expanded"] == "false" and left["focused"], left
    assert left["caption"] == f"Left map: {NAMES[0]}", left
    assert right["expanded"] == "false" and right["caption"] == f"Right map: {NAMES[1]}", right
    assert axe_violations(opened) == []
    page.keyboard.press("Enter")
    assert page.evaluate(PANEL_STATE, "#estate-compare")["select"]
    opened.clean()
    page.close()


def test_the_comparison_map_held_sideways_opens_with_every_site_and_popup_clear(
        browser: Any, compared: dict[str, Any]) -> None:
    """At 844 x 390 (a phone held sideways: wide, but short) the comparison's panel and
    its legend start folded, and every site of the scenario shown starts wholly on the
    map, under no panel, a tab stop; each site's popup opens wholly inside the window,
    under no panel, its close button uncovered; axe finds nothing serious."""
    opened = open_page(browser, compared["out"] / "comparison_map.html", size=SIDEWAYS)
    page = opened.page
    page.wait_for_function("window.estateCompare && window.estateCompare.current")
    assert page.evaluate(PANEL_STATE, "#estate-compare")["expanded"] == "false"
    assert opened.count("#estate-legend details[open]") == 0
    placed = page.evaluate(SITES_PLACED)
    assert len(placed) == _after_sites(compared["folders"][0])[0]
    assert [m["label"] for m in placed if not m["inside"] or m["under"] or m["tab"] != 0] == []
    assert axe_violations(opened) == []
    for nth in range(len(placed)):
        label = page.evaluate(OPEN_TOP_POPUP, nth)
        page.wait_for_selector(".leaflet-popup-content h4")
        page.wait_for_timeout(700)  # the pan into view
        head = page.locator(".leaflet-popup-content h4").first.inner_text()
        assert label.startswith(f"\u2068{head}\u2069")  # the name isolated in the label
        assert page.evaluate(POPUP_UNDER) == {"inside": True, "under": []}, label
        assert page.evaluate(CLOSE_SEEN), label
        page.locator(".leaflet-popup-close-button").click()
        page.wait_for_selector(".leaflet-popup", state="detached")
    opened.clean()
    page.close()


def test_comparison_page_passes_axe(browser: Any, compared: dict[str, Any]) -> None:
    opened = _page(browser, compared["out"] / "comparison.html")
    assert axe_violations(opened) == []
    assert SCRIPT_NAME in opened.page.inner_text("main")
    opened.clean()
    opened.page.close()


def test_a_scenario_s_folded_reasons_pass_axe_and_open_from_the_keyboard(
        browser: Any, compared: dict[str, Any], tmp_path: Path) -> None:
    """A scenario with no plan shows five reasons and folds the rest: the page still
    passes axe, and Enter on the fold's summary shows the rest."""
    import dataclasses

    from estate.render.compare_page import page
    from estate.status import Status

    reasons = "".join(f"  - zone Z{i}: no site left open offering public_access within 2 km\n"
                      for i in range(1, 9))
    stuck = dataclasses.replace(
        compared["runs"][2], summary=None, status=Status.INFEASIBLE,
        message="The scenario is infeasible: no plan meets every rule.\n" + reasons
        + "  - the rules to relax: coverage.0.radius_km")
    path = tmp_path / "comparison.html"
    path.write_text(page([*compared["runs"][:2], stuck]), encoding="utf-8")
    opened = _page(browser, path)
    assert axe_violations(opened) == []
    assert not opened.page.is_visible("text=zone Z8:")
    opened.page.focus("details summary")
    opened.page.keyboard.press("Enter")
    assert opened.page.is_visible("text=zone Z8:")
    opened.clean()
    opened.page.close()


def test_sweep_page_passes_axe(browser: Any, swept: Path) -> None:
    opened = _page(browser, swept)
    assert axe_violations(opened) == []
    assert opened.count("main h1") == 1
    opened.clean()
    opened.page.close()


def test_programme_page_passes_axe(browser: Any, planned: dict[str, Path]) -> None:
    opened = _page(browser, planned["programme"])
    assert axe_violations(opened) == []
    assert opened.count("main h1") == 1
    opened.clean()
    opened.page.close()


def test_board_pack_page_passes_axe(browser: Any, planned: dict[str, Path]) -> None:
    opened = _page(browser, planned["board"])
    assert axe_violations(opened) == []
    assert opened.count("main") == 1
    opened.clean()
    opened.page.close()


def test_on_a_phone_the_board_pack_s_charts_keep_their_size_and_scroll(
        browser: Any, planned: dict[str, Path]) -> None:
    """At 390 px the page's column is about 290 px: each chart keeps the 36 rem (576 px)
    its words are read at and scrolls sideways in a box the Tab key reaches, named by
    its caption, and the page itself does not scroll sideways; axe finds nothing. The
    charts were shrunk to the column, their words about 4 px high."""
    opened = open_page(browser, planned["board"], wait_for_map=False, size=(390, 844))
    page = opened.page
    boxes = page.evaluate("""() => [...document.querySelectorAll('.figure-box')].map(b => ({
        svg: b.querySelector('svg').getBoundingClientRect().width, box: b.clientWidth,
        scrolls: b.scrollWidth > b.clientWidth, tab: b.tabIndex,
        named: document.getElementById(b.getAttribute('aria-labelledby')).textContent.length}))""")
    assert len(boxes) >= 3, boxes  # the estate's map, the cash-flow curve, the Gantt charts
    assert all(b["svg"] >= 575 and b["scrolls"] and b["tab"] == 0 and b["named"] > 0
               for b in boxes), boxes
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(opened) == []
    opened.clean()
    page.close()


SPLIT_PANELS = """() => {
  const box = n => { const r = n.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const one = s => { const n = document.querySelector(s); return n && n.offsetWidth ? box(n) : null; };
  return {a: box(document.querySelector('.estate-view-a')), b: box(document.querySelector('.estate-view-b')),
          panel: one('#estate-compare'), right: one('.estate-compare-b'), legend: one('#estate-legend'),
          legendOpen: !!document.querySelector('#estate-legend details[open]'),
          width: window.innerWidth, height: window.innerHeight};
}"""


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("size", [(1366, 900), (1280, 800)])
def test_side_by_side_maps_stay_mostly_visible(cmap: Opened, size: tuple[int, int]) -> None:
    """Side by side, each map's panel takes well under half its width and the legend
    starts folded; with the legend open, no panel overlaps another and each stays in
    the window (the panel above it scrolls instead)."""
    page = cmap.page
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.evaluate("document.querySelector('#estate-legend details').open = true")
    _split(cmap)
    seen = page.evaluate(SPLIT_PANELS)
    assert not seen["legendOpen"], seen
    for panel, view in (("panel", "a"), ("right", "b")):
        width = seen[view][2] - seen[view][0]
        assert seen[panel][2] - seen[panel][0] <= 0.45 * width, (panel, seen)
        assert seen[view][0] <= seen[panel][0] and seen[panel][2] <= seen[view][2], (panel, seen)
    page.click("#estate-legend summary")
    page.wait_for_timeout(200)
    seen = page.evaluate(SPLIT_PANELS)
    assert seen["legendOpen"], seen
    names = ["panel", "legend", "right"]
    for i, a in enumerate(names):
        assert seen[a][1] >= 0 and seen[a][3] <= seen["height"], (a, seen)
        for b in names[i + 1:]:
            assert not _overlap(seen[a], seen[b]), (a, b, seen)
    assert seen["legend"][2] <= seen["a"][2], seen  # the legend stays on its own map
    cmap.clean()


SITES_UNDER_PANELS = """(view) => {
  // the site markers of one map (a named button each) outside its box or partly under
  // one of its panels (a Leaflet control shown, the scale bar aside), or out of the tab
  // order; and how many site markers it has
  const box = n => n.getBoundingClientRect();
  const meet = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const within = (a, b) => a.left >= b.left && a.right <= b.right && a.top >= b.top && a.bottom <= b.bottom;
  const map = document.querySelector(`.estate-view-${view}`), edge = box(map);
  const panels = [...map.querySelectorAll('.leaflet-control')]
    .filter(c => c.offsetWidth && !c.classList.contains('leaflet-control-scale')).map(box);
  const sites = [...map.querySelectorAll('.leaflet-marker-pane .estate-site[role=button]')];
  return {sites: sites.length, wrong: sites.filter(m => !within(box(m), edge)
    || panels.some(p => meet(box(m), p)) || m.tabIndex !== 0).map(m => m.getAttribute('aria-label'))};
}"""


def test_side_by_side_on_a_phone_shows_every_site_clear_of_the_panels(
        browser: Any, compared: dict[str, Any]) -> None:
    """At 390 x 844, split one above the other, each map shows every site of the plan it
    shows inside its box, under none of its panels (the folded panels, the legend, the
    zoom buttons) and in the tab order."""
    opened = _split_on_a_phone(browser, compared)
    page = opened.page
    for view, k in (("a", 0), ("b", 1)):
        drawn, _ = _after_sites(compared["folders"][k])
        seen = page.evaluate(SITES_UNDER_PANELS, view)
        assert seen == {"sites": drawn, "wrong": []}, (view, seen)
    assert axe_violations(opened) == []
    opened.clean()
    page.close()
