"""Reading a results folder for the map (estate.maps.payload): text stays text, the
design's decisions only, zone outlines, moves weighted by the FTE that moves."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from estate.errors import InputError
from estate.maps.payload import (
    move_payload,
    outline_rings,
    place_payload,
    read_plan,
    rule_key,
    rule_words,
    site_payload,
    zone_payload,
)
from estate.results import money
from tests.fixtures import HOSTILE_AREA, planned_two_areas, write_results


def test_text_like_na_stays_text(tmp_path: Path) -> None:
    folder = write_results(tmp_path / "na", payloads=False)
    sites = pd.read_csv(folder / "sites.csv", dtype=str, keep_default_na=False)
    sites.loc[0, "name"] = "NA"
    sites.loc[1, "name"] = "nan"
    sites.to_csv(folder / "sites.csv", index=False)
    plan = read_plan(folder)
    assert list(plan.sites["name"][:2]) == ["NA", "nan"]


def test_voronoi_outline_has_one_cell_per_zone(results_folder: Path) -> None:
    plan = read_plan(results_folder)
    rings = outline_rings(plan)
    assert len(rings) == len(plan.zones)
    lats = [v for ring in rings for v in ring[0::2]]
    assert min(lats) < plan.zones["lat"].min() and max(lats) > plan.zones["lat"].max()


def test_decisions_outside_the_design_are_refused(tmp_path: Path) -> None:
    folder = write_results(tmp_path / "odd")
    sites = pd.read_csv(folder / "sites.csv", dtype=str, keep_default_na=False)
    sites.loc[3, "lat"] = ""
    sites.to_csv(folder / "sites.csv", index=False)
    with pytest.raises(InputError, match="row 5"):
        read_plan(folder)


def test_moves_are_weighted_by_the_fte_that_moves(results_folder: Path) -> None:
    plan = read_plan(results_folder)
    sites = list(plan.sites["site_id"])
    moves = move_payload(plan, {a: i for i, a in enumerate(plan.agencies["agency_id"])})
    moving = plan.assignments[(plan.assignments["from_site"] != "")
                              & (plan.assignments["from_site"] != plan.assignments["to_site"])]
    assert sum(moves["fte"]) == pytest.approx(moving["fte_moved"].sum())
    pairs = {(sites[a], sites[b]) for a, b in zip(moves["from"], moves["to"], strict=True)}
    assert pairs == set(zip(moving["from_site"], moving["to_site"], strict=True))


def test_closed_sites_host_nothing_after(results_folder: Path) -> None:
    plan = read_plan(results_folder)
    payload = site_payload(plan, {})
    for decision, after, before in zip(payload["decision"], payload["after"], payload["before"],
                                       strict=True):
        if decision == "close":
            assert after == [] and before
    hosted = sum(len(a) for a in payload["after"])
    assert hosted == len(plan.assignments)


def test_place_names_skip_blanks_notes_and_repeats(tmp_path: Path) -> None:
    folder = write_results(tmp_path / "places", n_zones=6, payloads=False)
    zones = pd.read_csv(folder / "zones.csv", dtype=str, keep_default_na=False)
    zones["name"] = ["Ipswich (generated)", "", "Ipswich", "Lowestoft  centre", "  ", "Eye"]
    zones["population"] = ["100", "900", "50", "300", "800", "200"]
    zones.to_csv(folder / "zones.csv", index=False)
    places = place_payload(read_plan(folder))
    assert places["name"] == ["Lowestoft centre", "Eye", "Ipswich"]
    assert places["pop"] == [300.0, 200.0, 100.0]
    assert places["lat"][2] == pytest.approx(float(zones["lat"][0]), abs=1e-5)


def test_coverage_rules_are_named_in_words_with_their_scenario_key(tmp_path: Path) -> None:
    """coverage.csv numbers the scenario's rules from 0; the map names each as estate's
    messages do (coverage.0), with its service in words, never "public_access (rule 0)"."""
    folder = write_results(tmp_path / "numbered", payloads=False)
    coverage = pd.read_csv(folder / "coverage.csv", dtype=str, keep_default_na=False)
    coverage["rule"] = coverage["rule"].map({"R1": "0", "R2": "1"})
    coverage.to_csv(folder / "coverage.csv", index=False)
    rules = zone_payload(read_plan(folder))["rules"]
    assert [r["words"] for r in rules] == ["rule coverage.0: public access within 5 km",
                                           "rule coverage.1: custody within 15 km"]
    assert rules[0]["label"] == "Radius of rule coverage.0: public access within 5 km"
    assert rule_key("R1") == "R1" and rule_words(2, "data_centre", float("nan")) == (
        "rule coverage.2: data centre")


def test_running_costs_are_pounds_as_estate_writes_them(results_folder: Path) -> None:
    plan = read_plan(results_folder)
    payload = site_payload(plan, {})
    assert payload["running_cost"] == [money(float(v)) for v in plan.sites["running_cost"]]
    assert all(text.startswith("£") for text in payload["running_cost"])


def test_each_site_of_a_national_plan_carries_its_area(tmp_path: Path) -> None:
    """A plan made area by area gives each site its area for the popup, the register's
    text as it is (the script writes it with textContent); a plan of one locality gives
    no `area` at all, so its popups have no Area row."""
    folder = planned_two_areas(tmp_path, south="South")
    payload = site_payload(read_plan(folder), {})
    assert dict(zip(payload["id"], payload["area"], strict=True)) == {
        "N1": "North", "N2": "North", "S1": "South", "S2": "South"}
    assert "area" not in site_payload(read_plan(write_results(tmp_path / "one")), {})


def test_an_area_named_as_a_formula_and_markup_stays_its_text(tmp_path: Path) -> None:
    """sites.csv quotes a formula-like area; the map reads it back as the register's
    text, not as the quoted cell."""
    payload = site_payload(read_plan(planned_two_areas(tmp_path)), {})
    assert {a for i, a in zip(payload["id"], payload["area"], strict=True)
            if i.startswith("S")} == {HOSTILE_AREA}
