"""The two types every job kind is built from: its description and its rejection."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class InvalidJob(ValueError):
    """A job request that cannot be accepted.

    `status` is 400 (a bad field) or 413 (over the kind's size limit); `pointer` is the JSON
    pointer of the offending value in the request body (e.g. "/weights/3"), when there is one.
    One InvalidJob may stand for several (`gathered`): `each` lists them.
    """

    def __init__(self, detail: str, *, pointer: str | None = None, status: int = 400) -> None:
        super().__init__(detail)
        self.detail = detail
        self.pointer = pointer
        self.status = status
        self._each: tuple[InvalidJob, ...] = (self,)

    def each(self) -> tuple[InvalidJob, ...]:
        """The problems this one stands for (itself alone unless `gathered`)."""
        return self._each

    @classmethod
    def gathered(cls, problems: list[InvalidJob]) -> InvalidJob:
        """One InvalidJob for several: 413 when a size limit is among them (that one first),
        its detail the first one's with how many more there are."""
        ordered = sorted(problems, key=lambda problem: problem.status != 413)
        first = ordered[0]
        more = f" (and {len(ordered) - 1} more: see errors)" if len(ordered) > 1 else ""
        combined = cls(first.detail + more, pointer=first.pointer, status=first.status)
        combined._each = tuple(ordered)
        return combined


@dataclass(frozen=True)
class JobKind:
    """A problem kind: the request fields it owns, how to check them and how to solve the job.

    `validate` takes the request body minus the envelope keys (kind, name, target) and returns
    the normalized, JSON-serializable job input, or raises InvalidJob. `solve` takes that input
    and a `should_stop` callable; it runs in a worker process, so it is a top-level function.
    """

    name: str
    targets: tuple[str, ...]
    fields: frozenset[str]
    validate: Callable[[dict[str, Any]], dict[str, Any]]
    solve: Callable[[dict[str, Any], Callable[[], bool]], dict[str, Any]]
