"""The deploy workflow's smoke test passes against a running qjobs (devhost here)."""

from __future__ import annotations

import subprocess
import sys

from api_testkit import KEYS, Api
from devhost_testkit import REPO_ROOT


def smoke_test(api: Api, key: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(REPO_ROOT / "scripts" / "smoke_test.py")]
    command += ["--url", api.host.url("/api"), "--header", f"x-api-key: {key}", "--timeout", "60"]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_the_smoke_test_submits_the_seed_job_and_reads_its_result(alice: Api) -> None:
    finished = smoke_test(alice, KEYS["alice"])
    assert finished.returncode == 0, finished.stderr
    assert "difference 1" in finished.stdout


def test_the_smoke_test_fails_with_a_reason_when_the_key_is_wrong(alice: Api) -> None:
    finished = smoke_test(alice, "not-a-key")
    assert finished.returncode == 1
    assert "POST /jobs answered 401" in finished.stderr
