"""Programs compiled to QIR for Azure Quantum targets (`qir.v1` input).

`compile_to_qir` takes a validated `circuit` or `qsharp` job input and a QIR profile and
returns what a job submission needs: the program (qdk's QirInputData._repr_qir_, which is what
azure-quantum's Target.submit uploads as `qir.v1`: the QIR as UTF-8 LLVM text), the name of
its entry point for `inputParams.entryPoint`, and `inputParams.arguments` (always empty: an
entry expression's arguments are compiled into the program).

Azure targets run Base (IonQ, Rigetti) or Adaptive_RI (Quantinuum); a program its profile
cannot express (classical control on a measurement result, on Base) raises ProfileError, a
ProgramError carrying qdk's message and position.

qdk compiles QIR by partial evaluation: classical loops are unrolled while compiling (ten
million iterations take ~2 s, `while true {}` never ends), and recursion crashes it (a
recursive Q# program is refused beforehand: it runs only on `local.simulator`'s interpreter).
So compiling runs in a compile worker (`compile_pool.compiled`), within its time and memory
limits. A job is compiled twice, at submission (to answer 400 for what its target cannot run)
and in the activity that submits it: the last COMPILED_KEPT programs are kept, by source and
profile.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from qdk import openqasm
from qdk.qsharp import TargetProfile

from . import qasm, qsharp_program
from .compile_pool import compiled
from .program_text import ProgramError
from .qdk_calls import QDK_LOCK, reported

PROFILES: dict[str, TargetProfile] = {
    "Base": TargetProfile.Base,
    "Adaptive_RI": TargetProfile.Adaptive_RI,
    "Adaptive_RIF": TargetProfile.Adaptive_RIF,
}
KINDS = ("circuit", "qsharp")
COMPILED_KEPT = 64  # programs; a QIR text takes a few kB to a few MB
_ENTRY_POINT = re.compile(r"^define\s+\S+\s+@(\S+)\(\)\s+#(\d+)", re.MULTILINE)
_ENTRY_POINT_ATTRIBUTES = r'^attributes #{} = {{[^}}]*"entry_point"'


@dataclass(frozen=True)
class QirProgram:
    """A program ready for an Azure Quantum `qir.v1` job."""

    bitcode: bytes  # the job's input data; what QirInputData._repr_qir_ gives (UTF-8 QIR text)
    entry_point: str  # inputParams.entryPoint, e.g. "ENTRYPOINT__main"
    arguments: list[Any] = field(default_factory=list)  # inputParams.arguments


def compile_to_qir(kind: str, problem: dict[str, Any], profile: str) -> QirProgram:
    """`problem` (a validated job input of `kind`) as QIR for `profile`.

    ValueError for a kind or profile this does not know; ProgramError (ProfileError when the
    profile is what it cannot run on, CompileFailed past the compile limits) with qdk's message
    otherwise.
    """
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r} does not compile to QIR; these do: {', '.join(KINDS)}")
    if profile not in PROFILES:
        raise ValueError(f"profile {profile!r} is not one of {', '.join(PROFILES)}")
    return _compiled(kind, problem["source"], problem.get("entry"), profile)


@functools.lru_cache(maxsize=COMPILED_KEPT)
def _compiled(kind: str, source: str, entry: str | None, profile: str) -> QirProgram:
    """The compiled program (failures are not kept: lru_cache keeps only answers)."""
    if kind == "circuit":
        text = compiled(openqasm_qir, source, profile)
    else:
        text = compiled(qsharp_qir, source, entry, profile)
    return QirProgram(bitcode=text.encode("utf-8"), entry_point=entry_point(text))


def check_profile(kind: str, problem: dict[str, Any], profile: str) -> None:
    """Raise as `compile_to_qir` would: qdk learns the profile's limits only by compiling."""
    compile_to_qir(kind, problem, profile)


def entry_point(qir: str) -> str:
    """The name of the function QIR marks as its entry point."""
    for function in _ENTRY_POINT.finditer(qir):
        if re.search(_ENTRY_POINT_ATTRIBUTES.format(function.group(2)), qir, re.MULTILINE):
            return function.group(1)
    raise ProgramError("the compiled QIR has no entry point")


def openqasm_qir(source: str, profile: str) -> str:
    """The QIR text of an OpenQASM program (in a compile worker: qdk may crash on it).

    for_qdk refuses includes of files, recursion and deep nesting first, and works around
    qdk's reading of registers as numbers (`bit_order`), so the QIR computes what OpenQASM
    means."""
    text = qasm.for_qdk(source)
    with QDK_LOCK, reported():
        return str(openqasm.compile(text, target_profile=PROFILES[profile]))


def qsharp_qir(source: str, entry: str, profile: str) -> str:
    """The QIR text of a Q# program's entry (in a compile worker: qdk may crash on it)."""
    qsharp_program.check(source, entry)
    cycle = qsharp_program.recursion(source)
    if cycle is not None:  # QIR generation segfaults on recursion
        raise ProgramError(f"recursive callables cannot be compiled to QIR ({cycle})")
    with qsharp_program.program_context(source, PROFILES[profile]) as context:
        return qsharp_program.compile_entry(context, entry)
