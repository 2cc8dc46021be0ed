"""Every qjobs setting, read once from the environment (Functions app settings)."""

from __future__ import annotations

import functools
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field


class ConfigError(ValueError):
    """A setting has a value qjobs cannot use."""


@dataclass(frozen=True)
class PollPolicy:
    """How the orchestrator polls a target job: first wait, growth factor, cap, deadline."""

    first_seconds: float
    factor: float
    max_seconds: float
    max_job_seconds: float

    def interval(self, round_number: int) -> float:
        """The wait before poll number `round_number` (0 is the first wait)."""
        return min(self.max_seconds, self.first_seconds * self.factor**round_number)

    def to_json(self) -> dict[str, float]:
        return {
            "first_seconds": self.first_seconds,
            "factor": self.factor,
            "max_seconds": self.max_seconds,
            "max_job_seconds": self.max_job_seconds,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, float]) -> PollPolicy:
        return cls(**{key: float(data[key]) for key in cls.__dataclass_fields__})


AUTH_MODES = ("api-keys", "gateway")


@dataclass(frozen=True)
class Settings:
    api_keys: str
    auth_mode: str
    gateway_secret: str | None = field(repr=False)
    blob_connection_string: str | None
    blob_account_url: str | None
    blob_container: str
    max_body_bytes: int
    retry_after_seconds: int
    poll: PollPolicy
    local_workers: int
    worker_memory_mb: int
    splitweights_wait_seconds: float
    program_time_limit: float
    program_max_time_limit: float
    max_jobs_in_flight: int
    max_submissions_per_minute: int
    dependency_deadline_seconds: float
    list_token_key: bytes = field(repr=False)
    retention_days: float
    purge_max_jobs: int
    max_wait_seconds: int
    webhook_key: str | None = field(repr=False)
    webhook_allow_hosts: str
    webhook_retry_seconds: tuple[float, ...]
    webhook_retry_for_seconds: float
    compile_workers: int
    compile_seconds: float
    compile_memory_mb: int
    compile_wait_seconds: float
    max_batch_items: int = 1000
    # A batch on an Azure Quantum target keeps at most this many provider jobs in flight.
    batch_parallelism: int = 8
    # QJOBS_PRICING: a JSON file path or JSON text; empty for the shipped table (pricing.json).
    pricing: str = ""


def number_setting(
    env: Mapping[str, str], name: str, default: float, low: float, high: float
) -> float:
    """The number setting `name` (default when unset); ConfigError outside [low, high]."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low:g} and {high:g}, not {raw}")
    return value


def _storage_connection(env: Mapping[str, str]) -> str | None:
    """QJOBS_BLOB_CONNECTION_STRING; without it and without QJOBS_BLOB_ACCOUNT_URL, the
    host's own storage connection string (AzureWebJobsStorage, as Azurite sets it locally)."""
    explicit = env.get("QJOBS_BLOB_CONNECTION_STRING", "").strip()
    if explicit or env.get("QJOBS_BLOB_ACCOUNT_URL", "").strip():
        return explicit or None
    return env.get("AzureWebJobsStorage", "").strip() or None


GATEWAY_SECRET_MIN_LENGTH = 32


def _auth_mode(env: Mapping[str, str]) -> str:
    """QJOBS_AUTH_MODE: `api-keys` (the default) or `gateway` (API Management in front, which
    proves itself with QJOBS_GATEWAY_SECRET; see shared/auth.py)."""
    mode = env.get("QJOBS_AUTH_MODE", "").strip().lower() or "api-keys"
    if mode not in AUTH_MODES:
        raise ConfigError(f"QJOBS_AUTH_MODE must be one of {', '.join(AUTH_MODES)}, not {mode!r}")
    secret = env.get("QJOBS_GATEWAY_SECRET", "").strip()
    if mode == "gateway" and len(secret) < GATEWAY_SECRET_MIN_LENGTH:
        raise ConfigError(
            f"QJOBS_AUTH_MODE=gateway needs QJOBS_GATEWAY_SECRET of at least"
            f" {GATEWAY_SECRET_MIN_LENGTH} characters"
        )
    # Azure leaves a Key Vault reference it could not resolve in place of the value.
    if mode == "gateway" and secret.startswith("@Microsoft.KeyVault("):
        raise ConfigError(
            "QJOBS_GATEWAY_SECRET is a Key Vault reference the host could not resolve"
        )
    return mode


LIST_TOKEN_KEY_MIN_LENGTH = 32


def _list_token_key(env: Mapping[str, str]) -> bytes:
    """QJOBS_LIST_TOKEN_KEY signs GET /api/jobs continuation tokens (shared/storage.py), so
    that every instance accepts the others' tokens and they survive a restart; unset, a
    random key of this process (its tokens then end with it)."""
    key = env.get("QJOBS_LIST_TOKEN_KEY", "").strip()
    if not key:
        return secrets.token_bytes(32)
    if key.startswith("@Microsoft.KeyVault("):
        raise ConfigError(
            "QJOBS_LIST_TOKEN_KEY is a Key Vault reference the host could not resolve"
        )
    if len(key) < LIST_TOKEN_KEY_MIN_LENGTH:
        raise ConfigError(
            f"QJOBS_LIST_TOKEN_KEY must be at least {LIST_TOKEN_KEY_MIN_LENGTH} characters"
        )
    return key.encode("utf-8", "surrogatepass")


def default_worker_memory_mb(workers: int) -> int:
    """QJOBS_WORKER_MEMORY_MB's default: 2,048 MB, less on a machine where the most worker
    processes the local pool runs at once (2 x workers) would then take more than half its
    memory, but never under 1,536 MB (a dense 22-qubit Q# program on qdk's interpreter peaks
    at ~1.1 GB)."""
    try:
        machine_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    except (ValueError, OSError):
        return 2048
    return max(1536, min(2048, machine_mb // 2 // (2 * workers)))


WEBHOOK_KEY_MIN_LENGTH = 32
DEFAULT_WEBHOOK_RETRY_SECONDS = (5.0, 30.0, 120.0, 600.0, 1800.0, 3600.0)


def _webhook_key(env: Mapping[str, str]) -> str | None:
    """QJOBS_WEBHOOK_KEY: the key every client's webhook signing secret is derived from;
    unset, webhooks are off."""
    key = env.get("QJOBS_WEBHOOK_KEY", "").strip()
    if not key:
        return None
    if key.startswith("@Microsoft.KeyVault("):
        raise ConfigError("QJOBS_WEBHOOK_KEY is a Key Vault reference the host could not resolve")
    if len(key) < WEBHOOK_KEY_MIN_LENGTH:
        raise ConfigError(f"QJOBS_WEBHOOK_KEY must be at least {WEBHOOK_KEY_MIN_LENGTH} characters")
    return key


def _retry_schedule(env: Mapping[str, str]) -> tuple[float, ...]:
    """QJOBS_WEBHOOK_RETRY_SECONDS: the waits before each repeated delivery attempt, comma-
    separated; the last repeats until QJOBS_WEBHOOK_RETRY_FOR_SECONDS have passed."""
    raw = env.get("QJOBS_WEBHOOK_RETRY_SECONDS", "").strip()
    if not raw:
        return DEFAULT_WEBHOOK_RETRY_SECONDS
    try:
        waits = tuple(float(part) for part in raw.split(","))
    except ValueError:
        raise ConfigError(f"QJOBS_WEBHOOK_RETRY_SECONDS must be numbers, not {raw!r}") from None
    if not 1 <= len(waits) <= 50 or not all(0.1 <= wait <= 86400 for wait in waits):
        raise ConfigError("QJOBS_WEBHOOK_RETRY_SECONDS: 1 to 50 waits of 0.1 to 86400 s each")
    return waits


def load_settings(env: Mapping[str, str]) -> Settings:
    """Settings from an environment mapping; raises ConfigError naming a bad setting."""
    cpus = os.cpu_count() or 1
    local_workers = int(number_setting(env, "QJOBS_LOCAL_WORKERS", cpus, 1, 256))
    return Settings(
        api_keys=env.get("QJOBS_API_KEYS", ""),
        auth_mode=_auth_mode(env),
        gateway_secret=env.get("QJOBS_GATEWAY_SECRET", "").strip() or None,
        blob_connection_string=_storage_connection(env),
        blob_account_url=env.get("QJOBS_BLOB_ACCOUNT_URL", "").strip() or None,
        blob_container=env.get("QJOBS_BLOB_CONTAINER", "").strip() or "qjobs",
        max_body_bytes=int(
            number_setting(env, "QJOBS_MAX_BODY_BYTES", 8 * 1024 * 1024, 1024, 100 * 1024 * 1024)
        ),
        retry_after_seconds=int(number_setting(env, "QJOBS_RETRY_AFTER_SECONDS", 1, 1, 3600)),
        poll=PollPolicy(
            first_seconds=number_setting(env, "QJOBS_POLL_FIRST_SECONDS", 0.05, 0.01, 3600),
            factor=number_setting(env, "QJOBS_POLL_FACTOR", 2.0, 1.0, 10.0),
            max_seconds=number_setting(env, "QJOBS_POLL_MAX_SECONDS", 15.0, 0.01, 3600),
            max_job_seconds=number_setting(env, "QJOBS_MAX_JOB_SECONDS", 3600.0, 1.0, 7 * 86400),
        ),
        local_workers=local_workers,
        worker_memory_mb=int(
            number_setting(
                env,
                "QJOBS_WORKER_MEMORY_MB",
                default_worker_memory_mb(local_workers),
                256,
                1024 * 1024,
            )
        ),
        splitweights_wait_seconds=number_setting(
            env, "QJOBS_SPLITWEIGHTS_WAIT_SECONDS", 5.0, 0, 60
        ),
        program_time_limit=number_setting(env, "QJOBS_PROGRAM_TIME_LIMIT_SECONDS", 60, 0.1, 86400),
        program_max_time_limit=number_setting(
            env, "QJOBS_PROGRAM_MAX_TIME_LIMIT_SECONDS", 600, 0.1, 86400
        ),
        max_jobs_in_flight=int(number_setting(env, "QJOBS_MAX_JOBS_IN_FLIGHT", 100, 1, 10**6)),
        max_submissions_per_minute=int(
            number_setting(env, "QJOBS_MAX_SUBMISSIONS_PER_MINUTE", 600, 1, 10**6)
        ),
        dependency_deadline_seconds=number_setting(
            env, "QJOBS_DEPENDENCY_DEADLINE_SECONDS", 3.0, 0.1, 60
        ),
        list_token_key=_list_token_key(env),
        retention_days=number_setting(env, "QJOBS_RETENTION_DAYS", 30, 0, 36500),
        purge_max_jobs=int(number_setting(env, "QJOBS_PURGE_MAX_JOBS", 10000, 1, 10**7)),
        # Below the Functions HTTP timeout (230 s on Azure), with room for the answer.
        max_wait_seconds=int(number_setting(env, "QJOBS_MAX_WAIT_SECONDS", 60, 0, 200)),
        webhook_key=_webhook_key(env),
        webhook_allow_hosts=env.get("QJOBS_WEBHOOK_ALLOW_HOSTS", "").strip(),
        webhook_retry_seconds=_retry_schedule(env),
        webhook_retry_for_seconds=number_setting(
            env, "QJOBS_WEBHOOK_RETRY_FOR_SECONDS", 86400, 1, 7 * 86400
        ),
        max_batch_items=int(number_setting(env, "QJOBS_MAX_BATCH_ITEMS", 1000, 1, 100_000)),
        batch_parallelism=int(number_setting(env, "QJOBS_BATCH_PARALLELISM", 8, 1, 64)),
        pricing=env.get("QJOBS_PRICING", "").strip(),
        compile_workers=int(number_setting(env, "QJOBS_COMPILE_WORKERS", min(cpus, 4), 1, 64)),
        compile_seconds=number_setting(env, "QJOBS_COMPILE_SECONDS", 10, 0.1, 600),
        compile_memory_mb=int(number_setting(env, "QJOBS_COMPILE_MEMORY_MB", 1024, 16, 65536)),
        compile_wait_seconds=number_setting(env, "QJOBS_COMPILE_WAIT_SECONDS", 20, 0.1, 600),
    )


@functools.cache
def settings() -> Settings:
    """The process's settings (app settings do not change while a worker runs)."""
    return load_settings(os.environ)
