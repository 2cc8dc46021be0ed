"""The HTTP functions' side of a job's orchestration: start it, read it, ask it to cancel.

Ownership is checked here, once: a job that belongs to another client is reported exactly
like a job that does not exist.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

import aiohttp
import azure.durable_functions as df
from azure.durable_functions.models.OrchestrationRuntimeStatus import OrchestrationRuntimeStatus

from .deadlines import within_deadline
from .job_events import log_job_event
from .jobs import (
    PROBLEM,
    JobError,
    JobSpec,
    JobState,
    JobView,
    Lifecycle,
    is_job_id,
    orchestration_input,
    owner_tag,
    timestamp,
)
from .problems import ApiError, invalid_request, job_not_found, service_unavailable
from .storage import job_store

log = logging.getLogger("qjobs.jobs")

ORCHESTRATOR = "orchestrator"
CANCEL_EVENT = "cancel"
TARGET_DONE_EVENT = "target_done"

_ORCHESTRATION_FAILED = JobError(
    "internal", "The job's orchestration failed unexpectedly; the operators' logs have the cause."
)
_TERMINATED = JobError("terminated", "An operator terminated the job.")


class OrchestrationUnavailable(Exception):
    """The Durable Functions host did not answer."""


def _decoded(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _ended(status: df.DurableOrchestrationStatus) -> str | None:
    """When an orchestration that ended abnormally last changed: its finish time."""
    return timestamp(status.last_updated_time) if status.last_updated_time else None


def _spec_of(instance_id: str | None, spec_json: Any) -> JobSpec | None:
    """The JobSpec an orchestration was started with; None for one this API did not start."""
    if not isinstance(spec_json, dict):
        return None
    spec = JobSpec.from_json(spec_json)
    texts = (spec.owner, spec.kind, spec.target, spec.created)
    if spec.id != instance_id or not all(isinstance(text, str) for text in texts):
        return None
    return spec


def view_of(status: df.DurableOrchestrationStatus) -> JobView | None:
    """The job behind a durable status (None when there is no such instance)."""
    if status.runtime_status is None:
        return None
    spec = _spec_of(status.instance_id, _decoded(status.input_))
    if spec is None:
        return None
    runtime = status.runtime_status
    if runtime is OrchestrationRuntimeStatus.Completed:
        lifecycle = Lifecycle.from_json(_decoded(status.output))
        if lifecycle is None or not lifecycle.state.is_final:
            lifecycle = Lifecycle(JobState.FAILED, error=_ORCHESTRATION_FAILED)
    elif runtime is OrchestrationRuntimeStatus.Failed:
        running = Lifecycle.from_json(_decoded(status.custom_status))
        started = running.started if running else None
        lifecycle = Lifecycle(JobState.FAILED, started, _ended(status), _ORCHESTRATION_FAILED)
    elif runtime in (OrchestrationRuntimeStatus.Terminated, OrchestrationRuntimeStatus.Canceled):
        lifecycle = Lifecycle(JobState.CANCELLED, finished=_ended(status), error=_TERMINATED)
    else:
        running_status = _decoded(status.custom_status)
        lifecycle = Lifecycle.from_json(running_status) or Lifecycle(JobState.WAITING)
        poll_round = running_status.get("round") if isinstance(running_status, dict) else None
        if isinstance(poll_round, int) and not isinstance(poll_round, bool):
            return JobView(spec, lifecycle, poll_round)
    return JobView(spec, lifecycle)


async def find_job(client: df.DurableOrchestrationClient, job_id: str) -> JobView | None:
    """The job with this id, whoever owns it, or None."""
    try:
        status = await within_deadline(client.get_status(job_id, show_input=True))
    except (aiohttp.ClientError, TimeoutError) as error:
        raise OrchestrationUnavailable(str(error)) from error
    return view_of(status)


async def read_job(client: df.DurableOrchestrationClient, job_id: str, owner: str) -> JobView:
    """The caller's job; 400 for a malformed id, 404 for an unknown id or another's job."""
    if not is_job_id(job_id):
        raise invalid_request(f"{job_id!r} is not a job id (32 lowercase hex digits).")
    if not job_id.startswith(owner_tag(owner)):
        # Not one of the caller's ids: unknown or another's, answered alike without a lookup,
        # so neither the answer nor its time tells whether the job exists.
        raise job_not_found(job_id)
    view = await find_job(client, job_id)
    if view is None or view.spec.owner != owner:
        raise job_not_found(job_id)
    return view


async def start_job(
    client: df.DurableOrchestrationClient, spec: JobSpec, problem: dict[str, Any]
) -> None:
    """Start the job's orchestration; OrchestrationUnavailable when the host refuses."""
    started_with = orchestration_input(spec, problem)
    try:
        await within_deadline(client.start_new(ORCHESTRATOR, spec.id, started_with))
    except Exception as error:  # the SDK raises bare Exception for every refusal
        raise OrchestrationUnavailable(str(error)) from error


async def request_cancel(
    client: df.DurableOrchestrationClient, view: JobView, retry_after: int
) -> None:
    """Signal the orchestrator to cancel; 409 when the job is already final.

    The request is recorded in Blob Storage first, and the round to signal read only then:
    an event that reaches the orchestration as it hands over to its next episode is dropped
    with that episode, and the new episode finds the record when it starts.
    """
    if view.lifecycle.state.is_final:
        raise already_final(view)
    await job_store().mark_cancel_requested(view.spec.id)
    view = await find_job(client, view.spec.id) or view
    if view.lifecycle.state.is_final:
        raise already_final(view)
    event = round_event(CANCEL_EVENT, view.poll_round)
    try:
        await within_deadline(
            client.raise_event(view.spec.id, event, {"reason": "requested by caller"})
        )
    except (aiohttp.ClientError, TimeoutError) as error:
        raise service_unavailable("The job service is not answering.", retry_after) from error
    except Exception as error:  # 410/404: it finished between the read and the signal
        log.info("cancel of %s refused by the host: %s", view.spec.id, error)
        raise ApiError(
            409,
            "job-final",
            "Job already final",
            f"Job {view.spec.id} finished before it could be cancelled.",
            job_id=view.spec.id,
        ) from error
    log_job_event("cancel_requested", view.spec, state=view.lifecycle.state.value)


def already_final(view: JobView) -> ApiError:
    state = view.lifecycle.state.value
    return ApiError(
        409,
        "job-final",
        "Job already final",
        f"Job {view.spec.id} is already {state}; it can no longer be cancelled.",
        job_id=view.spec.id,
        job_status=state,
    )


def round_event(name: str, poll_round: int | None) -> str:
    """The name under which the orchestration waits for event `name` in polling round
    `poll_round` (the round is in its custom status).

    Each round waits under names of its own because the Durable runtime hands an event to the
    oldest open wait of that name: with one name, a round that lost its race to the timer
    would keep waiting, unawaited, and swallow the next cancel. An event raised under a round
    that has just ended is still seen: the orchestrator checks the ended rounds' waits.
    """
    return name if poll_round is None else f"{name}-{poll_round}"


async def orchestration_problem(starter: str, job_id: str) -> dict[str, Any] | None:
    """The input the job's orchestration was started with (None if it holds none: started by
    an older version), read by an activity through its durable client binding `starter`."""
    client = df.DurableOrchestrationClient(starter)
    try:
        status = await client.get_status(job_id, show_input=True)
    except (aiohttp.ClientError, TimeoutError) as error:
        raise OrchestrationUnavailable(str(error)) from error
    started_with = _decoded(status.input_)
    problem = started_with.get(PROBLEM) if isinstance(started_with, dict) else None
    return problem if isinstance(problem, dict) else None


def target_done_announcer(starter: str, job_id: str, event: str) -> Callable[[], None]:
    """A callback, safe to call from any thread, that raises `event` (a round's
    TARGET_DONE_EVENT) on the job's orchestration.

    Made inside an activity: the event is raised on that activity's event loop, the one the
    durable client's shared HTTP session belongs to. If that loop is gone, or the orchestration
    has already finished, nothing happens: the orchestrator's polling is the safety net.
    """
    loop = asyncio.get_running_loop()
    client = df.DurableOrchestrationClient(starter)

    async def announce() -> None:
        try:
            await client.raise_event(job_id, event, None)
        except Exception as error:  # finished (410) or unknown (404): nobody is waiting
            log.debug("target_done for %s not delivered: %s", job_id, error)

    def call() -> None:
        coroutine = announce()
        try:
            asyncio.run_coroutine_threadsafe(coroutine, loop)
        except RuntimeError:  # the loop is closed
            coroutine.close()

    return call
