"""Azurite as a child process (devhost/azurite.py) and devhost's --azurite and --announce."""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.storage.blob import BlobServiceClient
from devhost_testkit import APPS_DIR, DevHost, free_port, http

from devhost.azurite import ACCOUNT_KEY, Azurite, AzuriteError

STORAGE_APP = APPS_DIR / "storage_app"
GONE_TIMEOUT = 5.0


def azurite_pids(location: Path) -> list[int]:
    """Live processes started with `--location <location>`: the Azurites on that folder."""
    wanted = b"\0--location\0" + str(location.resolve()).encode() + b"\0"
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = b"\0" + (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rpartition(")")[2].split()[0]
        except OSError:
            continue
        if wanted in cmdline and state != "Z":
            pids.append(int(entry.name))
    return pids


def wait_until_gone(location: Path, timeout: float = GONE_TIMEOUT) -> list[int]:
    """Poll until no Azurite runs on `location`; the pids still alive at the deadline."""
    deadline = time.monotonic() + timeout
    while (pids := azurite_pids(location)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return pids


def fake_azurite(tmp_path: Path, script: str) -> Path:
    path = tmp_path / "fake-azurite"
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(0o755)
    return path


def devhost_with_azurite(tmp_path: Path, *args: str, app: Path = STORAGE_APP) -> DevHost:
    host = DevHost.in_tmp(app, tmp_path)
    host.extra_args = ["--azurite", str(tmp_path / "azurite"), *args]
    host.extra_env = {"AzureWebJobsStorage": ""}
    return host


@pytest.fixture
def devhost_cleanup() -> Iterator[list[DevHost]]:
    """Hosts appended here are stopped after the test, whatever happened in it."""
    hosts: list[DevHost] = []
    yield hosts
    for host in hosts:
        host.stop()


# --------------------------------------------------------------------------- Azurite


def test_blob_written_with_the_connection_string_reads_back() -> None:
    with Azurite() as azurite:
        service = BlobServiceClient.from_connection_string(azurite.connection_string)
        container = service.create_container("jobs")
        container.upload_blob("job-1/input.json", b'{"weights": [5, 11, 8]}')
        assert container.download_blob("job-1/input.json").readall() == b'{"weights": [5, 11, 8]}'


def test_connection_string_names_the_dev_account_at_the_real_port() -> None:
    with Azurite() as azurite:
        assert azurite.port > 0
        assert azurite.connection_string == (
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
            f"AccountKey={ACCOUNT_KEY};"
            f"BlobEndpoint=http://127.0.0.1:{azurite.port}/devstoreaccount1;"
        )


def test_blobs_in_the_location_survive_a_restart(tmp_path: Path) -> None:
    with Azurite(tmp_path / "data") as azurite:
        service = BlobServiceClient.from_connection_string(azurite.connection_string)
        service.create_container("jobs").upload_blob("kept", b"still here")
    with Azurite(tmp_path / "data") as azurite:
        service = BlobServiceClient.from_connection_string(azurite.connection_string)
        assert service.get_blob_client("jobs", "kept").download_blob().readall() == b"still here"


def test_stop_ends_the_process_frees_the_port_and_is_idempotent(tmp_path: Path) -> None:
    azurite = Azurite(tmp_path / "data").start()
    port = azurite.port
    azurite.stop()
    azurite.stop()
    assert azurite_pids(tmp_path / "data") == []
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers bind
        sock.bind(("127.0.0.1", port))
        sock.listen()


def test_busy_port_fails_with_a_clear_message(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        azurite = Azurite(tmp_path / "data", port=port)
        with pytest.raises(AzuriteError, match=f"port {port} on 127.0.0.1 is already in use"):
            azurite.start()
    assert azurite.proc is None
    assert azurite_pids(tmp_path / "data") == []


def test_exit_during_start_fails_with_its_output(tmp_path: Path) -> None:
    binary = fake_azurite(tmp_path, "echo 'data folder is locked' >&2; exit 3")
    with pytest.raises(AzuriteError, match="(?s)exited with code 3.*data folder is locked"):
        Azurite(binary=binary).start()


def test_missing_binary_points_to_bootstrap(tmp_path: Path) -> None:
    with pytest.raises(AzuriteError, match="scripts/bootstrap"):
        Azurite(binary=tmp_path / "missing").start()


# --------------------------------------------------------------------------- devhost


def test_announce_prints_the_url_once_devhost_accepts_requests(
    tmp_path: Path, devhost_cleanup: list[DevHost]
) -> None:
    host = DevHost.in_tmp(APPS_DIR / "prefix_app", tmp_path)
    host.extra_args = ["--announce", "up at {url}/api {not a placeholder}", "--log-level", "error"]
    devhost_cleanup.append(host.start())
    assert host.stdout_text() == f"up at http://127.0.0.1:{host.port}/api {{not a placeholder}}\n"


def test_app_reaches_azurite_through_azurewebjobsstorage(
    tmp_path: Path, devhost_cleanup: list[DevHost]
) -> None:
    host = devhost_with_azurite(tmp_path)
    devhost_cleanup.append(host.start())
    res = http("GET", host.url("api/blob-check"))
    assert res.status == 200, res.text
    assert res.json()["reachable"] is True
    assert res.json()["endpoint"].startswith("http://127.0.0.1:")


def test_azurite_stops_when_devhost_stops_on_sigterm(
    tmp_path: Path, devhost_cleanup: list[DevHost]
) -> None:
    host = devhost_with_azurite(tmp_path)
    devhost_cleanup.append(host.start())
    assert len(azurite_pids(tmp_path / "azurite")) == 1
    assert host.stop(signal.SIGTERM) == 0
    assert azurite_pids(tmp_path / "azurite") == []


def test_azurite_dies_when_devhost_is_killed(
    tmp_path: Path, devhost_cleanup: list[DevHost]
) -> None:
    host = devhost_with_azurite(tmp_path)
    devhost_cleanup.append(host.start())
    assert len(azurite_pids(tmp_path / "azurite")) == 1
    host.kill()  # SIGKILL to devhost's process group; Azurite runs in its own session
    survivors = wait_until_gone(tmp_path / "azurite")
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert survivors == []


def test_storage_setting_for_other_storage_is_kept_and_azurite_not_started(
    tmp_path: Path, devhost_cleanup: list[DevHost]
) -> None:
    elsewhere = f"http://127.0.0.1:{free_port()}/otheraccount"
    host = devhost_with_azurite(tmp_path)
    host.extra_env = {
        "AzureWebJobsStorage": "DefaultEndpointsProtocol=http;AccountName=otheraccount;"
        f"AccountKey={ACCOUNT_KEY};BlobEndpoint={elsewhere};"
    }
    devhost_cleanup.append(host.start())
    assert http("GET", host.url("api/blob-check")).json()["endpoint"].rstrip("/") == elsewhere
    assert azurite_pids(tmp_path / "azurite") == []


def test_azurite_start_failure_exits_1_with_its_output(
    tmp_path: Path, devhost_cleanup: list[DevHost]
) -> None:
    host = devhost_with_azurite(tmp_path)
    binary = fake_azurite(tmp_path, "echo 'cannot write the data folder' >&2; exit 3")
    host.extra_env = {"AzureWebJobsStorage": "", "QJOBS_AZURITE_BIN": str(binary)}
    devhost_cleanup.append(host)
    assert host.spawn().wait(timeout=30) == 1
    assert "devhost: cannot start Azurite" in host.log_text()
    assert "cannot write the data folder" in host.log_text()
    assert "devhost ready" not in host.log_text()
