"""Helpers for driving a devhost subprocess over real HTTP.

Imported by conftest.py and the test modules (pyproject.toml puts this folder on pythonpath).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

import aiohttp
import azure.durable_functions as df

HERE = Path(__file__).resolve().parent
APPS_DIR = HERE / "apps"
REPO_ROOT = HERE.parents[1]

READY_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0

FINAL_STATUSES = frozenset(
    {
        df.OrchestrationRuntimeStatus.Completed,
        df.OrchestrationRuntimeStatus.Failed,
        df.OrchestrationRuntimeStatus.Terminated,
    }
)

# Every DevHost currently running; conftest attaches their logs to failure reports.
LIVE_HOSTS: list[DevHost] = []


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def devhost_env() -> dict[str, str]:
    env = dict(os.environ)
    old = env.get("PYTHONPATH")
    env["PYTHONPATH"] = str(REPO_ROOT) + (os.pathsep + old if old else "")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def devhost_command(app_dir: Path, port: int, data_dir: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "devhost",
        "--app",
        str(app_dir),
        "--port",
        str(port),
        "--data",
        str(data_dir),
        "--log-level",
        "info",
    ]


# --------------------------------------------------------------------------- raw HTTP


@dataclass
class HttpResult:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None


def http(
    method: str,
    url: str,
    *,
    body: bytes | str | None = None,
    json_body: Any = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> HttpResult:
    """One HTTP request with urllib; 4xx/5xx are returned, not raised."""
    hdrs = dict(headers or {})
    data: bytes | None
    if json_body is not None:
        data = json.dumps(json_body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    elif isinstance(body, str):
        data = body.encode()
    else:
        data = body
    if data is None and method in ("POST", "PUT", "PATCH"):
        data = b""
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return HttpResult(resp.status, dict(resp.headers.items()), resp.read())
    except urllib.error.HTTPError as err:
        return HttpResult(err.code, dict(err.headers.items()), err.read())


def raw_header_request(
    base_url: str,
    method: str,
    path: str,
    headers: dict[str, bytes],
    body: bytes | None = None,
    timeout: float = 10.0,
) -> HttpResult:
    """One request whose header values are sent byte for byte (urllib would encode them)."""
    url = urllib.parse.urlsplit(base_url)
    connection = HTTPConnection(url.hostname, url.port, timeout=timeout)
    try:
        connection.putrequest(method, path)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        return HttpResult(response.status, dict(response.getheaders()), response.read())
    finally:
        connection.close()


# --------------------------------------------------------------------------- the host process


class DevHostStartError(RuntimeError):
    pass


@dataclass
class DevHost:
    """A `python -m devhost` subprocess; start/stop/kill/restart on the same data dir and port."""

    app_dir: Path
    data_dir: Path
    log_path: Path
    port: int = field(default_factory=free_port)
    extra_env: dict[str, str] = field(default_factory=dict)
    extra_args: list[str] = field(default_factory=list)  # appended to devhost_command()
    proc: subprocess.Popen[bytes] | None = None
    _log_offset: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def host_keys(self) -> dict[str, str]:
        """The data folder's host-keys.json: systemKey, rpcSecret and rpcBasePath."""
        return json.loads((self.data_dir / "host-keys.json").read_text())

    @property
    def system_key(self) -> str:
        return self.host_keys()["systemKey"]

    @property
    def key_headers(self) -> dict[str, str]:
        """Headers that carry the system key (management and admin API)."""
        return {"x-functions-key": self.system_key}

    @property
    def durable_url(self) -> str:
        """The Durable HTTP API under the rpcBaseUrl path (it holds the rpc secret)."""
        return f"{self.base_url}{self.host_keys()['rpcBasePath']}"

    @property
    def webhook_url(self) -> str:
        """The Durable HTTP API under the public webhook path (needs key_headers)."""
        return f"{self.base_url}/runtime/webhooks/durabletask/"

    def host_status(self, timeout: float = 1.0) -> HttpResult:
        """GET /admin/host/status with the system key."""
        return http("GET", self.url("admin/host/status"), headers=self.key_headers, timeout=timeout)

    @classmethod
    def in_tmp(cls, app_dir: Path, tmp_dir: Path, data_dir: Path | None = None) -> DevHost:
        """A host for app_dir whose data dir (unless given) and log live under tmp_dir."""
        name = app_dir.name
        return cls(
            app_dir=app_dir,
            data_dir=data_dir or tmp_dir / f"{name}-data",
            log_path=tmp_dir / f"{name}-devhost.log",
        )

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def log_text(self, whole: bool = False) -> str:
        """stderr of the current (or last) run; whole=True for every run (stdout is
        kept next to it in <log>.stdout)."""
        try:
            raw = self.log_path.read_bytes()
        except FileNotFoundError:
            return ""
        return raw[0 if whole else self._log_offset :].decode("utf-8", errors="replace")

    def stdout_text(self) -> str:
        """stdout of every run (where --announce prints)."""
        try:
            return self.log_path.with_suffix(".stdout").read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def spawn(self) -> subprocess.Popen[bytes]:
        """Start the process without waiting for readiness."""
        assert self.proc is None or self.proc.poll() is not None, "devhost already running"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        stdout_path = self.log_path.with_suffix(".stdout")
        with open(self.log_path, "ab") as log, open(stdout_path, "ab") as out:
            self._log_offset = log.tell()
            self.proc = subprocess.Popen(
                devhost_command(self.app_dir, self.port, self.data_dir) + self.extra_args,
                cwd=REPO_ROOT,
                env=devhost_env() | self.extra_env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=log,
                start_new_session=True,  # own process group: kill() takes any workers too
            )
        LIVE_HOSTS.append(self)
        return self.proc

    def start(self, timeout: float = READY_TIMEOUT) -> DevHost:
        proc = self.spawn()
        deadline = time.monotonic() + timeout
        while True:
            code = proc.poll()
            if code is not None:
                self._forget()
                raise DevHostStartError(
                    f"devhost exited with {code} before it was ready; output:\n{self.log_text()}"
                )
            try:
                res = self.host_status()
                if res.status == 200 and res.json().get("state") == "Running":
                    return self
            except (OSError, ValueError):  # not listening yet, or no keys file yet
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise DevHostStartError(
                    f"devhost not ready after {timeout}s; output:\n{self.log_text()}"
                )
            time.sleep(0.05)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = STOP_TIMEOUT) -> int | None:
        """Send `sig` to devhost, wait for exit (SIGKILL after `timeout`); return the exit code."""
        proc = self.proc
        if proc is None:
            return None
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(sig)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self._kill_group()
        self._forget()
        return proc.returncode

    def kill(self) -> None:
        """SIGKILL the whole process group at once (a crash), and reap it."""
        proc = self.proc
        if proc is None:
            return
        self._kill_group()
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait(timeout=STOP_TIMEOUT)
        self._forget()

    def restart(self, timeout: float = READY_TIMEOUT) -> DevHost:
        """Start again on the same app, data dir and port (after stop() or kill())."""
        if self.proc is not None and self.proc.poll() is None:
            self.stop()
        return self.start(timeout=timeout)

    def _kill_group(self) -> None:
        proc = self.proc
        if proc is None:
            return
        # The group id is the pid of the process we started (start_new_session=True).
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)

    def _forget(self) -> None:
        if self in LIVE_HOSTS:
            LIVE_HOSTS.remove(self)


@contextlib.contextmanager
def running_devhost(app_dir: Path, tmp_dir: Path) -> Iterator[DevHost]:
    """Start devhost on app_dir with a fresh data dir under tmp_dir; stop it on exit."""
    host = DevHost.in_tmp(app_dir, tmp_dir)
    host.start()
    try:
        yield host
    finally:
        host.stop()


def run_until_exit(
    app_dir: Path,
    tmp_dir: Path,
    timeout: float = READY_TIMEOUT,
    data_dir: Path | None = None,
    env: dict[str, str] | None = None,
) -> tuple[int, str]:
    """Run devhost on an app that must fail at start-up; return (exit code, output)."""
    host = DevHost.in_tmp(app_dir, tmp_dir, data_dir)
    host.extra_env = dict(env or {})
    proc = host.spawn()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            ready: int | str = host.host_status().status
        except (OSError, ValueError) as exc:
            ready = repr(exc)
        host.stop()
        raise AssertionError(
            f"devhost did not exit within {timeout}s (status endpoint answered {ready}); "
            f"output:\n{host.log_text()}"
        ) from None
    host.stop()
    return proc.returncode, host.log_text()


# --------------------------------------------------------------------------- durable helpers


async def reset_sdk_http_session() -> None:
    """Drop the SDK's shared aiohttp session (and its pooled keep-alive connections).

    Call after killing a host: pooled connections to the dead process would otherwise
    fail the next requests. The SDK does the same itself on a connection error."""
    from azure.durable_functions.models.utils import http_utils

    await http_utils._close_session()


def fetch_client_binding(host: DevHost) -> str:
    res = http("GET", host.url("api/client-binding"))
    assert res.status == 200, f"client-binding answered {res.status}: {res.text}"
    return res.text


async def wait_for_status(
    client: df.DurableOrchestrationClient,
    instance_id: str,
    final: bool = True,
    timeout: float = 20.0,
    until: Callable[[df.DurableOrchestrationStatus], bool] | None = None,
    interval: float = 0.05,
) -> df.DurableOrchestrationStatus:
    """Poll get_status until the instance is final (final=True), has started running
    (final=False), or `until(status)` holds. Connection errors are retried (host restarts)."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        try:
            status = await client.get_status(instance_id)
        except (TimeoutError, aiohttp.ClientConnectionError) as exc:
            status, last = None, f"connection error: {exc!r}"
        if status:
            last = status.to_json()
            if until is not None:
                if until(status):
                    return status
            elif final:
                if status.runtime_status in FINAL_STATUSES:
                    return status
            elif status.runtime_status not in (None, df.OrchestrationRuntimeStatus.Pending):
                return status
        if time.monotonic() > deadline:
            raise AssertionError(
                f"instance {instance_id} not in the wanted state after {timeout}s; last: {last}"
            )
        await asyncio.sleep(interval)


def list_instances(
    base: str, query: dict[str, str], page_headers: dict[str, str] | None = None
) -> tuple[list[dict[str, Any]], list[int]]:
    """GET instances/ with `query`, following x-ms-continuation-token.

    Returns all items and the size of each page."""
    items: list[dict[str, Any]] = []
    sizes: list[int] = []
    token: str | None = None
    qs = urllib.parse.urlencode(query)
    while True:
        headers = dict(page_headers or {})
        if token:
            headers["x-ms-continuation-token"] = token
        res = http("GET", f"{base}instances/?{qs}", headers=headers)
        assert res.status == 200, f"list answered {res.status}: {res.text}"
        page = res.json()
        assert isinstance(page, list), page
        items.extend(page)
        sizes.append(len(page))
        token = res.header("x-ms-continuation-token")
        if not token or token == "null":
            return items, sizes
        assert len(sizes) < 1000, "continuation tokens never end"


def status_is_final(item: dict[str, Any]) -> bool:
    return item.get("runtimeStatus") in {s.value for s in FINAL_STATUSES}


def output_text(status: df.DurableOrchestrationStatus) -> str:
    """The output of a status as text, whatever JSON shape it has."""
    out = status.output
    return out if isinstance(out, str) else json.dumps(out)
