"""The local targets: jobs solved in a pool of worker processes owned by this host process.

The pool is per process, so the jobs it knows die with the process; a poll for a job it does
not know raises TargetJobLost and the orchestration submits it again (local work is free to
repeat). Worker processes are spawned (never forked from the multi-threaded host) and die
with the host however it ends (lifeline.py).
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import multiprocessing
import os
import shutil
import tempfile
import threading
import time
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from ..config import settings
from ..jobs import JobError, JobState
from ..kinds import KINDS
from . import TargetJobLost, TargetStatus
from .lifeline import die_with_parent
from .local_worker import run_job

log = logging.getLogger("qjobs.local")

LOCAL_TARGETS = ("local.optimizer", "local.simulator")
_KEEP_FINISHED_SECONDS = 900
_STOP_GRACE_SECONDS = 5.0  # a cancelled job gets this long to stop before its pool is replaced


@dataclass
class _LocalJob:
    kind: str
    future: Future[dict[str, Any]]
    cancel_flag: str
    cancelled: bool = False
    finished_at: float | None = field(default=None)


class LocalPool:
    """The worker processes and the jobs they run, shared by every local target."""

    def __init__(self, workers: int, stop_grace_seconds: float = _STOP_GRACE_SECONDS) -> None:
        self._workers = workers
        self._stop_grace_seconds = stop_grace_seconds
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._jobs: dict[str, _LocalJob] = {}
        self._flags = tempfile.mkdtemp(prefix="qjobs-local-")
        atexit.register(self.close)

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self._workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=die_with_parent,
            )
        return self._executor

    def submit(self, job_id: str, kind: str, problem: dict[str, Any]) -> str:
        if kind not in KINDS:
            raise ValueError(f"no job kind {kind!r}")
        with self._lock:
            self._forget_old_jobs()
            if job_id in self._jobs:
                return job_id
            flag = os.path.join(self._flags, job_id)
            try:
                future = self._pool().submit(run_job, kind, problem, flag)
            except BrokenProcessPool:
                self._executor = None
                future = self._pool().submit(run_job, kind, problem, flag)
            job = _LocalJob(kind, future, flag)
            future.add_done_callback(lambda _: setattr(job, "finished_at", time.monotonic()))
            self._jobs[job_id] = job
        return job_id

    def _job(self, job_id: str) -> _LocalJob:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise TargetJobLost(job_id)
        return job

    def status(self, job_id: str) -> TargetStatus:
        job = self._job(job_id)
        future = job.future
        if job.cancelled:
            if future.done() or not future.running():
                return TargetStatus(JobState.CANCELLED)
            return TargetStatus(JobState.EXECUTING)
        if not future.done():
            return TargetStatus(JobState.EXECUTING if future.running() else JobState.WAITING)
        error = _failure(future)
        if error is not None:
            return TargetStatus(JobState.FAILED, error)
        return TargetStatus(JobState.SUCCEEDED)

    async def settle(self, job_id: str, seconds: float) -> None:
        future = self._job(job_id).future
        if not future.done():
            # Never cancel the waiter: that would cancel the job itself.
            done, _ = await asyncio.wait([asyncio.wrap_future(future)], timeout=seconds)
            for waiter in done:
                if not waiter.cancelled():
                    waiter.exception()  # read here; status() reports it

    def output(self, job_id: str) -> dict[str, Any]:
        return self._job(job_id).future.result(timeout=0)

    def cancel(self, job_id: str) -> None:
        try:
            job = self._job(job_id)
        except TargetJobLost:
            return
        job.cancelled = True
        if not job.future.cancel():
            with open(job.cancel_flag, "w"):
                pass
            watchdog = threading.Timer(self._stop_grace_seconds, self._stop_stuck, (job,))
            watchdog.daemon = True
            watchdog.start()

    def _stop_stuck(self, job: _LocalJob) -> None:
        """A cancelled job whose solver ignores the flag (a circuit looping forever, say):
        replace the whole pool. Jobs that were still running in it are forgotten, so their
        next poll finds them lost and submits them again."""
        with self._lock:
            if job.future.done() or self._executor is None:
                return
            executor, self._executor = self._executor, None
            for job_id, other in list(self._jobs.items()):
                if not other.future.done() and not other.cancelled:
                    del self._jobs[job_id]
        log.warning("a cancelled local job did not stop; restarting the local worker pool")
        # ProcessPoolExecutor cannot stop a running task; its worker processes are killed
        # (Python 3.14 adds terminate_workers() for this).
        for process in list(getattr(executor, "_processes", {}).values()):
            process.kill()
        executor.shutdown(wait=False, cancel_futures=True)

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
            if self._executor is not None:
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = None
        shutil.rmtree(self._flags, ignore_errors=True)


def _failure(future: Future[dict[str, Any]]) -> JobError | None:
    try:
        error = future.exception(timeout=0)
    except CancelledError:
        return JobError("cancelled", "The job was cancelled before it started.")
    if error is None:
        return None
    if isinstance(error, BrokenProcessPool):
        return JobError("target_error", "The local worker process running the job died.")
    log.warning("local job failed: %s: %s", type(error).__name__, error)
    return JobError("target_error", f"The local target could not run the job: {error}")


@dataclass(frozen=True)
class LocalTarget:
    name: str
    pool: LocalPool

    def submit(self, job_id: str, kind: str, problem: dict[str, Any]) -> str:
        return self.pool.submit(job_id, kind, problem)

    async def settle(self, target_job_id: str, seconds: float) -> None:
        await self.pool.settle(target_job_id, seconds)

    def status(self, target_job_id: str) -> TargetStatus:
        return self.pool.status(target_job_id)

    def output(self, target_job_id: str) -> dict[str, Any]:
        return self.pool.output(target_job_id)

    def cancel(self, target_job_id: str) -> None:
        self.pool.cancel(target_job_id)


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
