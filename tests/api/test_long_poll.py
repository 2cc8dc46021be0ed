"""Long-poll reads: `Prefer: wait=N` and `?wait=N` hold a job's status or result until the
job ends (answering at once when it does) or N seconds pass; the client waits through them."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from api_testkit import FINAL, KEYS, SEED_WEIGHTS, Api, hard_partition
from devhost_testkit import DevHost
from qjobs_client import Client

SEED = {"kind": "number_partitioning", "weights": SEED_WEIGHTS}


def running_job(api: Api, seconds: float) -> str:
    """A job that runs for about `seconds` (a partition no solver settles before its limit)."""
    return api.submit_ok(
        {"kind": "number_partitioning", "weights": hard_partition(), "time_limit": seconds}
    )


def seconds_since(moment: str) -> float:
    return (datetime.now(UTC) - datetime.fromisoformat(moment)).total_seconds()


def test_status_with_prefer_wait_answers_as_soon_as_the_job_ends(alice: Api) -> None:
    job_id = running_job(alice, 1.5)
    answer = alice.request("GET", f"/api/jobs/{job_id}/status", headers={"Prefer": "wait=20"})
    assert answer.status == 200, answer.text
    document = answer.json()
    assert document["status"] in FINAL
    assert answer.header("Preference-Applied") == "wait=20"
    assert seconds_since(document["finished"]) < 1.0


def test_status_wait_of_a_running_job_answers_202_after_the_wait(alice: Api) -> None:
    job_id = running_job(alice, 20)
    try:
        began = time.monotonic()
        answer = alice.request("GET", f"/api/jobs/{job_id}/status?wait=2")
        waited = time.monotonic() - began
        assert answer.status == 202, answer.text
        assert answer.json()["status"] in ("waiting", "executing")
        assert answer.header("Preference-Applied") == "wait=2"
        assert answer.header("Retry-After") is not None
        assert 1.8 <= waited < 6
    finally:
        alice.cancel(job_id)


def test_result_with_wait_answers_the_result_as_soon_as_the_job_ends(alice: Api) -> None:
    job_id = alice.submit_ok(SEED)
    answer = alice.request("GET", f"/api/jobs/{job_id}/result", headers={"Prefer": "wait=20"})
    assert answer.status == 200, answer.text
    assert answer.json()["result"]["difference"] == 1
    assert answer.header("Preference-Applied") == "wait=20"
    assert seconds_since(alice.status(job_id).json()["finished"]) < 1.0


def test_result_wait_of_a_job_cancelled_meanwhile_answers_409_at_once(alice: Api) -> None:
    job_id = running_job(alice, 30)
    alice.wait_for(job_id, {"executing"})
    alice.cancel(job_id)
    answer = alice.request("GET", f"/api/jobs/{job_id}/result?wait=20")
    assert answer.status == 409, answer.text
    assert answer.json()["job_status"] == "cancelled"
    assert answer.header("Preference-Applied") == "wait=20"


def test_wait_is_capped_by_the_maximum(alice: Api) -> None:
    job_id = alice.submit_ok(SEED)
    alice.wait_for(job_id)
    answer = alice.request("GET", f"/api/jobs/{job_id}/status", headers={"Prefer": "wait=9999"})
    assert answer.status == 200
    assert answer.header("Preference-Applied") == "wait=60"


def test_prefer_without_wait_is_answered_at_once_without_preference_applied(alice: Api) -> None:
    job_id = running_job(alice, 20)
    try:
        answer = alice.request(
            "GET", f"/api/jobs/{job_id}/status", headers={"Prefer": "respond-async"}
        )
        assert answer.status == 202
        assert answer.header("Preference-Applied") is None
    finally:
        alice.cancel(job_id)


def test_wait_that_is_not_whole_seconds_is_refused(alice: Api) -> None:
    job_id = alice.submit_ok(SEED)
    answer = alice.request("GET", f"/api/jobs/{job_id}/status?wait=soon")
    assert answer.status == 400
    assert (answer.header("Content-Type") or "").startswith("application/problem+json")


def test_waiting_for_another_callers_job_answers_404_at_once(alice: Api, bob: Api) -> None:
    job_id = running_job(alice, 20)
    try:
        began = time.monotonic()
        answer = bob.request("GET", f"/api/jobs/{job_id}/status?wait=20")
        assert answer.status == 404
        assert time.monotonic() - began < 2
    finally:
        alice.cancel(job_id)


def test_client_result_of_a_seed_job_comes_right_after_its_end(api_host: DevHost) -> None:
    with Client(api_host.url("/api"), KEYS["alice"]) as client:
        job = client.submit("number_partitioning", weights=SEED_WEIGHTS)
        began = time.monotonic()
        result = job.result(timeout=30)
        took = time.monotonic() - began
    assert result["difference"] == 1
    # Without long-poll the client would sleep the 202's Retry-After (1 s) at least once.
    assert took < 0.9
