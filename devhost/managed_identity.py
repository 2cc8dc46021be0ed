"""The App Service / Functions managed-identity endpoint, for local stand-ins of Azure services.

On Azure Functions, `ManagedIdentityCredential` (and so `DefaultAzureCredential`) finds the
app's identity through IDENTITY_ENDPOINT and IDENTITY_HEADER and asks it
`GET <endpoint>?api-version=2019-08-01&resource=<audience>` with `X-IDENTITY-HEADER`. This
module serves that endpoint on a TlsProxy's plain-HTTP side (`/msi/token`) and issues one
opaque token per audience, so a stand-in can check that a request carries the token issued
for its own audience (`authorizes`).

Stand-ins that share a proxy share its one identity (`managed_identity(proxy)`), as the
services of one Function App see one managed identity.
"""

from __future__ import annotations

import threading
import time
import uuid
import weakref
from secrets import token_urlsafe

from devhost.tls_proxy import Request, Response, TlsProxy, error_body, json_response

MSI_API_VERSION = "2019-08-01"
MSI_PATH = "/msi/token"


class ManagedIdentityEndpoint:
    """One identity: its header secret, the tokens it issued, and `requests`, the token
    requests it answered (any outcome)."""

    def __init__(self, proxy: TlsProxy) -> None:
        self._proxy = proxy
        self.header = token_urlsafe(16)
        self.client_id = str(uuid.uuid4())
        self.requests = 0
        self._tokens: dict[str, str] = {}  # audience (resource) -> the token issued for it
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"{self._proxy.url}{MSI_PATH}"

    def env(self) -> dict[str, str]:
        """The variables App Service / Functions set for an app with a managed identity."""
        return {"IDENTITY_ENDPOINT": self.url, "IDENTITY_HEADER": self.header}

    def token(self, resource: str) -> str:
        """The access token issued for `resource` (one per resource, stable)."""
        with self._lock:
            return self._tokens.setdefault(resource, "msi-" + token_urlsafe(24))

    def issued(self) -> list[str]:
        """Every token issued so far (for checks that none leaks)."""
        with self._lock:
            return list(self._tokens.values())

    def authorizes(self, authorization: str | None, resource: str) -> bool:
        """True when `authorization` is `Bearer <the token issued for resource>`."""
        with self._lock:
            expected = self._tokens.get(resource)
        return expected is not None and authorization == f"Bearer {expected}"

    def serve(self, request: Request) -> Response:
        with self._lock:
            self.requests += 1
        if request.method != "GET" or request.path != MSI_PATH:
            return Response(404, error_body("NotFound", "No such endpoint."))
        if request.headers.get("X-IDENTITY-HEADER") != self.header:
            return Response(401, error_body("Unauthorized", "Missing or wrong X-IDENTITY-HEADER."))
        query = request.query
        if query.get("api-version") != [MSI_API_VERSION] or len(query.get("resource", [])) != 1:
            return Response(
                400, error_body("BadRequest", "Need api-version=2019-08-01 and a resource.")
            )
        resource = query["resource"][0]
        return json_response(
            200,
            {
                "access_token": self.token(resource),
                "expires_on": str(int(time.time()) + 3600),
                "resource": resource,
                "token_type": "Bearer",
                "client_id": self.client_id,
            },
        )


_endpoints: weakref.WeakKeyDictionary[TlsProxy, ManagedIdentityEndpoint] = (
    weakref.WeakKeyDictionary()
)
_endpoints_lock = threading.Lock()


def managed_identity(proxy: TlsProxy) -> ManagedIdentityEndpoint:
    """The identity endpoint served on `proxy`, made and routed on first use."""
    with _endpoints_lock:
        endpoint = _endpoints.get(proxy)
        if endpoint is None:
            endpoint = _endpoints[proxy] = ManagedIdentityEndpoint(proxy)
            proxy.serve_plain(MSI_PATH, endpoint.serve)
        return endpoint
