"""The local targets' worker pool: one run per job id, cancellation, and lost jobs."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator

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
