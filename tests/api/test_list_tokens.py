"""GET /api/jobs continuation tokens: only a token this API issued to the caller works."""

from __future__ import annotations

import base64
import json

import pytest
from api_testkit import SEED_WEIGHTS, Api


def encoded(position: dict) -> str:
    raw = json.dumps(position, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.fixture(scope="module")
def issued_token(alice: Api) -> str:
    """A token alice was given for her second page."""
    for _ in range(2):
        alice.submit_ok({"kind": "number_partitioning", "weights": SEED_WEIGHTS})
    page = alice.request("GET", "/api/jobs?limit=1").json()
    assert page["continuation"] is not None
    return page["continuation"]


def assert_bad_token(answer) -> None:  # noqa: ANN001
    assert answer.status == 400, answer.text
    assert answer.header("content-type").startswith("application/problem+json")
    assert "continuation" in answer.json()["detail"]
    assert answer.header("Retry-After") is None


def test_an_issued_token_reads_the_next_page(alice: Api, issued_token: str) -> None:
    answer = alice.request("GET", f"/api/jobs?limit=1&continuation={issued_token}")
    assert answer.status == 200, answer.text
    assert len(answer.json()["jobs"]) == 1


@pytest.mark.parametrize(
    "position", [{"m": "\u0000", "s": 0}, {"m": None, "s": 1}], ids=["nul-marker", "skip"]
)
def test_a_forged_token_is_400(alice: Api, position: dict) -> None:
    assert_bad_token(alice.request("GET", f"/api/jobs?continuation={encoded(position)}"))


def test_an_edited_token_is_400(alice: Api, issued_token: str) -> None:
    position, _, mac = issued_token.partition(".")
    data = json.loads(base64.urlsafe_b64decode(position + "=" * (-len(position) % 4)))
    edited = f"{encoded({**data, 's': data['s'] + 1})}.{mac}"
    assert_bad_token(alice.request("GET", f"/api/jobs?continuation={edited}"))


def test_another_callers_token_is_400(bob: Api, issued_token: str) -> None:
    assert_bad_token(bob.request("GET", f"/api/jobs?continuation={issued_token}"))
