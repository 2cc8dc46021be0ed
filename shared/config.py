"""Every qjobs setting, read once from the environment (Functions app settings)."""

from __future__ import annotations

import functools
import os
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
    splitweights_wait_seconds: float
    program_time_limit: float
    program_max_time_limit: float
    max_jobs_in_flight: int
    max_submissions_per_minute: int
    compile_workers: int
    compile_seconds: float
    compile_memory_mb: int
    compile_wait_seconds: float


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


def load_settings(env: Mapping[str, str]) -> Settings:
    """Settings from an environment mapping; raises ConfigError naming a bad setting."""
    cpus = os.cpu_count() or 1
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
        local_workers=int(number_setting(env, "QJOBS_LOCAL_WORKERS", cpus, 1, 256)),
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
        compile_workers=int(number_setting(env, "QJOBS_COMPILE_WORKERS", min(cpus, 4), 1, 64)),
        compile_seconds=number_setting(env, "QJOBS_COMPILE_SECONDS", 10, 0.1, 600),
        compile_memory_mb=int(number_setting(env, "QJOBS_COMPILE_MEMORY_MB", 1024, 16, 65536)),
        compile_wait_seconds=number_setting(env, "QJOBS_COMPILE_WAIT_SECONDS", 20, 0.1, 600),
    )


@functools.cache
def settings() -> Settings:
    """The process's settings (app settings do not change while a worker runs)."""
    return load_settings(os.environ)
