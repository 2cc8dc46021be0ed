"""A corpus of OpenQASM programs nobody here wrote, and the test that a job agrees with aer.

The programs come from MQT Bench (`mqt.bench`: its benchmark families at the
target-independent and native-gates levels) and from `qiskit.circuit.library` (transpiled to
a basis), each exported by qiskit's own `qasm2.dumps` and `qasm3.dumps`. The reference is
qiskit-aer run directly on the circuit the program was exported from.

Agreement is a two-sample chi-squared test at significance `ALPHA`: outcomes that either
sample saw fewer than 5 times on average are pooled into one bin.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

ALPHA = 0.001
MQT_FAMILIES = (
    "ghz", "qft", "qftentangled", "qpeexact", "qpeinexact", "grover", "ae", "dj", "bv",
    "wstate", "graphstate", "qaoa", "vqe_su2", "vqe_real_amp", "vqe_two_local", "qnn",
    "randomcircuit", "iqpe", "ghz_dynamic", "dynamic_qft",
)  # fmt: skip
BASES = {"ibm": ["rz", "sx", "x", "cx"], "u": ["u", "cx"]}


@dataclass(frozen=True)
class Program:
    name: str  # family, size, level, OpenQASM version
    source: str
    circuit: Any  # the qiskit circuit it was exported from


def programs(sizes: tuple[int, ...], families: tuple[str, ...] = MQT_FAMILIES) -> Iterator[Program]:
    """The corpus for these circuit sizes (qubits), both OpenQASM versions of each circuit."""
    for name, circuit in circuits(sizes, families):
        for version, text in exported(circuit):
            yield Program(f"{name} qasm{version}", text, circuit)


def circuits(sizes: tuple[int, ...], families: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
    from mqt.bench import BenchmarkLevel, get_benchmark
    from mqt.bench.targets import get_target_for_gateset

    native = get_target_for_gateset("ibm_falcon", num_qubits=max(sizes))
    for family in families:
        for size in sizes:
            for level, target in (("indep", None), ("native", native)):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    try:
                        kind = (
                            BenchmarkLevel.INDEP if target is None else BenchmarkLevel.NATIVEGATES
                        )
                        options = {} if target is None else {"target": target}
                        circuit = get_benchmark(family, kind, size, **options)
                    except Exception:  # noqa: BLE001 - a family without this size
                        continue
                if "measure" not in circuit.count_ops():
                    circuit.measure_all()
                yield f"mqt {family} {size} {level}", circuit
    yield from library_circuits(sizes)


def library_circuits(sizes: tuple[int, ...]) -> Iterator[tuple[str, Any]]:
    import numpy as np
    from qiskit import QuantumCircuit, transpile
    from qiskit.circuit.library import QFTGate, efficient_su2, grover_operator, quantum_volume

    random = np.random.default_rng(7)
    for size in sizes:
        ghz = QuantumCircuit(size)
        ghz.h(0)
        for k in range(1, size):
            ghz.cx(k - 1, k)
        qft = QuantumCircuit(size)
        qft.h(range(size))
        qft.append(QFTGate(size), range(size))
        oracle = QuantumCircuit(size)
        oracle.cz(0, size - 1)
        grover = QuantumCircuit(size)
        grover.h(range(size))
        grover.compose(grover_operator(oracle), inplace=True)
        ansatz = efficient_su2(size, reps=2)
        su2 = ansatz.assign_parameters(random.uniform(-np.pi, np.pi, ansatz.num_parameters))
        volume = quantum_volume(size, seed=size)
        for family, circuit in (
            ("ghz", ghz), ("qft", qft), ("grover", grover), ("efficient_su2", su2),
            ("quantum_volume", volume),
        ):  # fmt: skip
            circuit = circuit.copy()
            circuit.measure_all()
            for basis, gates in BASES.items():
                native = transpile(
                    circuit, basis_gates=gates, optimization_level=1, seed_transpiler=1
                )
                yield f"library {family} {size} {basis}", native


def exported(circuit: Any) -> Iterator[tuple[int, str]]:
    from qiskit import qasm2, qasm3

    for version, dumps in ((2, qasm2.dumps), (3, qasm3.dumps)):
        try:
            yield version, dumps(circuit)
        except Exception:  # noqa: BLE001 - e.g. OpenQASM 2 has no if_else with else
            continue


def aer_counts(circuit: Any, shots: int, seed: int) -> dict[str, int]:
    """qiskit-aer's counts for the circuit itself, keys as local.simulator writes them.

    Shot branching samples exactly as shot-by-shot simulation does, and makes the reference
    for dynamic circuits (mid-circuit measurement, reset) take seconds rather than minutes.
    """
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    simulator = AerSimulator(method="statevector", shot_branching_enable=True)
    compiled = transpile(circuit, simulator, optimization_level=0)
    counts = simulator.run(compiled, shots=shots, seed_simulator=seed).result().get_counts()
    return {str(key): int(value) for key, value in counts.items()}


def agree(ours: dict[str, int], reference: dict[str, int]) -> tuple[bool, float]:
    """(whether the two samples agree at ALPHA, the chi-squared test's p-value)."""
    from scipy.stats import chi2_contingency

    if set(ours) == set(reference) and len(ours) == 1:
        return True, 1.0
    rows: list[list[float]] = []
    pooled = [0.0, 0.0]
    for key in {*ours, *reference}:
        a, b = ours.get(key, 0), reference.get(key, 0)
        if (a + b) / 2 < 5:
            pooled[0] += a
            pooled[1] += b
        else:
            rows.append([a, b])
    if sum(pooled):
        rows.append(pooled)
    if len(rows) < 2:
        return True, 1.0
    p_value = float(chi2_contingency(rows).pvalue)
    return p_value >= ALPHA, p_value
