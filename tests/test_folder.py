"""Folders written whole: the user's umask, and what a killed run leaves cleared."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

import estate
from estate.errors import InputError
from estate.store.folder import clear_debris, folder_lock, write_folder
from tests.fixtures import scenario_on, write_scenario


def _dead_pid() -> int:
    """A process id that has just ended."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def _write(text: str) -> Callable[[Path], int]:
    return lambda tmp: (tmp / "summary.json").write_text(text, encoding="utf-8")


def test_the_folder_takes_the_users_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        out = write_folder(tmp_path / "plan", _write("{}"))
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o755


def test_a_killed_runs_debris_is_cleared_and_a_live_ones_kept(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    write_folder(out, _write("first"))
    dead, alive = _dead_pid(), os.getppid()
    (tmp_path / f".plan.{dead}.abc.tmp").mkdir()
    (tmp_path / f".plan.old-{dead}").mkdir()
    (tmp_path / f".plan.{alive}.xyz.tmp").mkdir()
    write_folder(out, _write("second"))
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == [f".plan.{alive}.xyz.tmp", "plan"]
    assert (out / "summary.json").read_text(encoding="utf-8") == "second"


def test_a_folder_set_aside_by_a_killed_run_is_put_back(tmp_path: Path) -> None:
    """Killed between moving the old folder aside and moving the new one in: the next
    run (or anything that clears debris) finds the results where they were."""
    out = tmp_path / "plan"
    write_folder(out, _write("kept"))
    dead = _dead_pid()
    os.replace(out, tmp_path / f".plan.old-{dead}")
    clear_debris(out)
    assert (out / "summary.json").read_text(encoding="utf-8") == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]


def test_a_failed_write_leaves_the_previous_folder(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    write_folder(out, _write("kept"))

    def fail(tmp: Path) -> None:
        (tmp / "half").write_text("x", encoding="utf-8")
        raise OSError("disk full")

    try:
        write_folder(out, fail)
    except OSError:
        pass
    assert (out / "summary.json").read_text(encoding="utf-8") == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]


def test_a_second_run_on_the_same_folder_stops_at_once(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    with folder_lock(out):
        with pytest.raises(InputError, match="another estate run writing it now"):
            with folder_lock(out):
                pass
    with folder_lock(out):  # released: the next run may write
        pass


def test_planning_into_a_locked_folder_is_bad_input_before_any_solve(
        tmp_path: Path, coverage_data: Path) -> None:
    sc = estate.load_scenario(write_scenario(tmp_path / "s.toml",
                                             scenario_on(coverage_data, "locked")))
    out = tmp_path / "results" / "locked"
    with folder_lock(out), pytest.raises(InputError, match=str(out)):
        estate.plan(sc, out=out, map_path=False)
    assert not out.exists()


def test_an_out_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "plan"
    target.write_text("not a folder", encoding="utf-8")
    with pytest.raises(InputError, match="not a folder"), folder_lock(target):
        pass
    assert target.read_text(encoding="utf-8") == "not a folder"


def test_the_lock_leaves_nothing_behind(tmp_path: Path) -> None:
    with folder_lock(tmp_path / "plan"):
        assert (tmp_path / ".plan.lock").exists()
    assert list(tmp_path.iterdir()) == []
