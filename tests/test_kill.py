"""A plan killed outright (SIGKILL: no handler runs) at each moment of its life leaves the
previous results as they were, or, killed in the instant between setting the old folder
aside and moving the new one in, leaves the old folder where the next run puts it back;
and the next run leaves no debris (estate.store.folder, across the whole command).

Each moment is reached for certain, not by timing: the child process wraps one function
so that it prints a marker and waits there, and the test kills it on the marker.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from estate.store import read_summary
from tests.fixtures import corridor_register, corridor_scenario, run_cli, write_scenario

pytestmark = pytest.mark.slow

# In the child: wrap `module.attr` so that the first call matching `when` stops there
# (before the call, or after it), prints the marker and waits to be killed.
CHILD = """
import importlib, os, sys, time
module, attr, where, needle = sys.argv[1:5]
owner = importlib.import_module(module)
original = getattr(owner, attr)
def stop():
    print("STOPPED-HERE", flush=True)
    time.sleep(120)
def wrapped(*args, **kwargs):
    hit = needle in " ".join(map(str, args))
    if hit and where == "before":
        stop()
    out = original(*args, **kwargs)
    if hit and where == "after":
        stop()
    return out
setattr(owner, attr, wrapped)
sys.argv = ["estate", *sys.argv[5:]]
from estate.__main__ import main
main()
"""

# (what is happening, the function wrapped, before/after it, text its arguments hold)
MOMENTS = [
    ("solving", "estate.pipeline", "solve", "before", ""),
    ("writing the new folder, part-way", "builtins", "open", "after", ".tmp/sites.csv"),
    ("old folder set aside, new not yet in", "os", "replace", "after", ".old-"),
    ("new folder in, old not yet removed", "shutil", "rmtree", "before", ".old-"),
]


def _kill_at(cwd: Path, moment: tuple[str, str, str, str, str], *args: str) -> None:
    _, module, attr, where, needle = moment
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, module, attr, where, needle, *args], cwd=cwd,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    try:
        assert child.stdout is not None
        for line in child.stdout:
            if "STOPPED-HERE" in line:
                break
        else:
            pytest.fail(f"the child never reached {moment[0]}: {child.stderr.read()}"
                        if child.stderr else "no marker")
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
        for stream in (child.stdout, child.stderr):
            if stream:
                stream.close()


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("moment", MOMENTS, ids=[m[0] for m in MOMENTS])
def test_a_plan_killed_at_any_moment_loses_nothing(tmp_path: Path,
                                                   moment: tuple[str, ...]) -> None:
    register = corridor_register(tmp_path / "register")
    scenario = write_scenario(tmp_path / "town.toml", corridor_scenario(register))
    out = tmp_path / "results" / "town"
    args = ["plan", str(scenario), "--out", str(out), "--map", str(tmp_path / "town.html")]
    first = run_cli(tmp_path, *args)
    assert first.code == 0, first.output
    before = (out / "summary.json").read_bytes()
    files = sorted(p.name for p in out.iterdir())

    _kill_at(tmp_path, moment, *args)  # type: ignore[arg-type]

    if moment[0] == "old folder set aside, new not yet in":
        # the one instant with no results folder: the old one is beside it, whole
        assert not out.exists()
        (aside,) = [p for p in out.parent.iterdir() if ".old-" in p.name]
        assert (aside / "summary.json").read_bytes() == before
    else:
        # the previous results, or (killed after the swap) the new ones, whole
        assert sorted(p.name for p in out.iterdir()) == files
        summary = read_summary(out)
        assert summary.scenario == "town"
        if moment[0] != "new folder in, old not yet removed":
            assert (out / "summary.json").read_bytes() == before

    # the next run recovers and clears every trace of the killed one
    again = run_cli(tmp_path, *args)
    assert again.code == 0, again.output
    assert sorted(p.name for p in out.iterdir()) == files
    assert json.loads((out / "summary.json").read_text())["scenario"] == "town"
    assert _hidden(out.parent) == [], _hidden(out.parent)
