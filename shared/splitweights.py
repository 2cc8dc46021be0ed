"""The seed's SplitWeights call: weights in, the ±1 assignment out when the job is quick.

`GET|POST /api/splitweights` with `mineralWeights=5,11,8` in the query or
`{"mineralWeights": [5, 11, 8]}` in the body submits a number_partitioning job and waits a
few seconds for it; a job still running then answers 202 with its status Location.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Mapping
from typing import Any

import azure.durable_functions as df
import azure.functions as func

from .http import read_json_object
from .job_control import find_job
from .jobs import JobView
from .problems import invalid_request
from .submission import JobRequest, parse_job_request

_HOW = (
    "Pass the weights as 'mineralWeights=5,11,8,7,1,1' in the query string "
    'or as {"mineralWeights": [5, 11, 8, 7, 1, 1]} in a JSON body.'
)
_POLL_SECONDS = 0.02
_INTEGER = re.compile(r"-?[0-9]{1,20}")


def weights_body(query: Mapping[str, str], body: dict[str, Any] | None) -> dict[str, Any]:
    """The number_partitioning job request the seed call stands for (400 without weights)."""
    if body is not None and "mineralWeights" in body:
        return {"kind": "number_partitioning", "mineralWeights": body["mineralWeights"]}
    raw = query.get("mineralWeights")
    if raw is None or not raw.strip():
        raise invalid_request(f"No weights given. {_HOW}")
    weights: list[Any] = []
    for item in raw.split(","):
        item = item.strip()
        if not _INTEGER.fullmatch(item):
            raise invalid_request(f"mineralWeights must be integers; {item!r} is not. {_HOW}")
        weights.append(int(item))
    return {"kind": "number_partitioning", "mineralWeights": weights}


async def read_weights_request(req: func.HttpRequest, max_bytes: int) -> JobRequest:
    """The job a SplitWeights call stands for, parsed in a thread as read_job_request does:
    a body of megabytes takes a while to parse, and other requests are served meanwhile."""

    def parse() -> JobRequest:
        body = read_json_object(req, max_bytes) if req.get_body() else None
        return parse_job_request(weights_body(req.params, body))

    return await asyncio.to_thread(parse)


async def wait_until_final(
    client: df.DurableOrchestrationClient, job_id: str, seconds: float
) -> JobView | None:
    """The job once final, or None if it is still running after `seconds`."""
    deadline = time.monotonic() + seconds
    delay = _POLL_SECONDS
    while True:
        view = await find_job(client, job_id)
        if view is not None and view.lifecycle.state.is_final:
            return view
        if time.monotonic() + delay > deadline:
            return None
        await asyncio.sleep(delay)
        delay = min(delay * 1.5, 0.5)
