"""The `circuit` kind: an OpenQASM 2 or 3 program run for some shots on local.simulator.

The program is parsed and analyzed when the job is submitted, in a compile worker (about a
millisecond more than in place; see compile_pool.py), so a syntax or semantic error is a 400
with qdk's message; errors only execution can find (an index out of range, say) fail the job.
Bit order of the counts: see `shared.solvers.qasm.run`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..solvers import qasm
from ..solvers.compile_pool import compiled
from . import fields
from .base import InvalidJob, JobKind

# qiskit-aer simulates a dense state once for all shots: 26 qubits take 1 GiB (complex128) per
# running job, so the 2 x CPU-count worker processes of a 2-core host stay within 4 GiB, and a
# dense depth-30 circuit about two minutes of a core. qdk, for the programs only it runs,
# simulates each shot from scratch: 22 qubits take ~0.5 GB and ~1.3 s per shot (24 qubits:
# ~1.5 GB, ~4.4 s), so this is where its simulation stops making sense.
MAX_QUBITS = 26
MAX_QUBITS_ON_QDK = 22
FIELDS = frozenset({"source", "shots", "seed", "time_limit"})


def validate(body: dict[str, Any]) -> dict[str, Any]:
    """{"source", "shots", "seed" (int or None), "time_limit" (seconds)} from the request."""
    body = fields.json_object(body)
    problems = fields.Problems()
    with problems.check():
        fields.known_fields(body, FIELDS)
    with problems.check():
        job = fields.program_fields(body, "an OpenQASM 2 or 3 program")
    problems.raise_any()
    source = job["source"]
    try:
        qubits, qdk_reason, outputs = compiled(program_facts, source)
    except qasm.ProgramError as error:
        raise fields.invalid(("source",), f"cannot run: {error}") from None
    if qubits > MAX_QUBITS:
        raise fields.invalid(
            ("source",),
            f"declares {qubits} qubits; local.simulator simulates at most {MAX_QUBITS}",
            status=413,
        )
    if qdk_reason is not None:
        raise fields.invalid(
            ("source",),
            f"declares {qubits} qubits; with {qdk_reason} local.simulator runs it on qdk,"
            f" which simulates at most {MAX_QUBITS_ON_QDK}",
            status=413,
        )
    if not outputs:
        raise InvalidJob(
            "source: the program measures nothing, so it has no counts; measure its qubits into"
            " bits (OpenQASM 3: `bit[2] c; c = measure q;`, OpenQASM 2: `creg c[2];"
            " measure q -> c;`)",
            pointer="/source",
        )
    return job


def program_facts(source: str) -> tuple[int, str | None, bool]:
    """The qubits `source` declares; when more than qdk simulates, why qdk would run it (None:
    qiskit-aer runs it); whether its shots output anything (`output` or classical variables).
    Runs in a compile worker: it parses the program."""
    qubits = qasm.check(source)
    outputs = qasm.outputs_something(source)
    if MAX_QUBITS_ON_QDK < qubits <= MAX_QUBITS:
        return qubits, qasm.why_qdk(source), outputs
    return qubits, None, outputs


def solve(job: dict[str, Any], should_stop: Callable[[], bool]) -> dict[str, Any]:
    """{"counts": {outcome: shots}, "shots": shots run}; qasm.ProgramError if the engine fails."""
    counts, shots = qasm.run(
        job["source"], shots=job["shots"], seed=job["seed"], should_stop=should_stop
    )
    return {"counts": counts, "shots": shots}


CIRCUIT = JobKind(
    name="circuit",
    targets=("local.simulator",),
    fields=FIELDS,
    validate=validate,
    solve=solve,
)
