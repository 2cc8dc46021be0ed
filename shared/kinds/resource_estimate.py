"""The `resource_estimate` kind: the QDK resource estimator's report of a Q# or OpenQASM
program on local.estimator (what Azure Quantum's `microsoft.estimator` target gave).

A program whose text starts with `OPENQASM` is OpenQASM; any other is Q#, run from `entry`
(default as the `qsharp` kind's). `params` are the estimator's own (`qubitParams`,
`qecScheme`, `errorBudget`, ... as `qsharp.estimate` takes them), or a list of such for a
sweep of configurations; the estimator checks their values when it runs (a bad one fails the
job with its message).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ..solvers import qasm, qsharp_program
from ..solvers.compile_pool import compiled
from . import fields
from .base import JobKind

FIELDS = frozenset({"source", "entry", "params", "time_limit"})
MAX_CONFIGURATIONS = 32


def _is_openqasm(source: str) -> bool:
    return source.lstrip().upper().startswith("OPENQASM")


def validate(body: dict[str, Any]) -> dict[str, Any]:
    """{"source", "entry" (None for OpenQASM), "params" (object, list or None), "time_limit"}."""
    body = fields.json_object(body)
    problems = fields.Problems()
    with problems.check():
        fields.known_fields(body, FIELDS)
    with problems.check():
        job = fields.program_fields({**body, "shots": 1}, "a Q# or OpenQASM program")
    with problems.check():
        fields.entry_field(body)
    with problems.check():
        params = _params(body.get("params"))
    problems.raise_any()
    source = job["source"]
    entry: str | None = None
    if _is_openqasm(source):
        if "entry" in body:
            raise fields.invalid(("entry",), "is for Q# programs, not OpenQASM")
        try:
            compiled(qasm.check, source)
        except qasm.ProgramError as error:
            raise fields.invalid(("source",), f"cannot be estimated: {error}") from None
    else:
        entry = fields.entry_field(body) or qsharp_program.default_entry(source)
        try:
            compiled(qsharp_program.check, source, entry)
        except qsharp_program.EntryError as error:
            raise fields.invalid(("entry",), f"cannot be estimated: {error}") from None
        except qsharp_program.ProgramError as error:
            raise fields.invalid(("source",), f"cannot be estimated: {error}") from None
    return {
        "source": source,
        "entry": entry,
        "params": params,
        "time_limit": job["time_limit"],
    }


# The estimator's parameters (`qsharp.estimate`'s `params`, as Azure Quantum's
# microsoft.estimator took them); qdk ignores any other key, so a misspelt one is refused here.
ESTIMATOR_PARAMS = frozenset(
    {
        "qubitParams",
        "qecScheme",
        "errorBudget",
        "constraints",
        "distillationUnitSpecifications",
        "estimateType",
    }
)


def _params(value: object) -> dict[str, Any] | list[dict[str, Any]] | None:
    if value is None:
        return None
    if isinstance(value, dict):
        return _configuration(value, ("params",))
    listed = fields.array(value, ("params",), max_items=MAX_CONFIGURATIONS)
    return [_configuration(configuration, ("params", i)) for i, configuration in enumerate(listed)]


def _configuration(value: object, at: fields.Location) -> dict[str, Any]:
    """One configuration of the estimator: an object of its parameters, finite numbers only."""
    configuration = fields.known_fields(value, ESTIMATOR_PARAMS, at)
    pending: list[tuple[object, fields.Location]] = [(configuration, at)]
    while pending:
        item, where = pending.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise fields.invalid(where, f"must be a finite number, not {fields.json_type(item)}")
        if isinstance(item, dict):
            pending.extend((v, (*where, str(k))) for k, v in item.items())
        elif isinstance(item, list):
            pending.extend((v, (*where, i)) for i, v in enumerate(item))
    return configuration


def solve(job: dict[str, Any], should_stop: Callable[[], bool]) -> dict[str, Any]:
    """{"configurations": [{"summary": {...}, "report": the estimator's report}, ...]}."""
    from ..solvers.resource_estimation import reports, summary

    found = reports(job["source"], job["entry"], job["params"])
    return {"configurations": [{"summary": summary(r), "report": r} for r in found]}


RESOURCE_ESTIMATE = JobKind(
    name="resource_estimate",
    targets=("local.estimator",),
    fields=FIELDS,
    validate=validate,
    solve=solve,
)
