"""Circuits and Q# programs compiled to QIR for Azure Quantum targets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from qdk import openqasm
from qdk.simulation import run_qir

from shared.solvers import compile_pool
from shared.solvers.compile_pool import CompileFailed, CompilePool
from shared.solvers.program_text import ProgramError
from shared.solvers.qdk_calls import ProfileError
from shared.solvers.qir import PROFILES, QirProgram, check_profile, compile_to_qir

FLIP_FIRST_QASM2 = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[3];
creg c[3];
x q[0];
measure q -> c;
"""
FEED_FORWARD_QASM3 = """OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
bit[2] c;
h q[0];
c[0] = measure q[0];
if (c[0]) x q[1];
c[1] = measure q[1];
"""
RANDOM_BIT = "operation GetRandomBit() : Result { use q = Qubit(); H(q); return M(q); }"
FEED_FORWARD_QSHARP = (
    "operation Main() : Result { use q = Qubit[2]; H(q[0]);"
    " if M(q[0]) == One { X(q[1]); } MResetZ(q[1]) }"
)


def qsharp(source: str, entry: str) -> dict:
    return {"source": source, "entry": entry, "shots": 10, "seed": None}


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_a_circuit_compiles_for_every_profile(profile: str) -> None:
    program = compile_to_qir("circuit", {"source": FLIP_FIRST_QASM2}, profile)
    assert program.entry_point == "ENTRYPOINT__main"
    assert program.arguments == []
    assert (
        run_qir(program.bitcode.decode("utf-8"), shots=2, seed=1)[0]
        == openqasm.run(FLIP_FIRST_QASM2, shots=1)[0]
    )


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_a_qsharp_program_compiles_for_every_profile(profile: str) -> None:
    program = compile_to_qir("qsharp", qsharp(RANDOM_BIT, "GetRandomBit()"), profile)
    assert isinstance(program, QirProgram)
    assert program.entry_point == "ENTRYPOINT__main"
    assert f'"qir_profiles"="{"base_profile" if profile == "Base" else "adaptive_profile"}"' in (
        program.bitcode.decode("utf-8")
    )


def test_the_program_is_what_azure_quantums_submit_uploads() -> None:
    compiled = openqasm.compile(FLIP_FIRST_QASM2, target_profile=PROFILES["Base"])
    program = compile_to_qir("circuit", {"source": FLIP_FIRST_QASM2}, "Base")
    assert program.bitcode == compiled._repr_qir_()
    assert program.entry_point == f"ENTRYPOINT__{compiled._name}"


@pytest.mark.parametrize(
    ("kind", "problem"),
    [
        ("circuit", {"source": FEED_FORWARD_QASM3}),
        ("qsharp", qsharp(FEED_FORWARD_QSHARP, "Main()")),
    ],
)
def test_classical_control_on_a_measurement_is_refused_on_base(kind: str, problem: dict) -> None:
    with pytest.raises(ProfileError, match=r"line \d+, column \d+: cannot use a dynamic bool"):
        compile_to_qir(kind, problem, "Base")


@pytest.mark.parametrize(
    ("kind", "problem"),
    [
        ("circuit", {"source": FEED_FORWARD_QASM3}),
        ("qsharp", qsharp(FEED_FORWARD_QSHARP, "Main()")),
    ],
)
def test_classical_control_on_a_measurement_compiles_on_adaptive(kind: str, problem: dict) -> None:
    check_profile(kind, problem, "Adaptive_RI")


def test_check_profile_refuses_as_compile_does() -> None:
    with pytest.raises(ProfileError):
        check_profile("circuit", {"source": FEED_FORWARD_QASM3}, "Base")


def test_recursion_is_refused_before_qdk_compiles_it() -> None:
    source = "function F(n : Int) : Int { F(n - 1) }\noperation Main() : Int { F(3) }"
    message = r"recursive callables cannot be compiled to QIR \(F calls itself\)"
    with pytest.raises(ProgramError, match=message):
        compile_to_qir("qsharp", qsharp(source, "Main()"), "Adaptive_RIF")


def test_an_include_of_a_file_is_refused_before_qdk_reads_it() -> None:
    source = 'OPENQASM 3.0;\ninclude "/etc/hostname";\nqubit q;\n'
    with pytest.raises(ProgramError, match="include"):
        compile_to_qir("circuit", {"source": source}, "Base")


def test_an_unknown_profile_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="Unrestricted"):
        compile_to_qir("circuit", {"source": FLIP_FIRST_QASM2}, "Unrestricted")


def test_a_kind_without_qir_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="ising"):
        compile_to_qir("ising", {"terms": []}, "Base")


@pytest.fixture
def one_second_compiles(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's compile pool, replaced by one whose compiles may take 1 s of CPU (and
    any time on the clock: on a busy machine the lowest-priority worker gets little CPU)."""
    with CompilePool(1, seconds=1, memory_mb=1024, wait_seconds=60, give_up=300) as pool:
        monkeypatch.setattr(compile_pool, "_pool", pool)
        yield


@pytest.mark.usefixtures("one_second_compiles")
def test_a_compilation_that_never_ends_is_stopped_at_the_time_limit() -> None:
    source = "operation Main() : Unit { mutable n = 0; while true { set n += 1; } }"
    with pytest.raises(CompileFailed, match="within the 1 s compile time limit"):
        compile_to_qir("qsharp", qsharp(source, "Main()"), "Adaptive_RIF")
