"""Who is calling. Two modes (QJOBS_AUTH_MODE):

- `api-keys` (the default): callers present a key; qjobs keeps only SHA-256 hashes, each
  naming a client. QJOBS_API_KEYS is `client:sha256hex[,client:sha256hex...]`; one client
  may have several keys.
- `gateway`: API Management in front names the caller; see authenticate_gateway.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from collections.abc import Mapping

from .config import ConfigError, Settings
from .problems import unauthorized

_HASH = re.compile(r"[0-9a-f]{64}")
_CLIENT = re.compile(r"[A-Za-z0-9._@-]{1,64}")


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@functools.cache
def parse_api_keys(spec: str) -> Mapping[str, str]:
    """Key hash -> client name; raises ConfigError naming the bad entry (never a hash)."""
    clients: dict[str, str] = {}
    for position, entry in enumerate(filter(None, (e.strip() for e in spec.split(","))), 1):
        client, _, digest = entry.partition(":")
        digest = digest.strip().lower()
        if not _CLIENT.fullmatch(client.strip()) or not _HASH.fullmatch(digest):
            raise ConfigError(
                f"QJOBS_API_KEYS entry {position} is not 'client:<64 hex digits of sha256>'"
            )
        clients[digest] = client.strip()
    return clients


def presented_key(headers: Mapping[str, str]) -> str | None:
    """The key from `Authorization: Bearer <key>` or `x-api-key: <key>`."""
    authorization = headers.get("authorization", "")
    scheme, _, credentials = authorization.strip().partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    api_key = headers.get("x-api-key", "").strip()
    return api_key or None


def authenticate(headers: Mapping[str, str], api_keys: str) -> str:
    """The calling client's name; raises ApiError 401 without a known key."""
    key = presented_key(headers)
    if key is None:
        raise unauthorized("Pass an API key as 'Authorization: Bearer <key>' or 'x-api-key'.")
    if not (key.isascii() and key.isprintable()):  # headers may carry any bytes
        raise unauthorized("The API key is not valid.")
    client = parse_api_keys(api_keys).get(key_hash(key))
    if client is None:
        raise unauthorized("The API key is not valid.")
    return client


# Gateway mode (QJOBS_AUTH_MODE=gateway): API Management authenticates the caller (Entra ID
# token or subscription key), removes these headers from what the caller sent, and sets them
# itself: the caller's identity and the shared secret (QJOBS_GATEWAY_SECRET) that only the
# gateway and the app know. The app honours the identity only next to that secret.
GATEWAY_SECRET_HEADER = "x-qjobs-gateway-secret"
GATEWAY_CLIENT_HEADER = "x-qjobs-client"


def authenticate_gateway(headers: Mapping[str, str], gateway_secret: str) -> str:
    """The client the gateway vouches for; raises ApiError 401 unless the request carries
    the gateway's secret and a usable client name."""
    presented = headers.get(GATEWAY_SECRET_HEADER, "")
    # Compare digests in constant time; a header's undecodable bytes arrive as lone
    # surrogates, which surrogatepass encodes instead of raising.
    if not hmac.compare_digest(_digest(presented), _digest(gateway_secret)):
        raise unauthorized("Call qjobs through its API gateway.")
    client = headers.get(GATEWAY_CLIENT_HEADER, "").strip()
    if not _CLIENT.fullmatch(client):
        raise unauthorized("The gateway named no usable caller.")
    return client


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def identify_caller(headers: Mapping[str, str], settings: Settings) -> str:
    """The calling client's name under the configured mode; API keys unless gateway mode."""
    if settings.auth_mode == "gateway" and settings.gateway_secret is not None:
        return authenticate_gateway(headers, settings.gateway_secret)
    return authenticate(headers, settings.api_keys)
