"""Angles qdk would wrap into [0, 2 pi) give aer's counts anyway, on qdk and in the QIR.

qdk reads gate angles as OpenQASM 3 `angle`s; qiskit-aer, the reference, as real numbers.
Each program puts both qubits in states where a Z on either shows in the counts, so a
controlled rotation off by 2 pi (a relative phase) cannot pass unseen.
"""

from __future__ import annotations

import pytest
from qir_counts import qir_counts

from shared.solvers import qasm, qdk_angles
from shared.solvers.program_text import ProgramError

SHOTS = 4000
Q2 = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\n'
Q3 = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\nbit[2] c;\n'
BEFORE = "ry(0.4) q[0];\nry(0.7) q[1];\nrz(0.2) q[1];\n"
AFTER = "h q[0];\nh q[1];\n"
WRAPPING = (-2.5, -1.9, -0.8, -3.0), (7.0, 8.1, 9.2, 13.0)  # below 0, above 2 pi

OPENQASM2 = {  # gate: (parameters, qubits)
    "crx": (1, 2), "cry": (1, 2), "crz": (1, 2), "cu1": (1, 2), "cp": (1, 2),
    "cu3": (3, 2), "cu": (4, 2), "rxx": (1, 2), "rzz": (1, 2), "u3": (3, 1), "p": (1, 1),
}  # fmt: skip
OPENQASM3 = {
    "crx": (1, 2), "cry": (1, 2), "crz": (1, 2), "cu": (4, 2), "cp": (1, 2),
    "ctrl @ rz": (1, 2), "ctrl @ rx": (1, 2), "ctrl @ U": (3, 2), "ctrl @ u2": (2, 2),
    "negctrl @ ry": (1, 2), "rz": (1, 1), "U": (3, 1),
}  # fmt: skip


def program(header: str, gate: str, parameters: int, qubits: int, angles: tuple) -> str:
    arguments = ", ".join(map(str, angles[:parameters]))
    targets = ", ".join(f"q[{k}]" for k in range(qubits))
    measure = "measure q -> c;\n" if header is Q2 else "c = measure q;\n"
    return f"{header}{BEFORE}{gate}({arguments}) {targets};\n{AFTER}{measure}"


def distance(a: dict[str, int], b: dict[str, int]) -> float:
    return sum(abs(a.get(k, 0) - b.get(k, 0)) for k in {*a, *b}) / 2 / SHOTS


def qdk_counts(source: str) -> dict[str, int]:
    return qasm.run_on_qdk(source, shots=SHOTS, seed=3, should_stop=lambda: False)[0]


CASES = [
    pytest.param(header, gate, shape, angles, id=f"qasm{version} {gate} {angles[0]}")
    for version, header, gates in ((2, Q2, OPENQASM2), (3, Q3, OPENQASM3))
    for gate, shape in gates.items()
    for angles in WRAPPING
]


@pytest.mark.parametrize(("header", "gate", "shape", "angles"), CASES)
def test_angles_outside_0_to_2pi_give_aers_counts_on_qdk(
    header: str, gate: str, shape: tuple[int, int], angles: tuple
) -> None:
    source = program(header, gate, *shape, angles)
    assert distance(qdk_counts(source), qasm.run_on_aer(source, shots=SHOTS, seed=4)) < 0.05


@pytest.mark.parametrize("gate", ["crz", "cu3"])
def test_angles_outside_0_to_2pi_give_aers_counts_in_the_qir(gate: str) -> None:
    source = program(Q2, gate, *OPENQASM2[gate], WRAPPING[0])
    assert (
        distance(qir_counts(source, SHOTS, seed=3), qasm.run_on_aer(source, shots=SHOTS, seed=4))
        < 0.05
    )


def test_a_gate_defined_with_parameters_computes_with_real_numbers() -> None:
    # on qdk's angles, -x/2 with x = 0.8 is pi - 0.4
    source = Q3 + BEFORE + "gate g(x) a { rz(-x/2) a; rx(x) a; }\nctrl @ g(0.8) q[0], q[1];\n"
    source += AFTER + "c = measure q;\n"
    assert distance(qdk_counts(source), qasm.run_on_aer(source, shots=SHOTS, seed=4)) < 0.05


@pytest.mark.parametrize(
    "call",
    ["rz(-0.3) q[0];", "crz(0.3) q[0], q[1];", "ctrl @ p(-9.5) q[0], q[1];", "cx q[0], q[1];"],
)
def test_calls_right_for_any_angle_keep_the_program_as_written(call: str) -> None:
    source = f"{Q3}{call}\nc = measure q;\n"
    assert qdk_angles.wrap_sensitive_call(qasm._analyze(source), source) is None
    assert call in qasm.for_qdk(source)


def test_a_program_only_qdk_reads_is_refused_when_an_angle_would_wrap() -> None:
    # qiskit's importer reads no subroutines, so no rewrite is known to be right
    source = Q3 + "def flip(qubit a) { x a; }\nflip(q[0]);\ncrz(-0.3) q[0], q[1];\n"
    source += "c = measure q;\n"
    with pytest.raises(ProgramError, match=r"line 7: `crz` takes an angle"):
        qasm.check(source)


def test_a_program_only_qdk_reads_runs_when_its_angles_do_not_wrap() -> None:
    source = Q3 + "def flip(qubit a) { x a; }\nflip(q[0]);\ncrz(0.3) q[0], q[1];\n"
    source += "c = measure q;\n"
    assert qasm.check(source) == 2
    assert qdk_counts(source) == {"01": SHOTS}
