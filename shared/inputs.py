"""GET /api/jobs/{id}/input: a job as it was submitted, read back from its record."""

from __future__ import annotations

from typing import Any

from .jobs import JobView
from .problems import ApiError
from .storage import job_store


async def job_input(view: JobView) -> dict[str, Any]:
    """The job's envelope and its kind's fields as validated on submission.

    The record is written before the job starts, so a missing one is a fault of the store."""
    problem = await job_store().get_problem(view.spec)
    if problem is None:
        raise ApiError(
            500,
            "job-input-missing",
            "Input missing",
            f"The input of job {view.spec.id} is no longer stored.",
        )
    spec = view.spec
    return {
        "id": spec.id,
        "name": spec.name,
        "kind": spec.kind,
        "target": spec.target,
        "input": problem,
    }
