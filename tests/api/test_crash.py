"""A host killed with jobs in flight loses none: after a restart every job finishes."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from api_testkit import KEYS, SEED_WEIGHTS, Api, api_env, hard_partition, start_api_host

from devhost.azurite import Azurite


@pytest.fixture(scope="module")
def api(azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    env = api_env(azurite.connection_string, QJOBS_BLOB_CONTAINER="qjobs-crash")
    host = start_api_host(tmp_path_factory.mktemp("crash"), env)
    yield Api(host, KEYS["alice"])
    host.stop()


def test_jobs_in_flight_at_a_sigkill_all_succeed_after_restart(api: Api) -> None:
    slow = [
        api.submit_ok(
            {"kind": "number_partitioning", "weights": hard_partition(seed=i), "time_limit": 0.5}
        )
        for i in range(6)
    ]
    quick = [
        api.submit_ok({"kind": "number_partitioning", "weights": SEED_WEIGHTS}) for _ in range(10)
    ]
    api.wait_for(slow[0], {"executing", "succeeded"})
    time.sleep(0.2)
    api.host.kill()
    api.host.restart()
    for job_id in slow + quick:
        assert api.wait_for(job_id, timeout=30)["status"] == "succeeded"
    for job_id in quick:
        assert api.result(job_id).json()["result"]["difference"] == 1
    listed = api.request("GET", "/api/jobs?limit=100").json()["jobs"]
    assert sorted(job["id"] for job in listed) == sorted(slow + quick)
    assert {job["status"] for job in listed} == {"succeeded"}
