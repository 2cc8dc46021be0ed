"""503 when the durable host cannot be reached or stops answering, and no job is half-created.

devhost always hands its functions a durable client bound to itself, so no request can make
it unreachable. These tests run the real `submit_job` function in this process instead, with
the real Durable SDK client bound to a port where nothing listens (or where a listener takes
connections and never answers) and the real Blob Storage (Azurite): everything is as in
production except that the durable host is gone or frozen.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import azure.functions as func
import pytest
from aiohttp import web
from api_testkit import KEYS, SEED_WEIGHTS, api_keys_setting
from azure.storage.blob import BlobServiceClient
from devhost_testkit import free_port, reset_sdk_http_session

import job_status
import submit_job
from devhost.azurite import Azurite
from devhost.durable.http_api import client_binding
from devhost.keys import HostKeys
from shared import config
from shared.jobs import new_job_id

CONTAINER = "qjobs-durable-outage"
SEED_JOB = {"kind": "number_partitioning", "weights": SEED_WEIGHTS}


@pytest.fixture
def app_settings(azurite: Azurite, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AzureWebJobsStorage", azurite.connection_string)
    monkeypatch.setenv("QJOBS_BLOB_CONTAINER", CONTAINER)
    monkeypatch.setenv("QJOBS_API_KEYS", api_keys_setting(KEYS))
    config.settings.cache_clear()
    yield
    config.settings.cache_clear()


def submit(headers: dict[str, str] | None = None) -> func.HttpResponse:
    """POST /api/jobs as carol, with the durable host gone."""
    return asyncio.run(submit_job.main(submit_request(headers), binding_at(free_port())))


def submit_request(headers: dict[str, str] | None = None) -> func.HttpRequest:
    return func.HttpRequest(
        "POST",
        "http://127.0.0.1/api/jobs",
        headers={
            "Authorization": f"Bearer {KEYS['carol']}",
            "Content-Type": "application/json",
            **(headers or {}),
        },
        body=json.dumps(SEED_JOB).encode(),
    )


def binding_at(port: int) -> str:
    """A durable client binding whose host is at `port` on loopback."""
    keys = HostKeys(system_key="system", rpc_secret=hashlib.sha256(b"rpc").hexdigest())
    return client_binding(f"http://127.0.0.1:{port}", "TestHubName", keys)


@contextlib.contextmanager
def silent_listener() -> Iterator[int]:
    """A port that takes connections (the kernel's backlog) and never answers: a frozen host."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield sock.getsockname()[1]


@contextlib.asynccontextmanager
async def host_that_never_starts() -> AsyncIterator[int]:
    """A durable HTTP API that answers queries (no such instance, none in flight) but never
    answers a start: the host froze between a submission's checks and its start."""
    stalled = asyncio.Event()

    async def never(request: web.Request) -> web.Response:
        await stalled.wait()
        return web.Response(status=500)

    async def no_instance(request: web.Request) -> web.Response:
        return web.Response(status=404)

    async def none_in_flight(request: web.Request) -> web.Response:
        return web.json_response([])

    app = web.Application()
    app.router.add_post("/durabletask/{secret}/orchestrators/{tail:.*}", never)
    app.router.add_get("/durabletask/{secret}/instances/", none_in_flight)
    app.router.add_get("/durabletask/{secret}/instances/{id}", no_instance)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield runner.addresses[0][1]
    finally:
        stalled.set()
        await runner.cleanup()


def answered_within(
    call: Callable[[], Awaitable[func.HttpResponse]],
) -> tuple[func.HttpResponse, float]:
    """Run one function call on a fresh loop; its answer and how long it took."""

    async def timed() -> tuple[func.HttpResponse, float]:
        began = time.monotonic()
        try:
            return await call(), time.monotonic() - began
        finally:
            await reset_sdk_http_session()  # its connections belong to this loop

    return asyncio.run(timed())


def blob_names(azurite: Azurite) -> list[str]:
    container = BlobServiceClient.from_connection_string(
        azurite.connection_string
    ).get_container_client(CONTAINER)
    if not container.exists():
        return []
    return [blob.name for blob in container.list_blobs()]


@pytest.mark.usefixtures("app_settings")
def test_submit_answers_503_problem_with_retry_after() -> None:
    answer = submit()

    assert answer.status_code == 503
    assert answer.mimetype == "application/problem+json"
    assert answer.headers["Retry-After"] == "1"
    assert json.loads(answer.get_body())["status"] == 503


@pytest.mark.usefixtures("app_settings")
def test_a_refused_submission_leaves_no_blob(azurite: Azurite) -> None:
    before = blob_names(azurite)

    assert submit().status_code == 503

    assert blob_names(azurite) == before


@pytest.mark.usefixtures("app_settings")
def test_a_refused_submission_under_an_idempotency_key_leaves_no_claim(azurite: Azurite) -> None:
    key = f"durable-outage-{uuid.uuid4()}"

    assert submit({"Idempotency-Key": key}).status_code == 503

    job_id = new_job_id("carol", key)
    assert not [name for name in blob_names(azurite) if job_id in name]


# The default deadline is 3 s: generous for a noisy machine, far below the SDK's 240 s.
FAST_503_SECONDS = 8.0


@pytest.mark.usefixtures("app_settings")
def test_submit_to_a_frozen_durable_host_is_503_within_seconds() -> None:
    with silent_listener() as port:
        answer, seconds = answered_within(
            lambda: submit_job.main(submit_request(), binding_at(port))
        )

    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "1"
    assert seconds < FAST_503_SECONDS, f"503 after {seconds:.1f} s"


@pytest.mark.usefixtures("app_settings")
def test_a_status_read_from_a_frozen_durable_host_is_503_within_seconds() -> None:
    job_id = new_job_id("carol", "any")
    request = func.HttpRequest(
        "GET",
        f"http://127.0.0.1/api/jobs/{job_id}/status",
        headers={"Authorization": f"Bearer {KEYS['carol']}"},
        route_params={"id": job_id},
        body=b"",
    )
    with silent_listener() as port:
        answer, seconds = answered_within(lambda: job_status.main(request, binding_at(port)))

    assert answer.status_code == 503
    assert seconds < FAST_503_SECONDS, f"503 after {seconds:.1f} s"


@pytest.mark.usefixtures("app_settings")
def test_a_submission_whose_start_never_answers_is_503_within_seconds_and_leaves_no_claim(
    azurite: Azurite,
) -> None:
    key = f"frozen-start-{uuid.uuid4()}"

    async def submit_to_stalled_host() -> func.HttpResponse:
        async with host_that_never_starts() as port:
            return await submit_job.main(submit_request({"Idempotency-Key": key}), binding_at(port))

    answer, seconds = answered_within(submit_to_stalled_host)

    assert answer.status_code == 503
    assert seconds < FAST_503_SECONDS, f"503 after {seconds:.1f} s"
    job_id = new_job_id("carol", key)
    assert not [name for name in blob_names(azurite) if job_id in name]
