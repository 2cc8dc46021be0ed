"""Durable orchestrations on devhost, driven by the real SDK client over HTTP.

App: tests/devhost/apps/durable_app. Each test uses its own instance ids.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import azure.durable_functions as df
import pytest
from devhost_testkit import DevHost, http, output_text, wait_for_status

Status = df.OrchestrationRuntimeStatus


def new_id(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:12]}"


def test_chaining_three_activities(client: df.DurableOrchestrationClient, run: Any) -> None:
    async def scenario() -> None:
        iid = new_id("chain")
        assert await client.start_new("chain", iid, {"seed": "s0"}) == iid
        status = await wait_for_status(client, iid)
        assert status.runtime_status == Status.Completed, status.to_json()
        assert status.output == "s0>a>b>c"

    run(scenario())


def test_fan_out_fan_in_50_activities(client: df.DurableOrchestrationClient, run: Any) -> None:
    async def scenario() -> None:
        iid = await client.start_new("fan_out", new_id("fan"), {"count": 50})
        status = await wait_for_status(client, iid, timeout=30)
        assert status.runtime_status == Status.Completed, status.to_json()
        assert status.output["sum"] == sum(n * n for n in range(50)) == 40425
        assert status.output["results"] == [n * n for n in range(50)]

    run(scenario())


def test_fan_out_activities_run_concurrently(
    client: df.DurableOrchestrationClient, run: Any
) -> None:
    # Each activity blocks until all four are running at once (False if they never meet).
    count = 4
    payload = {"group": uuid.uuid4().hex, "n": count}

    async def scenario() -> None:
        iid = await client.start_new(
            "fan_out", new_id("fanpar"), {"count": count, "activity": "meet", "payload": payload}
        )
        status = await wait_for_status(client, iid, timeout=60)
        assert status.runtime_status == Status.Completed, status.to_json()
        assert status.output["results"] == [True] * count

    run(scenario())


def test_retry_succeeds_on_third_attempt(
    client: df.DurableOrchestrationClient, run: Any, tmp_path: Path
) -> None:
    async def scenario() -> None:
        iid = new_id("retry-ok")
        await client.start_new(
            "retry_orch",
            iid,
            {"dir": str(tmp_path), "fail_times": 2, "max_attempts": 3, "interval_ms": 100},
        )
        status = await wait_for_status(client, iid, timeout=20)
        assert status.runtime_status == Status.Completed, status.to_json()
        assert status.output == {"attempts": 3}
        assert (tmp_path / f"{iid}.attempts").read_text() == "3"

    run(scenario())


def test_retry_exhausted_fails_instance(
    client: df.DurableOrchestrationClient, run: Any, tmp_path: Path
) -> None:
    async def scenario() -> None:
        iid = new_id("retry-fail")
        await client.start_new(
            "retry_orch",
            iid,
            {"dir": str(tmp_path), "fail_times": 5, "max_attempts": 2, "interval_ms": 100},
        )
        status = await wait_for_status(client, iid, timeout=20)
        assert status.runtime_status == Status.Failed, status.to_json()
        assert "flaky failure on attempt 2" in output_text(status)
        await asyncio.sleep(0.5)  # no third attempt may follow
        assert (tmp_path / f"{iid}.attempts").read_text() == "2"

    run(scenario())


def test_parallel_retries_raced_with_a_timer_keep_their_task_ids(
    client: df.DurableOrchestrationClient, run: Any, tmp_path: Path
) -> None:
    async def scenario() -> None:
        iid = new_id("retry-fan")
        await client.start_new("retry_fan_out_orch", iid, {"dir": str(tmp_path)})
        status = await wait_for_status(client, iid, timeout=20)
        assert status.runtime_status == Status.Completed, status.to_json()
        assert status.output == {"attempts": [1, 2, 3, 4], "last": 42}

    run(scenario())


def test_polling_loop_of_timers_raced_with_cancel_runs_every_round(
    client: df.DurableOrchestrationClient, run: Any
) -> None:
    async def scenario() -> None:
        iid = await client.start_new(
            "poll_loop_orch", new_id("poll"), {"rounds": 5, "interval_ms": 50}
        )
        status = await wait_for_status(client, iid, timeout=20)
        assert status.runtime_status == Status.Completed, status.to_json()
        assert status.output == {"completed": 6}

    run(scenario())


def test_cancel_event_ends_polling_loop(client: df.DurableOrchestrationClient, run: Any) -> None:
    async def scenario() -> None:
        iid = await client.start_new(
            "poll_loop_orch", new_id("poll-cancel"), {"rounds": 100, "interval_ms": 300}
        )
        await wait_for_status(
            client, iid, final=False, until=lambda s: (s.custom_status or {}).get("round", 0) >= 2
        )
        await client.raise_event(iid, "cancel", "stop")
        status = await wait_for_status(client, iid, timeout=20)
        assert status.runtime_status == Status.Completed, status.to_json()
        assert status.output["cancelled_at"] >= 2
        assert status.output["reason"] == json.dumps("stop")  # the SDK sends its data encoded

    run(scenario())


def test_durable_timer_waits_until_due(client: df.DurableOrchestrationClient, run: Any) -> None:
    async def scenario() -> None:
        began = time.monotonic()
        iid = await client.start_new("timer_orch", new_id("timer"), 1)
        status = await wait_for_status(client, iid, timeout=15)
        elapsed = time.monotonic() - began
        assert status.runtime_status == Status.Completed, status.to_json()
        assert elapsed >= 0.95, f"a 1 s timer completed after {elapsed:.3f}s"
        started = datetime.fromisoformat(status.output["started"])
        resumed = datetime.fromisoformat(status.output["resumed"])
        assert (resumed - started).total_seconds() >= 0.95, status.output
        assert elapsed < 8, f"a 1 s timer took {elapsed:.1f}s"

    run(scenario())


# The SDK's raise_event JSON-encodes event_data and posts that string as JSON, so, as on
# Azure, the orchestrator receives json.dumps(event_data) (azure-functions-durable-python
# issue #295). A raw POST of a JSON body delivers the decoded value (see test_durable_http_api).


def _awaiting(iid: str) -> Any:
    want = {"stage": "awaiting-approval", "instance": iid}
    return lambda status: status.custom_status == want


def test_external_event_beats_timer(client: df.DurableOrchestrationClient, run: Any) -> None:
    async def scenario() -> None:
        iid = await client.start_new("event_race", new_id("race-ev"), {"timeout_s": 30})
        await wait_for_status(client, iid, until=_awaiting(iid))
        await client.raise_event(iid, "approval", {"ok": True, "by": "alice"})
        status = await wait_for_status(client, iid)
        assert status.runtime_status == Status.Completed, status.to_json()
        payload = json.dumps({"ok": True, "by": "alice"})
        assert status.output == {"winner": "event", "payload": payload}

    run(scenario())


def test_timer_wins_without_event(client: df.DurableOrchestrationClient, run: Any) -> None:
    async def scenario() -> None:
        iid = await client.start_new("event_race", new_id("race-tm"), {"timeout_s": 1})
        status = await wait_for_status(client, iid, timeout=15)
        assert status.runtime_status == Status.Completed, status.to_json()
        assert status.output == {"winner": "timer"}

    run(scenario())


def test_event_raised_before_the_wait_is_delivered(
    client: df.DurableOrchestrationClient, run: Any
) -> None:
    async def scenario() -> None:
        iid = await client.start_new("event_after_work", new_id("early-ev"))
        # The orchestrator is inside its 800 ms activity and not yet waiting for "go".
        await wait_for_status(client, iid, until=lambda s: s.custom_status == "working")
        await client.raise_event(iid, "go", [1, 2, 3])
        status = await wait_for_status(client, iid, timeout=15)
        assert status.runtime_status == Status.Completed, status.to_json()
        assert status.output == {"work": "w>x", "payload": json.dumps([1, 2, 3])}

    run(scenario())


def test_terminate_waiting_instance(
    client: df.DurableOrchestrationClient, durable_host: DevHost, run: Any
) -> None:
    reason = "operator said stop"

    async def scenario() -> None:
        iid = await client.start_new("event_race", new_id("term"), {"timeout_s": 1.5})
        await wait_for_status(client, iid, until=_awaiting(iid))
        await client.terminate(iid, reason)
        status = await wait_for_status(client, iid, timeout=10)
        assert status.runtime_status == Status.Terminated, status.to_json()
        assert status.output == reason

        # Terminating again: the extension answers 410 and the client raises nothing.
        raw = http("POST", f"{durable_host.durable_url}instances/{iid}/terminate?reason=again")
        assert raw.status == 410, raw.text
        await client.terminate(iid, "again")

        # The orchestrator's timer comes due later: the instance must stay terminated. A
        # twin started after it has the same timer; once the twin's has fired, so has this.
        twin = await client.start_new("event_race", new_id("term-twin"), {"timeout_s": 1.5})
        assert (await wait_for_status(client, twin, timeout=30)).output == {"winner": "timer"}
        status = await client.get_status(iid)
        assert status.runtime_status == Status.Terminated, status.to_json()
        assert status.output == reason

    run(scenario())


def test_custom_status_readable_while_waiting(
    client: df.DurableOrchestrationClient, run: Any
) -> None:
    async def scenario() -> None:
        iid = await client.start_new("event_race", new_id("custom"), {"timeout_s": 60})
        status = await wait_for_status(client, iid, until=_awaiting(iid))
        assert status.runtime_status == Status.Running, status.to_json()
        assert status.custom_status == {"stage": "awaiting-approval", "instance": iid}
        await client.raise_event(iid, "approval", "go")
        status = await wait_for_status(client, iid)
        assert status.runtime_status == Status.Completed, status.to_json()
        assert status.custom_status == {"stage": "done", "winner": "event"}

    run(scenario())


def test_continue_as_new_counts_to_three(client: df.DurableOrchestrationClient, run: Any) -> None:
    async def scenario() -> None:
        iid = await client.start_new("counter", new_id("counter"), 0)
        status = await wait_for_status(client, iid, timeout=20)
        assert status.runtime_status == Status.Completed, status.to_json()
        assert status.output == 3

    run(scenario())


def test_sub_orchestration_returns_value(client: df.DurableOrchestrationClient, run: Any) -> None:
    async def scenario() -> None:
        iid = new_id("parent")
        await client.start_new("parent_orch", iid, {"mode": "ok", "value": 21})
        status = await wait_for_status(client, iid, timeout=20)
        assert status.runtime_status == Status.Completed, status.to_json()
        assert status.output == {"child": {"doubled": 42, "parent": iid}}
        child = await client.get_status(f"{iid}-child")
        assert child.runtime_status == Status.Completed, child.to_json()
        assert child.name == "child_orch"
        assert child.output == {"doubled": 42, "parent": iid}

    run(scenario())


def test_failing_sub_orchestration_is_catchable_by_parent(
    client: df.DurableOrchestrationClient, run: Any
) -> None:
    async def scenario() -> None:
        iid = await client.start_new(
            "parent_orch", new_id("parent-f"), {"mode": "fail", "value": 7}
        )
        status = await wait_for_status(client, iid, timeout=20)
        assert status.runtime_status == Status.Completed, status.to_json()
        assert status.output["caught"] is not None, status.to_json()
        assert "child exploded on 7" in status.output["caught"]

    run(scenario())


def test_orchestrator_exception_fails_instance(
    client: df.DurableOrchestrationClient, run: Any
) -> None:
    async def scenario() -> None:
        iid = await client.start_new("failing_orch", new_id("fail"), "zebra")
        status = await wait_for_status(client, iid)
        assert status.runtime_status == Status.Failed, status.to_json()
        assert "orchestrator boom: zebra" in output_text(status)

    run(scenario())


@pytest.mark.parametrize("orchestrator", ["entity_orch", "call_http_orch"])
def test_unsupported_feature_fails_instance(
    client: df.DurableOrchestrationClient, run: Any, orchestrator: str
) -> None:
    async def scenario() -> None:
        iid = await client.start_new(orchestrator, new_id(orchestrator.replace("_", "-")))
        status = await wait_for_status(client, iid)
        assert status.runtime_status == Status.Failed, status.to_json()
        assert "not supported by devhost" in output_text(status)

    run(scenario())


def test_replay_that_no_longer_matches_history_fails_instance(
    client: df.DurableOrchestrationClient, run: Any
) -> None:
    async def scenario() -> None:
        iid = await client.start_new("nondeterministic_orch", new_id("nondet"))
        status = await wait_for_status(client, iid)
        assert status.runtime_status == Status.Failed, status.to_json()
        text = output_text(status)
        assert "Non-deterministic workflow detected" in text
        assert "activity 'increment'" in text and "activity 'square'" in text

    run(scenario())


def test_malformed_orchestrator_state_fails_only_that_instance(
    client: df.DurableOrchestrationClient, run: Any
) -> None:
    async def scenario() -> None:
        bad = await client.start_new("malformed_orch", new_id("malformed"))
        status = await wait_for_status(client, bad)
        assert status.runtime_status == Status.Failed, status.to_json()
        assert "devhost internal error" in output_text(status)
        good = await client.start_new("chain", new_id("after-malformed"), {"seed": "z"})
        status = await wait_for_status(client, good)
        assert status.output == "z>a>b>c"

    run(scenario())
