"""A job's structured events reach the host's log: submitted, target_submitted, finished."""

from __future__ import annotations

import json

from api_testkit import SEED_WEIGHTS, Api

from shared.job_events import PREFIX


def job_events(api: Api, job_id: str) -> list[dict]:
    lines = api.host.log_text(whole=True).splitlines()
    found = [json.loads(line.split(PREFIX, 1)[1]) for line in lines if PREFIX in line]
    return [event for event in found if event.get("job_id") == job_id]


def test_a_job_logs_its_steps_with_client_kind_target_and_durations(alice: Api) -> None:
    job_id = alice.submit_ok({"kind": "number_partitioning", "weights": SEED_WEIGHTS})
    assert alice.wait_for(job_id)["status"] == "succeeded"
    steps = {event["event"]: event for event in job_events(alice, job_id)}
    assert {"submitted", "target_submitted", "finished"} <= steps.keys()
    finished = steps["finished"]
    assert (finished["client"], finished["kind"], finished["target"]) == (
        "alice",
        "number_partitioning",
        "local.optimizer",
    )
    assert finished["state"] == "succeeded"
    assert finished["duration_ms"] >= 0
