"""OpenQASM 2 and 3 on qdk's local sparse simulator: checking a program, running its shots.

`check` is what a program must pass before qdk runs it, because qdk fails badly on some
programs instead of reporting an error:

- its parser, compiler and evaluator recurse natively: deeply nested source overflows the
  C stack and kills the process (qdk 1.33, running with an 8 MB stack: ~1,900 nested blocks,
  ~3,000 chained operators or gate modifiers, ~1,250 `else if` branches). A lexical pre-scan
  keeps each bound several times below that, so even their combination fits;
- a gate or subroutine that calls itself is accepted and then recurses until memory runs out
  (gigabytes within seconds), so self-calls are refused (declare-before-use already rules
  out mutual recursion);
- `include` of anything but the built-in qelib1.inc / stdgates.inc / qdk.inc would make
  `openqasm.run` read the file system or fetch from GitHub; analysis without a resolver
  reports any other include as an error, so it never gets that far.

Loops are not bounded: a program that loops forever keeps its worker busy until the process
is ended. `run` asks `should_stop` between batches of shots only, since qdk cannot be
interrupted inside one call.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable

from qdk.openqasm import QasmError, semantic
from qdk.openqasm import run as run_qasm
from qdk.qsharp import QSharpError

from .outcomes import outcome

MAX_NESTING = 100  # ( [ { open at once
MAX_OPERATORS = 200  # operators, gate modifiers and if/else/for/while in one statement
MAX_ELSE = 200  # `else` in the whole program: an else-if chain nests as deep as it is long
MAX_MESSAGE = 2000  # characters of a qdk error message passed on
_FIRST_BATCH = 100  # shots in the first qdk call; each later call runs twice as many

_IGNORED = re.compile(r'//[^\n]*|/\*.*?\*/|"[^"\n]*"', re.DOTALL)
_TOKEN = re.compile(r"[;{}()\[\]]|[-+*/%&|^~!<>=@]|\b(?:if|else|for|while)\b")
_OPEN, _CLOSE, _ENDS = frozenset("([{"), frozenset(")]}"), frozenset(";{}")


class ProgramError(ValueError):
    """The program cannot run here; the message says why (it is meant for the caller)."""


def check(source: str) -> int:
    """The number of qubits `source` declares; ProgramError if it cannot run here."""
    try:
        source.encode("utf-8")
    except UnicodeEncodeError:
        raise ProgramError("the program is not valid Unicode text (a lone surrogate)") from None
    _check_nesting(source)
    analysis = semantic.analyze(source)
    errors = [d for d in analysis.diagnostics if d.severity == semantic.Severity.Error]
    if errors:
        raise ProgramError("; ".join(_describe(analysis, d) for d in errors[:5]))
    return _check_tree(analysis.program)


def _check_nesting(source: str) -> None:
    depth = operators = elses = 0
    for match in _TOKEN.finditer(_IGNORED.sub(" ", source)):
        token = match.group()
        if token in _OPEN:
            depth += 1
            if depth > MAX_NESTING:
                raise ProgramError(f"the program nests brackets more than {MAX_NESTING} deep")
        elif token in _CLOSE:
            depth -= 1
        if token in _ENDS:
            operators = 0
        elif token not in _OPEN and token not in _CLOSE:
            operators += 1
            if operators > MAX_OPERATORS:
                raise ProgramError(
                    f"a statement of the program has more than {MAX_OPERATORS} operators"
                )
            if token == "else":
                elses += 1
                if elses > MAX_ELSE:
                    raise ProgramError(f"the program has more than {MAX_ELSE} else branches")


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
        if isinstance(node, semantic.HardwareQubit):
            raise ProgramError(
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
    """Counts per outcome and the number of shots run (fewer when stopped early).

    An outcome is what one shot outputs: its `output` variables, or when it declares none
    (always so in OpenQASM 2) every classical variable, written by `outcomes.outcome` the way
    Qiskit prints counts: a bit register from its highest index down (c[n-1] ... c[0]),
    several variables separated by spaces, the last declared first. A program without
    classical variables gives "".
    The same seed gives the same counts; without one every run differs.
    """
    check(source)
    # qdk seeds shot i of a call with seed + i, so the calls' seeds are drawn, not counted up.
    seeds = None if seed is None else random.Random(seed)
    counts: Counter[str] = Counter()
    done, batch = 0, _FIRST_BATCH
    while done < shots and not (done and should_stop()):
        size = min(batch, shots - done)
        try:
            results = run_qasm(
                source, shots=size, seed=None if seeds is None else seeds.getrandbits(64)
            )
        except (QasmError, QSharpError) as error:
            raise ProgramError(str(error).strip()[:MAX_MESSAGE]) from None
        counts.update(outcome(result) for result in results)
        done += size
        batch *= 2
    return dict(sorted(counts.items())), done
