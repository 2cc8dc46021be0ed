"""The Python client and the `qjobs` command line with batches and dry runs, against a real
qjobs (devhost + Azurite)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from api_testkit import BELL, KEYS
from devhost_testkit import DevHost
from qjobs_client import AsyncClient, Client, InvalidRequest

ROTATION = """OPENQASM 3.0;
include "stdgates.inc";
input float[64] theta;
qubit[1] q;
bit[1] c;
rx(theta) q[0];
c[0] = measure q[0];
"""


@pytest.fixture
def client(api_host: DevHost) -> Iterator[Client]:
    with Client(api_host.url("/api"), KEYS["alice"]) as client:
        yield client


def test_submit_with_parameters_gives_result_items(client: Client) -> None:
    job = client.submit(
        "circuit",
        source=ROTATION,
        shots=20,
        parameters=[{"theta": 0}, {"theta": 3.141592653589793}],
    )
    result = job.result(timeout=60)
    assert [item["counts"] for item in result["items"]] == [{"0": 20}, {"1": 20}]
    assert job.last_status.items is not None and job.last_status.items["succeeded"] == 2


def test_submit_with_items_gives_each_its_counts(client: Client) -> None:
    job = client.submit("circuit", source=BELL, shots=10, items=[{"seed": 1}, {"seed": 2}])
    items = job.result(timeout=60)["items"]
    assert [sum(item["counts"].values()) for item in items] == [10, 10]


def test_estimate_answers_the_dry_run(client: Client) -> None:
    estimate = client.estimate("circuit", source=BELL, shots=100)
    assert estimate["valid"] is True and estimate["items"] == 1
    assert estimate["estimate"]["totals"]["two_qubit"] == 1


def test_estimate_raises_the_submissions_error(client: Client) -> None:
    with pytest.raises(InvalidRequest):
        client.estimate("circuit", source=BELL, shots=0)


def test_the_async_client_estimates_too(api_host: DevHost) -> None:
    import asyncio

    async def estimate() -> dict:
        async with AsyncClient(api_host.url("/api"), KEYS["alice"]) as client:
            return await client.estimate("circuit", source=BELL)

    assert asyncio.run(estimate())["valid"] is True


def test_the_cli_dry_run_prints_the_estimate_and_submits_nothing(api_host: DevHost) -> None:
    env = {**os.environ, "QJOBS_URL": api_host.url("/api"), "QJOBS_API_KEY": KEYS["alice"]}
    job = json.dumps({"kind": "circuit", "source": BELL, "items": [{}, {}]})
    done = subprocess.run(
        [sys.executable, "-m", "qjobs_client", "submit", "--dry-run", "-"],
        input=job,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["valid"] is True and answer["items"] == 2
