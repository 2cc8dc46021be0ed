"""The orchestration's activities: the only steps that touch the target and Blob Storage.

Each may run more than once (at-least-once after a crash) and must be safe to repeat:
submitting uses the job id as the target job id, so a repeat finds the job already there.
Target calls run in a worker thread: a remote target's SDK blocks on the network.

The durable state is the source of truth: an activity that finds the job's record (with its
input) missing from Blob Storage (a local storage emulator loses its last seconds of writes
in a power loss, while the orchestration survived) writes it again from the orchestration's
own input, read through the durable client binding `starter`.

What they report to the orchestrator is an observation: `{"target_job_id", "state",
"error", "provider"}`, where `state` is None when a remote target could not be reached
this time (the orchestrator keeps polling until the job's deadline).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import asdict
from typing import Any

from .batches import final_counters
from .job_control import orchestration_problem, target_done_announcer
from .job_endings import job_endings
from .job_events import log_job_event, milliseconds_between
from .jobs import JobError, JobSpec, JobState, Lifecycle, timestamp, utc_now
from .storage import job_store
from .targets import (
    NotifiesWhenDone,
    Target,
    TargetJobLost,
    TargetRejected,
    TargetStatus,
    TargetUnreachable,
    target_named,
)

# How long a cancelled batch's worker may take to stop and hand over its finished items: a
# local worker is killed 5 s after a cancel it ignores.
_BATCH_STOP_SECONDS = 10.0


class MissingInput(RuntimeError):
    """The job's record (with its input) is gone, and its orchestration holds no copy."""


async def _restore_record(
    spec: JobSpec, starter: str | None, state: JobState = JobState.WAITING
) -> dict[str, Any]:
    """Write the job's lost record again, in `state`, from its orchestration's input."""
    problem = None if starter is None else await orchestration_problem(starter, spec.id)
    if problem is None:
        raise MissingInput(f"job {spec.id} has no record in Blob Storage")
    await job_store().put_job(spec, problem, state)
    log_job_event("record_restored", spec, logging.WARNING, state=state.value)
    return problem


async def _target_of(spec: JobSpec) -> Target:
    """The job's target (a remote batch's fans its items out to provider jobs)."""
    return await target_named(spec.target, batch=spec.items is not None)


async def _record_state(spec: JobSpec, state: JobState, starter: str | None) -> None:
    if not await job_store().set_record_state(spec, state):
        await _restore_record(spec, starter, state)


async def _submit(spec: JobSpec, target: Target, starter: str | None) -> str:
    problem = await job_store().get_problem(spec)
    if problem is None:
        problem = await _restore_record(spec, starter)
    return await asyncio.to_thread(target.submit, spec.id, spec.kind, problem, spec.owner)


def _announce_when_done(work: dict[str, Any], target: Target, starter: str | None) -> None:
    """Have a target that can tell raise the orchestration's next round's target_done event
    (`work["done_event"]`) at the job's end."""
    event = work.get("done_event")
    if starter is not None and event and isinstance(target, NotifiesWhenDone):
        target_job_id = work["target_job_id"]
        target.when_done(target_job_id, target_done_announcer(starter, target_job_id, event))


def _observed(target_job_id: str, status: TargetStatus) -> dict[str, Any]:
    error = None if status.error is None else asdict(status.error)
    return {
        "target_job_id": target_job_id,
        "state": status.state.value,
        "error": error,
        "provider": status.provider,
        "items": status.items,
    }


def _rejected(job_id: str, error: JobError) -> dict[str, Any]:
    return _observed(job_id, TargetStatus(JobState.FAILED, error))


async def submit_target_job(work: dict[str, Any], starter: str | None = None) -> dict[str, Any]:
    """Submit the job, wait up to `settle_seconds` for it, and report its state. A target
    that refuses the job for good reports it failed; an unreachable one raises (retried).
    `starter` is the durable client binding: with it, a local job's end is announced to its
    orchestration."""
    spec = JobSpec.from_json(work["spec"])
    began = time.monotonic()
    try:
        target = await _target_of(spec)
        target_job_id = await _submit(spec, target, starter)
    except TargetRejected as rejected:
        log_job_event("target_rejected", spec, logging.WARNING, error=rejected.error.code)
        return _rejected(spec.id, rejected.error)
    submit_ms = round((time.monotonic() - began) * 1000)
    await target.settle(target_job_id, work.get("settle_seconds", 0))
    # After the settle: a quick job has ended by now and needs no event (its state says so).
    polled = {**work, "target_job_id": target_job_id}
    _announce_when_done(polled, target, starter)
    observed = await poll_target_job(polled)
    log_job_event(
        "target_submitted",
        spec,
        target_job_id=target_job_id,
        state=observed["state"],
        duration_ms=submit_ms,
        wait_ms=milliseconds_between(spec.created, timestamp(utc_now())),
    )
    return observed


async def poll_target_job(work: dict[str, Any], starter: str | None = None) -> dict[str, Any]:
    """The target's state for the job; a job the target lost is submitted again. With
    `check_cancel`, also whether a cancel was recorded for the job (`cancel_requested`)."""
    observed = await _poll(work, starter)
    if work.get("check_cancel"):
        spec = JobSpec.from_json(work["spec"])
        observed["cancel_requested"] = await job_store().cancel_requested(spec.id)
    return observed


async def _poll(work: dict[str, Any], starter: str | None) -> dict[str, Any]:
    spec = JobSpec.from_json(work["spec"])
    target_job_id = work["target_job_id"]
    try:
        target = await _target_of(spec)
        _announce_when_done(work, target, starter)
        status = await asyncio.to_thread(target.status, target_job_id)
    except TargetUnreachable as error:
        log_job_event("provider_error", spec, logging.WARNING, step="poll", error=str(error))
        return {"target_job_id": target_job_id, "state": None, "error": None, "provider": None}
    except TargetRejected as rejected:
        return _rejected(target_job_id, rejected.error)
    except TargetJobLost:
        log_job_event("target_lost", spec, logging.WARNING, step="poll")
        await _submit(spec, target, starter)
        _announce_when_done(work, target, starter)
        status = TargetStatus(JobState.WAITING)
    return _observed(target_job_id, status)


async def cancel_target_job(work: dict[str, Any]) -> dict[str, Any]:
    """Ask the target to cancel, then report its state (a provider confirms later)."""
    spec = JobSpec.from_json(work["spec"])
    try:
        target = await _target_of(spec)
        await asyncio.to_thread(target.cancel, work["target_job_id"])
    except TargetRejected as rejected:
        log_job_event("provider_error", spec, logging.WARNING, step="cancel", error=str(rejected))
    return await poll_target_job(work)


async def record_job_state(work: dict[str, Any], starter: str | None = None) -> None:
    spec = JobSpec.from_json(work["spec"])
    await _record_state(spec, JobState(work["state"]), starter)
    # The orchestration records only the move to executing (final states go to finish_job).
    log_job_event("state", spec, from_state=JobState.WAITING.value, state=work["state"])


async def finish_job(work: dict[str, Any], starter: str | None = None) -> dict[str, Any]:
    """Store the result of a succeeded job and the record's final state; the final lifecycle,
    or {"resubmitted": true} when the target had lost the output and was given the job again."""
    spec = JobSpec.from_json(work["spec"])
    lifecycle = Lifecycle.from_json(work["lifecycle"])
    if lifecycle is None or not lifecycle.state.is_final:
        raise ValueError(f"finish_job needs a final lifecycle, not {work['lifecycle']!r}")
    store = job_store()
    if spec.items is not None:
        try:
            lifecycle = await _batch_outcome(spec, lifecycle, work["target_job_id"])
        except TargetJobLost:
            log_job_event("target_lost", spec, logging.WARNING, step="output")
            await _submit(spec, await _target_of(spec), starter)
            return {"resubmitted": True}
    elif lifecycle.state is JobState.SUCCEEDED:
        target = await _target_of(spec)
        try:
            output = await asyncio.to_thread(target.output, work["target_job_id"])
        except TargetJobLost:
            log_job_event("target_lost", spec, logging.WARNING, step="output")
            await _submit(spec, target, starter)
            return {"resubmitted": True}
        except TargetRejected as rejected:
            lifecycle = Lifecycle(
                JobState.FAILED,
                lifecycle.started,
                lifecycle.finished,
                rejected.error,
                lifecycle.provider,
            )
        else:
            await store.put_result(spec.id, output)
    await _record_state(spec, lifecycle.state, starter)
    job_endings.announce(spec.id, lifecycle)
    _log_finished(spec, lifecycle)
    return lifecycle.to_json()


async def _batch_outcome(
    spec: JobSpec, lifecycle: Lifecycle, target_job_id: str | None
) -> Lifecycle:
    """Store a batch's items (a failed or cancelled batch's too: its 409 carries them) and
    its final state: a batch whose items ran fails when they say so (see shared/batches.py).
    TargetJobLost when the target lost a succeeded batch's output."""
    assert spec.items is not None
    output = None
    if target_job_id is not None:
        target = await _target_of(spec)
        # A cancelled local batch is still stopping: its output comes when its worker ends.
        await target.settle(target_job_id, _BATCH_STOP_SECONDS)
        try:
            output = await asyncio.to_thread(target.output, target_job_id)
        except TargetJobLost:
            if lifecycle.state is JobState.SUCCEEDED:
                raise
        except (ValueError, TargetRejected):  # ended without an output
            output = None
    state, error = lifecycle.state, lifecycle.error
    if output is not None:
        if state is JobState.SUCCEEDED and output.get("failure"):
            state, error = JobState.FAILED, JobError(**output["failure"])
        await job_store().put_result(spec.id, {"items": output["items"]})
    return Lifecycle(
        state,
        lifecycle.started,
        lifecycle.finished,
        error,
        lifecycle.provider,
        final_counters(spec.items, output, state),
    )


def _log_finished(spec: JobSpec, lifecycle: Lifecycle) -> None:
    """The final state and the job's durations: queued, ran, and submit to result."""
    provider = lifecycle.provider or {}
    log_job_event(
        "finished",
        spec,
        logging.INFO if lifecycle.state is JobState.SUCCEEDED else logging.WARNING,
        state=lifecycle.state.value,
        error=lifecycle.error.code if lifecycle.error else None,
        provider_status=provider.get("status"),
        queue_ms=milliseconds_between(spec.created, lifecycle.started),
        run_ms=milliseconds_between(lifecycle.started, lifecycle.finished),
        duration_ms=milliseconds_between(spec.created, lifecycle.finished),
    )
