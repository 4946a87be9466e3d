"""Fixtures shared by the test files: solvers, the shared tiny registers written once
per test file, a made-up results folder, the headless browser, a made-up plan's map
opened in it, and node.

Each module of estate has its `test_<module>.py`, except these, tested where named:

- errors.py: test_cli.py (exit codes), test_validate.py (located problems);
  status.py: test_solve.py, test_summary.py; shown_text.py: test_free_text.py (and
  test_errors.py, the errors' words)
- load/schema.py: test_validate.py; load/workbook.py, load/csv_file.py, load/layers.py:
  test_read.py; load/geography.py: test_references.py; load/checker.py,
  load/consistency.py: test_scenario.py (and its near misses: test_consistency.py)
- model/parts.py, model/costs.py: test_build.py (the recipe's rows and costs, by hand)
- solve/__init__.py, solve/types.py, solve/highs.py, solve/pulp.py: test_solve.py
  (`to_pulp` also in test_arrays.py)
- pipeline.py: test_first_plan.py (the status quo start), and every planning test
- runs/planning.py: test_store.py, test_cli.py
- render/compare_page.py, render/compare_figures.py, maps/compare_map.py: test_compare.py (and test_accessibility.py);
  render/sweep_page.py: test_sweep.py; render/text_width.py: test_sweep.py (site labels
  fitted) and test_programme_page.py, test_curve_browser.py (the cash curve drawn whole)
- render/programme_chart.py: test_programme_page.py (and test_gantt_browser.py,
  test_gantt_focus_browser.py); render/cash_curve.py: test_programme_page.py (its
  planned programme folder) and test_curve_browser.py; render/static/gantt.js:
  test_gantt_focus_browser.py (a browser without the CSS it stands in for);
  results/programme.py: test_programme_store.py; maps/timeline.py: test_programme_map.py
- maps/assets.py, maps/panels.py: test_page.py (and test_maps_browser.py,
  test_map_panels_browser.py, test_map_phone_browser.py, test_map_tab_order_browser.py);
  maps/static/clearance.js's use of Leaflet's private popup parts:
  test_leaflet_parts_browser.py
- store/__init__.py: test_store.py, test_programme_store.py; store/folder.py,
  store/keep.py: test_folder.py (and test_store.py, a real plan keeping a user's file);
  store/paths.py, store/board_pack.py, store/owned.py: test_paths.py;
  store/agree_programme.py: test_agree.py; runs/vary.py: test_sweep.py;
  results/words.py: test_text.py (and test_summary.py); results/summary_values.py:
  test_summary.py
- timing.py: test_timing.py; programme/*: test_programme.py, test_joint.py;
  programme/end_state.py: test_programme_end_state.py (a programme that ends elsewhere)
- model/reduce.py: test_reduce.py; solve/scip.py: test_scip.py; solve/seats.py: test_room.py
  (its counts said in words) and test_bruteforce.py (never a case a plan exists for)
- store/register_used.py: test_compare.py (what comparison.csv records of each register)
  and test_report_compare.py (the board pack refusing a comparison without its plan)
- render/report*.py, render/figures.py, render/estate_map.py: test_report_pack.py
  (render/report_optional.py's dated paragraph and notes also test_report_optional.py; and
  test_report_compare.py, the comparison it accepts; test_report_layout.py,
  what the PDF keeps on one sheet; test_report_print_browser.py, what the page keeps
  on one sheet when Chromium prints it; test_figures.py, the Gantt chart and the map's
  place names as drawn);
  render/places.py: test_places.py; render/drawn_order.py: test_drawn_order.py (and the
  right-to-left names of the PDF and the Gantt chart; test_bidi_browser.py, of the pages)
- api.py, cli.py, __main__.py, render/terminal.py: test_cli.py (and test_compare.py,
  test_sweep.py)

Across modules: test_bruteforce.py (the whole model against an independent brute
force), test_demo.py (the Suffolk demo end to end), test_orlib.py (published optima),
test_layers.py (imports go one way), test_kill.py (a plan killed at each moment),
test_docs.py, test_maps_browser.py, test_map_panels_browser.py, test_map_phone_browser.py,
test_map_tab_order_browser.py, test_programme_browser.py, test_gantt_browser.py,
test_gantt_focus_browser.py, test_curve_browser.py, test_report_print_browser.py and
test_reflow_browser.py (the comparison, sweep and board pack pages at 320 px) (pages in
headless Chromium).
"""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from estate.maps.page import render_map
from estate.solve import available_solvers
from estate.store.check import RESULT_TABLES, read_table
from tests.fixtures import (
    corridor_register,
    corridor_scenario,
    coverage_register,
    pair_register,
    solver_paths,
    write_results,
    write_scenario,
)
from tests.fixtures.browser import Opened, Plan, open_page
from tests.fixtures.programme import HOSTILE, plan_with, programme_for
from tests.fixtures.programme_registers import TINY, Case
from tests.fixtures.results import solved_as_summary_says

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage"]
LONGEST_FIRST = "tests/test_docs.py"
"""Its README session plans the demo three times, minutes each: run in two test
processes (`make test`), it starts first, or it would start last and run alone."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.nodeid.split("::")[0] != LONGEST_FIRST)


@pytest.fixture
def ctrl_c_raises() -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt here and in what this process starts, as in a
    terminal: a test process started in the background by a shell without job control,
    or by a test runner, may have it ignored, and passes that on to its children
    (a handler, unlike an ignored signal, is not inherited through exec)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.fixture(params=available_solvers())
def solver(request: pytest.FixtureRequest) -> str:
    """Each installed solver in turn: a test taking `solver` runs on every one."""
    return request.param


@pytest.fixture(params=solver_paths())
def solver_path(request: pytest.FixtureRequest) -> str:
    """Each installed solver, and HiGHS through PuLP too (`highs-pulp`)."""
    return request.param


@pytest.fixture(scope="module")
def coverage_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The coverage register (fixtures.registers), written once per test file."""
    return coverage_register(tmp_path_factory.mktemp("coverage") / "register")


@pytest.fixture(scope="module", params=sorted(TINY))
def tiny(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Case:
    """Each tiny programme register (its plan solved), once per test file: the cases the
    roadmap, the joint model and the cash-flow oracle are checked on."""
    return TINY[request.param](tmp_path_factory.mktemp(request.param))


@pytest.fixture(scope="module")
def pair_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pair register (two offices 2 km apart), written once per test file."""
    return pair_register(tmp_path_factory.mktemp("pair") / "register")


@pytest.fixture(scope="module")
def corridor_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corridor register (six offices along 20 km), written once per test file."""
    return corridor_register(tmp_path_factory.mktemp("corridor") / "register")


@pytest.fixture()
def corridor(tmp_path: Path) -> Path:
    """A scenario file (`corridor_scenario`) beside its own copy of the corridor
    register, in this test's folder: the test may edit either."""
    register = corridor_register(tmp_path / "register")
    return write_scenario(tmp_path / "town.toml", corridor_scenario(register))


@pytest.fixture(scope="module")
def results_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A made-up results folder (`write_results`: 30 sites, 60 zones, names that are
    injection payloads), written once per test file."""
    return write_results(tmp_path_factory.mktemp("plan"))


def unavailable(reason: str) -> None:
    """Skip for `reason`; fail instead when ESTATE_REQUIRE_BROWSER=1 (set in CI)."""
    if os.environ.get("ESTATE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"ESTATE_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium driven by Playwright with `executable_path` (never
    `playwright install`, which downloads a browser); one per test file."""
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright Python package is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def dated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A made-up plan (30 sites, 40 zones) with a dated programme whose names are
    injection payloads, written as a results folder once per test file."""
    from estate.store import write_results as write_plan

    made_up = write_results(tmp_path_factory.mktemp("made_up"), n_sites=30, n_zones=40)
    programme = programme_for(made_up, names=HOSTILE)
    return solved_as_summary_says(write_plan(plan_with(made_up, programme),
                                             tmp_path_factory.mktemp("out") / "r"))


@pytest.fixture
def programme_opened(browser: Any, dated: Path) -> Iterator[Opened]:
    """`dated`'s programme.html open in Chromium."""
    from estate.render.programme_page import write_programme_page

    path = write_programme_page(dated)
    assert path is not None
    opened = open_page(browser, path, wait_for_map=False)
    yield opened
    opened.page.close()


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    """A made-up plan's map (`write_results`: 36 sites, 80 zones, names that are
    injection payloads) and its results' sites and zones tables, once per test file."""
    folder = write_results(tmp_path_factory.mktemp("plan"), n_sites=36, n_zones=80)
    map_path = render_map(folder, folder.parent / "plan.html")

    def read(name: str) -> pd.DataFrame:
        return read_table(folder / f"{name}.csv", RESULT_TABLES[name])

    return map_path, read("sites"), read("zones")


@pytest.fixture
def opened(browser: Any, plan: Plan) -> Iterator[Opened]:
    """The `plan` map opened in the browser, every request off the machine refused."""
    result = open_page(browser, plan[0])
    yield result
    result.page.close()


@pytest.fixture(scope="session")
def node() -> str:
    """The `node` executable, to check that each shipped script parses."""
    found = shutil.which("node")
    if found is None:
        unavailable("node is missing (apt-get install nodejs)")
    return found
