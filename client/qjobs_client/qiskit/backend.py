"""qjobs targets as Qiskit backends (`BackendV2`), found through a provider."""

from __future__ import annotations

import copy
from typing import Any

from qiskit.circuit import IfElseOp, QuantumCircuit
from qiskit.providers import BackendV2, Options
from qiskit.transpiler import Target as QiskitTarget

from ..models import Target
from ..sync_client import Client
from .job import QJobsJob
from .programs import openqasm
from .runs import CircuitRuns

# Gates of OpenQASM 3's stdgates.inc that both of qjobs' engines run; `transpile` rewrites
# anything else into them. All-to-all: a simulator has no coupling map.
BASIS_GATES = [
    "id",
    "x",
    "y",
    "z",
    "h",
    "s",
    "sdg",
    "t",
    "tdg",
    "sx",
    "rx",
    "ry",
    "rz",
    "p",
    "cx",
    "cy",
    "cz",
    "swap",
    "ccx",
    "measure",
    "reset",
]
DEFAULT_SHOTS = 1024
# Circuits one run may carry: each is a job today, so this bounds the jobs one call starts.
MAX_CIRCUITS = 100
MAX_NAME = 200  # characters of a job's name; the circuit's name names its job


def qiskit_target(qubits: int) -> QiskitTarget:
    """A Qiskit Target of `qubits` qubits, the basis gates on any qubits, and if/else."""
    target = QiskitTarget.from_configuration(basis_gates=BASIS_GATES, num_qubits=qubits)
    target.add_instruction(IfElseOp, name="if_else")
    return target


class QJobsBackend(BackendV2):
    """A qjobs target that runs `circuit` jobs, as a Qiskit backend.

    `run(circuits, shots=..., seed=...)`: one circuit or a list, transpiled to `target` first
    (`transpile(circuit, backend)`); a QJobsJob whose `result()` waits for the counts.
    `timeout`: seconds `result()` waits by default (None: as long as it takes)."""

    def __init__(
        self,
        provider: QJobsProvider,
        description: Target,
        *,
        timeout: float | None = 600.0,
    ) -> None:
        super().__init__(
            provider=provider,
            name=description.name,
            description=f"qjobs target {description.name} ({description.location})",
            backend_version="1",
        )
        self.client = provider.client
        self.limits = description.limits
        self.timeout = timeout
        self._target = qiskit_target(int(description.limits["qubits"]))
        if "shots" in description.limits:
            self.options.set_validator("shots", (1, int(description.limits["shots"])))

    @classmethod
    def _default_options(cls) -> Options:
        return Options(shots=DEFAULT_SHOTS, seed=None)

    @property
    def target(self) -> QiskitTarget:
        return self._target

    @property
    def max_circuits(self) -> int:
        return MAX_CIRCUITS

    def run(self, run_input: QuantumCircuit | list[QuantumCircuit], **options: Any) -> QJobsJob:
        circuits = [run_input] if isinstance(run_input, QuantumCircuit) else list(run_input)
        if not 1 <= len(circuits) <= MAX_CIRCUITS:
            raise ValueError(f"run takes 1 to {MAX_CIRCUITS} circuits, not {len(circuits)}")
        unknown = set(options) - set(self.options.__dict__)
        if unknown:
            raise ValueError(f"unknown run options: {', '.join(sorted(unknown))}")
        settings = copy.copy(self.options)
        settings.update_options(**options)  # ValueError for a value out of its validator's range
        runs = CircuitRuns.submit(
            self.client,
            self.name,
            [(circuit.name[:MAX_NAME], openqasm(circuit)) for circuit in circuits],
            shots=int(settings.shots),
            seed=settings.seed,
        )
        return QJobsJob(self, runs, circuits, self.timeout)


class QJobsProvider:
    """The targets of one qjobs deployment (those that run circuits) as Qiskit backends."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def backends(self, name: str | None = None) -> list[QJobsBackend]:
        """Every target that runs `circuit` jobs (only `name`'s when given)."""
        return [
            QJobsBackend(self, target)
            for target in self.client.targets()
            if "circuit" in target.kinds and name in (None, target.name)
        ]

    def get_backend(self, target: str = "local.simulator") -> QJobsBackend:
        """The backend of this target; ValueError when qjobs offers no such circuit target."""
        found = self.backends(target)
        if not found:
            offered = ", ".join(backend.name for backend in self.backends()) or "none"
            raise ValueError(f"qjobs runs no circuits on {target!r}; it offers {offered}")
        return found[0]
