"""The job model: ids, lifecycle states, the orchestration's input, and the job's public view.

One job is one Durable orchestration whose instance id is the job id. Its input is a JobSpec
and, under PROBLEM, the job's input (also in Blob Storage, where activities read it; the
durable state is the source of truth when storage lost a recent write); its custom status and
output carry the lifecycle, so a status read is one durable status query and never touches
the target.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

ROUTE_PREFIX = "/api"
_JOB_ID = re.compile(r"[0-9a-f]{32}")
# Ids from an Idempotency-Key are name-based UUIDs in this namespace (per client and key).
_IDEMPOTENCY_NAMESPACE = uuid.UUID("6f1c3b0e-5d0a-4b8e-9a63-2f4b1f0c9e57")


class JobState(StrEnum):
    WAITING = "waiting"
    EXECUTING = "executing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)


def is_job_id(text: str) -> bool:
    return bool(_JOB_ID.fullmatch(text))


def owner_tag(owner: str) -> str:
    """The first 8 hex digits of every job id of this client: the durable host finds a
    client's jobs by id prefix (quotas count them so)."""
    return hashlib.sha256(owner.encode()).hexdigest()[:8]


def new_job_id(owner: str, idempotency_key: str | None) -> str:
    """The owner's tag, then random digits, or for an Idempotency-Key the same ones every time
    that client repeats it."""
    if idempotency_key is None:
        unique = uuid.uuid4().hex
    else:
        unique = uuid.uuid5(_IDEMPOTENCY_NAMESPACE, f"{owner}\n{idempotency_key}").hex
    return owner_tag(owner) + unique[8:]


def utc_now() -> datetime:
    return datetime.now(UTC)


def timestamp(moment: datetime) -> str:
    """ISO 8601 UTC with milliseconds and a Z, the form every time in the API takes."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class JobError:
    code: str
    message: str


@dataclass(frozen=True)
class JobSpec:
    """What the orchestrator is started with; everything but the problem itself."""

    id: str
    owner: str
    name: str | None
    kind: str
    target: str
    created: str
    request_hash: str
    poll: dict[str, float]
    workspace: dict[str, str] | None = None
    tags: list[str] | None = None
    # Completion webhook: the URL and the events it gets (see shared/webhooks/).
    webhook: str | None = None
    webhook_events: list[str] | None = None
    # A batch's number of items (see kinds/batch_fields.py); None for a job without items.
    items: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JobSpec:
        return cls(**{key: data.get(key) for key in cls.__dataclass_fields__})


PROBLEM = "problem"


def orchestration_input(spec: JobSpec, problem: dict[str, Any]) -> dict[str, Any]:
    """What the job's orchestration is started with: its spec and its input."""
    return {**spec.to_json(), PROBLEM: problem}


@dataclass(frozen=True)
class Lifecycle:
    """Where a job is: the orchestrator's custom status while running, its output once final."""

    state: JobState
    started: str | None = None
    finished: str | None = None
    error: JobError | None = None
    # A remote job's provider view: {"status", "cost_estimate"?, "error"?}; None for local.
    provider: dict[str, Any] | None = None
    # A batch's item counters (see item_counters); None for a job without items.
    items: dict[str, int] | None = None

    def to_json(self) -> dict[str, Any]:
        found = {
            "state": self.state.value,
            "started": self.started,
            "finished": self.finished,
            "error": asdict(self.error) if self.error else None,
            "provider": self.provider,
        }
        if self.items is not None:
            found["items"] = self.items
        return found

    @classmethod
    def from_json(cls, data: Any) -> Lifecycle | None:
        if not isinstance(data, dict) or data.get("state") not in set(JobState):
            return None
        error = data.get("error")
        return cls(
            state=JobState(data["state"]),
            started=data.get("started"),
            finished=data.get("finished"),
            error=JobError(**error) if isinstance(error, dict) else None,
            provider=data.get("provider") if isinstance(data.get("provider"), dict) else None,
            items=data.get("items") if isinstance(data.get("items"), dict) else None,
        )


@dataclass(frozen=True)
class JobView:
    spec: JobSpec
    lifecycle: Lifecycle
    # The orchestration's current polling round while it runs (see job_control.round_event).
    poll_round: int | None = None


ITEM_STATES = ("succeeded", "failed", "cancelled")


def item_counters(total: int, ended: dict[str, int], executing: int = 0) -> dict[str, int]:
    """A batch's `items` in its status: how many of its `total` items are in each state,
    given how many have `ended` in each final state."""
    waiting = total - sum(ended.values()) - executing
    found = {"total": total, "waiting": waiting, "executing": executing}
    return found | {state: ended.get(state, 0) for state in ITEM_STATES}


def status_link(job_id: str) -> str:
    """Where a job's status is polled: the Location of every 202 about it."""
    return f"{ROUTE_PREFIX}/jobs/{job_id}/status"


def job_links(job_id: str, state: JobState) -> dict[str, str]:
    base = f"{ROUTE_PREFIX}/jobs/{job_id}"
    links = {"self": status_link(job_id)}
    if state is JobState.SUCCEEDED:
        links["result"] = f"{base}/result"
    if not state.is_final:
        links["cancel"] = base
    return links


def status_document(view: JobView) -> dict[str, Any]:
    """The public body of a job's status."""
    spec, lifecycle = view.spec, view.lifecycle
    document: dict[str, Any] = {
        "id": spec.id,
        "name": spec.name,
        "kind": spec.kind,
        "target": spec.target,
        "status": lifecycle.state.value,
        "tags": spec.tags or [],
        "created": spec.created,
        "started": lifecycle.started,
        "finished": lifecycle.finished,
    }
    if lifecycle.error is not None:
        document["error"] = asdict(lifecycle.error)
    if lifecycle.provider is not None:
        document["provider"] = lifecycle.provider
    if spec.items is not None:
        document["items"] = lifecycle.items or item_counters(spec.items, {})
    document["links"] = job_links(spec.id, lifecycle.state)
    return document
