"""Writing a folder whole: a hidden temporary sibling filled, then swapped into place.

Every folder estate writes (a plan's results, a sweep run's recorded failure) goes
through `write_folder`, so that a crash, Ctrl-C or a kill never leaves a half-written
folder nor destroys the previous one, and the next run clears what a killed one left.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from estate.errors import InputError, Problem


def write_file(path: Path, write: Callable[[Path], object]) -> Path:
    """One file written whole: `write` fills a hidden temporary beside `path`, which is
    then renamed over it, so a reader never sees half a file and a failed write leaves
    the previous one as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(temp)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return path


def write_folder(out: Path, write: Callable[[Path], None]) -> Path:
    """Fill a hidden temporary sibling of `out` with `write`, then swap it into place:
    a crash or Ctrl-C part-way leaves the previous folder as it was. Debris of a run that
    was killed (its temporary or set-aside folders) is cleared first, and a folder that
    such a run had set aside but not yet replaced is put back. The folder gets the
    user's umask, as any folder they make would."""
    out.parent.mkdir(parents=True, exist_ok=True)
    clear_debris(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.{os.getpid()}.", suffix=".tmp",
                                dir=out.parent))
    try:
        os.chmod(tmp, 0o777 & ~_umask())
        write(tmp)
        _swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def clear_debris(out: Path) -> None:
    """Remove the hidden `.<name>.<pid>.*.tmp` and `.<name>.old-<pid>` siblings of `out`
    left by runs that are no longer alive; put back a set-aside folder when `out` itself
    is missing (the run died between moving the old folder aside and the new one in)."""
    for path in sorted(out.parent.glob(f".{glob.escape(out.name)}.*")):
        rest = path.name[len(out.name) + 2:]
        pid_text = rest.split(".", 1)[0] if rest.endswith(".tmp") else \
            rest.removeprefix("old-") if rest.startswith("old-") else ""
        if not pid_text.isdigit() or _alive(int(pid_text)) and int(pid_text) != os.getpid():
            continue
        if rest.startswith("old-") and not out.exists():
            os.replace(path, out)
        else:
            shutil.rmtree(path, ignore_errors=True)


def _swap_into_place(tmp: Path, out: Path) -> None:
    """Replace `out` by `tmp`: the old folder is moved aside first, removed last."""
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        if old.exists():
            shutil.rmtree(old)
        os.replace(out, old)
    os.replace(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def folder_lock(out: Path) -> Iterator[None]:
    """Hold the lock of the folder `out` for a whole run (a hidden `.<name>.lock` beside
    it): a second run that would write the same folder stops at once, before solving,
    with an InputError, instead of racing the first one to the swap."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists() and not out.is_dir():
        raise InputError([Problem(str(out), None, None, "a results folder (or nothing yet)",
                                  "something that is not a folder; give --out a folder")])
    path = out.parent / f".{out.name}.lock"
    fd = _locked(path, out)
    try:
        yield
    finally:
        path.unlink(missing_ok=True)  # before unlocking: a waiting run re-checks the file
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _locked(path: Path, out: Path) -> int:
    """An open, exclusively locked descriptor of the lock file `path`. A lock won on a
    file that its holder has just removed (the inode no longer at `path`) is retried, so
    two runs never both hold a lock."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise InputError([Problem(str(out), None, None, "a results folder no other run "
                                      "is writing", "another estate run writing it now; "
                                      "wait for it, or give --out another folder")]) from None
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)
