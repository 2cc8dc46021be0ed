"""The `resource_estimate` kind on local.estimator through devhost + Azurite: the QDK
resource estimator's report, the same as `qsharp.estimate` gives run directly."""

from __future__ import annotations

import warnings

from api_testkit import Api
from qdk import openqasm, qsharp

PROGRAM = """
operation Main() : Result {
    use qs = Qubit[3];
    T(qs[0]);
    CNOT(qs[0], qs[1]);
    Rz(0.3, qs[2]);
    M(qs[0])
}
"""
CIRCUIT = 'OPENQASM 3.0; include "stdgates.inc"; qubit[2] q; t q[0]; cx q[0], q[1];'
CONFIGURATIONS = [
    {},
    {"qubitParams": {"name": "qubit_maj_ns_e4"}, "qecScheme": {"name": "floquet_code"}},
]


def estimated(api: Api, job: dict) -> list[dict]:
    job_id = api.submit_ok({"kind": "resource_estimate", **job})
    status = api.wait_for(job_id, timeout=60)
    assert status["status"] == "succeeded", status
    assert status["target"] == "local.estimator"
    return api.result(job_id).json()["result"]["configurations"]


def direct(source: str, entry: str | None, params: object) -> list[dict]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        if entry is None:
            data = openqasm.estimate(source, params).data()
        else:
            qsharp.init()
            qsharp.eval(source)
            data = qsharp.estimate(entry, params).data()
    return data if isinstance(data, list) else [data]


def test_a_qsharp_estimate_matches_qsharp_estimate_run_directly(alice: Api) -> None:
    configurations = estimated(alice, {"source": PROGRAM, "entry": "Main()"})
    (expected,) = direct(PROGRAM, "Main()", None)
    assert configurations[0]["report"]["physicalCounts"] == expected["physicalCounts"]
    assert configurations[0]["report"]["logicalQubit"] == expected["logicalQubit"]
    summary = configurations[0]["summary"]
    assert summary["physical_qubits"] == expected["physicalCounts"]["physicalQubits"]
    assert summary["t_factories"] == expected["physicalCounts"]["breakdown"]["numTfactories"]


def test_a_list_of_params_estimates_each_configuration(alice: Api) -> None:
    configurations = estimated(alice, {"source": PROGRAM, "params": CONFIGURATIONS})
    expected = direct(PROGRAM, "Main()", CONFIGURATIONS)
    assert [c["report"]["physicalCounts"] for c in configurations] == [
        e["physicalCounts"] for e in expected
    ]
    assert [c["summary"]["qec_scheme"] for c in configurations] == ["surface_code", "floquet_code"]


def test_an_openqasm_estimate_matches_the_estimator_run_directly(alice: Api) -> None:
    (configuration,) = estimated(alice, {"source": CIRCUIT})
    (expected,) = direct(CIRCUIT, None, None)
    assert configuration["report"]["physicalCounts"] == expected["physicalCounts"]


def test_a_program_that_does_not_compile_is_a_400(alice: Api) -> None:
    answer = alice.submit({"kind": "resource_estimate", "source": "operation Main() : Unit { x }"})
    assert answer.status == 400
    assert answer.json()["errors"][0]["pointer"] == "/source"


def test_params_must_be_objects(alice: Api) -> None:
    job = {"kind": "resource_estimate", "source": PROGRAM, "params": [{}, 3]}
    answer = alice.submit(job)
    assert answer.status == 400
    assert answer.json()["errors"][0]["pointer"] == "/params/1"


def test_params_the_estimator_refuses_fail_the_job_with_its_message(alice: Api) -> None:
    job = {"kind": "resource_estimate", "source": PROGRAM, "params": {"errorBudget": 7}}
    job_id = alice.submit_ok(job)
    status = alice.wait_for(job_id, timeout=60)
    assert status["status"] == "failed"
    assert status["error"]["code"] == "target_error"
