"""Ctrl-C and SIGTERM held back for a moment that must not be cut in two.

A solver's run (HiGHS works without the GIL, and a Python handler raised inside one of
its callbacks loses the run) and the two renames that swap a results folder into place
(cut between them, the previous folder is set aside and the new one not yet in its
place) each run with the signals held: a signal that comes meanwhile is noted, and once
the moment is over its own handler is called, raising as it would have.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

HELD_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
"""Ctrl-C, SIGTERM and SIGHUP (a terminal closed), each held only while its handler is
Python's (`runs.executor.sigterm_as_interrupt` makes SIGTERM's and SIGHUP's one)."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM that came once something was written: `message` says what is
    in place and what was not done (the command line says it instead of "previous
    results are untouched", which is then untrue); `written` is the folder in place."""

    def __init__(self, message: str, written: Path | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.written = written


@contextlib.contextmanager
def held_signals(on_signal: Callable[[int], None] | None = None) -> Iterator[None]:
    """While the block runs, Ctrl-C and SIGTERM only note that they came (and call
    `on_signal` with the signal's number: a solver stops at its next check); after it,
    the handler of the first that came is called. Only a Python handler is held (one
    that is ignored, as in a pool's worker, or the system's default is left alone), and
    only on the main thread, where Python runs handlers; elsewhere nothing changes.
    Held within a held moment, a signal is passed on to the outer one when the inner
    ends, so it is raised once, when the outermost ends."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        came.append(signum)
        if on_signal is not None:
            on_signal(signum)

    held: dict[int, Callable[[int, FrameType | None], Any]] = {}
    for sig in HELD_SIGNALS:
        handler = signal.getsignal(sig)
        if callable(handler):
            held[int(sig)] = handler
            signal.signal(sig, hold)
    try:
        yield
    finally:
        for number, handler in held.items():
            signal.signal(number, handler)
        if came and came[0] in held:
            held[came[0]](came[0], None)
