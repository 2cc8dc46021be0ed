"""A Qiskit SamplerV2 primitive on a qjobs backend.

Each PUB's circuit is bound to each of its parameter value sets and every bound circuit runs
through `backend.run` (one qjobs job per binding today; one batch when the backend sends
lists as batches). qjobs answers counts, not shots in order: each register's BitArray holds
every shot of the counts, in no particular order, with the registers of one shot together.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from qiskit.circuit import QuantumCircuit
from qiskit.primitives import (
    BaseSamplerV2,
    BitArray,
    DataBin,
    PrimitiveJob,
    PrimitiveResult,
    SamplerPubResult,
)
from qiskit.primitives.containers.sampler_pub import SamplerPub, SamplerPubLike

from .backend import DEFAULT_SHOTS, QJobsBackend


def register_samples(circuit: QuantumCircuit, counts: dict[str, int]) -> dict[str, list[str]]:
    """Every shot of `counts` (Qiskit's keys: registers last first, space-separated) as each
    register's bitstrings, shot i of every register from the same outcome."""
    samples: dict[str, list[str]] = {register.name: [] for register in circuit.cregs}
    for outcome, shots in counts.items():
        parts = outcome.split(" ") if circuit.cregs else []
        for register, bits in zip(reversed(circuit.cregs), parts, strict=True):
            samples[register.name].extend([bits] * shots)
    return samples


class QJobsSampler(BaseSamplerV2):
    """SamplerV2 on `backend`. `default_shots` when neither run nor a PUB says; `seed` the
    simulator's seed for every binding (None: qjobs draws one per job)."""

    def __init__(
        self,
        backend: QJobsBackend,
        *,
        default_shots: int = DEFAULT_SHOTS,
        seed: int | None = None,
    ) -> None:
        self.backend = backend
        self.default_shots = default_shots
        self.seed = seed

    def run(
        self, pubs: Iterable[SamplerPubLike], *, shots: int | None = None
    ) -> PrimitiveJob[PrimitiveResult[SamplerPubResult]]:
        coerced = [
            SamplerPub.coerce(pub, self.default_shots if shots is None else shots) for pub in pubs
        ]
        job: PrimitiveJob[PrimitiveResult[SamplerPubResult]] = PrimitiveJob(self._run, coerced)
        job._submit()
        return job

    def _run(self, pubs: list[SamplerPub]) -> PrimitiveResult[SamplerPubResult]:
        return PrimitiveResult([self._run_pub(pub) for pub in pubs], metadata={"version": 2})

    def _run_pub(self, pub: SamplerPub) -> SamplerPubResult:
        bound = pub.parameter_values.bind_all(pub.circuit)
        indices = list(np.ndindex(pub.shape))
        job = self.backend.run([bound[index] for index in indices], shots=pub.shots, seed=self.seed)
        result = job.result()
        arrays: dict[str, np.ndarray] = {}
        for register in pub.circuit.cregs:
            size = (register.size + 7) // 8
            arrays[register.name] = np.zeros((*pub.shape, pub.shots, size), dtype=np.uint8)
        for i, index in enumerate(indices):
            samples = register_samples(pub.circuit, result.get_counts(i))
            for register in pub.circuit.cregs:
                bits = BitArray.from_samples(samples[register.name], register.size)
                arrays[register.name][index] = bits.array
        data = DataBin(
            **{
                register.name: BitArray(arrays[register.name], register.size)
                for register in pub.circuit.cregs
            },
            shape=pub.shape,
        )
        return SamplerPubResult(
            data, metadata={"shots": pub.shots, "job_ids": getattr(job, "qjobs_ids", [])}
        )
