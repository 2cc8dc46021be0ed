"""Retention soak: thousands of seed jobs through devhost + Azurite with a retention of seconds;
the data folder's size stays flat because purge_jobs forgets finished jobs as fast as they come.

Starts Azurite and devhost on the app root as api_bench.py's qjobs_running() does, with
QJOBS_RETENTION_DAYS of --retention seconds and purge_jobs every --purge-every seconds. Then
--jobs callers, one every 1/--rate s and at most --concurrency at once, each POST the seed job
with an Idempotency-Key (so keys/ blobs are written too), poll its status until final and read
its result; the submissions stop after --max-seconds. Every --sample seconds, and for a drain
of retention + 3 purge periods after the last job, it prints the jobs done, the data folder's
size (devhost's SQLite, Azurite's data), the durable instances, and the jobs GET /api/jobs
lists (one record blob each).

    python benchmarks/retention_soak.py [--jobs 3000] [--rate 20] [--retention 10]
        [--purge-every 3] [--max-seconds 600]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from api_bench import SEED_JOB, api_keys, qjobs_running  # noqa: E402

KEY = "soak-key"
MB = 1024 * 1024


@dataclass
class Sample:
    elapsed_s: float
    jobs_done: int
    sqlite_bytes: int
    azurite_bytes: int
    instances: int
    listed: int

    @property
    def total_mb(self) -> float:
        return (self.sqlite_bytes + self.azurite_bytes) / MB

    def line(self) -> str:
        return (
            f"{self.elapsed_s:7.0f} s  {self.jobs_done:6d} jobs done  "
            f"data {self.total_mb:7.2f} MB (SQLite {self.sqlite_bytes / MB:6.2f}, "
            f"Azurite {self.azurite_bytes / MB:6.2f})  "
            f"{self.instances:5d} durable instances  {self.listed:5d} jobs listed"
        )


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def measure(root: Path, elapsed: float, jobs_done: int, listed: int) -> Sample:
    """The data folder qjobs_running() made inside `root`: its durable store and Azurite."""
    (data,) = root.iterdir()
    durable = data / "devhost"
    with sqlite3.connect(f"file:{durable / 'QJobsHub.sqlite3'}?mode=ro", uri=True) as db:
        instances = db.execute("SELECT count(*) FROM instances").fetchone()[0]
    return Sample(
        elapsed,
        jobs_done,
        folder_bytes(durable),
        folder_bytes(data / "azurite"),
        instances,
        listed,
    )


async def listed_jobs(http: aiohttp.ClientSession, base: str) -> int:
    """How many jobs GET /api/jobs lists (every page): one record blob each."""
    headers = {"Authorization": f"Bearer {KEY}"}
    count, url = 0, f"{base}/api/jobs?limit=100"
    while True:
        async with http.get(url, headers=headers) as answer:
            page = await answer.json()
        count += len(page["jobs"])
        if not page.get("continuation"):
            return count
        url = f"{base}{page['links']['next']}"


async def one_job(http: aiohttp.ClientSession, base: str) -> str:
    """Submit the seed job, poll it until final, read its result; its final status."""
    headers = {"Authorization": f"Bearer {KEY}", "Idempotency-Key": uuid.uuid4().hex}
    async with http.post(f"{base}/api/jobs", json=SEED_JOB, headers=headers) as answer:
        if answer.status != 202:
            raise RuntimeError(f"POST answered {answer.status}: {await answer.text()}")
        location = answer.headers["Location"]
    delay = 0.05
    while True:
        await asyncio.sleep(delay)
        async with http.get(f"{base}{location}", headers=headers) as answer:
            document = await answer.json()
        if document["status"] not in ("waiting", "executing"):
            break
        delay = min(delay * 1.5, 0.5)
    if document["status"] != "succeeded":  # a timeout on an overloaded machine: final too
        return document["status"]
    async with http.get(f"{base}{document['links']['result']}", headers=headers) as answer:
        if answer.status != 200:
            raise RuntimeError(f"result answered {answer.status}")
    return "succeeded"


async def soak(base: str, root: Path, args: argparse.Namespace) -> list[Sample]:
    samples: list[Sample] = []
    done = 0
    outcomes: Counter[str] = Counter()
    began = time.monotonic()
    gate = asyncio.Semaphore(args.concurrency)

    async def caller(http: aiohttp.ClientSession, index: int) -> None:
        nonlocal done
        await asyncio.sleep(began + index / args.rate - time.monotonic())
        if time.monotonic() - began > args.max_seconds:
            return
        async with gate:
            outcomes[await one_job(http, base)] += 1
        done += 1

    async def sample(http: aiohttp.ClientSession) -> None:
        listed = await listed_jobs(http, base)
        samples.append(measure(root, time.monotonic() - began, done, listed))
        print(samples[-1].line(), flush=True)

    async def sampler(http: aiohttp.ClientSession) -> None:
        while True:
            await asyncio.sleep(args.sample)
            await sample(http)

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        sampling = asyncio.create_task(sampler(http))
        await asyncio.gather(*(caller(http, index) for index in range(args.jobs)))
        print(
            f"submissions over: {done} jobs {dict(outcomes)} in "
            f"{time.monotonic() - began:.0f} s; draining "
            f"{args.retention + 3 * args.purge_every:g} s",
            flush=True,
        )
        await asyncio.sleep(args.retention + 3 * args.purge_every)
        sampling.cancel()
        await sample(http)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=20.0, help="submissions per second")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--retention", type=float, default=10.0, help="seconds")
    parser.add_argument("--purge-every", type=int, default=3, help="seconds (1-59)")
    parser.add_argument("--max-seconds", type=float, default=600.0)
    parser.add_argument("--sample", type=float, default=10.0, help="seconds between samples")
    args = parser.parse_args()

    settings = {
        "QJOBS_API_KEYS": api_keys({"soak": KEY}),
        "QJOBS_MAX_JOBS_IN_FLIGHT": "1000000",
        "QJOBS_MAX_SUBMISSIONS_PER_MINUTE": "1000000",
        "QJOBS_RETENTION_DAYS": repr(args.retention / 86400),
        "QJOBS_PURGE_SCHEDULE": f"*/{args.purge_every} * * * * *",
    }
    with tempfile.TemporaryDirectory(prefix="qjobs-soak-") as root:
        # qjobs_running() makes its data folder under the temporary directory: this one.
        tempfile.tempdir = root
        try:
            with qjobs_running(settings) as base:
                tempfile.tempdir = None
                samples = asyncio.run(soak(base, Path(root), args))
        finally:
            tempfile.tempdir = None
    report(samples, args)
    return 0


def report(samples: list[Sample], args: argparse.Namespace) -> None:
    done = samples[-1].jobs_done
    print(
        f"\nretention soak: {done} seed jobs at {args.rate:g}/s, retention {args.retention:g} s, "
        f"purge every {args.purge_every} s"
    )
    third = samples[len(samples) // 3]
    peak = max(samples, key=lambda s: s.total_mb)
    last = samples[-1]
    print(f"  after a third of the run: {third.line()}")
    print(f"  peak:                     {peak.line()}")
    print(f"  after the drain:          {last.line()}")


if __name__ == "__main__":
    sys.exit(main())
