"""Structured job events: one log line per step of a job, for operators' queries.

Each line is `qjobs.job {json}` on the `qjobs.job` logger, with `event`, `job_id`, `client`,
`kind`, `target` and the event's own fields (`state`, `from_state`, `duration_ms`, `error`,
...). In Azure, the Functions host sends it to Application Insights' `traces` table, where
`parse_json(substring(message, 10))` reads it back (docs/operations.md: Monitoring). The JSON
lives in the message because the Python worker forwards a record's message, not its `extra`
fields.

Log them from HTTP functions and activities only, never from the orchestrator: it replays.
Activities run at least once, so an event may repeat after a crash; queries count distinct
job ids.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from .jobs import JobSpec

PREFIX = "qjobs.job "
log = logging.getLogger("qjobs.job")


def log_job_event(event: str, spec: JobSpec, level: int = logging.INFO, **fields: Any) -> None:
    """Log one event of the job `spec`; `fields` with a None value are left out."""
    line = {
        "event": event,
        "job_id": spec.id,
        "client": spec.owner,
        "kind": spec.kind,
        "target": spec.target,
        **{name: value for name, value in fields.items() if value is not None},
    }
    log.log(level, "%s%s", PREFIX, json.dumps(line, separators=(",", ":"), default=str))


def log_client_event(event: str, client: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log an event about a client with no job yet (a refused submission)."""
    line = {"event": event, "client": client, **fields}
    log.log(level, "%s%s", PREFIX, json.dumps(line, separators=(",", ":"), default=str))


def milliseconds_between(start: str | None, end: str | None) -> int | None:
    """Whole milliseconds from one ISO timestamp to another; None when either is missing."""
    if not start or not end:
        return None
    delta = datetime.fromisoformat(end) - datetime.fromisoformat(start)
    return round(delta.total_seconds() * 1000)
