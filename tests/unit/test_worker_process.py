"""A local worker process lives as long as its host, whichever thread asked for it."""

from __future__ import annotations

import threading
import time

from shared.targets.worker_process import WorkerProcess, new_worker


def test_a_worker_asked_for_by_a_thread_that_ends_outlives_that_thread() -> None:
    asked: list[WorkerProcess] = []

    def ask_then_end_later() -> None:
        asked.append(new_worker())
        time.sleep(3)  # past the worker's start-up, when it asks to die with its parent

    thread = threading.Thread(target=ask_then_end_later)
    thread.start()
    thread.join()
    (worker,) = asked
    try:
        time.sleep(1)
        assert worker.alive
    finally:
        worker.kill()
