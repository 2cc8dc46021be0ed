"""Local HTTP servers for the client's retry tests: one that answers what a test scripts, and
a proxy to a real qjobs that drops a connection after qjobs has answered."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx


@dataclass
class Seen:
    """A request a test server received."""

    method: str
    path: str
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


@dataclass
class Answer:
    status: int
    body: dict[str, object]
    headers: dict[str, str] = field(default_factory=dict)


def problem(status: int, retry_after: int) -> Answer:
    body = {"type": "urn:qjobs:problem:busy", "title": "Busy", "status": status, "detail": "x"}
    return Answer(status, body, {"Retry-After": str(retry_after)})


def accepted(job_id: str = "a" * 32) -> Answer:
    body = {
        "id": job_id,
        "name": None,
        "kind": "number_partitioning",
        "target": "local.optimizer",
        "status": "waiting",
        "created": "2026-01-01T00:00:00.000Z",
        "started": None,
        "finished": None,
        "links": {"self": f"/api/jobs/{job_id}/status", "cancel": f"/api/jobs/{job_id}"},
    }
    return Answer(202, body, {"Location": f"/api/jobs/{job_id}/status", "Retry-After": "1"})


@contextmanager
def serving(handle: Callable[[BaseHTTPRequestHandler], None]) -> Iterator[str]:
    """A local HTTP server calling `handle` for every request; yields its /api base URL."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            handle(self)

        do_POST = do_DELETE = do_GET

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api"
    finally:
        server.shutdown()
        server.server_close()


def send(handler: BaseHTTPRequestHandler, answer: Answer, content_type: str) -> None:
    data = json.dumps(answer.body).encode()
    handler.send_response(answer.status)
    for name, value in answer.headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


@contextmanager
def scripted(answers: list[Answer]) -> Iterator[tuple[str, list[Seen]]]:
    """A server answering each request with the next of `answers` (the last one repeats)."""
    seen: list[Seen] = []
    lock = threading.Lock()

    def handle(handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        handler.rfile.read(length)
        with lock:
            seen.append(Seen(handler.command, handler.path, dict(handler.headers.items())))
            answer = answers[min(len(seen), len(answers)) - 1]
        kind = "application/json" if answer.status < 400 else "application/problem+json"
        send(handler, answer, kind)

    with serving(handle) as url:
        yield url, seen


@contextmanager
def dropping_proxy(upstream: str, drops: int = 1) -> Iterator[tuple[str, list[Seen]]]:
    """A proxy to a real qjobs that forwards the first `drops` POSTs, lets qjobs answer, then
    closes the caller's connection without an answer: the job exists, the caller never hears."""
    seen: list[Seen] = []
    lock = threading.Lock()

    def handle(handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length)
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in ("host",)}
        with lock:
            seen.append(Seen(handler.command, handler.path, headers))
            drop = handler.command == "POST" and sum(s.method == "POST" for s in seen) <= drops
        reply = httpx.request(
            handler.command, upstream + handler.path, content=body, headers=headers, timeout=30
        )
        if drop:
            handler.close_connection = True
            return
        answer = Answer(
            reply.status_code,
            reply.json(),
            {k: v for k, v in reply.headers.items() if k.lower() in ("location", "retry-after")},
        )
        send(handler, answer, reply.headers.get("content-type", "application/json"))

    with serving(handle) as url:
        yield url, seen
