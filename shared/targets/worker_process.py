"""One spawned worker process of the local targets: it runs one job at a time, and it can be
killed alone (a stuck job, a job past its time limit or its memory limit) without touching any
other job.

The parent sends (number, kind, problem) down a pipe; the worker answers ("started", None) when
its solver starts (its imports and warm-up are done), for a batch ("progress", counters)
before each item, then one outcome: ("ok", output) or ("error", message). A process that
dies mid-job closes its end of the pipe, which the parent sees as WorkerDied, saying how the
process ended.

A stop request is a word of shared memory (no file: nothing is left behind by a host that
ends with os._exit or is killed): the parent writes the number of the job to stop, and the
solver's `should_stop` compares it with its own job's number, so a late request never stops
the worker's next job.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any

from ..processes.lifeline import die_with_parent
from ..processes.resident import resident_bytes

_SPAWN = multiprocessing.get_context("spawn")
# The kernel ties a child's parent-death signal (lifeline.die_with_parent) to the thread that
# started it, not to the process: a worker started by a job's short-lived thread would be
# killed when that thread ends. Every worker is started by this one long-lived thread instead.
_STARTER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qjobs-worker-starter")
# Workers run below the host's priority: solvers use every core for as long as they are
# allowed, and the host must keep answering requests and moving orchestrations meanwhile
# (with the cores full, another client's seed job took 5-20 s instead of under a second).
WORKER_NICENESS = 10

# What a signal that ended a worker most likely means, for the job's error.
_SIGNAL_MEANING = {
    signal.SIGSEGV: "a segmentation fault, most likely a stack overflow from recursion too deep",
    signal.SIGBUS: "a bus error, most likely a stack overflow from recursion too deep",
    signal.SIGABRT: "aborted, most likely a stack overflow or a failed memory allocation",
    signal.SIGKILL: "killed from outside, most likely by the kernel when memory ran out",
}


class WorkerDied(Exception):
    """The worker process ended (killed, or crashed) before answering; str() says how."""


def _serve(jobs: Connection, stop: Any) -> None:
    die_with_parent()
    from .local_worker import run_job, warm_up  # here: the parent never loads the solvers' state

    # After the imports: a worker started for a small job while long ones fill the cores
    # (another client's, see LocalPool) is ready in ~0.1 s instead of 1-2 s behind them.
    os.nice(WORKER_NICENESS)

    threading.Thread(target=warm_up, name="qjobs-warm-up", daemon=True).start()

    while True:
        try:
            number, kind, problem = jobs.recv()
        except EOFError:
            return
        jobs.send(("started", None))
        try:
            should_stop = _stop_request(stop, number)
            outcome: tuple[str, Any] = ("ok", run_job(kind, problem, should_stop, _reporter(jobs)))
        except Exception as error:  # the job's failure, reported to the parent as text
            outcome = ("error", f"{type(error).__name__}: {error}")
        jobs.send(outcome)
        del outcome
        _release_freed_memory()


def _release_freed_memory() -> None:
    """Give the memory the job freed back to the system, so the next job's memory limit is
    not spent on it: glibc keeps freed memory resident (MQT Bench's 6.7 MB Grover left the
    worker 200 MB larger until `malloc_trim`)."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # AttributeError: not glibc
        ctypes.CDLL(None).malloc_trim(0)


def _reporter(jobs: Connection) -> Callable[[dict[str, int]], None]:
    """How a batch reports its item counters to the parent (see LocalPool._watch)."""
    return lambda counters: jobs.send(("progress", counters))


def _stop_request(stop: Any, number: int) -> Callable[[], bool]:
    """The `should_stop` of job `number`: whether the parent has asked that job to stop."""
    return lambda: bool(stop.value == number)


def ending(exitcode: int | None) -> str:
    """How a process that exited with `exitcode` (multiprocessing's: -N for signal N) ended."""
    if exitcode is None:
        return "it ended, how is unknown"
    if exitcode >= 0:
        return f"it exited with code {exitcode}"
    try:
        name = signal.Signals(-exitcode).name
    except ValueError:
        return f"it was ended by signal {-exitcode}"
    meaning = _SIGNAL_MEANING.get(signal.Signals(-exitcode))
    return f"it was ended by {name}" + (f": {meaning}" if meaning else "")


class WorkerProcess:
    """A spawned process (it dies with its host: lifeline.py) serving one job at a time."""

    def __init__(self) -> None:
        self._jobs, child = _SPAWN.Pipe()
        self._stop = _SPAWN.RawValue("q", 0)  # the number of the job asked to stop
        self._number = 0  # the number of the job last handed over
        self._process = _SPAWN.Process(target=_serve, args=(child, self._stop), daemon=True)
        self._process.start()
        child.close()

    @property
    def pid(self) -> int | None:
        return self._process.pid

    @property
    def alive(self) -> bool:
        return self._process.is_alive()

    def start(self, kind: str, problem: dict[str, Any]) -> None:
        self._number += 1
        try:
            self._jobs.send((self._number, kind, problem))
        except OSError as error:
            raise WorkerDied(self._ending()) from error

    def ask_to_stop(self) -> None:
        """Ask the job handed over last to stop (its solver sees it at its next check)."""
        self._stop.value = self._number

    def message(self, timeout: float | None) -> tuple[str, Any] | None:
        """The worker's next message: ("started", None), then ("ok", output) or
        ("error", message); None when `timeout` passed first."""
        try:
            if not self._jobs.poll(timeout):
                return None
            return self._jobs.recv()
        except (EOFError, OSError) as error:
            raise WorkerDied(self._ending()) from error

    def memory_mb(self) -> float:
        """The process's resident memory in MB (0 once it has ended)."""
        return resident_bytes(self._process.pid) / 2**20

    def kill(self) -> None:
        self._process.kill()
        self._process.join(5)

    def _ending(self) -> str:
        self._process.join(5)
        return ending(self._process.exitcode)


def new_worker() -> WorkerProcess:
    """A new worker process, started by the long-lived starter thread (see _STARTER)."""
    return _STARTER.submit(WorkerProcess).result()
