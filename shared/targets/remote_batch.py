"""A batch on an Azure Quantum target: one target job for the orchestration, one provider job
per item underneath.

Item i of job J is provider job `J-i`. The batch's state (each item's progress and outcome)
is a JSON blob in job J's own container of the workspace's storage, next to the items'
provider data; each poll of the batch is one round: it polls the items in flight together,
reads the outputs of those that ended, and submits the next items so that at most
QJOBS_BATCH_PARALLELISM are in flight. The orchestration sees one target job, as on a local
target, and its history holds only the counters.

At most once, across crashes: an item is recorded as submitted *before* its provider job is
created, and a provider id is created at most once (a repeated create finds the job). An item
recorded as submitted whose provider job does not exist is created again, unless the batch
is being cancelled: then it ends cancelled, with no provider job.
"""

from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

from ..config import settings
from ..jobs import JobError, JobState, item_counters
from ..solvers.batch_programs import item_program
from ..solvers.compile_pool import CompilePoolBusy, on_behalf_of
from ..solvers.program_text import ProgramError
from ..solvers.qir import QirProgram
from . import TargetJobLost, TargetRejected, TargetStatus, TargetUnreachable
from .azure_quantum import PROVIDER_STATES, AzureQuantumTarget

STATE_BLOB = "qjobs-batch.json"
_PENDING, _SUBMITTED, _ENDED = "pending", "submitted", "ended"


def item_job_id(job_id: str, index: int) -> str:
    """The provider job id of a batch's item."""
    return f"{job_id}-{index}"


def _cancelled(index: int, message: str) -> dict[str, Any]:
    return {
        "index": index,
        "status": "cancelled",
        "error": {"code": "cancelled", "message": message},
    }


@dataclass(frozen=True)
class RemoteBatch:
    """The Target of batch jobs on one Azure Quantum target."""

    remote: AzureQuantumTarget

    @property
    def name(self) -> str:
        return self.remote.name

    def submit(self, job_id: str, kind: str, problem: dict[str, Any], owner: str) -> str:
        """Record the batch (once: a repeat keeps what the first recorded) and start its first
        items."""
        if self.remote.read_blob(job_id, STATE_BLOB) is None:
            state = {
                "kind": kind,
                "owner": owner,
                "problem": problem,
                "cancelled": False,
                "failure": None,
                "items": [{"at": _PENDING} for _ in problem["items"]],
            }
            self._write(job_id, state)
        self._round(job_id)
        return job_id

    async def settle(self, target_job_id: str, seconds: float) -> None:
        """Provider jobs are never done this quickly: the orchestrator's timers wait."""

    def status(self, target_job_id: str) -> TargetStatus:
        return self._round(target_job_id)

    def output(self, target_job_id: str) -> dict[str, Any]:
        state = self._read(target_job_id)
        outcomes = [item.get("outcome") for item in state["items"]]
        if any(outcome is None for outcome in outcomes):
            raise ValueError(f"batch {target_job_id} has items still running")
        return {"items": outcomes, "failure": _failure(state)}

    def cancel(self, target_job_id: str) -> None:
        """Submit nothing more and cancel every item's provider job that has not ended."""
        state = self._read(target_job_id)
        if state["cancelled"]:
            return
        state["cancelled"] = True
        self._write(target_job_id, state)
        self._stop(target_job_id, state, "The batch was cancelled before this item ran.")
        self._write(target_job_id, state)

    # one round ------------------------------------------------------------------------------
    def _read(self, job_id: str) -> dict[str, Any]:
        data = self.remote.read_blob(job_id, STATE_BLOB)
        if data is None:
            raise TargetJobLost(job_id)
        return json.loads(data)

    def _write(self, job_id: str, state: dict[str, Any]) -> None:
        self.remote.write_blob(job_id, STATE_BLOB, json.dumps(state).encode())

    def _round(self, job_id: str) -> TargetStatus:
        """Poll the items in flight, then start the next ones; the batch's status."""
        state = self._read(job_id)
        items = state["items"]
        before = json.dumps(items)
        in_flight = [i for i, item in enumerate(items) if item["at"] == _SUBMITTED]
        with ThreadPoolExecutor(max(1, len(in_flight))) as pool:
            polled = list(pool.map(lambda i: self._poll_item(job_id, state, i), in_flight))
        for i, seen in zip(in_flight, polled, strict=True):
            items[i].update(seen)
        if self._stopping(state):
            self._stop(job_id, state, "The batch was aborted before this item ran.")
        else:
            self._start_next(job_id, state)
        if json.dumps(items) != before:  # most rounds of a queued batch change nothing
            self._write(job_id, state)
        return _status(state)

    def _stopping(self, state: dict[str, Any]) -> bool:
        """Whether no more items start: cancelled, or an item failed with "abort"."""
        if state["cancelled"]:
            return True
        if state["problem"]["on_item_failure"] != "abort":
            return False
        return any(_ended_as(item, "failed") for item in state["items"])

    def _start_next(self, job_id: str, state: dict[str, Any]) -> None:
        items = state["items"]
        room = settings().batch_parallelism - sum(item["at"] == _SUBMITTED for item in items)
        starting = [i for i, item in enumerate(items) if item["at"] == _PENDING][: max(room, 0)]
        if not starting:
            return
        for i in starting:
            items[i] = {"at": _SUBMITTED, "provider": None}
        self._write(job_id, state)  # before the provider hears of them: see the docstring
        with ThreadPoolExecutor(len(starting)) as pool:
            created = list(pool.map(lambda i: self._create_item(job_id, state, i), starting))
        for i, outcome in zip(starting, created, strict=True):
            if outcome is not None:
                items[i] = {"at": _ENDED, "outcome": outcome}

    def _stop(self, job_id: str, state: dict[str, Any], message: str) -> None:
        """End the items not started as cancelled, and cancel those in flight (once each: a
        provider job already final, or already cancelled, is left alone)."""
        items = state["items"]
        for i, item in enumerate(items):
            if item["at"] == _PENDING:
                items[i] = {"at": _ENDED, "outcome": _cancelled(i, message)}
        cancelling = [
            i for i, item in enumerate(items) if item["at"] == _SUBMITTED and not item.get("cancel")
        ]

        def cancel(i: int) -> bool:
            try:
                self.remote.cancel(item_job_id(job_id, i))
            except TargetUnreachable:
                return False
            except TargetRejected:  # the provider refuses: its job ends as it will
                pass
            return True

        with ThreadPoolExecutor(max(1, len(cancelling))) as pool:
            sent = list(pool.map(cancel, cancelling))
        for i, done in zip(cancelling, sent, strict=True):
            if done:
                items[i]["cancel"] = True

    # one item -------------------------------------------------------------------------------
    def _program(self, state: dict[str, Any], index: int) -> tuple[QirProgram, int]:
        """Item `index`'s program as QIR (compiled once per distinct program and process: QIR
        has no parameters, so a sweep compiles each binding's program) and its shots."""
        with on_behalf_of(state["owner"]):
            single = item_program(state["problem"], index)
        return self.remote.compiled(state["kind"], single, state["owner"]), single["shots"]

    def _create_item(self, job_id: str, state: dict[str, Any], index: int) -> dict | None:
        """Create item `index`'s provider job: None once created (or when the provider could
        not be reached: the next round finds it missing and creates it), else the item's
        failed outcome."""
        try:
            program, shots = self._program(state, index)
            self.remote.create(item_job_id(job_id, index), program, shots)
        except TargetRejected as rejected:
            return _failed(index, rejected.error)
        except ProgramError as error:
            return _failed(index, JobError("invalid_program", f"{self.name}: {error}"))
        except (TargetUnreachable, CompilePoolBusy):
            pass
        return None

    def _poll_item(self, job_id: str, state: dict[str, Any], index: int) -> dict[str, Any]:
        """What changed about item `index` in flight: its provider status, or its end."""
        provider_job = item_job_id(job_id, index)
        try:
            seen = self.remote.status(provider_job)
        except TargetUnreachable:
            return {}
        except TargetJobLost:
            if self._stopping(state):
                message = "The batch was stopped before this item's provider job was created."
                return {"at": _ENDED, "outcome": _cancelled(index, message)}
            created = self._create_item(job_id, state, index)
            return {} if created is None else {"at": _ENDED, "outcome": created}
        provider = {"provider": (seen.provider or {}).get("status")}
        if seen.state is JobState.SUCCEEDED:
            try:
                output = self.remote.output(provider_job)
            except TargetUnreachable:
                return provider
            except TargetRejected as rejected:
                return {"at": _ENDED, "outcome": _failed(index, rejected.error)}
            return {"at": _ENDED, "outcome": _succeeded(state, index, output)}
        if seen.state is JobState.FAILED:
            error = seen.error or JobError("target_error", "The provider failed the job.")
            return {"at": _ENDED, "outcome": _failed(index, error)}
        if seen.state is JobState.CANCELLED:
            message = "The item's provider job was cancelled."
            return {"at": _ENDED, "outcome": _cancelled(index, message)}
        return provider


def _succeeded(state: dict[str, Any], index: int, output: dict[str, Any]) -> dict[str, Any]:
    ran = {"index": index, "status": "succeeded", "counts": output["counts"]}
    ran["shots"] = output["shots"]
    binding = state["problem"]["items"][index].get("parameters")
    if binding is not None:
        ran["parameters"] = binding
    return ran


def _failed(index: int, error: JobError) -> dict[str, Any]:
    return {"index": index, "status": "failed", "error": asdict(error)}


def _ended_as(item: dict[str, Any], status: str) -> bool:
    return item["at"] == _ENDED and item["outcome"]["status"] == status


def _failure(state: dict[str, Any]) -> dict[str, str] | None:
    """The batch's error once every item ended: with "abort" its first failed item's, with
    "continue" only when no item succeeded (as a local batch's, see shared/batches.py)."""
    outcomes = [item["outcome"] for item in state["items"]]
    failed = [outcome for outcome in outcomes if outcome["status"] == "failed"]
    if not failed:
        return None
    abort = state["problem"]["on_item_failure"] == "abort"
    if not abort and any(outcome["status"] == "succeeded" for outcome in outcomes):
        return None
    first = failed[0]
    return {
        "code": first["error"]["code"],
        "message": f"Item {first['index']} failed: {first['error']['message']}",
    }


def _status(state: dict[str, Any]) -> TargetStatus:
    """The batch's state and counters; final once every item ended."""
    items = state["items"]
    ended = Counter(item["outcome"]["status"] for item in items if item["at"] == _ENDED)
    executing = sum(
        item["at"] == _SUBMITTED
        and PROVIDER_STATES.get(item.get("provider") or "Waiting") is JobState.EXECUTING
        for item in items
    )
    counters = item_counters(len(items), dict(ended), executing)
    if sum(ended.values()) == len(items):
        final = JobState.CANCELLED if state["cancelled"] else JobState.SUCCEEDED
        return TargetStatus(final, items=counters)
    started = executing or ended
    return TargetStatus(JobState.EXECUTING if started else JobState.WAITING, items=counters)
