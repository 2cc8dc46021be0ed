"""Connections the host closes: no complete head in time, idle too long, over the cap."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from devhost_testkit import APPS_DIR, DevHost, http

HTTP_APP = APPS_DIR / "http_app"
HEADERS_TIMEOUT = 1.0
KEEPALIVE_TIMEOUT = 2.0
MAX_CONNECTIONS = 16
SLACK = 4.0  # a loaded machine may be late by this much


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevHost]:
    host = DevHost.in_tmp(HTTP_APP, tmp_path_factory.mktemp("connections"))
    host.extra_env = {
        "DEVHOST_REQUEST_HEADERS_TIMEOUT_SECONDS": str(HEADERS_TIMEOUT),
        "DEVHOST_KEEPALIVE_TIMEOUT_SECONDS": str(KEEPALIVE_TIMEOUT),
        "DEVHOST_MAX_CONNECTIONS": str(MAX_CONNECTIONS),
    }
    host.start()
    try:
        yield host
    finally:
        host.stop()


def connect(host: DevHost) -> socket.socket:
    return socket.create_connection(("127.0.0.1", host.port), timeout=KEEPALIVE_TIMEOUT + 30)


def seconds_until_closed(sock: socket.socket) -> float:
    """How long until the host closes the connection (anything it sends is read and dropped)."""
    started = time.monotonic()
    try:
        while sock.recv(65536):
            pass
    except ConnectionResetError:
        pass
    return time.monotonic() - started


def head(host: DevHost, path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{host.port}\r\n\r\n".encode()


def answer_of(sock: socket.socket) -> bytes:
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = sock.recv(65536)
        assert chunk, received
        received += chunk
    return received


def test_a_connection_that_sends_nothing_is_closed_after_the_headers_timeout(
    host: DevHost,
) -> None:
    with connect(host) as sock:
        assert HEADERS_TIMEOUT * 0.8 < seconds_until_closed(sock) < HEADERS_TIMEOUT + SLACK


def test_an_incomplete_head_is_closed_after_the_headers_timeout(host: DevHost) -> None:
    with connect(host) as sock:
        sock.sendall(f"GET /api/echo HTTP/1.1\r\nHost: 127.0.0.1:{host.port}\r\n".encode())
        assert seconds_until_closed(sock) < HEADERS_TIMEOUT + SLACK


def test_a_head_that_trickles_in_is_closed_after_the_headers_timeout(host: DevHost) -> None:
    with connect(host) as sock:
        started = time.monotonic()
        try:
            for byte in b"GET /api/echo HTTP/1.1\r\nX-Slow: " + b"a" * 100:
                sock.sendall(bytes([byte]))
                time.sleep(0.2)
        except (BrokenPipeError, ConnectionResetError):
            pass
        assert time.monotonic() - started + seconds_until_closed(sock) < HEADERS_TIMEOUT + SLACK


def test_a_request_that_runs_longer_than_the_headers_timeout_is_answered(host: DevHost) -> None:
    with connect(host) as sock:
        sock.sendall(head(host, f"/api/slow-sync?ms={int(HEADERS_TIMEOUT * 2000)}"))
        assert answer_of(sock).startswith(b"HTTP/1.1 200")


def test_an_idle_kept_alive_connection_is_closed_after_the_keepalive_timeout(
    host: DevHost,
) -> None:
    with connect(host) as sock:
        sock.sendall(head(host, "/api/slow-sync?ms=1"))
        assert answer_of(sock).startswith(b"HTTP/1.1 200")
        idle = seconds_until_closed(sock)
        assert KEEPALIVE_TIMEOUT * 0.8 < idle < KEEPALIVE_TIMEOUT + SLACK


def test_a_connection_over_the_cap_is_refused_and_the_host_serves_on(host: DevHost) -> None:
    held = [connect(host) for _ in range(MAX_CONNECTIONS)]
    try:
        time.sleep(0.3)  # the host accepts them
        with connect(host) as extra:
            try:
                extra.sendall(head(host, "/api/slow-sync?ms=1"))
                refused = extra.recv(65536)
            except ConnectionResetError:
                refused = b""
            assert refused == b"" or refused.startswith(b"HTTP/1.1 503"), refused
            assert seconds_until_closed(extra) < SLACK
    finally:
        for sock in held:
            sock.close()
    deadline = time.monotonic() + SLACK
    while True:
        answer = http("GET", host.url("/api/slow-sync?ms=1"))
        if answer.status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert answer.status == 200
