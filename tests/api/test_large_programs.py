"""Programs of megabytes run: the body limit bounds a program's text, the compile workers' time
and memory limits what checking it costs; a compile the busy server starves is a 503."""

from __future__ import annotations

import os
import random
import signal
from collections.abc import Iterator
from typing import Any

import pytest
from api_testkit import BELL, KEYS, Api, api_env, start_api_host
from test_bad_input import assert_problem
from test_compile_isolation import (
    SLOW_CIRCUIT,
    compile_worker_pids,
    post_in_background,
    submit_when_compilers_are_free,
)

from devhost.azurite import Azurite


def random_circuit(characters: int, qubits: int = 12, seed: int = 5) -> str:
    """A long random OpenQASM 2 circuit of about `characters` characters, measured at the end."""
    rng = random.Random(seed)
    lines = ["OPENQASM 2.0;", 'include "qelib1.inc";', f"qreg q[{qubits}];", f"creg c[{qubits}];"]
    size = 0
    while size < characters:
        gate, a = rng.choice(["h", "sx", "rz", "ry", "cx", "cz"]), rng.randrange(qubits)
        if gate in ("cx", "cz"):
            b = (a + rng.randrange(1, qubits)) % qubits
            line = f"{gate} q[{a}],q[{b}];"
        elif gate in ("rz", "ry"):
            line = f"{gate}({rng.uniform(-3, 3):.6f}) q[{a}];"
        else:
            line = f"{gate} q[{a}];"
        lines.append(line)
        size += len(line) + 1
    return "\n".join([*lines, "measure q -> c;", ""])


def mqt_grover_native(qubits: int) -> str:
    """MQT Bench's Grover at its native-gates level, as qiskit's OpenQASM 2 exporter writes it."""
    from circuit_corpus import circuits, exported

    for name, circuit in circuits((qubits,), ("grover",)):
        if name.endswith("native"):
            return next(text for version, text in exported(circuit) if version == 2)
    raise AssertionError("MQT Bench has no native-gates Grover of this size")


def run_to_the_end(api: Api, source: str, shots: int) -> dict[str, Any]:
    job_id = api.submit_ok({"kind": "circuit", "source": source, "shots": shots, "seed": 3})
    document = api.wait_for(job_id, timeout=180)
    assert document["status"] == "succeeded", document
    counts: dict[str, int] = api.result(job_id).json()["result"]["counts"]
    return counts


def test_a_3_mb_openqasm_2_circuit_is_accepted_and_runs(alice: Api) -> None:
    source = random_circuit(3_000_000)
    counts = run_to_the_end(alice, source, shots=200)
    assert sum(counts.values()) == 200
    assert all(len(key) == 12 for key in counts)


def test_mqt_benchs_270_kb_native_gates_grover_runs_and_finds_its_marked_state(
    alice: Api,
) -> None:
    source = mqt_grover_native(10)
    assert len(source) > 250_000
    counts = run_to_the_end(alice, source, shots=200)
    assert max(counts.values()) > 150, (
        counts
    )  # Grover's answer, far above the 1/512 of a uniform draw


@pytest.fixture(scope="module")
def one_compiler(azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A host with one compile worker and a 2 s compile time limit (given up after 6 s)."""
    env = api_env(azurite.connection_string, QJOBS_COMPILE_WORKERS="1", QJOBS_COMPILE_SECONDS="2")
    host = start_api_host(tmp_path_factory.mktemp("one-compiler"), env)
    yield Api(host, KEYS["alice"])
    host.stop()


def test_a_compile_starved_of_cpu_is_503_with_retry_after_and_the_next_compiles(
    one_compiler: Api,
) -> None:
    assert (
        submit_when_compilers_are_free(one_compiler, {"kind": "circuit", "source": BELL}).status
        == 202
    )
    (worker,) = compile_worker_pids(one_compiler.host)
    starved, answers = post_in_background(
        one_compiler, {"kind": "circuit", "source": SLOW_CIRCUIT}, worker
    )
    os.kill(worker, signal.SIGSTOP)  # it gets no CPU, as under a load that outranks it
    waiting = one_compiler.submit({"kind": "circuit", "source": BELL})
    starved.join(60)
    assert_problem(answers[0], 503, "too busy", "Retry later")
    assert int(answers[0].header("Retry-After") or 0) >= 1
    assert waiting.status == 202, waiting.text
