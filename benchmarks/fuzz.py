"""A seeded fuzzer over what users hand the tool: registers (CSV folders, .xlsx
workbooks and GeoPackages) and scenarios (TOML), each mutated once (a cell, a key, a
type, an encoding, a geometry) and checked through the real command line.

Every mutated input must give a clean outcome: `estate validate` exits 0 or 1 (a
scenario, checked against its register before any solving, is accepted or refused with
exit 1), every error names its file, no Python warning is raised and nothing escapes as
a traceback. Anything else is counted as an exception and printed with the mutation
that made it, so it can be replayed from its seed. A mutation the harness itself cannot
make or check (a bug here, not in estate) is counted apart, as a harness error, and
printed with its seed; the run goes on.

    .venv/bin/python -m benchmarks.fuzz --n 5000 [--seed 1]
    .venv/bin/python -m benchmarks.fuzz --replay 99000325    # one mutation, by its seed

tests/test_fuzz.py runs a few hundred of the same mutations in CI.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import random
import shutil
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import shapely
import tomli_w
from click.testing import CliRunner
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from estate.cli import cli
from estate.errors import InputError
from estate.load.consistency import check_against_register
from estate.load.scenario import load_scenario
from estate.load.validate import load_register
from tests.fixtures.reference import frames
from tests.fixtures.register import write_tables, write_xlsx

#: Cell values a hostile or careless user types.
CELLS = ["", " ", "nan", "NaN", "inf", "-inf", "1e309", "-1", "0", "-0", "1e12", "4e15",
         "abc", "1,200", "£5", "5%", "TRUE", "maybe", "yes", "=1+1", "=A1", "@SUM(A1)", "+1",
         "-", "\t", "\r", "x\ny", '"', "'", "\x00", "é", "日本", "<script>x</script>",
         "A" * 5000, "IT,HR", "IT;IT;", ";", "2031-02-30", "31/03/2031", "2031-03-31",
         "0x10", "1_000", "1.5", "99999999999999999999", "ZZ9", "S1", "A1", "F1", "public_access"]
#: Values a scenario key may be set to.
VALUES: list[object] = [0, -1, 1, 2, 0.5, 1e300, float("inf"), float("nan"), -0.0, "", "x",
                        "inf", "EPSG:27700", "EPSG:2227", "EPSG:4326", "nonsense:1", True,
                        False, [], ["IT"], ["it", "IT"], ["S1", "S1"], ["S9"], [1, 2], {},
                        {"IT": 0.1}, {"a": {"b": 1}}, "2027-04-01", "2027-02-30", "Office",
                        "Public_Access", "parking", "../nowhere", "reg", "\x00", "é" * 300]
SCENARIO_KEYS = ["name", "data", "agencies", "horizon_years", "discount_rate", "crs", "start",
                 "sharing.types", "sharing.efficiency", "sharing.setup_cost",
                 "sharing.min_agencies", "relocation.cost_per_fte", "relocation.max_km",
                 "assignment.split", "coverage.0.service", "coverage.0.radius_km",
                 "coverage.0.mode", "coverage.0.population_share", "policy.keep",
                 "policy.close", "policy.max_one_off", "policy.closable_kinds", "solver.name",
                 "solver.time_limit_s", "solver.mip_gap", "programme.max_one_off_per_year",
                 "unknown_key", "sharing.unknown", "coverage"]
BASE_SCENARIO = {
    "name": "fuzz", "data": "reg", "horizon_years": 10, "discount_rate": 0.035,
    "sharing": {"types": ["HR", "IT"], "efficiency": 0.1, "setup_cost": 1000,
                "min_agencies": 2},
    "relocation": {"cost_per_fte": 1000, "max_km": 40},
    "coverage": [{"service": "public_access", "radius_km": 5, "mode": "maintain"}],
    "policy": {"keep": [], "close": []},
    "solver": {"name": "highs", "time_limit_s": 10},
}


@dataclass
class Outcome:
    """One mutated input's fate: `kind` is accepted, located (refused, every error
    naming its file), exception (anything else estate did, with what was seen) or
    harness (the harness failed to make or check the mutation: not estate's fault)."""

    kind: str
    what: str
    detail: str = ""
    family: str = ""


def mutate_tables(rng: random.Random, tables: dict[str, pd.DataFrame]) -> str:
    """Change `tables` in place in one way a user might; return what was done."""
    name = rng.choice(list(tables))
    frame = tables[name]
    move = rng.random()
    if move < 0.55 and len(frame):
        column, row = rng.choice(list(frame.columns)), rng.randrange(len(frame))
        value: object = rng.choice(CELLS)
        if rng.random() < 0.15:  # the same cell of another row: a duplicate id or ref
            value = frame.iloc[rng.randrange(len(frame))][column]
        frame[column] = frame[column].astype(object)
        frame.iat[row, frame.columns.get_loc(column)] = value
        return f"{name}[{row + 2}, {column}] = {value!r:.40}"
    if move < 0.65:
        column = rng.choice(list(frame.columns))
        renamed = rng.choice(["", column.upper(), column + "s", " " + column, "row",
                              rng.choice(list(frame.columns))])
        tables[name] = frame.rename(columns={column: renamed})
        return f"{name}: column {column} -> {renamed!r}"
    if move < 0.72:
        tables[name] = frame.drop(columns=rng.choice(list(frame.columns)))
        return f"{name}: a column dropped"
    if move < 0.80 and len(frame):
        tables[name] = pd.concat([frame, frame.iloc[[rng.randrange(len(frame))]]])
        return f"{name}: a row repeated"
    if move < 0.86:
        tables[name] = frame.iloc[:0]
        return f"{name}: no rows"
    if move < 0.92 and {"lat", "lon"} <= set(frame.columns) and len(frame):
        row = rng.randrange(len(frame))
        frame[["lat", "lon"]] = frame[["lat", "lon"]].astype(object)
        frame.iloc[row, [frame.columns.get_loc("lat"), frame.columns.get_loc("lon")]] = (
            frame.iloc[row][["lon", "lat"]].to_numpy())
        return f"{name}[{row + 2}]: lat and lon swapped"
    del tables[name]
    return f"{name}: table missing"


def mutate_bytes(rng: random.Random, file: Path) -> str:
    """Damage one file's bytes or encoding as an editor, a mailer or a crash would."""
    data = file.read_bytes()
    move = rng.randrange(7)
    if move == 0:
        file.write_bytes(data[: rng.randrange(len(data) + 1)])
        return f"{file.name} truncated"
    if move == 1:
        at = rng.randrange(len(data) + 1)
        file.write_bytes(data[:at] + bytes(rng.randrange(256) for _ in range(4)) + data[at:])
        return f"{file.name}: random bytes at {at}"
    if move == 2:
        file.write_bytes(data.decode("utf-8", "replace").encode("utf-16"))
        return f"{file.name} as UTF-16"
    if move == 3:
        file.write_bytes(data.decode("utf-8", "replace").encode("latin-1", "replace") + b"\xe9")
        return f"{file.name} as Latin-1"
    if move == 4:
        file.write_bytes(b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"))
        return f"{file.name} with a BOM and CRLF"
    if move == 5:
        file.write_bytes(data.replace(b",", b";", rng.randrange(1, 4)))
        return f"{file.name}: some commas as semicolons"
    file.write_bytes(b"")
    return f"{file.name} empty"


def mutate_workbook(rng: random.Random, path: Path) -> str:
    """Put into a written workbook what a spreadsheet holds and a CSV cannot."""
    book = openpyxl.load_workbook(path)
    sheet = book[rng.choice(book.sheetnames)]
    row = rng.randrange(1, sheet.max_row + 2)
    column = rng.randrange(1, sheet.max_column + 2)
    value = rng.choice(["=1/0", "=A1*2", "#DIV/0!", "#REF!", "#N/A", 1e300, -5, True,
                        pd.Timestamp("2031-03-31").to_pydatetime(), "stray"])
    if rng.random() < 0.2:
        row, column = rng.choice([(1048576, 16384), (200000, 3), (2, 5000)])
    sheet.cell(row=row, column=column, value=value)
    if rng.random() < 0.1:
        sheet.title = rng.choice(["Sheet1", sheet.title.upper(), sheet.title + " "])
    book.save(path)
    return f"{sheet.title}!R{row}C{column} = {value!r:.30}"


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as text (a mutated column mixes types, which a layer cannot hold),
    blanks as nulls."""
    return frame.map(lambda v: None if v is None or (isinstance(v, float) and v != v)
                     else str(v))


def write_geopackage(path: Path, tables: dict[str, pd.DataFrame], crs: int | None) -> Path:
    """The register as one GeoPackage, as QGIS writes it: sites and zones as points
    (from their lat/lon cells, a cell that is not a number giving no geometry) in `crs`
    (None: a layer with no CRS), the other tables as plain layers."""
    for name, frame in tables.items():
        # a GeoPackage layer cannot hold two columns of one name, nor a nameless one
        frame = frame.loc[:, ~frame.columns.duplicated()]
        frame = frame.rename(columns={"": "field_1"})
        if {"lat", "lon"} <= set(frame.columns):
            lat = pd.to_numeric(frame["lat"], errors="coerce").to_numpy(float)
            lon = pd.to_numeric(frame["lon"], errors="coerce").to_numpy(float)
            points = shapely.points(np.column_stack([lon, lat]))
            points[~(np.isfinite(lat) & np.isfinite(lon))] = None
            layer = gpd.GeoDataFrame(_as_text(frame.drop(columns=["lat", "lon"])),
                                     geometry=points, crs=4326)
            if crs is None:
                layer = layer.set_crs(None, allow_override=True)
            elif crs != 4326:
                layer = layer.to_crs(crs)
            layer.to_file(path, layer=name, engine="pyogrio")
        else:
            pyogrio.write_dataframe(_as_text(frame), path, layer=name)
    return path


def mutate_geometry(rng: random.Random, tables: dict[str, pd.DataFrame],
                    work: Path) -> tuple[str, Path]:
    """Write the register as a GeoPackage with one thing wrong that only a GeoPackage
    can have: a site or zone that is a line, a polygon, empty or 3D, a layer in another
    CRS or none, a layer renamed; return what and the file."""
    path = work / "reg.gpkg"
    move = rng.randrange(5)
    crs: int | None = 27700
    if move == 0:
        crs = rng.choice([None, 4326, 3857, 2227, 32630])
        return f"layers in CRS {crs}", write_geopackage(path, tables, crs)
    write_geopackage(path, tables, crs)
    name = rng.choice(["sites", "zones"])
    if name not in tables or not len(tables[name]):
        return "as written", path
    layer = gpd.read_file(path, layer=name)
    if not isinstance(layer, gpd.GeoDataFrame) or layer.geometry.name not in layer.columns:
        # a renamed or dropped lat/lon column: written as a plain table, no geometry to break
        return f"{name} written without geometry", path
    if move == 1:
        row = rng.randrange(len(layer))
        point = layer.geometry.iloc[row]
        x, y = (point.x, point.y) if point is not None and not point.is_empty else (0.0, 0.0)
        shape = rng.choice([shapely.LineString([(x, y), (x + 10, y)]), shapely.Point(),
                            shapely.box(x, y, x + 500, y + 500), shapely.Point(x, y, 5.0),
                            shapely.MultiPoint([(x, y), (x + 1, y)])])
        geometry = layer.geometry.to_numpy().copy()
        geometry[row] = shape
        layer = layer.set_geometry(gpd.GeoSeries(geometry, crs=layer.crs))
        what = f"{name}[{row + 2}] geometry {shape.geom_type}{' empty' if shape.is_empty else ''}"
    elif move == 2:
        layer = layer.set_geometry(gpd.GeoSeries([None] * len(layer), crs=layer.crs))
        what = f"{name}: no geometry at all"
    elif move == 3:  # layer names are not case-sensitive in a GeoPackage
        renamed = rng.choice([name.upper(), name + "_2024", "Sheet1"])
        path.unlink()
        write_geopackage(path, {renamed if k == name else k: v for k, v in tables.items()},
                         crs)
        layer, what = None, f"{name} layer written as {renamed}"
    else:
        layer, what = layer.drop(columns=rng.choice([c for c in layer.columns
                                                     if c != "geometry"])), f"{name}: a column dropped"
    if layer is not None:
        layer.to_file(path, layer=name, engine="pyogrio")
    return what, path


def mutate_scenario(rng: random.Random, raw: dict) -> str:
    """Set, drop or retype one key of a scenario dict in place."""
    key = rng.choice(SCENARIO_KEYS)
    parts = key.split(".")
    node: object = raw
    for part in parts[:-1]:
        if isinstance(node, list):
            node = node[int(part)] if node else {}
        elif isinstance(node, dict):
            node = node.setdefault(part, {})
    if not isinstance(node, dict):
        return f"{key}: not reachable"
    if rng.random() < 0.2:
        node.pop(parts[-1], None)
        return f"{key} dropped"
    value = rng.choice(VALUES)
    node[parts[-1]] = value
    return f"{key} = {value!r:.40}"


def check_register(folder: Path, target: Path) -> Outcome:
    """`estate validate target` in `folder`: exit 0 or 1, every error naming a file."""
    runner = CliRunner()
    with warnings.catch_warnings(record=True) as caught, contextlib.chdir(folder):
        warnings.simplefilter("always")
        try:
            result = runner.invoke(cli, ["validate", str(target)], catch_exceptions=False)
        except BaseException as error:  # the CLI must catch everything itself
            return Outcome("exception", "", f"{type(error).__name__}: {error}")
    seen = "\n".join(str(w.message) for w in caught)
    output = result.stdout + result.stderr
    if caught or "Traceback" in output or result.exit_code not in (0, 1):
        return Outcome("exception", "", f"exit {result.exit_code} {seen} {output[-600:]}")
    if result.exit_code == 0:
        return Outcome("accepted", "")
    labels = (target.name, str(target), "agencies", "sites", "functions", "zones", "pair_costs")
    errors = [line[4:] for line in result.stderr.splitlines() if line.startswith("  - ")]
    unlocated = [e for e in errors if not e.startswith(labels) or ": expected " not in e]
    if not errors or unlocated:
        return Outcome("exception", "", f"unlocated: {unlocated or result.stderr[-600:]}")
    return Outcome("located", "")


def check_scenario(folder: Path, path: Path) -> Outcome:
    """The scenario read and checked against its register, as `estate plan` does before
    it solves: accepted, or an InputError whose every problem names its file."""
    with warnings.catch_warnings(record=True) as caught, contextlib.chdir(folder):
        warnings.simplefilter("always")
        try:
            scenario = load_scenario(path)
            problems = check_against_register(scenario, load_register(scenario.data))
            if any(p.severity == "error" for p in problems):
                raise InputError(problems)
            kind = "accepted"
        except InputError as error:
            bad = [p for p in error.problems if not p.file or not p.expected]
            kind = "exception" if bad else "located"
            if bad:
                return Outcome(kind, "", f"unlocated: {bad}")
        except Exception as error:
            return Outcome("exception", "", f"{type(error).__name__}: {error}")
    if caught:
        return Outcome("exception", "", "; ".join(str(w.message) for w in caught))
    return Outcome(kind, "")


def one(seed: int, work: Path) -> Outcome:
    """Make and check the mutated input number `seed` in the empty folder `work`."""
    rng = random.Random(seed)
    tables = frames()
    family = rng.choice(["csv", "csv", "xlsx", "gpkg", "toml"])
    if family == "toml":
        write_tables(work / "reg", tables)
        raw = copy.deepcopy(BASE_SCENARIO)
        what = mutate_scenario(rng, raw)
        path = work / "fuzz.toml"
        try:
            path.write_text(tomli_w.dumps(raw), encoding="utf-8")
        except (TypeError, ValueError):  # a value TOML cannot hold (NaN is fine; None is not)
            path.write_text('data = "reg"\n', encoding="utf-8")
        if rng.random() < 0.25:
            what += "; " + mutate_bytes(rng, path)
        outcome = check_scenario(work, path)
    elif family == "csv":
        what = mutate_tables(rng, tables)
        folder = write_tables(work / "reg", tables)
        if rng.random() < 0.2:
            what += "; " + mutate_bytes(rng, rng.choice(sorted(folder.iterdir())))
        outcome = check_register(work, folder)
    elif family == "gpkg":
        what = mutate_tables(rng, tables) if rng.random() < 0.5 else "cells as written"
        with warnings.catch_warnings():  # writing a layer with no CRS warns; reading is checked
            warnings.simplefilter("ignore")
            shape, path = mutate_geometry(rng, tables, work)
        what += "; " + shape
        if rng.random() < 0.1:
            what += "; " + mutate_bytes(rng, path)
        outcome = check_register(work, path)
    else:
        what = mutate_tables(rng, tables) if rng.random() < 0.6 else "cells as written"
        for name, frame in tables.items():  # a workbook cannot hold control characters
            tables[name] = frame.map(lambda v: ILLEGAL_CHARACTERS_RE.sub("?", v)
                                     if isinstance(v, str) else v)
        path = write_xlsx(work / "reg.xlsx", tables)
        what += "; " + mutate_workbook(rng, path)
        outcome = check_register(work, path)
    outcome.what, outcome.family = f"seed {seed} {family}: {what}", family
    return outcome


def guarded(seed: int, work: Path) -> Outcome:
    """`one(seed, work)`, with a failure of the harness itself (estate's are caught in
    `check_register` and `check_scenario`) as a "harness" outcome naming the seed."""
    try:
        return one(seed, work)
    except Exception as error:
        return Outcome("harness", f"seed {seed} (replay: --replay {seed})",
                       f"{type(error).__name__}: {error}", "harness")


def run(n: int, seed: int = 1, report: Callable[[Outcome], None] | None = None,
        mutate: Callable[[int, Path], Outcome] = guarded) -> Counter:
    """Run `n` mutations from `seed` on; count their outcomes, and tell `report` of each
    exception and harness error."""
    counts: Counter = Counter()
    with tempfile.TemporaryDirectory(prefix="estate-fuzz-") as tmp:
        for i in range(n):
            work = Path(tmp) / str(i)
            work.mkdir()
            outcome = mutate(seed * 1_000_003 + i, work)
            counts[outcome.kind] += 1
            counts[f"{outcome.family} {outcome.kind}"] += 1
            if outcome.kind in ("exception", "harness") and report:
                report(outcome)
            shutil.rmtree(work, ignore_errors=True)
    return counts


def replay(seed: int) -> Outcome:
    """The one mutation of `seed` (as printed), in a folder of its own; a harness error
    is raised, with its traceback, to be debugged."""
    with tempfile.TemporaryDirectory(prefix="estate-fuzz-") as tmp:
        return one(seed, Path(tmp))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=5000, help="mutations to run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--replay", type=int, metavar="SEED",
                        help="run the one mutation of this seed (as printed) and say its fate")
    args = parser.parse_args()
    if args.replay is not None:
        outcome = replay(args.replay)
        print(f"{outcome.kind}: {outcome.what}\n  {outcome.detail}")
        return
    started = time.perf_counter()
    counts = run(args.n, args.seed,
                 lambda o: print(f"{o.kind.upper()} {o.what}\n  {o.detail}", flush=True))
    print(f"mutations {args.n}  located errors {counts['located']}  "
          f"accepted {counts['accepted']}  exceptions {counts['exception']}  "
          f"harness errors {counts['harness']}  "
          f"({time.perf_counter() - started:.0f} s, seed {args.seed})")
    for family in ("csv", "xlsx", "gpkg", "toml"):
        print(f"  {family}: " + ", ".join(f"{kind} {counts[f'{family} {kind}']}"
                                          for kind in ("located", "accepted", "exception")))


if __name__ == "__main__":
    main()
