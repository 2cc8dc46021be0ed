"""The local targets' worker pool: one run per job id, cancellation, lost jobs, and the limits
of a job's worker process (memory, time, a crash)."""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.jobs import JobState
from shared.targets import TargetJobLost
from shared.targets.local import LocalPool, budget_grace

SEED = {"weights": [5, 11, 8, 7, 1, 1], "time_limit": 1.0}


HARD_WEIGHTS = 48  # more than the exact solver takes; 52 bits: no perfect partition to stop at


def hard(time_limit: float) -> dict:
    """A partition that runs until its time limit."""
    rng = random.Random(3)
    weights = [rng.randrange(1, 2**52) for _ in range(HARD_WEIGHTS)]
    return {"weights": weights, "time_limit": time_limit}


@pytest.fixture
def pool() -> Iterator[LocalPool]:
    pool = LocalPool(workers=1)
    yield pool
    pool.close()


def settle(pool: LocalPool, job_id: str, seconds: float) -> None:
    asyncio.run(pool.settle(job_id, seconds))


def test_a_job_runs_and_its_output_is_kept(pool: LocalPool) -> None:
    pool.submit("a" * 32, "number_partitioning", SEED, "alice")
    settle(pool, "a" * 32, 30)
    assert pool.status("a" * 32).state is JobState.SUCCEEDED
    assert pool.output("a" * 32)["difference"] == 1


def test_submitting_the_same_job_id_again_is_the_same_job(pool: LocalPool) -> None:
    first = pool.submit("b" * 32, "number_partitioning", hard(0.3), "alice")
    second = pool.submit("b" * 32, "number_partitioning", SEED, "alice")
    assert first == second
    settle(pool, first, 30)
    # The second submission did not replace the first job: its input is the hard one.
    assert len(pool.output(first)["assignment"]) == HARD_WEIGHTS


def test_cancel_stops_a_running_solver_promptly(pool: LocalPool) -> None:
    job_id = pool.submit("c" * 32, "number_partitioning", hard(30), "alice")
    while pool.status(job_id).state is not JobState.EXECUTING:
        settle(pool, job_id, 0.01)
    pool.cancel(job_id)
    settle(pool, job_id, 5)
    assert pool.status(job_id).state is JobState.CANCELLED
    quick = pool.submit("d" * 32, "number_partitioning", SEED, "alice")
    settle(pool, quick, 5)
    assert pool.status(quick).state is JobState.SUCCEEDED


def test_workers_run_below_the_hosts_priority(pool: LocalPool) -> None:
    job_id = pool.submit("g" * 32, "number_partitioning", SEED, "alice")
    settle(pool, job_id, 30)  # the worker has set its priority before it ran the job
    [worker] = pool.worker_pids()
    assert os.getpriority(os.PRIO_PROCESS, worker) > os.getpriority(os.PRIO_PROCESS, 0)


def test_an_unknown_job_is_lost(pool: LocalPool) -> None:
    with pytest.raises(TargetJobLost):
        pool.status("e" * 32)


def test_a_failing_solver_fails_the_job_with_its_message(pool: LocalPool) -> None:
    # The pool runs what it is given; this source never passed validation.
    job_id = pool.submit(
        "f" * 32, "circuit", {"source": "qubit q; x q", "shots": 1, "seed": 1}, "alice"
    )
    settle(pool, job_id, 30)
    status = pool.status(job_id)
    assert status.state is JobState.FAILED
    assert status.error is not None and status.error.code == "target_error"
    assert "could not run the job" in status.error.message


FOREVER = "OPENQASM 3.0;\nint i = 0;\nwhile (true) { i += 1; }\n"
FOREVER_JOB = {"source": FOREVER, "shots": 1, "seed": 1}


def wait_until_executing(pool: LocalPool, job_id: str) -> None:
    while pool.status(job_id).state is not JobState.EXECUTING:
        settle(pool, job_id, 0.01)


def test_a_cancelled_job_that_ignores_the_flag_is_killed_alone() -> None:
    pool = LocalPool(workers=2, stop_grace_seconds=0.5)
    try:
        stuck = pool.submit("1" * 32, "circuit", FOREVER_JOB, "alice")
        other = pool.submit("2" * 32, "number_partitioning", hard(3), "bob")
        wait_until_executing(pool, stuck)
        wait_until_executing(pool, other)
        pool.cancel(stuck)
        settle(pool, stuck, 10)
        assert pool.status(stuck).state is JobState.CANCELLED
        # The other job kept its worker: it is neither lost nor restarted, and it finishes.
        assert pool.status(other).state is JobState.EXECUTING
        settle(pool, other, 30)
        assert pool.status(other).state is JobState.SUCCEEDED
        assert len(pool.output(other)["assignment"]) == HARD_WEIGHTS
    finally:
        pool.close()


def test_a_job_past_its_time_limit_is_killed_after_its_grace_and_fails_with_timeout() -> None:
    pool = LocalPool(workers=1)
    try:
        job = {"source": FOREVER, "shots": 1, "seed": 1, "time_limit": 0.5}
        stuck = pool.submit("4" * 32, "circuit", job, "alice")
        wait_until_executing(pool, stuck)
        started = time.monotonic()
        settle(pool, stuck, 60)
        status = pool.status(stuck)
        assert status.state is JobState.FAILED
        assert status.error is not None and status.error.code == "timeout"
        # Not before its limit and the grace (5 s at least) have passed.
        assert time.monotonic() - started >= 0.5 + budget_grace(0.5) == 5.5
        # Its worker is free again.
        quick = pool.submit("5" * 32, "number_partitioning", SEED, "alice")
        settle(pool, quick, 30)
        assert pool.status(quick).state is JobState.SUCCEEDED
    finally:
        pool.close()


def test_a_client_with_one_job_starts_while_another_fills_the_pool() -> None:
    pool = LocalPool(workers=1)
    try:
        long_jobs = [
            pool.submit(f"{n:032x}", "number_partitioning", hard(30), "alice") for n in range(3)
        ]
        wait_until_executing(pool, long_jobs[0])
        small = pool.submit("b0b" + "0" * 29, "number_partitioning", SEED, "bob")
        settle(pool, small, 30)
        assert pool.status(small).state is JobState.SUCCEEDED
        # alice's later jobs still wait: bob got an extra process, not alice.
        assert pool.status(long_jobs[1]).state is JobState.WAITING
    finally:
        pool.close()


def test_the_callback_fires_once_when_the_job_ends(pool: LocalPool) -> None:
    calls: list[str] = []
    job_id = pool.submit("6" * 32, "number_partitioning", hard(0.3), "alice")
    pool.when_done(job_id, lambda: calls.append("first"))
    pool.when_done(job_id, lambda: calls.append("latest"))
    settle(pool, job_id, 30)
    deadline = time.monotonic() + 10
    while not calls and time.monotonic() < deadline:
        time.sleep(0.01)
    pool.when_done(job_id, lambda: calls.append("after the end"))
    time.sleep(0.1)
    assert calls == ["latest"]


def test_a_cancelled_waiting_job_fires_its_callback(pool: LocalPool) -> None:
    calls: list[str] = []
    running = pool.submit("7" * 32, "number_partitioning", hard(30), "alice")
    queued = pool.submit("8" * 32, "number_partitioning", SEED, "alice")
    pool.when_done(queued, lambda: calls.append(queued))
    wait_until_executing(pool, running)
    pool.cancel(queued)
    assert pool.status(queued).state is JobState.CANCELLED
    assert calls == [queued]
    pool.cancel(running)


HOST_THAT_DIES = """
import asyncio, os, signal, sys
from shared.targets.local import LocalPool
pool = LocalPool(workers=2)
pool.submit("a" * 32, "number_partitioning", {"weights": [5, 11, 8, 7, 1, 1], "time_limit": 1}, "a")
asyncio.run(pool.settle("a" * 32, 30))
print(" ".join(str(pid) for pid in pool.worker_pids()), flush=True)
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


def test_the_grace_past_a_time_limit_grows_with_the_limit() -> None:
    assert budget_grace(2) == 5
    assert budget_grace(60) == 30


# A dense 22-qubit state on qdk's interpreter (the loop on a measurement keeps it off QIR):
# its worker's resident memory passes 1 GB.
DENSE_QSHARP = """
operation Main() : Result[] {
    use qs = Qubit[22];
    for q in qs { H(q); T(q); }
    for i in 0..20 { CNOT(qs[i], qs[i + 1]); Rx(0.3, qs[i]); }
    mutable r = [];
    if M(qs[0]) == One { set r += [One]; }
    ResetAll(qs);
    r
}
"""


def test_a_job_over_its_memory_limit_fails_saying_so_and_the_next_job_runs() -> None:
    pool = LocalPool(workers=1, memory_mb=600)
    try:
        job = {"source": DENSE_QSHARP, "entry": "Main()", "shots": 1, "seed": 1}
        hungry = pool.submit("9" * 32, "qsharp", job, "alice")
        settle(pool, hungry, 120)
        status = pool.status(hungry)
        assert status.state is JobState.FAILED
        assert status.error is not None and status.error.code == "target_error"
        assert "ran out of memory" in status.error.message
        assert "limit of 600 MB per job" in status.error.message
        quick = pool.submit("a9" * 16, "number_partitioning", SEED, "alice")
        settle(pool, quick, 60)
        assert pool.status(quick).state is JobState.SUCCEEDED
    finally:
        pool.close()


# Recursion the program's text hides in an interpolated string: compiling it for QIR
# overflows qdk's native stack.
HIDDEN_RECURSION = """
function Loop(n : Int) : String { $"{n}:{Loop(n + 1)}" }
operation Main() : Result { Message(Loop(0)); use q = Qubit(); MResetZ(q) }
"""


def test_a_job_that_crashes_its_worker_fails_with_how_it_ended(pool: LocalPool) -> None:
    job = {"source": HIDDEN_RECURSION, "entry": "Main()", "shots": 1, "seed": 1}
    crashing = pool.submit("c9" * 16, "qsharp", job, "alice")
    settle(pool, crashing, 120)
    status = pool.status(crashing)
    assert status.state is JobState.FAILED
    assert status.error is not None and status.error.code == "target_error"
    assert "crashed its worker process" in status.error.message
    assert "SIGSEGV" in status.error.message and "stack overflow" in status.error.message


BUSY_LOOP = "import time\nend = time.monotonic() + 120\nwhile time.monotonic() < end: pass\n"


@pytest.fixture
def busy_machine() -> Iterator[None]:
    """Three busy loops (more than the machine's two cores here), killed at the end."""
    loops = [subprocess.Popen([sys.executable, "-c", BUSY_LOOP]) for _ in range(3)]
    try:
        yield
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()


def test_jobs_on_cold_workers_of_a_busy_machine_return_their_answer(busy_machine: None) -> None:
    # Four jobs at once on a fresh pool: each waits for a worker to start (imports, numba
    # warm-up), niced below three busy loops; the time limit counts from when its solver
    # starts, so each returns the best partition found in its time.
    pool = LocalPool(workers=2)
    try:
        jobs = [pool.submit(f"{n:032x}", "number_partitioning", hard(5), f"c{n}") for n in range(4)]
        for job_id in jobs:
            settle(pool, job_id, 180)
        assert [pool.status(job_id).state for job_id in jobs] == [JobState.SUCCEEDED] * 4
        for job_id in jobs:
            assert len(pool.output(job_id)["assignment"]) == HARD_WEIGHTS
    finally:
        pool.close()
