"""Job API benchmark: concurrent submissions of the seed instance through devhost + Azurite.

Starts Azurite and devhost on the app root (loopback, free ports, fresh data, log level
warning); per scenario, a warm-up round of 20 jobs (not counted), then --rounds rounds with
--jobs callers:

- burst: all callers submit at the same instant and stay in flight together;
- paced: a new caller every 1/--rate s (the callers overlap while their jobs run).

Each caller POSTs the seed job, polls its status (20 ms, growing 1.5x to 200 ms) until
final, and GETs the result. Prints each round as it ends, then per scenario the median, the
range (min-max) and each round's figure.

    python benchmarks/api_bench.py [--jobs 200] [--rounds 3] [--rate 40]

POST→202 and submit→result are client-observed from the moment a caller was due to send (its
scheduled time when paced, so a client falling behind near saturation shows as latency);
submit→result ends at the result read, so it includes up to one poll interval of slack.
As a check, the server-side figure is the status document's finished − created.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import aiohttp

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from devhost_bench import free_port, wait_ready  # noqa: E402

from devhost.azurite import Azurite  # noqa: E402

KEY = "bench-key"
SEED_JOB = {"kind": "number_partitioning", "weights": [5, 11, 8, 7, 1, 1]}
WARM_UP_JOBS = 20


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


class JobTiming(NamedTuple):
    """One seed job as its caller saw it; the first two measured from when it was due to send
    (a late send, a busy client, counts too)."""

    post_s: float  # POST→202
    result_s: float  # submit→result read
    server_s: float  # the status document's finished − created
    status: dict[str, Any]  # the final status document


async def one_job(
    http: aiohttp.ClientSession, base: str, scheduled: float, key: str = KEY
) -> JobTiming:
    """POST the seed job with `key`, poll its status until final, read and check its result."""
    headers = {"Authorization": f"Bearer {key}"}
    sent = scheduled
    async with http.post(f"{base}/api/jobs", json=SEED_JOB, headers=headers) as answer:
        if answer.status != 202:
            raise RuntimeError(f"POST answered {answer.status}: {await answer.text()}")
        location = answer.headers["Location"]
        accepted = time.perf_counter()
    delay = 0.02
    while True:
        await asyncio.sleep(delay)
        async with http.get(f"{base}{location}", headers=headers) as answer:
            document = await answer.json()
        if document["status"] != "waiting" and document["status"] != "executing":
            break
        delay = min(delay * 1.5, 0.2)
    if document["status"] != "succeeded":
        raise RuntimeError(f"job ended {document['status']}: {document.get('error')}")
    async with http.get(f"{base}{document['links']['result']}", headers=headers) as answer:
        result = await answer.json()
        if answer.status != 200 or result["result"]["difference"] != 1:
            raise RuntimeError(f"result {answer.status}: {result}")
    done = time.perf_counter()
    server = seconds(document["finished"]) - seconds(document["created"])
    return JobTiming(accepted - sent, done - sent, server, document)


async def run_round(base: str, jobs: int, rate: float | None = None) -> dict[str, float]:
    """All `jobs` callers at once (rate None), or one new caller every 1/rate s."""
    connector = aiohttp.TCPConnector(limit=jobs)
    async with aiohttp.ClientSession(connector=connector) as http:
        began = time.perf_counter()

        async def caller(index: int) -> JobTiming:
            scheduled = began + (index / rate if rate else 0.0)
            await asyncio.sleep(scheduled - time.perf_counter())
            return await one_job(http, base, scheduled)

        outcomes = await asyncio.gather(*(caller(i) for i in range(jobs)))
        elapsed = time.perf_counter() - began
    posts = [o.post_s * 1000 for o in outcomes]
    results = [o.result_s * 1000 for o in outcomes]
    server = [o.server_s * 1000 for o in outcomes]
    return {
        "post_p50": percentile(posts, 0.5),
        "post_p99": percentile(posts, 0.99),
        "result_p50": percentile(results, 0.5),
        "result_p99": percentile(results, 0.99),
        "server_p50": percentile(server, 0.5),
        "server_p99": percentile(server, 0.99),
        "jobs_per_s": jobs / elapsed,
    }


def run_scenario(base: str, jobs: int, rounds: int, rate: float | None) -> list[dict[str, float]]:
    """`rounds` measured rounds after a warm-up round of WARM_UP_JOBS jobs (not counted)."""
    name = "burst" if rate is None else f"paced {rate:g}/s"
    asyncio.run(run_round(base, WARM_UP_JOBS, rate))  # worker pool, connections, caches
    measured = []
    for number in range(1, rounds + 1):
        figures = asyncio.run(run_round(base, jobs, rate))
        measured.append(figures)
        print(f"  {name} round {number}: POST p50 {figures['post_p50']:.1f} ms, "
              f"result p50 {figures['result_p50']:.1f} ms, {figures['jobs_per_s']:.1f} jobs/s",
              flush=True)
    return measured


ROWS = [
    ("POST→202 p50 (ms)", "post_p50", "≤ 25"),
    ("POST→202 p99 (ms)", "post_p99", ""),
    ("submit→result p50 (ms, client)", "result_p50", "≤ 250"),
    ("submit→result p99 (ms, client)", "result_p99", ""),
    ("finished−created p50 (ms, server)", "server_p50", ""),
    ("finished−created p99 (ms, server)", "server_p99", ""),
    ("jobs/s end to end", "jobs_per_s", "≥ 30"),
]


def api_keys(keys: dict[str, str]) -> str:
    """QJOBS_API_KEYS for {client: key}."""
    return ",".join(
        f"{client}:{hashlib.sha256(key.encode()).hexdigest()}" for client, key in keys.items()
    )


@contextlib.contextmanager
def qjobs_running(settings: dict[str, str]) -> Iterator[str]:
    """Azurite and devhost on the app root (loopback, free ports, fresh data, log level
    warning) with `settings` added to the environment; yields devhost's base URL. On an
    error the end of devhost's log goes to stderr."""
    port = free_port()
    with (
        tempfile.TemporaryDirectory(prefix="qjobs-bench-") as data,
        Azurite(location=Path(data) / "azurite") as azurite,
    ):
        log_path = Path(data) / "devhost.log"
        log = open(log_path, "w")  # noqa: SIM115 - closed below
        env = dict(
            os.environ,
            PYTHONPATH=str(REPO),
            AzureWebJobsStorage=azurite.connection_string,
            **settings,
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "devhost", "--app", str(REPO), "--port", str(port),
             "--data", str(Path(data) / "devhost"), "--log-level", "warning"],
            cwd=REPO, env=env, stderr=log,
        )  # fmt: skip
        try:
            wait_ready(port, proc, Path(data) / "devhost")
            yield f"http://127.0.0.1:{port}"
        except BaseException:
            log.flush()
            print(log_path.read_text()[-4000:], file=sys.stderr)
            raise
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
            log.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rate", type=float, default=40.0)
    args = parser.parse_args()

    settings = {
        "QJOBS_API_KEYS": api_keys({"bench": KEY}),
        # One client drives the whole load here: its quotas must not be what is measured.
        "QJOBS_MAX_JOBS_IN_FLIGHT": "1000000",
        "QJOBS_MAX_SUBMISSIONS_PER_MINUTE": "1000000",
    }
    with qjobs_running(settings) as base:
        scenarios = {
            "burst": run_scenario(base, args.jobs, args.rounds, None),
            f"paced {args.rate:g}/s": run_scenario(base, args.jobs, args.rounds, args.rate),
        }
    print(
        f"job API benchmark: {args.jobs} seed jobs per round x {args.rounds} rounds, "
        f"devhost + Azurite + this client on {os.cpu_count()} cores"
    )
    for scenario, rounds in scenarios.items():
        print(f"{scenario} (median, min-max over the rounds, each round):")
        for label, key, target in ROWS:
            values = [r[key] for r in rounds]
            each = ", ".join(f"{v:.1f}" for v in values)
            spread = f"{min(values):.1f}-{max(values):.1f}"
            median = statistics.median(values)
            print(f"  {label:<36} {target:<7} median {median:7.1f}  {spread:>15}  ({each})")
    return 0

if __name__ == "__main__":
    sys.exit(main())
