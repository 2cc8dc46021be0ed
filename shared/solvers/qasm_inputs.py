"""OpenQASM 3 `input` parameters: which a program declares, and running it for many bindings.

`qasm.check` and `qasm.run` take programs that run as they are, so they refuse `input`
declarations. A parameter sweep gives the inputs their values: `bound` writes each input as a
constant (`input float[64] theta;` becomes `const float[64] theta = 0.5;`), which is what the
checks see, and `SweepProgram` runs the program for each binding with the parsing and
compiling done once: qiskit reads the program with its inputs as circuit parameters, and each
binding only assigns them before qiskit-aer samples it. So a sweep takes the programs
qiskit-aer runs (see `circuit_route`); `why_not_sweepable` says why another is refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from qdk.openqasm import semantic

from . import aer_engine
from .circuit_route import bit_variables, needs_qdk
from .outcomes import outcome
from .program_text import ProgramError, check_text

# Input types a binding's JSON number can give a value to.
_NUMERIC = (semantic.FloatType, semantic.AngleType)


@dataclass(frozen=True)
class Input:
    name: str
    type: str
    numeric: bool
    span: tuple[int, int]  # of the declaration, in UTF-8 bytes of the source


def declared_inputs(source: str) -> list[Input]:
    """The program's `input` declarations in order ([] when it has none, or does not
    analyze: the program's own check then reports why)."""
    try:
        check_text(source)
        analysis = semantic.analyze(source)
    except (ProgramError, ValueError):
        return []
    return [
        Input(
            s.name,
            str(s.type),
            isinstance(s.type, _NUMERIC),
            (s.span.lo, s.span.hi),
        )
        for s in analysis.program.statements
        if isinstance(s, semantic.InputDeclaration)
    ]


def why_not_sweepable(source: str) -> str | None:
    """Why a program with inputs cannot be swept (it needs qdk), or None when it can."""
    reason = needs_qdk(semantic.analyze(source).program)
    if reason is None:
        return None
    return f"has {reason}, which only qdk runs; a sweep runs on qiskit-aer, which needs none"


def bound(source: str, inputs: list[Input], values: Mapping[str, float]) -> str:
    """`source` with each input declared as a constant of its value in `values`."""
    text = source.encode()
    pieces = []
    at = 0
    for declared in inputs:
        lo, hi = declared.span
        pieces.append(text[at:lo])
        value = repr(float(values[declared.name]))
        pieces.append(f"const {declared.type} {declared.name} = {value};".encode())
        at = hi
    pieces.append(text[at:])
    return b"".join(pieces).decode()


def inlined(source: str, inputs: list[Input], values: Mapping[str, float]) -> str:
    """`source` without its input declarations, each input's name replaced by its value:
    what compiles to QIR (a constant would be one more classical output). Names are replaced
    as words of the text, so this is for counting gates, not for running."""
    text = source.encode()
    kept = []
    at = 0
    for declared in inputs:
        kept.append(text[at : declared.span[0]])
        at = declared.span[1]
    kept.append(text[at:])
    program = b"".join(kept).decode()
    for declared in inputs:
        value = f"({float(values[declared.name])!r})"
        program = re.sub(rf"\b{re.escape(declared.name)}\b", value, program)
    return program


class SweepProgram:
    """One OpenQASM program with inputs, parsed and compiled once, run for any binding."""

    def __init__(self, source: str) -> None:
        """ProgramError when qiskit cannot read it (the sweep's items fail with it)."""
        reason = why_not_sweepable(source)
        if reason is not None:
            raise ProgramError(reason)
        self._variables = bit_variables(semantic.analyze(source).program)
        try:
            self._circuit = _compiled(source, self._variables)
        except aer_engine.UnreadableProgram as error:
            raise ProgramError(f"qiskit cannot read this program: {error}") from None
        from qiskit_aer import AerSimulator

        self._simulator = AerSimulator(method="statevector")

    def run(self, values: Mapping[str, float], *, shots: int, seed: int | None) -> dict[str, int]:
        """Counts per outcome, keys as `qasm.run` writes them."""
        circuit = self._circuit.assign_parameters(
            {parameter: float(values[parameter.name]) for parameter in self._circuit.parameters}
        )
        if circuit.num_clbits == 0:
            return {"": shots}
        options = {} if seed is None else {"seed_simulator": seed % 2**63}
        result = self._simulator.run(circuit, shots=shots, **options).result()
        if not result.success:
            raise ProgramError(f"qiskit-aer failed: {result.status}")
        counts: dict[str, int] = {}
        for bits, times in result.data(0)["counts"].items():
            key = outcome(aer_engine._shot(int(bits, 16), self._variables))
            counts[key] = counts.get(key, 0) + times
        return dict(sorted(counts.items()))


def _compiled(source: str, variables: list[Any]) -> Any:
    """The program as a qiskit circuit for qiskit-aer, its inputs left as parameters."""
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    circuit = aer_engine.circuit(source, variables)
    simulator = AerSimulator(method="statevector")
    if not set(circuit.count_ops()) <= set(simulator.target.operation_names):
        circuit = transpile(circuit, simulator, optimization_level=0)
    return circuit
