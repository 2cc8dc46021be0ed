"""Time limits on a busy machine: number_partitioning jobs with a `time_limit` under CPU load.

Starts Azurite and devhost (QJOBS_LOCAL_WORKERS=2, fresh data) on --app (default: this
repository), and --busy busy-loop processes (each ends by itself after 10 minutes, and all
are killed at the end). Then two scenarios, each job a partition of 48 random 52-bit weights
that runs until its time limit:

- cold: --jobs jobs submitted at once to a host whose workers have not started yet;
- restart: --restart-jobs jobs submitted, the host killed (SIGKILL) once one is executing and
  started again on the same data, so the jobs run again on cold workers.

Prints, per scenario, how many jobs succeeded, how many failed and with which error codes,
and the longest time from submission to the job's end.

    python benchmarks/busy_limits_bench.py [--app DIR] [--jobs 4] [--restart-jobs 8]
        [--busy 3] [--time-limit 5]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from api_bench import api_keys  # noqa: E402
from devhost_bench import free_port, wait_ready  # noqa: E402

from devhost.azurite import Azurite  # noqa: E402

KEY = "bench-key"
BUSY_LOOP = "import time\nend = time.monotonic() + 600\nwhile time.monotonic() < end: pass\n"


def request(base: str, method: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    sent = urllib.request.Request(
        base + path,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(sent, timeout=60) as answer:
        return json.loads(answer.read())


@contextmanager
def busy_loops(count: int) -> Iterator[None]:
    loops = [subprocess.Popen([sys.executable, "-c", BUSY_LOOP]) for _ in range(count)]
    try:
        yield
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()


class Host:
    """devhost on `app` with its data in `data`, started and killed at will."""

    def __init__(self, app: Path, data: Path, storage: str) -> None:
        self.app, self.data, self.port = app, data, free_port()
        self.env = dict(
            os.environ,
            PYTHONPATH=str(app),
            AzureWebJobsStorage=storage,
            QJOBS_API_KEYS=api_keys({"bench": KEY}),
            QJOBS_LOCAL_WORKERS="2",
        )
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = open(self.data / "devhost.log", "ab")  # noqa: SIM115 - the child holds it
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devhost", "--app", str(self.app), "--port", str(self.port),
             "--data", str(self.data / "devhost"), "--log-level", "warning"],
            cwd=self.app, env=self.env, stderr=log,
        )  # fmt: skip
        wait_ready(self.port, self.process, self.data / "devhost")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)


def hard_job(seed: int, time_limit: float) -> dict[str, Any]:
    rng = random.Random(seed)
    weights = [rng.randrange(1, 2**52) for _ in range(48)]
    return {"kind": "number_partitioning", "weights": weights, "time_limit": time_limit}


def wait_final(base: str, job_ids: list[str], submitted: float) -> tuple[Counter[str], float]:
    """Each job's end ("succeeded" or its error code) and the longest time to the end."""
    ends: Counter[str] = Counter()
    longest = 0.0
    for job_id in job_ids:
        deadline = time.monotonic() + 300
        while True:
            status = request(base, "GET", f"/api/jobs/{job_id}/status")
            if status["status"] in ("succeeded", "failed", "cancelled"):
                break
            if time.monotonic() > deadline:
                status = {"status": "failed", "error": {"code": "bench: still running"}}
                break
            time.sleep(0.1)
        longest = max(longest, time.monotonic() - submitted)
        ends["succeeded" if status["status"] == "succeeded" else status["error"]["code"]] += 1
    return ends, longest


def scenario_cold(host: Host, jobs: int, time_limit: float) -> tuple[Counter[str], float]:
    submitted = time.monotonic()
    ids = [
        request(host.base, "POST", "/api/jobs", hard_job(n, time_limit))["id"] for n in range(jobs)
    ]
    return wait_final(host.base, ids, submitted)


def scenario_restart(host: Host, jobs: int, time_limit: float) -> tuple[Counter[str], float]:
    ids = [
        request(host.base, "POST", "/api/jobs", hard_job(100 + n, time_limit))["id"]
        for n in range(jobs)
    ]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if request(host.base, "GET", f"/api/jobs/{ids[0]}/status")["status"] != "waiting":
            break
        time.sleep(0.05)
    host.kill()
    host.start()
    return wait_final(host.base, ids, time.monotonic())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", type=Path, default=REPO)
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--restart-jobs", type=int, default=8)
    parser.add_argument("--busy", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=5.0)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="qjobs-bench-") as data,
        Azurite(location=Path(data) / "azurite") as azurite,
    ):
        host = Host(args.app.resolve(), Path(data), azurite.connection_string)
        host.start()
        try:
            with busy_loops(args.busy):
                rows = [
                    ("cold", args.jobs, *scenario_cold(host, args.jobs, args.time_limit)),
                    (
                        "restart",
                        args.restart_jobs,
                        *scenario_restart(host, args.restart_jobs, args.time_limit),
                    ),
                ]
        finally:
            host.stop()
    print(f"{args.busy} busy loops on {os.cpu_count()} cores, time_limit {args.time_limit:g} s")
    print(f"{'scenario':<10}{'jobs':>6}{'succeeded':>11}  {'failed (codes)':<24}{'longest s':>10}")
    for name, jobs, ends, longest in rows:
        failed = ", ".join(f"{code} {n}" for code, n in ends.items() if code != "succeeded")
        print(f"{name:<10}{jobs:>6}{ends['succeeded']:>11}  {failed or '-':<24}{longest:>10.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
