"""503 when the durable host cannot be reached, and no job is half-created.

devhost always hands its functions a durable client bound to itself, so no request can make
it unreachable. These tests run the real `submit_job` function in this process instead, with
the real Durable SDK client bound to a port where nothing listens and the real Blob Storage
(Azurite): everything is as in production except that the durable host is gone.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections.abc import Iterator

import azure.functions as func
import pytest
from api_testkit import KEYS, SEED_WEIGHTS, api_keys_setting
from azure.storage.blob import BlobServiceClient
from devhost_testkit import free_port

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
    request = func.HttpRequest(
        "POST",
        "http://127.0.0.1/api/jobs",
        headers={
            "Authorization": f"Bearer {KEYS['carol']}",
            "Content-Type": "application/json",
            **(headers or {}),
        },
        body=json.dumps(SEED_JOB).encode(),
    )
    keys = HostKeys(system_key="system", rpc_secret=hashlib.sha256(b"rpc").hexdigest())
    dead = client_binding(f"http://127.0.0.1:{free_port()}", "TestHubName", keys)
    return asyncio.run(submit_job.main(request, dead))


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
