"""Running a `qir.v1` program with the qdk simulator and writing what it gives in the
`microsoft.quantum-results.v2` output format the SDK's Job.get_results* parse."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

RESULTS_FORMAT = "microsoft.quantum-results.v2"
BITCODE_MAGIC = b"BC\xc0\xde"


def run_qir(program: bytes, shots: int, seed: int) -> list[Any]:
    """One value per shot. Accepts QIR bitcode (what Azure targets take) and QIR text (what
    qdk's `QirInputData._repr_qir_()` hands the SDK). Raises ValueError for bad input."""
    os.environ.setdefault("QDK_PYTHON_TELEMETRY", "none")  # before qdk is first imported
    from qdk.simulation import run_qir as simulate

    source: bytes | str = program
    if not program.startswith(BITCODE_MAGIC):
        try:
            source = program.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValueError("input is neither QIR bitcode nor QIR text") from error
    return list(simulate(source, shots=shots, seed=seed))


def outcome(value: Any) -> Any:
    """A shot's value as v2 encodes it: a Result as 0/1, an array as a list, a tuple as
    {"Item1": ..}, booleans and numbers as themselves."""
    if isinstance(value, tuple):
        return {f"Item{index + 1}": outcome(item) for index, item in enumerate(value)}
    if isinstance(value, list):
        return [outcome(item) for item in value]
    if isinstance(value, bool | int | float | str):
        return value
    name = str(value)  # qdk's Result: Zero, One or Loss
    return {"Zero": 0, "One": 1}.get(name, name)


def display(value: Any) -> str:
    """The printed form, as Q# prints it: `[0, 1]`, `(0, true)`."""
    if isinstance(value, tuple):
        return "(" + ", ".join(display(item) for item in value) + ")"
    if isinstance(value, list):
        return "[" + ", ".join(display(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    encoded = outcome(value)
    return str(encoded)


def results_document(shots: Sequence[Any]) -> bytes:
    """The v2 output blob: one result with its histogram (first-seen order) and the shots."""
    histogram: dict[str, dict[str, Any]] = {}
    for shot in shots:
        key = json.dumps(outcome(shot), sort_keys=True)
        entry = histogram.setdefault(
            key, {"Outcome": outcome(shot), "Display": display(shot), "Count": 0}
        )
        entry["Count"] += 1
    document = {
        "DataFormat": RESULTS_FORMAT,
        "Results": [
            {"Histogram": list(histogram.values()), "Shots": [outcome(shot) for shot in shots]}
        ],
    }
    return json.dumps(document).encode()
