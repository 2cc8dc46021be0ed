"""Structured job events: one parseable line per step, with the fields operators query."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from shared import activities
from shared.job_events import PREFIX, log_job_event, milliseconds_between
from shared.jobs import JobError, JobSpec, JobState, Lifecycle

SPEC = JobSpec(
    id="job-1",
    owner="alice",
    name=None,
    kind="circuit",
    target="ionq.simulator",
    created="2026-12-01T10:00:00.000Z",
    request_hash="h",
    poll={},
)


def events(caplog: pytest.LogCaptureFixture) -> list[dict]:
    return [
        json.loads(record.getMessage().removeprefix(PREFIX))
        for record in caplog.records
        if record.name == "qjobs.job"
    ]


def test_an_event_line_carries_job_client_kind_and_target(caplog) -> None:
    caplog.set_level(logging.INFO, "qjobs.job")
    log_job_event("submitted", SPEC, state="waiting", error=None)
    assert events(caplog) == [
        {
            "event": "submitted",
            "job_id": "job-1",
            "client": "alice",
            "kind": "circuit",
            "target": "ionq.simulator",
            "state": "waiting",
        }
    ]


def test_durations_are_whole_milliseconds_between_timestamps() -> None:
    assert milliseconds_between("2026-12-01T10:00:00.000Z", "2026-12-01T10:00:02.5Z") == 2500
    assert milliseconds_between(None, "2026-12-01T10:00:00.000Z") is None


def test_finishing_a_job_logs_its_final_state_error_and_durations(caplog, monkeypatch) -> None:
    class Store:
        async def set_record_state(self, spec: JobSpec, state: JobState) -> bool:
            return True  # the record was there

    monkeypatch.setattr(activities, "job_store", Store)
    caplog.set_level(logging.INFO, "qjobs.job")
    lifecycle = Lifecycle(
        JobState.FAILED,
        started="2026-12-01T10:00:01.000Z",
        finished="2026-12-01T10:00:04.000Z",
        error=JobError("provider_failed", "boom"),
        provider={"status": "Failed"},
    )
    work = {"spec": SPEC.to_json(), "lifecycle": lifecycle.to_json(), "target_job_id": "job-1"}
    asyncio.run(activities.finish_job(work))
    (finished,) = events(caplog)
    assert finished["event"] == "finished"
    assert finished["state"] == "failed"
    assert finished["error"] == "provider_failed"
    assert finished["provider_status"] == "Failed"
    assert (finished["queue_ms"], finished["run_ms"], finished["duration_ms"]) == (
        1000,
        3000,
        4000,
    )
