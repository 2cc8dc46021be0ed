"""Dynamic circuits run on aer in calls whose branches' states fit a memory budget."""

from __future__ import annotations

import pytest

from shared.solvers import aer_engine

DYNAMIC = """OPENQASM 3.0;
include "stdgates.inc";
qubit[3] q;
bit[3] c;
h q[0];
c[0] = measure q[0];
if (c[0]) x q[1];
h q[2];
c[1] = measure q[1];
c[2] = measure q[2];
"""
TERMINAL = """OPENQASM 3.0;
include "stdgates.inc";
qubit[3] q;
bit[3] c;
h q[0];
cx q[0], q[1];
barrier q;
c[0] = measure q[0];
c[1] = measure q[1];
c[2] = measure q[2];
"""


def test_a_circuit_measuring_before_it_is_done_is_dynamic() -> None:
    assert aer_engine._is_dynamic(aer_engine.circuit(DYNAMIC, None))


def test_a_circuit_measuring_only_at_the_end_is_not() -> None:
    assert not aer_engine._is_dynamic(aer_engine.circuit(TERMINAL, None))


def test_shots_split_into_calls_give_the_counts_of_one_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    whole = aer_engine.run(DYNAMIC, None, shots=4000, seed=5)
    monkeypatch.setattr(aer_engine, "BRANCH_MEMORY_BYTES", 7 * (16 << 3))  # 7 shots a call
    assert aer_engine.run(DYNAMIC, None, shots=4000, seed=5) == whole
    assert set(whole) == {"000", "011", "100", "111"}
