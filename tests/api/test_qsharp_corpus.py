"""Q# as the QDK samples write it runs as `qsharp` jobs and agrees with qdk's `qsharp.run`.

A representative subset of tests/corpus/qsharp (benchmarks/qsharp_corpus_bench.py runs all of
it): each program is submitted over HTTP to local.simulator and compared with `qsharp.run` on
the same source: deterministic programs give identical counts, random ones pass a chi-squared
test at qsharp_corpus.SIGNIFICANCE, failing ones fail with the same message.
"""

from __future__ import annotations

import pytest
from api_testkit import Api
from qsharp_corpus import Program, agreement, corpus, homogeneity, references

SEED = 11
REFERENCE_SEED = 12345
SUBSET = [
    "recursion_rejection_sampling",
    "recursion_deep_chain",
    "random_int_bit_flip",
    "check_zero_teleport",
    "fact_fails_sometimes",
    "mid_circuit_reset",
    "adjoint_controlled_specializations",
    "namespace_entry_point",
    "entry_arguments",
    "repeat_until_success",
    "noisy_bell",
    "tuple_outputs",
    "unit_result",
]
PROGRAMS = corpus(SUBSET)


@pytest.fixture(scope="module")
def reference_answers() -> dict[str, dict]:
    return {
        program.name: answer
        for program, answer in zip(
            PROGRAMS, references(PROGRAMS, REFERENCE_SEED, timeout=120), strict=True
        )
    }


@pytest.fixture(scope="module")
def job_answers(alice: Api) -> dict[str, dict]:
    """Every program submitted first, then each job's final status and counts or error."""
    ids = {program.name: alice.submit_ok(program.job(SEED)) for program in PROGRAMS}
    answers = {}
    for name, job_id in ids.items():
        final = alice.wait_for(job_id, timeout=120)
        answer = {"status": final["status"]}
        if final["status"] == "succeeded":
            answer["counts"] = alice.result(job_id).json()["result"]["counts"]
        else:
            answer["error"] = final.get("error", {}).get("message", "")
        answers[name] = answer
    return answers


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda program: program.name)
def test_the_job_agrees_with_qsharp_run(
    program: Program, job_answers: dict[str, dict], reference_answers: dict[str, dict]
) -> None:
    disagreement = agreement(program, job_answers[program.name], reference_answers[program.name])
    assert disagreement is None, disagreement


def test_an_entry_returning_unit_counts_every_shot_under_unit(
    job_answers: dict[str, dict],
) -> None:
    assert job_answers["unit_result"] == {"status": "succeeded", "counts": {"()": 20}}


def test_an_unbounded_recursion_fails_the_job(alice: Api) -> None:
    """The interpreter recurses on the heap: the job's time limit (or its worker's memory
    limit, whichever comes first) ends it as a failed job, and nothing else."""
    source = "function Forever(n : Int) : Int { 1 + Forever(n + 1) }\n"
    source += "operation Main() : Int { Forever(0) }"
    job = {"kind": "qsharp", "source": source, "shots": 1, "time_limit": 2}

    final = alice.wait_for(alice.submit_ok(job), timeout=60)

    assert final["status"] == "failed"
    assert final["error"]["code"] in ("timeout", "target_error"), final["error"]


def test_the_comparison_tells_different_distributions_apart() -> None:
    fair, biased = {"0": 300, "1": 300}, {"0": 400, "1": 200}
    assert homogeneity(fair, {"0": 290, "1": 310}) > 0.05
    assert homogeneity(fair, biased) < 0.001
