"""Counts from an Azure Quantum `microsoft.quantum-results.v2` document (a QIR job's output).

The document is {"DataFormat": "microsoft.quantum-results.v2", "Results": [{"Histogram":
[{"Outcome": V, "Display": S, "Count": n}, ...], "Shots": [V, ...]}]}, V being one shot's
value: a Result as 0 or 1, an array as a JSON array, a tuple as {"Item1": ..., "Item2": ...},
a failed shot as {"Error": ...}. Each V is turned back into the value a local run gives and
written by `outcomes.outcome`, so a program counts under the same keys wherever it ran
(the provider's Display strings are not used).

The format does not say which numbers are Results: an array of only 0s and 1s is read as a
Result array (a bit string), so an Int[] that happens to hold only 0 and 1 reads as bits too.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from qdk import Result

from .outcomes import outcome

DATA_FORMAT = "microsoft.quantum-results.v2"
_RESULTS = {0: Result.Zero, 1: Result.One}
_FAILED = object()  # a shot the provider reports as {"Error": ...}


def counts_from_results_v2(payload: dict[str, Any] | bytes) -> tuple[dict[str, int], int]:
    """(counts per outcome, shots counted); ValueError naming what is malformed.

    Counts come from the Histogram (Shots, when present, must agree with it); failed shots
    ({"Error": ...}) are left out of both.
    """
    document = _document(payload)
    results = document.get("Results")
    if not isinstance(results, list) or len(results) != 1 or not isinstance(results[0], dict):
        raise ValueError("Results must be an array holding one result object")
    histogram = results[0].get("Histogram")
    if not isinstance(histogram, list):
        raise ValueError("Results[0].Histogram must be an array")
    counts: Counter[str] = Counter()
    for n, entry in enumerate(histogram):
        where = f"Results[0].Histogram[{n}]"
        if not isinstance(entry, dict) or "Outcome" not in entry:
            raise ValueError(f"{where} must be an object with an Outcome and a Count")
        count = entry.get("Count")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ValueError(f"{where}.Count must be a non-negative integer")
        shot = _shot_value(entry["Outcome"], f"{where}.Outcome")
        if shot is not _FAILED and count:
            counts[outcome(shot)] += count
    shots = sum(counts.values())
    listed = results[0].get("Shots")
    if listed is not None:
        if not isinstance(listed, list):
            raise ValueError("Results[0].Shots must be an array")
        values = (_shot_value(v, f"Results[0].Shots[{n}]") for n, v in enumerate(listed))
        if sum(1 for value in values if value is not _FAILED) != shots:
            raise ValueError(
                f"Results[0].Shots does not list the {shots} shots the Histogram counts"
            )
    return dict(sorted(counts.items())), shots


def _document(payload: dict[str, Any] | bytes) -> dict[str, Any]:
    if isinstance(payload, bytes | bytearray):
        try:
            payload = json.loads(payload)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ValueError(f"the results are not JSON: {error}") from None
    if not isinstance(payload, dict):
        raise ValueError("the results must be a JSON object")
    if payload.get("DataFormat") != DATA_FORMAT:
        raise ValueError(f"DataFormat must be {DATA_FORMAT!r}, not {payload.get('DataFormat')!r}")
    return payload


def _shot_value(value: object, where: str) -> object:
    """A shot's JSON value as the Python value a local qdk run returns.

    A lone Result stays a number: 0 and 1 are written the same either way.
    """
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        if value and all(type(item) is int and item in _RESULTS for item in value):
            return [_RESULTS[item] for item in value]
        return [_shot_value(item, f"{where}[{n}]") for n, item in enumerate(value)]
    if isinstance(value, dict):
        if "Error" in value:
            return _FAILED
        names = [f"Item{n}" for n in range(1, len(value) + 1)]
        if sorted(value) != sorted(names):
            raise ValueError(f"{where} must be a tuple {{Item1, Item2, ...}} or an error")
        return tuple(_shot_value(value[name], f"{where}.{name}") for name in names)
    raise ValueError(f"{where} has a value of an unknown kind: {json.dumps(value)[:60]}")
