"""Counting a client's jobs in flight: admissions whose orchestration is still starting count
too, so a burst cannot slip past the limit before the durable host knows its jobs."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from shared.config import load_settings
from shared.problems import ApiError
from shared.quotas import Quotas

LIMIT = 5
CONFIG = load_settings({"QJOBS_MAX_JOBS_IN_FLIGHT": str(LIMIT)})


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class DurableHost:
    """The durable host's status query: it knows only the orchestrations started so far, and
    each query takes `query_seconds` of `clock`."""

    def __init__(self, clock: Clock | None = None, query_seconds: float = 0.0) -> None:
        self.in_flight: set[str] = set()
        self.queries = 0
        self._clock, self._query_seconds = clock, query_seconds

    async def get_status_by(self, **_: Any) -> list[SimpleNamespace]:
        await asyncio.sleep(0)  # a round trip: other submissions run meanwhile
        self.queries += 1
        if self._clock is not None:
            self._clock.now += self._query_seconds
        return [SimpleNamespace(instance_id=job_id) for job_id in self.in_flight]


async def admitted(quotas: Quotas, host: DurableHost, job_id: str, owner: str = "a") -> bool:
    try:
        await quotas.admit(host, owner, job_id, CONFIG)  # type: ignore[arg-type]
    except ApiError as refused:
        assert refused.status == 429
        return False
    return True


async def start(quotas: Quotas, host: DurableHost, job_id: str) -> None:
    """Admit a job and start its orchestration, as a submission does."""
    assert await admitted(quotas, host, job_id)
    host.in_flight.add(job_id)
    quotas.started("a", job_id)


def test_a_burst_gets_no_more_than_the_limit_while_its_orchestrations_start() -> None:
    async def burst() -> list[bool]:
        quotas, host = Quotas(Clock()), DurableHost()
        return await asyncio.gather(*(admitted(quotas, host, f"j{i}") for i in range(4 * LIMIT)))

    assert sum(asyncio.run(burst())) == LIMIT


def test_started_jobs_count_until_the_host_reports_them() -> None:
    async def scenario() -> bool:
        quotas, host = Quotas(Clock()), DurableHost()
        for i in range(LIMIT):
            assert await admitted(quotas, host, f"j{i}")
            quotas.started("a", f"j{i}")
        return await admitted(quotas, host, "over")

    assert asyncio.run(scenario()) is False


def test_a_job_the_host_reports_and_that_started_since_counts_once() -> None:
    async def scenario() -> bool:
        clock = Clock()
        quotas, host = Quotas(clock), DurableHost()
        for i in range(LIMIT - 1):
            await start(quotas, host, f"j{i}")
        clock.now += 1.0  # the next admission counts afresh: the host knows all four
        return await admitted(quotas, host, "last")

    assert asyncio.run(scenario()) is True


def test_a_released_submission_frees_its_place() -> None:
    async def scenario() -> bool:
        quotas, host = Quotas(Clock()), DurableHost()
        for i in range(LIMIT):
            assert await admitted(quotas, host, f"j{i}")
        quotas.release("a", "j0")
        return await admitted(quotas, host, "again")

    assert asyncio.run(scenario()) is True


@pytest.mark.parametrize("later", [0.05, 0.1])
def test_a_refusal_recounts_a_count_older_than_a_tenth_of_a_second(later: float) -> None:
    async def scenario() -> bool:
        clock = Clock()
        quotas, host = Quotas(clock), DurableHost()
        for i in range(LIMIT):
            await start(quotas, host, f"j{i}")
        host.in_flight.discard("j0")  # it has finished since
        clock.now += later
        return await admitted(quotas, host, "next")

    assert asyncio.run(scenario()) is (later >= 0.1)


def test_refusals_in_a_burst_share_one_count_of_a_slow_host() -> None:
    async def burst() -> tuple[int, int]:
        clock = Clock()
        quotas, host = Quotas(clock), DurableHost(clock, query_seconds=0.2)
        jobs = [admitted(quotas, host, f"j{i}") for i in range(4 * LIMIT)]
        return sum(await asyncio.gather(*jobs)), host.queries

    assert asyncio.run(burst()) == (LIMIT, 1)


def test_a_refusal_needs_no_count_while_the_jobs_still_starting_fill_the_limit() -> None:
    async def scenario() -> tuple[bool, int]:
        clock = Clock()
        quotas, host = Quotas(clock), DurableHost()
        for i in range(LIMIT):
            assert await admitted(quotas, host, f"j{i}")
        clock.now += 2.0  # the count is stale, but no count could make room
        return await admitted(quotas, host, "over"), host.queries

    assert asyncio.run(scenario()) == (False, 1)


def test_another_clients_jobs_do_not_count() -> None:
    async def scenario() -> bool:
        quotas, host = Quotas(Clock()), DurableHost()
        for i in range(LIMIT):
            assert await admitted(quotas, host, f"j{i}", "a")
        return await admitted(quotas, DurableHost(), "b0", "b")

    assert asyncio.run(scenario()) is True
