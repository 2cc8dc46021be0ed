"""The Python client (qjobs_client) against a real qjobs (devhost + Azurite), and its retries
against local servers that answer 503/429 or drop a connection."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from api_testkit import BELL, KEYS, SEED_WEIGHTS, hard_partition
from client_testkit import accepted, dropping_proxy, problem, scripted
from devhost_testkit import DevHost
from qjobs_client import (
    AsyncClient,
    Client,
    Conflict,
    ConnectionFailed,
    InvalidRequest,
    JobCancelled,
    NotFound,
    RateLimited,
    RetryPolicy,
    ServiceUnavailable,
    Unauthorized,
    WaitTimeout,
)

QSHARP = "operation GetRandomBit() : Result { use q = Qubit(); H(q); return M(q); }"
JOBS: dict[str, dict[str, Any]] = {
    "number_partitioning": {"weights": SEED_WEIGHTS},
    "ising": {"terms": [{"c": -1, "ids": [0, 1]}, {"c": -1, "ids": [1, 2]}], "seed": 1},
    "pubo": {"terms": [{"c": 1, "ids": [0]}, {"c": -3, "ids": [0, 1]}], "seed": 3},
    "circuit": {"source": BELL, "shots": 50, "seed": 5},
    "qsharp": {"source": QSHARP, "entry": "GetRandomBit()", "shots": 50, "seed": 5},
}
FAST_RETRY = RetryPolicy(max_retries=3, backoff=0.05)


@pytest.fixture
def client(api_host: DevHost) -> Iterator[Client]:
    with Client(api_host.url("/api"), KEYS["alice"]) as client:
        yield client


def long_job(client: Client, name: str = "long") -> Any:
    return client.submit("number_partitioning", weights=hard_partition(), time_limit=30, name=name)


@pytest.mark.parametrize("kind", JOBS)
def test_submit_then_result_waits_for_each_kinds_result(client: Client, kind: str) -> None:
    job = client.submit(kind, name=f"client-{kind}", **JOBS[kind])
    result = job.result(timeout=60)
    assert job.state == "succeeded"
    if kind == "number_partitioning":
        assert result["difference"] == 1
    elif kind in ("ising", "pubo"):
        ids = {str(i) for term in JOBS[kind]["terms"] for i in term["ids"]}
        assert set(result["configuration"]) == ids
        assert isinstance(result["cost"], float | int)
    else:
        assert sum(result["counts"].values()) == 50


def test_seed_job_partitions_into_two_subsets_differing_by_one(client: Client) -> None:
    result = client.submit("number_partitioning", weights=SEED_WEIGHTS).result(timeout=30)
    assert sorted(result["subsets"][0] + result["subsets"][1]) == sorted(SEED_WEIGHTS)
    assert abs(result["sums"][0] - result["sums"][1]) == 1


def test_job_input_is_the_submitted_fields(client: Client) -> None:
    job = client.submit("number_partitioning", weights=SEED_WEIGHTS, name="client-input")
    assert job.input()["weights"] == SEED_WEIGHTS


def test_cancelled_job_raises_job_cancelled_on_result(client: Client) -> None:
    job = long_job(client)
    job.cancel()
    with pytest.raises(JobCancelled) as caught:
        job.result(timeout=60)
    assert caught.value.code == "cancelled"
    assert caught.value.job_id == job.id


def test_cancel_of_a_final_job_raises_conflict(client: Client) -> None:
    job = client.submit("number_partitioning", weights=SEED_WEIGHTS)
    job.wait(timeout=30)
    with pytest.raises(Conflict) as caught:
        job.cancel()
    assert caught.value.problem["job_id"] == job.id


def test_wait_raises_wait_timeout_while_the_job_runs_on(client: Client) -> None:
    job = long_job(client)
    try:
        with pytest.raises(WaitTimeout):
            job.wait(timeout=0.3)
        assert job.status().status in ("waiting", "executing")
    finally:
        job.cancel()


def test_wait_reports_progress_with_the_status_and_elapsed_time(client: Client) -> None:
    job = long_job(client)
    seen: list[tuple[str, float]] = []
    try:
        with pytest.raises(WaitTimeout):
            job.wait(
                timeout=1.5, progress=lambda status, elapsed: seen.append((status.status, elapsed))
            )
    finally:
        job.cancel()
    assert len(seen) >= 3
    assert seen[-1][1] > seen[0][1]


def test_jobs_iterates_every_page_newest_first(client: Client) -> None:
    prefix = f"paging-{uuid.uuid4().hex[:8]}-"
    submitted = [
        client.submit("number_partitioning", weights=SEED_WEIGHTS, name=f"{prefix}{i}")
        for i in range(3)
    ]
    listed = list(client.jobs(name=prefix, page_size=1))
    assert [job.id for job in listed] == [job.id for job in reversed(submitted)]


def test_job_by_id_is_the_submitted_job(client: Client) -> None:
    job = client.submit("number_partitioning", weights=SEED_WEIGHTS, name="client-by-id")
    again = client.job(job.id)
    assert (again.id, again.last_status.name) == (job.id, "client-by-id")


def test_job_shows_its_status_and_result_as_a_table_in_a_notebook(client: Client) -> None:
    job = client.submit("number_partitioning", weights=SEED_WEIGHTS, name="client-table")
    job.result(timeout=30)
    table = job._repr_html_()
    assert table.startswith("<table>")
    assert "<td style='text-align:left'>succeeded</td>" in table
    assert "[8,7,1,1] | [5,11]" in table


def test_plot_draws_a_circuits_counts_as_one_bar_per_outcome(client: Client) -> None:
    job = client.submit("circuit", **JOBS["circuit"])
    figure = job.plot()
    bars = figure.axes[0].patches
    assert len(bars) == len(job.result()["counts"])
    assert sorted(bar.get_height() for bar in bars) == sorted(job.result()["counts"].values())


def test_targets_lists_the_local_targets_and_their_kinds(client: Client) -> None:
    targets = {target.name: target for target in client.targets()}
    assert "number_partitioning" in targets["local.optimizer"].kinds
    assert "circuit" in targets["local.simulator"].kinds


def test_unknown_key_raises_unauthorized(api_host: DevHost) -> None:
    with Client(api_host.url("/api"), "not-a-key") as client, pytest.raises(Unauthorized):
        client.submit("number_partitioning", weights=SEED_WEIGHTS)


def test_unknown_job_raises_not_found(client: Client) -> None:
    with pytest.raises(NotFound) as caught:
        client.job("0" * 32)
    assert caught.value.status == 404
    assert caught.value.type == "urn:qjobs:problem:job-not-found"


def test_bad_field_raises_invalid_request_pointing_at_it(client: Client) -> None:
    with pytest.raises(InvalidRequest) as caught:
        client.submit("number_partitioning", weights=[5, -1])
    assert caught.value.status == 400
    assert caught.value.errors[0].pointer == "/weights/1"
    assert caught.value.title and caught.value.detail in str(caught.value)


def test_async_client_submits_waits_and_lists(api_host: DevHost) -> None:
    name = f"async-{uuid.uuid4().hex[:8]}"

    async def scenario() -> tuple[str, dict[str, Any], list[str]]:
        async with AsyncClient(api_host.url("/api"), KEYS["alice"]) as client:
            job = await client.submit("circuit", name=name, **JOBS["circuit"])
            result = await job.result(timeout=60)
            listed = [listed.id async for listed in client.jobs(name=name)]
            return job.id, result, listed

    job_id, result, listed = asyncio.run(scenario())
    assert set(result["counts"]) <= {"00", "11"}
    assert listed == [job_id]


# --------------------------------------------------------------------------- retries


def test_503_then_202_is_retried_after_retry_after_with_the_same_idempotency_key() -> None:
    with scripted([problem(503, 1), accepted()]) as (url, seen), Client(url, "k") as client:
        job = client.submit("number_partitioning", weights=SEED_WEIGHTS)
    assert job.id == "a" * 32
    assert [s.method for s in seen] == ["POST", "POST"]
    assert seen[0].headers["Idempotency-Key"] == seen[1].headers["Idempotency-Key"]
    assert seen[1].at - seen[0].at >= 0.95  # the server's Retry-After, not a fixed sleep


def test_429_then_202_is_retried() -> None:
    with scripted([problem(429, 1), accepted()]) as (url, seen), Client(url, "k") as client:
        client.submit("number_partitioning", weights=SEED_WEIGHTS)
    assert len(seen) == 2


def test_503_every_time_raises_service_unavailable_after_the_retries() -> None:
    with (
        scripted([problem(503, 0)]) as (url, seen),
        Client(url, "k", retry=FAST_RETRY) as client,
        pytest.raises(ServiceUnavailable),
    ):
        client.submit("number_partitioning", weights=SEED_WEIGHTS)
    assert len(seen) == 1 + FAST_RETRY.max_retries


def test_429_every_time_raises_rate_limited() -> None:
    with (
        scripted([problem(429, 0)]) as (url, _),
        Client(url, "k", retry=FAST_RETRY) as client,
        pytest.raises(RateLimited),
    ):
        client.targets()


def test_no_server_raises_connection_failed() -> None:
    with scripted([accepted()]) as (url, _):
        pass  # the port is free again
    with Client(url, "k", retry=FAST_RETRY) as client, pytest.raises(ConnectionFailed):
        client.targets()


def test_connection_dropped_after_qjobs_accepted_the_job_makes_one_job(
    api_host: DevHost, client: Client
) -> None:
    name = f"dropped-{uuid.uuid4().hex[:8]}"
    with dropping_proxy(api_host.base_url) as (url, seen), Client(url, KEYS["alice"]) as flaky:
        job = flaky.submit("number_partitioning", weights=SEED_WEIGHTS, name=name)
    posts = [s for s in seen if s.method == "POST"]
    assert len(posts) == 2  # the first was answered by qjobs, then dropped
    assert [listed.id for listed in client.jobs(name=name)] == [job.id]
