"""Programs qdk would misread reach it as qiskit reads them, and run right in the QIR."""

from __future__ import annotations

import pytest
from qir_counts import qir_counts

from shared.solvers import qasm, qir
from shared.solvers.program_text import ProgramError

HARDWARE = """OPENQASM 3.0;
include "stdgates.inc";
bit[3] c;
x $0;
cx $0, $2;
c[0] = measure $0;
c[1] = measure $1;
c[2] = measure $2;
"""


def test_hardware_qubits_compile_for_remote_targets() -> None:
    assert qir_counts(HARDWARE, 10, profile="Base") == {"101": 10}


def test_hardware_qubits_run_locally_with_the_same_counts() -> None:
    counts, _ = qasm.run(HARDWARE, shots=10, seed=1, should_stop=lambda: False)
    assert counts == {"101": 10}


def test_hardware_qubits_qiskit_cannot_read_are_refused_with_the_reason() -> None:
    source = HARDWARE.replace("bit[3] c;", "bit[3] c;\nint n = 2;")  # no classical ints
    with pytest.raises(ProgramError, match=r"hardware qubits such as \$\d"):
        qir.compile_to_qir("circuit", {"source": source}, "Base")
