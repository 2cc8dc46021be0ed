"""OpenQASM 2/3 on qiskit-aer's statevector simulator, counts written by `outcomes.outcome`.

qiskit and qiskit-aer take about 0.7 s to import, so they are imported on the first run in a
worker process (a local worker serves many jobs), never by the host that validates requests
unless a program needs more qubits than qdk simulates (`readable`).

Aer samples every shot from one simulation when all measurements are terminal
(`measure_sampling` in its metadata). Otherwise it branches the shots at each mid-circuit
measurement or reset (`shot_branching_enable`: one state per distinct outcome so far, instead
of one simulation per shot; 1.5-6x faster on MQT Bench's dynamic circuits of 10 qubits) for
circuits of at most MAX_BRANCHING_QUBITS qubits, in calls of at most as many shots as
BRANCH_MEMORY_BYTES holds states of the circuit's size (16 qubits: 512 shots a call; without
that, 4,000 shots of MQT Bench's 16-qubit dynamic QFT took over 4 GB), then of as many as the
peak memory growth of the calls so far says fit (a circuit whose shots share few branches
runs its remaining shots in one call), and loops over the shots for larger ones. One Aer
call cannot be interrupted: a cancelled job is stopped by its worker being ended.

An OpenQASM 3 program written only in what OpenQASM 2 has reaches qiskit's native OpenQASM 2
parser as `openqasm2_form` rewrites it. Any other reaches qiskit's OpenQASM 3 importer with
its conditions on a parity of bits (`(m[0] ^ m[1]) == true`, as qiskit's exporter writes
them) rewritten into nested single-bit `if`s the importer reads (`parity_conditions`).
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qdk import Result

from . import parity_conditions
from .circuit_route import BitVariable, openqasm_version
from .openqasm2_form import openqasm2_form
from .outcomes import outcome
from .program_text import ProgramError, without_comments

BUILT_IN_INCLUDES = frozenset({"qelib1.inc", "stdgates.inc"})
_INCLUDE = re.compile(r'\binclude\s*"([^"]*)"')
MAX_BRANCHING_QUBITS = 20  # a branch's state is 16 MiB at 20 qubits
# Aer keeps a state per branch, and a shot can become a branch: a dynamic circuit's shots are
# run in calls of as many shots as states of its size fit in this, and later calls in as many
# as the first call's peak memory growth says fit.
BRANCH_MEMORY_BYTES = 512 << 20


class UnreadableProgram(Exception):
    """qiskit's importer cannot read the program (the caller runs it on qdk instead)."""


def circuit(source: str, variables: Sequence[BitVariable] | None) -> Any:
    """The program as a qiskit QuantumCircuit whose clbits are `variables`' bits in order
    (None: its registers', when they hold all its clbits)."""
    included = _INCLUDE.findall(without_comments(source))
    if set(included) - BUILT_IN_INCLUDES:  # qiskit's importers would read files
        raise UnreadableProgram(f"includes {sorted(set(included) - BUILT_IN_INCLUDES)[0]}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            read = _read(source)
    except Exception as error:  # noqa: BLE001 - any importer failure means "not for Aer"
        raise UnreadableProgram(f"{type(error).__name__}: {error}") from None
    width = sum(1 if v.width is None else v.width for v in variables or _registers(read))
    if read.num_clbits != width:
        raise UnreadableProgram(f"{read.num_clbits} clbits for {width} declared bits")
    return read


def _read(source: str) -> Any:
    from qiskit import qasm2, qasm3

    legacy = qasm2.LEGACY_CUSTOM_INSTRUCTIONS
    if openqasm_version(source) == 2:
        return qasm2.loads(source, custom_instructions=legacy)
    version_2 = openqasm2_form(source)
    if version_2 is not None:
        try:
            return qasm2.loads(version_2, custom_instructions=legacy)
        except qasm2.QASM2ParseError:
            pass  # qiskit's OpenQASM 3 importer says what is wrong
    return qasm3.loads(parity_conditions.rewritten(source))


def _registers(circuit: Any) -> list[BitVariable]:
    return [BitVariable(register.name, register.size) for register in circuit.cregs]


def readable(source: str, variables: Sequence[BitVariable]) -> bool:
    """Whether qiskit's importer reads the program as `run` needs it."""
    try:
        circuit(source, variables)
    except UnreadableProgram:
        return False
    return True


def qubits(source: str) -> int | None:
    """How many qubits the program declares, if qiskit's importer reads it (else None)."""
    widths = _widths(source)
    return None if widths is None else widths[0]


def clbits(source: str) -> int | None:
    """How many classical bits the program declares, if qiskit's importer reads it."""
    widths = _widths(source)
    return None if widths is None else widths[1]


@functools.lru_cache(maxsize=1)  # a program is checked for both, one after the other
def _widths(source: str) -> tuple[int, int] | None:
    try:
        read = circuit(source, None)
    except UnreadableProgram:
        return None
    return int(read.num_qubits), int(read.num_clbits)


def run(
    source: str, variables: Sequence[BitVariable] | None, *, shots: int, seed: int | None
) -> dict[str, int]:
    """Counts per outcome, keys as `qasm.run` documents; UnreadableProgram or ProgramError.

    `variables` are the program's bit variables as qdk's analysis found them; None for a
    program qdk's analysis refused, whose registers are then qiskit's.
    """
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    read = circuit(source, variables)
    if variables is None:
        variables = _registers(read)
    if read.num_clbits == 0:
        return {"": shots}
    branching = read.num_qubits <= MAX_BRANCHING_QUBITS
    simulator = AerSimulator(method="statevector", shot_branching_enable=branching)
    target = simulator.target  # AerSimulator builds its Target anew on every access
    if not set(read.count_ops()) - {"barrier"} <= set(target.operation_names):
        # user-defined gates; given the simulator, transpile would build its Target ~100 times
        read = transpile(read, target=target, optimization_level=0)
    per_run = shots
    if branching and _is_dynamic(read):  # each shot may become a branch with its own state
        per_run = max(1, BRANCH_MEMORY_BYTES // (16 << read.num_qubits))
    counts: dict[str, int] = {}
    start = 0
    before = _memory_now_resetting_peak()  # freed states stay resident: growth is from here
    while start < shots:
        size = min(per_run, shots - start)
        options = {} if seed is None else {"seed_simulator": (seed + start) % 2**63}
        if before is not None:
            _memory_now_resetting_peak()
        result = simulator.run(read, shots=size, **options).result()  # shot k: seed + k
        if not result.success:
            raise ProgramError(f"qiskit-aer failed: {result.status}")
        raw: dict[str, int] = result.data(0)["counts"]
        for bits, times in raw.items():
            key = outcome(_shot(int(bits, 16), variables))
            counts[key] = counts.get(key, 0) + times
        start += size
        if before is not None:  # branches grow no faster than shots: scale to the budget
            grown = max(_peak_memory() - before, 1 << 20)
            per_run = max(per_run, size * BRANCH_MEMORY_BYTES // grown)
    return dict(sorted(counts.items()))


def _memory_now_resetting_peak() -> int | None:
    """This process's resident memory in bytes, its peak reset to it (Linux; else None)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _status_bytes("VmRSS")
    except OSError:
        return None


def _peak_memory() -> int:
    return _status_bytes("VmHWM")


def _status_bytes(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise OSError(f"no {field} in /proc/self/status")


def _is_dynamic(read: Any) -> bool:
    """Whether the circuit measures or resets a qubit before it is done with it, or branches:
    aer then runs its shots (branching them) instead of sampling one final state."""
    measured: set[Any] = set()
    for instruction in read.data:
        name = instruction.operation.name
        if name == "barrier":
            continue
        if (
            name == "reset"
            or getattr(instruction.operation, "blocks", ())
            or measured & set(instruction.qubits)
        ):
            return True
        if name == "measure":
            measured.update(instruction.qubits)
    return False


def _shot(bits: int, variables: Sequence[BitVariable]) -> object:
    """One shot as qdk gives it: each variable's Result (or list of Results), as a tuple
    when there are several; bit k of `bits` is the circuit's clbit k."""
    values: list[object] = []
    at = 0
    for variable in variables:
        if variable.width is None:
            values.append(_result(bits >> at & 1))
            at += 1
        else:
            values.append([_result(bits >> (at + k) & 1) for k in range(variable.width)])
            at += variable.width
    return values[0] if len(values) == 1 else tuple(values)


def _result(bit: int) -> Result:
    return Result.One if bit else Result.Zero
