"""The `ising` and `pubo` kinds: a polynomial cost in the QIO term format, minimized.

A request's terms are [{"c": number, "ids": [int, ...]}, ...] and the cost is
sum(c * product of the variables in ids): spins (±1) for ising, bits (0/1) for pubo. A term
without ids is a constant; an id repeated within a term is the same variable again, so for
ising a pair of repeats cancels (s * s = 1) and for pubo it changes nothing (x * x = x).
Without a `seed` the annealer uses seed 0, so a repeated request gives the same answer. A job
runs `reads` anneals of `sweeps` sweeps each (later reads only while its `time_limit` lasts;
see `shared.solvers.annealing`) and answers the best state seen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..solvers.annealing import anneal, cost
from . import fields
from .base import JobKind

MAX_TERMS = 100_000
MAX_VARIABLES = 100_000  # distinct ids over all terms
MAX_IDS = 1_000_000  # ids over all terms, repeats included
MAX_ID = 1_000_000
MAX_SWEEPS = 100_000
MAX_READS = 10_000
# With at most MAX_TERMS terms, no sum of coefficients the annealer forms leaves the float range.
MAX_COEFFICIENT = 1e300
DEFAULT_SWEEPS = 1000
DEFAULT_READS = 10
DEFAULT_SEED = 0
DEFAULT_TIME_LIMIT = 10.0
FIELDS = frozenset({"terms", "sweeps", "reads", "seed", "time_limit"})
_TERM_FIELDS = frozenset({"c", "ids"})


def validate(body: dict[str, Any]) -> dict[str, Any]:
    """{"terms": [{"c", "ids"}, ...], "sweeps", "reads", "seed", "time_limit"} from the request."""
    body = fields.json_object(body)
    problems = fields.Problems()
    with problems.check():
        fields.known_fields(body, FIELDS)
    with problems.check():
        sweeps = fields.integer(
            body.get("sweeps", DEFAULT_SWEEPS), ("sweeps",), low=1, high=MAX_SWEEPS
        )
    with problems.check():
        reads = fields.integer(body.get("reads", DEFAULT_READS), ("reads",), low=1, high=MAX_READS)
    with problems.check():
        seed = fields.seed(body)
    with problems.check():
        time_limit = fields.time_limit(body, DEFAULT_TIME_LIMIT)
    terms = []
    variables: set[int] = set()
    with problems.check():
        items = fields.array(
            fields.required(body, "terms", 'an array of {"c": number, "ids": [integer, ...]}'),
            ("terms",),
            max_items=MAX_TERMS,
        )
        ids_seen = 0
        for n, item in enumerate(items):
            with problems.check():
                term, ids_seen = _term(item, ("terms", n), ids_seen)
                variables.update(term["ids"])
                terms.append(term)
    problems.raise_any()
    if len(variables) > MAX_VARIABLES:
        raise fields.invalid(
            ("terms",),
            f"use {len(variables):,} distinct ids; at most {MAX_VARIABLES:,} are allowed",
            status=413,
        )
    return {
        "terms": terms,
        "sweeps": sweeps,
        "reads": reads,
        "seed": DEFAULT_SEED if seed is None else seed,
        "time_limit": time_limit,
    }


def _term(item: object, at: fields.Location, ids_seen: int) -> tuple[dict[str, Any], int]:
    """One term {"c", "ids"} and the ids seen in all terms so far (413 past MAX_IDS); its
    coefficient and each id are checked independently."""
    term = fields.known_fields(item, _TERM_FIELDS, at)
    problems = fields.Problems()
    with problems.check():
        c = fields.finite_number(fields.required(term, "c", "a number", at), (*at, "c"))
        if abs(c) > MAX_COEFFICIENT:
            raise fields.invalid(
                (*at, "c"), f"must be between -{MAX_COEFFICIENT:g} and {MAX_COEFFICIENT:g}"
            )
    ids: list[int] = []
    with problems.check():
        raw_ids = fields.array(
            fields.required(term, "ids", "an array of variable ids (integers)", at),
            (*at, "ids"),
            max_items=MAX_IDS,
            empty=True,
        )
        ids_seen += len(raw_ids)
        if ids_seen > MAX_IDS:
            raise fields.invalid(
                ("terms",), f"hold more than {MAX_IDS:,} ids in all; that is the limit", status=413
            )
        for k, i in enumerate(raw_ids):
            with problems.check():
                ids.append(fields.integer(i, (*at, "ids", k), low=0, high=MAX_ID))
    problems.raise_any()
    return {"c": c, "ids": ids}, ids_seen


def _solve(job: dict[str, Any], should_stop: Callable[[], bool], *, spin: bool) -> dict[str, Any]:
    terms = [(term["c"], term["ids"]) for term in job["terms"]]
    found = anneal(
        terms,
        spin=spin,
        sweeps=job["sweeps"],
        reads=job.get("reads", 1),  # jobs accepted before reads existed ran one
        seed=job["seed"],
        time_limit=job["time_limit"],
        should_stop=should_stop,
    )
    return {
        "configuration": {str(i): value for i, value in found.values.items()},
        "cost": float(cost(terms, found.values)),
        "algorithm": "simulated_annealing",
        "sweeps": found.sweeps,
    }


def solve_ising(job: dict[str, Any], should_stop: Callable[[], bool]) -> dict[str, Any]:
    """The best spin configuration found, its cost, and the sweeps its read completed.

    `configuration` maps every id in the terms (as a string) to +1 or -1.
    """
    return _solve(job, should_stop, spin=True)


def solve_pubo(job: dict[str, Any], should_stop: Callable[[], bool]) -> dict[str, Any]:
    """The best bit configuration found, its cost, and the sweeps its read completed.

    `configuration` maps every id in the terms (as a string) to 0 or 1.
    """
    return _solve(job, should_stop, spin=False)


ISING = JobKind(
    name="ising", targets=("local.optimizer",), fields=FIELDS, validate=validate, solve=solve_ising
)
PUBO = JobKind(
    name="pubo", targets=("local.optimizer",), fields=FIELDS, validate=validate, solve=solve_pubo
)
