"""Activity that fails its first `fail_times` attempts for a given key.

Attempts are counted in the file <dir>/<key>.attempts.
"""

from pathlib import Path


def main(payload: dict) -> dict:
    safe_key = "".join(c if c.isalnum() or c in "-_" else "_" for c in payload["key"])
    counter = Path(payload["dir"]) / f"{safe_key}.attempts"
    attempts = int(counter.read_text()) + 1 if counter.exists() else 1
    counter.write_text(str(attempts))
    if attempts <= payload["fail_times"]:
        raise RuntimeError(f"flaky failure on attempt {attempts}")
    return {"attempts": attempts}
