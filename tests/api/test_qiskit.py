"""qjobs_client.qiskit against a real qjobs (devhost + Azurite): the provider and backend
(BackendV2, JobV1, Result) and the SamplerV2 primitive, with counts compared to Qiskit's own
StatevectorSampler."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator

import numpy as np
import pytest
from api_testkit import KEYS
from devhost_testkit import DevHost
from qiskit import QuantumCircuit, transpile
from qiskit.circuit import ClassicalRegister, Parameter, QuantumRegister
from qiskit.circuit.library import QFTGate
from qiskit.primitives import StatevectorSampler
from qiskit.providers import BackendV2, JobStatus
from qjobs_client import Client, JobCancelled
from qjobs_client.qiskit import QJobsBackend, QJobsProvider, QJobsSampler

SHOTS = 2000
REFERENCE_SHOTS = 50_000


@pytest.fixture(scope="module")
def client(api_host: DevHost) -> Iterator[Client]:
    with Client(api_host.url("/api"), KEYS["alice"]) as client:
        yield client


@pytest.fixture(scope="module")
def backend(client: Client) -> QJobsBackend:
    return QJobsProvider(client).get_backend("local.simulator")


def reference_counts(circuit: QuantumCircuit, shots: int = REFERENCE_SHOTS) -> dict[str, int]:
    """Counts of Qiskit's StatevectorSampler, keyed like Result.get_counts (registers last
    first, space-separated)."""
    data = StatevectorSampler(seed=1).run([circuit], shots=shots).result()[0].data
    registers = [data[register.name].get_bitstrings() for register in reversed(circuit.cregs)]
    return dict(Counter(" ".join(shot) for shot in zip(*registers, strict=True)))


def assert_within_sampling_error(counts: dict[str, int], reference: dict[str, int]) -> None:
    """Every outcome's frequency within 5 standard errors of the reference's (plus 1%)."""
    shots, reference_shots = sum(counts.values()), sum(reference.values())
    for outcome in set(counts) | set(reference):
        p = reference.get(outcome, 0) / reference_shots
        observed = counts.get(outcome, 0) / shots
        assert abs(observed - p) <= 5 * math.sqrt(p * (1 - p) / shots) + 0.01, (outcome, counts)


def ghz(n: int) -> QuantumCircuit:
    circuit = QuantumCircuit(n, n, name=f"ghz{n}")
    circuit.h(0)
    for i in range(1, n):
        circuit.cx(0, i)
    circuit.measure(range(n), range(n))
    return circuit


def qft_of_three() -> QuantumCircuit:
    """A circuit of gates outside the basis (QFT, controlled swap, u) and two registers."""
    q, low, high = (
        QuantumRegister(3, "q"),
        ClassicalRegister(2, "low"),
        ClassicalRegister(1, "high"),
    )
    circuit = QuantumCircuit(q, low, high, name="qft3")
    circuit.u(0.3, 0.2, 0.1, 0)
    circuit.ry(1.1, 1)
    circuit.cswap(0, 1, 2)
    circuit.append(QFTGate(3), [0, 1, 2])
    circuit.measure([0, 1], low)
    circuit.measure(2, high)
    return circuit


def test_provider_lists_the_circuit_targets_as_backends(client: Client) -> None:
    names = {backend.name for backend in QJobsProvider(client).backends()}
    circuit_targets = {t.name for t in client.targets() if "circuit" in t.kinds}
    assert names == circuit_targets and "local.simulator" in names


def test_unknown_target_is_a_clear_error(client: Client) -> None:
    with pytest.raises(ValueError, match="local.simulator"):
        QJobsProvider(client).get_backend("nowhere.qpu")


def test_backend_is_a_backend_v2_with_the_targets_qubits(
    client: Client, backend: QJobsBackend
) -> None:
    (listed,) = [t for t in client.targets() if t.name == "local.simulator"]
    assert isinstance(backend, BackendV2)
    assert backend.num_qubits == backend.target.num_qubits == listed.limits["qubits"]
    assert backend.max_circuits >= 1
    assert (backend.options.shots, backend.options.seed) == (1024, None)


def test_transpile_rewrites_a_circuit_into_the_backends_basis(backend: QJobsBackend) -> None:
    compiled = transpile(qft_of_three(), backend, optimization_level=1)
    used = set(compiled.count_ops())
    assert used <= set(backend.operation_names) | {"barrier"}
    assert "cswap" not in used and "u" not in used


def test_run_counts_agree_with_statevector_sampler(backend: QJobsBackend) -> None:
    circuit = transpile(qft_of_three(), backend)
    counts = backend.run(circuit, shots=SHOTS, seed=7).result().get_counts()
    assert sum(counts.values()) == SHOTS
    assert_within_sampling_error(counts, reference_counts(qft_of_three()))


def test_a_transpiled_circuit_goes_on_its_used_qubits_only(
    client: Client, backend: QJobsBackend
) -> None:
    job = backend.run(transpile(ghz(3), backend), shots=5)
    job.result()
    source = client.job(job.job_id()).input()["source"]
    assert "qubit[3] q;" in source and "$" not in source


def test_registers_are_keyed_as_qiskit_writes_them(backend: QJobsBackend) -> None:
    q, a, b = QuantumRegister(3), ClassicalRegister(2, "a"), ClassicalRegister(1, "b")
    circuit = QuantumCircuit(q, a, b)
    circuit.x([0, 2])
    circuit.measure([0, 1], a)
    circuit.measure(2, b)
    counts = backend.run(circuit, shots=10).result().get_counts()
    assert counts == reference_counts(circuit, shots=10) == {"1 01": 10}


def test_run_of_a_list_is_one_batch_job_answering_each_circuits_counts_in_order(
    backend: QJobsBackend,
) -> None:
    circuits = [ghz(2), ghz(3), transpile(qft_of_three(), backend)]
    job = backend.run(circuits, shots=SHOTS, seed=3)
    result = job.result()
    assert job.qjobs_ids == [job.job_id()]
    assert job.status() is JobStatus.DONE
    for i, circuit in enumerate(circuits):
        assert sum(result.get_counts(i).values()) == SHOTS
        assert_within_sampling_error(result.get_counts(i), reference_counts(circuit))
    assert set(result.get_counts(circuits[0])) == {"00", "11"}


def test_same_seed_gives_the_same_counts(backend: QJobsBackend) -> None:
    first = backend.run(ghz(3), shots=200, seed=42).result().get_counts()
    assert backend.run(ghz(3), shots=200, seed=42).result().get_counts() == first


def test_run_sends_the_circuit_as_openqasm_3_with_its_name(
    client: Client, backend: QJobsBackend
) -> None:
    job = backend.run(ghz(2), shots=5)
    job.result()
    qjob = client.job(job.job_id())
    assert qjob.last_status.name == "ghz2"
    assert qjob.input()["source"].startswith("OPENQASM 3.0;")


def slow_circuit() -> QuantumCircuit:
    """Classical control sends a circuit to qdk, which simulates every shot on its own."""
    circuit = QuantumCircuit(12, 12)
    circuit.h(range(12))
    circuit.measure(0, 0)
    with circuit.if_test((circuit.clbits[0], 1)):
        circuit.x(1)
    circuit.measure(range(12), range(12))
    return circuit


def test_cancel_stops_the_job(backend: QJobsBackend) -> None:
    job = backend.run(slow_circuit(), shots=10_000)
    job.cancel()
    with pytest.raises(JobCancelled):
        job.result(timeout=60)
    assert job.status() is JobStatus.CANCELLED


def test_unknown_run_option_is_refused(backend: QJobsBackend) -> None:
    with pytest.raises(ValueError, match="memory"):
        backend.run(ghz(2), memory=True)


def test_shots_beyond_the_targets_limit_are_refused_before_submitting(
    backend: QJobsBackend,
) -> None:
    with pytest.raises(ValueError, match="shots"):
        backend.run(ghz(2), shots=backend.limits["shots"] + 1)


def parametrized() -> tuple[QuantumCircuit, list[float]]:
    theta = Parameter("θ")
    q, first, second = QuantumRegister(2), ClassicalRegister(1, "first"), ClassicalRegister(1, "w")
    circuit = QuantumCircuit(q, first, second)
    circuit.ry(theta, 0)
    circuit.cx(0, 1)
    circuit.ry(theta / 2, 1)
    circuit.measure(0, first)
    circuit.measure(1, second)
    return circuit, [0.0, 0.9, 2.0]


def test_sampler_answers_a_bit_array_per_register_per_binding(backend: QJobsBackend) -> None:
    circuit, values = parametrized()
    result = QJobsSampler(backend, seed=5).run([(circuit, values)], shots=SHOTS).result()
    data = result[0].data
    assert (data.first.shape, data.w.shape) == ((3,), (3,))
    assert (data.first.num_shots, data.first.num_bits) == (SHOTS, 1)
    assert len(result[0].metadata["job_ids"]) == 1  # the three bindings went as one batch


def test_sampler_counts_agree_with_statevector_sampler(backend: QJobsBackend) -> None:
    circuit, values = parametrized()
    ours = QJobsSampler(backend, seed=5).run([(circuit, values)], shots=SHOTS).result()[0]
    reference = StatevectorSampler(seed=1).run([(circuit, values)], shots=REFERENCE_SHOTS)
    theirs = reference.result()[0]
    for i in range(len(values)):
        for name in ("first", "w"):
            ours_counts = getattr(ours.data, name)[i].get_counts()
            assert_within_sampling_error(ours_counts, getattr(theirs.data, name)[i].get_counts())
        joined = ours.join_data()[i].get_counts()
        assert_within_sampling_error(joined, theirs.join_data()[i].get_counts())


def test_sampler_keeps_the_registers_of_one_shot_together(backend: QJobsBackend) -> None:
    circuit = ghz(1)
    circuit = QuantumCircuit(
        QuantumRegister(2), ClassicalRegister(1, "a"), ClassicalRegister(1, "b")
    )
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure(0, 0)
    circuit.measure(1, 1)
    data = QJobsSampler(backend).run([circuit], shots=300).result()[0].data
    assert np.array_equal(data.a.array, data.b.array)
    assert 0 < data.a.bitcount().sum() < 300


def test_sampler_uses_its_default_shots(backend: QJobsBackend) -> None:
    result = QJobsSampler(backend, default_shots=77).run([ghz(2)]).result()
    assert result[0].data.c.num_shots == 77
