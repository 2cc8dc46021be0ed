"""One spawned worker process of the local targets: it runs one job at a time, and it can be
killed alone (a stuck job, a job past its time limit) without touching any other job.

The parent sends (kind, problem, cancel flag) down a pipe and reads one outcome back:
("ok", output) or ("error", message). A process that dies mid-job closes its end of the pipe,
which the parent sees as WorkerDied.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from multiprocessing.connection import Connection
from typing import Any

from ..processes.lifeline import die_with_parent

_SPAWN = multiprocessing.get_context("spawn")
# Workers run below the host's priority: solvers use every core for as long as they are
# allowed, and the host must keep answering requests and moving orchestrations meanwhile
# (with the cores full, another client's seed job took 5-20 s instead of under a second).
WORKER_NICENESS = 10


class WorkerDied(Exception):
    """The worker process ended (killed, or crashed) before answering."""


def _serve(jobs: Connection) -> None:
    die_with_parent()
    from .local_worker import run_job, warm_up  # here: the parent never loads the solvers' state

    # After the imports: a worker started for a small job while long ones fill the cores
    # (another client's, see LocalPool) is ready in ~0.1 s instead of 1-2 s behind them.
    os.nice(WORKER_NICENESS)

    threading.Thread(target=warm_up, name="qjobs-warm-up", daemon=True).start()

    while True:
        try:
            kind, problem, cancel_flag = jobs.recv()
        except EOFError:
            return
        try:
            outcome: tuple[str, Any] = ("ok", run_job(kind, problem, cancel_flag))
        except Exception as error:  # the job's failure, reported to the parent as text
            outcome = ("error", f"{type(error).__name__}: {error}")
        jobs.send(outcome)


class WorkerProcess:
    """A spawned process (it dies with its host: lifeline.py) serving one job at a time."""

    def __init__(self) -> None:
        self._jobs, child = _SPAWN.Pipe()
        self._process = _SPAWN.Process(target=_serve, args=(child,), daemon=True)
        self._process.start()
        child.close()

    @property
    def pid(self) -> int | None:
        return self._process.pid

    @property
    def alive(self) -> bool:
        return self._process.is_alive()

    def start(self, kind: str, problem: dict[str, Any], cancel_flag: str) -> None:
        try:
            self._jobs.send((kind, problem, cancel_flag))
        except OSError as error:
            raise WorkerDied(str(error)) from error

    def outcome(self, timeout: float | None) -> tuple[str, Any] | None:
        """The job's ("ok", output) or ("error", message); None when `timeout` passed first."""
        try:
            if not self._jobs.poll(timeout):
                return None
            return self._jobs.recv()
        except (EOFError, OSError) as error:
            raise WorkerDied(str(error)) from error

    def kill(self) -> None:
        self._process.kill()
        self._process.join(5)
