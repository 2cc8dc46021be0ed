"""Header values that are not UTF-8 are bad input: a 4xx, never a 500 (key headers:
test_isolation.py, test_gateway_mode.py, tests/devhost/test_host_keys.py)."""

from __future__ import annotations

import json

import pytest
from api_testkit import KEYS, SEED_WEIGHTS, Api
from devhost_testkit import raw_header_request

NOT_UTF8 = b"\xff\xfe\xed\xa0\x80"
JOB = json.dumps({"kind": "number_partitioning", "weights": SEED_WEIGHTS}).encode()


@pytest.mark.parametrize("name", ["idempotency-key", "content-type"])
def test_a_submission_header_that_is_not_utf8_is_4xx(alice: Api, name: str) -> None:
    headers = {
        "authorization": f"Bearer {KEYS['alice']}".encode(),
        "content-type": b"application/json",
        "content-length": str(len(JOB)).encode(),
        name: NOT_UTF8,
    }
    answer = raw_header_request(alice.host.base_url, "POST", "/api/jobs", headers, body=JOB)
    assert 400 <= answer.status < 500, answer.text
    assert answer.header("content-type").startswith("application/problem+json")
