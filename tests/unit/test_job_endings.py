"""job_endings: a job's end wakes the requests waiting for it, on their own event loop."""

from __future__ import annotations

import asyncio
import threading

from shared.job_endings import JobEndings
from shared.jobs import JobState, Lifecycle

ENDED = Lifecycle(JobState.SUCCEEDED, "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:01.000Z")


def test_an_announced_end_wakes_the_waiter_with_the_final_lifecycle() -> None:
    endings = JobEndings()

    async def scenario() -> Lifecycle:
        with endings.watching("a") as ended:
            asyncio.get_running_loop().call_later(0.01, endings.announce, "a", ENDED)
            return await asyncio.wait_for(ended, 2)

    assert asyncio.run(scenario()) == ENDED


def test_an_end_announced_from_another_thread_wakes_the_waiter() -> None:
    endings = JobEndings()

    async def scenario() -> Lifecycle:
        with endings.watching("a") as ended:
            threading.Timer(0.01, endings.announce, ("a", ENDED)).start()
            return await asyncio.wait_for(ended, 2)

    assert asyncio.run(scenario()) == ENDED


def test_watching_a_job_that_already_ended_is_settled_at_once() -> None:
    endings = JobEndings()
    endings.announce("a", ENDED)

    async def scenario() -> bool:
        with endings.watching("a") as ended:
            return ended.done() and ended.result() == ENDED

    assert asyncio.run(scenario())
    assert endings.ended("a") == ENDED


def test_another_jobs_end_does_not_wake_the_waiter_and_leaving_forgets_it() -> None:
    endings = JobEndings()

    async def scenario() -> tuple[bool, int]:
        with endings.watching("a") as ended:
            endings.announce("b", ENDED)
            await asyncio.sleep(0.01)
            woken = ended.done()
        return woken, endings.waiting()

    assert asyncio.run(scenario()) == (False, 0)
