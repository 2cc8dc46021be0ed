"""How the stand-in's data plane authenticates a call: with the workspace's api key (what a
connection string carries, `x-ms-quantum-api-key`) or with a managed identity's bearer token
for the Azure Quantum audience. One mode at a time, so a test knows which path the SDK took
(a workspace with key access disabled refuses the key, as managed-identity mode does here)."""

from __future__ import annotations

from dataclasses import dataclass

from devhost.managed_identity import ManagedIdentityEndpoint
from devhost.tls_proxy import Request, Response

from .workspace_api import azure_error

API_KEY = "api-key"
MANAGED_IDENTITY = "managed-identity"
AUTH_MODES = (API_KEY, MANAGED_IDENTITY)
# The audiences the SDK asks tokens for (scope minus "/.default"): its data plane and ARM.
QUANTUM_AUDIENCE = "https://quantum.microsoft.com"
ARM_AUDIENCE = "https://management.azure.com"


def check_auth_mode(mode: str) -> str:
    if mode not in AUTH_MODES:
        raise ValueError(f"auth must be one of {', '.join(AUTH_MODES)}, not {mode!r}")
    return mode


def bearer_refusal(
    request: Request, identity: ManagedIdentityEndpoint, audience: str
) -> Response | None:
    """None when the call carries the token the managed identity issued for `audience`."""
    if identity.authorizes(request.headers.get("Authorization"), audience):
        return None
    refusal = azure_error(
        401,
        "InvalidAuthenticationToken",
        f"The access token is missing, invalid or not issued for {audience}.",
    )
    refusal.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return refusal


@dataclass(frozen=True)
class DataPlaneAuth:
    mode: str
    api_key: str
    identity: ManagedIdentityEndpoint

    def refusal(self, request: Request) -> Response | None:
        """None when the call is authenticated in this mode, else the 401 to answer."""
        if self.mode == MANAGED_IDENTITY:
            return bearer_refusal(request, self.identity, QUANTUM_AUDIENCE)
        if request.headers.get("x-ms-quantum-api-key") == self.api_key:
            return None
        return azure_error(
            401, "Unauthorized", "The x-ms-quantum-api-key header is missing or wrong."
        )
