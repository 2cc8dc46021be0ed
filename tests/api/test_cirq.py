"""qjobs_client.cirq.QJobsSampler against a real qjobs (devhost + Azurite), compared with
cirq.Simulator: measurement keys, bit order, sweeps, and counts within sampling error."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator

import cirq
import duet
import pytest
import sympy
from api_testkit import KEYS
from devhost_testkit import DevHost
from qjobs_client import Client
from qjobs_client.cirq import QJobsSampler

SHOTS = 2000
REFERENCE_SHOTS = 50_000
Q = cirq.LineQubit.range(3)
THETA = sympy.Symbol("theta")


@pytest.fixture(scope="module")
def client(api_host: DevHost) -> Iterator[Client]:
    with Client(api_host.url("/api"), KEYS["alice"]) as client:
        yield client


@pytest.fixture
def sampler(client: Client) -> QJobsSampler:
    return QJobsSampler(client, target="local.simulator", seed=3)


def outcomes(result: cirq.Result, keys: list[str]) -> Counter[str]:
    """Each repetition's bits of `keys`, in order, as one string."""
    frame = result.data
    return Counter(
        " ".join("".join(str(b) for b in result.measurements[key][i]) for key in keys)
        for i in range(len(frame))
    )


def assert_within_sampling_error(counts: Counter[str], reference: Counter[str]) -> None:
    """Every outcome's frequency within 5 standard errors of the reference's (plus 1%)."""
    shots, reference_shots = sum(counts.values()), sum(reference.values())
    for outcome in set(counts) | set(reference):
        p = reference[outcome] / reference_shots
        observed = counts[outcome] / shots
        assert abs(observed - p) <= 5 * math.sqrt(p * (1 - p) / shots) + 0.01, (outcome, counts)


def swept_circuit() -> cirq.Circuit:
    """Two keys over qubits out of order, an inverted measurement and a swept angle."""
    return cirq.Circuit(
        cirq.rx(THETA).on(Q[0]),
        cirq.H(Q[1]),
        cirq.CNOT(Q[0], Q[2]),
        cirq.CZ(Q[1], Q[2]) ** 0.5,
        cirq.H(Q[1]),
        cirq.measure(Q[2], Q[0], key="pair"),
        cirq.measure(Q[1], key="single", invert_mask=(True,)),
    )


def test_keys_and_bit_order_are_the_circuits(sampler: QJobsSampler) -> None:
    circuit = cirq.Circuit(
        cirq.X(Q[0]),
        cirq.measure(*Q, key="all"),
        cirq.measure(Q[2], Q[0], key="reversed"),
    )
    result = sampler.run(circuit, repetitions=5)
    reference = cirq.Simulator().run(circuit, repetitions=5)
    assert set(result.measurements) == {"all", "reversed"}
    assert result.measurements["all"].tolist() == [[1, 0, 0]] * 5
    assert result.measurements["reversed"].tolist() == [[0, 1]] * 5
    assert result == reference


def test_run_sweep_answers_a_result_dict_per_resolver(sampler: QJobsSampler) -> None:
    sweep = cirq.Linspace(THETA, 0, math.pi, 3)
    results = sampler.run_sweep(swept_circuit(), sweep, repetitions=10)
    assert [r.params for r in results] == list(cirq.to_resolvers(sweep))
    assert all(isinstance(r, cirq.ResultDict) for r in results)
    assert all(r.measurements["pair"].shape == (10, 2) for r in results)


def test_counts_agree_with_cirq_simulator(sampler: QJobsSampler) -> None:
    sweep = cirq.Points(THETA, [0.0, 1.0, 2.5])
    ours = sampler.run_sweep(swept_circuit(), sweep, repetitions=SHOTS)
    theirs = cirq.Simulator(seed=1).run_sweep(swept_circuit(), sweep, repetitions=REFERENCE_SHOTS)
    for mine, reference in zip(ours, theirs, strict=True):
        keys = ["pair", "single"]
        assert_within_sampling_error(outcomes(mine, keys), outcomes(reference, keys))


def test_run_sweep_async_runs_under_duet(sampler: QJobsSampler) -> None:
    sweep = cirq.Points(THETA, [0.0, math.pi])
    results = duet.run(sampler.run_sweep_async, swept_circuit(), sweep, 20)
    assert [r.measurements["pair"].tolist() for r in results][0] == [[0, 0]] * 20
    assert results[1].measurements["pair"].tolist() == [[1, 1]] * 20


def test_a_key_measured_twice_is_refused(sampler: QJobsSampler) -> None:
    circuit = cirq.Circuit(cirq.measure(Q[0], key="m"), cirq.measure(Q[1], key="m"))
    with pytest.raises(ValueError, match="m"):
        sampler.run(circuit)


def test_the_job_carries_cirqs_own_openqasm(client: Client, sampler: QJobsSampler) -> None:
    circuit = cirq.Circuit(cirq.H(Q[0]), cirq.measure(Q[0], key="m"))
    sampler.run(circuit, repetitions=3)
    job = next(client.jobs(page_size=1))
    assert job.input()["source"] == circuit.to_qasm(version="3.0")
