"""Per-client webhook signing secrets, derived from one app setting (QJOBS_WEBHOOK_KEY).

A client's secret is HMAC-SHA256(key, client + generation), shown as `whsec_<base64>`; only
the generation (and when it last changed) is stored, in Blob Storage. Rotating moves to the
next generation; for ROTATION_OVERLAP after it, deliveries are signed with both secrets.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..config import settings
from ..jobs import timestamp, utc_now
from ..problems import ApiError
from ..storage import job_store

ROTATION_OVERLAP = timedelta(hours=24)
PREFIX = "whsec_"


@dataclass(frozen=True)
class Rotation:
    generation: int
    rotated: datetime | None

    def previous_valid_until(self) -> datetime | None:
        if self.rotated is None or self.generation == 0:
            return None
        return self.rotated + ROTATION_OVERLAP


def webhooks_off() -> ApiError:
    return ApiError(
        404,
        "webhooks-off",
        "Webhooks are off",
        "This deployment sends no webhooks (QJOBS_WEBHOOK_KEY is not set).",
    )


def _key() -> bytes:
    key = settings().webhook_key
    if key is None:
        raise webhooks_off()
    return key.encode()


def secret_for(owner: str, generation: int) -> str:
    digest = hmac.new(_key(), f"qjobs-webhook\n{owner}\n{generation}".encode(), hashlib.sha256)
    return PREFIX + base64.b64encode(digest.digest()).decode()


async def rotation_of(owner: str) -> Rotation:
    record = await job_store().get_webhook_rotation(owner)
    if record is None:
        return Rotation(0, None)
    return Rotation(int(record["generation"]), datetime.fromisoformat(record["rotated"]))


async def current_secret(owner: str) -> dict[str, str | None]:
    """The client's secret (GET /api/webhooks/secret)."""
    rotation = await rotation_of(owner)
    return _secret_document(owner, rotation)


async def rotate_secret(owner: str) -> dict[str, str | None]:
    """A new secret for the client; the old one still signs for ROTATION_OVERLAP."""
    _key()
    rotation = await rotation_of(owner)
    rotated = Rotation(rotation.generation + 1, utc_now())
    record = {"generation": rotated.generation, "rotated": timestamp(rotated.rotated or utc_now())}
    await job_store().put_webhook_rotation(owner, record)
    return _secret_document(owner, rotated)


def _secret_document(owner: str, rotation: Rotation) -> dict[str, str | None]:
    until = rotation.previous_valid_until()
    still_signing = until is not None and until > utc_now()
    return {
        "secret": secret_for(owner, rotation.generation),
        "previous_secret_valid_until": timestamp(until) if until and still_signing else None,
    }


async def signing_secrets(owner: str) -> list[str]:
    """The secrets a delivery is signed with now: the current one, and the previous one
    during the overlap after a rotation."""
    rotation = await rotation_of(owner)
    secrets = [secret_for(owner, rotation.generation)]
    until = rotation.previous_valid_until()
    if until is not None and utc_now() < until:
        secrets.append(secret_for(owner, rotation.generation - 1))
    return secrets
