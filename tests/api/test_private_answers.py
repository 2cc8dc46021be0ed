"""Answers that carry a caller's job data are never cached and never sniffed."""

from __future__ import annotations

import pytest
from api_testkit import SEED_WEIGHTS, Api

SEED_JOB = {"kind": "number_partitioning", "weights": SEED_WEIGHTS}
ROUTES = {
    "status": "/api/jobs/{id}/status",
    "result": "/api/jobs/{id}/result",
    "input": "/api/jobs/{id}/input",
    "list": "/api/jobs",
}


def assert_private(answer) -> None:  # noqa: ANN001
    assert answer.header("Cache-Control") == "no-store"
    assert answer.header("X-Content-Type-Options") == "nosniff"


@pytest.fixture(scope="module")
def finished_job(alice: Api) -> str:
    job_id = alice.submit_ok(SEED_JOB)
    assert alice.wait_for(job_id)["status"] == "succeeded"
    return job_id


def test_the_submit_202_is_not_stored(alice: Api) -> None:
    answer = alice.submit(SEED_JOB)
    assert answer.status == 202
    assert_private(answer)


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_a_job_data_answer_is_not_stored(alice: Api, finished_job: str, route: str) -> None:
    answer = alice.request("GET", ROUTES[route].format(id=finished_job))
    assert answer.status == 200, answer.text
    assert_private(answer)


def test_a_running_jobs_status_is_not_stored(alice: Api) -> None:
    answer = alice.status(alice.submit_ok(SEED_JOB))
    assert answer.status in (200, 202)
    assert_private(answer)


def test_a_problem_answer_is_not_stored(bob: Api, finished_job: str) -> None:
    answer = bob.status(finished_job)
    assert answer.status == 404
    assert_private(answer)
