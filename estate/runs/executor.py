"""One way to run many independent tasks: one by one, on a process pool, or on Dask.

National areas, sweep runs, compared scenarios and policy costs are each a list of tasks
handed to `run_all`, which yields `(task_index, result)` as each task ends. A task that
raises comes back with its exception as the result, so one failure never sinks the
rest; the caller decides what a failure means (a sweep row, an infeasible area).

Ctrl-C stops everything at once. Workers ignore SIGINT, which the terminal sends to the
whole process group, so only the parent reacts: it cancels what has not started,
terminates the workers (a solve can run for hours and would otherwise finish first)
and re-raises `KeyboardInterrupt`, which the command line turns into exit code 130.
While tasks run, SIGTERM in the parent is handled the same way. Workers also die with
their parent, so a parent killed outright (SIGKILL) leaves no solves behind.

A worker is spawned with SIGINT blocked, so a Ctrl-C that reaches it while Python is
still starting waits until it has set SIGINT aside, then is dropped. The parent blocks
SIGINT only in the thread that starts them, and only meanwhile: the Ctrl-C is taken
when they are started, or at once when another thread of the parent receives it.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from estate.errors import InputError, Problem

EXECUTORS = ("serial", "local", "dask")
"""`serial` runs the tasks in this process, in order; `local` on a process pool;
`dask` on a Dask cluster (a local one, or the one at `scheduler`)."""

_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_STOP_SECONDS = 3.0  # how long terminated workers get before they are killed
_in_worker = False  # set in pool workers
# (index of a task, its result) as each ends: a generator, as closing it stops the work
Runs = Generator[tuple[int, Any], None, None]


def run_all(fn: Callable[[Any], Any], tasks: Iterable[Any], executor: str = "serial", *,
            workers: int | None = None, scheduler: str | None = None,
            quiet: bool = True) -> Runs:
    """Run `fn(task)` for every task; yield `(index of the task, result)` as each ends.

    The result is `fn`'s return value, or the exception it raised (a worker that died
    shows as `BrokenProcessPool` or Dask's `KilledWorker`). `serial` yields in task
    order; the others in order of completion. For `local` and `dask`, `fn` must be a
    top-level function and the tasks picklable. `workers` defaults to the number of
    CPUs (at most one per task) on a pool and to 2 on a local Dask cluster. `quiet`
    sends the workers' standard output and error to /dev/null, so solver banners do
    not scribble over the progress shown by the parent.

    Closing the iterator early (a `break`, an exception in the loop's body, Ctrl-C)
    stops the workers at once.
    """
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, not {executor!r}")
    tasks = list(tasks)
    if not tasks:
        return _serial(fn, tasks)
    if executor == "serial":
        runs = _serial(fn, tasks)
    elif executor == "local":
        runs = _pool(fn, tasks, min(workers or os.cpu_count() or 1, len(tasks)), quiet)
    else:
        runs = _dask(fn, tasks, workers or 2, scheduler, quiet)
    return _interruptible(runs)


class WorkerLost(BrokenProcessPool):
    """A pool's worker process ended before its task did, said with what causes that
    (Python's own words, "terminated abruptly while the future was running or pending",
    name none): the result of each task it took down."""

    def __init__(self) -> None:
        super().__init__(
            "a worker process ended before its run did: out of memory or killed (the "
            "system's log says which); from a Python script, the script may lack the "
            "`if __name__ == \"__main__\":` guard around its estate calls that a spawned "
            "worker needs (docs/sweeps.md)")


def _outcome(call: Callable[[], Any]) -> Any:
    """The value of `call()`, or the exception it raised, unless that is Ctrl-C."""
    try:
        return call()
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # a task's SystemExit must not end the caller either
        return exc


def _serial(fn: Callable[[Any], Any], tasks: Sequence[Any]) -> Runs:
    for i, task in enumerate(tasks):
        yield i, _outcome(functools.partial(fn, task))


def _pool(fn: Callable[[Any], Any], tasks: Sequence[Any], workers: int, quiet: bool) -> Runs:
    """The tasks on a process pool, a fresh pool taking over when a worker is lost.

    A worker that dies (out of memory, killed) breaks Python's pool, and every task it
    had not finished comes back as `BrokenProcessPool`, the many not yet started as
    well as the few running. Each task marks that it started (a file named by its index
    in a folder of this call's own), so only those that did are `WorkerLost`; the rest
    go to a new pool. A pool that breaks before any task started (a worker that cannot
    start: a script without its `__main__` guard) ends the lot as `WorkerLost`, rather
    than starting pools for ever."""
    pending = dict(enumerate(tasks))
    with tempfile.TemporaryDirectory(prefix="estate-started-") as started:
        while pending:
            # spawn: a forked child would inherit the parent's threads' locks (and Dask's).
            pool = ProcessPoolExecutor(
                max_workers=min(workers, len(pending)),
                mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker,
                initargs=(os.getpid(), quiet))
            began: set[int] | None = None  # the tasks that had started when it broke
            try:
                with _sigint_held():  # submit starts the workers
                    futures = {pool.submit(_marked, fn, started, i, task): i
                               for i, task in pending.items()}
                for future in as_completed(futures):
                    i, outcome = futures[future], _outcome(future.result)
                    if isinstance(outcome, BrokenProcessPool):
                        if began is None:
                            began = {j for j in pending
                                     if os.path.exists(os.path.join(started, str(j)))}
                        if began and i not in began:
                            continue  # never started: the next pool runs it
                        outcome = WorkerLost()
                    del pending[i]
                    yield i, outcome
            except BaseException:  # Ctrl-C, or the caller stopped reading (GeneratorExit)
                _stop_pool(pool)
                raise
            pool.shutdown()


def _marked(fn: Callable[[Any], Any], started: str, index: int, task: Any) -> Any:
    """`fn(task)`, once the file `started/index` says the task started."""
    with open(os.path.join(started, str(index)), "w", encoding="utf-8"):
        pass
    return fn(task)


@contextlib.contextmanager
def _sigint_held() -> Iterator[None]:
    """Hold SIGINT back from this thread, and from the processes it starts, until the
    block ends; one that came meanwhile is taken then (a spawned child inherits the
    mask, as multiprocessing's resource tracker relies on)."""
    # The mask is read before it is changed: a Ctrl-C already pending is raised from the
    # call that blocks SIGINT, and the finally must still give the mask back.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, ())
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the running workers now, not when they finish.

    Results already written are whole (every writer of this package writes a folder
    aside and moves it into place), so a rerun resumes from them."""
    processes = list((pool._processes or {}).values())  # shutdown() forgets them
    manager: threading.Thread | None = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    deadline = time.monotonic() + _STOP_SECONDS
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join(1.0)
    # The pool's manager thread closes its wake-up pipe as it ends. Python 3.11's exit
    # hook writes to that pipe without its lock, so an exit while the thread is still
    # closing it printed a traceback (EBADF) after the interrupted message: wait for it.
    if manager is not None:
        manager.join(_STOP_SECONDS)


SCHEDULER_WAIT = "10s"
"""How long to wait for a Dask scheduler to answer before saying it is not there."""


def scheduler_needs_dask(executor: str, scheduler: str | None) -> None:
    """A scheduler given without the Dask executor is refused before any work: ignored,
    it would leave the user believing the runs went to the cluster it names."""
    if scheduler is not None and executor != "dask":
        raise InputError([Problem(scheduler, None, "--scheduler", "--executor dask beside "
                                  "it (it names the Dask cluster to run on)",
                                  f"--scheduler with --executor {executor}", label="option")])


def check_scheduler(scheduler: str | None) -> None:
    """Connect to the Dask scheduler at `scheduler` (None: a local cluster, nothing to
    check) and let go: an address nobody answers at, something there that is no Dask
    scheduler, or no address at all, is an InputError naming the option within
    `SCHEDULER_WAIT` (and a moment), before any work starts, not an error after it."""
    if not scheduler:
        return
    from dask.utils import parse_timedelta
    from distributed.comm import get_address_host_port, parse_address
    from distributed.comm.registry import get_backend

    try:  # no address at all (an unknown scheme, no port): said before it is asked
        if parse_address(scheduler)[0] in _HOST_PORT_SCHEMES:
            get_address_host_port(scheduler)
        else:
            get_backend(parse_address(scheduler)[0])
    except (ValueError, NotImplementedError) as wrong:
        raise InputError([Problem(scheduler, None, "--scheduler", "the address of a running "
                                  "Dask scheduler, such as tcp://10.0.0.5:8786",
                                  f"no such address ({wrong})", label="option")]) from None

    wait = parse_timedelta(SCHEDULER_WAIT)
    answer: list[BaseException | None] = []
    # Distributed's timeout bounds the connection, not the greeting after it: a server
    # that accepts and says nothing (an HTTP one, the dashboard's port) held Client() for
    # minutes, so the greeting gets a deadline too, a second after the connection's. A
    # loop of its own, in a thread of its own, whatever loop the caller runs (a notebook).
    checker = threading.Thread(target=lambda: answer.append(_greet(scheduler, wait)),
                               name="estate-check-scheduler", daemon=True)
    checker.start()
    checker.join(wait + _STOP_SECONDS)
    exc = answer[0] if answer else TimeoutError()
    if exc is None:
        return
    if isinstance(exc, TimeoutError):
        found = (f"something accepts connections there but did not answer as a Dask "
                 f"scheduler within {wait:g} s (another service, or the dashboard's port?)")
    elif isinstance(exc, _comm_closed() | MemoryError):
        # it answered in another protocol, read as a Dask message (an HTTP reply's
        # bytes taken for a length: "Unable to allocate 3.07 EiB"), or hung up
        found = ("something answers there, but not as a Dask scheduler does (another "
                 "service, a Dask worker, or the dashboard's port?)")
    elif isinstance(exc, OSError):
        found = f"no scheduler there ({exc})"  # refused, or unreachable until the deadline
    else:  # what Dask made of an answer it could not read, or of the address's settings
        said = str(exc).strip() or "an answer Dask could not read"
        found = (f"no Dask scheduler answered there ({said}): another service, a Dask "
                 "worker or the dashboard's port, or settings the address needs (tls:// "
                 "needs Dask's TLS settings)?")
    raise InputError([Problem(scheduler, None, "--scheduler",
                              "the address of a running Dask scheduler, such as "
                              "tcp://10.0.0.5:8786", found, label="option")])


def _greet(scheduler: str, wait: float) -> BaseException | None:
    """Connect a client to `scheduler` (within `wait` seconds) and close it, all within
    a second more; what went wrong (TimeoutError: connected, but no greeting), or None."""
    import asyncio

    from distributed import Client

    async def greet() -> None:
        client = Client(scheduler, asynchronous=True, timeout=wait)
        try:
            await asyncio.wait_for(client, wait + 1)
        finally:  # closed here, or its finalizer tries once this loop is gone
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.close(), 1)

    try:
        asyncio.run(greet())
    except BaseException as exc:  # refused, no such address, a scheme it lacks, garbage
        return exc
    return None


_HOST_PORT_SCHEMES = ("tcp", "tls", "ws", "wss")
"""Address schemes that are a host and a port, checked as such before connecting (ucx://
and inproc:// are left to Dask)."""


def _comm_closed() -> type[BaseException]:
    from distributed.comm.core import CommClosedError

    return CommClosedError


def _dask(fn: Callable[[Any], Any], tasks: Sequence[Any], workers: int,
          scheduler: str | None, quiet: bool) -> Runs:
    from distributed import Client, LocalCluster
    from distributed import as_completed as dask_completed

    with contextlib.ExitStack() as stack:
        if scheduler:
            client = stack.enter_context(Client(scheduler))
        else:
            cluster = stack.enter_context(LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True,
                dashboard_address=None))
            client = stack.enter_context(Client(cluster))
            if quiet:  # our own workers only: someone else's cluster is theirs to set up
                client.run(_quiet_output)
        futures: list[Any] = []
        try:
            futures = client.map(fn, tasks, pure=False)
            index = {future.key: i for i, future in enumerate(futures)}
            for future in dask_completed(futures):
                yield index[future.key], _outcome(future.result)
        except BaseException:
            # A shared cluster keeps running: take our tasks off it (a client that can no
            # longer reach the scheduler must not hide the interrupt).
            with contextlib.suppress(Exception):
                client.cancel(futures, force=True)
            raise


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """While tasks run, SIGTERM (and SIGHUP) stops them as Ctrl-C does (signals reach
    the main thread only, so elsewhere nothing changes). Not in a pool worker running tasks of
    its own: SIGTERM ends it at once, and its workers die with it. A caller may hold it
    longer (a sweep, from its first check to its last file)."""
    if _in_worker or threading.current_thread() is not threading.main_thread():
        yield
        return
    # SIGHUP too (the terminal or ssh session closed), unless it is ignored (`nohup`)
    stopping = [signal.SIGTERM] + ([signal.SIGHUP] if signal.getsignal(signal.SIGHUP)
                                   is not signal.SIG_IGN else [])
    previous = {sig: signal.signal(sig, _interrupt) for sig in stopping}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            with contextlib.suppress(ValueError):  # closed by the collector in another thread
                signal.signal(sig, handler)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _interruptible(runs: Runs) -> Runs:
    with sigterm_as_interrupt(), contextlib.closing(runs):
        yield from runs


def _start_worker(parent: int, quiet: bool) -> None:
    """A pool worker's first act: leave Ctrl-C to the parent, die with it, keep quiet."""
    global _in_worker
    _in_worker = True
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # spawned with SIGINT blocked (_sigint_held): one already pending is dropped now
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _die_with_parent(parent)
    if quiet:
        _quiet_output()


def _die_with_parent(parent: int) -> None:
    """End this process when `parent` ends: by the kernel on Linux, else by a watcher."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent:  # the parent died before the call
                    os._exit(1)
                return
    threading.Thread(target=_watch, args=(parent,), daemon=True).start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _quiet_output() -> None:
    """Standard output and error to /dev/null (solver banners are written from C)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
