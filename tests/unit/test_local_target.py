"""The local targets' worker pool: one run per job id, cancellation, and lost jobs."""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.jobs import JobState
from shared.targets import TargetJobLost
from shared.targets.local import LocalPool

SEED = {"weights": [5, 11, 8, 7, 1, 1], "time_limit": 1.0}


def hard(time_limit: float) -> dict:
    rng = random.Random(3)
    return {"weights": [rng.randrange(1, 2**44) for _ in range(40)], "time_limit": time_limit}


@pytest.fixture
def pool() -> Iterator[LocalPool]:
    pool = LocalPool(workers=1)
    yield pool
    pool.close()


def settle(pool: LocalPool, job_id: str, seconds: float) -> None:
    asyncio.run(pool.settle(job_id, seconds))


def test_a_job_runs_and_its_output_is_kept(pool: LocalPool) -> None:
    pool.submit("a" * 32, "number_partitioning", SEED)
    settle(pool, "a" * 32, 30)
    assert pool.status("a" * 32).state is JobState.SUCCEEDED
    assert pool.output("a" * 32)["difference"] == 1


def test_submitting_the_same_job_id_again_is_the_same_job(pool: LocalPool) -> None:
    first = pool.submit("b" * 32, "number_partitioning", hard(0.3))
    second = pool.submit("b" * 32, "number_partitioning", SEED)
    assert first == second
    settle(pool, first, 30)
    # The second submission did not replace the first job: its input is the hard one.
    assert len(pool.output(first)["assignment"]) == 40


def test_cancel_stops_a_running_solver_promptly(pool: LocalPool) -> None:
    job_id = pool.submit("c" * 32, "number_partitioning", hard(30))
    while pool.status(job_id).state is not JobState.EXECUTING:
        settle(pool, job_id, 0.01)
    pool.cancel(job_id)
    settle(pool, job_id, 5)
    assert pool.status(job_id).state is JobState.CANCELLED
    quick = pool.submit("d" * 32, "number_partitioning", SEED)
    settle(pool, quick, 5)
    assert pool.status(quick).state is JobState.SUCCEEDED


def test_an_unknown_job_is_lost(pool: LocalPool) -> None:
    with pytest.raises(TargetJobLost):
        pool.status("e" * 32)


def test_a_failing_solver_fails_the_job_with_its_message(pool: LocalPool) -> None:
    # The pool runs what it is given; this source never passed validation.
    job_id = pool.submit("f" * 32, "circuit", {"source": "qubit q; x q", "shots": 1, "seed": 1})
    settle(pool, job_id, 30)
    status = pool.status(job_id)
    assert status.state is JobState.FAILED
    assert status.error is not None and status.error.code == "target_error"
    assert "could not run the job" in status.error.message


def test_a_cancelled_job_that_ignores_the_flag_is_stopped_by_replacing_the_pool() -> None:
    pool = LocalPool(workers=2, stop_grace_seconds=0.5)
    try:
        forever = "OPENQASM 3.0;\nint i = 0;\nwhile (true) { i += 1; }\n"
        stuck = pool.submit("1" * 32, "circuit", {"source": forever, "shots": 1, "seed": 1})
        other = pool.submit("2" * 32, "number_partitioning", hard(3))
        while pool.status(stuck).state is not JobState.EXECUTING:
            settle(pool, stuck, 0.01)
        pool.cancel(stuck)
        settle(pool, stuck, 10)
        assert pool.status(stuck).state is JobState.CANCELLED
        # The job that shared the replaced pool is lost, so the orchestration resubmits it.
        with pytest.raises(TargetJobLost):
            pool.status(other)
        quick = pool.submit("3" * 32, "number_partitioning", SEED)
        settle(pool, quick, 10)
        assert pool.status(quick).state is JobState.SUCCEEDED
    finally:
        pool.close()


HOST_THAT_DIES = """
import asyncio, os, signal, sys
from shared.targets.local import LocalPool
pool = LocalPool(workers=2)
pool.submit("a" * 32, "number_partitioning", {"weights": [5, 11, 8, 7, 1, 1], "time_limit": 1})
asyncio.run(pool.settle("a" * 32, 30))
print(" ".join(str(pid) for pid in pool._executor._processes), flush=True)
if sys.argv[1] == "kill":
    os.kill(os.getpid(), signal.SIGKILL)
os._exit(0)
"""


@pytest.mark.parametrize("ending", ["kill", "exit"])
def test_workers_die_with_their_host(ending: str) -> None:
    host = subprocess.run(
        [sys.executable, "-c", HOST_THAT_DIES, ending],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )
    workers = [int(pid) for pid in host.stdout.split()]
    assert workers, host.stderr
    deadline = time.monotonic() + 5
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
