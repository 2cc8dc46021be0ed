"""The HTTP contract's rules, without I/O: shared by the sync and the async client.

What to send (URLs, headers, the job body) and how to read an answer: when to retry and how
long to wait (the server's `Retry-After`, else a bounded exponential backoff), which typed
error a problem becomes, how long to wait before polling a running job again.
"""

from __future__ import annotations

import email.utils
import os
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from . import __version__
from .errors import ApiError, ConnectionFailed, api_error

DEFAULT_URL = "http://127.0.0.1:7071/api"
URL_VARIABLE = "QJOBS_URL"
KEY_VARIABLE = "QJOBS_API_KEY"
# Answers worth repeating: over the client's limits, or qjobs (or a gateway) unavailable.
RETRY_STATUSES = frozenset({429, 502, 503, 504})
DEFAULT_POLL_SECONDS = 1.0
# A waiting client asks the API to hold each status read this long (`Prefer: wait=N`): the
# answer comes the moment the job ends. Kept well below the client's read timeout.
LONG_POLL_SECONDS = 20


@dataclass(frozen=True)
class RetryPolicy:
    """How a request is repeated after a 429/502/503/504 or a dropped connection.

    Each wait is the answer's `Retry-After` when it has one, else `backoff * 2**attempt`;
    no wait is longer than `max_delay`, and after `max_retries` repeats the error is raised.
    """

    max_retries: int = 5
    backoff: float = 0.5
    max_delay: float = 30.0

    def delay(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to wait before repeat number `attempt + 1`, or None to give up."""
        if attempt >= self.max_retries:
            return None
        wait = retry_after if retry_after is not None else self.backoff * 2**attempt
        return max(0.0, min(wait, self.max_delay))


def base_url(url: str | None) -> str:
    """The API's base URL (…/api) without a trailing slash: `url`, $QJOBS_URL or the default."""
    chosen = url or os.environ.get(URL_VARIABLE) or DEFAULT_URL
    return chosen.rstrip("/")


def api_key(key: str | None) -> str | None:
    return key or os.environ.get(KEY_VARIABLE) or None


def default_headers(key: str | None) -> dict[str, str]:
    headers = {
        "Accept": "application/json, application/problem+json",
        "User-Agent": f"qjobs-client/{__version__}",
    }
    if key:
        headers["Authorization"] = f"Bearer {key}"
    return headers


def resolve(base: str, link: str) -> str:
    """An absolute URL for a link the API handed out (`/api/jobs/…`, host-relative)."""
    return str(httpx.URL(base + "/").join(link))


def job_url(base: str, job_id: str, suffix: str = "") -> str:
    return f"{base}/jobs/{urllib.parse.quote(job_id, safe='')}{suffix}"


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


def job_body(
    kind: str, fields: dict[str, Any], target: str | None, name: str | None
) -> dict[str, Any]:
    """The JSON body of `POST /api/jobs`: the envelope and the kind's own fields."""
    body: dict[str, Any] = {"kind": kind, **fields}
    if target is not None:
        body["target"] = target
    if name is not None:
        body["name"] = name
    return body


def list_params(
    status: str | list[str] | tuple[str, ...] | None,
    target: str | None,
    name: str | None,
    page_size: int | None,
    filters: ListFilters | None = None,
) -> dict[str, str]:
    params: dict[str, str] = {}
    if status:
        params["status"] = status if isinstance(status, str) else ",".join(status)
    if target:
        params["target"] = target
    if name:
        params["name"] = name
    if page_size is not None:
        params["limit"] = str(page_size)
    if filters is not None:
        params.update(filters.params())
    return params


@dataclass(frozen=True)
class ListFilters:
    """The list's further filters: every one of `tags`, created after / before a moment
    (RFC 3339 text or an aware datetime), and only these job ids (at most 100)."""

    tags: tuple[str, ...] = ()
    created_after: str | datetime | None = None
    created_before: str | datetime | None = None
    ids: tuple[str, ...] | None = None

    def params(self) -> dict[str, str]:
        params: dict[str, str] = {}
        if self.tags:
            params["tag"] = ",".join(self.tags)
        for name, moment in (
            ("created_after", self.created_after),
            ("created_before", self.created_before),
        ):
            if moment is not None:
                params[name] = moment if isinstance(moment, str) else moment.isoformat()
        if self.ids is not None:
            params["ids"] = ",".join(self.ids)
        return params


def retry_after(response: httpx.Response) -> float | None:
    """The answer's Retry-After in seconds (delta-seconds or an HTTP date), else None."""
    raw = response.headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


# How long a first connection may take before qjobs counts as unreachable: a person at a
# shell hears at once that nothing answers at the address, instead of after the retries.
CONNECT_SECONDS = 2.5


def timeouts(seconds: float) -> httpx.Timeout:
    """A request's time limits: `seconds` for the answer, at most CONNECT_SECONDS to connect."""
    return httpx.Timeout(seconds, connect=min(seconds, CONNECT_SECONDS))


def unreachable(url: str, error: httpx.TransportError) -> ConnectionFailed | None:
    """The one-line error for a first request that found nothing at `url` (connection
    refused, unknown host, no answer to connect), else None: that failure is retried."""
    if not isinstance(error, httpx.ConnectError | httpx.ConnectTimeout):
        return None
    text = str(error)
    if isinstance(error, httpx.ConnectTimeout):
        why = "no answer"
    elif "refused" in text.lower():
        why = "connection refused"
    elif "name" in text.lower() or "known" in text.lower():
        why = "unknown host"
    else:
        why = text or type(error).__name__
    return ConnectionFailed(
        f"cannot reach qjobs at {url} ({why}); is it running there? "
        "Set QJOBS_URL (or --url) to its address."
    )


def retry_delay(policy: RetryPolicy, attempt: int, response: httpx.Response | None) -> float | None:
    """How long to wait before repeating a request (None: do not repeat).

    `response` is None when the connection failed: the request is repeated with backoff
    (a submission carries its Idempotency-Key, so a repeat cannot create a second job)."""
    if response is None:
        return policy.delay(attempt, None)
    if response.status_code not in RETRY_STATUSES:
        return None
    return policy.delay(attempt, retry_after(response))


def problem(response: httpx.Response) -> dict[str, Any]:
    """The answer's problem document (a plain one when the body is not a problem)."""
    try:
        document = response.json()
    except ValueError:
        document = None
    if isinstance(document, dict) and ("title" in document or "type" in document):
        return document
    text = response.text.strip()[:200]
    return {"title": f"HTTP {response.status_code} {response.reason_phrase}", "detail": text}


def error_of(response: httpx.Response) -> ApiError:
    return api_error(response.status_code, problem(response))


def prefer_wait(seconds: int) -> dict[str, str]:
    """The header asking the API to hold a status or result read until the job ends."""
    return {"Prefer": f"wait={seconds}"} if seconds > 0 else {}


def long_poll_timeout(seconds: int, timeout: float) -> float:
    """A long-poll's read timeout: the wait plus the client's usual timeout."""
    return seconds + timeout


def waited(response: httpx.Response) -> bool:
    """Whether the API held the read (`Preference-Applied: wait=N`): then no pause is due
    before the next one. An API that does not long-poll is polled after its Retry-After."""
    applied = response.headers.get("preference-applied", "")
    return any(part.strip().lower().startswith("wait=") for part in applied.split(","))


def poll_delay(response: httpx.Response) -> float:
    """How long to wait before asking about a running job again: its 202's Retry-After."""
    seconds = retry_after(response)
    return DEFAULT_POLL_SECONDS if seconds is None else seconds


def status_location(base: str, response: httpx.Response, job_id: str) -> str:
    """Where a job's status is polled: the answer's Location, else the conventional path."""
    location = response.headers.get("location")
    return resolve(base, location) if location else job_url(base, job_id, "/status")
