"""`comparison_map.html`: the compared scenarios' plans on one map, one at a time.

Eighteen layers for each of three scenarios in one list is 54 checkboxes, which nobody
reads. So the map shows **one scenario at a time**: a select chooses it, and one list
of layer kinds ("Sites after", "Moves", "Agency: Police", ...) applies to whichever
scenario is shown. A button splits the page into **two maps side by side**, each with
its own scenario select, their centre and zoom kept in step. Red rings mark the sites
whose decision differs between scenarios on every map, each ring listing the decision in
every scenario.

Each plan is drawn by `estate.maps.page` (`add_plan_layers`, the same drawing as
`estate map`), so the page holds each scenario's data once; the switcher, the second
map and the rings are `static/compare.js`, which over 2,000 moves gives each map the
list of the moves of the scenario it shows (`static/moves.js`, as on a plan's map). The panel is static HTML made here with
`inert`; the script fills it with DOM nodes and `textContent` only.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pandas as pd

from estate.errors import KeptReasons
from estate.maps.page import (
    Direct,
    Outline,
    Panels,
    PlanLayers,
    Raw,
    add_place_names,
    add_plan_layers,
    figure_of,
    new_map,
)
from estate.maps.panels import legend
from estate.maps.payload import outline_label, outline_rings, plan_tables, read_plan
from estate.render.html import (
    inert,
    isolated,
    isolated_text,
    script_block,
    script_json,
    static_text,
    style_block,
    with_map_policy,
)
from estate.results import Summary
from estate.results.words import dated_saving_words, plan_quality, saving_figure
from estate.runs.compare import Run
from estate.store import site_areas
from estate.store.check import RESULT_TABLES, read_table

RING = "#d7191c"
"""The colour of the rings round the sites whose decision differs."""

_MAIN = ("after", "moves")
"""The layer kinds listed in view; the others are under "More layers" and "Agencies"."""


DECISION_WORDS = {"keep": "kept", "close": "closed", "open": "opened",
                  "not_built": "not built"}
"""A site's decision as the comparison's list and popups say it."""


def differing_sites(runs: list[Run]) -> dict[str, list[Any]]:
    """Sites whose decision is not the same in every scenario that includes them.

    A site is its register and its id: scenarios on different registers share no site.
    When a scenario was planned area by area, each site also has its `area`
    (`estate.store.site_areas`; "" for a site no such scenario has), which the list and
    the ring's popup say, as sites of two areas may share a name.
    """
    frames = []
    for k, run in enumerate(runs):
        if run.summary:
            sites = (run.stored.tables["sites"] if run.stored is not None
                     else read_table(run.results_dir / "sites.csv", RESULT_TABLES["sites"]))
            frames.append(sites[["site_id", "name", "lat", "lon", "decision"]].assign(
                k=k, register=str(Path(run.scenario.data).resolve()),
                area=site_areas(run.summary, sites)))  # None: a locality's, no area
    out: dict[str, list[Any]] = {"id": [], "name": [], "lat": [], "lon": [], "decisions": []}
    if not frames:
        return out
    every = pd.concat(frames, ignore_index=True)
    by_area = bool(every["area"].notna().any())
    if by_area:
        out["area"] = []
    for (_, site_id), group in every.groupby(["register", "site_id"], sort=True):
        if group["decision"].nunique() < 2:
            continue
        first = group.iloc[0]
        out["id"].append(str(site_id))
        out["name"].append(str(first["name"]))
        if by_area:
            named = group["area"].dropna()
            out["area"].append(str(named.iloc[0]) if len(named) else "")
        out["lat"].append(float(first["lat"]))
        out["lon"].append(float(first["lon"]))
        out["decisions"].append([[runs[int(k)].scenario.name, DECISION_WORDS.get(d, d)]
                                 for k, d in zip(group["k"], group["decision"], strict=True)])
    return out


def layer_kinds(name: str, layers: PlanLayers) -> dict[str, list[str]]:
    """Each layer name one plan gives the layer control (inert, prefixed by the scenario's
    name) -> [kind, label as plain text without the prefix, group].

    A kind is the same in every scenario ("after", "agency:<id>", "rule:<label>"), so
    one checkbox per kind serves whichever scenario is shown; the group says where it
    is listed ("main", "more" or "agency"). The script writes labels with textContent.
    """
    payload = layers.payload
    lead = inert(name) + ": "

    def short(label: str) -> str:
        return html.unescape(label[len(lead):] if label.startswith(lead) else label)

    kinds: dict[str, list[str]] = {}
    for key, label in payload["labels"].items():
        kinds[label] = [key, short(label), "main" if key in _MAIN else "more"]
    for rule in payload["zones"]["rules"]:
        kinds[rule["label"]] = ["rule:" + short(rule["label"]), short(rule["label"]), "more"]
    for agency in payload["agencies"]:
        kinds[agency["label"]] = ["agency:" + str(agency["id"]), short(agency["label"]),
                                  "agency"]
    return kinds


def _facts(k: int, summary: Summary, any_dated: bool) -> str:
    """The shown scenario's headline figures, for the panel (inert HTML); with a dated
    scenario among them, each NPV saving says whether it is dated, as the page's does."""
    saving = (dated_saving_words(summary.npv_saving, summary.programme,
                                 summary.booked_early_npv is not None) if any_dated
              else saving_figure(summary.npv_saving))
    rows = [("Plan", inert(plan_quality(summary)[0])),
            ("Annual saving", inert(saving_figure(summary.annual_saving))),
            ("NPV saving", inert(saving)),
            ("Sites closed / opened", f"{summary.sites_closed:,} / {summary.sites_opened:,}")]
    cells = "".join(f"<dt>{term}</dt><dd>{value}</dd>" for term, value in rows)
    hidden = "" if k == 0 else " hidden"
    return f'<dl class="estate-compare-facts" data-scenario="{k}"{hidden}>{cells}</dl>'


def _differing_list(diff: dict[str, list[Any]]) -> str:
    """The sites the red rings mark, in words, for a reader who does not see the rings."""
    n = len(diff["id"])
    areas = diff.get("area") or [""] * n
    items = "".join(
        f"<li>{inert(site)} {isolated(name)}"
        + (f" (area {isolated(area)})" if area else "") + ": "
        + "; ".join(f"{isolated(scenario)} {inert(decision)}" for scenario, decision in pairs)
        + "</li>"
        for site, name, area, pairs in zip(diff["id"], diff["name"], areas, diff["decisions"],
                                           strict=True))
    return (f'<details class="estate-compare-differing"><summary>Red rings: {n:,} '
            f'{"site" if n == 1 else "sites"} whose decision differs</summary>'
            f"<ul>{items}</ul></details>")


MOST_WHY = 200
"""The characters of a scenario's first reason for having no plan the map's panel shows;
the comparison page has them all, whole."""


def _why(message: str | None) -> str:
    """Why a scenario has no plan, as the panel says it after its status: the first of
    its reasons (the message's "  - " items; an infeasible scenario's last names the
    rules to relax), how many more, and the rules to relax; a message of no items, cut
    short where long."""
    kept = KeptReasons.of(message or "")
    first = (kept.reasons[0] if kept.reasons
             else "" if kept.relax else " ".join((message or "").split()))
    if len(first) > MOST_WHY:
        first = first[:MOST_WHY - 1].rstrip() + "\u2026"
    more = len(kept.reasons) - 1
    said = "; ".join(part for part in (
        first, f"and {more:,} more on the comparison page" if more > 0 else "",
        kept.relax) if part)
    if not said:
        return ""
    return f": {inert(said)}"


def _panel(runs: list[Run], diff: dict[str, list[Any]]) -> str:
    """The comparison panel: the scenario select, the side-by-side button, the layer
    kinds (filled in by the script) and the headline figures of the scenario shown;
    static/panels.js gives it a button that folds it away (estate-foldable)."""
    solved = [r for r in runs if r.summary]
    missing = "; ".join(f"{isolated(r.scenario.name)} ({inert(r.status or 'not planned')}"
                        f"{_why(r.message)})" for r in runs if not r.summary)
    missing = (f'<p class="estate-compare-note">No plan to show: {missing}.</p>'
               if missing else "")
    options = "".join(f'<option value="{k}">{inert(r.scenario.name)}</option>'
                      for k, r in enumerate(solved))
    dated = any(r.summary.programme for r in solved if r.summary)
    facts = "".join(_facts(k, r.summary, dated) for k, r in enumerate(solved) if r.summary)
    split = ('<button type="button" class="estate-split" aria-pressed="false">'
             "Side by side</button>" if len(solved) > 1 else "")
    return (
        '<section id="estate-compare" class="estate-panel estate-compare estate-foldable" '
        'aria-labelledby="estate-compare-title">'
        f'<h1 id="estate-compare-title">Comparing {len(runs)} '
        f'{"scenario" if len(runs) == 1 else "scenarios"}</h1>'
        '<div class="estate-compare-pick"><label for="estate-scenario-a">'
        '<span class="estate-when-split">Left map: </span>Scenario shown</label>'
        f'<select id="estate-scenario-a" class="estate-scenario">{options}</select></div>'
        f"{facts}{missing}{split}{_differing_list(diff)}"
        '<p class="estate-hidden" role="status" aria-live="polite"></p>'
        '<fieldset class="estate-kinds"><legend>Layers</legend>'
        '<div class="estate-kinds-main"></div>'
        '<details><summary>More layers</summary><div class="estate-kinds-more"></div></details>'
        '<details><summary>Agencies</summary><div class="estate-kinds-agency"></div></details>'
        "</fieldset></section>")


class _Views(Direct):
    """The switcher, the second map and the rings (`estateCompare.start`): written after
    every plan, outline and place name is drawn, so that it finds them all."""

    def __init__(self, control: Any, setup: dict[str, Any]) -> None:
        super().__init__()
        self._name = "EstateCompare"
        self.control = control
        self.setup = setup

    def js(self) -> str:
        return (f"estateCompare.start({self.map_name}, {self.control.get_name()}, "
                f"{script_json(self.setup)});")


def comparison_map(runs: list[Run], cdn: bool = False) -> str:
    """One map: the scenarios' plans (one shown at a time, two side by side on demand),
    the outline basemap and place names, and rings round the sites whose decision
    differs between scenarios."""
    fmap = new_map(cdn=cdn)
    solved = [r for r in runs if r.summary]
    root = figure_of(fmap)
    root.title = inert("Estate comparison: " + ", ".join(isolated_text(r.scenario.name)
                                                         for r in runs))
    if not solved:
        return with_map_policy(root.render())
    root.header.add_child(Raw(style_block(static_text("estate.maps", "compare_map.css"))
                              + script_block(static_text("estate.maps", "compare.js"))),
                          name="estate_compare_js")
    diff = differing_sites(solved)
    plans = [plan_tables(r.stored) if r.stored is not None else read_plan(r.results_dir)
             for r in solved]
    plan = plans[0]
    outline = outline_label(plan)  # None: no zones, so no outline layer
    # the panels first, so that the first plan's fitBounds keeps the sites clear of them;
    # the legend, which needs the plans' widest move, is added to them below
    panels = Panels(_panel(runs, diff),
                    [("estate-compare", "topleft"), ("estate-legend", "bottomleft")])
    fmap.add_child(panels)
    layers = [add_plan_layers(fmap, tables, name=r.scenario.name, fit=(i == 0))
              for i, (r, tables) in enumerate(zip(solved, plans, strict=True))]
    if outline is not None:
        fmap.add_child(Outline(layers[0].control, outline_rings(plan), outline, opaque=True))
    places = add_place_names(fmap, plan)
    panels.markup += legend(max(layer.max_fte for layer in layers), outline,
                            clustered=any(layer.cluster for layer in layers),
                            places=bool(places.places["name"]),
                            coverage=any(r.scenario.coverage for r in solved), differing=RING)
    fmap.add_child(_Views(layers[0].control, {
        "scenarios": [{"name": r.scenario.name, "kinds": layer_kinds(r.scenario.name, layer)}
                      for r, layer in zip(solved, layers, strict=True)],
        "base": {**({inert(outline): ["outline", outline, "more"]} if outline else {}),
                 inert(places.label): ["places", places.label, "more"]},
        "differing": diff,
        "ring": {"label": f"Sites whose decision differs ({len(diff['id']):,})",
                 "colour": RING},
    }))
    return with_map_policy(root.render())
