"""What the Durable SDK's official samples rely on: local settings, any id or event name,
the extension's history shape, sub-orchestration failure details, a clear model error."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path
from typing import Any

import azure.durable_functions as df
from devhost_testkit import APPS_DIR, DevHost, http, run_until_exit, wait_for_status

Status = df.OrchestrationRuntimeStatus


def new_id(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:12]}"


# --------------------------------------------------------------------------- local.settings.json


def test_local_settings_values_reach_functions_and_the_environment_wins(tmp_path: Path) -> None:
    app = tmp_path / "app"
    shutil.copytree(APPS_DIR / "settings_app", app)
    (app / "local.settings.json").write_text(
        json.dumps(
            {
                "IsEncrypted": False,
                "Values": {"SAMPLE_FROM_FILE": "file", "SAMPLE_IN_BOTH": "file"},
            }
        )
    )
    host = DevHost.in_tmp(app, tmp_path)
    host.extra_env = {"SAMPLE_IN_BOTH": "environment"}
    host.start()
    try:
        assert http("GET", host.url("api/setting/SAMPLE_FROM_FILE")).text == "file"
        assert http("GET", host.url("api/setting/SAMPLE_IN_BOTH")).text == "environment"
    finally:
        host.stop()


def test_unreadable_local_settings_fail_start_up(tmp_path: Path) -> None:
    app = tmp_path / "app"
    shutil.copytree(APPS_DIR / "settings_app", app)
    (app / "local.settings.json").write_text("{not json")
    code, output = run_until_exit(app, tmp_path)
    assert code == 2
    assert "local.settings.json: cannot be read" in output


def test_python_v2_model_app_fails_start_up_naming_the_model(tmp_path: Path) -> None:
    code, output = run_until_exit(APPS_DIR / "v2_model_app", tmp_path)
    assert code == 2
    assert "function_app.py" in output
    assert "folder-per-function (v1) model" in output


# --------------------------------------------------------------------------- ids and names


def test_instance_id_and_event_name_with_braces(
    client: df.DurableOrchestrationClient, run: Any
) -> None:
    async def scenario() -> None:
        iid = new_id("braces{1}")
        await client.start_new("named_event_orch", iid, {"event": "ready{now}"})
        await wait_for_status(client, iid, final=False)
        await client.raise_event(iid, "ready{now}", {"ok": True})
        status = await wait_for_status(client, iid)
        assert status.runtime_status == Status.Completed, status.to_json()
        # raise_event sends json.dumps(data) as text, as on Azure (see README).
        assert status.output == {"payload": json.dumps({"ok": True})}

    run(scenario())


# --------------------------------------------------------------------------- history


def history(host: DevHost, iid: str, output: bool) -> list[dict[str, Any]]:
    query = f"showHistory=true&showHistoryOutput={str(output).lower()}"
    res = http("GET", f"{host.durable_url}instances/{iid}?{query}")
    assert res.status == 200, res.text
    return res.json()["historyEvents"]


def completed_chain(client: df.DurableOrchestrationClient, run: Any, seed: str) -> str:
    async def scenario() -> str:
        iid = await client.start_new("chain", new_id("hist"), {"seed": seed})
        status = await wait_for_status(client, iid)
        assert status.runtime_status == Status.Completed, status.to_json()
        return iid

    return run(scenario())


def test_history_results_are_decoded_values(
    client: df.DurableOrchestrationClient, durable_host: DevHost, run: Any
) -> None:
    iid = completed_chain(client, run, "t")
    events = history(durable_host, iid, output=True)
    results = [e["Result"] for e in events if e["EventType"] == "TaskCompleted"]
    assert results == ["t>a", "t>a>b", "t>a>b>c"]
    completed = [e for e in events if e["EventType"] == "ExecutionCompleted"]
    assert completed[0]["Result"] == "t>a>b>c"
    assert completed[0]["OrchestrationStatus"] == "Completed"


def test_history_without_output_shows_no_results(
    client: df.DurableOrchestrationClient, durable_host: DevHost, run: Any
) -> None:
    iid = completed_chain(client, run, "n")
    assert all("Result" not in e for e in history(durable_host, iid, output=False))


def test_history_events_carry_the_extensions_fields(
    client: df.DurableOrchestrationClient, durable_host: DevHost, run: Any
) -> None:
    iid = completed_chain(client, run, "f")
    events = history(durable_host, iid, output=False)
    assert [e["EventType"] for e in events] == [
        "ExecutionStarted",
        "TaskCompleted",
        "TaskCompleted",
        "TaskCompleted",
        "ExecutionCompleted",
    ]
    started = events[0]
    assert started["FunctionName"] == "chain"
    assert not {"Name", "Input", "Version", "EventId", "IsPlayed"} & started.keys()
    task = events[1]
    assert task["FunctionName"] == "step"
    assert task["ScheduledTime"] <= task["Timestamp"]
    assert not {"TaskScheduledId", "EventId", "IsPlayed"} & task.keys()


# --------------------------------------------------------------------------- sub-orchestrations


def test_failed_sub_orchestration_gives_the_parent_its_details(
    client: df.DurableOrchestrationClient, run: Any
) -> None:
    async def scenario() -> None:
        iid = await client.start_new("parent_orch", new_id("details"), {"mode": "fail", "value": 3})
        status = await wait_for_status(client, iid)
        caught = status.output["caught"]
        assert "child exploded on 3" in caught
        assert not caught.rstrip().endswith("None"), caught

    run(scenario())
