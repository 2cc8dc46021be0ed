"""The `qjobs` command line against a real qjobs (devhost + Azurite), run as a user runs it:
a subprocess whose stdout is a pipe (so it prints JSON), exit codes a script branches on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from api_testkit import BELL, KEYS, hard_partition
from devhost_testkit import DevHost, free_port
from qjobs_client.cli import (
    EXIT_AUTH,
    EXIT_BAD_INPUT,
    EXIT_CANCELLED,
    EXIT_CONFLICT,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_TIMEOUT,
    EXIT_UNAVAILABLE,
)


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run_qjobs(url: str, *args: str, key: str = KEYS["alice"], stdin: str | None = None) -> Run:
    """`qjobs ARGS` with QJOBS_URL=url, as a script runs it (stdout a pipe)."""
    env = {**os.environ, "QJOBS_URL": url, "QJOBS_API_KEY": key}
    done = subprocess.run(
        [sys.executable, "-m", "qjobs_client", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def qjobs(api_host: DevHost) -> Any:
    def run(*args: str, key: str = KEYS["alice"], stdin: str | None = None) -> Run:
        return run_qjobs(api_host.url("/api"), *args, key=key, stdin=stdin)

    return run


def long_job_id(qjobs: Any) -> str:
    weights = ",".join(map(str, hard_partition()))
    run = qjobs(
        "submit", "--kind", "number_partitioning", "--weights", weights, "--time-limit", "30"
    )
    assert run.code == EXIT_OK, run.stderr
    return str(run.json()["id"])


def test_submit_wait_prints_only_the_final_json_when_piped(qjobs: Any) -> None:
    run = qjobs("submit", "--kind", "number_partitioning", "--weights", "5,11,8,7,1,1", "--wait")
    assert run.code == EXIT_OK, run.stderr
    document = json.loads(run.stdout)  # the whole of stdout is one JSON document
    assert document["status"] == "succeeded"
    assert document["result"]["difference"] == 1
    assert run.stderr == ""


def test_submit_reads_a_json_job_from_stdin(qjobs: Any) -> None:
    job = {"kind": "circuit", "source": BELL, "shots": 20, "seed": 1}
    run = qjobs("submit", "-", "--name", "cli-stdin", "--wait", stdin=json.dumps(job))
    assert run.code == EXIT_OK, run.stderr
    assert run.json()["name"] == "cli-stdin"
    assert sum(run.json()["result"]["counts"].values()) == 20


def test_submit_without_wait_prints_the_accepted_job(qjobs: Any) -> None:
    run = qjobs("submit", "--kind", "number_partitioning", "--weights", "3,3")
    assert run.code == EXIT_OK, run.stderr
    assert run.json()["status"] == "waiting"


def test_weights_that_are_not_integers_exit_bad_input_before_any_request(qjobs: Any) -> None:
    run = qjobs("submit", "--kind", "number_partitioning", "--weights", "5,x")
    assert run.code == EXIT_BAD_INPUT
    assert run.stderr.strip().count("\n") == 0 and "--weights" in run.stderr


def test_a_400_exits_bad_input_with_the_problem_on_one_line(qjobs: Any) -> None:
    run = qjobs("submit", "--kind", "number_partitioning", "--weights", "5,-1")
    assert run.code == EXIT_BAD_INPUT
    line = run.stderr.strip()
    assert "\n" not in line
    assert line.startswith("qjobs: Invalid request: ") and "/weights/1" in line


def test_a_wrong_key_exits_auth(qjobs: Any) -> None:
    run = qjobs("list", key="not-a-key")
    assert run.code == EXIT_AUTH
    assert "qjobs: " in run.stderr


def test_status_of_an_unknown_job_exits_not_found(qjobs: Any) -> None:
    assert qjobs("status", "0" * 32).code == EXIT_NOT_FOUND


def test_cancel_then_wait_exits_cancelled_and_a_second_cancel_conflicts(qjobs: Any) -> None:
    job_id = long_job_id(qjobs)
    assert qjobs("cancel", job_id).code == EXIT_OK
    waited = qjobs("wait", job_id, "--timeout", "60")
    assert waited.code == EXIT_CANCELLED
    assert waited.json()["error"]["code"] == "cancelled"
    assert qjobs("cancel", job_id).code == EXIT_CONFLICT
    result = qjobs("result", job_id)
    assert result.code == EXIT_CANCELLED and "cancelled" in result.stderr


def test_wait_with_a_timeout_exits_timeout_while_the_job_runs_on(qjobs: Any) -> None:
    job_id = long_job_id(qjobs)
    try:
        run = qjobs("wait", job_id, "--timeout", "0.5")
        assert run.code == EXIT_TIMEOUT
        assert qjobs("status", job_id).json()["status"] in ("waiting", "executing")
    finally:
        qjobs("cancel", job_id)


def test_result_with_plot_writes_a_png(qjobs: Any, tmp_path: Path) -> None:
    job_id = qjobs("submit", "--kind", "number_partitioning", "--weights", "5,11,8,7,1,1").json()[
        "id"
    ]
    picture = tmp_path / "partition.png"
    run = qjobs("result", job_id, "--plot", str(picture))
    assert run.code == EXIT_OK, run.stderr
    assert run.json()["result"]["difference"] == 1
    assert picture.read_bytes().startswith(b"\x89PNG")
    assert run.stderr == f"qjobs: wrote the plot to {picture.resolve()}\n"


def test_list_limit_prints_that_many_jobs(qjobs: Any) -> None:
    for _ in range(2):
        qjobs("submit", "--kind", "number_partitioning", "--weights", "1,2,3")
    run = qjobs("list", "--limit", "2")
    assert run.code == EXIT_OK, run.stderr
    assert len(run.json()["jobs"]) == 2


def test_targets_lists_the_local_targets(qjobs: Any) -> None:
    run = qjobs("targets")
    assert run.code == EXIT_OK, run.stderr
    assert {"local.optimizer", "local.simulator"} <= {t["name"] for t in run.json()["targets"]}


@pytest.mark.parametrize(
    ("url", "why"),
    [
        (f"http://127.0.0.1:{free_port()}/api", "connection refused"),
        ("http://qjobs.invalid/api", "unknown host"),
    ],
)
def test_an_unreachable_qjobs_fails_at_once_naming_the_url_and_qjobs_url(
    url: str, why: str
) -> None:
    started = time.monotonic()
    run = run_qjobs(url, "list")
    took = time.monotonic() - started

    assert run.code == EXIT_UNAVAILABLE
    assert took < 3.0 + 2.0, took  # 3 s, plus the interpreter's start on a busy machine
    assert run.stderr.count("\n") == 1, run.stderr
    assert url in run.stderr and "QJOBS_URL" in run.stderr and why in run.stderr
    assert run.stdout == ""


def test_list_prints_no_null_for_what_the_api_leaves_out(qjobs: Any) -> None:
    qjobs("submit", "--kind", "number_partitioning", "--weights", "1,2,3")
    run = qjobs("list", "--limit", "1")

    assert run.code == EXIT_OK, run.stderr
    assert "null" not in run.stdout
    assert set(run.json()["jobs"][0]) >= {"id", "kind", "target", "status", "created"}


def test_cancel_piped_prints_the_status_after_the_request_with_the_cancel_requested(
    qjobs: Any,
) -> None:
    job_id = long_job_id(qjobs)

    run = qjobs("cancel", job_id)

    assert run.code == EXIT_OK, run.stderr
    document = run.json()
    assert document["id"] == job_id
    assert document["cancel"] == "requested"
    assert document["status"] in ("waiting", "executing", "cancelled")
    assert qjobs("wait", job_id, "--timeout", "60").json()["status"] == "cancelled"
