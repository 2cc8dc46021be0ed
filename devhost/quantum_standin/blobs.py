"""The workspace's linked storage: an in-memory blob store, the SAS tokens the workspace
hands out for it, and the subset of the Blob REST API the azure-quantum SDK uses (Put Blob,
Get Blob with a range, Get Blob Properties).

Why not Azurite: the SDK reaches storage by the https URL in the SAS, so the blob host must
sit behind the same TLS proxy as the workspace; serving the few calls here keeps the stand-in
one process that starts in well under a second, and lets faults hit blob calls too."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import re
import secrets
import threading
import uuid
from dataclasses import dataclass
from email.utils import formatdate
from urllib.parse import urlencode, urlsplit

from devhost.tls_proxy import Request, Response

STORAGE_VERSION = "2023-11-03"
CONTAINER_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$")
SAS_LIFETIME = datetime.timedelta(days=14)


@dataclass(frozen=True)
class Blob:
    data: bytes
    content_type: str
    etag: str
    last_modified: str
    created: str


def _rfc1123_now() -> str:
    return formatdate(usegmt=True)


def blob_error(status: int, code: str, message: str) -> Response:
    body = (
        f'<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code>'
        f"<Message>{message}\nRequestId:{uuid.uuid4()}</Message></Error>"
    ).encode()
    return Response(
        status,
        body,
        {
            "Content-Type": "application/xml",
            "x-ms-error-code": code,
            "x-ms-version": STORAGE_VERSION,
        },
    )


class BlobStore:
    """Containers of blobs, thread-safe, plus SAS signing for `account` on `host`."""

    def __init__(self, account: str) -> None:
        self.account = account
        self.host = f"{account}.blob.core.windows.net"
        self._key = secrets.token_bytes(32)
        self._containers: dict[str, dict[str, Blob]] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._containers.clear()

    def create_container(self, container: str) -> None:
        with self._lock:
            self._containers.setdefault(container, {})

    def put(self, container: str, name: str, data: bytes, content_type: str) -> Blob:
        now = _rfc1123_now()
        blob = Blob(data, content_type, f'"0x{secrets.token_hex(8).upper()}"', now, now)
        with self._lock:
            self._containers.setdefault(container, {})[name] = blob
        return blob

    def get(self, container: str, name: str) -> Blob | None:
        with self._lock:
            return self._containers.get(container, {}).get(name)

    def has_container(self, container: str) -> bool:
        with self._lock:
            return container in self._containers

    def url(self, container: str, name: str = "") -> str:
        return f"https://{self.host}/{container}" + (f"/{name}" if name else "")

    def locate(self, url: str) -> tuple[str, str] | None:
        """(container, blob) for a URL on this store's host, else None."""
        parts = urlsplit(url)
        if parts.hostname != self.host:
            return None
        container, _, name = parts.path.lstrip("/").partition("/")
        return (container, name) if container and name else None

    def sas_url(self, container: str, name: str = "", permissions: str = "racw") -> str:
        """A URL with a SAS token for a container (or one blob) that this store accepts."""
        expiry = (datetime.datetime.now(datetime.UTC) + SAS_LIFETIME).strftime("%Y-%m-%dT%H:%M:%SZ")
        query = {
            "sv": STORAGE_VERSION,
            "sr": "b" if name else "c",
            "sp": permissions,
            "se": expiry,
            "sig": self._sign(container, name, permissions, expiry),
        }
        return f"{self.url(container, name)}?{urlencode(query)}"

    def _sign(self, container: str, name: str, permissions: str, expiry: str) -> str:
        message = f"{container}\n{name}\n{permissions}\n{expiry}".encode()
        return base64.b64encode(hmac.digest(self._key, message, hashlib.sha256)).decode()

    def authorizes(self, query: dict[str, list[str]], container: str, name: str, need: str) -> bool:
        """Whether the SAS in `query` grants `need` (one permission letter) on the blob."""
        try:
            scope, permissions, expiry, signature = (
                query[key][0] for key in ("sr", "sp", "se", "sig")
            )
            expires = datetime.datetime.strptime(expiry, "%Y-%m-%dT%H:%M:%SZ")
        except (KeyError, ValueError):
            return False
        signed_name = name if scope == "b" else ""
        expected = self._sign(container, signed_name, permissions, expiry)
        return (
            hmac.compare_digest(signature, expected)
            and need in permissions
            and expires.replace(tzinfo=datetime.UTC) > datetime.datetime.now(datetime.UTC)
        )


class BlobApi:
    """The Blob REST calls, each named by `route` for the stand-in's call counts."""

    def __init__(self, store: BlobStore) -> None:
        self.store = store

    def route(self, request: Request) -> str:
        return f"{request.method} blob"

    def handle(self, request: Request) -> Response:
        container, _, name = request.path.lstrip("/").partition("/")
        if not container or not name:
            return blob_error(400, "InvalidUri", "Only blob requests are served here.")
        need = {"PUT": "w", "GET": "r", "HEAD": "r"}.get(request.method)
        if need is None:
            return blob_error(405, "UnsupportedHttpVerb", "This stand-in serves PUT, GET, HEAD.")
        if not self.store.authorizes(request.query, container, name, need):
            return blob_error(
                403,
                "AuthenticationFailed",
                "Server failed to authenticate the request. The SAS is missing, wrong or expired.",
            )
        if not self.store.has_container(container):
            return blob_error(404, "ContainerNotFound", "The specified container does not exist.")
        if request.method == "PUT":
            return self._put(request, container, name)
        blob = self.store.get(container, name)
        if blob is None:
            return blob_error(404, "BlobNotFound", "The specified blob does not exist.")
        if request.method == "HEAD":
            return Response(
                200, b"", {**self._headers(blob), "Content-Length": str(len(blob.data))}
            )
        return self._get(request, blob)

    def _put(self, request: Request, container: str, name: str) -> Response:
        if request.headers.get("x-ms-blob-type") != "BlockBlob":
            return blob_error(
                400, "InvalidHeaderValue", "Only x-ms-blob-type: BlockBlob is served."
            )
        if request.headers.get("If-None-Match") == "*" and self.store.get(container, name):
            return blob_error(409, "BlobAlreadyExists", "The specified blob already exists.")
        content_type = request.headers.get("x-ms-blob-content-type", "application/octet-stream")
        blob = self.store.put(container, name, request.body, content_type)
        digest = base64.b64encode(hashlib.md5(request.body).digest()).decode()  # noqa: S324
        return Response(
            201,
            b"",
            {
                "ETag": blob.etag,
                "Last-Modified": blob.last_modified,
                "Content-MD5": digest,
                "x-ms-request-server-encrypted": "true",
                "x-ms-version": STORAGE_VERSION,
            },
        )

    def _get(self, request: Request, blob: Blob) -> Response:
        size = len(blob.data)
        wanted = request.headers.get("x-ms-range") or request.headers.get("Range")
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", wanted or "")
        if not match:
            return Response(200, blob.data, self._headers(blob))
        start = int(match[1])
        end = min(int(match[2]) if match[2] else size - 1, size - 1)
        if start >= size:
            return blob_error(416, "InvalidRange", "The range specified is invalid.")
        headers = {**self._headers(blob), "Content-Range": f"bytes {start}-{end}/{size}"}
        return Response(206, blob.data[start : end + 1], headers)

    @staticmethod
    def _headers(blob: Blob) -> dict[str, str]:
        return {
            "Content-Type": blob.content_type,
            "ETag": blob.etag,
            "Last-Modified": blob.last_modified,
            "x-ms-creation-time": blob.created,
            "x-ms-blob-type": "BlockBlob",
            "x-ms-lease-state": "available",
            "x-ms-lease-status": "unlocked",
            "Accept-Ranges": "bytes",
            "x-ms-version": STORAGE_VERSION,
        }
