"""Every gate of Qiskit's qelib1.inc runs, and runs right, on both engines."""

from __future__ import annotations

import pytest
from qiskit import qasm2
from qiskit.circuit import library
from qiskit.quantum_info import Operator

from shared.solvers import qasm
from shared.solvers.qelib1_gates import DEFINITIONS, with_qelib1_gates

Q2 = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n'
PARAMETERS = (0.3, 1.1, -0.7, 0.5)
QISKIT_GATES = {
    "u0": library.IGate(),
    "u": library.UGate(0.3, 1.1, -0.7),
    "p": library.PhaseGate(0.3),
    "sx": library.SXGate(),
    "swap": library.SwapGate(),
    "cswap": library.CSwapGate(),
    "crx": library.CRXGate(0.3),
    "cry": library.CRYGate(0.3),
    "cp": library.CPhaseGate(0.3),
    "cu": library.CUGate(0.3, 1.1, -0.7, 0.5),
    "csx": library.CSXGate(),
    "rccx": library.RCCXGate(),
    "rc3x": library.RC3XGate(),
    "c4x": library.C4XGate(),
}
LEGACY = {i.name: i for i in qasm2.LEGACY_CUSTOM_INSTRUCTIONS if i.name != "delay"}


def applied(name: str) -> str:
    gate = LEGACY[name]
    values = (1,) if name == "u0" else PARAMETERS  # u0's parameter counts idle periods
    arguments = "(" + ", ".join(map(str, values[: gate.num_params])) + ")"
    qubits = ", ".join(f"q[{k}]" for k in range(gate.num_qubits))
    return f"{name}{arguments if gate.num_params else ''} {qubits};"


@pytest.mark.parametrize("name", DEFINITIONS)
def test_a_definition_is_qiskits_gate(name: str) -> None:
    gate = QISKIT_GATES[name]
    others = [i for i in qasm2.LEGACY_CUSTOM_INSTRUCTIONS if i.name != name]
    source = f"{Q2}{DEFINITIONS[name]}\nqreg q[{gate.num_qubits}];\n{applied(name)}\n"
    defined = Operator(qasm2.loads(source, custom_instructions=others))
    if name == "sx":  # up to its global phase, which OpenQASM 2 cannot observe
        assert defined.equiv(Operator(gate))
    else:
        assert defined == Operator(gate)


@pytest.mark.parametrize("name", sorted(set(LEGACY) - {"u0"}))
def test_every_gate_of_qiskits_qelib1_gives_aers_counts_on_qdk(name: str) -> None:
    """Rotations around the gate make its action (relative phases included) show in counts."""
    gate = LEGACY[name]
    width = gate.num_qubits
    before = "".join(f"ry({0.4 + 0.3 * k}) q[{k}];\nrz({0.2 * k}) q[{k}];\n" for k in range(width))
    after = "".join(f"h q[{k}];\n" for k in range(width))
    source = f"{Q2}qreg q[{width}];\ncreg c[{width}];\n{before}{applied(name)}\n{after}"
    source += "measure q -> c;\n"
    aer = qasm.run_on_aer(source, shots=4000, seed=2)
    qdk, _ = qasm.run_on_qdk(source, shots=4000, seed=2, should_stop=lambda: False)
    distance = sum(abs(aer.get(k, 0) - qdk.get(k, 0)) for k in {*aer, *qdk}) / 2 / 4000
    assert distance < 0.05


def test_integer_gate_arguments_qdk_refuses_run_on_aer() -> None:
    # qdk takes no integer as an angle (nor u0's idle count, which qiskit wants whole).
    source = f"{Q2}qreg q[1];\ncreg c[1];\nu0(1) q[0];\nrx(3) q[0];\nu1(2) q[0];\n"
    source += "measure q[0] -> c[0];\n"
    assert qasm.check(source) == 1
    counts, _ = qasm.run(source, shots=2000, seed=1, should_stop=lambda: False)
    assert 0.9 < counts["1"] / 2000 < 1  # sin^2(3/2) = 0.995


def test_a_program_that_defines_a_gate_itself_keeps_its_definition() -> None:
    source = f"{Q2}gate sx a {{ x a; }}\nqreg q[1];\nsx q[0];\n"
    assert with_qelib1_gates(source) == source


def test_definitions_keep_the_programs_line_numbers() -> None:
    source = f"{Q2}qreg q[2];\nswap q[0], q[1];\n"
    assert with_qelib1_gates(source).count("\n") == source.count("\n")
