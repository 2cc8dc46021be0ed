"""devhost benchmark: orchestration throughput, start-to-completed latency and memory.

Starts devhost on the bench app (benchmarks/apps/bench) on a free loopback port
with a fresh data folder, drives it over the Durable HTTP API only, prints the
figures next to their targets, and stops it.

    python benchmarks/devhost_bench.py [--orchestrations 2000] [--finished 10000]

Figures (2-core machine, shared): medians over --rounds throughput rounds;
latency percentiles over --latency-samples sequential runs on an idle host.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parent.parent
BENCH_APP = REPO / "benchmarks" / "apps" / "bench"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS) of a process, in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def parse_ts(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class Bench:
    def __init__(self, http: aiohttp.ClientSession, port: int, rpc_path: str) -> None:
        self.http = http
        self.rpc = f"http://127.0.0.1:{port}{rpc_path}"

    async def start(self, name: str, instance_id: str, value: int) -> None:
        # Encoded twice, as DurableOrchestrationClient.start_new sends its input.
        url = f"{self.rpc}orchestrators/{name}/{instance_id}"
        async with self.http.post(url, json=json.dumps(value)) as r:
            if r.status != 202:
                raise RuntimeError(f"start {instance_id}: HTTP {r.status}: {await r.text()}")

    async def status(self, instance_id: str, history: bool = False) -> dict:
        query = "?showHistory=true" if history else ""
        async with self.http.get(f"{self.rpc}instances/{instance_id}{query}") as response:
            return await response.json()

    async def active_count_is_zero(self, prefix: str) -> bool:
        url = f"{self.rpc}instances/?runtimeStatus=Pending,Running&instanceIdPrefix={prefix}&top=1"
        async with self.http.get(url) as response:
            return not await response.json()

    async def wait_all_final(self, prefix: str, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while not await self.active_count_is_zero(prefix):
            if time.monotonic() > deadline:
                raise TimeoutError(f"instances {prefix}* not final after {timeout_s} s")
            await asyncio.sleep(0.02)

    async def run_batch(self, name: str, prefix: str, count: int, concurrency: int) -> float:
        """Start ``count`` instances (at most ``concurrency`` starts in flight); wait for all."""
        gate = asyncio.Semaphore(concurrency)

        async def one(i: int) -> None:
            async with gate:
                await self.start(name, f"{prefix}{i:06d}", i)

        began = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(count)))
        await self.wait_all_final(prefix, timeout_s=300)
        return time.perf_counter() - began

    async def statuses(self, prefix: str) -> list[dict]:
        """Every instance whose id starts with ``prefix`` (all pages of the list API)."""
        found: list[dict] = []
        token = None
        while True:
            headers = {"x-ms-continuation-token": token} if token else {}
            url = f"{self.rpc}instances/?instanceIdPrefix={prefix}&top=1000&showInput=false"
            async with self.http.get(url, headers=headers) as response:
                found.extend(await response.json())
                token = response.headers.get("x-ms-continuation-token")
            if not token:
                return found

    async def outcomes(self, prefix: str, count: int, added: int) -> Counter[str]:
        """How the batch ended: "ok" (Completed with input + added), "wrong output",
        "failed" (any other final status) and "missing" (never created)."""
        tally: Counter[str] = Counter()
        for status in await self.statuses(prefix):
            expected = int(status["instanceId"][len(prefix) :]) + added
            if status["runtimeStatus"] != "Completed":
                tally["failed"] += 1
            elif status["output"] != expected:
                tally["wrong output"] += 1
            else:
                tally["ok"] += 1
        tally["missing"] = count - sum(tally.values())
        return tally

    async def latency_once(self, instance_id: str) -> tuple[float, float]:
        """(client-observed, host-recorded) start-to-completed seconds for one instance."""
        began = time.perf_counter()
        await self.start("single", instance_id, 1)
        while True:
            status = await self.status(instance_id)
            if status["runtimeStatus"] == "Completed":
                break
            if status["runtimeStatus"] not in ("Pending", "Running"):
                raise RuntimeError(f"{instance_id}: {status}")
            await asyncio.sleep(0.001)
        observed = time.perf_counter() - began
        history = (await self.status(instance_id, history=True))["historyEvents"]
        started = parse_ts(history[0]["Timestamp"])
        completed = parse_ts(history[-1]["Timestamp"])
        return observed, completed - started


async def run(
    args: argparse.Namespace, port: int, pid: int, rpc_path: str
) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:
        bench = Bench(http, port, rpc_path)
        await bench.run_batch("chain3", "warm-", 200, args.concurrency)
        finished = 200

        observed, recorded = [], []
        for i in range(args.latency_samples):
            o, r = await bench.latency_once(f"lat-{i:05d}")
            observed.append(o * 1000)
            recorded.append(r * 1000)
            await asyncio.sleep(0.01)
        finished += args.latency_samples
        q_obs = statistics.quantiles(observed, n=100)
        q_rec = statistics.quantiles(recorded, n=100)
        rows.append((
            "1-activity start→completed p50 / p99 (client-observed, idle host)",
            "p50 ≤ 30 ms", f"{statistics.median(observed):.1f} / {q_obs[98]:.1f} ms",
        ))
        rows.append((
            "1-activity start→completed p50 / p99 (host history timestamps)",
            "", f"{statistics.median(recorded):.1f} / {q_rec[98]:.1f} ms",
        ))

        for name, label in (("chain3", "3-activity chains"), ("single", "1-activity")):
            rates, not_ok = [], Counter[str]()
            for round_no in range(args.rounds):
                prefix = f"{name}-{round_no}-"
                elapsed = await bench.run_batch(name, prefix, args.orchestrations, args.concurrency)
                added = 3 if name == "chain3" else 1
                tally = await bench.outcomes(prefix, args.orchestrations, added)
                # Only instances that completed with the right output count as throughput.
                rates.append(tally.pop("ok", 0) / elapsed)
                not_ok += tally
                finished += args.orchestrations
                print(f"  {label} round {round_no + 1}: {rates[-1]:.0f} /s, "
                      f"{dict(+tally) or 'all ok'}", flush=True)
            target = "≥ 100 /s" if name == "chain3" else ""
            rows.append((
                f"throughput, {label} ({args.orchestrations} per round, median of {args.rounds})",
                target, f"{statistics.median(rates):.0f} /s (rounds: "
                + ", ".join(f"{r:.0f}" for r in rates)
                + f"; not ok: {sum(not_ok.values())})",
            ))

        if finished < args.finished:
            await bench.run_batch("chain3", "fill-", args.finished - finished, args.concurrency)
            finished = args.finished
        gate = asyncio.Semaphore(args.concurrency)

        async def start_waiter(i: int) -> None:
            async with gate:
                await bench.start("wait_event", f"wait-{i:06d}", i)

        await asyncio.gather(*(start_waiter(i) for i in range(args.in_flight)))
        while True:
            url = f"{bench.rpc}instances/?runtimeStatus=Running&instanceIdPrefix=wait-"
            async with http.get(url) as response:
                running = [s for s in await response.json() if s["customStatus"] == "waiting"]
            if len(running) == args.in_flight:
                break
            await asyncio.sleep(0.1)
        current, peak = rss_mb(pid)
        rows.append((
            f"RSS with {finished} finished + {args.in_flight} in flight (peak over the run)",
            "≤ 250 MB", f"{current:.0f} MB (peak {peak:.0f} MB)",
        ))

        async def release(i: int) -> None:
            async with gate:
                url = f"{bench.rpc}instances/wait-{i:06d}/raiseEvent/go"
                async with http.post(url, json=i) as response:
                    assert response.status == 202, response.status

        await asyncio.gather(*(release(i) for i in range(args.in_flight)))
        await bench.wait_all_final("wait-", timeout_s=120)
        tally = await bench.outcomes("wait-", args.in_flight, 1)
        if tally["ok"] != args.in_flight:
            raise RuntimeError(f"event-waiting instances ended {dict(+tally)}")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orchestrations", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency-samples", type=int, default=200)
    parser.add_argument("--finished", type=int, default=10000)
    parser.add_argument("--in-flight", type=int, default=1000)
    args = parser.parse_args()

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="devhost-bench-") as data:
        stderr = open(Path(data) / "devhost.log", "w")  # noqa: SIM115 - closed below
        env = dict(os.environ, PYTHONPATH=str(REPO))
        proc = subprocess.Popen(
            [sys.executable, "-m", "devhost", "--app", str(BENCH_APP), "--port", str(port),
             "--data", data, "--log-level", "warning"],
            cwd=REPO, env=env, stderr=stderr,
        )
        try:
            keys = wait_ready(port, proc, Path(data))
            began = time.monotonic()
            rows = asyncio.run(run(args, port, proc.pid, keys["rpcBasePath"]))
            total_s = time.monotonic() - began
        except BaseException:
            stderr.flush()
            print((Path(data) / "devhost.log").read_text()[-4000:], file=sys.stderr)
            raise
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
            stderr.close()
    print(f"devhost benchmark ({os.cpu_count()} cores, sync activities, log level warning, "
          f"{total_s:.0f} s)")
    width = max(len(r[0]) for r in rows)
    for name, target, measured in rows:
        print(f"  {name:<{width}}  {target:<12}  {measured}")
    return 0


def wait_ready(port: int, proc: subprocess.Popen, data: Path, timeout_s: float = 30) -> dict:
    """Wait until devhost answers its status; its host keys (systemKey, rpcBasePath)."""
    import urllib.request

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"devhost exited with {proc.returncode}")
        try:
            keys = json.loads((data / "host-keys.json").read_text())
            status = urllib.request.Request(
                f"http://127.0.0.1:{port}/admin/host/status",
                headers={"x-functions-key": keys["systemKey"]},
            )
            with urllib.request.urlopen(status, timeout=1):
                return keys
        except (OSError, ValueError):
            time.sleep(0.1)
    raise TimeoutError("devhost did not become ready")


if __name__ == "__main__":
    sys.exit(main())
