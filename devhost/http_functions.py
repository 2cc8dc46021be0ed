"""Serve the app's HTTP-triggered functions through aiohttp.

Requests become ``azure.functions.HttpRequest`` and responses are read back
through the azure-functions package's own binding converters, as the Python
worker does.
"""

from __future__ import annotations

import contextlib
import logging
import time
import traceback
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from azure.functions import meta

from . import invocation
from .app import HTTP_TRIGGER, App, AppLoadError, Function
from .limits import RequestLimits, read_body
from .routing import RouteTemplate, RouteTemplateError, compile_template

log = logging.getLogger("devhost.http")

_TEXT_TYPES = ("application/json", "application/xml", "application/x-www-form-urlencoded")


@dataclass(frozen=True)
class HttpRoute:
    function: Function
    template: RouteTemplate
    methods: frozenset[str] | None


def build_routes(app: App) -> list[HttpRoute]:
    """One route per HTTP-triggered function, most specific first."""
    routes = []
    for function in app.of_trigger(HTTP_TRIGGER).values():
        settings = function.trigger.settings
        template_text = settings.get("route") or function.name
        try:
            template = compile_template(template_text)
        except RouteTemplateError as exc:
            raise AppLoadError(f"function '{function.name}': {exc}") from exc
        methods = settings.get("methods")
        allowed = frozenset(m.upper() for m in methods) if methods else None
        routes.append(HttpRoute(function, template, allowed))
    routes.sort(key=lambda r: r.template.precedence)
    return routes


class HttpFunctionHandler:
    """aiohttp handler for every path under the route prefix."""

    def __init__(
        self,
        routes: list[HttpRoute],
        route_prefix: str,
        extra_inputs,
        executor: Executor,
        limits: RequestLimits,
    ):
        self._routes = routes
        self._prefix = route_prefix
        self._extra_inputs = extra_inputs
        self._executor = executor
        self._limits = limits
        self._registry = meta.get_binding_registry()

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if self._prefix:
            path = path[len(self._prefix) + 1 :]
        allowed: set[str] = set()
        matched_path = False
        for route in self._routes:
            params = route.template.match(path)
            if params is None:
                continue
            matched_path = True
            if route.methods is None or request.method in route.methods:
                return await self._invoke(route.function, request, params)
            allowed.update(route.methods)
        if matched_path:
            # RFC 9110: a 405 names the methods the resource supports.
            return web.Response(status=405, headers={"Allow": ", ".join(sorted(allowed))})
        return web.Response(status=404)

    async def _invoke(
        self, function: Function, request: web.Request, params: dict[str, str]
    ) -> web.StreamResponse:
        body = await read_body(request, self._limits)
        invocation_id = invocation.new_invocation_id()
        started = time.perf_counter()
        try:
            inputs = self._inputs(function, request, params, body)
            outcome = await invocation.call(function, inputs, invocation_id, self._executor)
            response = self._response(function, outcome)
        except Exception as exc:
            invocation.log_invocation(
                function, invocation_id, started, "Failed", error=f"{type(exc).__name__}: {exc}"
            )
            log.error(
                "Function '%s' (Id=%s) raised:\n%s",
                function.name,
                invocation_id,
                "".join(traceback.format_exception(exc)),
            )
            return web.Response(status=500)
        invocation.log_invocation(function, invocation_id, started, "Succeeded")
        return response

    def _inputs(
        self, function: Function, request: web.Request, params: dict[str, str], body: bytes
    ) -> dict[str, Any]:
        content_type = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        body_datum = meta.Datum(body, "bytes")
        if content_type.startswith("text/") or content_type in _TEXT_TYPES:
            with contextlib.suppress(UnicodeDecodeError):
                body_datum = meta.Datum(body.decode("utf-8"), "string")
        headers: dict[str, str] = {}
        for name, value in request.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        # As the Functions host does (StringValues.ToString()): a repeated parameter's values
        # joined with commas.
        query = {k: ",".join(request.query.getall(k)) for k in request.query}
        datum = meta.Datum(
            {
                "method": meta.Datum(request.method, "string"),
                "url": meta.Datum(str(request.url), "string"),
                "headers": {k: meta.Datum(v, "string") for k, v in headers.items()},
                "query": {k: meta.Datum(v, "string") for k, v in query.items()},
                "params": {k: meta.Datum(v, "string") for k, v in params.items()},
                "body": body_datum,
            },
            "http",
        )
        trigger = function.trigger
        inputs = {trigger.name: self._registry.get(HTTP_TRIGGER).decode(datum, trigger_metadata={})}
        inputs.update(self._extra_inputs(function))
        return inputs

    def _response(self, function: Function, outcome: invocation.Outcome) -> web.StreamResponse:
        value = None
        for binding in function.bindings_of("out"):
            if binding.type != "http":
                continue
            value = (
                outcome.return_value
                if binding.name == "$return"
                else outcome.outputs.get(binding.name)
            )
            break
        if value is None:
            return web.Response(status=204)
        datum = self._registry.get("http").encode(value, expected_type=None)
        if datum.type == "string":
            return web.Response(status=200, text=datum.value)
        http = datum.value
        response = web.Response(status=int(http["status_code"].value), body=http["body"].value)
        for name, header in http["headers"].items():
            response.headers[name] = header.value
        for cookie in http.get("cookies") or []:
            for morsel in cookie.values():
                response.headers.add("Set-Cookie", morsel.OutputString())
        return response
