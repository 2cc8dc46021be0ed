"""Completion webhooks: signed deliveries (Standard Webhooks) to receivers on 127.0.0.1,
retried durably, and refused destinations. Two hosts: `hooked` allows 127.0.0.1
(QJOBS_WEBHOOK_ALLOW_HOSTS, as for local development), `guarded` has the default rules."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from api_testkit import KEYS, SEED_WEIGHTS, Api, api_env, hard_partition, start_api_host
from qjobs_client import Client
from qjobs_client.webhooks import InvalidSignature, verify
from webhook_testkit import Receiver, receiving

from devhost.azurite import Azurite

WEBHOOK_KEY = "test-webhook-key-0123456789abcdef0123456789"
SEED = {"kind": "number_partitioning", "weights": SEED_WEIGHTS}


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with receiving() as receiver:
        yield receiver


@pytest.fixture(scope="module")
def hooked(azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    env = api_env(
        azurite.connection_string,
        QJOBS_BLOB_CONTAINER="qjobs-webhooks",
        QJOBS_WEBHOOK_KEY=WEBHOOK_KEY,
        QJOBS_WEBHOOK_ALLOW_HOSTS="127.0.0.1",
        QJOBS_WEBHOOK_RETRY_SECONDS="0.5",
        QJOBS_MAX_JOB_SECONDS="3",
    )
    host = start_api_host(tmp_path_factory.mktemp("hooked"), env)
    yield Api(host, KEYS["alice"])
    host.stop()


@pytest.fixture(scope="module")
def guarded(azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    env = api_env(
        azurite.connection_string,
        QJOBS_BLOB_CONTAINER="qjobs-webhooks-guarded",
        QJOBS_WEBHOOK_KEY=WEBHOOK_KEY,
    )
    host = start_api_host(tmp_path_factory.mktemp("guarded"), env)
    yield Api(host, KEYS["alice"])
    host.stop()


def secret_of(api: Api) -> str:
    with Client(api.host.url("/api"), api.key) as client:
        return client.webhook_secret()


def webhook_state(api: Api, job_id: str, states: set[str], timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        webhook = api.status(job_id).json().get("webhook") or {}
        if webhook.get("state") in states or time.monotonic() > deadline:
            assert webhook.get("state") in states, webhook
            return webhook
        time.sleep(0.05)


def test_a_succeeded_job_is_delivered_signed_with_the_callers_secret(
    hooked: Api, receiver: Receiver
) -> None:
    job_id = hooked.submit_ok({**SEED, "webhook": receiver.url("/succeeded")})
    [delivery] = receiver.wait_for("/succeeded")
    event = verify(secret_of(hooked), delivery.headers, delivery.body)
    assert event["type"] == "job.succeeded"
    assert event["data"]["id"] == job_id
    assert event["data"]["status"] == "succeeded"
    status = hooked.status(job_id).json()
    status.pop("webhook")
    assert event["data"] == status
    assert delivery.headers["webhook-id"]
    assert abs(int(delivery.headers["webhook-timestamp"]) - time.time()) < 60
    webhook = webhook_state(hooked, job_id, {"delivered"})
    assert webhook["attempts"] == 1
    assert webhook["last_status"] == 204


def test_a_failed_job_is_delivered_as_job_failed(hooked: Api, receiver: Receiver) -> None:
    job = {
        "kind": "number_partitioning",
        "weights": hard_partition(),
        "time_limit": 30,
        "webhook": receiver.url("/failed"),
    }
    job_id = hooked.submit_ok(job)
    [delivery] = receiver.wait_for("/failed", timeout=30)
    event = verify(secret_of(hooked), delivery.headers, delivery.body)
    assert (event["type"], event["data"]["id"]) == ("job.failed", job_id)
    assert event["data"]["error"]["code"] == "timeout"


def test_a_cancelled_job_is_delivered_as_job_cancelled(hooked: Api, receiver: Receiver) -> None:
    job = {
        "kind": "number_partitioning",
        "weights": hard_partition(),
        "time_limit": 30,
        "webhook": receiver.url("/cancelled"),
    }
    job_id = hooked.submit_ok(job)
    hooked.wait_for(job_id, {"executing"})
    assert hooked.cancel(job_id).status == 202
    [delivery] = receiver.wait_for("/cancelled")
    event = verify(secret_of(hooked), delivery.headers, delivery.body)
    assert (event["type"], event["data"]["status"]) == ("job.cancelled", "cancelled")


def test_executing_is_delivered_only_when_asked_for(hooked: Api, receiver: Receiver) -> None:
    job = {**SEED, "webhook": receiver.url("/executing"), "webhook_events": ["executing"]}
    job_id = hooked.submit_ok(job)
    hooked.wait_for(job_id)
    time.sleep(1)
    events = [verify(secret_of(hooked), d.headers, d.body) for d in receiver.to("/executing")]
    assert [event["type"] for event in events] in ([], ["job.executing"])


def test_a_receiver_answering_500_twice_gets_the_same_event_three_times(
    hooked: Api, receiver: Receiver
) -> None:
    receiver.answer("/flaky", 500, 500, 200)
    job_id = hooked.submit_ok({**SEED, "webhook": receiver.url("/flaky")})
    deliveries = receiver.wait_for("/flaky", 3)
    assert len({d.headers["webhook-id"] for d in deliveries}) == 1
    assert webhook_state(hooked, job_id, {"delivered"})["attempts"] == 3
    time.sleep(1.5)
    assert len(receiver.to("/flaky")) == 3


def test_retry_after_of_a_429_is_honoured(hooked: Api, receiver: Receiver) -> None:
    receiver.answer("/busy", (429, {"Retry-After": "2"}), 200)
    hooked.submit_ok({**SEED, "webhook": receiver.url("/busy")})
    first, second = receiver.wait_for("/busy", 2)
    assert second.at - first.at >= 1.8


def test_410_stops_the_deliveries_and_marks_the_url_gone(hooked: Api, receiver: Receiver) -> None:
    receiver.answer("/gone", 410)
    job_id = hooked.submit_ok({**SEED, "webhook": receiver.url("/gone")})
    webhook = webhook_state(hooked, job_id, {"failed"})
    assert (webhook["attempts"], webhook["last_status"], webhook.get("gone")) == (1, 410, True)
    time.sleep(1.5)
    assert len(receiver.to("/gone")) == 1


def test_another_4xx_stops_the_deliveries(hooked: Api, receiver: Receiver) -> None:
    receiver.answer("/bad", 400)
    job_id = hooked.submit_ok({**SEED, "webhook": receiver.url("/bad")})
    assert webhook_state(hooked, job_id, {"failed"})["last_status"] == 400
    time.sleep(1.5)
    assert len(receiver.to("/bad")) == 1


def test_after_a_rotation_deliveries_verify_with_the_old_and_the_new_secret(
    hooked: Api, receiver: Receiver
) -> None:
    bob = Api(hooked.host, KEYS["bob"])
    old = secret_of(bob)
    rotated = bob.request("POST", "/api/webhooks/secret/rotate")
    assert rotated.status == 200
    new = rotated.json()["secret"]
    assert new != old and new == secret_of(bob)
    assert rotated.json()["previous_secret_valid_until"]
    bob.submit_ok({**SEED, "webhook": receiver.url("/rotated")})
    [delivery] = receiver.wait_for("/rotated")
    assert len(delivery.headers["webhook-signature"].split(" ")) == 2
    assert verify(old, delivery.headers, delivery.body) == verify(
        new, delivery.headers, delivery.body
    )


def test_a_delivery_does_not_verify_with_another_callers_secret(
    hooked: Api, receiver: Receiver
) -> None:
    carol = Api(hooked.host, KEYS["carol"])
    hooked.submit_ok({**SEED, "webhook": receiver.url("/alices")})
    [delivery] = receiver.wait_for("/alices")
    with pytest.raises(InvalidSignature):
        verify(secret_of(carol), delivery.headers, delivery.body)
    with pytest.raises(InvalidSignature):
        verify(secret_of(hooked), delivery.headers, delivery.body.replace(b"succeeded", b"failed"))


@pytest.mark.parametrize(
    ("events", "pointer"),
    [("succeeded", "/webhook_events"), (["done"], "/webhook_events"), ([], "/webhook_events")],
)
def test_webhook_events_outside_the_list_are_refused(
    hooked: Api, receiver: Receiver, events: object, pointer: str
) -> None:
    answer = hooked.submit({**SEED, "webhook": receiver.url("/x"), "webhook_events": events})
    assert answer.status == 400, answer.text
    assert answer.json()["errors"][0]["pointer"] == pointer


def refused_urls(port: int) -> list[str]:
    return [
        f"http://2130706433:{port}/",
        f"https://2130706433:{port}/",
        f"https://0x7f.1:{port}/",
        f"https://0x7f000001:{port}/",
        f"https://017700000001:{port}/",
        f"https://127.1:{port}/",
        f"https://[::ffff:127.0.0.1]:{port}/",
        f"https://[::ffff:7f00:1]:{port}/",
        f"https://[::1]:{port}/",
        f"https://localhost:{port}/",
        f"https://app.localhost:{port}/",
        f"http://127.0.0.1:{port}/",
        f"https://127.0.0.1:{port}/",
        f"https://0.0.0.0:{port}/",
        f"https://0:{port}/",
        f"https://[::]:{port}/",
        "https://169.254.169.254/latest/meta-data/",
        "https://[fe80::1]/",
        "https://10.0.0.1/",
        "https://172.16.0.1/",
        "https://192.168.1.1/",
        "https://100.64.0.1/",
        "https://[fd00::1]/",
        "https://224.0.0.1/",
        "https://user:password@example.com/",
        "ftp://example.com/",
        "not a url",
    ]


def test_every_refused_url_spelling_answers_400_and_nothing_is_sent(
    guarded: Api, receiver: Receiver
) -> None:
    before = len(receiver.deliveries)
    for url in refused_urls(receiver.port):
        answer = guarded.submit({**SEED, "webhook": url})
        assert answer.status == 400, (url, answer.text)
        assert answer.json()["errors"][0]["pointer"] == "/webhook", url
    listed = guarded.request("GET", "/api/jobs?limit=100").json()["jobs"]
    assert listed == []
    time.sleep(0.5)
    assert len(receiver.deliveries) == before


def test_a_host_name_resolving_to_a_refused_address_is_refused_when_sending(
    guarded: Api, receiver: Receiver
) -> None:
    name = socket.gethostname()
    addresses = {info[4][0] for info in socket.getaddrinfo(name, None)}
    if not any(a.startswith(("127.", "10.", "192.168.", "::1")) for a in addresses):
        pytest.skip(f"{name} resolves to {addresses}, not to a refused address")
    job_id = guarded.submit_ok(
        {**SEED, "webhook": receiver.url("/by-name", host=name, scheme="https")}
    )
    webhook = webhook_state(guarded, job_id, {"failed"})
    assert webhook["last_status"] is None
    assert receiver.to("/by-name") == []


def test_a_host_sigkilled_between_attempts_delivers_after_restart(
    hooked: Api, receiver: Receiver
) -> None:
    receiver.answer("/survives", (503, {"Retry-After": "4"}), 200)
    job_id = hooked.submit_ok({**SEED, "webhook": receiver.url("/survives")})
    [first] = receiver.wait_for("/survives")
    assert webhook_state(hooked, job_id, {"retrying"})["attempts"] == 1
    hooked.host.kill()
    hooked.host.restart()
    first_again, second = receiver.wait_for("/survives", 2, timeout=60)
    assert second.headers["webhook-id"] == first.headers["webhook-id"]
    assert webhook_state(hooked, job_id, {"delivered"})["attempts"] == 2
