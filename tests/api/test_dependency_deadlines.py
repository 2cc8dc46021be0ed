"""A dependency that stops answering (accepts connections, never replies) costs a caller a
503 with Retry-After within seconds, not the SDKs' timeouts times their retries; and once it
answers again, the same request succeeds at once."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable, Iterator

import pytest
from api_testkit import KEYS, SEED_WEIGHTS, Api, api_env, start_api_host
from devhost_testkit import HttpResult
from keyvault_stub import KeyVaultStub

from devhost.azurite import Azurite

SEED_JOB = {"kind": "number_partitioning", "weights": SEED_WEIGHTS}
# The deadline is 3 s (the default, which other test hosts raise: see api_env); generous for a
# noisy machine, far below the 61 s of azure-storage-blob's three 20 s read timeouts.
DEADLINE = {"QJOBS_DEPENDENCY_DEADLINE_SECONDS": "3"}
FAST_503_SECONDS = 8.0


@pytest.fixture(scope="module")
def own_azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    service = Azurite(location=tmp_path_factory.mktemp("frozen-azurite"))
    service.start()
    yield service
    service.stop()


@pytest.fixture(scope="module")
def api(own_azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    host = start_api_host(
        tmp_path_factory.mktemp("frozen"), api_env(own_azurite.connection_string, **DEADLINE)
    )
    yield Api(host, KEYS["alice"])
    host.stop()


@contextlib.contextmanager
def frozen(azurite: Azurite) -> Iterator[None]:
    """Azurite stopped (SIGSTOP): it keeps its port and connections but answers nothing."""
    assert azurite.proc is not None
    os.kill(azurite.proc.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(azurite.proc.pid, signal.SIGCONT)


def timed(call: Callable[[], HttpResult]) -> tuple[HttpResult, float]:
    began = time.monotonic()
    answer = call()
    return answer, time.monotonic() - began


def assert_fast_503(answer: HttpResult, seconds: float) -> None:
    assert answer.status == 503, answer.text
    assert int(answer.header("Retry-After")) >= 1
    assert answer.header("Content-Type").startswith("application/problem+json")
    assert seconds < FAST_503_SECONDS, f"503 after {seconds:.1f} s"


def test_submit_to_frozen_storage_is_503_within_seconds(api: Api, own_azurite: Azurite) -> None:
    api.wait_for(api.submit_ok(SEED_JOB))
    with frozen(own_azurite):
        answer, seconds = timed(lambda: api.submit(SEED_JOB))
    assert_fast_503(answer, seconds)


def test_list_from_frozen_storage_is_503_within_seconds(api: Api, own_azurite: Azurite) -> None:
    with frozen(own_azurite):
        answer, seconds = timed(lambda: api.request("GET", "/api/jobs"))
    assert_fast_503(answer, seconds)


def test_a_keyed_submission_refused_by_frozen_storage_succeeds_when_it_is_back(
    api: Api, own_azurite: Azurite
) -> None:
    key = {"Idempotency-Key": "frozen-storage-retry"}
    with frozen(own_azurite):
        answer, seconds = timed(lambda: api.submit(SEED_JOB, **key))
        assert_fast_503(answer, seconds)
    # Azurite works off what queued up while it was stopped: on a busy machine the first
    # retry may still find it slow, and is then a 503 to retry after Retry-After.
    for _ in range(5):
        retried = api.submit(SEED_JOB, **key)
        if retried.status != 503:
            break
        time.sleep(int(retried.header("Retry-After")))
    assert retried.status == 202, retried.text
    assert api.wait_for(retried.json()["id"])["status"] == "succeeded"
    again = api.submit(SEED_JOB, **key)
    assert again.header("Idempotent-Replayed") == "true"
    assert again.json()["id"] == retried.json()["id"]


def test_submit_while_key_vault_is_frozen_is_503_within_seconds(
    own_azurite: Azurite, tmp_path_factory: pytest.TempPathFactory
) -> None:
    secrets = {
        "quantum-workspace-resource-id": "/subscriptions/00000000-0000-0000-0000-000000000001"
        "/resourceGroups/qjobs/providers/Microsoft.Quantum/Workspaces/qjobs-ws",
        "quantum-workspace-location": "westeurope",
    }
    with KeyVaultStub(secrets, cert_dir=tmp_path_factory.mktemp("frozen-vault-cert")) as vault:
        env = api_env(
            own_azurite.connection_string,
            QJOBS_BLOB_CONTAINER="qjobs-frozen-vault",
            QJOBS_KEYVAULT_TIMEOUT_SECONDS="60",  # the request's deadline alone bounds it
            **DEADLINE,
            **vault.env(),
        )
        host = start_api_host(tmp_path_factory.mktemp("frozen-vault"), env)
        try:
            vault.delay = 60.0
            api = Api(host, KEYS["alice"])
            answer, seconds = timed(lambda: api.submit(SEED_JOB))
        finally:
            vault.delay = 0.0
            host.stop()
    assert_fast_503(answer, seconds)
