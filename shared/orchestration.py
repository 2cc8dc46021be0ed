"""The job orchestration: submit to the target, poll it with a growing interval raced against
a `cancel` event, enforce the maximum duration, then store the outcome.

Custom status (while running) and output (once final) are a jobs.Lifecycle, so status reads
never reach the target. Everything here must be deterministic: it is replayed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator
from datetime import timedelta
from typing import Any

import azure.durable_functions as df

from .config import PollPolicy
from .job_control import CANCEL_EVENT
from .jobs import JobError, JobSpec, JobState, Lifecycle, timestamp

SUBMIT = "submit_target_job"
POLL = "poll_target_job"
CANCEL = "cancel_target_job"
RECORD_STATE = "record_job_state"
FINISH = "finish_job"

# Transient faults (target or storage briefly unreachable): 16 attempts 2 s apart, so an
# outage of about 30 s costs no job. (The Python SDK's retries have a fixed interval.)
_RETRY = df.RetryOptions(first_retry_interval_in_milliseconds=2000, max_number_of_attempts=16)

_CANCELLED = JobError("cancelled", "The job was cancelled at the caller's request.")


def _timed_out(limit: float) -> JobError:
    return JobError("timeout", f"The job did not finish within its maximum duration ({limit:g} s).")


def _unavailable(step: str) -> JobError:
    return JobError("target_unavailable", f"The target could not be reached to {step} the job.")


def run_job(context: df.DurableOrchestrationContext) -> Generator[Any, Any, dict[str, Any]]:
    spec_json = context.get_input()
    spec = JobSpec.from_json(spec_json)
    policy = PollPolicy.from_json(spec.poll)
    deadline = context.current_utc_datetime + timedelta(seconds=policy.max_job_seconds)
    lifecycle = Lifecycle(JobState.WAITING)
    context.set_custom_status(lifecycle.to_json())

    # Submitting also waits up to the first poll interval for the job, so quick local jobs
    # come back finished without a timer round.
    submit = {"spec": spec_json, "settle_seconds": policy.first_seconds}
    try:
        polled = yield context.call_activity_with_retry(SUBMIT, _RETRY, submit)
    except Exception:
        outcome = Lifecycle(JobState.FAILED, error=_unavailable("submit"))
        return (yield from _finish(context, spec_json, None, outcome))
    work = {"spec": spec_json, "target_job_id": polled["target_job_id"]}

    poll_round = 0
    while True:
        state = JobState(polled["state"])
        now = timestamp(context.current_utc_datetime)
        started = lifecycle.started or now
        if state.is_final:
            error = JobError(**polled["error"]) if polled.get("error") else None
            outcome = Lifecycle(state, started, error=error)
            stored = yield from _finish(context, spec_json, work, outcome)
            if stored is not None:
                return stored
            # The target lost the output (a local target restarted) and runs the job again.
            polled = {"state": JobState.WAITING.value}
            continue
        if state is JobState.EXECUTING and lifecycle.state is JobState.WAITING:
            lifecycle = Lifecycle(JobState.EXECUTING, started)
            context.set_custom_status(lifecycle.to_json())
            # Only the listing shows this state; finish_job records the final one regardless.
            with contextlib.suppress(Exception):
                yield context.call_activity_with_retry(
                    RECORD_STATE, _RETRY, {"spec": spec_json, "state": JobState.EXECUTING.value}
                )

        remaining = (deadline - context.current_utc_datetime).total_seconds()
        if remaining <= 0:
            yield context.call_activity_with_retry(CANCEL, _RETRY, work)
            outcome = Lifecycle(JobState.FAILED, started, error=_timed_out(policy.max_job_seconds))
            return (yield from _finish(context, spec_json, work, outcome))
        wait = min(policy.interval(poll_round), remaining)
        timer = context.create_timer(context.current_utc_datetime + timedelta(seconds=wait))
        cancel = context.wait_for_external_event(CANCEL_EVENT)
        winner = yield context.task_any([timer, cancel])
        if winner == cancel:
            timer.cancel()
            yield context.call_activity_with_retry(CANCEL, _RETRY, work)
            outcome = Lifecycle(JobState.CANCELLED, lifecycle.started, error=_CANCELLED)
            return (yield from _finish(context, spec_json, work, outcome))
        poll_round += 1
        try:
            polled = yield context.call_activity_with_retry(POLL, _RETRY, work)
        except Exception:
            outcome = Lifecycle(JobState.FAILED, lifecycle.started, error=_unavailable("poll"))
            return (yield from _finish(context, spec_json, work, outcome))


def _finish(
    context: df.DurableOrchestrationContext,
    spec_json: dict[str, Any],
    work: dict[str, Any] | None,
    outcome: Lifecycle,
) -> Generator[Any, Any, dict[str, Any] | None]:
    """Store the result (when succeeded) and the record's final state; return the lifecycle,
    or None when the target had lost a succeeded job's output and was given the job again."""
    final = Lifecycle(
        outcome.state,
        outcome.started,
        timestamp(context.current_utc_datetime),
        outcome.error,
    )
    request = {
        "spec": spec_json,
        "target_job_id": work["target_job_id"] if work else None,
        "lifecycle": final.to_json(),
    }
    try:
        stored = yield context.call_activity_with_retry(FINISH, _RETRY, request)
        if stored.get("resubmitted"):
            return None
    except Exception:
        stored = Lifecycle(
            JobState.FAILED,
            final.started,
            final.finished,
            JobError("storage_unavailable", "The job's outcome could not be stored."),
        ).to_json()
    context.set_custom_status(stored)
    return stored
