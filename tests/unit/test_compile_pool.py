"""The compile pool: calls run in warm worker processes, within limits, fairly between clients.

The functions given to the pool are the standard library's, so that each test says what the
"program" does: sum(range(n)) computes long, time.sleep waits long, os.abort crashes,
bytearray reserves memory, operator.mul(b"x", n) fills it and exec keeps it.
"""

from __future__ import annotations

import operator
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from shared.solvers import compile_pool
from shared.solvers.compile_pool import CompileFailed, CompilePool, CompilePoolBusy
from shared.solvers.program_text import ProgramError

SECONDS = 3.0
MEMORY_MB = 256
MB = 1024 * 1024
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pool() -> Iterator[CompilePool]:
    with CompilePool(1, seconds=SECONDS, memory_mb=MEMORY_MB, wait_seconds=60) as one_worker:
        yield one_worker


def in_background(function: Callable[[], Any]) -> threading.Thread:
    thread = threading.Thread(target=function, daemon=True)
    thread.start()
    return thread


def running(pid: int) -> bool:
    """Whether process `pid` exists and is not a zombie left for its new parent to reap."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def warm_worker_pid(pool: CompilePool) -> int:
    """The pid of the pool's one worker, once it is warm."""
    pool.run("tester", max, 1, 2)
    (pid,) = pool.worker_pids()
    return pid


def test_a_call_answers_the_functions_value(pool: CompilePool) -> None:
    assert pool.run("alice", max, 2, 5) == 5


def test_an_exception_the_function_raises_is_raised_to_the_caller(pool: CompilePool) -> None:
    with pytest.raises(ValueError, match="invalid literal"):
        pool.run("alice", int, "five")


def test_a_call_runs_in_a_worker_process_below_the_hosts_priority(pool: CompilePool) -> None:
    pid = pool.run("alice", os.getpid)
    assert pid != os.getpid()
    assert pid in pool.worker_pids()
    assert os.getpriority(os.PRIO_PROCESS, pid) > os.getpriority(os.PRIO_PROCESS, 0)


def test_a_call_over_the_cpu_time_limit_fails_and_its_worker_is_replaced() -> None:
    # Patient on the clock: on a busy machine the lowest-priority worker gets little CPU.
    with CompilePool(1, seconds=0.5, memory_mb=256, wait_seconds=60, give_up=300) as pool:
        before = warm_worker_pid(pool)
        with pytest.raises(CompileFailed, match="within the 0.5 s compile time limit"):
            pool.run("alice", sum, range(10**12))
        assert pool.run("alice", max, 3, 4) == 4
        assert before not in pool.worker_pids()


def test_a_call_starved_of_cpu_is_given_up_as_busy_not_as_a_program_error(
    pool: CompilePool,
) -> None:
    before = warm_worker_pid(pool)
    with pytest.raises(CompilePoolBusy, match="too busy"):
        pool.run("alice", time.sleep, 30)  # on the clock, but hardly any CPU
    assert pool.run("alice", max, 3, 4) == 4
    assert before not in pool.worker_pids()


def test_a_crash_is_a_program_error_and_its_worker_is_replaced(pool: CompilePool) -> None:
    before = warm_worker_pid(pool)
    with pytest.raises(CompileFailed, match="could not be compiled.*SIGABRT") as raised:
        pool.run("alice", os.abort)
    assert isinstance(raised.value, ProgramError)
    assert pool.run("alice", max, 3, 4) == 4
    assert before not in pool.worker_pids()


def test_a_worker_killed_mid_compile_fails_that_call_only(pool: CompilePool) -> None:
    pid = warm_worker_pid(pool)
    threading.Timer(0.5, os.kill, (pid, signal.SIGKILL)).start()
    with pytest.raises(CompileFailed, match="killed by SIGKILL"):
        pool.run("alice", time.sleep, SECONDS - 1)
    assert pool.run("alice", max, 3, 4) == 4


def test_a_call_growing_its_worker_past_the_memory_limit_fails_and_the_worker_is_replaced(
    pool: CompilePool,
) -> None:
    before = warm_worker_pid(pool)
    with pytest.raises(CompileFailed, match=f"{MEMORY_MB} MB compile memory limit"):
        pool.run("alice", operator.mul, b"x", MEMORY_MB * 3 // 2 * MB)
    assert pool.run("alice", max, 3, 4) == 4
    assert before not in pool.worker_pids()


def test_an_allocation_past_the_address_space_cap_fails_at_once(pool: CompilePool) -> None:
    with pytest.raises(CompileFailed, match=f"{MEMORY_MB} MB compile memory limit"):
        pool.run("alice", bytearray, 5 * MEMORY_MB * MB)
    assert pool.run("alice", max, 3, 4) == 4


def test_a_worker_that_keeps_much_memory_after_a_call_is_replaced(pool: CompilePool) -> None:
    before = warm_worker_pid(pool)
    pool.run("alice", exec, f"import sys; sys.ballast = b'x' * {MEMORY_MB * 3 // 4 * MB}")
    deadline = time.monotonic() + 60
    while before in pool.worker_pids() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert before not in pool.worker_pids()


def test_a_waiting_client_goes_before_another_clients_queued_calls(pool: CompilePool) -> None:
    warm_worker_pid(pool)
    finished: list[str] = []

    def call(owner: str, label: str, seconds: float) -> Callable[[], None]:
        return lambda: (pool.run(owner, time.sleep, seconds), finished.append(label))

    threads = [in_background(call("flood", "flood-1", 0.6))]
    time.sleep(0.2)  # flood-1 runs; the rest wait
    for n in (2, 3):
        threads.append(in_background(call("flood", f"flood-{n}", 0.1)))
        time.sleep(0.05)
    threads.append(in_background(call("seed", "seed", 0.1)))
    for thread in threads:
        thread.join(30)
    assert finished == ["flood-1", "seed", "flood-2", "flood-3"]


def test_no_free_worker_within_the_wait_is_busy_not_a_program_error(
    pool: CompilePool, monkeypatch: pytest.MonkeyPatch
) -> None:
    warm_worker_pid(pool)
    monkeypatch.setattr(pool, "wait_seconds", 0.3)
    holder = in_background(lambda: pool.run("alice", time.sleep, 1.5))
    time.sleep(0.2)
    with pytest.raises(CompilePoolBusy, match="within 0.3 s") as raised:
        pool.run("bob", max, 1, 2)
    assert not isinstance(raised.value, ProgramError)
    holder.join(30)


def test_a_full_queue_refuses_at_once(pool: CompilePool, monkeypatch: pytest.MonkeyPatch) -> None:
    warm_worker_pid(pool)
    monkeypatch.setattr(compile_pool, "MAX_WAITING", 1)
    threads = [in_background(lambda: pool.run("alice", time.sleep, 1))]
    time.sleep(0.2)
    threads.append(in_background(lambda: pool.run("alice", max, 1, 2)))
    time.sleep(0.2)
    began = time.monotonic()
    with pytest.raises(CompilePoolBusy, match="waiting"):
        pool.run("bob", max, 1, 2)
    assert time.monotonic() - began < 0.5
    for thread in threads:
        thread.join(30)


def test_workers_die_with_their_host() -> None:
    host = textwrap.dedent(
        """
        import os, sys
        from shared.solvers.compile_pool import CompilePool
        pool = CompilePool(2, seconds=5, memory_mb=256, wait_seconds=60)
        pool.run("x", max, 1, 2)
        pool.run("x", max, 1, 2)
        print(*pool.worker_pids(), flush=True)
        os._exit(0)
        """
    )
    answer = subprocess.run(
        [sys.executable, "-c", host],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=REPO_ROOT,
    )
    pids = [int(pid) for pid in answer.stdout.split()]
    assert len(pids) == 2
    deadline = time.monotonic() + 10
    while any(map(running, pids)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(map(running, pids))
