"""Long-poll benchmark: the seed job's submit→result latency through the Python client, with
the API holding status reads until the job ends (`Prefer: wait`) and without it.

Starts Azurite and devhost on the app root (as api_bench.py does) twice: once as configured
(QJOBS_MAX_WAIT_SECONDS 60), once with QJOBS_MAX_WAIT_SECONDS=0, where the API ignores the
preference and the client polls after each 202's Retry-After (1 s), as it did before. Per
host, --jobs jobs one after another (after 5 not counted): `client.submit(...)` then
`job.result()`. Prints p50 and p95 in milliseconds.

    python benchmarks/longpoll_bench.py [--jobs 50]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "client"))

from api_bench import api_keys, percentile, qjobs_running  # noqa: E402
from qjobs_client import Client  # noqa: E402

KEY = "bench-key"
SEED_WEIGHTS = [5, 11, 8, 7, 1, 1]
WARM_UP_JOBS = 5


def submit_to_result_ms(base: str, jobs: int) -> list[float]:
    """Each job's submit→result time through the client, in milliseconds."""
    timings = []
    with Client(f"{base}/api", KEY) as client:
        for n in range(WARM_UP_JOBS + jobs):
            began = time.perf_counter()
            result = client.submit("number_partitioning", weights=SEED_WEIGHTS).result()
            took = (time.perf_counter() - began) * 1000
            assert result["difference"] == 1, result
            if n >= WARM_UP_JOBS:
                timings.append(took)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=50)
    args = parser.parse_args()
    print(f"seed job submit→result through qjobs_client, {args.jobs} jobs one after another")
    print(f"{'':<28}{'p50 ms':>10}{'p95 ms':>10}")
    for label, max_wait in (("long-poll (Prefer: wait)", "60"), ("polling (Retry-After)", "0")):
        settings = {"QJOBS_API_KEYS": api_keys({"bench": KEY}), "QJOBS_MAX_WAIT_SECONDS": max_wait}
        with qjobs_running(settings) as base:
            timings = submit_to_result_ms(base, args.jobs)
        p50, p95 = percentile(timings, 0.5), percentile(timings, 0.95)
        print(f"{label:<28}{p50:>10.0f}{p95:>10.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
