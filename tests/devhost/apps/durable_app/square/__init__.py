"""Activity: n -> n*n, optionally after sleeping."""

import time


def main(payload: dict) -> int:
    if payload.get("sleep_ms"):
        time.sleep(payload["sleep_ms"] / 1000.0)
    n = payload["n"]
    return n * n
