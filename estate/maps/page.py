"""One self-contained HTML map per plan, drawn from a results folder alone (DESIGN 6).

The page is a folium map stripped to Leaflet: folium's default assets (jQuery,
Bootstrap, Font Awesome, awesome-markers, ten CDN requests) are replaced by Leaflet
inlined from the `xstatic-leaflet` package, so the file opens from an email attachment
on a locked-down network. Layers are drawn by our script (`estate.maps.script`) from a
columnar JSON payload (`estate.maps.payload`), which keeps a 5,000-site plan small and
every register text out of HTML.

Text from the register is hostile until proven otherwise. `inert` is the one escape
used wherever such text becomes HTML (KPI panel, legend, layer names, page title): its
output holds no character that means anything to HTML, to a JavaScript string or
template literal, or to a `<script>` block.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import folium
from branca.element import Element, MacroElement

from estate.maps.assets import COLOURS, SHAPE_SIZES, SHAPES, leaflet_assets
from estate.maps.payload import (
    PlanTables,
    move_payload,
    outline_rings,
    plan_bounds,
    read_plan,
    site_payload,
    zone_payload,
)
from estate.maps.script import RUNTIME_JS

__all__ = [
    "MARKER_LIMIT", "PlanLayers", "add_plan_layers", "inert", "kpi_panel", "legend", "new_map",
    "render_map", "script_json",
]

MARKER_LIMIT = 2000
"""Above this many sites a layer's markers are clustered (DESIGN 6)."""

_INERT = {
    ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;",
    ord("'"): "&#39;", ord("`"): "&#96;", ord("$"): "&#36;", ord("{"): "&#123;",
    ord("}"): "&#125;", ord("\\"): "&#92;", ord("\n"): "&#10;", ord("\r"): "&#13;",
    0: "&#0;", 0x2028: "&#8232;", 0x2029: "&#8233;",
}


def inert(text: object) -> str:
    """Text made harmless as HTML and inside any JavaScript string or template literal.

    Every character with a meaning in either language becomes a numeric or named HTML
    entity: `& < > " '` (HTML, and `</script>`), backtick, `$`, `{`, `}` (template
    literals and `${...}`), backslash (escapes), and the line terminators CR, LF,
    U+2028 and U+2029 (which end a JavaScript string), and NUL. What is left is plain characters, which
    the browser shows literally once it parses the HTML. None becomes "".
    """
    if text is None:
        return ""
    return str(text).translate(_INERT)


def script_json(value: Any) -> str:
    """JSON that can sit inside a `<script>` block as a JavaScript expression.

    `<`, `>` and `&` are written as \\u escapes so that no `</script>` or `<!--` can
    appear; U+2028/2029 likewise for older JavaScript engines. NaN is refused.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


class _Raw(Element):
    """A fixed string in the page, written as is.

    branca wraps each macro's output in `Element(text)`, which compiles the text as a
    Jinja template: a site named `{{ 7*7 }}` would be evaluated when the map is written.
    Our elements add `_Raw` children instead, so no text is ever read as a template.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class _Direct(MacroElement):
    """A map element that writes body HTML and script as plain strings (see `_Raw`)."""

    def body(self) -> str:
        return ""

    def js(self) -> str:
        return ""

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        if body := self.body():
            figure.html.add_child(_Raw(body), name=self.get_name())
        if js := self.js():
            figure.script.add_child(_Raw(js), name=self.get_name())


class _Assets(Element):
    """Leaflet, markercluster when needed, our CSS and script, in the page head."""

    def __init__(self, cdn: bool) -> None:
        super().__init__()
        self._name = "EstateAssets"
        self.cdn = cdn
        self.cluster = False

    def render(self, **kwargs: Any) -> str:
        runtime = RUNTIME_JS.replace("</", "<\\/")
        return leaflet_assets(self.cdn, self.cluster) + f"\n<script>{runtime}</script>"


class _LayerControl(_Direct):
    """The layer control every plan adds its overlays to (expanded: readers see it)."""

    def __init__(self) -> None:
        super().__init__()
        self._name = "EstateLayerControl"

    def js(self) -> str:
        return (f"var {self.get_name()} = L.control.layers({{}}, {{}}, "
                f"{{collapsed: false, sortLayers: false}}).addTo({self._parent.get_name()});")


class _Outline(_Direct):
    """The outline basemap: zone polygons, or Voronoi cells of the zones."""

    def __init__(self, control: _LayerControl, rings: list[list[float]], label: str,
                 opaque: bool = True) -> None:
        super().__init__()
        self._name = "EstateOutline"
        self.control = control
        self.rings = rings
        self.label = label
        self.opaque = opaque  # False over tiles, which the fill would hide

    def js(self) -> str:
        return (f"estateMap.addOutline({self._parent.get_name()}, {self.control.get_name()}, "
                f"{script_json(self.rings)}, {script_json(inert(self.label))}, "
                f"{script_json(self.opaque)});")


class PlanLayers(_Direct):
    """One plan's layers (sites before/after, moves, coverage, agencies) on a map."""

    def __init__(self, control: _LayerControl, payload: dict[str, Any], cluster: bool,
                 fit: bool) -> None:
        super().__init__()
        self._name = "EstatePlan"
        self.control = control
        self.payload = payload
        self.options = {"cluster": cluster, "fit": fit, "shapes": SHAPES, "sizes": SHAPE_SIZES,
                        "colours": COLOURS}
        self.max_fte = max(payload["moves"]["fte"], default=0.0)

    def js(self) -> str:
        return (f"estateMap.addPlan({self._parent.get_name()}, {self.control.get_name()}, "
                f"{script_json(self.payload)}, {script_json(self.options)});")


class _Panels(_Direct):
    """KPI panel and legend: static HTML (already inert) moved into Leaflet controls."""

    def __init__(self, markup: str, places: list[tuple[str, str]],
                 fit: list[list[float]] | None = None) -> None:
        super().__init__()
        self._name = "EstatePanels"
        self.markup = markup
        self.places = places
        self.fit = fit

    def body(self) -> str:
        return self.markup

    def js(self) -> str:
        lines = [f"estateMap.addPanel({self._parent.get_name()}, "
                 f"{script_json(node)}, {script_json(where)});" for node, where in self.places]
        if self.fit:
            lines.append(f"estateMap.fit({self._parent.get_name()}, {script_json(self.fit)});")
        return "\n".join(lines)


def new_map(cdn: bool = False, tiles: str | None = None, attr: str | None = None) -> folium.Map:
    """A folium map with none of folium's CDN assets, ready for `add_plan_layers`.

    `tiles` and `attr` are folium's: a tile set name or URL template and its attribution.
    """
    # maxZoom on the map itself: with no tile layer Leaflet has none, and markercluster
    # refuses to cluster without one
    fmap = folium.Map(location=[0.0, 0.0], zoom_start=2, tiles=tiles, attr=attr,
                      control_scale=True,
                      max_zoom=19, maxZoom=19, zoomSnap=0.25, zoomDelta=0.5)
    fmap.default_js = []
    fmap.default_css = []
    fmap.get_root().header.add_child(_Assets(cdn), name="estate_assets")
    fmap.add_child(_LayerControl(), name="estate_layer_control")
    return fmap


def _control(fmap: folium.Map) -> _LayerControl:
    control = fmap._children.get("estate_layer_control")
    if not isinstance(control, _LayerControl):
        raise ValueError("add_plan_layers needs a map made by estate.maps.page.new_map")
    return control


def _labels(plan: PlanTables, prefix: str, payload: dict[str, Any]) -> dict[str, str]:
    """Layer names, made inert: Leaflet's layer control writes them as HTML."""
    decisions = plan.sites["decision"]
    existing = int(decisions.isin(("keep", "close")).sum())
    after = int((decisions != "not_built").sum())
    closed = int((decisions == "close").sum())
    z = payload["zones"]["status"]
    raw = {
        "before": f"Sites before ({existing:,})",
        "after": f"Sites after ({after - closed:,} in use, {closed:,} closed)",
        "moves": f"Moves, width = FTE ({len(payload['moves']['fte']):,})",
        "lost": f"Zones losing coverage ({z.count(2):,})",
        "covered": f"Zones covered after ({z.count(1) + z.count(3):,})",
        "uncovered": f"Zones not covered ({z.count(4):,})",
    }
    lead = f"{prefix}: " if prefix else ""
    return {key: inert(lead + text) for key, text in raw.items()}


def _payload(plan: PlanTables, prefix: str) -> dict[str, Any]:
    agencies = list(dict.fromkeys(list(plan.agencies["agency_id"]) + list(plan.sites["agency_id"])))
    names = dict(zip(plan.agencies["agency_id"], plan.agencies["name"], strict=True))
    for agency_id, info in (plan.summary.get("agencies") or {}).items():
        if isinstance(info, dict) and agency_id not in names and info.get("name"):
            names[agency_id] = str(info["name"])
    lead = f"{prefix}: " if prefix else ""
    index = {a: i for i, a in enumerate(agencies)}
    payload: dict[str, Any] = {
        "agencies": [{"id": a, "name": names.get(a, a) or a,
                      "label": inert(f"{lead}Agency: {names.get(a, a) or a}")} for a in agencies],
        "sites": site_payload(plan, index),
        "moves": move_payload(plan, index),
        "zones": zone_payload(plan, inert),
        "bounds": plan_bounds(plan),
    }
    payload["labels"] = _labels(plan, prefix, payload)
    if prefix:
        for rule in payload["zones"]["rules"]:
            rule["label"] = inert(prefix) + ": " + rule["label"]
    return payload


def _drawn_sites(plan: PlanTables) -> int:
    return int((plan.sites["decision"] != "not_built").sum())


def add_plan_layers(fmap: folium.Map, results_dir: Path, name: str = "",
                    fit: bool = True) -> PlanLayers:
    """Draw the plan in `results_dir` on `fmap` (from `new_map`), labels prefixed by `name`.

    Meant for comparison maps: call once per scenario on one map; each plan gets its
    own layer group per kind, and its own agency toggles.
    """
    return _add_plan(fmap, read_plan(results_dir), name, fit)


def _add_plan(fmap: folium.Map, plan: PlanTables, name: str, fit: bool) -> PlanLayers:
    layer = _plan_layer(fmap, plan, name, fit)
    fmap.add_child(layer)
    return layer


def _plan_layer(fmap: folium.Map, plan: PlanTables, name: str, fit: bool) -> PlanLayers:
    """The plan's layers, not yet on the map; switches markercluster on when needed."""
    cluster = _drawn_sites(plan) > MARKER_LIMIT
    if cluster:
        fmap.get_root().header._children["estate_assets"].cluster = True
    return PlanLayers(_control(fmap), _payload(plan, name), cluster, fit)


def _money(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return inert(value)
    if not math.isfinite(number):
        return "n/a"
    v = abs(number)
    text = (f"£{v / 1e6:,.2f}m" if v >= 1e6 else f"£{v / 1e3:,.1f}k" if v >= 1e3
            else f"£{v:,.0f}")
    return ("\u2212" if number < 0 else "") + text


def _count(value: Any) -> str:
    try:
        return f"{round(float(value)):,}"
    except (TypeError, ValueError):
        return "n/a" if value is None else inert(value)


def kpi_panel(summary: dict[str, Any]) -> str:
    """The KPI panel's HTML: what an executive reads first. Every text value is inert."""
    s = summary
    payback = s.get("payback_years")
    if isinstance(payback, int | float) and math.isfinite(payback):
        payback_text = _duration(payback)
    else:
        payback_text = "never" if (s.get("annual_saving") or 0) <= 0 else "n/a"
    rows = [
        ("Annual saving", _money(s.get("annual_saving")), "estate-big"),
        ("Annual cost", f"{_money(s.get('annual_cost_before'))} \u2192 "
                        f"{_money(s.get('annual_cost_after'))}", ""),
        ("One-off cost", _money(s.get("one_off_cost")), ""),
        ("Payback", payback_text, ""),
        ("NPV saving", _money(s.get("npv_saving")), ""),
        ("Sites", f"{_count(s.get('sites_before'))} \u2192 {_count(s.get('sites_after'))}", ""),
        ("Closed / opened", f"{_count(s.get('sites_closed'))} / {_count(s.get('sites_opened'))}", ""),
        ("Shared centres", _count(s.get("shared_centres")), ""),
        ("FTE relocated", _count(s.get("fte_relocated")), ""),
    ]
    status = " \u00b7 ".join(inert(x) for x in (s.get("status"), s.get("solver")) if x)
    gap = s.get("mip_gap")
    if isinstance(gap, int | float) and math.isfinite(gap):
        status += f" \u00b7 gap {gap:.2%}"
    if s.get("status") == "time_limit":
        status = "<strong>NOT PROVEN OPTIMAL</strong> (time limit) \u00b7 " + status
    notes = []
    worse = [inert(info.get("name") or agency) for agency, info in (s.get("agencies") or {}).items()
             if isinstance(info, dict) and _truth(info.get("worse_off"))]
    if worse:
        notes.append("Worse off: " + ", ".join(worse))
    elif s.get("agencies"):
        rows.append(("Agencies worse off", "none", ""))
    if s.get("status_quo_feasible") is False:
        breaches = s.get("status_quo_breaches") or []
        if not isinstance(breaches, list):
            breaches = [breaches]
        shown = "; ".join(inert(b) for b in breaches[:3]) + ("; \u2026" if len(breaches) > 3 else "")
        notes.append(f"Today's estate breaks {len(breaches)} rule(s)" + (f": {shown}" if shown else ""))
    items = "".join(f"<dt>{k}</dt><dd class=\"{cls}\">{v}</dd>" for k, v, cls in rows)
    note_html = "".join(f'<div class="estate-warn">{n}</div>' for n in notes)
    return (f'<div id="estate-kpi" class="estate-panel"><h2>{inert(s.get("scenario") or "Plan")}</h2>'
            f'<div class="estate-status">{status}</div><dl class="estate-kpis">{items}</dl>'
            f"{note_html}<div class=\"estate-muted\">Pounds a year, except one-off cost and "
            "NPV saving (totals).</div></div>")


def _duration(years: float) -> str:
    """A payback period as a reader says it: "immediate", "5 months", "2.3 years"."""
    if years <= 0:
        return "immediate"  # DESIGN: 0 when the one-off is a net receipt
    if years < 1 / 12:
        return "under a month"
    if years < 1:
        months = round(years * 12)
        return f"{months} month{'s' if months != 1 else ''}"
    return f"{years:.1f} years"


def _truth(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("true", "1", "yes")


def legend(max_fte: float, outline_label: str, clustered: bool = False) -> str:
    """The legend's HTML: every shape and colour the map uses, with words for each."""

    def row(key: str, text: str) -> str:
        return f'<div class="estate-legend-row"><span class="estate-key">{key}</span>{inert(text)}</div>'

    def dot(colour: str, border: str = "#333") -> str:
        return f'<span class="estate-dot" style="background:{colour};border-color:{border}"></span>'

    def line(width: float) -> str:
        return f'<span class="estate-line" style="height:{width:.1f}px"></span>'

    sites = ["<div><h3>Sites after the plan</h3>",
             row(SHAPES["keep"], "Kept"), row(SHAPES["close"], "Closed"),
             row(SHAPES["open"], "Opened"), row(SHAPES["shared"], "Shared service centre"),
             *([row(_CLUSTER_KEY, "Group of sites: ring shows each decision's share")]
               if clustered else []),
             "<h3>Sites before</h3>", row(SHAPES["before"], "Existing site"),
             "<h3>Moves</h3>", row(line(2.5), "few FTE"),
             row(line(10.5), f"{max_fte:,.0f} FTE"), "</div>"]
    zones = ["<div><h3>Zones (size = population)</h3>",
             row(dot(COLOURS["lost"], "#7a2e00"), "Loses coverage"),
             row(dot(COLOURS["covered"]), "Covered before and after"),
             row(dot(COLOURS["gained"]), "Gains coverage"),
             row(dot(COLOURS["uncovered"]), "Not covered"),
             "<h3>Basemap</h3>", row(dot("#f6f3ec", "#b9b2a3"), outline_label),
             "</div>"]
    # <details>: a reader on a small screen folds the legend away, with no script
    return (f'<div id="estate-legend" class="estate-panel"><details open><summary>Legend</summary>'
            f'<div class="estate-legend-grid">{"".join(sites)}{"".join(zones)}</div>'
            "</details></div>")


_CLUSTER_KEY = (
    '<span class="estate-dot" style="width:16px;height:16px;border-width:2px;'
    f'background:conic-gradient({COLOURS["keep"]} 0 60%,{COLOURS["close"]} 60% 100%)"></span>'
)


def render_map(results_dir: Path, out: Path, cdn: bool = False, *,
               tiles: str | None = None, attr: str | None = None) -> Path:
    """Write the map of the plan in `results_dir` to `out` (HTML) and return `out`.

    Self-contained unless `cdn` (then Leaflet comes from jsDelivr). `tiles` adds a
    folium tile layer (a name such as "OpenStreetMap", or a URL template with its
    attribution `attr`); by default there is
    none and the outline basemap alone is drawn, so the map needs no network. The file
    is written beside `out` and renamed over it, so a reader never sees half a map.
    """
    plan = read_plan(Path(results_dir))
    fmap = new_map(cdn=cdn, tiles=tiles, attr=attr)
    scenario = plan.summary.get("scenario") or Path(results_dir).name
    fmap.get_root().title = inert(f"Estate plan: {scenario}")
    outline_label = ("Zone boundaries" if plan.zone_areas is not None
                     else "Zone areas (nearest zone centre)")
    control = _control(fmap)
    layer = _plan_layer(fmap, plan, "", False)
    markup = kpi_panel(plan.summary) + legend(layer.max_fte, outline_label,
                                              clustered=layer.options["cluster"])
    # panels, then the fit (clear of the panels), then the layers: each drawn once
    fmap.add_child(_Panels(markup, [("estate-kpi", "topleft"), ("estate-legend", "bottomleft")],
                           fit=layer.payload["bounds"]))
    fmap.add_child(_Outline(control, outline_rings(plan), outline_label, opaque=tiles is None))
    fmap.add_child(layer)
    html = fmap.get_root().render()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        temp.write_text(html, encoding="utf-8")
        os.replace(temp, out)
    finally:
        temp.unlink(missing_ok=True)
    return out
