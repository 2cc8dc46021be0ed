"""GET /api/jobs: the caller's jobs, newest first, filtered and paged."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import azure.durable_functions as df

from .job_control import find_job
from .jobs import ROUTE_PREFIX, JobState, is_job_id, job_links
from .problems import invalid_request
from .storage import InvalidContinuation, RecordFilter, job_store
from .tags import is_tag

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_IDS = 100
_DIGITS = re.compile(r"[0-9]{1,4}")
_PARAMETERS = frozenset(
    {
        "status",
        "target",
        "name",
        "limit",
        "continuation",
        "tag",
        "created_after",
        "created_before",
        "ids",
    }
)
_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})"
)


def _moment(query: Mapping[str, str], name: str) -> datetime | None:
    """An RFC 3339 date-time parameter (a `+` that a query string turned into a space too)."""
    raw = query.get(name)
    if not raw:
        return None
    text = raw[:19] + raw[19:].replace(" ", "+")
    if not _RFC3339.fullmatch(text):
        raise invalid_request(f"{name} must be an RFC 3339 date-time, e.g. 2026-01-31T12:00:00Z.")
    try:
        return datetime.fromisoformat(text.upper().replace(" ", "T"))
    except ValueError:
        raise invalid_request(f"{name} {raw[:40]!r} is not a valid date-time.") from None


def _tags(query: Mapping[str, str]) -> frozenset[str]:
    """`tag=a&tag=b` (the host joins repeated values with commas) or `tag=a,b`: all of them."""
    tags = [tag for tag in query.get("tag", "").split(",") if tag]
    bad = next((tag for tag in tags if not is_tag(tag)), None)
    if bad is not None:
        raise invalid_request(f"tag {bad[:70]!r} is not a tag (1 to 64 of A-Za-z0-9._:-).")
    return frozenset(tags)


def _ids(query: Mapping[str, str]) -> frozenset[str] | None:
    if "ids" not in query:
        return None
    ids = [job_id for job_id in query["ids"].split(",") if job_id]
    if not ids or len(ids) > MAX_IDS:
        raise invalid_request(f"ids must list 1 to {MAX_IDS} job ids, comma-separated.")
    bad = next((job_id for job_id in ids if not is_job_id(job_id)), None)
    if bad is not None:
        raise invalid_request(f"{bad[:40]!r} in ids is not a job id (32 lowercase hex digits).")
    return frozenset(ids)


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
    ids = _ids(query)
    # With ids the caller's jobs among them come in one page, unless it asks for less.
    default_limit = DEFAULT_LIMIT if ids is None else len(ids)
    raw_limit = query.get("limit", str(default_limit))
    if not _DIGITS.fullmatch(raw_limit) or not 1 <= int(raw_limit) <= MAX_LIMIT:
        raise invalid_request(f"limit must be an integer from 1 to {MAX_LIMIT}.")
    where = RecordFilter(
        states=frozenset(states),
        target=query.get("target") or None,
        name_prefix=query.get("name") or None,
        tags=_tags(query),
        created_after=_moment(query, "created_after"),
        created_before=_moment(query, "created_before"),
        ids=ids,
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
