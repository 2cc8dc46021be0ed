"""Activity: appends ">part" to acc, optionally after sleeping (sync, time.sleep)."""

import random
import time


def main(payload: dict) -> str:
    sleep_ms = payload.get("sleep_ms")
    if isinstance(sleep_ms, list):
        sleep_ms = random.uniform(sleep_ms[0], sleep_ms[1])
    if sleep_ms:
        time.sleep(sleep_ms / 1000.0)
    return f"{payload['acc']}>{payload['part']}"
