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
from estate.render.programme_page import write_programme_page
from estate.results import Programme
from estate.store import read_programme, write_results
from tests.fixtures.browser import Opened, open_page
from tests.fixtures.programme import HOSTILE, plan_with, programme_for
from tests.fixtures.results import write_results as write_made_up_folder

pytestmark = pytest.mark.browser




@pytest.fixture(scope="module")
def dated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    made_up = write_made_up_folder(tmp_path_factory.mktemp("made_up"), n_sites=30, n_zones=40)
    programme = programme_for(made_up, names=HOSTILE)
    return write_results(plan_with(made_up, programme), tmp_path_factory.mktemp("out") / "r")


@pytest.fixture
def page(browser: Any, dated: Path) -> Iterator[Opened]:
    path = write_programme_page(dated)
    assert path is not None
    opened = open_page(browser, path, wait_for_map=False)
    yield opened
    opened.page.close()


@pytest.fixture
def map_page(browser: Any, dated: Path) -> Iterator[Opened]:
    opened = open_page(browser, render_map(dated, dated.parent / "map.html"))
    yield opened
    opened.page.close()


def test_the_programme_page_runs_nothing(page: Opened, dated: Path) -> None:
    text = page.page.evaluate("document.body.textContent")
    programme = read_programme(dated)
    assert programme is not None
    for name in set(programme.actions["site_name"]):
        assert " ".join(name.split())[:20] in " ".join(text.split()), name
    assert "</svg><script>alert(1)</script>" in text  # shown, as text
    assert page.count("script, img, iframe") == 0
    assert page.count("svg") >= 2
    page.clean()


def test_a_name_with_no_spaces_does_not_widen_the_page(browser: Any, tmp_path: Path) -> None:
    """A cell wraps a long unbroken name rather than stretching the table off screen."""
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


def _visible_sites(folder: Path, programme: Programme, k: int) -> int:
    """Sites in use at the end of year k, counted from the tables, not the payload."""
    sites = pd.read_csv(folder / "sites.csv", dtype=str, keep_default_na=False)
    actions = programme.actions
    closes = dict(zip(actions.loc[actions["action"] == "close", "site_id"],
                      actions.loc[actions["action"] == "close", "year"], strict=True))
    opens = dict(zip(actions.loc[actions["action"] == "open", "site_id"],
                     actions.loc[actions["action"] == "open", "year"], strict=True))
    n = 0
    for site, decision in zip(sites["site_id"], sites["decision"], strict=True):
        if decision == "keep" or (decision == "close" and closes.get(site, 99) > k):
            n += 1
        elif decision == "open" and opens.get(site, 99) <= k:
            n += 1
    return n


def _slide(opened: Opened, k: int) -> None:
    opened.page.evaluate(
        "k => { const s = document.querySelector('.estate-timeline input');"
        " s.value = String(k); s.dispatchEvent(new Event('input', {bubbles: true})); }", k)


def test_the_slider_hides_sites_closed_by_each_year(map_page: Opened, dated: Path) -> None:
    programme = read_programme(dated)
    assert programme is not None
    slider = map_page.page.locator(".estate-timeline input[type=range]")
    assert slider.get_attribute("max") == "10" and slider.input_value() == "10"
    counts = []
    for k in range(0, 11):
        _slide(map_page, k)
        counts.append(map_page.count(".estate-after"))
        assert counts[-1] == _visible_sites(dated, programme, k), k
        label = map_page.page.locator(".estate-timeline label").inner_text()
        assert label.startswith(f"End of year {k} (")
        assert slider.get_attribute("aria-valuetext") == label
    assert counts[0] > counts[-1]  # closings happen
    assert map_page.count(".estate-after.estate-close") == 0  # closed sites are gone
    map_page.clean()


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
        "End of year 0 (")
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
