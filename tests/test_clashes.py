"""Where each compared scenario is stored (estate.runs.clashes): `estate compare`
refuses, before anything is solved, two scenarios sharing a results folder (by one
name, in any case, or by Windows' rules) and a folder holding another scenario's
results or a user's files, and leaves what is stored as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures import invoke, no_traceback, town


def test_compare_refuses_a_folder_holding_another_scenario_or_a_users_file(
        tmp_path: Path) -> None:
    """A compared scenario is stored in results/<name>/: compare follows the rule plan
    does, refusing before anything is solved a folder with another scenario's results
    (`Option A/B` planned, `Option A_B` compared) or a file the user put there."""
    town(tmp_path, changes={"name": "Option A/B"}, name="o1.toml")
    town(tmp_path, changes={"name": "Option A_B"}, name="o2.toml")
    assert invoke(tmp_path, "plan", "o1.toml").code == 0
    stored = (tmp_path / "results" / "Option A_B" / "summary.json").read_bytes()
    run = invoke(tmp_path, "compare", "o2.toml", "--no-policy-costs")
    assert run.code == 1, run.output
    assert ("results/Option A_B: expected a new folder, or the results folder of this "
            "scenario ('Option A_B'), found the results of another scenario, 'Option A/B', "
            "which would be lost: give 'Option A_B' (o2.toml) a `name` of its own"
            ) in run.stderr, run.stderr
    assert (tmp_path / "results" / "Option A_B" / "summary.json").read_bytes() == stored
    (tmp_path / "results" / "Option A_B" / "notes.txt").write_text("mine", encoding="utf-8")
    run = invoke(tmp_path, "compare", "o1.toml", "--no-policy-costs")
    assert run.code == 1, run.output
    assert "holding 1 file estate did not write (notes.txt)" in run.stderr, run.stderr
    assert "give the scenario another `name`" in run.stderr
    assert not (tmp_path / "comparison").exists()
    # a folder of the user's own files where the results would go: compare's own way
    # out, not plan's --out, which compare does not take for a scenario's results
    (tmp_path / "results" / "Option A_B" / "summary.json").unlink()
    run = invoke(tmp_path, "compare", "o1.toml", "--no-policy-costs")
    assert run.code == 1, run.output
    said = " ".join(run.stderr.split())
    assert "a folder of other files" in said and "--out" not in said, said
    assert "give the scenario another `name`" in said


def test_compare_refuses_the_results_of_another_file_of_the_same_name(tmp_path: Path) -> None:
    """base-copy.toml, an edited copy still named "tiny", is refused results/tiny while
    it holds base.toml's results, before anything is solved; base.toml itself reuses
    them."""
    base = town(tmp_path, name="base.toml")
    town(tmp_path, changes={"horizon_years": 5}, name="base-copy.toml")
    assert invoke(tmp_path, "plan", base).code == 0
    folder = tmp_path / "results" / "tiny"
    stored = {p.name: p.read_bytes() for p in folder.iterdir()}
    run = invoke(tmp_path, "compare", "base-copy.toml", "--no-policy-costs")
    assert run.code == 1, run.output
    no_traceback(run)
    said = " ".join(run.stderr.split())
    assert (f"results/tiny: expected a new folder, or the results folder of this scenario "
            f"file (base-copy.toml), found the results of 'tiny' planned from another file "
            f"of that name, {base}, which would be lost: give 'tiny' (base-copy.toml) a "
            "`name` of its own") in said, said
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == stored
    assert not (tmp_path / "comparison").exists()
    reused = invoke(tmp_path, "compare", "base.toml", "--no-policy-costs")
    assert reused.code == 0, reused.output


@pytest.mark.parametrize("second", ["Base", "base", "BASE"])
def test_compare_refuses_two_names_sharing_a_folder_in_any_case(tmp_path: Path,
                                                                  second: str) -> None:
    """"Base" and "base" would be results/Base and results/base, one folder on Windows
    and macOS: refused before solving, as two scenarios of one name are."""
    said = _two_named(tmp_path, "Base", second)
    if second != "Base":
        assert (f"found '{second}', stored in results/{second}, which Windows and macOS take "
                "for results/Base, where 'Base' (one.toml) is stored: give one of them "
                "another name") in said, said
    assert not (tmp_path / "results").exists() and not (tmp_path / "comparison").exists()


@pytest.mark.parametrize(("first", "second", "folder", "same"), [
    ("Option B", "Option B.", "Option B", True), ("Option B ..", "Option B", "Option B", True),
    ("CON", "con.", "CON_", False), ("Aux", "AUX", "Aux_", False)])
def test_compare_refuses_two_names_windows_stores_in_one_folder(
        tmp_path: Path, first: str, second: str, folder: str, same: bool) -> None:
    """Windows drops a dot at the end of a name, so "Option B." is stored in the folder
    "Option B" is; "CON" and "con" are results/CON_ and results/con_, one folder on
    Windows and macOS. Each pair is refused before solving, by the rule that names the
    folders (`file_stem`)."""
    said = _two_named(tmp_path, first, second)
    if same:
        assert (f"found '{second}', stored in results/{folder} as one.toml is ('{first}': "
                "both are stored in one folder)") in said, said
    else:
        assert f"which Windows and macOS take for results/{folder}" in said, said
    assert not (tmp_path / "results").exists() and not (tmp_path / "comparison").exists()


def _two_named(tmp_path: Path, first: str, second: str) -> str:
    """`estate compare` on two town scenarios named `first` and `second`, refused
    before solving for the second's name: what it said, on one line."""
    town(tmp_path, changes={"name": first}, name="one.toml")
    town(tmp_path, changes={"name": second, "horizon_years": 5}, name="two.toml")
    run = invoke(tmp_path, "compare", "one.toml", "two.toml", "--no-policy-costs")
    assert run.code == 1, run.output
    no_traceback(run)
    said = " ".join(run.stderr.split())
    assert "two.toml, key name: expected a name no other compared scenario has" in said, said
    return said
