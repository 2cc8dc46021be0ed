"""QuantumStandIn: the workspace data plane, its storage and its ARM resource behind one TLS
proxy, the proxy's managed-identity endpoint, the fault knobs, the records, and a small
control API on the proxy's plain-HTTP side: `GET|POST /standin/config`, `GET /standin/jobs`,
`POST /standin/reset`."""

from __future__ import annotations

import json
import random
import threading
import uuid
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from devhost.managed_identity import managed_identity
from devhost.tls_proxy import Request, Response, TlsProxy, json_response

from .arm import ARM_HOST, ArmApi
from .auth import MANAGED_IDENTITY, DataPlaneAuth, check_auth_mode
from .blobs import BlobApi, BlobStore, blob_error
from .jobs import Lifecycle
from .knobs import Knobs
from .records import Records
from .workspace_api import WorkspaceApi, WorkspaceIdentity, azure_error

CONTROL_PREFIX = "/standin/"
TRANSIENT_STATUSES = (429, 503)


class QuantumStandIn:
    """`with QuantumStandIn(region="westeurope", queue_seconds=1) as standin:` then
    `Workspace.from_connection_string(standin.connection_string)` in a process whose
    environment holds `standin.env()`.

    With `auth="managed-identity"` the data plane takes only bearer tokens from the proxy's
    managed identity (not the api key), and `env()` adds IDENTITY_ENDPOINT and
    IDENTITY_HEADER: then `Workspace(resource_id=standin.resource_id,
    location=standin.identity.region, credential=ManagedIdentityCredential())`, which reads
    the workspace's ARM resource on management.azure.com first."""

    def __init__(
        self,
        *,
        region: str = "westeurope",
        port: int = 0,
        cert_dir: Path | None = None,
        proxy: TlsProxy | None = None,
        subscription_id: str | None = None,
        resource_group: str = "qjobs-standin",
        workspace: str = "qjobs-standin",
        api_key: str | None = None,
        storage_account: str = "qjobsstandin",
        auth: str = "api-key",
        **knobs: Any,
    ) -> None:
        self.auth = check_auth_mode(auth)
        self.identity = WorkspaceIdentity(
            subscription_id=subscription_id or str(uuid.uuid4()),
            resource_group=resource_group,
            name=workspace,
            region=region,
            api_key=api_key or uuid.uuid4().hex,
        )
        self._initial_knobs = Knobs().replace(knobs)
        self._knobs = self._initial_knobs
        self._rng = random.Random(self._knobs.seed)
        self._lock = threading.Lock()
        self.records = Records()
        self.store = BlobStore(storage_account)
        self.lifecycle = Lifecycle(self.store, lambda: self._knobs)
        self._owns_proxy = proxy is None
        self.proxy = proxy or TlsProxy(port=port, cert_dir=cert_dir)
        self.managed_identity = managed_identity(self.proxy)
        data_plane_auth = DataPlaneAuth(auth, self.identity.api_key, self.managed_identity)
        self.workspace_api = WorkspaceApi(
            self.identity,
            self.records,
            self.lifecycle,
            self.store,
            lambda: self._knobs,
            data_plane_auth.refusal,
        )
        self.blob_api = BlobApi(self.store)
        self.arm_api = ArmApi(self.identity, self.managed_identity)

    @property
    def connection_string(self) -> str:
        """Exactly the shape Workspace.from_connection_string accepts (order, trailing ;)."""
        identity = self.identity
        return (
            f"SubscriptionId={identity.subscription_id};"
            f"ResourceGroupName={identity.resource_group};"
            f"WorkspaceName={identity.name};"
            f"ApiKey={identity.api_key};"
            f"QuantumEndpoint=https://{identity.host}/;"
        )

    @property
    def resource_id(self) -> str:
        """The workspace's ARM id, what QJOBS_WORKSPACE_RESOURCE_ID holds."""
        return self.identity.resource_id

    @property
    def control_url(self) -> str:
        return f"{self.proxy.url}{CONTROL_PREFIX.rstrip('/')}"

    @property
    def knobs(self) -> Knobs:
        return self._knobs

    def env(self) -> dict[str, str]:
        """HTTPS_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE, SSL_CERT_FILE for a client process, and
        in managed-identity mode IDENTITY_ENDPOINT and IDENTITY_HEADER."""
        if self.auth == MANAGED_IDENTITY:
            return {**self.proxy.env(), **self.managed_identity.env()}
        return self.proxy.env()

    def workspace_settings(self) -> dict[str, str]:
        """The qjobs settings that name this workspace: its connection string, or in
        managed-identity mode its resource id and location."""
        if self.auth == MANAGED_IDENTITY:
            return {
                "QJOBS_WORKSPACE_RESOURCE_ID": self.resource_id,
                "QJOBS_WORKSPACE_LOCATION": self.identity.region,
            }
        return {"QJOBS_WORKSPACE_CONNECTION_STRING": self.connection_string}

    def configure(self, **knobs: Any) -> Knobs:
        """Change knobs now; waiting jobs follow the new values. ValueError for a bad one."""
        with self._lock:
            self._knobs = self._knobs.replace(knobs)
            if "seed" in knobs:
                self._rng = random.Random(self._knobs.seed)
        self.lifecycle.wake()
        return self._knobs

    def created_jobs(self) -> list[dict[str, Any]]:
        """The details of every job a PUT created, in order."""
        return self.records.created_jobs()

    def cancel_calls(self) -> list[dict[str, str]]:
        """Every cancel call (POST :cancel or DELETE) for a known job: id, route, statusBefore."""
        return self.records.cancel_calls()

    def calls(self) -> dict[str, int]:
        """Calls received per route, e.g. {"PUT jobs/{id}": 1, "GET blob": 1}."""
        return self.records.calls()

    def faults(self) -> dict[str, int]:
        """Transient faults injected per route (those calls are counted in calls() too)."""
        return self.records.faults()

    def reset(self) -> None:
        """Forget jobs, blobs and records; knobs go back to their construction values."""
        with self._lock:
            self._knobs = self._initial_knobs
            self._rng = random.Random(self._knobs.seed)
        with self.lifecycle.condition:
            for job in self.records.clear():
                job.discarded = True
            self.lifecycle.condition.notify_all()
        self.store.clear()

    def start(self) -> QuantumStandIn:
        self.proxy.serve_tls(self.identity.host, self._serve_workspace)
        self.proxy.serve_tls(self.store.host, self._serve_blob)
        self.proxy.serve_tls(ARM_HOST, self._serve_arm)
        self.proxy.serve_plain(CONTROL_PREFIX, self._serve_control)
        if self._owns_proxy:
            self.proxy.start()
        return self

    def stop(self) -> None:
        """Stop the proxy if the stand-in made it; running jobs' threads end with the process."""
        self.reset()
        if self._owns_proxy:
            self.proxy.stop()

    def __enter__(self) -> QuantumStandIn:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _transient_status(self, route: str) -> int | None:
        """Count the call; 429 or 503 for the seeded fraction of calls, else None."""
        self.records.count_call(route)
        with self._lock:
            if self._rng.random() >= self._knobs.transient_error_rate:
                return None
            status = self._rng.choice(TRANSIENT_STATUSES)
        self.records.count_fault(route)
        return status

    def _azure_fault(self, route: str) -> Response | None:
        """The transient fault to answer on an Azure API call (data plane or ARM), or None."""
        status = self._transient_status(route)
        if status is None:
            return None
        response = azure_error(
            status,
            "TooManyRequests" if status == 429 else "ServiceUnavailable",
            "Transient fault (stand-in).",
        )
        response.headers["Retry-After"] = "0"
        return response

    def _serve_workspace(self, request: Request) -> Response:
        route, answer = self.workspace_api.resolve(request)
        fault = self._azure_fault(route)
        return fault or self.workspace_api.check(request) or answer(request)

    def _serve_arm(self, request: Request) -> Response:
        return self._azure_fault(self.arm_api.route(request)) or self.arm_api.handle(request)

    def _serve_blob(self, request: Request) -> Response:
        status = self._transient_status(self.blob_api.route(request))
        if status is not None:
            code = "ServerBusy" if status == 503 else "TooManyRequests"
            response = blob_error(status, code, "Transient fault (stand-in).")
            response.headers["Retry-After"] = "0"
            return response
        return self.blob_api.handle(request)

    def _serve_control(self, request: Request) -> Response:
        route = (request.method, request.path.rstrip("/"))
        if route == ("GET", "/standin/config"):
            return json_response(200, _knobs_json(self._knobs))
        if route == ("POST", "/standin/config"):
            try:
                changes = json.loads(request.body or b"{}")
                if not isinstance(changes, Mapping):
                    raise ValueError("the body must be a JSON object of knobs")
                return json_response(200, _knobs_json(self.configure(**changes)))
            except (ValueError, TypeError) as error:
                return _problem(400, "Bad knobs", str(error))
        if route == ("GET", "/standin/jobs"):
            jobs = [self.lifecycle.snapshot(job) for job in self.records.jobs()]
            return json_response(
                200,
                {
                    "jobs": jobs,
                    "created": self.created_jobs(),
                    "cancel_calls": self.cancel_calls(),
                    "calls": self.calls(),
                    "faults": self.faults(),
                },
            )
        if route == ("POST", "/standin/reset"):
            self.reset()
            return Response(204)
        return _problem(404, "Not found", f"No control route {request.method} {request.path}.")


def _knobs_json(knobs: Knobs) -> dict[str, Any]:
    return dict(vars(knobs))


def _problem(status: int, title: str, detail: str) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return Response(status, json.dumps(body).encode(), {"Content-Type": "application/problem+json"})
