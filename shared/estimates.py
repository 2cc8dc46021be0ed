"""What a job would take, before it runs (`POST /api/jobs?dry_run=true`).

Each distinct program is compiled to QIR for its target's profile (a remote target's own; the
Adaptive_RI profile for local.simulator, as close to what it runs as QIR gets), in an isolated
process like every compile, and its gates are counted in the QIR: one-qubit gates, two-qubit
gates and measurements. Loops come out unrolled, so the counts are what one shot executes
(both branches of a measured `if` are counted). A local program QIR cannot express (Q#
simulation-only intrinsics, say) gets `gates: null` and the compiler's reason.

A remote target's cost comes from the pricing table (pricing.py); null where it has none.
"""

from __future__ import annotations

import re
from typing import Any

from .kinds.batch_fields import is_batch_input
from .pricing import cost_of
from .solvers import qasm_inputs
from .solvers.compile_pool import compiled
from .solvers.program_text import ProgramError
from .solvers.qir import compile_to_qir
from .targets.catalog import RemoteTarget

PROGRAM_KINDS = ("circuit", "qsharp")
LOCAL_PROFILE = "Adaptive_RI"
_CALL = re.compile(r"call \w+ @__quantum__qis__(\w+?)__(?:body|adj|ctl)\((.*)\)")
_QUBIT_ARGUMENT = re.compile(r"to %Qubit\*\)|%Qubit\* null|ptr null")
_QUBITS = re.compile(r'"required_num_qubits"="(\d+)"')
_MEASUREMENTS = frozenset({"m", "mz", "mresetz"})


def gate_counts(qir: str) -> dict[str, int]:
    """{"qubits", "one_qubit", "two_qubit", "measurements"} of a QIR program's text."""
    counts = {"one_qubit": 0, "two_qubit": 0, "measurements": 0}
    for name, arguments in _CALL.findall(qir):
        if name in _MEASUREMENTS:
            counts["measurements"] += 1
        elif name != "reset":
            qubits = len(_QUBIT_ARGUMENT.findall(arguments))
            counts["one_qubit" if qubits <= 1 else "two_qubit"] += 1
    found = _QUBITS.search(qir)
    return {"qubits": int(found.group(1)) if found else 0, **counts}


def _program_counts(kind: str, program: dict[str, Any], profile: str) -> dict[str, Any]:
    source = program["source"]
    inputs = compiled(qasm_inputs.declared_inputs, source) if kind == "circuit" else []
    if inputs:  # a sweep's gates do not depend on its values
        source = qasm_inputs.inlined(source, inputs, {i.name: 0.0 for i in inputs})
    try:
        qir = compile_to_qir(kind, {**program, "source": source}, profile)
    except ProgramError as error:
        return {"gates": None, "note": f"not compiled to QIR: {error}"}
    counts = gate_counts(qir.bitcode.decode())
    qubits = counts.pop("qubits")
    return {"qubits": qubits, "gates": counts}


def _programs(kind: str, problem: dict[str, Any]) -> list[dict[str, Any]]:
    """Each item of the job as a single program's input (one for a job without items)."""
    if not is_batch_input(problem):
        return [problem]
    return [{**item, "source": problem["programs"][item["program"]]} for item in problem["items"]]


def estimate_of(
    kind: str, target: str, problem: dict[str, Any], remote: RemoteTarget | None
) -> dict[str, Any]:
    """The dry run's `estimate`: per item and in total, with a remote target's cost."""
    if kind not in PROGRAM_KINDS:
        return {"items": [], "totals": {}}
    profile = remote.provider.profile if remote is not None else LOCAL_PROFILE
    compiled: dict[tuple[str, str | None], dict[str, Any]] = {}
    items = []
    for index, program in enumerate(_programs(kind, problem)):
        key = (program["source"], program.get("entry"))
        if key not in compiled:
            compiled[key] = _program_counts(kind, program, profile)
        item = {"index": index, "shots": program["shots"], **compiled[key]}
        if remote is not None:
            item["cost"] = cost_of(target, program["shots"], item.get("gates"))
        items.append(item)
    return {"profile": profile, "items": items, "totals": _totals(items)}


def _totals(items: list[dict[str, Any]]) -> dict[str, Any]:
    counted = [item for item in items if item.get("gates") is not None]
    totals: dict[str, Any] = {"shots": sum(item["shots"] for item in items)}
    for name in ("one_qubit", "two_qubit", "measurements"):
        totals[name] = sum(item["gates"][name] for item in counted) if counted else None
    costs = [item["cost"] for item in items if "cost" in item]
    if costs:
        amounts = [cost["amount"] for cost in costs if cost and cost["amount"] is not None]
        totals["cost"] = (
            {"amount": round(sum(amounts), 6), "currency": costs[0]["currency"]}
            if len(amounts) == len(costs)
            else None
        )
    return totals
