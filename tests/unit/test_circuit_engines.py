"""The circuit engines: which one runs a program, and that both give the same counts."""

from __future__ import annotations

import pytest

from shared.kinds import KINDS, InvalidJob
from shared.solvers.qasm import run, run_on_aer, run_on_qdk, why_qdk

Q3 = 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'
Q2 = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n'

# Programs that qiskit-aer runs, each with fixed outcomes (keys must match exactly) ...
FIXED = {
    "bell register": Q3 + "qubit[2] q;\nbit[2] c;\nx q[0];\ncx q[0], q[1];\nc = measure q;\n",
    "registers of openqasm 2": Q2 + "qreg q[3];\ncreg a[2];\ncreg b[1];\nx q[0];\nx q[2];\n"
    "measure q[0] -> a[0];\nmeasure q[1] -> a[1];\nmeasure q[2] -> b[0];\n",
    "single bits and a register": Q3 + "qubit[3] q;\nbit a;\nbit[2] b;\nbit d;\nx q[1];\nx q[2];\n"
    "a = measure q[0];\nb[0] = measure q[1];\nb[1] = measure q[0];\nd = measure q[2];\n",
    "user gate": Q3 + "gate flip2 a, b { x a; x b; }\nqubit[3] q;\nbit[3] c;\nflip2 q[0], q[2];\n"
    "c = measure q;\n",
    "reset after measurement": Q3 + "qubit q;\nbit[2] c;\nx q;\nc[0] = measure q;\nreset q;\n"
    "c[1] = measure q;\n",
    "no classical bits": Q3 + "qubit q;\nh q;\n",
}
# ... and with random outcomes (distributions must match).
RANDOM = {
    "rotations and entanglement": Q3 + "qubit[3] q;\nbit[3] c;\nrx(0.7) q[0];\nry(1.9) q[1];\n"
    "cx q[0], q[2];\nh q[2];\ncz q[1], q[2];\nc = measure q;\n",
    "mid-circuit measurement": Q2 + "qreg q[2];\ncreg m[1];\ncreg c[2];\nh q[0];\n"
    "measure q[0] -> m[0];\ncx q[0], q[1];\nh q[0];\nmeasure q -> c;\n",
}
SHOTS = 4000


def never() -> bool:
    return False


def aer_counts(source: str, shots: int, seed: int) -> dict[str, int]:
    return run_on_aer(source, shots=shots, seed=seed)


def qdk_counts(source: str, shots: int, seed: int) -> dict[str, int]:
    return run_on_qdk(source, shots=shots, seed=seed, should_stop=never)[0]


def total_variation(a: dict[str, int], b: dict[str, int]) -> float:
    na, nb = sum(a.values()), sum(b.values())
    return sum(abs(a.get(k, 0) / na - b.get(k, 0) / nb) for k in {*a, *b}) / 2


@pytest.mark.parametrize("source", FIXED.values(), ids=FIXED.keys())
def test_both_engines_give_the_same_counts_for_fixed_outcomes(source: str) -> None:
    assert why_qdk(source) is None
    assert aer_counts(source, 50, seed=1) == qdk_counts(source, 50, seed=1)


@pytest.mark.parametrize("source", RANDOM.values(), ids=RANDOM.keys())
def test_both_engines_give_the_same_keys_and_distribution(source: str) -> None:
    assert why_qdk(source) is None
    aer, qdk = aer_counts(source, SHOTS, seed=3), qdk_counts(source, SHOTS, seed=3)
    assert set(aer) == set(qdk)
    assert total_variation(aer, qdk) < 0.05


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        ("end;", "classical control"),
        ("int[8] k = 3;", "classical variables other than bits"),
        ("output bit r;\nr = measure q[0];", "output declarations"),
        ("c[1] = c[0];", "classical assignments"),
    ],
)
def test_programs_that_need_qdk_are_routed_there_with_the_reason(
    statement: str, reason: str
) -> None:
    source = Q3 + "qubit[2] q;\nbit[2] c;\nh q[0];\nc = measure q;\n" + statement + "\n"
    assert why_qdk(source) == reason


def test_a_program_qiskit_cannot_read_runs_on_qdk() -> None:
    # qiskit's OpenQASM 3 importer has no arccos; qdk evaluates it.
    source = Q3 + "qubit q;\nbit c;\nx q;\nrx(arccos(1.0)) q;\nc = measure q;\n"
    assert why_qdk(source) == "a program qiskit's importer cannot read"
    assert run(source, shots=10, seed=1, should_stop=never) == ({"1": 10}, 10)


@pytest.mark.parametrize(
    "statement",
    [
        "if (c[0]) x q[1];",
        "if (c == 1) x q[1];",
        "for int i in [0:1] { h q[0]; }",
        "while (c[0]) { c[0] = measure q[0]; }",
    ],
)
def test_classical_control_that_qiskit_reads_runs_on_aer(statement: str) -> None:
    source = Q3 + "qubit[2] q;\nbit[2] c;\nh q[0];\nc = measure q;\n" + statement + "\n"
    assert why_qdk(source) is None


def test_classical_control_runs_on_qdk_with_the_same_keys() -> None:
    source = Q3 + "qubit[2] q;\nbit[2] c;\nx q[0];\nc[0] = measure q[0];\n"
    source += "if (c[0]) x q[1];\nc[1] = measure q[1];\n"
    assert run_on_qdk(source, shots=20, seed=1, should_stop=never) == ({"11": 20}, 20)


def test_the_same_seed_gives_the_same_counts_on_aer() -> None:
    source = RANDOM["rotations and entanglement"]
    assert aer_counts(source, 500, seed=9) == aer_counts(source, 500, seed=9)
    assert aer_counts(source, 500, seed=9) != aer_counts(source, 500, seed=10)


def dense_terminal(qubits: int) -> str:
    lines = [Q3, f"qubit[{qubits}] q;\nbit[{qubits}] c;\n"]
    lines += [f"h q[{k}];\ncx q[{k}], q[{(k + 1) % qubits}];\n" for k in range(qubits)]
    return "".join(lines) + "c = measure q;\n"


def test_more_qubits_than_qdk_takes_are_accepted_for_aer() -> None:
    job = KINDS["circuit"].validate({"source": dense_terminal(24)})
    assert job["source"].startswith(Q3)


def test_more_qubits_than_qdk_takes_are_413_for_a_program_only_qdk_runs() -> None:
    source = dense_terminal(24) + "int[8] k = 3;\n"
    with pytest.raises(InvalidJob) as raised:
        KINDS["circuit"].validate({"source": source})
    assert raised.value.status == 413
    assert "classical variables" in raised.value.detail


def test_more_qubits_than_aer_takes_are_413() -> None:
    with pytest.raises(InvalidJob) as raised:
        KINDS["circuit"].validate({"source": dense_terminal(27)})
    assert raised.value.status == 413
