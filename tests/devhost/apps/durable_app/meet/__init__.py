"""Activity: blocks until `n` activities of its `group` are running at once; True if they met.

False when the wait timed out, i.e. the activities did not run concurrently.
"""

import threading

_TIMEOUT_S = 30
_groups: dict[str, threading.Barrier] = {}
_lock = threading.Lock()


def main(payload: dict) -> bool:
    with _lock:
        barrier = _groups.setdefault(payload["group"], threading.Barrier(payload["n"]))
    try:
        barrier.wait(timeout=_TIMEOUT_S)
        return True
    except threading.BrokenBarrierError:
        return False
