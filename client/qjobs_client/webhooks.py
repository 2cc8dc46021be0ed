"""Receiving qjobs webhooks: check a delivery's Standard Webhooks signature.

from qjobs_client.webhooks import verify
event = verify(secret, request.headers, request.body)   # raises InvalidSignature
event["type"], event["data"]["id"], event["data"]["status"]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError

from .errors import QJobsError


class InvalidSignature(QJobsError):
    """A delivery whose signature does not match the secret, or whose timestamp is more
    than five minutes away: not from qjobs, altered, or replayed."""


def verify(secret: str, headers: Mapping[str, str], body: bytes | str) -> dict[str, Any]:
    """The event a delivery carries (`{"type", "timestamp", "data"}`), once its signature
    is checked against `secret` (as `client.webhook_secret()` gives it). Pass the body
    exactly as received. Deliveries repeat: drop the ones whose `webhook-id` you have seen."""
    try:
        event = Webhook(secret).verify(body, dict(headers.items()))
    except WebhookVerificationError as error:
        raise InvalidSignature(str(error)) from None
    if not isinstance(event, dict):
        raise InvalidSignature("the body is not a webhook event")
    return event
