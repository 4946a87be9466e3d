"""The fuzzer (benchmarks/fuzz.py) in CI: a few hundred seeded mutations of registers
(CSV, .xlsx and GeoPackage) and scenarios (TOML) through `estate validate` and the scenario checks,
each ending accepted or refused with every error naming its file; never a traceback,
an exit code other than 0 or 1, or a Python warning. `python -m benchmarks.fuzz --n
5000` runs thousands."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import benchmarks.fuzz as fuzz
from benchmarks.fuzz import check_register, check_scenario, mutate_geometry, one, run
from tests.fixtures import town, write_tables
from tests.fixtures.reference import frames

CHUNKS, PER_CHUNK = 5, 60  # 300 mutations, in chunks so a failure shows its seed early


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_mutated_inputs_are_accepted_or_refused_with_located_errors(chunk: int) -> None:
    failures = []
    counts = run(PER_CHUNK, seed=100 + chunk, report=failures.append)
    assert failures == [], "\n".join(f"{f.what}: {f.detail}" for f in failures)
    assert counts["exception"] == 0
    assert counts["located"] > 0 and counts["accepted"] > 0, counts  # both roads taken
    assert counts["located"] + counts["accepted"] == PER_CHUNK
    assert counts["gpkg located"] + counts["gpkg accepted"] > 0  # GeoPackages fuzzed too


def test_the_checks_tell_good_from_bad(tmp_path: Path) -> None:
    good = write_tables(tmp_path / "good", frames())
    assert check_register(tmp_path, good).kind == "accepted"
    tables = frames()
    tables["sites"]["desks"] = ["1", "many", "3"]
    assert check_register(tmp_path, write_tables(tmp_path / "bad", tables)).kind == "located"
    scenario = town(tmp_path / "s", changes={"horizon_years": 0})
    assert check_scenario(tmp_path / "s", scenario).kind == "located"
    assert check_scenario(tmp_path / "s", town(tmp_path / "s", name="ok.toml")).kind == \
        "accepted"


def test_each_mutation_is_reproducible_from_its_seed(tmp_path: Path) -> None:
    """The same seed gives the same mutation whatever ran before it (no shared state)."""
    first = one(4242, _folder(tmp_path / "first"))
    for seed in range(40):
        one(seed, _folder(tmp_path / str(seed)))
    again = one(4242, _folder(tmp_path / "again"))
    assert (first.kind, first.what) == (again.kind, again.what)


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


def test_a_mutation_that_left_no_geometry_is_checked_not_a_harness_crash(tmp_path: Path) -> None:
    """Seed 99000325 (the 29th of `--seed 99`) drops zones' lat, so zones is written as a
    plain table; the geometry mutation that follows once crashed the harness."""
    outcome = one(99000325, _folder(tmp_path / "replayed"))
    assert outcome.kind in ("located", "accepted"), (outcome.what, outcome.detail)
    for seed in range(20):  # every geometry move, on layers written without geometry
        tables = frames()
        for name in ("sites", "zones"):
            tables[name] = tables[name].drop(columns=["lat"])
        what, path = mutate_geometry(random.Random(seed), tables, _folder(tmp_path / str(seed)))
        assert path.is_file(), what


def test_a_harness_error_is_counted_apart_with_its_seed(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    """The run goes on past it; it is neither estate's exception nor a clean outcome, and
    its report names the seed to replay."""
    real, failing = fuzz.one, 7 * 1_000_003 + 1

    def one_or_fail(seed: int, work: Path) -> fuzz.Outcome:
        if seed == failing:
            raise AttributeError("the harness's own bug")
        return real(seed, work)

    monkeypatch.setattr(fuzz, "one", one_or_fail)
    told: list[fuzz.Outcome] = []
    counts = run(3, seed=7, report=told.append)
    assert counts["harness"] == 1 and counts["exception"] == 0
    assert counts["located"] + counts["accepted"] == 2
    assert [o.kind for o in told] == ["harness"]
    assert f"--replay {failing}" in told[0].what and "the harness's own bug" in told[0].detail
