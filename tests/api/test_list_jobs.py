"""GET /api/jobs: the caller's own jobs, newest first, filtered and paged."""

from __future__ import annotations

import uuid

import pytest
from api_testkit import KEYS, SEED_WEIGHTS, Api


@pytest.fixture(scope="module")
def carol(api_host) -> Api:
    """A client with its own keys, so other tests' jobs never show up in these lists."""
    return Api(api_host, KEYS["carol"])


@pytest.fixture(scope="module")
def carols_jobs(carol: Api) -> list[str]:
    tag = uuid.uuid4().hex[:6]
    ids = []
    for index in range(5):
        job = {"kind": "number_partitioning", "weights": SEED_WEIGHTS, "name": f"{tag}-np-{index}"}
        ids.append(carol.submit_ok(job))
    bell = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit q;\nbit c;\nh q;\nc = measure q;\n'
    ids.append(carol.submit_ok({"kind": "circuit", "source": bell, "name": f"{tag}-circuit"}))
    for job_id in ids:
        carol.wait_for(job_id)
    return ids


def test_lists_own_jobs_newest_first(carol: Api, carols_jobs: list[str]) -> None:
    answer = carol.request("GET", "/api/jobs?limit=100")
    assert answer.status == 200
    listed = [job["id"] for job in answer.json()["jobs"]]
    assert listed == list(reversed(carols_jobs))
    assert answer.json()["continuation"] is None


def test_listed_jobs_carry_status_and_links(carol: Api, carols_jobs: list[str]) -> None:
    job = carol.request("GET", "/api/jobs?limit=1").json()["jobs"][0]
    assert job["status"] == "succeeded"
    assert job["links"]["result"] == f"/api/jobs/{job['id']}/result"
    assert job["created"].endswith("Z")


def test_other_callers_jobs_are_not_listed(alice: Api, carols_jobs: list[str]) -> None:
    listed = {job["id"] for job in alice.request("GET", "/api/jobs?limit=100").json()["jobs"]}
    assert listed.isdisjoint(carols_jobs)


def test_paging_returns_every_job_once(carol: Api, carols_jobs: list[str]) -> None:
    seen: list[str] = []
    path = "/api/jobs?limit=4"
    while True:
        page = carol.request("GET", path).json()
        seen += [job["id"] for job in page["jobs"]]
        if page["continuation"] is None:
            break
        assert len(page["jobs"]) == 4
        path = page["links"]["next"]
    assert seen == list(reversed(carols_jobs))


def test_filter_by_target(carol: Api, carols_jobs: list[str]) -> None:
    jobs = carol.request("GET", "/api/jobs?target=local.simulator").json()["jobs"]
    assert [job["id"] for job in jobs] == [carols_jobs[-1]]


def test_filter_by_name_prefix(carol: Api, carols_jobs: list[str]) -> None:
    prefix = carol.status(carols_jobs[0]).json()["name"].split("-")[0]
    jobs = carol.request("GET", f"/api/jobs?name={prefix}-np-").json()["jobs"]
    assert len(jobs) == 5


def test_filter_by_status(carol: Api, carols_jobs: list[str]) -> None:
    assert len(carol.request("GET", "/api/jobs?status=succeeded").json()["jobs"]) == 6
    assert carol.request("GET", "/api/jobs?status=failed,cancelled").json()["jobs"] == []
