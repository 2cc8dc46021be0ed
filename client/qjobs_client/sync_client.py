"""The blocking client: `Client` and the `Job` handles it returns."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from . import protocol
from .display import job_html
from .errors import ConnectionFailed, job_error
from .models import JobStatus, Target
from .progress import Progress, Waiter

if TYPE_CHECKING:
    from matplotlib.figure import Figure


class Client:
    """A qjobs caller. `url` is the API's base (…/api) and `api_key` the caller's key;
    unset, they come from $QJOBS_URL (default http://127.0.0.1:7071/api) and $QJOBS_API_KEY.

    Every request that qjobs answers 429/502/503/504, or whose connection drops, is repeated
    after the answer's Retry-After (else a growing backoff), at most `retry.max_retries` times;
    but while qjobs has not answered once, nothing at the address (connection refused, unknown
    host, no connection within 2.5 s) raises ConnectionFailed at once.
    Use it as a context manager, or call `close()`, to release its connections.
    """

    def __init__(
        self,
        url: str | None = None,
        api_key: str | None = None,
        *,
        timeout: float = 30.0,
        retry: protocol.RetryPolicy | None = None,
    ) -> None:
        self.url = protocol.base_url(url)
        self.retry = retry or protocol.RetryPolicy()
        self.timeout = timeout
        # Until qjobs first answers, a refused or unresolvable connection fails at once (a
        # wrong address); after that it is retried (qjobs restarting under a long wait).
        self._answered = False
        self._http = httpx.Client(
            headers=protocol.default_headers(protocol.api_key(api_key)), timeout=timeout
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """One API call with the retry policy; a problem answer raises its typed ApiError.
        `timeout` replaces the client's own for this call (a long-poll needs longer)."""
        attempt = 0
        while True:
            try:
                response = self._http.request(
                    method,
                    url,
                    json=json,
                    params=params,
                    headers=headers,
                    timeout=protocol.timeouts(self.timeout if timeout is None else timeout),
                )
            except httpx.TransportError as error:
                never_answered = None if self._answered else protocol.unreachable(self.url, error)
                if never_answered is not None:
                    raise never_answered from error
                delay = protocol.retry_delay(self.retry, attempt, None)
                if delay is None:
                    raise ConnectionFailed(
                        f"qjobs at {self.url} cannot be reached: {error}"
                    ) from error
            else:
                self._answered = True
                if response.status_code < 400:
                    return response
                delay = protocol.retry_delay(self.retry, attempt, response)
                if delay is None:
                    raise protocol.error_of(response)
            attempt += 1
            time.sleep(delay)

    def submit(
        self,
        kind: str,
        /,
        *,
        target: str | None = None,
        name: str | None = None,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> Job:
        """Submit a job of `kind` with its fields (e.g. `weights=[5, 11, 8, 7, 1, 1]`).

        Every submission carries an Idempotency-Key (a new one unless given), so the
        client's own retries can never create a second job."""
        return self.submit_document(
            protocol.job_body(kind, fields, target, name), idempotency_key=idempotency_key
        )

    def estimate(self, kind: str, /, *, target: str | None = None, **fields: Any) -> dict[str, Any]:
        """What submitting this job would take, without running it (`?dry_run=true`):
        `{"valid", "target", "items", "estimate"}`; the submission's errors otherwise."""
        body = protocol.job_body(kind, fields, target, None)
        return dict(self.request("POST", f"{self.url}/jobs?dry_run=true", json=body).json())

    def submit_document(
        self, document: dict[str, Any], *, idempotency_key: str | None = None
    ) -> Job:
        """Submit a job given as the API's JSON document (`{"kind": ..., ...}`)."""
        key = idempotency_key or protocol.new_idempotency_key()
        response = self.request(
            "POST", f"{self.url}/jobs", json=document, headers={"Idempotency-Key": key}
        )
        status = JobStatus.from_json(response.json())
        return Job(self, status, protocol.status_location(self.url, response, status.id))

    def job(self, job_id: str) -> Job:
        """The job with this id (NotFound when it is not this caller's)."""
        url = protocol.job_url(self.url, job_id, "/status")
        status = JobStatus.from_json(self.request("GET", url).json())
        return Job(self, status, url)

    def jobs(
        self,
        status: str | list[str] | tuple[str, ...] | None = None,
        target: str | None = None,
        name: str | None = None,
        *,
        page_size: int | None = None,
        tags: list[str] | tuple[str, ...] = (),
        created_after: str | datetime | None = None,
        created_before: str | datetime | None = None,
        ids: list[str] | tuple[str, ...] | None = None,
    ) -> Iterator[Job]:
        """The caller's jobs, newest first, fetching page after page (`links.next`).
        `tags`: jobs with every one of them; `created_after` / `created_before`: RFC 3339
        text or an aware datetime; `ids`: only the caller's jobs among these (at most 100)."""
        filters = protocol.ListFilters(
            tuple(tags), created_after, created_before, None if ids is None else tuple(ids)
        )
        params: dict[str, str] | None = protocol.list_params(
            status, target, name, page_size, filters
        )
        url = f"{self.url}/jobs"
        while True:
            page = self.request("GET", url, params=params).json()
            for document in page["jobs"]:
                listed = JobStatus.from_json(document)
                yield Job(self, listed, protocol.resolve(self.url, listed.links["self"]))
            following = (page.get("links") or {}).get("next")
            if not page.get("continuation") or not following:
                return
            url, params = protocol.resolve(self.url, following), None

    def webhook_secret(self) -> str:
        """This caller's webhook signing secret (`whsec_...`), for `webhooks.verify`."""
        return str((self.request("GET", f"{self.url}/webhooks/secret")).json()["secret"])

    def rotate_webhook_secret(self) -> str:
        """A new signing secret; for 24 hours deliveries are signed with the old one too."""
        url = f"{self.url}/webhooks/secret/rotate"
        return str((self.request("POST", url)).json()["secret"])

    def targets(self) -> list[Target]:
        """The targets this deployment offers, with their kinds, limits and availability."""
        document = self.request("GET", f"{self.url}/targets").json()
        return [Target.from_json(t) for t in document["targets"]]


class Job:
    """A submitted job. `last_status` is what the API said last; `status()` asks again."""

    def __init__(self, client: Client, status: JobStatus, status_url: str) -> None:
        self._client = client
        self.id = status.id
        self.last_status = status
        self._status_url = status_url
        self._result: dict[str, Any] | None = None

    @property
    def kind(self) -> str:
        return self.last_status.kind

    @property
    def state(self) -> str:
        """The state last seen: waiting, executing, succeeded, failed or cancelled."""
        return self.last_status.status

    def status(self) -> JobStatus:
        self.last_status = JobStatus.from_json(self._client.request("GET", self._status_url).json())
        return self.last_status

    def _read_waiting(self, url: str, waiter: Waiter) -> httpx.Response:
        """GET `url`, asking the API to hold the answer until the job ends (long-poll)."""
        seconds = waiter.long_poll_seconds()
        return self._client.request(
            "GET",
            url,
            headers=protocol.prefer_wait(seconds),
            timeout=protocol.long_poll_timeout(seconds, self._client.timeout),
        )

    def _pause(self, response: httpx.Response, waiter: Waiter) -> None:
        """Before the next read: nothing after a held read, else the 202's Retry-After."""
        if protocol.waited(response):
            waiter.check_time()
            return
        for seconds in waiter.sleeps(protocol.poll_delay(response)):
            time.sleep(seconds)
            waiter.tick()

    def wait(
        self, timeout: float | None = None, progress: Progress | bool | None = None
    ) -> JobStatus:
        """Wait until the job is final and return its final status, whatever it is. Each
        status read is held by the API until the job ends (`Prefer: wait`), else repeated
        after the 202's Retry-After. `progress`: a callback `(status, elapsed)`, or True
        for a one-line display on stderr. WaitTimeout after `timeout` seconds."""
        with Waiter(self.id, timeout, progress) as waiter:
            while True:
                response = self._read_waiting(self._status_url, waiter)
                self.last_status = JobStatus.from_json(response.json())
                waiter.observe(self.last_status)
                if self.last_status.is_final:
                    return self.last_status
                self._pause(response, waiter)

    def result(
        self, timeout: float | None = None, progress: Progress | bool | None = None
    ) -> dict[str, Any]:
        """The job's result, waiting for it; JobFailed / JobCancelled carry the job's error."""
        if self._result is not None:
            return self._result
        final = self.wait(timeout, progress)
        if final.status != "succeeded":
            raise job_error(self.id, final.status, final.error)
        url = protocol.resolve(self._client.url, final.links["result"])
        with Waiter(self.id, timeout, None) as waiter:
            # Another instance may not see the end yet: its 202 is waited out like a status.
            while (response := self._read_waiting(url, waiter)).status_code == 202:
                self._pause(response, waiter)
        self._result = dict(response.json()["result"])
        return self._result

    def input(self) -> dict[str, Any]:
        """The job as it was submitted (its kind's fields, with defaults applied)."""
        url = protocol.job_url(self._client.url, self.id, "/input")
        return dict(self._client.request("GET", url).json()["input"])

    def cancel(self) -> JobStatus:
        """Ask the job to stop; Conflict when it is already final. Call wait() to see it end."""
        url = protocol.job_url(self._client.url, self.id)
        self.last_status = JobStatus.from_json(self._client.request("DELETE", url).json())
        return self.last_status

    def plot(self, path: str | Path | None = None) -> Figure:
        """Draw the result (waiting for it): counts as a histogram, a partition's two subsets,
        a configuration's values. Needs the `plot` extra (matplotlib)."""
        from .plot import plot_result

        return plot_result(self.kind, self.result(), title=f"{self.kind} {self.id}", path=path)

    def _repr_html_(self) -> str:
        return job_html(self.last_status, self.id, self._result)

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.state}>"
