"""Q# corpus benchmark: every program as a `qsharp` job, compared with qdk's `qsharp.run`.

Starts Azurite and devhost on the app root (as api_bench does), submits each program of
tests/corpus/qsharp to local.simulator one at a time, waits for it, and compares it with
`qsharp.run` on the same source (tests/support/qsharp_corpus.py: identical counts for
deterministic programs, a chi-squared test at its SIGNIFICANCE for random ones, the same
failure for failing ones). Prints one line per program (verdict, the job's submit-to-final
seconds, qsharp.run's seconds) and the pass rate.

    python benchmarks/qsharp_corpus_bench.py [--samples FOLDER] [--sample-shots 100]
                                              [--sample-seconds 60]

--samples runs, in addition, every single-file `*.qs` under FOLDER (for instance the samples/
folder of a checkout of github.com/microsoft/qsharp, which is never copied here): entry as
qjobs chooses it (@EntryPoint or Main()), compared "auto" (both fail, identical when
qsharp.run gives one outcome, else the chi-squared test). Each sample's reference runs in its
own process with a time limit.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "support"), str(REPO / "benchmarks")]

from api_bench import api_keys, qjobs_running  # noqa: E402
from qsharp_corpus import SIGNIFICANCE, Program, agreement, corpus, references, samples  # noqa: E402

KEY = "bench-key"
SEED = 11
REFERENCE_SEED = 12345
JOB_SECONDS = 300.0


def call(base: str, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Authorization", f"Bearer {KEY}")
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def run_job(base: str, program: Program, time_limit: float) -> tuple[dict[str, Any], float]:
    """The job's final answer ({"status", "counts" | "error"}) and its submit-to-final time."""
    started = time.monotonic()
    status, document = call(base, "POST", "/api/jobs", program.job(SEED, time_limit))
    if status != 202:
        return {"status": f"refused {status}", "error": document.get("detail", "")}, 0.0
    job_id = document["id"]
    while True:
        _, document = call(base, "GET", f"/api/jobs/{job_id}/status")
        if document["status"] in ("succeeded", "failed", "cancelled"):
            break
        if time.monotonic() - started > JOB_SECONDS:
            call(base, "DELETE", f"/api/jobs/{job_id}")
            return {"status": "unfinished", "error": f"not final in {JOB_SECONDS:g} s"}, 0.0
        time.sleep(0.05)
    seconds = time.monotonic() - started
    if document["status"] != "succeeded":
        return {"status": document["status"], "error": document["error"]["message"]}, seconds
    _, result = call(base, "GET", f"/api/jobs/{job_id}/result")
    return {"status": "succeeded", "counts": result["result"]["counts"]}, seconds


def run_set(
    base: str, title: str, programs: list[Program], *, one_by_one: bool, reference_seconds: float
) -> None:
    """Print each program's verdict and times, and how many agreed. A job may take as long as
    its reference may; a program qsharp.run does not finish is not run as a job."""
    if one_by_one:
        answers = [references([p], REFERENCE_SEED, timeout=reference_seconds)[0] for p in programs]
    else:
        answers = references(programs, REFERENCE_SEED, timeout=reference_seconds)
    print(f"{title}: {len(programs)} programs")
    verdicts: Counter[str] = Counter()
    job_times, reference_times = [], []
    for program, reference in zip(programs, answers, strict=True):
        if reference.get("unfinished"):
            seconds, verdict = 0.0, f"no reference ({reference['error']}): job not run"
            verdicts["unfinished"] += 1
        else:
            job, seconds = run_job(base, program, time_limit=max(reference_seconds, 1))
            disagreement = agreement(program, job, reference)
            kind = "runs" if "counts" in reference else "fails"
            verdicts[f"{kind} " + ("agrees" if disagreement is None else "differs")] += 1
            verdict = "agrees" if disagreement is None else "DIFFERS " + disagreement[:160]
            job_times.append(seconds)
            reference_times.append(reference["seconds"])
        print(
            f"  {program.name:<44} job {seconds:6.2f} s  qsharp.run"
            f" {reference.get('seconds', 0.0):6.2f} s  {verdict}"
        )
    runs = verdicts["runs agrees"] + verdicts["runs differs"]
    agreed = verdicts["runs agrees"] + verdicts["fails agrees"]
    compared = runs + verdicts["fails agrees"] + verdicts["fails differs"]
    print(
        f"  {title}: {agreed}/{compared} agree ({100 * agreed / max(compared, 1):.0f} %);"
        f" of the {runs} programs qsharp.run runs, {verdicts['runs agrees']} run as jobs with"
        f" the same results; of the {compared - runs} it fails on, {verdicts['fails agrees']}"
        f" fail as jobs too; {verdicts['unfinished']} without a reference (qsharp.run did not"
        f" finish or crashed). Median job {statistics.median(job_times or [0]):.2f} s,"
        f" median qsharp.run {statistics.median(reference_times or [0]):.2f} s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, help="a folder of Q# programs to run as well")
    parser.add_argument("--sample-shots", type=int, default=100)
    parser.add_argument("--sample-seconds", type=float, default=60.0, help="qsharp.run's limit")
    args = parser.parse_args()

    settings = {
        "QJOBS_API_KEYS": api_keys({"bench": KEY}),
        "QJOBS_MAX_JOBS_IN_FLIGHT": "1000000",
        "QJOBS_MAX_SUBMISSIONS_PER_MINUTE": "1000000",
    }
    print(f"significance of the chi-squared test: {SIGNIFICANCE}; job seed {SEED}")
    with qjobs_running(settings) as base:
        title = "corpus (tests/corpus/qsharp)"
        run_set(base, title, corpus(), one_by_one=False, reference_seconds=120)
        if args.samples is not None:
            found = samples(args.samples, args.sample_shots)
            title = f"samples under {args.samples.name}/"
            run_set(base, title, found, one_by_one=True, reference_seconds=args.sample_seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
