"""plan.gpkg (estate.store.plan_gpkg): every layer keeps its geometry type and every table
its columns when the plan gives it no row, and the programme's dates are dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

import estate
from estate.status import Status
from estate.store import write_results
from tests.fixtures import TWO_AGENCIES, scenario_on, site, write_register, write_scenario, zone
from tests.fixtures.programme import plan_with, programme_for
from tests.fixtures.results import write_results as write_made_up_folder


def _layers(gpkg: Path) -> dict[str, str | None]:
    return {str(name): None if kind is None else str(kind)
            for name, kind in pyogrio.list_layers(gpkg)}


def _fields(gpkg: Path, layer: str) -> list[str]:
    return [str(name) for name in pyogrio.read_info(gpkg, layer=layer)["fields"]]


@pytest.fixture(scope="module")
def nothing_moves(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plan with no team (so no assignment and no move) and no coverage rule: three
    offices and two zones, planned and written."""
    root = tmp_path_factory.mktemp("empty")
    data = write_register(root / "reg", TWO_AGENCIES,
                          [site("S1", "A1", 0, 0), site("S2", "A2", 3, 0),
                           site("S3", "A1", 0, 4)], [],
                          [zone("Z1", 1, 1), zone("Z2", 2, 3)])
    path = write_scenario(root / "empty.toml", scenario_on(data, "empty"))
    estate.plan(path, out=root / "out", map_path=False)
    return root / "out"


def test_an_empty_moves_layer_is_still_lines(nothing_moves: Path) -> None:
    """No team moves: `moves` has no row, yet is a LineString layer (not GDAL's
    Unknown), with the columns of assignments.csv as a layer with moves has."""
    gpkg = nothing_moves / "plan.gpkg"
    layers = _layers(gpkg)
    assert (layers["sites"], layers["zones"], layers["moves"]) == ("Point", "Point",
                                                                   "LineString")
    assert pyogrio.read_info(gpkg, layer="moves")["features"] == 0
    header = list(pd.read_csv(nothing_moves / "assignments.csv").columns)
    assert header and _fields(gpkg, "moves") == header


def test_empty_tables_are_written_with_their_columns(nothing_moves: Path) -> None:
    """No team and no coverage rule: assignments.csv and coverage.csv are their header
    alone, and plan.gpkg holds both tables (no geometry, no row) with those very
    columns, as docs/formats.md lists them."""
    gpkg = nothing_moves / "plan.gpkg"
    layers = _layers(gpkg)
    for name in ("assignments", "coverage", "agencies"):
        assert name in layers and layers[name] is None, layers
        header = list(pd.read_csv(nothing_moves / f"{name}.csv").columns)
        assert _fields(gpkg, name) == header
    for name in ("assignments", "coverage"):
        assert pyogrio.read_info(gpkg, layer=name)["features"] == 0


def test_the_programme_s_dates_are_date_fields(tmp_path: Path) -> None:
    """QGIS's Temporal Controller wants a Date field: the `programme` layer's `date` is
    one (GDAL's OFTDate, not text), each the very day programme.csv says."""
    made_up = write_made_up_folder(tmp_path / "made_up", n_sites=8, n_zones=10)
    programme = programme_for(made_up)
    out = write_results(plan_with(made_up, programme), tmp_path / "r")
    info = pyogrio.read_info(out / "plan.gpkg", layer="programme")
    types = dict(zip(info["fields"], info["ogr_types"], strict=True))
    assert types["date"] == "OFTDate"
    assert types["site_name"] == "OFTString" and types["fte"] == "OFTReal"
    assert list(info["fields"]) == list(programme.actions.columns)
    layer = pyogrio.read_dataframe(out / "plan.gpkg", layer="programme")
    days = [dt.date.fromisoformat(d) for d in programme.actions["date"]]
    assert [d.date() for d in pd.to_datetime(layer["date"])] == days
    assert layer["year"].tolist() == programme.actions["year"].tolist()


def test_the_geopackage_takes_the_users_umask(tmp_path: Path) -> None:
    """Under umask 002 every file of a results folder was group-writable but plan.gpkg,
    which SQLite makes rw-r--r--: a group sharing a drive could not edit its layers in
    QGIS (a review)."""
    import os

    made_up = write_made_up_folder(tmp_path / "made_up", n_sites=8, n_zones=10)
    old = os.umask(0o002)
    try:
        out = write_results(plan_with(made_up, programme_for(made_up)), tmp_path / "r")
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in out.iterdir()}
    assert modes["plan.gpkg"] == 0o664 and set(modes.values()) == {0o664}, modes


def test_zones_carry_each_rule_s_coverage_before_then_after(tmp_path: Path) -> None:
    """Two coverage rules: the zones layer has covered_before_0, covered_after_0,
    covered_before_1, covered_after_1 after the zones' own columns (QGIS lists them in
    that order), each field the rule's covered_before or covered_after of coverage.csv.
    Z1 is 1 km from S2 and 21 km from S1, Z2 1 km from S1: out of the first rule's
    0.5 km, within the second's 30 km; S2 closes (it costs most)."""
    data = write_register(tmp_path / "reg", TWO_AGENCIES,
                          [site("S1", "A1", 0, 0, services="public_access"),
                           site("S2", "A2", 20, 0, services="public_access",
                                running_cost=500_000)], [],
                          [zone("Z1", 21, 0), zone("Z2", 0, 1)])
    rules = [{"service": "public_access", "radius_km": 0.5, "mode": "maintain"},
             {"service": "public_access", "radius_km": 30.0, "mode": "all"}]
    path = write_scenario(tmp_path / "two.toml", scenario_on(data, "two", coverage=rules))
    estate.plan(path, out=tmp_path / "out", map_path=False)
    gpkg = tmp_path / "out" / "plan.gpkg"
    fields = _fields(gpkg, "zones")
    assert fields == [*pd.read_csv(tmp_path / "out" / "zones.csv").columns,
                      "covered_before_0", "covered_after_0", "covered_before_1",
                      "covered_after_1"], fields
    layer = pyogrio.read_dataframe(gpkg, layer="zones").set_index("zone_id")
    coverage = pd.read_csv(tmp_path / "out" / "coverage.csv", dtype={"zone_id": str})
    for row in coverage.itertuples(index=False):
        for when in ("before", "after"):
            assert bool(layer.loc[row.zone_id, f"covered_{when}_{row.rule}"]) == \
                bool(getattr(row, f"covered_{when}")), (row, when)
    for zone_id in ("Z1", "Z2"):  # each 1 km from its nearest site
        assert [bool(layer.loc[zone_id, f]) for f in fields[-4:]] == [False, False, True, True]


def _descriptions(gpkg: Path) -> dict[str, str]:
    import sqlite3
    with sqlite3.connect(gpkg) as db:
        return dict(db.execute("SELECT table_name, description FROM gpkg_contents"))


def test_every_layer_says_how_good_the_plan_is(nothing_moves: Path, tmp_path: Path) -> None:
    """plan.gpkg, opened alone in QGIS, showed an unproven plan's savings with no word
    of its status: every layer's description (gpkg_contents) says it as the terminal
    does, with the scenario's name."""
    said = _descriptions(nothing_moves / "plan.gpkg")
    assert set(said) >= {"sites", "zones", "moves", "assignments", "coverage", "agencies"}
    assert set(said.values()) == {"empty: proven optimal (results folder's summary.json)"}
    made_up = write_made_up_folder(tmp_path / "made_up", n_sites=8, n_zones=10)
    plan = plan_with(made_up, programme_for(made_up))
    plan.summary = plan.summary.replace(status=Status.TIME_LIMIT, mip_gap=0.0028)
    said = _descriptions(write_results(plan, tmp_path / "r") / "plan.gpkg")
    assert "programme" in said and len(set(said.values())) == 1, said
    assert "NOT PROVEN (time limit); within 0.28% of the lowest possible cost" in said["sites"]
