"""Cancel benchmark: how soon a cancelled local job's solver stops in its worker process.

For each job kind, --repeats times: submit a long job to a LocalPool of one worker, wait
until it has been executing for --running seconds (so the solver is past its setup and in
its search), cancel it, and time from the cancel call until the worker hands the job back.
Prints every sample's median, p90 and maximum per kind.

    python benchmarks/cancel_bench.py [--repeats 20] [--running 0.3]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from shared.jobs import JobState  # noqa: E402
from shared.kinds import KINDS  # noqa: E402
from shared.targets.local import LocalPool  # noqa: E402


def dense_circuit(qubits: int, layers: int, feedback: bool) -> str:
    """A dense circuit measured at the end; with `feedback`, a gate conditioned on a
    mid-circuit measurement first, which routes it to qdk (shot by shot) instead of aer."""
    layer = "".join(
        f"h q[{i}];\nrx(0.3) q[{i}];\ncx q[{i}], q[{(i + 1) % qubits}];\n" for i in range(qubits)
    )
    control = "c[0] = measure q[0];\nif (c[0]) x q[1];\n" if feedback else ""
    return (
        f'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[{qubits}] q;\nbit[{qubits}] c;\n'
        + control
        + layer * layers
        + "c = measure q;\n"
    )


def long_jobs() -> dict[str, dict[str, Any]]:
    """One job per kind (circuits: one per engine) that runs far longer than the benchmark
    waits before cancelling."""
    rng = random.Random(1)
    return {
        "number_partitioning": {
            "weights": [rng.randrange(1, 2**52) for _ in range(48)],
            "time_limit": 60,
        },
        "ising": {
            "terms": [
                {"c": rng.uniform(-1, 1), "ids": [rng.randrange(3000), rng.randrange(3000)]}
                for _ in range(12_000)
            ],
            "sweeps": 100_000,
            "seed": 1,
            "time_limit": 60,
        },
        "circuit on qdk": {"source": dense_circuit(14, 4, True), "shots": 10_000, "seed": 1},
        "circuit on aer": {"source": dense_circuit(22, 30, False), "shots": 1_000, "seed": 1},
    }


def stop_latency(pool: LocalPool, job_id: str, kind: str, job: dict, running: float) -> float:
    """Seconds from cancel() to the worker returning the job (it is then CANCELLED)."""
    pool.submit(job_id, kind, job, "bench")
    while pool.status(job_id).state is not JobState.EXECUTING:
        asyncio.run(pool.settle(job_id, 0.01))
    time.sleep(running)
    started = time.perf_counter()
    pool.cancel(job_id)
    asyncio.run(pool.settle(job_id, 120))
    stopped = time.perf_counter() - started
    state = pool.status(job_id).state
    if state is not JobState.CANCELLED:
        raise SystemExit(
            f"{kind}: job {job_id} ended {state.value}, not cancelled: {pool.status(job_id).error}"
        )
    return stopped


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--running", type=float, default=0.3)
    options = parser.parse_args()

    pool = LocalPool(workers=1)
    try:
        print(f"cancel -> solver stopped, {options.repeats} runs per kind (ms)")
        for index, (label, body) in enumerate(long_jobs().items()):
            kind = label.split()[0]
            job = KINDS[kind].validate(body)
            samples = [
                1000 * stop_latency(pool, f"{index:04x}{n:028x}", kind, job, options.running)
                for n in range(options.repeats)
            ]
            print(
                f"  {label:20s} median {statistics.median(samples):7.1f}"
                f"  p90 {percentile(samples, 0.9):7.1f}  max {max(samples):7.1f}"
                f"  [{', '.join(f'{s:.0f}' for s in samples)}]"
            )
    finally:
        pool.close()


if __name__ == "__main__":
    main()
