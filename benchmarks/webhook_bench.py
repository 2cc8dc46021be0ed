"""Webhook benchmark: how long after a job ends its signed `job.succeeded` delivery arrives.

Starts Azurite and devhost on the app root (as api_bench.py does) with a webhook key and
QJOBS_WEBHOOK_ALLOW_HOSTS=127.0.0.1, and a receiver on 127.0.0.1 that verifies every
delivery with the client's secret (`qjobs_client.webhooks.verify`) and notes when it came.
Submits --jobs seed jobs, a few at a time, each with the receiver's URL as its webhook, and
prints the delay from each job's `finished` time (its status document) to the delivery's
arrival: p50, p95, max, and how many deliveries came more than once.

    python benchmarks/webhook_bench.py [--jobs 100]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "client"))

from api_bench import api_keys, percentile, qjobs_running  # noqa: E402
from qjobs_client import Client  # noqa: E402
from qjobs_client.webhooks import verify  # noqa: E402

KEY = "bench-key"
SEED_WEIGHTS = [5, 11, 8, 7, 1, 1]
AT_ONCE = 4


class Arrivals:
    """Verified deliveries: job id -> arrival times (wall clock, seconds)."""

    def __init__(self) -> None:
        self.secret = ""
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = {}
        self.refused = 0

    def handler(self) -> type[BaseHTTPRequestHandler]:
        arrivals = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                came = time.time()
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    event = verify(arrivals.secret, dict(self.headers.items()), body)
                except Exception:
                    with arrivals.lock:
                        arrivals.refused += 1
                    self.send_response(400)
                else:
                    with arrivals.lock:
                        arrivals.times.setdefault(event["data"]["id"], []).append(came)
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        return Handler


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100)
    args = parser.parse_args()
    arrivals = Arrivals()
    server = ThreadingHTTPServer(("127.0.0.1", 0), arrivals.handler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{server.server_address[1]}/hook"
    settings = {
        "QJOBS_API_KEYS": api_keys({"bench": KEY}),
        "QJOBS_WEBHOOK_KEY": "webhook-bench-key-0123456789abcdef0123",
        "QJOBS_WEBHOOK_ALLOW_HOSTS": "127.0.0.1",
    }
    with qjobs_running(settings) as base, Client(f"{base}/api", KEY) as client:
        arrivals.secret = client.webhook_secret()

        def one(_: int) -> tuple[str, float]:
            job = client.submit("number_partitioning", weights=SEED_WEIGHTS, webhook=hook)
            status = job.wait()
            assert status.status == "succeeded", status
            return status.id, datetime.fromisoformat(str(status.finished)).timestamp()

        with ThreadPoolExecutor(AT_ONCE) as pool:
            finished = dict(pool.map(one, range(args.jobs)))
        give_up = time.monotonic() + 60
        while time.monotonic() < give_up:
            with arrivals.lock:
                if all(job_id in arrivals.times for job_id in finished):
                    break
            time.sleep(0.05)
    server.shutdown()
    with arrivals.lock:
        delays = [
            (arrivals.times[job_id][0] - ended) * 1000
            for job_id, ended in finished.items()
            if job_id in arrivals.times
        ]
        repeated = sum(len(times) > 1 for times in arrivals.times.values())
    print(f"{args.jobs} seed jobs with a webhook, {AT_ONCE} at a time")
    print(
        f"delivered and verified: {len(delays)} of {args.jobs}; refused signatures:"
        f" {arrivals.refused}; delivered more than once: {repeated}"
    )
    if delays:
        print(
            f"job end → delivery: p50 {percentile(delays, 0.5):.0f} ms,"
            f" p95 {percentile(delays, 0.95):.0f} ms, max {max(delays):.0f} ms"
        )
    return 0 if len(delays) == args.jobs and not arrivals.refused else 1


if __name__ == "__main__":
    sys.exit(main())
