"""Conditions on a parity of bits (`(m[0] ^ m[1]) == true`, as qiskit's OpenQASM 3 exporter
writes them) run on qiskit-aer, with OpenQASM's answers.

Each program puts k bits in uniform superposition and measures them, then flips flag r[0] in
the `if` block and r[1] in the `else` block of a parity condition. Every shot must show the
flags the condition gives for its measured bits, evaluated here in Python as OpenQASM defines
`^`, `==` and `!=`; with 4,000 shots every assignment of the bits is seen (checked), so each
form is verified exhaustively for k = 1 ... 4.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from shared.solvers import aer_engine, qasm
from shared.solvers.parity_conditions import MAX_PARITY_BITS, rewritten

SHOTS = 4000

# condition text for bits b0..b(k-1), and whether the `if` block runs for their parity
FORMS: dict[str, tuple[Callable[[list[str]], str], Callable[[int], bool]]] = {
    "(a ^ b) == true": (lambda bits: f"({' ^ '.join(bits)}) == true", lambda p: p == 1),
    "(a ^ b) == false": (lambda bits: f"({' ^ '.join(bits)}) == false", lambda p: p == 0),
    "(a ^ b) != true": (lambda bits: f"({' ^ '.join(bits)}) != true", lambda p: p == 0),
    "a ^ b": (lambda bits: " ^ ".join(bits), lambda p: p == 1),
    "(a ^ b) == 1": (lambda bits: f"({' ^ '.join(bits)}) == 1", lambda p: p == 1),
}


def program(k: int, condition: str, with_else: bool = True) -> str:
    otherwise = " else {\n  x r[1];\n}" if with_else else ""
    return (
        'OPENQASM 3.0;\ninclude "stdgates.inc";\n'
        f"qubit[{k}] q;\nqubit[2] r;\nbit[{k}] m;\nbit[2] f;\n"
        f"h q;\nm = measure q;\nif ({condition}) {{\n  x r[0];\n}}{otherwise}\n"
        "f = measure r;\n"
    )


@pytest.mark.parametrize("k", [2, 3, 4])
@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_shot_takes_the_branch_the_parity_condition_gives(form: str, k: int) -> None:
    write, holds = FORMS[form]
    source = program(k, write([f"m[{i}]" for i in range(k)]))
    assert qasm.why_qdk(source) is None  # it runs on qiskit-aer
    counts = aer_engine.run(source, None, shots=SHOTS, seed=11)
    seen = set()
    for key, times in counts.items():
        flags, bits = key.split()
        parity = bits.count("1") % 2
        expected_flags = "01" if holds(parity) else "10"  # f[1] f[0]
        assert flags == expected_flags, (key, times)
        seen.add(bits)
    assert len(seen) == 2**k


def test_a_parity_condition_without_else_flips_only_in_its_block() -> None:
    source = program(3, "(m[0] ^ m[2]) == true", with_else=False)
    counts = aer_engine.run(source, None, shots=SHOTS, seed=5)
    for key in counts:
        flags, bits = key.split()
        assert flags == ("01" if int(bits[0]) ^ int(bits[2]) else "00"), key


def test_aer_and_qdk_agree_on_a_parity_condition() -> None:
    source = program(3, "(m[0] ^ m[1] ^ m[2]) == true")
    on_aer = aer_engine.run(source, None, shots=SHOTS, seed=3)
    on_qdk, _ = qasm.run_on_qdk(source, shots=400, seed=3, should_stop=lambda: False)
    assert set(on_qdk) <= set(on_aer)


def test_nested_parity_conditions_are_both_rewritten() -> None:
    inner = "if ((m[1] ^ m[2]) == true) {\n  x r[1];\n}"
    source = program(3, "(m[0] ^ m[1]) == true", with_else=False).replace(
        "  x r[0];\n", f"  x r[0];\n{inner}\n"
    )
    assert "^" not in rewritten(source)
    counts = aer_engine.run(source, None, shots=SHOTS, seed=9)
    for key in counts:
        flags, bits = key.split()
        m0, m1, m2 = int(bits[2]), int(bits[1]), int(bits[0])
        outer = m0 ^ m1
        assert flags == f"{int(outer and m1 ^ m2)}{outer}", key


def test_a_parity_of_more_bits_than_the_cap_is_left_for_qdk() -> None:
    k = MAX_PARITY_BITS + 1
    source = program(k, " ^ ".join(f"m[{i}]" for i in range(k)))
    assert rewritten(source) == source
    assert qasm.why_qdk(source) == "a program qiskit's importer cannot read"


def test_a_condition_mixing_parity_with_other_operators_is_left_as_it_is() -> None:
    source = program(2, "(m[0] ^ m[1]) == true && m[0]")
    assert rewritten(source) == source


def test_a_comment_mentioning_a_parity_is_not_rewritten() -> None:
    source = program(2, "m[0]").replace("h q;", "// if (m[0] ^ m[1]) { x r[0]; }\nh q;")
    assert rewritten(source) == source
