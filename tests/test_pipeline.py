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
