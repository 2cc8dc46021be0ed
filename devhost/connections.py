"""What a connection may hold of the host before it is closed (settings: devhost/limits.py).

aiohttp serves each connection with its own protocol object. ``ConnectionGuard`` stands
between the socket and that object: it closes a connection whose first request head is not
complete within the headers timeout (aiohttp would wait for its keep-alive timeout), and it
answers a connection beyond the cap 503 and closes it before aiohttp sees it. Later heads
on a kept-alive connection are bounded by aiohttp's keep-alive timeout: it closes a
connection that has not delivered a complete request that long after its last answer.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable

from .limits import RequestLimits

log = logging.getLogger("devhost.connections")

# A head ends at its first empty line; bare LF line ends are accepted as well.
_HEAD_ENDS = (b"\n\n", b"\n\r\n")
_OVER_CAP_BODY = json.dumps(
    {
        "type": "about:blank",
        "title": "Too many connections",
        "status": 503,
        "detail": "The host has as many open connections as it allows; retry shortly.",
    }
).encode()
OVER_CAP_ANSWER = (
    b"HTTP/1.1 503 Service Unavailable\r\n"
    b"Content-Type: application/problem+json\r\n"
    b"Retry-After: 1\r\n"
    b"Connection: close\r\n"
    b"Content-Length: " + str(len(_OVER_CAP_BODY)).encode() + b"\r\n\r\n" + _OVER_CAP_BODY
)


class ConnectionGuard(asyncio.Protocol):
    """One connection: aiohttp's protocol for it, a deadline for its first request head, and
    its place among the host's open connections."""

    def __init__(
        self, protocol: asyncio.Protocol, limits: RequestLimits, open_guards: set[ConnectionGuard]
    ) -> None:
        self._protocol = protocol
        self._limits = limits
        self._open = open_guards
        self._transport: asyncio.Transport | None = None
        self._head_deadline: asyncio.TimerHandle | None = None
        self._head_tail = b""
        self._refused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        if len(self._open) >= self._limits.max_connections:
            self._refused = True
            log.warning("refused a connection: %d are open", len(self._open))
            transport.write(OVER_CAP_ANSWER)
            transport.close()
            return
        self._open.add(self)
        loop = asyncio.get_running_loop()
        self._head_deadline = loop.call_later(self._limits.headers_timeout_s, self._head_overdue)
        self._protocol.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self._head_deadline is not None:
            seen = self._head_tail + data
            if any(end in seen for end in _HEAD_ENDS):
                self._head_deadline.cancel()
                self._head_deadline = None
            self._head_tail = seen[-2:]
        self._protocol.data_received(data)

    def eof_received(self) -> bool | None:
        return None if self._refused else self._protocol.eof_received()

    def pause_writing(self) -> None:
        if not self._refused:
            self._protocol.pause_writing()

    def resume_writing(self) -> None:
        if not self._refused:
            self._protocol.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None
        if self._refused:
            return
        self._open.discard(self)
        self._protocol.connection_lost(exc)

    def _head_overdue(self) -> None:
        self._head_deadline = None
        if self._transport is not None and not self._transport.is_closing():
            self._transport.close()


def guarded(
    protocol_factory: Callable[[], asyncio.Protocol], limits: RequestLimits
) -> Callable[[], ConnectionGuard]:
    """A protocol factory for the listening socket: each connection guarded, all counted."""
    open_guards: set[ConnectionGuard] = set()
    return lambda: ConnectionGuard(protocol_factory(), limits, open_guards)
