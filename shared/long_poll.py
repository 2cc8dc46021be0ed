"""Long-poll reads: `Prefer: wait=N` (RFC 7240) or `?wait=N` on a job's status or result.

The read answers the moment the job is final, or after N seconds (capped by
QJOBS_MAX_WAIT_SECONDS) with the usual 202. The request waits on an asyncio future that the
job's end wakes when it is recorded on this host (job_endings); a job that ends on another
instance is seen by a fallback status read at most once a second.
"""

from __future__ import annotations

import asyncio
import re

import azure.durable_functions as df
import azure.functions as func

from .config import settings
from .job_control import read_job
from .job_endings import job_endings
from .jobs import JobView
from .problems import invalid_request

# How often a waiting request reads the job's status, for an end this host does not see.
FALLBACK_READ_SECONDS = 1.0
_SECONDS = re.compile(r"[0-9]{1,6}")
_PREFER_WAIT = re.compile(r'\s*wait\s*=\s*"?([0-9]{1,6})"?\s*', re.IGNORECASE)


def requested_wait(req: func.HttpRequest) -> int:
    """Seconds the caller asks to wait, capped: `?wait=N` (400 when not whole seconds), else
    the `wait` preference of `Prefer` (ignored when malformed, as RFC 7240 says); else 0."""
    cap = settings().max_wait_seconds
    raw = req.params.get("wait")
    if raw is not None:
        if not _SECONDS.fullmatch(raw):
            raise invalid_request("wait must be a whole number of seconds.")
        return min(int(raw), cap)
    for preference in req.headers.get("prefer", "").split(","):
        found = _PREFER_WAIT.fullmatch(preference.split(";")[0])
        if found:
            return min(int(found.group(1)), cap)
    return 0


def preference_applied(seconds: int) -> dict[str, str]:
    """The header that tells the caller its wait was honoured (none without a wait)."""
    return {"Preference-Applied": f"wait={seconds}"} if seconds > 0 else {}


async def read_job_waiting(
    client: df.DurableOrchestrationClient, job_id: str, owner: str, seconds: int
) -> JobView:
    """The caller's job once it is final, or as it is after `seconds` (0: at once)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    with job_endings.watching(job_id) as ended:
        view = await read_job(client, job_id, owner)
        while not view.lifecycle.state.is_final:
            if ended.done():
                return JobView(view.spec, ended.result())
            remaining = deadline - loop.time()
            if remaining <= 0:
                return view
            try:
                lifecycle = await asyncio.wait_for(
                    asyncio.shield(ended), min(FALLBACK_READ_SECONDS, remaining)
                )
            except TimeoutError:
                view = await read_job(client, job_id, owner)
            else:
                return JobView(view.spec, lifecycle)
    return view
