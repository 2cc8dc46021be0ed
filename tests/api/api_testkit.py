"""Helpers for the job API suite: API keys, the job API as one client sees it, sample jobs.

Imported by conftest.py and the test modules (pyproject.toml puts this folder on pythonpath).
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from devhost_testkit import REPO_ROOT, DevHost, HttpResult, http

KEYS = {"alice": "alice-secret-key", "bob": "bob-secret-key", "carol": "carol-secret-key"}
SEED_WEIGHTS = [5, 11, 8, 7, 1, 1]
BELL = """OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
bit[2] c;
h q[0];
cx q[0], q[1];
c = measure q;
"""
FINAL = {"succeeded", "failed", "cancelled"}


def api_keys_setting(keys: dict[str, str]) -> str:
    return ",".join(
        f"{client}:{hashlib.sha256(key.encode()).hexdigest()}" for client, key in keys.items()
    )


def api_env(storage: str, **overrides: str) -> dict[str, str]:
    env = {
        "AzureWebJobsStorage": storage,
        "QJOBS_API_KEYS": api_keys_setting(KEYS),
        "QJOBS_BLOB_CONTAINER": "qjobs-tests",
        "QJOBS_LOCAL_WORKERS": "2",
        # The Functions host's default: hourly, with a 30-day retention nothing here is purged.
        "QJOBS_PURGE_SCHEDULE": "0 0 * * * *",
        # A busy test machine can take Azurite past the 3 s default on a healthy call; the
        # deadline's own tests set it back.
        "QJOBS_DEPENDENCY_DEADLINE_SECONDS": "10",
        "QJOBS_WEBHOOK_KEY": "api-tests-webhook-key-0123456789abcdef",
    }
    env.update(overrides)
    return env


class LinkedFiles(HTMLParser):
    """The `src` of scripts and the `href` of stylesheets a page names."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script" and named.get("src"):
            self.urls.append(named["src"] or "")
        if tag == "link" and named.get("rel") == "stylesheet" and named.get("href"):
            self.urls.append(named["href"] or "")


@dataclass
class Api:
    """The job API as one client sees it."""

    host: DevHost
    key: str | None

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
    ) -> HttpResult:
        all_headers = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        all_headers.update(headers or {})
        url = path if path.startswith("http") else self.host.url(path)
        return http(method, url, json_body=json_body, body=body, headers=all_headers, timeout=30)

    def submit(self, job: dict[str, Any], **headers: str) -> HttpResult:
        return self.request("POST", "/api/jobs", json_body=job, headers=headers)

    def submit_ok(self, job: dict[str, Any]) -> str:
        answer = self.submit(job)
        assert answer.status == 202, answer.text
        return answer.json()["id"]

    def status(self, job_id: str) -> HttpResult:
        return self.request("GET", f"/api/jobs/{job_id}/status")

    def result(self, job_id: str) -> HttpResult:
        return self.request("GET", f"/api/jobs/{job_id}/result")

    def cancel(self, job_id: str) -> HttpResult:
        return self.request("DELETE", f"/api/jobs/{job_id}")

    def wait_for_any(self, job_ids: Iterable[str], states: set[str], timeout: float = 30) -> dict:
        """Each job's status once at least one of them is in `states`."""
        deadline = time.monotonic() + timeout
        while True:
            seen = {job_id: self.status(job_id).json()["status"] for job_id in job_ids}
            if states & set(seen.values()) or time.monotonic() > deadline:
                assert states & set(seen.values()), seen
                return seen
            time.sleep(0.02)

    def wait_for(self, job_id: str, states: set[str] = FINAL, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            answer = self.status(job_id)
            assert answer.status in (200, 202), answer.text
            document = answer.json()
            if document["status"] in states or time.monotonic() > deadline:
                assert document["status"] in states, document
                return document
            time.sleep(0.02)


def start_api_host(tmp: Path, env: dict[str, str]) -> DevHost:
    host = DevHost.in_tmp(REPO_ROOT, tmp)
    host.extra_env = env
    return host.start()


def hard_partition(n: int = 48, seed: int = 7) -> list[int]:
    """Weights no solver settles quickly, so a job runs until its time limit: more weights
    than the exact solver takes (40), and of 52 bits, so that no perfect partition is likely
    to exist for complete Karmarkar-Karp to stop at."""
    rng = random.Random(seed)
    return [rng.randrange(1, 2**52) for _ in range(n)]
