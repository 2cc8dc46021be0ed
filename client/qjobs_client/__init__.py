"""qjobs-client: submit quantum and quantum-inspired jobs to qjobs and get their results.

from qjobs_client import Client
job = Client().submit("number_partitioning", weights=[5, 11, 8, 7, 1, 1])
job.result()   # waits, following the API's Location and Retry-After
"""

__version__ = "0.1.0"

from .async_client import AsyncClient, AsyncJob  # noqa: E402
from .errors import (  # noqa: E402
    ApiError,
    Conflict,
    ConnectionFailed,
    FieldError,
    InvalidRequest,
    JobCancelled,
    JobError,
    JobFailed,
    NotFound,
    QJobsError,
    RateLimited,
    ServiceUnavailable,
    Unauthorized,
    WaitTimeout,
)
from .models import JobStatus, Target  # noqa: E402
from .protocol import RetryPolicy  # noqa: E402
from .sync_client import Client, Job  # noqa: E402

__all__ = [
    "ApiError",
    "AsyncClient",
    "AsyncJob",
    "Client",
    "Conflict",
    "ConnectionFailed",
    "FieldError",
    "InvalidRequest",
    "Job",
    "JobCancelled",
    "JobError",
    "JobFailed",
    "JobStatus",
    "NotFound",
    "QJobsError",
    "RateLimited",
    "RetryPolicy",
    "ServiceUnavailable",
    "Target",
    "Unauthorized",
    "WaitTimeout",
    "__version__",
]
