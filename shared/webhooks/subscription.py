"""A job request's webhook: its URL and the events it gets."""

from __future__ import annotations

from typing import Any

from ..config import settings
from ..kinds import InvalidJob
from .destinations import AllowedHosts, RefusedDestination, check_url

EVENTS = ("executing", "succeeded", "failed", "cancelled")
DEFAULT_EVENTS = ("succeeded", "failed", "cancelled")


def parse_webhook(body: dict[str, Any]) -> tuple[str | None, list[str] | None]:
    """The request's `webhook` and `webhook_events` (InvalidJob pointing at a bad one). A URL
    refused as written is refused here, before anything is stored."""
    url = body.get("webhook")
    events = body.get("webhook_events")
    if url is None:
        if events is not None:
            raise InvalidJob("'webhook_events' needs a 'webhook'.", pointer="/webhook_events")
        return None, None
    if not isinstance(url, str):
        raise InvalidJob("'webhook' must be an https URL.", pointer="/webhook")
    config = settings()
    if config.webhook_key is None:
        raise InvalidJob(
            "This deployment sends no webhooks (QJOBS_WEBHOOK_KEY is not set).", pointer="/webhook"
        )
    try:
        check_url(url, AllowedHosts.parse(config.webhook_allow_hosts))
    except RefusedDestination as refused:
        raise InvalidJob(f"'webhook' is refused: {refused}", pointer="/webhook") from None
    if events is None:
        return url, None
    if (
        not isinstance(events, list)
        or not events
        or not all(isinstance(event, str) and event in EVENTS for event in events)
        or len(set(events)) != len(events)
    ):
        raise InvalidJob(
            f"'webhook_events' must list distinct events out of: {', '.join(EVENTS)}.",
            pointer="/webhook_events",
        )
    return url, events


def subscribed(spec_json: dict[str, Any], state: str) -> bool:
    """Whether the job asked for a webhook on entering `state`."""
    if not spec_json.get("webhook"):
        return False
    return state in (spec_json.get("webhook_events") or DEFAULT_EVENTS)
