"""Several files written as one set: all of the old ones, or all of the new ones.

A command whose outputs belong together (`estate compare`'s four files, a sweep's tables
and page, a board pack's PDF and page) must never leave some from this run and some
from the last. `write_files` fills every file's hidden temporary first, then renames
them all over their targets in one moment held against Ctrl-C and SIGTERM
(`estate.signals.held_signals`): a failure or an interrupt while any is being made
leaves every old file as it was, and one that comes during the renames takes effect
once all the new files are in place (`WrittenInterrupted` then says so). Should a
rename itself fail, those already made are undone, the old files put back from links
made to them just before.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from estate.errors import InputError, Problem
from estate.load.read import kind_of
from estate.signals import held_signals
from estate.store.folder import _clear, _stem, _unwritten, through_link

Write = Callable[[Path], object]


class WrittenInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM came while a set of files was being renamed into place, or once
    they were: it took effect with every new file in place; `message` says so (the
    command line shows it instead of saying the previous files are untouched)."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths
        self.message = f"Interrupted once {listed(paths)} were written: all are new, whole."
        super().__init__(self.message)


def listed(paths: Sequence[Path | str]) -> str:
    """The paths in words: `a`, `a and b`, `a, b and c`."""
    names = [str(p) for p in paths]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def text_file(text: str) -> Write:
    """A `Write` that puts `text` in its file as UTF-8 (a page, say)."""
    return lambda temp: temp.write_text(text, encoding="utf-8")


def refused(path: Path, option: str | None = None) -> Problem | None:
    """Why the file `path` cannot be replaced by a new file, or None: a folder, a device,
    a FIFO or a socket is there (a link is written through, so its target is judged);
    `option` names the command-line option that gave the path, when one did."""
    real = through_link(Path(path))
    special = kind_of(real) or ("a folder" if real.is_dir() and not real.is_symlink() else None)
    if special is None:
        return None
    return Problem(str(path), None, option, "a regular file (or nothing yet)",
                   f"{special}, where estate writes a file; move it away, or write "
                   "elsewhere", label="option" if option else "file")


def write_files(files: Mapping[Path, Write]) -> list[Path]:
    """Write every file of `files` (a path and what fills it), all or none: each `Write`
    fills a hidden temporary beside its path, and only when every one is made are they
    renamed over their paths, together, with Ctrl-C and SIGTERM held. Before anything is
    made, a path where a folder, device, FIFO or socket sits is refused (InputError
    naming each). A failure to write is an OutputError naming the file, with every old
    file as it was. Returns the paths, in order."""
    paths = [Path(p) for p in files]
    problems = [p for path in paths if (p := refused(path)) is not None]
    if problems:
        raise InputError(problems)
    reals = [through_link(p) for p in paths]
    temps = [real.with_name(f".{_stem(real.name)}.{os.getpid()}.tmp") for real in reals]
    asides = [real.with_name(f".{_stem(real.name)}.old-{os.getpid()}.tmp") for real in reals]
    current = paths[0] if paths else Path()
    written: Path | None = None  # the temporary file being written
    renamed = False
    try:
        for path, real, temp, write in zip(paths, reals, temps, files.values(), strict=True):
            current, written = path, temp
            real.parent.mkdir(parents=True, exist_ok=True)
            _clear(real.parent, _stem(real.name), real)
            write(temp)
        for path, real, aside in zip(paths, reals, asides, strict=True):
            current, written = path, None
            if real.exists():
                _set_aside(real, aside)
        with held_signals():
            _rename_all(paths, reals, temps, asides)
            renamed = True
            _remove(asides)  # held too: a signal just after leaves no debris
    except KeyboardInterrupt:
        if not renamed:
            raise
        raise WrittenInterrupted(paths) from None
    except _RenameFailed as failed:
        unwritten = _unwritten(failed.path, failed.error)
        if unwritten is None:
            raise failed.error from None
        raise unwritten from failed.error
    except Exception as exc:
        unwritten = _unwritten(current, exc, written)
        if unwritten is None:
            raise
        raise unwritten from exc
    finally:
        if not renamed:
            _remove([*temps, *asides])
    return paths


@contextlib.contextmanager
def written(paths: Iterable[Path]) -> Iterator[None]:
    """Ctrl-C or SIGTERM while what follows the writing of `paths` runs (a command
    showing its figures) is said to have come once they were written: that they are all
    new, not that the previous ones are untouched."""
    try:
        yield
    except WrittenInterrupted:
        raise
    except KeyboardInterrupt:
        raise WrittenInterrupted(list(paths)) from None


def _remove(paths: list[Path]) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


class _RenameFailed(Exception):
    """A rename of the set failed (the ones before it undone): which file, and why."""

    def __init__(self, path: Path, error: Exception) -> None:
        super().__init__(str(error))
        self.path, self.error = path, error


def _set_aside(real: Path, aside: Path) -> None:
    """A second name for the old file `real`, to put it back should a rename fail: a
    hard link (no copying), or a copy where the disk has no links."""
    aside.unlink(missing_ok=True)
    try:
        os.link(real, aside)
    except OSError:
        shutil.copy2(real, aside)


def _rename_all(paths: list[Path], reals: list[Path], temps: list[Path],
                asides: list[Path]) -> None:
    """Rename each temporary over its target; on a failure, undo those done (the old
    file put back from its aside, a new one removed) and raise `_RenameFailed`."""
    done: list[int] = []
    for i, (real, temp) in enumerate(zip(reals, temps, strict=True)):
        try:
            os.replace(temp, real)
        except Exception as exc:
            for j in reversed(done):
                with contextlib.suppress(OSError):
                    if os.path.lexists(asides[j]):
                        os.replace(asides[j], reals[j])
                    else:
                        reals[j].unlink()
            raise _RenameFailed(paths[i], exc) from exc
        done.append(i)


@contextlib.contextmanager
def left_clean(path: Path, inside: Sequence[str] = ()) -> Iterator[None]:
    """On a failure or Ctrl-C inside, the folders this step made for `path` (the folder
    itself, its folders `inside` such as a sweep's runs/, and any parents that were not
    there before) are taken away again where nothing is left in them, deepest first: a
    comparison or a sweep that stored nothing leaves no empty folder behind to be
    mistaken for its output. Only those: a folder the user made meanwhile stays, and so
    does any folder that holds anything, or was there before."""
    made = []
    folder = Path(path).absolute()
    while not os.path.lexists(folder) and folder != folder.parent:
        made.append(folder)
        folder = folder.parent
    try:
        yield
    except BaseException:
        if made:
            for folder in [made[0] / name for name in inside] + made:
                with contextlib.suppress(OSError):  # refused while anything is in it
                    folder.rmdir()
        raise
