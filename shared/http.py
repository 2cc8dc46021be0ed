"""HTTP plumbing shared by the function folders: JSON in, JSON or problem+json out.

`endpoint` wraps every HTTP function once, so each maps failures the same way: ApiError to its
problem, unreachable storage / Key Vault / durable host (each call to one is bounded by
QJOBS_DEPENDENCY_DEADLINE_SECONDS, see shared/deadlines.py) and a compile pool with no free
worker to 503 with Retry-After, anything
else to a 500 problem with no detail (the traceback goes to the log, never the caller).
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import azure.durable_functions as df
import azure.functions as func

from .auth import identify_caller
from .config import ConfigError, PollPolicy, settings
from .deadlines import dependency_deadline
from .job_control import OrchestrationUnavailable
from .jobs import JobView, status_link, utc_now
from .problems import ApiError, invalid_request, service_unavailable
from .solvers.compile_pool import CompilePoolBusy
from .storage import StorageUnavailable
from .targets import offered_remote_targets
from .workspace import WorkspaceUnavailable

log = logging.getLogger("qjobs.http")

PROBLEM_JSON = "application/problem+json"
JSON = "application/json"

Handler = Callable[..., Awaitable[func.HttpResponse]]

# Every API answer is one caller's data: no cache keeps it, no browser reads it as anything
# but its declared media type.
PRIVATE_ANSWER_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> func.HttpResponse:
    return func.HttpResponse(
        json.dumps(body, separators=(",", ":")),
        status_code=status,
        headers=PRIVATE_ANSWER_HEADERS | (headers or {}),
        mimetype=JSON,
        charset="utf-8",
    )


def polling_headers(view: JobView, location: bool = True) -> dict[str, str]:
    """Retry-After for a 202 about a running job, and (with `location`) its status link.

    A remote job is polled at a growing interval, so its Retry-After grows the same way:
    after t seconds the orchestrator waits about t * (factor - 1), up to its cap."""
    retry_after = settings().retry_after_seconds
    if view.spec.target in offered_remote_targets():
        policy = PollPolicy.from_json(view.spec.poll)
        elapsed = (utc_now() - datetime.fromisoformat(view.spec.created)).total_seconds()
        interval = min(policy.max_seconds, max(0.0, elapsed) * (policy.factor - 1))
        retry_after = max(retry_after, math.ceil(interval))
    headers = {"Retry-After": str(retry_after)}
    if location:
        headers["Location"] = status_link(view.spec.id)
    return headers


def problem_response(error: ApiError) -> func.HttpResponse:
    return func.HttpResponse(
        json.dumps(error.body(), separators=(",", ":")),
        status_code=error.status,
        headers=PRIVATE_ANSWER_HEADERS | error.headers,
        mimetype=PROBLEM_JSON,
        charset="utf-8",
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"the key {key[:60]!r} appears twice in one object")
            seen.add(key)
    return value


def read_json_object(req: func.HttpRequest, max_bytes: int) -> dict[str, Any]:
    """The request body as a JSON object: 415 for another media type, 413 over max_bytes,
    400 for anything that is not one strict JSON object (NaN and Infinity are not JSON, and
    an object may not repeat a key)."""
    media_type = req.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != JSON and not (
        media_type.startswith("application/") and media_type.endswith("+json")
    ):
        raise ApiError(
            415,
            "unsupported-media-type",
            "Unsupported media type",
            "Send the job as JSON with 'Content-Type: application/json'.",
        )
    body = req.get_body()
    if len(body) > max_bytes:
        raise invalid_request(
            f"The request body is {len(body)} bytes; the limit is {max_bytes}.", status=413
        )
    try:
        value = json.loads(
            body.decode("utf-8"), parse_constant=_reject_constant, object_pairs_hook=_unique_keys
        )
    except UnicodeDecodeError:
        raise invalid_request("The request body is not UTF-8.") from None
    except ValueError as error:
        raise invalid_request(f"The request body is not valid JSON: {error}") from None
    except RecursionError:
        raise invalid_request("The request body nests too deeply.") from None
    if not isinstance(value, dict):
        raise invalid_request("The request body must be a JSON object.", pointer="")
    return value


def caller(req: func.HttpRequest) -> str:
    """The authenticated client's name (401 problem otherwise)."""
    return identify_caller(req.headers, settings())


def endpoint(handler: Handler) -> Handler:
    """Give an HTTP function the shared error mapping and a durable client.

    The wrapped function is `async def handler(req, client)`; the Functions binding named
    `starter` (the durable client) is turned into a DurableOrchestrationClient first.
    """

    async def wrapper(req: func.HttpRequest, starter: str) -> func.HttpResponse:
        retry_after = 5
        try:
            config = settings()
            retry_after = config.retry_after_seconds
            with dependency_deadline(config.dependency_deadline_seconds):
                return await handler(req, df.DurableOrchestrationClient(starter))
        except ApiError as error:
            return problem_response(error)
        except StorageUnavailable as error:
            log.warning("%s: Blob Storage unavailable: %s", handler.__module__, error)
            message = "Job storage is unavailable; no job was changed. Retry later."
            return problem_response(service_unavailable(message, retry_after))
        except WorkspaceUnavailable as error:
            log.warning("%s: workspace coordinates unavailable: %s", handler.__module__, error)
            message = "The quantum workspace settings cannot be read now. Retry later."
            return problem_response(service_unavailable(message, retry_after))
        except OrchestrationUnavailable as error:
            log.warning("%s: durable host unavailable: %s", handler.__module__, error)
            message = "The job service is not answering. Retry later."
            return problem_response(service_unavailable(message, retry_after))
        except CompilePoolBusy as error:
            log.warning("%s: compile pool busy: %s", handler.__module__, error)
            message = f"Programs cannot be checked now ({error}); no job was created. Retry later."
            return problem_response(service_unavailable(message, retry_after))
        except ConfigError as error:
            log.error("qjobs is misconfigured: %s", error)
            return problem_response(
                ApiError(500, "misconfigured", "Service misconfigured", "See the service's logs.")
            )
        except Exception:
            log.exception("%s failed", handler.__module__)
            return problem_response(
                ApiError(500, "internal", "Internal error", "The request failed unexpectedly.")
            )

    # Not functools.wraps: the Functions worker reads this signature to match bindings.
    wrapper.__doc__ = handler.__doc__
    return wrapper
