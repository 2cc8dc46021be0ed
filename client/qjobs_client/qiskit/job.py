"""A Qiskit job (`JobV1`) over the qjobs jobs that run a backend.run call's circuits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from qiskit.circuit import QuantumCircuit
from qiskit.providers import JobStatus, JobV1
from qiskit.result import Result
from qiskit.result.models import ExperimentResult, ExperimentResultData

from .runs import CircuitRuns

if TYPE_CHECKING:
    from .backend import QJobsBackend

_STATES = {
    "waiting": JobStatus.QUEUED,
    "executing": JobStatus.RUNNING,
    "succeeded": JobStatus.DONE,
    "failed": JobStatus.ERROR,
    "cancelled": JobStatus.CANCELLED,
}
# A run's status is its jobs' least advanced one, a failure or cancellation first.
_PRECEDENCE = [
    JobStatus.ERROR,
    JobStatus.CANCELLED,
    JobStatus.QUEUED,
    JobStatus.RUNNING,
    JobStatus.DONE,
]


def hex_counts(counts: dict[str, int]) -> dict[str, int]:
    """qjobs' counts ("c[n-1]…c[0]", registers last declared first, space-separated) as the
    hexadecimal memory keys a Qiskit Result holds."""
    hexed: dict[str, int] = {}
    for outcome, shots in counts.items():
        key = hex(int(outcome.replace(" ", "") or "0", 2))
        hexed[key] = hexed.get(key, 0) + shots
    return hexed


def experiment(circuit: QuantumCircuit, counts: dict[str, int], shots: int) -> ExperimentResult:
    header = {
        "name": circuit.name,
        "creg_sizes": [[register.name, register.size] for register in circuit.cregs],
        "memory_slots": circuit.num_clbits,
    }
    data = ExperimentResultData(counts=hex_counts(counts))
    return ExperimentResult(shots=shots, success=True, data=data, header=header)


class QJobsJob(JobV1):
    """The circuits of one `backend.run` call: one qjobs job (several circuits are one batch
    job), whose id is `job_id()`; `qjobs_ids` lists it."""

    def __init__(
        self,
        backend: QJobsBackend,
        runs: CircuitRuns,
        circuits: Sequence[QuantumCircuit],
        timeout: float | None,
    ) -> None:
        super().__init__(backend, ",".join(runs.ids))
        self._runs = runs
        self._circuits = list(circuits)
        self._timeout = timeout

    @property
    def qjobs_ids(self) -> list[str]:
        return self._runs.ids

    def submit(self) -> None:
        raise NotImplementedError("backend.run submits the circuits")

    def status(self) -> JobStatus:
        seen = {_STATES[state] for state in self._runs.states()}
        return next(status for status in _PRECEDENCE if status in seen)

    def cancel(self) -> None:
        self._runs.cancel()

    def result(self, timeout: float | None = None) -> Result:
        """The counts of every circuit, waiting for them; the qjobs client's JobFailed or
        JobCancelled when one of the jobs did not succeed."""
        runs = self._runs.counts(self._timeout if timeout is None else timeout)
        backend: Any = self.backend()
        return Result(
            backend_name=backend.name,
            backend_version=backend.backend_version,
            job_id=self.job_id(),
            success=True,
            results=[
                experiment(circuit, counts, shots)
                for circuit, (counts, shots) in zip(self._circuits, runs, strict=True)
            ],
        )
