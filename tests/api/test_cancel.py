"""DELETE /api/jobs/{id}: cancelling running jobs, finished jobs, and cancelling twice."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

import pytest
from api_testkit import KEYS, SEED_WEIGHTS, Api, api_env, hard_partition, start_api_host

from devhost.azurite import Azurite


def long_job(api: Api) -> str:
    return api.submit_ok(
        {"kind": "number_partitioning", "weights": hard_partition(), "time_limit": 30}
    )


def test_cancel_of_a_running_job_ends_it_cancelled(alice: Api) -> None:
    job_id = long_job(alice)
    alice.wait_for(job_id, {"executing"})
    answer = alice.cancel(job_id)
    assert answer.status == 202
    assert answer.header("Location") == f"/api/jobs/{job_id}/status"
    final = alice.wait_for(job_id, timeout=10)
    assert final["status"] == "cancelled"
    assert final["error"]["code"] == "cancelled"
    assert final["finished"] is not None


def test_cancel_of_a_waiting_job_ends_it_cancelled(alice: Api) -> None:
    job_id = long_job(alice)
    assert alice.cancel(job_id).status == 202
    assert alice.wait_for(job_id, timeout=10)["status"] == "cancelled"


def test_repeated_cancel_is_accepted_until_final_then_409(alice: Api) -> None:
    job_id = long_job(alice)
    assert alice.cancel(job_id).status == 202
    second = alice.cancel(job_id)
    assert second.status in (202, 409)
    alice.wait_for(job_id, timeout=10)
    third = alice.cancel(job_id)
    assert third.status == 409
    assert third.header("Content-Type").startswith("application/problem+json")
    assert third.json()["job_status"] == "cancelled"


def test_cancel_of_a_succeeded_job_is_409_and_keeps_it_succeeded(alice: Api) -> None:
    job_id = alice.submit_ok({"kind": "number_partitioning", "weights": SEED_WEIGHTS})
    alice.wait_for(job_id)
    answer = alice.cancel(job_id)
    assert answer.status == 409
    assert answer.json()["job_status"] == "succeeded"
    assert alice.status(job_id).json()["status"] == "succeeded"
    assert alice.result(job_id).status == 200


def test_result_of_a_cancelled_job_is_409_carrying_its_error(alice: Api) -> None:
    job_id = long_job(alice)
    alice.cancel(job_id)
    alice.wait_for(job_id, timeout=10)
    answer = alice.result(job_id)
    assert answer.status == 409
    problem = answer.json()
    assert problem["job_status"] == "cancelled"
    assert problem["error"]["code"] == "cancelled"
    assert problem["status"] == 409


def test_cancelled_job_frees_its_worker_promptly(alice: Api) -> None:
    # Two workers; cancel two 30 s jobs, then a quick job must not wait for them.
    jobs = [long_job(alice), long_job(alice)]
    for job_id in jobs:
        alice.wait_for(job_id, {"executing"})
        alice.cancel(job_id)
    for job_id in jobs:
        alice.wait_for(job_id, timeout=10)
    quick = alice.submit_ok({"kind": "number_partitioning", "weights": SEED_WEIGHTS})
    # Well under the cancelled jobs' 30 s: they no longer hold the two workers.
    assert alice.wait_for(quick, timeout=15)["status"] == "succeeded"


@pytest.fixture(scope="module")
def fast_polling(azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A host whose orchestrations poll every 50 ms: many rounds, many moments to cancel in."""
    env = api_env(
        azurite.connection_string,
        QJOBS_BLOB_CONTAINER="qjobs-fast-polling",
        QJOBS_POLL_FIRST_SECONDS="0.05",
        QJOBS_POLL_FACTOR="1",
        QJOBS_POLL_MAX_SECONDS="0.05",
        QJOBS_MAX_JOBS_IN_FLIGHT="1000",
    )
    host = start_api_host(tmp_path_factory.mktemp("fast-polling"), env)
    yield Api(host, KEYS["alice"])
    host.stop()


def test_a_cancel_at_any_moment_of_the_polling_is_never_lost(fast_polling: Api) -> None:
    rng = random.Random(8)
    jobs = [
        fast_polling.submit_ok(
            {"kind": "number_partitioning", "weights": hard_partition(seed=n), "time_limit": 60}
        )
        for n in range(12)
    ]
    for job_id in jobs:
        time.sleep(rng.uniform(0, 0.12))
        assert fast_polling.cancel(job_id).status == 202

    # Each cancel is seen at the latest when its round's timer (50 ms) fires.
    for job_id in jobs:
        assert fast_polling.wait_for(job_id, timeout=30)["status"] == "cancelled"
