"""Run Azurite's blob service (the npm package ``azurite``) as a child process.

``Azurite`` starts ``azurite-blob`` on 127.0.0.1, waits until it answers HTTP, and
gives the connection string for the well-known development account::

    with Azurite(Path(".devhost/azurite")) as azurite:   # or Azurite() for in-memory data
        BlobServiceClient.from_connection_string(azurite.connection_string)

The binary is ``QJOBS_AZURITE_BIN`` if set, else ``node_modules/.bin/azurite-blob``
in the repo root (``scripts/bootstrap`` installs it from package-lock.json).

Azurite runs in its own session, so a Ctrl-C in the terminal reaches only the
parent, which can finish its own shutdown while storage is still up and then stop
Azurite. On Linux it also gets SIGTERM when the thread that started it dies, even
by SIGKILL (``prctl(PR_SET_PDEATHSIG)``, set between fork and exec): a crashed
parent leaves no Azurite behind holding the port and the data folder. A pipe
watched by the child would need a wrapper around node; the kernel does it for
free. So call ``start()`` from a thread that lives as long as Azurite should
(the main thread). Elsewhere than Linux a killed parent leaves Azurite running.
"""

from __future__ import annotations

import contextlib
import ctypes
import http.client
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO

from . import PRIVATE_UMASK

REPO_ROOT = Path(__file__).resolve().parents[1]
BIN_ENV = "QJOBS_AZURITE_BIN"
HOST = "127.0.0.1"
ACCOUNT = "devstoreaccount1"
# Azurite's published development key (the same for every installation; not a secret).
ACCOUNT_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
READY_TIMEOUT = 30.0
STOP_TIMEOUT = 5.0
OUTPUT_TAIL_LINES = 40

# Printed once the server listens; the port is the real one even when asked for 0.
_LISTENING = re.compile(r"listens on https?://[^\s/]+:(\d+)")
_PR_SET_PDEATHSIG = 1


class AzuriteError(RuntimeError):
    """Azurite could not be found or started; the message says why."""


def default_binary() -> Path:
    """``$QJOBS_AZURITE_BIN``, else ``<repo root>/node_modules/.bin/azurite-blob``."""
    configured = os.environ.get(BIN_ENV)
    if configured:
        return Path(configured)
    return REPO_ROOT / "node_modules" / ".bin" / "azurite-blob"


def connection_string_for(blob_endpoint: str) -> str:
    """The storage connection string for the development account at blob_endpoint."""
    return (
        f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY};"
        f"BlobEndpoint={blob_endpoint};"
    )


def _die_with_parent() -> Callable[[], None] | None:
    """A preexec_fn asking the kernel to SIGTERM the child when its parent dies (Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved before fork, not in the child
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec


class Azurite:
    """One ``azurite-blob`` process on 127.0.0.1.

    location: data folder (created if missing); None keeps the data in memory.
    port: 0 lets Azurite pick a free one (read back from its output). Once started,
    `port` is the one in use, so a start() after stop() asks for the same port again.
    """

    def __init__(
        self,
        location: Path | None = None,
        *,
        port: int = 0,
        binary: Path | None = None,
        ready_timeout: float = READY_TIMEOUT,
    ) -> None:
        self.location = location.resolve() if location is not None else None
        self.port = port
        self.binary = binary if binary is not None else default_binary()
        self.ready_timeout = ready_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self._output: IO[bytes] | None = None

    @property
    def blob_endpoint(self) -> str:
        if self.proc is None:
            raise AzuriteError("Azurite is not running")
        return f"http://{HOST}:{self.port}/{ACCOUNT}"

    @property
    def connection_string(self) -> str:
        return connection_string_for(self.blob_endpoint)

    def command(self) -> list[str]:
        storage = (
            ["--location", str(self.location)]
            if self.location is not None
            else ["--inMemoryPersistence"]
        )
        return [
            str(self.binary),
            "--blobHost", HOST,
            "--blobPort", str(self.port),
            "--silent",  # no access log
            "--disableTelemetry",
            "--skipApiVersionCheck",  # newer azure-storage-blob versions than Azurite knows
            "--loose",  # ignore headers and parameters Azurite does not support
            *storage,
        ]  # fmt: skip

    def start(self) -> Azurite:
        """Start Azurite and wait until it answers HTTP; AzuriteError if it cannot."""
        if self.proc is not None:
            raise AzuriteError("Azurite is already running")
        if not self.binary.is_file():
            raise AzuriteError(
                f"Azurite not found at {self.binary}: run 'source scripts/bootstrap' "
                f"(it installs the node packages) or set {BIN_ENV}"
            )
        if self.location is not None:
            # Its blobs are every client's job data: the owner's alone, folder and files.
            self.location.mkdir(parents=True, exist_ok=True)
            self.location.chmod(0o700)
        self._output = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        try:
            self.proc = subprocess.Popen(
                self.command(),
                cwd=self.location,
                stdin=subprocess.DEVNULL,
                stdout=self._output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent(),
                umask=PRIVATE_UMASK,
            )
        except OSError as exc:
            self._close_output()
            raise AzuriteError(f"cannot run {self.binary}: {exc}") from exc
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after STOP_TIMEOUT s; does nothing if not running."""
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.proc = None
        self._close_output()

    def output(self) -> str:
        """Everything Azurite printed so far (stdout and stderr)."""
        if self._output is None:
            return ""
        self._output.seek(0)
        return self._output.read().decode("utf-8", errors="replace")

    def __enter__(self) -> Azurite:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _wait_ready(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + self.ready_timeout
        listening = False
        while True:
            code = self.proc.poll()
            if code is not None:
                raise AzuriteError(self._exit_message(code))
            # Wait for this process's own "listens on" line first: another server
            # already on a fixed port must not pass for it.
            if not listening and (port := self._listening_port()):
                self.port, listening = port, True
            if listening and self._answers_http():
                return
            if time.monotonic() > deadline:
                raise AzuriteError(
                    f"Azurite did not answer on {HOST}:{self.port} within "
                    f"{self.ready_timeout:g} s; its output:\n{self._tail()}"
                )
            time.sleep(0.05)

    def _listening_port(self) -> int:
        match = _LISTENING.search(self.output())
        return int(match.group(1)) if match else 0

    def _answers_http(self) -> bool:
        """True once Azurite itself (its Server header) answers a request on the port."""
        conn = http.client.HTTPConnection(HOST, self.port, timeout=2.0)
        try:
            conn.request("GET", f"/{ACCOUNT}?comp=list")
            response = conn.getresponse()
            response.read()
            return (response.getheader("Server") or "").startswith("Azurite")
        except (OSError, http.client.HTTPException):
            return False
        finally:
            conn.close()

    def _exit_message(self, code: int) -> str:
        if "EADDRINUSE" in self.output():
            return f"port {self.port} on {HOST} is already in use; Azurite cannot listen there"
        return f"Azurite exited with code {code} while starting; its output:\n{self._tail()}"

    def _tail(self) -> str:
        lines = self.output().rstrip().splitlines()[-OUTPUT_TAIL_LINES:]
        return "\n".join(lines) or "(no output)"

    def _close_output(self) -> None:
        if self._output is not None:
            self._output.close()
            self._output = None
