"""Provider jobs: their details as Azure returns them, and the lifecycle each one runs in its
own thread (Waiting for queue_seconds, Executing: the program runs for real, then
execution_seconds more, then Succeeded or Failed). Knob changes and cancels wake every
waiting job through one condition, so waits follow the knobs as they are now."""

from __future__ import annotations

import copy
import datetime
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from .blobs import BlobStore
from .knobs import Knobs
from .results import RESULTS_FORMAT, results_document, run_qir

FINAL_STATES = frozenset({"Succeeded", "Failed", "Cancelled"})
OUTPUT_BLOB = "rawOutputData"
DEFAULT_SHOTS = 100
MAX_SHOTS = 10_000


def now_iso() -> str:
    return (
        datetime.datetime.now(datetime.UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


class JobFailure(Exception):
    """A provider failure: becomes the job's errorData."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Job:
    """One provider job. `details` is the camelCase JobDetails document; change it only
    under the lifecycle's condition."""

    def __init__(self, details: dict[str, Any]) -> None:
        self.details = details
        self.discarded = False  # set by reset(): the thread stops at its next wake

    @property
    def id(self) -> str:
        return self.details["id"]

    @property
    def status(self) -> str:
        return self.details["status"]

    @property
    def final(self) -> bool:
        return self.discarded or self.status in FINAL_STATES


class Lifecycle:
    """Runs jobs and applies cancels. `knobs` is read afresh at every wake."""

    def __init__(self, store: BlobStore, knobs: Callable[[], Knobs]) -> None:
        self.store = store
        self.knobs = knobs
        self.condition = threading.Condition()

    def wake(self) -> None:
        with self.condition:
            self.condition.notify_all()

    def start(self, job: Job) -> None:
        threading.Thread(target=self._run, args=(job,), name=f"job-{job.id}", daemon=True).start()

    def cancel(self, job: Job) -> None:
        with self.condition:
            if not job.final:
                stamp = now_iso()
                job.details.update(status="Cancelled", cancellationTime=stamp)
                if job.details.get("beginExecutionTime"):
                    job.details["endExecutionTime"] = stamp
                self.condition.notify_all()

    def snapshot(self, job: Job) -> dict[str, Any]:
        with self.condition:
            return copy.deepcopy(job.details)

    def _wait(self, job: Job, since: float, seconds: Callable[[Knobs], float]) -> bool:
        """Wait until `seconds` (a knob, re-read at each wake) passed since `since`;
        False when the job became final meanwhile."""
        with self.condition:
            while not job.final:
                remaining = since + seconds(self.knobs()) - time.monotonic()
                if remaining <= 0:
                    return True
                self.condition.wait(None if remaining == float("inf") else remaining)
            return False

    def _run(self, job: Job) -> None:
        if not self._wait(job, time.monotonic(), lambda knobs: knobs.queue_seconds):
            return
        with self.condition:
            if job.final:
                return
            job.details.update(status="Executing", beginExecutionTime=now_iso())
            knobs = self.knobs()
            failing = knobs.fail_jobs or job.id in knobs.fail_job_ids
        try:
            if failing:
                raise JobFailure("InvalidInputData", "The provider rejected the job's input data.")
            output = self._execute(job)
        except JobFailure as failure:
            self._finish(job, "Failed", {"code": failure.code, "message": failure.message})
            return
        ran = time.monotonic()
        if not self._wait(job, ran, _execution_seconds):
            return
        container = _container_of(job.details)
        self.store.put(container, OUTPUT_BLOB, output, "application/json")
        self._finish(job, "Succeeded", None, self.store.sas_url(container, OUTPUT_BLOB, "r"))

    def _execute(self, job: Job) -> bytes:
        details = job.details
        located = self.store.locate(details.get("inputDataUri") or "")
        blob = self.store.get(*located) if located else None
        if blob is None:
            raise JobFailure("InvalidInputData", "The job's inputDataUri names no blob.")
        params = details.get("inputParams") or {}
        if params.get("arguments"):
            raise JobFailure("InvalidInputData", "Entry point arguments are not supported.")
        shots = params.get("shots", params.get("count", DEFAULT_SHOTS))
        if isinstance(shots, bool) or not isinstance(shots, int) or not 1 <= shots <= MAX_SHOTS:
            raise JobFailure("InvalidInputData", f"shots must be an integer 1..{MAX_SHOTS}.")
        seed = random.Random(f"{self.knobs().seed}:{job.id}").getrandbits(32)
        try:
            values = run_qir(blob.data, shots, seed)
        except Exception as error:  # qdk raises ValueError and its own errors for bad QIR
            raise JobFailure("InvalidInputData", f"The QIR program failed: {error}") from error
        return results_document(values)

    def _finish(
        self, job: Job, status: str, error: dict[str, str] | None, output_uri: str | None = None
    ) -> None:
        with self.condition:
            if job.final:
                return
            job.details.update(status=status, endExecutionTime=now_iso(), errorData=error)
            if output_uri is not None:
                job.details.update(outputDataUri=output_uri, costEstimate=_free_cost(job.details))
            self.condition.notify_all()


def _execution_seconds(knobs: Knobs) -> float:
    return float("inf") if knobs.never_finish else knobs.execution_seconds


def _container_of(details: dict[str, Any]) -> str:
    path = details["containerUri"].split("?", 1)[0].split("://", 1)[-1]
    return path.split("/")[1]


def _free_cost(details: dict[str, Any]) -> dict[str, Any]:
    """Simulator targets are free: the estimate lists the shots at a unit price of 0."""
    params = details.get("inputParams") or {}
    shots = params.get("shots", params.get("count", DEFAULT_SHOTS))
    return {
        "currencyCode": "USD",
        "events": [
            {
                "dimensionId": "shots",
                "dimensionName": "Shots",
                "measureUnit": "shots",
                "amountBilled": 0.0,
                "amountConsumed": float(shots),
                "unitPrice": 0.0,
            }
        ],
        "estimatedTotal": 0.0,
    }


def new_details(job_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """The details of a job just created from a PUT body (already validated)."""
    return {
        "id": job_id,
        "name": body.get("name") or job_id,
        "itemType": "Job",
        "jobType": "QuantumComputing",
        "providerId": body["providerId"],
        "target": body["target"],
        "sessionId": body.get("sessionId"),
        "containerUri": body["containerUri"],
        "inputDataUri": body.get("inputDataUri"),
        "inputDataFormat": body.get("inputDataFormat"),
        "inputParams": body.get("inputParams") or {},
        "outputDataFormat": body.get("outputDataFormat") or RESULTS_FORMAT,
        "outputDataUri": None,
        "metadata": body.get("metadata"),
        "priority": body.get("priority") or "Standard",
        "tags": body.get("tags") or [],
        "status": "Waiting",
        "creationTime": now_iso(),
        "beginExecutionTime": None,
        "endExecutionTime": None,
        "cancellationTime": None,
        "costEstimate": None,
        "errorData": None,
    }
