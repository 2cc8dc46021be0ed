"""Retention: forget jobs that have been final for longer than QJOBS_RETENTION_DAYS.

Each run of the purge_jobs timer lists, page by page, the orchestrations in a final runtime
state created before the cutoff (the Durable HTTP API's instance query, with their input),
and forgets each one whose last update (the moment it became final) is before the cutoff,
at most QJOBS_PURGE_MAX_JOBS a run; the next run continues. A running job is never listed,
and the host refuses to purge one anyway.

A job is forgotten in an order that leaves nothing half-visible and can resume after a crash:
first its record, result and cancel record (it leaves the list; the orchestration still
answers its status, so the next run finds it again), then its durable history (status,
result and cancel answer 404), last its Idempotency-Key claim (a claim left by a crash here
is released by the next submission with that key, as any abandoned claim is).
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import azure.durable_functions as df
from azure.durable_functions.models.DurableOrchestrationStatus import DurableOrchestrationStatus
from azure.durable_functions.models.OrchestrationRuntimeStatus import OrchestrationRuntimeStatus

from .job_control import view_of
from .job_events import log_job_event
from .jobs import timestamp
from .storage import job_store

log = logging.getLogger("qjobs.retention")

FINAL_RUNTIME_STATUSES = frozenset(
    {
        OrchestrationRuntimeStatus.Completed,
        OrchestrationRuntimeStatus.Failed,
        OrchestrationRuntimeStatus.Terminated,
        OrchestrationRuntimeStatus.Canceled,
    }
)
PAGE_SIZE = 100  # instances listed per request
CONCURRENCY = 16  # jobs forgotten at once
_LIST_TIMEOUT = aiohttp.ClientTimeout(total=60)
_CONTINUATION = "x-ms-continuation-token"


@dataclass(frozen=True)
class PurgeReport:
    purged: int
    examined: int
    more: bool  # stopped at the per-run bound: the next run goes on


def retention_cutoff(now: datetime, retention_days: float) -> datetime:
    """Jobs final since before this moment are forgotten."""
    return now - timedelta(days=retention_days)


async def purge_expired_jobs(
    starter: str, retention_days: float, max_jobs: int, now: datetime | None = None
) -> PurgeReport:
    """Forget up to `max_jobs` jobs final for longer than `retention_days`; `starter` is the
    durable client binding."""
    cutoff = retention_cutoff(now or datetime.now(UTC), retention_days)
    client = df.DurableOrchestrationClient(starter)
    rpc_base_url = json.loads(starter)["rpcBaseUrl"]
    purged = examined = 0
    gate = asyncio.Semaphore(CONCURRENCY)

    async def forget_one(status: DurableOrchestrationStatus) -> bool:
        async with gate:
            return await _forget(client, status)

    async with aiohttp.ClientSession(timeout=_LIST_TIMEOUT) as session:
        token: str | None = None
        while True:
            page, token = await _final_instances(session, rpc_base_url, cutoff, token)
            examined += len(page)
            expired = [status for status in page if _expired(status, cutoff)]
            expired = expired[: max_jobs - purged]
            results = await asyncio.gather(*(forget_one(status) for status in expired))
            purged += sum(results)
            if purged >= max_jobs:
                return PurgeReport(purged, examined, more=True)
            if token is None:
                return PurgeReport(purged, examined, more=False)


async def _final_instances(
    session: aiohttp.ClientSession, rpc_base_url: str, created_before: datetime, token: str | None
) -> tuple[list[DurableOrchestrationStatus], str | None]:
    """One page of the Durable HTTP API's instance query, with inputs; and the next token."""
    query = {
        "createdTimeTo": timestamp(created_before),
        "runtimeStatus": ",".join(sorted(status.value for status in FINAL_RUNTIME_STATUSES)),
        "top": str(PAGE_SIZE),
        "showInput": "true",
    }
    headers = {_CONTINUATION: token} if token else {}
    async with session.get(f"{rpc_base_url}instances/", params=query, headers=headers) as response:
        response.raise_for_status()
        items: list[dict[str, Any]] = await response.json()
        following = response.headers.get(_CONTINUATION) or None
    return [DurableOrchestrationStatus.from_json(item) for item in items], following


def _expired(status: DurableOrchestrationStatus, cutoff: datetime) -> bool:
    ended = status.last_updated_time
    return (
        status.runtime_status in FINAL_RUNTIME_STATUSES
        and ended is not None
        and ended.replace(tzinfo=ended.tzinfo or UTC) < cutoff
    )


async def _forget(
    client: df.DurableOrchestrationClient, status: DurableOrchestrationStatus
) -> bool:
    """Forget one final job (see the module docstring for the order); False if it stays."""
    view = view_of(status)
    store = job_store()
    if view is not None:
        await store.delete_job_blobs(view.spec)
    try:
        result = await client.purge_instance_history(status.instance_id)
    except Exception as error:  # the SDK raises bare Exception for a refusal (412: running)
        log.warning("retention: %s was not purged: %s", status.instance_id, error)
        return False
    if view is not None:
        await store.release_job_id(view.spec.id)
        log_job_event("purged", view.spec, state=view.lifecycle.state.value)
    return result.instances_deleted > 0
