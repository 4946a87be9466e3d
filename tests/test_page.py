"""The map of one plan (estate.maps.page, with its assets and panels), without a
browser: a self-contained file, register text escaped, the CDN variant, clustering,
an atomic write."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from estate.errors import InputError
from estate.maps.page import MARKER_LIMIT, add_plan_layers, new_map, render_map
from estate.maps.panels import kpi_panel
from estate.maps.payload import outline_rings, place_payload, read_plan
from estate.render.html import inert, static_text
from tests.fixtures import PAYLOADS, summary_record, write_results


@pytest.fixture(scope="module")
def page(results_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = render_map(results_folder, tmp_path_factory.mktemp("map") / "plan.html")
    return out.read_text(encoding="utf-8")


def _asset_references(page: str) -> list[str]:
    """Every URL the page would fetch by itself: script/link/img sources, CSS url()."""
    tags = re.findall(r"<(?:script|link|img|iframe|source|embed|object)\b[^>]*>", page, re.I)
    refs = [t for t in tags if re.search(r"\b(?:src|href|data)\s*=", t, re.I)]
    urls = re.findall(r"url\(\s*['\"]?([^)'\"]*)", page)
    refs += [u for u in urls if not u.startswith(("data:", "#"))]
    refs += re.findall(r"@import[^;]*;", page)
    return refs


def test_default_map_fetches_nothing(page: str) -> None:
    assert _asset_references(page) == []
    assert "cdn.jsdelivr" not in page and "code.jquery" not in page
    assert "L.map(" in page and "estateMap.addPlan(" in page
    assert "sourceMappingURL" not in page


def test_default_map_inlines_leaflet_and_no_folium_extras(page: str) -> None:
    assert "Leaflet 1.9" in page or "leafletjs.com" in page
    for unwanted in ("bootstrap", "jquery", "font-awesome", "awesome-markers", "glyphicons"):
        assert unwanted not in page.lower()
    assert "MarkerClusterGroup" not in page  # small plans need no clustering


def test_register_text_never_appears_raw(page: str) -> None:
    for payload in PAYLOADS:
        if "<" in payload:
            assert payload not in page, payload
    assert "<script>alert" not in page and "<img src=x" not in page


def test_template_syntax_in_names_is_not_evaluated(page: str) -> None:
    # branca compiles macro output as Jinja; our elements must not, or {{7*7}} becomes 49
    assert "{{7*7}} {% if %}" in page


def test_title_kpi_and_layer_names_are_inert(page: str) -> None:
    """The scenario's name (a payload) is inert in the title and the h1, and isolated
    (the marks U+2068 ... U+2069 in the title, a <bdi> in the h1), so that a name in
    Arabic or Hebrew keeps its own direction and what follows it stays after it."""
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert html.unescape(title) == "Estate plan: \u2068" + PAYLOADS[1] + " baseline\u2069"
    h1 = re.search(r'<h1 class="estate-hidden">(.*?)</h1>', page, re.S).group(1)
    assert h1 == f"Estate plan map: <bdi>{inert(PAYLOADS[1] + ' baseline')}</bdi>"
    assert inert(PAYLOADS[0]) in page  # agency name in a layer label / worse-off note


def test_cdn_variant_references_cdns(results_folder: Path, tmp_path: Path) -> None:
    light = render_map(results_folder, tmp_path / "light.html", cdn=True).read_text(encoding="utf-8")
    refs = _asset_references(light)
    assert any("cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js" in r for r in refs)
    assert any("leaflet.css" in r for r in refs)
    assert all("https://cdn.jsdelivr.net/" in r for r in refs)
    heavy = render_map(results_folder, tmp_path / "heavy.html").read_text(encoding="utf-8")
    assert len(light) < len(heavy) - 100_000


def test_big_plans_are_clustered(tmp_path: Path) -> None:
    folder = write_results(tmp_path / "big", n_sites=int(MARKER_LIMIT * 1.4), n_zones=200)
    page = render_map(folder, tmp_path / "big.html").read_text(encoding="utf-8")
    assert "MarkerClusterGroup" in page and '"cluster":true' in page
    assert _asset_references(page) == []


def test_write_is_atomic_and_keeps_old_map_on_failure(results_folder: Path, tmp_path: Path) -> None:
    out = render_map(results_folder, tmp_path / "plan.html")
    before = out.read_bytes()
    broken = write_results(tmp_path / "broken")
    sites = pd.read_csv(broken / "sites.csv", dtype=str, keep_default_na=False)
    sites.loc[0, "decision"] = "demolish"
    sites.to_csv(broken / "sites.csv", index=False)
    with pytest.raises(InputError, match="demolish"):
        render_map(broken, out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken", "plan.html"]


def test_missing_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="summary.json"):
        render_map(tmp_path / "nowhere", tmp_path / "x.html")


def test_zone_polygons_replace_voronoi(tmp_path: Path) -> None:
    folder = write_results(tmp_path / "areas", zone_areas=True)
    plan = read_plan(folder)
    assert plan.zone_areas is not None and len(outline_rings(plan)) == len(plan.zones)
    page = render_map(folder, tmp_path / "areas.html").read_text(encoding="utf-8")
    assert "Zone boundaries" in page


def test_a_register_with_no_zones_has_no_zone_outline(tmp_path: Path) -> None:
    """With no zones the outline would be a hull round the sites: no layer or legend
    row names zone areas it does not have, and no outline is drawn."""
    folder = write_results(tmp_path / "nozones", n_zones=0)
    assert read_plan(folder).zones.empty
    page = render_map(folder, tmp_path / "nozones.html").read_text(encoding="utf-8")
    assert "Zone areas" not in page and "<h3>Basemap</h3>" not in page
    assert "estateMap.addOutline(" not in page
    with_zones = render_map(write_results(tmp_path / "zones"), tmp_path / "zones.html")
    text = with_zones.read_text(encoding="utf-8")
    assert "Zone areas (nearest zone centre)" in text and "estateMap.addOutline(" in text


def test_kpi_panel_reads_summary() -> None:
    panel = kpi_panel(summary_record(
        scenario="S", annual_saving=-1200.0, payback_years=None, sites_before=10,
        sites_after=8, status_quo_feasible=False,
        status_quo_breaches=[{"rule": "housed", "place": "a"}, {"rule": "desks", "place": "b"}]))
    # a loss as a cost, as the terminal and the board pack say it
    assert "none; costs £1.2k more" in panel and "-£" not in panel
    assert "never" in panel and "10 \u2192 8" in panel
    assert "breaks 2 rules" in panel
    # the fixture's gap of 0.01% is not a proof: never called optimal
    assert "within 0.01% of the lowest possible cost" in panel and "optimal" not in panel


def test_kpi_panel_names_an_agency_paying_more_in_the_words_of_the_row_with_none() -> None:
    """"Worse off" beside a row "Agencies paying more each year: none" on another map
    read as two facts, the first perhaps over the horizon (a review): one wording."""
    agencies = {"A": {"name": "Council", "annual_cost_before": 5.0, "annual_cost_after": 6.0,
                      "one_off_cost": 1.0, "worse_off": True},
                "B": {"name": "Police", "annual_cost_before": 9.0, "annual_cost_after": 7.0,
                      "one_off_cost": 1.0, "worse_off": False}}
    panel = kpi_panel(summary_record(agencies=agencies))
    assert "Paying more each year: <bdi>Council</bdi>" in panel and "Worse off" not in panel
    agencies["A"]["worse_off"] = False
    none = kpi_panel(summary_record(agencies=agencies))
    assert "<dt>Agencies paying more each year</dt>" in none and "Paying more each" not in none


def test_kpi_panel_gives_the_dated_programmes_npv_before_the_snapshots() -> None:
    plain = kpi_panel(summary_record())
    assert "<dt>NPV saving (10 years, 3.5% a year)</dt><dd class=\"\">£6.00m</dd>" in plain
    dated = kpi_panel(summary_record(programme={"npv_saving": 5_125_000.0}))
    first = dated.index("<dt>NPV saving of the dated programme (10 years, 3.5% a year)</dt>"
                        "<dd class=\"\">£5.13m</dd>")
    assert first < dated.index("<dt>NPV saving if every change were made in year 1 (10 years, "
                               "3.5% a year)</dt><dd class=\"\">£6.00m</dd>")
    assert "<dt>Payback if every change were made in year 1</dt>" in dated


def test_kpi_panel_says_net_receipts_and_time_limit_in_words() -> None:
    panel = kpi_panel(summary_record(one_off_cost=-1_450_000.0, status="time_limit",
                                     mip_gap=0.0121))
    assert "net receipts of £1.45m" in panel
    assert ("<strong>NOT PROVEN (time limit); within 1.3% of the lowest possible cost"
            "</strong>") in panel
    assert "proven optimal" in kpi_panel(summary_record(mip_gap=0.0))


def test_kpi_panel_of_today_s_estate_stopped_by_the_time_limit_says_nothing_was_found(
        ) -> None:
    """The terminal says a search the time limit stopped at today's estate found nothing
    cheaper, which does not show there is none; the map said only "Annual saving £0,
    Payback never" under its status (a review). A plan that changes something does not
    get the line."""
    still = {"status": "time_limit", "mip_gap": None, "sites_closed": 0, "sites_opened": 0,
             "shared_centres": 0, "fte_relocated": 0.0}
    panel = kpi_panel(summary_record(**still))
    assert ("Found nothing cheaper than today&#39;s estate before the time limit, which "
            "does not show there is none; raise solver.time_limit_s") in panel, panel
    assert "Found nothing" not in kpi_panel(summary_record(**{**still, "sites_closed": 1}))


def test_comparison_map_has_one_plan_per_scenario(results_folder: Path, tmp_path: Path) -> None:
    fmap = new_map()
    add_plan_layers(fmap, results_folder, "Plan A")
    add_plan_layers(fmap, results_folder, "Plan <B>", fit=False)
    page = fmap.get_root().render()
    assert page.count("estateMap.addPlan(") == 2
    assert "Plan &lt;B&gt;: Sites after" in page.replace("\\u0026", "&")


def test_a_folder_missing_tables_is_refused_naming_each(tmp_path: Path) -> None:
    """The map reads a folder through the one checked reader (store.check_results), as
    `estate map`, compare and report do: no table is quietly taken as empty."""
    folder = write_results(tmp_path / "bare")
    gone = ("coverage.csv", "zones.csv", "assignments.csv", "agencies.csv")
    for name in gone:
        (folder / name).unlink()
    with pytest.raises(InputError) as caught:
        render_map(folder, tmp_path / "bare.html")
    named = {Path(p.file).name for p in caught.value.problems}
    assert set(gone) <= named
    assert not (tmp_path / "bare.html").exists()


def test_tiles_are_opt_in_and_leave_the_outline_transparent(results_folder: Path, tmp_path: Path) -> None:
    page = render_map(results_folder, tmp_path / "tiles.html",
                      tiles="https://tiles.example/{z}/{x}/{y}.png",
                      attr="Example tiles").read_text(encoding="utf-8")
    assert "L.tileLayer(" in page and "tiles.example" in page
    assert re.search(r"estateMap\.addOutline\(.*, false\);", page)
    offline = render_map(results_folder, tmp_path / "offline.html").read_text(encoding="utf-8")
    assert "L.tileLayer(" not in offline


def test_the_map_inlines_its_own_script_and_styles(page: str) -> None:
    for name in ("popups.js", "map.js", "clearance.js", "panels.js", "places.js", "moves.js", "map.css"):
        assert static_text("estate.maps", name) in page


def test_place_names_are_the_most_populous_zones_first(results_folder: Path) -> None:
    zones = pd.read_csv(results_folder / "zones.csv", dtype=str, keep_default_na=False)
    by_people = sorted(zip(zones["population"].astype(float), zones["name"], strict=True),
                       key=lambda pair: -pair[0])
    places = place_payload(read_plan(results_folder))
    assert places["pop"] == sorted(places["pop"], reverse=True)
    assert places["name"][0] == by_people[0][1]
    assert places["name"][:10] == [name for _, name in by_people[:10]]
    assert len(places["name"]) == len(zones) == len(places["lat"]) == len(places["lon"])
    assert place_payload(read_plan(results_folder), most=5)["name"] == places["name"][:5]


def test_the_page_carries_place_names_as_data(results_folder: Path, page: str) -> None:
    zones = pd.read_csv(results_folder / "zones.csv", dtype=str, keep_default_na=False)
    biggest = zones.loc[zones["population"].astype(float).idxmax(), "name"]
    call = re.search(r"estateMap\.addPlaces\([^,]+, [^,]+, (\{.*?\}), ", page)
    assert call is not None
    assert json.loads(call.group(1))["name"][0] == biggest
    for payload in PAYLOADS:  # zone names as escaped JSON data, never markup
        if "<" in payload:
            assert payload not in page


def test_the_page_is_english_and_zoomable(page: str) -> None:
    assert '<html lang="en-GB">' in page
    viewports = re.findall(r'<meta name="viewport"[^>]*>', page)
    assert viewports == ['<meta name="viewport" content="width=device-width, initial-scale=1">']


def test_legend_names_every_decision_with_its_count(results_folder: Path, page: str) -> None:
    sites = pd.read_csv(results_folder / "sites.csv", dtype=str, keep_default_na=False)
    shared = (sites["shared_types"] != "") & sites["decision"].isin(("keep", "open"))
    legend_html = page[page.index('id="estate-legend"'):]
    for word, decision in (("Kept", "keep"), ("Closed", "close"), ("Opened", "open")):
        drawn = ((sites["decision"] == decision) & ~shared).sum()
        assert re.search(rf"{word} \({drawn}[,)]", legend_html), word
    assert f"Shared service centre ({shared.sum()} site" in legend_html
    assert "Place names" in legend_html and "Year slider" not in legend_html


def _with_shared_centres(folder: Path) -> Path:
    """The folder with a shared centre at two kept sites and one opened site, and the
    summary's counts to match."""
    sites = pd.read_csv(folder / "sites.csv", dtype=str, keep_default_na=False)
    sites["shared_types"] = ""
    kept = sites.index[sites["decision"] == "keep"][:2]
    opened = sites.index[sites["decision"] == "open"][:1]
    assert len(kept) == 2 and len(opened) == 1
    sites.loc[kept[0], "shared_types"] = "hr;finance"  # two centres at one site
    sites.loc[[kept[1], opened[0]], "shared_types"] = "hr"
    sites.to_csv(folder / "sites.csv", index=False)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    summary["shared_centres"] = 4
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    return folder


def _number(text: str, pattern: str) -> int:
    found = re.search(pattern, text)
    assert found is not None, (pattern, text)
    return int(found.group(1).replace(",", ""))


def test_the_legend_and_the_panel_count_the_same_sites(tmp_path: Path) -> None:
    """A shared centre is drawn as a star, not as a kept circle or an opened triangle:
    the legend says how many of each decision are stars, so kept and opened add up to
    the panel's figures, and sites after to kept plus opened (a new site hosting a
    shared centre included)."""
    folder = _with_shared_centres(write_results(tmp_path / "shared", payloads=False))
    page = render_map(folder, tmp_path / "shared.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", page[page.index('id="estate-kpi"'):])
    text = " ".join(html.unescape(text).split())
    sites = pd.read_csv(folder / "sites.csv", dtype=str, keep_default_na=False)
    kept, opened = ((sites["decision"] == d).sum() for d in ("keep", "open"))
    closed = (sites["decision"] == "close").sum()
    assert f"Kept / closed / opened {kept} / {closed} / {opened}" in text
    assert f"Sites {kept + closed} \u2192 {kept + opened}" in text
    assert "Shared centres 4 at 3 sites" in text
    assert _number(text, r"Kept \((\d+), and 2 more drawn as stars\)") + 2 == kept
    assert _number(text, r"Opened \((\d+), and 1 more drawn as a star\)") + 1 == opened
    assert "Shared service centre (3 sites: 2 kept, 1 opened)" in text


def test_kpi_panel_is_a_named_region_with_a_heading() -> None:
    panel = kpi_panel(summary_record(scenario="North <b>"))
    assert panel.startswith('<section id="estate-kpi" class="estate-panel estate-foldable" '
                            'aria-label="Plan summary">')
    assert "<h2><bdi>North &lt;b&gt;</bdi></h2>" in panel and "<dl" in panel


def test_agencies_of_one_name_get_a_layer_each(tmp_path: Path) -> None:
    """Layers are found by their names (the compare map's checkboxes): two agencies
    named alike are told apart by their ids."""
    folder = write_results(tmp_path / "twins", payloads=False)
    agencies = folder / "agencies.csv"
    agencies.write_text(agencies.read_text(encoding="utf-8").replace("Agency 1", "Agency 0"),
                        encoding="utf-8")
    page = render_map(folder, tmp_path / "twins.html").read_text(encoding="utf-8")
    assert "Agency: Agency 0 (AG0)" in page and "Agency: Agency 0 (AG1)" in page
    assert "Agency: Agency 2" in page and "(AG2)" not in page
