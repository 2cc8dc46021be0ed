"""The job orchestration: submit to the target, poll it with a growing interval raced against
a `cancel` event, enforce the maximum duration, then store the outcome.

Custom status (while running) and output (once final) are a jobs.Lifecycle, so status reads
never reach the target. Everything here must be deterministic: it is replayed.

A remote job can wait in a provider's queue for days, so the orchestration starts afresh
(`continue_as_new`) every ROUNDS_PER_EPISODE polls, carrying what it knows in its input
(the JobSpec, the job's input and a `resume` entry): each episode's history, and so each
replay, stays small. Activities get the spec without the job's input (it would be copied
into the history with every call); one that finds the input missing from Blob Storage reads
it from the orchestration's input.
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator
from datetime import datetime, timedelta
from typing import Any

import azure.durable_functions as df

from .config import PollPolicy
from .job_control import CANCEL_EVENT, TARGET_DONE_EVENT, round_event
from .jobs import PROBLEM, JobError, JobSpec, JobState, Lifecycle, timestamp
from .webhooks.subscription import subscribed

SUBMIT = "submit_target_job"
POLL = "poll_target_job"
CANCEL = "cancel_target_job"
RECORD_STATE = "record_job_state"
FINISH = "finish_job"
START_WEBHOOK = "start_webhook"
ROUNDS_PER_EPISODE = 50
# After a cancel request, how long to wait for the target to confirm it.
CANCEL_CONFIRM_SECONDS = 30.0

# Transient faults (target or storage briefly unreachable): 16 attempts 2 s apart, so an
# outage of about 30 s costs no job. (The Python SDK's retries have a fixed interval.)
_RETRY = df.RetryOptions(first_retry_interval_in_milliseconds=2000, max_number_of_attempts=16)

_CANCELLED = JobError("cancelled", "The job was cancelled at the caller's request.")
_CANCEL_UNCONFIRMED = JobError(
    "cancelled",
    "The job was cancelled at the caller's request; the target had not confirmed the"
    f" cancellation within {CANCEL_CONFIRM_SECONDS:g} s.",
)


def _timed_out(limit: float) -> JobError:
    return JobError("timeout", f"The job did not finish within its maximum duration ({limit:g} s).")


def _unavailable(step: str) -> JobError:
    return JobError("target_unavailable", f"The target could not be reached to {step} the job.")


def run_job(context: df.DurableOrchestrationContext) -> Generator[Any, Any, dict[str, Any]]:
    started_with = context.get_input()
    kept = {PROBLEM: started_with[PROBLEM]} if PROBLEM in started_with else {}
    resume = started_with.get("resume")
    spec_json = {k: v for k, v in started_with.items() if k not in (PROBLEM, "resume")}
    spec = JobSpec.from_json(spec_json)
    policy = PollPolicy.from_json(spec.poll)
    if resume is None:
        deadline = context.current_utc_datetime + timedelta(seconds=policy.max_job_seconds)
        lifecycle = Lifecycle(JobState.WAITING)
        poll_round = 0
        _show(context, lifecycle, poll_round)
        # Submitting also waits up to the first poll interval for the job, so quick local
        # jobs come back finished without a timer round.
        submit = {
            "spec": spec_json,
            "settle_seconds": policy.first_seconds,
            "done_event": round_event(TARGET_DONE_EVENT, poll_round),
        }
        try:
            polled = yield context.call_activity_with_retry(SUBMIT, _RETRY, submit)
        except Exception:
            outcome = Lifecycle(JobState.FAILED, error=_unavailable("submit"))
            return (yield from _finish(context, spec_json, None, outcome))
    else:
        deadline = datetime.fromisoformat(resume["deadline"])
        lifecycle = Lifecycle.from_json(resume["lifecycle"]) or Lifecycle(JobState.WAITING)
        polled = resume["polled"]
        poll_round = resume["poll_round"]
        _show(context, lifecycle, poll_round)
    work = {"spec": spec_json, "target_job_id": polled["target_job_id"]}
    # Every round's cancel wait in this episode: a cancel raised just as its round ended
    # lands in an earlier round's wait (each round waits under its own names, see
    # round_event), so all of them are checked, after each round and after each poll.
    cancel_waits: list[Any] = []
    episode_rounds = 0
    # A resumed episode's first poll also reads whether a cancel was recorded: its event may
    # have reached the previous episode as it handed over, and been dropped with it.
    check_cancel = resume is not None

    while True:
        state = JobState(polled["state"]) if polled.get("state") else lifecycle.state
        provider = polled.get("provider") or lifecycle.provider
        now = timestamp(context.current_utc_datetime)
        started = lifecycle.started or (now if state is not JobState.WAITING else None)
        if state.is_final:
            error = JobError(**polled["error"]) if polled.get("error") else None
            outcome = Lifecycle(state, started or now, error=error, provider=provider)
            stored = yield from _finish(context, spec_json, work, outcome)
            if stored is not None:
                return stored
            # The target lost the output (a local target restarted) and runs the job again.
            polled = {"target_job_id": work["target_job_id"], "state": JobState.WAITING.value}
            continue
        items = polled.get("items") or lifecycle.items
        changed = Lifecycle(state, started, provider=provider, items=items)
        if changed != lifecycle:
            entered_executing = (
                state is JobState.EXECUTING and lifecycle.state is not JobState.EXECUTING
            )
            lifecycle = changed
            _show(context, lifecycle, poll_round)
            if entered_executing:
                # Only the listing shows this state; finish_job records the final one anyway.
                with contextlib.suppress(Exception):
                    yield context.call_activity_with_retry(
                        RECORD_STATE, _RETRY, {"spec": spec_json, "state": state.value}
                    )
                yield from _start_webhook(context, spec_json, lifecycle.to_json())

        if polled.get("cancel_requested") or any(wait.is_completed for wait in cancel_waits):
            return (yield from _cancel(context, spec_json, work, lifecycle))
        remaining = (deadline - context.current_utc_datetime).total_seconds()
        if remaining <= 0:
            ended = yield from _cancel_at_target(context, work)
            outcome = Lifecycle(
                JobState.FAILED,
                lifecycle.started,
                error=_timed_out(policy.max_job_seconds),
                provider=_provider_after(ended, lifecycle),
            )
            return (yield from _finish(context, spec_json, work, outcome))
        if episode_rounds == ROUNDS_PER_EPISODE:
            context.continue_as_new(
                {
                    **spec_json,
                    **kept,
                    "resume": {
                        "deadline": deadline.isoformat(),
                        "lifecycle": lifecycle.to_json(),
                        "polled": polled,
                        "poll_round": poll_round,
                    },
                }
            )
            return lifecycle.to_json()
        wait = min(policy.interval(poll_round), remaining)
        timer = context.create_timer(context.current_utc_datetime + timedelta(seconds=wait))
        cancel = context.wait_for_external_event(round_event(CANCEL_EVENT, poll_round))
        # A target that can tell (the local ones) raises this when the job ends: poll at
        # once instead of at the timer, which stays as the safety net.
        done = context.wait_for_external_event(round_event(TARGET_DONE_EVENT, poll_round))
        yield context.task_any([timer, cancel, done])
        cancel_waits.append(cancel)
        if any(wait.is_completed for wait in cancel_waits):
            if not timer.is_completed:
                timer.cancel()
            return (yield from _cancel(context, spec_json, work, lifecycle))
        poll_round += 1
        episode_rounds += 1
        _show(context, lifecycle, poll_round)
        poll = {**work, "done_event": round_event(TARGET_DONE_EVENT, poll_round)}
        if check_cancel:
            poll["check_cancel"] = True
            check_cancel = False
        try:
            polled = yield context.call_activity_with_retry(POLL, _RETRY, poll)
        except Exception:
            outcome = Lifecycle(JobState.FAILED, lifecycle.started, error=_unavailable("poll"))
            return (yield from _finish(context, spec_json, work, outcome))


def _cancel(
    context: df.DurableOrchestrationContext,
    spec_json: dict[str, Any],
    work: dict[str, Any],
    lifecycle: Lifecycle,
) -> Generator[Any, Any, dict[str, Any] | None]:
    """Cancel the job at its target and end it cancelled."""
    ended = yield from _cancel_at_target(context, work)
    outcome = Lifecycle(
        JobState.CANCELLED,
        lifecycle.started,
        error=_CANCELLED if ended is not None else _CANCEL_UNCONFIRMED,
        provider=_provider_after(ended, lifecycle),
    )
    return (yield from _finish(context, spec_json, work, outcome))


def _show(context: df.DurableOrchestrationContext, lifecycle: Lifecycle, poll_round: int) -> None:
    """Publish the running job's lifecycle, and the round whose events it waits for."""
    context.set_custom_status({**lifecycle.to_json(), "round": poll_round})


def _cancel_at_target(
    context: df.DurableOrchestrationContext, work: dict[str, Any]
) -> Generator[Any, Any, dict[str, Any] | None]:
    """Ask the target to cancel and, for a remote target, wait (bounded) until it reports a
    final state. The last observation when it confirmed the end, else None. (A local job
    stops within moments of its cancel.) A target that cannot be reached does not keep the
    job from ending."""
    give_up = context.current_utc_datetime + timedelta(seconds=CANCEL_CONFIRM_SECONDS)
    try:
        polled = yield context.call_activity_with_retry(CANCEL, _RETRY, work)
    except Exception:
        return None
    if work["spec"]["target"].startswith("local."):
        return polled
    wait = 0.5
    while not (polled.get("state") and JobState(polled["state"]).is_final):
        if context.current_utc_datetime >= give_up:
            return None
        yield context.create_timer(context.current_utc_datetime + timedelta(seconds=wait))
        wait = min(wait * 2, 8.0)
        try:
            polled = yield context.call_activity_with_retry(POLL, _RETRY, work)
        except Exception:
            return None
    return polled


def _provider_after(ended: dict[str, Any] | None, lifecycle: Lifecycle) -> dict[str, Any] | None:
    return (ended or {}).get("provider") or lifecycle.provider


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
        outcome.provider,
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
    yield from _start_webhook(context, spec_json, stored)
    return stored


def _start_webhook(
    context: df.DurableOrchestrationContext, spec_json: dict[str, Any], lifecycle: dict[str, Any]
) -> Generator[Any, Any, None]:
    """Start the delivery of the job's webhook for the state it has just entered, when it asked
    for one: its own orchestration (webhooks/delivery.py), so delivery never holds the job."""
    if subscribed(spec_json, lifecycle["state"]):
        with contextlib.suppress(Exception):
            yield context.call_activity_with_retry(
                START_WEBHOOK, _RETRY, {"spec": spec_json, "lifecycle": lifecycle}
            )
