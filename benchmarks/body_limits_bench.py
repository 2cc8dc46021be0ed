"""devhost's memory while unauthenticated callers send huge bodies to the job API.

Starts devhost (log level warning) on the app root with Azurite, then, for each case,
sends --parallel POST /api/jobs requests with no API key and a --mb MB body at once
from this process, and prints devhost's resident set size: before, its peak over the
case (the kernel's VmHWM, reset between cases by restarting devhost) and after.

- declared, host limit = app limit: Content-Length bodies, devhost started with
  FUNCTIONS_REQUEST_BODY_SIZE_LIMIT = QJOBS_MAX_BODY_BYTES (8 MiB, what scripts/start
  does): answered 413 from the head, the body never read.
- chunked, host limit = app limit: bodies without a length, read up to the limit, 413.
- declared, host default (100 MiB): for comparison, the bodies are read whole and the app
  answers 401 after them.

    python benchmarks/body_limits_bench.py [--parallel 8] [--mb 100]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from devhost_bench import free_port, wait_ready  # noqa: E402

from devhost.azurite import Azurite  # noqa: E402

APP_LIMIT = 8 * 1024 * 1024
CHUNK = b"x" * (1024 * 1024)


def rss_mb(pid: int, field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} for {pid}")


async def send_one(port: int, megabytes: int, chunked: bool) -> str:
    """One unauthenticated POST; the status line devhost answered (or how it ended)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    size = megabytes * len(CHUNK)
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}"
    writer.write(
        f"POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"{framing}\r\n\r\n".encode()
    )
    try:
        for _ in range(megabytes):
            writer.write(b"100000\r\n" + CHUNK + b"\r\n" if chunked else CHUNK)
            await writer.drain()
        if chunked:
            writer.write(b"0\r\n\r\n")
            await writer.drain()
    except (ConnectionError, OSError):
        pass  # devhost answered early and closed: read what it said
    try:
        line = await asyncio.wait_for(reader.readline(), 60)
    except (ConnectionError, OSError, TimeoutError) as exc:
        line = f"({type(exc).__name__})".encode()
    writer.close()
    return line.decode(errors="replace").strip() or "(closed without an answer)"


async def send_all(port: int, parallel: int, megabytes: int, chunked: bool) -> list[str]:
    return await asyncio.gather(*(send_one(port, megabytes, chunked) for _ in range(parallel)))


def run_case(
    name: str, host_limit: int | None, chunked: bool, args: argparse.Namespace, storage: str
) -> str:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="qjobs-body-bench-") as data:
        env = dict(os.environ, PYTHONPATH=str(REPO), AzureWebJobsStorage=storage)
        env.pop("FUNCTIONS_REQUEST_BODY_SIZE_LIMIT", None)
        if host_limit is not None:
            env["FUNCTIONS_REQUEST_BODY_SIZE_LIMIT"] = str(host_limit)
        proc = subprocess.Popen(
            [sys.executable, "-m", "devhost", "--app", str(REPO), "--port", str(port),
             "--data", data, "--log-level", "warning"],
            cwd=REPO, env=env, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_ready(port, proc, Path(data))
            before = rss_mb(proc.pid, "VmRSS")
            peak = [before]
            done = threading.Event()

            def sample() -> None:
                while not done.wait(0.02):
                    peak.append(rss_mb(proc.pid, "VmRSS"))

            sampler = threading.Thread(target=sample)
            sampler.start()
            began = time.monotonic()
            answers = asyncio.run(send_all(port, args.parallel, args.mb, chunked))
            took = time.monotonic() - began
            done.set()
            sampler.join()
            hwm = rss_mb(proc.pid, "VmHWM")
            after = rss_mb(proc.pid, "VmRSS")
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    statuses = sorted(set(answers))
    return (
        f"  {name:<38} RSS before {before:5.0f} MB, peak {max(max(peak), hwm):5.0f} MB "
        f"(VmHWM), after {after:5.0f} MB; {took:5.1f} s; answers: {', '.join(statuses)}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parallel", type=int, default=8)
    parser.add_argument("--mb", type=int, default=100)
    args = parser.parse_args()
    print(
        f"devhost RSS, {args.parallel} unauthenticated POST /api/jobs with {args.mb} MB "
        f"bodies in parallel ({os.cpu_count()} cores)"
    )
    with (
        tempfile.TemporaryDirectory(prefix="qjobs-body-bench-") as blob_data,
        Azurite(location=Path(blob_data) / "azurite") as azurite,
    ):
        storage = azurite.connection_string
        print(run_case("declared, host limit = app limit", APP_LIMIT, False, args, storage))
        print(run_case("chunked, host limit = app limit", APP_LIMIT, True, args, storage))
        print(run_case("declared, host default limit (100 MiB)", None, False, args, storage))
    return 0


if __name__ == "__main__":
    sys.exit(main())
