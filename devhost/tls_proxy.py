"""A local HTTP proxy that speaks TLS for the Azure host names local stand-ins serve.

Production code reaches Azure services by their real host names (`<vault>.vault.azure.net`,
`<region>.quantum.azure.com`, `<account>.blob.core.windows.net`), and the SDKs check those
names. Locally, a client process gets `HTTPS_PROXY` pointing here: the proxy answers
`CONNECT <host>:443` for each host a stand-in registered, terminates TLS with a certificate
for that host signed by a test CA (the only CA the client trusts), and hands the decrypted
requests to that stand-in's handler. Plain-HTTP requests (not through a tunnel) go to the
handler registered for their path prefix (a managed-identity endpoint, a control API).

Handlers are plain functions `Request -> Response`, so several stand-ins can share one proxy
and a client process needs only one HTTPS_PROXY.
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import json
import shutil
import socket
import ssl
import tempfile
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import SplitResult, parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_FILE_NAME = "cert.pem"
NO_PROXY = "127.0.0.1,localhost"


@dataclass
class Request:
    """One decrypted (or plain) HTTP request, body read in full."""

    method: str
    target: str
    headers: Message
    body: bytes
    host: str  # the tunnel's host name, "" for plain HTTP

    @property
    def url(self) -> SplitResult:
        return urlsplit(self.target)

    @property
    def path(self) -> str:
        return self.url.path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(self.url.query, keep_blank_values=True)


@dataclass
class Response:
    """What a handler answers. A HEAD answer may set Content-Length without a body."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request], Response]


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        key_cert_sign=cert_sign,
        crl_sign=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        encipher_only=False,
        decipher_only=False,
    )


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


class TestCertificateAuthority:
    """A CA made at start (cert.pem in `folder` is what clients trust) that issues server
    certificates for host names, with the extensions strict X.509 verification asks for."""

    __test__ = False  # not a pytest test class

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._key = ec.generate_private_key(ec.SECP256R1())
        self._name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "qjobs local test CA")])
        public = self._key.public_key()
        now = datetime.datetime.now(datetime.UTC)
        self._cert = (
            x509.CertificateBuilder()
            .subject_name(self._name)
            .issuer_name(self._name)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=7))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(cert_sign=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .sign(self._key, hashes.SHA256())
        )
        folder.mkdir(parents=True, exist_ok=True)
        self.ca_file = folder / CA_FILE_NAME
        self.ca_file.write_bytes(self._cert.public_bytes(serialization.Encoding.PEM))

    def server_context(self, host: str) -> ssl.SSLContext:
        """A server-side TLS context with a fresh certificate for `host` (and localhost)."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        ca_public = self._key.public_key()
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
            .issuer_name(self._name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=7))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(cert_sign=False), critical=True)
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
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_public), critical=False
            )
            .sign(self._key, hashes.SHA256())
        )
        chain = self.folder / "hosts" / f"{host}.pem"
        chain.parent.mkdir(exist_ok=True)
        chain.write_bytes(_pem_key(key) + cert.public_bytes(serialization.Encoding.PEM))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(chain)
        return context


class TlsProxy:
    """The proxy's routes and lifecycle: `serve_tls(host, handler)` for tunnelled hosts,
    `serve_plain(prefix, handler)` for plain-HTTP paths. Routes may be added while it runs."""

    def __init__(self, *, port: int = 0, cert_dir: Path | None = None) -> None:
        self._port = port
        self._own_cert_dir: Path | None = None
        if cert_dir is None:
            cert_dir = self._own_cert_dir = Path(tempfile.mkdtemp("-tls"))
        self.ca = TestCertificateAuthority(cert_dir)
        self._tls_routes: dict[str, tuple[ssl.SSLContext, Handler]] = {}
        self._plain_routes: dict[str, Handler] = {}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def ca_file(self) -> Path:
        return self.ca.ca_file

    @property
    def port(self) -> int:
        assert self._server is not None, "the proxy is not started"
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def serve_tls(self, host: str, handler: Handler) -> None:
        self._tls_routes[host.lower()] = (self.ca.server_context(host), handler)

    def serve_plain(self, prefix: str, handler: Handler) -> None:
        self._plain_routes[prefix] = handler

    def tls_route(self, host: str) -> tuple[ssl.SSLContext, Handler] | None:
        return self._tls_routes.get(host.lower())

    def plain_route(self, path: str) -> Handler | None:
        for prefix, handler in self._plain_routes.items():
            if path.startswith(prefix):
                return handler
        return None

    def env(self) -> dict[str, str]:
        """The variables that send an unchanged client process's HTTPS through this proxy.

        The CA file replaces the process's CA bundle (only the stand-ins are trusted); set
        them before the process imports aiohttp or opens a requests session."""
        return {
            "HTTPS_PROXY": self.url,
            "https_proxy": self.url,
            "NO_PROXY": NO_PROXY,
            "no_proxy": NO_PROXY,
            "SSL_CERT_FILE": str(self.ca_file),
            "REQUESTS_CA_BUNDLE": str(self.ca_file),
        }

    def start(self) -> TlsProxy:
        self._server = _Server(("127.0.0.1", self._port), _ProxyConnection)
        self._server.proxy = self
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="tls-proxy",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, close open connections and remove a generated cert dir."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._own_cert_dir is not None:
            shutil.rmtree(self._own_cert_dir, ignore_errors=True)
            self._own_cert_dir = None

    def __enter__(self) -> TlsProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    proxy: TlsProxy

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


def error_body(code: str, message: str) -> bytes:
    """An Azure-style JSON error body."""
    return json.dumps({"error": {"code": code, "message": message}}).encode()


class _ProxyConnection(BaseHTTPRequestHandler):
    """One client connection: plain HTTP, or a CONNECT tunnel served with TLS."""

    protocol_version = "HTTP/1.1"
    timeout = 30
    server: _Server
    tunnel_host = ""  # set on the handler that serves a tunnel's decrypted stream
    handler: Handler | None = None

    def __init__(self, *args: Any, tunnel: tuple[str, Handler] | None = None) -> None:
        if tunnel is not None:
            self.tunnel_host, self.handler = tunnel
        super().__init__(*args)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet: tests read counters, not logs."""

    def do_CONNECT(self) -> None:  # noqa: N802 (http.server's naming)
        host, _, port = self.path.rpartition(":")
        route = self.server.proxy.tls_route(host) if port == "443" else None
        if route is None or self.tunnel_host:
            self._answer(Response(502, error_body("BadGateway", "Not a host this proxy serves.")))
            self.close_connection = True
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        context, handler = route
        try:
            tunnel = context.wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError):
            return
        self.server.track(tunnel, True)
        try:
            _ProxyConnection(tunnel, self.client_address, self.server, tunnel=(host, handler))
        except OSError:
            pass  # the client went away, or stop() closed the tunnel
        finally:
            self.server.track(tunnel, False)
            tunnel.close()

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(self.command, self.path, self.headers, body, self.tunnel_host)
        handler = self.handler or self.server.proxy.plain_route(request.path)
        if handler is None:
            response = Response(404, error_body("NotFound", "No such endpoint."))
        else:
            response = handler(request)
        self._answer(response)

    def _answer(self, response: Response) -> None:
        self.send_response(response.status)
        headers = {"Content-Type": "application/json; charset=utf-8", **response.headers}
        headers.setdefault("Content-Length", str(len(response.body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD" and response.body:
            self.wfile.write(response.body)

    do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = do_HEAD = _dispatch  # noqa: N815


def json_response(status: int, body: Mapping[str, Any] | list[Any], **headers: str) -> Response:
    return Response(status, json.dumps(body).encode(), dict(headers))
