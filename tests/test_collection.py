"""Any subset of the test files collects: the suites' helpers are not shadowed conftest names."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_files_from_every_suite_collect_together() -> None:
    files = [
        "tests/api/test_idempotency.py",
        "tests/devhost/test_http_triggers.py",
        "tests/unit/test_workspace.py",
    ]
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *files],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    for file in files:
        assert file in run.stdout
