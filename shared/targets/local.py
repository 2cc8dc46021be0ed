"""The local targets: jobs solved by worker processes owned by this host process.

The pool is per process, so the jobs it knows die with the process; a poll for a job it does
not know raises TargetJobLost and the orchestration submits it again (local work is free to
repeat). Each running job has a worker process of its own (worker_process.py), so stopping a
job that ignores its stop flag, or one past its time limit, kills that job's process only.

Waiting jobs are shared between clients by FairQueue. Up to `workers` jobs run at once; beyond
that, a client with nothing running still gets one job started on an extra process (at most
`workers` extra), so a small job never waits behind another client's long ones: the cores are
then shared by the operating system.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import os
import shutil
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..config import settings
from ..jobs import JobError, JobState
from ..kinds import KINDS
from ..processes.fair_queue import FairQueue
from . import TargetJobLost, TargetStatus
from .worker_process import WorkerDied, WorkerProcess

log = logging.getLogger("qjobs.local")

LOCAL_TARGETS = ("local.optimizer", "local.simulator")
_KEEP_FINISHED_SECONDS = 900
_STOP_GRACE_SECONDS = 5.0  # a cancelled job gets this long to stop before its process is killed
# A job with a `time_limit` is killed this long after it: solvers that honour their limit
# have returned by then, so only a job stuck inside one call (qdk running a loop) is killed.
_BUDGET_GRACE_SECONDS = 1.0

_DIED = JobError("target_error", "The local worker process running the job died.")


def _timed_out(seconds: float) -> JobError:
    return JobError("timeout", f"The job did not finish within its time limit ({seconds:g} s).")


@dataclass(eq=False)
class _LocalJob:
    job_id: str
    owner: str
    kind: str
    problem: dict[str, Any] | None
    cancel_flag: str
    time_limit: float | None
    state: JobState = JobState.WAITING
    output: dict[str, Any] | None = None
    error: JobError | None = None
    cancelled: bool = False
    worker: WorkerProcess | None = None
    finished_at: float | None = None
    done: threading.Event = field(default_factory=threading.Event)
    on_done: Callable[[], None] | None = None
    waiters: list[Callable[[], None]] = field(default_factory=list)


class LocalPool:
    """The worker processes and the jobs they run, shared by every local target."""

    def __init__(self, workers: int, stop_grace_seconds: float = _STOP_GRACE_SECONDS) -> None:
        self._workers = workers
        self._max_processes = 2 * workers
        self._stop_grace_seconds = stop_grace_seconds
        self._lock = threading.Lock()
        self._jobs: dict[str, _LocalJob] = {}
        self._queue: FairQueue[_LocalJob] = FairQueue()
        self._running: Counter[str] = Counter()
        self._idle: list[WorkerProcess] = []
        self._busy: set[WorkerProcess] = set()
        self._closed = False
        self._flags = tempfile.mkdtemp(prefix="qjobs-local-")
        atexit.register(self.close)

    def submit(self, job_id: str, kind: str, problem: dict[str, Any], owner: str) -> str:
        if kind not in KINDS:
            raise ValueError(f"no job kind {kind!r}")
        with self._lock:
            self._forget_old_jobs()
            if job_id in self._jobs:
                return job_id
            limit = problem.get("time_limit")
            job = _LocalJob(
                job_id,
                owner,
                kind,
                problem,
                os.path.join(self._flags, job_id),
                float(limit) if isinstance(limit, int | float) else None,
            )
            self._jobs[job_id] = job
            self._queue.push(owner, job)
            self._start_what_can_run()
        return job_id

    def when_done(self, job_id: str, callback: Callable[[], None]) -> None:
        """Call `callback` once, from a pool thread, when the job ends (not if it has already
        ended; the latest callback given for a job replaces earlier ones)."""
        job = self._job(job_id)
        with self._lock:
            if not job.done.is_set():
                job.on_done = callback

    def _job(self, job_id: str) -> _LocalJob:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise TargetJobLost(job_id)
        return job

    def status(self, job_id: str) -> TargetStatus:
        job = self._job(job_id)
        return TargetStatus(job.state, job.error)

    async def settle(self, job_id: str, seconds: float) -> None:
        job = self._job(job_id)
        loop = asyncio.get_running_loop()
        ended: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            loop.call_soon_threadsafe(lambda: ended.done() or ended.set_result(None))

        with self._lock:
            if job.done.is_set() or seconds <= 0:
                return
            job.waiters.append(wake)
        try:
            await asyncio.wait_for(ended, seconds)
        except TimeoutError:
            pass
        finally:
            with self._lock:
                if wake in job.waiters:
                    job.waiters.remove(wake)

    def output(self, job_id: str) -> dict[str, Any]:
        job = self._job(job_id)
        if job.output is None:
            raise ValueError(f"job {job_id} has no output (state {job.state.value})")
        return job.output

    def cancel(self, job_id: str) -> None:
        try:
            job = self._job(job_id)
        except TargetJobLost:
            return
        with self._lock:
            if job.done.is_set() or job.cancelled:
                return
            job.cancelled = True
            if self._queue.remove(job.owner, job):
                self._end(job, JobState.CANCELLED, error=JobError("cancelled", "Cancelled."))
                callback = self._take_callback(job)
            else:
                callback = None
                with open(job.cancel_flag, "w"):
                    pass
                watchdog = threading.Timer(self._stop_grace_seconds, self._stop_stuck, (job,))
                watchdog.daemon = True
                watchdog.start()
        if callback is not None:
            callback()

    def _stop_stuck(self, job: _LocalJob) -> None:
        """A cancelled job whose solver ignores the flag (a circuit looping forever): kill its
        worker process; no other job is touched."""
        # Under the lock: a job that ends hands its worker on to the next job, and that job's
        # worker must not be the one killed.
        with self._lock:
            if job.done.is_set() or job.worker is None:
                return
            log.warning("cancelled local job %s did not stop; killing its worker", job.job_id)
            job.worker.kill()

    def worker_pids(self) -> list[int]:
        with self._lock:
            workers = [*self._idle, *self._busy]
        return [worker.pid for worker in workers if worker.pid is not None]

    # scheduling (called with the lock held) ------------------------------------------------
    def _start_what_can_run(self) -> None:
        while not self._closed:
            total = sum(self._running.values())
            owner = self._queue.next_owner(self._running)
            if owner is None or total >= self._max_processes:
                return
            if total >= self._workers and self._running[owner] > 0:
                return
            job = self._queue.pop(owner)
            self._running[owner] += 1
            job.state = JobState.EXECUTING
            job.worker = self._worker()
            self._busy.add(job.worker)
            threading.Thread(
                target=self._run, args=(job,), name=f"qjobs-local-{job.job_id[:8]}", daemon=True
            ).start()

    def _worker(self) -> WorkerProcess:
        while self._idle:
            worker = self._idle.pop()
            if worker.alive:
                return worker
        return WorkerProcess()

    def _run(self, job: _LocalJob) -> None:
        """Runs in a thread per running job: hand the job to its worker, wait for the outcome."""
        worker = job.worker
        assert worker is not None and job.problem is not None
        deadline = None if job.time_limit is None else job.time_limit + _BUDGET_GRACE_SECONDS
        outcome: tuple[str, Any]
        try:
            worker.start(job.kind, job.problem, job.cancel_flag)
            job.problem = None
            outcome = worker.outcome(deadline) or ("timeout", None)
        except WorkerDied:
            outcome = ("died", None)
        if outcome[0] == "timeout":
            worker.kill()
        with self._lock:
            self._finish(job, worker, outcome)
            callback = self._take_callback(job)
            self._start_what_can_run()
        if callback is not None:
            callback()

    def _finish(self, job: _LocalJob, worker: WorkerProcess, outcome: tuple[str, Any]) -> None:
        self._running[job.owner] -= 1
        if not self._running[job.owner]:
            del self._running[job.owner]
        self._busy.discard(worker)
        job.worker = None
        if worker.alive and not self._closed:
            self._idle.append(worker)
        if job.cancelled:
            self._end(job, JobState.CANCELLED, error=JobError("cancelled", "Cancelled."))
        elif outcome[0] == "timeout" and job.time_limit is not None:
            self._end(job, JobState.FAILED, error=_timed_out(job.time_limit))
        elif outcome[0] in ("timeout", "died"):
            self._end(job, JobState.FAILED, error=_DIED)
        elif outcome[0] == "ok":
            self._end(job, JobState.SUCCEEDED, output=outcome[1])
        else:
            log.warning("local job %s failed: %s", job.job_id, outcome[1])
            message = f"The local target could not run the job: {outcome[1]}"
            self._end(job, JobState.FAILED, error=JobError("target_error", message))

    def _end(
        self,
        job: _LocalJob,
        state: JobState,
        *,
        output: dict[str, Any] | None = None,
        error: JobError | None = None,
    ) -> None:
        job.state, job.output, job.error = state, output, error
        job.problem = None
        job.finished_at = time.monotonic()
        job.done.set()
        for wake in job.waiters:
            with contextlib.suppress(RuntimeError):  # that waiter's event loop is closed
                wake()
        job.waiters.clear()

    def _take_callback(self, job: _LocalJob) -> Callable[[], None] | None:
        callback, job.on_done = job.on_done, None
        return callback

    def _forget_old_jobs(self) -> None:
        horizon = time.monotonic() - _KEEP_FINISHED_SECONDS
        for job_id in [
            job_id
            for job_id, job in self._jobs.items()
            if job.finished_at is not None and job.finished_at < horizon
        ]:
            job = self._jobs.pop(job_id)
            if os.path.exists(job.cancel_flag):
                os.unlink(job.cancel_flag)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = [*self._idle, *self._busy]
            self._idle.clear()
        for worker in workers:
            worker.kill()
        shutil.rmtree(self._flags, ignore_errors=True)


@dataclass(frozen=True)
class LocalTarget:
    name: str
    pool: LocalPool

    def submit(self, job_id: str, kind: str, problem: dict[str, Any], owner: str) -> str:
        return self.pool.submit(job_id, kind, problem, owner)

    async def settle(self, target_job_id: str, seconds: float) -> None:
        await self.pool.settle(target_job_id, seconds)

    def status(self, target_job_id: str) -> TargetStatus:
        return self.pool.status(target_job_id)

    def output(self, target_job_id: str) -> dict[str, Any]:
        return self.pool.output(target_job_id)

    def cancel(self, target_job_id: str) -> None:
        self.pool.cancel(target_job_id)

    def when_done(self, target_job_id: str, callback: Callable[[], None]) -> None:
        self.pool.when_done(target_job_id, callback)


_pool: LocalPool | None = None
_pool_lock = threading.Lock()


def local_target(name: str) -> LocalTarget:
    """The local target `name` (KeyError for an unknown local name)."""
    global _pool
    if name not in LOCAL_TARGETS:
        raise KeyError(name)
    with _pool_lock:
        if _pool is None:
            _pool = LocalPool(settings().local_workers)
    return LocalTarget(name, _pool)
