"""Compile flood benchmark: one client's burst of large programs against another's seed jobs.

Starts Azurite and devhost on the app root (as api_bench.py does) with two clients and the
default settings, then per run, on a fresh host:

- idle first: --latency sequential POSTs each of a Bell circuit and of the seeds' Q# program
  (GetRandomBit), timed POST→202 (the program is checked on the way: compile latency);
- client A POSTs --a-programs large OpenQASM 3 programs at once (23 qubits, dense depth 90,
  ~100 KB each, `ctrl @ x` for `cx`: checking one asks qiskit's OpenQASM 3 importer,
  seconds of CPU), 10 shots each;
- client B, from the same instant, POSTs the seed job (number_partitioning [5,11,8,7,1,1])
  every --b-interval s for --b-seconds s, polls each until final and reads its result;
- then A's accepted jobs are cancelled and the run waits until every one is final.

Prints each run as it ends, then the median, the range (min-max) and each run's figure.

    python benchmarks/compile_flood_bench.py [--runs 3] [--a-programs 8] [--b-seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_bench import (  # noqa: E402
    JobTiming,
    api_keys,
    one_job,
    percentile,
    qjobs_running,
    seconds,
)
from fairness_bench import KEY_A, KEY_B, cancel_all  # noqa: E402
from solvers_bench import dense_circuit  # noqa: E402


def costly_to_check(index: int) -> str:
    """A dense 23-qubit program whose `ctrl @ x` (for `cx`) keeps it from the OpenQASM 2 form
    qiskit's native parser reads, so checking it takes qiskit's OpenQASM 3 importer."""
    return dense_circuit(23, 90, index).replace("cx ", "ctrl @ x ")


_REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=120)
BELL = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\nbit[2] c;\nh q[0];\ncx q[0], q[1];\nc = measure q;\n'  # noqa: E501
RANDOM_BIT = "operation GetRandomBit() : Result { use q = Qubit(); H(q); return M(q); }"
SMALL_PROGRAMS = {
    "circuit": {"kind": "circuit", "source": BELL, "shots": 10},
    "qsharp": {"kind": "qsharp", "source": RANDOM_BIT, "entry": "GetRandomBit()", "shots": 10},
}


@dataclass
class Flood:
    """Client A's burst: each POST's (HTTP status, seconds, job id when 202)."""

    answers: list[tuple[int, float, str | None]]

    def accepted(self) -> list[str]:
        return [job_id for _, _, job_id in self.answers if job_id is not None]

    def count(self, status: int) -> int:
        return sum(1 for code, _, _ in self.answers if code == status)


async def compile_latency(base: str, body: dict[str, Any], times: int) -> float:
    """Median POST→202 (ms) of `body`, POSTed `times` times one after another."""
    headers = {"Authorization": f"Bearer {KEY_B}"}
    took = []
    async with aiohttp.ClientSession(timeout=_REQUEST_TIMEOUT) as http:
        for _ in range(times):
            began = time.perf_counter()
            async with http.post(f"{base}/api/jobs", json=body, headers=headers) as answer:
                await answer.read()
                if answer.status != 202:
                    raise RuntimeError(f"POST answered {answer.status}: {await answer.text()}")
            took.append((time.perf_counter() - began) * 1000)
    return statistics.median(took)


async def flood(base: str, programs: int, began: float) -> Flood:
    headers = {"Authorization": f"Bearer {KEY_A}"}
    connector = aiohttp.TCPConnector(limit=programs)
    async with aiohttp.ClientSession(connector=connector, timeout=_REQUEST_TIMEOUT) as http:

        async def post(index: int) -> tuple[int, float, str | None]:
            body = {"kind": "circuit", "source": costly_to_check(index), "shots": 10}
            await asyncio.sleep(began - time.perf_counter())
            async with http.post(f"{base}/api/jobs", json=body, headers=headers) as answer:
                document = await answer.json(content_type=None)
                took = time.perf_counter() - began
            if answer.status not in (202, 503):
                raise RuntimeError(f"A's POST answered {answer.status}: {document}")
            return answer.status, took, document["id"] if answer.status == 202 else None

        return Flood(list(await asyncio.gather(*(post(i) for i in range(programs)))))


async def seed_jobs(base: str, duration: float, interval: float, began: float) -> list[JobTiming]:
    async with aiohttp.ClientSession(timeout=_REQUEST_TIMEOUT) as http:

        async def caller(due: float) -> JobTiming:
            await asyncio.sleep(due - time.perf_counter())
            return await one_job(http, base, due, key=KEY_B)

        count = int(duration / interval)
        return list(await asyncio.gather(*(caller(began + i * interval) for i in range(count))))


async def run(base: str, args: argparse.Namespace) -> dict[str, float]:
    figures = {
        f"{kind}_latency": await compile_latency(base, body, args.latency)
        for kind, body in SMALL_PROGRAMS.items()
    }
    began = time.perf_counter() + 0.2
    a_task = asyncio.create_task(flood(base, args.a_programs, began))
    b = await seed_jobs(base, args.b_seconds, args.b_interval, began)
    a = await a_task
    async with aiohttp.ClientSession(timeout=_REQUEST_TIMEOUT) as http:
        await cancel_all(http, base, a.accepted())
    results = [t.result_s * 1000 for t in b]
    a_seconds = [s for _, s, _ in a.answers]
    return {
        **figures,
        "b_result_p50": percentile(results, 0.5),
        "b_result_p99": percentile(results, 0.99),
        "b_result_max": max(results),
        "b_post_p50": percentile([t.post_s * 1000 for t in b], 0.5),
        "b_queued_p50": percentile([_between(t, "created", "started") for t in b], 0.5),
        "b_run_p50": percentile([_between(t, "started", "finished") for t in b], 0.5),
        "b_jobs": len(b),
        "a_202": a.count(202),
        "a_503": a.count(503),
        "a_answer_p50": percentile(a_seconds, 0.5),
        "a_answer_max": max(a_seconds),
    }


def _between(timing: JobTiming, first: str, then: str) -> float:
    """Milliseconds between two of a job's status timestamps (server clock)."""
    return (seconds(timing.status[then]) - seconds(timing.status[first])) * 1000


ROWS = [
    ("Bell circuit POST→202, idle host (ms)", "circuit_latency", ""),
    ("Q# GetRandomBit POST→202, idle host (ms)", "qsharp_latency", ""),
    ("B seed job submit→result p50 (ms)", "b_result_p50", "≤ 200"),
    ("B seed job submit→result p99 (ms)", "b_result_p99", ""),
    ("B seed job submit→result max (ms)", "b_result_max", "≤ 1000"),
    ("B POST→202 p50 (ms)", "b_post_p50", ""),
    ("B queued (started−created) p50 (ms)", "b_queued_p50", ""),
    ("B ran (finished−started) p50 (ms)", "b_run_p50", ""),
    ("B seed jobs", "b_jobs", ""),
    ("A programs accepted (202)", "a_202", ""),
    ("A programs refused, compilers busy (503)", "a_503", ""),
    ("A POST answered in, p50 (s)", "a_answer_p50", ""),
    ("A POST answered in, max (s)", "a_answer_max", ""),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--a-programs", type=int, default=8)
    parser.add_argument("--b-seconds", type=float, default=30.0)
    parser.add_argument("--b-interval", type=float, default=1.0)
    parser.add_argument("--latency", type=int, default=20, help="POSTs per small program")
    args = parser.parse_args()

    settings = {"QJOBS_API_KEYS": api_keys({"a": KEY_A, "b": KEY_B})}
    runs = []
    for number in range(1, args.runs + 1):
        with qjobs_running(settings) as base:
            figures = asyncio.run(run(base, args))
        runs.append(figures)
        print(
            f"  run {number}: B result p50 {figures['b_result_p50']:.0f} ms, "
            f"max {figures['b_result_max']:.0f} ms; A 202/503 "
            f"{figures['a_202']:.0f}/{figures['a_503']:.0f}",
            flush=True,
        )
    print(
        f"compile flood benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} "
        f"cores (load average {os.getloadavg()[0]:.1f}): A {args.a_programs} programs of 23 "
        f"qubits at once, B a seed job every {args.b_interval:g} s for {args.b_seconds:g} s; "
        f"{args.runs} runs, each on a fresh devhost + Azurite"
    )
    print("(median, min-max over the runs, each run):")
    for label, key, target in ROWS:
        values = [r[key] for r in runs]
        each = ", ".join(f"{v:.1f}" for v in values)
        spread = f"{min(values):.1f}-{max(values):.1f}"
        median = statistics.median(values)
        print(f"  {label:<42} {target:<7} median {median:8.1f}  {spread:>15}  ({each})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
