"""Gate calls qdk would run wrong because it reads gate angles modulo 2 pi, and the way around.

qdk 1.33 gives every gate parameter OpenQASM 3's `angle` type, which wraps a value into
[0, 2 pi) when it is passed and at each step of arithmetic on it. Qiskit, and so qiskit-aer,
reads angles as real numbers. An uncontrolled rotation moved by 2 pi only changes by a
global phase, so `rz(-0.3)` runs right on qdk. Under `ctrl @` (and in `crx`, `cry`, `crz`,
`cu`, `cu3`) that phase becomes a relative one: `crz(-0.3)` acts as `crz(2 pi - 0.3)`, a Z on
the control away from the right gate. A gate the program defines with parameters can compute
something else entirely (`-x/2` is pi - x/2 there), and qdk's `ctrl @ U` is wrong even for
angles in range. Measured against aer: tests/unit/test_qdk_angles.py.

`wrap_sensitive_call` finds the first such call; qdk is then given the program as
`flat_programs` rewrites it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from qdk.openqasm import semantic

from .qelib1_gates import missing_definitions, with_qelib1_gates

# Built-in gates (qdk's stdgates.inc and qelib1.inc) whose action, uncontrolled, is right
# for any angle.
ANY_ANGLE = frozenset(
    {"U", "u", "u0", "u1", "u2", "u3", "p", "phase", "rx", "ry", "rz", "rxx", "rzz", "cp",
     "cphase", "cu1", "gphase"}
)  # fmt: skip
# Definitions of ours (qelib1_gates) that hand their parameters straight to U.
PASS_THROUGH = frozenset({"u0", "u", "p"})
# Exactly 2 pi-periodic: right under `ctrl @` too.
PERIODIC = frozenset({"p", "phase", "u1", "gphase"})
# Right for a literal angle in [0, 2 pi), which qdk does not wrap: these gates as they are,
# rx, ry and rz under `ctrl @`.
CONTROLLED_ROTATIONS = frozenset({"crx", "cry", "crz"})
ROTATIONS = frozenset({"rx", "ry", "rz"})
_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


@dataclass(frozen=True)
class SensitiveCall:
    """A gate call qdk would run wrong for some angles: its name and (1-based) line."""

    name: str
    line: int

    def describe(self) -> str:
        return (
            f"line {self.line}: `{self.name}` takes an angle that qdk reads modulo 2 pi, which"
            " changes what a controlled rotation or a gate defined with parameters does"
        )


def wrap_sensitive_call(analysis: semantic.AnalysisResult, source: str) -> SensitiveCall | None:
    """The first call in `analysis` (of `source`, as the caller wrote it) qdk may run wrong."""
    program = analysis.program
    ours = set(missing_definitions(source)) & PASS_THROUGH
    defined = {
        statement.name
        for statement in program.statements
        if isinstance(statement, semantic.QuantumGateDefinition) and statement.name not in ours
    }
    lines = with_qelib1_gates(source).splitlines()
    source_map = analysis.document.source_map

    def written_in_range(argument: Any) -> bool:
        """Whether the argument is a number written out in [0, 2 pi): a literal whose text
        in the program is that number (qdk folds literals into angles, already wrapped)."""
        if isinstance(argument, semantic.Cast):
            argument = argument.operand
        if not isinstance(argument, semantic.LiteralExpression):
            return False
        where = source_map.range_from_span(argument.span)
        if where.source_id != source_map.entry.id or where.start.line != where.end.line:
            return False
        text = lines[where.start.line][where.start.column : where.end.column].strip()
        if _NUMBER.fullmatch(text) is None:
            return False
        value = getattr(argument.value, "radians", argument.value)
        return float(text) < 2 * math.pi and math.isclose(value, float(text), abs_tol=1e-9)

    def all_written_in_range(arguments: list[Any]) -> bool:
        return all(map(written_in_range, arguments))

    pending: list[Any] = [program]
    while pending:
        node = pending.pop()
        if (
            isinstance(node, semantic.QuantumGate)
            and node.args
            and _sensitive(node, defined, partial(all_written_in_range, node.args))
        ):
            where = source_map.range_from_span(node.span)
            return SensitiveCall(node.name, where.start.line + 1)
        pending.extend(node.children())
    return None


def _sensitive(call: semantic.QuantumGate, defined: set[str], in_range: Callable[[], bool]) -> bool:
    """`in_range`: whether the call's angles are numbers written out in [0, 2 pi) (finding
    that out reads the program's text, so it is asked only when it matters)."""
    if call.name in defined:
        return True
    modifiers = {modifier.modifier for modifier in call.modifiers}
    if semantic.GateModifierName.POW in modifiers:  # a fractional power divides angles
        return True
    if modifiers & {semantic.GateModifierName.CTRL, semantic.GateModifierName.NEGCTRL}:
        return not (call.name in PERIODIC or call.name in ROTATIONS and in_range())
    if call.name in CONTROLLED_ROTATIONS:
        return not in_range()
    return call.name not in ANY_ANGLE
