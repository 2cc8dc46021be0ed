"""Programs are compiled in compile workers, never in the host: a program that crashes or
outgrows its compiler is a 400, the host and its jobs carry on, and a busy pool is a 503."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_testkit import BELL, KEYS, SEED_WEIGHTS, Api, api_env, start_api_host
from crafted_programs import CRAFTED
from devhost_testkit import DevHost, HttpResult
from test_bad_input import assert_problem

from devhost.azurite import Azurite

SEED_JOB = {"kind": "number_partitioning", "weights": SEED_WEIGHTS}
# Checking it grows qdk's compiler by 35-60 MB, in about half a second.
MEMORY_HUNGRY_QSHARP = "operation Main() : Unit {\nuse q = Qubit();\n" + "H(q);\n" * 15_000 + "}\n"
# Checking it takes a few seconds of CPU and little memory: 23 qubits are more than qdk
# simulates, so the check asks whether qiskit's OpenQASM 3 importer reads the program
# (`ctrl @` keeps it from the OpenQASM 2 form qiskit's native parser would read at once).
SLOW_CIRCUIT = "".join(
    ['OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[23] q;\nbit[23] c;\n']
    + [
        f"rx(0.{n % 97:02d}) q[{n % 23}];\nctrl @ x q[{n % 23}], q[{(n + 5) % 23}];\n"
        for n in range(2500)
    ]
    + ["c = measure q;\n"]
)
MEMORY_MB = 24


def job(kind: str, source: str) -> dict[str, Any]:
    return {"kind": kind, "source": source, "shots": 10}


def assert_seed_job_succeeds(api: Api) -> None:
    job_id = api.submit_ok(SEED_JOB)
    assert api.wait_for(job_id)["status"] == "succeeded"


def submit_when_compilers_are_free(api: Api, body: dict[str, Any]) -> HttpResult:
    """POST `body`, again after Retry-After while the compile pool answers 503."""
    deadline = time.monotonic() + 60
    while True:
        answer = api.submit(body)
        if answer.status != 503 or time.monotonic() > deadline:
            return answer
        time.sleep(float(answer.header("Retry-After") or 1))


def compile_worker_pids(host: DevHost) -> list[int]:
    """The host's children that name themselves compile workers."""
    assert host.proc is not None
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            comm = Path(f"/proc/{entry}/comm").read_text().strip()
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if comm == "qjobs-compile" and parent == host.proc.pid:
            found.append(int(entry))
    return found


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def post_in_background(
    api: Api, body: dict[str, Any], worker: int
) -> tuple[threading.Thread, list[HttpResult]]:
    """POST `body` from a thread; return once `worker` is busy compiling it."""
    answers: list[HttpResult] = []
    idle = cpu_ticks(worker)
    posting = threading.Thread(target=lambda: answers.append(api.submit(body)), daemon=True)
    posting.start()
    deadline = time.monotonic() + 30
    while cpu_ticks(worker) < idle + 20 and time.monotonic() < deadline:  # 0.2 s of CPU
        time.sleep(0.02)
    return posting, answers


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_a_program_that_crashes_the_compiler_is_400_and_the_host_carries_on(
    alice: Api, api_host: DevHost, name: str
) -> None:
    answer = alice.submit(job(*CRAFTED[name]))
    assert_problem(answer, 400, "could not be compiled")
    assert api_host.proc is not None and api_host.proc.poll() is None
    assert_seed_job_succeeds(alice)


def test_a_program_within_the_limits_still_compiles_and_runs(alice: Api) -> None:
    job_id = alice.submit_ok(job("circuit", BELL))
    document = alice.wait_for(job_id)
    assert document["status"] == "succeeded"


@pytest.fixture(scope="module")
def limited(azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A host with one compile worker, a 24 MB compile memory limit and a 0.25 s wait for it."""
    env = api_env(
        azurite.connection_string,
        QJOBS_COMPILE_WORKERS="1",
        QJOBS_COMPILE_MEMORY_MB=str(MEMORY_MB),
        QJOBS_COMPILE_WAIT_SECONDS="0.25",
    )
    host = start_api_host(tmp_path_factory.mktemp("limited"), env)
    yield Api(host, KEYS["alice"])
    host.stop()


def test_a_program_over_the_compile_memory_limit_is_400_and_the_next_compiles(
    limited: Api,
) -> None:
    answer = submit_when_compilers_are_free(limited, job("qsharp", MEMORY_HUNGRY_QSHARP))
    assert_problem(answer, 400, "could not be compiled", f"{MEMORY_MB} MB compile memory limit")
    answer = submit_when_compilers_are_free(limited, job("circuit", BELL))
    assert answer.status == 202, answer.text
    assert limited.wait_for(answer.json()["id"])["status"] == "succeeded"


def test_a_compile_worker_killed_mid_compile_is_400_and_is_replaced(limited: Api) -> None:
    assert submit_when_compilers_are_free(limited, job("circuit", BELL)).status == 202
    (worker,) = compile_worker_pids(limited.host)
    posting, answers = post_in_background(limited, job("circuit", SLOW_CIRCUIT), worker)
    os.kill(worker, signal.SIGKILL)
    posting.join(60)
    assert_problem(answers[0], 400, "could not be compiled", "killed by SIGKILL")
    answer = submit_when_compilers_are_free(limited, job("circuit", BELL))
    assert answer.status == 202, answer.text
    replaced = compile_worker_pids(limited.host)
    assert replaced and worker not in replaced


def test_no_free_compile_worker_is_503_with_retry_after(limited: Api) -> None:
    assert submit_when_compilers_are_free(limited, job("circuit", BELL)).status == 202
    (worker,) = compile_worker_pids(limited.host)
    posting, _ = post_in_background(limited, job("circuit", SLOW_CIRCUIT), worker)
    answer = limited.submit(job("circuit", BELL))
    posting.join(60)
    assert_problem(answer, 503, "Retry later")
    assert int(answer.header("Retry-After") or 0) >= 1
