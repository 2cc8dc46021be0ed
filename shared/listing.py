"""GET /api/jobs: the caller's jobs, newest first, filtered and paged."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import azure.durable_functions as df

from .job_control import find_job
from .jobs import ROUTE_PREFIX, JobState, job_links
from .problems import invalid_request
from .storage import InvalidContinuation, RecordFilter, job_store

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
_DIGITS = re.compile(r"[0-9]{1,4}")
_PARAMETERS = frozenset({"status", "target", "name", "limit", "continuation"})


def parse_filter(query: Mapping[str, str]) -> tuple[RecordFilter, int, str | None]:
    unknown = sorted(set(query) - _PARAMETERS)
    if unknown:
        known = ", ".join(sorted(_PARAMETERS))
        raise invalid_request(f"Unknown query parameter {unknown[0]!r}; known: {known}.")
    states: set[JobState] = set()
    if "status" in query:
        for value in query["status"].split(","):
            try:
                states.add(JobState(value))
            except ValueError:
                allowed = ", ".join(state.value for state in JobState)
                raise invalid_request(
                    f"status {value[:40]!r} is not one of: {allowed} (comma-separated)."
                ) from None
    raw_limit = query.get("limit", str(DEFAULT_LIMIT))
    if not _DIGITS.fullmatch(raw_limit) or not 1 <= int(raw_limit) <= MAX_LIMIT:
        raise invalid_request(f"limit must be an integer from 1 to {MAX_LIMIT}.")
    where = RecordFilter(
        states=frozenset(states),
        target=query.get("target") or None,
        name_prefix=query.get("name") or None,
    )
    return where, int(raw_limit), query.get("continuation") or None


async def _current_state(client: df.DurableOrchestrationClient, job: dict[str, Any]) -> None:
    """A record still waiting or executing may belong to a job that ended without finishing
    it (terminated through the management API): its orchestration has the final word."""
    if JobState(job["status"]).is_final:
        return
    view = await find_job(client, job["id"])
    if view is not None and view.lifecycle.state.is_final:
        job["status"] = view.lifecycle.state.value


async def list_jobs(
    client: df.DurableOrchestrationClient, owner: str, query: Mapping[str, str]
) -> dict[str, Any]:
    where, limit, token = parse_filter(query)
    try:
        jobs, next_token = await job_store().list_records(owner, where, limit, token)
    except InvalidContinuation:
        raise invalid_request("continuation is not a token this API issued.") from None
    await asyncio.gather(*(_current_state(client, job) for job in jobs))
    jobs = [job for job in jobs if not where.states or JobState(job["status"]) in where.states]
    for job in jobs:
        job["links"] = job_links(job["id"], JobState(job["status"]))
    page: dict[str, Any] = {"jobs": jobs, "continuation": next_token}
    if next_token is not None:
        next_query = {k: v for k, v in query.items() if k != "continuation"}
        page["links"] = {
            "next": f"{ROUTE_PREFIX}/jobs?{urlencode({**next_query, 'continuation': next_token})}"
        }
    return page
