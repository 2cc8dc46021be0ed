"""Batch benchmark: a parameter sweep as one batch against the same work as separate jobs.

Starts Azurite and devhost on the app root (as api_bench.py does). Each round runs, on each
of --targets, a --bindings sweep of one rotation (`rx(theta)`, --shots shots per binding)
as one batch (`parameters`), and the same bindings as separate `circuit` jobs (the value
written into each program) submitted at once from --submitters threads. Prints, as the
median over --rounds rounds [range]: the batch's submit -> result time, the separate jobs'
first submit -> last result time, their ratio, and the batch's POST -> 202 time.

`ionq.simulator` runs on the Azure Quantum stand-in (devhost/quantum_standin), its jobs
done as soon as they ran; its host polls at most every --poll-max seconds (a real provider's
queue would set the pace instead), and a batch keeps QJOBS_BATCH_PARALLELISM (8) provider
jobs in flight (--parallelism) while the separate jobs are all in flight at once.

    python benchmarks/batch_bench.py [--bindings 200] [--shots 100] [--rounds 3]
        [--targets local.simulator,ionq.simulator] [--poll-max 1] [--parallelism 8]
"""

from __future__ import annotations

import argparse
import contextlib
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "client"))
sys.path.insert(0, str(REPO))

from api_bench import api_keys, qjobs_running  # noqa: E402
from qjobs_client import Client  # noqa: E402

from devhost.quantum_standin import QuantumStandIn  # noqa: E402

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


def batch_round(
    client: Client, target: str, thetas: list[float], shots: int
) -> tuple[float, float]:
    """(submit -> result, POST -> 202) in seconds, for the sweep as one batch."""
    began = time.perf_counter()
    bindings = [{"theta": t} for t in thetas]
    job = client.submit("circuit", target=target, source=SWEPT, shots=shots, parameters=bindings)
    accepted = time.perf_counter()
    items = job.result(timeout=600)["items"]
    assert len(items) == len(thetas) and all(i["status"] == "succeeded" for i in items)
    return time.perf_counter() - began, accepted - began


def separate_round(
    client: Client, target: str, thetas: list[float], shots: int, submitters: int
) -> float:
    """First submit -> last result, in seconds, for one job per binding."""
    began = time.perf_counter()

    def submit(theta: float) -> Any:
        return client.submit("circuit", target=target, source=one_program(theta), shots=shots)

    with ThreadPoolExecutor(submitters) as pool:
        jobs = list(pool.map(submit, thetas))
        results = list(pool.map(lambda job: job.result(timeout=600), jobs))
    assert len(results) == len(thetas)
    return time.perf_counter() - began


def summary(values: list[float], unit: float = 1.0, digits: int = 2) -> str:
    low, middle, high = (f(v * unit for v in values) for f in (min, statistics.median, max))
    return f"{middle:.{digits}f} [{low:.{digits}f}-{high:.{digits}f}]"


@contextlib.contextmanager
def target_settings(target: str, poll_max: float) -> Iterator[dict[str, str]]:
    """The settings a host needs for `target`: the stand-in's workspace for a remote one."""
    if target.startswith("local."):
        yield {}
        return
    with (
        tempfile.TemporaryDirectory(prefix="qjobs-batch-bench-") as data,
        QuantumStandIn(cert_dir=Path(data) / "standin") as standin,
    ):
        yield {
            **standin.env(),
            "QJOBS_WORKSPACE_CONNECTION_STRING": standin.connection_string,
            "QJOBS_POLL_MAX_SECONDS": str(poll_max),
        }


def run_target(target: str, args: argparse.Namespace, thetas: list[float]) -> None:
    base_settings = {
        "QJOBS_API_KEYS": api_keys({"bench": KEY}),
        "QJOBS_MAX_JOBS_IN_FLIGHT": str(args.bindings * 2),
        "QJOBS_MAX_SUBMISSIONS_PER_MINUTE": str(args.bindings * args.rounds * 4),
        "QJOBS_BATCH_PARALLELISM": str(args.parallelism),
    }
    batch, accepted, separate = [], [], []
    with (
        target_settings(target, args.poll_max) as settings,
        qjobs_running({**base_settings, **settings}) as base,
        Client(f"{base}/api", KEY) as client,
    ):
        batch_round(client, target, thetas[:2], args.shots)  # warm the workers and clients
        for _ in range(args.rounds):
            whole, posted = batch_round(client, target, thetas, args.shots)
            batch.append(whole)
            accepted.append(posted)
            separate.append(separate_round(client, target, thetas, args.shots, args.submitters))
    ratios = [s / b for s, b in zip(separate, batch, strict=True)]
    print(
        f"{args.bindings}-binding sweep on {target}, {args.shots} shots each,"
        f" batch parallelism {args.parallelism}, {args.rounds} rounds (median [range])"
    )
    print(f"batch submit -> result:        {summary(batch)} s")
    print(f"{args.bindings} separate jobs -> results: {summary(separate)} s")
    print(f"separate / batch:              {summary(ratios, digits=1)} x")
    print(f"batch POST -> 202:             {summary(accepted, 1000, 0)} ms", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bindings", type=int, default=200)
    parser.add_argument("--shots", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--submitters", type=int, default=16)
    parser.add_argument("--targets", default="local.simulator,ionq.simulator")
    parser.add_argument("--poll-max", type=float, default=1.0)
    parser.add_argument("--parallelism", type=int, default=8, help="QJOBS_BATCH_PARALLELISM")
    args = parser.parse_args()
    thetas = [math.pi * k / max(args.bindings - 1, 1) for k in range(args.bindings)]
    for target in args.targets.split(","):
        run_target(target, args, thetas)
    return 0


if __name__ == "__main__":
    sys.exit(main())
