"""Which Azure Quantum targets this deployment offers, and what each needs.

`QJOBS_REMOTE_TARGETS` lists Azure Quantum target ids (comma-separated; default the three
providers' simulators). The provider is the id's first segment, and it decides the QIR
profile the program is compiled for and the target's limits. A target with a `.qpu.`
segment is a QPU: its queue can take days, so its maximum duration is
`QJOBS_QPU_MAX_JOB_SECONDS` (default 7 days) instead of `QJOBS_MAX_JOB_SECONDS`.

Every remote job goes as QIR (`qir.v1`, compiled with qdk for the provider's profile) and
comes back as `microsoft.quantum-results.v2`, the format the SDK itself asks for QIR jobs
on every provider: one compiler, one result reader, and a program a target's profile
cannot run is refused at submit with the compiler's message.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from ..config import ConfigError, number_setting
from ..kinds.fields import MAX_PROGRAM_SHOTS

DEFAULT_REMOTE_TARGETS = ("ionq.simulator", "quantinuum.sim.h2-1e", "rigetti.sim.qvm")
REMOTE_KINDS = ("circuit", "qsharp")
INPUT_FORMAT = "qir.v1"
OUTPUT_FORMAT = "microsoft.quantum-results.v2"


@dataclass(frozen=True)
class Provider:
    id: str
    profile: str  # qdk TargetProfile name
    max_qubits: int


PROVIDERS = {
    provider.id: provider
    for provider in (
        Provider("ionq", "Base", 29),
        Provider("quantinuum", "Adaptive_RI", 56),
        Provider("rigetti", "Base", 20),
    )
}


@dataclass(frozen=True)
class RemoteTarget:
    """An Azure Quantum target as qjobs offers it."""

    name: str
    provider: Provider
    max_job_seconds: float

    @property
    def is_qpu(self) -> bool:
        return ".qpu." in f".{self.name}."

    def describe(self) -> dict[str, object]:
        return {
            "name": self.name,
            "provider": self.provider.id,
            "kinds": list(REMOTE_KINDS),
            "profile": self.provider.profile,
            "input_format": INPUT_FORMAT,
            "output_format": OUTPUT_FORMAT,
            "limits": {"qubits": self.provider.max_qubits, "shots": MAX_PROGRAM_SHOTS},
            "max_job_seconds": self.max_job_seconds,
        }


def remote_targets(env: Mapping[str, str] | None = None) -> dict[str, RemoteTarget]:
    """The offered remote targets by name; ConfigError for an id qjobs cannot serve."""
    env = os.environ if env is None else env
    raw = env.get("QJOBS_REMOTE_TARGETS", "").strip()
    names = [name.strip() for name in raw.split(",") if name.strip()] if raw else []
    simulator_seconds = number_setting(env, "QJOBS_MAX_JOB_SECONDS", 3600.0, 1.0, 7 * 86400)
    qpu_seconds = number_setting(env, "QJOBS_QPU_MAX_JOB_SECONDS", 7 * 86400.0, 1.0, 30 * 86400)
    targets: dict[str, RemoteTarget] = {}
    for name in names or DEFAULT_REMOTE_TARGETS:
        provider = PROVIDERS.get(name.split(".")[0])
        if provider is None or name.count(".") < 1:
            known = ", ".join(PROVIDERS)
            raise ConfigError(
                f"QJOBS_REMOTE_TARGETS names {name!r}: qjobs serves the providers {known}"
            )
        target = RemoteTarget(name, provider, simulator_seconds)
        if target.is_qpu:
            target = RemoteTarget(name, provider, qpu_seconds)
        targets[name] = target
    return targets
