"""503 when the durable host cannot be reached, and no job is half-created.

devhost builds the durable client binding from the URL the request came in on (as the
Functions host uses its own URL), so a request naming a dead port as its Host gets a
durable client that cannot connect, while the request itself is served.
"""

from __future__ import annotations

import uuid

import pytest
from api_testkit import KEYS, SEED_WEIGHTS, Api
from azure.storage.blob import BlobServiceClient
from devhost_testkit import DevHost, free_port

from devhost.azurite import Azurite
from shared.jobs import new_job_id
from shared.storage import owner_prefix

SEED_JOB = {"kind": "number_partitioning", "weights": SEED_WEIGHTS}


@pytest.fixture
def carol(api_host: DevHost) -> Api:
    return Api(api_host, KEYS["carol"])


def dead_durable_host() -> dict[str, str]:
    return {"Host": f"127.0.0.1:{free_port()}"}


def blob_names(azurite: Azurite) -> set[str]:
    service = BlobServiceClient.from_connection_string(azurite.connection_string)
    return {blob.name for blob in service.get_container_client("qjobs-tests").list_blobs()}


def test_submit_answers_503_with_retry_after(carol: Api) -> None:
    answer = carol.submit(SEED_JOB, **dead_durable_host())
    assert answer.status == 503
    assert answer.header("Content-Type").startswith("application/problem+json")
    assert answer.header("Retry-After") == "1"


def test_a_refused_start_leaves_no_record(carol: Api, azurite: Azurite) -> None:
    before = blob_names(azurite)
    assert carol.submit(SEED_JOB, **dead_durable_host()).status == 503
    created = blob_names(azurite) - before
    assert not [name for name in created if name.startswith(owner_prefix("carol"))]


def test_a_refused_start_under_an_idempotency_key_leaves_nothing_and_can_be_retried(
    carol: Api, azurite: Azurite
) -> None:
    key = {"Idempotency-Key": f"durable-outage-{uuid.uuid4()}"}
    job_id = new_job_id("carol", key["Idempotency-Key"])
    assert carol.submit(SEED_JOB, **key, **dead_durable_host()).status == 503
    assert not [name for name in blob_names(azurite) if job_id in name]
    retry = carol.submit(SEED_JOB, **key)
    assert retry.status == 202
    assert retry.json()["id"] == job_id
    assert carol.wait_for(job_id)["status"] == "succeeded"
