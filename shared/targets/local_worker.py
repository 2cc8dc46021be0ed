"""What runs inside a local target's worker process: one job, stoppable through a flag file.

Cancellation crosses the process boundary as a file: the parent creates it, the solver's
`should_stop` sees it (checked at most every 50 ms).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from ..kinds import KINDS

_CHECK_EVERY_SECONDS = 0.05


def flag_watcher(path: str) -> Callable[[], bool]:
    next_check = 0.0
    seen = False

    def should_stop() -> bool:
        nonlocal next_check, seen
        now = time.monotonic()
        if not seen and now >= next_check:
            seen = os.path.exists(path)
            next_check = now + _CHECK_EVERY_SECONDS
        return seen

    return should_stop


def warm_up() -> None:
    """Ready the solvers whose first use is slow (numba's kernels), off the job's clock."""
    from ..solvers.annealing import warm_up as warm_up_annealing

    warm_up_annealing()


def run_job(kind: str, problem: dict[str, Any], cancel_flag: str) -> dict[str, Any]:
    return KINDS[kind].solve(problem, flag_watcher(cancel_flag))
