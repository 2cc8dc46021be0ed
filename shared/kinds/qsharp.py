"""The `qsharp` kind: a Q# program and its entry expression run for some shots on local.simulator.

The program and the entry are compiled when the job is submitted, in a compile worker (about
50 ms, executing nothing; see compile_pool.py), so a compile error is a 400 with qdk's message
and position; errors only a run can find fail the job. Which shots count as what: see
`shared.solvers.qsharp_program.run`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..solvers import qsharp_program
from ..solvers.compile_pool import compiled
from . import fields
from .base import JobKind

FIELDS = frozenset({"source", "entry", "shots", "seed", "time_limit"})


def validate(body: dict[str, Any]) -> dict[str, Any]:
    """{"source": str, "entry": str, "shots": int, "seed": int or None, "time_limit": s}.

    Without `entry` the program's `@EntryPoint()` operation runs, or else `Main()`.
    """
    body = fields.json_object(body)
    problems = fields.Problems()
    with problems.check():
        fields.known_fields(body, FIELDS)
    with problems.check():
        job = fields.program_fields(body, "a Q# program (operations, optionally in a namespace)")
    with problems.check():
        fields.entry_field(body)
    problems.raise_any()
    source = job["source"]
    entry = fields.entry_field(body)
    if entry is None:
        entry = qsharp_program.default_entry(source)
    try:
        compiled(qsharp_program.check, source, entry)
    except qsharp_program.EntryError as error:
        raise fields.invalid(("entry",), f"cannot run: {error}") from None
    except qsharp_program.QubitLimitError as error:
        raise fields.invalid(("source",), str(error), status=413) from None
    except qsharp_program.ProgramError as error:
        raise fields.invalid(("source",), f"cannot run: {error}") from None
    return {"source": source, "entry": entry, **{k: v for k, v in job.items() if k != "source"}}


def solve(job: dict[str, Any], should_stop: Callable[[], bool]) -> dict[str, Any]:
    """{"counts": {outcome: shots}, "shots": shots run}; ProgramError if the run fails."""
    counts, shots = qsharp_program.run(
        job["source"], job["entry"], shots=job["shots"], seed=job["seed"], should_stop=should_stop
    )
    return {"counts": counts, "shots": shots}


QSHARP = JobKind(
    name="qsharp",
    targets=("local.simulator",),
    fields=FIELDS,
    validate=validate,
    solve=solve,
)
