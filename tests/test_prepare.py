"""What may go where (estate.prepare), on small plans worked out by hand: coverage
sets (within a radius, inclusive), eligible pairs (distance, hosts, security) and the
participating agencies.

Unless a test says otherwise: r = 0 and H = 10, so A = 10 and NPV = 10 * annual +
one-off; no sharing; relocation free and unlimited; distances exact on the km grid of
`tests.fixtures.grid`. Every test runs on every installed solver.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from pyproj import Transformer
from shapely import Point, box

from estate.errors import InfeasibleError
from estate.load.scenario import scenario_from_dict
from estate.load.validate import load_register
from estate.prepare import Prepared, prepare
from tests.fixtures import (
    PUBLIC,
    TWO_AGENCIES,
    approx,
    decisions,
    function,
    placed,
    plan_of,
    scenario,
    site,
    write_register,
    zone,
)

AGENCIES = TWO_AGENCIES


def test_within_the_radius_is_inclusive(tmp_path: Path, solver: str) -> None:
    """"Within R" is distance <= R exactly: a zone 5 km away is covered at 5 km."""
    reg = write_register(tmp_path / "r", AGENCIES, [
        site("S1", "A1", 0, 0, running_cost=300_000, services=[PUBLIC]),
        site("S2", "A1", 0, 20, running_cost=100_000, services=[PUBLIC]),
    ], [], [zone("Z1", 0, 5)])  # 5 km from S1, 15 km from S2
    rule = {"service": PUBLIC, "radius_km": 5.0, "mode": "all"}
    plan = plan_of(reg, scenario(coverage=[rule]), solver)
    assert plan.summary.objective_npv == approx(3_000_000)  # S1 alone: 10 * 300k
    assert decisions(plan) == {"S1": "keep", "S2": "close"}
    assert plan.coverage["nearest_km_after"].tolist() == [5.0]
    with pytest.raises(InfeasibleError):
        plan_of(reg, scenario(coverage=[{**rule, "radius_km": 4.999}]), solver)


def test_relocation_max_km(tmp_path: Path, solver: str) -> None:
    reg = write_register(tmp_path / "r", AGENCIES, [
        site("S1", "A1", 0, 0, running_cost=500_000),
        site("S2", "A1", 0, 30, running_cost=100_000),
        site("S3", "A1", 0, 12, running_cost=300_000),
    ], [function("F1", "A1", "HR", "S1", fte=10, annual_cost=500_000)])
    # S2 is 30 km away: out of reach at 20 and 29.9 km, so F1 goes to S3:
    # 10 * (300k + 500k) = 8,000,000.
    for max_km in (20.0, 29.9):
        plan = plan_of(reg, scenario(relocation={"max_km": max_km}), solver)
        assert plan.summary.objective_npv == approx(8_000_000)
        assert placed(plan) == {"F1": {"S3": 1.0}}
    # Within reach at 30.1 km (and exactly 30): 10 * (100k + 500k) = 6,000,000.
    for max_km in (30.1, 30.0):
        plan = plan_of(reg, scenario(relocation={"max_km": max_km}), solver)
        assert plan.summary.objective_npv == approx(6_000_000)
        assert placed(plan) == {"F1": {"S2": 1.0}}


def test_hosts_and_security_decide_eligibility(tmp_path: Path, solver: str) -> None:
    reg = write_register(tmp_path / "r", AGENCIES, [
        site("S1", "A1", 0, 0, running_cost=500_000, hosts=["HR"]),  # home: always eligible
        site("S2", "A1", 0, 1, running_cost=10_000, hosts=["HR"]),  # does not host IT
        site("S3", "A1", 0, 2, running_cost=20_000, secure=False),  # not secure
        site("S4", "A1", 0, 3, running_cost=300_000, secure=True),
    ], [function("F1", "A1", "IT", "S1", annual_cost=100_000, needs_secure=True)])
    plan = plan_of(reg, scenario(), solver)
    # Only S1 (home) and S4 may take F1: 10 * (300k + 100k) = 4,000,000.
    assert plan.summary.objective_npv == approx(4_000_000)
    assert placed(plan) == {"F1": {"S4": 1.0}}
    # With S4 shut F1 stays home, although S1 neither hosts IT nor is secure:
    # 10 * (500k + 100k) = 6,000,000.
    plan = plan_of(reg, scenario(policy={"close": ["S4"]}), solver)
    assert plan.summary.objective_npv == approx(6_000_000)
    assert placed(plan) == {"F1": {"S1": 1.0}}


def test_participating_agencies_only(tmp_path: Path, solver: str) -> None:
    reg = write_register(tmp_path / "r", AGENCIES, [
        site("S1", "A1", 0, 0, running_cost=500_000),
        site("S3", "A1", 0, 3, running_cost=200_000),
        site("S2", "A2", 0, 1, running_cost=10_000),
    ], [
        function("F1", "A1", "HR", "S1", fte=10, annual_cost=500_000),
        function("F2", "A2", "HR", "S2", fte=10, annual_cost=500_000),
    ])
    plan = plan_of(reg, scenario(agencies=["A1"]), solver)
    # A2's cheap S2 is not in play: F1 to S3, 10 * (200k + 500k) = 7,000,000; status quo
    # 10 * (500k + 200k + 500k) = 12,000,000.
    assert plan.summary.objective_npv == approx(7_000_000)
    assert plan.summary.status_quo_npv == approx(12_000_000)
    assert set(plan.sites["site_id"]) == {"S1", "S3"}
    # Everyone: all into S2, 10 * (10k + 1M) = 10,100,000.
    assert plan_of(reg, scenario(), solver).summary.objective_npv == approx(10_100_000)
    # A2's site covers no zone for A1 alone: under `all` the zone cannot be served...
    reg = write_register(tmp_path / "r2", AGENCIES, [
        site("S1", "A1", 0, 0, running_cost=500_000),
        site("S3", "A1", 0, 3, running_cost=200_000),
        site("S2", "A2", 0, 1, running_cost=10_000, services=[PUBLIC]),
    ], [function("F1", "A1", "HR", "S1", fte=10, annual_cost=500_000)], [zone("Z1", 0, 1)])
    rule = {"service": PUBLIC, "radius_km": 5.0, "mode": "all"}
    with pytest.raises(InfeasibleError):
        plan_of(reg, scenario(agencies=["A1"], coverage=[rule]), solver)
    # ...and under `maintain` it is not served today by A1, so it is out of scope: 7.0M.
    plan = plan_of(reg, scenario(agencies=["A1"], coverage=[{**rule, "mode": "maintain"}]),
                   solver)
    assert plan.summary.objective_npv == approx(7_000_000)


SQUARE = box(399_000, 549_000, 401_000, 551_000)
"""A polygon zone some 360 km from K1 and K2, out of reach of both."""


def _bng_register(path: Path, square: bool = False) -> Path:
    """r9 of the review, written with geopandas: team T at K1 (600000, 250000), K2 exactly
    15,000 m east of it and half as dear, zone Z on K1 (and with `square`, zone Z2, the
    polygon `SQUARE`). Points in EPSG:27700."""
    sites = gpd.GeoDataFrame(
        {"site_id": ["K1", "K2"], "agency_id": ["A1", "A1"], "name": ["K one", "K two"],
         "desks": [10, 10], "running_cost": [100_000, 50_000],
         "services": [PUBLIC, PUBLIC]},
        geometry=[Point(600_000, 250_000), Point(615_000, 250_000)], crs="EPSG:27700")
    zones = gpd.GeoDataFrame(
        {"zone_id": ["Z", "Z2"], "name": ["Zed", "Zed two"], "population": [100, 100]},
        geometry=[Point(600_000, 250_000), SQUARE], crs="EPSG:27700")
    zones = zones.iloc[:2 if square else 1]
    sites.to_file(path, layer="sites", engine="pyogrio")
    zones.to_file(path, layer="zones", engine="pyogrio")
    pyogrio.write_dataframe(pd.DataFrame(TWO_AGENCIES), path, layer="agencies")
    pyogrio.write_dataframe(pd.DataFrame([function("T", "A1", "IT", "K1", fte=5,
                                                   annual_cost=100_000)]),
                            path, layer="functions")
    return path


def _prepared(register: Path, **changes: object) -> Prepared:
    raw = scenario(data=str(register), **changes)
    return prepare(load_register(register),
                   scenario_from_dict(raw, base_dir=register.parent, label="test.toml",
                                      default_name="test"))


@pytest.mark.parametrize(("max_km", "radius_km", "pairs", "covering"), [
    (15.0, 15.0, [("K1", 0.0), ("K2", 15.0)], ["K1", "K2"]),  # b1: both exactly at 15 km
    (15.0, 100.0, [("K1", 0.0), ("K2", 15.0)], ["K1", "K2"]),  # b2
    (14.999999, 14.999999, [("K1", 0.0)], ["K1"]),  # a micrometre short: out of reach
])
def test_a_gpkg_in_the_scenario_crs_is_measured_on_its_own_coordinates(
        tmp_path: Path, max_km: float, radius_km: float, pairs: list[tuple[str, float]],
        covering: list[str]) -> None:
    """K2 is 15,000 m east of K1 in the layer's EPSG:27700, and the scenario measures in
    EPSG:27700: it is within 15 km exactly (DESIGN 3), for the move and for coverage.
    Through lat/lon and back it was 15,000.000007 m, out of reach of both."""
    prep = _prepared(_bng_register(tmp_path / "r9.gpkg", square=True), crs="EPSG:27700",
                     relocation={"max_km": max_km},
                     coverage=[{"service": PUBLIC, "radius_km": radius_km, "mode": "all"}])
    site_ids = prep.sites["site_id"].to_numpy()
    assert [(site_ids[s], km) for s, km in zip(prep.pairs["s"], prep.pairs["km"],
                                               strict=True)] == pairs
    (cover,) = prep.coverage
    assert prep.zones["zone_id"].to_numpy()[cover.zone].tolist() == ["Z"] * len(covering)
    assert sorted(site_ids[cover.site]) == covering
    # the layer's own coordinates, unchanged (a polygon zone at its representative point)
    assert prep.sites[["x", "y"]].to_numpy().tolist() == [[600_000, 250_000],
                                                           [615_000, 250_000]]
    square = SQUARE.representative_point()
    assert prep.zones[["x", "y"]].to_numpy().tolist() == [[600_000, 250_000],
                                                           [square.x, square.y]]


def test_a_team_moves_to_a_site_exactly_max_km_away_in_a_gpkg(tmp_path: Path,
                                                              solver: str) -> None:
    """b1 planned: T moves to K2, 15 km away exactly, which keeps Z covered within 15 km,
    and K1 closes: 10 * (50k + 100k) = 1,500,000 (staying: 10 * (100k + 100k))."""
    rule = {"service": PUBLIC, "radius_km": 15.0, "mode": "all"}
    plan = plan_of(_bng_register(tmp_path / "r9.gpkg"),
                   scenario(crs="EPSG:27700", relocation={"max_km": 15.0}, coverage=[rule]),
                   solver)
    assert plan.summary.objective_npv == approx(1_500_000)
    assert decisions(plan) == {"K1": "close", "K2": "keep"}
    assert placed(plan) == {"T": {"K2": 1.0}}


def test_a_wgs84_layer_planned_in_another_crs_measures_as_pyproj_does(tmp_path: Path) -> None:
    """A layer in EPSG:4326 planned in EPSG:27700: each point where pyproj puts it,
    transformed straight from the layer's coordinates, and every distance between them."""
    lon = np.array([1.15, 1.30, 0.95, 1.21])
    lat = np.array([52.06, 52.10, 51.98, 52.31])
    register = _bng_register(tmp_path / "w.gpkg")  # the other tables; sites replaced
    sites = gpd.GeoDataFrame(
        {"site_id": ["K1", "K2", "K3", "K4"], "agency_id": "A1", "name": "a site",
         "desks": 10, "running_cost": 100_000, "services": PUBLIC},
        geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    sites.to_file(register, layer="sites", engine="pyogrio")
    zones = gpd.GeoDataFrame({"zone_id": ["Z"], "name": ["Zed"], "population": [1]},
                             geometry=gpd.points_from_xy([1.0], [52.2]), crs="EPSG:4326")
    zones.to_file(register, layer="zones", engine="pyogrio")
    prep = _prepared(register, crs="EPSG:27700", relocation={"max_km": 1000.0})
    x, y = Transformer.from_crs(4326, 27700, always_xy=True).transform(lon, lat)
    assert np.array_equal(prep.sites["x"].to_numpy(), x)
    assert np.array_equal(prep.sites["y"].to_numpy(), y)
    zx, zy = Transformer.from_crs(4326, 27700, always_xy=True).transform(1.0, 52.2)
    assert prep.zones[["x", "y"]].to_numpy().tolist() == [[zx, zy]]
    assert prep.pairs["f"].tolist() == [0] * 4  # T, at K1, may go anywhere
    assert prep.pairs["km"].tolist() == (np.hypot(x - x[0], y - y[0]) / 1000).tolist()


def test_the_same_records_in_another_order_make_the_same_model(tmp_path: Path) -> None:
    """The demo's register with every table's rows shuffled (a sheet sorted by name, a
    layer QGIS rewrote) made another model, so the solver settled ties between plans of
    equal cost otherwise: a shared centre at another site, agencies' savings £222k
    apart (a review). Sites, teams, zones and pair costs are taken in their ids' order,
    so the model is the same, column for column and row for row."""
    import dataclasses

    from estate.load.scenario import load_scenario
    from estate.model.build import build

    demo = Path(__file__).parents[1] / "data" / "suffolk"
    rng = np.random.default_rng(7)
    shuffled = tmp_path / "shuffled"
    shuffled.mkdir()
    for table in demo.glob("*.csv"):  # the agencies' order is kept: the pages list it
        rows = pd.read_csv(table, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        if table.name != "agencies.csv":
            rows = rows.iloc[rng.permutation(len(rows))]
        rows.to_csv(shuffled / table.name, index=False)
    assert (pd.read_csv(shuffled / "sites.csv")["site_id"].tolist()
            != pd.read_csv(demo / "sites.csv")["site_id"].tolist())
    sc = load_scenario(Path(__file__).parents[1] / "models" / "shared_back_office.toml")
    a, b = (build(prepare(load_register(folder), dataclasses.replace(sc, data=folder)))
            for folder in (demo, shuffled))
    assert a.col_names.tolist() == b.col_names.tolist()
    assert a.row_names.tolist() == b.row_names.tolist()
    for name in ("col_lb", "col_ub", "col_cost", "col_integer", "row_lb", "row_ub"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert (a.matrix != b.matrix).nnz == 0


def test_ids_are_taken_in_the_order_a_planner_counts_them() -> None:
    """Runs of digits as numbers (S2 before S10, 007 beside 7 but told apart), any
    length of them (Python refuses to make a number of more than 4,300 digits: an id of
    5,000 ones stopped estate plan)."""
    from estate.prepare import in_id_order

    ids = ["S10", "S2", "S007", "S7", "T1", "S" + "1" * 5000, "S", "10", "9"]
    table = pd.DataFrame({"site_id": ids, "row": range(len(ids))})
    assert in_id_order(table, "site_id")["site_id"].tolist() == [
        "9", "10", "S", "S2", "S007", "S7", "S10", "S" + "1" * 5000, "T1"]
