"""What runs inside a local target's worker process: one job, stoppable through `should_stop`
(worker_process.py gives it the job's stop request)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..kinds import KINDS


def warm_up() -> None:
    """Ready the solvers whose first use is slow (numba's kernels), off the job's clock."""
    from ..solvers.annealing import warm_up as warm_up_annealing

    warm_up_annealing()


def run_job(kind: str, problem: dict[str, Any], should_stop: Callable[[], bool]) -> dict[str, Any]:
    return KINDS[kind].solve(problem, should_stop)
