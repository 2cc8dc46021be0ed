"""Workspace coordinates from plain settings, and from Key Vault through the local stub.

The Key Vault tests run workspace_coordinates() in a fresh interpreter configured only by
environment variables, as devhost or the Functions host would be: the stub's CA reaches
aiohttp through SSL_CERT_FILE, which counts only before aiohttp is first imported.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from keyvault_stub import KeyVaultStub

from shared.config import ConfigError
from shared.identity import azure_credential, close_azure_credential
from shared.workspace import WorkspaceCoordinates, workspace_coordinates

ROOT = Path(__file__).resolve().parents[2]
RESOURCE_ID = (
    "/subscriptions/6f1c2a7e-4b1d-4c3e-9a55-0d2f8e7b9c10/resourceGroups/rg-qjobs"
    "/providers/Microsoft.Quantum/Workspaces/qjobs-ws"
)
ID_SECRET = "quantum-workspace-resource-id"
LOCATION_SECRET = "quantum-workspace-location"
CONNECTION_SECRET = "quantum-workspace-connection-string"
EXPECTED = {"resource_id": RESOURCE_ID, "location": "westeurope"}

# Prints, per int step, the answers of that many concurrent calls (plus, when argv[2] is a
# number, one caller that gives up after that many seconds); a float step sleeps.
DRIVER = r"""
import asyncio, json, sys, time, traceback
from shared.identity import close_azure_credential
from shared.workspace import WorkspaceUnavailable, workspace_coordinates

async def call():
    try:
        found = await workspace_coordinates()
    except WorkspaceUnavailable as error:
        return {"error": str(error), "trace": "".join(traceback.format_exception(error))}
    return {"resource_id": found.resource_id, "location": found.location}

async def impatient(seconds):
    try:
        await asyncio.wait_for(workspace_coordinates(), seconds)
    except TimeoutError:
        return "gave up"
    return "was answered"

async def main(steps, give_up_after):
    rounds = []
    for step in steps:
        if isinstance(step, float):
            await asyncio.sleep(step)
            continue
        start = time.monotonic()
        calls = [call() for _ in range(step)]
        if give_up_after is not None:
            calls.append(impatient(give_up_after))
        answers = await asyncio.gather(*calls)
        rounds.append({"seconds": time.monotonic() - start, "answers": answers})
    await close_azure_credential()
    print(json.dumps(rounds))

asyncio.run(main(json.loads(sys.argv[1]), json.loads(sys.argv[2])))
"""
FOREIGN_PREFIXES = ("AZURE_", "IDENTITY_", "MSI_", "IMDS_", "QJOBS_")


def run_fresh(
    stub: KeyVaultStub,
    steps: list[int | float],
    give_up_after: float | None = None,
    **settings: str,
) -> list[Any]:
    """Rounds of workspace_coordinates() calls in a new process pointed at the stub."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(FOREIGN_PREFIXES) and not name.lower().endswith("_proxy")
    }
    env.update(stub.env(), **settings)
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, json.dumps(steps), json.dumps(give_up_after)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def only_answer(rounds: list[Any]) -> dict[str, Any]:
    [first] = rounds
    [answer] = first["answers"]
    return answer


@pytest.fixture
def stub() -> Iterator[KeyVaultStub]:
    with KeyVaultStub({ID_SECRET: RESOURCE_ID, LOCATION_SECRET: "westeurope"}) as running:
        yield running


# Plain settings (no Key Vault)


def coordinates(settings: dict[str, str]) -> WorkspaceCoordinates | None:
    return asyncio.run(workspace_coordinates(settings))


def test_settings_give_the_coordinates_with_a_normalized_location() -> None:
    found = coordinates(
        {"QJOBS_WORKSPACE_RESOURCE_ID": RESOURCE_ID, "QJOBS_WORKSPACE_LOCATION": "West Europe"}
    )

    assert found == WorkspaceCoordinates(RESOURCE_ID, "westeurope")


CONNECTION_STRING = (
    "SubscriptionId=6f1c2a7e-4b1d-4c3e-9a55-0d2f8e7b9c10;ResourceGroupName=rg-qjobs;"
    "WorkspaceName=qjobs-ws;ApiKey=secret-api-key;"
    "QuantumEndpoint=https://westeurope.quantum.azure.com/;"
)


def test_connection_string_gives_its_coordinates_and_is_kept_for_the_sdk() -> None:
    found = coordinates({"QJOBS_WORKSPACE_CONNECTION_STRING": CONNECTION_STRING})

    assert found is not None
    assert found.public() == EXPECTED
    assert found.connection_string == CONNECTION_STRING
    assert "secret-api-key" not in repr(found)


def test_connection_string_wins_over_the_plain_coordinates() -> None:
    found = coordinates(
        {
            "QJOBS_WORKSPACE_CONNECTION_STRING": CONNECTION_STRING,
            "QJOBS_WORKSPACE_RESOURCE_ID": RESOURCE_ID.replace("qjobs-ws", "other-ws"),
            "QJOBS_WORKSPACE_LOCATION": "eastus",
        }
    )

    assert found is not None and found.public() == EXPECTED


@pytest.mark.parametrize(
    "broken",
    [
        CONNECTION_STRING.replace("ApiKey=secret-api-key;", ""),
        CONNECTION_STRING.replace("https://westeurope.quantum.azure.com/", "http://127.0.0.1:1/"),
        "secret-api-key",
    ],
)
def test_malformed_connection_string_is_a_config_error_without_its_value(broken: str) -> None:
    with pytest.raises(ConfigError) as raised:
        coordinates({"QJOBS_WORKSPACE_CONNECTION_STRING": broken})

    assert "QJOBS_WORKSPACE_CONNECTION_STRING" in str(raised.value)
    assert "secret-api-key" not in str(raised.value)


def test_no_workspace_settings_mean_local_only_mode() -> None:
    assert coordinates({"QJOBS_WORKSPACE_RESOURCE_ID": " ", "OTHER": "x"}) is None


def test_resource_id_without_location_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="QJOBS_WORKSPACE_LOCATION is empty or not set"):
        coordinates({"QJOBS_WORKSPACE_RESOURCE_ID": RESOURCE_ID})


def test_location_without_resource_id_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="QJOBS_WORKSPACE_RESOURCE_ID is empty or not set"):
        coordinates({"QJOBS_WORKSPACE_LOCATION": "westeurope"})


@pytest.mark.parametrize(
    "resource_id",
    [
        RESOURCE_ID.replace("Microsoft.Quantum", "Microsoft.Storage"),
        RESOURCE_ID.replace("6f1c2a7e-4b1d-4c3e-9a55-0d2f8e7b9c10", "my-subscription"),
        RESOURCE_ID + "/jobs/1",
        RESOURCE_ID.replace("qjobs-ws", "qjobs-ws-"),
        "qjobs-ws",
    ],
)
def test_setting_that_is_not_a_quantum_workspace_id_is_a_config_error(resource_id: str) -> None:
    settings = {"QJOBS_WORKSPACE_RESOURCE_ID": resource_id, "QJOBS_WORKSPACE_LOCATION": "eastus"}

    with pytest.raises(ConfigError, match="not the ARM id of a Microsoft.Quantum workspace"):
        coordinates(settings)


# The credential


def test_credential_is_shared_within_an_event_loop() -> None:
    async def twice() -> tuple[object, object]:
        return azure_credential(), azure_credential()

    first, second = asyncio.run(twice())

    assert first is second


def test_each_event_loop_gets_its_own_credential() -> None:
    async def one() -> object:
        return azure_credential()

    assert asyncio.run(one()) is not asyncio.run(one())


def test_closed_credential_is_replaced_by_a_new_one() -> None:
    async def close_between() -> tuple[object, object]:
        first = azure_credential()
        await close_azure_credential()
        return first, azure_credential()

    first, second = asyncio.run(close_between())

    assert first is not second


# Key Vault, through the stub and the managed identity endpoint


def test_key_vault_secrets_give_the_coordinates_via_managed_identity(stub: KeyVaultStub) -> None:
    answer = only_answer(run_fresh(stub, [1]))

    assert answer == EXPECTED
    assert stub.identity.requests == 1


def test_key_vault_connection_string_secret_wins_over_the_coordinate_secrets() -> None:
    secrets = {
        CONNECTION_SECRET: CONNECTION_STRING,
        ID_SECRET: RESOURCE_ID.replace("qjobs-ws", "other-ws"),
        LOCATION_SECRET: "eastus",
    }
    with KeyVaultStub(secrets) as vault:
        answer = only_answer(run_fresh(vault, [1]))

    assert answer == EXPECTED
    assert "secret-api-key" not in json.dumps(answer)


def test_second_call_within_the_ttl_does_not_reach_key_vault(stub: KeyVaultStub) -> None:
    rounds = run_fresh(stub, [1, 1])

    assert [r["answers"] for r in rounds] == [[EXPECTED], [EXPECTED]]
    assert stub.lookups == {CONNECTION_SECRET: 1, ID_SECRET: 1, LOCATION_SECRET: 1}


def test_call_after_the_ttl_reads_key_vault_again(stub: KeyVaultStub) -> None:
    rounds = run_fresh(stub, [1, 0.6, 1], QJOBS_SECRETS_TTL_SECONDS="0.3")

    assert [r["answers"] for r in rounds] == [[EXPECTED], [EXPECTED]]
    assert stub.lookups == {CONNECTION_SECRET: 2, ID_SECRET: 2, LOCATION_SECRET: 2}


def test_concurrent_callers_on_a_cold_cache_share_one_read(stub: KeyVaultStub) -> None:
    [round_] = run_fresh(stub, [20])

    assert round_["answers"] == [EXPECTED] * 20
    assert stub.lookups == {CONNECTION_SECRET: 1, ID_SECRET: 1, LOCATION_SECRET: 1}


def test_caller_that_gives_up_does_not_cancel_the_shared_read(stub: KeyVaultStub) -> None:
    stub.delay = 0.5

    [round_] = run_fresh(stub, [1], give_up_after=0.1)

    assert round_["answers"] == [EXPECTED, "gave up"]
    assert stub.lookups == {CONNECTION_SECRET: 1, ID_SECRET: 1, LOCATION_SECRET: 1}


def test_missing_secret_makes_the_workspace_unavailable(stub: KeyVaultStub) -> None:
    del stub.secrets[LOCATION_SECRET]

    answer = only_answer(run_fresh(stub, [1]))

    assert answer["error"] == f"Key Vault has no secret {LOCATION_SECRET!r}"


def test_failure_is_remembered_briefly_instead_of_retried_per_call(stub: KeyVaultStub) -> None:
    del stub.secrets[ID_SECRET]

    rounds = run_fresh(stub, [1, 1])

    assert all("error" in r["answers"][0] for r in rounds)
    assert stub.lookups == {CONNECTION_SECRET: 1, ID_SECRET: 1}


def test_refused_managed_identity_makes_the_workspace_unavailable(stub: KeyVaultStub) -> None:
    answer = only_answer(run_fresh(stub, [1], IDENTITY_HEADER="not-the-header"))

    assert answer["error"].startswith("could not authenticate to Key Vault")
    assert "ManagedIdentityCredential: (Unauthorized)" in answer["error"]
    assert stub.lookups == {}


def test_unreachable_key_vault_fails_within_five_seconds(stub: KeyVaultStub) -> None:
    stub.stop()

    [round_] = run_fresh(stub, [1])

    assert "error" in round_["answers"][0]
    assert round_["seconds"] < 5.5


def test_key_vault_that_does_not_answer_fails_at_the_timeout(stub: KeyVaultStub) -> None:
    stub.delay = 30

    [round_] = run_fresh(stub, [1], QJOBS_KEYVAULT_TIMEOUT_SECONDS="1")

    assert round_["answers"][0]["error"].endswith("did not answer within 1 s")
    assert round_["seconds"] < 2


def test_malformed_resource_id_secret_is_reported_without_its_value_or_the_token(
    stub: KeyVaultStub,
) -> None:
    leaked = RESOURCE_ID.replace("Microsoft.Quantum", "Microsoft.Secretive")
    stub.secrets[ID_SECRET] = leaked

    answer = only_answer(run_fresh(stub, [1]))

    assert f"secret {ID_SECRET!r} is not the ARM id" in answer["error"]
    for text in (answer["error"], answer["trace"]):
        assert "Secretive" not in text
        assert stub.token() not in text
