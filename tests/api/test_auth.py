"""API keys: who may call, and that a caller only ever sees its own jobs."""

from __future__ import annotations

import statistics
import time

from api_testkit import SEED_WEIGHTS, Api, hard_partition
from devhost_testkit import http

SEED_JOB = {"kind": "number_partitioning", "weights": SEED_WEIGHTS}


def test_request_without_a_key_is_401_with_a_challenge(anonymous: Api) -> None:
    answer = anonymous.submit(SEED_JOB)
    assert answer.status == 401
    assert answer.header("WWW-Authenticate").startswith("Bearer")
    assert answer.header("Content-Type").startswith("application/problem+json")


def test_wrong_key_is_401(api_host) -> None:
    answer = Api(api_host, "not-a-key").submit(SEED_JOB)
    assert answer.status == 401
    assert "not valid" in answer.json()["detail"]


def test_x_api_key_header_is_accepted(api_host) -> None:
    answer = http(
        "POST",
        api_host.url("/api/jobs"),
        json_body=SEED_JOB,
        headers={"x-api-key": "bob-secret-key"},
    )
    assert answer.status == 202


def test_another_callers_job_is_404_for_status_result_and_cancel(alice: Api, bob: Api) -> None:
    job_id = alice.submit_ok(
        {"kind": "number_partitioning", "weights": hard_partition(), "time_limit": 2}
    )
    for answer in (bob.status(job_id), bob.result(job_id), bob.cancel(job_id)):
        assert answer.status == 404
        assert answer.json()["detail"] == f"There is no job {job_id!r}."
    assert alice.wait_for(job_id)["status"] == "succeeded"


def test_unknown_and_foreign_ids_answer_identically(alice: Api, bob: Api) -> None:
    job_id = alice.submit_ok(SEED_JOB)
    foreign = bob.status(job_id)
    unknown = bob.status("f" * 32)
    assert foreign.status == unknown.status == 404
    assert foreign.json()["type"] == unknown.json()["type"]


def test_same_idempotency_key_from_two_callers_makes_two_jobs(alice: Api, bob: Api) -> None:
    headers = {"Idempotency-Key": "shared-key-1"}
    first = alice.submit(SEED_JOB, **headers).json()["id"]
    second = bob.submit(SEED_JOB, **headers).json()["id"]
    assert first != second
    assert bob.status(first).status == 404


def test_no_key_or_storage_secret_appears_in_answers(alice: Api, azurite) -> None:
    answer = alice.submit(SEED_JOB)
    text = answer.text + str(answer.headers)
    assert "alice-secret-key" not in text
    assert "AccountKey" not in text and azurite.blob_endpoint not in text


def test_logs_never_carry_keys_or_storage_secrets(alice: Api, anonymous: Api, azurite) -> None:
    alice.submit(SEED_JOB)
    Api(alice.host, "wrong-key-xyz").submit(SEED_JOB)
    anonymous.request("GET", "/api/jobs")
    log = alice.host.log_text(whole=True)
    account_key = azurite.connection_string.split("AccountKey=")[1].split(";")[0]
    for secret in ("alice-secret-key", "wrong-key-xyz", account_key, "AccountKey="):
        assert secret not in log


def test_unknown_and_foreign_ids_cost_the_same(alice: Api, bob: Api) -> None:
    job_id = alice.submit_ok(SEED_JOB)
    alice.wait_for(job_id)
    took: dict[str, list[float]] = {job_id: [], "f" * 32: []}
    for _ in range(100):  # interleaved, so both see the same machine load
        for asked in took:
            begin = time.perf_counter()
            assert bob.status(asked).status == 404
            took[asked].append(time.perf_counter() - begin)
    foreign, unknown = (statistics.median(samples) for samples in took.values())
    print(f"404 medians: another's id {foreign * 1000:.2f} ms, unknown {unknown * 1000:.2f} ms")
    assert foreign < unknown * 1.1
