"""The steps of a plan (estate.pipeline): a scenario's register found from its `data`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures import invoke, no_traceback, town


@pytest.mark.parametrize(("data", "found"), [
    ("../data/suffolk", "nothing at {root}/data/suffolk"),
    ("../reg/sites.csv", "a single CSV file sites.csv: give the folder that holds it"),
    ("../empty", "a folder holding nothing"),
])
@pytest.mark.parametrize("command", ["validate", "plan", "compare", "bad"])
def test_a_register_not_found_is_said_as_the_scenarios_data_key(
        tmp_path: Path, data: str, found: str, command: str) -> None:
    """A lead copies `data = "../data/suffolk"` from the docs into models/x.toml, or
    names a file of the register, or the wrong folder: the message named only the path
    looked at, not the scenario file whose key to fix nor the folder it is read from.
    `bad`: the scenario has an error of its own too, so both are listed at once."""
    town(tmp_path)
    (tmp_path / "models").mkdir()
    (tmp_path / "empty").mkdir()
    extra = 'horizon_years = 0\n' if command == "bad" else ""
    scenario = tmp_path / "models" / "x.toml"
    scenario.write_text(f'data = "{data}"\n{extra}', encoding="utf-8")
    args = {"validate": ("validate", scenario), "bad": ("validate", scenario),
            "plan": ("plan", scenario, "--out", "out"),
            "compare": ("compare", scenario, "--out", "out")}[command]
    run = invoke(tmp_path, *args)
    assert run.code == 1, run.output
    said = [line for line in run.stderr.splitlines() if "expected a register" in line]
    assert len(said) == 1, run.stderr
    assert found.format(root=tmp_path.resolve()) in said[0], said
    assert said[0].endswith(f'(the data key of {scenario}, "{data}", read from that file\'s '
                            f"folder: models)"), said
    assert ("key horizon_years" in run.stderr) == (command == "bad")
    assert not (tmp_path / "out").exists()
    no_traceback(run)


def test_a_sweep_run_with_no_register_is_not_said_as_a_file_it_is_not(tmp_path: Path) -> None:
    """A sweep's run is labelled `models/x.toml [relocation.max_km=10]` and its `data`
    rewritten to a full path: the data key's context would quote neither as written,
    so it is left off; the scenario file itself gets it."""
    from estate.errors import Problem
    from estate.load.read import EXPECTED_REGISTER
    from estate.pipeline import named_by

    problem = Problem("data/suffolk", None, None, EXPECTED_REGISTER, "nothing at /x")
    run = tmp_path / "x.toml [relocation.max_km=10]"
    assert named_by([problem], run, str(tmp_path / "data")) == [problem]
    (tmp_path / "x.toml").write_text('data = "../data"\n', encoding="utf-8")
    said = named_by([problem], tmp_path / "x.toml", "../data")
    assert said[0].found.endswith('(the data key of ' + str(tmp_path / "x.toml")
                                  + ', "../data", read from that file\'s folder: '
                                  + str(tmp_path) + ")")
