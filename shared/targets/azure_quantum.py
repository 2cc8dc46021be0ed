"""Azure Quantum targets through the `azure-quantum` SDK.

The SDK is synchronous: the activities call these methods in a worker thread. The provider
job id is the qjobs job id, so a repeated submission (an activity run again after a crash)
finds the provider job already there and never creates a second one.

Input and output blobs go through our own blob clients rather than the SDK's
`Job.from_input_data` / `download_data`: its upload refuses to overwrite (so a submission
retried after the upload but before the job's PUT could never succeed), and
azure-storage-blob's default retry waits 15 s and more between attempts.

Errors are sorted once, here: throttling, 5xx, timeouts and connection failures raise
TargetUnreachable (the orchestration keeps polling, the activity is retried); anything else
the workspace refuses raises TargetRejected with the provider's message, and the job fails.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from azure.core.exceptions import (
    HttpResponseError,
    ResourceNotFoundError,
    ServiceRequestError,
    ServiceResponseError,
)
from azure.quantum import Job, Workspace
from azure.storage.blob import BlobClient, ContainerClient, ContentSettings, LinearRetry

from ..jobs import JobError, JobState
from ..solvers.compile_pool import CompilePoolBusy, on_behalf_of
from ..solvers.program_text import ProgramError
from ..solvers.provider_results import counts_from_results_v2
from ..solvers.qir import QirProgram, compile_to_qir
from ..workspace import WorkspaceCoordinates
from . import TargetJobLost, TargetRejected, TargetStatus, TargetUnreachable
from .catalog import INPUT_FORMAT, OUTPUT_FORMAT, RemoteTarget

# Every provider status the workspace reports, as a qjobs state.
PROVIDER_STATES = {
    "Queued": JobState.WAITING,
    "Waiting": JobState.WAITING,
    "Executing": JobState.EXECUTING,
    "Finishing": JobState.EXECUTING,
    "CancellationRequested": JobState.EXECUTING,
    "Cancelling": JobState.EXECUTING,
    "Succeeded": JobState.SUCCEEDED,
    "Completed": JobState.SUCCEEDED,
    "Failed": JobState.FAILED,
    "Cancelled": JobState.CANCELLED,
}
_MAX_MESSAGE = 1000
_INPUT_BLOB = "inputData"
_T = TypeVar("_T")


def _blob_retry() -> LinearRetry:
    """About 1 s between attempts, 5 retries: a blob hiccup costs seconds, not minutes."""
    return LinearRetry(backoff=1, random_jitter_range=0.5, retry_total=5)


_workspaces: dict[tuple[str | None, str, str], Workspace] = {}
_workspaces_lock = threading.Lock()


def workspace_client(coordinates: WorkspaceCoordinates) -> Workspace:
    """One SDK Workspace per workspace and process: from the connection string when there is
    one, otherwise the ARM coordinates with the managed identity."""
    key = (coordinates.connection_string, coordinates.resource_id, coordinates.location)
    with _workspaces_lock:
        workspace = _workspaces.get(key)
        if workspace is None:
            if coordinates.connection_string:
                workspace = Workspace.from_connection_string(coordinates.connection_string)
            else:
                from azure.identity import DefaultAzureCredential

                workspace = Workspace(
                    resource_id=coordinates.resource_id,
                    location=coordinates.location,
                    credential=DefaultAzureCredential(),
                )
            workspace.append_user_agent("qjobs")
            _workspaces[key] = workspace
        return workspace


def _brief(error: Exception) -> str:
    if isinstance(error, HttpResponseError) and error.error is not None:
        text = f"{error.error.code}: {error.error.message}"
    else:
        text = str(error)
    text = " ".join(text.split())
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


def _is_transient(error: Exception) -> bool:
    if isinstance(error, ServiceRequestError | ServiceResponseError):
        return True
    status = getattr(error, "status_code", None) or 0
    return status in (408, 429) or status >= 500


def _call(target: str, step: str, call: Callable[[], _T]) -> _T:
    """Run one SDK call, turning its failures into the target errors the activities know."""
    try:
        return call()
    except ResourceNotFoundError:
        raise
    except HttpResponseError as error:
        if _is_transient(error):
            raise TargetUnreachable(f"{target}: {step}: {_brief(error)}") from error
        raise TargetRejected(
            JobError(
                "target_error",
                f"Azure Quantum refused to {step} the job on {target}: {_brief(error)}",
            )
        ) from error
    except (ServiceRequestError, ServiceResponseError) as error:
        raise TargetUnreachable(f"{target}: {step}: {_brief(error)}") from error


@dataclass(frozen=True)
class AzureQuantumTarget:
    info: RemoteTarget
    coordinates: WorkspaceCoordinates

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def _workspace(self) -> Workspace:
        return workspace_client(self.coordinates)

    def _job(self, job_id: str, step: str) -> Job:
        try:
            return _call(self.name, step, lambda: self._workspace.get_job(job_id))
        except ResourceNotFoundError:
            raise TargetJobLost(job_id) from None

    def submit(self, job_id: str, kind: str, problem: dict[str, Any], owner: str) -> str:
        """Compile and submit the job (`owner` waits its fair turn for a compile worker; the
        provider queues by workspace, not by qjobs client)."""
        self.create(job_id, self.compiled(kind, problem, owner), problem["shots"])
        return job_id

    def compiled(self, kind: str, problem: dict[str, Any], owner: str) -> QirProgram:
        """The program as QIR for this target's profile (TargetRejected if it cannot run)."""
        try:
            with on_behalf_of(owner):
                return compile_to_qir(kind, problem, self.info.provider.profile)
        except ProgramError as error:
            raise TargetRejected(
                JobError("invalid_program", f"{self.name} cannot run the program: {error}")
            ) from None
        except CompilePoolBusy as error:
            raise TargetUnreachable(f"{self.name}: compiling: {error}") from error

    def create(self, job_id: str, program: QirProgram, shots: int) -> None:
        """Create provider job `job_id`; one that exists already (an earlier attempt created
        it) is that job."""
        params = {
            "entryPoint": program.entry_point,
            "arguments": program.arguments,
            "shots": shots,
            "target_profile": self.info.provider.profile,
        }

        def create() -> None:
            workspace = self._workspace
            container_uri = workspace.get_container_uri(job_id=job_id)
            container = ContainerClient.from_container_url(
                container_uri, retry_policy=_blob_retry()
            )
            blob = container.get_blob_client(_INPUT_BLOB)
            blob.upload_blob(
                program.bitcode,
                overwrite=True,
                content_settings=ContentSettings(content_type=INPUT_FORMAT),
            )
            Job.from_storage_uri(
                workspace,
                name=f"qjobs-{job_id}",
                target=self.name,
                input_data_uri=blob.url.split("?")[0],
                container_uri=container_uri,
                job_id=job_id,
                provider_id=self.info.provider.id,
                input_data_format=INPUT_FORMAT,
                output_data_format=OUTPUT_FORMAT,
                input_params=params,
                tags=["qjobs"],
            )

        try:
            _call(self.name, "submit", create)
        except TargetRejected as error:
            # An earlier attempt created it (a repeated activity): that is the job. Creating
            # first and looking up only then saves a round trip on every other submission.
            cause = error.__cause__
            if getattr(cause, "status_code", None) != 409:
                raise

    def read_blob(self, job_id: str, name: str) -> bytes | None:
        """Blob `name` of job `job_id`'s container in the workspace's storage, or None."""

        def download() -> bytes | None:
            blob = self._container(job_id).get_blob_client(name)
            try:
                return blob.download_blob().readall()
            except ResourceNotFoundError:
                return None

        return _call(self.name, "read the state of", download)

    def write_blob(self, job_id: str, name: str, data: bytes) -> None:
        """Write blob `name` of job `job_id`'s container in the workspace's storage."""

        def upload() -> None:
            blob = self._container(job_id).get_blob_client(name)
            blob.upload_blob(data, overwrite=True)

        _call(self.name, "record the state of", upload)

    def _container(self, job_id: str) -> ContainerClient:
        container_uri = self._workspace.get_container_uri(job_id=job_id)
        return ContainerClient.from_container_url(container_uri, retry_policy=_blob_retry())

    async def settle(self, target_job_id: str, seconds: float) -> None:
        """A provider job is never done this quickly: the orchestrator's timers wait."""

    def status(self, target_job_id: str) -> TargetStatus:
        details = self._job(target_job_id, "poll").details
        provider: dict[str, Any] = {"status": details.status}
        cost = details.cost_estimate
        if cost is not None and cost.estimated_total is not None:
            provider["cost_estimate"] = {
                "currency": cost.currency_code,
                "total": cost.estimated_total,
            }
        state = PROVIDER_STATES.get(details.status, JobState.EXECUTING)
        error = None
        if state is JobState.FAILED:
            data = details.error_data
            code = getattr(data, "code", None) or "Unknown"
            message = " ".join((getattr(data, "message", None) or "no message").split())
            provider["error"] = {"code": code, "message": message[:_MAX_MESSAGE]}
            error = JobError(
                "target_error", f"{self.name} failed the job: {code}: {message[:_MAX_MESSAGE]}"
            )
        return TargetStatus(state, error, provider)

    def output(self, target_job_id: str) -> dict[str, Any]:
        job = self._job(target_job_id, "read the output of")

        def download() -> bytes:
            # The SDK's own helper: it adds a SAS when the output URI carries none.
            url = job._get_blob_uri_with_sas_token(job.details.output_data_uri)
            blob = BlobClient.from_blob_url(url, retry_policy=_blob_retry())
            return blob.download_blob().readall()

        payload = _call(self.name, "read the output of", download)
        try:
            counts, shots = counts_from_results_v2(payload)
        except ValueError as error:
            raise TargetRejected(
                JobError("target_error", f"{self.name} returned an unreadable result: {error}")
            ) from None
        return {"counts": counts, "shots": shots}

    def cancel(self, target_job_id: str) -> None:
        try:
            job = self._job(target_job_id, "cancel")
        except TargetJobLost:
            return
        if PROVIDER_STATES.get(job.details.status, JobState.EXECUTING).is_final:
            return
        _call(self.name, "cancel", lambda: self._workspace.cancel_job(job))
