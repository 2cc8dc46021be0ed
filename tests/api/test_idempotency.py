"""Idempotency-Key: a repeated submission returns the same job and creates no second one."""

from __future__ import annotations

import concurrent.futures
import uuid

from api_testkit import SEED_WEIGHTS, Api

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
