"""Wide tables printed whole (`estate.render.print_parts`): comparisons of 2, 4, 6 and 10
scenarios and sweeps of 2, 4, 6 and 10 varied keys, dated and not, laid out by headless
Chromium for print on an upright A4 sheet (180 mm, 680 CSS px, between 15 mm margins).

Each printed table cell lies within the sheet; every cell of every table on screen is
printed, under its own column's heading and in its own row (beside its row's label, a
scenario's figure or an agency's, or a run's id for a sweep); the PDF Chromium prints is
A4 upright and holds each cell's text. On screen the page is as before: the print-only
parts are not drawn, and axe-core finds nothing serious.
"""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from estate.api import compare, sweep
from estate.runs.sweep import parse_vary
from tests.fixtures import corridor_register, corridor_scenario, scenario_on, write_scenario
from tests.fixtures.browser import axe_violations, open_page

pytestmark = pytest.mark.browser

SHEET = 680  # 180 mm at 96 px an inch
COUNTS = (2, 4, 6, 10)
NAMES = ["Keep the town hall open", "Free_hand_for_every_agency", "Shared services first",
         "Close.the.annexe.early", "Do little", "Hub and spokes", "Policy led",
         "Sell_the_depot", "Merge the back offices", "Everything at once"]
"""Scenario names with spaces, without (broken only after `_` or `.`), short and long."""
KEYS = ["sharing.efficiency=0.1,0.2", "relocation.max_km=30", "relocation.cost_per_fte=5000",
        "discount_rate=0.035", "sharing.setup_cost=50000", "horizon_years=10",
        "sharing.min_agencies=2", "solver.time_limit_s=60", "solver.mip_gap=0.0001",
        "policy.max_one_off=1e12"]
"""Ten keys to vary; the first has two values, so each sweep has two runs."""
DATED = {"start": "2027-04-01", "programme": {"max_closures_per_year": 2}}
"""A dated scenario: a start date, and a programme of at most two closures a year."""

# every table drawn now (not inside a box not drawn): its name (its box's, or its
# part's, less ": part i of n"), and each cell as [row number, column heading, text]
TABLES = """() => [...document.querySelectorAll('table')]
  .filter(t => t.getClientRects().length > 0)
  .map(t => {
    const part = t.previousElementSibling;
    const name = part && part.classList.contains('part')
      ? part.textContent.replace(/: part \\d+ of \\d+$/, '')
      : t.closest('.scroll').getAttribute('aria-label');
    const heads = [...t.querySelectorAll('thead th')].map(h => h.textContent);
    const cells = [...t.querySelectorAll('tbody tr')].flatMap((r, i) =>
      [...r.cells].map((c, j) => {
        const box = c.getBoundingClientRect();
        return {row: i, head: heads[j], text: c.textContent, left: box.left,
                right: box.right};
      }));
    return {name, cells};
  })"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, int, bool], Path]:
    """Each comparison (of the first n of `NAMES`) and sweep (of the first n of `KEYS`)
    on the corridor, dated and not: its page by (kind, n, dated)."""
    root = tmp_path_factory.mktemp("wide")
    register = corridor_register(root / "corridor")
    found = {}
    for dated in (False, True):
        extra = DATED if dated else {}
        paths = [write_scenario(root / f"{dated}{i}.toml",
                                scenario_on(register, name, **extra,
                                            policy={"keep": [f"S{i % 6 + 1}"]}))
                 for i, name in enumerate(NAMES)]
        scenario = write_scenario(root / f"town{dated}.toml",
                                  corridor_scenario(register, **extra))
        for n in COUNTS:
            out = root / f"compared{n}{dated}"
            compare(paths[:n], out=out, results_root=root / f"results{dated}",
                    policy_costs=False)
            found["comparison", n, dated] = out / "comparison.html"
            swept = root / f"swept{n}{dated}"
            sweep(scenario, [parse_vary(k) for k in KEYS[:n]], swept, workers=1)
            found["sweep", n, dated] = swept / "sweep.html"
    return found


def _flat(text: str) -> str:
    """Text without white space, a ligature (ﬀ) as its letters: a PDF's text as the
    page's compares with it, wherever Chromium wrapped a line."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _on_screen_and_printed(page: Any) -> tuple[list[Any], list[Any]]:
    """The tables drawn on screen, then those printed on an upright A4 sheet (`TABLES`)."""
    screen = page.evaluate(TABLES)
    page.emulate_media(media="print")
    page.set_viewport_size({"width": SHEET, "height": 960})
    return screen, page.evaluate(TABLES)


def _past_the_sheet(printed: list[Any]) -> list[tuple[str, str, str]]:
    """The printed cells that do not lie on the sheet."""
    return [(t["name"], c["head"], c["text"]) for t in printed for c in t["cells"]
            if c["left"] < -0.5 or c["right"] > SHEET + 0.5]


def _lost_in_print(screen: list[Any], printed: list[Any]) -> list[tuple[str, int, str, str]]:
    """The cells on screen not printed in their own row and under their own heading, in
    a table of the same name; a part's row starts with the row's label as on screen (a
    sweep's parts start with the run's id, which the screen's table does not show)."""
    on_paper = {(t["name"], c["row"], c["head"], c["text"]) for t in printed for c in t["cells"]}
    return [(t["name"], c["row"], c["head"], c["text"]) for t in screen for c in t["cells"]
            if (t["name"], c["row"], c["head"], c["text"]) not in on_paper]


def _printed_pdf(page: Any) -> tuple[str, list[tuple[float, float]]]:
    from pypdf import PdfReader

    pdf = page.pdf(format="A4",
                   margin={"top": "15mm", "bottom": "15mm", "left": "15mm", "right": "15mm"})
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(_flat(sheet.extract_text()) for sheet in reader.pages)
    return text, [(float(s.mediabox.width), float(s.mediabox.height)) for s in reader.pages]


@pytest.mark.parametrize("dated", [False, True], ids=["undated", "dated"])
@pytest.mark.parametrize("n", COUNTS)
@pytest.mark.parametrize("kind", ["comparison", "sweep"])
def test_every_table_prints_whole(browser: Any, pages: dict[tuple[str, int, bool], Path],
                                  kind: str, n: int, dated: bool) -> None:
    opened = open_page(browser, pages[kind, n, dated], wait_for_map=False)
    page = opened.page
    screen, printed = _on_screen_and_printed(page)
    assert screen  # (the parts, if any, are not drawn on screen: not among them)
    assert _past_the_sheet(printed) == []
    assert _lost_in_print(screen, printed) == []
    cells = sum(len(t["cells"]) for t in screen)
    assert sum(len(t["cells"]) for t in printed) >= cells
    # Chromium's PDF: upright A4 sheets holding every cell's text
    text, sheets = _printed_pdf(page)
    # (A4 is 595.3 by 841.9 points; Chromium rounds it to whole CSS pixels)
    assert all(abs(w - 595.3) < 1 and abs(h - 841.9) < 1.5 for w, h in sheets), sheets
    missing = [c["text"] for t in screen for c in t["cells"]
               if _flat(c["text"]) not in text]
    assert missing == []
    opened.clean()
    page.close()


@pytest.mark.parametrize("kind", ["comparison", "sweep"])
def test_ten_wide_prints_in_parts_and_passes_axe(
        browser: Any, pages: dict[tuple[str, int, bool], Path], kind: str) -> None:
    """The widest pages are printed with parts (the tables do not fit the sheet whole),
    each part's rows labelled as the screen's are; on screen the parts are not drawn nor
    read (no element of them has a box), and axe finds nothing serious."""
    opened = open_page(browser, pages[kind, 10, True], wait_for_map=False)
    page = opened.page
    assert page.evaluate("document.querySelectorAll('.parts table').length") >= 2
    assert page.evaluate("[...document.querySelectorAll('.parts *')]"
                         ".every(e => e.getClientRects().length === 0)")
    assert axe_violations(opened) == []
    # each part repeats the rows' labels: its first column's cells, row by row, are
    # the same in every part of a table
    page.emulate_media(media="print")
    firsts = page.evaluate("""() => [...document.querySelectorAll('.parts table')].map(t =>
      [t.previousElementSibling.textContent.replace(/: part \\d+ of \\d+$/, ''),
       [...t.querySelectorAll('tbody tr')].map(r => r.cells[0].textContent)])""")
    by_name: dict[str, list[list[str]]] = {}
    for name, labels in firsts:
        by_name.setdefault(name, []).append(labels)
    assert by_name
    for name, columns in by_name.items():
        assert len(columns) >= 2 and all(c == columns[0] for c in columns), name
    opened.clean()
    page.close()


def test_a_long_name_without_spaces_prints_within_the_sheet(
        browser: Any, tmp_path: Path) -> None:
    """A dated scenario named with no space (42 letters) heads four columns of "Who
    gains" with a word no column of a sheet's part holds: the part's headings break
    inside it, so every printed cell still lies on the sheet. Before, the scenario's
    four columns were a part of their own 1,100 px wide and Chromium shrank every sheet
    to fit it."""
    register = corridor_register(tmp_path / "corridor")
    names = ["Keep the town hall open", "SharedBackOfficeOptionB2WithEarlyClosuresX"]
    paths = [write_scenario(tmp_path / f"s{i}.toml",
                            scenario_on(register, name, **DATED,
                                        policy={"keep": [f"S{i + 1}"]}))
             for i, name in enumerate(names)]
    compare(paths, out=tmp_path / "compared", results_root=tmp_path / "results",
            policy_costs=False)
    opened = open_page(browser, tmp_path / "compared" / "comparison.html",
                       wait_for_map=False)
    page = opened.page
    screen, printed = _on_screen_and_printed(page)
    assert _past_the_sheet(printed) == []
    heads = page.evaluate("""() => [...document.querySelectorAll('.parts thead th')]
      .filter(h => h.getClientRects().length).map(h => h.getBoundingClientRect().right)""")
    assert heads and max(heads) <= SHEET + 0.5
    assert _lost_in_print(screen, printed) == []
    opened.clean()
    page.close()
