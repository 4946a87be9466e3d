"""`comparison_map.html`: every compared scenario's plan on one map.

Each scenario's layers carry its name; only the first scenario's start visible, so a
reader switches between plans in the layer list. A layer of red rings marks the sites
whose decision differs between scenarios, each ring listing the decision in every
scenario. The drawing is `static/compare.js`, beside the map's own `static/map.js`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from estate.maps.page import (
    Direct,
    Outline,
    Panels,
    PlanLayers,
    Raw,
    add_plan_layers,
    figure_of,
    new_map,
)
from estate.maps.payload import outline_rings, read_plan
from estate.render.html import inert, script_block, script_json, static_text
from estate.runs.compare import Run


def differing_sites(runs: list[Run]) -> dict[str, list[Any]]:
    """Sites whose decision is not the same in every scenario that includes them.

    A site is its register and its id: scenarios on different registers share no site.
    """
    frames = []
    for k, run in enumerate(runs):
        if run.summary:
            sites = pd.read_csv(run.results_dir / "sites.csv", dtype=str, keep_default_na=False)
            frames.append(sites[["site_id", "name", "lat", "lon", "decision"]].assign(
                k=k, register=str(Path(run.scenario.data).resolve())))
    out: dict[str, list[Any]] = {"id": [], "name": [], "lat": [], "lon": [], "decisions": []}
    if not frames:
        return out
    every = pd.concat(frames, ignore_index=True)
    for (_, site_id), group in every.groupby(["register", "site_id"], sort=True):
        if group["decision"].nunique() < 2:
            continue
        first = group.iloc[0]
        out["id"].append(str(site_id))
        out["name"].append(str(first["name"]))
        out["lat"].append(float(first["lat"]))
        out["lon"].append(float(first["lon"]))
        out["decisions"].append([[runs[int(k)].scenario.name, d]
                                 for k, d in zip(group["k"], group["decision"], strict=True)])
    return out


class _Differing(Direct):
    """The red rings, then every scenario but the first hidden (`static/compare.js`)."""

    def __init__(self, plans: PlanLayers, diff: dict[str, list[Any]], label: str,
                 hidden: list[str]) -> None:
        super().__init__()
        self._name = "EstateCompare"
        self.control = plans.control
        self.diff, self.label, self.hidden = diff, label, hidden

    def js(self) -> str:
        m, control = self.map_name, self.control.get_name()
        return (f"estateCompare.addDiffering({m}, {control}, {script_json(self.diff)}, "
                f"{script_json(self.label)});\n"
                f"estateCompare.hideScenarios({m}, {control}, {script_json(self.hidden)});")


def comparison_map(runs: list[Run], cdn: bool = False) -> str:
    """One map: each scenario's layers (named by the scenario), the outline basemap, and
    a layer ringing the sites whose decision differs between scenarios."""
    fmap = new_map(cdn=cdn)
    solved = [r for r in runs if r.summary]
    root = figure_of(fmap)
    root.title = inert("Estate comparison: " + ", ".join(r.scenario.name for r in runs))
    if not solved:
        return root.render()
    root.header.add_child(Raw(script_block(static_text("estate.maps", "compare.js"))),
                          name="estate_compare_js")
    diff = differing_sites(solved)
    names = "".join(f"<li>{inert(r.scenario.name)}</li>" for r in solved)
    panel = (f'<div id="estate-compare" class="estate-panel"><h2>Comparison</h2><ul>{names}</ul>'
             f'<div class="estate-muted">Shown: {inert(solved[0].scenario.name)}; switch '
             "scenarios in the layer list, where each scenario's layers carry its name. "
             f'Red rings: {len(diff["id"]):,} sites whose decision differs between '
             "scenarios.</div></div>")
    # the panel first, so that the first plan's fitBounds keeps the sites clear of it
    fmap.add_child(Panels(panel, [("estate-compare", "topleft")]))
    layers = [add_plan_layers(fmap, r.results_dir, name=r.scenario.name, fit=(i == 0))
              for i, r in enumerate(solved)]
    plan = read_plan(solved[0].results_dir)
    label = ("Zone boundaries" if plan.zone_areas is not None
             else "Zone areas (nearest zone centre)")
    fmap.add_child(Outline(layers[0].control, outline_rings(plan), label, opaque=True))
    fmap.add_child(_Differing(layers[0], diff,
                              inert(f"Sites whose decision differs ({len(diff['id']):,})"),
                              [inert(r.scenario.name) + ": " for r in solved[1:]]))
    return root.render()
