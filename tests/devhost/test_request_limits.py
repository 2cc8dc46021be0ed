"""Request limits the host applies before a function runs: size and body rate."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from http.client import HTTPConnection, HTTPResponse

import pytest
from devhost_testkit import APPS_DIR, DevHost, http, run_until_exit

HTTP_APP = APPS_DIR / "http_app"
LIMIT = 4096


@pytest.fixture(scope="module")
def limited_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevHost]:
    host = DevHost.in_tmp(HTTP_APP, tmp_path_factory.mktemp("limits"))
    host.extra_env = {
        "FUNCTIONS_REQUEST_BODY_SIZE_LIMIT": str(LIMIT),
        "DEVHOST_REQUEST_BODY_GRACE_SECONDS": "0.5",
    }
    host.start()
    try:
        yield host
    finally:
        host.stop()


def send_head(port: int, path: str, headers: dict[str, str], body: bytes = b"") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=15)
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: text/plain\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    sock.sendall(head.encode() + body)
    return sock


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the host sends until it closes the connection (the timeout fails the test)."""
    received = b""
    with sock:
        while chunk := sock.recv(65536):
            received += chunk
    return received


def read_head(sock: socket.socket) -> bytes:
    """The answer's status line and headers (the host keeps the connection open a while
    after a 413 to discard the rest of the body)."""
    received = b""
    with sock:
        while b"\r\n\r\n" not in received and (chunk := sock.recv(65536)):
            received += chunk
    return received


def test_declared_body_over_the_limit_is_413_before_it_is_sent(limited_host: DevHost) -> None:
    sock = send_head(limited_host.port, "/api/echo", {"Content-Length": str(LIMIT + 1)})
    head = read_head(sock)
    assert head.startswith(b"HTTP/1.1 413"), head
    assert b"application/problem+json" in head
    assert b"Connection: close" in head


def test_default_limit_answers_a_200_mb_declaration_at_once(http_host: DevHost) -> None:
    sock = send_head(http_host.port, "/api/echo", {"Content-Length": "200000000"})
    assert read_head(sock).startswith(b"HTTP/1.1 413")


def chunked_post(port: int, chunks: list[bytes]) -> HTTPResponse:
    conn = HTTPConnection("127.0.0.1", port, timeout=15)
    conn.request(
        "POST",
        "/api/echo",
        body=iter(chunks),
        headers={"Content-Type": "text/plain"},
        encode_chunked=True,
    )
    return conn.getresponse()


def test_chunked_body_over_the_limit_is_413(limited_host: DevHost) -> None:
    response = chunked_post(limited_host.port, [b"x" * 1024] * 5)
    assert response.status == 413
    assert response.getheader("Content-Type").startswith("application/problem+json")


def test_chunked_body_within_the_limit_reaches_the_function(limited_host: DevHost) -> None:
    response = chunked_post(limited_host.port, [b"ab"] * 3)
    assert response.status == 200
    assert b'"body": "ababab"' in response.read()


def test_body_at_the_limit_reaches_the_function(limited_host: DevHost) -> None:
    res = http("POST", limited_host.url("api/echo"), body=b"y" * LIMIT)
    assert res.status == 200, res.text


def test_stalled_body_is_408_and_the_connection_closed(limited_host: DevHost) -> None:
    sock = send_head(limited_host.port, "/api/echo", {"Content-Length": "1000"}, b"0123456789")
    answer = read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"application/problem+json" in answer


def test_stalled_body_to_the_durable_api_is_408(limited_host: DevHost) -> None:
    path = limited_host.host_keys()["rpcBasePath"] + "orchestrators/any"
    sock = send_head(limited_host.port, path, {"Content-Length": "100"}, b"{")
    assert read_until_closed(sock).startswith(b"HTTP/1.1 408")


def test_a_limit_setting_that_is_not_a_positive_number_fails_start_up(tmp_path) -> None:
    host_env = {"FUNCTIONS_REQUEST_BODY_SIZE_LIMIT": "lots"}
    code, output = run_until_exit(HTTP_APP, tmp_path, env=host_env)
    assert code == 2
    assert "FUNCTIONS_REQUEST_BODY_SIZE_LIMIT must be a positive number" in output
