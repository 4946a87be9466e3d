"""How a command of `estate` ends when it fails: a clean message and an exit code, never a
traceback on screen. Bad input 1, infeasible 2, no plan in the time limit 3 (each an
`EstateError`, which knows its code), Ctrl-C or SIGTERM 130, anything unexpected 4 with
the trace in a log file the user can send. A reader that closes the pipe (`estate plan
... | head -1`) ends a run that was going well with 141, as the shell reports any
program stopped so, and leaves a failure's own code as it was: the words are lost, not
what happened, and only on the stream whose reader went (stderr on a terminal still
hears them). A broken pipe while both streams keep their readers is one of estate's
own, a fault (4).
"""

from __future__ import annotations

import errno
import functools
import os
import select
import sys
from collections.abc import Callable
from typing import Any, NoReturn

import click

from estate.errors import (
    EstateError,
    InfeasibleError,
    InputError,
    Problem,
    keep_trace,
    path_too_long,
)
from estate.render.terminal import err
from estate.status import Failure, failure_json

READER_GONE = 141
"""The exit code of a run whose output lost its reader (a closed pipe): 128 + SIGPIPE,
what a shell reports for a program the signal stops, so no code of estate's own (1 is
bad input) is said of a run that had none."""


def handled(command: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command, turning every failure into a message and an exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from estate.runs.executor import sigterm_as_interrupt

        # a command printing JSON (`plan --json`) prints its failure as JSON too, on
        # stdout, beside the words on stderr and the exit code
        as_json = bool(kwargs.get("as_json"))
        try:
            # a run stopped by SIGTERM (a scheduler's, `kill`) ends as one stopped by
            # Ctrl-C: its temporary folder and its folder's lock removed, exit 130
            with sigterm_as_interrupt():
                return command(*args, **kwargs)
        except EstateError as exc:
            _fail(exc, as_json)
        except KeyboardInterrupt as exc:  # a sweep's says how many runs are stored
            err(getattr(exc, "message", "") or "Interrupted; previous results are untouched.")
            sys.exit(130)
        except click.exceptions.Exit:
            raise
        except BrokenPipeError as exc:
            if not _a_reader_gone():  # a pipe of estate's own (a worker's): a fault
                _unexpected(exc, as_json)
            reader_gone()
            sys.exit(READER_GONE)
        except OSError as exc:
            # a path given to read longer than the system takes (one to write is
            # refused before any work: `estate.store.paths`): Python's checks of a path
            # (`is_dir`, `exists`) raise for that alone
            too_long = path_too_long(exc)
            if too_long is not None:
                _fail(InputError([too_long]), as_json)
            if exc.errno in _FULL and exc.filename is None:  # a file's is an OutputError
                _words_unwritten(exc)
            _unexpected(exc, as_json)
        except Exception as exc:  # the last line of defence
            _unexpected(exc, as_json)

    return wrapper


_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO)
"""Why a write fails that no file of estate's own raises bare (those are `OutputError`s
naming the file): its stdout or stderr sent to a full disk, or past a size limit."""


def _words_unwritten(exc: OSError) -> NoReturn:
    """Its words could not be written (`estate plan > /dev/full`): said on stderr when it
    can be, stdout's unwritten rest dropped (Python would fail again writing it as it
    exits), and exit 1, an output that cannot be written, not a fault of estate's."""
    nowhere = os.open(os.devnull, os.O_WRONLY)
    os.dup2(nowhere, 1)
    os.close(nowhere)
    _said(lambda: err(f"Error: estate could not write its output: {exc.strerror} (stdout "
                      "sent to a full disk?); what it wrote to files before is in place"))
    sys.exit(1)


def _unexpected(exc: Exception, as_json: bool) -> NoReturn:
    """Say a failure the tool did not foresee in one line, its trace in a log file, and
    exit 4."""
    log = keep_trace(exc)
    message = (f"Unexpected error: {type(exc).__name__}: "
               f"{str(exc).splitlines()[0] if str(exc) else ''} (full trace in {log})")
    if as_json:
        _said(lambda: click.echo(failure_json(Failure.of(exc, message))))
    _said(lambda: err(message))
    sys.exit(4)


def reader_gone() -> None:
    """Send what a stream whose reader closed the pipe still holds, and anything said
    to it after, nowhere (Python would otherwise say so as it exits), and leave a stream
    that still has a reader alone: stdout piped to `head` takes nothing from stderr on a
    terminal."""
    nowhere = os.open(os.devnull, os.O_WRONLY)
    for fd in _streams_gone():
        if fd is not None:  # a stream with no file (a test's) has nothing to silence
            os.dup2(nowhere, fd)
    os.close(nowhere)


def _a_reader_gone() -> bool:
    """Whether stdout's or stderr's reader is gone."""
    return bool(_streams_gone())


def _streams_gone() -> list[int | None]:
    """The descriptors of stdout and stderr whose reader is gone; None for a stream with
    no descriptor (a test's), which cannot tell and is taken as gone."""
    gone: list[int | None] = []
    for stream in (sys.stdout, sys.stderr):
        try:
            fd = stream.fileno()
        except (OSError, ValueError, AttributeError):
            gone.append(None)
            continue
        if _unread(fd):
            gone.append(fd)
    return gone


def _unread(fd: int) -> bool:
    """Whether the pipe (or socket) at `fd` has lost its reader: polled, its write end
    reports an error or a hang-up; a file or a terminal never does."""
    try:
        poller = select.poll()
        poller.register(fd, select.POLLOUT)
        return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))
    except (OSError, ValueError, AttributeError):  # no poll here: take it as gone
        return True


def _fail(exc: EstateError, as_json: bool = False) -> NoReturn:
    """Say a known failure on stderr, with what to do, and exit with its code (a
    command printing JSON, `plan --json`, prints it as JSON too, on stdout), the code
    kept when the words have no reader; a stream that keeps its reader still hears them."""
    if as_json:
        _said(lambda: click.echo(failure_json(Failure.of(exc))))
    _said(lambda: _tell(exc))
    sys.exit(exc.exit_code)


def _said(say: Callable[[], None]) -> None:
    """`say`, its stream silenced if its reader is gone (`reader_gone`)."""
    try:
        say()
    except BrokenPipeError:
        reader_gone()
    except OSError:  # the stream itself failing (a full disk): nothing more can be said
        pass


def _tell(exc: EstateError) -> None:
    """A known failure's words on stderr (`_fail`)."""
    if isinstance(exc, InputError):
        err(f"Error: {exc}")
        # found beside the errors, they are said now, not once the errors are fixed
        show_warnings(exc.warnings, also="fix the errors above, and estate validate lists "
                      "them all")
        err(exc.closing)
    elif isinstance(exc, InfeasibleError):
        # every one, first: a warning may say why (a column not read, its default taken)
        show_warnings(exc.warnings, most=len(exc.warnings))
        err(str(exc))  # "The scenario is infeasible: ..." and its reasons
        err(f"No plan was written. Relax the rules named above ({exc.relax}) and run again."
            if exc.keys else "No plan was written. Change what the reasons above name and "
            "run again.")
    else:
        err(f"Error: {exc}")
    if exc.after:
        err(exc.after)


def show_warnings(warnings: list[Problem], most: int = 10,
                  also: str = "estate validate lists them all") -> None:
    """Each warning as one located line on stderr; a long list ends with a count and
    where the rest are listed (`also`: beside errors, only once they are fixed)."""
    for warning in warnings[:most]:
        err(f"Warning: {warning}")
    if len(warnings) > most:
        err(f"... and {len(warnings) - most} more warnings ({also})")
