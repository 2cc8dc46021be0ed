"""Sync function that blocks its thread until ?n= calls of its ?group= are in it at once.

Answers {"met": true} when they met, {"met": false} when the wait timed out (the calls did
not run concurrently). ?peek=1 answers how many calls of the group are waiting, at once.
"""

import json
import threading

import azure.functions as func

_TIMEOUT_S = 30
_groups: dict[str, threading.Barrier] = {}
_lock = threading.Lock()


def _barrier(group: str, parties: int) -> threading.Barrier:
    with _lock:
        return _groups.setdefault(group, threading.Barrier(parties))


def main(req: func.HttpRequest) -> func.HttpResponse:
    barrier = _barrier(req.params["group"], int(req.params.get("n", "2")))
    if req.params.get("peek"):
        body = {"waiting": barrier.n_waiting}
    else:
        try:
            barrier.wait(timeout=_TIMEOUT_S)
            body = {"met": True}
        except threading.BrokenBarrierError:
            body = {"met": False}
    return func.HttpResponse(json.dumps(body), mimetype="application/json")
