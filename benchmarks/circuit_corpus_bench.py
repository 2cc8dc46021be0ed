"""Circuit corpus benchmark: programs nobody here wrote, as circuit jobs, against qiskit-aer.

The corpus is tests/support/circuit_corpus.py's: MQT Bench families (GHZ, QFT, QPE, Grover,
amplitude estimation, QAOA/VQE ansätze, random circuits, dynamic circuits with mid-circuit
measurement and classical control, ...) at the target-independent and native-gates levels,
and qiskit.circuit.library circuits (GHZ, QFT, Grover operator, EfficientSU2 with random
parameters, quantum volume) transpiled to two bases, each exported by qiskit as OpenQASM 2
and 3. Starts Azurite and devhost (as api_bench does), submits every program as a
`local.simulator` job, one at a time, and compares its counts with aer run directly on the
circuit (two-sample chi-squared at alpha 0.001).

With `--qasm-dir DIR` (repeatable) the programs are instead every `.qasm` file under DIR (a
public suite such as QASMBench's small/ and medium/ folders), each file's text submitted
unchanged; the reference is aer run on the circuit qiskit's importer reads from the file
(OpenQASM 2 with qiskit's legacy qelib1 gates, or OpenQASM 3).

A program qiskit cannot read, aer cannot run, aer takes more than 60 s on, or with more than
`--max-qubits` qubits is reported as skipped and not counted (aer runs in a child process,
ended at 60 s, once for both versions of a circuit). Prints the pass rate, each
failure with its reason, and time per program: the job's server time (finished - created)
against aer's own run, with the median ratio over the programs aer takes more than 0.5 s on.

    python benchmarks/circuit_corpus_bench.py [--sizes 3,5,8,12,16,20] [--shots 4000]
        [--families ghz_dynamic,dynamic_qft,library]  (MQT Bench's, `library`: qiskit's)
        [--qasm-dir DIR ...] [--max-qubits 20]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import re
import statistics
import sys
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "support"))

from api_bench import api_keys, qjobs_running  # noqa: E402
from circuit_corpus import ALPHA, Program, aer_counts, agree, programs  # noqa: E402

KEY = "bench-key"
AER_SLOW_S = 0.5
AER_MAX_S = 60


def call(base: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        base + path,
        data=data,
        method=method,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            return json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return {"http_status": error.code, **json.loads(error.read() or b"{}")}


def run_job(base: str, source: str, shots: int, limit: float) -> tuple[dict[str, Any], float]:
    """(the job's final document, with `counts` when it succeeded; its server time in s)."""
    job = {"kind": "circuit", "source": source, "shots": shots, "seed": 21, "time_limit": limit}
    posted = call(base, "POST", "/api/jobs", job)
    if "id" not in posted:
        return {"status": "refused", "error": posted.get("detail", posted)}, 0.0
    deadline = time.monotonic() + limit
    while True:
        status = call(base, "GET", f"/api/jobs/{posted['id']}/status?wait=10")
        if status["status"] in ("succeeded", "failed", "cancelled"):
            break
        if time.monotonic() > deadline:
            call(base, "DELETE", f"/api/jobs/{posted['id']}")
            return {"status": "timeout"}, limit
    took = (
        datetime.fromisoformat(status["finished"]) - datetime.fromisoformat(status["created"])
    ).total_seconds()
    if status["status"] == "succeeded":
        status["counts"] = call(base, "GET", f"/api/jobs/{posted['id']}/result")["result"]["counts"]
    return status, took


def chosen_programs(sizes: tuple[int, ...], families: str) -> Iterator[Program]:
    """The corpus's programs of these families: MQT Bench's, and `library` for qiskit's."""
    chosen = tuple(families.split(","))
    return (
        program
        for program in programs(sizes, chosen)
        if program.name.startswith("mqt ") or "library" in chosen
    )


class Skipped(Exception):
    """Why a program is left out of the figures."""


def qasm_files(directories: list[Path]) -> Iterator[Program]:
    """Every `.qasm` file under these directories as a program, its circuit read later."""
    for directory in directories:
        for path in sorted(directory.rglob("*.qasm")):
            name = str(path.relative_to(directory.parent))
            yield Program(name, path.read_text(encoding="utf-8", errors="replace"), None)


def qiskit_reads(source: str) -> Any:
    """The circuit qiskit's importer reads from an OpenQASM 2 or 3 program."""
    from qiskit import qasm2, qasm3

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if re.search(r"^\s*OPENQASM\s+3", source, re.MULTILINE):
            return qasm3.loads(source)
        return qasm2.loads(source, custom_instructions=qasm2.LEGACY_CUSTOM_INSTRUCTIONS)


def reference(program: Program, shots: int, max_qubits: int) -> tuple[dict[str, int], float]:
    """(aer's counts for the program's circuit, aer's time in s); Skipped when not counted."""
    try:
        circuit = qiskit_reads(program.source) if program.circuit is None else program.circuit
    except Exception as error:  # noqa: BLE001 - a file qiskit cannot read: not in the corpus
        raise Skipped(f"qiskit cannot read it ({type(error).__name__}: {error})") from None
    if circuit.num_qubits > max_qubits:
        raise Skipped(f"{circuit.num_qubits} qubits > --max-qubits {max_qubits}")
    if not _last_reference or _last_reference[0] is not circuit:  # else: the other version
        try:
            _last_reference[:] = [circuit, _aer_within_limit(circuit, shots)]
        except Skipped as why:
            _last_reference[:] = [circuit, why]
    if isinstance(_last_reference[1], Skipped):
        raise _last_reference[1]
    return _last_reference[1]


_last_reference: list[Any] = []


def _aer_within_limit(circuit: Any, shots: int) -> tuple[dict[str, int], float]:
    """aer's counts and time, in a child process ended after AER_MAX_S (Skipped then)."""
    receiving, sending = multiprocessing.get_context("fork").Pipe(duplex=False)

    def child() -> None:
        began = time.perf_counter()
        try:
            sending.send((aer_counts(circuit, shots, seed=22), time.perf_counter() - began))
        except Exception as error:  # noqa: BLE001 - aer's own failure: not in the corpus
            sending.send(f"aer fails ({error})")

    process = multiprocessing.get_context("fork").Process(target=child, daemon=True)
    process.start()
    answered = receiving.poll(AER_MAX_S)
    answer = receiving.recv() if answered else f"aer takes more than {AER_MAX_S} s"
    process.kill()
    process.join()
    if isinstance(answer, str):
        raise Skipped(answer)
    return answer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="3,5,8,12,16,20")
    parser.add_argument("--shots", type=int, default=4000)
    parser.add_argument("--limit", type=float, default=120.0, help="seconds per job")
    parser.add_argument(
        "--families", help="MQT Bench families, `library` for qiskit's (comma-separated)"
    )
    parser.add_argument(
        "--qasm-dir",
        type=Path,
        action="append",
        help="every .qasm file under this directory instead of the generated corpus (repeatable)",
    )
    parser.add_argument("--max-qubits", type=int, default=20)
    args = parser.parse_args()
    sizes = tuple(int(size) for size in args.sizes.split(","))
    settings = {
        "QJOBS_API_KEYS": api_keys({"bench": KEY}),
        "QJOBS_MAX_JOBS_IN_FLIGHT": "1000000",
        "QJOBS_MAX_SUBMISSIONS_PER_MINUTE": "1000000",
    }
    results: list[tuple[str, str, float, float]] = []  # name, verdict, ours s, aer s
    skipped = 0
    with qjobs_running(settings) as base:
        if args.qasm_dir:
            corpus: Iterable[Program] = qasm_files(args.qasm_dir)
        elif args.families is None:
            corpus = programs(sizes)
        else:
            corpus = chosen_programs(sizes, args.families)
        for program in corpus:
            try:
                reference_counts, aer_s = reference(program, args.shots, args.max_qubits)
            except Skipped as why:
                print(f"  skipped {program.name}: {why}", flush=True)
                skipped += 1
                continue
            final, ours_s = run_job(base, program.source, args.shots, args.limit)
            if final["status"] == "succeeded":
                agrees, p_value = agree(final["counts"], reference_counts)
                verdict = "agrees" if agrees else f"WRONG: p = {p_value:.2g} < {ALPHA}"
            else:
                verdict = f"{final['status']}: {final.get('error')}"
            results.append((program.name, verdict, ours_s, aer_s))
            print(f"  {program.name}: {verdict} ({ours_s:.2f} s, aer {aer_s:.2f} s)", flush=True)
    passed = sum(verdict == "agrees" for _, verdict, _, _ in results)
    wrong = sum(verdict.startswith("WRONG") for _, verdict, _, _ in results)
    corpus_name = ", ".join(map(str, args.qasm_dir)) if args.qasm_dir else f"sizes {args.sizes}"
    print(f"\ncircuit corpus: {len(results)} programs ({corpus_name}, {args.shots} shots)")
    print(f"  agree with aer: {passed} ({100 * passed / max(len(results), 1):.1f} %)")
    print(f"  wrong answers: {wrong}")
    print(f"  skipped, not counted: {skipped}")
    for name, verdict, _, _ in results:
        if verdict != "agrees":
            print(f"  {name}: {verdict}")
    slow = [(ours / aer) for _, verdict, ours, aer in results if aer > AER_SLOW_S and ours > 0]
    if slow:
        print(f"  time vs aer, median ratio over {len(slow)} programs aer takes > "
              f"{AER_SLOW_S} s on: {statistics.median(slow):.2f}")  # fmt: skip
    ratios = [ours / aer for _, _, ours, aer in results if ours > 0]
    if ratios:
        print(f"  time vs aer, median ratio over all: {statistics.median(ratios):.2f}")
    return 0 if wrong == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
