"""A batch request: `items` and OpenQASM `parameters` over a program kind's own fields.

Each item is an object of the kind's fields merged over the request's top-level fields (the
defaults); each binding of `parameters` is one item, and with both every item runs for every
binding (item-major: item i, binding j is item i * bindings + j). Each distinct program is
validated once, by the kind's own `validate`, with its pointers moved to the item's field.

The job input of a batch keeps each distinct program once:
{"programs": [source, ...], "items": [{"program": k, <the kind's other fields>,
"parameters"?: {...}}, ...], "on_item_failure": "abort" | "continue", "time_limit": the
longest item's}.
"""

from __future__ import annotations

import json
from typing import Any

from ..config import settings
from ..solvers import qasm_inputs
from ..solvers.compile_pool import compiled
from ..solvers.program_text import ProgramError
from . import fields
from .base import InvalidJob, JobKind

BATCH_FIELDS = frozenset({"items", "parameters", "on_item_failure"})
BATCH_KINDS = frozenset({"circuit", "qsharp"})
ITEM_FAILURE_POLICIES = ("abort", "continue")


def documented_batch_fields(kind: JobKind) -> frozenset[str]:
    """The batch fields a kind's requests may carry (a sweep's `parameters`: circuits only)."""
    return BATCH_FIELDS if kind.name == "circuit" else BATCH_FIELDS - {"parameters"}


def is_batch(body: dict[str, Any]) -> bool:
    return bool(BATCH_FIELDS & body.keys())


def is_batch_input(problem: dict[str, Any]) -> bool:
    """Whether a stored job input is a batch's."""
    return "items" in problem and "programs" in problem


def validate(kind: JobKind, body: dict[str, Any]) -> dict[str, Any]:
    """The job input of a request (the kind's own for a job without batch fields)."""
    if not is_batch(body):
        if kind.name not in BATCH_KINDS:
            return kind.validate(body)
        # An unknown field's answer lists the batch fields too; the kind checks the rest.
        problems = fields.Problems()
        with problems.check():
            fields.known_fields(body, kind.fields | documented_batch_fields(kind))
        with problems.check():
            job = kind.validate({k: v for k, v in body.items() if k in kind.fields})
        problems.raise_any()
        return job
    if kind.name not in BATCH_KINDS:
        field = sorted(BATCH_FIELDS & body.keys())[0]
        raise fields.invalid((field,), f"is for circuit and qsharp jobs, not {kind.name} jobs")
    policy = body.get("on_item_failure", "abort")
    if policy not in ITEM_FAILURE_POLICIES:
        raise fields.invalid(("on_item_failure",), 'must be "abort" or "continue"')
    top = fields.known_fields(
        {k: v for k, v in body.items() if k not in BATCH_FIELDS}, kind.fields | BATCH_FIELDS
    )
    limit = settings().max_batch_items
    requests = _item_requests(kind, body, limit)
    bindings = _bindings(kind, body, limit)
    if len(requests) * len(bindings) > limit:
        raise fields.invalid(
            ("parameters",),
            f"makes {len(requests) * len(bindings):,} items with the {len(requests):,} items;"
            f" at most {limit:,} are allowed",
            status=413,
        )
    programs: list[str] = []
    items: list[dict[str, Any]] = []
    checked: dict[str, dict[str, Any]] = {}
    problems = fields.Problems()
    found: list[dict[str, Any]] = []
    for at, item in requests:
        with problems.check():
            found.append(_checked(kind, {**top, **item}, item, at, bindings, checked))
    problems.raise_any()
    for validated in found:
        source = validated.pop("source")
        if source not in programs:
            programs.append(source)
        for binding in bindings:
            entry = {"program": programs.index(source), **validated}
            if binding is not None:
                entry["parameters"] = binding
            items.append(entry)
    return {
        "programs": programs,
        "items": items,
        "on_item_failure": policy,
        "time_limit": max(item["time_limit"] for item in items),
    }


def _item_requests(
    kind: JobKind, body: dict[str, Any], limit: int
) -> list[tuple[fields.Location, dict[str, Any]]]:
    """Each item's own fields and where they are; one empty item without `items`."""
    if "items" not in body:
        return [((), {})]
    listed = fields.array(body["items"], ("items",), max_items=limit)
    return [
        (("items", i), fields.known_fields(item, kind.fields, ("items", i)))
        for i, item in enumerate(listed)
    ]


def _bindings(kind: JobKind, body: dict[str, Any], limit: int) -> list[dict[str, Any] | None]:
    if "parameters" not in body:
        return [None]
    if kind.name != "circuit":
        raise fields.invalid(("parameters",), "is for circuit jobs (OpenQASM 3 inputs)")
    listed = fields.array(body["parameters"], ("parameters",), max_items=limit)
    for j, binding in enumerate(listed):
        if not isinstance(binding, dict):
            raise fields.invalid(
                ("parameters", j),
                f"must be an object of input values, not {fields.json_type(binding)}",
            )
    return listed


def _checked(
    kind: JobKind,
    merged: dict[str, Any],
    item: dict[str, Any],
    at: fields.Location,
    bindings: list[dict[str, Any] | None],
    checked: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """The kind's validation of one item (once per distinct item), bindings checked too."""
    key = json.dumps(merged, sort_keys=True)
    if key in checked:
        return dict(checked[key])
    source = merged.get("source")
    if not isinstance(source, str):
        source = ""
    swept = bindings != [None]
    try:
        inputs = _declared_inputs(source) if kind.name == "circuit" else []
        if inputs and not swept:
            raise fields.invalid(
                ("source",),
                "declares input parameters ("
                + ", ".join(i.name for i in inputs)
                + "); give their values with `parameters`",
            )
        if swept and not inputs:
            raise fields.invalid(
                ("source",), "declares no `input` parameters for `parameters` to give values to"
            )
        for declared in inputs:
            if not declared.numeric:
                raise fields.invalid(
                    ("source",),
                    f"declares input {declared.name} of type {declared.type}; a sweep gives"
                    " values to float and angle inputs only",
                )
        reason = _why_not_sweepable(source) if inputs else None
        if reason is not None:
            raise fields.invalid(("source",), reason)
        if inputs:
            placeholder = qasm_inputs.bound(source, inputs, {i.name: 0.0 for i in inputs})
            validated = kind.validate({**merged, "source": placeholder})
            validated["source"] = source
        else:
            validated = kind.validate(merged)
    except InvalidJob as error:
        raise InvalidJob.gathered([_moved(each, item, at) for each in error.each()]) from None
    problems = fields.Problems()
    for j, binding in enumerate(bindings):
        if binding is not None:
            with problems.check():
                _check_binding(binding, inputs, j)
    problems.raise_any()
    checked[key] = validated
    return dict(validated)


def _check_binding(binding: dict[str, Any], inputs: list[qasm_inputs.Input], j: int) -> None:
    names = [i.name for i in inputs]
    for name, value in binding.items():
        if name not in names:
            raise fields.invalid(
                ("parameters", j, name),
                "is not an input of the program; its inputs are: " + ", ".join(names),
            )
        fields.finite_number(value, ("parameters", j, name))
    for name in names:
        if name not in binding:
            raise fields.invalid(("parameters", j, name), "is required: the program's input")


def _moved(error: InvalidJob, item: dict[str, Any], at: fields.Location) -> InvalidJob:
    """The kind's error, pointing into the item when the field came from it."""
    pointer = error.pointer or ""
    field = pointer.split("/")[1] if pointer.count("/") >= 1 else ""
    if not at or field not in item:
        return error
    return InvalidJob(
        f"items[{at[1]}].{error.detail}", pointer=fields.pointer(at) + pointer, status=error.status
    )


def _declared_inputs(source: str) -> list[qasm_inputs.Input]:
    """The program's `input` declarations, read in a compile worker (qdk parses it)."""
    try:
        return compiled(qasm_inputs.declared_inputs, source)
    except ProgramError as error:
        raise fields.invalid(("source",), f"cannot run: {error}") from None


def _why_not_sweepable(source: str) -> str | None:
    try:
        return compiled(qasm_inputs.why_not_sweepable, source)
    except ProgramError as error:
        raise fields.invalid(("source",), f"cannot run: {error}") from None
