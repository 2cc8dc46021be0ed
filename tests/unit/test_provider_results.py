"""A `microsoft.quantum-results.v2` document read back as the counts a local run gives."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from qdk import Result
from qdk.simulation import run_qir

from shared.solvers import qasm, qsharp_program
from shared.solvers.provider_results import counts_from_results_v2
from shared.solvers.qir import compile_to_qir

FLIP_FIRST_QASM2 = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[3];
creg c[3];
x q[0];
measure q -> c;
"""
REGISTERS_QASM3 = """OPENQASM 3.0;
include "stdgates.inc";
qubit[4] q;
bit[2] a;
bit b;
bit[1] d;
x q[0];
x q[2];
a[0] = measure q[0];
a[1] = measure q[1];
b = measure q[2];
d[0] = measure q[3];
"""
FLIP_FIRST = "operation Main() : Result[] { use q = Qubit[3]; X(q[0]); MResetEachZ(q) }"
ONE = "operation Main() : Result { use q = Qubit(); X(q); MResetZ(q) }"
PAIR = (
    "operation Main() : (Result, Result[]) {"
    " use q = Qubit[3]; X(q[0]); X(q[2]); (MResetZ(q[0]), MResetEachZ(q[1..2])) }"
)
UNIT = 'operation Main() : Unit { use q = Qubit(); H(q); Message("hi"); Reset(q); }'
RANDOM_BIT = "operation GetRandomBit() : Result { use q = Qubit(); H(q); return M(q); }"


def encoded(value: object) -> Any:
    """A shot's value as Azure Quantum writes it in a results-v2 document."""
    if isinstance(value, Result):
        return 1 if value == Result.One else 0
    if isinstance(value, list):
        return [encoded(item) for item in value]
    if isinstance(value, tuple):
        return {f"Item{n}": encoded(item) for n, item in enumerate(value, start=1)}
    return value


def results_document(values: list[object]) -> dict[str, Any]:
    shots = [encoded(value) for value in values]
    histogram = Counter(json.dumps(shot) for shot in shots)
    return {
        "DataFormat": "microsoft.quantum-results.v2",
        "Results": [
            {
                "Histogram": [
                    {"Outcome": json.loads(key), "Display": key, "Count": count}
                    for key, count in histogram.items()
                ],
                "Shots": shots,
            }
        ],
    }


def remote_counts(kind: str, problem: dict, profile: str = "Base") -> dict[str, int]:
    """Compile as for Azure, simulate the QIR as the service would, read its results back."""
    program = compile_to_qir(kind, problem, profile)
    values = run_qir(program.bitcode.decode("utf-8"), shots=20, seed=5)
    counts, shots = counts_from_results_v2(json.dumps(results_document(values)).encode())
    assert shots == 20
    return counts


def local_qsharp(source: str, entry: str = "Main()") -> dict[str, int]:
    return qsharp_program.run(source, entry, shots=20, seed=5, should_stop=lambda: False)[0]


def local_circuit(source: str) -> dict[str, int]:
    return qasm.run(source, shots=20, seed=5, should_stop=lambda: False)[0]


def test_openqasm_2_bits_read_back_highest_index_first() -> None:
    assert local_circuit(FLIP_FIRST_QASM2) == {"001": 20}
    assert remote_counts("circuit", {"source": FLIP_FIRST_QASM2}) == {"001": 20}


def test_openqasm_3_registers_read_back_last_declared_first() -> None:
    assert local_circuit(REGISTERS_QASM3) == {"0 1 01": 20}
    assert remote_counts("circuit", {"source": REGISTERS_QASM3}) == {"0 1 01": 20}


@pytest.mark.parametrize(
    ("source", "key"), [(ONE, "1"), (FLIP_FIRST, "001"), (PAIR, "10 1"), (UNIT, "()")]
)
def test_qsharp_values_read_back_as_a_local_run_writes_them(source: str, key: str) -> None:
    problem = {"source": source, "entry": "Main()"}
    assert local_qsharp(source) == {key: 20}
    assert remote_counts("qsharp", problem, "Adaptive_RI") == {key: 20}


def test_random_outcomes_read_back_under_the_same_keys() -> None:
    problem = {"source": RANDOM_BIT, "entry": "GetRandomBit()"}
    assert set(remote_counts("qsharp", problem)) == set(local_qsharp(RANDOM_BIT, "GetRandomBit()"))


def test_counts_come_from_the_histogram_and_other_values_are_written_as_locally() -> None:
    document = results_document([(3, True), (3, True), [2, 0], 1.5])
    assert counts_from_results_v2(document) == ({"true 3": 2, "[2,0]": 1, "1.5": 1}, 4)


def test_failed_shots_are_left_out() -> None:
    document = results_document([[1, 0], [1, 0]])
    document["Results"][0]["Histogram"].append({"Outcome": {"Error": {"Code": "x"}}, "Count": 1})
    document["Results"][0]["Shots"].append({"Error": {"Code": "x"}})
    assert counts_from_results_v2(document) == ({"01": 2}, 2)


def test_shots_may_be_absent() -> None:
    document = results_document([[1, 1]])
    del document["Results"][0]["Shots"]
    assert counts_from_results_v2(document) == ({"11": 1}, 1)


def malformed(change: dict[str, Any] | None = None, **result: Any) -> dict[str, Any]:
    document = results_document([[1, 0]])
    document["Results"][0].update(result)
    document.update(change or {})
    return document


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"{not json", "not JSON"),
        (b"\xff", "not JSON"),
        ([], "JSON object"),
        (malformed({"DataFormat": "microsoft.quantum-results.v1"}), "DataFormat"),
        (malformed({"Results": []}), "one result"),
        (malformed({"Results": [{}, {}]}), "one result"),
        (malformed(Histogram={"[0]": 1}), "Histogram must be an array"),
        (malformed(Histogram=[{"Count": 1}]), r"Histogram\[0\] must be an object"),
        (malformed(Histogram=[{"Outcome": 1, "Count": -1}]), "Count must be"),
        (malformed(Histogram=[{"Outcome": 1, "Count": True}]), "Count must be"),
        (malformed(Histogram=[{"Outcome": {"First": 1}, "Count": 1}]), "tuple"),
        (malformed(Histogram=[{"Outcome": [{"x": 1}], "Count": 1}]), r"Outcome\[0\]"),
        (malformed(Shots=[[1, 0], [1, 0]]), "Shots does not list the 1 shots"),
        (malformed(Shots="10"), "Shots must be an array"),
    ],
)
def test_a_malformed_document_is_a_value_error(payload: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        counts_from_results_v2(payload)  # type: ignore[arg-type]
