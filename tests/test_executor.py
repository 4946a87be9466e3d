"""The one executor: same results serially and on a pool, failures as values, and
Ctrl-C (or SIGTERM, or the parent's death) stops the workers at once.

Real processes throughout: the slow tasks sleep for a minute and write their process
id to a file, so the tests can see that no worker outlives an interrupted run.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.queues
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from estate.errors import InputError, Problem
from estate.load.scenario import scenario_from_dict
from estate.runs.executor import _sigint_held, run_all
from estate.runs.policy import policy_costs
from tests.fixtures import invoke, no_traceback, scenario_on, town

SLOW_SECONDS = 60


def square(x: int) -> int:
    if x == 3:
        raise ValueError("three is not welcome")
    return x * x


def fast_or_slow(task: tuple[Path, int]) -> int:
    """Task 0 returns at once; the others sleep long after writing their process id."""
    folder, i = task
    (folder / f"{i}.pid").write_text(str(os.getpid()))
    if i:
        time.sleep(SLOW_SECONDS)
    return i


def interrupt_self(x: int) -> int:
    """A worker that is sent Ctrl-C carries on: the parent alone decides to stop."""
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(0.2)
    return x


def signals_here(x: int) -> tuple[bool, bool]:
    """(SIGINT blocked, SIGINT ignored) in the process that runs this."""
    return (signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, ()),
            signal.getsignal(signal.SIGINT) == signal.SIG_IGN)


def _send_signals_here(queue: multiprocessing.queues.Queue) -> None:  # type: ignore[type-arg]
    queue.put(signals_here(0))


def die(x: int) -> int:
    os._exit(3)


def die_at_one(x: int) -> int:
    """Task 1's worker dies (as one killed for want of memory); the others return."""
    if x == 1:
        os._exit(9)
    return x * 10


def refuse(x: int) -> int:
    raise InputError([Problem("s.toml", None, "agencies", "an agency of the register",
                              f"A{x}", label="key")])


def shout(x: int) -> int:
    print(f"banner from task {x}", flush=True)
    os.write(2, b"solver noise\n")
    return x


def _alive(pid: int) -> bool:
    """Running (a zombie, dead but not yet reaped, counts as gone)."""
    if not Path("/proc").is_dir():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _pids(folder: Path, indices: range) -> list[int]:
    return [int((folder / f"{i}.pid").read_text()) for i in indices]


def _started(folder: Path, indices: range) -> bool:
    return all((folder / f"{i}.pid").exists() and (folder / f"{i}.pid").read_text()
               for i in indices)


def test_serial_runs_in_order_and_failures_are_values() -> None:
    results = list(run_all(square, range(6)))
    assert [i for i, _ in results] == list(range(6))
    assert isinstance(results[3][1], ValueError)
    assert [r for i, r in results if i != 3] == [0, 1, 4, 16, 25]


@pytest.mark.slow
def test_pool_gives_the_serial_results() -> None:
    serial = list(run_all(square, range(8)))
    pooled = sorted(run_all(square, range(8), "local", workers=2), key=lambda r: r[0])
    assert [i for i, _ in pooled] == list(range(8))
    assert [r for i, r in pooled if i != 3] == [r for i, r in serial if i != 3]
    assert isinstance(pooled[3][1], ValueError) and "three" in str(pooled[3][1])


@pytest.mark.slow
def test_workers_ignore_ctrl_c_and_a_dead_worker_is_a_value() -> None:
    assert sorted(run_all(interrupt_self, range(3), "local", workers=2)) == \
        [(0, 0), (1, 1), (2, 2)]
    [(index, result)] = list(run_all(die, [0], "local"))
    assert index == 0 and isinstance(result, BrokenProcessPool)
    assert "out of memory or killed" in str(result) and "__main__" in str(result)


@pytest.mark.slow
def test_a_lost_worker_takes_only_its_own_run() -> None:
    """A worker lost in the middle of a sweep breaks Python's pool, which hands back
    every task it had not finished as broken: the tasks that had not started run on a
    fresh pool, so only the one whose worker died is lost."""
    results = dict(run_all(die_at_one, range(5), "local", workers=1))
    assert sorted(results) == [0, 1, 2, 3, 4]
    assert isinstance(results[1], BrokenProcessPool)
    assert "out of memory or killed" in str(results[1])
    assert {i: r for i, r in results.items() if i != 1} == {0: 0, 2: 20, 3: 30, 4: 40}


@pytest.mark.slow
def test_a_workers_input_error_reaches_the_caller_as_itself() -> None:
    """An area's plan refused in a worker: the InputError comes back with its problem, not
    as a broken pool (it could not be unpickled, and the run said 'Unexpected error')."""
    [(index, result)] = list(run_all(refuse, [7], "local"))
    assert index == 0 and isinstance(result, InputError)
    assert [p.found for p in result.problems] == ["A7"]


@pytest.mark.slow
def test_workers_are_quiet(capfd: pytest.CaptureFixture[str]) -> None:
    assert sorted(run_all(shout, [1], "local")) == [(0, 1)]
    assert sorted(run_all(shout, [2], "local", quiet=False)) == [(0, 2)]
    out, err = capfd.readouterr()
    assert "task 1" not in out and "task 2" in out
    assert err.count("solver noise") == 1


@pytest.mark.slow
@pytest.mark.usefixtures("ctrl_c_raises")
def test_workers_start_with_ctrl_c_held_back_then_ignore_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A Ctrl-C that reaches a worker before its first act cannot print a traceback:
    each is spawned while SIGINT is blocked, which a spawned child inherits; it then
    ignores SIGINT and unblocks it."""
    blocked_at_spawn = []
    spawn_process = ProcessPoolExecutor._spawn_process  # type: ignore[attr-defined]

    def watched(pool: ProcessPoolExecutor) -> None:
        blocked_at_spawn.append(signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, ()))
        spawn_process(pool)

    monkeypatch.setattr(ProcessPoolExecutor, "_spawn_process", watched)
    assert sorted(run_all(signals_here, range(3), "local", workers=2)) == [
        (i, (False, True)) for i in range(3)]  # the workers: ignored, not blocked
    assert blocked_at_spawn == [True, True]
    assert signals_here(0) == (False, False)  # the parent's mask is given back
    spawn = multiprocessing.get_context("spawn")
    queue = spawn.Queue()
    with _sigint_held():
        child = spawn.Process(target=_send_signals_here, args=(queue,))
        child.start()
    assert queue.get(timeout=60) == (True, False)  # blocked from its first instruction
    child.join(10)
    assert child.exitcode == 0
    queue.close()


@pytest.mark.usefixtures("ctrl_c_raises")
def test_a_ctrl_c_held_back_is_taken_when_the_hold_ends() -> None:
    """Sent to this thread (another thread of the process that does not block SIGINT
    may take a Ctrl-C sent to the process, and Python raises it here at once)."""
    reached = []
    with pytest.raises(KeyboardInterrupt):
        with _sigint_held():
            signal.pthread_kill(threading.get_ident(), signal.SIGINT)
            time.sleep(0.05)
            reached.append("end of the hold")
    assert reached == ["end of the hold"]


def test_unknown_executor_and_no_tasks() -> None:
    with pytest.raises(ValueError, match="serial, local, dask"):
        run_all(square, [1], "threads")
    assert list(run_all(square, [], "local")) == []


@pytest.mark.slow
@pytest.mark.parametrize("how", ["ctrl_c", "sigterm"])
def test_interrupt_stops_the_pool_at_once(tmp_path: Path, how: str) -> None:
    """After the first result the consumer is interrupted (Ctrl-C raised in its loop, or
    SIGTERM to the parent): the two sleeping tasks' workers are gone within seconds, and
    the task still waiting for a worker never starts."""
    before = signal.getsignal(signal.SIGTERM)
    tasks = [(tmp_path, i) for i in range(4)]
    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        for index, result in run_all(fast_or_slow, tasks, "local", workers=2):
            assert (index, result) == (0, 0)
            assert _wait_for(lambda: _started(tmp_path, range(1, 3)), 20), "never started"
            if how == "ctrl_c":
                raise KeyboardInterrupt
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the handler interrupts this sleep
            pytest.fail("SIGTERM did not interrupt the run")
    slow = _pids(tmp_path, range(1, 3))
    assert _wait_for(lambda: not any(_alive(p) for p in slow), 3), "workers outlived Ctrl-C"
    assert time.monotonic() - t0 < SLOW_SECONDS / 2
    assert not (tmp_path / "3.pid").exists()  # never started: cancelled
    assert signal.getsignal(signal.SIGTERM) == before


PARENT = """
import sys, time
from pathlib import Path
from tests.test_executor import fast_or_slow
from estate.runs.executor import run_all

if __name__ == "__main__":
    for index, result in run_all(fast_or_slow, [(Path(sys.argv[1]), i) for i in (1, 2)],
                                 "local", workers=2):
        pass
"""


@pytest.mark.slow
def test_workers_die_with_their_parent(tmp_path: Path) -> None:
    """A parent killed outright (SIGKILL, nothing cleans up) leaves no worker behind."""
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent(PARENT))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).parents[1]), *sys.path]),
        "TMPDIR": str(tmp_path)}  # the folder a killed parent leaves stays here
    parent = subprocess.Popen([sys.executable, str(script), str(tmp_path)], env=env)
    try:
        assert _wait_for(lambda: _started(tmp_path, range(1, 3)), 30), "never started"
    finally:
        parent.kill()
        parent.wait()
    workers = _pids(tmp_path, range(1, 3))
    assert _wait_for(lambda: not any(_alive(p) for p in workers), 5), "orphaned workers"


@pytest.mark.slow
def test_dask_results_failures_and_interrupt(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    pooled = sorted(run_all(square, range(5), "dask", workers=2), key=lambda r: r[0])
    assert [r for i, r in pooled if i != 3] == [0, 1, 4, 16]
    assert isinstance(pooled[3][1], ValueError)
    with pytest.raises(KeyboardInterrupt):
        for _ in run_all(fast_or_slow, [(tmp_path, i) for i in range(3)], "dask", workers=2):
            assert _wait_for(lambda: _started(tmp_path, range(1, 3)), 30), "never started"
            raise KeyboardInterrupt
    slow = _pids(tmp_path, range(1, 3))
    assert _wait_for(lambda: not any(_alive(p) for p in slow), 10), "Dask workers outlived"


@pytest.mark.slow
def test_policy_costs_on_a_pool_equal_the_serial_ones(tmp_path: Path,
                                                     coverage_data: Path) -> None:
    """The optima of policy costs are independent solves: side by side, same costs."""
    raw = scenario_on(coverage_data, "pooled",
                      coverage=[{"service": "public_access", "radius_km": 3.0,
                                 "mode": "maintain"}], policy={"keep": ["S2"]})
    scenario = scenario_from_dict(raw, base_dir=tmp_path, label="pooled.toml")
    serial = policy_costs(scenario)
    said: list[str] = []
    pooled = policy_costs(scenario, progress=said.append, executor="local", workers=2)
    assert pooled == serial
    n = sum(s.status == "priced" for s in serial.values())
    assert n >= 3
    assert said[-1].endswith(f"({n}/{n})")


@pytest.mark.parametrize(("command", "address"), [
    (["plan", "tiny.toml", "--policy-costs"], "tcp://127.0.0.1:1"),
    (["sweep", "tiny.toml", "--vary", "sharing.efficiency=0.1", "--out", "sw"], "not a url"),
])
def test_a_scheduler_not_there_is_exit_1_before_any_work(tmp_path: Path, command: list[str],
                                                         address: str) -> None:
    town(tmp_path)
    run = invoke(tmp_path, *command, "--executor", "dask", "--scheduler", address)
    assert run.code == 1, run.output
    assert f"{address}, option --scheduler: expected the address of a running Dask " \
           "scheduler" in run.stderr, run.stderr
    no_traceback(run)
    assert not (tmp_path / "results").exists() and not (tmp_path / "sw").exists()


@pytest.mark.parametrize("reply", [b"", b"HTTP/1.0 400 Bad Request\r\n\r\n",
                                   b"\xff" * 64])  # junk: "Maximum allowed dimension"
def test_a_listener_that_is_no_scheduler_is_exit_1_within_seconds(tmp_path: Path,
                                                                  reply: bytes) -> None:
    """Something else listening at --scheduler (a server that says nothing, an HTTP
    one such as the dashboard's port) held the sweep for minutes, or said "Unable to
    allocate 3.07 EiB": it is exit 1 before any run, naming --scheduler, in about the
    10 s the docs promise."""
    import socket

    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def serve() -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = listener.accept()
                held.append(conn)  # open, unanswered, until the test ends
                if reply:
                    conn.recv(1024)
                    conn.sendall(reply)

    threading.Thread(target=serve, daemon=True).start()
    address = f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    town(tmp_path)
    t0 = time.monotonic()
    try:
        run = invoke(tmp_path, "sweep", "tiny.toml", "--vary", "sharing.efficiency=0.1",
                     "--out", "sw", "--executor", "dask", "--scheduler", address)
    finally:
        listener.close()
        for conn in held:
            conn.close()
    assert time.monotonic() - t0 < 20
    assert run.code == 1, run.output
    assert f"{address}, option --scheduler: expected the address of a running Dask " \
           "scheduler" in run.stderr, run.stderr
    assert "another service" in run.stderr and "EiB" not in run.stderr, run.stderr
    no_traceback(run)
    assert not (tmp_path / "sw").exists()
