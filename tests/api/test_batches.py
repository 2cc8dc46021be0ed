"""Batches through devhost + Azurite: `items`, OpenQASM `parameters`, their counters, results,
cancellation and item failure policies on local.simulator."""

from __future__ import annotations

import math
import time
from typing import Any

from api_testkit import Api
from devhost_testkit import http

ONE_QUBIT = """OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
bit[2] c;
{gates}
c = measure q;
"""
ROTATION = """OPENQASM 3.0;
include "stdgates.inc";
input float[64] theta;
qubit[1] q;
bit[1] c;
rx(theta) q[0];
c[0] = measure q[0];
"""
# Fails at run time only: an index out of range (analysis accepts it).
FAILS_WHEN_RUN = "OPENQASM 3.0; qubit[2] q; bit[2] c; c = measure q; c[5] = 1;"
# Runs on qdk (classical control), a shot at a time: slow enough to cancel mid-batch.
SLOW = """OPENQASM 3.0;
include "stdgates.inc";
qubit[12] q;
bit[12] c;
for int i in [0:11] { h q[i]; }
c = measure q;
if (c[0]) { x q[0]; }
"""
# The bound on a batch's orchestration history, as README states it: the same as a single
# job's, whatever its number of items.
HISTORY_BOUND = 500


def program(gates: str) -> str:
    return ONE_QUBIT.format(gates=gates)


def final_result(api: Api, job_id: str, timeout: float = 60) -> tuple[dict, Any]:
    status = api.wait_for(job_id, timeout=timeout)
    return status, api.result(job_id)


def test_three_items_of_different_circuits_each_get_their_counts(alice: Api) -> None:
    items = [
        {"source": program("x q[0];")},
        {"source": program("x q[1];")},
        {"source": program("")},
    ]
    job_id = alice.submit_ok({"kind": "circuit", "shots": 50, "items": items})
    status, answer = final_result(alice, job_id)
    assert status["status"] == "succeeded"
    assert status["items"] == {
        "total": 3,
        "waiting": 0,
        "executing": 0,
        "succeeded": 3,
        "failed": 0,
        "cancelled": 0,
    }
    result = answer.json()["result"]
    assert result["items"] == [
        {"index": 0, "status": "succeeded", "counts": {"01": 50}, "shots": 50},
        {"index": 1, "status": "succeeded", "counts": {"10": 50}, "shots": 50},
        {"index": 2, "status": "succeeded", "counts": {"00": 50}, "shots": 50},
    ]


def test_items_merge_over_the_top_level_fields(alice: Api) -> None:
    items = [{"shots": 3}, {"shots": 5, "source": program("x q[0];")}]
    job_id = alice.submit_ok({"kind": "circuit", "source": program("x q[1];"), "items": items})
    _, answer = final_result(alice, job_id)
    counts = [item["counts"] for item in answer.json()["result"]["items"]]
    assert counts == [{"10": 3}, {"01": 5}]


def test_a_sweep_of_fifty_bindings_gives_sin_squared_of_half_theta(alice: Api) -> None:
    shots = 2000
    thetas = [math.pi * k / 49 for k in range(50)]
    job = {
        "kind": "circuit",
        "source": ROTATION,
        "shots": shots,
        "seed": 11,
        "parameters": [{"theta": theta} for theta in thetas],
    }
    job_id = alice.submit_ok(job)
    status, answer = final_result(alice, job_id, timeout=120)
    assert status["status"] == "succeeded", status
    items = answer.json()["result"]["items"]
    assert [item["parameters"] for item in items] == [{"theta": t} for t in thetas]
    for item, theta in zip(items, thetas, strict=True):
        expected = math.sin(theta / 2) ** 2
        observed = item["counts"].get("1", 0) / shots
        spread = math.sqrt(max(expected * (1 - expected), 1e-4) / shots)
        assert abs(observed - expected) < 5 * spread + 1e-9, (theta, observed, expected)


def test_items_and_parameters_run_every_item_for_every_binding(alice: Api) -> None:
    items = [{"shots": 10}, {"shots": 20}]
    bindings = [{"theta": 0}, {"theta": math.pi}, {"theta": 0}]
    job = {"kind": "circuit", "source": ROTATION, "items": items, "parameters": bindings}
    _, answer = final_result(alice, alice.submit_ok(job))
    ran = answer.json()["result"]["items"]
    assert [item["index"] for item in ran] == list(range(6))
    assert [item["counts"] for item in ran] == [
        {"0": 10},
        {"1": 10},
        {"0": 10},
        {"0": 20},
        {"1": 20},
        {"0": 20},
    ]
    assert [item["parameters"] for item in ran] == bindings * 2


def test_a_qsharp_batch_runs_each_entry(alice: Api) -> None:
    source = (
        "operation Flip(n : Int) : Result[] { use qs = Qubit[n]; for q in qs { X(q); }"
        " MResetEachZ(qs) }"
    )
    items = [{"entry": "Flip(1)"}, {"entry": "Flip(2)"}]
    job = {"kind": "qsharp", "source": source, "shots": 4, "items": items}
    status, answer = final_result(alice, alice.submit_ok(job))
    assert status["status"] == "succeeded", status
    counts = [item["counts"] for item in answer.json()["result"]["items"]]
    assert [sum(c.values()) for c in counts] == [4, 4]
    assert len(next(iter(counts[0]))) < len(next(iter(counts[1])))


def test_abort_fails_the_batch_at_its_first_failed_item_and_cancels_the_rest(alice: Api) -> None:
    items = [{"source": program("x q[0];")}, {"source": FAILS_WHEN_RUN}, {"source": program("")}]
    job_id = alice.submit_ok({"kind": "circuit", "shots": 5, "items": items})
    status, answer = final_result(alice, job_id)
    assert status["status"] == "failed"
    assert "Item 1" in status["error"]["message"]
    assert status["items"]["succeeded"] == 1
    assert status["items"]["failed"] == 1
    assert status["items"]["cancelled"] == 1
    assert answer.status == 409
    finished = answer.json()["items"]
    assert [item["status"] for item in finished] == ["succeeded", "failed", "cancelled"]
    assert finished[0]["counts"] == {"01": 5}
    assert "index out of range" in finished[1]["error"]["message"]


def test_continue_runs_every_item_and_succeeds_with_each_items_status(alice: Api) -> None:
    items = [{"source": program("x q[0];")}, {"source": FAILS_WHEN_RUN}, {"source": program("")}]
    job = {"kind": "circuit", "shots": 5, "items": items, "on_item_failure": "continue"}
    status, answer = final_result(alice, alice.submit_ok(job))
    assert status["status"] == "succeeded"
    assert status["items"]["succeeded"] == 2 and status["items"]["failed"] == 1
    ran = answer.json()["result"]["items"]
    assert [item["status"] for item in ran] == ["succeeded", "failed", "succeeded"]
    assert ran[2]["counts"] == {"00": 5}


def test_continue_fails_the_batch_when_every_item_failed(alice: Api) -> None:
    job = {
        "kind": "circuit",
        "items": [{"source": FAILS_WHEN_RUN}] * 2,
        "on_item_failure": "continue",
    }
    status, answer = final_result(alice, alice.submit_ok(job))
    assert status["status"] == "failed"
    assert [item["status"] for item in answer.json()["items"]] == ["failed", "failed"]


def test_cancel_during_a_batch_cancels_its_unfinished_items(alice: Api) -> None:
    job = {"kind": "circuit", "source": SLOW, "shots": 2000, "items": [{}] * 40}
    job_id = alice.submit_ok(job)
    deadline = time.monotonic() + 60
    while True:
        status = alice.status(job_id).json()
        if status["items"]["succeeded"] >= 1 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert status["status"] == "executing", status
    assert alice.cancel(job_id).status == 202
    status, answer = final_result(alice, job_id, timeout=30)
    assert status["status"] == "cancelled"
    assert status["items"]["succeeded"] >= 1
    assert status["items"]["cancelled"] >= 1
    assert status["items"]["waiting"] == status["items"]["executing"] == 0
    assert answer.status == 409
    finished = [item for item in answer.json()["items"] if item["status"] == "succeeded"]
    assert finished and all(sum(item["counts"].values()) == 2000 for item in finished)


def test_status_counts_items_while_the_batch_runs(alice: Api) -> None:
    job = {"kind": "circuit", "source": SLOW, "shots": 500, "items": [{}] * 6}
    job_id = alice.submit_ok(job)
    first = alice.status(job_id).json()
    assert first["items"]["total"] == 6
    seen = set()
    while first["status"] not in ("succeeded", "failed", "cancelled"):
        seen.add(first["items"]["succeeded"])
        time.sleep(0.05)
        first = alice.status(job_id).json()
    assert first["items"]["succeeded"] == 6
    assert len(seen) >= 2  # counters moved while it ran


def test_a_job_without_items_has_no_items_key(alice: Api) -> None:
    job_id = alice.submit_ok({"kind": "circuit", "source": program("x q[0];"), "shots": 5})
    status, answer = final_result(alice, job_id)
    assert "items" not in status
    assert answer.json()["result"] == {"counts": {"01": 5}, "shots": 5}


def test_a_thousand_item_batch_completes_with_a_bounded_history(alice: Api) -> None:
    job = {"kind": "circuit", "source": program("x q[0];"), "shots": 1, "items": [{}] * 1000}
    job_id = alice.submit_ok(job)
    status, answer = final_result(alice, job_id, timeout=300)
    assert status["status"] == "succeeded"
    assert status["items"]["succeeded"] == 1000
    assert len(answer.json()["result"]["items"]) == 1000
    url = f"{alice.host.webhook_url}instances/{job_id}?showHistory=true"
    history = http("GET", url, headers=alice.host.key_headers).json()["historyEvents"]
    assert len(history) < HISTORY_BOUND


def problem(answer: Any) -> tuple[int, str]:
    body = answer.json()
    return answer.status, body["errors"][0]["pointer"]


def test_a_bad_item_is_a_400_pointing_into_it(alice: Api) -> None:
    items = [{"source": program("")}, {"source": "OPENQASM 3.0; qubit q; nonsense;"}]
    assert problem(alice.submit({"kind": "circuit", "items": items})) == (400, "/items/1/source")
    items = [{"source": program(""), "shots": 0}]
    assert problem(alice.submit({"kind": "circuit", "items": items})) == (400, "/items/0/shots")
    assert problem(alice.submit({"kind": "circuit", "items": []})) == (400, "/items")
    too_many = {"kind": "circuit", "source": program(""), "items": [{}] * 1001}
    assert problem(alice.submit(too_many)) == (413, "/items")


def test_bad_bindings_are_400s_pointing_at_them(alice: Api) -> None:
    def sweep(*bindings: dict) -> Any:
        return alice.submit({"kind": "circuit", "source": ROTATION, "parameters": list(bindings)})

    assert problem(sweep({"theta": 1}, {"phi": 1})) == (400, "/parameters/1/phi")
    assert problem(sweep({})) == (400, "/parameters/0/theta")
    assert problem(sweep({"theta": "half"})) == (400, "/parameters/0/theta")
    plain = {"kind": "circuit", "source": program(""), "parameters": [{"theta": 1}]}
    assert problem(alice.submit(plain)) == (400, "/source")


def test_batches_are_refused_for_other_kinds(alice: Api) -> None:
    job = {"kind": "number_partitioning", "weights": [1, 2, 3], "items": [{}]}
    assert problem(alice.submit(job)) == (400, "/items")
