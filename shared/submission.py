"""Accepting a job: validate the request, store its record and input, start its orchestration.

Storage is written before the orchestration starts and cleaned up if it cannot start, so a
failure leaves no half-created job behind.

A request's program is checked in the compile pool (solvers/compile_pool.py), which may keep the
checking thread waiting for a free worker: requests are parsed in threads of their own, more
than can wait there at once (a full queue refuses at once), so the threads every other
`asyncio.to_thread` shares (the activities', say) never wait behind another client's compiles.

Requests with one Idempotency-Key share one job id. Starting an orchestration is no lock (the
durable host replaces a finished instance), so the id is claimed in Blob Storage first: only
the request that creates the id's key blob writes a record and starts the job; every other
one waits for that job and answers its replay, or 422 for a different request.

A submission that fails (a dependency down or past its deadline) removes its record and
releases its claim: at once when storage answers, else in the background until it does (a
frozen storage may take in the writes it was sent late). A claim whose holder cannot still be
starting its job (older than the holder's dependency deadlines allow) is taken over.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import azure.durable_functions as df
import azure.functions as func

from .config import settings
from .estimates import estimate_of
from .http import read_json_object
from .job_control import OrchestrationUnavailable, find_job, start_job
from .job_events import log_client_event, log_job_event
from .jobs import JobSpec, JobState, JobView, Lifecycle, new_job_id, timestamp, utc_now
from .kinds import KINDS, InvalidJob, JobKind, batch_fields, kind_named
from .kinds.fields import ENVELOPE, Problems
from .problems import ApiError, invalid_request
from .quotas import quotas
from .solvers.batch_programs import check_batch_profile
from .solvers.compile_pool import MAX_WAITING, on_behalf_of
from .solvers.profile_words import blockers
from .solvers.program_text import ProgramError
from .solvers.qdk_calls import ProfileError
from .solvers.qir import check_profile
from .storage import IdClaim, StorageUnavailable, job_store
from .tags import RULE as TAGS_RULE
from .tags import parse_tags
from .targets import offered_remote_targets
from .targets.catalog import REMOTE_KINDS, RemoteTarget
from .webhooks.subscription import parse_webhook
from .workspace import WorkspaceCoordinates, workspace_coordinates

log = logging.getLogger("qjobs.submit")

T = TypeVar("T")
_NAME = re.compile(r"[^\x00-\x1f\x7f]{1,200}")
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")
# A request that finds its Idempotency-Key held waits this long for the holder's job to start.
_HOLDER_FIRST_WAIT_SECONDS = 0.02
_HOLDER_MAX_WAIT_SECONDS = 10.0
# After claiming, a submission makes at most this many dependency calls before it has started
# its job or given up; slack covers clock skew between hosts and a busy event loop.
_CALLS_AFTER_CLAIM = 3
_CLAIM_SLACK = timedelta(seconds=5)
# A failed submission's clean-up retries this long while storage does not answer.
_CLEANUP_SECONDS = 120.0
_CLEANUP_MAX_WAIT_SECONDS = 1.0
_cleanups: set[asyncio.Task[None]] = set()
# Threads for parsing and checking requests: more than MAX_WAITING + the compile workers.
_CHECKING = ThreadPoolExecutor(max_workers=MAX_WAITING + 128, thread_name_prefix="qjobs-check")


@dataclass(frozen=True)
class JobRequest:
    kind: JobKind
    name: str | None
    target: str
    problem: dict[str, Any]
    tags: list[str] = dataclasses.field(default_factory=list)
    webhook: str | None = None
    webhook_events: list[str] | None = None

    def fingerprint(self) -> str:
        """Identifies the request, to tell a repeat from a different job under one key."""
        fields: list[Any] = [self.kind.name, self.name, self.target, self.problem]
        # Appended only when present, so a request without them keeps its earlier fingerprint.
        if self.tags or self.webhook:
            fields += [self.tags, self.webhook, self.webhook_events]
        canonical = json.dumps(fields, sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Accepted:
    view: JobView
    replayed: bool


def parse_job_request(body: dict[str, Any]) -> JobRequest:
    """The job a request body describes (400/413 problems for anything else, listing every
    bad field of the envelope and of the kind's fields)."""
    try:
        return _job_request(body)
    except InvalidJob as error:
        found = [{"detail": e.detail, "pointer": e.pointer} for e in error.each()]
        raise invalid_request(error.detail, error.pointer, error.status, found) from None


def _job_request(body: dict[str, Any]) -> JobRequest:
    problems = Problems()
    kind: JobKind | None = None
    with problems.check():
        kind = kind_named(body.get("kind"))
    name = body.get("name")
    with problems.check():
        if name is not None and not (
            isinstance(name, str) and _NAME.fullmatch(name) and _is_unicode(name)
        ):
            raise InvalidJob(
                "'name' must be a string of 1 to 200 characters without control characters.",
                pointer="/name",
            )
    tags: list[str] | None = []
    with problems.check():
        tags = parse_tags(body.get("tags", []))
        if tags is None:
            raise InvalidJob(f"'tags' must be a list of {TAGS_RULE}.", pointer="/tags")
    with problems.check():
        webhook, webhook_events = parse_webhook(body)
    if kind is not None:
        targets = offered_targets(kind)
        target = body.get("target", targets[0])
        with problems.check():
            if target not in targets:
                raise InvalidJob(_wrong_target(kind, target, targets), pointer="/target")
        with problems.check():
            problem = batch_fields.validate(
                kind, {k: v for k, v in body.items() if k not in ENVELOPE}
            )
    problems.raise_any()
    assert kind is not None and tags is not None  # else problems were raised
    return JobRequest(kind, name, target, problem, tags, webhook, webhook_events)


def offered_targets(kind: JobKind) -> tuple[str, ...]:
    """The targets that run `kind`: its local ones first (the default), then Azure Quantum's."""
    if kind.name not in REMOTE_KINDS:
        return kind.targets
    return kind.targets + tuple(offered_remote_targets())


async def _checking(owner: str, function: Callable[..., T], *args: Any) -> T:
    """function(*args) in a checking thread, its programs compiled on behalf of `owner`."""

    def as_owner() -> T:
        with on_behalf_of(owner):
            return function(*args)

    return await asyncio.get_running_loop().run_in_executor(_CHECKING, as_owner)


def every_offered_target() -> list[str]:
    """The names of every target this deployment offers, for any kind."""
    return sorted({target for kind in KINDS.values() for target in offered_targets(kind)})


def _wrong_target(kind: JobKind, target: object, targets: tuple[str, ...]) -> str:
    """Why `target` cannot run `kind`: a name this deployment does not know, or a target
    that runs other kinds."""
    everything = every_offered_target()
    if target not in everything:
        shown = target[:60] if isinstance(target, str) else target
        return f"unknown target {shown!r}; this deployment offers: {', '.join(everything)}."
    return f"Target {target!r} does not run {kind.name} jobs; use one of: {', '.join(targets)}."


async def _check_remote(
    target: RemoteTarget, request: JobRequest, owner: str, workspace: WorkspaceCoordinates | None
) -> None:
    """400 before anything is stored: no workspace, or a program the target cannot run."""
    if workspace is None:
        raise invalid_request(
            f"Target {target.name} runs on Azure Quantum, and this deployment has no workspace:"
            " set QJOBS_WORKSPACE_CONNECTION_STRING, or QJOBS_WORKSPACE_RESOURCE_ID and"
            " QJOBS_WORKSPACE_LOCATION, or QJOBS_KEYVAULT_URL. To try it on this machine, start"
            " qjobs with a local stand-in of Azure Quantum: QJOBS_QUANTUM_STANDIN=1 scripts/start",
            "/target",
        )
    profile = target.provider.profile
    try:
        await _checking(owner, _profile_check(request), request.kind.name, request.problem, profile)
    except ProfileError as error:
        able = await _targets_that_can_run(request, owner, profile)
        raise invalid_request(
            f"{blockers(error)}, which {target.name}'s {profile} profile cannot run;"
            f" targets that can run it: {', '.join(able)}. qdk's message: {error}",
            "/source",
        ) from None
    except ProgramError as error:
        raise invalid_request(
            f"{target.name} cannot run this program (QIR profile {profile}): {error}",
            "/source",
        ) from None


def _profile_check(request: JobRequest) -> Callable[[str, dict[str, Any], str], None]:
    """How a request's programs are checked against a QIR profile (a batch's: each one)."""
    return check_batch_profile if batch_fields.is_batch_input(request.problem) else check_profile


async def _targets_that_can_run(request: JobRequest, owner: str, refused: str) -> list[str]:
    """The offered remote targets whose profile compiles the program (each other profile is
    tried once), then the kind's local ones, which run every program."""
    able: list[str] = []
    verdicts: dict[str, bool] = {refused: False}
    for remote in offered_remote_targets().values():
        profile = remote.provider.profile
        if profile not in verdicts:
            try:
                check = _profile_check(request)
                await _checking(owner, check, request.kind.name, request.problem, profile)
                verdicts[profile] = True
            except ProgramError:
                verdicts[profile] = False
        if verdicts[profile]:
            able.append(remote.name)
    return able + list(request.kind.targets)


def _is_unicode(text: str) -> bool:
    """False for a string with a lone surrogate (JSON's "\\ud800" escape allows one)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


async def read_job_request(req: func.HttpRequest, max_bytes: int, owner: str) -> JobRequest:
    """The job client `owner`'s request body describes. Parsing and validating a body of
    megabytes takes a while, so it runs in a thread: other requests are served meanwhile."""
    return await _checking(owner, lambda: parse_job_request(read_json_object(req, max_bytes)))


def parse_idempotency_key(value: str | None) -> str | None:
    if value is None:
        return None
    if not _IDEMPOTENCY_KEY.fullmatch(value):
        raise invalid_request("Idempotency-Key must be 1 to 255 visible ASCII characters.")
    return value


async def _replay(
    client: df.DurableOrchestrationClient, job_id: str, request: JobRequest, owner: str
) -> Accepted | None:
    """The job an Idempotency-Key already created, if any (422 if it was a different job)."""
    view = await find_job(client, job_id)
    if view is None:
        return None
    _check_same_request(view.spec, request, owner)
    return Accepted(view, replayed=True)


def _check_same_request(holder: JobSpec, request: JobRequest, owner: str) -> None:
    if holder.owner != owner or holder.request_hash != request.fingerprint():
        raise ApiError(
            422,
            "idempotency-key-reused",
            "Idempotency-Key reused",
            "This Idempotency-Key was already used for a different job request.",
        )


async def _started_by_holder(
    client: df.DurableOrchestrationClient, claim: IdClaim, request: JobRequest, owner: str
) -> Accepted | None:
    """The job of the request that holds this Idempotency-Key, once that request started it.

    None when the holder gave up (it released its claim) or died before starting it (its
    claim is older than any submission takes, and is released): this request may claim the
    key afresh.
    """
    delay = _HOLDER_FIRST_WAIT_SECONDS
    waited = 0.0
    while True:
        existing = await _replay(client, claim.holder.id, request, owner)
        if existing is not None:
            return existing
        age = utc_now() - datetime.fromisoformat(claim.holder.created)
        if age > _abandoned_claim_age():
            await job_store().release_job_id(claim.holder.id, claim.etag)
            return None
        _check_same_request(claim.holder, request, owner)
        current = await job_store().id_claim(claim.holder.id)
        if current is None or current.etag != claim.etag:  # released: claim the key afresh
            return None
        if waited >= _HOLDER_MAX_WAIT_SECONDS:
            raise OrchestrationUnavailable(f"job {claim.holder.id} is still being started")
        await asyncio.sleep(delay)
        waited += delay
        delay = min(delay * 2, 0.5)


async def submit(
    client: df.DurableOrchestrationClient,
    owner: str,
    request: JobRequest,
    idempotency_key: str | None,
) -> Accepted:
    """Create the job (or find the one this Idempotency-Key already created)."""
    job_id = new_job_id(owner, idempotency_key)
    if idempotency_key is not None:
        existing = await _replay(client, job_id, request, owner)
        if existing is not None:
            return existing

    limits = quotas()
    try:
        await limits.admit(client, owner, job_id, settings())
    except ApiError as refused:
        log_client_event("throttled", owner, logging.WARNING, status=refused.status)
        raise
    try:
        accepted = await _create(client, owner, request, idempotency_key, job_id)
    except BaseException:
        limits.release(owner, job_id)
        raise
    limits.started(owner, job_id)
    if not accepted.replayed:
        log_job_event("submitted", accepted.view.spec, state=JobState.WAITING.value)
    return accepted


async def _create(
    client: df.DurableOrchestrationClient,
    owner: str,
    request: JobRequest,
    idempotency_key: str | None,
    job_id: str,
) -> Accepted:
    workspace = await workspace_coordinates()
    poll = settings().poll
    remote = offered_remote_targets().get(request.target)
    if remote is not None:
        await _check_remote(remote, request, owner, workspace)
        poll = dataclasses.replace(poll, max_job_seconds=remote.max_job_seconds)
    spec = JobSpec(
        id=job_id,
        owner=owner,
        name=request.name,
        kind=request.kind.name,
        target=request.target,
        created=timestamp(utc_now()),
        request_hash=request.fingerprint(),
        poll=poll.to_json(),
        workspace=None if workspace is None else workspace.public(),
        tags=request.tags,
        webhook=request.webhook,
        webhook_events=request.webhook_events,
        items=len(request.problem["items"])
        if batch_fields.is_batch_input(request.problem)
        else None,
    )
    store = job_store()
    if idempotency_key is not None:
        try:
            claim = await store.claim_job_id(spec)
        except StorageUnavailable:
            _forget_later(spec, claimed=True)  # a frozen storage may take the claim in late
            raise
        if claim.etag is not None:
            existing = await _started_by_holder(client, claim, request, owner)
            if existing is not None:
                return existing
            return await submit(client, owner, request, idempotency_key)
    try:
        await store.put_job(spec, request.problem)
        await start_job(client, spec, request.problem)
    except StorageUnavailable:
        _forget_later(spec, claimed=idempotency_key is not None)
        raise
    except OrchestrationUnavailable:
        try:
            await _forget(spec, claimed=idempotency_key is not None)
        except StorageUnavailable:
            _forget_later(spec, claimed=idempotency_key is not None)
        raise
    return Accepted(JobView(spec, Lifecycle(JobState.WAITING)), replayed=False)


async def dry_run(request: JobRequest, owner: str) -> dict[str, Any]:
    """What `?dry_run=true` answers: the request passed every check a submission makes (its
    4xx otherwise), with its estimate. Nothing is stored or started and no quota is used."""
    remote = offered_remote_targets().get(request.target)
    if remote is not None:
        await _check_remote(remote, request, owner, await workspace_coordinates())
    problem = request.problem
    items = len(problem["items"]) if batch_fields.is_batch_input(problem) else 1
    found = await _checking(owner, estimate_of, request.kind.name, request.target, problem, remote)
    return {
        "valid": True,
        "kind": request.kind.name,
        "target": request.target,
        "items": items,
        "estimate": found,
    }


def _abandoned_claim_age() -> timedelta:
    """How old a claim is once its holder can no longer be starting its job."""
    deadline = timedelta(seconds=settings().dependency_deadline_seconds)
    return _CALLS_AFTER_CLAIM * deadline + _CLAIM_SLACK


async def _forget(spec: JobSpec, *, claimed: bool) -> None:
    """Remove the record of a job that never started, and release its claim."""
    await job_store().delete_job(spec)
    if claimed:
        await job_store().release_claim_of(spec)


def _forget_later(spec: JobSpec, *, claimed: bool) -> None:
    """_forget in the background, retried while storage does not answer."""
    task = asyncio.get_running_loop().create_task(_forget_when_possible(spec, claimed))
    _cleanups.add(task)
    task.add_done_callback(_cleanups.discard)


async def _forget_when_possible(spec: JobSpec, claimed: bool) -> None:
    loop = asyncio.get_running_loop()
    give_up = loop.time() + _CLEANUP_SECONDS
    wait = 0.1
    while True:
        try:
            await _forget(spec, claimed=claimed)
            return
        except StorageUnavailable:
            if loop.time() > give_up:
                log.warning("could not remove the blobs of job %s that never started", spec.id)
                return
        await asyncio.sleep(wait)
        wait = min(wait * 2, _CLEANUP_MAX_WAIT_SECONDS)
