"""What runs inside a compile worker process (see compile_pool.py): callers' functions, one at a
time, on programs the host must not parse itself.

The process dies with the host (lifeline.py), warms up first (imports qdk and qiskit, compiles
one small program of each language, ~1-2 s), then runs at the lowest priority with its
address space capped (`_limit_memory`). It says ("ready", None) once, then answers each
(function, args) with ("ok", value) or ("error", exception); a function that runs out of
memory gets ("memory", None) and the process ends, since the state it leaves behind cannot be
trusted.
"""

from __future__ import annotations

import os
import pickle
import resource
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from ..processes.lifeline import die_with_parent

PROCESS_NAME = "qjobs-compile"  # what `ps` shows
# The lowest priority, below the local run workers' too: while one client's flood of large
# programs kept the compile workers busy at the run workers' niceness (10), another client's
# seed job waited 40-55 s for its run worker; at 19, 0.24 s (compile_flood_bench, 2 cores).
COMPILE_NICENESS = 19
_WARM_CIRCUIT = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit q;\nbit c;\nh q;\nc = measure q;\n'
_WARM_QSHARP = "operation Main() : Result { use q = Qubit(); H(q); return MResetZ(q); }"


def serve(connection: Connection, memory_mb: int) -> None:
    """The worker's main loop: answer calls until the host closes the pipe."""
    die_with_parent(PROCESS_NAME)
    _warm_up()
    os.nice(COMPILE_NICENESS)
    _limit_memory(memory_mb)
    connection.send(("ready", None))
    while True:
        try:
            function, args = connection.recv()
        except EOFError:
            return
        answer = _answer(function, args)
        connection.send(answer)
        if answer[0] == "memory":
            return


def _answer(function: Callable[..., Any], args: tuple[Any, ...]) -> tuple[str, Any]:
    try:
        return ("ok", function(*args))
    except MemoryError:
        return ("memory", None)
    except Exception as error:  # noqa: BLE001 - the caller's to raise
        try:
            pickle.dumps(error)
        except Exception:  # noqa: BLE001 - an exception that cannot cross: its text does
            return ("error", RuntimeError(f"{type(error).__name__}: {error}"))
        return ("error", error)


def _warm_up() -> None:
    """Load and run each compiler once, so that the first caller's program is not slow."""
    from . import qasm, qir, qsharp_program

    qasm.check(_WARM_CIRCUIT)
    qasm.why_qdk(_WARM_CIRCUIT)  # imports qiskit's OpenQASM importers
    qsharp_program.check(_WARM_QSHARP, "Main()")
    qir.openqasm_qir(_WARM_CIRCUIT, "Base")


def _limit_memory(memory_mb: int) -> None:
    """Cap the address space at the warm process's plus 4 x `memory_mb`: a backstop for
    allocations faster than the pool's check of resident memory (qdk and qiskit reserve ~2 GB
    of address space at import that they never touch, so the cap is relative, and qdk
    allocates within that reservation, which is why the pool checks resident memory).
    Linux only, as Azure Functions' Python workers are."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            kib = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
    except FileNotFoundError:  # not Linux: no cap
        return
    limit = kib * 1024 + 4 * memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
