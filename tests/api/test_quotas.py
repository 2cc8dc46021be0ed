"""Per-client limits: jobs in flight and submissions per minute answer 429 + Retry-After."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_testkit import KEYS, SEED_WEIGHTS, Api, api_env, hard_partition, start_api_host

from devhost.azurite import Azurite

IN_FLIGHT = 3
PER_MINUTE = 5
LONG_JOB = {"kind": "number_partitioning", "weights": hard_partition(60), "time_limit": 10}
SEED_JOB = {"kind": "number_partitioning", "weights": SEED_WEIGHTS}


@pytest.fixture(scope="module")
def limited(azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Api]]:
    env = api_env(
        azurite.connection_string,
        QJOBS_MAX_JOBS_IN_FLIGHT=str(IN_FLIGHT),
        QJOBS_MAX_SUBMISSIONS_PER_MINUTE=str(PER_MINUTE),
    )
    host = start_api_host(tmp_path_factory.mktemp("limited"), env)
    yield {client: Api(host, key) for client, key in KEYS.items()}
    host.stop()


def assert_too_many(answer) -> None:  # noqa: ANN001
    assert answer.status == 429, answer.text
    assert answer.header("content-type").startswith("application/problem+json")
    assert answer.json()["type"] == "urn:qjobs:problem:too-many-requests"
    assert int(answer.header("retry-after")) >= 1


def test_jobs_in_flight_over_the_limit_answer_429_even_after_a_restart(
    limited: dict[str, Api],
) -> None:
    carol = limited["carol"]
    running = [carol.submit_ok(LONG_JOB) for _ in range(IN_FLIGHT)]
    try:
        assert_too_many(carol.submit(LONG_JOB))
        # Another client is not limited by carol's jobs.
        assert limited["alice"].submit(SEED_JOB).status == 202
        carol.host.restart()
        assert_too_many(carol.submit(LONG_JOB))
    finally:
        for job_id in running:
            carol.cancel(job_id)


def test_submissions_over_the_per_minute_limit_answer_429(limited: dict[str, Api]) -> None:
    bob = limited["bob"]
    for _ in range(PER_MINUTE):
        bob.wait_for(bob.submit_ok(SEED_JOB))
    answer = bob.submit(SEED_JOB)
    assert_too_many(answer)
    assert int(answer.header("retry-after")) <= 60
