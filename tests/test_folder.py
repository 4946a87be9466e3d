"""Folders written whole: the user's umask, and what a killed run leaves cleared."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import estate
from estate.errors import InputError, OutputError, Problem
from estate.signals import Interrupted
from estate.store.folder import (
    _stem,
    clear_debris,
    clear_debris_in,
    folder_lock,
    replaceable,
    write_file,
    write_folder,
)
from estate.store.folder_read import not_a_folder_to_read
from estate.store.keep import not_written_by_estate
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
    (tmp_path / f".plan.old-{dead}").mkdir()  # as an older estate named it
    (tmp_path / f".plan.old-{dead}.k3x9q2ab").mkdir()
    (tmp_path / f".plan.{alive}.xyz.tmp").mkdir()
    (tmp_path / f".plan.old-{alive}.m4n5p6qr").mkdir()
    write_folder(out, _write("second"))
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == [f".plan.{alive}.xyz.tmp", f".plan.old-{alive}.m4n5p6qr", "plan"]
    assert (out / "summary.json").read_text(encoding="utf-8") == "second"


def test_a_killed_writer_not_yet_reaped_counts_as_dead(tmp_path: Path) -> None:
    # A child that has ended but is not waited for is a zombie: it can write nothing,
    # so its debris goes (a sweep's killed workers can stay zombies for a while).
    out = tmp_path / "plan"
    write_folder(out, _write("first"))
    zombie = subprocess.Popen(["true"])
    try:
        stat = Path(f"/proc/{zombie.pid}/stat")
        deadline = time.monotonic() + 10
        while stat.read_text().rsplit(")", 1)[1].split()[0] != "Z":
            assert time.monotonic() < deadline, "the child never ended"
            time.sleep(0.01)
        (tmp_path / f".plan.{zombie.pid}.abc.tmp").mkdir()
        clear_debris(out)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]
    finally:
        zombie.wait()


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

    with pytest.raises(OutputError, match=r"plan could not be written \(disk full\)") as caught:
        write_folder(out, fail)
    assert caught.value.reason == "disk full" and caught.value.exit_code == 1
    assert (out / "summary.json").read_text(encoding="utf-8") == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]


def _renames(monkeypatch: pytest.MonkeyPatch, at: int, act: Callable[[], None],
             before: bool) -> None:
    """Run `act` just before or just after the `at`-th rename from now on (a swap's
    first sets the old folder aside, its second moves the new one in)."""
    rename, calls = os.replace, []

    def replace(src: str | Path, dst: str | Path) -> None:
        calls.append(src)
        if len(calls) == at and before:
            act()
        rename(src, dst)
        if len(calls) == at and not before:
            act()

    monkeypatch.setattr(os, "replace", replace)


def _ctrl_c() -> None:
    os.kill(os.getpid(), signal.SIGINT)


@pytest.mark.usefixtures("ctrl_c_raises")
@pytest.mark.parametrize(("at", "before"), [(1, False), (2, True), (2, False)])
def test_ctrl_c_during_the_swap_lets_it_finish_and_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, at: int, before: bool) -> None:
    """Ctrl-C between the swap's two renames, or just after them: the swap completes,
    nothing is left set aside, and the interrupt says the new folder is in place
    (before, the old folder set aside made its removal fail, 'Directory not empty',
    hiding the interrupt; or the folder was missing until the next run)."""
    out = tmp_path / "plan"
    write_folder(out, _write("old"))
    _renames(monkeypatch, at, _ctrl_c, before)
    with pytest.raises(KeyboardInterrupt) as caught:
        write_folder(out, _write("new"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]
    assert (out / "summary.json").read_text(encoding="utf-8") == "new"
    assert isinstance(caught.value, Interrupted) and caught.value.written == out
    assert caught.value.message.startswith(f"Interrupted just after the results were "
                                           f"written to {out}: they are whole there")


def test_a_failed_rename_into_place_puts_the_old_folder_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The old folder set aside and the new one refused its place: the old one goes back,
    so 'what was there before is as it was' is true at once, not after the next run."""
    out = tmp_path / "plan"
    write_folder(out, _write("old"))

    def refuse() -> None:
        raise OSError(errno.EIO, "Input/output error")

    _renames(monkeypatch, 2, refuse, before=True)
    with pytest.raises(OutputError, match="what was there before is as it was"):
        write_folder(out, _write("new"))
    assert (out / "summary.json").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]


def test_a_place_refusing_a_file_is_not_told_to_free_space(tmp_path: Path) -> None:
    def refused(tmp: Path) -> None:
        raise PermissionError(13, "Permission denied")

    with pytest.raises(OutputError, match="check that estate may write there"):
        write_file(tmp_path / "map.html", refused)
    with pytest.raises(OutputError, match="free some space"):
        write_file(tmp_path / "map.html", lambda tmp: (_ for _ in ()).throw(
            OSError(28, "No space left on device")))


def test_a_bug_while_writing_is_not_called_the_disk(tmp_path: Path) -> None:
    """Only a failure of the place (an OSError, or any error on an all but full disk)
    is an OutputError; anything else is a bug, raised as it is for its trace."""
    def bug(tmp: Path) -> None:
        raise KeyError("column")

    with pytest.raises(KeyError):
        write_folder(tmp_path / "plan", bug)
    with pytest.raises(KeyError):
        write_file(tmp_path / "map.html", bug)
    assert list(tmp_path.iterdir()) == []


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


def test_a_folder_to_read_and_one_to_write_are_each_told_their_own_fix(
        tmp_path: Path) -> None:
    """The same file is refused as an input folder (give the folder meant, or the folder
    a file of it is in) and as an output folder (move it away, or write elsewhere): each
    check says what its caller was given the path for."""
    results = tmp_path / "results"
    results.mkdir()
    (results / "summary.json").write_text("{}", encoding="utf-8")
    stray = tmp_path / "stray.txt"
    stray.write_text("x", encoding="utf-8")
    meant = "the folder `estate plan` wrote"
    assert not_a_folder_to_read(results, meant, "summary.json") is None
    assert not_a_folder_to_read(tmp_path / "absent", meant, "summary.json") == (
        "nothing there: check the name; give the folder `estate plan` wrote")
    assert not_a_folder_to_read(results / "summary.json", meant, "summary.json") == (
        f"a file in the folder {results}: give that folder, not the file")
    assert not_a_folder_to_read(stray, meant, "summary.json") == (
        "a file, not a folder: give the folder `estate plan` wrote")
    assert replaceable(stray) == "a file, not a folder: move it away, or give --out another folder"
    assert replaceable(stray, "write elsewhere") == (
        "a file, not a folder: move it away, or write elsewhere")


def test_a_mount_point_is_refused_before_anything_is_solved(tmp_path: Path,
                                                           coverage_data: Path) -> None:
    """A volume's root (a container's bind mount given as --out) cannot be renamed away,
    which replacing a results folder whole does: that was found only after the solve, and
    said as a disk to free (a review). Refused before, saying why; /proc is one on any
    Linux."""
    assert os.path.ismount("/proc")
    said = replaceable(Path("/proc"))
    assert said is not None and said.startswith("a mount point") \
        and said.endswith("give --out another folder (one inside it)"), said
    run = subprocess.run([sys.executable, "-m", "estate", "plan", str(write_scenario(
                          tmp_path / "s.toml", scenario_on(coverage_data, "mounted"))),
                          "--out", "/proc", "--map", str(tmp_path / "m.html")],
                         capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert run.returncode == 1 and "a mount point" in run.stderr, run.stderr
    assert "Solving" not in run.stderr


def test_every_mount_in_the_system_s_table_is_a_mount_point(tmp_path: Path) -> None:
    """A bind mount of a folder of the same disk is no volume's root, which is all
    `os.path.ismount` sees (a review's `mount --bind` passed): the system's table of
    mounts names it, its spaces written as \\040."""
    from estate.store.path_text import _unescaped, mounted

    table = Path("/proc/self/mountinfo").read_text(encoding="utf-8", errors="replace")
    points = [_unescaped(line.split(" ")[4]) for line in table.splitlines()]
    assert points and all(mounted(Path(p)) for p in points if Path(p).is_dir())
    assert not mounted(tmp_path) and _unescaped("/mnt/my\\040drive") == "/mnt/my drive"


def test_the_lock_leaves_nothing_behind(tmp_path: Path) -> None:
    with folder_lock(tmp_path / "plan"):
        assert (tmp_path / ".plan.lock").exists()
    assert list(tmp_path.iterdir()) == []


def test_links_are_written_through_and_kept(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    (tmp_path / "file.txt").symlink_to(tmp_path / "real.txt")
    for text in ("first", "second"):
        write_folder(tmp_path / "link", _write(text))
        write_file(tmp_path / "file.txt", lambda temp, text=text: temp.write_text(text))
    assert (tmp_path / "link").is_symlink() and (tmp_path / "file.txt").is_symlink()
    assert (tmp_path / "real" / "summary.json").read_text(encoding="utf-8") == "second"
    assert (tmp_path / "real.txt").read_text(encoding="utf-8") == "second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt", "link", "real",
                                                          "real.txt"]


def test_a_killed_writers_half_file_is_cleared_by_the_next_write(tmp_path: Path) -> None:
    dead, alive = _dead_pid(), os.getppid()
    (tmp_path / f".sweep.csv.{dead}.tmp").write_text("half", encoding="utf-8")
    (tmp_path / f".sweep.csv.{alive}.tmp").write_text("being written", encoding="utf-8")
    write_file(tmp_path / "sweep.csv", lambda temp: temp.write_text("whole"))
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".sweep.csv.{alive}.tmp",
                                                          "sweep.csv"]


def test_a_folder_of_the_users_files_is_never_replaced(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match="not a results folder"), folder_lock(mine):
        pass
    with folder_lock(mine, replaced=False):  # a sweep's folder: files are written into it
        pass
    (tmp_path / "empty").mkdir()
    with folder_lock(tmp_path / "empty"):
        pass
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_a_held_lock_survives_clearing_and_a_free_one_goes(tmp_path: Path) -> None:
    with folder_lock(tmp_path / "a"):
        (tmp_path / ".b.lock").write_text("", encoding="utf-8")  # left by a killed run
        clear_debris_in(tmp_path)
        assert sorted(p.name for p in tmp_path.iterdir()) == [".a.lock"]
    assert list(tmp_path.iterdir()) == []


def test_a_long_named_folder_set_aside_by_a_killed_run_is_put_back(tmp_path: Path) -> None:
    """The hidden siblings of a 250-byte name carry a digest of it: the folder a killed
    run set aside is still found, and put back under its own name."""
    out = tmp_path / ("r" * 250)
    write_folder(out, _write("kept"))
    [aside] = [tmp_path / f".{_stem(out.name)}.old-{_dead_pid()}"]
    assert len(aside.name.encode()) <= 255
    os.replace(out, aside)
    clear_debris_in(tmp_path)  # a clear of the whole folder cannot name it: kept
    assert sorted(p.name for p in tmp_path.iterdir()) == [aside.name]
    clear_debris(out)
    assert (out / "summary.json").read_text(encoding="utf-8") == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r" * 250]


def test_a_results_folder_the_user_added_a_file_to_is_never_replaced(tmp_path: Path) -> None:
    """A results folder holding a file estate does not write (a table saved as .xlsx by
    Excel, the board's notes), here or in an alternative's folder, is refused, naming
    each; a file browser's own .DS_Store is not the user's and is no reason to refuse."""
    out = tmp_path / "results" / "Small base"
    for name in ("summary.json", "sites.csv", "plan.gpkg", "scenario.toml", ".DS_Store"):
        (out / "alternatives" / "1").mkdir(parents=True, exist_ok=True)
        (out / name).write_text("{}", encoding="utf-8")
        (out / "alternatives" / "1" / name).write_text("{}", encoding="utf-8")
    assert replaceable(out) is None
    with folder_lock(out):
        pass
    (out / "board notes.docx").write_text("notes", encoding="utf-8")
    (out / "sites.xlsx").write_text("saved by Excel", encoding="utf-8")
    (out / "alternatives" / "1" / "why.txt").write_text("mine", encoding="utf-8")
    (out / "alternatives" / "best").mkdir()
    assert not_written_by_estate(out) == ["alternatives/1/why.txt", "alternatives/best",
                                          "board notes.docx", "sites.xlsx"]
    why = replaceable(out)
    assert why is not None
    assert why.startswith("a results folder holding 4 files estate did not write "
                          "(alternatives/1/why.txt, alternatives/best, board notes.docx, "
                          "sites.xlsx)"), why
    assert why.endswith("move them out of the folder, or give --out another folder"), why
    with pytest.raises(InputError, match="board notes.docx"), folder_lock(out):
        pass
    assert (out / "board notes.docx").read_text(encoding="utf-8") == "notes"


def test_a_results_folder_made_read_only_is_never_replaced(tmp_path: Path) -> None:
    """A plan signed off and made read-only (chmod -R a-w) is kept as it is: refused,
    saying how to allow it (it was replaced by a writable folder, its old files left
    in a hidden folder the run could not delete); an empty read-only folder likewise."""
    out = tmp_path / "results" / "Signed off"
    write_folder(out, _write("approved"))
    out.chmod(0o555)
    try:
        why = replaceable(out)
        assert why is not None and why.startswith("a read-only folder"), why
        assert "make it writable (chmod -R u+w)" in why, why
        with pytest.raises(InputError, match="a read-only folder"), folder_lock(out):
            pass
        assert (out / "summary.json").read_text(encoding="utf-8") == "approved"
        assert sorted(p.name for p in out.parent.iterdir()) == ["Signed off"]
    finally:
        out.chmod(0o755)
    empty = tmp_path / "locked"
    empty.mkdir(mode=0o555)
    try:
        assert (replaceable(empty) or "").startswith("a read-only folder")
    finally:
        empty.chmod(0o755)


def test_a_file_added_while_the_results_were_made_is_kept(tmp_path: Path) -> None:
    """What the user saves into the results folder after the checks before the solve
    (here: while the new results are written) is moved into the new folder under its
    own path, with a warning naming it: a file beside the results, and one in an
    alternative's folder. The new results hold only names estate writes, so a user's
    file can meet one of them only where it took a name estate gives a folder: a file
    named `2` in alternatives/, where the new results have alternatives/2/. It is kept
    beside that folder as "2 (kept)", so neither is lost."""
    out = tmp_path / "results" / "base"

    def results(text: str, alternatives: int) -> Callable[[Path], None]:
        def write(tmp: Path) -> None:  # as write_results does: only names estate writes
            (tmp / "summary.json").write_text(text, encoding="utf-8")
            for i in range(1, alternatives + 1):
                (tmp / "alternatives" / str(i)).mkdir(parents=True)
                (tmp / "alternatives" / str(i) / "summary.json").write_text(
                    f"{text} {i}", encoding="utf-8")
            (out / "board.docx").write_text("mine", encoding="utf-8")  # saved meanwhile
            (out / "alternatives" / "1" / "why.txt").write_text("why", encoding="utf-8")
            (out / "alternatives" / "2").write_text("my notes", encoding="utf-8")
        return write

    write_folder(out, _write("first"))
    (out / "alternatives" / "1").mkdir(parents=True)
    (out / "alternatives" / "1" / "summary.json").write_text("first 1", encoding="utf-8")
    warned: list[Problem] = []
    write_folder(out, results("second", 2), warned.append)
    assert (out / "summary.json").read_text(encoding="utf-8") == "second"
    assert (out / "board.docx").read_text(encoding="utf-8") == "mine"
    assert (out / "alternatives" / "1" / "summary.json").read_text(encoding="utf-8") == \
        "second 1"
    assert (out / "alternatives" / "1" / "why.txt").read_text(encoding="utf-8") == "why"
    assert (out / "alternatives" / "2" / "summary.json").read_text(encoding="utf-8") == \
        "second 2"
    assert (out / "alternatives" / "2 (kept)").read_text(encoding="utf-8") == "my notes"
    assert sorted(p.name for p in out.parent.iterdir()) == ["base"]  # nothing set aside
    said = [str(w) for w in warned]
    assert said == [
        f"{out}: kept alternatives/1/why.txt, added to {out} while it was planned",
        f"{out}: kept alternatives/2, added to {out} while it was planned, as "
        "'alternatives/2 (kept)': the new results have their own 'alternatives/2'",
        f"{out}: kept board.docx, added to {out} while it was planned"], said
    assert all(w.severity == "warning" for w in warned)


def test_a_file_that_could_not_be_moved_outlives_the_next_write(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file saved into the folder during a run that cannot be moved into the new
    results (the disk refuses: here a refusing `os.replace`, as root may move anything)
    stays in the set-aside folder the warning names. The next write of the same folder
    from the same process (a web app, a session planning twice) keeps that folder while
    the file still cannot be moved, and moves the file into place once it can."""
    out = tmp_path / "res"
    write_folder(out, _write("first"))
    move = os.replace

    def refuse_notes(source: str | Path, target: str | Path) -> None:
        if Path(source).name == "notes.txt":
            raise PermissionError(errno.EACCES, "Permission denied")
        move(source, target)

    def write(tmp: Path) -> None:
        (tmp / "summary.json").write_text("second", encoding="utf-8")
        (out / "notes.txt").write_text("my notes", encoding="utf-8")  # saved meanwhile

    warned: list[Problem] = []
    monkeypatch.setattr(os, "replace", refuse_notes)
    write_folder(out, write, warned.append)
    [aside] = [p for p in tmp_path.iterdir() if p.name != "res"]
    assert [w.found for w in warned] == [
        f"notes.txt, added to {out} while it was planned, could not be moved into the "
        f"new results: it is in {aside / 'notes.txt'}; move it back by hand"]
    write_folder(out, _write("third"))
    assert (aside / "notes.txt").read_text(encoding="utf-8") == "my notes"
    assert aside.name.startswith(f".res.old-{os.getpid()}.")  # a name of its own
    assert sorted(p.name for p in tmp_path.iterdir()) == [aside.name, "res"]
    monkeypatch.undo()
    write_folder(out, _write("fourth"))
    assert (out / "notes.txt").read_text(encoding="utf-8") == "my notes"
    assert (out / "summary.json").read_text(encoding="utf-8") == "fourth"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]


def test_a_killed_runs_set_aside_folder_gives_back_the_users_files(tmp_path: Path) -> None:
    """A run killed after swapping its results in but before moving the user's files
    over leaves them in its set-aside folder: the next write moves them into place."""
    out = tmp_path / "plan"
    write_folder(out, _write("new"))
    aside = tmp_path / f".plan.old-{_dead_pid()}"
    aside.mkdir()
    (aside / "summary.json").write_text("old", encoding="utf-8")
    (aside / "notes.txt").write_text("mine", encoding="utf-8")
    clear_debris(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (out / "summary.json").read_text(encoding="utf-8") == "new"


LIMITED = """
import resource, sys
from pathlib import Path
from estate.store.folder import _unwritten
resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
folder = Path(sys.argv[1])
(folder / "small.bin").write_bytes(b"0" * 1000)
print(repr(_unwritten(folder / "plan.gpkg", KeyError("a bug"), folder)))
(folder / "big.bin").write_bytes(b"0" * 99_000)
print(repr(_unwritten(folder / "plan.gpkg", KeyError("GDAL failed"), folder)))
"""


def test_a_file_size_limit_is_blamed_only_when_a_file_reached_it(tmp_path: Path) -> None:
    """A library's error while a file-size limit is set (as a batch system sets one) is
    a bug with its trace unless a file written came up to the limit: then it is that
    limit, said so, not 'Unexpected error'."""
    done = subprocess.run([sys.executable, "-c", LIMITED, str(tmp_path)], capture_output=True,
                          text=True, check=True)
    bug, limit = done.stdout.splitlines()
    assert bug == "None", done.stdout
    assert limit.startswith("OutputError(") and "file-size limit" in limit, done.stdout
