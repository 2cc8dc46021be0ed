"""Batch benchmark: a parameter sweep as one batch against the same work as separate jobs.

Starts Azurite and devhost on the app root (as api_bench.py does). Each round runs, on
local.simulator, a --bindings sweep of one rotation (`rx(theta)`, --shots shots per binding)
as one batch (`parameters`), and the same bindings as separate `circuit` jobs (the value
written into each program) submitted at once from --submitters threads. Prints, as the
median over --rounds rounds [range]: the batch's submit -> result time, the separate jobs'
first submit -> last result time, their ratio, and the batch's POST -> 202 time.

    python benchmarks/batch_bench.py [--bindings 200] [--shots 100] [--rounds 3]
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "client"))

from api_bench import api_keys, qjobs_running  # noqa: E402
from qjobs_client import Client  # noqa: E402

KEY = "bench-key"
SWEPT = """OPENQASM 3.0;
include "stdgates.inc";
input float[64] theta;
qubit[1] q;
bit[1] c;
rx(theta) q[0];
c[0] = measure q[0];
"""


def one_program(theta: float) -> str:
    return SWEPT.replace("input float[64] theta;\n", "").replace("rx(theta)", f"rx({theta!r})")


def batch_round(client: Client, thetas: list[float], shots: int) -> tuple[float, float]:
    """(submit -> result, POST -> 202) in seconds, for the sweep as one batch."""
    began = time.perf_counter()
    job = client.submit(
        "circuit", source=SWEPT, shots=shots, parameters=[{"theta": t} for t in thetas]
    )
    accepted = time.perf_counter()
    items = job.result(timeout=600)["items"]
    assert len(items) == len(thetas) and all(i["status"] == "succeeded" for i in items)
    return time.perf_counter() - began, accepted - began


def separate_round(client: Client, thetas: list[float], shots: int, submitters: int) -> float:
    """First submit -> last result, in seconds, for one job per binding."""
    began = time.perf_counter()
    with ThreadPoolExecutor(submitters) as pool:
        jobs = list(
            pool.map(lambda t: client.submit("circuit", source=one_program(t), shots=shots), thetas)
        )
        results = list(pool.map(lambda job: job.result(timeout=600), jobs))
    assert len(results) == len(thetas)
    return time.perf_counter() - began


def summary(values: list[float], unit: float = 1.0, digits: int = 2) -> str:
    low, middle, high = (f(v * unit for v in values) for f in (min, statistics.median, max))
    return f"{middle:.{digits}f} [{low:.{digits}f}-{high:.{digits}f}]"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bindings", type=int, default=200)
    parser.add_argument("--shots", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--submitters", type=int, default=16)
    args = parser.parse_args()
    thetas = [math.pi * k / max(args.bindings - 1, 1) for k in range(args.bindings)]
    settings = {
        "QJOBS_API_KEYS": api_keys({"bench": KEY}),
        "QJOBS_MAX_JOBS_IN_FLIGHT": str(args.bindings * 2),
        "QJOBS_MAX_SUBMISSIONS_PER_MINUTE": str(args.bindings * args.rounds * 4),
    }
    batch, accepted, separate = [], [], []
    with qjobs_running(settings) as base, Client(f"{base}/api", KEY) as client:
        batch_round(client, thetas[:2], args.shots)  # warm the workers' imports
        for _ in range(args.rounds):
            whole, posted = batch_round(client, thetas, args.shots)
            batch.append(whole)
            accepted.append(posted)
            separate.append(separate_round(client, thetas, args.shots, args.submitters))
    ratios = [s / b for s, b in zip(separate, batch, strict=True)]
    print(
        f"{args.bindings}-binding sweep on local.simulator, {args.shots} shots each,"
        f" {args.rounds} rounds (median [range])"
    )
    print(f"batch submit -> result:        {summary(batch)} s")
    print(f"{args.bindings} separate jobs -> results: {summary(separate)} s")
    print(f"separate / batch:              {summary(ratios, digits=1)} x")
    print(f"batch POST -> 202:             {summary(accepted, 1000, 0)} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
