"""OpenQASM 2 and 3 on qdk's local sparse simulator: checking a program, running its shots.

`check` is what a program must pass before qdk runs it, because qdk fails badly on some
programs instead of reporting an error:

- its parser, compiler and evaluator recurse natively: deeply nested source would overflow
  the C stack and kill the process (see `program_text.check_text`);
- a gate or subroutine that calls itself is accepted and then recurses until memory runs out
  (gigabytes within seconds), so self-calls are refused (declare-before-use already rules
  out mutual recursion);
- `include` of anything but the built-in qelib1.inc / stdgates.inc / qdk.inc would make
  `openqasm.run` read the file system or fetch from GitHub; analysis without a resolver
  reports any other include as an error, so it never gets that far.

Loops are not bounded: a program that loops forever keeps its worker busy until the process
is ended. `run_on_qdk` asks `should_stop` between batches of shots only, since qdk cannot be
interrupted inside one call.

`run` picks the engine by `circuit_route`'s rule: qiskit-aer for every program qiskit's
importers read whose classical side is measured bits and conditions on them (one simulation
for all shots when the measurements are terminal), qdk for the rest.

qdk reads a bit register compared with (or read as) a number the wrong way round, and lacks
gates of Qiskit's qelib1.inc: what qdk runs or compiles is `for_qdk`'s text, which works
around both (`bit_order`, `qelib1_gates`). A program qdk's analysis refuses still runs on
qiskit-aer when qiskit's importer reads it.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable

from qdk.openqasm import QasmError, semantic
from qdk.openqasm import run as run_qasm
from qdk.qsharp import QSharpError

from . import aer_engine, bit_order, flat_programs, qdk_angles
from .circuit_route import bit_variables, needs_qdk, openqasm_version
from .openqasm2_form import openqasm2_form
from .outcomes import outcome
from .program_text import MAX_MESSAGE, ProgramError, check_text
from .qelib1_gates import with_qelib1_gates

__all__ = [
    "ProgramError",
    "check",
    "for_qdk",
    "outputs_something",
    "run",
    "run_on_aer",
    "run_on_qdk",
    "why_qdk",
]

_FIRST_BATCH = 100  # shots in the first qdk call; each later call runs twice as many


def check(source: str) -> int:
    """The number of qubits `source` declares; ProgramError if it cannot run here."""
    if _read_by_qiskit_first(source):
        qubits = aer_engine.qubits(source)
        if qubits is not None:
            return qubits
    try:
        analysis = _analyze(source)
        qubits = _check_tree(analysis.program)
    except _Unanalyzable as refused:
        qubits = aer_engine.qubits(source)
        if qubits is None:
            raise ProgramError(str(refused)) from None
        return qubits
    if needs_qdk(analysis.program) is not None:
        for_qdk(source)  # refuses what qdk would misread and cannot be rewritten for it
    return qubits


def outputs_something(source: str) -> bool:
    """Whether a shot of the program outputs anything: its `output` variables, or when it
    declares none its classical variables (see `run_on_qdk`). A program `check` let through."""
    if _read_by_qiskit_first(source):
        clbits = aer_engine.clbits(source)
        if clbits is not None:
            return clbits > 0
    try:
        program = _analyze(source).program
    except _Unanalyzable:
        return bool(aer_engine.clbits(source))
    return any(
        isinstance(statement, semantic.ClassicalDeclaration | semantic.OutputDeclaration)
        for statement in program.statements
    )


def why_qdk(source: str) -> str | None:
    """Why `run` gives the program to qdk, or None when qiskit-aer runs it.

    This imports qiskit (~0.7 s, once per process) unless the program's text already decides.
    """
    if _read_by_qiskit_first(source) and aer_engine.qubits(source) is not None:
        return None
    try:
        program = _analyze(source).program
        _check_tree(program)
    except _Unanalyzable:
        return None  # `check` let it through: qiskit's importer reads it
    reason = needs_qdk(program)
    if reason is None and not aer_engine.readable(source, bit_variables(program)):
        return "a program qiskit's importer cannot read"
    return reason


def for_qdk(source: str) -> str:
    """The text qdk must run or compile for `source`: Qiskit's qelib1 gates defined, registers
    read in OpenQASM's bit order (see `bit_order`), and where qdk would read the program
    differently from qiskit (hardware qubits, angles it wraps: see `qdk_angles`) the program
    as qiskit reads it (`flat_programs`). ProgramError if qdk cannot take it."""
    analysis = _analyze(source)
    misread = _misread_by_qdk(analysis, source)
    if misread is not None:
        flat = flat_programs.flattened(source, bit_variables(analysis.program))
        if flat is None:
            raise ProgramError(misread)
        source, analysis = flat, _analyze(flat)
        _check_tree(analysis.program)
    return bit_order.for_qdk(with_qelib1_gates(source), analysis)


def _misread_by_qdk(analysis: semantic.AnalysisResult, source: str) -> str | None:
    """Why qdk would read the program differently from qiskit, worded as the refusal when
    qiskit cannot read it either; None when both read it alike."""
    try:
        _check_tree(analysis.program)
    except _HardwareQubits as hardware:
        return str(hardware)
    call = qdk_angles.wrap_sensitive_call(analysis, source)
    if call is None:
        return None
    return (
        f"{call.describe()}; qiskit's importer, whose reading qdk is given instead, cannot read"
        " this program. Give built-in controlled rotations angles written as numbers in"
        " [0, 2 pi), and gates defined with parameters none"
    )


def _read_by_qiskit_first(source: str) -> bool:
    """Whether qiskit's importer reads `source` before qdk's analysis does: OpenQASM 2, and
    OpenQASM 3 that has an OpenQASM 2 form, which always run on qiskit-aer when qiskit reads
    them. qiskit's OpenQASM 2 parser is native code, and qdk's analysis of a 6.7 MB program
    takes 1.3 GB (qiskit's: 0.19 GB)."""
    check_text(source)
    return openqasm_version(source) == 2 or openqasm2_form(source) is not None


class _Unanalyzable(ProgramError):
    """qdk's analysis refuses the program (qiskit's importer may still read it)."""


class _HardwareQubits(_Unanalyzable):
    """The program addresses hardware qubits (`$0`), which qdk does not take."""


def _analyze(source: str) -> semantic.AnalysisResult:
    check_text(source)
    text = with_qelib1_gates(source)
    analysis = semantic.analyze(text)
    errors = [d for d in analysis.diagnostics if d.severity == semantic.Severity.Error]
    if errors:
        if openqasm_version(source) is None and "qelib1.inc" in source:
            raise _Unanalyzable(
                "the program has no version line: an OpenQASM 2 program starts with"
                " `OPENQASM 2.0;` (comments may come first)"
            )
        raise _Unanalyzable("; ".join(_describe(analysis, d) for d in errors[:5]))
    return analysis


def _describe(analysis: semantic.AnalysisResult, diagnostic: semantic.Diagnostic) -> str:
    """A diagnostic as "line L, column C: message" (1-based) when it points into the program."""
    source_map = analysis.document.source_map
    for label in diagnostic.labels:
        try:
            where = source_map.range_from_span(label.span)
        except ValueError:
            continue
        if where.source_id == source_map.entry.id:
            return f"line {where.start.line + 1}, column {where.start.column + 1}: " + (
                diagnostic.message
            )
    return diagnostic.message


def _check_tree(program: semantic.Program) -> int:
    """Refuse what analysis accepts but qdk cannot run; count the declared qubits."""
    qubits = 0
    for statement in program.statements:
        if isinstance(statement, semantic.QubitDeclaration):
            qubits += 1
        elif isinstance(statement, semantic.QubitArrayDeclaration):
            qubits += statement.size.const_value
    pending: list[tuple[object, str | None]] = [(program, None)]
    while pending:
        node, inside = pending.pop()
        if isinstance(node, semantic.HardwareQubit):  # qiskit's importer reads them
            raise _HardwareQubits(
                f"hardware qubits such as ${node.name} are not supported here; declare qubits"
                " with `qubit[n] q;` (OpenQASM 3) or `qreg q[n];` (OpenQASM 2)"
            )
        if isinstance(node, semantic.InputDeclaration):
            raise ProgramError("input parameters are not supported: the program must run as is")
        if isinstance(node, semantic.SubroutineDefinition | semantic.QuantumGateDefinition):
            inside = node.name
        elif (
            isinstance(node, semantic.FunctionCall | semantic.QuantumGate)
            and inside is not None
            and node.name == inside
        ):
            raise ProgramError(f"{inside} calls itself; recursion is not supported here")
        pending.extend((child, inside) for child in node.children())
    return qubits


def run(
    source: str, *, shots: int, seed: int | None, should_stop: Callable[[], bool]
) -> tuple[dict[str, int], int]:
    """Counts per outcome and the number of shots run, on the engine `circuit_route` picks.

    Keys as `run_on_qdk` documents, whichever engine ran; the same seed gives the same
    counts on the same engine.
    """
    if _read_by_qiskit_first(source):
        try:
            return aer_engine.run(source, None, shots=shots, seed=seed), shots
        except aer_engine.UnreadableProgram:
            pass  # qdk's analysis says what is wrong with it
    try:
        analysis = _analyze(source)
        _check_tree(analysis.program)
    except _Unanalyzable as refused:
        try:
            return aer_engine.run(source, None, shots=shots, seed=seed), shots
        except aer_engine.UnreadableProgram:
            raise ProgramError(str(refused)) from None
    if needs_qdk(analysis.program) is None:
        try:
            variables = bit_variables(analysis.program)
            return aer_engine.run(source, variables, shots=shots, seed=seed), shots
        except aer_engine.UnreadableProgram:
            pass
    return run_on_qdk(source, shots=shots, seed=seed, should_stop=should_stop)


def run_on_aer(source: str, *, shots: int, seed: int | None) -> dict[str, int]:
    """Counts per outcome from qiskit-aer, keys as `run_on_qdk` writes them.

    aer_engine.UnreadableProgram when qiskit's importer cannot read the program.
    """
    try:
        variables = bit_variables(_analyze(source).program)
    except _Unanalyzable:
        return aer_engine.run(source, None, shots=shots, seed=seed)
    return aer_engine.run(source, variables, shots=shots, seed=seed)


def run_on_qdk(
    source: str, *, shots: int, seed: int | None, should_stop: Callable[[], bool]
) -> tuple[dict[str, int], int]:
    """Counts per outcome and the number of shots run (fewer when stopped early), on qdk.

    An outcome is what one shot outputs: its `output` variables, or when it declares none
    (always so in OpenQASM 2) every classical variable, written by `outcomes.outcome` the way
    Qiskit prints counts: a bit register from its highest index down (c[n-1] ... c[0]),
    several variables separated by spaces, the last declared first. A program without
    classical variables gives "".
    The same seed gives the same counts; without one every run differs.
    """
    text = for_qdk(source)
    # qdk seeds shot i of a call with seed + i, so the calls' seeds are drawn, not counted up.
    seeds = None if seed is None else random.Random(seed)
    counts: Counter[str] = Counter()
    done, batch = 0, _FIRST_BATCH
    while done < shots and not (done and should_stop()):
        size = min(batch, shots - done)
        try:
            results = run_qasm(
                text, shots=size, seed=None if seeds is None else seeds.getrandbits(64)
            )
        except (QasmError, QSharpError) as error:
            raise ProgramError(str(error).strip()[:MAX_MESSAGE]) from None
        # a program without classical variables gives None: zero bits, "" as Qiskit writes them
        counts.update("" if result is None else outcome(result) for result in results)
        done += size
        batch *= 2
    return dict(sorted(counts.items())), done
