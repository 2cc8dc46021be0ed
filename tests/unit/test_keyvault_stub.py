"""The Key Vault stub speaks the protocol the SDK relies on (checked with stdlib clients)."""

from __future__ import annotations

import http.client
import json
import re
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from keyvault_stub import VAULT_RESOURCE, KeyVaultStub

from devhost.tls_proxy import TlsProxy

STUB_PROGRAM = Path(__file__).resolve().parents[1] / "support" / "keyvault_stub.py"


@pytest.fixture
def stub() -> Iterator[KeyVaultStub]:
    with KeyVaultStub({"greeting": "hello"}) as running:
        yield running


def msi_token(stub: KeyVaultStub, identity_header: str, resource: str = VAULT_RESOURCE) -> Any:
    connection = http.client.HTTPConnection("127.0.0.1", stub.port, timeout=5)
    query = urlencode({"api-version": "2019-08-01", "resource": resource})
    connection.request("GET", f"/msi/token?{query}", headers={"X-IDENTITY-HEADER": identity_header})
    response = connection.getresponse()
    body = json.loads(response.read())
    connection.close()
    return response.status, body


def vault_get(stub: KeyVaultStub, path: str, token: str | None = None) -> Any:
    """GET through the stub's CONNECT proxy, verifying its certificate strictly."""
    context = ssl.create_default_context(cafile=stub.ca_file)
    context.verify_flags |= ssl.VERIFY_X509_STRICT
    connection = http.client.HTTPSConnection("127.0.0.1", stub.port, context=context, timeout=5)
    connection.set_tunnel(stub.vault_host, 443)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    connection.request("GET", f"{path}?api-version=7.6", headers=headers)
    response = connection.getresponse()
    body = json.loads(response.read())
    connection.close()
    return response.status, response.headers, body


def test_request_without_token_gets_the_key_vault_challenge(stub: KeyVaultStub) -> None:
    status, headers, _ = vault_get(stub, "/secrets/greeting/")

    assert status == 401
    assert re.fullmatch(
        r'Bearer authorization="https://login\.microsoftonline\.com/[0-9a-f-]{36}", '
        r'resource="https://vault\.azure\.net"',
        headers["WWW-Authenticate"],
    )


def test_managed_identity_token_reads_the_secret(stub: KeyVaultStub) -> None:
    _, issued = msi_token(stub, stub.identity_header)

    status, _, body = vault_get(stub, "/secrets/greeting/", issued["access_token"])

    assert status == 200
    assert body["value"] == "hello"
    assert body["id"] == f"{stub.url}/secrets/greeting/{stub.versions['greeting']}"
    assert body["attributes"]["enabled"] is True
    assert stub.lookups == {"greeting": 1}


def test_token_endpoint_refuses_a_wrong_identity_header(stub: KeyVaultStub) -> None:
    status, body = msi_token(stub, "not-the-header")

    assert status == 401
    assert "access_token" not in body


def test_token_for_another_resource_is_refused_by_the_vault(stub: KeyVaultStub) -> None:
    _, issued = msi_token(stub, stub.identity_header, "https://storage.azure.com")

    status, _, _ = vault_get(stub, "/secrets/greeting/", issued["access_token"])

    assert status == 401


def test_unknown_secret_is_a_key_vault_not_found_error(stub: KeyVaultStub) -> None:
    status, _, body = vault_get(stub, "/secrets/nothing/", stub.token())

    assert status == 404
    assert body["error"]["code"] == "SecretNotFound"


def test_proxy_reaches_only_the_stub_vault(stub: KeyVaultStub) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", stub.port, timeout=5)
    connection.request("CONNECT", "example.com:443")

    assert connection.getresponse().status == 502
    connection.close()


def test_stub_attached_to_another_proxy_serves_through_it() -> None:
    with TlsProxy() as shared, KeyVaultStub({"greeting": "hi"}, proxy=shared) as attached:
        _, issued = msi_token(attached, attached.identity_header)
        status, _, body = vault_get(attached, "/secrets/greeting/", issued["access_token"])

        assert attached.port == shared.port
        assert attached.env()["HTTPS_PROXY"] == shared.url
    assert (status, body["value"]) == (200, "hi")


def test_program_prints_one_ready_line_with_the_client_environment(tmp_path: Path) -> None:
    program = subprocess.Popen(
        [sys.executable, STUB_PROGRAM, "--cert-dir", tmp_path, "--secret", "a=b"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert program.stdout is not None
        ready = json.loads(program.stdout.readline())
    finally:
        program.terminate()
        program.wait(timeout=5)

    assert ready["env"]["IDENTITY_ENDPOINT"] == ready["identity_endpoint"]
    assert ready["env"]["SSL_CERT_FILE"] == str(tmp_path / "cert.pem")
    assert (tmp_path / "cert.pem").is_file()
