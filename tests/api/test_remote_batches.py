"""Batches on Azure Quantum targets, through devhost + Azurite + the Azure Quantum stand-in:
one provider job per item (`<job id>-<index>`), at most QJOBS_BATCH_PARALLELISM in flight,
each created and cancelled at most once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_testkit import KEYS, Api, api_env, start_api_host
from devhost_testkit import http

from devhost.azurite import Azurite
from devhost.quantum_standin import QuantumStandIn

TARGET = "ionq.simulator"
PROGRAM = """OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
bit[2] c;
{gates}
c = measure q;
"""
ROTATION = """OPENQASM 3.0;
include "stdgates.inc";
input float[64] theta;
qubit[1] q;
bit[1] c;
rx(theta) q[0];
c[0] = measure q[0];
"""
PARALLELISM = 8  # QJOBS_BATCH_PARALLELISM's default


def program(gates: str) -> str:
    return PROGRAM.format(gates=gates)


def batch(sources: list[str], **fields: object) -> dict:
    items = [{"source": source} for source in sources]
    return {"kind": "circuit", "target": TARGET, "shots": 20, "items": items, **fields}


def item_ids(job_id: str, count: int) -> list[str]:
    return sorted(f"{job_id}-{i}" for i in range(count))


@pytest.fixture(scope="module")
def standin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QuantumStandIn]:
    with QuantumStandIn(region="westeurope", cert_dir=tmp_path_factory.mktemp("cert")) as service:
        yield service


@pytest.fixture(autouse=True)
def fresh_standin(standin: QuantumStandIn) -> None:
    standin.reset()


def remote_host(
    standin: QuantumStandIn, azurite: Azurite, tmp: Path, container: str, **settings: str
) -> Api:
    polling = {"QJOBS_POLL_FIRST_SECONDS": "0.1", "QJOBS_POLL_MAX_SECONDS": "0.5"}
    env = api_env(
        azurite.connection_string,
        QJOBS_WORKSPACE_CONNECTION_STRING=standin.connection_string,
        QJOBS_BLOB_CONTAINER=container,
        **{**polling, **settings},
        **standin.env(),
    )
    return Api(start_api_host(tmp, env), KEYS["alice"])


@pytest.fixture(scope="module")
def remote(
    standin: QuantumStandIn, azurite: Azurite, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    api = remote_host(standin, azurite, tmp_path_factory.mktemp("remote"), "qjobs-rbatch")
    yield api
    api.host.stop()


def created(standin: QuantumStandIn) -> list[str]:
    return sorted(job["id"] for job in standin.created_jobs())


def cancelled(standin: QuantumStandIn) -> list[str]:
    return sorted(call["id"] for call in standin.cancel_calls())


def wait_until(condition: object, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_three_items_each_get_their_counts_from_a_provider_job_of_their_own(
    remote: Api, standin: QuantumStandIn
) -> None:
    job_id = remote.submit_ok(batch([program("x q[0];"), program("x q[1];"), program("")]))

    status = remote.wait_for(job_id, timeout=60)
    result = remote.result(job_id).json()["result"]

    assert status["status"] == "succeeded", status
    assert status["items"] == {
        "total": 3,
        "waiting": 0,
        "executing": 0,
        "succeeded": 3,
        "failed": 0,
        "cancelled": 0,
    }
    assert result["items"] == [
        {"index": 0, "status": "succeeded", "counts": {"01": 20}, "shots": 20},
        {"index": 1, "status": "succeeded", "counts": {"10": 20}, "shots": 20},
        {"index": 2, "status": "succeeded", "counts": {"00": 20}, "shots": 20},
    ]
    assert created(standin) == item_ids(job_id, 3)


def test_a_sweep_runs_one_provider_job_per_binding_with_its_values(
    remote: Api, standin: QuantumStandIn
) -> None:
    bindings = [{"theta": 0.0}, {"theta": 3.141592653589793}, {"theta": 0.0}]
    job = {"kind": "circuit", "target": TARGET, "source": ROTATION, "shots": 30}
    job_id = remote.submit_ok({**job, "parameters": bindings})

    assert remote.wait_for(job_id, timeout=60)["status"] == "succeeded"
    items = remote.result(job_id).json()["result"]["items"]

    assert [item["counts"] for item in items] == [{"0": 30}, {"1": 30}, {"0": 30}]
    assert [item["parameters"] for item in items] == bindings
    assert created(standin) == item_ids(job_id, 3)


def test_at_most_the_parallelism_is_in_flight_and_cancel_cancels_each_provider_job_once(
    remote: Api, standin: QuantumStandIn
) -> None:
    standin.configure(queue_seconds=60)
    job_id = remote.submit_ok(batch([program("x q[0];")] * (PARALLELISM + 3)))
    wait_until(lambda: len(created(standin)) == PARALLELISM)
    time.sleep(1)  # a few more rounds: still no more in flight
    assert len(created(standin)) == PARALLELISM

    assert remote.cancel(job_id).status == 202
    status = remote.wait_for(job_id, timeout=60)
    answer = remote.result(job_id)

    assert status["status"] == "cancelled", status
    assert status["items"]["cancelled"] == PARALLELISM + 3
    assert cancelled(standin) == created(standin) == item_ids(job_id, PARALLELISM)
    assert answer.status == 409
    assert [item["status"] for item in answer.json()["items"]] == ["cancelled"] * 11


def test_abort_cancels_the_other_items_and_fails_with_the_failed_items_error(
    remote: Api, standin: QuantumStandIn
) -> None:
    standin.configure(queue_seconds=0.5, execution_seconds=60)
    job_id = remote.submit_ok(batch([program("")] * 3))
    # Item 1 fails as it starts; the others would run for a minute.
    standin.configure(fail_job_ids=[f"{job_id}-1"])

    status = remote.wait_for(job_id, timeout=60)
    answer = remote.result(job_id)

    assert status["status"] == "failed", status
    assert status["error"]["message"].startswith("Item 1 failed:")
    assert "InvalidInputData" in status["error"]["message"]
    statuses = [item["status"] for item in answer.json()["items"]]
    assert statuses == ["cancelled", "failed", "cancelled"]
    assert cancelled(standin) == [f"{job_id}-0", f"{job_id}-2"]


def test_continue_runs_every_item_and_succeeds_with_the_failed_one_in_its_place(
    remote: Api, standin: QuantumStandIn
) -> None:
    standin.configure(queue_seconds=0.5)
    job_id = remote.submit_ok(batch([program("x q[0];")] * 3, on_item_failure="continue"))
    standin.configure(fail_job_ids=[f"{job_id}-1"])

    status = remote.wait_for(job_id, timeout=60)
    items = remote.result(job_id).json()["result"]["items"]

    assert status["status"] == "succeeded", status
    assert status["items"]["succeeded"] == 2 and status["items"]["failed"] == 1
    assert [item["status"] for item in items] == ["succeeded", "failed", "succeeded"]
    assert items[1]["error"]["code"] == "target_error"
    assert items[2]["counts"] == {"01": 20}
    assert cancelled(standin) == []


def test_transient_faults_neither_fail_items_nor_create_any_twice(
    remote: Api, standin: QuantumStandIn
) -> None:
    standin.configure(transient_error_rate=0.3)
    job_id = remote.submit_ok(batch([program("x q[1];")] * 10))

    status = remote.wait_for(job_id, timeout=120)
    items = remote.result(job_id).json()["result"]["items"]

    assert status["status"] == "succeeded", status
    assert all(item["counts"] == {"10": 20} for item in items)
    assert sum(standin.faults().values()) > 0
    assert created(standin) == item_ids(job_id, 10)


def test_a_host_killed_during_a_remote_batch_ends_every_item_with_one_provider_job(
    standin: QuantumStandIn, azurite: Azurite, tmp_path_factory: pytest.TempPathFactory
) -> None:
    api = remote_host(standin, azurite, tmp_path_factory.mktemp("killed"), "qjobs-rbatch-kill")
    try:
        standin.configure(queue_seconds=0.5)
        count = 2 * PARALLELISM + 2
        job_id = api.submit_ok(batch([program("x q[0];")] * count))
        wait_until(lambda: len(created(standin)) >= PARALLELISM + 1)
        api.host.kill()
        api.host.restart()

        status = api.wait_for(job_id, timeout=120)
        items = api.result(job_id).json()["result"]["items"]

        assert status["status"] == "succeeded", status
        assert all(item["counts"] == {"01": 20} for item in items)
        assert created(standin) == item_ids(job_id, count)
    finally:
        api.host.stop()


def orchestration(api: Api, job_id: str) -> tuple[int, int]:
    """The length of the job's orchestration history (this episode's) and its poll round."""
    url = f"{api.host.webhook_url}instances/{job_id}?showHistory=true"
    answer = http("GET", url, headers=api.host.key_headers).json()
    custom = answer.get("customStatus") or {}
    return len(answer.get("historyEvents") or []), custom.get("round", 0)


def test_a_batch_polled_over_several_episodes_keeps_each_episodes_history_small(
    standin: QuantumStandIn, azurite: Azurite, tmp_path_factory: pytest.TempPathFactory
) -> None:
    api = remote_host(
        standin,
        azurite,
        tmp_path_factory.mktemp("eager"),
        "qjobs-rbatch-eager",
        QJOBS_POLL_FIRST_SECONDS="0.01",
        QJOBS_POLL_MAX_SECONDS="0.01",
    )
    try:
        standin.configure(queue_seconds=60)
        count = 3 * PARALLELISM
        job_id = api.submit_ok(batch([program("x q[0];")] * count))
        longest, rounds = 0, 0
        deadline = time.monotonic() + 120
        while rounds <= 60:
            assert time.monotonic() < deadline, rounds
            length, rounds = orchestration(api, job_id)
            longest = max(longest, length)
            time.sleep(0.1)
        standin.configure(queue_seconds=0)
        api.wait_for(job_id, timeout=120)

        assert api.status(job_id).json()["items"]["succeeded"] == count
        # The items' states are in the workspace's storage, not in the history: an episode
        # is ROUNDS_PER_EPISODE (50) rounds, a timer and a poll each, whatever the item count.
        assert 0 < longest <= 4 * 50 + 30
        assert created(standin) == item_ids(job_id, count)
    finally:
        api.host.stop()
