"""Starting an orchestration with the id of an existing instance (host.json's
overridableExistingInstanceStates), over the raw Durable HTTP API."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator

import pytest
from devhost_testkit import APPS_DIR, DevHost, http, running_devhost


@pytest.fixture(scope="module")
def no_replace_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevHost]:
    with running_devhost(APPS_DIR / "no_replace_app", tmp_path_factory.mktemp("noreplace")) as h:
        yield h


def start(host: DevHost, name: str, iid: str, value: object) -> int:
    url = f"{host.durable_url}orchestrators/{name}/{iid}"
    return http("POST", url, json_body=json.dumps(value)).status


def wait_status(host: DevHost, iid: str, until, timeout: float = 10.0) -> dict:
    """Poll the raw status until `until(body)` holds; return that body."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        res = http("GET", f"{host.durable_url}instances/{iid}")
        if res.status in (200, 202) and until(body := json.loads(res.text)):
            return body
        time.sleep(0.05)
    raise AssertionError(f"{iid}: condition not met within {timeout} s")


def wait_custom_status(host: DevHost, iid: str) -> object:
    return wait_status(host, iid, lambda body: body["customStatus"] is not None)["customStatus"]


def test_start_with_running_id_replaces_it_by_default(durable_host: DevHost) -> None:
    iid = f"replace-{uuid.uuid4().hex[:8]}"
    assert start(durable_host, "event_race", iid, {"timeout_s": 60}) == 202
    wait_custom_status(durable_host, iid)
    assert start(durable_host, "chain", iid, {"seed": "again"}) == 202
    body = wait_status(
        durable_host, iid, lambda b: b["runtimeStatus"] in ("Completed", "Failed", "Terminated")
    )
    assert (body["name"], body["runtimeStatus"], body["output"]) == (
        "chain",
        "Completed",
        "again>a>b>c",
    )


def test_start_with_running_id_is_409_when_only_final_instances_may_be_replaced(
    no_replace_host: DevHost,
) -> None:
    iid = f"keep-{uuid.uuid4().hex[:8]}"
    assert start(no_replace_host, "waiter", iid, "first") == 202
    assert wait_custom_status(no_replace_host, iid) == {"input": "first"}
    res = http("POST", f"{no_replace_host.durable_url}orchestrators/waiter/{iid}", json_body='"x"')
    assert res.status == 409, res.text
    assert iid in json.loads(res.text)["Message"]
    assert wait_custom_status(no_replace_host, iid) == {"input": "first"}


def test_final_instance_may_be_replaced_when_only_final_instances_may_be(
    no_replace_host: DevHost,
) -> None:
    iid = f"again-{uuid.uuid4().hex[:8]}"
    assert start(no_replace_host, "waiter", iid, "first") == 202
    wait_custom_status(no_replace_host, iid)
    assert http("POST", f"{no_replace_host.durable_url}instances/{iid}/terminate").status == 202
    wait_status(no_replace_host, iid, lambda body: body["runtimeStatus"] == "Terminated")
    assert start(no_replace_host, "waiter", iid, "second") == 202
    assert wait_custom_status(no_replace_host, iid) == {"input": "second"}
