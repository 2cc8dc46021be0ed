"""Shared by every suite: a failed test's report carries the output of each running devhost."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_DEVHOST_TESTS = str(Path(__file__).resolve().parent / "devhost")
if _DEVHOST_TESTS not in sys.path:
    sys.path.insert(0, _DEVHOST_TESTS)

from devhost_testkit import LIVE_HOSTS  # noqa: E402


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.failed and LIVE_HOSTS:
        for host in LIVE_HOSTS:
            tail = "\n".join(host.log_text().splitlines()[-80:])
            report.sections.append(
                (f"devhost {host.app_dir.name} :{host.port} output (tail)", tail)
            )
