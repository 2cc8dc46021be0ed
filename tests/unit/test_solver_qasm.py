"""OpenQASM programs checked and run on qdk's local simulator."""

from __future__ import annotations

import pytest

from shared.solvers.program_text import MAX_ELSE, MAX_NESTING, MAX_OPERATORS
from shared.solvers.qasm import ProgramError, check, run, run_on_qdk, why_qdk

BELL_3 = """OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
bit[2] c;
h q[0];
cx q[0], q[1];
c = measure q;
"""

PRELUDE_3 = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\nbit c;\n'


def never() -> bool:
    return False


def counts(source: str, shots: int = 100, seed: int | None = 1) -> dict[str, int]:
    return run(source, shots=shots, seed=seed, should_stop=never)[0]


def test_bell_state_gives_only_equal_bits_roughly_balanced() -> None:
    result = counts(BELL_3, shots=1000)
    assert set(result) == {"00", "11"}
    assert sum(result.values()) == 1000
    assert 400 < result["00"] < 600


def test_same_seed_gives_the_same_counts() -> None:
    assert counts(BELL_3, shots=500, seed=7) == counts(BELL_3, shots=500, seed=7)


def test_different_seeds_give_different_counts() -> None:
    assert counts(BELL_3, shots=1000, seed=1) != counts(BELL_3, shots=1000, seed=2)


def test_bits_are_written_highest_index_first_in_openqasm_2() -> None:
    source = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[3];
creg c[3];
x q[0];
measure q -> c;
"""
    assert counts(source) == {"001": 100}


def test_bits_are_written_highest_index_first_in_openqasm_3() -> None:
    source = PRELUDE_3.replace("bit c;", "bit[2] c;") + "x q[1];\nc = measure q;\n"
    assert counts(source) == {"10": 100}


def test_registers_are_written_last_declared_first() -> None:
    source = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[3];
creg a[2];
creg b[1];
x q[0];
x q[2];
measure q[0] -> a[0];
measure q[1] -> a[1];
measure q[2] -> b[0];
"""
    assert counts(source) == {"1 01": 100}


def test_only_output_variables_are_written_when_declared() -> None:
    source = PRELUDE_3 + "output bit[2] r;\nint[8] k = 5;\nx q[0];\nr = measure q;\n"
    assert counts(source) == {"01": 100}


def test_program_without_classical_variables_counts_the_empty_outcome() -> None:
    assert counts('OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit q;\nh q;\n') == {"": 100}


def test_reports_the_shots_it_ran() -> None:
    assert run(BELL_3, shots=1234, seed=1, should_stop=never)[1] == 1234


def test_a_stop_request_ends_a_qdk_run_after_the_first_batch() -> None:
    result, shots = run_on_qdk(BELL_3, shots=10_000, seed=1, should_stop=lambda: True)
    assert 0 < shots < 10_000
    assert sum(result.values()) == shots


def test_check_counts_declared_qubits() -> None:
    source = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg a[3];\nqreg b[4];\n'
    assert check(source) == 7
    assert check("OPENQASM 3.0;\nqubit[5] q;\nqubit r;\n") == 6


def test_syntax_error_names_line_and_column() -> None:
    source = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2]\ncreg c[2];\n'
    with pytest.raises(ProgramError, match="line 4, column 1: expected `;`"):
        check(source)


def test_undefined_gate_is_an_error() -> None:
    with pytest.raises(ProgramError, match="undefined symbol: foo"):
        check("OPENQASM 3.0;\nqubit[2] q;\nfoo q[0];\n")


def test_includes_other_than_the_built_in_ones_are_refused() -> None:
    with pytest.raises(ProgramError, match="Could not resolve include file"):
        check('OPENQASM 3.0;\ninclude "/etc/hostname";\nqubit q;\n')


@pytest.mark.parametrize(
    "definition",
    [
        "def f(int k) -> int { return f(k - 1); }",
        "gate g a { g a; }",
    ],
)
def test_a_gate_or_subroutine_calling_itself_is_refused(definition: str) -> None:
    with pytest.raises(ProgramError, match="calls itself"):
        check(PRELUDE_3 + definition)


def test_hardware_qubits_run_on_aer_as_qiskits_exporter_writes_them() -> None:
    source = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nbit[1] c;\nx $3;\nc[0] = measure $3;\n'
    assert check(source) == 4
    assert run(source, shots=5, seed=1, should_stop=lambda: False) == ({"1": 5}, 5)


def test_hardware_qubits_qiskit_cannot_read_are_refused() -> None:
    with pytest.raises(ProgramError, match=r"hardware qubits such as \$3"):
        check('OPENQASM 3.0;\ninclude "stdgates.inc";\nx $3;\nrx(arccos(0.5)) $3;\n')


def test_a_comment_before_the_version_line_keeps_openqasm_2_on_aer() -> None:
    source = '// exported\nOPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\ncreg c[1];\n'
    source += "x q[0];\nmeasure q[0] -> c[0];\nif(c==1) x q[0];\n"
    assert why_qdk(source) is None


def test_a_missing_version_line_is_named() -> None:
    source = 'include "qelib1.inc";\nqreg q[1];\ncreg c[1];\nmeasure q[0] -> c[0];\n'
    with pytest.raises(ProgramError, match="no version line"):
        check(source)


def test_input_parameters_are_refused() -> None:
    with pytest.raises(ProgramError, match="input parameters"):
        check(PRELUDE_3 + "input float theta;\nrx(theta) q[0];\n")


def test_lone_surrogates_are_refused() -> None:
    with pytest.raises(ProgramError, match="Unicode"):
        check("OPENQASM 3.0;\n\ud800")


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("float f = " + "(" * 5_000 + "1" + ")" * 5_000 + ";", "brackets"),
        ("{" * 5_000 + "}" * 5_000, "brackets"),
        ("int f = " + "1 + " * 5_000 + "1;", "operators"),
        ("int f = " + "-" * 20_000 + "1;", "operators"),
        ("inv @ " * 5_000 + "x q[0];", "operators"),
        ("if (c) x q[0]; " + "else if (c) x q[0]; " * 3_000, "else"),
    ],
)
def test_nesting_that_would_overflow_qdk_is_refused(source: str, message: str) -> None:
    with pytest.raises(ProgramError, match=message):
        check(PRELUDE_3 + source)


def test_nesting_at_the_limits_runs() -> None:
    depth = MAX_NESTING - 2  # the block and index brackets around the innermost gate
    source = (
        PRELUDE_3
        + "{" * depth
        + "x q[0];"
        + "}" * depth
        + "int f = "
        + "1 + " * (MAX_OPERATORS - 1)
        + "1;"
        + "if (c) x q[0]; "
        + "else if (c) x q[0]; " * MAX_ELSE
        + "c = measure q[0];"
    )
    assert counts(source, shots=1) == {"200 1": 1}


def test_comments_do_not_count_as_nesting() -> None:
    source = PRELUDE_3 + "// " + "(" * 1_000 + "\n/* " + "-" * 1_000 + " */\n"
    assert check(source) == 2


def test_errors_only_execution_finds_are_program_errors() -> None:
    source = PRELUDE_3 + "bit[2] r;\nr[0] = measure q[5];\n"
    with pytest.raises(ProgramError, match="index out of range"):
        run(source, shots=1, seed=1, should_stop=never)
