"""Counts of an OpenQASM program's compiled QIR, simulated as a remote target would run it."""

from __future__ import annotations

from qdk.simulation import run_qir

from shared.solvers import qir
from shared.solvers.outcomes import outcome


def qir_counts(
    source: str, shots: int, profile: str = "Adaptive_RI", seed: int | None = None
) -> dict[str, int]:
    """Counts per outcome, keys as local.simulator writes them, of `source`'s QIR."""
    compiled = qir.compile_to_qir("circuit", {"source": source}, profile)
    found: dict[str, int] = {}
    for shot in run_qir(compiled.bitcode.decode("utf-8"), shots=shots, seed=seed):
        found[outcome(shot)] = found.get(outcome(shot), 0) + 1
    return found
