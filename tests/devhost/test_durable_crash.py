"""Durability: SIGKILL devhost with many instances in flight, restart it on the same data
dir and port, and every instance must complete with the right output."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import azure.durable_functions as df
import pytest
from devhost_testkit import (
    APPS_DIR,
    DevHost,
    fetch_client_binding,
    list_instances,
    reset_sdk_http_session,
    status_is_final,
    wait_for_status,
)

INSTANCES = 100
KILL_AFTER = 0.5  # seconds after the last start
RECOVERY_TIMEOUT = 45.0


@pytest.mark.crash
@pytest.mark.slow
def test_instances_complete_after_sigkill_and_restart(tmp_path: Path, run: Any) -> None:
    host = DevHost.in_tmp(APPS_DIR / "durable_app", tmp_path)
    host.start()
    try:
        client = df.DurableOrchestrationClient(fetch_client_binding(host))
        prefix = f"crash-{uuid.uuid4().hex[:8]}-"
        seeds = {f"{prefix}{i:03d}": f"n{i}" for i in range(INSTANCES)}

        async def start_all() -> list[str]:
            return await asyncio.gather(
                *(
                    client.start_new("chain", iid, {"seed": seed, "sleep_ms": [50, 200]})
                    for iid, seed in seeds.items()
                )
            )

        assert sorted(run(start_all())) == sorted(seeds)
        time.sleep(KILL_AFTER)
        before, _ = list_instances(host.durable_url, {"instanceIdPrefix": prefix})
        host.kill()
        states_before = Counter(item["runtimeStatus"] for item in before)
        assert states_before["Completed"] < INSTANCES, (
            f"all instances finished before the kill; the test proves nothing: {states_before}"
        )

        host.restart()
        run(reset_sdk_http_session())
        deadline = time.monotonic() + RECOVERY_TIMEOUT
        while True:
            items, _ = list_instances(host.durable_url, {"instanceIdPrefix": prefix})
            if len(items) == INSTANCES and all(status_is_final(item) for item in items):
                break
            assert time.monotonic() < deadline, (
                f"not all final {RECOVERY_TIMEOUT}s after restart "
                f"(before kill: {dict(states_before)}; now: "
                f"{dict(Counter(item['runtimeStatus'] for item in items))}, {len(items)} listed)"
            )
            time.sleep(0.25)

        async def outputs() -> dict[str, tuple[str, Any]]:
            statuses = await asyncio.gather(
                *(wait_for_status(client, iid, timeout=10) for iid in seeds)
            )
            return {s.instance_id: (s.runtime_status.value, s.output) for s in statuses}

        expected = {iid: ("Completed", f"{seed}>a>b>c") for iid, seed in seeds.items()}
        got = run(outputs())
        wrong = {iid: got[iid] for iid in seeds if got[iid] != expected[iid]}
        sample = list(wrong.items())[:5]
        assert not wrong, f"{len(wrong)} instances wrong after recovery, e.g. {sample}"
    finally:
        host.stop()


@pytest.mark.crash
@pytest.mark.slow
def test_repeated_sigkills_lose_no_recorded_result(tmp_path: Path, run: Any) -> None:
    """Kill mid-run, again soon after restart, and again during recovery: every instance
    still completes, every step ran, and only steps in flight at a kill ran twice."""
    threads = 4
    host = DevHost.in_tmp(APPS_DIR / "durable_app", tmp_path)
    host.extra_env["PYTHON_THREADPOOL_THREAD_COUNT"] = str(threads)
    journal = tmp_path / "journal.txt"
    host.start()
    try:
        client = df.DurableOrchestrationClient(fetch_client_binding(host))
        prefix = f"kills-{uuid.uuid4().hex[:8]}-"
        seeds = {f"{prefix}{i:03d}": f"k{i}" for i in range(60)}

        async def start_all() -> None:
            await asyncio.gather(
                *(
                    client.start_new(
                        "chain",
                        iid,
                        {"seed": seed, "sleep_ms": [10, 60], "journal": str(journal)},
                    )
                    for iid, seed in seeds.items()
                )
            )

        run(start_all())
        kills = 0
        for pause in (0.4, 0.3, 0.05):
            time.sleep(pause)
            host.kill()
            kills += 1
            host.restart()
            run(reset_sdk_http_session())

        async def outputs() -> dict[str, Any]:
            statuses = await asyncio.gather(
                *(wait_for_status(client, iid, timeout=RECOVERY_TIMEOUT) for iid in seeds)
            )
            return {s.instance_id: s.output for s in statuses}

        assert run(outputs()) == {iid: f"{seed}>a>b>c" for iid, seed in seeds.items()}
        runs = Counter(journal.read_text().split())
        expected_steps = {
            f"{seed}{suffix}" for seed in seeds.values() for suffix in (">a", ">a>b", ">a>b>c")
        }
        assert set(runs) == expected_steps
        reruns = sum(runs.values()) - len(expected_steps)
        assert reruns <= kills * threads, f"{reruns} steps ran again after {kills} kills"
    finally:
        host.stop()


@pytest.mark.crash
@pytest.mark.slow
def test_timers_events_and_activities_survive_graceful_restart(tmp_path: Path, run: Any) -> None:
    host = DevHost.in_tmp(APPS_DIR / "durable_app", tmp_path)
    host.start()
    try:
        client = df.DurableOrchestrationClient(fetch_client_binding(host))
        tag = uuid.uuid4().hex[:8]
        timer_id, waiter_id, worker_id = f"rs-timer-{tag}", f"rs-wait-{tag}", f"rs-work-{tag}"

        async def start() -> None:
            await client.start_new("timer_orch", timer_id, 2)
            await client.start_new("event_race", waiter_id, {"timeout_s": 60})
            await client.start_new("event_after_work", worker_id)
            await wait_for_status(client, waiter_id, until=lambda s: s.custom_status is not None)
            # event_after_work is inside its 800 ms activity when devhost stops.
            await wait_for_status(client, worker_id, until=lambda s: s.custom_status == "working")

        run(start())
        code = host.stop()
        assert code == 0, f"SIGTERM exit code {code}"
        host.restart()
        run(reset_sdk_http_session())

        async def resume() -> None:
            timer = await wait_for_status(client, timer_id, timeout=15)
            assert timer.runtime_status == df.OrchestrationRuntimeStatus.Completed, timer.to_json()
            assert {"started", "resumed"} <= set(timer.output)

            waiter = await client.get_status(waiter_id)
            assert waiter.runtime_status == df.OrchestrationRuntimeStatus.Running
            await client.raise_event(waiter_id, "approval", "after-restart")
            waiter = await wait_for_status(client, waiter_id)
            assert waiter.output == {"winner": "event", "payload": '"after-restart"'}

            await wait_for_status(client, worker_id, until=lambda s: s.custom_status == "waiting")
            await client.raise_event(worker_id, "go", 5)
            worker = await wait_for_status(client, worker_id)
            assert worker.output == {"work": "w>x", "payload": "5"}

        run(resume())
    finally:
        host.stop()
