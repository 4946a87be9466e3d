"""The results folder (estate.store): every file with its columns, the layers of
plan.gpkg, what was solved and on which inputs, and writes that are all or nothing.

Each plan is made by `estate plan` run in this process on the tiny town register
(`tests.fixtures.registers.TOWN`).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tomllib
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from tests.fixtures import (
    TOWN_SCENARIO,
    Run,
    invoke,
    merge,
    no_traceback,
    scenario_on,
    town,
    write_scenario,
)

COLUMNS = {
    "sites": ["site_id", "agency_id", "name", "lat", "lon", "kind", "running_cost", "services",
              "decision", "shared_types", "desks_used", "desks", "racks_used", "racks"],
    "assignments": ["function_id", "agency_id", "type", "from_site", "to_site", "share",
                    "pooled", "fte_moved"],
    "coverage": ["rule", "service", "radius_km", "zone_id", "name", "lat", "lon", "population",
                 "covered_before", "covered_after", "nearest_km_before", "nearest_km_after"],
}
RESULT_FILES = {"summary.json", "sites.csv", "assignments.csv", "coverage.csv", "agencies.csv",
                "plan.gpkg", "scenario.toml", "inputs.sha256", "warnings.csv"}


def leftovers(folder: Path) -> list[str]:
    """Hidden temporary or old folders a results write might leave beside `out`."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    """The tiny town planned once into `out`; (working folder, run)."""
    cwd = tmp_path_factory.mktemp("stored")
    run = invoke(cwd, "plan", town(cwd), "--json", "--out", "out", "--map", "plan.html")
    assert run.code == 0, run.output
    return cwd, run


def test_results_folder_holds_every_file_with_its_columns(planned: tuple[Path, Run]) -> None:
    cwd, _ = planned
    out = cwd / "out"
    assert RESULT_FILES <= {p.name for p in out.iterdir()}
    for name, columns in COLUMNS.items():
        frame = pd.read_csv(out / f"{name}.csv", keep_default_na=False)
        assert set(columns) <= set(frame.columns), (name, set(columns) - set(frame.columns))
    agencies = pd.read_csv(out / "agencies.csv", keep_default_na=False)
    assert {"agency_id", "name"} <= set(agencies.columns)
    assert sorted(agencies["agency_id"]) == ["A1", "A2"]
    assignments = pd.read_csv(out / "assignments.csv", keep_default_na=False)
    assert sorted(assignments["function_id"]) == ["F1", "F2", "F3"]
    coverage = pd.read_csv(out / "coverage.csv", keep_default_na=False)
    assert sorted(coverage["zone_id"]) == ["Z1", "Z2"]
    assert coverage["covered_after"].astype(str).str.lower().eq("true").all()


def test_plan_gpkg_has_sites_zones_and_moves_layers(planned: tuple[Path, Run]) -> None:
    cwd, _ = planned
    gpkg = cwd / "out" / "plan.gpkg"
    layers = {name: geom for name, geom in pyogrio.list_layers(gpkg)}
    assert {"sites", "zones", "moves"} <= set(layers)
    assert layers["sites"] == "Point" and layers["zones"] == "Point"
    assert layers["moves"] == "LineString"
    moves = pyogrio.read_dataframe(gpkg, layer="moves")
    assert list(zip(moves["function_id"], moves["from_site"], moves["to_site"],
                    strict=True)) == [("F2", "S2", "S1")]
    sites = pyogrio.read_dataframe(gpkg, layer="sites")
    assert sorted(sites["site_id"]) == ["S1", "S2", "S3"]
    assert sites.crs is not None and sites.crs.to_epsg() == 4326


def test_a_results_folder_under_an_exclamation_mark_gets_its_geopackage(
        tmp_path: Path) -> None:
    # pyogrio alone would cut 'Estates!2027/out/plan.gpkg' at the '!' (its issue #632)
    out = tmp_path / "Estates!2027" / "out"
    run = invoke(tmp_path, "plan", town(tmp_path), "--out", str(out), "--map",
                 str(tmp_path / "Estates!2027" / "plan.html"))
    assert run.code == 0, run.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Estates!2027", "reg", "tiny.toml"]
    sites = pyogrio.read_dataframe(shutil.copy(out / "plan.gpkg", tmp_path / "copy.gpkg"),
                                   layer="sites")
    assert sorted(sites["site_id"]) == ["S1", "S2", "S3"]
    again = invoke(tmp_path, "map", str(out), "--out",
                   str(tmp_path / "Estates!2027" / "again.html"))
    assert again.code == 0, again.output  # the stored folder, plan.gpkg with it, read back


def test_scenario_toml_and_inputs_sha256_describe_the_run(planned: tuple[Path, Run]) -> None:
    cwd, _ = planned
    out = cwd / "out"
    solved = tomllib.loads((out / "scenario.toml").read_text(encoding="utf-8"))
    assert solved["name"] == "tiny"
    assert Path(solved["data"]).resolve() == (cwd / "reg").resolve()
    assert solved["coverage"][0]["radius_km"] == 5
    lines = (out / "inputs.sha256").read_text(encoding="utf-8").splitlines()
    digests = {}
    for line in lines:
        match = re.fullmatch(r"([0-9a-f]{64})  (\S+)", line)
        assert match, line
        digest, name = match.groups()
        digests[name] = digest
    expected = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                for p in (cwd / "reg").glob("*.csv")}
    assert digests == expected


def test_failed_run_leaves_previous_results_intact(tmp_path: Path) -> None:
    good = town(tmp_path)
    first = invoke(tmp_path, "plan", good, "--out", "out")
    assert first.code == 0, first.output
    before = (tmp_path / "out" / "summary.json").read_bytes()
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    bad = write_scenario(tmp_path / "bad.toml", merge(TOWN_SCENARIO, {
        "name": "tiny",
        "coverage": [{"service": "public_access", "radius_km": 1, "mode": "all"}]}))
    second = invoke(tmp_path, "plan", bad, "--out", "out")
    assert second.code == 2, second.output
    assert (tmp_path / "out" / "summary.json").read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == files
    assert leftovers(tmp_path) == []


def test_results_folder_under_a_file_fails_cleanly(tmp_path: Path) -> None:
    """An --out whose parent is a file: a clean one-line error, nothing on screen traced."""
    (tmp_path / "blocker").write_text("not a folder")
    run = invoke(tmp_path, "plan", town(tmp_path), "--out", "blocker/out", "--json")
    assert run.code in (1, 4), run.output
    no_traceback(run)
    assert run.json()["status"] == "invalid"  # --json: the failure, no summary
    assert "blocker" in run.stderr
    if run.code == 4:
        assert (tmp_path / "estate-error.log").is_file()


def test_warnings_are_kept_and_read_back_as_they_were_said(tmp_path: Path) -> None:
    """A lease in a register planned without a start date is a warning said as a
    sentence; warnings.csv keeps it, and it reads back as the terminal printed it."""
    import estate
    from estate.store import read_warnings
    from tests.fixtures.register import agency, function, site, write_register

    data = tmp_path / "register"
    write_register(data, [agency("A")], [
        site("L", "A", 0, 0, tenure="leasehold", lease_end="2030-10-01"),
        site("K", "A", 1, 0, desks=500, must_keep=True),
    ], [function("T", "A", "Ops", "L")], [])
    scenario = estate.load_scenario(write_scenario(tmp_path / "s.toml",
                                                   scenario_on(data, "Leased")))
    result = estate.plan(scenario, out=tmp_path / "out", map_path=tmp_path / "map.html")
    said = [str(w) for w in result.warnings if w.column == "start"]
    assert len(said) == 1 and "no start date" in said[0]
    kept = read_warnings(tmp_path / "out")
    assert kept is not None
    assert [str(w) for w in kept] == [str(w) for w in result.warnings]
    assert all(w.severity == "warning" for w in kept)


def test_a_plan_writes_only_what_a_replanned_folder_may_hold(tmp_path: Path) -> None:
    """Every file a plan writes (with its programme, its page and an alternative) is one
    of RESULTS_FILES, so planning the same scenario again into its own folder, the
    normal loop, is allowed; a file added beside them is refused before solving."""
    from estate.store.keep import RESULTS_FILES, not_written_by_estate

    scenario = town(tmp_path, changes={"start": "2027-04-01"})
    args = ("plan", scenario, "--programme", "--alternatives", "1", "--within", "1000",
            "--out", "out", "--map", "plan.html")
    run = invoke(tmp_path, *args)
    assert run.code == 0, run.output
    out = tmp_path / "out"
    written = {p.name for p in out.iterdir()} | {p.name for p in out.glob("alternatives/*/*")}
    assert {"programme.csv", "cashflow.csv", "programme.html", "alternatives"} <= written
    assert (out / "alternatives" / "1" / "summary.json").is_file()
    assert written <= RESULTS_FILES, written - RESULTS_FILES
    assert not_written_by_estate(out) == []
    again = invoke(tmp_path, *args)
    assert again.code == 0, again.output
    (out / "sites.xlsx").write_text("saved by Excel", encoding="utf-8")
    before = (out / "summary.json").read_bytes()
    refused = invoke(tmp_path, *args)
    assert refused.code == 1, refused.output
    assert "sites.xlsx" in refused.stderr
    assert (out / "summary.json").read_bytes() == before
    assert (out / "sites.xlsx").read_text(encoding="utf-8") == "saved by Excel"


def test_a_file_saved_in_the_folder_while_it_is_planned_is_kept(tmp_path: Path) -> None:
    """A real plan whose results folder gets the user's file after the checks before the
    solve (as the results start to be written): the file is in the new results folder,
    and the plan warns of it."""
    from estate.api import plan
    from estate.store.keep import not_written_by_estate

    scenario = town(tmp_path)
    out = tmp_path / "results" / "tiny"
    plan(scenario, out=out, map_path=False)

    def progress(line: str) -> None:
        if line.startswith("Writing results"):
            (out / "board notes.txt").write_text("keep S1 open", encoding="utf-8")

    again = plan(scenario, out=out, map_path=False, progress=progress)
    assert (out / "board notes.txt").read_text(encoding="utf-8") == "keep S1 open"
    assert not_written_by_estate(out) == ["board notes.txt"]  # the rest: estate's, anew
    assert [str(w) for w in again.warnings if w.file == str(out)] == [
        f"{out}: kept board notes.txt, added to {out} while it was planned"]
    assert sorted(p.name for p in out.parent.iterdir()) == ["tiny"]
