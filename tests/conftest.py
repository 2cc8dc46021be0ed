"""Shared by every suite: a failed test's report carries the output of each running devhost."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from devhost_testkit import LIVE_HOSTS


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
