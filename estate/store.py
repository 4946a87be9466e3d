"""The results folder: written whole into a temporary folder, then moved into place.

A crash or Ctrl-C while writing leaves the previous results untouched; the folder
holds everything `estate map` and `estate compare` need, so they work from it alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
import tomli_w

from estate.errors import InputError, Problem
from estate.load.scenario import Scenario
from estate.results import Plan, Summary
from estate.status import Status

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


def summary_json(summary: Summary, compact: bool = False) -> str:
    """The summary as JSON (non-finite numbers as null); one line when `compact`."""
    data = summary.to_json()
    if compact:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return json.dumps(data, indent=2, ensure_ascii=False)


def read_summary(folder: Path) -> Summary:
    """The summary of a results folder; a missing or damaged file is an `InputError`
    naming it and what was wrong."""
    path = Path(folder) / "summary.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError([Problem(str(folder), None, None, "a results folder written by "
                                  "`estate plan` (with summary.json)", "no summary.json")]
                         ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError([Problem(str(path), None, None, "the JSON `estate plan` writes",
                                  f"{type(exc).__name__}: {exc}")]) from None
    return Summary.from_json(data, source=str(path))


def write_summary(summary: Summary, folder: Path) -> None:
    """Replace only the summary of a stored results folder (e.g. to add policy costs),
    atomically: the file is written beside it and renamed over it."""
    path = Path(folder) / "summary.json"
    tmp = path.with_name(f".summary.json.{os.getpid()}.tmp")
    try:
        tmp.write_text(summary_json(summary) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def scenario_as_solved(sc: Scenario) -> dict[str, Any]:
    """The keys `scenario.toml` holds: the file's keys, its name, the register's absolute
    path (so a folder says exactly what it was solved from, wherever it is read)."""
    raw = dict(sc.raw)
    raw["name"] = sc.name
    raw["data"] = str(Path(sc.data).resolve())
    return raw


def scenario_toml(sc: Scenario) -> str:
    """The scenario as solved, as TOML."""
    return tomli_w.dumps(scenario_as_solved(sc))


def is_fresh(folder: Path, scenario_keys: dict[str, Any], inputs_hash: str) -> bool:
    """True when `folder` was written from these very scenario keys and register files,
    so its plan (or its recorded failure) can be reused instead of solving again."""
    try:
        stored = tomllib.loads((Path(folder) / "scenario.toml").read_text(encoding="utf-8"))
        hashes = (Path(folder) / "inputs.sha256").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return stored == scenario_keys and hashes == inputs_hash


def write_outcome(out: Path, status: Status, message: str, scenario_keys: dict[str, Any],
                  inputs_hash: str) -> Path:
    """A run that ended without a plan, as a small whole folder (`outcome.json`, the
    scenario and the register's checksums), so that a resumed sweep keeps its ending."""
    def write(tmp: Path) -> None:
        (tmp / "outcome.json").write_text(json.dumps(
            {"status": str(status), "message": message}, indent=2) + "\n", encoding="utf-8")
        (tmp / "scenario.toml").write_text(tomli_w.dumps(scenario_keys), encoding="utf-8")
        (tmp / "inputs.sha256").write_text(inputs_hash, encoding="utf-8")

    return _write_folder(Path(out), write)


def read_outcome(folder: Path) -> tuple[Status, str] | None:
    """The status and message of a run stored by `write_outcome`, or None."""
    try:
        data = json.loads((Path(folder) / "outcome.json").read_text(encoding="utf-8"))
        return Status(data["status"]), str(data.get("message", ""))
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None


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
                  inputs_hash: str = "") -> Path:
    """Write every output of a plan into a temporary sibling folder, then swap it in."""
    if scenario is None and plan.prepared is not None:
        scenario = plan.prepared.scenario

    def write(tmp: Path) -> None:
        (tmp / "summary.json").write_text(summary_json(plan.summary) + "\n", encoding="utf-8")
        for name in TABLES:
            getattr(plan, name).to_csv(tmp / f"{name}.csv", index=False)
        _write_gpkg(plan, tmp / "plan.gpkg")
        if scenario is not None:
            (tmp / "scenario.toml").write_text(scenario_toml(scenario), encoding="utf-8")
        (tmp / "inputs.sha256").write_text(inputs_hash, encoding="utf-8")

    return _write_folder(Path(out), write)


def _write_folder(out: Path, write: Callable[[Path], None]) -> Path:
    """Fill a hidden temporary sibling of `out` with `write`, then swap it into place:
    a crash or Ctrl-C part-way leaves the previous folder as it was."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        write(tmp)
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
