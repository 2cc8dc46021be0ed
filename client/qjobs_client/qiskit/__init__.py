"""Qiskit: qjobs targets as Qiskit backends, and a SamplerV2 primitive over them.

    from qjobs_client import Client
    from qjobs_client.qiskit import QJobsProvider
    backend = QJobsProvider(Client()).get_backend("local.simulator")
    counts = backend.run(transpile(circuit, backend), shots=1000).result().get_counts()

Circuits go to qjobs as OpenQASM 3 (`qiskit.qasm3.dumps`) in `circuit` jobs. Needs the
`qiskit` extra (Qiskit 2).
"""

from .backend import QJobsBackend, QJobsProvider
from .job import QJobsJob
from .sampler import QJobsSampler

__all__ = ["QJobsBackend", "QJobsJob", "QJobsProvider", "QJobsSampler"]
