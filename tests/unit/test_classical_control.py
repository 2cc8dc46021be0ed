"""Classical control gives OpenQASM's answers on every path: local.simulator's routing, qdk
itself, qiskit-aer, and the QIR compiled for remote targets (run on qdk's QIR simulator, which
is what the Azure Quantum stand-in runs).

Each program sets a 3-bit register c to a value v (c[0] its least significant bit), then
flips the flag r when a condition on c holds. The expected counts come from the condition
evaluated here in Python, as OpenQASM defines it, never from an engine.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from qir_counts import qir_counts

from shared.solvers import aer_engine, qasm

WIDTH = 3
VALUES = (0, 1, 4, 6)


def never() -> bool:
    return False


def openqasm3(value: int, condition: str, version: str = "3.0") -> str:
    sets = "".join(f"x q[{k}];\n" for k in range(WIDTH) if value >> k & 1)
    return (
        f'OPENQASM {version};\ninclude "stdgates.inc";\nqubit[4] q;\nbit[3] c;\nbit r;\n'
        f"{sets}c = measure q[0:2];\n{condition}\nr = measure q[3];\n"
    )


def openqasm2(value: int, compared: int) -> str:
    sets = "".join(f"x q[{k}];\n" for k in range(WIDTH) if value >> k & 1)
    return (
        'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[4];\ncreg c[3];\ncreg r[1];\n'
        f"{sets}measure q[0] -> c[0];\nmeasure q[1] -> c[1];\nmeasure q[2] -> c[2];\n"
        f"if(c=={compared}) x q[3];\nmeasure q[3] -> r[0];\n"
    )


def expected(value: int, flipped: bool, shots: int) -> dict[str, int]:
    return {f"{int(flipped)} {value:03b}": shots}


# (OpenQASM 3 statement, what it does by OpenQASM's definition, the version it needs)
FORMS: dict[str, tuple[str, Callable[[int], bool], str]] = {
    "c == n": ("if (c == 1) x q[3];", lambda v: v == 1, "3.0"),
    "c == larger n": ("if (c == 4) x q[3];", lambda v: v == 4, "3.0"),
    "c == bit string": ('if (c == "110") x q[3];', lambda v: v == 6, "3.0"),
    "c[i]": ("if (c[2]) x q[3];", lambda v: bool(v & 4), "3.0"),
    "not c[i]": ("if (!c[0]) x q[3];", lambda v: not v & 1, "3.0"),
    "else branch": ("if (c == 6) { } else { x q[3]; }", lambda v: v != 6, "3.0"),
    "c != n": ("if (c != 1) x q[3];", lambda v: v != 1, "3.0"),
    "c > n": ("if (c > 3) x q[3];", lambda v: v > 3, "3.0"),
    "bitwise and": ("if ((c & 2) == 2) x q[3];", lambda v: bool(v & 2), "3.0"),
    "int from register": ("int k = c;\nif (k == 4) x q[3];", lambda v: v == 4, "3.0"),
    "slice as number": ("if (c[1:2] == 3) x q[3];", lambda v: v >> 1 == 3, "3.0"),
    "register literal": ("bit[3] d = 6;\nif (c == d) x q[3];", lambda v: v == 6, "3.0"),
    "bit string literal": (
        'bit[3] d = "001";\nif (d[0] && c[0]) x q[3];',
        lambda v: bool(v & 1),
        "3.0",
    ),
    "switch": (
        "switch (c) { case 1 { x q[3]; } case 6 { x q[3]; } default { } }",
        lambda v: v in (1, 6),
        "3.1",
    ),
    "while": (
        "int n = 0;\nwhile (n < c) { x q[3]; n += 1; }",
        lambda v: v % 2 == 1,
        "3.0",
    ),
    "while on a register": (
        "while (c == 1) { x q[3]; c[0] = 0; }",
        lambda v: v == 1,
        "3.0",
    ),
    "for": ("int n = c;\nfor int i in [1:n] { x q[3]; }", lambda v: v % 2 == 1, "3.0"),
}
# "while on a register" writes c[0]: its expected register is read after the loop.
AFTER = {"while on a register": lambda v: 0 if v == 1 else v}


def flag_and_register(counts: dict[str, int]) -> dict[str, int]:
    """Counts keyed by "r c" only (a form's own variables, declared last, print first)."""
    found: dict[str, int] = {}
    for key, times in counts.items():
        short = " ".join(key.split()[-2:])
        found[short] = found.get(short, 0) + times
    return found


def form_cases() -> list[tuple[str, int]]:
    return [(name, value) for name in FORMS for value in VALUES]


def form_program(name: str, value: int) -> tuple[str, dict[str, int]]:
    statement, holds, version = FORMS[name]
    final = AFTER.get(name, lambda v: v)(value)
    return openqasm3(value, statement, version), expected(final, holds(value), 10)


@pytest.mark.parametrize(("name", "value"), form_cases())
def test_openqasm3_classical_control_on_local_simulator(name: str, value: int) -> None:
    source, counts = form_program(name, value)
    found, shots = qasm.run(source, shots=10, seed=1, should_stop=never)
    assert (flag_and_register(found), shots) == (counts, 10)


@pytest.mark.parametrize(("name", "value"), form_cases())
def test_openqasm3_classical_control_on_qdk(name: str, value: int) -> None:
    source, counts = form_program(name, value)
    found, shots = qasm.run_on_qdk(source, shots=10, seed=1, should_stop=never)
    assert (flag_and_register(found), shots) == (counts, 10)


@pytest.mark.parametrize(("name", "value"), form_cases())
def test_openqasm3_classical_control_on_aer_when_qiskit_reads_it(name: str, value: int) -> None:
    source, counts = form_program(name, value)
    try:
        assert qasm.run_on_aer(source, shots=10, seed=1) == counts
    except aer_engine.UnreadableProgram:
        pytest.skip("qiskit's importer does not read this form")


@pytest.mark.parametrize("value", range(8))
@pytest.mark.parametrize("compared", range(8))
def test_openqasm2_if_on_a_register_on_local_simulator_and_qdk(value: int, compared: int) -> None:
    source = openqasm2(value, compared)
    counts = expected(value, value == compared, 10)
    assert qasm.run(source, shots=10, seed=1, should_stop=never) == (counts, 10)
    assert qasm.run_on_qdk(source, shots=10, seed=1, should_stop=never) == (counts, 10)


@pytest.mark.parametrize(("value", "compared"), [(1, 1), (1, 4), (4, 4), (6, 3), (3, 6)])
def test_openqasm2_if_on_a_register_in_the_qir_for_remote_targets(
    value: int, compared: int
) -> None:
    source = openqasm2(value, compared)
    assert qir_counts(source, 5) == expected(value, value == compared, 5)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        (name, value)
        for name in ("c == n", "c == bit string", "c > n", "slice as number")
        for value in (1, 6)
    ],
)
def test_openqasm3_conditions_in_the_qir_for_remote_targets(name: str, value: int) -> None:
    source, counts = form_program(name, value)
    assert flag_and_register(qir_counts(source, 10)) == counts


def test_a_number_turned_into_bits_by_an_expression_is_refused_not_run_wrong() -> None:
    source = openqasm3(1, "c = c << 1;\nif (c[1]) x q[3];")
    with pytest.raises(qasm.ProgramError, match="bit array"):
        qasm.run_on_qdk(source, shots=1, seed=1, should_stop=never)
