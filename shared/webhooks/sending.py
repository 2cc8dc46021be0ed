"""One delivery attempt of a webhook event: sign it, check where it goes, POST it once.

Standard Webhooks: headers `webhook-id`, `webhook-timestamp` (this attempt's Unix seconds)
and `webhook-signature` (`v1,<base64 HMAC>` per secret, space-separated), signed with the
`standardwebhooks` package. The answer decides what comes next: any 2xx is delivered; 410
stops and marks the URL gone; another 3xx/4xx stops; 429, 5xx, a timeout or a connection
error is retried (after the answer's Retry-After, when it has one).
"""

from __future__ import annotations

import email.utils
import ipaddress
import logging
import socket
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from standardwebhooks import Webhook

from ..config import settings
from ..jobs import timestamp, utc_now
from .destinations import AllowedHosts, RefusedDestination, check_address, check_url

log = logging.getLogger("qjobs.webhooks")

TIMEOUT_SECONDS = 10.0
MAX_ANSWER_BYTES = 64 * 1024
# A receiver's Retry-After is honoured up to this long.
MAX_RETRY_AFTER_SECONDS = 3600.0


@dataclass(frozen=True)
class Attempt:
    """What one attempt came to: `outcome` is delivered, retry, gone or failed."""

    outcome: str
    status: int | None
    at: str
    retry_after: float | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class _CheckingResolver(AbstractResolver):
    """Resolves a host name and refuses it unless every address is one qjobs sends to: the
    connection then goes to the addresses that were checked."""

    def __init__(self, allowed: AllowedHosts) -> None:
        self._allowed = allowed
        self._resolver = DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._resolver.resolve(host, port, family)
        if not self._allowed.allows_name(host):
            for entry in found:
                check_address(ipaddress.ip_address(entry["host"]), self._allowed)
        return found

    async def close(self) -> None:
        await self._resolver.close()


def signed_headers(message_id: str, body: bytes, secrets: list[str]) -> dict[str, str]:
    now = utc_now()
    signatures = " ".join(Webhook(secret).sign(message_id, now, body) for secret in secrets)
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signatures,
        "user-agent": "qjobs-webhooks",
    }


def _retry_after(answer: aiohttp.ClientResponse) -> float | None:
    raw = answer.headers.get("retry-after", "").strip()
    if not raw:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None
        seconds = (moment - datetime.now(moment.tzinfo)).total_seconds()
    return min(max(0.0, seconds), MAX_RETRY_AFTER_SECONDS)


def _judged(status: int, retry_after: float | None, at: str) -> Attempt:
    if 200 <= status < 300:
        return Attempt("delivered", status, at)
    if status == 410:
        return Attempt("gone", status, at)
    if status == 429 or status >= 500:
        return Attempt("retry", status, at, retry_after)
    return Attempt("failed", status, at)


async def send_once(url: str, message_id: str, body: bytes, secrets: list[str]) -> Attempt:
    """POST the event to `url` once; never raises."""
    at = timestamp(utc_now())
    allowed = AllowedHosts.parse(settings().webhook_allow_hosts)
    try:
        check_url(url, allowed)
    except RefusedDestination as refused:
        return Attempt("failed", None, at, error=str(refused))
    connector = aiohttp.TCPConnector(resolver=_CheckingResolver(allowed), force_close=True)
    timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
    try:
        async with (
            aiohttp.ClientSession(connector=connector, timeout=timeout) as session,
            session.post(
                url,
                data=body,
                headers=signed_headers(message_id, body, secrets),
                allow_redirects=False,
            ) as answer,
        ):
            await answer.content.read(MAX_ANSWER_BYTES)
            return _judged(answer.status, _retry_after(answer), at)
    except RefusedDestination as refused:
        return Attempt("failed", None, at, error=str(refused))
    except (aiohttp.ClientError, TimeoutError, OSError) as error:
        return Attempt("retry", None, at, error=f"{type(error).__name__}: {error}"[:300])
