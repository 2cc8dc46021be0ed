"""Tags on jobs, and GET /api/jobs filtered by tag, creation time and a list of ids."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from api_testkit import SEED_WEIGHTS, Api


def seed_job(**envelope: object) -> dict[str, object]:
    return {"kind": "number_partitioning", "weights": SEED_WEIGHTS, **envelope}


def listed_ids(api: Api, query: str) -> list[str]:
    answer = api.request("GET", f"/api/jobs?{query}")
    assert answer.status == 200, answer.text
    return [job["id"] for job in answer.json()["jobs"]]


@pytest.fixture(scope="module")
def run() -> str:
    """A tag of this run's own, so other tests' jobs never match."""
    return f"run-{uuid.uuid4().hex[:8]}"


def test_tags_are_in_the_status_list_and_result_documents(alice: Api, run: str) -> None:
    job_id = alice.submit_ok(seed_job(tags=[run, "team:qa"]))
    assert alice.wait_for(job_id)["tags"] == [run, "team:qa"]
    assert alice.result(job_id).json()["tags"] == [run, "team:qa"]
    listed = alice.request("GET", f"/api/jobs?tag={run}").json()["jobs"]
    assert [(job["id"], job["tags"]) for job in listed] == [(job_id, [run, "team:qa"])]


def test_a_job_without_tags_shows_an_empty_list(alice: Api) -> None:
    job_id = alice.submit_ok(seed_job())
    assert alice.status(job_id).json()["tags"] == []


@pytest.mark.parametrize(
    "tags",
    [
        "one",
        [f"t{n}" for n in range(11)],
        [""],
        ["x" * 65],
        ["with space"],
        ["comma,inside"],
        [7],
    ],
)
def test_tags_outside_the_rules_are_refused_pointing_at_them(alice: Api, tags: object) -> None:
    answer = alice.submit(seed_job(tags=tags))
    assert answer.status == 400, answer.text
    assert answer.json()["errors"][0]["pointer"] == "/tags"


def test_repeated_tag_parameters_must_all_match(alice: Api, run: str) -> None:
    both = alice.submit_ok(seed_job(tags=[f"{run}-a", f"{run}-b"]))
    only_a = alice.submit_ok(seed_job(tags=[f"{run}-a"]))
    assert listed_ids(alice, f"tag={run}-a&tag={run}-b") == [both]
    assert listed_ids(alice, f"tag={run}-a") == [only_a, both]
    assert listed_ids(alice, f"tag={run}-b&status=waiting,executing,succeeded") == [both]


def test_tag_filter_pages_with_the_filter_kept(alice: Api, run: str) -> None:
    tag = f"{run}-paged"
    ids = [alice.submit_ok(seed_job(tags=[tag])) for _ in range(3)]
    alice.submit_ok(seed_job(tags=[f"{run}-other"]))
    first = alice.request("GET", f"/api/jobs?tag={tag}&limit=2").json()
    rest = alice.request("GET", first["links"]["next"]).json()
    assert [job["id"] for job in first["jobs"] + rest["jobs"]] == list(reversed(ids))


def test_created_after_and_before_split_the_jobs_at_a_moment(alice: Api, run: str) -> None:
    tag = f"{run}-dates"
    earlier = alice.submit_ok(seed_job(tags=[tag]))
    time.sleep(0.05)
    moment = datetime.now(UTC).isoformat(timespec="milliseconds")
    time.sleep(0.05)
    later = alice.submit_ok(seed_job(tags=[tag]))
    encoded = quote(moment)
    assert listed_ids(alice, f"tag={tag}&created_after={encoded}") == [later]
    assert listed_ids(alice, f"tag={tag}&created_before={encoded}") == [earlier]
    # An unencoded '+' arrives as a space: still read as the offset it was.
    assert listed_ids(alice, f"tag={tag}&created_before={moment}") == [earlier]


@pytest.mark.parametrize("value", ["yesterday", "2026-01-31", "2026-01-31T12:00:00"])
def test_a_date_that_is_not_rfc_3339_is_refused(alice: Api, value: str) -> None:
    answer = alice.request("GET", f"/api/jobs?created_after={value}")
    assert answer.status == 400, answer.text


def test_ids_lists_the_callers_jobs_among_them_and_leaves_out_the_rest(
    alice: Api, bob: Api
) -> None:
    mine = [alice.submit_ok(seed_job()) for _ in range(3)]
    bobs = bob.submit_ok(seed_job())
    unknown = mine[0][:8] + "0" * 24
    ids = ",".join([mine[0], bobs, mine[2], unknown])
    assert sorted(listed_ids(alice, f"ids={ids}")) == sorted([mine[0], mine[2]])
    assert listed_ids(bob, f"ids={ids}") == [bobs]


def test_ids_combines_with_the_status_filter(alice: Api) -> None:
    job_id = alice.submit_ok(seed_job())
    alice.wait_for(job_id)
    assert listed_ids(alice, f"ids={job_id}&status=succeeded") == [job_id]
    assert listed_ids(alice, f"ids={job_id}&status=failed") == []


@pytest.mark.parametrize("ids", ["not-a-job-id", ",".join(uuid.uuid4().hex for _ in range(101))])
def test_ids_that_are_not_job_ids_or_too_many_are_refused(alice: Api, ids: str) -> None:
    answer = alice.request("GET", f"/api/jobs?ids={ids}")
    assert answer.status == 400, answer.text


def test_a_tag_parameter_that_is_not_a_tag_is_refused(alice: Api) -> None:
    answer = alice.request("GET", "/api/jobs?tag=" + quote("no spaces"))
    assert answer.status == 400, answer.text
