"""Ctrl-C held back for a moment (estate.signals): the signal is noted inside and raised
once after, by the handler that was there before."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from estate.signals import held_signals

# Ctrl-C raises here as in a terminal, even when the test run was started in the
# background, which ignores it (conftest.py)
pytestmark = pytest.mark.usefixtures("ctrl_c_raises")


def test_a_ctrl_c_inside_is_raised_once_after() -> None:
    seen: list[int] = []
    reached = []
    with pytest.raises(KeyboardInterrupt):
        with held_signals(seen.append):
            os.kill(os.getpid(), signal.SIGINT)
            reached.append("the end of the block")  # not cut short
    assert reached == ["the end of the block"]
    assert seen == [signal.SIGINT]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_held_within_held_is_raised_when_the_outer_ends() -> None:
    steps = []
    with pytest.raises(KeyboardInterrupt):
        with held_signals():
            with held_signals():
                os.kill(os.getpid(), signal.SIGINT)
                steps.append("inner")
            steps.append("outer")
    assert steps == ["inner", "outer"]


def test_an_ignored_signal_stays_ignored_and_a_quiet_moment_raises_nothing() -> None:
    previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        with held_signals():
            os.kill(os.getpid(), signal.SIGTERM)
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGTERM, previous)
    with held_signals():
        pass


def test_off_the_main_thread_nothing_is_changed() -> None:
    handlers = []

    def work() -> None:
        with held_signals():
            handlers.append(signal.getsignal(signal.SIGINT))

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert handlers == [signal.default_int_handler]
