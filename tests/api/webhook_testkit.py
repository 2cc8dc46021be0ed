"""A webhook receiver on 127.0.0.1 for the webhook suite: it records every delivery and
answers each path with the statuses a test scripts for it (the last one repeats)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)


@dataclass
class Receiver:
    port: int
    deliveries: list[Delivery] = field(default_factory=list)
    # path -> [(status, headers), ...]: the answers to successive deliveries to that path.
    scripts: dict[str, list[tuple[int, dict[str, str]]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str, host: str = "127.0.0.1", scheme: str = "http") -> str:
        return f"{scheme}://{host}:{self.port}{path}"

    def answer(self, path: str, *answers: int | tuple[int, dict[str, str]]) -> None:
        with self.lock:
            self.scripts[path] = [a if isinstance(a, tuple) else (a, {}) for a in answers]

    def to(self, path: str) -> list[Delivery]:
        with self.lock:
            return [d for d in self.deliveries if d.path == path]

    def wait_for(self, path: str, count: int = 1, timeout: float = 30) -> list[Delivery]:
        deadline = time.monotonic() + timeout
        while len(self.to(path)) < count:
            assert time.monotonic() < deadline, f"{path}: {len(self.to(path))} of {count}"
            time.sleep(0.02)
        return self.to(path)


@contextmanager
def receiving() -> Iterator[Receiver]:
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with receiver.lock:
                receiver.deliveries.append(Delivery(self.path, dict(self.headers.items()), body))
                seen = sum(d.path == self.path for d in receiver.deliveries)
                script = receiver.scripts.get(self.path) or [(204, {})]
                status, headers = script[min(seen, len(script)) - 1]
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver = Receiver(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
