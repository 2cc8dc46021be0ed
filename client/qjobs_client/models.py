"""The API's documents as typed values: a job's status and a target."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FINAL_STATES = frozenset({"succeeded", "failed", "cancelled"})
KINDS = ("number_partitioning", "ising", "pubo", "circuit", "qsharp")


@dataclass(frozen=True)
class JobStatus:
    """A job as the API last described it (`GET /api/jobs/{id}/status` or a list entry).

    `started` and `finished` are None while unknown (a listed job carries only `created`);
    `error` is the job's `{code, message}` when it failed or was cancelled.
    """

    id: str
    status: str
    kind: str
    target: str
    created: str
    name: str | None = None
    started: str | None = None
    finished: str | None = None
    error: dict[str, Any] | None = None
    links: dict[str, str] = field(default_factory=dict)
    provider: dict[str, Any] | None = None
    tags: tuple[str, ...] = ()
    # The completion webhook's delivery: {state, attempts, last_status, last_attempt}.
    webhook: dict[str, Any] | None = None
    # A batch's item counters: {total, waiting, executing, succeeded, failed, cancelled}.
    items: dict[str, int] | None = None

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATES

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> JobStatus:
        return cls(
            id=str(document["id"]),
            status=str(document["status"]),
            kind=str(document.get("kind", "")),
            target=str(document.get("target", "")),
            created=str(document.get("created", "")),
            name=document.get("name"),
            started=document.get("started"),
            finished=document.get("finished"),
            error=document.get("error"),
            links=dict(document.get("links") or {}),
            provider=document.get("provider"),
            tags=tuple(document.get("tags") or ()),
            webhook=document.get("webhook"),
            items=document.get("items"),
        )

    def to_json(self) -> dict[str, Any]:
        """The status document as the API writes it (absent members left out)."""
        document: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "target": self.target,
            "status": self.status,
            "tags": list(self.tags),
            "created": self.created,
            "started": self.started,
            "finished": self.finished,
        }
        if self.error is not None:
            document["error"] = self.error
        if self.provider is not None:
            document["provider"] = self.provider
        if self.webhook is not None:
            document["webhook"] = self.webhook
        if self.items is not None:
            document["items"] = self.items
        document["links"] = self.links
        return document


@dataclass(frozen=True)
class Target:
    """A target the deployment offers (`GET /api/targets`); `details` holds the rest."""

    name: str
    location: str
    kinds: tuple[str, ...]
    limits: dict[str, int]
    availability: str
    details: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> Target:
        known = {"name", "location", "kinds", "limits", "availability"}
        return cls(
            name=str(document["name"]),
            location=str(document.get("location", "")),
            kinds=tuple(document.get("kinds") or ()),
            limits=dict(document.get("limits") or {}),
            availability=str(document.get("availability", "unknown")),
            details={k: v for k, v in document.items() if k not in known},
        )

    def to_json(self) -> dict[str, Any]:
        """The target as the API describes it."""
        known = {
            "name": self.name,
            "location": self.location,
            "kinds": list(self.kinds),
            "limits": self.limits,
            "availability": self.availability,
        }
        return {**known, **self.details}
