"""Waiting local jobs are shared between clients: fewest running first, then longest unserved."""

from __future__ import annotations

from shared.processes.fair_queue import FairQueue


def test_a_client_with_many_queued_jobs_does_not_starve_one_with_a_single_job() -> None:
    queue: FairQueue[str] = FairQueue()
    for n in range(100):
        queue.push("alice", f"a{n}")
    queue.push("bob", "b0")
    running = {"alice": 0, "bob": 0}
    order = []
    for _ in range(3):
        owner = queue.next_owner(running)
        assert owner is not None
        order.append(queue.pop(owner))
    assert order == ["a0", "b0", "a1"]


def test_the_client_with_fewer_jobs_running_goes_first() -> None:
    queue: FairQueue[str] = FairQueue()
    queue.push("alice", "a0")
    queue.push("bob", "b0")
    assert queue.next_owner({"alice": 2, "bob": 1}) == "bob"


def test_a_removed_job_is_not_started() -> None:
    queue: FairQueue[str] = FairQueue()
    queue.push("alice", "a0")
    assert queue.remove("alice", "a0")
    assert not queue.remove("alice", "a0")
    assert queue.next_owner({}) is None and len(queue) == 0
