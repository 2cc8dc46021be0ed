"""Errors the client raises: one class per kind of answer a caller may want to branch on.

Every error from an HTTP answer is built from its RFC 9457 problem (application/problem+json):
`type`, `title`, `detail`, `status` and, for a bad field, `errors` (JSON pointer + detail).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One offending value of a request: where it is (a JSON pointer) and what is wrong."""

    pointer: str
    detail: str


class QJobsError(Exception):
    """Base of every error this package raises."""


class ConnectionFailed(QJobsError):
    """qjobs could not be reached (after the retries)."""


class ApiError(QJobsError):
    """An HTTP answer that is a problem (4xx or 5xx)."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        self.status = status
        self.problem = problem
        self.type: str = str(problem.get("type", "about:blank"))
        self.title: str = str(problem.get("title", f"HTTP {status}"))
        self.detail: str = str(problem.get("detail", ""))
        raw_errors = problem.get("errors")
        self.errors: list[FieldError] = [
            FieldError(str(e.get("pointer", "")), str(e.get("detail", "")))
            for e in (raw_errors if isinstance(raw_errors, list) else [])
            if isinstance(e, dict)
        ]
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """One readable line: the problem's title and detail."""
        return f"{self.title}: {self.detail}" if self.detail else self.title


class InvalidRequest(ApiError):
    """400, 413, 415 or 422: the request cannot be accepted as sent; retrying will not help."""


class Unauthorized(ApiError):
    """401: no API key, or one qjobs does not know."""


class NotFound(ApiError):
    """404: no such job for this caller."""


class Conflict(ApiError):
    """409: e.g. cancelling a job that is already final."""


class RateLimited(ApiError):
    """429 still answered after the client's retries: over this client's limits."""


class ServiceUnavailable(ApiError):
    """503 (or another 5xx) still answered after the client's retries."""


class JobError(QJobsError):
    """A job that ended without a result: `job_id`, its final `status` and its `error`."""

    def __init__(self, job_id: str, status: str, code: str | None, message: str | None) -> None:
        self.job_id = job_id
        self.status = status
        self.code = code
        self.error_message = message
        text = f"Job {job_id} {status}"
        if code or message:
            text += f" ({code}): {message}" if code else f": {message}"
        super().__init__(text)


class JobFailed(JobError):
    """The job failed; `code` and `error_message` say why."""


class JobCancelled(JobError):
    """The job was cancelled."""


class WaitTimeout(QJobsError, TimeoutError):
    """A wait ran out of time before the job became final; the job goes on running."""

    def __init__(self, job_id: str, status: str, timeout: float) -> None:
        self.job_id = job_id
        self.status = status
        self.timeout = timeout
        super().__init__(f"Job {job_id} is still {status} after {timeout:g} s")


_BY_STATUS: dict[int, type[ApiError]] = {
    400: InvalidRequest,
    401: Unauthorized,
    404: NotFound,
    409: Conflict,
    413: InvalidRequest,
    415: InvalidRequest,
    422: InvalidRequest,
    429: RateLimited,
}


def api_error(status: int, problem: dict[str, Any]) -> ApiError:
    """The typed error for an answer's status and problem document."""
    if status in _BY_STATUS:
        return _BY_STATUS[status](status, problem)
    return ServiceUnavailable(status, problem) if status >= 500 else ApiError(status, problem)


def job_error(job_id: str, status: str, error: dict[str, Any] | None) -> JobError:
    """The error for a job that ended `failed` or `cancelled`, from the job's `error` object."""
    error = error or {}
    code = error.get("code")
    message = error.get("message")
    cls = JobCancelled if status == "cancelled" else JobFailed
    return cls(
        job_id,
        status,
        str(code) if code is not None else None,
        str(message) if message is not None else None,
    )
