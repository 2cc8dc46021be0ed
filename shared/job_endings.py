"""The moment a job ends, as this host learns it: the finish_job activity announces the final
lifecycle here, and every request waiting for that job (`Prefer: wait=N`) is woken at once.

Waiters are asyncio futures keyed by job id; a waiter holds no thread. The durable status
turns final only when the orchestration has replayed after finish_job, so the announced
lifecycle is also kept (the most recent ones, bounded) for reads in between. A job that ends
on another instance is never announced here: waiters fall back to reading its status.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from .jobs import Lifecycle

_RECENT_MAX_JOBS = 1024


class JobEndings:
    """Waiters for job ends, and the last ends announced. Safe to use from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: dict[str, set[asyncio.Future[Lifecycle]]] = {}
        self._recent: OrderedDict[str, Lifecycle] = OrderedDict()

    def announce(self, job_id: str, lifecycle: Lifecycle) -> None:
        """The job has ended with this (final) lifecycle: wake everyone waiting for it."""
        with self._lock:
            self._recent[job_id] = lifecycle
            self._recent.move_to_end(job_id)
            if len(self._recent) > _RECENT_MAX_JOBS:
                self._recent.popitem(last=False)
            waiters = self._waiters.pop(job_id, set())
        for waiter in waiters:
            waiter.get_loop().call_soon_threadsafe(_settle, waiter, lifecycle)

    def ended(self, job_id: str) -> Lifecycle | None:
        """The job's final lifecycle if its end was announced here recently."""
        with self._lock:
            return self._recent.get(job_id)

    @contextmanager
    def watching(self, job_id: str) -> Iterator[asyncio.Future[Lifecycle]]:
        """A future that gets the job's final lifecycle when its end is announced; enter it
        before reading the job, so an end between the read and the wait is not missed."""
        waiter: asyncio.Future[Lifecycle] = asyncio.get_running_loop().create_future()
        with self._lock:
            known = self._recent.get(job_id)
            if known is None:
                self._waiters.setdefault(job_id, set()).add(waiter)
        if known is not None:
            waiter.set_result(known)
        try:
            yield waiter
        finally:
            with self._lock:
                waiters = self._waiters.get(job_id)
                if waiters is not None:
                    waiters.discard(waiter)
                    if not waiters:
                        del self._waiters[job_id]
            waiter.cancel()

    def waiting(self) -> int:
        """How many requests wait for a job's end now."""
        with self._lock:
            return sum(len(waiters) for waiters in self._waiters.values())


def _settle(waiter: asyncio.Future[Lifecycle], lifecycle: Lifecycle) -> None:
    if not waiter.done():
        waiter.set_result(lifecycle)


job_endings = JobEndings()
