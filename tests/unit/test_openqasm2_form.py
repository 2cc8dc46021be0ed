"""OpenQASM 3 with an OpenQASM 2 form is read by qiskit's native parser, as the same circuit."""

from __future__ import annotations

import warnings

import pytest
from circuit_corpus import aer_counts, agree, programs
from qiskit import qasm2, qasm3

from shared.solvers.openqasm2_form import openqasm2_form

HEADER = 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'
CORPUS = [
    program
    for program in programs((4,), ("ghz", "qft", "qpeexact", "randomcircuit", "vqe_su2"))
    if program.name.endswith("qasm3")
]


def both_readings(source: str) -> tuple[object, object]:
    form = openqasm2_form(source)
    assert form is not None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return qasm3.loads(source), qasm2.loads(
            form, custom_instructions=qasm2.LEGACY_CUSTOM_INSTRUCTIONS
        )


@pytest.mark.parametrize(
    "program", [p for p in CORPUS if openqasm2_form(p.source)], ids=lambda p: p.name
)
def test_a_corpus_programs_two_readings_give_the_same_counts(program: object) -> None:
    by_qasm3, by_qasm2 = both_readings(program.source)  # type: ignore[attr-defined]
    assert agree(aer_counts(by_qasm2, 4000, seed=1), aer_counts(by_qasm3, 4000, seed=2))[0]


def test_native_gates_programs_as_qiskit_and_mqt_bench_export_them_have_a_form() -> None:
    native = [p for p in CORPUS if " native " in p.name or p.name.startswith("library")]
    assert native and all(openqasm2_form(p.source) is not None for p in native)


def test_hardware_qubits_become_one_register_up_to_the_highest_number() -> None:
    source = HEADER + "bit[2] c;\nx $7;\nc[0] = measure $7;\nc[1] = measure $2;\n"
    form = openqasm2_form(source)
    assert form is not None and "qreg hardware[8];" in form
    assert "x hardware[7];" in form and "measure hardware[2] -> c[1];" in form


def test_phase_gates_are_renamed_and_angles_kept() -> None:
    source = HEADER + "qubit[2] q;\nphase(-pi/4) q[0];\ncphase(1.5e-1) q[0], q[1];\n"
    assert openqasm2_form(source) == (
        'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\np(-pi/4) q[0];\ncp(1.5e-1) q[0], q[1];\n'
    )


@pytest.mark.parametrize(
    "statement",
    [
        "gate g a { x a; }",
        "ctrl @ x q[0], q[1];",
        "if (c[0]) x q[0];",
        "int n = 2;",
        "x q[0:1];",
        "rz(theta) q[0];",
        "rzz(0.1) q[0], q[1];",
        "Qx q[0];",
        "gphase(0.1);",
        'include "other.inc";',
    ],
)
def test_anything_openqasm_2_lacks_has_no_form(statement: str) -> None:
    source = HEADER + f"qubit[2] q;\nbit[2] c;\n{statement}\nc = measure q;\n"
    assert openqasm2_form(source) is None
