"""Per-client limits on submissions: jobs in flight (waiting + executing) and jobs per minute.

Jobs in flight are counted by the durable host, so the count holds across restarts: a job id
starts with its owner's tag (jobs.owner_tag), and one status query for running instances with
that prefix counts them. That query runs at most once a second per client (and again before a
refusal, at most every 0.1 s), so a submission under the limit usually costs no round trip
and one at the limit is refused on a fresh count. Added to the ids it finds: the jobs admitted
here whose orchestration is still starting (the host cannot know them yet: in a burst of 200
the count alone let 110-200 in past a limit of 100), and those that started since the query
began (a set of ids: one the query found too counts once). With several hosts (scale out on
Azure) a client may exceed its limit by what the others accepted within that second.
Submissions per minute are counted per process, over a sliding minute.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp
import azure.durable_functions as df
from azure.durable_functions.models.OrchestrationRuntimeStatus import OrchestrationRuntimeStatus

from .config import Settings
from .deadlines import within_deadline
from .job_control import OrchestrationUnavailable
from .jobs import owner_tag
from .problems import too_many_requests

_RECOUNT_SECONDS = 1.0
_REFUSAL_RECOUNT_SECONDS = 0.1
_MINUTE = 60.0
_IN_FLIGHT = [OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running]


async def jobs_in_flight(client: df.DurableOrchestrationClient, owner: str) -> set[str]:
    """The ids of the owner's orchestrations that are pending or running, as the durable host
    says."""
    try:
        found = await within_deadline(
            client.get_status_by(runtime_status=_IN_FLIGHT, instance_id_prefix=owner_tag(owner))
        )
    except (aiohttp.ClientError, TimeoutError) as error:
        raise OrchestrationUnavailable(str(error)) from error
    return {status.instance_id for status in found if status.instance_id}


@dataclass
class _ClientUsage:
    counted: set[str] = field(default_factory=set)
    counted_at: float = -math.inf
    starting: set[str] = field(default_factory=set)  # admitted, orchestration not started
    started_since: set[str] = field(default_factory=set)  # since the last count's query began
    submissions: deque[float] = field(default_factory=deque)
    recount: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def in_flight(self) -> int:
        return len(self.counted | self.starting | self.started_since)


class Quotas:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._usage: dict[str, _ClientUsage] = {}

    async def admit(
        self, client: df.DurableOrchestrationClient, owner: str, job_id: str, config: Settings
    ) -> None:
        """Count the submission of `job_id` for `owner`, or raise 429 (with Retry-After) over a
        limit. The submission then reports `started` or, when it failed, `release`."""
        usage = self._usage.setdefault(owner, _ClientUsage())
        now = self._clock()
        while usage.submissions and usage.submissions[0] <= now - _MINUTE:
            usage.submissions.popleft()
        if len(usage.submissions) >= config.max_submissions_per_minute:
            wait = math.ceil(usage.submissions[0] + _MINUTE - now)
            raise too_many_requests(
                f"At most {config.max_submissions_per_minute} jobs may be submitted per minute.",
                max(1, wait),
            )
        try:
            # Those queued behind a count against a frozen durable host give up with it.
            await within_deadline(usage.recount.acquire())
        except TimeoutError as error:
            raise OrchestrationUnavailable("the durable host's count did not answer") from error
        try:
            age = self._clock() - usage.counted_at
            over = usage.in_flight >= config.max_jobs_in_flight
            # Jobs still starting cannot have finished: when they alone fill the limit, no
            # count could admit this one (a burst's refusals answer at once).
            could_fit = len(usage.starting) < config.max_jobs_in_flight
            if could_fit and (
                age >= _RECOUNT_SECONDS or (over and age >= _REFUSAL_RECOUNT_SECONDS)
            ):
                usage.started_since = set()
                usage.counted = await jobs_in_flight(client, owner)
                # From the answer: the refusals queued behind this count share it.
                usage.counted_at = self._clock()
            if usage.in_flight >= config.max_jobs_in_flight:
                raise too_many_requests(
                    f"You have {config.max_jobs_in_flight} jobs waiting or executing, the "
                    "limit; submit more once some have finished.",
                    config.retry_after_seconds,
                )
            usage.starting.add(job_id)
        finally:
            usage.recount.release()
        usage.submissions.append(now)

    def started(self, owner: str, job_id: str) -> None:
        """An admitted submission's orchestration has started: the next count includes it."""
        usage = self._usage.get(owner)
        if usage is not None and job_id in usage.starting:
            usage.starting.discard(job_id)
            usage.started_since.add(job_id)

    def release(self, owner: str, job_id: str) -> None:
        """An admitted submission failed: it neither runs nor counts against the minute."""
        usage = self._usage.get(owner)
        if usage is not None and job_id in usage.starting:
            usage.starting.discard(job_id)
            if usage.submissions:
                usage.submissions.pop()


_quotas: dict[asyncio.AbstractEventLoop, Quotas] = {}


def quotas() -> Quotas:
    """This event loop's quota keeper (its locks belong to the loop)."""
    return _quotas.setdefault(asyncio.get_running_loop(), Quotas())
