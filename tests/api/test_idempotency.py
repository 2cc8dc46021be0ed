"""Idempotency-Key: a repeated submission returns the same job and creates no second one."""

from __future__ import annotations

import concurrent.futures
import json
import uuid
from datetime import timedelta

import pytest
from api_testkit import SEED_WEIGHTS, Api
from azure.storage.blob import BlobServiceClient

from devhost.azurite import Azurite
from shared.jobs import JobSpec, new_job_id, timestamp, utc_now
from shared.storage import key_blob
from shared.submission import parse_job_request

SEED_JOB = {"kind": "number_partitioning", "weights": SEED_WEIGHTS}


def key() -> dict[str, str]:
    return {"Idempotency-Key": f"order-{uuid.uuid4()}"}


def test_repeat_returns_the_same_job(alice: Api) -> None:
    headers = key()
    first = alice.submit(SEED_JOB, **headers)
    second = alice.submit(SEED_JOB, **headers)
    assert first.status == second.status == 202
    assert first.json()["id"] == second.json()["id"]
    assert second.header("Idempotent-Replayed") == "true"
    assert first.header("Idempotent-Replayed") is None


def test_repeat_after_the_job_finished_returns_it_finished(alice: Api) -> None:
    headers = key()
    job_id = alice.submit(SEED_JOB, **headers).json()["id"]
    alice.wait_for(job_id)
    again = alice.submit(SEED_JOB, **headers)
    assert again.json()["id"] == job_id
    assert again.json()["status"] == "succeeded"


def test_same_key_with_a_different_body_is_422(alice: Api) -> None:
    headers = key()
    alice.submit(SEED_JOB, **headers)
    other = alice.submit({"kind": "number_partitioning", "weights": [1, 2, 3]}, **headers)
    assert other.status == 422
    assert other.header("Content-Type").startswith("application/problem+json")


def test_concurrent_repeats_create_one_job(alice: Api) -> None:
    headers = key()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: alice.submit(SEED_JOB, **headers), range(8)))
    assert {answer.status for answer in answers} == {202}
    assert len({answer.json()["id"] for answer in answers}) == 1
    job_id = answers[0].json()["id"]
    listed = alice.request("GET", "/api/jobs?limit=100").json()["jobs"]
    assert [job["id"] for job in listed].count(job_id) == 1


def blobs_of(azurite: Azurite, job_id: str) -> list[str]:
    """Every blob of the API's container that belongs to this job (records and results)."""
    service = BlobServiceClient.from_connection_string(azurite.connection_string)
    container = service.get_container_client("qjobs-tests")
    return sorted(blob.name for blob in container.list_blobs() if job_id in blob.name)


def test_concurrent_different_bodies_under_one_key_leave_one_job(
    alice: Api, azurite: Azurite
) -> None:
    headers = key()
    bodies = [SEED_JOB, {"kind": "number_partitioning", "weights": [1, 2, 3]}] * 4
    with concurrent.futures.ThreadPoolExecutor(len(bodies)) as pool:
        answers = list(pool.map(lambda body: alice.submit(body, **headers), bodies))
    assert {answer.status for answer in answers} <= {202, 422}
    accepted = [
        (body, answer) for body, answer in zip(bodies, answers, strict=True) if answer.status == 202
    ]
    assert len({body["weights"][-1] for body, _ in accepted}) == 1  # only one body won
    assert len({answer.json()["id"] for _, answer in accepted}) == 1
    job_id = accepted[0][1].json()["id"]
    document = alice.wait_for(job_id)
    assert document["status"] == "succeeded"
    listed = alice.request("GET", "/api/jobs?limit=100").json()["jobs"]
    assert [job["id"] for job in listed].count(job_id) == 1
    record, key_claim, result = blobs_of(azurite, job_id)  # sorted: jobs/, keys/, results/
    assert record.startswith("jobs/") and record.endswith(f"-{job_id}.json")
    assert key_claim == f"keys/{job_id}.json"
    assert result == f"results/{job_id}.json"


def write_claim(azurite: Azurite, key_value: str, body: dict, age: timedelta) -> str:
    """A key claim as a request that died before starting its job leaves it; its job id."""
    job_id = new_job_id("alice", key_value)
    request = parse_job_request(body)
    spec = JobSpec(
        id=job_id,
        owner="alice",
        name=None,
        kind=request.kind.name,
        target=request.target,
        created=timestamp(utc_now() - age),
        request_hash=request.fingerprint(),
        poll={"first_seconds": 0.05, "factor": 2, "max_seconds": 15, "max_job_seconds": 3600},
    )
    service = BlobServiceClient.from_connection_string(azurite.connection_string)
    service.get_container_client("qjobs-tests").upload_blob(
        key_blob(job_id), json.dumps(spec.to_json())
    )
    return job_id


@pytest.mark.parametrize(
    "claimed_body", [SEED_JOB, {"kind": "number_partitioning", "weights": [1, 2, 3]}]
)
def test_a_claim_abandoned_minutes_ago_is_taken_over(
    alice: Api, azurite: Azurite, claimed_body: dict
) -> None:
    headers = key()
    job_id = write_claim(azurite, headers["Idempotency-Key"], claimed_body, timedelta(minutes=3))
    answer = alice.submit(SEED_JOB, **headers)
    assert answer.status == 202
    assert answer.json()["id"] == job_id
    assert answer.header("Idempotent-Replayed") is None
    assert alice.wait_for(job_id)["status"] == "succeeded"
    assert alice.result(job_id).json()["result"]["difference"] == 1
