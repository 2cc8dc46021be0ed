"""Assemble devhost: the app, the Durable engine, and one aiohttp server for all of it."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from .app import DURABLE_CLIENT_TYPES, App, Function, load_app
from .connections import guarded
from .durable.engine import DurableEngine
from .durable.http_api import DurableHttpApi, client_binding
from .durable.store import Store
from .http_functions import HttpFunctionHandler, build_routes
from .keys import key_middleware, load_host_keys
from .limits import limits_from_settings, limits_middleware
from .timers import TimerTriggers

log = logging.getLogger("devhost")


class DurableEngineFailed(RuntimeError):
    """The engine can no longer record state; serving on would lose work."""


@dataclass
class HostOptions:
    app_dir: Path
    host: str
    port: int
    data_dir: Path
    shutdown_grace_s: float = 5.0


def own_base_url(host: str, port: int) -> str:
    """devhost's fixed base URL: its bound address and port (loopback for a wildcard bind)."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def thread_pool_size() -> int:
    """The Python worker's sync thread pool size (PYTHON_THREADPOOL_THREAD_COUNT)."""
    configured = os.environ.get("PYTHON_THREADPOOL_THREAD_COUNT")
    if configured and configured.isdigit() and int(configured) > 0:
        return int(configured)
    return min(32, (os.cpu_count() or 1) + 4)


class DevHost:
    def __init__(self, options: HostOptions) -> None:
        self.options = options
        self.app: App = load_app(options.app_dir)
        self._routes = build_routes(self.app)
        self._executor = ThreadPoolExecutor(thread_pool_size(), thread_name_prefix="devhost-sync")
        # The durable state holds every client's job data: the owner's alone.
        options.data_dir.mkdir(parents=True, exist_ok=True)
        options.data_dir.chmod(0o700)
        self._store = Store(options.data_dir / f"{self.app.hub_name}.sqlite3")
        self._engine = DurableEngine(self.app, self._store, self._executor)
        self._keys = load_host_keys(options.data_dir)
        self._limits = limits_from_settings()
        base_url = own_base_url(options.host, options.port)
        self._client_binding = client_binding(base_url, self.app.hub_name, self._keys)
        self._durable_api = DurableHttpApi(
            self._engine, self._store, self.app.hub_name, base_url, self._keys, self._limits
        )
        self._engine.activity_inputs = self._extra_inputs
        self._timers = TimerTriggers(self.app, options.data_dir, self._executor, self._extra_inputs)
        self._runner: web.AppRunner | None = None

    def _web_app(self) -> web.Application:
        web_app = web.Application(
            client_max_size=self._limits.max_body_bytes,
            middlewares=[key_middleware(self._keys), limits_middleware(self._limits)],
        )
        web_app.router.add_get("/admin/host/status", self._host_status)
        self._durable_api.add_routes(web_app)
        prefix = self.app.route_prefix
        handler = HttpFunctionHandler(
            self._routes, prefix, self._extra_inputs, self._executor, self._limits
        )
        pattern = f"/{prefix}{{tail:(/.*)?}}" if prefix else "/{tail:.*}"
        web_app.router.add_route("*", pattern, handler)
        if prefix:
            web_app.router.add_get("/", self._site_root)
        return web_app

    async def _site_root(self, request: web.Request) -> web.Response:
        """The site's root, which the Functions host keeps for its own home page while the
        route prefix is set: here it leads to the app's root under the prefix."""
        raise web.HTTPFound(f"/{self.app.route_prefix}/")

    def _extra_inputs(self, function: Function) -> dict[str, Any]:
        """Input bindings other than the trigger (an HTTP, timer or activity function's): the
        durable client binding, always pointing at this host's own address."""
        return {
            binding.name: self._client_binding
            for binding in function.bindings_of("in")
            if binding.type in DURABLE_CLIENT_TYPES
        }

    async def _host_status(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"state": "Running", "version": "devhost", "functions": sorted(self.app.functions)}
        )

    async def serve(self) -> None:
        """Serve until SIGINT or SIGTERM, then shut down cleanly."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        dispatcher = await self._engine.start()
        self._runner = web.AppRunner(
            self._web_app(),
            access_log=None,
            handle_signals=False,
            keepalive_timeout=self._limits.keepalive_timeout_s,
        )
        await self._runner.setup()
        assert self._runner.server is not None
        listener = await loop.create_server(
            guarded(self._runner.server, self._limits),
            self.options.host,
            self.options.port,
            backlog=1024,
        )
        log.warning(
            "devhost ready: http://%s:%d (%d functions: %s)",
            self.options.host,
            self.options.port,
            len(self.app.functions),
            ", ".join(sorted(self.app.functions)) or "none",
        )
        self._timers.start()
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({stopping, dispatcher}, return_when=asyncio.FIRST_COMPLETED)
        listener.close()
        await self._timers.stop()
        await self._runner.cleanup()
        if dispatcher.done():
            stopping.cancel()
            raise DurableEngineFailed("the durable engine stopped: its store failed (see above)")
        log.warning("devhost stopping")
        await self._engine.stop(self.options.shutdown_grace_s)
        self._store.close()
        self._executor.shutdown(wait=False, cancel_futures=True)
