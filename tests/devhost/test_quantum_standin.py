"""The Azure Quantum stand-in speaks the data plane the unchanged azure-quantum SDK expects:
every call here goes through the real SDK over TLS with certificate verification on (the
stand-in's test CA through REQUESTS_CA_BUNDLE), except the stand-in's own control API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from azure.core.credentials import AccessToken, TokenCredential
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
from azure.core.pipeline.policies import RetryPolicy
from azure.storage.blob._shared.policies import ExponentialRetry

from devhost.quantum_standin import QuantumStandIn
from devhost.quantum_standin.auth import ARM_AUDIENCE, QUANTUM_AUDIENCE

os.environ.setdefault("QDK_PYTHON_TELEMETRY", "none")

from azure.quantum import Workspace  # noqa: E402
from azure.quantum.job import Job  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
BELL = """
operation Main() : Result[] {
    use (a, b) = (Qubit(), Qubit());
    H(a);
    CNOT(a, b);
    [MResetZ(a), MResetZ(b)]
}
"""
PAIR = """
operation Main() : (Result, Bool) {
    use q = Qubit();
    X(q);
    let r = MResetZ(q);
    (r, r == One)
}
"""
T = TypeVar("T")


def qir(source: str, profile: str = "Base") -> bytes:
    """QIR for Main() as qdk's QirInputData hands it to the SDK (`_repr_qir_`: QIR text)."""
    from qdk import qsharp

    qsharp.init(target_profile=getattr(qsharp.TargetProfile, profile))
    qsharp.eval(source)
    return qsharp.compile("Main()")._repr_qir_(target="ionq.simulator")


def bitcode(text: bytes) -> bytes:
    """The same program as QIR bitcode, what Azure targets take."""
    import pyqir

    return pyqir.Module.from_ir(pyqir.Context(), text.decode()).bitcode


@pytest.fixture(scope="module")
def bell() -> bytes:
    return qir(BELL)


@pytest.fixture(scope="module")
def served() -> Iterator[QuantumStandIn]:
    with QuantumStandIn(region="westeurope") as standin:
        yield standin


@pytest.fixture
def standin(served: QuantumStandIn, monkeypatch: pytest.MonkeyPatch) -> QuantumStandIn:
    """The stand-in, reset, with this process's HTTPS going through its proxy and its CA."""
    served.reset()
    for name, value in served.env().items():
        monkeypatch.setenv(name, value)
    return served


@pytest.fixture
def workspace(standin: QuantumStandIn) -> Workspace:
    return Workspace.from_connection_string(standin.connection_string)


def submit(
    workspace: Workspace, program: bytes, shots: int = 100, job_id: str | None = None
) -> Job:
    return Job.from_input_data(
        workspace,
        name="standin-test",
        target="ionq.simulator",
        provider_id="ionq",
        input_data=program,
        content_type="qir.v1",
        input_data_format="qir.v1",
        output_data_format="microsoft.quantum-results.v2",
        input_params={"entryPoint": "ENTRYPOINT__main", "arguments": [], "shots": shots},
        job_id=job_id,
    )


def wait_for(job: Job, *states: str, timeout: float = 30) -> Job:
    deadline = time.monotonic() + timeout
    while job.details.status not in states:
        assert time.monotonic() < deadline, f"job stayed {job.details.status}"
        time.sleep(0.05)
        job.refresh()
    return job


def eventually(call: Callable[[], T], attempts: int = 30) -> T:
    """What a caller's own retry layer does on top of azure-core's three retries."""
    for _ in range(attempts - 1):
        try:
            return call()
        except HttpResponseError as error:
            if error.status_code not in (429, 503):
                raise
    return call()


def control(standin: QuantumStandIn, method: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{standin.control_url}{path}", data=data, method=method)
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (local)
        text = answer.read()
    return json.loads(text) if text else None


def test_qir_job_succeeds_and_its_histogram_counts_add_up_to_the_shots(
    workspace: Workspace, bell: bytes
) -> None:
    job = wait_for(submit(workspace, bell, shots=100), "Succeeded", "Failed")

    histogram = job.get_results_histogram()
    assert job.details.status == "Succeeded", job.details.error_data
    assert sum(entry["count"] for entry in histogram.values()) == 100


def test_bell_circuit_gives_only_00_and_11(workspace: Workspace, bell: bytes) -> None:
    job = wait_for(submit(workspace, bell, shots=200), "Succeeded")

    shots = job.get_results_shots()
    assert len(shots) == 200
    assert {tuple(shot) for shot in shots} <= {(0, 0), (1, 1)}
    assert set(job.get_results()) <= {"[0, 0]", "[1, 1]"}


def test_qir_bitcode_runs_like_qir_text(workspace: Workspace, bell: bytes) -> None:
    job = wait_for(submit(workspace, bitcode(bell), shots=20), "Succeeded", "Failed")

    assert job.details.status == "Succeeded", job.details.error_data
    assert len(job.get_results_shots()) == 20


def test_tuple_and_bool_outputs_parse_through_the_sdk(workspace: Workspace) -> None:
    program = qir(PAIR, profile="Adaptive_RI")
    job = wait_for(submit(workspace, program, shots=5), "Succeeded", "Failed")

    assert job.get_results_shots() == [(1, True)] * 5
    assert job.get_results() == {"(1, true)": 1.0}


def test_job_details_read_as_azure_returns_them(workspace: Workspace, bell: bytes) -> None:
    job = wait_for(submit(workspace, bell, shots=10), "Succeeded")
    details = job.details

    assert details.provider_id == "ionq"
    assert details.target == "ionq.simulator"
    assert details.input_params["shots"] == 10
    assert details.container_uri.split("?")[0].endswith(f"/job-{job.id}")
    assert details.creation_time <= details.begin_execution_time <= details.end_execution_time
    assert details.cost_estimate.currency_code == "USD"
    assert "se=" in details.output_data_uri


def test_cancel_while_waiting_gives_cancelled_and_records_one_cancel(
    workspace: Workspace, standin: QuantumStandIn, bell: bytes
) -> None:
    standin.configure(queue_seconds=60)
    job = submit(workspace, bell)

    cancelled = workspace.cancel_job(job)

    assert cancelled.details.status == "Cancelled"
    assert cancelled.details.cancellation_time is not None
    assert [call["id"] for call in standin.cancel_calls()] == [job.id]


def test_cancel_while_executing_gives_cancelled(
    workspace: Workspace, standin: QuantumStandIn, bell: bytes
) -> None:
    standin.configure(never_finish=True)
    job = wait_for(submit(workspace, bell, shots=5), "Executing")

    cancelled = workspace.cancel_job(job)

    assert cancelled.details.status == "Cancelled"
    assert cancelled.details.end_execution_time is not None
    assert standin.cancel_calls() == [
        {"id": job.id, "route": "cancel", "statusBefore": "Executing"}
    ]


def test_delete_is_the_older_cancel(
    workspace: Workspace, standin: QuantumStandIn, bell: bytes
) -> None:
    standin.configure(queue_seconds=60)
    job = submit(workspace, bell)

    workspace.delete_job(job)

    assert workspace.get_job(job.id).details.status == "Cancelled"
    assert [call["route"] for call in standin.cancel_calls()] == ["DELETE"]


def test_update_changes_name_and_tags(workspace: Workspace, bell: bytes) -> None:
    job = submit(workspace, bell, shots=5)

    updated = workspace.update_job(job, name="renamed", tags=["a", "b"])

    assert (updated.details.name, updated.details.tags) == ("renamed", ["a", "b"])


def test_provider_failure_fails_the_job_with_error_data(
    workspace: Workspace, standin: QuantumStandIn, bell: bytes
) -> None:
    standin.configure(fail_jobs=True)

    job = wait_for(submit(workspace, bell), "Succeeded", "Failed")

    assert job.details.status == "Failed"
    assert job.details.error_data.code == "InvalidInputData"
    assert job.details.error_data.message


def test_program_that_cannot_run_fails_the_job(workspace: Workspace) -> None:
    job = wait_for(submit(workspace, b"not a QIR program"), "Succeeded", "Failed")

    assert job.details.status == "Failed"
    assert "QIR" in job.details.error_data.message


def test_never_finish_keeps_the_job_executing(
    workspace: Workspace, standin: QuantumStandIn, bell: bytes
) -> None:
    standin.configure(never_finish=True)
    job = wait_for(submit(workspace, bell, shots=5), "Executing")

    standin.configure(execution_seconds=0.2)  # knobs apply to jobs already running
    time.sleep(0.5)
    job.refresh()

    assert job.details.status == "Executing"


def test_transient_faults_are_retried_and_create_one_job(
    workspace: Workspace, standin: QuantumStandIn, bell: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The SDKs back off between retries: azure-storage-blob ~15 s whatever Retry-After says,
    # azure-core 0.8 s doubling (it reads "Retry-After: 0" as absent). Keep the retries,
    # drop the waits, so the test stays fast.
    monkeypatch.setattr(ExponentialRetry, "get_backoff_time", lambda self, settings: 0)
    monkeypatch.setattr(RetryPolicy, "get_backoff_time", lambda self, settings: 0)
    standin.configure(transient_error_rate=0.3, seed=7)
    job_id = Job.create_job_id()

    job = eventually(lambda: submit(workspace, bell, shots=10, job_id=job_id))
    while job.details.status not in ("Succeeded", "Failed"):
        eventually(job.refresh)
    results = eventually(job.get_results_histogram)

    assert [created["id"] for created in standin.created_jobs()] == [job_id]
    assert sum(entry["count"] for entry in results.values()) == 10
    assert sum(standin.faults().values()) > 0


def test_repeated_put_of_an_id_is_a_conflict_and_creates_nothing(
    workspace: Workspace, standin: QuantumStandIn, bell: bytes
) -> None:
    job = submit(workspace, bell, shots=5)

    with pytest.raises(HttpResponseError) as raised:
        workspace.submit_job(job)

    assert raised.value.status_code == 409
    assert len(standin.created_jobs()) == 1


def test_unknown_job_is_not_found(workspace: Workspace) -> None:
    with pytest.raises(HttpResponseError) as raised:
        workspace.get_job(Job.create_job_id())

    assert raised.value.status_code == 404


def test_targets_list_the_three_providers(workspace: Workspace) -> None:
    targets = {target.name for target in workspace.get_targets()}

    assert targets == {"ionq.simulator", "quantinuum.sim.h2-1e", "rigetti.sim.qvm"}


def test_list_jobs_filters_by_status(
    workspace: Workspace, standin: QuantumStandIn, bell: bytes
) -> None:
    done = wait_for(submit(workspace, bell, shots=5), "Succeeded")
    standin.configure(queue_seconds=60)
    waiting = submit(workspace, bell, shots=5)

    listed = workspace.list_jobs(status=["Waiting"])

    assert [job.id for job in listed] == [waiting.id]
    assert done.id in {job.id for job in workspace.list_jobs()}


def test_wrong_api_key_is_refused(standin: QuantumStandIn) -> None:
    wrong = standin.connection_string.replace(standin.identity.api_key, "0" * 32)

    with pytest.raises(ClientAuthenticationError) as raised:
        Workspace.from_connection_string(wrong).get_job(Job.create_job_id())

    assert raised.value.status_code == 401


def test_calls_are_counted_per_route(
    workspace: Workspace, standin: QuantumStandIn, bell: bytes
) -> None:
    wait_for(submit(workspace, bell, shots=5), "Succeeded")

    calls = standin.calls()

    assert calls["POST storage/sasUri"] == 1
    assert calls["PUT blob"] == 1
    assert calls["PUT jobs/{id}"] == 1


def test_control_api_changes_knobs_and_lists_jobs(standin: QuantumStandIn) -> None:
    knobs = control(standin, "POST", "/config", {"queue_seconds": 2.5})
    listing = control(standin, "GET", "/jobs")

    assert knobs["queue_seconds"] == 2.5
    assert standin.knobs.queue_seconds == 2.5
    assert listing == {
        "jobs": [],
        "created": [],
        "cancel_calls": [],
        "calls": {},
        "faults": {},
    }


def test_control_api_refuses_a_bad_knob_with_a_problem(standin: QuantumStandIn) -> None:
    with pytest.raises(urllib.error.HTTPError) as raised:
        control(standin, "POST", "/config", {"transient_error_rate": 2})

    assert raised.value.code == 400
    assert raised.value.headers["Content-Type"] == "application/problem+json"


def test_program_prints_one_ready_line_with_a_usable_connection_string(tmp_path: Path) -> None:
    program = subprocess.Popen(
        [sys.executable, "-m", "devhost.quantum_standin", "--data", str(tmp_path)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert program.stdout is not None
        ready = json.loads(program.stdout.readline())
    finally:
        program.terminate()
        program.wait(timeout=10)

    assert Workspace.from_connection_string(ready["connection_string"]).location == "westeurope"
    assert ready["env"]["REQUESTS_CA_BUNDLE"] == str(tmp_path / "cert.pem")
    assert ready["control_url"].startswith("http://127.0.0.1:")
    assert program.returncode == 0


# Managed identity: Workspace(resource_id, location, credential), as the Function App connects


@pytest.fixture(scope="module")
def msi_served() -> Iterator[QuantumStandIn]:
    with QuantumStandIn(region="westeurope", auth="managed-identity") as standin:
        yield standin


@pytest.fixture
def msi_standin(msi_served: QuantumStandIn, monkeypatch: pytest.MonkeyPatch) -> QuantumStandIn:
    """The managed-identity stand-in, reset, with this process's HTTPS through its proxy and
    IDENTITY_ENDPOINT / IDENTITY_HEADER set as App Service sets them."""
    msi_served.reset()
    for name, value in msi_served.env().items():
        monkeypatch.setenv(name, value)
    return msi_served


class FixedToken(TokenCredential):
    """A credential that answers every scope with one token of its own choosing."""

    def __init__(self, token: str) -> None:
        self.token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self.token, int(time.time()) + 3600)


def msi_workspace(standin: QuantumStandIn, credential: Any) -> Workspace:
    return Workspace(resource_id=standin.resource_id, location="westeurope", credential=credential)


@pytest.mark.parametrize("credential_type", ["ManagedIdentityCredential", "DefaultAzureCredential"])
def test_managed_identity_workspace_submits_polls_and_reads_a_job(
    msi_standin: QuantumStandIn, bell: bytes, credential_type: str
) -> None:
    import azure.identity

    workspace = msi_workspace(msi_standin, getattr(azure.identity, credential_type)())

    job = wait_for(submit(workspace, bell, shots=20), "Succeeded", "Failed")

    assert job.details.status == "Succeeded", job.details.error_data
    assert sum(entry["count"] for entry in job.get_results_histogram().values()) == 20
    assert msi_standin.calls()["GET workspace (ARM)"] == 1
    assert [created["id"] for created in msi_standin.created_jobs()] == [job.id]


def test_arm_resource_names_the_data_plane_endpoint_and_location(
    msi_standin: QuantumStandIn,
) -> None:
    from azure.identity import ManagedIdentityCredential

    workspace = msi_workspace(msi_standin, ManagedIdentityCredential())

    assert workspace._connection_params.quantum_endpoint == "https://westeurope.quantum.azure.com"
    assert (workspace.subscription_id, workspace.name) == (
        msi_standin.identity.subscription_id,
        msi_standin.identity.name,
    )


def test_token_not_issued_by_the_identity_is_refused_by_arm(msi_standin: QuantumStandIn) -> None:
    with pytest.raises(HttpResponseError) as raised:
        msi_workspace(msi_standin, FixedToken("forged"))

    assert raised.value.status_code == 401


def test_token_for_arms_audience_is_refused_by_the_data_plane(
    msi_standin: QuantumStandIn,
) -> None:
    arm_token = msi_standin.managed_identity.token(ARM_AUDIENCE)
    workspace = msi_workspace(msi_standin, FixedToken(arm_token))  # ARM takes it

    with pytest.raises(ClientAuthenticationError) as raised:
        workspace.get_job(Job.create_job_id())

    assert raised.value.status_code == 401
    assert msi_standin.calls()["GET workspace (ARM)"] == 1


def test_call_without_a_token_is_refused_by_the_data_plane(msi_standin: QuantumStandIn) -> None:
    import requests

    url = f"https://{msi_standin.identity.host}{msi_standin.identity.prefix}providerStatus"

    answer = requests.get(url, params={"api-version": "2026-01-15-preview"}, timeout=10)

    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "InvalidAuthenticationToken"


def test_api_key_is_refused_in_managed_identity_mode(msi_standin: QuantumStandIn) -> None:
    workspace = Workspace.from_connection_string(msi_standin.connection_string)

    with pytest.raises(ClientAuthenticationError) as raised:
        workspace.get_job(Job.create_job_id())

    assert raised.value.status_code == 401


def test_token_for_azure_quantums_audience_is_refused_by_arm(
    msi_standin: QuantumStandIn,
) -> None:
    quantum_token = msi_standin.managed_identity.token(QUANTUM_AUDIENCE)

    with pytest.raises(HttpResponseError) as raised:
        msi_workspace(msi_standin, FixedToken(quantum_token))

    assert raised.value.status_code == 401


def test_program_in_managed_identity_mode_prints_the_coordinates_and_identity(
    tmp_path: Path,
) -> None:
    program = subprocess.Popen(
        [sys.executable, "-m", "devhost.quantum_standin", "--data", str(tmp_path)]
        + ["--auth", "managed-identity"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert program.stdout is not None
        ready = json.loads(program.stdout.readline())
    finally:
        program.terminate()
        program.wait(timeout=10)

    settings = ready["workspace_settings"]
    assert settings["QJOBS_WORKSPACE_RESOURCE_ID"].startswith("/subscriptions/")
    assert settings["QJOBS_WORKSPACE_LOCATION"] == "westeurope"
    assert "QJOBS_WORKSPACE_CONNECTION_STRING" not in settings
    assert ready["env"]["IDENTITY_ENDPOINT"].endswith("/msi/token")
    assert ready["env"]["IDENTITY_HEADER"]
