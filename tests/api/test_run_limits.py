"""The local targets' run workers through the API: a program's qubits bounded when it runs, a
crashed worker reported, time limits kept on a busy machine, nothing left in the temp dir."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_testkit import KEYS, Api, api_env, hard_partition, start_api_host

from devhost.azurite import Azurite


def host_env(azurite: Azurite, temp_dir: Path) -> dict[str, str]:
    temp_dir.mkdir(exist_ok=True)
    return api_env(
        azurite.connection_string,
        QJOBS_BLOB_CONTAINER="qjobs-run-limits",
        TMPDIR=str(temp_dir),
        # The compiled annealing kernels where the other hosts keep them (not recompiled).
        NUMBA_CACHE_DIR=str(Path(tempfile.gettempdir()) / "qjobs-numba"),
    )


@pytest.fixture(scope="module")
def api(azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    tmp = tmp_path_factory.mktemp("run-limits")
    host = start_api_host(tmp, host_env(azurite, tmp / "temp"))
    yield Api(host, KEYS["alice"])
    host.stop()


# The loop on a measurement keeps the program off QIR: it runs on qdk's interpreter.
COMPUTED_ALLOCATION = """
operation Main() : Result[] {
    use qs = Qubit[4 * 10];
    ApplyToEach(H, qs);
    mutable results = [];
    for q in qs {
        if M(q) == One { set results += [One]; }
    }
    ResetAll(qs);
    results
}
"""

# Recursion the program's text hides in an interpolated string.
HIDDEN_RECURSION = """
function Loop(n : Int) : String { $"{n}:{Loop(n + 1)}" }
operation Main() : Result { Message(Loop(0)); use q = Qubit(); MResetZ(q) }
"""


def qsharp_job(source: str) -> dict:
    return {"kind": "qsharp", "source": source, "entry": "Main()", "shots": 10, "seed": 1}


def test_a_computed_allocation_over_the_qubit_limit_fails_at_once(api: Api) -> None:
    job_id = api.submit_ok(qsharp_job(COMPUTED_ALLOCATION))
    status = api.wait_for(job_id, timeout=60)
    assert status["status"] == "failed"
    assert (
        "allocates 40 qubits; local.simulator simulates at most 22" in (status["error"]["message"])
    )


def test_a_program_that_crashes_its_worker_fails_saying_how(api: Api) -> None:
    job_id = api.submit_ok(qsharp_job(HIDDEN_RECURSION))
    status = api.wait_for(job_id, timeout=120)
    assert status["status"] == "failed"
    message = status["error"]["message"]
    assert "crashed its worker process" in message
    assert "SIGSEGV" in message and "stack overflow" in message


BUSY_LOOP = "import time\nend = time.monotonic() + 300\nwhile time.monotonic() < end: pass\n"


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


def test_time_limited_jobs_answer_after_a_restart_on_a_busy_machine(
    api: Api, busy_machine: None
) -> None:
    weights = {
        api.submit_ok(
            {"kind": "number_partitioning", "weights": hard_partition(seed=n), "time_limit": 5}
        ): hard_partition(seed=n)
        for n in range(8)
    }
    api.wait_for(next(iter(weights)), {"executing"}, timeout=120)
    api.host.kill()
    api.host.restart()  # the jobs run again, on cold workers niced below the busy loops
    for job_id, job_weights in weights.items():
        status = api.wait_for(job_id, timeout=240)
        assert status["status"] == "succeeded", status
        left, right = api.result(job_id).json()["result"]["subsets"]
        assert sorted(left + right) == sorted(job_weights)


def test_a_stopped_host_leaves_no_folder_of_its_pool_in_the_temp_dir(
    azurite: Azurite, tmp_path: Path
) -> None:
    temp_dir = tmp_path / "temp"
    api = Api(start_api_host(tmp_path, host_env(azurite, temp_dir)), KEYS["bob"])
    try:
        long_job = {"kind": "number_partitioning", "weights": hard_partition(), "time_limit": 30}
        cancelled = api.submit_ok(long_job)
        api.wait_for(cancelled, {"executing"}, timeout=60)
        assert api.cancel(cancelled).status == 202
        assert api.wait_for(cancelled, timeout=60)["status"] == "cancelled"
    finally:
        api.host.stop()
    assert not list(temp_dir.glob("qjobs-local-*"))
