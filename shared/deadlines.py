"""How long an HTTP request waits for a dependency (Blob Storage, Key Vault, the durable host).

A dependency that stops answering (a frozen process, a connection that never replies) must
cost a caller a 503 within seconds, not the SDKs' own timeouts times their retries. While a
request is answered (`shared.http.endpoint` enters `dependency_deadline`), every call to a
dependency, its SDK's retries included, is given up after the deadline with TimeoutError;
each adapter turns that into its own "unavailable" error, which the endpoint answers 503.
Outside a request (activities, timers) calls keep their SDKs' longer timeouts and retries.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Iterator
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_deadline: ContextVar[float | None] = ContextVar("qjobs_dependency_deadline", default=None)


@contextlib.contextmanager
def dependency_deadline(seconds: float) -> Iterator[None]:
    """Within this block (and the tasks it starts), each dependency call gets `seconds`."""
    token = _deadline.set(seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def in_request() -> bool:
    """Whether dependency calls are bounded here (an HTTP request is being answered)."""
    return _deadline.get() is not None


async def within_deadline(call: Awaitable[T]) -> T:
    """Await `call`; inside a request, TimeoutError once it has taken the deadline."""
    seconds = _deadline.get()
    if seconds is None:
        return await call
    async with asyncio.timeout(seconds):
        return await call
