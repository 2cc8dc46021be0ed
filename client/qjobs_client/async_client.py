"""The asyncio client: `AsyncClient` and the `AsyncJob` handles it returns.

The same calls as `Client` and `Job`, awaited; the rules (retries, polling, errors) are
the shared ones in `protocol`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
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


class AsyncClient:
    """The asyncio twin of `Client` (same arguments, same defaults, same retries).

    Use it as an async context manager, or await `aclose()`."""

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
        self._http = httpx.AsyncClient(
            headers=protocol.default_headers(protocol.api_key(api_key)), timeout=timeout
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def request(
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
                response = await self._http.request(
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
            await asyncio.sleep(delay)

    async def submit(
        self,
        kind: str,
        /,
        *,
        target: str | None = None,
        name: str | None = None,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> AsyncJob:
        """Submit a job of `kind` with its fields; see `Client.submit`."""
        return await self.submit_document(
            protocol.job_body(kind, fields, target, name), idempotency_key=idempotency_key
        )

    async def estimate(
        self, kind: str, /, *, target: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        """What submitting this job would take, without running it; see `Client.estimate`."""
        body = protocol.job_body(kind, fields, target, None)
        response = await self.request("POST", f"{self.url}/jobs?dry_run=true", json=body)
        return dict(response.json())

    async def submit_document(
        self, document: dict[str, Any], *, idempotency_key: str | None = None
    ) -> AsyncJob:
        """Submit a job given as the API's JSON document (`{"kind": ..., ...}`)."""
        key = idempotency_key or protocol.new_idempotency_key()
        response = await self.request(
            "POST", f"{self.url}/jobs", json=document, headers={"Idempotency-Key": key}
        )
        status = JobStatus.from_json(response.json())
        return AsyncJob(self, status, protocol.status_location(self.url, response, status.id))

    async def job(self, job_id: str) -> AsyncJob:
        """The job with this id (NotFound when it is not this caller's)."""
        url = protocol.job_url(self.url, job_id, "/status")
        status = JobStatus.from_json((await self.request("GET", url)).json())
        return AsyncJob(self, status, url)

    async def jobs(
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
    ) -> AsyncIterator[AsyncJob]:
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
            page = (await self.request("GET", url, params=params)).json()
            for document in page["jobs"]:
                listed = JobStatus.from_json(document)
                yield AsyncJob(self, listed, protocol.resolve(self.url, listed.links["self"]))
            following = (page.get("links") or {}).get("next")
            if not page.get("continuation") or not following:
                return
            url, params = protocol.resolve(self.url, following), None

    async def webhook_secret(self) -> str:
        """This caller's webhook signing secret (`whsec_...`), for `webhooks.verify`."""
        return str((await self.request("GET", f"{self.url}/webhooks/secret")).json()["secret"])

    async def rotate_webhook_secret(self) -> str:
        """A new signing secret; for 24 hours deliveries are signed with the old one too."""
        url = f"{self.url}/webhooks/secret/rotate"
        return str((await self.request("POST", url)).json()["secret"])

    async def targets(self) -> list[Target]:
        document = (await self.request("GET", f"{self.url}/targets")).json()
        return [Target.from_json(t) for t in document["targets"]]


class AsyncJob:
    """A submitted job, for `AsyncClient`; see `Job`."""

    def __init__(self, client: AsyncClient, status: JobStatus, status_url: str) -> None:
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
        return self.last_status.status

    async def status(self) -> JobStatus:
        response = await self._client.request("GET", self._status_url)
        self.last_status = JobStatus.from_json(response.json())
        return self.last_status

    async def _read_waiting(self, url: str, waiter: Waiter) -> httpx.Response:
        seconds = waiter.long_poll_seconds()
        return await self._client.request(
            "GET",
            url,
            headers=protocol.prefer_wait(seconds),
            timeout=protocol.long_poll_timeout(seconds, self._client.timeout),
        )

    async def _pause(self, response: httpx.Response, waiter: Waiter) -> None:
        if protocol.waited(response):
            waiter.check_time()
            return
        for seconds in waiter.sleeps(protocol.poll_delay(response)):
            await asyncio.sleep(seconds)
            waiter.tick()

    async def wait(
        self, timeout: float | None = None, progress: Progress | bool | None = None
    ) -> JobStatus:
        """Wait until the job is final (long-polling its status); see `Job.wait`."""
        with Waiter(self.id, timeout, progress) as waiter:
            while True:
                response = await self._read_waiting(self._status_url, waiter)
                self.last_status = JobStatus.from_json(response.json())
                waiter.observe(self.last_status)
                if self.last_status.is_final:
                    return self.last_status
                await self._pause(response, waiter)

    async def result(
        self, timeout: float | None = None, progress: Progress | bool | None = None
    ) -> dict[str, Any]:
        """The job's result, waiting for it; JobFailed / JobCancelled carry the job's error."""
        if self._result is not None:
            return self._result
        final = await self.wait(timeout, progress)
        if final.status != "succeeded":
            raise job_error(self.id, final.status, final.error)
        url = protocol.resolve(self._client.url, final.links["result"])
        with Waiter(self.id, timeout, None) as waiter:
            while (response := await self._read_waiting(url, waiter)).status_code == 202:
                await self._pause(response, waiter)
        self._result = dict(response.json()["result"])
        return self._result

    async def input(self) -> dict[str, Any]:
        url = protocol.job_url(self._client.url, self.id, "/input")
        return dict((await self._client.request("GET", url)).json()["input"])

    async def cancel(self) -> JobStatus:
        url = protocol.job_url(self._client.url, self.id)
        self.last_status = JobStatus.from_json((await self._client.request("DELETE", url)).json())
        return self.last_status

    def plot(self, path: str | Path | None = None) -> Figure:
        """Draw the result once `await job.result()` has fetched it; see `Job.plot`."""
        from .plot import plot_result

        if self._result is None:
            raise RuntimeError("await job.result() before plotting")
        return plot_result(self.kind, self._result, title=f"{self.kind} {self.id}", path=path)

    def _repr_html_(self) -> str:
        return job_html(self.last_status, self.id, self._result)

    def __repr__(self) -> str:
        return f"<AsyncJob {self.id} {self.kind} {self.state}>"
