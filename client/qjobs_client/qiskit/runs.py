"""How a list of circuits becomes qjobs jobs, and their counts come back.

A list of circuits is one batch job (its `items` are the circuits, its result's `items`
their counts, in order): one submission and one orchestration for the whole list, on local
and Azure Quantum targets alike; a single circuit is a `circuit` job of its own. The backend,
its Qiskit job and the sampler only use this interface.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from ..errors import Conflict
from ..sync_client import Client, Job


class CircuitRuns:
    """The qjobs job(s) running a list of OpenQASM programs, in the list's order: one job for
    a single program, one batch job of `batch_size` items for several."""

    def __init__(self, jobs: Sequence[Job], batch_size: int | None = None) -> None:
        self.jobs = list(jobs)
        self.batch_size = batch_size

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
        if len(programs) > 1:
            items = [{"source": source} for _, source in programs]
            name = f"{programs[0][0]} and {len(programs) - 1} more"[:200]
            batch = client.submit("circuit", target=target, name=name, items=items, **fields)
            return cls([batch], batch_size=len(programs))
        return cls(
            [
                client.submit("circuit", target=target, name=name, source=source, **fields)
                for name, source in programs
            ]
        )

    @property
    def ids(self) -> list[str]:
        """The qjobs job ids: one per circuit, or the batch job's."""
        return [job.id for job in self.jobs]

    def states(self) -> list[str]:
        """Each job's state, asked again."""
        return [job.status().status for job in self.jobs]

    def counts(self, timeout: float | None) -> list[tuple[dict[str, int], int]]:
        """Each circuit's counts (keys as qjobs writes them) and shots run, waiting for them."""
        results = [job.result(timeout=timeout) for job in self.jobs]
        if self.batch_size is not None:
            results = results[0]["items"]
        return [(dict(result["counts"]), int(result["shots"])) for result in results]

    def cancel(self) -> None:
        """Ask every job that is not final yet to stop."""
        for job in self.jobs:
            with contextlib.suppress(Conflict):  # already final
                job.cancel()
