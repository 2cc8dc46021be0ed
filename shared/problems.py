"""API errors as RFC 9457 problem details (application/problem+json)."""

from __future__ import annotations

from typing import Any

PROBLEM_TYPE_PREFIX = "urn:qjobs:problem:"


class ApiError(Exception):
    """An answer other than success: raised anywhere below a function, shaped once in http."""

    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.headers = headers or {}
        self.extensions = extensions

    def body(self) -> dict[str, Any]:
        return {
            "type": PROBLEM_TYPE_PREFIX + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            **self.extensions,
        }


def invalid_request(
    detail: str,
    pointer: str | None = None,
    status: int = 400,
    found: list[dict[str, str | None]] | None = None,
) -> ApiError:
    """A request body or parameter qjobs cannot accept (400), or one too large (413).

    `errors` lists each problem `found` ({"detail", "pointer"}; by default the one `detail`
    at `pointer`), those with a pointer only."""
    if found is None:
        found = [{"detail": detail, "pointer": pointer}]
    errors = [error for error in found if error["pointer"] is not None]
    if status == 413:
        return ApiError(413, "too-large", "Request too large", detail, errors=errors)
    return ApiError(400, "invalid-request", "Invalid request", detail, errors=errors)


def job_not_found(job_id: str) -> ApiError:
    return ApiError(404, "job-not-found", "Job not found", f"There is no job {job_id!r}.")


def unauthorized(detail: str) -> ApiError:
    return ApiError(
        401,
        "unauthorized",
        "Unauthorized",
        detail,
        headers={"WWW-Authenticate": 'Bearer realm="qjobs"'},
    )


def service_unavailable(detail: str, retry_after: int) -> ApiError:
    return ApiError(
        503,
        "service-unavailable",
        "Service unavailable",
        detail,
        headers={"Retry-After": str(retry_after)},
    )


def too_many_requests(detail: str, retry_after: int) -> ApiError:
    """A client over one of its limits (jobs in flight, submissions per minute)."""
    return ApiError(
        429,
        "too-many-requests",
        "Too many requests",
        detail,
        headers={"Retry-After": str(retry_after)},
    )
