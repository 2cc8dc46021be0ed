"""A host killed with jobs in flight loses none: after a restart every job finishes."""

from __future__ import annotations

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


def check_partition(result: dict, weights: list[int]) -> None:
    """The answer partitions exactly these weights, and its figures add up."""
    left, right = result["subsets"]
    assert sorted(left + right) == sorted(weights)
    assert result["sums"] == [sum(left), sum(right)]
    assert result["difference"] == abs(sum(left) - sum(right))


def test_jobs_in_flight_at_a_sigkill_all_succeed_after_restart(api: Api) -> None:
    slow_weights = {}
    for i in range(6):
        weights = hard_partition(seed=i)
        job_id = api.submit_ok({"kind": "number_partitioning", "weights": weights, "time_limit": 2})
        slow_weights[job_id] = weights
    quick = [
        api.submit_ok({"kind": "number_partitioning", "weights": SEED_WEIGHTS}) for _ in range(10)
    ]
    at_kill = api.wait_for_any(slow_weights, {"executing"})
    api.host.kill()
    assert "executing" in at_kill.values(), at_kill
    api.host.restart()
    for job_id in [*slow_weights, *quick]:
        assert api.wait_for(job_id, timeout=60)["status"] == "succeeded"
    for job_id, weights in slow_weights.items():
        check_partition(api.result(job_id).json()["result"], weights)
    for job_id in quick:
        result = api.result(job_id).json()["result"]
        check_partition(result, SEED_WEIGHTS)
        assert result["difference"] == 1
    listed = api.request("GET", "/api/jobs?limit=100").json()["jobs"]
    assert sorted(job["id"] for job in listed) == sorted([*slow_weights, *quick])
    assert {job["status"] for job in listed} == {"succeeded"}
