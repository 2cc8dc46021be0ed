"""qjobs_client's waiting clock and terminal progress line (no server needed)."""

from __future__ import annotations

import io

import pytest
from qjobs_client import JobStatus, RetryPolicy, WaitTimeout
from qjobs_client.progress import TICK_SECONDS, TerminalProgress, Waiter

RUNNING = JobStatus(id="a" * 32, status="executing", kind="circuit", target="t", created="")


def test_terminal_progress_redraws_one_line_with_state_and_elapsed_seconds() -> None:
    stream = io.StringIO()
    with TerminalProgress(stream) as progress:
        progress(RUNNING, 0.2)
        progress(RUNNING, 1.25)
    text = stream.getvalue()
    assert text.count("\r") == 2 and text.endswith("\n")
    assert "executing" in text and "1.2 s" in text and RUNNING.id in text


def test_waiter_sleeps_the_whole_delay_in_ticks_when_showing_progress() -> None:
    waiter = Waiter("j", None, lambda status, elapsed: None)
    slices = waiter.sleeps(1.0)
    assert sum(slices) == pytest.approx(1.0)
    assert max(slices) <= TICK_SECONDS + 1e-9


def test_waiter_sleeps_at_most_the_time_left() -> None:
    assert sum(Waiter("j", 0.5, None).sleeps(3.0)) <= 0.5


def test_waiter_raises_wait_timeout_once_the_time_is_up() -> None:
    waiter = Waiter("j", 0.0, None)
    waiter.observe(RUNNING)
    with pytest.raises(WaitTimeout) as caught:
        waiter.sleeps(1.0)
    assert caught.value.status == "executing"


def test_retry_policy_follows_retry_after_and_backs_off_without_it() -> None:
    policy = RetryPolicy(max_retries=3, backoff=0.5, max_delay=30)
    assert policy.delay(0, 7.0) == 7.0
    assert [policy.delay(n, None) for n in range(3)] == [0.5, 1.0, 2.0]
    assert policy.delay(3, 1.0) is None
    assert RetryPolicy(max_delay=10).delay(0, 120.0) == 10
