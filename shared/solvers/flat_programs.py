"""A program as qiskit's importer reads it, rewritten for qdk in gates qdk cannot misread.

qdk is given this text instead of the caller's when it would read the caller's differently
from qiskit (and so from qiskit-aer, the reference): gate angles it would wrap into
[0, 2 pi) (`qdk_angles`), or hardware qubits (`$0`), which qdk does not take at all. Every gate
is decomposed into `rz`, `sx`, `x` and `cx` on declared qubits; the only angles left are
uncontrolled `rz` ones, which may wrap (a global phase). Classical declarations, measurements
and control flow stay as qiskit's OpenQASM 3 exporter writes them.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import aer_engine
from .circuit_route import BitVariable

BASIS = ["rz", "sx", "x", "cx"]


def flattened(source: str, variables: Sequence[BitVariable]) -> str | None:
    """`source` rewritten as OpenQASM 3 in BASIS, or None when qiskit's importer cannot
    read it. `variables`: the program's bit variables, which the rewrite keeps in order."""
    from qiskit import qasm3, transpile

    try:
        circuit = aer_engine.circuit(source, variables)
    except aer_engine.UnreadableProgram:
        return None
    return str(qasm3.dumps(transpile(circuit, basis_gates=BASIS, optimization_level=0)))
