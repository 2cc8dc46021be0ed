"""Blob Storage for jobs: the job record (with its input) and the result.

Layout in the container (QJOBS_BLOB_CONTAINER):
  jobs/<owner tag>/<newest-first key>-<job id>.json
      the job record: {"job": id, owner, name, kind, target, created; "problem": the validated
      input}. Its metadata carries status, kind, target, name and created, so one listing call
      answers GET /api/jobs, and the record is found from the job's spec alone.
  results/<job id>.json
      the result, once succeeded.
  keys/<job id>.json
      for a job submitted with an Idempotency-Key: its spec, created by the one request that
      owns the key's job id (created only, never replaced, so concurrent requests agree).
  cancels/<job id>.json
      written when the job's caller asks to cancel it (see job_control.request_cancel).
  webhook-secrets/<owner hash>.json
      a client's webhook secret generation and when it was last rotated (webhooks/secrets.py).
Records and results are immutable once written except the record's metadata, so each process
keeps the ones it wrote recently (bounded) and reads them back without a round trip: the submit
activity and the result read usually run in the process that wrote them.

The same code runs against Azure Storage (account URL + managed identity) and Azurite
(connection string); only settings differ.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote

from azure.core import MatchConditions
from azure.core.exceptions import (
    AzureError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
)
from azure.storage.blob.aio import BlobServiceClient, ContainerClient, LinearRetry

from .config import Settings, settings
from .deadlines import within_deadline
from .identity import azure_credential
from .jobs import JobSpec, JobState

_JSON = "application/json"
_RECENT_MAX_ITEMS = 1024  # recently written records and results kept per process
_RECENT_MAX_BYTES = 64 * 1024  # larger ones are always read from storage
_SCAN_LIMIT = 5000  # records examined per list request before answering with a token
_NEWEST_FIRST_BASE = 10**13  # milliseconds; keys sort newest first until the year 2286


class StorageUnavailable(Exception):
    """Blob Storage did not answer or refused; callers answer 503 and retry later."""


@dataclass(frozen=True)
class IdClaim:
    """Who holds a job id: `etag` is None when the caller itself just claimed it."""

    holder: JobSpec
    etag: str | None


class InvalidContinuation(ValueError):
    """A continuation token that this API did not issue."""


@dataclass(frozen=True)
class RecordFilter:
    states: frozenset[JobState] = frozenset()
    target: str | None = None
    name_prefix: str | None = None
    # Every one of these tags; created in [created_after, created_before); one of these ids.
    tags: frozenset[str] = frozenset()
    created_after: datetime | None = None
    created_before: datetime | None = None
    ids: frozenset[str] | None = None

    def matches(self, metadata: dict[str, str]) -> bool:
        if self.states and metadata.get("status") not in self.states:
            return False
        if self.target is not None and metadata.get("target") != self.target:
            return False
        if self.ids is not None and metadata.get("jobid") not in self.ids:
            return False
        if self.tags and not self.tags <= set(_tags_of(metadata)):
            return False
        if self.created_after or self.created_before:
            created = datetime.fromisoformat(metadata.get("created", ""))
            if self.created_after is not None and created <= self.created_after:
                return False
            if self.created_before is not None and created >= self.created_before:
                return False
        return self.name_prefix is None or unquote(metadata.get("name") or "").startswith(
            self.name_prefix
        )


def _tags_of(metadata: dict[str, str]) -> list[str]:
    return [tag for tag in (metadata.get("tags") or "").split(",") if tag]


def result_blob(job_id: str) -> str:
    return f"results/{job_id}.json"


def owner_prefix(owner: str) -> str:
    return f"jobs/{hashlib.sha256(owner.encode()).hexdigest()[:32]}/"


def key_blob(job_id: str) -> str:
    return f"keys/{job_id}.json"


def webhook_secret_blob(owner: str) -> str:
    return f"webhook-secrets/{hashlib.sha256(owner.encode()).hexdigest()[:32]}.json"


def cancel_blob(job_id: str) -> str:
    return f"cancels/{job_id}.json"


def record_blob(spec: JobSpec) -> str:
    created_ms = int(datetime.fromisoformat(spec.created).timestamp() * 1000)
    return f"{owner_prefix(spec.owner)}{_NEWEST_FIRST_BASE - created_ms:013d}-{spec.id}.json"


def record_metadata(spec: JobSpec, state: JobState) -> dict[str, str]:
    """Blob metadata is ASCII: the free-text name is percent-encoded."""
    return {
        "status": state.value,
        "kind": spec.kind,
        "target": spec.target,
        "created": spec.created,
        "name": quote(spec.name or "", safe=""),
        "jobid": spec.id,
        "tags": ",".join(spec.tags or []),
    }


def listed_job(metadata: dict[str, str]) -> dict[str, Any]:
    """A job as GET /api/jobs lists it, from its record's metadata."""
    return {
        "id": metadata["jobid"],
        "name": unquote(metadata.get("name") or "") or None,
        "kind": metadata["kind"],
        "target": metadata["target"],
        "status": metadata["status"],
        "tags": _tags_of(metadata),
        "created": metadata["created"],
    }


def _token_mac(prefix: str, position: str) -> str:
    """The HMAC of a list position, bound to the owner's record prefix: a token is valid
    only as issued, and only for the caller it was issued to."""
    message = f"qjobs-list-token\n{prefix}\n{position}".encode()
    mac = hmac.digest(settings().list_token_key, message, "sha256")
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def _encode_token(prefix: str, marker: str | None, skip: int) -> str:
    raw = json.dumps({"m": marker, "s": skip}, separators=(",", ":")).encode()
    position = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return f"{position}.{_token_mac(prefix, position)}"


def _decode_token(prefix: str, token: str) -> tuple[str | None, int]:
    """The list position a token holds; InvalidContinuation unless this API issued it to
    the owner of `prefix` (checked before anything in it is read)."""
    position, _, mac = token.partition(".")
    if not token.isascii() or not hmac.compare_digest(mac, _token_mac(prefix, position)):
        raise InvalidContinuation(token)
    try:
        data = json.loads(base64.urlsafe_b64decode(position + "=" * (-len(position) % 4)))
        marker, skip = data["m"], data["s"]
    except (ValueError, TypeError, KeyError, binascii.Error):
        raise InvalidContinuation(token) from None
    if not (marker is None or isinstance(marker, str)) or not isinstance(skip, int) or skip < 0:
        raise InvalidContinuation(token)
    return marker, skip


class JobStore:
    """The job blobs of one container; every failure to reach storage is StorageUnavailable."""

    def __init__(self, container: ContainerClient) -> None:
        self._container = container
        self._container_ready = False
        self._recent: OrderedDict[str, Any] = OrderedDict()

    def _remember(self, name: str, value: Any, size: int) -> None:
        if size > _RECENT_MAX_BYTES:
            return
        self._recent[name] = value
        if len(self._recent) > _RECENT_MAX_ITEMS:
            self._recent.popitem(last=False)

    async def _read_json(self, name: str) -> Any | None:
        if name in self._recent:
            return self._recent[name]
        return await _guard(self._download_json(name))

    async def _upload(
        self,
        name: str,
        data: bytes,
        metadata: dict[str, str] | None = None,
        *,
        overwrite: bool = True,
    ) -> None:
        for attempt in (1, 2):
            try:
                await self._container.upload_blob(
                    name, data, overwrite=overwrite, metadata=metadata, content_type=_JSON
                )
                return
            except ResourceNotFoundError:
                if attempt == 2 or self._container_ready:
                    raise
                await self._create_container()

    async def _create_container(self) -> None:
        with contextlib.suppress(ResourceExistsError):
            await self._container.create_container()
        self._container_ready = True

    async def _download_json(self, name: str) -> Any | None:
        try:
            downloader = await self._container.download_blob(name)
            return json.loads(await downloader.readall())
        except ResourceNotFoundError:
            return None

    async def put_job(
        self, spec: JobSpec, problem: dict[str, Any], state: JobState = JobState.WAITING
    ) -> None:
        """Write the job record with its input (in state waiting, unless it is restored)."""
        public = {k: v for k, v in spec.to_json().items() if k in _RECORD_FIELDS}
        data = _json_bytes({"job": public, "problem": problem})
        name = record_blob(spec)
        await _guard(self._upload(name, data, record_metadata(spec, state)))
        self._remember(name, {"problem": problem}, len(data))

    async def get_problem(self, spec: JobSpec) -> dict[str, Any] | None:
        record = await self._read_json(record_blob(spec))
        return None if record is None else record["problem"]

    async def put_result(self, job_id: str, result: dict[str, Any]) -> None:
        data = _json_bytes(result)
        await _guard(self._upload(result_blob(job_id), data))
        self._remember(result_blob(job_id), result, len(data))

    async def get_result(self, job_id: str) -> dict[str, Any] | None:
        return await self._read_json(result_blob(job_id))

    async def set_record_state(self, spec: JobSpec, state: JobState) -> bool:
        """Show the job's state in its record's metadata; False when there is no record."""
        blob = self._container.get_blob_client(record_blob(spec))
        try:
            await _guard(blob.set_blob_metadata(record_metadata(spec, state)))
        except ResourceNotFoundError:
            return False
        return True

    async def claim_job_id(self, spec: JobSpec) -> IdClaim:
        """Claim the spec's job id for this request, or learn who holds it.

        The first request to create the id's key blob owns the id; every later one gets the
        holder's spec (and the blob's etag, to release a claim whose holder died).
        """
        data = _json_bytes(spec.to_json())
        try:
            await _guard(self._upload(key_blob(spec.id), data, overwrite=False))
            return IdClaim(spec, etag=None)
        except ResourceExistsError:
            pass
        claim = await self.id_claim(spec.id)
        if claim is None:  # released a moment ago: claim it afresh
            return await self.claim_job_id(spec)
        return claim

    async def id_claim(self, job_id: str) -> IdClaim | None:
        """Who holds the job id now (None when nobody does)."""
        try:
            downloader = await _guard(self._container.download_blob(key_blob(job_id)))
            holder = JobSpec.from_json(json.loads(await _guard(downloader.readall())))
        except ResourceNotFoundError:
            return None
        return IdClaim(holder, etag=downloader.properties.etag)

    async def release_job_id(self, job_id: str, etag: str | None = None) -> None:
        """Give up a job id's claim (only if its blob still has this etag, when given)."""
        condition: dict[str, Any] = (
            {} if etag is None else {"etag": etag, "match_condition": MatchConditions.IfNotModified}
        )
        with contextlib.suppress(ResourceNotFoundError, ResourceModifiedError):
            await _guard(self._container.delete_blob(key_blob(job_id), **condition))

    async def release_claim_of(self, spec: JobSpec) -> None:
        """Give up the job id's claim if this very submission (`spec`) holds it."""
        claim = await self.id_claim(spec.id)
        if claim is not None and claim.holder == spec:
            await self.release_job_id(spec.id, claim.etag)

    async def mark_cancel_requested(self, job_id: str) -> None:
        """Record that the job's caller asked to cancel it (the cancel event can be lost
        when it reaches the orchestration as it starts its next episode)."""
        await _guard(self._upload(cancel_blob(job_id), b"{}"))

    async def cancel_requested(self, job_id: str) -> bool:
        """Whether a cancel was recorded for the job (read from storage, never remembered:
        another process may have written it)."""
        blob = self._container.get_blob_client(cancel_blob(job_id))
        return bool(await _guard(blob.exists()))

    async def get_webhook_rotation(self, owner: str) -> dict[str, Any] | None:
        """The client's webhook secret rotation record (read from storage, never remembered:
        another instance may rotate it)."""
        return await _guard(self._download_json(webhook_secret_blob(owner)))

    async def put_webhook_rotation(self, owner: str, rotation: dict[str, Any]) -> None:
        await _guard(self._upload(webhook_secret_blob(owner), _json_bytes(rotation)))

    async def delete_job(self, spec: JobSpec) -> None:
        """Remove the record of a job that never started (a missing record is fine)."""
        self._recent.pop(record_blob(spec), None)
        with contextlib.suppress(ResourceNotFoundError):
            await _guard(self._container.delete_blob(record_blob(spec)))

    async def delete_job_blobs(self, spec: JobSpec) -> None:
        """Remove a job's record, result and cancel record (retention; each may be gone)."""
        names = (record_blob(spec), result_blob(spec.id), cancel_blob(spec.id))
        for name in names:
            self._recent.pop(name, None)
        await asyncio.gather(*(self._delete_if_present(name) for name in names))

    async def _delete_if_present(self, name: str) -> None:
        with contextlib.suppress(ResourceNotFoundError):
            await _guard(self._container.delete_blob(name))

    async def list_records(
        self, owner: str, where: RecordFilter, limit: int, token: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """The owner's records, newest first, and a token for the rest (None at the end)."""
        prefix = owner_prefix(owner)
        marker, skip = _decode_token(prefix, token) if token else (None, 0)
        return await _guard(self._list(prefix, where, limit, marker, skip))

    async def _list(
        self, prefix: str, where: RecordFilter, limit: int, marker: str | None, skip: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        found: list[dict[str, Any]] = []
        scanned = 0
        pages = self._container.list_blobs(
            name_starts_with=prefix, include=["metadata"], results_per_page=200
        ).by_page(continuation_token=marker)
        try:
            async for page in pages:
                blobs = [blob async for blob in page]
                next_marker = pages.continuation_token
                for index in range(skip, len(blobs)):
                    scanned += 1
                    metadata = blobs[index].metadata or {}
                    if "jobid" in metadata and where.matches(metadata):
                        found.append(listed_job(metadata))
                    if len(found) == limit or scanned >= _SCAN_LIMIT:
                        if index + 1 < len(blobs):
                            return found, _encode_token(prefix, marker, index + 1)
                        if next_marker:
                            return found, _encode_token(prefix, next_marker, 0)
                        return found, None
                marker, skip = next_marker, 0
        except ResourceNotFoundError:
            return found, None
        return found, None


_RECORD_FIELDS = ("id", "owner", "name", "kind", "target", "created", "tags")


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), allow_nan=False).encode()


async def _guard(operation: Any) -> Any:
    try:
        return await within_deadline(operation)
    except (ResourceNotFoundError, ResourceExistsError, ResourceModifiedError):
        raise
    except (TimeoutError, AzureError, OSError) as error:
        raise StorageUnavailable(type(error).__name__) from error


# Retry quickly (the storage SDK's own default backs off 15 s, 18 s...). A request gives up
# a call after its dependency deadline whatever these say; activities wait them out.
_CLIENT_OPTIONS: dict[str, Any] = {
    "retry_policy": LinearRetry(backoff=0.3, random_jitter_range=0, retry_total=2),
    "connection_timeout": 3,
    "read_timeout": 20,
}
_stores: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, JobStore] = (
    weakref.WeakKeyDictionary()
)


def _service_client(config: Settings, credential: Callable[[], Any]) -> BlobServiceClient:
    if config.blob_connection_string:
        return BlobServiceClient.from_connection_string(
            config.blob_connection_string, **_CLIENT_OPTIONS
        )
    if config.blob_account_url:
        return BlobServiceClient(config.blob_account_url, credential(), **_CLIENT_OPTIONS)
    raise StorageUnavailable(
        "no storage configured: set QJOBS_BLOB_CONNECTION_STRING, QJOBS_BLOB_ACCOUNT_URL "
        "or AzureWebJobsStorage"
    )


def job_store() -> JobStore:
    """This event loop's store (aio clients belong to the loop that created them)."""
    loop = asyncio.get_running_loop()
    store = _stores.get(loop)
    if store is None:
        config = settings()
        service = _service_client(config, azure_credential)
        store = JobStore(service.get_container_client(config.blob_container))
        _stores[loop] = store
    return store
