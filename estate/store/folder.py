"""Writing a file or folder whole: a hidden temporary sibling filled, then swapped in.

Every folder estate writes (a plan's results, a sweep run's recorded failure) goes
through `write_folder`, and every file through `write_file`, so that a crash, Ctrl-C or
a kill never leaves a half-written output nor destroys the previous one, and the next
run clears what a killed one left. A target that is a symbolic link is written through
(the link is kept and its target replaced); a target that is a device, a FIFO or a
socket is refused, never replaced.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import glob
import hashlib
import os
import resource
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from estate.errors import InputError, OutputError, Problem, first_few
from estate.load.read import kind_of
from estate.signals import Interrupted, held_signals
from estate.store.keep import (
    RESULTS_MARKERS,
    KeptFile,
    keep_added,
    not_written_by_estate,
)
from estate.store.path_text import mounted

#: The longest hidden sibling name estate makes (most file systems allow 255 bytes).
_NAME_BYTES = 255
_SHORT = "estate-"  # how a shortened name begins


def through_link(path: Path) -> Path:
    """`path`, or the file or folder its symbolic link points to: outputs are written
    through links, so that a link the user made stays a link."""
    path = Path(path)
    try:
        return Path(os.path.realpath(path)) if path.is_symlink() else path
    except OSError:  # in a folder one may not open: the checks that write there say so
        return path


def _stem(name: str) -> str:
    """The part of a hidden sibling's name that names its target: the name itself, or a
    digest of it when the name with estate's tags would be too long to be a file name."""
    if len(name.encode()) <= _NAME_BYTES - 40:
        return name
    return _SHORT + hashlib.sha256(name.encode()).hexdigest()[:16]


def write_file(path: Path, write: Callable[[Path], object]) -> Path:
    """One file written whole: `write` fills a hidden temporary beside `path`, which is
    then renamed over it, so a reader never sees half a file and a failed write leaves
    the previous one as it was. A link is written through; a device, FIFO or socket is
    refused (renaming over it would replace it)."""
    path = Path(path)
    real = through_link(path)
    special = kind_of(real)
    if special:
        raise InputError([Problem(str(path), None, None, "a regular file (or nothing yet)",
                                  f"{special}; give another path")])
    real.parent.mkdir(parents=True, exist_ok=True)
    stem = _stem(real.name)
    _clear(real.parent, stem)
    temp = real.with_name(f".{stem}.{os.getpid()}.tmp")
    try:
        write(temp)
        os.replace(temp, real)
    except Exception as exc:
        unwritten = _unwritten(path, exc, temp)
        if unwritten is None:
            raise
        raise unwritten from exc
    finally:
        temp.unlink(missing_ok=True)
    return path


def write_folder(out: Path, write: Callable[[Path], None],
                 warn: Callable[[Problem], None] | None = None) -> Path:
    """Fill a hidden temporary sibling of `out` with `write`, then swap it into place:
    a crash or Ctrl-C part-way leaves the previous folder as it was. Debris of a run that
    was killed (its temporary or set-aside folders) is cleared first, and a folder that
    such a run had set aside but not yet replaced is put back. The folder gets the
    user's umask, as any folder they make would. A link to a folder is written through.
    The swap runs with Ctrl-C and SIGTERM held (`held_signals`), so it is never cut in
    two; one that comes during it, or after it, is raised as `Interrupted`, saying the
    new folder is in place."""
    real = through_link(out)
    real.parent.mkdir(parents=True, exist_ok=True)
    clear_debris(real)
    tmp = Path(tempfile.mkdtemp(prefix=f".{_stem(real.name)}.{os.getpid()}.", suffix=".tmp",
                                dir=real.parent))
    old: Path | None = None
    kept: list[KeptFile] = []
    swapped = False
    try:
        os.chmod(tmp, 0o777 & ~umask())
        write(tmp)
        with held_signals():
            old = _swap_into_place(tmp, real)
            swapped = True
            # the user's files are moved in before a held signal is raised: renames only
            kept = [] if old is None else keep_added(old, real)
        _remove_set_aside(old, kept)
    except BaseException as exc:
        if swapped:
            _remove_set_aside(old, kept)
            if isinstance(exc, KeyboardInterrupt) and not isinstance(exc, Interrupted):
                raise interrupted_after(Path(out)) from None
            raise
        # judged before the temporary folder is removed: removing it frees the space
        unwritten = _unwritten(out, exc, tmp) if isinstance(exc, Exception) else None
        shutil.rmtree(tmp, ignore_errors=True)
        if unwritten is None:
            raise
        raise unwritten from exc
    for file in kept:
        if warn is not None:
            warn(file.warning(Path(out)))
    return out


def interrupted_after(out: Path) -> Interrupted:
    """The interrupt of a run stopped once its results folder `out` was swapped in."""
    return Interrupted(f"Interrupted just after the results were written to {out}: they are "
                       "whole there; nothing meant to follow them was written.", Path(out))


FULL_BYTES = 16 * 2**20
"""Free space under which a library's failure to write is taken for a full disk."""


def _unwritten(path: Path, exc: Exception, written: Path | None = None
               ) -> OutputError | None:
    """A failure to write `path` that is the place's, not estate's, as an OutputError:
    an OSError (a full disk, a quota, a file-size limit, a folder made read-only since
    the paths were checked), or any error a library raises while the disk is all but
    full, or once a file it wrote (under `written`, the temporary file or folder) has
    reached the process's file-size limit (GDAL's GeoPackage writer, for one, then fails
    on a table it could not make). None for anything else, which is a bug to report with
    its trace."""
    if isinstance(exc, OutputError):
        return exc
    if isinstance(exc, OSError):
        reason = exc.strerror or str(exc)
        full = exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
    else:
        try:
            full = shutil.disk_usage(through_link(path).parent).free < FULL_BYTES
        except OSError:
            full = False
        full = full or "No space left" in str(exc)
        if not full and not _at_size_limit(written):
            return None
        reason = ("No space left on device" if full else
                  "a file reached the file-size limit set for estate (ulimit -f): raise it")
    advice = ("check that estate may write there, or write it elsewhere" if not full
              else "free some space, or write it elsewhere")
    return OutputError(f"{path} could not be written ({reason}); what was there before is "
                       f"as it was: {advice}", reason)


SIZE_LIMIT_SLACK = 2**16
"""Bytes short of the file-size limit at which a file is taken to have reached it (a
writer stops at the last whole page that fits)."""


def _at_size_limit(written: Path | None) -> bool:
    """Whether a file at or under `written` has reached this process's file-size limit
    (`ulimit -f`): GDAL's writer then fails with an error of its own, not the OSError
    (EFBIG) Python's own writes give. Not so for a limit no file came near: a bug is
    not blamed on a limit."""
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    if written is None or limit == resource.RLIM_INFINITY:
        return False
    try:
        files = [written] if written.is_file() else [p for p in written.rglob("*")
                                                     if p.is_file()]
        return any(f.stat().st_size + SIZE_LIMIT_SLACK >= limit for f in files)
    except OSError:
        return False


def umask() -> int:  # the process's, read by setting it and setting it back
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _alive(pid: int) -> bool:
    """Whether process `pid` may still write: it exists and is not a zombie (a killed
    worker whose parent died too stays one until init reaps it, which in a container
    may be late)."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:  # someone else's process: alive unless a zombie
        pass
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):  # no /proc (macOS): as os.kill says
        return True
    return state != "Z"


def stored_as(folder: Path, copies: list[Path]) -> None:
    """`folder` is what is stored of a run under each of `copies` (the names an older
    estate gave it): the first copy found is moved there if it is not there yet, and the
    rest removed, so that a folder of runs holds each run once. Any copy that cannot be
    moved or removed is left (a run not found is planned again)."""
    for copy in copies:
        with contextlib.suppress(OSError):
            if copy == folder or not copy.is_dir():
                continue
            if folder.exists():
                shutil.rmtree(copy)
            else:
                copy.rename(folder)


def clear_debris(out: Path) -> None:
    """Remove the hidden `.<name>.<pid>.*.tmp` and `.<name>.old-<pid>.*` siblings of `out`
    left by runs that are no longer alive; put back a set-aside folder when `out` itself
    is missing (the run died between moving the old folder aside and the new one in)."""
    real = through_link(out)
    _clear(real.parent, _stem(real.name), real)


def clear_debris_in(folder: Path) -> None:
    """The same for every target in `folder`, a folder only estate writes into (a
    sweep's `runs/`): debris of writers still alive (another sweep's workers) is kept,
    and so is a lock file someone holds; one nobody holds is removed."""
    _clear(folder, None)
    for path in sorted(folder.glob(".*.lock")):
        with contextlib.suppress(OSError):
            fd = os.open(path, os.O_RDWR)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                if os.stat(path).st_ino == os.fstat(fd).st_ino:  # still that file
                    path.unlink()  # held while removed: a run waiting on it tries again
            except BlockingIOError:
                pass  # a live run holds it
            finally:
                os.close(fd)


def _clear(folder: Path, stem: str | None, target: Path | None = None) -> None:
    """Remove the debris of dead writers in `folder`: of `target` (its name shortened to
    `stem`), or of any target when `stem` is None; a set-aside folder whose target is
    missing is put back, and one whose target is there first gives it the files the
    user had added to it (`keep_added`), as the run that died would have."""
    pattern = "." + (glob.escape(stem) + "." if stem is not None else "") + "*"
    for path in sorted(folder.glob(pattern)):
        owner, pids = _debris(path.name)
        if owner is None or stem is not None and owner != stem or any(
                _alive(pid) and pid != os.getpid() for pid in pids):
            continue
        aside = path.name.startswith(f".{owner}.old-")
        if aside and target is None and owner.startswith(_SHORT):
            continue  # a long name shortened: its folder cannot be named, so it is kept
        if aside and not os.path.lexists(home := target or folder / owner):
            os.replace(path, home)
            continue
        if aside and home.is_dir() and path.is_dir() and not path.is_symlink():
            # a run died between swapping its results in and moving the user's files
            if not all(file.moved for file in keep_added(path, home)):
                continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _debris(name: str) -> tuple[str | None, list[int]]:
    """The target and the possible writer ids of a hidden name estate makes: a temporary
    `.<stem>.<pid>.<random>.tmp` (folder) or `.<stem>.<pid>.tmp` (file), or a set-aside
    `.<stem>.old-<pid>.<random>`, or `.<stem>.old-<pid>`, the name an older estate
    gave it (so a killed older run's is still found); (None, []) for any other name.
    A name that is none of these as a set-aside may still be a temporary one (a target
    named `a.old-5` has temporaries `.a.old-5.<pid>.<random>.tmp`)."""
    body = name[1:]
    if name.startswith(".") and ".old-" in body:
        owner, _, tag = body.rpartition(".old-")
        pid, _, random = tag.partition(".")
        if pid.isdigit() and owner and "." not in random:
            return owner, [int(pid)]
    if not name.startswith(".") or not body.endswith(".tmp"):
        return None, []
    parts = body[:-4].split(".")
    candidates = [(".".join(parts[:i]), int(parts[i])) for i in (len(parts) - 2, len(parts) - 1)
                  if i >= 1 and parts[i].isdigit()]
    if not candidates:
        return None, []
    # the random part of a folder's temporary may be all digits: keep it while either
    # reading names a live process
    return candidates[0][0], [pid for _, pid in candidates]


def _swap_into_place(tmp: Path, out: Path) -> Path | None:
    """Replace `out` by `tmp`; the old folder, moved aside, or None when there was none.
    A failure between the two renames puts the old folder back, so `out` is never left
    missing. Each swap sets aside under a name of its own (`.<stem>.old-<pid>.<random>`,
    made by `mkdtemp`): a name reused by the next write of the same process, or by a
    later process given the same id, would mean removing a set-aside folder that still
    holds a user's file. Call it with signals held: an interrupt between the renames
    would leave `out` missing until the next run puts it back (`_clear`)."""
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{_stem(out.name)}.old-{os.getpid()}.",
                                    dir=out.parent))
        try:
            os.replace(out, old)  # a folder renamed over the empty one just made
        except BaseException:
            old.rmdir()  # still the empty one: the rename did not happen
            raise
    try:
        os.replace(tmp, out)
    except BaseException:
        if old is not None:
            os.replace(old, out)
        raise
    return old


def _remove_set_aside(old: Path | None, kept: list[KeptFile]) -> None:
    """Remove the old folder, set aside by a swap, once what the user added to it is in
    the new one (`keep_added`); a file that could not be moved stays in it, which is
    then left for the next run to try again (`_clear`)."""
    if old is not None and all(file.moved for file in kept):
        shutil.rmtree(old, ignore_errors=True)


def _not_a_folder_to_write(real: Path, elsewhere: str = "give --out another folder") -> str:
    """Why the path `real`, to be written as a results folder, cannot be: something that
    is not a folder is there (the caller has seen it is not). Said for `estate plan
    --out` and for the results/<name> folder a comparison writes, each with its own way
    to write elsewhere (`elsewhere`, as `replaceable` takes it)."""
    return f"{kind_of(real) or 'a file'}, not a folder: move it away, or {elsewhere}"


def replaceable(out: Path, elsewhere: str = "give --out another folder") -> str | None:
    """Why the folder `out` may not be replaced by a results folder, or None when it may:
    nothing there yet, an empty folder, or a results folder (its `summary.json` or a
    sweep run's `outcome.json`) holding only what estate writes (`RESULTS_FILES`), not
    made read-only.
    Anything else is the user's, never to be replaced: a folder of other files, or a
    results folder the user added a file to (a table saved as .xlsx beside its .csv);
    `elsewhere` says how to write the results somewhere else instead."""
    real = through_link(out)
    if not os.path.lexists(real):
        return None
    if not real.is_dir():
        return _not_a_folder_to_write(real, elsewhere)
    if mounted(real):  # (renaming it away would fail only once the plan is made)
        return ("a mount point (a volume's root, a bind mount): estate replaces a results "
                f"folder whole, which cannot be done to one; {elsewhere} (one inside it)")
    if Path.cwd().resolve().is_relative_to(real.resolve()):
        # (renaming it away would fail only once the results are made, and say so badly)
        return ("the folder estate runs in, or one holding it: estate replaces a results "
                f"folder whole; {elsewhere} (results/NAME, say)")
    try:
        # its owner's write permission taken off: kept as it is on purpose (a plan signed
        # off), whoever runs estate (as root, os.access would allow it)
        frozen = not real.stat().st_mode & stat.S_IWUSR
        names = [p.name for p in real.iterdir()]
        added = not_written_by_estate(real)
    except OSError as exc:
        return f"a folder estate cannot read ({exc.strerror})"
    if frozen:
        return ("a read-only folder: estate replaces the folder whole; make it writable "
                f"(chmod -R u+w) if it may be replaced, or {elsewhere}")
    if names and not any(name in names for name in RESULTS_MARKERS):
        return (f"a folder of other files ({len(names)}, e.g. {sorted(names)[0]}), not a "
                f"results folder: estate replaces the folder whole; {elsewhere}")
    if added:
        shown = first_few(added, 5)
        return (f"a results folder holding {len(added)} file{'s' if len(added) != 1 else ''} "
                f"estate did not write ({shown}); estate replaces the folder whole, so "
                f"{'they' if len(added) != 1 else 'it'} would be lost: move "
                f"{'them' if len(added) != 1 else 'it'} out of the folder, or {elsewhere}")
    return None


@contextlib.contextmanager
def folder_lock(out: Path, replaced: bool = True) -> Iterator[None]:
    """Hold the lock of the folder `out` for a whole run (a hidden `.<name>.lock` beside
    it): a second run that would write the same folder stops at once, before solving,
    with an InputError, instead of racing the first one to the swap. A folder the run
    replaces whole (`replaced`) that is not a results folder (see `replaceable`) is
    refused the same way; any other folder (a sweep's) only when it is not a folder."""
    real = through_link(out)
    why = replaceable(real) if replaced else None if not os.path.lexists(real) or \
        real.is_dir() else _not_a_folder_to_write(real)
    if why is not None:
        raise InputError([Problem(str(out), None, None, "a results folder (or nothing yet)",
                                  why)])
    real.parent.mkdir(parents=True, exist_ok=True)
    path = real.parent / f".{_stem(real.name)}.lock"
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
