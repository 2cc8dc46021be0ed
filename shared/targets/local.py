"""The local targets: jobs solved by worker processes owned by this host process.

The pool is per process, so the jobs it knows die with the process; a poll for a job it does
not know raises TargetJobLost and the orchestration submits it again (local work is free to
repeat). Each running job has a worker process of its own (worker_process.py), so stopping a
job that ignores its stop request, one far past its time limit, or one over its memory limit
kills that job's process only.

A thread per running job watches its worker: it reads the worker's messages, and every
`_WATCH_SECONDS` the worker's resident memory (the memory limit), the job's time since its
solver started (not since it was handed over: a cold worker's imports and numba warm-up on a
busy machine are not the job's time), and how long a cancelled job has had to stop.

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
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..config import default_worker_memory_mb, settings
from ..jobs import JobError, JobState
from ..kinds import KINDS
from ..processes.fair_queue import FairQueue
from . import TargetJobLost, TargetStatus
from .worker_process import WorkerDied, WorkerProcess, new_worker

log = logging.getLogger("qjobs.local")

LOCAL_TARGETS = ("local.optimizer", "local.simulator", "local.estimator")
_KEEP_FINISHED_SECONDS = 900
_STOP_GRACE_SECONDS = 5.0  # a cancelled job gets this long to stop before its process is killed
_WATCH_SECONDS = 0.1  # how often a running job's worker is looked at
# A worker that has not started the job's solver this long after the hand-over is killed
# (its start-up takes seconds on a busy machine, never minutes).
_START_SECONDS = 300.0


def budget_grace(time_limit: float) -> float:
    """How long past its `time_limit` (counted from when its solver started) a job may run
    before its worker is killed: solvers that honour their limit return within it even on a
    busy machine, so only a job stuck inside one call (qdk running a loop) is killed."""
    return max(5.0, 0.5 * time_limit)


def _timed_out(seconds: float) -> JobError:
    return JobError(
        "timeout",
        f"The job did not stop at its time limit ({seconds:g} s): its worker process was"
        f" killed {budget_grace(seconds):g} s after it.",
    )


def _over_memory(limit_mb: int, used_mb: float) -> JobError:
    return JobError(
        "target_error",
        f"The job ran out of memory: its worker process used {used_mb:,.0f} MB, over the local"
        f" targets' limit of {limit_mb:,} MB per job, and was killed.",
    )


def _crashed(how: str) -> JobError:
    return JobError("target_error", f"The job crashed its worker process ({how}).")


@dataclass(eq=False)
class _LocalJob:
    job_id: str
    owner: str
    kind: str
    problem: dict[str, Any] | None
    time_limit: float | None
    state: JobState = JobState.WAITING
    output: dict[str, Any] | None = None
    error: JobError | None = None
    cancelled_at: float | None = None  # monotonic time of the cancel request
    worker: WorkerProcess | None = None
    items: dict[str, int] | None = None  # a batch's counters, as its worker last reported
    finished_at: float | None = None
    done: threading.Event = field(default_factory=threading.Event)
    on_done: Callable[[], None] | None = None
    waiters: list[Callable[[], None]] = field(default_factory=list)


class LocalPool:
    """The worker processes and the jobs they run, shared by every local target."""

    def __init__(
        self,
        workers: int,
        memory_mb: int | None = None,
        stop_grace_seconds: float = _STOP_GRACE_SECONDS,
    ) -> None:
        """`memory_mb`: each job's limit (QJOBS_WORKER_MEMORY_MB's default when None)."""
        self._workers = workers
        self._max_processes = 2 * workers
        self._memory_mb = default_worker_memory_mb(workers) if memory_mb is None else memory_mb
        self._stop_grace_seconds = stop_grace_seconds
        self._lock = threading.Lock()
        self._jobs: dict[str, _LocalJob] = {}
        self._queue: FairQueue[_LocalJob] = FairQueue()
        self._running: Counter[str] = Counter()
        self._idle: list[WorkerProcess] = []
        self._busy: set[WorkerProcess] = set()
        self._closed = False
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
        return TargetStatus(job.state, job.error, items=job.items)

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
            if job.done.is_set() or job.cancelled_at is not None:
                return
            job.cancelled_at = time.monotonic()
            if self._queue.remove(job.owner, job):
                self._end(job, JobState.CANCELLED, error=JobError("cancelled", "Cancelled."))
                callback = self._take_callback(job)
            else:
                callback = None
                # The job's watching thread kills the worker if the job ignores this.
                assert job.worker is not None
                job.worker.ask_to_stop()
        if callback is not None:
            callback()

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
        return new_worker()

    def _run(self, job: _LocalJob) -> None:
        """Runs in a thread per running job: hand the job to its worker, watch it until its
        outcome."""
        worker = job.worker
        assert worker is not None and job.problem is not None
        try:
            worker.start(job.kind, job.problem)
            job.problem = None
            if job.cancelled_at is not None:  # cancelled before the hand-over: ask again
                worker.ask_to_stop()
            outcome = self._watch(job, worker)
        except WorkerDied as died:
            outcome = ("died", str(died))
        with self._lock:
            self._finish(job, worker, outcome)
            callback = self._take_callback(job)
            self._start_what_can_run()
        if callback is not None:
            callback()

    def _watch(self, job: _LocalJob, worker: WorkerProcess) -> tuple[str, Any]:
        """The job's outcome: the worker's ("ok", output) or ("error", message), or what
        ended it: ("died", how), ("memory", MB used), ("timeout", None), ("stuck", None)."""
        handed_over = time.monotonic()
        solving_since: float | None = None
        while True:
            message = worker.message(_WATCH_SECONDS)
            now = time.monotonic()
            if message is not None and message[0] == "started":
                solving_since = now
                continue
            if message is not None and message[0] == "progress":
                # A batch starts its next item: the time limit counts from each item's start.
                job.items = message[1]
                solving_since = now
                continue
            if message is not None:
                return message
            ending = self._why_kill(job, worker, now, handed_over, solving_since)
            if ending is not None:
                worker.kill()
                return ending

    def _why_kill(
        self,
        job: _LocalJob,
        worker: WorkerProcess,
        now: float,
        handed_over: float,
        solving_since: float | None,
    ) -> tuple[str, Any] | None:
        """Why the job's worker must be killed now (an outcome as `_watch`'s), or None."""
        used_mb = worker.memory_mb()
        if used_mb > self._memory_mb:
            return ("memory", used_mb)
        cancelled_at = job.cancelled_at
        if cancelled_at is not None and now > cancelled_at + self._stop_grace_seconds:
            log.warning("cancelled local job %s did not stop; killing its worker", job.job_id)
            return ("stuck", None)
        if solving_since is None:
            if now > handed_over + _START_SECONDS:
                return ("died", f"it did not start the job within {_START_SECONDS:g} s")
            return None
        limit = job.time_limit
        if limit is not None and now > solving_since + limit + budget_grace(limit):
            log.warning("local job %s ignored its time limit; killing its worker", job.job_id)
            return ("timeout", None)
        return None

    def _finish(self, job: _LocalJob, worker: WorkerProcess, outcome: tuple[str, Any]) -> None:
        self._running[job.owner] -= 1
        if not self._running[job.owner]:
            del self._running[job.owner]
        self._busy.discard(worker)
        job.worker = None
        if worker.alive and not self._closed:
            self._idle.append(worker)
        if job.cancelled_at is not None:
            # A cancelled batch's output holds the items that had finished.
            output = outcome[1] if outcome[0] == "ok" else None
            self._end(
                job, JobState.CANCELLED, output=output, error=JobError("cancelled", "Cancelled.")
            )
        elif outcome[0] == "timeout" and job.time_limit is not None:
            self._end(job, JobState.FAILED, error=_timed_out(job.time_limit))
        elif outcome[0] == "memory":
            self._end(job, JobState.FAILED, error=_over_memory(self._memory_mb, outcome[1]))
        elif outcome[0] == "died":
            log.warning("local job %s crashed its worker: %s", job.job_id, outcome[1])
            self._end(job, JobState.FAILED, error=_crashed(outcome[1]))
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
            del self._jobs[job_id]

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = [*self._idle, *self._busy]
            self._idle.clear()
        for worker in workers:
            worker.kill()


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
            _pool = LocalPool(settings().local_workers, settings().worker_memory_mb)
    return LocalTarget(name, _pool)
