"""The comparison map's lists of moves (compare.js with maps/static/moves.js): over 2,000
moves a scenario's lines are drawn on a canvas, where no line is an element a keyboard
or a screen reader reaches; the map lists the moves of the scenario it shows instead.

Headless Chromium on comparisons run here (`estate.api.compare`) on a register built in
code: 30 offices ringing two hubs, each office housing one team of each agency, and
two scenarios that close every office and one hub, North keeping the north hub and
South the south one. With 70 agencies each plan moves 2,100 teams on 2,100 routes
(office, hub, agency), each of its own FTE; with 2 agencies, 60. The lists are checked
against the results' assignments.csv and sites.csv, read here without the page; the
names of one agency and one office are injection payloads. Every request off the
machine refused.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from estate.api import compare
from tests.fixtures import PAYLOAD, scenario_on, write_scenario
from tests.fixtures.browser import (
    OVERLAPS,
    Opened,
    axe_violations,
    clear_of_panels,
    map_figure,
    open_page,
)
from tests.fixtures.register import agency, function, site, write_register

pytestmark = pytest.mark.browser

OFFICES = 30
LISTED = 200
SCENARIOS = ("North", "South")


def _comparison(root: Path, agencies: int) -> Path:
    """Run the comparison of North and South on the register of `agencies` agencies under
    `root`; return the folder holding out/ and results/."""
    offices = [f"S{i:02d}" for i in range(OFFICES)]
    teams = OFFICES * agencies
    sites = [site("H1", "A000", 0, 0, desks=1e6, running_cost=10_000, name="North hub"),
             site("H2", "A000", 0, -40, desks=1e6, running_cost=10_000, name="South hub")]
    for i, office in enumerate(offices):
        turn = 2 * math.pi * i / OFFICES
        sites.append(site(office, "A000", 20 * math.cos(turn), 20 * math.sin(turn) - 20,
                          desks=1e5, running_cost=1_000_000,
                          name=PAYLOAD if i == 0 else f"Office {i}"))
    # a different FTE for each team: 1 to 210.9 in tenths (7,919 is prime to 2,100)
    teams_rows = [function(f"F{i:02d}_{a:03d}", f"A{a:03d}", "IT", office,
                           fte=1 + ((i * agencies + a) * 7919 % teams) / 10, annual_cost=1000)
                  for i, office in enumerate(offices) for a in range(agencies)]
    register = write_register(
        root / "register",
        [agency(f"A{a:03d}", "council", name=PAYLOAD if a == 0 else None) for a in range(agencies)],
        sites, teams_rows)
    paths = [write_scenario(root / f"{name.lower()}.toml",
                            scenario_on(register, name, policy={"keep": [keep], "close": offices + [shut]}))
             for name, keep, shut in (("North", "H1", "H2"), ("South", "H2", "H1"))]
    compare(paths, out=root / "out", results_root=root / "results", policy_costs=False)
    return root


def _routes(root: Path, name: str) -> pd.DataFrame:
    """The scenario's moves as its map draws them, from its results alone: assignments
    summed by (from site, to site, agency), the most FTE first, with the sites' names and
    places and the agency's name."""
    folder = root / "results" / name
    moved = pd.read_csv(folder / "assignments.csv", dtype={"from_site": str, "to_site": str})
    moved = moved[moved["from_site"].notna() & (moved["from_site"] != moved["to_site"])]
    sites = pd.read_csv(folder / "sites.csv", dtype=str, keep_default_na=False).set_index("site_id")
    agencies = pd.read_csv(root / "register" / "agencies.csv", dtype=str).set_index("agency_id")
    routes = (moved.groupby(["from_site", "to_site", "agency_id"], as_index=False)["fte_moved"].sum()
              .sort_values("fte_moved", ascending=False, kind="stable").reset_index(drop=True))
    for end in ("from", "to"):
        routes[f"{end}_name"] = routes[f"{end}_site"].map(sites["name"])
        for axis in ("lat", "lon"):
            routes[f"{end}_{axis}"] = routes[f"{end}_site"].map(sites[axis].astype(float))
    routes["agency"] = routes["agency_id"].map(agencies["name"])
    return routes


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _comparison(tmp_path_factory.mktemp("cmp-many"), agencies=70)


@pytest.fixture(scope="module")
def few(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _comparison(tmp_path_factory.mktemp("cmp-few"), agencies=2)


# the lists of moves in the page: the heading, whether it names the region, whether the
# list is shown, the entries, the column it is in, the map it is on
LISTS = """() => [...document.querySelectorAll('.estate-moves')].map(box => ({
  title: box.querySelector('h2').textContent,
  region: box.getAttribute('aria-labelledby') === box.querySelector('h2').id,
  shown: !!box.offsetWidth,
  items: [...box.querySelectorAll('button.estate-move-show')].map(b => b.textContent),
  corner: box.closest('.leaflet-top.leaflet-right') ? 'right' :
    box.closest('.leaflet-top.leaflet-left') ? 'left' : null,
  map: box.closest('.estate-view-b') ? 'b' : 'a'}))"""
MAP_A = "window[document.querySelector('.estate-view-a').id]"
SHOWN = ".estate-view-a .estate-moves:not([hidden])"
# the panels of a map (its Leaflet controls but the scale) that its open popup overlaps
POPUP_UNDER = """(view) => {
  const popup = document.querySelector(view + ' .leaflet-popup').getBoundingClientRect();
  return [...document.querySelectorAll(view + ' .leaflet-control')]
    .filter(c => c.offsetWidth && !c.classList.contains('leaflet-control-scale'))
    .filter(c => { const r = c.getBoundingClientRect();
      return r.left < popup.right - 0.5 && popup.left < r.right - 0.5 &&
        r.top < popup.bottom - 0.5 && popup.top < r.bottom - 0.5; })
    .map(c => c.id || c.className);
}"""


def _expected(routes: pd.DataFrame) -> list[str]:
    return [f"{map_figure(r.fte_moved)} FTE: {r.from_name} \u2192 {r.to_name}"
            for r in routes.head(LISTED).itertuples()]


def _tab_to(page: Any, selector: str, most: int = 400) -> int:
    """Press Tab from the top of the page until the element `selector` has the focus;
    return how many presses it took (an assertion fails past `most`)."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for presses in range(1, most + 1):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement === document.querySelector({selector!r})"):
            return presses
    raise AssertionError(f"Tab never reached {selector} in {most} presses")


def _show_move(opened: Opened, rank: int, move: Any, label: str, folds: bool) -> None:
    """Enter on the entry `rank` of the list shown: its popup names the move's two sites,
    its FTE and agency, holds the focus, and both ends lie on the map clear of the
    panels; Escape closes it, focus back on the entry."""
    page = opened.page
    button = page.locator(f"{SHOWN} button.estate-move-show").nth(rank)
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".leaflet-popup-content h4")
    page.wait_for_timeout(400)  # the popup's pan into view
    content = page.locator(".leaflet-popup-content")
    assert page.inner_text(".leaflet-popup-content h4") == f"{move.from_name} \u2192 {move.to_name}"
    text = content.inner_text()
    assert map_figure(move.fte_moved) in text and move.agency in text
    assert page.evaluate("document.querySelector('.leaflet-popup').contains(document.activeElement)")
    scenario = label.rsplit(": ", 1)[1]
    assert page.get_attribute(".leaflet-popup", "aria-label").endswith(f"(\u2068{scenario}\u2069)")
    assert page.evaluate(f"!document.querySelector('{SHOWN} details').open") == folds
    ends = [[move.from_lat, move.from_lon], [move.to_lat, move.to_lon]]
    assert page.evaluate(clear_of_panels(MAP_A),
                         ends) == [True, True]
    page.keyboard.press("Escape")
    page.wait_for_selector(".leaflet-popup", state="detached")
    assert page.evaluate("document.activeElement.textContent") == button.text_content()
    assert page.evaluate(f"document.querySelector('{SHOWN} details').open")


@pytest.mark.parametrize("size", [(1400, 900), (390, 844)])
def test_a_comparison_over_2000_moves_lists_the_moves_of_the_scenario_shown(
        browser: Any, many: Path, size: tuple[int, int]) -> None:
    """Each scenario moves 2,100 teams, drawn on a canvas: the map lists the moves of the
    scenario shown ("Moves, largest first: North"), the 200 with the most FTE in the
    order its assignments.csv gives, in the top right (on a phone in the top left,
    under the comparison panel), clear of every other panel. Tab reaches it; Enter on an
    entry shows that move of that scenario (its sites, FTE and agency) with focus in its
    popup, Escape returns focus. Another scenario chosen, its own list takes the place
    of the first. axe finds nothing serious with a list open."""
    opened: Opened = open_page(browser, many / "out" / "comparison_map.html", size=size)
    page = opened.page
    page.wait_for_function("window.estateCompare && window.estateCompare.current")
    phone = size[0] < 700
    assert opened.count("path.estate-move") == 0  # drawn on the canvas
    routes = {name: _routes(many, name) for name in SCENARIOS}
    assert all(len(r) == 2100 for r in routes.values())
    lists = page.evaluate(LISTS)
    assert len(lists) == 1, lists
    north = lists[0]
    assert north["title"] == "Moves, largest first: North" and north["region"] and north["shown"]
    assert north["corner"] == ("left" if phone else "right")
    assert north["items"] == _expected(routes["North"])
    assert page.evaluate(OVERLAPS) == []
    assert _tab_to(page, f"{SHOWN} summary") > 1
    page.keyboard.press("Enter")  # unfolds it
    assert page.evaluate(f"document.querySelector('{SHOWN} details').open")
    assert page.evaluate(OVERLAPS) == []
    assert axe_violations(opened) == []
    for rank in (0, 57, 199):
        _show_move(opened, rank, routes["North"].iloc[rank], north["title"], folds=phone)
    # South chosen: its list in place of North's, made once and kept
    if phone:  # the comparison panel starts folded on a phone
        page.click("#estate-compare button.estate-panel-toggle")
    page.select_option("#estate-scenario-a", "1")
    lists = page.evaluate(LISTS)
    assert [(x["title"], x["shown"]) for x in lists] == [
        ("Moves, largest first: North", False), ("Moves, largest first: South", True)]
    assert lists[1]["items"] == _expected(routes["South"])
    assert all(item.endswith("\u2192 South hub") for item in lists[1]["items"])
    if phone:
        page.click("#estate-compare button.estate-panel-toggle")
    assert page.evaluate(OVERLAPS) == []
    page.locator(f"{SHOWN} summary").click()
    _show_move(opened, 3, routes["South"].iloc[3], lists[1]["title"], folds=phone)
    opened.clean()
    page.close()


@pytest.mark.parametrize("size", [(1400, 900), (1536, 864)])
def test_side_by_side_each_map_lists_the_moves_of_its_scenario(
        browser: Any, many: Path, size: tuple[int, int]) -> None:
    """Side by side, the right map (South, the scenario after the one shown) has the list
    of South's moves, the left map North's (folded at the split: open, it would cover
    half the left map), and no panel covers another. Enter on the right map's entries
    opens the popup of South's move, under no panel: the open list, as tall as the map,
    folds while it is open, as the panels leave less room between them than a popup may
    take (at 1536 px the right map is 765 px wide, no phone's, and its popup was a third
    under the list); Escape returns focus to the entry."""
    opened: Opened = open_page(browser, many / "out" / "comparison_map.html", size=size)
    page = opened.page
    page.wait_for_function("window.estateCompare && window.estateCompare.current")
    page.click(f"{SHOWN} summary")
    page.click("button.estate-split")
    page.wait_for_timeout(300)
    shown = [(x["map"], x["title"], x["corner"]) for x in page.evaluate(LISTS) if x["shown"]]
    # each in the corner its own map's size gives (moves.js): the right map, 3 px of
    # border narrower than the left, is under 700 px wide, a phone's, and lists it in
    # the top left under its scenario's panel
    widths = page.evaluate("""() => ['a', 'b'].map(v =>
      document.querySelector('.estate-view-' + v).clientWidth)""")
    corners = ["left" if width < 700 else "right" for width in widths]
    assert shown == [("a", "Moves, largest first: North", corners[0]),
                     ("b", "Moves, largest first: South", corners[1])]
    assert not page.evaluate(f"document.querySelector('{SHOWN} details').open")
    assert page.evaluate(OVERLAPS) == []
    assert axe_violations(opened) == []
    right = ".estate-view-b .estate-moves:not([hidden])"
    page.click(f"{right} summary")
    assert page.evaluate(OVERLAPS) == []
    for rank in (0, 2):
        move = _routes(many, "South").iloc[rank]
        button = page.locator(f"{right} button.estate-move-show").nth(rank)
        button.focus()
        page.keyboard.press("Enter")
        page.wait_for_selector(".estate-view-b .leaflet-popup-content h4")
        page.wait_for_timeout(400)  # the popup's pan into view
        assert page.inner_text(".estate-view-b .leaflet-popup-content h4") == \
            f"{move.from_name} \u2192 {move.to_name}"
        assert map_figure(move.fte_moved) in page.inner_text(".estate-view-b .leaflet-popup-content")
        assert page.evaluate("document.querySelector('.estate-view-b .leaflet-popup')"
                             ".contains(document.activeElement)")
        assert page.evaluate(POPUP_UNDER, ".estate-view-b") == []
        page.keyboard.press("Escape")
        page.wait_for_selector(".leaflet-popup", state="detached")
        assert page.evaluate("document.activeElement.textContent") == button.text_content()
        assert page.evaluate(f"document.querySelector('{right} details').open")
    opened.clean()
    page.close()


@pytest.mark.parametrize("size", [(1400, 900), (390, 844)])
def test_a_comparison_under_2000_moves_has_focusable_lines_and_no_list(
        browser: Any, few: Path, size: tuple[int, int]) -> None:
    """60 moves a scenario are drawn in SVG: no list; each line of the scenario shown is a
    button in the tab order, named by what moves where."""
    opened: Opened = open_page(browser, few / "out" / "comparison_map.html", size=size)
    page = opened.page
    page.wait_for_function("window.estateCompare && window.estateCompare.current")
    assert page.evaluate(LISTS) == []
    lines = page.evaluate("""() => [...document.querySelectorAll('.estate-view-a path.estate-move')]
      .map(p => ({role: p.getAttribute('role'), name: p.getAttribute('aria-label')}))""")
    routes = _routes(few, "North")
    assert len(lines) == len(routes) == 60
    assert all(line["role"] == "button" for line in lines)
    assert sorted(line["name"] for line in lines) == sorted(
        f"Move of {map_figure(r.fte_moved)} FTE from \u2068{r.from_name}\u2069 to "
        f"\u2068{r.to_name}\u2069" for r in routes.itertuples())
    assert page.evaluate(OVERLAPS) == []
    opened.clean()
    page.close()
