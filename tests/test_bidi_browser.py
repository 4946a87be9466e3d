"""Register names in a right-to-left script stay isolated wherever they are written inline
with other text: the map's popups, tooltips and list of moves (maps/static/popups.js,
moves.js) put each name in a <bdi> of its own, and so do the HTML pages through
`estate.render.html.isolated` (programme.html here; the comparison, the sweep and the
map's KPI panel in test_compare.py, test_page.py and test_html.py), and the board pack's
HTML, whose text marks each name (`estate.render.figures.named`). Where no element can
go (an aria-label, an SVG's <text>), the name is between Unicode's isolate marks
(U+2068 ... U+2069), which the browser honours as it does a <bdi>.

Headless Chromium, every request off the machine refused. The check of order is the
browser's own layout: where the characters of the name and of the text after it are
drawn (Range.getClientRects), not how the markup reads.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

import estate.maps.page as map_page
from estate.maps.payload import read_plan
from estate.render import figures
from estate.render.programme_page import write_programme_page
from estate.render.report_data import Page, Table, Text
from estate.render.report_html import board_html
from estate.store import write_results as write_plan
from tests.fixtures import write_results
from tests.fixtures.browser import open_page
from tests.fixtures.programme import plan_with, programme_for

pytestmark = pytest.mark.browser

ARABIC = "\u0645\u0643\u062a\u0628 \u0627\u0644\u0634\u0645\u0627\u0644"  # "office of the north"
DIGITS_FIRST = "12 High Street"

PLACES = """([root, name, after]) => {
  // within `root`: the element round `name` (its tag), and where the browser draws the
  // name's characters and the first characters of `after` (each text found in one text node)
  const box = document.querySelector(root);
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  const find = text => { for (let n = walker.currentNode = box; (n = walker.nextNode());) {
    const at = n.data.indexOf(text); if (at >= 0) { return [n, at]; } } return null; };
  const rects = (text, length) => { const [n, at] = find(text), r = document.createRange();
    r.setStart(n, at); r.setEnd(n, at + (length || text.length));
    return [...r.getClientRects()].map(q => [q.left, q.right]); };
  const [node] = find(name);
  const span = q => ({left: Math.min(...q.map(x => x[0])), right: Math.max(...q.map(x => x[1]))});
  return {wrap: node.parentNode.tagName.toLowerCase(), name: span(rects(name)),
          after: span(rects(after, 2))};
}"""


@pytest.fixture(scope="module")
def arabic_plan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """A plan map whose first move runs from a site named in Arabic to one named
    "12 High Street"; returns the map and the two sites' ids."""
    root = tmp_path_factory.mktemp("bidi")
    folder = write_results(root / "plan", n_sites=20, n_zones=20, payloads=False)
    plan = read_plan(folder)
    moves = plan.assignments[plan.assignments["from_site"] != plan.assignments["to_site"]]
    moves = moves[moves["from_site"].astype(bool) & moves["to_site"].astype(bool)]
    origin, target = moves.iloc[0]["from_site"], moves.iloc[0]["to_site"]
    sites = plan.sites.copy()
    sites.loc[sites["site_id"] == origin, "name"] = ARABIC
    sites.loc[sites["site_id"] == target, "name"] = DIGITS_FIRST
    named = dataclasses.replace(plan, sites=sites)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(map_page, "read_plan", lambda _folder: named)
        path = map_page.render_map(folder, root / "map.html")
    return path, origin, target


def test_a_move_from_an_arabic_name_keeps_the_figure_after_it(
        browser: Any, arabic_plan: tuple[Path, str, str]) -> None:
    """The popup of a move from "<Arabic>" to "12 High Street" is headed with each name in
    a <bdi>, and the browser draws the "12" right of the Arabic name, where it comes in
    the text (not in the name's run on its left, as a figure after Arabic text is when
    nothing isolates the name)."""
    opened = open_page(browser, arabic_plan[0])
    page = opened.page
    # its name for a screen reader: each name between the isolate marks (U+2068 ... U+2069)
    said = f"from \u2068{ARABIC}\u2069 to \u2068{DIGITS_FIRST}\u2069"
    line = page.locator(f'path.estate-move[aria-label$="{said}"]').first
    line.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".leaflet-popup-content h4")
    head = page.evaluate(PLACES, [".leaflet-popup-content h4", ARABIC, DIGITS_FIRST])
    assert head["wrap"] == "bdi"
    assert page.evaluate("[...document.querySelectorAll('.leaflet-popup-content h4 bdi')]"
                         ".map(b => b.textContent)") == [ARABIC, DIGITS_FIRST]
    assert head["after"]["left"] >= head["name"]["right"] - 0.5, head
    assert page.locator(".leaflet-popup").get_attribute("aria-label", timeout=2000) == \
        "Move of " + line.get_attribute("aria-label").split("Move of ", 1)[1]
    opened.clean()
    page.close()


def test_a_site_s_marker_names_it_isolated_for_a_screen_reader(
        browser: Any, arabic_plan: tuple[Path, str, str]) -> None:
    """The marker of the site named in Arabic is named "<name> — <decision>" for a screen
    reader, the name between the isolate marks, so that what follows it stays after it."""
    opened = open_page(browser, arabic_plan[0])
    labels = opened.page.evaluate("[...document.querySelectorAll('.estate-site[aria-label]')]"
                                  ".map(m => m.getAttribute('aria-label'))")
    mine = [s for s in labels if ARABIC in s]
    assert mine and all(s.startswith(f"\u2068{ARABIC}\u2069 \u2014 ") for s in mine), mine
    assert any(s.startswith(f"\u2068{DIGITS_FIRST}\u2069 \u2014 ") for s in labels)
    opened.clean()
    opened.page.close()


def test_the_sweep_chart_cuts_an_arabic_name_at_its_own_end(browser: Any, tmp_path: Path
                                                             ) -> None:
    """sweep.html's chart of how often each site is open labels a site "S1 <name>", a long
    name cut with an ellipsis. An Arabic name is read from the right: the browser draws
    its ellipsis at its left end, past its last letter kept, not at the label's right
    end over its first letter (where it falls when nothing isolates the name). Measured
    in the SVG's own text (SVGTextContentElement.getStartPositionOfChar)."""
    import pandas as pd

    from estate.render.sweep_sites import robustness_chart

    name = " ".join([ARABIC] * 6)
    chart = robustness_chart(pd.DataFrame({"site_id": ["S1"], "name": [name],
                                           "open_share": [0.5], "runs_open": [1], "runs": [2]}))
    path = tmp_path / "chart.html"
    path.write_text(f"<!DOCTYPE html><html><body>{chart}</body></html>", encoding="utf-8")
    opened = open_page(browser, path, wait_for_map=False)
    xs = opened.page.evaluate("""() => { const t = document.querySelector('g text');
      return [...t.textContent].map((c, k) => [c, t.getStartPositionOfChar(k).x]); }""")
    letters = [x for c, x in xs if "\u0600" <= c <= "\u06ff"]
    ellipsis = [x for c, x in xs if c == "\u2026"]
    assert len(ellipsis) == 1 and letters, xs
    assert ellipsis[0] < min(letters), xs  # left of every letter of the name
    assert [x for c, x in xs if c == "S"][0] < ellipsis[0]  # the id still first
    opened.clean()
    opened.page.close()


def test_the_programme_page_isolates_a_site_named_in_arabic(
        browser: Any, tmp_path: Path) -> None:
    """programme.html's table of changes writes a site named in Arabic in a <bdi>, its id
    in brackets drawn after it, on its right."""
    made_up = write_results(tmp_path / "made_up", n_sites=12, n_zones=12, payloads=False)
    programme = programme_for(made_up, names=[ARABIC] * 3)  # the first sites: some change
    folder = write_plan(plan_with(made_up, programme), tmp_path / "r")
    path = write_programme_page(folder)
    assert path is not None
    opened = open_page(browser, path, wait_for_map=False)
    page = opened.page
    page.evaluate(f"""() => {{ const cell = [...document.querySelectorAll('td')]
      .find(td => td.textContent.startsWith({ARABIC!r} + ' (')); cell.id = 'arabic'; }}""")
    cell = page.evaluate(PLACES, ["#arabic", ARABIC, "("])
    assert cell["wrap"] == "bdi"
    assert cell["after"]["left"] >= cell["name"]["right"] - 0.5, cell
    opened.clean()
    page.close()


def test_the_board_pack_isolates_each_name_its_text_marks(browser: Any, tmp_path: Path) -> None:
    """The board pack's text names a site as `figures.named` marks it: its HTML writes the
    name in a <bdi>, in a sentence and in a table's cell, and the browser draws the
    figure after an Arabic name on its right ("<name>: 12 closed"), as in the text; the
    PDF draws no mark (report_type.drawable leaves them out)."""
    from estate.render.report_type import drawable

    said = f"Sites of {figures.named(ARABIC)}: 12 closed."
    cell = f"{figures.named(ARABIC)} (S1)"
    drawn = drawable(said)  # the name as it is seen (tests/test_drawn_order.py), unmarked
    assert drawn.startswith("Sites of ") and drawn.endswith(": 12 closed.")
    assert not any(c in drawn for c in "\u2068\u2069")
    table = Table("Sites", ("Site", "FTE"), ((cell, "12"),), (False, True), (3.0, 1.0))
    page = board_html("Pack", "A plan", [Page("One", (Text(said), table))])
    path = tmp_path / "pack.html"
    path.write_text(page, encoding="utf-8")
    opened = open_page(browser, path, wait_for_map=False)
    sentence = opened.page.evaluate(PLACES, ["main p", ARABIC, "12"])
    assert sentence["wrap"] == "bdi"
    assert sentence["after"]["left"] >= sentence["name"]["right"] - 0.5, sentence
    assert opened.page.evaluate(PLACES, ["tbody th", ARABIC, "("])["wrap"] == "bdi"
    assert "\u2068" not in opened.page.inner_text("body")  # the marks became the <bdi>s
    opened.clean()
    opened.page.close()
