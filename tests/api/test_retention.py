"""Retention: the purge_jobs timer forgets jobs final for longer than QJOBS_RETENTION_DAYS
(their blobs of every prefix and their durable history) and never a running job."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
from api_testkit import KEYS, SEED_WEIGHTS, Api, api_env, hard_partition, start_api_host
from azure.storage.blob import BlobServiceClient
from devhost_testkit import http

from devhost.azurite import Azurite

CONTAINER = "qjobs-retention"
RETENTION_SECONDS = 8.0
PURGE_EVERY_SECONDS = 2
SEED_JOB = {"kind": "number_partitioning", "weights": SEED_WEIGHTS}


@pytest.fixture(scope="module")
def forgetful(azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A host that keeps final jobs for 8 s and purges every 2 s."""
    env = api_env(
        azurite.connection_string,
        QJOBS_BLOB_CONTAINER=CONTAINER,
        QJOBS_RETENTION_DAYS=str(RETENTION_SECONDS / 86400),
        QJOBS_PURGE_SCHEDULE=f"*/{PURGE_EVERY_SECONDS} * * * * *",
    )
    host = start_api_host(tmp_path_factory.mktemp("retention"), env)
    yield Api(host, KEYS["alice"])
    host.stop()


def blobs_of(azurite: Azurite, job_id: str) -> list[str]:
    """Every blob of the container that belongs to this job, sorted (jobs/, keys/, ...)."""
    service = BlobServiceClient.from_connection_string(azurite.connection_string)
    container = service.get_container_client(CONTAINER)
    return sorted(blob.name for blob in container.list_blobs() if job_id in blob.name)


def durable_instance_status(api: Api, job_id: str) -> int:
    return http("GET", f"{api.host.durable_url}instances/{job_id}").status


def listed_ids(api: Api) -> set[str]:
    return {job["id"] for job in api.request("GET", "/api/jobs?limit=100").json()["jobs"]}


def wait_until_forgotten(api: Api, job_id: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while api.status(job_id).status != 404:
        assert time.monotonic() < deadline, f"job {job_id} was not purged in {timeout} s"
        time.sleep(0.5)


def test_succeeded_job_is_forgotten_after_the_retention_period(
    forgetful: Api, azurite: Azurite
) -> None:
    answer = forgetful.submit(SEED_JOB, **{"Idempotency-Key": uuid.uuid4().hex})
    assert answer.status == 202, answer.text
    job_id = answer.json()["id"]
    assert forgetful.wait_for(job_id)["status"] == "succeeded"
    prefixes = [name.split("/")[0] for name in blobs_of(azurite, job_id)]
    assert prefixes == ["jobs", "keys", "results"]
    finished = time.monotonic()

    wait_until_forgotten(forgetful, job_id)

    assert time.monotonic() - finished > RETENTION_SECONDS - 1.5  # not before its time
    assert forgetful.result(job_id).status == 404
    assert forgetful.cancel(job_id).status == 404
    assert job_id not in listed_ids(forgetful)
    assert blobs_of(azurite, job_id) == []
    assert durable_instance_status(forgetful, job_id) == 404


def test_cancelled_job_is_forgotten_with_its_cancel_record(
    forgetful: Api, azurite: Azurite
) -> None:
    job_id = forgetful.submit_ok(
        {"kind": "number_partitioning", "weights": hard_partition(60), "time_limit": 30}
    )
    assert forgetful.cancel(job_id).status == 202
    assert forgetful.wait_for(job_id)["status"] == "cancelled"
    assert f"cancels/{job_id}.json" in blobs_of(azurite, job_id)

    wait_until_forgotten(forgetful, job_id)

    assert forgetful.cancel(job_id).status == 404
    assert blobs_of(azurite, job_id) == []
    assert durable_instance_status(forgetful, job_id) == 404


def test_running_job_is_never_forgotten_and_its_retention_starts_when_it_ends(
    forgetful: Api, azurite: Azurite
) -> None:
    job_id = forgetful.submit_ok(
        {"kind": "number_partitioning", "weights": hard_partition(60), "time_limit": 30}
    )
    # Older than the retention period, with several purges run meanwhile.
    time.sleep(RETENTION_SECONDS + 3 * PURGE_EVERY_SECONDS)
    assert forgetful.status(job_id).json()["status"] in ("waiting", "executing")
    assert job_id in listed_ids(forgetful)
    assert durable_instance_status(forgetful, job_id) == 202

    assert forgetful.cancel(job_id).status == 202
    assert forgetful.wait_for(job_id)["status"] == "cancelled"
    time.sleep(2 * PURGE_EVERY_SECONDS)  # purges run, but it has been final only briefly
    assert forgetful.status(job_id).status == 200
    assert any(name.startswith("jobs/") for name in blobs_of(azurite, job_id))

    wait_until_forgotten(forgetful, job_id)
    assert blobs_of(azurite, job_id) == []
