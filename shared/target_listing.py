"""GET /api/targets: every target offered, local and remote, with what it accepts.

A remote target's availability and average queue time come from the workspace's provider
status, cached for AVAILABILITY_TTL_SECONDS. An unreachable workspace marks them `unknown`
(and is asked again after a few seconds) instead of failing the call; without a workspace
they are `not_configured`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from .kinds import KINDS
from .kinds.circuit import MAX_QUBITS
from .kinds.fields import MAX_PROGRAM_SHOTS
from .targets import offered_remote_targets
from .targets.azure_quantum import workspace_client
from .targets.local import LOCAL_TARGETS
from .workspace import WorkspaceCoordinates, WorkspaceUnavailable, workspace_coordinates

log = logging.getLogger("qjobs.targets")

AVAILABILITY_TTL_SECONDS = 60.0
_FAILURE_TTL_SECONDS = 5.0
_LOCAL_LIMITS = {"local.simulator": {"qubits": MAX_QUBITS, "shots": MAX_PROGRAM_SHOTS}}

_cache: dict[str, tuple[float, dict[str, dict[str, Any]] | None]] = {}


def _provider_status(coordinates: WorkspaceCoordinates) -> dict[str, dict[str, Any]]:
    """Each workspace target's availability and average queue time (seconds)."""
    return {
        target.name: {
            "availability": str(
                getattr(target.current_availability, "value", target.current_availability)
                or "unknown"
            ).lower(),
            "average_queue_seconds": target.average_queue_time,
        }
        for target in workspace_client(coordinates).get_targets()
    }


async def _availability() -> dict[str, dict[str, Any]] | str:
    """Availability by target name, or "unknown" when the workspace cannot be read right
    now, or "not_configured" when there is no workspace."""
    try:
        coordinates = await workspace_coordinates()
    except WorkspaceUnavailable:
        return "unknown"
    if coordinates is None:
        return "not_configured"
    key = coordinates.resource_id
    cached = _cache.get(key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1] if cached[1] is not None else "unknown"
    try:
        status = await asyncio.to_thread(_provider_status, coordinates)
    except Exception as error:  # any SDK or network failure: report unknown, never fail
        log.warning("could not read the workspace's provider status: %s", type(error).__name__)
        _cache[key] = (time.monotonic() + _FAILURE_TTL_SECONDS, None)
        return "unknown"
    _cache[key] = (time.monotonic() + AVAILABILITY_TTL_SECONDS, status)
    return status


async def targets_document() -> dict[str, Any]:
    local = [
        {
            "name": name,
            "location": "local",
            "kinds": [kind.name for kind in KINDS.values() if name in kind.targets],
            "limits": _LOCAL_LIMITS.get(name, {}),
            "availability": "available",
        }
        for name in LOCAL_TARGETS
    ]
    remote_targets = offered_remote_targets()
    availability = await _availability() if remote_targets else {}
    remote = []
    for name, target in remote_targets.items():
        entry = {"location": "azure_quantum", **target.describe()}
        if isinstance(availability, str):
            entry["availability"] = availability
        else:
            found = availability.get(name)
            entry["availability"] = found["availability"] if found else "unavailable"
            if found and found["average_queue_seconds"] is not None:
                entry["average_queue_seconds"] = found["average_queue_seconds"]
        remote.append(entry)
    return {"targets": local + remote}
