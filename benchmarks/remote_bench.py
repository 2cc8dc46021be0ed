"""Remote-target benchmark: Bell circuits on ionq.simulator through devhost + Azurite + the
Azure Quantum stand-in (zero queue time), with the real azure-quantum SDK inside qjobs.

Starts the stand-in in this process, Azurite, and devhost on the app root (loopback, free
ports, fresh data, log level warning) with the stand-in as its workspace. Then, per round,
--jobs callers submit at once; each polls its status (20 ms, growing 1.5x to 200 ms) and
reads the result. Prints per round and the median over --rounds rounds: POST→202 p50,
submit→result p50, jobs/s, and the workspace calls per job by route (the SDK's own round
trips, as the stand-in counted them: SAS, upload, PUT, polls, output download).

Every job is the same Bell circuit unless --distinct gives each its own program (an extra
rotation by a different angle), so that no job reuses another's compiled QIR.

    python benchmarks/remote_bench.py [--jobs 20] [--rounds 3] [--distinct]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from api_bench import api_keys, percentile, qjobs_running  # noqa: E402

from devhost.quantum_standin import QuantumStandIn  # noqa: E402

KEY = "bench-key"
SHOTS = 100


def bell(angle: float) -> dict[str, object]:
    """A Bell circuit with an rz(angle) on the control first (0: the plain Bell pair)."""
    return {
        "kind": "circuit",
        "target": "ionq.simulator",
        "shots": SHOTS,
        "source": 'OPENQASM 3.0; include "stdgates.inc"; qubit[2] q; bit[2] c; '
        f"rz({angle!r}) q[0]; h q[0]; cx q[0], q[1]; c = measure q;",
    }


async def one_job(http: aiohttp.ClientSession, base: str, job: dict) -> tuple[float, float]:
    """(POST→202 s, submit→result s)."""
    headers = {"Authorization": f"Bearer {KEY}"}
    sent = time.perf_counter()
    async with http.post(f"{base}/api/jobs", json=job, headers=headers) as answer:
        if answer.status != 202:
            raise RuntimeError(f"POST answered {answer.status}: {await answer.text()}")
        location = answer.headers["Location"]
    accepted = time.perf_counter()
    delay = 0.02
    while True:
        await asyncio.sleep(delay)
        async with http.get(f"{base}{location}", headers=headers) as answer:
            document = await answer.json()
        if document["status"] not in ("waiting", "executing"):
            break
        delay = min(delay * 1.5, 0.2)
    if document["status"] != "succeeded":
        raise RuntimeError(f"job ended {document['status']}: {document.get('error')}")
    async with http.get(f"{base}{document['links']['result']}", headers=headers) as answer:
        result = (await answer.json())["result"]
    if sum(result["counts"].values()) != SHOTS:
        raise RuntimeError(f"counts do not add up to the shots: {result}")
    return accepted - sent, time.perf_counter() - sent


async def run_round(base: str, angles: list[float]) -> dict[str, float]:
    connector = aiohttp.TCPConnector(limit=len(angles))
    async with aiohttp.ClientSession(connector=connector) as http:
        began = time.perf_counter()
        outcomes = await asyncio.gather(*(one_job(http, base, bell(a)) for a in angles))
        elapsed = time.perf_counter() - began
    return {
        "post_p50": percentile([o[0] * 1000 for o in outcomes], 0.5),
        "result_p50": percentile([o[1] * 1000 for o in outcomes], 0.5),
        "jobs_per_s": len(angles) / elapsed,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--distinct", action="store_true", help="a program of its own per job")
    args = parser.parse_args()
    fresh = iter(range(1, 1_000_000))

    def angles(count: int) -> list[float]:
        return [next(fresh) * 1e-6 if args.distinct else 0.0 for _ in range(count)]

    rounds = []
    with (
        tempfile.TemporaryDirectory(prefix="qjobs-remote-bench-") as data,
        QuantumStandIn(cert_dir=Path(data) / "standin") as standin,
    ):
        settings = {
            **standin.env(),
            "QJOBS_API_KEYS": api_keys({"bench": KEY}),
            "QJOBS_WORKSPACE_CONNECTION_STRING": standin.connection_string,
            "QJOBS_MAX_JOBS_IN_FLIGHT": "1000000",
            "QJOBS_MAX_SUBMISSIONS_PER_MINUTE": "1000000",
        }
        with qjobs_running(settings) as base:
            asyncio.run(run_round(base, angles(4)))  # warm-up: SDK clients, TLS sessions, compiler
            for number in range(1, args.rounds + 1):
                standin.reset()
                figures = asyncio.run(run_round(base, angles(args.jobs)))
                calls = standin.calls()
                figures["calls_per_job"] = sum(calls.values()) / args.jobs
                figures["routes"] = {route: n / args.jobs for route, n in sorted(calls.items())}
                rounds.append(figures)
                print(f"  round {number}: POST p50 {figures['post_p50']:.1f} ms, result p50 "
                      f"{figures['result_p50']:.1f} ms, {figures['jobs_per_s']:.1f} jobs/s, "
                      f"{figures['calls_per_job']:.1f} workspace calls/job", flush=True)
    print(
        f"remote benchmark: {args.jobs} Bell circuits on ionq.simulator per round x "
        f"{args.rounds} rounds ({'each its own program' if args.distinct else 'one program'}), "
        f"stand-in with zero queue time, {os.cpu_count()} cores"
    )
    for label, key in [
        ("POST→202 p50 (ms)", "post_p50"),
        ("submit→result p50 (ms)", "result_p50"),
        ("jobs/s end to end", "jobs_per_s"),
        ("workspace calls per job", "calls_per_job"),
    ]:
        values = [r[key] for r in rounds]
        print(f"  {label:<26} median {statistics.median(values):8.1f}  "
              f"({min(values):.1f}-{max(values):.1f})")
    print("  workspace calls per job by route (last round):")
    for route, per_job in rounds[-1]["routes"].items():
        print(f"    {route:<28} {per_job:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
