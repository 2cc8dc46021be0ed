"""The API's settings change what callers see: Retry-After, the body limit, the poll schedule."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator

import pytest
from api_testkit import KEYS, SEED_WEIGHTS, Api, api_env, hard_partition, start_api_host

from devhost.azurite import Azurite
from devhost.durable.history import EventType, parse_timestamp

OVERRIDES = {
    "QJOBS_RETRY_AFTER_SECONDS": "3",
    "QJOBS_MAX_BODY_BYTES": "2048",
    "QJOBS_POLL_FIRST_SECONDS": "0.1",
    "QJOBS_POLL_FACTOR": "3",
    "QJOBS_POLL_MAX_SECONDS": "0.5",
}


@pytest.fixture(scope="module")
def api(azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    env = api_env(azurite.connection_string, QJOBS_BLOB_CONTAINER="qjobs-settings", **OVERRIDES)
    host = start_api_host(tmp_path_factory.mktemp("settings"), env)
    yield Api(host, KEYS["alice"])
    host.stop()


def padded_job(size: int) -> bytes:
    """A valid seed job whose JSON body is exactly `size` bytes (padded with spaces)."""
    body = b'{"kind": "number_partitioning", "weights": [5, 11, 8, 7, 1, 1]}'
    return body[:-1] + b" " * (size - len(body)) + b"}"


def test_retry_after_is_the_setting_on_202_answers(api: Api) -> None:
    submitted = api.submit(
        {"kind": "number_partitioning", "weights": hard_partition(), "time_limit": 2}
    )
    assert submitted.status == 202
    assert submitted.header("Retry-After") == "3"
    running = api.status(submitted.json()["id"])
    assert running.status == 202
    assert running.header("Retry-After") == "3"


def test_a_body_at_the_limit_is_accepted(api: Api) -> None:
    json_type = {"Content-Type": "application/json"}
    assert api.request("POST", "/api/jobs", body=padded_job(2048), headers=json_type).status == 202


def test_a_body_over_the_limit_is_413(api: Api) -> None:
    json_type = {"Content-Type": "application/json"}
    answer = api.request("POST", "/api/jobs", body=padded_job(2049), headers=json_type)
    assert answer.status == 413
    assert answer.header("Content-Type").startswith("application/problem+json")


def timer_waits(api: Api, job_id: str) -> list[float]:
    """Each durable timer's wait: its due time less the time of the episode that set it.

    Read from devhost's own history store (read-only), where the TimerCreated events the
    Durable HTTP API hides are kept.
    """
    database = api.host.data_dir / "QJobsHub.sqlite3"
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        rows = db.execute(
            "SELECT event FROM history WHERE instance_id = ? ORDER BY seq", (job_id,)
        ).fetchall()
    waits, episode = [], 0.0
    for (text,) in rows:
        event = json.loads(text)
        if event["EventType"] == EventType.ORCHESTRATOR_STARTED:
            episode = parse_timestamp(event["Timestamp"])
        elif event["EventType"] == EventType.TIMER_CREATED:
            waits.append(parse_timestamp(event["FireAt"]) - episode)
    return waits


def test_the_poll_waits_grow_by_the_factor_up_to_the_cap(api: Api) -> None:
    weights = hard_partition(seed=3)
    job_id = api.submit_ok({"kind": "number_partitioning", "weights": weights, "time_limit": 2})
    assert api.wait_for(job_id)["status"] == "succeeded"
    waits = timer_waits(api, job_id)
    assert len(waits) >= 4
    assert waits[:4] == pytest.approx([0.1, 0.3, 0.5, 0.5], abs=0.002)
    assert max(waits) == pytest.approx(0.5, abs=0.002)


def test_a_quick_job_comes_back_finished_within_the_first_wait(api: Api) -> None:
    job_id = api.submit_ok({"kind": "number_partitioning", "weights": SEED_WEIGHTS})
    assert api.wait_for(job_id)["status"] == "succeeded"
    assert timer_waits(api, job_id) == []
