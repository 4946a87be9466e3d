"""The results folder: written whole into a temporary folder, then moved into place.

A crash or Ctrl-C while writing leaves the previous results untouched; the folder
holds everything `estate map` and `estate compare` need, so they work from it alone.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
import tomli_w

from estate.load.scenario import Scenario
from estate.results import Plan

TABLES = ("sites", "assignments", "coverage", "agencies", "zones")


def register_files(data: Path) -> list[Path]:
    """The files a register is read from (a folder's tables, or the one workbook/package)."""
    if data.is_dir():
        return sorted(p for p in data.iterdir() if p.suffix.lower() == ".csv")
    return [data]


def inputs_sha256(data: Path) -> str:
    """`sha256sum`-style lines for every register file, so a rerun can tell it is unchanged."""
    lines = []
    for path in register_files(data):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"{digest}  {path.name}\n")
    return "".join(lines)


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if hasattr(value, "item"):
        return value.item()
    return value


def summary_json(summary: dict[str, Any], compact: bool = False) -> str:
    """The summary as JSON (non-finite numbers as null); one line when `compact`."""
    if compact:
        return json.dumps(_json_safe(summary), ensure_ascii=False, separators=(",", ":"))
    return json.dumps(_json_safe(summary), indent=2, ensure_ascii=False)


def scenario_toml(sc: Scenario) -> str:
    """The scenario as solved: its file's keys, its name, the register's absolute path."""
    raw = dict(sc.raw)
    raw["name"] = sc.name
    raw["data"] = str(Path(sc.data).resolve())
    return tomli_w.dumps(raw)


def _write_gpkg(plan: Plan, path: Path) -> None:
    """One GeoPackage for QGIS: sites and zones as points, moves as lines, tables beside."""
    crs = "EPSG:4326"
    sites = gpd.GeoDataFrame(plan.sites, geometry=gpd.points_from_xy(plan.sites["lon"],
                                                                     plan.sites["lat"]), crs=crs)
    sites.to_file(path, layer="sites", driver="GPKG", engine="pyogrio")
    zones = plan.zones
    if len(plan.coverage):
        wide = plan.coverage.pivot_table(index="zone_id", columns="rule",
                                         values=["covered_before", "covered_after"],
                                         aggfunc="first")
        wide.columns = [f"{a}_{b}" for a, b in wide.columns]
        zones = zones.merge(wide.astype(bool).reset_index(), on="zone_id", how="left")
    gpd.GeoDataFrame(zones, geometry=gpd.points_from_xy(zones["lon"], zones["lat"]), crs=crs
                     ).to_file(path, layer="zones", driver="GPKG", engine="pyogrio")
    pos = plan.sites.set_index("site_id")[["lon", "lat"]]
    moves = plan.assignments[(plan.assignments["from_site"] != "")
                             & (plan.assignments["from_site"] != plan.assignments["to_site"])]
    if len(moves):
        a = pos.loc[moves["from_site"]].to_numpy()
        b = pos.loc[moves["to_site"]].to_numpy()
        lines = shapely.linestrings(
            [[tuple(p), tuple(q)] for p, q in zip(a, b, strict=True)])
    else:
        lines = []
    gpd.GeoDataFrame(moves.reset_index(drop=True), geometry=list(lines), crs=crs).to_file(
        path, layer="moves", driver="GPKG", engine="pyogrio")
    prep = plan.prepared
    if prep is not None and prep.zone_shapes is not None:
        shapes = gpd.GeoDataFrame({"zone_id": prep.zone_shapes.index.astype(str)},
                                  geometry=prep.zone_shapes.to_numpy(), crs=crs)
        shapes.to_file(path, layer="zone_areas", driver="GPKG", engine="pyogrio")
    import pyogrio

    for name in ("assignments", "coverage", "agencies"):
        table = getattr(plan, name)
        if len(table):
            pyogrio.write_dataframe(table, path, layer=name, driver="GPKG")


def write_results(plan: Plan, out: Path, scenario: Scenario | None = None,
                  inputs_hash: str = "", extra: dict[str, str] | None = None) -> Path:
    """Write every output into a temporary sibling folder, then swap it into place."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        (tmp / "summary.json").write_text(summary_json(plan.summary) + "\n", encoding="utf-8")
        for name in TABLES:
            getattr(plan, name).to_csv(tmp / f"{name}.csv", index=False)
        _write_gpkg(plan, tmp / "plan.gpkg")
        if scenario is None and plan.prepared is not None:
            scenario = plan.prepared.scenario
        if scenario is not None:
            (tmp / "scenario.toml").write_text(scenario_toml(scenario), encoding="utf-8")
        (tmp / "inputs.sha256").write_text(inputs_hash, encoding="utf-8")
        for name, text in (extra or {}).items():
            (tmp / name).write_text(text, encoding="utf-8")
        _swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _swap_into_place(tmp: Path, out: Path) -> None:
    """Replace `out` by `tmp`: the old folder is moved aside first, removed last."""
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        if old.exists():
            shutil.rmtree(old)
        os.replace(out, old)
    os.replace(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
