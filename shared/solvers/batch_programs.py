"""A batch's items (kinds/batch_fields.py's job input) as single programs for QIR.

QIR has no run-time parameters (qdk compiles an OpenQASM `input` only with its value given:
"Circuit has unbound input parameters"), so a sweep item's program is its source with the
binding's values written in (`qasm_inputs.inlined`), one QIR program per binding.
"""

from __future__ import annotations

import functools
from typing import Any

from . import qasm_inputs
from .compile_pool import compiled
from .qir import COMPILED_KEPT, compile_to_qir


@functools.lru_cache(maxsize=COMPILED_KEPT)
def _declared_inputs(source: str) -> list[qasm_inputs.Input]:
    return compiled(qasm_inputs.declared_inputs, source)


def item_program(problem: dict[str, Any], index: int) -> dict[str, Any]:
    """Item `index` of a batch's job input as a single program's input (ProgramError when
    its source does not read)."""
    item = problem["items"][index]
    source = problem["programs"][item["program"]]
    binding = item.get("parameters")
    if binding is not None:
        source = qasm_inputs.inlined(source, _declared_inputs(source), binding)
    return {**item, "source": source}


def check_batch_profile(kind: str, problem: dict[str, Any], profile: str) -> None:
    """Raise ProgramError as compiling the batch's items for `profile` would: each distinct
    program once (a sweep's with its inputs at 0: its gates do not depend on their values)."""
    seen: set[tuple[int, str | None]] = set()
    for item in problem["items"]:
        key = (item["program"], item.get("entry"))
        if key in seen:
            continue
        seen.add(key)
        source = problem["programs"][item["program"]]
        if item.get("parameters") is not None:
            inputs = _declared_inputs(source)
            source = qasm_inputs.inlined(source, inputs, {i.name: 0.0 for i in inputs})
        compile_to_qir(kind, {**item, "source": source}, profile)
