"""Reading a job from its durable status: only orchestrations this API started are jobs."""

from __future__ import annotations

import json

from azure.durable_functions.models.DurableOrchestrationStatus import DurableOrchestrationStatus

from shared.job_control import view_of

JOB_ID = "0123456789abcdef0123456789abcdef"
SPEC = {
    "id": JOB_ID,
    "owner": "alice",
    "name": None,
    "kind": "number_partitioning",
    "target": "local.optimizer",
    "created": "2026-12-01T10:00:00.000Z",
    "request_hash": "0" * 64,
    "poll": {},
}


def status(input_: object) -> DurableOrchestrationStatus:
    return DurableOrchestrationStatus.from_json(
        {
            "name": "orchestrator",
            "instanceId": JOB_ID,
            "runtimeStatus": "Running",
            "input": json.dumps(input_),
            "createdTime": "2026-12-01T10:00:00Z",
            "lastUpdatedTime": "2026-12-01T10:00:00Z",
        }
    )


def test_an_orchestration_started_by_the_api_is_a_job() -> None:
    view = view_of(status(SPEC))
    assert view is not None and view.spec.owner == "alice"


def test_an_orchestration_started_with_another_input_is_no_job() -> None:
    assert view_of(status({"owner": "alice"})) is None
    assert view_of(status({**SPEC, "id": "f" * 32})) is None
    assert view_of(status("hello")) is None
