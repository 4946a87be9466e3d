"""A set of files written together (estate.store.file_set): after a failure or Ctrl-C
while any is being made every old file is there, after the renames every new one; never
some of each."""

from __future__ import annotations

import errno
import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from estate.errors import InputError, OutputError
from estate.store.file_set import WrittenInterrupted, left_clean, text_file, write_files

OLD = {"a.csv": "old a", "b.xlsx": "old b", "c.html": "old c"}


def _old(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in OLD.items():
        (folder / name).write_text(text, encoding="utf-8")
    return [folder / name for name in OLD]


def _new(paths: list[Path], failing: int | None = None,
         then: Callable[[], object] = lambda: None) -> dict[Path, Callable[[Path], object]]:
    """Each path's new text; the one at `failing` writes part of it, then calls `then`."""
    def write(i: int, path: Path) -> Callable[[Path], object]:
        def fill(temp: Path) -> None:
            if i == failing:
                temp.write_text("half", encoding="utf-8")
                then()
            temp.write_text(f"new {path.name}", encoding="utf-8")
        return fill
    return {path: write(i, path) for i, path in enumerate(paths)}


def _texts(paths: list[Path]) -> list[str]:
    return [p.read_text(encoding="utf-8") if p.exists() else "" for p in paths]


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_every_file_is_new_after_a_write(tmp_path: Path) -> None:
    paths = [*_old(tmp_path), tmp_path / "sub" / "d.txt"]  # a new one, in a new folder
    assert write_files(_new(paths)) == paths
    assert _texts(paths) == [f"new {p.name}" for p in paths]
    assert _hidden(tmp_path) == [] and _hidden(tmp_path / "sub") == []


@pytest.mark.parametrize("failing", [0, 1, 2])
def test_a_failure_while_any_is_made_leaves_every_old_file(tmp_path: Path,
                                                           failing: int) -> None:
    paths = _old(tmp_path)

    def full() -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OutputError) as failed:
        write_files(_new(paths, failing, full))
    assert str(paths[failing]) in str(failed.value)  # the file that could not be made
    assert "No space left" in str(failed.value)
    assert _texts(paths) == list(OLD.values())
    assert _hidden(tmp_path) == []


def test_a_bug_while_one_is_made_is_raised_as_it_is_and_replaces_nothing(
        tmp_path: Path) -> None:
    paths = _old(tmp_path)

    def bug() -> None:
        raise ValueError("a bug")

    with pytest.raises(ValueError, match="a bug"):
        write_files(_new(paths, 2, bug))
    assert _texts(paths) == list(OLD.values())
    assert _hidden(tmp_path) == []


@pytest.mark.usefixtures("ctrl_c_raises")
@pytest.mark.parametrize("failing", [1, 2])
def test_ctrl_c_while_one_is_made_leaves_every_old_file(tmp_path: Path,
                                                        failing: int) -> None:
    paths = _old(tmp_path)
    with pytest.raises(KeyboardInterrupt) as stopped:
        write_files(_new(paths, failing, lambda: os.kill(os.getpid(), signal.SIGINT)))
    assert not isinstance(stopped.value, WrittenInterrupted)  # nothing was put in place
    assert _texts(paths) == list(OLD.values())
    assert _hidden(tmp_path) == []


@pytest.mark.usefixtures("ctrl_c_raises")
def test_ctrl_c_during_the_renames_takes_effect_once_all_are_new(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = [*_old(tmp_path), tmp_path / "d.txt"]
    real_replace = os.replace
    calls: list[str] = []

    def replace(src: str | Path, dst: str | Path) -> None:
        if not calls:
            os.kill(os.getpid(), signal.SIGINT)  # lands between the first and the rest
        calls.append(str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(WrittenInterrupted) as stopped:
        write_files(_new(paths))
    monkeypatch.undo()
    assert calls == [str(p) for p in paths]  # every rename was made
    assert _texts(paths) == [f"new {p.name}" for p in paths]
    assert stopped.value.paths == paths
    assert "all are new, whole" in stopped.value.message
    assert _hidden(tmp_path) == []


def test_a_rename_that_fails_undoes_those_before_it(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    paths = [tmp_path / "new.txt", *_old(tmp_path)]  # the first had no old file
    real_replace = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        if str(dst) == str(paths[2]) and str(src).endswith(".tmp"):
            raise PermissionError(errno.EPERM, "Operation not permitted")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OutputError) as failed:
        write_files(_new(paths))
    monkeypatch.undo()
    assert str(paths[2]) in str(failed.value)
    assert not paths[0].exists()  # the new file taken away again
    assert _texts(paths[1:]) == list(OLD.values())  # the old ones put back
    assert _hidden(tmp_path) == []


def test_a_folder_at_one_path_is_refused_before_any_file_is_made(tmp_path: Path) -> None:
    paths = _old(tmp_path)
    paths[2].unlink()
    paths[2].mkdir()
    made: list[Path] = []
    files = {p: (lambda temp: made.append(temp)) for p in paths}
    with pytest.raises(InputError) as refused:
        write_files(files)
    assert made == []
    problem, = refused.value.problems
    assert problem.file == str(paths[2]) and "a folder" in problem.found
    assert _texts(paths[:2]) == list(OLD.values())[:2]


def test_a_link_is_written_through(tmp_path: Path) -> None:
    target = tmp_path / "kept" / "page.html"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "page.html"
    link.symlink_to(target)
    write_files({link: text_file("new"), tmp_path / "t.csv": text_file("t")})
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "new"


def test_a_dead_writer_s_debris_is_cleared_and_a_live_one_s_kept(tmp_path: Path) -> None:
    paths = _old(tmp_path)
    dead = 2**22 + 7  # above any pid_max Linux allows by default: no such process
    debris = [tmp_path / f".a.csv.{dead}.tmp", tmp_path / f".a.csv.old-{dead}.tmp"]
    live = tmp_path / f".a.csv.{os.getppid()}.tmp"
    for path in (*debris, live):
        path.write_text("left", encoding="utf-8")
    write_files(_new(paths))
    assert not any(p.exists() for p in debris)
    assert live.exists()


def test_left_clean_takes_away_only_the_empty_folders_it_made(tmp_path: Path) -> None:
    """On a failure: the new folders left empty go, deepest first (with the named one
    inside, a sweep's runs/); one holding a file stays (with its parents), and so do a
    folder that was there before and an empty one the user made meanwhile."""
    (tmp_path / "old").mkdir()
    with pytest.raises(OSError), left_clean(tmp_path / "old" / "a" / "b", inside=("runs",)):
        (tmp_path / "old" / "a" / "b" / "runs").mkdir(parents=True)
        raise OSError("disk full")
    assert (tmp_path / "old").is_dir() and not (tmp_path / "old" / "a").exists()
    with pytest.raises(KeyboardInterrupt), left_clean(tmp_path / "new" / "c"):
        (tmp_path / "new" / "c" / "kept").mkdir(parents=True)
        (tmp_path / "new" / "c" / "kept" / "plan.csv").write_text("x", encoding="utf-8")
        raise KeyboardInterrupt
    assert sorted(p.name for p in (tmp_path / "new" / "c").iterdir()) == ["kept"]
    with pytest.raises(OSError), left_clean(tmp_path / "n7" / "sw", inside=("runs",)):
        (tmp_path / "n7" / "sw" / "runs").mkdir(parents=True)
        (tmp_path / "n7" / "my_notes").mkdir()  # the user's, made while the sweep ran
        raise OSError("stopped")
    assert [p.name for p in (tmp_path / "n7").iterdir()] == ["my_notes"]
    with left_clean(tmp_path / "fine"):  # no failure: nothing taken away
        (tmp_path / "fine").mkdir()
    assert (tmp_path / "fine").is_dir()
