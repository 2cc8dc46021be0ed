"""What the stand-in was asked: its jobs, every job a PUT created, every cancel call, a
count of calls per route (so tests can count round trips per job) and of injected faults."""

from __future__ import annotations

import collections
import copy
import threading
from typing import Any

from .jobs import Job


class Records:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._created: list[dict[str, Any]] = []
        self._cancels: list[dict[str, str]] = []
        self._calls: collections.Counter[str] = collections.Counter()
        self._faults: collections.Counter[str] = collections.Counter()

    def count_call(self, route: str) -> None:
        with self._lock:
            self._calls[route] += 1

    def count_fault(self, route: str) -> None:
        with self._lock:
            self._faults[route] += 1

    def job(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def jobs(self) -> list[Job]:
        with self._lock:
            return list(self._jobs.values())

    def create(self, job: Job) -> bool:
        """Add a new job; False (and nothing recorded) when the id exists."""
        with self._lock:
            if job.id in self._jobs:
                return False
            self._jobs[job.id] = job
            self._created.append(copy.deepcopy(job.details))
            return True

    def record_cancel(self, job_id: str, route: str, status_before: str) -> None:
        with self._lock:
            self._cancels.append({"id": job_id, "route": route, "statusBefore": status_before})

    def created_jobs(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._created)

    def cancel_calls(self) -> list[dict[str, str]]:
        with self._lock:
            return copy.deepcopy(self._cancels)

    def calls(self) -> dict[str, int]:
        with self._lock:
            return dict(self._calls)

    def faults(self) -> dict[str, int]:
        with self._lock:
            return dict(self._faults)

    def clear(self) -> list[Job]:
        """Forget everything; returns the jobs that were known (so their threads can stop)."""
        with self._lock:
            jobs = list(self._jobs.values())
            self._jobs.clear()
            self._created.clear()
            self._cancels.clear()
            self._calls.clear()
            self._faults.clear()
            return jobs
