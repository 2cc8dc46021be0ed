"""The Durable extension's HTTP API as served by devhost: client binding, status codes,
errors, purge, listing/paging and history. Raw HTTP checks sit next to the SDK client's view.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import azure.durable_functions as df
import pytest
from dateutil.parser import isoparse
from devhost_testkit import DevHost, http, list_instances, wait_for_status

Status = df.OrchestrationRuntimeStatus


def new_id(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:12]}"


async def completed_chain(client: df.DurableOrchestrationClient, iid: str, seed: str) -> None:
    await client.start_new("chain", iid, {"seed": seed})
    status = await wait_for_status(client, iid)
    assert status.runtime_status == Status.Completed, status.to_json()


async def running_waiter(client: df.DurableOrchestrationClient, iid: str) -> None:
    """Start an event_race instance that waits (up to 60 s) for event "approval"."""
    await client.start_new("event_race", iid, {"timeout_s": 60})
    await wait_for_status(client, iid, until=lambda s: s.custom_status is not None)


# --------------------------------------------------------------------------- binding, starter


def test_client_binding_payload(client_binding: str, durable_host: DevHost) -> None:
    binding = json.loads(client_binding)
    assert binding["rpcBaseUrl"] == durable_host.durable_url
    assert binding["taskHubName"]
    assert isinstance(binding["creationUrls"], dict)
    mgmt = binding["managementUrls"]
    placeholder = mgmt["id"]
    keys = ("statusQueryGetUri", "sendEventPostUri", "terminatePostUri", "purgeHistoryDeleteUri")
    for key in keys:
        assert mgmt[key].startswith(durable_host.webhook_url + "instances/"), (key, mgmt[key])
        assert placeholder in mgmt[key], (key, mgmt[key])


def test_http_starter_check_status_response(durable_host: DevHost) -> None:
    res = http("POST", durable_host.url("api/orchestrators/chain"), json_body={"seed": "web"})
    assert res.status == 202, res.text
    payload = res.json()
    iid = payload["id"]
    assert iid
    location = res.header("Location")
    assert location == payload["statusQueryGetUri"]
    assert location.startswith(f"{durable_host.webhook_url}instances/{iid}")
    assert res.header("Retry-After")
    assert iid in payload["sendEventPostUri"] and iid in payload["terminatePostUri"]

    deadline = time.monotonic() + 20
    while True:
        poll = http("GET", location)
        if poll.status == 200:
            break
        assert poll.status == 202, poll.text
        assert time.monotonic() < deadline, f"still {poll.text} after 20 s"
        time.sleep(0.05)
    body = poll.json()
    assert body["instanceId"] == iid
    assert body["name"] == "chain"
    assert body["runtimeStatus"] == "Completed"
    assert body["output"] == "web>a>b>c"


# --------------------------------------------------------------------------- status


def test_status_is_202_while_running_and_200_when_final(
    client: df.DurableOrchestrationClient, durable_host: DevHost, run: Any
) -> None:
    iid = new_id("codes")
    run(running_waiter(client, iid))
    res = http("GET", f"{durable_host.durable_url}instances/{iid}")
    assert res.status == 202, res.text
    assert res.json()["runtimeStatus"] == "Running"
    assert res.header("Location")
    assert res.header("Retry-After")
    run(client.raise_event(iid, "approval", 1))
    run(wait_for_status(client, iid))
    res = http("GET", f"{durable_host.durable_url}instances/{iid}")
    assert res.status == 200, res.text
    assert res.json()["runtimeStatus"] == "Completed"


def test_status_json_fields(
    client: df.DurableOrchestrationClient, durable_host: DevHost, run: Any
) -> None:
    iid = new_id("fields")
    run(completed_chain(client, iid, "f1"))
    body = http("GET", f"{durable_host.durable_url}instances/{iid}").json()
    fields = "name instanceId runtimeStatus input customStatus output createdTime lastUpdatedTime"
    for key in fields.split():
        assert key in body, (key, body)
    assert body["name"] == "chain"
    assert body["instanceId"] == iid
    assert body["output"] == "f1>a>b>c"
    given = body["input"]
    assert (json.loads(given) if isinstance(given, str) else given) == {"seed": "f1"}
    created, updated = isoparse(body["createdTime"]), isoparse(body["lastUpdatedTime"])
    assert created.tzinfo is not None and updated.tzinfo is not None
    assert created <= updated
    assert abs(datetime.now(UTC) - created) < timedelta(minutes=5)


def test_api_served_under_rpc_and_webhook_paths(
    client: df.DurableOrchestrationClient, durable_host: DevHost, run: Any
) -> None:
    iid = new_id("paths")
    run(completed_chain(client, iid, "p"))
    rpc = http("GET", f"{durable_host.durable_url}instances/{iid}")
    hook = http(
        "GET", f"{durable_host.webhook_url}instances/{iid}", headers=durable_host.key_headers
    )
    assert rpc.status == hook.status == 200
    assert rpc.json() == hook.json()


def test_raw_start_with_instance_id(
    client: df.DurableOrchestrationClient, durable_host: DevHost, run: Any
) -> None:
    iid = new_id("raw-start")
    # Like the SDK: the body is the JSON-encoded input, encoded once more as JSON.
    res = http(
        "POST",
        f"{durable_host.durable_url}orchestrators/chain/{iid}",
        json_body=json.dumps({"seed": "raw"}),
    )
    assert res.status == 202, res.text
    payload = res.json()
    assert payload["id"] == iid
    assert iid in payload["statusQueryGetUri"]
    status = run(wait_for_status(client, iid))
    assert status.output == "raw>a>b>c"


def test_start_unknown_orchestrator_is_rejected(
    client: df.DurableOrchestrationClient, durable_host: DevHost, run: Any
) -> None:
    with pytest.raises(Exception) as excinfo:
        run(client.start_new("no_such_orchestrator", new_id("unknown")))
    message = str(excinfo.value)
    assert "no_such_orchestrator" in message

    raw = http("POST", f"{durable_host.durable_url}orchestrators/no_such_orchestrator")
    assert raw.status == 400, raw.text
    assert raw.json()["ExceptionMessage"] == message


def test_start_activity_as_orchestrator_is_rejected(durable_host: DevHost) -> None:
    raw = http("POST", f"{durable_host.durable_url}orchestrators/step", json_body="x")
    assert raw.status == 400, raw.text
    assert "step" in raw.json()["ExceptionMessage"]


def test_get_status_unknown_instance_is_404(
    client: df.DurableOrchestrationClient, durable_host: DevHost, run: Any
) -> None:
    iid = new_id("nobody")
    assert http("GET", f"{durable_host.durable_url}instances/{iid}").status == 404
    status = run(client.get_status(iid))
    assert not status
    assert status.runtime_status is None


# --------------------------------------------------------------------------- events, terminate


def test_raise_event_unknown_instance_is_404(
    client: df.DurableOrchestrationClient, durable_host: DevHost, run: Any
) -> None:
    iid = new_id("nobody")
    url = f"{durable_host.durable_url}instances/{iid}/raiseEvent/approval"
    raw = http("POST", url, json_body=1)
    assert raw.status == 404, raw.text
    with pytest.raises(Exception, match="No instance with ID"):
        run(client.raise_event(iid, "approval", 1))


def test_raise_event_completed_instance_is_410(
    client: df.DurableOrchestrationClient, durable_host: DevHost, run: Any
) -> None:
    iid = new_id("done")
    run(completed_chain(client, iid, "d"))
    url = f"{durable_host.durable_url}instances/{iid}/raiseEvent/approval"
    raw = http("POST", url, json_body=1)
    assert raw.status == 410, raw.text
    with pytest.raises(Exception, match="is gone"):
        run(client.raise_event(iid, "approval", 1))


def test_raise_event_requires_json_content(
    client: df.DurableOrchestrationClient, durable_host: DevHost, run: Any
) -> None:
    iid = new_id("ctype")
    run(running_waiter(client, iid))
    raw = http(
        "POST",
        f"{durable_host.durable_url}instances/{iid}/raiseEvent/approval",
        body="not json",
        headers={"Content-Type": "text/plain"},
    )
    assert raw.status == 400, raw.text
    # The rejected event was not delivered; a JSON one is, decoded.
    assert run(client.get_status(iid)).runtime_status == Status.Running
    url = f"{durable_host.durable_url}instances/{iid}/raiseEvent/approval"
    assert http("POST", url, json_body={"second": True}).status == 202
    status = run(wait_for_status(client, iid))
    assert status.output == {"winner": "event", "payload": {"second": True}}


def test_terminate_unknown_instance_is_404(
    client: df.DurableOrchestrationClient, durable_host: DevHost, run: Any
) -> None:
    iid = new_id("nobody")
    raw = http("POST", f"{durable_host.durable_url}instances/{iid}/terminate?reason=x")
    assert raw.status == 404, raw.text
    with pytest.raises(Exception, match="No instance with ID"):
        run(client.terminate(iid, "x"))


# --------------------------------------------------------------------------- purge


def test_purge_completed_instance(
    client: df.DurableOrchestrationClient, durable_host: DevHost, run: Any
) -> None:
    iid = new_id("purge")
    run(completed_chain(client, iid, "x"))
    result = run(client.purge_instance_history(iid))
    assert result.instances_deleted == 1
    assert http("GET", f"{durable_host.durable_url}instances/{iid}").status == 404
    assert not run(client.get_status(iid))
    again = http("DELETE", f"{durable_host.durable_url}instances/{iid}")
    assert again.status == 404, again.text


def test_purge_completed_instance_raw_body(
    client: df.DurableOrchestrationClient, durable_host: DevHost, run: Any
) -> None:
    iid = new_id("purge-raw")
    run(completed_chain(client, iid, "x"))
    raw = http("DELETE", f"{durable_host.durable_url}instances/{iid}")
    assert raw.status == 200, raw.text
    assert raw.json() == {"instancesDeleted": 1}


def test_purge_running_instance_is_412(
    client: df.DurableOrchestrationClient, durable_host: DevHost, run: Any
) -> None:
    iid = new_id("purge-run")
    run(running_waiter(client, iid))
    try:
        raw = http("DELETE", f"{durable_host.durable_url}instances/{iid}")
        assert raw.status == 412, raw.text
        with pytest.raises(Exception, match="412"):
            run(client.purge_instance_history(iid))
        assert run(client.get_status(iid)).runtime_status == Status.Running
    finally:
        run(client.terminate(iid, "cleanup"))


def test_purge_unknown_instance_is_404(
    client: df.DurableOrchestrationClient, durable_host: DevHost, run: Any
) -> None:
    iid = new_id("nobody")
    raw = http("DELETE", f"{durable_host.durable_url}instances/{iid}")
    assert raw.status == 404, raw.text
    assert run(client.purge_instance_history(iid)).instances_deleted == 0


def test_purge_by_created_time_deletes_only_final_instances(
    client: df.DurableOrchestrationClient, durable_host: DevHost, run: Any
) -> None:
    prefix = new_id("purgeby") + "-"
    began = datetime.now(UTC)
    finished = [f"{prefix}done{i}" for i in range(2)]
    for iid in finished:
        run(completed_chain(client, iid, iid))
    waiting = f"{prefix}waiting"
    run(running_waiter(client, waiting))
    try:
        result = run(
            client.purge_instance_history_by(
                created_time_from=began, created_time_to=datetime.now(UTC)
            )
        )
        assert result.instances_deleted == len(finished)
        for iid in finished:
            assert http("GET", durable_host.durable_url + f"instances/{iid}").status == 404
        assert http("GET", durable_host.durable_url + f"instances/{waiting}").status == 202
    finally:
        run(client.terminate(waiting, "test cleanup"))


def test_purge_by_runtime_status_deletes_only_instances_in_those_states(
    client: df.DurableOrchestrationClient, durable_host: DevHost, run: Any
) -> None:
    prefix = new_id("purgestatus") + "-"
    began = datetime.now(UTC)
    completed, failed = f"{prefix}done", f"{prefix}failed"

    async def setup() -> None:
        await completed_chain(client, completed, completed)
        await client.start_new("failing_orch", failed, "purged by status")
        await wait_for_status(client, failed)

    run(setup())
    result = run(
        client.purge_instance_history_by(
            created_time_from=began,
            created_time_to=datetime.now(UTC),
            runtime_status=[df.OrchestrationRuntimeStatus.Failed],
        )
    )
    assert result.instances_deleted == 1
    assert http("GET", durable_host.durable_url + f"instances/{failed}").status == 404
    assert http("GET", durable_host.durable_url + f"instances/{completed}").status == 200


# --------------------------------------------------------------------------- listing


def test_list_filters_by_runtime_status_and_prefix(
    client: df.DurableOrchestrationClient, durable_host: DevHost, run: Any
) -> None:
    prefix = new_id("list") + "-"
    ok_ids = [f"{prefix}ok{i}" for i in range(3)]
    failed_id = f"{prefix}bad"
    outsider = new_id("list")  # different prefix: never listed

    async def setup() -> None:
        for iid in [*ok_ids, outsider]:
            await client.start_new("chain", iid, {"seed": iid})
        await client.start_new("failing_orch", failed_id, "listed")
        for iid in [*ok_ids, failed_id, outsider]:
            await wait_for_status(client, iid)

    run(setup())

    completed = run(
        client.get_status_by(runtime_status=[Status.Completed], instance_id_prefix=prefix)
    )
    assert sorted(s.instance_id for s in completed) == sorted(ok_ids)
    assert {s.instance_id: s.output for s in completed} == {i: f"{i}>a>b>c" for i in ok_ids}

    failed, _ = list_instances(
        durable_host.durable_url, {"runtimeStatus": "Failed", "instanceIdPrefix": prefix}
    )
    assert [item["instanceId"] for item in failed] == [failed_id]

    both, _ = list_instances(
        durable_host.durable_url, {"runtimeStatus": "Completed,Failed", "instanceIdPrefix": prefix}
    )
    assert sorted(item["instanceId"] for item in both) == sorted([*ok_ids, failed_id])

    running, _ = list_instances(
        durable_host.durable_url, {"runtimeStatus": "Running", "instanceIdPrefix": prefix}
    )
    assert running == []


def test_list_filters_by_created_time(client: df.DurableOrchestrationClient, run: Any) -> None:
    prefix = new_id("created") + "-"
    before = datetime.now(UTC) - timedelta(seconds=5)
    ids = [f"{prefix}{i}" for i in range(2)]
    for iid in ids:
        run(completed_chain(client, iid, iid))
    since_before = run(client.get_status_by(created_time_from=before, instance_id_prefix=prefix))
    assert sorted(s.instance_id for s in since_before) == ids
    future = datetime.now(UTC) + timedelta(hours=1)
    assert run(client.get_status_by(created_time_from=future, instance_id_prefix=prefix)) == []


def test_list_paging_with_top_and_continuation_token(
    client: df.DurableOrchestrationClient, durable_host: DevHost, run: Any
) -> None:
    prefix = new_id("page") + "-"
    ids = [f"{prefix}{i}" for i in range(5)]

    async def setup() -> None:
        for iid in ids:
            await client.start_new("chain", iid, {"seed": iid})
        for iid in ids:
            await wait_for_status(client, iid)

    run(setup())
    items, sizes = list_instances(
        durable_host.durable_url, {"instanceIdPrefix": prefix, "top": "2"}
    )
    listed = [item["instanceId"] for item in items]
    assert len(listed) == len(set(listed)), f"duplicates across pages: {listed}"
    assert sorted(listed) == sorted(ids)
    assert all(size <= 2 for size in sizes), sizes
    assert len(sizes) >= 3, sizes


# --------------------------------------------------------------------------- history


def test_show_history_lists_execution_and_task_events(
    client: df.DurableOrchestrationClient, durable_host: DevHost, run: Any
) -> None:
    iid = new_id("hist")
    run(completed_chain(client, iid, "h"))

    plain = http("GET", f"{durable_host.durable_url}instances/{iid}").json()
    assert not plain.get("historyEvents")

    res = http("GET", f"{durable_host.durable_url}instances/{iid}?showHistory=true")
    assert res.status == 200, res.text
    events = res.json()["historyEvents"]
    types = [event["EventType"] for event in events]
    assert "ExecutionStarted" in types, types
    assert types.count("TaskCompleted") == 3, types
    assert "ExecutionCompleted" in types, types
    assert types.index("ExecutionStarted") < types.index("TaskCompleted")

    status = run(client.get_status(iid, show_history=True))
    assert [e["EventType"] for e in status.historyEvents] == types
