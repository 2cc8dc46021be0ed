"""The seed's SplitWeights call keeps working."""

from __future__ import annotations

import json
import statistics
import threading
import time

from api_testkit import SEED_WEIGHTS, Api, hard_partition


def difference(assignment: dict[str, int], weights: list[int]) -> int:
    return abs(sum(weights[int(i)] * side for i, side in assignment.items()))


def test_query_weights_answer_the_plus_minus_map(alice: Api) -> None:
    answer = alice.request("GET", "/api/splitweights?mineralWeights=5,11,8,7,1,1")
    assert answer.status == 200
    assignment = answer.json()
    assert set(assignment.values()) <= {-1, 1}
    assert difference(assignment, SEED_WEIGHTS) == 1


def test_body_weights_answer_the_plus_minus_map(alice: Api) -> None:
    answer = alice.request("POST", "/api/splitweights", json_body={"mineralWeights": SEED_WEIGHTS})
    assert answer.status == 200
    assert difference(answer.json(), SEED_WEIGHTS) == 1


def test_missing_weights_is_400_saying_how_to_pass_them(alice: Api) -> None:
    answer = alice.request("GET", "/api/splitweights")
    assert answer.status == 400
    assert "mineralWeights=" in answer.json()["detail"]


def test_non_integer_query_weights_are_400(alice: Api) -> None:
    answer = alice.request("GET", "/api/splitweights?mineralWeights=5,x,8")
    assert answer.status == 400


def test_job_slower_than_the_wait_answers_202_with_location(impatient: Api) -> None:
    weights = ",".join(map(str, hard_partition()))
    answer = impatient.request("GET", f"/api/splitweights?mineralWeights={weights}")
    assert answer.status == 202
    job_id = answer.json()["id"]
    assert answer.header("Location") == f"/api/jobs/{job_id}/status"
    assert impatient.wait_for(job_id)["status"] == "succeeded"


def test_a_large_body_does_not_stall_another_clients_request(alice: Api, bob: Api) -> None:
    """An 8 MB body (a million small objects besides the weights) takes about a second to
    parse; a GET served meanwhile waits for none of it (test_isolation checks /api/jobs)."""
    padding = [{"a": 1}] * 990_000
    body = json.dumps({"mineralWeights": SEED_WEIGHTS, "padding": padding}, separators=(",", ":"))
    headers = {"Content-Type": "application/json"}

    def reads(count: int) -> list[float]:
        took = []
        for _ in range(count):
            begin = time.perf_counter()
            assert bob.request("GET", "/api/jobs?limit=1").status == 200
            took.append(time.perf_counter() - begin)
        return took

    idle = statistics.median(reads(5))
    posted: list[int] = []
    poster = threading.Thread(
        target=lambda: posted.append(
            alice.request("POST", "/api/splitweights", body=body, headers=headers).status
        )
    )
    poster.start()
    time.sleep(0.05)
    busy: list[float] = []
    while poster.is_alive() and len(busy) < 50:
        busy.extend(reads(1))
    poster.join()
    assert posted == [200]
    # Bounded by what the GIL allows (see test_isolation); on the event loop, about 1-2 s.
    assert statistics.median(busy) < 20 * idle + 0.3
    assert max(busy) < 1.5
