"""The Azure Quantum workspace data plane, as azure-quantum 3.x calls it, under
`/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Quantum/workspaces/{ws}/`.

Choices where the live service could not be checked from here (no Azure access):
- a PUT for an id that exists answers 409 Conflict (`JobAlreadyExists`, the SDK raises
  ResourceExistsError) and never creates or changes a job: the caller GETs the job;
- cancelling a job already final answers 200 with its details unchanged."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from devhost.tls_proxy import Request, Response, error_body, json_response

from .blobs import CONTAINER_NAME, BlobStore
from .jobs import Job, Lifecycle, new_details
from .knobs import Knobs
from .records import Records
from .results import RESULTS_FORMAT

PROVIDERS: dict[str, list[tuple[str, int]]] = {
    "ionq": [("ionq.simulator", 29)],
    "quantinuum": [("quantinuum.sim.h2-1e", 56)],
    "rigetti": [("rigetti.sim.qvm", 20)],
}
INPUT_FORMATS = frozenset({"qir.v1"})
JOB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
FILTER_CLAUSE = re.compile(
    r"^startswith\(Name, '(?P<prefix>[^']*)'\)$"
    r"|^\((?P<field>ItemType|JobType|ProviderId|Target|State) eq '[^']*'"
    r"(?: or (?P=field) eq '[^']*')*\)$"
    r"|^CreationTime (?P<op>ge|le) (?P<date>\d{4}-\d{2}-\d{2})$"
)
FILTER_FIELDS = {
    "ItemType": "itemType",
    "JobType": "jobType",
    "ProviderId": "providerId",
    "Target": "target",
    "State": "status",
    "Name": "name",
    "CreationTime": "creationTime",
}

Route = Callable[[Request], Response]


def azure_error(status: int, code: str, message: str) -> Response:
    return Response(status, error_body(code, message), {"x-ms-request-id": str(uuid.uuid4())})


@dataclass(frozen=True)
class WorkspaceIdentity:
    subscription_id: str
    resource_group: str
    name: str
    region: str
    api_key: str

    @property
    def host(self) -> str:
        return f"{self.region}.quantum.azure.com"

    @property
    def resource_id(self) -> str:
        return (
            f"/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group}"
            f"/providers/Microsoft.Quantum/workspaces/{self.name}"
        )

    @property
    def prefix(self) -> str:
        return f"{self.resource_id}/"


class WorkspaceApi:
    def __init__(
        self,
        identity: WorkspaceIdentity,
        records: Records,
        lifecycle: Lifecycle,
        store: BlobStore,
        knobs: Callable[[], Knobs],
        auth_refusal: Callable[[Request], Response | None],
    ) -> None:
        self.identity = identity
        self.auth_refusal = auth_refusal
        self.records = records
        self.lifecycle = lifecycle
        self.store = store
        self.knobs = knobs

    def resolve(self, request: Request) -> tuple[str, Route]:
        """The route's name (for call counts) and the function that answers it."""
        prefix = self.identity.prefix
        if not request.path.lower().startswith(prefix.lower()):
            return "unknown", _not_found
        rest = request.path[len(prefix) :]
        method = request.method
        if rest == "storage/sasUri" and method == "POST":
            return "POST storage/sasUri", self._sas_uri
        if rest == "providerStatus" and method == "GET":
            return "GET providerStatus", self._provider_status
        if rest == "jobs" and method == "GET":
            return "GET jobs", self._list_jobs
        match = re.fullmatch(r"jobs/([^/:]+)(:cancel)?", rest)
        if match and match[2] and method == "POST":
            return "POST jobs/{id}:cancel", self._route_with(match[1], self._cancel)
        routes = {"PUT": self._create, "GET": self._get, "PATCH": self._update}
        if match and not match[2] and method in routes:
            return f"{method} jobs/{{id}}", self._route_with(match[1], routes[method])
        if match and not match[2] and method == "DELETE":
            return "DELETE jobs/{id}", self._route_with(match[1], self._cancel)
        return "unknown", _not_found

    def check(self, request: Request) -> Response | None:
        """The checks every call passes first: api-version, then authentication."""
        if not request.query.get("api-version"):
            return azure_error(
                400, "MissingApiVersionParameter", "The api-version query parameter is required."
            )
        return self.auth_refusal(request)

    @staticmethod
    def _route_with(job_id: str, route: Callable[[Request, str], Response]) -> Route:
        def answer(request: Request) -> Response:
            if not JOB_ID.match(job_id):
                return azure_error(400, "InvalidJobId", f"{job_id!r} is not a valid job id.")
            return route(request, job_id)

        return answer

    def _sas_uri(self, request: Request) -> Response:
        body = _json_object(request)
        container = body.get("containerName") if body else None
        blob = body.get("blobName") if body else None
        if not isinstance(container, str) or not CONTAINER_NAME.match(container):
            return azure_error(400, "InvalidContainerName", "containerName is missing or invalid.")
        if blob is not None and (not isinstance(blob, str) or not blob):
            return azure_error(400, "InvalidBlobName", "blobName must be a non-empty string.")
        self.store.create_container(container)
        if blob is None:
            return json_response(200, {"sasUri": self.store.sas_url(container)})
        return json_response(200, {"sasUri": self.store.sas_url(container, blob, "r")})

    def _provider_status(self, request: Request) -> Response:
        queue = int(self.knobs().queue_seconds)
        providers = [
            {
                "id": provider,
                "currentAvailability": "Available",
                "targets": [
                    {
                        "id": target,
                        "currentAvailability": "Available",
                        "averageQueueTime": queue,
                        "statusPage": None,
                        "numQubits": qubits,
                        "targetProfile": "Base",
                    }
                    for target, qubits in targets
                ],
            }
            for provider, targets in PROVIDERS.items()
        ]
        return json_response(200, {"value": providers, "nextLink": None})

    def _create(self, request: Request, job_id: str) -> Response:
        body = _json_object(request)
        problem = _definition_problem(body)
        if problem:
            return azure_error(400, "InvalidJobDefinition", problem)
        job = Job(new_details(job_id, body or {}))
        if not self.records.create(job):
            return azure_error(409, "JobAlreadyExists", f"A job with id {job_id} already exists.")
        self.lifecycle.start(job)
        return json_response(201, self.lifecycle.snapshot(job))

    def _get(self, request: Request, job_id: str) -> Response:
        job = self.records.job(job_id)
        if job is None:
            return _job_not_found(job_id)
        return json_response(200, self.lifecycle.snapshot(job))

    def _cancel(self, request: Request, job_id: str) -> Response:
        job = self.records.job(job_id)
        route = "DELETE" if request.method == "DELETE" else "cancel"
        if job is None:
            return _job_not_found(job_id)
        self.records.record_cancel(job_id, route, job.status)
        self.lifecycle.cancel(job)
        if request.method == "DELETE":
            return Response(204)
        return json_response(200, self.lifecycle.snapshot(job))

    def _update(self, request: Request, job_id: str) -> Response:
        job = self.records.job(job_id)
        if job is None:
            return _job_not_found(job_id)
        changes = _update_changes(request)
        if changes is None:
            return azure_error(400, "InvalidRequestBody", "Expected name, priority and/or tags.")
        with self.lifecycle.condition:
            job.details.update(changes)
        details = self.lifecycle.snapshot(job)
        return json_response(
            200,
            {key: details[key] for key in ("id", "name", "priority", "tags")},
        )

    def _list_jobs(self, request: Request) -> Response:
        query = request.query
        try:
            keep = _filter(query.get("filter", [""])[0])
            top = int(query.get("top", ["100"])[0])
            skip = int(query.get("skip", ["0"])[0])
            order = _order(query.get("orderby", [""])[0])
        except ValueError as error:
            return azure_error(400, "InvalidQueryParameter", str(error))
        if top < 1 or skip < 0:
            return azure_error(400, "InvalidQueryParameter", "top must be >= 1 and skip >= 0.")
        jobs = [self.lifecycle.snapshot(job) for job in self.records.jobs()]
        jobs = [job for job in jobs if keep(job)]
        field, descending = order
        jobs.sort(key=lambda job: str(job.get(field) or ""), reverse=descending)
        page = jobs[skip : skip + top]
        next_link = None
        if skip + top < len(jobs):
            params = {key: values[0] for key, values in query.items() if key != "skip"}
            params["skip"] = str(skip + top)
            next_link = (
                f"https://{self.identity.host}{self.identity.prefix}jobs?{urlencode(params)}"
            )
        return json_response(200, {"value": page, "nextLink": next_link})


def _not_found(request: Request) -> Response:
    return azure_error(404, "NotFound", f"No such resource: {request.method} {request.path}")


def _job_not_found(job_id: str) -> Response:
    return azure_error(404, "JobNotFound", f"Job {job_id} was not found in the workspace.")


def _json_object(request: Request) -> dict[str, Any] | None:
    try:
        body = json.loads(request.body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def _definition_problem(body: dict[str, Any] | None) -> str | None:
    if body is None:
        return "The body must be a JSON object with the job details."
    for name in ("providerId", "target", "containerUri", "inputDataFormat"):
        if not isinstance(body.get(name), str) or not body[name]:
            return f"{name} is required."
    targets = [target for target, _ in PROVIDERS.get(body["providerId"].lower(), [])]
    if body["target"] not in targets:
        return f"Target {body['target']} is not offered by provider {body['providerId']}."
    if body["inputDataFormat"] not in INPUT_FORMATS:
        return f"inputDataFormat {body['inputDataFormat']} is not supported (only qir.v1)."
    if body.get("outputDataFormat") not in (None, RESULTS_FORMAT):
        return f"outputDataFormat must be {RESULTS_FORMAT}."
    params = body.get("inputParams")
    if params is not None and not isinstance(params, dict):
        return "inputParams must be an object."
    return None


def _update_changes(request: Request) -> dict[str, Any] | None:
    """Merge patch {name, priority, tags}, or the older JSON Patch list of replace ops."""
    try:
        body = json.loads(request.body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    if isinstance(body, list):
        body = {
            op.get("path", "").lstrip("/"): op.get("value")
            for op in body
            if isinstance(op, dict) and op.get("op") in ("replace", "add")
        }
    if not isinstance(body, dict) or not body or not set(body) <= {"name", "priority", "tags"}:
        return None
    return body


def _filter(expression: str) -> Callable[[dict[str, Any]], bool]:
    """The OData subset azure-quantum's Workspace._create_filter writes."""
    tests: list[Callable[[dict[str, Any]], bool]] = []
    for clause in filter(None, expression.split(" and ")):
        match = FILTER_CLAUSE.match(clause)
        if not match:
            raise ValueError(f"Unsupported filter clause: {clause}")
        if match["prefix"] is not None:
            prefix = match["prefix"]
            tests.append(lambda job, p=prefix: str(job.get("name") or "").startswith(p))
        elif match["field"]:
            key = FILTER_FIELDS[match["field"]]
            allowed = set(re.findall(r"eq '([^']*)'", clause))
            tests.append(lambda job, k=key, a=allowed: job.get(k) in a)
        else:
            date, later = match["date"], match["op"] == "ge"
            tests.append(
                lambda job, d=date, ge=later: (
                    (job["creationTime"][:10] >= d) if ge else (job["creationTime"][:10] <= d)
                )
            )
    return lambda job: all(test(job) for test in tests)


def _order(expression: str) -> tuple[str, bool]:
    if not expression:
        return "creationTime", False
    field, _, direction = expression.partition(" ")
    if field not in FILTER_FIELDS or direction not in ("", "asc", "desc"):
        raise ValueError(f"Unsupported orderby: {expression}")
    return FILTER_FIELDS[field], direction == "desc"
