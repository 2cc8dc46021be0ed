"""scripts/start, as a user runs it: local data stays its owner's, list tokens outlive a restart."""

from __future__ import annotations

import os
import selectors
import signal
import stat
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from api_testkit import SEED_WEIGHTS, Api
from devhost_testkit import REPO_ROOT, DevHost, free_port

DEV_KEY = "qjobs-dev-key"  # scripts/start's default API key
START_TIMEOUT = 90.0


@contextmanager
def started(data: Path, port: int) -> Iterator[Api]:
    """scripts/start on `port` with its data in `data`, until it has stopped again; the
    lines it printed after its ready line are the Api's `announced`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QJOBS_", "AzureWebJobs"))}
    env |= {"QJOBS_DATA": str(data), "QJOBS_PORT": str(port), "QJOBS_LOCAL_WORKERS": "1"}
    proc = subprocess.Popen(
        [str(REPO_ROOT / "scripts" / "start")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        ready = wait_for_line(proc, b"qjobs ready", START_TIMEOUT)
        assert ready == f"qjobs ready: http://127.0.0.1:{port}/api\n".encode(), ready
        assert proc.stdout is not None
        host = DevHost(app_dir=REPO_ROOT, data_dir=data, log_path=data / "unused.log", port=port)
        api = Api(host, DEV_KEY)
        api.announced = proc.stdout.readline().decode() + proc.stdout.readline().decode()  # type: ignore[attr-defined]
        yield api
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_for_line(proc: subprocess.Popen[bytes], start: bytes, timeout: float) -> bytes:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if selector.select(deadline - time.monotonic()):
                line = proc.stdout.readline()
                if line.startswith(start):
                    return line
                assert line, f"scripts/start exited with {proc.wait()} before it was ready"
    raise AssertionError(f"scripts/start not ready after {timeout} s")


def readable_by_others(root: Path) -> list[str]:
    exposed = []
    for path in [root, *root.rglob("*")]:
        mode = path.lstat().st_mode
        if not stat.S_ISLNK(mode) and mode & 0o077:
            exposed.append(f"{path.relative_to(root)}: {stat.filemode(mode)}")
    return exposed


def test_local_data_is_its_owners_and_list_tokens_outlive_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    port = free_port()
    with started(data, port) as api:
        for _ in range(2):
            job_id = api.submit_ok({"kind": "number_partitioning", "weights": SEED_WEIGHTS})
            assert api.wait_for(job_id)["status"] == "succeeded"
        token = api.request("GET", "/api/jobs?limit=1").json()["continuation"]
        assert token is not None
    exposed = readable_by_others(data)
    assert not exposed, exposed
    assert {"azurite", "list-token-key", "host-keys.json"} <= {p.name for p in data.iterdir()}
    with started(data, port) as api:
        answer = api.request("GET", f"/api/jobs?limit=1&continuation={token}")
        assert answer.status == 200, answer.text
        assert len(answer.json()["jobs"]) == 1


def test_the_lines_after_ready_name_the_dashboard_and_the_api_reference(tmp_path: Path) -> None:
    port = free_port()
    with started(tmp_path / "data", port) as api:
        dashboard = f"http://127.0.0.1:{port}/api/dashboard/"
        docs = f"http://127.0.0.1:{port}/api/docs/"
        announced = api.announced  # type: ignore[attr-defined]
        assert announced == f"dashboard: {dashboard}\nAPI reference: {docs}\n"
        assert api.request("GET", dashboard).status == 200
        assert api.request("GET", docs).status == 200
