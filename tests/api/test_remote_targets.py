"""Azure Quantum targets end to end: devhost + Azurite + the Azure Quantum stand-in, with the
real azure-quantum SDK inside qjobs reaching the stand-in as https://westeurope.quantum.azure.com
through a local proxy and a test CA, as production reaches the real service."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_testkit import BELL, KEYS, SEED_WEIGHTS, Api, api_env, start_api_host
from azure.storage.blob import BlobServiceClient
from devhost_testkit import http

from devhost.azurite import Azurite
from devhost.quantum_standin import QuantumStandIn
from shared.storage import cancel_blob

REMOTE_TARGETS = ("ionq.simulator", "quantinuum.sim.h2-1e", "rigetti.sim.qvm")
ONLY_Q0_FLIPPED = """OPENQASM 3.0;
include "stdgates.inc";
qubit[3] q;
bit[3] c;
x q[0];
c = measure q;
"""
RANDOM_BIT = "operation GetRandomBit() : Result { use q = Qubit(); H(q); return M(q); }"
MAX_JOB_SECONDS = 8


@pytest.fixture(scope="module")
def standin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QuantumStandIn]:
    cert_dir = tmp_path_factory.mktemp("standin")
    with QuantumStandIn(region="westeurope", cert_dir=cert_dir) as service:
        yield service


@pytest.fixture(autouse=True)
def fresh_standin(standin: QuantumStandIn) -> None:
    standin.reset()


@pytest.fixture(scope="module")
def remote(
    standin: QuantumStandIn, azurite: Azurite, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    env = api_env(
        azurite.connection_string,
        QJOBS_WORKSPACE_CONNECTION_STRING=standin.connection_string,
        QJOBS_BLOB_CONTAINER="qjobs-remote",
        QJOBS_POLL_FIRST_SECONDS="0.1",
        QJOBS_POLL_MAX_SECONDS="0.5",
        QJOBS_MAX_JOB_SECONDS=str(MAX_JOB_SECONDS),
        **standin.env(),
    )
    host = start_api_host(tmp_path_factory.mktemp("remote"), env)
    yield Api(host, KEYS["alice"])
    host.stop()


def created(standin: QuantumStandIn) -> list[str]:
    """The provider jobs the stand-in was asked to create, by id."""
    return [job["id"] for job in standin.created_jobs()]


def cancelled(standin: QuantumStandIn) -> list[str]:
    return [call["id"] for call in standin.cancel_calls()]


def circuit(target: str, source: str = BELL, shots: int = 100) -> dict:
    return {"kind": "circuit", "source": source, "shots": shots, "target": target, "seed": 3}


def wait_for_provider_status(api: Api, job_id: str, status: str) -> dict:
    deadline = time.monotonic() + 20
    while True:
        document = api.status(job_id).json()
        if document.get("provider", {}).get("status") == status:
            return document
        assert time.monotonic() < deadline, document
        time.sleep(0.05)


@pytest.mark.parametrize("target", REMOTE_TARGETS)
def test_bell_circuit_runs_on_the_remote_target_as_one_provider_job(
    remote: Api, standin: QuantumStandIn, target: str
) -> None:
    job_id = remote.submit_ok(circuit(target))

    document = remote.wait_for(job_id)
    result = remote.result(job_id).json()["result"]

    assert document["status"] == "succeeded", document
    assert document["target"] == target
    assert document["provider"]["status"] == "Succeeded"
    assert set(result["counts"]) <= {"00", "11"}
    assert sum(result["counts"].values()) == result["shots"] == 100
    assert created(standin) == [job_id]


@pytest.mark.parametrize("target", REMOTE_TARGETS)
def test_seed_qsharp_program_runs_on_the_remote_target(remote: Api, target: str) -> None:
    job = {"kind": "qsharp", "source": RANDOM_BIT, "entry": "GetRandomBit()", "shots": 50}
    job_id = remote.submit_ok({**job, "target": target})

    assert remote.wait_for(job_id)["status"] == "succeeded"
    counts = remote.result(job_id).json()["result"]["counts"]
    assert set(counts) <= {"0", "1"} and sum(counts.values()) == 50


@pytest.mark.parametrize("target", REMOTE_TARGETS)
def test_an_entry_returning_unit_counts_as_on_local_simulator(remote: Api, target: str) -> None:
    """Its QIR records an empty tuple, which the results read back as Unit."""
    source = 'operation Prepare() : Unit { use q = Qubit(); H(q); Message("hi"); Reset(q); }'
    job = {"kind": "qsharp", "source": source, "entry": "Prepare()", "shots": 30}
    ids = [remote.submit_ok({**job, "target": where}) for where in (target, "local.simulator")]

    for job_id in ids:
        assert remote.wait_for(job_id)["status"] == "succeeded"
    far, local = (remote.result(job_id).json()["result"]["counts"] for job_id in ids)
    assert far == local == {"()": 30}


def test_bit_order_is_the_same_locally_and_remotely(remote: Api) -> None:
    local_id = remote.submit_ok(circuit("local.simulator", ONLY_Q0_FLIPPED, 20))
    remote_id = remote.submit_ok(circuit("ionq.simulator", ONLY_Q0_FLIPPED, 20))

    for job_id in (local_id, remote_id):
        assert remote.wait_for(job_id)["status"] == "succeeded"
    local = remote.result(local_id).json()["result"]["counts"]
    far = remote.result(remote_id).json()["result"]["counts"]
    assert local == far == {"001": 20}


def test_provider_failure_fails_the_job_with_the_providers_message(
    remote: Api, standin: QuantumStandIn
) -> None:
    standin.configure(fail_jobs=True)
    job_id = remote.submit_ok(circuit("quantinuum.sim.h2-1e"))

    document = remote.wait_for(job_id)
    answer = remote.result(job_id)

    assert document["status"] == "failed"
    assert document["error"]["code"] == "target_error"
    provider_error = document["provider"]["error"]
    assert provider_error["message"] in document["error"]["message"]
    assert answer.status == 409 and answer.json()["error"] == document["error"]


@pytest.mark.parametrize("provider_state", ["Waiting", "Executing"])
def test_cancel_cancels_the_provider_job_exactly_once(
    remote: Api, standin: QuantumStandIn, provider_state: str
) -> None:
    if provider_state == "Waiting":
        standin.configure(queue_seconds=60)
    else:
        standin.configure(execution_seconds=60)
    job_id = remote.submit_ok(circuit("ionq.simulator"))
    wait_for_provider_status(remote, job_id, provider_state)

    assert remote.cancel(job_id).status == 202
    document = remote.wait_for(job_id)

    assert document["status"] == "cancelled", document
    assert document["provider"]["status"] == "Cancelled"
    assert cancelled(standin) == [job_id]
    assert remote.cancel(job_id).status == 409


def test_transient_workspace_errors_neither_fail_nor_duplicate_jobs(
    remote: Api, standin: QuantumStandIn
) -> None:
    standin.configure(transient_error_rate=0.3)
    jobs = [remote.submit_ok(circuit(target)) for target in REMOTE_TARGETS for _ in range(2)]

    for job_id in jobs:
        assert remote.wait_for(job_id, timeout=60)["status"] == "succeeded"
    assert sorted(created(standin)) == sorted(jobs)


def test_never_finishing_job_times_out_and_is_cancelled_at_the_provider(
    remote: Api, standin: QuantumStandIn
) -> None:
    standin.configure(never_finish=True)
    job_id = remote.submit_ok(circuit("rigetti.sim.qvm"))

    document = remote.wait_for(job_id, timeout=MAX_JOB_SECONDS + 30)

    assert document["status"] == "failed"
    assert document["error"]["code"] == "timeout"
    assert cancelled(standin) == [job_id]


# Corpus programs (tests/support/circuit_corpus.py) each target's profile runs: the Base
# profile (IonQ, Rigetti) takes no mid-circuit measurement; Quantinuum's Adaptive_RI does.
CORPUS_SHOTS = 400
UNCONDITIONAL = (
    "mqt ghz 3 indep qasm2",
    "mqt qft 3 native qasm3",  # hardware qubits: qdk is given the program as qiskit reads it
    "mqt qft 3 indep qasm2",  # cp: the same, as qdk would wrap its angles
    "mqt wstate 3 indep qasm3",
    "library quantum_volume 3 ibm qasm2",
)
ON_TARGET = {
    "ionq.simulator": UNCONDITIONAL,
    "rigetti.sim.qvm": UNCONDITIONAL,
    "quantinuum.sim.h2-1e": (
        *UNCONDITIONAL,
        "mqt iqpe 3 indep qasm3",
        "mqt dynamic_qft 3 indep qasm3",
    ),
}


@pytest.fixture(scope="module")
def corpus() -> dict[str, str]:
    from circuit_corpus import programs

    families = ("ghz", "qft", "wstate", "iqpe", "dynamic_qft")
    return {program.name: program.source for program in programs((3,), families)}


@pytest.mark.parametrize(
    ("target", "name"), [(target, name) for target, names in ON_TARGET.items() for name in names]
)
def test_a_corpus_programs_counts_on_the_remote_target_agree_with_local_ones(
    remote: Api, corpus: dict[str, str], target: str, name: str
) -> None:
    from circuit_corpus import agree

    ids = [
        remote.submit_ok(circuit(where, corpus[name], CORPUS_SHOTS))
        for where in (target, "local.simulator")
    ]
    for job_id in ids:
        assert remote.wait_for(job_id, timeout=60)["status"] == "succeeded"
    far, local = (remote.result(job_id).json()["result"]["counts"] for job_id in ids)
    assert sum(far.values()) == CORPUS_SHOTS
    agrees, p_value = agree(far, local)
    assert agrees, (p_value, far, local)


def test_program_the_targets_profile_cannot_run_is_a_400_before_anything_is_stored(
    remote: Api, standin: QuantumStandIn
) -> None:
    feedback = """OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
bit[2] c;
h q[0];
c[0] = measure q[0];
if (c[0]) x q[1];
c[1] = measure q[1];
"""
    answer = remote.submit(circuit("ionq.simulator", feedback))

    assert answer.status == 400, answer.text
    assert answer.json()["errors"][0]["pointer"] == "/source"
    assert created(standin) == []


def test_a_profile_refusal_says_what_in_the_program_and_which_targets_can_run_it(
    remote: Api,
) -> None:
    feedback = """OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
bit[2] c;
h q[0];
c[0] = measure q[0];
if (c[0]) x q[1];
c[1] = measure q[1];
"""
    detail = remote.submit(circuit("ionq.simulator", feedback)).json()["detail"]

    assert detail.startswith(
        "a measurement result controls a later gate or branch (line 7), which ionq.simulator's"
        " Base profile cannot run; targets that can run it: quantinuum.sim.h2-1e,"
        " local.simulator."
    ), detail
    assert "qdk's message: line 7, column 1: cannot use a dynamic bool value" in detail


def test_a_loop_on_a_measurement_is_refused_by_every_remote_profile(remote: Api) -> None:
    source = (
        "operation Main() : Result {\n"
        "    use q = Qubit();\n"
        "    repeat { H(q); } until M(q) == Zero;\n"
        "    MResetZ(q)\n"
        "}\n"
    )
    job = {"kind": "qsharp", "target": "quantinuum.sim.h2-1e", "source": source, "shots": 5}

    detail = remote.submit(job).json()["detail"]

    assert detail.startswith(
        "a loop repeats depending on a measurement result (line 3), which"
        " quantinuum.sim.h2-1e's Adaptive_RI profile cannot run; targets that can run it:"
        " local.simulator."
    ), detail


def test_a_recursive_qsharp_program_is_a_400_naming_the_target(
    remote: Api, standin: QuantumStandIn
) -> None:
    source = (
        "operation Flip(n : Int, q : Qubit) : Unit { if n > 0 { X(q); Flip(n - 1, q); } }\n"
        "operation Main() : Result { use q = Qubit(); Flip(3, q); MResetZ(q) }"
    )
    job = {"kind": "qsharp", "target": "quantinuum.sim.h2-1e", "source": source, "shots": 5}

    answer = remote.submit(job)

    assert answer.status == 400, answer.text
    assert "quantinuum.sim.h2-1e cannot run this program" in answer.json()["detail"]
    assert "recursive callables cannot be compiled to QIR (Flip calls itself)" in answer.text
    assert created(standin) == []


def test_remote_target_without_a_workspace_is_a_400_naming_the_settings(alice: Api) -> None:
    before = alice.request("GET", "/api/jobs?limit=100").json()["jobs"]

    answer = alice.submit(circuit("ionq.simulator"))

    assert answer.status == 400, answer.text
    assert "QJOBS_WORKSPACE_CONNECTION_STRING" in answer.json()["detail"]
    assert alice.request("GET", "/api/jobs?limit=100").json()["jobs"] == before


def test_targets_lists_local_and_remote_targets_with_availability(remote: Api) -> None:
    targets = {t["name"]: t for t in remote.request("GET", "/api/targets").json()["targets"]}

    assert {"local.optimizer", "local.simulator", *REMOTE_TARGETS} <= set(targets)
    assert targets["ionq.simulator"]["availability"] == "available"
    assert targets["quantinuum.sim.h2-1e"]["profile"] == "Adaptive_RI"
    assert "qsharp" in targets["rigetti.sim.qvm"]["kinds"]


def test_targets_without_a_workspace_are_listed_as_not_configured(alice: Api) -> None:
    targets = {t["name"]: t for t in alice.request("GET", "/api/targets").json()["targets"]}

    assert targets["ionq.simulator"]["availability"] == "not_configured"


def test_connection_string_and_api_key_never_reach_answers_or_logs(
    remote: Api, standin: QuantumStandIn
) -> None:
    job_id = remote.submit_ok(circuit("ionq.simulator"))
    remote.wait_for(job_id)
    answers = [remote.status(job_id).text, remote.result(job_id).text]
    answers.append(remote.request("GET", "/api/targets").text)
    api_key = standin.connection_string.split("ApiKey=")[1].split(";")[0]

    for text in [*answers, remote.host.log_text(whole=True)]:
        assert api_key not in text


def test_local_jobs_still_run_beside_remote_ones(remote: Api) -> None:
    job_id = remote.submit_ok({"kind": "number_partitioning", "weights": SEED_WEIGHTS})

    assert remote.wait_for(job_id)["status"] == "succeeded"


def remote_host(
    standin: QuantumStandIn, azurite: Azurite, tmp: Path, container: str, **settings: str
) -> Api:
    """A devhost on the stand-in's workspace: by connection string, or by resource id and
    location with the managed identity when the stand-in is in managed-identity mode."""
    env = api_env(
        azurite.connection_string,
        QJOBS_BLOB_CONTAINER=container,
        **standin.workspace_settings(),
        **settings,
        **standin.env(),
    )
    return Api(start_api_host(tmp, env), KEYS["alice"])


@pytest.fixture(scope="module")
def eager(
    standin: QuantumStandIn, azurite: Azurite, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """A host that polls its remote jobs every 10 ms, to reach many rounds quickly."""
    api = remote_host(
        standin,
        azurite,
        tmp_path_factory.mktemp("eager"),
        "qjobs-eager",
        QJOBS_POLL_FIRST_SECONDS="0.01",
        QJOBS_POLL_MAX_SECONDS="0.01",
    )
    yield api
    api.host.stop()


def history(api: Api, job_id: str) -> list[dict]:
    url = f"{api.host.webhook_url}instances/{job_id}?showHistory=true"
    return http("GET", url, headers=api.host.key_headers).json()["historyEvents"]


def provider_polls(standin: QuantumStandIn) -> int:
    """Job reads the stand-in served since its reset (each test runs one job)."""
    return standin.calls().get("GET jobs/{id}", 0)


def test_a_job_polled_for_500_rounds_keeps_each_episodes_history_small(
    eager: Api, standin: QuantumStandIn
) -> None:
    standin.configure(never_finish=True)
    job_id = eager.submit_ok(circuit("ionq.simulator"))

    deadline = time.monotonic() + 120
    longest = 0
    while provider_polls(standin) < 500:
        assert time.monotonic() < deadline, provider_polls(standin)
        longest = max(longest, len(history(eager, job_id)))
        time.sleep(0.2)
    status = eager.status(job_id)

    assert status.status == 202 and status.json()["status"] == "executing"
    # An episode polls ROUNDS_PER_EPISODE (50) times: a timer and an activity a round.
    assert 0 < longest <= 4 * 50 + 30
    assert eager.cancel(job_id).status == 202
    assert eager.wait_for(job_id)["status"] == "cancelled"
    assert eager.result(job_id).status == 409
    assert cancelled(standin) == [job_id]


def test_a_result_that_comes_after_several_episodes_is_read_as_usual(
    eager: Api, standin: QuantumStandIn
) -> None:
    standin.configure(execution_seconds=6)
    job_id = eager.submit_ok(circuit("quantinuum.sim.h2-1e"))

    document = eager.wait_for(job_id, timeout=60)

    assert provider_polls(standin) > 50  # at least one hand-over to a new episode
    assert document["status"] == "succeeded"
    assert sum(eager.result(job_id).json()["result"]["counts"].values()) == 100


def test_a_host_killed_right_after_the_provider_accepted_a_job_creates_it_once(
    standin: QuantumStandIn, azurite: Azurite, tmp_path_factory: pytest.TempPathFactory
) -> None:
    api = remote_host(standin, azurite, tmp_path_factory.mktemp("killed"), "qjobs-killed")
    try:
        standin.configure(queue_seconds=1)
        job_id = api.submit_ok(circuit("rigetti.sim.qvm"))
        deadline = time.monotonic() + 30
        while not created(standin):
            assert time.monotonic() < deadline
            time.sleep(0.002)
        api.host.kill()
        api.host.restart()

        assert api.wait_for(job_id, timeout=60)["status"] == "succeeded"
        assert created(standin) == [job_id]
    finally:
        api.host.stop()


def test_bell_circuit_runs_with_the_managed_identity_and_no_connection_string(
    azurite: Azurite, tmp_path_factory: pytest.TempPathFactory
) -> None:
    cert_dir = tmp_path_factory.mktemp("msi-standin")
    with QuantumStandIn(region="westeurope", cert_dir=cert_dir, auth="managed-identity") as msi:
        api = remote_host(msi, azurite, tmp_path_factory.mktemp("msi"), "qjobs-msi")
        try:
            job_id = api.submit_ok(circuit("ionq.simulator"))
            document = api.wait_for(job_id)
            result = api.result(job_id)
            answers = [api.status(job_id).text, result.text]
            answers.append(api.request("GET", "/api/targets").text)
            log = api.host.log_text(whole=True) + api.host.stdout_text()
        finally:
            api.host.stop()
        tokens = msi.managed_identity.issued()
        provider_jobs, calls = created(msi), msi.calls()  # the stand-in forgets them on exit

    assert document["status"] == "succeeded", document
    assert set(result.json()["result"]["counts"]) <= {"00", "11"}
    assert provider_jobs == [job_id]
    assert calls["GET workspace (ARM)"] >= 1
    assert len(tokens) == 2  # one for ARM, one for the Azure Quantum data plane
    assert "ionq.simulator" in log  # the log is there to search
    for text in [*answers, log]:
        for token in tokens:
            assert token not in text


def test_a_cancel_whose_event_was_lost_at_a_hand_over_ends_the_job_at_the_next_episode(
    eager: Api, standin: QuantumStandIn, azurite: Azurite
) -> None:
    standin.configure(never_finish=True)
    job_id = eager.submit_ok(circuit("ionq.simulator"))
    eager.wait_for(job_id, {"executing"})
    # What DELETE records before it raises the event; the event itself is "lost".
    container = BlobServiceClient.from_connection_string(
        azurite.connection_string
    ).get_container_client("qjobs-eager")
    container.upload_blob(cancel_blob(job_id), b"{}", overwrite=True)

    document = eager.wait_for(job_id, timeout=60)

    assert document["status"] == "cancelled"
    assert cancelled(standin) == [job_id]


def test_a_queued_remote_jobs_retry_after_grows_with_its_polling(
    standin: QuantumStandIn, azurite: Azurite, tmp_path_factory: pytest.TempPathFactory
) -> None:
    api = remote_host(standin, azurite, tmp_path_factory.mktemp("patient"), "qjobs-patient")
    try:
        standin.configure(queue_seconds=60)
        job_id = api.submit_ok(circuit("ionq.simulator"))
        first = api.status(job_id)
        time.sleep(4)
        later = api.status(job_id)

        assert first.status == later.status == 202
        # The orchestrator's waits double from 0.05 s (QJOBS_POLL_*), so after t seconds it
        # waits about t more: the answer's Retry-After says so, instead of the fixed 1 s.
        assert int(first.header("Retry-After")) == 1
        assert int(later.header("Retry-After")) >= 4
        assert api.cancel(job_id).status == 202
    finally:
        api.host.stop()
