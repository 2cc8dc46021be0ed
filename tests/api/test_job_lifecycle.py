"""Submit → poll → result for every kind, through devhost + Azurite over HTTP."""

from __future__ import annotations

import heapq

from api_testkit import BELL, SEED_WEIGHTS, Api, hard_partition


def test_submit_answers_202_with_location_retry_after_and_links(alice: Api) -> None:
    answer = alice.submit({"kind": "number_partitioning", "weights": SEED_WEIGHTS, "name": "seed"})
    assert answer.status == 202
    document = answer.json()
    assert answer.header("Location") == f"/api/jobs/{document['id']}/status"
    assert int(answer.header("Retry-After")) >= 1
    assert answer.header("Content-Type").startswith("application/json")
    assert document["status"] == "waiting"
    assert document["name"] == "seed"
    assert document["kind"] == "number_partitioning"
    assert document["target"] == "local.optimizer"
    assert document["links"]["self"] == answer.header("Location")


def test_seed_partition_is_optimal(alice: Api) -> None:
    job_id = alice.submit_ok({"kind": "number_partitioning", "weights": SEED_WEIGHTS})
    final = alice.wait_for(job_id)
    assert final["status"] == "succeeded"
    assert final["links"]["result"] == f"/api/jobs/{job_id}/result"
    answer = alice.result(job_id)
    assert answer.status == 200
    result = answer.json()["result"]
    assert result["difference"] == 1
    assignment = result["assignment"]
    assert sorted(assignment) == [str(i) for i in range(len(SEED_WEIGHTS))]
    plus = sum(w for i, w in enumerate(SEED_WEIGHTS) if assignment[str(i)] == 1)
    minus = sum(w for i, w in enumerate(SEED_WEIGHTS) if assignment[str(i)] == -1)
    assert abs(plus - minus) == 1
    assert sorted(result["sums"]) == sorted([plus, minus])


def test_status_of_a_finished_job_is_200_with_times(alice: Api) -> None:
    job_id = alice.submit_ok({"kind": "number_partitioning", "weights": [3, 1, 1, 2, 2, 1]})
    alice.wait_for(job_id)
    answer = alice.status(job_id)
    assert answer.status == 200
    document = answer.json()
    assert document["created"] <= document["started"] <= document["finished"]
    assert document["created"].endswith("Z")
    assert "error" not in document


def test_status_while_running_is_202_with_retry_after(alice: Api) -> None:
    job_id = alice.submit_ok(
        {"kind": "number_partitioning", "weights": hard_partition(), "time_limit": 3}
    )
    answer = alice.status(job_id)
    assert answer.status == 202
    assert answer.json()["status"] in ("waiting", "executing")
    assert int(answer.header("Retry-After")) >= 1
    running = alice.wait_for(job_id, {"executing"})
    assert running["started"] is not None and running["finished"] is None
    assert alice.cancel(job_id).status == 202


def test_result_while_running_is_202_with_location(alice: Api) -> None:
    job_id = alice.submit_ok(
        {"kind": "number_partitioning", "weights": hard_partition(), "time_limit": 3}
    )
    answer = alice.result(job_id)
    assert answer.status == 202
    assert answer.header("Location") == f"/api/jobs/{job_id}/status"
    assert int(answer.header("Retry-After")) >= 1
    alice.cancel(job_id)


def test_time_limited_partition_finishes_with_its_best_answer(alice: Api) -> None:
    weights = hard_partition()
    job_id = alice.submit_ok({"kind": "number_partitioning", "weights": weights, "time_limit": 0.5})
    assert alice.wait_for(job_id)["status"] == "succeeded"
    result = alice.result(job_id).json()["result"]
    left, right = result["subsets"]
    assert sorted(left + right) == sorted(weights)
    assert result["sums"] == [sum(left), sum(right)]
    assert result["difference"] == abs(sum(left) - sum(right))
    assert result["difference"] <= karmarkar_karp_difference(weights)
    assert isinstance(result["optimal"], bool)
    if result["optimal"]:
        assert result["difference"] == sum(weights) % 2  # nothing beats a parity-only gap


def karmarkar_karp_difference(weights: list[int]) -> int:
    """The differencing heuristic's answer, the least a search that starts from it returns."""
    heap = [-w for w in weights]
    heapq.heapify(heap)
    while len(heap) > 1:
        heapq.heappush(heap, heapq.heappop(heap) - heapq.heappop(heap))
    return -heap[0]


def test_ising_job_finds_the_ground_state(alice: Api) -> None:
    # A frustration-free ferromagnetic chain: ground states are all-equal spins, cost -3.
    terms = [{"c": -1, "ids": [0, 1]}, {"c": -1, "ids": [1, 2]}, {"c": -1, "ids": [2, 3]}]
    job_id = alice.submit_ok({"kind": "ising", "terms": terms, "seed": 1})
    assert alice.wait_for(job_id)["status"] == "succeeded"
    result = alice.result(job_id).json()["result"]
    assert result["cost"] == -3
    assert len(set(result["configuration"].values())) == 1


def test_pubo_job_finds_the_minimum(alice: Api) -> None:
    # x0 + x1 - 3 x0 x1: minimum -1 at x0 = x1 = 1.
    terms = [{"c": 1, "ids": [0]}, {"c": 1, "ids": [1]}, {"c": -3, "ids": [0, 1]}]
    job_id = alice.submit_ok({"kind": "pubo", "terms": terms, "seed": 3})
    assert alice.wait_for(job_id)["status"] == "succeeded"
    result = alice.result(job_id).json()["result"]
    assert result["cost"] == -1
    assert result["configuration"] == {"0": 1, "1": 1}


def test_circuit_job_counts_a_bell_state(alice: Api) -> None:
    job_id = alice.submit_ok({"kind": "circuit", "source": BELL, "shots": 200, "seed": 5})
    final = alice.wait_for(job_id)
    assert final["status"] == "succeeded", final
    assert final["target"] == "local.simulator"
    counts = alice.result(job_id).json()["result"]["counts"]
    assert set(counts) <= {"00", "11"}
    assert sum(counts.values()) == 200
    assert min(counts.values()) > 50


def test_job_over_its_maximum_duration_fails_with_a_timeout(impatient: Api) -> None:
    job_id = impatient.submit_ok(
        {"kind": "number_partitioning", "weights": hard_partition(), "time_limit": 30}
    )
    final = impatient.wait_for(job_id, timeout=15)
    assert final["status"] == "failed"
    assert final["error"]["code"] == "timeout"
    answer = impatient.result(job_id)
    assert answer.status == 409
    assert answer.json()["error"]["code"] == "timeout"


# Valid OpenQASM that only execution finds wrong: the simulator fails on the index.
OUT_OF_RANGE = """OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
bit[2] c;
int i = 5;
h q[i];
c = measure q;
"""


def test_a_job_its_target_cannot_run_fails_with_target_error(alice: Api) -> None:
    job_id = alice.submit_ok({"kind": "circuit", "source": OUT_OF_RANGE, "shots": 1})
    final = alice.wait_for(job_id)
    assert final["status"] == "failed"
    assert final["error"]["code"] == "target_error"
    assert "index out of range" in final["error"]["message"]
    assert final["finished"] is not None
    assert "result" not in final["links"]
    assert alice.status(job_id).status == 200


def test_the_result_of_a_failed_job_is_409_with_its_error(alice: Api) -> None:
    job_id = alice.submit_ok({"kind": "circuit", "source": OUT_OF_RANGE, "shots": 1})
    alice.wait_for(job_id)
    answer = alice.result(job_id)
    assert answer.status == 409
    assert answer.header("Content-Type").startswith("application/problem+json")
    assert answer.json()["error"]["code"] == "target_error"
