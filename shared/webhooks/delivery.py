"""Durable webhook delivery: one orchestration per job event, started once the job is final
(or, for `executing`, once it runs), so delivery never delays or changes the job.

The orchestration calls the send activity, then waits on a durable timer before each retry
(QJOBS_WEBHOOK_RETRY_SECONDS, the receiver's Retry-After when longer) until it is delivered,
refused for good, or QJOBS_WEBHOOK_RETRY_FOR_SECONDS have passed: a host that restarts in
between resumes the schedule. Its custom status is the delivery state that the job's status
shows as `webhook`. Every attempt of one event carries the same `webhook-id`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Generator
from datetime import timedelta
from typing import Any

import azure.durable_functions as df

from ..config import settings
from ..jobs import JobSpec, JobState, JobView, Lifecycle, status_document, timestamp, utc_now
from ..storage import StorageUnavailable
from .secrets import signing_secrets
from .sending import Attempt, send_once
from .subscription import subscribed

log = logging.getLogger("qjobs.webhooks")

DELIVERY_ORCHESTRATOR = "webhook_delivery"
SEND = "send_webhook"


def instance_id(job_id: str, event: str) -> str:
    """The delivery orchestration of one event (no job id's form: never listed or counted)."""
    return f"webhook-{event}-{job_id}"


def message_id(job_id: str, event: str) -> str:
    return f"msg_{job_id}_{event}"


def event_body(spec: JobSpec, lifecycle: Lifecycle) -> str:
    """The event's JSON body: its type, when it happened and the job's status document."""
    event = lifecycle.state.value
    moment = (lifecycle.finished if lifecycle.state.is_final else lifecycle.started) or timestamp(
        utc_now()
    )
    data = status_document(JobView(spec, lifecycle))
    return json.dumps(
        {"type": f"job.{event}", "timestamp": moment, "data": data}, separators=(",", ":")
    )


async def start_delivery(work: dict[str, Any], starter: str) -> None:
    """Activity: start the delivery of the job's event `work["lifecycle"]["state"]` (once:
    a repeat finds the orchestration there)."""
    spec = JobSpec.from_json(work["spec"])
    lifecycle = Lifecycle.from_json(work["lifecycle"])
    if lifecycle is None or spec.webhook is None:
        return
    event = lifecycle.state.value
    client = df.DurableOrchestrationClient(starter)
    instance = instance_id(spec.id, event)
    existing = await client.get_status(instance)
    if existing.runtime_status is not None:
        return
    config = settings()
    await client.start_new(
        DELIVERY_ORCHESTRATOR,
        instance,
        {
            "owner": spec.owner,
            "url": spec.webhook,
            "message_id": message_id(spec.id, event),
            "body": event_body(spec, lifecycle),
            "retry_seconds": list(config.webhook_retry_seconds),
            "retry_for_seconds": config.webhook_retry_for_seconds,
        },
    )


async def send_webhook(work: dict[str, Any]) -> dict[str, Any]:
    """Activity: one delivery attempt (see sending.py); never raises."""
    try:
        secrets = await signing_secrets(work["owner"])
    except StorageUnavailable as error:
        return Attempt("retry", None, timestamp(utc_now()), error=str(error)).to_json()
    attempt = await send_once(work["url"], work["message_id"], work["body"].encode(), secrets)
    log.info(
        "webhook %s to %s: %s (%s)",
        work["message_id"],
        work["url"],
        attempt.outcome,
        attempt.status,
    )
    return attempt.to_json()


def delivery_state(
    state: str, attempts: int, last: dict[str, Any] | None, *, gone: bool = False
) -> dict[str, Any]:
    """The `webhook` member of the job's status."""
    document: dict[str, Any] = {
        "state": state,
        "attempts": attempts,
        "last_status": last.get("status") if last else None,
        "last_attempt": last.get("at") if last else None,
    }
    if gone:
        document["gone"] = True
    return document


def deliver(context: df.DurableOrchestrationContext) -> Generator[Any, Any, dict[str, Any]]:
    """Orchestrator: send the event until delivered, refused, or out of time."""
    work = context.get_input()
    began = context.current_utc_datetime
    waits: list[float] = work["retry_seconds"]
    send = {key: work[key] for key in ("owner", "url", "message_id", "body")}
    attempts = 0
    context.set_custom_status(delivery_state("pending", 0, None))
    while True:
        last = yield context.call_activity(SEND, send)
        attempts += 1
        if last["outcome"] != "retry":
            state = "delivered" if last["outcome"] == "delivered" else "failed"
            final = delivery_state(state, attempts, last, gone=last["outcome"] == "gone")
            context.set_custom_status(final)
            return final
        wait = max(waits[min(attempts, len(waits)) - 1], last.get("retry_after") or 0.0)
        due = context.current_utc_datetime + timedelta(seconds=wait)
        if (due - began).total_seconds() > work["retry_for_seconds"]:
            final = delivery_state("failed", attempts, last)
            context.set_custom_status(final)
            return final
        context.set_custom_status(delivery_state("retrying", attempts, last))
        yield context.create_timer(due)


async def delivery_of(
    client: df.DurableOrchestrationClient, view: JobView
) -> dict[str, Any] | None:
    """The `webhook` member of a job's status: the delivery of its latest subscribed event
    (pending before it starts); None without a webhook or a subscribed event yet."""
    spec_json = view.spec.to_json()
    state = view.lifecycle.state
    if subscribed(spec_json, state.value):
        event = state.value
    elif (state is JobState.EXECUTING or view.lifecycle.started) and subscribed(
        spec_json, JobState.EXECUTING.value
    ):
        event = JobState.EXECUTING.value
    else:
        return None
    try:
        status = await client.get_status(instance_id(view.spec.id, event))
    except Exception as error:  # the durable host did not answer: the job's status still does
        log.warning("webhook state of %s unknown: %s", view.spec.id, error)
        return None
    custom = status.custom_status if status.runtime_status is not None else None
    if isinstance(custom, str):
        custom = json.loads(custom)
    return custom if isinstance(custom, dict) else delivery_state("pending", 0, None)
