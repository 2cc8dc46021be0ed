"""Which engine runs an OpenQASM program: qiskit-aer where it may, qdk where it must.

The rule, read off qdk's semantic tree of the program:

- qiskit-aer (through qiskit's OpenQASM 2/3 importers) runs every program whose classical
  side is only bits written by measurements and read by conditions: bit and bit-register
  declarations, measurements into them, gates (user-defined ones too), resets, barriers, and
  the `if`, `while` and `for` that qiskit's importer reads (`if(c==n)` of OpenQASM 2, `c == n`,
  `c[i]`, `!c[i]` of OpenQASM 3, and parities `(c[0] ^ c[1]) == true` once
  `parity_conditions` has rewritten them; it refuses the rest, which then runs on qdk). Aer
  simulates the state once and samples every shot from it when all measurements are
  terminal, and otherwise runs the shots itself (compiled code, branching shots at
  mid-circuit measurements and resets).
- qdk runs the rest: `switch`, subroutines, `end`, `output` declarations, classical
  variables other than bits, classical assignments that are not measurements -- and whatever
  qiskit's importer cannot read (`aer_engine.UnreadableProgram`).

Either way the counts come out of `outcomes.outcome`, so their keys and bit order do not
depend on the engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from qdk.openqasm import semantic

from .program_text import without_comments

_CONTROL = (semantic.SwitchStatement, semantic.SubroutineDefinition, semantic.EndStatement)
_VERSION = re.compile(r"\s*OPENQASM\s+(\d+)\b")


@dataclass(frozen=True)
class BitVariable:
    """A classical bit variable of the program: `bit c;` (width None) or `bit[n] c;`."""

    name: str
    width: int | None


def openqasm_version(source: str) -> int | None:
    """The major version the program's version line declares (comments may precede it)."""
    line = _VERSION.match(without_comments(source))
    return int(line.group(1)) if line else None


def needs_qdk(program: semantic.Program) -> str | None:
    """Why only qdk can run `program` (a short reason), or None when qiskit-aer may."""
    pending: list[Any] = [program]
    while pending:
        node = pending.pop()
        if isinstance(node, _CONTROL):
            return "classical control"
        if isinstance(node, semantic.OutputDeclaration):
            return "output declarations"
        if isinstance(node, semantic.ClassicalDeclaration) and not isinstance(
            node.type, semantic.BitType | semantic.BitArrayType
        ):
            return "classical variables other than bits"
        if isinstance(
            node, semantic.ClassicalAssignment | semantic.IndexedClassicalAssignment
        ) and not any(isinstance(child, semantic.QuantumMeasurement) for child in node.children()):
            return "classical assignments"
        pending.extend(node.children())
    return None


def bit_variables(program: semantic.Program) -> list[BitVariable]:
    """The program's classical bit variables in declaration order (what a shot outputs)."""
    found = []
    for statement in program.statements:
        if isinstance(statement, semantic.ClassicalDeclaration):
            if isinstance(statement.type, semantic.BitArrayType):
                found.append(BitVariable(statement.name, int(statement.type.size)))
            elif isinstance(statement.type, semantic.BitType):
                found.append(BitVariable(statement.name, None))
    return found
