"""The QDK resource estimator (Azure Quantum's former `microsoft.estimator` target), run in a
local worker process: a Q# program and entry expression, or an OpenQASM program, with the
estimator's parameters (one configuration, or a list of them for a sweep).

The estimator uses qdk's global interpreter, which the worker process owns: each job starts
it afresh (`qsharp.init`), so nothing of one job's program stays for the next.
"""

from __future__ import annotations

import warnings
from typing import Any

from qdk import openqasm, qsharp

from .qdk_calls import QDK_LOCK


def reports(
    source: str, entry: str | None, params: dict[str, Any] | list[dict[str, Any]] | None
) -> list[dict[str, Any]]:
    """The estimator's report of each configuration, in order (one without a list)."""
    with QDK_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # qdk's notice of a newer QRE
        if entry is None:
            found = openqasm.estimate(source, params)
        else:
            qsharp.init()
            qsharp.eval(source)
            found = qsharp.estimate(entry, params)
    data = found.data()
    return data if isinstance(data, list) else [data]


def summary(report: dict[str, Any]) -> dict[str, Any]:
    """The headline figures of one configuration's report."""
    counts = report["physicalCounts"]
    breakdown = counts["breakdown"]
    return {
        "physical_qubits": counts["physicalQubits"],
        "runtime_ns": counts["runtime"],
        "rqops": counts["rqops"],
        "logical_qubits": breakdown["algorithmicLogicalQubits"],
        "logical_depth": breakdown["logicalDepth"],
        "t_factories": breakdown["numTfactories"],
        "t_states": breakdown["numTstates"],
        "qubit_model": report["jobParams"]["qubitParams"]["name"],
        "qec_scheme": report["jobParams"]["qecScheme"]["name"],
        "error_budget": report["jobParams"]["errorBudget"],
    }
