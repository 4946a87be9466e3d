"""Map output without a browser: self-contained file, escaping, CDN variant, atomic write."""

from __future__ import annotations

import fnmatch
import html
import json
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from builders import summary_record
from mapfixtures import PAYLOADS, write_results

import estate
from estate.errors import InputError
from estate.maps.page import MARKER_LIMIT, add_plan_layers, new_map, render_map
from estate.maps.panels import kpi_panel
from estate.maps.payload import move_payload, outline_rings, read_plan, site_payload
from estate.render.html import inert, script_block, script_json, static_text, style_block

EXTRA_PAYLOADS = [
    "", "plain", "a & b", "'single' \"double\"", "`", "$", "{", "}", "${", "\\", "\\\\`",
    "</SCRIPT >", "</scr" + "ipt>", "<!--", "]]>", "\u2028", "\u2029", "\x7f", "tab\there",
    "${`${alert(1)}`}", "{{ config }}", "&#96;already escaped&#36;",
]
ALL_PAYLOADS = PAYLOADS + EXTRA_PAYLOADS
DANGEROUS = set("<>\"'`${}\\\n\r\u2028\u2029")


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_results(tmp_path_factory.mktemp("plan"))


@pytest.fixture(scope="module")
def page(results: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = render_map(results, tmp_path_factory.mktemp("map") / "plan.html")
    return out.read_text(encoding="utf-8")


@pytest.mark.parametrize("payload", ALL_PAYLOADS)
def test_inert_leaves_no_character_that_means_anything(payload: str) -> None:
    out = inert(payload)
    assert not DANGEROUS & set(out), out
    assert html.unescape(out) == payload


def test_inert_handles_nul_and_none() -> None:
    assert inert(None) == ""
    assert inert("a\x00b") == "a&#0;b"
    assert inert(12.5) == "12.5"


@pytest.mark.parametrize("payload", ALL_PAYLOADS)
def test_script_json_cannot_close_the_script_block(payload: str) -> None:
    text = script_json({"name": payload, "list": [payload, 1.5, None]})
    assert "</" not in text and "<!--" not in text and "<" not in text
    assert json.loads(text) == {"name": payload, "list": [payload, 1.5, None]}


def test_script_json_refuses_nan() -> None:
    with pytest.raises(ValueError):
        script_json({"x": float("nan")})


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
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert html.unescape(title) == "Estate plan: " + PAYLOADS[1] + " baseline"
    assert inert(PAYLOADS[0]) in page  # agency name in a layer label / worse-off note


def test_cdn_variant_references_cdns(results: Path, tmp_path: Path) -> None:
    light = render_map(results, tmp_path / "light.html", cdn=True).read_text(encoding="utf-8")
    refs = _asset_references(light)
    assert any("cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js" in r for r in refs)
    assert any("leaflet.css" in r for r in refs)
    assert all("https://cdn.jsdelivr.net/" in r for r in refs)
    heavy = render_map(results, tmp_path / "heavy.html").read_text(encoding="utf-8")
    assert len(light) < len(heavy) - 100_000


def test_big_plans_are_clustered(tmp_path: Path) -> None:
    folder = write_results(tmp_path / "big", n_sites=int(MARKER_LIMIT * 1.4), n_zones=200)
    page = render_map(folder, tmp_path / "big.html").read_text(encoding="utf-8")
    assert "MarkerClusterGroup" in page and '"cluster":true' in page
    assert _asset_references(page) == []


def test_write_is_atomic_and_keeps_old_map_on_failure(results: Path, tmp_path: Path) -> None:
    out = render_map(results, tmp_path / "plan.html")
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


def test_text_like_na_stays_text(tmp_path: Path) -> None:
    folder = write_results(tmp_path / "na", payloads=False)
    sites = pd.read_csv(folder / "sites.csv", dtype=str, keep_default_na=False)
    sites.loc[0, "name"] = "NA"
    sites.loc[1, "name"] = "nan"
    sites.to_csv(folder / "sites.csv", index=False)
    plan = read_plan(folder)
    assert list(plan.sites["name"][:2]) == ["NA", "nan"]


def test_voronoi_outline_has_one_cell_per_zone(results: Path) -> None:
    plan = read_plan(results)
    rings = outline_rings(plan)
    assert len(rings) == len(plan.zones)
    lats = [v for ring in rings for v in ring[0::2]]
    assert min(lats) < plan.zones["lat"].min() and max(lats) > plan.zones["lat"].max()


def test_zone_polygons_replace_voronoi(tmp_path: Path) -> None:
    folder = write_results(tmp_path / "areas", zone_areas=True)
    plan = read_plan(folder)
    assert plan.zone_areas is not None and len(outline_rings(plan)) == len(plan.zones)
    page = render_map(folder, tmp_path / "areas.html").read_text(encoding="utf-8")
    assert "Zone boundaries" in page


def test_kpi_panel_reads_summary() -> None:
    panel = kpi_panel(summary_record(
        scenario="S", annual_saving=-1200.0, payback_years=None, sites_before=10,
        sites_after=8, status_quo_feasible=False,
        status_quo_breaches=[{"rule": "housed", "place": "a"}, {"rule": "desks", "place": "b"}]))
    assert "\u2212£1.2k" in panel and "never" in panel and "10 \u2192 8" in panel
    assert "breaks 2 rule(s)" in panel


def test_comparison_map_has_one_plan_per_scenario(results: Path, tmp_path: Path) -> None:
    fmap = new_map()
    add_plan_layers(fmap, results, "Plan A")
    add_plan_layers(fmap, results, "Plan <B>", fit=False)
    page = fmap.get_root().render()
    assert page.count("estateMap.addPlan(") == 2
    assert "Plan &lt;B&gt;: Sites after" in page.replace("\\u0026", "&")


def test_optional_tables_may_be_missing(tmp_path: Path) -> None:
    folder = write_results(tmp_path / "bare")
    for name in ("coverage.csv", "zones.csv", "assignments.csv", "agencies.csv"):
        (folder / name).unlink()
    page = render_map(folder, tmp_path / "bare.html").read_text(encoding="utf-8")
    assert "estateMap.addPlan(" in page and _asset_references(page) == []


def test_tiles_are_opt_in_and_leave_the_outline_transparent(results: Path, tmp_path: Path) -> None:
    page = render_map(results, tmp_path / "tiles.html",
                      tiles="https://tiles.example/{z}/{x}/{y}.png",
                      attr="Example tiles").read_text(encoding="utf-8")
    assert "L.tileLayer(" in page and "tiles.example" in page
    assert re.search(r"estateMap\.addOutline\(.*, false\);", page)
    offline = render_map(results, tmp_path / "offline.html").read_text(encoding="utf-8")
    assert "L.tileLayer(" not in offline


def test_decisions_outside_the_design_are_refused(tmp_path: Path) -> None:
    folder = write_results(tmp_path / "odd")
    sites = pd.read_csv(folder / "sites.csv", dtype=str, keep_default_na=False)
    sites.loc[3, "lat"] = ""
    sites.to_csv(folder / "sites.csv", index=False)
    with pytest.raises(InputError, match="row 5"):
        read_plan(folder)


def test_moves_are_weighted_by_the_fte_that_moves(results: Path) -> None:
    plan = read_plan(results)
    sites = list(plan.sites["site_id"])
    moves = move_payload(plan, {a: i for i, a in enumerate(plan.agencies["agency_id"])})
    moving = plan.assignments[(plan.assignments["from_site"] != "")
                              & (plan.assignments["from_site"] != plan.assignments["to_site"])]
    assert sum(moves["fte"]) == pytest.approx(moving["fte_moved"].sum())
    pairs = {(sites[a], sites[b]) for a, b in zip(moves["from"], moves["to"], strict=True)}
    assert pairs == set(zip(moving["from_site"], moving["to_site"], strict=True))


def test_closed_sites_host_nothing_after(results: Path) -> None:
    plan = read_plan(results)
    payload = site_payload(plan, {})
    for decision, after, before in zip(payload["decision"], payload["after"], payload["before"],
                                       strict=True):
        if decision == "close":
            assert after == [] and before
    hosted = sum(len(a) for a in payload["after"])
    assert hosted == len(plan.assignments)


PACKAGE = Path(estate.__file__).parent
STATIC = sorted(path for group in ("maps", "render") for path in (PACKAGE / group / "static").iterdir())


def _shipped(suffix: str) -> list[Path]:
    return [path for path in STATIC if path.suffix == suffix]


def test_the_front_end_is_files_shipped_as_package_data() -> None:
    assert {p.name for p in _shipped(".js")} >= {"map.js", "compare.js"}
    assert {p.name for p in _shipped(".css")} >= {"map.css", "compare.css", "sweep.css"}
    assert {p.suffix for p in STATIC} == {".js", ".css"}
    globs = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["setuptools"]["package-data"]
    for path in STATIC:
        package = "estate." + path.parent.parent.name
        relative = path.relative_to(path.parent.parent).as_posix()
        assert any(fnmatch.fnmatch(relative, g) for g in globs.get(package, [])), path
        assert static_text(package, path.name) == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", _shipped(".js"), ids=lambda p: p.name)
def test_every_script_parses(path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("ESTATE_REQUIRE_BROWSER") == "1":
            pytest.fail("ESTATE_REQUIRE_BROWSER=1 but node is missing (apt-get install nodejs)")
        pytest.skip("node is missing (apt-get install nodejs)")
    checked = subprocess.run([node, "--check", str(path)], capture_output=True, text=True,
                             timeout=60, check=False)
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize("path", _shipped(".css"), ids=lambda p: p.name)
def test_every_stylesheet_balances_its_braces(path: Path) -> None:
    text = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.S)
    text = re.sub(r"\"[^\"\n]*\"|'[^'\n]*'", "", text)
    depth = 0
    for line, row in enumerate(text.splitlines(), 1):
        for char in row:
            depth += {"{": 1, "}": -1}.get(char, 0)
            assert depth >= 0, f"{path.name}:{line}: a }} with no {{"
    assert depth == 0, f"{path.name}: {depth} unclosed {{"


def test_inlined_code_cannot_end_its_block() -> None:
    script = script_block('var s = "</script><script>alert(1)</SCRIPT >";')
    assert script.lower().count("</script") == 1 and script.endswith("</script>")
    style = style_block('a::after { content: "</style><script>alert(1)</script>"; }')
    assert style.lower().count("</style") == 1 and style.endswith("</style>")


def test_the_map_inlines_its_own_script_and_styles(page: str) -> None:
    for name in ("map.js", "map.css"):
        assert static_text("estate.maps", name) in page
