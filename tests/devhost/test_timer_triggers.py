"""Timer triggers: devhost runs a timerTrigger function on its NCRONTAB schedule, resolves
%SETTING% in it, honours runOnStartup, and passes the binding JSON TimerRequest decodes."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from devhost_testkit import APPS_DIR, DevHost, run_until_exit

TIMER_APP = APPS_DIR / "timer_app"
EVERY_TWO_SECONDS = "*/2 * * * * *"


def invocations(log: Path, function: str) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    return [line for line in lines if line["function"] == function]


def wait_for(log: Path, function: str, count: int, timeout: float = 30.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = invocations(log, function)
        if len(found) >= count:
            return found
        time.sleep(0.1)
    raise AssertionError(f"{function}: {len(invocations(log, function))} of {count} invocations")


@pytest.fixture
def timer_log(tmp_path: Path) -> Path:
    return tmp_path / "timer-log.jsonl"


@pytest.fixture
def timer_host(tmp_path: Path, timer_log: Path) -> Iterator[DevHost]:
    host = DevHost.in_tmp(TIMER_APP, tmp_path)
    host.extra_env = {"TIMER_LOG": str(timer_log), "TICK_SCHEDULE": EVERY_TWO_SECONDS}
    host.start()
    try:
        yield host
    finally:
        host.stop()


def test_timer_function_runs_on_its_schedule_from_an_app_setting(
    timer_host: DevHost, timer_log: Path
) -> None:
    ticks = wait_for(timer_log, "tick", 3)
    for tick in ticks:
        occurrence = datetime.fromisoformat(tick["schedule_status"]["Last"])
        assert occurrence.second % 2 == 0, tick
        assert 0 <= tick["at"] - occurrence.timestamp() < 1.5, tick
    gaps = [later["at"] - earlier["at"] for earlier, later in zip(ticks, ticks[1:], strict=False)]
    assert all(1.0 < gap < 4.0 for gap in gaps), gaps


def test_timer_request_carries_the_schedule_status(timer_host: DevHost, timer_log: Path) -> None:
    tick = wait_for(timer_log, "tick", 1)[0]
    assert tick["past_due"] is False
    status = tick["schedule_status"]
    last, following = datetime.fromisoformat(status["Last"]), datetime.fromisoformat(status["Next"])
    assert (following - last).total_seconds() == 2
    assert last.second % 2 == 0
    assert "LastUpdated" in status


def test_run_on_startup_runs_once_at_start(timer_host: DevHost, timer_log: Path) -> None:
    wait_for(timer_log, "tick", 2)
    startups = invocations(timer_log, "startup")
    assert len(startups) == 1, startups
    assert startups[0]["past_due"] is False


def test_missed_occurrence_runs_at_start_as_past_due(timer_host: DevHost, timer_log: Path) -> None:
    wait_for(timer_log, "tick", 1)
    timer_host.stop()
    time.sleep(3)  # the next two-second occurrence passes while devhost is down
    seen = len(invocations(timer_log, "tick"))
    timer_host.restart()
    first_after_restart = wait_for(timer_log, "tick", seen + 1)[seen]
    assert first_after_restart["past_due"] is True
    assert len(invocations(timer_log, "startup")) == 2


def test_schedule_naming_a_missing_setting_disables_only_that_function(
    tmp_path: Path, timer_log: Path
) -> None:
    host = DevHost.in_tmp(TIMER_APP, tmp_path)
    host.extra_env = {"TIMER_LOG": str(timer_log)}
    host.start()
    try:
        wait_for(timer_log, "startup", 1)
        time.sleep(2.5)  # the tick function would have run by now
        log = host.log_text()
    finally:
        host.stop()
    assert invocations(timer_log, "tick") == []
    assert "'tick' failed indexing and will be disabled" in log, log
    assert "TICK_SCHEDULE" in log, log


def test_invalid_schedule_stops_start_up(tmp_path: Path) -> None:
    env = {"TIMER_LOG": str(tmp_path / "x"), "TICK_SCHEDULE": "0 */5 * * *"}
    code, stderr = run_until_exit(TIMER_APP, tmp_path, env=env)
    assert code == 2, stderr
    assert "6 fields" in stderr, stderr
