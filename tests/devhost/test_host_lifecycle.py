"""devhost start-up, shutdown, start-up failures and host.json's routePrefix."""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from devhost_testkit import APPS_DIR, DevHost, http, run_until_exit, running_devhost


@pytest.fixture(scope="module")
def prefix_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevHost]:
    with running_devhost(APPS_DIR / "prefix_app", tmp_path_factory.mktemp("prefix")) as host:
        yield host


def test_custom_route_prefix_from_host_json(prefix_host: DevHost) -> None:
    res = http("GET", prefix_host.url("custom/ping"))
    assert res.status == 200, res.text
    assert res.text == "pong"
    res = http("GET", prefix_host.url("custom/hello/grace"))
    assert res.status == 200, res.text
    assert res.text == "hello grace"


def test_default_prefix_not_served_when_custom_prefix_set(prefix_host: DevHost) -> None:
    assert http("GET", prefix_host.url("api/ping")).status == 404
    assert http("GET", prefix_host.url("ping")).status == 404


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stops_with_exit_code_zero_on_signal(tmp_path: Path, sig: signal.Signals) -> None:
    host = DevHost.in_tmp(APPS_DIR / "prefix_app", tmp_path)
    host.start()
    try:
        assert f"devhost ready: http://127.0.0.1:{host.port}" in host.log_text()
    finally:
        code = host.stop(sig=sig)
    assert code == 0, f"exit code {code}; stderr:\n{host.log_text()}"


def test_broken_function_json_fails_startup(tmp_path: Path) -> None:
    code, stderr = run_until_exit(APPS_DIR / "broken_json_app", tmp_path)
    assert code != 0, stderr
    assert "garbled_fn" in stderr, stderr
    # The cause: a JSON syntax error (e.g. "Expecting ',' delimiter: line 5 column 5"),
    # not just the file name.
    cause = stderr.replace("function.json", "")
    assert re.search(r"json|expecting|delimiter|decode|parse", cause, re.IGNORECASE), stderr


def test_import_error_fails_startup(tmp_path: Path) -> None:
    code, stderr = run_until_exit(APPS_DIR / "broken_import_app", tmp_path)
    assert code != 0, stderr
    assert "missing_dep_fn" in stderr, stderr
    assert "qjobs_no_such_module_xyz" in stderr, stderr


def test_unusable_durable_store_fails_startup(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "TestHubName.sqlite3").mkdir(parents=True)  # a folder where the database file goes
    code, stderr = run_until_exit(APPS_DIR / "prefix_app", tmp_path, data_dir=data)
    assert code != 0, stderr
    assert "cannot open the durable state" in stderr, stderr
    assert "Traceback" not in stderr, stderr
