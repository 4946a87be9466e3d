"""The plan map's list of moves (maps/static/moves.js): over 2,000 moves are drawn on a
canvas, where no line is an element a keyboard or a screen reader reaches; the map
lists them instead, the most staff first, each a button that shows its move on the map.

Headless Chromium on a made-up plan of 40 sites (`write_results`, names that are
injection payloads) whose assignments are replaced by 2,500 moves, one function each,
every (from site, to site, agency) once and each of its own FTE, so that the order of
the list is known without the page: every request off the machine refused.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import estate.maps.page as map_page
from estate.maps.payload import read_plan
from tests.fixtures import write_results
from tests.fixtures.browser import (
    OVERLAPS,
    Opened,
    axe_violations,
    clear_of_panels,
    map_figure,
    open_page,
)

pytestmark = pytest.mark.browser

MOVES = 2500
LISTED = 200


def _fte(k: int) -> float:
    """A different FTE for each move: 0.5 to 250.4 in tenths (7,919 is prime to 2,500)."""
    return 0.5 + (k * 7919 % MOVES) / 10


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    """The map of the plan with 2,500 moves, and the moves (from, to, agency, FTE, the
    sites' names and places), the most FTE first."""
    root = tmp_path_factory.mktemp("moves")
    folder = write_results(root / "plan", n_sites=40, n_zones=40)
    plan = read_plan(folder)
    sites = list(plan.sites["site_id"])
    agencies = sorted(set(plan.sites["agency_id"]))
    triples = [(a, b, g) for a in sites for b in sites if a != b for g in agencies][:MOVES]
    assignments = pd.DataFrame({
        "function_id": [f"F{k:05d}" for k in range(MOVES)],
        "agency_id": [t[2] for t in triples], "type": "office",
        "from_site": [t[0] for t in triples], "to_site": [t[1] for t in triples],
        "share": 1.0, "pooled": 0.0, "fte_moved": [_fte(k) for k in range(MOVES)]})
    moved = dataclasses.replace(plan, assignments=assignments)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(map_page, "read_plan", lambda _folder: moved)
        path = map_page.render_map(folder, root / "moves.html")
    names = dict(zip(plan.sites["site_id"], plan.sites["name"], strict=True))
    routes = (assignments.groupby(["from_site", "to_site", "agency_id"], as_index=False)["fte_moved"]
              .sum().sort_values("fte_moved", ascending=False, kind="stable"))
    for end in ("from", "to"):
        routes[f"{end}_name"] = routes[f"{end}_site"].map(names)
        for axis in ("lat", "lon"):
            where = dict(zip(plan.sites["site_id"], plan.sites[axis].astype(float), strict=True))
            routes[f"{end}_{axis}"] = routes[f"{end}_site"].map(where)
    return path, routes.reset_index(drop=True)


LIST = """() => { const box = document.querySelector('.estate-moves');
  return box && {title: box.querySelector('h2').textContent,
                 region: box.getAttribute('aria-labelledby') === box.querySelector('h2').id,
                 note: box.querySelector('p').textContent,
                 items: [...box.querySelectorAll('button.estate-move-show')].map(b => b.textContent),
                 corner: box.closest('.leaflet-top.leaflet-right') ? 'right' :
                   box.closest('.leaflet-top.leaflet-left') ? 'left' : null}; }"""


@pytest.mark.parametrize("size", [(1400, 900), (390, 844)])
def test_moves_on_a_canvas_are_listed_largest_first_each_shown_on_the_map(
        browser: Any, many: tuple[Path, pd.DataFrame], size: tuple[int, int]) -> None:
    """2,500 moves drawn on a canvas (no line is an element): a panel "Moves, largest
    first", folded at first, lists the 200 with the most FTE in order, each as a button
    "<FTE> FTE: <from> → <to>", names as written (the payloads inert), and says the rest
    are in assignments.csv. Enter on an entry fits both ends of its move on the map,
    clear of the panels, and opens its popup (the two sites and the FTE) with focus in
    it; Escape closes it, focus back on the entry. axe finds nothing serious with the
    list open. The same on a phone, where the list folds while the popup is open (open,
    it would leave no room for the move) and unfolds when it closes."""
    path, routes = many
    opened: Opened = open_page(browser, path, size=size)
    page = opened.page
    assert opened.count("path.estate-move") == 0  # drawn on the canvas
    listed = page.evaluate(LIST)
    assert listed is not None, "no list of moves"
    assert listed["title"] == "Moves, largest first" and listed["region"]
    # top right under the layer list; on a phone in the top left column below the plan's
    # summary, whose room it shares: the top right there is the layer button alone, and a
    # panel beside the summary covered it and its buttons
    assert listed["corner"] == ("left" if size[0] < 700 else "right")
    assert page.evaluate(OVERLAPS) == []
    assert "assignments.csv" in listed["note"] and "2,500" in listed["note"]
    top = routes.head(LISTED)
    expected = [f"{map_figure(r.fte_moved)} FTE: {r.from_name} \u2192 {r.to_name}"
                for r in top.itertuples()]
    assert listed["items"] == expected
    summary = page.locator(".estate-moves summary")
    summary.focus()
    page.keyboard.press("Enter")  # unfolds it
    assert page.evaluate("document.querySelector('.estate-moves details').open")
    assert axe_violations(opened) == []  # the list open over the map
    assert page.evaluate(OVERLAPS) == []
    for rank in (0, 57):
        move = top.iloc[rank]
        button = page.locator("button.estate-move-show").nth(rank)
        button.focus()
        page.keyboard.press("Enter")
        page.wait_for_selector(".leaflet-popup-content h4")
        page.wait_for_timeout(400)  # the popup's pan into view
        assert page.inner_text(".leaflet-popup-content h4") == f"{move.from_name} \u2192 {move.to_name}"
        assert map_figure(move.fte_moved) in page.inner_text(".leaflet-popup-content")
        assert page.evaluate("document.querySelector('.leaflet-popup').contains(document.activeElement)")
        folded = not page.evaluate("document.querySelector('.estate-moves details').open")
        assert folded == (size[0] < 700)  # folded on a phone only, while the popup is open
        ends = [[move.from_lat, move.from_lon], [move.to_lat, move.to_lon]]
        assert page.evaluate(clear_of_panels(), ends) == [True, True]
        page.keyboard.press("Escape")
        page.wait_for_selector(".leaflet-popup", state="detached")
        assert page.evaluate("document.activeElement.textContent") == expected[rank]
        assert page.evaluate("document.querySelector('.estate-moves details').open")
    opened.clean()
    page.close()

