"""Programs nobody here wrote run as circuit jobs and agree with qiskit-aer.

A representative subset of tests/support/circuit_corpus.py (MQT Bench families at both levels,
qiskit.circuit.library circuits transpiled to two bases, each as OpenQASM 2 and 3), through
the API; benchmarks/circuit_corpus_bench.py runs all of it with times.
"""

from __future__ import annotations

import pytest
from api_testkit import Api
from circuit_corpus import ALPHA, Program, aer_counts, agree, programs

SHOTS = 2000
FAMILIES = ("ghz", "qft", "qpeexact", "grover", "ae", "qaoa", "vqe_su2", "randomcircuit", "iqpe")
CORPUS = [p for p in programs((4,), FAMILIES) if "native" not in p.name or "qasm3" in p.name]


@pytest.mark.parametrize("program", CORPUS, ids=[p.name for p in CORPUS])
def test_a_corpus_program_agrees_with_aer(alice: Api, program: Program) -> None:
    job_id = alice.submit_ok(
        {"kind": "circuit", "source": program.source, "shots": SHOTS, "seed": 11}
    )
    final = alice.wait_for(job_id, timeout=60)
    assert final["status"] == "succeeded", final
    counts = alice.result(job_id).json()["result"]["counts"]
    agrees, p_value = agree(counts, aer_counts(program.circuit, SHOTS, seed=12))
    assert agrees, f"p = {p_value:.2g} < {ALPHA}: {counts} vs aer"
