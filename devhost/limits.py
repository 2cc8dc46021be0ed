"""Request limits the host enforces before any function runs.

- ``FUNCTIONS_REQUEST_BODY_SIZE_LIMIT`` (bytes, default 100 MiB, the Functions host's
  own default): a ``Content-Length`` above it is answered 413 at once, before a byte of
  the body is read, and the connection is closed; a body without a length (chunked) is
  read only up to the limit, then answered 413.
- Slow bodies: after a grace period of ``DEVHOST_REQUEST_BODY_GRACE_SECONDS`` (default
  5 s) the body must keep arriving at 240 bytes/s on average (Kestrel's
  MinRequestBodyDataRate, which the Functions host inherits); a slower one is answered
  408 and the connection closed.

- Connections (see devhost/connections.py): a connection must send its first request head
  within ``DEVHOST_REQUEST_HEADERS_TIMEOUT_SECONDS`` (default 30 s, Kestrel's
  RequestHeadersTimeout); one idle between requests, or still without the next complete
  head, is closed after ``DEVHOST_KEEPALIVE_TIMEOUT_SECONDS`` (default 130 s, Kestrel's
  KeepAliveTimeout); beyond ``DEVHOST_MAX_CONNECTIONS`` open connections (default 1000) a
  new one is answered 503 and closed.

Errors are ``application/problem+json``.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from dataclasses import dataclass

from aiohttp import web

from .problems import problem

MAX_BODY_SETTING = "FUNCTIONS_REQUEST_BODY_SIZE_LIMIT"
BODY_GRACE_SETTING = "DEVHOST_REQUEST_BODY_GRACE_SECONDS"
HEADERS_TIMEOUT_SETTING = "DEVHOST_REQUEST_HEADERS_TIMEOUT_SECONDS"
KEEPALIVE_TIMEOUT_SETTING = "DEVHOST_KEEPALIVE_TIMEOUT_SECONDS"
MAX_CONNECTIONS_SETTING = "DEVHOST_MAX_CONNECTIONS"
DEFAULT_MAX_BODY_BYTES = 100 * 1024 * 1024
DEFAULT_BODY_GRACE_S = 5.0
MIN_BODY_BYTES_PER_S = 240.0
DEFAULT_HEADERS_TIMEOUT_S = 30.0
DEFAULT_KEEPALIVE_TIMEOUT_S = 130.0
DEFAULT_MAX_CONNECTIONS = 1000


class LimitSettingError(ValueError):
    """A limit setting that is not a positive number."""


@dataclass(frozen=True)
class RequestLimits:
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    body_grace_s: float = DEFAULT_BODY_GRACE_S
    min_body_rate: float = MIN_BODY_BYTES_PER_S
    headers_timeout_s: float = DEFAULT_HEADERS_TIMEOUT_S
    keepalive_timeout_s: float = DEFAULT_KEEPALIVE_TIMEOUT_S
    max_connections: int = DEFAULT_MAX_CONNECTIONS


def limits_from_settings(environ: Mapping[str, str] = os.environ) -> RequestLimits:
    return RequestLimits(
        max_body_bytes=int(_positive(environ, MAX_BODY_SETTING, DEFAULT_MAX_BODY_BYTES)),
        body_grace_s=_positive(environ, BODY_GRACE_SETTING, DEFAULT_BODY_GRACE_S),
        headers_timeout_s=_positive(environ, HEADERS_TIMEOUT_SETTING, DEFAULT_HEADERS_TIMEOUT_S),
        keepalive_timeout_s=_positive(
            environ, KEEPALIVE_TIMEOUT_SETTING, DEFAULT_KEEPALIVE_TIMEOUT_S
        ),
        max_connections=max(
            1, int(_positive(environ, MAX_CONNECTIONS_SETTING, DEFAULT_MAX_CONNECTIONS))
        ),
    )


def _positive(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise LimitSettingError(f"{name} must be a positive number, not '{raw}'")
    return value


def too_large(limits: RequestLimits) -> web.Response:
    return problem(
        413,
        "Request body too large",
        f"The request body is larger than the host's limit of {limits.max_body_bytes} bytes.",
    )


def too_slow(limits: RequestLimits) -> web.Response:
    return problem(
        408,
        "Request body too slow",
        f"The request body did not arrive at {limits.min_body_rate:g} bytes/s after "
        f"{limits.body_grace_s:g} s.",
    )


async def close_with(request: web.Request, response: web.Response) -> web.Response:
    """Send `response` and close the connection without keeping the rest of the body.

    After a 413 the server discards what the client still sends for a while before it
    closes (aiohttp's lingering close, 10 s), so a client that writes its whole body
    first still reads the answer; after a 408 it closes at once."""
    response.force_close()
    if response.status == 413:
        return response
    await response.prepare(request)
    await response.write_eof()
    if request.protocol is not None:
        request.protocol.force_close()
    return response


class BodyRejected(Exception):
    """The body broke a limit; `response` says which."""

    def __init__(self, response: web.Response) -> None:
        super().__init__(response.reason)
        self.response = response


async def read_body(request: web.Request, limits: RequestLimits) -> bytes:
    """The whole body, read within the size and rate limits (BodyRejected otherwise)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    body = bytearray()
    while True:
        deadline = started + limits.body_grace_s + len(body) / limits.min_body_rate
        try:
            async with asyncio.timeout_at(deadline):
                chunk = await request.content.readany()
        except TimeoutError:
            raise BodyRejected(too_slow(limits)) from None
        if not chunk:
            return bytes(body)
        body += chunk
        if len(body) > limits.max_body_bytes:
            raise BodyRejected(too_large(limits))


def limits_middleware(limits: RequestLimits):
    """Answers a declared over-limit body, and any BodyRejected, and closes the connection."""

    @web.middleware
    async def middleware(request: web.Request, handler) -> web.StreamResponse:
        length = request.content_length
        if length is not None and length > limits.max_body_bytes:
            return await close_with(request, too_large(limits))
        try:
            return await handler(request)
        except BodyRejected as rejected:
            return await close_with(request, rejected.response)

    return middleware
