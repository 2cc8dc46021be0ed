"""The host decides where the durable client talks, and its management API needs its key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from devhost_testkit import APPS_DIR, DevHost, free_port, http, raw_header_request

DURABLE_APP = APPS_DIR / "durable_app"
SPOOFED_HEADERS = (
    {"Host": "127.0.0.1:{port}"},
    {"X-Forwarded-Host": "127.0.0.1:{port}"},
    {"Forwarded": "host=127.0.0.1:{port};proto=http"},
)


def spoofed(headers: dict[str, str]) -> dict[str, str]:
    """The headers with a port where nothing listens."""
    port = free_port()
    return {name: value.format(port=port) for name, value in headers.items()}


@pytest.mark.parametrize("headers", SPOOFED_HEADERS, ids=["Host", "X-Forwarded-Host", "Forwarded"])
def test_request_host_headers_do_not_move_the_client_binding(
    durable_host: DevHost, headers: dict[str, str]
) -> None:
    res = http("GET", durable_host.url("api/client-binding"), headers=spoofed(headers))
    binding = json.loads(res.text)
    assert binding["rpcBaseUrl"] == durable_host.durable_url
    for url in binding["managementUrls"].values():
        assert url == "INSTANCEID" or url.startswith(durable_host.base_url + "/"), url


def test_starter_with_a_foreign_host_header_still_starts_on_devhost(durable_host: DevHost) -> None:
    """The SDK's rpc calls go to devhost; only the check-status links follow the request's
    origin, as the SDK's create_check_status_response does on Azure."""
    headers = spoofed({"Host": "127.0.0.1:{port}"})
    res = http(
        "POST",
        durable_host.url("api/orchestrators/chain"),
        json_body={"seed": "host"},
        headers=headers,
    )
    assert res.status == 202, res.text
    assert res.header("Location").startswith(f"http://{headers['Host']}/runtime/webhooks/")
    iid = res.json()["id"]
    status = http(
        "GET", f"{durable_host.webhook_url}instances/{iid}", headers=durable_host.key_headers
    )
    assert status.status in (200, 202), status.text


def test_check_status_links_carry_the_system_key(durable_host: DevHost) -> None:
    res = http("POST", durable_host.url("api/orchestrators/chain"), json_body={"seed": "key"})
    assert f"code={durable_host.system_key}" in res.header("Location")


@pytest.mark.parametrize("path", ["runtime/webhooks/durabletask/instances/", "admin/host/status"])
def test_management_api_without_the_system_key_is_401(durable_host: DevHost, path: str) -> None:
    res = http("GET", durable_host.url(path))
    assert res.status == 401
    assert res.header("Content-Type").startswith("application/problem+json")


def test_management_api_with_a_wrong_key_is_401(durable_host: DevHost) -> None:
    res = http(
        "GET",
        f"{durable_host.webhook_url}instances/",
        headers={"x-functions-key": durable_host.system_key + "x"},
    )
    assert res.status == 401


@pytest.mark.parametrize("how", ["header", "query"])
def test_management_api_accepts_the_system_key(durable_host: DevHost, how: str) -> None:
    url = f"{durable_host.webhook_url}instances/"
    if how == "header":
        res = http("GET", url, headers=durable_host.key_headers)
    else:
        res = http("GET", f"{url}?code={durable_host.system_key}")
    assert res.status == 200, res.text


@pytest.mark.parametrize(
    "path", ["durabletask/instances/", "durabletask/not-the-secret/instances/"]
)
def test_rpc_api_outside_its_secret_path_is_401(durable_host: DevHost, path: str) -> None:
    res = http("GET", durable_host.url(path), headers=durable_host.key_headers)
    assert res.status == 401


def test_unauthenticated_management_request_is_refused_before_its_body(
    durable_host: DevHost,
) -> None:
    url = durable_host.url("runtime/webhooks/durabletask/orchestrators/chain")
    answer = raw_exchange(durable_host.port, "POST", url, {"Content-Length": "50000000"})
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]


@pytest.fixture
def keyed_host(tmp_path: Path) -> Iterator[DevHost]:
    host = DevHost.in_tmp(DURABLE_APP, tmp_path)
    host.extra_env = {"DEVHOST_SYSTEM_KEY": "configured-system-key"}
    host.start()
    try:
        yield host
    finally:
        host.stop()


def test_system_key_comes_from_the_setting(keyed_host: DevHost) -> None:
    res = http("GET", keyed_host.url("admin/host/status?code=configured-system-key"))
    assert res.status == 200


def test_generated_keys_survive_a_restart(tmp_path: Path) -> None:
    host = DevHost.in_tmp(DURABLE_APP, tmp_path).start()
    try:
        keys = host.host_keys()
        host.restart()
        assert host.host_keys() == keys
        assert host.host_status().status == 200
    finally:
        host.stop()


def test_keys_file_is_private(durable_host: DevHost) -> None:
    assert (durable_host.data_dir / "host-keys.json").stat().st_mode & 0o077 == 0


def raw_exchange(port: int, method: str, url: str, headers: dict[str, str]) -> bytes:
    """Send only a request head (no body) and return what the host answers."""
    import socket
    from urllib.parse import urlsplit

    target = urlsplit(url)
    head = f"{method} {target.path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.encode())
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = sock.recv(4096)
            if not chunk:
                break
            received += chunk
        return received


@pytest.mark.parametrize("value", [b"\xff\xfe", b"key-\xc3", b"\xed\xa0\x80"])
def test_a_key_header_that_is_not_utf8_is_401(durable_host: DevHost, value: bytes) -> None:
    answer = raw_header_request(
        durable_host.base_url, "GET", "/admin/host/status", {"x-functions-key": value}
    )
    assert answer.status == 401, answer.text
    assert answer.header("content-type").startswith("application/problem+json")


def test_a_code_query_that_is_not_utf8_is_401(durable_host: DevHost) -> None:
    answer = raw_header_request(durable_host.base_url, "GET", "/admin/host/status?code=%ff%fe", {})
    assert answer.status == 401, answer.text
