"""The Azure Quantum workspace qjobs submits to: its ARM resource id and its location, and
the workspace connection string when there is one.

Settings (the Functions app settings, `os.environ` unless a mapping is passed):

- `QJOBS_KEYVAULT_URL` set: the secret named by `QJOBS_WORKSPACE_CONNECTION_STRING_SECRET`
  (default `quantum-workspace-connection-string`) when the vault has it; otherwise two
  secrets named by `QJOBS_WORKSPACE_RESOURCE_ID_SECRET` (default
  `quantum-workspace-resource-id`) and `QJOBS_WORKSPACE_LOCATION_SECRET` (default
  `quantum-workspace-location`), all read with `azure_credential()`. The answer is
  cached for `QJOBS_SECRETS_TTL_SECONDS` (default 300); callers that arrive during a miss
  share one Key Vault round trip. A whole read is bounded by
  `QJOBS_KEYVAULT_TIMEOUT_SECONDS` (default 5), and an HTTP request waits for it no longer
  than its dependency deadline (shared/deadlines.py).
- otherwise `QJOBS_WORKSPACE_CONNECTION_STRING`, or `QJOBS_WORKSPACE_RESOURCE_ID` and
  `QJOBS_WORKSPACE_LOCATION`; none set means local-only mode (`None`).

A connection string, where present, wins; the coordinates are then read from it. It is a
secret: it is kept out of reprs, messages and the job's orchestration input.

Errors: a Key Vault that cannot be read (unreachable, too slow, authentication refused,
secret missing or malformed) raises WorkspaceUnavailable, and that failure is remembered
for 5 s so a failing vault is not hit by every request. Settings that can never work
(only one of the two plain settings, a malformed plain value, a non-numeric TTL) raise
shared.config.ConfigError. Messages name settings and secrets, never their values.
"""

from __future__ import annotations

import asyncio
import functools
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    HttpResponseError,
    ResourceNotFoundError,
)
from azure.keyvault.secrets.aio import SecretClient

from .config import ConfigError, number_setting
from .deadlines import within_deadline
from .identity import azure_credential

FAILURE_TTL_SECONDS = 5.0
# Per attempt: fail fast and retry little; the whole read is also bounded by a timeout.
_CLIENT_OPTIONS = {
    "retry_total": 2,
    "retry_backoff_factor": 0.2,
    "retry_backoff_max": 1,
    "connection_timeout": 2,
    "read_timeout": 3,
}
_RESOURCE_ID = re.compile(
    r"/subscriptions/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"/resourceGroups/[-\w.()]{0,89}[-\w()]"
    r"/providers/Microsoft\.Quantum/Workspaces/[a-z0-9](?:[a-z0-9-]{0,52}[a-z0-9])",
    re.IGNORECASE,
)
_RESOURCE_ID_SHAPE = (
    "/subscriptions/<guid>/resourceGroups/<group>/providers/Microsoft.Quantum/Workspaces/<name>"
)
_LOCATION = re.compile(r"[a-z0-9]+")
# The SDK accepts only this endpoint shape in a connection string (see shared/notes).
_QUANTUM_ENDPOINT = re.compile(r"https://([a-z0-9]+)(?:-v2)?\.quantum(?:-test)?\.azure\.com/?")
_CONNECTION_FIELDS = ("SubscriptionId", "ResourceGroupName", "WorkspaceName", "ApiKey")


@dataclass(frozen=True)
class WorkspaceCoordinates:
    """Where jobs go: `resource_id` is the workspace's ARM id, `location` its region, and
    `connection_string` (a secret, never shown) how to reach it without a managed identity."""

    resource_id: str  # /subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.Quantum/...
    location: str  # lowercase region name without spaces, e.g. "westeurope"
    connection_string: str | None = field(default=None, repr=False)

    def public(self) -> dict[str, str]:
        """What may be stored with a job and shown: no secret."""
        return {"resource_id": self.resource_id, "location": self.location}


class WorkspaceUnavailable(RuntimeError):
    """Key Vault could not be read (unreachable, slow, auth failed, secret missing or malformed).

    Callers answer 503.
    """


@dataclass(frozen=True)
class _Source:
    vault_url: str
    connection_string_secret: str
    resource_id_secret: str
    location_secret: str


@dataclass(frozen=True)
class _Entry:
    expires: float  # time.monotonic()
    value: WorkspaceCoordinates | None = None
    error: WorkspaceUnavailable | None = None


_entries: dict[_Source, _Entry] = {}
_reads: dict[_Source, asyncio.Task[WorkspaceCoordinates]] = {}


def reset_cache() -> None:
    """Forget cached answers and failures (tests; a changed secret shows after the TTL)."""
    _entries.clear()
    _reads.clear()


async def workspace_coordinates(
    settings: Mapping[str, str] | None = None,
) -> WorkspaceCoordinates | None:
    """The workspace's coordinates, or None when qjobs runs local targets only."""
    env = os.environ if settings is None else settings
    vault_url = env.get("QJOBS_KEYVAULT_URL", "").strip()
    if not vault_url:
        return _from_settings(env)
    source = _Source(
        vault_url,
        env.get("QJOBS_WORKSPACE_CONNECTION_STRING_SECRET", "").strip()
        or "quantum-workspace-connection-string",
        env.get("QJOBS_WORKSPACE_RESOURCE_ID_SECRET", "").strip()
        or "quantum-workspace-resource-id",
        env.get("QJOBS_WORKSPACE_LOCATION_SECRET", "").strip() or "quantum-workspace-location",
    )
    ttl = number_setting(env, "QJOBS_SECRETS_TTL_SECONDS", 300.0, 0.001, 86400.0)
    timeout = number_setting(env, "QJOBS_KEYVAULT_TIMEOUT_SECONDS", 5.0, 0.001, 300.0)

    entry = _entries.get(source)
    if entry is not None and entry.expires > time.monotonic():
        if entry.error is not None:
            raise WorkspaceUnavailable(str(entry.error))
        return entry.value
    read = _reads.get(source)
    if read is None or read.get_loop() is not asyncio.get_running_loop():
        read = asyncio.create_task(_read_key_vault(source, timeout))
        read.add_done_callback(functools.partial(_settle, source, ttl))
        _reads[source] = read
    # shield: a caller that gives up (its request's dependency deadline) must not cancel the
    # read the others wait for.
    try:
        return await within_deadline(asyncio.shield(read))
    except TimeoutError:
        raise WorkspaceUnavailable(f"Key Vault {vault_url} did not answer in time") from None


def _settle(source: _Source, ttl: float, read: asyncio.Task[WorkspaceCoordinates]) -> None:
    """Cache a finished read: the answer for the TTL, a failure briefly."""
    if _reads.get(source) is read:
        del _reads[source]
    if read.cancelled():
        return
    error = read.exception()
    now = time.monotonic()
    if error is None:
        _entries[source] = _Entry(now + ttl, value=read.result())
    elif isinstance(error, WorkspaceUnavailable):
        _entries[source] = _Entry(now + FAILURE_TTL_SECONDS, error=error)


async def _read_key_vault(source: _Source, timeout: float) -> WorkspaceCoordinates:
    vault = source.vault_url
    try:
        async with (
            asyncio.timeout(timeout),
            SecretClient(vault, azure_credential(), **_CLIENT_OPTIONS) as client,
        ):
            connection_string = await _secret(client, source.connection_string_secret, None)
            if connection_string is not None:
                return from_connection_string(
                    connection_string,
                    f"secret {source.connection_string_secret!r}",
                    WorkspaceUnavailable,
                )
            resource_id = await _secret(client, source.resource_id_secret)
            location = await _secret(client, source.location_secret)
    except TimeoutError:
        raise WorkspaceUnavailable(
            f"Key Vault {vault} did not answer within {timeout:g} s"
        ) from None
    except ClientAuthenticationError as error:
        raise WorkspaceUnavailable(
            f"could not authenticate to Key Vault {vault}: {_brief(error)}"
        ) from error
    except HttpResponseError as error:
        code = error.error.code if error.error else error.reason
        raise WorkspaceUnavailable(
            f"Key Vault {vault} answered HTTP {error.status_code} ({code})"
        ) from error
    except (AzureError, ValueError) as error:
        raise WorkspaceUnavailable(f"could not read Key Vault {vault}: {_brief(error)}") from error
    return _coordinates(
        resource_id,
        location,
        f"secret {source.resource_id_secret!r}",
        f"secret {source.location_secret!r}",
        WorkspaceUnavailable,
    )


_REQUIRED = object()


async def _secret(client: SecretClient, name: str, missing: object = _REQUIRED) -> Any:
    """The secret's value; `missing` when the vault has no such secret (an error if not given)."""
    try:
        secret = await client.get_secret(name)
    except ResourceNotFoundError:
        if missing is _REQUIRED:
            raise WorkspaceUnavailable(f"Key Vault has no secret {name!r}") from None
        return missing
    return (secret.value or "").strip()


def from_connection_string(
    connection_string: str, origin: str, error: type[Exception] = ConfigError
) -> WorkspaceCoordinates:
    """Coordinates read from a workspace connection string (the form
    `Workspace.from_connection_string` takes); `error` names `origin`, never the value."""
    fields: dict[str, str] = {}
    for part in connection_string.strip().split(";"):
        key, sep, value = part.partition("=")
        if sep:
            fields[key.strip()] = value.strip()
    missing = [name for name in (*_CONNECTION_FIELDS, "QuantumEndpoint") if not fields.get(name)]
    if missing:
        raise error(f"{origin} is not a workspace connection string: it lacks {', '.join(missing)}")
    endpoint = _QUANTUM_ENDPOINT.fullmatch(fields["QuantumEndpoint"])
    if endpoint is None:
        raise error(
            f"{origin} has a QuantumEndpoint that is not https://<region>.quantum.azure.com/"
        )
    resource_id = (
        f"/subscriptions/{fields['SubscriptionId']}/resourceGroups/"
        f"{fields['ResourceGroupName']}/providers/Microsoft.Quantum/Workspaces/"
        f"{fields['WorkspaceName']}"
    )
    coordinates = _coordinates(resource_id, endpoint.group(1), origin, origin, error)
    return WorkspaceCoordinates(coordinates.resource_id, coordinates.location, connection_string)


def _from_settings(env: Mapping[str, str]) -> WorkspaceCoordinates | None:
    connection_string = env.get("QJOBS_WORKSPACE_CONNECTION_STRING", "").strip()
    if connection_string:
        return from_connection_string(connection_string, "QJOBS_WORKSPACE_CONNECTION_STRING")
    resource_id = env.get("QJOBS_WORKSPACE_RESOURCE_ID", "").strip()
    location = env.get("QJOBS_WORKSPACE_LOCATION", "").strip()
    if not resource_id and not location:
        return None
    return _coordinates(
        resource_id,
        location,
        "QJOBS_WORKSPACE_RESOURCE_ID",
        "QJOBS_WORKSPACE_LOCATION",
        ConfigError,
    )


def _coordinates(
    resource_id: str,
    location: str,
    resource_id_origin: str,
    location_origin: str,
    error: type[Exception],
) -> WorkspaceCoordinates:
    """Validated coordinates; `error` names the origin of a bad value, never the value."""
    if not resource_id:
        raise error(f"{resource_id_origin} is empty or not set (it goes with {location_origin})")
    if not _RESOURCE_ID.fullmatch(resource_id):
        raise error(
            f"{resource_id_origin} is not the ARM id of a Microsoft.Quantum workspace "
            f"({_RESOURCE_ID_SHAPE})"
        )
    region = location.replace(" ", "").lower()
    if not region:
        raise error(f"{location_origin} is empty or not set (it goes with {resource_id_origin})")
    if not _LOCATION.fullmatch(region):
        raise error(f"{location_origin} is not an Azure region name such as 'westeurope'")
    return WorkspaceCoordinates(resource_id, region)


def _brief(error: Exception) -> str:
    """An SDK error on one short line (credential errors list every credential tried)."""
    text = " ".join(str(error).split())
    return text if len(text) <= 1500 else text[:1497] + "..."
