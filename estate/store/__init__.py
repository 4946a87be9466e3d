"""The results folder: written whole into a temporary folder, then moved into place.

A crash or Ctrl-C while writing leaves the previous results untouched; the folder
holds everything `estate map` and `estate compare` need, so they work from it alone.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import tomli_w

from estate.errors import InputError, Problem
from estate.load.scenario import Scenario
from estate.results import Plan, Summary
from estate.results.programme import (
    ACTION_COLUMNS,
    BUDGET_COLUMNS,
    CASHFLOW_COLUMNS,
    Programme,
)
from estate.status import Status
from estate.store.folder import write_file, write_folder

TABLES = ("sites", "assignments", "coverage", "agencies", "zones")

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet run a CSV cell as a formula."""


def safe_cell(value: Any) -> Any:
    """A text cell a spreadsheet cannot run: one that starts like a formula gets a
    leading quote. A text already starting with a quote gets one too, so that
    `unsafe_cell` can take exactly one off and give back the text as it was."""
    if isinstance(value, str) and value[:1] in (*FORMULA_STARTS, "'"):
        return "'" + value
    return value


def unsafe_cell(text: str) -> str:
    """The text `safe_cell` was given."""
    return text[1:] if text[:1] == "'" else text


def write_safe_csv(frame: pd.DataFrame, path: Path) -> None:
    """A table as CSV with every text cell made safe for spreadsheets (`safe_cell`)."""
    out = frame.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(safe_cell)
    out.to_csv(path, index=False)


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
    write_file(Path(folder) / "summary.json",
               lambda temp: temp.write_text(summary_json(summary) + "\n", encoding="utf-8"))


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

    return write_folder(Path(out), write)


def read_outcome(folder: Path) -> tuple[Status, str] | None:
    """The status and message of a run stored by `write_outcome`, or None."""
    try:
        data = json.loads((Path(folder) / "outcome.json").read_text(encoding="utf-8"))
        return Status(data["status"]), str(data.get("message", ""))
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None


def _read_table(path: Path, columns: tuple[str, ...], whole: tuple[str, ...],
                numbers: tuple[str, ...]) -> pd.DataFrame:
    """A table `write_safe_csv` wrote, typed: `whole` as whole numbers, `numbers` as
    floats (blank: NaN), the rest as text; every damaged cell an `InputError` naming its
    file, row and column."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    except FileNotFoundError:
        raise InputError([Problem(path.name, None, None, "a file of the results folder "
                                  "(written with programme.csv)", "no file")]) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError([Problem(path.name, None, None, "a CSV table",
                                  f"{type(exc).__name__}: {exc}")]) from None
    problems = [Problem(path.name, 1, c, "this column", "no such column")
                for c in columns if c not in raw.columns]
    if problems:
        raise InputError(problems)
    out = pd.DataFrame(index=raw.index)
    for column in columns:
        if column in whole or column in numbers:
            values = _numbers(path, column, raw[column], column in whole, problems)
            out[column] = values if column in numbers else np.nan_to_num(values).astype(int)
        else:
            out[column] = raw[column].map(unsafe_cell).astype(object)
    if problems:
        raise InputError(problems)
    return out.reset_index(drop=True)


def _numbers(path: Path, column: str, cells: pd.Series, whole: bool,
             problems: list[Problem]) -> np.ndarray:
    """A column's cells as floats (a blank is NaN, or a problem when `whole`)."""
    values = np.full(len(cells), np.nan)
    for i, text in enumerate(cells):
        try:
            values[i] = float(text) if text.strip() else np.nan
        except ValueError:
            problems.append(Problem(path.name, i + 2, column, "a number", repr(text)))
            continue
        if whole and not float(values[i]).is_integer():
            problems.append(Problem(path.name, i + 2, column, "a whole number", repr(text)))
    return values


def _figure(figures: dict[str, Any], key: str, kind: Callable[[Any], Any], source: str,
            expected: str, optional: bool = False) -> Any:
    """One figure of the summary's `programme` dict, typed, or a located error."""
    value = figures.get(key)
    if value is None and optional:
        return None
    try:
        if value is None:
            raise TypeError(key)
        return kind(value)
    except (TypeError, ValueError):
        raise InputError([Problem(source, None, f"programme.{key}", expected,
                                  "nothing" if value is None else f"{value!r:.80}",
                                  label="key")]) from None


def _budget(rows: Any) -> pd.DataFrame:
    """The yearly budget use from summary.json (a limit written null is no limit)."""
    frame = pd.DataFrame(list(rows), columns=list(BUDGET_COLUMNS))
    for column in BUDGET_COLUMNS:
        if column == "year":
            frame[column] = frame[column].astype(int)
        elif column == "date":
            frame[column] = frame[column].astype(str)
        elif column.endswith("_limit"):
            frame[column] = frame[column].astype(float).fillna(np.inf)
        else:  # counts written as whole numbers stay whole
            frame[column] = pd.to_numeric(frame[column], errors="raise")
    return frame


def read_programme(folder: Path) -> Programme | None:
    """The dated programme stored in a results folder, or None when it holds none.

    Its tables come from programme.csv and cashflow.csv, its figures (budget use, NPVs,
    payback year, method) from summary.json's `programme`; a missing or damaged file,
    cell or key is an `InputError` naming it."""
    folder = Path(folder)
    if not (folder / "programme.csv").exists():
        return None
    source = str(folder / "summary.json")
    figures = read_summary(folder).programme
    if not isinstance(figures, dict):
        raise InputError([Problem(source, None, "programme", "the programme's figures "
                                  "(the folder has programme.csv)", repr(figures),
                                  label="key")])
    actions = _read_table(folder / "programme.csv", ACTION_COLUMNS, ("year",),
                          ("fte", "one_off", "annual_effect"))
    cashflow = _read_table(folder / "cashflow.csv", CASHFLOW_COLUMNS, ("year",),
                           CASHFLOW_COLUMNS[3:])

    def number(key: str, optional: bool = False) -> Any:
        return _figure(figures, key, float, source, "a number", optional)

    def notes(value: Any) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise TypeError(value)
        return tuple(str(v) for v in value)

    return Programme(
        actions=actions, cashflow=cashflow,
        budget=_figure(figures, "budget", _budget, source, "a list of {" + ", ".join(
            BUDGET_COLUMNS) + "}"),
        start=_figure(figures, "start", str, source, "an ISO date"),
        npv_cost=number("npv_cost"), npv_saving=number("npv_saving"),
        payback_year=_figure(figures, "payback_year", int, source, "a year or null", True),
        method=_figure(figures, "method", str, source, "roadmap or joint"),
        roadmap_npv=number("roadmap_npv", True), joint_npv=number("joint_npv", True),
        status=_figure(figures, "status", str, source, "a status"),
        mip_gap=number("mip_gap", True),
        notes=_figure(figures, "notes", notes, source, "a list of texts", True) or (),
    )


def _write_programme_layer(plan: Plan, path: Path) -> None:
    """The programme's actions at their site's point (no geometry when the site is not
    in the plan's sites, e.g. a team placed with no site named)."""
    assert plan.programme is not None
    actions = plan.programme.actions.reset_index(drop=True)
    pos = plan.sites.drop_duplicates("site_id").set_index("site_id")[["lon", "lat"]]
    xy = pos.reindex(actions["site_id"]).to_numpy(float).reshape(-1, 2)
    geometry = shapely.points(np.nan_to_num(xy))
    geometry[~np.isfinite(xy).all(axis=1)] = None
    gpd.GeoDataFrame(actions, geometry=geometry, crs="EPSG:4326").to_file(
        path, layer="programme", driver="GPKG", engine="pyogrio")


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
    if plan.programme is not None:
        _write_programme_layer(plan, path)


def write_results(plan: Plan, out: Path, scenario: Scenario | None = None,
                  inputs_hash: str = "") -> Path:
    """Write every output of a plan into a temporary sibling folder, then swap it in
    (with programme.csv and cashflow.csv, and the programme's figures in the summary,
    when the plan has a dated programme)."""
    if scenario is None and plan.prepared is not None:
        scenario = plan.prepared.scenario

    summary = plan.summary
    if plan.programme is not None and summary.programme is None:
        summary = summary.replace(programme=plan.programme.summary())

    def write(tmp: Path) -> None:
        (tmp / "summary.json").write_text(summary_json(summary) + "\n", encoding="utf-8")
        for name in TABLES:
            getattr(plan, name).to_csv(tmp / f"{name}.csv", index=False)
        if plan.programme is not None:
            write_safe_csv(plan.programme.actions, tmp / "programme.csv")
            write_safe_csv(plan.programme.cashflow, tmp / "cashflow.csv")
        _write_gpkg(plan, tmp / "plan.gpkg")
        if scenario is not None:
            (tmp / "scenario.toml").write_text(scenario_toml(scenario), encoding="utf-8")
        (tmp / "inputs.sha256").write_text(inputs_hash, encoding="utf-8")

    return write_folder(Path(out), write)


