"""An OpenQASM 3 program written only in what OpenQASM 2 has, rewritten as OpenQASM 2.

qiskit reads OpenQASM 2 with a native parser, and OpenQASM 3 with a pure-Python one: 7 s for
a 277 KB program that aer then runs in 0.45 s, and minutes for MQT Bench's 6.7 MB Grover.
Most OpenQASM 3 that tools export (qiskit's `qasm3.dumps` of a transpiled circuit, MQT
Bench) is declarations, standard gates with numeric angles, measurements, resets and
barriers. `openqasm2_form` rewrites such a program statement by statement, and gives None
for anything else (gate definitions, modifiers, classical types and control flow, another
include, names OpenQASM 2 does not allow), which then goes to qiskit's OpenQASM 3 importer.
Hardware qubits `$0` ... `$k` become one register of k + 1 qubits, as qiskit reads them.

Each standard gate kept maps to the same qiskit gate from either importer
(`qiskit.qasm2.LEGACY_CUSTOM_INSTRUCTIONS`, qiskit's stdgates.inc table), so aer runs the
same circuit; tests/unit/test_openqasm2_form.py compares the two readings.
"""

from __future__ import annotations

import functools
import re

from .program_text import without_comments

# stdgates.inc names whose qelib1 gate (as qiskit reads it) is the same qiskit gate.
SAME_GATES = frozenset(
    {"x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "rx", "ry", "rz", "cx", "cy", "cz",
     "cp", "crx", "cry", "crz", "ch", "swap", "ccx", "cswap", "cu", "id", "u1", "u2", "u3",
     "p", "U", "CX"}
)  # fmt: skip
RENAMED = {"phase": "p", "cphase": "cp"}
HARDWARE_REGISTER = "hardware"

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_OPENQASM2_NAME = re.compile(r"[a-z][A-Za-z0-9_]*")
_OPERAND = rf"(?:{_NAME}(?:\[\d+\])?|\$\d+)"
_OPERANDS = rf"{_OPERAND}(?:\s*,\s*{_OPERAND})*"
_VERSION = re.compile(r"OPENQASM\s+3(?:\.\d+)?")
_INCLUDE = re.compile(r'include\s+"stdgates\.inc"')
_DECLARATION = re.compile(rf"(qubit|bit)(?:\[(\d+)\])?\s+({_NAME})")
_MEASURE_INTO = re.compile(rf"({_OPERAND})\s*=\s*measure\s+({_OPERAND})")
_MEASURE_ARROW = re.compile(rf"measure\s+({_OPERAND})\s*->\s*({_OPERAND})")
_RESET_BARRIER = re.compile(rf"(reset|barrier)\s+({_OPERANDS})")
_GATE = re.compile(rf"({_NAME})\s*(?:\(([-+*/().0-9eE\s,pi]*)\))?\s+({_OPERANDS})")
_ANGLE_WORDS = re.compile(r"[A-Za-z]+")
_OPERAND_NAME = re.compile(rf"(?<![$\w])({_NAME})(\[\d+\])?")
_HARDWARE = re.compile(r"\$(\d+)")
_WORD = re.compile(r"\w+")


class _Program:
    """The rewrite under way: the variables declared so far, under their OpenQASM 2 names."""

    def __init__(self, source: str) -> None:
        self.words = set(_WORD.findall(source))
        self.registers: dict[str, str] = {}  # OpenQASM 3 name: OpenQASM 2 register
        self.scalars: set[str] = set()  # `qubit a;` and `bit b;`: registers of one, a[0]

    def declare(self, name: str, scalar: bool) -> str | None:
        if name in self.registers or name == HARDWARE_REGISTER:
            return None
        written = name
        if not _OPENQASM2_NAME.fullmatch(name):  # qiskit's exporter writes `_qubit0`
            written = f"r{len(self.registers)}{name.lstrip('_').lower()}"
            if written in self.words:
                return None
        self.registers[name] = written
        if scalar:
            self.scalars.add(name)
        return written

    def operands(self, text: str) -> str | None:
        """Operands under their OpenQASM 2 names; None if one names no variable."""
        named = _OPERAND_NAME.findall(text)
        if any(name not in self.registers for name, _ in named):
            return None
        return _OPERAND_NAME.sub(self._operand, text)

    def _operand(self, found: re.Match[str]) -> str:
        name, index = found.groups()
        if index is None and name in self.scalars:
            index = "[0]"
        return self.registers[name] + (index or "")


@functools.lru_cache(maxsize=2)  # routing a program asks, and then reading it
def openqasm2_form(source: str) -> str | None:
    """`source` (OpenQASM 3) as OpenQASM 2 with the same meaning, or None when it uses more
    than the statements above."""
    statements = [s.strip() for s in without_comments(source).split(";")]
    if not statements or statements[-1] or not _VERSION.fullmatch(statements[0]):
        return None
    rewritten = ["OPENQASM 2.0", 'include "qelib1.inc"']
    program = _Program(source)
    for statement in statements[1:-1]:
        written = _statement(statement, program)
        if written is None:
            return None
        if written:
            rewritten.append(written)
    hardware = sorted({int(k) for k in _HARDWARE.findall(source)})
    if hardware:
        if HARDWARE_REGISTER in program.words:
            return None
        rewritten.insert(2, f"qreg {HARDWARE_REGISTER}[{max(hardware) + 1}]")
        rewritten = [_HARDWARE.sub(rf"{HARDWARE_REGISTER}[\1]", line) for line in rewritten]
    return ";\n".join(rewritten) + ";\n"


def _statement(statement: str, program: _Program) -> str | None:
    """One statement in OpenQASM 2 ("" to leave out), or None when it has no such form."""
    if not statement or _INCLUDE.fullmatch(statement):
        return ""
    if declared := _DECLARATION.fullmatch(statement):
        kind, size, name = declared.groups()
        written = program.declare(name, scalar=size is None)
        return (
            None
            if written is None
            else f"{'qreg' if kind == 'qubit' else 'creg'} {written}[{size or 1}]"
        )
    if measured := _MEASURE_INTO.fullmatch(statement) or _MEASURE_ARROW.fullmatch(statement):
        qubits, bits = measured.groups()[::-1] if "=" in statement else measured.groups()
        operands = program.operands(f"{qubits} -> {bits}")
        return None if operands is None else f"measure {operands}"
    if reset := _RESET_BARRIER.fullmatch(statement):
        operands = program.operands(reset.group(2))
        return None if operands is None else f"{reset.group(1)} {operands}"
    if gate := _GATE.fullmatch(statement):
        name, angles, operands = gate.groups()
        name = RENAMED.get(name, name)
        operands = program.operands(operands)
        if name not in SAME_GATES or operands is None:
            return None
        if angles is None:
            return f"{name} {operands}"
        if set(_ANGLE_WORDS.findall(angles)) - {"pi", "e", "E"}:
            return None
        return f"{name}({angles}) {operands}"
    return None
