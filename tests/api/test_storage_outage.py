"""Blob Storage unreachable: 503 with Retry-After, no job half-created, and recovery."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from api_testkit import KEYS, SEED_WEIGHTS, Api, api_env, hard_partition, start_api_host
from devhost_testkit import list_instances

from devhost.azurite import Azurite

SEED_JOB = {"kind": "number_partitioning", "weights": SEED_WEIGHTS}


@pytest.fixture(scope="module")
def own_azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    service = Azurite(location=tmp_path_factory.mktemp("outage-azurite"))
    service.start()
    yield service
    service.stop()


@pytest.fixture(scope="module")
def api(own_azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    host = start_api_host(tmp_path_factory.mktemp("outage"), api_env(own_azurite.connection_string))
    yield Api(host, KEYS["alice"])
    host.stop()


def test_submit_while_storage_is_down_is_503_and_creates_nothing(
    api: Api, own_azurite: Azurite
) -> None:
    before = api.submit_ok(SEED_JOB)
    api.wait_for(before)
    own_azurite.stop()
    try:
        answer = api.submit(SEED_JOB)
        assert answer.status == 503, answer.text
        assert int(answer.header("Retry-After")) >= 1
        assert answer.header("Content-Type").startswith("application/problem+json")
        assert "AccountKey" not in answer.text and "127.0.0.1" not in answer.text
        instances, _ = list_instances(api.host.webhook_url, {}, api.host.key_headers)
        assert [item["instanceId"] for item in instances] == [before]
        assert api.request("GET", "/api/jobs").status == 503
        # The result this process wrote a moment ago is still served from memory.
        assert api.result(before).json()["result"]["difference"] == 1
    finally:
        own_azurite.start()
    after = api.submit_ok(SEED_JOB)
    assert api.wait_for(after)["status"] == "succeeded"
    listed = [job["id"] for job in api.request("GET", "/api/jobs").json()["jobs"]]
    assert listed == [after, before]


def test_a_job_running_through_an_outage_finishes_once_storage_is_back(
    api: Api, own_azurite: Azurite
) -> None:
    job = {"kind": "number_partitioning", "weights": hard_partition(), "time_limit": 1}
    job_id = api.submit_ok(job)
    api.wait_for(job_id, {"executing"})
    own_azurite.stop()
    try:
        time.sleep(2.5)  # the job ends while storage is down; storing its result is retried
        assert api.status(job_id).json()["status"] == "executing"
    finally:
        own_azurite.start()
    assert api.wait_for(job_id, timeout=30)["status"] == "succeeded"
    assert len(api.result(job_id).json()["result"]["assignment"]) == len(job["weights"])
    listed = {j["id"]: j["status"] for j in api.request("GET", "/api/jobs").json()["jobs"]}
    assert listed[job_id] == "succeeded"
