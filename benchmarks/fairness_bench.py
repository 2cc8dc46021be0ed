"""Fairness benchmark: one client's burst of long jobs against another's trickle of seed jobs.

Starts Azurite and devhost on the app root (as api_bench.py does) with two clients and the
default per-client limits, then per run, on a fresh host:

- client A POSTs --a-jobs long jobs at once (number_partitioning, 60 weights below 2^44,
  `time_limit` --time-limit): the first QJOBS_MAX_JOBS_IN_FLIGHT are accepted and fill the
  local workers and their queue, the rest are answered 429;
- client B, from the same instant, POSTs the seed job every second for --b-seconds s, polls
  each until final (20 ms growing 1.5x to 200 ms) and reads its result;
- then A's accepted jobs are cancelled and the run waits until every one is final.

Prints each run as it ends, then the median, the range (min-max) and each run's figure.

    python benchmarks/fairness_bench.py [--runs 3] [--a-jobs 200] [--b-seconds 30]

B's submit→result is client-observed from the second it was due; its server-side split is
queued (started − created) and the rest (finished − started) from its status documents.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_bench import JobTiming, api_keys, one_job, percentile, qjobs_running, seconds  # noqa: E402

KEY_A, KEY_B = "bench-key-a", "bench-key-b"
_REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=60)
_B_JOB_TIMEOUT_SECONDS = 60.0
_CANCEL_TIMEOUT_SECONDS = 120.0


def long_job(seed: int, time_limit: float) -> dict[str, Any]:
    r = random.Random(seed)
    weights = [r.randrange(2**44) for _ in range(60)]
    return {"kind": "number_partitioning", "weights": weights, "time_limit": time_limit}


@dataclass
class Burst:
    """Client A's burst: each POST's answer and latency, and when the last answer came."""

    answers: list[tuple[int, float, str | None]]  # (HTTP status, seconds, job id when 202)
    ended: float

    def accepted(self) -> list[str]:
        return [job_id for status, _, job_id in self.answers if job_id is not None]

    def latencies_ms(self, status: int) -> list[float]:
        return [s * 1000 for code, s, _ in self.answers if code == status]


async def burst(base: str, jobs: int, time_limit: float, began: float) -> Burst:
    headers = {"Authorization": f"Bearer {KEY_A}"}
    connector = aiohttp.TCPConnector(limit=jobs)
    async with aiohttp.ClientSession(connector=connector, timeout=_REQUEST_TIMEOUT) as http:

        async def post(index: int) -> tuple[int, float, str | None]:
            body = long_job(index, time_limit)
            async with http.post(f"{base}/api/jobs", json=body, headers=headers) as answer:
                document = await answer.json(content_type=None)
                took = time.perf_counter() - began
            if answer.status not in (202, 429):
                raise RuntimeError(f"A's POST answered {answer.status}: {document}")
            return answer.status, took, document["id"] if answer.status == 202 else None

        answers = await asyncio.gather(*(post(i) for i in range(jobs)))
    return Burst(answers, time.perf_counter())


async def trickle(base: str, duration: float, began: float) -> list[tuple[float, JobTiming]]:
    """Client B: a seed job due every second from `began` for `duration` s; (due, timing)."""
    async with aiohttp.ClientSession(timeout=_REQUEST_TIMEOUT) as http:

        async def caller(due: float) -> tuple[float, JobTiming]:
            await asyncio.sleep(due - time.perf_counter())
            job = one_job(http, base, due, key=KEY_B)
            return due, await asyncio.wait_for(job, _B_JOB_TIMEOUT_SECONDS)

        return await asyncio.gather(*(caller(began + i) for i in range(int(duration))))


async def states(http: aiohttp.ClientSession, base: str, ids: list[str]) -> Counter[str]:
    headers = {"Authorization": f"Bearer {KEY_A}"}

    async def state(job_id: str) -> str:
        async with http.get(f"{base}/api/jobs/{job_id}/status", headers=headers) as answer:
            return (await answer.json())["status"]

    return Counter(await asyncio.gather(*(state(job_id) for job_id in ids)))


async def cancel_all(http: aiohttp.ClientSession, base: str, ids: list[str]) -> float:
    """DELETE every job, then wait until all are final; seconds until they were."""
    headers = {"Authorization": f"Bearer {KEY_A}"}
    began = time.perf_counter()

    async def cancel(job_id: str) -> None:
        async with http.delete(f"{base}/api/jobs/{job_id}", headers=headers) as answer:
            if answer.status not in (202, 409):
                raise RuntimeError(f"DELETE answered {answer.status}: {await answer.text()}")

    await asyncio.gather(*(cancel(job_id) for job_id in ids))
    while time.perf_counter() - began < _CANCEL_TIMEOUT_SECONDS:
        left = await states(http, base, ids)
        if not left["waiting"] and not left["executing"]:
            return time.perf_counter() - began
        await asyncio.sleep(0.5)
    raise TimeoutError(f"A's jobs not final {_CANCEL_TIMEOUT_SECONDS:g} s after the cancel")


async def run(base: str, a_jobs: int, time_limit: float, b_seconds: float) -> dict[str, float]:
    began = time.perf_counter() + 0.1
    a_task = asyncio.create_task(burst(base, a_jobs, time_limit, began))
    b_outcomes = await trickle(base, b_seconds, began)
    a = await a_task
    async with aiohttp.ClientSession(timeout=_REQUEST_TIMEOUT) as http:
        a_states = await states(http, base, a.accepted())
        cancelled_in = await cancel_all(http, base, a.accepted())
    b = [timing for _, timing in b_outcomes]
    b_in_burst = [t.post_s * 1000 for due, t in b_outcomes if due < a.ended]
    b_after_burst = [t.result_s * 1000 for due, t in b_outcomes if due >= a.ended]
    queued = [seconds(t.status["started"]) - seconds(t.status["created"]) for t in b]
    rest = [seconds(t.status["finished"]) - seconds(t.status["started"]) for t in b]
    return {
        "b_result_p50": percentile([t.result_s * 1000 for t in b], 0.5),
        "b_result_p99": percentile([t.result_s * 1000 for t in b], 0.99),
        "b_after_burst_p99": percentile(b_after_burst, 0.99) if b_after_burst else 0.0,
        "b_server_p50": percentile([t.server_s * 1000 for t in b], 0.5),
        "b_queued_p50": percentile([q * 1000 for q in queued], 0.5),
        "b_queued_max": max(queued) * 1000,
        "b_rest_p50": percentile([r * 1000 for r in rest], 0.5),
        "a_429": len(a.latencies_ms(429)),
        "a_post_202_p50": percentile(a.latencies_ms(202), 0.5),
        "a_post_429_p50": percentile(a.latencies_ms(429), 0.5) if a.latencies_ms(429) else 0.0,
        "a_burst_s": a.ended - began,
        "b_post_in_burst_p50": percentile(b_in_burst, 0.5) if b_in_burst else 0.0,
        "b_posts_in_burst": len(b_in_burst),
        "b_post_p50": percentile([t.post_s * 1000 for t in b], 0.5),
        "a_executing_at_end": a_states["executing"],
        "a_waiting_at_end": a_states["waiting"],
        "a_cancelled_in_s": cancelled_in,
    }


ROWS = [
    ("B submit→result p50 (ms, client)", "b_result_p50", "≤ 1000"),
    ("B submit→result p99 (ms, client)", "b_result_p99", "≤ 2000"),
    ("B submit→result p99, due after A's burst", "b_after_burst_p99", ""),
    ("B finished−created p50 (ms, server)", "b_server_p50", ""),
    ("B queued (started−created) p50 (ms)", "b_queued_p50", ""),
    ("B queued (started−created) max (ms)", "b_queued_max", ""),
    ("B finished−started p50 (ms)", "b_rest_p50", ""),
    ("A answered 429", "a_429", ""),
    ("A POST→202 p50 (ms, burst)", "a_post_202_p50", "≤ 50"),
    ("A POST→429 p50 (ms, burst)", "a_post_429_p50", ""),
    ("A burst answered in (s)", "a_burst_s", ""),
    ("B POST→202 p50 (ms, during A's burst)", "b_post_in_burst_p50", "≤ 50"),
    ("B POSTs during A's burst", "b_posts_in_burst", ""),
    ("B POST→202 p50 (ms, whole run)", "b_post_p50", ""),
    ("A executing at the end", "a_executing_at_end", ""),
    ("A waiting at the end", "a_waiting_at_end", ""),
    ("A all cancelled in (s)", "a_cancelled_in_s", ""),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--a-jobs", type=int, default=200)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--b-seconds", type=float, default=30.0)
    args = parser.parse_args()

    settings = {"QJOBS_API_KEYS": api_keys({"a": KEY_A, "b": KEY_B})}  # default limits
    runs = []
    for number in range(1, args.runs + 1):
        with qjobs_running(settings) as base:
            figures = asyncio.run(run(base, args.a_jobs, args.time_limit, args.b_seconds))
        runs.append(figures)
        print(
            f"  run {number}: B result p50 {figures['b_result_p50']:.0f} ms, "
            f"p99 {figures['b_result_p99']:.0f} ms; A 429s {figures['a_429']:.0f}, "
            f"A POST→202 p50 {figures['a_post_202_p50']:.0f} ms",
            flush=True,
        )
    print(
        f"fairness benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores "
        f"(load average {os.getloadavg()[0]:.1f}): A {args.a_jobs} jobs with time_limit "
        f"{args.time_limit:g} s at once, B a seed job every second for {args.b_seconds:g} s; "
        f"{args.runs} runs, each on a fresh devhost + Azurite"
    )
    print("(median, min-max over the runs, each run):")
    for label, key, target in ROWS:
        values = [r[key] for r in runs]
        each = ", ".join(f"{v:.1f}" for v in values)
        spread = f"{min(values):.1f}-{max(values):.1f}"
        median = statistics.median(values)
        print(f"  {label:<40} {target:<7} median {median:8.1f}  {spread:>15}  ({each})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
