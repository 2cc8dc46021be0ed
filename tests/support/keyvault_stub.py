"""A local Azure Key Vault that the real SDK and DefaultAzureCredential talk to unchanged.

One plain-HTTP port on 127.0.0.1 serves two things:

- the App Service / Functions managed-identity endpoint (`GET /msi/token`, api-version
  2019-08-01, `X-IDENTITY-HEADER`), which `ManagedIdentityCredential` finds through the
  IDENTITY_ENDPOINT and IDENTITY_HEADER variables;
- an HTTP proxy that answers `CONNECT <vault-name>.vault.azure.net:443` by speaking TLS
  itself (certificate for that name, made at start) and serving the Key Vault secrets API.

Why a proxy: SecretClient checks that the vault's host ends with the challenge's resource
domain (`.vault.azure.net`), and only a real vault host name passes that check with
verification on, as production runs it. HTTPS_PROXY makes that name reachable without DNS.

In process: `with KeyVaultStub({"name": "value"}) as stub: ...`, then `stub.env()` holds
the variables a client process needs. As a program:
`python tests/support/keyvault_stub.py --port P --cert-dir DIR --secret name=value ...`
prints one JSON line (the attributes and `env`) once it serves, and runs until stopped.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime
import ipaddress
import json
import shutil
import signal
import socket
import ssl
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from secrets import token_urlsafe
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VAULT_RESOURCE = "https://vault.azure.net"
MSI_API_VERSION = "2019-08-01"


def write_certificate(cert_dir: Path, host: str) -> tuple[Path, Path]:
    """Write a self-signed certificate for `host`, localhost and 127.0.0.1 into cert_dir:
    cert.pem (what clients trust) and key.pem. It is its own CA, with the extensions
    that strict X.509 verification asks for."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"qjobs Key Vault stub {host}")])
    now = datetime.datetime.now(datetime.UTC)
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=7))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName(host),
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_dir.mkdir(parents=True, exist_ok=True)
    cert_file, key_file = cert_dir / "cert.pem", cert_dir / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


class KeyVaultStub:
    """The stub's state and lifecycle. `requests` counts every HTTP request by path;
    `lookups` counts authorized secret requests (found or not) by secret name. Setting
    `delay` makes those wait that long before answering (a vault that does not answer)."""

    def __init__(
        self,
        secrets: Mapping[str, str],
        *,
        port: int = 0,
        cert_dir: Path | None = None,
        vault_name: str = "qjobs-stub",
    ) -> None:
        self.secrets = dict(secrets)
        self.versions = {name: uuid.uuid4().hex for name in self.secrets}
        self.vault_host = f"{vault_name}.vault.azure.net"
        self.url = f"https://{self.vault_host}"
        self.tenant_id = str(uuid.uuid4())
        self.identity_header = token_urlsafe(16)
        self.requests: collections.Counter[str] = collections.Counter()
        self.lookups: collections.Counter[str] = collections.Counter()
        self.delay = 0.0
        self._tokens: dict[str, str] = {}  # resource -> the token issued for it
        self._port = port
        self._cert_dir = cert_dir
        self._own_cert_dir: Path | None = None
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.ca_file = Path()
        self.tls: ssl.SSLContext | None = None

    @property
    def port(self) -> int:
        assert self._server is not None, "the stub is not started"
        return self._server.server_address[1]

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def identity_endpoint(self) -> str:
        return f"{self.proxy_url}/msi/token"

    def token(self, resource: str = VAULT_RESOURCE) -> str:
        """The access token the stub issues for `resource` (one per resource)."""
        with self._lock:
            return self._tokens.setdefault(resource, "stub-" + token_urlsafe(24))

    def env(self) -> dict[str, str]:
        """The variables that point an unchanged client process at this stub.

        SSL_CERT_FILE replaces the process's CA bundle (only the stub is trusted) and must
        be set before the process imports aiohttp. NO_PROXY keeps local services direct."""
        no_proxy = "127.0.0.1,localhost"
        return {
            "QJOBS_KEYVAULT_URL": self.url,
            "IDENTITY_ENDPOINT": self.identity_endpoint,
            "IDENTITY_HEADER": self.identity_header,
            "SSL_CERT_FILE": str(self.ca_file),
            "HTTPS_PROXY": self.proxy_url,
            "https_proxy": self.proxy_url,
            "NO_PROXY": no_proxy,
            "no_proxy": no_proxy,
        }

    def start(self) -> KeyVaultStub:
        cert_dir = self._cert_dir
        if cert_dir is None:
            cert_dir = self._own_cert_dir = Path(tempfile.mkdtemp(prefix="kvstub-"))
        self.ca_file, key_file = write_certificate(cert_dir, self.vault_host)
        self.tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.tls.load_cert_chain(self.ca_file, key_file)
        self._stopped.clear()
        self._server = _Server(("127.0.0.1", self._port), _FrontHandler)
        self._server.stub = self
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="keyvault-stub",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, close open connections and remove a generated cert dir."""
        self._stopped.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._own_cert_dir is not None:
            shutil.rmtree(self._own_cert_dir, ignore_errors=True)
            self._own_cert_dir = None

    def __enter__(self) -> KeyVaultStub:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def count(self, path: str) -> None:
        with self._lock:
            self.requests[path] += 1

    def count_lookup(self, name: str) -> None:
        with self._lock:
            self.lookups[name] += 1

    def wait_delay(self) -> None:
        if self.delay > 0:
            self._stopped.wait(self.delay)

    def valid_token(self, authorization: str | None) -> bool:
        expected = self._tokens.get(VAULT_RESOURCE)
        return expected is not None and authorization == f"Bearer {expected}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    stub: KeyVaultStub

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def track(self, connection: socket.socket, open_: bool) -> None:
        with self._connections_lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def process_request(self, request: Any, client_address: Any) -> None:
        self.track(request, True)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        self.track(request, False)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections, self._connections = self._connections, set()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet: tests read counters, not logs."""

    def send_json(self, status: int, body: Mapping[str, Any], **headers: str) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(data)

    def send_error_json(self, status: int, code: str, message: str, **headers: str) -> None:
        self.send_json(status, {"error": {"code": code, "message": message}}, **headers)


class _FrontHandler(_Handler):
    """The plain-HTTP port: the managed-identity endpoint and the CONNECT proxy."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        url = urlsplit(self.path)  # origin-form, or absolute-form when sent via the proxy
        self.server.stub.count(url.path)
        if url.path != "/msi/token":
            self.send_error_json(404, "NotFound", "No such endpoint.")
            return
        self._issue_token(parse_qs(url.query))

    def _issue_token(self, query: Mapping[str, list[str]]) -> None:
        stub = self.server.stub
        if self.headers.get("X-IDENTITY-HEADER") != stub.identity_header:
            self.send_error_json(401, "Unauthorized", "Missing or wrong X-IDENTITY-HEADER.")
            return
        if query.get("api-version") != [MSI_API_VERSION] or len(query.get("resource", [])) != 1:
            self.send_error_json(400, "BadRequest", "Need api-version=2019-08-01 and a resource.")
            return
        resource = query["resource"][0]
        self.send_json(
            200,
            {
                "access_token": stub.token(resource),
                "expires_on": str(int(time.time()) + 3600),
                "resource": resource,
                "token_type": "Bearer",
                "client_id": str(uuid.uuid5(uuid.NAMESPACE_URL, stub.identity_header)),
            },
        )

    def do_CONNECT(self) -> None:  # noqa: N802
        stub = self.server.stub
        if self.path != f"{stub.vault_host}:443":
            self.send_error_json(502, "BadGateway", "This proxy only reaches the stub vault.")
            self.close_connection = True
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        assert stub.tls is not None
        try:
            tunnel = stub.tls.wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError):
            return
        self.server.track(tunnel, True)
        try:
            _VaultHandler(tunnel, self.client_address, self.server)
        except OSError:
            pass  # the client went away, or stop() closed the tunnel
        finally:
            self.server.track(tunnel, False)
            tunnel.close()


class _VaultHandler(_Handler):
    """The Key Vault secrets API, spoken over the TLS tunnel."""

    def do_GET(self) -> None:  # noqa: N802
        stub = self.server.stub
        url = urlsplit(self.path)
        stub.count(url.path)
        parts = url.path.strip("/").split("/")
        if parts[0] != "secrets" or len(parts) not in (2, 3):
            self.send_error_json(404, "NotFound", "No such endpoint in this stub.")
            return
        if not parse_qs(url.query).get("api-version"):
            self.send_error_json(400, "BadParameter", "The api-version parameter is missing.")
            return
        if not stub.valid_token(self.headers.get("Authorization")):
            challenge = (
                f'Bearer authorization="https://login.microsoftonline.com/{stub.tenant_id}", '
                f'resource="{VAULT_RESOURCE}"'
            )
            self.send_error_json(
                401,
                "Unauthorized",
                "AKV10000: Request is missing a valid Bearer token.",
                WWW_Authenticate=challenge,
            )
            return
        stub.count_lookup(parts[1])
        stub.wait_delay()
        self._send_secret(parts[1], parts[2] if len(parts) == 3 else None)

    def _send_secret(self, name: str, version: str | None) -> None:
        stub = self.server.stub
        if name not in stub.secrets or version not in (None, stub.versions[name]):
            self.send_error_json(
                404,
                "SecretNotFound",
                f"A secret with (name/id) {name} was not found in this key vault.",
            )
            return
        created = int(time.time()) - 60
        self.send_json(
            200,
            {
                "value": stub.secrets[name],
                "id": f"{stub.url}/secrets/{name}/{stub.versions[name]}",
                "attributes": {
                    "enabled": True,
                    "created": created,
                    "updated": created,
                    "recoveryLevel": "Recoverable+Purgeable",
                    "recoverableDays": 90,
                },
                "tags": {},
            },
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cert-dir", type=Path, required=True)
    parser.add_argument("--vault-name", default="qjobs-stub")
    parser.add_argument("--secret", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    values = dict(item.split("=", 1) for item in args.secret)
    stub = KeyVaultStub(values, port=args.port, cert_dir=args.cert_dir, vault_name=args.vault_name)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with stub:
        ready = {
            "url": stub.url,
            "proxy_url": stub.proxy_url,
            "identity_endpoint": stub.identity_endpoint,
            "identity_header": stub.identity_header,
            "ca_file": str(stub.ca_file),
            "env": stub.env(),
        }
        print(json.dumps(ready), flush=True)
        stop.wait()


if __name__ == "__main__":
    sys.exit(main())
