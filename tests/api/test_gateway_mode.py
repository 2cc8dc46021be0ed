"""Gateway mode end to end: devhost serves the app as Azure does behind API Management."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from api_testkit import KEYS, SEED_WEIGHTS, Api, api_env, start_api_host
from devhost_testkit import DevHost, HttpResult, raw_header_request

from devhost.azurite import Azurite
from shared.auth import GATEWAY_CLIENT_HEADER, GATEWAY_SECRET_HEADER

SECRET = "gateway-secret-for-tests-0123456789abcdef"
SEED_JOB = {"kind": "number_partitioning", "weights": SEED_WEIGHTS}


@pytest.fixture(scope="module")
def gateway_host(azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevHost]:
    env = api_env(
        azurite.connection_string,
        QJOBS_BLOB_CONTAINER="qjobs-gateway",
        QJOBS_AUTH_MODE="gateway",
        QJOBS_GATEWAY_SECRET=SECRET,
    )
    host = start_api_host(tmp_path_factory.mktemp("gateway"), env)
    yield host
    host.stop()


@dataclass
class ViaGateway(Api):
    """What API Management forwards: no API key, the caller's name and the gateway's secret."""

    client: str = ""
    secret: str = SECRET

    def request(self, method: str, path: str, **kwargs: Any) -> HttpResult:
        headers = {GATEWAY_CLIENT_HEADER: self.client, GATEWAY_SECRET_HEADER: self.secret}
        kwargs["headers"] = headers | (kwargs.get("headers") or {})
        return super().request(method, path, **kwargs)


def via_gateway(host: DevHost, client: str, secret: str = SECRET) -> ViaGateway:
    return ViaGateway(host, None, client, secret)


def test_a_job_forwarded_by_the_gateway_runs_for_the_named_caller(gateway_host: DevHost) -> None:
    caller = via_gateway(gateway_host, "entra-oid-1234")
    job_id = caller.submit_ok(SEED_JOB)
    assert caller.wait_for(job_id)["status"] == "succeeded"
    assert caller.result(job_id).json()["result"]["difference"] == 1
    assert via_gateway(gateway_host, "someone-else").status(job_id).status == 404


def test_a_caller_bypassing_the_gateway_is_401(gateway_host: DevHost) -> None:
    forged = via_gateway(gateway_host, "entra-oid-1234", secret="guessed-" + "x" * 32)
    assert forged.submit(SEED_JOB).status == 401
    assert Api(gateway_host, KEYS["alice"]).submit(SEED_JOB).status == 401


@pytest.mark.parametrize("secret", [b"\xff\xfe" + SECRET.encode(), b"\xed\xa0\x80"])
def test_a_gateway_secret_that_is_not_utf8_is_401(gateway_host: DevHost, secret: bytes) -> None:
    headers = {GATEWAY_CLIENT_HEADER: b"entra-oid-1234", GATEWAY_SECRET_HEADER: secret}
    answer = raw_header_request(gateway_host.base_url, "GET", "/api/jobs", headers)
    assert answer.status == 401, answer.text
    assert answer.header("content-type").startswith("application/problem+json")
