"""The `number_partitioning` kind: weights in, the two subsets with the smallest difference out.

It is the seed's SplitWeights job, so the seed's field name `mineralWeights` is accepted for
`weights`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..solvers.partition_choice import best_partition
from . import fields
from .base import JobKind

MAX_WEIGHTS = 10_000
MAX_WEIGHT = 2**53  # the largest integer every JSON client holds exactly
DEFAULT_TIME_LIMIT = 2.0
FIELDS = frozenset({"weights", "mineralWeights", "time_limit"})


def validate(body: dict[str, Any]) -> dict[str, Any]:
    """{"weights": [int, ...], "time_limit": seconds} from the request's kind fields."""
    body = fields.json_object(body)
    problems = fields.Problems()
    with problems.check():
        fields.known_fields(body, FIELDS)
    with problems.check():
        if "weights" in body and "mineralWeights" in body:
            raise fields.invalid(
                ("mineralWeights",), "is another name for weights; give only one of the two"
            )
    name = "mineralWeights" if "mineralWeights" in body else "weights"
    weights: list[int] = []
    with problems.check():
        items = fields.array(
            fields.required(body, name, "an array of non-negative integers"),
            (name,),
            max_items=MAX_WEIGHTS,
        )
        for i, w in enumerate(items):
            with problems.check():
                weights.append(fields.integer(w, (name, i), low=0, high=MAX_WEIGHT))
    with problems.check():
        time_limit = fields.time_limit(body, DEFAULT_TIME_LIMIT)
    problems.raise_any()
    return {"weights": weights, "time_limit": time_limit}


def solve(job: dict[str, Any], should_stop: Callable[[], bool]) -> dict[str, Any]:
    """The best partition found: the ±1 side of every weight, both subsets and their sums.

    The +1 subset is the one with the larger (or equal) sum. `optimal` is true when the
    difference is proven smallest, false when the time limit or a stop came first.
    `algorithm` is "ckk" or "meet_in_the_middle" (see `partition_choice`).
    """
    weights = job["weights"]
    found, algorithm = best_partition(
        weights, time_limit=job["time_limit"], should_stop=should_stop
    )
    plus = [w for w, sign in zip(weights, found.signs, strict=True) if sign > 0]
    minus = [w for w, sign in zip(weights, found.signs, strict=True) if sign < 0]
    return {
        "assignment": {str(i): sign for i, sign in enumerate(found.signs)},
        "subsets": [plus, minus],
        "sums": [sum(plus), sum(minus)],
        "difference": found.difference,
        "optimal": found.optimal,
        "algorithm": algorithm,
    }


NUMBER_PARTITIONING = JobKind(
    name="number_partitioning",
    targets=("local.optimizer",),
    fields=FIELDS,
    validate=validate,
    solve=solve,
)
