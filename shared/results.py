"""GET /api/jobs/{id}/result: the result once succeeded, the job's error once it failed."""

from __future__ import annotations

from typing import Any

from .jobs import JobState, JobView
from .problems import ApiError
from .storage import job_store


class NotFinal(Exception):
    """The job is still waiting or executing."""


async def job_result(view: JobView) -> dict[str, Any]:
    """The stored result; NotFinal while running, 409 problem when failed or cancelled."""
    state = view.lifecycle.state
    if not state.is_final:
        raise NotFinal(view.spec.id)
    if state is not JobState.SUCCEEDED:
        error = view.lifecycle.error
        return_error = {"code": error.code, "message": error.message} if error else None
        finished_items = await _batch_items(view)
        raise ApiError(
            409,
            f"job-{state.value}",
            f"Job {state.value}",
            f"Job {view.spec.id} is {state.value}; it has no result."
            + (f" {error.message}" if error else ""),
            job_id=view.spec.id,
            job_status=state.value,
            error=return_error,
            **finished_items,
        )
    result = await job_store().get_result(view.spec.id)
    if result is None:
        raise ApiError(
            409,
            "job-result-missing",
            "Result missing",
            f"Job {view.spec.id} succeeded but its result is no longer stored.",
            job_id=view.spec.id,
            job_status=state.value,
        )
    return {
        "id": view.spec.id,
        "kind": view.spec.kind,
        "status": state.value,
        "tags": view.spec.tags or [],
        "result": result,
    }


async def _batch_items(view: JobView) -> dict[str, Any]:
    """{"items": [...]} of a failed or cancelled batch, each item with its own status; {} for
    a job without items."""
    if view.spec.items is None:
        return {}
    stored = await job_store().get_result(view.spec.id)
    return {"items": stored["items"] if stored else []}
