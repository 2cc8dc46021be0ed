"""Targets run jobs: `local.*` in this process's worker pool, the others on Azure Quantum.

A target is addressed by name (`local.optimizer`, `ionq.simulator`); the orchestrator's
activities submit to it, poll it, fetch its output and cancel through this one interface.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from ..jobs import JobError, JobState
from .catalog import RemoteTarget, remote_targets


@dataclass(frozen=True)
class TargetStatus:
    state: JobState
    error: JobError | None = None
    # What a remote provider says beyond the state: its own status, cost estimate, error.
    provider: dict[str, Any] | None = None
    # A batch's item counters while it runs (see shared/batches.py); None for other jobs.
    items: dict[str, int] | None = None


class TargetJobLost(Exception):
    """The target has no job with this id (a local target restarted): submit it again."""


class TargetUnreachable(Exception):
    """The target did not answer or asked to slow down: try again later."""


class TargetRejected(Exception):
    """The target refused the job for good (bad input, quota, unknown target): it fails."""

    def __init__(self, error: JobError) -> None:
        super().__init__(error.message)
        self.error = error


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


@functools.cache
def offered_remote_targets() -> dict[str, RemoteTarget]:
    """This process's remote targets (app settings do not change while a worker runs)."""
    return remote_targets()


async def target_named(name: str, batch: bool = False) -> Target:
    """The target called `name` (for a `batch` job's items, on a remote target); KeyError for
    a name no kind offers, TargetRejected for a remote target while no Azure Quantum
    workspace is configured."""
    if name.startswith("local."):
        from .local import local_target

        return local_target(name)
    info = offered_remote_targets()[name]
    from ..workspace import workspace_coordinates
    from .azure_quantum import AzureQuantumTarget

    coordinates = await workspace_coordinates()
    if coordinates is None:
        raise TargetRejected(
            JobError("target_unavailable", f"No Azure Quantum workspace is configured for {name}.")
        )
    target = AzureQuantumTarget(info, coordinates)
    if batch:
        from .remote_batch import RemoteBatch

        return RemoteBatch(target)
    return target
