"""POST /api/jobs?dry_run=true through devhost + Azurite (and the Azure Quantum stand-in for a
remote target's cost): the same checks as a submission, an estimate, nothing stored."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from api_testkit import BELL, KEYS, Api, api_env, start_api_host

from devhost.azurite import Azurite
from devhost.quantum_standin import QuantumStandIn

ROTATION = """OPENQASM 3.0;
include "stdgates.inc";
input float[64] theta;
qubit[2] q;
bit[2] c;
rx(theta) q[0];
cx q[0], q[1];
c = measure q;
"""
BAD_REQUESTS = [
    {"kind": "circuit"},
    {"kind": "circuit", "source": BELL, "shots": 0},
    {"kind": "circuit", "items": [{"source": BELL}, {"source": "nonsense"}]},
    {"kind": "circuit", "source": ROTATION, "parameters": [{"phi": 1}]},
    {"kind": "circuit", "source": BELL, "items": [{}] * 1001},
    {"kind": "qsharp", "source": "operation Main() : Unit { nonsense }"},
    {"kind": "nope"},
]


def dry_run(api: Api, job: dict[str, Any]) -> Any:
    return api.request("POST", "/api/jobs?dry_run=true", json_body=job)


def listed(api: Api) -> list[str]:
    return [job["id"] for job in api.request("GET", "/api/jobs").json()["jobs"]]


@pytest.mark.parametrize("job", BAD_REQUESTS)
def test_a_dry_run_answers_what_a_submission_answers(alice: Api, job: dict) -> None:
    checked, submitted = dry_run(alice, job), alice.submit(job)
    assert checked.status == submitted.status and checked.status in (400, 413)
    assert checked.json()["errors"] == submitted.json()["errors"]


def test_a_dry_run_counts_each_items_gates_and_stores_nothing(alice: Api) -> None:
    before = listed(alice)
    job = {
        "kind": "circuit",
        "source": ROTATION,
        "items": [{"shots": 10}, {"shots": 30}],
        "parameters": [{"theta": 0.1}, {"theta": 0.2}],
    }
    answer = dry_run(alice, job)
    assert answer.status == 200, answer.text
    body = answer.json()
    assert body["valid"] is True and body["target"] == "local.simulator" and body["items"] == 4
    items = body["estimate"]["items"]
    assert [item["shots"] for item in items] == [10, 10, 30, 30]
    assert all(item["qubits"] == 2 for item in items)
    assert items[0]["gates"] == {"one_qubit": 1, "two_qubit": 1, "measurements": 2}
    assert body["estimate"]["totals"] == {
        "shots": 80,
        "one_qubit": 4,
        "two_qubit": 4,
        "measurements": 8,
    }
    assert listed(alice) == before


@pytest.fixture(scope="module")
def remote(azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with QuantumStandIn(region="westeurope", cert_dir=tmp_path_factory.mktemp("ca")) as standin:
        env = api_env(
            azurite.connection_string,
            QJOBS_WORKSPACE_CONNECTION_STRING=standin.connection_string,
            QJOBS_BLOB_CONTAINER="qjobs-dry-run",
            QJOBS_REMOTE_TARGETS="ionq.simulator,ionq.qpu.aria-1,rigetti.sim.qvm",
            **standin.env(),
        )
        host = start_api_host(tmp_path_factory.mktemp("remote"), env)
        yield Api(host, KEYS["alice"])
        host.stop()


def test_a_dry_run_on_an_ionq_qpu_prices_its_gate_shots(remote: Api) -> None:
    job = {"kind": "circuit", "target": "ionq.qpu.aria-1", "source": BELL, "shots": 1000}
    answer = dry_run(remote, job)
    assert answer.status == 200, answer.text
    cost = answer.json()["estimate"]["items"][0]["cost"]
    assert cost["currency"] == "USD" and cost["taken"]
    gates = answer.json()["estimate"]["items"][0]["gates"]
    per_shot = gates["one_qubit"] * 0.00022 + gates["two_qubit"] * 0.000975
    assert cost["amount"] == pytest.approx(max(97.5, 1000 * per_shot))


def test_a_dry_run_on_a_simulator_costs_nothing(remote: Api) -> None:
    job = {"kind": "circuit", "target": "rigetti.sim.qvm", "source": BELL}
    totals = dry_run(remote, job).json()["estimate"]["totals"]
    assert totals["cost"] == {"amount": 0, "currency": "USD"}


def test_a_dry_run_of_a_batch_on_an_ionq_qpu_prices_each_item_as_its_own_job(
    remote: Api,
) -> None:
    job = {"kind": "circuit", "target": "ionq.qpu.aria-1", "source": BELL}
    job["items"] = [{"shots": 100}, {"shots": 1000}]
    answer = dry_run(remote, job)
    assert answer.status == 200, answer.text
    assert answer.json()["items"] == 2
    estimate = answer.json()["estimate"]
    amounts = [item["cost"]["amount"] for item in estimate["items"]]
    assert all(amount >= 97.5 for amount in amounts)  # each item is a provider job
    assert estimate["totals"]["cost"]["amount"] == pytest.approx(sum(amounts))
