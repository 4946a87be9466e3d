"""One self-contained HTML map per plan, drawn from a results folder alone.

The page is a folium map stripped to Leaflet: folium's default assets (jQuery,
Bootstrap, Font Awesome, awesome-markers, ten CDN requests) are replaced by Leaflet
inlined from the `xstatic-leaflet` package, so the file opens from an email attachment
on a locked-down network.

Layers are drawn by our own script, `static/map.js`, from a columnar JSON payload
(`estate.maps.payload`). Why not one folium object per marker: a 5,000-site,
30,000-zone plan written as folium markers is tens of megabytes of repeated JavaScript;
as columnar JSON plus one loop it is a few. It also keeps every register text out of
HTML: popups and tooltips are DOM nodes filled with `textContent`, so a site named
`<img src=x onerror=alert(1)>` is shown, never parsed. The only HTML strings are the
KPI panel, the legend, layer names and the title, all made with
`estate.render.html.inert`.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import folium
from branca.element import Element, Figure, MacroElement

from estate.maps.assets import COLOURS, SHAPE_SIZES, SHAPES, leaflet_assets
from estate.maps.panels import kpi_panel, legend, site_counts
from estate.maps.payload import (
    PlanTables,
    move_payload,
    outline_label,
    outline_rings,
    place_payload,
    plan_bounds,
    plan_tables,
    read_plan,
    site_payload,
    zone_payload,
)
from estate.maps.timeline import move_years, timeline_payload
from estate.render.html import (
    inert,
    isolated_text,
    marked_names,
    script_block,
    script_json,
    static_text,
    style_block,
    with_map_policy,
    write_page,
)
from estate.results import Summary
from estate.store import StoredResults
from estate.store.drawn_from import MAP_TITLE, folder_mark

__all__ = [
    "MARKER_LIMIT", "Direct", "Outline", "Panels", "Places", "PlanLayers", "Raw",
    "add_plan_layers", "add_place_names", "figure_of", "new_map", "render_map",
]

MARKER_LIMIT = 2000
"""Above this many sites a layer's markers are clustered."""


class Raw(Element):
    """A fixed string in the page, written as is.

    branca wraps each macro's output in `Element(text)`, which compiles the text as a
    Jinja template: a site named `{{ 7*7 }}` would be evaluated when the map is written.
    Our elements add `Raw` children instead, so no text is ever read as a template.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


def figure_of(element: Element) -> Figure:
    """The page an element is on: the Figure at the root of its tree.

    branca types `get_root` as returning any Element; a folium map is always put in a
    Figure when made, so anything added to one finds a Figure there.
    """
    root = element.get_root()
    if not isinstance(root, Figure):
        raise ValueError(f"{type(element).__name__} is not on a page (a folium map)")
    return root


class _Page(Figure):
    """folium's page, in English for screen readers, and zoomable.

    folium writes `<html>` with no language and a viewport that forbids zooming
    (`maximum-scale=1.0, user-scalable=no`), which fails WCAG 2.2 AA (3.1.1, 1.4.4): a
    reader with low vision must be able to pinch-zoom the page.
    """

    def render(self, **kwargs: Any) -> str:
        text = super().render(**kwargs)
        text = text.replace("<html>", '<html lang="en-GB">', 1)
        return re.sub(r'<meta name="viewport"[^>]*>',
                      '<meta name="viewport" content="width=device-width, initial-scale=1">',
                      text, count=1)


class Direct(MacroElement):
    """A map element that writes body HTML and script as plain strings (see `Raw`)."""

    def body(self) -> str:
        return ""

    def js(self) -> str:
        return ""

    @property
    def map_name(self) -> str:
        """The JavaScript variable of the map this element was added to."""
        if self._parent is None:
            raise ValueError(f"{type(self).__name__} is drawn only once added to a map")
        return self._parent.get_name()

    def render(self, **kwargs: Any) -> str:
        """Add the body and script to the page's sections; nothing is written in place."""
        figure = figure_of(self)
        if body := self.body():
            figure.html.add_child(Raw(body), name=self.get_name())
        if js := self.js():
            figure.script.add_child(Raw(js), name=self.get_name())
        return ""


class _Assets(Element):
    """Leaflet, markercluster when needed, our CSS and scripts, in the page head."""

    def __init__(self, cdn: bool) -> None:
        super().__init__()
        self._name = "EstateAssets"
        self.cdn = cdn
        self.cluster = False

    def render(self, **kwargs: Any) -> str:
        return "\n".join([leaflet_assets(self.cdn, self.cluster),
                          style_block(static_text("estate.maps", "map.css")),
                          script_block(static_text("estate.maps", "popups.js")),
                          script_block(static_text("estate.maps", "map.js")),
                          script_block(static_text("estate.maps", "clearance.js")),
                          script_block(static_text("estate.maps", "panels.js")),
                          script_block(static_text("estate.maps", "places.js")),
                          script_block(static_text("estate.maps", "moves.js"))])


class _LayerControl(Direct):
    """The layer control every plan adds its overlays to (expanded: readers see it), made
    after the scale bar (`estateMap.addScale`, in km and miles, long enough for its
    words), the first of the map's controls."""

    def __init__(self) -> None:
        super().__init__()
        self._name = "EstateLayerControl"

    def js(self) -> str:
        # a heading and a name, so that a screen reader finds the layer switches
        return (f"estateMap.addScale({self.map_name});\n"
                f"var {self.get_name()} = estateMap.nameControl(L.control.layers({{}}, {{}}, "
                f"{{collapsed: false, sortLayers: false}}).addTo({self.map_name}));")


class Outline(Direct):
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
        return (f"estateMap.addOutline({self.map_name}, {self.control.get_name()}, "
                f"{script_json(self.rings)}, {script_json(inert(self.label))}, "
                f"{script_json(self.opaque)});")


class Places(Direct):
    """Place names over the outline basemap (`payload.place_payload`), thinned with zoom."""

    def __init__(self, control: _LayerControl, places: dict[str, list[Any]],
                 label: str = "Place names") -> None:
        super().__init__()
        self._name = "EstatePlaces"
        self.control = control
        self.places = places
        self.label = label

    def js(self) -> str:
        return (f"estateMap.addPlaces({self.map_name}, {self.control.get_name()}, "
                f"{script_json(self.places)}, {script_json(inert(self.label))});")


class PlanLayers(Direct):
    """One plan's layers (sites before/after, moves, coverage, agencies) on a map."""

    def __init__(self, control: _LayerControl, payload: dict[str, Any], cluster: bool,
                 fit: bool) -> None:
        super().__init__()
        self._name = "EstatePlan"
        self.control = control
        self.payload = payload
        self.cluster = cluster
        self.options = {"cluster": cluster, "fit": fit, "shapes": SHAPES, "sizes": SHAPE_SIZES,
                        "colours": COLOURS}
        self.max_fte = max(payload["moves"]["fte"], default=0.0)

    def js(self) -> str:
        return (f"estateMap.addPlan({self.map_name}, {self.control.get_name()}, "
                f"{script_json(self.payload)}, {script_json(self.options)});")


class Panels(Direct):
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
        lines = [f"estateMap.addPanel({self.map_name}, "
                 f"{script_json(node)}, {script_json(where)});" for node, where in self.places]
        if self.fit:
            lines.append(f"estateMap.fit({self.map_name}, {script_json(self.fit)});")
        return "\n".join(lines)


def new_map(cdn: bool = False, tiles: str | None = None, attr: str | None = None) -> folium.Map:
    """A folium map with none of folium's CDN assets, ready for `add_plan_layers`.

    `tiles` and `attr` are folium's: a tile set name or URL template and its attribution.
    """
    # maxZoom on the map itself: with no tile layer Leaflet has none, and markercluster
    # refuses to cluster without one
    fmap = folium.Map(location=[0.0, 0.0], zoom_start=2, tiles=tiles, attr=attr,
                      max_zoom=19, maxZoom=19, zoomSnap=0.25, zoomDelta=0.5)
    fmap.default_js = []
    fmap.default_css = []
    _Page().add_child(fmap)  # in place of folium's own page: see _Page
    figure_of(fmap).header.add_child(_Assets(cdn), name="estate_assets")
    fmap.add_child(_LayerControl(), name="estate_layer_control")
    return fmap


def _control(fmap: folium.Map) -> _LayerControl:
    control = fmap._children.get("estate_layer_control")
    if not isinstance(control, _LayerControl):
        raise ValueError("add_plan_layers needs a map made by estate.maps.page.new_map")
    return control


def _assets(fmap: folium.Map) -> _Assets:
    assets = figure_of(fmap).header._children.get("estate_assets")
    if not isinstance(assets, _Assets):
        raise ValueError("add_plan_layers needs a map made by estate.maps.page.new_map")
    return assets


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
        "moves": _moves_label(payload["moves"]),
        "lost": f"Zones losing coverage ({z.count(2):,})",
        "covered": f"Zones covered after ({z.count(1) + z.count(3):,})",
        "uncovered": f"Zones not covered ({z.count(4):,})",
    }
    lead = f"{prefix}: " if prefix else ""
    return {key: inert(lead + text) for key, text in raw.items()}


def _moves_label(moves: dict[str, list[Any]]) -> str:
    """"Moves (5; line width = staff moving)": a count of routes, one per (from site, to
    site, agency), not of staff (the line's width is the staff moving), the same on the
    plan's map and a comparison map. A dated map draws a route whose teams move in
    different years as a line a year, for the slider to show each in its year, and says
    so: "Moves (5; drawn by year as 6 lines; ...)"."""
    routes = len(set(zip(moves["from"], moves["to"], moves["agency"], strict=True)))
    lines = len(moves["fte"])
    by_year = f"; drawn by year as {lines:,} lines" if lines != routes else ""
    return f"Moves ({routes:,}{by_year}; line width = staff moving)"


def _payload(plan: PlanTables, prefix: str, timeline: bool = False) -> dict[str, Any]:
    """The layers' data; with `timeline`, and a programme in the folder, the years its
    sites and moves appear in (the year slider's data)."""
    years = timeline_payload(plan) if timeline else None
    agencies = list(dict.fromkeys(list(plan.agencies["agency_id"]) + list(plan.sites["agency_id"])))
    names = dict(zip(plan.agencies["agency_id"], plan.agencies["name"], strict=True))
    for agency_id, info in plan.summary.agencies.items():
        if agency_id not in names and info.name:
            names[agency_id] = info.name
    lead = f"{prefix}: " if prefix else ""
    index = {a: i for i, a in enumerate(agencies)}
    shown = {a: str(names.get(a, a) or a) for a in agencies}
    # a layer is found by its label (the compare map's checkboxes): two agencies of one
    # name are told apart by their ids
    twice = {n for n, k in Counter(shown.values()).items() if k > 1}
    shown = {a: f"{n} ({a})" if n in twice else n for a, n in shown.items()}
    payload: dict[str, Any] = {
        "agencies": [{"id": a, "name": names.get(a, a) or a,
                      "label": inert(f"{lead}Agency: {shown[a]}")} for a in agencies],
        "sites": site_payload(plan, index),
        "moves": move_payload(plan, index, None if years is None or plan.programme is None
                              else move_years(plan.programme)),
        "zones": zone_payload(plan),
        "bounds": plan_bounds(plan),
    }
    if years is not None:
        payload["timeline"] = years
    payload["labels"] = _labels(plan, prefix, payload)
    if prefix:
        for rule in payload["zones"]["rules"]:
            rule["label"] = inert(prefix) + ": " + rule["label"]
    return payload


def _plan(results: Path | PlanTables) -> PlanTables:
    """A plan's tables: as given, or read (and checked) from its results folder."""
    return results if isinstance(results, PlanTables) else read_plan(Path(results))


def add_place_names(fmap: folium.Map, results: Path | PlanTables,
                    label: str = "Place names") -> Places:
    """Write the register's place names (its most populous zones) on `fmap`, once per map:
    a comparison map calls this for one of its plans, after its outline. `results` is a
    results folder or its tables already read (`read_plan`)."""
    places = Places(_control(fmap), place_payload(_plan(results)), label)
    fmap.add_child(places)
    return places


def _drawn_sites(plan: PlanTables) -> int:
    return int((plan.sites["decision"] != "not_built").sum())


def add_plan_layers(fmap: folium.Map, results: Path | PlanTables, name: str = "",
                    fit: bool = True) -> PlanLayers:
    """Draw the plan in `results` (a results folder, or its tables from `read_plan`) on
    `fmap` (from `new_map`), labels prefixed by `name`.

    Meant for comparison maps: call once per scenario on one map; each plan gets its
    own layer group per kind, and its own agency toggles.
    """
    return _add_plan(fmap, _plan(results), name, fit)


def _add_plan(fmap: folium.Map, plan: PlanTables, name: str, fit: bool) -> PlanLayers:
    layer = _plan_layer(fmap, plan, name, fit)
    fmap.add_child(layer)
    return layer


def _plan_layer(fmap: folium.Map, plan: PlanTables, name: str, fit: bool,
                timeline: bool = False) -> PlanLayers:
    """The plan's layers, not yet on the map; switches markercluster on when needed."""
    cluster = _drawn_sites(plan) > MARKER_LIMIT
    if cluster:
        _assets(fmap).cluster = True
    return PlanLayers(_control(fmap), _payload(plan, name, timeline), cluster, fit)


def _marked_scenario(summary: Summary, scenario: str) -> str:
    """The scenario's name between isolate marks (`isolated_text`), for the page's title
    and h1: an alternative's own name alone ("<name> (alternative 2)"), so that the
    words after an Arabic or Hebrew name stay after it."""
    alternative = summary.alternative
    if alternative is not None:
        return f"{isolated_text(alternative.of)} (alternative {alternative.index})"
    return isolated_text(scenario)


def render_map(results_dir: Path, out: Path, cdn: bool = False, *,
               tiles: str | None = None, attr: str | None = None,
               stored: StoredResults | None = None) -> Path:
    """Write the map of the plan in `results_dir` to `out` (HTML) and return `out`.

    Self-contained unless `cdn` (then Leaflet comes from jsDelivr). `tiles` adds a
    folium tile layer (a name such as "OpenStreetMap", or a URL template with its
    attribution `attr`); by default there is
    none and the outline basemap alone is drawn, so the map needs no network. When the
    folder holds a dated programme (programme.csv), a year slider shows the estate at
    the end of each year. The file is written beside `out` and renamed over it, so a
    reader never sees half a map. `stored` is the folder already read by
    `estate.store.check_results`, so that it is not read twice.
    """
    plan = plan_tables(stored) if stored is not None else read_plan(Path(results_dir))
    fmap = new_map(cdn=cdn, tiles=tiles, attr=attr)
    scenario = plan.summary.scenario or Path(results_dir).name
    figure_of(fmap).title = inert(MAP_TITLE + _marked_scenario(plan.summary, scenario))
    outline = outline_label(plan)  # None: no zones, so no outline layer
    control = _control(fmap)
    layer = _plan_layer(fmap, plan, "", False, timeline=True)  # a year slider, when dated
    layer.options["moveList"] = True  # moves drawn on a canvas are listed (moves.js)
    places = place_payload(plan)
    # the page's one h1, for screen readers (the map itself says the scenario in the panel)
    counts = site_counts(layer.payload["sites"])
    markup = (f'<h1 class="estate-hidden">Estate plan map: '
              f'{marked_names(inert(_marked_scenario(plan.summary, scenario)))}</h1>'
              + kpi_panel(plan.summary, counts, layer.payload.get("timeline"), plan.cautions)
              + legend(layer.max_fte, outline, clustered=layer.cluster,
                       counts=counts, places=bool(places["name"]),
                       timeline="timeline" in layer.payload,
                       coverage=bool(layer.payload["zones"]["rules"])))
    # panels, then the fit (clear of the panels), then the layers: each drawn once
    # the legend under the KPI panel, in one column: neither covers the other
    fmap.add_child(Panels(markup, [("estate-kpi", "topleft"), ("estate-legend", "topleft")],
                           fit=layer.payload["bounds"]))
    if outline is not None:
        fmap.add_child(Outline(control, outline_rings(plan), outline, opaque=tiles is None))
    if places["name"]:
        fmap.add_child(Places(control, places))
    fmap.add_child(layer)
    # the folder it is drawn from, marked, so a new plan of that folder redraws it
    page = with_map_policy(figure_of(fmap).render()).replace(
        "</title>", "</title>\n" + folder_mark(results_dir, Path(out)), 1)
    return write_page(Path(out), page)
