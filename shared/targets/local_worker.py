"""What runs inside a local target's worker process: one job, stoppable through `should_stop`
(worker_process.py gives it the job's stop request)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..batches import run_batch
from ..kinds import KINDS
from ..kinds.batch_fields import is_batch_input


def warm_up() -> None:
    """Ready the solvers whose first use is slow (numba's kernels), off the job's clock."""
    from ..solvers.annealing import warm_up as warm_up_annealing

    warm_up_annealing()


def run_job(
    kind: str,
    problem: dict[str, Any],
    should_stop: Callable[[], bool],
    report: Callable[[dict[str, int]], None],
) -> dict[str, Any]:
    """The job's output; a batch runs its items in order, `report`ing its counters."""
    if is_batch_input(problem):
        return run_batch(kind, problem, should_stop, report)
    return KINDS[kind].solve(problem, should_stop)
