"""How a list of circuits becomes qjobs jobs, and their counts come back.

Today each circuit is its own `circuit` job. Once the server offers batches (one job whose
`items` are the circuits), `CircuitRuns` is the one place that changes: `submit` would send
one batch job and `counts` read its per-item results; the backend, its Qiskit job and the
sampler only use this interface.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from ..errors import Conflict
from ..sync_client import Client, Job


class CircuitRuns:
    """The qjobs jobs running a list of OpenQASM programs, in the list's order."""

    def __init__(self, jobs: Sequence[Job]) -> None:
        self.jobs = list(jobs)

    @classmethod
    def submit(
        cls,
        client: Client,
        target: str,
        programs: Sequence[tuple[str, str]],
        *,
        shots: int,
        seed: int | None,
    ) -> CircuitRuns:
        """Submit each (name, OpenQASM source) of `programs` with these shots and seed."""
        fields: dict[str, Any] = {"shots": shots}
        if seed is not None:
            fields["seed"] = seed
        return cls(
            [
                client.submit("circuit", target=target, name=name, source=source, **fields)
                for name, source in programs
            ]
        )

    @property
    def ids(self) -> list[str]:
        """The qjobs job ids, one per circuit."""
        return [job.id for job in self.jobs]

    def states(self) -> list[str]:
        """Each job's state, asked again."""
        return [job.status().status for job in self.jobs]

    def counts(self, timeout: float | None) -> list[tuple[dict[str, int], int]]:
        """Each circuit's counts (keys as qjobs writes them) and shots run, waiting for them."""
        results = [job.result(timeout=timeout) for job in self.jobs]
        return [(dict(result["counts"]), int(result["shots"])) for result in results]

    def cancel(self) -> None:
        """Ask every job that is not final yet to stop."""
        for job in self.jobs:
            with contextlib.suppress(Conflict):  # already final
                job.cancel()
