"""The `qsharp` kind: a Q# program and its entry expression run for some shots on local.simulator.

The program and the entry are compiled when the job is submitted (about 50 ms, executing
nothing), so a compile error is a 400 with qdk's message and position; errors only a run can
find fail the job. Which shots count as what: see `shared.solvers.qsharp_program.run`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..solvers import qsharp_program
from . import fields
from .base import JobKind

MAX_SOURCE = 100_000  # characters
MAX_SHOTS = 10_000
DEFAULT_SHOTS = 100
FIELDS = frozenset({"source", "entry", "shots", "seed", "time_limit"})


def validate(body: dict[str, Any]) -> dict[str, Any]:
    """{"source": str, "entry": str, "shots": int, "seed": int or None, "time_limit": s}.

    Without `entry` the program's `@EntryPoint()` operation runs, or else `Main()`.
    """
    body = fields.known_fields(body, FIELDS)
    shots = fields.integer(body.get("shots", DEFAULT_SHOTS), ("shots",), low=1, high=MAX_SHOTS)
    seed = fields.seed(body)
    time_limit = fields.program_time_limit(body)
    source = fields.required(body, "source", "a Q# program (operations, optionally in a namespace)")
    if not isinstance(source, str):
        raise fields.invalid(("source",), f"must be a string, not {fields.json_type(source)}")
    if not source.strip():
        raise fields.invalid(("source",), "must not be empty")
    if len(source) > MAX_SOURCE:
        raise fields.invalid(
            ("source",),
            f"has {len(source):,} characters; at most {MAX_SOURCE:,} are allowed",
            status=413,
        )
    entry = body["entry"] if "entry" in body else qsharp_program.default_entry(source)
    if not isinstance(entry, str):
        raise fields.invalid(("entry",), f"must be a string, not {fields.json_type(entry)}")
    entry = entry.strip()
    try:
        qsharp_program.check(source, entry)
    except qsharp_program.EntryError as error:
        raise fields.invalid(("entry",), f"cannot run: {error}") from None
    except qsharp_program.QubitLimitError as error:
        raise fields.invalid(("source",), str(error), status=413) from None
    except qsharp_program.ProgramError as error:
        raise fields.invalid(("source",), f"cannot run: {error}") from None
    return {
        "source": source,
        "entry": entry,
        "shots": shots,
        "seed": seed,
        "time_limit": time_limit,
    }


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
