"""Running a batch (a job with `items`/`parameters`, see kinds/batch_fields.py) and counting
its items.

On a local target a batch is one target job: its worker runs the items in order, reporting
the counters before each item, and returns every item's outcome. The job's output is
{"items": [...], "failure": the job's error or None}: with `on_item_failure` "abort" the first
failed item cancels the rest and is the job's error; with "continue" the job fails only when
every item failed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from .jobs import JobState, item_counters
from .kinds import KINDS
from .solvers.qasm_inputs import SweepProgram

Report = Callable[[dict[str, int]], None]


def counters(total: int, ended: Iterable[dict[str, Any]], executing: int = 0) -> dict[str, int]:
    """The status document's `items`, from the outcomes of the items that ended."""
    return item_counters(total, Counter(item["status"] for item in ended), executing)


def final_counters(total: int, output: dict[str, Any] | None, state: JobState) -> dict[str, int]:
    """A final batch's counters: its items' outcomes, or for a batch that ended without
    any (cancelled while queued, or its worker lost) every item ended as the job did."""
    if output is None:
        return item_counters(total, {state.value: total})
    return counters(total, output["items"])


def run_batch(
    kind: str, batch: dict[str, Any], should_stop: Callable[[], bool], report: Report
) -> dict[str, Any]:
    """Every item's outcome in order, and the batch's failure (None when it succeeded)."""
    items = batch["items"]
    abort = batch["on_item_failure"] == "abort"
    sweeps: dict[int, SweepProgram] = {}
    ended: list[dict[str, Any]] = []
    failure: dict[str, str] | None = None
    for index, item in enumerate(items):
        if should_stop() or (abort and failure is not None):
            ended.append(_cancelled(index, "The batch was cancelled before this item ran."))
            continue
        report(counters(len(items), ended, executing=1))
        outcome = _run_item(kind, batch, item, index, sweeps, should_stop)
        if outcome["status"] == "failed" and failure is None:
            failure = {
                "code": outcome["error"]["code"],
                "message": f"Item {index} failed: {outcome['error']['message']}",
            }
        ended.append(outcome)
    if not abort and failure is not None and any(i["status"] == "succeeded" for i in ended):
        failure = None
    return {"items": ended, "failure": failure}


def _run_item(
    kind: str,
    batch: dict[str, Any],
    item: dict[str, Any],
    index: int,
    sweeps: dict[int, SweepProgram],
    should_stop: Callable[[], bool],
) -> dict[str, Any]:
    source = batch["programs"][item["program"]]
    parameters = item.get("parameters")
    try:
        if parameters is None:
            job = {**item, "source": source}
            output = KINDS[kind].solve(job, should_stop)
            counts, shots = output["counts"], output["shots"]
        else:
            if item["program"] not in sweeps:
                sweeps[item["program"]] = SweepProgram(source)
            shots = item["shots"]
            counts = sweeps[item["program"]].run(parameters, shots=shots, seed=item["seed"])
    except Exception as error:  # the item's failure, reported in its place
        message = f"{type(error).__name__}: {error}"
        return {
            "index": index,
            "status": "failed",
            "error": {"code": "target_error", "message": message},
        }
    if should_stop():
        return _cancelled(index, "The batch was cancelled while this item ran.")
    ran: dict[str, Any] = {"index": index, "status": "succeeded", "counts": counts, "shots": shots}
    if parameters is not None:
        ran["parameters"] = parameters
    return ran


def _cancelled(index: int, message: str) -> dict[str, Any]:
    return {
        "index": index,
        "status": "cancelled",
        "error": {"code": "cancelled", "message": message},
    }
