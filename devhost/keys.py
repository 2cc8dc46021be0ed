"""The host's own secrets: the system key of the management API and the rpc path secret.

As on Azure, the Durable management API (``/runtime/webhooks/durabletask/``) and the
admin API (``/admin/``) need a host key: here one system key, taken from the
``DEVHOST_SYSTEM_KEY`` setting or generated once and kept in the data folder, so the
management URLs handed out before a restart keep working. Callers pass it as
``?code=KEY`` or in an ``x-functions-key`` header.

The rpc API the Durable SDK talks to is loopback-only inside the Azure host. devhost
serves it on its one port under a path that holds a secret (``/durabletask/<secret>/``);
the SDK builds its requests by appending to the binding's ``rpcBaseUrl`` and ignores
``requiredQueryStringParameters``, so a path segment is the one place a secret survives
unchanged. The secret is generated once per data folder, like the system key, so a
durable client created before a restart keeps working after it.

Both are kept in ``host-keys.json`` in the data folder (mode 0600), where local tools
and tests read them; whoever can read that file can read the durable state anyway.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from .problems import problem

SYSTEM_KEY_SETTING = "DEVHOST_SYSTEM_KEY"
KEYS_FILE = "host-keys.json"
KEY_HEADER = "x-functions-key"
KEY_QUERY = "code"


@dataclass(frozen=True)
class HostKeys:
    system_key: str
    rpc_secret: str

    @property
    def rpc_base_path(self) -> str:
        """The rpc API's path, with its trailing slash as in ``rpcBaseUrl``."""
        return f"/durabletask/{self.rpc_secret}/"

    def accepts(self, query: Mapping[str, str], headers: Mapping[str, str]) -> bool:
        """Whether a request carries the system key (constant-time comparison)."""
        offered = query.get(KEY_QUERY) or headers.get(KEY_HEADER) or ""
        # A header's undecodable bytes arrive as lone surrogates: encode them, never raise.
        return hmac.compare_digest(
            offered.encode("utf-8", "surrogatepass"), self.system_key.encode("utf-8")
        )


def load_host_keys(data_dir: Path, environ: Mapping[str, str] = os.environ) -> HostKeys:
    """The system key (the setting, else the data folder's, else new) and the rpc secret
    (the data folder's, else new); writes both to the data folder's host-keys.json."""
    path = data_dir / KEYS_FILE
    stored = _stored(path)
    keys = HostKeys(
        environ.get(SYSTEM_KEY_SETTING) or stored.get("systemKey") or secrets.token_urlsafe(32),
        stored.get("rpcSecret") or secrets.token_urlsafe(24),
    )
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(
            {
                "systemKey": keys.system_key,
                "rpcSecret": keys.rpc_secret,
                "rpcBasePath": keys.rpc_base_path,
            },
            out,
        )
    return keys


def _stored(path: Path) -> dict[str, str]:
    """The non-empty string entries of an existing keys file."""
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(stored, dict):
        return {}
    return {k: v for k, v in stored.items() if isinstance(v, str) and v}


MANAGEMENT_PREFIXES = ("/admin/", "/runtime/webhooks/")
RPC_PREFIX = "/durabletask/"


def key_middleware(keys: HostKeys):
    """401 for the management and admin API without the system key, and for the rpc API
    outside its secret path; runs before any body is read."""

    @web.middleware
    async def middleware(request: web.Request, handler) -> web.StreamResponse:
        path = request.path
        if path.startswith(MANAGEMENT_PREFIXES):
            allowed = keys.accepts(request.query, request.headers)
        elif path.startswith(RPC_PREFIX):
            allowed = path.startswith(keys.rpc_base_path)
        else:
            allowed = True
        if not allowed:
            return problem(401, "Unauthorized", "This host API needs the host's system key.")
        return await handler(request)

    return middleware
