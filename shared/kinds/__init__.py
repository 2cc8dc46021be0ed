"""The job kinds qjobs offers, by name: how each validates a request and solves a job."""

from __future__ import annotations

from .base import InvalidJob, JobKind
from .circuit import CIRCUIT
from .fields import json_type
from .ising import ISING, PUBO
from .number_partitioning import NUMBER_PARTITIONING
from .qsharp import QSHARP
from .resource_estimate import RESOURCE_ESTIMATE

__all__ = ["KINDS", "InvalidJob", "JobKind", "kind_named"]

KINDS: dict[str, JobKind] = {
    kind.name: kind
    for kind in (NUMBER_PARTITIONING, ISING, PUBO, CIRCUIT, QSHARP, RESOURCE_ESTIMATE)
}


def kind_named(name: object) -> JobKind:
    """The kind a request's `kind` field names (InvalidJob at /kind listing the kinds)."""
    known = ", ".join(KINDS)
    if name is None:
        raise InvalidJob(f"kind is required: one of {known}", pointer="/kind")
    if not isinstance(name, str):
        raise InvalidJob(
            f"kind must be a string, one of {known}; not {json_type(name)}", pointer="/kind"
        )
    if name not in KINDS:
        raise InvalidJob(f"kind {name[:60]!r} is not offered; use one of {known}", pointer="/kind")
    return KINDS[name]
