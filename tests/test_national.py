"""National registers: areas planned independently and merged (DESIGN section 8).

The merged plan's cost must equal the sum of each area's optimum solved on its own
as a one-locality register (no `area` column), on a process pool and on Dask.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

import estate
from estate.load.scenario import (
    CoverageRule,
    ProgrammeLimits,
    scenario_from_dict,
    with_programme,
)
from estate.load.validate import load_register
from estate.maps.payload import outline_label, read_plan
from estate.render.report_data import Table, Text, read_results
from estate.render.report_pages import decision_page
from estate.render.text import summary_lines
from estate.results.summary import SavingBasis, saving_basis
from estate.runs.national import area_pieces, ready_register
from estate.store import check_results, read_summary
from tests.fixtures import write_gpkg, write_scenario, write_tables
from tests.fixtures.cli import invoke

AREAS = ("south", "north")  # south at 52.0N, north 0.6 degrees above


def national_tables(seed: int) -> dict[str, pd.DataFrame]:
    """Two areas 60 km apart, each with offices, a station and a couple of teams."""
    rng = np.random.default_rng(seed)
    agencies = pd.DataFrame({"agency_id": ["CC", "PD"], "name": ["County", "Police"],
                             "kind": ["council", "police"]})
    sites, functions, zones = [], [], []
    for a, area in enumerate(AREAS):
        lat0 = 52.0 + 0.6 * a
        for i in range(4):
            sid = f"{area[0].upper()}S{i}"
            sites.append({
                "site_id": sid, "agency_id": "CC" if i % 2 == 0 else "PD",
                "name": f"{area} site {i}", "lat": lat0 + 0.02 * i, "lon": 1.0 + 0.03 * i,
                "desks": int(rng.integers(40, 90)),
                "running_cost": float(rng.integers(100, 400)) * 1000,
                "kind": "station" if i == 3 else "office",
                "services": "public_access" if i in (0, 3) else "", "area": area,
            })
        for j in range(3):
            functions.append({
                "function_id": f"{area[0].upper()}F{j}", "agency_id": "CC" if j != 1 else "PD",
                "type": ["IT", "HR", "Finance"][j], "site_id": f"{area[0].upper()}S{j}",
                "fte": int(rng.integers(5, 30)), "annual_cost": float(rng.integers(2, 9)) * 1e5,
            })
        for z in range(3):
            zones.append({"zone_id": f"{area[0].upper()}Z{z}", "name": f"{area} zone {z}",
                          "lat": lat0 + 0.01 * z, "lon": 1.02, "population": 1000 * (z + 1)})
    return {"agencies": agencies, "sites": pd.DataFrame(sites),
            "functions": pd.DataFrame(functions), "zones": pd.DataFrame(zones)}


def raw_scenario(data: Path, **solver) -> dict[str, Any]:
    """The national scenario as its TOML file holds it."""
    return {"name": "nat", "data": str(data),
            "sharing": {"types": ["IT", "HR", "Finance"], "efficiency": 0.2,
                        "setup_cost": 50000, "min_agencies": 2},
            "coverage": [{"service": "public_access", "radius_km": 10, "mode": "maintain"}],
            "solver": {"mip_gap": 1e-9, **solver}}


def scenario(data: Path, **solver) -> estate.Scenario:
    return scenario_from_dict(raw_scenario(data, **solver), base_dir=data.parent,
                              label="nat.toml")


def area_optimum(tables: dict[str, pd.DataFrame], area: str, folder: Path) -> float:
    """One area on its own, as a one-locality register (no `area` column at all)."""
    sites = tables["sites"][tables["sites"]["area"] == area].drop(columns="area")
    functions = tables["functions"][tables["functions"]["site_id"].isin(sites["site_id"])]
    zones = tables["zones"][tables["zones"]["zone_id"].str.startswith(area[0].upper())]
    data = write_tables(folder / area, {"agencies": tables["agencies"], "sites": sites,
                                  "functions": functions, "zones": zones})
    return estate.plan(scenario(data), write=False).summary.objective_npv


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_merged_cost_is_sum_of_area_optima(tmp_path: Path, seed: int) -> None:
    tables = national_tables(seed)
    data = write_tables(tmp_path / "national", tables)
    merged = estate.plan(scenario(data), write=False, workers=2)
    expected = sum(area_optimum(tables, area, tmp_path / "single") for area in AREAS)
    assert merged.summary.objective_npv == pytest.approx(expected, rel=1e-9, abs=1e-3)
    assert merged.summary.area_count == 2
    assert set(merged.sites["area"]) == set(AREAS)
    # Nothing moves across areas.
    site_area = dict(zip(merged.sites["site_id"], merged.sites["area"], strict=True))
    moved = merged.assignments
    assert all(site_area[t] == site_area[f] for f, t in zip(moved["from_site"], moved["to_site"],
                                                              strict=True))
    agency_total = sum(a.annual_cost_after for a in merged.summary.agencies.values())
    assert agency_total == pytest.approx(merged.summary.annual_cost_after, abs=0.05)


@pytest.mark.slow
def test_dask_executor_matches_process_pool(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    tables = national_tables(4)
    data = write_tables(tmp_path / "national", tables)
    pool = estate.plan(scenario(data), write=False, workers=2)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        dask = estate.plan(scenario(data), write=False, executor="dask",
                           scheduler=cluster.scheduler_address)
    assert dask.summary.objective_npv == pytest.approx(pool.summary.objective_npv,
                                                          rel=1e-9)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Port 8787 is already in use:UserWarning")
def test_a_sweep_of_a_national_register_on_dask_plans_its_areas_in_each_run(
        tmp_path: Path) -> None:
    """A Dask worker's processes are daemons, which may not start a pool of their own:
    a run planning its areas on one ended as an error row ("daemonic processes are not
    allowed to have children"), every run of the sweep did, and it said 4 error. Each
    run plans its areas one after another, as on the local pool, with the same rows."""
    from distributed import LocalCluster

    from estate.api import sweep
    from estate.runs.sweep import parse_vary

    data = write_tables(tmp_path / "national", national_tables(4))
    path = write_scenario(tmp_path / "nat.toml", raw_scenario(data))
    varies = [parse_vary("sharing.efficiency=0.1,0.3")]
    pool = sweep(path, varies, tmp_path / "pool", workers=2)
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                      dashboard_address=None) as cluster:
        on_dask = sweep(path, varies, tmp_path / "dask", executor="dask",
                        scheduler=cluster.scheduler_address)
    assert on_dask.rows["status"].tolist() == ["optimal", "optimal"]
    keep = ["status", "objective_npv", "npv_saving", "area_count"]
    pd.testing.assert_frame_equal(pool.rows[keep], on_dask.rows[keep])


def test_a_sweep_of_a_national_register_gives_each_site_its_area(tmp_path: Path) -> None:
    """site_robustness.csv named a national register's sites by id and name only, so a
    planner could not tell which area a fragile site is in. Each site carries its area
    from the register, in the table and in its bar's tooltip, planned now or reused."""
    from estate.api import sweep
    from estate.runs.sweep import parse_vary

    tables = national_tables(6)
    data = write_tables(tmp_path / "national", tables)
    path = write_scenario(tmp_path / "nat.toml", raw_scenario(data))
    varies = [parse_vary("sharing.efficiency=0.1,0.3")]
    expected = dict(zip(tables["sites"]["site_id"], tables["sites"]["area"], strict=True))
    for _ in range(2):  # planned, then every run reused from its folder
        done = sweep(path, varies, tmp_path / "out", workers=1)
        robust = pd.read_csv(tmp_path / "out" / "site_robustness.csv", dtype=str)
        assert list(robust.columns[:4]) == ["site_id", "name", "area", "open_share"]
        assert dict(zip(robust["site_id"], robust["area"], strict=True)) == expected
    assert all(o.reused for o in done.outcomes)
    page = (tmp_path / "out" / "sweep.html").read_text(encoding="utf-8")
    assert re.search(r"<title>NS0 \W*north site 0\W* \(\W*north\W*\): open in", page)


def test_national_results_folder_and_infeasible_area_named(tmp_path: Path) -> None:
    tables = national_tables(5)
    data = write_tables(tmp_path / "national", tables)
    out = tmp_path / "results"
    estate.plan(scenario(data), out=out, map_path=tmp_path / "map.html", workers=1)
    assert (out / "summary.json").exists() and (tmp_path / "map.html").exists()
    stored = check_results(out)  # the merged tables give the summed figures
    assert stored.summary.sites_closed == (stored.tables["sites"]["decision"] == "close").sum()
    # A zone in the south that nothing can reach under an `all` rule names its area.
    zones = tables["zones"].copy()
    zones.loc[len(zones)] = {"zone_id": "SZ9", "name": "far south", "lat": 52.0 - 0.9,
                             "lon": 1.0, "population": 10}
    data = write_tables(tmp_path / "bad", {**tables, "zones": zones})
    raw_sc = scenario(data)

    sc = dataclasses.replace(raw_sc, coverage=(CoverageRule(0, "public_access", 10, "all"),))
    with pytest.raises(estate.InfeasibleError) as info:
        estate.plan(sc, write=False, workers=1)
    assert any("area south" in r and "SZ9" in r for r in info.value.reasons), info.value.reasons


def test_an_area_with_no_site_offering_a_service_is_said_as_the_area_s(tmp_path: Path) -> None:
    """Only a north site offers `police_counter`; an `all` rule for it fails in the south
    alone. The south's reasons say no site of the area offers it (not of the register,
    which one does), and no warning says that no site of the register offers it;
    validate and plan alike."""
    tables = national_tables(5)
    sites = tables["sites"].copy()
    north = sites.index[sites["site_id"] == "NS0"][0]
    sites.loc[north, "services"] = "public_access;police_counter"
    zones = tables["zones"].assign(area=[AREAS[0] if z.startswith("S") else AREAS[1]
                                         for z in tables["zones"]["zone_id"]])
    data = write_tables(tmp_path / "national", {**tables, "sites": sites, "zones": zones})
    rule = CoverageRule(0, "police_counter", 30, "all")
    sc = dataclasses.replace(scenario(data), coverage=(rule,))
    for attempt in (lambda: ready_register(sc, load_register(data)),
                    lambda: estate.plan(sc, write=False, workers=1)):
        with pytest.raises(estate.InfeasibleError) as info:
            attempt()
        reasons = info.value.reasons
        assert reasons and all(r.startswith("area south: ") for r in reasons), reasons
        assert all("no site of the area offers police_counter" in r for r in reasons)
        assert info.value.keys == ("coverage.0.service", "sites.services")
        assert not [w for w in info.value.warnings if "police_counter" in w.found]


def test_an_area_that_cannot_be_met_keeps_the_other_areas_warnings(tmp_path: Path) -> None:
    """North's lease ended before the start is a warning of north; south's team too big
    for any of its sites makes south infeasible. The reasons name south, and north's
    warning is still said, by validate and plan alike (it was dropped with north)."""
    tables = national_tables(5)
    sites = tables["sites"].assign(tenure="freehold", lease_end="")
    sites.loc[sites["site_id"] == "NS1", ["tenure", "lease_end"]] = ["leasehold", "2020-01-01"]
    functions = tables["functions"].copy()
    functions.loc[functions["function_id"] == "SF0", "fte"] = 5000
    data = write_tables(tmp_path / "national", {**tables, "sites": sites,
                                                "functions": functions})
    sc = dataclasses.replace(scenario(data), start=dt.date(2027, 4, 1))
    for attempt in (lambda: ready_register(sc, load_register(data)),
                    lambda: estate.plan(sc, write=False, workers=1)):
        with pytest.raises(estate.InfeasibleError) as info:
            attempt()
        assert [r[:12] for r in info.value.reasons] == ["area south: "]
        ended = [w for w in info.value.warnings if w.column == "lease_end"]
        assert [(w.row, "NS1" in w.found) for w in ended] == [(7, True)], info.value.warnings


def test_a_dated_programme_of_a_national_register_is_refused_before_planning(
        tmp_path: Path) -> None:
    """A dated programme schedules one locality: plan and validate both refuse it at the
    scenario's `programme` key, or at `--programme` when the option asked for it (the key
    named was not in the file), and plan does so before solving any area (no area's
    progress line)."""
    data = write_tables(tmp_path / "national", national_tables(3))
    sc = scenario(data)
    started = dataclasses.replace(sc, start=dt.date(2027, 4, 1))
    table = dataclasses.replace(started, programme=ProgrammeLimits((np.inf,) * 10))
    for dated, file, column in ((table, "nat.toml", "programme"),
                                (with_programme(started), "--programme", None)):
        said: list[str] = []
        with pytest.raises(estate.InputError) as info:
            estate.plan(dated, write=False, workers=1, progress=said.append)
        [problem] = [p for p in info.value.problems if p.severity == "error"]
        assert (problem.file, problem.column) == (file, column)
        assert "national register of 2 areas" in str(problem)
        assert not any("south" in line or "north" in line for line in said)
    estate.plan(sc, write=False, workers=1)  # the same register undated plans


def test_validate_readies_each_area_as_plan_does(tmp_path: Path) -> None:
    """`estate validate` on a national register measures and pre-checks each area as
    planning it does. With teams held within 1 km of home, a pair cost for the south's
    SF0 at SS3, about 9 km from its home SS0, can never apply: the south's measuring
    finds it (pair_costs.csv row 2). A south zone 100 km below every site under an
    `all` rule is one no plan can reach: validate raises the very reasons plan does,
    naming the area and the zone."""
    tables = national_tables(5)
    tables["pair_costs"] = pd.DataFrame({"function_id": ["SF0", "SF1"],
                                         "site_id": ["SS3", "NS1"],
                                         "annual_cost": [1000.0, 500.0]})
    data = write_tables(tmp_path / "national", tables)
    held = write_scenario(tmp_path / "held.toml", {**raw_scenario(data),
                                                   "relocation": {"max_km": 1}})
    checked = estate.validate_scenario(held)
    assert checked.areas == ["north", "south"]
    across, pair = [w for w in checked.warnings if w.file == "pair_costs.csv"]
    assert (pair.row, pair.column) == (2, "site_id") and "never is" in pair.found
    # SF1 is a south team, NS1 a north site: the areas are planned apart
    assert (across.row, across.column) == (3, "site_id")
    assert across.found == "NS1 in area north; the cost is ignored"
    planned_plan = estate.plan(held, write=False, workers=1)
    assert planned_plan.warnings == checked.warnings  # plan lists what validate said

    zones = tables["zones"].copy()
    zones.loc[len(zones)] = {"zone_id": "SZ9", "name": "far south", "lat": 52.0 - 0.9,
                             "lon": 1.0, "population": 10}
    data = write_tables(tmp_path / "bad", {**tables, "zones": zones})
    raw = raw_scenario(data)
    raw["coverage"] = [{"service": "public_access", "radius_km": 10, "mode": "all"}]
    unreachable = write_scenario(tmp_path / "bad.toml", raw)
    with pytest.raises(estate.InfeasibleError) as validated:
        estate.validate_scenario(unreachable)
    assert any(r.startswith("area south: zone SZ9 far south: no site offering "
                            "public_access within 10 km") for r in validated.value.reasons)
    with pytest.raises(estate.InfeasibleError) as planned:
        estate.plan(unreachable, write=False, workers=1)
    assert validated.value.reasons == planned.value.reasons


def test_an_area_where_no_agency_in_scope_holds_anything_is_outside_the_plan(
        tmp_path: Path) -> None:
    """The south's sites and teams are all the police's (PD); `agencies = ["CC"]` plans
    the county's estate, which lies in the north alone: the plan is the north's, planned
    as one locality with the same scope (the south was planned as an empty scope and
    refused with 'nothing to plan', which the pool then reported as a lost worker,
    exit 4; before that, an empty model HiGHS called 'no plan found')."""
    tables = national_tables(4)
    south = tables["sites"]["area"] == "south"
    tables["sites"].loc[south, "agency_id"] = "PD"
    tables["functions"].loc[tables["functions"]["site_id"].isin(
        tables["sites"].loc[south, "site_id"]), "agency_id"] = "PD"
    data = write_tables(tmp_path / "national", tables)
    raw = {**raw_scenario(data), "agencies": ["CC"]}
    checked = estate.validate_scenario(write_scenario(tmp_path / "cc.toml", raw))
    assert checked.areas == ["north"]
    merged = estate.plan(tmp_path / "cc.toml", write=False, workers=2)
    north = tables["sites"][~south].drop(columns="area")
    alone = write_tables(tmp_path / "north", {
        "agencies": tables["agencies"], "sites": north,
        "functions": tables["functions"][tables["functions"]["site_id"].isin(north["site_id"])],
        "zones": tables["zones"][tables["zones"]["zone_id"].str.startswith("N")]})
    single = estate.plan(write_scenario(tmp_path / "alone.toml",
                                        {**raw_scenario(alone), "agencies": ["CC"]}),
                         write=False)
    assert merged.summary.objective_npv == pytest.approx(single.summary.objective_npv,
                                                         rel=1e-9, abs=1e-3)
    assert set(merged.sites["area"]) == {"north"}
    assert set(merged.sites["site_id"]) == set(single.sites["site_id"])


def test_a_register_with_no_area_to_plan_offers_no_rule_to_relax(tmp_path: Path) -> None:
    """A national register whose areas hold no site and no team has nothing to plan: no
    setting of the scenario (a coverage radius, a site kept) would give it a plan, so
    the error names no key to relax, and the terminal says to change what it names."""
    data = write_tables(tmp_path / "national", national_tables(3))
    register = load_register(data)
    empty = dataclasses.replace(register, sites=register.sites.iloc[0:0],
                                functions=register.functions.iloc[0:0])
    with pytest.raises(estate.InfeasibleError) as info:
        area_pieces(scenario(data), empty)
    assert info.value.reasons == ["the register has no area with sites or functions"]
    assert (info.value.keys, info.value.relax) == ((), "")


def dated_national_tables(seed: int) -> dict[str, pd.DataFrame]:
    """`national_tables` with leases and slow sales: every office rents on a lease to
    2031 and sells twelve years after closing, past a ten-year horizon."""
    tables = national_tables(seed)
    sites = tables["sites"]
    office = sites["kind"] == "office"
    sites["rent"] = np.where(office, 60_000.0, 0.0)
    sites["lease_end"] = np.where(office, "2031-04-01", "")
    sites["disposal_value"] = np.where(office, 900_000.0, 0.0)
    sites["disposal_lag_years"] = np.where(office, 12, 1)
    return tables


def _dated_alone(tables: dict[str, pd.DataFrame], area: str, folder: Path) -> estate.Plan:
    """One area on its own, dated from 2027-04-01, as a one-locality register."""
    sites = tables["sites"][tables["sites"]["area"] == area].drop(columns="area")
    functions = tables["functions"][tables["functions"]["site_id"].isin(sites["site_id"])]
    zones = tables["zones"][tables["zones"]["zone_id"].str.startswith(area[0].upper())]
    data = write_tables(folder / area, {"agencies": tables["agencies"], "sites": sites,
                                        "functions": functions, "zones": zones})
    return estate.plan(dataclasses.replace(scenario(data), start=dt.date(2027, 4, 1)),
                       write=False)


def _pack_words(folder: Path) -> str:
    """Every word of the board pack's decision page (its text and its table cells)."""
    words = []
    for block in decision_page(read_results(folder)).blocks:
        if isinstance(block, Text):
            words.append(block.text)
        elif isinstance(block, Table):
            words += [" ".join(row) for row in block.rows]
    return "\n".join(words)


def test_a_dated_national_plan_prices_timing_as_a_locality_does(tmp_path: Path) -> None:
    """A national register with a `start` date prices lease timing in every area; the
    merged plan says so everywhere a single locality's does. By hand: what timing adds
    and the sales after the horizon are the sums of each area's own, planned alone (and
    as summary.json's `areas` lists them); each agency's `lease_cost_npv` is its sum
    over the areas; the terminal has its Timing line, the pack prices timing, and the
    saving counts changes when they can happen (compare's and sweep's basis)."""
    tables = dated_national_tables(6)
    data = write_tables(tmp_path / "national", tables)
    out = tmp_path / "results"
    dated = dataclasses.replace(scenario(data), start=dt.date(2027, 4, 1))
    merged = estate.plan(dated, out=out, map_path=False, workers=1)
    alone = {area: _dated_alone(tables, area, tmp_path / "alone") for area in AREAS}
    s = merged.summary
    for key in ("lease_cost_npv", "receipts_after_horizon"):
        own = [getattr(p.summary, key) for p in alone.values()]
        assert all(v is not None for v in own)
        assert getattr(s, key) == pytest.approx(sum(own), abs=0.02)
    assert s.lease_cost_npv != 0 and s.receipts_after_horizon  # both priced, not blank

    stored = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert stored["lease_cost_npv"] == pytest.approx(s.lease_cost_npv)
    assert stored["receipts_after_horizon"] == pytest.approx(s.receipts_after_horizon)
    for key in ("lease_cost_npv", "receipts_after_horizon"):
        assert stored[key] == pytest.approx(sum(a[key] for a in stored["areas"].values()),
                                            abs=0.02)
        for area, plan in alone.items():
            assert stored["areas"][area][key] == pytest.approx(getattr(plan.summary, key),
                                                               abs=0.01)

    agencies = pd.read_csv(out / "agencies.csv")
    single = pd.concat([p.agencies for p in alone.values()])
    assert list(agencies.columns) == list(single.columns)  # a locality's columns, in order
    by_hand = single.groupby("agency_id")["lease_cost_npv"].sum()
    for row in agencies.itertuples():
        assert row.lease_cost_npv == pytest.approx(by_hand[row.agency_id], abs=0.02)
    assert agencies["lease_cost_npv"].sum() == pytest.approx(s.lease_cost_npv, abs=0.05)
    check_results(out)  # agencies.csv's lease_cost_npv adds up to the summary's

    assert any(line.startswith("Timing:") for line in summary_lines(s))
    assert any("after the horizon" in line for line in summary_lines(s))
    pack = _pack_words(out)
    assert "Timing is not priced" not in pack
    assert "What timing adds" in pack or "What timing takes off" in pack
    assert saving_basis(stored.get("programme"), stored.get("lease_cost_npv")) \
        == SavingBasis.WHEN_POSSIBLE


def test_a_national_plan_keeps_the_zones_own_shapes(tmp_path: Path) -> None:
    """A national GeoPackage register whose zones are polygons: the merged plan.gpkg has
    them all as `zone_areas` (each zone its own square, from whichever area it fell in),
    as a single locality's has, and the map draws them, not cells round zone centres."""
    tables = national_tables(7)
    squares = {row.zone_id: shapely.box(row.lon - 0.004, row.lat - 0.003, row.lon + 0.004,
                                        row.lat + 0.003)
               for row in tables["zones"].itertuples()}
    path = write_gpkg(tmp_path / "national.gpkg",
                      {k: v for k, v in tables.items() if k != "zones"}, crs=4326)
    gpd.GeoDataFrame(tables["zones"].drop(columns=["lat", "lon"]),
                     geometry=[squares[z] for z in tables["zones"]["zone_id"]],
                     crs=4326).to_file(path, layer="zones", engine="pyogrio")
    out = tmp_path / "results"
    estate.plan(scenario(path), out=out, map_path=False, workers=1)
    layers = {str(name): str(kind) for name, kind in pyogrio.list_layers(out / "plan.gpkg")}
    assert layers.get("zone_areas") == "Polygon", layers
    stored = pyogrio.read_dataframe(out / "plan.gpkg", layer="zone_areas")
    assert sorted(stored["zone_id"]) == sorted(squares)
    for zone_id, shape in zip(stored["zone_id"], stored.geometry, strict=True):
        assert shape.equals_exact(squares[zone_id], 1e-9), zone_id
    drawn = read_plan(out)
    assert drawn.zone_areas is not None and len(drawn.zone_areas) == len(squares)
    assert outline_label(drawn) == "Zone boundaries"


def test_a_zone_with_its_own_area_is_planned_there_when_other_cells_are_empty(
        tmp_path: Path) -> None:
    """Zones whose `area` column is filled for some rows only: a zone with an area is
    planned in it, the others in their nearest site's. SZ0 sits among the south's sites
    (0.6 degrees from the north's) but is written 'north'; SZ1 is left empty. Before,
    one empty cell set aside every area written, so SZ0 was planned in the south without
    a word, and a zone naming an area with no sites ('east') was not caught."""
    tables = national_tables(2)
    zones = tables["zones"]
    zones["area"] = ""
    zones.loc[zones["zone_id"] == "SZ0", "area"] = "north"
    merged = estate.plan(scenario(write_tables(tmp_path / "part", tables)), write=False,
                         workers=1)
    placed = dict(zip(merged.zones["zone_id"], merged.zones["area"], strict=True))
    by_nearest = {z: ("south" if z.startswith("S") else "north") for z in placed}
    assert placed == {**by_nearest, "SZ0": "north"}

    zones.loc[zones["zone_id"] == "NZ2", "area"] = "east"
    with pytest.raises(estate.InputError) as info:
        load_register(write_tables(tmp_path / "east", tables))
    [problem] = info.value.problems
    row = int(zones.index[zones["zone_id"] == "NZ2"][0]) + 2  # header is row 1
    assert (problem.file, problem.row, problem.column) == ("zones.csv", row, "area")
    assert problem.found == "'east'"


def test_a_zone_on_a_border_goes_with_the_sites_that_serve_it(tmp_path: Path) -> None:
    """ZX, a village with no area, lies 0.5 km from SX, a southern office offering
    nothing, and 7.0 km from the north's NS0, the only site offering public access within
    10 km of it; NS0 costs £3m a year, and the north's own zones are covered by its
    station too. Placed by its nearest site, ZX went south, where no site can cover it,
    so the maintain rule let NS0 close and its coverage read as never there. Placed by
    its nearest site offering the rule's service, it goes north and NS0 stays open.
    Written south in its own cell, it is planned there as asked, and a warning at its
    row names NS0 and the north."""
    tables = national_tables(1)
    sites, zones = tables["sites"], tables["zones"]
    sites.loc[sites["site_id"] == "NS0", "running_cost"] = 3_000_000
    sites.loc[len(sites)] = {**sites.iloc[1].to_dict(), "site_id": "SX", "name": "Outpost",
                             "lat": 52.54, "lon": 0.95, "services": "", "area": "south"}
    zones.loc[len(zones)] = {"zone_id": "ZX", "name": "Border village", "lat": 52.545,
                             "lon": 0.95, "population": 5000}
    zones["area"] = ""
    served = estate.plan(scenario(write_tables(tmp_path / "empty", tables)), write=False,
                         workers=1)
    placed = dict(zip(served.zones["zone_id"], served.zones["area"], strict=True))
    assert placed["ZX"] == "north"
    decision = dict(zip(served.sites["site_id"], served.sites["decision"], strict=True))
    assert decision["NS0"] == "keep"
    village = served.coverage[served.coverage["zone_id"] == "ZX"].iloc[0]
    assert village["covered_before"] and village["covered_after"]
    assert village["nearest_km_after"] == pytest.approx(7.0, abs=0.05)  # 6.12 km north, 3.38 km east
    assert not [w for w in served.warnings if w.column == "area"]

    zones.loc[zones["zone_id"] == "ZX", "area"] = "south"
    asked = estate.plan(scenario(write_tables(tmp_path / "south", tables)), write=False,
                        workers=1)
    decision = dict(zip(asked.sites["site_id"], asked.sites["decision"], strict=True))
    assert decision["NS0"] == "close"
    [warned] = [w for w in asked.warnings if w.column == "area"]
    assert (warned.file, warned.row) == ("zones.csv", len(zones) + 1)
    assert "zone ZX Border village planned with area 'south'" in warned.found
    assert "NS0 of area 'north' is 7.0 km away" in warned.found


def test_a_zone_goes_with_the_area_nearest_in_metres_not_in_degrees(tmp_path: Path) -> None:
    """ZW, with no area, lies 0.1 degrees south of W (11.1 km) and 0.15 degrees west of E
    (10.2 km at 52.5N, where a degree of longitude is 0.61 of one of latitude), both
    offering public access: it goes with E's area, as a rule in metres would count E
    (in degrees, W looked nearer)."""
    tables = national_tables(1)
    tables["sites"] = tables["sites"].iloc[:0]
    sites = [{"site_id": sid, "agency_id": "CC", "name": sid, "lat": lat, "lon": lon,
              "desks": 50, "running_cost": 100_000, "kind": "office",
              "services": "public_access", "area": area}
             for sid, lat, lon, area in (("W", 52.6, 1.0, "west"), ("E", 52.5, 1.15, "east"))]
    tables["sites"] = pd.DataFrame(sites)
    tables["functions"] = pd.DataFrame([
        {"function_id": "F1", "agency_id": "CC", "type": "IT", "site_id": "W", "fte": 5,
         "annual_cost": 100_000}])
    tables["zones"] = pd.DataFrame([{"zone_id": "ZW", "name": "Between", "lat": 52.5,
                                     "lon": 1.0, "population": 100}])
    data = write_tables(tmp_path / "between", tables)
    [(area, _, piece)] = [p for p in area_pieces(scenario(data), load_register(data))
                          if len(p[2].zones)]
    assert area == "east" and list(piece.zones["zone_id"]) == ["ZW"]


def test_a_national_plan_searched_again_keeps_its_gap_the_largest_areas(
        tmp_path: Path) -> None:
    """A national plan whose first search stopped short (its areas at 50% and 10%, the
    plan at 50%, as merged) searched to 1e-6 from its plan to price its policies: each
    area's gap is then its own, proven, and the plan's the largest of them, as
    docs/formats.md defines it (the whole NPV's gap was written as the plan's, under the
    largest area's, 30% against 68% in a review's run)."""
    from estate.runs.optimum import searched_plan
    from estate.status import Status

    data = write_tables(tmp_path / "national", national_tables(2))
    sc, register = scenario(data), load_register(data)
    proven = estate.plan(sc, write=False, workers=1)
    stopped = {area: figures.replace(mip_gap=gap, status=Status.TIME_LIMIT)
               for (area, figures), gap in zip(proven.summary.areas.items(), (0.5, 0.1),
                                               strict=True)}
    proven.summary = proven.summary.replace(status=Status.TIME_LIMIT, mip_gap=0.5,
                                            areas=stopped)
    _, plan, optimum = searched_plan(sc, register, None, proven, on={"executor": "serial"})
    gaps = [figures.mip_gap for figures in plan.summary.areas.values()]
    assert all(gap <= 1e-6 for gap in gaps) and optimum.proven
    assert plan.summary.mip_gap == max(gaps)
    assert plan.summary.status == Status.OPTIMAL
    assert {figures.status for figures in plan.summary.areas.values()} == {Status.OPTIMAL}


def test_an_area_with_no_gap_leaves_the_searched_plans_gap_unknown() -> None:
    """`areas_best_of`, area by area: an area neither search bounded keeps its status and
    no gap, so the whole's gap is unknown, as a merged plan's is (it read 0, the other
    area's gap alone)."""
    from estate.results.summary import Summary
    from estate.runs.optimum import areas_best_of
    from estate.status import Status
    from tests.fixtures import summary_record

    def summary(areas: dict[str, Any]) -> Summary:
        return summary_record(areas=areas, area_count=2, status="time_limit", mip_gap=None)

    def area(status: str, npv: float, gap: float | None) -> dict[str, Any]:
        return {"status": status, "objective_npv": npv, "npv_saving": 1e6, "mip_gap": gap,
                "solve_seconds": 3.0}

    first = summary({"north": area("time_limit", 5e6, None),
                     "south": area("time_limit", 4e6, 0.02)})
    second = summary({"north": area("time_limit", 5e6, None),
                      "south": area("optimal", 4e6, 0.0)})
    both = areas_best_of(first, second, 1e-4)
    assert both.mip_gap is None and both.status == Status.TIME_LIMIT
    assert both.areas is not None
    assert (both.areas["south"].mip_gap, both.areas["south"].status) == (0.0, Status.OPTIMAL)


def test_the_one_off_cap_of_a_national_plan_is_said_to_hold_in_each_area(
        tmp_path: Path) -> None:
    """`max_one_off` caps each area's plan (docs/formats.md): its policy's sentence, in
    the terminal, summary.json and the board pack, says so for a national register (it
    read as a cap on the whole, beside a one-off cost above it), and not for one
    locality."""
    from estate.runs.policy import policies

    tables = national_tables(1)
    sc = dataclasses.replace(scenario(write_tables(tmp_path / "n", tables)),
                             max_one_off=700_000.0)
    national = load_register(write_tables(tmp_path / "n", tables))
    tables["sites"] = tables["sites"].drop(columns="area")
    locality = load_register(write_tables(tmp_path / "one", tables))
    said = {register is national: next(p.phrase for p in policies(sc, register)
                                       if p.name == "policy.max_one_off")
            for register in (national, locality)}
    assert said == {True: "Capping net one-off spend at £700.0k in each area",
                    False: "Capping net one-off spend at £700.0k"}


def test_the_board_pack_lists_each_area_with_its_saving_and_proof(tmp_path: Path) -> None:
    """A national plan's pack lists its areas on the Where page, the least proven first,
    each with its own NPV saving (the areas' add up to the whole's) and how far its plan
    is proven: the pack said only the whole's gap, naming no area."""
    from estate.render.report_pages import where_page

    data = write_tables(tmp_path / "national", national_tables(2))
    out = tmp_path / "results"
    plan = estate.plan(scenario(data), out=out, map_path=False, workers=1)
    stored = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    stopped = {**stored["areas"]["north"], "status": "time_limit", "mip_gap": 0.0123}
    stored["areas"]["north"] = stopped
    stored["mip_gap"], stored["status"] = 0.0123, "time_limit"
    (out / "summary.json").write_text(json.dumps(stored), encoding="utf-8")
    [table] = [b for b in where_page(read_results(out)).blocks
               if isinstance(b, Table) and b.caption.startswith("Areas")]
    assert table.caption == "Areas, each planned on its own (2)"
    rows = [tuple(cell.replace("\u2068", "").replace("\u2069", "") for cell in row)
            for row in table.rows]
    savings = {area: estate.results.money(figures.npv_saving)
               for area, figures in plan.summary.areas.items()}
    assert rows == [
        ("north", savings["north"],
         "NOT PROVEN (time limit); within 1.3% of the lowest possible cost"),
        ("south", savings["south"], "proven optimal")]
    assert sum(f.npv_saving for f in plan.summary.areas.values()) == \
        pytest.approx(plan.summary.npv_saving, abs=0.05)
    # an area stopped before any bound is less proven than any gap: first (its unknown
    # gap was read as 0, so it came last, as if proven)
    stored["areas"]["south"] = {**stored["areas"]["south"], "status": "time_limit",
                                "mip_gap": None}
    (out / "summary.json").write_text(json.dumps(stored), encoding="utf-8")
    [table] = [b for b in where_page(read_results(out)).blocks
               if isinstance(b, Table) and b.caption.startswith("Areas")]
    assert [row[0].strip("\u2068\u2069") for row in table.rows] == ["south", "north"], \
        table.rows


def outgrown_south(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The south with 56 more offices of 50 desks, each housing four teams of 14 FTE
    today: every one is over its room, so the status quo is no plan and the solver must
    find one by moving teams, which takes it more than no time at all."""
    sites, functions = [], []
    for i in range(4, 60):
        site = f"SS{i}"
        sites.append({"site_id": site, "agency_id": "CC" if i % 2 == 0 else "PD",
                      "name": f"south site {i}", "lat": 52.0 + 0.002 * i,
                      "lon": 1.0 + 0.003 * (i % 7), "desks": 50,
                      "running_cost": 100_000.0 + 5_000 * i, "kind": "office",
                      "services": "", "area": "south"})
        functions += [{"function_id": f"SF{i}_{j}", "agency_id": "CC" if j % 2 else "PD",
                       "type": ["IT", "HR", "Finance", "Other"][j], "site_id": site,
                       "fte": 14, "annual_cost": 200_000.0 + 10_000 * j} for j in range(4)]
    return {**tables,
            "sites": pd.concat([tables["sites"], pd.DataFrame(sites)], ignore_index=True),
            "functions": pd.concat([tables["functions"], pd.DataFrame(functions)],
                                   ignore_index=True)}


def test_an_area_the_time_limit_stops_before_any_plan_is_named(tmp_path: Path) -> None:
    """The south's solve ends at its time limit (a millionth of a second) with no plan:
    every one of its offices is over its room today, so the status quo is no plan, and
    the solver is stopped before it finds one. The north, whose status quo is a plan, is
    still solved to its optimum, so the error names the south alone. The error names the south; with the north infeasible too
    (a zone 100 km above every site under an `all` rule) both areas are said, the
    north's reason and the south's time limit. Before, the south's error came back as a
    locality's, naming no area, and the north's reasons were dropped."""
    tables = outgrown_south(national_tables(3))
    with pytest.raises(estate.NoSolutionError) as info:
        estate.plan(scenario(write_tables(tmp_path / "one", tables), time_limit_s=1e-6),
                    write=False, workers=1)
    assert str(info.value).startswith("area south: no plan found within the time limit")
    assert "north" not in str(info.value)

    zones = tables["zones"]
    zones.loc[len(zones)] = {"zone_id": "NZ9", "name": "far north", "lat": 53.5,
                             "lon": 1.0, "population": 10}
    sc = dataclasses.replace(scenario(write_tables(tmp_path / "two", tables),
                                      time_limit_s=1e-6),
                             coverage=(CoverageRule(0, "public_access", 10, "all"),))
    with pytest.raises(estate.InfeasibleError) as both:
        estate.plan(sc, write=False, workers=1)
    north, south = both.value.reasons
    assert north.startswith("area north: zone NZ9 far north: no site offering")
    assert south.startswith("area south: no plan found within the time limit")
    assert both.value.keys == ("coverage.0.radius_km",)


def test_plan_takes_how_many_areas_to_solve_at_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`estate plan --workers N` sets the pool the areas are solved on (docs/formats.md
    reckons a run's time by it). With 1 both areas are planned here, one after another;
    with 2 the pool is of 2. Before, plan had no such option (a usage error), so a
    shared machine's every core was taken."""
    import estate.runs.national as national

    data = write_tables(tmp_path / "national", national_tables(3))
    write_scenario(tmp_path / "nat.toml", raw_scenario(data))
    pools: list[tuple[str, int | None]] = []
    here: list[int] = []
    real_run_all, real_plan = national.run_all, national.plan_locality

    def run_all(fn: Any, tasks: Any, executor: str, **kw: Any) -> Any:
        pools.append((executor, kw.get("workers")))
        return real_run_all(fn, tasks, executor, **kw)

    def plan_here(*args: Any, **kw: Any) -> Any:
        here.append(len(args[1].sites))
        return real_plan(*args, **kw)

    monkeypatch.setattr(national, "run_all", run_all)
    monkeypatch.setattr(national, "plan_locality", plan_here)
    one = invoke(tmp_path, "plan", "nat.toml", "--workers", "1", "--json", "--out", "one",
                 "--map", "one.html")
    assert one.code == 0, one.stderr
    assert pools == [("serial", 1)] and here == [4, 4]  # each area's 4 sites, in turn
    two = invoke(tmp_path, "plan", "nat.toml", "--workers", "2", "--json", "--out", "two",
                 "--map", "two.html")
    assert two.code == 0, two.stderr
    assert pools[1] == ("local", 2)
    assert json.loads(two.stdout)["objective_npv"] == json.loads(one.stdout)["objective_npv"]


def test_policy_costs_solve_the_areas_where_the_plan_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each optimum a national plan's policy costs need is a national plan too: its
    areas go where the plan's went, here one by one in this process (`workers=1`).
    Before, they went to a pool of every core whatever the plan was told."""
    import estate.runs.national as national

    pools: list[tuple[str, int | None]] = []
    real_run_all = national.run_all

    def run_all(fn: Any, tasks: Any, executor: str, **kw: Any) -> Any:
        pools.append((executor, kw.get("workers")))
        return real_run_all(fn, tasks, executor, **kw)

    monkeypatch.setattr(national, "run_all", run_all)
    data = write_tables(tmp_path / "national", national_tables(3))
    priced = estate.plan(scenario(data), write=False, workers=1, policy_costs=True)
    costs = priced.summary.policy_costs or {}
    assert any(entry.status == "priced" for entry in costs.values())
    assert len(pools) > 1 and set(pools) == {("serial", 1)}, pools


def test_an_area_s_saving_no_programme_can_realise_is_warned_with_its_area(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Planned area by area from a start date, without a programme: in South the team T
    leaves the dear O for the hub C, which takes two years to build, so South's NPV
    saving counts O's closing a year before T can sit at C. That warning, which a plan of
    one locality gives, is kept with the area's name (the areas kept only their distance
    findings), and the board pack's first page says it."""
    from tests.fixtures.programme_registers import function, site
    from tests.fixtures.registers import agency, write_register

    register = write_register(tmp_path / "register", [agency("A")], [
        site("NO", "A", 0, 0, area="North"), site("NK", "A", 0, 1, area="North",
                                                  must_keep=True),
        site("O", "A", 200, 0, running_cost=300_000, area="South"),
        site("C", "A", 200, 0.1, running_cost=50_000, candidate=True, build_years=2,
             area="South")],
        [function("TN", "A", "Ops", "NO"), function("T", "A", "Ops", "O", fte=5, desks=5)],
        [])
    path = write_scenario(tmp_path / "s.toml", {
        "name": "Areas", "data": str(register), "start": "2027-04-01", "horizon_years": 4,
        "discount_rate": 0.0, "relocation": {"cost_per_fte": 1000.0, "max_km": 80.0}})
    plan = estate.plan(path, out=tmp_path / "results", map_path=False, workers=1)
    early = [w for w in plan.warnings if w.column == "programme"]
    assert len(early) == 1 and early[0].found.startswith(
        "in South, the NPV saving leaves out £300.0k of closing O before the teams housed "
        "there could sit where the plan moves them"), early
    # the whole's saving is net of it, as the area's is, and so are the agencies' rows
    s = plan.summary
    assert s.booked_early_npv == pytest.approx(300_000, abs=0.01)
    assert s.npv_saving == pytest.approx(s.status_quo_npv - s.objective_npv - 300_000,
                                         abs=0.05)
    assert plan.agencies["booked_early_npv"].sum() == pytest.approx(300_000, abs=0.01)
    assert s.areas is not None
    assert {a: f.booked_early_npv for a, f in s.areas.items()} == pytest.approx(
        {"North": 0.0, "South": 300_000}, abs=0.01)
    assert read_summary(tmp_path / "results").areas == s.areas
    r = read_results(tmp_path / "results")
    caveats = [b.text for b in decision_page(r).blocks if isinstance(b, Text)]
    assert any(c.startswith("In South, the NPV saving leaves out £300.0k") for c in caveats)
    # a policy's optimum is planned without dating its areas' changes (only its
    # objective is read): no area's changes are dated then, each one's otherwise
    import estate.programme.realised as dating
    from estate.load.scenario import load_scenario
    from estate.pipeline import Clock, read_register
    from estate.runs.national import plan_national

    calls: list[object] = []
    real = dating.realised_programme
    monkeypatch.setattr(dating, "realised_programme", lambda *a: calls.append(a) or real(*a))
    sc = load_scenario(path)
    register_read = read_register(sc, Clock())
    assert plan_national(sc, register_read, "serial", realise=False).summary.npv_saving \
        == pytest.approx(s.npv_saving, abs=0.05) and calls == []
    plan_national(sc, register_read, "serial")
    assert len(calls) == 2
