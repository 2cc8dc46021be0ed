"""Activity: appends ">part" to acc, optionally after sleeping (sync, time.sleep).

With a "journal" file in the payload, each execution appends its result there, so a
test can count how often each step ran.
"""

import random
import time
from pathlib import Path


def main(payload: dict) -> str:
    sleep_ms = payload.get("sleep_ms")
    if isinstance(sleep_ms, list):
        sleep_ms = random.uniform(sleep_ms[0], sleep_ms[1])
    if sleep_ms:
        time.sleep(sleep_ms / 1000.0)
    result = f"{payload['acc']}>{payload['part']}"
    if payload.get("journal"):
        with Path(payload["journal"]).open("a") as journal:
            journal.write(result + "\n")
    return result
