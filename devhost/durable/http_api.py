"""The Durable extension's HTTP API and the durable client binding that points at it.

Served twice, as the Functions host does: at the client binding's ``rpcBaseUrl``
(``/durabletask/<rpc secret>/``, see devhost/keys.py) and at the public webhook path
(``/runtime/webhooks/durabletask/``, system key required). Status codes follow the
extension's HttpApiHandler.

Every URL devhost hands out starts with the host's own base URL (its bound address and
port), never with a request's ``Host``/``X-Forwarded-Host``/``Forwarded``: the
management URLs carry the system key, and a caller must not choose where the SDK or a
client sends it.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from aiohttp import web

from ..keys import KEY_QUERY, HostKeys
from ..limits import RequestLimits, read_body
from .engine import (
    DurableEngine,
    InstanceAlreadyRunning,
    InstanceGone,
    InstanceNotFound,
    InstanceStillRunning,
    UnknownOrchestrator,
)
from .history import parse_timestamp
from .history_view import history_view
from .store import InstanceRow, Store

log = logging.getLogger("devhost.durable.api")

WEBHOOK_BASE_PATH = "/runtime/webhooks/durabletask"
_CONNECTION = "Storage"
_RETRY_AFTER_S = 5
_INVALID_INSTANCE_ID = re.compile(r"[/\\#?\x00-\x1f\x7f]")
_MAX_INSTANCE_ID = 256
_STATUS_NAMES = (
    "Running",
    "Pending",
    "Failed",
    "Canceled",
    "Terminated",
    "Completed",
    "ContinuedAsNew",
    "Suspended",
)


def _query(hub_name: str, system_key: str) -> str:
    return f"taskHub={quote(hub_name)}&connection={_CONNECTION}&{KEY_QUERY}={quote(system_key)}"


def management_urls(
    base_url: str, hub_name: str, system_key: str, instance_id: str
) -> dict[str, str]:
    """The instance management URLs (``INSTANCEID`` stands for the id in the binding)."""
    query = _query(hub_name, system_key)
    instance = f"{base_url}{WEBHOOK_BASE_PATH}/instances/{instance_id}"
    return {
        "id": instance_id,
        "statusQueryGetUri": f"{instance}?{query}",
        "sendEventPostUri": f"{instance}/raiseEvent/{{eventName}}?{query}",
        "terminatePostUri": f"{instance}/terminate?reason={{text}}&{query}",
        "rewindPostUri": f"{instance}/rewind?reason={{text}}&{query}",
        "purgeHistoryDeleteUri": f"{instance}?{query}",
        "restartPostUri": f"{instance}/restart?{query}",
        "suspendPostUri": f"{instance}/suspend?reason={{text}}&{query}",
        "resumePostUri": f"{instance}/resume?reason={{text}}&{query}",
    }


def client_binding(base_url: str, hub_name: str, keys: HostKeys) -> str:
    """The JSON string the Functions host passes to a ``durableClient`` parameter."""
    webhook = f"{base_url}{WEBHOOK_BASE_PATH}"
    query = _query(hub_name, keys.system_key)
    create = f"{webhook}/orchestrators/{{functionName}}[/{{instanceId}}]"
    return json.dumps(
        {
            "taskHubName": hub_name,
            "creationUrls": {
                "createNewInstancePostUri": f"{create}?{query}",
                "createAndWaitOnNewInstancePostUri": f"{create}?timeout={{timeoutInSeconds}}"
                f"&pollingInterval={{intervalInSeconds}}&{query}",
            },
            "managementUrls": management_urls(base_url, hub_name, keys.system_key, "INSTANCEID"),
            "baseUrl": webhook,
            "requiredQueryStringParameters": "",
            "rpcBaseUrl": f"{base_url}{keys.rpc_base_path}",
            "httpBaseUrl": "",
            "maxGrpcMessageSizeInBytes": 0,
            "grpcHttpClientTimeout": "00:01:40",
        }
    )


class DurableHttpApi:
    def __init__(
        self,
        engine: DurableEngine,
        store: Store,
        hub_name: str,
        base_url: str,
        keys: HostKeys,
        limits: RequestLimits,
    ) -> None:
        self._engine = engine
        self._store = store
        self._hub_name = hub_name
        self._base_url = base_url
        self._keys = keys
        self._limits = limits

    def add_routes(self, app: web.Application) -> None:
        # Ids and event names may hold any character but '/' (aiohttp's default
        # pattern also refuses '{' and '}').
        instance = "/instances/{instance_id:[^/]+}"
        for base in (self._keys.rpc_base_path.rstrip("/"), WEBHOOK_BASE_PATH):
            app.router.add_route("POST", base + "/orchestrators/{name:[^/]+}", self.start)
            app.router.add_route(
                "POST", base + "/orchestrators/{name:[^/]+}/{instance_id:[^/]+}", self.start
            )
            app.router.add_route("GET", base + "/instances", self.list_instances)
            app.router.add_route("GET", base + "/instances/", self.list_instances)
            app.router.add_route("DELETE", base + "/instances", self.purge_many)
            app.router.add_route("DELETE", base + "/instances/", self.purge_many)
            app.router.add_route("GET", base + instance, self.get_status)
            app.router.add_route("DELETE", base + instance, self.purge)
            app.router.add_route(
                "POST", base + instance + "/raiseEvent/{event:[^/]+}", self.raise_event
            )
            app.router.add_route("POST", base + instance + "/terminate", self.terminate)
            for operation in ("rewind", "restart", "suspend", "resume"):
                app.router.add_route("POST", base + instance + "/" + operation, self.unsupported)
            app.router.add_route("*", base + "/entities/{tail:.*}", self.unsupported)

    # start -----------------------------------------------------------------------------------
    async def start(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        instance_id = request.match_info.get("instance_id") or _new_instance_id()
        if len(instance_id) > _MAX_INSTANCE_ID or _INVALID_INSTANCE_ID.search(instance_id):
            return _error(
                400,
                "One or more of the arguments submitted is incorrect",
                f"Instance ID '{instance_id}' is not valid: it must be at most "
                f"{_MAX_INSTANCE_ID} characters without '/', '\\', '#', '?' or "
                "control characters.",
            )
        body = (await read_body(request, self._limits)).decode("utf-8", errors="replace")
        input_text = body if body.strip() else None
        if input_text is not None:
            try:
                json.loads(input_text)
            except ValueError:
                return _error(400, "Invalid JSON content", "The request body is not valid JSON.")
        try:
            self._engine.start_new(name, instance_id, input_text)
        except UnknownOrchestrator as exc:
            return _error(400, "One or more of the arguments submitted is incorrect", str(exc))
        except InstanceAlreadyRunning as exc:
            return _error(409, str(exc))
        payload = management_urls(
            self._base_url, self._hub_name, self._keys.system_key, quote(instance_id, safe="")
        )
        payload["id"] = instance_id
        return web.json_response(
            payload,
            status=202,
            headers={"Location": payload["statusQueryGetUri"], "Retry-After": "10"},
        )

    # status -------------------------------------------------------------------------------------
    async def get_status(self, request: web.Request) -> web.Response:
        instance_id = request.match_info["instance_id"]
        row = self._store.get_instance(instance_id)
        if row is None:
            return web.Response(status=404)
        query = request.query
        show_history = _flag(query, "showHistory", False)
        payload = self._status_payload(row, show_input=_flag(query, "showInput", True))
        if show_history:
            payload["historyEvents"] = history_view(
                self._store.load_history(instance_id), _flag(query, "showHistoryOutput", False)
            )
        if row.runtime_status in ("Running", "Pending", "ContinuedAsNew", "Suspended"):
            return web.json_response(
                payload,
                status=202,
                headers={
                    "Location": f"{self._base_url}{request.rel_url}",
                    "Retry-After": str(_RETRY_AFTER_S),
                },
            )
        status = 200
        if row.runtime_status == "Failed" and _flag(
            query, "returnInternalServerErrorOnFailure", False
        ):
            status = 500
        return web.json_response(payload, status=status)

    async def list_instances(self, request: web.Request) -> web.Response:
        query = request.query
        statuses = _statuses(query.get("runtimeStatus"))
        top = _positive_int(query.get("top"))
        after = _decode_token(request.headers.get("x-ms-continuation-token"))
        rows = self._store.query_instances(
            created_from=_time(query.get("createdTimeFrom")),
            created_to=_time(query.get("createdTimeTo")),
            statuses=statuses,
            prefix=query.get("instanceIdPrefix"),
            after=after,
            limit=top + 1 if top else None,
        )
        token = ""
        if top and len(rows) > top:
            rows = rows[:top]
            token = _encode_token(rows[-1])
        show_input = _flag(query, "showInput", False)
        payload = [self._status_payload(row, show_input=show_input) for row in rows]
        response = web.json_response(payload)
        if token:
            response.headers["x-ms-continuation-token"] = token
        return response

    def _status_payload(self, row: InstanceRow, show_input: bool) -> dict[str, Any]:
        return {
            "name": row.name,
            "instanceId": row.instance_id,
            "runtimeStatus": row.runtime_status,
            "input": _load_optional(row.input) if show_input else None,
            "customStatus": _load_optional(row.custom_status),
            "output": _load_optional(row.output),
            "createdTime": _status_time(row.created_time),
            "lastUpdatedTime": _status_time(row.last_updated_time),
        }

    # events, terminate, purge ----------------------------------------------------------------
    async def raise_event(self, request: web.Request) -> web.Response:
        instance_id = request.match_info["instance_id"]
        try:
            self._engine.require_active(instance_id)
        except InstanceNotFound:
            return web.Response(status=404)
        except InstanceGone:
            return web.Response(status=410)
        if request.content_type.lower() != "application/json":
            return _error(400, "Only application/json request content is supported")
        data = (await read_body(request, self._limits)).decode("utf-8", errors="replace")
        try:
            json.loads(data)
        except ValueError:
            return _error(400, "Invalid JSON content")
        try:
            self._engine.raise_event(instance_id, request.match_info["event"], data)
        except InstanceNotFound:
            return web.Response(status=404)
        except InstanceGone:
            return web.Response(status=410)
        return web.Response(status=202)

    async def terminate(self, request: web.Request) -> web.Response:
        try:
            self._engine.terminate(request.match_info["instance_id"], request.query.get("reason"))
        except InstanceNotFound:
            return web.Response(status=404)
        except InstanceGone:
            return web.Response(status=410)
        return web.Response(status=202)

    async def purge(self, request: web.Request) -> web.Response:
        instance_id = request.match_info["instance_id"]
        try:
            self._engine.purge(instance_id)
        except InstanceNotFound:
            return web.Response(status=404)
        except InstanceStillRunning as exc:
            return _error(
                412,
                "Only orchestrations in a terminal state can be purged, but the orchestration "
                f"with instance ID {instance_id} has status {exc}",
            )
        return web.json_response({"instancesDeleted": 1})

    async def purge_many(self, request: web.Request) -> web.Response:
        query = request.query
        created_from = _time(query.get("createdTimeFrom"))
        if created_from is None:
            return web.Response(
                status=400, text="Please provide value for 'createdTimeFrom' parameter."
            )
        deleted = self._engine.purge_many(
            created_from, _time(query.get("createdTimeTo")), _statuses(query.get("runtimeStatus"))
        )
        if deleted == 0:
            return web.Response(status=404)
        return web.json_response({"instancesDeleted": deleted})

    async def unsupported(self, request: web.Request) -> web.Response:
        return _error(501, "This operation is not supported by devhost", request.path)


def _new_instance_id() -> str:
    return uuid.uuid4().hex


def _error(status: int, message: str, exception_message: str | None = None) -> web.Response:
    body: dict[str, str] = {"Message": message}
    if exception_message:
        body["ExceptionMessage"] = exception_message
    return web.json_response(body, status=status)


def _flag(query, name: str, default: bool) -> bool:
    value = query.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    return default


def _statuses(value: str | None) -> list[str] | None:
    if not value:
        return None
    wanted = {part.strip().lower() for part in value.split(",")}
    chosen = [name for name in _STATUS_NAMES if name.lower() in wanted]
    return chosen or None


def _positive_int(value: str | None) -> int | None:
    try:
        number = int(value) if value is not None else 0
    except ValueError:
        return None
    return number if number > 0 else None


def _time(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return parse_timestamp(value)
    except ValueError:
        return None


def _status_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _encode_token(row: InstanceRow) -> str:
    raw = json.dumps([row.created_time, row.instance_id]).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode_token(token: str | None) -> tuple[float, str] | None:
    if not token:
        return None
    try:
        created, instance_id = json.loads(base64.urlsafe_b64decode(token.encode()))
        return float(created), str(instance_id)
    except (ValueError, TypeError, binascii.Error):
        return None


def _load_optional(text: str | None) -> Any:
    return None if text is None else json.loads(text)
