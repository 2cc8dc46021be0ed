"""POST /api/jobs reads the workspace coordinates from Key Vault (through the real SDK and
managed identity, against the local stub), caches them, and answers 503 when it cannot."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_testkit import KEYS, SEED_WEIGHTS, Api, api_env, start_api_host
from keyvault_stub import KeyVaultStub

from devhost.azurite import Azurite

RESOURCE_ID = (
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/qjobs"
    "/providers/Microsoft.Quantum/Workspaces/qjobs-ws"
)
SECRETS = {
    "quantum-workspace-resource-id": RESOURCE_ID,
    "quantum-workspace-location": "westeurope",
}
SEED_JOB = {"kind": "number_partitioning", "weights": SEED_WEIGHTS}


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KeyVaultStub]:
    with KeyVaultStub(SECRETS, cert_dir=tmp_path_factory.mktemp("vault-cert")) as stub:
        yield stub


@pytest.fixture(scope="module")
def api(
    vault: KeyVaultStub, azurite: Azurite, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    env = api_env(azurite.connection_string, **vault.env())
    host = start_api_host(tmp_path_factory.mktemp("vaulted"), env)
    yield Api(host, KEYS["alice"])
    host.stop()


def test_jobs_run_with_coordinates_read_once_from_key_vault(api: Api, vault: KeyVaultStub) -> None:
    jobs = [api.submit_ok(SEED_JOB) for _ in range(3)]
    for job_id in jobs:
        assert api.wait_for(job_id)["status"] == "succeeded"
    assert vault.lookups["quantum-workspace-resource-id"] == 1
    assert vault.lookups["quantum-workspace-location"] == 1


def test_secret_values_never_reach_answers_or_logs(api: Api) -> None:
    answer = api.submit(SEED_JOB)
    assert RESOURCE_ID not in answer.text
    assert "qjobs-ws" not in api.host.log_text(whole=True)


def test_unreachable_key_vault_is_503_and_creates_no_job(
    vault: KeyVaultStub, azurite: Azurite, tmp_path_factory: pytest.TempPathFactory
) -> None:
    env = api_env(azurite.connection_string, **vault.env())
    env["QJOBS_KEYVAULT_URL"] = "https://qjobs-missing.vault.azure.net"
    env["QJOBS_BLOB_CONTAINER"] = "qjobs-vault-down"
    host = start_api_host(tmp_path_factory.mktemp("vault-down"), env)
    try:
        api = Api(host, KEYS["alice"])
        answer = api.submit(SEED_JOB)
        assert answer.status == 503, answer.text
        assert int(answer.header("Retry-After")) >= 1
        assert api.request("GET", "/api/jobs").json()["jobs"] == []
    finally:
        host.stop()
