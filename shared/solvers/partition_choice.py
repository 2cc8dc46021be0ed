"""Which partitioning algorithm answers a number_partitioning job.

CKK first, for a short look: it proves most small instances optimal at once (a perfect
partition, or the largest weight against the rest). An instance of at most
`partition_exact.MAX_WEIGHTS` weights that CKK has not proven is then solved exactly by meeting
in the middle (well under a second); a larger one gets CKK for the whole time limit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .partition import Partition, partition
from .partition_exact import MAX_WEIGHTS, exact_partition

_FIRST_LOOK_SECONDS = 0.02


def best_partition(
    weights: Sequence[int], *, time_limit: float, should_stop: Callable[[], bool]
) -> tuple[Partition, str]:
    """The best partition found within `time_limit` and the algorithm that found it:
    "ckk" or "meet_in_the_middle"."""
    if len(weights) > MAX_WEIGHTS:
        return partition(weights, time_limit=time_limit, should_stop=should_stop), "ckk"
    first = partition(
        weights, time_limit=min(time_limit, _FIRST_LOOK_SECONDS), should_stop=should_stop
    )
    if first.optimal:
        return first, "ckk"
    exact = exact_partition(weights, should_stop)
    return (first, "ckk") if exact is None else (exact, "meet_in_the_middle")
