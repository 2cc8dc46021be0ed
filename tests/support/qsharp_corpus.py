"""Q# programs run as `qsharp` jobs and compared with qdk's own `qsharp.run` on the same source.

The corpus (tests/corpus/qsharp/*.qs) uses what the QDK samples use: recursion, simulation-only
intrinsics, Message, Fact, result arrays, tuples, mid-circuit measurement and reset, adjoint and
controlled specializations, namespaces with @EntryPoint, entry arguments. Each file starts with

    // entry: Ghz(6)            the entry expression ("(implied)" after it: the job names none)
    // shots: 500
    // compare: identical | distribution | failure <text both runs must fail with>

Deterministic programs must give identical counts; random ones must pass a chi-squared test of
homogeneity against the reference's counts at SIGNIFICANCE (outcomes seen fewer than
_POOLED times in both runs together are pooled into one cell, so expected counts stay large
enough for the test). Used by tests/api/test_qsharp_corpus.py and
benchmarks/qsharp_corpus_bench.py (which can also take a folder of programs without headers,
such as the QDK's samples: their entry is the job's default, their comparison "auto").
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scipy.stats import chi2_contingency

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS = REPO_ROOT / "tests" / "corpus" / "qsharp"
SIGNIFICANCE = 0.001
_POOLED = 10
_HEADER = re.compile(r"^//\s*(entry|shots|compare):\s*(.*?)\s*$", re.MULTILINE)
# Run by `references` in a child process: qdk's qsharp.run on each program, nothing of qjobs
# but the function that writes a value as a counts key.
_REFERENCE_SCRIPT = """
import json, sys, time
from collections import Counter
from qdk import qsharp
from shared.solvers.outcomes import outcome
for line in sys.stdin:
    request = json.loads(line)
    started = time.monotonic()
    qsharp.init()
    try:
        qsharp.eval(request["source"])
        entry, seed = request["entry"], request["seed"]
        shots = qsharp.run(entry, request["shots"], seed=seed, save_events=True)
        answer = {"counts": dict(Counter(outcome(shot["result"]) for shot in shots))}
    except BaseException as error:
        answer = {"error": str(error)}
    answer["seconds"] = time.monotonic() - started
    print(json.dumps(answer), flush=True)
"""


@dataclass(frozen=True)
class Program:
    name: str
    source: str
    entry: str
    entry_sent: bool  # False: the job names no entry and qjobs must choose the same one
    shots: int
    compare: str  # "identical", "distribution", "failure" or "auto"
    failure_text: str = ""

    def job(self, seed: int, time_limit: float = 120) -> dict[str, Any]:
        body: dict[str, Any] = {"kind": "qsharp", "target": "local.simulator"}
        body.update(source=self.source, shots=self.shots, seed=seed, time_limit=time_limit)
        if self.entry_sent:
            body["entry"] = self.entry
        return body


def corpus(names: list[str] | None = None) -> list[Program]:
    """The corpus' programs (those named, in that order, when `names` is given)."""
    paths = sorted(CORPUS.glob("*.qs")) if names is None else [CORPUS / f"{n}.qs" for n in names]
    return [_with_header(path) for path in paths]


def samples(folder: Path, shots: int) -> list[Program]:
    """Every single-file program (`*.qs`, not part of a project) under `folder`."""
    from shared.solvers.qsharp_program import default_entry

    programs = []
    for path in sorted(folder.rglob("*.qs")):
        if any((parent / "qsharp.json").exists() for parent in path.parents):
            continue  # a project's file: not a program on its own
        source = path.read_text(encoding="utf-8")
        name = str(path.relative_to(folder).with_suffix(""))
        programs.append(Program(name, source, default_entry(source), True, shots, "auto"))
    return programs


def references(programs: list[Program], seed: int, timeout: float) -> list[dict[str, Any]]:
    """qsharp.run's answer for each program: {"counts": ...} or {"error": message}, and the
    "seconds" it took (with qsharp.init and the program's compiling) when it answered;
    "unfinished" when it did not answer (its time limit, or its process crashed)."""
    requests = "".join(
        json.dumps({"source": p.source, "entry": p.entry, "shots": p.shots, "seed": seed}) + "\n"
        for p in programs
    )
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), QDK_PYTHON_TELEMETRY="none")
    try:
        done = subprocess.run(
            [sys.executable, "-c", _REFERENCE_SCRIPT],
            input=requests,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=REPO_ROOT,
            env=env,
        )
    except subprocess.TimeoutExpired:
        late = {"error": f"qsharp.run did not finish within {timeout:g} s", "unfinished": True}
        return [late] * len(programs)
    answers = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    missing = {"error": f"qsharp.run crashed (exit {done.returncode})", "unfinished": True}
    return answers + [missing] * (len(programs) - len(answers))


def agreement(program: Program, job: dict[str, Any], reference: dict[str, Any]) -> str | None:
    """None when the job's final document agrees with the reference; else why not.

    `job` is {"status", "counts"?, "error"?}: the job's status ("refused 400" when the
    submission was) and, when it succeeded, its result's counts, else its error message.
    """
    compare = program.compare
    if compare == "auto":
        reference_counts = reference.get("counts", {})
        compare = "failure" if "error" in reference else "identical"
        if len(reference_counts) > 1:
            compare = "distribution"
    if compare == "failure":
        job_failed = job["status"] == "failed" or job["status"].startswith("refused 4")
        if not job_failed or "error" not in reference:
            return f"expected both to fail; job {job['status']}, reference {_brief(reference)}"
        for side, message in (("job", job["error"]), ("reference", reference["error"])):
            if program.failure_text not in message:
                return f"{side} failed without {program.failure_text!r}: {message[:200]}"
        return None
    if job["status"] != "succeeded":
        return f"job {job['status']}: {job.get('error', '')[:300]}"
    if "counts" not in reference:
        return f"reference failed: {reference['error'][:300]}"
    if compare == "identical":
        if job["counts"] != reference["counts"]:
            return f"counts differ: job {job['counts']}, reference {reference['counts']}"
        return None
    p_value = homogeneity(job["counts"], reference["counts"])
    if p_value < SIGNIFICANCE:
        return f"p = {p_value:.2g}: job {job['counts']}, reference {reference['counts']}"
    return None


def homogeneity(first: dict[str, int], second: dict[str, int]) -> float:
    """The chi-squared test's p-value for both counts coming from one distribution."""
    keys = set(first) | set(second)
    common = sorted(k for k in keys if first.get(k, 0) + second.get(k, 0) >= _POOLED)
    rare = keys - set(common)
    rows = [[counts.get(k, 0) for k in common] for counts in (first, second)]
    if rare:
        for row, counts in zip(rows, (first, second), strict=True):
            row.append(sum(counts.get(k, 0) for k in rare))
    if len(rows[0]) < 2:
        return 1.0  # one cell: both runs gave the same single outcome
    return float(chi2_contingency(rows).pvalue)


def _with_header(path: Path) -> Program:
    source = path.read_text(encoding="utf-8")
    header = dict(_HEADER.findall(source))
    entry, implied = header["entry"], header["entry"].endswith("(implied)")
    compare, _, failure_text = header["compare"].partition(" ")
    return Program(
        name=path.stem,
        source=source,
        entry=entry.removesuffix("(implied)").strip(),
        entry_sent=not implied,
        shots=int(header["shots"]),
        compare=compare,
        failure_text=failure_text,
    )


def _brief(reference: dict[str, Any]) -> str:
    return reference["error"][:200] if "error" in reference else str(reference["counts"])[:200]
