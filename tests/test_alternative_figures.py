"""What a plan's summary says of its alternatives: each table written and read back as
typed records in the order estate writes them, and each value a hand edit broke named,
from the record up to the command a planner runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import estate
from estate.errors import InputError
from estate.load.scenario import scenario_from_dict
from estate.results.alternative_figures import (
    AlternativeFigures,
    AlternativePlan,
    Alternatives,
    DatedAlternative,
    SiteChange,
)
from estate.status import Status
from tests.fixtures import invoke, no_traceback
from tests.fixtures.scenario import corridor_scenario

CHANGE = {"site_id": "S5", "name": "Quay House", "optimum": "close", "alternative": "keep"}

# an alternative's own table, as estate has written it: before the optimum's status
# was kept, with it, beside a dated programme's end state, and dated
OWN = [
    {"index": 1, "of": "Town", "npv_difference": 1_870_000.0, "sites_differ": [CHANGE]},
    {"index": 2, "of": "Town", "npv_difference": 0.0, "sites_differ": [],
     "optimum_status": "time_limit", "optimum_mip_gap": None},
    {"index": 1, "of": "Town", "npv_difference": 50_547.95, "sites_differ": [CHANGE],
     "optimum_status": "optimal", "optimum_mip_gap": 0.0,
     "measured_against": "snapshot_optimum", "dated_npv_saving": 1_250_000.0,
     "dated_npv_difference": 0.0, "dated_sites_after": 2, "dated_same_sites_as": "plan"},
    {"index": 3, "of": "Town", "npv_difference": 999_990.0, "sites_differ": [CHANGE],
     "optimum_status": "optimal", "optimum_mip_gap": 0.0, "dated_npv_saving": 0.0,
     "dated_npv_difference": 899_990.0, "dated_sites_after": 2,
     "dated_same_sites_as": None},
    # dated, written before the sites its programme ends with were kept (22d056c)
    {"index": 1, "of": "Town", "npv_difference": 649_990.0, "sites_differ": [CHANGE],
     "optimum_status": "optimal", "optimum_mip_gap": 0.0, "dated_npv_saving": 899_990.0,
     "dated_npv_difference": 499_990.0},
]

ENTRY = {"index": 1, "folder": "alternatives/1", "status": "optimal",
         "objective_npv": 3_000_000.0, "npv_saving": 700_000.0, "npv_difference": 50_000.0,
         "sites_after": 3, "sites_differ": [CHANGE]}
DATED_ENTRY = {**ENTRY, "same_sites_as_plan": True, "dated_npv_saving": 650_000.0,
               "dated_npv_difference": 0.0, "dated_sites_after": 2,
               "dated_same_sites_as": "plan"}
LISTED = [
    {"requested": 2, "within_pct": 40.0, "allowance_npv": 280_000.0, "found": 1,
     "note": "1 of 2 alternatives found: ...", "plans": [ENTRY]},
    # a whole percentage, as `estate.plan(..., within_pct=100)` writes it, stays whole
    {"requested": 1, "within_pct": 100, "allowance_npv": 700_000.0, "found": 1,
     "note": "", "plans": [DATED_ENTRY], "measured_against": "snapshot_optimum"},
    {"requested": 2, "within_pct": 60.0, "allowance_npv": 930_000.0, "found": 1,
     "note": "", "plans": [{**ENTRY, "dated_npv_saving": 899_990.0,
                            "dated_npv_difference": 499_990.0}]},
    {"requested": 3, "within_pct": 5.0, "allowance_npv": 0.0, "found": 0, "note": "none",
     "plans": []},
    # --within 1e308: an allowance past any float, written as null since 2d4ae0d
    {"requested": 1, "within_pct": 1e308, "allowance_npv": None, "found": 1, "note": "",
     "plans": [ENTRY]},
]


@pytest.mark.parametrize("written", OWN)
def test_an_alternative_s_own_table_reads_back_as_written(written: dict[str, Any]) -> None:
    """Read and written again, every kind estate has written is the same JSON, its keys
    in the same order (summary.json of a folder rewritten by `estate compare`)."""
    figures = AlternativeFigures.from_json(written)
    assert json.dumps(figures.to_json()) == json.dumps(written)


@pytest.mark.parametrize("written", LISTED)
def test_a_plan_s_table_of_alternatives_reads_back_as_written(written: dict[str, Any]) -> None:
    listed = Alternatives.from_json(written)
    assert json.dumps(listed.to_json()) == json.dumps(written)
    assert listed.found == len(written["plans"])


def test_the_records_say_what_the_pages_ask_of_them() -> None:
    dated = AlternativeFigures.from_json(OWN[2])
    assert dated.near_snapshot and dated.optimum_status is Status.OPTIMAL
    assert dated.dated == DatedAlternative(1_250_000.0, 0.0, 2, "plan")
    assert dated.dated.ends_as == "the main plan"
    assert AlternativeFigures.from_json(OWN[3]).dated == DatedAlternative(0.0, 899_990.0, 2)
    assert AlternativeFigures.from_json(OWN[3]).dated.ends_as == ""  # type: ignore[union-attr]
    assert AlternativeFigures.from_json(OWN[0]).optimum_status is None  # an older folder
    assert AlternativeFigures.from_json(OWN[4]).dated == DatedAlternative(899_990.0, 499_990.0)
    assert SiteChange(**CHANGE).words == "S5 close->keep"
    listed = Alternatives.from_json(LISTED[1])
    assert listed.near_snapshot and listed.dated
    assert listed.plans[0] == AlternativePlan(
        1, "alternatives/1", Status.OPTIMAL, 3_000_000.0, 700_000.0, 50_000.0, 3,
        (SiteChange(**CHANGE),), True, DatedAlternative(650_000.0, 0.0, 2, "plan"))
    assert not Alternatives.from_json(LISTED[0]).dated
    assert Alternatives.from_json(LISTED[4]).allowance_npv == float("inf")


@pytest.mark.parametrize(("change", "named"), [
    ({"index": 0}, "alternative.index"),
    ({"of": ""}, "alternative.of"),
    ({"npv_difference": "x"}, "alternative.npv_difference"),
    ({"npv_difference": None}, "alternative.npv_difference"),
    ({"sites_differ": {"S5": "keep"}}, "alternative.sites_differ"),
    ({"sites_differ": [{**CHANGE, "site_id": None}]}, "alternative.sites_differ[0].site_id"),
    ({"optimum_status": "fine"}, "alternative.optimum_status"),
    ({"optimum_mip_gap": -0.1}, "alternative.optimum_mip_gap"),
    ({"measured_against": "the plan"}, "alternative.measured_against"),
    ({"dated_npv_difference": 10.0}, "alternative.dated_npv_saving"),
    ({**OWN[3], "dated_sites_after": 2.5}, "alternative.dated_sites_after"),
    # a dated difference removed by hand would have its pages call it undated
    ({**OWN[3], "dated_npv_difference": None}, "alternative.dated_npv_difference"),
    ({**OWN[4], "dated_same_sites_as": "plan"}, "alternative.dated_sites_after"),
])
def test_a_broken_value_of_an_alternative_is_named(change: dict[str, Any], named: str) -> None:
    with pytest.raises(InputError) as caught:
        AlternativeFigures.from_json({**OWN[0], **change}, "r/summary.json")
    problem = caught.value.problems[0]
    assert (problem.file, problem.column) == ("r/summary.json", named)


@pytest.mark.parametrize(("change", "named"), [
    ({"found": 2}, "alternatives.found"),  # one plan listed: "2 within 40%" would be false
    ({"plans": None}, "alternatives.plans"),
    ({"plans": [{**ENTRY, "npv_difference": "x"}]}, "alternatives.plans[0].npv_difference"),
    ({"plans": [{**ENTRY, "folder": 3}]}, "alternatives.plans[0].folder"),
    ({"plans": [{**ENTRY, "same_sites_as_plan": "yes"}]},
     "alternatives.plans[0].same_sites_as_plan"),
    ({"plans": [{**ENTRY, "sites_differ": [{**CHANGE, "optimum": 1}]}]},
     "alternatives.plans[0].sites_differ[0].optimum"),
    ({"within_pct": -5}, "alternatives.within_pct"),
    ({"requested": 0}, "alternatives.requested"),  # fewer asked for than found
    ({"plans": [{**ENTRY, "status": "infeasible"}]}, "alternatives.plans[0].status"),
    ({"plans": [{**DATED_ENTRY, "dated_npv_saving": None}]},
     "alternatives.plans[0].dated_npv_saving"),
    ({"note": ["x"]}, "alternatives.note"),
])
def test_a_broken_value_of_the_table_is_named(change: dict[str, Any], named: str) -> None:
    with pytest.raises(InputError) as caught:
        Alternatives.from_json({**LISTED[0], **change}, "r/summary.json")
    problem = caught.value.problems[0]
    assert (problem.file, problem.column) == ("r/summary.json", named)
    with pytest.raises(InputError) as caught:
        Alternatives.from_json([ENTRY])
    assert caught.value.problems[0].column == "alternatives"


@pytest.fixture(scope="module")
def planned(corridor_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corridor planned with one alternative (£1.87m dearer: S5 kept)."""
    sc = scenario_from_dict(corridor_scenario(corridor_data), base_dir=corridor_data,
                            label="town.toml")
    out = tmp_path_factory.mktemp("planned") / "results"
    estate.plan(sc, out=out, map_path=False, alternatives=1, within_pct=40.0)
    return out


def _edited(planned: Path, tmp_path: Path, folder: str, table: str,
            change: dict[str, Any]) -> Path:
    """A copy of the planned results with one table of one summary.json changed."""
    copy = tmp_path / "results"
    shutil.copytree(planned, copy)
    path = copy / folder / "summary.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data[table] = {**data[table], **change}
    path.write_text(json.dumps(data), encoding="utf-8")
    return copy / folder


def test_an_alternative_s_map_is_titled_from_its_table(planned: Path, tmp_path: Path) -> None:
    run = invoke(tmp_path, "map", planned / "alternatives" / "1")
    assert run.code == 0, run.output
    page = tmp_path / "maps" / "town.alternative-1.html"  # beside its plan's map
    assert "<title>Estate plan: \u2068town\u2069 (alternative 1)</title>" in \
        page.read_text(encoding="utf-8")


@pytest.mark.parametrize(("folder", "table", "change", "named"), [
    # the board would have read "proven optimal" of an alternative: its difference was
    # not a number, so no sentence said what it is
    ("alternatives/1", "alternative", {"npv_difference": "1.87m"},
     "alternative.npv_difference"),
    ("", "alternatives", {"found": 2}, "alternatives.found"),
])
def test_a_hand_edited_table_stops_the_pack_with_its_key(
        planned: Path, tmp_path: Path, folder: str, table: str, change: dict[str, Any],
        named: str) -> None:
    results = _edited(planned, tmp_path, folder, table, change)
    run = invoke(tmp_path, "report", results, "--out", tmp_path / "pack.pdf")
    assert run.code == 1, run.output
    no_traceback(run)
    assert named in run.output
    assert not (tmp_path / "pack.pdf").exists() and not (tmp_path / "pack.html").exists()
