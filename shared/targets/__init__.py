"""Targets run jobs: `local.*` in this process's worker pool, later Azure Quantum's.

A target is addressed by name (`local.optimizer`); the orchestrator's activities submit to
it, poll it, fetch its output and cancel through this one interface.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from ..jobs import JobError, JobState


@dataclass(frozen=True)
class TargetStatus:
    state: JobState
    error: JobError | None = None


class TargetJobLost(Exception):
    """The target has no job with this id (a local target restarted): submit it again."""


class Target(Protocol):
    name: str

    def submit(self, job_id: str, kind: str, problem: dict[str, Any], owner: str) -> str:
        """Start the job for client `owner` (whom a shared target schedules fairly);
        submitting the same job id again returns the same target job."""

    async def settle(self, target_job_id: str, seconds: float) -> None:
        """Wait up to `seconds` for the job to finish (at once if it has); a target that
        cannot tell returns at once, and the orchestrator's timers do the waiting."""

    def status(self, target_job_id: str) -> TargetStatus: ...

    def output(self, target_job_id: str) -> dict[str, Any]: ...

    def cancel(self, target_job_id: str) -> None: ...


@runtime_checkable
class NotifiesWhenDone(Protocol):
    """A target that can say when a job ends (the local targets), so its orchestration need
    not wait for its next poll."""

    def when_done(self, target_job_id: str, callback: Callable[[], None]) -> None:
        """Call `callback` once, from any thread, when the job ends (not if it already has)."""


def target_named(name: str) -> Target:
    """The target called `name`; KeyError for a name no kind offers."""
    from .local import local_target

    if name.startswith("local."):
        return local_target(name)
    raise KeyError(name)
